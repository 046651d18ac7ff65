/*
 * rpc_step.c: job steps (srun): REQUEST_STEP_CREATE, REQUEST_STEP_SIGNAL,
 * REQUEST_ALLOC_COMPLETE and the step processes' AGENT_STEP_COMPLETE.
 *
 * A step is committed with its job before anything is sent: the launches
 * to the step's nodes go out, then srun gets the reply. A node that cannot
 * be reached fails the step at once, so srun does not wait for it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "agent_link.h"
#include "ctld.h"
#include "hostlist.h"
#include "job_step.h"
#include "log.h"
#include "rpc.h"
#include "timefmt.h"
#include "xalloc.h"

static void reply_ok(struct rpc_ctx *r)
{
	Sky__RcReply rep = SKY__RC_REPLY__INIT;

	rpc_reply(r, SKY__MSG_TYPE__RESPONSE_RC, &rep.base);
}

static int own_job(struct rpc_ctx *r, uint32_t job_id, struct job **out, struct sky_errbuf *eb)
{
	struct job *j = job_find(&r->c->jobs, job_id);

	*out = NULL;
	if (!j)
		return sky_err_set(eb, SKY_E_INVALID_JOB_ID, "Invalid job id specified");
	if (j->rec->user_id != (uint32_t)r->uid && !r->operator)
		return sky_err_set(eb, SKY_E_ACCESS_DENIED, "Access/permission denied");
	*out = j;
	return 0;
}

/* The record as it travels: no environment, no steps. desc/rec are the caller's storage. */
static Sky__JobRecord *lean_record(const struct job *j, Sky__JobRecord *rec, Sky__JobDesc *desc)
{
	*rec = *j->rec;
	*desc = *j->rec->desc;
	desc->n_env = 0;
	desc->env = NULL;
	desc->script.len = 0;
	desc->has_script = false;
	rec->desc = desc;
	rec->n_steps = 0;
	rec->steps = NULL;
	return rec;
}

/* CTLD_LAUNCH_STEP to every node of st. */
static int launch_step(struct ctld *c, const struct job *j, Sky__StepRecord *st,
		       Sky__StepCreateRequest *rq, struct sky_errbuf *eb)
{
	Sky__StepLaunch sl = SKY__STEP_LAUNCH__INIT;
	Sky__JobRecord rec;
	Sky__JobDesc desc;
	struct hostlist *hl = NULL;
	int rc;

	if ((rc = hostlist_create(st->node_list, &hl, eb)))
		return rc;
	sl.job_id = j->rec->job_id;
	sl.step_id = st->step_id;
	sl.job = lean_record(j, &rec, &desc);
	sl.req = rq;
	sl.step = st;
	sl.has_kill_wait_secs = true;
	sl.kill_wait_secs = c->conf->kill_wait;
	for (size_t i = 0; i < hostlist_count(hl) && !rc; i++) {
		struct node *n = node_find(&c->nodes, hostlist_nth(hl, i));
		if (!n)
			rc = sky_err_set(eb, SKY_E_INVALID_NODE_NAME, "node %s is not configured",
					 hostlist_nth(hl, i));
		else
			rc = agent_send(c, n, SKY__MSG_TYPE__CTLD_LAUNCH_STEP, &sl.base, eb);
	}
	hostlist_destroy(hl);
	return rc;
}

/* Every node of st has its agent linked (after a controller restart they come back one by one). */
static bool nodes_linked(struct ctld *c, const Sky__StepRecord *st)
{
	struct hostlist *hl = NULL;
	struct sky_errbuf eb;
	bool ok = true;

	sky_err_clear(&eb);
	if (hostlist_create(st->node_list, &hl, &eb))
		return false;
	for (size_t i = 0; i < hostlist_count(hl) && ok; i++) {
		struct node *n = node_find(&c->nodes, hostlist_nth(hl, i));
		ok = n && n->link;
	}
	hostlist_destroy(hl);
	return ok;
}

static void reply_step(struct rpc_ctx *r, int rc, const char *msg, const struct job *j,
		       Sky__StepRecord *st)
{
	Sky__StepCreateReply rep = SKY__STEP_CREATE_REPLY__INIT;
	Sky__JobRecord rec;
	Sky__JobDesc desc;

	rep.rc = (uint32_t)rc;
	rep.message = (char *)msg;
	if (st) {
		rep.has_step_id = true;
		rep.step_id = st->step_id;
		rep.step = st;
	}
	if (j)
		rep.job = lean_record(j, &rec, &desc);
	rpc_reply(r, SKY__MSG_TYPE__RESPONSE_STEP_CREATE, &rep.base);
}

static int create_checked(struct rpc_ctx *r, Sky__StepCreateRequest *rq, struct job *j,
			  struct sky_errbuf *eb)
{
	Sky__StepRecord *st = NULL;
	struct sky_errbuf serr;
	int rc;

	if (j->rec->state != SKY__JOB_STATE__JOB_RUNNING || job_is_completing(j))
		return sky_err_set(eb, job_is_pending(j) ? SKY_E_JOB_PENDING : SKY_E_ALREADY_DONE,
				   job_is_pending(j) ? "Job is pending execution"
						     : "Job/step already completing or completed");
	if ((rc = step_plan(j, rq, &st, eb)))
		return rc;
	if (!nodes_linked(r->c, st)) {
		/* Not now: srun asks again until the agents are back. */
		sky__step_record__free_unpacked(st, NULL);
		return sky_err_set(eb, SKY_E_DISABLED, "Requested nodes are busy");
	}
	st = step_add(j, st, r->now);
	if ((rc = job_commit(r->c, j, eb)))
		return rc;
	sky_err_clear(&serr);
	if (launch_step(r->c, j, st, rq, &serr)) {
		log_error("step %u.%u: launch failed: %s", j->rec->job_id, st->step_id,
			  sky_err_msg(&serr));
		st->state = SKY__JOB_STATE__JOB_FAILED;
		st->has_end_time = true;
		st->end_time = (uint64_t)r->now;
		(void)job_commit(r->c, j, eb);
		return sky_err_set(eb, SKY_E_LAUNCH, "%s", sky_err_msg(&serr));
	}
	log_info("step %u.%u: %u tasks on %s (uid %u)", j->rec->job_id, st->step_id, st->num_tasks,
		 st->node_list, (unsigned)r->uid);
	reply_step(r, 0, NULL, j, st);
	return 0;
}

int rpc_step_create(struct rpc_ctx *r, struct sky_errbuf *eb)
{
	Sky__StepCreateRequest *rq = NULL;
	struct job *j = NULL;
	int rc;

	if ((rc = rpc_unpack(r, &sky__step_create_request__descriptor, &rq, eb)))
		return rc;
	if (!(rc = own_job(r, rq->job_id, &j, eb)))
		rc = create_checked(r, rq, j, eb);
	if (rc) {
		/* srun words it ("Unable to create step for job N: ..."): an answer, not a fault. */
		reply_step(r, rc, sky_err_msg(eb), NULL, NULL);
		rc = 0;
	}
	sky__step_create_request__free_unpacked(rq, NULL);
	return rc;
}

static void signal_nodes(struct ctld *c, const Sky__StepRecord *st, uint32_t job_id,
			 uint32_t sig)
{
	Sky__StepSignal ss = SKY__STEP_SIGNAL__INIT;
	struct hostlist *hl = NULL;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	if (hostlist_create(st->node_list, &hl, &eb))
		return;
	ss.job_id = job_id;
	ss.step_id = st->step_id;
	ss.has_signal = true;
	ss.signal = sig;
	for (size_t i = 0; i < hostlist_count(hl); i++) {
		struct node *n = node_find(&c->nodes, hostlist_nth(hl, i));
		sky_err_clear(&eb);
		if (n && agent_send(c, n, SKY__MSG_TYPE__CTLD_SIGNAL_STEP, &ss.base, &eb))
			log_info("step %u.%u: signal not sent to %s: %s", job_id, st->step_id,
				 n->name, sky_err_msg(&eb));
	}
	hostlist_destroy(hl);
}

int rpc_step_signal(struct rpc_ctx *r, struct sky_errbuf *eb)
{
	Sky__StepSignal *q = NULL;
	Sky__StepRecord *st;
	struct job *j = NULL;
	uint32_t sig;
	int rc;

	if ((rc = rpc_unpack(r, &sky__step_signal__descriptor, &q, eb)))
		return rc;
	sig = q->has_signal ? q->signal : 0;
	if ((rc = own_job(r, q->job_id, &j, eb)))
		goto out;
	st = step_find(j, q->step_id);
	if (!st || !step_is_running(st)) {
		rc = sky_err_set(eb, st ? SKY_E_ALREADY_DONE : SKY_E_INVALID_JOB_ID,
				 st ? "Job/step already completing or completed"
				    : "Invalid job id specified");
		goto out;
	}
	if (!sig && !st->cancelled) {
		st->has_cancelled = st->cancelled = true;
		st->has_cancel_uid = true;
		st->cancel_uid = (uint32_t)r->uid;
		if ((rc = job_commit(r->c, j, eb)))
			goto out;
	}
	log_info("step %u.%u: %s by uid %u", q->job_id, q->step_id, sig ? "signalled" : "cancelled",
		 (unsigned)r->uid);
	reply_ok(r);
	signal_nodes(r->c, st, q->job_id, sig);
out:
	sky__step_signal__free_unpacked(q, NULL);
	return rc;
}

int rpc_alloc_complete(struct rpc_ctx *r, struct sky_errbuf *eb)
{
	Sky__StepAllocComplete *q = NULL;
	struct job *j = NULL;
	struct node *n;
	int rc;

	if ((rc = rpc_unpack(r, &sky__step_alloc_complete__descriptor, &q, eb)))
		return rc;
	if ((rc = own_job(r, q->job_id, &j, eb)))
		goto out;
	if (!j->rec->desc->alloc_only) {
		rc = sky_err_set(eb, SKY_E_INVAL, "job %u is not an srun allocation", q->job_id);
		goto out;
	}
	if (job_is_running(j) && !job_is_completing(j)) {
		int st = q->has_exit_status ? q->exit_status : 0;
		uint32_t lim = j->rec->time_limit_min;
		/* The nodes killed the step at the limit (step_sup.c): Slurm's TIMEOUT. */
		bool timed_out = lim && lim != SKY_INFINITE && j->rec->start_time &&
				 (uint64_t)r->now >= j->rec->start_time + 60ull * lim;
		j->rec->has_exit_status = true;
		j->rec->exit_status = st;
		job_end(r->c, j, timed_out ? SKY__JOB_STATE__JOB_TIMEOUT
				 : st ? SKY__JOB_STATE__JOB_FAILED : SKY__JOB_STATE__JOB_COMPLETE,
			r->now);
		if (timed_out)
			job_set_reason(j, REASON_TIME_LIMIT);
		else if (st)
			job_set_reason(j, REASON_NONZERO_EXIT);
		step_end_running(j, st, r->now);
		if ((rc = job_commit(r->c, j, eb)))
			goto out;
		log_info("job %u: srun allocation ended, exit status %d", q->job_id, st);
		/* The node lets go of its allocation marker (and reports, ignored). */
		n = j->rec->batch_host ? node_find(&r->c->nodes, j->rec->batch_host) : NULL;
		if (n)
			agent_send_signal(r->c, n, q->job_id, 0, false);
	}
	reply_ok(r);
out:
	sky__step_alloc_complete__free_unpacked(q, NULL);
	return rc;
}

int rpc_agent_step_complete(struct rpc_ctx *r, struct sky_errbuf *eb)
{
	Sky__StepComplete *sc = NULL;
	Sky__StepRecord *st;
	struct job *j;
	struct sky_errbuf serr;
	int rc;

	if ((rc = rpc_unpack(r, &sky__step_complete__descriptor, &sc, eb)))
		return rc;
	j = job_find(&r->c->jobs, sc->job_id);
	st = j ? step_find(j, sc->step_id) : NULL;
	if (st && step_apply_complete(j, st, sc, r->now)) {
		sky_err_clear(&serr);
		if (job_commit(r->c, j, &serr)) {
			rc = sky_err_set(eb, SKY_E_STORE, "%s", sky_err_msg(&serr));
			goto out;
		}
		if (!step_is_running(st))
			log_info("step %u.%u: ended, exit status %d", sc->job_id, sc->step_id,
				 st->exit_status);
	}
	reply_ok(r);
out:
	sky__step_complete__free_unpacked(sc, NULL);
	return rc;
}
