/*
 * prov_aws_worker.c: the AWS provider's worker thread. Every EC2 call blocks
 * (aws_ec2.h), so none is made on the controller's thread: requests are
 * queued here and run one at a time, in order, which the controller relies
 * on (a DescribeInstances queued after a launch sees that launch). One EC2
 * client per region, created on first use and owned by this thread.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "prov_aws_int.h"
#include "wake_pipe.h"
#include "xalloc.h"

struct aws_region_client {
	char *region;
	struct aws_ec2 *ec2;
};

struct aws_worker {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct aws_req *req_head, *req_tail;
	struct aws_res *res_head, *res_tail;
	uint64_t next_seq;
	struct wake_pipe wake;          /* the worker pokes, the controller drains */
	/* Owned by the thread once started. */
	struct aws_creds *creds;
	char *image, *subnet, *iam_profile, *cluster;
	char **sgs;
	size_t n_sgs;
	char **regions;
	size_t n_regions;
	long backoff_base_ms;
	struct aws_region_client *clients;
	size_t n_clients;
};

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static char **dup_strv(char *const *v, size_t n)
{
	char **out = xcalloc(n + 1, sizeof(*out));

	for (size_t i = 0; i < n; i++)
		out[i] = v[i] ? xstrdup(v[i]) : NULL;
	return out;
}

void aws_req_free(struct aws_req *r)
{
	if (!r)
		return;
	free(r->region);
	free(r->zone);
	free(r->type);
	free_strv(r->nodes, r->n);
	free_strv(r->user_data, r->n);
	free_strv(r->ids, r->n);
	free(r);
}

void aws_res_free(struct aws_res *r)
{
	if (!r)
		return;
	free(r->region);
	free(r->zone);
	free(r->type);
	free_strv(r->nodes, r->n);
	free_strv(r->ids, r->n);
	free(r->reason);
	free_strv(r->list_regions, r->list.n);
	aws_instance_list_free(&r->list);
	free(r);
}

static struct aws_ec2 *client_for(struct aws_worker *w, const char *region, struct sky_errbuf *eb)
{
	struct aws_ec2_opts o = { 0 };
	struct aws_ec2 *ec2 = NULL;

	for (size_t i = 0; i < w->n_clients; i++)
		if (!strcmp(w->clients[i].region, region))
			return w->clients[i].ec2;
	o.region = region;
	o.backoff_base_ms = w->backoff_base_ms;
	if (aws_ec2_create(w->creds, &o, &ec2, eb))
		return NULL;
	w->clients = xrealloc(w->clients, (w->n_clients + 1) * sizeof(*w->clients));
	w->clients[w->n_clients].region = xstrdup(region);
	w->clients[w->n_clients++].ec2 = ec2;
	return ec2;
}

static void set_failure(struct aws_res *res, struct aws_ec2 *ec2, struct sky_errbuf *eb)
{
	res->failed = true;
	if (ec2) {
		res->err = *aws_ec2_last_error(ec2);
		res->reason = aws_error_reason(&res->err);
	}
	if (!res->reason || !*res->reason) {
		free(res->reason);
		res->reason = xstrdup(sky_err_msg(eb));
	}
}

static struct aws_res *res_of(const struct aws_req *r)
{
	struct aws_res *res = xcalloc(1, sizeof(*res));

	res->kind = r->kind;
	res->seq = r->seq;
	res->job_id = r->job_id;
	res->try_no = r->try_no;
	return res;
}

/* One RunInstances per node (each carries its own user-data and node tag);
 * the first failure stops the job's launch: the controller fails over. */
static struct aws_res *do_launch(struct aws_worker *w, struct aws_req *r)
{
	struct aws_res *res = res_of(r);
	struct sky_errbuf eb;
	struct aws_ec2 *ec2;
	char job[16];

	res->region = xstrdup(r->region);
	res->zone = r->zone ? xstrdup(r->zone) : NULL;
	res->type = xstrdup(r->type);
	res->spot = r->spot;
	res->off = r->off;
	res->price_u = r->price_u;
	res->n = r->n;
	res->nodes = dup_strv(r->nodes, r->n);
	res->ids = xcalloc(r->n + 1, sizeof(char *));
	snprintf(job, sizeof(job), "%u", r->job_id);
	sky_err_clear(&eb);
	if (!(ec2 = client_for(w, r->region, &eb))) {
		set_failure(res, NULL, &eb);
		return res;
	}
	for (size_t i = 0; i < r->n; i++) {
		struct aws_tag tags[3] = { { AWS_TAG_CLUSTER, w->cluster },
					   { AWS_TAG_NODE, r->nodes[i] },
					   { AWS_TAG_JOB, job } };
		struct aws_run_spec s = { 0 };
		struct aws_instance_list out = { 0 };

		s.instance_type = r->type;
		s.image_id = w->image;
		s.count = 1;
		s.zone = r->zone && *r->zone ? r->zone : NULL;
		s.subnet_id = w->subnet;
		s.security_groups = (const char *const *)w->sgs;
		s.n_security_groups = w->n_sgs;
		if (w->iam_profile && !strncmp(w->iam_profile, "arn:", 4))
			s.iam_profile_arn = w->iam_profile;
		else
			s.iam_profile_name = w->iam_profile;
		s.user_data = (const uint8_t *)r->user_data[i];
		s.user_data_len = strlen(r->user_data[i]);
		s.tags = tags;
		s.n_tags = r->job_id ? 3 : 2;
		s.spot = r->spot;
		if (aws_ec2_run_instances(ec2, &s, &out, &eb) || out.n < 1) {
			if (!eb.code)
				sky_err_set(&eb, SKY_E_IO, "RunInstances returned no instance");
			set_failure(res, ec2, &eb);
			aws_instance_list_free(&out);
			break;
		}
		res->ids[i] = xstrdup(out.v[0].id);
		res->elapsed_ms += aws_ec2_last_stats(ec2)->elapsed_ms;
		aws_instance_list_free(&out);
	}
	return res;
}

static struct aws_res *do_terminate(struct aws_worker *w, struct aws_req *r)
{
	struct aws_res *res = res_of(r);
	struct sky_errbuf eb;
	struct aws_ec2 *ec2;

	res->region = xstrdup(r->region);
	sky_err_clear(&eb);
	if (!(ec2 = client_for(w, r->region, &eb)) ||
	    aws_ec2_terminate_instances(ec2, (const char *const *)r->ids, r->n, NULL, &eb))
		set_failure(res, ec2, &eb);
	return res;
}

static struct aws_res *do_describe(struct aws_worker *w, struct aws_req *r)
{
	struct aws_res *res = res_of(r);
	const char *vals[1] = { w->cluster };
	struct aws_filter f = { "tag:" AWS_TAG_CLUSTER, vals, 1 };
	struct aws_describe_query q = { 0 };

	q.filters = &f;
	q.n_filters = 1;
	for (size_t k = 0; k < w->n_regions; k++) {
		struct aws_instance_list out = { 0 };
		struct sky_errbuf eb;
		struct aws_ec2 *ec2;

		sky_err_clear(&eb);
		if (!(ec2 = client_for(w, w->regions[k], &eb)) ||
		    aws_ec2_describe_instances(ec2, &q, &out, &eb)) {
			/* A partial picture would look like lost instances: report none. */
			set_failure(res, ec2, &eb);
			aws_instance_list_free(&out);
			return res;
		}
		res->list.v = xrealloc(res->list.v, (res->list.n + out.n + 1) * sizeof(*res->list.v));
		res->list_regions = xrealloc(res->list_regions,
					     (res->list.n + out.n + 1) * sizeof(char *));
		for (size_t i = 0; i < out.n; i++) {
			res->list_regions[res->list.n] = xstrdup(w->regions[k]);
			res->list.v[res->list.n++] = out.v[i];
		}
		free(out.v);
	}
	return res;
}

static void post(struct aws_worker *w, struct aws_res *res)
{
	pthread_mutex_lock(&w->mu);
	if (w->res_tail)
		w->res_tail->next = res;
	else
		w->res_head = res;
	w->res_tail = res;
	pthread_mutex_unlock(&w->mu);
	wake_pipe_poke(&w->wake, "aws worker");
}

static void *worker_main(void *arg)
{
	struct aws_worker *w = arg;

	for (;;) {
		struct aws_req *r;
		struct aws_res *res = NULL;

		pthread_mutex_lock(&w->mu);
		while (!w->req_head)
			pthread_cond_wait(&w->cv, &w->mu);
		r = w->req_head;
		w->req_head = r->next;
		if (!w->req_head)
			w->req_tail = NULL;
		pthread_mutex_unlock(&w->mu);
		if (r->kind == AWS_REQ_STOP) {
			aws_req_free(r);
			break;
		}
		if (r->kind == AWS_REQ_LAUNCH)
			res = do_launch(w, r);
		else if (r->kind == AWS_REQ_TERMINATE)
			res = do_terminate(w, r);
		else
			res = do_describe(w, r);
		aws_req_free(r);
		post(w, res);
	}
	return NULL;
}

int aws_worker_start(const struct aws_worker_cfg *cfg, struct aws_worker **out, int *wake_fd,
		     struct sky_errbuf *eb)
{
	struct aws_worker *w = xcalloc(1, sizeof(*w));
	int rc;

	if ((rc = wake_pipe_open(&w->wake, eb))) {
		free(w);
		return rc;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->creds = aws_creds_dup(cfg->creds);
	w->image = cfg->image ? xstrdup(cfg->image) : NULL;
	w->subnet = cfg->subnet ? xstrdup(cfg->subnet) : NULL;
	w->iam_profile = cfg->iam_profile ? xstrdup(cfg->iam_profile) : NULL;
	w->cluster = xstrdup(cfg->cluster);
	w->sgs = dup_strv(cfg->sgs, cfg->n_sgs);
	w->n_sgs = cfg->n_sgs;
	w->regions = dup_strv(cfg->regions, cfg->n_regions);
	w->n_regions = cfg->n_regions;
	w->backoff_base_ms = cfg->backoff_base_ms;
	w->next_seq = 1;
	if ((rc = pthread_create(&w->thread, NULL, worker_main, w))) {
		wake_pipe_close(&w->wake);
		aws_creds_free(w->creds);
		free(w);
		return sky_err_set(eb, SKY_E_IO, "aws worker: pthread_create: %s", strerror(rc));
	}
	*wake_fd = w->wake.rd;
	*out = w;
	return 0;
}

uint64_t aws_worker_push(struct aws_worker *w, struct aws_req *r)
{
	uint64_t seq;

	pthread_mutex_lock(&w->mu);
	seq = r->seq = w->next_seq++;
	r->next = NULL;
	if (w->req_tail)
		w->req_tail->next = r;
	else
		w->req_head = r;
	w->req_tail = r;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return seq;
}

struct aws_res *aws_worker_results(struct aws_worker *w)
{
	struct aws_res *head;

	wake_pipe_drain(&w->wake);
	pthread_mutex_lock(&w->mu);
	head = w->res_head;
	w->res_head = w->res_tail = NULL;
	pthread_mutex_unlock(&w->mu);
	return head;
}

void aws_worker_stop(struct aws_worker *w)
{
	struct aws_req *stop;
	struct aws_res *res;

	if (!w)
		return;
	/* Queued work is dropped: the stop goes first. */
	stop = xcalloc(1, sizeof(*stop));
	stop->kind = AWS_REQ_STOP;
	pthread_mutex_lock(&w->mu);
	while (w->req_head) {
		struct aws_req *r = w->req_head;
		w->req_head = r->next;
		aws_req_free(r);
	}
	w->req_head = w->req_tail = stop;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	while ((res = w->res_head)) {
		w->res_head = res->next;
		aws_res_free(res);
	}
	for (size_t i = 0; i < w->n_clients; i++) {
		aws_ec2_destroy(w->clients[i].ec2);
		free(w->clients[i].region);
	}
	free(w->clients);
	wake_pipe_close(&w->wake);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	aws_creds_free(w->creds);
	free(w->image);
	free(w->subnet);
	free(w->iam_profile);
	free(w->cluster);
	free_strv(w->sgs, w->n_sgs);
	free_strv(w->regions, w->n_regions);
	free(w);
}
