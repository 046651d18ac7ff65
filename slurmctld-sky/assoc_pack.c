/*
 * assoc_pack.c: the association tree to bytes and back (assoc.h).
 *
 * Layout, all little-endian:
 *   "SKYA" u32:version i64:last_decay i64:last_reset
 *   u32:n_tres { str:name }*n_tres
 *   u32:next_id u32:n_assoc
 *   { u32:id u32:parent_id str:acct str:user str:partition u32:shares
 *     6 x { u64 x n_tres } (the TRES limits) 9 x u32 (the other limits)
 *     f64:usage_raw f64:grp_used_wall { f64 x n_tres }:usage_tres
 *     str:qos str:def_qos (version 2 on) } * n_assoc
 * in depth-first pre-order, so every parent precedes its children and the
 * reader links as it goes. str is u32:length + bytes, length 0xffffffff for
 * NULL. Writing the pre-order also keeps sibling order, which makes a round
 * trip byte-identical.
 */
#include "config.h"

#include <string.h>

#include "assoc.h"
#include "assoc_int.h"
#include "xalloc.h"

#define PACK_MAGIC "SKYA"
#define PACK_VERSION 2u
#define STR_NULL 0xffffffffu

struct wbuf {
	uint8_t *p;
	size_t len, cap;
};

static void w_bytes(struct wbuf *w, const void *src, size_t n)
{
	if (w->len + n > w->cap) {
		while (w->len + n > w->cap)
			w->cap = w->cap ? w->cap * 2 : 4096;
		w->p = xrealloc(w->p, w->cap);
	}
	memcpy(w->p + w->len, src, n);
	w->len += n;
}

static void w_u64(struct wbuf *w, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	w_bytes(w, b, 8);
}

static void w_u32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4];

	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	w_bytes(w, b, 4);
}

static void w_f64(struct wbuf *w, double d)
{
	uint64_t v;

	memcpy(&v, &d, sizeof(v));
	w_u64(w, v);
}

static void w_str(struct wbuf *w, const char *s)
{
	if (!s) {
		w_u32(w, STR_NULL);
		return;
	}
	w_u32(w, (uint32_t)strlen(s));
	w_bytes(w, s, strlen(s));
}

static const struct tres_vec *lim_vec(const struct assoc_limits *l, int i)
{
	const struct tres_vec *v[6] = { &l->grp_tres, &l->grp_tres_mins, &l->grp_tres_run_mins,
					&l->max_tres_per_job, &l->max_tres_per_node,
					&l->max_tres_mins_per_job };
	return v[i];
}

static uint32_t *lim_u32(struct assoc_limits *l, int i)
{
	uint32_t *v[9] = { &l->grp_jobs, &l->grp_jobs_accrue, &l->grp_submit_jobs,
			   &l->grp_wall_mins, &l->max_jobs, &l->max_jobs_accrue,
			   &l->max_submit_jobs, &l->max_wall_mins, &l->priority };
	return v[i];
}

struct pack_ctx {
	struct wbuf *w;
	size_t n_tres;
};

static int pack_one(struct assoc *a, int depth, void *arg)
{
	struct pack_ctx *c = arg;

	(void)depth;
	w_u32(c->w, a->id);
	w_u32(c->w, a->parent ? a->parent->id : 0);
	w_str(c->w, a->acct);
	w_str(c->w, a->user);
	w_str(c->w, a->partition);
	w_u32(c->w, a->shares_raw);
	for (int i = 0; i < 6; i++)
		for (size_t k = 0; k < c->n_tres; k++)
			w_u64(c->w, lim_vec(&a->lim, i)->v[k]);
	for (int i = 0; i < 9; i++)
		w_u32(c->w, *lim_u32(&a->lim, i));
	w_f64(c->w, a->usage_raw);
	w_f64(c->w, a->grp_used_wall);
	for (size_t k = 0; k < c->n_tres; k++)
		w_f64(c->w, a->usage_tres[k]);
	w_str(c->w, a->qos);
	w_str(c->w, a->def_qos);
	return 0;
}

int assoc_tree_pack(const struct assoc_tree *t, uint8_t **buf, size_t *len)
{
	struct wbuf w = { 0 };
	struct pack_ctx c = { &w, t->tres.n };

	w_bytes(&w, PACK_MAGIC, 4);
	w_u32(&w, PACK_VERSION);
	w_u64(&w, (uint64_t)(int64_t)t->last_decay);
	w_u64(&w, (uint64_t)(int64_t)t->last_reset);
	w_u32(&w, (uint32_t)t->tres.n);
	for (size_t i = 0; i < t->tres.n; i++)
		w_str(&w, t->tres.name[i]);
	w_u32(&w, t->next_id);
	w_u32(&w, (uint32_t)t->n_assoc);
	assoc_foreach(t, pack_one, &c);
	*buf = w.p;
	*len = w.len;
	return 0;
}

/* --- reading ------------------------------------------------------------- */

struct rbuf {
	const uint8_t *p;
	size_t len, off;
	uint32_t version;   /* the layout being read (1: no QOS lists) */
	bool bad;           /* a read ran past the end: every later read returns 0 */
};

static bool r_take(struct rbuf *r, void *dst, size_t n)
{
	if (r->bad || r->len - r->off < n) {
		r->bad = true;
		memset(dst, 0, n);
		return false;
	}
	memcpy(dst, r->p + r->off, n);
	r->off += n;
	return true;
}

static uint64_t r_u64(struct rbuf *r)
{
	uint8_t b[8];
	uint64_t v = 0;

	r_take(r, b, 8);
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | b[i];
	return v;
}

static uint32_t r_u32(struct rbuf *r)
{
	uint8_t b[4];

	r_take(r, b, 4);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static double r_f64(struct rbuf *r)
{
	uint64_t v = r_u64(r);
	double d;

	memcpy(&d, &v, sizeof(d));
	return d;
}

/* A string (caller frees) or NULL; *ok false when malformed. */
static char *r_str(struct rbuf *r, bool *ok)
{
	uint32_t n = r_u32(r);
	char *s;

	if (n == STR_NULL)
		return NULL;
	if (r->bad || r->len - r->off < n) {
		r->bad = true;
		*ok = false;
		return NULL;
	}
	s = xstrndup((const char *)r->p + r->off, n);
	if (strlen(s) != n)         /* an embedded NUL */
		*ok = false;
	r->off += n;
	return s;
}

static int read_header(struct rbuf *r, struct assoc_tree *t, struct sky_errbuf *eb)
{
	char magic[4];
	uint32_t ver, n_tres;
	bool ok = true;

	r_take(r, magic, 4);
	if (r->bad || memcmp(magic, PACK_MAGIC, 4))
		return sky_err_set(eb, SKY_E_STORE, "association tree: bad magic");
	if ((ver = r_u32(r)) < 1 || ver > PACK_VERSION)
		return sky_err_set(eb, SKY_E_STORE, "association tree: unknown version %u", ver);
	r->version = ver;
	t->last_decay = (time_t)(int64_t)r_u64(r);
	t->last_reset = (time_t)(int64_t)r_u64(r);
	n_tres = r_u32(r);
	if (n_tres < TRES_STATIC_CNT || n_tres > ASSOC_TRES_MAX)
		return sky_err_set(eb, SKY_E_STORE, "association tree: %u TRES", n_tres);
	for (uint32_t i = 0; i < n_tres && !r->bad; i++) {
		char *name = r_str(r, &ok);
		size_t idx = 0;
		int rc = 0;

		if (!name || !ok)
			rc = sky_err_set(eb, SKY_E_STORE, "association tree: bad TRES name");
		else if (i < TRES_STATIC_CNT ? strcmp(name, t->tres.name[i]) != 0 :
			 (tres_table_add(&t->tres, name, &idx, eb) || idx != i))
			rc = sky_err_set(eb, SKY_E_STORE, "association tree: TRES %u is '%s'", i,
					 name);
		free(name);
		if (rc)
			return rc;
	}
	return 0;
}

/* The fields after the key; the layout is pack_one's. */
static void read_body(struct rbuf *r, struct assoc *a, size_t n_tres)
{
	a->shares_raw = r_u32(r);
	for (int i = 0; i < 6; i++) {
		struct tres_vec *v = (struct tres_vec *)lim_vec(&a->lim, i);

		for (size_t k = 0; k < n_tres; k++)
			v->v[k] = r_u64(r);
	}
	for (int i = 0; i < 9; i++)
		*lim_u32(&a->lim, i) = r_u32(r);
	a->usage_raw = r_f64(r);
	a->grp_used_wall = r_f64(r);
	for (size_t k = 0; k < n_tres; k++)
		a->usage_tres[k] = r_f64(r);
	if (r->version >= 2) {
		bool ok = true;

		a->qos = r_str(r, &ok);
		a->def_qos = r_str(r, &ok);
		if (!ok)
			r->bad = true;
	}
}

static int read_assoc(struct rbuf *r, struct assoc_tree *t, bool first, uint32_t next_id,
		      struct sky_errbuf *eb)
{
	uint32_t id = r_u32(r), pid = r_u32(r);
	bool ok = true;
	char *acct = r_str(r, &ok), *user = r_str(r, &ok), *part = r_str(r, &ok);
	struct assoc *parent = assoc_find_id(t, pid), *a;
	int rc = 0;

	if (r->bad || !ok || !acct || !*acct || (user && !*user) || (part && (!*part || !user))) {
		rc = sky_err_set(eb, SKY_E_STORE, "association tree: bad association record");
	} else if (first) {
		if (id != 1 || pid || user || strcmp(acct, "root"))
			rc = sky_err_set(eb, SKY_E_STORE, "association tree: root is not first");
		else
			read_body(r, t->root, t->tres.n);
		goto out;
	} else if (!id || id >= next_id || assoc_find_id(t, id)) {
		rc = sky_err_set(eb, SKY_E_STORE, "association tree: bad id %u", id);
	} else if (!parent || parent->user || (user && strcmp(parent->acct, acct))) {
		rc = sky_err_set(eb, SKY_E_STORE, "association tree: bad parent %u of %u", pid, id);
	} else if (assoc_find(t, acct, user, part) || (!user && assoc_find(t, acct, NULL, NULL))) {
		rc = sky_err_set(eb, SKY_E_STORE, "association tree: %s/%s twice", acct,
				 user ? user : "");
	}
	if (rc)
		goto out;
	a = assoc__link(t, id, acct, user, part, parent);
	read_body(r, a, t->tres.n);
out:
	free(acct);
	free(user);
	free(part);
	return rc;
}

int assoc_tree_unpack(const uint8_t *buf, size_t len, struct assoc_tree **out,
		      struct sky_errbuf *eb)
{
	struct rbuf r = { buf, len, 0, 0, false };
	struct assoc_tree *t = assoc_tree_new();
	uint32_t next_id, n_assoc;
	int rc;

	if ((rc = read_header(&r, t, eb)))
		goto fail;
	next_id = r_u32(&r);
	n_assoc = r_u32(&r);
	if (r.bad || !n_assoc || n_assoc >= next_id || next_id == UINT32_MAX) {
		rc = sky_err_set(eb, SKY_E_STORE, "association tree: bad counts");
		goto fail;
	}
	for (uint32_t i = 0; i < n_assoc; i++)
		if ((rc = read_assoc(&r, t, i == 0, next_id, eb)))
			goto fail;
	if (r.bad || r.off != r.len) {
		rc = sky_err_set(eb, SKY_E_STORE, "association tree: %s",
				 r.bad ? "truncated" : "trailing bytes");
		goto fail;
	}
	/* Ids of deleted associations stay retired. */
	t->next_id = next_id;
	*out = t;
	return 0;
fail:
	assoc_tree_free(t);
	return rc;
}
