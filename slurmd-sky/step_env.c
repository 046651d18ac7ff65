/* step_env.c: see step_env.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envv.h"
#include "job_env.h"
#include "job_env_gpu.h"
#include "step_env.h"
#include "xalloc.h"

uint32_t step_tasks_on(const Sky__StepRecord *st, uint32_t node_id)
{
	return node_id < st->n_tasks_per_node ? st->tasks_per_node[node_id] : 0;
}

uint32_t step_first_task(const Sky__StepRecord *st, uint32_t node_id)
{
	uint32_t first = 0;

	for (uint32_t i = 0; i < node_id && i < st->n_tasks_per_node; i++)
		first += st->tasks_per_node[i];
	return first;
}

/* The job-level variables: srun outside an allocation has none of them yet. */
static void job_vars(struct envv *e, const struct step_task_ctx *c)
{
	const Sky__JobRecord *job = c->sl->job;
	uint32_t nn = job->num_nodes ? job->num_nodes : 1;
	uint32_t *cpn = xcalloc(nn, sizeof(*cpn));
	char *s;

	envv_set(e, "SLURM_JOB_ID", "%u", job->job_id);
	envv_set(e, "SLURM_JOBID", "%u", job->job_id);
	envv_set_str(e, "SLURM_JOB_NAME", job->desc->name);
	envv_set_str(e, "SLURM_JOB_NODELIST", job->node_list);
	envv_set(e, "SLURM_JOB_NUM_NODES", "%u", nn);
	envv_set_str(e, "SLURM_JOB_PARTITION", job->partition);
	envv_set(e, "SLURM_JOB_UID", "%u", job->user_id);
	envv_set(e, "SLURM_JOB_GID", "%u", job->group_id);
	envv_set_str(e, "SLURM_JOB_USER", job->user_name);
	envv_set_str(e, "SLURM_CLUSTER_NAME", job->cluster && *job->cluster ? job->cluster : c->cluster);
	for (uint32_t i = 0; i < nn; i++)
		cpn[i] = job->cpus_per_node ? job->cpus_per_node : 1;
	s = job_env_compress(cpn, nn);
	envv_set(e, "SLURM_JOB_CPUS_PER_NODE", "%s", s);
	free(s);
	envv_set(e, "SLURM_CPUS_ON_NODE", "%u", cpn[0]);
	free(cpn);
}

static void step_vars(struct envv *e, const struct step_task_ctx *c)
{
	const Sky__StepRecord *st = c->sl->step;
	const Sky__StepCreateRequest *rq = c->sl->req;
	uint32_t first = step_first_task(st, c->node_id);
	uint32_t here = step_tasks_on(st, c->node_id);
	char *tpn = job_env_compress(st->tasks_per_node, st->n_tasks_per_node);
	size_t cap = (size_t)here * 11 + 1, off = 0;
	char *gtids = xmalloc(cap);

	gtids[0] = '\0';
	for (uint32_t i = 0; i < here; i++)
		off += (size_t)snprintf(gtids + off, cap - off, "%s%u", i ? "," : "", first + i);
	envv_set(e, "SLURM_STEP_ID", "%u", st->step_id);
	envv_set(e, "SLURM_STEPID", "%u", st->step_id);
	envv_set(e, "SLURM_PROCID", "%u", c->global_id);
	envv_set(e, "SLURM_LOCALID", "%u", c->local_id);
	envv_set(e, "SLURM_NODEID", "%u", c->node_id);
	envv_set(e, "SLURM_GTIDS", "%s", gtids);
	envv_set_str(e, "SLURM_STEP_NODELIST", st->node_list);
	envv_set_str(e, "SLURM_NODELIST", st->node_list);
	envv_set(e, "SLURM_STEP_NUM_NODES", "%u", st->num_nodes);
	envv_set(e, "SLURM_NNODES", "%u", st->num_nodes);
	envv_set(e, "SLURM_STEP_NUM_TASKS", "%u", st->num_tasks);
	envv_set(e, "SLURM_NTASKS", "%u", st->num_tasks);
	envv_set(e, "SLURM_NPROCS", "%u", st->num_tasks);
	envv_set(e, "SLURM_STEP_TASKS_PER_NODE", "%s", tpn);
	envv_set(e, "SLURM_TASKS_PER_NODE", "%s", tpn);
	envv_set(e, "SLURM_TASK_PID", "%ld", (long)c->task_pid);
	if (st->cpus_per_task)
		envv_set(e, "SLURM_CPUS_PER_TASK", "%u", st->cpus_per_task);
	envv_set_str(e, "SLURM_LAUNCH_NODE_IPADDR", rq->launch_host ? rq->launch_host : rq->io_host);
	envv_set_str(e, "SLURM_SRUN_COMM_HOST", rq->io_host);
	envv_set(e, "SLURM_SRUN_COMM_PORT", "%u", rq->io_port);
	envv_set(e, "SLURM_STEP_LAUNCHER_PORT", "%u", rq->io_port);
	envv_set(e, "SLURM_DISTRIBUTION", "block");
	envv_set(e, "SLURM_CPU_BIND", "%s", rq->cpu_bind ? "quiet,cores" : "quiet,none");
	envv_set_str(e, "SLURMD_NODENAME", c->node_name);
	if (rq->gpus_per_task && *rq->gpus_per_task)
		envv_set(e, "SLURM_GPUS_PER_TASK", "%s", rq->gpus_per_task);
	free(tpn);
	free(gtids);
}

/* This task's GPUs (--gpus-per-task: its own share of the node's devices). */
static void gpu_vars(struct envv *e, const struct step_task_ctx *c)
{
	char **v = job_env_gpu_task_vars(c->sl->job, c->node_name, c->local_id,
					 c->sl->req->gpus_per_task);

	for (char **p = v; p && *p; p++)
		envv_put(e, *p);     /* consumed */
	free(v);
}

char **step_env_build(const struct step_task_ctx *c)
{
	const Sky__StepCreateRequest *rq = c->sl->req;
	struct envv e = { 0 };

	for (size_t i = 0; i < rq->n_env; i++)
		if (strchr(rq->env[i], '=') && rq->env[i][0] != '=')
			envv_put(&e, xstrdup(rq->env[i]));
	job_vars(&e, c);
	step_vars(&e, c);
	gpu_vars(&e, c);
	if (!e.v)
		e.v = xcalloc(1, sizeof(char *));
	return e.v;
}

void step_env_free(char **env)
{
	if (!env)
		return;
	for (char **p = env; *p; p++)
		free(*p);
	free(env);
}
