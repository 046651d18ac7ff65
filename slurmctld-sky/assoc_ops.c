/*
 * assoc_ops.c: sacctmgr add|modify|delete account|user applied to an
 * association tree, producing the lines sacctmgr prints (Slurm 22.05's
 * wording where slurm.md and memory of sacctmgr agree; see the report of
 * issue 6 for the guessed ones).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "assoc_ops.h"
#include "qos_ops.h"
#include "timefmt.h"
#include "xalloc.h"

void aop_add_line(struct aop_out *o, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	o->lines = xrealloc(o->lines, (o->n + 1) * sizeof(*o->lines));
	o->lines[o->n++] = s;
}

void aop_out_free(struct aop_out *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->lines[i]);
	free(o->lines);
	memset(o, 0, sizeof(*o));
}

/* Key=Value split; key matched case-insensitively against a '|' list of names. */
static bool key_is(const char *key, const char *names)
{
	size_t kl = strlen(key);
	const char *p = names;

	while (*p) {
		const char *e = strchr(p, '|');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == kl && strncasecmp(key, p, l) == 0)
			return true;
		if (!e)
			break;
		p = e + 1;
	}
	return false;
}

static int split_kv(const char *w, char **key, const char **val, struct sky_errbuf *eb)
{
	const char *eq = strchr(w, '=');

	if (!eq || eq == w)
		return sky_err_set(eb, SKY_E_INVAL, "Unknown option: %s", w);
	*key = xstrndup(w, (size_t)(eq - w));
	/* "MaxJobs+=" style operators are not supported. */
	*val = eq + 1;
	return 0;
}

static int parse_u32_lim(const char *key, const char *v, uint32_t *out, struct sky_errbuf *eb)
{
	char *end;
	long long n;

	if (strcmp(v, "-1") == 0) {
		*out = ASSOC_UNSET32;
		return 0;
	}
	n = strtoll(v, &end, 10);
	if (!*v || *end || n < 0 || n >= (long long)ASSOC_UNSET32)
		return sky_err_set(eb, SKY_E_INVAL, "Invalid value for %s: %s", key, v);
	*out = (uint32_t)n;
	return 0;
}

int aop_apply_key(const struct tres_table *tt, const char *key, const char *v,
		  struct assoc_limits *lim, uint32_t *shares, struct sky_errbuf *eb)
{
	if (key_is(key, "Fairshare|Shares")) {
		if (strcasecmp(v, "parent") == 0) {
			*shares = ASSOC_SHARES_PARENT;
			return 0;
		}
		if (strcmp(v, "-1") == 0) {
			*shares = 1;
			return 0;
		}
		return parse_u32_lim(key, v, shares, eb);
	}
	if (key_is(key, "GrpJobs"))
		return parse_u32_lim(key, v, &lim->grp_jobs, eb);
	if (key_is(key, "GrpSubmitJobs|GrpSubmit"))
		return parse_u32_lim(key, v, &lim->grp_submit_jobs, eb);
	if (key_is(key, "MaxJobs"))
		return parse_u32_lim(key, v, &lim->max_jobs, eb);
	if (key_is(key, "MaxSubmitJobs|MaxSubmit"))
		return parse_u32_lim(key, v, &lim->max_submit_jobs, eb);
	if (key_is(key, "Priority"))
		return parse_u32_lim(key, v, &lim->priority, eb);
	if (key_is(key, "GrpJobsAccrue"))
		return parse_u32_lim(key, v, &lim->grp_jobs_accrue, eb);
	if (key_is(key, "MaxJobsAccrue"))
		return parse_u32_lim(key, v, &lim->max_jobs_accrue, eb);
	if (key_is(key, "MaxWall|MaxWallDurationPerJob|GrpWall")) {
		uint32_t *dst = key_is(key, "GrpWall") ? &lim->grp_wall_mins : &lim->max_wall_mins;
		uint32_t m;
		if (strcmp(v, "-1") == 0) {
			*dst = ASSOC_UNSET32;
			return 0;
		}
		if (time_str2mins(v, &m, NULL))
			return sky_err_set(eb, SKY_E_INVAL, "Invalid value for %s: %s", key, v);
		*dst = m;
		return 0;
	}
	if (key_is(key, "GrpTRES|GrpTRESMins|GrpTRESRunMins|MaxTRESPerJob|MaxTRES|MaxTRESPerNode|"
			"MaxTRESMinsPerJob|MaxTRESMins")) {
		struct tres_vec *dst = key_is(key, "GrpTRES") ? &lim->grp_tres :
				       key_is(key, "GrpTRESMins") ? &lim->grp_tres_mins :
				       key_is(key, "GrpTRESRunMins") ? &lim->grp_tres_run_mins :
				       key_is(key, "MaxTRESPerNode") ? &lim->max_tres_per_node :
				       key_is(key, "MaxTRESMinsPerJob|MaxTRESMins") ?
				       &lim->max_tres_mins_per_job : &lim->max_tres_per_job;
		return tres_parse(tt, v, dst, eb);
	}
	return SKY_E_NOT_FOUND;
}

/* The words of the limits that are set, as sacctmgr's "Settings" print them. */
static void print_limits(struct aop_out *o, const struct tres_table *tt,
			 const struct assoc_limits *l, uint32_t shares, bool show_shares)
{
	char *s;

	if (show_shares) {
		if (shares == ASSOC_SHARES_PARENT)
			aop_add_line(o, "  Fairshare     = parent");
		else
			aop_add_line(o, "  Fairshare     = %u", shares);
	}
#define U32(field, name) \
	if (l->field != ASSOC_UNSET32) \
		aop_add_line(o, "  %-13s = %u", name, l->field)
#define TRES(field, name) \
	if (*(s = tres_vec_str(tt, &l->field))) \
		aop_add_line(o, "  %-13s = %s", name, s); \
	free(s)
	U32(grp_jobs, "GrpJobs");
	U32(grp_submit_jobs, "GrpSubmitJobs");
	TRES(grp_tres, "GrpTRES");
	TRES(grp_tres_mins, "GrpTRESMins");
	U32(max_jobs, "MaxJobs");
	U32(max_submit_jobs, "MaxSubmitJobs");
	TRES(max_tres_per_job, "MaxTRESPerJob");
	TRES(max_tres_per_node, "MaxTRESPerNode");
	if (l->max_wall_mins != ASSOC_UNSET32) {
		char buf[64];
		aop_add_line(o, "  %-13s = %s", "MaxWall", mins2time_str(l->max_wall_mins, buf,
								     sizeof(buf)));
	}
	U32(priority, "Priority");
#undef U32
#undef TRES
}


/* The QOS lines of an added association's settings (as), as sacctmgr prints them. */
static void print_qos(struct aop_out *o, const struct assoc *as)
{
	if (as && as->qos)
		aop_add_line(o, "  QOS           = %s", as->qos);
	if (as && as->def_qos)
		aop_add_line(o, "  DefQOS        = %s", as->def_qos);
}

/* ---- add ---- */

struct add_opts {
	char *parent, *defacct, *desc, *org;
	char **accts, **parts;
	size_t n_accts, n_parts;
	uint32_t shares;
	struct assoc_limits lim;
	bool lim_set;
};

static void add_opts_free(struct add_opts *a)
{
	free(a->parent);
	free(a->defacct);
	free(a->desc);
	free(a->org);
	for (size_t i = 0; i < a->n_accts; i++)
		free(a->accts[i]);
	for (size_t i = 0; i < a->n_parts; i++)
		free(a->parts[i]);
	free(a->accts);
	free(a->parts);
}


static int parse_add_opts(const struct tres_table *tt, const struct aop_req *rq,
			  struct add_opts *a, struct sky_errbuf *eb)
{
	memset(a, 0, sizeof(*a));
	a->shares = 1;
	assoc_limits_unset(&a->lim);
	for (size_t i = 0; i < rq->n_set; i++) {
		char *key;
		const char *v;
		int rc;

		if ((rc = split_kv(rq->set[i], &key, &v, eb)))
			return rc;
		if (key_is(key, "Parent"))
			a->parent = assoc_name_lower(v);
		else if (key_is(key, "DefaultAccount|DefAccount"))
			a->defacct = assoc_name_lower(v);
		else if (key_is(key, "Description|Descr"))
			a->desc = xstrdup(v);
		else if (key_is(key, "Organization|Org"))
			a->org = xstrdup(v);
		else if (key_is(key, "Account|Accounts|Acct"))
			assoc_names_push(&a->accts, &a->n_accts, v);
		else if (key_is(key, "Partition|Partitions"))
			assoc_names_push(&a->parts, &a->n_parts, v);
		else if (key_is(key, "Cluster|Clusters|QOS|DefaultQOS|DefQOS|DefaultWCKey|AdminLevel"))
			;   /* one cluster; QOS keys are applied per association (qos_ops.c) */
		else if ((rc = aop_apply_key(tt, key, v, &a->lim, &a->shares, eb)) == 0)
			a->lim_set = true;
		else if (rc == SKY_E_NOT_FOUND)
			rc = sky_err_set(eb, SKY_E_INVAL, "Unknown option: %s", rq->set[i]);
		free(key);
		if (rc)
			return rc;
	}
	return 0;
}

static void set_limits(struct assoc *as, const struct add_opts *a)
{
	as->shares_raw = a->shares;
	as->lim = a->lim;
}

static int add_accounts(struct aop_ctx *x, const struct aop_req *rq, struct aop_out *o,
			struct sky_errbuf *eb)
{
	struct assoc_tree *t = x->tree;
	struct assoc *last = NULL;
	struct add_opts a;
	size_t added = 0;
	int rc;

	if ((rc = parse_add_opts(&t->tres, rq, &a, eb)))
		goto out;
	if (a.parent && !assoc_find(t, a.parent, NULL, NULL)) {
		rc = sky_err_set(eb, SKY_E_NOT_FOUND, "Parent account '%s' doesn't exist.", a.parent);
		goto out;
	}
	for (size_t i = 0; i < rq->n_names; i++) {
		char *n = assoc_name_lower(rq->names[i]);
		struct assoc *as;
		if (assoc_find(t, n, NULL, NULL)) {
			free(n);
			continue;
		}
		if ((rc = assoc_add_account(t, n, a.parent, a.shares, &as, eb))) {
			free(n);
			goto out;
		}
		set_limits(as, &a);
		if ((rc = qos_assoc_apply_all(x->qos, as, rq->set, rq->n_set, eb))) {
			free(n);
			goto out;
		}
		last = as;
		if (!added++)
			aop_add_line(o, " Adding Account(s)");
		aop_add_line(o, "  %s", n);
		x->set_descr(x->arg, n, a.desc ? a.desc : n,
			     a.org ? a.org : (a.parent && strcmp(a.parent, "root") ? a.parent : n));
		free(n);
	}
	if (!added) {
		aop_add_line(o, " Nothing new added.");
		goto out;
	}
	aop_add_line(o, " Settings");
	aop_add_line(o, "  Description     = %s", a.desc ? a.desc : "Account Name");
	aop_add_line(o, "  Organization    = %s", a.org ? a.org : "Parent/Account Name");
	aop_add_line(o, " Associations");
	for (size_t i = 0; i < rq->n_names; i++) {
		char *n = assoc_name_lower(rq->names[i]);
		aop_add_line(o, "  A = %-10.10s C = %-10.10s", n, x->cluster);
		free(n);
	}
	aop_add_line(o, " Settings");
	aop_add_line(o, "  Parent        = %s", a.parent ? a.parent : "root");
	print_limits(o, &t->tres, &a.lim, a.shares, a.shares != 1);
	print_qos(o, last);
	o->changed = true;
out:
	add_opts_free(&a);
	return rc;
}

static int add_users(struct aop_ctx *x, const struct aop_req *rq, struct aop_out *o,
		     struct sky_errbuf *eb)
{
	struct assoc_tree *t = x->tree;
	struct assoc *last = NULL;
	struct add_opts a;
	size_t n_new_users = 0, n_assoc = 0;
	char **assoc_lines = NULL;
	int rc;

	if ((rc = parse_add_opts(&t->tres, rq, &a, eb)))
		goto out;
	if (!a.n_accts && a.defacct)
		assoc_names_push(&a.accts, &a.n_accts, a.defacct);
	if (!a.n_accts) {
		rc = sky_err_set(eb, SKY_E_INVAL, "Need name of account to add user to.");
		goto out;
	}
	for (size_t k = 0; k < a.n_accts; k++)
		if (!assoc_find(t, a.accts[k], NULL, NULL)) {
			rc = sky_err_set(eb, SKY_E_NOT_FOUND, "This account '%s' doesn't exist.",
					 a.accts[k]);
			goto out;
		}
	for (size_t i = 0; i < rq->n_names; i++) {
		char *u = assoc_name_lower(rq->names[i]);
		bool is_new = !x->user_exists(x->arg, u);
		const char *def = a.defacct ? a.defacct : a.accts[0];

		for (size_t k = 0; k < a.n_accts; k++)
			for (size_t p = 0; p < (a.n_parts ? a.n_parts : 1); p++) {
				const char *part = a.n_parts ? a.parts[p] : NULL;
				struct assoc *as;
				if (assoc_find(t, a.accts[k], u, part))
					continue;
				if ((rc = assoc_add_user(t, a.accts[k], u, part, a.shares, &as, eb))) {
					free(u);
					goto out;
				}
				set_limits(as, &a);
				if ((rc = qos_assoc_apply_all(x->qos, as, rq->set, rq->n_set, eb))) {
					free(u);
					goto out;
				}
				last = as;
				assoc_lines = xrealloc(assoc_lines, (n_assoc + 1) * sizeof(char *));
				if (part)
					assoc_lines[n_assoc++] = xasprintf(
						"  U = %-9.9s A = %-10.10s C = %-10.10s P = %-10.10s",
						u, a.accts[k], x->cluster, part);
				else
					assoc_lines[n_assoc++] = xasprintf(
						"  U = %-9.9s A = %-10.10s C = %-10.10s", u, a.accts[k],
						x->cluster);
			}
		if (is_new) {
			if (!n_new_users++)
				aop_add_line(o, " Adding User(s)");
			aop_add_line(o, "  %s", u);
			x->set_default(x->arg, u, def);
		} else if (a.defacct) {
			x->set_default(x->arg, u, a.defacct);
		}
		free(u);
	}
	if (n_new_users) {
		aop_add_line(o, " Settings =");
		aop_add_line(o, "  Default Account = %s", a.defacct ? a.defacct : a.accts[0]);
	}
	if (n_assoc) {
		aop_add_line(o, " Associations =");
		for (size_t i = 0; i < n_assoc; i++)
			aop_add_line(o, "%s", assoc_lines[i]);
		if (a.lim_set || a.shares != 1 || (last && (last->qos || last->def_qos))) {
			aop_add_line(o, " Non Default Settings");
			print_limits(o, &t->tres, &a.lim, a.shares, a.shares != 1);
			print_qos(o, last);
		}
		o->changed = true;
	} else if (!n_new_users) {
		aop_add_line(o, " Nothing new added.");
	}
out:
	for (size_t i = 0; i < n_assoc; i++)
		free(assoc_lines[i]);
	free(assoc_lines);
	add_opts_free(&a);
	return rc;
}

/* ---- modify and delete: which associations match ---- */

struct match {
	const struct aop_req *rq;
	bool users;                 /* entity user */
	char **names, **accts, **parts;
	size_t n_names, n_accts, n_parts;
	struct assoc **hits;
	size_t n_hits;
};

static bool in_list(char **v, size_t n, const char *s)
{
	if (!n)
		return true;
	for (size_t i = 0; i < n; i++)
		if (s && strcmp(v[i], s) == 0)
			return true;
	return false;
}

static int match_cb(struct assoc *a, int depth, void *arg)
{
	struct match *m = arg;

	(void)depth;
	if (m->users != (a->user != NULL))
		return 0;
	if (!m->users && a->parent == NULL)
		return 0;   /* root is never modified or deleted by name lists */
	if (!in_list(m->names, m->n_names, m->users ? a->user : a->acct))
		return 0;
	if (m->users && !in_list(m->accts, m->n_accts, a->acct))
		return 0;
	if (m->n_parts && !in_list(m->parts, m->n_parts, a->partition))
		return 0;
	m->hits = xrealloc(m->hits, (m->n_hits + 1) * sizeof(*m->hits));
	m->hits[m->n_hits++] = a;
	return 0;
}

static void match_free(struct match *m)
{
	for (size_t i = 0; i < m->n_names; i++)
		free(m->names[i]);
	for (size_t i = 0; i < m->n_accts; i++)
		free(m->accts[i]);
	for (size_t i = 0; i < m->n_parts; i++)
		free(m->parts[i]);
	free(m->names);
	free(m->accts);
	free(m->parts);
	free(m->hits);
}

static int match_build(struct aop_ctx *x, const struct aop_req *rq, struct match *m,
		       struct sky_errbuf *eb)
{
	memset(m, 0, sizeof(*m));
	m->users = strcasecmp(rq->entity, "user") == 0;
	for (size_t i = 0; i < rq->n_names; i++)
		assoc_names_push(&m->names, &m->n_names, rq->names[i]);
	for (size_t i = 0; i < rq->n_where; i++) {
		char *key;
		const char *v;
		int rc;
		if ((rc = split_kv(rq->where[i], &key, &v, eb)))
			return rc;
		if (key_is(key, "Name|Names|User|Users"))
			assoc_names_push(&m->names, &m->n_names, v);
		else if (key_is(key, "Account|Accounts|Acct"))
			assoc_names_push(m->users ? &m->accts : &m->names,
				  m->users ? &m->n_accts : &m->n_names, v);
		else if (key_is(key, "Partition|Partitions"))
			assoc_names_push(&m->parts, &m->n_parts, v);
		else if (!key_is(key, "Cluster|Clusters"))
			rc = sky_err_set(eb, SKY_E_INVAL, "Unknown condition: %s", rq->where[i]);
		free(key);
		if (rc)
			return rc;
	}
	if (!m->n_names && !m->n_accts)
		return sky_err_set(eb, SKY_E_INVAL, "No conditions given");
	assoc_foreach(x->tree, match_cb, m);
	return 0;
}

static void assoc_line(struct aop_out *o, const struct aop_ctx *x, const struct assoc *a)
{
	if (a->user && a->partition)
		aop_add_line(o, "  C = %-10.10s A = %-10.10s U = %-9.9s P = %-10.10s", x->cluster,
			 a->acct, a->user, a->partition);
	else if (a->user)
		aop_add_line(o, "  C = %-10.10s A = %-10.10s U = %-9.9s", x->cluster, a->acct, a->user);
	else
		aop_add_line(o, "  C = %-10.10s A = %-10.10s", x->cluster, a->acct);
}

static int modify(struct aop_ctx *x, const struct aop_req *rq, struct aop_out *o,
		  struct sky_errbuf *eb)
{
	struct match m;
	char *parent = NULL, *defacct = NULL;
	int rc;

	if ((rc = match_build(x, rq, &m, eb)))
		goto out;
	for (size_t h = 0; h < m.n_hits; h++) {
		struct assoc *a = m.hits[h];
		struct assoc_limits lim = a->lim;
		uint32_t shares = a->shares_raw;
		for (size_t i = 0; i < rq->n_set; i++) {
			char *key;
			const char *v;
			if ((rc = split_kv(rq->set[i], &key, &v, eb)))
				goto out;
			if (key_is(key, "Parent") && !m.users) {
				free(parent);
				parent = assoc_name_lower(v);
			} else if (key_is(key, "DefaultAccount|DefAccount") && m.users) {
				free(defacct);
				defacct = assoc_name_lower(v);
			} else if (key_is(key, "Description|Organization")) {
				x->set_descr(x->arg, a->acct, key_is(key, "Description") ? v : NULL,
					     key_is(key, "Organization") ? v : NULL);
			} else if ((rc = qos_assoc_apply(x->qos, a, key, v, eb)) != SKY_E_NOT_FOUND) {
				;   /* QOS=, QOS+=, QOS-=, DefaultQOS= (rc: its result) */
			} else if ((rc = aop_apply_key(&x->tree->tres, key, v, &lim, &shares,
						       eb)) == SKY_E_NOT_FOUND) {
				rc = sky_err_set(eb, SKY_E_INVAL, "Unknown option: %s", rq->set[i]);
			}
			free(key);
			if (rc)
				goto out;
		}
		a->lim = lim;
		a->shares_raw = shares;
	}
	if (!m.n_hits) {
		aop_add_line(o, " Nothing modified");
		goto out;
	}
	if (parent)
		for (size_t h = 0; h < m.n_hits; h++)
			if ((rc = assoc_move_account(x->tree, m.hits[h]->acct, parent, eb)))
				goto out;
	if (defacct)
		for (size_t h = 0; h < m.n_hits; h++) {
			if (!assoc_find(x->tree, defacct, m.hits[h]->user, NULL)) {
				rc = sky_err_set(eb, SKY_E_INVAL,
						 "User %s doesn't have an association with account %s",
						 m.hits[h]->user, defacct);
				goto out;
			}
			x->set_default(x->arg, m.hits[h]->user, defacct);
		}
	aop_add_line(o, m.users ? " Modified user associations..." :
		 " Modified account associations...");
	for (size_t h = 0; h < m.n_hits; h++)
		assoc_line(o, x, m.hits[h]);
	o->changed = true;
out:
	free(parent);
	free(defacct);
	match_free(&m);
	return rc;
}

static bool is_ancestor_hit(const struct match *m, size_t h)
{
	for (const struct assoc *p = m->hits[h]->parent; p; p = p->parent)
		for (size_t k = 0; k < m->n_hits; k++)
			if (m->hits[k] == p)
				return true;
	return false;
}

static int delete(struct aop_ctx *x, const struct aop_req *rq, struct aop_out *o,
		  struct sky_errbuf *eb)
{
	struct match m;
	bool by_assoc;
	int rc;

	if ((rc = match_build(x, rq, &m, eb)))
		goto out;
	if (!m.n_hits) {
		aop_add_line(o, " Nothing deleted");
		goto out;
	}
	by_assoc = m.users && (m.n_accts || m.n_parts);
	aop_add_line(o, !m.users ? " Deleting accounts..." : by_assoc ?
		 " Deleting user associations..." : " Deleting users...");
	for (size_t h = 0; h < m.n_hits; h++) {
		if (m.users && !by_assoc) {
			bool seen = false;
			for (size_t k = 0; k < h; k++)
				seen |= strcmp(m.hits[k]->user, m.hits[h]->user) == 0;
			if (!seen)
				aop_add_line(o, "  %s", m.hits[h]->user);
		} else if (!m.users) {
			aop_add_line(o, "  %s", m.hits[h]->acct);
		} else {
			assoc_line(o, x, m.hits[h]);
		}
	}
	/* Children go with their parent: delete the topmost hits only. */
	for (size_t h = m.n_hits; h-- > 0;) {
		if (is_ancestor_hit(&m, h))
			continue;
		if ((rc = assoc_delete(x->tree, m.hits[h], eb))) {
			/* Slurm's words, without the core's detail (first error would win). */
			if (rc == SKY_E_DISABLED) {
				sky_err_clear(eb);
				sky_err_set(eb, SKY_E_DISABLED,
					    "Job(s) active, cancel job(s) before remove");
			}
			goto out;
		}
	}
	x->prune_defaults(x->arg);
	o->changed = true;
out:
	match_free(&m);
	return rc;
}

int aop_run(struct aop_ctx *x, const struct aop_req *rq, struct aop_out *o,
	    struct sky_errbuf *eb)
{
	bool acct = strcasecmp(rq->entity, "account") == 0;
	bool user = strcasecmp(rq->entity, "user") == 0;

	if (!acct && !user)
		return sky_err_set(eb, SKY_E_INVAL, "Unknown entity: %s", rq->entity);
	if (strcasecmp(rq->op, "add") == 0) {
		if (!rq->n_names)
			return sky_err_set(eb, SKY_E_INVAL, acct ? "Need name of account to add." :
					   "Need name of user to add.");
		return acct ? add_accounts(x, rq, o, eb) : add_users(x, rq, o, eb);
	}
	if (strcasecmp(rq->op, "modify") == 0)
		return modify(x, rq, o, eb);
	if (strcasecmp(rq->op, "delete") == 0)
		return delete(x, rq, o, eb);
	return sky_err_set(eb, SKY_E_INVAL, "Unknown operation: %s", rq->op);
}
