/*
 * aws_http.h: inside the EC2 client (aws_ec2.h): the client object, the
 * form of a Query API request, and the signed POST with its retry loop.
 * Only aws_ec2.c and aws_xml.c include this.
 */
#ifndef SKY_AWS_HTTP_H
#define SKY_AWS_HTTP_H

#include <curl/curl.h>
#include <libxml/tree.h>

#include "aws_creds.h"
#include "aws_ec2.h"
#include "sky_err.h"

struct aws_ec2 {
	CURL *curl;
	struct aws_creds *creds;
	char *region;
	char *url;        /* endpoint URL requests go to */
	char *host;       /* its authority, the signed Host header */
	char *path;       /* its path, "/" unless the endpoint has one */
	long connect_timeout_ms, timeout_ms, backoff_base_ms, backoff_cap_ms;
	int max_attempts;
	unsigned int rng; /* rand_r state for the jitter */
	struct aws_error err;
	struct aws_call_stats stats;
	char *last_token;
	char curl_err[CURL_ERROR_SIZE];
};

/* A Query API request's parameters, in the order added. */
struct aws_form {
	char **k, **v;
	size_t n, cap;
};

/* Copies key and value. */
void aws_form_add(struct aws_form *f, const char *key, const char *value);
/* Consumes key (an xasprintf result), copies value. */
void aws_form_add_key(struct aws_form *f, char *key, const char *value);
void aws_form_free(struct aws_form *f);

/* The url-encoded body "Action=..&Version=..&k=v..". Caller frees. */
char *aws_form_encode(const struct aws_form *f);

/* Start a public call: clears c->err and c->stats. */
void aws_call_begin(struct aws_ec2 *c);

/*
 * POST the form (which must hold Action and Version), signed, retrying as
 * aws_ec2.h says. On success *doc is the parsed reply (caller frees with
 * xmlFreeDoc). On failure c->err says why and eb holds aws_error_reason().
 */
int aws_http_call(struct aws_ec2 *c, const struct aws_form *f, xmlDocPtr *doc,
		  struct sky_errbuf *eb);

/*
 * A paginated Describe* call: build(arg, token, f) fills the form of each page
 * (token NULL for the first), take(arg, root) reads each reply; pages are
 * followed through nextToken until there is none. 0, or aws_http_call's error.
 */
int aws_http_call_pages(struct aws_ec2 *c,
			void (*build)(const void *arg, const char *token, struct aws_form *f),
			void (*take)(const void *arg, xmlNodePtr root, void *out),
			const void *arg, void *out, struct sky_errbuf *eb);

/* Once per process: curl_global_init and xmlInitParser (pthread_once). */
void aws_http_global_init(void);

#endif
