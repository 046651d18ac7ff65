/*
 * rpc_agent.c: messages from node agents (registration, launch results, job
 * completions, heartbeats), and the reconciliation a registration triggers.
 *
 * Registration makes the controller's view of a node's jobs agree with the
 * agent's (protocol.md, "Agent link"):
 *   reported finished            -> applied as a completion, then acknowledged
 *   reported running, ours here  -> launch_acked (or the kill is re-sent)
 *   reported running, not ours   -> orphan: the agent kills it
 *   ours here, not reported      -> never launched: PENDING again;
 *                                   launched: NODE_FAIL;
 *                                   being killed: finished.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "agent_link.h"
#include "ctld.h"
#include "job_control.h"
#include "listener.h"
#include "log.h"
#include "node_notice.h"
#include "power_save.h"
#include "rpc.h"
#include "xalloc.h"

struct id_vec {
	uint32_t *v;
	size_t n;
};

struct job_vec {
	struct job **v;
	size_t n;
};

struct reconcile {
	struct ctld *c;
	struct node *node;
	time_t now;
	struct id_vec acks;       /* CTLD_COMPLETE_ACK after the reply */
	struct id_vec orphans;    /* RegisterReply.orphan_job_ids */
	struct job_vec resignal;  /* being cancelled: send the kill again */
	struct job_vec dirty;     /* changed: save before replying */
};

static void id_push(struct id_vec *a, uint32_t id)
{
	a->v = xrealloc(a->v, (a->n + 1) * sizeof(*a->v));
	a->v[a->n++] = id;
}

static void job_push(struct job_vec *a, struct job *j)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->v[i] == j)
			return;
	a->v = xrealloc(a->v, (a->n + 1) * sizeof(*a->v));
	a->v[a->n++] = j;
}

static void reconcile_fini(struct reconcile *rc)
{
	free(rc->acks.v);
	free(rc->orphans.v);
	free(rc->resignal.v);
	free(rc->dirty.v);
}

static bool on_node(const struct job *j, const struct node *n)
{
	return j->rec->batch_host && strcmp(j->rec->batch_host, n->name) == 0;
}

static void reported_finished(struct reconcile *rc, const Sky__AgentJob *aj)
{
	struct job *j = job_find(&rc->c->jobs, aj->job_id);

	if (j && aj->complete && job_apply_complete(rc->c, j, rc->node, aj->complete, rc->now)) {
		log_info("job %u: ended while the controller was away (%s)", aj->job_id,
			 j->rec->reason ? j->rec->reason : "");
		job_push(&rc->dirty, j);
	}
	id_push(&rc->acks, aj->job_id);
}

static void reported_running(struct reconcile *rc, const Sky__AgentJob *aj)
{
	struct job *j = job_find(&rc->c->jobs, aj->job_id);

	if (!j || !on_node(j, rc->node) || !(job_is_running(j) || job_is_completing(j))) {
		log_info("job %u: running on %s but not a job of this node; orphan", aj->job_id,
			 rc->node->name);
		id_push(&rc->orphans, aj->job_id);
		return;
	}
	if (job_is_completing(j)) {
		job_push(&rc->resignal, j);
		return;
	}
	if (!j->rec->launch_acked) {
		j->rec->has_launch_acked = j->rec->launch_acked = true;
		job_push(&rc->dirty, j);
	}
}

static bool was_reported(const Sky__NodeRegister *reg, uint32_t id)
{
	size_t i;

	for (i = 0; i < reg->n_jobs; i++)
		if (reg->jobs[i]->job_id == id &&
		    (!reg->jobs[i]->finished || reg->jobs[i]->complete))
			return true;
	return false;
}

/* Our jobs on this node that the agent does not know. */
static void unreported(struct reconcile *rc, const Sky__NodeRegister *reg)
{
	struct job *j;

	JOB_FOREACH(&rc->c->jobs, j) {
		if (!j->n_alloc || !on_node(j, rc->node) || was_reported(reg, j->rec->job_id))
			continue;
		if (power_job_configuring(j) && !job_is_completing(j))
			continue;   /* waiting for its nodes: launched later */
		if (job_is_completing(j)) {
			if (job_is_pending(j))
				job_requeue_pending(rc->c, j);
			else
				job_end(rc->c, j, j->rec->state, (time_t)j->rec->end_time);
		} else if (!job_is_running(j)) {
			continue;
		} else if (!j->rec->launch_acked) {
			log_info("job %u: launch on %s never happened; pending again",
				 j->rec->job_id, rc->node->name);
			job_requeue_pending(rc->c, j);
		} else {
			log_info("job %u: lost by node %s", j->rec->job_id, rc->node->name);
			job_node_failed(rc->c, j, rc->now);
		}
		job_push(&rc->dirty, j);
	}
}

static int save_dirty(struct ctld *c, struct job_vec *dirty, struct sky_errbuf *eb)
{
	struct store_txn *t = NULL;
	size_t i;
	int rc;

	if (!dirty->n)
		return 0;
	if ((rc = store_begin(c->store, true, &t, eb)))
		return rc;
	for (i = 0; i < dirty->n; i++)
		if ((rc = job_save(c, dirty->v[i], t, eb))) {
			store_abort(t);
			return rc;
		}
	return store_commit(t, eb);
}

static void node_registered(struct node *n, time_t now)
{
	n->registered = true;
	n->not_responding = false;
	n->last_heard = now;
	if (n->down_not_responding) {
		n->down_not_responding = false;
		FREE_NULL(n->reason);
		n->reason_time = 0;
	}
}

static void reply_registered(struct rpc_ctx *r, struct reconcile *rc)
{
	Sky__RegisterReply rep = SKY__REGISTER_REPLY__INIT;
	size_t i;

	rep.rc = 0;
	rep.has_kill_wait_secs = true;
	rep.kill_wait_secs = r->c->conf->kill_wait;
	rep.cluster = r->c->conf->cluster_name;
	rep.n_orphan_job_ids = rc->orphans.n;
	rep.orphan_job_ids = rc->orphans.v;
	rpc_reply(r, SKY__MSG_TYPE__AGENT_REGISTER_REPLY, &rep.base);
	for (i = 0; i < rc->acks.n; i++)
		agent_send_complete_ack(r->c, rc->node, rc->acks.v[i]);
	for (i = 0; i < rc->resignal.n; i++)
		agent_send_signal(r->c, rc->node, rc->resignal.v[i]->rec->job_id, 0, false);
}

int rpc_agent_register(struct rpc_ctx *r, struct sky_errbuf *eb)
{
	Sky__NodeRegister *reg = NULL;
	struct reconcile rc = { .c = r->c, .now = r->now };
	size_t i;
	int err;

	if ((err = rpc_unpack(r, &sky__node_register__descriptor, &reg, eb)))
		return err;
	rc.node = node_find(&r->c->nodes, reg->node_name);
	if (!rc.node) {
		err = sky_err_set(eb, SKY_E_INVALID_NODE_NAME, "node %s is not in %s", reg->node_name,
				  r->c->conf->path ? r->c->conf->path : "the configuration");
		goto out;
	}
	if (node_notice_refuse_stale(r, rc.node, reg))
		goto out;
	agent_link_attach(r->c, rc.node, r->conn);
	node_update_from_agent(rc.node, reg);
	for (i = 0; i < reg->n_jobs; i++) {
		if (reg->jobs[i]->finished)
			reported_finished(&rc, reg->jobs[i]);
		else
			reported_running(&rc, reg->jobs[i]);
	}
	unreported(&rc, reg);
	if ((err = save_dirty(r->c, &rc.dirty, eb))) {
		log_error("node %s: registration not saved: %s", rc.node->name, sky_err_msg(eb));
		goto out;
	}
	node_registered(rc.node, r->now);
	log_info("node %s registered from %s: %u cpus, %llu MB, %zu jobs reported, %zu orphans",
		 rc.node->name, conn_peer(r->conn), rc.node->cpus,
		 (unsigned long long)rc.node->real_memory_mb, reg->n_jobs, rc.orphans.n);
	reply_registered(r, &rc);
	power_node_registered(r->c, rc.node, r->now);
out:
	reconcile_fini(&rc);
	sky__node_register__free_unpacked(reg, NULL);
	return err;
}

int rpc_agent_launch_result(struct rpc_ctx *r, struct sky_errbuf *eb)
{
	Sky__LaunchResult *lr = NULL;
	struct node *n = conn_node(r->conn);
	struct job *j;
	struct sky_errbuf serr;
	int rc;

	if ((rc = rpc_unpack(r, &sky__launch_result__descriptor, &lr, eb)))
		return rc;
	j = job_find(&r->c->jobs, lr->job_id);
	if (!j || !on_node(j, n) || !j->n_alloc) {
		log_debug("job %u: stale launch result from %s", lr->job_id, n->name);
		goto out;
	}
	if (lr->rc == 0) {
		if (j->rec->launch_acked)
			goto out;
		j->rec->has_launch_acked = j->rec->launch_acked = true;
	} else if (job_is_completing(j)) {
		/* Cancelled or requeued while launching: nothing runs to wait for. */
		if (job_is_pending(j))
			job_requeue_pending(r->c, j);
		else
			job_end(r->c, j, j->rec->state, (time_t)j->rec->end_time);
	} else {
		log_info("job %u: launch on %s failed: %s", lr->job_id, n->name,
			 lr->message ? lr->message : sky_strerror((int)lr->rc));
		job_end(r->c, j, SKY__JOB_STATE__JOB_FAILED, r->now);
		job_set_reason(j, REASON_LAUNCH_FAILED);
		job_set_str(&j->rec->state_desc, lr->message ? lr->message : sky_strerror((int)lr->rc));
	}
	sky_err_clear(&serr);
	if (job_commit(r->c, j, &serr))
		log_error("job %u: launch result not saved: %s", lr->job_id, sky_err_msg(&serr));
out:
	sky__launch_result__free_unpacked(lr, NULL);
	return 0;
}

static const char *state_name(Sky__JobState st)
{
	const ProtobufCEnumValue *v =
		protobuf_c_enum_descriptor_get_value(&sky__job_state__descriptor, (int)st);
	return v ? v->name : "?";
}

int rpc_agent_job_complete(struct rpc_ctx *r, struct sky_errbuf *eb)
{
	Sky__JobComplete *jc = NULL;
	struct node *n = conn_node(r->conn);
	struct job *j;
	struct sky_errbuf serr;
	int rc;

	if ((rc = rpc_unpack(r, &sky__job_complete__descriptor, &jc, eb)))
		return rc;
	j = job_find(&r->c->jobs, jc->job_id);
	if (j && job_apply_complete(r->c, j, n, jc, r->now)) {
		sky_err_clear(&serr);
		if (job_commit(r->c, j, &serr)) {
			/* No ack: the agent keeps the result and reports it again. */
			log_error("job %u: completion not saved: %s", jc->job_id, sky_err_msg(&serr));
			goto out;
		}
		log_info("job %u: %s on %s, exit status %d", jc->job_id, state_name(j->rec->state),
			 n->name, jc->exit_status);
	} else {
		log_debug("job %u: completion from %s acknowledged (already recorded or unknown)",
			  jc->job_id, n->name);
	}
	agent_send_complete_ack(r->c, n, jc->job_id);
out:
	sky__job_complete__free_unpacked(jc, NULL);
	return 0;
}

int rpc_agent_heartbeat(struct rpc_ctx *r, struct sky_errbuf *eb)
{
	(void)eb;
	(void)r;
	/* rpc_dispatch() already noted the sign of life. */
	return 0;
}
