/*
 * job_step.h: the steps of a job (srun), kept in the job's record
 * (JobRecord.steps) so they are committed and restored with the job.
 *
 * A step is checked against the job's allocation and laid out in blocks
 * over its nodes when srun creates it; each node's step process reports
 * when its tasks have ended, and the step ends when every node has.
 * These functions change memory only; the caller commits the job.
 */
#ifndef SKY_JOB_STEP_H
#define SKY_JOB_STEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "job_queue.h"
#include "sky.pb-c.h"
#include "sky_err.h"

/* The step with step_id in j, or NULL. Borrowed. */
Sky__StepRecord *step_find(const struct job *j, uint32_t step_id);

/*
 * Block layout of ntasks over nnodes (the remainder on the first nodes),
 * each node at most cap tasks (0: no cap). *out (nnodes entries) is
 * caller-freed. SKY_E_TOO_MANY_PROCS when the tasks do not fit.
 */
int step_layout(uint32_t nnodes, uint32_t ntasks, uint32_t cap, uint32_t **out,
		struct sky_errbuf *eb);

/*
 * Check rq against j's allocation and lay the step out (nodes, tasks per
 * node), with Slurm's errors: SKY_E_NODE_COUNT "Only allocated N nodes
 * asked for M", SKY_E_TOO_MANY_PROCS, SKY_E_NODE_CONFIG for -w outside the
 * allocation, and SKY_E_DISABLED "Requested nodes are busy" while running
 * steps hold the CPUs it needs (unless rq->overlap). *out (state RUNNING, no id yet) is freed with
 * sky__step_record__free_unpacked(), or consumed by step_add().
 */
int step_plan(const struct job *j, const Sky__StepCreateRequest *rq, Sky__StepRecord **out,
	      struct sky_errbuf *eb);

/* Give st the job's next step id, start it now and append it to j (consumes st). */
Sky__StepRecord *step_add(struct job *j, Sky__StepRecord *st, time_t now);

/*
 * One node's report on its tasks. The step ends when every node has
 * reported: FAILED if any task failed, CANCELLED when cancelled (or the job
 * was), else COMPLETE; exit_status is the highest. Returns true when st
 * changed.
 */
bool step_apply_complete(const struct job *j, Sky__StepRecord *st,
			 const Sky__StepComplete *sc, time_t now);

/*
 * The job has ended: its steps still running end CANCELLED at the job's
 * end time (their nodes' reports may never come). Returns how many changed.
 */
size_t step_job_ended(struct job *j);

/*
 * srun ends its own allocation with the step's status: steps whose nodes
 * have not reported yet take that status now (the reports that follow are
 * ignored). Returns how many changed.
 */
size_t step_end_running(struct job *j, int status, time_t now);

/* Whether the step still runs. */
bool step_is_running(const Sky__StepRecord *st);

/* RPC handlers (rpc_step.c; the table is rpc_table.c, the contract rpc.h). */
struct rpc_ctx;
int rpc_step_create(struct rpc_ctx *r, struct sky_errbuf *eb);
int rpc_step_signal(struct rpc_ctx *r, struct sky_errbuf *eb);
int rpc_alloc_complete(struct rpc_ctx *r, struct sky_errbuf *eb);
int rpc_agent_step_complete(struct rpc_ctx *r, struct sky_errbuf *eb);

#endif
