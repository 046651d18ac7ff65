/*
 * job_env_sky.h: the SKYPILOT_* variables of a job submitted as a SkyPilot
 * task YAML (JobDesc.task_yaml; skypilot.md section 2).
 *
 * Only task-YAML jobs get them: a plain sbatch job's environment stays
 * exactly Slurm's, and a job submitted from inside a task does not pass its
 * parent's values on as if they were its own (sbatch drops inherited ones).
 * The batch step is rank 0 on the first node of the allocation; slurm-sky
 * has no srun yet, so run executes on that node only (SkyPilot runs it on
 * every node: multi-node tasks must start their peers themselves, e.g. with
 * ssh to SKYPILOT_NODE_IPS).
 *
 *   SKYPILOT_NODE_RANK, SKYPILOT_SETUP_NODE_RANK   0
 *   SKYPILOT_NODE_IPS, SKYPILOT_SETUP_NODE_IPS     one address per allocated
 *       node, newline-separated, in hostlist order: the node's NodeAddr from
 *       slurm.conf (resolved when it is a name), else 127.0.0.1 for a
 *       Provider=local node (it runs on this host), else the resolved name
 *   SKYPILOT_NUM_NODES                             the allocated node count
 *   SKYPILOT_NUM_GPUS_PER_NODE, _SETUP_ variant    the accelerators count,
 *       rounded up; 0 without accelerators
 *   SKYPILOT_TASK_ID   sky-<submit time %Y-%m-%d-%H-%M-%S-%f>_<cluster>_<job id>,
 *       SkyPilot's format, stable across requeues (from the submit time)
 *   SKYPILOT_USER      the job's user name
 * A name the task's envs set (already in LaunchJob.env) is left alone: the
 * task's envs win, as SkyPilot exports them after its own.
 */
#ifndef SKY_SLURMD_JOB_ENV_SKY_H
#define SKY_SLURMD_JOB_ENV_SKY_H

#include "conf.h"
#include "job_env.h"
#include "sky.pb-c.h"

/*
 * The agent's configuration, for NodeAddr and Provider. Borrowed: the
 * supervisor and job processes are forks of the agent and inherit it.
 * Without it every node is taken as local.
 */
void job_env_sky_set_conf(const struct sky_conf *conf);

/* The variables as "NAME=value", NULL-terminated; NULL for other jobs. Caller frees with job_env_free(). */
char **job_env_sky_vars(const Sky__LaunchJob *lj, const struct job_env_ctx *c);

#endif
