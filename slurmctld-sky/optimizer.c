/*
 * optimizer.c: feasible offerings, cheapest first (optimizer.h).
 *
 * One pass over the rows that can match: a GPU request only visits the
 * catalog's rows of matching accelerators (catalog->by_accel), names in the
 * request are resolved once to the catalog's interned pointers, and the
 * best max_out choices are kept by insertion into the caller's array, so a
 * placement allocates a few small arrays per call and nothing per row.
 */
#include "config.h"

#include <ctype.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "optimizer.h"
#include "xalloc.h"

/* Copy s lowercased without '-', '_' and ' ' into buf. */
static void gpu_norm(const char *s, char *buf, size_t len)
{
	size_t w = 0;

	for (; *s && w + 1 < len; s++)
		if (*s != '-' && *s != '_' && *s != ' ')
			buf[w++] = (char)tolower((unsigned char)*s);
	buf[w] = '\0';
}

bool optimizer_gpu_type_matches(const char *want, const char *accel)
{
	char a[64], b[64];

	if (!want || !*want)
		return accel && *accel;
	if (!accel || !*accel)
		return false;
	gpu_norm(want, a, sizeof(a));
	gpu_norm(accel, b, sizeof(b));
	return strcmp(a, b) == 0;
}

bool opt_spot_parse(const char *s, enum opt_spot *out)
{
	static const char *const names[] = { "no", "yes", "only", "prefer" };

	for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i]) == 0) {
			*out = (enum opt_spot)i;
			return true;
		}
	return false;
}

const char *opt_spot_str(enum opt_spot s)
{
	switch (s) {
	case OPT_SPOT_NO: return "no";
	case OPT_SPOT_YES: return "yes";
	case OPT_SPOT_ONLY: return "only";
	case OPT_SPOT_PREFER: return "prefer";
	}
	return "?";
}

#define GLOB_CACHE 256

/* A request with its names resolved against one catalog. */
struct resolved {
	const struct opt_request *req;
	uint32_t nodes;
	int64_t max_u;                  /* INT64_MAX when unlimited */
	const char **clouds, **regions, **zones;
	size_t n_clouds, n_regions, n_zones;
	bool none_possible;             /* a non-empty list named nothing the catalog has */
	/* fnmatch() results by interned type pointer: types repeat across zones. */
	const char *glob_key[GLOB_CACHE];
	bool glob_ok[GLOB_CACHE];
};

static const char **resolve_list(const struct catalog *cat, const char *const *names, size_t n,
				 size_t *n_out, bool *none_possible)
{
	const char **v;
	size_t k = 0;

	*n_out = 0;
	if (!names || n == 0)
		return NULL;
	v = xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		const char *p = catalog_lookup(cat, names[i]);

		if (p)
			v[k++] = p;
	}
	if (k == 0)
		*none_possible = true;
	*n_out = k;
	return v;
}

static void resolve(const struct catalog *cat, const struct opt_request *req, struct resolved *r)
{
	memset(r, 0, sizeof(*r));
	r->req = req;
	r->nodes = req->nodes ? req->nodes : 1;
	r->max_u = req->max_price > 0 ? llround(req->max_price * 1e6) : INT64_MAX;
	r->clouds = resolve_list(cat, req->clouds, req->n_clouds, &r->n_clouds, &r->none_possible);
	r->regions = resolve_list(cat, req->regions, req->n_regions, &r->n_regions,
				  &r->none_possible);
	r->zones = resolve_list(cat, req->zones, req->n_zones, &r->n_zones, &r->none_possible);
}

static void resolved_free(struct resolved *r)
{
	free(r->clouds);
	free(r->regions);
	free(r->zones);
}

static bool in_list(const char *p, const char **v, size_t n)
{
	if (!v)
		return true;
	for (size_t i = 0; i < n; i++)
		if (v[i] == p)
			return true;
	return false;
}

static bool type_allowed(struct resolved *r, const char *type)
{
	const struct opt_request *req = r->req;
	size_t slot = ((uintptr_t)type >> 3) % GLOB_CACHE;
	bool ok = false;

	if (!req->type_globs || req->n_type_globs == 0)
		return true;
	if (r->glob_key[slot] == type)
		return r->glob_ok[slot];
	for (size_t i = 0; i < req->n_type_globs && !ok; i++)
		ok = fnmatch(req->type_globs[i], type, 0) == 0;
	r->glob_key[slot] = type;
	r->glob_ok[slot] = ok;
	return ok;
}

/* Stages a row can fail at, in order; optimizer_why_none() reports the first empty one. */
enum stage {
	ST_GPU_COUNT, ST_CPUS, ST_MEM, ST_CLOUD, ST_REGION, ST_ZONE, ST_TYPE, ST_OK
};

static enum stage row_stage(struct resolved *r, const struct offering *o)
{
	const struct opt_request *req = r->req;

	if (o->accel_count < req->gpus_per_node)
		return ST_GPU_COUNT;
	if (o->vcpus < req->cpus_per_node)
		return ST_CPUS;
	if (o->mem_mib < req->mem_mib_per_node)
		return ST_MEM;
	if (!in_list(o->cloud, r->clouds, r->n_clouds))
		return ST_CLOUD;
	if (!in_list(o->region, r->regions, r->n_regions))
		return ST_REGION;
	if (!in_list(o->zone, r->zones, r->n_zones))
		return ST_ZONE;
	if (!type_allowed(r, o->type))
		return ST_TYPE;
	return ST_OK;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_choice(const struct opt_request *req, const struct opt_choice *a,
		      const struct opt_choice *b)
{
	const struct offering *x = a->off, *y = b->off;
	int c;

	if (req->spot == OPT_SPOT_PREFER && a->spot != b->spot)
		return a->spot ? -1 : 1;
	if (a->job_price_u != b->job_price_u)
		return a->job_price_u < b->job_price_u ? -1 : 1;
	/* Surplus over the request; the request's own part is the same for both. */
	if ((c = cmp_u64(x->accel_count, y->accel_count)) ||
	    (c = cmp_u64(x->vcpus, y->vcpus)) || (c = cmp_u64(x->mem_mib, y->mem_mib)))
		return c;
	if ((c = strcmp(x->cloud, y->cloud)) || (c = strcmp(x->region, y->region)) ||
	    (c = strcmp(x->zone, y->zone)) || (c = strcmp(x->type, y->type)))
		return c;
	return a->spot - b->spot;
}

/* Keep out[0..*n) sorted and at most max long. */
static void insert_choice(const struct opt_request *req, struct opt_choice *out, size_t max,
			  size_t *n, const struct opt_choice *c)
{
	size_t lo = 0, hi = *n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cmp_choice(req, &out[mid], c) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= max)
		return;
	if (*n == max)
		(*n)--;
	memmove(&out[lo + 1], &out[lo], (*n - lo) * sizeof(*out));
	out[lo] = *c;
	(*n)++;
}

/* Visit every row a GPU request could use; fn returns nothing, collects via ctx. */
typedef void (*row_fn)(const struct offering *o, void *ctx);

static void for_candidate_rows(const struct catalog *cat, const struct opt_request *req,
			       row_fn fn, void *ctx)
{
	if (req->gpus_per_node == 0) {
		for (size_t i = 0; i < cat->n; i++)
			fn(&cat->v[i], ctx);
		return;
	}
	for (size_t a = 1; a < cat->n_groups; a++) {
		if (!optimizer_gpu_type_matches(req->gpu_type, cat->accels[a]))
			continue;
		for (size_t k = 0; k < cat->n_by_accel[a]; k++)
			fn(&cat->v[cat->by_accel[a][k]], ctx);
	}
}

struct place_ctx {
	struct resolved *r;
	const struct blocklist *bl;
	time_t now;
	struct opt_choice *out;
	size_t max_out, n_out, n_feasible;
	bool count_all;         /* the caller wants n_feasible: no shortcut */
};

/* Whether c sorts after out's last kept choice on policy and price alone. */
static bool surely_worse(const struct place_ctx *p, const struct opt_choice *c)
{
	const struct opt_choice *last;

	if (p->max_out == 0)
		return true;
	if (p->n_out < p->max_out)
		return false;
	last = &p->out[p->n_out - 1];
	if (p->r->req->spot == OPT_SPOT_PREFER && c->spot != last->spot)
		return !c->spot;
	return c->job_price_u > last->job_price_u;
}

static void consider_market(struct place_ctx *p, const struct offering *o, bool spot)
{
	int64_t node = spot ? o->spot_u : o->price_u;
	struct opt_choice c = { .off = o, .spot = spot, .nodes = p->r->nodes };

	if (node == CATALOG_NO_PRICE)
		return;
	c.node_price_u = node;
	c.job_price_u = node * (int64_t)p->r->nodes;
	if (c.job_price_u > p->r->max_u)
		return;
	/* Most rows lose on price alone: skip the blocklist for them unless counting. */
	if (!p->count_all && surely_worse(p, &c))
		return;
	if (blocklist_match(p->bl, o, spot, p->now))
		return;
	p->n_feasible++;
	if (p->max_out)
		insert_choice(p->r->req, p->out, p->max_out, &p->n_out, &c);
}

static void place_row(const struct offering *o, void *ctx)
{
	struct place_ctx *p = ctx;
	enum opt_spot spot = p->r->req->spot;

	if (row_stage(p->r, o) != ST_OK)
		return;
	if (spot != OPT_SPOT_ONLY)
		consider_market(p, o, false);
	if (spot != OPT_SPOT_NO)
		consider_market(p, o, true);
}

int optimizer_place(const struct catalog *cat, const struct blocklist *bl,
		    const struct opt_request *req, time_t now, struct opt_choice *out,
		    size_t max_out, size_t *n_out, size_t *n_feasible, struct sky_errbuf *eb)
{
	struct resolved r;
	struct place_ctx p = { .r = &r, .bl = bl, .now = now, .out = out, .max_out = max_out,
			       .count_all = n_feasible != NULL };

	*n_out = 0;
	if (n_feasible)
		*n_feasible = 0;
	if (req->spot > OPT_SPOT_PREFER)
		return sky_err_set(eb, SKY_E_INVAL, "invalid spot policy %d", (int)req->spot);
	resolve(cat, req, &r);
	if (!r.none_possible)
		for_candidate_rows(cat, req, place_row, &p);
	resolved_free(&r);
	*n_out = p.n_out;
	if (n_feasible)
		*n_feasible = p.n_feasible;
	return 0;
}

char *opt_choice_str(const struct opt_choice *c)
{
	const struct offering *o = c->off;
	char node[32], job[32];

	catalog_price_str(c->node_price_u, node, sizeof(node));
	catalog_price_str(c->job_price_u, job, sizeof(job));
	return xasprintf("%s/%s%s%s %s %s $%s/h x%u = $%s/h", o->cloud, o->region,
			 *o->zone ? "/" : "", o->zone, o->type, c->spot ? "spot" : "on-demand",
			 node, c->nodes, job);
}

/* Counting pass for optimizer_why_none(). */
struct why_ctx {
	struct resolved *r;
	const struct blocklist *bl;
	time_t now;
	size_t rows, passed[ST_OK + 1];
	size_t markets, priced, blocked;
	char *blocked_list;
	unsigned listed;
};

static void why_market(struct why_ctx *w, const struct offering *o, bool spot)
{
	int64_t node = spot ? o->spot_u : o->price_u;
	char *d;

	if (node == CATALOG_NO_PRICE)
		return;
	w->markets++;
	if (node * (int64_t)w->r->nodes > w->r->max_u)
		return;
	w->priced++;
	d = blocklist_describe(w->bl, o, spot, w->now);
	if (!d)
		return;
	w->blocked++;
	if (w->listed++ < 3)
		xstrfmtcat(&w->blocked_list, "%s %s/%s%s%s %s %s: %s", w->listed > 1 ? ";" : "",
			   o->cloud, o->region, *o->zone ? "/" : "", o->zone, o->type,
			   spot ? "spot" : "on-demand", d);
	free(d);
}

static void why_row(const struct offering *o, void *ctx)
{
	struct why_ctx *w = ctx;
	enum stage s = row_stage(w->r, o);
	enum opt_spot spot = w->r->req->spot;

	w->rows++;
	for (int i = 0; i < (int)s; i++)
		w->passed[i]++;
	if (s != ST_OK)
		return;
	w->passed[ST_OK]++;
	if (spot != OPT_SPOT_ONLY)
		why_market(w, o, false);
	if (spot != OPT_SPOT_NO)
		why_market(w, o, true);
}

static char *known_accels(const struct catalog *cat)
{
	char *s = xstrdup("");

	for (size_t a = 1; a < cat->n_groups; a++)
		if (cat->n_by_accel[a])
			xstrfmtcat(&s, "%s%s", *s ? ", " : "", cat->accels[a]);
	return s;
}

static const char *const stage_text[ST_OK] = {
	[ST_GPU_COUNT] = "has enough GPUs per node",
	[ST_CPUS] = "has enough CPUs per node",
	[ST_MEM] = "has enough memory per node",
	[ST_CLOUD] = "is in an allowed cloud",
	[ST_REGION] = "is in an allowed region",
	[ST_ZONE] = "is in an allowed zone",
	[ST_TYPE] = "matches the allowed instance types",
};

char *optimizer_why_none(const struct catalog *cat, const struct blocklist *bl,
			 const struct opt_request *req, time_t now)
{
	struct resolved r;
	struct why_ctx w = { .r = &r, .bl = bl, .now = now };
	char *msg = NULL, *acc;
	char limit[32];

	resolve(cat, req, &r);
	for_candidate_rows(cat, req, why_row, &w);
	if (w.rows == 0 && req->gpus_per_node > 0) {
		acc = known_accels(cat);
		msg = xasprintf("no offering has GPU type '%s' (catalog has: %s)",
				req->gpu_type && *req->gpu_type ? req->gpu_type : "any", acc);
		free(acc);
	} else if (w.rows == 0) {
		msg = xstrdup("the catalog is empty");
	}
	for (int s = 0; !msg && s < ST_OK; s++)
		if (w.passed[s] == 0)
			msg = xasprintf("no offering %s", stage_text[s]);
	if (!msg && w.markets == 0)
		msg = xasprintf("no offering has a %s price", req->spot == OPT_SPOT_ONLY ? "spot" :
				"on-demand");
	if (!msg && w.priced == 0)
		msg = xasprintf("no offering costs at most $%s/h for %u node(s)",
				catalog_price_str(llround(req->max_price * 1e6), limit, sizeof(limit)),
				r.nodes);
	if (!msg && w.blocked)
		msg = xasprintf("%zu offering(s) fit, all blocked:%s%s", w.blocked,
				w.blocked_list ? w.blocked_list : "", w.blocked > 3 ? "; ..." : "");
	if (!msg)
		msg = xstrdup("an offering fits");
	free(w.blocked_list);
	resolved_free(&r);
	return msg;
}
