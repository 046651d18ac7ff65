/*
 * prov_aws.c: the AWS EC2 provider (Type=aws), on the controller's thread.
 *
 *  size_for_job  the job's need -> the optimizer's cheapest offering that the
 *                blocklist allows (cached per job, its restart count and node
 *                count); the slot takes that instance type's vCPUs, memory
 *                and "gpu:<type as the job spells it>:<count>".
 *  resume        per job, one launch request to the worker (RunInstances,
 *                one call per node, each with its own tags and user-data)
 *                in the job's offering; the job's placement is recorded.
 *  results       success: node_set_cloud(); a launch error: blocklist_note()
 *                and the job's remaining nodes are launched in the next
 *                offering (AWS_MAX_TRIES in all), else power_resume_failed()
 *                with the EC2 error as the node's reason.
 *  suspend       TerminateInstances, node_clear_cloud().
 *  poll          every poll_secs a DescribeInstances by the cluster tag:
 *                an instance of ours found stopped/terminated unasked is a
 *                loss (spot interruption): blocklist, power_node_lost(), and
 *                the job's other nodes are powered down so that the requeued
 *                job is placed afresh; instances of our cluster that no slot
 *                owns (left by a crash) are terminated, those of slots still
 *                up after a restart are adopted.
 * Nothing here blocks: the worker (prov_aws_worker.c) makes the calls.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "aws_userdata.h"
#include "cloud_info.h"
#include "ctld.h"
#include "hostlist.h"
#include "log.h"
#include "power_save.h"
#include "prov_aws_int.h"
#include "provider.h"
#include "xalloc.h"

struct aws_fail {
	char *node, *reason;
};

struct aws_priv {
	struct provider *p;
	struct ctld *c;
	struct aws_pconf pc;
	struct catalog *cat;
	struct blocklist *bl;
	struct aws_creds *creds;
	struct aws_worker *w;
	struct event *ev;
	int wake_fd;
	struct aws_node *an;           /* per node of c->nodes (by index) */
	struct aws_plan *plans;
	size_t n_plans;
	struct aws_fail *fails;        /* resume failures to report from the loop */
	size_t n_fails;
	time_t last_describe;
	bool describing;
};

/* ---- helpers -------------------------------------------------------------- */

static struct aws_node *an_of(struct aws_priv *ap, const struct node *n)
{
	return &ap->an[n - ap->c->nodes.nodes];
}

static struct node *my_node(struct aws_priv *ap, const char *name)
{
	struct node *n = name ? node_find(&ap->c->nodes, name) : NULL;

	return n && n->prov == ap->p ? n : NULL;
}

static void an_clear(struct aws_node *an)
{
	FREE_NULL(an->id);
	FREE_NULL(an->region);
	FREE_NULL(an->zone);
	FREE_NULL(an->type);
	an->state = AWS_NODE_NONE;
	an->cancel = false;
	an->spot = false;
	an->price_u = 0;
	an->off = NULL;
	an->job_id = 0;
}

static void queue_fail(struct aws_priv *ap, const char *node, const char *reason)
{
	ap->fails = xrealloc(ap->fails, (ap->n_fails + 1) * sizeof(*ap->fails));
	ap->fails[ap->n_fails].node = xstrdup(node);
	ap->fails[ap->n_fails++].reason = xstrdup(reason);
	if (ap->ev)
		event_active(ap->ev, EV_READ, 0);
}

static uint64_t terminate_ids(struct aws_priv *ap, const char *region, char **ids, size_t n)
{
	struct aws_req *r = xcalloc(1, sizeof(*r));

	r->kind = AWS_REQ_TERMINATE;
	r->region = xstrdup(region);
	r->ids = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		r->ids[i] = xstrdup(ids[i]);
	r->n = n;
	log_info("provider %s: terminating %s%s in %s", ap->p->name, ids[0], n > 1 ? ",..." : "",
		 region);
	return aws_worker_push(ap->w, r);
}

/* ---- plans ---------------------------------------------------------------- */

static struct aws_plan *plan_find(struct aws_priv *ap, const struct job *j, uint32_t nnodes)
{
	for (size_t i = 0; i < ap->n_plans; i++)
		if (ap->plans[i].job_id == j->rec->job_id &&
		    ap->plans[i].restart == j->rec->restart_count && ap->plans[i].nodes == nnodes)
			return &ap->plans[i];
	return NULL;
}

static void plan_drop(struct aws_priv *ap, uint32_t job_id)
{
	for (size_t i = 0; i < ap->n_plans;) {
		if (ap->plans[i].job_id == job_id) {
			aws_plan_clear(&ap->plans[i]);
			ap->plans[i] = ap->plans[--ap->n_plans];
		} else {
			i++;
		}
	}
}

static uint32_t job_nodes(const struct job *j)
{
	return j->rec->num_nodes ? j->rec->num_nodes : 1;
}

/* The job's plan: cached unless its offering got blocked meanwhile. */
static struct aws_plan *plan_for(struct aws_priv *ap, const struct job *j, uint32_t nnodes,
				 struct sky_errbuf *eb)
{
	struct aws_plan *pl = plan_find(ap, j, nnodes), fresh;
	time_t now = time(NULL);

	/* "Nothing fits" is looked at again once in a while: blocks expire. */
	if (pl && pl->ok && !blocklist_match(ap->bl, pl->choice.off, pl->choice.spot, now))
		return pl;
	if (pl && !pl->ok && now - pl->made < 5)
		return pl;
	if (aws_plan_make(&ap->pc, ap->cat, ap->bl, j, nnodes, now, &fresh, eb)) {
		aws_plan_clear(&fresh);
		return NULL;
	}
	if (pl) {
		fresh.tries = pl->tries;
		fresh.made = now;
		aws_plan_clear(pl);
		*pl = fresh;
		return pl;
	}
	fresh.made = now;
	ap->plans = xrealloc(ap->plans, (ap->n_plans + 1) * sizeof(*ap->plans));
	ap->plans[ap->n_plans] = fresh;
	return &ap->plans[ap->n_plans++];
}

static void record_placement(struct aws_priv *ap, struct job *j, const struct aws_plan *pl,
			     bool commit)
{
	char *text = opt_choice_str(&pl->choice);
	struct sky_errbuf eb;

	job_set_placement(j, text, pl->choice.job_price_u);
	free(text);
	sky_err_clear(&eb);
	if (commit && job_commit(ap->c, j, &eb))
		log_error("job %u: placement not saved: %s", j->rec->job_id, sky_err_msg(&eb));
}

/* Slots of this provider with an instance or on their way to one. */
static uint32_t nodes_in_use(struct aws_priv *ap)
{
	uint32_t used = 0;

	for (size_t i = 0; i < ap->c->nodes.count; i++) {
		const struct node *n = &ap->c->nodes.nodes[i];
		if (n->prov == ap->p && (ap->an[i].state != AWS_NODE_NONE ||
					 n->pw.state == NODE_POWERING_UP || n->pw.state == NODE_POWER_ON))
			used++;
	}
	return used;
}

static char *gres_of(const struct aws_plan *pl)
{
	const struct offering *o = pl->choice.off;
	char *type, *gres;

	if (!o->accel_count)
		return NULL;
	type = xstrdup(pl->gpu_type && *pl->gpu_type ? pl->gpu_type : o->accel);
	if (!pl->gpu_type || !*pl->gpu_type)
		for (char *s = type; *s; s++)
			*s = (char)tolower((unsigned char)*s);
	gres = xasprintf("gpu:%s:%u", type, o->accel_count);
	free(type);
	return gres;
}

static int aws_size_for_job(struct provider *p, const struct node *n, const struct job *j,
			    uint32_t nnodes, struct node_hw *out, struct sky_errbuf *eb)
{
	struct aws_priv *ap = p->priv;
	bool fresh = !plan_find(ap, j, nnodes);
	struct aws_plan *pl;

	(void)n;
	if (!(pl = plan_for(ap, j, nnodes, eb)))
		return eb->code ? eb->code : SKY_E_NODE_CONFIG;
	if (!pl->ok)
		return sky_err_set(eb, SKY_E_NODE_CONFIG, "%s", pl->why);
	if (ap->pc.max_nodes && nodes_in_use(ap) + nnodes > ap->pc.max_nodes)
		return sky_err_set(eb, SKY_E_NODE_CONFIG, "MaxNodes=%u of provider %s reached",
				   ap->pc.max_nodes, p->name);
	out->cpus = pl->choice.off->vcpus;
	out->real_memory_mb = pl->choice.off->mem_mib;
	out->gres = gres_of(pl);
	out->features = NULL;
	if (fresh)
		record_placement(ap, (struct job *)j, pl, false);
	return 0;
}

static char *aws_preview(struct provider *p, const struct job *j, uint32_t nnodes,
			 int64_t *price_u)
{
	struct aws_priv *ap = p->priv;
	struct aws_plan pl;
	struct sky_errbuf eb;
	char *text = NULL;

	sky_err_clear(&eb);
	if (!aws_plan_make(&ap->pc, ap->cat, ap->bl, j, nnodes, time(NULL), &pl, &eb) && pl.ok) {
		text = opt_choice_str(&pl.choice);
		*price_u = pl.choice.job_price_u;
	}
	aws_plan_clear(&pl);
	return text;
}

/* ---- launches ------------------------------------------------------------- */

static char *ctld_host(const struct sky_conf *conf)
{
	return conf->ctld_addr ? conf->ctld_addr : conf->ctld_host;
}

static void launch(struct aws_priv *ap, uint32_t job_id, const struct opt_choice *ch, int try_no,
		   char **names, size_t n)
{
	struct aws_req *r = xcalloc(1, sizeof(*r));
	const struct sky_conf *conf = ap->c->conf;
	char *text = opt_choice_str(ch);
	uint64_t seq;

	r->kind = AWS_REQ_LAUNCH;
	r->job_id = job_id;
	r->try_no = try_no;
	r->region = xstrdup(ch->off->region);
	r->zone = xstrdup(ch->off->zone);
	r->type = xstrdup(ch->off->type);
	r->spot = ch->spot;
	r->off = ch->off;
	r->price_u = ch->node_price_u;
	r->n = n;
	r->nodes = xcalloc(n + 1, sizeof(char *));
	r->user_data = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		struct aws_userdata_vars v = { names[i], conf->cluster_name, ctld_host(conf),
					       conf->path, ch->off->type, ch->off->region,
					       ch->off->zone, conf->ctld_port, ch->spot };
		r->nodes[i] = xstrdup(names[i]);
		r->user_data[i] = aws_userdata_render(ap->pc.user_data_tmpl, &v);
	}
	seq = aws_worker_push(ap->w, r);
	for (size_t i = 0; i < n; i++) {
		struct aws_node *an = an_of(ap, my_node(ap, names[i]));
		an->state = AWS_NODE_LAUNCHING;
		an->cancel = false;
		an->job_id = job_id;
		an->seq = seq;
	}
	log_info("provider %s: job %u: launching %zu node(s) %s%s: %s (try %d)", ap->p->name, job_id,
		 n, names[0], n > 1 ? ",..." : "", text, try_no);
	free(text);
}

/* A resume without a job (scontrol power up): the cheapest fit for the slot. */
static void launch_bare(struct aws_priv *ap, struct node *n)
{
	struct opt_request req = { 0 };
	struct opt_choice ch;
	size_t got = 0;
	struct sky_errbuf eb;
	static const char *const clouds[] = { "aws" };

	req.cpus_per_node = n->cn && n->cn->cpus ? n->cn->cpus : 1;
	req.mem_mib_per_node = n->cn ? n->cn->real_memory_mb : 0;
	req.nodes = 1;
	req.clouds = clouds;
	req.n_clouds = 1;
	req.regions = (const char *const *)ap->pc.regions;
	req.n_regions = ap->pc.n_regions;
	req.zones = (const char *const *)ap->pc.zones;
	req.n_zones = ap->pc.n_zones;
	req.type_globs = (const char *const *)ap->pc.globs;
	req.n_type_globs = ap->pc.n_globs;
	req.spot = ap->pc.spot;
	sky_err_clear(&eb);
	if (optimizer_place(ap->cat, ap->bl, &req, time(NULL), &ch, 1, &got, NULL, &eb) || !got) {
		char *why = optimizer_why_none(ap->cat, ap->bl, &req, time(NULL));
		queue_fail(ap, n->name, why);
		free(why);
		return;
	}
	launch(ap, 0, &ch, 1, &n->name, 1);
}

static void resume_job(struct aws_priv *ap, struct job *j, char **names, size_t n)
{
	struct sky_errbuf eb;
	struct aws_plan *pl;

	sky_err_clear(&eb);
	if (!(pl = plan_for(ap, j, job_nodes(j), &eb)) || !pl->ok) {
		const char *why = pl ? pl->why : sky_err_msg(&eb);
		for (size_t i = 0; i < n; i++)
			queue_fail(ap, names[i], why);
		return;
	}
	pl->tries = 1;
	record_placement(ap, j, pl, true);
	launch(ap, j->rec->job_id, &pl->choice, 1, names, n);
}

static int aws_resume(struct provider *p, const struct provider_resume *req,
		      struct sky_errbuf *eb)
{
	struct aws_priv *ap = p->priv;
	bool *done = xcalloc(req->n_names + 1, sizeof(bool));

	(void)eb;
	for (size_t k = 0; k < req->n_jobs; k++) {
		const struct provider_resume_job *rj = &req->jobs[k];
		char **names = NULL;
		size_t n = 0;
		struct sky_errbuf tmp;

		sky_err_clear(&tmp);
		if (hostlist_expand(rj->nodes_resume, &names, &n, &tmp) == 0 && n) {
			size_t mine = 0;

			/* Only this provider's slots (a partition may mix providers). */
			for (size_t i = 0; i < n; i++) {
				if (my_node(ap, names[i])) {
					char *t = names[mine];
					names[mine++] = names[i];
					names[i] = t;
				}
			}
			if (mine)
				resume_job(ap, (struct job *)rj->job, names, mine);
		}
		for (size_t i = 0; i < req->n_names; i++)
			done[i] = done[i] || node_name_in(names, n, req->names[i]);
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
	}
	for (size_t i = 0; i < req->n_names; i++) {
		struct node *n = my_node(ap, req->names[i]);
		if (!done[i] && n)
			launch_bare(ap, n);
	}
	free(done);
	return 0;
}

/* ---- suspend -------------------------------------------------------------- */

static void stop_instance(struct aws_priv *ap, struct node *n, struct aws_node *an)
{
	if (an->state == AWS_NODE_LAUNCHING) {
		an->cancel = true;
		return;
	}
	if (an->state == AWS_NODE_UP && an->id) {
		an->term_seq = terminate_ids(ap, an->region, &an->id, 1);
	}
	an_clear(an);
	node_clear_cloud(n);
	power_node_forget_hw(n);
}

static int aws_suspend(struct provider *p, const char *nodes, char *const *names, size_t n,
		       struct sky_errbuf *eb)
{
	struct aws_priv *ap = p->priv;

	(void)nodes;
	(void)eb;
	for (size_t i = 0; i < n; i++) {
		struct node *nd = my_node(ap, names[i]);
		if (nd)
			stop_instance(ap, nd, an_of(ap, nd));
	}
	return 0;
}

/* ---- results -------------------------------------------------------------- */

static void node_up(struct node *n, struct aws_node *an,
		    const struct aws_res *res, const char *id)
{
	an->state = AWS_NODE_UP;
	an->id = xstrdup(id);
	an->region = xstrdup(res->region);
	an->zone = xstrdup(res->zone ? res->zone : "");
	an->type = xstrdup(res->type);
	an->spot = res->spot;
	an->price_u = res->price_u;
	an->off = res->off;
	an->seq = res->seq;
	an->job_id = res->job_id;
	node_set_cloud(n, an->id, an->type, an->region, an->zone, an->spot, an->price_u);
}

/* May this launch fail over to another offering? Not when the cloud itself
 * refuses us (credentials) or cannot be reached. */
static bool may_fail_over(const struct aws_res *res)
{
	return res->err.klass != AWS_ERR_AUTH && res->err.klass != AWS_ERR_NETWORK;
}

static void launch_failed(struct aws_priv *ap, struct aws_res *res, char **want, size_t n_want)
{
	struct job *j = res->job_id ? job_find(&ap->c->jobs, res->job_id) : NULL;
	time_t now = time(NULL);
	struct aws_plan *pl = NULL;
	struct sky_errbuf eb;
	char *reason = xstrdup(res->reason ? res->reason : "launch failed");

	log_error("provider %s: job %u: launch in %s %s %s failed: %s", ap->p->name, res->job_id,
		  res->zone && *res->zone ? res->zone : res->region, res->type,
		  res->spot ? "spot" : "on-demand", reason);
	if (res->off)
		blocklist_note(ap->bl, res->off, res->spot, res->err.code[0] ? res->err.code : NULL,
			       now);
	sky_err_clear(&eb);
	if (j && n_want && res->try_no < AWS_MAX_TRIES && may_fail_over(res) &&
	    power_job_configuring(j) && (pl = plan_for(ap, j, job_nodes(j), &eb)) && pl->ok) {
		pl->tries = res->try_no + 1;
		record_placement(ap, j, pl, true);
		launch(ap, j->rec->job_id, &pl->choice, res->try_no + 1, want, n_want);
		free(reason);
		return;
	}
	if (pl && !pl->ok)
		log_info("provider %s: job %u: no other offering: %s", ap->p->name, res->job_id,
			 pl->why);
	for (size_t i = 0; i < n_want; i++) {
		struct node *n = my_node(ap, want[i]);
		an_clear(an_of(ap, n));
		power_resume_failed(ap->c, want[i], reason);
	}
	free(reason);
}

static void apply_launch(struct aws_priv *ap, struct aws_res *res)
{
	char **want = xcalloc(res->n + 1, sizeof(char *));
	size_t n_want = 0;

	for (size_t i = 0; i < res->n; i++) {
		struct node *n = my_node(ap, res->nodes[i]);
		struct aws_node *an = n ? an_of(ap, n) : NULL;
		bool wanted = an && an->state == AWS_NODE_LAUNCHING && an->seq == res->seq &&
			      !an->cancel && n->pw.state == NODE_POWERING_UP;

		if (res->ids[i] && (!res->failed && wanted)) {
			log_info("provider %s: node %s: instance %s (%s %s%s) launched in %ld ms",
				 ap->p->name, n->name, res->ids[i], res->type,
				 res->zone && *res->zone ? res->zone : res->region,
				 res->spot ? " spot" : "", res->elapsed_ms);
			an_clear(an);
			node_up(n, an, res, res->ids[i]);
			continue;
		}
		if (res->ids[i])   /* not wanted any more, or the job's launch failed */
			terminate_ids(ap, res->region, &res->ids[i], 1);
		if (an && an->seq == res->seq && an->state == AWS_NODE_LAUNCHING) {
			if (wanted)
				want[n_want++] = res->nodes[i];
			else
				an_clear(an);
		}
	}
	if (res->failed)
		launch_failed(ap, res, want, n_want);
	free(want);
}

static bool alive(const struct aws_instance *in)
{
	return in->state && (!strcmp(in->state, "pending") || !strcmp(in->state, "running"));
}

static const char *tag_of(const struct aws_instance *in, const char *key)
{
	for (size_t i = 0; i < in->n_tags; i++)
		if (!strcmp(in->tags[i].key, key))
			return in->tags[i].value;
	return NULL;
}

static const struct aws_instance *find_instance(const struct aws_res *res, const char *id)
{
	for (size_t i = 0; i < res->list.n; i++)
		if (res->list.v[i].id && !strcmp(res->list.v[i].id, id))
			return &res->list.v[i];
	return NULL;
}

/* n's instance went away without our asking. */
static void node_lost(struct aws_priv *ap, struct node *n, struct aws_node *an,
		      const struct aws_instance *in)
{
	const char *code = in && in->reason_code && *in->reason_code ? in->reason_code : NULL;
	struct node **mates = NULL;
	size_t n_mates = 0;
	struct job *j;
	char *reason;

	if (an->spot && (!code || !strcmp(code, "Server.SpotInstanceTermination")))
		reason = xstrdup("spot interruption (Server.SpotInstanceTermination)");
	else if (in && in->reason_message && *in->reason_message)
		/* EC2's message usually starts with the code itself. */
		reason = xasprintf("instance %s %s (%s)", an->id, in->state ? in->state : "?",
				   code && strncmp(in->reason_message, code, strlen(code)) ?
				   code : in->reason_message);
	else if (in)
		reason = xasprintf("instance %s %s (%s)", an->id, in->state ? in->state : "?",
				   code ? code : "no reason given");
	else
		reason = xasprintf("instance %s is gone", an->id);
	log_error("provider %s: node %s: %s", ap->p->name, n->name, reason);
	/* The other nodes of its jobs, before the requeue frees them. */
	JOB_FOREACH(&ap->c->jobs, j) {
		if (!job_holds_node(j, n))
			continue;
		for (size_t i = 0; i < j->n_alloc; i++) {
			struct node *o = j->alloc[i].node;
			if (o == n || o->prov != ap->p)
				continue;
			mates = xrealloc(mates, (n_mates + 1) * sizeof(*mates));
			mates[n_mates++] = o;
		}
	}
	if (an->off)
		blocklist_note(ap->bl, an->off, an->spot,
			       code ? code : (an->spot ? "Server.SpotInstanceTermination" : NULL),
			       time(NULL));
	an_clear(an);
	node_clear_cloud(n);
	power_node_lost(ap->c, n->name, reason);
	free(reason);
	/* The requeued job is placed afresh, all its nodes in one new offering:
	 * its other nodes go too (at once when idle, else once they are), and
	 * take no job meanwhile (ASAP), or the rerun would land on one of them. */
	for (size_t i = 0; i < n_mates; i++) {
		struct node *o = mates[i];
		struct sky_errbuf eb;

		if (o->pw.state != NODE_POWER_ON && o->pw.state != NODE_POWERING_UP)
			continue;
		sky_err_clear(&eb);
		log_info("provider %s: node %s: powering down with lost node %s", ap->p->name,
			 o->name, n->name);
		if (power_update_node(ap->c, o->name, "POWER_DOWN_ASAP", NULL, &eb))
			log_error("node %s: %s", o->name, sky_err_msg(&eb));
	}
	free(mates);
}

static int64_t catalog_price(struct aws_priv *ap, const struct aws_instance *in)
{
	for (size_t i = 0; i < ap->cat->n; i++) {
		const struct offering *o = &ap->cat->v[i];
		if (!strcmp(o->cloud, "aws") && in->type && !strcmp(o->type, in->type) && in->zone &&
		    !strcmp(o->zone, in->zone))
			return in->spot ? o->spot_u : o->price_u;
	}
	return 0;
}

/* An alive instance of our cluster: ours, adoptable (a slot still up after
 * a restart), or an orphan to terminate. */
static void check_alive(struct aws_priv *ap, const struct aws_res *res, const struct aws_instance *in,
			const char *region)
{
	struct node *n = my_node(ap, tag_of(in, AWS_TAG_NODE));
	struct aws_node *an = n ? an_of(ap, n) : NULL;
	char *id = in->id;

	if (an && an->state == AWS_NODE_UP && an->id && !strcmp(an->id, in->id))
		return;
	if (an && an->state == AWS_NODE_NONE && res->seq > an->term_seq &&
	    (n->pw.state == NODE_POWER_ON || n->pw.state == NODE_POWERING_UP)) {
		log_info("provider %s: node %s: adopting instance %s (%s in %s)", ap->p->name,
			 n->name, in->id, in->type ? in->type : "?", in->zone ? in->zone : region);
		an->state = AWS_NODE_UP;
		an->id = xstrdup(in->id);
		an->region = xstrdup(region);
		an->zone = xstrdup(in->zone ? in->zone : "");
		an->type = xstrdup(in->type ? in->type : "");
		an->spot = in->spot;
		an->price_u = catalog_price(ap, in);
		an->seq = res->seq;
		node_set_cloud(n, an->id, an->type, an->region, an->zone, an->spot, an->price_u);
		return;
	}
	if (an && res->seq < an->term_seq)
		return;   /* this look predates our own terminate of that slot */
	log_info("provider %s: instance %s (node %s) belongs to no node: terminating", ap->p->name,
		 in->id, tag_of(in, AWS_TAG_NODE) ? tag_of(in, AWS_TAG_NODE) : "?");
	terminate_ids(ap, region, &id, 1);
}

static void apply_describe(struct aws_priv *ap, struct aws_res *res)
{
	ap->describing = false;
	if (res->failed) {
		log_error("provider %s: DescribeInstances: %s", ap->p->name, res->reason);
		return;
	}
	for (size_t i = 0; i < ap->c->nodes.count; i++) {
		struct node *n = &ap->c->nodes.nodes[i];
		struct aws_node *an = &ap->an[i];
		const struct aws_instance *in;

		if (n->prov != ap->p || an->state != AWS_NODE_UP || an->seq >= res->seq)
			continue;
		in = find_instance(res, an->id);
		if (!in || !alive(in))
			node_lost(ap, n, an, in);
	}
	for (size_t i = 0; i < res->list.n; i++)
		if (alive(&res->list.v[i]))
			check_alive(ap, res, &res->list.v[i], res->list_regions[i]);
}

static void drain(struct aws_priv *ap)
{
	struct aws_res *res = aws_worker_results(ap->w);
	struct aws_fail *fails = ap->fails;
	size_t n_fails = ap->n_fails;

	ap->fails = NULL;
	ap->n_fails = 0;
	for (size_t i = 0; i < n_fails; i++) {
		struct node *n = my_node(ap, fails[i].node);
		if (n)
			an_clear(an_of(ap, n));
		power_resume_failed(ap->c, fails[i].node, fails[i].reason);
		free(fails[i].node);
		free(fails[i].reason);
	}
	free(fails);
	while (res) {
		struct aws_res *next = res->next;

		if (res->kind == AWS_REQ_LAUNCH)
			apply_launch(ap, res);
		else if (res->kind == AWS_REQ_DESCRIBE)
			apply_describe(ap, res);
		else if (res->failed)
			log_error("provider %s: TerminateInstances in %s: %s", ap->p->name,
				  res->region, res->reason);
		aws_res_free(res);
		res = next;
	}
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	drain(arg);
}

/* ---- lifecycle ------------------------------------------------------------ */

/* Results wake the loop at once. Providers start before the loop exists:
 * then the first poll sets this up. */
static void watch(struct aws_priv *ap)
{
	if (ap->ev || !ap->c->base)
		return;
	ap->ev = event_new(ap->c->base, ap->wake_fd, EV_READ | EV_PERSIST, on_wake, ap);
	if (ap->ev)
		event_add(ap->ev, NULL);
}

static void describe(struct aws_priv *ap)
{
	struct aws_req *r = xcalloc(1, sizeof(*r));

	r->kind = AWS_REQ_DESCRIBE;
	ap->describing = true;
	ap->last_describe = time(NULL);
	aws_worker_push(ap->w, r);
}

/* Plans of jobs that are gone or placed are dropped. */
static void prune_plans(struct aws_priv *ap)
{
	for (size_t i = 0; i < ap->n_plans;) {
		struct job *j = job_find(&ap->c->jobs, ap->plans[i].job_id);
		if (!j || job_is_finished(j) || j->rec->restart_count != ap->plans[i].restart ||
		    (job_is_running(j) && !power_job_configuring(j))) {
			plan_drop(ap, ap->plans[i].job_id);
			i = 0;
			continue;
		}
		i++;
	}
}

static void aws_poll(struct provider *p)
{
	struct aws_priv *ap = p->priv;
	time_t now = time(NULL);

	watch(ap);
	drain(ap);
	prune_plans(ap);
	blocklist_expire(ap->bl, now);
	if (!ap->describing && now - ap->last_describe >= (time_t)ap->pc.poll_secs)
		describe(ap);
}

static int resolve_creds(const struct aws_pconf *pc, struct aws_creds **out,
			 struct sky_errbuf *eb)
{
	struct aws_creds_opts o = { 0 };

	o.profile = pc->profile;
	o.endpoint = pc->endpoint;
	o.region = pc->regions[0];
	return aws_creds_resolve(&o, out, eb);
}

static int aws_check(const struct sky_conf *conf, const char *name, const struct conf_provider *cp,
		     struct sky_errbuf *eb)
{
	struct aws_pconf pc;
	struct catalog *cat = NULL;
	struct aws_creds *cr = NULL;
	int rc;

	(void)name;
	if ((rc = aws_pconf_parse(conf, cp, &pc, eb)))
		return rc;
	if (!(rc = aws_catalog_load(&pc, &cat, eb)))
		rc = resolve_creds(&pc, &cr, eb);
	catalog_free(cat);
	aws_creds_free(cr);
	aws_pconf_free(&pc);
	return rc;
}

static int aws_init(struct ctld *c, struct provider *p)
{
	struct aws_priv *ap = xcalloc(1, sizeof(*ap));
	struct aws_worker_cfg wc = { 0 };
	struct sky_errbuf eb;
	int rc, fd = -1;

	p->priv = ap;
	ap->p = p;
	ap->c = c;
	ap->an = xcalloc(c->nodes.count + 1, sizeof(*ap->an));
	ap->bl = blocklist_new();
	sky_err_clear(&eb);
	if ((rc = aws_pconf_parse(c->conf, p->cp, &ap->pc, &eb)) ||
	    (rc = aws_catalog_load(&ap->pc, &ap->cat, &eb)) ||
	    (rc = resolve_creds(&ap->pc, &ap->creds, &eb)))
		goto fail;
	wc.creds = ap->creds;
	wc.image = ap->pc.image;
	wc.subnet = ap->pc.subnet;
	wc.iam_profile = ap->pc.iam_profile;
	wc.cluster = c->conf->cluster_name;
	wc.sgs = ap->pc.sgs;
	wc.n_sgs = ap->pc.n_sgs;
	wc.regions = ap->pc.regions;
	wc.n_regions = ap->pc.n_regions;
	if ((rc = aws_worker_start(&wc, &ap->w, &fd, &eb)))
		goto fail;
	ap->wake_fd = fd;
	watch(ap);
	cloud_preview_register(p, aws_preview);
	log_info("provider %s: aws, regions %s%s, spot %s, catalog %s, credentials from %s, poll %u s",
		 p->name, ap->pc.regions[0], ap->pc.n_regions > 1 ? ",..." : "",
		 opt_spot_str(ap->pc.spot), ap->pc.catalog, ap->creds->source ? ap->creds->source : "?",
		 ap->pc.poll_secs);
	/* The first look also terminates what a crash left behind. */
	describe(ap);
	return 0;
fail:
	log_error("provider %s: %s", p->name, sky_err_msg(&eb));
	return rc;
}

static void aws_fini(struct provider *p)
{
	struct aws_priv *ap = p->priv;

	if (!ap)
		return;
	cloud_preview_register(p, NULL);
	if (ap->ev)
		event_free(ap->ev);
	aws_worker_stop(ap->w);
	for (size_t i = 0; i < ap->c->nodes.count; i++)
		an_clear(&ap->an[i]);
	free(ap->an);
	for (size_t i = 0; i < ap->n_plans; i++)
		aws_plan_clear(&ap->plans[i]);
	free(ap->plans);
	for (size_t i = 0; i < ap->n_fails; i++) {
		free(ap->fails[i].node);
		free(ap->fails[i].reason);
	}
	free(ap->fails);
	blocklist_free(ap->bl);
	catalog_free(ap->cat);
	aws_creds_free(ap->creds);
	aws_pconf_free(&ap->pc);
	free(ap);
	p->priv = NULL;
}

/* The offering is being reclaimed: the requeued job (and any other) should
 * look elsewhere first, as after a loss, even before the instance is gone. */
static void aws_notice(struct provider *p, struct node *n, time_t now)
{
	struct aws_priv *ap = p->priv;
	struct aws_node *an;

	if (!my_node(ap, n->name))
		return;
	an = an_of(ap, n);
	if (an->state == AWS_NODE_UP && an->off)
		blocklist_note(ap->bl, an->off, an->spot,
			       an->spot ? "Server.SpotInstanceTermination" : NULL, now);
}

const struct provider_ops prov_aws_ops = {
	.name = "aws",
	.check = aws_check,
	.init = aws_init,
	.resume = aws_resume,
	.suspend = aws_suspend,
	.size_for_job = aws_size_for_job,
	.poll = aws_poll,
	.fini = aws_fini,
	.notice = aws_notice,
};
