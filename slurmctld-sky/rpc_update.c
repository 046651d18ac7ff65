/*
 * rpc_update.c: REQUEST_UPDATE_JOB (scontrol hold/uhold/release/requeue/update).
 *
 * Slurm's semantics: a hold sets priority 0 with reason JobHeldUser, or
 * JobHeldAdmin when an operator holds someone else's job (which the owner
 * then cannot release); release gives the job its priority back. Requeue
 * sends a running or finished job back to PENDING (a running one is killed
 * first and stays COMPLETING until its agent reports the end).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctld.h"
#include "job_control.h"
#include "job_update.h"
#include "log.h"
#include "rpc.h"
#include "timefmt.h"
#include "xalloc.h"

static int err_code(struct sky_errbuf *eb, int code)
{
	return sky_err_set(eb, code, "%s", sky_strerror(code));
}

static int op_hold(struct rpc_ctx *r, struct job *j, bool user_hold, struct sky_errbuf *eb)
{
	bool admin = !user_hold && r->operator && j->rec->user_id != (uint32_t)r->uid;

	if (!job_is_schedulable(j))
		return err_code(eb, SKY_E_JOB_NOT_PENDING);
	j->rec->priority = 0;
	j->rec->has_priority = true;
	job_set_reason(j, admin ? REASON_HELD_ADMIN : REASON_HELD_USER);
	return 0;
}

static int op_release(struct rpc_ctx *r, struct job *j, struct sky_errbuf *eb)
{
	if (!job_is_schedulable(j))
		return err_code(eb, SKY_E_JOB_NOT_PENDING);
	if (j->rec->priority)
		return 0;   /* not held: nothing to do */
	if (!r->operator && j->rec->reason && strcmp(j->rec->reason, REASON_HELD_ADMIN) == 0)
		return err_code(eb, SKY_E_ACCESS_DENIED);
	j->rec->priority = job_initial_priority(j->rec);
	job_set_reason(j, REASON_NONE);
	return 0;
}

static bool requeue_allowed(struct ctld *c, const struct job *j)
{
	const Sky__JobDesc *d = j->rec->desc;

	return d->has_requeue_set && d->requeue_set ? d->requeue : c->conf->job_requeue;
}

/* Returns whether the agent must be told to kill the job. */
static int op_requeue(struct rpc_ctx *r, struct job *j, bool *kill, struct sky_errbuf *eb)
{
	Sky__JobRecord *rec = j->rec;

	if (job_is_pending(j))
		return err_code(eb, SKY_E_JOB_PENDING);
	if (job_is_completing(j))
		return err_code(eb, SKY_E_ALREADY_DONE);
	if (!requeue_allowed(r->c, j))
		return err_code(eb, SKY_E_DISABLED);
	if (job_is_finished(j)) {
		rec->has_restart_count = true;
		rec->restart_count++;
		rec->has_exit_status = false;
		job_requeue_pending(r->c, j);
		return 0;
	}
	/* Running: pending again once the agent reports the kill finished. */
	job_mark_requeued(j);
	*kill = true;
	return 0;
}

static int op_update(struct rpc_ctx *r, struct job *j, const Sky__UpdateJobRequest *q,
		     struct sky_errbuf *eb)
{
	return job_update_apply(r->c, j, r->operator, q, eb);
}

/* requeuehold: requeue, and keep the job held (JobHeldUser) once pending again. */
static int op_requeue_hold(struct rpc_ctx *r, struct job *j, bool *kill, struct sky_errbuf *eb)
{
	int rc;

	if ((rc = op_requeue(r, j, kill, eb)))
		return rc;
	j->rec->priority = 0;
	j->rec->has_priority = true;
	job_set_reason(j, REASON_HELD_USER);
	return 0;
}

static int apply_op(struct rpc_ctx *r, struct job *j, const Sky__UpdateJobRequest *q, bool *kill,
		    struct sky_errbuf *eb)
{
	const char *op = q->op ? q->op : "";

	if (!strcasecmp(op, "hold"))
		return op_hold(r, j, false, eb);
	if (!strcasecmp(op, "uhold"))
		return op_hold(r, j, true, eb);
	if (!strcasecmp(op, "release"))
		return op_release(r, j, eb);
	if (!strcasecmp(op, "requeue"))
		return op_requeue(r, j, kill, eb);
	if (!strcasecmp(op, "requeuehold"))
		return op_requeue_hold(r, j, kill, eb);
	if (!strcasecmp(op, "update"))
		return op_update(r, j, q, eb);
	return sky_err_set(eb, SKY_E_INVAL, "unknown job update operation '%s'", op);
}

int rpc_update_job(struct rpc_ctx *r, struct sky_errbuf *eb)
{
	Sky__UpdateJobRequest *q = NULL;
	Sky__RcReply rep = SKY__RC_REPLY__INIT;
	struct job *j;
	bool kill = false;
	int rc;

	if ((rc = rpc_unpack(r, &sky__update_job_request__descriptor, &q, eb)))
		return rc;
	j = job_find(&r->c->jobs, q->job_id);
	if (!j) {
		rc = err_code(eb, SKY_E_INVALID_JOB_ID);
		goto out;
	}
	/* Slurm answers a user who updates or holds another's job this way. */
	if (j->rec->user_id != (uint32_t)r->uid && !r->operator) {
		rc = err_code(eb, SKY_E_INVALID_USER_ID);
		goto out;
	}
	if ((rc = apply_op(r, j, q, &kill, eb)))
		goto out;
	if ((rc = job_commit(r->c, j, eb))) {
		log_error("job %u: %s by uid %u not saved: %s", q->job_id, q->op, (unsigned)r->uid,
			  sky_err_msg(eb));
		goto out;
	}
	log_info("job %u: %s by uid %u", q->job_id, q->op ? q->op : "update", (unsigned)r->uid);
	rpc_reply(r, SKY__MSG_TYPE__RESPONSE_RC, &rep.base);
	/* The one kill path: agents, or the provider that runs the job itself. */
	if (kill)
		job_control_kill(r->c, j, SKY__JOB_STATE__JOB_PENDING);
out:
	sky__update_job_request__free_unpacked(q, NULL);
	return rc;
}
