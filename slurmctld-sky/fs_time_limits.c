/*
 * fs_time_limits.c: the association limits counted in time (slurm.md
 * section 7): GrpTRESMins against the decayed usage, GrpTRESRunMins against
 * what the running jobs' time limits have left, GrpWall against the decayed
 * wall time, MaxTRESMinsPerJob against the job's own TRES x time limit.
 *
 * A job without a time limit (UNLIMITED) would need unbounded TRES-minutes:
 * Slurm holds it under any of these limits, and so do we. Running jobs are
 * not killed when a group overruns GrpTRESMins (Slurm's "safe"-less
 * behaviour): new ones just stop starting.
 */
#include "config.h"

#include <string.h>

#include "cloud_info.h"
#include "ctld.h"
#include "fs_ctld.h"
#include "fs_int.h"
#include "timefmt.h"

enum time_kind { TK_GRP_MINS, TK_GRP_RUN_MINS, TK_MAX_MINS_PER_JOB };

/* Slurm's reason (job_reason strings) for a time limit of kind k on TRES i. */
static const char *time_reason(const struct tres_table *t, size_t i, enum time_kind k)
{
	static const char *const cpu[] = { "AssocGrpCPUMinutesLimit", "AssocGrpCPURunMinutesLimit",
					   "AssocMaxCpuMinutesPerJobLimit" };
	static const char *const mem[] = { "AssocGrpMemMinutes", "AssocGrpMemRunMinutes",
					   "AssocMaxMemMinutesPerJob" };
	static const char *const node[] = { "AssocGrpNodeMinutes", "AssocGrpNodeRunMinutes",
					    "AssocMaxNodeMinutesPerJob" };
	static const char *const billing[] = { "AssocGrpBillingMinutes",
					       "AssocGrpBillingRunMinutes",
					       "AssocMaxBillingMinutesPerJob" };
	static const char *const gres[] = { "AssocGrpGRESMinutes", "AssocGrpGRESRunMinutes",
					    "AssocMaxGRESMinutesPerJob" };
	static const char *const cost[] = { "AssocGrpCostMinutes", "AssocGrpCostRunMinutes",
					    "AssocMaxCostMinutesPerJob" };
	static const char *const unknown[] = { "AssocGrpUnknownMinutes",
					       "AssocGrpUnknownRunMinutes",
					       "AssocMaxUnknownMinutesPerJob" };

	switch (i) {
	case TRES_CPU: return cpu[k];
	case TRES_MEM: return mem[k];
	case TRES_NODE: return node[k];
	case TRES_BILLING: return billing[k];
	default: break;
	}
	if (i < t->n && strncmp(t->name[i], "gres/", 5) == 0)
		return gres[k];
	if (i < t->n && strcmp(t->name[i], "cost") == 0)
		return cost[k];
	return unknown[k];
}

/* Seconds the job may run: its time limit, or 0 when unlimited. */
static uint64_t limit_secs(const Sky__JobRecord *r)
{
	if (!r->has_time_limit_min || r->time_limit_min == SKY_INFINITE)
		return 0;
	return (uint64_t)r->time_limit_min * 60;
}

static int zero_run_secs(struct assoc *a, int depth, void *arg)
{
	(void)depth;
	(void)arg;
	memset(a->grp_used_tres_run_secs, 0, sizeof(a->grp_used_tres_run_secs));
	return 0;
}

void fs_time_recount(struct ctld *c, time_t now)
{
	struct fs_ctld *f = c->fs;
	struct job *j;

	assoc_foreach(f->tree, zero_run_secs, NULL);
	JOB_FOREACH(&c->jobs, j) {
		const Sky__JobRecord *r = j->rec;
		uint64_t v[ASSOC_TRES_MAX], left = 0;
		struct assoc *a;

		if (!job_is_running(j) || !j->n_alloc || !(a = fs_job_assoc(c, r)))
			continue;
		/* An unlimited job's "left" is unbounded: count what it may run
		 * in a year, far above any sane limit, without overflowing. */
		if (!limit_secs(r))
			left = 365ull * 86400;
		else if ((uint64_t)now < r->start_time + limit_secs(r))
			left = r->start_time + limit_secs(r) - (uint64_t)now;
		fs_job_tres(f, r, v);
		for (; a; a = a->parent)
			for (size_t i = 0; i < f->tree->tres.n; i++)
				a->grp_used_tres_run_secs[i] += v[i] * left;
	}
}

/*
 * Whether r may run on priced nodes (cloud slots, priced program-provider
 * nodes): a pending job's cost is unknown until it is placed, yet an
 * account that spent its GrpTRESMins=cost must not start more of them.
 */
static bool may_cost(const struct ctld *c, const Sky__JobRecord *r)
{
	const struct partition *p = part_find(&c->parts, r->partition);

	for (size_t i = 0; p && i < p->n_nodes; i++)
		if (p->nodes[i]->pw.cloud || node_price(p->nodes[i]) > 0)
			return true;
	return false;
}

/* The first Grp time limit on a's path that starting (v, secs) would break. */
static const char *grp_blocker(const struct ctld *c, const struct assoc *a0,
			       const Sky__JobRecord *r, const uint64_t *v, uint64_t secs)
{
	const struct fs_ctld *f = c->fs;
	const struct tres_table *t = &f->tree->tres;
	int cost = tres_table_find(t, "cost");

	for (const struct assoc *a = a0; a; a = a->parent) {
		if (a->lim.grp_wall_mins != ASSOC_UNSET32 &&
		    a->grp_used_wall >= (double)a->lim.grp_wall_mins * 60)
			return "AssocGrpWallLimit";
		for (size_t i = 0; i < t->n; i++) {
			uint64_t mins = a->lim.grp_tres_mins.v[i], run = a->lim.grp_tres_run_mins.v[i];

			if (mins != ASSOC_UNSET64 && a->usage_tres[i] >= (double)mins * 60 &&
			    (v[i] || ((int)i == cost && may_cost(c, r))))
				return time_reason(t, i, TK_GRP_MINS);
			if (!v[i])
				continue;
			if (run != ASSOC_UNSET64 &&
			    (!secs || a->grp_used_tres_run_secs[i] + v[i] * secs > run * 60))
				return time_reason(t, i, TK_GRP_RUN_MINS);
		}
	}
	return NULL;
}

const char *fs_time_blocker(const struct ctld *c, const struct assoc *a0,
			    const Sky__JobRecord *r, const uint64_t *v)
{
	const struct fs_ctld *f = c->fs;
	const struct tres_table *t = &f->tree->tres;
	uint64_t secs = limit_secs(r);

	/* MaxTRESMinsPerJob: the nearest level that sets it, per TRES. */
	for (size_t i = 0; i < t->n; i++)
		for (const struct assoc *a = a0; a; a = a->parent) {
			uint64_t lim = a->lim.max_tres_mins_per_job.v[i];

			if (lim == ASSOC_UNSET64)
				continue;
			if (v[i] && (!secs || v[i] * secs > lim * 60))
				return time_reason(t, i, TK_MAX_MINS_PER_JOB);
			break;
		}
	return grp_blocker(c, a0, r, v, secs);
}
