/* squeue_fields.c: see squeue_fields.h. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fmt.h"
#include "fmt_job.h"
#include "fname.h"
#include "hostlist.h"
#include "squeue_fields.h"
#include "timefmt.h"
#include "xalloc.h"

typedef char *(*ofield_fn)(const Sky__JobRecord *j, time_t now);

struct squeue_ofield {
	const char *name;
	const char *header;
	char code;          /* the -o code rendering the value, or 0 when fn does */
	ofield_fn fn;
};

static char *of_tasks(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return xasprintf("%u", j->num_tasks ? j->num_tasks : 1);
}

static char *of_restarts(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return xasprintf("%u", j->restart_count);
}

static char *of_std(const Sky__JobRecord *j, const char *pattern)
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

static char *of_stdout(const Sky__JobRecord *j, time_t now)
{
	const Sky__JobDesc *d = j->desc;
	(void)now;
	return of_std(j, d->std_out && *d->std_out ? d->std_out : "slurm-%j.out");
}

static char *of_stderr(const Sky__JobRecord *j, time_t now)
{
	const Sky__JobDesc *d = j->desc;
	(void)now;
	return of_std(j, d->std_err && *d->std_err ? d->std_err :
			 d->std_out && *d->std_out ? d->std_out : "slurm-%j.out");
}

static char *of_stdin(const Sky__JobRecord *j, time_t now)
{
	const Sky__JobDesc *d = j->desc;
	(void)now;
	return of_std(j, d->std_in && *d->std_in ? d->std_in : "/dev/null");
}

static char *of_feature(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return xstrdup(j->desc->constraint && *j->desc->constraint ? j->desc->constraint : "(null)");
}

static char *of_deadline(const Sky__JobRecord *j, time_t now)
{
	char buf[64];
	(void)now;
	if (!j->desc->has_deadline || !j->desc->deadline)
		return xstrdup("N/A");
	return xstrdup(timestamp_str((time_t)j->desc->deadline, buf, sizeof(buf)));
}

static char *of_time_min(const Sky__JobRecord *j, time_t now)
{
	char buf[64];
	uint32_t m = j->desc->time_min_min;
	(void)now;
	if (!j->desc->has_time_min_min || !m || m == SKY_INFINITE || m == SKY_NO_VAL)
		return xstrdup("N/A");
	return xstrdup(secs2time_str((int64_t)m * 60, buf, sizeof(buf)));
}

static char *of_requeue(const Sky__JobRecord *j, time_t now)
{
	(void)now;
	return xasprintf("%d", !j->desc->has_requeue_set || !j->desc->requeue_set ||
			 j->desc->requeue);
}

static char *of_eligible(const Sky__JobRecord *j, time_t now)
{
	char buf[64];
	(void)now;
	if (!j->eligible_time)
		return xstrdup("N/A");
	return xstrdup(timestamp_str((time_t)j->eligible_time, buf, sizeof(buf)));
}

/* Slurm's -O names (squeue.1), with the header each prints. Sorted by name. */
static const struct squeue_ofield ofields[] = {
	{ "Account", "ACCOUNT", 'a', NULL },
	{ "ArrayJobID", "ARRAY_JOB_ID", 'F', NULL },
	{ "ArrayTaskID", "ARRAY_TASK_ID", 'K', NULL },
	{ "BatchHost", "EXEC_HOST", 'B', NULL },
	{ "Command", "COMMAND", 'o', NULL },
	{ "Comment", "COMMENT", 'k', NULL },
	{ "Deadline", "DEADLINE", 0, of_deadline },
	{ "Dependency", "DEPENDENCY", 'E', NULL },
	{ "EligibleTime", "ELIGIBLE_TIME", 0, of_eligible },
	{ "EndTime", "END_TIME", 'e', NULL },
	{ "ExcNodes", "EXC_NODES", 'x', NULL },
	{ "Feature", "FEATURES", 0, of_feature },
	{ "GroupID", "GROUP", 'G', NULL },
	{ "GroupName", "GROUP", 'g', NULL },
	{ "JobArrayID", "JOBID", 'i', NULL },
	{ "JobID", "JOBID", 'A', NULL },
	{ "MinCpus", "MIN_CPUS", 'c', NULL },
	{ "MinMemory", "MIN_MEMORY", 'm', NULL },
	{ "Name", "NAME", 'j', NULL },
	{ "Nice", "NICE", 'y', NULL },
	{ "NodeList", "NODELIST", 'N', NULL },
	{ "NumCPUs", "CPUS", 'C', NULL },
	{ "NumNodes", "NODES", 'D', NULL },
	{ "NumTasks", "TASKS", 0, of_tasks },
	{ "Partition", "PARTITION", 'P', NULL },
	{ "Priority", "PRIORITY", 'p', NULL },
	{ "PriorityLong", "PRIORITY", 'Q', NULL },
	{ "QOS", "QOS", 'q', NULL },
	{ "Reason", "REASON", 'r', NULL },
	{ "ReasonList", "NODELIST(REASON)", 'R', NULL },
	{ "ReqNodes", "REQ_NODES", 'n', NULL },
	{ "Requeue", "REQUEUE", 0, of_requeue },
	{ "Restarts", "RESTARTS", 0, of_restarts },
	{ "StartTime", "START_TIME", 'S', NULL },
	{ "State", "STATE", 'T', NULL },
	{ "StateCompact", "ST", 't', NULL },
	{ "STDERR", "STDERR", 0, of_stderr },
	{ "STDIN", "STDIN", 0, of_stdin },
	{ "STDOUT", "STDOUT", 0, of_stdout },
	{ "SubmitTime", "SUBMIT_TIME", 'V', NULL },
	{ "TimeLeft", "TIME_LEFT", 'L', NULL },
	{ "TimeLimit", "TIME_LIMIT", 'l', NULL },
	{ "TimeMin", "TIME_MIN", 0, of_time_min },
	{ "TimeUsed", "TIME", 'M', NULL },
	{ "UserID", "UID", 'U', NULL },
	{ "UserName", "USER", 'u', NULL },
	{ "WorkDir", "WORK_DIR", 'Z', NULL },
};

static const struct squeue_ofield *ofield_find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(ofields) / sizeof(ofields[0]); i++)
		if (strlen(ofields[i].name) == len && !strncasecmp(ofields[i].name, name, len))
			return &ofields[i];
	return NULL;
}

void squeue_oform_free(struct squeue_oform *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->items[i].suffix);
	FREE_NULL(o->items);
	o->n = 0;
}

/* One "field[:[.][size][suffix]]" item. */
static int parse_item(const char *item, struct squeue_oitem *it, struct sky_errbuf *eb)
{
	const char *colon = strchr(item, ':');
	size_t nlen = colon ? (size_t)(colon - item) : strlen(item);
	const char *p;

	memset(it, 0, sizeof(*it));
	it->f = ofield_find(item, nlen);
	if (!it->f)
		return sky_err_set(eb, SKY_E_INVAL, "Invalid job format specification: %.*s",
				   (int)nlen, item);
	it->width = SQUEUE_OFMT_DEFAULT_WIDTH;
	if (!colon) {
		it->suffix = xstrdup("");
		return 0;
	}
	p = colon + 1;
	if (*p == '.') {
		it->right = true;
		p++;
	}
	if (isdigit((unsigned char)*p)) {
		it->width = 0;
		while (isdigit((unsigned char)*p))
			it->width = it->width * 10 + (*p++ - '0');
	}
	it->suffix = xstrdup(p);
	return 0;
}

int squeue_oform_parse(const char *spec, struct squeue_oform *out, struct sky_errbuf *eb)
{
	char *copy = xstrdup(spec ? spec : ""), *item = copy;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	while (item && !rc) {
		char *comma = strchr(item, ',');
		if (comma)
			*comma = '\0';
		if (*item) {
			out->items = xrealloc(out->items, (out->n + 1) * sizeof(*out->items));
			if ((rc = parse_item(item, &out->items[out->n], eb)) == 0)
				out->n++;
		}
		item = comma ? comma + 1 : NULL;
	}
	free(copy);
	if (!rc && !out->n)
		rc = sky_err_set(eb, SKY_E_INVAL, "Invalid job format specification: %s",
				 spec ? spec : "");
	if (rc)
		squeue_oform_free(out);
	return rc;
}

char *squeue_oform_header(const struct squeue_oform *o)
{
	char *line = xstrdup("");

	for (size_t i = 0; i < o->n; i++) {
		fmt_put(&line, o->items[i].f->header, o->items[i].width, o->items[i].right, true);
		xstrfmtcat(&line, "%s", o->items[i].suffix);
	}
	return line;
}

/* The bare value of f for j, rendered by the -o code when there is one. */
static char *ofield_value(const struct squeue_ofield *f, const Sky__JobRecord *j, time_t now)
{
	struct fmt_field one = { .code = f->code, .width = 0, .right = false, .suffix = (char *)"" };
	struct fmt_spec spec = { .prefix = (char *)"", .fields = &one, .n = 1 };

	if (f->fn)
		return f->fn(j, now);
	return job_fmt_line(&spec, j, now);
}

char *squeue_oform_line(const struct squeue_oform *o, const Sky__JobRecord *j, time_t now)
{
	char *line = xstrdup("");

	for (size_t i = 0; i < o->n; i++) {
		char *v = ofield_value(o->items[i].f, j, now);
		fmt_put(&line, v, o->items[i].width, o->items[i].right, true);
		xstrfmtcat(&line, "%s", o->items[i].suffix);
		free(v);
	}
	return line;
}

bool squeue_nodes_match(const char *filter, const Sky__JobRecord *j)
{
	struct hostlist *want = NULL, *have = NULL;
	const char *nodes = j->node_list && *j->node_list ? j->node_list : NULL;
	bool hit = false;

	if (!nodes)
		return false;
	if (hostlist_create(filter, &want, NULL) || hostlist_create(nodes, &have, NULL))
		goto out;
	for (size_t i = 0; i < hostlist_count(want) && !hit; i++)
		hit = hostlist_find(have, hostlist_nth(want, i)) >= 0;
out:
	hostlist_destroy(want);
	hostlist_destroy(have);
	return hit;
}
