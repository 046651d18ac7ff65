/*
 * k8s_watch.c: watch streams (k8s_api.h): one long GET ?watch=1 whose body
 * is a JSON object per line, resumed from the last resourceVersion, relisted
 * on 410 Gone.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "k8s_api_int.h"
#include "log.h"
#include "xalloc.h"

/* One event line is one object; a node or pod is far below this. */
#define MAX_LINE (64L << 20)

/* How one stream ended. */
enum ending {
	END_CLOSED,     /* the server ended it (timeoutSeconds): resume at once */
	END_GONE,       /* 410: relist */
	END_STOPPED,    /* k8s_watch_stop */
	END_CALLBACK,   /* the callback returned non-zero */
	END_FAILED,     /* transport or HTTP error: back off, resume */
	END_REFUSED,    /* 401/403/404: give up */
};

struct k8s_watch {
	struct k8s_client *c;
	char *path, *label_selector, *field_selector, *rv;
	int timeout_secs;
	long backoff_base_ms, backoff_cap_ms;
	int stop;                       /* set by k8s_watch_stop (atomic access) */
	struct k8s_watch_stats stats;

	/* One stream's state. */
	k8s_watch_cb cb;
	void *arg;
	int cb_rc;
	bool gone, got_event;
	long http;
	char *line;
	size_t len, cap;
};

const char *k8s_event_name(enum k8s_event ev)
{
	static const char *const names[] = { "ADDED", "MODIFIED", "DELETED", "BOOKMARK", "RELIST" };

	return (unsigned)ev < sizeof(names) / sizeof(names[0]) ? names[ev] : "?";
}

int k8s_watch_new(struct k8s_config *cfg, const struct k8s_watch_opts *o, struct k8s_watch **out,
		  struct sky_errbuf *eb)
{
	struct k8s_watch *w = xmalloc(sizeof(*w));
	int rc = k8s_client_new(cfg, &w->c, eb);

	*out = NULL;
	if (rc) {
		free(w);
		return rc;
	}
	w->path = xstrdup(o->path);
	w->label_selector = xstrdup(o->label_selector);
	w->field_selector = xstrdup(o->field_selector);
	w->rv = xstrdup(o->resource_version);
	w->timeout_secs = o->timeout_secs > 0 ? o->timeout_secs : 300;
	w->backoff_base_ms = o->backoff_base_ms > 0 ? o->backoff_base_ms : 200;
	w->backoff_cap_ms = o->backoff_cap_ms > 0 ? o->backoff_cap_ms : 5000;
	*out = w;
	return 0;
}

void k8s_watch_free(struct k8s_watch *w)
{
	if (!w)
		return;
	k8s_client_free(w->c);
	free(w->path);
	free(w->label_selector);
	free(w->field_selector);
	free(w->rv);
	free(w->line);
	free(w);
}

void k8s_watch_stop(struct k8s_watch *w)
{
	__atomic_store_n(&w->stop, 1, __ATOMIC_SEQ_CST);
}

static bool stopped(const struct k8s_watch *w)
{
	return __atomic_load_n(&w->stop, __ATOMIC_SEQ_CST);
}

const char *k8s_watch_resource_version(const struct k8s_watch *w)
{
	return w->rv;
}

const struct k8s_watch_stats *k8s_watch_stats(const struct k8s_watch *w)
{
	return &w->stats;
}

static void take_rv(struct k8s_watch *w, json_object *obj)
{
	const char *rv = k8s_meta(obj, "resourceVersion");

	if (rv && *rv) {
		free(w->rv);
		w->rv = xstrdup(rv);
	}
}

/* One event line. false stops the stream (gone, callback, bad data). */
static bool on_line(struct k8s_watch *w, const char *line)
{
	static const char *const types[] = { "ADDED", "MODIFIED", "DELETED", "BOOKMARK" };
	json_object *o = json_tokener_parse(line), *type, *obj = NULL, *code;
	const char *t;
	bool go_on = false;

	if (!o || !json_object_object_get_ex(o, "type", &type) ||
	    !json_object_object_get_ex(o, "object", &obj)) {
		log_error("Kubernetes watch %s: bad event line", w->path);
		goto out;
	}
	t = json_object_get_string(type);
	if (!strcmp(t, "ERROR")) {
		json_object_object_get_ex(obj, "code", &code);
		k8s_status_from_body(w->c, json_object_get_int(code),
				     json_object_to_json_string(obj));
		w->gone = json_object_get_int(code) == 410;
		goto out;
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(t, types[i]))
			continue;
		take_rv(w, obj);
		w->stats.events++;
		w->got_event = true;
		w->cb_rc = w->cb(w->arg, (enum k8s_event)i, obj);
		go_on = w->cb_rc == 0;
		goto out;
	}
	go_on = true; /* an event type newer than this client: skip it */
out:
	json_object_put(o);
	return go_on;
}

static size_t on_data(char *p, size_t size, size_t nmemb, void *arg)
{
	struct k8s_watch *w = arg;
	size_t n = size * nmemb, start = 0;

	if (!w->http)
		curl_easy_getinfo(w->c->curl, CURLINFO_RESPONSE_CODE, &w->http);
	if (w->len + n + 1 > (size_t)MAX_LINE)
		return 0;
	if (w->len + n + 1 > w->cap) {
		w->cap = (w->len + n + 1) * 2;
		w->line = xrealloc(w->line, w->cap);
	}
	memcpy(w->line + w->len, p, n);
	w->len += n;
	w->line[w->len] = '\0';
	if (w->http != 200)
		return n; /* an error body: decoded whole at the end */
	for (size_t i = 0; i < w->len; i++) {
		if (w->line[i] != '\n')
			continue;
		w->line[i] = '\0';
		if (i > start && !on_line(w, w->line + start))
			return 0; /* aborts the transfer */
		start = i + 1;
	}
	memmove(w->line, w->line + start, w->len - start);
	w->len -= start;
	w->line[w->len] = '\0';
	return n;
}

static int on_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	struct k8s_watch *w = arg;

	(void)a;
	(void)b;
	(void)c;
	(void)d;
	return stopped(w) ? 1 : 0;
}

static char *watch_path(const struct k8s_watch *w)
{
	char *p = xasprintf("%s%cwatch=1&allowWatchBookmarks=true&timeoutSeconds=%d", w->path,
			    strchr(w->path, '?') ? '&' : '?', w->timeout_secs);
	const char *keys[] = { "resourceVersion", "labelSelector", "fieldSelector" };
	const char *vals[] = { w->rv, w->label_selector, w->field_selector };

	for (size_t i = 0; i < 3; i++) {
		char *e;
		if (!vals[i] || !*vals[i])
			continue;
		e = k8s_query_escape(vals[i]);
		xstrfmtcat(&p, "&%s=%s", keys[i], e);
		free(e);
	}
	return p;
}

static enum ending classify(struct k8s_watch *w, CURLcode cc, struct sky_errbuf *eb)
{
	if (stopped(w))
		return END_STOPPED;
	if (w->cb_rc)
		return END_CALLBACK;
	if (w->gone || w->http == 410) {
		w->stats.gone++;
		return END_GONE;
	}
	if (w->http && w->http != 200) {
		k8s_status_from_body(w->c, w->http, w->line);
		k8s_status_error(w->c, CURLE_OK, "GET", w->path, eb);
		if (w->http == 401 || w->http == 403 || w->http == 404)
			return END_REFUSED;
		return END_FAILED;
	}
	if (cc == CURLE_OK)
		return END_CLOSED;
	if (cc != CURLE_WRITE_ERROR)
		k8s_status_transport(w->c, cc);
	return END_FAILED; /* includes an ERROR event other than 410 */
}

/* One watch connection, from w->rv. */
static enum ending stream(struct k8s_watch *w, bool refresh, struct sky_errbuf *eb)
{
	struct curl_slist *hdrs = NULL;
	struct k8s_creds cr;
	char *path = watch_path(w);
	CURLcode cc;
	int rc;

	w->http = 0;
	w->len = 0;
	w->gone = false;
	rc = k8s_config_creds(w->c->cfg, refresh, &cr, eb);
	if (rc) {
		free(path);
		return END_FAILED;
	}
	k8s_http_setup(w->c, path, &cr, NULL, (w->timeout_secs + 30) * 1000L, &hdrs);
	curl_easy_setopt(w->c->curl, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(w->c->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(w->c->curl, CURLOPT_WRITEDATA, w);
	curl_easy_setopt(w->c->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(w->c->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(w->c->curl, CURLOPT_XFERINFODATA, w);
	/* Events must not sit in a compression buffer. */
	curl_easy_setopt(w->c->curl, CURLOPT_ACCEPT_ENCODING, NULL);
	w->stats.connects++;
	cc = curl_easy_perform(w->c->curl);
	if (!w->http)
		curl_easy_getinfo(w->c->curl, CURLINFO_RESPONSE_CODE, &w->http);
	curl_slist_free_all(hdrs);
	k8s_creds_clear(&cr);
	free(path);
	return classify(w, cc, eb);
}

static int relist(struct k8s_watch *w, struct sky_errbuf *eb)
{
	json_object *list;
	int rc = k8s_list(w->c, w->path, w->label_selector, w->field_selector, 0, &list, eb);

	if (rc)
		return rc;
	FREE_NULL(w->rv);
	take_rv(w, list);
	w->stats.relists++;
	w->cb_rc = w->cb(w->arg, K8S_EV_RELIST, list);
	json_object_put(list);
	return 0;
}

int k8s_watch_run(struct k8s_watch *w, k8s_watch_cb cb, void *arg, struct sky_errbuf *eb)
{
	int failures = 0, rc;
	bool refreshed = false;

	w->cb = cb;
	w->arg = arg;
	w->cb_rc = 0;
	while (!stopped(w)) {
		struct sky_errbuf tmp = { 0 };
		enum ending e;

		if (!w->rv) {
			rc = relist(w, &tmp);
			if (w->cb_rc)
				return w->cb_rc;
			if (rc == SKY_E_AUTH || rc == SKY_E_ACCESS_DENIED || rc == SKY_E_NOT_FOUND)
				return sky_err_set(eb, rc, "%s", sky_err_msg(&tmp));
			if (rc) {
				log_info("Kubernetes watch %s: %s", w->path, sky_err_msg(&tmp));
				w->stats.errors++;
				k8s_backoff(&w->c->rng, w->backoff_base_ms, w->backoff_cap_ms,
					    ++failures, &w->stop);
				continue;
			}
		}
		w->got_event = false;
		e = stream(w, refreshed, &tmp);
		if (w->got_event)
			failures = 0;
		switch (e) {
		case END_STOPPED:
			return 0;
		case END_CALLBACK:
			return w->cb_rc;
		case END_CLOSED:
			break;
		case END_GONE:
			log_info("Kubernetes watch %s: resourceVersion %s is gone (410); relisting",
				 w->path, w->rv ? w->rv : "");
			FREE_NULL(w->rv);
			break;
		case END_REFUSED:
			if (w->http == 401 && w->c->cfg->exec && !refreshed) {
				refreshed = true;
				continue;
			}
			return sky_err_set(eb, sky_err_msg(&tmp)[0] ? tmp.code : SKY_E_AUTH, "%s",
					   sky_err_msg(&tmp));
		case END_FAILED:
			w->stats.errors++;
			log_info("Kubernetes watch %s: %s; reconnecting", w->path,
				 tmp.code ? sky_err_msg(&tmp) : w->c->st.message);
			k8s_backoff(&w->c->rng, w->backoff_base_ms, w->backoff_cap_ms, ++failures,
				    &w->stop);
			break;
		}
		refreshed = false;
	}
	return 0;
}
