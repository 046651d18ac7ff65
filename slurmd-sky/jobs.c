/* jobs.c: see jobs.h. */
#include "config.h"

#include <errno.h>
#include <event2/event.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctld_link.h"
#include "job_supervisor.h"
#include "jobs.h"
#include "log.h"
#include "proc.h"
#include "spool.h"
#include "xalloc.h"

struct held_job {
	struct jobs *js;
	uint32_t job_id;
	char *dir;                  /* spool directory */
	pid_t sup_pid;
	uint64_t sup_start;
	bool own_child;             /* forked by this agent: reaped on SIGCHLD */
	bool finished;
	Sky__JobComplete *result;   /* when finished; unpacked, owned */
	time_t reported_at;         /* last AGENT_JOB_COMPLETE or registration */
	int pidfd;                  /* adopted supervisor: readable once it exits */
	struct event *watch;
	struct held_job *next;
};

struct jobs {
	struct agent *a;
	struct held_job *head;
	size_t n;
};

struct jobs *jobs_new(struct agent *a)
{
	struct jobs *js = xmalloc(sizeof(*js));

	js->a = a;
	return js;
}

static void unwatch(struct held_job *j)
{
	if (j->watch) {
		event_free(j->watch);
		j->watch = NULL;
	}
	if (j->pidfd >= 0) {
		close(j->pidfd);
		j->pidfd = -1;
	}
}

static void job_free(struct held_job *j)
{
	unwatch(j);
	if (j->result)
		sky__job_complete__free_unpacked(j->result, NULL);
	free(j->dir);
	free(j);
}

void jobs_free(struct jobs *js)
{
	struct held_job *j, *next;

	if (!js)
		return;
	for (j = js->head; j; j = next) {
		next = j->next;
		job_free(j);
	}
	free(js);
}

size_t jobs_count(const struct jobs *js)
{
	return js->n;
}

static struct held_job *find(struct jobs *js, uint32_t job_id)
{
	for (struct held_job *j = js->head; j; j = j->next)
		if (j->job_id == job_id)
			return j;
	return NULL;
}

static struct held_job *add(struct jobs *js, uint32_t job_id, const char *dir)
{
	struct held_job *j = xmalloc(sizeof(*j));

	j->js = js;
	j->job_id = job_id;
	j->dir = xstrdup(dir);
	j->pidfd = -1;
	j->next = js->head;
	js->head = j;
	js->n++;
	return j;
}

static void unlink_job(struct jobs *js, struct held_job *dead)
{
	for (struct held_job **pp = &js->head; *pp; pp = &(*pp)->next)
		if (*pp == dead) {
			*pp = dead->next;
			js->n--;
			return;
		}
}

static void report(struct held_job *j)
{
	if (link_send(j->js->a->link, SKY__MSG_TYPE__AGENT_JOB_COMPLETE, &j->result->base))
		j->reported_at = time(NULL);
}

/* A JobComplete built here, round-tripped so every result is owned the same way. */
static Sky__JobComplete *make_result(uint32_t job_id, Sky__JobState state, const char *msg)
{
	Sky__JobComplete jc = SKY__JOB_COMPLETE__INIT;
	Sky__JobComplete *out;
	uint8_t *buf;
	size_t len;

	jc.job_id = job_id;
	jc.state = state;
	jc.has_end_time = true;
	jc.end_time = (uint64_t)time(NULL);
	jc.message = (char *)msg;
	len = sky__job_complete__get_packed_size(&jc);
	buf = xmalloc(len);
	sky__job_complete__pack(&jc, buf);
	out = sky__job_complete__unpack(NULL, len, buf);
	free(buf);
	if (!out)
		fatal("cannot unpack a JobComplete just packed");
	return out;
}

/* A supervisor that died cannot kill its job any more: do what can be done here. */
static void kill_abandoned_job(struct held_job *j)
{
	pid_t pid;
	uint64_t start;

	if (spool_read_pid(j->dir, SPOOL_JOBPID, &pid, &start, NULL) == 0 && proc_alive(pid, start)) {
		log_info("job %u: killing what is left of the job (session %d)", j->job_id, (int)pid);
		proc_kill_session(pid, SIGKILL);
	}
}

/* The supervisor is gone: take its result, or record that it left none. */
static void job_finished(struct held_job *j, int wait_status)
{
	struct sky_errbuf eb;

	unwatch(j);
	if (j->finished)
		return;
	sky_err_clear(&eb);
	if (spool_read_result(j->dir, &j->result, &eb)) {
		char *msg = wait_status >= 0
			? xasprintf("job supervisor (pid %d) ended without a result (wait status 0x%x)",
				    (int)j->sup_pid, (unsigned)wait_status)
			: j->sup_pid
			? xasprintf("job supervisor (pid %d) is gone and left no result",
				    (int)j->sup_pid)
			: xstrdup("the spool holds neither a result nor a live job supervisor");
		log_error("job %u: %s (%s)", j->job_id, msg, sky_err_msg(&eb));
		kill_abandoned_job(j);
		j->result = make_result(j->job_id, SKY__JOB_STATE__JOB_NODE_FAIL, msg);
		sky_err_clear(&eb);
		if (spool_write_result(j->dir, j->result, &eb))
			log_error("job %u: %s", j->job_id, sky_err_msg(&eb));
		free(msg);
	}
	j->finished = true;
	log_info("job %u: ended, state %d, wait status 0x%x", j->job_id, (int)j->result->state,
		 (unsigned)j->result->exit_status);
	report(j);
}

void jobs_reap(struct jobs *js)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (struct held_job *j = js->head; j; j = j->next)
			if (j->own_child && j->sup_pid == pid && !j->finished) {
				job_finished(j, st);
				break;
			}
	}
}

static void on_pidfd(evutil_socket_t fd, short what, void *arg)
{
	job_finished(arg, -1);
}

static void on_poll(evutil_socket_t fd, short what, void *arg)
{
	struct held_job *j = arg;

	if (!proc_alive(j->sup_pid, j->sup_start))
		job_finished(j, -1);
}

/* Watch a supervisor this agent did not fork (it survived an agent restart). */
static void watch_adopted(struct held_job *j)
{
	struct event_base *base = j->js->a->base;
	struct timeval one_sec = { 1, 0 };
	int fd = (int)syscall(SYS_pidfd_open, j->sup_pid, 0);

	if (fd >= 0) {
		/* The pid could have been reused before the open: check again. */
		if (!proc_alive(j->sup_pid, j->sup_start)) {
			close(fd);
			job_finished(j, -1);
			return;
		}
		j->pidfd = fd;
		j->watch = event_new(base, fd, EV_READ, on_pidfd, j);
		event_add(j->watch, NULL);
		return;
	}
	log_debug("pidfd_open(%d): %s; polling every second", (int)j->sup_pid, strerror(errno));
	j->watch = event_new(base, -1, EV_PERSIST, on_poll, j);
	event_add(j->watch, &one_sec);
}

int jobs_recover(struct jobs *js, struct sky_errbuf *eb)
{
	struct spool_job *sj = NULL;
	size_t n = 0;
	int rc;

	if ((rc = spool_scan(js->a->spool_dir, &sj, &n, eb)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct held_job *j;
		if (sj[i].kind == SPOOL_JOB_INCOMPLETE) {
			log_info("job %u: launch was never completed; removing %s", sj[i].job_id,
				 sj[i].dir);
			(void)spool_job_remove(sj[i].dir, NULL);
			continue;
		}
		j = add(js, sj[i].job_id, sj[i].dir);
		switch (sj[i].kind) {
		case SPOOL_JOB_FINISHED:
			j->finished = true;
			j->result = sj[i].result;
			sj[i].result = NULL;
			log_info("job %u: finished while the agent was away", j->job_id);
			break;
		case SPOOL_JOB_RUNNING:
			j->sup_pid = sj[i].sup_pid;
			j->sup_start = sj[i].sup_start;
			log_info("job %u: still running (supervisor pid %d)", j->job_id, (int)j->sup_pid);
			watch_adopted(j);
			break;
		default:
			job_finished(j, -1);
			break;
		}
	}
	spool_jobs_free(sj, n);
	return 0;
}

/* The job's user must exist here, and a non-root agent runs only its own uid. */
static int check_user(const struct agent *a, const Sky__JobRecord *job, struct sky_errbuf *eb)
{
	uid_t me = geteuid();

	if (me != 0 && job->user_id != me)
		return sky_err_set(eb, SKY_E_LAUNCH,
				   "slurmd-sky on node %s runs as uid %u and cannot run jobs of uid %u",
				   a->node_name, (unsigned)me, (unsigned)job->user_id);
	if (me == 0 && !getpwuid(job->user_id))
		return sky_err_set(eb, SKY_E_LAUNCH, "user id %u not found on node %s",
				   (unsigned)job->user_id, a->node_name);
	return 0;
}

int jobs_launch(struct jobs *js, const Sky__LaunchJob *lj, struct sky_errbuf *eb)
{
	struct agent *a = js->a;
	struct sky_errbuf seb;
	struct sup_params p;
	struct held_job *j;
	char *dir = NULL;
	uint64_t start = 0;
	pid_t pid;
	int rc;

	if (find(js, lj->job_id)) {
		log_debug("job %u: duplicate launch ignored", lj->job_id);
		return 0;
	}
	if ((rc = check_user(a, lj->job, eb)))
		return rc;
	sky_err_clear(&seb);
	if (spool_job_create(a->spool_dir, lj, lj->job->user_id, lj->job->group_id, &dir, &seb))
		return sky_err_set(eb, SKY_E_LAUNCH, "cannot write job %u to the spool on node %s: %s",
				   lj->job_id, a->node_name, sky_err_msg(&seb));
	memset(&p, 0, sizeof(p));
	p.job_id = lj->job_id;
	p.jobdir = dir;
	p.node_name = a->node_name;
	p.cluster = a->cluster;
	p.log_file = a->log_file;
	p.log_level = a->log_level;
	p.kill_wait = a->kill_wait;
	if ((rc = supervisor_spawn(&p, &pid, eb))) {
		(void)spool_job_remove(dir, NULL);
		free(dir);
		return rc;
	}
	j = add(js, lj->job_id, dir);
	free(dir);
	j->own_child = true;
	j->sup_pid = pid;
	if (proc_start_time(pid, &start) == 0) {
		struct sky_errbuf web;
		sky_err_clear(&web);
		j->sup_start = start;
		if (spool_write_pid(j->dir, SPOOL_SUPERVISOR, pid, start, &web))
			log_error("job %u: %s", j->job_id, sky_err_msg(&web));
	}
	log_info("job %u: launched for uid %u, supervisor pid %d", j->job_id,
		 (unsigned)lj->job->user_id, (int)pid);
	return 0;
}

/* The supervisor can still take requests (a zombie child just ignores them). */
static bool supervisor_alive(const struct held_job *j)
{
	if (j->finished)
		return false;
	return j->own_child || proc_alive(j->sup_pid, j->sup_start);
}

void jobs_cancel(struct jobs *js, uint32_t job_id)
{
	struct held_job *j = find(js, job_id);
	struct sky_errbuf eb;

	if (!j || !supervisor_alive(j))
		return;
	sky_err_clear(&eb);
	log_info("job %u: cancelling", job_id);
	if (supervisor_cancel(j->sup_pid, SKY__JOB_STATE__JOB_CANCELLED, &eb))
		log_error("job %u: %s", job_id, sky_err_msg(&eb));
}

/* A cancel for a job that never ran here: the controller still waits for its end. */
static void report_never_ran(struct jobs *js, uint32_t job_id, uint32_t state)
{
	Sky__JobComplete *jc = make_result(job_id, state ? (Sky__JobState)state
						    : SKY__JOB_STATE__JOB_CANCELLED, NULL);

	log_info("job %u: cancel for a job not held here; reporting it ended", job_id);
	link_send(js->a->link, SKY__MSG_TYPE__AGENT_JOB_COMPLETE, &jc->base);
	sky__job_complete__free_unpacked(jc, NULL);
}

void jobs_signal(struct jobs *js, const Sky__SignalJob *sj)
{
	struct held_job *j = find(js, sj->job_id);
	struct sky_errbuf eb;
	int rc;

	if (!j) {
		if (!sj->signal)
			report_never_ran(js, sj->job_id, sj->state_after);
		else
			log_debug("job %u: signal %u for a job not held here", sj->job_id, sj->signal);
		return;
	}
	if (j->finished) {
		if (!sj->signal)
			report(j);
		return;
	}
	if (!supervisor_alive(j))
		return;
	sky_err_clear(&eb);
	if (!sj->signal) {
		log_info("job %u: cancel requested by the controller", j->job_id);
		rc = supervisor_cancel(j->sup_pid, sj->state_after, &eb);
	} else {
		rc = supervisor_signal(j->sup_pid, (int)sj->signal, sj->batch_only, &eb);
	}
	if (rc)
		log_error("job %u: %s", j->job_id, sky_err_msg(&eb));
}

void jobs_complete_ack(struct jobs *js, uint32_t job_id)
{
	struct held_job *j = find(js, job_id);
	struct sky_errbuf eb;

	if (!j) {
		log_debug("job %u: completion ack for a job not held", job_id);
		return;
	}
	if (!j->finished) {
		log_error("job %u: completion ack for a job still running; ignored", job_id);
		return;
	}
	sky_err_clear(&eb);
	if (spool_job_remove(j->dir, &eb))
		log_error("job %u: %s", job_id, sky_err_msg(&eb));
	log_debug("job %u: completion acknowledged", job_id);
	unlink_job(js, j);
	job_free(j);
}

void jobs_fill_register(struct jobs *js, Sky__NodeRegister *reg)
{
	size_t i = 0;

	reg->n_jobs = 0;
	reg->jobs = xcalloc(js->n ? js->n : 1, sizeof(*reg->jobs));
	for (struct held_job *j = js->head; j && i < js->n; j = j->next, i++) {
		Sky__AgentJob *aj = xmalloc(sizeof(*aj));
		sky__agent_job__init(aj);
		aj->job_id = j->job_id;
		aj->has_finished = true;
		aj->finished = j->finished;
		if (j->finished) {
			aj->complete = j->result;   /* borrowed */
			j->reported_at = time(NULL);
		}
		reg->jobs[reg->n_jobs++] = aj;
	}
}

void jobs_register_clear(Sky__NodeRegister *reg)
{
	for (size_t i = 0; i < reg->n_jobs; i++)
		free(reg->jobs[i]);
	FREE_NULL(reg->jobs);
	reg->n_jobs = 0;
}

void jobs_resend_unacked(struct jobs *js, time_t min_age)
{
	time_t now = time(NULL);

	for (struct held_job *j = js->head; j; j = j->next)
		if (j->finished && now - j->reported_at >= min_age)
			report(j);
}
