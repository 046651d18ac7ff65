/*
 * step_task.h: starting the tasks of a step on this node (fork, the job
 * user's identity, work directory, stdio, environment, CPU binding, exec).
 */
#ifndef SKY_SLURMD_STEP_TASK_H
#define SKY_SLURMD_STEP_TASK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "agent.h"
#include "sky.pb-c.h"
#include "sky_err.h"

struct step_spank;

struct step_task {
	uint32_t gtid;          /* SLURM_PROCID */
	uint32_t lid;           /* SLURM_LOCALID */
	pid_t pid;              /* also its process group */
	int out, err;           /* pipes to read (-1: a file on the node, or closed) */
	int in;                 /* pipe to write (task 0 only), else -1 */
	bool reaped;
	bool exit_deferred;     /* its exit goes to srun after the controller has the step's end */
	int status;             /* raw wait status once reaped */
};

/* Tasks of sl on node node_id. */
uint32_t step_tasks_on_node(const Sky__StepLaunch *sl, uint32_t node_id);

/*
 * Fork every task of this node, one after the other (each has opened its
 * files and reached exec before the next starts, so a shared -o file is
 * truncated once). *tasks (caller frees) gets one entry per task. sp: the
 * step's SPANK plugins (step_spank.h), borrowed.
 */
int step_task_start_all(struct agent *a, const Sky__StepLaunch *sl, uint32_t node_id,
			struct step_spank *sp, struct step_task **tasks, struct sky_errbuf *eb);

/* Whether pattern uses one of the %-conversions in convs ("t", "nN"). */
bool step_pattern_has(const char *pattern, const char *convs);

#endif
