/* prov_k8s_env.c: see prov_k8s_env.h. */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dist_logic.h"
#include "envv.h"
#include "job_env.h"
#include "prov_k8s_env.h"
#include "xalloc.h"

/* sky_dist's options as sbatch passes them on (spank/README.md). */
#define DIST_OPT "_SLURM_SPANK_OPTION_sky_dist_"
#define DIST_OPT_WRAPPED "SLURM_SPANK_" DIST_OPT

/* The variables a pod must not take from the submitted environment. */
static bool dropped(const char *entry)
{
	/* The controller's user's login shell is not the job's environment. */
	return !strncmp(entry, "SLURM_GET_USER_ENV=", 19);
}

/* name's value among the n submitted entries, or NULL. Borrowed. */
static const char *submitted(const Sky__LaunchJob *lj, const char *name)
{
	size_t nlen = strlen(name);

	for (size_t i = 0; i < lj->n_env; i++)
		if (lj->env[i] && !strncmp(lj->env[i], name, nlen) && lj->env[i][nlen] == '=')
			return lj->env[i] + nlen + 1;
	return NULL;
}

static const char *dist_option(const Sky__LaunchJob *lj, const char *opt)
{
	char *a = xasprintf(DIST_OPT "%s", opt), *b = xasprintf(DIST_OPT_WRAPPED "%s", opt);
	const char *v = submitted(lj, a);

	if (!v)
		v = submitted(lj, b);
	free(a);
	free(b);
	return v;
}

/* Device variables count from 0 in a container: it sees only its own GPUs. */
static void renumber_gpus(struct envv *e, uint32_t gpus)
{
	static const char *const vars[] = { "CUDA_VISIBLE_DEVICES", "GPU_DEVICE_ORDINAL",
					    "ROCR_VISIBLE_DEVICES", "ZE_AFFINITY_MASK" };
	char *list = xstrdup("");

	for (uint32_t i = 0; i < gpus; i++)
		xstrfmtcat(&list, "%s%" PRIu32, i ? "," : "", i);
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (envv_find(e, vars[i], strlen(vars[i])) >= 0)
			envv_set(e, vars[i], "%s", list);
	free(list);
}

struct dist_ctx {
	struct envv *e;
	const Sky__LaunchJob *lj;
	const char *marker;     /* the submitted SKY_DIST_SET */
	char *mine;             /* the SKY_DIST_SET we write */
};

/* Set name unless the user submitted a value of their own (sky_dist's rule). */
static void dist_set(struct dist_ctx *d, const char *name, const char *value)
{
	const char *user = submitted(d->lj, name);

	if (user && !dist_marker_owns(d->marker, name, user))
		return;
	envv_set(d->e, name, "%s", value);
	dist_marker_add(&d->mine, name, value);
}

static void dist_setu(struct dist_ctx *d, const char *name, uint64_t v)
{
	char *s = xasprintf("%" PRIu64, v);

	dist_set(d, name, s);
	free(s);
}

static void dist_vars_pod(struct envv *e, const struct k8s_env_job *j, uint32_t rank)
{
	struct dist_ctx d = { .e = e, .lj = j->lj, .marker = submitted(j->lj, DIST_MARKER_VAR) };
	const char *port_opt = dist_option(j->lj, "dist_port");
	struct dist_conf dc;
	unsigned port = 0;
	char *s;

	if (dist_option(j->lj, "no_dist_env"))
		return;
	dist_conf_init(&dc);
	if (!port_opt || dist_port_parse(port_opt, &port) < 0)
		port = dist_port_for_job(j->lj->job_id, &dc);
	dist_conf_free(&dc);
	dist_set(&d, "MASTER_ADDR", j->addrs[0]);
	dist_setu(&d, "MASTER_PORT", port);
	dist_setu(&d, "WORLD_SIZE", j->n);
	dist_setu(&d, "RANK", rank);
	dist_setu(&d, "LOCAL_RANK", 0);
	dist_setu(&d, "LOCAL_WORLD_SIZE", 1);
	dist_setu(&d, "NODE_RANK", rank);
	dist_setu(&d, "GROUP_RANK", rank);
	dist_setu(&d, "SKYPILOT_NODE_RANK", rank);
	s = xstrdup("");
	for (size_t i = 0; i < j->n; i++)
		xstrfmtcat(&s, "%s%s", i ? "\n" : "", j->addrs[i]);
	dist_set(&d, "SKYPILOT_NODE_IPS", s);
	free(s);
	dist_setu(&d, "SKYPILOT_NUM_NODES", j->n);
	dist_setu(&d, "SKYPILOT_NUM_GPUS_PER_NODE", j->gpus[rank]);
	s = xasprintf("%s:%u", j->addrs[0], port);
	dist_set(&d, "JAX_COORDINATOR_ADDRESS", s);
	free(s);
	dist_setu(&d, "JAX_NUM_PROCESSES", j->n);
	dist_setu(&d, "JAX_PROCESS_ID", rank);
	if (d.mine)
		envv_set(e, DIST_MARKER_VAR, "%s", d.mine);
	free(d.mine);
}

/* A task-YAML job's own SKYPILOT_* (job_env_sky.h) describe this pod, not node 0. */
static void sky_task_vars(struct envv *e, const struct k8s_env_job *j, uint32_t rank)
{
	static const char *const ranks[] = { "SKYPILOT_NODE_RANK", "SKYPILOT_SETUP_NODE_RANK" };
	static const char *const ips[] = { "SKYPILOT_NODE_IPS", "SKYPILOT_SETUP_NODE_IPS" };
	char *s = xstrdup("");

	for (size_t i = 0; i < j->n; i++)
		xstrfmtcat(&s, "%s%s", i ? "\n" : "", j->addrs[i]);
	for (size_t i = 0; i < 2; i++) {
		if (submitted(j->lj, ranks[i]) || envv_find(e, ranks[i], strlen(ranks[i])) < 0)
			continue;
		envv_set(e, ranks[i], "%" PRIu32, rank);
		if (!submitted(j->lj, ips[i]))
			envv_set(e, ips[i], "%s", s);
	}
	free(s);
}

char **k8s_env_rank(const struct k8s_env_job *j, uint32_t rank)
{
	Sky__LaunchJob lj = *j->lj;
	struct job_env_ctx ctx = { 0 };
	struct envv e = { 0 };
	size_t n = 0;

	lj.env = xcalloc(j->lj->n_env + 1, sizeof(char *));
	lj.n_env = 0;
	for (size_t i = 0; i < j->lj->n_env; i++)
		if (j->lj->env[i] && !dropped(j->lj->env[i]))
			lj.env[lj.n_env++] = j->lj->env[i];
	ctx.node_name = j->slots[rank];
	ctx.cluster = j->cluster;
	ctx.task_pid = 1;
	ctx.start_time = (time_t)j->lj->job->start_time;
	e.v = job_env_build(&lj, &ctx);
	free(lj.env);
	while (e.v[n])
		n++;
	e.n = n;
	e.cap = n + 1;
	envv_set(&e, "SLURM_NODEID", "%" PRIu32, rank);
	envv_set(&e, "SLURM_PROCID", "%" PRIu32, rank);
	envv_set(&e, "SLURM_GTIDS", "%" PRIu32, rank);
	renumber_gpus(&e, j->gpus[rank]);
	if (j->lj->job->desc->task_yaml)
		sky_task_vars(&e, j, rank);
	dist_vars_pod(&e, j, rank);
	return e.v;
}
