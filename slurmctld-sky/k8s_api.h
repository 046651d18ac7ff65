/*
 * k8s_api.h: a synchronous Kubernetes REST client (JSON over HTTPS, libcurl,
 * json-c) for the Kubernetes provider's worker threads.
 *
 * One k8s_client is one connection cache (a CURL handle): use it from one
 * thread at a time. Several clients, and watches, may share one k8s_config
 * (k8s_config.h), which must outlive them.
 *
 * Requests: paths are API paths ("/api/v1/namespaces/ns/pods"), query
 * included. Failures (transport, or an HTTP code >= 300) become a SKY_E_*
 * code with the message "Kubernetes <METHOD> <path>: HTTP <code> <reason>:
 * <Status.message>" and the decoded Status in k8s_client_status(). Codes:
 * 400/422 SKY_E_INVAL, 401 SKY_E_AUTH, 403 SKY_E_ACCESS_DENIED, 404 and 410
 * SKY_E_NOT_FOUND, 409 SKY_E_INVAL (reason AlreadyExists or Conflict),
 * timeouts SKY_E_TIMEOUT, no connection SKY_E_CONNECT, others SKY_E_GENERIC.
 * Retries with jittered exponential backoff: 429 and 503 (honouring
 * Retry-After) and failed connects for every method; timeouts, other
 * transport errors and 500/502/504 for GET/DELETE/PATCH only (a repeated
 * POST could create twice). A 401 with an exec plugin re-runs the plugin
 * once (its credential may have been revoked early).
 *
 * Watches (k8s_watch_*): one watch object per thread; it keeps the last
 * resourceVersion, reconnects with backoff when the stream ends or breaks,
 * and on "410 Gone" (an ERROR event with code 410, or HTTP 410) lists again
 * and hands the caller the fresh list (K8S_EV_RELIST) before watching on
 * from the list's resourceVersion.
 */
#ifndef SKY_K8S_API_H
#define SKY_K8S_API_H

#include <json-c/json.h>
#include <stdbool.h>

#include "k8s_config.h"
#include "sky_err.h"

/* The last failed request's answer. */
struct k8s_status {
	long http;              /* HTTP code; 0 when no answer arrived */
	char reason[64];        /* Status.reason ("NotFound", "AlreadyExists", "Gone"...) */
	char message[400];      /* Status.message, or the transport error */
};

struct k8s_client;

/* cfg borrowed (must outlive the client). *out caller frees. */
int k8s_client_new(struct k8s_config *cfg, struct k8s_client **out, struct sky_errbuf *eb);
void k8s_client_free(struct k8s_client *c);

/* Defaults: connect 5 s, whole request 30 s, 4 attempts, backoff 200 ms doubling to 5 s. */
void k8s_client_set_limits(struct k8s_client *c, long connect_ms, long timeout_ms,
			   int max_attempts, long backoff_base_ms, long backoff_cap_ms);

/* Borrowed; valid until the next request on c. */
const struct k8s_status *k8s_client_status(const struct k8s_client *c);

/* The config the client was made with (borrowed). */
struct k8s_config *k8s_client_config(const struct k8s_client *c);

/*
 * One request. body: a JSON text or NULL; ctype its Content-Type (NULL:
 * application/json). On success *reply is the parsed answer (caller puts
 * with json_object_put; NULL for an empty body). reply may be NULL.
 */
int k8s_request(struct k8s_client *c, const char *method, const char *path, const char *ctype,
		const char *body, json_object **reply, struct sky_errbuf *eb);

int k8s_get(struct k8s_client *c, const char *path, json_object **reply, struct sky_errbuf *eb);

/* POST obj (borrowed) to a collection path. */
int k8s_create(struct k8s_client *c, const char *path, json_object *obj, json_object **reply,
	       struct sky_errbuf *eb);

/*
 * DELETE with a DeleteOptions body: grace_secs < 0 leaves the server's
 * default; propagation NULL or "Foreground"/"Background"/"Orphan".
 */
int k8s_delete(struct k8s_client *c, const char *path, int grace_secs, const char *propagation,
	       json_object **reply, struct sky_errbuf *eb);

enum k8s_patch_type {
	K8S_PATCH_MERGE,        /* application/merge-patch+json */
	K8S_PATCH_STRATEGIC,    /* application/strategic-merge-patch+json */
	K8S_PATCH_JSON,         /* application/json-patch+json */
};

int k8s_patch(struct k8s_client *c, const char *path, enum k8s_patch_type type,
	      json_object *patch, json_object **reply, struct sky_errbuf *eb);

/*
 * LIST path with the selectors (NULL = none), following "continue" tokens
 * (pages of limit items; 0 = one unpaginated request). *list is the first
 * page with every page's items; metadata.resourceVersion is the first
 * page's (caller puts).
 */
int k8s_list(struct k8s_client *c, const char *path, const char *label_selector,
	     const char *field_selector, int limit, json_object **list, struct sky_errbuf *eb);

/* Chunks of a streamed body as they arrive; non-zero stops the stream. */
typedef int (*k8s_data_cb)(void *arg, const char *data, size_t len);

/*
 * GET path and hand the raw body to cb as it arrives (pods/NAME/log?follow=true).
 * Returns 0 when the server ends the body or *stop (read atomically; may be
 * NULL) turns non-zero, cb's non-zero return, or the request's error (as
 * k8s_request's; an HTTP error's body is decoded, not passed to cb). No
 * retries and no overall timeout: the caller resumes (e.g. sinceTime=).
 */
int k8s_stream(struct k8s_client *c, const char *path, k8s_data_cb cb, void *arg,
	       const int *stop, struct sky_errbuf *eb);

/* s percent-encoded for a query value. Caller frees. */
char *k8s_query_escape(const char *s);

/* obj's metadata.<key> as a string (borrowed), or NULL. */
const char *k8s_meta(json_object *obj, const char *key);

/* ---- watches ---- */

enum k8s_event {
	K8S_EV_ADDED,
	K8S_EV_MODIFIED,
	K8S_EV_DELETED,
	K8S_EV_BOOKMARK,
	K8S_EV_RELIST,          /* obj is a whole List: replace everything known */
};

/* "ADDED", ... "RELIST". Static. */
const char *k8s_event_name(enum k8s_event ev);

/* obj borrowed for the call. A non-zero return stops the watch with that code. */
typedef int (*k8s_watch_cb)(void *arg, enum k8s_event ev, json_object *obj);

struct k8s_watch_opts {
	const char *path;               /* collection, e.g. /api/v1/nodes */
	const char *label_selector, *field_selector;  /* NULL = none */
	const char *resource_version;   /* NULL: list first (RELIST), then watch */
	int timeout_secs;               /* server-side per connection; default 300 */
	long backoff_base_ms, backoff_cap_ms;  /* default 200 ms doubling to 5 s */
};

struct k8s_watch_stats {
	unsigned int connects;          /* watch requests made */
	unsigned int relists;           /* RELISTs delivered */
	unsigned int gone;              /* 410s seen */
	unsigned int events;            /* ADDED/MODIFIED/DELETED/BOOKMARK delivered */
	unsigned int errors;            /* failed connections (before backoff) */
};

struct k8s_watch;

/* cfg borrowed; o copied. Caller frees with k8s_watch_free. */
int k8s_watch_new(struct k8s_config *cfg, const struct k8s_watch_opts *o, struct k8s_watch **out,
		  struct sky_errbuf *eb);
void k8s_watch_free(struct k8s_watch *w);

/*
 * Watch until k8s_watch_stop() (returns 0), the callback returns non-zero
 * (returns that), or the server refuses for good (401, 403, 404: returns
 * the error). Everything else (ended streams, lost connections, 5xx, 410)
 * is recovered here.
 */
int k8s_watch_run(struct k8s_watch *w, k8s_watch_cb cb, void *arg, struct sky_errbuf *eb);

/* Ask a running k8s_watch_run to return soon (any thread, async-signal-safe). */
void k8s_watch_stop(struct k8s_watch *w);

/* The last resourceVersion seen (borrowed; NULL before the first). Only from
 * the watching thread or after k8s_watch_run returned. */
const char *k8s_watch_resource_version(const struct k8s_watch *w);

const struct k8s_watch_stats *k8s_watch_stats(const struct k8s_watch *w);

#endif
