/*
 * job_warn.h: the --signal=[{R|B}:]SIG[@secs] warning before the time limit.
 *
 * Who sends it: the job's supervisor (job_supervisor.c), not the controller.
 * The supervisor already owns the job's clock (it enforces the time limit
 * from the controller's start_time), it keeps running while the controller
 * or the agent restarts, and it can tell the batch shell from the other
 * processes of the job. Slurm's controller sends the signal "up to 60 s
 * early" (its timer resolution); ours arrives within a second of
 * limit - secs, once.
 */
#ifndef SKY_SLURMD_JOB_WARN_H
#define SKY_SLURMD_JOB_WARN_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "sky.pb-c.h"

/* Slurm's default lead time when --signal gives no "@secs". */
#define JOB_WARN_DEFAULT_SECS 60

struct job_warn {
	int sig;                /* 0: no warning asked for */
	bool batch_only;        /* B: only the batch shell */
	time_t at;              /* wall-clock time to send it */
};

/*
 * The warning job (borrowed) asks for, given its time limit counted from
 * start. w->sig is 0 when there is none: no --signal, or no time limit.
 * A lead time longer than the limit sends the signal at start.
 */
void job_warn_plan(const Sky__JobRecord *job, time_t start, struct job_warn *w);

#endif
