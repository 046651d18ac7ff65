/* job_update.c: see job_update.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctld.h"
#include "job_update.h"
#include "timefmt.h"
#include "xalloc.h"

#include "job_defs.h"
#define NICE_MAX (NICE_OFFSET - 3)

/* What one request would change; applied only when every setting passed. */
struct update_plan {
	bool time_set, part_set, nodes_set, name_set, comment_set, nice_set;
	bool raise;                 /* a user raises a pending job's limit */
	uint32_t time_limit;
	struct partition *part;     /* borrowed */
	uint32_t min_nodes, max_nodes;
	const char *name, *comment; /* borrowed from the request */
	int64_t nice;
};

static int err_code(struct sky_errbuf *eb, int code)
{
	return sky_err_set(eb, code, "%s", sky_strerror(code));
}

static bool key_is(const char *kv, size_t klen, const char *key)
{
	return strlen(key) == klen && !strncasecmp(kv, key, klen);
}

/* "10", "+10", "-10" (minutes added or taken, Slurm's TimeLimit=+N). */
static int plan_time(struct job *j, bool op, const char *val, struct update_plan *u,
		     struct sky_errbuf *eb)
{
	uint32_t old = j->rec->time_limit_min, mins;
	char sign = (*val == '+' || *val == '-') ? *val : 0;
	int rc;

	if ((rc = time_str2mins(sign ? val + 1 : val, &mins, eb)))
		return sky_err_set(eb, SKY_E_INVAL, "Invalid TimeLimit value: %s", val);
	if (!mins && !sign)
		mins = SKY_INFINITE;
	if (sign && (mins == SKY_INFINITE || old == SKY_INFINITE))
		return sky_err_set(eb, SKY_E_INVAL, "Invalid TimeLimit value: %s", val);
	if (sign == '+')
		mins = old + mins;
	else if (sign == '-')
		mins = mins >= old ? 1 : old - mins;
	/*
	 * Users may shorten their jobs; only operators lengthen running ones.
	 * A pending job's owner may raise it up to the partition's MaxTime
	 * (Slurm 22.05 does the same; plan_check() checks the partition).
	 */
	if (!op && old != SKY_INFINITE && (mins == SKY_INFINITE || mins > old)) {
		if (!job_is_schedulable(j))
			return err_code(eb, SKY_E_ACCESS_DENIED);
		u->raise = true;
	}
	u->time_set = true;
	u->time_limit = mins;
	return 0;
}

static int plan_nodes(struct job *j, const char *val, struct update_plan *u,
		      struct sky_errbuf *eb)
{
	char *end;
	unsigned long lo, hi;

	(void)j;
	lo = strtoul(val, &end, 10);
	hi = lo;
	if (*end == '-')
		hi = strtoul(end + 1, &end, 10);
	if (*end || !lo || hi < lo || hi > 0xffffffu)
		return err_code(eb, SKY_E_NODE_COUNT);
	u->nodes_set = true;
	u->min_nodes = (uint32_t)lo;
	u->max_nodes = (uint32_t)hi;
	return 0;
}

static int plan_nice(bool op, const char *val, struct update_plan *u, struct sky_errbuf *eb)
{
	char *end;
	long long v = strtoll(val, &end, 10);

	if (*end || end == val || llabs(v) > (long long)NICE_MAX)
		return sky_err_set(eb, SKY_E_INVAL, "Invalid nice value: %s", val);
	if (v < 0 && !op)
		return err_code(eb, SKY_E_ACCESS_DENIED);
	u->nice_set = true;
	u->nice = v;
	return 0;
}

/* One Key=Value into the plan. */
static int plan_one(struct ctld *c, struct job *j, bool op, const char *kv,
		    struct update_plan *u, struct sky_errbuf *eb)
{
	const char *eq = strchr(kv, '=');
	size_t klen = eq ? (size_t)(eq - kv) : 0;
	const char *val = eq ? eq + 1 : "";
	bool pending = job_is_schedulable(j);

	if (!eq)
		return sky_err_set(eb, SKY_E_INVAL, "Invalid input: %s", kv);
	if (key_is(kv, klen, "JobName") || key_is(kv, klen, "Name")) {
		u->name_set = true;
		u->name = val;
		return 0;
	}
	if (key_is(kv, klen, "Comment")) {
		u->comment_set = true;
		u->comment = val;
		return 0;
	}
	if (key_is(kv, klen, "TimeLimit"))
		return plan_time(j, op, val, u, eb);
	if (key_is(kv, klen, "Partition")) {
		if (!pending)
			return err_code(eb, SKY_E_JOB_NOT_PENDING);
		if (!(u->part = part_find(&c->parts, val)))
			return err_code(eb, SKY_E_INVALID_PARTITION);
		u->part_set = true;
		return 0;
	}
	if (key_is(kv, klen, "NumNodes") || key_is(kv, klen, "MinNodes")) {
		if (!pending)
			return err_code(eb, SKY_E_JOB_NOT_PENDING);
		return plan_nodes(j, val, u, eb);
	}
	if (key_is(kv, klen, "Nice")) {
		if (!pending)
			return err_code(eb, SKY_E_JOB_NOT_PENDING);
		return plan_nice(op, val, u, eb);
	}
	return sky_err_set(eb, SKY_E_INVAL, "Update of this parameter is not supported: %.*s",
			   (int)klen, kv);
}

/* Cross checks once every setting is known: the limits of the (new) partition. */
static int plan_check(struct ctld *c, struct job *j, bool op, struct update_plan *u, struct sky_errbuf *eb)
{
	const struct partition *p = u->part;
	uint32_t tl = u->time_set ? u->time_limit : j->rec->time_limit_min;
	uint32_t nodes = u->nodes_set ? u->min_nodes : (j->rec->num_nodes ? j->rec->num_nodes : 1);
	bool over;

	if (!p)
		p = part_find(&c->parts, j->rec->partition);
	if (!p)
		return 0;
	over = p->max_time_min != SKY_INFINITE && (tl == SKY_INFINITE || tl > p->max_time_min);
	if (!op && u->raise && over)
		return err_code(eb, SKY_E_ACCESS_DENIED);
	if (!op && over)
		return err_code(eb, SKY_E_TIME_LIMIT);
	if (p->max_nodes != SKY_INFINITE && nodes > p->max_nodes)
		return err_code(eb, SKY_E_NODE_COUNT);
	if (nodes > p->n_nodes)
		return err_code(eb, SKY_E_NODE_CONFIG);
	return 0;
}

static void apply_nice(struct job *j, int64_t nice)
{
	Sky__JobRecord *r = j->rec;
	Sky__JobDesc *d = r->desc;
	int64_t old = d->has_nice ? (int64_t)d->nice - (int64_t)NICE_OFFSET : 0;
	int64_t prio = (int64_t)r->priority - (nice - old);

	d->has_nice = true;
	d->nice = (uint32_t)((int64_t)NICE_OFFSET + nice);
	/* A held job (priority 0) stays held; release recomputes its priority. */
	if (r->priority)
		r->priority = (uint32_t)(prio < 1 ? 1 : prio > 0xfffffffe ? 0xfffffffe : prio);
}

static void apply_plan(struct job *j, const struct update_plan *u)
{
	Sky__JobRecord *r = j->rec;

	if (u->name_set)
		job_set_str(&r->desc->name, u->name);
	if (u->comment_set)
		job_set_str(&r->desc->comment, u->comment);
	if (u->time_set) {
		r->time_limit_min = u->time_limit;
		r->has_time_limit_min = true;
		if (job_is_running(j) && r->start_time)
			r->end_time = u->time_limit == SKY_INFINITE ? 0 :
				      r->start_time + (uint64_t)u->time_limit * 60;
	}
	if (u->part_set) {
		job_set_str(&r->partition, u->part->name);
		job_set_str(&r->desc->partition, u->part->name);
	}
	if (u->nodes_set) {
		r->num_nodes = u->min_nodes;
		r->desc->has_min_nodes = r->desc->has_max_nodes = true;
		r->desc->min_nodes = u->min_nodes;
		r->desc->max_nodes = u->max_nodes;
		if (r->num_cpus < u->min_nodes)
			r->num_cpus = u->min_nodes;
	}
	if (u->nice_set)
		apply_nice(j, u->nice);
}

int job_update_apply(struct ctld *c, struct job *j, bool operator,
		     const Sky__UpdateJobRequest *q, struct sky_errbuf *eb)
{
	struct update_plan u;
	size_t i;
	int rc;

	memset(&u, 0, sizeof(u));
	if (job_is_finished(j) || (job_is_completing(j) && !job_is_pending(j)))
		return err_code(eb, SKY_E_ALREADY_DONE);
	if (!q->n_settings)
		return sky_err_set(eb, SKY_E_INVAL, "No changes specified");
	for (i = 0; i < q->n_settings; i++)
		if ((rc = plan_one(c, j, operator, q->settings[i], &u, eb)))
			return rc;
	if ((rc = plan_check(c, j, operator, &u, eb)))
		return rc;
	apply_plan(j, &u);
	return 0;
}
