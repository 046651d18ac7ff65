/*
 * gres_alloc.h: which GRES devices (GPUs) each node has and which job holds
 * which of them.
 *
 * A node's inventory is its Gres= (slurm.conf wins, as for CPUs; else what
 * its agent reported from gres.conf or hwloc). Every GRES of a node gets
 * device indices per name in Gres= order: Gres=gpu:a100:4,gpu:v100:4 gives
 * a100 the indices 0-3 and v100 4-7; untyped gpu:8 is 0-7.
 *
 * The controller keeps no table of its own: the devices a job holds are in
 * its record (JobRecord.gres_alloc, committed with the start), and they count
 * as taken exactly while the job holds its nodes (struct job .n_alloc > 0).
 * So they are freed by job_release() with the CPUs, and a restarted
 * controller has them back as soon as job_load_all() restores the job's
 * nodes. The holding jobs of a node are found through the job table's
 * per-node index (job_queue.h, holders), so a check costs the jobs on that
 * node, not the whole table. Two jobs never share a device because a device is only handed out
 * when no holding job's record names it.
 */
#ifndef SKY_GRES_ALLOC_H
#define SKY_GRES_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sky.pb-c.h"
#include "sky_err.h"

struct ctld;
struct job;
struct node;
struct partition;

/* Tasks on the fullest node of a job: --ntasks-per-node, else ceil(tasks / nodes), else 1. */
uint32_t gres_tasks_per_node(const Sky__JobDesc *d, uint32_t nodes, uint32_t tasks);

/*
 * Whether node n has, free right now, the GRES job j asks of one node. Jobs
 * without GRES always fit.
 */
bool gres_alloc_fits(const struct ctld *c, const struct node *n, const struct job *j);

/*
 * Choose j's devices on the nodes it was just given (j->alloc, filled by
 * job_start) and record them in j->rec->gres_alloc, replacing older entries.
 * Nodes were checked by gres_alloc_fits() in the same pass.
 */
void gres_alloc_start(struct ctld *c, struct job *j);

/*
 * Submission: the GRES options are well formed and consistent, every name
 * and type exists on some node, and at least `nodes` nodes of p (not in exc)
 * could ever hold one node's share. SKY_E_INVALID_GRES with Slurm's text.
 * Nodes whose GRES are not known yet (no Gres= in the config and no agent
 * registered since the controller started) are given the benefit of the doubt.
 */
int gres_alloc_validate(const struct ctld *c, const struct partition *p, const Sky__JobDesc *d,
			uint32_t nodes, uint32_t tasks, char **exc, size_t n_exc,
			struct sky_errbuf *eb);

/*
 * What running jobs hold on n, as Slurm's GresUsed: one entry per Gres= item,
 * "gpu:a100:4(IDX:0-3),gpu:v100:0(IDX:N/A)". NULL when n has no GRES.
 * Caller frees.
 */
char *gres_alloc_node_used(const struct ctld *c, const struct node *n);

#endif
