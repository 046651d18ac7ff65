/*
 * rpc.h: the RPC handlers and their dispatcher.
 *
 * rpc_table.c holds the one table of RPCs (message type, handler, required
 * privilege, whether it writes state, name). rpc_dispatch() verifies the
 * munge credential, looks the type up, checks privilege, and calls the
 * handler with the caller's identity in struct rpc_ctx.
 *
 * A handler either queues its own reply and returns 0, or returns an SKY_E_*
 * code with the user-facing text in eb; the dispatcher then sends the row's
 * error reply and closes the connection.
 */
#ifndef SKY_RPC_H
#define SKY_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "sky_err.h"
#include "wire.h"

struct conn;
struct ctld;

struct rpc_ctx {
	struct ctld *c;
	struct conn *conn;
	const struct wire_msg *msg; /* authenticated; body borrowed */
	uid_t uid;                  /* from the credential only */
	gid_t gid;
	bool operator;              /* root or SlurmUser */
	time_t now;
	/* Set by a handler whose change cannot start anything (a held
	 * submission): no scheduling pass is asked for it. */
	bool sched_not_needed;
};

/* Handle one frame payload from cn (borrowed). Never fails: errors are replied. */
void rpc_dispatch(struct ctld *c, struct conn *cn, const uint8_t *payload, size_t len);

/* Unpack the request body as desc; SKY_E_PROTOCOL naming the message if it does not parse. */
int rpc_unpack(const struct rpc_ctx *r, const ProtobufCMessageDescriptor *desc, void *out,
	       struct sky_errbuf *eb);
/* Queue a reply on the request's connection. */
void rpc_reply(const struct rpc_ctx *r, uint32_t type, const ProtobufCMessage *body);

/* rpc_info.c */
int rpc_ping(struct rpc_ctx *r, struct sky_errbuf *eb);
int rpc_job_info(struct rpc_ctx *r, struct sky_errbuf *eb);
int rpc_node_info(struct rpc_ctx *r, struct sky_errbuf *eb);
/* rpc_submit.c */
int rpc_submit(struct rpc_ctx *r, struct sky_errbuf *eb);
/* rpc_cancel.c */
int rpc_cancel(struct rpc_ctx *r, struct sky_errbuf *eb);
/* rpc_update.c */
int rpc_update_job(struct rpc_ctx *r, struct sky_errbuf *eb);
/* rpc_power.c */
int rpc_update_node(struct rpc_ctx *r, struct sky_errbuf *eb);
/* rpc_acct.c */
int rpc_acct(struct rpc_ctx *r, struct sky_errbuf *eb);
/* rpc_assoc.c */
int rpc_assoc_op(struct rpc_ctx *r, struct sky_errbuf *eb);
int rpc_assoc_info(struct rpc_ctx *r, struct sky_errbuf *eb);
int rpc_prio_info(struct rpc_ctx *r, struct sky_errbuf *eb);
/* rpc_agent.c */
int rpc_agent_register(struct rpc_ctx *r, struct sky_errbuf *eb);
int rpc_agent_launch_result(struct rpc_ctx *r, struct sky_errbuf *eb);
int rpc_agent_job_complete(struct rpc_ctx *r, struct sky_errbuf *eb);
int rpc_agent_heartbeat(struct rpc_ctx *r, struct sky_errbuf *eb);

#endif
