/*
 * sched_backfill.h: the backfill pass (SchedulerType=sched/backfill, the
 * default; slurm.md section 7 and Slurm's sched_config.html).
 *
 * The main pass (sched_fifo.c) starts jobs in priority order and stops a
 * partition at its first job that does not fit (reason Resources). Every
 * bf_interval seconds the backfill pass then looks at the jobs of those
 * partitions, in the same order: it builds a node-time profile
 * (sched_profile.h) from the running jobs' end times (start + time limit),
 * gives each job it tests the earliest start at which its nodes will be
 * free (a reservation: the job's expected StartTime and SchedNodeList),
 * and starts a lower job now only when that delays none of the
 * reservations made before it: it fits now and ends (by its time limit)
 * before the reserved nodes are needed, or uses other nodes.
 *
 * SchedulerParameters read here: bf_interval (seconds, default 30),
 * bf_window (minutes, default 1440: reservations further out are not
 * made), bf_resolution (seconds, default 60: start times are rounded up to
 * it) and bf_max_job_test (default 500 jobs tested per pass).
 * SchedulerType=sched/builtin turns the pass off (strict FIFO).
 */
#ifndef SKY_SCHED_BACKFILL_H
#define SKY_SCHED_BACKFILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sky_err.h"

struct ctld;
struct job;

/* The knobs, parsed from the configuration. */
struct sched_bf_conf {
	bool enabled;               /* SchedulerType=sched/backfill */
	uint32_t interval_s;        /* bf_interval */
	uint32_t window_min;        /* bf_window */
	uint32_t resolution_s;      /* bf_resolution */
	uint32_t max_job_test;      /* bf_max_job_test */
};

/*
 * Parse SchedulerType (NULL: sched/backfill) and SchedulerParameters
 * (NULL: none) into *out. SKY_E_CONFIG naming the key in eb for an unknown
 * scheduler (slurmctld-sky -n checks it too); bad bf_* values are logged
 * and their default kept, as sched_min_interval's are.
 */
int sched_bf_parse(const char *type, const char *params, struct sched_bf_conf *out,
		   struct sky_errbuf *eb);

/* Set up c->bf from c->conf. 0 or SKY_E_CONFIG (logged). */
int sched_bf_init(struct ctld *c);
void sched_bf_fini(struct ctld *c);

/*
 * After the main pass: queue (n jobs, in scheduling order, borrowed) and
 * blocked (per partition index: the main pass left a job of it waiting for
 * Resources). Jobs it starts are appended to started (room for n) and
 * counted in *n_started; the caller commits and launches them.
 */
void sched_bf_run(struct ctld *c, struct job **queue, size_t n, const bool *blocked,
		  struct job **started, size_t *n_started, time_t now);

#endif
