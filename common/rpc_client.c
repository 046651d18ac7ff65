/* rpc_client.c: see rpc_client.h. */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rpc_client.h"
#include "wire.h"
#include "xalloc.h"

int sky_client_open(const char *conf_path, struct sky_client **out, struct sky_errbuf *eb)
{
	struct sky_client *c = xmalloc(sizeof(*c));
	char *path = conf_path ? xstrdup(conf_path) : conf_default_path();
	int rc;

	if ((rc = conf_load(path, &c->conf, eb)))
		goto fail;
	if ((rc = auth_create(c->conf->munge_socket, c->conf->auth_ttl, &c->auth, eb)))
		goto fail;
	c->timeout_ms = (int)(c->conf->message_timeout ? c->conf->message_timeout : 10) * 1000;
	free(path);
	*out = c;
	return 0;
fail:
	free(path);
	sky_client_close(c);
	return rc;
}

void sky_client_close(struct sky_client *c)
{
	if (!c)
		return;
	conf_free(c->conf);
	auth_destroy(c->auth);
	free(c);
}

static int ctld_connect(struct sky_client *c, int *fd, struct sky_errbuf *eb)
{
	const struct sky_conf *cf = c->conf;
	struct sky_errbuf tmp;
	struct stat st;

	sky_err_clear(&tmp);
	if (cf->ctld_socket && stat(cf->ctld_socket, &st) == 0 &&
	    wire_connect_unix(cf->ctld_socket, c->timeout_ms, fd, &tmp) == 0)
		return 0;
	if (cf->ctld_port)
		return wire_connect_tcp(cf->ctld_addr ? cf->ctld_addr : cf->ctld_host,
					cf->ctld_port, c->timeout_ms, fd, eb);
	if (tmp.code)
		return sky_err_set(eb, SKY_E_CONNECT, "%s", tmp.msg);
	return sky_err_set(eb, SKY_E_CONNECT, "connect to %s: no such socket",
			   cf->ctld_socket ? cf->ctld_socket : "(no SlurmctldSocket)");
}

int sky_client_rpc(struct sky_client *c, uint32_t type, const ProtobufCMessage *req,
		   const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **reply,
		   struct sky_errbuf *eb)
{
	struct wire_msg m = { 0 };
	int fd = -1, rc;

	if (reply)
		*reply = NULL;
	if ((rc = ctld_connect(c, &fd, eb)))
		goto out;
	if ((rc = wire_send(fd, c->auth, type, req, c->timeout_ms, eb)))
		goto out;
	if ((rc = wire_recv(fd, NULL, WIRE_FRAME_MAX_DEFAULT * 4, c->timeout_ms, &m, eb)))
		goto out;
	if (m.type == SKY__MSG_TYPE__RESPONSE_RC) {
		Sky__RcReply *r = NULL;
		if ((rc = wire_unpack(&m, &sky__rc_reply__descriptor, (ProtobufCMessage **)&r, eb)))
			goto out;
		rc = (int)r->rc;
		if (rc)
			sky_err_set(eb, rc, "%s", r->message && *r->message ? r->message : sky_strerror(rc));
		sky__rc_reply__free_unpacked(r, NULL);
		if (rc || !reply_desc)
			goto out;
		rc = sky_err_set(eb, SKY_E_PROTOCOL, "unexpected reply");
		goto out;
	}
	if (!reply_desc || !reply) {
		rc = sky_err_set(eb, SKY_E_PROTOCOL, "unexpected reply type %u", m.type);
		goto out;
	}
	rc = wire_unpack(&m, reply_desc, reply, eb);
out:
	wire_msg_clear(&m);
	if (fd >= 0)
		close(fd);
	return rc;
}
