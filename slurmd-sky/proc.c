/* proc.c: see proc.h. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "sky_err.h"
#include "xalloc.h"

/*
 * Read /proc/PID/stat and return the text after the command name. The name
 * is in parentheses and may itself hold ") " or spaces, so the fields start
 * after the LAST ')'.
 */
static int read_stat_fields(pid_t pid, char *buf, size_t len, const char **fields)
{
	char path[64];
	ssize_t n;
	char *rp;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return SKY_E_NOT_FOUND;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return SKY_E_NOT_FOUND;
	buf[n] = '\0';
	rp = strrchr(buf, ')');
	if (!rp || rp[1] != ' ')
		return SKY_E_NOT_FOUND;
	*fields = rp + 2;
	return 0;
}

/* Field k (0 = the state, field 3 of stat(5)) of the text after the name. */
static const char *stat_field(const char *f, int k)
{
	while (k-- > 0) {
		f = strchr(f, ' ');
		if (!f)
			return NULL;
		f++;
	}
	return f;
}

int proc_start_time(pid_t pid, uint64_t *start)
{
	char buf[1024];
	const char *f, *st;
	int rc;

	if ((rc = read_stat_fields(pid, buf, sizeof(buf), &f)))
		return rc;
	if (f[0] == 'Z' || f[0] == 'X')
		return SKY_E_NOT_FOUND;
	/* starttime is field 22 of stat(5); the state is field 3. */
	st = stat_field(f, 22 - 3);
	if (!st)
		return SKY_E_NOT_FOUND;
	*start = strtoull(st, NULL, 10);
	return 0;
}

bool proc_alive(pid_t pid, uint64_t start)
{
	uint64_t now_start = 0;

	if (pid <= 0)
		return false;
	if (proc_start_time(pid, &now_start))
		return false;
	return now_start == start;
}

static int read_ppid(pid_t pid, pid_t *ppid)
{
	char buf[1024];
	const char *f, *pp;
	int rc;

	if ((rc = read_stat_fields(pid, buf, sizeof(buf), &f)))
		return rc;
	pp = stat_field(f, 1);
	if (!pp)
		return SKY_E_NOT_FOUND;
	*ppid = (pid_t)strtol(pp, NULL, 10);
	return 0;
}

struct pidpair {
	pid_t pid, ppid;
};

void proc_descendants(pid_t root, pid_t **pids, size_t *n)
{
	struct pidpair *all = NULL;
	size_t nall = 0, cap = 0, nout = 0, scan;
	pid_t *out = NULL;
	struct dirent *de;
	DIR *d;

	*pids = NULL;
	*n = 0;
	d = opendir("/proc");
	if (!d)
		return;
	while ((de = readdir(d))) {
		pid_t pid, ppid;
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)strtol(de->d_name, NULL, 10);
		if (pid == root || read_ppid(pid, &ppid))
			continue;
		if (nall == cap) {
			cap = cap ? cap * 2 : 256;
			all = xrealloc(all, cap * sizeof(*all));
		}
		all[nall].pid = pid;
		all[nall].ppid = ppid;
		nall++;
	}
	closedir(d);

	/* Breadth first: out[] doubles as the queue of parents to expand. */
	out = xmalloc((nall + 1) * sizeof(*out));
	for (size_t i = 0; i < nall; i++)
		if (all[i].ppid == root)
			out[nout++] = all[i].pid;
	/* The snapshot is not atomic: a reused pid could fake a cycle, so the
	 * output is bounded by the number of processes seen. */
	for (scan = 0; scan < nout; scan++)
		for (size_t i = 0; i < nall && nout < nall; i++)
			if (all[i].ppid == out[scan])
				out[nout++] = all[i].pid;
	free(all);
	if (!nout) {
		free(out);
		return;
	}
	*pids = out;
	*n = nout;
}

void proc_kill_session(pid_t sid, int sig)
{
	struct dirent *de;
	char buf[1024];
	const char *f, *sf;
	DIR *d;

	if (sid <= 1)
		return;
	d = opendir("/proc");
	if (!d)
		return;
	while ((de = readdir(d))) {
		pid_t pid;
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)strtol(de->d_name, NULL, 10);
		if (read_stat_fields(pid, buf, sizeof(buf), &f))
			continue;
		/* session is field 6 of stat(5); the state is field 3. */
		sf = stat_field(f, 6 - 3);
		if (sf && (pid_t)strtol(sf, NULL, 10) == sid)
			(void)kill(pid, sig);
	}
	closedir(d);
}

uint64_t proc_boot_time(void)
{
	char line[256];
	uint64_t bt = 0;
	FILE *fp = fopen("/proc/stat", "re");

	if (!fp)
		return 0;
	while (fgets(line, sizeof(line), fp))
		if (strncmp(line, "btime ", 6) == 0) {
			bt = strtoull(line + 6, NULL, 10);
			break;
		}
	fclose(fp);
	return bt;
}

void proc_reset_signals(const sigset_t *served)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	sigprocmask(SIG_SETMASK, served, NULL);
}
