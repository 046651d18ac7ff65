/*
 * opt_parse.h: drives the option table (opt_table.h) over the three
 * sources sbatch reads, in Slurm's order: command line first pass (early
 * options, script position), then #SBATCH lines, SBATCH_* environment and
 * the command line again, each overriding the one before
 * (command line > environment > script, slurm.md 1.2).
 */
#ifndef SKY_OPT_PARSE_H
#define SKY_OPT_PARSE_H

#include "sbatch_opts.h"
#include "sky_err.h"

enum opt_pass {
	OPT_PASS_EARLY,    /* command line, first look: early options only, unknown ones ignored */
	OPT_PASS_SCRIPT,   /* the arguments collected from #SBATCH lines */
	OPT_PASS_CLI,      /* command line again: everything but the early options */
};

/*
 * getopt already printed why an option is wrong (unknown option, missing
 * argument); eb holds the `Try "sbatch --help"` line to print as is.
 */
#define OPT_E_USAGE SKY_E_NOT_FOUND

/* Defaults. Free with sbatch_opts_free(). */
void sbatch_opts_init(struct sbatch_opts *o);
void sbatch_opts_free(struct sbatch_opts *o);

/*
 * Run argv (argv[0] is the program name) through getopt_long with the table,
 * stopping at the first non-option; *next gets its index. Errors:
 * SKY_E_INVAL with Slurm's message for a bad value (and for a #SBATCH line
 * that stops getopt: "Invalid directive found in batch script: X"),
 * OPT_E_USAGE for an unknown option or missing argument.
 */
int opt_parse_args(struct sbatch_opts *o, int argc, char **argv, enum opt_pass pass,
		   int *next, struct sky_errbuf *eb);

/*
 * Apply the SBATCH_* variables of envp ("NAME=value", NULL-terminated).
 * A flag variable counts as set when empty, "yes" or a non-zero number;
 * any other value unsets it (Slurm's rule). Errors as opt_parse_args.
 */
int opt_parse_env(struct sbatch_opts *o, char *const *envp, struct sky_errbuf *eb);

/* Apply the row with long name name from src (arg NULL for flags). */
int opt_set(struct sbatch_opts *o, const char *name, const char *arg, enum opt_src src,
	    struct sky_errbuf *eb);

/* Which source last set the row named name; OPT_SRC_NONE when unset. */
enum opt_src opt_source(const struct sbatch_opts *o, const char *name);

/*
 * Checks and derived values once every source is applied: memory options
 * exclusive per source, -v with -Q, node ranges, tasks from
 * --ntasks-per-node. Bad combinations are SKY_E_GENERIC with Slurm's text
 * (exit 1); warnings are logged.
 */
int opt_verify(struct sbatch_opts *o, struct sky_errbuf *eb);

/* The -v listing ("defined options" ... "end of defined options") via log_info. */
void opt_print_set(const struct sbatch_opts *o);

#endif
