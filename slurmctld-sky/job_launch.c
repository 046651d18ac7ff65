/* job_launch.c: see job_launch.h. */
#include "config.h"

#include <stdlib.h>

#include "agent_link.h"
#include "ctld.h"
#include "job_launch.h"
#include "log.h"

static int read_script(struct ctld *c, uint32_t id, uint8_t **data, size_t *len,
		       struct sky_errbuf *eb)
{
	struct store_txn *t = NULL;
	int rc;

	if ((rc = store_begin(c->store, false, &t, eb)))
		return rc;
	rc = store_script_get(t, id, data, len, eb);
	store_abort(t);
	return rc;
}

int job_launch(struct ctld *c, struct job *j, struct sky_errbuf *eb)
{
	Sky__LaunchJob lj = SKY__LAUNCH_JOB__INIT;
	Sky__JobRecord rec;
	Sky__JobDesc desc;
	struct node *n = node_find(&c->nodes, j->rec->batch_host);
	uint8_t *script = NULL;
	size_t len = 0;
	int rc;

	if (!n)
		return sky_err_set(eb, SKY_E_INVALID_NODE_NAME, "batch host %s is not configured",
				   j->rec->batch_host ? j->rec->batch_host : "(none)");
	if (!n->link)
		return sky_err_set(eb, SKY_E_CONNECT, "node %s has no agent link", n->name);
	if ((rc = read_script(c, j->rec->job_id, &script, &len, eb)))
		return rc;
	/* The environment travels once, in LaunchJob.env, not inside the record too. */
	rec = *j->rec;
	desc = *j->rec->desc;
	desc.n_env = 0;
	desc.env = NULL;
	rec.desc = &desc;
	lj.job_id = j->rec->job_id;
	lj.job = &rec;
	lj.script.data = script;
	lj.script.len = len;
	lj.n_env = j->rec->desc->n_env;
	lj.env = j->rec->desc->env;
	lj.has_kill_wait_secs = true;
	lj.kill_wait_secs = c->conf->kill_wait;
	rc = agent_send(c, n, SKY__MSG_TYPE__CTLD_LAUNCH_JOB, &lj.base, eb);
	free(script);
	if (!rc)
		log_debug("job %u: launch sent to %s (%zu byte script)", j->rec->job_id, n->name, len);
	return rc;
}
