/*
 * sacctmgr_show.c: sacctmgr show|list account|user|assoc, with Slurm's
 * default columns, format= and where conditions (see sacctmgr.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acct_print.h"
#include "assoc_client.h"
#include "cli_util.h"
#include "log.h"
#include "qos.h"
#include "sacctmgr.h"
#include "timefmt.h"
#include "xalloc.h"

enum fkind {
	F_CLUSTER, F_ACCOUNT, F_USER, F_PARTITION, F_SHARE, F_PRIORITY, F_GRPJOBS, F_GRPTRES,
	F_GRPSUBMIT, F_GRPWALL, F_GRPTRESMINS, F_MAXJOBS, F_MAXTRES, F_MAXTRESPERNODE,
	F_MAXSUBMIT, F_MAXWALL, F_MAXTRESMINS, F_QOS, F_DEFQOS, F_GRPTRESRUNMINS, F_PARENTNAME,
	F_PARENTID, F_ID, F_DESCR, F_ORG, F_DEFACCT, F_ADMIN,
};

static const struct sm_field fdefs[] = {
	{ "Cluster", "Cluster", 10, F_CLUSTER },
	{ "Account|Acct", "Account", 10, F_ACCOUNT },
	{ "User|Users", "User", 10, F_USER },
	{ "Partition", "Partition", 10, F_PARTITION },
	{ "Fairshare|Share|Shares", "Share", 9, F_SHARE },
	{ "Priority", "Priority", 10, F_PRIORITY },
	{ "GrpJobs", "GrpJobs", 7, F_GRPJOBS },
	{ "GrpTRES", "GrpTRES", 13, F_GRPTRES },
	{ "GrpSubmitJobs|GrpSubmit", "GrpSubmit", 9, F_GRPSUBMIT },
	{ "GrpWall", "GrpWall", 11, F_GRPWALL },
	{ "GrpTRESMins", "GrpTRESMins", 13, F_GRPTRESMINS },
	{ "MaxJobs", "MaxJobs", 7, F_MAXJOBS },
	{ "MaxTRES|MaxTRESPerJob", "MaxTRES", 13, F_MAXTRES },
	{ "MaxTRESPerNode", "MaxTRESPerNode", 14, F_MAXTRESPERNODE },
	{ "MaxSubmitJobs|MaxSubmit", "MaxSubmit", 9, F_MAXSUBMIT },
	{ "MaxWall|MaxWallDurationPerJob", "MaxWall", 11, F_MAXWALL },
	{ "MaxTRESMins|MaxTRESMinsPerJob", "MaxTRESMins", 13, F_MAXTRESMINS },
	{ "QOS", "QOS", 20, F_QOS },
	{ "DefaultQOS|DefQOS", "Def QOS", 9, F_DEFQOS },
	{ "GrpTRESRunMins", "GrpTRESRunMin", 13, F_GRPTRESRUNMINS },
	{ "ParentName", "Par Name", 10, F_PARENTNAME },
	{ "ParentID", "Par ID", 6, F_PARENTID },
	{ "ID", "ID", 6, F_ID },
	{ "Description|Descr", "Descr", 20, F_DESCR },
	{ "Organization|Org", "Org", 20, F_ORG },
	{ "DefaultAccount|DefAccount", "Def Acct", 10, F_DEFACCT },
	{ "AdminLevel|Admin", "Admin", 9, F_ADMIN },
};

#define ACCT_DEFAULT "Account,Descr,Org"
#define USER_DEFAULT "User,DefaultAccount,Admin"
#define ASSOC_DEFAULT "Cluster,Account,User,Partition,Share,Priority,GrpJobs,GrpTRES," \
	"GrpSubmit,GrpWall,GrpTRESMins,MaxJobs,MaxTRES,MaxTRESPerNode,MaxSubmit,MaxWall," \
	"MaxTRESMins,QOS,DefaultQOS,GrpTRESRunMins"

bool sm_name_in(const char *names, const char *s, size_t len, bool prefix)
{
	const char *p = names;

	while (*p) {
		const char *e = strchr(p, '|');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if ((prefix ? len <= l : len == l) && len && strncasecmp(s, p, len) == 0)
			return true;
		if (!e)
			break;
		p = e + 1;
	}
	return false;
}

/* Exact names first, so "MaxTRES" is not taken as an abbreviation of "MaxTRESMins". */
static const struct sm_field *find_field(const struct sm_field *defs, size_t n_defs,
					 const char *s, size_t len)
{
	for (int prefix = 0; prefix < 2; prefix++)
		for (size_t i = 0; i < n_defs; i++)
			if (sm_name_in(defs[i].names, s, len, prefix))
				return &defs[i];
	return NULL;
}

int sm_parse_format(const char *fmt, const struct sm_field *defs, size_t n_defs,
		    struct sm_cols *out)
{
	const char *p = fmt;

	memset(out, 0, sizeof(*out));
	while (*p) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		const char *pct = memchr(p, '%', l);
		size_t nl = pct ? (size_t)(pct - p) : l;
		const struct sm_field *f = find_field(defs, n_defs, p, nl);

		if (!f) {
			log_error("Unknown field '%.*s'", (int)nl, p);
			return -1;
		}
		out->c = xrealloc(out->c, (out->n + 1) * sizeof(*out->c));
		out->k = xrealloc(out->k, (out->n + 1) * sizeof(*out->k));
		out->c[out->n].title = f->title;
		out->c[out->n].width = pct ? atoi(pct + 1) : f->width;
		if (!out->c[out->n].width)
			out->c[out->n].width = f->width;
		out->k[out->n++] = f->kind;
		p += l;
		if (*p == ',')
			p++;
	}
	return 0;
}

static char *u32s(uint32_t v)
{
	return v == ASSOC_UNSET32 ? NULL : xasprintf("%u", v);
}

static char *tres_s(const struct assoc_tree *t, const struct tres_vec *v)
{
	char *s = tres_vec_str(&t->tres, v);

	if (!*s)
		FREE_NULL(s);
	return s;
}

static char *wall_s(uint32_t m)
{
	char buf[64];

	return m == ASSOC_UNSET32 ? NULL : xstrdup(mins2time_str(m, buf, sizeof(buf)));
}

static char *value(const struct assoc_info *ai, const struct assoc *a, const char *user,
		   enum fkind k)
{
	const struct assoc_limits *l = &a->lim;
	const struct assoc_tree *t = ai->tree;
	const char *d;

	switch (k) {
	case F_CLUSTER: return xstrdup(ai->rep->cluster ? ai->rep->cluster : "");
	case F_ACCOUNT: return xstrdup(a->acct);
	case F_USER: return user ? xstrdup(user) : a->user ? xstrdup(a->user) : NULL;
	case F_PARTITION: return a->partition ? xstrdup(a->partition) : NULL;
	case F_SHARE:
		return a->shares_raw == ASSOC_SHARES_PARENT ? xstrdup("parent") :
		       xasprintf("%u", a->shares_raw);
	case F_PRIORITY: return u32s(l->priority);
	case F_GRPJOBS: return u32s(l->grp_jobs);
	case F_GRPTRES: return tres_s(t, &l->grp_tres);
	case F_GRPSUBMIT: return u32s(l->grp_submit_jobs);
	case F_GRPWALL: return wall_s(l->grp_wall_mins);
	case F_GRPTRESMINS: return tres_s(t, &l->grp_tres_mins);
	case F_MAXJOBS: return u32s(l->max_jobs);
	case F_MAXTRES: return tres_s(t, &l->max_tres_per_job);
	case F_MAXTRESPERNODE: return tres_s(t, &l->max_tres_per_node);
	case F_MAXSUBMIT: return u32s(l->max_submit_jobs);
	case F_MAXWALL: return wall_s(l->max_wall_mins);
	case F_MAXTRESMINS: return tres_s(t, &l->max_tres_mins_per_job);
	case F_QOS: return xstrdup(qos_assoc_list(a));
	case F_DEFQOS: return xstrdup(qos_assoc_default(a));
	case F_GRPTRESRUNMINS: return tres_s(t, &l->grp_tres_run_mins);
	case F_PARENTNAME:
		return !a->user && a->parent ? xstrdup(a->parent->acct) : NULL;
	case F_PARENTID: return a->parent ? xasprintf("%u", a->parent->id) : NULL;
	case F_ID: return xasprintf("%u", a->id);
	case F_DESCR: {
		char *s = assoc_info_descr(ai, a->acct, false);
		return s ? s : xstrdup(strcmp(a->acct, "root") ? a->acct : "default root account");
	}
	case F_ORG: {
		char *s = assoc_info_descr(ai, a->acct, true);
		return s ? s : xstrdup(a->acct);
	}
	case F_DEFACCT:
		d = assoc_info_default(ai, user ? user : a->user);
		return d ? xstrdup(d) : NULL;
	case F_ADMIN:
		return xstrdup(strcmp(user ? user : a->user ? a->user : "", "root") == 0 ?
			       "Administrator" : "None");
	}
	return NULL;
}

/* where Name=/Account=/User=/Partition= conditions. */
struct cond {
	char **names, **accts, **users, **parts;
	size_t n_names, n_accts, n_users, n_parts;
};


static bool has(char **v, size_t n, const char *s)
{
	if (!n)
		return true;
	for (size_t i = 0; i < n; i++)
		if (s && strcmp(v[i], s) == 0)
			return true;
	return false;
}

static void cond_free(struct cond *c)
{
	char **lists[] = { c->names, c->accts, c->users, c->parts };
	size_t ns[] = { c->n_names, c->n_accts, c->n_users, c->n_parts };

	for (size_t l = 0; l < 4; l++) {
		for (size_t i = 0; i < ns[l]; i++)
			free(lists[l][i]);
		free(lists[l]);
	}
}

struct walk {
	const struct assoc_info *ai;
	enum sm_entity ent;
	const struct cond *cd;
	const struct assoc **hits;
	size_t n;
};

static int collect(struct assoc *a, int depth, void *arg)
{
	struct walk *w = arg;
	const struct cond *cd = w->cd;

	(void)depth;
	if (w->ent == SM_ACCOUNT) {
		if (a->user || !has(cd->names, cd->n_names, a->acct) ||
		    !has(cd->accts, cd->n_accts, a->acct))
			return 0;
	} else if (w->ent == SM_USER) {
		if (!a->user || !has(cd->names, cd->n_names, a->user) ||
		    !has(cd->users, cd->n_users, a->user) || !has(cd->accts, cd->n_accts, a->acct))
			return 0;
		for (size_t i = 0; i < w->n; i++)
			if (strcmp(w->hits[i]->user, a->user) == 0)
				return 0;
	} else {
		if (!has(cd->accts, cd->n_accts, a->acct) ||
		    ((cd->n_users || cd->n_names) && !a->user) ||
		    !has(cd->users, cd->n_users, a->user) || !has(cd->names, cd->n_names, a->user) ||
		    (cd->n_parts && !has(cd->parts, cd->n_parts, a->partition)))
			return 0;
	}
	w->hits = xrealloc(w->hits, (w->n + 1) * sizeof(*w->hits));
	w->hits[w->n++] = a;
	return 0;
}

/* Slurm's hierarchical order: under each account its users, then its sub-accounts, by name. */
static int child_cmp(const void *x, const void *y)
{
	const struct assoc *a = *(const struct assoc *const *)x;
	const struct assoc *b = *(const struct assoc *const *)y;
	int d;

	if (!a->user != !b->user)
		return a->user ? -1 : 1;
	if ((d = strcmp(assoc_name(a), assoc_name(b))))
		return d;
	if (!a->partition || !b->partition)
		return !a->partition ? (b->partition ? -1 : 0) : 1;
	return strcmp(a->partition, b->partition);
}

static void walk_sorted(struct assoc *a, int depth, struct walk *w)
{
	struct assoc **kids;

	collect(a, depth, w);
	if (!a->n_child)
		return;
	kids = xcalloc(a->n_child, sizeof(*kids));
	memcpy(kids, a->child, a->n_child * sizeof(*kids));
	qsort(kids, a->n_child, sizeof(*kids), child_cmp);
	for (size_t i = 0; i < a->n_child; i++)
		walk_sorted(kids[i], depth + 1, w);
	free(kids);
}

static int by_name(const void *x, const void *y)
{
	const struct assoc *a = *(const struct assoc *const *)x;
	const struct assoc *b = *(const struct assoc *const *)y;

	return strcmp(assoc_name(a), assoc_name(b));
}

static int parse_args(char **args, size_t n, const char **fmt, struct cond *cd)
{
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(args[i], '=');
		size_t kl = eq ? (size_t)(eq - args[i]) : 0;
		if (!strcasecmp(args[i], "where") || !strcasecmp(args[i], "withassoc"))
			continue;
		if (!eq) {
			assoc_names_push(&cd->names, &cd->n_names, args[i]);
			continue;
		}
		if (sm_name_in("Format", args[i], kl, false))
			*fmt = eq + 1;
		else if (sm_name_in("Names|Name", args[i], kl, false))
			assoc_names_push(&cd->names, &cd->n_names, eq + 1);
		else if (sm_name_in("Accounts|Account|Acct", args[i], kl, false))
			assoc_names_push(&cd->accts, &cd->n_accts, eq + 1);
		else if (sm_name_in("Users|User", args[i], kl, false))
			assoc_names_push(&cd->users, &cd->n_users, eq + 1);
		else if (sm_name_in("Partitions|Partition", args[i], kl, false))
			assoc_names_push(&cd->parts, &cd->n_parts, eq + 1);
		else if (!sm_name_in("Clusters|Cluster", args[i], kl, false)) {
			log_error("Unknown condition: %s", args[i]);
			return -1;
		}
	}
	return 0;
}

int sm_show(const struct sm_opts *o, enum sm_entity ent, char **args, size_t n)
{
	struct assoc_info ai;
	struct sky_errbuf eb;
	struct cond cd = { 0 };
	struct walk w = { 0 };
	struct sm_cols cols = { 0 };
	const char *fmt = ent == SM_ACCOUNT ? ACCT_DEFAULT : ent == SM_USER ? USER_DEFAULT :
			  ASSOC_DEFAULT;
	int rc = 1;

	sky_err_clear(&eb);
	if (parse_args(args, n, &fmt, &cd) || sm_parse_format(fmt, fdefs, sizeof(fdefs) / sizeof(fdefs[0]), &cols))
		goto out_cond;
	if (assoc_info_load(&ai, &eb)) {
		log_error("Problem talking to the database: %s", cli_rpc_errtext(&eb));
		goto out_cond;
	}
	w.ai = &ai;
	w.ent = ent;
	w.cd = &cd;
	walk_sorted(ai.tree->root, 0, &w);
	if (ent != SM_ASSOC && w.n)
		qsort(w.hits, w.n, sizeof(*w.hits), by_name);
	if (!o->noheader)
		acct_print_header(cols.c, cols.n, o->parsable);
	for (size_t i = 0; i < w.n; i++) {
		char **vals = xcalloc(cols.n + 1, sizeof(*vals));
		for (size_t k = 0; k < cols.n; k++)
			vals[k] = value(&ai, w.hits[i], NULL, (enum fkind)cols.k[k]);
		acct_print_row(cols.c, cols.n, (const char *const *)vals, o->parsable);
		for (size_t k = 0; k < cols.n; k++)
			free(vals[k]);
		free(vals);
	}
	rc = 0;
	free(w.hits);
	assoc_info_free(&ai);
out_cond:
	free(cols.c);
	free(cols.k);
	cond_free(&cd);
	return rc;
}
