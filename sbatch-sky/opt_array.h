/*
 * opt_array.h: setters for sbatch's array and dependency options that need
 * more than a string (the rows live in opt_table.c). --array and
 * --dependency themselves are kept as given: the controller parses them
 * (array_spec.c, slurmctld-sky/job_depend.c) so every client agrees.
 */
#ifndef SKY_OPT_ARRAY_H
#define SKY_OPT_ARRAY_H

#include "opt_table.h"

/* --kill-on-invalid-dep=yes|no into o->kill_on_invalid_dep (-1 unset). */
int opt_set_kill_dep(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		     struct sky_errbuf *eb);
void opt_reset_kill_dep(const struct opt_desc *d, struct sbatch_opts *o);
/* "yes", "no" or "unset". Caller frees. */
char *opt_get_kill_dep(const struct opt_desc *d, const struct sbatch_opts *o);

#endif
