/*
 * job_env_gpu.h: the GPU variables of a job and of each of its tasks
 * (slurm.md section 2, "GPU variables").
 *
 * The devices are the ones the controller gave the job on this node
 * (JobRecord.gres_alloc, name "gpu"). Their values are the device indices,
 * as Slurm prints them when ConstrainDevices is off: a job holding GPUs 4
 * and 5 sees CUDA_VISIBLE_DEVICES=4,5. Nothing is set for a job without GPUs
 * on this node.
 *
 * Job (batch script): SLURM_JOB_GPUS, SLURM_GPUS_ON_NODE,
 *   CUDA_VISIBLE_DEVICES, GPU_DEVICE_ORDINAL, ROCR_VISIBLE_DEVICES,
 *   ZE_AFFINITY_MASK.
 * Task of a step (srun): the same, with SLURM_STEP_GPUS for SLURM_JOB_GPUS;
 *   with --gpus-per-task=N (srun's or the job's), task L of the node sees
 *   only the N devices L*N .. L*N+N-1 of the node's list in the four
 *   device variables (CUDA_VISIBLE_DEVICES and the others) (Slurm's implicit
 *   --gpu-bind=per_task:N); SLURM_STEP_GPUS and SLURM_GPUS_ON_NODE still
 *   describe the whole node.
 */
#ifndef SKY_SLURMD_JOB_ENV_GPU_H
#define SKY_SLURMD_JOB_ENV_GPU_H

#include <stddef.h>
#include <stdint.h>

#include "sky.pb-c.h"

/*
 * The batch job's GPU variables on node, a NULL-terminated array of
 * "NAME=value" (never NULL; empty without GPUs). Caller frees the strings
 * and the array (or hands the strings to an env that takes them).
 */
char **job_env_gpu_vars(const Sky__JobRecord *job, const char *node);

/*
 * The GPU variables of one task of a step: local_id is the task's rank on
 * this node; gpus_per_task is srun's --gpus-per-task as given ("2",
 * "a100:2"), NULL or "" for none, in which case the job's --gpus-per-task
 * applies, and without either every task sees all of the node's devices.
 * Same array convention as job_env_gpu_vars().
 */
char **job_env_gpu_task_vars(const Sky__JobRecord *job, const char *node, uint32_t local_id,
			     const char *gpus_per_task);

/*
 * Convenience for a forked task just before exec: setenv() every variable
 * of job_env_gpu_task_vars() (overwriting).
 */
void job_env_gpu_task_apply(const Sky__JobRecord *job, const char *node, uint32_t local_id,
			    const char *gpus_per_task);

/*
 * The devices of task local_id when each task takes per_task of the node's
 * idx[0..n): "4,5", or NULL when the node has too few for that task (or
 * per_task is 0). Caller frees.
 */
char *job_env_gpu_task_list(const uint32_t *idx, size_t n, uint32_t local_id, uint32_t per_task);

#endif
