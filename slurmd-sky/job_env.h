/*
 * job_env.h: the environment a batch script runs with.
 *
 * It starts from the environment sbatch captured (LaunchJob.env) and sets,
 * overriding, the SLURM_* variables Slurm's batch step gets (protocol.md
 * "Job environment", slurm.md section 2).
 */
#ifndef SKY_SLURMD_JOB_ENV_H
#define SKY_SLURMD_JOB_ENV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "sky.pb-c.h"

/* What the record does not say about where and as whom the job runs. */
struct job_env_ctx {
	const char *node_name;    /* this node (SLURMD_NODENAME, HOSTNAME) */
	const char *cluster;      /* used when the record has no cluster; may be NULL */
	const char *user_name;    /* the job user's name as this host knows it; may be NULL */
	const char *group_name;   /* may be NULL */
	pid_t task_pid;           /* the batch script's pid (SLURM_TASK_PID) */
	time_t start_time;        /* used when the record has no start time */
};

/*
 * The full environment, a NULL-terminated array of "NAME=value". Entries of
 * lj->env without '=' are dropped. Caller frees with job_env_free().
 */
char **job_env_build(const Sky__LaunchJob *lj, const struct job_env_ctx *c);
void job_env_free(char **env);

/* The value of name in env, or NULL. Borrowed. */
const char *job_env_get(char *const *env, const char *name);

/*
 * Slurm's compressed per-node list: runs of equal values become "v(xN)":
 * {4} -> "4", {72,72} -> "72(x2)", {2,2,2,1} -> "2(x3),1". Caller frees.
 */
char *job_env_compress(const uint32_t *v, size_t n);

/*
 * Tasks on each of nnodes nodes, as Slurm lays out a batch job: -n spread in
 * blocks (remainder on the first nodes), else --ntasks-per-node each, else
 * one task per cpus_per_task CPUs. *out (nnodes entries) is caller-freed.
 */
void job_env_tasks_per_node(const Sky__JobRecord *job, uint32_t nnodes, uint32_t **out);

#endif
