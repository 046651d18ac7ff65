/*
 * job_launch.h: CTLD_LAUNCH_JOB to the batch host's agent.
 */
#ifndef SKY_JOB_LAUNCH_H
#define SKY_JOB_LAUNCH_H

#include "sky_err.h"

struct ctld;
struct job;

/*
 * Send j (RUNNING, committed) to its batch host with its script from the
 * store and its submitted environment. SKY_E_NOT_FOUND when the script is
 * gone (the job cannot ever run); SKY_E_CONNECT when the agent is not linked
 * (the next registration sends the job back to PENDING).
 */
int job_launch(struct ctld *c, struct job *j, struct sky_errbuf *eb);

#endif
