/* wire.c: see wire.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "wire.h"
#include "xalloc.h"

int wire_encode(struct auth_ctx *auth, uint32_t type, const ProtobufCMessage *body,
		uint8_t **frame, size_t *frame_len, struct sky_errbuf *eb)
{
	Sky__Envelope env = SKY__ENVELOPE__INIT;
	uint8_t *b = NULL, *f = NULL;
	size_t blen = 0, elen;
	char *cred = NULL;
	int rc = 0;

	if (body) {
		blen = protobuf_c_message_get_packed_size(body);
		b = xmalloc(blen ? blen : 1);
		protobuf_c_message_pack(body, b);
	}
	if (auth && (rc = auth_sign(auth, type, b, blen, &cred, eb)))
		goto out;
	env.version = SKY_PROTOCOL_VERSION;
	env.type = type;
	if (cred) {
		env.has_cred = true;
		env.cred.data = (uint8_t *)cred;
		env.cred.len = strlen(cred);
	}
	if (body) {
		env.has_body = true;
		env.body.data = b;
		env.body.len = blen;
	}
	elen = sky__envelope__get_packed_size(&env);
	if (elen > UINT32_MAX) {
		rc = sky_err_set(eb, SKY_E_PROTOCOL, "message of %zu bytes is too large to send", elen);
		goto out;
	}
	f = xmalloc(elen + 4);
	f[0] = (uint8_t)(elen >> 24);
	f[1] = (uint8_t)(elen >> 16);
	f[2] = (uint8_t)(elen >> 8);
	f[3] = (uint8_t)elen;
	sky__envelope__pack(&env, f + 4);
	*frame = f;
	*frame_len = elen + 4;
out:
	free(b);
	free(cred);
	return rc;
}

int wire_decode(struct auth_ctx *auth, const uint8_t *payload, size_t len,
		struct wire_msg *m, struct sky_errbuf *eb)
{
	Sky__Envelope *env;
	char *cred = NULL;
	int rc;

	memset(m, 0, sizeof(*m));
	env = sky__envelope__unpack(NULL, len, payload);
	if (!env)
		return sky_err_set(eb, SKY_E_PROTOCOL, "malformed message (%zu bytes)", len);
	if (SKY_PROTOCOL_MAJOR(env->version) != SKY_PROTOCOL_MAJOR(SKY_PROTOCOL_VERSION)) {
		rc = sky_err_set(eb, SKY_E_PROTOCOL_VERSION,
				 "protocol version %u.%u is not %u.x",
				 SKY_PROTOCOL_MAJOR(env->version), env->version & 0xffff,
				 SKY_PROTOCOL_MAJOR(SKY_PROTOCOL_VERSION));
		goto fail;
	}
	m->env = env;
	m->type = env->type;
	m->body = env->has_body ? env->body.data : NULL;
	m->body_len = env->has_body ? env->body.len : 0;
	if (auth) {
		if (!env->has_cred || !env->cred.len) {
			rc = sky_err_set(eb, SKY_E_AUTH, "message carries no credential");
			goto fail;
		}
		cred = xstrndup((const char *)env->cred.data, env->cred.len);
		rc = auth_verify(auth, m->type, m->body, m->body_len, cred, &m->uid, &m->gid, eb);
		free(cred);
		if (rc)
			goto fail;
		m->authed = true;
	}
	return 0;
fail:
	sky__envelope__free_unpacked(env, NULL);
	memset(m, 0, sizeof(*m));
	return rc;
}

void wire_msg_clear(struct wire_msg *m)
{
	if (m->env)
		sky__envelope__free_unpacked(m->env, NULL);
	memset(m, 0, sizeof(*m));
}

int wire_unpack(const struct wire_msg *m, const ProtobufCMessageDescriptor *desc,
		ProtobufCMessage **out, struct sky_errbuf *eb)
{
	ProtobufCMessage *p = protobuf_c_message_unpack(desc, NULL, m->body_len,
							 m->body ? m->body : (const uint8_t *)"");
	if (!p)
		return sky_err_set(eb, SKY_E_PROTOCOL, "malformed %s message", desc->short_name);
	*out = p;
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for fd to be ready; remaining time is taken from the deadline. */
static int wait_fd(int fd, short events, int64_t deadline, struct sky_errbuf *eb)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r, to;

	for (;;) {
		to = -1;
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();
			if (left <= 0)
				return sky_err_set(eb, SKY_E_TIMEOUT, NULL);
			to = (int)left;
		}
		r = poll(&p, 1, to);
		if (r > 0)
			return 0;
		if (r == 0)
			return sky_err_set(eb, SKY_E_TIMEOUT, NULL);
		if (errno != EINTR)
			return sky_err_set(eb, SKY_E_IO, "poll: %s", strerror(errno));
	}
}

int wire_write_all(int fd, const void *buf, size_t len, int timeout_ms, struct sky_errbuf *eb)
{
	const uint8_t *p = buf;
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	int rc;

	while (len) {
		ssize_t n;
		/* The fd may be blocking: wait first so the deadline holds. */
		if (deadline >= 0 && (rc = wait_fd(fd, POLLOUT, deadline, eb)))
			return rc;
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == ENOTSOCK)
			n = write(fd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if ((rc = wait_fd(fd, POLLOUT, deadline, eb)))
				return rc;
			continue;
		}
		return sky_err_set(eb, SKY_E_IO, "write: %s", n < 0 ? strerror(errno) : "short write");
	}
	return 0;
}

static int read_full(int fd, uint8_t *p, size_t len, int64_t deadline, bool *eof_at_start,
		     struct sky_errbuf *eb)
{
	size_t got = 0;
	int rc;

	while (got < len) {
		ssize_t n;
		if (deadline >= 0 && (rc = wait_fd(fd, POLLIN, deadline, eb)))
			return rc;
		n = read(fd, p + got, len - got);
		if (n > 0) {
			got += (size_t)n;
			continue;
		}
		if (n == 0) {
			if (eof_at_start && got == 0)
				*eof_at_start = true;
			return sky_err_set(eb, SKY_E_IO, "connection closed after %zu of %zu bytes", got, len);
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if ((rc = wait_fd(fd, POLLIN, deadline, eb)))
				return rc;
			continue;
		}
		return sky_err_set(eb, SKY_E_IO, "read: %s", strerror(errno));
	}
	return 0;
}

int wire_read_frame(int fd, size_t max, int timeout_ms, uint8_t **payload, size_t *len,
		    struct sky_errbuf *eb)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	uint8_t hdr[4];
	uint32_t n;
	uint8_t *p;
	int rc;

	if ((rc = read_full(fd, hdr, 4, deadline, NULL, eb)))
		return rc;
	n = wire_get_len(hdr);
	if (n > max)
		return sky_err_set(eb, SKY_E_PROTOCOL, "message of %u bytes exceeds the limit of %zu", n, max);
	p = xmalloc(n ? n : 1);
	if ((rc = read_full(fd, p, n, deadline, NULL, eb))) {
		free(p);
		return rc;
	}
	*payload = p;
	*len = n;
	return 0;
}

int wire_send(int fd, struct auth_ctx *auth, uint32_t type, const ProtobufCMessage *body,
	      int timeout_ms, struct sky_errbuf *eb)
{
	uint8_t *f = NULL;
	size_t flen = 0;
	int rc;

	if ((rc = wire_encode(auth, type, body, &f, &flen, eb)))
		return rc;
	rc = wire_write_all(fd, f, flen, timeout_ms, eb);
	free(f);
	return rc;
}

int wire_recv(int fd, struct auth_ctx *auth, size_t max, int timeout_ms, struct wire_msg *m,
	      struct sky_errbuf *eb)
{
	uint8_t *p = NULL;
	size_t len = 0;
	int rc;

	if ((rc = wire_read_frame(fd, max, timeout_ms, &p, &len, eb)))
		return rc;
	rc = wire_decode(auth, p, len, m, eb);
	free(p);
	return rc;
}

static int connect_wait(int fd, const struct sockaddr *sa, socklen_t salen, int timeout_ms,
			const char *what, struct sky_errbuf *eb)
{
	int flags = fcntl(fd, F_GETFL);
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	int err = 0;
	socklen_t elen = sizeof(err);

	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	if (connect(fd, sa, salen) == 0)
		goto ok;
	if (errno != EINPROGRESS && errno != EAGAIN)
		return sky_err_set(eb, SKY_E_CONNECT, "connect to %s: %s", what, strerror(errno));
	if (wait_fd(fd, POLLOUT, deadline, eb))
		return sky_err_set(eb, SKY_E_CONNECT, "connect to %s: timed out", what);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0 || err)
		return sky_err_set(eb, SKY_E_CONNECT, "connect to %s: %s", what, strerror(err ? err : errno));
ok:
	fcntl(fd, F_SETFL, flags);
	return 0;
}

int wire_connect_unix(const char *path, int timeout_ms, int *fd, struct sky_errbuf *eb)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return sky_err_set(eb, SKY_E_CONNECT, "socket path too long: %s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return sky_err_set(eb, SKY_E_CONNECT, "socket: %s", strerror(errno));
	if ((rc = connect_wait(s, (struct sockaddr *)&sa, sizeof(sa), timeout_ms, path, eb))) {
		close(s);
		return rc;
	}
	*fd = s;
	return 0;
}

int wire_connect_tcp(const char *host, uint16_t port, int timeout_ms, int *fd, struct sky_errbuf *eb)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL, *ai;
	char ports[8], what[300];
	int s = -1, rc = SKY_E_CONNECT, gr;

	snprintf(ports, sizeof(ports), "%u", port);
	snprintf(what, sizeof(what), "%s:%u", host, port);
	if ((gr = getaddrinfo(host, ports, &hints, &res)) != 0)
		return sky_err_set(eb, SKY_E_CONNECT, "cannot resolve %s: %s", host, gai_strerror(gr));
	for (ai = res; ai; ai = ai->ai_next) {
		struct sky_errbuf tmp;
		sky_err_clear(&tmp);
		s = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (s < 0)
			continue;
		if (connect_wait(s, ai->ai_addr, ai->ai_addrlen, timeout_ms, what, &tmp) == 0) {
			rc = 0;
			break;
		}
		close(s);
		s = -1;
		if (!ai->ai_next)
			sky_err_set(eb, tmp.code, "%s", tmp.msg);
	}
	freeaddrinfo(res);
	if (rc)
		return sky_err_set(eb, SKY_E_CONNECT, "connect to %s failed", what);
	*fd = s;
	return 0;
}
