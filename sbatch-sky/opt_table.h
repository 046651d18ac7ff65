/*
 * opt_table.h: sbatch's option descriptor table, the one place that says
 * which options exist, their short letters, argument kind, SBATCH_*
 * variable, and how a value is parsed, reset and shown (-v).
 *
 * The command line, the environment and #SBATCH lines all go through the
 * same setters (opt_parse.c drives them). Adding an option means adding a
 * row here and, when it carries a value, a field in sbatch_opts.h.
 */
#ifndef SKY_OPT_TABLE_H
#define SKY_OPT_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "sbatch_opts.h"
#include "sky_err.h"

#define OPT_F_EARLY  0x1u   /* acted on in the first command-line pass only (help, -v...) */
#define OPT_F_FIRST  0x2u   /* also read in the first pass (-D, needed to find the script) */

struct opt_desc;

/* Parse arg (NULL for flags and absent optional arguments) into o. */
typedef int (*opt_set_fn)(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
			  struct sky_errbuf *eb);
/* Return the value to its unset state. */
typedef void (*opt_reset_fn)(const struct opt_desc *d, struct sbatch_opts *o);
/* The value as -v lists it. Caller frees. */
typedef char *(*opt_get_fn)(const struct opt_desc *d, const struct sbatch_opts *o);

struct opt_desc {
	const char *name;        /* long option */
	int has_arg;             /* no_argument, required_argument, optional_argument */
	char short_opt;          /* 0: none */
	const char *env;         /* SBATCH_* variable, or NULL */
	unsigned flags;          /* OPT_F_* */
	int group;               /* rows writing the same value share a non-zero group */
	size_t off;              /* offset of the field for the generic setters */
	opt_set_fn set;
	opt_reset_fn reset;
	opt_get_fn get;
	const char *argname;     /* for --help: "name" in --account=name, or NULL */
	const char *help;        /* --help text, or NULL to leave the row out */
};

/* The table; *n gets its length. Static. */
const struct opt_desc *opt_table(size_t *n);

/* Index of the row with long name name, or -1. */
int opt_find(const char *name);

/* sbatch --help / --usage text. */
void opt_print_help(FILE *fp);
void opt_print_usage(FILE *fp);

#endif
