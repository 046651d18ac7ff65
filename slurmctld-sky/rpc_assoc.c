/*
 * rpc_assoc.c: REQUEST_ASSOC_OP (sacctmgr add/modify/delete),
 * REQUEST_ASSOC_INFO (sacctmgr show, sshare) and REQUEST_PRIO_INFO (sprio).
 *
 * An operation runs on a copy of the tree and of the records beside it; the
 * copy replaces the live state only once it is committed, so a dry run
 * (sacctmgr without -i, before its question) and a failed commit leave
 * nothing behind, and every acknowledged change is durable.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "assoc_ops.h"
#include "ctld.h"
#include "fs_ctld.h"
#include "fs_int.h"
#include "log.h"
#include "qos_ctld.h"
#include "rpc.h"
#include "xalloc.h"

/* The state an operation works on: the live one, or a copy of it. */
struct op_state {
	struct assoc_tree *tree;
	struct fs_kvlist defs, descr;
};

static void kv_copy(struct fs_kvlist *dst, const struct fs_kvlist *src)
{
	memset(dst, 0, sizeof(*dst));
	for (size_t i = 0; i < src->n; i++)
		fs_kv_set(dst, src->v[i].user, src->v[i].acct);
}

static int state_copy(struct ctld *c, struct op_state *s, struct sky_errbuf *eb)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = assoc_tree_pack(c->fs->tree, &buf, &len)))
		return sky_err_set(eb, rc, "cannot copy the association tree");
	rc = assoc_tree_unpack(buf, len, &s->tree, eb);
	free(buf);
	if (rc)
		return rc;
	kv_copy(&s->defs, &c->fs->defs);
	kv_copy(&s->descr, &c->fs->descr);
	return 0;
}

static void state_free(struct op_state *s)
{
	assoc_tree_free(s->tree);
	fs_kv_free(&s->defs);
	fs_kv_free(&s->descr);
}

/* Swap s with the live state (s then holds the old one). */
static void state_swap(struct ctld *c, struct op_state *s)
{
	struct op_state old = { c->fs->tree, c->fs->defs, c->fs->descr };

	c->fs->tree = s->tree;
	c->fs->defs = s->defs;
	c->fs->descr = s->descr;
	*s = old;
}

static void cb_set_default(void *arg, const char *user, const char *acct)
{
	fs_kv_set(&((struct op_state *)arg)->defs, user, acct);
}

static int has_user(struct assoc *a, int depth, void *arg)
{
	(void)depth;
	return a->user && strcmp(a->user, (const char *)arg) == 0;
}

static bool cb_user_exists(void *arg, const char *user)
{
	struct op_state *s = arg;

	return assoc_foreach(s->tree, has_user, (void *)user) != 0;
}

static void cb_set_descr(void *arg, const char *acct, const char *desc, const char *org)
{
	struct op_state *s = arg;
	const char *old = fs_kv_get(&s->descr, acct);
	const char *tab = old ? strchr(old, '\t') : NULL;
	char *od = old ? xstrndup(old, tab ? (size_t)(tab - old) : strlen(old)) : xstrdup(acct);
	char *oo = xstrdup(tab ? tab + 1 : acct);
	char *v = xasprintf("%s\t%s", desc ? desc : od, org ? org : oo);

	fs_kv_set(&s->descr, acct, v);
	free(v);
	free(od);
	free(oo);
}

static void cb_prune(void *arg)
{
	struct op_state *s = arg;

	for (size_t i = s->defs.n; i-- > 0;) {
		const char *u = s->defs.v[i].user;
		if (!assoc_find(s->tree, s->defs.v[i].acct, u, NULL)) {
			/* The default moves to another account the user is still in, if any. */
			char *user = xstrdup(u);
			fs_kv_set(&s->defs, user, NULL);
			free(user);
		}
	}
	for (size_t i = s->descr.n; i-- > 0;)
		if (!assoc_find(s->tree, s->descr.v[i].user, NULL, NULL)) {
			char *a = xstrdup(s->descr.v[i].user);
			fs_kv_set(&s->descr, a, NULL);
			free(a);
		}
}

static void reply_op(struct rpc_ctx *r, int rc, const char *msg, const struct aop_out *o)
{
	Sky__AssocOpReply rep = SKY__ASSOC_OP_REPLY__INIT;

	rep.rc = (uint32_t)rc;
	rep.message = (char *)msg;
	rep.n_lines = o ? o->n : 0;
	rep.lines = o ? o->lines : NULL;
	rep.has_changed = true;
	rep.changed = o && o->changed;
	rpc_reply(r, SKY__MSG_TYPE__RESPONSE_ASSOC_OP, &rep.base);
}

int rpc_assoc_op(struct rpc_ctx *r, struct sky_errbuf *eb)
{
	Sky__AssocOpRequest *req = NULL;
	struct op_state s;
	struct aop_out o = { 0 };
	struct aop_req rq;
	struct aop_ctx x;
	struct sky_errbuf err;
	int rc;

	if ((rc = rpc_unpack(r, &sky__assoc_op_request__descriptor, &req, eb)))
		return rc;
	sky_err_clear(&err);
	if (!r->operator) {
		reply_op(r, SKY_E_ACCESS_DENIED, "Access/permission denied", NULL);
		goto out_req;
	}
	if (strcasecmp(req->entity, "qos") == 0) {
		rc = qos_ctld_op(r->c, req, r->now, &o, &err);
		reply_op(r, rc, rc ? sky_err_msg(&err) : NULL, &o);
		aop_out_free(&o);
		goto out_req;
	}
	if ((rc = state_copy(r->c, &s, &err))) {
		reply_op(r, rc, sky_err_msg(&err), NULL);
		goto out_req;
	}
	fs_recount(r->c);   /* the live counters guard deletions of busy associations */
	rq = (struct aop_req){ .op = req->op, .entity = req->entity, .names = req->names,
			       .n_names = req->n_names, .where = req->where,
			       .n_where = req->n_where, .set = req->set, .n_set = req->n_set };
	x = (struct aop_ctx){ .tree = s.tree, .cluster = r->c->conf->cluster_name, .arg = &s,
			      .set_default = cb_set_default, .user_exists = cb_user_exists,
			      .set_descr = cb_set_descr, .prune_defaults = cb_prune,
			      .qos = r->c->fs->qos };
	/* The copy has no live counters: give it the job counts before deletions. */
	{
		struct assoc_tree *live = r->c->fs->tree;
		r->c->fs->tree = s.tree;
		fs_recount(r->c);
		r->c->fs->tree = live;
	}
	if ((rc = aop_run(&x, &rq, &o, &err))) {
		reply_op(r, rc, sky_err_msg(&err), &o);
		goto out;
	}
	if (req->has_commit && req->commit && o.changed) {
		state_swap(r->c, &s);
		if ((rc = fs_ctld_commit(r->c, &err))) {
			state_swap(r->c, &s);
			log_error("sacctmgr change not saved: %s", sky_err_msg(&err));
			reply_op(r, rc, sky_err_msg(&err), NULL);
			goto out;
		}
		fs_recount(r->c);
		if (r->c->fs->multifactor)
			fs_ctld_refresh(r->c, r->now);
		log_info("associations changed by uid %u: %s %s", (unsigned)r->uid, req->op,
			 req->entity);
	}
	reply_op(r, 0, NULL, &o);
out:
	aop_out_free(&o);
	state_free(&s);
out_req:
	sky__assoc_op_request__free_unpacked(req, NULL);
	return 0;
}

struct run_secs_ctx {
	const struct tres_table *t;
	Sky__AssocInfoReply *rep;
};

static int run_secs_one(struct assoc *a, int depth, void *arg)
{
	struct run_secs_ctx *x = arg;
	Sky__AssocRunSecs *m;
	size_t i;

	(void)depth;
	for (i = 0; i < x->t->n && !a->grp_used_tres_run_secs[i]; i++)
		;
	if (i == x->t->n)
		return 0;
	m = xmalloc(sizeof(*m));
	sky__assoc_run_secs__init(m);
	m->assoc_id = a->id;
	m->n_secs = x->t->n;
	m->secs = xcalloc(x->t->n, sizeof(*m->secs));
	memcpy(m->secs, a->grp_used_tres_run_secs, x->t->n * sizeof(*m->secs));
	x->rep->run_secs = xrealloc(x->rep->run_secs,
				    (x->rep->n_run_secs + 1) * sizeof(*x->rep->run_secs));
	x->rep->run_secs[x->rep->n_run_secs++] = m;
	return 0;
}

/* What the running jobs have left, counted now (sshare is rare: O(jobs) is fine). */
static void run_secs_fill(struct ctld *c, Sky__AssocInfoReply *rep)
{
	struct run_secs_ctx x = { &c->fs->tree->tres, rep };

	fs_time_recount(c, time(NULL));
	assoc_foreach(c->fs->tree, run_secs_one, &x);
}

static void run_secs_free(Sky__AssocInfoReply *rep)
{
	for (size_t i = 0; i < rep->n_run_secs; i++) {
		free(rep->run_secs[i]->secs);
		free(rep->run_secs[i]);
	}
	free(rep->run_secs);
}

int rpc_assoc_info(struct rpc_ctx *r, struct sky_errbuf *eb)
{
	Sky__AssocInfoReply rep = SKY__ASSOC_INFO_REPLY__INIT;
	Sky__AssocUserDefault *d, **dp;
	const struct fs_ctld *f = r->c->fs;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if ((rc = assoc_tree_pack(f->tree, &buf, &len)))
		return sky_err_set(eb, rc, "cannot pack the association tree");
	d = xcalloc(f->defs.n + f->descr.n + 1, sizeof(*d));
	dp = xcalloc(f->defs.n + f->descr.n + 1, sizeof(*dp));
	for (size_t i = 0; i < f->defs.n + f->descr.n; i++) {
		const struct fs_default *kv = i < f->defs.n ? &f->defs.v[i] :
					      &f->descr.v[i - f->defs.n];
		sky__assoc_user_default__init(&d[i]);
		d[i].user = kv->user;
		d[i].account = kv->acct;
		dp[i] = &d[i];
	}
	rep.tree.data = buf;
	rep.tree.len = len;
	rep.cluster = r->c->conf->cluster_name;
	rep.has_fs_algo = rep.has_damp_factor = rep.has_multifactor = true;
	rep.fs_algo = (uint32_t)f->fsp.algo;
	rep.damp_factor = f->fsp.damp_factor;
	rep.multifactor = f->multifactor;
	rep.n_defaults = f->defs.n;
	rep.defaults = dp;
	rep.n_descr = f->descr.n;
	rep.descr = dp + f->defs.n;
	rep.qos = qos_table_to_pb(f->qos, &f->tree->tres);
	run_secs_fill(r->c, &rep);
	rpc_reply(r, SKY__MSG_TYPE__RESPONSE_ASSOC_INFO, &rep.base);
	run_secs_free(&rep);
	qos_pb_free(rep.qos);
	free(dp);
	free(d);
	free(buf);
	return 0;
}

static void prio_row(struct ctld *c, const struct job *j, time_t now, Sky__PrioJob *pj)
{
	const Sky__JobRecord *r = j->rec;
	struct prio_factors f;

	memset(&f, 0, sizeof(f));
	fs_ctld_job_prio(c, j, now, &f);
	sky__prio_job__init(pj);
	pj->job_id = r->job_id;
	pj->partition = r->partition;
	pj->user = r->user_name;
	pj->account = r->desc->account;
	pj->has_priority = true;
	/* What squeue shows: the priority the scheduler orders by. */
	pj->priority = r->priority;
	pj->has_age = pj->has_assoc = pj->has_fairshare = pj->has_jobsize = true;
	pj->has_part = pj->has_qos = pj->has_nice = pj->has_site = true;
	pj->age = f.w_age;
	pj->assoc = f.w_assoc;
	pj->fairshare = f.w_fs;
	pj->jobsize = f.w_js;
	pj->part = f.w_part;
	pj->qos = f.w_qos;
	pj->nice = f.nice;
	pj->site = f.site;
	pj->tres = prio_tres_str(&c->fs->tree->tres, &f);
	pj->has_n_age = pj->has_n_assoc = pj->has_n_fairshare = true;
	pj->has_n_jobsize = pj->has_n_part = pj->has_n_qos = true;
	pj->n_age = f.age;
	pj->n_assoc = f.assoc;
	pj->n_fairshare = f.fairshare;
	pj->n_jobsize = f.jobsize;
	pj->n_part = f.partition;
	pj->n_qos = f.qos;
	pj->qos_name = r->desc->qos;
}

int rpc_prio_info(struct rpc_ctx *r, struct sky_errbuf *eb)
{
	Sky__PrioInfoReply rep = SKY__PRIO_INFO_REPLY__INIT;
	const struct fs_ctld *f = r->c->fs;
	Sky__PrioJob *rows, **rp;
	struct job *j;
	size_t n = 0;

	(void)eb;
	rows = xcalloc(r->c->jobs.count + 1, sizeof(*rows));
	rp = xcalloc(r->c->jobs.count + 1, sizeof(*rp));
	if (f->multifactor)
		JOB_FOREACH(&r->c->jobs, j) {
			if (!job_is_pending(j))
				continue;
			prio_row(r->c, j, r->now, &rows[n]);
			rp[n] = &rows[n];
			n++;
		}
	rep.rc = 0;
	if (!f->multifactor)
		rep.message = "Unable to get priority information: priority/basic is in use";
	rep.n_jobs = n;
	rep.jobs = rp;
	rep.has_w_age = rep.has_w_assoc = rep.has_w_fs = rep.has_w_js = true;
	rep.has_w_part = rep.has_w_qos = rep.has_multifactor = true;
	rep.w_age = f->pc.weight_age;
	rep.w_assoc = f->pc.weight_assoc;
	rep.w_fs = f->pc.weight_fs;
	rep.w_js = f->pc.weight_js;
	rep.w_part = f->pc.weight_part;
	rep.w_qos = f->pc.weight_qos;
	rep.multifactor = f->multifactor;
	{
		/* sprio -w's TRES column: the weights in prio_tres_str's form. */
		struct prio_factors w;
		memset(&w, 0, sizeof(w));
		memcpy(w.w_tres, f->pc.weight_tres, sizeof(w.w_tres));
		rep.w_tres = prio_tres_str(&f->tree->tres, &w);
	}
	rpc_reply(r, SKY__MSG_TYPE__RESPONSE_PRIO_INFO, &rep.base);
	free(rep.w_tres);
	for (size_t i = 0; i < n; i++)
		free(rows[i].tres);
	free(rows);
	free(rp);
	return 0;
}
