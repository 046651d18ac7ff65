/*
 * provider.h: where nodes come from.
 *
 * Every node belongs to one provider instance, named by the Provider= field
 * of its NodeName line: a ProviderName= record (conf.h) or a built-in type
 * ("local" by default; "program" for State=CLOUD nodes when ResumeProgram
 * is set). Providers are compiled in, one file each (prov_<type>.c), each
 * exporting one const struct provider_ops; one struct provider is started
 * per name in use.
 *
 * The power-saving core (power_save.c) calls resume and suspend with
 * batches of nodes (one pass's worth, within ResumeRate/SuspendRate). Ops
 * only START the work and must not block the loop: a node is up once its
 * agent registers. A provider that learns later that something went wrong
 * reports it through power_resume_failed() / power_node_lost()
 * (power_save.h), from the controller's thread (e.g. from its poll op, which
 * the 1 s timer calls).
 */
#ifndef SKY_PROVIDER_H
#define SKY_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conf.h"
#include "sky_err.h"

struct ctld;
struct job;
struct job_launch_msg;
struct node;
struct provider;

/* What a cloud slot with no configured hardware would be for a job (size_for_job). */
struct node_hw {
	uint32_t cpus;
	uint64_t real_memory_mb;
	char *gres;                  /* owned by the struct; e.g. "gpu:a100:8", or NULL */
	char *features;              /* owned; extra features (instance type...), or NULL */
};

/* One job a resume request powers nodes up for (Slurm's SLURM_RESUME_FILE "jobs"). */
struct provider_resume_job {
	uint32_t job_id;
	const char *partition;       /* borrowed, like every string here */
	const char *nodes_alloc;     /* every node of the job, hostlist */
	const char *nodes_resume;    /* the job's nodes this request powers up, hostlist */
	const char *features;        /* the job's -C, or NULL */
	const char *reservation;     /* or NULL */
	const char *extra;           /* or NULL */
	bool exclusive;
	bool oversubscribe;
	const struct job *job;       /* borrowed */
};

/* One batch of nodes to power up. Everything borrowed for the call only. */
struct provider_resume {
	const char *nodes;           /* ranged hostlist expression of names */
	char *const *names;
	size_t n_names;
	const struct provider_resume_job *jobs;
	size_t n_jobs;
};

struct provider_ops {
	const char *name;            /* the type: "local", "program", ... */
	/* Checks for slurmctld-sky -n and start-up (optional): name is the node's
	 * Provider=, cp its record or NULL. 0 or SKY_E_CONFIG with the reason. */
	int (*check)(const struct sky_conf *conf, const char *name, const struct conf_provider *cp,
		     struct sky_errbuf *eb);
	/* Set up p (p->c, p->ops, p->name, p->cp are filled in). Returns 0 or SKY_E_*. */
	int (*init)(struct ctld *c, struct provider *p);
	/* Start bringing req's nodes up. An error fails every node of the batch. */
	int (*resume)(struct provider *p, const struct provider_resume *req, struct sky_errbuf *eb);
	/* Start taking the nodes down (names: n of them; nodes: the same as a hostlist). */
	int (*suspend)(struct provider *p, const char *nodes, char *const *names, size_t n,
		       struct sky_errbuf *eb);
	/* Optional: nodes that did not come up (ResumeTimeout, resume error). */
	void (*resume_failed)(struct provider *p, const char *nodes);
	/* Optional: what node n (a slot whose CPUs/RealMemory are not configured)
	 * would be for job j when j gets nnodes such nodes. 0 and *out filled
	 * (caller frees out's strings), or SKY_E_* when no offering fits. Without
	 * this op, such slots are never scheduled. */
	int (*size_for_job)(struct provider *p, const struct node *n, const struct job *j,
			    uint32_t nnodes, struct node_hw *out, struct sky_errbuf *eb);
	void (*poll)(struct provider *p);
	void (*fini)(struct provider *p);
	/* Optional: node n's agent saw its machine being reclaimed (a spot
	 * interruption notice) at now; the provider may steer later placements
	 * away from that offering. The node is still up. */
	void (*notice)(struct provider *p, struct node *n, time_t now);
	/*
	 * Optional, for providers that run jobs themselves, with no agent on the
	 * node (Kubernetes: pods). job_launch() calls launch instead of sending
	 * CTLD_LAUNCH_JOB when j's batch host is a provider-run node of p; the
	 * call only starts the work (j RUNNING and committed). The provider
	 * later ends j as the agent path does (job_apply_complete + job_commit),
	 * or, when the launch fails, puts it back to PENDING with a reason (or
	 * ends it FAILED when it can never run) and commits it itself. Returns
	 * 0, or SKY_E_* for the log. m is what an agent would get (script,
	 * record, environment), borrowed for the call.
	 */
	int (*launch)(struct provider *p, struct job *j, const struct job_launch_msg *m,
		      struct sky_errbuf *eb);
	/* scancel -s: deliver sig to running j's processes, or refuse it (SKY_E_*,
	 * scancel reports it). A provider that can only kill ends j itself. */
	int (*signal)(struct provider *p, struct job *j, int sig, struct sky_errbuf *eb);
	/* j was marked ended (CANCELLED, TIMEOUT...) + COMPLETING: stop it (KillWait
	 * as the grace period) and report the end through job_apply_complete. */
	void (*kill)(struct provider *p, struct job *j);
};

struct provider {
	const struct provider_ops *ops;   /* borrowed (static) */
	struct ctld *c;                   /* borrowed */
	const char *name;                 /* borrowed: the nodes' Provider= */
	const struct conf_provider *cp;   /* borrowed: its ProviderName record, or NULL */
	void *priv;                       /* the provider's own state */
};

extern const struct provider_ops prov_local_ops;
extern const struct provider_ops prov_program_ops;
extern const struct provider_ops prov_aws_ops;
extern const struct provider_ops prov_k8s_ops;

/* The ops of a provider type, or NULL. */
const struct provider_ops *provider_ops_find(const char *type);

/* SKY_E_CONFIG naming the NodeName line when a provider is unknown or its check fails. */
int providers_check(const struct sky_conf *conf, struct sky_errbuf *eb);
/* One provider per name in use; sets every node's prov. */
int providers_start(struct ctld *c, struct sky_errbuf *eb);
void providers_poll(struct ctld *c);
void providers_stop(struct ctld *c);

#endif
