/* job_mail.c: see job_mail.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "ctld.h"
#include "job_mail.h"
#include "log.h"
#include "mail_type.h"
#include "timefmt.h"
#include "xalloc.h"

#define MAIL_MAX_FD 4096

static const char *state_name(Sky__JobState st)
{
	switch (st) {
	case SKY__JOB_STATE__JOB_PENDING: return "PENDING";
	case SKY__JOB_STATE__JOB_RUNNING: return "RUNNING";
	case SKY__JOB_STATE__JOB_SUSPENDED: return "SUSPENDED";
	case SKY__JOB_STATE__JOB_COMPLETE: return "COMPLETED";
	case SKY__JOB_STATE__JOB_CANCELLED: return "CANCELLED";
	case SKY__JOB_STATE__JOB_FAILED: return "FAILED";
	case SKY__JOB_STATE__JOB_TIMEOUT: return "TIMEOUT";
	case SKY__JOB_STATE__JOB_NODE_FAIL: return "NODE_FAIL";
	case SKY__JOB_STATE__JOB_PREEMPTED: return "PREEMPTED";
	case SKY__JOB_STATE__JOB_BOOT_FAIL: return "BOOT_FAIL";
	case SKY__JOB_STATE__JOB_DEADLINE: return "DEADLINE";
	case SKY__JOB_STATE__JOB_OOM: return "OUT_OF_MEMORY";
	default: return "UNKNOWN";
	}
}

static const char *event_word(uint32_t ev)
{
	switch (ev) {
	case MAIL_BEGIN: return "Began";
	case MAIL_END: return "Ended";
	case MAIL_FAIL: return "Failed";
	case MAIL_REQUEUE: return "Requeued";
	case MAIL_STAGE_OUT: return "StageOut/Teardown";
	case MAIL_TIME100: return "Reached time limit";
	case MAIL_TIME90: return "Reached 90% of time limit";
	case MAIL_TIME80: return "Reached 80% of time limit";
	case MAIL_TIME50: return "Reached 50% of time limit";
	case MAIL_INVALID_DEPEND: return "Invalid dependency";
	default: return "Unknown";
	}
}

/* Slurm's secs2time_str: [D-]HH:MM:SS. */
static char *dur_str(uint64_t secs)
{
	uint64_t d = secs / 86400, h = (secs / 3600) % 24, m = (secs / 60) % 60, s = secs % 60;

	if (d)
		return xasprintf("%llu-%2.2llu:%2.2llu:%2.2llu", (unsigned long long)d,
				 (unsigned long long)h, (unsigned long long)m, (unsigned long long)s);
	return xasprintf("%2.2llu:%2.2llu:%2.2llu", (unsigned long long)h, (unsigned long long)m,
			 (unsigned long long)s);
}

/* ", Queued time 00:00:01" / ", Run time ..." / " Elapsed time ...", or "". Caller frees. */
static char *time_part(const Sky__JobRecord *r, uint32_t ev, time_t now)
{
	char *d, *out;

	if (ev == MAIL_BEGIN && r->start_time && r->submit_time) {
		d = dur_str(r->start_time > r->submit_time ? r->start_time - r->submit_time : 0);
		out = xasprintf(", Queued time %s", d);
	} else if ((ev == MAIL_END || ev == MAIL_FAIL || ev == MAIL_REQUEUE) &&
		   (r->end_time || ev == MAIL_REQUEUE)) {
		/* A requeue ends the run now; a job cancelled while pending
		 * Slurm starts and ends at once (Run time 00:00:00). */
		uint64_t end = r->end_time ? r->end_time : (uint64_t)now;
		d = dur_str(r->start_time && end > r->start_time ? end - r->start_time : 0);
		out = xasprintf(", Run time %s", d);
	} else if ((ev & (MAIL_TIME100 | MAIL_TIME90 | MAIL_TIME80 | MAIL_TIME50)) &&
		   r->start_time) {
		d = dur_str((uint64_t)now > r->start_time ? (uint64_t)now - r->start_time : 0);
		out = xasprintf(" Elapsed time %s", d);
	} else {
		return xstrdup("");
	}
	free(d);
	return out;
}

static int exit_code_of(const Sky__JobRecord *r)
{
	return r->has_exit_status && WIFEXITED(r->exit_status) ? WEXITSTATUS(r->exit_status) : 0;
}

/* Siblings of an array task (the other tasks of its array) and what they say. */
struct array_view {
	bool other_live;        /* a sibling is not finished yet */
	bool other_began;       /* a sibling already sent the array's BEGIN */
	bool mixed;             /* the tasks ended in different states */
	int min_exit, max_exit;
};

static void array_look(struct ctld *c, const struct job *self, struct array_view *v)
{
	const Sky__JobRecord *me = self->rec;
	struct job *o;

	memset(v, 0, sizeof(*v));
	v->min_exit = v->max_exit = exit_code_of(me);
	JOB_FOREACH(&c->jobs, o) {
		const Sky__JobRecord *r = o->rec;
		if (o == self || !r->has_array_task_id || r->array_job_id != me->array_job_id)
			continue;
		if (r->mail_sent & MAIL_BEGIN)
			v->other_began = true;
		if (!job_is_finished(o) || job_is_completing(o)) {
			v->other_live = true;
			continue;
		}
		if (r->state != me->state)
			v->mixed = true;
		if (exit_code_of(r) < v->min_exit)
			v->min_exit = exit_code_of(r);
		if (exit_code_of(r) > v->max_exit)
			v->max_exit = exit_code_of(r);
	}
}

static char *subject_of(struct ctld *c, struct job *j, uint32_t ev, bool summary, time_t now)
{
	const Sky__JobRecord *r = j->rec;
	const char *name = r->desc->name ? r->desc->name : "";
	char *tp = time_part(r, ev, now), *term = xstrdup(""), *subj;
	struct array_view v;

	if (summary)
		array_look(c, j, &v);
	if (ev == MAIL_END || ev == MAIL_FAIL) {
		free(term);
		if (summary)
			term = xasprintf(", %s, ExitCode [%d-%d]",
					 v.mixed ? "Mixed" : state_name(r->state), v.min_exit, v.max_exit);
		else
			term = xasprintf(", %s, ExitCode %d", state_name(r->state), exit_code_of(r));
	}
	if (summary)
		subj = xasprintf("Slurm Array Summary Job_id=%u_* (%u) Name=%s %s%s%s",
				 r->array_job_id, r->array_job_id, name, event_word(ev), tp, term);
	else if (r->has_array_task_id)
		subj = xasprintf("Slurm Array Task Job_id=%u_%u (%u) Name=%s %s%s%s",
				 r->array_job_id, r->array_task_id, r->job_id, name, event_word(ev),
				 tp, term);
	else
		subj = xasprintf("Slurm Job_id=%u Name=%s %s%s%s", r->job_id, name, event_word(ev), tp,
				 term);
	free(tp);
	free(term);
	return subj;
}

static void add_env(char ***env, size_t *n, const char *name, const char *val)
{
	*env = xrealloc(*env, (*n + 2) * sizeof(**env));
	(*env)[(*n)++] = xasprintf("%s=%s", name, val ? val : "");
	(*env)[*n] = NULL;
}

static char **mail_env(const struct ctld *c, const Sky__JobRecord *r, uint32_t ev)
{
	char **env = NULL, buf[32];
	size_t n = 0;

	add_env(&env, &n, "PATH", "/usr/local/bin:/usr/bin:/bin");
	snprintf(buf, sizeof(buf), "%u", r->job_id);
	add_env(&env, &n, "SLURM_JOB_ID", buf);
	add_env(&env, &n, "SLURM_JOB_NAME", r->desc->name);
	add_env(&env, &n, "SLURM_JOB_USER", r->user_name);
	add_env(&env, &n, "SLURM_JOB_MAIL_TYPE", event_word(ev));
	add_env(&env, &n, "SLURM_JOB_STATE", state_name(r->state));
	add_env(&env, &n, "SLURM_CLUSTER_NAME", c->conf ? c->conf->cluster_name : NULL);
	if (r->has_array_task_id) {
		snprintf(buf, sizeof(buf), "%u", r->array_job_id);
		add_env(&env, &n, "SLURM_ARRAY_JOB_ID", buf);
		snprintf(buf, sizeof(buf), "%u", r->array_task_id);
		add_env(&env, &n, "SLURM_ARRAY_TASK_ID", buf);
	}
	return env;
}

/* Run prog detached: the middle child exits at once and is reaped here. */
static void spawn(const char *prog, char *const argv[], char *const envp[])
{
	pid_t pid = fork();

	if (pid < 0) {
		log_error("mail: fork: %m");
		return;
	}
	if (pid == 0) {
		int fd;
		if (fork() != 0)
			_exit(0);
		setsid();
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		for (fd = 3; fd < MAIL_MAX_FD; fd++)
			close(fd);
		execve(prog, argv, envp);
		_exit(127);
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static void send_mail(struct ctld *c, struct job *j, uint32_t ev, bool summary)
{
	const Sky__JobRecord *r = j->rec;
	const char *prog = c->conf->mail_prog, *domain = c->conf->mail_domain;
	char *user, *subj, **env;
	char *argv[5];

	if (access(prog, X_OK) != 0) {
		log_info("job %u: MailProg %s not executable (%m), no %s mail", r->job_id, prog,
			 event_word(ev));
		return;
	}
	if (r->desc->mail_user && *r->desc->mail_user)
		user = xstrdup(r->desc->mail_user);
	else if (domain && *domain)
		user = xasprintf("%s@%s", r->user_name ? r->user_name : "", domain);
	else
		user = xstrdup(r->user_name ? r->user_name : "");
	subj = subject_of(c, j, ev, summary, time(NULL));
	env = mail_env(c, r, ev);
	argv[0] = (char *)"mail";
	argv[1] = (char *)"-s";
	argv[2] = subj;
	argv[3] = user;
	argv[4] = NULL;
	log_verbose("job %u: mail to %s: %s", r->job_id, user, subj);
	spawn(prog, argv, env);
	for (size_t i = 0; env[i]; i++)
		free(env[i]);
	free(env);
	free(subj);
	free(user);
}

static uint32_t job_mail_bits(const Sky__JobRecord *r)
{
	uint32_t bits = 0;

	if (!r->desc || !r->desc->mail_type || !mail_type_parse(r->desc->mail_type, &bits))
		return 0;
	return bits;
}

/* END or FAIL for how the job ended, as Slurm's completion logger picks. */
static uint32_t end_event(const Sky__JobRecord *r, uint32_t bits)
{
	if (r->state == SKY__JOB_STATE__JOB_COMPLETE || r->state == SKY__JOB_STATE__JOB_CANCELLED)
		return bits & MAIL_END;
	if (bits & MAIL_FAIL)
		return MAIL_FAIL;
	return bits & MAIL_END;
}

void job_mail_event(struct ctld *c, struct job *j, uint32_t ev)
{
	Sky__JobRecord *r = j->rec;
	uint32_t bits = job_mail_bits(r);
	bool per_array = r->has_array_task_id && !(bits & MAIL_ARRAY_TASKS);
	struct array_view v;

	if (ev == MAIL_END || ev == MAIL_FAIL) {
		/* The node may enforce the limit before the 1 s tick sees it. */
		if (r->state == SKY__JOB_STATE__JOB_TIMEOUT && (bits & MAIL_TIME100) &&
		    !(r->mail_sent & MAIL_TIME100))
			job_mail_event(c, j, MAIL_TIME100);
		ev = end_event(r, bits);
	}
	if (!ev || !(bits & ev))
		return;
	/* One-time notices: sent once per job, whatever re-triggers them. */
	if ((ev & (MAIL_INVALID_DEPEND | MAIL_TIME50 | MAIL_TIME80 | MAIL_TIME90 | MAIL_TIME100)) &&
	    (r->mail_sent & ev))
		return;
	if (per_array && (ev == MAIL_BEGIN || ev == MAIL_END || ev == MAIL_FAIL)) {
		array_look(c, j, &v);
		if ((ev == MAIL_BEGIN && v.other_began) || (ev != MAIL_BEGIN && v.other_live))
			return;
	}
	r->has_mail_sent = true;
	r->mail_sent |= ev;
	send_mail(c, j, ev, per_array && ev != MAIL_REQUEUE);
}

void job_mail_tick(struct ctld *c, time_t now)
{
	static const struct {
		uint32_t bit, pct;
	} marks[] = { { MAIL_TIME100, 100 }, { MAIL_TIME90, 90 }, { MAIL_TIME80, 80 },
		      { MAIL_TIME50, 50 } };
	struct job *j;

	JOB_FOREACH(&c->jobs, j) {
		const Sky__JobRecord *r = j->rec;
		uint64_t limit, ran;
		if (!r->desc || !r->desc->mail_type || !job_is_running(j) || !r->start_time ||
		    !r->has_time_limit_min || r->time_limit_min == SKY_INFINITE || !r->time_limit_min)
			continue;
		limit = (uint64_t)r->time_limit_min * 60;
		ran = (uint64_t)now > r->start_time ? (uint64_t)now - r->start_time : 0;
		/* Only the highest wanted mark reached: a late look does not send three notices. */
		for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
			if ((job_mail_bits(r) & marks[i].bit) && ran * 100 >= limit * marks[i].pct) {
				if (!(j->rec->mail_sent & marks[i].bit))
					job_mail_event(c, j, marks[i].bit);
				break;
			}
	}
}
