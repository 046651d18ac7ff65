/*
 * srun: run a parallel job step (issue 4; srun(1)).
 *
 * Inside an allocation (SLURM_JOB_ID or --jobid) srun listens for the
 * nodes' I/O connections, asks the controller for a step (which checks it
 * against the allocation and sends the launch to each node's agent), then
 * forwards output, input and signals until every task has ended, and exits
 * with the highest task exit code. Outside an allocation it first asks for
 * one (srun_alloc.h) and gives it back at the end.
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "env_export.h"
#include "hostlist.h"
#include "log.h"
#include "rpc_client.h"
#include "srun_alloc.h"
#include "srun_io.h"
#include "srun_opts.h"
#include "xalloc.h"

extern char **environ;

/* Every this many seconds srun checks that its job and step still run. */
#define CHECK_EVERY_SECS 5
/* After the controller says the step is over, output still in flight gets this long. */
#define DRAIN_SECS 2
/* How long srun keeps asking a controller that does not answer. */
#define CTLD_RETRY_MS 60000

struct srun_run {
	struct sky_client *cl;
	uint32_t job_id, step_id;
	unsigned ticks;
	unsigned over_ticks;
};

/* This host's address as the nodes should dial it (SLURM_LAUNCH_NODE_IPADDR). */
static char *launch_addr(void)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	char host[256], addr[64];

	if (gethostname(host, sizeof(host)) < 0)
		return xstrdup("127.0.0.1");
	host[sizeof(host) - 1] = '\0';
	if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res)
		return xstrdup("127.0.0.1");
	if (getnameinfo(res->ai_addr, res->ai_addrlen, addr, sizeof(addr), NULL, 0,
			NI_NUMERICHOST) != 0)
		snprintf(addr, sizeof(addr), "127.0.0.1");
	freeaddrinfo(res);
	return xstrdup(addr);
}

static bool step_over(struct srun_run *r)
{
	Sky__JobInfoReply *rep = NULL;
	struct sky_errbuf eb;
	bool over = false;

	sky_err_clear(&eb);
	if (cli_load_jobs(r->cl, &r->job_id, 1, &rep, &eb))
		return false;
	if (!rep->n_jobs) {
		over = true;
	} else {
		const Sky__JobRecord *j = rep->jobs[0];
		over = j->state != SKY__JOB_STATE__JOB_RUNNING;
		for (size_t i = 0; i < j->n_steps; i++)
			if (j->steps[i]->step_id == r->step_id &&
			    j->steps[i]->state != SKY__JOB_STATE__JOB_RUNNING)
				over = true;
	}
	sky__job_info_reply__free_unpacked(rep, NULL);
	return over;
}

static bool on_tick(void *arg)
{
	struct srun_run *r = arg;

	r->ticks++;
	if (r->over_ticks)
		return ++r->over_ticks > DRAIN_SECS;
	if (r->ticks % CHECK_EVERY_SECS == 0 && step_over(r))
		r->over_ticks = 1;
	return false;
}

static void on_abort(void *arg)
{
	struct srun_run *r = arg;
	Sky__StepSignal q = SKY__STEP_SIGNAL__INIT;
	struct sky_errbuf eb;

	q.job_id = r->job_id;
	q.step_id = r->step_id;
	q.has_signal = true;
	q.signal = 0;
	sky_err_clear(&eb);
	(void)sky_client_rpc(r->cl, SKY__MSG_TYPE__REQUEST_STEP_SIGNAL, &q.base, NULL, NULL, &eb);
}

static int build_env(const struct srun_opts *o, char ***env, size_t *n, struct sky_errbuf *eb)
{
	bool user_env = false;

	return env_export_build(o->export_env, environ, env, n, &user_env, eb);
}

static void fill_request(const struct srun_opts *o, Sky__StepCreateRequest *rq, char *cwd,
			 char *addr, struct srun_io *io)
{
	rq->job_id = o->job_id;
	rq->has_num_nodes = rq->has_num_tasks = true;
	rq->num_nodes = o->nodes;
	rq->num_tasks = o->ntasks;
	rq->has_ntasks_per_node = rq->has_cpus_per_task = true;
	rq->ntasks_per_node = o->ntasks_per_node;
	rq->cpus_per_task = o->cpus_per_task;
	rq->node_list = o->nodelist;
	rq->name = o->job_name;
	rq->n_argv = (size_t)o->argc;
	rq->argv = o->argv;
	rq->cwd = o->chdir ? o->chdir : cwd;
	rq->io_host = addr;
	rq->launch_host = addr;
	rq->has_io_port = true;
	rq->io_port = srun_io_port(io);
	rq->has_io_key = true;
	rq->io_key.data = (uint8_t *)srun_io_key(io);
	rq->io_key.len = STEP_IO_KEY_LEN;
	rq->std_out = o->std_out;
	rq->std_err = o->std_err;
	rq->std_in = o->std_in;
	rq->has_cpu_bind = true;
	rq->cpu_bind = (uint32_t)o->cpu_bind;
	rq->gpus_per_task = o->gpus_per_task;
	rq->has_overlap = true;
	rq->overlap = o->overlap;
}

/* The controller did not answer (it may be restarting). */
static bool controller_away(const struct sky_errbuf *eb)
{
	return eb->code == SKY_E_CONNECT || eb->code == SKY_E_IO || eb->code == SKY_E_TIMEOUT;
}

/* Slurm's words for a step that must wait for the CPUs other steps hold. */
static bool nodes_busy(const Sky__StepCreateReply *sr)
{
	return sr->rc == SKY_E_DISABLED && sr->message && strstr(sr->message, "busy");
}

/* Create the step, waiting while the allocation's CPUs are busy with other
 * steps; prints Slurm's error and returns non-zero when refused. */
static int create_step(struct sky_client *cl, Sky__StepCreateRequest *rq,
		       Sky__StepCreateReply **out)
{
	ProtobufCMessage *rep = NULL;
	Sky__StepCreateReply *sr;
	struct sky_errbuf eb;
	bool waited = false;
	int delay_ms = 100, retries = 0;

	*out = NULL;
again:
	sky_err_clear(&eb);
	if (sky_client_rpc(cl, SKY__MSG_TYPE__REQUEST_STEP_CREATE, &rq->base,
			   &sky__step_create_reply__descriptor, &rep, &eb)) {
		/* A controller restarting: ask again for a while, as Slurm's srun does. */
		if (controller_away(&eb) && (retries += delay_ms) < CTLD_RETRY_MS) {
			poll(NULL, 0, delay_ms);
			delay_ms = delay_ms < 1000 ? delay_ms * 2 : 1000;
			goto again;
		}
		fprintf(stderr, "srun: error: Unable to create step for job %u: %s\n", rq->job_id,
			cli_rpc_errtext(&eb));
		return 1;
	}
	sr = (Sky__StepCreateReply *)rep;
	if (nodes_busy(sr)) {
		if (!waited)
			fprintf(stderr, "srun: Job %u step creation temporarily disabled, retrying (%s)\n",
				rq->job_id, sr->message);
		waited = true;
		sky__step_create_reply__free_unpacked(sr, NULL);
		poll(NULL, 0, delay_ms);
		delay_ms = delay_ms < 1000 ? delay_ms * 2 : 1000;
		goto again;
	}
	if (waited && !sr->rc && sr->step)
		fprintf(stderr, "srun: Step created for StepId=%u.%u\n", rq->job_id, sr->step_id);
	if (sr->rc || !sr->step) {
		const char *msg = sr->message && *sr->message ? sr->message
							       : sky_strerror((int)sr->rc);
		if (sr->rc == SKY_E_NODE_COUNT && strstr(msg, "Only allocated")) {
			fprintf(stderr, "srun: error: %s\n", msg);
		} else if (sr->rc == SKY_E_INVALID_JOB_ID) {
			/* Slurm's srun confirms the allocation first. */
			fprintf(stderr, "srun: error: Unable to confirm allocation for job %u: %s\n",
				rq->job_id, msg);
			fprintf(stderr, "srun: Check SLURM_JOB_ID environment variable. Expired or invalid job %u\n",
				rq->job_id);
		} else {
			fprintf(stderr, "srun: error: Unable to create step for job %u: %s\n",
				rq->job_id, msg);
		}
		sky__step_create_reply__free_unpacked(sr, NULL);
		return 1;
	}
	*out = sr;
	return 0;
}

static int run_step(struct sky_client *cl, struct srun_opts *o, int *worst)
{
	Sky__StepCreateRequest rq = SKY__STEP_CREATE_REQUEST__INIT;
	Sky__StepCreateReply *sr = NULL;
	struct srun_io *io = NULL;
	struct srun_run run = { .cl = cl, .job_id = o->job_id };
	struct srun_io_hooks hooks = { .arg = &run, .tick = on_tick, .abort = on_abort };
	struct sky_errbuf eb;
	char cwd[4096], *addr = launch_addr(), **env = NULL, **names = NULL;
	size_t n_env = 0, n_names = 0;
	int code = 1;

	sky_err_clear(&eb);
	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), "/tmp");
	if (build_env(o, &env, &n_env, &eb) || srun_io_listen(&io, &eb)) {
		fprintf(stderr, "srun: error: %s\n", sky_err_msg(&eb));
		goto out;
	}
	fill_request(o, &rq, cwd, addr, io);
	rq.n_env = n_env;
	rq.env = env;
	if (create_step(cl, &rq, &sr))
		goto out;
	run.step_id = sr->step_id;
	if (hostlist_expand(sr->step->node_list, &names, &n_names, &eb)) {
		fprintf(stderr, "srun: error: %s\n", sky_err_msg(&eb));
		goto out;
	}
	if (o->verbose)
		fprintf(stderr, "srun: launching StepId=%u.%u on host%s %s, %u tasks\n", o->job_id,
			sr->step_id, n_names > 1 ? "s" : "", sr->step->node_list,
			sr->step->num_tasks);
	if (o->unbuffered)
		srun_io_set_unbuffered(io);
	srun_io_set_step(io, o->job_id, sr->step_id, sr->step->num_tasks, names, n_names, o->label,
			 o->kill_on_bad_exit > 0, !o->std_in);
	code = srun_io_run(io, &hooks);
	*worst = srun_io_worst_status(io);
out:
	if (sr)
		sky__step_create_reply__free_unpacked(sr, NULL);
	for (size_t i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	srun_io_free(io);
	env_free(env, n_env);
	free(addr);
	return code;
}

int main(int argc, char **argv)
{
	struct srun_opts o;
	struct sky_client *cl = NULL;
	struct sky_errbuf eb;
	bool exit_now = false, own_alloc = false;
	int code, worst = 1 << 8;

	log_init(argv[0], LOG_LEVEL_WARN, NULL, false);
	sky_err_clear(&eb);
	if (srun_opts_parse(argc, argv, environ, &o, &exit_now, &eb)) {
		fprintf(stderr, "srun: error: %s\n", sky_err_msg(&eb));
		srun_opts_free(&o);
		return 1;
	}
	if (exit_now) {
		srun_opts_free(&o);
		return 0;
	}
	if (cli_open(&cl, &eb)) {
		fprintf(stderr, "srun: error: %s\n", sky_err_msg(&eb));
		srun_opts_free(&o);
		return 1;
	}
	if (o.nodes && o.ntasks && o.ntasks < o.nodes) {
		fprintf(stderr, "srun: Warning: can't run %u processes on %u nodes, setting nnodes to %u\n",
			o.ntasks, o.nodes, o.ntasks);
		o.nodes = o.ntasks;
	}
	if (!o.job_id) {
		if ((code = srun_alloc_get(cl, &o, argc, argv, &o.job_id)))
			goto out;
		own_alloc = true;
	}
	code = run_step(cl, &o, &worst);
	if (own_alloc)
		srun_alloc_release(cl, o.job_id, worst);
out:
	sky_client_close(cl);
	srun_opts_free(&o);
	return code;
}
