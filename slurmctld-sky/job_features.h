/*
 * job_features.h: sbatch -C/--constraint expressions (slurm.md 1.3) against
 * the Features= of the nodes in slurm.conf.
 *
 * Grammar: NAME, `a&b` (and), `a|b` (or), `(...)`, `[a|b]` (matching or),
 * `!a` (not, as Slurm 23.02+). `,` between names is taken as `&`, which is
 * what older Slurm releases did with it. Node counts (`a*2`) are refused:
 * they need the allocation to be split across features, which the FIFO
 * scheduler does not do. A matching OR is evaluated per node like `|`: our
 * nodes are picked one by one, so a multi-node job may mix the alternatives
 * (documented limitation).
 */
#ifndef SKY_JOB_FEATURES_H
#define SKY_JOB_FEATURES_H

#include <stdbool.h>

#include "sky_err.h"

struct node_table;

/*
 * Check the syntax of constraint and that each feature it names is on some
 * node of t (Slurm: "Invalid feature specification"). NULL or "" is fine.
 * 0 or SKY_E_INVAL with the reason in eb.
 */
int features_validate(const char *constraint, const struct node_table *t,
		      struct sky_errbuf *eb);

/*
 * Whether a node whose Features= is node_features (comma list, may be NULL)
 * satisfies constraint. NULL/"" constraints match every node; an expression
 * that does not parse matches none.
 */
bool features_match(const char *constraint, const char *node_features);

#endif
