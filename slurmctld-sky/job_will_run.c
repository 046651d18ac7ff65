/* job_will_run.c: see job_will_run.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cloud_info.h"
#include "ctld.h"
#include "hostlist.h"
#include "job_features.h"
#include "job_will_run.h"
#include "power_save.h"
#include "timefmt.h"
#include "xalloc.h"

/* Free CPUs of each partition node at the time being simulated. */
struct sim {
	const struct partition *p;
	uint32_t *free_cpus;
	uint32_t *total;
	bool *usable;
};

/* Index of node n in the partition, or -1. */
static int part_index(const struct partition *p, const struct node *n)
{
	for (size_t i = 0; i < p->n_nodes; i++)
		if (p->nodes[i] == n)
			return (int)i;
	return -1;
}

/* End time of each running job holding nodes of the partition, sorted. */
static size_t running_ends(struct ctld *c, struct job ***out)
{
	struct job **v = xcalloc(c->jobs.count + 1, sizeof(*v)), *j;
	size_t n = 0;

	JOB_FOREACH(&c->jobs, j)
		if (j->n_alloc)
			v[n++] = j;
	/* Insertion sort: the running set is small. */
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && v[k]->rec->end_time < v[k - 1]->rec->end_time; k--) {
			struct job *t = v[k];
			v[k] = v[k - 1];
			v[k - 1] = t;
		}
	*out = v;
	return n;
}

/* Pick nodes for rec now in the simulation; returns how many fit (up to need). */
static size_t pick(const struct sim *s, const Sky__JobRecord *rec, bool exclusive,
		   struct hostlist *hl)
{
	uint32_t need = rec->num_nodes ? rec->num_nodes : 1;
	uint32_t cpn = rec->cpus_per_node ? rec->cpus_per_node : 1;
	size_t got = 0;

	for (size_t i = 0; i < s->p->n_nodes && got < need; i++) {
		if (!s->usable[i] || s->free_cpus[i] < cpn)
			continue;
		if (exclusive && s->free_cpus[i] < s->total[i])
			continue;
		if (hl)
			hostlist_push_host(hl, s->p->nodes[i]->name);
		got++;
	}
	return got;
}

char *job_will_run_text(struct ctld *c, const Sky__JobRecord *rec, time_t now,
			struct sky_errbuf *eb)
{
	const struct partition *p = part_find(&c->parts, rec->partition);
	const Sky__JobDesc *d = rec->desc;
	bool exclusive = (d->has_exclusive && d->exclusive) || (p && p->exclusive);
	uint32_t need = rec->num_nodes ? rec->num_nodes : 1;
	struct sim s = { .p = p };
	struct job **ends = NULL;
	struct hostlist *hl;
	time_t at = now;
	size_t n_ends, k = 0;
	char *names, *out = NULL, *suffix, ts[64];

	if (!p) {
		sky_err_set(eb, SKY_E_INVALID_PARTITION, "%s", sky_strerror(SKY_E_INVALID_PARTITION));
		return NULL;
	}
	s.free_cpus = xcalloc(p->n_nodes + 1, sizeof(*s.free_cpus));
	s.total = xcalloc(p->n_nodes + 1, sizeof(*s.total));
	s.usable = xcalloc(p->n_nodes + 1, sizeof(*s.usable));
	for (size_t i = 0; i < p->n_nodes; i++) {
		s.usable[i] = power_node_available(p->nodes[i]) &&
			      features_match(d->constraint, p->nodes[i]->features);
		s.total[i] = node_cpus(p->nodes[i]);
		s.free_cpus[i] = node_free_cpus(p->nodes[i]);
	}
	/* Cloud slots sized at launch: usable when their provider has an offering. */
	cloud_will_run_slots(rec, p->nodes, p->n_nodes, s.usable, s.total, s.free_cpus);
	n_ends = running_ends(c, &ends);
	/* Advance through the running jobs' ends until enough nodes are free. */
	while (pick(&s, rec, exclusive, NULL) < need && k < n_ends) {
		struct job *j = ends[k++];
		for (size_t a = 0; a < j->n_alloc; a++) {
			int i = part_index(p, j->alloc[a].node);
			if (i >= 0)
				s.free_cpus[i] += j->alloc[a].cpus;
		}
		if ((time_t)j->rec->end_time > at)
			at = (time_t)j->rec->end_time;
	}
	hl = hostlist_new();
	if (pick(&s, rec, exclusive, hl) < need) {
		sky_err_set(eb, SKY_E_NODE_CONFIG, "%s", sky_strerror(SKY_E_NODE_CONFIG));
	} else {
		uint32_t next = 0;
		struct store_txn *t = NULL;
		struct sky_errbuf tmp;

		/* The id it would get: peek at next_job_id without taking it. */
		sky_err_clear(&tmp);
		if (store_begin(c->store, false, &t, &tmp) == 0) {
			if (store_meta_get_u32(t, "next_job_id", &next, &tmp))
				next = c->conf->first_job_id ? c->conf->first_job_id : 1;
			store_abort(t);
		}
		while (next && job_find(&c->jobs, next))
			next++;
		names = hostlist_ranged_string(hl);
		/* Cloud slots: the offering the provider would launch (cloud_info.h). */
		suffix = cloud_will_run_suffix(c, rec, hl);
		out = xasprintf("Job %u to start at %s using %u processors on nodes %s in partition %s%s",
				next, timestamp_str(at, ts, sizeof(ts)),
				rec->num_cpus ? rec->num_cpus : need, names, p->name,
				suffix ? suffix : "");
		free(suffix);
		free(names);
	}
	hostlist_destroy(hl);
	free(ends);
	free(s.free_cpus);
	free(s.total);
	free(s.usable);
	return out;
}
