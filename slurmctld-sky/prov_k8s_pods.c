/*
 * prov_k8s_pods.c: our pods -> their jobs' ends, output streams, garbage
 * collection and adoption (see prov_k8s_int.h).
 *
 * A thread watches the pods labelled managed-by=slurm-sky,cluster=<ours> and
 * queues what each says (prov_k8s_podstate.h); on a relist (start-up, 410)
 * it also lists our ConfigMaps and Services and queues the whole picture at
 * once. The controller's thread (k8s_pods_poll) keeps one record per job it
 * follows: the ranks' last states and log streams. When the pods decide the
 * job's end, the job waits until the ended pods' logs are written (or make
 * no progress for DRAIN_SECS) and only then ends through job_apply_complete,
 * as an agent's report would: COMPLETED/FAILED with the exit status, OUT_OF_MEMORY, or
 * NODE_FAIL for a lost pod, which requeues the job when allowed. Then its
 * objects are deleted (k8s_job_cleanup).
 *
 * Idempotence: a pod whose restart label is not its job's current restart
 * count belongs to an earlier run and is ignored; so are pods of jobs that
 * ended. Garbage collection at every relist deletes the objects of jobs
 * that are unknown, finished or pending (nothing runs), unless this file
 * follows the job. Adoption: at the first relist, a running job of ours
 * whose pods exist is followed again (its log resumes where the file ends);
 * one whose pods are gone has lost its run.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctld.h"
#include "fname.h"
#include "job_queue.h"
#include "log.h"
#include "node_table.h"
#include "prov_k8s_int.h"
#include "prov_k8s_log.h"
#include "prov_k8s_podstate.h"
#include "provider.h"
#include "xalloc.h"

/* How long an ended job waits for its output while none arrives. */
#define DRAIN_SECS 10

enum pev_kind { PEV_POD, PEV_RELIST, PEV_OBJ, PEV_RELIST_END };

struct pev {
	enum pev_kind kind;
	struct k8s_pod_obs o;
	struct pev *next;
};

struct kp_rank {
	bool seen;              /* some event showed this pod */
	bool listed;            /* in the relist being handled */
	unsigned int end_seq;   /* order in which ranks ended (0: not ended) */
	struct k8s_pod_obs o;
	struct k8s_logstream *ls;
};

struct kp_job {
	uint32_t id, restart, n_ranks;
	bool multi;             /* task YAML: every rank runs the task */
	bool adopted;           /* followed again after a restart: resume the file */
	bool ending, abandon;
	time_t ending_since;
	time_t drain_moved;     /* when the streams last made progress */
	unsigned long drain_seen;
	Sky__JobState st;
	int32_t status;
	char why[96];
	unsigned int n_ended;
	struct kp_rank *ranks;
	struct k8s_logfile *f;
	struct kp_job *next;
};

struct k8s_pods {
	struct k8s_prov *kp;
	pthread_t th;
	bool th_started;
	int stop;
	struct k8s_watch *w;
	char *selector;
	pthread_mutex_t mu;
	struct pev *head, *tail;
	/* Controller's thread. */
	struct kp_job *jobs;
	bool relisting, relisted_once;
	time_t started;         /* k8s_pods_init: later runs are this process's launches */
	uint32_t *gc;           /* job ids of the objects of the relist being handled */
	size_t n_gc, cap_gc;
	/* Events of running jobs not followed yet: the launch is acknowledged
	 * (k8s_pods_track) only once every object exists, and a quick pod may
	 * have run by then. Replayed by k8s_pods_track; forgotten after
	 * EARLY_SECS. */
	struct early *early;
};

#define EARLY_SECS 120

struct early {
	struct k8s_pod_obs o;
	time_t at;
	struct early *next;
};

/* ---- the watch thread ---- */

static void push_batch(struct k8s_pods *ps, struct pev *head, struct pev *tail)
{
	if (!head)
		return;
	pthread_mutex_lock(&ps->mu);
	if (ps->tail)
		ps->tail->next = head;
	else
		ps->head = head;
	ps->tail = tail;
	pthread_mutex_unlock(&ps->mu);
	k8s_prov_wake(ps->kp);
}

static void batch_add(struct pev **head, struct pev **tail, enum pev_kind kind,
		      const struct k8s_pod_obs *o)
{
	struct pev *e = xcalloc(1, sizeof(*e));

	e->kind = kind;
	if (o)
		e->o = *o;
	if (*tail)
		(*tail)->next = e;
	else
		*head = e;
	*tail = e;
}

static void list_objects(struct k8s_pods *ps, struct k8s_client *cl, const char *what,
			 struct pev **head, struct pev **tail)
{
	char *path = xasprintf("/api/v1/namespaces/%s/%s", ps->kp->pc.ns, what);
	json_object *list = NULL, *items = NULL;
	struct k8s_pod_obs o;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	if (k8s_list(cl, path, ps->selector, NULL, 500, &list, &eb)) {
		log_error("kubernetes: garbage collection: %s", sky_err_msg(&eb));
		goto out;
	}
	json_object_object_get_ex(list, "items", &items);
	for (size_t i = 0; items && i < json_object_array_length(items); i++)
		if (k8s_pod_observe(json_object_array_get_idx(items, i), false, &o))
			batch_add(head, tail, PEV_OBJ, &o);
out:
	json_object_put(list);
	free(path);
}

static void relist(struct k8s_pods *ps, json_object *list)
{
	struct pev *head = NULL, *tail = NULL;
	struct k8s_client *cl = NULL;
	json_object *items = NULL;
	struct k8s_pod_obs o;
	struct sky_errbuf eb;

	batch_add(&head, &tail, PEV_RELIST, NULL);
	json_object_object_get_ex(list, "items", &items);
	for (size_t i = 0; items && i < json_object_array_length(items); i++)
		if (k8s_pod_observe(json_object_array_get_idx(items, i), false, &o))
			batch_add(&head, &tail, PEV_POD, &o);
	sky_err_clear(&eb);
	if (k8s_client_new(ps->kp->cfg, &cl, &eb)) {
		log_error("kubernetes: garbage collection: %s", sky_err_msg(&eb));
	} else {
		list_objects(ps, cl, "configmaps", &head, &tail);
		list_objects(ps, cl, "services", &head, &tail);
	}
	k8s_client_free(cl);
	batch_add(&head, &tail, PEV_RELIST_END, NULL);
	push_batch(ps, head, tail);
}

static int on_watch(void *arg, enum k8s_event ev, json_object *obj)
{
	struct k8s_pods *ps = arg;
	struct pev *e;

	if (ev == K8S_EV_RELIST) {
		relist(ps, obj);
	} else if (ev == K8S_EV_ADDED || ev == K8S_EV_MODIFIED || ev == K8S_EV_DELETED) {
		e = xcalloc(1, sizeof(*e));
		e->kind = PEV_POD;
		if (k8s_pod_observe(obj, ev == K8S_EV_DELETED, &e->o))
			push_batch(ps, e, e);
		else
			free(e);
	}
	return 0;
}

static void *watch_main(void *arg)
{
	struct k8s_pods *ps = arg;
	struct sky_errbuf eb;

	while (!__atomic_load_n(&ps->stop, __ATOMIC_SEQ_CST)) {
		sky_err_clear(&eb);
		if (!k8s_watch_run(ps->w, on_watch, ps, &eb))
			break;
		/* Refused for good (401/403/404): say so, and try again later. */
		log_error("kubernetes: watch of our pods: %s", sky_err_msg(&eb));
		for (int i = 0; i < 100 && !__atomic_load_n(&ps->stop, __ATOMIC_SEQ_CST); i++)
			usleep(100000);
	}
	return NULL;
}

/* ---- jobs followed (controller's thread) ---- */

static struct kp_job *kjob_find(struct k8s_pods *ps, uint32_t id)
{
	for (struct kp_job *k = ps->jobs; k; k = k->next)
		if (k->id == id)
			return k;
	return NULL;
}

static void kjob_free(struct kp_job *k)
{
	for (uint32_t i = 0; i < k->n_ranks; i++)
		k8s_logstream_release(k->ranks[i].ls);
	k8s_logfile_put(k->f);
	free(k->ranks);
	free(k);
}

static void kjob_remove(struct k8s_pods *ps, struct kp_job *k)
{
	for (struct kp_job **pp = &ps->jobs; *pp; pp = &(*pp)->next)
		if (*pp == k) {
			*pp = k->next;
			break;
		}
	kjob_free(k);
}

/* The batch host of j when it is one of our slots. Borrowed. */
static struct node *our_host(struct k8s_prov *kp, const struct job *j)
{
	struct node *n;

	if (!j->rec->batch_host)
		return NULL;
	n = node_find(&kp->c->nodes, j->rec->batch_host);
	return n && n->prov == kp->p ? n : NULL;
}

static struct kp_job *kjob_new(struct k8s_pods *ps, struct job *j, bool adopted)
{
	struct kp_job *k = xcalloc(1, sizeof(*k)), *old = kjob_find(ps, j->rec->job_id);
	const Sky__JobRecord *r = j->rec;

	if (old)
		kjob_remove(ps, old);
	k->id = r->job_id;
	k->restart = r->restart_count;
	k->n_ranks = j->n_alloc ? (uint32_t)j->n_alloc : r->num_nodes ? r->num_nodes : 1;
	k->multi = r->desc && r->desc->task_yaml && k->n_ranks > 1;
	k->adopted = adopted;
	k->ranks = xcalloc(k->n_ranks, sizeof(*k->ranks));
	k->next = ps->jobs;
	ps->jobs = k;
	return k;
}

/* The job's output file (-o, default slurm-%j.out; -e is merged: the pod
 * log API gives one stream). */
static struct k8s_logfile *logfile_for(const struct job *j, int64_t base, uint32_t n_ranks,
				       bool multi)
{
	const Sky__JobRecord *r = j->rec;
	const Sky__JobDesc *d = r->desc;
	const char *pat = d->std_out && *d->std_out ? d->std_out
			  : r->has_array_task_id ? "slurm-%A_%a.out" : "slurm-%j.out";
	struct k8s_logfile_spec s;
	struct fname_ctx fc;

	memset(&fc, 0, sizeof(fc));
	fc.job_id = r->job_id;
	fc.array_job_id = r->array_job_id;
	fc.array_task_id = r->has_array_task_id ? r->array_task_id : SKY_NO_VAL;
	fc.step_id = SKY_NO_VAL;
	fc.restart_count = r->restart_count;
	fc.job_name = d->name ? d->name : "";
	fc.user_name = r->user_name ? r->user_name : "";
	fc.node_name = r->batch_host ? r->batch_host : "";
	fc.work_dir = d->work_dir;
	memset(&s, 0, sizeof(s));
	s.path = fname_expand(pat, &fc);
	s.uid = r->user_id;
	s.gid = r->group_id;
	s.umask = d->has_umask ? (mode_t)(d->umask & 0777) : 022;
	s.append = d->open_mode_set ? d->open_mode_append : r->restart_count > 0;
	s.base = base;
	s.multi = multi;
	s.n_ranks = n_ranks;
	return k8s_logfile_new(&s);
}

static void start_stream(struct k8s_pods *ps, struct kp_job *k, struct job *j, uint32_t rank)
{
	struct kp_rank *r = &k->ranks[rank];

	if (r->ls || !r->o.started || (rank && !k->multi))
		return;
	if (!k->f) {
		/* Adopting: rank 0's pod says where this run's output starts. */
		if (k->adopted && !k->ranks[0].seen)
			return;
		k->f = logfile_for(j, k->adopted ? k->ranks[0].o.log_base : -1, k->n_ranks,
				   k->multi);
	}
	r->ls = k8s_logstream_start(ps->kp, k->f, r->o.name, rank,
				    rank == 0 && !(k->adopted && k->ranks[0].o.log_base >= 0));
	if (r->o.end != K8S_POD_ACTIVE)
		k8s_logstream_pod_ended(r->ls);
}

/* ---- deciding a job's end ---- */

static void decide(struct kp_job *k, Sky__JobState st, int32_t status, const char *why,
		   time_t now)
{
	k->ending = true;
	k->ending_since = now;
	k->st = st;
	k->status = status;
	snprintf(k->why, sizeof(k->why), "%s", why ? why : "");
	/* The streams of pods still running are not waited for: they go. */
	for (uint32_t i = 0; i < k->n_ranks; i++)
		if (k->ranks[i].ls && k->ranks[i].o.end == K8S_POD_ACTIVE) {
			k8s_logstream_release(k->ranks[i].ls);
			k->ranks[i].ls = NULL;
		}
}

static void decide_from(struct kp_job *k, const struct k8s_pod_obs *o, time_t now)
{
	if (o->end == K8S_POD_OOM)
		decide(k, SKY__JOB_STATE__JOB_OOM, k8s_exit_status(o->exit_code), o->why, now);
	else if (o->exit_code == 0)
		decide(k, SKY__JOB_STATE__JOB_COMPLETE, 0, NULL, now);
	else
		decide(k, SKY__JOB_STATE__JOB_FAILED, k8s_exit_status(o->exit_code), NULL, now);
}

static void evaluate(struct kp_job *k, time_t now)
{
	const struct k8s_pod_obs *first_bad = NULL;
	unsigned int best = 0;

	if (k->ending)
		return;
	for (uint32_t i = 0; i < k->n_ranks; i++)
		if (k->ranks[i].o.end == K8S_POD_LOST && k->ranks[i].seen) {
			decide(k, SKY__JOB_STATE__JOB_NODE_FAIL, 0, k->ranks[i].o.why, now);
			return;
		}
	if (!k->multi) {
		if (k->ranks[0].seen && k->ranks[0].o.end != K8S_POD_ACTIVE)
			decide_from(k, &k->ranks[0].o, now);
		return;
	}
	/* Task YAML: done when every rank is; the first failure wins. */
	for (uint32_t i = 0; i < k->n_ranks; i++) {
		const struct kp_rank *r = &k->ranks[i];

		if (!r->seen || r->o.end == K8S_POD_ACTIVE)
			return;
		if ((r->o.end == K8S_POD_OOM || r->o.exit_code) && (!best || r->end_seq < best)) {
			best = r->end_seq;
			first_bad = &r->o;
		}
	}
	decide_from(k, first_bad ? first_bad : &k->ranks[0].o, now);
}

/* A lost run noticed without a pod event (pods gone while we looked away). */
static void lost(struct kp_job *k, const char *why, time_t now)
{
	if (!k->ending)
		decide(k, SKY__JOB_STATE__JOB_NODE_FAIL, 0, why, now);
}

/* ---- pod events (controller's thread) ---- */

static void gc_note(struct k8s_pods *ps, uint32_t id)
{
	for (size_t i = 0; i < ps->n_gc; i++)
		if (ps->gc[i] == id)
			return;
	if (ps->n_gc == ps->cap_gc) {
		ps->cap_gc = ps->cap_gc ? ps->cap_gc * 2 : 16;
		ps->gc = xrealloc(ps->gc, ps->cap_gc * sizeof(*ps->gc));
	}
	ps->gc[ps->n_gc++] = id;
}

/* A followed job's run may be adopted: running, ours, this very run. */
static bool adoptable(struct k8s_pods *ps, struct job *j, const struct k8s_pod_obs *o)
{
	return j && job_is_running(j) && !job_is_completing(j) &&
	       j->rec->restart_count == o->restart && our_host(ps->kp, j);
}

static void early_keep(struct k8s_pods *ps, const struct k8s_pod_obs *o, time_t now)
{
	struct early *e;

	for (e = ps->early; e; e = e->next)
		if (!strcmp(e->o.name, o->name) && e->o.restart == o->restart)
			break;
	if (!e) {
		e = xcalloc(1, sizeof(*e));
		e->next = ps->early;
		ps->early = e;
	}
	e->o = *o;
	e->at = now;
}

static void early_expire(struct k8s_pods *ps, time_t now)
{
	for (struct early **pp = &ps->early, *e; (e = *pp);) {
		if (now - e->at >= EARLY_SECS) {
			*pp = e->next;
			free(e);
		} else {
			pp = &e->next;
		}
	}
}

static void on_pod(struct k8s_pods *ps, const struct k8s_pod_obs *o, time_t now);

/* k8s_pods_track: what the pods of this run already said. */
static void early_replay(struct k8s_pods *ps, uint32_t id, uint32_t restart, time_t now)
{
	struct early *mine = NULL, *e;

	for (struct early **pp = &ps->early; (e = *pp);) {
		if (e->o.job_id == id) {
			*pp = e->next;
			if (e->o.restart == restart) {
				e->next = mine;
				mine = e;
				continue;
			}
			free(e);
		} else {
			pp = &e->next;
		}
	}
	/* Oldest first (the list was newest first, then reversed above). */
	while ((e = mine)) {
		mine = e->next;
		on_pod(ps, &e->o, now);
		free(e);
	}
}

static void on_pod(struct k8s_pods *ps, const struct k8s_pod_obs *o, time_t now)
{
	struct job *j = job_find(&ps->kp->c->jobs, o->job_id);
	struct kp_job *k = kjob_find(ps, o->job_id);
	struct kp_rank *r;

	if (ps->relisting)
		gc_note(ps, o->job_id);
	if (k && k->restart != o->restart)
		return;                 /* an earlier run's pod */
	if (!k) {
		/* Only a relist adopts: a lone event may be a deleted job's echo,
		 * or come before the launch is acknowledged. */
		if (!adoptable(ps, j, o))
			return;
		if (!ps->relisting) {
			early_keep(ps, o, now);
			return;
		}
		k = kjob_new(ps, j, true);
		log_info("kubernetes: job %u: adopted its running pods", o->job_id);
	}
	if (o->rank >= k->n_ranks)
		return;
	r = &k->ranks[o->rank];
	r->seen = true;
	r->listed |= ps->relisting;
	if (o->end != K8S_POD_ACTIVE && r->o.end == K8S_POD_ACTIVE)
		r->end_seq = ++k->n_ended;
	/* A deletion after the end does not change how the pod ended. */
	if (r->o.end == K8S_POD_ACTIVE || o->end != K8S_POD_LOST || r->o.end == K8S_POD_LOST)
		r->o = *o;
	else
		r->o.deleting = true;
	if (k->ending)
		return;
	if (j && !r->ls)
		start_stream(ps, k, j, o->rank);
	/* Adopting: rank 0 seen now, the other ranks' streams may start. */
	for (uint32_t i = 1; j && o->rank == 0 && i < k->n_ranks; i++)
		start_stream(ps, k, j, i);
	if (r->ls && r->o.end != K8S_POD_ACTIVE)
		k8s_logstream_pod_ended(r->ls);
	evaluate(k, now);
}

static void relist_begin(struct k8s_pods *ps)
{
	ps->relisting = true;
	ps->n_gc = 0;
	for (struct kp_job *k = ps->jobs; k; k = k->next)
		for (uint32_t i = 0; i < k->n_ranks; i++)
			k->ranks[i].listed = false;
}

/* Running jobs of ours nobody follows at the first relist: their pods went
 * while no controller watched (or never came). */
static void adopt_missing(struct k8s_pods *ps, time_t now)
{
	struct job *j;

	JOB_FOREACH(&ps->kp->c->jobs, j) {
		struct kp_job *k;

		/* A run started since is being launched (tracked once it exists). */
		if (!job_is_running(j) || job_is_completing(j) || !our_host(ps->kp, j) ||
		    kjob_find(ps, j->rec->job_id) || j->rec->start_time >= (uint64_t)ps->started)
			continue;
		k = kjob_new(ps, j, true);
		log_info("kubernetes: job %u: its pods are gone", k->id);
		lost(k, "PodsGone", now);
	}
}

static bool gc_keep(struct k8s_pods *ps, uint32_t id)
{
	struct job *j = job_find(&ps->kp->c->jobs, id);

	if (kjob_find(ps, id))
		return true;            /* followed: its own end cleans up */
	if (!j)
		return false;
	/* Someone waits for this run to stop; a running one is mid-launch. */
	return job_is_completing(j) || (job_is_running(j) && our_host(ps->kp, j));
}

static void relist_end(struct k8s_pods *ps, time_t now)
{
	ps->relisting = false;
	for (size_t i = 0; i < ps->n_gc; i++)
		if (!gc_keep(ps, ps->gc[i])) {
			log_info("kubernetes: job %u: deleting its leftover objects", ps->gc[i]);
			k8s_job_cleanup(ps->kp, ps->gc[i]);
		}
	for (struct kp_job *k = ps->jobs; k; k = k->next) {
		bool any_seen = false, any_listed = false;

		for (uint32_t i = 0; i < k->n_ranks; i++) {
			any_seen |= k->ranks[i].seen;
			any_listed |= k->ranks[i].listed;
		}
		/* Pods seen before and absent now were deleted during a gap. */
		if (any_seen && !any_listed)
			lost(k, "PodsGone", now);
	}
	if (!ps->relisted_once)
		adopt_missing(ps, now);
	ps->relisted_once = true;
}

/* ---- ending a job (controller's thread) ---- */

/* Whether the ended job's output is written, or its streams stalled for
 * DRAIN_SECS (a log that keeps coming is waited for). */
static bool drained(struct kp_job *k, time_t now)
{
	unsigned long sum = 0;
	bool all = true;

	for (uint32_t i = 0; i < k->n_ranks; i++)
		if (k->ranks[i].ls) {
			all &= k8s_logstream_done(k->ranks[i].ls);
			sum += k8s_logstream_progress(k->ranks[i].ls);
		}
	if (all)
		return true;
	if (sum != k->drain_seen || !k->drain_moved) {
		k->drain_seen = sum;
		k->drain_moved = now;
	}
	return now - k->drain_moved >= DRAIN_SECS;
}

bool k8s_report_end(struct k8s_prov *kp, struct job *j, Sky__JobState st, int32_t status,
		    time_t end, time_t now)
{
	Sky__JobComplete jc = SKY__JOB_COMPLETE__INIT;
	struct node *n = node_find(&kp->c->nodes, j->rec->batch_host ? j->rec->batch_host : "");
	struct sky_errbuf eb;

	if (!n)
		return false;
	jc.job_id = j->rec->job_id;
	jc.state = st;
	jc.has_exit_status = true;
	jc.exit_status = job_is_finished(j) && j->rec->has_exit_status ? j->rec->exit_status : status;
	jc.has_end_time = true;
	jc.end_time = (uint64_t)end;
	if (!job_apply_complete(kp->c, j, n, &jc, now))
		return false;
	sky_err_clear(&eb);
	if (job_commit(kp->c, j, &eb))
		log_error("job %u: end not saved: %s", j->rec->job_id, sky_err_msg(&eb));
	return true;
}

static void apply_end(struct k8s_pods *ps, struct kp_job *k, struct job *j, time_t now)
{
	if (!k8s_report_end(ps->kp, j, k->st, k->status, k->ending_since, now))
		return;
	log_info("job %u: pods ended (%s), exit status %d%s", k->id, k->why[0] ? k->why : "exit",
		 k->status, job_is_pending(j) ? ": requeued" : "");
}

static void finish(struct k8s_pods *ps, struct kp_job *k, time_t now)
{
	struct job *j = job_find(&ps->kp->c->jobs, k->id);

	if (!k->abandon && j && k->restart == j->rec->restart_count &&
	    (job_is_running(j) || job_is_completing(j))) {
		apply_end(ps, k, j, now);
		k8s_job_cleanup(ps->kp, k->id);
	} else if (!j || (job_is_finished(j) && !job_is_completing(j))) {
		k8s_job_cleanup(ps->kp, k->id);
	}
	kjob_remove(ps, k);
}

/* Jobs ended elsewhere (scancel, time limit, node loss): stop following
 * them once their output is written. */
static void check_abandoned(struct k8s_pods *ps, struct kp_job *k, time_t now)
{
	struct job *j = job_find(&ps->kp->c->jobs, k->id);

	if (k->ending)
		return;
	if (j && job_is_running(j) && j->rec->restart_count == k->restart)
		return;
	k->abandon = true;
	k->ending = true;
	k->ending_since = now;
}

void k8s_pods_poll(struct k8s_prov *kp)
{
	struct k8s_pods *ps = kp ? kp->pods : NULL;
	struct pev *e, *next;
	struct kp_job *k, *kn;
	time_t now = time(NULL);

	if (!ps)
		return;
	pthread_mutex_lock(&ps->mu);
	e = ps->head;
	ps->head = ps->tail = NULL;
	pthread_mutex_unlock(&ps->mu);
	for (; e; e = next) {
		next = e->next;
		if (e->kind == PEV_RELIST)
			relist_begin(ps);
		else if (e->kind == PEV_POD)
			on_pod(ps, &e->o, now);
		else if (e->kind == PEV_OBJ && ps->relisting)
			gc_note(ps, e->o.job_id);
		else if (e->kind == PEV_RELIST_END)
			relist_end(ps, now);
		free(e);
	}
	early_expire(ps, now);
	for (k = ps->jobs; k; k = kn) {
		kn = k->next;
		check_abandoned(ps, k, now);
		if (k->ending && drained(k, now))
			finish(ps, k, now);
	}
}

void k8s_pods_track(struct k8s_prov *kp, struct job *j)
{
	if (!kp || !kp->pods || !j)
		return;
	kjob_new(kp->pods, j, false);
	early_replay(kp->pods, j->rec->job_id, j->rec->restart_count, time(NULL));
}

/* ---- start and stop ---- */

int k8s_pods_init(struct k8s_prov *kp, struct sky_errbuf *eb)
{
	struct k8s_pods *ps = xcalloc(1, sizeof(*ps));
	struct k8s_watch_opts wo;
	char *path;
	int rc;

	ps->kp = kp;
	ps->started = time(NULL);
	pthread_mutex_init(&ps->mu, NULL);
	ps->selector = xasprintf("%s=%s,%s=%s", K8S_LABEL_MANAGED, K8S_MANAGED_VALUE,
				 K8S_LABEL_CLUSTER, kp->cluster);
	path = xasprintf("/api/v1/namespaces/%s/pods", kp->pc.ns);
	memset(&wo, 0, sizeof(wo));
	wo.path = path;
	wo.label_selector = ps->selector;
	rc = k8s_watch_new(kp->cfg, &wo, &ps->w, eb);
	free(path);
	kp->pods = ps;
	if (rc)
		return rc;
	if (pthread_create(&ps->th, NULL, watch_main, ps) != 0)
		return sky_err_set(eb, SKY_E_GENERIC, "kubernetes: cannot start the pod watch thread");
	ps->th_started = true;
	return 0;
}

void k8s_pods_fini(struct k8s_prov *kp)
{
	struct k8s_pods *ps = kp ? kp->pods : NULL;
	struct pev *e, *next;

	if (!ps)
		return;
	__atomic_store_n(&ps->stop, 1, __ATOMIC_SEQ_CST);
	if (ps->w)
		k8s_watch_stop(ps->w);
	if (ps->th_started)
		pthread_join(ps->th, NULL);
	while (ps->jobs)
		kjob_remove(ps, ps->jobs);
	early_expire(ps, (time_t)INT64_MAX);
	k8s_log_wait_all(3000);
	for (e = ps->head; e; e = next) {
		next = e->next;
		free(e);
	}
	if (ps->w)
		k8s_watch_free(ps->w);
	pthread_mutex_destroy(&ps->mu);
	free(ps->selector);
	free(ps->gc);
	free(ps);
	kp->pods = NULL;
}
