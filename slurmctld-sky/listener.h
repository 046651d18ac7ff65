/*
 * listener.h: the controller's sockets and connections.
 *
 * Listens on SlurmctldSocket (mode 0777: every user submits through it) and,
 * when SlurmctldPort is set, on TCP at SlurmctldHost's address. Each accepted
 * connection is a bufferevent; frames (4-byte big-endian length + Envelope)
 * are cut from its input buffer and handed to rpc_dispatch().
 *
 * A client connection carries one request: once its reply is queued it stops
 * reading and closes when the reply is written. It is closed after
 * MessageTimeout without traffic. An agent connection (after AGENT_REGISTER)
 * is long-lived and has no idle timeout: heartbeats watch it instead.
 *
 * Frames above the controller's limit are read and dropped and answered with
 * SKY_E_SCRIPT_TOO_BIG; above WIRE_FRAME_DISCARD_MAX the connection closes.
 */
#ifndef SKY_LISTENER_H
#define SKY_LISTENER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sky.pb-c.h"
#include "sky_err.h"

struct conn;
struct ctld;
struct node;

/* Bind and listen. SKY_E_IO naming the socket on failure (including another
 * controller already answering on SlurmctldSocket). */
int listeners_start(struct ctld *c, struct sky_errbuf *eb);
/* Close the listeners and every connection; unlink the socket we created. */
void listeners_stop(struct ctld *c);

/*
 * Queue a message on cn. Controller -> agent types (AGENT_REGISTER_REPLY,
 * CTLD_*) are signed with the controller's munge credential; replies to
 * clients are not. body may be NULL (empty).
 */
int conn_send(struct ctld *c, struct conn *cn, uint32_t type, const ProtobufCMessage *body,
	      struct sky_errbuf *eb);
/* Queue an RcReply-shaped reply (RcReply and RegisterReply share rc/message). */
void conn_send_rc(struct ctld *c, struct conn *cn, uint32_t type, int rc, const char *msg);

/* Stop reading; close once the queued output is written. */
void conn_finish(struct conn *cn);
/* Close now (deferred to the end of cn's own callback if inside one). */
void conn_close(struct conn *cn);

/* Make cn the link of agent n: no idle timeout, many messages. */
void conn_set_node(struct conn *cn, struct node *n);
/* The node whose agent link cn is, or NULL for a client connection. */
struct node *conn_node(const struct conn *cn);
/* "uid 1000 pid 42" or "10.0.0.5:4242", for log lines. Borrowed. */
const char *conn_peer(const struct conn *cn);

#endif
