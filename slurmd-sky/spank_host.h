/*
 * spank_host.h: SPANK plugins in slurmd-sky's job processes (remote context,
 * Slurm's slurmstepd role). For the batch script job_child.c calls these; a
 * step launcher (srun tasks) calls the same per task.
 *
 * Sequence per step on this node, each call a no-op returning 0 when h is
 * NULL (no plugstack.conf, or no plugin in it):
 *   spank_host_open()                 root, before any fork: loads the
 *                                     plugstack, runs init, takes option
 *                                     values from the step's env, runs
 *                                     init_post_opt
 *   spank_host_user_init()            once, privileges dropped to the user
 *   per task, in the task's child:
 *     spank_host_task_init_privileged()  root
 *     spank_host_task_init()             as the user, just before execve
 *   per task, in the parent:
 *     spank_host_task_post_fork()     after the fork (t->pid set)
 *     spank_host_task_exit()          after wait (t->exit_status set)
 *   spank_host_close()                exit hook, unload
 *
 * envp everywhere: the task's (or step's) environment, a NULL-terminated
 * malloc'ed array of malloc'ed "NAME=value" strings (job_env_build()'s); the
 * plugins' spank_setenv/unsetenv edit it in place and may reallocate *envp.
 * The caller keeps owning it (job_env_free()).
 *
 * A failure of a required plugin returns SKY_E_LAUNCH with eb saying which
 * plugin and hook; the launch must then fail with that reason. Slurm's
 * default (slurm_spank_init_failure_mode = ESPANK_NODE_FAILURE) would also
 * drain the node for init, user_init and task_post_fork failures;
 * slurm-sky fails the job only (see spank/README.md).
 */
#ifndef SKY_SLURMD_SPANK_HOST_H
#define SKY_SLURMD_SPANK_HOST_H

#include "sky_err.h"
#include "sky.pb-c.h"
#include "spank_stack.h"

struct spank_host;

/*
 * The slurm.conf whose PlugStackConfig= (or the plugstack.conf beside it)
 * job processes use. Borrowed (the agent's, inherited by its forks). When
 * never set, the -f argument of this process's command line, else
 * conf_default_path(), is used.
 */
void spank_host_set_conf_path(const char *slurm_conf);

/*
 * Load and initialise the plugins for step (is_task false). *out is NULL
 * when there are none. Caller closes *out with spank_host_close().
 */
int spank_host_open(const struct spank_task *step, char ***envp, struct spank_host **out,
		    struct sky_errbuf *eb);
int spank_host_user_init(struct spank_host *h, const struct spank_task *step, char ***envp,
			 struct sky_errbuf *eb);
int spank_host_task_init_privileged(struct spank_host *h, const struct spank_task *t,
				    char ***envp, struct sky_errbuf *eb);
int spank_host_task_init(struct spank_host *h, const struct spank_task *t, char ***envp,
			 struct sky_errbuf *eb);
int spank_host_task_post_fork(struct spank_host *h, const struct spank_task *t,
			      struct sky_errbuf *eb);
int spank_host_task_exit(struct spank_host *h, const struct spank_task *t, struct sky_errbuf *eb);
/* Run the exit hooks and unload. NULL is fine. */
void spank_host_close(struct spank_host *h);

/*
 * The batch script as a SPANK task, from its launch record: step
 * SPANK_BATCH_STEP, one task (local and global id 0), node 0, the job's -n
 * (0 without it) as the total task count, as Slurm reports them. argv is
 * borrowed. Fills *t.
 */
void spank_host_batch_task(const Sky__LaunchJob *lj, int argc, char **argv,
			   struct spank_task *t);

/*
 * The batch script's share of the sequence (the script is the step's only
 * task). As slurmstepd does, the steps before the fork may run in the
 * supervisor and the rest in the child, which inherits the loaded plugins:
 *   spank_batch_begin()            root: open (init, options, init_post_opt)
 *                                  and user_init, against the submitted
 *                                  environment (the full one can only be
 *                                  built as the user)
 *   in the child:
 *     spank_batch_task_init_privileged()   root
 *     spank_batch_task_init()       as the user just before execve: lays what
 *                                  the earlier hooks set in the environment
 *                                  over *envp, then task_init on *envp
 *   in the supervisor:
 *     spank_batch_post_fork()       pid: the script's
 *     spank_batch_task_exit()       status: its wait status
 *     spank_batch_end()             exit hooks, unload, free
 * job_supervisor.c opens and closes; job_child.c calls the two task hooks.
 * *out is NULL without plugins and every call takes NULL.
 */
struct spank_batch;
int spank_batch_begin(const Sky__LaunchJob *lj, int argc, char **argv, struct spank_batch **out,
		      struct sky_errbuf *eb);
int spank_batch_task_init_privileged(struct spank_batch *b, struct sky_errbuf *eb);
int spank_batch_task_init(struct spank_batch *b, char ***envp, struct sky_errbuf *eb);
int spank_batch_post_fork(struct spank_batch *b, pid_t pid, struct sky_errbuf *eb);
int spank_batch_task_exit(struct spank_batch *b, int status, struct sky_errbuf *eb);
void spank_batch_end(struct spank_batch *b);

#endif
