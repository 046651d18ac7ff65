/*
 * spank_stack.h: the host side of SPANK shared by slurmd-sky (remote
 * context) and sbatch-sky (allocator context): plugstack.conf, loading the
 * plugins, calling their hooks, the options they register, and the SPANK
 * functions plugins call back (spank_api.c; the executables export them to
 * dlopen'ed plugins with -Wl,--dynamic-list=spank/host.sym).
 *
 * plugstack.conf (spank(8)): one plugin a line,
 *     required|optional PATH [ARGS...]      PATH absolute or under PluginDir
 *     include GLOB                           other files, relative to this one
 * '#' starts a comment. A missing or empty file means no plugins. A required
 * plugin that cannot be loaded, or whose hook returns < 0, fails the caller;
 * an optional one is logged and skipped (its hook failures are ignored).
 *
 * One stack is active per process at a time (plugins call back without
 * saying which host they run in); the functions below make it current.
 */
#ifndef SKY_SPANK_STACK_H
#define SKY_SPANK_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sky_err.h"

/* Slurm's step id of the batch script (SLURM_BATCH_SCRIPT). */
#define SPANK_BATCH_STEP 0xfffffffbu

/* The hooks, in the order a remote step meets them. */
enum spank_hook {
	SPANK_HOOK_INIT,
	SPANK_HOOK_INIT_POST_OPT,
	SPANK_HOOK_LOCAL_USER_INIT,
	SPANK_HOOK_USER_INIT,
	SPANK_HOOK_TASK_INIT_PRIVILEGED,
	SPANK_HOOK_TASK_INIT,
	SPANK_HOOK_TASK_POST_FORK,
	SPANK_HOOK_TASK_EXIT,
	SPANK_HOOK_JOB_PROLOG,
	SPANK_HOOK_JOB_EPILOG,
	SPANK_HOOK_SLURMD_EXIT,
	SPANK_HOOK_EXIT,
	SPANK_HOOK__COUNT
};

/*
 * What spank_get_item() answers in remote context: one task of a step (or
 * the step itself, between init and the task hooks, with the task fields
 * unset). Strings and arrays are borrowed from the caller.
 */
struct spank_task {
	uint32_t job_id;
	uint32_t step_id;            /* SPANK_BATCH_STEP for the batch script */
	uid_t uid;
	gid_t gid;
	const gid_t *sup_gids;       /* may be NULL */
	int n_sup_gids;
	uint32_t nnodes, nodeid;     /* of the step */
	uint32_t local_task_count;   /* tasks of the step on this node */
	uint32_t total_task_count;   /* tasks of the step */
	bool is_task;                /* false: the task fields below are unset */
	uint32_t local_task_id, global_task_id;
	const uint32_t *local_to_global; /* local_task_count entries; may be NULL */
	const pid_t *local_pids;     /* local_task_count entries (0: not forked); may be NULL */
	pid_t pid;                   /* this task's pid, 0 before fork */
	int exit_status;             /* wait status; -1 while running */
	uint16_t ncpus;              /* CPUs of the step on this node */
	uint32_t cpus_per_task;
	uint64_t job_mem_mb, step_mem_mb;
	uint32_t restart_count;
	uint32_t array_job_id, array_task_id; /* 0 and SKY_NO_VAL outside arrays */
	int argc;
	char **argv;
};

/* A registered option, as spank_stack_options() shows it. */
struct spank_opt_info {
	const char *plugin;          /* plugin_name of its plugin */
	const char *name;            /* without "--" */
	const char *arginfo;         /* may be NULL */
	const char *usage;           /* may be NULL */
	int has_arg;                 /* 0, 1 (required), 2 (optional) */
	const char *value;           /* NULL until given; "" for a flag */
};

struct spank_stack;

/*
 * The plugstack.conf that goes with slurm_conf: its PlugStackConfig=, else
 * plugstack.conf in the same directory. *plugin_dir gets PluginDir= (NULL
 * when unset). Both caller-freed. slurm_conf may be NULL (then NULL both).
 */
char *spank_plugstack_path(const char *slurm_conf, char **plugin_dir);

/*
 * Read plugstack (and its includes) and dlopen the plugins, for context ctx
 * (a spank_context_t). plugin_dir (may be NULL: slurm-sky's pkglibdir) is
 * where relative paths are looked up. No file, or no plugin in it, gives
 * 0 with *out NULL. Caller frees *out with spank_stack_free().
 */
int spank_stack_load(const char *plugstack, const char *plugin_dir, int ctx,
		     struct spank_stack **out, struct sky_errbuf *eb);

/*
 * What the remote hooks see: task (NULL outside a task) and the env array
 * (NULL-terminated "NAME=value", strings and array malloc'ed; the SPANK
 * env calls replace strings and reallocate the array in place, so *envp may
 * change). Both borrowed until the next call or spank_stack_free().
 */
void spank_stack_set_task(struct spank_stack *st, const struct spank_task *task, char ***envp);

/*
 * Call hook in every plugin that has it, in plugstack order. A required
 * plugin's failure stops there: SKY_E_LAUNCH, eb naming the plugin and hook.
 */
int spank_stack_call(struct spank_stack *st, enum spank_hook hook, struct sky_errbuf *eb);

/* The registered options (spank_option_register and spank_options[]). Borrowed. */
size_t spank_stack_options(const struct spank_stack *st, struct spank_opt_info *out, size_t max);

/*
 * Give option i (index into spank_stack_options) the value val (NULL for a
 * flag) and run its callback with remote. A callback returning non-zero is
 * SKY_E_INVAL naming the option.
 */
int spank_stack_option_set(struct spank_stack *st, size_t i, const char *val, bool remote,
			   struct sky_errbuf *eb);

/*
 * Remote side: take option values from env as Slurm passes them
 * (_SLURM_SPANK_OPTION_<plugin>_<option>, also behind sbatch's SLURM_SPANK_
 * prefix) and run the callbacks.
 */
int spank_stack_options_from_env(struct spank_stack *st, char *const *env, struct sky_errbuf *eb);

/*
 * The environment name that carries option i to the remote side:
 * "_SLURM_SPANK_OPTION_<plugin>_<option>" with every non-alphanumeric
 * character of the option as '_'. Caller frees.
 */
char *spank_stack_option_env_name(const struct spank_stack *st, size_t i);

/* Call the exit hook (when hook_exit) and unload everything. NULL is fine. */
void spank_stack_free(struct spank_stack *st, bool hook_exit);

/* env helpers on the arrays described at spank_stack_set_task. */
const char *spank_env_get(char *const *env, const char *name);
void spank_env_set(char ***envp, const char *name, const char *value);
void spank_env_unset(char ***envp, const char *name);

#endif
