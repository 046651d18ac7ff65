/*
 * job_update.h: `scontrol update JobId=N Key=Value...` applied to one job,
 * with Slurm's permission rules:
 *   TimeLimit   owner may lower it (pending or running; "+N"/"-N" adjust);
 *               raise it only while pending and within the partition's
 *               MaxTime (Slurm 22.05 allows that too); operators may do
 *               anything. A running job's lowered limit is enforced by
 *               the controller (job_control.h).
 *   Partition, NumNodes   pending jobs only ("Job is no longer pending
 *               execution"); the partition must exist.
 *   Name/JobName, Comment   any job not finished.
 *   Nice        pending jobs; a negative nice is for operators only.
 * All settings of one request are checked before any is applied, so a
 * refused request changes nothing.
 */
#ifndef SKY_JOB_UPDATE_H
#define SKY_JOB_UPDATE_H

#include <stdbool.h>

#include "sky.pb-c.h"
#include "sky_err.h"

struct ctld;
struct job;

/*
 * Apply every "Key=Value" of q (borrowed) to j, acting as an operator or
 * not. 0, or SKY_E_* with Slurm's text in eb (nothing changed then).
 */
int job_update_apply(struct ctld *c, struct job *j, bool operator,
		     const Sky__UpdateJobRequest *q, struct sky_errbuf *eb);

#endif
