/*
 * sky_dist.c: the sky_dist SPANK plugin. In every task (slurm_spank_task_init,
 * remote context) it sets the variables distributed-training launchers read,
 * computed from Slurm's view of the task (dist_logic.h). It is built against
 * Slurm's <slurm/spank.h> when installed, else against slurm-sky's own copy of
 * the documented interface, and runs unchanged under slurmstepd and slurmd-sky.
 *
 * plugstack.conf:  required /path/sky_dist.so [port_range=29500-29999]
 *                  [families=torch,skypilot,jax] [slurm_conf=/etc/slurm/slurm.conf]
 * Options (srun, sbatch, salloc): --dist-port=N, --no-dist-env.
 *
 * Everything but the hooks and plugin_* symbols is hidden by the link's
 * version script, so the hostlist and allocation code linked in here never
 * clashes with the host's own symbols of the same names.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slurm/spank.h>

#include "dist_logic.h"
#include "xalloc.h"

SPANK_PLUGIN(sky_dist, 1)

#define OPT_PORT 1
#define OPT_OFF 2

static unsigned opt_port;  /* --dist-port; 0: derived from the job id */
static int opt_off;        /* --no-dist-env */
static struct dist_conf conf;
static int conf_ready;

static int opt_cb(int val, const char *optarg, int remote)
{
	(void)remote;
	if (val == OPT_OFF) {
		opt_off = 1;
		return 0;
	}
	if (dist_port_parse(optarg, &opt_port) < 0) {
		slurm_error("sky_dist: --dist-port=%s: expected a TCP port number 1-65535",
			    optarg ? optarg : "");
		return -1;
	}
	return 0;
}

static struct spank_option opts[] = {
	{ "dist-port", "port", "sky_dist: MASTER_PORT (and the JAX coordinator port) of this job",
	  1, OPT_PORT, opt_cb },
	{ "no-dist-env", NULL, "sky_dist: do not set MASTER_ADDR, RANK, WORLD_SIZE and the like",
	  0, OPT_OFF, opt_cb },
	SPANK_OPTIONS_TABLE_END
};

int slurm_spank_init(spank_t sp, int ac, char **av)
{
	char err[256];

	for (struct spank_option *o = opts; o->name; o++)
		if (spank_option_register(sp, o) != ESPANK_SUCCESS) {
			slurm_error("sky_dist: cannot register option --%s", o->name);
			return -1;
		}
	dist_conf_free(&conf);
	dist_conf_init(&conf);
	if (dist_conf_parse(ac, av, &conf, err, sizeof(err)) < 0) {
		slurm_error("sky_dist: plugstack.conf: %s", err);
		return -1;
	}
	conf_ready = 1;
	return 0;
}

/* var from the task's environment, or NULL. Caller frees. */
static char *task_getenv(spank_t sp, const char *var)
{
	for (int len = 4096; len <= (1 << 22); len *= 8) {
		char *buf = xmalloc((size_t)len);
		spank_err_t rc = spank_getenv(sp, var, buf, len);

		if (rc == ESPANK_SUCCESS)
			return buf;
		free(buf);
		if (rc != ESPANK_NOSPACE)
			return NULL;
	}
	return NULL;
}

static int get_u32(spank_t sp, spank_item_t item, uint32_t *v)
{
	return spank_get_item(sp, item, v) == ESPANK_SUCCESS ? 0 : -1;
}

static int read_task(spank_t sp, struct dist_task *t)
{
	int local_id = 0;

	memset(t, 0, sizeof(*t));
	if (get_u32(sp, S_JOB_ID, &t->job_id) || get_u32(sp, S_JOB_NNODES, &t->nnodes) ||
	    get_u32(sp, S_JOB_NODEID, &t->nodeid) ||
	    get_u32(sp, S_JOB_LOCAL_TASK_COUNT, &t->local_tasks) ||
	    get_u32(sp, S_JOB_TOTAL_TASK_COUNT, &t->total_tasks) ||
	    get_u32(sp, S_TASK_GLOBAL_ID, &t->global_id) ||
	    spank_get_item(sp, S_TASK_ID, &local_id) != ESPANK_SUCCESS) {
		slurm_error("sky_dist: the host did not give the task's ids and counts");
		return -1;
	}
	t->local_id = (uint32_t)local_id;
	t->port = opt_port;
	return 0;
}

/* Set what is not set, or what an earlier step of ours set; keep the user's. */
static void apply(spank_t sp, const struct dist_var *v, size_t n)
{
	char *old_marker = task_getenv(sp, DIST_MARKER_VAR), *marker = NULL;

	for (size_t i = 0; i < n; i++) {
		char *cur = task_getenv(sp, v[i].name);

		if (cur && !dist_marker_owns(old_marker, v[i].name, cur)) {
			slurm_debug("sky_dist: %s is set already; left alone", v[i].name);
			free(cur);
			continue;
		}
		free(cur);
		if (spank_setenv(sp, v[i].name, v[i].value, 1) != ESPANK_SUCCESS) {
			slurm_error("sky_dist: cannot set %s", v[i].name);
			continue;
		}
		dist_marker_add(&marker, v[i].name, v[i].value);
	}
	if (marker)
		(void)spank_setenv(sp, DIST_MARKER_VAR, marker, 1);
	free(marker);
	free(old_marker);
}

int slurm_spank_task_init(spank_t sp, int ac, char **av)
{
	struct dist_task t;
	struct dist_var *vars = NULL;
	size_t n = 0;
	char *step_nodes, *job_nodes, *node, *gpus, *job_gpus, *sconf = NULL;
	char err[512];
	int rc = 0;

	(void)ac;
	(void)av;
	if (!spank_remote(sp) || opt_off || !conf_ready || !conf.families)
		return 0;
	if (read_task(sp, &t) < 0)
		return -1;
	step_nodes = task_getenv(sp, "SLURM_STEP_NODELIST");
	job_nodes = task_getenv(sp, "SLURM_JOB_NODELIST");
	node = task_getenv(sp, "SLURMD_NODENAME");
	gpus = task_getenv(sp, "SLURM_GPUS_ON_NODE");
	job_gpus = task_getenv(sp, "SLURM_JOB_GPUS");
	t.nodelist = step_nodes ? step_nodes : job_nodes;
	t.this_node = node;
	t.gpus_per_node = dist_gpus_on_node(gpus, job_gpus);
	if (!conf.slurm_conf) {
		sconf = task_getenv(sp, "SLURM_CONF");
		if (!sconf)
			sconf = task_getenv(sp, "SLURM_SKY_CONF");
		conf.slurm_conf = sconf;
	}
	if (!t.nodelist) {
		slurm_error("sky_dist: neither SLURM_STEP_NODELIST nor SLURM_JOB_NODELIST is set");
		rc = -1;
	} else if (dist_vars(&conf, &t, &vars, &n, err, sizeof(err)) < 0) {
		slurm_error("sky_dist: %s", err);
		rc = -1;
	} else {
		apply(sp, vars, n);
		slurm_debug("sky_dist: job %u task %u: %zu variables", t.job_id, t.global_id, n);
	}
	if (sconf)
		conf.slurm_conf = NULL;
	dist_vars_free(vars, n);
	free(sconf);
	free(step_nodes);
	free(job_nodes);
	free(node);
	free(gpus);
	free(job_gpus);
	return rc;
}

int slurm_spank_exit(spank_t sp, int ac, char **av)
{
	(void)sp;
	(void)ac;
	(void)av;
	dist_conf_free(&conf);
	conf_ready = 0;
	return 0;
}
