/* job_env_gpu.c: see job_env_gpu.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gres.h"
#include "job_env_gpu.h"
#include "log.h"
#include "xalloc.h"

/* The four variables GPU runtimes read, all on by default (gres.conf Flags aside). */
static const char *const visible_vars[] = {
	"CUDA_VISIBLE_DEVICES", "GPU_DEVICE_ORDINAL", "ROCR_VISIBLE_DEVICES", "ZE_AFFINITY_MASK",
};
#define N_VISIBLE (sizeof(visible_vars) / sizeof(visible_vars[0]))

struct vars {
	char **v;
	size_t n;
};

static void add(struct vars *l, const char *name, const char *val)
{
	l->v = xrealloc(l->v, (l->n + 2) * sizeof(*l->v));
	l->v[l->n++] = xasprintf("%s=%s", name, val);
	l->v[l->n] = NULL;
}

static char *join(const uint32_t *idx, size_t n)
{
	char *s = xstrdup("");

	for (size_t i = 0; i < n; i++) {
		char *t = xasprintf("%s%s%u", s, i ? "," : "", idx[i]);
		free(s);
		s = t;
	}
	return s;
}

/* The node's GPU indices of the job; false when it has none here. */
static bool node_gpus(const Sky__JobRecord *job, const char *node, uint32_t **idx, size_t *n)
{
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	if (!job || !node || gres_job_node_indices(job, node, "gpu", idx, n, &eb)) {
		if (eb.code)
			log_error("job %u: %s", job->job_id, sky_err_msg(&eb));
		*idx = NULL;
		*n = 0;
		return false;
	}
	return *n > 0;
}

static char **finish(struct vars *l)
{
	return l->v ? l->v : xcalloc(1, sizeof(char *));
}

char **job_env_gpu_vars(const Sky__JobRecord *job, const char *node)
{
	struct vars l = { 0 };
	uint32_t *idx;
	size_t n;
	char *list, num[32];

	if (!node_gpus(job, node, &idx, &n))
		return finish(&l);
	list = join(idx, n);
	add(&l, "SLURM_JOB_GPUS", list);
	snprintf(num, sizeof(num), "%zu", n);
	add(&l, "SLURM_GPUS_ON_NODE", num);
	for (size_t i = 0; i < N_VISIBLE; i++)
		add(&l, visible_vars[i], list);
	free(list);
	free(idx);
	return finish(&l);
}

char *job_env_gpu_task_list(const uint32_t *idx, size_t n, uint32_t local_id, uint32_t per_task)
{
	size_t first = (size_t)local_id * per_task;

	if (!per_task || first + per_task > n)
		return NULL;
	return join(idx + first, per_task);
}

/* "2" or "a100:2" -> 2; 0 when absent or unreadable. */
static uint32_t per_task_count(const char *spec)
{
	struct gres_list l = { 0 };
	struct sky_errbuf eb;
	char *full;
	uint32_t n = 0;

	if (!spec || !*spec)
		return 0;
	full = xasprintf("gpu:%s", spec);
	sky_err_clear(&eb);
	if (gres_parse_request(full, &l, &eb) == 0 && l.n == 1 && l.v[0].count <= UINT32_MAX)
		n = (uint32_t)l.v[0].count;
	gres_list_free(&l);
	free(full);
	return n;
}

char **job_env_gpu_task_vars(const Sky__JobRecord *job, const char *node, uint32_t local_id,
			     const char *gpus_per_task)
{
	struct vars l = { 0 };
	uint32_t *idx, per_task;
	size_t n;
	char *all, *mine, num[32];

	if (!node_gpus(job, node, &idx, &n))
		return finish(&l);
	per_task = per_task_count(gpus_per_task);
	if (!per_task && job->desc)
		per_task = per_task_count(job->desc->gpus_per_task);
	all = join(idx, n);
	mine = per_task ? job_env_gpu_task_list(idx, n, local_id, per_task) : NULL;
	add(&l, "SLURM_STEP_GPUS", all);
	snprintf(num, sizeof(num), "%zu", n);
	add(&l, "SLURM_GPUS_ON_NODE", num);
	for (size_t i = 0; i < N_VISIBLE; i++)
		add(&l, visible_vars[i], mine ? mine : all);
	free(mine);
	free(all);
	free(idx);
	return finish(&l);
}

void job_env_gpu_task_apply(const Sky__JobRecord *job, const char *node, uint32_t local_id,
			    const char *gpus_per_task)
{
	char **v = job_env_gpu_task_vars(job, node, local_id, gpus_per_task);

	for (size_t i = 0; v[i]; i++) {
		char *eq = strchr(v[i], '=');
		*eq = '\0';
		setenv(v[i], eq + 1, 1);
		free(v[i]);
	}
	free(v);
}
