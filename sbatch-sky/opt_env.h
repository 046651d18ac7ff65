/*
 * opt_env.h: setters of the option rows that exist for the job's
 * environment (SLURM_MEM_PER_GPU, SLURM_GET_USER_ENV; slurm.md 2), kept
 * apart from opt_table.c so the table gains rows, not code.
 */
#ifndef SKY_OPT_ENV_H
#define SKY_OPT_ENV_H

#include "opt_table.h"

/* --mem-per-gpu=size[units]: as --mem. */
int opt_set_mem_per_gpu(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
			struct sky_errbuf *eb);
void opt_reset_mem_per_gpu(const struct opt_desc *d, struct sbatch_opts *o);
char *opt_get_mem_per_gpu(const struct opt_desc *d, const struct sbatch_opts *o);

/*
 * --get-user-env[=timeout][S|L]: the node loads the user's login environment.
 * The timeout and the S/L mode are accepted and not used (the node allows
 * USER_ENV_TIMEOUT seconds and always runs a login shell).
 */
int opt_set_get_user_env(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
			 struct sky_errbuf *eb);
void opt_reset_get_user_env(const struct opt_desc *d, struct sbatch_opts *o);
char *opt_get_get_user_env(const struct opt_desc *d, const struct sbatch_opts *o);

#endif
