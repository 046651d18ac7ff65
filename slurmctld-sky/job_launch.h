/*
 * job_launch.h: starting a job on its nodes: CTLD_LAUNCH_JOB to the batch
 * host's agent, or the node's provider when it runs jobs itself (provider.h
 * launch op: Kubernetes pods).
 */
#ifndef SKY_JOB_LAUNCH_H
#define SKY_JOB_LAUNCH_H

#include <stdbool.h>
#include <stdint.h>

#include "sky.pb-c.h"
#include "sky_err.h"

struct ctld;
struct job;
struct node;

/*
 * What an agent gets for a job: lj points into this struct (rec, desc) and
 * into the job (borrowed strings), so the struct must stay where it was
 * built and j must not change while lj is used.
 */
struct job_launch_msg {
	Sky__LaunchJob lj;
	Sky__JobRecord rec;      /* j's record without the environment */
	Sky__JobDesc desc;
	uint8_t *script;         /* owned: the batch script from the store */
	size_t script_len;
};

/* Fill m for j (script read from the store: SKY_E_NOT_FOUND when it is
 * gone). Free with job_launch_msg_free(), also after a failure. */
int job_launch_msg_build(struct ctld *c, struct job *j, struct job_launch_msg *m,
			 struct sky_errbuf *eb);
void job_launch_msg_free(struct job_launch_msg *m);

/* Whether jobs on n are run by n's provider (no agent there). */
bool job_launch_by_provider(const struct node *n);

/*
 * Start j (RUNNING, committed) on its nodes: its script from the store and
 * its submitted environment go to the batch host's agent, or to its
 * provider's launch op. SKY_E_NOT_FOUND when the script is gone (the job
 * cannot ever run); SKY_E_CONNECT when the agent is not linked (the next
 * registration sends the job back to PENDING). A provider that fails to
 * start j has already put it back to PENDING (or ended it) itself.
 */
int job_launch(struct ctld *c, struct job *j, struct sky_errbuf *eb);

#endif
