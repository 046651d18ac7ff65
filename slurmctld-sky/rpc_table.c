/* rpc_table.c: the one table of RPCs, and the dispatcher (see rpc.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "agent_link.h"
#include "ctld.h"
#include "job_step.h"
#include "listener.h"
#include "log.h"
#include "node_notice.h"
#include "rpc.h"
#include "sched_fifo.h"

enum rpc_priv {
	RPC_PRIV_ANY,       /* any authenticated user */
	RPC_PRIV_OPERATOR,  /* root or SlurmUser */
};

struct rpc_row {
	uint32_t type;
	int (*handler)(struct rpc_ctx *r, struct sky_errbuf *eb);
	enum rpc_priv priv;
	bool writes_state;  /* may change jobs or nodes: a scheduling pass follows */
	bool needs_link;    /* only on a registered agent link */
	uint32_t err_reply; /* reply type for failures (RcReply-shaped) */
	const char *name;
};

static const struct rpc_row rpc_table[] = {
	{ .type = SKY__MSG_TYPE__REQUEST_PING, .handler = rpc_ping,
	  .priv = RPC_PRIV_ANY, .writes_state = false,
	  .err_reply = SKY__MSG_TYPE__RESPONSE_RC, .name = "REQUEST_PING" },
	{ .type = SKY__MSG_TYPE__REQUEST_SUBMIT_BATCH, .handler = rpc_submit,
	  .priv = RPC_PRIV_ANY, .writes_state = true,
	  .err_reply = SKY__MSG_TYPE__RESPONSE_RC, .name = "REQUEST_SUBMIT_BATCH" },
	{ .type = SKY__MSG_TYPE__REQUEST_CANCEL, .handler = rpc_cancel,
	  .priv = RPC_PRIV_ANY, .writes_state = true,
	  .err_reply = SKY__MSG_TYPE__RESPONSE_RC, .name = "REQUEST_CANCEL" },
	{ .type = SKY__MSG_TYPE__REQUEST_JOB_INFO, .handler = rpc_job_info,
	  .priv = RPC_PRIV_ANY, .writes_state = false,
	  .err_reply = SKY__MSG_TYPE__RESPONSE_RC, .name = "REQUEST_JOB_INFO" },
	{ .type = SKY__MSG_TYPE__REQUEST_NODE_INFO, .handler = rpc_node_info,
	  .priv = RPC_PRIV_ANY, .writes_state = false,
	  .err_reply = SKY__MSG_TYPE__RESPONSE_RC, .name = "REQUEST_NODE_INFO" },
	{ .type = SKY__MSG_TYPE__REQUEST_UPDATE_JOB, .handler = rpc_update_job,
	  .priv = RPC_PRIV_ANY, .writes_state = true,
	  .err_reply = SKY__MSG_TYPE__RESPONSE_RC, .name = "REQUEST_UPDATE_JOB" },
	{ .type = SKY__MSG_TYPE__REQUEST_UPDATE_NODE, .handler = rpc_update_node,
	  .priv = RPC_PRIV_OPERATOR, .writes_state = true,
	  .err_reply = SKY__MSG_TYPE__RESPONSE_RC, .name = "REQUEST_UPDATE_NODE" },
	{ .type = SKY__MSG_TYPE__REQUEST_ACCT, .handler = rpc_acct,
	  .priv = RPC_PRIV_ANY, .writes_state = false,
	  .err_reply = SKY__MSG_TYPE__RESPONSE_RC, .name = "REQUEST_ACCT" },
	/* sacctmgr checks operators itself, to answer in its reply's shape. */
	{ .type = SKY__MSG_TYPE__REQUEST_ASSOC_OP, .handler = rpc_assoc_op,
	  .priv = RPC_PRIV_ANY, .writes_state = true,
	  .err_reply = SKY__MSG_TYPE__RESPONSE_RC, .name = "REQUEST_ASSOC_OP" },
	{ .type = SKY__MSG_TYPE__REQUEST_ASSOC_INFO, .handler = rpc_assoc_info,
	  .priv = RPC_PRIV_ANY, .writes_state = false,
	  .err_reply = SKY__MSG_TYPE__RESPONSE_RC, .name = "REQUEST_ASSOC_INFO" },
	{ .type = SKY__MSG_TYPE__REQUEST_PRIO_INFO, .handler = rpc_prio_info,
	  .priv = RPC_PRIV_ANY, .writes_state = false,
	  .err_reply = SKY__MSG_TYPE__RESPONSE_RC, .name = "REQUEST_PRIO_INFO" },
	{ .type = SKY__MSG_TYPE__REQUEST_STEP_CREATE, .handler = rpc_step_create,
	  .priv = RPC_PRIV_ANY, .writes_state = false,
	  .err_reply = SKY__MSG_TYPE__RESPONSE_RC, .name = "REQUEST_STEP_CREATE" },
	{ .type = SKY__MSG_TYPE__REQUEST_STEP_SIGNAL, .handler = rpc_step_signal,
	  .priv = RPC_PRIV_ANY, .writes_state = false,
	  .err_reply = SKY__MSG_TYPE__RESPONSE_RC, .name = "REQUEST_STEP_SIGNAL" },
	{ .type = SKY__MSG_TYPE__REQUEST_ALLOC_COMPLETE, .handler = rpc_alloc_complete,
	  .priv = RPC_PRIV_ANY, .writes_state = true,
	  .err_reply = SKY__MSG_TYPE__RESPONSE_RC, .name = "REQUEST_ALLOC_COMPLETE" },
	{ .type = SKY__MSG_TYPE__AGENT_STEP_COMPLETE, .handler = rpc_agent_step_complete,
	  .priv = RPC_PRIV_OPERATOR, .writes_state = false,
	  .err_reply = SKY__MSG_TYPE__RESPONSE_RC, .name = "AGENT_STEP_COMPLETE" },
	{ .type = SKY__MSG_TYPE__AGENT_REGISTER, .handler = rpc_agent_register,
	  .priv = RPC_PRIV_OPERATOR, .writes_state = true,
	  .err_reply = SKY__MSG_TYPE__AGENT_REGISTER_REPLY, .name = "AGENT_REGISTER" },
	{ .type = SKY__MSG_TYPE__AGENT_JOB_COMPLETE, .handler = rpc_agent_job_complete,
	  .priv = RPC_PRIV_OPERATOR, .writes_state = true, .needs_link = true,
	  .err_reply = SKY__MSG_TYPE__RESPONSE_RC, .name = "AGENT_JOB_COMPLETE" },
	{ .type = SKY__MSG_TYPE__AGENT_LAUNCH_RESULT, .handler = rpc_agent_launch_result,
	  .priv = RPC_PRIV_OPERATOR, .writes_state = true, .needs_link = true,
	  .err_reply = SKY__MSG_TYPE__RESPONSE_RC, .name = "AGENT_LAUNCH_RESULT" },
	{ .type = SKY__MSG_TYPE__AGENT_HEARTBEAT, .handler = rpc_agent_heartbeat,
	  .priv = RPC_PRIV_OPERATOR, .writes_state = false, .needs_link = true,
	  .err_reply = SKY__MSG_TYPE__RESPONSE_RC, .name = "AGENT_HEARTBEAT" },
	{ .type = SKY__MSG_TYPE__AGENT_NODE_NOTICE, .handler = rpc_agent_node_notice,
	  .priv = RPC_PRIV_OPERATOR, .writes_state = true, .needs_link = true,
	  .err_reply = SKY__MSG_TYPE__RESPONSE_RC, .name = "AGENT_NODE_NOTICE" },
};

static const struct rpc_row *rpc_lookup(uint32_t type)
{
	size_t i;

	for (i = 0; i < sizeof(rpc_table) / sizeof(rpc_table[0]); i++)
		if (rpc_table[i].type == type)
			return &rpc_table[i];
	return NULL;
}

int rpc_unpack(const struct rpc_ctx *r, const ProtobufCMessageDescriptor *desc, void *out,
	       struct sky_errbuf *eb)
{
	return wire_unpack(r->msg, desc, (ProtobufCMessage **)out, eb);
}

void rpc_reply(const struct rpc_ctx *r, uint32_t type, const ProtobufCMessage *body)
{
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	if (conn_send(r->c, r->conn, type, body, &eb))
		log_error("reply to %s: %s", conn_peer(r->conn), sky_err_msg(&eb));
}

/* Reply with rc and Slurm's text (plus the detail, when there is one), then close. */
static void fail_conn(struct ctld *c, struct conn *cn, uint32_t reply_type,
		      const struct sky_errbuf *eb)
{
	char msg[SKY_ERRBUF_LEN + 128];
	const char *text = sky_strerror(eb->code);

	if (eb->msg[0] && strcmp(eb->msg, text) != 0)
		snprintf(msg, sizeof(msg), "%s (%s)", text, eb->msg);
	else
		snprintf(msg, sizeof(msg), "%s", eb->msg[0] ? eb->msg : text);
	conn_send_rc(c, cn, reply_type, eb->code, msg);
	conn_finish(cn);
}

void rpc_dispatch(struct ctld *c, struct conn *cn, const uint8_t *payload, size_t len)
{
	struct wire_msg m;
	struct sky_errbuf eb;
	struct rpc_ctx r;
	const struct rpc_row *row;
	struct node *link_node = conn_node(cn);

	sky_err_clear(&eb);
	if (wire_decode(c->auth, payload, len, &m, &eb)) {
		log_info("%s: rejected message: %s", conn_peer(cn), sky_err_msg(&eb));
		fail_conn(c, cn, SKY__MSG_TYPE__RESPONSE_RC, &eb);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.c = c;
	r.conn = cn;
	r.msg = &m;
	r.uid = m.uid;
	r.gid = m.gid;
	r.operator = ctld_is_operator(c, m.uid);
	r.now = time(NULL);
	if (link_node)
		agent_link_heard(link_node, r.now);
	row = rpc_lookup(m.type);
	if (!row) {
		sky_err_set(&eb, SKY_E_PROTOCOL, "unknown message type %u", m.type);
	} else if (row->priv == RPC_PRIV_OPERATOR && !r.operator) {
		sky_err_set(&eb, SKY_E_ACCESS_DENIED, "%s needs root or SlurmUser, not uid %u",
			    row->name, (unsigned)m.uid);
	} else if (row->needs_link && !link_node) {
		sky_err_set(&eb, SKY_E_PROTOCOL, "%s before AGENT_REGISTER", row->name);
	} else {
		log_debug2("%s: %s from uid %u", conn_peer(cn), row->name, (unsigned)m.uid);
		if (row->handler(&r, &eb) == 0) {
			if (row->writes_state && !r.sched_not_needed)
				sched_request(c);
			goto out;
		}
	}
	log_info("%s: %s from uid %u failed: %s", conn_peer(cn), row ? row->name : "message",
		 (unsigned)m.uid, sky_err_msg(&eb));
	/* Also ends an agent link: the agent reconnects and registers afresh. */
	fail_conn(c, cn, row ? row->err_reply : SKY__MSG_TYPE__RESPONSE_RC, &eb);
out:
	wire_msg_clear(&m);
}
