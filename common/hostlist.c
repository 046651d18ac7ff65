/*
 * hostlist.c: see hostlist.h.
 *
 * A hostlist is kept expanded (one string per host). Lists in slurm-sky are
 * node lists of one cluster, so the memory is small, and an expanded list
 * keeps indexing, searching and de-duplication trivial. Compression back to
 * bracket form happens only when a string is wanted.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlist.h"
#include "xalloc.h"

/* Hosts one expression item (with all its brackets) may expand to. */
#define HOSTLIST_MAX_ITEM (16u * HOSTLIST_MAX_RANGE)
/* Longer numeric suffixes are not treated as numbers (they would overflow). */
#define HOST_MAX_DIGITS 18

struct hostlist {
	char **hosts;
	size_t n, cap;
};

struct hostlist *hostlist_new(void)
{
	return xmalloc(sizeof(struct hostlist));
}

void hostlist_destroy(struct hostlist *hl)
{
	if (!hl)
		return;
	for (size_t i = 0; i < hl->n; i++)
		free(hl->hosts[i]);
	free(hl->hosts);
	free(hl);
}

/* Consumes host. */
static void push_owned(struct hostlist *hl, char *host)
{
	if (hl->n == hl->cap) {
		hl->cap = hl->cap ? hl->cap * 2 : 16;
		hl->hosts = xrealloc(hl->hosts, hl->cap * sizeof(*hl->hosts));
	}
	hl->hosts[hl->n++] = host;
}

void hostlist_push_host(struct hostlist *hl, const char *host)
{
	push_owned(hl, xstrdup(host));
}

/* One numeric range of a bracket: lo..hi, printed zero-padded to width. */
struct range {
	unsigned long lo, hi;
	int width;
};

/* One piece of an item: literal text, or a bracket's list of ranges. */
struct piece {
	char *text;             /* literal, when nr == 0 */
	struct range *r;
	size_t nr;
};

static void pieces_free(struct piece *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].text);
		free(p[i].r);
	}
	free(p);
}

static int parse_number(const char *s, size_t len, unsigned long *v)
{
	unsigned long x = 0;

	if (len == 0 || len > 9)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		x = x * 10 + (unsigned long)(s[i] - '0');
	}
	*v = x;
	return 0;
}

/* Parse "1-3,5,010-012" (the text between brackets, len bytes). */
static int parse_bracket(const char *s, size_t len, const char *expr, struct piece *pc,
			 struct sky_errbuf *eb)
{
	size_t i = 0;

	if (len == 0)
		return sky_err_set(eb, SKY_E_INVAL, "invalid hostlist '%s': empty brackets", expr);
	while (i <= len) {
		size_t start = i, dash = (size_t)-1;
		struct range rg;

		while (i < len && s[i] != ',') {
			if (s[i] == '-' && dash == (size_t)-1)
				dash = i;
			i++;
		}
		if (dash == (size_t)-1) {
			if (parse_number(s + start, i - start, &rg.lo))
				goto bad;
			rg.hi = rg.lo;
		} else if (parse_number(s + start, dash - start, &rg.lo) ||
			   parse_number(s + dash + 1, i - dash - 1, &rg.hi)) {
			goto bad;
		}
		rg.width = (int)((dash == (size_t)-1 ? i : dash) - start);
		if (rg.hi < rg.lo)
			return sky_err_set(eb, SKY_E_INVAL, "invalid hostlist '%s': range %lu-%lu is reversed",
					   expr, rg.lo, rg.hi);
		if (rg.hi - rg.lo >= HOSTLIST_MAX_RANGE)
			return sky_err_set(eb, SKY_E_INVAL, "invalid hostlist '%s': range %lu-%lu has more than %u hosts",
					   expr, rg.lo, rg.hi, HOSTLIST_MAX_RANGE);
		pc->r = xrealloc(pc->r, (pc->nr + 1) * sizeof(*pc->r));
		pc->r[pc->nr++] = rg;
		i++;
	}
	return 0;
bad:
	return sky_err_set(eb, SKY_E_INVAL, "invalid hostlist '%s': bad range '%.*s'", expr,
			   (int)len, s);
}

/* Split one item ("rack[0-1]_b[1-2]") into literal and bracket pieces. */
static int split_item(const char *item, size_t len, const char *expr, struct piece **out,
		      size_t *nout, struct sky_errbuf *eb)
{
	struct piece *p = NULL;
	size_t n = 0, i = 0;
	int rc = 0;

	while (i < len) {
		size_t start = i;
		p = xrealloc(p, (n + 1) * sizeof(*p));
		memset(&p[n], 0, sizeof(*p));
		if (item[i] == '[') {
			const char *close = memchr(item + i, ']', len - i);
			const char *nested = memchr(item + i + 1, '[', len - i - 1);
			if (!close || (nested && nested < close)) {
				rc = sky_err_set(eb, SKY_E_INVAL, "invalid hostlist '%s': unbalanced '['", expr);
				n++;
				goto fail;
			}
			n++;
			if ((rc = parse_bracket(item + i + 1, (size_t)(close - item) - i - 1, expr,
						&p[n - 1], eb)))
				goto fail;
			i = (size_t)(close - item) + 1;
			continue;
		}
		while (i < len && item[i] != '[' && item[i] != ']')
			i++;
		if (i < len && item[i] == ']') {
			rc = sky_err_set(eb, SKY_E_INVAL, "invalid hostlist '%s': unbalanced ']'", expr);
			n++;
			goto fail;
		}
		p[n++].text = xstrndup(item + start, i - start);
	}
	*out = p;
	*nout = n;
	return 0;
fail:
	pieces_free(p, n);
	return rc;
}

static size_t range_count(const struct piece *pc)
{
	size_t c = 0;
	for (size_t i = 0; i < pc->nr; i++)
		c += pc->r[i].hi - pc->r[i].lo + 1;
	return c;
}

/* Append the cartesian product of pieces[k..] to the hosts, after prefix. */
static void expand_pieces(const struct piece *p, size_t n, size_t k, const char *prefix,
			  struct hostlist *hl)
{
	if (k == n) {
		hostlist_push_host(hl, prefix);
		return;
	}
	if (!p[k].nr) {
		char *s = xasprintf("%s%s", prefix, p[k].text);
		expand_pieces(p, n, k + 1, s, hl);
		free(s);
		return;
	}
	for (size_t r = 0; r < p[k].nr; r++) {
		for (unsigned long v = p[k].r[r].lo; v <= p[k].r[r].hi; v++) {
			char *s = xasprintf("%s%0*lu", prefix, p[k].r[r].width, v);
			expand_pieces(p, n, k + 1, s, hl);
			free(s);
		}
	}
}

static int push_item(struct hostlist *hl, const char *item, size_t len, const char *expr,
		     struct sky_errbuf *eb)
{
	struct piece *p = NULL;
	size_t n = 0, total = 1;
	int rc;

	if ((rc = split_item(item, len, expr, &p, &n, eb)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (!p[i].nr)
			continue;
		total *= range_count(&p[i]);
		if (total > HOSTLIST_MAX_ITEM) {
			pieces_free(p, n);
			return sky_err_set(eb, SKY_E_INVAL, "invalid hostlist '%s': too many hosts", expr);
		}
	}
	expand_pieces(p, n, 0, "", hl);
	pieces_free(p, n);
	return 0;
}

static int parse_into(struct hostlist *hl, const char *expr, struct sky_errbuf *eb)
{
	const char *s = expr;
	int rc;

	while (s && *s) {
		const char *start;
		int depth = 0;

		while (*s == ',' || isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		start = s;
		/* Commas inside brackets separate ranges, not hosts. */
		while (*s && (depth > 0 || (*s != ',' && !isspace((unsigned char)*s)))) {
			if (*s == '[')
				depth++;
			else if (*s == ']')
				depth--;
			if (depth > 0 && isspace((unsigned char)*s))
				return sky_err_set(eb, SKY_E_INVAL, "invalid hostlist '%s': space inside brackets", expr);
			s++;
		}
		if ((rc = push_item(hl, start, (size_t)(s - start), expr, eb)))
			return rc;
	}
	return 0;
}

int hostlist_push(struct hostlist *hl, const char *expr, struct sky_errbuf *eb)
{
	struct hostlist *tmp = hostlist_new();
	int rc = parse_into(tmp, expr, eb);

	if (rc == 0) {
		for (size_t i = 0; i < tmp->n; i++)
			push_owned(hl, tmp->hosts[i]);
		tmp->n = 0;
	}
	hostlist_destroy(tmp);
	return rc;
}

int hostlist_create(const char *expr, struct hostlist **out, struct sky_errbuf *eb)
{
	struct hostlist *hl = hostlist_new();
	int rc = parse_into(hl, expr, eb);

	if (rc) {
		hostlist_destroy(hl);
		return rc;
	}
	*out = hl;
	return 0;
}

size_t hostlist_count(const struct hostlist *hl)
{
	return hl ? hl->n : 0;
}

const char *hostlist_nth(const struct hostlist *hl, size_t n)
{
	return (hl && n < hl->n) ? hl->hosts[n] : NULL;
}

ssize_t hostlist_find(const struct hostlist *hl, const char *host)
{
	if (!hl || !host)
		return -1;
	for (size_t i = 0; i < hl->n; i++)
		if (strcmp(hl->hosts[i], host) == 0)
			return (ssize_t)i;
	return -1;
}

/* A host split as prefix + numeric suffix; num < 0 when it has none. */
struct hostname_parts {
	size_t prefix_len;
	long long num;
	int width;
};

static struct hostname_parts host_parts(const char *h)
{
	struct hostname_parts hp;
	size_t len = strlen(h), i = len;

	while (i > 0 && isdigit((unsigned char)h[i - 1]))
		i--;
	hp.prefix_len = i;
	hp.width = (int)(len - i);
	hp.num = -1;
	if (hp.width == 0 || hp.width > HOST_MAX_DIGITS) {
		hp.prefix_len = len;
		hp.width = 0;
		return hp;
	}
	hp.num = strtoll(h + i, NULL, 10);
	return hp;
}

static int host_cmp(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	struct hostname_parts px = host_parts(x), py = host_parts(y);
	size_t pl = px.prefix_len < py.prefix_len ? px.prefix_len : py.prefix_len;
	int c = memcmp(x, y, pl);

	if (c)
		return c;
	if (px.prefix_len != py.prefix_len)
		return px.prefix_len < py.prefix_len ? -1 : 1;
	if (px.num != py.num)
		return px.num < py.num ? -1 : 1;
	if (px.width != py.width)
		return px.width < py.width ? -1 : 1;
	return 0;
}

void hostlist_sort(struct hostlist *hl)
{
	if (hl && hl->n > 1)
		qsort(hl->hosts, hl->n, sizeof(*hl->hosts), host_cmp);
}

void hostlist_uniq(struct hostlist *hl)
{
	size_t out = 0;

	if (!hl || hl->n < 2)
		return;
	hostlist_sort(hl);
	for (size_t i = 0; i < hl->n; i++) {
		if (out > 0 && strcmp(hl->hosts[out - 1], hl->hosts[i]) == 0) {
			free(hl->hosts[i]);
			continue;
		}
		hl->hosts[out++] = hl->hosts[i];
	}
	hl->n = out;
}

static int digits(long long v)
{
	int d = 1;
	while (v >= 10) {
		v /= 10;
		d++;
	}
	return d;
}

static bool zero_padded(const struct hostname_parts *p)
{
	return p->width > digits(p->num);
}

/*
 * Numbers may share a range when they print alike: same width, or neither
 * zero-padded (tux9 and tux10 make "tux[9-10]"; tux09 and tux010 do not).
 */
static bool width_equiv(const struct hostname_parts *a, const struct hostname_parts *b)
{
	return a->width == b->width || (!zero_padded(a) && !zero_padded(b));
}

/*
 * Write the run of hosts [i, j) that share a prefix: "tux5" alone, else
 * "tux[1-3,7]". Numbers that follow each other (same width) join a range.
 */
static void emit_group(char **dst, char *const *hosts, size_t i, size_t j, size_t prefix_len)
{
	if (j - i == 1) {
		xstrfmtcat(dst, "%s", hosts[i]);
		return;
	}
	xstrfmtcat(dst, "%.*s[", (int)prefix_len, hosts[i]);
	for (size_t k = i; k < j;) {
		struct hostname_parts a = host_parts(hosts[k]);
		size_t m = k + 1;
		long long last = a.num;
		int w = zero_padded(&a) ? a.width : 0;

		while (m < j) {
			struct hostname_parts b = host_parts(hosts[m]);
			if (b.num != last + 1 || !width_equiv(&a, &b))
				break;
			last = b.num;
			m++;
		}
		xstrfmtcat(dst, "%s%0*lld", k == i ? "" : ",", w, a.num);
		if (m - k > 1)
			xstrfmtcat(dst, "-%0*lld", w, last);
		k = m;
	}
	xstrfmtcat(dst, "]");
}

char *hostlist_ranged_string(const struct hostlist *hl)
{
	char *s = NULL;
	size_t i = 0;

	while (hl && i < hl->n) {
		struct hostname_parts a = host_parts(hl->hosts[i]);
		size_t j = i + 1;

		if (a.num >= 0) {
			while (j < hl->n) {
				struct hostname_parts b = host_parts(hl->hosts[j]);
				if (b.num < 0 || b.prefix_len != a.prefix_len ||
				    memcmp(hl->hosts[i], hl->hosts[j], a.prefix_len) != 0)
					break;
				j++;
			}
		}
		if (s)
			xstrfmtcat(&s, ",");
		emit_group(&s, hl->hosts, i, j, a.prefix_len);
		i = j;
	}
	return s ? s : xstrdup("");
}

int hostlist_expand(const char *expr, char ***names, size_t *count, struct sky_errbuf *eb)
{
	struct hostlist *hl;
	char **v;
	int rc;

	if ((rc = hostlist_create(expr, &hl, eb)))
		return rc;
	v = xcalloc(hl->n + 1, sizeof(*v));
	for (size_t i = 0; i < hl->n; i++)
		v[i] = hl->hosts[i];
	v[hl->n] = NULL;
	*names = v;
	*count = hl->n;
	hl->n = 0;
	hostlist_destroy(hl);
	return 0;
}
