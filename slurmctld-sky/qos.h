/*
 * qos.h: Quality of Service records (slurm.md section 7; Slurm's qos.shtml
 * and resource_limits.shtml): what sacctmgr add|modify|delete|show qos
 * manages, what a job's --qos names, and the limits and priority a QOS
 * gives its jobs.
 *
 * The table is plain memory, like the association tree (assoc.h): the
 * controller keeps it in its store through qos_table_pack()/unpack() and
 * clients unpack the same bytes to print it. TRES limits are indexed by the
 * association tree's TRES table, which the caller passes wherever names
 * are read or written. Nothing here locks.
 *
 * Not modelled: Preempt and PreemptMode are stored and shown but nothing
 * preempts; GraceTime, UsageThreshold and the per-account (PA) limits are
 * accepted and ignored.
 */
#ifndef SKY_QOS_H
#define SKY_QOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assoc.h"
#include "sky.pb-c.h"
#include "sky_err.h"

/* Flags= (sacctmgr names in qos_flag_names[] order). */
enum qos_flag {
	QOS_FLAG_DENY_ON_LIMIT = 1u << 0,   /* DenyOnLimit: Max* limits refuse at submission */
	QOS_FLAG_NO_RESERVE = 1u << 1,      /* NoReserve: accepted, no effect */
	QOS_FLAG_OVER_PART_QOS = 1u << 2,   /* accepted, no effect */
	QOS_FLAG_PART_MAX_NODE = 1u << 3,   /* PartitionMaxNodes: accepted, no effect */
	QOS_FLAG_PART_MIN_NODE = 1u << 4,   /* PartitionMinNodes: accepted, no effect */
	QOS_FLAG_PART_TIME_LIMIT = 1u << 5, /* PartitionTimeLimit: accepted, no effect */
	QOS_FLAG_REQUIRE_RESV = 1u << 6,    /* RequiresReservation: accepted, no effect */
	QOS_FLAG_NO_DECAY = 1u << 7,        /* NoDecay: accepted, no effect */
	QOS_FLAG_USAGE_FACTOR_SAFE = 1u << 8,
};

/* The jobs and TRES of one user in one QOS (live counters, not stored). */
struct qos_user {
	char *user;                 /* owned; NULL: a free slot */
	uint32_t jobs;              /* running */
	uint32_t submit;            /* pending + running */
	uint64_t tres[ASSOC_TRES_MAX];
};

struct qos {
	uint32_t id;                /* never reused; "normal" is 1 */
	char *name;                 /* owned; lower case */
	char *description;          /* owned */
	char *preempt;              /* owned; Preempt= as given (no preemption), NULL: none */
	uint32_t priority;          /* Priority (0 when unset, as Slurm shows it) */
	uint32_t flags;             /* QOS_FLAG_* */
	double usage_factor;        /* UsageFactor, default 1 */
	struct tres_vec grp_tres;           /* GrpTRES */
	struct tres_vec max_tres_pj;        /* MaxTRES (MaxTRESPerJob) */
	struct tres_vec max_tres_pu;        /* MaxTRESPU (MaxTRESPerUser) */
	struct tres_vec max_tres_pn;        /* MaxTRESPerNode */
	uint32_t grp_jobs;                  /* GrpJobs; ASSOC_UNSET32: none */
	uint32_t grp_submit;                /* GrpSubmitJobs */
	uint32_t max_jobs_pu;               /* MaxJobsPU (MaxJobsPerUser) */
	uint32_t max_submit_pu;             /* MaxSubmitPU (MaxSubmitJobsPerUser) */
	uint32_t max_wall_mins;             /* MaxWall (MaxWallDurationPerJob) */

	/* Live counters of this QOS's jobs (qos_limits.c); not stored. */
	uint32_t used_jobs, used_submit;
	uint64_t grp_used_tres[ASSOC_TRES_MAX];
	struct qos_user *users;     /* owned open-addressing hash by user name */
	size_t cap_users, n_users;
};

struct qos_table {
	struct qos **v;             /* owned, in id order */
	size_t n;
	uint32_t next_id;
};

/* A table with "normal" (Slurm's default QOS: id 1, "Normal QOS default"). Caller frees. */
struct qos_table *qos_table_new(void);
void qos_table_free(struct qos_table *t);
/* By name (case-insensitive); NULL when absent. Borrowed. */
struct qos *qos_find(const struct qos_table *t, const char *name);
/* A new QOS named name (lower-cased) with every limit unset. Borrowed. */
struct qos *qos_add(struct qos_table *t, const char *name);
/* Remove and free q. */
void qos_remove(struct qos_table *t, struct qos *q);
/* The largest Priority of any QOS (the QOS factor's denominator). */
uint32_t qos_max_priority(const struct qos_table *t);

/*
 * Apply one sacctmgr key to q ("-1" clears a limit back to unset):
 * Description, Priority, Flags (a comma list; Flags+= / Flags-= when op is
 * '+' / '-', op 0 replaces), UsageFactor, GrpTRES, GrpJobs, GrpSubmitJobs,
 * MaxTRESPerJob|MaxTRES, MaxTRESPerUser|MaxTRESPU, MaxTRESPerNode, MaxJobsPerUser|MaxJobsPU,
 * MaxSubmitJobsPerUser|MaxSubmitPU, MaxWall|MaxWallDurationPerJob, Preempt,
 * and the ignored GraceTime, PreemptMode, PreemptExemptTime, UsageThreshold,
 * Max*PerAccount. SKY_E_NOT_FOUND for another key; SKY_E_INVAL naming key
 * and value for a bad value.
 */
int qos_apply_key(const struct tres_table *tt, struct qos *q, const char *key, char op,
		  const char *v, struct sky_errbuf *eb);

/* "DenyOnLimit,NoReserve" of flags; "" when none. Caller frees. */
char *qos_flags_str(uint32_t flags);

/*
 * Storage and the wire: records (not the live counters) to bytes and back,
 * TRES limits as names so a changed TRES table keeps them. unpack rejects
 * bad magic, truncation and trailing bytes (SKY_E_STORE). Caller frees.
 */
int qos_table_pack(const struct qos_table *t, const struct tres_table *tt, uint8_t **buf,
		   size_t *len);
int qos_table_unpack(const uint8_t *buf, size_t len, const struct tres_table *tt,
		     struct qos_table **out, struct sky_errbuf *eb);

/* The same as a protobuf QosTable (AssocInfoReply.qos); free with qos_pb_free(). */
Sky__QosTable *qos_table_to_pb(const struct qos_table *t, const struct tres_table *tt);
void qos_pb_free(Sky__QosTable *pb);
/* From a received QosTable (borrowed); *out caller-freed. Errors as qos_table_unpack. */
int qos_table_from_pb(const Sky__QosTable *pb, const struct tres_table *tt,
		      struct qos_table **out, struct sky_errbuf *eb);

/* Live counters: zero all; the slot of user in q (created). Borrowed. */
void qos_counts_zero(struct qos_table *t);
struct qos_user *qos_user_slot(struct qos *q, const char *user);
/* The slot of user in q, or NULL. Borrowed. */
const struct qos_user *qos_user_find(const struct qos *q, const char *user);

/*
 * An association's QOS list and default QOS (assoc.h qos/def_qos), with
 * inheritance: the nearest association that sets it, else "normal" for
 * the list and NULL for the default. Borrowed.
 */
const char *qos_assoc_list(const struct assoc *a);
const char *qos_assoc_default(const struct assoc *a);
/* Whether name is in comma list list. */
bool qos_list_has(const char *list, const char *name);

#endif
