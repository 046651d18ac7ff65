/*
 * srun_opts.h: srun's command line and input environment (srun(1)).
 *
 * Options stop at the first non-option word: that is the command, and
 * everything after it belongs to the command. Inside an allocation srun
 * takes -n, --ntasks-per-node and -c from SLURM_NTASKS,
 * SLURM_NTASKS_PER_NODE and SLURM_CPUS_PER_TASK when not given, as Slurm
 * does.
 */
#ifndef SKY_SRUN_OPTS_H
#define SKY_SRUN_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "sky_err.h"

enum srun_cpu_bind { SRUN_BIND_NONE = 0, SRUN_BIND_CORES = 1 };

struct srun_opts {
	uint32_t nodes;             /* -N (minimum of a range); 0 = not given */
	uint32_t ntasks;            /* -n */
	uint32_t ntasks_per_node;
	uint32_t cpus_per_task;     /* -c */
	bool label;                 /* -l */
	bool unbuffered;            /* -u */
	char *std_out, *std_err, *std_in;   /* -o -e -i patterns */
	int kill_on_bad_exit;       /* -1 not given, 0, 1 */
	enum srun_cpu_bind cpu_bind;
	char *export_env;           /* --export */
	char *job_name;             /* -J */
	char *nodelist;             /* -w */
	char *exclude;              /* -x */
	char *partition;            /* -p */
	char *time_limit;           /* -t */
	char *mem;                  /* --mem */
	char *mem_per_cpu;
	char *gres, *gpus, *gpus_per_task, *gpus_per_node;
	char *account, *constraint, *chdir;
	bool exclusive;
	bool overlap;               /* --overlap: share CPUs with the job's other steps */
	uint32_t job_id;            /* --jobid, else SLURM_JOB_ID; 0 = none */
	int verbose;                /* -v count */
	bool quiet;                 /* -Q */
	int argc;                   /* the command */
	char **argv;                /* borrowed from main's argv */
};

/*
 * Parse argv (and the SLURM_* inputs from env, NULL-terminated). Strings
 * in o are caller-freed with srun_opts_free(). SKY_E_INVAL with Slurm's
 * wording on a bad value; *exit_now set for --help/--version (printed).
 */
int srun_opts_parse(int argc, char **argv, char *const *env, struct srun_opts *o,
		    bool *exit_now, struct sky_errbuf *eb);
void srun_opts_free(struct srun_opts *o);

#endif
