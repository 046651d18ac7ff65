/* job_desc.c: see job_desc.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "env_export.h"
#include "hostlist.h"
#include "job_desc.h"
#include "opt_mail.h"
#include "timefmt.h"
#include "xalloc.h"

#include "job_defs.h"

/* Host names from a -w file: whitespace or commas between them. Caller frees. */
static int read_host_file(const char *path, char **list, struct sky_errbuf *eb)
{
	FILE *fp = fopen(path, "re");
	char word[1024];
	char *out = NULL;

	if (!fp)
		return sky_err_set(eb, SKY_E_IO, "Unable to open file %s: %s", path, strerror(errno));
	while (fscanf(fp, " %1023[^, \t\r\n]", word) == 1) {
		xstrfmtcat(&out, "%s%s", out ? "," : "", word);
		if (fscanf(fp, "%*[, \t\r\n]") == EOF)
			break;
	}
	fclose(fp);
	*list = out ? out : xstrdup("");
	return 0;
}

int job_nodelist_resolve(struct sbatch_opts *o, struct sky_errbuf *eb)
{
	struct hostlist *hl = NULL;
	char *expr = NULL;
	size_t count;
	int rc;

	if (!o->nodelist || !*o->nodelist)
		return 0;
	if (strchr(o->nodelist, '/')) {
		if ((rc = read_host_file(o->nodelist, &expr, eb)))
			return rc;
	} else {
		expr = xstrdup(o->nodelist);
	}
	if ((rc = hostlist_create(expr, &hl, eb)))
		goto out;
	if (strchr(o->nodelist, '/')) {
		free(o->nodelist);
		o->nodelist = hostlist_ranged_string(hl);
	}
	hostlist_uniq(hl);
	count = hostlist_count(hl);
	if (count > o->min_nodes)
		o->min_nodes = (uint32_t)count;
	if (o->max_nodes && o->max_nodes < o->min_nodes)
		o->max_nodes = o->min_nodes;
	o->nodes_set = true;
out:
	hostlist_destroy(hl);
	free(expr);
	return rc;
}

const char *job_default_name(const struct sbatch_opts *o)
{
	const char *slash;

	if (o->job_name)
		return o->job_name;
	if (o->wrap)
		return "wrap";
	if (o->script_argc > 0) {
		slash = strrchr(o->script_argv[0], '/');
		return slash ? slash + 1 : o->script_argv[0];
	}
	return "sbatch";
}

/* dir/path unless path is absolute. Caller frees; NULL in, NULL out. */
static char *abs_path(const char *dir, const char *path)
{
	if (!path)
		return NULL;
	if (path[0] == '/')
		return xstrdup(path);
	return xasprintf("%s/%s", dir, path);
}

/* sbatch's own SLURM_* additions to the environment it hands on (Slurm's sbatch sets these too). */
static void add_sbatch_vars(const struct sbatch_opts *o, const struct submit_ctx *ctx,
			    char ***env, size_t *n)
{
	char buf[32];

	env_set(env, n, "SLURM_SUBMIT_DIR", ctx->cwd);
	env_set(env, n, "SLURM_SUBMIT_HOST", ctx->host);
	snprintf(buf, sizeof(buf), "%d", ctx->prio_process);
	env_set(env, n, "SLURM_PRIO_PROCESS", buf);
	if (!env_get(*env, "SLURM_UMASK")) {
		snprintf(buf, sizeof(buf), "0%o%o%o", (ctx->umask >> 6) & 7, (ctx->umask >> 3) & 7,
			 ctx->umask & 7);
		env_set(env, n, "SLURM_UMASK", buf);
	}
	env_set(env, n, "SLURM_JOB_NAME", job_default_name(o));
	if (o->open_mode)
		env_set(env, n, "SLURM_OPEN_MODE", o->open_mode == 'a' ? "a" : "t");
	if (o->export_env && strcasecmp(o->export_env, "ALL") && !env_get(*env, "SLURM_EXPORT_ENV"))
		env_set(env, n, "SLURM_EXPORT_ENV", o->export_env);
}

static int build_env(const struct sbatch_opts *o, const struct submit_ctx *ctx, Sky__JobDesc *d,
		     struct sky_errbuf *eb)
{
	char **base = xcalloc(1, sizeof(char *)), **out = NULL;
	size_t nbase = 0, nout = 0;
	bool user_env;
	int rc;

	for (size_t i = 0; ctx->environ && ctx->environ[i]; i++) {
		const char *eq = strchr(ctx->environ[i], '=');
		char *name;
		if (!eq)
			continue;
		name = xstrndup(ctx->environ[i], (size_t)(eq - ctx->environ[i]));
		env_set(&base, &nbase, name, eq + 1);
		free(name);
	}
	add_sbatch_vars(o, ctx, &base, &nbase);
	rc = env_export_build(o->export_env, base, &out, &nout, &user_env, eb);
	env_free(base, nbase);
	if (rc)
		return rc;
	/* --export-file definitions are merged over the exported environment, as Slurm does. */
	if (o->export_file && (rc = opt_export_file_apply(o->export_file, &out, &nout, eb))) {
		env_free(out, nout);
		return rc;
	}
	if (user_env || o->get_user_env)
		env_set(&out, &nout, "SLURM_GET_USER_ENV", "1");
	d->env = out;
	d->n_env = nout;
	return 0;
}

static void set_counts(const struct sbatch_opts *o, Sky__JobDesc *d)
{
	if (o->nodes_set) {
		d->has_min_nodes = d->has_max_nodes = true;
		d->min_nodes = o->min_nodes;
		d->max_nodes = o->max_nodes ? o->max_nodes : o->min_nodes;
	}
	if (o->ntasks_set) {
		d->has_num_tasks = true;
		d->num_tasks = o->ntasks;
	}
	if (o->ntasks_per_node) {
		d->has_ntasks_per_node = true;
		d->ntasks_per_node = o->ntasks_per_node;
	}
	if (o->cpus_per_task) {
		d->has_cpus_per_task = true;
		d->cpus_per_task = o->cpus_per_task;
	}
	if (o->mem_set) {
		d->has_mem_per_node_mb = d->has_mem_set = true;
		d->mem_per_node_mb = o->mem_mb;
		d->mem_set = true;
	}
	if (o->mem_per_cpu_set) {
		d->has_mem_per_cpu_mb = true;
		d->mem_per_cpu_mb = o->mem_per_cpu_mb;
	}
	if (o->time_limit != SKY_NO_VAL) {
		d->has_time_limit_min = true;
		d->time_limit_min = o->time_limit;
	}
	if (o->time_min != SKY_NO_VAL) {
		d->has_time_min_min = true;
		d->time_min_min = o->time_min;
	}
}

static void set_flags(const struct sbatch_opts *o, Sky__JobDesc *d)
{
	if (o->hold)
		d->has_hold = d->hold = true;
	if (o->exclusive != SB_EXCL_UNSET) {
		d->has_exclusive = true;
		d->exclusive = o->exclusive == SB_EXCL_EXCLUSIVE;
	}
	if (o->nice_set) {
		d->has_nice = true;
		d->nice = NICE_OFFSET + (uint32_t)o->nice;
	}
	if (o->begin) {
		d->has_begin_time = true;
		d->begin_time = (uint64_t)o->begin;
	}
	if (o->deadline) {
		d->has_deadline = true;
		d->deadline = (uint64_t)o->deadline;
	}
	if (o->signal_num) {
		d->has_signal_num = d->has_signal_secs = d->has_signal_batch_only = true;
		d->signal_num = o->signal_num;
		d->signal_secs = o->signal_secs;
		d->signal_batch_only = o->signal_batch;
	}
	if (o->requeue >= 0) {
		d->has_requeue = d->has_requeue_set = d->requeue_set = true;
		d->requeue = o->requeue == 1;
	}
	if (o->open_mode) {
		d->has_open_mode_append = d->has_open_mode_set = d->open_mode_set = true;
		d->open_mode_append = o->open_mode == 'a';
	}
	if (o->uid_set) {
		d->has_uid = true;
		d->uid = o->uid;
	}
	if (o->gid_set) {
		d->has_gid = true;
		d->gid = o->gid;
	}
}

int job_desc_build(const struct sbatch_opts *o, const struct submit_ctx *ctx, const char *script,
		   size_t len, Sky__JobDesc **out, struct sky_errbuf *eb)
{
	Sky__JobDesc *d = xmalloc(sizeof(*d));
	int rc;

	sky__job_desc__init(d);
	d->name = xstrdup(job_default_name(o));
	d->partition = xstrdup(o->partition);
	d->account = xstrdup(o->account);
	d->qos = xstrdup(o->qos);
	d->comment = xstrdup(o->comment);
	d->array = xstrdup(o->array);
	d->dependency = xstrdup(o->dependency);
	if (o->kill_on_invalid_dep >= 0) {
		d->has_kill_on_invalid_dep = true;
		d->kill_on_invalid_dep = o->kill_on_invalid_dep == 1;
	}
	d->gres = xstrdup(o->gres);
	d->gpus = xstrdup(o->gpus);
	d->gpus_per_node = xstrdup(o->gpus_per_node);
	d->gpus_per_task = xstrdup(o->gpus_per_task);
	if (o->mem_per_gpu_set) {
		d->has_mem_per_gpu_mb = true;
		d->mem_per_gpu_mb = o->mem_per_gpu_mb;
	}
	d->req_nodes = xstrdup(o->nodelist);
	d->exc_nodes = xstrdup(o->exclude);
	d->constraint = xstrdup(o->constraint);
	d->mail_type = xstrdup(o->mail_type);
	d->mail_user = xstrdup(o->mail_user);
	if (o->priority_set) {
		d->has_priority = true;
		d->priority = o->priority;
	}
	d->export_env = xstrdup(o->export_env);
	d->work_dir = o->chdir ? abs_path(ctx->cwd, o->chdir) : xstrdup(ctx->cwd);
	d->submit_dir = xstrdup(ctx->cwd);
	d->submit_host = xstrdup(ctx->host);
	d->submit_line = xstrdup(ctx->submit_line);
	d->command = xstrdup(ctx->script_path);
	d->std_out = abs_path(d->work_dir, o->std_out);
	d->std_err = abs_path(d->work_dir, o->std_err);
	d->std_in = o->std_in ? abs_path(d->work_dir, o->std_in) : xstrdup("/dev/null");
	d->has_umask = true;
	d->umask = (uint32_t)ctx->umask;
	d->has_prio_process = true;
	d->prio_process = (uint32_t)ctx->prio_process;
	set_counts(o, d);
	set_flags(o, d);
	if (o->script_argc > 1) {
		d->n_argv = (size_t)(o->script_argc - 1);
		d->argv = xcalloc(d->n_argv, sizeof(char *));
		for (size_t i = 0; i < d->n_argv; i++)
			d->argv[i] = xstrdup(o->script_argv[i + 1]);
	}
	d->has_script = true;
	d->script.len = len;
	d->script.data = xmalloc(len + 1);
	memcpy(d->script.data, script, len);
	if ((rc = build_env(o, ctx, d, eb))) {
		job_desc_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

void job_desc_free(Sky__JobDesc *d)
{
	if (!d)
		return;
	free(d->name);
	free(d->partition);
	free(d->account);
	free(d->qos);
	free(d->comment);
	free(d->array);
	free(d->dependency);
	free(d->gres);
	free(d->gpus);
	free(d->gpus_per_node);
	free(d->gpus_per_task);
	free(d->req_nodes);
	free(d->exc_nodes);
	free(d->export_env);
	free(d->work_dir);
	free(d->submit_dir);
	free(d->submit_host);
	free(d->submit_line);
	free(d->command);
	free(d->std_out);
	free(d->std_err);
	free(d->std_in);
	env_free(d->env, d->n_env);
	for (size_t i = 0; i < d->n_argv; i++)
		free(d->argv[i]);
	free(d->argv);
	free(d->script.data);
	free(d);
}
