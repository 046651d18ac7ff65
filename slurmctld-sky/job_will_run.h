/*
 * job_will_run.h: `sbatch --test-only`: where and when a job would start.
 *
 * The estimate looks at the job's partition: the nodes that could hold one
 * node's share of the job now, then again as each running job reaches its
 * end time (start + time limit), until enough nodes are free. Pending jobs
 * ahead of it are not counted (Slurm's will-run test does not reserve for
 * them either without backfill).
 */
#ifndef SKY_JOB_WILL_RUN_H
#define SKY_JOB_WILL_RUN_H

#include <time.h>

#include "sky.pb-c.h"
#include "sky_err.h"

struct ctld;

/*
 * The line sbatch prints for rec (a validated record not yet in the table,
 * borrowed): "Job N to start at T using C processors on nodes L in
 * partition P", N being the id the job would get. Slurm 22.05's wording:
 * releases since 25.x print "... a using ..." (a typo in
 * src/api/allocate.c); scripts parse "using N processors", and the real
 * Slurm we compare with is 22.05. Caller frees; NULL with SKY_E_NODE_CONFIG
 * in eb when the job could never start.
 */
char *job_will_run_text(struct ctld *c, const Sky__JobRecord *rec, time_t now,
			struct sky_errbuf *eb);

#endif
