/*
 * jobs.h: the jobs this agent holds, running or finished-but-unacknowledged.
 *
 * Every held job has a spool directory and a supervisor (job_supervisor.h).
 * A job's life here: launched (spool written, supervisor forked) -> running
 * -> finished (the supervisor left a result, or died without one: NODE_FAIL)
 * -> reported (AGENT_JOB_COMPLETE, and again in every registration) ->
 * forgotten when the controller sends CTLD_COMPLETE_ACK.
 */
#ifndef SKY_SLURMD_JOBS_H
#define SKY_SLURMD_JOBS_H

#include <stdint.h>
#include <time.h>

#include "agent.h"
#include "sky.pb-c.h"
#include "sky_err.h"

/* Caller frees with jobs_free(). The agent is borrowed for the table's life. */
struct jobs *jobs_new(struct agent *a);
void jobs_free(struct jobs *js);

/*
 * Adopt what the spool holds after an agent (re)start: results become
 * finished jobs, live supervisors are watched, jobs with neither are
 * finished as NODE_FAIL, directories of never-acknowledged launches go.
 */
int jobs_recover(struct jobs *js, struct sky_errbuf *eb);

/*
 * CTLD_LAUNCH_JOB: spool the job and fork its supervisor. 0 when it runs
 * (or was held already: duplicate launches are ignored), else SKY_E_LAUNCH
 * with the reason in eb.
 */
int jobs_launch(struct jobs *js, const Sky__LaunchJob *lj, struct sky_errbuf *eb);

/* CTLD_SIGNAL_JOB: signal 0 cancels, any other is delivered. */
void jobs_signal(struct jobs *js, const Sky__SignalJob *sj);

/* Run the cancel sequence of job_id if it is running here (orphans). */
void jobs_cancel(struct jobs *js, uint32_t job_id);

/* CTLD_COMPLETE_ACK: forget the job and remove its spool directory. */
void jobs_complete_ack(struct jobs *js, uint32_t job_id);

/* SIGCHLD: reap exited supervisors that this agent forked. */
void jobs_reap(struct jobs *js);

/*
 * Add every held job to reg (AgentJob entries). The entries are freed with
 * jobs_register_clear(reg).
 */
void jobs_fill_register(struct jobs *js, Sky__NodeRegister *reg);
void jobs_register_clear(Sky__NodeRegister *reg);

/* Report again completions still unacknowledged after min_age seconds. */
void jobs_resend_unacked(struct jobs *js, time_t min_age);

/* Number of held jobs (running + finished). */
size_t jobs_count(const struct jobs *js);

#endif
