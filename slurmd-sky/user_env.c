/* user_env.c: see user_env.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "user_env.h"
#include "xalloc.h"

/* Profiles may print anything; what follows this line is env -0's output. */
#define MARKER "__slurm_sky_user_env__\n"

bool user_env_wanted(char *const *env, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (env[i] && !strcmp(env[i], "SLURM_GET_USER_ENV=1"))
			return true;
	return false;
}

static void exec_login_shell(int out)
{
	struct passwd *pw = getpwuid(getuid());
	const char *shell = pw && pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh";
	const char *base = strrchr(shell, '/') ? strrchr(shell, '/') + 1 : shell;
	char *argv0, *envp[6];
	int nul = open("/dev/null", O_RDWR);

	if (access(shell, X_OK))
		shell = base = "/bin/sh";
	if (nul >= 0) {
		dup2(nul, STDIN_FILENO);
		dup2(nul, STDERR_FILENO);
	}
	dup2(out, STDOUT_FILENO);
	/* A leading '-' in argv[0] is how every Unix shell learns it is a login shell. */
	argv0 = xasprintf("-%s", strrchr(base, '/') ? strrchr(base, '/') + 1 : base);
	envp[0] = xasprintf("HOME=%s", pw && pw->pw_dir ? pw->pw_dir : "/");
	envp[1] = xasprintf("USER=%s", pw ? pw->pw_name : "");
	envp[2] = xasprintf("LOGNAME=%s", pw ? pw->pw_name : "");
	envp[3] = xasprintf("SHELL=%s", shell);
	envp[4] = xstrdup("PATH=/usr/local/bin:/usr/bin:/bin");
	envp[5] = NULL;
	if (pw && pw->pw_dir)
		(void)!chdir(pw->pw_dir);
	execle(shell, argv0, "-c", "printf '" "__slurm_sky_user_env__" "\\n'; exec env -0",
	       (char *)NULL, envp);
	_exit(127);
}

/* Everything the child writes until it closes the pipe or the deadline passes. */
static char *read_all(int fd, unsigned timeout, size_t *len, bool *timed_out)
{
	time_t end = time(NULL) + timeout;
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap + 1);

	*timed_out = false;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		time_t now = time(NULL);
		ssize_t r;

		if (now >= end || poll(&p, 1, (int)(end - now) * 1000) == 0) {
			*timed_out = true;
			break;
		}
		if (n == cap)
			buf = xrealloc(buf, (cap *= 2) + 1);
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The NUL-separated NAME=value entries after the marker. */
static char **parse(const char *buf, size_t len)
{
	const char *p = memmem(buf, len, MARKER, strlen(MARKER)), *end = buf + len;
	char **v = xcalloc(1, sizeof(char *));
	size_t n = 0;

	if (!p)
		return v;
	for (p += strlen(MARKER); p < end; p += strlen(p) + 1) {
		if (!strchr(p, '=') || *p == '=')
			continue;
		v = xrealloc(v, (n + 2) * sizeof(char *));
		v[n++] = xstrdup(p);
		v[n] = NULL;
	}
	return v;
}

char **user_env_load(unsigned timeout, char **why)
{
	int fds[2], status = 0;
	bool timed_out;
	size_t len;
	char *buf;
	char **v = NULL;
	pid_t pid;

	*why = NULL;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		*why = xasprintf("pipe: %s", strerror(errno));
		return NULL;
	}
	if ((pid = fork()) < 0) {
		*why = xasprintf("fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	if (pid == 0) {
		close(fds[0]);
		exec_login_shell(fds[1]);
	}
	close(fds[1]);
	buf = read_all(fds[0], timeout, &len, &timed_out);
	close(fds[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out)
		*why = xasprintf("the login shell took more than %u s", timeout);
	else if (!memmem(buf, len, MARKER, strlen(MARKER)))
		*why = xasprintf("the login shell failed (status %d)", status);
	else
		v = parse(buf, len);
	free(buf);
	return v;
}
