/* step_agent.c: see step_agent.h. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostlist.h"
#include "log.h"
#include "proc.h"
#include "spool.h"
#include "step_agent.h"
#include "step_sup.h"
#include "xalloc.h"

static int node_index(const char *list, const char *name)
{
	struct hostlist *hl = NULL;
	struct sky_errbuf eb;
	ssize_t at = -1;

	sky_err_clear(&eb);
	if (list && hostlist_create(list, &hl, &eb) == 0)
		at = hostlist_find(hl, name);
	hostlist_destroy(hl);
	return (int)at;
}

void step_agent_launch(struct agent *a, const Sky__StepLaunch *sl)
{
	int at = node_index(sl->step->node_list, a->node_name);
	struct sky_errbuf eb;
	pid_t pid;

	if (at < 0) {
		log_error("step %u.%u: node %s is not in the step's nodes %s", sl->job_id,
			  sl->step_id, a->node_name, sl->step->node_list ? sl->step->node_list : "");
		return;
	}
	sky_err_clear(&eb);
	if (step_sup_spawn(a, sl, (uint32_t)at, &pid, &eb)) {
		log_error("step %u.%u: %s", sl->job_id, sl->step_id, sky_err_msg(&eb));
		return;
	}
	log_info("step %u.%u: started (node index %d, pid %ld)", sl->job_id, sl->step_id, at,
		 (long)pid);
}

/* The live step process recorded in pidfile, or 0. */
static pid_t step_pid(const char *dir, const char *name)
{
	struct sky_errbuf eb;
	pid_t pid = 0;
	uint64_t start = 0;

	sky_err_clear(&eb);
	if (spool_read_pid(dir, name, &pid, &start, &eb) || !proc_alive(pid, start))
		return 0;
	return pid;
}

static void deliver(pid_t pid, uint32_t sig)
{
	union sigval v;

	if (!sig) {
		(void)kill(pid, SIGTERM);
		return;
	}
	v.sival_int = (int)sig;
	(void)sigqueue(pid, SIGUSR1, v);
}

void step_agent_signal(struct agent *a, const Sky__StepSignal *ss)
{
	char *path = step_pid_path(a->spool_dir, ss->job_id, ss->step_id);
	pid_t pid = step_pid(a->spool_dir, strrchr(path, '/') + 1);

	if (pid) {
		log_info("step %u.%u: signal %u", ss->job_id, ss->step_id, ss->signal);
		deliver(pid, ss->signal);
	} else {
		log_debug("step %u.%u: not running here", ss->job_id, ss->step_id);
	}
	free(path);
}

static char *alloc_name(uint32_t job_id)
{
	return xasprintf("alloc%u", job_id);
}

void step_agent_job_signal(struct agent *a, const Sky__SignalJob *sj)
{
	char *prefix = xasprintf("step%u.", sj->job_id);
	DIR *d = opendir(a->spool_dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		pid_t pid;
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0 || len < 4 ||
		    strcmp(de->d_name + len - 4, ".pid") != 0)
			continue;
		if (sj->batch_only && sj->signal)
			continue;
		if ((pid = step_pid(a->spool_dir, de->d_name)))
			deliver(pid, sj->signal);
	}
	if (d)
		closedir(d);
	free(prefix);
	if (!sj->signal) {
		char *name = alloc_name(sj->job_id);
		char *path = xasprintf("%s/%s", a->spool_dir, name);
		if (unlink(path) == 0)
			log_info("job %u: allocation released", sj->job_id);
		free(path);
		free(name);
	}
}

bool step_agent_alloc_launch(struct agent *a, const Sky__LaunchJob *lj)
{
	struct sky_errbuf eb;
	char *name;

	if (!lj->job || !lj->job->desc || !lj->job->desc->alloc_only)
		return false;
	name = alloc_name(lj->job_id);
	sky_err_clear(&eb);
	if (spool_mkdir_p(a->spool_dir, 0755, &eb) ||
	    spool_write_atomic(a->spool_dir, name, "", 0, 0600, (uid_t)-1, (gid_t)-1, false, &eb))
		log_error("job %u: allocation marker: %s", lj->job_id, sky_err_msg(&eb));
	else
		log_info("job %u: allocation held for srun", lj->job_id);
	free(name);
	return true;
}

void step_agent_fill_register(struct agent *a, Sky__NodeRegister *reg)
{
	DIR *d = opendir(a->spool_dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char *end;
		unsigned long id;
		Sky__AgentJob *aj;
		if (strncmp(de->d_name, "alloc", 5) != 0)
			continue;
		errno = 0;
		id = strtoul(de->d_name + 5, &end, 10);
		if (errno || *end || end == de->d_name + 5 || id > 0xffffffffUL)
			continue;
		aj = xmalloc(sizeof(*aj));
		sky__agent_job__init(aj);
		aj->job_id = (uint32_t)id;
		aj->has_finished = true;
		aj->finished = false;
		reg->jobs = xrealloc(reg->jobs, (reg->n_jobs + 1) * sizeof(*reg->jobs));
		reg->jobs[reg->n_jobs++] = aj;
	}
	if (d)
		closedir(d);
}
