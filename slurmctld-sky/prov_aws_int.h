/*
 * prov_aws_int.h: what the files of the AWS provider share (not for other
 * files): prov_aws.c (the provider ops, on the controller's thread),
 * prov_aws_plan.c (the ProviderName record, the catalog, job -> placement),
 * prov_aws_worker.c (the thread that makes every EC2 call).
 *
 * Threads: the controller's thread owns struct aws_priv, the plans, the
 * blocklist and the per-node table; the worker owns the EC2 clients (one per
 * region). They exchange heap-allocated requests and results through two
 * mutex-protected FIFO queues; the worker writes one byte to a pipe the
 * controller's libevent loop watches whenever it queues a result, so a
 * launch's outcome is applied at once, not at the next 1 s tick.
 */
#ifndef SKY_PROV_AWS_INT_H
#define SKY_PROV_AWS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "aws_creds.h"
#include "aws_ec2.h"
#include "blocklist.h"
#include "catalog.h"
#include "conf.h"
#include "optimizer.h"
#include "sky_err.h"

struct ctld;
struct job;
struct node;
struct provider;
struct aws_worker;

/* Tags on every instance: which cluster and which node slot it is. */
#define AWS_TAG_CLUSTER "slurm-sky:cluster"
#define AWS_TAG_NODE "slurm-sky:node"
#define AWS_TAG_JOB "slurm-sky:job"

/* Launch tries per resume: the first offering and at most two fail-overs. */
#define AWS_MAX_TRIES 3

/* The ProviderName=NAME Type=aws record, interpreted. */
struct aws_pconf {
	char **regions;           /* owned; at least one */
	size_t n_regions;
	char **zones;             /* owned; none = every zone of the regions */
	size_t n_zones;
	char **globs;             /* InstanceTypes= fnmatch globs; none = any */
	size_t n_globs;
	enum opt_spot spot;       /* Spot=, default no */
	uint32_t max_nodes;       /* MaxNodes=, 0 = no limit */
	char *catalog;            /* Catalog= file or directory (default: the shipped ones) */
	char *image;              /* Image=ami-... (required) */
	char *iam_profile;        /* InstanceProfile= name, or arn:... */
	char *subnet;
	char **sgs;               /* SecurityGroups=a,b */
	size_t n_sgs;
	char *user_data_path;     /* UserData= template file, or NULL (the default) */
	char *user_data_tmpl;     /* the template's text (owned) */
	char *endpoint;           /* Endpoint=, or NULL (AWS_ENDPOINT_URL, then AWS's) */
	char *profile;            /* Profile= for the credentials files */
	uint32_t poll_secs;       /* DescribeInstances period ($SKY_AWS_POLL_INTERVAL, default 10) */
};

/* Parse and check cp (everything -n reports). On success *out is filled
 * (free with aws_pconf_free). SKY_E_CONFIG naming the key at fault. */
int aws_pconf_parse(const struct sky_conf *conf, const struct conf_provider *cp,
		    struct aws_pconf *out, struct sky_errbuf *eb);
void aws_pconf_free(struct aws_pconf *pc);
/* Load pc's catalog (caller frees with catalog_free); SKY_E_CONFIG/SKY_E_IO
 * naming the file, or when no offering of the allowed regions exists. */
int aws_catalog_load(const struct aws_pconf *pc, struct catalog **out, struct sky_errbuf *eb);

/* Where a job's nodes go: one offering for all of them. */
struct aws_plan {
	uint32_t job_id;
	uint32_t restart;         /* the job's restart_count when planned: a requeue re-plans */
	uint32_t nodes;
	bool ok;
	struct opt_choice choice; /* valid when ok */
	char *gpu_type;           /* the job's spelling of its GPU type, or NULL */
	uint32_t gpus;            /* per node, as asked */
	char *why;                /* !ok: optimizer_why_none(); owned */
	int tries;                /* launches tried in the current resume */
	time_t made;
};

/* A job's need as an optimizer request; gpu_type is borrowed from *gres
 * (free with gres_list_free). SKY_E_INVALID_GRES when the request is bad. */
struct gres_list;
int aws_job_request(const struct aws_pconf *pc, const struct job *j, uint32_t nnodes,
		    struct opt_request *req, struct gres_list *gres, struct sky_errbuf *eb);
/* Fill *out (zeroed first; free with aws_plan_clear) with the cheapest
 * offering for j's nnodes nodes that bl does not block at now. 0 with
 * out->ok false and out->why set when none fits; SKY_E_* on a bad request. */
int aws_plan_make(const struct aws_pconf *pc, const struct catalog *cat,
		  const struct blocklist *bl, const struct job *j, uint32_t nnodes, time_t now,
		  struct aws_plan *out, struct sky_errbuf *eb);
void aws_plan_clear(struct aws_plan *p);

/* One node slot of this provider as the controller's thread sees it. */
enum aws_node_state {
	AWS_NODE_NONE = 0,        /* no instance */
	AWS_NODE_LAUNCHING,       /* RunInstances queued or in flight */
	AWS_NODE_UP,              /* an instance is ours (pending or running in EC2) */
};

struct aws_node {
	uint8_t state;            /* enum aws_node_state */
	bool cancel;              /* suspended while launching: terminate on arrival */
	char *id, *region, *zone, *type;   /* owned, the instance (UP) */
	bool spot;
	int64_t price_u;          /* per hour */
	const struct offering *off;        /* borrowed from the catalog, or NULL (adopted) */
	uint32_t job_id;          /* the job it was launched for, 0 if none */
	uint64_t seq;             /* the request that launched it (or adopted it) */
	uint64_t term_seq;        /* the last TerminateInstances asked for this slot */
};

/* ---- the worker (prov_aws_worker.c) ---- */

enum aws_req_kind {
	AWS_REQ_LAUNCH,           /* RunInstances, one call per node */
	AWS_REQ_TERMINATE,
	AWS_REQ_DESCRIBE,         /* every region, by the cluster tag */
	AWS_REQ_STOP,
};

struct aws_req {
	enum aws_req_kind kind;
	uint64_t seq;             /* set by aws_worker_push */
	uint32_t job_id;
	int try_no;
	char *region, *zone, *type;        /* owned */
	bool spot;
	const struct offering *off;        /* borrowed (never dereferenced by the worker) */
	int64_t price_u;
	size_t n;
	char **nodes;             /* LAUNCH: node names; owned */
	char **user_data;         /* LAUNCH: per node; owned */
	char **ids;               /* TERMINATE: instance ids; owned */
	struct aws_req *next;
};

struct aws_res {
	enum aws_req_kind kind;
	uint64_t seq;
	uint32_t job_id;
	int try_no;
	char *region, *zone, *type;        /* owned (LAUNCH) */
	bool spot;
	const struct offering *off;
	int64_t price_u;
	size_t n;
	char **nodes;             /* LAUNCH: owned */
	char **ids;               /* LAUNCH: per node, NULL where none was started */
	bool failed;
	struct aws_error err;     /* the failure */
	char *reason;             /* aws_error_reason(), owned */
	long elapsed_ms;
	/* DESCRIBE: every instance of every region, region of each in regions[]. */
	struct aws_instance_list list;
	char **list_regions;      /* parallel to list.v, owned strings */
	struct aws_res *next;
};

/* Everything the worker needs, copied: it never reads the controller's data. */
struct aws_worker_cfg {
	const struct aws_creds *creds;     /* copied */
	const char *image, *subnet, *iam_profile, *cluster;   /* copied */
	char *const *sgs;
	size_t n_sgs;
	char *const *regions;
	size_t n_regions;
	long backoff_base_ms;     /* 0: the client's default */
};

/* Start the thread. *out owns it; wake_fd is the read end of its pipe. */
int aws_worker_start(const struct aws_worker_cfg *cfg, struct aws_worker **out, int *wake_fd,
		     struct sky_errbuf *eb);
/* Queue r (consumed); returns its seq (increasing). */
uint64_t aws_worker_push(struct aws_worker *w, struct aws_req *r);
/* Every result queued so far, oldest first (caller frees with aws_res_free). */
struct aws_res *aws_worker_results(struct aws_worker *w);
/* Stop and join the thread, drop what is queued. NULL is fine. */
void aws_worker_stop(struct aws_worker *w);
void aws_req_free(struct aws_req *r);
void aws_res_free(struct aws_res *r);

#endif
