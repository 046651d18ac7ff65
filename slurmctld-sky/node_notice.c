/* node_notice.c: see node_notice.h. */
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
#include "provider.h"
#include "rpc.h"
#include "sched_fifo.h"
#include "timefmt.h"
#include "xalloc.h"

struct notice {
	bool active;
	bool reclaimed;             /* the notice's time came: jobs moved off */
	bool drained;               /* DRAIN set here (undone at the end) */
	Sky__NodeState prev_admin;  /* admin_state before the drain */
	char *instance_id;          /* the instance it is about, or NULL */
	char *action;
	time_t at;
	char *reason;               /* the drain reason set here */
	char *reclaim_reason;       /* the power-down reason set here */
};

struct node_notices {
	struct notice *v;           /* one per node, by index in c->nodes */
	size_t n;
};

static struct notice *notice_of(struct ctld *c, const struct node *n)
{
	if (!c->notices) {
		c->notices = xcalloc(1, sizeof(*c->notices));
		c->notices->n = c->nodes.count;
		c->notices->v = xcalloc(c->nodes.count, sizeof(*c->notices->v));
	}
	return &c->notices->v[n - c->nodes.nodes];
}

static void notice_clear(struct notice *no)
{
	free(no->instance_id);
	free(no->action);
	free(no->reason);
	free(no->reclaim_reason);
	memset(no, 0, sizeof(*no));
}

/* The --signal warning, now, for every job running on n that asked for one. */
static void warn_jobs(struct ctld *c, struct node *n)
{
	struct job *j;

	JOB_FOREACH(&c->jobs, j) {
		const Sky__JobDesc *d = j->rec->desc;
		struct node *bh;

		if (!job_holds_node(j, n) || !job_is_running(j) || job_is_completing(j) ||
		    power_job_configuring(j) || !d->has_signal_num || !d->signal_num)
			continue;
		bh = j->rec->batch_host ? node_find(&c->nodes, j->rec->batch_host) : NULL;
		if (!bh)
			continue;
		log_info("job %u: signal %u now (--signal warning: spot interruption notice on %s)",
			 j->rec->job_id, d->signal_num, n->name);
		agent_send_signal(c, bh, j->rec->job_id, d->signal_num,
				  d->has_signal_batch_only && d->signal_batch_only);
	}
}

static void notice_begin(struct ctld *c, struct node *n, struct notice *no,
			 const Sky__NodeNotice *nn, time_t now)
{
	char ts[64];

	no->active = true;
	no->instance_id = nn->instance_id && *nn->instance_id ? xstrdup(nn->instance_id) :
			  n->cloud.instance_id ? xstrdup(n->cloud.instance_id) : NULL;
	no->action = xstrdup(nn->action && *nn->action ? nn->action : "terminate");
	no->at = nn->has_time && nn->time ? (time_t)nn->time : now + NODE_NOTICE_DEFAULT_LEAD_SECS;
	timestamp_str(no->at, ts, sizeof(ts));
	no->reason = xasprintf("spot interruption notice: %s at %s", no->action, ts);
	log_info("node %s: %s (instance %s); draining, --signal warnings sent, jobs requeued by then",
		 n->name, no->reason, no->instance_id ? no->instance_id : "unknown");
	if (n->admin_state != SKY__NODE_STATE__NODE_DOWN &&
	    n->admin_state != SKY__NODE_STATE__NODE_DRAIN) {
		no->drained = true;
		no->prev_admin = n->admin_state;
		n->admin_state = SKY__NODE_STATE__NODE_DRAIN;
		job_set_str(&n->reason, no->reason);
		n->reason_time = (uint64_t)now;
	}
	warn_jobs(c, n);
	/* Later placements (the requeued job's first) avoid the offering. */
	if (n->prov && n->prov->ops->notice)
		n->prov->ops->notice(n->prov, n, now);
}

int rpc_agent_node_notice(struct rpc_ctx *r, struct sky_errbuf *eb)
{
	Sky__NodeNotice *nn = NULL;
	struct node *n = conn_node(r->conn);
	struct notice *no;
	int rc;

	if ((rc = rpc_unpack(r, &sky__node_notice__descriptor, &nn, eb)))
		return rc;
	r->sched_not_needed = true;
	if (strcmp(nn->node_name, n->name) != 0) {
		log_error("node %s: notice about node %s ignored", n->name, nn->node_name);
		goto out;
	}
	if (strcmp(nn->kind, NODE_NOTICE_SPOT) != 0) {
		log_info("node %s: notice of unknown kind '%s' ignored", n->name, nn->kind);
		goto out;
	}
	if (nn->instance_id && *nn->instance_id && n->cloud.instance_id &&
	    strcmp(nn->instance_id, n->cloud.instance_id) != 0) {
		log_info("node %s: spot notice from instance %s ignored: the slot is instance %s now",
			 n->name, nn->instance_id, n->cloud.instance_id);
		goto out;
	}
	no = notice_of(r->c, n);
	if (no->active)
		goto out;   /* the agent repeats it at every poll */
	notice_begin(r->c, n, no, nn, r->now);
	r->sched_not_needed = false;
out:
	sky__node_notice__free_unpacked(nn, NULL);
	return 0;
}

bool node_notice_refuse_stale(struct rpc_ctx *r, struct node *n, const Sky__NodeRegister *reg)
{
	Sky__RegisterReply rep = SKY__REGISTER_REPLY__INIT;
	const char *slot = n->cloud.instance_id;
	char *msg;

	if (!reg->instance_id || !*reg->instance_id || !slot || !*slot ||
	    !strcmp(slot, reg->instance_id))
		return false;
	msg = xasprintf("node %s is instance %s now, not %s: this agent's VM no longer owns the slot",
			n->name, slot, reg->instance_id);
	log_error("node %s: registration from %s refused (stale instance): %s", n->name,
		  conn_peer(r->conn), msg);
	rep.rc = SKY_E_ACCESS_DENIED;
	rep.message = msg;
	rep.has_stale_instance = rep.stale_instance = true;
	rpc_reply(r, SKY__MSG_TYPE__AGENT_REGISTER_REPLY, &rep.base);
	conn_finish(r->conn);
	r->sched_not_needed = true;
	free(msg);
	return true;
}

/* Without a power-managed slot: the jobs go the way of a lost node's. */
static void requeue_jobs_here(struct ctld *c, struct node *n, time_t now)
{
	struct job *j;
	struct sky_errbuf eb;

	JOB_FOREACH(&c->jobs, j) {
		if (!job_holds_node(j, n) || !job_lost_node(c, j, n, now))
			continue;
		sky_err_clear(&eb);
		if (job_commit(c, j, &eb))
			log_error("job %u: %s", j->rec->job_id, sky_err_msg(&eb));
		job_control_kill(c, j, j->rec->state);
	}
}

/* The notice's time came and the instance is still the slot's. */
static void reclaim(struct ctld *c, struct node *n, struct notice *no, time_t now)
{
	struct sky_errbuf eb;
	char ts[64];

	no->reclaimed = true;
	timestamp_str(no->at, ts, sizeof(ts));
	no->reclaim_reason = xasprintf("spot interruption: instance %s reclaimed (%s at %s)",
				       no->instance_id ? no->instance_id : "?", no->action, ts);
	log_info("node %s: %s; its jobs are requeued (or end NODE_FAIL with --no-requeue)",
		 n->name, no->reclaim_reason);
	if (!n->pw.elastic) {
		requeue_jobs_here(c, n, now);
		sched_request(c);
		return;
	}
	/* Jobs stopped (scripts killed, requeued once reported), then the
	 * node powered down: it clears the drain and sets the reason. */
	sky_err_clear(&eb);
	if (power_update_node(c, n->name, "POWER_DOWN_FORCE", no->reclaim_reason, &eb))
		log_error("node %s: %s", n->name, sky_err_msg(&eb));
	no->drained = false;
}

/* The instance is gone or replaced, or the slot powered down. */
static bool notice_over(const struct node *n, const struct notice *no)
{
	if (no->instance_id && (!n->cloud.instance_id || strcmp(n->cloud.instance_id, no->instance_id)))
		return true;
	return n->pw.elastic && n->pw.state == NODE_POWER_OFF;
}

static void notice_end(struct node *n, struct notice *no)
{
	bool ours = n->reason && ((no->reason && !strcmp(n->reason, no->reason)) ||
				  (no->reclaim_reason && !strcmp(n->reason, no->reclaim_reason)));

	log_info("node %s: spot interruption notice over (instance %s gone)", n->name,
		 no->instance_id ? no->instance_id : "?");
	if (no->drained && n->admin_state == SKY__NODE_STATE__NODE_DRAIN && ours)
		n->admin_state = no->prev_admin;
	if (ours && n->admin_state != SKY__NODE_STATE__NODE_DRAIN &&
	    n->admin_state != SKY__NODE_STATE__NODE_DOWN) {
		FREE_NULL(n->reason);
		n->reason_time = 0;
	}
	notice_clear(no);
}

void node_notice_tick(struct ctld *c, time_t now)
{
	if (!c->notices)
		return;
	for (size_t i = 0; i < c->notices->n; i++) {
		struct notice *no = &c->notices->v[i];
		struct node *n = &c->nodes.nodes[i];

		if (!no->active)
			continue;
		if (notice_over(n, no)) {
			notice_end(n, no);
			sched_request(c);
		} else if (!no->reclaimed && now >= no->at) {
			reclaim(c, n, no, now);
		}
	}
}

void node_notice_fini(struct ctld *c)
{
	if (!c->notices)
		return;
	for (size_t i = 0; i < c->notices->n; i++)
		notice_clear(&c->notices->v[i]);
	free(c->notices->v);
	FREE_NULL(c->notices);
}
