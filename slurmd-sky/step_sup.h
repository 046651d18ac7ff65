/*
 * step_sup.h: the per-node process of a job step (Slurm's slurmstepd for
 * an srun step).
 *
 * The agent forks one per CTLD_LAUNCH_STEP. It connects back to srun
 * (step_io.h, authenticated with the step key), forks this node's tasks as
 * the job's user, each in its own process group, forwards their stdout and
 * stderr to srun (or writes them to the -o/-e files), feeds srun's stdin to
 * task 0, delivers signals, and reports each task's exit status to srun.
 * When every task has ended it sends StepComplete to the controller and
 * exits. If srun goes away first, the tasks are killed (as Slurm does when
 * srun dies).
 *
 * The agent reaches a running step process through its pid file
 * (<spool>/step<J>.<S>.pid, "<pid> <start ticks>") with queued signals:
 *   SIGTERM                      -> cancel: TERM, KillWait, KILL; ends CANCELLED
 *   SIGUSR1, value = signal      -> deliver that signal to every task
 */
#ifndef SKY_SLURMD_STEP_SUP_H
#define SKY_SLURMD_STEP_SUP_H

#include <stdint.h>
#include <sys/types.h>

#include "agent.h"
#include "sky.pb-c.h"
#include "sky_err.h"

/*
 * Fork the step process for sl on this node (node_id: its index in the
 * step's node list). The parent gets 0 and *pid; the child never returns.
 */
int step_sup_spawn(struct agent *a, const Sky__StepLaunch *sl, uint32_t node_id, pid_t *pid,
		   struct sky_errbuf *eb);

/* "<spool>/step<J>.<S>.pid". Caller frees. */
char *step_pid_path(const char *spool, uint32_t job_id, uint32_t step_id);

#endif
