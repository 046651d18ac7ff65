/*
 * scancel: cancel or signal jobs (slurm.md 3.4). Silent on success.
 *
 * With filters (-u, -n, -p, -t, -A, -q, -w) the job list is loaded and
 * filtered here, then the matching ids are sent; job ids and filters are
 * ANDed, as in Slurm.
 */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "array_fold.h"
#include "cli_util.h"
#include "fmt_job.h"
#include "hostlist.h"
#include "log.h"
#include "opt_control.h"
#include "scancel_confirm.h"
#include "state_names.h"
#include "xalloc.h"

struct scancel_params {
	uint32_t *ids;
	size_t n_ids;
	struct array_sel *sels;   /* the id arguments as given (array tasks), owned */
	size_t n_sels;
	uint32_t signal;          /* 0: cancel */
	uint32_t (*steps)[2];     /* "N.S" arguments: job id, step id; owned */
	size_t n_steps;
	bool batch, full, quiet, user_set, state_set, interactive;
	int verbose;
	uint32_t uid, state;
	char *name, *partition, *account, *qos, *nodelist, *user;   /* owned */
};

enum { OPT_ME = 0x100, OPT_HELP, OPT_USAGE };

static void help(void)
{
	printf("Usage: scancel [OPTIONS] [job_id[_array_id][.step_id]]\n"
	       "  -A, --account=account           act only on jobs charging this account\n"
	       "  -b, --batch                     signal batch shell for specified job\n"
	       "  -f, --full                      signal batch shell and all steps for specified job\n"
	       "      --me                        act only on jobs of the current user\n"
	       "  -n, --name=job_name             act only on jobs with this name\n"
	       "  -p, --partition=partition       act only on jobs in this partition\n"
	       "  -Q, --quiet                     disable warnings\n"
	       "  -q, --qos=qos                   act only on jobs with this quality of service\n"
	       "  -s, --signal=name | integer     signal to send to job, default is SIGKILL\n"
	       "  -t, --state=states              act only on jobs in this state.  Valid job\n"
	       "                                  states are PENDING, RUNNING and SUSPENDED\n"
	       "  -u, --user=user_name            act only on jobs of this user\n"
	       "  -V, --version                   output version information and exit\n"
	       "  -v, --verbose                   verbosity level\n"
	       "  -w, --nodelist                  act only on jobs on these nodes\n"
	       "\nHelp options:\n"
	       "  --help                          show this help message\n"
	       "  --usage                         display brief usage message\n");
}

static void usage(void)
{
	printf("Usage: scancel [-A account] [--batch] [--full] [-n job_name] [-p partition]\n"
	       "               [-Q] [-q qos] [-s signal | integer] [-t PENDING | RUNNING | SUSPENDED]\n"
	       "               [--usage] [-u user_name] [-V] [-v] [-w hosts...] [--me]\n"
	       "               [job_id[_array_id][.step_id]]\n");
}

static int set_state(struct scancel_params *p, const char *s, const char *env_name)
{
	if (!job_state_parse(s, &p->state)) {
		if (env_name)
			fprintf(stderr, "Unrecognized %s value: %s\n", env_name, s);
		else
			fprintf(stderr, "Invalid job state specified: %s\n", s);
		fprintf(stderr, "Valid job states are PENDING, RUNNING, and SUSPENDED\n");
		return 1;
	}
	p->state_set = true;
	return -1;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

static int apply_env(struct scancel_params *p)
{
	const char *v;

	if ((v = getenv("SCANCEL_ACCOUNT")))
		set_str(&p->account, v);
	if ((v = getenv("SCANCEL_BATCH")))
		p->batch = !strcasecmp(v, "true") || !strcasecmp(v, "T");
	if ((v = getenv("SCANCEL_FULL")))
		p->full = !strcasecmp(v, "true") || !strcasecmp(v, "T");
	if ((v = getenv("SCANCEL_NAME")))
		set_str(&p->name, v);
	if ((v = getenv("SCANCEL_PARTITION")))
		set_str(&p->partition, v);
	if ((v = getenv("SCANCEL_QOS")))
		set_str(&p->qos, v);
	if ((v = getenv("SCANCEL_USER")))
		set_str(&p->user, v);
	if ((v = getenv("SCANCEL_VERBOSE")))
		p->verbose = !strcasecmp(v, "true") || !strcasecmp(v, "T");
	if ((v = getenv("SCANCEL_STATE")))
		return set_state(p, v, "SCANCEL_STATE");
	return -1;
}

static const struct option long_opts[] = {
	{ "account", required_argument, NULL, 'A' },
	{ "batch", no_argument, NULL, 'b' },
	{ "full", no_argument, NULL, 'f' },
	{ "hurry", no_argument, NULL, 'H' },
	{ "interactive", no_argument, NULL, 'i' },
	{ "jobname", required_argument, NULL, 'n' },
	{ "name", required_argument, NULL, 'n' },
	{ "me", no_argument, NULL, OPT_ME },
	{ "nodelist", required_argument, NULL, 'w' },
	{ "partition", required_argument, NULL, 'p' },
	{ "qos", required_argument, NULL, 'q' },
	{ "quiet", no_argument, NULL, 'Q' },
	{ "signal", required_argument, NULL, 's' },
	{ "state", required_argument, NULL, 't' },
	{ "user", required_argument, NULL, 'u' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "usage", no_argument, NULL, OPT_USAGE },
	{ NULL, 0, NULL, 0 },
};

/* Returns -1 to go on, else the exit status. */
static int parse_opt(int c, struct scancel_params *p)
{
	char buf[32];

	switch (c) {
	case 'A': set_str(&p->account, optarg); break;
	case 'b': p->batch = true; break;
	case 'f': p->full = true; break;
	case 'H': break;
	case 'i': p->interactive = true; break;
	case 'n': set_str(&p->name, optarg); break;
	case OPT_ME:
		snprintf(buf, sizeof(buf), "%u", (unsigned)getuid());
		set_str(&p->user, buf);
		break;
	case 'w': set_str(&p->nodelist, optarg); break;
	case 'p': set_str(&p->partition, optarg); break;
	case 'q': set_str(&p->qos, optarg); break;
	case 'Q': p->quiet = true; break;
	case 's':
		if (!(p->signal = ctl_signal_num(optarg))) {
			fprintf(stderr, "Unknown job signal: %s\n", optarg);
			return 1;
		}
		break;
	case 't': return set_state(p, optarg, NULL);
	case 'u': set_str(&p->user, optarg); break;
	case 'v': p->verbose++; break;
	case 'V': cli_print_version(); return 0;
	case OPT_HELP: help(); return 0;
	case OPT_USAGE: usage(); return 0;
	default:
		fprintf(stderr, "Try \"scancel --help\" for more information\n");
		return 1;
	}
	return -1;
}

/* Positional ids; "1,2" counts as two. */
/* "N.S" (a job step, S a number): kept apart, it is signalled on its own. */
static bool parse_step(const char *item, struct scancel_params *p)
{
	unsigned long job, step;
	char *end;

	if (!isdigit((unsigned char)*item))
		return false;
	job = strtoul(item, &end, 10);
	if (*end != '.' || !isdigit((unsigned char)end[1]))
		return false;
	step = strtoul(end + 1, &end, 10);
	if (*end || !job || job > UINT32_MAX || step >= UINT32_MAX)
		return false;
	p->steps = xrealloc(p->steps, (p->n_steps + 1) * sizeof(*p->steps));
	p->steps[p->n_steps][0] = (uint32_t)job;
	p->steps[p->n_steps][1] = (uint32_t)step;
	p->n_steps++;
	return true;
}

static int parse_ids(int argc, char **argv, struct scancel_params *p)
{
	for (int i = optind; i < argc; i++) {
		char *copy = xstrdup(argv[i]), *item = copy;

		while (item) {
			char *comma = strchr(item, ',');
			struct array_sel sel;

			if (comma)
				*comma = '\0';
			if (parse_step(item, p)) {
				item = comma ? comma + 1 : NULL;
				continue;
			}
			if (!array_sel_parse(item, &sel)) {
				log_error("Invalid job id %s", item);
				free(copy);
				return 1;
			}
			p->sels = xrealloc(p->sels, (p->n_sels + 1) * sizeof(*p->sels));
			p->sels[p->n_sels++] = sel;
			p->ids = xrealloc(p->ids, (p->n_ids + 1) * sizeof(*p->ids));
			p->ids[p->n_ids++] = sel.id;
			item = comma ? comma + 1 : NULL;
		}
		free(copy);
	}
	return -1;
}

static bool has_filters(const struct scancel_params *p)
{
	return p->user || p->name || p->partition || p->account || p->qos || p->nodelist ||
	       p->state_set;
}

static int parse_args(int argc, char **argv, struct scancel_params *p)
{
	int c, ec;

	if ((ec = apply_env(p)) >= 0)
		return ec;
	while ((c = getopt_long(argc, argv, "A:bfHin:p:Qq:s:t:u:vVw:", long_opts, NULL)) != -1)
		if ((ec = parse_opt(c, p)) >= 0)
			return ec;
	if ((ec = parse_ids(argc, argv, p)) >= 0)
		return ec;
	if (p->user) {
		p->user_set = true;
		if (!cli_parse_uid(p->user, &p->uid)) {
			log_error("Invalid user name: %s", p->user);
			return 1;
		}
	}
	if (!p->n_ids && !p->n_steps && !has_filters(p)) {
		log_error("No job identification provided");
		return 1;
	}
	return -1;
}

/* Does the job run on any host of the -w expression? */
static bool on_nodes(const char *filter, const char *job_nodes)
{
	struct hostlist *want = NULL, *have = NULL;
	bool hit = false;

	if (!job_nodes || !*job_nodes)
		return false;
	if (hostlist_create(filter, &want, NULL) || hostlist_create(job_nodes, &have, NULL))
		goto out;
	for (size_t i = 0; i < hostlist_count(want) && !hit; i++)
		hit = hostlist_find(have, hostlist_nth(want, i)) >= 0;
out:
	hostlist_destroy(want);
	hostlist_destroy(have);
	return hit;
}

static bool job_selected(const struct scancel_params *p, const Sky__JobRecord *j)
{
	bool id_ok = !p->n_ids;

	for (size_t i = 0; i < p->n_ids && !id_ok; i++)
		id_ok = p->ids[i] == j->job_id;   /* array ids are resolved to tasks already */
	if (!id_ok || job_state_finished(j->state))
		return false;
	if (p->user_set && j->user_id != p->uid)
		return false;
	if (p->state_set && !job_state_matches(p->state, j->state, j->flags))
		return false;
	if (p->name && (!j->desc->name || strcmp(p->name, j->desc->name)))
		return false;
	if (p->partition && !cli_list_has(p->partition, job_partition(j) ? job_partition(j) : ""))
		return false;
	if (p->account && (!j->desc->account || strcasecmp(p->account, j->desc->account)))
		return false;
	if (p->qos && (!j->desc->qos || strcasecmp(p->qos, j->desc->qos)))
		return false;
	if (p->nodelist && !on_nodes(p->nodelist, j->node_list))
		return false;
	return true;
}

static void no_match_message(const struct scancel_params *p)
{
	char *m = NULL;

	if (p->account)
		xstrfmtcat(&m, "account=%s ", p->account);
	if (p->name)
		xstrfmtcat(&m, "job_name=%s ", p->name);
	if (p->nodelist)
		xstrfmtcat(&m, "nodelist=%s ", p->nodelist);
	if (p->partition)
		xstrfmtcat(&m, "partition=%s ", p->partition);
	if (p->qos)
		xstrfmtcat(&m, "qos=%s ", p->qos);
	if (p->state_set)
		xstrfmtcat(&m, "state=%s ", job_state_long(p->state, 0));
	if (p->user)
		xstrfmtcat(&m, "user_name=%s ", p->user);
	if (m)
		log_error("No active jobs match ALL job filters, including: %s", m);
	free(m);
}

/* Replace p->ids by the active jobs matching every filter. */
static int select_jobs(struct sky_client *c, struct scancel_params *p)
{
	Sky__JobInfoReply *r = NULL;
	struct sky_errbuf eb;
	uint32_t *sel;
	size_t n = 0;

	sky_err_clear(&eb);
	if (cli_load_jobs(c, NULL, 0, &r, &eb)) {
		log_error("slurm_load_jobs error: %s", cli_rpc_errtext(&eb));
		return 1;
	}
	sel = xcalloc(r->n_jobs + 1, sizeof(*sel));
	for (size_t i = 0; i < r->n_jobs; i++)
		if (job_selected(p, r->jobs[i]))
			sel[n++] = r->jobs[i]->job_id;
	sky__job_info_reply__free_unpacked(r, NULL);
	if (!n && p->verbose > 0)
		no_match_message(p);
	free(p->ids);
	p->ids = sel;
	p->n_ids = n;
	return 0;
}

/*
 * "N" of an array means its tasks, "N_M" one task: replace p->ids by job
 * ids. Without the job list (controller down) the ids go as given and the
 * controller's answer is reported. Returns 1 when a task was unknown.
 */
static int resolve_ids(struct sky_client *c, struct scancel_params *p)
{
	Sky__JobInfoReply *r = NULL;
	struct sky_errbuf eb;
	size_t bad = 0;

	sky_err_clear(&eb);
	if (cli_load_jobs(c, NULL, 0, &r, &eb))
		return 0;
	free(p->ids);
	array_sel_resolve(r, p->sels, p->n_sels, p->quiet, &p->ids, &p->n_ids, &bad);
	sky__job_info_reply__free_unpacked(r, NULL);
	return bad ? 1 : 0;
}

static int cancel(struct sky_client *c, const struct scancel_params *p)
{
	Sky__CancelRequest req = SKY__CANCEL_REQUEST__INIT;
	Sky__CancelReply *r = NULL;
	struct sky_errbuf eb;
	int ec = 0;

	req.n_job_ids = p->n_ids;
	req.job_ids = p->ids;
	req.has_signal = req.has_batch_only = req.has_full = true;
	req.signal = p->signal;
	req.batch_only = p->batch;
	req.full = p->full;
	for (size_t i = 0; i < p->n_ids && p->verbose > 0; i++) {
		if (p->signal)
			log_info("Signal %u to job %u", p->signal, p->ids[i]);
		else
			log_info("Terminating job %u", p->ids[i]);
	}
	sky_err_clear(&eb);
	if (sky_client_rpc(c, SKY__MSG_TYPE__REQUEST_CANCEL, &req.base, &sky__cancel_reply__descriptor,
			   (ProtobufCMessage **)&r, &eb)) {
		for (size_t i = 0; i < p->n_ids && !p->quiet; i++)
			log_error("Kill job error on job id %u: %s", p->ids[i], cli_rpc_errtext(&eb));
		return 1;
	}
	for (size_t i = 0; i < r->n_results; i++) {
		const Sky__CancelResult *res = r->results[i];
		int code = (int)res->rc;

		if (!code)
			continue;
		ec = 1;
		if (!p->quiet)
			log_error("Kill job error on job id %u: %s", res->job_id,
				  code < SKY_E__COUNT ? sky_strerror(code) :
				  res->message ? res->message : sky_strerror(code));
	}
	sky__cancel_reply__free_unpacked(r, NULL);
	return ec;
}

/* scancel N.S: the step alone (REQUEST_STEP_SIGNAL); the job runs on. */
static int cancel_steps(struct sky_client *c, const struct scancel_params *p)
{
	struct sky_errbuf eb;
	int ec = 0;

	for (size_t i = 0; i < p->n_steps; i++) {
		Sky__StepSignal q = SKY__STEP_SIGNAL__INIT;

		q.job_id = p->steps[i][0];
		q.step_id = p->steps[i][1];
		q.has_signal = true;
		q.signal = p->signal;
		if (p->verbose > 0)
			log_info("%s step %u.%u", p->signal ? "Signal to" : "Terminating",
				 q.job_id, q.step_id);
		sky_err_clear(&eb);
		if (sky_client_rpc(c, SKY__MSG_TYPE__REQUEST_STEP_SIGNAL, &q.base, NULL, NULL, &eb)) {
			ec = 1;
			if (!p->quiet)
				log_error("Kill job error on job step id %u.%u: %s", q.job_id,
					  q.step_id, cli_rpc_errtext(&eb));
		}
	}
	return ec;
}

static void params_free(struct scancel_params *p)
{
	for (size_t i = 0; i < p->n_sels; i++)
		array_sel_fini(&p->sels[i]);
	free(p->sels);
	free(p->ids);
	free(p->steps);
	free(p->name);
	free(p->partition);
	free(p->account);
	free(p->qos);
	free(p->nodelist);
	free(p->user);
}

int main(int argc, char **argv)
{
	struct scancel_params p = { 0 };
	struct sky_client *c = NULL;
	struct sky_errbuf eb;
	int ec;

	log_init(argv[0], LOG_LEVEL_INFO, NULL, false);
	if ((ec = parse_args(argc, argv, &p)) >= 0)
		goto out;
	if (p.quiet)
		log_set_level(LOG_LEVEL_ERROR);
	sky_err_clear(&eb);
	if (cli_open(&c, &eb)) {
		cli_error_lines(sky_err_msg(&eb));
		ec = 1;
		goto out;
	}
	ec = p.n_sels ? resolve_ids(c, &p) : 0;
	if (has_filters(&p) && select_jobs(c, &p)) {
		ec = 1;
		goto out;
	}
	if (p.n_ids && p.interactive)
		p.n_ids = scancel_confirm(c, p.ids, p.n_ids, p.signal, stdin);
	if (p.n_ids && cancel(c, &p))
		ec = 1;
	if (p.n_steps && cancel_steps(c, &p))
		ec = 1;
out:
	sky_client_close(c);
	params_free(&p);
	return ec;
}
