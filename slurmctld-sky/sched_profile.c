/* sched_profile.c: see sched_profile.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sched_profile.h"
#include "xalloc.h"

void prof_init(struct sched_profile *p, size_t n_nodes, time_t now)
{
	p->now = now;
	p->n = n_nodes;
	p->nodes = xcalloc(n_nodes + 1, sizeof(*p->nodes));
	p->scratch = xcalloc(n_nodes + 1, sizeof(*p->scratch));
}

void prof_fini(struct sched_profile *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->nodes[i].ev);
	FREE_NULL(p->nodes);
	FREE_NULL(p->scratch);
	p->n = 0;
}

void prof_node_set(struct sched_profile *p, size_t i, int64_t total_cpus, int64_t total_mem_mb,
		   int64_t free_cpus, int64_t free_mem_mb)
{
	struct prof_node *n = &p->nodes[i];

	n->total_cpus = total_cpus;
	n->total_mem_mb = total_mem_mb;
	n->free_cpus = free_cpus;
	n->free_mem_mb = free_mem_mb;
}

/* Add a change at t: now's amounts when t is not in the future, else an event. */
static void add_ev(struct sched_profile *p, size_t i, time_t t, int64_t cpus, int64_t mem)
{
	struct prof_node *n = &p->nodes[i];
	size_t k;

	if (t <= p->now) {
		n->free_cpus += cpus;
		n->free_mem_mb += mem;
		return;
	}
	/* Few events per node (its running jobs and reservations): keep them sorted. */
	for (k = n->n_ev; k > 0 && n->ev[k - 1].t > t; k--)
		;
	if (k > 0 && n->ev[k - 1].t == t) {
		n->ev[k - 1].cpus += cpus;
		n->ev[k - 1].mem_mb += mem;
		return;
	}
	if (n->n_ev == n->cap) {
		n->cap = n->cap ? 2 * n->cap : 4;
		n->ev = xrealloc(n->ev, n->cap * sizeof(*n->ev));
	}
	memmove(&n->ev[k + 1], &n->ev[k], (n->n_ev - k) * sizeof(*n->ev));
	n->ev[k] = (struct prof_ev){ .t = t, .cpus = cpus, .mem_mb = mem };
	n->n_ev++;
}

void prof_release(struct sched_profile *p, size_t i, time_t end, int64_t cpus, int64_t mem_mb)
{
	if (end != PROF_NEVER)
		add_ev(p, i, end, cpus, mem_mb);
}

void prof_hold(struct sched_profile *p, size_t i, time_t start, time_t end, int64_t cpus,
	       int64_t mem_mb)
{
	add_ev(p, i, start, -cpus, -mem_mb);
	prof_release(p, i, end, cpus, mem_mb);
}

static time_t end_of(time_t start, time_t dur)
{
	if (dur == PROF_NEVER || start > PROF_NEVER - dur)
		return PROF_NEVER;
	return start + dur;
}

static bool enough(const struct prof_node *n, int64_t cpus, int64_t mem, const struct prof_need *nd)
{
	if (nd->whole)
		return cpus >= n->total_cpus && (!n->total_mem_mb || mem >= n->total_mem_mb);
	if (cpus < (int64_t)nd->cpus)
		return false;
	return !nd->mem_mb || !n->total_mem_mb || mem >= (int64_t)nd->mem_mb;
}

bool prof_fits(const struct sched_profile *p, size_t i, time_t start, const struct prof_need *nd)
{
	const struct prof_node *n = &p->nodes[i];
	time_t end = end_of(start, nd->dur);
	int64_t cpus = n->free_cpus, mem = n->free_mem_mb;
	size_t k = 0;

	for (; k < n->n_ev && n->ev[k].t <= start; k++) {
		cpus += n->ev[k].cpus;
		mem += n->ev[k].mem_mb;
	}
	if (!enough(n, cpus, mem, nd))
		return false;
	/* Only decreases can break it, and only those before the job ends. */
	for (; k < n->n_ev && n->ev[k].t < end; k++) {
		cpus += n->ev[k].cpus;
		mem += n->ev[k].mem_mb;
		if (!enough(n, cpus, mem, nd))
			return false;
	}
	return true;
}

/* t moved up to the next candidate start: now + a multiple of the resolution. */
static time_t round_up(time_t t, time_t now, time_t res)
{
	time_t d;

	if (t <= now)
		return now;
	if (res <= 1)
		return t;
	d = t - now;
	return now + ((d + res - 1) / res) * res;
}

/* Node i's first start (a candidate time up to bound) that fits, or PROF_NEVER. */
static time_t first_fit(const struct sched_profile *p, size_t i, const struct prof_need *nd,
			const struct prof_window *w, time_t bound)
{
	const struct prof_node *n = &p->nodes[i];

	if (prof_fits(p, i, p->now, nd))
		return p->now;
	for (size_t k = 0; k < n->n_ev && n->ev[k].t <= bound; k++) {
		time_t t = round_up(n->ev[k].t, p->now, w->resolution);
		if (t <= bound && prof_fits(p, i, t, nd))
			return t;
	}
	return PROF_NEVER;
}

static int cmp_time(const void *a, const void *b)
{
	time_t x = *(const time_t *)a, y = *(const time_t *)b;

	return x < y ? -1 : x > y;
}

/* Every candidate start of the nodes: now and their events' rounded times, sorted, unique. */
static size_t candidate_times(const struct sched_profile *p, const size_t *cand, size_t n_cand,
			      const struct prof_window *w, time_t **out)
{
	size_t n = 1, cap = 1, i, k, u;
	time_t *v;

	for (i = 0; i < n_cand; i++)
		cap += p->nodes[cand[i]].n_ev;
	v = xcalloc(cap, sizeof(*v));
	v[0] = p->now;
	for (i = 0; i < n_cand; i++) {
		const struct prof_node *nd = &p->nodes[cand[i]];
		for (k = 0; k < nd->n_ev; k++) {
			time_t t = round_up(nd->ev[k].t, p->now, w->resolution);
			if (t <= w->horizon)
				v[n++] = t;
		}
	}
	qsort(v, n, sizeof(*v), cmp_time);
	for (u = 1, i = 1; i < n; i++)
		if (v[i] != v[u - 1])
			v[u++] = v[i];
	*out = v;
	return u;
}

/* Pick k nodes of cand that fit at t (only those whose first fit is not later). */
static bool pick_at(const struct sched_profile *p, const size_t *cand, const time_t *first,
		    size_t n_cand, size_t k, const struct prof_need *nd, time_t t, size_t *picked)
{
	size_t got = 0;

	for (size_t i = 0; i < n_cand && got < k; i++)
		if (first[i] <= t && (first[i] == t || prof_fits(p, cand[i], t, nd)))
			picked[got++] = cand[i];
	return got == k;
}

/* The k-th smallest (1-based) of v[0..n) by sorting a copy. */
static time_t kth_smallest(const time_t *v, size_t n, size_t k)
{
	time_t *c = xcalloc(n, sizeof(*c)), r;

	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_time);
	r = c[k - 1];
	free(c);
	return r;
}

#define PROF_BEST_MAX 64

/*
 * Every candidate's first fit into p->scratch; returns the k-th smallest.
 * With bounded (and k small), a node is only searched up to the k-th
 * smallest found so far and gets PROF_NEVER beyond it: the answer is the
 * same, most nodes cost one look, but the array is then exact only up to
 * the answer.
 */
static time_t fill_first(const struct sched_profile *p, const size_t *cand, size_t n_cand,
			 size_t k, const struct prof_need *nd, const struct prof_window *w,
			 bool bounded)
{
	time_t best[PROF_BEST_MAX];
	size_t got = 0;
	bool track = bounded && k <= PROF_BEST_MAX;

	for (size_t i = 0; i < n_cand; i++) {
		time_t f = first_fit(p, cand[i], nd, w,
				     track && got == k ? best[k - 1] : w->horizon);
		size_t j;

		p->scratch[i] = f;
		if (!track || f == PROF_NEVER || (got == k && f >= best[k - 1]))
			continue;
		j = got < k ? got++ : k - 1;
		for (; j > 0 && best[j - 1] > f; j--)
			best[j] = best[j - 1];
		best[j] = f;
	}
	if (!track)
		return kth_smallest(p->scratch, n_cand, k);
	return got == k ? best[k - 1] : PROF_NEVER;
}

/*
 * No start can come before the k-th smallest first-fit time (fewer than k
 * nodes fit earlier), and usually the nodes that fit by then still fit
 * then. But a node's feasible starts need not be one interval (a
 * reservation may come and go), so when they do not, the search computes
 * every first fit in full and walks every later candidate time.
 */
time_t prof_earliest(const struct sched_profile *p, const size_t *cand, size_t n_cand, size_t k,
		     const struct prof_need *nd, const struct prof_window *w, size_t *picked)
{
	time_t *times, lower, found = PROF_NEVER;
	size_t n_times, i;

	if (!k || k > n_cand || n_cand > p->n)
		return k ? PROF_NEVER : p->now;
	/* Called for every job a pass tests: no allocation per call. */
	lower = fill_first(p, cand, n_cand, k, nd, w, true);
	if (lower == PROF_NEVER)
		return PROF_NEVER;
	if (pick_at(p, cand, p->scratch, n_cand, k, nd, lower, picked))
		return lower;
	fill_first(p, cand, n_cand, k, nd, w, false);
	n_times = candidate_times(p, cand, n_cand, w, &times);
	for (i = 0; i < n_times && found == PROF_NEVER; i++)
		if (times[i] > lower && pick_at(p, cand, p->scratch, n_cand, k, nd, times[i], picked))
			found = times[i];
	free(times);
	return found;
}
