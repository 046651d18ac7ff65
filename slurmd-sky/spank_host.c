/* spank_host.c: see spank_host.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <slurm/spank.h>

#include "conf.h"
#include "log.h"
#include "spank_host.h"
#include "xalloc.h"

struct spank_host {
	struct spank_stack *st;
	/* The step as given to open: slurm_spank_exit still sees its items
	 * (S_JOB_ID, ...), as in slurmstepd. What it points to is the caller's,
	 * which keeps it until close. */
	struct spank_task step;
	bool has_step;
};

static const char *agent_conf_path;

void spank_host_set_conf_path(const char *slurm_conf)
{
	agent_conf_path = slurm_conf;
}

/* The value after -f on this process's command line (the agent's, inherited by forks). Caller frees. */
static char *cmdline_conf(void)
{
	char buf[8192], *out = NULL;
	ssize_t n = 0, r;
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	while (n < (ssize_t)sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - (size_t)n)) > 0)
		n += r;
	close(fd);
	buf[n] = '\0';
	for (char *p = buf; p < buf + n && !out; p += strlen(p) + 1) {
		if (strcmp(p, "-f") == 0 && p + 3 < buf + n)
			out = xstrdup(p + 3);
		else if (strncmp(p, "-f", 2) == 0 && p[2])
			out = xstrdup(p + 2);
	}
	return out;
}

static char *conf_path(void)
{
	char *p;

	if (agent_conf_path)
		return xstrdup(agent_conf_path);
	if ((p = cmdline_conf()))
		return p;
	return conf_default_path();
}

static void bind(struct spank_host *h, const struct spank_task *t, char ***envp)
{
	spank_stack_set_task(h->st, t, envp);
}

int spank_host_open(const struct spank_task *step, char ***envp, struct spank_host **out,
		    struct sky_errbuf *eb)
{
	char *conf = conf_path(), *dir = NULL, *stack = spank_plugstack_path(conf, &dir);
	struct spank_stack *st = NULL;
	struct spank_host *h;
	int rc;

	*out = NULL;
	rc = spank_stack_load(stack, dir, S_CTX_REMOTE, &st, eb);
	free(conf);
	free(dir);
	free(stack);
	if (rc || !st)
		return rc;
	h = xcalloc(1, sizeof(*h));
	h->st = st;
	if (step) {
		h->step = *step;
		h->has_step = true;
	}
	bind(h, step, envp);
	if ((rc = spank_stack_call(st, SPANK_HOOK_INIT, eb)) ||
	    (rc = spank_stack_options_from_env(st, envp ? *envp : NULL, eb)) ||
	    (rc = spank_stack_call(st, SPANK_HOOK_INIT_POST_OPT, eb))) {
		spank_host_close(h);
		return rc;
	}
	*out = h;
	return 0;
}

int spank_host_user_init(struct spank_host *h, const struct spank_task *step, char ***envp,
			 struct sky_errbuf *eb)
{
	uid_t euid = geteuid();
	gid_t egid = getegid();
	int rc;

	if (!h)
		return 0;
	bind(h, step, envp);
	/* "privileges dropped": the effective ids only, so that root comes back after. */
	if (euid == 0 && step->uid != 0) {
		if (setegid(step->gid) < 0 || seteuid(step->uid) < 0) {
			int e = errno;
			(void)seteuid(euid);
			(void)setegid(egid);
			return sky_err_set(eb, SKY_E_LAUNCH, "spank: cannot drop privileges for user_init: %s",
					   strerror(e));
		}
	}
	rc = spank_stack_call(h->st, SPANK_HOOK_USER_INIT, eb);
	if (euid == 0 && step->uid != 0 && (seteuid(euid) < 0 || setegid(egid) < 0))
		rc = sky_err_set(eb, SKY_E_LAUNCH, "spank: cannot regain privileges after user_init: %s",
				 strerror(errno));
	return rc;
}

int spank_host_task_init_privileged(struct spank_host *h, const struct spank_task *t,
				    char ***envp, struct sky_errbuf *eb)
{
	if (!h)
		return 0;
	bind(h, t, envp);
	return spank_stack_call(h->st, SPANK_HOOK_TASK_INIT_PRIVILEGED, eb);
}

int spank_host_task_init(struct spank_host *h, const struct spank_task *t, char ***envp,
			 struct sky_errbuf *eb)
{
	if (!h)
		return 0;
	bind(h, t, envp);
	return spank_stack_call(h->st, SPANK_HOOK_TASK_INIT, eb);
}

int spank_host_task_post_fork(struct spank_host *h, const struct spank_task *t,
			      struct sky_errbuf *eb)
{
	if (!h)
		return 0;
	bind(h, t, NULL);
	return spank_stack_call(h->st, SPANK_HOOK_TASK_POST_FORK, eb);
}

int spank_host_task_exit(struct spank_host *h, const struct spank_task *t, struct sky_errbuf *eb)
{
	if (!h)
		return 0;
	bind(h, t, NULL);
	return spank_stack_call(h->st, SPANK_HOOK_TASK_EXIT, eb);
}

void spank_host_close(struct spank_host *h)
{
	if (!h)
		return;
	{
		struct sky_errbuf eb;
		sky_err_clear(&eb);
		spank_stack_set_task(h->st, h->has_step ? &h->step : NULL, NULL);
		if (spank_stack_call(h->st, SPANK_HOOK_EXIT, &eb))
			log_error("%s", sky_err_msg(&eb));
	}
	spank_stack_set_task(h->st, NULL, NULL);
	spank_stack_free(h->st, false);
	free(h);
}

void spank_host_batch_task(const Sky__LaunchJob *lj, int argc, char **argv, struct spank_task *t)
{
	const Sky__JobRecord *job = lj->job;
	const Sky__JobDesc *d = job->desc;

	memset(t, 0, sizeof(*t));
	t->job_id = lj->job_id;
	t->step_id = SPANK_BATCH_STEP;
	t->uid = job->user_id;
	t->gid = job->group_id;
	t->nnodes = 1;
	t->nodeid = 0;
	t->local_task_count = 1;
	t->total_task_count = d && d->has_num_tasks ? d->num_tasks : 0;
	t->is_task = true;
	t->exit_status = -1;
	t->pid = getpid();
	t->ncpus = (uint16_t)(job->has_cpus_per_node && job->cpus_per_node ? job->cpus_per_node
			      : job->num_cpus);
	t->cpus_per_task = d && d->has_cpus_per_task && d->cpus_per_task ? d->cpus_per_task : 1;
	t->job_mem_mb = job->mem_per_node_mb;
	t->step_mem_mb = job->mem_per_node_mb;
	t->restart_count = job->restart_count;
	t->array_job_id = job->has_array_task_id ? job->array_job_id : 0;
	t->array_task_id = job->has_array_task_id ? job->array_task_id : 0xfffffffeu;
	t->argc = argc;
	t->argv = argv;
}

struct spank_batch {
	struct spank_host *h;
	struct spank_task t;
	char **submitted;            /* the environment the early hooks saw, as given */
	char **env;                  /* the same after those hooks */
};

static char **env_copy(char *const *src, size_t n)
{
	char **out = xcalloc(n + 1, sizeof(char *));
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		if (src[i] && strchr(src[i], '='))
			out[w++] = xstrdup(src[i]);
	return out;
}

int spank_batch_begin(const Sky__LaunchJob *lj, int argc, char **argv, struct spank_batch **out,
		      struct sky_errbuf *eb)
{
	struct spank_batch *b = xmalloc(sizeof(*b));
	int rc;

	*out = NULL;
	spank_host_batch_task(lj, argc, argv, &b->t);
	b->submitted = env_copy(lj->env, lj->n_env);
	b->env = env_copy(lj->env, lj->n_env);
	if ((rc = spank_host_open(&b->t, &b->env, &b->h, eb)) || !b->h ||
	    (rc = spank_host_user_init(b->h, &b->t, &b->env, eb))) {
		spank_batch_end(b);
		return rc;
	}
	*out = b;
	return 0;
}

int spank_batch_task_init_privileged(struct spank_batch *b, struct sky_errbuf *eb)
{
	if (!b)
		return 0;
	b->t.pid = getpid();
	return spank_host_task_init_privileged(b->h, &b->t, &b->env, eb);
}

int spank_batch_post_fork(struct spank_batch *b, pid_t pid, struct sky_errbuf *eb)
{
	if (!b)
		return 0;
	b->t.pid = pid;
	return spank_host_task_post_fork(b->h, &b->t, eb);
}

int spank_batch_task_exit(struct spank_batch *b, int status, struct sky_errbuf *eb)
{
	if (!b)
		return 0;
	b->t.exit_status = status;
	return spank_host_task_exit(b->h, &b->t, eb);
}

void spank_batch_end(struct spank_batch *b)
{
	if (!b)
		return;
	spank_host_close(b->h);
	for (size_t i = 0; b->env && b->env[i]; i++)
		free(b->env[i]);
	for (size_t i = 0; b->submitted && b->submitted[i]; i++)
		free(b->submitted[i]);
	free(b->env);
	free(b->submitted);
	free(b);
}

int spank_batch_task_init(struct spank_batch *b, char ***envp, struct sky_errbuf *eb)
{
	if (!b)
		return 0;
	for (size_t i = 0; b->env[i]; i++) {
		char *name = xstrndup(b->env[i], (size_t)(strchr(b->env[i], '=') - b->env[i]));
		const char *was = spank_env_get(b->submitted, name);
		const char *now = b->env[i] + strlen(name) + 1;

		if (!was || strcmp(was, now) != 0)
			spank_env_set(envp, name, now);
		free(name);
	}
	for (size_t i = 0; b->submitted[i]; i++) {
		char *name = xstrndup(b->submitted[i],
				      (size_t)(strchr(b->submitted[i], '=') - b->submitted[i]));
		if (!spank_env_get(b->env, name))
			spank_env_unset(envp, name);
		free(name);
	}
	b->t.pid = getpid();
	return spank_host_task_init(b->h, &b->t, envp, eb);
}
