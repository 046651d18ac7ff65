/* job_control.c: see job_control.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "agent_link.h"
#include "ctld.h"
#include "job_control.h"
#include "job_launch.h"
#include "job_mail.h"
#include "log.h"
#include "provider.h"
#include "timefmt.h"
#include "xalloc.h"

bool job_requeue_allowed(const struct ctld *c, const struct job *j)
{
	const Sky__JobDesc *d = j->rec->desc;

	return d->has_requeue_set && d->requeue_set ? d->requeue : c->conf->job_requeue;
}

void job_node_failed(struct ctld *c, struct job *j, time_t now)
{
	Sky__JobRecord *r = j->rec;

	if (job_requeue_allowed(c, j)) {
		log_info("job %u: node %s failed; requeued", r->job_id,
			 r->batch_host ? r->batch_host : "?");
		r->has_restart_count = true;
		r->restart_count++;
		r->has_exit_status = false;
		job_requeue_pending(c, j);
		return;
	}
	log_info("job %u: NODE_FAIL (node %s down)", r->job_id, r->batch_host ? r->batch_host : "?");
	job_end(c, j, SKY__JOB_STATE__JOB_NODE_FAIL, now);
	job_set_reason(j, REASON_NODE_DOWN);
}

void job_mark_requeued(struct job *j)
{
	Sky__JobRecord *r = j->rec;

	r->has_restart_count = true;
	r->restart_count++;
	r->has_exit_status = false;
	r->state = SKY__JOB_STATE__JOB_PENDING;
	r->has_flags = true;
	r->flags |= SKY__JOB_FLAG__JOB_FLAG_COMPLETING | SKY__JOB_FLAG__JOB_FLAG_REQUEUED;
	job_set_reason(j, REASON_NONE);
}

bool job_lost_node(struct ctld *c, struct job *j, const struct node *n, time_t now)
{
	Sky__JobRecord *r = j->rec;

	if (!job_is_running(j) || job_is_completing(j))
		return false;
	r->has_flags = true;
	r->flags |= SKY__JOB_FLAG__JOB_FLAG_COMPLETING;
	if (job_requeue_allowed(c, j)) {
		log_info("job %u: node %s failed; requeued once its script is stopped on %s",
			 r->job_id, n->name, r->batch_host);
		job_mark_requeued(j);
		return true;
	}
	log_info("job %u: NODE_FAIL (node %s down)", r->job_id, n->name);
	r->state = SKY__JOB_STATE__JOB_NODE_FAIL;
	r->has_end_time = true;
	r->end_time = (uint64_t)now;
	job_set_reason(j, REASON_NODE_DOWN);
	return true;
}

static bool has_limit(uint32_t mins)
{
	return mins && mins != SKY_INFINITE && mins != SKY_NO_VAL;
}

bool job_deadline_pending(struct ctld *c, struct job *j, time_t now)
{
	Sky__JobRecord *r = j->rec;
	const Sky__JobDesc *d = r->desc;
	uint32_t need = r->time_limit_min;
	struct sky_errbuf eb;
	uint64_t room;

	if (!d->has_deadline || !d->deadline)
		return false;
	if (d->has_time_min_min && has_limit(d->time_min_min))
		need = d->time_min_min;
	if ((uint64_t)now < d->deadline &&
	    (!has_limit(need) || (uint64_t)now + (uint64_t)need * 60 <= d->deadline)) {
		/* With --time-min, run for what is left before the deadline (Slurm's rule). */
		room = (d->deadline - (uint64_t)now) / 60;
		if (d->has_time_min_min && has_limit(d->time_min_min) &&
		    (!has_limit(r->time_limit_min) || room < r->time_limit_min))
			r->time_limit_min = (uint32_t)room;
		return false;
	}
	log_info("job %u: cannot end before its deadline; DEADLINE", r->job_id);
	job_end(c, j, SKY__JOB_STATE__JOB_DEADLINE, now);
	job_set_reason(j, REASON_DEADLINE);
	sky_err_clear(&eb);
	if (job_commit(c, j, &eb))
		log_error("job %u: DEADLINE not saved: %s", r->job_id, sky_err_msg(&eb));
	return true;
}

void job_control_end_running(struct job *j, Sky__JobState st, time_t now)
{
	Sky__JobRecord *r = j->rec;

	r->state = st;
	r->has_flags = true;
	r->flags |= SKY__JOB_FLAG__JOB_FLAG_COMPLETING;
	r->has_end_time = true;
	r->end_time = (uint64_t)now;
	job_set_reason(j, st == SKY__JOB_STATE__JOB_DEADLINE ? REASON_DEADLINE : REASON_TIME_LIMIT);
}

void job_control_kill(struct ctld *c, struct job *j, Sky__JobState st)
{
	Sky__SignalJob s = SKY__SIGNAL_JOB__INIT;
	struct node *n = j->rec->batch_host ? node_find(&c->nodes, j->rec->batch_host) : NULL;
	struct sky_errbuf eb;

	if (!n)
		return;
	if (job_launch_by_provider(n)) {
		/* No agent there: the provider stops the job's processes and reports the end. */
		n->prov->ops->kill(n->prov, j);
		return;
	}
	s.job_id = j->rec->job_id;
	s.has_signal = s.has_state_after = true;
	s.signal = 0;
	s.state_after = (uint32_t)st;
	sky_err_clear(&eb);
	if (agent_send(c, n, SKY__MSG_TYPE__CTLD_SIGNAL_JOB, &s.base, &eb))
		log_info("job %u: kill not sent to %s: %s", s.job_id, n->name, sky_err_msg(&eb));
	/* The job's other nodes run its srun steps' tasks: they go too. */
	for (size_t i = 0; i < j->n_alloc; i++) {
		struct node *o = j->alloc[i].node;
		if (o == n)
			continue;
		sky_err_clear(&eb);
		if (agent_send(c, o, SKY__MSG_TYPE__CTLD_SIGNAL_JOB, &s.base, &eb))
			log_info("job %u: kill not sent to %s: %s", s.job_id, o->name,
				 sky_err_msg(&eb));
	}
}

/* What the timer does to j: 0 nothing, else the state it ends in. */
static Sky__JobState tick_verdict(const struct job *j, time_t now)
{
	const Sky__JobRecord *r = j->rec;
	const Sky__JobDesc *d = r->desc;

	if (job_is_completing(j))
		return 0;
	if (job_is_running(j) && r->launch_acked) {
		if (d->has_deadline && d->deadline && (uint64_t)now >= d->deadline)
			return SKY__JOB_STATE__JOB_DEADLINE;
		/* One second of slack: at the launched limit the supervisor acts itself. */
		if (has_limit(r->time_limit_min) && r->start_time &&
		    (uint64_t)now >= r->start_time + (uint64_t)r->time_limit_min * 60 + 1)
			return SKY__JOB_STATE__JOB_TIMEOUT;
		return 0;
	}
	if (job_is_schedulable(j) && d->has_deadline && d->deadline &&
	    (uint64_t)now >= d->deadline)
		return SKY__JOB_STATE__JOB_DEADLINE;
	return 0;
}

void job_control_tick(struct ctld *c, time_t now)
{
	struct job **hit = NULL, *j;
	Sky__JobState *st = NULL;
	struct store_txn *t = NULL;
	struct sky_errbuf eb;
	size_t n = 0, i;

	job_mail_tick(c, now);
	JOB_FOREACH(&c->jobs, j) {
		Sky__JobState v = tick_verdict(j, now);
		if (!v)
			continue;
		hit = xrealloc(hit, (n + 1) * sizeof(*hit));
		st = xrealloc(st, (n + 1) * sizeof(*st));
		hit[n] = j;
		st[n++] = v;
	}
	if (!n)
		return;
	for (i = 0; i < n; i++) {
		if (job_is_running(hit[i])) {
			log_info("job %u: %s reached", hit[i]->rec->job_id,
				 st[i] == SKY__JOB_STATE__JOB_DEADLINE ? "deadline" : "time limit");
			job_control_end_running(hit[i], st[i], now);
		} else {
			job_end(c, hit[i], st[i], now);
			job_set_reason(hit[i], REASON_DEADLINE);
		}
	}
	sky_err_clear(&eb);
	if (store_begin(c->store, true, &t, &eb))
		goto fail;
	for (i = 0; i < n; i++)
		if (job_save(c, hit[i], t, &eb)) {
			store_abort(t);
			goto fail;
		}
	if (store_commit(t, &eb))
		goto fail;
	for (i = 0; i < n; i++)
		if (job_is_completing(hit[i]))
			job_control_kill(c, hit[i], st[i]);
	goto out;
fail:
	log_error("time limits and deadlines not saved: %s", sky_err_msg(&eb));
out:
	free(hit);
	free(st);
}
