/*
 * sacct: accounting data of jobs (slurm.md 3.6). The controller does the
 * selection (REQUEST_ACCT: job ids, users, time window, states...), this
 * command only decides the defaults Slurm documents and prints the rows:
 * each job, then its batch step as "N.batch" unless -X.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli_util.h"
#include "json_out.h"
#include "log.h"
#include "sacct_cost.h"
#include "sacct_fields.h"
#include "state_names.h"
#include "timefmt.h"
#include "xalloc.h"

struct u32_list {
	uint32_t *v;
	size_t n;
};

struct str_list {
	char **v;
	size_t n;
};

struct sacct_params {
	bool all_users, allocations, brief, long_fmt, json;
	bool account_totals;          /* --account-totals (slurm-sky extension) */
	struct acct_out out;
	char *format;                 /* owned; -o */
	char *delim;                  /* owned; --delimiter */
	const char *start_s, *end_s;  /* borrowed from argv */
	struct u32_list jobs, users, groups, states;
	struct str_list parts, accounts, names;
};

enum { OPT_DELIM = 0x100, OPT_HELP, OPT_USAGE, OPT_JSON, OPT_YAML, OPT_NAME, OPT_NOCONVERT,
       OPT_UID, OPT_ACCT_TOTALS };

static void u32_push(struct u32_list *l, uint32_t v)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = v;
}

static void str_push(struct str_list *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

static void str_free(struct str_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* Call fn on each item of a comma list; false at the first failure. */
static bool each_item(const char *list, bool (*fn)(const char *, void *), void *arg)
{
	char *copy = xstrdup(list), *item = copy;
	bool ok = true;

	while (ok && item) {
		char *comma = strchr(item, ',');
		if (comma)
			*comma = '\0';
		if (*item)
			ok = fn(item, arg);
		item = comma ? comma + 1 : NULL;
	}
	free(copy);
	return ok;
}

static bool add_job(const char *s, void *arg)
{
	uint32_t id;

	if (!cli_parse_job_id(s, &id)) {
		log_error("Invalid job id: %s", s);
		return false;
	}
	u32_push(arg, id);
	return true;
}

static bool add_user(const char *s, void *arg)
{
	uint32_t uid;

	if (!cli_parse_uid(s, &uid)) {
		log_error("Invalid user id: %s", s);
		return false;
	}
	u32_push(arg, uid);
	return true;
}

static bool add_group(const char *s, void *arg)
{
	uint32_t gid;

	if (!cli_parse_gid(s, &gid)) {
		log_error("Invalid group id: %s", s);
		return false;
	}
	u32_push(arg, gid);
	return true;
}

/* -s takes long or compact names; flags (CG, RQ) select nothing of their own. */
static bool add_state(const char *s, void *arg)
{
	uint32_t code;

	if (!job_state_parse(s, &code)) {
		log_error("Invalid state: %s", s);
		return false;
	}
	if (code == JOB_STATE_F_COMPLETING)
		code = SKY__JOB_STATE__JOB_RUNNING;
	if (code < JOB_STATE_F_COMPLETING)
		u32_push(arg, code);
	return true;
}

static bool add_str(const char *s, void *arg)
{
	str_push(arg, s);
	return true;
}

static void usage(FILE *fp)
{
	fprintf(fp, "Usage: sacct [-a] [-A accounts] [-b] [-E end] [-e] [-g groups] [-j jobs]\n"
		    "             [-l] [-n] [-o format] [-p|-P] [--delimiter=c] [-r partitions]\n"
		    "             [-s states] [-S start] [-u users] [-X] [--name=names] [--json]\n");
}

static void help(void)
{
	printf("sacct [<OPTION>]\n"
	       "     Valid <OPTION> values are:\n"
	       "     -a, --allusers:      Display jobs for all users.\n"
	       "     -A, --accounts:      Use this comma separated list of accounts.\n"
	       "     --account-totals:    (slurm-sky) One row per account with the total\n"
	       "                          Cost of the selected jobs (fields: Account,Cost).\n"
	       "     -b, --brief:         Equivalent to '--format=jobstep,state,exitcode'.\n"
	       "     --delimiter:         ASCII characters used to separate the fields when\n"
	       "                          specifying the -p or -P options.\n"
	       "     -E, --endtime:       Select jobs eligible before this time.\n"
	       "     -e, --helpformat:    Print a list of fields that can be specified with\n"
	       "                          the '--format' option\n"
	       "     -g, --gid, --group:  Use this comma separated list of gids or group names.\n"
	       "     -j, --jobs:          Format is <job(.step)>. Display information about\n"
	       "                          this job or comma-separated list of jobs.\n"
	       "     --json:              Produce JSON output\n"
	       "     -l, --long:          Equivalent to specifying a long list of fields.\n"
	       "     --name:              Display jobs that have any of these name(s).\n"
	       "     -n, --noheader:      No header will be added to the beginning of output.\n"
	       "     -o, --format:        Comma separated list of fields.\n"
	       "     -p, --parsable:      output will be '|' delimited with a '|' at the end\n"
	       "     -P, --parsable2:     output will be '|' delimited without a '|' at the end\n"
	       "     -r, --partition:     Comma separated list of partitions to select jobs.\n"
	       "     -s, --state:         Select jobs based on their state during the time\n"
	       "                          period given.\n"
	       "     -S, --starttime:     Select jobs eligible after this time.\n"
	       "     -u, --uid, --user:   Use this comma separated list of uids or user names.\n"
	       "     -X, --allocations:   Only show statistics relevant to the job allocation\n"
	       "                          itself, not taking steps into consideration.\n"
	       "     --help:              Print this description of use.\n"
	       "     --usage:             Print a brief description of use.\n"
	       "     -V, --version:       Print the version.\n");
}

static const struct option long_opts[] = {
	{ "allusers", no_argument, NULL, 'a' },
	{ "accounts", required_argument, NULL, 'A' },
	{ "account", required_argument, NULL, 'A' },
	{ "account-totals", no_argument, NULL, OPT_ACCT_TOTALS },
	{ "brief", no_argument, NULL, 'b' },
	{ "duplicates", no_argument, NULL, 'D' },
	{ "delimiter", required_argument, NULL, OPT_DELIM },
	{ "endtime", required_argument, NULL, 'E' },
	{ "helpformat", no_argument, NULL, 'e' },
	{ "gid", required_argument, NULL, 'g' },
	{ "group", required_argument, NULL, 'g' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "json", optional_argument, NULL, OPT_JSON },
	{ "yaml", optional_argument, NULL, OPT_YAML },
	{ "long", no_argument, NULL, 'l' },
	{ "allclusters", no_argument, NULL, 'L' },
	{ "cluster", required_argument, NULL, 'M' },
	{ "clusters", required_argument, NULL, 'M' },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "noheader", no_argument, NULL, 'n' },
	{ "noconvert", no_argument, NULL, OPT_NOCONVERT },
	{ "format", required_argument, NULL, 'o' },
	{ "parsable", no_argument, NULL, 'p' },
	{ "parsable2", no_argument, NULL, 'P' },
	{ "partition", required_argument, NULL, 'r' },
	{ "state", required_argument, NULL, 's' },
	{ "starttime", required_argument, NULL, 'S' },
	{ "truncate", no_argument, NULL, 'T' },
	{ "uid", required_argument, NULL, OPT_UID },
	{ "user", required_argument, NULL, 'u' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "allocations", no_argument, NULL, 'X' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "usage", no_argument, NULL, OPT_USAGE },
	{ NULL, 0, NULL, 0 },
};

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

/* Returns -1 to go on, else the exit status. */
static int parse_opt(int c, struct sacct_params *p)
{
	switch (c) {
	case 'a': p->all_users = true; break;
	case OPT_ACCT_TOTALS: p->account_totals = true; break;
	case 'A': each_item(optarg, add_str, &p->accounts); break;
	case 'b': p->brief = true; break;
	case 'D': case 'L': case 'M': case 'T': case 'v': case OPT_NOCONVERT: break;
	case OPT_DELIM: set_str(&p->delim, optarg); break;
	case 'E': p->end_s = optarg; break;
	case 'e': acct_print_field_names(); return 0;
	case 'g': return each_item(optarg, add_group, &p->groups) ? -1 : 1;
	case 'j': return each_item(optarg, add_job, &p->jobs) ? -1 : 1;
	case OPT_JSON: p->json = true; break;
	case OPT_YAML: log_error("--yaml is not supported by this build; use --json"); return 1;
	case 'l': p->long_fmt = true; break;
	case OPT_NAME: each_item(optarg, add_str, &p->names); break;
	case 'n': p->out.no_header = true; break;
	case 'o': set_str(&p->format, optarg); break;
	case 'p': p->out.parsable = 1; break;
	case 'P': p->out.parsable = 2; break;
	case 'r': each_item(optarg, add_str, &p->parts); break;
	case 's': return each_item(optarg, add_state, &p->states) ? -1 : 1;
	case 'S': p->start_s = optarg; break;
	case 'u': case OPT_UID: return each_item(optarg, add_user, &p->users) ? -1 : 1;
	case 'V': cli_print_version(); return 0;
	case 'X': p->allocations = true; break;
	case OPT_HELP: help(); return 0;
	case OPT_USAGE: usage(stdout); return 0;
	default:
		usage(stderr);
		return 1;
	}
	return -1;
}

static int parse_args(int argc, char **argv, struct sacct_params *p)
{
	int c, ec;

	while ((c = getopt_long(argc, argv, "aA:bDE:eg:j:lLM:no:pPr:s:S:Tu:vVX", long_opts,
				NULL)) != -1)
		if ((ec = parse_opt(c, p)) >= 0)
			return ec;
	if (optind < argc) {
		log_error("Unknown arguments:");
		for (; optind < argc; optind++)
			log_error(" %s", argv[optind]);
		return 1;
	}
	return -1;
}

/* Slurm's time forms, plus "now-N[units]" (sacct looks back, --begin only forward). */
static bool parse_when(const char *s, time_t now, time_t *out)
{
	struct sky_errbuf eb;
	char *fwd = NULL;
	bool ok;

	sky_err_clear(&eb);
	if (strncasecmp(s, "now-", 4) == 0) {
		time_t later;
		fwd = xasprintf("now+%s", s + 4);
		ok = parse_time_spec(fwd, now, &later, &eb) == 0;
		*out = now - (later - now);
		free(fwd);
	} else {
		ok = parse_time_spec(s, now, out, &eb) == 0;
	}
	if (!ok)
		log_error("Invalid time specification: %s", s);
	return ok;
}

static time_t midnight(time_t now)
{
	struct tm tm;

	localtime_r(&now, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/*
 * The window of sacct.1 "DEFAULT TIME WINDOW": -S defaults to midnight today,
 * to the Epoch with -j, and to now with -s (and no -j); -E defaults to now.
 */
static bool resolve_window(const struct sacct_params *p, time_t now, time_t *start, time_t *end)
{
	*end = now;
	if (p->jobs.n)
		*start = 0;
	else if (p->states.n)
		*start = now;
	else
		*start = midnight(now);
	if (p->start_s && !parse_when(p->start_s, now, start))
		return false;
	if (p->end_s && !parse_when(p->end_s, now, end))
		return false;
	if (*start > *end) {
		char a[64], b[64];
		log_error("Start time (%s) requested is after end time (%s).",
			  timestamp_str(*start, a, sizeof(a)), timestamp_str(*end, b, sizeof(b)));
		return false;
	}
	return true;
}

static void build_request(const struct sacct_params *p, time_t start, time_t end,
			  Sky__AcctRequest *q)
{
	uid_t me = getuid();

	q->n_job_ids = p->jobs.n;
	q->job_ids = p->jobs.v;
	q->has_start_time = q->has_end_time = true;
	q->start_time = (uint64_t)start;
	q->end_time = (uint64_t)end;
	q->n_states = p->states.n;
	q->states = p->states.v;
	q->n_group_ids = p->groups.n;
	q->group_ids = p->groups.v;
	q->n_partitions = p->parts.n;
	q->partitions = p->parts.v;
	q->n_accounts = p->accounts.n;
	q->accounts = p->accounts.v;
	q->n_names = p->names.n;
	q->names = p->names.v;
	/*
	 * Users: the ones asked for; else everyone with -a, for root, or when job
	 * ids are given (as Slurm's sacct: asking for jobs looks at all users);
	 * else only the caller's own jobs.
	 */
	if (p->users.n) {
		q->n_user_ids = p->users.n;
		q->user_ids = p->users.v;
	} else if (!p->all_users && me != 0 && !p->jobs.n) {
		q->n_user_ids = 1;
		q->user_ids = xmalloc(sizeof(uint32_t));
		q->user_ids[0] = (uint32_t)me;
	}
}

static int load(const struct sacct_params *p, Sky__AcctReply **reply)
{
	Sky__AcctRequest q = SKY__ACCT_REQUEST__INIT;
	struct sky_client *c = NULL;
	struct sky_errbuf eb;
	ProtobufCMessage *r = NULL;
	time_t now = time(NULL), start, end;
	int rc;

	if (!resolve_window(p, now, &start, &end))
		return 1;
	build_request(p, start, end, &q);
	sky_err_clear(&eb);
	if ((rc = cli_open(&c, &eb)) == 0)
		rc = sky_client_rpc(c, SKY__MSG_TYPE__REQUEST_ACCT, &q.base,
				    &sky__acct_reply__descriptor, &r, &eb);
	sky_client_close(c);
	if (q.user_ids != p->users.v)
		free(q.user_ids);
	if (rc) {
		log_error("Problem talking to the database: %s", cli_rpc_errtext(&eb));
		return 1;
	}
	*reply = (Sky__AcctReply *)r;
	return 0;
}

static const char *pick_format(const struct sacct_params *p)
{
	const char *env = getenv("SACCT_FORMAT");

	if (p->format)
		return p->format;
	if (p->brief)
		return SACCT_FMT_BRIEF;
	if (p->long_fmt)
		return SACCT_FMT_LONG;
	return env && *env ? env : SACCT_FMT_DEFAULT;
}

static int print_rows(const struct sacct_params *p, const Sky__AcctReply *r)
{
	struct acct_col *cols = NULL;
	struct sky_errbuf eb;
	struct acct_out out = p->out;
	time_t now = r->has_now ? (time_t)r->now : time(NULL);
	size_t n = 0;
	char *s;

	sky_err_clear(&eb);
	if (acct_cols_parse(pick_format(p), &cols, &n, &eb)) {
		log_error("%s", sky_err_msg(&eb));
		return 1;
	}
	out.delim = p->delim;
	if (!out.no_header) {
		s = acct_header(cols, n, &out);
		fputs(s, stdout);
		free(s);
	}
	for (size_t i = 0; i < r->n_jobs; i++) {
		struct acct_row row = { .job = r->jobs[i], .step = false, .now = now };
		s = acct_line(cols, n, &row, &out);
		fputs(s, stdout);
		free(s);
		if (p->allocations)
			continue;
		row.step = true;
		if (acct_has_batch_step(r->jobs[i])) {
			s = acct_line(cols, n, &row, &out);
			fputs(s, stdout);
			free(s);
		}
		for (size_t k = 0; k < r->jobs[i]->n_steps; k++) {
			row.srun_step = r->jobs[i]->steps[k];
			s = acct_line(cols, n, &row, &out);
			fputs(s, stdout);
			free(s);
		}
	}
	free(cols);
	return 0;
}

static void params_free(struct sacct_params *p)
{
	free(p->format);
	free(p->delim);
	free(p->jobs.v);
	free(p->users.v);
	free(p->groups.v);
	free(p->states.v);
	str_free(&p->parts);
	str_free(&p->accounts);
	str_free(&p->names);
}

int main(int argc, char **argv)
{
	struct sacct_params p;
	Sky__AcctReply *r = NULL;
	int ec;

	memset(&p, 0, sizeof(p));
	log_init(argv[0], LOG_LEVEL_INFO, NULL, false);
	if ((ec = parse_args(argc, argv, &p)) >= 0)
		goto out;
	if ((ec = load(&p, &r)))
		goto out;
	p.out.delim = p.delim;
	if (p.account_totals)
		ec = acct_print_account_totals(r->jobs, r->n_jobs, p.format, &p.out,
					       r->has_now ? (time_t)r->now : time(NULL));
	else if (p.json)
		ec = json_print_sacct(r->jobs, r->n_jobs, r->has_now ? (time_t)r->now : time(NULL));
	else
		ec = print_rows(&p, r);
	sky__acct_reply__free_unpacked(r, NULL);
out:
	params_free(&p);
	return ec;
}
