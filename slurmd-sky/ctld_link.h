/*
 * ctld_link.h: the agent's long-lived link to the controller.
 *
 * The agent opens it (SlurmctldSocket when that socket exists, else TCP
 * SlurmctldHost:SlurmctldPort), registers with its hardware and every job
 * it holds, sends a heartbeat every conf_heartbeat_secs() (10 s unless
 * SlurmdTimeout is short), and reconnects with backoff
 * (0.2 s doubling to 5 s) whenever the link drops. Frames are parsed
 * without blocking from a bufferevent; CTLD_* messages are obeyed only
 * when their munge credential belongs to an operator (agent.h).
 */
#ifndef SKY_SLURMD_CTLD_LINK_H
#define SKY_SLURMD_CTLD_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "agent.h"
#include "sky.pb-c.h"

/* Caller frees with link_free(). The agent is borrowed for the link's life. */
struct ctld_link *link_new(struct agent *a);
void link_free(struct ctld_link *l);

/* Start connecting (asynchronously); failures are retried forever. */
void link_start(struct ctld_link *l);

/*
 * Queue a credentialed message. Returns false when the link is not
 * registered (the next registration carries the agent's state instead).
 */
bool link_send(struct ctld_link *l, uint32_t type, const ProtobufCMessage *body);

bool link_registered(const struct ctld_link *l);

#endif
