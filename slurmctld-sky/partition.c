/* partition.c: see partition.h. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "hostlist.h"
#include "log.h"
#include "node_table.h"
#include "partition.h"
#include "timefmt.h"
#include "xalloc.h"

static void add_node(struct partition *p, struct node *n)
{
	size_t i;

	for (i = 0; i < p->n_nodes; i++)
		if (p->nodes[i] == n)
			return;
	p->nodes = xrealloc(p->nodes, (p->n_nodes + 1) * sizeof(*p->nodes));
	p->nodes[p->n_nodes++] = n;
}

static int resolve_nodes(struct partition *p, const struct conf_partition *cp,
			 struct node_table *nt, struct sky_errbuf *eb)
{
	const char *expr = cp ? cp->nodes : "ALL";
	struct sky_errbuf tmp;
	char **names = NULL;
	size_t n = 0, i;
	int rc = 0;

	if (!expr || !*expr)
		return 0;
	if (strcasecmp(expr, "ALL") == 0) {
		for (i = 0; i < nt->count; i++)
			add_node(p, &nt->nodes[i]);
		return 0;
	}
	sky_err_clear(&tmp);
	if (hostlist_expand(expr, &names, &n, &tmp))
		return sky_err_set(eb, SKY_E_CONFIG, "%s:%d: PartitionName=%s Nodes=%s: %s",
				   cp->file ? cp->file : "", cp->line, p->name, expr, sky_err_msg(&tmp));
	for (i = 0; i < n; i++) {
		struct node *nd = node_find(nt, names[i]);
		if (!nd && !rc)
			rc = sky_err_set(eb, SKY_E_CONFIG,
					 "%s:%d: PartitionName=%s: node %s is not defined by any NodeName line",
					 cp->file ? cp->file : "", cp->line, p->name, names[i]);
		if (nd)
			add_node(p, nd);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static void part_from_conf(struct partition *p, const struct conf_partition *cp,
			   const struct sky_conf *conf)
{
	p->name = xstrdup(cp->name);
	p->is_default = cp->is_default;
	p->hidden = cp->hidden;
	p->state = xstrdup(cp->state ? cp->state : "UP");
	p->max_time_min = cp->max_time_min;
	p->default_time_min = cp->default_time_min;
	p->max_nodes = cp->max_nodes;
	p->min_nodes = cp->min_nodes;
	p->def_mem_per_cpu_mb = cp->def_mem_per_cpu_mb ? cp->def_mem_per_cpu_mb : conf->def_mem_per_cpu_mb;
	p->def_mem_per_node_mb = cp->def_mem_per_node_mb ? cp->def_mem_per_node_mb :
				 conf->def_mem_per_node_mb;
	p->exclusive = cp->oversubscribe_exclusive;
}

/* The embedded default when the config has no PartitionName line. */
static void part_implicit(struct partition *p, const struct sky_conf *conf)
{
	p->name = xstrdup("debug");
	p->is_default = true;
	p->state = xstrdup("UP");
	p->max_time_min = SKY_INFINITE;
	p->default_time_min = SKY_NO_VAL;
	p->max_nodes = SKY_INFINITE;
	p->min_nodes = 1;
	p->def_mem_per_cpu_mb = conf->def_mem_per_cpu_mb;
	p->def_mem_per_node_mb = conf->def_mem_per_node_mb;
}

static void node_add_part(struct node *n, const char *part)
{
	if (!n->partitions) {
		n->partitions = xstrdup(part);
		return;
	}
	xstrfmtcat(&n->partitions, ",%s", part);
}

static void finish_part(struct partition *p)
{
	struct hostlist *hl = hostlist_new();
	size_t i;

	for (i = 0; i < p->n_nodes; i++) {
		hostlist_push_host(hl, p->nodes[i]->name);
		node_add_part(p->nodes[i], p->name);
	}
	p->node_expr = hostlist_ranged_string(hl);
	hostlist_destroy(hl);
}

int part_table_build(struct part_table *t, const struct sky_conf *conf, struct node_table *nodes,
		     struct sky_errbuf *eb)
{
	size_t i, count = conf->n_parts ? conf->n_parts : 1;
	int rc;

	memset(t, 0, sizeof(*t));
	t->parts = xcalloc(count, sizeof(*t->parts));
	t->count = count;
	for (i = 0; i < count; i++) {
		struct partition *p = &t->parts[i];
		const struct conf_partition *cp = conf->n_parts ? &conf->parts[i] : NULL;
		if (cp)
			part_from_conf(p, cp, conf);
		else
			part_implicit(p, conf);
		if (part_find(t, p->name) != p) {
			rc = sky_err_set(eb, SKY_E_CONFIG, "%s:%d: partition %s is defined twice",
					 cp && cp->file ? cp->file : "", cp ? cp->line : 0, p->name);
			goto fail;
		}
		if ((rc = resolve_nodes(p, cp, nodes, eb)))
			goto fail;
		finish_part(p);
		if (p->is_default && !t->dflt)
			t->dflt = p;
	}
	if (!t->dflt)
		t->dflt = &t->parts[0];
	return 0;
fail:
	part_table_fini(t);
	return rc;
}

void part_table_fini(struct part_table *t)
{
	size_t i;

	for (i = 0; i < t->count; i++) {
		free(t->parts[i].name);
		free(t->parts[i].state);
		free(t->parts[i].nodes);
		free(t->parts[i].node_expr);
		free(t->parts[i].sched_order);
	}
	free(t->parts);
	memset(t, 0, sizeof(*t));
}

struct partition *part_find(const struct part_table *t, const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < t->count; i++)
		if (t->parts[i].name && strcmp(t->parts[i].name, name) == 0)
			return &t->parts[i];
	return NULL;
}

bool part_has_node(const struct partition *p, const struct node *n)
{
	size_t i;

	for (i = 0; i < p->n_nodes; i++)
		if (p->nodes[i] == n)
			return true;
	return false;
}

bool part_runs_jobs(const struct partition *p)
{
	return strcasecmp(p->state, "UP") == 0 || strcasecmp(p->state, "DRAIN") == 0;
}

bool part_accepts_jobs(const struct partition *p)
{
	return strcasecmp(p->state, "UP") == 0 || strcasecmp(p->state, "DOWN") == 0;
}
