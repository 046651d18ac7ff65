/*
 * prov_k8s_manifest.h: the Kubernetes objects of one job (names and labels:
 * prov_k8s_int.h), as JSON, free of API calls so the unit test can check
 * them (prov_k8s_manifest_test.c).
 *
 *   ConfigMap <name>: key "script", the batch script, mounted read-only and
 *     executable at /sky/job in every pod.
 *   Service <name>: headless (clusterIP None), selecting the job's pods, so
 *     that <pod>.<name> resolves to each pod (pods have hostname <pod> and
 *     subdomain <name>); publishNotReadyAddresses, so that peers resolve
 *     while they start.
 *   Pod <name>-<rank>: one per node of the job, required node affinity on
 *     the bound node's kubernetes.io/hostname (nodeName when the label is
 *     unknown), requests = limits (cpu, memory when the job accounts
 *     memory, nvidia.com/gpu), the configured tolerations plus
 *     nvidia.com/gpu Exists NoSchedule when it asks for GPUs, restartPolicy
 *     Never, KillWait as the termination grace period (SIGTERM, then
 *     SIGKILL, however the pod is deleted), the job's user as
 *     runAsUser/runAsGroup (root: unset), and an
 *     ownerReference to the ConfigMap (deleting it deletes the rest).
 *     Rank 0 runs /sky/job/script with the job's arguments; so does every
 *     rank of a task-YAML job (SkyPilot runs `run` on every node). The
 *     other ranks of an sbatch job only hold their node (a shell sleeping
 *     until the pod is deleted): srun does not exist inside pods.
 *     stdout and stderr both go to the container's log (no -e split).
 *     The container starts in the job's working directory, as Slurm's
 *     script does: the image (or a volume) should provide it; container
 *     runtimes create a missing one, empty.
 */
#ifndef SKY_PROV_K8S_MANIFEST_H
#define SKY_PROV_K8S_MANIFEST_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct k8s_pconf;

/* Where the ConfigMap is mounted, and the script in it. */
#define K8S_JOB_MOUNT "/sky/job"
#define K8S_JOB_SCRIPT K8S_JOB_MOUNT "/script"

/* One pod of a job. Strings owned (k8s_manifest_free). */
struct k8s_mpod {
	char *slot;               /* the slot's node name */
	char *k8s_node;           /* the bound Kubernetes node */
	char *hostname_label;     /* its kubernetes.io/hostname label, or NULL */
	uint32_t cpus;
	uint64_t mem_mb;          /* 0: no memory request */
	uint32_t gpus;
	char **env;               /* NULL-terminated "NAME=value" (job_env_free) */
};

struct k8s_manifest {
	const struct k8s_pconf *pc;   /* borrowed: image, tolerations, labels... */
	char *cluster;            /* the cluster label value */
	char *name;               /* "sky-<cluster>-<id>": ConfigMap and Service */
	uint32_t job_id, restart;
	uint32_t uid, gid;
	uint32_t grace_secs;      /* terminationGracePeriodSeconds: KillWait */
	bool every_rank;          /* task YAML: every rank runs the script */
	char *work_dir;           /* the container's workingDir (-D, else the submit dir), or NULL */
	char **args;              /* the script's arguments, n_args of them */
	size_t n_args;
	struct k8s_mpod *pods;    /* rank order */
	size_t n_pods;
};

void k8s_manifest_free(struct k8s_manifest *m);

/* "<name>-<rank>". Caller frees. */
char *k8s_manifest_pod_name(const struct k8s_manifest *m, uint32_t rank);

/* The label selector of every object of job_id in cluster ("k=v,k=v"). Caller frees. */
char *k8s_job_selector(const char *cluster, uint32_t job_id);

/* The objects; caller puts them. owner_uid: the ConfigMap's uid, or NULL
 * (no ownerReference). */
json_object *k8s_manifest_configmap(const struct k8s_manifest *m, const uint8_t *script,
				    size_t len);
json_object *k8s_manifest_service(const struct k8s_manifest *m, const char *owner_uid);
json_object *k8s_manifest_pod(const struct k8s_manifest *m, uint32_t rank, const char *owner_uid);

#endif
