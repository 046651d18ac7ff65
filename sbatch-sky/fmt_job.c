/* fmt_job.c: see fmt_job.h. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array_fold.h"
#include "cli_util.h"
#include "fmt_job.h"
#include "state_names.h"
#include "timefmt.h"
#include "xalloc.h"

#include "job_defs.h"

typedef char *(*job_value_fn)(const Sky__JobRecord *j, time_t now);

struct job_field {
	char code;
	const char *header;
	bool cut;              /* right-justified values are cut to the width too */
	job_value_fn value;    /* caller frees the result */
};

static char *xfmt_u32(uint32_t v)
{
	return xasprintf("%u", v);
}

static char *val_id(const Sky__JobRecord *j, time_t now)
{
	const char *fold = array_fold_label(j);

	(void)now;
	/* Slurm's squeue renders the id into a 32-byte buffer: at most 31 characters. */
	if (fold) {
		char *id = xasprintf("%u_[%s]", j->array_job_id, fold);
		if (strlen(id) > 31)
			id[31] = '\0';
		return id;
	}
	if (j->has_array_task_id && j->array_job_id)
		return xasprintf("%u_%u", j->array_job_id, j->array_task_id);
	return xfmt_u32(j->job_id);
}

/* %A: unique for every array task (its own job id). */
static char *val_raw_id(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return xfmt_u32(j->job_id);
}

static char *val_array_job(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return xfmt_u32(j->has_array_task_id && j->array_job_id ? j->array_job_id : j->job_id);
}

static char *val_array_task(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	if (array_fold_label(j))
		return xstrdup(array_fold_label(j));
	return j->has_array_task_id ? xfmt_u32(j->array_task_id) : xstrdup("N/A");
}

static char *val_name(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return xstrdup(j->desc->name ? j->desc->name : "(null)");
}

static char *val_user(const Sky__JobRecord *j, time_t now)
{
	char buf[256];
	(void)now;
	return xstrdup(job_user(j, buf, sizeof(buf)));
}

static char *val_uid(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return xfmt_u32(j->user_id);
}

static char *val_group(const Sky__JobRecord *j, time_t now)
{
	char buf[256];
	(void)now;
	if (j->group_name && *j->group_name)
		return xstrdup(j->group_name);
	return xstrdup(cli_group_name(j->group_id, buf, sizeof(buf)));
}

static char *val_gid(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return xfmt_u32(j->group_id);
}

static char *val_partition(const Sky__JobRecord *j, time_t now)
{
	const char *p = job_partition(j);
	(void)now;
	return xstrdup(p ? p : "(null)");
}

static char *val_state_compact(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return xstrdup(job_state_compact(j->state, j->flags));
}

static char *val_state_long(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return xstrdup(job_state_long(j->state, j->flags));
}

static char *secs_str(int64_t secs)
{
	char buf[64];
	return xstrdup(secs2time_str(secs, buf, sizeof(buf)));
}

static char *val_time_used(const Sky__JobRecord *j, time_t now)
{
	return secs_str(job_time_used(j, now));
}

static bool limit_special(uint32_t lim, char **out)
{
	if (lim == SKY_INFINITE) {
		*out = xstrdup("UNLIMITED");
		return true;
	}
	if (lim == SKY_NO_VAL || lim == 0) {
		*out = xstrdup("NOT_SET");
		return true;
	}
	return false;
}

static char *val_time_limit(const Sky__JobRecord *j, time_t now)
{
	char *out;
	(void)now;
	if (limit_special(j->time_limit_min, &out))
		return out;
	return secs_str((int64_t)j->time_limit_min * 60);
}

static char *val_time_left(const Sky__JobRecord *j, time_t now)
{
	char *out;
	if (limit_special(j->time_limit_min, &out))
		return out;
	return secs_str((int64_t)j->time_limit_min * 60 - job_time_used(j, now));
}

static char *val_nodes(const Sky__JobRecord *j, time_t now)
{
	uint32_t n = j->num_nodes;
	(void)now;
	if (!n)
		n = j->desc->min_nodes ? j->desc->min_nodes : 1;
	return xfmt_u32(n);
}

static char *val_cpus(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return xfmt_u32(j->num_cpus ? j->num_cpus : 1);
}

static char *val_min_cpus(const Sky__JobRecord *j, time_t now)
{
	uint32_t c = j->desc->cpus_per_task ? j->desc->cpus_per_task : 1;
	(void)now;
	if (j->desc->ntasks_per_node)
		c *= j->desc->ntasks_per_node;
	return xfmt_u32(c);
}

static char *val_min_mem(const Sky__JobRecord *j, time_t now)
{
	char buf[64];
	(void)now;
	if (j->desc->mem_per_cpu_mb)
		return xstrdup(cli_mem_str(j->desc->mem_per_cpu_mb, buf, sizeof(buf)));
	return xstrdup(cli_mem_str(j->desc->mem_per_node_mb, buf, sizeof(buf)));
}

static char *val_reason(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return xstrdup(job_reason(j));
}

static char *val_nodelist(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return xstrdup(j->node_list ? j->node_list : "");
}

static char *val_reason_list(const Sky__JobRecord *j, time_t now)
{
	bool completing = j->flags & SKY__JOB_FLAG__JOB_FLAG_COMPLETING;
	(void)now;
	if (!completing && (j->state == SKY__JOB_STATE__JOB_PENDING ||
			    j->state == SKY__JOB_STATE__JOB_TIMEOUT ||
			    j->state == SKY__JOB_STATE__JOB_FAILED ||
			    j->state == SKY__JOB_STATE__JOB_OOM ||
			    j->state == SKY__JOB_STATE__JOB_DEADLINE))
		return xasprintf("(%s)", job_reason(j));
	return xstrdup(j->node_list ? j->node_list : "");
}

uint64_t fmt_job_start_time(const Sky__JobRecord *j)
{
	if (j->state == SKY__JOB_STATE__JOB_PENDING && j->has_sched_start_time)
		return j->sched_start_time;
	return j->start_time;
}

static char *time_or_na(uint64_t t)
{
	char buf[64];
	if (!t)
		return xstrdup("N/A");
	return xstrdup(timestamp_str((time_t)t, buf, sizeof(buf)));
}

static char *val_start(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return time_or_na(fmt_job_start_time(j));
}

static char *val_submit(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return time_or_na(j->submit_time);
}

static char *val_end(const Sky__JobRecord *j, time_t now)
{
	uint64_t end = j->end_time;

	if (!end && j->state == SKY__JOB_STATE__JOB_RUNNING && j->start_time &&
	    j->time_limit_min && j->time_limit_min < SKY_NO_VAL)
		end = j->start_time + (uint64_t)j->time_limit_min * 60;
	if (j->time_limit_min == SKY_INFINITE && (!end || end > (uint64_t)now))
		return xstrdup("NONE");
	return time_or_na(end);
}

static char *str_or_null(const char *s)
{
	return xstrdup(s && *s ? s : "(null)");
}

static char *val_account(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return str_or_null(j->desc->account);
}

static char *val_qos(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return str_or_null(j->desc->qos);
}

static char *val_comment(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return str_or_null(j->desc->comment);
}

static char *val_dependency(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	/* What is left to satisfy, as the controller keeps it (job_depend.h). */
	return str_or_null(j->dependency_left && *j->dependency_left ? j->dependency_left : NULL);
}

static char *val_req_nodes(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return xstrdup(j->desc->req_nodes ? j->desc->req_nodes : "");
}

static char *val_exc_nodes(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return xstrdup(j->desc->exc_nodes ? j->desc->exc_nodes : "");
}

static char *val_batch_host(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return xstrdup(j->batch_host && *j->batch_host ? j->batch_host : "n/a");
}

static char *val_prio_float(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return xasprintf("%16.14f", (double)j->priority / (double)0xffffffffu);
}

static char *val_prio(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return xfmt_u32(j->priority);
}

static char *val_nice(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	if (!j->desc->has_nice)
		return xstrdup("0");
	return xasprintf("%" PRId64, (int64_t)j->desc->nice - (int64_t)NICE_OFFSET);
}

/* %Y: nodes the backfill scheduler plans for a pending job; FIFO plans none. */
static char *val_sched_nodes(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return xstrdup(j->state == SKY__JOB_STATE__JOB_PENDING && j->sched_nodes ? j->sched_nodes :
		       "(null)");
}

static char *val_work_dir(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return str_or_null(j->desc->work_dir);
}

static char *val_command(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return str_or_null(j->desc->command);
}

static char *val_features(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return str_or_null(j->desc->constraint);
}

static const struct job_field job_fields[] = {
	{ 'A', "JOBID", true, val_raw_id },
	{ 'a', "ACCOUNT", true, val_account },
	{ 'B', "EXEC_HOST", true, val_batch_host },
	{ 'C', "CPUS", true, val_cpus },
	{ 'c', "MIN_CPUS", true, val_min_cpus },
	{ 'D', "NODES", true, val_nodes },
	{ 'E', "DEPENDENCY", true, val_dependency },
	{ 'e', "END_TIME", true, val_end },
	{ 'F', "ARRAY_JOB_ID", true, val_array_job },
	{ 'f', "FEATURES", true, val_features },
	{ 'G', "GROUP", true, val_gid },
	{ 'g', "GROUP", true, val_group },
	{ 'i', "JOBID", true, val_id },
	{ 'j', "NAME", true, val_name },
	{ 'K', "ARRAY_TASK_ID", true, val_array_task },
	{ 'k', "COMMENT", true, val_comment },
	{ 'L', "TIME_LEFT", false, val_time_left },
	{ 'l', "TIME_LIMIT", false, val_time_limit },
	{ 'M', "TIME", false, val_time_used },
	{ 'm', "MIN_MEMORY", true, val_min_mem },
	{ 'N', "NODELIST", false, val_nodelist },
	{ 'n', "REQ_NODES", true, val_req_nodes },
	{ 'o', "COMMAND", true, val_command },
	{ 'P', "PARTITION", true, val_partition },
	{ 'p', "PRIORITY", true, val_prio_float },
	{ 'Q', "PRIORITY", true, val_prio },
	{ 'q', "QOS", true, val_qos },
	{ 'R', "NODELIST(REASON)", false, val_reason_list },
	{ 'r', "REASON", true, val_reason },
	{ 'S', "START_TIME", true, val_start },
	{ 'T', "STATE", true, val_state_long },
	{ 't', "ST", true, val_state_compact },
	{ 'U', "UID", true, val_uid },
	{ 'u', "USER", true, val_user },
	{ 'V', "SUBMIT_TIME", true, val_submit },
	{ 'x', "EXC_NODES", true, val_exc_nodes },
	{ 'y', "NICE", true, val_nice },
	{ 'Y', "SCHEDNODES", true, val_sched_nodes },
	{ 'Z', "WORK_DIR", true, val_work_dir },
};
#define N_JOB_FIELDS (sizeof(job_fields) / sizeof(job_fields[0]))

static const struct job_field *job_field_find(char code)
{
	for (size_t i = 0; i < N_JOB_FIELDS; i++)
		if (job_fields[i].code == code)
			return &job_fields[i];
	return NULL;
}

const char *job_fmt_codes(void)
{
	static char codes[N_JOB_FIELDS + 1];

	if (!codes[0])
		for (size_t i = 0; i < N_JOB_FIELDS; i++)
			codes[i] = job_fields[i].code;
	return codes;
}

char *job_fmt_header(const struct fmt_spec *s)
{
	char *line = xstrdup(s->prefix);

	for (size_t i = 0; i < s->n; i++) {
		const struct job_field *f = job_field_find(s->fields[i].code);
		/* Headers are cut to the width, except the node list ones (Slurm's squeue). */
		fmt_put(&line, f->header, s->fields[i].width, s->fields[i].right,
			f->code != 'N' && f->code != 'R');
		xstrfmtcat(&line, "%s", s->fields[i].suffix);
	}
	return line;
}

char *job_fmt_line(const struct fmt_spec *s, const Sky__JobRecord *j, time_t now)
{
	char *line = xstrdup(s->prefix);

	for (size_t i = 0; i < s->n; i++) {
		const struct job_field *f = job_field_find(s->fields[i].code);
		char *v = f->value(j, now);
		fmt_put(&line, v, s->fields[i].width, s->fields[i].right, f->cut);
		xstrfmtcat(&line, "%s", s->fields[i].suffix);
		free(v);
	}
	return line;
}

int64_t job_time_used(const Sky__JobRecord *j, time_t now)
{
	uint64_t end;

	if (!j->start_time || j->state == SKY__JOB_STATE__JOB_PENDING)
		return 0;
	if (j->state == SKY__JOB_STATE__JOB_RUNNING || j->state == SKY__JOB_STATE__JOB_SUSPENDED ||
	    !j->end_time)
		end = (uint64_t)now;
	else
		end = j->end_time;
	return end > j->start_time ? (int64_t)(end - j->start_time) : 0;
}

const char *job_reason(const Sky__JobRecord *j)
{
	if (j->state_desc && *j->state_desc)
		return j->state_desc;
	if (j->reason && *j->reason)
		return j->reason;
	return "None";
}

const char *job_partition(const Sky__JobRecord *j)
{
	if (j->partition && *j->partition)
		return j->partition;
	return j->desc->partition;
}

char *job_user(const Sky__JobRecord *j, char *buf, size_t len)
{
	if (j->user_name && *j->user_name) {
		snprintf(buf, len, "%s", j->user_name);
		return buf;
	}
	return cli_user_name(j->user_id, buf, len);
}
