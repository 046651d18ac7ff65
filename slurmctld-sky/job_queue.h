/*
 * job_queue.h: the controller's job table, job ids, the lifecycle helpers
 * every state change goes through, and persistence.
 *
 * A struct job owns one Sky__JobRecord: the record is what LMDB stores and
 * what squeue/scontrol read, so the controller keeps no second copy of any
 * field. Every string and sub-message of the record is individually
 * malloc'd, so sky__job_record__free_unpacked() frees a record whether it was
 * unpacked from the store or built from a submission.
 *
 * The lifecycle helpers change memory only; the caller saves the job in a
 * write transaction (job_save) and commits before it replies to anyone.
 */
#ifndef SKY_JOB_QUEUE_H
#define SKY_JOB_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "node_table.h"
#include "sky.pb-c.h"
#include "sky_err.h"
#include "state_lmdb.h"

struct ctld;
struct node;

/* Slurm's reason strings (slurm.md 3.3) the controller sets. */
#define REASON_NONE "None"
#define REASON_PRIORITY "Priority"
#define REASON_RESOURCES "Resources"
#define REASON_BEGIN_TIME "BeginTime"
#define REASON_HELD_USER "JobHeldUser"
#define REASON_HELD_ADMIN "JobHeldAdmin"
#define REASON_PART_DOWN "PartitionDown"
#define REASON_PART_INACTIVE "PartitionInactive"
#define REASON_PART_CONFIG "PartitionConfig"
#define REASON_LAUNCH_FAILED "JobLaunchFailure"
#define REASON_NODE_DOWN "NodeDown"
#define REASON_NONZERO_EXIT "NonZeroExitCode"
#define REASON_TIME_LIMIT "TimeLimit"

/* What a running job holds on one node. */
struct job_alloc {
	struct node *node;          /* borrowed from the node table */
	uint32_t cpus;
	uint64_t mem_mb;
};

struct job {
	Sky__JobRecord *rec;        /* owned */
	struct job *hash_next;      /* bucket chain */
	struct job *prev, *next;    /* table order: load order, then submission order */
	struct job_alloc *alloc;    /* owned array; empty unless resources are held */
	size_t n_alloc;
	uint32_t preempted_for;     /* the job this one was preempted for (memory only), or 0 */
};

/* The jobs holding one node (any order). */
struct job_holders {
	struct job **v;
	size_t n, cap;
};

struct job_table {
	struct job **buckets;       /* power-of-two count */
	size_t n_buckets;
	size_t count;
	struct job *head, *tail;
	/* Per node (index: node pointer - node_base, node table order): the jobs
	 * holding it, so a per-node question (gres_alloc.c) costs the jobs on the
	 * node, not the whole table. Kept by job_start/job_release/the state load;
	 * NULL until some job held a node. */
	struct job_holders *holders;
	size_t n_holders;
	const struct node *node_base;
};

#define JOB_FOREACH(t, j) for ((j) = (t)->head; (j); (j) = (j)->next)

void job_table_init(struct job_table *t);
/* Frees every job. */
void job_table_fini(struct job_table *t);

/* The job with id, or NULL. Borrowed. */
struct job *job_find(const struct job_table *t, uint32_t id);
/* Consumes j. The id must not be in the table yet. */
void job_insert(struct job_table *t, struct job *j);
/* Unlinks j; the caller frees it with job_free(). */
void job_remove(struct job_table *t, struct job *j);

/* A job around rec (consumes rec). Caller frees with job_free(). */
struct job *job_new(Sky__JobRecord *rec);
/* Frees the record too. The job must hold no resources (see job_release). */
void job_free(struct job *j);

/* Replace a string field of a record (frees the old value, copies val). */
void job_set_str(char **field, const char *val);
/* Set the reason unless it is that already. */
void job_set_reason(struct job *j, const char *reason);

bool job_is_pending(const struct job *j);    /* PENDING, whatever the flags */
bool job_is_running(const struct job *j);    /* RUNNING or SUSPENDED */
bool job_is_finished(const struct job *j);   /* a terminal base state */
bool job_is_completing(const struct job *j); /* COMPLETING flag: node side still busy */
/* Pending and not finishing an earlier run: what the scheduler may start. */
bool job_is_schedulable(const struct job *j);
/* Whether j holds resources on n. */
bool job_holds_node(const struct job *j, const struct node *n);
/* Index j under the nodes of j->alloc (job_start and the state load do it;
 * for code that sets j->alloc itself, e.g. unit tests). */
void job_holders_add(struct ctld *c, struct job *j);
/* Undo job_holders_add() (before j->alloc goes). */
void job_holders_del(struct job_table *t, struct job *j);
/* The jobs holding n, or NULL when none ever did. Borrowed: changes with
 * job_start/job_release. Inline: the unit tests that build the index by hand
 * link no job_queue.c. */
static inline const struct job_holders *job_holders_at(const struct job_table *t,
							const struct node *n)
{
	size_t k;

	if (!t->holders || n < t->node_base)
		return NULL;
	k = (size_t)(n - t->node_base);
	return k < t->n_holders ? &t->holders[k] : NULL;
}

/* The priority a job gets when not held: decreasing with the job id, always > 0. */
uint32_t job_base_priority(uint32_t job_id);
/*
 * The priority a job starts with (at submit, and again at release): an
 * operator's --priority as given, else the base priority lowered by the
 * job's --nice (raised by a negative one), kept within 1..0xfffffffe.
 */
uint32_t job_initial_priority(const Sky__JobRecord *r);

/*
 * Lifecycle. All change memory only (the caller saves and commits).
 * job_start: RUNNING on the given nodes (alloc copied; first node is the
 *   batch host), start_time now, launch_acked false, reason None.
 * job_end: terminal state st at end_time, COMPLETING cleared, resources freed.
 * job_requeue_pending: back to PENDING (launch never happened, or a requeue
 *   finished): node fields cleared, resources freed.
 * job_release: free the job's resources on its nodes (idempotent).
 */
void job_start(struct ctld *c, struct job *j, const struct job_alloc *alloc, size_t n,
	       time_t now);
void job_end(struct ctld *c, struct job *j, Sky__JobState st, time_t end_time);
void job_requeue_pending(struct ctld *c, struct job *j);
void job_release(struct ctld *c, struct job *j);

/*
 * Apply an agent's completion report for job j, reported by node. Returns
 * true when j changed (then the caller saves it), false for a duplicate or a
 * stale report (the caller still acknowledges it).
 */
bool job_apply_complete(struct ctld *c, struct job *j, const struct node *node,
			const Sky__JobComplete *jc, time_t now);

/* Write j's record into txn. */
int job_save(struct ctld *c, struct job *j, struct store_txn *txn, struct sky_errbuf *eb);
/* Save j in a transaction of its own and commit it. */
int job_commit(struct ctld *c, struct job *j, struct sky_errbuf *eb);

/*
 * Allocate the next job id inside txn (never repeats: skips ids still in the
 * job table or the history db, wraps at MaxJobId) and store the one after it
 * as next_job_id in the same transaction.
 */
int job_id_alloc(struct ctld *c, struct store_txn *txn, uint32_t *id, struct sky_errbuf *eb);

/* Load every stored job into the table and rebuild node allocations from
 * jobs holding nodes. Jobs on nodes no longer configured become NODE_FAIL. */
int job_load_all(struct ctld *c, struct sky_errbuf *eb);
/* -c: delete every stored job and script (history and next_job_id stay). */
int job_clear_store(struct ctld *c, struct sky_errbuf *eb);
/* Move finished jobs older than MinJobAge to the history db, one transaction. */
void job_purge_old(struct ctld *c, time_t now);

#endif
