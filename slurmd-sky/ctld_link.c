/* ctld_link.c: see ctld_link.h. */
#include "config.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctld_link.h"
#include "jobs.h"
#include "log.h"
#include "step_agent.h"
#include "wire.h"
#include "xalloc.h"

#define BACKOFF_MIN_MS 200
#define BACKOFF_MAX_MS 5000
/* A controller that accepted the connection but never answered the registration. */
#define REGISTER_TIMEOUT_SECS 30
/* Completions unacknowledged this long are reported again. */
#define RESEND_AFTER_SECS 30

struct ctld_link {
	struct agent *a;
	struct bufferevent *bev;
	struct event *retry_ev;
	struct event *tick_ev;      /* heartbeat, registration timeout, resends */
	int backoff_ms;
	bool connected;
	bool registered;
	time_t connected_at;
	char *peer;                 /* where we connect, for messages */
	bool via_unix;              /* the current attempt uses SlurmctldSocket */
	bool unix_failed;           /* ... and it failed before registration */
	char *last_error;           /* the last failure logged, to log each kind once */
	size_t max_frame;
};

static void schedule_retry(struct ctld_link *l);

bool link_registered(const struct ctld_link *l)
{
	return l && l->registered;
}

/* Log a connection failure at error level once, then at debug until it changes. */
static void link_failed(struct ctld_link *l, const char *msg)
{
	if (!l->last_error || strcmp(l->last_error, msg) != 0) {
		log_error("controller link: %s", msg);
		free(l->last_error);
		l->last_error = xstrdup(msg);
	} else {
		log_debug("controller link: %s", msg);
	}
}

static void link_down(struct ctld_link *l, const char *why)
{
	if (l->bev) {
		bufferevent_free(l->bev);
		l->bev = NULL;
	}
	if (l->registered)
		log_info("controller link lost: %s", why);
	else
		link_failed(l, why);
	if (!l->registered && l->via_unix)
		l->unix_failed = true;
	l->connected = false;
	l->registered = false;
	schedule_retry(l);
}

static bool send_raw(struct ctld_link *l, uint32_t type, const ProtobufCMessage *body)
{
	struct sky_errbuf eb;
	uint8_t *frame = NULL;
	size_t len = 0;

	if (!l->bev || !l->connected)
		return false;
	sky_err_clear(&eb);
	if (wire_encode(l->a->auth, type, body, &frame, &len, &eb)) {
		log_error("cannot encode message %u for the controller: %s", type, sky_err_msg(&eb));
		return false;
	}
	bufferevent_write(l->bev, frame, len);
	free(frame);
	return true;
}

bool link_send(struct ctld_link *l, uint32_t type, const ProtobufCMessage *body)
{
	if (!l || !l->registered)
		return false;
	return send_raw(l, type, body);
}

static void send_register(struct ctld_link *l)
{
	struct agent *a = l->a;
	Sky__NodeRegister reg = SKY__NODE_REGISTER__INIT;

	reg.node_name = a->node_name;
	reg.has_cpus = true;
	reg.cpus = a->hw.cpus;
	reg.has_real_memory_mb = true;
	reg.real_memory_mb = a->hw.memory_mb;
	reg.gres = a->hw.gres;
	reg.has_boot_time = true;
	reg.boot_time = a->hw.boot_time;
	reg.has_agent_start_time = true;
	reg.agent_start_time = (uint64_t)a->start_time;
	reg.has_sockets = true;
	reg.sockets = a->hw.sockets;
	reg.has_cores_per_socket = true;
	reg.cores_per_socket = a->hw.cores_per_socket;
	reg.has_threads_per_core = true;
	reg.threads_per_core = a->hw.threads_per_core;
	reg.version = (char *)PACKAGE_VERSION;
	reg.os = a->hw.os;
	reg.arch = a->hw.arch;
	reg.has_agent_uid = true;
	reg.agent_uid = (uint32_t)geteuid();
	reg.instance_id = a->instance_id;
	jobs_fill_register(a->jobs, &reg);
	step_agent_fill_register(a, &reg);
	log_debug("registering with the controller (%zu jobs held)", reg.n_jobs);
	send_raw(l, SKY__MSG_TYPE__AGENT_REGISTER, &reg.base);
	jobs_register_clear(&reg);
}

/* The slot this agent registers for has another instance now: this VM is
 * on its way out. Its jobs were requeued elsewhere, so they stop here too
 * (their supervisors run the kill sequence on their own), and the agent
 * leaves instead of retrying forever. */
static void stale_exit(struct ctld_link *l, const Sky__RegisterReply *r)
{
	struct agent *a = l->a;
	Sky__NodeRegister held = SKY__NODE_REGISTER__INIT;

	log_error("controller refused the registration of node %s: %s; exiting", a->node_name,
		  r->message && *r->message ? r->message : sky_strerror((int)r->rc));
	jobs_fill_register(a->jobs, &held);
	for (size_t i = 0; i < held.n_jobs; i++)
		if (!held.jobs[i]->finished) {
			log_info("job %u: cancelled (stale instance)", held.jobs[i]->job_id);
			jobs_cancel(a->jobs, held.jobs[i]->job_id);
		}
	jobs_register_clear(&held);
	a->exit_code = 1;
	event_base_loopbreak(a->base);
}

static void on_register_reply(struct ctld_link *l, ProtobufCMessage *msg)
{
	Sky__RegisterReply *r = (Sky__RegisterReply *)msg;
	struct agent *a = l->a;
	char *why;

	if (r->rc && r->has_stale_instance && r->stale_instance) {
		stale_exit(l, r);
		return;
	}
	if (r->rc) {
		why = xasprintf("controller refused the registration of node %s: %s", a->node_name,
				r->message && *r->message ? r->message : sky_strerror((int)r->rc));
		link_down(l, why);
		free(why);
		return;
	}
	l->registered = true;
	l->backoff_ms = BACKOFF_MIN_MS;
	FREE_NULL(l->last_error);
	if (r->has_kill_wait_secs)
		a->kill_wait = r->kill_wait_secs;
	if (r->cluster && *r->cluster) {
		free(a->cluster);
		a->cluster = xstrdup(r->cluster);
	}
	log_info("node %s registered with the controller at %s (%zu jobs held)", a->node_name,
		 l->peer, jobs_count(a->jobs));
	for (size_t i = 0; i < r->n_orphan_job_ids; i++) {
		log_info("job %u: unknown to the controller; cancelling it", r->orphan_job_ids[i]);
		jobs_cancel(a->jobs, r->orphan_job_ids[i]);
		{
			Sky__SignalJob sj = SKY__SIGNAL_JOB__INIT;
			sj.job_id = r->orphan_job_ids[i];
			step_agent_job_signal(a, &sj);   /* its steps and allocation too */
		}
	}
}

static void on_launch(struct ctld_link *l, ProtobufCMessage *msg)
{
	Sky__LaunchJob *lj = (Sky__LaunchJob *)msg;
	Sky__LaunchResult res = SKY__LAUNCH_RESULT__INIT;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	res.job_id = lj->job_id;
	if (step_agent_alloc_launch(l->a, lj))
		res.rc = 0;     /* an allocation for srun: nothing to run */
	else
		res.rc = (uint32_t)jobs_launch(l->a->jobs, lj, &eb);
	if (res.rc) {
		res.message = (char *)sky_err_msg(&eb);
		log_error("job %u: launch failed: %s", lj->job_id, res.message);
	}
	send_raw(l, SKY__MSG_TYPE__AGENT_LAUNCH_RESULT, &res.base);
}

static void on_signal(struct ctld_link *l, ProtobufCMessage *msg)
{
	step_agent_job_signal(l->a, (Sky__SignalJob *)msg);
	jobs_signal(l->a->jobs, (Sky__SignalJob *)msg);
}

static void on_launch_step(struct ctld_link *l, ProtobufCMessage *msg)
{
	step_agent_launch(l->a, (Sky__StepLaunch *)msg);
}

static void on_signal_step(struct ctld_link *l, ProtobufCMessage *msg)
{
	step_agent_signal(l->a, (Sky__StepSignal *)msg);
}

static void on_complete_ack(struct ctld_link *l, ProtobufCMessage *msg)
{
	jobs_complete_ack(l->a->jobs, ((Sky__CompleteAck *)msg)->job_id);
}

/* The controller answers what it cannot parse or authenticate with an RcReply, then closes. */
static void on_rc(struct ctld_link *l, ProtobufCMessage *msg)
{
	Sky__RcReply *r = (Sky__RcReply *)msg;
	char *why;

	if (!r->rc)
		return;
	why = xasprintf("controller error: %s%s%s", sky_strerror((int)r->rc),
			r->message && *r->message ? ": " : "", r->message ? r->message : "");
	link_down(l, why);
	free(why);
}

struct link_handler {
	uint32_t type;
	const ProtobufCMessageDescriptor *desc;
	bool operator_only;         /* obeyed only from an operator's credential */
	void (*fn)(struct ctld_link *l, ProtobufCMessage *msg);
};

static const struct link_handler handlers[] = {
	{ .type = SKY__MSG_TYPE__AGENT_REGISTER_REPLY, .desc = &sky__register_reply__descriptor,
	  .operator_only = true, .fn = on_register_reply },
	{ .type = SKY__MSG_TYPE__CTLD_LAUNCH_JOB, .desc = &sky__launch_job__descriptor,
	  .operator_only = true, .fn = on_launch },
	{ .type = SKY__MSG_TYPE__CTLD_SIGNAL_JOB, .desc = &sky__signal_job__descriptor,
	  .operator_only = true, .fn = on_signal },
	{ .type = SKY__MSG_TYPE__CTLD_COMPLETE_ACK, .desc = &sky__complete_ack__descriptor,
	  .operator_only = true, .fn = on_complete_ack },
	{ .type = SKY__MSG_TYPE__CTLD_LAUNCH_STEP, .desc = &sky__step_launch__descriptor,
	  .operator_only = true, .fn = on_launch_step },
	{ .type = SKY__MSG_TYPE__CTLD_SIGNAL_STEP, .desc = &sky__step_signal__descriptor,
	  .operator_only = true, .fn = on_signal_step },
	{ .type = SKY__MSG_TYPE__RESPONSE_RC, .desc = &sky__rc_reply__descriptor,
	  .operator_only = false, .fn = on_rc },
};

static const struct link_handler *find_handler(uint32_t type)
{
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (handlers[i].type == type)
			return &handlers[i];
	return NULL;
}

static bool is_operator(const struct agent *a, uid_t uid)
{
	for (size_t i = 0; i < a->n_operators; i++)
		if (a->operators[i] == uid)
			return true;
	return false;
}

static void dispatch(struct ctld_link *l, const struct link_handler *h, const struct wire_msg *m)
{
	ProtobufCMessage *body = NULL;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	if (wire_unpack(m, h->desc, &body, &eb)) {
		log_error("controller link: %s", sky_err_msg(&eb));
		return;
	}
	h->fn(l, body);
	protobuf_c_message_free_unpacked(body, NULL);
}

static void process_frame(struct ctld_link *l, const uint8_t *payload, size_t len)
{
	const struct link_handler *h;
	struct wire_msg m;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	if (wire_decode(l->a->auth, payload, len, &m, &eb)) {
		/* An error reply may come without a credential; it only gets logged. */
		struct wire_msg plain;
		if (wire_decode(NULL, payload, len, &plain, NULL) == 0) {
			h = find_handler(plain.type);
			if (h && !h->operator_only) {
				dispatch(l, h, &plain);
				wire_msg_clear(&plain);
				return;
			}
			wire_msg_clear(&plain);
		}
		log_error("controller link: message rejected: %s", sky_err_msg(&eb));
		return;
	}
	h = find_handler(m.type);
	if (!h)
		log_debug("controller link: message type %u ignored", m.type);
	else if (h->operator_only && !is_operator(l->a, m.uid))
		log_error("controller link: message type %u from uid %u ignored: not an operator",
			  m.type, (unsigned)m.uid);
	else
		dispatch(l, h, &m);
	wire_msg_clear(&m);
}

static void on_read(struct bufferevent *bev, void *arg)
{
	struct ctld_link *l = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	for (;;) {
		size_t have = evbuffer_get_length(in);
		uint8_t hdr[4], *payload;
		uint32_t n;

		if (have < 4)
			return;
		evbuffer_copyout(in, hdr, 4);
		n = wire_get_len(hdr);
		if (n > l->max_frame) {
			char *why = xasprintf("message of %u bytes exceeds the limit of %zu", n,
					      l->max_frame);
			link_down(l, why);
			free(why);
			return;
		}
		if (have - 4 < n)
			return;
		evbuffer_drain(in, 4);
		payload = xmalloc(n ? n : 1);
		evbuffer_remove(in, payload, n);
		process_frame(l, payload, n);
		free(payload);
		/* A handler may have dropped the link (and freed bev with it). */
		if (l->bev != bev)
			return;
	}
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	struct ctld_link *l = arg;
	char *why;

	if (what & BEV_EVENT_CONNECTED) {
		l->connected = true;
		l->connected_at = time(NULL);
		log_debug("connected to the controller at %s", l->peer);
		send_register(l);
		return;
	}
	if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
		return;
	if (what & BEV_EVENT_EOF)
		why = xasprintf("connection to %s closed by the controller", l->peer);
	else
		why = xasprintf("connection to %s failed: %s", l->peer,
				evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	link_down(l, why);
	free(why);
}

/* SlurmctldSocket when it exists, else SlurmctldHost(addr):SlurmctldPort. */
static int resolve(struct ctld_link *l, struct sockaddr_storage *ss, socklen_t *len, char **err)
{
	const struct sky_conf *cf = l->a->conf;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	const char *host = cf->ctld_addr ? cf->ctld_addr : cf->ctld_host;
	char port[8];
	struct stat st;
	int gr;

	memset(ss, 0, sizeof(*ss));
	FREE_NULL(l->peer);
	/* After a failed attempt on the socket (a stale file), try TCP when configured. */
	l->via_unix = cf->ctld_socket && stat(cf->ctld_socket, &st) == 0 &&
		      !(l->unix_failed && cf->ctld_port);
	l->unix_failed = false;
	if (l->via_unix) {
		struct sockaddr_un *sun = (struct sockaddr_un *)ss;
		if (strlen(cf->ctld_socket) >= sizeof(sun->sun_path)) {
			*err = xasprintf("socket path too long: %s", cf->ctld_socket);
			return -1;
		}
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, cf->ctld_socket, strlen(cf->ctld_socket) + 1);
		*len = sizeof(*sun);
		l->peer = xstrdup(cf->ctld_socket);
		return 0;
	}
	if (!cf->ctld_port || !host) {
		*err = xasprintf("cannot reach the controller: %s does not exist and SlurmctldPort is not set",
				 cf->ctld_socket ? cf->ctld_socket : "SlurmctldSocket");
		return -1;
	}
	snprintf(port, sizeof(port), "%u", cf->ctld_port);
	if ((gr = getaddrinfo(host, port, &hints, &res)) != 0) {
		*err = xasprintf("cannot resolve %s: %s", host, gai_strerror(gr));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	l->peer = xasprintf("%s:%s", host, port);
	return 0;
}

static void link_connect(struct ctld_link *l)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	char *err = NULL;
	int fd;

	if (resolve(l, &ss, &len, &err)) {
		link_down(l, err);
		free(err);
		return;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = xasprintf("socket: %s", strerror(errno));
		link_down(l, err);
		free(err);
		return;
	}
	l->bev = bufferevent_socket_new(l->a->base, fd, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(l->bev, on_read, NULL, on_event, l);
	bufferevent_enable(l->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(l->bev, (struct sockaddr *)&ss, (int)len) < 0) {
		err = xasprintf("connect to %s: %s", l->peer, strerror(errno));
		link_down(l, err);
		free(err);
	}
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	link_connect(arg);
}

static void schedule_retry(struct ctld_link *l)
{
	struct timeval tv = { l->backoff_ms / 1000, (l->backoff_ms % 1000) * 1000 };

	evtimer_add(l->retry_ev, &tv);
	l->backoff_ms = l->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : l->backoff_ms * 2;
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct ctld_link *l = arg;

	if (l->registered) {
		send_raw(l, SKY__MSG_TYPE__AGENT_HEARTBEAT, NULL);
		jobs_resend_unacked(l->a->jobs, RESEND_AFTER_SECS);
	} else if (l->connected && time(NULL) - l->connected_at > REGISTER_TIMEOUT_SECS) {
		link_down(l, "the controller did not answer the registration");
	}
}

struct ctld_link *link_new(struct agent *a)
{
	struct ctld_link *l = xmalloc(sizeof(*l));
	struct timeval hb = { (time_t)conf_heartbeat_secs(a->conf), 0 };
	size_t script2 = 2 * (size_t)a->conf->max_script_size;

	l->a = a;
	l->backoff_ms = BACKOFF_MIN_MS;
	/* A launch carries the script and the environment: allow well above the
	 * controller's own receive limit, never above the discard limit. */
	l->max_frame = 4 * (script2 > WIRE_FRAME_MAX_DEFAULT ? script2 : WIRE_FRAME_MAX_DEFAULT);
	if (l->max_frame > WIRE_FRAME_DISCARD_MAX)
		l->max_frame = WIRE_FRAME_DISCARD_MAX;
	l->retry_ev = evtimer_new(a->base, on_retry, l);
	l->tick_ev = event_new(a->base, -1, EV_PERSIST, on_tick, l);
	event_add(l->tick_ev, &hb);
	return l;
}

void link_start(struct ctld_link *l)
{
	link_connect(l);
}

void link_free(struct ctld_link *l)
{
	if (!l)
		return;
	if (l->bev)
		bufferevent_free(l->bev);
	event_free(l->retry_ev);
	event_free(l->tick_ev);
	free(l->peer);
	free(l->last_error);
	free(l);
}
