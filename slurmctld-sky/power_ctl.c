/*
 * power_ctl.c: the power-saving paths that end or move jobs (a node that did
 * not come up, a node lost, scontrol's power commands). See power_save.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctld.h"
#include "hostlist.h"
#include "job_control.h"
#include "listener.h"
#include "log.h"
#include "power_int.h"
#include "power_save.h"
#include "provider.h"
#include "sched_fifo.h"
#include "xalloc.h"

static void clear_configuring(struct job *j)
{
	j->rec->flags &= ~(uint32_t)SKY__JOB_FLAG__JOB_FLAG_CONFIGURING;
}

/* One job of a failed node: requeued (restart count + 1) or ended. Returns
 * whether its script must be killed on its (live) batch host. kill_here: n
 * is alive (power_down_force): its own scripts are stopped the same way. */
static bool fail_job(struct ctld *c, struct job *j, const struct node *n, bool kill_here,
		     time_t now)
{
	if (power_job_configuring(j) && !job_is_completing(j)) {
		/* Never launched: nothing to stop anywhere. */
		clear_configuring(j);
		job_node_failed(c, j, now);
		return false;
	}
	clear_configuring(j);
	if (kill_here || (j->rec->batch_host && strcmp(j->rec->batch_host, n->name) != 0))
		return job_lost_node(c, j, n, now);
	if (job_is_running(j) && !job_is_completing(j))
		job_node_failed(c, j, now);
	else if (job_is_pending(j))
		job_requeue_pending(c, j);
	else
		job_end(c, j, j->rec->state, (time_t)j->rec->end_time);
	return false;
}

/* Every job holding n fails over (as agent_link.c's node_down does). */
static void fail_jobs_on(struct ctld *c, struct node *n, bool kill_here, time_t now)
{
	struct store_txn *t = NULL;
	struct sky_errbuf eb;
	struct job *j, **kill = NULL;
	size_t n_kill = 0;

	sky_err_clear(&eb);
	if (store_begin(c->store, true, &t, &eb))
		goto fail;
	JOB_FOREACH(&c->jobs, j) {
		if (!job_holds_node(j, n))
			continue;
		if (fail_job(c, j, n, kill_here, now)) {
			kill = xrealloc(kill, (n_kill + 1) * sizeof(*kill));
			kill[n_kill++] = j;
		}
		if (job_save(c, j, t, &eb)) {
			store_abort(t);
			goto fail;
		}
	}
	if (store_commit(t, &eb))
		goto fail;
	for (size_t i = 0; i < n_kill; i++)
		job_control_kill(c, kill[i], kill[i]->rec->state);
	free(kill);
	return;
fail:
	free(kill);
	log_error("node %s: cannot save its failed jobs: %s", n->name, sky_err_msg(&eb));
}

static void call_suspend(struct node *n)
{
	struct sky_errbuf eb;
	char *names[1] = { n->name };

	if (!n->prov || !n->prov->ops->suspend)
		return;
	sky_err_clear(&eb);
	if (n->prov->ops->suspend(n->prov, n->name, names, 1, &eb))
		log_error("provider %s: suspend %s: %s", n->prov->name, n->name, sky_err_msg(&eb));
}

static void powered_down_now(struct node *n, time_t now)
{
	n->pw.state = NODE_POWER_OFF;
	n->pw.since = now;
	n->pw.resume_queued = n->pw.suspend_queued = false;
	n->pw.resume_deadline = 0;
	n->pw.down_pending = n->pw.asap = false;
	n->registered = false;
	n->not_responding = true;
	n->not_responding_since = now;
	if (n->link)
		conn_close(n->link);
	power_node_forget_hw(n);
}

void power_resume_failed(struct ctld *c, const char *node, const char *reason)
{
	struct node *n = node_find(&c->nodes, node);
	time_t now = time(NULL);

	if (!n || n->pw.state != NODE_POWERING_UP) {
		log_info("node %s: resume failure ignored (%s): not powering up", node, reason);
		return;
	}
	log_error("node %s: did not come up: %s; DOWN", n->name, reason);
	n->admin_state = SKY__NODE_STATE__NODE_DOWN;
	n->pw.resume_failed = true;
	job_set_str(&n->reason, reason);
	n->reason_time = (uint64_t)now;
	powered_down_now(n, now);
	fail_jobs_on(c, n, false, now);
	power_node_forget_hw(n);   /* now that its jobs are gone */
	call_suspend(n);
	if (n->prov && n->prov->ops->resume_failed)
		n->prov->ops->resume_failed(n->prov, n->name);
	sched_request(c);
}

void power_node_lost(struct ctld *c, const char *node, const char *reason)
{
	struct node *n = node_find(&c->nodes, node);
	time_t now = time(NULL);

	if (!n) {
		log_info("node %s: loss ignored (%s): no such node", node, reason);
		return;
	}
	log_error("node %s: lost: %s; powered down", n->name, reason);
	fail_jobs_on(c, n, false, now);
	powered_down_now(n, now);
	sched_request(c);
}

void power_finish_cancelled(struct ctld *c, time_t now)
{
	struct job *j;
	struct sky_errbuf eb;

	(void)now;
	JOB_FOREACH(&c->jobs, j) {
		if (!power_job_configuring(j) || !job_is_completing(j))
			continue;
		clear_configuring(j);
		if (job_is_pending(j))
			job_requeue_pending(c, j);
		else
			job_end(c, j, j->rec->state, (time_t)j->rec->end_time);
		sky_err_clear(&eb);
		if (job_commit(c, j, &eb))
			log_error("job %u: %s", j->rec->job_id, sky_err_msg(&eb));
		sched_request(c);
	}
}

/* ---- scontrol update NodeName=... State=... / scontrol power ---- */

static Sky__NodeState conf_admin_state(const struct node *n)
{
	if (n->pw.cloud)
		return SKY__NODE_STATE__NODE_CLOUD;
	return SKY__NODE_STATE__NODE_UNKNOWN;
}

static int op_resume(struct node *n, struct sky_errbuf *eb)
{
	if (n->admin_state != SKY__NODE_STATE__NODE_DOWN &&
	    n->admin_state != SKY__NODE_STATE__NODE_DRAIN && !n->down_not_responding)
		return sky_err_set(eb, SKY_E_INVAL, "Invalid node state specified");
	n->admin_state = conf_admin_state(n);
	n->down_not_responding = false;
	n->pw.resume_failed = false;
	FREE_NULL(n->reason);
	n->reason_time = 0;
	return 0;
}

static void op_power_down(struct ctld *c, struct node *n, const char *how, time_t now)
{
	if (!strcasecmp(how, "POWER_DOWN_FORCE")) {
		/* Jobs are stopped (requeued or ended) first; the node goes once free. */
		if (n->n_jobs)
			fail_jobs_on(c, n, n->pw.state == NODE_POWER_ON, now);
		if (n->admin_state == SKY__NODE_STATE__NODE_DOWN ||
		    n->admin_state == SKY__NODE_STATE__NODE_DRAIN)
			op_resume(n, &(struct sky_errbuf){ 0 });
		if (n->pw.state == NODE_POWERING_UP || (n->pw.state == NODE_POWER_ON && !n->n_jobs)) {
			power_begin_suspend(n, now);
		} else if (n->pw.state == NODE_POWER_ON) {
			n->pw.down_pending = n->pw.asap = true;
		}
		return;
	}
	if (n->pw.state == NODE_POWER_OFF || n->pw.state == NODE_POWERING_DOWN)
		return;
	if (!strcasecmp(how, "POWER_DOWN_ASAP"))
		n->pw.asap = true;
	if (!n->n_jobs && n->pw.state == NODE_POWER_ON)
		power_begin_suspend(n, now);
	else
		n->pw.down_pending = true;
}

static int apply(struct ctld *c, struct node *n, const char *st, const char *reason, time_t now,
		 struct sky_errbuf *eb)
{
	bool power = !strncasecmp(st, "POWER_", 6);

	if (power && !n->pw.elastic)
		return sky_err_set(eb, SKY_E_INVAL, "Invalid node state specified");
	if (!strcasecmp(st, "RESUME") || !strcasecmp(st, "IDLE"))
		return op_resume(n, eb);
	if (!strcasecmp(st, "POWER_UP")) {
		n->pw.down_pending = n->pw.asap = false;
		if (n->pw.state == NODE_POWER_OFF) {
			n->pw.state = NODE_POWERING_UP;
			n->pw.since = now;
			n->pw.resume_queued = true;
			n->pw.resume_deadline = 0;
		}
		return 0;
	}
	if (!strcasecmp(st, "POWER_DOWN") || !strcasecmp(st, "POWER_DOWN_ASAP") ||
	    !strcasecmp(st, "POWER_DOWN_FORCE")) {
		op_power_down(c, n, st, now);
		if (reason && *reason) {
			job_set_str(&n->reason, reason);
			n->reason_time = (uint64_t)now;
		}
		return 0;
	}
	return sky_err_set(eb, SKY_E_INVAL, "Invalid node state specified");
}

int power_update_node(struct ctld *c, const char *nodes, const char *state, const char *reason,
		      struct sky_errbuf *eb)
{
	char **names = NULL;
	size_t n = 0, i;
	time_t now = time(NULL);
	struct sky_errbuf tmp;
	int rc = 0;

	sky_err_clear(&tmp);
	if (!nodes || hostlist_expand(nodes, &names, &n, &tmp) || !n)
		return sky_err_set(eb, SKY_E_INVALID_NODE_NAME, "Invalid node name specified");
	for (i = 0; i < n && !rc; i++)
		if (!node_find(&c->nodes, names[i]))
			rc = sky_err_set(eb, SKY_E_INVALID_NODE_NAME, "Invalid node name specified");
	for (i = 0; i < n && !rc; i++) {
		struct node *nd = node_find(&c->nodes, names[i]);
		if ((rc = apply(c, nd, state ? state : "", reason, now, eb)))
			break;
		log_info("node %s: state %s requested", nd->name, state);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (!rc) {
		power_save_flush(c, now);
		sched_request(c);
	}
	return rc;
}
