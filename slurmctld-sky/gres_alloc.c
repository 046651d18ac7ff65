/* gres_alloc.c: see gres_alloc.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctld.h"
#include "gres.h"
#include "gres_alloc.h"
#include "log.h"
#include "xalloc.h"

/* A GRES with more devices than this is a count (mps:100, bandwidth:4G), not devices. */
#define GRES_MAX_DEVICES 1024

/* A node's Gres= with each item's first device index, and what is taken. */
struct inv {
	struct gres_list l;
	uint32_t *base;        /* per item: first index of its devices (per name) */
	bool *indexed;         /* per item: has device indices */
	uint8_t **used;        /* per item: taken flags, count entries (indexed only) */
	uint64_t *used_count;  /* per item */
	bool known;            /* the node's GRES are known (config or agent) */
};

static void inv_free(struct inv *v)
{
	for (size_t i = 0; i < v->l.n; i++)
		free(v->used[i]);
	free(v->used);
	free(v->used_count);
	free(v->base);
	free(v->indexed);
	gres_list_free(&v->l);
}

/*
 * Without Gres= in the config, a node's GRES are known once its agent has
 * registered (since this controller started): until then it may have anything,
 * so a submission right after a controller restart is not refused for GPUs
 * that discovery will report a moment later.
 */
static bool node_gres_known(const struct node *n)
{
	return (n->gres && *n->gres) || n->registered;
}

/* The item of v that index idx of name belongs to, or -1. */
static long item_of(const struct inv *v, const char *name, const char *type, uint32_t idx)
{
	for (size_t i = 0; i < v->l.n; i++) {
		const struct gres_item *it = &v->l.v[i];
		if (!v->indexed[i] || strcasecmp(it->name, name))
			continue;
		if (idx >= v->base[i] && idx < v->base[i] + it->count)
			return (long)i;
	}
	/* A count-only GRES: by (name, type). */
	for (size_t i = 0; i < v->l.n; i++) {
		const struct gres_item *it = &v->l.v[i];
		if (!v->indexed[i] && !strcasecmp(it->name, name) &&
		    (!type || !it->type || !strcasecmp(type, it->type)))
			return (long)i;
	}
	return -1;
}

/* Mark what one GresAlloc entry of a holding job takes on this node. */
static void inv_take(struct inv *v, const Sky__GresAlloc *g)
{
	struct sky_errbuf eb;
	uint32_t *idx = NULL;
	size_t n = 0;
	long it;

	sky_err_clear(&eb);
	if (g->indices && *g->indices && gres_idx_parse(g->indices, &idx, &n, &eb) == 0 && n) {
		for (size_t k = 0; k < n; k++) {
			it = item_of(v, g->name, g->type, idx[k]);
			if (it < 0 || !v->indexed[it])
				continue;
			if (!v->used[it][idx[k] - v->base[it]]) {
				v->used[it][idx[k] - v->base[it]] = 1;
				v->used_count[it]++;
			}
		}
	} else if ((it = item_of(v, g->name, g->type, UINT32_MAX)) >= 0 && !v->indexed[it] &&
		   !v->l.v[it].no_consume) {
		v->used_count[it] += g->count;
	}
	free(idx);
}

/* n's inventory with every holding job's devices taken (skip: a job not to count). */
static void inv_load(const struct ctld *c, const struct node *n, const struct job *skip,
		     struct inv *v)
{
	const struct job_holders *h;
	struct sky_errbuf eb;
	uint32_t next_base = 0;

	memset(v, 0, sizeof(*v));
	v->known = node_gres_known(n);
	sky_err_clear(&eb);
	if (n->gres && *n->gres && gres_parse_node(n->gres, &v->l, &eb))
		log_error("node %s: %s", n->name, sky_err_msg(&eb));
	v->base = xcalloc(v->l.n + 1, sizeof(*v->base));
	v->indexed = xcalloc(v->l.n + 1, sizeof(*v->indexed));
	v->used = xcalloc(v->l.n + 1, sizeof(*v->used));
	v->used_count = xcalloc(v->l.n + 1, sizeof(*v->used_count));
	for (size_t i = 0; i < v->l.n; i++) {
		const struct gres_item *it = &v->l.v[i];
		next_base = 0;
		for (size_t k = 0; k < i; k++)
			if (v->indexed[k] && !strcasecmp(v->l.v[k].name, it->name))
				next_base = v->base[k] + (uint32_t)v->l.v[k].count;
		/* MPS and shards are slices of GPUs, counted, not devices of their own. */
		v->indexed[i] = !it->no_consume && it->count <= GRES_MAX_DEVICES &&
				strcasecmp(it->name, "mps") && strcasecmp(it->name, "shard");
		v->base[i] = next_base;
		if (v->indexed[i])
			v->used[i] = xcalloc(it->count + 1, 1);
	}
	if (!v->l.n)
		return;
	if (!(h = job_holders_at(&c->jobs, n)))
		return;
	for (size_t m = 0; m < h->n; m++) {
		const struct job *j = h->v[m];
		if (j == skip || !j->n_alloc || !j->rec->n_gres_alloc)
			continue;
		for (size_t k = 0; k < j->rec->n_gres_alloc; k++)
			if (!strcmp(j->rec->gres_alloc[k]->node, n->name))
				inv_take(v, j->rec->gres_alloc[k]);
	}
}

static uint64_t item_free(const struct inv *v, size_t i)
{
	uint64_t cnt = v->l.v[i].count;

	if (v->l.v[i].no_consume)
		return UINT64_MAX;
	return v->used_count[i] >= cnt ? 0 : cnt - v->used_count[i];
}

/* Free (or, with total, configured) amount of what req matches on v. */
static uint64_t inv_avail(const struct inv *v, const struct gres_item *req, bool total)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < v->l.n; i++) {
		if (!gres_item_matches(req, &v->l.v[i]))
			continue;
		if (v->l.v[i].no_consume)
			return UINT64_MAX;
		sum += total ? v->l.v[i].count : item_free(v, i);
	}
	return sum;
}

uint32_t gres_tasks_per_node(const Sky__JobDesc *d, uint32_t nodes, uint32_t tasks)
{
	if (d->ntasks_per_node)
		return d->ntasks_per_node;
	if (!nodes)
		nodes = 1;
	return tasks ? (tasks + nodes - 1) / nodes : 1;
}

static bool has_gres_request(const Sky__JobDesc *d)
{
	return (d->gres && *d->gres) || (d->gpus && *d->gpus) ||
	       (d->gpus_per_node && *d->gpus_per_node) || (d->gpus_per_task && *d->gpus_per_task);
}

/* The job's per-node need; false (logged) when it no longer parses. */
static bool need_of(const Sky__JobRecord *r, struct gres_list *need)
{
	const Sky__JobDesc *d = r->desc;
	uint32_t nodes = r->num_nodes ? r->num_nodes : 1;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	if (gres_job_need(d, nodes, gres_tasks_per_node(d, nodes, r->num_tasks), need, &eb)) {
		log_error("job %u: GRES request: %s", r->job_id, sky_err_msg(&eb));
		return false;
	}
	return true;
}

bool gres_alloc_fits(const struct ctld *c, const struct node *n, const struct job *j)
{
	struct gres_list need;
	struct inv v;
	bool ok = true;

	if (!has_gres_request(j->rec->desc))
		return true;
	if (!need_of(j->rec, &need))
		return false;
	inv_load(c, n, j, &v);
	for (size_t i = 0; i < need.n && ok; i++)
		ok = inv_avail(&v, &need.v[i], false) >= need.v[i].count;
	inv_free(&v);
	gres_list_free(&need);
	return ok;
}

static Sky__GresAlloc *alloc_entry(const char *node, const struct gres_item *it, uint64_t count,
				   const uint32_t *idx, size_t n_idx)
{
	Sky__GresAlloc *g = xmalloc(sizeof(*g));

	sky__gres_alloc__init(g);
	g->node = xstrdup(node);
	g->name = xstrdup(it->name);
	g->type = it->type ? xstrdup(it->type) : NULL;
	g->has_count = true;
	g->count = count;
	g->indices = n_idx ? gres_idx_str(idx, n_idx) : NULL;
	return g;
}

static void rec_push(Sky__JobRecord *r, Sky__GresAlloc *g)
{
	r->gres_alloc = xrealloc(r->gres_alloc, (r->n_gres_alloc + 1) * sizeof(*r->gres_alloc));
	r->gres_alloc[r->n_gres_alloc++] = g;
}

/* Take want of req on node n (inventory v), lowest free indices first. */
static void take_on_node(struct inv *v, const struct node *n, const struct gres_item *req,
			 uint64_t want, Sky__JobRecord *r)
{
	for (size_t i = 0; i < v->l.n && want; i++) {
		const struct gres_item *it = &v->l.v[i];
		uint32_t *idx;
		size_t k = 0;

		if (!gres_item_matches(req, it))
			continue;
		if (it->no_consume) {
			rec_push(r, alloc_entry(n->name, it, want, NULL, 0));
			return;
		}
		if (!v->indexed[i]) {
			uint64_t got = item_free(v, i) < want ? item_free(v, i) : want;
			if (got)
				rec_push(r, alloc_entry(n->name, it, got, NULL, 0));
			v->used_count[i] += got;
			want -= got;
			continue;
		}
		idx = xcalloc(it->count + 1, sizeof(*idx));
		for (uint32_t d = 0; d < it->count && k < want; d++)
			if (!v->used[i][d]) {
				v->used[i][d] = 1;
				v->used_count[i]++;
				idx[k++] = v->base[i] + d;
			}
		if (k)
			rec_push(r, alloc_entry(n->name, it, k, idx, k));
		want -= k;
		free(idx);
	}
	if (want)
		log_error("job %u: %llu %s short on node %s", r->job_id, (unsigned long long)want,
			  req->name, n->name);
}

static void clear_entries(Sky__JobRecord *r)
{
	for (size_t i = 0; i < r->n_gres_alloc; i++)
		sky__gres_alloc__free_unpacked(r->gres_alloc[i], NULL);
	FREE_NULL(r->gres_alloc);
	r->n_gres_alloc = 0;
}

void gres_alloc_start(struct ctld *c, struct job *j)
{
	Sky__JobRecord *r = j->rec;
	struct gres_list need;

	clear_entries(r);
	if (!has_gres_request(r->desc) || !need_of(r, &need))
		return;
	for (size_t k = 0; k < j->n_alloc; k++) {
		struct inv v;

		inv_load(c, j->alloc[k].node, j, &v);
		for (size_t i = 0; i < need.n; i++) {
			const struct gres_item *q = &need.v[i];
			uint64_t want = q->count;
			/* -G: spread the total, the first nodes taking the remainder. */
			if (q->job_total)
				want = q->job_total / j->n_alloc + (k < q->job_total % j->n_alloc);
			take_on_node(&v, j->alloc[k].node, q, want, r);
		}
		inv_free(&v);
	}
	gres_list_free(&need);
}

/* Whether some node of the cluster has req's name (and type, when typed). */
static bool exists_somewhere(const struct ctld *c, const struct gres_item *req, bool *unknown)
{
	for (size_t i = 0; i < c->nodes.count; i++) {
		const struct node *n = &c->nodes.nodes[i];
		struct gres_list l = { 0 };
		struct sky_errbuf eb;
		bool found = false;

		if (!node_gres_known(n)) {
			*unknown = true;
			continue;
		}
		sky_err_clear(&eb);
		if (n->gres && gres_parse_node(n->gres, &l, &eb) == 0)
			for (size_t k = 0; k < l.n && !found; k++)
				found = gres_item_matches(req, &l.v[k]);
		gres_list_free(&l);
		if (found)
			return true;
	}
	return false;
}

int gres_alloc_validate(const struct ctld *c, const struct partition *p, const Sky__JobDesc *d,
			uint32_t nodes, uint32_t tasks, char **exc, size_t n_exc,
			struct sky_errbuf *eb)
{
	struct gres_list need;
	uint32_t fit = 0;
	bool unknown = false;
	int rc;

	if (!has_gres_request(d))
		return 0;
	if (!nodes)
		nodes = 1;
	if ((rc = gres_job_need(d, nodes, gres_tasks_per_node(d, nodes, tasks), &need, eb)))
		return rc;
	for (size_t i = 0; i < need.n; i++)
		if (!exists_somewhere(c, &need.v[i], &unknown) && !unknown) {
			rc = sky_err_set(eb, SKY_E_INVALID_GRES, "%s", sky_strerror(SKY_E_INVALID_GRES));
			goto out;
		}
	for (size_t k = 0; k < p->n_nodes; k++) {
		const struct node *n = p->nodes[k];
		struct inv v;
		bool ok = true;

		if (node_name_in(exc, n_exc, n->name))
			continue;
		inv_load(c, n, NULL, &v);
		for (size_t i = 0; i < need.n && ok && v.known; i++)
			ok = inv_avail(&v, &need.v[i], true) >= need.v[i].count;
		inv_free(&v);
		fit += ok;
	}
	if (fit < nodes)
		rc = sky_err_set(eb, SKY_E_INVALID_GRES, "%s", sky_strerror(SKY_E_INVALID_GRES));
out:
	gres_list_free(&need);
	return rc;
}

char *gres_alloc_node_used(const struct ctld *c, const struct node *n)
{
	struct inv v;
	char *s = NULL;

	inv_load(c, n, NULL, &v);
	for (size_t i = 0; i < v.l.n; i++) {
		const struct gres_item *it = &v.l.v[i];
		uint32_t *idx = xcalloc(v.indexed[i] ? it->count + 1 : 1, sizeof(*idx));
		size_t k = 0;
		char *ids, *t;

		if (v.indexed[i])
			for (uint32_t d = 0; d < it->count; d++)
				if (v.used[i][d])
					idx[k++] = v.base[i] + d;
		ids = k ? gres_idx_str(idx, k) : xstrdup("N/A");
		t = xasprintf("%s%s%s%s%s:%llu(IDX:%s)", s ? s : "", s ? "," : "", it->name,
			      it->type ? ":" : "", it->type ? it->type : "",
			      (unsigned long long)v.used_count[i], v.indexed[i] ? ids : "N/A");
		free(s);
		free(ids);
		free(idx);
		s = t;
	}
	inv_free(&v);
	return s;
}
