/* auth_munge.c: see auth_munge.h. */
#include "config.h"

#include <munge.h>
#include <sha2.h>
#include <string.h>

#include "auth_munge.h"
#include "xalloc.h"

struct auth_ctx {
	munge_ctx_t ctx;
};

/*
 * The credential's payload is SHA-256(type || body), which binds it to this
 * one message. libmd rather than libcrypto: every client command pays for the
 * library it loads, and libcrypto's start-up (relocations, reading
 * openssl.cnf) cost about 1.5 ms per sbatch call here (bench/README.md).
 */
static void digest(uint32_t type, const uint8_t *body, size_t len, uint8_t out[SHA256_DIGEST_LENGTH])
{
	uint8_t tb[4] = { (uint8_t)(type >> 24), (uint8_t)(type >> 16), (uint8_t)(type >> 8), (uint8_t)type };
	SHA2_CTX md;

	SHA256Init(&md);
	SHA256Update(&md, tb, sizeof(tb));
	if (len)
		SHA256Update(&md, body, len);
	SHA256Final(out, &md);
}

int auth_create(const char *socket, uint32_t ttl, struct auth_ctx **out, struct sky_errbuf *eb)
{
	struct auth_ctx *a = xmalloc(sizeof(*a));
	munge_err_t e;

	a->ctx = munge_ctx_create();
	if (!a->ctx) {
		free(a);
		return sky_err_set(eb, SKY_E_NOMEM, "munge_ctx_create failed");
	}
	if (socket && (e = munge_ctx_set(a->ctx, MUNGE_OPT_SOCKET, socket)) != EMUNGE_SUCCESS)
		goto fail;
	if (ttl && (e = munge_ctx_set(a->ctx, MUNGE_OPT_TTL, (int)ttl)) != EMUNGE_SUCCESS)
		goto fail;
	*out = a;
	return 0;
fail:
	sky_err_set(eb, SKY_E_AUTH, "munge: %s", munge_ctx_strerror(a->ctx));
	munge_ctx_destroy(a->ctx);
	free(a);
	return SKY_E_AUTH;
}

void auth_destroy(struct auth_ctx *a)
{
	if (!a)
		return;
	munge_ctx_destroy(a->ctx);
	free(a);
}

int auth_sign(struct auth_ctx *a, uint32_t type, const uint8_t *body, size_t len,
	      char **cred, struct sky_errbuf *eb)
{
	uint8_t d[SHA256_DIGEST_LENGTH];
	char *c = NULL;
	munge_err_t e;

	digest(type, body, len, d);
	e = munge_encode(&c, a->ctx, d, sizeof(d));
	if (e != EMUNGE_SUCCESS) {
		free(c);
		return sky_err_set(eb, SKY_E_AUTH, "munge encode failed: %s", munge_ctx_strerror(a->ctx));
	}
	*cred = xstrdup(c);
	free(c);
	return 0;
}

int auth_verify(struct auth_ctx *a, uint32_t type, const uint8_t *body, size_t len,
		const char *cred, uid_t *uid, gid_t *gid, struct sky_errbuf *eb)
{
	uint8_t d[SHA256_DIGEST_LENGTH];
	void *payload = NULL;
	int plen = 0, rc = 0;
	uid_t u;
	gid_t g;
	munge_err_t e;

	if (!cred || !*cred)
		return sky_err_set(eb, SKY_E_AUTH, "message carries no credential");
	e = munge_decode(cred, a->ctx, &payload, &plen, &u, &g);
	if (e != EMUNGE_SUCCESS) {
		rc = sky_err_set(eb, SKY_E_AUTH, "munge decode failed: %s", munge_strerror(e));
		goto out;
	}
	digest(type, body, len, d);
	if (plen != (int)sizeof(d) || memcmp(payload, d, sizeof(d)) != 0) {
		rc = sky_err_set(eb, SKY_E_AUTH, "credential does not match the message");
		goto out;
	}
	*uid = u;
	*gid = g;
out:
	free(payload);
	return rc;
}
