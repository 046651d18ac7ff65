/* sched_fifo.c: see sched_fifo.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/event.h>

#include "cloud_info.h"
#include "ctld.h"
#include "fs_ctld.h"
#include "gres_alloc.h"
#include "hostlist.h"
#include "job_array.h"
#include "job_depend.h"
#include "job_features.h"
#include "job_control.h"
#include "job_launch.h"
#include "job_mail.h"
#include "log.h"
#include "power_save.h"
#include "sched_backfill.h"
#include "sched_fifo.h"
#include "sched_preempt.h"
#include "xalloc.h"

/* What one job asks of each node it gets. */
struct job_need {
	uint32_t nodes;
	uint32_t max_nodes;        /* -N min-max: as many as are free, up to this */
	uint32_t cpus;             /* per node */
	uint64_t mem_mb;           /* per node */
	bool whole_mem;            /* --mem=0 */
	bool exclusive;
	const char *constraint;    /* -C, borrowed from the record */
	char **req, **exc;         /* -w / -x host names, owned */
	size_t n_req, n_exc;
	struct ctld *c;            /* for GRES and power saving; borrowed */
	const struct job *job;     /* borrowed */
	const struct sched_filter *filter; /* backfill's, or NULL; borrowed */
};

/* Jobs ahead of the one being looked at whose record is fetched early. */
#define PREFETCH_AHEAD 8

/* Default gap between two passes; Slurm's knob of the same name, in usec. */
#define SCHED_MIN_INTERVAL_US 20000

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void sched_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ctld *c = arg;

	(void)fd;
	(void)what;
	c->sched_pending = false;
	c->sched_last_us = mono_us();
	sched_run(c);
}

/* SchedulerParameters=...,sched_min_interval=USEC,... */
static int64_t min_interval(const struct sky_conf *conf)
{
	const char *p = conf->sched_params ? strstr(conf->sched_params, "sched_min_interval=") : NULL;
	char *end;
	long long v;

	if (!p)
		return SCHED_MIN_INTERVAL_US;
	v = strtoll(p + strlen("sched_min_interval="), &end, 10);
	if (end == p + strlen("sched_min_interval=") || v < 0 || (*end && *end != ',')) {
		log_error("SchedulerParameters: invalid sched_min_interval, using %d usec",
			  SCHED_MIN_INTERVAL_US);
		return SCHED_MIN_INTERVAL_US;
	}
	return v;
}

int sched_init(struct ctld *c)
{
	struct sky_errbuf eb;

	c->sched_min_interval_us = min_interval(c->conf);
	sky_err_clear(&eb);
	if (sched_preempt_check(c->conf, &eb)) {
		log_error("%s", sky_err_msg(&eb));
		return SKY_E_CONFIG;
	}
	if (sched_bf_init(c))
		return SKY_E_CONFIG;
	c->ev_sched = event_new(c->base, -1, 0, sched_cb, c);
	return c->ev_sched ? 0 : SKY_E_NOMEM;
}

void sched_fini(struct ctld *c)
{
	if (c->ev_sched)
		event_free(c->ev_sched);
	c->ev_sched = NULL;
	sched_bf_fini(c);
}

/*
 * A pass costs time in the number of pending jobs, and a burst of sbatch
 * calls would otherwise pay it once per submission, inside the reply path.
 * So passes are coalesced: at most one per sched_min_interval, and never
 * sooner than 1 ms, which lets the replies that asked for it go out first.
 */
void sched_request(struct ctld *c)
{
	int64_t wait;
	struct timeval tv;

	if (c->sched_pending || !c->ev_sched)
		return;
	c->sched_pending = true;
	wait = c->sched_last_us + c->sched_min_interval_us - mono_us();
	if (wait < 1000)
		wait = 1000;
	tv.tv_sec = (time_t)(wait / 1000000);
	tv.tv_usec = (suseconds_t)(wait % 1000000);
	event_add(c->ev_sched, &tv);
}

/*
 * The sort keys copied out of the records, with the job's partition: read
 * in table order (close to memory order), so the sort and the pass that
 * follows do not each chase every record in priority (random) order.
 */
struct order_key {
	uint32_t priority, job_id;
	uint64_t submit_time;
	struct job *j;
	struct partition *p;
};

/* x goes before y: priority desc, submit time, job id (ids are unique: a total order). */
static inline bool order_before(const struct order_key *x, const struct order_key *y)
{
	if (x->priority != y->priority)
		return x->priority > y->priority;
	if (x->submit_time != y->submit_time)
		return x->submit_time < y->submit_time;
	return x->job_id < y->job_id;
}

/*
 * Merge sort of v[0..n) using tmp (room for n). qsort() with a comparator
 * called through a pointer was most of the sort at 100k jobs; the order is
 * total, so any correct sort gives the same queue.
 */
static void key_sort(struct order_key *v, struct order_key *tmp, size_t n)
{
	size_t h = n / 2, i = 0, j = h, k = 0;

	if (n <= 16) {
		for (size_t a = 1; a < n; a++) {
			struct order_key x = v[a];
			size_t b = a;
			for (; b > 0 && order_before(&x, &v[b - 1]); b--)
				v[b] = v[b - 1];
			v[b] = x;
		}
		return;
	}
	key_sort(v, tmp, h);
	key_sort(v + h, tmp, n - h);
	if (!order_before(&v[h], &v[h - 1]))
		return;     /* already in order */
	while (i < h && j < n)
		tmp[k++] = order_before(&v[j], &v[i]) ? v[j++] : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	/* What is left of the second half is in place already. */
	memcpy(v, tmp, k * sizeof(*v));
}

/* Order queue (and fill parts, each job's partition or NULL, in the same order). */
static void sort_queue(struct ctld *c, struct job **queue, struct partition **parts, size_t n)
{
	struct order_key *k;

	if (fs_sched_order(c, queue, n)) {
		for (size_t i = 0; i < n; i++)
			parts[i] = part_find(&c->parts, queue[i]->rec->partition);
		sched_preempt_order(c, queue, parts, n);
		return;
	}
	k = xmalloc((2 * n + 1) * sizeof(*k));     /* the keys, then the sort's room */
	for (size_t i = 0; i < n; i++) {
		const Sky__JobRecord *r = queue[i]->rec;
		k[i] = (struct order_key){ r->priority, r->job_id, r->submit_time, queue[i],
					   part_find(&c->parts, r->partition) };
	}
	key_sort(k, k + n, n);
	for (size_t i = 0; i < n; i++) {
		queue[i] = k[i].j;
		parts[i] = k[i].p;
	}
	free(k);
	sched_preempt_order(c, queue, parts, n);
}

static void free_names(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void need_fini(struct job_need *nd)
{
	free_names(nd->req, nd->n_req);
	free_names(nd->exc, nd->n_exc);
}

static void need_of(const struct job *j, const struct partition *p, struct job_need *nd)
{
	const Sky__JobRecord *r = j->rec;
	const Sky__JobDesc *d = r->desc;
	struct sky_errbuf eb;

	memset(nd, 0, sizeof(*nd));
	nd->nodes = r->num_nodes ? r->num_nodes : 1;
	nd->max_nodes = d->max_nodes > nd->nodes ? d->max_nodes : nd->nodes;
	nd->cpus = r->cpus_per_node ? r->cpus_per_node : 1;
	nd->mem_mb = r->mem_per_node_mb;
	nd->whole_mem = d->has_mem_set && d->mem_set && !d->mem_per_node_mb && !d->mem_per_cpu_mb;
	nd->exclusive = (d->has_exclusive && d->exclusive) || p->exclusive;
	nd->constraint = d->constraint;
	/* Validated at submission; a failure here only drops the constraint. */
	sky_err_clear(&eb);
	if (d->req_nodes && *d->req_nodes)
		hostlist_expand(d->req_nodes, &nd->req, &nd->n_req, &eb);
	if (d->exc_nodes && *d->exc_nodes)
		hostlist_expand(d->exc_nodes, &nd->exc, &nd->n_exc, &eb);
}

/* Whether node n can take the job now; fills what the job would hold there. */
static bool node_fits(const struct node *n, const struct job_need *nd, struct job_alloc *a)
{
	if (node_name_in(nd->exc, nd->n_exc, n->name) ||
	    !power_node_schedulable(nd->c, (struct node *)n, nd->job, nd->nodes))
		return false;
	if (!features_match(nd->constraint, n->features))
		return false;
	if (nd->exclusive && n->n_jobs)
		return false;
	if (node_free_cpus(n) < nd->cpus)
		return false;
	if (nd->whole_mem && n->alloc_mem_mb)
		return false;
	if (!nd->whole_mem && nd->mem_mb && n->real_memory_mb && node_free_mem(n) < nd->mem_mb)
		return false;
	a->node = (struct node *)n;
	a->cpus = nd->exclusive ? node_cpus(n) : nd->cpus;
	a->mem_mb = nd->whole_mem ? n->real_memory_mb : nd->mem_mb;
	/* The filter is cheap, the GRES inventory is not: filter first. */
	if (nd->filter && !nd->filter->ok(nd->filter->arg, n, a->cpus, a->mem_mb))
		return false;
	return gres_alloc_fits(nd->c, n, nd->job);
}

/* Slurm's order (slurm.md section 5): powered up, powering up, powered
 * down; then lower Weight; then (extension) the cheaper hourly price, so
 * owned capacity (a Kubernetes slot with Price=0) goes before a priced
 * instance that is up; then config order. */
static int node_order_cmp(const void *a, const void *b)
{
	const struct node *x = *(const struct node *const *)a, *y = *(const struct node *const *)b;
	int rx = power_node_rank(x), ry = power_node_rank(y);
	uint32_t wx = x->cn ? x->cn->weight : 1, wy = y->cn ? y->cn->weight : 1;
	int64_t px, py;

	if (rx != ry)
		return rx - ry;
	if (wx != wy)
		return wx < wy ? -1 : 1;
	px = node_price(x);
	py = node_price(y);
	if (px != py)
		return px < py ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* The common case (no power saving, equal weights) needs no sort. */
static bool in_node_order(struct node **v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (node_order_cmp(&v[i - 1], &v[i]) > 0)
			return false;
	return true;
}

/*
 * p's nodes in node order, checked (and sorted if need be) once per pass
 * rather than per job: the order changes only when a start powers a node up
 * (order_changed), and weights only with the config.
 */
static struct node **node_order(const struct partition *cp)
{
	/* A memo, not a change of the partition: callers hold it const. */
	struct partition *p = (struct partition *)cp;

	if (!p->sched_order_ok) {
		FREE_NULL(p->sched_order);
		if (!in_node_order(p->nodes, p->n_nodes)) {
			p->sched_order = xcalloc(p->n_nodes + 1, sizeof(*p->sched_order));
			memcpy(p->sched_order, p->nodes, p->n_nodes * sizeof(*p->sched_order));
			qsort(p->sched_order, p->n_nodes, sizeof(*p->sched_order), node_order_cmp);
		}
		p->sched_order_ok = true;
	}
	return p->sched_order ? p->sched_order : p->nodes;
}

static void order_changed(struct ctld *c)
{
	for (size_t i = 0; i < c->parts.count; i++)
		c->parts.parts[i].sched_order_ok = false;
}

/* Pick nodes: the required ones first, then the partition's in node order. */
static size_t pick_nodes(struct ctld *c, const struct partition *p, const struct job_need *nd,
			 struct job_alloc *out)
{
	size_t got = 0, i;
	struct node **order;

	for (i = 0; i < nd->n_req; i++) {
		struct node *n = node_find(&c->nodes, nd->req[i]);
		if (!n || !part_has_node(p, n) || !node_fits(n, nd, &out[got]))
			return 0;
		got++;
	}
	order = node_order(p);
	/* Slurm gives a min-max request as many nodes as it can without delay. */
	for (i = 0; i < p->n_nodes && got < nd->max_nodes; i++) {
		/* Most nodes of a busy cluster are full: the cheapest test first
		 * (a node of known size; one of unknown size may yet be sized). */
		if (order[i]->cpus && order[i]->alloc_cpus >= order[i]->cpus)
			continue;
		if (node_name_in(nd->req, nd->n_req, order[i]->name))
			continue;
		/* Powering nodes up for a min-max request's extras would be a delay. */
		if (got >= nd->nodes && power_node_rank(order[i]) > 0)
			break;
		if (node_fits(order[i], nd, &out[got]))
			got++;
	}
	return got >= nd->nodes ? got : 0;
}

/* The nodes j would get in p now (f NULL: any): their count, 0 when it does
 * not fit; *alloc (caller frees) what it would hold there. */
static size_t pick_for(struct ctld *c, struct job *j, const struct partition *p,
		       const struct sched_filter *f, struct job_alloc **alloc)
{
	struct job_need nd;
	char **alts;
	size_t got = 0, n_alts, k;

	need_of(j, p, &nd);
	nd.c = c;
	nd.job = j;
	nd.filter = f;
	/* pick_nodes() fills at most the -w nodes and max_nodes more. */
	*alloc = xcalloc(nd.max_nodes + nd.n_req + 1, sizeof(**alloc));
	if (nd.nodes > p->n_nodes) {
		need_fini(&nd);
		return 0;
	}
	/* -C "[a|b]": every node of the job must have the same alternative. */
	alts = features_alternatives(nd.constraint, &n_alts);
	for (k = 0; !got && k < (alts ? n_alts : 1); k++) {
		if (alts)
			nd.constraint = alts[k];
		got = pick_nodes(c, p, &nd, *alloc);
	}
	features_alternatives_free(alts, n_alts);
	need_fini(&nd);
	return got;
}

bool sched_fits(struct ctld *c, struct job *j, const struct partition *p)
{
	struct job_alloc *alloc;
	size_t got = pick_for(c, j, p, NULL, &alloc);

	free(alloc);
	return got > 0;
}

bool sched_try_start(struct ctld *c, struct job *j, const struct partition *p, time_t now,
		     const struct sched_filter *f)
{
	struct job_alloc *alloc;
	size_t got = pick_for(c, j, p, f, &alloc), k;

	if (got) {
		job_start(c, j, alloc, got, now);
		gres_alloc_start(c, j);
		power_job_started(c, j, now);
		for (k = 0; k < j->n_alloc; k++)
			if (power_node_rank(j->alloc[k].node)) {
				order_changed(c);
				break;
			}
	}
	free(alloc);
	return got > 0;
}

/* The reason a pending job cannot even be considered, or NULL. */
static const char *blocker(const struct job *j, const struct partition *p, time_t now)
{
	const Sky__JobRecord *r = j->rec;

	if (!r->priority)
		return r->reason && strncmp(r->reason, "JobHeld", 7) == 0 ? r->reason : REASON_HELD_USER;
	if (r->eligible_time > (uint64_t)now)
		return REASON_BEGIN_TIME;
	if (!p)
		return REASON_PART_CONFIG;
	if (!part_runs_jobs(p))
		return strcasecmp(p->state, "INACTIVE") == 0 ? REASON_PART_INACTIVE : REASON_PART_DOWN;
	return NULL;
}

/* Commit the jobs started in this pass; undo them all if the commit fails. */
static bool commit_started(struct ctld *c, struct job **started, size_t n)
{
	struct store_txn *t = NULL;
	struct sky_errbuf eb;
	size_t i;

	sky_err_clear(&eb);
	if (store_begin(c->store, true, &t, &eb))
		goto fail;
	for (i = 0; i < n; i++)
		if (job_save(c, started[i], t, &eb)) {
			store_abort(t);
			goto fail;
		}
	if (store_commit(t, &eb))
		goto fail;
	return true;
fail:
	log_error("cannot save %zu started jobs, they stay pending: %s", n, sky_err_msg(&eb));
	for (i = 0; i < n; i++)
		job_requeue_pending(c, started[i]);
	return false;
}

static void launch_started(struct ctld *c, struct job **started, size_t n, time_t now)
{
	struct sky_errbuf eb;
	size_t i;

	for (i = 0; i < n; i++) {
		struct job *j = started[i];
		sky_err_clear(&eb);
		log_info("job %u: started on %s%s", j->rec->job_id, j->rec->node_list,
			 power_job_configuring(j) ? " (CONFIGURING: nodes powering up)" : "");
		job_mail_event(c, j, MAIL_BEGIN);
		if (power_job_configuring(j))
			continue;   /* launched by power_node_registered() */
		if (job_launch(c, j, &eb) == 0)
			continue;
		log_error("job %u: launch: %s", j->rec->job_id, sky_err_msg(&eb));
		if (eb.code != SKY_E_NOT_FOUND)
			continue;   /* the agent's next registration sorts it out */
		job_end(c, j, SKY__JOB_STATE__JOB_FAILED, now);
		job_set_reason(j, REASON_LAUNCH_FAILED);
		job_set_str(&j->rec->state_desc, "batch script missing from the state store");
		sky_err_clear(&eb);
		if (job_commit(c, j, &eb))
			log_error("job %u: %s", j->rec->job_id, sky_err_msg(&eb));
	}
}

void sched_run(struct ctld *c)
{
	struct job **queue, **started, *j;
	struct partition **parts;
	bool *blocked;
	size_t n = 0, n_started = 0, i;
	time_t now = time(NULL);

	job_depend_update(c, now);
	fs_ctld_sched_begin(c, now);
	order_changed(c);
	queue = xcalloc(c->jobs.count + 1, sizeof(*queue));
	JOB_FOREACH(&c->jobs, j) {
		if (!job_is_schedulable(j))
			continue;
		if (!j->rec->priority) {
			/* Held: cannot start, so it needs no place in the order. */
			j->rec->has_last_sched_eval = true;
			j->rec->last_sched_eval = (uint64_t)now;
			if (!job_deadline_pending(c, j, now))
				job_set_reason(j, blocker(j, NULL, now));
			continue;
		}
		queue[n++] = j;
	}
	if (!n) {
		free(queue);
		return;
	}
	parts = xcalloc(n, sizeof(*parts));
	sort_queue(c, queue, parts, n);
	started = xcalloc(n, sizeof(*started));
	blocked = xcalloc(c->parts.count + 1, sizeof(*blocked));
	for (i = 0; i < n; i++) {
		struct partition *p = parts[i];
		const char *why;
		size_t pi;

		/* The jobs are visited in priority order, all over memory: ask for
		 * the ones a few places ahead (job, then record) while this one is
		 * looked at. */
		if (i + 2 * PREFETCH_AHEAD < n)
			__builtin_prefetch(queue[i + 2 * PREFETCH_AHEAD]);
		if (i + PREFETCH_AHEAD < n)
			__builtin_prefetch(queue[i + PREFETCH_AHEAD]->rec);
		why = blocker(queue[i], p, now);

		if (!why && !(why = job_depend_blocker(queue[i])) && job_array_throttled(c, queue[i]))
			why = REASON_ARRAY_TASK_LIMIT;
		/* A job held back by its association's limits does not block its partition. */
		if (!why)
			why = fs_ctld_sched_blocker(c, queue[i]);
		queue[i]->rec->has_last_sched_eval = true;
		queue[i]->rec->last_sched_eval = (uint64_t)now;
		if (job_deadline_pending(c, queue[i], now))
			continue;
		if (why) {
			job_set_reason(queue[i], why);
			continue;
		}
		pi = (size_t)(p - c->parts.parts);
		if (blocked[pi]) {
			job_set_reason(queue[i], REASON_PRIORITY);
			continue;
		}
		if (sched_try_start(c, queue[i], p, now, NULL)) {
			started[n_started++] = queue[i];
			continue;
		}
		job_set_reason(queue[i], REASON_RESOURCES);
		blocked[pi] = true;
		sched_preempt(c, queue[i], p, now);
	}
	sched_bf_run(c, queue, n, blocked, started, &n_started, now);
	if (n_started && commit_started(c, started, n_started))
		launch_started(c, started, n_started, now);
	power_save_flush(c, now);
	free(blocked);
	free(started);
	free(parts);
	free(queue);
}
