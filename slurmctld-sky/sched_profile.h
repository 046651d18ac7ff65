/*
 * sched_profile.h: node-time availability for the backfill scheduler.
 *
 * For every node, the CPUs and memory free now and the changes to come:
 * a running job gives its share back at its end (start + time limit), a
 * reservation takes a share during [start, end). Free at time t is the free
 * amount now plus every change at or before t. Pure computation over plain
 * numbers (no controller types), so the unit tests can drive it with
 * worked examples.
 */
#ifndef SKY_SCHED_PROFILE_H
#define SKY_SCHED_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* "Never": the end of a job without time limit, or no possible start. */
#define PROF_NEVER ((time_t)INT64_MAX)

/* A change of a node's free resources at time t (positive: freed). */
struct prof_ev {
	time_t t;
	int64_t cpus;
	int64_t mem_mb;
};

struct prof_node {
	int64_t total_cpus, total_mem_mb;
	int64_t free_cpus;          /* now */
	int64_t free_mem_mb;        /* now; ignored when total_mem_mb is 0 (unknown) */
	struct prof_ev *ev;         /* owned, sorted by time */
	size_t n_ev, cap;
};

struct sched_profile {
	time_t now;
	struct prof_node *nodes;    /* owned */
	size_t n;
	time_t *scratch;            /* owned: n entries for prof_earliest() */
};

/* What one node's share of a job needs. */
struct prof_need {
	uint32_t cpus;
	uint64_t mem_mb;            /* 0: no memory requirement */
	bool whole;                 /* the whole node (exclusive, --mem=0, GRES) */
	time_t dur;                 /* seconds; PROF_NEVER: no time limit */
};

/* The search window of prof_earliest(). */
struct prof_window {
	time_t horizon;             /* latest start considered (absolute) */
	time_t resolution;          /* candidate starts are rounded up to now + k * this */
};

void prof_init(struct sched_profile *p, size_t n_nodes, time_t now);
void prof_fini(struct sched_profile *p);

/* Node i's size and what is free on it now (total_mem_mb 0: memory not tracked). */
void prof_node_set(struct sched_profile *p, size_t i, int64_t total_cpus, int64_t total_mem_mb,
		   int64_t free_cpus, int64_t free_mem_mb);
/* A running job gives cpus and mem back on node i at end (ignored for PROF_NEVER). */
void prof_release(struct sched_profile *p, size_t i, time_t end, int64_t cpus, int64_t mem_mb);
/*
 * Take cpus and mem on node i during [start, end) (end PROF_NEVER: for
 * good). A start at or before now takes from the free amount now.
 */
void prof_hold(struct sched_profile *p, size_t i, time_t start, time_t end, int64_t cpus,
	       int64_t mem_mb);

/* Whether node i has nd free during all of [start, start + nd->dur). */
bool prof_fits(const struct sched_profile *p, size_t i, time_t start, const struct prof_need *nd);

/*
 * The earliest start (>= now, <= w->horizon) at which k of the n_cand
 * nodes cand[] (indexes, in preference order) each have nd free for the
 * job's whole duration. The first k such nodes in cand order go to
 * picked[] (room for k). PROF_NEVER when there is none in the window.
 */
time_t prof_earliest(const struct sched_profile *p, const size_t *cand, size_t n_cand, size_t k,
		     const struct prof_need *nd, const struct prof_window *w, size_t *picked);

#endif
