/*
 * opt_mail.h: setters of --mail-type and --priority, and the reader of
 * --export-file (slurm.md 1.3; sbatch.1), kept apart from opt_table.c.
 */
#ifndef SKY_OPT_MAIL_H
#define SKY_OPT_MAIL_H

#include <stddef.h>

#include "opt_table.h"

/*
 * --mail-type=LIST: stored in Slurm's canonical spelling (mail_type.h),
 * NULL for NONE. An unknown name: "--mail-type=X invalid" (exit 255).
 */
int opt_set_mail_type(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		      struct sky_errbuf *eb);

/* --priority=N|TOP (the controller honours it for operators only). */
int opt_set_priority(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		     struct sky_errbuf *eb);
void opt_reset_priority(const struct opt_desc *d, struct sbatch_opts *o);
char *opt_get_priority(const struct opt_desc *d, const struct sbatch_opts *o);

/*
 * --export-file=FILE|FD: NAME=value definitions separated by NUL bytes (or,
 * when the file has none, by newlines), set into *env over what is there,
 * as Slurm merges them. A number from 3 up is a file descriptor to read.
 * SKY_E_IO with "Could not open user environment file X" when unreadable.
 */
int opt_export_file_apply(const char *spec, char ***env, size_t *n, struct sky_errbuf *eb);

#endif
