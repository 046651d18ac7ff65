/* job_step.c: see job_step.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "hostlist.h"
#include "job_step.h"
#include "xalloc.h"

Sky__StepRecord *step_find(const struct job *j, uint32_t step_id)
{
	for (size_t i = 0; i < j->rec->n_steps; i++)
		if (j->rec->steps[i]->step_id == step_id)
			return j->rec->steps[i];
	return NULL;
}

bool step_is_running(const Sky__StepRecord *st)
{
	return st->state == SKY__JOB_STATE__JOB_RUNNING;
}

int step_layout(uint32_t nnodes, uint32_t ntasks, uint32_t cap, uint32_t **out,
		struct sky_errbuf *eb)
{
	uint32_t *v;

	*out = NULL;
	if (!nnodes)
		return sky_err_set(eb, SKY_E_NODE_COUNT, "Node count specification invalid");
	v = xcalloc(nnodes, sizeof(*v));
	for (uint32_t i = 0; i < nnodes; i++) {
		v[i] = ntasks / nnodes + (i < ntasks % nnodes ? 1 : 0);
		if (cap && v[i] > cap) {
			free(v);
			return sky_err_set(eb, SKY_E_TOO_MANY_PROCS,
					   "More processors requested than permitted");
		}
	}
	*out = v;
	return 0;
}

/* CPUs that the running steps (but --overlap ones) hold on node. */
static uint32_t node_used(const struct job *j, const char *node)
{
	struct sky_errbuf eb;
	uint32_t used = 0;

	for (size_t i = 0; i < j->rec->n_steps; i++) {
		const Sky__StepRecord *st = j->rec->steps[i];
		struct hostlist *hl = NULL;
		ssize_t at;
		sky_err_clear(&eb);
		if (!step_is_running(st) || st->overlap ||
		    hostlist_create(st->node_list ? st->node_list : "", &hl, &eb))
			continue;
		at = hostlist_find(hl, node);
		if (at >= 0 && (size_t)at < st->n_tasks_per_node)
			used += st->tasks_per_node[at] * (st->cpus_per_task ? st->cpus_per_task : 1);
		hostlist_destroy(hl);
	}
	return used;
}

struct pick_ctx {
	const struct job *j;
	const Sky__StepCreateRequest *rq;
	uint32_t nnodes;
	const uint32_t *tpn;        /* block layout, nnodes entries */
	uint32_t cpt;
};

/*
 * The step's nodes, in the job's order: the -w ones, then the first others
 * whose free CPUs (what running steps leave) hold their block of tasks.
 * SKY_E_DISABLED "Requested nodes are busy" when they cannot now: srun
 * waits and asks again, as Slurm's does.
 */
static int pick_nodes(const struct pick_ctx *p, struct hostlist *pick, struct sky_errbuf *eb)
{
	struct hostlist *all = NULL, *want = NULL;
	uint32_t cpn = p->j->rec->cpus_per_node ? p->j->rec->cpus_per_node : 1;
	size_t i, nwant = 0, extra = 0, k = 0;
	bool busy = false;
	int rc;

	if ((rc = hostlist_create(p->j->rec->node_list ? p->j->rec->node_list : "", &all, eb)))
		return rc;
	if (p->rq->node_list && *p->rq->node_list) {
		if ((rc = hostlist_create(p->rq->node_list, &want, eb)))
			goto out;
		hostlist_uniq(want);
		nwant = hostlist_count(want);
		for (i = 0; i < nwant; i++)
			if (hostlist_find(all, hostlist_nth(want, i)) < 0) {
				rc = sky_err_set(eb, SKY_E_NODE_CONFIG,
						 "Requested node configuration is not available");
				goto out;
			}
		if (nwant > p->nnodes) {
			rc = sky_err_set(eb, SKY_E_NODE_COUNT, "Node count specification invalid");
			goto out;
		}
	}
	for (i = 0; i < hostlist_count(all) && k < p->nnodes; i++) {
		const char *h = hostlist_nth(all, i);
		bool forced = want && hostlist_find(want, h) >= 0;
		bool fits = p->rq->overlap || node_used(p->j, h) + p->tpn[k] * p->cpt <= cpn;
		if (!forced && (extra >= p->nnodes - nwant || !fits))
			continue;
		busy |= !fits;
		extra += !forced;
		hostlist_push_host(pick, h);
		k++;
	}
	if (busy || hostlist_count(pick) < p->nnodes)
		rc = sky_err_set(eb, SKY_E_DISABLED, "Requested nodes are busy");
out:
	hostlist_destroy(all);
	hostlist_destroy(want);
	return rc;
}

static uint32_t job_nodes(const struct job *j)
{
	struct hostlist *hl = NULL;
	struct sky_errbuf eb;
	uint32_t n = 0;

	sky_err_clear(&eb);
	if (j->rec->node_list && hostlist_create(j->rec->node_list, &hl, &eb) == 0)
		n = (uint32_t)hostlist_count(hl);
	hostlist_destroy(hl);
	return n;
}

static char *base_name(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	return xstrdup(slash ? slash + 1 : path ? path : "");
}

static char *join_argv(char **argv, size_t n)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < n; i++)
		len += strlen(argv[i]) + 1;
	s = xmalloc(len);
	s[0] = '\0';
	for (size_t i = 0, off = 0; i < n; i++) {
		size_t l = strlen(argv[i]);
		if (i)
			s[off++] = ' ';
		memcpy(s + off, argv[i], l + 1);
		off += l;
	}
	return s;
}

int step_plan(const struct job *j, const Sky__StepCreateRequest *rq, Sky__StepRecord **out,
	      struct sky_errbuf *eb)
{
	uint32_t have = job_nodes(j), nnodes = rq->num_nodes, ntasks = rq->num_tasks;
	uint32_t cpt = rq->cpus_per_task ? rq->cpus_per_task : 1;
	uint32_t cpn = j->rec->cpus_per_node ? j->rec->cpus_per_node : 1;
	uint32_t cap = cpn / cpt, *tpn = NULL;
	struct hostlist *pick = NULL;
	Sky__StepRecord *st;
	int rc;

	*out = NULL;
	if (!rq->n_argv)
		return sky_err_set(eb, SKY_E_INVAL, "no command to run");
	if (nnodes > have)
		return sky_err_set(eb, SKY_E_NODE_COUNT, "Only allocated %u nodes asked for %u", have,
				   nnodes);
	if (!nnodes)
		nnodes = ntasks && ntasks < have ? ntasks : have;
	if (!ntasks)
		ntasks = nnodes * (rq->ntasks_per_node ? rq->ntasks_per_node : 1);
	if (ntasks < nnodes)
		nnodes = ntasks;    /* Slurm: "can't run N processes on M nodes" */
	if (rq->ntasks_per_node && rq->ntasks_per_node < cap)
		cap = rq->ntasks_per_node;
	if (!cap || (uint64_t)ntasks * cpt > (uint64_t)cpn * nnodes)
		return sky_err_set(eb, SKY_E_TOO_MANY_PROCS, "More processors requested than permitted");
	if ((rc = step_layout(nnodes, ntasks, cap, &tpn, eb)))
		return rc;
	pick = hostlist_new();
	{
		struct pick_ctx pc = { .j = j, .rq = rq, .nnodes = nnodes, .tpn = tpn, .cpt = cpt };
		if ((rc = pick_nodes(&pc, pick, eb)))
			goto out;
	}
	st = xmalloc(sizeof(*st));
	sky__step_record__init(st);
	st->has_state = true;
	st->state = SKY__JOB_STATE__JOB_RUNNING;
	st->node_list = hostlist_ranged_string(pick);
	st->has_num_nodes = st->has_num_tasks = true;
	st->num_nodes = nnodes;
	st->num_tasks = ntasks;
	if (rq->cpus_per_task) {
		st->has_cpus_per_task = true;
		st->cpus_per_task = rq->cpus_per_task;
	}
	st->has_overlap = rq->overlap;
	st->overlap = rq->overlap;
	st->n_tasks_per_node = nnodes;
	st->tasks_per_node = tpn;
	tpn = NULL;
	st->name = rq->name && *rq->name ? xstrdup(rq->name) : base_name(rq->argv[0]);
	st->command = join_argv(rq->argv, rq->n_argv);
	*out = st;
out:
	free(tpn);
	hostlist_destroy(pick);
	return rc;
}

Sky__StepRecord *step_add(struct job *j, Sky__StepRecord *st, time_t now)
{
	Sky__JobRecord *r = j->rec;

	st->step_id = r->next_step_id;
	r->has_next_step_id = true;
	r->next_step_id++;
	st->has_start_time = true;
	st->start_time = (uint64_t)now;
	r->steps = xrealloc(r->steps, (r->n_steps + 1) * sizeof(*r->steps));
	r->steps[r->n_steps++] = st;
	return st;
}

static int exit_rank(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 0;
}

static bool job_was_cancelled(const struct job *j)
{
	Sky__JobState s = j->rec->state;

	return s == SKY__JOB_STATE__JOB_CANCELLED || s == SKY__JOB_STATE__JOB_TIMEOUT ||
	       s == SKY__JOB_STATE__JOB_DEADLINE || s == SKY__JOB_STATE__JOB_NODE_FAIL;
}

bool step_apply_complete(const struct job *j, Sky__StepRecord *st,
			 const Sky__StepComplete *sc, time_t now)
{
	if (!step_is_running(st))
		return false;
	if (sc->has_exit_status && (!st->has_exit_status ||
				    exit_rank(sc->exit_status) > exit_rank(st->exit_status))) {
		st->has_exit_status = true;
		st->exit_status = sc->exit_status;
	}
	if (sc->has_state && sc->state == SKY__JOB_STATE__JOB_CANCELLED)
		st->has_cancelled = st->cancelled = true;
	st->has_nodes_done = true;
	st->nodes_done++;
	if (st->nodes_done < st->num_nodes)
		return true;
	st->has_state = st->has_end_time = true;
	st->end_time = sc->has_end_time && sc->end_time ? sc->end_time : (uint64_t)now;
	if (st->cancelled || job_was_cancelled(j))
		st->state = SKY__JOB_STATE__JOB_CANCELLED;
	else if (st->has_exit_status && st->exit_status)
		st->state = SKY__JOB_STATE__JOB_FAILED;
	else
		st->state = SKY__JOB_STATE__JOB_COMPLETE;
	return true;
}

size_t step_end_running(struct job *j, int status, time_t now)
{
	size_t n = 0;

	for (size_t i = 0; i < j->rec->n_steps; i++) {
		Sky__StepRecord *st = j->rec->steps[i];
		if (!step_is_running(st))
			continue;
		st->state = st->cancelled ? SKY__JOB_STATE__JOB_CANCELLED
			    : status ? SKY__JOB_STATE__JOB_FAILED : SKY__JOB_STATE__JOB_COMPLETE;
		st->has_exit_status = st->has_end_time = true;
		st->exit_status = status;
		st->end_time = (uint64_t)now;
		n++;
	}
	return n;
}

size_t step_job_ended(struct job *j)
{
	size_t n = 0;

	for (size_t i = 0; i < j->rec->n_steps; i++) {
		Sky__StepRecord *st = j->rec->steps[i];
		if (!step_is_running(st))
			continue;
		st->state = SKY__JOB_STATE__JOB_CANCELLED;
		st->has_end_time = true;
		st->end_time = j->rec->end_time;
		n++;
	}
	return n;
}
