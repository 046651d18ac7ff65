/*
 * k8s_api_int.h: inside the Kubernetes client (k8s_api.h): the client
 * object and the request set-up that plain requests and watches share.
 * Only k8s_api.c and k8s_watch.c include this.
 */
#ifndef SKY_K8S_API_INT_H
#define SKY_K8S_API_INT_H

#include <curl/curl.h>

#include "k8s_api.h"

struct k8s_client {
	CURL *curl;
	struct curl_slist *connect_to;  /* tls-server-name's CURLOPT_CONNECT_TO */
	struct k8s_config *cfg;
	long connect_ms, timeout_ms, backoff_base_ms, backoff_cap_ms;
	int max_attempts;
	unsigned int rng;               /* rand_r state for the jitter */
	struct k8s_status st;
	char curl_err[CURL_ERROR_SIZE];
};

/*
 * Reset c->curl for a request to path: URL, TLS trust, client certificate,
 * proxy, timeouts (timeout_ms 0 = none). *hdrs gets Accept, Authorization
 * and extra (may be NULL) and must be freed by the caller after the
 * transfer (curl_slist_free_all). creds borrowed for the transfer.
 */
void k8s_http_setup(struct k8s_client *c, const char *path, const struct k8s_creds *creds,
		    const char *extra, long timeout_ms, struct curl_slist **hdrs);

/* Fill c->st from an error body (a Status object, or anything). */
void k8s_status_from_body(struct k8s_client *c, long http, const char *body);

/* Set c->st for a transport failure. */
void k8s_status_transport(struct k8s_client *c, CURLcode cc);

/* The SKY_E_* of c->st, and the message into eb: "Kubernetes METHOD path: ...". */
int k8s_status_error(const struct k8s_client *c, CURLcode cc, const char *method,
		     const char *path, struct sky_errbuf *eb);

/* Full-jitter backoff before attempt+1; returns early when *stop (read
 * atomically; NULL = never) turns non-zero. */
void k8s_backoff(unsigned int *rng, long base_ms, long cap_ms, int attempt, const int *stop);

#endif
