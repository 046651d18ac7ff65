/* listener.c: see listener.h. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "agent_link.h"
#include "ctld.h"
#include "listener.h"
#include "log.h"
#include "rpc.h"
#include "wire.h"
#include "xalloc.h"

#define LISTEN_BACKLOG 1024
/* Large reads make discarding an over-sized frame cheap. */
#define CONN_MAX_READ (256u << 10)
/* How long a live socket may keep answering before start-up gives up (2 s). */
#define SOCKET_RETRIES 20
#define SOCKET_RETRY_USEC 100000

struct conn {
	struct ctld *c;
	struct bufferevent *bev;
	struct conn *prev, *next;   /* c->conns */
	struct node *node;          /* set once this is an agent link */
	uint64_t discard_left;      /* bytes of an over-sized frame still to drop */
	uint32_t discard_len;       /* that frame's announced size */
	bool finishing;             /* reply queued: close once written */
	int depth;                  /* > 0 while one of cn's callbacks runs */
	bool dead;                  /* closed inside a callback: free on the way out */
	char peer[64];
};

/* ---- connection lifetime ---- */

static void conn_free(struct conn *cn)
{
	struct ctld *c = cn->c;

	if (cn->node && cn->node->link == cn)
		agent_link_lost(c, cn->node);
	cn->node = NULL;
	if (cn->prev)
		cn->prev->next = cn->next;
	else
		c->conns = cn->next;
	if (cn->next)
		cn->next->prev = cn->prev;
	bufferevent_free(cn->bev);
	free(cn);
}

void conn_close(struct conn *cn)
{
	if (cn->dead)
		return;
	if (cn->depth) {
		cn->dead = true;
		bufferevent_disable(cn->bev, EV_READ | EV_WRITE);
		return;
	}
	conn_free(cn);
}

void conn_finish(struct conn *cn)
{
	if (cn->dead || cn->finishing)
		return;
	cn->finishing = true;
	bufferevent_disable(cn->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(cn->bev)) == 0)
		conn_close(cn);
}

/* Callbacks bracket their work so a close inside it is deferred to the end. */
static void cb_enter(struct conn *cn)
{
	cn->depth++;
}

static void cb_leave(struct conn *cn)
{
	if (--cn->depth == 0 && cn->dead)
		conn_free(cn);
}

void conn_set_node(struct conn *cn, struct node *n)
{
	cn->node = n;
	/* Agent links stay open between messages: heartbeats watch them. */
	bufferevent_set_timeouts(cn->bev, NULL, NULL);
}

struct node *conn_node(const struct conn *cn)
{
	return cn->node;
}

const char *conn_peer(const struct conn *cn)
{
	return cn->peer;
}

/* ---- sending ---- */

static bool agent_bound(uint32_t type)
{
	return type == SKY__MSG_TYPE__AGENT_REGISTER_REPLY || type == SKY__MSG_TYPE__CTLD_LAUNCH_JOB ||
	       type == SKY__MSG_TYPE__CTLD_SIGNAL_JOB || type == SKY__MSG_TYPE__CTLD_COMPLETE_ACK ||
	       type == SKY__MSG_TYPE__CTLD_LAUNCH_STEP || type == SKY__MSG_TYPE__CTLD_SIGNAL_STEP;
}

/*
 * With nothing queued, try the socket first: a client's reply almost always
 * fits, so the connection never waits for writability and closes in the same
 * callback. Whatever does not fit is queued and EV_WRITE armed.
 */
static int queue_frame(struct conn *cn, const uint8_t *frame, size_t len, struct sky_errbuf *eb)
{
	struct evbuffer *out = bufferevent_get_output(cn->bev);
	ssize_t n = 0;

	if (evbuffer_get_length(out) == 0) {
		do
			n = send(bufferevent_getfd(cn->bev), frame, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		while (n < 0 && errno == EINTR);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return sky_err_set(eb, SKY_E_IO, "cannot send %zu bytes to %s: %s", len,
					   cn->peer, strerror(errno));
		if (n < 0)
			n = 0;
		if ((size_t)n == len)
			return 0;
	}
	if (bufferevent_write(cn->bev, frame + n, len - (size_t)n) != 0 ||
	    bufferevent_enable(cn->bev, EV_WRITE) != 0)
		return sky_err_set(eb, SKY_E_IO, "cannot queue %zu bytes to %s", len, cn->peer);
	return 0;
}

int conn_send(struct ctld *c, struct conn *cn, uint32_t type, const ProtobufCMessage *body,
	      struct sky_errbuf *eb)
{
	uint8_t *frame = NULL;
	size_t len = 0;
	int rc;

	if (cn->dead)
		return sky_err_set(eb, SKY_E_CONNECT, "connection to %s is closed", cn->peer);
	if ((rc = wire_encode(agent_bound(type) ? c->auth : NULL, type, body, &frame, &len, eb)))
		return rc;
	rc = queue_frame(cn, frame, len, eb);
	free(frame);
	return rc;
}

void conn_send_rc(struct ctld *c, struct conn *cn, uint32_t type, int rc, const char *msg)
{
	Sky__RcReply r = SKY__RC_REPLY__INIT;
	struct sky_errbuf eb;

	r.rc = (uint32_t)rc;
	r.message = (char *)(msg ? msg : sky_strerror(rc));
	sky_err_clear(&eb);
	if (conn_send(c, cn, type, &r.base, &eb))
		log_error("reply to %s: %s", cn->peer, sky_err_msg(&eb));
}

/* ---- receiving ---- */

/* Drop the rest of an over-sized frame; answer once all of it is gone. */
static void discard_input(struct conn *cn, struct evbuffer *in)
{
	size_t avail = evbuffer_get_length(in);
	size_t n = avail < cn->discard_left ? avail : (size_t)cn->discard_left;
	char msg[160];

	evbuffer_drain(in, n);
	cn->discard_left -= n;
	if (cn->discard_left)
		return;
	snprintf(msg, sizeof(msg), "%s (message of %u bytes, the limit is %zu)",
		 sky_strerror(SKY_E_SCRIPT_TOO_BIG), cn->discard_len, cn->c->limits.frame_max);
	conn_send_rc(cn->c, cn, SKY__MSG_TYPE__RESPONSE_RC, SKY_E_SCRIPT_TOO_BIG, msg);
	conn_finish(cn);
}

/* One frame from in, if complete. Returns false when more bytes are needed. */
static bool take_frame(struct conn *cn, struct evbuffer *in)
{
	struct ctld *c = cn->c;
	size_t avail = evbuffer_get_length(in);
	uint8_t hdr[4];
	uint32_t len;
	const uint8_t *p;

	if (avail < 4)
		return false;
	evbuffer_copyout(in, hdr, 4);
	len = wire_get_len(hdr);
	if (len > WIRE_FRAME_DISCARD_MAX) {
		log_info("%s: frame of %u bytes is beyond any limit; closing", cn->peer, len);
		conn_close(cn);
		return false;
	}
	if (len > c->limits.frame_max) {
		log_info("%s: frame of %u bytes exceeds the limit of %zu; discarding it", cn->peer,
			 len, c->limits.frame_max);
		evbuffer_drain(in, 4);
		cn->discard_left = len;
		cn->discard_len = len;
		return true;
	}
	if (avail < 4 + (size_t)len)
		return false;
	evbuffer_drain(in, 4);
	p = len ? evbuffer_pullup(in, len) : (const uint8_t *)"";
	rpc_dispatch(c, cn, p, len);
	evbuffer_drain(in, len);
	/* A client connection carries one request. */
	if (!cn->node)
		conn_finish(cn);
	return true;
}

static void read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *cn = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	cb_enter(cn);
	while (!cn->dead && !cn->finishing) {
		if (cn->discard_left) {
			discard_input(cn, in);
			if (cn->discard_left)
				break;
			continue;
		}
		if (!take_frame(cn, in))
			break;
	}
	cb_leave(cn);
}

static void write_cb(struct bufferevent *bev, void *arg)
{
	struct conn *cn = arg;

	cb_enter(cn);
	if (cn->finishing && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		conn_close(cn);
	cb_leave(cn);
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *cn = arg;
	size_t pending = evbuffer_get_length(bufferevent_get_input(bev));

	cb_enter(cn);
	if ((what & BEV_EVENT_EOF) && cn->finishing) {
		/* The peer stopped sending; the queued reply may still go out. */
		goto out;
	}
	if ((what & BEV_EVENT_EOF) && !cn->node && (pending || cn->discard_left)) {
		char msg[128];
		snprintf(msg, sizeof(msg), "%s (connection closed inside a message)",
			 sky_strerror(SKY_E_PROTOCOL));
		log_info("%s: truncated message (%zu bytes)", cn->peer, pending);
		conn_send_rc(cn->c, cn, SKY__MSG_TYPE__RESPONSE_RC, SKY_E_PROTOCOL, msg);
		conn_finish(cn);
		goto out;
	}
	if (what & BEV_EVENT_TIMEOUT)
		log_info("%s: no traffic for %us; closing", cn->peer, cn->c->limits.message_timeout);
	else if (what & BEV_EVENT_ERROR)
		log_debug("%s: %s", cn->peer, strerror(EVUTIL_SOCKET_ERROR()));
	else
		log_debug2("%s: closed", cn->peer);
	conn_close(cn);
out:
	cb_leave(cn);
}

static void describe_peer(struct conn *cn, int fd, const struct sockaddr *sa)
{
	if (sa->sa_family == AF_UNIX) {
		struct ucred uc;
		socklen_t l = sizeof(uc);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &l) == 0)
			snprintf(cn->peer, sizeof(cn->peer), "unix peer uid %u pid %d",
				 (unsigned)uc.uid, (int)uc.pid);
		else
			snprintf(cn->peer, sizeof(cn->peer), "unix peer");
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		char a[INET_ADDRSTRLEN] = "?";
		inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
		snprintf(cn->peer, sizeof(cn->peer), "%s:%u", a, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in = (const struct sockaddr_in6 *)sa;
		char a[INET6_ADDRSTRLEN] = "?";
		inet_ntop(AF_INET6, &in->sin6_addr, a, sizeof(a));
		snprintf(cn->peer, sizeof(cn->peer), "[%s]:%u", a, ntohs(in->sin6_port));
	} else {
		snprintf(cn->peer, sizeof(cn->peer), "peer fd %d", fd);
	}
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
		      int salen, void *arg)
{
	struct ctld *c = arg;
	struct conn *cn;
	struct timeval tv = { .tv_sec = c->limits.message_timeout };

	(void)l;
	(void)salen;
	cn = xmalloc(sizeof(*cn));
	cn->c = c;
	cn->bev = bufferevent_socket_new(c->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!cn->bev) {
		log_error("cannot set up a connection (fd %d)", (int)fd);
		evutil_closesocket(fd);
		free(cn);
		return;
	}
	describe_peer(cn, (int)fd, sa);
	cn->next = c->conns;
	if (c->conns)
		c->conns->prev = cn;
	c->conns = cn;
	bufferevent_setcb(cn->bev, read_cb, write_cb, event_cb, cn);
	bufferevent_set_max_single_read(cn->bev, CONN_MAX_READ);
	if (tv.tv_sec)
		bufferevent_set_timeouts(cn->bev, &tv, &tv);
	/* EV_WRITE only once something is queued (queue_frame). */
	bufferevent_enable(cn->bev, EV_READ);
	log_debug2("%s: connected", cn->peer);
}

static void accept_error_cb(struct evconnlistener *l, void *arg)
{
	(void)l;
	(void)arg;
	/* EMFILE and the like: the listener retries on the next readiness. */
	log_error("accept: %s", strerror(EVUTIL_SOCKET_ERROR()));
}

/* ---- listeners ---- */

/* An existing socket file is stale unless a controller still answers on it. */
static int clear_stale_socket(const char *path, struct sky_errbuf *eb)
{
	struct sky_errbuf tmp;
	struct stat st;
	int fd, tries;

	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode))
		return sky_err_set(eb, SKY_E_IO, "SlurmctldSocket %s exists and is not a socket", path);
	/* The state lock is ours, so a controller answering here is exiting, or
	 * another instance with its own state (a configuration mistake). */
	for (tries = 0;; tries++) {
		sky_err_clear(&tmp);
		if (wire_connect_unix(path, 500, &fd, &tmp) != 0)
			break;
		close(fd);
		if (tries >= SOCKET_RETRIES)
			return sky_err_set(eb, SKY_E_IO, "another controller is listening on %s", path);
		usleep(SOCKET_RETRY_USEC);
	}
	if (unlink(path) < 0)
		return sky_err_set(eb, SKY_E_IO, "cannot remove stale socket %s: %s", path,
				   strerror(errno));
	return 0;
}

static int listen_unix(struct ctld *c, struct sky_errbuf *eb)
{
	const char *path = c->conf->ctld_socket;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *dir = xstrdup(path);
	struct stat st;
	int fd = -1, rc = 0;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		rc = sky_err_set(eb, SKY_E_IO, "SlurmctldSocket path is too long: %s", path);
		goto out;
	}
	if (stat(dirname(dir), &st) < 0 || !S_ISDIR(st.st_mode)) {
		rc = sky_err_set(eb, SKY_E_IO, "directory %s of SlurmctldSocket does not exist", dir);
		goto out;
	}
	if ((rc = clear_stale_socket(path, eb)))
		goto out;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = sky_err_set(eb, SKY_E_IO, "cannot bind %s: %s", path, strerror(errno));
		goto out;
	}
	c->socket_created = true;
	/* Every user submits through this socket; munge decides who they are. */
	if (chmod(path, 0777) < 0) {
		rc = sky_err_set(eb, SKY_E_IO, "chmod %s: %s", path, strerror(errno));
		goto out;
	}
	c->unix_listener = evconnlistener_new(c->base, accept_cb, c,
					      LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
					      LISTEN_BACKLOG, fd);
	if (!c->unix_listener) {
		rc = sky_err_set(eb, SKY_E_IO, "cannot listen on %s: %s", path, strerror(errno));
		goto out;
	}
	fd = -1;
	evconnlistener_set_error_cb(c->unix_listener, accept_error_cb);
	log_info("listening on %s", path);
out:
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

static int listen_tcp(struct ctld *c, struct sky_errbuf *eb)
{
	const char *host = c->conf->ctld_addr ? c->conf->ctld_addr : c->conf->ctld_host;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE };
	struct addrinfo *res = NULL;
	char port[8];
	int gr;

	snprintf(port, sizeof(port), "%u", c->conf->ctld_port);
	if ((gr = getaddrinfo(host, port, &hints, &res)) != 0)
		return sky_err_set(eb, SKY_E_IO, "SlurmctldHost %s: %s", host ? host : "(none)",
				   gai_strerror(gr));
	c->tcp_listener = evconnlistener_new_bind(c->base, accept_cb, c,
						  LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC |
						  LEV_OPT_REUSEABLE,
						  LISTEN_BACKLOG, res->ai_addr, (int)res->ai_addrlen);
	freeaddrinfo(res);
	if (!c->tcp_listener)
		return sky_err_set(eb, SKY_E_IO, "cannot listen on %s:%s: %s", host, port,
				   strerror(errno));
	evconnlistener_set_error_cb(c->tcp_listener, accept_error_cb);
	log_info("listening on %s:%s", host, port);
	return 0;
}

int listeners_start(struct ctld *c, struct sky_errbuf *eb)
{
	int rc;

	if (!c->conf->ctld_socket && !c->conf->ctld_port)
		return sky_err_set(eb, SKY_E_CONFIG, "neither SlurmctldSocket nor SlurmctldPort is set");
	if (c->conf->ctld_socket && (rc = listen_unix(c, eb)))
		return rc;
	if (c->conf->ctld_port && (rc = listen_tcp(c, eb)))
		return rc;
	return 0;
}

void listeners_stop(struct ctld *c)
{
	if (c->unix_listener)
		evconnlistener_free(c->unix_listener);
	if (c->tcp_listener)
		evconnlistener_free(c->tcp_listener);
	c->unix_listener = c->tcp_listener = NULL;
	if (c->socket_created && c->conf->ctld_socket)
		unlink(c->conf->ctld_socket);
	c->socket_created = false;
	while (c->conns)
		conn_free(c->conns);
}
