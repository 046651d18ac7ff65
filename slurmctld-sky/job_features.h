/*
 * job_features.h: sbatch -C/--constraint expressions (slurm.md 1.3) against
 * the Features= of the nodes in slurm.conf.
 *
 * Grammar: NAME, `a&b` (and), `a|b` (or), `(...)`, `[a|b]` (matching or),
 * `!a` (not, as Slurm 23.02+). `,` between names is taken as `&`, which is
 * what older Slurm releases did with it. Node counts (`a*2`) are refused:
 * they need the allocation to be split across features, which the FIFO
 * scheduler does not do. A whole constraint `[a|b|...]` is a matching OR:
 * the scheduler tries each alternative in turn for all of the job's nodes
 * (features_alternatives()); nested inside a larger expression, brackets
 * are evaluated per node like parentheses.
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

/*
 * When constraint is a matching OR as a whole ("[a|b&c|d]"), its
 * alternatives ("a", "b&c", "d"), else NULL. *n gets the count. Caller
 * frees with features_alternatives_free().
 */
char **features_alternatives(const char *constraint, size_t *n);
void features_alternatives_free(char **alts, size_t n);

#endif
