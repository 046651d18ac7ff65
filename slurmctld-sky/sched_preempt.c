/* sched_preempt.c: see sched_preempt.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctld.h"
#include "fs_ctld.h"
#include "job_control.h"
#include "log.h"
#include "partition.h"
#include "qos.h"
#include "qos_ctld.h"
#include "sched_fifo.h"
#include "sched_preempt.h"
#include "xalloc.h"

enum preempt_mode { PM_OFF, PM_CANCEL, PM_REQUEUE };

/* PreemptMode's first word ("REQUEUE,GANG" is Slurm's common spelling; GANG
 * only matters to suspension, which is not done). -1 when unknown. */
static int parse_mode(const char *s)
{
	size_t n;

	if (!s || !*s)
		return PM_OFF;
	n = strcspn(s, ",");
	if (n == 3 && !strncasecmp(s, "OFF", 3))
		return PM_OFF;
	if (n == 6 && !strncasecmp(s, "CANCEL", 6))
		return PM_CANCEL;
	if (n == 7 && !strncasecmp(s, "REQUEUE", 7))
		return PM_REQUEUE;
	return -1;
}

static bool qos_preemption_on(const struct sky_conf *conf)
{
	return conf->preempt_type && !strcasecmp(conf->preempt_type, "preempt/qos");
}

int sched_preempt_check(const struct sky_conf *conf, struct sky_errbuf *eb)
{
	const char *t = conf->preempt_type;
	int mode = parse_mode(conf->preempt_mode);

	if (t && strcasecmp(t, "preempt/none") && strcasecmp(t, "preempt/qos"))
		return sky_err_set(eb, SKY_E_CONFIG,
				   "PreemptType=%s is not supported (preempt/none or preempt/qos)", t);
	if (mode < 0)
		return sky_err_set(eb, SKY_E_CONFIG,
				   "PreemptMode=%s is not supported (OFF, CANCEL or REQUEUE)",
				   conf->preempt_mode);
	if (qos_preemption_on(conf) && mode == PM_OFF)
		return sky_err_set(eb, SKY_E_CONFIG,
				   "PreemptType=preempt/qos needs PreemptMode=CANCEL or REQUEUE");
	return 0;
}

/* Whether a QOS list "a,b" (lower case, as sacctmgr stores it) names q. */
static bool list_has(const char *list, const char *q)
{
	size_t n = strlen(q);

	for (const char *s = list; s && *s; s += strcspn(s, ","), s += *s == ',') {
		if (strncmp(s, q, n) == 0 && (s[n] == ',' || !s[n]))
			return true;
	}
	return false;
}

/* Whether j, running, holds a node of p. */
static bool on_partition(const struct job *j, const struct partition *p)
{
	for (size_t i = 0; i < j->n_alloc; i++)
		if (part_has_node(p, j->alloc[i].node))
			return true;
	return false;
}

/* Lowest priority first, then the latest started (it loses the least work). */
static int victim_cmp(const void *a, const void *b)
{
	const Sky__JobRecord *x = (*(struct job *const *)a)->rec, *y = (*(struct job *const *)b)->rec;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	if (x->start_time != y->start_time)
		return x->start_time > y->start_time ? -1 : 1;
	return x->job_id > y->job_id ? -1 : x->job_id < y->job_id;
}

/* The what-if: j's holdings off its nodes and back, leaving no trace. */
static void hide(struct ctld *c, struct job *j)
{
	job_holders_del(&c->jobs, j);
	for (size_t i = 0; i < j->n_alloc; i++) {
		struct node *n = j->alloc[i].node;
		uint64_t busy = n->last_busy;

		node_alloc_sub(n, j->alloc[i].cpus, j->alloc[i].mem_mb, 0);
		n->last_busy = busy;
	}
}

static void unhide(struct ctld *c, struct job *j)
{
	job_holders_add(c, j);
	for (size_t i = 0; i < j->n_alloc; i++)
		node_alloc_add(j->alloc[i].node, j->alloc[i].cpus, j->alloc[i].mem_mb);
}

/* Running jobs of p whose QOS j's QOS may preempt, best victims first. */
static struct job **candidates(struct ctld *c, const struct job *j, const struct qos *q,
			       const struct partition *p, size_t *n)
{
	struct job **v = NULL, *o;
	size_t cap = 0;

	*n = 0;
	JOB_FOREACH(&c->jobs, o) {
		const struct qos *oq;

		if (o == j || !job_is_running(o) || job_is_completing(o) || !o->n_alloc ||
		    !(oq = qos_of_job(c, o->rec)) || !list_has(q->preempt, oq->name) ||
		    !on_partition(o, p))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 8;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[(*n)++] = o;
	}
	if (*n > 1)
		qsort(v, *n, sizeof(*v), victim_cmp);
	return v;
}

/*
 * Of v[0..n) (all hidden on entry), the victims really needed: each is put
 * back, and hidden again only when j no longer fits without it. On return
 * exactly the needed ones are hidden; their count.
 */
static size_t trim(struct ctld *c, struct job *j, const struct partition *p, struct job **v,
		   size_t n)
{
	size_t kept = 0;

	for (size_t i = n; i-- > 0;) {
		unhide(c, v[i]);
		if (sched_fits(c, j, p))
			v[i] = NULL;
		else
			hide(c, v[i]);
	}
	for (size_t i = 0; i < n; i++)
		if (v[i])
			v[kept++] = v[i];
	return kept;
}

/* Preempt v for j: requeue or cancel, committed, then the kill goes out. */
static void preempt_one(struct ctld *c, struct job *v, const struct job *j, int mode, time_t now)
{
	Sky__JobRecord *r = v->rec;
	struct sky_errbuf eb;
	Sky__JobState end = SKY__JOB_STATE__JOB_PREEMPTED;

	v->preempted_for = j->rec->job_id;
	r->has_flags = true;
	r->flags |= SKY__JOB_FLAG__JOB_FLAG_COMPLETING;
	if (mode == PM_REQUEUE && job_requeue_allowed(c, v)) {
		job_mark_requeued(v);
		end = SKY__JOB_STATE__JOB_PENDING;
	} else {
		r->state = SKY__JOB_STATE__JOB_PREEMPTED;
		r->has_end_time = true;
		r->end_time = (uint64_t)now;
		job_set_reason(v, REASON_NONE);
	}
	log_info("job %u: preempted for job %u (%s)", r->job_id, j->rec->job_id,
		 end == SKY__JOB_STATE__JOB_PENDING ? "requeued" : "cancelled");
	sky_err_clear(&eb);
	if (job_commit(c, v, &eb))
		log_error("job %u: preemption not saved: %s", r->job_id, sky_err_msg(&eb));
	job_control_kill(c, v, end);
}

static bool is_preemptor(struct ctld *c, const struct job *j)
{
	const struct qos *q = qos_of_job(c, j->rec);

	return q && q->preempt && *q->preempt;
}

void sched_preempt_order(struct ctld *c, struct job **queue, struct partition **parts, size_t n)
{
	struct job **jq;
	struct partition **pq;
	bool *pre;
	size_t k = 0, n_pre = 0;

	if (!qos_preemption_on(c->conf) || parse_mode(c->conf->preempt_mode) <= PM_OFF || n < 2)
		return;
	pre = xcalloc(n, sizeof(*pre));
	for (size_t i = 0; i < n; i++)
		n_pre += (pre[i] = is_preemptor(c, queue[i]));
	if (!n_pre || n_pre == n) {
		free(pre);
		return;
	}
	jq = xmalloc(n * sizeof(*jq));
	pq = xmalloc(n * sizeof(*pq));
	for (int pass = 1; pass >= 0; pass--)
		for (size_t i = 0; i < n; i++)
			if (pre[i] == (bool)pass) {
				jq[k] = queue[i];
				pq[k++] = parts[i];
			}
	memcpy(queue, jq, n * sizeof(*jq));
	memcpy(parts, pq, n * sizeof(*pq));
	free(jq);
	free(pq);
	free(pre);
}

/* Whether jobs preempted for j still hold resources (j waits for them). */
static bool victims_ending(struct ctld *c, const struct job *j)
{
	struct job *o;

	JOB_FOREACH(&c->jobs, o)
		if (o->preempted_for == j->rec->job_id && o->n_alloc && job_is_completing(o))
			return true;
	return false;
}

bool sched_preempt(struct ctld *c, struct job *j, const struct partition *p, time_t now)
{
	const struct qos *q;
	struct job **v;
	size_t n, hidden = 0, need;
	int mode = parse_mode(c->conf->preempt_mode);
	bool fits = false;

	if (!qos_preemption_on(c->conf) || mode <= PM_OFF || !(q = qos_of_job(c, j->rec)) ||
	    !q->preempt || !*q->preempt)
		return false;
	if (victims_ending(c, j))
		return true;
	if (!(v = candidates(c, j, q, p, &n)))
		return false;
	while (hidden < n && !fits) {
		hide(c, v[hidden++]);
		fits = sched_fits(c, j, p);
	}
	need = fits ? trim(c, j, p, v, hidden) : hidden;
	for (size_t i = 0; i < need; i++)
		unhide(c, v[i]);
	for (size_t i = 0; fits && i < need; i++)
		preempt_one(c, v[i], j, mode, now);
	free(v);
	return fits && need;
}
