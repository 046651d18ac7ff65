/*
 * qos_ops.h: sacctmgr add|modify|delete qos on a QOS table, and the
 * QOS=/QOS+=/QOS-=/DefaultQOS= keys of accounts and users, with the lines
 * sacctmgr prints. Like assoc_ops.h, the caller runs an operation on a copy
 * and keeps it only once committed.
 */
#ifndef SKY_QOS_OPS_H
#define SKY_QOS_OPS_H

#include "assoc_ops.h"
#include "qos.h"

/*
 * Run rq (entity "qos") on t. tree (borrowed) is read only: a QOS that is
 * some association's DefaultQOS cannot be deleted, as in Slurm. o gets the
 * lines, also on error.
 */
int qos_op_run(struct qos_table *t, const struct assoc_tree *tree, const struct aop_req *rq,
	       struct aop_out *o, struct sky_errbuf *eb);

/*
 * One association key: QOS=a,b (replace; "" or -1: inherit again), QOS+=a,
 * QOS-=a (from the inherited list when a has none of its own),
 * DefaultQOS=a (-1: inherit). key is what precedes '=' ("QOS+" for +=).
 * Names must exist in t (t NULL: any). SKY_E_NOT_FOUND, eb untouched, when
 * key is none of these; SKY_E_INVAL with sacctmgr's text for an unknown QOS.
 */
int qos_assoc_apply(const struct qos_table *t, struct assoc *a, const char *key,
		    const char *v, struct sky_errbuf *eb);
/* Every QOS key of a set list ("Key=Value" words) applied to a; others ignored. */
int qos_assoc_apply_all(const struct qos_table *t, struct assoc *a, char **set, size_t n,
			struct sky_errbuf *eb);

#endif
