/*
 * qos_limits.c: QOS in the controller, see qos_ctld.h: the stored table, a
 * job's QOS at submission, QOS limits (Slurm's reason strings from
 * job_state_reason.c), the priority factor and UsageFactor.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "ctld.h"
#include "fs_ctld.h"
#include "fs_int.h"
#include "job_queue.h"
#include "log.h"
#include "qos_ctld.h"
#include "xalloc.h"

#define META_QOS "qos_table"

#define INVALID_QOS "Invalid qos specification"
#define SUBMIT_LIMIT "Job violates accounting/QOS policy (job submit limit, user's size " \
	"and/or time limits)"

int qos_ctld_load(struct ctld *c, struct store_txn *t, struct sky_errbuf *eb)
{
	struct fs_ctld *f = c->fs;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	rc = store_meta_get_blob(t, META_QOS, &buf, &len, eb);
	if (rc == SKY_E_NOT_FOUND) {
		sky_err_clear(eb);
		f->qos = qos_table_new();
		return 0;
	}
	if (!rc)
		rc = qos_table_unpack(buf, len, &f->tree->tres, &f->qos, eb);
	free(buf);
	return rc;
}

int qos_ctld_save(struct ctld *c, struct store_txn *t, struct sky_errbuf *eb)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (!c->fs->qos)
		return 0;
	qos_table_pack(c->fs->qos, &c->fs->tree->tres, &buf, &len);
	rc = store_meta_put_blob(t, META_QOS, buf, len, eb);
	free(buf);
	return rc;
}

struct qos *qos_of_job(const struct ctld *c, const Sky__JobRecord *r)
{
	if (!c->fs || !c->fs->qos)
		return NULL;
	return qos_find(c->fs->qos, r->desc->qos && *r->desc->qos ? r->desc->qos : "normal");
}

/* ---- counters ---- */

static void count(struct qos *q, const char *user, bool running, const uint64_t *v)
{
	struct qos_user *u = qos_user_slot(q, user ? user : "");

	q->used_submit++;
	u->submit++;
	if (!running)
		return;
	q->used_jobs++;
	u->jobs++;
	for (size_t i = 0; i < ASSOC_TRES_MAX; i++) {
		q->grp_used_tres[i] += v[i];
		u->tres[i] += v[i];
	}
}

void qos_recount(struct ctld *c)
{
	uint64_t v[ASSOC_TRES_MAX];
	struct job *j;

	if (!c->fs || !c->fs->qos)
		return;
	qos_counts_zero(c->fs->qos);
	JOB_FOREACH(&c->jobs, j) {
		bool running = job_is_running(j) || j->n_alloc;
		struct qos *q;

		if ((!job_is_pending(j) && !running) || !(q = qos_of_job(c, j->rec)))
			continue;
		if (running)
			fs_job_tres(c->fs, j->rec, v);
		count(q, j->rec->user_name, running, v);
	}
}

void qos_job_started(struct ctld *c, const struct job *j, const uint64_t *v)
{
	struct qos *q = qos_of_job(c, j->rec);
	struct qos_user *u;

	if (!q)
		return;
	u = qos_user_slot(q, j->rec->user_name ? j->rec->user_name : "");
	q->used_jobs++;
	u->jobs++;
	for (size_t i = 0; i < ASSOC_TRES_MAX; i++) {
		q->grp_used_tres[i] += v[i];
		u->tres[i] += v[i];
	}
}

/* ---- submission ---- */

int qos_submit_resolve(struct ctld *c, Sky__JobDesc *d, const struct assoc *a0,
		       struct sky_errbuf *eb)
{
	struct fs_ctld *f = c->fs;
	const char *list = qos_assoc_list(a0);
	bool enforce = f->enforce & CONF_ENFORCE_QOS;

	/* As the account: without enforcement or multifactor a job's QOS stays as given. */
	if (!(f->enforce & CONF_ENFORCE_ASSOCS) && !f->multifactor)
		return 0;
	if (!d->qos || !*d->qos) {
		const char *def = qos_assoc_default(a0);

		/* A list of one needs no default (Slurm's _get_default_qos). */
		if (!def && !strchr(list, ','))
			def = list;
		free(d->qos);
		d->qos = xstrdup(def ? def : "normal");
	} else {
		char *low = assoc_name_lower(d->qos);

		free(d->qos);
		d->qos = low;
	}
	if (!enforce)
		return 0;
	if (!qos_find(f->qos, d->qos) || !qos_list_has(list, d->qos))
		return sky_err_set(eb, SKY_E_INVAL, INVALID_QOS);
	return 0;
}

/* TRES i over limit lim (unset: never). */
static bool over(uint64_t lim, uint64_t have)
{
	return lim != ASSOC_UNSET64 && have > lim;
}

int qos_submit_limits(struct ctld *c, const Sky__JobDesc *d, const char *user,
		      uint32_t time_limit_min, uint32_t tasks, struct sky_errbuf *eb)
{
	struct fs_ctld *f = c->fs;
	struct qos *q;
	struct qos_user *u;

	if (!f || !f->qos || !(q = qos_find(f->qos, d->qos && *d->qos ? d->qos : "normal")))
		return 0;
	u = qos_user_slot(q, user ? user : "");
	if (f->enforce & CONF_ENFORCE_LIMITS) {
		if (q->max_submit_pu != ASSOC_UNSET32 && u->submit + tasks > q->max_submit_pu)
			return sky_err_set(eb, SKY_E_INVAL, SUBMIT_LIMIT);
		if (q->grp_submit != ASSOC_UNSET32 && q->used_submit + tasks > q->grp_submit)
			return sky_err_set(eb, SKY_E_INVAL, SUBMIT_LIMIT);
	}
	if ((f->enforce & CONF_ENFORCE_LIMITS) && (q->flags & QOS_FLAG_DENY_ON_LIMIT)) {
		/* As a stand-alone job: what the request says before any placement. */
		uint64_t cpus = (uint64_t)(d->num_tasks ? d->num_tasks : 1) *
				(d->cpus_per_task ? d->cpus_per_task : 1);
		uint64_t nodes = d->min_nodes ? d->min_nodes : 1;

		/* Slurm's acct_policy_validate: every refusal is ESLURM_ACCOUNTING_POLICY. */
		if (q->max_wall_mins != ASSOC_UNSET32 && time_limit_min &&
		    time_limit_min > q->max_wall_mins)
			return sky_err_set(eb, SKY_E_INVAL, SUBMIT_LIMIT);
		if (over(q->max_tres_pj.v[TRES_CPU], cpus) || over(q->max_tres_pj.v[TRES_NODE], nodes) ||
		    over(q->max_tres_pu.v[TRES_CPU], cpus) || over(q->max_tres_pu.v[TRES_NODE], nodes))
			return sky_err_set(eb, SKY_E_INVAL, SUBMIT_LIMIT);
	}
	/* Counted now so a burst between two passes sees itself; a pass recounts. */
	q->used_submit += tasks;
	u->submit += tasks;
	return 0;
}

/* ---- scheduling ---- */

/* Slurm's reason for a QOS TRES limit: Grp, MaxTRESPerJob (job), MaxTRESPerUser or
 * MaxTRESPerNode. */
enum lim_kind { LIM_GRP, LIM_JOB, LIM_USER, LIM_NODE };

static const char *tres_reason(const struct tres_table *t, size_t i, enum lim_kind k)
{
	static const char *const r[][4] = {
		[TRES_CPU] = { "QOSGrpCpuLimit", "QOSMaxCpuPerJobLimit", "QOSMaxCpuPerUserLimit",
			       "QOSMaxCpuPerNode" },
		[TRES_MEM] = { "QOSGrpMemLimit", "QOSMaxMemoryPerJob", "QOSMaxMemoryPerUser",
			       "QOSMaxMemoryPerNode" },
		[TRES_NODE] = { "QOSGrpNodeLimit", "QOSMaxNodePerJobLimit",
				"QOSMaxNodePerUserLimit", NULL },
		[TRES_BILLING] = { "QOSGrpBilling", "QOSMaxBillingPerJob",
				   "QOSMaxBillingPerUser", "QOSMaxBillingPerNode" },
	};
	static const char *const gres[4] = { "QOSGrpGRES", "QOSMaxGRESPerJob",
					     "QOSMaxGRESPerUser", "QOSMaxGRESPerNode" };
	static const char *const unk[4] = { "QOSGrpUnknown", "QOSMaxUnknownPerJob",
					    "QOSMaxUnknownPerUser", "QOSMaxUnknownPerNode" };

	if (i < sizeof(r) / sizeof(r[0]) && r[i][k])
		return r[i][k];
	if (i < t->n && !strncmp(t->name[i], "gres/", 5))
		return gres[k];
	return unk[k];
}

const char *qos_sched_blocker(struct ctld *c, const struct job *j, const uint64_t *v)
{
	const struct tres_table *tt = &c->fs->tree->tres;
	const Sky__JobRecord *r = j->rec;
	const struct qos_user *u;
	struct qos *q = qos_of_job(c, r);
	bool per_user;

	if (!q)
		return r->desc->qos && (c->fs->enforce & CONF_ENFORCE_QOS) ? "InvalidQOS" : NULL;
	if (q->max_wall_mins != ASSOC_UNSET32 && r->time_limit_min > q->max_wall_mins)
		return "QOSMaxWallDurationPerJobLimit";
	for (size_t i = 0; i < tt->n; i++)
		if (over(q->max_tres_pj.v[i], v[i]))
			return tres_reason(tt, i, LIM_JOB);
	/* Per node: the job's TRES spread over its nodes, rounded up. */
	for (size_t i = 0; i < tt->n; i++) {
		uint64_t nodes = v[TRES_NODE] ? v[TRES_NODE] : 1;
		if (i != TRES_NODE && over(q->max_tres_pn.v[i], (v[i] + nodes - 1) / nodes))
			return tres_reason(tt, i, LIM_NODE);
	}
	/* The user's counters (a hash probe per job) only when a per-user limit is set. */
	per_user = q->max_jobs_pu != ASSOC_UNSET32;
	for (size_t i = 0; i < tt->n && !per_user; i++)
		per_user = q->max_tres_pu.v[i] != ASSOC_UNSET64;
	u = per_user ? qos_user_find(q, r->user_name ? r->user_name : "") : NULL;
	if (q->max_jobs_pu != ASSOC_UNSET32 && (u ? u->jobs : 0) >= q->max_jobs_pu)
		return "QOSMaxJobsPerUserLimit";
	for (size_t i = 0; i < tt->n && per_user; i++)
		if (over(q->max_tres_pu.v[i], (u ? u->tres[i] : 0) + v[i]))
			return tres_reason(tt, i, LIM_USER);
	if (q->grp_jobs != ASSOC_UNSET32 && q->used_jobs >= q->grp_jobs)
		return "QOSGrpJobsLimit";
	for (size_t i = 0; i < tt->n; i++)
		if (over(q->grp_tres.v[i], q->grp_used_tres[i] + v[i]))
			return tres_reason(tt, i, LIM_GRP);
	return NULL;
}

/* ---- priority and usage ---- */

uint32_t qos_job_priority(const struct ctld *c, const Sky__JobRecord *r)
{
	const struct qos *q = qos_of_job(c, r);

	return q ? q->priority : 0;
}

uint32_t qos_ctld_max_priority(const struct ctld *c)
{
	return c->fs ? qos_max_priority(c->fs->qos) : 0;
}

double qos_job_usage_factor(const struct ctld *c, const Sky__JobRecord *r)
{
	const struct qos *q = qos_of_job(c, r);

	return q ? q->usage_factor : 1.0;
}
