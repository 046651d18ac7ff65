/*
 * cloud_info.h: the contract between cloud providers and the rest of the
 * controller about what runs where and what it costs.
 *
 * A provider (prov_aws.c) records the instance it launched behind a node slot
 * (node_set_cloud) and forgets it when the instance goes away
 * (node_clear_cloud), and records the offering the optimizer chose for a job
 * (job_set_placement). Everything that displays or accounts these lives here
 * or reads these fields: NodeInfo 55-64 (scontrol show node, sinfo), JobRecord
 * 110-119 (scontrol show job, sbatch --test-only, sacct Cost).
 *
 * Cost model (documented in slurmctld-sky/README.md): a job's cost is the sum
 * over the nodes it holds of their hourly price times the time it held them,
 * from start_time to end_time of each run. When a run ends (completion,
 * cancel, node failure, requeue), its cost is added to JobRecord.cost_u; a
 * requeued job keeps what its earlier runs cost and the next run adds to it.
 * A node's hourly price is its node_set_cloud() price; a node without one
 * (not a cloud node, or its instance info was lost, e.g. after a controller
 * restart) is charged its share of the job's placement price (the placement
 * price divided by the job's node count), and 0 when neither is known.
 * All money is int64 micro-dollars (catalog.h); per-hour prices times seconds
 * are rounded to the nearest micro-dollar (sbatch-sky/job_cost.h).
 *
 * Nodes of a Type=program provider (an admin's ResumeProgram launching one
 * kind of machine) are priced by their ProviderName record's InstanceType=,
 * Region=, Zone=, Market=spot|on-demand and Price= (dollars per hour) keys;
 * an instance recorded with node_set_cloud() wins over them.
 *
 * A node's price applies from the job's start_time, which power_save.c
 * resets when the job's nodes have all joined (as Slurm does): boot time is
 * not charged to the job, so Cost = price x Elapsed; a run that never
 * launched costs the job nothing.
 */
#ifndef SKY_CLOUD_INFO_H
#define SKY_CLOUD_INFO_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "job_cost.h"
#include "sky.pb-c.h"

struct ctld;
struct hostlist;
struct job;
struct node;
struct provider;

/*
 * Record the instance launched behind n. Every string is copied; a NULL one
 * clears that field. price_u_per_hour: micro-dollars per hour of this one
 * instance (0 unknown).
 */
void node_set_cloud(struct node *n, const char *instance_id, const char *instance_type,
		    const char *region, const char *zone, bool spot, int64_t price_u_per_hour);
/* Forget n's instance (terminated or released). Idempotent. */
void node_clear_cloud(struct node *n);
/* Whether an instance is recorded behind n. */
bool node_has_cloud(const struct node *n);
/* n's hourly price (micro-dollars): its instance's, else its program
 * provider's Price= (see below), else 0. */
int64_t node_price(const struct node *n);
/* Fill ni's cloud fields (55-64) from n; leaves them unset for non-cloud
 * nodes. Strings borrowed from n (or the config): valid until n changes. */
void node_cloud_to_info(const struct node *n, Sky__NodeInfo *ni);

/*
 * Record the optimizer's choice for j: text is the offering's human text
 * (opt_choice_str(), copied; NULL clears), price_u_per_hour the hourly price
 * of the whole job (all its nodes), micro-dollars. Memory only: the caller
 * saves the job with its next commit (the provider's launch path does).
 */
void job_set_placement(struct job *j, const char *text, int64_t price_u_per_hour);

/* A run of j starts (job_start): its price from the nodes it now holds; a
 * job on priced program-provider slots without a placement gets one
 * (program_placement_text). */
void job_cost_run_start(struct job *j);
/* The hourly price of j's current run: the sum over the nodes it holds (rules
 * above), micro-dollars. 0 when it holds none. */
int64_t job_run_price(const struct job *j);
/*
 * A run of j ends at end (completion, cancel, failure or requeue): add its
 * cost (its run_price_u, kept current while it runs, else job_run_price, x
 * (end - start_time)) to JobRecord.cost_u. Call while
 * the job still holds its nodes; a run is charged once (cost_charged_start
 * guards against a second call for the same start_time). A run that was
 * never launched (launch_acked false: CONFIGURING until its nodes failed to
 * join, or a launch failure) is not charged.
 */
void job_cost_run_end(struct job *j, time_t end);

/* A program provider's placement text for nnodes slots like n, shaped as
 * opt_choice_str()'s: "NAME/REGION/ZONE TYPE MARKET $P/h xN = $T/h", with
 * the whole job's hourly price in *total; NULL when n is not such a slot
 * (no InstanceType/Region/Zone/Market/Price keys). Caller frees. */
char *program_placement_text(const struct node *n, uint32_t nnodes, int64_t *total);

/*
 * cloud_preview.c. sbatch --test-only: a provider that places jobs (prov_aws.c) registers,
 * from its init op, how to preview the offering it would choose for job j
 * (a temporary struct job around the record being tested: j->alloc is
 * empty) when j would get nnodes of p's powered-down slots. The preview
 * returns the offering's text (opt_choice_str(); caller frees) and the whole
 * job's hourly price in *price_u, or NULL when no offering fits (then the
 * will-run line is printed without a placement). At most 32 providers;
 * registering p again replaces its function (NULL: no preview, e.g. from
 * the provider's fini op).
 */
typedef char *(*cloud_preview_fn)(struct provider *p, const struct job *j, uint32_t nnodes,
				  int64_t *price_u);
void cloud_preview_register(struct provider *p, cloud_preview_fn fn);
/* ", placement <text>" for the will-run line of rec (borrowed) when the
 * nodes hl it would get include powered-down slots of a provider with a
 * preview; else NULL. Caller frees. */
char *cloud_will_run_suffix(struct ctld *c, const Sky__JobRecord *rec, const struct hostlist *hl);
/*
 * Will-run simulation (job_will_run.c): powered-down slots with no
 * configured hardware (sized by their provider at launch) count as usable
 * for rec, with the CPUs it asks per node, when their provider's preview has
 * an offering for it. Only entries not usable yet are looked at; nothing
 * is changed on the nodes.
 */
void cloud_will_run_slots(const Sky__JobRecord *rec, struct node *const *nodes, size_t n,
			  bool *usable, uint32_t *total, uint32_t *free_cpus);
/* The preview for j on nnodes slots of p (NULL: none registered or none fits). */
char *cloud_preview(struct provider *p, const struct job *j, uint32_t nnodes, int64_t *price_u);

#endif
