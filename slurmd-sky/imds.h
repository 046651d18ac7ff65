/*
 * imds.h: what the cloud says about the machine the agent runs on, from
 * EC2's instance metadata service (IMDSv2):
 *
 *   PUT /latest/api/token  (X-aws-ec2-metadata-token-ttl-seconds)  -> token
 *   GET /latest/meta-data/instance-id                               -> "i-..."
 *   GET /latest/meta-data/spot/instance-action  404 until EC2 decides to
 *       reclaim the spot instance, then 200 {"action": "terminate"|"stop"|
 *       "hibernate", "time": "2026-11-22T17:00:00Z"}, about two minutes ahead.
 *
 * The base URL comes from $SKY_IMDS_ENDPOINT (the user-data template sets it;
 * unset or empty: no polling at all). The spot notice is polled every
 * $SKY_IMDS_POLL_SECS seconds (default 5, AWS's advice). Every request is
 * non-blocking (libcurl's multi interface driven by a libevent timer), so
 * the agent's loop never waits for the metadata service; an unreachable one
 * is logged once (again only when the error changes) and never fatal.
 *
 * The agent (imds_agent_start) reports a notice to the controller as
 * AGENT_NODE_NOTICE at every poll while it lasts (the controller ignores
 * repeats), and sends its instance id (IMDS, else $SKY_INSTANCE_ID) in every
 * registration, so a stale VM of a slot can be told apart.
 */
#ifndef SKY_SLURMD_IMDS_H
#define SKY_SLURMD_IMDS_H

#include <stdbool.h>
#include <time.h>

#include "agent.h"
#include "sky_err.h"

struct event_base;
struct imds;

#define IMDS_DEFAULT_POLL_SECS 5.0

struct imds_cbs {
	/* After the first try for the instance id (first: true; id borrowed,
	 * NULL when IMDS did not give it), and whenever a new id is learned. */
	void (*instance)(void *arg, const char *instance_id, bool first);
	/* At every poll that finds a notice (strings borrowed; when 0: unknown). */
	void (*notice)(void *arg, const char *action, time_t when);
	void *arg;
};

/*
 * Start polling endpoint ("http://169.254.169.254", no trailing path) every
 * poll_secs. Caller frees with imds_free(); base and cbs are borrowed for the
 * poller's life (cbs is copied).
 */
struct imds *imds_new(struct event_base *base, const char *endpoint, double poll_secs,
		      const struct imds_cbs *cbs);
void imds_free(struct imds *m);

/*
 * The body of spot/instance-action: *action (caller frees) and *when (0 when
 * "time" is absent). SKY_E_INVAL naming what is wrong otherwise.
 */
int imds_parse_action(const char *body, char **action, time_t *when, struct sky_errbuf *eb);

/*
 * The agent's use of it: the instance id ($SKY_INSTANCE_ID, then IMDS) into
 * a->instance_id, the notices to the controller link; starts the link (at
 * once without IMDS, else once the first instance-id answer is in).
 */
void imds_agent_start(struct agent *a);

#endif
