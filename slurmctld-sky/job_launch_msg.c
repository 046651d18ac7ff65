/*
 * job_launch_msg.c: what job_launch() hands an agent or a provider
 * (job_launch.h). Apart from job_launch.c because bench/sched_bench links
 * the daemon's objects without job_launch.o (it replaces job_launch()).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ctld.h"
#include "job_launch.h"
#include "provider.h"

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

int job_launch_msg_build(struct ctld *c, struct job *j, struct job_launch_msg *m,
			 struct sky_errbuf *eb)
{
	int rc;

	memset(m, 0, sizeof(*m));
	sky__launch_job__init(&m->lj);
	/* The environment travels once, in LaunchJob.env, not inside the record too. */
	m->rec = *j->rec;
	m->desc = *j->rec->desc;
	m->desc.n_env = 0;
	m->desc.env = NULL;
	m->rec.desc = &m->desc;
	m->lj.job_id = j->rec->job_id;
	m->lj.job = &m->rec;
	m->lj.n_env = j->rec->desc->n_env;
	m->lj.env = j->rec->desc->env;
	m->lj.has_kill_wait_secs = true;
	m->lj.kill_wait_secs = c->conf->kill_wait;
	if ((rc = read_script(c, j->rec->job_id, &m->script, &m->script_len, eb)))
		return rc;
	m->lj.script.data = m->script;
	m->lj.script.len = m->script_len;
	return 0;
}

void job_launch_msg_free(struct job_launch_msg *m)
{
	free(m->script);
	m->script = NULL;
	m->lj.script.data = NULL;
}

bool job_launch_by_provider(const struct node *n)
{
	return n && n->provider_run && n->prov && n->prov->ops->launch;
}
