/* step_task.c: see step_task.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fname.h"
#include "step_env.h"
#include "step_spank.h"
#include "step_task.h"
#include "xalloc.h"

#define STEP_EXEC_FAIL_EXIT 2

extern char **environ;

struct task_user {
	char *name, *home;
	uid_t uid;
	gid_t gid;
};

uint32_t step_tasks_on_node(const Sky__StepLaunch *sl, uint32_t node_id)
{
	return step_tasks_on(sl->step, node_id);
}

bool step_pattern_has(const char *pattern, const char *convs)
{
	for (const char *p = pattern; p && *p; p++) {
		if (*p != '%')
			continue;
		p++;
		while (isdigit((unsigned char)*p))
			p++;
		if (!*p)
			break;
		if (strchr(convs, *p))
			return true;
	}
	return false;
}

static void say(int fd, const char *s)
{
	size_t len = strlen(s);

	while (len) {
		ssize_t n = write(fd, s, len);
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

static void child_die(const char *fmt, const char *a, const char *b) __attribute__((noreturn));

static void child_die(const char *fmt, const char *a, const char *b)
{
	char *line = xasprintf(fmt, a, b);

	say(STDERR_FILENO, line);
	_exit(STEP_EXEC_FAIL_EXIT);
}

static void become_user(const struct task_user *u)
{
	if (geteuid() != 0)
		return;     /* checked by the caller: a non-root agent runs its own uid only */
	if ((u->name ? initgroups(u->name, u->gid) : setgroups(1, &u->gid)) < 0 ||
	    setgid(u->gid) < 0 || setuid(u->uid) < 0)
		child_die("slurmstepd: error: cannot become user %s: %s\n", u->name ? u->name : "?",
			  strerror(errno));
}

static void open_onto(const char *path, int flags, int target)
{
	int fd = open(path, flags, 0666);

	if (fd < 0)
		child_die("slurmstepd: error: Could not open stdio file %s: %s\n", path,
			  strerror(errno));
	if (fd != target) {
		dup2(fd, target);
		close(fd);
	}
}

static void bind_cpus(uint32_t lid, uint32_t cpt)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	if (ncpu <= 0)
		return;
	CPU_ZERO(&set);
	for (uint32_t k = 0; k < (cpt ? cpt : 1); k++)
		CPU_SET((int)(((long)lid * (cpt ? cpt : 1) + k) % ncpu), &set);
	(void)sched_setaffinity(0, sizeof(set), &set);
}

struct task_files {
	char *out, *err, *in;       /* expanded patterns, or NULL: pipes */
	bool truncate;
};

static void child_stdio(const struct step_task *t, const struct task_files *f, int pin,
			int pout, int perr)
{
	int mode = O_WRONLY | O_CREAT | (f->truncate ? O_TRUNC : O_APPEND);

	if (f->out) {
		open_onto(f->out, mode, STDOUT_FILENO);
		if (f->err && strcmp(f->err, f->out) != 0)
			open_onto(f->err, mode, STDERR_FILENO);
		else if (f->err || perr < 0)
			dup2(STDOUT_FILENO, STDERR_FILENO);
	} else {
		dup2(pout, STDOUT_FILENO);
	}
	if (perr >= 0)
		dup2(perr, STDERR_FILENO);
	else if (!f->out && f->err)
		open_onto(f->err, mode, STDERR_FILENO);
	if (f->in)
		open_onto(f->in, O_RDONLY, STDIN_FILENO);
	else if (pin >= 0)
		dup2(pin, STDIN_FILENO);
	else
		open_onto("/dev/null", O_RDONLY, STDIN_FILENO);
	(void)t;
}

struct task_launch {
	struct agent *a;
	const Sky__StepLaunch *sl;
	uint32_t node_id;
	struct step_spank *sp;
};

static void task_exec(const struct task_launch *tl, const struct step_task *t,
		      const struct task_user *u, const struct task_files *f, int fds[3])
	__attribute__((noreturn));

static void task_exec(const struct task_launch *tl, const struct step_task *t,
		      const struct task_user *u, const struct task_files *f, int fds[3])
{
	struct agent *a = tl->a;
	const Sky__StepLaunch *sl = tl->sl;
	uint32_t node_id = tl->node_id;
	struct sky_errbuf eb;
	char **env;
	const Sky__StepCreateRequest *rq = sl->req;
	const Sky__JobDesc *d = sl->job->desc;
	struct step_task_ctx c = { .sl = sl, .node_name = a->node_name, .cluster = a->cluster,
				   .node_id = node_id, .local_id = t->lid, .global_id = t->gtid };
	const char *dir = rq->cwd && *rq->cwd ? rq->cwd : d->work_dir ? d->work_dir : u->home;
	char **argv;
	sigset_t none;

	(void)setpgid(0, 0);
	c.task_pid = getpid();
	env = step_env_build(&c);
	sky_err_clear(&eb);
	if (step_spank_task_priv(tl->sp, sl, node_id, t->lid, &env, &eb))
		child_die("slurmstepd: error: %s%s\n", sky_err_msg(&eb), "");
	become_user(u);
	umask(d->has_umask ? (mode_t)(d->umask & 0777) : 022);
	child_stdio(t, f, fds[0], fds[1], fds[2]);
	if (!dir || chdir(dir) < 0) {
		char *line = xasprintf("slurmstepd: error: couldn't chdir to `%s': %s: going to /tmp instead\n",
				       dir ? dir : "", strerror(errno));
		say(STDERR_FILENO, line);
		free(line);
		(void)chdir("/tmp");
	}
	/* The GPU variables are in env already (step_env.c, job_env_gpu.h). */
	if (step_spank_task_init(tl->sp, sl, node_id, t->lid, &env, &eb))
		child_die("slurmstepd: error: %s%s\n", sky_err_msg(&eb), "");
	environ = env;
	if (rq->cpu_bind == 1)
		bind_cpus(t->lid, sl->step->cpus_per_task);
	argv = xcalloc(rq->n_argv + 1, sizeof(char *));
	for (size_t i = 0; i < rq->n_argv; i++)
		argv[i] = rq->argv[i];
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (!argv[0])
		child_die("slurmstepd: error: execve(): %s: %s\n", "", "No command given");
	execvp(argv[0], argv);
	child_die("slurmstepd: error: execve(): %s: %s\n", argv[0], strerror(errno));
}

static int resolve_user(const Sky__JobRecord *job, struct task_user *u, struct sky_errbuf *eb)
{
	struct passwd *pw = getpwuid((uid_t)job->user_id);

	u->uid = (uid_t)job->user_id;
	u->gid = (gid_t)job->group_id;
	u->name = pw ? xstrdup(pw->pw_name) : NULL;
	u->home = pw ? xstrdup(pw->pw_dir) : NULL;
	if (geteuid() != 0 && geteuid() != u->uid)
		return sky_err_set(eb, SKY_E_LAUNCH,
				   "slurmd-sky runs as uid %u and cannot run a step of uid %u",
				   (unsigned)geteuid(), (unsigned)u->uid);
	return 0;
}

static void expand_files(struct agent *a, const Sky__StepLaunch *sl, uint32_t node_id,
			 const struct step_task *t, const struct task_user *u,
			 struct task_files *f)
{
	const Sky__StepCreateRequest *rq = sl->req;
	struct fname_ctx fc;

	memset(&fc, 0, sizeof(fc));
	fc.job_id = sl->job_id;
	fc.array_job_id = sl->job->has_array_task_id ? sl->job->array_job_id : 0;
	fc.array_task_id = sl->job->has_array_task_id ? sl->job->array_task_id : SKY_NO_VAL;
	fc.step_id = sl->step_id;
	fc.task_id = t->gtid;
	fc.node_id = node_id;
	fc.job_name = sl->job->desc->name ? sl->job->desc->name : "";
	fc.user_name = u->name ? u->name : "";
	fc.node_name = a->node_name;
	fc.work_dir = rq->cwd;
	f->out = rq->std_out && *rq->std_out ? fname_expand(rq->std_out, &fc) : NULL;
	f->err = rq->std_err && *rq->std_err ? fname_expand(rq->std_err, &fc) : NULL;
	f->in = rq->std_in && *rq->std_in ? fname_expand(rq->std_in, &fc) : NULL;
}

static void set_flags(int fd)
{
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* Fork one task; returns once it exec'd (or failed to). */
static int start_one(const struct task_launch *tl, struct step_task *t,
		     const struct task_user *u, const struct task_files *f, struct sky_errbuf *eb)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 }, sync[2];
	int fds[3];
	char c;

	/* Close-on-exec everywhere: the task gets its ends through dup2() only, so
	 * no task keeps a pipe of its own (or of another task) open by mistake. */
	if ((!f->in && t->gtid == 0 && pipe2(in, O_CLOEXEC) < 0) ||
	    (!f->out && pipe2(out, O_CLOEXEC) < 0) ||
	    (!f->out && !f->err && pipe2(err, O_CLOEXEC) < 0) || pipe2(sync, O_CLOEXEC) < 0)
		return sky_err_set(eb, SKY_E_LAUNCH, "pipe: %s", strerror(errno));
	t->pid = fork();
	if (t->pid < 0)
		return sky_err_set(eb, SKY_E_LAUNCH, "fork: %s", strerror(errno));
	if (t->pid == 0) {
		close(sync[0]);
		fds[0] = in[0];
		fds[1] = out[1];
		fds[2] = err[1];
		task_exec(tl, t, u, f, fds);
	}
	(void)setpgid(t->pid, t->pid);
	step_spank_post_fork(tl->sp, tl->sl, tl->node_id, t->lid, t->pid);
	close(sync[1]);
	while (read(sync[0], &c, 1) < 0 && errno == EINTR)
		;
	close(sync[0]);
	if (in[0] >= 0)
		close(in[0]);
	if (out[1] >= 0) {
		close(out[1]);
		set_flags(out[0]);
	}
	if (err[1] >= 0) {
		close(err[1]);
		set_flags(err[0]);
	}
	t->in = in[1];
	t->out = out[0];
	t->err = err[0];
	return 0;
}

int step_task_start_all(struct agent *a, const Sky__StepLaunch *sl, uint32_t node_id,
			struct step_spank *sp, struct step_task **tasks, struct sky_errbuf *eb)
{
	struct task_launch tl = { .a = a, .sl = sl, .node_id = node_id, .sp = sp };
	uint32_t n = step_tasks_on_node(sl, node_id);
	uint32_t first = step_first_task(sl->step, node_id);
	struct step_task *ts = xcalloc(n ? n : 1, sizeof(*ts));
	struct task_user u;
	int rc;

	*tasks = ts;
	memset(&u, 0, sizeof(u));
	for (uint32_t i = 0; i < n; i++) {
		ts[i].gtid = first + i;
		ts[i].lid = i;
		ts[i].out = ts[i].err = ts[i].in = -1;
		ts[i].pid = -1;
	}
	if ((rc = resolve_user(sl->job, &u, eb)))
		goto out;
	for (uint32_t i = 0; i < n; i++) {
		struct task_files f = { 0 };
		const char *pat = sl->req->std_out && *sl->req->std_out ? sl->req->std_out
				  : sl->req->std_err;
		expand_files(a, sl, node_id, &ts[i], &u, &f);
		/* One truncation per file: per task with %t, else by the first task of
		 * the node (%n/%N) or of the step. */
		f.truncate = step_pattern_has(pat, "t") ||
			     (i == 0 && (node_id == 0 || step_pattern_has(pat, "nN")));
		rc = start_one(&tl, &ts[i], &u, &f, eb);
		free(f.out);
		free(f.err);
		free(f.in);
		if (rc) {
			/* Tasks already started keep running: the caller kills them. */
			goto out;
		}
	}
out:
	free(u.name);
	free(u.home);
	return rc;
}
