/*
 * sacctmgr_qos.c: sacctmgr show|list qos [Name=...] [format=...] with
 * Slurm's default columns (sacctmgr's qos_functions.c, 22.05: Name, Prio,
 * GraceT, Preempt, PreemptE, PreemptM, Flags%40, UsageThres, UsageFactor,
 * GrpTRES, GrpTRESMins, GrpTRESRunMins, GrpJ, GrpS, GrpW, MaxTRES,
 * MaxTRESPerNode, MaxTRESMins, MaxW, MaxTRESPU, MaxJPU, MaxSubmitPU,
 * MaxTRESPA, MaxJPA, MaxSubmitPA, MinTRES). Columns slurm-sky does not keep
 * print as Slurm prints them unset.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acct_print.h"
#include "assoc_client.h"
#include "cli_util.h"
#include "log.h"
#include "qos.h"
#include "sacctmgr.h"
#include "timefmt.h"
#include "xalloc.h"

enum qf {
	Q_NAME, Q_PRIO, Q_GRACE, Q_PREEMPT, Q_PREEMPT_EXEMPT, Q_PREEMPT_MODE, Q_FLAGS,
	Q_USAGE_THRES, Q_USAGE_FACTOR, Q_GRP_TRES, Q_GRP_TRES_MINS, Q_GRP_TRES_RUN_MINS,
	Q_GRP_JOBS, Q_GRP_SUBMIT, Q_GRP_WALL, Q_MAX_TRES, Q_MAX_TRES_PN, Q_MAX_TRES_MINS,
	Q_MAX_WALL, Q_MAX_TRES_PU, Q_MAX_JOBS_PU, Q_MAX_SUBMIT_PU, Q_MAX_TRES_PA, Q_MAX_JOBS_PA,
	Q_MAX_SUBMIT_PA, Q_MIN_TRES, Q_DESCR, Q_ID,
};

static const struct sm_field qdefs[] = {
	{ "Name", "Name", 10, Q_NAME },
	{ "Priority", "Priority", 10, Q_PRIO },
	{ "GraceTime", "GraceTime", 10, Q_GRACE },
	{ "Preempt", "Preempt", 10, Q_PREEMPT },
	{ "PreemptExemptTime", "PreemptExemptTime", 19, Q_PREEMPT_EXEMPT },
	{ "PreemptMode", "PreemptMode", 11, Q_PREEMPT_MODE },
	{ "Flags", "Flags", 10, Q_FLAGS },
	{ "UsageThreshold|UsageThres", "UsageThres", 10, Q_USAGE_THRES },
	{ "UsageFactor", "UsageFactor", 11, Q_USAGE_FACTOR },
	{ "GrpTRES", "GrpTRES", 13, Q_GRP_TRES },
	{ "GrpTRESMins", "GrpTRESMins", 13, Q_GRP_TRES_MINS },
	{ "GrpTRESRunMins", "GrpTRESRunMin", 13, Q_GRP_TRES_RUN_MINS },
	{ "GrpJobs", "GrpJobs", 7, Q_GRP_JOBS },
	{ "GrpSubmitJobs|GrpSubmit", "GrpSubmit", 9, Q_GRP_SUBMIT },
	{ "GrpWall", "GrpWall", 11, Q_GRP_WALL },
	{ "MaxTRES|MaxTRESPerJob", "MaxTRES", 13, Q_MAX_TRES },
	{ "MaxTRESPerNode", "MaxTRESPerNode", 14, Q_MAX_TRES_PN },
	{ "MaxTRESMins|MaxTRESMinsPerJob", "MaxTRESMins", 13, Q_MAX_TRES_MINS },
	{ "MaxWall|MaxWallDurationPerJob", "MaxWall", 11, Q_MAX_WALL },
	{ "MaxTRESPU|MaxTRESPerUser", "MaxTRESPU", 13, Q_MAX_TRES_PU },
	{ "MaxJobsPU|MaxJobsPerUser", "MaxJobsPU", 9, Q_MAX_JOBS_PU },
	{ "MaxSubmitPU|MaxSubmitJobsPerUser|MaxSubmitJobsPU", "MaxSubmitPU", 11, Q_MAX_SUBMIT_PU },
	{ "MaxTRESPA|MaxTRESPerAccount", "MaxTRESPA", 13, Q_MAX_TRES_PA },
	{ "MaxJobsPA|MaxJobsPerAccount", "MaxJobsPA", 9, Q_MAX_JOBS_PA },
	{ "MaxSubmitPA|MaxSubmitJobsPerAccount", "MaxSubmitPA", 11, Q_MAX_SUBMIT_PA },
	{ "MinTRES|MinTRESPerJob", "MinTRES", 13, Q_MIN_TRES },
	{ "Description|Descr", "Descr", 20, Q_DESCR },
	{ "ID", "ID", 6, Q_ID },
};
#define N_QDEFS (sizeof(qdefs) / sizeof(qdefs[0]))

#define QOS_DEFAULT "Name,Priority,GraceTime,Preempt,PreemptExemptTime,PreemptMode,Flags%40," \
	"UsageThres,UsageFactor,GrpTRES,GrpTRESMins,GrpTRESRunMins,GrpJobs,GrpSubmit,GrpWall," \
	"MaxTRES,MaxTRESPerNode,MaxTRESMins,MaxWall,MaxTRESPU,MaxJobsPU,MaxSubmitPU,MaxTRESPA," \
	"MaxJobsPA,MaxSubmitPA,MinTRES"

static char *u32_or_null(uint32_t v)
{
	return v == ASSOC_UNSET32 ? NULL : xasprintf("%u", v);
}

static char *tres_or_null(const struct tres_table *tt, const struct tres_vec *v)
{
	char *s = tres_vec_str(tt, v);

	if (!*s)
		FREE_NULL(s);
	return s;
}

static char *qvalue(const struct tres_table *tt, const struct qos *q, enum qf k)
{
	char buf[64];

	switch (k) {
	case Q_NAME: return xstrdup(q->name);
	case Q_PRIO: return xasprintf("%u", q->priority);
	case Q_GRACE: return xstrdup("00:00:00");
	case Q_PREEMPT: return xstrdup(q->preempt);
	case Q_PREEMPT_MODE: return xstrdup("cluster");
	case Q_FLAGS: return qos_flags_str(q->flags);
	case Q_USAGE_FACTOR: return xasprintf("%f", q->usage_factor);
	case Q_GRP_TRES: return tres_or_null(tt, &q->grp_tres);
	case Q_GRP_JOBS: return u32_or_null(q->grp_jobs);
	case Q_GRP_SUBMIT: return u32_or_null(q->grp_submit);
	case Q_MAX_TRES: return tres_or_null(tt, &q->max_tres_pj);
	case Q_MAX_WALL:
		return q->max_wall_mins == ASSOC_UNSET32 ? NULL :
		       xstrdup(mins2time_str_padded(q->max_wall_mins, buf, sizeof(buf)));
	case Q_MAX_TRES_PN: return tres_or_null(tt, &q->max_tres_pn);
	case Q_MAX_TRES_PU: return tres_or_null(tt, &q->max_tres_pu);
	case Q_MAX_JOBS_PU: return u32_or_null(q->max_jobs_pu);
	case Q_MAX_SUBMIT_PU: return u32_or_null(q->max_submit_pu);
	case Q_DESCR: return xstrdup(q->description);
	case Q_ID: return xasprintf("%u", q->id);
	default: return NULL;   /* not kept: unset, as Slurm prints it */
	}
}

/* Name lists from "NAME", "Name=a,b" and "where"; the format from "format=". */
static int parse_qargs(char **args, size_t n, const char **fmt, char ***names, size_t *n_names)
{
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(args[i], '=');
		size_t kl = eq ? (size_t)(eq - args[i]) : 0;

		if (!strcasecmp(args[i], "where"))
			continue;
		if (!eq)
			assoc_names_push(names, n_names, args[i]);
		else if (sm_name_in("Format", args[i], kl, false))
			*fmt = eq + 1;
		else if (sm_name_in("Names|Name", args[i], kl, false))
			assoc_names_push(names, n_names, eq + 1);
		else if (!sm_name_in("Clusters|Cluster", args[i], kl, false)) {
			log_error("Unknown condition: %s", args[i]);
			return -1;
		}
	}
	return 0;
}

static bool wanted(char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return !n;
}

static void print_table(const struct sm_opts *o, const struct sm_cols *cols,
			const struct tres_table *tt, const struct qos_table *t, char **names,
			size_t n_names)
{
	if (!o->noheader)
		acct_print_header(cols->c, cols->n, o->parsable);
	for (size_t i = 0; i < t->n; i++) {
		char **vals;

		if (!wanted(names, n_names, t->v[i]->name))
			continue;
		vals = xcalloc(cols->n + 1, sizeof(*vals));
		for (size_t k = 0; k < cols->n; k++)
			vals[k] = qvalue(tt, t->v[i], (enum qf)cols->k[k]);
		acct_print_row(cols->c, cols->n, (const char *const *)vals, o->parsable);
		for (size_t k = 0; k < cols->n; k++)
			free(vals[k]);
		free(vals);
	}
}

int sm_show_qos(const struct sm_opts *o, char **args, size_t n)
{
	const char *fmt = QOS_DEFAULT;
	struct sm_cols cols = { 0 };
	struct qos_table *t = NULL;
	struct assoc_info ai;
	struct sky_errbuf eb;
	char **names = NULL;
	size_t n_names = 0;
	int rc = 1;

	sky_err_clear(&eb);
	if (parse_qargs(args, n, &fmt, &names, &n_names) ||
	    sm_parse_format(fmt, qdefs, N_QDEFS, &cols))
		goto out;
	if (assoc_info_load(&ai, &eb)) {
		log_error("Problem talking to the database: %s", cli_rpc_errtext(&eb));
		goto out;
	}
	if (!ai.rep->qos)
		t = qos_table_new();   /* a controller from before QOS: "normal" only */
	else if (qos_table_from_pb(ai.rep->qos, &ai.tree->tres, &t, &eb))
		log_error("Problem with query: %s", sky_err_msg(&eb));
	if (t) {
		print_table(o, &cols, &ai.tree->tres, t, names, n_names);
		rc = 0;
	}
	qos_table_free(t);
	assoc_info_free(&ai);
out:
	for (size_t i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	free(cols.c);
	free(cols.k);
	return rc;
}
