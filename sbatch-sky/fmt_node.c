/* fmt_node.c: see fmt_node.h. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_util.h"
#include "cloud_show.h"
#include "fmt_node.h"
#include "hostlist.h"
#include "state_names.h"
#include "timefmt.h"
#include "xalloc.h"

typedef char *(*node_value_fn)(const struct sinfo_row *r);

struct node_field {
	char code;
	const char *header;
	bool cut;
	bool aggregate;
	node_value_fn value;
};

static const Sky__NodeInfo *first(const struct sinfo_row *r)
{
	return r->n ? r->nodes[0] : NULL;
}

static char *val_partition(const struct sinfo_row *r)
{
	if (!r->part)
		return xstrdup("n/a");
	return xasprintf("%s%s", r->part->name, r->part->is_default ? "*" : "");
}

static char *val_partition_plain(const struct sinfo_row *r)
{
	return xstrdup(r->part ? r->part->name : "n/a");
}

static char *val_avail(const struct sinfo_row *r)
{
	const char *s;

	if (!r->part)
		return xstrdup("n/a");
	s = r->part->state;
	if (!s || !*s)
		return xstrdup(r->part->has_up && !r->part->up ? "down" : "up");
	if (!strcasecmp(s, "INACTIVE"))
		return xstrdup("inact");
	return cli_lower(s);
}

static char *limit_str(uint32_t mins)
{
	char buf[64];

	if (mins == SKY_INFINITE)
		return xstrdup("infinite");
	if (mins == SKY_NO_VAL)
		return xstrdup("n/a");
	return xstrdup(secs2time_str((int64_t)mins * 60, buf, sizeof(buf)));
}

static char *val_timelimit(const struct sinfo_row *r)
{
	return r->part ? limit_str(r->part->max_time_min) : xstrdup("n/a");
}

static char *val_default_time(const struct sinfo_row *r)
{
	if (!r->part || !r->part->has_default_time_min)
		return xstrdup("n/a");
	return limit_str(r->part->default_time_min);
}

static char *val_count(const struct sinfo_row *r)
{
	return xasprintf("%zu", r->n);
}

static char *val_state(const struct sinfo_row *r)
{
	char buf[64];
	const Sky__NodeInfo *nd = first(r);

	if (!nd)
		return xstrdup("n/a");
	return xstrdup(node_state_compact(nd->state, nd->state_flags, true, buf, sizeof(buf)));
}

static char *val_state_long(const struct sinfo_row *r)
{
	char buf[64];
	const Sky__NodeInfo *nd = first(r);

	if (!nd)
		return xstrdup("n/a");
	return xstrdup(node_state_long(nd->state, nd->state_flags, true, buf, sizeof(buf)));
}

static char *val_nodelist(const struct sinfo_row *r)
{
	struct hostlist *hl = hostlist_new();
	char *s;

	for (size_t i = 0; i < r->n; i++)
		hostlist_push_host(hl, r->nodes[i]->name);
	hostlist_uniq(hl);
	s = hostlist_ranged_string(hl);
	hostlist_destroy(hl);
	return s;
}

/* "N" when every node agrees, "min+" otherwise (Slurm's sinfo style). */
static char *min_plus(uint64_t lo, uint64_t hi)
{
	if (lo == hi)
		return xasprintf("%" PRIu64, lo);
	return xasprintf("%" PRIu64 "+", lo);
}

static char *val_cpus(const struct sinfo_row *r)
{
	uint64_t lo = UINT64_MAX, hi = 0;

	for (size_t i = 0; i < r->n; i++) {
		lo = r->nodes[i]->cpus < lo ? r->nodes[i]->cpus : lo;
		hi = r->nodes[i]->cpus > hi ? r->nodes[i]->cpus : hi;
	}
	return r->n ? min_plus(lo, hi) : xstrdup("0");
}

static char *val_memory(const struct sinfo_row *r)
{
	uint64_t lo = UINT64_MAX, hi = 0;

	for (size_t i = 0; i < r->n; i++) {
		lo = r->nodes[i]->real_memory_mb < lo ? r->nodes[i]->real_memory_mb : lo;
		hi = r->nodes[i]->real_memory_mb > hi ? r->nodes[i]->real_memory_mb : hi;
	}
	return r->n ? min_plus(lo, hi) : xstrdup("0");
}

/* Not usable for new work: down, drained or silent. */
static bool node_other(const Sky__NodeInfo *nd)
{
	return nd->state == SKY__NODE_STATE__NODE_DOWN || nd->state == SKY__NODE_STATE__NODE_DRAIN ||
	       nd->state == SKY__NODE_STATE__NODE_UNKNOWN || nd->state == SKY__NODE_STATE__NODE_FUTURE ||
	       (nd->state_flags & (SKY__NODE_FLAG__NODE_FLAG_DRAIN |
				   SKY__NODE_FLAG__NODE_FLAG_NOT_RESPONDING));
}

static char *val_cpus_aiot(const struct sinfo_row *r)
{
	uint64_t a = 0, i_ = 0, o = 0, t = 0;

	for (size_t i = 0; i < r->n; i++) {
		const Sky__NodeInfo *nd = r->nodes[i];
		uint64_t alloc = nd->alloc_cpus > nd->cpus ? nd->cpus : nd->alloc_cpus;

		t += nd->cpus;
		a += alloc;
		if (node_other(nd))
			o += nd->cpus - alloc;
		else
			i_ += nd->cpus - alloc;
	}
	return xasprintf("%" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64, a, i_, o, t);
}

static char *val_nodes_aiot(const struct sinfo_row *r)
{
	size_t a = 0, i_ = 0, o = 0;

	for (size_t i = 0; i < r->n; i++) {
		const Sky__NodeInfo *nd = r->nodes[i];
		if (node_other(nd))
			o++;
		else if (nd->state == SKY__NODE_STATE__NODE_ALLOCATED ||
			 nd->state == SKY__NODE_STATE__NODE_MIXED)
			a++;
		else
			i_++;
	}
	return xasprintf("%zu/%zu/%zu/%zu", a, i_, o, r->n);
}

static char *val_gres(const struct sinfo_row *r)
{
	const Sky__NodeInfo *nd = first(r);
	return xstrdup(nd && nd->gres && *nd->gres ? nd->gres : "(null)");
}

static char *val_reason(const struct sinfo_row *r)
{
	const Sky__NodeInfo *nd = first(r);
	return xstrdup(nd && nd->reason && *nd->reason ? nd->reason : "none");
}

static char *val_reason_user(const struct sinfo_row *r)
{
	const Sky__NodeInfo *nd = first(r);
	char buf[256];

	if (!nd || !nd->has_reason_uid)
		return xstrdup("Unknown");
	return xstrdup(cli_user_name(nd->reason_uid, buf, sizeof(buf)));
}

static char *val_reason_time(const struct sinfo_row *r)
{
	const Sky__NodeInfo *nd = first(r);
	char buf[64];

	if (!nd || !nd->reason_time)
		return xstrdup("Unknown");
	return xstrdup(timestamp_str((time_t)nd->reason_time, buf, sizeof(buf)));
}

static char *val_job_size(const struct sinfo_row *r)
{
	uint32_t lo, hi;

	if (!r->part)
		return xstrdup("n/a");
	lo = r->part->has_min_nodes ? r->part->min_nodes : 1;
	hi = r->part->has_max_nodes ? r->part->max_nodes : SKY_INFINITE;
	if (hi == SKY_INFINITE)
		return xasprintf("%u-infinite", lo);
	if (lo == hi)
		return xasprintf("%u", lo);
	return xasprintf("%u-%u", lo, hi);
}

static char *val_root(const struct sinfo_row *r)
{
	(void)r;
	return xstrdup("no");
}

static char *val_oversubscribe(const struct sinfo_row *r)
{
	(void)r;
	return xstrdup("NO");
}

static char *val_groups(const struct sinfo_row *r)
{
	(void)r;
	return xstrdup("all");
}

static char *val_sct(const struct sinfo_row *r)
{
	const Sky__NodeInfo *nd = first(r);

	if (!nd)
		return xstrdup("0:0:0");
	return xasprintf("%u:%u:%u", nd->sockets ? nd->sockets : 1,
			 nd->cores_per_socket ? nd->cores_per_socket : nd->cpus,
			 nd->threads_per_core ? nd->threads_per_core : 1);
}

static char *val_features(const struct sinfo_row *r)
{
	const Sky__NodeInfo *nd = first(r);
	return xstrdup(nd && nd->features && *nd->features ? nd->features : "(null)");
}

static char *val_zero(const struct sinfo_row *r)
{
	(void)r;
	return xstrdup("0");
}

static char *val_weight(const struct sinfo_row *r)
{
	(void)r;
	return xstrdup("1");
}

static const struct node_field node_fields[] = {
	{ 'a', "AVAIL", true, false, val_avail },
	{ 'C', "CPUS(A/I/O/T)", true, true, val_cpus_aiot },
	{ 'c', "CPUS", true, false, val_cpus },
	{ 'D', "NODES", true, true, val_count },
	{ 'd', "TMP_DISK", true, false, val_zero },
	{ 'E', "REASON", true, false, val_reason },
	{ 'F', "NODES(A/I/O/T)", true, true, val_nodes_aiot },
	{ 'f', "AVAIL_FEATURES", true, false, val_features },
	{ 'G', "GRES", true, false, val_gres },
	{ 'g', "GROUPS", true, false, val_groups },
	{ 'H', "TIMESTAMP", true, false, val_reason_time },
	{ 'h', "OVERSUBSCRIBE", true, false, val_oversubscribe },
	{ 'j', "PRICE", true, false, cloud_val_price },          /* cloud_show.h */
	{ 'k', "ZONE", true, false, cloud_val_zone },
	{ 'L', "DEFAULTTIME", true, false, val_default_time },
	{ 'l', "TIMELIMIT", true, false, val_timelimit },
	{ 'm', "MEMORY", true, false, val_memory },
	{ 'N', "NODELIST", false, true, val_nodelist },
	{ 'P', "PARTITION", true, false, val_partition },
	{ 'q', "MARKET", true, false, cloud_val_market },
	{ 'R', "PARTITION", true, false, val_partition_plain },
	{ 'r', "ROOT", true, false, val_root },
	{ 's', "JOB_SIZE", true, false, val_job_size },
	{ 'T', "STATE", true, false, val_state_long },
	{ 't', "STATE", true, false, val_state },
	{ 'u', "USER", true, false, val_reason_user },
	{ 'w', "WEIGHT", true, false, val_weight },
	{ 'y', "INSTANCE_TYPE", true, false, cloud_val_instance_type },
	{ 'z', "S:C:T", true, false, val_sct },
};
#define N_NODE_FIELDS (sizeof(node_fields) / sizeof(node_fields[0]))

static const struct node_field *field_find(char code)
{
	for (size_t i = 0; i < N_NODE_FIELDS; i++)
		if (node_fields[i].code == code)
			return &node_fields[i];
	return NULL;
}

bool node_in_partition(const Sky__NodeInfo *n, const Sky__PartitionInfo *p)
{
	struct hostlist *hl = NULL;
	bool in;

	if (n->partitions && *n->partitions)
		return cli_list_has(n->partitions, p->name);
	if (!p->nodes || !*p->nodes)
		return false;
	if (!strcasecmp(p->nodes, "ALL"))
		return true;
	if (hostlist_create(p->nodes, &hl, NULL))
		return false;
	in = hostlist_find(hl, n->name) >= 0;
	hostlist_destroy(hl);
	return in;
}

const char *node_fmt_codes(void)
{
	static char codes[N_NODE_FIELDS + 1];

	if (!codes[0])
		for (size_t i = 0; i < N_NODE_FIELDS; i++)
			codes[i] = node_fields[i].code;
	return codes;
}

const char *node_fmt_header(char code)
{
	const struct node_field *f = field_find(code);
	return f ? f->header : "";
}

bool node_fmt_cut(char code)
{
	const struct node_field *f = field_find(code);
	return f ? f->cut : true;
}

bool node_fmt_aggregate(char code)
{
	const struct node_field *f = field_find(code);
	return f ? f->aggregate : false;
}

char *node_fmt_value(char code, const struct sinfo_row *r)
{
	const struct node_field *f = field_find(code);
	return f ? f->value(r) : xstrdup("");
}
