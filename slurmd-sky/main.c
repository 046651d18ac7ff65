/*
 * slurmd-sky: the node agent.
 *
 * Event loop phases (libevent, one thread): the controller link's socket
 * and timers (ctld_link.c), SIGCHLD from supervisors this agent forked and
 * pidfds of supervisors it adopted (jobs.c), SIGTERM/SIGINT (leave: the
 * jobs keep running under their supervisors) and SIGHUP (reopen the log).
 */
#include "config.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "ctld_link.h"
#include "gpu_detect.h"
#include "imds.h"
#include "job_env_sky.h"
#include "jobs.h"
#include "log.h"
#include "spank_host.h"
#include "spool.h"
#include "xalloc.h"

struct opts {
	bool foreground;
	const char *conf_path;
	const char *node_name;
	const char *log_file;
	int verbose;
};

static void usage(FILE *fp)
{
	fprintf(fp, "Usage: slurmd-sky [-D] [-f slurm.conf] [-N nodename] [-L logfile] [-v...]\n"
		    "  -D           run in the foreground\n"
		    "  -f FILE      read the configuration from FILE\n"
		    "  -N NAME      run as node NAME (default $SLURMD_NODENAME, else the short host name)\n"
		    "  -L FILE      log to FILE\n"
		    "  -v           more verbose logging (repeatable)\n");
}

/* 0: run; 1: help was printed; -1: usage error. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt(argc, argv, "Df:N:L:vh")) != -1) {
		switch (c) {
		case 'D': o->foreground = true; break;
		case 'f': o->conf_path = optarg; break;
		case 'N': o->node_name = optarg; break;
		case 'L': o->log_file = optarg; break;
		case 'v': o->verbose++; break;
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "slurmd-sky: error: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

static char *default_node_name(void)
{
	const char *env = getenv("SLURMD_NODENAME");
	char host[HOST_NAME_MAX + 1];

	if (env && *env)
		return xstrdup(env);
	if (gethostname(host, sizeof(host)) < 0)
		fatal("gethostname: %s", strerror(errno));
	host[sizeof(host) - 1] = '\0';
	host[strcspn(host, ".")] = '\0';
	return xstrdup(host);
}

/* Paths survive the daemon's chdir("/") only when absolute. Caller frees. */
static char *absolute(const char *path)
{
	char cwd[PATH_MAX];

	if (!path)
		return NULL;
	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return xstrdup(path);
	return xasprintf("%s/%s", cwd, path);
}

/* uid 0, the agent's own uid, and SlurmUser (a name or a number). */
static void set_operators(struct agent *a)
{
	const char *su = a->conf->slurm_user;

	a->operators[a->n_operators++] = 0;
	if (geteuid() != 0)
		a->operators[a->n_operators++] = geteuid();
	if (su && *su) {
		struct passwd *pw = getpwnam(su);
		char *end;
		unsigned long v = strtoul(su, &end, 10);
		if (pw)
			a->operators[a->n_operators++] = pw->pw_uid;
		else if (!*end)
			a->operators[a->n_operators++] = (uid_t)v;
		else
			log_error("SlurmUser %s is not a known user", su);
	}
}

/* Everything that can fail before the agent detaches, so errors reach the terminal. */
static void agent_setup(struct agent *a, const struct opts *o)
{
	struct sky_errbuf eb;
	char *path = o->conf_path ? xstrdup(o->conf_path) : conf_default_path();
	char *spool;
	int level;

	sky_err_clear(&eb);
	if (!path)
		fatal("no configuration file found (set SLURM_CONF or use -f)");
	if (conf_load(path, &a->conf, &eb))
		fatal("%s", sky_err_msg(&eb));
	job_env_sky_set_conf(a->conf);
	/* Absolute, since job supervisors run in "/"; kept for the agent's life. */
	{
		static char *conf_abs;
		conf_abs = realpath(a->conf->path, NULL);
		spank_host_set_conf_path(conf_abs ? conf_abs : a->conf->path);
	}
	free(path);
	a->node_name = o->node_name ? xstrdup(o->node_name) : default_node_name();
	level = a->conf->slurmd_debug + o->verbose;
	a->log_level = level > LOG_LEVEL_DEBUG2 ? LOG_LEVEL_DEBUG2 : level;
	if (o->log_file)
		a->log_file = absolute(o->log_file);
	else if (a->conf->slurmd_log) {
		char *p = conf_node_path(a->conf->slurmd_log, a->node_name);
		a->log_file = absolute(p);
		free(p);
	}
	/* Start-up errors go to the terminal; the log file takes over in main(). */
	log_init("slurmd-sky", (enum log_level)a->log_level, NULL, false);

	spool = conf_node_path(a->conf->spool_dir, a->node_name);
	a->spool_dir = absolute(spool);
	free(spool);
	if (spool_mkdir_p(a->spool_dir, 0755, &eb))
		fatal("%s", sky_err_msg(&eb));
	if (hw_detect(&a->hw, &eb))
		fatal("%s", sky_err_msg(&eb));
	if (gpu_node_gres(a->conf->path, a->node_name, &a->hw.gres, &eb))
		fatal("%s", sky_err_msg(&eb));
	if (auth_create(a->conf->munge_socket, a->conf->auth_ttl, &a->auth, &eb))
		fatal("%s", sky_err_msg(&eb));
	set_operators(a);
	a->kill_wait = a->conf->kill_wait;
	a->cluster = xstrdup(a->conf->cluster_name);
	a->start_time = time(NULL);
}

/*
 * One agent per node: hold a lock in the spool for the agent's life. The
 * fd is close-on-exec and supervisors close every inherited fd, so only
 * this process holds it.
 */
static int lock_spool(const struct agent *a)
{
	char *path = xasprintf("%s/agent.lock", a->spool_dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		fatal("cannot open %s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		fatal("another slurmd-sky is running for node %s (%s is locked)", a->node_name, path);
	free(path);
	return fd;
}

static char *write_pidfile(const struct agent *a)
{
	char *path, *abs, buf[32];
	int fd, n;

	if (!a->conf->slurmd_pidfile)
		return NULL;
	path = conf_node_path(a->conf->slurmd_pidfile, a->node_name);
	abs = absolute(path);
	free(path);
	fd = open(abs, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		fatal("cannot write pid file %s: %s", abs, strerror(errno));
	close(fd);
	return abs;
}

/*
 * fork + setsid; the parent waits until the daemon is set up (or died) and
 * exits with the matching status. Returns the fd to report readiness on.
 */
static int daemonize(void)
{
	int pfd[2], fd;
	char c = 1;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		fatal("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		fatal("fork: %s", strerror(errno));
	if (pid > 0) {
		close(pfd[1]);
		while (read(pfd[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(c == 0 ? 0 : 1);
	}
	close(pfd[0]);
	if (setsid() < 0)
		fatal("setsid: %s", strerror(errno));
	if (chdir("/") < 0)
		fatal("chdir /: %s", strerror(errno));
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	return pfd[1];
}

static void on_sigchld(evutil_socket_t fd, short what, void *arg)
{
	struct agent *a = arg;
	jobs_reap(a->jobs);
}

static void on_sigterm(evutil_socket_t sig, short what, void *arg)
{
	struct agent *a = arg;
	log_info("caught signal %d; exiting (running jobs continue)", (int)sig);
	event_base_loopbreak(a->base);
}

static void on_sighup(evutil_socket_t fd, short what, void *arg)
{
	log_reopen();
	log_info("log reopened");
}

int main(int argc, char **argv)
{
	struct agent a;
	struct opts o;
	struct sky_errbuf eb;
	struct event *sig_ev[4];
	char *pidfile;
	int ready_fd = -1, lock_fd, rc;

	memset(&a, 0, sizeof(a));
	log_init(argv[0], LOG_LEVEL_INFO, NULL, false);
	if ((rc = parse_opts(argc, argv, &o)))
		return rc > 0 ? 0 : 1;
	agent_setup(&a, &o);
	lock_fd = lock_spool(&a);
	if (log_init("slurmd-sky", (enum log_level)a.log_level, a.log_file, true))
		fatal("cannot open log file %s", a.log_file);
	if (!o.foreground)
		ready_fd = daemonize();
	if (a.log_file && !o.foreground) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0 && fd != STDERR_FILENO) {
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
	}
	signal(SIGPIPE, SIG_IGN);
	pidfile = write_pidfile(&a);
	a.base = event_base_new();
	if (!a.base)
		fatal("cannot create the event loop");
	sig_ev[0] = evsignal_new(a.base, SIGCHLD, on_sigchld, &a);
	sig_ev[1] = evsignal_new(a.base, SIGTERM, on_sigterm, &a);
	sig_ev[2] = evsignal_new(a.base, SIGINT, on_sigterm, &a);
	sig_ev[3] = evsignal_new(a.base, SIGHUP, on_sighup, &a);
	for (int i = 0; i < 4; i++)
		event_add(sig_ev[i], NULL);

	a.jobs = jobs_new(&a);
	a.link = link_new(&a);
	sky_err_clear(&eb);
	if (jobs_recover(a.jobs, &eb))
		fatal("%s", sky_err_msg(&eb));
	/* Supervisors that ended before the SIGCHLD event existed. */
	jobs_reap(a.jobs);
	log_info("slurmd-sky %s started on node %s: %u CPUs, %" PRIu64 " MB%s%s, spool %s",
		 PACKAGE_VERSION, a.node_name, a.hw.cpus, a.hw.memory_mb,
		 a.hw.gres ? ", gres " : "", a.hw.gres ? a.hw.gres : "", a.spool_dir);
	imds_agent_start(&a);     /* starts the link */
	if (ready_fd >= 0) {
		char ok = 0;
		if (write(ready_fd, &ok, 1) != 1)
			log_error("cannot notify the parent process: %s", strerror(errno));
		close(ready_fd);
	}

	event_base_dispatch(a.base);

	imds_free(a.imds);
	link_free(a.link);
	jobs_free(a.jobs);
	for (int i = 0; i < 4; i++)
		event_free(sig_ev[i]);
	event_base_free(a.base);
	if (pidfile)
		unlink(pidfile);
	free(pidfile);
	close(lock_fd);
	auth_destroy(a.auth);
	hw_info_clear(&a.hw);
	conf_free(a.conf);
	free(a.node_name);
	free(a.spool_dir);
	free(a.log_file);
	free(a.cluster);
	free(a.instance_id);
	log_info("slurmd-sky stopped");
	log_fini();
	return a.exit_code;
}
