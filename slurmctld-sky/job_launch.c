/* job_launch.c: job_launch() (job_launch.h); the message it sends: job_launch_msg.c. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "agent_link.h"
#include "ctld.h"
#include "job_launch.h"
#include "log.h"
#include "provider.h"

int job_launch(struct ctld *c, struct job *j, struct sky_errbuf *eb)
{
	struct node *n = node_find(&c->nodes, j->rec->batch_host);
	struct job_launch_msg m;
	int rc;

	if (!n)
		return sky_err_set(eb, SKY_E_INVALID_NODE_NAME, "batch host %s is not configured",
				   j->rec->batch_host ? j->rec->batch_host : "(none)");
	if (!job_launch_by_provider(n) && !n->link)
		return sky_err_set(eb, SKY_E_CONNECT, "node %s has no agent link", n->name);
	/* A lost script fails the job (SKY_E_NOT_FOUND) on either path. */
	if ((rc = job_launch_msg_build(c, j, &m, eb)))
		goto out;
	if (job_launch_by_provider(n)) {
		rc = n->prov->ops->launch(n->prov, j, &m, eb);
		goto out;
	}
	rc = agent_send(c, n, SKY__MSG_TYPE__CTLD_LAUNCH_JOB, &m.lj.base, eb);
	if (!rc)
		log_debug("job %u: launch sent to %s (%zu byte script)", j->rec->job_id, n->name,
			  m.script_len);
out:
	job_launch_msg_free(&m);
	return rc;
}
