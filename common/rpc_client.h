/*
 * rpc_client.h: one request, one reply, for the commands (sbatch, squeue, ...).
 *
 * The controller is reached on SlurmctldSocket when that socket exists,
 * otherwise on SlurmctldHost(addr):SlurmctldPort over TCP.
 */
#ifndef SKY_RPC_CLIENT_H
#define SKY_RPC_CLIENT_H

#include "auth_munge.h"
#include "conf.h"
#include "sky.pb-c.h"
#include "sky_err.h"

struct sky_client {
	struct sky_conf *conf;      /* owned */
	struct auth_ctx *auth;      /* owned */
	int timeout_ms;             /* per RPC; MessageTimeout by default */
};

/*
 * Load the config (conf_path NULL = conf_default_path()) and set up munge.
 * Caller frees *out with sky_client_close().
 */
int sky_client_open(const char *conf_path, struct sky_client **out, struct sky_errbuf *eb);
void sky_client_close(struct sky_client *c);

/*
 * Send req as message type, wait for the reply and unpack it as reply_desc.
 * A RESPONSE_RC reply with a non-zero rc is returned as that code, with the
 * controller's message in eb. *reply is freed with
 * protobuf_c_message_free_unpacked(*reply, NULL). reply_desc may be NULL when
 * only an RcReply is expected (then *reply may be NULL too).
 */
int sky_client_rpc(struct sky_client *c, uint32_t type, const ProtobufCMessage *req,
		   const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **reply,
		   struct sky_errbuf *eb);

#endif
