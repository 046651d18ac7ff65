/* node_table.c: see node_table.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cloud_info.h"
#include "hostlist.h"
#include "log.h"
#include "node_table.h"
#include "xalloc.h"

static Sky__NodeState admin_state_of(const char *state)
{
	if (!state)
		return SKY__NODE_STATE__NODE_UNKNOWN;
	if (strcasecmp(state, "DOWN") == 0)
		return SKY__NODE_STATE__NODE_DOWN;
	if (strcasecmp(state, "DRAIN") == 0)
		return SKY__NODE_STATE__NODE_DRAIN;
	if (strcasecmp(state, "FUTURE") == 0)
		return SKY__NODE_STATE__NODE_FUTURE;
	if (strcasecmp(state, "CLOUD") == 0)
		return SKY__NODE_STATE__NODE_CLOUD;
	return SKY__NODE_STATE__NODE_UNKNOWN;
}

static void node_from_conf(struct node *n, const struct conf_node *cn, const char *name,
			   const char *addr)
{
	n->name = xstrdup(name);
	n->addr = xstrdup(addr);
	n->hostname = xstrdup(cn->hostname);
	n->cn = cn;
	n->prov_name = cn->provider ? cn->provider : "local";
	n->admin_state = admin_state_of(cn->state);
	n->reason = xstrdup(cn->reason);
	n->cpus = cn->cpus;
	n->real_memory_mb = cn->real_memory_mb;
	n->sockets = cn->sockets;
	n->cores_per_socket = cn->cores_per_socket;
	n->threads_per_core = cn->threads_per_core;
	n->gres = xstrdup(cn->gres);
	n->features = xstrdup(cn->features);
	n->not_responding = true;   /* until its agent registers */
	n->not_responding_since = time(NULL);
	n->pw.cloud = n->admin_state == SKY__NODE_STATE__NODE_CLOUD;
	n->pw.state = n->pw.cloud ? NODE_POWER_OFF : NODE_POWER_ON;
}

/* Expand one NodeName line (and its parallel NodeAddr list) into t. */
static int add_line(struct node_table *t, size_t *cap, const struct conf_node *cn,
		    struct sky_errbuf *eb)
{
	char **names = NULL, **addrs = NULL;
	size_t n = 0, na = 0, i;
	struct sky_errbuf tmp;
	int rc;

	sky_err_clear(&tmp);
	if (hostlist_expand(cn->names, &names, &n, &tmp))
		return sky_err_set(eb, SKY_E_CONFIG, "%s:%d: NodeName=%s: %s", cn->file ? cn->file : "",
				   cn->line, cn->names, sky_err_msg(&tmp));
	if (cn->addr && hostlist_expand(cn->addr, &addrs, &na, &tmp)) {
		rc = sky_err_set(eb, SKY_E_CONFIG, "%s:%d: NodeAddr=%s: %s", cn->file ? cn->file : "",
				 cn->line, cn->addr, sky_err_msg(&tmp));
		goto out;
	}
	rc = 0;
	if (addrs && na != n) {
		rc = sky_err_set(eb, SKY_E_CONFIG, "%s:%d: NodeAddr=%s names %zu hosts for %zu nodes",
				 cn->file ? cn->file : "", cn->line, cn->addr, na, n);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (t->count == *cap) {
			*cap = *cap ? 2 * *cap : 16;
			t->nodes = xrealloc(t->nodes, *cap * sizeof(*t->nodes));
		}
		memset(&t->nodes[t->count], 0, sizeof(t->nodes[0]));
		node_from_conf(&t->nodes[t->count++], cn, names[i], addrs ? addrs[i] : NULL);
	}
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	for (i = 0; i < na; i++)
		free(addrs[i]);
	free(addrs);
	return rc;
}

static int by_name_cmp(const void *a, const void *b)
{
	const struct node *x = *(const struct node *const *)a, *y = *(const struct node *const *)b;
	return strcmp(x->name, y->name);
}

/* No NodeName line: this host is the one node, hardware from its agent. */
static void add_implicit(struct node_table *t)
{
	char host[256] = "localhost", *dot;

	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		if ((dot = strchr(host, '.')))
			*dot = '\0';
	}
	t->nodes = xcalloc(1, sizeof(*t->nodes));
	t->count = 1;
	t->nodes[0].name = xstrdup(host);
	t->nodes[0].prov_name = "local";
	t->nodes[0].not_responding = true;
	t->nodes[0].not_responding_since = time(NULL);
}

int node_table_build(struct node_table *t, const struct sky_conf *conf, struct sky_errbuf *eb)
{
	size_t cap = 0, i;
	int rc;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < conf->n_nodes; i++)
		if ((rc = add_line(t, &cap, &conf->nodes[i], eb)))
			goto fail;
	if (t->count == 0)
		add_implicit(t);
	t->by_name = xcalloc(t->count, sizeof(*t->by_name));
	for (i = 0; i < t->count; i++)
		t->by_name[i] = &t->nodes[i];
	qsort(t->by_name, t->count, sizeof(*t->by_name), by_name_cmp);
	for (i = 1; i < t->count; i++)
		if (strcmp(t->by_name[i - 1]->name, t->by_name[i]->name) == 0) {
			const struct conf_node *cn = t->by_name[i]->cn;
			rc = sky_err_set(eb, SKY_E_CONFIG, "%s:%d: node %s is defined twice",
					 cn && cn->file ? cn->file : "", cn ? cn->line : 0,
					 t->by_name[i]->name);
			goto fail;
		}
	return 0;
fail:
	node_table_fini(t);
	return rc;
}

void node_table_fini(struct node_table *t)
{
	size_t i;

	for (i = 0; i < t->count; i++) {
		struct node *n = &t->nodes[i];
		free(n->name);
		free(n->addr);
		free(n->hostname);
		free(n->reason);
		free(n->gres);
		free(n->features);
		free(n->version);
		free(n->os);
		free(n->arch);
		free(n->partitions);
		node_clear_cloud(n);
	}
	free(t->nodes);
	free(t->by_name);
	memset(t, 0, sizeof(*t));
}

struct node *node_find(const struct node_table *t, const char *name)
{
	size_t lo = 0, hi = t->count;

	if (!name)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(name, t->by_name[mid]->name);
		if (d == 0)
			return t->by_name[mid];
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

Sky__NodeState node_state(const struct node *n)
{
	if (n->admin_state == SKY__NODE_STATE__NODE_DOWN || n->down_not_responding)
		return SKY__NODE_STATE__NODE_DOWN;
	if (n->admin_state == SKY__NODE_STATE__NODE_FUTURE)
		return SKY__NODE_STATE__NODE_FUTURE;
	/* Powered down: Slurm's IDLE+CLOUD+POWERED_DOWN. */
	if (n->pw.state == NODE_POWER_OFF && !n->n_jobs && n->admin_state != SKY__NODE_STATE__NODE_DRAIN)
		return SKY__NODE_STATE__NODE_CLOUD;
	if (n->admin_state == SKY__NODE_STATE__NODE_DRAIN)
		return SKY__NODE_STATE__NODE_DRAIN;
	if (!n->registered && !n->n_jobs && n->pw.state == NODE_POWER_ON)
		return SKY__NODE_STATE__NODE_UNKNOWN;
	if (!n->n_jobs)
		return SKY__NODE_STATE__NODE_IDLE;
	if (n->alloc_cpus >= node_cpus(n))
		return SKY__NODE_STATE__NODE_ALLOCATED;
	return SKY__NODE_STATE__NODE_MIXED;
}

uint32_t node_flags(const struct node *n)
{
	uint32_t f = 0;

	/* A node powered down (or on its way) is silent by design. */
	if (n->not_responding && n->pw.state == NODE_POWER_ON && !n->provider_run)
		f |= SKY__NODE_FLAG__NODE_FLAG_NOT_RESPONDING;
	if (n->admin_state == SKY__NODE_STATE__NODE_DRAIN)
		f |= SKY__NODE_FLAG__NODE_FLAG_DRAIN;
	if (n->pw.cloud)
		f |= SKY__NODE_FLAG__NODE_FLAG_CLOUD;
	if (n->pw.state == NODE_POWER_OFF)
		f |= SKY__NODE_FLAG__NODE_FLAG_POWERED_DOWN;
	else if (n->pw.state == NODE_POWERING_UP)
		f |= SKY__NODE_FLAG__NODE_FLAG_POWERING_UP;
	else if (n->pw.state == NODE_POWERING_DOWN)
		f |= SKY__NODE_FLAG__NODE_FLAG_POWERING_DOWN;
	if (n->pw.down_pending)
		f |= SKY__NODE_FLAG__NODE_FLAG_POWER_DOWN;
	return f;
}

bool node_usable(const struct node *n)
{
	if (n->provider_run) {
		/* No CPU left: other pods took the whole Kubernetes node. */
		if (!n->registered || !n->cpus || n->pw.state != NODE_POWER_ON || n->pw.asap)
			return false;
	} else if (!n->registered || !n->link || n->not_responding || n->down_not_responding ||
		   n->pw.state != NODE_POWER_ON || n->pw.asap) {
		return false;
	}
	return n->admin_state != SKY__NODE_STATE__NODE_DOWN &&
	       n->admin_state != SKY__NODE_STATE__NODE_DRAIN &&
	       n->admin_state != SKY__NODE_STATE__NODE_FUTURE;
}

uint32_t node_cpus(const struct node *n)
{
	return n->cpus ? n->cpus : 1;
}

uint32_t node_free_cpus(const struct node *n)
{
	uint32_t total = node_cpus(n);
	return total > n->alloc_cpus ? total - n->alloc_cpus : 0;
}

uint64_t node_free_mem(const struct node *n)
{
	return n->real_memory_mb > n->alloc_mem_mb ? n->real_memory_mb - n->alloc_mem_mb : 0;
}

void node_alloc_add(struct node *n, uint32_t cpus, uint64_t mem_mb)
{
	n->alloc_cpus += cpus;
	n->alloc_mem_mb += mem_mb;
	n->n_jobs++;
}

void node_alloc_sub(struct node *n, uint32_t cpus, uint64_t mem_mb, time_t now)
{
	n->alloc_cpus = n->alloc_cpus > cpus ? n->alloc_cpus - cpus : 0;
	n->alloc_mem_mb = n->alloc_mem_mb > mem_mb ? n->alloc_mem_mb - mem_mb : 0;
	if (n->n_jobs)
		n->n_jobs--;
	n->last_busy = (uint64_t)now;
}

static void take_str(char **field, const char *val)
{
	if (!val || !*val)
		return;
	free(*field);
	*field = xstrdup(val);
}

void node_update_from_agent(struct node *n, const Sky__NodeRegister *reg)
{
	const struct conf_node *cn = n->cn;

	if ((!cn || !cn->cpus) && reg->has_cpus && reg->cpus)
		n->cpus = reg->cpus;
	if ((!cn || !cn->real_memory_mb) && reg->has_real_memory_mb && reg->real_memory_mb)
		n->real_memory_mb = reg->real_memory_mb;
	if ((!cn || !cn->sockets) && reg->has_sockets)
		n->sockets = reg->sockets;
	if ((!cn || !cn->cores_per_socket) && reg->has_cores_per_socket)
		n->cores_per_socket = reg->cores_per_socket;
	if ((!cn || !cn->threads_per_core) && reg->has_threads_per_core)
		n->threads_per_core = reg->threads_per_core;
	if (!cn || !cn->gres)
		take_str(&n->gres, reg->gres);
	take_str(&n->version, reg->version);
	take_str(&n->os, reg->os);
	take_str(&n->arch, reg->arch);
	if (reg->has_boot_time)
		n->boot_time = reg->boot_time;
	if (reg->has_agent_start_time)
		n->agent_start_time = reg->agent_start_time;
	if (reg->has_agent_uid)
		n->agent_uid = reg->agent_uid;
}

bool node_name_in(char **v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], name) == 0)
			return true;
	return false;
}
