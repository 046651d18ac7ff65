/* sacct_step.c: see sacct_step.h. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

#include "sacct_step.h"
#include "state_names.h"
#include "timefmt.h"

static int64_t step_elapsed(const struct acct_row *r)
{
	const Sky__StepRecord *s = r->srun_step;
	uint64_t end = s->state == SKY__JOB_STATE__JOB_RUNNING ? (uint64_t)r->now : s->end_time;

	return s->start_time && end > s->start_time ? (int64_t)(end - s->start_time) : 0;
}

static uint32_t step_cpus(const Sky__StepRecord *s)
{
	return s->num_tasks * (s->cpus_per_task ? s->cpus_per_task : 1);
}

static void exit_str(const Sky__StepRecord *s, char *buf, size_t len)
{
	int st = s->state == SKY__JOB_STATE__JOB_RUNNING ? 0 : s->exit_status;

	if (WIFSIGNALED(st))
		snprintf(buf, len, "0:%d", WTERMSIG(st));
	else
		snprintf(buf, len, "%d:0", WEXITSTATUS(st));
}

/*
 * A step still recorded as running under a job that has ended lost its
 * nodes' reports (a node failure): it ended with the job, killed.
 */
static Sky__StepRecord *settled(const Sky__StepRecord *s, const Sky__JobRecord *j,
				Sky__StepRecord *copy)
{
	if (s->state != SKY__JOB_STATE__JOB_RUNNING || !job_state_finished(j->state))
		return (Sky__StepRecord *)s;
	*copy = *s;
	copy->state = SKY__JOB_STATE__JOB_CANCELLED;
	copy->end_time = j->end_time;
	return copy;
}

bool acct_step_value(const char *name, const struct acct_row *r, char *buf, size_t len)
{
	Sky__StepRecord copy;
	const Sky__JobRecord *j = r->job;
	const Sky__StepRecord *s = settled(r->srun_step, j, &copy);
	struct acct_row rs = *r;

	rs.srun_step = s;
	r = &rs;

	if (!strcasecmp(name, "JobID") && j->has_array_task_id && j->array_job_id)
		snprintf(buf, len, "%u_%u.%u", j->array_job_id, j->array_task_id, s->step_id);
	else if (!strcasecmp(name, "JobID") || !strcasecmp(name, "JobIDRaw"))
		snprintf(buf, len, "%u.%u", j->job_id, s->step_id);
	else if (!strcasecmp(name, "JobName"))
		snprintf(buf, len, "%s", s->name ? s->name : "");
	else if (!strcasecmp(name, "State") && s->state == SKY__JOB_STATE__JOB_CANCELLED &&
		 s->has_cancel_uid)
		snprintf(buf, len, "CANCELLED by %u", s->cancel_uid);
	else if (!strcasecmp(name, "State"))
		snprintf(buf, len, "%s", job_state_base_long(s->state));
	else if (!strcasecmp(name, "ExitCode"))
		exit_str(s, buf, len);
	else if (!strcasecmp(name, "NodeList"))
		snprintf(buf, len, "%s", s->node_list ? s->node_list : "");
	else if (!strcasecmp(name, "NNodes") || !strcasecmp(name, "AllocNodes") ||
		 !strcasecmp(name, "ReqNodes"))
		snprintf(buf, len, "%u", s->num_nodes);
	else if (!strcasecmp(name, "NTasks"))
		snprintf(buf, len, "%u", s->num_tasks);
	else if (!strcasecmp(name, "AllocCPUS") || !strcasecmp(name, "NCPUS") ||
		 !strcasecmp(name, "ReqCPUS"))
		snprintf(buf, len, "%u", step_cpus(s));
	else if (!strcasecmp(name, "Start") || !strcasecmp(name, "Submit"))
		timestamp_str((time_t)s->start_time, buf, len);
	else if (!strcasecmp(name, "End"))
		timestamp_str(s->state == SKY__JOB_STATE__JOB_RUNNING ? 0 : (time_t)s->end_time, buf,
			      len);
	else if (!strcasecmp(name, "Elapsed"))
		secs2time_str_padded(step_elapsed(r), buf, len);
	else if (!strcasecmp(name, "ElapsedRaw"))
		snprintf(buf, len, "%" PRId64, step_elapsed(r));
	else if (!strcasecmp(name, "CPUTime"))
		secs2time_str_padded(step_elapsed(r) * step_cpus(s), buf, len);
	else if (!strcasecmp(name, "CPUTimeRaw"))
		snprintf(buf, len, "%" PRId64, step_elapsed(r) * step_cpus(s));
	else
		return false;
	return true;
}
