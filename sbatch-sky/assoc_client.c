/* assoc_client.c: see assoc_client.h. */
#include "config.h"

#include <string.h>

#include "assoc_client.h"
#include "cli_util.h"
#include "xalloc.h"

int assoc_info_load(struct assoc_info *ai, struct sky_errbuf *eb)
{
	struct sky_client *c = NULL;
	ProtobufCMessage *r = NULL;
	int rc;

	memset(ai, 0, sizeof(*ai));
	if ((rc = cli_open(&c, eb)) == 0)
		rc = sky_client_rpc(c, SKY__MSG_TYPE__REQUEST_ASSOC_INFO, NULL,
				    &sky__assoc_info_reply__descriptor, &r, eb);
	sky_client_close(c);
	if (rc)
		return rc;
	ai->rep = (Sky__AssocInfoReply *)r;
	if ((rc = assoc_tree_unpack(ai->rep->tree.data, ai->rep->tree.len, &ai->tree, eb)))
		return rc;
	for (size_t i = 0; i < ai->rep->n_run_secs; i++) {
		const Sky__AssocRunSecs *m = ai->rep->run_secs[i];
		struct assoc *a = assoc_find_id(ai->tree, m->assoc_id);

		for (size_t k = 0; a && k < m->n_secs && k < ASSOC_TRES_MAX; k++)
			a->grp_used_tres_run_secs[k] = m->secs[k];
	}
	return 0;
}

void assoc_info_free(struct assoc_info *ai)
{
	if (ai->tree)
		assoc_tree_free(ai->tree);
	if (ai->rep)
		sky__assoc_info_reply__free_unpacked(ai->rep, NULL);
	memset(ai, 0, sizeof(*ai));
}

const char *assoc_info_default(const struct assoc_info *ai, const char *user)
{
	for (size_t i = 0; user && i < ai->rep->n_defaults; i++)
		if (strcmp(ai->rep->defaults[i]->user, user) == 0)
			return ai->rep->defaults[i]->account;
	return NULL;
}

char *assoc_info_descr(const struct assoc_info *ai, const char *acct, bool org)
{
	for (size_t i = 0; i < ai->rep->n_descr; i++) {
		const char *v = ai->rep->descr[i]->account, *tab = strchr(v, '\t');
		if (strcmp(ai->rep->descr[i]->user, acct))
			continue;
		if (org)
			return tab ? xstrdup(tab + 1) : NULL;
		return xstrndup(v, tab ? (size_t)(tab - v) : strlen(v));
	}
	return NULL;
}
