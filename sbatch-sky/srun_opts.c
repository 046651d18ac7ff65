/* srun_opts.c: see srun_opts.h. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_util.h"
#include "env_export.h"
#include "srun_opts.h"
#include "xalloc.h"

enum {
	OPT_NTPN = 0x100, OPT_KOBE, OPT_CPU_BIND, OPT_EXPORT, OPT_MPI, OPT_MEM, OPT_MEM_PER_CPU,
	OPT_EXCLUSIVE, OPT_GRES, OPT_GPT, OPT_GPN, OPT_JOBID, OPT_OVERLAP, OPT_HELP,
	OPT_VERSION, OPT_USAGE,
};

static const struct option long_opts[] = {
	{ "nodes", required_argument, NULL, 'N' },
	{ "ntasks", required_argument, NULL, 'n' },
	{ "ntasks-per-node", required_argument, NULL, OPT_NTPN },
	{ "cpus-per-task", required_argument, NULL, 'c' },
	{ "label", no_argument, NULL, 'l' },
	{ "output", required_argument, NULL, 'o' },
	{ "error", required_argument, NULL, 'e' },
	{ "input", required_argument, NULL, 'i' },
	{ "kill-on-bad-exit", optional_argument, NULL, OPT_KOBE },
	{ "cpu-bind", required_argument, NULL, OPT_CPU_BIND },
	{ "cpu_bind", required_argument, NULL, OPT_CPU_BIND },
	{ "export", required_argument, NULL, OPT_EXPORT },
	{ "mpi", required_argument, NULL, OPT_MPI },
	{ "job-name", required_argument, NULL, 'J' },
	{ "nodelist", required_argument, NULL, 'w' },
	{ "exclude", required_argument, NULL, 'x' },
	{ "partition", required_argument, NULL, 'p' },
	{ "time", required_argument, NULL, 't' },
	{ "mem", required_argument, NULL, OPT_MEM },
	{ "mem-per-cpu", required_argument, NULL, OPT_MEM_PER_CPU },
	{ "exclusive", optional_argument, NULL, OPT_EXCLUSIVE },
	{ "gres", required_argument, NULL, OPT_GRES },
	{ "gpus", required_argument, NULL, 'G' },
	{ "gpus-per-task", required_argument, NULL, OPT_GPT },
	{ "gpus-per-node", required_argument, NULL, OPT_GPN },
	{ "account", required_argument, NULL, 'A' },
	{ "constraint", required_argument, NULL, 'C' },
	{ "chdir", required_argument, NULL, 'D' },
	{ "jobid", required_argument, NULL, OPT_JOBID },
	{ "overlap", no_argument, NULL, OPT_OVERLAP },
	{ "unbuffered", no_argument, NULL, 'u' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'Q' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "usage", no_argument, NULL, OPT_USAGE },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static int bad(struct sky_errbuf *eb, const char *what, const char *val)
{
	return sky_err_set(eb, SKY_E_INVAL, "Invalid %s specification: %s", what, val);
}

static int count_arg(const char *s, const char *what, uint32_t *out, struct sky_errbuf *eb)
{
	if (!cli_parse_u32(s, 1, 0x7fffffff, out))
		return bad(eb, what, s);
	return 0;
}

/* -N min[-max]: the minimum is what a step can use. */
static int nodes_arg(const char *s, uint32_t *out, struct sky_errbuf *eb)
{
	char *copy = xstrdup(s), *dash = strchr(copy, '-');
	int rc;

	if (dash)
		*dash = '\0';
	rc = count_arg(copy, "node count", out, eb);
	free(copy);
	return rc;
}

static int cpu_bind_arg(const char *s, enum srun_cpu_bind *out, struct sky_errbuf *eb)
{
	const char *v = s;

	/* "verbose," and "quiet," prefixes only change reporting. */
	if (!strncasecmp(v, "quiet,", 6))
		v += 6;
	else if (!strncasecmp(v, "verbose,", 8))
		v += 8;
	if (!strcasecmp(v, "none") || !strcasecmp(v, "no"))
		*out = SRUN_BIND_NONE;
	else if (!strcasecmp(v, "cores"))
		*out = SRUN_BIND_CORES;
	else
		return sky_err_set(eb, SKY_E_INVAL, "Invalid --cpu-bind argument: %s", s);
	return 0;
}

static void set_str(char **field, const char *val)
{
	free(*field);
	*field = xstrdup(val);
}

static void print_usage(void)
{
	printf("Usage: srun [OPTIONS(0)... [executable(0) [args(0)...]]]\n");
}

static void print_help(void)
{
	print_usage();
	printf("Parallel run options:\n"
	       "  -c, --cpus-per-task=ncpus   number of cpus required per task\n"
	       "  -D, --chdir=path            change remote current working directory\n"
	       "  -e, --error=err             location of stderr redirection\n"
	       "      --export=env_vars|NONE  environment passed to the tasks\n"
	       "  -i, --input=in              location of stdin redirection\n"
	       "  -J, --job-name=jobname      name of job\n"
	       "  -K, --kill-on-bad-exit      kill the job if any task terminates with a\n"
	       "                              non-zero exit code\n"
	       "  -l, --label                 prepend task number to lines of stdout/err\n"
	       "  -N, --nodes=N               number of nodes on which to run (N = min[-max])\n"
	       "  -n, --ntasks=ntasks         number of tasks to run\n"
	       "      --ntasks-per-node=n     number of tasks to invoke on each node\n"
	       "  -o, --output=out            location of stdout redirection\n"
	       "  -p, --partition=partition   partition requested\n"
	       "  -t, --time=minutes          time limit\n"
	       "  -w, --nodelist=hosts...     request a specific list of hosts\n"
	       "  -x, --exclude=hosts...      exclude a specific list of hosts\n"
	       "      --cpu-bind=none|cores   task binding\n"
	       "      --mpi=none              MPI type\n");
}

static int env_defaults(char *const *env, struct srun_opts *o, struct sky_errbuf *eb)
{
	const char *v;

	if (!o->job_id && ((v = env_get(env, "SLURM_JOB_ID")) || (v = env_get(env, "SLURM_JOBID"))) &&
	    !cli_parse_u32(v, 1, 0xfffffffe, &o->job_id))
		return sky_err_set(eb, SKY_E_INVAL, "Invalid SLURM_JOB_ID: %s", v);
	if (!o->job_id)
		return 0;
	/* Inside an allocation, the job's task geometry is the default, unless
	 * the command line lays the step out itself (-N or --ntasks-per-node). */
	if (!o->ntasks && !o->nodes && !o->ntasks_per_node && (v = env_get(env, "SLURM_NTASKS")))
		(void)cli_parse_u32(v, 1, 0x7fffffff, &o->ntasks);
	if (!o->ntasks_per_node && (v = env_get(env, "SLURM_NTASKS_PER_NODE")))
		(void)cli_parse_u32(v, 1, 0x7fffffff, &o->ntasks_per_node);
	if (!o->cpus_per_task && (v = env_get(env, "SLURM_CPUS_PER_TASK")))
		(void)cli_parse_u32(v, 1, 0x7fffffff, &o->cpus_per_task);
	if (o->kill_on_bad_exit < 0 && (v = env_get(env, "SLURM_KILL_BAD_EXIT")))
		o->kill_on_bad_exit = atoi(v) ? 1 : 0;
	return 0;
}

static int one_opt(int c, const char *arg, struct srun_opts *o, bool *exit_now,
		   struct sky_errbuf *eb)
{
	switch (c) {
	case 'N': return nodes_arg(arg, &o->nodes, eb);
	case 'n': return count_arg(arg, "number of tasks", &o->ntasks, eb);
	case OPT_NTPN: return count_arg(arg, "ntasks-per-node", &o->ntasks_per_node, eb);
	case 'c': return count_arg(arg, "cpus-per-task", &o->cpus_per_task, eb);
	case 'l': o->label = true; return 0;
	case 'o': set_str(&o->std_out, arg); return 0;
	case 'e': set_str(&o->std_err, arg); return 0;
	case 'i': set_str(&o->std_in, arg); return 0;
	case 'K': o->kill_on_bad_exit = arg ? (atoi(arg) ? 1 : 0) : 1; return 0;
	case OPT_KOBE: o->kill_on_bad_exit = arg ? (atoi(arg) ? 1 : 0) : 1; return 0;
	case OPT_CPU_BIND: return cpu_bind_arg(arg, &o->cpu_bind, eb);
	case OPT_EXPORT: set_str(&o->export_env, arg); return 0;
	case OPT_MPI:
		if (strcasecmp(arg, "none") && strcasecmp(arg, "pmi2") && strcasecmp(arg, "pmix"))
			return sky_err_set(eb, SKY_E_INVAL, "MPI type '%s' is not supported", arg);
		return 0;
	case 'J': set_str(&o->job_name, arg); return 0;
	case 'w': set_str(&o->nodelist, arg); return 0;
	case 'x': set_str(&o->exclude, arg); return 0;
	case 'p': set_str(&o->partition, arg); return 0;
	case 't': set_str(&o->time_limit, arg); return 0;
	case OPT_MEM: set_str(&o->mem, arg); return 0;
	case OPT_MEM_PER_CPU: set_str(&o->mem_per_cpu, arg); return 0;
	case OPT_EXCLUSIVE: o->exclusive = true; return 0;
	case OPT_GRES: set_str(&o->gres, arg); return 0;
	case 'G': set_str(&o->gpus, arg); return 0;
	case OPT_GPT: set_str(&o->gpus_per_task, arg); return 0;
	case OPT_GPN: set_str(&o->gpus_per_node, arg); return 0;
	case 'A': set_str(&o->account, arg); return 0;
	case 'C': set_str(&o->constraint, arg); return 0;
	case 'D': set_str(&o->chdir, arg); return 0;
	case OPT_JOBID:
		if (!cli_parse_u32(arg, 1, 0xfffffffe, &o->job_id))
			return bad(eb, "job id", arg);
		return 0;
	case OPT_OVERLAP: o->overlap = true; return 0;
	case 'u': o->unbuffered = true; return 0;
	case 'v': o->verbose++; return 0;
	case 'Q': o->quiet = true; return 0;
	case OPT_HELP: print_help(); *exit_now = true; return 0;
	case OPT_USAGE: print_usage(); *exit_now = true; return 0;
	case OPT_VERSION: cli_print_version(); *exit_now = true; return 0;
	default:
		return sky_err_set(eb, SKY_E_INVAL, "Try \"srun --help\" for more information");
	}
}

int srun_opts_parse(int argc, char **argv, char *const *env, struct srun_opts *o,
		    bool *exit_now, struct sky_errbuf *eb)
{
	int c, rc;

	memset(o, 0, sizeof(*o));
	o->kill_on_bad_exit = -1;
	*exit_now = false;
	optind = 0;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "+N:n:c:lo:e:i:K::J:w:x:p:t:G:A:C:D:uvQ", long_opts,
				NULL)) != -1) {
		if ((rc = one_opt(c, optarg, o, exit_now, eb)))
			return rc;
		if (*exit_now)
			return 0;
	}
	o->argc = argc - optind;
	o->argv = argv + optind;
	if (!o->argc)
		return sky_err_set(eb, SKY_E_INVAL, "No command given to execute.");
	return env_defaults(env, o, eb);
}

void srun_opts_free(struct srun_opts *o)
{
	free(o->std_out);
	free(o->std_err);
	free(o->std_in);
	free(o->export_env);
	free(o->job_name);
	free(o->nodelist);
	free(o->exclude);
	free(o->partition);
	free(o->time_limit);
	free(o->mem);
	free(o->mem_per_cpu);
	free(o->gres);
	free(o->gpus);
	free(o->gpus_per_task);
	free(o->gpus_per_node);
	free(o->account);
	free(o->constraint);
	free(o->chdir);
}
