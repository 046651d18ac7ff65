/*
 * optimizer.h: choose where a job's nodes run, cheapest first.
 *
 * Given what one node of a job needs and how many nodes it wants, the
 * optimizer lists the catalog's feasible offerings (catalog.h) by hourly
 * price for the whole job. Every row of a catalog is up to two offerings: its
 * on-demand market and its spot market. All nodes of a job get the same
 * offering, so a multi-node job lands in one zone on one instance type.
 *
 * Filling a request from a job (the second wave's glue): the per-node GPU
 * need is what gres_job_need() (common/gres.h) returns for name "gpu":
 * gpu_type = item->type (NULL when untyped), gpus_per_node = item->count;
 * cpus_per_node from the job's CPUs per node, mem_mib_per_node from its
 * --mem (or --mem-per-cpu x CPUs), nodes from its node count; the lists and
 * the spot policy from the partition's provider (ProviderName= record).
 *
 * GPU types follow Slurm's GRES type rules for `--gres=gpu:a100:8`: the
 * comparison ignores case, and also '-', '_' and ' ' (Slurm sites spell
 * types a100_80gb as often as A100-80GB). An exact type matches only itself:
 * "a100" is the 40 GB part ("A100") and never silently an "A100-80GB", just
 * as SkyPilot treats them as different accelerators; ask "a100-80gb" (or
 * "a100_80gb") for the 80 GB one. "h100" likewise excludes "H100-MEGA". No
 * type (NULL or "") with gpus_per_node > 0 accepts any accelerator.
 *
 * Order (documented and tested), for a deterministic choice:
 *   1. with spot policy "prefer": spot offerings before on-demand ones;
 *   2. job price per hour (node price x nodes), lowest first;
 *   3. less surplus: fewer extra GPUs per node, then fewer extra vCPUs,
 *      then less extra memory;
 *   4. cloud, region, zone, instance type names (byte order);
 *   5. on-demand before spot.
 * Prices are compared in integer micro-dollars, so equal list prices tie
 * exactly.
 *
 * The optimizer keeps no state between calls and allocates nothing per row:
 * reentrant, cheap enough to call per job per scheduling pass.
 */
#ifndef SKY_OPTIMIZER_H
#define SKY_OPTIMIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "blocklist.h"
#include "catalog.h"
#include "sky_err.h"

enum opt_spot {
	OPT_SPOT_NO = 0,        /* on-demand only (default) */
	OPT_SPOT_YES,           /* both markets, whichever is cheaper first */
	OPT_SPOT_ONLY,          /* spot only */
	OPT_SPOT_PREFER,        /* every spot offering first, then on-demand */
};

struct opt_request {
	const char *gpu_type;           /* NULL/"" = any type (when gpus_per_node > 0) */
	uint32_t gpus_per_node;         /* 0 = no GPU needed */
	uint32_t cpus_per_node;         /* vCPUs; 0 = any */
	uint64_t mem_mib_per_node;      /* 0 = any */
	uint32_t nodes;                 /* 0 counts as 1 */
	/* Allowed names; NULL/0 = any. Exact, case-sensitive (cloud names). */
	const char *const *clouds;
	size_t n_clouds;
	const char *const *regions;
	size_t n_regions;
	const char *const *zones;
	size_t n_zones;
	/* fnmatch(3) globs on the instance type ("p4d.*"); NULL/0 = any. */
	const char *const *type_globs;
	size_t n_type_globs;
	enum opt_spot spot;
	double max_price;               /* dollars per hour for the whole job; 0 = no limit */
};

struct opt_choice {
	const struct offering *off;     /* borrowed from the catalog */
	bool spot;
	uint32_t nodes;
	int64_t node_price_u;           /* micro-dollars per hour per node */
	int64_t job_price_u;            /* node_price_u x nodes */
};

/*
 * The feasible offerings for req, best first, skipping what bl blocks at
 * now (bl may be NULL). Up to max_out are written to out (caller's array);
 * *n_out gets how many were written, *n_feasible how many fit in all; pass
 * NULL for n_feasible when the count is not needed: rows that cannot make
 * the top max_out are then dropped on price before the blocklist is
 * consulted, which is faster on big catalogs. 0 with *n_out == 0 when nothing fits (see optimizer_why_none);
 * SKY_E_INVAL for a malformed request (a bad spot policy).
 */
int optimizer_place(const struct catalog *cat, const struct blocklist *bl,
		    const struct opt_request *req, time_t now, struct opt_choice *out,
		    size_t max_out, size_t *n_out, size_t *n_feasible, struct sky_errbuf *eb);

/*
 * Why optimizer_place() found nothing, in one line for a job's reason or
 * sbatch --test-only, e.g. "no offering has GPU type 'a100x' (catalog has:
 * A10, A100, A100-80GB, ...)", "no offering has enough memory per node" or
 * "1 offering(s) fit, all blocked: aws/us-east-1/us-east-1a p4d.24xlarge
 * on-demand: InsufficientInstanceCapacity: p4d.24xlarge in us-east-1a
 * (on-demand) blocked for 420 s more". Caller frees.
 */
char *optimizer_why_none(const struct catalog *cat, const struct blocklist *bl,
			 const struct opt_request *req, time_t now);

/*
 * For humans (scontrol show job, sbatch --test-only):
 * "aws/us-east-1/us-east-1a p4d.24xlarge spot $9.8323/h x2 = $19.6646/h";
 * regional offerings print "azure/eastus Standard_ND96asr_v4 ...". Caller frees.
 */
char *opt_choice_str(const struct opt_choice *c);

/* Whether a requested GPU type names the catalog's accelerator (rules above). */
bool optimizer_gpu_type_matches(const char *want, const char *accel);

/* "no" "yes" "only" "prefer" (any case) into *out; false when unknown. */
bool opt_spot_parse(const char *s, enum opt_spot *out);
const char *opt_spot_str(enum opt_spot s);

#endif
