/*
 * squeue: list jobs (slurm.md 3.1). Filters are applied here, on the full
 * job list the controller returns; output goes through fmt_job.c.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "array_fold.h"
#include "cli_util.h"
#include "fmt_job.h"
#include "job_sel.h"
#include "json_out.h"
#include "log.h"
#include "squeue_fields.h"
#include "state_names.h"
#include "xalloc.h"

struct u32_list {
	uint32_t *v;
	size_t n;
};

struct squeue_params {
	bool no_header, long_fmt, all_states, json;
	bool array_rows;          /* -r: one row per array task */
	int verbose;
	char *format;             /* owned */
	char *sort;               /* owned */
	struct u32_list jobs, users, states;
	struct job_sel_list sels;  /* -j, array tasks included (job_sel.h) */
	char *partitions, *names, *accounts, *qos;   /* comma lists, owned */
	char *oformat;            /* -O / SQUEUE_FORMAT2, owned (squeue_fields.h) */
	char *nodelist;           /* -w hostlist, owned */
	bool start;               /* --start */
	int iterate;              /* -i seconds, 0: once */
};

enum { OPT_ME = 0x100, OPT_HELP, OPT_USAGE, OPT_JSON, OPT_YAML, OPT_START };

static void u32_push(struct u32_list *l, uint32_t v)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = v;
}

static bool u32_has(const struct u32_list *l, uint32_t v)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == v)
			return true;
	return false;
}

/* Split a comma list, calling fn on each item; stops at the first failure. */
static bool for_each_item(const char *list, bool (*fn)(const char *, struct squeue_params *),
			  struct squeue_params *p)
{
	char *copy = xstrdup(list), *item = copy;
	bool ok = true;

	while (ok && item) {
		char *comma = strchr(item, ',');
		if (comma)
			*comma = '\0';
		if (*item)
			ok = fn(item, p);
		item = comma ? comma + 1 : NULL;
	}
	free(copy);
	return ok;
}

/* -j list: "N", "N_M", "N_[expr]" (commas inside brackets do not split). */
static bool add_jobs(const char *list, struct squeue_params *p)
{
	size_t from = p->sels.n;
	char *bad = NULL;

	if (!job_sel_add(&p->sels, list, &bad)) {
		log_error("Invalid job id: %s", bad);
		free(bad);
		return false;
	}
	for (size_t i = from; i < p->sels.n; i++)
		u32_push(&p->jobs, p->sels.v[i].job_id);
	return true;
}

static bool add_user(const char *s, struct squeue_params *p)
{
	uint32_t uid;

	if (!cli_parse_uid(s, &uid)) {
		log_error("Invalid user: %s", s);
		return false;
	}
	u32_push(&p->users, uid);
	return true;
}

static bool add_state(const char *s, struct squeue_params *p)
{
	uint32_t code;

	if (!strcasecmp(s, "all")) {
		p->all_states = true;
		return true;
	}
	if (!job_state_parse(s, &code)) {
		log_error("Invalid job state specified: %s", s);
		return false;
	}
	u32_push(&p->states, code);
	return true;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

static void usage(FILE *fp)
{
	fprintf(fp, "Usage: squeue [-A account] [--clusters names] [-i seconds] [--job jobid]\n"
		    "              [-n name] [-o format] [-p partitions] [--qos qos]\n"
		    "              [--reservation reservation] [--sort fields] [--start]\n"
		    "              [--step step_id] [-t states] [-u user_name] [--usage]\n"
		    "              [-L licenses] [-w nodes] [--federation] [--local] [--sibling]\n"
		    "              [--me] [-ahjlrsv]\n");
}

static void help(void)
{
	printf("Usage: squeue [OPTIONS]\n"
	       "  -A, --account=account(s)        comma separated list of accounts\n"
	       "                                  to view, default is all accounts\n"
	       "  -a, --all                       display jobs in hidden partitions\n"
	       "  -h, --noheader                  no headers on output\n"
	       "  -j, --jobs=job(s)               comma separated list of jobs IDs\n"
	       "                                  to view, default is all\n"
	       "  -l, --long                      long report\n"
	       "      --me                        equivalent to --user=<my username>\n"
	       "  -n, --name=job_name(s)          comma separated list of job names to view\n"
	       "  -o, --format=format             format specification\n"
	       "  -p, --partition=partition(s)    comma separated list of partitions\n"
	       "                                  to view, default is all partitions\n"
	       "  -q, --qos=qos(s)                comma separated list of qos's\n"
	       "                                  to view, default is all qos's\n"
	       "  -S, --sort=fields               comma separated list of fields to sort on\n"
	       "  -t, --states=states             comma separated list of states to view,\n"
	       "                                  default is pending and running,\n"
	       "                                  '--states=all' reports all states\n"
	       "  -u, --user=user_name(s)         comma separated list of users to view\n"
	       "  -v, --verbose                   verbosity level\n"
	       "  -V, --version                   output version information and exit\n"
	       "\nHelp options:\n"
	       "  --help                          show this help message\n"
	       "  --usage                         display a brief summary of squeue options\n");
}

/* Environment first, so the command line overrides it. */
static bool apply_env(struct squeue_params *p)
{
	const char *v;

	if ((v = getenv("SQUEUE_FORMAT2")))
		set_str(&p->oformat, v);
	if ((v = getenv("SQUEUE_FORMAT")))
		set_str(&p->format, v);
	if (getenv("SQUEUE_ARRAY"))
		p->array_rows = true;
	if ((v = getenv("SQUEUE_SORT")))
		set_str(&p->sort, v);
	if ((v = getenv("SQUEUE_PARTITION")))
		set_str(&p->partitions, v);
	if ((v = getenv("SQUEUE_ACCOUNT")))
		set_str(&p->accounts, v);
	if ((v = getenv("SQUEUE_STATES")) && !for_each_item(v, add_state, p))
		return false;
	if ((v = getenv("SQUEUE_USERS")) && !for_each_item(v, add_user, p))
		return false;
	return true;
}

static const struct option long_opts[] = {
	{ "account", required_argument, NULL, 'A' },
	{ "accounts", required_argument, NULL, 'A' },
	{ "all", no_argument, NULL, 'a' },
	{ "array", no_argument, NULL, 'r' },
	{ "noheader", no_argument, NULL, 'h' },
	{ "jobs", optional_argument, NULL, 'j' },
	{ "job", optional_argument, NULL, 'j' },
	{ "long", no_argument, NULL, 'l' },
	{ "me", no_argument, NULL, OPT_ME },
	{ "name", required_argument, NULL, 'n' },
	{ "format", required_argument, NULL, 'o' },
	{ "Format", required_argument, NULL, 'O' },
	{ "iterate", required_argument, NULL, 'i' },
	{ "nodelist", required_argument, NULL, 'w' },
	{ "start", no_argument, NULL, OPT_START },
	{ "partition", required_argument, NULL, 'p' },
	{ "partitions", required_argument, NULL, 'p' },
	{ "qos", required_argument, NULL, 'q' },
	{ "sort", required_argument, NULL, 'S' },
	{ "states", required_argument, NULL, 't' },
	{ "state", required_argument, NULL, 't' },
	{ "user", required_argument, NULL, 'u' },
	{ "users", required_argument, NULL, 'u' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "usage", no_argument, NULL, OPT_USAGE },
	{ "json", optional_argument, NULL, OPT_JSON },
	{ "yaml", optional_argument, NULL, OPT_YAML },
	{ NULL, 0, NULL, 0 },
};

/* Returns -1 to go on, else the exit status. */
static int parse_opt(int c, struct squeue_params *p)
{
	switch (c) {
	case 'A': set_str(&p->accounts, optarg); break;
	case 'a': break;
	case 'r': p->array_rows = true; break;
	case 'h': p->no_header = true; break;
	case 'j':
		/* Without "=" the ids come as the next argument (see parse_args). */
		if (optarg && !add_jobs(optarg, p))
			return 1;
		break;
	case 'l': p->long_fmt = true; break;
	case OPT_ME: u32_push(&p->users, (uint32_t)getuid()); break;
	case 'n': set_str(&p->names, optarg); break;
	case 'o': set_str(&p->format, optarg); FREE_NULL(p->oformat); break;
	case 'O': set_str(&p->oformat, optarg); FREE_NULL(p->format); break;
	case 'w': set_str(&p->nodelist, optarg); break;
	case OPT_START: p->start = true; break;
	case 'i':
		if ((p->iterate = atoi(optarg)) <= 0) {
			log_error("Error: --iterate period must be a positive integer");
			return 1;
		}
		break;
	case 'p': set_str(&p->partitions, optarg); break;
	case 'q': set_str(&p->qos, optarg); break;
	case 'S': set_str(&p->sort, optarg); break;
	case 't': return for_each_item(optarg, add_state, p) ? -1 : 1;
	case 'u': return for_each_item(optarg, add_user, p) ? -1 : 1;
	case 'v': p->verbose++; break;
	case 'V': cli_print_version(); return 0;
	case OPT_HELP: help(); return 0;
	case OPT_USAGE: usage(stdout); return 0;
	case OPT_JSON: p->json = true; break;
	case OPT_YAML:
		log_error("--yaml output is not supported; use --json");
		return 1;
	default:
		fprintf(stderr, "Try \"squeue --help\" for more information\n");
		return 1;
	}
	return -1;
}

static int parse_args(int argc, char **argv, struct squeue_params *p)
{
	int c, ec;

	if (!apply_env(p))
		return 1;
	while ((c = getopt_long(argc, argv, "A:ahi:j::ln:o:O:p:q:rS:t:u:vVw:", long_opts, NULL)) != -1)
		if ((ec = parse_opt(c, p)) >= 0)
			return ec;
	/* "-j 12" with a space: the ids come as the next argument, like Slurm's squeue. */
	if (optind < argc && !p->jobs.n && !add_jobs(argv[optind++], p))
		return 1;
	if (optind < argc) {
		log_error("Unrecognized option: %s", argv[optind]);
		usage(stderr);
		return 1;
	}
	return -1;
}

static bool item_match(const char *list, const char *value)
{
	return !list || (value && cli_list_has(list, value));
}

/* A job's partition may itself be a list (pending on several). */
static bool partition_match(const char *list, const char *part)
{
	bool hit = false;
	char *copy, *item;

	if (!list)
		return true;
	if (!part)
		return false;
	copy = xstrdup(part);
	for (item = copy; item && !hit;) {
		char *comma = strchr(item, ',');
		if (comma)
			*comma = '\0';
		hit = cli_list_has(list, item);
		item = comma ? comma + 1 : NULL;
	}
	free(copy);
	return hit;
}

static bool state_match(const struct squeue_params *p, const Sky__JobRecord *j)
{
	if (p->all_states)
		return true;
	if (!p->states.n && p->start)
		return j->state == SKY__JOB_STATE__JOB_PENDING;
	if (!p->states.n)
		return p->jobs.n ? true : job_state_active(j->state, j->flags);
	for (size_t i = 0; i < p->states.n; i++)
		if (job_state_matches(p->states.v[i], j->state, j->flags))
			return true;
	return false;
}

static bool job_match(const struct squeue_params *p, const Sky__JobRecord *j)
{
	if (!job_sel_match(&p->sels, j))
		return false;
	if (p->users.n && !u32_has(&p->users, j->user_id))
		return false;
	if (p->nodelist && !squeue_nodes_match(p->nodelist, j))
		return false;
	return state_match(p, j) && partition_match(p->partitions, job_partition(j)) &&
	       item_match(p->names, j->desc->name) && item_match(p->accounts, j->desc->account) &&
	       item_match(p->qos, j->desc->qos);
}

/* ---- sorting (-S, default "P,t,-p") ---- */

static const char *sort_keys;
static time_t sort_now;

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_key(char k, const Sky__JobRecord *a, const Sky__JobRecord *b)
{
	char ua[256], ub[256];

	switch (k) {
	case 'P': return cmp_str(job_partition(a), job_partition(b));
	case 't': return cmp_str(job_state_compact(a->state, a->flags), job_state_compact(b->state, b->flags));
	case 'T': return cmp_str(job_state_long(a->state, a->flags), job_state_long(b->state, b->flags));
	case 'p': case 'Q': return cmp_u64(a->priority, b->priority);
	case 'i': return cmp_u64(a->job_id, b->job_id);
	case 'j': return cmp_str(a->desc->name, b->desc->name);
	case 'u': return cmp_str(job_user(a, ua, sizeof(ua)), job_user(b, ub, sizeof(ub)));
	case 'U': return cmp_u64(a->user_id, b->user_id);
	case 'M': return cmp_u64((uint64_t)job_time_used(a, sort_now), (uint64_t)job_time_used(b, sort_now));
	case 'l': return cmp_u64(a->time_limit_min, b->time_limit_min);
	case 'V': return cmp_u64(a->submit_time, b->submit_time);
	case 'S': return cmp_u64(fmt_job_start_time(a), fmt_job_start_time(b));
	case 'e': return cmp_u64(a->end_time, b->end_time);
	case 'D': return cmp_u64(a->num_nodes, b->num_nodes);
	case 'C': return cmp_u64(a->num_cpus, b->num_cpus);
	default: return 0;
	}
}

static int cmp_jobs(const void *x, const void *y)
{
	const Sky__JobRecord *a = *(Sky__JobRecord *const *)x, *b = *(Sky__JobRecord *const *)y;
	bool rev = false;

	for (const char *k = sort_keys; *k; k++) {
		int d;
		if (*k == ',' || *k == '+')
			continue;
		if (*k == '-') {
			rev = true;
			continue;
		}
		d = cmp_key(*k, a, b);
		if (d)
			return rev ? -d : d;
		rev = false;
	}
	return cmp_u64(a->job_id, b->job_id);
}

static bool sort_valid(const char *keys)
{
	for (const char *k = keys; *k; k++) {
		if (strchr(",+-", *k))
			continue;
		if (!strchr("PtTpQijuUMlVSeDC", *k)) {
			log_error("Invalid sort specification: %c", *k);
			return false;
		}
	}
	return true;
}

static int load(const struct squeue_params *p, Sky__JobInfoReply **r)
{
	struct sky_client *c = NULL;
	struct sky_errbuf eb;
	int rc;

	sky_err_clear(&eb);
	if ((rc = cli_open(&c, &eb)) == 0)
		rc = cli_load_jobs(c, p->jobs.n == 1 ? p->jobs.v : NULL, p->jobs.n == 1 ? 1 : 0, r, &eb);
	sky_client_close(c);
	if (!rc && p->jobs.n == 1) {
		bool found = false;
		for (size_t i = 0; i < (*r)->n_jobs; i++)
			found |= (*r)->jobs[i]->job_id == p->jobs.v[0] ||
				 (*r)->jobs[i]->array_job_id == p->jobs.v[0];
		if (!found)
			rc = sky_err_set(&eb, SKY_E_INVALID_JOB_ID, "%s",
					 sky_strerror(SKY_E_INVALID_JOB_ID));
	}
	if (rc) {
		if (*r)
			sky__job_info_reply__free_unpacked(*r, NULL);
		*r = NULL;
		fprintf(stderr, "slurm_load_jobs error: %s\n",
			rc == SKY_E_INVALID_JOB_ID ? sky_strerror(rc) : cli_rpc_errtext(&eb));
		return 1;
	}
	return 0;
}

static int print_jobs(const struct squeue_params *p, const Sky__JobInfoReply *r)
{
	struct fmt_spec spec;
	struct squeue_oform of = { 0 };
	struct sky_errbuf eb;
	Sky__JobRecord **list = xcalloc(r->n_jobs + 1, sizeof(*list));
	size_t n = 0;
	time_t now = time(NULL);
	const char *format = p->format ? p->format : p->start ? SQUEUE_FMT_START :
			     p->long_fmt ? SQUEUE_FMT_LONG : SQUEUE_FMT_DEFAULT;

	sky_err_clear(&eb);
	memset(&spec, 0, sizeof(spec));
	if (p->oformat && !p->format ? squeue_oform_parse(p->oformat, &of, &eb) :
	    fmt_parse(format, job_fmt_codes(), "job", &spec, &eb)) {
		log_error("%s", sky_err_msg(&eb));
		free(list);
		return 1;
	}
	for (size_t i = 0; i < r->n_jobs; i++)
		if (job_match(p, r->jobs[i]))
			list[n++] = r->jobs[i];
	sort_keys = p->sort ? p->sort : p->start ? "S" : "P,t,-p";
	sort_now = now;
	qsort(list, n, sizeof(*list), cmp_jobs);
	if (p->json) {  /* every record, array tasks unfolded (json_out.c) */
		int rc = json_print_squeue(list, n, now);
		fmt_spec_free(&spec);
		free(list);
		return rc;
	}
	/* Tasks asked for by index (-j N_M) show as themselves, "N_M", as in Slurm. */
	if (!p->array_rows && !job_sel_has_tasks(&p->sels))
		n = array_fold_pending(list, n);
	if ((p->long_fmt || p->verbose || p->iterate) && !p->no_header) {
		char tbuf[64];
		printf("%s", ctime_r(&now, tbuf));
	}
	if (!p->no_header) {
		char *h = of.n ? squeue_oform_header(&of) : job_fmt_header(&spec);
		printf("%s\n", h);
		free(h);
	}
	for (size_t i = 0; i < n; i++) {
		char *line = of.n ? squeue_oform_line(&of, list[i], now) :
				    job_fmt_line(&spec, list[i], now);
		printf("%s\n", line);
		free(line);
	}
	fmt_spec_free(&spec);
	squeue_oform_free(&of);
	array_fold_reset();
	free(list);
	return 0;
}

static void params_free(struct squeue_params *p)
{
	free(p->format);
	free(p->sort);
	free(p->jobs.v);
	job_sel_fini(&p->sels);
	free(p->users.v);
	free(p->states.v);
	free(p->partitions);
	free(p->names);
	free(p->accounts);
	free(p->qos);
	free(p->oformat);
	free(p->nodelist);
}

int main(int argc, char **argv)
{
	struct squeue_params p = { 0 };
	Sky__JobInfoReply *r = NULL;
	int ec;

	log_init(argv[0], LOG_LEVEL_INFO, NULL, false);
	if ((ec = parse_args(argc, argv, &p)) >= 0)
		goto out;
	ec = 1;
	if (p.sort && !sort_valid(p.sort))
		goto out;
	/* -i: again every N seconds until interrupted (the -l date line each time). */
	do {
		if ((ec = load(&p, &r)))
			goto out;
		ec = print_jobs(&p, r);
		sky__job_info_reply__free_unpacked(r, NULL);
		r = NULL;
		if (p.iterate) {
			fflush(stdout);
			sleep((unsigned)p.iterate);
			printf("\n");
		}
	} while (p.iterate && !ec);
out:
	params_free(&p);
	return ec;
}
