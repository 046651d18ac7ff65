/* agent_link.c: see agent_link.h. */
#include "config.h"

#include <string.h>

#include "agent_link.h"
#include "ctld.h"
#include "job_control.h"
#include "listener.h"
#include "log.h"
#include "power_save.h"
#include "xalloc.h"

void agent_link_attach(struct ctld *c, struct node *n, struct conn *cn)
{
	struct conn *old = n->link;
	struct node *prev = conn_node(cn);

	/* A link re-registering under another name stops speaking for the first. */
	if (prev && prev != n && prev->link == cn)
		agent_link_lost(c, prev);
	if (old && old != cn) {
		log_info("node %s: new agent link from %s replaces the one from %s", n->name,
			 conn_peer(cn), conn_peer(old));
		/* Detach first, so closing the old link does not mark the node lost. */
		n->link = NULL;
		conn_close(old);
	}
	n->link = cn;
	conn_set_node(cn, n);
	n->last_heard = time(NULL);
}

void agent_link_lost(struct ctld *c, struct node *n)
{
	(void)c;
	n->link = NULL;
	if (!n->not_responding) {
		n->not_responding = true;
		n->not_responding_since = time(NULL);
		log_info("node %s: agent link closed; node not responding", n->name);
	}
}

void agent_link_heard(struct node *n, time_t now)
{
	n->last_heard = now;
}

int agent_send(struct ctld *c, struct node *n, uint32_t type, const ProtobufCMessage *msg,
	       struct sky_errbuf *eb)
{
	if (!n->link)
		return sky_err_set(eb, SKY_E_CONNECT, "node %s has no agent link", n->name);
	return conn_send(c, n->link, type, msg, eb);
}

void agent_send_signal(struct ctld *c, struct node *n, uint32_t job_id, uint32_t sig,
		       bool batch_only)
{
	Sky__SignalJob s = SKY__SIGNAL_JOB__INIT;
	struct sky_errbuf eb;

	s.job_id = job_id;
	s.has_signal = true;
	s.signal = sig;
	s.has_batch_only = batch_only;
	s.batch_only = batch_only;
	if (!sig) {
		s.has_state_after = true;
		s.state_after = SKY__JOB_STATE__JOB_CANCELLED;
	}
	sky_err_clear(&eb);
	if (agent_send(c, n, SKY__MSG_TYPE__CTLD_SIGNAL_JOB, &s.base, &eb))
		log_info("job %u: signal %u not sent: %s (sent again when node %s registers)",
			 job_id, sig, sky_err_msg(&eb), n->name);
}

void agent_send_complete_ack(struct ctld *c, struct node *n, uint32_t job_id)
{
	Sky__CompleteAck a = SKY__COMPLETE_ACK__INIT;
	struct sky_errbuf eb;

	a.job_id = job_id;
	sky_err_clear(&eb);
	if (agent_send(c, n, SKY__MSG_TYPE__CTLD_COMPLETE_ACK, &a.base, &eb))
		log_info("job %u: completion ack not sent: %s (the agent reports it again)", job_id,
			 sky_err_msg(&eb));
}

/* Not responding past SlurmdTimeout: the node is DOWN and its jobs are lost. */
static void node_down(struct ctld *c, struct node *n, time_t now)
{
	struct store_txn *t = NULL;
	struct sky_errbuf eb;
	struct job *j, **kill = NULL;
	size_t failed = 0, n_kill = 0, i;

	n->down_not_responding = true;
	job_set_str(&n->reason, "Not responding");
	n->reason_time = (uint64_t)now;
	log_error("node %s: not responding for %us; DOWN", n->name, c->limits.slurmd_timeout);
	sky_err_clear(&eb);
	if (store_begin(c->store, true, &t, &eb))
		goto fail;
	JOB_FOREACH(&c->jobs, j) {
		if (!job_holds_node(j, n))
			continue;
		if (!j->rec->batch_host || strcmp(j->rec->batch_host, n->name) != 0) {
			/* Its script runs on a live node: stopped there, then ended. */
			if (!job_lost_node(c, j, n, now))
				continue;
			kill = xrealloc(kill, (n_kill + 1) * sizeof(*kill));
			kill[n_kill++] = j;
		} else if (job_is_running(j)) {
			job_node_failed(c, j, now);
		} else if (job_is_pending(j)) {
			job_requeue_pending(c, j);
		} else {
			job_end(c, j, j->rec->state, (time_t)j->rec->end_time);
		}
		if (job_save(c, j, t, &eb)) {
			store_abort(t);
			goto fail;
		}
		failed++;
	}
	if (store_commit(t, &eb))
		goto fail;
	if (failed)
		log_info("node %s: %zu jobs ended by the node failure", n->name, failed);
	for (i = 0; i < n_kill; i++)
		job_control_kill(c, kill[i], kill[i]->rec->state);
	free(kill);
	return;
fail:
	free(kill);
	log_error("node %s: cannot save its failed jobs: %s", n->name, sky_err_msg(&eb));
}

void agent_link_check(struct ctld *c, time_t now)
{
	size_t i;

	for (i = 0; i < c->nodes.count; i++) {
		struct node *n = &c->nodes.nodes[i];
		/* Powered down or on its way: silence expected; ResumeTimeout covers powering up. */
		if (power_node_quiet(n))
			continue;
		if (n->link && now - n->last_heard > (time_t)c->limits.agent_silence) {
			log_info("node %s: agent silent for %lds; node not responding", n->name,
				 (long)(now - n->last_heard));
			n->not_responding = true;
			n->not_responding_since = now;
			/* Closing makes the agent reconnect and register afresh. */
			conn_close(n->link);
		}
		/* A node that never came back after a restart counts from the start. */
		if ((n->registered || n->n_jobs) && n->not_responding && !n->down_not_responding &&
		    c->limits.slurmd_timeout &&
		    now - n->not_responding_since > (time_t)c->limits.slurmd_timeout)
			node_down(c, n, now);
	}
}
