/*
 * sprio: the factors of pending jobs' multifactor priorities (slurm.md
 * section 7), as the controller computes them.
 *
 *   sprio [-l] [-n] [-h] [-w] [-j jobs] [-u users]
 *
 * Columns as Slurm 22.05's default formats:
 *   "%.15i %9r %.10Y %.10S %.10A %.10F %.10J %.10P %.10Q %.20T"
 *   -l: "%.15i %9r %.8u %.10Y %.10S %.10A %.10F %.10J %.10P %.10Q %.6N %.20T"
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "log.h"
#include "xalloc.h"

struct sprio_opts {
	bool lng, norm, noheader, weights;
	const char *jobs, *users;
};

static void put_s(const char *s, int w, bool left, bool last)
{
	if (left)
		printf("%-*.*s", w, w, s ? s : "");
	else
		printf("%*.*s", w, w, s ? s : "");
	if (!last)
		putchar(' ');
}

/* A weighted value as sprio prints it: rounded, or 7 decimals for -n. */
static void put_d(double v, int w, bool norm)
{
	char buf[64];

	snprintf(buf, sizeof(buf), norm ? "%.7f" : "%.0f", v);
	put_s(buf, w, false, false);
}

static void header(const struct sprio_opts *o)
{
	put_s("JOBID", 15, false, false);
	put_s("PARTITION", 9, true, false);
	if (o->lng)
		put_s("USER", 8, false, false);
	put_s("PRIORITY", 10, false, false);
	put_s("SITE", 10, false, false);
	put_s("AGE", 10, false, false);
	put_s("FAIRSHARE", 10, false, false);
	put_s("JOBSIZE", 10, false, false);
	put_s("PARTITION", 10, false, false);
	put_s("QOS", 10, false, false);
	if (o->lng)
		put_s("NICE", 6, false, false);
	put_s("TRES", 20, false, true);
	putchar('\n');
}

static void weights(const struct sprio_opts *o, const Sky__PrioInfoReply *r)
{
	char buf[32];

	put_s("Weights", 15, false, false);
	put_s("", 9, true, false);
	if (o->lng)
		put_s("", 8, false, false);
	put_s("", 10, false, false);
#define W(v) snprintf(buf, sizeof(buf), "%u", (unsigned)(v)); put_s(buf, 10, false, false)
	W(1);
	W(r->w_age);
	W(r->w_fs);
	W(r->w_js);
	W(r->w_part);
	W(r->w_qos);
#undef W
	if (o->lng)
		put_s("", 6, false, false);
	put_s(r->w_tres ? r->w_tres : "", 20, false, true);
	putchar('\n');
}

static bool job_wanted(const struct sprio_opts *o, const Sky__PrioJob *j)
{
	char id[16];

	snprintf(id, sizeof(id), "%u", j->job_id);
	if (o->jobs && !cli_list_has(o->jobs, id))
		return false;
	return !o->users || cli_list_has(o->users, j->user ? j->user : "");
}

static void row(const struct sprio_opts *o, const Sky__PrioJob *j)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%u", j->job_id);
	put_s(buf, 15, false, false);
	put_s(j->partition, 9, true, false);
	if (o->lng)
		put_s(j->user, 8, false, false);
	snprintf(buf, sizeof(buf), "%u", j->priority);
	put_s(buf, 10, false, false);
	put_d((double)j->site, 10, false);
	put_d(o->norm ? j->n_age : j->age, 10, o->norm);
	put_d(o->norm ? j->n_fairshare : j->fairshare, 10, o->norm);
	put_d(o->norm ? j->n_jobsize : j->jobsize, 10, o->norm);
	put_d(o->norm ? j->n_part : j->part, 10, o->norm);
	put_d(o->norm ? j->n_qos : j->qos, 10, o->norm);
	if (o->lng) {
		snprintf(buf, sizeof(buf), "%lld", (long long)j->nice);
		put_s(buf, 6, false, false);
	}
	put_s(j->tres ? j->tres : "", 20, false, true);
	putchar('\n');
}

static int by_id(const void *a, const void *b)
{
	const Sky__PrioJob *x = *(Sky__PrioJob *const *)a, *y = *(Sky__PrioJob *const *)b;

	return x->job_id < y->job_id ? -1 : x->job_id > y->job_id;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "long", no_argument, NULL, 'l' },
		{ "norm", no_argument, NULL, 'n' },
		{ "noheader", no_argument, NULL, 'h' },
		{ "weights", no_argument, NULL, 'w' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "user", required_argument, NULL, 'u' },
		{ "usage", no_argument, NULL, 'U' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct sprio_opts o = { 0 };
	struct sky_client *c = NULL;
	ProtobufCMessage *m = NULL;
	Sky__PrioInfoReply *r;
	struct sky_errbuf eb;
	int ch, rc;

	log_init(argv[0], LOG_LEVEL_WARN, NULL, false);
	while ((ch = getopt_long(argc, argv, "lnhwj:u:UVv", opts, NULL)) != -1) {
		switch (ch) {
		case 'l': o.lng = true; break;
		case 'n': o.norm = true; break;
		case 'h': o.noheader = true; break;
		case 'w': o.weights = true; break;
		case 'j': o.jobs = optarg; break;
		case 'u': o.users = optarg; break;
		case 'v': break;
		case 'U':
			printf("Usage: sprio [-j jid[s]] [-u user_name[s]] [-o format] [-p partitions]\n"
			       "     [--usage] [-h] [-l] [-n] [-v] [-V] [-w]\n");
			return 0;
		case 'V': cli_print_version(); return 0;
		default: return 1;
		}
	}
	sky_err_clear(&eb);
	if ((rc = cli_open(&c, &eb)) == 0)
		rc = sky_client_rpc(c, SKY__MSG_TYPE__REQUEST_PRIO_INFO, NULL,
				    &sky__prio_info_reply__descriptor, &m, &eb);
	sky_client_close(c);
	if (rc) {
		log_error("Unable to retrieve priority information: %s", cli_rpc_errtext(&eb));
		return 1;
	}
	r = (Sky__PrioInfoReply *)m;
	if (!r->multifactor) {
		log_error("You are not running a supported priority plugin\n(priority/basic).\n"
			  "Only 'priority/multifactor' is supported.");
		sky__prio_info_reply__free_unpacked(r, NULL);
		return 1;
	}
	if (!o.noheader)
		header(&o);
	if (o.weights) {
		weights(&o, r);
	} else {
		if (r->n_jobs)
			qsort(r->jobs, r->n_jobs, sizeof(*r->jobs), by_id);
		for (size_t i = 0; i < r->n_jobs; i++)
			if (job_wanted(&o, r->jobs[i]))
				row(&o, r->jobs[i]);
	}
	sky__prio_info_reply__free_unpacked(r, NULL);
	return 0;
}
