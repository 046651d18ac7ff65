/* k8s_api.c: Kubernetes requests, errors and retries (k8s_api.h). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws_http.h"
#include "k8s_api_int.h"
#include "log.h"
#include "text_buf.h"
#include "xalloc.h"

/* Lists of a big cluster are large, but nothing sane is this large. */
#define K8S_MAX_REPLY (512L << 20)
#define AGAIN (-1)
/* attempt(): failed for good, the answer in c->st. */
#define FAILED (-2)

int k8s_client_new(struct k8s_config *cfg, struct k8s_client **out, struct sky_errbuf *eb)
{
	struct k8s_client *c;

	aws_http_global_init(); /* curl_global_init, once per process */
	c = xmalloc(sizeof(*c));
	c->curl = curl_easy_init();
	if (!c->curl) {
		free(c);
		*out = NULL;
		return sky_err_set(eb, SKY_E_GENERIC, "curl_easy_init failed");
	}
	c->cfg = cfg;
	c->rng = (unsigned int)time(NULL) ^ (unsigned int)(uintptr_t)c;
	k8s_client_set_limits(c, 5000, 30000, 4, 200, 5000);
	*out = c;
	return 0;
}

void k8s_client_free(struct k8s_client *c)
{
	if (!c)
		return;
	curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->connect_to);
	free(c);
}

void k8s_client_set_limits(struct k8s_client *c, long connect_ms, long timeout_ms,
			   int max_attempts, long backoff_base_ms, long backoff_cap_ms)
{
	c->connect_ms = connect_ms;
	c->timeout_ms = timeout_ms;
	c->max_attempts = max_attempts > 0 ? max_attempts : 1;
	c->backoff_base_ms = backoff_base_ms;
	c->backoff_cap_ms = backoff_cap_ms;
}

const struct k8s_status *k8s_client_status(const struct k8s_client *c)
{
	return &c->st;
}

struct k8s_config *k8s_client_config(const struct k8s_client *c)
{
	return c->cfg;
}

/* tls-server-name: connect to the server's host but name (SNI, check) this one. */
static char *url_for(const struct k8s_config *cfg, const char *path, char **connect_to)
{
	const char *hs = strstr(cfg->server, "://") + 3, *he = hs + strcspn(hs, "/");
	const char *rb = memchr(hs, ']', (size_t)(he - hs)), *after = rb ? rb : hs; /* [v6]:port */
	const char *colon = memchr(after, ':', (size_t)(he - after));
	const char *port = colon ? colon + 1 : (strncmp(cfg->server, "https", 5) ? "80" : "443");
	int plen = colon ? (int)(he - port) : (int)strlen(port);

	*connect_to = NULL;
	if (!cfg->tls_server_name)
		return xasprintf("%s%s", cfg->server, path);
	*connect_to = xasprintf("%s:%.*s:%.*s:%.*s", cfg->tls_server_name, plen, port,
				(int)((colon ? colon : he) - hs), hs, plen, port);
	return xasprintf("https://%s:%.*s%s%s", cfg->tls_server_name, plen, port, he, path);
}

static void set_blob(CURL *h, CURLoption opt, const struct k8s_blob *b)
{
	struct curl_blob blob = { b->data, b->len, CURL_BLOB_COPY };

	curl_easy_setopt(h, opt, &blob);
}

void k8s_http_setup(struct k8s_client *c, const char *path, const struct k8s_creds *creds,
		    const char *extra, long timeout_ms, struct curl_slist **hdrs)
{
	const struct k8s_config *cfg = c->cfg;
	CURL *h = c->curl;
	char *connect_to, *url = url_for(cfg, path, &connect_to), *auth;

	curl_easy_reset(h);
	c->curl_err[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, url);
	/* curl reads the CONNECT_TO list during the transfer: c keeps it till the next. */
	curl_slist_free_all(c->connect_to);
	c->connect_to = NULL;
	if (connect_to) {
		c->connect_to = curl_slist_append(NULL, connect_to);
		curl_easy_setopt(h, CURLOPT_CONNECT_TO, c->connect_to);
	}
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curl_err);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	/* Watches and followed logs have no overall timeout: notice a dead peer. */
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 30L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 10L);
	if (cfg->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (cfg->ca.len) {
		set_blob(h, CURLOPT_CAINFO_BLOB, &cfg->ca);
	} else if (cfg->ca_file) {
		curl_easy_setopt(h, CURLOPT_CAINFO, cfg->ca_file);
	}
	if (creds->cert.len) {
		set_blob(h, CURLOPT_SSLCERT_BLOB, &creds->cert);
		set_blob(h, CURLOPT_SSLKEY_BLOB, &creds->key);
		curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
	} else if (creds->cert_file) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, creds->cert_file);
		curl_easy_setopt(h, CURLOPT_SSLKEY, creds->key_file);
	}
	if (cfg->proxy_url)
		curl_easy_setopt(h, CURLOPT_PROXY, cfg->proxy_url);
	*hdrs = curl_slist_append(NULL, "Accept: application/json");
	if (creds->token && *creds->token) {
		auth = xasprintf("Authorization: Bearer %s", creds->token);
		*hdrs = curl_slist_append(*hdrs, auth);
		free(auth);
	} else if (creds->username) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, creds->username);
		curl_easy_setopt(h, CURLOPT_PASSWORD, creds->password ? creds->password : "");
	}
	if (extra)
		*hdrs = curl_slist_append(*hdrs, extra);
	*hdrs = curl_slist_append(*hdrs, "Expect:");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, *hdrs);
	free(connect_to);
	free(url);
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

const char *k8s_meta(json_object *obj, const char *key)
{
	json_object *m;

	return json_object_object_get_ex(obj, "metadata", &m) ? jstr(m, key) : NULL;
}

void k8s_status_from_body(struct k8s_client *c, long http, const char *body)
{
	json_object *o = body ? json_tokener_parse(body) : NULL;
	const char *msg = jstr(o, "message"), *reason = jstr(o, "reason");
	size_t n;

	memset(&c->st, 0, sizeof(c->st));
	c->st.http = http;
	snprintf(c->st.reason, sizeof(c->st.reason), "%s", reason ? reason : "");
	if (msg) {
		snprintf(c->st.message, sizeof(c->st.message), "%s", msg);
	} else if (body && *body) {
		/* Not a Status (a proxy's page): its first line is the best clue. */
		n = strcspn(body, "\r\n");
		snprintf(c->st.message, sizeof(c->st.message), "%.*s", (int)(n < 200 ? n : 200), body);
	}
	json_object_put(o);
}

void k8s_status_transport(struct k8s_client *c, CURLcode cc)
{
	memset(&c->st, 0, sizeof(c->st));
	snprintf(c->st.message, sizeof(c->st.message), "%s",
		 c->curl_err[0] ? c->curl_err : curl_easy_strerror(cc));
}

static int sky_code_of(long http, CURLcode cc)
{
	switch (http) {
	case 0:
		return cc == CURLE_OPERATION_TIMEDOUT ? SKY_E_TIMEOUT : SKY_E_CONNECT;
	case 400: case 422: case 409:
		return SKY_E_INVAL;
	case 401:
		return SKY_E_AUTH;
	case 403:
		return SKY_E_ACCESS_DENIED;
	case 404: case 410:
		return SKY_E_NOT_FOUND;
	default:
		return SKY_E_GENERIC;
	}
}

int k8s_status_error(const struct k8s_client *c, CURLcode cc, const char *method,
		     const char *path, struct sky_errbuf *eb)
{
	const struct k8s_status *st = &c->st;
	int code = sky_code_of(st->http, cc);

	if (!st->http)
		return sky_err_set(eb, code, "Kubernetes %s %s%s: %s", method, c->cfg->server, path,
				   st->message);
	return sky_err_set(eb, code, "Kubernetes %s %s: HTTP %ld%s%s%s%s", method, path, st->http,
			   st->reason[0] ? " " : "", st->reason, st->message[0] ? ": " : "",
			   st->message);
}

void k8s_backoff(unsigned int *rng, long base_ms, long cap_ms, int attempt, const int *stop)
{
	long ceil = base_ms, ms;

	for (int i = 1; i < attempt && ceil < cap_ms; i++)
		ceil *= 2;
	if (ceil > cap_ms)
		ceil = cap_ms;
	ms = ceil > 0 ? (long)((double)rand_r(rng) / RAND_MAX * (double)ceil) : 0;
	/* In slices, so a stop request is seen within 50 ms. */
	while (ms > 0 && !(stop && __atomic_load_n(stop, __ATOMIC_SEQ_CST))) {
		long step = ms < 50 ? ms : 50;
		struct timespec ts = { 0, step * 1000000L };
		nanosleep(&ts, NULL);
		ms -= step;
	}
}

struct reply {
	struct text_buf t;
	long retry_after;       /* seconds, from the Retry-After header; 0 none */
};

static size_t on_data(char *p, size_t size, size_t nmemb, void *arg)
{
	struct reply *r = arg;

	return text_buf_append(&r->t, p, size * nmemb, K8S_MAX_REPLY) ? size * nmemb : 0;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	struct reply *r = arg;
	size_t n = size * nmemb;

	if (n > 12 && !strncasecmp(p, "Retry-After:", 12))
		r->retry_after = strtol(p + 12, NULL, 10);
	return n;
}

static bool idempotent(const char *method)
{
	return strcmp(method, "POST") != 0;
}

static bool retryable(const char *method, long http, CURLcode cc)
{
	if (http == 429 || http == 503)
		return true;
	if (!http)
		return cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST ||
		       (idempotent(method) && cc != CURLE_URL_MALFORMAT &&
			cc != CURLE_UNSUPPORTED_PROTOCOL && cc != CURLE_WRITE_ERROR &&
			cc != CURLE_SSL_CACERT_BADFILE && cc != CURLE_PEER_FAILED_VERIFICATION &&
			cc != CURLE_SSL_CERTPROBLEM);
	return idempotent(method) && (http == 500 || http == 502 || http == 504);
}

struct req {
	const char *method, *path, *ctype, *body;
};

/* One exchange: 0 with r filled (status 2xx), or the HTTP status/transport error in c->st. */
static CURLcode one_request(struct k8s_client *c, const struct req *q,
			    const struct k8s_creds *cr, long *http, struct reply *r)
{
	struct curl_slist *hdrs = NULL;
	char *ct = q->body ? xasprintf("Content-Type: %s", q->ctype ? q->ctype : "application/json")
			   : NULL;
	CURLcode cc;

	k8s_http_setup(c, q->path, cr, ct, c->timeout_ms, &hdrs);
	curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, q->method);
	if (q->body) {
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, q->body);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(q->body));
	} else if (!strcmp(q->method, "GET")) {
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, r);
	cc = curl_easy_perform(c->curl);
	*http = 0;
	if (cc == CURLE_OK)
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, http);
	curl_slist_free_all(hdrs);
	free(ct);
	return cc;
}

static int parse_reply(struct k8s_client *c, const struct req *q, struct reply *r,
		       json_object **reply, struct sky_errbuf *eb)
{
	json_tokener *tok;
	json_object *o;

	if (!reply)
		return 0;
	*reply = NULL;
	if (!r->t.len)
		return 0;
	tok = json_tokener_new_ex(128);
	o = json_tokener_parse_ex(tok, r->t.buf, (int)r->t.len);
	json_tokener_free(tok);
	if (!o)
		return sky_err_set(eb, SKY_E_PROTOCOL, "Kubernetes %s %s: the reply is not JSON",
				   q->method, q->path);
	(void)c;
	*reply = o;
	return 0;
}

/* One attempt: 0 done, AGAIN retry, FAILED (c->st says why), or a SKY_E_* in eb. */
static int attempt(struct k8s_client *c, const struct req *q, bool refresh, json_object **reply,
		   CURLcode *cc, long *retry_after, struct sky_errbuf *eb)
{
	struct k8s_creds cr;
	struct reply r = { 0 };
	long http = 0;
	int rc;

	rc = k8s_config_creds(c->cfg, refresh, &cr, eb);
	if (rc)
		return rc;
	*cc = one_request(c, q, &cr, &http, &r);
	k8s_creds_clear(&cr);
	*retry_after = r.retry_after;
	if (*cc != CURLE_OK) {
		k8s_status_transport(c, *cc);
		rc = retryable(q->method, 0, *cc) ? AGAIN : FAILED;
	} else if (http >= 200 && http < 300) {
		memset(&c->st, 0, sizeof(c->st));
		c->st.http = http;
		rc = parse_reply(c, q, &r, reply, eb);
	} else {
		k8s_status_from_body(c, http, r.t.buf);
		rc = retryable(q->method, http, CURLE_OK) ? AGAIN : FAILED;
	}
	free(r.t.buf);
	return rc;
}

static int do_request(struct k8s_client *c, const struct req *q, json_object **reply,
		      struct sky_errbuf *eb)
{
	CURLcode cc = CURLE_OK;
	bool refreshed = false;
	long retry_after = 0;
	int rc = AGAIN;

	if (reply)
		*reply = NULL;
	for (int n = 1; n <= c->max_attempts; n++) {
		rc = attempt(c, q, false, reply, &cc, &retry_after, eb);
		if (rc == FAILED && c->st.http == 401 && c->cfg->exec && !refreshed) {
			/* The cached plugin credential was refused: ask the plugin again. */
			refreshed = true;
			rc = attempt(c, q, true, reply, &cc, &retry_after, eb);
		}
		if (rc != AGAIN)
			break;
		if (n == c->max_attempts)
			break;
		log_debug("Kubernetes %s %s attempt %d: HTTP %ld %s; retrying", q->method, q->path, n,
			  c->st.http, c->st.message);
		if (retry_after > 0 && retry_after * 1000 <= c->backoff_cap_ms) {
			struct timespec ts = { retry_after, 0 };
			nanosleep(&ts, NULL);
		} else {
			k8s_backoff(&c->rng, c->backoff_base_ms, c->backoff_cap_ms, n, NULL);
		}
	}
	if (rc == AGAIN || rc == FAILED)
		return k8s_status_error(c, cc, q->method, q->path, eb);
	return rc;
}

int k8s_request(struct k8s_client *c, const char *method, const char *path, const char *ctype,
		const char *body, json_object **reply, struct sky_errbuf *eb)
{
	struct req q = { method, path, ctype, body };

	return do_request(c, &q, reply, eb);
}

int k8s_get(struct k8s_client *c, const char *path, json_object **reply, struct sky_errbuf *eb)
{
	return k8s_request(c, "GET", path, NULL, NULL, reply, eb);
}

int k8s_create(struct k8s_client *c, const char *path, json_object *obj, json_object **reply,
	       struct sky_errbuf *eb)
{
	return k8s_request(c, "POST", path, NULL,
			   json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN), reply, eb);
}

int k8s_delete(struct k8s_client *c, const char *path, int grace_secs, const char *propagation,
	       json_object **reply, struct sky_errbuf *eb)
{
	json_object *o = json_object_new_object();
	int rc;

	json_object_object_add(o, "kind", json_object_new_string("DeleteOptions"));
	json_object_object_add(o, "apiVersion", json_object_new_string("v1"));
	if (grace_secs >= 0)
		json_object_object_add(o, "gracePeriodSeconds", json_object_new_int(grace_secs));
	if (propagation)
		json_object_object_add(o, "propagationPolicy", json_object_new_string(propagation));
	rc = k8s_request(c, "DELETE", path, NULL,
			 json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), reply, eb);
	json_object_put(o);
	return rc;
}

int k8s_patch(struct k8s_client *c, const char *path, enum k8s_patch_type type,
	      json_object *patch, json_object **reply, struct sky_errbuf *eb)
{
	static const char *const ctypes[] = { "application/merge-patch+json",
					      "application/strategic-merge-patch+json",
					      "application/json-patch+json" };

	return k8s_request(c, "PATCH", path, ctypes[type],
			   json_object_to_json_string_ext(patch, JSON_C_TO_STRING_PLAIN), reply, eb);
}

char *k8s_query_escape(const char *s)
{
	char *out = xmalloc(3 * strlen(s) + 1), *w = out;

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (isalnum(ch) || strchr("-._~", ch)) {
			*w++ = (char)ch;
		} else {
			snprintf(w, 4, "%%%02X", ch);
			w += 3;
		}
	}
	*w = '\0';
	return out;
}

/* path?labelSelector=..&fieldSelector=..&limit=..&continue=.. ; caller frees. */
static char *list_path(const char *path, const char *ls, const char *fs, int limit,
		       const char *cont)
{
	char *p = xstrdup(path);
	char sep = strchr(path, '?') ? '&' : '?';
	const char *keys[] = { "labelSelector", "fieldSelector", "continue" };
	const char *vals[] = { ls, fs, cont };

	for (size_t i = 0; i < 3; i++) {
		char *e;
		if (!vals[i] || !*vals[i])
			continue;
		e = k8s_query_escape(vals[i]);
		xstrfmtcat(&p, "%c%s=%s", sep, keys[i], e);
		sep = '&';
		free(e);
	}
	if (limit > 0)
		xstrfmtcat(&p, "%climit=%d", sep, limit);
	return p;
}

int k8s_list(struct k8s_client *c, const char *path, const char *label_selector,
	     const char *field_selector, int limit, json_object **list, struct sky_errbuf *eb)
{
	json_object *page = NULL, *items = NULL, *more, *m;
	char *cont = NULL, *p;
	int rc = 0;

	*list = NULL;
	do {
		p = list_path(path, label_selector, field_selector, limit, cont);
		FREE_NULL(cont);
		rc = k8s_get(c, p, &page, eb);
		free(p);
		if (rc)
			break;
		if (!*list) {
			*list = page;
			if (!json_object_object_get_ex(page, "items", &items) ||
			    !json_object_is_type(items, json_type_array)) {
				items = json_object_new_array();
				json_object_object_add(page, "items", items);
			}
		} else {
			if (json_object_object_get_ex(page, "items", &more))
				for (size_t i = 0; i < json_object_array_length(more); i++)
					json_object_array_add(items, json_object_get(
						json_object_array_get_idx(more, i)));
		}
		cont = k8s_meta(page, "continue") ? xstrdup(k8s_meta(page, "continue")) : NULL;
		if (page != *list)
			json_object_put(page);
	} while (cont && *cont);
	free(cont);
	if (rc) {
		json_object_put(*list);
		*list = NULL;
	} else if (json_object_object_get_ex(*list, "metadata", &m)) {
		json_object_object_del(m, "continue");
	}
	return rc;
}

/* ---- raw streams ---- */

struct stream {
	struct k8s_client *c;
	k8s_data_cb cb;
	void *arg;
	const int *stop;
	int cb_rc;
	long http;
	struct reply err;       /* the body of an HTTP error */
};

static size_t on_stream(char *p, size_t size, size_t nmemb, void *arg)
{
	struct stream *s = arg;
	size_t n = size * nmemb;

	if (!s->http)
		curl_easy_getinfo(s->c->curl, CURLINFO_RESPONSE_CODE, &s->http);
	if (s->http < 200 || s->http >= 300)
		return on_data(p, size, nmemb, &s->err);
	s->cb_rc = s->cb(s->arg, p, n);
	return s->cb_rc ? 0 : n;
}

static int on_stream_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	struct stream *s = arg;

	(void)a;
	(void)b;
	(void)c;
	(void)d;
	return s->stop && __atomic_load_n(s->stop, __ATOMIC_SEQ_CST) ? 1 : 0;
}

int k8s_stream(struct k8s_client *c, const char *path, k8s_data_cb cb, void *arg,
	       const int *stop, struct sky_errbuf *eb)
{
	struct stream s = { .c = c, .cb = cb, .arg = arg, .stop = stop };
	struct curl_slist *hdrs = NULL;
	struct k8s_creds cr;
	CURLcode cc;
	int rc = k8s_config_creds(c->cfg, false, &cr, eb);

	if (rc)
		return rc;
	k8s_http_setup(c, path, &cr, NULL, 0, &hdrs);
	curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c->curl, CURLOPT_ACCEPT_ENCODING, NULL);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_stream);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c->curl, CURLOPT_XFERINFOFUNCTION, on_stream_progress);
	curl_easy_setopt(c->curl, CURLOPT_XFERINFODATA, &s);
	cc = curl_easy_perform(c->curl);
	if (!s.http)
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &s.http);
	curl_slist_free_all(hdrs);
	k8s_creds_clear(&cr);
	if (s.cb_rc) {
		rc = s.cb_rc;
	} else if (stop && __atomic_load_n(stop, __ATOMIC_SEQ_CST)) {
		rc = 0;
	} else if (cc != CURLE_OK) {
		k8s_status_transport(c, cc);
		rc = k8s_status_error(c, cc, "GET", path, eb);
	} else if (s.http < 200 || s.http >= 300) {
		k8s_status_from_body(c, s.http, s.err.t.buf);
		rc = k8s_status_error(c, cc, "GET", path, eb);
	} else {
		memset(&c->st, 0, sizeof(c->st));
		c->st.http = s.http;
	}
	free(s.err.t.buf);
	return rc;
}
