/*
 * sched_fifo.h: the FIFO scheduler (protocol.md, "Scheduling").
 *
 * Pending jobs are taken in (priority desc, submit time, job id) order. Per
 * partition the order is strict: when the first job of a partition cannot
 * start, the later ones of that partition wait (reason Priority). Jobs started
 * in one pass are committed in one transaction, then launched.
 */
#ifndef SKY_SCHED_FIFO_H
#define SKY_SCHED_FIFO_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct ctld;
struct job;
struct node;
struct partition;

/* A filter on the nodes a job may get (backfill: the reservations it must not delay). */
struct sched_filter {
	bool (*ok)(void *arg, const struct node *n, uint32_t cpus, uint64_t mem_mb);
	void *arg;
};

/* Create the deferred event. 0 or SKY_E_*. */
int sched_init(struct ctld *c);
void sched_fini(struct ctld *c);
/* Ask for a pass; any number of requests in one loop iteration make one pass. */
void sched_request(struct ctld *c);
/* Run one pass now. */
void sched_run(struct ctld *c);
/* Whether j would get nodes of p now (nothing changes). */
bool sched_fits(struct ctld *c, struct job *j, const struct partition *p);
/* Start j now on nodes of p that f accepts (f NULL: any): true when it got them. */
bool sched_try_start(struct ctld *c, struct job *j, const struct partition *p, time_t now,
		     const struct sched_filter *f);

#endif
