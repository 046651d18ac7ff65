/*
 * prov_program.c: nodes powered by the admin's programs, as Slurm does it
 * (slurm.md section 5): ResumeProgram / SuspendProgram / ResumeFailProgram,
 * run as the controller's user with argv[1] = one hostlist expression.
 * ResumeProgram also gets SLURM_RESUME_FILE, a JSON file
 *   {"all_nodes_resume": "...", "jobs": [{"job_id", "partition", "nodes_alloc",
 *    "nodes_resume", "features", "exclusive", "oversubscribe", "reservation",
 *    "extra"}]}
 * removed once the program has ended. A ProviderName record of Type=program
 * may set its own programs; the global ones apply otherwise.
 *
 * Programs are forked and never waited for in the loop: the 1 s poll reaps
 * them (waitpid WNOHANG on their own pids). They have no time limit, their
 * output goes to /dev/null, and a nonzero exit is logged.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctld.h"
#include "log.h"
#include "provider.h"
#include "xalloc.h"

struct prog_child {
	pid_t pid;
	char *what;                 /* "ResumeProgram /path", for the log */
	char *file;                 /* SLURM_RESUME_FILE to remove, or NULL */
};

struct prog_priv {
	const char *resume, *suspend, *resume_fail;   /* borrowed from the config */
	struct prog_child *kids;
	size_t n_kids;
	unsigned seq;
};

static const char *program_of(const struct sky_conf *conf, const struct conf_provider *cp,
			      const char *key)
{
	const char *v = conf_provider_opt(cp, key);

	if (v)
		return v;
	if (!strcmp(key, "ResumeProgram"))
		return conf->resume_program;
	if (!strcmp(key, "SuspendProgram"))
		return conf->suspend_program;
	return conf->resume_fail_program;
}

static int prog_check(const struct sky_conf *conf, const char *name, const struct conf_provider *cp,
		      struct sky_errbuf *eb)
{
	static const char *const keys[] = { "ResumeProgram", "SuspendProgram", "ResumeFailProgram" };

	(void)name;
	for (size_t i = 0; i < 3; i++) {
		const char *prog = program_of(conf, cp, keys[i]);
		if (!prog && i == 0)
			return sky_err_set(eb, SKY_E_CONFIG, "ResumeProgram is not set");
		if (prog && access(prog, X_OK))
			return sky_err_set(eb, SKY_E_CONFIG, "%s %s: %s", keys[i], prog, strerror(errno));
	}
	return 0;
}

static int prog_init(struct ctld *c, struct provider *p)
{
	struct prog_priv *pp = xcalloc(1, sizeof(*pp));

	pp->resume = program_of(c->conf, p->cp, "ResumeProgram");
	pp->suspend = program_of(c->conf, p->cp, "SuspendProgram");
	pp->resume_fail = program_of(c->conf, p->cp, "ResumeFailProgram");
	p->priv = pp;
	return 0;
}

/* In the child: nothing of the controller's leaks into the program. */
static void child_exec(const char *prog, const char *hosts, const char *file, const char *conf)
{
	sigset_t none;
	int fd, maxfd = (int)sysconf(_SC_OPEN_MAX);

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	if (maxfd < 0 || maxfd > 65536)
		maxfd = 65536;
	for (fd = 3; fd < maxfd; fd++)
		close(fd);
	if (file)
		setenv("SLURM_RESUME_FILE", file, 1);
	if (conf) {
		setenv("SLURM_CONF", conf, 1);
		setenv("SLURM_SKY_CONF", conf, 1);
	}
	setsid();
	execl(prog, prog, hosts, (char *)NULL);
	_exit(127);
}

static int run(struct provider *p, const char *what, const char *prog, const char *hosts,
	       char *file, struct sky_errbuf *eb)
{
	struct prog_priv *pp = p->priv;
	pid_t pid = fork();

	if (pid < 0) {
		if (file)
			unlink(file);
		free(file);
		return sky_err_set(eb, SKY_E_IO, "%s %s: fork: %s", what, prog, strerror(errno));
	}
	if (pid == 0)
		child_exec(prog, hosts, file, p->c->conf->path);
	log_verbose("provider %s: %s %s %s (pid %d)", p->name, what, prog, hosts, (int)pid);
	pp->kids = xrealloc(pp->kids, (pp->n_kids + 1) * sizeof(*pp->kids));
	pp->kids[pp->n_kids].pid = pid;
	pp->kids[pp->n_kids].what = xasprintf("%s %s", what, prog);
	pp->kids[pp->n_kids++].file = file;
	return 0;
}

static json_object *str_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

static char *resume_json(const struct provider_resume *req)
{
	json_object *root = json_object_new_object(), *jobs = json_object_new_array();
	char *out;

	json_object_object_add(root, "all_nodes_resume", json_object_new_string(req->nodes));
	for (size_t i = 0; i < req->n_jobs; i++) {
		const struct provider_resume_job *rj = &req->jobs[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "job_id", json_object_new_int64(rj->job_id));
		json_object_object_add(o, "partition", str_or_null(rj->partition));
		json_object_object_add(o, "nodes_alloc", str_or_null(rj->nodes_alloc));
		json_object_object_add(o, "nodes_resume", str_or_null(rj->nodes_resume));
		json_object_object_add(o, "features", str_or_null(rj->features));
		json_object_object_add(o, "exclusive", json_object_new_boolean(rj->exclusive));
		json_object_object_add(o, "oversubscribe", json_object_new_boolean(rj->oversubscribe));
		json_object_object_add(o, "reservation", str_or_null(rj->reservation));
		json_object_object_add(o, "extra", str_or_null(rj->extra));
		json_object_array_add(jobs, o);
	}
	json_object_object_add(root, "jobs", jobs);
	out = xstrdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
	return out;
}

/* The resume file, readable by the program only (it may name users' jobs). */
static int write_resume_file(struct provider *p, const struct provider_resume *req, char **path,
			     struct sky_errbuf *eb)
{
	struct prog_priv *pp = p->priv;
	char *json = resume_json(req);
	size_t len = strlen(json);
	int fd, rc = 0;

	*path = xasprintf("%s/resume.%ld.%u.json", p->c->conf->state_dir, (long)getpid(), pp->seq++);
	fd = open(*path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, json, len) != (ssize_t)len)
		rc = sky_err_set(eb, SKY_E_IO, "resume file %s: %s", *path, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(json);
	if (rc) {
		unlink(*path);
		FREE_NULL(*path);
	}
	return rc;
}

static int prog_resume(struct provider *p, const struct provider_resume *req,
		       struct sky_errbuf *eb)
{
	struct prog_priv *pp = p->priv;
	char *file = NULL;
	int rc;

	if ((rc = write_resume_file(p, req, &file, eb)))
		return rc;
	return run(p, "ResumeProgram", pp->resume, req->nodes, file, eb);
}

static int prog_suspend(struct provider *p, const char *nodes, char *const *names, size_t n,
			struct sky_errbuf *eb)
{
	struct prog_priv *pp = p->priv;

	(void)names;
	(void)n;
	if (!pp->suspend) {
		log_debug("provider %s: no SuspendProgram for %s", p->name, nodes);
		return 0;
	}
	return run(p, "SuspendProgram", pp->suspend, nodes, NULL, eb);
}

static void prog_resume_failed(struct provider *p, const char *nodes)
{
	struct prog_priv *pp = p->priv;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	if (pp->resume_fail && run(p, "ResumeFailProgram", pp->resume_fail, nodes, NULL, &eb))
		log_error("provider %s: %s", p->name, sky_err_msg(&eb));
}

static void reap(struct prog_child *k, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		log_debug("%s (pid %d) done", k->what, (int)k->pid);
	else if (WIFEXITED(status))
		log_error("%s (pid %d) exited with status %d", k->what, (int)k->pid,
			  WEXITSTATUS(status));
	else
		log_error("%s (pid %d) killed by signal %d", k->what, (int)k->pid,
			  WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	if (k->file)
		unlink(k->file);
	free(k->file);
	free(k->what);
}

static void prog_poll(struct provider *p)
{
	struct prog_priv *pp = p->priv;
	size_t i = 0;

	while (i < pp->n_kids) {
		int status = 0;
		pid_t r = waitpid(pp->kids[i].pid, &status, WNOHANG);

		if (r == 0 || (r < 0 && errno == EINTR)) {
			i++;
			continue;
		}
		if (r < 0)
			status = 0;   /* reaped elsewhere: nothing to report */
		reap(&pp->kids[i], status);
		pp->kids[i] = pp->kids[--pp->n_kids];
	}
}

static void prog_fini(struct provider *p)
{
	struct prog_priv *pp = p->priv;

	if (!pp)
		return;
	/* Programs outlive the controller (they have no time limit); their files do not. */
	for (size_t i = 0; i < pp->n_kids; i++) {
		if (pp->kids[i].file)
			unlink(pp->kids[i].file);
		free(pp->kids[i].file);
		free(pp->kids[i].what);
	}
	free(pp->kids);
	free(pp);
	p->priv = NULL;
}

const struct provider_ops prov_program_ops = {
	.name = "program",
	.check = prog_check,
	.init = prog_init,
	.resume = prog_resume,
	.suspend = prog_suspend,
	.resume_failed = prog_resume_failed,
	.poll = prog_poll,
	.fini = prog_fini,
};
