/*
 * user_env.h: the job user's login environment, for --get-user-env and
 * --export=NONE (sbatch sets SLURM_GET_USER_ENV=1 in the submitted
 * environment; slurm.md 1.3 and 2).
 *
 * As Slurm's slurmd does, the node runs the user's login shell and takes the
 * environment it ends up with; the submitted variables are then laid over it
 * (job_env.c), so SLURM_* and the --export list win.
 */
#ifndef SKY_SLURMD_USER_ENV_H
#define SKY_SLURMD_USER_ENV_H

#include <stdbool.h>
#include <stddef.h>

/* Slurm's default --get-user-env timeout, seconds. */
#define USER_ENV_TIMEOUT 8

/* Whether env (n entries, "NAME=value") asks for the login environment. */
bool user_env_wanted(char *const *env, size_t n);

/*
 * Run the calling user's login shell (from the password database, /bin/sh
 * when unknown) with a minimal environment (HOME, USER, LOGNAME, SHELL,
 * PATH) and collect what it exports. Must run as the job's user. Returns a
 * NULL-terminated "NAME=value" array (caller frees each entry and the array),
 * or NULL when the shell failed or took longer than timeout seconds (*why
 * then gets a message, caller frees).
 */
char **user_env_load(unsigned timeout, char **why);

#endif
