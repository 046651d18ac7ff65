/* job_queue.c: see job_queue.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "cloud_info.h"
#include "ctld.h"
#include "fs_ctld.h"
#include "hostlist.h"
#include "job_control.h"
#include "job_defs.h"
#include "job_mail.h"
#include "job_queue.h"
#include "job_step.h"
#include "log.h"
#include "node_table.h"
#include "timefmt.h"
#include "xalloc.h"

#define JOB_HASH_MIN 1024u
/* Purge at most this many jobs per timer tick, so the loop stays responsive. */
#define JOB_PURGE_BATCH 1000u
/* Give up looking for a free id after this many taken ones. */
#define JOB_ID_MAX_PROBES 1000000u
/* Priorities count down from here, so earlier jobs go first. */
#define JOB_PRIO_TOP 0xffff0000u

/* ---- the table ---- */

static size_t bucket_of(size_t n_buckets, uint32_t id)
{
	return (size_t)(id * 2654435761u) & (n_buckets - 1);
}

void job_table_init(struct job_table *t)
{
	memset(t, 0, sizeof(*t));
	t->n_buckets = JOB_HASH_MIN;
	t->buckets = xcalloc(t->n_buckets, sizeof(*t->buckets));
}

void job_table_fini(struct job_table *t)
{
	struct job *j, *next;

	for (j = t->head; j; j = next) {
		next = j->next;
		/* Shutdown: the nodes go away too, so no accounting to undo. */
		FREE_NULL(j->alloc);
		j->n_alloc = 0;
		job_free(j);
	}
	free(t->buckets);
	for (size_t k = 0; k < t->n_holders; k++)
		free(t->holders[k].v);
	free(t->holders);
	memset(t, 0, sizeof(*t));
}

struct job *job_find(const struct job_table *t, uint32_t id)
{
	struct job *j;

	for (j = t->buckets[bucket_of(t->n_buckets, id)]; j; j = j->hash_next)
		if (j->rec->job_id == id)
			return j;
	return NULL;
}

void job_holders_add(struct ctld *c, struct job *j)
{
	struct job_table *t = &c->jobs;

	if (!t->holders) {
		t->node_base = c->nodes.nodes;
		t->n_holders = c->nodes.count;
		t->holders = xcalloc(t->n_holders + 1, sizeof(*t->holders));
	}
	for (size_t i = 0; i < j->n_alloc; i++) {
		size_t k = (size_t)(j->alloc[i].node - t->node_base);
		struct job_holders *h;

		if (j->alloc[i].node < t->node_base || k >= t->n_holders) {
			log_error("job %u: node %s is not in the node table", j->rec->job_id,
				  j->alloc[i].node->name);
			continue;
		}
		h = &t->holders[k];
		if (h->n == h->cap) {
			h->cap = h->cap ? 2 * h->cap : 4;
			h->v = xrealloc(h->v, h->cap * sizeof(*h->v));
		}
		h->v[h->n++] = j;
	}
}

/* Undo job_holders_add() (before j->alloc goes). */
void job_holders_del(struct job_table *t, struct job *j)
{
	if (!t->holders)
		return;
	for (size_t i = 0; i < j->n_alloc; i++) {
		size_t k = (size_t)(j->alloc[i].node - t->node_base);
		struct job_holders *h;

		if (j->alloc[i].node < t->node_base || k >= t->n_holders)
			continue;
		h = &t->holders[k];
		for (size_t m = 0; m < h->n; m++)
			if (h->v[m] == j) {
				h->v[m] = h->v[--h->n];
				break;
			}
	}
}

static void table_grow(struct job_table *t)
{
	size_t n = t->n_buckets * 2;
	struct job **b = xcalloc(n, sizeof(*b));
	struct job *j;

	JOB_FOREACH(t, j) {
		size_t k = bucket_of(n, j->rec->job_id);
		j->hash_next = b[k];
		b[k] = j;
	}
	free(t->buckets);
	t->buckets = b;
	t->n_buckets = n;
}

void job_insert(struct job_table *t, struct job *j)
{
	size_t k;

	if (t->count + 1 > t->n_buckets)
		table_grow(t);
	k = bucket_of(t->n_buckets, j->rec->job_id);
	j->hash_next = t->buckets[k];
	t->buckets[k] = j;
	j->next = NULL;
	j->prev = t->tail;
	if (t->tail)
		t->tail->next = j;
	else
		t->head = j;
	t->tail = j;
	t->count++;
}

void job_remove(struct job_table *t, struct job *j)
{
	struct job **pp = &t->buckets[bucket_of(t->n_buckets, j->rec->job_id)];

	/* Should not hold nodes (job_free complains), but must not stay indexed. */
	job_holders_del(t, j);
	while (*pp && *pp != j)
		pp = &(*pp)->hash_next;
	if (*pp)
		*pp = j->hash_next;
	if (j->prev)
		j->prev->next = j->next;
	else
		t->head = j->next;
	if (j->next)
		j->next->prev = j->prev;
	else
		t->tail = j->prev;
	j->prev = j->next = j->hash_next = NULL;
	t->count--;
}

struct job *job_new(Sky__JobRecord *rec)
{
	struct job *j = xmalloc(sizeof(*j));

	j->rec = rec;
	return j;
}

void job_free(struct job *j)
{
	if (!j)
		return;
	if (j->n_alloc)
		log_error("job %u freed while holding %zu nodes", j->rec->job_id, j->n_alloc);
	sky__job_record__free_unpacked(j->rec, NULL);
	free(j->alloc);
	free(j);
}

void job_set_str(char **field, const char *val)
{
	free(*field);
	*field = xstrdup(val);
}

void job_set_reason(struct job *j, const char *reason)
{
	if (j->rec->reason && reason && strcmp(j->rec->reason, reason) == 0)
		return;
	job_set_str(&j->rec->reason, reason);
}

/* ---- state predicates ---- */

bool job_is_pending(const struct job *j)
{
	return j->rec->state == SKY__JOB_STATE__JOB_PENDING;
}

bool job_is_running(const struct job *j)
{
	return j->rec->state == SKY__JOB_STATE__JOB_RUNNING ||
	       j->rec->state == SKY__JOB_STATE__JOB_SUSPENDED;
}

bool job_is_finished(const struct job *j)
{
	return !job_is_pending(j) && !job_is_running(j);
}

bool job_is_completing(const struct job *j)
{
	return j->rec->has_flags && (j->rec->flags & SKY__JOB_FLAG__JOB_FLAG_COMPLETING);
}

bool job_is_schedulable(const struct job *j)
{
	return job_is_pending(j) && !job_is_completing(j);
}

bool job_holds_node(const struct job *j, const struct node *n)
{
	size_t i;

	for (i = 0; i < j->n_alloc; i++)
		if (j->alloc[i].node == n)
			return true;
	return false;
}

uint32_t job_base_priority(uint32_t job_id)
{
	return job_id < JOB_PRIO_TOP ? JOB_PRIO_TOP - job_id : 1;
}

uint32_t job_initial_priority(const Sky__JobRecord *r)
{
	const Sky__JobDesc *d = r->desc;
	int64_t p, nice;

	if (d->has_priority && d->priority)
		return d->priority;
	nice = d->has_nice ? (int64_t)d->nice - (int64_t)NICE_OFFSET : 0;
	p = (int64_t)job_base_priority(r->job_id) - nice;
	return (uint32_t)(p < 1 ? 1 : p > 0xfffffffe ? 0xfffffffe : p);
}

/* ---- lifecycle ---- */

static void set_flags(Sky__JobRecord *r, uint32_t set, uint32_t clear)
{
	r->flags = ((r->has_flags ? r->flags : 0) | set) & ~clear;
	r->has_flags = true;
}

void job_release(struct ctld *c, struct job *j)
{
	time_t now = time(NULL);
	size_t i;

	/* Usage up to now (or the end) is charged while the job still holds its TRES. */
	fs_ctld_job_released(c, j, now);
	job_holders_del(&c->jobs, j);
	for (i = 0; i < j->n_alloc; i++)
		node_alloc_sub(j->alloc[i].node, j->alloc[i].cpus, j->alloc[i].mem_mb, now);
	FREE_NULL(j->alloc);
	j->n_alloc = 0;
}

/* Node table order (the config's): node pointers index one array. */
static int alloc_cmp(const void *a, const void *b)
{
	const struct node *x = ((const struct job_alloc *)a)->node;
	const struct node *y = ((const struct job_alloc *)b)->node;

	return x < y ? -1 : x > y;
}

void job_start(struct ctld *c, struct job *j, const struct job_alloc *alloc, size_t n,
	       time_t now)
{
	Sky__JobRecord *r = j->rec;
	struct hostlist *hl = hostlist_new();
	uint32_t cpus = 0;
	char *names;

	j->preempted_for = 0;
	size_t i;

	job_release(c, j);
	j->alloc = xcalloc(n, sizeof(*j->alloc));
	j->n_alloc = n;
	memcpy(j->alloc, alloc, n * sizeof(*alloc));
	/* As Slurm: the node list in config order, the batch script on its first
	 * node, whatever order -w named them in. */
	qsort(j->alloc, n, sizeof(*j->alloc), alloc_cmp);
	job_holders_add(c, j);
	for (i = 0; i < n; i++) {
		node_alloc_add(j->alloc[i].node, j->alloc[i].cpus, j->alloc[i].mem_mb);
		hostlist_push_host(hl, j->alloc[i].node->name);
		cpus += j->alloc[i].cpus;
	}
	names = hostlist_ranged_string(hl);
	hostlist_destroy(hl);
	free(r->node_list);
	r->node_list = names;
	job_set_str(&r->batch_host, j->alloc[0].node->name);
	r->state = SKY__JOB_STATE__JOB_RUNNING;
	r->has_num_nodes = r->has_num_cpus = r->has_cpus_per_node = r->has_mem_per_node_mb = true;
	r->num_nodes = (uint32_t)n;
	r->num_cpus = cpus;
	r->cpus_per_node = j->alloc[0].cpus;
	r->mem_per_node_mb = j->alloc[0].mem_mb;
	r->has_start_time = r->has_end_time = true;
	r->start_time = (uint64_t)now;
	/* Like Slurm, a running job's end time is when its limit expires. */
	r->end_time = r->time_limit_min == SKY_INFINITE || !r->has_time_limit_min ? 0 :
		      (uint64_t)now + (uint64_t)r->time_limit_min * 60;
	r->has_launch_acked = true;
	r->launch_acked = false;
	r->has_exit_status = false;
	r->exit_status = 0;
	FREE_NULL(r->state_desc);
	job_set_reason(j, REASON_NONE);
	job_cost_run_start(j);
	fs_ctld_job_started(c, j, now);
}

void job_end(struct ctld *c, struct job *j, Sky__JobState st, time_t end_time)
{
	Sky__JobRecord *r = j->rec;
	/* The job ends now, or a cancelled one has finished on its node: mail once. */
	bool notify = !job_is_finished(j) || job_is_completing(j);

	/* The run's cost, while the job still holds its nodes (once per run). */
	job_cost_run_end(j, end_time);
	r->state = st;
	set_flags(r, 0, SKY__JOB_FLAG__JOB_FLAG_COMPLETING);
	r->has_end_time = true;
	r->end_time = (uint64_t)end_time;
	/* Steps whose nodes never report (a node failure) end with the job. */
	step_job_ended(j);
	job_release(c, j);
	if (notify)
		job_mail_event(c, j, MAIL_END_OR_FAIL);
}

void job_requeue_pending(struct ctld *c, struct job *j)
{
	Sky__JobRecord *r = j->rec;

	/* A run that happened is requeued; a launch that never did is not news. */
	if (r->launch_acked && (r->state != SKY__JOB_STATE__JOB_PENDING || job_is_completing(j)))
		job_mail_event(c, j, MAIL_REQUEUE);
	/* A requeued job keeps what its run cost (a finished run was charged by job_end). */
	job_cost_run_end(j, time(NULL));
	job_release(c, j);
	r->state = SKY__JOB_STATE__JOB_PENDING;
	set_flags(r, 0, SKY__JOB_FLAG__JOB_FLAG_COMPLETING | SKY__JOB_FLAG__JOB_FLAG_REQUEUED);
	FREE_NULL(r->node_list);
	FREE_NULL(r->batch_host);
	r->start_time = r->end_time = 0;
	r->has_start_time = r->has_end_time = false;
	r->launch_acked = false;
	if (r->priority)
		job_set_reason(j, REASON_NONE);
}

/* Slurm's reason for how a job ended (squeue shows it for F, TO, ...). */
static void set_end_reason(struct job *j, Sky__JobState st, int32_t status)
{
	char buf[64];

	switch (st) {
	case SKY__JOB_STATE__JOB_FAILED:
		if (WIFSIGNALED(status)) {
			snprintf(buf, sizeof(buf), "RaisedSignal:%d", WTERMSIG(status));
			job_set_reason(j, buf);
		} else {
			job_set_reason(j, REASON_NONZERO_EXIT);
		}
		break;
	case SKY__JOB_STATE__JOB_TIMEOUT:
		job_set_reason(j, REASON_TIME_LIMIT);
		break;
	case SKY__JOB_STATE__JOB_NODE_FAIL:
		job_set_reason(j, REASON_NODE_DOWN);
		break;
	default:
		job_set_reason(j, REASON_NONE);
		break;
	}
}

static bool is_terminal(Sky__JobState st)
{
	return st != SKY__JOB_STATE__JOB_PENDING && st != SKY__JOB_STATE__JOB_RUNNING &&
	       st != SKY__JOB_STATE__JOB_SUSPENDED;
}

bool job_apply_complete(struct ctld *c, struct job *j, const struct node *node,
			const Sky__JobComplete *jc, time_t now)
{
	Sky__JobRecord *r = j->rec;
	Sky__JobState st = is_terminal(jc->state) ? jc->state : SKY__JOB_STATE__JOB_FAILED;
	time_t end = jc->has_end_time && jc->end_time ? (time_t)jc->end_time : now;

	/* Only the batch host runs the script; a report from elsewhere is stale. */
	if (!r->batch_host || strcmp(r->batch_host, node->name) != 0)
		return false;
	if (job_is_pending(j)) {
		if (!job_is_completing(j))
			return false;
		/* A requeued run has ended: the job may start again. */
		job_requeue_pending(c, j);
		return true;
	}
	if (job_is_finished(j)) {
		if (!job_is_completing(j))
			return false;   /* duplicate */
		/* Cancelled while running: keeps CANCELLED, takes the exit status. */
		r->has_exit_status = jc->has_exit_status;
		r->exit_status = jc->exit_status;
		job_end(c, j, r->state, r->has_end_time ? (time_t)r->end_time : end);
		return true;
	}
	r->has_exit_status = jc->has_exit_status;
	r->exit_status = jc->exit_status;
	if (jc->has_start_time && jc->start_time && !r->start_time) {
		r->has_start_time = true;
		r->start_time = jc->start_time;
	}
	if (jc->message && *jc->message)
		job_set_str(&r->state_desc, jc->message);
	r->has_launch_acked = r->launch_acked = true;
	if (st == SKY__JOB_STATE__JOB_NODE_FAIL) {
		/* The node lost the job (its supervisor died): requeue-able jobs run again. */
		job_node_failed(c, j, end);
		return true;
	}
	job_end(c, j, st, end);
	set_end_reason(j, st, jc->exit_status);
	return true;
}

/* ---- persistence ---- */

int job_save(struct ctld *c, struct job *j, struct store_txn *txn, struct sky_errbuf *eb)
{
	(void)c;
	return store_job_put(txn, j->rec, eb);
}

int job_commit(struct ctld *c, struct job *j, struct sky_errbuf *eb)
{
	struct store_txn *t = NULL;
	int rc;

	if ((rc = store_begin(c->store, true, &t, eb)))
		return rc;
	if ((rc = job_save(c, j, t, eb))) {
		store_abort(t);
		return rc;
	}
	return store_commit(t, eb);
}

/* Whether the history db still holds id (then the id may not be reused). */
static int hist_has(struct store_txn *txn, uint32_t id, bool *taken, struct sky_errbuf *eb)
{
	Sky__JobRecord *rec = NULL;
	struct sky_errbuf tmp;
	int rc;

	sky_err_clear(&tmp);
	rc = store_hist_get(txn, id, &rec, &tmp);
	if (rc == 0) {
		sky__job_record__free_unpacked(rec, NULL);
		*taken = true;
		return 0;
	}
	*taken = false;
	if (rc == SKY_E_NOT_FOUND)
		return 0;
	/* A history record that does not parse still holds its id. */
	if (rc == SKY_E_STORE && strstr(tmp.msg, "does not parse")) {
		*taken = true;
		return 0;
	}
	return sky_err_set(eb, tmp.code, "%s", tmp.msg);
}

int job_id_alloc(struct ctld *c, struct store_txn *txn, uint32_t *id, struct sky_errbuf *eb)
{
	uint32_t first = c->conf->first_job_id ? c->conf->first_job_id : 1;
	uint32_t max = c->conf->max_job_id >= first ? c->conf->max_job_id : UINT32_MAX - 1;
	uint32_t next, cand, probes;
	struct sky_errbuf tmp;
	bool taken;
	int rc;

	sky_err_clear(&tmp);
	rc = store_meta_get_u32(txn, "next_job_id", &next, &tmp);
	if (rc == SKY_E_NOT_FOUND)
		next = first;
	else if (rc)
		return sky_err_set(eb, rc, "%s", tmp.msg);
	if (next < first || next > max)
		next = first;
	for (probes = 0; probes < JOB_ID_MAX_PROBES; probes++) {
		cand = next;
		next = cand >= max ? first : cand + 1;
		if (job_find(&c->jobs, cand))
			continue;
		if ((rc = hist_has(txn, cand, &taken, eb)))
			return rc;
		if (taken)
			continue;
		if ((rc = store_meta_put_u32(txn, "next_job_id", next, eb)))
			return rc;
		*id = cand;
		return 0;
	}
	return sky_err_set(eb, SKY_E_MAX_JOBS, "no free job id between %u and %u", first, max);
}

static int load_one(Sky__JobRecord *rec, void *arg)
{
	struct ctld *c = arg;

	if (job_find(&c->jobs, rec->job_id)) {
		log_error("job %u is stored twice; keeping the first", rec->job_id);
		sky__job_record__free_unpacked(rec, NULL);
		return 0;
	}
	job_insert(&c->jobs, job_new(rec));
	return 0;
}

/*
 * Give a job that holds nodes (running, or still completing) its resources
 * back. Returns false when one of its nodes is no longer configured.
 */
static bool restore_alloc(struct ctld *c, struct job *j)
{
	Sky__JobRecord *r = j->rec;
	struct job_alloc *a;
	struct sky_errbuf eb;
	char **names = NULL;
	size_t n = 0, i;
	bool ok = true;

	sky_err_clear(&eb);
	if (hostlist_expand(r->node_list, &names, &n, &eb) || n == 0) {
		log_error("job %u: bad node list '%s': %s", r->job_id, r->node_list, sky_err_msg(&eb));
		return false;
	}
	a = xcalloc(n, sizeof(*a));
	for (i = 0; i < n; i++) {
		a[i].node = node_find(&c->nodes, names[i]);
		if (!a[i].node) {
			log_error("job %u ran on node %s, which is no longer configured",
				  r->job_id, names[i]);
			ok = false;
		}
		a[i].cpus = r->cpus_per_node ? r->cpus_per_node : 1;
		a[i].mem_mb = r->mem_per_node_mb;
	}
	if (ok) {
		j->alloc = a;
		j->n_alloc = n;
		job_holders_add(c, j);
		for (i = 0; i < n; i++)
			node_alloc_add(a[i].node, a[i].cpus, a[i].mem_mb);
	} else {
		free(a);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ok;
}

/* Jobs whose nodes are gone end as NODE_FAIL (or finish completing). */
static int fail_lost_jobs(struct ctld *c, struct job **lost, size_t n, struct sky_errbuf *eb)
{
	struct store_txn *t = NULL;
	time_t now = time(NULL);
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		struct job *j = lost[i];
		if (job_is_running(j)) {
			job_node_failed(c, j, now);
		} else if (job_is_pending(j)) {
			job_requeue_pending(c, j);
		} else {
			job_end(c, j, j->rec->state, (time_t)j->rec->end_time);
		}
	}
	if ((rc = store_begin(c->store, true, &t, eb)))
		return rc;
	for (i = 0; i < n; i++)
		if ((rc = job_save(c, lost[i], t, eb))) {
			store_abort(t);
			return rc;
		}
	return store_commit(t, eb);
}

int job_load_all(struct ctld *c, struct sky_errbuf *eb)
{
	struct store_txn *t = NULL;
	struct job *j, **lost = NULL;
	size_t n_lost = 0;
	int rc;

	if ((rc = store_begin(c->store, false, &t, eb)))
		return rc;
	rc = store_job_foreach(t, load_one, c, eb);
	store_abort(t);
	if (rc)
		return rc;
	JOB_FOREACH(&c->jobs, j) {
		if (!j->rec->node_list || !*j->rec->node_list)
			continue;
		if (!job_is_running(j) && !job_is_completing(j))
			continue;
		if (restore_alloc(c, j))
			continue;
		lost = xrealloc(lost, (n_lost + 1) * sizeof(*lost));
		lost[n_lost++] = j;
	}
	if (n_lost)
		rc = fail_lost_jobs(c, lost, n_lost, eb);
	free(lost);
	if (!rc)
		log_info("loaded %zu jobs from %s", c->jobs.count, c->conf->state_dir);
	return rc;
}

struct id_list {
	uint32_t *ids;
	size_t n, cap;
};

static int collect_id(Sky__JobRecord *rec, void *arg)
{
	struct id_list *l = arg;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->ids = xrealloc(l->ids, l->cap * sizeof(*l->ids));
	}
	l->ids[l->n++] = rec->job_id;
	sky__job_record__free_unpacked(rec, NULL);
	return 0;
}

int job_clear_store(struct ctld *c, struct sky_errbuf *eb)
{
	struct id_list l = { 0 };
	struct store_txn *t = NULL;
	size_t i;
	int rc;

	if ((rc = store_begin(c->store, true, &t, eb)))
		return rc;
	/* Collect first: deleting under the walking cursor is not allowed. */
	if ((rc = store_job_foreach(t, collect_id, &l, eb)))
		goto fail;
	for (i = 0; i < l.n; i++)
		if ((rc = store_job_del(t, l.ids[i], eb)) || (rc = store_script_del(t, l.ids[i], eb)))
			goto fail;
	rc = store_commit(t, eb);
	if (!rc)
		log_info("cleared %zu jobs from the state store (-c)", l.n);
	free(l.ids);
	return rc;
fail:
	store_abort(t);
	free(l.ids);
	return rc;
}

static bool purgeable(const struct job *j, time_t now, uint32_t age)
{
	if (!job_is_finished(j) || job_is_completing(j))
		return false;
	return (time_t)j->rec->end_time + (time_t)age <= now;
}

void job_purge_old(struct ctld *c, time_t now)
{
	uint32_t age = c->limits.min_job_age;
	struct job **victims = NULL, *j;
	struct store_txn *t = NULL;
	struct sky_errbuf eb;
	size_t n = 0, i;
	int rc;

	if (!age)
		return;
	JOB_FOREACH(&c->jobs, j)
		if (n < JOB_PURGE_BATCH && purgeable(j, now, age))
			n++;
	if (!n)
		return;
	victims = xcalloc(n, sizeof(*victims));
	n = 0;
	JOB_FOREACH(&c->jobs, j)
		if (n < JOB_PURGE_BATCH && purgeable(j, now, age))
			victims[n++] = j;
	sky_err_clear(&eb);
	if ((rc = store_begin(c->store, true, &t, &eb)))
		goto out;
	for (i = 0; i < n; i++) {
		uint32_t id = victims[i]->rec->job_id;
		if ((rc = store_hist_put(t, victims[i]->rec, &eb)) ||
		    (rc = store_job_del(t, id, &eb)) || (rc = store_script_del(t, id, &eb))) {
			store_abort(t);
			goto out;
		}
	}
	if ((rc = store_commit(t, &eb)))
		goto out;
	for (i = 0; i < n; i++) {
		log_debug("job %u moved to history", victims[i]->rec->job_id);
		job_remove(&c->jobs, victims[i]);
		job_free(victims[i]);
	}
out:
	if (rc)
		log_error("purging finished jobs failed: %s", sky_err_msg(&eb));
	free(victims);
}
