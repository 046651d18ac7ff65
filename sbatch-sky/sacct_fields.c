/* sacct_fields.c: sacct's field table and row rendering (see sacct_fields.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

#include "cli_util.h"
#include "fmt_job.h"
#include "gres.h"
#include "job_cost.h"
#include "sacct_fields.h"
#include "sacct_step.h"
#include "state_names.h"
#include "timefmt.h"
#include "xalloc.h"

enum acct_field {
	F_ACCOUNT, F_ALLOCCPUS, F_ALLOCNODES, F_ALLOCTRES, F_AVECPU, F_AVERSS, F_AVEVMSIZE,
	F_CLUSTER, F_COMMENT, F_CPUTIME, F_CPUTIMERAW, F_ELAPSED, F_ELAPSEDRAW, F_ELIGIBLE,
	F_END, F_EXITCODE, F_GID, F_GROUP, F_JOBID, F_JOBIDRAW, F_JOBNAME, F_MAXRSS,
	F_MAXVMSIZE, F_MINCPU, F_NCPUS, F_NNODES, F_NODELIST, F_NTASKS, F_PARTITION,
	F_PRIORITY, F_QOS, F_REASON, F_REQCPUS, F_REQMEM, F_REQNODES, F_REQTRES, F_RESTARTS,
	F_START, F_STATE, F_SUBMIT, F_SUBMITLINE, F_TIMELIMIT, F_TIMELIMITRAW, F_TOTALCPU,
	F_UID, F_USER, F_WORKDIR,
	F_COST,      /* slurm-sky extension: dollars (sbatch-sky/job_cost.h) */
};

/* Default widths as in Slurm's sacct field table (positive: right-justified). */
static const struct {
	const char *name;
	int width;
	enum acct_field id;
} fields[] = {
	{ "Account", 10, F_ACCOUNT },       { "AllocCPUS", 10, F_ALLOCCPUS },
	{ "AllocNodes", 10, F_ALLOCNODES }, { "AllocTRES", 10, F_ALLOCTRES },
	{ "AveCPU", 10, F_AVECPU },         { "AveRSS", 10, F_AVERSS },
	{ "AveVMSize", 10, F_AVEVMSIZE },   { "Cluster", 10, F_CLUSTER },
	{ "Comment", 10, F_COMMENT },       { "Cost", 10, F_COST },
	{ "CPUTime", 10, F_CPUTIME },
	{ "CPUTimeRAW", 10, F_CPUTIMERAW }, { "Elapsed", 10, F_ELAPSED },
	{ "ElapsedRaw", 10, F_ELAPSEDRAW }, { "Eligible", 19, F_ELIGIBLE },
	{ "End", 19, F_END },               { "ExitCode", 8, F_EXITCODE },
	{ "GID", 6, F_GID },                { "Group", 9, F_GROUP },
	{ "JobID", -12, F_JOBID },          { "JobIDRaw", -12, F_JOBIDRAW },
	{ "JobName", 10, F_JOBNAME },       { "MaxRSS", 10, F_MAXRSS },
	{ "MaxVMSize", 10, F_MAXVMSIZE },   { "MinCPU", 10, F_MINCPU },
	{ "NCPUS", 10, F_NCPUS },           { "NNodes", 8, F_NNODES },
	{ "NodeList", 15, F_NODELIST },     { "NTasks", 8, F_NTASKS },
	{ "Partition", 10, F_PARTITION },   { "Priority", 10, F_PRIORITY },
	{ "QOS", 10, F_QOS },               { "Reason", 20, F_REASON },
	{ "ReqCPUS", 8, F_REQCPUS },        { "ReqMem", 10, F_REQMEM },
	{ "ReqNodes", 8, F_REQNODES },      { "ReqTRES", 10, F_REQTRES },
	{ "Restarts", 8, F_RESTARTS },      { "Start", 19, F_START },
	{ "State", 10, F_STATE },           { "Submit", 19, F_SUBMIT },
	{ "SubmitLine", 10, F_SUBMITLINE }, { "Timelimit", 10, F_TIMELIMIT },
	{ "TimelimitRaw", 10, F_TIMELIMITRAW }, { "TotalCPU", 10, F_TOTALCPU },
	{ "UID", 6, F_UID },                { "User", 9, F_USER },
	{ "WorkDir", 15, F_WORKDIR },
};
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

bool acct_has_batch_step(const Sky__JobRecord *j)
{
	return j->start_time && j->batch_host && *j->batch_host && !j->desc->alloc_only;
}

const char *acct_field_name(int field)
{
	return fields[field].name;
}

void acct_print_field_names(void)
{
	size_t i;

	for (i = 0; i < N_FIELDS; i++)
		printf("%-20s%s", fields[i].name, (i % 4 == 3 || i + 1 == N_FIELDS) ? "\n" : "");
	/* Not a Slurm field: say so where users look for fields. */
	printf("\nCost (slurm-sky extension): dollars the job's cloud nodes cost, 4 decimals;\n"
	       "--account-totals prints one Account,Cost row per account.\n");
}

static int field_lookup(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < N_FIELDS; i++)
		if (strlen(fields[i].name) == len && strncasecmp(fields[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

int acct_cols_parse(const char *list, struct acct_col **cols, size_t *n, struct sky_errbuf *eb)
{
	const char *p = list;
	struct acct_col *v = NULL;
	size_t k = 0;

	while (*p) {
		size_t len = strcspn(p, ",");
		const char *pct = memchr(p, '%', len);
		size_t nlen = pct ? (size_t)(pct - p) : len;
		int f;

		if (!len) {
			p++;
			continue;
		}
		if ((f = field_lookup(p, nlen)) < 0) {
			free(v);
			return sky_err_set(eb, SKY_E_INVAL, "Invalid field requested: \"%.*s\"",
					   (int)nlen, p);
		}
		v = xrealloc(v, (k + 1) * sizeof(*v));
		v[k].field = f;
		v[k].width = fields[f].width;
		/* "%N": a width given by the user; its sign picks the justification. */
		if (pct && pct + 1 < p + len)
			v[k].width = atoi(pct + 1);
		k++;
		p += len;
		if (*p == ',')
			p++;
	}
	*cols = v;
	*n = k;
	return 0;
}

/* ---- values ---- */

/* When the job ended, 0 while it has not (a running job's end_time is its expected end). */
static uint64_t ended_at(const Sky__JobRecord *j)
{
	return job_state_finished(j->state) ? j->end_time : 0;
}

static int64_t elapsed(const struct acct_row *r)
{
	const Sky__JobRecord *j = r->job;

	if (!j->start_time)
		return 0;
	if (!ended_at(j))
		return r->now > (time_t)j->start_time ? (int64_t)(r->now - (time_t)j->start_time) : 0;
	return j->end_time > j->start_time ? (int64_t)(j->end_time - j->start_time) : 0;
}

static uint32_t alloc_cpus(const struct acct_row *r)
{
	const Sky__JobRecord *j = r->job;

	if (r->step)
		return j->cpus_per_node ? j->cpus_per_node : j->num_cpus;
	return j->num_cpus;
}

/*
 * The job row's state is the job's base state, with the canceller for a
 * cancel; the batch step of a job that the controller ended (cancel, time
 * limit, deadline) was killed, which Slurm records as CANCELLED.
 */
static void state_value(const struct acct_row *r, char *buf, size_t len)
{
	const Sky__JobRecord *j = r->job;
	Sky__JobState st = j->state;

	if (r->step && (st == SKY__JOB_STATE__JOB_TIMEOUT || st == SKY__JOB_STATE__JOB_DEADLINE ||
			st == SKY__JOB_STATE__JOB_NODE_FAIL))
		st = SKY__JOB_STATE__JOB_CANCELLED;
	if (!r->step && st == SKY__JOB_STATE__JOB_CANCELLED && j->has_cancel_uid)
		snprintf(buf, len, "CANCELLED by %u", j->cancel_uid);
	else
		snprintf(buf, len, "%s", job_state_base_long(st));
}

/*
 * "exit:signal" of the batch script's wait status. The job row of a job the
 * controller ended itself keeps 0:0 (Slurm records the script's status only
 * on the batch step then); pending and running jobs show 0:0 too.
 */
static void exit_value(const struct acct_row *r, char *buf, size_t len)
{
	const Sky__JobRecord *j = r->job;
	int st = j->exit_status;
	bool ctld_ended = j->state == SKY__JOB_STATE__JOB_CANCELLED ||
			  j->state == SKY__JOB_STATE__JOB_TIMEOUT ||
			  j->state == SKY__JOB_STATE__JOB_DEADLINE ||
			  j->state == SKY__JOB_STATE__JOB_NODE_FAIL;

	if (!job_state_finished(j->state) || (!r->step && ctld_ended))
		st = 0;
	if (WIFSIGNALED(st))
		snprintf(buf, len, "0:%d", WTERMSIG(st));
	else
		snprintf(buf, len, "%d:0", WEXITSTATUS(st));
}

static void tres_value(const Sky__JobRecord *j, bool alloc, char *buf, size_t len)
{
	char mem[32], *gres;
	uint64_t mb = j->mem_per_node_mb * (j->num_nodes ? j->num_nodes : 1);

	if (alloc && !j->start_time) {
		snprintf(buf, len, "%s", "");
		return;
	}
	gres = gres_job_tres_suffix(j, alloc);
	if (mb)
		snprintf(buf, len, "billing=%u,cpu=%u%s,mem=%s,node=%u", j->num_cpus, j->num_cpus,
			 gres, cli_mem_str(mb, mem, sizeof(mem)), j->num_nodes);
	else
		snprintf(buf, len, "billing=%u,cpu=%u%s,node=%u", j->num_cpus, j->num_cpus, gres,
			 j->num_nodes);
	free(gres);
}

static void jobid_value(const struct acct_row *r, bool raw, char *buf, size_t len)
{
	const Sky__JobRecord *j = r->job;
	const char *sfx = r->step ? ".batch" : "";

	if (!raw && j->has_array_task_id && j->array_job_id)
		snprintf(buf, len, "%u_%u%s", j->array_job_id, j->array_task_id, sfx);
	else
		snprintf(buf, len, "%u%s", j->job_id, sfx);
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* Fields about who and where; NULL when field is not one of them. */
static const char *ident_value(int id, const struct acct_row *r, char *buf, size_t len)
{
	const Sky__JobRecord *j = r->job;

	switch (id) {
	case F_ACCOUNT: return nz(j->desc->account);
	case F_CLUSTER: return nz(j->cluster);
	case F_COMMENT: return r->step ? "" : nz(j->desc->comment);
	case F_GID:
		if (!r->step)
			snprintf(buf, len, "%u", j->group_id);
		return r->step ? "" : buf;
	case F_GROUP:
		if (r->step)
			return "";
		return j->group_name && *j->group_name ? j->group_name
						       : cli_group_name(j->group_id, buf, len);
	case F_JOBNAME: return r->step ? "batch" : nz(j->desc->name);
	case F_PARTITION: return r->step ? "" : nz(job_partition(j));
	case F_QOS: return r->step ? "" : (j->desc->qos ? j->desc->qos : "normal");
	case F_REASON: return r->step ? "" : job_reason(j);
	case F_SUBMITLINE: return r->step ? "" : nz(j->desc->submit_line);
	case F_UID:
		if (!r->step)
			snprintf(buf, len, "%u", j->user_id);
		return r->step ? "" : buf;
	case F_USER: return r->step ? "" : job_user(j, buf, len);
	case F_WORKDIR: return r->step ? "" : nz(j->desc->work_dir);
	case F_NODELIST:
		if (r->step)
			return nz(j->batch_host);
		return j->start_time && j->node_list ? j->node_list : "None assigned";
	default: return NULL;
	}
}

/* Counts and sizes; NULL when field is not one of them. */
static const char *count_value(int id, const struct acct_row *r, char *buf, size_t len)
{
	const Sky__JobRecord *j = r->job;
	switch (id) {
	case F_ALLOCCPUS: case F_NCPUS: snprintf(buf, len, "%u", alloc_cpus(r)); break;
	case F_ALLOCNODES:
		snprintf(buf, len, "%u", r->step ? 1 : j->start_time ? j->num_nodes : 0);
		break;
	case F_NNODES: snprintf(buf, len, "%u", r->step ? 1 : j->num_nodes); break;
	case F_NTASKS: snprintf(buf, len, "%s", r->step ? "1" : ""); break;
	case F_REQCPUS: snprintf(buf, len, "%u", alloc_cpus(r)); break;
	case F_REQNODES: snprintf(buf, len, "%u", r->step ? 1 : j->num_nodes); break;
	case F_PRIORITY:
		snprintf(buf, len, "%u", j->priority);
		if (r->step)
			buf[0] = '\0';
		break;
	case F_RESTARTS: snprintf(buf, len, "%u", j->restart_count); break;
	case F_REQMEM:
		cli_mem_str(j->desc->has_mem_per_cpu_mb && j->desc->mem_per_cpu_mb ?
			    j->desc->mem_per_cpu_mb * j->num_cpus : j->mem_per_node_mb, buf, len);
		break;
	case F_ALLOCTRES: tres_value(j, true, buf, len); break;
	case F_REQTRES: tres_value(j, false, buf, len); break;
	case F_AVECPU: case F_AVERSS: case F_AVEVMSIZE: case F_MAXRSS: case F_MAXVMSIZE:
	case F_MINCPU: case F_TOTALCPU:
		/* No usage gatherer: Slurm leaves these empty too (jobacct_gather/none). */
		snprintf(buf, len, "%s", "");
		break;
	default: return NULL;
	}
	return buf;
}

/* Times; NULL when field is not one of them. */
static const char *time_value(int id, const struct acct_row *r, char *buf, size_t len)
{
	const Sky__JobRecord *j = r->job;
	uint32_t cpus = alloc_cpus(r);

	switch (id) {
	case F_CPUTIME: secs2time_str_padded(elapsed(r) * cpus, buf, len); break;
	case F_CPUTIMERAW: snprintf(buf, len, "%" PRId64, elapsed(r) * cpus); break;
	case F_ELAPSED: secs2time_str_padded(elapsed(r), buf, len); break;
	case F_ELAPSEDRAW: snprintf(buf, len, "%" PRId64, elapsed(r)); break;
	case F_ELIGIBLE:
		timestamp_str((time_t)(j->eligible_time ? j->eligible_time : j->submit_time), buf, len);
		break;
	case F_END: timestamp_str((time_t)ended_at(j), buf, len); break;
	case F_START: timestamp_str((time_t)j->start_time, buf, len); break;
	case F_SUBMIT: timestamp_str((time_t)(r->step ? j->start_time : j->submit_time), buf, len); break;
	case F_TIMELIMIT:
		if (r->step)
			snprintf(buf, len, "%s", "");
		else
			mins2time_str_padded(j->time_limit_min, buf, len);
		break;
	case F_TIMELIMITRAW:
		if (r->step)
			snprintf(buf, len, "%s", "");
		else if (j->time_limit_min == SKY_INFINITE)
			snprintf(buf, len, "UNLIMITED");
		else
			snprintf(buf, len, "%u", j->time_limit_min);
		break;
	default: return NULL;
	}
	return buf;
}

char *acct_value(int field, const struct acct_row *r, char *buf, size_t len)
{
	int id = fields[field].id;
	const char *v;

	buf[0] = '\0';
	if (r->srun_step && acct_step_value(fields[field].name, r, buf, len))
		return buf;
	switch (id) {
	case F_JOBID: jobid_value(r, false, buf, len); return buf;
	case F_JOBIDRAW: jobid_value(r, true, buf, len); return buf;
	case F_STATE: state_value(r, buf, len); return buf;
	case F_EXITCODE: exit_value(r, buf, len); return buf;
	case F_COST:
		/* The job's whole cost on its own row; steps have none of their own. */
		if (!r->step)
			money_str(job_rec_cost_now(r->job, r->now), buf, len);
		return buf;
	default: break;
	}
	if (!(v = ident_value(id, r, buf, len)) && !(v = count_value(id, r, buf, len)))
		v = time_value(id, r, buf, len);
	if (v && v != buf)
		snprintf(buf, len, "%s", v);
	return buf;
}

/* ---- layout ---- */

/* Column mode: pad to |width| (sign = side), cutting with '+' when longer. */
static void put_col(char **line, const char *v, int width)
{
	int w = width < 0 ? -width : width;
	size_t l = strlen(v);

	if (w == 0) {
		xstrfmtcat(line, "%s ", v);
		return;
	}
	if (l > (size_t)w)
		xstrfmtcat(line, "%.*s+ ", w - 1, v);
	else if (width > 0)
		xstrfmtcat(line, "%*s ", w, v);
	else
		xstrfmtcat(line, "%-*s ", w, v);
}

static void put_value(char **line, const char *v, size_t i, size_t n, int width,
		      const struct acct_out *o)
{
	const char *d = o->delim ? o->delim : "|";

	if (!o->parsable)
		put_col(line, v, width);
	else if (o->parsable == 2 && i + 1 == n)
		xstrfmtcat(line, "%s", v);
	else
		xstrfmtcat(line, "%s%s", v, d);
}

char *acct_header(const struct acct_col *cols, size_t n, const struct acct_out *o)
{
	char *line = xstrdup("");
	size_t i;

	for (i = 0; i < n; i++) {
		const char *name = fields[cols[i].field].name;
		int w = cols[i].width < 0 ? -cols[i].width : cols[i].width;
		/* Header names are cut without '+'. */
		if (!o->parsable && w && strlen(name) > (size_t)w)
			xstrfmtcat(&line, "%.*s ", w, name);
		else
			put_value(&line, name, i, n, cols[i].width, o);
	}
	xstrfmtcat(&line, "\n");
	if (o->parsable)
		return line;
	for (i = 0; i < n; i++) {
		int w = cols[i].width < 0 ? -cols[i].width : cols[i].width;
		for (int k = 0; k < w; k++)
			xstrfmtcat(&line, "-");
		xstrfmtcat(&line, " ");
	}
	xstrfmtcat(&line, "\n");
	return line;
}

char *acct_line(const struct acct_col *cols, size_t n, const struct acct_row *r,
		const struct acct_out *o)
{
	char *line = xstrdup("");
	char buf[1024];
	size_t i;

	for (i = 0; i < n; i++)
		put_value(&line, acct_value(cols[i].field, r, buf, sizeof(buf)), i, n,
			  cols[i].width, o);
	xstrfmtcat(&line, "\n");
	return line;
}
