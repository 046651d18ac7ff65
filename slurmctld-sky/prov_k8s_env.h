/*
 * prov_k8s_env.h: the environment of each pod of a job the Kubernetes
 * provider runs.
 *
 * Rank r's pod gets exactly what slurmd-sky's job_env_build() gives the
 * batch script on slot r (SLURMD_NODENAME, HOSTNAME = the slot's name,
 * SLURM_NODEID = r, SLURM_JOB_NODELIST = the slots, SLURM_TASK_PID 1: the
 * script is the container's first process), with two differences a pod
 * needs: GPU device variables (CUDA_VISIBLE_DEVICES and the others) count
 * 0..n-1, because a container sees only its own devices, renumbered (as
 * Slurm's ConstrainDevices does; SLURM_JOB_GPUS keeps the node's indices);
 * and --get-user-env is ignored (the login environment is the image's).
 *
 * Then the distributed-training variables of spank/'s sky_dist plugin
 * (spank/README.md), with the pods' DNS names (<pod>.<service>) as the
 * nodes' addresses: MASTER_ADDR (rank 0's), MASTER_PORT (the plugin's rule:
 * 29500 + job id mod 500, or --dist-port), WORLD_SIZE = pods, RANK =
 * NODE_RANK = GROUP_RANK = r, LOCAL_RANK 0, LOCAL_WORLD_SIZE 1 (one process
 * per pod runs the script), SKYPILOT_NODE_RANK, SKYPILOT_NODE_IPS (the DNS
 * names, newline-separated), SKYPILOT_NUM_NODES, SKYPILOT_NUM_GPUS_PER_NODE,
 * JAX_COORDINATOR_ADDRESS/NUM_PROCESSES/PROCESS_ID, and SKY_DIST_SET. As
 * the plugin does, a value the user submitted is kept, and --no-dist-env
 * turns them off. A task-YAML job's SKYPILOT_* (job_env_sky.h) take the
 * pod's rank and addresses too.
 */
#ifndef SKY_PROV_K8S_ENV_H
#define SKY_PROV_K8S_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "sky.pb-c.h"

/* A job's pods, as the environment sees them. Everything borrowed. */
struct k8s_env_job {
	const Sky__LaunchJob *lj;   /* what an agent would get (job_launch.h) */
	const char *cluster;        /* ClusterName, for a record without one */
	char *const *slots;         /* rank -> slot (node) name */
	char *const *addrs;         /* rank -> the pod's DNS name, "<pod>.<service>" */
	const uint32_t *gpus;       /* rank -> GPUs of the pod */
	size_t n;                   /* pods */
};

/* Rank's environment, NULL-terminated "NAME=value" (caller frees with job_env_free). */
char **k8s_env_rank(const struct k8s_env_job *e, uint32_t rank);

#endif
