/*
 * imds_agent.c: the agent's use of the instance metadata (imds.h): its
 * instance id for the registration, spot notices to the controller.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ctld_link.h"
#include "imds.h"
#include "log.h"
#include "xalloc.h"

#define NOTICE_KIND_SPOT "spot-interruption"

static void on_instance(void *arg, const char *id, bool first)
{
	struct agent *a = arg;

	if (id && (!a->instance_id || strcmp(a->instance_id, id) != 0)) {
		log_info("instance %s (from the instance metadata)%s%s", id,
			 a->instance_id ? "; $SKY_INSTANCE_ID said " : "",
			 a->instance_id ? a->instance_id : "");
		free(a->instance_id);
		a->instance_id = xstrdup(id);
	}
	/* The first registration carries the id when there is one to carry. */
	if (first)
		link_start(a->link);
}

/* Sent at every poll while the notice lasts: a registration in between
 * (a new controller, a dropped link) gets it too; the controller keeps the
 * first. */
static void on_notice(void *arg, const char *action, time_t when)
{
	struct agent *a = arg;
	Sky__NodeNotice nn = SKY__NODE_NOTICE__INIT;

	nn.node_name = a->node_name;
	nn.kind = (char *)NOTICE_KIND_SPOT;
	nn.action = (char *)action;
	nn.has_time = when > 0;
	nn.time = when > 0 ? (uint64_t)when : 0;
	nn.instance_id = a->instance_id;
	if (!link_send(a->link, SKY__MSG_TYPE__AGENT_NODE_NOTICE, &nn.base))
		log_debug("spot notice not sent: not registered; again at the next poll");
}

void imds_agent_start(struct agent *a)
{
	const char *ep = getenv("SKY_IMDS_ENDPOINT");
	const char *id = getenv("SKY_INSTANCE_ID");
	const char *poll = getenv("SKY_IMDS_POLL_SECS");
	struct imds_cbs cbs = { .instance = on_instance, .notice = on_notice, .arg = a };
	double secs = IMDS_DEFAULT_POLL_SECS;

	if (id && *id)
		a->instance_id = xstrdup(id);
	if (!ep || !*ep) {
		log_debug("SKY_IMDS_ENDPOINT not set: no instance metadata, no spot notices");
		link_start(a->link);
		return;
	}
	if (poll && *poll) {
		char *end;
		double v = strtod(poll, &end);
		if (*end || v <= 0)
			log_error("SKY_IMDS_POLL_SECS=%s is not a positive number; using %.0f s", poll,
				  secs);
		else
			secs = v;
	}
	log_info("watching the instance metadata at %s every %.1f s", ep, secs);
	a->imds = imds_new(a->base, ep, secs, &cbs);
}
