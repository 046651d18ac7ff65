/* gres.c: see gres.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gres.h"
#include "hostlist.h"
#include "xalloc.h"

#define GRES_MAX_TOKENS 4

/* Names and types: letters, digits and "_-.". */
static bool good_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_-.", *s))
			return false;
	return true;
}

/* "8", "4G" (1024-based like Slurm's GRES counts). false unless all of s is a count. */
static bool parse_count(const char *s, uint64_t *out)
{
	static const char units[] = "kmgtp";
	unsigned long long v;
	const char *u;
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return false;
	if (*end) {
		if (end[1] || !(u = strchr(units, tolower((unsigned char)*end))))
			return false;
		for (long k = 0; k <= u - units; k++) {
			if (v > UINT64_MAX / 1024)
				return false;
			v *= 1024;
		}
	}
	*out = v;
	return true;
}

void gres_list_add(struct gres_list *l, const char *name, const char *type, uint64_t count)
{
	struct gres_item *it;

	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	it = &l->v[l->n++];
	memset(it, 0, sizeof(*it));
	it->name = xstrdup(name);
	it->type = type && *type ? xstrdup(type) : NULL;
	it->count = count;
}

void gres_list_free(struct gres_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].type);
	}
	FREE_NULL(l->v);
	l->n = 0;
}

static bool same_type(const char *a, const char *b)
{
	if (!a || !b)
		return !a && !b;
	return strcasecmp(a, b) == 0;
}

bool gres_item_matches(const struct gres_item *req, const struct gres_item *have)
{
	if (strcasecmp(req->name, have->name) != 0)
		return false;
	return !req->type || (have->type && strcasecmp(req->type, have->type) == 0);
}

/* Split one entry on ':' (and a final '=' of the TRES form) into at most GRES_MAX_TOKENS. */
static size_t split_entry(char *e, char **tok)
{
	size_t n = 0;
	char *eq = strrchr(e, '=');

	if (eq)
		*eq = ':';
	tok[n++] = e;
	for (char *p = e; *p; p++)
		if (*p == ':') {
			*p = '\0';
			if (n == GRES_MAX_TOKENS)
				return GRES_MAX_TOKENS + 1;
			tok[n++] = p + 1;
		}
	return n;
}

/*
 * One entry into (name, type, count, no_consume). node allows no_consume and
 * a "(S:...)" tail. Returns false when malformed; *drop when the count is 0.
 */
static bool parse_entry(char *e, bool node, struct gres_item *it, bool *drop)
{
	char *tok[GRES_MAX_TOKENS + 1], *paren;
	size_t n, last;

	memset(it, 0, sizeof(*it));
	*drop = false;
	if (node && (paren = strchr(e, '('))) {
		size_t len = strlen(paren);
		if (len < 3 || paren[len - 1] != ')')
			return false;
		*paren = '\0';
	}
	if (!strncasecmp(e, "gres/", 5) || !strncasecmp(e, "gres:", 5))
		e += 5;
	n = split_entry(e, tok);
	if (n > GRES_MAX_TOKENS || !good_word(tok[0]))
		return false;
	it->count = 1;
	last = n - 1;
	if (n > 1 && parse_count(tok[last], &it->count)) {
		*drop = it->count == 0;
		last--;
	} else if (n > 1 && !*tok[last]) {
		return false;   /* "gpu:" */
	} else {
		last = n - 1;
	}
	/* tok[1..last] are a type and/or no_consume. */
	for (size_t i = 1; i <= last && i < n; i++) {
		if (node && !strcasecmp(tok[i], "no_consume")) {
			it->no_consume = true;
			continue;
		}
		if (it->type || !good_word(tok[i]) || parse_count(tok[i], &(uint64_t){ 0 }))
			return false;
		it->type = tok[i];
	}
	it->name = tok[0];
	return true;
}

static int parse_list(const char *spec, bool node, struct gres_list *out, struct sky_errbuf *eb)
{
	char *copy = xstrdup(spec ? spec : ""), *e, *next;
	int code = node ? SKY_E_CONFIG : SKY_E_INVALID_GRES;
	int rc = 0;

	for (e = copy; e; e = next) {
		struct gres_item it;
		bool drop;

		if ((next = strchr(e, ',')))
			*next++ = '\0';
		/* "gpu:a100:4(S:0-1),..." : a comma inside the parentheses is not a separator. */
		if (node && strchr(e, '(') && !strchr(e, ')') && next) {
			char *close = strchr(next, ')');
			if (close) {
				next[-1] = ',';
				next = strchr(close, ',');
				if (next)
					*next++ = '\0';
			}
		}
		if (!*e && !next && e != copy)
			break;
		if (!parse_entry(e, node, &it, &drop)) {
			rc = sky_err_set(eb, code, node ? "invalid Gres specification '%s'" : "%s",
					 node ? spec : sky_strerror(SKY_E_INVALID_GRES));
			goto out;
		}
		if (drop)
			continue;
		gres_list_add(out, it.name, it.type, it.count);
		out->v[out->n - 1].no_consume = it.no_consume;
	}
	if (node)
		for (size_t i = 0; i < out->n && !rc; i++)
			for (size_t k = i + 1; k < out->n && !rc; k++) {
				const struct gres_item *a = &out->v[i], *b = &out->v[k];
				if (strcasecmp(a->name, b->name))
					continue;
				if (!a->type != !b->type)
					rc = sky_err_set(eb, code, "Gres '%s': %s typed and untyped on one node",
							 spec, a->name);
				else if (same_type(a->type, b->type))
					rc = sky_err_set(eb, code, "Gres '%s': %s%s%s given twice", spec,
							 a->name, a->type ? ":" : "", a->type ? a->type : "");
			}
out:
	free(copy);
	return rc;
}

int gres_parse_request(const char *spec, struct gres_list *out, struct sky_errbuf *eb)
{
	/* --gres=none: no GRES at all (srun uses it to keep a step off the job's). */
	if (spec && !strcasecmp(spec, "none"))
		return 0;
	return parse_list(spec, false, out, eb);
}

int gres_parse_node(const char *spec, struct gres_list *out, struct sky_errbuf *eb)
{
	return parse_list(spec, true, out, eb);
}

char *gres_list_str(const struct gres_list *l)
{
	char *s = NULL;

	for (size_t i = 0; i < l->n; i++) {
		const struct gres_item *it = &l->v[i];
		char *t = xasprintf("%s%s%s%s%s%s:%llu", s ? s : "", s ? "," : "", it->name,
				    it->type ? ":" : "", it->type ? it->type : "",
				    it->no_consume ? ":no_consume" : "", (unsigned long long)it->count);
		free(s);
		s = t;
	}
	return s;
}

char *gres_tres_suffix(const struct gres_list *l, uint64_t mult)
{
	char *s = xstrdup("");

	for (size_t i = 0; i < l->n; i++) {
		uint64_t total = 0;
		bool seen = false;
		char *t;

		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcasecmp(l->v[k].name, l->v[i].name);
		/* A shared (no_consume) GRES is never used up: nothing to account. */
		if (seen || l->v[i].no_consume)
			continue;
		for (size_t k = i; k < l->n; k++)
			if (!strcasecmp(l->v[k].name, l->v[i].name))
				total += l->v[k].job_total ? l->v[k].job_total : l->v[k].count * mult;
		t = xasprintf("%s,gres/%s=%llu", s, l->v[i].name, (unsigned long long)total);
		free(s);
		s = t;
	}
	return s;
}

/* ---- a job's need ---- */

/* "[type:]N" of the --gpus* options as a gpu list. */
static int parse_gpus(const char *v, struct gres_list *out, struct sky_errbuf *eb)
{
	char *spec;
	int rc;

	if (!v || !*v)
		return 0;
	if (strchr(v, ','))
		return sky_err_set(eb, SKY_E_INVALID_GRES, "%s", sky_strerror(SKY_E_INVALID_GRES));
	spec = xasprintf("gpu:%s", v);
	rc = gres_parse_request(spec, out, eb);
	free(spec);
	return rc;
}

/* Merge src into dst, each entry's count times mult (and spread as job totals when job). */
static int merge(struct gres_list *dst, const struct gres_list *src, uint64_t mult, uint32_t nodes,
		 bool job, struct sky_errbuf *eb)
{
	for (size_t i = 0; i < src->n; i++) {
		const struct gres_item *s = &src->v[i];
		uint64_t per_node = job ? (s->count + nodes - 1) / nodes : s->count * mult;
		bool merged = false;

		for (size_t k = 0; k < dst->n; k++) {
			struct gres_item *d = &dst->v[k];
			if (strcasecmp(d->name, s->name))
				continue;
			if (!d->type != !s->type)
				return sky_err_set(eb, SKY_E_INVALID_GRES, "%s", GRES_MSG_TYPE_MIX);
			if (!same_type(d->type, s->type))
				continue;
			if (d->count != per_node)
				return sky_err_set(eb, SKY_E_INVALID_GRES, "%s",
						   sky_strerror(SKY_E_INVALID_GRES));
			if (job)
				d->job_total = s->count;
			merged = true;
		}
		if (merged)
			continue;
		gres_list_add(dst, s->name, s->type, per_node);
		if (job)
			dst->v[dst->n - 1].job_total = s->count;
	}
	return 0;
}

/* Within one list: no (name, type) twice, no name both typed and untyped. */
static int check_one(const struct gres_list *l, struct sky_errbuf *eb)
{
	for (size_t i = 0; i < l->n; i++)
		for (size_t k = i + 1; k < l->n; k++) {
			if (strcasecmp(l->v[i].name, l->v[k].name))
				continue;
			if (!l->v[i].type != !l->v[k].type)
				return sky_err_set(eb, SKY_E_INVALID_GRES, "%s", GRES_MSG_TYPE_MIX);
			if (same_type(l->v[i].type, l->v[k].type))
				return sky_err_set(eb, SKY_E_INVALID_GRES, "%s",
						   sky_strerror(SKY_E_INVALID_GRES));
		}
	return 0;
}

int gres_job_need(const Sky__JobDesc *d, uint32_t nodes, uint32_t tasks_per_node,
		  struct gres_list *out, struct sky_errbuf *eb)
{
	struct gres_list forms[4] = { { 0 } };
	int rc;

	memset(out, 0, sizeof(*out));
	if (!nodes)
		nodes = 1;
	if (!tasks_per_node)
		tasks_per_node = 1;
	if ((d->gres && *d->gres && (rc = gres_parse_request(d->gres, &forms[0], eb))) ||
	    (rc = parse_gpus(d->gpus_per_node, &forms[1], eb)) ||
	    (rc = parse_gpus(d->gpus_per_task, &forms[2], eb)) ||
	    (rc = parse_gpus(d->gpus, &forms[3], eb)))
		goto out;
	for (int f = 0; f < 4; f++)
		if ((rc = check_one(&forms[f], eb)))
			goto out;
	if ((rc = merge(out, &forms[0], 1, nodes, false, eb)) ||
	    (rc = merge(out, &forms[1], 1, nodes, false, eb)) ||
	    (rc = merge(out, &forms[2], tasks_per_node, nodes, false, eb)) ||
	    (rc = merge(out, &forms[3], 1, nodes, true, eb)))
		goto out;
out:
	for (int f = 0; f < 4; f++)
		gres_list_free(&forms[f]);
	if (rc)
		gres_list_free(out);
	return rc;
}

/* ---- index sets ---- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int gres_idx_parse(const char *s, uint32_t **idx, size_t *n, struct sky_errbuf *eb)
{
	uint32_t *v = NULL;
	size_t cnt = 0, k = 0;
	const char *p = s;

	*idx = NULL;
	*n = 0;
	while (p && *p) {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b = a;

		if (end == p || a > 1u << 20)
			goto bad;
		p = end;
		if (*p == '-') {
			b = strtoul(p + 1, &end, 10);
			if (end == p + 1 || b < a || b > 1u << 20)
				goto bad;
			p = end;
		}
		if (*p && *p != ',')
			goto bad;
		if (*p)
			p++;
		v = xrealloc(v, (cnt + (b - a) + 1) * sizeof(*v));
		for (unsigned long i = a; i <= b; i++)
			v[cnt++] = (uint32_t)i;
	}
	if (cnt) {
		qsort(v, cnt, sizeof(*v), cmp_u32);
		for (size_t i = 0; i < cnt; i++)
			if (!k || v[k - 1] != v[i])
				v[k++] = v[i];
	}
	*idx = v;
	*n = k;
	return 0;
bad:
	free(v);
	return sky_err_set(eb, SKY_E_INVALID_GRES, "bad GRES index list '%s'", s);
}

char *gres_idx_str(const uint32_t *idx, size_t n)
{
	uint32_t *v = xcalloc(n + 1, sizeof(*v));
	char *s = xstrdup("");

	memcpy(v, idx, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_u32);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		char *t;

		while (j + 1 < n && v[j + 1] <= v[j] + 1)
			j++;
		if (v[j] == v[i])
			t = xasprintf("%s%s%u", s, *s ? "," : "", v[i]);
		else
			t = xasprintf("%s%s%u-%u", s, *s ? "," : "", v[i], v[j]);
		free(s);
		s = t;
		i = j + 1;
	}
	free(v);
	return s;
}

/* ---- a job's devices ---- */

char *gres_job_alloc_str(const Sky__JobRecord *rec, const char *node)
{
	char *s = NULL;

	for (size_t i = 0; i < rec->n_gres_alloc; i++) {
		const Sky__GresAlloc *g = rec->gres_alloc[i];
		char *t;

		if (node && strcmp(g->node, node))
			continue;
		t = xasprintf("%s%s%s%s%s:%llu(IDX:%s)", s ? s : "", s ? "," : "", g->name,
			      g->type && *g->type ? ":" : "", g->type ? g->type : "",
			      (unsigned long long)g->count,
			      g->indices && *g->indices ? g->indices : "N/A");
		free(s);
		s = t;
	}
	return s;
}

int gres_job_node_indices(const Sky__JobRecord *rec, const char *node, const char *name,
			  uint32_t **idx, size_t *n, struct sky_errbuf *eb)
{
	uint32_t *all = NULL;
	size_t cnt = 0;
	int rc = 0;

	*idx = NULL;
	*n = 0;
	for (size_t i = 0; i < rec->n_gres_alloc; i++) {
		const Sky__GresAlloc *g = rec->gres_alloc[i];
		uint32_t *v;
		size_t k;

		if (strcmp(g->node, node) || strcasecmp(g->name, name) || !g->indices)
			continue;
		if ((rc = gres_idx_parse(g->indices, &v, &k, eb)))
			break;
		all = xrealloc(all, (cnt + k + 1) * sizeof(*all));
		memcpy(all + cnt, v, k * sizeof(*v));
		cnt += k;
		free(v);
	}
	if (rc) {
		free(all);
		return rc;
	}
	if (cnt)
		qsort(all, cnt, sizeof(*all), cmp_u32);
	*idx = all;
	*n = cnt;
	return 0;
}

/* ---- what the commands print ---- */

char *gres_job_tres_suffix(const Sky__JobRecord *j, bool alloc)
{
	struct gres_list l = { 0 };
	struct sky_errbuf eb;
	uint32_t nodes = j->num_nodes ? j->num_nodes : 1;
	char *s;

	sky_err_clear(&eb);
	if (alloc) {
		for (size_t i = 0; i < j->n_gres_alloc; i++)
			gres_list_add(&l, j->gres_alloc[i]->name, NULL, j->gres_alloc[i]->count);
		s = gres_tres_suffix(&l, 1);
	} else {
		const Sky__JobDesc *d = j->desc;
		uint32_t tasks = j->num_tasks ? j->num_tasks : d->num_tasks;
		uint32_t tpn = d->ntasks_per_node ? d->ntasks_per_node :
			       tasks ? (tasks + nodes - 1) / nodes : 1;
		if (gres_job_need(d, nodes, tpn, &l, &eb))
			return xstrdup("");
		s = gres_tres_suffix(&l, nodes);
	}
	gres_list_free(&l);
	return s;
}

char *gres_node_tres_suffix(const char *gres)
{
	struct gres_list l = { 0 };
	struct sky_errbuf eb;
	char *s;

	sky_err_clear(&eb);
	if (!gres || !*gres || gres_parse_node(gres, &l, &eb)) {
		gres_list_free(&l);
		return xstrdup("");
	}
	s = gres_tres_suffix(&l, 1);
	gres_list_free(&l);
	return s;
}

static void append_entries(char **s, const char *prefix, const char *list)
{
	char *copy, *e, *next;

	if (!list || !*list)
		return;
	copy = xstrdup(list);
	for (e = copy; e; e = next) {
		char *t;
		if ((next = strchr(e, ',')))
			*next++ = '\0';
		if (!*e)
			continue;
		if (!strncasecmp(e, "gres/", 5) || !strncasecmp(e, "gres:", 5))
			e += 5;
		t = xasprintf("%s%s%s%s", *s ? *s : "", *s ? "," : "", prefix, e);
		free(*s);
		*s = t;
	}
	free(copy);
}

char *gres_tres_per_node(const Sky__JobDesc *d)
{
	char *s = NULL;

	append_entries(&s, "gres/", d->gres);
	append_entries(&s, "gres/gpu:", d->gpus_per_node);
	return s;
}

char *gres_tres_per_task(const Sky__JobDesc *d)
{
	char *s = NULL;

	append_entries(&s, "gres/gpu:", d->gpus_per_task);
	return s;
}

/* "gpu:a100:8": the job's devices summed over its nodes per (name, type); NULL when none. */
static char *job_total_str(const Sky__JobRecord *j)
{
	struct gres_list l = { 0 };
	char *s;

	for (size_t i = 0; i < j->n_gres_alloc; i++) {
		const Sky__GresAlloc *g = j->gres_alloc[i];
		bool merged = false;
		for (size_t k = 0; k < l.n && !merged; k++)
			if (!strcasecmp(l.v[k].name, g->name) &&
			    same_type(l.v[k].type, g->type && *g->type ? g->type : NULL)) {
				l.v[k].count += g->count;
				merged = true;
			}
		if (!merged)
			gres_list_add(&l, g->name, g->type, g->count);
	}
	s = gres_list_str(&l);
	gres_list_free(&l);
	return s;
}

char *gres_job_detail(const Sky__JobRecord *j, const char *sep, const char *nsep,
		      const char *cpu_ids)
{
	struct sky_errbuf eb;
	char **names = NULL, **per = NULL, *total = job_total_str(j), *out;
	size_t n = 0;
	bool same = true;

	out = xasprintf("%sJOB_GRES=%s", sep, total ? total : "(null)");
	free(total);
	sky_err_clear(&eb);
	if (!j->node_list || hostlist_expand(j->node_list, &names, &n, &eb))
		n = 0;
	per = xcalloc(n + 1, sizeof(*per));
	for (size_t i = 0; i < n; i++) {
		per[i] = gres_job_alloc_str(j, names[i]);
		if (i && ((per[i] == NULL) != (per[0] == NULL) || (per[i] && strcmp(per[i], per[0]))))
			same = false;
	}
	for (size_t i = 0; i < (same ? (n ? 1 : 0) : n); i++) {
		char *t = xasprintf("%s%sNodes=%s CPU_IDs=%s Mem=%llu GRES=%s", out, nsep,
				    same ? j->node_list : names[i], cpu_ids,
				    (unsigned long long)j->mem_per_node_mb, per[i] ? per[i] : "");
		free(out);
		out = t;
	}
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
		free(per[i]);
	}
	free(names);
	free(per);
	return out;
}
