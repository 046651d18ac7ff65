/*
 * rpc_cancel.c: REQUEST_CANCEL (scancel).
 *
 * Every job asked for gets a CancelResult. Cancelling a pending job ends it at
 * once; a running one becomes CANCELLED+COMPLETING and its agent runs the kill
 * sequence and reports the completion. All changes of one request are
 * committed together before the reply; signals to agents go out after it.
 * A non-zero signal is only delivered and changes no state.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent_link.h"
#include "ctld.h"
#include "hostlist.h"
#include "job_launch.h"
#include "log.h"
#include "provider.h"
#include "rpc.h"
#include "xalloc.h"

struct cancel_op {
	struct job *job;            /* NULL: no such job */
	uint32_t job_id;
	int rc;
	bool signal_agent;          /* send CTLD_SIGNAL_JOB after the commit */
	bool signalled;             /* its provider took the signal at once (nothing to save) */
};

/* Filters of scancel -u/-n/-p/-t/-A/-q/-w, ANDed; used when no ids are given. */
static bool state_matches(const struct job *j, const char *want)
{
	if (!want || !*want)
		return true;
	if (!strcasecmp(want, "PENDING") || !strcasecmp(want, "PD"))
		return job_is_pending(j);
	if (!strcasecmp(want, "RUNNING") || !strcasecmp(want, "R"))
		return j->rec->state == SKY__JOB_STATE__JOB_RUNNING;
	if (!strcasecmp(want, "SUSPENDED") || !strcasecmp(want, "S"))
		return j->rec->state == SKY__JOB_STATE__JOB_SUSPENDED;
	return false;
}

static bool str_matches(const char *have, const char *want)
{
	return !want || !*want || (have && strcmp(have, want) == 0);
}

static bool nodes_match(const struct job *j, const char *want)
{
	struct hostlist *mine = NULL, *theirs = NULL;
	struct sky_errbuf eb;
	bool hit = false;
	size_t i;

	if (!want || !*want)
		return true;
	if (!j->rec->node_list || !*j->rec->node_list)
		return false;
	sky_err_clear(&eb);
	if (hostlist_create(j->rec->node_list, &mine, &eb) || hostlist_create(want, &theirs, &eb))
		goto out;
	for (i = 0; i < hostlist_count(mine) && !hit; i++)
		hit = hostlist_find(theirs, hostlist_nth(mine, i)) >= 0;
out:
	hostlist_destroy(mine);
	hostlist_destroy(theirs);
	return hit;
}

static bool filter_matches(const Sky__CancelRequest *q, const struct job *j)
{
	const Sky__JobRecord *r = j->rec;

	if (job_is_finished(j))
		return false;   /* scancel filters act on active jobs only */
	if (q->has_user_set && q->user_set && q->has_user_id && r->user_id != q->user_id)
		return false;
	if (q->user_name && *q->user_name && !str_matches(r->user_name, q->user_name))
		return false;
	return str_matches(r->desc->name, q->job_name) && str_matches(r->partition, q->partition) &&
	       str_matches(r->desc->account, q->account) && str_matches(r->desc->qos, q->qos) &&
	       state_matches(j, q->state) && nodes_match(j, q->nodelist);
}

static size_t collect_ops(struct ctld *c, const Sky__CancelRequest *q, struct cancel_op **out)
{
	struct cancel_op *ops;
	struct job *j;
	size_t n = 0, i;

	if (q->n_job_ids) {
		ops = xcalloc(q->n_job_ids, sizeof(*ops));
		for (i = 0; i < q->n_job_ids; i++) {
			ops[n].job_id = q->job_ids[i];
			ops[n++].job = job_find(&c->jobs, q->job_ids[i]);
		}
	} else {
		ops = xcalloc(c->jobs.count + 1, sizeof(*ops));
		JOB_FOREACH(&c->jobs, j)
			if (filter_matches(q, j)) {
				ops[n].job_id = j->rec->job_id;
				ops[n++].job = j;
			}
	}
	*out = ops;
	return n;
}

/* A job its node's provider runs (no agent): the provider delivers sig. 0 or SKY_E_*. */
static int provider_signal(struct node *node, struct job *j, uint32_t sig)
{
	struct sky_errbuf eb;
	int rc;

	sky_err_clear(&eb);
	rc = node->prov->ops->signal ? node->prov->ops->signal(node->prov, j, (int)sig, &eb)
				     : sky_err_set(&eb, SKY_E_DISABLED, "provider cannot signal");
	if (rc)
		log_info("job %u: signal %u not delivered: %s", j->rec->job_id, (unsigned)sig,
			 sky_err_msg(&eb));
	return rc;
}

/* Decide and apply (in memory) one job's cancel or signal. */
static void cancel_one(struct rpc_ctx *r, const Sky__CancelRequest *q, struct cancel_op *op)
{
	struct job *j = op->job;
	uint32_t sig = q->has_signal ? q->signal : 0;

	if (!j) {
		op->rc = SKY_E_INVALID_JOB_ID;
		return;
	}
	if (j->rec->user_id != (uint32_t)r->uid && !r->operator) {
		op->rc = SKY_E_ACCESS_DENIED;
		return;
	}
	if (job_is_finished(j) || job_is_completing(j)) {
		op->rc = SKY_E_ALREADY_DONE;
		return;
	}
	if (sig && sig != SIGKILL && job_is_pending(j)) {
		op->rc = SKY_E_JOB_PENDING;
		return;
	}
	if (sig && !job_is_pending(j)) {
		struct node *bh = node_find(&r->c->nodes, j->rec->batch_host);
		if (job_launch_by_provider(bh)) {
			/* At once: a refusal is the answer to scancel. */
			op->rc = provider_signal(bh, j, sig);
			op->signalled = true;
		} else {
			op->signal_agent = true;    /* delivery only */
		}
		return;
	}
	j->rec->has_cancel_uid = true;
	j->rec->cancel_uid = (uint32_t)r->uid;
	if (job_is_pending(j)) {
		job_end(r->c, j, SKY__JOB_STATE__JOB_CANCELLED, r->now);
		return;
	}
	j->rec->state = SKY__JOB_STATE__JOB_CANCELLED;
	j->rec->has_flags = true;
	j->rec->flags |= SKY__JOB_FLAG__JOB_FLAG_COMPLETING;
	j->rec->has_end_time = true;
	j->rec->end_time = (uint64_t)r->now;
	op->signal_agent = true;
}

static int save_ops(struct ctld *c, struct cancel_op *ops, size_t n, uint32_t sig,
		    struct sky_errbuf *eb)
{
	struct store_txn *t = NULL;
	size_t i, dirty = 0;
	int rc;

	for (i = 0; i < n; i++)
		if (ops[i].job && !ops[i].rc && !ops[i].signalled && !(sig && ops[i].signal_agent))
			dirty++;
	if (!dirty)
		return 0;
	if ((rc = store_begin(c->store, true, &t, eb)))
		return rc;
	for (i = 0; i < n; i++) {
		if (!ops[i].job || ops[i].rc || ops[i].signalled || (sig && ops[i].signal_agent))
			continue;
		if ((rc = job_save(c, ops[i].job, t, eb))) {
			store_abort(t);
			return rc;
		}
	}
	return store_commit(t, eb);
}

static void reply_results(struct rpc_ctx *r, struct cancel_op *ops, size_t n)
{
	Sky__CancelReply rep = SKY__CANCEL_REPLY__INIT;
	Sky__CancelResult *res = xcalloc(n + 1, sizeof(*res));
	size_t i;

	rep.results = xcalloc(n + 1, sizeof(*rep.results));
	for (i = 0; i < n; i++) {
		sky__cancel_result__init(&res[i]);
		res[i].job_id = ops[i].job_id;
		res[i].rc = (uint32_t)ops[i].rc;
		if (ops[i].rc)
			res[i].message = (char *)sky_strerror(ops[i].rc);
		rep.results[i] = &res[i];
	}
	rep.n_results = n;
	rep.rc = 0;
	rpc_reply(r, SKY__MSG_TYPE__RESPONSE_CANCEL, &rep.base);
	free(rep.results);
	free(res);
}

static void signal_agents(struct rpc_ctx *r, const Sky__CancelRequest *q, struct cancel_op *ops,
			  size_t n)
{
	uint32_t sig = q->has_signal ? q->signal : 0;
	size_t i;

	for (i = 0; i < n; i++) {
		struct node *node;
		if (ops[i].rc || !ops[i].signal_agent)
			continue;
		node = node_find(&r->c->nodes, ops[i].job->rec->batch_host);
		if (!node)
			continue;
		log_info("job %u: %s by uid %u", ops[i].job_id, sig ? "signalled" : "cancelled",
			 (unsigned)r->uid);
		if (job_launch_by_provider(node)) {
			/* No agent: the provider stops the job (signals went at once). */
			node->prov->ops->kill(node->prov, ops[i].job);
			continue;
		}
		agent_send_signal(r->c, node, ops[i].job_id, sig,
				  q->has_batch_only && q->batch_only && sig);
		if (q->has_batch_only && q->batch_only && sig)
			continue;
		/* Every other node of the job: its srun steps' tasks run there. */
		for (size_t k = 0; k < ops[i].job->n_alloc; k++)
			if (ops[i].job->alloc[k].node != node)
				agent_send_signal(r->c, ops[i].job->alloc[k].node, ops[i].job_id,
						  sig, false);
	}
}

int rpc_cancel(struct rpc_ctx *r, struct sky_errbuf *eb)
{
	Sky__CancelRequest *q = NULL;
	struct cancel_op *ops = NULL;
	size_t n, i;
	int rc;

	if ((rc = rpc_unpack(r, &sky__cancel_request__descriptor, &q, eb)))
		return rc;
	n = collect_ops(r->c, q, &ops);
	for (i = 0; i < n; i++) {
		cancel_one(r, q, &ops[i]);
		if (!ops[i].rc && !ops[i].signal_agent && !ops[i].signalled)
			log_info("job %u: cancelled by uid %u", ops[i].job_id, (unsigned)r->uid);
	}
	rc = save_ops(r->c, ops, n, q->has_signal ? q->signal : 0, eb);
	if (rc) {
		log_error("cancel by uid %u not saved: %s", (unsigned)r->uid, sky_err_msg(eb));
		goto out;
	}
	reply_results(r, ops, n);
	signal_agents(r, q, ops, n);
out:
	free(ops);
	sky__cancel_request__free_unpacked(q, NULL);
	return rc;
}
