/*
 * job_control.h: the controller's side of job control (issue 3, area D):
 * requeue rules, what a node failure does to a job, --deadline, and time
 * limits the controller itself must enforce.
 *
 * Time limits: the node agent's supervisor enforces the limit it was
 * launched with, and sends the --signal warning (slurmd-sky/job_warn.h).
 * The controller enforces what changed after launch: a time limit lowered
 * with scontrol update, and --deadline on running jobs. It then marks the
 * job TIMEOUT (or DEADLINE) + COMPLETING, as Slurm does at the limit, and
 * asks the agent to run the kill sequence reporting that state.
 *
 * Requeue: the job keeps its id, restart_count goes up by one (the agent
 * exports it as SLURM_RESTART_COUNT and appends to the output files, as
 * Slurm does), and it may start again at once. Slurm 22.05 also pushes the
 * requeued job's EligibleTime about 120 s ahead (reason BeginTime) so that
 * the old run's job credential expires first; slurm-sky has no such
 * credential to outlive, so it does not wait.
 */
#ifndef SKY_JOB_CONTROL_H
#define SKY_JOB_CONTROL_H

#include <stdbool.h>
#include <time.h>

#include "sky.pb-c.h"

struct ctld;
struct job;

/* Slurm's reason strings for these ends. */
#define REASON_DEADLINE "DeadLine"

/* --requeue/--no-requeue, else JobRequeue (default 1, as Slurm). */
bool job_requeue_allowed(const struct ctld *c, const struct job *j);

/*
 * j's node failed while j ran there: a requeue-able job goes back to
 * PENDING (restart_count + 1, its resources freed), any other ends
 * NODE_FAIL with reason NodeDown. Memory only (the caller saves j).
 */
void job_node_failed(struct ctld *c, struct job *j, time_t now);

/*
 * Running j is requeued, as scontrol requeue does: PENDING + COMPLETING +
 * REQUEUED until its node reports the script stopped (then job_apply_complete
 * makes it pending for real), Restarts+1, no exit status. Memory only.
 */
void job_mark_requeued(struct job *j);

/*
 * n, one of a running j's nodes but not its batch host, is DOWN: j ends
 * NODE_FAIL (reason NodeDown) or, when it may be requeued, is pending again
 * once its script is reported stopped (restart_count + 1); COMPLETING until
 * then. Returns whether j changed: the caller saves it, then kills the
 * script with job_control_kill(c, j, j's new state).
 */
bool job_lost_node(struct ctld *c, struct job *j, const struct node *n, time_t now);

/*
 * Scheduler hook, for a pending job about to be considered: a job that can
 * no longer end before its --deadline (now + (--time-min, else the time
 * limit) > deadline) ends DEADLINE, is committed, and true is returned.
 * Otherwise, with --time-min, a limit that would run past
 * the deadline is cut to fit, and false is returned.
 */
bool job_deadline_pending(struct ctld *c, struct job *j, time_t now);

/*
 * From the 1 s timer: running jobs past their (lowered) time limit or their
 * deadline are killed as TIMEOUT/DEADLINE, pending jobs past their deadline
 * end DEADLINE. Commits what it changed, then tells the agents.
 */
void job_control_tick(struct ctld *c, time_t now);

/*
 * Mark running j ended as st (+ COMPLETING, end_time now), memory only; the
 * caller saves j, then calls job_control_kill() to tell its agent.
 */
void job_control_end_running(struct job *j, Sky__JobState st, time_t now);
/* CTLD_SIGNAL_JOB: kill sequence on j's batch host, reporting st at the end. */
void job_control_kill(struct ctld *c, struct job *j, Sky__JobState st);

#endif
