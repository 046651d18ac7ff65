/*
 * opt_table.c: sbatch's option rows and their setters (see opt_table.h).
 * Error texts are Slurm's, since scripts and tests match on them.
 */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_util.h"
#include "opt_array.h"
#include "opt_control.h"
#include "opt_env.h"
#include "opt_mail.h"
#include "opt_table.h"
#include "timefmt.h"
#include "xalloc.h"

#include "job_defs.h"

#define FIELD(o, d, type) ((type *)((char *)(o) + (d)->off))
#define CFIELD(o, d, type) ((const type *)((const char *)(o) + (d)->off))
#define OFF(f) offsetof(struct sbatch_opts, f)

/* ---- generic setters: strings and flags at d->off ---- */

static int set_str(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		   struct sky_errbuf *eb)
{
	char **f = FIELD(o, d, char *);
	(void)eb;
	free(*f);
	*f = xstrdup(arg ? arg : "");
	return 0;
}

/* -o/-e/-i: "none" means /dev/null. */
static int set_path(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		    struct sky_errbuf *eb)
{
	return set_str(d, o, arg && !strcasecmp(arg, "none") ? "/dev/null" : arg, eb);
}

static void reset_str(const struct opt_desc *d, struct sbatch_opts *o)
{
	char **f = FIELD(o, d, char *);
	FREE_NULL(*f);
}

static char *get_str(const struct opt_desc *d, const struct sbatch_opts *o)
{
	const char *const *f = CFIELD(o, d, char *);
	return xstrdup(*f ? *f : "(null)");
}

static int set_flag(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		    struct sky_errbuf *eb)
{
	(void)arg;
	(void)eb;
	*FIELD(o, d, bool) = true;
	return 0;
}

static void reset_flag(const struct opt_desc *d, struct sbatch_opts *o)
{
	*FIELD(o, d, bool) = false;
}

static char *get_flag(const struct opt_desc *d, const struct sbatch_opts *o)
{
	return xstrdup(*CFIELD(o, d, bool) ? "set" : "unset");
}

static char *get_u32(const struct opt_desc *d, const struct sbatch_opts *o)
{
	return xasprintf("%u", *CFIELD(o, d, uint32_t));
}

/* ---- numbers ---- */

/* Slurm's parse_int for options that need a positive count. */
static int parse_pos(const char *opt, const char *arg, uint32_t *out, struct sky_errbuf *eb)
{
	if (!cli_parse_u32(arg, 1, INT32_MAX, out))
		return sky_err_set(eb, SKY_E_INVAL, "Invalid numeric value \"%s\" for %s.",
				   arg ? arg : "", opt);
	return 0;
}

static int set_ntasks(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		      struct sky_errbuf *eb)
{
	(void)d;
	if (parse_pos("--ntasks", arg, &o->ntasks, eb))
		return SKY_E_INVAL;
	o->ntasks_set = true;
	return 0;
}

static void reset_ntasks(const struct opt_desc *d, struct sbatch_opts *o)
{
	(void)d;
	o->ntasks = 0;
	o->ntasks_set = false;
}

static int set_pos_u32(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		       struct sky_errbuf *eb)
{
	char opt[64];

	snprintf(opt, sizeof(opt), "--%s", d->name);
	return parse_pos(opt, arg, FIELD(o, d, uint32_t), eb);
}

static void reset_u32(const struct opt_desc *d, struct sbatch_opts *o)
{
	*FIELD(o, d, uint32_t) = 0;
}

/* One side of -N min[-max]: digits with an optional k/m multiplier; -1 when no digits. */
static long node_count_part(const char *s, const char **left)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (end == s) {
		*left = s;
		return -1;
	}
	if (*end == 'k' || *end == 'K') {
		n *= 1024;
		end++;
	} else if (*end == 'm' || *end == 'M') {
		n *= 1024 * 1024;
		end++;
	}
	*left = end;
	return n;
}

static bool only_space(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	return *s == '\0';
}

static int set_nodes(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		     struct sky_errbuf *eb)
{
	const char *dash = strchr(arg, '-');
	const char *left;
	long lo, hi;

	(void)d;
	if (dash) {
		char *min_str = xstrndup(arg, (size_t)(dash - arg));
		lo = node_count_part(min_str, &left);
		if (!only_space(left)) {
			sky_err_set(eb, SKY_E_INVAL, "\"%s\" is not a valid node count", min_str);
			free(min_str);
			return SKY_E_INVAL;
		}
		free(min_str);
		if (lo < 0)
			lo = 1;
		hi = node_count_part(dash + 1, &left);
		if (!only_space(left) || hi < 0)
			return sky_err_set(eb, SKY_E_INVAL, "\"%s\" is not a valid node count", dash + 1);
	} else {
		lo = hi = node_count_part(arg, &left);
		if (!only_space(left) || lo < 0)
			return sky_err_set(eb, SKY_E_INVAL, "\"%s\" is not a valid node count", arg);
	}
	if (lo > INT32_MAX || hi > INT32_MAX)
		return sky_err_set(eb, SKY_E_INVAL, "\"%s\" is not a valid node count", arg);
	o->min_nodes = (uint32_t)lo;
	o->max_nodes = (uint32_t)hi;
	o->nodes_set = true;
	return 0;
}

static void reset_nodes(const struct opt_desc *d, struct sbatch_opts *o)
{
	(void)d;
	o->min_nodes = o->max_nodes = 0;
	o->nodes_set = false;
}

static char *get_nodes(const struct opt_desc *d, const struct sbatch_opts *o)
{
	(void)d;
	if (o->max_nodes && o->min_nodes != o->max_nodes)
		return xasprintf("%u-%u", o->min_nodes, o->max_nodes);
	return xasprintf("%u", o->min_nodes);
}

/* ---- memory ---- */

static int set_mem(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		   struct sky_errbuf *eb)
{
	struct sky_errbuf tmp;
	bool per_cpu = !strcmp(d->name, "mem-per-cpu");
	uint64_t mb;

	sky_err_clear(&tmp);
	if (!arg || mem_str2mb(arg, &mb, &tmp))
		return sky_err_set(eb, SKY_E_INVAL, "Invalid --%s specification", d->name);
	if (per_cpu) {
		o->mem_per_cpu_mb = mb;
		o->mem_per_cpu_set = true;
	} else {
		o->mem_mb = mb;
		o->mem_set = true;
	}
	return 0;
}

static void reset_mem(const struct opt_desc *d, struct sbatch_opts *o)
{
	if (!strcmp(d->name, "mem-per-cpu")) {
		o->mem_per_cpu_mb = 0;
		o->mem_per_cpu_set = false;
	} else {
		o->mem_mb = 0;
		o->mem_set = false;
	}
}

static char *get_mem(const struct opt_desc *d, const struct sbatch_opts *o)
{
	char buf[64];
	uint64_t mb = !strcmp(d->name, "mem-per-cpu") ? o->mem_per_cpu_mb : o->mem_mb;
	return xstrdup(cli_mem_str(mb, buf, sizeof(buf)));
}

/* ---- times ---- */

static int set_time(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		    struct sky_errbuf *eb)
{
	struct sky_errbuf tmp;
	uint32_t mins;

	sky_err_clear(&tmp);
	if (!arg || time_str2mins(arg, &mins, &tmp))
		return sky_err_set(eb, SKY_E_INVAL, "Invalid --%s specification", d->name);
	/* Slurm's client turns 0 into "no limit" before the controller sees it. */
	*FIELD(o, d, uint32_t) = mins ? mins : SKY_INFINITE;
	return 0;
}

static void reset_time(const struct opt_desc *d, struct sbatch_opts *o)
{
	*FIELD(o, d, uint32_t) = SKY_NO_VAL;
}

static char *get_time(const struct opt_desc *d, const struct sbatch_opts *o)
{
	char buf[64];
	uint32_t mins = *CFIELD(o, d, uint32_t);

	if (mins == SKY_INFINITE)
		return xstrdup("UNLIMITED");
	return xstrdup(secs2time_str_padded((int64_t)mins * 60, buf, sizeof(buf)));
}

static int set_begin(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		     struct sky_errbuf *eb)
{
	struct sky_errbuf tmp;
	time_t t;

	(void)d;
	sky_err_clear(&tmp);
	if (!arg || parse_time_spec(arg, time(NULL), &t, &tmp) || !t)
		return sky_err_set(eb, SKY_E_INVAL, "Invalid --begin specification");
	o->begin = t;
	return 0;
}

static void reset_begin(const struct opt_desc *d, struct sbatch_opts *o)
{
	(void)d;
	o->begin = 0;
}

static char *get_begin(const struct opt_desc *d, const struct sbatch_opts *o)
{
	char buf[64];
	(void)d;
	return xstrdup(timestamp_str(o->begin, buf, sizeof(buf)));
}

/* ---- assorted ---- */

static int set_nice(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		    struct sky_errbuf *eb)
{
	long long v = arg ? strtoll(arg, NULL, 10) : 100;

	(void)d;
	if (llabs(v) > (long long)(NICE_OFFSET - 3))
		return sky_err_set(eb, SKY_E_INVAL, "Invalid --nice value, out of range (+/- %u)",
				   NICE_OFFSET - 3);
	o->nice = (int)v;
	o->nice_set = true;
	return 0;
}

static void reset_nice(const struct opt_desc *d, struct sbatch_opts *o)
{
	(void)d;
	o->nice = 0;
	o->nice_set = false;
}

static char *get_nice(const struct opt_desc *d, const struct sbatch_opts *o)
{
	(void)d;
	return xasprintf("%d", o->nice);
}

static int set_requeue(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		       struct sky_errbuf *eb)
{
	(void)arg;
	(void)eb;
	o->requeue = strcmp(d->name, "no-requeue") ? 1 : 0;
	return 0;
}

static void reset_requeue(const struct opt_desc *d, struct sbatch_opts *o)
{
	(void)d;
	o->requeue = -1;
}

static char *get_requeue(const struct opt_desc *d, const struct sbatch_opts *o)
{
	(void)d;
	if (o->requeue < 0)
		return xstrdup("unset");
	return xstrdup(o->requeue ? "requeue" : "no-requeue");
}

static int set_open_mode(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
			 struct sky_errbuf *eb)
{
	(void)d;
	if (arg && (arg[0] == 'a' || arg[0] == 'A'))
		o->open_mode = 'a';
	else if (arg && (arg[0] == 't' || arg[0] == 'T'))
		o->open_mode = 't';
	else
		return sky_err_set(eb, SKY_E_INVAL, "Invalid --open-mode specification");
	return 0;
}

static void reset_open_mode(const struct opt_desc *d, struct sbatch_opts *o)
{
	(void)d;
	o->open_mode = 0;
}

static char *get_open_mode(const struct opt_desc *d, const struct sbatch_opts *o)
{
	(void)d;
	return xasprintf("%c", o->open_mode ? o->open_mode : '?');
}

static const char *const excl_names[] = {
	[SB_EXCL_UNSET] = "unset",
	[SB_EXCL_EXCLUSIVE] = "exclusive",
	[SB_EXCL_OVERSUBSCRIBE] = "oversubscribe",
	[SB_EXCL_USER] = "user",
	[SB_EXCL_MCS] = "mcs",
};

static int set_exclusive(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
			 struct sky_errbuf *eb)
{
	(void)d;
	if (!arg) {
		o->exclusive = SB_EXCL_EXCLUSIVE;
		return 0;
	}
	for (int i = SB_EXCL_EXCLUSIVE; i <= SB_EXCL_MCS; i++) {
		if (!strcasecmp(arg, excl_names[i])) {
			o->exclusive = (enum sb_exclusive)i;
			return 0;
		}
	}
	return sky_err_set(eb, SKY_E_INVAL, "Invalid --exclusive specification");
}

static void reset_exclusive(const struct opt_desc *d, struct sbatch_opts *o)
{
	(void)d;
	o->exclusive = SB_EXCL_UNSET;
}

static char *get_exclusive(const struct opt_desc *d, const struct sbatch_opts *o)
{
	(void)d;
	return xstrdup(excl_names[o->exclusive]);
}

static int set_uid(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		   struct sky_errbuf *eb)
{
	(void)d;
	if (!cli_parse_uid(arg, &o->uid))
		return sky_err_set(eb, SKY_E_INVAL, "Invalid --uid specification");
	o->uid_set = true;
	return 0;
}

static int set_gid(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		   struct sky_errbuf *eb)
{
	(void)d;
	if (!cli_parse_gid(arg, &o->gid))
		return sky_err_set(eb, SKY_E_INVAL, "Invalid --gid specification");
	o->gid_set = true;
	return 0;
}

static void reset_id(const struct opt_desc *d, struct sbatch_opts *o)
{
	if (!strcmp(d->name, "uid"))
		o->uid_set = false;
	else
		o->gid_set = false;
}

static int set_quiet(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		     struct sky_errbuf *eb)
{
	(void)d;
	(void)arg;
	(void)eb;
	o->quiet++;
	return 0;
}

/* From the command line -v counts; SBATCH_DEBUG carries a number. */
static int set_verbose(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		       struct sky_errbuf *eb)
{
	uint32_t v;

	(void)d;
	(void)eb;
	if (arg && cli_parse_u32(arg, 0, 100, &v))
		o->verbose = (int)v;
	else
		o->verbose++;
	return 0;
}

static void reset_int(const struct opt_desc *d, struct sbatch_opts *o)
{
	*FIELD(o, d, int) = 0;
}

static char *get_int(const struct opt_desc *d, const struct sbatch_opts *o)
{
	return xasprintf("%d", *CFIELD(o, d, int));
}

#define STR_ROW(n, s, e, f, arg, h) \
	{ n, required_argument, s, e, 0, 0, OFF(f), set_str, reset_str, get_str, arg, h }
#define PATH_ROW(n, s, e, f, h) \
	{ n, required_argument, s, e, 0, 0, OFF(f), set_path, reset_str, get_str, "file", h }
#define FLAG_ROW(n, s, e, f, h) \
	{ n, no_argument, s, e, 0, 0, OFF(f), set_flag, reset_flag, get_flag, NULL, h }

/* Sorted by long name, so -v lists options in Slurm's order. */
static const struct opt_desc table[] = {
	STR_ROW("account", 'A', "SBATCH_ACCOUNT", account, "name", "charge job to specified account"),
	STR_ROW("array", 'a', "SBATCH_ARRAY_INX", array, "indexes", "job array index values"),
	{ "begin", required_argument, 'b', NULL, 0, 0, OFF(begin), set_begin, reset_begin, get_begin,
	  "time", "defer job until HH:MM MM/DD/YY" },
	{ "chdir", required_argument, 'D', NULL, OPT_F_FIRST, 0, OFF(chdir), set_str, reset_str,
	  get_str, "path", "change working directory" },
	STR_ROW("comment", 0, NULL, comment, "name", "arbitrary comment"),
	STR_ROW("constraint", 'C', "SBATCH_CONSTRAINT", constraint, "list",
		"specify a list of constraints"),
	STR_ROW("dependency", 'd', NULL, dependency, "type:jobid[:time]",
		"defer job until condition on jobid is satisfied"),
	{ "deadline", required_argument, 0, NULL, 0, 0, OFF(deadline), opt_set_deadline,
	  opt_reset_deadline, opt_get_deadline, "time", "remove the job if no ending possible before this deadline" },
	{ "cpus-per-task", required_argument, 'c', NULL, 0, 0, OFF(cpus_per_task), set_pos_u32,
	  reset_u32, get_u32, "ncpus", "number of cpus required per task" },
	PATH_ROW("error", 'e', "SBATCH_ERROR", std_err, "file for batch script's standard error"),
	STR_ROW("exclude", 'x', NULL, exclude, "hosts...", "exclude a specific list of hosts"),
	{ "exclusive", optional_argument, 0, "SBATCH_EXCLUSIVE", 0, 0, OFF(exclusive), set_exclusive,
	  reset_exclusive, get_exclusive, "user|mcs", "allocate nodes in exclusive mode" },
	STR_ROW("export", 0, "SBATCH_EXPORT", export_env, "names|ALL|NONE",
		"specify environment variables to export"),
	STR_ROW("export-file", 0, NULL, export_file, "file|fd",
		"specify environment variables file or file descriptor to export"),
	{ "get-user-env", optional_argument, 0, "SBATCH_GET_USER_ENV", 0, 0, OFF(get_user_env),
	  opt_set_get_user_env, opt_reset_get_user_env, opt_get_get_user_env, "timeout",
	  "load the user's login environment on the node" },
	{ "gid", required_argument, 0, NULL, 0, 0, OFF(gid), set_gid, reset_id, get_u32,
	  "group_id", "group ID to run job as (user root only)" },
	STR_ROW("gpus", 'G', "SBATCH_GPUS", gpus, "n", "count of GPUs required for the job"),
	STR_ROW("gpus-per-node", 0, "SBATCH_GPUS_PER_NODE", gpus_per_node, "n",
		"number of GPUs required per allocated node"),
	STR_ROW("gpus-per-task", 0, "SBATCH_GPUS_PER_TASK", gpus_per_task, "n",
		"number of GPUs required per spawned task"),
	STR_ROW("gres", 0, "SBATCH_GRES", gres, "list", "required generic resources"),
	{ "help", no_argument, 'h', NULL, OPT_F_EARLY, 0, OFF(help), set_flag, reset_flag, NULL,
	  NULL, "show this help message" },
	FLAG_ROW("hold", 'H', NULL, hold, "submit job in held state"),
	PATH_ROW("input", 'i', "SBATCH_INPUT", std_in, "file for batch script's standard input"),
	STR_ROW("job-name", 'J', "SBATCH_JOB_NAME", job_name, "jobname", "name of job"),
	{ "kill-on-invalid-dep", required_argument, 0, NULL, 0, 0, OFF(kill_on_invalid_dep),
	  opt_set_kill_dep, opt_reset_kill_dep, opt_get_kill_dep, "yes|no",
	  "if a job has an invalid dependency, then Slurm is to terminate it" },
	{ "mail-type", required_argument, 0, NULL, 0, 0, OFF(mail_type), opt_set_mail_type,
	  reset_str, get_str, "type", "notify on state change: BEGIN, END, FAIL or ALL" },
	STR_ROW("mail-user", 0, NULL, mail_user, "user", "who to send email notification for job state changes"),
	{ "mem", required_argument, 0, "SBATCH_MEM_PER_NODE", 0, 0, OFF(mem_mb), set_mem, reset_mem,
	  get_mem, "MB", "minimum amount of real memory" },
	{ "mem-per-cpu", required_argument, 0, "SBATCH_MEM_PER_CPU", 0, 0, OFF(mem_per_cpu_mb),
	  set_mem, reset_mem, get_mem, "MB", "maximum amount of real memory per allocated cpu" },
	{ "mem-per-gpu", required_argument, 0, "SBATCH_MEM_PER_GPU", 0, 0, OFF(mem_per_gpu_mb),
	  opt_set_mem_per_gpu, opt_reset_mem_per_gpu, opt_get_mem_per_gpu, "MB",
	  "real memory required per allocated GPU" },
	{ "nice", optional_argument, 0, NULL, 0, 0, OFF(nice), set_nice, reset_nice, get_nice,
	  "value", "decrease scheduling priority by value" },
	{ "no-requeue", no_argument, 0, "SBATCH_NO_REQUEUE", 0, 1, OFF(requeue), set_requeue,
	  reset_requeue, get_requeue, NULL, "if set, do not permit the job to be requeued" },
	STR_ROW("nodelist", 'w', NULL, nodelist, "hosts...", "request a specific list of hosts"),
	{ "nodes", required_argument, 'N', NULL, 0, 0, OFF(min_nodes), set_nodes, reset_nodes,
	  get_nodes, "N", "number of nodes on which to run (N = min[-max])" },
	{ "ntasks", required_argument, 'n', NULL, 0, 0, OFF(ntasks), set_ntasks, reset_ntasks, get_u32,
	  "ntasks", "number of tasks to run" },
	{ "ntasks-per-node", required_argument, 0, NULL, 0, 2, OFF(ntasks_per_node), set_pos_u32,
	  reset_u32, get_u32, "n", "number of tasks to invoke on each node" },
	{ "open-mode", required_argument, 0, "SBATCH_OPEN_MODE", 0, 0, OFF(open_mode), set_open_mode,
	  reset_open_mode, get_open_mode, "append|truncate", "output and error file open mode" },
	PATH_ROW("output", 'o', "SBATCH_OUTPUT", std_out, "file for batch script's standard output"),
	FLAG_ROW("parsable", 0, NULL, parsable, "outputs only the jobid and cluster name (if present)"),
	STR_ROW("partition", 'p', "SBATCH_PARTITION", partition, "partition",
		"partition requested"),
	{ "priority", required_argument, 0, NULL, 0, 0, OFF(priority), opt_set_priority,
	  opt_reset_priority, opt_get_priority, "value", "set the priority of the job to value" },
	STR_ROW("qos", 'q', "SBATCH_QOS", qos, "qos", "quality of service"),
	{ "quiet", no_argument, 'Q', NULL, OPT_F_EARLY, 0, OFF(quiet), set_quiet, reset_int, get_int,
	  NULL, "quiet mode (suppress informational messages)" },
	{ "requeue", no_argument, 0, "SBATCH_REQUEUE", 0, 1, OFF(requeue), set_requeue,
	  reset_requeue, get_requeue, NULL, "if set, permit the job to be requeued" },
	{ "signal", required_argument, 0, "SBATCH_SIGNAL", 0, 0, OFF(signal_num), opt_set_signal,
	  opt_reset_signal, opt_get_signal, "[R:]num[@time]",
	  "send signal when time limit within time seconds" },
	{ "tasks-per-node", required_argument, 0, NULL, 0, 2, OFF(ntasks_per_node), set_pos_u32,
	  reset_u32, get_u32, NULL, NULL },
	FLAG_ROW("test-only", 0, NULL, test_only, "validate batch script but do not submit"),
	{ "time", required_argument, 't', "SBATCH_TIMELIMIT", 0, 0, OFF(time_limit), set_time,
	  reset_time, get_time, "minutes", "time limit" },
	{ "time-min", required_argument, 0, NULL, 0, 0, OFF(time_min), set_time, reset_time,
	  get_time, "minutes", "minimum time limit (if distinct)" },
	{ "uid", required_argument, 0, NULL, 0, 0, OFF(uid), set_uid, reset_id, get_u32, "user_id",
	  "user ID to run job as (user root only)" },
	{ "usage", no_argument, 0, NULL, OPT_F_EARLY, 0, OFF(usage), set_flag, reset_flag, NULL,
	  NULL, "display brief usage message" },
	{ "verbose", no_argument, 'v', "SBATCH_DEBUG", OPT_F_EARLY, 0, OFF(verbose), set_verbose,
	  reset_int, get_int, NULL, "verbose mode (multiple -v's increase verbosity)" },
	{ "version", no_argument, 'V', NULL, OPT_F_EARLY, 0, OFF(version), set_flag, reset_flag,
	  NULL, NULL, "output version information and exit" },
	FLAG_ROW("wait", 'W', "SBATCH_WAIT", wait,
		 "wait for completion of submitted job"),
	{ "wrap", required_argument, 0, NULL, OPT_F_EARLY, 0, OFF(wrap), set_str, reset_str, get_str,
	  "command string", "wrap command string in a sh script and submit" },
};

const struct opt_desc *opt_table(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}

int opt_find(const char *name)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(table[i].name, name))
			return (int)i;
	return -1;
}

void opt_print_usage(FILE *fp)
{
	fprintf(fp, "Usage: sbatch [-N nnodes] [-n ntasks] [-c ncpus] [-p partition] [--hold]\n"
		    "              [--parsable] [-t minutes] [-D path] [-J jobname]\n"
		    "              [--input file] [--output file] [--error file]\n"
		    "              [--time-min=minutes] [--chdir=directory] [--verbose]\n"
		    "              [--gid=group] [--uid=user] [--mem=MB] [--mem-per-cpu=MB]\n"
		    "              [--account=name] [--comment=name] [--nice[=value]] [--wait]\n"
		    "              [--requeue] [--no-requeue] [--ntasks-per-node=n]\n"
		    "              [--nodelist=hosts] [--exclude=hosts] [--qos=qos] [--gres=list]\n"
		    "              [--export[=names]] [--gpus=n] [--gpus-per-node=n]\n"
		    "              executable [args...]\n");
}

void opt_print_help(FILE *fp)
{
	fprintf(fp, "Usage: sbatch [OPTIONS(0)...] [ : [OPTIONS(N)...]] script(0) [args(0)...]\n"
		    "\nParallel run options:\n");
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct opt_desc *d = &table[i];
		char left[64];

		if (!d->help || ((d->flags & OPT_F_EARLY) && d->has_arg == no_argument))
			continue;
		snprintf(left, sizeof(left), "%c%c%c --%s%s%s%s", d->short_opt ? '-' : ' ',
			 d->short_opt ? d->short_opt : ' ', d->short_opt ? ',' : ' ', d->name,
			 d->argname ? (d->has_arg == optional_argument ? "[=" : "=") : "",
			 d->argname ? d->argname : "",
			 d->argname && d->has_arg == optional_argument ? "]" : "");
		fprintf(fp, "  %-30s %s\n", left, d->help);
	}
	fprintf(fp, "\nHelp options:\n"
		    "  -h, --help                     show this help message\n"
		    "      --usage                    display brief usage message\n"
		    "\nOther options:\n"
		    "  -Q, --quiet                    quiet mode (suppress informational messages)\n"
		    "  -v, --verbose                  verbose mode (multiple -v's increase verbosity)\n"
		    "  -V, --version                  output version information and exit\n");
}
