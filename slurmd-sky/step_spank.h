/*
 * step_spank.h: SPANK plugins (spank_host.h) around the tasks of an srun
 * step, in the order Slurm's slurmstepd calls them: open and user_init once
 * in the step process, task_init_privileged (root) and task_init (as the
 * user, just before exec) in each task's child, task_post_fork and
 * task_exit in the step process, and the exit hooks at the end.
 *
 * The step-level hooks run on a step environment (task 0 of this node's
 * view); what they set there is laid over every task's environment.
 * Every function is a no-op returning 0 without plugins.
 */
#ifndef SKY_SLURMD_STEP_SPANK_H
#define SKY_SLURMD_STEP_SPANK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "agent.h"
#include "sky.pb-c.h"
#include "sky_err.h"

struct step_spank {
	struct spank_host *h;       /* owned; NULL without plugins */
	char **overlay;             /* owned, NULL-terminated "NAME=value" */
	uint32_t *gtids;            /* owned: global ids of this node's tasks */
	pid_t *pids;                /* owned: their pids (0 before fork) */
};

/* Root, before any task is forked. */
int step_spank_begin(struct agent *a, const Sky__StepLaunch *sl, uint32_t node_id,
		     struct step_spank *sp, struct sky_errbuf *eb);

/* In the task's child as root, then as the user just before exec; env is the
 * task's (step_env_build()'s), edited in place. */
int step_spank_task_priv(struct step_spank *sp, const Sky__StepLaunch *sl, uint32_t node_id,
			 uint32_t local_id, char ***env, struct sky_errbuf *eb);
int step_spank_task_init(struct step_spank *sp, const Sky__StepLaunch *sl, uint32_t node_id,
			 uint32_t local_id, char ***env, struct sky_errbuf *eb);

/* In the step process: after a task's fork, after its wait. Failures are logged. */
void step_spank_post_fork(struct step_spank *sp, const Sky__StepLaunch *sl, uint32_t node_id,
			  uint32_t local_id, pid_t pid);
void step_spank_task_exit(struct step_spank *sp, const Sky__StepLaunch *sl, uint32_t node_id,
			  uint32_t local_id, pid_t pid, int status);

/* Exit hooks, unload, free. */
void step_spank_end(struct step_spank *sp);

#endif
