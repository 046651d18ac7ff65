/*
 * qos_ctld.h: QOS inside the controller (slurm.md section 7; Slurm's
 * qos.shtml and resource_limits.shtml): the table kept in the store's meta
 * db beside the association tree, a job's QOS at submission (--qos, else
 * the association's DefaultQOS, else "normal"), its validity with
 * AccountingStorageEnforce=qos, QOS limits at submission and scheduling
 * (with =limits), the QOS priority factor and UsageFactor.
 *
 * The table hangs off struct fs_ctld (fs_ctld.h: f->qos) and every entry
 * point is called from fs_ctld.c / fs_jobs.c / rpc_assoc.c, so the rest of
 * the controller does not see QOS at all. A job's QOS is its desc->qos
 * (NULL reads as "normal").
 */
#ifndef SKY_QOS_CTLD_H
#define SKY_QOS_CTLD_H

#include <stdint.h>

#include "assoc.h"
#include "assoc_ops.h"
#include "qos.h"
#include "sky.pb-c.h"
#include "sky_err.h"
#include "state_lmdb.h"

struct ctld;
struct job;

/* Load the table from t ("normal" only when none is stored) into c->fs->qos. */
int qos_ctld_load(struct ctld *c, struct store_txn *t, struct sky_errbuf *eb);
/* Put the table into t (the caller commits). */
int qos_ctld_save(struct ctld *c, struct store_txn *t, struct sky_errbuf *eb);

/* The QOS record of job record r, or NULL (unknown name, or no table). Borrowed. */
struct qos *qos_of_job(const struct ctld *c, const Sky__JobRecord *r);

/* Recount the live counters of every QOS from the job table. */
void qos_recount(struct ctld *c);
/* j started: its QOS and its user in it take its TRES (v: fs_job_tres). */
void qos_job_started(struct ctld *c, const struct job *j, const uint64_t *v);

/*
 * Submission, after the association a0 (borrowed, not NULL) is known:
 * d->qos defaults to a0's DefaultQOS, else its only QOS, else "normal";
 * with Enforce=qos the QOS must exist and be in a0's list ("Invalid qos
 * specification").
 */
int qos_submit_resolve(struct ctld *c, Sky__JobDesc *d, const struct assoc *a0,
		       struct sky_errbuf *eb);
/*
 * With Enforce=limits: MaxSubmitPU and GrpSubmitJobs (tasks jobs more), and
 * with Flags=DenyOnLimit the per-job Max limits (MaxWall, MaxTRESPerJob,
 * MaxTRESPerUser as a stand-alone job), refused with Slurm's text. On
 * success the QOS counts the new jobs.
 */
int qos_submit_limits(struct ctld *c, const Sky__JobDesc *d, const char *user,
		      uint32_t time_limit_min, uint32_t tasks, struct sky_errbuf *eb);

/* The QOS limit pending job j waits for (Slurm's reason), or NULL. v: the job's TRES. */
const char *qos_sched_blocker(struct ctld *c, const struct job *j, const uint64_t *v);

/* The job's QOS Priority (0: none) and the largest of all QOS. */
uint32_t qos_job_priority(const struct ctld *c, const Sky__JobRecord *r);
uint32_t qos_ctld_max_priority(const struct ctld *c);
/* The UsageFactor its usage is charged with (1 without a QOS). */
double qos_job_usage_factor(const struct ctld *c, const Sky__JobRecord *r);

/*
 * sacctmgr add|modify|delete qos (REQUEST_ASSOC_OP with entity "qos"): run
 * on a copy, which replaces the live table once committed when req->commit.
 */
int qos_ctld_op(struct ctld *c, const Sky__AssocOpRequest *req, time_t now, struct aop_out *o,
		struct sky_errbuf *eb);

#endif
