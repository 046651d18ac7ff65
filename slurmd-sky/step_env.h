/*
 * step_env.h: the environment of one task of a job step (srun), as Slurm's
 * slurmstepd builds it: srun's environment (StepCreateRequest.env, already
 * filtered by --export) with the job's and the step's SLURM_* variables set
 * over it (slurm.md section 2, "Per task under srun").
 */
#ifndef SKY_SLURMD_STEP_ENV_H
#define SKY_SLURMD_STEP_ENV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sky.pb-c.h"

struct step_task_ctx {
	const Sky__StepLaunch *sl;  /* borrowed */
	const char *node_name;      /* this node */
	const char *cluster;        /* when the job record has none; may be NULL */
	uint32_t node_id;           /* index of this node in the step's node list */
	uint32_t local_id;          /* task index on this node */
	uint32_t global_id;         /* SLURM_PROCID */
	pid_t task_pid;
};

/* Global id of the first task on node node_id (block layout). */
uint32_t step_first_task(const Sky__StepRecord *st, uint32_t node_id);

/* Tasks the step runs on node node_id (0 when out of range). */
uint32_t step_tasks_on(const Sky__StepRecord *st, uint32_t node_id);

/*
 * The task's environment, NULL-terminated "NAME=value" array. Caller frees
 * with step_env_free().
 */
char **step_env_build(const struct step_task_ctx *c);
void step_env_free(char **env);

#endif
