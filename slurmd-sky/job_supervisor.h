/*
 * job_supervisor.h: the per-job process (Slurm's slurmstepd role).
 *
 * The agent forks one supervisor per launched job. The supervisor becomes a
 * child subreaper in its own session, so it outlives an agent restart and
 * every process the job leaves behind is re-parented to it and can be found
 * and killed. It forks the batch script as the job's user, enforces the time
 * limit, runs cancel and signal requests, kills what is left when the script
 * exits, writes the result into the spool (atomically) and exits.
 *
 * The agent talks to a running supervisor only with queued signals:
 *   SIGTERM, value = JobState to report (0: CANCELLED)  -> cancel sequence
 *   SIGUSR1, value = signal | SUP_SIGNAL_BATCH_ONLY      -> deliver a signal
 * so an agent that restarted can still reach a supervisor it did not fork.
 */
#ifndef SKY_SLURMD_JOB_SUPERVISOR_H
#define SKY_SLURMD_JOB_SUPERVISOR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sky_err.h"

/* OR'ed into the SIGUSR1 value: signal the batch shell only. */
#define SUP_SIGNAL_BATCH_ONLY 0x10000
#define SUP_SIGNAL_MASK 0xff

struct sup_params {
	uint32_t job_id;
	const char *jobdir;       /* the spooled job (spool.h layout) */
	const char *node_name;
	const char *cluster;      /* SLURM_CLUSTER_NAME when the record has none; may be NULL */
	const char *log_file;     /* the supervisor's log; NULL keeps stderr */
	int log_level;            /* an enum log_level */
	uint32_t kill_wait;       /* seconds, when the LaunchJob carries none */
};

/*
 * Fork the supervisor of the job spooled in p->jobdir. In the parent returns
 * 0 with the child's pid; the child never returns. Strings of p are read by
 * the child from its copy of the parent's memory.
 */
int supervisor_spawn(const struct sup_params *p, pid_t *pid, struct sky_errbuf *eb);

/* Ask the supervisor pid to cancel its job and report state (0 = CANCELLED). */
int supervisor_cancel(pid_t pid, uint32_t state, struct sky_errbuf *eb);

/* Ask the supervisor pid to send sig to every job process, or the batch shell only. */
int supervisor_signal(pid_t pid, int sig, bool batch_only, struct sky_errbuf *eb);

#endif
