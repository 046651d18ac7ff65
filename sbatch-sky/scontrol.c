/*
 * scontrol: ping, show (job, node, partition, hostnames, hostlist), hold,
 * release, requeue, version (slurm.md 3.7). With no command on the command
 * line, commands are read one per line from standard input.
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
#include "hostlist.h"
#include "job_sel.h"
#include "log.h"
#include "scontrol_ext.h"
#include "scontrol_power.h"
#include "show_job.h"
#include "show_node.h"
#include "xalloc.h"

struct scontrol_params {
	bool one_liner, quiet, details;
	int verbose;
};

enum { OPT_HELP = 0x100, OPT_USAGE };

static void help(void)
{
	printf("scontrol [<OPTION>] [<COMMAND>]\n"
	       "    Valid <OPTION> values are:\n"
	       "     -a or --all: equivalent to \"all\" command\n"
	       "     -d or --details: equivalent to \"details\" command\n"
	       "     -h or --help: equivalent to \"help\" command\n"
	       "     -o or --oneliner: equivalent to \"oneliner\" command\n"
	       "     -Q or --quiet: equivalent to \"quiet\" command\n"
	       "     -v or --verbose: equivalent to \"verbose\" command\n"
	       "     -V or --version: equivalent to \"version\" command\n"
	       "\n"
	       "  <keyword> may be omitted from the execute line and scontrol will execute\n"
	       "  in interactive mode. It will process commands as entered until explicitly\n"
	       "  terminated.\n"
	       "\n"
	       "    Valid <COMMAND> values are:\n"
	       "     hold <job_list>          prevent specified job from starting.\n"
	       "     ping                     print status of slurmctld daemons.\n"
	       "     release <job_list>       permit specified job to start (see hold).\n"
	       "     requeue <job_id>         re-queue a batch job.\n"
	       "     show <ENTITY> [<ID>]     display state of identified entity, default\n"
	       "                              is all records.\n"
	       "     uhold <job_list>         place user hold on specified job (see hold).\n"
	       "     version                  display tool version number.\n"
	       "     quit                     terminate this command.\n"
	       "\n"
	       "  <ENTITY> may be \"hostlist\", \"hostlistsorted\", \"hostnames\", \"job\",\n"
	       "  \"node\" or \"partition\".\n");
}

static int ping(void)
{
	struct sky_client *c = NULL;
	struct sky_errbuf eb;
	const char *host;
	int rc;

	sky_err_clear(&eb);
	if (cli_open(&c, &eb)) {
		cli_error_lines(sky_err_msg(&eb));
		return 1;
	}
	rc = sky_client_rpc(c, SKY__MSG_TYPE__REQUEST_PING, NULL, NULL, NULL, &eb);
	host = c->conf->ctld_host ? c->conf->ctld_host : "localhost";
	printf("Slurmctld(primary) at %s is %s\n", host, rc ? "DOWN" : "UP");
	sky_client_close(c);
	return rc ? 1 : 0;
}

static int cmp_jobs(const void *a, const void *b)
{
	const Sky__JobRecord *x = *(Sky__JobRecord *const *)a, *y = *(Sky__JobRecord *const *)b;
	return x->job_id < y->job_id ? -1 : x->job_id > y->job_id;
}

static int show_jobs(const struct scontrol_params *p, const char *arg)
{
	Sky__JobInfoReply *r = NULL;
	struct sky_client *c = NULL;
	struct sky_errbuf eb;
	struct job_sel_list sel = { 0 };
	uint32_t id = 0;
	size_t shown = 0;
	char *bad = NULL;
	int rc;

	/* "N_M" shows only that array task, as Slurm does (job_sel.h). */
	if (arg && (!cli_parse_job_id(arg, &id) || !job_sel_add(&sel, arg, &bad) || sel.n != 1)) {
		free(bad);
		job_sel_fini(&sel);
		fprintf(stderr, "Invalid job id specified\n");
		return 1;
	}
	sky_err_clear(&eb);
	if ((rc = cli_open(&c, &eb)) == 0)
		rc = cli_load_jobs(c, arg ? &id : NULL, arg ? 1 : 0, &r, &eb);
	sky_client_close(c);
	if (rc) {
		job_sel_fini(&sel);
		fprintf(stderr, "slurm_load_jobs error: %s\n",
			rc == SKY_E_INVALID_JOB_ID ? sky_strerror(rc) : cli_rpc_errtext(&eb));
		return 1;
	}
	if (r->n_jobs > 1)   /* r->jobs is NULL in an empty reply */
		qsort(r->jobs, r->n_jobs, sizeof(*r->jobs), cmp_jobs);
	for (size_t i = 0; i < r->n_jobs; i++) {
		char *t;
		if (!job_sel_match(&sel, r->jobs[i]))
			continue;
		t = show_job_text(r->jobs[i], time(NULL), p->one_liner);
		if (p->details)
			t = scontrol_job_details(t, r->jobs[i], p->one_liner);
		fputs(t, stdout);
		free(t);
		shown++;
	}
	sky__job_info_reply__free_unpacked(r, NULL);
	job_sel_fini(&sel);
	if (!shown && arg && strchr(arg, '_')) {
		/* An array task that does not exist: Slurm's scontrol words it so. */
		fprintf(stderr, "Job %s not found\n", arg);
		return 1;
	}
	if (!shown && arg) {
		fprintf(stderr, "slurm_load_jobs error: %s\n", sky_strerror(SKY_E_INVALID_JOB_ID));
		return 1;
	}
	if (!shown)
		printf("No jobs in the system\n");
	return 0;
}

static int load_nodes(Sky__NodeInfoReply **r, const char *what)
{
	struct sky_client *c = NULL;
	struct sky_errbuf eb;
	int rc;

	sky_err_clear(&eb);
	if ((rc = cli_open(&c, &eb)) == 0)
		rc = cli_load_nodes(c, r, &eb);
	sky_client_close(c);
	if (rc) {
		fprintf(stderr, "%s: %s\n", what, cli_rpc_errtext(&eb));
		return 1;
	}
	return 0;
}

static int show_nodes(const struct scontrol_params *p, const char *arg)
{
	Sky__NodeInfoReply *r = NULL;
	struct sky_errbuf eb;
	char **names = NULL;
	size_t n_names = 0, shown = 0;

	sky_err_clear(&eb);
	if (arg && hostlist_expand(arg, &names, &n_names, &eb)) {
		fprintf(stderr, "slurm_load_node error: %s\n", sky_strerror(SKY_E_INVALID_NODE_NAME));
		return 1;
	}
	if (load_nodes(&r, "slurm_load_node error")) {
		for (size_t i = 0; i < n_names; i++)
			free(names[i]);
		free(names);
		return 1;
	}
	for (size_t i = 0; i < r->n_nodes; i++) {
		bool want = !arg;
		for (size_t k = 0; k < n_names && !want; k++)
			want = !strcmp(names[k], r->nodes[i]->name);
		if (want) {
			char *t = show_node_text(r->nodes[i], p->one_liner);
			fputs(t, stdout);
			free(t);
			shown++;
		}
	}
	for (size_t i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	sky__node_info_reply__free_unpacked(r, NULL);
	if (!shown && arg) {
		fprintf(stderr, "Node %s not found\n", arg);
		return 1;
	}
	if (!shown)
		printf("No nodes in the system\n");
	return 0;
}

static int show_partitions(const struct scontrol_params *p, const char *arg)
{
	Sky__NodeInfoReply *r = NULL;
	size_t shown = 0;

	if (load_nodes(&r, "slurm_load_partitions error"))
		return 1;
	for (size_t i = 0; i < r->n_partitions; i++) {
		char *t;
		if (arg && strcmp(arg, r->partitions[i]->name))
			continue;
		t = show_part_text(r->partitions[i], r, p->one_liner);
		fputs(t, stdout);
		free(t);
		shown++;
	}
	sky__node_info_reply__free_unpacked(r, NULL);
	if (!shown && arg) {
		fprintf(stderr, "Partition %s not found\n", arg);
		return 1;
	}
	if (!shown)
		printf("No partitions in the system\n");
	return 0;
}

static int show_hostnames(const char *arg)
{
	struct sky_errbuf eb;
	char **names = NULL;
	size_t n = 0;
	const char *expr = arg ? arg : getenv("SLURM_JOB_NODELIST");

	if (!expr || !*expr) {
		log_error("Host list is empty");
		return 1;
	}
	sky_err_clear(&eb);
	if (hostlist_expand(expr, &names, &n, &eb)) {
		log_error("Invalid hostlist: %s", expr);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		printf("%s\n", names[i]);
		free(names[i]);
	}
	free(names);
	return 0;
}

static int show_hostlist(const char *arg, bool sorted)
{
	struct hostlist *hl = NULL;
	struct sky_errbuf eb;
	char *s;

	if (!arg || !*arg) {
		log_error("Host list is empty");
		return 1;
	}
	sky_err_clear(&eb);
	if (hostlist_create(arg, &hl, &eb)) {
		log_error("Invalid hostlist: %s", arg);
		return 1;
	}
	if (sorted)
		hostlist_sort(hl);
	s = hostlist_ranged_string(hl);
	printf("%s\n", s);
	free(s);
	hostlist_destroy(hl);
	return 0;
}

static bool word_is(const char *w, const char *a, const char *b)
{
	return !strcasecmp(w, a) || (b && !strcasecmp(w, b));
}

static int show(const struct scontrol_params *p, int argc, char **argv)
{
	const char *what = argc > 0 ? argv[0] : NULL, *arg = argc > 1 ? argv[1] : NULL;

	if (!what) {
		fprintf(stderr, "too few arguments for keyword:show\n");
		return 1;
	}
	if (arg && !strncasecmp(arg, "jobid=", 6))
		arg += 6;
	if (word_is(what, "job", "jobs") || word_is(what, "jobid", NULL))
		return show_jobs(p, arg);
	if (word_is(what, "node", "nodes"))
		return show_nodes(p, arg);
	if (word_is(what, "partition", "partitions"))
		return show_partitions(p, arg);
	if (word_is(what, "config", NULL))
		return scontrol_show_config();
	if (word_is(what, "hostnames", "hostname"))
		return show_hostnames(arg);
	if (word_is(what, "hostlist", NULL))
		return show_hostlist(arg, false);
	if (word_is(what, "hostlistsorted", NULL))
		return show_hostlist(arg, true);
	fprintf(stderr, "invalid entity:%s for keyword:show\n", what);
	return 1;
}

/* hold, uhold, release, requeue: one REQUEST_UPDATE_JOB per job id. */
static int update_jobs(const struct scontrol_params *p, const char *op, int argc, char **argv)
{
	struct sky_client *c = NULL;
	struct sky_errbuf eb;
	int ec = 0;

	if (argc < 1) {
		fprintf(stderr, "too few arguments for keyword:%s\n", op);
		return 1;
	}
	sky_err_clear(&eb);
	if (cli_open(&c, &eb)) {
		cli_error_lines(sky_err_msg(&eb));
		return 1;
	}
	for (int i = 0; i < argc; i++) {
		char *copy = xstrdup(argv[i]), *item = copy;

		if (!strncasecmp(item, "jobid=", 6))
			item += 6;
		else if (!strncasecmp(item, "job=", 4))
			item += 4;
		while (item) {
			char *comma = strchr(item, ',');
			Sky__UpdateJobRequest req = SKY__UPDATE_JOB_REQUEST__INIT;
			uint32_t id, *ids = NULL;
			size_t n_ids = 0;
			int rc;

			if (comma)
				*comma = '\0';
			sky_err_clear(&eb);
			if (!cli_parse_job_id(item, &id)) {
				rc = sky_err_set(&eb, SKY_E_INVALID_JOB_ID, "%s", sky_strerror(SKY_E_INVALID_JOB_ID));
			} else {
				/* "N_M" is that task's own record (job_sel.h). */
				rc = job_sel_resolve(c, item, &ids, &n_ids, &eb);
				for (size_t k = 0; !rc && k < n_ids; k++) {
					req.job_id = ids[k];
					req.op = (char *)op;
					rc = sky_client_rpc(c, SKY__MSG_TYPE__REQUEST_UPDATE_JOB, &req.base,
							    NULL, NULL, &eb);
				}
				free(ids);
			}
			if (rc) {
				ec = 1;
				if (!p->quiet)
					fprintf(stderr, "%s for job %s\n",
						rc < SKY_E__COUNT && rc != SKY_E_CONNECT ? sky_strerror(rc)
											  : cli_rpc_errtext(&eb),
						item);
			}
			item = comma ? comma + 1 : NULL;
		}
		free(copy);
	}
	sky_client_close(c);
	return ec;
}

static int run_command(struct scontrol_params *p, int argc, char **argv, bool *quit)
{
	const char *cmd = argv[0];

	if (word_is(cmd, "ping", NULL))
		return ping();
	if (word_is(cmd, "show", "list"))
		return show(p, argc - 1, argv + 1);
	if (word_is(cmd, "hold", NULL) || word_is(cmd, "uhold", NULL) ||
	    word_is(cmd, "release", NULL) || word_is(cmd, "requeue", NULL) ||
	    word_is(cmd, "requeuehold", NULL)) {
		char *op = cli_lower(cmd);
		int ec = update_jobs(p, op, argc - 1, argv + 1);
		free(op);
		return ec;
	}
	if (word_is(cmd, "update", NULL) && scontrol_is_node_update(argc - 1, argv + 1))
		return scontrol_update_node(argc - 1, argv + 1, p->quiet);
	if (word_is(cmd, "update", NULL))
		return scontrol_update(argc - 1, argv + 1, p->quiet);
	if (word_is(cmd, "power", NULL))
		return scontrol_power(argc - 1, argv + 1, p->quiet);
	if (word_is(cmd, "details", NULL)) {
		p->details = true;
		return 0;
	}
	if (word_is(cmd, "version", NULL)) {
		cli_print_version();
		return 0;
	}
	if (word_is(cmd, "help", NULL)) {
		help();
		return 0;
	}
	if (word_is(cmd, "oneliner", NULL)) {
		p->one_liner = true;
		return 0;
	}
	if (word_is(cmd, "quiet", NULL)) {
		p->quiet = true;
		return 0;
	}
	if (word_is(cmd, "quit", "exit")) {
		*quit = true;
		return 0;
	}
	fprintf(stderr, "invalid keyword: %s\n", cmd);
	return 1;
}

/* No command given: one command per line of standard input. */
static int interactive(struct scontrol_params *p)
{
	char *line = NULL;
	size_t cap = 0;
	int ec = 0;
	bool quit = false;

	while (!quit && getline(&line, &cap, stdin) > 0) {
		char *words[64], *save = line;
		int n = 0;

		while (n < 63) {
			while (*save == ' ' || *save == '\t' || *save == '\n')
				*save++ = '\0';
			if (!*save)
				break;
			words[n++] = save;
			while (*save && *save != ' ' && *save != '\t' && *save != '\n')
				save++;
		}
		words[n] = NULL;
		if (n && run_command(p, n, words, &quit))
			ec = 1;
	}
	free(line);
	return ec;
}

static const struct option long_opts[] = {
	{ "all", no_argument, NULL, 'a' },
	{ "details", no_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "oneliner", no_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'Q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "usage", no_argument, NULL, OPT_USAGE },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
	struct scontrol_params p = { 0 };
	bool quit = false;
	int c;

	log_init(argv[0], LOG_LEVEL_INFO, NULL, false);
	while ((c = getopt_long(argc, argv, "+adhoQvV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'a': break;
		case 'd': p.details = true; break;
		case 'h': case OPT_USAGE: help(); return 0;
		case 'o': p.one_liner = true; break;
		case 'Q': p.quiet = true; break;
		case 'v': p.verbose++; break;
		case 'V': cli_print_version(); return 0;
		default:
			fprintf(stderr, "Try \"scontrol --help\" for more information\n");
			return 1;
		}
	}
	if (optind >= argc)
		return interactive(&p);
	return run_command(&p, argc - optind, argv + optind, &quit);
}
