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

struct ctld;

/* Create the deferred event. 0 or SKY_E_*. */
int sched_init(struct ctld *c);
void sched_fini(struct ctld *c);
/* Ask for a pass; any number of requests in one loop iteration make one pass. */
void sched_request(struct ctld *c);
/* Run one pass now. */
void sched_run(struct ctld *c);

#endif
