/*
 * assoc_client.h: REQUEST_ASSOC_INFO for sacctmgr show and sshare: the
 * controller's association tree, unpacked with the controller's own code
 * (slurmctld-sky/assoc.h), and the records beside it.
 */
#ifndef SKY_ASSOC_CLIENT_H
#define SKY_ASSOC_CLIENT_H

#include "assoc.h"
#include "sky.pb-c.h"
#include "sky_err.h"

struct assoc_info {
	Sky__AssocInfoReply *rep;   /* owned */
	struct assoc_tree *tree;    /* owned */
};

/* Fetch and unpack. On failure eb holds the reason. Free with assoc_info_free(). */
int assoc_info_load(struct assoc_info *ai, struct sky_errbuf *eb);
void assoc_info_free(struct assoc_info *ai);
/* The default account of user, or NULL. Borrowed. */
const char *assoc_info_default(const struct assoc_info *ai, const char *user);
/* An account's description (org false) or organization, or NULL. Caller frees. */
char *assoc_info_descr(const struct assoc_info *ai, const char *acct, bool org);

#endif
