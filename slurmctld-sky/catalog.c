/*
 * catalog.c: load price catalogs (catalog.h).
 *
 * Built for ~100k rows loaded in milliseconds: strings are interned into
 * fixed chunks (one allocation per 64 KiB, pointers stay valid), rows go
 * into one growing array, duplicates are found with a hash set keyed on the
 * interned pointers.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "xalloc.h"

#define POOL_CHUNK (64 * 1024)

struct pool_chunk {
	struct pool_chunk *next;
	size_t used, cap;
	char data[];
};

struct catalog_pool {
	struct pool_chunk *head;
};

/* Open addressing, power-of-two size, at most half full. */
struct catalog_intern {
	const char **slot;
	size_t cap, n;
};

struct catalog_dups {
	uint32_t *slot;         /* offering index + 1; 0 = empty */
	size_t cap, n;
};

/* The columns we read; COL_N marks "not present". */
enum col {
	COL_TYPE, COL_ACCEL, COL_ACCEL_COUNT, COL_VCPUS, COL_MEM, COL_PRICE, COL_SPOT,
	COL_REGION, COL_ZONE, COL_N
};

static const struct {
	const char *name;
	bool required;
} col_def[COL_N] = {
	[COL_TYPE] = { "InstanceType", true },
	[COL_ACCEL] = { "AcceleratorName", true },
	[COL_ACCEL_COUNT] = { "AcceleratorCount", true },
	[COL_VCPUS] = { "vCPUs", true },
	[COL_MEM] = { "MemoryGiB", true },
	[COL_PRICE] = { "Price", true },
	[COL_SPOT] = { "SpotPrice", false },
	[COL_REGION] = { "Region", true },
	[COL_ZONE] = { "AvailabilityZone", false },
};

static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static char *pool_copy(struct catalog_pool *p, const char *s, size_t len)
{
	struct pool_chunk *c = p->head;
	char *out;

	if (!c || c->cap - c->used < len + 1) {
		size_t cap = len + 1 > POOL_CHUNK ? len + 1 : POOL_CHUNK;

		c = xmalloc(sizeof(*c) + cap);
		c->cap = cap;
		c->next = p->head;
		p->head = c;
	}
	out = c->data + c->used;
	memcpy(out, s, len);
	out[len] = '\0';
	c->used += len + 1;
	return out;
}

static void intern_grow(struct catalog_intern *t)
{
	size_t cap = t->cap ? t->cap * 2 : 1024;
	const char **slot = xcalloc(cap, sizeof(*slot));

	for (size_t i = 0; i < t->cap; i++) {
		const char *s = t->slot[i];
		size_t j;

		if (!s)
			continue;
		j = hash_bytes(s, strlen(s)) & (cap - 1);
		while (slot[j])
			j = (j + 1) & (cap - 1);
		slot[j] = s;
	}
	free(t->slot);
	t->slot = slot;
	t->cap = cap;
}

/* The slot where s (len bytes) is or would go. */
static size_t intern_find(const struct catalog_intern *t, const char *s, size_t len)
{
	size_t j = hash_bytes(s, len) & (t->cap - 1);

	while (t->slot[j] && (strncmp(t->slot[j], s, len) != 0 || t->slot[j][len] != '\0'))
		j = (j + 1) & (t->cap - 1);
	return j;
}

static const char *intern(struct catalog *cat, const char *s, size_t len)
{
	struct catalog_intern *t = cat->intern;
	size_t j;

	if ((t->n + 1) * 2 > t->cap)
		intern_grow(t);
	j = intern_find(t, s, len);
	if (!t->slot[j]) {
		t->slot[j] = pool_copy(cat->pool, s, len);
		t->n++;
	}
	return t->slot[j];
}

const char *catalog_lookup(const struct catalog *cat, const char *s)
{
	size_t j;

	if (!s || cat->intern->cap == 0)
		return NULL;
	j = intern_find(cat->intern, s, strlen(s));
	return cat->intern->slot[j];
}

static uint64_t offering_key_hash(const struct offering *o)
{
	uintptr_t k[6] = { (uintptr_t)o->cloud, (uintptr_t)o->type, (uintptr_t)o->accel,
			   (uintptr_t)o->region, (uintptr_t)o->zone, o->accel_count };

	return hash_bytes((const char *)k, sizeof(k));
}

static bool offering_same(const struct offering *a, const struct offering *b)
{
	return a->cloud == b->cloud && a->type == b->type && a->accel == b->accel &&
	       a->region == b->region && a->zone == b->zone && a->accel_count == b->accel_count;
}

static void dups_reset(struct catalog *cat, size_t upto);

/* Add offering i; returns the index of an equal earlier offering, or -1. */
static long dups_add(struct catalog *cat, uint32_t i)
{
	struct catalog_dups *d = cat->dups;
	size_t j;

	if ((d->n + 1) * 2 > d->cap)
		dups_reset(cat, i);
	j = offering_key_hash(&cat->v[i]) & (d->cap - 1);
	while (d->slot[j]) {
		uint32_t k = d->slot[j] - 1;

		if (offering_same(&cat->v[k], &cat->v[i]))
			return (long)k;
		j = (j + 1) & (d->cap - 1);
	}
	d->slot[j] = i + 1;
	d->n++;
	return -1;
}

/* Rebuild the set from offerings [0, upto), sized for growth. */
static void dups_reset(struct catalog *cat, size_t upto)
{
	struct catalog_dups *d = cat->dups;
	size_t cap = 1024;

	while (cap < (upto + 1) * 4)
		cap *= 2;
	free(d->slot);
	d->slot = xcalloc(cap, sizeof(*d->slot));
	d->cap = cap;
	d->n = 0;
	for (size_t i = 0; i < upto; i++)
		(void)dups_add(cat, (uint32_t)i);
}

struct catalog *catalog_new(void)
{
	struct catalog *cat = xmalloc(sizeof(*cat));

	cat->pool = xmalloc(sizeof(*cat->pool));
	cat->intern = xmalloc(sizeof(*cat->intern));
	cat->dups = xmalloc(sizeof(*cat->dups));
	intern_grow(cat->intern);
	dups_reset(cat, 0);
	cat->accels = xmalloc(sizeof(*cat->accels));
	cat->accels[0] = intern(cat, "", 0);
	cat->n_accels = 1;
	return cat;
}

void catalog_free(struct catalog *cat)
{
	struct pool_chunk *c, *next;

	if (!cat)
		return;
	for (c = cat->pool->head; c; c = next) {
		next = c->next;
		free(c);
	}
	for (size_t a = 0; a < cat->n_groups; a++)
		free(cat->by_accel[a]);
	free(cat->by_accel);
	free(cat->n_by_accel);
	free(cat->accels);
	free(cat->pool);
	free(cat->intern->slot);
	free(cat->intern);
	free(cat->dups->slot);
	free(cat->dups);
	free(cat->v);
	free(cat);
}

static uint32_t accel_id(struct catalog *cat, const char *accel)
{
	for (size_t a = 0; a < cat->n_accels; a++)
		if (cat->accels[a] == accel)
			return (uint32_t)a;
	cat->accels = xrealloc(cat->accels, (cat->n_accels + 1) * sizeof(*cat->accels));
	cat->accels[cat->n_accels] = accel;
	return (uint32_t)cat->n_accels++;
}

/* Regroup offering indices by accelerator (after every successful load). */
static void index_by_accel(struct catalog *cat)
{
	size_t *fill;

	for (size_t a = 0; a < cat->n_groups; a++)
		free(cat->by_accel[a]);
	free(cat->by_accel);
	free(cat->n_by_accel);
	cat->by_accel = xcalloc(cat->n_accels, sizeof(*cat->by_accel));
	cat->n_by_accel = xcalloc(cat->n_accels, sizeof(*cat->n_by_accel));
	cat->n_groups = cat->n_accels;
	for (size_t i = 0; i < cat->n; i++)
		cat->n_by_accel[cat->v[i].accel_id]++;
	fill = xcalloc(cat->n_accels, sizeof(*fill));
	for (size_t a = 0; a < cat->n_accels; a++)
		cat->by_accel[a] = xcalloc(cat->n_by_accel[a] + 1, sizeof(uint32_t));
	for (size_t i = 0; i < cat->n; i++) {
		uint32_t a = cat->v[i].accel_id;

		cat->by_accel[a][fill[a]++] = (uint32_t)i;
	}
	free(fill);
}

/* Parser state for one file. */
struct load {
	struct catalog *cat;
	const char *name;       /* for messages */
	const char *file;       /* interned name */
	const char *cloud;      /* interned */
	int col[COL_N];         /* field index of each column, -1 = absent */
	int n_cols;             /* fields in the header */
	unsigned line;
	struct sky_errbuf *eb;
};

#define MAX_FIELDS 64

/*
 * Split line (modified in place) into fields; "..." quoting with "" for a
 * quote. Returns the field count, or -1 on a bad quote.
 */
static int split_csv(char *line, char **f, int max)
{
	int n = 0;
	char *r = line, *w;

	for (;;) {
		if (n == max)
			return max + 1;
		f[n++] = w = r;
		if (*r == '"') {
			r++;
			for (;;) {
				if (*r == '\0')
					return -1;
				if (*r == '"' && r[1] == '"') {
					*w++ = '"';
					r += 2;
				} else if (*r == '"') {
					r++;
					break;
				} else {
					*w++ = *r++;
				}
			}
			if (*r != ',' && *r != '\0')
				return -1;
		} else {
			while (*r != ',' && *r != '\0')
				*w++ = *r++;
		}
		if (*r == '\0') {
			*w = '\0';
			return n;
		}
		*w = '\0';
		r++;
	}
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int parse_header(struct load *ld, char **f, int n)
{
	for (int c = 0; c < COL_N; c++)
		ld->col[c] = -1;
	for (int i = 0; i < n; i++) {
		const char *h = trim(f[i]);

		for (int c = 0; c < COL_N; c++)
			if (strcmp(h, col_def[c].name) == 0) {
				if (ld->col[c] >= 0)
					return sky_err_set(ld->eb, SKY_E_CONFIG,
							   "%s:%u: column '%s' appears twice",
							   ld->name, ld->line, h);
				ld->col[c] = i;
			}
	}
	for (int c = 0; c < COL_N; c++)
		if (col_def[c].required && ld->col[c] < 0)
			return sky_err_set(ld->eb, SKY_E_CONFIG, "%s:%u: header lacks column '%s'",
					   ld->name, ld->line, col_def[c].name);
	ld->n_cols = n;
	return 0;
}

static const char *field(const struct load *ld, char **f, enum col c)
{
	return ld->col[c] < 0 ? "" : f[ld->col[c]];
}

/* A number >= 0; empty gives *present = false. */
static int parse_num(const struct load *ld, char **f, enum col c, double *out, bool *present)
{
	const char *s = field(ld, f, c);
	char *end;

	*present = *s != '\0';
	*out = 0;
	if (!*present)
		return 0;
	errno = 0;
	*out = strtod(s, &end);
	if (*end != '\0' || errno || !isfinite(*out))
		return sky_err_set(ld->eb, SKY_E_CONFIG, "%s:%u: column %s: '%s' is not a number",
				   ld->name, ld->line, col_def[c].name, s);
	if (*out < 0)
		return sky_err_set(ld->eb, SKY_E_CONFIG, "%s:%u: column %s: '%s' is negative",
				   ld->name, ld->line, col_def[c].name, s);
	return 0;
}

static int require_text(const struct load *ld, char **f, enum col c)
{
	if (*field(ld, f, c) == '\0')
		return sky_err_set(ld->eb, SKY_E_CONFIG, "%s:%u: column %s is empty", ld->name,
				   ld->line, col_def[c].name);
	return 0;
}

static int64_t to_micro(double v, bool present)
{
	return present ? llround(v * 1e6) : CATALOG_NO_PRICE;
}

static int parse_row(struct load *ld, char **f, int n)
{
	struct catalog *cat = ld->cat;
	struct offering o = { .cloud = ld->cloud, .file = ld->file, .line = ld->line };
	double count, vcpus, mem, price, spot;
	bool has_count, has_vcpus, has_mem, has_price, has_spot;
	int rc;
	long dup;

	if (n != ld->n_cols)
		return sky_err_set(ld->eb, SKY_E_CONFIG, "%s:%u: %d fields, the header has %d",
				   ld->name, ld->line, n, ld->n_cols);
	for (int i = 0; i < n; i++)
		f[i] = trim(f[i]);
	if ((rc = require_text(ld, f, COL_TYPE)) || (rc = require_text(ld, f, COL_REGION)) ||
	    (rc = parse_num(ld, f, COL_ACCEL_COUNT, &count, &has_count)) ||
	    (rc = parse_num(ld, f, COL_VCPUS, &vcpus, &has_vcpus)) ||
	    (rc = parse_num(ld, f, COL_MEM, &mem, &has_mem)) ||
	    (rc = parse_num(ld, f, COL_PRICE, &price, &has_price)) ||
	    (rc = parse_num(ld, f, COL_SPOT, &spot, &has_spot)))
		return rc;
	if (!has_vcpus || !has_mem)
		return sky_err_set(ld->eb, SKY_E_CONFIG, "%s:%u: column %s is empty", ld->name,
				   ld->line, has_vcpus ? "MemoryGiB" : "vCPUs");
	if (!has_price && !has_spot)
		return sky_err_set(ld->eb, SKY_E_CONFIG,
				   "%s:%u: columns Price and SpotPrice are both empty", ld->name,
				   ld->line);
	if (count != floor(count) || count > 1024)
		return sky_err_set(ld->eb, SKY_E_CONFIG,
				   "%s:%u: column AcceleratorCount: '%s' is not a whole count",
				   ld->name, ld->line, field(ld, f, COL_ACCEL_COUNT));
	if (*field(ld, f, COL_ACCEL) != '\0' && count < 1)
		return sky_err_set(ld->eb, SKY_E_CONFIG,
				   "%s:%u: column AcceleratorCount: accelerator %s needs a count",
				   ld->name, ld->line, field(ld, f, COL_ACCEL));
	o.type = intern(cat, field(ld, f, COL_TYPE), strlen(field(ld, f, COL_TYPE)));
	o.accel = intern(cat, field(ld, f, COL_ACCEL), strlen(field(ld, f, COL_ACCEL)));
	o.region = intern(cat, field(ld, f, COL_REGION), strlen(field(ld, f, COL_REGION)));
	o.zone = intern(cat, field(ld, f, COL_ZONE), strlen(field(ld, f, COL_ZONE)));
	o.accel_count = *o.accel ? (uint32_t)count : 0;
	o.vcpus = (uint32_t)vcpus;
	o.mem_mib = (uint64_t)llround(mem * 1024);
	o.price_u = to_micro(price, has_price);
	o.spot_u = to_micro(spot, has_spot);
	o.accel_id = accel_id(cat, o.accel);
	if (cat->n == cat->cap) {
		cat->cap = cat->cap ? cat->cap * 2 : 1024;
		cat->v = xrealloc(cat->v, cat->cap * sizeof(*cat->v));
	}
	cat->v[cat->n] = o;
	dup = dups_add(cat, (uint32_t)cat->n);
	if (dup >= 0)
		return sky_err_set(ld->eb, SKY_E_CONFIG,
				   "%s:%u: duplicate offering %s %s in %s/%s (first at %s:%u)",
				   ld->name, ld->line, o.type, *o.accel ? o.accel : "(no accelerator)",
				   o.region, *o.zone ? o.zone : "-", cat->v[dup].file, cat->v[dup].line);
	cat->n++;
	return 0;
}

/* One physical line (no newline). */
static int load_line(struct load *ld, char *line, bool *have_header)
{
	char *f[MAX_FIELDS];
	char *s = trim(line);
	int n;

	if (*s == '\0' || *s == '#')
		return 0;
	n = split_csv(s, f, MAX_FIELDS);
	if (n < 0)
		return sky_err_set(ld->eb, SKY_E_CONFIG, "%s:%u: unbalanced quote", ld->name,
				   ld->line);
	if (n > MAX_FIELDS)
		return sky_err_set(ld->eb, SKY_E_CONFIG, "%s:%u: more than %d fields", ld->name,
				   ld->line, MAX_FIELDS);
	if (!*have_header) {
		*have_header = true;
		return parse_header(ld, f, n);
	}
	return parse_row(ld, f, n);
}

static const char *cloud_from_name(struct catalog *cat, const char *name)
{
	const char *base = strrchr(name, '/');
	size_t len;

	base = base ? base + 1 : name;
	len = strlen(base);
	if (len > 4 && strcmp(base + len - 4, ".csv") == 0)
		len -= 4;
	return intern(cat, base, len);
}

int catalog_load_text(struct catalog *cat, const char *text, size_t len, const char *name,
		      const char *cloud, struct sky_errbuf *eb)
{
	struct load ld = { .cat = cat, .name = name, .eb = eb };
	size_t old_n = cat->n, pos = 0;
	bool have_header = false;
	char *buf = NULL;
	size_t buf_cap = 0;
	int rc = 0;

	ld.file = intern(cat, name, strlen(name));
	ld.cloud = cloud ? intern(cat, cloud, strlen(cloud)) : cloud_from_name(cat, name);
	if (*ld.cloud == '\0')
		return sky_err_set(eb, SKY_E_CONFIG, "%s: no cloud name", name);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;

		if (l + 1 > buf_cap) {
			buf_cap = l + 1 > 256 ? l + 1 : 256;
			buf = xrealloc(buf, buf_cap);
		}
		memcpy(buf, text + pos, l);
		buf[l] = '\0';
		ld.line++;
		if ((rc = load_line(&ld, buf, &have_header)))
			goto fail;
		pos += l + 1;
	}
	if (!have_header) {
		rc = sky_err_set(eb, SKY_E_CONFIG, "%s: no header line", name);
		goto fail;
	}
	free(buf);
	index_by_accel(cat);
	return 0;
fail:
	free(buf);
	cat->n = old_n;
	dups_reset(cat, old_n);
	index_by_accel(cat);
	return rc;
}

int catalog_load_file(struct catalog *cat, const char *path, const char *cloud,
		      struct sky_errbuf *eb)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0, cap = 0, got;
	int rc;

	if (!f)
		return sky_err_set(eb, SKY_E_IO, "%s: %s", path, strerror(errno));
	do {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			text = xrealloc(text, cap);
		}
		got = fread(text + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	if (ferror(f)) {
		rc = sky_err_set(eb, SKY_E_IO, "%s: read error", path);
		fclose(f);
		free(text);
		return rc;
	}
	fclose(f);
	rc = catalog_load_text(cat, text, len, path, cloud, eb);
	free(text);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int catalog_load_dir(struct catalog *cat, const char *dir, struct sky_errbuf *eb)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	int rc = 0;

	if (!d)
		return sky_err_set(eb, SKY_E_IO, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l > 4 && strcmp(e->d_name + l - 4, ".csv") == 0) {
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xasprintf("%s/%s", dir, e->d_name);
		}
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = catalog_load_file(cat, names[i], NULL, eb);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

char *catalog_price_str(int64_t micro, char *buf, size_t len)
{
	int64_t ten_thousandths = (micro + 50) / 100;

	snprintf(buf, len, "%lld.%04lld", (long long)(ten_thousandths / 10000),
		 (long long)(ten_thousandths % 10000));
	return buf;
}
