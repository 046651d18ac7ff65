/* job_supervisor.c: see job_supervisor.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "job_child.h"
#include "spank_host.h"
#include "job_supervisor.h"
#include "job_warn.h"
#include "log.h"
#include "proc.h"
#include "spool.h"
#include "timefmt.h"
#include "xalloc.h"

/* Give up on processes that ignore SIGKILL (stuck in the kernel) after this. */
#define UNKILLABLE_TIMEOUT_MS (120 * 1000)

struct sup {
	const struct sup_params *p;
	Sky__LaunchJob *lj;
	uint32_t job_id;
	char *user_name, *group_name, *home;
	uid_t uid;
	gid_t gid;
	pid_t job_pid;
	int sfd;                  /* signalfd */
	int chan;                 /* report channel from the job child, -1 once closed */
	int err_fd;               /* the job's stderr, -1 until received */
	char *launch_err;         /* the child's failure report */
	bool job_exited;
	int status;               /* raw wait status of the batch script */
	bool timed_out, cancelled;
	uint32_t cancel_state;
	uint32_t kill_wait;
	time_t start_time;
	int64_t limit_at_ms;      /* monotonic; -1: no time limit */
	int64_t kill_at_ms;       /* SIGKILL time of a running kill sequence; -1 */
	struct job_warn warn;     /* --signal before the time limit (job_warn.h) */
	int64_t warn_at_ms;       /* monotonic; -1: none or already sent */
	struct spank_batch *spank; /* SPANK plugins for the script (spank_host.h) */
	char **spank_argv;        /* the script's argv the plugins see; owned */
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Send sig to every descendant of the supervisor; returns how many exist. */
static size_t signal_all(int sig)
{
	pid_t *pids = NULL;
	size_t n = 0;

	proc_descendants(getpid(), &pids, &n);
	for (size_t i = 0; i < n; i++)
		(void)kill(pids[i], sig);
	free(pids);
	return n;
}

static void reap(struct sup *s)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		if (pid == s->job_pid) {
			s->job_exited = true;
			s->status = st;
		}
}

static void job_stderr_msg(struct sup *s, const char *suffix)
{
	char ts[32], *line;
	time_t now = time(NULL);
	struct tm tm;

	if (s->err_fd < 0)
		return;
	localtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	line = xasprintf("slurmstepd: error: *** JOB %u ON %s CANCELLED AT %s%s ***\n", s->job_id,
			 s->p->node_name, ts, suffix);
	if (write(s->err_fd, line, strlen(line)) < 0)
		log_debug("job %u: cannot write to the job's stderr: %s", s->job_id, strerror(errno));
	free(line);
}

/* SIGCONT + SIGTERM to every job process; SIGKILL follows after KillWait. */
static void start_kill_sequence(struct sup *s)
{
	signal_all(SIGCONT);
	signal_all(SIGTERM);
	s->kill_at_ms = mono_ms() + (int64_t)s->kill_wait * 1000;
}

static void on_cancel(struct sup *s, uint32_t state)
{
	if (s->job_exited || s->cancelled || s->timed_out)
		return;
	log_info("job %u: cancel requested", s->job_id);
	s->cancelled = true;
	/* Only an end state makes sense to report; anything else means CANCELLED. */
	s->cancel_state = state >= SKY__JOB_STATE__JOB_COMPLETE && state <= SKY__JOB_STATE__JOB_OOM
			  ? state : SKY__JOB_STATE__JOB_CANCELLED;
	job_stderr_msg(s, "");
	start_kill_sequence(s);
}

static void on_deliver(struct sup *s, int value)
{
	int sig = value & SUP_SIGNAL_MASK;

	if (s->job_exited || sig <= 0 || sig >= NSIG)
		return;
	log_info("job %u: delivering signal %d%s", s->job_id, sig,
		 (value & SUP_SIGNAL_BATCH_ONLY) ? " to the batch shell" : "");
	if (value & SUP_SIGNAL_BATCH_ONLY)
		(void)kill(s->job_pid, sig);
	else
		signal_all(sig);
}

static void read_signals(struct sup *s)
{
	struct signalfd_siginfo si;

	while (read(s->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			reap(s);
			break;
		case SIGTERM:
		case SIGINT:
			on_cancel(s, si.ssi_code == SI_QUEUE ? (uint32_t)si.ssi_int : 0);
			break;
		case SIGUSR1:
			/* Only a queued request carries a signal number. */
			if (si.ssi_code == SI_QUEUE)
				on_deliver(s, si.ssi_int);
			break;
		default:
			break;
		}
	}
}

static void read_chan(struct sup *s)
{
	char buf[1100];
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.b, .msg_controllen = sizeof(u.b) };
	struct cmsghdr *cm;
	ssize_t n = recvmsg(s->chan, &mh, MSG_CMSG_CLOEXEC);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(s->chan);
		s->chan = -1;
		return;
	}
	buf[n] = '\0';
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			int fd;
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
			if (buf[0] == JOB_CHAN_STDERR && s->err_fd < 0)
				s->err_fd = fd;
			else
				close(fd);
		}
	if (buf[0] == JOB_CHAN_ERROR && !s->launch_err) {
		s->launch_err = xstrdup(buf + 1);
		log_error("job %u: launch failed: %s", s->job_id, s->launch_err);
	}
}

static void check_deadlines(struct sup *s)
{
	int64_t now = mono_ms();

	if (s->limit_at_ms >= 0 && now >= s->limit_at_ms && !s->job_exited &&
	    !s->timed_out && !s->cancelled) {
		log_info("job %u: time limit reached", s->job_id);
		s->timed_out = true;
		s->limit_at_ms = -1;
		job_stderr_msg(s, " DUE TO TIME LIMIT");
		start_kill_sequence(s);
	}
	if (s->warn_at_ms >= 0 && now >= s->warn_at_ms) {
		s->warn_at_ms = -1;
		if (!s->timed_out && !s->cancelled)
			on_deliver(s, s->warn.sig | (s->warn.batch_only ? SUP_SIGNAL_BATCH_ONLY : 0));
	}
	if (s->kill_at_ms >= 0 && now >= s->kill_at_ms) {
		s->kill_at_ms = -1;
		signal_all(SIGKILL);
	}
}

static int poll_timeout(const struct sup *s)
{
	int64_t next = -1, now = mono_ms();

	if (s->limit_at_ms >= 0)
		next = s->limit_at_ms;
	if (s->kill_at_ms >= 0 && (next < 0 || s->kill_at_ms < next))
		next = s->kill_at_ms;
	if (s->warn_at_ms >= 0 && (next < 0 || s->warn_at_ms < next))
		next = s->warn_at_ms;
	if (next < 0)
		return -1;
	return next <= now ? 0 : (int)(next - now > 60000 ? 60000 : next - now);
}

/* Run until the batch script has exited and its report channel is closed. */
static void supervise(struct sup *s)
{
	while (!s->job_exited || s->chan >= 0) {
		struct pollfd pf[2] = { { .fd = s->sfd, .events = POLLIN },
					{ .fd = s->chan, .events = POLLIN } };
		int r = poll(pf, s->chan >= 0 ? 2 : 1, poll_timeout(s));

		if (r < 0 && errno != EINTR) {
			log_error("job %u: poll: %s", s->job_id, strerror(errno));
			break;
		}
		if (r > 0 && pf[0].revents)
			read_signals(s);
		if (r > 0 && s->chan >= 0 && pf[1].revents)
			read_chan(s);
		check_deadlines(s);
	}
}

/* SIGKILL every process left, again and again, until none remains. */
static void kill_leftovers(struct sup *s)
{
	int64_t give_up = mono_ms() + UNKILLABLE_TIMEOUT_MS;
	struct signalfd_siginfo si;

	for (;;) {
		reap(s);
		if (signal_all(SIGKILL) == 0)
			return;
		if (mono_ms() > give_up) {
			log_error("job %u: processes survive SIGKILL; giving up on them", s->job_id);
			return;
		}
		/* Wait for a SIGCHLD (or 50 ms: a grandchild's death is not ours to see). */
		struct pollfd pf = { .fd = s->sfd, .events = POLLIN };
		if (poll(&pf, 1, 50) > 0)
			while (read(s->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				;
	}
}

static void write_result(struct sup *s, uint32_t state, const char *message)
{
	Sky__JobComplete jc = SKY__JOB_COMPLETE__INIT;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	jc.job_id = s->job_id;
	jc.state = (Sky__JobState)state;
	jc.has_exit_status = true;
	jc.exit_status = s->status;
	jc.has_start_time = true;
	jc.start_time = (uint64_t)(s->start_time ? s->start_time : time(NULL));
	jc.has_end_time = true;
	jc.end_time = (uint64_t)time(NULL);
	jc.message = (char *)message;
	if (spool_write_result(s->p->jobdir, &jc, &eb))
		log_error("job %u: cannot save the result: %s", s->job_id, sky_err_msg(&eb));
	log_info("job %u: finished, state %u, wait status 0x%x", s->job_id, state,
		 (unsigned)s->status);
}

static uint32_t final_state(const struct sup *s)
{
	if (s->timed_out)
		return SKY__JOB_STATE__JOB_TIMEOUT;
	if (s->cancelled)
		return s->cancel_state;
	if (s->launch_err)
		return SKY__JOB_STATE__JOB_FAILED;
	if (WIFEXITED(s->status) && WEXITSTATUS(s->status) == 0)
		return SKY__JOB_STATE__JOB_COMPLETE;
	return SKY__JOB_STATE__JOB_FAILED;
}

/*
 * The supervisor's own process setup, run with every signal blocked (the
 * spawner blocked them before fork, so nothing of the agent's handlers can
 * run here): default dispositions, a signalfd for the signals it serves,
 * a session of its own, child subreaper, no inherited descriptors.
 */
static int setup_process(struct sup *s)
{
	const struct sup_params *p = s->p;
	sigset_t served;
	int fd;

	sigemptyset(&served);
	sigaddset(&served, SIGCHLD);
	sigaddset(&served, SIGTERM);
	sigaddset(&served, SIGINT);
	sigaddset(&served, SIGUSR1);
	proc_reset_signals(&served);

	(void)setsid();
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	(void)prctl(PR_SET_NAME, "slurmstepd-sky", 0, 0, 0);
	(void)close_range(3, ~0U, 0);
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		if (p->log_file)
			dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	log_init("slurmstepd-sky", (enum log_level)p->log_level, p->log_file, true);
	if (chdir("/") < 0)
		log_debug("chdir /: %s", strerror(errno));
	s->sfd = signalfd(-1, &served, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->sfd < 0) {
		log_error("signalfd: %s", strerror(errno));
		return SKY_E_GENERIC;
	}
	return 0;
}

/* The user's name, group and home as this host knows them. */
static int resolve_user(struct sup *s, struct sky_errbuf *eb)
{
	const Sky__JobRecord *job = s->lj->job;
	struct passwd *pw;
	struct group *gr;

	s->uid = job->user_id;
	s->gid = job->group_id;
	pw = getpwuid(s->uid);
	if (!pw && geteuid() == 0)
		return sky_err_set(eb, SKY_E_LAUNCH, "user id %u not found on node %s",
				   (unsigned)s->uid, s->p->node_name);
	s->user_name = xstrdup(pw ? pw->pw_name : job->user_name);
	s->home = xstrdup(pw ? pw->pw_dir : NULL);
	gr = getgrgid(s->gid);
	s->group_name = xstrdup(gr ? gr->gr_name : job->group_name);
	return 0;
}

/* The monotonic time of the time limit, counted from the job's start time. */
static void arm_time_limit(struct sup *s)
{
	const Sky__JobRecord *job = s->lj->job;
	uint32_t limit = job->has_time_limit_min ? job->time_limit_min : job->desc->time_limit_min;
	time_t now = time(NULL);
	time_t start = job->start_time && (time_t)job->start_time <= now
		       ? (time_t)job->start_time : now;
	int64_t left;

	s->limit_at_ms = -1;
	job_warn_plan(job, start, &s->warn);
	s->warn_at_ms = -1;
	if (s->warn.sig)
		s->warn_at_ms = mono_ms() + (s->warn.at > now ? (int64_t)(s->warn.at - now) * 1000 : 0);
	if (!limit || limit == SKY_INFINITE || limit == SKY_NO_VAL)
		return;
	left = (int64_t)(start + (time_t)limit * 60 - now);
	s->limit_at_ms = mono_ms() + (left > 0 ? left * 1000 : 0);
}

/* So that an agent can still kill the job's session should this supervisor die. */
static void record_job_pid(struct sup *s)
{
	struct sky_errbuf eb;
	uint64_t start;

	sky_err_clear(&eb);
	if (proc_start_time(s->job_pid, &start) == 0 &&
	    spool_write_pid(s->p->jobdir, SPOOL_JOBPID, s->job_pid, start, &eb))
		log_error("job %u: %s", s->job_id, sky_err_msg(&eb));
}

/* SPANK plugins for the script, opened here so that the hooks after the fork
 * (post_fork, task_exit, exit) run in the supervisor, as in slurmstepd. */
static int spank_open(struct sup *s, struct sky_errbuf *eb)
{
	const Sky__JobDesc *d = s->lj->job->desc;
	size_t i;

	s->spank_argv = xcalloc(d->n_argv + 2, sizeof(*s->spank_argv));
	/* The script path as the child execs it; the string lives as long as argv. */
	s->spank_argv[0] = xasprintf("%s/script", s->p->jobdir);
	for (i = 0; i < d->n_argv; i++)
		s->spank_argv[i + 1] = d->argv[i];
	return spank_batch_begin(s->lj, (int)d->n_argv + 1, s->spank_argv, &s->spank, eb);
}

static int fork_job(struct sup *s, struct sky_errbuf *eb)
{
	struct job_child_args a;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return sky_err_set(eb, SKY_E_LAUNCH, "socketpair: %s", strerror(errno));
	memset(&a, 0, sizeof(a));
	a.lj = s->lj;
	a.jobdir = s->p->jobdir;
	a.node_name = s->p->node_name;
	a.cluster = s->p->cluster;
	a.user_name = s->user_name;
	a.group_name = s->group_name;
	a.home = s->home;
	a.uid = s->uid;
	a.gid = s->gid;
	a.chan = sv[1];
	a.spank = s->spank;
	s->start_time = time(NULL);
	a.start_time = s->start_time;
	s->job_pid = fork();
	if (s->job_pid == 0) {
		close(sv[0]);
		close(s->sfd);
		job_child_exec(&a);
	}
	close(sv[1]);
	if (s->job_pid < 0) {
		close(sv[0]);
		return sky_err_set(eb, SKY_E_LAUNCH, "fork: %s", strerror(errno));
	}
	s->chan = sv[0];
	record_job_pid(s);
	if (spank_batch_post_fork(s->spank, s->job_pid, eb)) {
		/* As slurmstepd: logged; the script runs on. */
		log_error("job %u: %s", s->job_id, sky_err_msg(eb));
		sky_err_clear(eb);
	}
	log_info("job %u: batch script started as pid %d (uid %u)", s->job_id, (int)s->job_pid,
		 (unsigned)s->uid);
	return 0;
}

/* The job never ran: record why, as a FAILED result. */
static void fail_early(struct sup *s, const struct sky_errbuf *eb) __attribute__((noreturn));

static void fail_early(struct sup *s, const struct sky_errbuf *eb)
{
	log_error("job %u: %s", s->job_id, sky_err_msg(eb));
	s->status = JOB_CHILD_EXIT_SETUP << 8;
	write_result(s, SKY__JOB_STATE__JOB_FAILED, sky_err_msg(eb));
	_exit(1);
}

static void sup_main(const struct sup_params *p) __attribute__((noreturn));

static void sup_main(const struct sup_params *p)
{
	struct sup s = { .p = p, .job_id = p->job_id, .sfd = -1, .chan = -1, .err_fd = -1,
			 .kill_at_ms = -1, .limit_at_ms = -1, .warn_at_ms = -1 };
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	if (setup_process(&s))
		_exit(1);
	if (spool_read_launch(p->jobdir, &s.lj, &eb))
		fail_early(&s, &eb);
	s.job_id = s.lj->job_id;
	s.kill_wait = s.lj->has_kill_wait_secs ? s.lj->kill_wait_secs : p->kill_wait;
	if (resolve_user(&s, &eb))
		fail_early(&s, &eb);
	arm_time_limit(&s);
	if (spank_open(&s, &eb) || fork_job(&s, &eb))
		fail_early(&s, &eb);
	supervise(&s);
	if (spank_batch_task_exit(s.spank, s.status, &eb))
		log_error("job %u: %s", s.job_id, sky_err_msg(&eb));
	spank_batch_end(s.spank);
	free(s.spank_argv[0]);
	free(s.spank_argv);
	kill_leftovers(&s);
	write_result(&s, final_state(&s), s.launch_err);
	_exit(0);
}

int supervisor_spawn(const struct sup_params *p, pid_t *pid, struct sky_errbuf *eb)
{
	sigset_t all, old;
	pid_t c;
	int e;

	/* Until the child has its own dispositions, none of ours may run in it. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	c = fork();
	if (c == 0)
		sup_main(p);
	e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (c < 0)
		return sky_err_set(eb, SKY_E_LAUNCH, "cannot fork the job supervisor: %s", strerror(e));
	*pid = c;
	return 0;
}

int supervisor_cancel(pid_t pid, uint32_t state, struct sky_errbuf *eb)
{
	union sigval v = { .sival_int = (int)state };

	if (sigqueue(pid, SIGTERM, v) < 0)
		return sky_err_set(eb, SKY_E_GENERIC, "cannot signal supervisor %d: %s", (int)pid,
				   strerror(errno));
	return 0;
}

int supervisor_signal(pid_t pid, int sig, bool batch_only, struct sky_errbuf *eb)
{
	union sigval v = { .sival_int = (sig & SUP_SIGNAL_MASK) |
					(batch_only ? SUP_SIGNAL_BATCH_ONLY : 0) };

	if (sig <= 0 || sig >= NSIG || sig > SUP_SIGNAL_MASK)
		return sky_err_set(eb, SKY_E_INVAL, "invalid signal %d", sig);
	if (sigqueue(pid, SIGUSR1, v) < 0)
		return sky_err_set(eb, SKY_E_GENERIC, "cannot signal supervisor %d: %s", (int)pid,
				   strerror(errno));
	return 0;
}
