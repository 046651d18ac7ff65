/*
 * rpc_power.c: REQUEST_UPDATE_NODE (scontrol update NodeName=... State=...,
 * scontrol power up|down [asap|force] NODES). Operators only (rpc_table.c);
 * the work is power_update_node() (power_save.h).
 */
#include "config.h"

#include "ctld.h"
#include "log.h"
#include "power_save.h"
#include "rpc.h"

int rpc_update_node(struct rpc_ctx *r, struct sky_errbuf *eb)
{
	Sky__UpdateNodeRequest *q = NULL;
	Sky__RcReply rep = SKY__RC_REPLY__INIT;
	int rc;

	if ((rc = rpc_unpack(r, &sky__update_node_request__descriptor, &q, eb)))
		return rc;
	rc = power_update_node(r->c, q->nodes, q->state, q->reason, eb);
	if (!rc) {
		log_info("update node %s state %s by uid %u", q->nodes, q->state ? q->state : "",
			 (unsigned)r->uid);
		rpc_reply(r, SKY__MSG_TYPE__RESPONSE_RC, &rep.base);
	}
	sky__update_node_request__free_unpacked(q, NULL);
	return rc;
}
