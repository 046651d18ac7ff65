/*
 * rpc_acct.c: REQUEST_ACCT, the controller's side of sacct (slurm.md 3.6).
 *
 * The answer merges two sources: the jobs still in memory (pending, running,
 * and finished ones younger than MinJobAge) and the history db that
 * job_purge_old() fills. The filters of the request are applied here, so a
 * long history costs one read transaction and a decode per record, never a
 * reply carrying all of it. When the request names job ids, the history is
 * read by key instead of walked.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ctld.h"
#include "log.h"
#include "rpc.h"
#include "xalloc.h"

/* One record of the reply: borrowed from memory, or owned (from the history db). */
struct acct_ent {
	Sky__JobRecord *rec;
	bool owned;
};

struct acct_set {
	const Sky__AcctRequest *q;
	uint64_t start, end;             /* the window, end resolved to now */
	struct acct_ent *v;              /* in reply order after sorting */
	size_t n, cap;
};

static bool u32_in(const uint32_t *v, size_t n, uint32_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static bool str_in(char **v, size_t n, const char *x)
{
	if (!n)
		return true;
	for (size_t i = 0; i < n; i++)
		if (x && strcmp(v[i], x) == 0)
			return true;
	return false;
}

/* When the job ended, 0 while it has not (a running job's end_time is its expected end). */
static uint64_t ended_at(const Sky__JobRecord *j)
{
	return j->state > SKY__JOB_STATE__JOB_SUSPENDED ? j->end_time : 0;
}

/*
 * Whether the job was in state st at some time within [start, end], the way
 * Slurm's accounting query reads -s with -S/-E: PENDING and RUNNING are
 * periods (submit..start, start..end); a terminal state is the moment the job
 * ended. Slurm measures pending from the eligible time; a held job has none,
 * so we use the submit time, which keeps held jobs visible (noted choice).
 */
static bool in_state_during(const Sky__JobRecord *j, uint32_t st, uint64_t start, uint64_t end)
{
	uint64_t end_t = ended_at(j);

	switch (st) {
	case SKY__JOB_STATE__JOB_PENDING:
		/* Pending from submit until it started, or ended without starting. */
		if (j->submit_time > end)
			return false;
		if (j->start_time)
			return j->start_time >= start;
		return !end_t || end_t >= start;
	case SKY__JOB_STATE__JOB_RUNNING:
		return j->start_time && j->start_time <= end &&
		       (!end_t || end_t >= start);
	default:
		return (uint32_t)j->state == st && end_t && end_t >= start &&
		       end_t <= end;
	}
}

/* Without -s: the job existed (was submitted and not yet over) during the window. */
static bool in_window(const Sky__JobRecord *j, uint64_t start, uint64_t end)
{
	uint64_t end_t = ended_at(j);

	return j->submit_time <= end && (!end_t || end_t >= start);
}

static bool acct_match(const struct acct_set *s, const Sky__JobRecord *j)
{
	const Sky__AcctRequest *q = s->q;
	size_t i;

	if (q->n_job_ids && !u32_in(q->job_ids, q->n_job_ids, j->job_id) &&
	    !(j->array_job_id && u32_in(q->job_ids, q->n_job_ids, j->array_job_id)))
		return false;
	if (q->n_user_ids && !u32_in(q->user_ids, q->n_user_ids, j->user_id))
		return false;
	if (q->n_group_ids && !u32_in(q->group_ids, q->n_group_ids, j->group_id))
		return false;
	if (!str_in(q->partitions, q->n_partitions, j->partition) ||
	    !str_in(q->accounts, q->n_accounts, j->desc->account) ||
	    !str_in(q->names, q->n_names, j->desc->name))
		return false;
	if (!q->n_states)
		return in_window(j, s->start, s->end);
	for (i = 0; i < q->n_states; i++)
		if (in_state_during(j, q->states[i], s->start, s->end))
			return true;
	return false;
}

static void set_add(struct acct_set *s, Sky__JobRecord *rec, bool owned)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n].rec = rec;
	s->v[s->n].owned = owned;
	s->n++;
}

/* store_hist_foreach callback: keep matching records (consumes rec). */
static int hist_cb(Sky__JobRecord *rec, void *arg)
{
	struct acct_set *s = arg;

	if (acct_match(s, rec))
		set_add(s, rec, true);
	else
		sky__job_record__free_unpacked(rec, NULL);
	return 0;
}

/*
 * History by key for each asked id not already found in memory. An id in
 * neither place may still be an array job whose tasks carry other ids, so
 * that case falls back to the full walk (*walk set).
 */
static int hist_by_id(struct ctld *c, struct store_txn *t, struct acct_set *s, bool *walk,
		      struct sky_errbuf *eb)
{
	const Sky__AcctRequest *q = s->q;
	size_t i;
	int rc;

	for (i = 0; i < q->n_job_ids; i++) {
		Sky__JobRecord *rec = NULL;
		if (job_find(&c->jobs, q->job_ids[i]))
			continue;
		rc = store_hist_get(t, q->job_ids[i], &rec, eb);
		if (rc == SKY_E_NOT_FOUND) {
			sky_err_clear(eb);
			*walk = true;
			continue;
		}
		if (rc)
			return rc;
		if (rec->array_job_id == rec->job_id)
			*walk = true;
		hist_cb(rec, s);
	}
	return 0;
}

static int load_history(struct ctld *c, struct acct_set *s, struct sky_errbuf *eb)
{
	struct store_txn *t = NULL;
	bool walk = s->q->n_job_ids == 0;
	size_t i, before = s->n;
	int rc;

	if ((rc = store_begin(c->store, false, &t, eb)))
		return rc;
	if (!walk && (rc = hist_by_id(c, t, s, &walk, eb)))
		goto out;
	if (walk) {
		/* Drop what the by-key pass found: the walk finds it again. */
		for (i = before; i < s->n; i++)
			sky__job_record__free_unpacked(s->v[i].rec, NULL);
		s->n = before;
		rc = store_hist_foreach(t, hist_cb, s, eb);
	}
out:
	store_abort(t);
	return rc;
}

static int cmp_id(const void *a, const void *b)
{
	const Sky__JobRecord *x = ((const struct acct_ent *)a)->rec;
	const Sky__JobRecord *y = ((const struct acct_ent *)b)->rec;

	return x->job_id < y->job_id ? -1 : x->job_id > y->job_id;
}

static void send_reply(struct rpc_ctx *r, struct acct_set *s)
{
	Sky__AcctReply rep = SKY__ACCT_REPLY__INIT;
	Sky__JobRecord *recs = xcalloc(s->n + 1, sizeof(*recs));
	Sky__JobDesc *descs = xcalloc(s->n + 1, sizeof(*descs));
	size_t i;

	if (s->n > 1)   /* s->v is NULL when nothing matched */
		qsort(s->v, s->n, sizeof(*s->v), cmp_id);
	rep.jobs = xcalloc(s->n + 1, sizeof(*rep.jobs));
	/* Shallow copies without the environment: sacct never shows it. */
	for (i = 0; i < s->n; i++) {
		recs[i] = *s->v[i].rec;
		descs[i] = *s->v[i].rec->desc;
		descs[i].n_env = 0;
		descs[i].env = NULL;
		descs[i].has_script = false;
		recs[i].desc = &descs[i];
		rep.jobs[i] = &recs[i];
	}
	rep.n_jobs = s->n;
	rep.rc = 0;
	rep.has_now = true;
	rep.now = (uint64_t)r->now;
	rpc_reply(r, SKY__MSG_TYPE__RESPONSE_ACCT, &rep.base);
	free(rep.jobs);
	free(descs);
	free(recs);
}

int rpc_acct(struct rpc_ctx *r, struct sky_errbuf *eb)
{
	Sky__AcctRequest *q = NULL;
	struct acct_set s;
	struct job *j;
	size_t i;
	int rc;

	if ((rc = rpc_unpack(r, &sky__acct_request__descriptor, &q, eb)))
		return rc;
	memset(&s, 0, sizeof(s));
	s.q = q;
	s.start = q->start_time;
	s.end = q->has_end_time && q->end_time ? q->end_time : (uint64_t)r->now;
	JOB_FOREACH(&r->c->jobs, j)
		if (acct_match(&s, j->rec))
			set_add(&s, j->rec, false);
	if ((rc = load_history(r->c, &s, eb)) == 0)
		send_reply(r, &s);
	for (i = 0; i < s.n; i++)
		if (s.v[i].owned)
			sky__job_record__free_unpacked(s.v[i].rec, NULL);
	free(s.v);
	sky__acct_request__free_unpacked(q, NULL);
	return rc;
}
