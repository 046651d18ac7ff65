/*
 * prov_k8s_nodes.c: discovery. Two threads watch the cluster's nodes and
 * all its pods (k8s_watch: relist on 410, reconnects) and keep copies of
 * them under a lock; the controller's thread (k8s_nodes_poll) turns them
 * into a snapshot when something changed and reconciles the slots with it:
 *
 *  binding   a slot keeps its Kubernetes node while the node exists (also
 *            across restarts: slot -> node names are kept in the store's
 *            meta db); free nodes go to free slots, nodes with GPUs first,
 *            then by name. More nodes than slots: the rest are not used.
 *  hardware  a bound node's CPUs, memory and "gpu:<type>:<count>" are its
 *            allocatable minus the requests of the pods that are not ours
 *            (our own jobs are accounted by the controller itself); the
 *            slot's NodeHostname is the node's name; its cloud info is the
 *            node's uid, GPU type (else instance type), region, zone and
 *            Price= x GPUs.
 *  state     bound and Ready: the slot is up (registered by us); cordoned:
 *            drained with a reason (running jobs go on, as their pods do);
 *            NotReady: DOWN with a reason and its jobs lost (requeued or
 *            NODE_FAIL); gone: the same, and the slot is unbound (idle~, no
 *            hardware). An unbound slot is never scheduled (no hardware, no
 *            size_for_job); a resume of one fails.
 */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cloud_info.h"
#include "ctld.h"
#include "log.h"
#include "power_save.h"
#include "prov_k8s_int.h"
#include "provider.h"
#include "sched_fifo.h"
#include "state_lmdb.h"
#include "xalloc.h"

/* What a node is beyond k8s_node_res, from its labels. */
struct k8s_node_ext {
	char *uid, *hostname, *instance_type, *region, *zone;
};

struct k8s_nodes {
	pthread_mutex_t lock;
	json_object *nodes;            /* name -> node (our own copy), under lock */
	json_object *pods;             /* ns/name -> pod bound to a node, not ours; under lock */
	bool nodes_synced, pods_synced; /* a first list arrived (or the watch gave up) */
	bool dirty;                    /* changed since the last snapshot */
	struct k8s_watch *wn, *wp;
	pthread_t tn, tp;
	bool tn_started, tp_started;
	/* Controller's thread: the last snapshot, sorted by name. */
	struct k8s_node_res *res;
	struct k8s_node_ext *ext;
	size_t n_res;
	bool have_snapshot;
	size_t unused_logged;          /* nodes without a slot, last logged count */
	char *meta_key;
};

static const char *label_of(json_object *obj, const char *key)
{
	json_object *md, *labels, *v;

	if (!json_object_object_get_ex(obj, "metadata", &md) ||
	    !json_object_object_get_ex(md, "labels", &labels) ||
	    !json_object_object_get_ex(labels, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* ---- the watch threads ------------------------------------------------------ */

static char *pod_key(json_object *pod)
{
	const char *ns = k8s_meta(pod, "namespace"), *name = k8s_meta(pod, "name");

	return name ? xasprintf("%s/%s", ns ? ns : "", name) : NULL;
}

/* Our own cluster's pods: the controller accounts for their jobs. */
static bool pod_is_ours(const struct k8s_prov *kp, json_object *pod)
{
	const char *m = label_of(pod, K8S_LABEL_MANAGED), *cl = label_of(pod, K8S_LABEL_CLUSTER);

	return m && !strcmp(m, K8S_MANAGED_VALUE) && cl && !strcmp(cl, kp->cluster);
}

static bool pod_counts(const struct k8s_prov *kp, json_object *pod)
{
	json_object *spec, *node;

	return json_object_object_get_ex(pod, "spec", &spec) &&
	       json_object_object_get_ex(spec, "nodeName", &node) && json_object_get_string_len(node) &&
	       !pod_is_ours(kp, pod);
}

/* Keep a private copy of obj under key (NULL: drop it). Under lock. */
static void map_put(json_object *map, const char *key, json_object *obj)
{
	json_object *copy = NULL;

	if (!key)
		return;
	if (!obj || json_object_deep_copy(obj, &copy, NULL)) {
		json_object_object_del(map, key);
		return;
	}
	json_object_object_add(map, key, copy);
}

static void apply_event(struct k8s_prov *kp, json_object **map, bool pods, enum k8s_event ev,
			json_object *obj)
{
	json_object *items;
	char *key;

	if (ev == K8S_EV_BOOKMARK)
		return;
	if (ev == K8S_EV_RELIST) {
		json_object_put(*map);
		*map = json_object_new_object();
		if (!json_object_object_get_ex(obj, "items", &items))
			return;
		for (size_t i = 0; i < json_object_array_length(items); i++) {
			json_object *o = json_object_array_get_idx(items, i);

			if (pods && !pod_counts(kp, o))
				continue;
			key = pods ? pod_key(o) : xstrdup(k8s_meta(o, "name"));
			map_put(*map, key, o);
			free(key);
		}
		return;
	}
	key = pods ? pod_key(obj) : xstrdup(k8s_meta(obj, "name"));
	if (ev == K8S_EV_DELETED || (pods && !pod_counts(kp, obj)))
		map_put(*map, key, NULL);
	else
		map_put(*map, key, obj);
	free(key);
}

static int on_node(void *arg, enum k8s_event ev, json_object *obj)
{
	struct k8s_prov *kp = arg;
	struct k8s_nodes *kn = kp->nodes;

	pthread_mutex_lock(&kn->lock);
	apply_event(kp, &kn->nodes, false, ev, obj);
	if (ev == K8S_EV_RELIST)
		kn->nodes_synced = true;
	kn->dirty = true;
	pthread_mutex_unlock(&kn->lock);
	k8s_prov_wake(kp);
	return 0;
}

static int on_pod(void *arg, enum k8s_event ev, json_object *obj)
{
	struct k8s_prov *kp = arg;
	struct k8s_nodes *kn = kp->nodes;

	pthread_mutex_lock(&kn->lock);
	apply_event(kp, &kn->pods, true, ev, obj);
	if (ev == K8S_EV_RELIST)
		kn->pods_synced = true;
	kn->dirty = true;
	pthread_mutex_unlock(&kn->lock);
	k8s_prov_wake(kp);
	return 0;
}

static void watch_thread(struct k8s_prov *kp, struct k8s_watch *w, k8s_watch_cb cb, bool pods)
{
	struct k8s_nodes *kn = kp->nodes;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	if (k8s_watch_run(w, cb, kp, &eb))
		log_error("provider %s: watching %s stopped: %s", kp->p->name, pods ? "pods" : "nodes",
			  sky_err_msg(&eb));
	/* Refused for good: go on with what is known rather than never bind. */
	pthread_mutex_lock(&kn->lock);
	if (pods)
		kn->pods_synced = true;
	else
		kn->nodes_synced = true;
	pthread_mutex_unlock(&kn->lock);
}

static void *node_thread(void *arg)
{
	struct k8s_prov *kp = arg;

	watch_thread(kp, kp->nodes->wn, on_node, false);
	return NULL;
}

static void *pod_thread(void *arg)
{
	struct k8s_prov *kp = arg;

	watch_thread(kp, kp->nodes->wp, on_pod, true);
	return NULL;
}

/* ---- the snapshot (controller's thread) ----------------------------------- */

static void snapshot_free(struct k8s_nodes *kn)
{
	for (size_t i = 0; i < kn->n_res; i++) {
		k8s_node_res_free(&kn->res[i]);
		free(kn->ext[i].uid);
		free(kn->ext[i].hostname);
		free(kn->ext[i].instance_type);
		free(kn->ext[i].region);
		free(kn->ext[i].zone);
	}
	FREE_NULL(kn->res);
	FREE_NULL(kn->ext);
	kn->n_res = 0;
}

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

static int by_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Under lock: nodes and pods into kn->res/ext, sorted by name. */
static void snapshot_make(struct k8s_prov *kp, struct k8s_nodes *kn)
{
	size_t n = (size_t)json_object_object_length(kn->nodes), i = 0;
	const char **names = xcalloc(n + 1, sizeof(*names));
	json_object *list = json_object_new_object(), *items = json_object_new_array();

	snapshot_free(kn);
	json_object_object_foreach(kn->nodes, key, val) {
		(void)val;
		names[i++] = key;
	}
	qsort(names, n, sizeof(*names), by_key);
	kn->res = xcalloc(n + 1, sizeof(*kn->res));
	kn->ext = xcalloc(n + 1, sizeof(*kn->ext));
	for (i = 0; i < n; i++) {
		json_object *node = json_object_object_get(kn->nodes, names[i]);
		struct k8s_node_ext *x = &kn->ext[i];

		k8s_node_res_from(node, kp->pc.rules, kp->pc.n_rules, &kn->res[i]);
		x->uid = dup_or_null(k8s_meta(node, "uid"));
		x->hostname = dup_or_null(label_of(node, "kubernetes.io/hostname"));
		x->instance_type = dup_or_null(label_of(node, "node.kubernetes.io/instance-type"));
		x->region = dup_or_null(label_of(node, "topology.kubernetes.io/region"));
		x->zone = dup_or_null(label_of(node, "topology.kubernetes.io/zone"));
	}
	kn->n_res = n;
	json_object_object_foreach(kn->pods, pk, pod) {
		(void)pk;
		json_object_array_add(items, json_object_get(pod));
	}
	json_object_object_add(list, "items", items);
	k8s_node_res_sub_pods(kn->res, kn->n_res, list);
	json_object_put(list);
	free(names);
}

static int res_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct k8s_node_res *)elem)->name);
}

static ssize_t res_find(const struct k8s_nodes *kn, const char *name)
{
	const struct k8s_node_res *r;

	if (!name || !kn->n_res)
		return -1;
	r = bsearch(name, kn->res, kn->n_res, sizeof(*kn->res), res_cmp);
	return r ? r - kn->res : -1;
}

/* ---- the binding, kept in the store --------------------------------------- */

static void binding_load(struct k8s_prov *kp)
{
	struct k8s_nodes *kn = kp->nodes;
	struct store_txn *t = NULL;
	struct sky_errbuf eb;
	uint8_t *data = NULL;
	size_t len = 0;
	char *text, *line, *next;

	sky_err_clear(&eb);
	if (!kp->c->store || store_begin(kp->c->store, false, &t, &eb))
		return;
	if (store_meta_get_blob(t, kn->meta_key, &data, &len, &eb)) {
		store_abort(t);
		return;
	}
	store_abort(t);
	text = xstrndup((const char *)data, len);
	free(data);
	for (line = text; line && *line; line = next) {
		char *tab = strchr(line, '\t');

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!tab)
			continue;
		*tab = '\0';
		for (size_t i = 0; i < kp->n_slots; i++)
			if (!strcmp(kp->slots[i].node->name, line) && !kp->slots[i].k8s_node)
				kp->slots[i].k8s_node = xstrdup(tab + 1);
	}
	free(text);
}

static void binding_save(struct k8s_prov *kp)
{
	struct store_txn *t = NULL;
	struct sky_errbuf eb;
	char *text = xstrdup(""), *tmp;
	int rc;

	for (size_t i = 0; i < kp->n_slots; i++) {
		if (!kp->slots[i].k8s_node)
			continue;
		tmp = xasprintf("%s%s\t%s\n", text, kp->slots[i].node->name, kp->slots[i].k8s_node);
		free(text);
		text = tmp;
	}
	sky_err_clear(&eb);
	if (!(rc = store_begin(kp->c->store, true, &t, &eb))) {
		rc = store_meta_put_blob(t, kp->nodes->meta_key, (const uint8_t *)text, strlen(text),
					 &eb);
		rc = rc ? (store_abort(t), rc) : store_commit(t, &eb);
	}
	if (rc)
		log_error("provider %s: slot bindings not saved: %s", kp->p->name, sky_err_msg(&eb));
	free(text);
}

/* ---- slots ------------------------------------------------------------------ */

static void order_changed(struct ctld *c)
{
	for (size_t i = 0; i < c->parts.count; i++)
		c->parts.parts[i].sched_order_ok = false;
	sched_request(c);
}

static void set_admin(struct node *n, Sky__NodeState st, const char *reason)
{
	n->admin_state = st;
	job_set_str(&n->reason, reason);
	n->reason_time = reason ? (uint64_t)time(NULL) : 0;
}

/* The slot has nothing to run on any more: its jobs are lost, it is down. */
static void slot_lose(struct k8s_prov *kp, struct k8s_slot *s, const char *reason)
{
	struct node *n = s->node;

	s->ready = false;
	n->registered = false;
	if (n->pw.state != NODE_POWER_OFF || n->n_jobs)
		power_node_lost(kp->c, n->name, reason);
	node_clear_cloud(n);
	power_node_forget_hw(n);
	order_changed(kp->c);
}

static void slot_unbind(struct k8s_prov *kp, struct k8s_slot *s, const char *why)
{
	struct node *n = s->node;
	char *reason = xasprintf("Kubernetes node %s %s", s->k8s_node, why);

	log_info("provider %s: node %s: %s; unbound", kp->p->name, n->name, reason);
	slot_lose(kp, s, reason);
	if (s->cordoned && n->admin_state == SKY__NODE_STATE__NODE_DRAIN)
		set_admin(n, n->pw.cloud ? SKY__NODE_STATE__NODE_CLOUD : SKY__NODE_STATE__NODE_UNKNOWN,
			  NULL);
	if (s->downed && n->admin_state == SKY__NODE_STATE__NODE_DOWN)
		set_admin(n, n->pw.cloud ? SKY__NODE_STATE__NODE_CLOUD : SKY__NODE_STATE__NODE_UNKNOWN,
			  NULL);
	FREE_NULL(s->k8s_node);
	FREE_NULL(s->hostname_label);
	FREE_NULL(s->k8s_uid);
	s->cordoned = s->downed = false;
	free(n->hostname);
	n->hostname = n->cn && n->cn->hostname ? xstrdup(n->cn->hostname) : NULL;
	free(reason);
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void set_str_if(char **field, const char *val)
{
	if (!str_eq(*field, val)) {
		free(*field);
		*field = val ? xstrdup(val) : NULL;
	}
}

/* The slot's hardware, hostname and cloud info from r. */
static void slot_publish(struct k8s_prov *kp, struct k8s_slot *s, const struct k8s_node_res *r,
			 const struct k8s_node_ext *x)
{
	struct node *n = s->node;
	const struct conf_node *cn = n->cn;
	uint32_t gpus = r->gpu_type ? r->gpus_free : 0;
	char *gres = gpus ? xasprintf("gpu:%s:%u", r->gpu_type, gpus) : NULL;
	int64_t price = kp->pc.price_u * (gpus ? gpus : 1);
	const char *type = r->gpu_type ? r->gpu_type : x->instance_type;

	if (!cn || !cn->cpus)
		n->cpus = (uint32_t)(r->cpu_milli_free / 1000);
	if (!cn || !cn->real_memory_mb)
		n->real_memory_mb = (uint64_t)r->mem_bytes_free / (1024 * 1024);
	if (!cn || !cn->gres)
		set_str_if(&n->gres, gres);
	if (!cn || !cn->hostname)
		set_str_if(&n->hostname, r->name);
	set_str_if(&s->hostname_label, x->hostname ? x->hostname : r->name);
	set_str_if(&s->k8s_uid, x->uid);
	if (!str_eq(n->cloud.instance_id, x->uid) || !str_eq(n->cloud.instance_type, type) ||
	    !str_eq(n->cloud.region, x->region) || !str_eq(n->cloud.zone, x->zone) ||
	    n->cloud.price_u != price)
		node_set_cloud(n, x->uid ? x->uid : r->name, type, x->region, x->zone, false, price);
	free(gres);
}

static Sky__NodeState conf_state(const struct node *n)
{
	return n->pw.cloud ? SKY__NODE_STATE__NODE_CLOUD : SKY__NODE_STATE__NODE_UNKNOWN;
}

/* NotReady and cordon: DOWN / DRAIN with our reason, lifted when they end
 * (unless the admin changed the state meanwhile). */
static bool slot_conditions(struct k8s_prov *kp, struct k8s_slot *s, const struct k8s_node_res *r)
{
	struct node *n = s->node;
	char *reason;

	if (!r->ready) {
		if (!s->downed) {
			reason = xasprintf("Kubernetes node %s is NotReady", r->name);
			log_info("provider %s: node %s: %s; DOWN", kp->p->name, n->name, reason);
			s->downed = true;
			slot_lose(kp, s, reason);
			set_admin(n, SKY__NODE_STATE__NODE_DOWN, reason);
			free(reason);
		}
		return false;
	}
	if (s->downed) {
		s->downed = false;
		log_info("provider %s: node %s: Kubernetes node %s is Ready again", kp->p->name, n->name,
			 r->name);
		if (n->admin_state == SKY__NODE_STATE__NODE_DOWN)
			set_admin(n, conf_state(n), NULL);
	}
	if (!r->schedulable && !s->cordoned) {
		reason = xasprintf("Kubernetes node %s is cordoned", r->name);
		log_info("provider %s: node %s: %s; DRAIN", kp->p->name, n->name, reason);
		s->cordoned = true;
		if (n->admin_state != SKY__NODE_STATE__NODE_DOWN)
			set_admin(n, SKY__NODE_STATE__NODE_DRAIN, reason);
		free(reason);
	} else if (r->schedulable && s->cordoned) {
		s->cordoned = false;
		log_info("provider %s: node %s: Kubernetes node %s is uncordoned", kp->p->name,
			 n->name, r->name);
		if (n->admin_state == SKY__NODE_STATE__NODE_DRAIN)
			set_admin(n, conf_state(n), NULL);
	}
	return true;
}

static void slot_update(struct k8s_prov *kp, struct k8s_slot *s, const struct k8s_node_res *r,
			const struct k8s_node_ext *x)
{
	struct node *n = s->node;

	if (!slot_conditions(kp, s, r))
		return;
	slot_publish(kp, s, r, x);
	s->ready = r->schedulable;
	n->not_responding = false;
	if (!n->registered || n->pw.state == NODE_POWER_OFF || n->pw.state == NODE_POWERING_UP) {
		n->registered = true;
		n->last_heard = time(NULL);
		log_info("provider %s: node %s: up on Kubernetes node %s (%u CPUs, %" PRIu64
			 " MB, %s)", kp->p->name, n->name, r->name, n->cpus, n->real_memory_mb,
			 n->gres ? n->gres : "no GPU");
		/* Up, and the jobs that waited for it are launched. */
		power_node_registered(kp->c, n, time(NULL));
		order_changed(kp->c);
	}
}

static int gpu_first(const void *a, const void *b)
{
	const struct k8s_node_res *x = *(const struct k8s_node_res *const *)a;
	const struct k8s_node_res *y = *(const struct k8s_node_res *const *)b;

	if (!x->gpus != !y->gpus)
		return x->gpus ? -1 : 1;
	return strcmp(x->name, y->name);
}

static bool bound_to_any(const struct k8s_prov *kp, const char *name)
{
	for (size_t i = 0; i < kp->n_slots; i++)
		if (str_eq(kp->slots[i].k8s_node, name))
			return true;
	return false;
}

/* Free nodes into free slots. Returns whether any binding changed. */
static bool bind_free(struct k8s_prov *kp)
{
	struct k8s_nodes *kn = kp->nodes;
	struct k8s_node_res **cand = xcalloc(kn->n_res + 1, sizeof(*cand));
	size_t nc = 0, next = 0;
	bool changed = false;

	for (size_t i = 0; i < kn->n_res; i++)
		if (!bound_to_any(kp, kn->res[i].name))
			cand[nc++] = &kn->res[i];
	qsort(cand, nc, sizeof(*cand), gpu_first);
	for (size_t i = 0; i < kp->n_slots && next < nc; i++) {
		struct k8s_slot *s = &kp->slots[i];

		if (s->k8s_node)
			continue;
		s->k8s_node = xstrdup(cand[next]->name);
		if (cand[next]->gpu_type)
			log_info("provider %s: node %s: bound to Kubernetes node %s (%s:%u)",
				 kp->p->name, s->node->name, s->k8s_node, cand[next]->gpu_type,
				 cand[next]->gpus);
		else
			log_info("provider %s: node %s: bound to Kubernetes node %s (no GPU)",
				 kp->p->name, s->node->name, s->k8s_node);
		next++;
		changed = true;
	}
	if (nc - next != kn->unused_logged) {
		kn->unused_logged = nc - next;
		if (nc > next)
			log_info("provider %s: %zu Kubernetes nodes have no slot (add NodeName lines "
				 "with Provider=%s to use them)", kp->p->name, nc - next, kp->p->name);
	}
	free(cand);
	return changed;
}

static void reconcile(struct k8s_prov *kp)
{
	struct k8s_nodes *kn = kp->nodes;
	bool changed = false;

	for (size_t i = 0; i < kp->n_slots; i++)
		if (kp->slots[i].k8s_node && res_find(kn, kp->slots[i].k8s_node) < 0) {
			slot_unbind(kp, &kp->slots[i], "is gone");
			changed = true;
		}
	changed |= bind_free(kp);
	for (size_t i = 0; i < kp->n_slots; i++) {
		struct k8s_slot *s = &kp->slots[i];
		ssize_t k = res_find(kn, s->k8s_node);
		struct node *n = s->node;

		if (k >= 0) {
			slot_update(kp, s, &kn->res[k], &kn->ext[k]);
		} else if (n->pw.state == NODE_POWERING_UP) {
			power_resume_failed(kp->c, n->name, "no Kubernetes node for this slot");
		} else if (n->pw.state == NODE_POWER_ON || n->n_jobs) {
			/* Up after a restart, but its node is no more. */
			slot_lose(kp, s, "no Kubernetes node for this slot");
		}
	}
	if (changed)
		binding_save(kp);
}

/* ---- the part's interface ---------------------------------------------------- */

static int start_watch(struct k8s_prov *kp, const char *path, struct k8s_watch **w,
		       struct sky_errbuf *eb)
{
	struct k8s_watch_opts o = { 0 };

	o.path = path;
	return k8s_watch_new(kp->cfg, &o, w, eb);
}

int k8s_nodes_init(struct k8s_prov *kp, struct sky_errbuf *eb)
{
	struct k8s_nodes *kn = xcalloc(1, sizeof(*kn));
	int rc;

	pthread_mutex_init(&kn->lock, NULL);
	kn->nodes = json_object_new_object();
	kn->pods = json_object_new_object();
	kn->meta_key = xasprintf("k8s_slots/%s", kp->p->name);
	kp->nodes = kn;
	binding_load(kp);
	if ((rc = start_watch(kp, "/api/v1/nodes", &kn->wn, eb)) ||
	    (rc = start_watch(kp, "/api/v1/pods", &kn->wp, eb)))
		return rc;
	if (pthread_create(&kn->tn, NULL, node_thread, kp))
		return sky_err_set(eb, SKY_E_GENERIC, "cannot start the node watch thread");
	kn->tn_started = true;
	if (pthread_create(&kn->tp, NULL, pod_thread, kp))
		return sky_err_set(eb, SKY_E_GENERIC, "cannot start the pod watch thread");
	kn->tp_started = true;
	return 0;
}

void k8s_nodes_poll(struct k8s_prov *kp)
{
	struct k8s_nodes *kn = kp->nodes;

	if (!kn)
		return;
	pthread_mutex_lock(&kn->lock);
	if (kn->dirty && kn->nodes_synced && kn->pods_synced) {
		snapshot_make(kp, kn);
		kn->dirty = false;
		kn->have_snapshot = true;
	}
	pthread_mutex_unlock(&kn->lock);
	if (kn->have_snapshot)
		reconcile(kp);
}

void k8s_nodes_fini(struct k8s_prov *kp)
{
	struct k8s_nodes *kn = kp->nodes;

	if (!kn)
		return;
	if (kn->wn)
		k8s_watch_stop(kn->wn);
	if (kn->wp)
		k8s_watch_stop(kn->wp);
	if (kn->tn_started)
		pthread_join(kn->tn, NULL);
	if (kn->tp_started)
		pthread_join(kn->tp, NULL);
	k8s_watch_free(kn->wn);
	k8s_watch_free(kn->wp);
	json_object_put(kn->nodes);
	json_object_put(kn->pods);
	snapshot_free(kn);
	pthread_mutex_destroy(&kn->lock);
	free(kn->meta_key);
	free(kn);
	kp->nodes = NULL;
}
