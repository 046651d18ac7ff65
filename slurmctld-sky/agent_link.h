/*
 * agent_link.h: the long-lived link from each node's agent.
 *
 * A node has at most one link: a new registration replaces the old one. A
 * node whose link closes, or whose agent has missed three heartbeats
 * (conf_heartbeat_secs()), is NOT_RESPONDING: it keeps its running jobs'
 * bookkeeping but gets no new jobs until it registers again. Not responding
 * for SlurmdTimeout makes it DOWN ("Not responding" in sinfo -R) and every
 * job holding it NODE_FAIL, or pending again when it may be requeued; a job
 * whose batch script runs on another node is killed there first.
 */
#ifndef SKY_AGENT_LINK_H
#define SKY_AGENT_LINK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "sky.pb-c.h"
#include "sky_err.h"

struct conn;
struct ctld;
struct node;

/* cn becomes n's link; an older link of n is closed. */
void agent_link_attach(struct ctld *c, struct node *n, struct conn *cn);
/* n's link closed (called by the connection code). */
void agent_link_lost(struct ctld *c, struct node *n);
/* Any message on the link counts as a sign of life. */
void agent_link_heard(struct node *n, time_t now);
/* Send a credentialed message to n's agent. SKY_E_CONNECT when n has no link. */
int agent_send(struct ctld *c, struct node *n, uint32_t type, const ProtobufCMessage *msg,
	       struct sky_errbuf *eb);
/* Convenience senders; failures are logged (the reconciliation at the next
 * registration repairs whatever a lost message leaves behind). */
void agent_send_signal(struct ctld *c, struct node *n, uint32_t job_id, uint32_t sig,
		       bool batch_only);
void agent_send_complete_ack(struct ctld *c, struct node *n, uint32_t job_id);
/* From the 1 s timer: silence, then SlurmdTimeout. */
void agent_link_check(struct ctld *c, time_t now);

#endif
