/*
 * assoc.h: the association tree (slurm.md section 7, "Associations").
 *
 * root -> accounts (nested) -> users, optionally one user association per
 * partition. Each association carries its raw fair-share shares, its limits
 * (every limit distinguishes "unset", which inherits, from a value, 0
 * included), its decayed usage and the counters of its running jobs.
 *
 * The tree is plain memory owned by one struct assoc_tree; the controller
 * keeps it in its LMDB store through assoc_tree_pack()/assoc_tree_unpack().
 * Nothing here locks: the controller's single event loop owns the tree.
 *
 * Fair share (fairshare.h) reads shares and usage and writes the fs block of
 * every association; nothing in this file reads that block.
 */
#ifndef SKY_ASSOC_H
#define SKY_ASSOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sky_err.h"

/* TRES a tree can track: the 8 static ones plus gres/license/bb/fs extras. */
#define ASSOC_TRES_MAX 32

/*
 * Slurm's static TRES, in Slurm's id order (id = index + 1), so TRES
 * strings built from indices list them in the order sacctmgr prints.
 */
enum tres_index {
	TRES_CPU = 0,
	TRES_MEM,          /* MB */
	TRES_ENERGY,
	TRES_NODE,
	TRES_BILLING,
	TRES_FS_DISK,
	TRES_VMEM,
	TRES_PAGES,
	TRES_STATIC_CNT
};

/* Fairshare=parent. */
#define ASSOC_SHARES_PARENT UINT32_MAX
/* A 32-bit limit that is not set (inherit from the parent); 0 is a real limit. */
#define ASSOC_UNSET32 0xfffffffeu
/* A TRES limit that is not set; 0 is a real limit. */
#define ASSOC_UNSET64 UINT64_C(0xfffffffffffffffe)

/* The TRES names a tree knows, index -> "cpu", "mem", ..., "gres/gpu". */
struct tres_table {
	size_t n;
	char *name[ASSOC_TRES_MAX];       /* owned; lower case */
};

/* One count per TRES index; ASSOC_UNSET64 where not given. */
struct tres_vec {
	uint64_t v[ASSOC_TRES_MAX];
};

/* Association limits (sacctmgr names in the comments). */
struct assoc_limits {
	struct tres_vec grp_tres;              /* GrpTRES */
	struct tres_vec grp_tres_mins;         /* GrpTRESMins (checked against decayed usage) */
	struct tres_vec grp_tres_run_mins;     /* GrpTRESRunMins */
	struct tres_vec max_tres_per_job;      /* MaxTRESPerJob (MaxTRES) */
	struct tres_vec max_tres_per_node;     /* MaxTRESPerNode */
	struct tres_vec max_tres_mins_per_job; /* MaxTRESMinsPerJob */
	uint32_t grp_jobs;                     /* GrpJobs */
	uint32_t grp_jobs_accrue;              /* GrpJobsAccrue */
	uint32_t grp_submit_jobs;              /* GrpSubmitJobs */
	uint32_t grp_wall_mins;                /* GrpWall */
	uint32_t max_jobs;                     /* MaxJobs */
	uint32_t max_jobs_accrue;              /* MaxJobsAccrue */
	uint32_t max_submit_jobs;              /* MaxSubmitJobs */
	uint32_t max_wall_mins;                /* MaxWallDurationPerJob (MaxWall) */
	uint32_t priority;                     /* Priority (the assoc priority factor) */
};

/*
 * What fairshare.c computes (fs_compute); meaningless before the first call.
 * Kept in the association so sshare and the scheduler read it in O(1).
 */
struct assoc_fs {
	struct assoc *fs_parent;   /* first ancestor whose shares are not "parent"; NULL for root */
	uint64_t level_shares;     /* sum of the raw shares at this association's fair-share level */
	double shares_norm;        /* NormShares */
	double usage_norm;         /* NormUsage: usage_raw / root's usage_raw */
	double usage_efctv;        /* EffectvUsage (Fair Tree: usage_raw / fs_parent's) */
	double level_fs;           /* Fair Tree LevelFS (INFINITY allowed) */
	double fs_factor;          /* the fair-share factor of the priority formula, 0..1 */
	uint32_t rank;             /* Fair Tree rank (users only; 0 for accounts) */
};

struct assoc {
	uint32_t id;               /* unique and never reused in one tree; root is 1 */
	char *acct;                /* owned; the account (for a user: the account it is in) */
	char *user;                /* owned; NULL for an account association */
	char *partition;           /* owned; NULL unless a per-partition user association */
	uint32_t shares_raw;       /* Fairshare=N, or ASSOC_SHARES_PARENT */
	struct assoc_limits lim;
	char *qos;                 /* owned; QOS= comma list, NULL: inherited (qos.h) */
	char *def_qos;             /* owned; DefaultQOS=, NULL: inherited */

	/* Usage, decayed by fs_decay(): seconds times count. */
	double usage_raw;                      /* billing-seconds: what fair share reads */
	double usage_tres[ASSOC_TRES_MAX];     /* TRES-seconds per TRES (GrpTRESMins) */
	double grp_used_wall;                  /* job-seconds (GrpWall) */

	/* Counters of this subtree's live jobs: never decayed, not stored. */
	uint32_t used_jobs;                    /* running */
	uint32_t used_submit_jobs;             /* pending + running */
	uint32_t accrue_cnt;                   /* pending jobs accruing age */
	uint64_t grp_used_tres[ASSOC_TRES_MAX];/* TRES held by running jobs */
	/* TRES x seconds left of their time limits (GrpTRESRunMins, sshare TRESRunMins) */
	uint64_t grp_used_tres_run_secs[ASSOC_TRES_MAX];

	struct assoc *parent;      /* borrowed; NULL for root */
	struct assoc **child;      /* owned array of borrowed pointers, in insertion order */
	size_t n_child, cap_child;

	struct assoc_fs fs;
	struct assoc *hash_next;   /* private to assoc.c */
};

struct assoc_tree {
	struct tres_table tres;
	struct assoc *root;        /* account "root", id 1 */
	struct assoc **by_id;      /* id -> assoc; NULL for deleted ids; owned */
	size_t cap_id;
	uint32_t next_id;
	size_t n_assoc;            /* live associations, root included */
	size_t n_user;             /* live user associations (Fair Tree's user_assoc_count) */
	struct assoc **hash;       /* private to assoc.c */
	size_t n_hash;
	time_t last_decay;         /* when usage was last decayed (stored with the tree) */
	time_t last_reset;         /* when usage was last reset (PriorityUsageResetPeriod) */
};

/* --- TRES names and strings --------------------------------------------- */

/* The 8 static TRES only. */
void tres_table_init(struct tres_table *t);
void tres_table_clear(struct tres_table *t);
/*
 * Add an extra TRES ("gres/gpu", "gres/gpu:a100", "license/matlab",
 * "bb/cray", "fs/lustre", "ic/ofed") as AccountingStorageTRES lists them,
 * or "cost", a slurm-sky extension for cloud spend (no Slurm equivalent;
 * its unit is the controller's choice); already known is fine (*idx gets
 * its index). SKY_E_INVAL for another type or when the table is full. idx
 * may be NULL.
 */
int tres_table_add(struct tres_table *t, const char *name, size_t *idx, struct sky_errbuf *eb);
/* Index of name (case-insensitive), or -1. */
int tres_table_find(const struct tres_table *t, const char *name);

/* Every entry ASSOC_UNSET64. */
void tres_vec_unset(struct tres_vec *v);

/*
 * Parse a TRES string, "cpu=20,mem=10G,gres/gpu=4,billing=100", into *out
 * (only the named entries change, so a caller may parse onto existing
 * limits). Counts take k/m/g/t/p (powers of 1024); mem is in MB and reads
 * as --mem does ("10G" = 10240). "-1" clears an entry back to unset, as
 * sacctmgr's "GrpTRES=cpu=-1" does. A repeated name: the last one wins.
 * SKY_E_INVAL, naming the entry, for a missing '=', an empty or bad count or
 * an unknown TRES name; *out is then unchanged.
 */
int tres_parse(const struct tres_table *t, const char *s, struct tres_vec *out,
	       struct sky_errbuf *eb);
/* "cpu=20,mem=10G,gres/gpu=4" of the set entries, in index order; "" when none. Caller frees. */
char *tres_vec_str(const struct tres_table *t, const struct tres_vec *v);

/* --- the tree ------------------------------------------------------------ */

/* Every limit unset. */
void assoc_limits_unset(struct assoc_limits *l);

/* A tree with the static TRES and account "root" (Fairshare=1). Caller frees with assoc_tree_free. */
/* s lower-cased, as sacctmgr stores names. Caller frees. */
char *assoc_name_lower(const char *s);
/* Append the lower-cased names of a comma list to (*v, *n) (empty items
 * skipped); the vector and its strings are the caller's to free. */
void assoc_names_push(char ***v, size_t *n, const char *list);

struct assoc_tree *assoc_tree_new(void);
void assoc_tree_free(struct assoc_tree *t);

/*
 * Add account acct under parent_acct (NULL or "root": under root) with
 * shares (a count or ASSOC_SHARES_PARENT) and unset limits. Names are
 * compared case-sensitively (sacctmgr lower-cases them first). *out
 * (may be NULL) is borrowed, valid until the association is deleted.
 * SKY_E_INVAL: empty name; SKY_E_NOT_FOUND: no such parent account;
 * SKY_E_DISABLED: the account exists already.
 */
int assoc_add_account(struct assoc_tree *t, const char *acct, const char *parent_acct,
		      uint32_t shares, struct assoc **out, struct sky_errbuf *eb);
/*
 * Add user to account acct, for all partitions (partition NULL) or one.
 * Errors as assoc_add_account.
 */
int assoc_add_user(struct assoc_tree *t, const char *acct, const char *user,
		   const char *partition, uint32_t shares, struct assoc **out,
		   struct sky_errbuf *eb);

/* (acct, NULL, NULL) is the account; NULL when absent. Borrowed. */
struct assoc *assoc_find(const struct assoc_tree *t, const char *acct, const char *user,
			 const char *partition);
/*
 * The association a job of (acct, user) in partition charges: the
 * per-partition user association when there is one, else the user's
 * partition-less one; NULL when neither exists. Borrowed.
 */
struct assoc *assoc_find_for_job(const struct assoc_tree *t, const char *acct,
				 const char *user, const char *partition);
/* By id; NULL for unknown or deleted. Borrowed. */
struct assoc *assoc_find_id(const struct assoc_tree *t, uint32_t id);

/*
 * Move account acct (and its subtree) under new_parent (sacctmgr modify
 * account set parent=). SKY_E_NOT_FOUND: either is missing; SKY_E_INVAL:
 * root, a user, or a move under its own subtree.
 */
int assoc_move_account(struct assoc_tree *t, const char *acct, const char *new_parent,
		       struct sky_errbuf *eb);

/*
 * Delete a and its whole subtree (as sacctmgr removes an account's users
 * with it). SKY_E_INVAL for root; SKY_E_DISABLED when a job of the subtree
 * is still pending or running (used_submit_jobs or used_jobs non-zero),
 * which is when Slurm refuses too. a is freed on success.
 */
int assoc_delete(struct assoc_tree *t, struct assoc *a, struct sky_errbuf *eb);

/*
 * Call fn for every association in depth-first pre-order, children in
 * insertion order (so the order is stable across calls and round trips),
 * with the depth (root 0). A non-zero return stops the walk and is returned.
 * fn must not add or delete associations.
 */
int assoc_foreach(const struct assoc_tree *t,
		  int (*fn)(struct assoc *a, int depth, void *arg), void *arg);

/* The display name: the user for a user association, else the account. Borrowed. */
const char *assoc_name(const struct assoc *a);

/*
 * Storage: the tree (TRES names, ids, structure, shares, limits, decayed
 * usage, last_decay/last_reset) to bytes and back. The counters of live
 * jobs are not stored: the controller recounts them from its jobs at start.
 * Fixed little-endian layout with a magic and a version; unpack rejects
 * truncation, trailing bytes and inconsistent trees (SKY_E_STORE).
 * *buf and *out are caller-freed.
 */
int assoc_tree_pack(const struct assoc_tree *t, uint8_t **buf, size_t *len);
int assoc_tree_unpack(const uint8_t *buf, size_t len, struct assoc_tree **out,
		      struct sky_errbuf *eb);

#endif
