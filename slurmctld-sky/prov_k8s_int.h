/*
 * prov_k8s_int.h: what the files of the Kubernetes provider share (not for
 * other files).
 *
 *   prov_k8s.c        the provider ops (controller's thread), the
 *                     ProviderName record, start-up and shutdown
 *   prov_k8s_nodes.c  discovery: node + pod watches (own thread), slots bound
 *                     to Kubernetes nodes, their free CPUs/memory/GPUs
 *   prov_k8s_launch.c a job's objects: ConfigMap, headless Service, one pod
 *                     per node (create and delete, own worker thread)
 *   prov_k8s_pods.c   our pods' watch (own thread): exit codes, OOM,
 *                     eviction, lost nodes -> the job's end; log streams into
 *                     the job's -o/-e files; garbage collection on restart
 *
 * Threads: the controller's thread owns struct k8s_prov, the slots and every
 * struct job. Each part's threads make the API calls (k8s_api.h) and hand
 * results to the controller's thread through their own queue, drained from
 * their *_poll function (the provider's poll op calls all of them every
 * second, and any part may wake the loop sooner with k8s_prov_wake()).
 * k8s_config is loaded once at init and shared read-only by every client
 * and watch (k8s_api.h allows that).
 *
 * Names and labels of everything we create (so one label selector finds it
 * all, and garbage collection knows what is ours):
 *   ConfigMap and Service  sky-<cluster>-<jobid>
 *   Pod                    sky-<cluster>-<jobid>-<rank>   (rank 0 = batch host)
 *   labels on every object:
 *     app.kubernetes.io/managed-by=slurm-sky
 *     slurm-sky/cluster=<ClusterName>
 *     slurm-sky/job=<jobid>
 *     slurm-sky/restart=<restart count when launched>  (a requeued job's old
 *                                                       pods are told apart)
 *   pods also: slurm-sky/node=<slot name>, slurm-sky/rank=<rank>
 * Names are lowercased (RFC 1123); <cluster> is ClusterName with anything
 * outside [a-z0-9-] turned into '-'.
 */
#ifndef SKY_PROV_K8S_INT_H
#define SKY_PROV_K8S_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conf.h"
#include "k8s_api.h"
#include "k8s_config.h"
#include "k8s_gpu.h"
#include "sky.pb-c.h"
#include "sky_err.h"
#include "wake_pipe.h"

struct ctld;
struct job;
struct job_launch_msg;
struct node;
struct provider;

#define K8S_LABEL_MANAGED "app.kubernetes.io/managed-by"
#define K8S_MANAGED_VALUE "slurm-sky"
#define K8S_LABEL_CLUSTER "slurm-sky/cluster"
#define K8S_LABEL_JOB "slurm-sky/job"
#define K8S_LABEL_RESTART "slurm-sky/restart"
#define K8S_LABEL_NODE "slurm-sky/node"
#define K8S_LABEL_RANK "slurm-sky/rank"

/* The ProviderName=NAME Type=kubernetes record, interpreted (prov_k8s.c). */
struct k8s_pconf {
	char *kubeconfig;         /* Kubeconfig= path; NULL: $KUBECONFIG, ~/.kube/config, in-cluster */
	char *context;            /* Context=, NULL: the kubeconfig's current-context */
	char *ns;                 /* Namespace=, default "default" */
	char *image;              /* Image= (required): the pods' container image */
	char *service_account;    /* ServiceAccount=, or NULL */
	char *priority_class;     /* PriorityClass=, or NULL */
	char **tolerations;       /* Tolerations=KEY[=VALUE]:EFFECT,...  (as written) */
	size_t n_tolerations;
	char **labels;            /* Labels=k=v,... extra labels on everything we create */
	size_t n_labels;
	uint32_t max_pods;        /* MaxPods=, 0 = no limit */
	int64_t price_u;          /* Price= dollars per GPU-hour (per node-hour without GPUs) as
				   * micro-dollars; 0 = owned capacity */
	struct k8s_gpu_rule *rules; /* GpuRule=KEY=VALUE:TYPE[:COUNT] (repeatable or ','-list) */
	size_t n_rules;
};

/* One node slot (NodeName line with Provider=<this>), controller's thread. */
struct k8s_slot {
	struct node *node;        /* borrowed */
	char *k8s_node;           /* the bound Kubernetes node's name, NULL: unbound; owned */
	char *hostname_label;     /* its kubernetes.io/hostname label (node affinity); owned */
	bool ready;               /* bound, Ready and schedulable: jobs may run here */
	bool cordoned;            /* bound but unschedulable: we drained the slot (N) */
	bool downed;              /* bound but NotReady: we set the slot DOWN (N) */
	char *k8s_uid;            /* the bound node's metadata.uid (instance id), owned (N) */
};

struct k8s_loop;              /* prov_k8s.c */
struct k8s_nodes;             /* prov_k8s_nodes.c */
struct k8s_jobs;              /* prov_k8s_launch.c */
struct k8s_pods;              /* prov_k8s_pods.c */

struct k8s_prov {
	struct provider *p;       /* borrowed */
	struct ctld *c;           /* borrowed */
	struct k8s_pconf pc;
	struct k8s_config *cfg;   /* owned; shared read-only by every thread */
	char *cluster;            /* ClusterName (label value), owned */
	char *name_prefix;        /* "sky-<cluster>", owned */
	struct k8s_slot *slots;   /* owned, config order */
	size_t n_slots;
	struct wake_pipe wake;    /* poked by k8s_prov_wake(), drained by the loop */
	struct k8s_loop *loop;    /* prov_k8s.c's read end and event, owned */
	struct k8s_nodes *nodes;
	struct k8s_jobs *jobs;
	struct k8s_pods *pods;
};

/* ---- prov_k8s.c ---- */
/* The slot of node n, or NULL when n is not one of kp's. Borrowed. */
struct k8s_slot *k8s_slot_of(struct k8s_prov *kp, const struct node *n);
/* The provider state behind a struct provider of type kubernetes, or NULL. */
struct k8s_prov *k8s_prov_of(struct provider *p);
/* Run the provider's poll soon (any thread). */
void k8s_prov_wake(struct k8s_prov *kp);
/* "sky-<cluster>-<id>" (ConfigMap, Service) and "...-<rank>" (pod). Caller frees. */
char *k8s_job_object_name(const struct k8s_prov *kp, uint32_t job_id);
char *k8s_pod_name(const struct k8s_prov *kp, uint32_t job_id, uint32_t rank);

/* ---- prov_k8s_conf.c ---- */
/* cp (NULL: an error) into *pc (caller frees with k8s_pconf_free, also
 * after an error). SKY_E_CONFIG naming the key and value at fault. */
int k8s_pconf_parse(const struct conf_provider *cp, struct k8s_pconf *pc, struct sky_errbuf *eb);
void k8s_pconf_free(struct k8s_pconf *pc);
/* s lowercased with anything outside [a-z0-9-] turned into '-' (the
 * <cluster> of our names and labels). Caller frees. */
char *k8s_dns_name(const char *s);

/* ---- prov_k8s_nodes.c ---- */
int k8s_nodes_init(struct k8s_prov *kp, struct sky_errbuf *eb);
void k8s_nodes_poll(struct k8s_prov *kp);
void k8s_nodes_fini(struct k8s_prov *kp);

/* ---- prov_k8s_launch.c ---- */
int k8s_jobs_init(struct k8s_prov *kp, struct sky_errbuf *eb);
void k8s_jobs_poll(struct k8s_prov *kp);
void k8s_jobs_fini(struct k8s_prov *kp);
/* The provider ops launch/signal/kill (provider.h) for this provider. */
int k8s_job_launch(struct k8s_prov *kp, struct job *j, const struct job_launch_msg *m,
		   struct sky_errbuf *eb);
int k8s_job_signal(struct k8s_prov *kp, struct job *j, int sig, struct sky_errbuf *eb);
void k8s_job_kill(struct k8s_prov *kp, struct job *j);
/* Delete every object of job_id (pods, Service, ConfigMap), queued; any thread. */
void k8s_job_cleanup(struct k8s_prov *kp, uint32_t job_id);

/* ---- prov_k8s_pods.c (helpers: prov_k8s_podstate.h, prov_k8s_log.h) ----
 * A launched run is ended here only: k8s_pods_track must come after the
 * objects exist (events before it are kept and replayed). Its end waits for
 * its output (unless stalled 10 s), then job_apply_complete + k8s_job_cleanup. A
 * job ended elsewhere (kill, node loss) is left to that path's cleanup. */
int k8s_pods_init(struct k8s_prov *kp, struct sky_errbuf *eb);
void k8s_pods_poll(struct k8s_prov *kp);
void k8s_pods_fini(struct k8s_prov *kp);
/* Called by k8s_job_launch once a job's pods are created: watch them, stream
 * their logs into the job's output files. */
void k8s_pods_track(struct k8s_prov *kp, struct job *j);
/*
 * j's pods ended (st, raw wait status, at end): applied as the agent's
 * completion is (job_apply_complete + job_commit) on the controller's thread.
 * A job already ended elsewhere (scancel, time limit: finished + COMPLETING)
 * keeps the exit status its end gave it. Whether it changed j.
 */
bool k8s_report_end(struct k8s_prov *kp, struct job *j, Sky__JobState st, int32_t status,
		    time_t end, time_t now);

#endif
