/* fs_ctld.c: see fs_ctld.h. Configuration, store, cycle and priorities. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctld.h"
#include "fs_ctld.h"
#include "fs_int.h"
#include "job_defs.h"
#include "log.h"
#include "qos.h"
#include "qos_ctld.h"
#include "xalloc.h"

#define META_TREE "assoc_tree"
#define META_DEFAULTS "assoc_defaults"
#define META_DESCR "assoc_descr"

/* ---- defaults and account texts ---- */

const char *fs_kv_get(const struct fs_kvlist *l, const char *key)
{
	for (size_t i = 0; key && i < l->n; i++)
		if (strcmp(l->v[i].user, key) == 0)
			return l->v[i].acct;
	return NULL;
}

void fs_kv_set(struct fs_kvlist *l, const char *key, const char *val)
{
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].user, key))
			continue;
		free(l->v[i].acct);
		if (val) {
			l->v[i].acct = xstrdup(val);
			return;
		}
		free(l->v[i].user);
		l->v[i] = l->v[--l->n];
		return;
	}
	if (!val)
		return;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n].user = xstrdup(key);
	l->v[l->n++].acct = xstrdup(val);
}

void fs_kv_free(struct fs_kvlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].user);
		free(l->v[i].acct);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

const char *fs_default_account(const struct fs_ctld *f, const char *user)
{
	return fs_kv_get(&f->defs, user);
}

/* "key\tvalue\n" lines: small, and readable with mdb_dump. */
static char *kv_text(const struct fs_kvlist *l, size_t *len)
{
	size_t cap = 1, n = 0;
	char *s;

	for (size_t i = 0; i < l->n; i++)
		cap += strlen(l->v[i].user) + strlen(l->v[i].acct) + 2;
	s = xmalloc(cap);
	for (size_t i = 0; i < l->n; i++)
		n += (size_t)snprintf(s + n, cap - n, "%s\t%s\n", l->v[i].user, l->v[i].acct);
	s[n] = '\0';
	*len = n;
	return s;
}

static void kv_parse(struct fs_kvlist *l, char *s)
{
	char *line, *next, *tab;

	for (line = s; line && *line; line = next) {
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		if ((tab = strchr(line, '\t'))) {
			*tab = '\0';
			fs_kv_set(l, line, tab + 1);
		}
	}
}

/* ---- store ---- */

int fs_ctld_save(struct ctld *c, struct store_txn *t, struct sky_errbuf *eb)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char *defs;
	int rc;

	if ((rc = assoc_tree_pack(c->fs->tree, &buf, &len)))
		return sky_err_set(eb, rc, "cannot pack the association tree");
	rc = store_meta_put_blob(t, META_TREE, buf, len, eb);
	free(buf);
	if (rc)
		return rc;
	defs = kv_text(&c->fs->defs, &len);
	rc = store_meta_put_blob(t, META_DEFAULTS, (const uint8_t *)defs, len, eb);
	free(defs);
	if (rc)
		return rc;
	defs = kv_text(&c->fs->descr, &len);
	rc = store_meta_put_blob(t, META_DESCR, (const uint8_t *)defs, len, eb);
	free(defs);
	return rc ? rc : qos_ctld_save(c, t, eb);
}

int fs_ctld_commit(struct ctld *c, struct sky_errbuf *eb)
{
	struct store_txn *t = NULL;
	int rc;

	if ((rc = store_begin(c->store, true, &t, eb)))
		return rc;
	if ((rc = fs_ctld_save(c, t, eb))) {
		store_abort(t);
		return rc;
	}
	return store_commit(t, eb);
}

static int load(struct ctld *c, struct sky_errbuf *eb)
{
	struct fs_ctld *f = c->fs;
	struct store_txn *t = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if ((rc = store_begin(c->store, false, &t, eb)))
		return rc;
	rc = store_meta_get_blob(t, META_TREE, &buf, &len, eb);
	if (rc == SKY_E_NOT_FOUND) {
		sky_err_clear(eb);
		/* As a fresh slurmdbd: the cluster's root account with user root in it. */
		f->tree = assoc_tree_new();
		rc = assoc_add_user(f->tree, "root", "root", NULL, 1, NULL, eb);
		fs_kv_set(&f->defs, "root", "root");
	} else if (!rc) {
		rc = assoc_tree_unpack(buf, len, &f->tree, eb);
	}
	FREE_NULL(buf);
	if (!rc && !store_meta_get_blob(t, META_DEFAULTS, &buf, &len, eb)) {
		buf[len] = '\0';
		kv_parse(&f->defs, (char *)buf);
		FREE_NULL(buf);
	}
	if (!rc && !store_meta_get_blob(t, META_DESCR, &buf, &len, eb)) {
		buf[len] = '\0';
		kv_parse(&f->descr, (char *)buf);
		FREE_NULL(buf);
	}
	sky_err_clear(eb);
	if (!rc)
		rc = qos_ctld_load(c, t, eb);
	store_abort(t);
	return rc;
}

int fs_ctld_init(struct ctld *c, struct sky_errbuf *eb)
{
	struct fs_ctld *f = xcalloc(1, sizeof(*f));
	time_t now = time(NULL);
	int rc;

	c->fs = f;
	if ((rc = load(c, eb)))
		return rc;
	if ((rc = fs_parse_conf(f, c->conf, &f->tree->tres, eb)))
		return rc;
	if (!f->tree->last_decay)
		f->tree->last_decay = now;
	else
		fs_resume_charges(c, f->tree->last_decay);
	if (f->pc.reset_period == FS_RESET_NOW) {
		fs_reset_usage(f->tree);
		f->tree->last_reset = now;
		f->pc.reset_period = FS_RESET_NONE;
	}
	f->next_reset = fs_next_reset(f->pc.reset_period,
				      f->tree->last_reset ? f->tree->last_reset : now);
	fs_recount(c);
	if ((rc = fs_ctld_commit(c, eb)))
		return rc;
	if (f->multifactor)
		fs_cycle(c, now);
	log_info("fair share: %zu associations, priority/%s, enforce 0x%x", f->tree->n_assoc,
		 f->multifactor ? "multifactor" : "basic", f->enforce);
	return 0;
}

void fs_ctld_fini(struct ctld *c)
{
	struct fs_ctld *f = c->fs;

	if (!f)
		return;
	assoc_tree_free(f->tree);
	qos_table_free(f->qos);
	fs_free_parsed(f);
	fs_kv_free(&f->defs);
	fs_kv_free(&f->descr);
	free(f);
	c->fs = NULL;
}

void fs_ctld_tick(struct ctld *c, time_t now)
{
	struct fs_ctld *f = c->fs;

	if (!f || !f->multifactor)
		return;
	if (now - f->last_cycle >= (time_t)f->pc.calc_period_secs)
		fs_cycle(c, now);
}
