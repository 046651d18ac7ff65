/*
 * spank_api.c: the functions SPANK plugins call, as spank(8) documents
 * them, answered from the current stack (spank_int.h). The executables that
 * host plugins export these names (spank/host.sym).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "spank_int.h"
#include "xalloc.h"

static struct spank_stack *current;

void spank_api_set_current(struct spank_stack *st)
{
	current = st;
}

struct spank_stack *spank_api_current(void)
{
	return current;
}

static bool valid(spank_t sp)
{
	return sp && sp->magic == SPANK_HANDLE_MAGIC && sp->st;
}

const char *spank_strerror(spank_err_t err)
{
	switch (err) {
	case ESPANK_SUCCESS: return "Success";
	case ESPANK_ERROR: return "Generic error";
	case ESPANK_BAD_ARG: return "Bad argument";
	case ESPANK_NOT_TASK: return "Not in task context";
	case ESPANK_ENV_EXISTS: return "Environment variable exists";
	case ESPANK_ENV_NOEXIST: return "No such environment variable";
	case ESPANK_NOSPACE: return "Buffer too small";
	case ESPANK_NOT_REMOTE: return "Valid only in remote context";
	case ESPANK_NOEXIST: return "Id/PID does not exist on this node";
	case ESPANK_NOT_EXECD: return "Lookup by PID requested, but no tasks running";
	case ESPANK_NOT_AVAIL: return "Item not available from this callback";
	case ESPANK_NOT_LOCAL: return "Valid only in local or allocator context";
	default: return "Unknown error";
	}
}

int spank_symbol_supported(const char *symbol)
{
	static const char *const known[] = {
		"slurm_spank_init", "slurm_spank_init_post_opt", "slurm_spank_local_user_init",
		"slurm_spank_user_init", "slurm_spank_task_init_privileged",
		"slurm_spank_task_init", "slurm_spank_task_post_fork", "slurm_spank_task_exit",
		"slurm_spank_exit",
	};

	if (!symbol)
		return -1;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(symbol, known[i]) == 0)
			return 1;
	return 0;
}

int spank_remote(spank_t sp)
{
	return valid(sp) && sp->st->ctx == S_CTX_REMOTE;
}

spank_context_t spank_context(void)
{
	return current ? (spank_context_t)current->ctx : S_CTX_ERROR;
}

int spank_api_register(struct spank_stack *st, size_t p, const struct spank_option *opt)
{
	struct spank_opt *o;

	if (!opt || !opt->name || !*opt->name || strlen(opt->name) > SPANK_OPTION_MAXLEN)
		return ESPANK_BAD_ARG;
	for (size_t i = 0; i < st->n_opts; i++)
		if (strcmp(st->opts[i].opt.name, opt->name) == 0) {
			if (st->opts[i].plugin == p)
				return ESPANK_SUCCESS; /* table and register both: once */
			log_error("spank: option --%s of %s already registered by %s", opt->name,
				  st->plugins[p].name, st->plugins[st->opts[i].plugin].name);
			return ESPANK_BAD_ARG;
		}
	st->opts = xrealloc(st->opts, (st->n_opts + 1) * sizeof(*st->opts));
	o = &st->opts[st->n_opts++];
	memset(o, 0, sizeof(*o));
	o->opt = *opt;
	o->opt.name = xstrdup(opt->name);
	o->opt.arginfo = xstrdup(opt->arginfo);
	o->opt.usage = xstrdup(opt->usage);
	o->plugin = p;
	return ESPANK_SUCCESS;
}

spank_err_t spank_option_register(spank_t sp, struct spank_option *opt)
{
	if (!valid(sp))
		return ESPANK_BAD_ARG;
	if (sp->hook != SPANK_HOOK_INIT)
		return ESPANK_BAD_ARG;
	return spank_api_register(sp->st, sp->plugin, opt);
}

spank_err_t spank_option_getopt(spank_t sp, struct spank_option *opt, char **optarg)
{
	if (!valid(sp) || !opt || !opt->name)
		return ESPANK_BAD_ARG;
	for (size_t i = 0; i < sp->st->n_opts; i++) {
		struct spank_opt *o = &sp->st->opts[i];
		if (o->plugin != sp->plugin || strcmp(o->opt.name, opt->name) != 0)
			continue;
		if (!o->value)
			return ESPANK_ERROR;
		if (optarg)
			*optarg = o->value;
		return ESPANK_SUCCESS;
	}
	return ESPANK_BAD_ARG;
}

/* Items that need a task, and the lookups by id or pid. */
static spank_err_t task_item(const struct spank_task *t, spank_item_t item, va_list ap)
{
	uint32_t u, *up;
	pid_t pid;

	switch (item) {
	case S_TASK_ID:
		*va_arg(ap, int *) = (int)t->local_task_id;
		return ESPANK_SUCCESS;
	case S_TASK_GLOBAL_ID:
		*va_arg(ap, uint32_t *) = t->global_task_id;
		return ESPANK_SUCCESS;
	case S_TASK_EXIT_STATUS:
		if (t->exit_status < 0)
			return ESPANK_NOT_AVAIL;
		*va_arg(ap, int *) = t->exit_status;
		return ESPANK_SUCCESS;
	case S_TASK_PID:
		*va_arg(ap, pid_t *) = t->pid;
		return t->pid ? ESPANK_SUCCESS : ESPANK_NOT_AVAIL;
	case S_JOB_PID_TO_GLOBAL_ID:
	case S_JOB_PID_TO_LOCAL_ID:
		pid = va_arg(ap, pid_t);
		up = va_arg(ap, uint32_t *);
		for (u = 0; t->local_pids && u < t->local_task_count; u++)
			if (t->local_pids[u] == pid) {
				*up = item == S_JOB_PID_TO_LOCAL_ID ? u
				      : t->local_to_global ? t->local_to_global[u] : u;
				return ESPANK_SUCCESS;
			}
		if (pid == t->pid && t->pid) {
			*up = item == S_JOB_PID_TO_LOCAL_ID ? t->local_task_id : t->global_task_id;
			return ESPANK_SUCCESS;
		}
		return ESPANK_NOEXIST;
	default:
		return ESPANK_BAD_ARG;
	}
}

static spank_err_t id_map(const struct spank_task *t, spank_item_t item, va_list ap)
{
	uint32_t id = va_arg(ap, uint32_t), *out = va_arg(ap, uint32_t *);

	for (uint32_t i = 0; i < t->local_task_count; i++) {
		uint32_t g = t->local_to_global ? t->local_to_global[i]
			     : (i == t->local_task_id ? t->global_task_id : UINT32_MAX);
		if (item == S_JOB_LOCAL_TO_GLOBAL_ID && i == id && g != UINT32_MAX) {
			*out = g;
			return ESPANK_SUCCESS;
		}
		if (item == S_JOB_GLOBAL_TO_LOCAL_ID && g == id) {
			*out = i;
			return ESPANK_SUCCESS;
		}
	}
	return ESPANK_NOEXIST;
}

static spank_err_t version_item(spank_item_t item, va_list ap)
{
	static char full[32], major[8], minor[8], micro[8];
	unsigned v = SLURM_VERSION_NUMBER;

	snprintf(major, sizeof(major), "%02u", SLURM_VERSION_MAJOR(v));
	snprintf(minor, sizeof(minor), "%02u", SLURM_VERSION_MINOR(v));
	snprintf(micro, sizeof(micro), "%u", SLURM_VERSION_MICRO(v));
	snprintf(full, sizeof(full), "%s.%s.%s", major, minor, micro);
	*va_arg(ap, char **) = item == S_SLURM_VERSION ? full
			       : item == S_SLURM_VERSION_MAJOR ? major
			       : item == S_SLURM_VERSION_MINOR ? minor : micro;
	return ESPANK_SUCCESS;
}

static spank_err_t job_item(const struct spank_stack *st, const struct spank_task *t,
			    spank_item_t item, va_list ap)
{
	switch (item) {
	case S_JOB_UID: *va_arg(ap, uid_t *) = t->uid; break;
	case S_JOB_GID: *va_arg(ap, gid_t *) = t->gid; break;
	case S_JOB_ID: *va_arg(ap, uint32_t *) = t->job_id; break;
	case S_JOB_STEPID: *va_arg(ap, uint32_t *) = t->step_id; break;
	case S_JOB_NNODES: *va_arg(ap, uint32_t *) = t->nnodes; break;
	case S_JOB_NODEID: *va_arg(ap, uint32_t *) = t->nodeid; break;
	case S_JOB_LOCAL_TASK_COUNT: *va_arg(ap, uint32_t *) = t->local_task_count; break;
	case S_JOB_TOTAL_TASK_COUNT: *va_arg(ap, uint32_t *) = t->total_task_count; break;
	case S_JOB_NCPUS: *va_arg(ap, uint16_t *) = t->ncpus; break;
	case S_STEP_CPUS_PER_TASK: *va_arg(ap, uint32_t *) = t->cpus_per_task; break;
	case S_JOB_ALLOC_MEM: *va_arg(ap, uint64_t *) = t->job_mem_mb; break;
	case S_STEP_ALLOC_MEM: *va_arg(ap, uint64_t *) = t->step_mem_mb; break;
	case S_SLURM_RESTART_COUNT: *va_arg(ap, uint32_t *) = t->restart_count; break;
	case S_JOB_ARRAY_ID: *va_arg(ap, uint32_t *) = t->array_job_id; break;
	case S_JOB_ARRAY_TASK_ID: *va_arg(ap, uint32_t *) = t->array_task_id; break;
	case S_JOB_ARGV:
		*va_arg(ap, int *) = t->argc;
		*va_arg(ap, char ***) = t->argv;
		break;
	case S_JOB_ENV:
		*va_arg(ap, char ***) = st->envp ? *st->envp : NULL;
		break;
	case S_JOB_SUPPLEMENTARY_GIDS:
		*va_arg(ap, gid_t **) = (gid_t *)t->sup_gids;
		*va_arg(ap, int *) = t->n_sup_gids;
		break;
	default:
		return ESPANK_BAD_ARG;
	}
	return ESPANK_SUCCESS;
}

spank_err_t spank_get_item(spank_t sp, spank_item_t item, ...)
{
	const struct spank_task *t;
	spank_err_t rc;
	va_list ap;

	if (!valid(sp))
		return ESPANK_BAD_ARG;
	va_start(ap, item);
	if (item >= S_SLURM_VERSION && item <= S_SLURM_VERSION_MICRO) {
		rc = version_item(item, ap);
		goto out;
	}
	if (sp->st->ctx != S_CTX_REMOTE) {
		rc = ESPANK_NOT_REMOTE;
		goto out;
	}
	if (!(t = sp->st->task)) {
		rc = ESPANK_NOT_AVAIL;
		goto out;
	}
	switch (item) {
	case S_TASK_ID: case S_TASK_GLOBAL_ID: case S_TASK_EXIT_STATUS: case S_TASK_PID:
		rc = t->is_task ? task_item(t, item, ap) : ESPANK_NOT_TASK;
		break;
	case S_JOB_PID_TO_GLOBAL_ID: case S_JOB_PID_TO_LOCAL_ID:
		rc = task_item(t, item, ap);
		break;
	case S_JOB_LOCAL_TO_GLOBAL_ID: case S_JOB_GLOBAL_TO_LOCAL_ID:
		rc = id_map(t, item, ap);
		break;
	case S_JOB_ALLOC_CORES: case S_STEP_ALLOC_CORES:
		rc = ESPANK_NOT_AVAIL;
		break;
	default:
		rc = job_item(sp->st, t, item, ap);
		break;
	}
out:
	va_end(ap);
	return rc;
}

spank_err_t spank_getenv(spank_t sp, const char *var, char *buf, int len)
{
	const char *v;

	if (!valid(sp) || !var || !buf || len <= 0)
		return ESPANK_BAD_ARG;
	if (sp->st->ctx != S_CTX_REMOTE)
		return ESPANK_NOT_REMOTE;
	if (!sp->st->envp || !(v = spank_env_get(*sp->st->envp, var)))
		return ESPANK_ENV_NOEXIST;
	if (strlen(v) >= (size_t)len)
		return ESPANK_NOSPACE;
	memcpy(buf, v, strlen(v) + 1);
	return ESPANK_SUCCESS;
}

spank_err_t spank_setenv(spank_t sp, const char *var, const char *val, int overwrite)
{
	if (!valid(sp) || !var || !*var || strchr(var, '=') || !val)
		return ESPANK_BAD_ARG;
	if (sp->st->ctx != S_CTX_REMOTE)
		return ESPANK_NOT_REMOTE;
	if (!sp->st->envp)
		return ESPANK_NOT_AVAIL;
	if (!overwrite && spank_env_get(*sp->st->envp, var))
		return ESPANK_ENV_EXISTS;
	spank_env_set(sp->st->envp, var, val);
	return ESPANK_SUCCESS;
}

spank_err_t spank_unsetenv(spank_t sp, const char *var)
{
	if (!valid(sp) || !var)
		return ESPANK_BAD_ARG;
	if (sp->st->ctx != S_CTX_REMOTE)
		return ESPANK_NOT_REMOTE;
	if (sp->st->envp)
		spank_env_unset(sp->st->envp, var);
	return ESPANK_SUCCESS;
}

/* The job control environment reaches Prolog and Epilog, which slurm-sky does not run. */
spank_err_t spank_job_control_setenv(spank_t sp, const char *name, const char *value,
				     int overwrite)
{
	(void)name;
	(void)value;
	(void)overwrite;
	if (!valid(sp))
		return ESPANK_BAD_ARG;
	return sp->st->ctx == S_CTX_REMOTE ? ESPANK_NOT_LOCAL : ESPANK_NOT_AVAIL;
}

spank_err_t spank_job_control_getenv(spank_t sp, const char *name, char *buf, int len)
{
	(void)name;
	(void)buf;
	(void)len;
	if (!valid(sp))
		return ESPANK_BAD_ARG;
	return sp->st->ctx == S_CTX_REMOTE ? ESPANK_NOT_LOCAL : ESPANK_NOT_AVAIL;
}

spank_err_t spank_job_control_unsetenv(spank_t sp, const char *name)
{
	(void)name;
	if (!valid(sp))
		return ESPANK_BAD_ARG;
	return sp->st->ctx == S_CTX_REMOTE ? ESPANK_NOT_LOCAL : ESPANK_NOT_AVAIL;
}

#define LOG_FN(fn, sink)                                    \
	void fn(const char *format, ...)                    \
	{                                                   \
		va_list ap;                                 \
		char *msg;                                  \
		va_start(ap, format);                       \
		msg = xvasprintf(format, ap);               \
		va_end(ap);                                 \
		sink("%s", msg);                            \
		free(msg);                                  \
	}

LOG_FN(slurm_info, log_info)
LOG_FN(slurm_error, log_error)
LOG_FN(slurm_verbose, log_verbose)
LOG_FN(slurm_debug, log_debug)
LOG_FN(slurm_debug2, log_debug2)
LOG_FN(slurm_debug3, log_debug2)
/* Slurm prints it at error level without the "error: " prefix. */
LOG_FN(slurm_spank_log, log_info)
