/*
 * auth_munge.h: munge credentials bound to the message they travel with.
 *
 * The credential's payload is SHA-256(type || body), so a credential cannot be
 * lifted onto another message. Identity (uid/gid) comes only from the decoded
 * credential. munged rejects replayed and expired credentials itself.
 * munge calls block on a Unix-socket round trip to munged (~100 us).
 */
#ifndef SKY_AUTH_MUNGE_H
#define SKY_AUTH_MUNGE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sky_err.h"

struct auth_ctx;

/* socket: munged's socket (NULL = munge's default). ttl: 0 = munged's default.
 * Caller frees with auth_destroy(). */
int auth_create(const char *socket, uint32_t ttl, struct auth_ctx **out, struct sky_errbuf *eb);
void auth_destroy(struct auth_ctx *a);

/* A credential for (type, body). *cred is caller-freed. */
int auth_sign(struct auth_ctx *a, uint32_t type, const uint8_t *body, size_t len,
	      char **cred, struct sky_errbuf *eb);

/*
 * Check cred against (type, body). On success fills uid/gid. Failures are
 * SKY_E_AUTH with munge's reason in eb ("Replayed credential", "Expired
 * credential", "Invalid credential", ...).
 */
int auth_verify(struct auth_ctx *a, uint32_t type, const uint8_t *body, size_t len,
		const char *cred, uid_t *uid, gid_t *gid, struct sky_errbuf *eb);

#endif
