/*
 * partition.h: the partitions of the configuration, resolved to nodes.
 *
 * With no PartitionName line there is one partition "debug" holding every
 * node (the config loader normally supplies it; this is the fallback).
 * Built once at start-up, like the node table, so pointers stay valid.
 */
#ifndef SKY_PARTITION_H
#define SKY_PARTITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "sky_err.h"

struct node;
struct node_table;

struct partition {
	char *name;
	bool is_default;
	bool hidden;
	char *state;                /* UP DOWN DRAIN INACTIVE */
	uint32_t max_time_min;      /* SKY_INFINITE: none */
	uint32_t default_time_min;  /* SKY_NO_VAL: MaxTime applies */
	uint32_t max_nodes, min_nodes;
	uint64_t def_mem_per_cpu_mb, def_mem_per_node_mb;
	bool exclusive;             /* OverSubscribe=EXCLUSIVE */
	struct node **nodes;        /* owned array of borrowed nodes, config order */
	size_t n_nodes;
	char *node_expr;            /* the nodes as a ranged hostlist */
	/* The scheduler's memo of the nodes in its order (sched_fifo.c): NULL
	 * with sched_order_ok means config order is that order. Owned. */
	struct node **sched_order;
	bool sched_order_ok;
};

struct part_table {
	struct partition *parts;    /* owned */
	size_t count;
	struct partition *dflt;     /* borrowed: Default=YES, else the first; NULL if none */
};

/* Resolve every partition's Nodes= against nodes (also fills each node's
 * partitions list). SKY_E_CONFIG naming the partition on an unknown node. */
int part_table_build(struct part_table *t, const struct sky_conf *conf, struct node_table *nodes,
		     struct sky_errbuf *eb);
void part_table_fini(struct part_table *t);

/* The partition called name, or NULL. Borrowed. */
struct partition *part_find(const struct part_table *t, const char *name);
bool part_has_node(const struct partition *p, const struct node *n);
/* Jobs may start (UP or DRAIN: DRAIN refuses new submissions only). */
bool part_runs_jobs(const struct partition *p);
/* New submissions are accepted (UP or DOWN: DOWN still queues). */
bool part_accepts_jobs(const struct partition *p);

#endif
