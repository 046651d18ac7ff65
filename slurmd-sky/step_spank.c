/* step_spank.c: see step_spank.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "spank_host.h"
#include "step_env.h"
#include "step_spank.h"
#include "timefmt.h"
#include "xalloc.h"

static void fill(const Sky__StepLaunch *sl, uint32_t node_id, struct step_spank *sp,
		 bool is_task, uint32_t local_id, struct spank_task *t)
{
	const Sky__StepRecord *st = sl->step;
	uint32_t here = step_tasks_on(st, node_id);

	memset(t, 0, sizeof(*t));
	t->job_id = sl->job_id;
	t->step_id = sl->step_id;
	t->uid = (uid_t)sl->job->user_id;
	t->gid = (gid_t)sl->job->group_id;
	t->nnodes = st->num_nodes;
	t->nodeid = node_id;
	t->local_task_count = here;
	t->total_task_count = st->num_tasks;
	t->is_task = is_task;
	t->local_task_id = local_id;
	t->global_task_id = step_first_task(st, node_id) + local_id;
	t->local_to_global = sp->gtids;
	t->local_pids = sp->pids;
	t->pid = sp->pids && local_id < here ? sp->pids[local_id] : 0;
	t->exit_status = -1;
	t->cpus_per_task = st->cpus_per_task ? st->cpus_per_task : 1;
	t->ncpus = (uint16_t)(here * t->cpus_per_task);
	t->restart_count = sl->job->restart_count;
	t->array_job_id = sl->job->has_array_task_id ? sl->job->array_job_id : 0;
	t->array_task_id = sl->job->has_array_task_id ? sl->job->array_task_id : SKY_NO_VAL;
	t->argc = (int)sl->req->n_argv;
	t->argv = sl->req->argv;
}

static bool env_has(char **env, const char *entry)
{
	for (char **p = env; p && *p; p++)
		if (!strcmp(*p, entry))
			return true;
	return false;
}

int step_spank_begin(struct agent *a, const Sky__StepLaunch *sl, uint32_t node_id,
		     struct step_spank *sp, struct sky_errbuf *eb)
{
	struct step_task_ctx c = { .sl = sl, .node_name = a->node_name, .cluster = a->cluster,
				   .node_id = node_id };
	uint32_t here = step_tasks_on(sl->step, node_id);
	struct spank_task t;
	char **env, **before;
	size_t n = 0;
	int rc;

	memset(sp, 0, sizeof(*sp));
	sp->gtids = xcalloc(here ? here : 1, sizeof(*sp->gtids));
	sp->pids = xcalloc(here ? here : 1, sizeof(*sp->pids));
	for (uint32_t i = 0; i < here; i++)
		sp->gtids[i] = step_first_task(sl->step, node_id) + i;
	c.global_id = step_first_task(sl->step, node_id);
	env = step_env_build(&c);
	before = step_env_build(&c);
	fill(sl, node_id, sp, false, 0, &t);
	if ((rc = spank_host_open(&t, &env, &sp->h, eb)) ||
	    (rc = spank_host_user_init(sp->h, &t, &env, eb)))
		goto out;
	/* What the step-level hooks set goes to every task. */
	sp->overlay = xcalloc(1, sizeof(char *));
	for (char **p = env; p && *p; p++)
		if (!env_has(before, *p)) {
			sp->overlay = xrealloc(sp->overlay, (n + 2) * sizeof(char *));
			sp->overlay[n++] = xstrdup(*p);
			sp->overlay[n] = NULL;
		}
out:
	step_env_free(env);
	step_env_free(before);
	return rc;
}

/* env_put-like: replace NAME or append, keeping *env NULL-terminated. */
static void env_put(char ***env, const char *entry)
{
	size_t nlen = (size_t)(strchr(entry, '=') - entry), n = 0;
	char **v = *env;

	for (; v && v[n]; n++)
		if (!strncmp(v[n], entry, nlen) && v[n][nlen] == '=') {
			free(v[n]);
			v[n] = xstrdup(entry);
			return;
		}
	v = xrealloc(v, (n + 2) * sizeof(char *));
	v[n] = xstrdup(entry);
	v[n + 1] = NULL;
	*env = v;
}

int step_spank_task_priv(struct step_spank *sp, const Sky__StepLaunch *sl, uint32_t node_id,
			 uint32_t local_id, char ***env, struct sky_errbuf *eb)
{
	struct spank_task t;

	if (!sp->h)
		return 0;
	for (char **p = sp->overlay; p && *p; p++)
		if (strchr(*p, '='))
			env_put(env, *p);
	fill(sl, node_id, sp, true, local_id, &t);
	return spank_host_task_init_privileged(sp->h, &t, env, eb);
}

int step_spank_task_init(struct step_spank *sp, const Sky__StepLaunch *sl, uint32_t node_id,
			 uint32_t local_id, char ***env, struct sky_errbuf *eb)
{
	struct spank_task t;

	if (!sp->h)
		return 0;
	fill(sl, node_id, sp, true, local_id, &t);
	return spank_host_task_init(sp->h, &t, env, eb);
}

void step_spank_post_fork(struct step_spank *sp, const Sky__StepLaunch *sl, uint32_t node_id,
			  uint32_t local_id, pid_t pid)
{
	struct spank_task t;
	struct sky_errbuf eb;

	if (local_id < step_tasks_on(sl->step, node_id))
		sp->pids[local_id] = pid;
	if (!sp->h)
		return;
	fill(sl, node_id, sp, true, local_id, &t);
	sky_err_clear(&eb);
	if (spank_host_task_post_fork(sp->h, &t, &eb))
		log_error("step %u.%u: %s", sl->job_id, sl->step_id, sky_err_msg(&eb));
}

void step_spank_task_exit(struct step_spank *sp, const Sky__StepLaunch *sl, uint32_t node_id,
			  uint32_t local_id, pid_t pid, int status)
{
	struct spank_task t;
	struct sky_errbuf eb;

	if (!sp->h)
		return;
	fill(sl, node_id, sp, true, local_id, &t);
	t.pid = pid;
	t.exit_status = status;
	sky_err_clear(&eb);
	if (spank_host_task_exit(sp->h, &t, &eb))
		log_error("step %u.%u: %s", sl->job_id, sl->step_id, sky_err_msg(&eb));
}

void step_spank_end(struct step_spank *sp)
{
	spank_host_close(sp->h);
	sp->h = NULL;
	step_env_free(sp->overlay);
	sp->overlay = NULL;
	FREE_NULL(sp->gtids);
	FREE_NULL(sp->pids);
}
