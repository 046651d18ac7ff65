/* aws_sigv4.c: see aws_sigv4.h. */
#include "config.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws_sigv4.h"
#include "xalloc.h"

/* A growing string: SigV4 builds several, none of them large. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_addn(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_add(struct sbuf *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

static char *sb_take(struct sbuf *b)
{
	if (!b->s)
		return xstrdup("");
	return b->s;
}

char *sigv4_uri_encode(const char *s, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	struct sbuf b = { 0 };
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~' ||
		    (keep_slash && *p == '/')) {
			sb_addn(&b, (const char *)p, 1);
		} else {
			char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
			sb_addn(&b, e, 3);
		}
	}
	return sb_take(&b);
}

static void hex_of(const uint8_t *d, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * n] = '\0';
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
	uint8_t d[32];
	unsigned int n = 0;

	EVP_Digest(data, len, d, &n, EVP_sha256(), NULL);
	hex_of(d, sizeof(d), out);
}

static void hmac(const void *key, size_t klen, const char *msg, uint8_t out[32])
{
	unsigned int n = 32;

	HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), out, &n);
}

/* An encoded query parameter, for sorting. */
struct qparam {
	char *k, *v;
};

static int qparam_cmp(const void *a, const void *b)
{
	const struct qparam *x = a, *y = b;
	int c = strcmp(x->k, y->k);

	return c ? c : strcmp(x->v, y->v);
}

static void canonical_query(const struct sigv4_request *r, struct sbuf *b)
{
	struct qparam *q = xcalloc(r->n_query + 1, sizeof(*q));
	size_t i;

	for (i = 0; i < r->n_query; i++) {
		q[i].k = sigv4_uri_encode(r->query[i].name, 0);
		q[i].v = sigv4_uri_encode(r->query[i].value ? r->query[i].value : "", 0);
	}
	qsort(q, r->n_query, sizeof(*q), qparam_cmp);
	for (i = 0; i < r->n_query; i++) {
		if (i)
			sb_add(b, "&");
		sb_add(b, q[i].k);
		sb_add(b, "=");
		sb_add(b, q[i].v);
		free(q[i].k);
		free(q[i].v);
	}
	free(q);
}

/* A header as it is signed: lower-case name, value trimmed with inner runs
 * of spaces folded to one. */
struct chdr {
	char *name, *value;
	size_t order; /* where it came, so same-named headers keep their order */
};

static int chdr_cmp(const void *a, const void *b)
{
	const struct chdr *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->order > y->order) - (x->order < y->order);
}

static char *fold_value(const char *v)
{
	struct sbuf b = { 0 };
	int space = 0;

	while (*v == ' ' || *v == '\t')
		v++;
	for (; *v; v++) {
		if (*v == ' ' || *v == '\t') {
			space = 1;
			continue;
		}
		if (space && b.len)
			sb_add(&b, " ");
		space = 0;
		sb_addn(&b, v, 1);
	}
	return sb_take(&b);
}

static void canonical_headers(const struct sigv4_request *r, struct sbuf *b, struct sbuf *signed_h)
{
	struct chdr *h = xcalloc(r->n_headers + 1, sizeof(*h));
	size_t i, j;

	for (i = 0; i < r->n_headers; i++) {
		h[i].name = xstrdup(r->headers[i].name);
		for (j = 0; h[i].name[j]; j++)
			h[i].name[j] = (char)tolower((unsigned char)h[i].name[j]);
		h[i].value = fold_value(r->headers[i].value ? r->headers[i].value : "");
		h[i].order = i;
	}
	qsort(h, r->n_headers, sizeof(*h), chdr_cmp);
	for (i = 0; i < r->n_headers; i++) {
		/* Same name again: its values join the first line, comma-separated. */
		if (i && !strcmp(h[i].name, h[i - 1].name)) {
			b->len--; /* drop the newline */
			sb_add(b, ",");
		} else {
			if (signed_h->len)
				sb_add(signed_h, ";");
			sb_add(signed_h, h[i].name);
			sb_add(b, h[i].name);
			sb_add(b, ":");
		}
		sb_add(b, h[i].value);
		sb_add(b, "\n");
	}
	for (i = 0; i < r->n_headers; i++) {
		free(h[i].name);
		free(h[i].value);
	}
	free(h);
}

char *sigv4_canonical_request(const struct sigv4_request *r, char **signed_headers)
{
	struct sbuf b = { 0 }, sh = { 0 };
	char *path = sigv4_uri_encode(r->path && *r->path ? r->path : "/", 1);
	char payload[65];

	sb_add(&b, r->method);
	sb_add(&b, "\n");
	sb_add(&b, path);
	sb_add(&b, "\n");
	canonical_query(r, &b);
	sb_add(&b, "\n");
	canonical_headers(r, &b, &sh);
	sb_add(&b, "\n");
	sb_add(&b, sh.s ? sh.s : "");
	sb_add(&b, "\n");
	sha256_hex(r->body ? (const void *)r->body : "", r->body ? r->body_len : 0, payload);
	sb_add(&b, payload);
	free(path);
	*signed_headers = sb_take(&sh);
	return sb_take(&b);
}

static int valid_amz_date(const char *d)
{
	size_t i;

	if (!d || strlen(d) != 16 || d[8] != 'T' || d[15] != 'Z')
		return 0;
	for (i = 0; i < 15; i++)
		if (i != 8 && !isdigit((unsigned char)d[i]))
			return 0;
	return 1;
}

int sigv4_authorization(const struct sigv4_request *r, const struct sigv4_creds *c,
			const char *region, const char *service, const char *amz_date, char **auth,
			struct sky_errbuf *eb)
{
	char date[9], creq_hash[65], sig[65], *creq, *signed_h, *scope, *sts, *key0;
	uint8_t k[32], k2[32];

	if (!valid_amz_date(amz_date))
		return sky_err_set(eb, SKY_E_INVAL, "SigV4: X-Amz-Date '%s' is not YYYYMMDDTHHMMSSZ",
				   amz_date ? amz_date : "");
	memcpy(date, amz_date, 8);
	date[8] = '\0';
	creq = sigv4_canonical_request(r, &signed_h);
	sha256_hex(creq, strlen(creq), creq_hash);
	scope = xasprintf("%s/%s/%s/aws4_request", date, region, service);
	sts = xasprintf("AWS4-HMAC-SHA256\n%s\n%s\n%s", amz_date, scope, creq_hash);
	key0 = xasprintf("AWS4%s", c->secret_key);
	hmac(key0, strlen(key0), date, k);
	hmac(k, sizeof(k), region, k2);
	hmac(k2, sizeof(k2), service, k);
	hmac(k, sizeof(k), "aws4_request", k2);
	hmac(k2, sizeof(k2), sts, k);
	hex_of(k, sizeof(k), sig);
	*auth = xasprintf("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
			  c->access_key, scope, signed_h, sig);
	/* The secret-derived key stays out of freed heap memory. */
	OPENSSL_cleanse(key0, strlen(key0));
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(k2, sizeof(k2));
	free(key0);
	free(sts);
	free(scope);
	free(signed_h);
	free(creq);
	return 0;
}
