/* job_env.c: see job_env.h. */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "envv.h"
#include "hostlist.h"
#include "job_env.h"
#include "job_env_gpu.h"
#include "job_env_sky.h"
#include "timefmt.h"
#include "user_env.h"
#include "xalloc.h"

/* Slurm gives a job without a time limit an end time one year out. */
#define END_TIME_UNLIMITED_SECS (365L * 24 * 60 * 60)
/* Array specs are expanded to find min/max/step; beyond this we give up. */
#define ARRAY_EXPAND_MAX (1u << 20)

const char *job_env_get(char *const *env, const char *name)
{
	size_t nlen = strlen(name);

	for (; env && *env; env++)
		if (!strncmp(*env, name, nlen) && (*env)[nlen] == '=')
			return *env + nlen + 1;
	return NULL;
}

void job_env_free(char **env)
{
	for (char **p = env; p && *p; p++)
		free(*p);
	free(env);
}

char *job_env_compress(const uint32_t *v, size_t n)
{
	char *out = xstrdup("");

	for (size_t i = 0; i < n;) {
		size_t run = 1;
		while (i + run < n && v[i + run] == v[i])
			run++;
		if (run > 1)
			xstrfmtcat(&out, "%s%" PRIu32 "(x%zu)", i ? "," : "", v[i], run);
		else
			xstrfmtcat(&out, "%s%" PRIu32, i ? "," : "", v[i]);
		i += run;
	}
	return out;
}

static uint32_t job_num_nodes(const Sky__JobRecord *job)
{
	struct hostlist *hl = NULL;
	uint32_t n = 0;

	if (job->has_num_nodes && job->num_nodes)
		return job->num_nodes;
	if (job->node_list && hostlist_create(job->node_list, &hl, NULL) == 0) {
		n = (uint32_t)hostlist_count(hl);
		hostlist_destroy(hl);
	}
	return n ? n : 1;
}

static uint32_t job_cpus_per_node(const Sky__JobRecord *job, uint32_t nnodes)
{
	if (job->has_cpus_per_node && job->cpus_per_node)
		return job->cpus_per_node;
	if (job->has_num_cpus && job->num_cpus >= nnodes)
		return job->num_cpus / nnodes;
	return 1;
}

void job_env_tasks_per_node(const Sky__JobRecord *job, uint32_t nnodes, uint32_t **out)
{
	const Sky__JobDesc *d = job->desc;
	uint32_t *v = xcalloc(nnodes ? nnodes : 1, sizeof(*v));

	if (d->num_tasks) {
		for (uint32_t i = 0; i < nnodes; i++)
			v[i] = d->num_tasks / nnodes + (i < d->num_tasks % nnodes ? 1 : 0);
	} else if (d->ntasks_per_node) {
		for (uint32_t i = 0; i < nnodes; i++)
			v[i] = d->ntasks_per_node;
	} else {
		uint32_t cpt = d->cpus_per_task ? d->cpus_per_task : 1;
		uint32_t per = job_cpus_per_node(job, nnodes) / cpt;
		for (uint32_t i = 0; i < nnodes; i++)
			v[i] = per ? per : 1;
	}
	*out = v;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Parse one "a", "a-b" or "a-b:s" piece of an --array spec into *v. */
static bool array_piece(const char *p, uint32_t **v, size_t *n, size_t *cap)
{
	unsigned long a, b, s = 1;
	char *end;

	a = strtoul(p, &end, 10);
	b = a;
	if (end == p)
		return false;
	if (*end == '-') {
		p = end + 1;
		b = strtoul(p, &end, 10);
		if (end == p || b < a)
			return false;
	}
	if (*end == ':') {
		p = end + 1;
		s = strtoul(p, &end, 10);
		if (end == p || s == 0)
			return false;
	}
	if (*end && *end != ',' && *end != '%')
		return false;
	for (unsigned long i = a; i <= b; i += s) {
		if (*n >= ARRAY_EXPAND_MAX)
			return false;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*v = xrealloc(*v, *cap * sizeof(**v));
		}
		(*v)[(*n)++] = (uint32_t)i;
	}
	return true;
}

/* SLURM_ARRAY_TASK_COUNT/MIN/MAX/STEP from the --array spec as given. */
static void env_array_spec(struct envv *e, const char *spec)
{
	uint32_t *v = NULL, step = 1;
	size_t n = 0, cap = 0, u = 0;
	const char *p = spec;

	while (p && *p && *p != '%') {
		if (!array_piece(p, &v, &n, &cap))
			goto out;
		p += strcspn(p, ",%");
		if (*p == ',')
			p++;
	}
	if (!n)
		goto out;
	qsort(v, n, sizeof(*v), cmp_u32);
	for (size_t i = 0; i < n; i++)
		if (!u || v[u - 1] != v[i])
			v[u++] = v[i];
	/* Slurm reports the stride only when the indices are evenly spaced. */
	if (u > 1) {
		step = v[1] - v[0];
		for (size_t i = 2; i < u; i++)
			if (v[i] - v[i - 1] != step)
				step = 1;
	}
	envv_set(e, "SLURM_ARRAY_TASK_COUNT", "%zu", u);
	envv_set(e, "SLURM_ARRAY_TASK_MIN", "%" PRIu32, v[0]);
	envv_set(e, "SLURM_ARRAY_TASK_MAX", "%" PRIu32, v[u - 1]);
	envv_set(e, "SLURM_ARRAY_TASK_STEP", "%" PRIu32, step);
out:
	free(v);
}

static void env_job_identity(struct envv *e, const Sky__JobRecord *job,
			     const struct job_env_ctx *c)
{
	const Sky__JobDesc *d = job->desc;
	const char *user = c->user_name ? c->user_name : job->user_name;
	const char *group = c->group_name ? c->group_name : job->group_name;

	envv_set(e, "SLURM_JOB_ID", "%" PRIu32, job->job_id);
	envv_set(e, "SLURM_JOBID", "%" PRIu32, job->job_id);
	envv_set(e, "SLURM_JOB_NAME", "%s", d->name ? d->name : "");
	envv_set_str(e, "SLURM_JOB_PARTITION", job->partition ? job->partition : d->partition);
	envv_set_str(e, "SLURM_SUBMIT_DIR", d->submit_dir ? d->submit_dir : d->work_dir);
	envv_set_str(e, "SLURM_SUBMIT_HOST", d->submit_host);
	envv_set_str(e, "SLURM_CLUSTER_NAME", job->cluster && *job->cluster ? job->cluster : c->cluster);
	envv_set(e, "SLURM_JOB_USER", "%s", user ? user : "");
	envv_set(e, "SLURM_JOB_UID", "%" PRIu32, job->user_id);
	envv_set(e, "SLURM_JOB_GID", "%" PRIu32, job->group_id);
	envv_set(e, "SLURM_JOB_GROUP", "%s", group ? group : "");
	envv_set_str(e, "SLURM_JOB_ACCOUNT", d->account);
	envv_set_str(e, "SLURM_JOB_QOS", d->qos);
	envv_set_str(e, "SLURM_JOB_DEPENDENCY", d->dependency);
	/* Slurm's sbatch passes it on for every --export but the default ALL. */
	if (d->export_env && strcasecmp(d->export_env, "ALL"))
		envv_set_str(e, "SLURM_EXPORT_ENV", d->export_env);
	envv_set(e, "SLURM_RESTART_COUNT", "%" PRIu32, job->restart_count);
	envv_set(e, "SLURM_PRIO_PROCESS", "%" PRIu32, d->prio_process);
	if (job->has_array_task_id) {
		envv_set(e, "SLURM_ARRAY_JOB_ID", "%" PRIu32,
			job->array_job_id ? job->array_job_id : job->job_id);
		envv_set(e, "SLURM_ARRAY_TASK_ID", "%" PRIu32, job->array_task_id);
		env_array_spec(e, d->array);
	}
}

static void env_job_layout(struct envv *e, const Sky__JobRecord *job,
			   const struct job_env_ctx *c)
{
	const Sky__JobDesc *d = job->desc;
	uint32_t nnodes = job_num_nodes(job);
	uint32_t cpn = job_cpus_per_node(job, nnodes);
	uint32_t *per = xcalloc(nnodes, sizeof(*per));
	const char *nodes = job->node_list && *job->node_list ? job->node_list : c->node_name;
	char *s;

	envv_set(e, "SLURM_JOB_NODELIST", "%s", nodes);
	envv_set(e, "SLURM_NODELIST", "%s", nodes);
	envv_set(e, "SLURM_JOB_NUM_NODES", "%" PRIu32, nnodes);
	envv_set(e, "SLURM_NNODES", "%" PRIu32, nnodes);
	envv_set(e, "SLURM_CPUS_ON_NODE", "%" PRIu32, cpn);
	for (uint32_t i = 0; i < nnodes; i++)
		per[i] = cpn;
	s = job_env_compress(per, nnodes);
	envv_set(e, "SLURM_JOB_CPUS_PER_NODE", "%s", s);
	free(s);
	free(per);
	job_env_tasks_per_node(job, nnodes, &per);
	s = job_env_compress(per, nnodes);
	envv_set(e, "SLURM_TASKS_PER_NODE", "%s", s);
	free(s);
	free(per);
	if (d->num_tasks || d->ntasks_per_node) {
		uint32_t nt = d->num_tasks ? d->num_tasks : d->ntasks_per_node * nnodes;
		envv_set(e, "SLURM_NTASKS", "%" PRIu32, nt);
		envv_set(e, "SLURM_NPROCS", "%" PRIu32, nt);
	}
	if (d->ntasks_per_node)
		envv_set(e, "SLURM_NTASKS_PER_NODE", "%" PRIu32, d->ntasks_per_node);
	if (d->cpus_per_task)
		envv_set(e, "SLURM_CPUS_PER_TASK", "%" PRIu32, d->cpus_per_task);
	if (d->mem_per_cpu_mb)
		envv_set(e, "SLURM_MEM_PER_CPU", "%" PRIu64, d->mem_per_cpu_mb);
	else if (d->mem_per_node_mb || d->mem_set)
		envv_set(e, "SLURM_MEM_PER_NODE", "%" PRIu64,
			d->mem_per_node_mb ? d->mem_per_node_mb : job->mem_per_node_mb);
	if (d->mem_per_gpu_mb)
		envv_set(e, "SLURM_MEM_PER_GPU", "%" PRIu64, d->mem_per_gpu_mb);
	envv_set_str(e, "SLURM_GPUS", d->gpus);
	envv_set_str(e, "SLURM_GPUS_PER_NODE", d->gpus_per_node);
	envv_set_str(e, "SLURM_GPUS_PER_TASK", d->gpus_per_task);
}

static void env_job_times(struct envv *e, const Sky__JobRecord *job,
			  const struct job_env_ctx *c)
{
	uint64_t start = job->start_time ? job->start_time : (uint64_t)c->start_time;
	uint32_t limit = job->has_time_limit_min ? job->time_limit_min : job->desc->time_limit_min;
	uint64_t end;

	if (!limit || limit == SKY_INFINITE || limit == SKY_NO_VAL)
		end = start + END_TIME_UNLIMITED_SECS;
	else
		end = start + (uint64_t)limit * 60;
	envv_set(e, "SLURM_JOB_START_TIME", "%" PRIu64, start);
	envv_set(e, "SLURM_JOB_END_TIME", "%" PRIu64, end);
}

static void env_task(struct envv *e, const struct job_env_ctx *c)
{
	envv_set(e, "SLURMD_NODENAME", "%s", c->node_name);
	envv_set(e, "SLURM_NODEID", "0");
	envv_set(e, "SLURM_PROCID", "0");
	envv_set(e, "SLURM_LOCALID", "0");
	envv_set(e, "SLURM_GTIDS", "0");
	envv_set(e, "SLURM_TASK_PID", "%d", (int)c->task_pid);
	envv_set(e, "ENVIRONMENT", "BATCH");
	envv_set(e, "HOSTNAME", "%s", c->node_name);
	/* Without a topology plugin Slurm's address of a node is its name (22.05 sets both). */
	envv_set(e, "SLURM_TOPOLOGY_ADDR", "%s", c->node_name);
	envv_set(e, "SLURM_TOPOLOGY_ADDR_PATTERN", "node");
}

/* --get-user-env: the login environment goes under the submitted one. */
static void env_user_login(struct envv *e)
{
	char *why = NULL, **u = user_env_load(USER_ENV_TIMEOUT, &why);

	if (!u) {
		fprintf(stderr, "slurmstepd: error: could not load the user's login environment: %s\n",
			why);
		free(why);
		return;
	}
	for (size_t i = 0; u[i]; i++)
		envv_put(e, u[i]);
	free(u);
}

char **job_env_build(const Sky__LaunchJob *lj, const struct job_env_ctx *c)
{
	struct envv e = { 0 };
	char **sky;

	e.cap = lj->n_env + 80;
	e.v = xcalloc(e.cap, sizeof(char *));
	if (user_env_wanted(lj->env, lj->n_env))
		env_user_login(&e);
	for (size_t i = 0; i < lj->n_env; i++) {
		const char *eq = lj->env[i] ? strchr(lj->env[i], '=') : NULL;
		/* SLURM_UMASK only carries sbatch's umask to the node (slurmstepd drops it too). */
		if (eq && eq != lj->env[i] && strncmp(lj->env[i], "SLURM_UMASK=", 12))
			envv_put(&e, xstrdup(lj->env[i]));
	}
	env_job_identity(&e, lj->job, c);
	env_job_layout(&e, lj->job, c);
	env_job_times(&e, lj->job, c);
	env_task(&e, c);
	sky = job_env_sky_vars(lj, c);
	for (size_t i = 0; sky && sky[i]; i++)
		envv_put(&e, sky[i]);
	free(sky);
	sky = job_env_gpu_vars(lj->job, c->node_name);
	for (size_t i = 0; sky[i]; i++)
		envv_put(&e, sky[i]);
	free(sky);
	return e.v;
}
