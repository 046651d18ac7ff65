/* job_child.c: see job_child.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fname.h"
#include "job_child.h"
#include "job_env.h"
#include "spank_host.h"
#include "xalloc.h"

#define ERR_PREFIX "slurmstepd: error: "

static void write_str(int fd, const char *s)
{
	size_t len = strlen(s);

	while (fd >= 0 && len) {
		ssize_t n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

/*
 * Report a launch failure to the supervisor and, when the job's stderr is
 * open already, to the job's output as Slurm does; then exit.
 */
static void child_fail(int chan, int errfd, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5), noreturn));

static void child_fail(int chan, int errfd, int code, const char *fmt, ...)
{
	char msg[1024];
	char *line;
	va_list ap;

	msg[0] = JOB_CHAN_ERROR;
	va_start(ap, fmt);
	vsnprintf(msg + 1, sizeof(msg) - 1, fmt, ap);
	va_end(ap);
	(void)send(chan, msg, strlen(msg), MSG_NOSIGNAL);
	line = xasprintf(ERR_PREFIX "%s\n", msg + 1);
	write_str(errfd, line);
	free(line);
	_exit(code);
}

static void chan_send_fd(int chan, int fd)
{
	char tag = JOB_CHAN_STDERR;
	struct iovec iov = { .iov_base = &tag, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;

	memset(&u, 0, sizeof(u));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	(void)sendmsg(chan, &mh, MSG_NOSIGNAL);
}

/* initgroups/setgid/setuid when root; a non-root supervisor runs only its own uid. */
static void become_user(const struct job_child_args *a)
{
	if (geteuid() != 0) {
		if (a->uid != geteuid())
			child_fail(a->chan, -1, JOB_CHILD_EXIT_SETUP,
				   "slurmd-sky runs as uid %u and cannot run a job of uid %u",
				   (unsigned)geteuid(), (unsigned)a->uid);
		return;
	}
	if (a->user_name ? initgroups(a->user_name, a->gid) < 0 : setgroups(1, &a->gid) < 0)
		child_fail(a->chan, -1, JOB_CHILD_EXIT_SETUP, "initgroups(%s, %u): %s",
			   a->user_name ? a->user_name : "?", (unsigned)a->gid, strerror(errno));
	if (setgid(a->gid) < 0)
		child_fail(a->chan, -1, JOB_CHILD_EXIT_SETUP, "setgid(%u): %s", (unsigned)a->gid,
			   strerror(errno));
	if (setuid(a->uid) < 0)
		child_fail(a->chan, -1, JOB_CHILD_EXIT_SETUP, "setuid(%u): %s", (unsigned)a->uid,
			   strerror(errno));
	/* Belt and braces: a uid change that silently kept root must not run the job. */
	if (a->uid != 0 && setuid(0) == 0)
		child_fail(a->chan, -1, JOB_CHILD_EXIT_SETUP, "could not drop root privileges");
}

/*
 * chdir to the job's work directory, or to /tmp as Slurm does; *note gets
 * the message for the job's stderr (caller frees). Returns the directory in
 * use (borrowed).
 */
static const char *enter_work_dir(const struct job_child_args *a, char **note)
{
	const Sky__JobDesc *d = a->lj->job->desc;
	const char *dir = d->work_dir && *d->work_dir ? d->work_dir
			  : d->submit_dir && *d->submit_dir ? d->submit_dir
			  : a->home ? a->home : "/";

	*note = NULL;
	if (chdir(dir) == 0)
		return dir;
	*note = xasprintf(ERR_PREFIX "couldn't chdir to `%s': %s: going to /tmp instead\n", dir,
			  strerror(errno));
	if (chdir("/tmp") < 0)
		child_fail(a->chan, -1, JOB_CHILD_EXIT_SETUP, "couldn't chdir to /tmp: %s",
			   strerror(errno));
	return "/tmp";
}

static void fill_fname_ctx(const struct job_child_args *a, const char *dir, struct fname_ctx *fc)
{
	const Sky__JobRecord *job = a->lj->job;

	memset(fc, 0, sizeof(*fc));
	fc->job_id = job->job_id;
	fc->array_job_id = job->has_array_task_id ? job->array_job_id : 0;
	fc->array_task_id = job->has_array_task_id ? job->array_task_id : SKY_NO_VAL;
	fc->step_id = SKY_NO_VAL;
	fc->restart_count = job->restart_count;
	fc->job_name = job->desc->name ? job->desc->name : "";
	fc->user_name = a->user_name ? a->user_name : "";
	fc->node_name = a->node_name;
	fc->work_dir = dir;
}

/* Open path as the (already assumed) user and move it to target. */
static void open_onto(const struct job_child_args *a, const char *path, int flags, int target,
		      const char *what)
{
	int fd = open(path, flags | O_CLOEXEC, 0666);

	if (fd < 0)
		child_fail(a->chan, target == STDERR_FILENO ? -1 : STDERR_FILENO,
			   JOB_CHILD_EXIT_SETUP, "Could not open %s file %s: %s", what, path,
			   strerror(errno));
	if (fd != target) {
		if (dup2(fd, target) < 0)
			child_fail(a->chan, -1, JOB_CHILD_EXIT_SETUP, "dup2: %s", strerror(errno));
		close(fd);
	} else {
		(void)fcntl(fd, F_SETFD, 0);
	}
}

static void open_stdio(const struct job_child_args *a, const char *dir)
{
	const Sky__JobRecord *job = a->lj->job;
	const Sky__JobDesc *d = job->desc;
	const char *out_pat = d->std_out && *d->std_out ? d->std_out
			      : job->has_array_task_id ? "slurm-%A_%a.out" : "slurm-%j.out";
	/* A requeued job keeps its earlier output unless --open-mode said otherwise. */
	bool append = d->open_mode_set ? d->open_mode_append : job->restart_count > 0;
	int oflags = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC);
	char *in = NULL, *out, *err = NULL;
	struct fname_ctx fc;

	fill_fname_ctx(a, dir, &fc);
	out = fname_expand(out_pat, &fc);
	if (d->std_err && *d->std_err)
		err = fname_expand(d->std_err, &fc);
	if (d->std_in && *d->std_in)
		in = fname_expand(d->std_in, &fc);

	/* stderr first, so later failures can be written into the job's output. */
	if (err && strcmp(err, out) != 0) {
		open_onto(a, err, oflags, STDERR_FILENO, "error");
		open_onto(a, out, oflags, STDOUT_FILENO, "output");
	} else {
		open_onto(a, out, oflags, STDERR_FILENO, "output");
		if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			child_fail(a->chan, -1, JOB_CHILD_EXIT_SETUP, "dup2: %s", strerror(errno));
	}
	open_onto(a, in ? in : "/dev/null", O_RDONLY, STDIN_FILENO, "input");
	free(in);
	free(out);
	free(err);
}

static void reset_signals(void)
{
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		(void)sigaction(s, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static char **build_argv(const struct job_child_args *a, const char *script)
{
	const Sky__JobDesc *d = a->lj->job->desc;
	char **argv = xcalloc(d->n_argv + 2, sizeof(char *));

	argv[0] = xstrdup(script);
	for (size_t i = 0; i < d->n_argv; i++)
		argv[i + 1] = xstrdup(d->argv[i] ? d->argv[i] : "");
	return argv;
}

void job_child_exec(const struct job_child_args *a)
{
	const Sky__JobDesc *d = a->lj->job->desc;
	struct job_env_ctx ec;
	char *note = NULL, *script;
	const char *dir;
	char **argv, **envp;
	struct spank_batch *spank;
	struct sky_errbuf seb;
	int e;

	(void)setsid();
	script = xasprintf("%s/script", a->jobdir);
	argv = build_argv(a, script);
	sky_err_clear(&seb);
	/* SPANK plugins (spank_host.h), opened by the supervisor: the task hook
	 * that runs as root comes first. */
	spank = a->spank;
	if (spank_batch_task_init_privileged(spank, &seb))
		child_fail(a->chan, -1, JOB_CHILD_EXIT_SETUP, "%s", sky_err_msg(&seb));
	become_user(a);
	umask(d->has_umask ? (mode_t)(d->umask & 0777) : 022);
	dir = enter_work_dir(a, &note);
	open_stdio(a, dir);
	if (note)
		write_str(STDERR_FILENO, note);
	free(note);
	chan_send_fd(a->chan, STDERR_FILENO);

	memset(&ec, 0, sizeof(ec));
	ec.node_name = a->node_name;
	ec.cluster = a->cluster;
	ec.user_name = a->user_name;
	ec.group_name = a->group_name;
	ec.task_pid = getpid();
	ec.start_time = a->start_time;
	envp = job_env_build(a->lj, &ec);
	if (spank_batch_task_init(spank, &envp, &seb))
		child_fail(a->chan, STDERR_FILENO, JOB_CHILD_EXIT_SETUP, "%s", sky_err_msg(&seb));

	/* Only stdio and the channel (close-on-exec) may reach the script. */
	if (a->chan > 3)
		(void)close_range(3, (unsigned)a->chan - 1, 0);
	(void)close_range((unsigned)a->chan + 1, ~0U, 0);
	reset_signals();
	execve(script, argv, envp);
	e = errno;
	child_fail(a->chan, STDERR_FILENO,
		   e == ENOENT ? JOB_CHILD_EXIT_NOTFOUND : JOB_CHILD_EXIT_NOEXEC,
		   "execve(): %s: %s", script, strerror(e));
}
