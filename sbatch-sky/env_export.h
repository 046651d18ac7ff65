/*
 * env_export.h: the environment a batch job is submitted with, per --export
 * (slurm.md 1.3). SLURM_* variables always pass.
 */
#ifndef SKY_ENV_EXPORT_H
#define SKY_ENV_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "sky_err.h"

/*
 * From env ("NAME=value", NULL-terminated: sbatch's environment with its own
 * SLURM_* additions), build the job's environment for spec:
 *   NULL, "ALL"    everything;
 *   "NONE"         SLURM_* only, and the node should load the user's login
 *                  environment (*get_user_env = true);
 *   "NIL"          SLURM_* only;
 *   "[ALL,]A,B=v"  the named variables (B with value v; quotes around v are
 *                  dropped), later items overriding earlier ones, then the
 *                  SLURM_* variables; everything else too when ALL is listed,
 *                  the user's login environment when it is not.
 * *out is NULL-terminated with *n entries; free with env_free().
 */
int env_export_build(const char *spec, char *const *env, char ***out, size_t *n,
		     bool *get_user_env, struct sky_errbuf *eb);

/* Set NAME=value in the array (replacing an existing NAME). *env stays NULL-terminated. */
void env_set(char ***env, size_t *n, const char *name, const char *value);
/* The value of name in env, or NULL. Borrowed. */
const char *env_get(char *const *env, const char *name);

void env_free(char **env, size_t n);

#endif
