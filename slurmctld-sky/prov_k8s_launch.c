/*
 * prov_k8s_launch.c: a job's Kubernetes objects (prov_k8s_manifest.h), made
 * and deleted by a worker thread so that no API call blocks the controller.
 *
 * Launch (controller's thread): the manifests' inputs (slots, resources,
 * each pod's environment, the script) are gathered into a request; the
 * worker first removes what an earlier run of the job left (the names are
 * the same for every run), then creates the ConfigMap, the Service and the
 * pods. A failed create deletes what was created and reports back: a
 * request Kubernetes refuses as invalid (400/422) ends the job FAILED, any
 * other failure (quota, a 5xx, the API unreachable) puts it back to PENDING,
 * eligible again after K8S_RETRY_SECS. MaxPods is checked before anything
 * is sent. Once every object exists the job is acknowledged as launched and
 * handed to the pod watch (k8s_pods_track), which reports its end.
 *
 * Kill (scancel, time limit): the pods are deleted with KillWait as their
 * grace period (SIGTERM, SIGKILL after it), then the Service and the
 * ConfigMap; once the pods are gone (or KillWait + K8S_GONE_SLACK passed)
 * the job's end is applied as an agent's completion report would be, unless
 * the pod watch reported it first. Signals: pods cannot be signalled
 * through the API without exec, so only KILL is delivered (the pods are
 * deleted at once); others are refused.
 */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctld.h"
#include "job_control.h"
#include "job_env.h"
#include "job_launch.h"
#include "log.h"
#include "prov_k8s_env.h"
#include "prov_k8s_int.h"
#include "prov_k8s_manifest.h"
#include "xalloc.h"

/* A job whose launch failed for a passing reason is tried again after this. */
#define K8S_RETRY_SECS 15
/* How long past the grace period a deleted pod may take to go before we stop waiting. */
#define K8S_GONE_SLACK 30

enum k8s_req_kind {
	K8S_REQ_LAUNCH,
	K8S_REQ_KILL,           /* delete with a grace period, then wait until gone */
	K8S_REQ_WAIT_GONE,      /* (re-queued by KILL) are the pods gone yet? */
	K8S_REQ_CLEANUP,        /* delete everything, report nothing */
};

struct k8s_req {
	struct k8s_req *next;
	enum k8s_req_kind kind;
	uint32_t job_id, restart;
	int grace;
	time_t not_before, deadline;
	struct k8s_manifest m;      /* LAUNCH: owned */
	uint8_t *script;            /* LAUNCH: owned */
	size_t script_len;
};

struct k8s_res {
	struct k8s_res *next;
	enum k8s_req_kind kind;     /* LAUNCH or KILL (the pods are gone) */
	uint32_t job_id, restart;
	int rc;
	bool never;                 /* LAUNCH: Kubernetes refused the objects as invalid */
	char *msg;
};

struct k8s_jobs {
	struct k8s_prov *kp;        /* borrowed */
	pthread_t thread;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	struct k8s_req *head;
	struct k8s_res *res_head, *res_tail;
	/* The worker's own. */
	struct k8s_client *cl;
	char *ns, *cluster;
};

static void req_free(struct k8s_req *r)
{
	if (!r)
		return;
	k8s_manifest_free(&r->m);
	free(r->script);
	free(r);
}

/* Queue r in not_before order (FIFO among equals); takes it. */
static void req_push(struct k8s_jobs *w, struct k8s_req *r)
{
	struct k8s_req **pp;

	pthread_mutex_lock(&w->mu);
	for (pp = &w->head; *pp && (*pp)->not_before <= r->not_before; pp = &(*pp)->next)
		;
	r->next = *pp;
	*pp = r;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void res_post(struct k8s_jobs *w, const struct k8s_req *q, int rc, bool never,
		     const char *msg)
{
	struct k8s_res *r = xcalloc(1, sizeof(*r));

	r->kind = q->kind == K8S_REQ_WAIT_GONE ? K8S_REQ_KILL : q->kind;
	r->job_id = q->job_id;
	r->restart = q->restart;
	r->rc = rc;
	r->never = never;
	r->msg = msg ? xstrdup(msg) : NULL;
	pthread_mutex_lock(&w->mu);
	if (w->res_tail)
		w->res_tail->next = r;
	else
		w->res_head = r;
	w->res_tail = r;
	pthread_mutex_unlock(&w->mu);
	k8s_prov_wake(w->kp);
}

/* ---- the worker's API calls ---- */

/* fini is waiting: long waits give up. */
static bool stopping(struct k8s_jobs *w)
{
	bool stop;

	pthread_mutex_lock(&w->mu);
	stop = w->stop;
	pthread_mutex_unlock(&w->mu);
	return stop;
}

static char *coll_path(const struct k8s_jobs *w, const char *kind)
{
	return xasprintf("/api/v1/namespaces/%s/%s", w->ns, kind);
}

/* DELETE, NotFound counting as done. */
static int del(struct k8s_jobs *w, const char *path, int grace, const char *prop,
	       struct sky_errbuf *eb)
{
	struct sky_errbuf e2;
	int rc;

	sky_err_clear(&e2);
	rc = k8s_delete(w->cl, path, grace, prop, NULL, &e2);
	if (rc == SKY_E_NOT_FOUND)
		return 0;
	if (rc)
		sky_err_set(eb, rc, "%s", sky_err_msg(&e2));
	return rc;
}

/* Delete every object of job_id: pods (grace), Service, ConfigMap (its
 * dependents go with it where the server collects garbage). */
static int delete_all(struct k8s_jobs *w, uint32_t job_id, int grace, struct sky_errbuf *eb)
{
	char *sel = k8s_job_selector(w->cluster, job_id), *q = k8s_query_escape(sel), *path;
	char *name = NULL;
	int rc;

	path = xasprintf("/api/v1/namespaces/%s/pods?labelSelector=%s", w->ns, q);
	rc = del(w, path, grace, NULL, eb);
	free(path);
	name = k8s_job_object_name(w->kp, job_id);
	path = xasprintf("/api/v1/namespaces/%s/services/%s", w->ns, name);
	if (del(w, path, -1, NULL, eb) && !rc)
		rc = eb->code;
	free(path);
	path = xasprintf("/api/v1/namespaces/%s/configmaps/%s", w->ns, name);
	if (del(w, path, -1, "Background", eb) && !rc)
		rc = eb->code;
	free(path);
	free(name);
	free(q);
	free(sel);
	return rc;
}

/* How many pods of job_id exist, terminating ones included (a requeued run
 * is over once they are gone); -1 when the list failed. */
static long pods_left(struct k8s_jobs *w, uint32_t job_id)
{
	char *sel = k8s_job_selector(w->cluster, job_id), *path = coll_path(w, "pods");
	json_object *list = NULL, *items;
	struct sky_errbuf eb;
	long n = -1;

	sky_err_clear(&eb);
	if (!k8s_list(w->cl, path, sel, NULL, 0, &list, &eb) &&
	    json_object_object_get_ex(list, "items", &items))
		n = (long)json_object_array_length(items);
	json_object_put(list);
	free(path);
	free(sel);
	return n;
}

/* Whether the ConfigMap of an earlier run is still there (or cannot be told). */
static bool configmap_exists(struct k8s_jobs *w, const char *name)
{
	char *path = xasprintf("/api/v1/namespaces/%s/configmaps/%s", w->ns, name);
	struct sky_errbuf eb;
	int rc;

	sky_err_clear(&eb);
	rc = k8s_get(w->cl, path, NULL, &eb);
	free(path);
	return rc != SKY_E_NOT_FOUND;
}

/* An earlier run's objects (same names): delete them and wait until they are gone. */
static int clear_leftovers(struct k8s_jobs *w, struct k8s_req *r, struct sky_errbuf *eb)
{
	time_t until = time(NULL) + K8S_GONE_SLACK;
	long left;

	if (!configmap_exists(w, r->m.name) && pods_left(w, r->job_id) == 0)
		return 0;
	log_info("job %u: deleting the Kubernetes objects of its earlier run", r->job_id);
	if (delete_all(w, r->job_id, 0, eb))
		return eb->code;
	while ((left = pods_left(w, r->job_id)) != 0 || configmap_exists(w, r->m.name)) {
		if (time(NULL) >= until || stopping(w))
			return sky_err_set(eb, SKY_E_TIMEOUT, "%ld pods of an earlier run of job %u "
					   "are still terminating", left, r->job_id);
		usleep(200 * 1000);
	}
	return 0;
}

static int create(struct k8s_jobs *w, const char *kind, json_object *obj, json_object **reply,
		  bool *never, struct sky_errbuf *eb)
{
	char *path = coll_path(w, kind);
	int rc = k8s_create(w->cl, path, obj, reply, eb);
	long http = rc ? k8s_client_status(w->cl)->http : 0;

	/* Invalid objects stay invalid; a conflict or a quota may pass. */
	if (http == 400 || http == 422)
		*never = true;
	free(path);
	json_object_put(obj);
	return rc;
}

static void do_launch(struct k8s_jobs *w, struct k8s_req *r)
{
	json_object *cm = NULL;
	struct sky_errbuf eb;
	struct sky_errbuf e2;
	bool never = false;
	char *uid = NULL;
	int rc;

	sky_err_clear(&eb);
	if ((rc = clear_leftovers(w, r, &eb)))
		goto fail;
	if ((rc = create(w, "configmaps", k8s_manifest_configmap(&r->m, r->script, r->script_len),
			 &cm, &never, &eb)))
		goto fail;
	uid = xstrdup(k8s_meta(cm, "uid") ? k8s_meta(cm, "uid") : "");
	json_object_put(cm);
	if ((rc = create(w, "services", k8s_manifest_service(&r->m, *uid ? uid : NULL), NULL,
			 &never, &eb)))
		goto fail;
	for (uint32_t i = 0; i < r->m.n_pods; i++)
		if ((rc = create(w, "pods", k8s_manifest_pod(&r->m, i, *uid ? uid : NULL), NULL,
				 &never, &eb)))
			goto fail;
	log_info("job %u: %zu pods created (%s)", r->job_id, r->m.n_pods, r->m.name);
	res_post(w, r, 0, false, NULL);
	free(uid);
	return;
fail:
	sky_err_clear(&e2);
	if (delete_all(w, r->job_id, 0, &e2))
		log_error("job %u: cleanup after a failed launch: %s", r->job_id, sky_err_msg(&e2));
	res_post(w, r, rc, never, sky_err_msg(&eb));
	free(uid);
}

/* Whether r must run again later (the caller re-queues it; else it frees it). */
static bool do_request(struct k8s_jobs *w, struct k8s_req *r)
{
	struct sky_errbuf eb;
	long left;

	sky_err_clear(&eb);
	switch (r->kind) {
	case K8S_REQ_LAUNCH:
		do_launch(w, r);
		return false;
	case K8S_REQ_KILL:
		if (delete_all(w, r->job_id, r->grace, &eb))
			log_error("job %u: deleting its Kubernetes objects: %s", r->job_id,
				  sky_err_msg(&eb));
		r->kind = K8S_REQ_WAIT_GONE;
		r->deadline = time(NULL) + r->grace + K8S_GONE_SLACK;
		r->not_before = time(NULL);
		return true;
	case K8S_REQ_WAIT_GONE:
		left = pods_left(w, r->job_id);
		if (left != 0 && time(NULL) < r->deadline) {
			r->not_before = time(NULL) + 1;
			return true;
		}
		if (left)
			log_error("job %u: its pods did not go within the grace period", r->job_id);
		res_post(w, r, 0, false, NULL);
		return false;
	case K8S_REQ_CLEANUP:
		if (delete_all(w, r->job_id, -1, &eb))
			log_error("job %u: cleanup: %s", r->job_id, sky_err_msg(&eb));
		return false;
	}
	return false;
}

static void *worker_main(void *arg)
{
	struct k8s_jobs *w = arg;
	struct k8s_req *r;
	struct timespec ts;

	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		r = w->head;
		if (!r) {
			pthread_cond_wait(&w->cv, &w->mu);
			continue;
		}
		if (r->not_before > time(NULL)) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			pthread_cond_timedwait(&w->cv, &w->mu, &ts);
			continue;
		}
		w->head = r->next;
		pthread_mutex_unlock(&w->mu);
		if (do_request(w, r))
			req_push(w, r);
		else
			req_free(r);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* ---- the controller's side ---- */

int k8s_jobs_init(struct k8s_prov *kp, struct sky_errbuf *eb)
{
	struct k8s_jobs *w = xcalloc(1, sizeof(*w));
	int rc;

	w->kp = kp;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->ns = xstrdup(kp->pc.ns ? kp->pc.ns : "default");
	w->cluster = xstrdup(kp->cluster ? kp->cluster : "sky");
	kp->jobs = w;
	if ((rc = k8s_client_new(kp->cfg, &w->cl, eb)))
		return rc;
	if (pthread_create(&w->thread, NULL, worker_main, w))
		return sky_err_set(eb, SKY_E_GENERIC, "cannot start the Kubernetes job thread");
	w->started = true;
	return 0;
}

void k8s_jobs_fini(struct k8s_prov *kp)
{
	struct k8s_jobs *w = kp ? kp->jobs : NULL;
	struct k8s_res *s;

	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	if (w->started)
		pthread_join(w->thread, NULL);
	while (w->head) {
		struct k8s_req *r = w->head;
		w->head = r->next;
		req_free(r);
	}
	while ((s = w->res_head)) {
		w->res_head = s->next;
		free(s->msg);
		free(s);
	}
	k8s_client_free(w->cl);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w->ns);
	free(w->cluster);
	free(w);
	kp->jobs = NULL;
}

/* Back to PENDING for another try later, the message kept (squeue/scontrol show it). */
static void launch_retry_later(struct ctld *c, struct job *j, const char *msg, time_t now)
{
	log_info("job %u: not launched on Kubernetes, pending again: %s", j->rec->job_id, msg);
	job_requeue_pending(c, j);
	j->rec->has_eligible_time = true;
	j->rec->eligible_time = (uint64_t)now + K8S_RETRY_SECS;
	job_set_reason(j, REASON_LAUNCH_FAILED);
	job_set_str(&j->rec->state_desc, msg);
}

static void launch_never(struct ctld *c, struct job *j, const char *msg, time_t now)
{
	log_error("job %u: cannot run on Kubernetes: %s", j->rec->job_id, msg);
	job_end(c, j, SKY__JOB_STATE__JOB_FAILED, now);
	job_set_reason(j, REASON_LAUNCH_FAILED);
	job_set_str(&j->rec->state_desc, msg);
}

static void commit(struct ctld *c, struct job *j)
{
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	if (job_commit(c, j, &eb))
		log_error("job %u: %s", j->rec->job_id, sky_err_msg(&eb));
}

/* The run launched for (id, restart), if j still is that run and still wants its pods. */
static struct job *current_run(struct ctld *c, uint32_t id, uint32_t restart)
{
	struct job *j = job_find(&c->jobs, id);

	if (!j || j->rec->restart_count != restart || !j->rec->batch_host)
		return NULL;
	return j;
}

static void launch_result(struct k8s_prov *kp, struct k8s_res *s, time_t now)
{
	struct job *j = current_run(kp->c, s->job_id, s->restart);

	if (!j || !job_is_running(j) || job_is_completing(j)) {
		/* Cancelled or gone meanwhile: a kill queued after the launch deletes the objects. */
		if (!j)
			k8s_job_cleanup(kp, s->job_id);
		return;
	}
	if (s->rc) {
		if (s->never)
			launch_never(kp->c, j, s->msg ? s->msg : "refused", now);
		else
			launch_retry_later(kp->c, j, s->msg ? s->msg : "failed", now);
		commit(kp->c, j);
		return;
	}
	j->rec->has_launch_acked = j->rec->launch_acked = true;
	commit(kp->c, j);
	k8s_pods_track(kp, j);
}

/* The pods of a killed job are gone: end it as its agent would report. */
static void kill_result(struct k8s_prov *kp, struct k8s_res *s, time_t now)
{
	struct job *j = current_run(kp->c, s->job_id, s->restart);

	if (!j || !job_is_completing(j))
		return;   /* the pod watch reported the end first */
	/* Raw wait status: killed by SIGTERM (Slurm's 0:15), unless the end set one. */
	k8s_report_end(kp, j, job_is_pending(j) ? SKY__JOB_STATE__JOB_PENDING : j->rec->state,
		       SIGTERM, now, now);
}

void k8s_jobs_poll(struct k8s_prov *kp)
{
	struct k8s_jobs *w = kp ? kp->jobs : NULL;
	struct k8s_res *s, *next;
	time_t now = time(NULL);

	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	s = w->res_head;
	w->res_head = w->res_tail = NULL;
	pthread_mutex_unlock(&w->mu);
	for (; s; s = next) {
		next = s->next;
		if (s->kind == K8S_REQ_LAUNCH)
			launch_result(kp, s, now);
		else
			kill_result(kp, s, now);
		free(s->msg);
		free(s);
	}
}

/* Pods of this provider's running jobs, for MaxPods. */
static uint32_t pods_in_use(struct k8s_prov *kp, const struct job *except)
{
	const struct job *j;
	uint32_t n = 0;

	JOB_FOREACH(&kp->c->jobs, j) {
		if (j == except || !j->n_alloc || (!job_is_running(j) && !job_is_completing(j)))
			continue;
		if (k8s_slot_of(kp, j->alloc[0].node))
			n += (uint32_t)j->n_alloc;
	}
	return n;
}

static uint32_t gpus_on(const Sky__JobRecord *r, const char *node)
{
	uint64_t n = 0;

	for (size_t i = 0; i < r->n_gres_alloc; i++)
		if (!strcmp(r->gres_alloc[i]->node, node) && !strcmp(r->gres_alloc[i]->name, "gpu"))
			n += r->gres_alloc[i]->count;
	return (uint32_t)n;
}

/* The pods' inputs of j into m (slots checked bound). */
static int fill_pods(struct k8s_prov *kp, struct job *j, struct k8s_manifest *m,
		     struct sky_errbuf *eb)
{
	m->pods = xcalloc(j->n_alloc, sizeof(*m->pods));
	m->n_pods = j->n_alloc;
	for (size_t i = 0; i < j->n_alloc; i++) {
		struct k8s_slot *s = k8s_slot_of(kp, j->alloc[i].node);
		struct k8s_mpod *p = &m->pods[i];
		p->slot = xstrdup(j->alloc[i].node->name);
		if (!s || !s->k8s_node)
			return sky_err_set(eb, SKY_E_LAUNCH, "node %s is not bound to a Kubernetes "
					   "node", p->slot);
		p->k8s_node = xstrdup(s->k8s_node);
		p->hostname_label = s->hostname_label ? xstrdup(s->hostname_label) : NULL;
		p->cpus = j->alloc[i].cpus;
		p->mem_mb = j->alloc[i].mem_mb;
		p->gpus = gpus_on(j->rec, p->slot);
	}
	return 0;
}

static void fill_env(struct k8s_prov *kp, struct k8s_manifest *m, const Sky__LaunchJob *lj)
{
	char **slots = xcalloc(m->n_pods + 1, sizeof(char *));
	char **addrs = xcalloc(m->n_pods + 1, sizeof(char *));
	uint32_t *gpus = xcalloc(m->n_pods + 1, sizeof(uint32_t));
	struct k8s_env_job e = { .lj = lj, .cluster = kp->c->conf->cluster_name, .slots = slots,
				 .addrs = addrs, .gpus = gpus, .n = m->n_pods };

	for (size_t i = 0; i < m->n_pods; i++) {
		char *pod = k8s_manifest_pod_name(m, (uint32_t)i);
		slots[i] = m->pods[i].slot;
		addrs[i] = xasprintf("%s.%s", pod, m->name);
		gpus[i] = m->pods[i].gpus;
		free(pod);
	}
	for (size_t i = 0; i < m->n_pods; i++)
		m->pods[i].env = k8s_env_rank(&e, (uint32_t)i);
	for (size_t i = 0; i < m->n_pods; i++)
		free(addrs[i]);
	free(addrs);
	free(slots);
	free(gpus);
}

/* Build j's launch request (manifest inputs, and a copy of lm's script). */
static int build_request(struct k8s_prov *kp, struct job *j, const struct job_launch_msg *lm,
			 struct k8s_req *r, struct sky_errbuf *eb)
{
	const Sky__JobRecord *rec = j->rec;
	int rc;

	r->kind = K8S_REQ_LAUNCH;
	r->job_id = rec->job_id;
	r->restart = rec->restart_count;
	r->m.pc = &kp->pc;
	r->m.cluster = xstrdup(kp->cluster ? kp->cluster : "sky");
	r->m.name = k8s_job_object_name(kp, rec->job_id);
	r->m.job_id = rec->job_id;
	r->m.restart = rec->restart_count;
	r->m.grace_secs = kp->c->conf->kill_wait;
	r->m.uid = rec->user_id;
	r->m.gid = rec->group_id;
	r->m.every_rank = rec->desc->task_yaml;
	/* As the agent enters it: -D, else the submit directory. */
	if (rec->desc->work_dir && *rec->desc->work_dir)
		r->m.work_dir = xstrdup(rec->desc->work_dir);
	else if (rec->desc->submit_dir && *rec->desc->submit_dir)
		r->m.work_dir = xstrdup(rec->desc->submit_dir);
	r->m.args = xcalloc(rec->desc->n_argv + 1, sizeof(char *));
	for (size_t i = 0; i < rec->desc->n_argv; i++)
		r->m.args[r->m.n_args++] = xstrdup(rec->desc->argv[i]);
	if ((rc = fill_pods(kp, j, &r->m, eb)))
		return rc;
	fill_env(kp, &r->m, &lm->lj);
	r->script = xmalloc(lm->script_len + 1);
	memcpy(r->script, lm->script, lm->script_len);
	r->script_len = lm->script_len;
	return 0;
}

int k8s_job_launch(struct k8s_prov *kp, struct job *j, const struct job_launch_msg *m,
		   struct sky_errbuf *eb)
{
	struct k8s_req *r;
	uint32_t used;
	time_t now = time(NULL);
	int rc;

	if (!kp)
		return sky_err_set(eb, SKY_E_LAUNCH, "the Kubernetes provider is not running");
	if (!kp->jobs) {
		sky_err_set(eb, SKY_E_LAUNCH, "the Kubernetes provider is not running");
		launch_retry_later(kp->c, j, sky_err_msg(eb), now);
		commit(kp->c, j);
		return eb->code;
	}
	if (kp->pc.max_pods && j->n_alloc > kp->pc.max_pods) {
		sky_err_set(eb, SKY_E_LAUNCH, "job needs %zu pods, MaxPods=%u", j->n_alloc,
			    kp->pc.max_pods);
		launch_never(kp->c, j, sky_err_msg(eb), now);
		commit(kp->c, j);
		return eb->code;
	}
	used = kp->pc.max_pods ? pods_in_use(kp, j) : 0;
	if (kp->pc.max_pods && used + j->n_alloc > kp->pc.max_pods) {
		sky_err_set(eb, SKY_E_LAUNCH, "MaxPods=%u reached (%u in use, job needs %zu)",
			    kp->pc.max_pods, used, j->n_alloc);
		launch_retry_later(kp->c, j, sky_err_msg(eb), now);
		commit(kp->c, j);
		return eb->code;
	}
	r = xcalloc(1, sizeof(*r));
	if ((rc = build_request(kp, j, m, r, eb))) {
		req_free(r);
		if (rc == SKY_E_NOT_FOUND)
			return rc;   /* the script is gone: the caller fails the job */
		launch_retry_later(kp->c, j, sky_err_msg(eb), now);
		commit(kp->c, j);
		return rc;
	}
	log_info("job %u: launching %zu pods on Kubernetes (%s)", j->rec->job_id, r->m.n_pods,
		 r->m.name);
	r->not_before = now;
	req_push(kp->jobs, r);
	return 0;
}

static void queue_delete(struct k8s_prov *kp, const struct job *j, enum k8s_req_kind kind,
			 int grace)
{
	struct k8s_req *r = xcalloc(1, sizeof(*r));

	r->kind = kind;
	r->job_id = j ? j->rec->job_id : 0;
	r->restart = j ? j->rec->restart_count : 0;
	r->grace = grace;
	r->not_before = time(NULL);
	req_push(kp->jobs, r);
}

int k8s_job_signal(struct k8s_prov *kp, struct job *j, int sig, struct sky_errbuf *eb)
{
	if (!kp || !kp->jobs)
		return sky_err_set(eb, SKY_E_LAUNCH, "the Kubernetes provider is not running");
	if (sig != SIGKILL)
		return sky_err_set(eb, SKY_E_DISABLED, "job %u runs in Kubernetes pods, which "
				   "cannot be sent signal %d (only KILL: scancel deletes them)",
				   j->rec->job_id, sig);
	if (!job_is_running(j) || job_is_completing(j))
		return 0;
	/*
	 * Deleting the pods is the only way to kill them, and a deleted pod
	 * looks like a lost node to the pod watch: end the job first, as the
	 * agent path reports a script killed by SIGKILL.
	 */
	log_info("job %u: SIGKILL: deleting its pods at once", j->rec->job_id);
	job_control_end_running(j, SKY__JOB_STATE__JOB_FAILED, time(NULL));
	j->rec->has_exit_status = true;
	j->rec->exit_status = SIGKILL;
	job_set_reason(j, "RaisedSignal:9");
	commit(kp->c, j);
	queue_delete(kp, j, K8S_REQ_KILL, 0);
	return 0;
}

void k8s_job_kill(struct k8s_prov *kp, struct job *j)
{
	if (!kp || !kp->jobs)
		return;
	log_info("job %u: deleting its pods (grace %u s)", j->rec->job_id, kp->c->conf->kill_wait);
	queue_delete(kp, j, K8S_REQ_KILL, (int)kp->c->conf->kill_wait);
}

void k8s_job_cleanup(struct k8s_prov *kp, uint32_t job_id)
{
	struct k8s_req *r;

	if (!kp || !kp->jobs)
		return;
	r = xcalloc(1, sizeof(*r));
	r->kind = K8S_REQ_CLEANUP;
	r->job_id = job_id;
	r->grace = -1;
	r->not_before = time(NULL);
	req_push(kp->jobs, r);
}
