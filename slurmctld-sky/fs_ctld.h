/*
 * fs_ctld.h: fair share and multifactor priority inside the controller
 * (slurm.md section 7): the association tree kept in the store, the
 * slurm.conf keys, association enforcement at submission, association
 * limits at scheduling, and the priority cycle.
 *
 * The core (assoc.h, fairshare.h, priority.h) is pure computation; this
 * file is where it meets the job table and the store. Everything runs on
 * the controller's one event loop.
 */
#ifndef SKY_FS_CTLD_H
#define SKY_FS_CTLD_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "assoc.h"
#include "conf.h"
#include "fairshare.h"
#include "priority.h"
#include "sky.pb-c.h"
#include "sky_err.h"
#include "state_lmdb.h"

struct ctld;
struct job;
struct qos_table;

/* A name -> text pair: a user's default account (sacctmgr add user
 * DefaultAccount=), or an account's "description<TAB>organization". */
struct fs_default {
	char *user, *acct;          /* owned: the key and the value */
};

/* A list of such pairs. */
struct fs_kvlist {
	struct fs_default *v;       /* owned */
	size_t n;
};

/* TRESBillingWeights of one partition. */
struct fs_part_weights {
	char *part;                 /* owned; NULL: PartitionName=DEFAULT */
	double w[ASSOC_TRES_MAX];
	bool has;
};

struct fs_ctld {
	struct assoc_tree *tree;    /* owned */
	struct prio_conf pc;
	struct fs_params fsp;
	bool multifactor;           /* PriorityType=priority/multifactor */
	uint32_t enforce;           /* CONF_ENFORCE_* */
	struct fs_part_weights *pw; /* owned */
	size_t n_pw;
	struct fs_kvlist defs;      /* user -> default account */
	struct fs_kvlist descr;     /* account -> "description\torganization" */
	struct qos_table *qos;      /* owned; the QOS records (qos_ctld.h) */
	time_t last_cycle;
	time_t next_reset;          /* 0: never */
	bool usage_changed;         /* usage charged since the factors were computed */
};

/* Parse the configuration's fair-share keys (for slurmctld -n too). Errors name file:line. */
int fs_conf_check(const struct sky_conf *conf, struct sky_errbuf *eb);

/*
 * Parse the keys, load the tree and defaults from the store (a new tree
 * with root when there is none), recount the loaded jobs, and run the
 * first priority cycle. Call after job_load_all().
 */
int fs_ctld_init(struct ctld *c, struct sky_errbuf *eb);
void fs_ctld_fini(struct ctld *c);

/* Put the tree and the defaults into t (the caller commits). */
int fs_ctld_save(struct ctld *c, struct store_txn *t, struct sky_errbuf *eb);

/* The 1 s timer: a priority cycle every PriorityCalcPeriod (multifactor only). */
void fs_ctld_tick(struct ctld *c, time_t now);

/* Start of a scheduling pass: recount the live-job counters (and refresh
 * priorities when usage was charged since the last computation). */
void fs_ctld_sched_begin(struct ctld *c, time_t now);
/* The association limit a pending job waits for (Slurm's reason), or NULL. */
const char *fs_ctld_sched_blocker(struct ctld *c, const struct job *j);
/*
 * Sort the pending queue in Slurm's order (prio_sort_cmp: partition
 * PriorityTier, priority, submit time, id) when the partitions' tiers
 * differ; false (queue untouched) when they are all equal, where the FIFO
 * order_cmp gives the same order.
 */
bool fs_sched_order(struct ctld *c, struct job **queue, size_t n);
/* j started: its association's counters take its TRES. */
void fs_ctld_job_started(struct ctld *c, struct job *j, time_t now);
/* j gives its nodes back: charge what it used since the last charge. */
void fs_ctld_job_released(struct ctld *c, struct job *j, time_t now);

/*
 * Submission: with AccountingStorageEnforce=associations, the (user,
 * account, partition) association must exist (d->account is filled with
 * the user's default account when absent); with limits, MaxSubmitJobs and
 * GrpSubmitJobs (tasks jobs more) must not be exceeded. *assoc_id gets the
 * association (0: none). SKY_E_* with Slurm's text in eb.
 */
int fs_ctld_submit_check(struct ctld *c, Sky__JobDesc *d, const char *user, const char *part,
			 uint32_t tasks, uint32_t *assoc_id, struct sky_errbuf *eb);

/* The value of key, or NULL. Borrowed. */
const char *fs_kv_get(const struct fs_kvlist *l, const char *key);
/* Set (val non-NULL) or drop key. */
void fs_kv_set(struct fs_kvlist *l, const char *key, const char *val);
void fs_kv_free(struct fs_kvlist *l);
/* The default account of user, or NULL. Borrowed. */
const char *fs_default_account(const struct fs_ctld *f, const char *user);

/* Recompute fair-share factors and every pending job's priority (multifactor). */
void fs_ctld_refresh(struct ctld *c, time_t now);
/* The priority breakdown of pending job j (f may be NULL); the priority. */
uint32_t fs_ctld_job_prio(struct ctld *c, const struct job *j, time_t now, struct prio_factors *f);

#endif
