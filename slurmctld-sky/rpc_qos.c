/*
 * rpc_qos.c: sacctmgr add|modify|delete qos in the controller (see
 * qos_ctld.h). rpc_assoc.c hands REQUEST_ASSOC_OP with entity "qos" here
 * and sends the reply, so operator checks and wording stay in one place.
 */
#include "config.h"

#include <stdlib.h>

#include "ctld.h"
#include "fs_ctld.h"
#include "fs_int.h"
#include "log.h"
#include "qos_ctld.h"
#include "qos_ops.h"
#include "xalloc.h"

int qos_ctld_op(struct ctld *c, const Sky__AssocOpRequest *req, time_t now, struct aop_out *o,
		struct sky_errbuf *eb)
{
	struct fs_ctld *f = c->fs;
	struct qos_table *copy = NULL, *old;
	struct aop_req rq = { .op = req->op, .entity = req->entity, .names = req->names,
			      .n_names = req->n_names, .where = req->where,
			      .n_where = req->n_where, .set = req->set, .n_set = req->set ? req->n_set : 0 };
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	/* A copy by a round trip through the stored form, as rpc_assoc.c copies the tree. */
	qos_table_pack(f->qos, &f->tree->tres, &buf, &len);
	rc = qos_table_unpack(buf, len, &f->tree->tres, &copy, eb);
	free(buf);
	if (rc)
		return rc;
	if ((rc = qos_op_run(copy, f->tree, &rq, o, eb)))
		goto out;
	if (!req->has_commit || !req->commit || !o->changed)
		goto out;
	old = f->qos;
	f->qos = copy;
	if ((rc = fs_ctld_commit(c, eb))) {
		f->qos = old;
		log_error("sacctmgr QOS change not saved: %s", sky_err_msg(eb));
		goto out;
	}
	copy = old;
	qos_recount(c);
	if (f->multifactor)
		fs_ctld_refresh(c, now);
	log_info("QOS changed: %s %s", req->op, req->n_names ? req->names[0] : "");
out:
	qos_table_free(copy);
	return rc;
}
