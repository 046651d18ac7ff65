/*
 * rpc_submit.c: REQUEST_SUBMIT_BATCH.
 *
 * A submission passes a pipeline of small validators (job_validate_*), each
 * of which either fills in what it resolved or rejects the job with Slurm's
 * error code and text. Then the record is built, the job id allocated, and
 * record, script and next_job_id are committed in one transaction before the
 * reply is queued.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctld.h"
#include "gres_alloc.h"
#include "hostlist.h"
#include "id_names.h"
#include "fs_ctld.h"
#include "job_will_run.h"
#include "job_array.h"
#include "job_depend.h"
#include "job_features.h"
#include "log.h"
#include "rpc.h"
#include "timefmt.h"
#include "xalloc.h"

/* More CPUs than this in one job is a typo, not a request. */
#define SUBMIT_MAX_CPUS (1u << 24)

struct submit {
	struct rpc_ctx *r;
	struct ctld *c;
	Sky__SubmitRequest *req;    /* owned */
	Sky__JobDesc *d;            /* borrowed from req until the record takes it */
	uid_t uid;
	gid_t gid;
	char *user_name, *group_name;
	struct partition *part;     /* borrowed */
	char **req_nodes, **exc_nodes;
	size_t n_req, n_exc;
	uint32_t nodes, tasks, cpus, cpus_per_node, time_limit;
	uint64_t mem_mb;            /* per node */
	bool whole_mem, exclusive;
	uint32_t array_tasks;       /* 1 unless --array */
	char *dep_left;             /* initial dependency_left, owned */
	uint32_t assoc_id;          /* the association the job charges, 0: none */
};

static void submit_fini(struct submit *s)
{
	size_t i;

	for (i = 0; i < s->n_req; i++)
		free(s->req_nodes[i]);
	for (i = 0; i < s->n_exc; i++)
		free(s->exc_nodes[i]);
	free(s->req_nodes);
	free(s->exc_nodes);
	free(s->user_name);
	free(s->group_name);
	free(s->dep_left);
	if (s->req)
		sky__submit_request__free_unpacked(s->req, NULL);
}

/* ---- the validators ---- */

/* uid/gid come from the credential; --uid/--gid only for operators. */
static int job_validate_user(struct submit *s, struct sky_errbuf *eb)
{
	const Sky__JobDesc *d = s->d;
	gid_t primary = s->r->gid;

	s->uid = s->r->uid;
	s->gid = s->r->gid;
	if (d->has_uid && d->uid != s->uid) {
		if (!s->r->operator)
			return sky_err_set(eb, SKY_E_ACCESS_DENIED, "%s", sky_strerror(SKY_E_ACCESS_DENIED));
		s->uid = d->uid;
		s->user_name = id_user_name(s->uid, &primary, s->r->now);
		if (!s->user_name)
			return sky_err_set(eb, SKY_E_INVAL, "Invalid user id %u", d->uid);
		s->gid = primary;
	}
	if (d->has_gid && d->gid != s->gid) {
		if (!s->r->operator)
			return sky_err_set(eb, SKY_E_ACCESS_DENIED, "%s", sky_strerror(SKY_E_ACCESS_DENIED));
		s->gid = d->gid;
	}
	if (!s->user_name)
		s->user_name = id_user_name(s->uid, NULL, s->r->now);
	if (!s->user_name)
		s->user_name = xasprintf("%u", (unsigned)s->uid);
	s->group_name = id_group_name(s->gid, s->r->now);
	return 0;
}

static int job_validate_script(struct submit *s, struct sky_errbuf *eb)
{
	const Sky__JobDesc *d = s->d;
	uint64_t max = s->c->limits.max_script_size;

	if (!d->has_script || !d->script.len)
		return sky_err_set(eb, SKY_E_SCRIPT_INVALID, "Batch script is empty!");
	if (d->script.len > max)
		return sky_err_set(eb, SKY_E_SCRIPT_TOO_BIG, "%s (%zu bytes, the limit is %llu)",
				   sky_strerror(SKY_E_SCRIPT_TOO_BIG), d->script.len,
				   (unsigned long long)max);
	if (memchr(d->script.data, '\0', d->script.len))
		return sky_err_set(eb, SKY_E_SCRIPT_INVALID,
				   "The Slurm controller does not allow scripts that contain a NULL character '\\0'.");
	return 0;
}

/* --array and --dependency (job_array.c, job_depend.c). */
static int job_validate_array_depend(struct submit *s, struct sky_errbuf *eb)
{
	int rc;

	if ((rc = job_array_check(s->c, s->d, &s->array_tasks, eb)))
		return rc;
	return job_depend_check(s->c, s->d, &s->dep_left, eb);
}

/* -p may name several partitions; all must exist and the first is used. */
static int job_validate_partition(struct submit *s, struct sky_errbuf *eb)
{
	const char *want = s->d->partition;
	char *list, *p, *comma;

	if (!want || !*want) {
		s->part = s->c->parts.dflt;
		if (!s->part)
			return sky_err_set(eb, SKY_E_INVALID_PARTITION,
					   "No partition specified or system default partition");
	} else {
		list = xstrdup(want);
		for (p = list; p; p = comma ? comma + 1 : NULL) {
			struct partition *found;
			if ((comma = strchr(p, ',')))
				*comma = '\0';
			found = part_find(&s->c->parts, p);
			if (!found) {
				log_info("submission from uid %u: no partition '%s'", (unsigned)s->uid, p);
				free(list);
				return sky_err_set(eb, SKY_E_INVALID_PARTITION, "%s",
						   sky_strerror(SKY_E_INVALID_PARTITION));
			}
			if (!s->part)
				s->part = found;
		}
		free(list);
	}
	if (!part_accepts_jobs(s->part))
		return sky_err_set(eb, SKY_E_INVALID_PARTITION,
				   "Required partition not available (inactive or drain)");
	return 0;
}

static int expand_nodes(struct submit *s, const char *expr, char ***names, size_t *n,
			struct sky_errbuf *eb)
{
	struct sky_errbuf tmp;
	size_t i;

	if (!expr || !*expr)
		return 0;
	sky_err_clear(&tmp);
	if (hostlist_expand(expr, names, n, &tmp))
		return sky_err_set(eb, SKY_E_INVALID_NODE_NAME, "%s (%s)",
				   sky_strerror(SKY_E_INVALID_NODE_NAME), sky_err_msg(&tmp));
	for (i = 0; i < *n; i++)
		if (!node_find(&s->c->nodes, (*names)[i]))
			return sky_err_set(eb, SKY_E_INVALID_NODE_NAME, "%s (%s)",
					   sky_strerror(SKY_E_INVALID_NODE_NAME), (*names)[i]);
	return 0;
}

/* -w and -x name configured nodes; -w nodes must be in the partition. */
static int job_validate_node_names(struct submit *s, struct sky_errbuf *eb)
{
	size_t i;
	int rc;

	if ((rc = expand_nodes(s, s->d->req_nodes, &s->req_nodes, &s->n_req, eb)) ||
	    (rc = expand_nodes(s, s->d->exc_nodes, &s->exc_nodes, &s->n_exc, eb)))
		return rc;
	for (i = 0; i < s->n_req; i++)
		if (!part_has_node(s->part, node_find(&s->c->nodes, s->req_nodes[i])))
			return sky_err_set(eb, SKY_E_NODE_CONFIG, "%s",
					   sky_strerror(SKY_E_NODE_CONFIG));
	return 0;
}

static uint32_t div_up(uint32_t a, uint32_t b)
{
	return b ? a / b + (a % b != 0) : a;
}

/* Memory per node: --mem, --mem-per-cpu, else the partition's defaults. */
static void resolve_memory(struct submit *s)
{
	const Sky__JobDesc *d = s->d;
	const struct partition *p = s->part;

	if (d->has_mem_set && d->mem_set && !d->mem_per_node_mb && !d->mem_per_cpu_mb)
		s->whole_mem = true;
	else if (d->mem_per_node_mb)
		s->mem_mb = d->mem_per_node_mb;
	else if (d->mem_per_cpu_mb)
		s->mem_mb = d->mem_per_cpu_mb * s->cpus_per_node;
	else if (p->def_mem_per_cpu_mb)
		s->mem_mb = p->def_mem_per_cpu_mb * s->cpus_per_node;
	else
		s->mem_mb = p->def_mem_per_node_mb;
}

/* Nodes, tasks and CPUs, as Slurm derives them from -N/-n/--ntasks-per-node/-c. */
/*
 * With -n but no -N, Slurm takes as few nodes as hold the tasks: the
 * smallest k for which k of the partition's nodes each have CPUs for
 * ceil(tasks / k) tasks (nodes whose CPUs are not known yet count as big
 * enough). 1 when nothing fits; the fit check then refuses the job.
 */
static uint32_t nodes_for_tasks(const struct submit *s, uint32_t tasks, uint32_t cpt)
{
	const struct partition *p = s->part;
	uint32_t k;
	size_t i;

	for (k = 1; tasks && k <= tasks && k <= p->n_nodes; k++) {
		uint64_t per = (uint64_t)div_up(tasks, k) * cpt;
		uint32_t fit = 0;
		for (i = 0; i < p->n_nodes; i++) {
			const struct node *n = p->nodes[i];
			if (!node_name_in(s->exc_nodes, s->n_exc, n->name) &&
			    (!n->cpus || n->cpus >= per))
				fit++;
		}
		if (fit >= k)
			return k;
	}
	return 1;
}

static int job_validate_size(struct submit *s, struct sky_errbuf *eb)
{
	const Sky__JobDesc *d = s->d;
	const struct partition *p = s->part;
	uint32_t ntpn = d->ntasks_per_node, cpt = d->cpus_per_task ? d->cpus_per_task : 1;
	uint32_t nodes = d->min_nodes, tasks = d->num_tasks;

	if (!nodes)
		nodes = tasks && ntpn ? div_up(tasks, ntpn) : nodes_for_tasks(s, tasks, cpt);
	if (s->n_req > nodes)
		nodes = (uint32_t)s->n_req;
	if (d->max_nodes && d->max_nodes < nodes)
		return sky_err_set(eb, SKY_E_NODE_COUNT, "%s", sky_strerror(SKY_E_NODE_COUNT));
	if (!tasks)
		tasks = ntpn ? ntpn * nodes : nodes;
	if ((uint64_t)tasks * cpt > SUBMIT_MAX_CPUS)
		return sky_err_set(eb, SKY_E_TOO_MANY_PROCS, "%s", sky_strerror(SKY_E_TOO_MANY_PROCS));
	if (p->max_nodes != SKY_INFINITE && nodes > p->max_nodes)
		return sky_err_set(eb, SKY_E_NODE_COUNT, "%s", sky_strerror(SKY_E_NODE_COUNT));
	s->nodes = nodes;
	s->tasks = tasks;
	s->cpus = tasks * cpt;
	if (s->cpus < nodes)
		s->cpus = nodes;
	/* The fullest node carries ceil(tasks / nodes) tasks. */
	s->cpus_per_node = div_up(tasks, nodes) * cpt;
	if (!s->cpus_per_node)
		s->cpus_per_node = 1;
	s->exclusive = (d->has_exclusive && d->exclusive) || p->exclusive;
	resolve_memory(s);
	return 0;
}

/* Time limit: the partition's default, capped by its MaxTime (operators may exceed it). */
static int job_validate_time(struct submit *s, struct sky_errbuf *eb)
{
	const struct partition *p = s->part;
	uint32_t tl = s->d->has_time_limit_min ? s->d->time_limit_min : 0;

	if (!tl) {
		s->time_limit = p->default_time_min != SKY_NO_VAL ? p->default_time_min :
								      p->max_time_min;
		return 0;
	}
	if (p->max_time_min != SKY_INFINITE && (tl == SKY_INFINITE || tl > p->max_time_min) &&
	    !s->r->operator)
		return sky_err_set(eb, SKY_E_TIME_LIMIT, "%s", sky_strerror(SKY_E_TIME_LIMIT));
	s->time_limit = tl;
	return 0;
}

/* Could node n ever hold one node's share of the job? Unknown hardware may. */
static bool node_could_fit(const struct submit *s, const struct node *n)
{
	if (!features_match(s->d->constraint, n->features))
		return false;
	if (n->cpus && n->cpus < s->cpus_per_node)
		return false;
	if (!s->whole_mem && s->mem_mb && n->real_memory_mb && n->real_memory_mb < s->mem_mb)
		return false;
	return true;
}

/* Enough nodes of the partition could run the job, now or once free. */
static int job_validate_fit(struct submit *s, struct sky_errbuf *eb)
{
	const struct partition *p = s->part;
	uint32_t fit = 0;
	size_t i;

	for (i = 0; i < s->n_req; i++)
		if (!node_could_fit(s, node_find(&s->c->nodes, s->req_nodes[i])))
			return sky_err_set(eb, SKY_E_NODE_CONFIG, "%s", sky_strerror(SKY_E_NODE_CONFIG));
	for (i = 0; i < p->n_nodes; i++)
		if (!node_name_in(s->exc_nodes, s->n_exc, p->nodes[i]->name) &&
		    node_could_fit(s, p->nodes[i]))
			fit++;
	if (fit < s->nodes)
		return sky_err_set(eb, SKY_E_NODE_CONFIG, "%s", sky_strerror(SKY_E_NODE_CONFIG));
	return gres_alloc_validate(s->c, p, s->d, s->nodes, s->tasks, s->exc_nodes, s->n_exc, eb);
}

/*
 * -C: well formed, every feature named exists somewhere (job_features.h);
 * a matching OR "[a|b]" needs enough nodes with one same alternative.
 */
static int job_validate_features(struct submit *s, struct sky_errbuf *eb)
{
	size_t n_alts = 0, k, i;
	char **alts;
	bool ok = false;
	int rc;

	if ((rc = features_validate(s->d->constraint, &s->c->nodes, eb)))
		return rc;
	if (!(alts = features_alternatives(s->d->constraint, &n_alts)))
		return 0;
	for (k = 0; k < n_alts && !ok; k++) {
		uint32_t fit = 0;
		for (i = 0; i < s->part->n_nodes; i++) {
			const struct node *n = s->part->nodes[i];
			if (!node_name_in(s->exc_nodes, s->n_exc, n->name) && node_could_fit(s, n) &&
			    features_match(alts[k], n->features))
				fit++;
		}
		ok = fit >= s->nodes;
	}
	features_alternatives_free(alts, n_alts);
	return ok ? 0 : sky_err_set(eb, SKY_E_NODE_CONFIG, "%s", sky_strerror(SKY_E_NODE_CONFIG));
}

static int job_validate_count(struct submit *s, struct sky_errbuf *eb)
{
	/* Every array task counts against MaxJobCount. */
	if (s->c->jobs.count + (s->array_tasks ? s->array_tasks : 1) > s->c->limits.max_job_count)
		return sky_err_set(eb, SKY_E_MAX_JOBS, "%s", sky_strerror(SKY_E_MAX_JOBS));
	return 0;
}

/* Associations and their submit limits (fs_ctld.c); fills the default account. */
static int job_validate_account(struct submit *s, struct sky_errbuf *eb)
{
	return fs_ctld_submit_check(s->c, s->d, s->user_name, s->part->name,
				    s->array_tasks ? s->array_tasks : 1, &s->assoc_id, eb);
}

static const struct {
	const char *name;
	int (*check)(struct submit *s, struct sky_errbuf *eb);
} job_validators[] = {
	{ "user", job_validate_user },
	{ "script", job_validate_script },
	{ "array and dependency", job_validate_array_depend },
	{ "partition", job_validate_partition },
	{ "node names", job_validate_node_names },
	{ "size", job_validate_size },
	{ "time", job_validate_time },
	{ "features", job_validate_features },
	{ "fit", job_validate_fit },
	{ "count", job_validate_count },
	{ "account", job_validate_account },
};

static int validate(struct submit *s, struct sky_errbuf *eb)
{
	size_t i;
	int rc;

	for (i = 0; i < sizeof(job_validators) / sizeof(job_validators[0]); i++)
		if ((rc = job_validators[i].check(s, eb))) {
			log_verbose("submission from uid %u rejected by the %s check: %s",
				    (unsigned)s->r->uid, job_validators[i].name, sky_err_msg(eb));
			return rc;
		}
	return 0;
}

/* ---- the record ---- */

/* Build the record; takes the JobDesc out of the request (the script stays in it). */
static Sky__JobRecord *record_build(struct submit *s)
{
	Sky__JobRecord *r = xmalloc(sizeof(*r));
	Sky__JobDesc *d = s->d;
	time_t now = s->r->now;
	bool hold = d->has_hold && d->hold;

	sky__job_record__init(r);
	r->desc = d;
	s->req->desc = NULL;
	if (!d->name || !*d->name)
		job_set_str(&d->name, "sbatch");
	/* Like Slurm, the JobRequeue default is resolved once, at submission. */
	if (!d->has_requeue_set || !d->requeue_set) {
		d->has_requeue = d->has_requeue_set = d->requeue_set = true;
		d->requeue = s->c->conf->job_requeue;
	}
	r->user_id = (uint32_t)s->uid;
	r->group_id = (uint32_t)s->gid;
	r->user_name = s->user_name;
	r->group_name = s->group_name;
	s->user_name = s->group_name = NULL;
	r->state = SKY__JOB_STATE__JOB_PENDING;
	r->has_flags = true;
	r->reason = xstrdup(hold ? REASON_HELD_USER : REASON_NONE);
	r->has_submit_time = r->has_eligible_time = true;
	r->submit_time = (uint64_t)now;
	r->eligible_time = d->begin_time > (uint64_t)now ? d->begin_time : (uint64_t)now;
	r->has_time_limit_min = true;
	r->time_limit_min = s->time_limit;
	r->partition = xstrdup(s->part->name);
	r->has_num_nodes = r->has_num_cpus = r->has_num_tasks = true;
	r->num_nodes = s->nodes;
	r->num_cpus = s->cpus;
	r->num_tasks = s->tasks;
	r->has_cpus_per_node = r->has_mem_per_node_mb = true;
	r->cpus_per_node = s->cpus_per_node;
	r->mem_per_node_mb = s->mem_mb;
	r->has_restart_count = r->has_priority = r->has_launch_acked = true;
	r->cluster = xstrdup(s->c->conf->cluster_name);
	r->has_assoc_id = s->assoc_id != 0;
	r->assoc_id = s->assoc_id;
	r->has_script_size = true;
	r->script_size = d->has_script ? d->script.len : 0;
	return r;
}

static void set_priority(struct submit *s, Sky__JobRecord *r)
{
	const Sky__JobDesc *d = r->desc;

	/* Only operators choose a priority; anyone else's --priority is dropped
	 * here so it cannot come back at release either. */
	if (!s->r->operator && d->has_priority) {
		r->desc->has_priority = false;
		r->desc->priority = 0;
	}
	if (d->has_hold && d->hold)
		r->priority = 0;
	else
		r->priority = job_initial_priority(r);
}

/* Allocate the id and commit record, script and next_job_id together. */
static int store_new_job(struct submit *s, Sky__JobRecord *r, struct sky_errbuf *eb)
{
	Sky__JobDesc *d = r->desc;
	struct store_txn *t = NULL;
	uint8_t *script = d->script.data;
	size_t len = d->script.len;
	int rc;

	/* The script is stored apart, so job records stay small. */
	d->script.data = NULL;
	d->script.len = 0;
	d->has_script = false;
	if ((rc = store_begin(s->c->store, true, &t, eb)))
		goto out;
	if ((rc = job_id_alloc(s->c, t, &r->job_id, eb)))
		goto abort;
	set_priority(s, r);
	if ((rc = store_script_put(t, r->job_id, script, len, eb)) ||
	    (rc = store_job_put(t, r, eb)))
		goto abort;
	rc = store_commit(t, eb);
	goto out;
abort:
	store_abort(t);
out:
	free(script);
	return rc;
}

static void reply_submit(struct rpc_ctx *r, int rc, uint32_t job_id, const char *msg)
{
	Sky__SubmitReply rep = SKY__SUBMIT_REPLY__INIT;

	rep.rc = (uint32_t)rc;
	rep.has_job_id = rc == 0;
	rep.job_id = job_id;
	rep.message = (char *)msg;
	rep.cluster = r->c->conf->cluster_name;
	rpc_reply(r, SKY__MSG_TYPE__RESPONSE_SUBMIT, &rep.base);
}

int rpc_submit(struct rpc_ctx *r, struct sky_errbuf *eb)
{
	struct submit s = { .r = r, .c = r->c };
	struct sky_errbuf verr;
	Sky__JobRecord *rec;
	int rc;

	if ((rc = rpc_unpack(r, &sky__submit_request__descriptor, &s.req, eb)))
		return rc;
	s.d = s.req->desc;
	sky_err_clear(&verr);
	if ((rc = validate(&s, &verr))) {
		reply_submit(r, rc, 0, sky_err_msg(&verr));
		goto out;
	}
	if (s.req->has_test_only && s.req->test_only) {
		char *line;
		rec = record_build(&s);
		line = job_will_run_text(r->c, rec, r->now, &verr);
		reply_submit(r, line ? 0 : verr.code, 0, line ? line : sky_err_msg(&verr));
		free(line);
		sky__job_record__free_unpacked(rec, NULL);
		goto out;
	}
	rec = record_build(&s);
	rec->dependency_left = s.dep_left;
	s.dep_left = NULL;
	if (rec->desc->array && *rec->desc->array) {
		uint32_t first = 0;
		set_priority(&s, rec);
		rc = job_array_store(r->c, rec, (rec->desc->has_hold && rec->desc->hold) ||
					     (rec->desc->has_priority && rec->desc->priority && r->operator),
				     &first, &verr);
		if (rc)
			log_error("array submission from uid %u not saved: %s", (unsigned)r->uid,
				  sky_err_msg(&verr));
		reply_submit(r, rc, first, rc ? sky_strerror(rc) : NULL);
		goto out;
	}
	if ((rc = store_new_job(&s, rec, &verr))) {
		log_error("submission from uid %u not saved: %s", (unsigned)r->uid, sky_err_msg(&verr));
		sky__job_record__free_unpacked(rec, NULL);
		reply_submit(r, rc, 0, sky_strerror(rc));
		goto out;
	}
	job_insert(&r->c->jobs, job_new(rec));
	/* A held job waits for a release, which asks for its own pass; a pass
	 * now would only re-sort the queue (sbatch --hold floods pay for it). */
	r->sched_not_needed = rec->priority == 0;
	log_info("job %u submitted by %s (uid %u): %s in %s, %u nodes %u cpus", rec->job_id,
		 rec->user_name, rec->user_id, rec->desc->name, rec->partition, rec->num_nodes,
		 rec->num_cpus);
	reply_submit(r, 0, rec->job_id, NULL);
out:
	submit_fini(&s);
	return 0;
}
