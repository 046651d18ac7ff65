/*
 * sbatch_opts.h: what sbatch's options (command line, SBATCH_* environment
 * and #SBATCH lines) parse into. Only opt_table.c writes these fields.
 */
#ifndef SKY_SBATCH_OPTS_H
#define SKY_SBATCH_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Where a value came from; later passes override earlier ones. */
enum opt_src {
	OPT_SRC_NONE = 0,
	OPT_SRC_SCRIPT,      /* #SBATCH line */
	OPT_SRC_ENV,         /* SBATCH_* variable */
	OPT_SRC_CLI,         /* command line */
};

enum sb_exclusive {
	SB_EXCL_UNSET = 0,
	SB_EXCL_EXCLUSIVE,
	SB_EXCL_OVERSUBSCRIBE,
	SB_EXCL_USER,
	SB_EXCL_MCS,
};

struct sbatch_opts {
	unsigned char *src;      /* per option table entry: enum opt_src; owned */

	/* strings: owned, NULL when unset */
	char *job_name, *partition, *account, *qos, *comment;
	char *std_out, *std_err, *std_in, *chdir, *wrap, *export_env;
	char *nodelist, *exclude, *gres, *gpus, *gpus_per_node;
	char *gpus_per_task;             /* --gpus-per-task as given */
	char *constraint, *mail_user, *export_file;
	char *mail_type;                 /* canonical (mail_type.h); NULL: NONE */
	bool priority_set;
	uint32_t priority;               /* --priority */
	bool mem_per_gpu_set, get_user_env;
	uint64_t mem_per_gpu_mb;         /* --mem-per-gpu */

	bool nodes_set;
	uint32_t min_nodes, max_nodes;   /* max 0: no maximum given */
	bool ntasks_set;
	uint32_t ntasks;
	uint32_t ntasks_per_node;        /* 0: unset */
	uint32_t cpus_per_task;          /* 0: unset */
	bool mem_set, mem_per_cpu_set;
	uint64_t mem_mb, mem_per_cpu_mb;
	uint32_t time_limit, time_min;   /* minutes; SKY_NO_VAL unset, SKY_INFINITE none */
	time_t begin;                    /* 0: unset */
	time_t deadline;                 /* --deadline; 0: unset */
	uint32_t signal_num, signal_secs; /* --signal; signal_num 0: unset */
	bool signal_batch;               /* --signal=B:... */
	bool nice_set;
	int nice;
	int requeue;                     /* -1 unset, 0 --no-requeue, 1 --requeue */
	char *array, *dependency;        /* --array, --dependency as given; owned */
	int kill_on_invalid_dep;         /* -1 unset, 0 no, 1 yes */
	char open_mode;                  /* 0 unset, 'a' append, 't' truncate */
	enum sb_exclusive exclusive;
	bool uid_set, gid_set;
	uint32_t uid, gid;
	bool hold, parsable, test_only, wait;
	int quiet, verbose;

	/* early actions, acted on by main() */
	bool help, usage, version;

	/* script and its arguments: the command line's first non-option and the rest (borrowed) */
	int script_argc;
	char **script_argv;
};

#endif
