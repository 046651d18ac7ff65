/*
 * dist_logic.h: what the sky_dist SPANK plugin computes, kept free of SPANK
 * calls so that it can be tested on its own (spank/dist_logic_test.c).
 *
 * The plugin turns Slurm's view of a task (ranks, counts, node list, job id)
 * into the variables distributed-training launchers read: torch's
 * (MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK, LOCAL_RANK, LOCAL_WORLD_SIZE,
 * NODE_RANK, GROUP_RANK), SkyPilot's (SKYPILOT_NODE_RANK, SKYPILOT_NODE_IPS,
 * SKYPILOT_NUM_NODES, SKYPILOT_NUM_GPUS_PER_NODE) and JAX's
 * (JAX_COORDINATOR_ADDRESS, JAX_NUM_PROCESSES, JAX_PROCESS_ID).
 */
#ifndef SKY_SPANK_DIST_LOGIC_H
#define SKY_SPANK_DIST_LOGIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DIST_FAM_TORCH    0x1u
#define DIST_FAM_SKYPILOT 0x2u
#define DIST_FAM_JAX      0x4u
#define DIST_FAM_ALL      (DIST_FAM_TORCH | DIST_FAM_SKYPILOT | DIST_FAM_JAX)

#define DIST_PORT_LO_DEFAULT 29500u
#define DIST_PORT_HI_DEFAULT 29999u

/* The marker variable listing what the plugin set (see dist_marker_owns). */
#define DIST_MARKER_VAR "SKY_DIST_SET"

/* plugstack.conf arguments of the plugin. */
struct dist_conf {
	unsigned port_lo, port_hi; /* port_range=LO-HI */
	unsigned families;         /* families=torch,skypilot,jax */
	char *slurm_conf;          /* slurm_conf=PATH: where to look up NodeAddr; may be NULL */
};

/* Defaults: ports 29500-29999, every family. */
void dist_conf_init(struct dist_conf *c);
void dist_conf_free(struct dist_conf *c);

/*
 * Parse the plugstack.conf arguments (av[0..ac-1], "key=value"). On an
 * unknown or malformed argument returns -1 with a message naming it in
 * err (errlen bytes); c then holds what was parsed before it.
 */
int dist_conf_parse(int ac, char **av, struct dist_conf *c, char *err, size_t errlen);

/* "torch,jax" -> bits. -1 on an unknown name (written into err). */
int dist_families_parse(const char *s, unsigned *fam, char *err, size_t errlen);

/* A TCP port 1-65535 in decimal; -1 otherwise. */
int dist_port_parse(const char *s, unsigned *port);

/* The job's port: port_lo + job_id mod the range size, so that jobs sharing
 * a node rarely collide and every task of one job agrees. */
unsigned dist_port_for_job(uint32_t job_id, const struct dist_conf *c);

/*
 * How a node name becomes an address, first that works: its NodeAddr in
 * slurm_conf (when given and readable), the name's IPv4 (else IPv6) address,
 * 127.0.0.1 when the name is this_node (a node that only names itself runs
 * here) or a slurm-sky Provider=local node without NodeAddr (it runs on the
 * controller's machine, as slurmd-sky's SKYPILOT_NODE_IPS say), else the
 * name itself. Caller frees.
 */
char *dist_node_addr(const char *host, const char *slurm_conf, const char *this_node);

/*
 * NodeAddr of host from NodeName= lines of a slurm.conf ("NodeName=a[1-2]
 * NodeAddr=10.0.0.[1-2]" pairs by position); "" for a listed node without
 * NodeAddr whose Provider= is local or absent; NULL when none. Caller frees.
 */
char *dist_conf_node_addr(const char *slurm_conf, const char *host);

/* GPUs on this node: SLURM_GPUS_ON_NODE, else the count of SLURM_JOB_GPUS
 * entries ("0,1,3"), else 0. Either may be NULL. */
unsigned dist_gpus_on_node(const char *gpus_on_node, const char *job_gpus);

/* What one task is, in Slurm's terms. */
struct dist_task {
	uint32_t job_id;
	uint32_t nnodes, nodeid;          /* of the step */
	uint32_t local_tasks, total_tasks;
	uint32_t local_id, global_id;
	const char *nodelist;             /* step (else job) node list; borrowed */
	const char *this_node;            /* SLURMD_NODENAME; may be NULL */
	unsigned gpus_per_node;
	unsigned port;                    /* 0: derive from the job id */
};

struct dist_var {
	char *name, *value;
};

/*
 * The variables of the families in c for task t, in a stable order. Returns
 * 0 with *vars (caller frees with dist_vars_free) and *n, or -1 with a
 * message in err when the node list is malformed.
 */
int dist_vars(const struct dist_conf *c, const struct dist_task *t, struct dist_var **vars,
	      size_t *n, char *err, size_t errlen);
void dist_vars_free(struct dist_var *vars, size_t n);

/*
 * The marker records "NAME=<hash of value>" for every variable the plugin
 * set, so that a later step (srun inside a batch job inherits the batch
 * step's values) can tell its own inherited values, which it replaces, from
 * values the user set, which it keeps. marker may be NULL.
 */
bool dist_marker_owns(const char *marker, const char *name, const char *value);
/* Append NAME=hash(value) to *marker (reallocated; caller frees). */
void dist_marker_add(char **marker, const char *name, const char *value);

#endif
