/*
 * assoc_ops.h: sacctmgr's add/modify/delete of accounts and users on an
 * association tree (assoc.h), with the text sacctmgr prints. The caller
 * owns persistence: it runs an operation on a copy and keeps the copy
 * only when the change is committed.
 */
#ifndef SKY_ASSOC_OPS_H
#define SKY_ASSOC_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assoc.h"
#include "qos.h"
#include "sky_err.h"

/* One request, as sacctmgr sends it (all borrowed). */
struct aop_req {
	const char *op;            /* add, modify, delete */
	const char *entity;        /* account, user */
	char **names, **where, **set;
	size_t n_names, n_where, n_set;
};

/* What the operation prints; lines owned. */
struct aop_out {
	char **lines;
	size_t n;
	bool changed;              /* something was added, modified or deleted */
};

/* The tree to work on and the records kept beside it (user defaults, account texts). */
struct aop_ctx {
	struct assoc_tree *tree;   /* borrowed; changed in place */
	const char *cluster;
	void *arg;
	void (*set_default)(void *arg, const char *user, const char *acct);
	bool (*user_exists)(void *arg, const char *user);
	/* desc or org NULL: leave it */
	void (*set_descr)(void *arg, const char *acct, const char *desc, const char *org);
	/* Drop defaults of users and texts of accounts no longer in the tree. */
	void (*prune_defaults)(void *arg);
	/* QOS names QOS=/DefaultQOS= may use (qos.h); NULL: any name. Borrowed. */
	const struct qos_table *qos;
};

/* Run rq on x->tree; o gets the lines (also on error: what was done before). */
int aop_run(struct aop_ctx *x, const struct aop_req *rq, struct aop_out *o,
	    struct sky_errbuf *eb);
void aop_out_free(struct aop_out *o);
/* Append one printf-formatted line to o. */
void aop_add_line(struct aop_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Apply one limit or Fairshare key to lim and shares ("-1" clears).
 * SKY_E_NOT_FOUND for a key that is neither; SKY_E_INVAL for a bad value.
 */
int aop_apply_key(const struct tres_table *tt, const char *key, const char *v,
		  struct assoc_limits *lim, uint32_t *shares, struct sky_errbuf *eb);

#endif
