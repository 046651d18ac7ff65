/*
 * sbatch: submit a batch script (slurm.md section 1).
 *
 * Order of work, as Slurm's: a first look at the command line (help,
 * version, -v/-Q, --wrap, where the script is), read and check the script,
 * then options from #SBATCH lines, SBATCH_* variables and the command line
 * (later ones win), cross-checks, the JobDesc, the RPC.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "array_fold.h"
#include "cli_util.h"
#include "directives.h"
#include "job_desc.h"
#include "log.h"
#include "opt_parse.h"
#include "opt_table.h"
#include "rpc_client.h"
#include "script_read.h"
#include "spank_opts.h"
#include "state_names.h"
#include "task_yaml.h"
#include "xalloc.h"

extern char **environ;

#define EXIT_BADOPT 255   /* Slurm's exit(-1) for a bad option value */

/* Print a parse failure the way Slurm does and give the exit status. */
static int report(const struct sky_errbuf *eb)
{
	const char *prog = program_invocation_short_name;

	switch (eb->code) {
	case OPT_E_USAGE:
		fprintf(stderr, "%s\n", eb->msg);
		return EXIT_BADOPT;
	case SKY_E_INVAL:
		cli_error_lines(sky_err_msg(eb));
		return EXIT_BADOPT;
	case SKY_E_SCRIPT_INVALID:
	case SKY_E_SCRIPT_TOO_BIG:
		if (strstr(eb->msg, ": line ") || eb->code == SKY_E_SCRIPT_TOO_BIG) {
			fprintf(stderr, "%s: fatal: %s\n", prog, eb->msg);
			return cli_error_exit();
		}
		break;
	default:
		break;
	}
	cli_error_lines(sky_err_msg(eb));
	return cli_error_exit();
}

static void set_log_level(const struct sbatch_opts *o)
{
	int level = LOG_LEVEL_INFO + o->verbose;

	if (o->quiet)
		level = LOG_LEVEL_ERROR;
	if (level > LOG_LEVEL_DEBUG2)
		level = LOG_LEVEL_DEBUG2;
	log_set_level((enum log_level)level);
}

/* The script body: generated for --wrap, else read from the file or stdin and checked. */
static int load_script(struct sbatch_opts *o, const char *cwd, char **path, char **body,
		       size_t *len, struct task_yaml **task, struct sky_errbuf *eb)
{
	int rc;

	*path = NULL;
	if (o->wrap) {
		*body = script_wrap(o->wrap);
		*len = strlen(*body);
		return 0;
	}
	if (o->script_argc > 0) {
		char *dir = o->chdir ? (o->chdir[0] == '/' ? xstrdup(o->chdir)
							   : xasprintf("%s/%s", cwd, o->chdir))
				     : xstrdup(cwd);
		*path = script_resolve(dir, o->script_argv[0]);
		free(dir);
	}
	if ((rc = script_read(*path, SCRIPT_MAX_SIZE, body, len, eb)))
		return rc;
	if (task_yaml_detect(*path, *body, *len)) {
		char *yaml = *body;
		rc = task_yaml_load(o->script_argc > 0 ? o->script_argv[0] : "stdin", yaml, *len,
				    environ, o, task, body, len, eb);
		free(yaml);
		if (rc) {
			*body = NULL;
			return rc;
		}
	}
	if ((rc = script_check(*body, *len, eb))) {
		FREE_NULL(*body);
		return rc;
	}
	return 0;
}

/* Second pass: #SBATCH lines, then SBATCH_*, then the command line. */
static int parse_all(struct sbatch_opts *o, int argc, char **argv, const char *path,
		     const char *body, size_t len, struct sky_errbuf *eb)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	const char *file = path ? (slash ? slash + 1 : path) : "stdin";
	char **dargv = NULL;
	int dargc = 0, rc;
	bool saw_slurm = false;

	if (!o->wrap) {
		if ((rc = directives_scan(file, body, len, &dargv, &dargc, &saw_slurm, eb)))
			return rc;
		if (saw_slurm)
			log_error("Change from #SLURM to #SBATCH in your script and verify the options are valid in sbatch");
		spank_opts_filter_script(&dargc, dargv);
		rc = opt_parse_args(o, dargc, dargv, OPT_PASS_SCRIPT, NULL, eb);
		directives_free(dargv, dargc);
		if (rc)
			return rc;
	}
	if ((rc = opt_parse_env(o, environ, eb)))
		return rc;
	if ((rc = opt_parse_args(o, argc, argv, OPT_PASS_CLI, NULL, eb)))
		return rc;
	if ((rc = job_nodelist_resolve(o, eb)) || (rc = spank_opts_finish(eb)))
		return rc;
	return opt_verify(o, eb);
}

/* -W: poll until the job has ended; its exit code becomes ours (signals give 1). */
static int wait_job(struct sky_client *c, uint32_t id)
{
	unsigned delay = 1, cap = c->conf->min_job_age / 2;

	if (cap < 1)
		cap = 1;
	if (cap > 32)
		cap = 32;
	for (;;) {
		Sky__JobInfoReply *r = NULL;
		struct sky_errbuf eb;
		bool found = false, done = false;
		int rc, ec;

		sleep(delay);
		if (delay < cap)
			delay = delay * 2 > cap ? cap : delay * 2;
		sky_err_clear(&eb);
		rc = cli_load_jobs(c, &id, 1, &r, &eb);
		if (rc && rc != SKY_E_INVALID_JOB_ID) {
			log_error("Currently unable to load job state information, retrying: %s",
				  cli_rpc_errtext(&eb));
			continue;
		}
		/* An array ends when all its tasks have; the highest exit code wins. */
		ec = rc ? 0 : array_wait_status(r, id, &found, &done);
		if (!found) {
			log_error("Job %u no longer found and exit code not found", id);
			if (r)
				sky__job_info_reply__free_unpacked(r, NULL);
			return 0;
		}
		sky__job_info_reply__free_unpacked(r, NULL);
		if (!done)
			continue;
		return ec;
	}
}

static int submit(const struct sbatch_opts *o, Sky__JobDesc *d)
{
	Sky__SubmitRequest req = SKY__SUBMIT_REQUEST__INIT;
	Sky__SubmitReply *r = NULL;
	struct sky_client *c = NULL;
	struct sky_errbuf eb;
	int rc, ec = 0;

	sky_err_clear(&eb);
	if ((rc = cli_open(&c, &eb))) {
		cli_error_lines(sky_err_msg(&eb));
		return cli_error_exit();
	}
	req.desc = d;
	req.has_test_only = req.test_only = o->test_only;
	rc = sky_client_rpc(c, SKY__MSG_TYPE__REQUEST_SUBMIT_BATCH, &req.base,
			    &sky__submit_reply__descriptor, (ProtobufCMessage **)&r, &eb);
	if (!rc && r->rc)
		rc = sky_err_set(&eb, (int)r->rc, "%s",
				 r->message && *r->message ? r->message : sky_strerror((int)r->rc));
	if (o->test_only) {
		if (rc) {
			fprintf(stderr, "allocation failure: %s\n", cli_rpc_errtext(&eb));
			ec = 1;
		} else if (r->message && *r->message) {
			log_info("%s", r->message);
		}
		goto out;
	}
	if (rc) {
		log_error("Batch job submission failed: %s", cli_rpc_errtext(&eb));
		ec = cli_error_exit();
		goto out;
	}
	if (r->message && *r->message)
		log_info("%s", r->message);
	if (!o->quiet) {
		bool other = r->cluster && *r->cluster && strcmp(r->cluster, c->conf->cluster_name);
		if (o->parsable)
			printf("%u%s%s\n", r->job_id, other ? ";" : "", other ? r->cluster : "");
		else
			printf("Submitted batch job %u%s%s\n", r->job_id, other ? " on cluster " : "",
			       other ? r->cluster : "");
		fflush(stdout);
	}
	if (o->wait)
		ec = wait_job(c, r->job_id);
out:
	if (r)
		sky__submit_reply__free_unpacked(r, NULL);
	sky_client_close(c);
	return ec;
}

static int build_and_submit(struct sbatch_opts *o, int argc, char **argv, const char *cwd,
			    const char *path, const char *body, size_t len,
			    const struct task_yaml *task)
{
	struct submit_ctx ctx = { 0 };
	Sky__JobDesc *d = NULL;
	struct sky_errbuf eb;
	char host[256] = "";
	mode_t mask = umask(0);
	int ec;

	umask(mask);
	gethostname(host, sizeof(host) - 1);
	errno = 0;
	ctx.prio_process = getpriority(PRIO_PROCESS, 0);
	ctx.cwd = cwd;
	ctx.host = host;
	ctx.environ = environ;
	ctx.umask = mask;
	ctx.script_path = path;
	ctx.submit_line = cli_join_argv(argc, argv);
	sky_err_clear(&eb);
	if (job_desc_build(o, &ctx, body, len, &d, &eb)) {
		free((char *)ctx.submit_line);
		return report(&eb);
	}
	task_yaml_fill_desc(task, o, d);
	ec = submit(o, d);
	task_yaml_clear_desc(d);
	job_desc_free(d);
	free((char *)ctx.submit_line);
	return ec;
}

int main(int argc, char **argv)
{
	struct sbatch_opts o;
	struct sky_errbuf eb;
	char cwd[4096], *path = NULL, *body = NULL;
	struct task_yaml *task = NULL;
	size_t len = 0;
	int next = argc, ec = 0;

	log_init(argv[0], LOG_LEVEL_INFO, NULL, false);
	setvbuf(stdout, NULL, _IOLBF, 0);
	sky_err_clear(&eb);
	sbatch_opts_init(&o);
	if (spank_opts_load(&argc, &argv, &eb)) {
		ec = report(&eb);
		goto out;
	}
	opt_parse_args(&o, argc, argv, OPT_PASS_EARLY, &next, &eb);
	if (o.help || o.usage || o.version) {
		if (o.help)
			opt_print_help(stdout);
		else if (o.usage)
			opt_print_usage(stdout);
		else
			cli_print_version();
		goto out;
	}
	set_log_level(&o);
	o.script_argc = argc - next;
	o.script_argv = argv + next;
	if (o.wrap && o.script_argc > 0) {
		log_error("Script arguments not permitted with --wrap option");
		ec = cli_error_exit();
		goto out;
	}
	if (!getcwd(cwd, sizeof(cwd))) {
		log_error("getcwd failed: %s", strerror(errno));
		ec = cli_error_exit();
		goto out;
	}
	if (load_script(&o, cwd, &path, &body, &len, &task, &eb) ||
	    parse_all(&o, argc, argv, path, body, len, &eb)) {
		ec = report(&eb);
		goto out;
	}
	set_log_level(&o);
	if (o.verbose)
		opt_print_set(&o);
	ec = build_and_submit(&o, argc, argv, cwd, path, body, len, task);
out:
	task_yaml_free(task);
	free(path);
	free(body);
	sbatch_opts_free(&o);
	return ec;
}
