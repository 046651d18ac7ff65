/*
 * wire.h: frames and envelopes (the format is documented in sky.proto).
 *
 * Encoding signs the body with a munge credential when an auth context is
 * given; decoding verifies it when one is given, and rejects a message whose
 * version has another major number, whose envelope does not parse, or whose
 * credential fails. A short or over-long frame is an error, never a crash.
 */
#ifndef SKY_WIRE_H
#define SKY_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "auth_munge.h"
#include "sky.pb-c.h"
#include "sky_err.h"

#define SKY_PROTOCOL_VERSION 0x00010000u      /* major 1, minor 0 */
#define SKY_PROTOCOL_MAJOR(v) ((uint32_t)(v) >> 16)

/* Receivers accept frames up to this by default (scripts + environment). */
#define WIRE_FRAME_MAX_DEFAULT (16u << 20)
/* Above this a frame is not even read and discarded: the connection closes. */
#define WIRE_FRAME_DISCARD_MAX (1u << 30)

struct wire_msg {
	uint32_t type;             /* a SKY__MSG_TYPE__* value */
	const uint8_t *body;       /* borrowed from env; valid until wire_msg_clear */
	size_t body_len;
	bool authed;               /* the credential was verified */
	uid_t uid;                 /* from the credential (only if authed) */
	gid_t gid;
	Sky__Envelope *env;        /* owned */
};

/*
 * Build a frame (4-byte big-endian length + Envelope) for body (NULL = empty).
 * With auth, the envelope carries a credential for (type, body).
 * *frame is caller-freed.
 */
int wire_encode(struct auth_ctx *auth, uint32_t type, const ProtobufCMessage *body,
		uint8_t **frame, size_t *frame_len, struct sky_errbuf *eb);

/*
 * Parse a frame payload (the bytes after the length). With auth, a valid
 * credential is required. m is filled; release with wire_msg_clear().
 */
int wire_decode(struct auth_ctx *auth, const uint8_t *payload, size_t len,
		struct wire_msg *m, struct sky_errbuf *eb);
void wire_msg_clear(struct wire_msg *m);

/* Unpack m's body as desc. *out is freed with protobuf_c_message_free_unpacked(*out, NULL). */
int wire_unpack(const struct wire_msg *m, const ProtobufCMessageDescriptor *desc,
		ProtobufCMessage **out, struct sky_errbuf *eb);

/* Blocking I/O with a timeout per call (timeout_ms < 0: wait forever). */
int wire_write_all(int fd, const void *buf, size_t len, int timeout_ms, struct sky_errbuf *eb);
/* Read one frame's payload; larger than max is SKY_E_PROTOCOL. *payload caller-freed. */
int wire_read_frame(int fd, size_t max, int timeout_ms, uint8_t **payload, size_t *len,
		    struct sky_errbuf *eb);
int wire_send(int fd, struct auth_ctx *auth, uint32_t type, const ProtobufCMessage *body,
	      int timeout_ms, struct sky_errbuf *eb);
int wire_recv(int fd, struct auth_ctx *auth, size_t max, int timeout_ms, struct wire_msg *m,
	      struct sky_errbuf *eb);

/* Connect (blocking, with timeout). The fd is close-on-exec. */
int wire_connect_unix(const char *path, int timeout_ms, int *fd, struct sky_errbuf *eb);
int wire_connect_tcp(const char *host, uint16_t port, int timeout_ms, int *fd, struct sky_errbuf *eb);

/* Read the 4-byte big-endian length at p. */
static inline uint32_t wire_get_len(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

#endif
