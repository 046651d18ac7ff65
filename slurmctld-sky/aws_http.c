/* aws_http.c: the signed Query API POST and its retry loop (aws_http.h). */
#include "config.h"

#include <libxml/parser.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws_http.h"
#include "aws_sigv4.h"
#include "aws_xml.h"
#include "log.h"
#include "text_buf.h"
#include "xalloc.h"

/* EC2 replies are small; anything past this is not EC2. */
#define AWS_MAX_REPLY (64L << 20)

/* attempt_once's "retry": not a SKY_E_* code (those are all positive). */
#define AGAIN (-1)

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init_once(void)
{
	/* Neither call is thread-safe; both must precede any other use. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	xmlInitParser();
}

void aws_http_global_init(void)
{
	pthread_once(&global_once, global_init_once);
}

void aws_form_add_key(struct aws_form *f, char *key, const char *value)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 16;
		f->k = xrealloc(f->k, f->cap * sizeof(*f->k));
		f->v = xrealloc(f->v, f->cap * sizeof(*f->v));
	}
	f->k[f->n] = key;
	f->v[f->n] = xstrdup(value ? value : "");
	f->n++;
}

void aws_form_add(struct aws_form *f, const char *key, const char *value)
{
	aws_form_add_key(f, xstrdup(key), value);
}

void aws_form_free(struct aws_form *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->k[i]);
		free(f->v[i]);
	}
	free(f->k);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/*
 * Form encoding as the AWS SDKs send it (botocore: urlencode, spaces as
 * '+'). EC2 hashes the body as sent, so %20 would do as well; but moto
 * checks signatures against a body re-encoded from the parsed form, and
 * only this spelling survives that round trip.
 */
static char *form_escape(const char *s)
{
	char *e = sigv4_uri_encode(s, 0), *r = e, *w = e;

	while (*r) {
		if (r[0] == '%' && r[1] == '2' && r[2] == '0') {
			*w++ = '+';
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return e;
}

char *aws_form_encode(const struct aws_form *f)
{
	char *body = xstrdup(""), *k, *v;
	size_t i;

	for (i = 0; i < f->n; i++) {
		k = form_escape(f->k[i]);
		v = form_escape(f->v[i]);
		xstrfmtcat(&body, "%s%s=%s", i ? "&" : "", k, v);
		free(k);
		free(v);
	}
	return body;
}

void aws_call_begin(struct aws_ec2 *c)
{
	memset(&c->err, 0, sizeof(c->err));
	memset(&c->stats, 0, sizeof(c->stats));
}

static size_t on_data(char *p, size_t size, size_t nmemb, void *arg)
{
	/* 0 makes curl fail the transfer */
	return text_buf_append(arg, p, size * nmemb, AWS_MAX_REPLY) ? size * nmemb : 0;
}

static void amz_date_now(char out[17])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* The signed headers for body, as a curl list (caller frees). */
static struct curl_slist *signed_headers(struct aws_ec2 *c, const char *body,
					 struct sky_errbuf *eb)
{
	static const char ctype[] = "application/x-www-form-urlencoded; charset=utf-8";
	struct sigv4_pair h[4];
	struct sigv4_creds cr = { c->creds->access_key, c->creds->secret_key };
	struct sigv4_request r = { 0 };
	struct curl_slist *l = NULL;
	char date[17], *auth = NULL, *line;
	size_t n = 0, i;

	amz_date_now(date);
	h[n++] = (struct sigv4_pair){ "Content-Type", ctype };
	h[n++] = (struct sigv4_pair){ "Host", c->host };
	h[n++] = (struct sigv4_pair){ "X-Amz-Date", date };
	if (c->creds->session_token)
		h[n++] = (struct sigv4_pair){ "X-Amz-Security-Token", c->creds->session_token };
	r.method = "POST";
	r.path = c->path;
	r.headers = h;
	r.n_headers = n;
	r.body = (const uint8_t *)body;
	r.body_len = strlen(body);
	if (sigv4_authorization(&r, &cr, c->region, "ec2", date, &auth, eb))
		return NULL;
	for (i = 0; i < n; i++) {
		line = xasprintf("%s: %s", h[i].name, h[i].value);
		l = curl_slist_append(l, line);
		free(line);
	}
	line = xasprintf("Authorization: %s", auth);
	l = curl_slist_append(l, line);
	free(line);
	/* No "Expect: 100-continue" round trip for a small form. */
	l = curl_slist_append(l, "Expect:");
	free(auth);
	return l;
}

/* One HTTP exchange. Returns the CURLcode; *status and r filled. */
static CURLcode one_request(struct aws_ec2 *c, const char *body, struct curl_slist *hdrs,
			    long *status, struct text_buf *r)
{
	CURL *h = c->curl;
	CURLcode cc;

	curl_easy_reset(h);
	c->curl_err[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curl_err);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* no SIGALRM in a threaded daemon */
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	cc = curl_easy_perform(h);
	*status = 0;
	if (cc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	return cc;
}

static void transport_error(struct aws_ec2 *c, CURLcode cc)
{
	struct aws_error *e = &c->err;

	memset(e, 0, sizeof(*e));
	e->klass = AWS_ERR_NETWORK;
	/* Anything that kept the answer from arriving may pass; a request we
	 * could not even form (bad URL, unsupported protocol) will not. */
	e->retryable = cc != CURLE_URL_MALFORMAT && cc != CURLE_UNSUPPORTED_PROTOCOL &&
		       cc != CURLE_WRITE_ERROR;
	if (cc == CURLE_OPERATION_TIMEDOUT)
		snprintf(e->message, sizeof(e->message), "request to %s timed out (%s)", c->url,
			 c->curl_err[0] ? c->curl_err : curl_easy_strerror(cc));
	else
		snprintf(e->message, sizeof(e->message), "request to %s failed: %s", c->url,
			 c->curl_err[0] ? c->curl_err : curl_easy_strerror(cc));
}

static void http_error(struct aws_ec2 *c, long status, const struct text_buf *r)
{
	struct aws_error *e = &c->err;

	memset(e, 0, sizeof(*e));
	e->http_status = (int)status;
	if (axml_error(r->buf, r->len, e) || !e->code[0]) {
		/* Not EC2's error format (a proxy's HTML page, say). */
		snprintf(e->message, sizeof(e->message), "HTTP %ld from %s", status, c->url);
	}
	aws_error_classify(e);
}

/* Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))]. */
static void backoff(struct aws_ec2 *c, int attempt)
{
	long ceil = c->backoff_base_ms, ms;
	struct timespec ts;
	int i;

	for (i = 1; i < attempt && ceil < c->backoff_cap_ms; i++)
		ceil *= 2;
	if (ceil > c->backoff_cap_ms)
		ceil = c->backoff_cap_ms;
	ms = ceil > 0 ? (long)((double)rand_r(&c->rng) / RAND_MAX * (double)ceil) : 0;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) && ts.tv_sec + ts.tv_nsec > 0)
		;
}

static int sky_code_of(const struct aws_error *e, CURLcode cc)
{
	switch (e->klass) {
	case AWS_ERR_NETWORK:
		return cc == CURLE_OPERATION_TIMEDOUT ? SKY_E_TIMEOUT : SKY_E_CONNECT;
	case AWS_ERR_AUTH:
		return SKY_E_AUTH;
	case AWS_ERR_PARAM:
		return strstr(e->code, "NotFound") ? SKY_E_NOT_FOUND : SKY_E_INVAL;
	case AWS_ERR_PROTOCOL:
		return SKY_E_PROTOCOL;
	default:
		return SKY_E_GENERIC;
	}
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* One attempt: 0 with *doc set, AGAIN to retry, else a SKY_E_* code. */
static int attempt_once(struct aws_ec2 *c, const char *body, xmlDocPtr *doc, CURLcode *cc,
			struct sky_errbuf *eb)
{
	struct text_buf r = { 0 };
	struct curl_slist *hdrs = signed_headers(c, body, eb);
	long status = 0;
	int rc;

	if (!hdrs)
		return SKY_E_INVAL;
	c->stats.attempts++;
	*cc = one_request(c, body, hdrs, &status, &r);
	curl_slist_free_all(hdrs);
	if (*cc != CURLE_OK) {
		transport_error(c, *cc);
	} else if (status == 200) {
		*doc = axml_parse(r.buf, r.len);
		if (*doc) {
			free(r.buf);
			return 0;
		}
		memset(&c->err, 0, sizeof(c->err));
		c->err.http_status = 200;
		c->err.klass = AWS_ERR_PROTOCOL;
		snprintf(c->err.message, sizeof(c->err.message), "unparsable reply from %s",
			 c->url);
	} else {
		http_error(c, status, &r);
	}
	free(r.buf);
	rc = c->err.retryable ? AGAIN : sky_code_of(&c->err, *cc);
	return rc;
}

int aws_http_call(struct aws_ec2 *c, const struct aws_form *f, xmlDocPtr *doc,
		  struct sky_errbuf *eb)
{
	char *body = aws_form_encode(f), *why;
	const char *action = f->n ? f->v[0] : "?";
	long t0 = now_ms();
	CURLcode cc = CURLE_OK;
	int rc = AGAIN, attempt;

	*doc = NULL;
	for (attempt = 1; attempt <= c->max_attempts; attempt++) {
		rc = attempt_once(c, body, doc, &cc, eb);
		if (rc != AGAIN)
			break;
		if (attempt < c->max_attempts) {
			log_debug("EC2 %s attempt %d: %s%s%s; retrying", action, attempt,
				  c->err.code, c->err.code[0] ? " " : "", c->err.message);
			backoff(c, attempt);
		}
	}
	c->stats.elapsed_ms += now_ms() - t0;
	free(body);
	if (rc == 0)
		return 0;
	if (rc == AGAIN)
		rc = sky_code_of(&c->err, cc);
	why = aws_error_reason(&c->err);
	sky_err_set(eb, rc, "%s", why);
	free(why);
	return rc;
}

int aws_http_call_pages(struct aws_ec2 *c,
			void (*build)(const void *arg, const char *token, struct aws_form *f),
			void (*take)(const void *arg, xmlNodePtr root, void *out),
			const void *arg, void *out, struct sky_errbuf *eb)
{
	char *token = NULL;
	int rc = 0;

	do {
		struct aws_form f = { 0 };
		xmlDocPtr doc;
		xmlNodePtr root;

		build(arg, token, &f);
		FREE_NULL(token);
		rc = aws_http_call(c, &f, &doc, eb);
		aws_form_free(&f);
		if (rc)
			break;
		c->stats.pages++;
		root = xmlDocGetRootElement(doc);
		take(arg, root, out);
		token = axml_text(root, "nextToken");
		xmlFreeDoc(doc);
	} while (token);
	return rc;
}
