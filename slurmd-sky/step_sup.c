/* step_sup.c: see step_sup.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "rpc_client.h"
#include "spool.h"
#include "step_io.h"
#include "step_env.h"
#include "step_spank.h"
#include "step_sup.h"
#include "timefmt.h"
#include "step_task.h"
#include "wire.h"
#include "xalloc.h"

#define CONNECT_TIMEOUT_MS 10000
#define NO_TASK 0xffffffffu

struct step_sup {
	struct agent *a;
	const Sky__StepLaunch *sl;
	uint32_t node_id;
	struct step_task *tasks;     /* owned, n entries */
	uint32_t n;
	uint32_t live;               /* tasks not reaped yet */
	int srun;                    /* the I/O connection, -1 once gone */
	int sfd;                     /* signalfd */
	struct step_io_buf in;
	bool cancelled;
	int64_t kill_at_ms;          /* SIGKILL due (0: none) */
	char *pidfile;               /* owned */
	struct step_spank spank;
	time_t deadline;             /* srun's own allocation: its time limit (0: none) */
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *step_pid_path(const char *spool, uint32_t job_id, uint32_t step_id)
{
	return xasprintf("%s/step%u.%u.pid", spool, job_id, step_id);
}

static void signal_tasks(struct step_sup *s, int sig)
{
	for (uint32_t i = 0; s->tasks && i < s->n; i++)
		if (s->tasks[i].pid > 0 && !s->tasks[i].reaped)
			(void)kill(-s->tasks[i].pid, sig);
}

/* TERM now, KILL after KillWait (Slurm's kill sequence for a step). */
static void start_kill(struct step_sup *s)
{
	uint32_t wait = s->sl->has_kill_wait_secs ? s->sl->kill_wait_secs : s->a->kill_wait;

	signal_tasks(s, SIGCONT);
	signal_tasks(s, SIGTERM);
	if (!s->kill_at_ms)
		s->kill_at_ms = mono_ms() + (int64_t)wait * 1000;
}

static void srun_gone(struct step_sup *s)
{
	if (s->srun < 0)
		return;
	close(s->srun);
	s->srun = -1;
	if (s->live) {
		log_info("step %u.%u: srun went away; killing the tasks", s->sl->job_id,
			 s->sl->step_id);
		signal_tasks(s, SIGKILL);
	}
}

static void to_srun(struct step_sup *s, uint32_t type, uint32_t task, const void *p, size_t len)
{
	if (s->srun >= 0 && !step_io_send(s->srun, type, task, p, (uint32_t)len))
		srun_gone(s);
}

/* Forward what a task's pipe holds; closes it at EOF. */
static void drain_pipe(struct step_sup *s, struct step_task *t, int *fd, uint32_t type)
{
	char buf[16384];

	while (*fd >= 0) {
		ssize_t n = read(*fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			close(*fd);
			*fd = -1;
			return;
		}
		to_srun(s, type, t->gtid, buf, (size_t)n);
	}
}

static void task_ended(struct step_sup *s, struct step_task *t, int status)
{
	char txt[16];

	t->reaped = true;
	t->status = status;
	s->live--;
	/* Whatever the task wrote before it ended goes out before its exit. */
	drain_pipe(s, t, &t->out, STEP_IO_STDOUT);
	drain_pipe(s, t, &t->err, STEP_IO_STDERR);
	if (t->out >= 0)
		close(t->out);
	if (t->err >= 0)
		close(t->err);
	if (t->in >= 0)
		close(t->in);
	t->out = t->err = t->in = -1;
	/*
	 * The node's last exit waits for the controller's record of the step's
	 * end (step_main), so that once srun has every exit the step's CPUs are
	 * free for the next srun.
	 */
	if (s->live) {
		snprintf(txt, sizeof(txt), "%d", status);
		to_srun(s, STEP_IO_EXIT, t->gtid, txt, strlen(txt));
	} else {
		t->exit_deferred = true;
	}
	step_spank_task_exit(&s->spank, s->sl, s->node_id, t->lid, t->pid, status);
	log_debug("step %u.%u: task %u ended, status %d", s->sl->job_id, s->sl->step_id, t->gtid,
		  status);
}

static void reap(struct step_sup *s)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		for (uint32_t i = 0; i < s->n; i++)
			if (s->tasks[i].pid == pid && !s->tasks[i].reaped) {
				task_ended(s, &s->tasks[i], st);
				break;
			}
}

static void cancel_msg(struct step_sup *s, const char *why)
{
	char ts[64], *line;
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	line = xasprintf("slurmstepd: error: *** STEP %u.%u ON %s CANCELLED AT %s%s ***\n",
			 s->sl->job_id, s->sl->step_id, s->a->node_name, ts, why);
	to_srun(s, STEP_IO_STDERR, NO_TASK, line, strlen(line));
	free(line);
}

static void read_signals(struct step_sup *s)
{
	struct signalfd_siginfo si;

	while (read(s->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			reap(s);
		} else if (si.ssi_signo == SIGTERM) {
			if (!s->cancelled && s->node_id == 0)
				cancel_msg(s, "");
			s->cancelled = true;
			start_kill(s);
		} else if (si.ssi_signo == SIGUSR1 && si.ssi_int > 0 && si.ssi_int < NSIG) {
			signal_tasks(s, si.ssi_int);
		}
	}
}

static void from_srun(struct step_sup *s)
{
	const uint8_t *p;
	uint32_t type, task, len;
	long n = step_io_buf_read(&s->in, s->srun);
	int r;

	if (n == 0 || (n < 0 && errno != EAGAIN)) {
		srun_gone(s);
		return;
	}
	while ((r = step_io_buf_next(&s->in, &type, &task, &p, &len)) == 1) {
		if (type == STEP_IO_SIGNAL) {
			char num[16];
			snprintf(num, sizeof(num), "%.*s", (int)(len < 15 ? len : 15), (const char *)p);
			signal_tasks(s, atoi(num));
		} else if (type == STEP_IO_STDIN) {
			for (uint32_t i = 0; i < s->n; i++) {
				struct step_task *t = &s->tasks[i];
				if (t->gtid != task || t->in < 0)
					continue;
				if (!len || write(t->in, p, len) < 0) {
					close(t->in);
					t->in = -1;
				}
			}
		}
	}
	if (r < 0)
		srun_gone(s);
}

static void loop(struct step_sup *s)
{
	struct pollfd *pfd = xcalloc(2 * s->n + 2, sizeof(*pfd));

	while (s->live) {
		size_t np = 0;
		int timeout = -1;

		pfd[np++] = (struct pollfd){ .fd = s->sfd, .events = POLLIN };
		pfd[np++] = (struct pollfd){ .fd = s->srun, .events = POLLIN };
		for (uint32_t i = 0; i < s->n; i++) {
			pfd[np++] = (struct pollfd){ .fd = s->tasks[i].out, .events = POLLIN };
			pfd[np++] = (struct pollfd){ .fd = s->tasks[i].err, .events = POLLIN };
		}
		if (s->deadline && !s->cancelled) {
			time_t now = time(NULL);
			if (now >= s->deadline) {
				/* No batch supervisor watches an srun allocation's limit. */
				if (s->node_id == 0)
					cancel_msg(s, " DUE TO TIME LIMIT");
				s->cancelled = true;
				start_kill(s);
				continue;
			}
			timeout = (int)((s->deadline - now) * 1000);
		}
		if (s->kill_at_ms) {
			int64_t left = s->kill_at_ms - mono_ms();
			if (left <= 0) {
				signal_tasks(s, SIGKILL);
				s->kill_at_ms = 0;
				continue;
			}
			timeout = (int)left;
		}
		if (poll(pfd, np, timeout) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents)
			read_signals(s);
		if (s->srun >= 0 && pfd[1].revents)
			from_srun(s);
		for (uint32_t i = 0; i < s->n; i++) {
			struct step_task *t = &s->tasks[i];
			if (t->out >= 0 && pfd[2 + 2 * i].revents)
				drain_pipe(s, t, &t->out, STEP_IO_STDOUT);
			if (t->err >= 0 && pfd[3 + 2 * i].revents)
				drain_pipe(s, t, &t->err, STEP_IO_STDERR);
		}
	}
	free(pfd);
}

static int connect_srun(struct step_sup *s, struct sky_errbuf *eb)
{
	const Sky__StepCreateRequest *rq = s->sl->req;
	char *hello;
	int fd = -1, rc;

	if (!rq->io_host || !rq->io_port || rq->io_key.len != STEP_IO_KEY_LEN)
		return sky_err_set(eb, SKY_E_INVAL, "step %u.%u: no srun address or key",
				   s->sl->job_id, s->sl->step_id);
	if ((rc = wire_connect_tcp(rq->io_host, (uint16_t)rq->io_port, CONNECT_TIMEOUT_MS, &fd, eb)))
		return rc;
	hello = xasprintf("%.*s %u %u", STEP_IO_KEY_LEN, (const char *)rq->io_key.data, s->node_id,
			  s->n);
	if (!step_io_send(fd, STEP_IO_HELLO, NO_TASK, hello, strlen(hello))) {
		free(hello);
		close(fd);
		return sky_err_set(eb, SKY_E_IO, "cannot greet srun at %s:%u", rq->io_host,
				   rq->io_port);
	}
	free(hello);
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	s->srun = fd;
	return 0;
}

/* Exit code as Slurm compares tasks: exit status, or 128 + signal. */
static int status_rank(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 0;
}

static void report(struct step_sup *s, bool launch_failed)
{
	Sky__StepComplete sc = SKY__STEP_COMPLETE__INIT;
	struct sky_client cl = { .conf = s->a->conf, .auth = s->a->auth, .timeout_ms = 10000 };
	struct sky_errbuf eb;
	int worst = 0;
	bool bad = launch_failed;

	for (uint32_t i = 0; s->tasks && i < s->n; i++) {
		if (status_rank(s->tasks[i].status) > status_rank(worst))
			worst = s->tasks[i].status;
		if (s->tasks[i].status)
			bad = true;
	}
	if (launch_failed && !worst)
		worst = 1 << 8;
	sc.job_id = s->sl->job_id;
	sc.step_id = s->sl->step_id;
	sc.node_name = s->a->node_name;
	sc.has_state = true;
	sc.state = s->cancelled ? SKY__JOB_STATE__JOB_CANCELLED
		   : bad ? SKY__JOB_STATE__JOB_FAILED : SKY__JOB_STATE__JOB_COMPLETE;
	sc.has_exit_status = true;
	sc.exit_status = worst;
	sc.has_end_time = true;
	sc.end_time = (uint64_t)time(NULL);
	for (int attempt = 0; attempt < 5; attempt++) {
		sky_err_clear(&eb);
		if (!sky_client_rpc(&cl, SKY__MSG_TYPE__AGENT_STEP_COMPLETE, &sc.base, NULL, NULL, &eb))
			return;
		log_error("step %u.%u: completion not reported: %s", sc.job_id, sc.step_id,
			  sky_err_msg(&eb));
		sleep(1 + attempt);
	}
}

static void setup_process(struct step_sup *s)
{
	sigset_t served;
	int fd;

	sigemptyset(&served);
	sigaddset(&served, SIGCHLD);
	sigaddset(&served, SIGTERM);
	sigaddset(&served, SIGUSR1);
	proc_reset_signals(&served);
	(void)setsid();
	(void)prctl(PR_SET_NAME, "slurmstepd-sky", 0, 0, 0);
	(void)close_range(3, ~0U, 0);
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		if (s->a->log_file)
			dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	log_init("slurmstepd-sky", (enum log_level)s->a->log_level, s->a->log_file, true);
	s->sfd = signalfd(-1, &served, SFD_NONBLOCK | SFD_CLOEXEC);
}

static void write_pidfile(struct step_sup *s)
{
	uint64_t start = 0;
	char *txt;
	struct sky_errbuf eb;

	(void)proc_start_time(getpid(), &start);
	txt = xasprintf("%ld %llu\n", (long)getpid(), (unsigned long long)start);
	s->pidfile = step_pid_path(s->a->spool_dir, s->sl->job_id, s->sl->step_id);
	sky_err_clear(&eb);
	{
		char *name = strrchr(s->pidfile, '/') + 1;
		if (spool_write_atomic(s->a->spool_dir, name, txt, strlen(txt), 0600, (uid_t)-1,
				       (gid_t)-1, false, &eb))
			log_error("%s", sky_err_msg(&eb));
	}
	free(txt);
}

static void step_main(struct step_sup *s) __attribute__((noreturn));

static void step_main(struct step_sup *s)
{
	struct sky_errbuf eb;
	bool failed = false;

	setup_process(s);
	write_pidfile(s);
	s->n = step_tasks_on_node(s->sl, s->node_id);
	if (s->sl->job->desc->alloc_only && s->sl->job->start_time &&
	    s->sl->job->time_limit_min && s->sl->job->time_limit_min != SKY_INFINITE)
		s->deadline = (time_t)(s->sl->job->start_time + 60ull * s->sl->job->time_limit_min);
	s->srun = -1;
	sky_err_clear(&eb);
	if (connect_srun(s, &eb)) {
		log_error("step %u.%u: %s", s->sl->job_id, s->sl->step_id, sky_err_msg(&eb));
		failed = true;
	} else if (step_spank_begin(s->a, s->sl, s->node_id, &s->spank, &eb) ||
		   step_task_start_all(s->a, s->sl, s->node_id, &s->spank, &s->tasks, &eb)) {
		char *line = xasprintf("slurmstepd: error: %s\n", sky_err_msg(&eb));
		to_srun(s, STEP_IO_STDERR, NO_TASK, line, strlen(line));
		free(line);
		signal_tasks(s, SIGKILL);   /* the tasks that did start */
		failed = true;
	} else {
		s->live = s->n;
		loop(s);
	}
	step_spank_end(&s->spank);
	report(s, failed);
	for (uint32_t i = 0; s->tasks && i < s->n; i++)
		if (s->tasks[i].exit_deferred) {
			char txt[16];
			snprintf(txt, sizeof(txt), "%d", s->tasks[i].status);
			to_srun(s, STEP_IO_EXIT, s->tasks[i].gtid, txt, strlen(txt));
		}
	if (failed) {
		/* srun still expects an exit for each task of this node. */
		uint32_t first = step_first_task(s->sl->step, s->node_id);
		for (uint32_t i = 0; i < s->n; i++)
			to_srun(s, STEP_IO_EXIT, first + i, "256", 3);
	}
	if (s->srun >= 0)
		close(s->srun);
	unlink(s->pidfile);
	_exit(0);
}

int step_sup_spawn(struct agent *a, const Sky__StepLaunch *sl, uint32_t node_id, pid_t *pid,
		   struct sky_errbuf *eb)
{
	sigset_t all, old;
	pid_t p;

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	p = fork();
	if (p == 0) {
		struct step_sup s;
		memset(&s, 0, sizeof(s));
		s.a = a;
		s.sl = sl;
		s.node_id = node_id;
		step_main(&s);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (p < 0)
		return sky_err_set(eb, SKY_E_LAUNCH, "fork: %s", strerror(errno));
	*pid = p;
	return 0;
}
