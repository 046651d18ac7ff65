/*
 * prov_k8s.c: the Kubernetes provider (Type=kubernetes), on the controller's
 * thread: its ProviderName record, start-up and shutdown, and the ops.
 *
 * Slots are bound to Kubernetes nodes by prov_k8s_nodes.c; a bound Ready
 * slot is up (provider_run, registered by us, no agent) and stays up while
 * bound: resume and suspend have little to do. resume: a bound slot is put
 * back up at the next poll (scontrol power up after a power down), an
 * unbound one fails (nothing to run on). suspend: nothing (the node is not
 * ours to release). Jobs run as pods (prov_k8s_launch.c, prov_k8s_pods.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <event2/event.h>

#include "ctld.h"
#include "log.h"
#include "prov_k8s_int.h"
#include "provider.h"
#include "xalloc.h"

/* The loop's watch of the wake pipe (not in the shared struct: ours only). */
struct k8s_loop {
	struct event *ev;
};

struct k8s_slot *k8s_slot_of(struct k8s_prov *kp, const struct node *n)
{
	for (size_t i = 0; kp && i < kp->n_slots; i++)
		if (kp->slots[i].node == n)
			return &kp->slots[i];
	return NULL;
}

struct k8s_prov *k8s_prov_of(struct provider *p)
{
	return p && p->ops == &prov_k8s_ops ? p->priv : NULL;
}

void k8s_prov_wake(struct k8s_prov *kp)
{
	if (kp)
		wake_pipe_poke(&kp->wake, kp->p->name);
}

char *k8s_job_object_name(const struct k8s_prov *kp, uint32_t job_id)
{
	return xasprintf("%s-%u", kp->name_prefix, job_id);
}

char *k8s_pod_name(const struct k8s_prov *kp, uint32_t job_id, uint32_t rank)
{
	return xasprintf("%s-%u-%u", kp->name_prefix, job_id, rank);
}

/* Kubeconfig=, else $KUBECONFIG or ~/.kube/config, else in-cluster. */
static int load_config(const struct k8s_pconf *pc, struct k8s_config **out, struct sky_errbuf *eb)
{
	const char *home = getenv("HOME");
	char *dflt = xasprintf("%s/.kube/config", home ? home : "");
	struct stat st;
	bool in_cluster = !pc->kubeconfig && !getenv("KUBECONFIG") && stat(dflt, &st) &&
			  getenv("KUBERNETES_SERVICE_HOST");

	free(dflt);
	if (in_cluster)
		return k8s_config_in_cluster(NULL, out, eb);
	return k8s_config_load(pc->kubeconfig, pc->context, out, eb);
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct k8s_prov *kp = arg;

	(void)fd;
	(void)what;
	wake_pipe_drain(&kp->wake);
	kp->p->ops->poll(kp->p);
}

/* Providers start before the loop exists: the first poll sets this up. */
static void watch_wake(struct k8s_prov *kp, struct k8s_loop *lp)
{
	if (lp->ev || !kp->c->base || kp->wake.rd < 0)
		return;
	lp->ev = event_new(kp->c->base, kp->wake.rd, EV_READ | EV_PERSIST, on_wake, kp);
	if (lp->ev)
		event_add(lp->ev, NULL);
}

/* ---- the ops -------------------------------------------------------------- */

static int k8s_check(const struct sky_conf *conf, const char *name, const struct conf_provider *cp,
		     struct sky_errbuf *eb)
{
	struct k8s_pconf pc;
	struct k8s_config *cfg = NULL;
	int rc;

	(void)conf;
	(void)name;
	if ((rc = k8s_pconf_parse(cp, &pc, eb)))
		return rc;
	rc = load_config(&pc, &cfg, eb);
	k8s_config_free(cfg);
	k8s_pconf_free(&pc);
	return rc;
}

static void k8s_poll(struct provider *p)
{
	struct k8s_prov *kp = p->priv;

	if (!kp)
		return;
	watch_wake(kp, kp->loop);
	k8s_nodes_poll(kp);
	k8s_jobs_poll(kp);
	k8s_pods_poll(kp);
}

static void free_prov(struct k8s_prov *kp)
{
	struct k8s_loop *lp = kp->loop;

	if (lp) {
		if (lp->ev)
			event_free(lp->ev);
		free(lp);
	}
	wake_pipe_close(&kp->wake);
	for (size_t i = 0; i < kp->n_slots; i++) {
		free(kp->slots[i].k8s_node);
		free(kp->slots[i].hostname_label);
		free(kp->slots[i].k8s_uid);
	}
	free(kp->slots);
	k8s_config_free(kp->cfg);
	k8s_pconf_free(&kp->pc);
	free(kp->cluster);
	free(kp->name_prefix);
	free(kp);
}

/* The slots: every node whose Provider= is p (n->prov is not set yet). */
static void make_slots(struct ctld *c, struct k8s_prov *kp)
{
	for (size_t i = 0; i < c->nodes.count; i++) {
		struct node *n = &c->nodes.nodes[i];

		if (strcmp(n->prov_name, kp->p->name))
			continue;
		kp->slots = xrealloc(kp->slots, (kp->n_slots + 1) * sizeof(*kp->slots));
		memset(&kp->slots[kp->n_slots], 0, sizeof(*kp->slots));
		kp->slots[kp->n_slots++].node = n;
		n->provider_run = true;
		/* Unbound until discovery binds it: no hardware, nothing to run on. */
		n->pw.state = NODE_POWER_OFF;
	}
}

static int k8s_init(struct ctld *c, struct provider *p)
{
	struct k8s_prov *kp = xcalloc(1, sizeof(*kp));
	struct k8s_loop *lp = xcalloc(1, sizeof(*lp));
	struct sky_errbuf eb;
	int rc;

	sky_err_clear(&eb);
	kp->loop = lp;
	kp->wake = (struct wake_pipe)WAKE_PIPE_INIT;
	kp->p = p;
	kp->c = c;
	p->priv = kp;
	kp->cluster = k8s_dns_name(c->conf->cluster_name ? c->conf->cluster_name : "sky");
	kp->name_prefix = xasprintf("sky-%s", kp->cluster);
	if ((rc = k8s_pconf_parse(p->cp, &kp->pc, &eb)) || (rc = load_config(&kp->pc, &kp->cfg, &eb)) ||
	    (rc = wake_pipe_open(&kp->wake, &eb)))
		goto fail;
	make_slots(c, kp);
	watch_wake(kp, lp);
	if ((rc = k8s_nodes_init(kp, &eb)) || (rc = k8s_jobs_init(kp, &eb)) ||
	    (rc = k8s_pods_init(kp, &eb)))
		goto fail;
	log_info("provider %s: kubernetes, namespace %s, image %s, %zu slots, %zu GPU rules%s%s",
		 p->name, kp->pc.ns, kp->pc.image, kp->n_slots, kp->pc.n_rules,
		 kp->pc.context ? ", context " : "", kp->pc.context ? kp->pc.context : "");
	return 0;
fail:
	log_error("provider %s: %s", p->name, sky_err_msg(&eb));
	p->ops->fini(p);
	return rc ? rc : SKY_E_CONFIG;
}

static void k8s_fini(struct provider *p)
{
	struct k8s_prov *kp = p->priv;

	if (!kp)
		return;
	/* Each part's fini copes with a part that never started. */
	k8s_pods_fini(kp);
	k8s_jobs_fini(kp);
	k8s_nodes_fini(kp);
	free_prov(kp);
	p->priv = NULL;
}

static int k8s_resume(struct provider *p, const struct provider_resume *req, struct sky_errbuf *eb)
{
	(void)req;
	(void)eb;
	/* The next poll puts bound slots up and fails unbound ones. */
	k8s_prov_wake(p->priv);
	return 0;
}

static int k8s_suspend(struct provider *p, const char *nodes, char *const *names, size_t n,
		       struct sky_errbuf *eb)
{
	(void)names;
	(void)n;
	(void)eb;
	log_debug("provider %s: suspend %s: nothing to release (Kubernetes nodes are not ours)",
		  p->name, nodes);
	return 0;
}

static int k8s_launch(struct provider *p, struct job *j, const struct job_launch_msg *m,
		      struct sky_errbuf *eb)
{
	return k8s_job_launch(p->priv, j, m, eb);
}

static int k8s_signal(struct provider *p, struct job *j, int sig, struct sky_errbuf *eb)
{
	return k8s_job_signal(p->priv, j, sig, eb);
}

static void k8s_kill(struct provider *p, struct job *j)
{
	k8s_job_kill(p->priv, j);
}

const struct provider_ops prov_k8s_ops = {
	.name = "kubernetes",
	.check = k8s_check,
	.init = k8s_init,
	.resume = k8s_resume,
	.suspend = k8s_suspend,
	.poll = k8s_poll,
	.fini = k8s_fini,
	.launch = k8s_launch,
	.signal = k8s_signal,
	.kill = k8s_kill,
};
