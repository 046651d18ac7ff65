/*
 * main.c: slurmctld-sky, the controller daemon.
 *
 *   slurmctld-sky [-D] [-f slurm.conf] [-L logfile] [-v...] [-n] [-c]
 *
 * Start-up order: options, config, (fork), logging, state lock, store, munge,
 * nodes, partitions, providers, jobs, event loop, listeners, pid file. When
 * daemonizing, the parent waits on a pipe and exits 0 only once the child's
 * listeners are up, or prints the child's start-up error and exits 1.
 *
 * The loop runs one thread: connection callbacks (which run the RPC
 * handlers), the deferred scheduling pass, the 1 s housekeeping timer, and
 * signals (SIGTERM/SIGINT stop the loop, SIGHUP reopens the log), delivered
 * through libevent so no handler runs in signal context.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "agent_link.h"
#include "ctld.h"
#include "job_control.h"
#include "listener.h"
#include "log.h"
#include "node_notice.h"
#include "power_save.h"
#include "provider.h"
#include "fs_ctld.h"
#include "sched_backfill.h"
#include "sched_fifo.h"
#include "sched_preempt.h"
#include "wire.h"
#include "xalloc.h"

#define DEFAULT_MAX_SCRIPT_SIZE (4ull << 20)
/* Wait up to 5 s for the state lock of a controller that is still exiting. */
#define LOCK_RETRIES 100
#define LOCK_RETRY_USEC 50000

struct opts {
	bool foreground;
	bool check_only;
	bool clear_state;
	int verbose;
	char *conf_path;          /* owned */
	const char *log_file;     /* borrowed from argv */
};

static void usage(FILE *fp, const char *prog)
{
	fprintf(fp, "Usage: %s [-D] [-f slurm.conf] [-L logfile] [-v...] [-n] [-c]\n"
		"  -D  run in the foreground\n"
		"  -f  configuration file\n"
		"  -L  log file (overrides SlurmctldLogFile)\n"
		"  -v  more verbose logging (repeatable)\n"
		"  -n  check the configuration and exit\n"
		"  -c  clear saved jobs and start empty\n", prog);
}

/* 0: run; 1: bad usage; 2: help printed. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	int ch;

	while ((ch = getopt(argc, argv, "Dcf:hL:nv")) != -1) {
		switch (ch) {
		case 'D': o->foreground = true; break;
		case 'c': o->clear_state = true; break;
		case 'f': free(o->conf_path); o->conf_path = xstrdup(optarg); break;
		case 'L': o->log_file = optarg; break;
		case 'n': o->check_only = true; break;
		case 'v': o->verbose++; break;
		case 'h': usage(stdout, argv[0]); return 2;
		default: usage(stderr, argv[0]); return 1;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument '%s'", argv[optind]);
		return 1;
	}
	if (!o->conf_path)
		o->conf_path = conf_default_path();
	return 0;
}

/* SlurmUser: a name or a number; default the user running the controller. */
static int resolve_slurm_user(const struct sky_conf *conf, uid_t *uid, struct sky_errbuf *eb)
{
	struct passwd pw, *res = NULL;
	char buf[4096], *end;
	unsigned long v;

	if (!conf->slurm_user || !*conf->slurm_user) {
		*uid = getuid();
		return 0;
	}
	if (getpwnam_r(conf->slurm_user, &pw, buf, sizeof(buf), &res) == 0 && res) {
		*uid = pw.pw_uid;
		return 0;
	}
	errno = 0;
	v = strtoul(conf->slurm_user, &end, 10);
	if (!errno && !*end && end != conf->slurm_user) {
		*uid = (uid_t)v;
		return 0;
	}
	return sky_err_set(eb, SKY_E_CONFIG, "SlurmUser %s: no such user", conf->slurm_user);
}

/* -n: everything start-up would reject in the configuration, without side effects. */
static int check_config(const struct opts *o, struct sky_errbuf *eb)
{
	struct sky_conf *conf = NULL;
	struct node_table nodes;
	struct part_table parts;
	struct sched_bf_conf bf;
	uid_t uid;
	int rc;

	if ((rc = conf_load(o->conf_path, &conf, eb)))
		return rc;
	if ((rc = node_table_build(&nodes, conf, eb)))
		goto out;
	if (!(rc = part_table_build(&parts, conf, &nodes, eb)))
		part_table_fini(&parts);
	node_table_fini(&nodes);
	if (!rc && !(rc = providers_check(conf, eb)) && !(rc = fs_conf_check(conf, eb)) &&
	    !(rc = sched_bf_parse(conf->sched_type, conf->sched_params, &bf, eb)) &&
	    !(rc = sched_preempt_check(conf, eb)))
		rc = resolve_slurm_user(conf, &uid, eb);
out:
	conf_free(conf);
	return rc;
}

/* ---- daemon plumbing ---- */

/* Fork; the parent waits for the child's verdict and exits with it. */
static int daemonize(void)
{
	int p[2];
	pid_t pid;
	char buf[SKY_ERRBUF_LEN + 8];
	ssize_t n, got = 0;

	if (pipe(p) < 0)
		fatal("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		fatal("fork: %s", strerror(errno));
	if (pid > 0) {
		close(p[1]);
		while ((n = read(p[0], buf + got, sizeof(buf) - 1 - (size_t)got)) > 0 ||
		       (n < 0 && errno == EINTR))
			got += n > 0 ? n : 0;
		buf[got] = '\0';
		if (got > 0 && buf[0] == '+')
			exit(0);
		fprintf(stderr, "%s\n", got > 1 ? buf + 1 : "slurmctld-sky: error: start-up failed");
		exit(1);
	}
	close(p[0]);
	setsid();
	umask(022);
	return p[1];
}

/* Tell the waiting parent how start-up went ('+' ok, '-' and the message). */
static void notify_parent(int fd, const char *err)
{
	char buf[SKY_ERRBUF_LEN + 64];
	int len;

	if (fd < 0)
		return;
	if (err)
		len = snprintf(buf, sizeof(buf), "-slurmctld-sky: error: %s", err);
	else
		len = snprintf(buf, sizeof(buf), "+");
	if (len > (int)sizeof(buf) - 1)
		len = (int)sizeof(buf) - 1;
	if (write(fd, buf, (size_t)len) < 0)
		log_error("cannot notify the parent: %s", strerror(errno));
	close(fd);
}

/*
 * stdin and stdout go to /dev/null; stderr to the log file when there is one,
 * so what does not pass through the logger (a sanitizer's report, a crash
 * message from a library) still lands where the admin looks.
 */
static void detach_stdio(const char *log_file)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	int err = log_file ? open(log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600) : -1;

	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(err >= 0 ? err : fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	if (err > STDERR_FILENO)
		close(err);
}

static int write_pidfile(const char *path, struct sky_errbuf *eb)
{
	char buf[32];
	int fd, len;

	if (!path)
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return sky_err_set(eb, SKY_E_IO, "SlurmctldPidFile %s: %s", path, strerror(errno));
	len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)len) != len) {
		close(fd);
		return sky_err_set(eb, SKY_E_IO, "SlurmctldPidFile %s: %s", path, strerror(errno));
	}
	close(fd);
	return 0;
}

/* One controller per StateSaveLocation: LMDB has a single writer. */
static int lock_state_dir(struct ctld *c, struct sky_errbuf *eb)
{
	const char *dir = c->conf->state_dir;
	char *path;
	int tries;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return sky_err_set(eb, SKY_E_IO, "cannot create StateSaveLocation %s: %s", dir,
				   strerror(errno));
	path = xasprintf("%s/slurmctld.lock", dir);
	c->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (c->lock_fd < 0) {
		sky_err_set(eb, SKY_E_IO, "%s: %s", path, strerror(errno));
		free(path);
		return SKY_E_IO;
	}
	free(path);
	/* A controller just killed with -9 may take a moment to release the lock. */
	for (tries = 0; flock(c->lock_fd, LOCK_EX | LOCK_NB) < 0; tries++) {
		if (errno != EWOULDBLOCK || tries >= LOCK_RETRIES)
			return sky_err_set(eb, SKY_E_IO, "another slurmctld-sky uses StateSaveLocation %s",
					   dir);
		usleep(LOCK_RETRY_USEC);
	}
	return 0;
}

/* ---- the loop's own events ---- */

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ctld *c = arg;
	time_t now = time(NULL);

	(void)fd;
	(void)what;
	agent_link_check(c, now);
	job_purge_old(c, now);
	job_control_tick(c, now);
	providers_poll(c);
	node_notice_tick(c, now);
	power_save_tick(c, now);
	fs_ctld_tick(c, now);
	sched_request(c);
	/* Acknowledged changes are durable in the journal already; this only
	 * moves them into LMDB, once a second rather than once a change. */
	if (store_dirty(c->store)) {
		struct sky_errbuf eb = { 0 };
		if (store_checkpoint(c->store, &eb))
			log_error("%s", sky_err_msg(&eb));
	}
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct ctld *c = arg;

	(void)what;
	if (sig == SIGHUP) {
		log_reopen();
		log_info("SIGHUP: log reopened");
		return;
	}
	log_info("%s: shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	event_base_loopexit(c->base, NULL);
}

static int loop_events(struct ctld *c, struct sky_errbuf *eb)
{
	static const int sigs[3] = { SIGTERM, SIGINT, SIGHUP };
	struct timeval one_sec = { .tv_sec = 1 };
	size_t i;

	c->base = event_base_new();
	if (!c->base)
		return sky_err_set(eb, SKY_E_NOMEM, "cannot create the event loop");
	if (sched_init(c))
		return sky_err_set(eb, SKY_E_NOMEM, "cannot create the scheduler event");
	c->ev_tick = event_new(c->base, -1, EV_PERSIST, tick_cb, c);
	if (!c->ev_tick || event_add(c->ev_tick, &one_sec) < 0)
		return sky_err_set(eb, SKY_E_NOMEM, "cannot create the timer");
	for (i = 0; i < 3; i++) {
		c->ev_signal[i] = evsignal_new(c->base, sigs[i], signal_cb, c);
		if (!c->ev_signal[i] || event_add(c->ev_signal[i], NULL) < 0)
			return sky_err_set(eb, SKY_E_NOMEM, "cannot watch signal %d", sigs[i]);
	}
	return 0;
}

/* ---- start and stop ---- */

static void set_limits(struct ctld *c)
{
	const struct sky_conf *cf = c->conf;
	struct ctld_limits *l = &c->limits;

	l->max_script_size = cf->max_script_size ? cf->max_script_size : DEFAULT_MAX_SCRIPT_SIZE;
	l->frame_max = WIRE_FRAME_MAX_DEFAULT;
	if (2 * l->max_script_size > l->frame_max)
		l->frame_max = (size_t)(2 * l->max_script_size);
	if (l->frame_max > WIRE_FRAME_DISCARD_MAX)
		l->frame_max = WIRE_FRAME_DISCARD_MAX;
	l->max_job_count = cf->max_job_count ? cf->max_job_count : 10000;
	l->message_timeout = cf->message_timeout ? cf->message_timeout : 10;
	l->agent_silence = 3 * conf_heartbeat_secs(cf);
	l->slurmd_timeout = cf->slurmd_timeout;
	l->min_job_age = cf->min_job_age;
}

static int ctld_open(struct ctld *c, const struct opts *o, struct sky_errbuf *eb)
{
	int rc;

	c->boot_time = time(NULL);
	set_limits(c);
	if ((rc = resolve_slurm_user(c->conf, &c->slurm_uid, eb)) ||
	    (rc = lock_state_dir(c, eb)) ||
	    (rc = store_open(c->conf->state_dir, 0, &c->store, eb)))
		return rc;
	if (o->clear_state && (rc = job_clear_store(c, eb)))
		return rc;
	if ((rc = auth_create(c->conf->munge_socket, c->conf->auth_ttl, &c->auth, eb)) ||
	    (rc = node_table_build(&c->nodes, c->conf, eb)) ||
	    (rc = part_table_build(&c->parts, c->conf, &c->nodes, eb)) ||
	    (rc = providers_start(c, eb)) || (rc = power_save_init(c, eb)))
		return rc;
	job_table_init(&c->jobs);
	if ((rc = job_load_all(c, eb)) || (rc = fs_ctld_init(c, eb)) || (rc = loop_events(c, eb)) ||
	    (rc = listeners_start(c, eb)) || (rc = write_pidfile(c->conf->ctld_pidfile, eb)))
		return rc;
	c->pidfile_written = c->conf->ctld_pidfile != NULL;
	/* Before the loop runs anything: the nodes of loaded jobs are not powered down. */
	power_save_restore(c, time(NULL));
	log_info("slurmctld-sky started: cluster %s, %zu nodes, %zu partitions, %zu jobs",
		 c->conf->cluster_name, c->nodes.count, c->parts.count, c->jobs.count);
	sched_request(c);
	return 0;
}

static void ctld_close(struct ctld *c)
{
	size_t i;

	if (c->base)
		listeners_stop(c);
	for (i = 0; i < 3; i++)
		if (c->ev_signal[i])
			event_free(c->ev_signal[i]);
	if (c->ev_tick)
		event_free(c->ev_tick);
	sched_fini(c);
	if (c->jobs.buckets)
		job_table_fini(&c->jobs);
	power_save_fini(c);
	node_notice_fini(c);
	fs_ctld_fini(c);
	providers_stop(c);
	part_table_fini(&c->parts);
	node_table_fini(&c->nodes);
	auth_destroy(c->auth);
	store_close(c->store);
	if (c->base)
		event_base_free(c->base);
	if (c->pidfile_written)
		unlink(c->conf->ctld_pidfile);
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	conf_free(c->conf);
	memset(c, 0, sizeof(*c));
}

static enum log_level daemon_level(const struct sky_conf *conf, int verbose)
{
	int lvl = conf->ctld_debug + verbose;

	return (enum log_level)(lvl > LOG_LEVEL_DEBUG2 ? LOG_LEVEL_DEBUG2 : lvl);
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct ctld c = { .lock_fd = -1 };
	struct sky_errbuf eb;
	int notify_fd = -1, rc;

	log_init(argv[0], LOG_LEVEL_WARN, NULL, false);
	sky_err_clear(&eb);
	if ((rc = parse_opts(argc, argv, &o)))
		return rc == 2 ? 0 : 1;
	if (o.check_only) {
		rc = check_config(&o, &eb);
		if (rc)
			log_error("%s", sky_err_msg(&eb));
		else
			printf("configuration OK\n");
		free(o.conf_path);
		return rc ? 1 : 0;
	}
	if (conf_load(o.conf_path, &c.conf, &eb)) {
		log_error("%s", sky_err_msg(&eb));
		free(o.conf_path);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (!o.foreground)
		notify_fd = daemonize();
	log_init(argv[0], daemon_level(c.conf, o.verbose), o.log_file ? o.log_file : c.conf->ctld_log,
		 true);
	if ((rc = ctld_open(&c, &o, &eb))) {
		log_error("%s", sky_err_msg(&eb));
		notify_parent(notify_fd, sky_err_msg(&eb));
		ctld_close(&c);
		free(o.conf_path);
		return 1;
	}
	if (notify_fd >= 0) {
		if (!o.log_file && !c.conf->ctld_log)
			log_warn("no SlurmctldLogFile: the daemon's log is discarded");
		notify_parent(notify_fd, NULL);
		detach_stdio(o.log_file ? o.log_file : c.conf->ctld_log);
	}
	event_base_dispatch(c.base);
	log_info("slurmctld-sky stopped");
	ctld_close(&c);
	log_fini();
	free(o.conf_path);
	return 0;
}
