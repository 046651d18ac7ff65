/*
 * job_array.h: job arrays in the controller (slurm.md 1.6).
 *
 * Id layout: an array of K tasks takes K consecutive job ids, allocated in
 * one transaction in ascending task index order. The first id is the array's
 * master id: every task has array_job_id = that id, so "36" names the whole
 * array while "36_<i>" names one task (whose own job id is 36 + position).
 * Each task is a complete job record of its own (own script copy, own
 * state), so everything else in the controller needs no array awareness;
 * the throttle is the only cross-task rule (job_array_throttled).
 */
#ifndef SKY_JOB_ARRAY_H
#define SKY_JOB_ARRAY_H

#include <stdbool.h>
#include <stdint.h>

#include "sky.pb-c.h"
#include "sky_err.h"

struct ctld;
struct job;

/* Slurm's reason for a task held back by the throttle. */
#define REASON_ARRAY_TASK_LIMIT "JobArrayTaskLimit"

/*
 * Validate d->array against MaxArraySize and SchedulerParameters
 * max_array_tasks. *n_tasks: the task count (1 for a plain job).
 * Returns 0 or SKY_E_INVALID_ARRAY with Slurm's message in eb.
 */
int job_array_check(struct ctld *c, const Sky__JobDesc *d, uint32_t *n_tasks,
		    struct sky_errbuf *eb);

/*
 * Store one job per task of proto->desc->array in one transaction, then put
 * them in the job table. Consumes proto (its script too). keep_priority:
 * proto->priority was decided by the submitter (hold, operator --priority);
 * otherwise each task gets job_base_priority(its id). *first_id: the master id.
 */
int job_array_store(struct ctld *c, Sky__JobRecord *proto, bool keep_priority,
		    uint32_t *first_id, struct sky_errbuf *eb);

/* true when j is an array task and its array already runs throttle tasks. */
bool job_array_throttled(struct ctld *c, const struct job *j);

#endif
