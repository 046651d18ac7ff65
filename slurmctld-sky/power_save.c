/* power_save.c: see power_save.h. The failure paths and scontrol's power
 * commands are in power_ctl.c; what both share is in power_int.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <strings.h>

#include "ctld.h"
#include "hostlist.h"
#include "job_launch.h"
#include "listener.h"
#include "log.h"
#include "power_int.h"
#include "power_save.h"
#include "provider.h"
#include "sched_fifo.h"
#include "timefmt.h"
#include "xalloc.h"

/* ---- settings ------------------------------------------------------------ */

/* node > partition (the highest of its partitions) > global. */
static uint32_t resolve(uint32_t node_val, uint32_t global, const struct ctld *c,
			const struct node *n, size_t field_off)
{
	uint32_t best = SKY_NO_VAL;

	if (node_val != SKY_NO_VAL)
		return node_val;
	for (size_t i = 0; i < c->parts.count; i++) {
		const struct partition *p = &c->parts.parts[i];
		const struct conf_partition *cp = conf_find_partition(c->conf, p->name);
		uint32_t v;

		if (!cp || !part_has_node(p, n))
			continue;
		v = *(const uint32_t *)(const void *)((const char *)cp + field_off);
		if (v != SKY_NO_VAL && (best == SKY_NO_VAL || v > best))
			best = v;
	}
	return best != SKY_NO_VAL ? best : global;
}

static bool in_part_list(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *s = list; s && *s;) {
		size_t l = strcspn(s, ",");
		if (l == len && !strncmp(s, name, len))
			return true;
		s += l + (s[l] == ',');
	}
	return false;
}

/* SuspendExcNodes=expr[:N],... into groups; plain groups mark nodes excluded. */
static void parse_exc_nodes(struct ctld *c, struct power_save *ps)
{
	struct conf_exc_group *cg;
	size_t n;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	/* The config was checked at load; a value that fails here excludes nothing. */
	if (!c->conf->suspend_exc_nodes || conf_exc_groups(c->conf->suspend_exc_nodes, &cg, &n, &eb))
		return;
	for (size_t i = 0; i < n; i++) {
		struct power_exc_group g = { .keep = cg[i].keep, .counted = cg[i].counted };

		sky_err_clear(&eb);
		if (hostlist_expand(cg[i].hostlist, &g.names, &g.n, &eb) == 0) {
			ps->groups = xrealloc(ps->groups, (ps->n_groups + 1) * sizeof(*ps->groups));
			ps->groups[ps->n_groups++] = g;
		}
	}
	conf_exc_groups_free(cg, n);
}

static bool exc_by_nodes(const struct power_save *ps, const struct node *n)
{
	for (size_t i = 0; i < ps->n_groups; i++)
		if (!ps->groups[i].counted && node_name_in(ps->groups[i].names, ps->groups[i].n, n->name))
			return true;
	return false;
}

static void node_settings(struct ctld *c, struct power_save *ps, struct node *n)
{
	const struct conf_node *cn = n->cn;
	struct node_power *pw = &n->pw;

	pw->elastic = pw->cloud || (n->prov && n->prov->ops != &prov_local_ops);
	pw->suspend_time = resolve(cn ? cn->suspend_time : SKY_NO_VAL, c->conf->suspend_time, c, n,
				   offsetof(struct conf_partition, suspend_time));
	pw->suspend_timeout = resolve(cn ? cn->suspend_timeout : SKY_NO_VAL,
				      c->conf->suspend_timeout, c, n,
				      offsetof(struct conf_partition, suspend_timeout));
	pw->resume_timeout = resolve(cn ? cn->resume_timeout : SKY_NO_VAL,
				     c->conf->resume_timeout, c, n,
				     offsetof(struct conf_partition, resume_timeout));
	pw->exc = exc_by_nodes(ps, n);
	for (size_t i = 0; i < c->parts.count; i++) {
		const struct partition *p = &c->parts.parts[i];
		const struct conf_partition *cp = conf_find_partition(c->conf, p->name);

		if (!part_has_node(p, n))
			continue;
		if (in_part_list(c->conf->suspend_exc_parts, p->name))
			pw->exc = true;
		if (cp && cp->power_down_on_idle)
			pw->power_down_on_idle = true;
	}
	if (!pw->elastic)
		pw->state = NODE_POWER_ON;
	pw->since = time(NULL);
}

int power_save_init(struct ctld *c, struct sky_errbuf *eb)
{
	struct power_save *ps = xcalloc(1, sizeof(*ps));

	(void)eb;
	c->power = ps;
	parse_exc_nodes(c, ps);
	ps->resume_tokens = c->conf->resume_rate;
	ps->suspend_tokens = c->conf->suspend_rate;
	ps->last_refill = time(NULL);
	for (size_t i = 0; i < c->nodes.count; i++)
		node_settings(c, ps, &c->nodes.nodes[i]);
	return 0;
}

void power_save_fini(struct ctld *c)
{
	struct power_save *ps = c->power;

	if (!ps)
		return;
	for (size_t i = 0; i < ps->n_groups; i++) {
		for (size_t k = 0; k < ps->groups[i].n; k++)
			free(ps->groups[i].names[k]);
		free(ps->groups[i].names);
	}
	free(ps->groups);
	free(ps);
	c->power = NULL;
}

void power_save_restore(struct ctld *c, time_t now)
{
	struct job *j;

	JOB_FOREACH(&c->jobs, j) {
		for (size_t i = 0; i < j->n_alloc; i++) {
			struct node_power *pw = &j->alloc[i].node->pw;

			if (pw->state != NODE_POWER_OFF)
				continue;
			if (power_job_configuring(j)) {
				/* Its resume was asked before the restart: wait for it afresh. */
				pw->state = NODE_POWERING_UP;
				pw->since = now;
				pw->resume_deadline = now + pw->resume_timeout;
			} else {
				pw->state = NODE_POWER_ON;
				pw->since = now;
			}
		}
	}
}

/* ---- scheduling hooks ---------------------------------------------------- */

static bool hw_unknown(const struct node *n)
{
	return n->cpus == 0 && (!n->cn || !n->cn->cpus);
}

/* A slot with no configured hardware takes what its provider would launch. */
static bool size_node(struct node *n, const struct job *j, uint32_t nnodes)
{
	struct node_hw hw = { 0 };
	struct sky_errbuf eb;

	if (!n->prov || !n->prov->ops->size_for_job)
		return false;
	sky_err_clear(&eb);
	if (n->prov->ops->size_for_job(n->prov, n, j, nnodes, &hw, &eb)) {
		log_debug("node %s: no size for job %u: %s", n->name, j->rec->job_id,
			  sky_err_msg(&eb));
		free(hw.gres);
		free(hw.features);
		return false;
	}
	n->cpus = hw.cpus;
	n->real_memory_mb = hw.real_memory_mb;
	if (hw.gres) {
		free(n->gres);
		n->gres = hw.gres;
	}
	free(hw.features);
	return n->cpus != 0;
}

/* Powered down or powering up, and may be (still) given jobs. */
static bool powerable(const struct node *n)
{
	const struct node_power *pw = &n->pw;

	if (!pw->elastic || pw->down_pending || pw->asap || n->down_not_responding)
		return false;
	if (pw->state != NODE_POWER_OFF && pw->state != NODE_POWERING_UP)
		return false;
	return n->admin_state != SKY__NODE_STATE__NODE_DOWN &&
	       n->admin_state != SKY__NODE_STATE__NODE_DRAIN &&
	       n->admin_state != SKY__NODE_STATE__NODE_FUTURE;
}

bool power_node_available(const struct node *n)
{
	return node_usable(n) || (powerable(n) && !hw_unknown(n));
}

bool power_node_schedulable(struct ctld *c, struct node *n, const struct job *j, uint32_t nnodes)
{
	(void)c;
	if (node_usable(n))
		return true;
	if (!powerable(n))
		return false;
	if (hw_unknown(n))
		return n->pw.state == NODE_POWER_OFF && !n->n_jobs && size_node(n, j, nnodes);
	return true;
}

int power_node_rank(const struct node *n)
{
	switch (n->pw.state) {
	case NODE_POWER_ON: return 0;
	case NODE_POWERING_UP: return 1;
	default: return 2;
	}
}

bool power_job_configuring(const struct job *j)
{
	return j->rec->has_flags && (j->rec->flags & SKY__JOB_FLAG__JOB_FLAG_CONFIGURING);
}

static bool node_ready(const struct node *n)
{
	return n->pw.state == NODE_POWER_ON && n->registered && (n->link || n->provider_run);
}

void power_job_started(struct ctld *c, struct job *j, time_t now)
{
	bool waiting = false;

	(void)c;
	for (size_t i = 0; i < j->n_alloc; i++) {
		struct node *n = j->alloc[i].node;

		if (n->pw.state == NODE_POWER_OFF) {
			n->pw.state = NODE_POWERING_UP;
			n->pw.since = now;
			n->pw.resume_queued = true;
			n->pw.resume_deadline = 0;
			log_info("node %s: powering up for job %u", n->name, j->rec->job_id);
		}
		if (!node_ready(n))
			waiting = true;
	}
	if (waiting) {
		j->rec->has_flags = true;
		j->rec->flags |= SKY__JOB_FLAG__JOB_FLAG_CONFIGURING;
	}
}

/* Every node of j is up: launch it; its clock starts now, as Slurm resets it. */
static void job_nodes_ready(struct ctld *c, struct job *j, time_t now)
{
	Sky__JobRecord *r = j->rec;
	struct sky_errbuf eb;

	r->flags &= ~(uint32_t)SKY__JOB_FLAG__JOB_FLAG_CONFIGURING;
	r->start_time = (uint64_t)now;
	r->end_time = r->time_limit_min == SKY_INFINITE || !r->has_time_limit_min ? 0 :
		      (uint64_t)now + (uint64_t)r->time_limit_min * 60;
	sky_err_clear(&eb);
	if (job_commit(c, j, &eb)) {
		log_error("job %u: end of CONFIGURING not saved: %s", r->job_id, sky_err_msg(&eb));
		return;
	}
	log_info("job %u: nodes %s are up; launching", r->job_id, r->node_list);
	sky_err_clear(&eb);
	if (job_launch(c, j, &eb))
		log_error("job %u: launch: %s", r->job_id, sky_err_msg(&eb));
}

static bool all_ready(const struct job *j)
{
	for (size_t i = 0; i < j->n_alloc; i++)
		if (!node_ready(j->alloc[i].node))
			return false;
	return true;
}

void power_node_registered(struct ctld *c, struct node *n, time_t now)
{
	struct job *j;

	if (n->pw.state == NODE_POWERING_UP || n->pw.state == NODE_POWER_OFF) {
		log_info("node %s: powered up%s", n->name,
			 n->pw.state == NODE_POWER_OFF ? " (registered while powered down)" : "");
		n->pw.state = NODE_POWER_ON;
		n->pw.since = now;
		n->pw.resume_deadline = 0;
		n->pw.resume_queued = false;
	}
	JOB_FOREACH(&c->jobs, j) {
		if (power_job_configuring(j) && job_is_running(j) && !job_is_completing(j) &&
		    job_holds_node(j, n) && all_ready(j))
			job_nodes_ready(c, j, now);
	}
}

bool power_node_quiet(const struct node *n)
{
	/* A provider-run node has no agent: its provider reports its losses. */
	return n->pw.state != NODE_POWER_ON || n->provider_run;
}

/* ---- release of idle nodes ----------------------------------------------- */

void power_begin_suspend(struct node *n, time_t now)
{
	log_info("node %s: powering down", n->name);
	n->pw.state = NODE_POWERING_DOWN;
	n->pw.since = now;
	n->pw.suspend_queued = true;
	n->pw.resume_queued = false;
	n->pw.resume_deadline = 0;
	n->pw.down_pending = n->pw.asap = false;
}

/* A SuspendExcNodes=expr:N group still needs n up to keep N nodes up. */
static bool kept_by_group(const struct ctld *c, const struct node *n)
{
	const struct power_save *ps = c->power;

	for (size_t i = 0; i < ps->n_groups; i++) {
		const struct power_exc_group *g = &ps->groups[i];
		uint32_t up = 0;

		if (!g->counted || !node_name_in(g->names, g->n, n->name))
			continue;
		for (size_t k = 0; k < g->n; k++) {
			const struct node *o = node_find(&c->nodes, g->names[k]);
			if (o && (o->pw.state == NODE_POWER_ON || o->pw.state == NODE_POWERING_UP))
				up++;
		}
		if (up <= g->keep)
			return true;
	}
	return false;
}

static bool exc_by_state(const struct ctld *c, const struct node *n)
{
	const char *s = c->conf->suspend_exc_states;

	if (!s)
		return false;
	if (strstr(s, "DOWN") && (n->admin_state == SKY__NODE_STATE__NODE_DOWN || n->down_not_responding))
		return true;
	if (strstr(s, "DRAIN") && n->admin_state == SKY__NODE_STATE__NODE_DRAIN)
		return true;
	if (strstr(s, "NOT_RESPONDING") && n->not_responding)
		return true;
	return false;
}

static bool idle_expired(const struct ctld *c, const struct node *n, time_t now)
{
	const struct node_power *pw = &n->pw;
	time_t busy = (time_t)n->last_busy > pw->since ? (time_t)n->last_busy : pw->since;

	if (n->n_jobs || pw->exc || n->admin_state == SKY__NODE_STATE__NODE_DOWN)
		return false;
	if (pw->down_pending)
		return true;
	/* Capacity the provider found (a bound Kubernetes node) costs nothing
	 * idle and cannot be released: SuspendTime leaves it alone. */
	if (n->provider_run)
		return false;
	if (exc_by_state(c, n) || kept_by_group(c, n))
		return false;
	if (pw->power_down_on_idle && (time_t)n->last_busy > pw->since)
		return true;
	return pw->suspend_time != SKY_INFINITE && now - busy >= (time_t)pw->suspend_time;
}

static void powered_off(struct node *n, time_t now)
{
	n->pw.state = NODE_POWER_OFF;
	n->pw.since = now;
	n->pw.suspend_queued = false;
	n->registered = false;
	n->not_responding = true;
	n->not_responding_since = now;
	/* An agent still there (no SuspendProgram, or it failed) registers
	 * afresh and the node counts as up again: the truth. */
	if (n->link)
		conn_close(n->link);
	power_node_forget_hw(n);
}

void power_node_forget_hw(struct node *n)
{
	if (!n->cn || n->n_jobs)
		return;
	if (!n->cn->cpus)
		n->cpus = 0;
	if (!n->cn->real_memory_mb)
		n->real_memory_mb = 0;
	if (!n->cn->gres)
		FREE_NULL(n->gres);
}

static void tick_node(struct ctld *c, struct node *n, time_t now)
{
	struct node_power *pw = &n->pw;

	switch (pw->state) {
	case NODE_POWERING_UP:
		if (pw->resume_deadline && now >= pw->resume_deadline)
			power_resume_failed(c, n->name, "ResumeTimeout reached");
		break;
	case NODE_POWERING_DOWN:
		if (!pw->suspend_queued && now - pw->since >= (time_t)pw->suspend_timeout) {
			log_info("node %s: powered down", n->name);
			powered_off(n, now);
			sched_request(c);
		}
		break;
	case NODE_POWER_ON:
		if (idle_expired(c, n, now))
			power_begin_suspend(n, now);
		break;
	default:
		break;
	}
}

void power_save_tick(struct ctld *c, time_t now)
{
	struct power_save *ps = c->power;
	double dt;

	if (!ps)
		return;
	dt = (double)(now - ps->last_refill);
	ps->last_refill = now;
	ps->resume_tokens += dt * c->conf->resume_rate / 60.0;
	if (ps->resume_tokens > c->conf->resume_rate)
		ps->resume_tokens = c->conf->resume_rate;
	ps->suspend_tokens += dt * c->conf->suspend_rate / 60.0;
	if (ps->suspend_tokens > c->conf->suspend_rate)
		ps->suspend_tokens = c->conf->suspend_rate;
	power_finish_cancelled(c, now);
	for (size_t i = 0; i < c->nodes.count; i++)
		if (c->nodes.nodes[i].pw.elastic)
			tick_node(c, &c->nodes.nodes[i], now);
	power_save_flush(c, now);
}

/* ---- batches to the providers -------------------------------------------- */

/* Take up to what the rate allows (rate 0: no limit). */
static bool take_token(double *tokens, uint32_t rate)
{
	if (!rate)
		return true;
	if (*tokens < 1.0)
		return false;
	*tokens -= 1.0;
	return true;
}

static void add_resume_job(struct power_batch *b, struct job *j, const struct node *n)
{
	size_t i;

	for (i = 0; i < b->n_jobs; i++)
		if (b->jobs[i] == j)
			break;
	if (i == b->n_jobs) {
		b->jobs = xrealloc(b->jobs, (b->n_jobs + 1) * sizeof(*b->jobs));
		b->resume_of = xrealloc(b->resume_of, (b->n_jobs + 1) * sizeof(*b->resume_of));
		b->jobs[b->n_jobs] = j;
		b->resume_of[b->n_jobs++] = hostlist_new();
	}
	hostlist_push_host(b->resume_of[i], n->name);
}

static void batch_fini(struct power_batch *b)
{
	for (size_t i = 0; i < b->n_jobs; i++)
		hostlist_destroy(b->resume_of[i]);
	free(b->resume_of);
	free(b->jobs);
	free(b->names);
	hostlist_destroy(b->hl);
	memset(b, 0, sizeof(*b));
}

static void resume_batch(struct ctld *c, struct provider *p, struct power_batch *b, time_t now)
{
	struct provider_resume_job *rj = xcalloc(b->n_jobs + 1, sizeof(*rj));
	char **resume_s = xcalloc(b->n_jobs + 1, sizeof(char *));
	struct provider_resume req = { 0 };
	struct sky_errbuf eb;
	char *nodes = hostlist_ranged_string(b->hl);

	for (size_t i = 0; i < b->n_jobs; i++) {
		const Sky__JobRecord *r = b->jobs[i]->rec;
		const struct partition *pt = part_find(&c->parts, r->partition);

		resume_s[i] = hostlist_ranged_string(b->resume_of[i]);
		rj[i].job_id = r->job_id;
		rj[i].partition = r->partition;
		rj[i].nodes_alloc = r->node_list;
		rj[i].nodes_resume = resume_s[i];
		rj[i].features = r->desc->constraint;
		rj[i].exclusive = (r->desc->has_exclusive && r->desc->exclusive) || (pt && pt->exclusive);
		rj[i].oversubscribe = false;
		rj[i].job = b->jobs[i];
	}
	req.nodes = nodes;
	req.names = b->names;
	req.n_names = b->n_names;
	req.jobs = rj;
	req.n_jobs = b->n_jobs;
	for (size_t i = 0; i < b->n_names; i++) {
		struct node *n = node_find(&c->nodes, b->names[i]);
		n->pw.resume_queued = false;
		n->pw.resume_deadline = now + n->pw.resume_timeout;
	}
	log_info("provider %s: resume %s", p->name, nodes);
	sky_err_clear(&eb);
	if (p->ops->resume(p, &req, &eb))
		for (size_t i = 0; i < b->n_names; i++)
			power_resume_failed(c, b->names[i], sky_err_msg(&eb));
	for (size_t i = 0; i < b->n_jobs; i++)
		free(resume_s[i]);
	free(resume_s);
	free(rj);
	free(nodes);
}

static void suspend_batch(struct ctld *c, struct provider *p, struct power_batch *b, time_t now)
{
	char *nodes = hostlist_ranged_string(b->hl);
	struct sky_errbuf eb;

	for (size_t i = 0; i < b->n_names; i++) {
		struct node *n = node_find(&c->nodes, b->names[i]);
		n->pw.suspend_queued = false;
		n->pw.since = now;
	}
	log_info("provider %s: suspend %s", p->name, nodes);
	sky_err_clear(&eb);
	if (p->ops->suspend(p, nodes, b->names, b->n_names, &eb))
		log_error("provider %s: suspend %s: %s", p->name, nodes, sky_err_msg(&eb));
	free(nodes);
}

static void batch_add(struct power_batch *b, struct node *n)
{
	if (!b->hl)
		b->hl = hostlist_new();
	hostlist_push_host(b->hl, n->name);
	b->names = xrealloc(b->names, (b->n_names + 1) * sizeof(*b->names));
	b->names[b->n_names++] = n->name;
}

/* One batch per provider: the queued nodes the rate allows. */
static void flush_provider(struct ctld *c, struct provider *p, bool resume, time_t now)
{
	struct power_save *ps = c->power;
	struct power_batch b = { 0 };
	struct job *j;

	for (size_t i = 0; i < c->nodes.count; i++) {
		struct node *n = &c->nodes.nodes[i];
		bool queued = resume ? n->pw.resume_queued : n->pw.suspend_queued;

		if (n->prov != p || !queued)
			continue;
		if (!take_token(resume ? &ps->resume_tokens : &ps->suspend_tokens,
				resume ? c->conf->resume_rate : c->conf->suspend_rate))
			break;
		batch_add(&b, n);
		if (!resume)
			continue;
		JOB_FOREACH(&c->jobs, j)
			if (power_job_configuring(j) && job_holds_node(j, n))
				add_resume_job(&b, j, n);
	}
	if (b.n_names && resume)
		resume_batch(c, p, &b, now);
	else if (b.n_names)
		suspend_batch(c, p, &b, now);
	batch_fini(&b);
}

void power_save_flush(struct ctld *c, time_t now)
{
	if (!c->power)
		return;
	for (size_t i = 0; i < c->n_providers; i++) {
		flush_provider(c, &c->providers[i], true, now);
		flush_provider(c, &c->providers[i], false, now);
	}
}
