/*
 * aws_sigv4.h: AWS Signature Version 4 for the EC2 provider's requests.
 *
 * The provider talks to EC2's Query API with libcurl and no SDK, so it signs
 * each request itself: a canonical request (method, URI, sorted encoded
 * query, lower-cased sorted headers, hex SHA-256 of the payload), a string
 * to sign over the credential scope (date/region/service/aws4_request), and
 * an HMAC-SHA256 chain from the secret key. Verified against AWS's published
 * SigV4 test suite (slurmctld-sky/sigv4_test.c).
 */
#ifndef SKY_AWS_SIGV4_H
#define SKY_AWS_SIGV4_H

#include <stddef.h>
#include <stdint.h>

#include "sky_err.h"

/* A header, or a query parameter (name = key), as sent, not yet encoded. */
struct sigv4_pair {
	const char *name;
	const char *value;
};

struct sigv4_request {
	const char *method;                /* "GET", "POST" */
	const char *path;                  /* raw path, e.g. "/" (encoded here) */
	const struct sigv4_pair *query;    /* raw key/value pairs, any order */
	size_t n_query;
	const struct sigv4_pair *headers;  /* must include Host and X-Amz-Date */
	size_t n_headers;
	const uint8_t *body;
	size_t body_len;
};

struct sigv4_creds {
	const char *access_key;
	const char *secret_key;
};

/*
 * The canonical request, and in *signed_headers the "host;x-amz-date" list
 * it signs. Both caller-freed.
 */
char *sigv4_canonical_request(const struct sigv4_request *r, char **signed_headers);

/*
 * The Authorization header value for r ("AWS4-HMAC-SHA256 Credential=...,
 * SignedHeaders=..., Signature=..."), caller-freed. amz_date is the request's
 * X-Amz-Date ("20150830T123600Z"); SKY_E_INVAL names a malformed one.
 */
int sigv4_authorization(const struct sigv4_request *r, const struct sigv4_creds *c,
			const char *region, const char *service, const char *amz_date, char **auth,
			struct sky_errbuf *eb);

/* RFC 3986 encoding as SigV4 wants it (unreserved kept, %XX upper case);
 * keep_slash for paths. Caller frees. */
char *sigv4_uri_encode(const char *s, int keep_slash);

#endif
