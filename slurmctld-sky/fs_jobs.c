/*
 * fs_jobs.c: where fair share meets jobs (see fs_ctld.h): which association
 * a job charges, its TRES and billing, usage charging, the live-job
 * counters, association limits at submission and scheduling, priorities.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ctld.h"
#include "fs_ctld.h"
#include "fs_int.h"
#include "gres.h"
#include "job_defs.h"
#include "log.h"
#include "qos_ctld.h"
#include "timefmt.h"
#include "xalloc.h"

struct assoc *fs_job_assoc(const struct ctld *c, const Sky__JobRecord *r)
{
	const struct fs_ctld *f = c->fs;
	const char *acct;

	if (r->has_assoc_id && r->assoc_id)
		return assoc_find_id(f->tree, r->assoc_id);
	acct = r->desc->account && *r->desc->account ? r->desc->account :
	       fs_default_account(f, r->user_name);
	if (!acct || !r->user_name)
		return NULL;
	return assoc_find_for_job(f->tree, acct, r->user_name, r->partition);
}

static const struct fs_part_weights *part_weights(const struct fs_ctld *f, const char *part)
{
	const struct fs_part_weights *dflt = NULL;

	for (size_t i = 0; i < f->n_pw; i++) {
		if (!f->pw[i].part)
			dflt = &f->pw[i];
		else if (part && strcmp(f->pw[i].part, part) == 0)
			return &f->pw[i];
	}
	return dflt;
}

/* GRES TRES ("gres/gpu", "gres/gpu:a100") the tree tracks, from the job's request. */
static void job_gres_tres(const struct tres_table *t, const Sky__JobRecord *r, uint32_t nodes,
			  uint64_t *v)
{
	struct gres_list l = { 0 };
	struct sky_errbuf eb;
	uint32_t tasks = r->num_tasks ? r->num_tasks : 1;

	sky_err_clear(&eb);
	if (gres_job_need(r->desc, nodes, (tasks + nodes - 1) / nodes, &l, &eb))
		return;   /* validated at submission */
	for (size_t i = 0; i < l.n; i++) {
		char *name = xasprintf("gres/%s", l.v[i].name);
		char *typed = l.v[i].type ? xasprintf("%s:%s", name, l.v[i].type) : NULL;
		int k;
		if ((k = tres_table_find(t, name)) >= 0)
			v[k] += l.v[i].count * nodes;
		if (typed && (k = tres_table_find(t, typed)) >= 0)
			v[k] += l.v[i].count * nodes;
		free(name);
		free(typed);
	}
	gres_list_free(&l);
}

/*
 * slurm-sky's "cost" TRES (AccountingStorageTRES=cost): the job's hourly
 * price in cents, its run's, else its placement's; 0 while unknown (a
 * pending job before the optimizer placed it, so per-job and GrpTRES cost
 * limits act only on placed jobs). Usage is TRES x time: GrpTRESMins=cost=6000
 * is one dollar spent, and holds the account's jobs that may run on priced
 * nodes once spent (fs_time_limits.c).
 */
static uint64_t job_cost_cents(const Sky__JobRecord *r)
{
	int64_t u = r->has_run_price_u && r->run_price_u ? r->run_price_u :
		    r->has_placement_price_u ? r->placement_price_u : 0;

	return u > 0 ? (uint64_t)((u + 9999) / 10000) : 0;
}

/* The job's TRES by index (what it asks, or holds once running), billing included. */
static void job_tres(const struct fs_ctld *f, const Sky__JobRecord *r, uint64_t *v)
{
	const struct fs_part_weights *w = part_weights(f, r->partition);
	uint32_t nodes = r->num_nodes ? r->num_nodes : 1;

	memset(v, 0, ASSOC_TRES_MAX * sizeof(*v));
	v[TRES_CPU] = r->num_cpus ? r->num_cpus : 1;
	v[TRES_MEM] = r->mem_per_node_mb * nodes;
	v[TRES_NODE] = nodes;
	if (f->tree->tres.n > TRES_STATIC_CNT) {
		int k = tres_table_find(&f->tree->tres, "cost");

		job_gres_tres(&f->tree->tres, r, nodes, v);
		if (k >= 0)
			v[k] = job_cost_cents(r);
	}
	v[TRES_BILLING] = (uint64_t)(fs_billing(&f->tree->tres, w ? w->w : NULL, w && w->has, v,
						(f->pc.flags & PRIO_FLAG_MAX_TRES) != 0) + 0.5);
}

void fs_job_tres(const struct fs_ctld *f, const Sky__JobRecord *r, uint64_t *v)
{
	job_tres(f, r, v);
}

/* Charge r's usage from its last charge (or start) to until. */
static void charge(struct ctld *c, Sky__JobRecord *r, time_t until)
{
	struct fs_ctld *f = c->fs;
	struct assoc *a = fs_job_assoc(c, r);
	uint64_t v[ASSOC_TRES_MAX];
	double ts[ASSOC_TRES_MAX], secs, factor;
	time_t from = (time_t)r->start_time;

	if (r->has_fs_charged_until && (time_t)r->fs_charged_until > from)
		from = (time_t)r->fs_charged_until;
	r->has_fs_charged_until = true;
	r->fs_charged_until = (uint64_t)(until > from ? until : from);
	if (!a || until <= from || !r->start_time)
		return;
	secs = (double)(until - from);
	factor = qos_job_usage_factor(c, r);   /* the QOS's UsageFactor */
	job_tres(f, r, v);
	for (size_t i = 0; i < ASSOC_TRES_MAX; i++)
		ts[i] = (double)v[i] * secs * factor;
	assoc_charge(f->tree, a, ts, (double)v[TRES_BILLING] * secs * factor, secs);
	f->usage_changed = true;
}

static void count_job(struct fs_ctld *f, struct assoc *a, const Sky__JobRecord *r, bool running)
{
	uint64_t v[ASSOC_TRES_MAX];

	if (running)
		job_tres(f, r, v);
	for (; a; a = a->parent) {
		a->used_submit_jobs++;
		if (!running)
			continue;
		a->used_jobs++;
		for (size_t i = 0; i < ASSOC_TRES_MAX; i++)
			a->grp_used_tres[i] += v[i];
	}
}

static int zero_counts(struct assoc *a, int depth, void *arg)
{
	(void)depth;
	(void)arg;
	a->used_jobs = a->used_submit_jobs = a->accrue_cnt = 0;
	memset(a->grp_used_tres, 0, sizeof(a->grp_used_tres));
	return 0;
}

void fs_recount(struct ctld *c)
{
	struct job *j;

	assoc_foreach(c->fs->tree, zero_counts, NULL);
	JOB_FOREACH(&c->jobs, j) {
		struct assoc *a;
		bool running = job_is_running(j) || j->n_alloc;
		if (!job_is_pending(j) && !running)
			continue;
		if ((a = fs_job_assoc(c, j->rec)))
			count_job(c->fs, a, j->rec, running);
	}
	qos_recount(c);
}

void fs_resume_charges(struct ctld *c, time_t saved)
{
	struct job *j;

	JOB_FOREACH(&c->jobs, j) {
		Sky__JobRecord *r = j->rec;
		if (!job_is_running(j) || !j->n_alloc || (time_t)r->start_time >= saved)
			continue;
		if (!r->has_fs_charged_until || (time_t)r->fs_charged_until < saved) {
			r->has_fs_charged_until = true;
			r->fs_charged_until = (uint64_t)saved;
		}
	}
}

void fs_ctld_job_started(struct ctld *c, struct job *j, time_t now)
{
	struct assoc *a;
	uint64_t v[ASSOC_TRES_MAX];

	if (!c->fs)
		return;
	j->rec->has_fs_charged_until = true;
	j->rec->fs_charged_until = (uint64_t)now;
	job_tres(c->fs, j->rec, v);
	qos_job_started(c, j, v);
	if (!(a = fs_job_assoc(c, j->rec)))
		return;
	for (; a; a = a->parent) {
		a->used_jobs++;
		for (size_t i = 0; i < ASSOC_TRES_MAX; i++)
			a->grp_used_tres[i] += v[i];
	}
}

void fs_ctld_job_released(struct ctld *c, struct job *j, time_t now)
{
	const Sky__JobRecord *r = j->rec;
	time_t until = now;

	if (!c->fs || !j->n_alloc)
		return;
	if (!job_is_running(j) && r->end_time && (time_t)r->end_time < now)
		until = (time_t)r->end_time;
	charge(c, j->rec, until);
}

/* ---- priorities ---- */

static void cluster_of(const struct ctld *c, struct prio_cluster *cl)
{
	memset(cl, 0, sizeof(*cl));
	cl->node_count = (uint32_t)c->nodes.count;
	for (size_t i = 0; i < c->nodes.count; i++)
		cl->cpu_count += node_cpus(&c->nodes.nodes[i]);
	for (size_t i = 0; i < c->conf->n_parts; i++)
		if (c->conf->parts[i].priority_job_factor > cl->part_max_job_factor)
			cl->part_max_job_factor = c->conf->parts[i].priority_job_factor;
	cl->qos_max_priority = qos_ctld_max_priority(c);
}

static uint32_t job_prio(struct ctld *c, const struct prio_cluster *cl, const Sky__JobRecord *r,
			 time_t now, struct prio_factors *pf)
{
	const struct conf_partition *cp = conf_find_partition(c->conf, r->partition);
	const struct assoc *a = fs_job_assoc(c, r);
	struct prio_job pj;
	uint64_t v[ASSOC_TRES_MAX];

	job_tres(c->fs, r, v);
	memset(&pj, 0, sizeof(pj));
	pj.eligible = (time_t)r->eligible_time;
	pj.fs_factor = a ? a->fs.fs_factor : 0;
	pj.assoc_priority = a && a->lim.priority != ASSOC_UNSET32 ? a->lim.priority : 0;
	pj.min_nodes = r->num_nodes;
	pj.cpus = r->num_cpus;
	pj.time_limit_mins = r->time_limit_min == SKY_INFINITE ? 0 : r->time_limit_min;
	pj.part_job_factor = cp ? cp->priority_job_factor : 0;
	pj.qos_priority = qos_job_priority(c, r);
	pj.nice = r->desc->has_nice ? (int64_t)r->desc->nice - (int64_t)NICE_OFFSET : 0;
	pj.tres = v;
	return prio_compute(&c->fs->pc, cl, &pj, now, pf);
}

uint32_t fs_ctld_job_prio(struct ctld *c, const struct job *j, time_t now, struct prio_factors *f)
{
	struct prio_cluster cl;

	cluster_of(c, &cl);
	return job_prio(c, &cl, j->rec, now, f);
}

void fs_ctld_refresh(struct ctld *c, time_t now)
{
	struct fs_ctld *f = c->fs;
	struct prio_cluster cl;
	struct job *j;

	fs_compute(f->tree, &f->fsp);
	f->usage_changed = false;
	cluster_of(c, &cl);
	JOB_FOREACH(&c->jobs, j) {
		Sky__JobRecord *r = j->rec;
		/* Held jobs keep 0; an operator's --priority stays as given. */
		if (!job_is_pending(j) || !r->priority || (r->desc->has_priority && r->desc->priority))
			continue;
		r->priority = job_prio(c, &cl, r, now, NULL);
	}
}

void fs_cycle(struct ctld *c, time_t now)
{
	struct fs_ctld *f = c->fs;
	struct assoc_tree *t = f->tree;
	struct sky_errbuf eb;
	struct job *j;

	JOB_FOREACH(&c->jobs, j)
		if (job_is_running(j) && j->n_alloc)
			charge(c, j->rec, now);
	if (now > t->last_decay)
		fs_decay(t, (double)(now - t->last_decay), f->pc.decay_half_life_secs);
	t->last_decay = now;
	if (f->next_reset && now >= f->next_reset) {
		fs_reset_usage(t);
		t->last_reset = now;
		f->next_reset = fs_next_reset(f->pc.reset_period, now);
	}
	fs_ctld_refresh(c, now);
	f->last_cycle = now;
	sky_err_clear(&eb);
	if (fs_ctld_commit(c, &eb))
		log_error("fair share: cannot save the association usage: %s", sky_err_msg(&eb));
}

void fs_ctld_sched_begin(struct ctld *c, time_t now)
{
	if (!c->fs)
		return;
	/* The counters matter to limits only (sacctmgr delete recounts for itself). */
	if (c->fs->enforce & CONF_ENFORCE_LIMITS) {
		fs_recount(c);
		fs_time_recount(c, now);
	}
	/* New submissions get their multifactor priority before they are ordered. */
	if (c->fs->multifactor)
		fs_ctld_refresh(c, now);
}

/* ---- limits ---- */

/* Slurm's reason for a GrpTRES (grp) or MaxTRESPerJob limit on TRES i. */
static const char *tres_reason(const struct tres_table *t, size_t i, bool grp)
{
	switch (i) {
	case TRES_CPU: return grp ? "AssocGrpCpuLimit" : "AssocMaxCpuPerJobLimit";
	case TRES_MEM: return grp ? "AssocGrpMemLimit" : "AssocMaxMemPerJob";
	case TRES_NODE: return grp ? "AssocGrpNodeLimit" : "AssocMaxNodePerJobLimit";
	case TRES_BILLING: return grp ? "AssocGrpBilling" : "AssocMaxBillingPerJob";
	default: break;
	}
	if (i < t->n && strncmp(t->name[i], "gres/", 5) == 0)
		return grp ? "AssocGrpGRES" : "AssocMaxGRESPerJob";
	/* Slurm has no cost TRES: its reasons' pattern, our names. */
	if (i < t->n && strcmp(t->name[i], "cost") == 0)
		return grp ? "AssocGrpCost" : "AssocMaxCostPerJob";
	return grp ? "AssocGrpUnknown" : "AssocMaxUnknownPerJob";
}

/* Slurm's reason for a MaxTRESPerNode limit on TRES i. */
static const char *tres_node_reason(const struct tres_table *t, size_t i)
{
	switch (i) {
	case TRES_CPU: return "AssocMaxCpuPerNode";
	case TRES_MEM: return "AssocMaxMemPerNode";
	case TRES_BILLING: return "AssocMaxBillingPerNode";
	default: break;
	}
	if (i < t->n && strncmp(t->name[i], "gres/", 5) == 0)
		return "AssocMaxGRESPerNode";
	return "AssocMaxUnknownPerNode";
}

/*
 * MaxTRESPerNode, nearest level first: the job's TRES spread evenly over its
 * nodes (rounded up), as its per-node request is. The node count itself has
 * no per-node meaning.
 */
static const char *per_node_blocker(const struct fs_ctld *f, const struct assoc *a0,
				    const uint64_t *v)
{
	uint64_t nodes = v[TRES_NODE] ? v[TRES_NODE] : 1;

	for (size_t i = 0; i < f->tree->tres.n; i++) {
		if (i == TRES_NODE)
			continue;
		for (const struct assoc *a = a0; a; a = a->parent)
			if (a->lim.max_tres_per_node.v[i] != ASSOC_UNSET64) {
				if ((v[i] + nodes - 1) / nodes > a->lim.max_tres_per_node.v[i])
					return tres_node_reason(&f->tree->tres, i);
				break;
			}
	}
	return NULL;
}

/* The nearest value of a Max* limit along the path (the first level that sets it). */
static uint32_t max32(const struct assoc *a, size_t off)
{
	for (; a; a = a->parent) {
		uint32_t v = *(const uint32_t *)(const void *)((const char *)&a->lim + off);
		if (v != ASSOC_UNSET32)
			return v;
	}
	return ASSOC_UNSET32;
}

const char *fs_ctld_sched_blocker(struct ctld *c, const struct job *j)
{
	struct fs_ctld *f = c->fs;
	const struct assoc *a0, *a;
	uint64_t v[ASSOC_TRES_MAX];
	const char *why;
	uint32_t lim;

	if (!f || !(f->enforce & CONF_ENFORCE_LIMITS))
		return NULL;
	job_tres(f, j->rec, v);
	/* The job's QOS limits come before its association's (slurm.md section 7). */
	if ((why = qos_sched_blocker(c, j, v)) || !(a0 = fs_job_assoc(c, j->rec)))
		return why;
	lim = max32(a0, offsetof(struct assoc_limits, max_jobs));
	if (lim != ASSOC_UNSET32 && a0->used_jobs >= lim)
		return "AssocMaxJobsLimit";
	lim = max32(a0, offsetof(struct assoc_limits, max_wall_mins));
	if (lim != ASSOC_UNSET32 && j->rec->time_limit_min > lim)
		return "AssocMaxWallDurationPerJobLimit";
	for (size_t i = 0; i < f->tree->tres.n; i++)
		for (a = a0; a; a = a->parent)
			if (a->lim.max_tres_per_job.v[i] != ASSOC_UNSET64) {
				if (v[i] > a->lim.max_tres_per_job.v[i])
					return tres_reason(&f->tree->tres, i, false);
				break;
			}
	if ((why = per_node_blocker(f, a0, v)))
		return why;
	for (a = a0; a; a = a->parent) {
		if (a->lim.grp_jobs != ASSOC_UNSET32 && a->used_jobs >= a->lim.grp_jobs)
			return "AssocGrpJobsLimit";
		for (size_t i = 0; i < f->tree->tres.n; i++)
			if (a->lim.grp_tres.v[i] != ASSOC_UNSET64 &&
			    a->grp_used_tres[i] + v[i] > a->lim.grp_tres.v[i])
				return tres_reason(&f->tree->tres, i, true);
	}
	return fs_time_blocker(c, a0, j->rec, v);
}

/* ---- submission ---- */

#define INVALID_ACCOUNT "Invalid account or account/partition combination specified"
#define SUBMIT_LIMIT "Job violates accounting/QOS policy (job submit limit, user's size " \
	"and/or time limits)"

int fs_ctld_submit_check(struct ctld *c, Sky__JobDesc *d, const char *user, const char *part,
			 uint32_t tasks, uint32_t *assoc_id, struct sky_errbuf *eb)
{
	struct fs_ctld *f = c->fs;
	const char *acct;
	struct assoc *a0, *a;
	uint32_t lim;
	int rc;

	*assoc_id = 0;
	if (!f)
		return 0;
	acct = d->account && *d->account ? d->account : fs_default_account(f, user);
	a0 = acct ? assoc_find_for_job(f->tree, acct, user, part) : NULL;
	if (!a0) {
		if (f->enforce & CONF_ENFORCE_ASSOCS)
			return sky_err_set(eb, SKY_E_INVAL, INVALID_ACCOUNT);
		return 0;
	}
	/* Without enforcement or multifactor a job's account stays as given (today's behaviour,
	 * and Slurm's without a database). */
	if ((!d->account || !*d->account) && ((f->enforce & CONF_ENFORCE_ASSOCS) || f->multifactor)) {
		free(d->account);
		d->account = xstrdup(acct);
	}
	*assoc_id = a0->id;
	if ((rc = qos_submit_resolve(c, d, a0, eb)))
		return rc;
	if (!(f->enforce & CONF_ENFORCE_LIMITS))
		goto count;
	lim = max32(a0, offsetof(struct assoc_limits, max_submit_jobs));
	if (lim != ASSOC_UNSET32 && a0->used_submit_jobs + tasks > lim)
		return sky_err_set(eb, SKY_E_INVAL, SUBMIT_LIMIT);
	for (a = a0; a; a = a->parent)
		if (a->lim.grp_submit_jobs != ASSOC_UNSET32 &&
		    a->used_submit_jobs + tasks > a->lim.grp_submit_jobs)
			return sky_err_set(eb, SKY_E_INVAL, SUBMIT_LIMIT);
count:
	if ((rc = qos_submit_limits(c, d, user, d->has_time_limit_min ? d->time_limit_min : 0,
				    tasks, eb)))
		return rc;
	/* Counted now so a burst between two passes sees itself; a pass recounts. */
	for (a = a0; a; a = a->parent)
		a->used_submit_jobs += tasks;
	return 0;
}

/* ---- scheduling order ---- */

struct order_key {
	struct prio_sort_key key;   /* first: prio_sort_cmp reads it through the pointer */
	struct job *j;
};

static int order_key_cmp(const void *a, const void *b)
{
	return prio_sort_cmp(&((const struct order_key *)a)->key,
			     &((const struct order_key *)b)->key);
}

bool fs_sched_order(struct ctld *c, struct job **queue, size_t n)
{
	struct order_key *k;
	bool tiers = false;

	for (size_t i = 1; i < c->conf->n_parts; i++)
		tiers |= c->conf->parts[i].priority_tier != c->conf->parts[0].priority_tier;
	if (!tiers)
		return false;
	k = xcalloc(n + 1, sizeof(*k));
	for (size_t i = 0; i < n; i++) {
		const Sky__JobRecord *r = queue[i]->rec;
		const struct conf_partition *cp = conf_find_partition(c->conf, r->partition);
		k[i].key.part_tier = cp ? (uint16_t)cp->priority_tier : 0;
		k[i].key.priority = r->priority;
		k[i].key.submit = (time_t)r->submit_time;
		k[i].key.job_id = r->job_id;
		k[i].j = queue[i];
	}
	qsort(k, n, sizeof(*k), order_key_cmp);
	for (size_t i = 0; i < n; i++)
		queue[i] = k[i].j;
	free(k);
	return true;
}

