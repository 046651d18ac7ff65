/* show_node.c: see show_node.h. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "cloud_show.h"
#include "fmt_node.h"
#include "gres.h"
#include "show_job.h"
#include "show_node.h"
#include "state_names.h"
#include "timefmt.h"
#include "xalloc.h"

static const char *nz(const char *s)
{
	return s && *s ? s : "(null)";
}

static char *ts_or_none(uint64_t t, char *buf, size_t len)
{
	if (!t) {
		snprintf(buf, len, "None");
		return buf;
	}
	return timestamp_str((time_t)t, buf, len);
}

static void node_hw(char **b, bool o, const Sky__NodeInfo *n)
{
	char fmem[64];

	/* The trailing blanks after CoresPerSocket and Partitions are Slurm's. */
	show_kv(b, o, true, "NodeName=%s Arch=%s CoresPerSocket=%u ", n->name, nz(n->arch),
		n->cores_per_socket ? n->cores_per_socket : 1);
	show_kv(b, o, true, "CPUAlloc=%u CPUEfctv=%u CPUTot=%u CPULoad=%.2f", n->alloc_cpus, n->cpus,
		n->cpus, n->has_cpu_load ? n->cpu_load / 100.0 : 0.0);
	show_kv(b, o, true, "AvailableFeatures=%s", nz(n->features));
	show_kv(b, o, true, "ActiveFeatures=%s", nz(n->features));
	show_kv(b, o, true, "Gres=%s", nz(n->gres));
	show_kv(b, o, true, "NodeAddr=%s NodeHostName=%s Version=%s", n->addr && *n->addr ? n->addr : n->name,
		n->hostname && *n->hostname ? n->hostname : n->name,
		n->version && *n->version ? n->version : "N/A");
	if (n->os && *n->os)
		show_kv(b, o, true, "OS=%s ", n->os);
	if (n->has_free_mem_mb)
		snprintf(fmem, sizeof(fmem), "%" PRIu64, n->free_mem_mb);
	else
		snprintf(fmem, sizeof(fmem), "N/A");
	show_kv(b, o, true, "RealMemory=%" PRIu64 " AllocMem=%" PRIu64 " FreeMem=%s Sockets=%u Boards=1",
		n->real_memory_mb, n->alloc_memory_mb, fmem, n->sockets ? n->sockets : 1);
}

static void node_state(char **b, bool o, const Sky__NodeInfo *n)
{
	char st[128], t1[64], t2[64], mem[64], user[256];
	char *cfg_gres, *used_gres;

	show_kv(b, o, true, "State=%s ThreadsPerCore=%u TmpDisk=0 Weight=1 Owner=N/A MCS_label=N/A",
		node_state_complete(n->state, n->state_flags, st, sizeof(st)),
		n->threads_per_core ? n->threads_per_core : 1);
	show_kv(b, o, true, "Partitions=%s ", n->partitions && *n->partitions ? n->partitions : "(null)");
	show_kv(b, o, true, "BootTime=%s SlurmdStartTime=%s", ts_or_none(n->boot_time, t1, sizeof(t1)),
		ts_or_none(n->slurmd_start_time, t2, sizeof(t2)));
	show_kv(b, o, true, "LastBusyTime=%s ResumeAfterTime=None", ts_or_none(n->last_busy, t1, sizeof(t1)));
	cfg_gres = gres_node_tres_suffix(n->gres);
	used_gres = gres_node_tres_suffix(n->gres_used);
	show_kv(b, o, true, "CfgTRES=cpu=%u,mem=%s,billing=%u%s", n->cpus,
		cli_mem_str(n->real_memory_mb, mem, sizeof(mem)), n->cpus, cfg_gres);
	if (n->alloc_cpus)
		show_kv(b, o, true, "AllocTRES=cpu=%u%s%s%s", n->alloc_cpus,
			n->alloc_memory_mb ? ",mem=" : "",
			n->alloc_memory_mb ? cli_mem_str(n->alloc_memory_mb, mem, sizeof(mem)) : "",
			used_gres);
	else
		show_kv(b, o, true, "AllocTRES=");
	free(cfg_gres);
	free(used_gres);
	show_kv(b, o, true, "CurrentWatts=0 AveWatts=0");
	cloud_show_node(b, o, n);
	if (n->reason && *n->reason)
		show_kv(b, o, true, "Reason=%s [%s@%s]", n->reason,
			n->has_reason_uid ? cli_user_name(n->reason_uid, user, sizeof(user)) : "slurm",
			ts_or_none(n->reason_time, t1, sizeof(t1)));
}

char *show_node_text(const Sky__NodeInfo *n, bool one_liner)
{
	char *b = xstrdup("");

	node_hw(&b, one_liner, n);
	node_state(&b, one_liner, n);
	xstrfmtcat(&b, "%s", one_liner ? "\n" : "\n\n");
	return b;
}

static char *limit(uint32_t mins, const char *none, char *buf, size_t len)
{
	if (mins == SKY_INFINITE)
		snprintf(buf, len, "UNLIMITED");
	else if (mins == SKY_NO_VAL)
		snprintf(buf, len, "%s", none);
	else
		secs2time_str_padded((int64_t)mins * 60, buf, len);
	return buf;
}

char *show_part_text(const Sky__PartitionInfo *p, const Sky__NodeInfoReply *r, bool one_liner)
{
	char *b = xstrdup(""), dt[64], mt[64], maxn[32], mem[64];
	uint64_t cpus = 0, memory = 0;
	uint32_t nodes = 0;
	bool o = one_liner;

	for (size_t i = 0; i < r->n_nodes; i++) {
		if (!node_in_partition(r->nodes[i], p))
			continue;
		nodes++;
		cpus += r->nodes[i]->cpus;
		memory += r->nodes[i]->real_memory_mb;
	}
	if (p->has_total_cpus && p->total_cpus)
		cpus = p->total_cpus;
	if (p->has_total_nodes && p->total_nodes)
		nodes = p->total_nodes;
	if (!p->has_max_nodes || p->max_nodes == SKY_INFINITE)
		snprintf(maxn, sizeof(maxn), "UNLIMITED");
	else
		snprintf(maxn, sizeof(maxn), "%u", p->max_nodes);
	show_kv(&b, o, true, "PartitionName=%s", p->name);
	show_kv(&b, o, true, "AllowGroups=ALL AllowAccounts=ALL AllowQos=ALL");
	show_kv(&b, o, true, "AllocNodes=ALL Default=%s QoS=N/A", p->is_default ? "YES" : "NO");
	show_kv(&b, o, true, "DefaultTime=%s DisableRootJobs=NO ExclusiveUser=NO ExclusiveTopo=NO GraceTime=0 Hidden=NO",
		limit(p->has_default_time_min ? p->default_time_min : SKY_NO_VAL, "NONE", dt, sizeof(dt)));
	show_kv(&b, o, true, "MaxNodes=%s MaxTime=%s MinNodes=%u LLN=NO MaxCPUsPerNode=UNLIMITED MaxCPUsPerSocket=UNLIMITED",
		maxn, limit(p->has_max_time_min ? p->max_time_min : SKY_INFINITE, "UNLIMITED", mt, sizeof(mt)),
		p->has_min_nodes ? p->min_nodes : 0);
	show_kv(&b, o, true, "Nodes=%s", nz(p->nodes));
	show_kv(&b, o, true, "PriorityJobFactor=1 PriorityTier=1 RootOnly=NO ReqResv=NO OverSubscribe=NO");
	show_kv(&b, o, true, "OverTimeLimit=NONE PreemptMode=OFF");
	show_kv(&b, o, true, "State=%s TotalCPUs=%" PRIu64 " TotalNodes=%u SelectTypeParameters=NONE",
		p->state && *p->state ? p->state : (p->has_up && !p->up ? "DOWN" : "UP"), cpus, nodes);
	show_kv(&b, o, true, "JobDefaults=(null)");
	show_kv(&b, o, true, "DefMemPerNode=UNLIMITED MaxMemPerNode=UNLIMITED");
	show_kv(&b, o, true, "TRES=cpu=%" PRIu64 ",mem=%s,node=%u,billing=%" PRIu64, cpus,
		cli_mem_str(memory, mem, sizeof(mem)), nodes, cpus);
	xstrfmtcat(&b, "%s", one_liner ? "\n" : "\n\n");
	return b;
}
