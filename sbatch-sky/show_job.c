/* show_job.c: see show_job.h. */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli_util.h"
#include "cloud_show.h"
#include "fmt_job.h"
#include "fname.h"
#include "gres.h"
#include "show_job.h"
#include "state_names.h"
#include "timefmt.h"
#include "xalloc.h"

#include "job_defs.h"

void show_kv(char **buf, bool one_liner, bool new_line, const char *fmt, ...)
{
	va_list ap;
	char *item;

	va_start(ap, fmt);
	item = xvasprintf(fmt, ap);
	va_end(ap);
	if (*buf && **buf)
		xstrfmtcat(buf, "%s", new_line ? (one_liner ? " " : "\n   ") : " ");
	xstrfmtcat(buf, "%s", item);
	free(item);
}

static const char *nz(const char *s)
{
	return s && *s ? s : "(null)";
}

static char *ts(uint64_t t, char *buf, size_t len)
{
	return timestamp_str((time_t)t, buf, len);
}

/* Scheduled end: what Slurm shows for a running job before it ends. */
static uint64_t end_time(const Sky__JobRecord *j)
{
	if (j->end_time)
		return j->end_time;
	if (j->state == SKY__JOB_STATE__JOB_RUNNING && j->start_time && j->time_limit_min &&
	    j->time_limit_min < SKY_NO_VAL)
		return j->start_time + (uint64_t)j->time_limit_min * 60;
	/* A pending job with an expected start (backfill) ends a time limit later. */
	if (j->state == SKY__JOB_STATE__JOB_PENDING && j->has_sched_start_time &&
	    j->time_limit_min && j->time_limit_min < SKY_NO_VAL)
		return j->sched_start_time + (uint64_t)j->time_limit_min * 60;
	return 0;
}

/* Path of stdout/stderr/stdin with its %-patterns expanded, as scontrol prints them. */
static char *std_path(const Sky__JobRecord *j, const char *pattern)
{
	struct fname_ctx c = { 0 };
	char user[256];

	c.job_id = j->job_id;
	c.array_job_id = j->has_array_task_id ? j->array_job_id : 0;
	c.array_task_id = j->has_array_task_id ? j->array_task_id : SKY_NO_VAL;
	c.step_id = SKY_NO_VAL;
	c.restart_count = j->restart_count;
	c.job_name = j->desc->name;
	c.user_name = job_user(j, user, sizeof(user));
	c.node_name = j->batch_host;
	c.work_dir = j->desc->work_dir;
	return fname_expand(pattern, &c);
}

static char *tres(const Sky__JobRecord *j, uint32_t nodes, bool alloc)
{
	char mem[64], *gres = gres_job_tres_suffix(j, alloc), *s;
	uint64_t mb = j->desc->mem_per_cpu_mb ? j->desc->mem_per_cpu_mb * (j->num_cpus ? j->num_cpus : 1)
					       : j->desc->mem_per_node_mb * (nodes ? nodes : 1);
	uint32_t cpus = j->num_cpus ? j->num_cpus : 1;

	if (mb)
		s = xasprintf("cpu=%u,mem=%s,node=%u,billing=%u%s", cpus,
			      cli_mem_str(mb, mem, sizeof(mem)), nodes ? nodes : 1, cpus, gres);
	else
		s = xasprintf("cpu=%u,node=%u,billing=%u%s", cpus, nodes ? nodes : 1, cpus, gres);
	free(gres);
	return s;
}

static void part_identity(char **b, bool o, const Sky__JobRecord *j)
{
	char user[256], group[256];
	int64_t nice = j->desc->has_nice ? (int64_t)j->desc->nice - (int64_t)NICE_OFFSET : 0;
	int st = j->exit_status;
	char *reason = xstrdup(job_reason(j));

	for (char *p = reason; *p; p++)
		if (*p == ' ')
			*p = '_';
	show_kv(b, o, true, "JobId=%u", j->job_id);
	if (j->has_array_task_id && j->array_job_id)
		show_kv(b, o, false, "ArrayJobId=%u ArrayTaskId=%u", j->array_job_id, j->array_task_id);
	if (j->has_array_task_id && j->array_job_id && j->array_task_throttle)
		show_kv(b, o, false, "ArrayTaskThrottle=%u", j->array_task_throttle);
	show_kv(b, o, false, "JobName=%s", nz(j->desc->name));
	show_kv(b, o, true, "UserId=%s(%u)", job_user(j, user, sizeof(user)), j->user_id);
	show_kv(b, o, false, "GroupId=%s(%u) MCS_label=N/A",
		j->group_name && *j->group_name ? j->group_name :
		cli_group_name(j->group_id, group, sizeof(group)), j->group_id);
	show_kv(b, o, true, "Priority=%u Nice=%" PRId64 " Account=%s QOS=%s", j->priority, nice,
		nz(j->desc->account), nz(j->desc->qos));
	show_kv(b, o, true, "JobState=%s Reason=%s Dependency=%s", job_state_long(j->state, j->flags),
		reason, nz(j->dependency_left && *j->dependency_left ? j->dependency_left : NULL));
	show_kv(b, o, true, "Requeue=%d Restarts=%u BatchFlag=1 Reboot=0 ExitCode=%d:%d",
		j->desc->has_requeue_set && j->desc->requeue_set ? (int)j->desc->requeue : 1,
		j->restart_count, WIFEXITED(st) ? WEXITSTATUS(st) : 0,
		WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	free(reason);
}

static void part_times(char **b, bool o, const Sky__JobRecord *j, time_t now)
{
	char run[64], lim[64], tmin[64], t1[64], t2[64];
	uint32_t l = j->time_limit_min;

	if (l == SKY_INFINITE)
		snprintf(lim, sizeof(lim), "UNLIMITED");
	else if (l == SKY_NO_VAL || l == 0)
		snprintf(lim, sizeof(lim), "Partition_Limit");
	else
		secs2time_str_padded((int64_t)l * 60, lim, sizeof(lim));
	if (j->desc->has_time_min_min && j->desc->time_min_min &&
	    j->desc->time_min_min != SKY_INFINITE)
		secs2time_str_padded((int64_t)j->desc->time_min_min * 60, tmin, sizeof(tmin));
	else
		snprintf(tmin, sizeof(tmin), "N/A");
	show_kv(b, o, true, "RunTime=%s TimeLimit=%s TimeMin=%s",
		secs2time_str_padded(job_time_used(j, now), run, sizeof(run)), lim, tmin);
	show_kv(b, o, true, "SubmitTime=%s EligibleTime=%s", ts(j->submit_time, t1, sizeof(t1)),
		ts(j->eligible_time, t2, sizeof(t2)));
	show_kv(b, o, true, "AccrueTime=%s", ts(j->eligible_time, t1, sizeof(t1)));
	show_kv(b, o, true, "StartTime=%s EndTime=%s", ts(fmt_job_start_time(j), t1, sizeof(t1)),
		ts(end_time(j), t2, sizeof(t2)));
	show_kv(b, o, false, "Deadline=%s", j->desc->has_deadline && j->desc->deadline ?
		ts(j->desc->deadline, t1, sizeof(t1)) : "N/A");
	show_kv(b, o, true, "SuspendTime=None SecsPreSuspend=0 LastSchedEval=%s Scheduler=Main",
		ts(j->last_sched_eval, t1, sizeof(t1)));
}

static void part_resources(char **b, bool o, const Sky__JobRecord *j)
{
	const Sky__JobDesc *d = j->desc;
	uint32_t nodes = j->num_nodes ? j->num_nodes : (d->min_nodes ? d->min_nodes : 1);
	uint32_t cpt = d->cpus_per_task ? d->cpus_per_task : 1;
	char mem[64], *req = tres(j, nodes, false), *alloc = NULL;

	show_kv(b, o, true, "Partition=%s AllocNode:Sid=%s:0", nz(job_partition(j)), nz(d->submit_host));
	show_kv(b, o, true, "ReqNodeList=%s ExcNodeList=%s", nz(d->req_nodes), nz(d->exc_nodes));
	show_kv(b, o, true, "NodeList=%s", nz(j->node_list));
	if (j->state == SKY__JOB_STATE__JOB_PENDING && j->sched_nodes)
		show_kv(b, o, true, "SchedNodeList=%s", j->sched_nodes);
	if (j->batch_host && *j->batch_host)
		show_kv(b, o, true, "BatchHost=%s", j->batch_host);
	if (!j->num_nodes && d->max_nodes && d->max_nodes != d->min_nodes)
		show_kv(b, o, true, "NumNodes=%u-%u", d->min_nodes ? d->min_nodes : 1, d->max_nodes);
	else
		show_kv(b, o, true, "NumNodes=%u", nodes);
	show_kv(b, o, false, "NumCPUs=%u NumTasks=%u CPUs/Task=%u ReqB:S:C:T=0:0:*:*",
		j->num_cpus ? j->num_cpus : 1,
		j->num_tasks ? j->num_tasks : (d->num_tasks ? d->num_tasks : 1), cpt);
	show_kv(b, o, true, "ReqTRES=%s", req);
	if (j->node_list && *j->node_list)
		alloc = tres(j, nodes, true);
	show_kv(b, o, true, "AllocTRES=%s", alloc ? alloc : "(null)");
	show_kv(b, o, true, "Socks/Node=* NtasksPerN:B:S:C=%u:0:*:* CoreSpec=*", d->ntasks_per_node);
	if (d->mem_per_cpu_mb)
		show_kv(b, o, true, "MinCPUsNode=%u MinMemoryCPU=%s MinTmpDiskNode=0",
			cpt * (d->ntasks_per_node ? d->ntasks_per_node : 1),
			cli_mem_str(d->mem_per_cpu_mb, mem, sizeof(mem)));
	else
		show_kv(b, o, true, "MinCPUsNode=%u MinMemoryNode=%s MinTmpDiskNode=0",
			cpt * (d->ntasks_per_node ? d->ntasks_per_node : 1),
			cli_mem_str(d->mem_per_node_mb, mem, sizeof(mem)));
	show_kv(b, o, true, "Features=%s DelayBoot=00:00:00", nz(d->constraint));
	show_kv(b, o, true, "OverSubscribe=%s Contiguous=0 Licenses=(null) Network=(null)",
		d->has_exclusive && d->exclusive ? "NO" : "OK");
	free(req);
	free(alloc);
}

static void part_files(char **b, bool o, const Sky__JobRecord *j)
{
	const Sky__JobDesc *d = j->desc;
	char *out = std_path(j, d->std_out && *d->std_out ? d->std_out : "slurm-%j.out");
	char *err = std_path(j, d->std_err && *d->std_err ? d->std_err :
			     d->std_out && *d->std_out ? d->std_out : "slurm-%j.out");
	char *in = std_path(j, d->std_in && *d->std_in ? d->std_in : "/dev/null");
	char *tpn, *tpt;

	show_kv(b, o, true, "Command=%s", nz(d->command));
	if (d->submit_line && *d->submit_line)
		show_kv(b, o, true, "SubmitLine=%s", d->submit_line);
	show_kv(b, o, true, "WorkDir=%s", nz(d->work_dir));
	if (d->comment && *d->comment)
		show_kv(b, o, true, "Comment=%s", d->comment);
	show_kv(b, o, true, "StdErr=%s", err);
	show_kv(b, o, true, "StdIn=%s", in);
	show_kv(b, o, true, "StdOut=%s", out);
	if ((tpn = gres_tres_per_node(d)))
		show_kv(b, o, true, "TresPerNode=%s", tpn);
	if (d->gpus && *d->gpus)
		show_kv(b, o, true, "TresPerJob=gres/gpu:%s", d->gpus);
	if ((tpt = gres_tres_per_task(d)))
		show_kv(b, o, true, "TresPerTask=%s", tpt);
	free(tpn);
	free(tpt);
	/* Like Slurm 22.05: only when a --mail-type was given; the user defaults to the owner. */
	if (d->mail_type && *d->mail_type)
		show_kv(b, o, true, "MailUser=%s MailType=%s",
			d->mail_user && *d->mail_user ? d->mail_user : nz(j->user_name), d->mail_type);
	free(out);
	free(err);
	free(in);
}

char *show_job_text(const Sky__JobRecord *j, time_t now, bool one_liner)
{
	char *b = xstrdup("");

	part_identity(&b, one_liner, j);
	part_times(&b, one_liner, j, now);
	part_resources(&b, one_liner, j);
	part_files(&b, one_liner, j);
	cloud_show_job(&b, one_liner, j, now);
	xstrfmtcat(&b, "%s", one_liner ? "\n" : "\n\n");
	return b;
}
