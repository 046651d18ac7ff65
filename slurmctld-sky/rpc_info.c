/* rpc_info.c: REQUEST_PING, REQUEST_JOB_INFO, REQUEST_NODE_INFO. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cloud_info.h"
#include "ctld.h"
#include "gres_alloc.h"
#include "log.h"
#include "rpc.h"
#include "xalloc.h"

int rpc_ping(struct rpc_ctx *r, struct sky_errbuf *eb)
{
	Sky__RcReply rep = SKY__RC_REPLY__INIT;

	(void)eb;
	rep.rc = 0;
	rpc_reply(r, SKY__MSG_TYPE__RESPONSE_RC, &rep.base);
	return 0;
}

static bool wanted(const Sky__JobInfoRequest *q, uint32_t id)
{
	size_t i;

	if (!q->n_job_ids)
		return true;
	for (i = 0; i < q->n_job_ids; i++)
		if (q->job_ids[i] == id)
			return true;
	return false;
}

/*
 * Every job in memory (finished ones until MinJobAge), or the ones asked for.
 * Records go out as shallow copies without the environment: squeue and
 * scontrol never show it, and it is most of a record's size.
 */
int rpc_job_info(struct rpc_ctx *r, struct sky_errbuf *eb)
{
	Sky__JobInfoRequest *q = NULL;
	Sky__JobInfoReply rep = SKY__JOB_INFO_REPLY__INIT;
	Sky__JobRecord *recs;
	Sky__JobDesc *descs;
	struct job *j;
	size_t n = 0;
	int rc;

	if ((rc = rpc_unpack(r, &sky__job_info_request__descriptor, &q, eb)))
		return rc;
	recs = xcalloc(r->c->jobs.count + 1, sizeof(*recs));
	descs = xcalloc(r->c->jobs.count + 1, sizeof(*descs));
	rep.jobs = xcalloc(r->c->jobs.count + 1, sizeof(*rep.jobs));
	JOB_FOREACH(&r->c->jobs, j) {
		/* Asking for an array's master id gets every task. */
		if (!wanted(q, j->rec->job_id) &&
		    !(j->rec->has_array_task_id && wanted(q, j->rec->array_job_id)))
			continue;
		recs[n] = *j->rec;
		descs[n] = *j->rec->desc;
		descs[n].n_env = 0;
		descs[n].env = NULL;
		recs[n].desc = &descs[n];
		rep.jobs[n] = &recs[n];
		n++;
	}
	rep.n_jobs = n;
	rep.has_now = true;
	rep.now = (uint64_t)r->now;
	/* Asking for particular jobs, none of which exists: Slurm's error. */
	rep.rc = q->n_job_ids && !n ? SKY_E_INVALID_JOB_ID : 0;
	rpc_reply(r, SKY__MSG_TYPE__RESPONSE_JOB_INFO, &rep.base);
	free(rep.jobs);
	free(descs);
	free(recs);
	sky__job_info_request__free_unpacked(q, NULL);
	return 0;
}

/* Whether some job still completing holds node n. */
static bool node_completing(struct ctld *c, const struct node *n)
{
	const struct job_holders *h = job_holders_at(&c->jobs, n);

	for (size_t i = 0; h && i < h->n; i++)
		if (job_is_completing(h->v[i]))
			return true;
	return false;
}

static void fill_node(struct ctld *c, const struct node *n, Sky__NodeInfo *ni)
{
	sky__node_info__init(ni);
	ni->name = n->name;
	ni->state = node_state(n);
	ni->has_state_flags = true;
	ni->state_flags = node_flags(n);
	if (n->n_jobs && node_completing(c, n))
		ni->state_flags |= SKY__NODE_FLAG__NODE_FLAG_COMPLETING;
	ni->has_cpus = ni->has_alloc_cpus = ni->has_real_memory_mb = ni->has_alloc_memory_mb = true;
	ni->cpus = n->cpus;
	ni->alloc_cpus = n->alloc_cpus;
	ni->real_memory_mb = n->real_memory_mb;
	ni->alloc_memory_mb = n->alloc_mem_mb;
	ni->gres = n->gres;
	ni->gres_used = gres_alloc_node_used(c, n);
	ni->partitions = n->partitions;
	ni->reason = n->reason;
	ni->has_reason_time = n->reason_time != 0;
	ni->reason_time = n->reason_time;
	/* The controller set "Not responding" itself: Slurm shows SlurmUser (sinfo -R USER). */
	ni->has_reason_uid = n->down_not_responding || n->pw.resume_failed;
	ni->reason_uid = (uint32_t)c->slurm_uid;
	ni->provider = (char *)n->prov_name;
	ni->addr = n->addr;
	ni->hostname = n->hostname;
	ni->has_boot_time = ni->has_last_busy = ni->has_slurmd_start_time = true;
	ni->boot_time = n->boot_time;
	ni->last_busy = n->last_busy;
	ni->slurmd_start_time = n->agent_start_time;
	ni->has_sockets = ni->has_cores_per_socket = ni->has_threads_per_core = true;
	ni->sockets = n->sockets;
	ni->cores_per_socket = n->cores_per_socket;
	ni->threads_per_core = n->threads_per_core;
	ni->features = n->features;
	ni->version = n->version;
	ni->os = n->os;
	ni->arch = n->arch;
	ni->has_power_state_time = n->pw.elastic;
	ni->power_state_time = (uint64_t)n->pw.since;
	ni->has_resume_deadline = n->pw.resume_deadline != 0;
	ni->resume_deadline = (uint64_t)n->pw.resume_deadline;
	node_cloud_to_info(n, ni);
}

static void fill_part(const struct partition *p, Sky__PartitionInfo *pi)
{
	size_t i;

	sky__partition_info__init(pi);
	pi->name = p->name;
	pi->has_is_default = pi->has_up = true;
	pi->is_default = p->is_default;
	pi->up = strcmp(p->state, "UP") == 0;
	pi->state = p->state;
	pi->has_max_time_min = pi->has_default_time_min = true;
	pi->max_time_min = p->max_time_min;
	pi->default_time_min = p->default_time_min;
	pi->nodes = p->node_expr;
	pi->has_total_nodes = pi->has_total_cpus = true;
	pi->total_nodes = (uint32_t)p->n_nodes;
	for (i = 0; i < p->n_nodes; i++)
		pi->total_cpus += p->nodes[i]->cpus;
	pi->has_max_nodes = pi->has_min_nodes = true;
	pi->max_nodes = p->max_nodes;
	pi->min_nodes = p->min_nodes;
}

int rpc_node_info(struct rpc_ctx *r, struct sky_errbuf *eb)
{
	struct ctld *c = r->c;
	Sky__NodeInfoReply rep = SKY__NODE_INFO_REPLY__INIT;
	Sky__NodeInfo *nodes = xcalloc(c->nodes.count + 1, sizeof(*nodes));
	Sky__PartitionInfo *parts = xcalloc(c->parts.count + 1, sizeof(*parts));
	size_t i;

	(void)eb;
	rep.nodes = xcalloc(c->nodes.count + 1, sizeof(*rep.nodes));
	rep.partitions = xcalloc(c->parts.count + 1, sizeof(*rep.partitions));
	for (i = 0; i < c->nodes.count; i++) {
		fill_node(c, &c->nodes.nodes[i], &nodes[i]);
		rep.nodes[i] = &nodes[i];
	}
	for (i = 0; i < c->parts.count; i++) {
		fill_part(&c->parts.parts[i], &parts[i]);
		rep.partitions[i] = &parts[i];
	}
	rep.n_nodes = c->nodes.count;
	rep.n_partitions = c->parts.count;
	rep.rc = 0;
	rep.has_now = true;
	rep.now = (uint64_t)r->now;
	rep.cluster = c->conf->cluster_name;
	rpc_reply(r, SKY__MSG_TYPE__RESPONSE_NODE_INFO, &rep.base);
	for (i = 0; i < c->nodes.count; i++)
		free(nodes[i].gres_used);
	free(rep.nodes);
	free(rep.partitions);
	free(nodes);
	free(parts);
	return 0;
}
