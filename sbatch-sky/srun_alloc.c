/* srun_alloc.c: see srun_alloc.h. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "env_export.h"
#include "srun_alloc.h"
#include "timefmt.h"
#include "xalloc.h"

extern char **environ;

#define ALLOC_SCRIPT "#!/bin/sh\n# srun allocation: the steps run from srun\n"

static char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return xstrdup(slash ? slash + 1 : path);
}

static int fill_limits(const struct srun_opts *o, Sky__JobDesc *d, struct sky_errbuf *eb)
{
	int rc;

	if (o->time_limit) {
		if ((rc = time_str2mins(o->time_limit, &d->time_limit_min, eb)))
			return sky_err_set(eb, SKY_E_INVAL, "Invalid time limit specification");
		d->has_time_limit_min = true;
	}
	if (o->mem) {
		if (mem_str2mb(o->mem, &d->mem_per_node_mb, eb))
			return sky_err_set(eb, SKY_E_INVAL, "invalid memory constraint %s", o->mem);
		d->has_mem_per_node_mb = d->has_mem_set = d->mem_set = true;
	}
	if (o->mem_per_cpu) {
		if (mem_str2mb(o->mem_per_cpu, &d->mem_per_cpu_mb, eb))
			return sky_err_set(eb, SKY_E_INVAL, "invalid memory constraint %s",
					   o->mem_per_cpu);
		d->has_mem_per_cpu_mb = true;
	}
	return 0;
}

static void fill_counts(const struct srun_opts *o, Sky__JobDesc *d)
{
	if (o->nodes) {
		d->has_min_nodes = true;
		d->min_nodes = o->nodes;
	}
	if (o->ntasks) {
		d->has_num_tasks = true;
		d->num_tasks = o->ntasks;
	}
	if (o->ntasks_per_node) {
		d->has_ntasks_per_node = true;
		d->ntasks_per_node = o->ntasks_per_node;
	}
	if (o->cpus_per_task) {
		d->has_cpus_per_task = true;
		d->cpus_per_task = o->cpus_per_task;
	}
	if (o->exclusive)
		d->has_exclusive = d->exclusive = true;
}

static int submit(struct sky_client *cl, const struct srun_opts *o, int argc, char **argv,
		  uint32_t *job_id, struct sky_errbuf *eb)
{
	Sky__SubmitRequest req = SKY__SUBMIT_REQUEST__INIT;
	Sky__JobDesc d = SKY__JOB_DESC__INIT;
	ProtobufCMessage *rep = NULL;
	char cwd[4096], host[256];
	size_t n_env = 0;
	int rc;

	if ((rc = fill_limits(o, &d, eb)))
		return rc;
	fill_counts(o, &d);
	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), "/tmp");
	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	d.name = o->job_name ? xstrdup(o->job_name) : base_name(o->argv[0]);
	d.partition = o->partition;
	d.account = o->account;
	d.constraint = o->constraint;
	d.req_nodes = o->nodelist;
	d.exc_nodes = o->exclude;
	d.gres = o->gres;
	d.gpus = o->gpus;
	d.gpus_per_task = o->gpus_per_task;
	d.gpus_per_node = o->gpus_per_node;
	d.work_dir = o->chdir ? o->chdir : cwd;
	d.submit_dir = cwd;
	d.submit_host = host;
	d.submit_line = cli_join_argv(argc, argv);
	d.command = o->argv[0];
	for (char **e = environ; *e; e++)
		n_env++;
	d.n_env = n_env;
	d.env = environ;
	d.has_alloc_only = d.alloc_only = true;
	d.has_script = true;
	d.script.data = (uint8_t *)ALLOC_SCRIPT;
	d.script.len = strlen(ALLOC_SCRIPT);
	req.desc = &d;
	rc = sky_client_rpc(cl, SKY__MSG_TYPE__REQUEST_SUBMIT_BATCH, &req.base,
			    &sky__submit_reply__descriptor, &rep, eb);
	if (!rc) {
		Sky__SubmitReply *sr = (Sky__SubmitReply *)rep;
		if (sr->rc)
			rc = sky_err_set(eb, (int)sr->rc, "%s",
					 sr->message && *sr->message ? sr->message
								     : sky_strerror((int)sr->rc));
		else
			*job_id = sr->job_id;
	}
	if (rep)
		protobuf_c_message_free_unpacked(rep, NULL);
	free(d.name);
	free(d.submit_line);
	return rc;
}

/* 1: running, 0: still pending, -1: gone (cancelled or failed). */
static int job_phase(struct sky_client *cl, uint32_t job_id)
{
	Sky__JobInfoReply *rep = NULL;
	struct sky_errbuf eb;
	int phase = 0;

	sky_err_clear(&eb);
	if (cli_load_jobs(cl, &job_id, 1, &rep, &eb))
		return 0;     /* the controller may be restarting: keep waiting */
	if (!rep->n_jobs)
		phase = -1;
	else if (rep->jobs[0]->state == SKY__JOB_STATE__JOB_RUNNING)
		phase = 1;
	else if (rep->jobs[0]->state != SKY__JOB_STATE__JOB_PENDING)
		phase = -1;
	sky__job_info_reply__free_unpacked(rep, NULL);
	return phase;
}

static bool interrupted(void)
{
	sigset_t pend;

	sigpending(&pend);
	return sigismember(&pend, SIGINT) || sigismember(&pend, SIGTERM);
}

int srun_alloc_get(struct sky_client *cl, const struct srun_opts *o, int argc, char **argv,
		   uint32_t *job_id)
{
	struct sky_errbuf eb;
	sigset_t set, old;
	bool said = false;
	int phase, wait_ms = 100;

	sky_err_clear(&eb);
	if (submit(cl, o, argc, argv, job_id, &eb)) {
		fprintf(stderr, "srun: error: Unable to allocate resources: %s\n", sky_err_msg(&eb));
		return 1;
	}
	/* Ctrl-C while waiting gives the request back. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &old);
	while ((phase = job_phase(cl, *job_id)) == 0) {
		if (!said && wait_ms >= 400) {
			if (!o->quiet)
				fprintf(stderr, "srun: job %u queued and waiting for resources\n",
					*job_id);
			said = true;
		}
		if (interrupted()) {
			srun_alloc_cancel(cl, *job_id);
			fprintf(stderr, "srun: Job allocation %u has been revoked\n", *job_id);
			sigprocmask(SIG_SETMASK, &old, NULL);
			return 1;
		}
		poll(NULL, 0, wait_ms);
		if (wait_ms < 1000)
			wait_ms *= 2;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (phase < 0) {
		fprintf(stderr, "srun: Job allocation %u has been revoked\n", *job_id);
		return 1;
	}
	if (said && !o->quiet)
		fprintf(stderr, "srun: job %u has been allocated resources\n", *job_id);
	return 0;
}

void srun_alloc_release(struct sky_client *cl, uint32_t job_id, int status)
{
	Sky__StepAllocComplete q = SKY__STEP_ALLOC_COMPLETE__INIT;
	struct sky_errbuf eb;

	q.job_id = job_id;
	q.has_exit_status = true;
	q.exit_status = status;
	/* A controller that is restarting gets a minute to come back. */
	for (int waited = 0, delay = 100;; waited += delay, delay = delay < 1000 ? delay * 2 : 1000) {
		sky_err_clear(&eb);
		if (!sky_client_rpc(cl, SKY__MSG_TYPE__REQUEST_ALLOC_COMPLETE, &q.base, NULL, NULL,
				    &eb))
			return;
		if ((eb.code != SKY_E_CONNECT && eb.code != SKY_E_IO && eb.code != SKY_E_TIMEOUT) ||
		    waited >= 60000)
			break;
		poll(NULL, 0, delay);
	}
	fprintf(stderr, "srun: error: Unable to release job %u: %s\n", job_id, cli_rpc_errtext(&eb));
}

void srun_alloc_cancel(struct sky_client *cl, uint32_t job_id)
{
	Sky__CancelRequest q = SKY__CANCEL_REQUEST__INIT;
	ProtobufCMessage *rep = NULL;
	struct sky_errbuf eb;

	q.n_job_ids = 1;
	q.job_ids = &job_id;
	sky_err_clear(&eb);
	if (!sky_client_rpc(cl, SKY__MSG_TYPE__REQUEST_CANCEL, &q.base,
			    &sky__cancel_reply__descriptor, &rep, &eb) && rep)
		protobuf_c_message_free_unpacked(rep, NULL);
}
