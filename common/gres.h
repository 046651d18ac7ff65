/*
 * gres.h: generic resources (GRES) as users, slurm.conf and the TRES strings
 * write them (slurm.md section 6).
 *
 * Three spellings meet here:
 *   - requests: --gres=gpu:a100:2,nic  -G a100:4  --gpus-per-node=2
 *     --gpus-per-task=1, and TRES style "gres/gpu:a100=2";
 *   - node specs: Gres=gpu:a100:4,gpu:v100:2(S:0-1),bandwidth:lustre:no_consume:4G;
 *   - TRES output: "gres/gpu=8" (CfgTRES, AllocTRES, ReqTRES).
 * All parse into the same list of (name, type, count) items. Names and types
 * compare case-insensitively; an untyped request matches every type of its
 * name, a typed one only that type.
 */
#ifndef SKY_GRES_H
#define SKY_GRES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sky.pb-c.h"
#include "sky_err.h"

/* Slurm's text when one job names a GRES both with and without a type. */
#define GRES_MSG_TYPE_MIX "Invalid GRES specification (with and without type identification)"

struct gres_item {
	char *name;             /* "gpu", owned */
	char *type;             /* "a100", or NULL when untyped; owned */
	uint64_t count;         /* per node (requests: the largest share of one node) */
	uint64_t job_total;     /* -G/--gpus: the job's total, spread over its nodes; else 0 */
	bool no_consume;        /* node spec only: shared, never used up */
};

struct gres_list {
	struct gres_item *v;    /* owned */
	size_t n;
};

/*
 * Parse a request list (--gres, or TRES style "gres/gpu:a100=2"). Entries
 * are split on commas; "name", "name:count", "name:type", "name:type:count";
 * a numeric last token (suffix k/m/g/t/p) is the count, else count 1; a count
 * of 0 drops the entry; "none" is the empty list. Appends to *out (zeroed
 * or from an earlier call).
 * SKY_E_INVALID_GRES with Slurm's text on anything else.
 */
int gres_parse_request(const char *spec, struct gres_list *out, struct sky_errbuf *eb);

/*
 * Parse a node's Gres= (slurm.conf) or an agent's report: as requests, plus
 * "no_consume" and a trailing "(S:0-1)" socket binding (ignored). A name
 * both typed and untyped on one node, or one (name, type) twice, is an error
 * (SKY_E_CONFIG).
 */
int gres_parse_node(const char *spec, struct gres_list *out, struct sky_errbuf *eb);

void gres_list_free(struct gres_list *l);
/* Append a copy of (name, type, count). */
void gres_list_add(struct gres_list *l, const char *name, const char *type, uint64_t count);

/* "gpu:a100:8,mps:100" (the Gres= form, counts per node). Caller frees; NULL when empty. */
char *gres_list_str(const struct gres_list *l);

/*
 * ",gres/gpu=8" (leading comma, for appending to "cpu=...,mem=..."): the
 * total count per name, each name once, in first-seen order, times mult (a
 * job's node count); no_consume GRES left out; "" when nothing is left.
 * Caller frees.
 */
char *gres_tres_suffix(const struct gres_list *l, uint64_t mult);

/*
 * What a job asks of each node, from its --gres, -G, --gpus-per-node and
 * --gpus-per-task (all become "gpu" items of one per-node count), given the
 * node count and the tasks per node. A name asked both typed and untyped is
 * rejected with GRES_MSG_TYPE_MIX, the same (name, type) from two forms with
 * different per-node counts with Slurm's "Invalid generic resource (gres)
 * specification". Both SKY_E_INVALID_GRES. *out is filled (caller frees).
 */
int gres_job_need(const Sky__JobDesc *d, uint32_t nodes, uint32_t tasks_per_node,
		  struct gres_list *out, struct sky_errbuf *eb);

/* Whether a request's (name, type) is met by a node item's. */
bool gres_item_matches(const struct gres_item *req, const struct gres_item *have);

/*
 * Index sets as Slurm prints them: "0-3,6". Parse fills *idx (caller frees)
 * with the sorted, unique indices; SKY_E_INVALID_GRES on a malformed list.
 */
int gres_idx_parse(const char *s, uint32_t **idx, size_t *n, struct sky_errbuf *eb);
/* Caller frees. idx need not be sorted. */
char *gres_idx_str(const uint32_t *idx, size_t n);

/*
 * A job's devices (JobRecord.gres_alloc) on node as scontrol -d prints
 * them: "gpu:a100:2(IDX:0-1)", comma separated; NULL when none. Caller frees.
 */
char *gres_job_alloc_str(const Sky__JobRecord *rec, const char *node);

/*
 * The sorted indices of name ("gpu") the job holds on node, all types
 * together. 0 with *n == 0 when none. Caller frees *idx.
 */
int gres_job_node_indices(const Sky__JobRecord *rec, const char *node, const char *name,
			  uint32_t **idx, size_t *n, struct sky_errbuf *eb);

/*
 * TRES suffixes for the commands, ",gres/gpu=4" or "": what job j asks for
 * in all (alloc false: its request over its node count) or holds (alloc
 * true: JobRecord.gres_alloc). Caller frees.
 */
char *gres_job_tres_suffix(const Sky__JobRecord *j, bool alloc);

/*
 * A node's ",gres/gpu=8" from its Gres= (or its GresUsed,
 * "gpu:a100:4(IDX:0-3)", for AllocTRES); "" for NULL or nothing. Caller frees.
 */
char *gres_node_tres_suffix(const char *gres);

/*
 * scontrol's TresPerNode/TresPerTask values: every --gres entry and the
 * --gpus-per-node value as "gres/gpu:a100:2", comma separated; NULL when
 * none. Caller frees.
 */
char *gres_tres_per_node(const Sky__JobDesc *d);
char *gres_tres_per_task(const Sky__JobDesc *d);

/*
 * The text scontrol -d adds for a job holding nodes: sep "JOB_GRES=gpu:a100:8"
 * (or "(null)"), then per node group nsep "Nodes=n1 CPU_IDs=<cpu_ids>
 * Mem=<mem> GRES=gpu:a100:4(IDX:0-3)" (one group for all nodes when they
 * hold the same, else one per node). Caller frees.
 */
char *gres_job_detail(const Sky__JobRecord *j, const char *sep, const char *nsep,
		      const char *cpu_ids);

#endif
