/*
 * power_save.h: elastic nodes, Slurm's power saving (slurm.md section 5).
 *
 * A node whose provider can power it (any provider but "local", and every
 * State=CLOUD node) moves through
 *   POWERED_DOWN '~' -> POWERING_UP '#' -> up -> POWERING_DOWN '%' -> POWERED_DOWN
 * State=CLOUD nodes start powered down. The scheduler may give a job
 * powered-down nodes (after every powered-up and powering-up one, then by
 * Weight); they are powered up through their provider in batches (one
 * hostlist per provider per pass, within ResumeRate) and the job stays
 * RUNNING+CONFIGURING until all its nodes have registered, then it is
 * launched and its clock starts. A node not registered ResumeTimeout after
 * its resume was asked is DOWN "ResumeTimeout reached", powered down, and
 * its job requeued. A powered-up node idle for SuspendTime (node >
 * partition > global) is suspended (SuspendRate), POWERING_DOWN for
 * SuspendTimeout, then POWERED_DOWN. SuspendExcNodes/SuspendExcParts are
 * never suspended.
 *
 * Restarts: power states are not stored. At start-up CLOUD nodes are
 * powered down, except the nodes of jobs the store says are RUNNING: those
 * of a CONFIGURING job are powering up with a fresh ResumeTimeout deadline,
 * the others are up (their agents re-register, or the usual not-responding
 * rules apply). An agent that registers while its node is powered down is
 * taken as powered up.
 *
 * Everything runs on the controller's thread. Providers report late
 * outcomes with power_resume_failed() and power_node_lost().
 */
#ifndef SKY_POWER_SAVE_H
#define SKY_POWER_SAVE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "sky_err.h"

struct ctld;
struct job;
struct node;

/* Resolve every node's settings (after providers_start). 0 or SKY_E_CONFIG. */
int power_save_init(struct ctld *c, struct sky_errbuf *eb);
/* After the jobs are loaded: the nodes of running jobs are not powered down. */
void power_save_restore(struct ctld *c, time_t now);
void power_save_fini(struct ctld *c);
/* 1 s timer: ResumeTimeout, SuspendTimeout, idle release, queued batches. */
void power_save_tick(struct ctld *c, time_t now);
/* Hand the queued resumes and suspends to the providers (rate limits apply). */
void power_save_flush(struct ctld *c, time_t now);

/* Whether n may be given to job j (one of nnodes) now: usable, or powered
 * down / powering up and power-managed. May set n's hardware from the
 * provider's size_for_job op. */
bool power_node_schedulable(struct ctld *c, struct node *n, const struct job *j, uint32_t nnodes);
/* Usable now, or powered down / powering up with configured hardware and
 * power-managed (for sbatch --test-only; no provider call). */
bool power_node_available(const struct node *n);
/* Node order class: 0 powered up, 1 powering up, 2 powered down. */
int power_node_rank(const struct node *n);
/* j was just given its nodes (job_start): power up those that are down and
 * mark j CONFIGURING when any of its nodes is not up yet. */
void power_job_started(struct ctld *c, struct job *j, time_t now);
/* RUNNING and waiting for its nodes: not launched yet. */
bool power_job_configuring(const struct job *j);
/* n's agent registered (after the reply went out): n is up; the CONFIGURING
 * jobs whose nodes are now all up are launched. */
void power_node_registered(struct ctld *c, struct node *n, time_t now);
/* n's agent is expected to be silent (powered down or on its way), or n has
 * none (provider_run: its provider reports losses). */
bool power_node_quiet(const struct node *n);

/*
 * For providers (also asynchronously, from their poll op):
 * power_resume_failed: node did not come up. It becomes DOWN with reason
 *   and powered down ("down~"), the provider's suspend op is called for it,
 *   its resume is abandoned, and its job is requeued (restart count + 1), or
 *   ends NODE_FAIL when it may not be requeued.
 * power_node_lost: a powered-up node went away (spot preemption, instance
 *   gone): its jobs are requeued or fail as for any lost node, and the node
 *   is powered down (idle~, reason logged).
 * Unknown node names are logged and ignored.
 */
void power_resume_failed(struct ctld *c, const char *node, const char *reason);
void power_node_lost(struct ctld *c, const char *node, const char *reason);

/* A powered-down slot goes back to its configured hardware (CPUs, memory,
 * GRES left unset stay unset): its next launch may be another size. Nothing
 * is done while jobs still hold it. Called on every way down (suspend done,
 * loss, failed resume); providers may call it sooner. */
void power_node_forget_hw(struct node *n);

/*
 * scontrol update NodeName=nodes State=state [Reason=reason] and scontrol
 * power: POWER_DOWN, POWER_DOWN_ASAP, POWER_DOWN_FORCE, POWER_UP, RESUME.
 * 0, or SKY_E_INVALID_NODE_NAME / SKY_E_INVAL with Slurm's message in eb.
 */
int power_update_node(struct ctld *c, const char *nodes, const char *state, const char *reason,
		      struct sky_errbuf *eb);

#endif
