/*
 * node_table.h: the nodes of the configuration, their state, and what the
 * running jobs hold on each of them.
 *
 * Nodes come from the NodeName lines (hostlists expanded, in file order),
 * or, with none, one node named after this host. Their hardware is what the
 * config fixes, else what the agent reports when it registers. The table is
 * built once at start-up and never resized, so struct node pointers stay valid
 * for the controller's lifetime.
 *
 * A node's base state is derived, not stored: DOWN/FUTURE/CLOUD/DRAIN set by
 * the config win; a node that has not registered is UNKNOWN; otherwise IDLE,
 * MIXED or ALLOCATED from the CPUs its jobs hold.
 */
#ifndef SKY_NODE_TABLE_H
#define SKY_NODE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conf.h"
#include "node_cloud.h"
#include "node_power.h"
#include "sky.pb-c.h"
#include "sky_err.h"

struct conn;
struct provider;

struct node {
	char *name;
	char *addr;                 /* NodeAddr or NULL */
	char *hostname;             /* NodeHostname or NULL */
	const struct conf_node *cn; /* borrowed from the config; NULL for the implicit node */
	struct provider *prov;      /* borrowed; set by providers_start() */
	const char *prov_name;      /* borrowed */

	Sky__NodeState admin_state; /* DOWN/DRAIN/FUTURE/CLOUD from State=, else UNKNOWN */
	char *reason;
	uint64_t reason_time;

	bool registered;            /* an agent registered since the controller started */
	bool not_responding;
	bool down_not_responding;   /* silent past SlurmdTimeout; cleared by registering */
	time_t not_responding_since;
	struct conn *link;          /* the agent's link, or NULL; borrowed */
	time_t last_heard;
	/* A provider runs jobs here itself (Kubernetes pods), no agent: set by
	 * the provider at init for its slots. Such a node is usable without a
	 * link once the provider vouches for it (registered), and is never
	 * marked not responding or DOWN by SlurmdTimeout. */
	bool provider_run;

	uint32_t cpus;              /* 0: unknown until the agent registers */
	uint64_t real_memory_mb;    /* 0: unknown */
	uint32_t sockets, cores_per_socket, threads_per_core;
	char *gres, *features, *version, *os, *arch;
	uint64_t boot_time, agent_start_time, last_busy;
	uint32_t agent_uid;

	uint32_t alloc_cpus;        /* held by jobs */
	uint64_t alloc_mem_mb;
	uint32_t n_jobs;            /* jobs holding resources here */

	char *partitions;           /* comma list, set by part_table_build() */
	struct node_power pw;       /* power saving, driven by power_save.c */
	struct node_cloud cloud;    /* the instance behind a cloud slot: cloud_info.h */
};

struct node_table {
	struct node *nodes;         /* owned, config order */
	size_t count;
	struct node **by_name;      /* owned, sorted, for lookups */
};

/* Build from conf (which must outlive the table). SKY_E_CONFIG on a bad or
 * duplicate node name, naming the file and line. */
int node_table_build(struct node_table *t, const struct sky_conf *conf, struct sky_errbuf *eb);
void node_table_fini(struct node_table *t);

/* The node called name, or NULL. Borrowed. */
struct node *node_find(const struct node_table *t, const char *name);
/* Whether name is one of the n names in v (an expanded -w/-x list). */
bool node_name_in(char **v, size_t n, const char *name);

Sky__NodeState node_state(const struct node *n);
/* NodeFlag bits: NOT_RESPONDING, DRAIN, CLOUD and the power states. */
uint32_t node_flags(const struct node *n);
/* May get new jobs: registered, linked, responding (a provider_run node:
 * registered by its provider, with CPUs), powered up, not DOWN/DRAIN/FUTURE. */
bool node_usable(const struct node *n);
/* CPUs for scheduling: the known count, else 1. */
uint32_t node_cpus(const struct node *n);
uint32_t node_free_cpus(const struct node *n);
uint64_t node_free_mem(const struct node *n);

/* Account resources a job takes or gives back on n. */
void node_alloc_add(struct node *n, uint32_t cpus, uint64_t mem_mb);
void node_alloc_sub(struct node *n, uint32_t cpus, uint64_t mem_mb, time_t now);

/* Take the agent's hardware report, unless the config fixes a value. */
void node_update_from_agent(struct node *n, const Sky__NodeRegister *reg);

#endif
