/* sched_backfill.c: see sched_backfill.h. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctld.h"
#include "fs_ctld.h"
#include "hostlist.h"
#include "job_features.h"
#include "log.h"
#include "power_save.h"
#include "sched_backfill.h"
#include "sched_fifo.h"
#include "sched_profile.h"
#include "timefmt.h"
#include "xalloc.h"

struct sched_bf {
	struct sched_bf_conf conf;
	time_t last_run;            /* 0: never ran */
	uint32_t *marked;           /* owned: jobs given an expected start by the last run */
	size_t n_marked, cap_marked;
};

/* The shape of one job's reservation: which nodes could hold it, and what on each. */
struct bf_shape {
	size_t *cand;               /* borrowed buffer (a node count long): node indexes */
	size_t n_cand;
	size_t k;                   /* nodes it needs */
	struct prof_need nd;
};

/* One key=N of SchedulerParameters into *v (kept when absent or invalid). */
static void param_u32(const char *params, const char *key, uint32_t min, uint32_t *v)
{
	size_t kl = strlen(key);
	const char *p = params;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > kl && strncasecmp(p, key, kl) == 0 && p[kl] == '=') {
			char *e;
			unsigned long long x = strtoull(p + kl + 1, &e, 10);

			if (!isdigit((unsigned char)p[kl + 1]) || e != p + len || x < min ||
			    x > UINT32_MAX)
				log_error("SchedulerParameters: invalid %.*s, using %u", (int)len, p,
					  *v);
			else
				*v = (uint32_t)x;
		}
		p = end ? end + 1 : NULL;
	}
}

int sched_bf_parse(const char *type, const char *params, struct sched_bf_conf *out,
		   struct sky_errbuf *eb)
{
	*out = (struct sched_bf_conf){ .enabled = true, .interval_s = 30, .window_min = 1440,
				       .resolution_s = 60, .max_job_test = 500 };
	if (type && strcasecmp(type, "sched/builtin") == 0) {
		out->enabled = false;
	} else if (type && strcasecmp(type, "sched/backfill") != 0) {
		return sky_err_set(eb, SKY_E_CONFIG,
				   "SchedulerType=%s: unknown scheduler (sched/backfill or sched/builtin)",
				   type);
	}
	param_u32(params, "bf_interval", 1, &out->interval_s);
	param_u32(params, "bf_window", 1, &out->window_min);
	param_u32(params, "bf_resolution", 1, &out->resolution_s);
	param_u32(params, "bf_max_job_test", 1, &out->max_job_test);
	return 0;
}

int sched_bf_init(struct ctld *c)
{
	struct sched_bf *bf = xcalloc(1, sizeof(*bf));
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	if (sched_bf_parse(c->conf->sched_type, c->conf->sched_params, &bf->conf, &eb)) {
		log_error("%s", sky_err_msg(&eb));
		free(bf);
		return SKY_E_CONFIG;
	}
	c->bf = bf;
	return 0;
}

void sched_bf_fini(struct ctld *c)
{
	if (c->bf)
		free(c->bf->marked);
	FREE_NULL(c->bf);
}

/* Seconds a job may run: its limit, else its partition's DefaultTime/MaxTime. */
static time_t limit_secs(const struct ctld *c, const Sky__JobRecord *r)
{
	uint32_t m = r->time_limit_min;

	if (!m || m >= SKY_NO_VAL) {
		const struct partition *p = part_find(&c->parts, r->partition);
		m = !p ? SKY_INFINITE :
		    p->default_time_min < SKY_NO_VAL ? p->default_time_min : p->max_time_min;
	}
	return m >= SKY_NO_VAL ? PROF_NEVER : (time_t)m * 60;
}

static time_t add_secs(time_t t, time_t d)
{
	return d == PROF_NEVER || t > PROF_NEVER - d ? PROF_NEVER : t + d;
}

static size_t node_index(const struct ctld *c, const struct node *n)
{
	return (size_t)(n - c->nodes.nodes);
}

/* Every node as it is now, and when the running jobs give their shares back. */
static void build_profile(struct ctld *c, struct sched_profile *prof, time_t now)
{
	struct job *j;

	prof_init(prof, c->nodes.count, now);
	for (size_t i = 0; i < c->nodes.count; i++) {
		const struct node *n = &c->nodes.nodes[i];
		prof_node_set(prof, i, node_cpus(n), (int64_t)n->real_memory_mb,
			      node_free_cpus(n), (int64_t)node_free_mem(n));
	}
	JOB_FOREACH(&c->jobs, j) {
		time_t end = now;

		if (!j->n_alloc)
			continue;
		/* A job past its end (being killed, completing) is about to free its nodes. */
		if (job_is_running(j) && j->rec->start_time)
			end = add_secs((time_t)j->rec->start_time, limit_secs(c, j->rec));
		if (end < now)
			end = now;
		for (size_t a = 0; a < j->n_alloc; a++)
			prof_release(prof, node_index(c, j->alloc[a].node), end,
				     (int64_t)j->alloc[a].cpus, (int64_t)j->alloc[a].mem_mb);
	}
}

static bool wants_gres(const Sky__JobDesc *d)
{
	return (d->gres && *d->gres) || (d->gpus && *d->gpus) ||
	       (d->gpus_per_node && *d->gpus_per_node) || (d->gpus_per_task && *d->gpus_per_task);
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/*
 * What one node's share of j is, and (into buf, a node count long, unless
 * NULL) the nodes of p that could hold it once free, in partition order. A job that takes whole nodes (exclusive, --mem=0) or
 * GRES reserves whole nodes: devices are not in the profile, so a whole
 * node is what keeps them for it.
 */
static void shape_of(struct ctld *c, struct job *j, const struct partition *p, size_t *buf,
		     struct bf_shape *s)
{
	const Sky__JobRecord *r = j->rec;
	const Sky__JobDesc *d = r->desc;
	char **req = NULL, **exc = NULL;
	size_t n_req = 0, n_exc = 0, n_use;
	struct sky_errbuf eb;
	bool gres = wants_gres(d), feat = d->constraint && *d->constraint;

	memset(s, 0, sizeof(*s));
	s->k = r->num_nodes ? r->num_nodes : 1;
	s->nd.cpus = r->cpus_per_node ? r->cpus_per_node : 1;
	s->nd.mem_mb = r->mem_per_node_mb;
	s->nd.whole = (d->has_exclusive && d->exclusive) || p->exclusive || gres ||
		      (d->has_mem_set && d->mem_set && !d->mem_per_node_mb && !d->mem_per_cpu_mb);
	s->nd.dur = limit_secs(c, r);
	if (!buf)
		return;
	sky_err_clear(&eb);
	if (d->req_nodes && *d->req_nodes)
		hostlist_expand(d->req_nodes, &req, &n_req, &eb);
	if (d->exc_nodes && *d->exc_nodes)
		hostlist_expand(d->exc_nodes, &exc, &n_exc, &eb);
	/* -w with fewer nodes than -N: the extras could be anywhere; reserve without -w. */
	n_use = n_req >= s->k ? n_req : 0;
	s->cand = buf;
	for (size_t i = 0; i < p->n_nodes; i++) {
		struct node *n = p->nodes[i];

		/* Every tested job walks the partition: the cheap test first (a node
		 * of unknown size may still be sized for the job below). */
		if (n->cpus && !s->nd.whole && n->cpus < s->nd.cpus)
			continue;
		if (node_name_in(exc, n_exc, n->name) || (n_use && !node_name_in(req, n_use, n->name)))
			continue;
		if (!power_node_schedulable(c, n, j, (uint32_t)s->k) ||
		    (feat && !features_match(d->constraint, n->features)))
			continue;
		if (gres && !(n->gres && *n->gres))
			continue;
		if (!s->nd.whole && (node_cpus(n) < s->nd.cpus ||
				     (s->nd.mem_mb && n->real_memory_mb &&
				      n->real_memory_mb < s->nd.mem_mb)))
			continue;
		s->cand[s->n_cand++] = node_index(c, n);
	}
	if (n_use)
		s->k = n_use;
	free_names(req, n_req);
	free_names(exc, n_exc);
}

/* The job's expected start and nodes, for squeue --start and scontrol. */
static void set_expected(struct ctld *c, struct job *j, time_t t, const size_t *picked, size_t k)
{
	struct sched_bf *bf = c->bf;
	struct hostlist *hl = hostlist_new();

	if (bf->n_marked == bf->cap_marked) {
		bf->cap_marked = bf->cap_marked ? 2 * bf->cap_marked : 64;
		bf->marked = xrealloc(bf->marked, bf->cap_marked * sizeof(*bf->marked));
	}
	bf->marked[bf->n_marked++] = j->rec->job_id;

	for (size_t i = 0; i < k; i++)
		hostlist_push_host(hl, c->nodes.nodes[picked[i]].name);
	j->rec->has_sched_start_time = true;
	j->rec->sched_start_time = (uint64_t)t;
	free(j->rec->sched_nodes);
	j->rec->sched_nodes = hostlist_ranged_string(hl);
	hostlist_destroy(hl);
}

/* The last run's estimates are stale: forget them (the jobs may have gone or started). */
static void clear_expected(struct ctld *c)
{
	struct sched_bf *bf = c->bf;

	for (size_t i = 0; i < bf->n_marked; i++) {
		struct job *j = job_find(&c->jobs, bf->marked[i]);
		if (!j)
			continue;
		j->rec->has_sched_start_time = false;
		j->rec->sched_start_time = 0;
		FREE_NULL(j->rec->sched_nodes);
	}
	bf->n_marked = 0;
}

/*
 * Candidate lists of plain jobs (no -C, -w, -x, GRES), which depend only
 * on the partition and the size of one node's share: the tested jobs of a
 * pass mostly share a few, and each list is a walk over the partition.
 */
#define BF_CAND_CACHE 16

struct bf_cand {
	const struct partition *p;
	uint32_t cpus;
	uint64_t mem_mb;
	bool whole;
	size_t *v;                  /* owned */
	size_t n;
};

struct bf_cands {
	struct bf_cand c[BF_CAND_CACHE];
	size_t n;
};

static bool plain(const Sky__JobDesc *d)
{
	return !wants_gres(d) && !(d->constraint && *d->constraint) &&
	       !(d->req_nodes && *d->req_nodes) && !(d->exc_nodes && *d->exc_nodes);
}

/* s's candidates from the cache, or computed by shape_of() and remembered. */
static void cached_shape(struct ctld *c, struct bf_cands *cache, struct job *j,
			 const struct partition *p, size_t *buf, struct bf_shape *s)
{
	struct bf_cand *e = NULL;

	shape_of(c, j, p, NULL, s);
	if (plain(j->rec->desc))
		for (size_t i = 0; i < cache->n && !e; i++)
			if (cache->c[i].p == p && cache->c[i].cpus == s->nd.cpus &&
			    cache->c[i].mem_mb == s->nd.mem_mb && cache->c[i].whole == s->nd.whole)
				e = &cache->c[i];
	if (e) {
		s->cand = e->v;
		s->n_cand = e->n;
		return;
	}
	shape_of(c, j, p, buf, s);
	if (!plain(j->rec->desc) || cache->n == BF_CAND_CACHE)
		return;
	e = &cache->c[cache->n++];
	*e = (struct bf_cand){ .p = p, .cpus = s->nd.cpus, .mem_mb = s->nd.mem_mb,
			       .whole = s->nd.whole, .n = s->n_cand };
	e->v = xcalloc(s->n_cand + 1, sizeof(*e->v));
	memcpy(e->v, s->cand, s->n_cand * sizeof(*e->v));
}

static void cands_free(struct bf_cands *cache)
{
	for (size_t i = 0; i < cache->n; i++)
		free(cache->c[i].v);
	cache->n = 0;
}

/* Reserve for j the earliest nodes the profile offers within the window. */
static void reserve(struct ctld *c, const struct sched_bf *bf, struct sched_profile *prof,
		    struct bf_cands *cache, struct job *j, const struct partition *p,
		    size_t *buf)
{
	struct bf_shape s;
	struct prof_window w = {
		.horizon = add_secs(prof->now, (time_t)bf->conf.window_min * 60),
		.resolution = (time_t)bf->conf.resolution_s,
	};
	size_t *picked;
	time_t t;

	cached_shape(c, cache, j, p, buf, &s);
	picked = xcalloc(s.k + 1, sizeof(*picked));
	t = prof_earliest(prof, s.cand, s.n_cand, s.k, &s.nd, &w, picked);
	if (t != PROF_NEVER) {
		time_t end = add_secs(t, s.nd.dur);
		for (size_t i = 0; i < s.k; i++) {
			const struct prof_node *pn = &prof->nodes[picked[i]];
			prof_hold(prof, picked[i], t, end, s.nd.whole ? pn->total_cpus : s.nd.cpus,
				  s.nd.whole ? pn->total_mem_mb : (int64_t)s.nd.mem_mb);
		}
		set_expected(c, j, t, picked, s.k);
	}
	free(picked);
}

/*
 * What makes two plain jobs (no -C, -w, -x, GRES) equal to backfill: the
 * profile only fills up during a pass, so once one could not start now,
 * the next one of the same shape cannot either and is not tried again.
 */
struct bf_key {
	const struct partition *p;
	uint32_t nodes, max_nodes, cpus;
	uint64_t mem_mb;
	bool whole;
	time_t dur;
};

#define BF_FAILED_MAX 256

struct bf_failed {
	struct bf_key v[BF_FAILED_MAX];
	size_t n;
};

/* j's key; false when j is not plain (its nodes depend on more than the key). */
static bool key_of(const struct ctld *c, const struct job *j, const struct partition *p,
		   struct bf_key *k)
{
	const Sky__JobRecord *r = j->rec;
	const Sky__JobDesc *d = r->desc;

	if (!plain(d))
		return false;
	memset(k, 0, sizeof(*k));
	k->p = p;
	k->nodes = r->num_nodes;
	k->max_nodes = d->max_nodes;
	k->cpus = r->cpus_per_node;
	k->mem_mb = r->mem_per_node_mb;
	k->whole = (d->has_exclusive && d->exclusive) || (d->has_mem_set && d->mem_set);
	k->dur = limit_secs(c, r);
	return true;
}

static bool failed_before(const struct bf_failed *f, const struct bf_key *k)
{
	for (size_t i = 0; i < f->n; i++)
		if (!memcmp(&f->v[i], k, sizeof(*k)))
			return true;
	return false;
}

/* node_fits()'s last word for a backfill candidate: it delays no reservation. */
struct bf_filter_arg {
	struct ctld *c;
	struct sched_profile *prof;
	time_t dur;
};

static bool filter_ok(void *arg, const struct node *n, uint32_t cpus, uint64_t mem_mb)
{
	struct bf_filter_arg *a = arg;
	struct prof_need nd = { .cpus = cpus, .mem_mb = mem_mb, .dur = a->dur };

	return prof_fits(a->prof, node_index(a->c, n), a->prof->now, &nd);
}

/* Start j now if it delays none of the reservations; its share goes into the profile. */
static bool try_backfill(struct ctld *c, struct sched_profile *prof, struct bf_failed *failed,
			 struct job *j, const struct partition *p, time_t now)
{
	struct bf_filter_arg arg = { .c = c, .prof = prof, .dur = limit_secs(c, j->rec) };
	struct sched_filter f = { .ok = filter_ok, .arg = &arg };
	time_t end = add_secs(now, arg.dur);
	struct bf_key key;
	bool plain = key_of(c, j, p, &key);

	if (plain && failed_before(failed, &key))
		return false;
	if (!sched_try_start(c, j, p, now, &f)) {
		/* memcpy, not assignment: memcmp() compares the padding too. */
		if (plain && failed->n < BF_FAILED_MAX)
			memcpy(&failed->v[failed->n++], &key, sizeof(key));
		return false;
	}
	for (size_t a = 0; a < j->n_alloc; a++)
		prof_hold(prof, node_index(c, j->alloc[a].node), now, end,
			  (int64_t)j->alloc[a].cpus, (int64_t)j->alloc[a].mem_mb);
	log_info("job %u: backfilled on %s", j->rec->job_id, j->rec->node_list);
	return true;
}

static bool due(const struct sched_bf *bf, const bool *blocked, size_t n_parts, time_t now)
{
	bool any = false;

	for (size_t i = 0; i < n_parts && !any; i++)
		any = blocked[i];
	if (!any || !bf->conf.enabled)
		return false;
	return !bf->last_run || now - bf->last_run >= (time_t)bf->conf.interval_s ||
	       now < bf->last_run;
}

void sched_bf_run(struct ctld *c, struct job **queue, size_t n, const bool *blocked,
		  struct job **started, size_t *n_started, time_t now)
{
	struct sched_bf *bf = c->bf;
	struct sched_profile prof;
	uint32_t tested = 0;
	size_t *buf;
	struct bf_failed *failed;
	struct bf_cands cache = { .n = 0 };

	if (!bf || !due(bf, blocked, c->parts.count, now))
		return;
	bf->last_run = now;
	clear_expected(c);
	build_profile(c, &prof, now);
	buf = xcalloc(c->nodes.count + 1, sizeof(*buf));
	failed = xcalloc(1, sizeof(*failed));
	for (size_t i = 0; i < n && tested < bf->conf.max_job_test; i++) {
		struct job *j = queue[i];
		const struct partition *p;
		const char *why = j->rec->reason;

		if (!job_is_schedulable(j) || !why)
			continue;
		p = part_find(&c->parts, j->rec->partition);
		if (!p || !blocked[p - c->parts.parts])
			continue;
		/* Held, dependent, limited jobs kept their reason from the main pass. */
		if (strcmp(why, REASON_PRIORITY) != 0 && strcmp(why, REASON_RESOURCES) != 0)
			continue;
		tested++;
		if (strcmp(why, REASON_PRIORITY) == 0) {
			/* Jobs started since the main pass looked may have used the limits up. */
			const char *lim = fs_ctld_sched_blocker(c, j);
			if (lim) {
				job_set_reason(j, lim);
				continue;
			}
			if (try_backfill(c, &prof, failed, j, p, now)) {
				started[(*n_started)++] = j;
				continue;
			}
		}
		reserve(c, bf, &prof, &cache, j, p, buf);
	}
	cands_free(&cache);
	free(failed);
	free(buf);
	prof_fini(&prof);
}
