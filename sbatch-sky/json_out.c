/* json_out.c: --json documents in Slurm's data_parser v0.0.40 shape (see json_out.h). */
#include "config.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli_util.h"
#include "fmt_job.h"
#include "job_cost.h"
#include "json_out.h"
#include "state_names.h"
#include "timefmt.h"
#include "xalloc.h"

typedef struct json_object jobj;

/* ---- small builders ---- */

static jobj *jstr(const char *s)
{
	return json_object_new_string(s ? s : "");
}

static void put(jobj *o, const char *key, jobj *v)
{
	json_object_object_add(o, key, v);
}

static void put_str(jobj *o, const char *key, const char *s)
{
	put(o, key, jstr(s));
}

static void put_int(jobj *o, const char *key, int64_t v)
{
	put(o, key, json_object_new_int64(v));
}

/* {"set":..,"infinite":..,"number":..}: Slurm's optional number. */
static jobj *jnum(bool set, bool infinite, int64_t number)
{
	jobj *o = json_object_new_object();

	put(o, "set", json_object_new_boolean(set));
	put(o, "infinite", json_object_new_boolean(infinite));
	put_int(o, "number", number);
	return o;
}

static jobj *jnum_set(int64_t number)
{
	return jnum(true, false, number);
}

/* A time in minutes where SKY_INFINITE means no limit and NO_VAL unset. */
static jobj *jnum_mins(uint32_t mins)
{
	if (mins == SKY_INFINITE)
		return jnum(false, true, 0);
	if (mins == SKY_NO_VAL)
		return jnum(false, false, 0);
	return jnum_set(mins);
}

static jobj *jstr_array1(const char *s)
{
	jobj *a = json_object_new_array();

	json_object_array_add(a, jstr(s));
	return a;
}

/* ---- meta ---- */

/* meta.command: our argv, read back from /proc so callers need not pass it. */
static jobj *command_array(char **argv)
{
	jobj *a = json_object_new_array();
	char buf[8192];
	ssize_t n = 0;
	int fd;

	if (argv) {
		for (; *argv; argv++)
			json_object_array_add(a, jstr(*argv));
		return a;
	}
	if ((fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1) {
		const char *arg = buf + i;
		/* The program by its base name, as Slurm shows it. */
		if (i == 0 && strrchr(arg, '/'))
			arg = strrchr(arg, '/') + 1;
		json_object_array_add(a, jstr(arg));
	}
	return a;
}

static jobj *meta_new(char **argv, const char *cluster)
{
	jobj *meta = json_object_new_object(), *plugin = json_object_new_object();
	jobj *client = json_object_new_object(), *slurm = json_object_new_object();
	jobj *version = json_object_new_object();
	char user[256], group[256], major[16] = "", minor[16] = "", micro[16] = "";
	char *tty = ttyname(STDIN_FILENO);

	put_str(plugin, "type", "");
	put_str(plugin, "name", "");
	put_str(plugin, "data_parser", "data_parser/v0.0.40");
	put_str(plugin, "accounting_storage", "");
	put(meta, "plugin", plugin);
	put_str(client, "source", tty ? tty : "");
	put_str(client, "user", cli_user_name(getuid(), user, sizeof(user)));
	put_str(client, "group", cli_group_name(getgid(), group, sizeof(group)));
	put(meta, "client", client);
	put(meta, "command", command_array(argv));
	sscanf(PACKAGE_VERSION, "%15[0-9].%15[0-9].%15[0-9]", major, minor, micro);
	put_str(version, "major", major);
	put_str(version, "minor", minor);
	put_str(version, "micro", micro);
	put(slurm, "version", version);
	put_str(slurm, "release", PACKAGE_VERSION);
	put_str(slurm, "cluster", cluster);
	put(meta, "slurm", slurm);
	return meta;
}

static jobj *doc_new(char **argv, const char *cluster)
{
	jobj *doc = json_object_new_object();

	put(doc, "meta", meta_new(argv, cluster));
	put(doc, "errors", json_object_new_array());
	put(doc, "warnings", json_object_new_array());
	return doc;
}

static char *doc_string(jobj *doc)
{
	char *s = xstrdup(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_SPACED |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
	return s;
}

static int print_doc(char *s)
{
	int rc = printf("%s\n", s) < 0 || fflush(stdout) ? 1 : 0;

	free(s);
	return rc;
}

/* ---- jobs ---- */

static jobj *job_state_array(const Sky__JobRecord *j)
{
	jobj *a = jstr_array1(job_state_base_long(j->state));

	if (j->flags & SKY__JOB_FLAG__JOB_FLAG_COMPLETING)
		json_object_array_add(a, jstr("COMPLETING"));
	if (j->flags & SKY__JOB_FLAG__JOB_FLAG_REQUEUED)
		json_object_array_add(a, jstr("REQUEUED"));
	return a;
}

/* exit_code / derived_exit_code: {"status":[..],"return_code":{..},"signal":{"id":{..},"name":".."}} */
static jobj *exit_code_obj(int st, bool finished)
{
	jobj *o = json_object_new_object(), *sig = json_object_new_object();
	const char *status = "PENDING";
	char name[32] = "";

	if (finished)
		status = WIFSIGNALED(st) ? "SIGNALED" : WEXITSTATUS(st) ? "ERROR" : "SUCCESS";
	put(o, "status", jstr_array1(status));
	put(o, "return_code", jnum(finished && !WIFSIGNALED(st), false,
				   WIFSIGNALED(st) ? 0 : WEXITSTATUS(st)));
	put(sig, "id", jnum(finished && WIFSIGNALED(st), false, WIFSIGNALED(st) ? WTERMSIG(st) : 0));
	if (finished && WIFSIGNALED(st) && sigabbrev_np(WTERMSIG(st)))
		snprintf(name, sizeof(name), "SIG%s", sigabbrev_np(WTERMSIG(st)));
	put_str(sig, "name", name);
	put(o, "signal", sig);
	return o;
}

/*
 * slurm-sky's own key (Slurm has no cloud cost): where the optimizer placed a
 * cloud job, its hourly price and what it cost up to now, in dollars as
 * squeue/sacct -o Cost print them. Only for jobs that are or were priced.
 */
static void put_cost(jobj *o, const Sky__JobRecord *j, time_t now)
{
	jobj *c;
	char buf[48];

	if (!job_rec_is_cloud(j))
		return;
	c = json_object_new_object();
	put_str(c, "placement", j->placement ? j->placement : "");
	put_str(c, "price_per_hour",
		money_str(j->has_run_price_u && j->run_price_u ? j->run_price_u : j->placement_price_u,
			  buf, sizeof(buf)));
	put_str(c, "total", money_str(job_rec_cost_now(j, now), buf, sizeof(buf)));
	put(o, "cost", c);
}

static jobj *job_squeue(const Sky__JobRecord *j, time_t now)
{
	jobj *o = json_object_new_object();
	const Sky__JobDesc *d = j->desc;
	char user[256], group[256];
	bool arr = j->has_array_task_id && j->array_job_id;

	put_str(o, "account", d->account);
	put_str(o, "batch_host", j->batch_host);
	put(o, "batch_flag", json_object_new_boolean(true));
	put(o, "array_job_id", jnum_set(arr ? j->array_job_id : 0));
	put(o, "array_task_id", jnum(arr, false, arr ? j->array_task_id : 0));
	put_str(o, "cluster", j->cluster);
	put_str(o, "command", d->command);
	put_str(o, "comment", d->comment);
	put(o, "cpus", jnum_set(j->num_cpus));
	put(o, "cpus_per_task", jnum(d->cpus_per_task != 0, false, d->cpus_per_task));
	put_str(o, "current_working_directory", d->work_dir);
	put_str(o, "dependency", d->dependency);
	put(o, "eligible_time", jnum_set((int64_t)j->eligible_time));
	put(o, "end_time", jnum_set((int64_t)j->end_time));
	put(o, "exit_code", exit_code_obj(j->exit_status, job_state_finished(j->state)));
	put_int(o, "group_id", j->group_id);
	put_str(o, "group_name", j->group_name && *j->group_name ? j->group_name :
				 cli_group_name(j->group_id, group, sizeof(group)));
	put(o, "hold", json_object_new_boolean(j->state == SKY__JOB_STATE__JOB_PENDING &&
					       j->priority == 0));
	put_int(o, "job_id", j->job_id);
	put(o, "job_state", job_state_array(j));
	put(o, "memory_per_node", jnum(j->mem_per_node_mb != 0, false, (int64_t)j->mem_per_node_mb));
	put_str(o, "name", d->name);
	put(o, "node_count", jnum_set(j->num_nodes));
	put_str(o, "nodes", j->start_time ? j->node_list : "");
	put_str(o, "partition", job_partition(j));
	put(o, "priority", jnum_set(j->priority));
	put_str(o, "qos", d->qos);
	put(o, "requeue", json_object_new_boolean(!d->requeue_set || d->requeue));
	put_int(o, "restart_cnt", j->restart_count);
	put_str(o, "standard_error", d->std_err);
	put_str(o, "standard_input", d->std_in);
	put_str(o, "standard_output", d->std_out);
	put(o, "start_time", jnum_set((int64_t)j->start_time));
	put_str(o, "state_description", j->state_desc);
	put_str(o, "state_reason", j->reason ? j->reason : "None");
	put(o, "submit_time", jnum_set((int64_t)j->submit_time));
	put(o, "tasks", jnum_set(j->num_tasks ? j->num_tasks : 1));
	put(o, "time_limit", jnum_mins(j->time_limit_min));
	put_int(o, "user_id", j->user_id);
	put_str(o, "user_name", job_user(j, user, sizeof(user)));
	put_cost(o, j, now);
	return o;
}

char *json_squeue_string(Sky__JobRecord *const *jobs, size_t n, time_t now, char **argv)
{
	jobj *doc = doc_new(argv, n ? jobs[0]->cluster : NULL), *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, job_squeue(jobs[i], now));
	put(doc, "jobs", arr);
	put(doc, "last_backfill", jnum(false, false, 0));
	put(doc, "last_update", jnum_set((int64_t)now));
	return doc_string(doc);
}

int json_print_squeue(Sky__JobRecord *const *jobs, size_t n, time_t now)
{
	return print_doc(json_squeue_string(jobs, n, now, NULL));
}

/* ---- sacct ---- */

static bool ctld_ended(const Sky__JobRecord *j)
{
	return j->state == SKY__JOB_STATE__JOB_CANCELLED || j->state == SKY__JOB_STATE__JOB_TIMEOUT ||
	       j->state == SKY__JOB_STATE__JOB_DEADLINE || j->state == SKY__JOB_STATE__JOB_NODE_FAIL;
}

/* When the job ended, 0 while it has not (a running job's end_time is its expected end). */
static uint64_t ended_at(const Sky__JobRecord *j)
{
	return job_state_finished(j->state) ? j->end_time : 0;
}

static int64_t run_secs(const Sky__JobRecord *j, time_t now)
{
	uint64_t end = ended_at(j) ? ended_at(j) : (uint64_t)now;

	return j->start_time && end > j->start_time ? (int64_t)(end - j->start_time) : 0;
}

static jobj *zero_time(void)
{
	jobj *o = json_object_new_object();

	put_int(o, "seconds", 0);
	put_int(o, "microseconds", 0);
	return o;
}

static jobj *tres_array(const Sky__JobRecord *j)
{
	jobj *a = json_object_new_array();
	static const char *types[] = { "cpu", "mem", "node", "billing" };
	static const int ids[] = { 1, 2, 4, 5 };
	int64_t counts[4];

	counts[0] = j->num_cpus;
	counts[1] = (int64_t)(j->mem_per_node_mb * (j->num_nodes ? j->num_nodes : 1));
	counts[2] = j->num_nodes;
	counts[3] = j->num_cpus;
	for (int i = 0; i < 4; i++) {
		jobj *t;
		if (i == 1 && !counts[1])
			continue;
		t = json_object_new_object();
		put_str(t, "type", types[i]);
		put_str(t, "name", "");
		put_int(t, "id", ids[i]);
		put_int(t, "count", counts[i]);
		json_object_array_add(a, t);
	}
	return a;
}

static jobj *batch_step(const Sky__JobRecord *j, time_t now)
{
	jobj *s = json_object_new_object(), *t = json_object_new_object();
	jobj *nodes = json_object_new_object(), *step = json_object_new_object();
	jobj *tasks = json_object_new_object(), *tres = json_object_new_object();
	const char *state = job_state_base_long(j->state);
	char id[64];

	if (ctld_ended(j))
		state = "CANCELLED";
	put_int(t, "elapsed", run_secs(j, now));
	put(t, "end", jnum(ended_at(j) != 0, false, (int64_t)ended_at(j)));
	put(t, "start", jnum_set((int64_t)j->start_time));
	put_int(t, "suspended", 0);
	put(t, "system", zero_time());
	put(t, "total", zero_time());
	put(t, "user", zero_time());
	put(s, "time", t);
	put(s, "exit_code", exit_code_obj(j->exit_status, job_state_finished(j->state)));
	put_int(nodes, "count", 1);
	put_str(nodes, "range", j->batch_host);
	put(nodes, "list", jstr_array1(j->batch_host));
	put(s, "nodes", nodes);
	put_int(tasks, "count", 1);
	put(s, "tasks", tasks);
	put(s, "state", jstr_array1(state));
	snprintf(id, sizeof(id), "%u.batch", j->job_id);
	put_str(step, "id", id);
	put_str(step, "name", "batch");
	put(s, "step", step);
	put(tres, "allocated", tres_array(j));
	put(tres, "requested", json_object_new_array());
	put(s, "tres", tres);
	return s;
}

static jobj *sacct_time(const Sky__JobRecord *j, time_t now)
{
	jobj *t = json_object_new_object();

	put_int(t, "elapsed", run_secs(j, now));
	put_int(t, "eligible", (int64_t)(j->eligible_time ? j->eligible_time : j->submit_time));
	put_int(t, "end", (int64_t)ended_at(j));
	put_int(t, "start", (int64_t)j->start_time);
	put_int(t, "submission", (int64_t)j->submit_time);
	put_int(t, "suspended", 0);
	put(t, "system", zero_time());
	put(t, "limit", jnum_mins(j->time_limit_min));
	put(t, "total", zero_time());
	put(t, "user", zero_time());
	return t;
}

static jobj *sacct_misc(const Sky__JobRecord *j, jobj *o)
{
	jobj *arr = json_object_new_object(), *assoc = json_object_new_object();
	jobj *state = json_object_new_object(), *req = json_object_new_object();
	jobj *tres = json_object_new_object(), *comment = json_object_new_object();
	bool is_arr = j->has_array_task_id && j->array_job_id;
	char user[256];

	put_int(arr, "job_id", is_arr ? j->array_job_id : 0);
	put(arr, "task_id", jnum(is_arr, false, is_arr ? j->array_task_id : 0));
	put_str(arr, "task", "");
	put(o, "array", arr);
	put_str(assoc, "account", j->desc->account);
	put_str(assoc, "cluster", j->cluster);
	put_str(assoc, "partition", job_partition(j));
	put_str(assoc, "user", job_user(j, user, sizeof(user)));
	put(o, "association", assoc);
	put(state, "current", job_state_array(j));
	put_str(state, "reason", j->reason ? j->reason : "None");
	put(o, "state", state);
	put_int(req, "CPUs", j->num_cpus);
	put(req, "memory_per_node", jnum(j->mem_per_node_mb != 0, false, (int64_t)j->mem_per_node_mb));
	put(o, "required", req);
	put(tres, "allocated", j->start_time ? tres_array(j) : json_object_new_array());
	put(tres, "requested", tres_array(j));
	put(o, "tres", tres);
	put_str(comment, "administrator", "");
	put_str(comment, "job", j->desc->comment);
	put_str(comment, "system", "");
	put(o, "comment", comment);
	return o;
}

static jobj *job_sacct(const Sky__JobRecord *j, time_t now)
{
	jobj *o = json_object_new_object(), *steps = json_object_new_array();
	char user[256], group[256], kill_user[256] = "";
	int st = ctld_ended(j) ? 0 : j->exit_status;

	if (j->state == SKY__JOB_STATE__JOB_CANCELLED && j->has_cancel_uid)
		cli_user_name(j->cancel_uid, kill_user, sizeof(kill_user));
	put_str(o, "account", j->desc->account);
	put_int(o, "allocation_nodes", j->start_time ? j->num_nodes : 0);
	put_str(o, "cluster", j->cluster);
	put_str(o, "constraints", j->desc->constraint);
	put(o, "derived_exit_code", exit_code_obj(0, job_state_finished(j->state)));
	put(o, "time", sacct_time(j, now));
	put(o, "exit_code", exit_code_obj(st, job_state_finished(j->state)));
	put_str(o, "group", j->group_name && *j->group_name ? j->group_name :
			    cli_group_name(j->group_id, group, sizeof(group)));
	put_int(o, "job_id", j->job_id);
	put_str(o, "name", j->desc->name);
	put_str(o, "nodes", j->start_time ? j->node_list : "None assigned");
	put_str(o, "partition", job_partition(j));
	put(o, "hold", json_object_new_boolean(j->state == SKY__JOB_STATE__JOB_PENDING &&
					       j->priority == 0));
	put(o, "priority", jnum_set(j->priority));
	put_str(o, "qos", j->desc->qos ? j->desc->qos : "normal");
	put_str(o, "kill_request_user", kill_user);
	put_int(o, "restart_cnt", j->restart_count);
	put_str(o, "submit_line", j->desc->submit_line);
	put_str(o, "user", job_user(j, user, sizeof(user)));
	put_str(o, "working_directory", j->desc->work_dir);
	sacct_misc(j, o);
	put_cost(o, j, now);
	if (j->start_time && j->batch_host && *j->batch_host)
		json_object_array_add(steps, batch_step(j, now));
	put(o, "steps", steps);
	return o;
}

char *json_sacct_string(Sky__JobRecord *const *jobs, size_t n, time_t now, char **argv)
{
	jobj *doc = doc_new(argv, n ? jobs[0]->cluster : NULL), *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, job_sacct(jobs[i], now));
	put(doc, "jobs", arr);
	return doc_string(doc);
}

int json_print_sacct(Sky__JobRecord *const *jobs, size_t n, time_t now)
{
	return print_doc(json_sacct_string(jobs, n, now, NULL));
}

/* ---- sinfo ---- */

static const char *node_base_name(Sky__NodeState st)
{
	switch (st) {
	case SKY__NODE_STATE__NODE_IDLE: return "IDLE";
	case SKY__NODE_STATE__NODE_ALLOCATED: return "ALLOCATED";
	case SKY__NODE_STATE__NODE_MIXED: return "MIXED";
	case SKY__NODE_STATE__NODE_DOWN: return "DOWN";
	case SKY__NODE_STATE__NODE_DRAIN: return "IDLE";
	case SKY__NODE_STATE__NODE_FUTURE: return "FUTURE";
	case SKY__NODE_STATE__NODE_CLOUD: return "IDLE";
	default: return "UNKNOWN";
	}
}

static jobj *node_state_array(const Sky__NodeInfo *n)
{
	jobj *a = jstr_array1(node_base_name(n->state));
	static const struct { uint32_t bit; const char *name; } flags[] = {
		{ SKY__NODE_FLAG__NODE_FLAG_DRAIN, "DRAIN" },
		{ SKY__NODE_FLAG__NODE_FLAG_COMPLETING, "COMPLETING" },
		{ SKY__NODE_FLAG__NODE_FLAG_NOT_RESPONDING, "NOT_RESPONDING" },
		{ SKY__NODE_FLAG__NODE_FLAG_POWERED_DOWN, "POWERED_DOWN" },
		{ SKY__NODE_FLAG__NODE_FLAG_POWERING_UP, "POWERING_UP" },
		{ SKY__NODE_FLAG__NODE_FLAG_POWERING_DOWN, "POWERING_DOWN" },
	};

	if (n->state == SKY__NODE_STATE__NODE_DRAIN && !(n->state_flags & SKY__NODE_FLAG__NODE_FLAG_DRAIN))
		json_object_array_add(a, jstr("DRAIN"));
	if (n->state == SKY__NODE_STATE__NODE_CLOUD)
		json_object_array_add(a, jstr("CLOUD"));
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (n->state_flags & flags[i].bit)
			json_object_array_add(a, jstr(flags[i].name));
	return a;
}

/* A comma list as a JSON array of strings. */
static jobj *list_array(const char *list)
{
	jobj *a = json_object_new_array();
	char *copy = xstrdup(list ? list : ""), *item = copy;

	while (item && *item) {
		char *comma = strchr(item, ',');
		if (comma)
			*comma = '\0';
		if (*item)
			json_object_array_add(a, jstr(item));
		item = comma ? comma + 1 : NULL;
	}
	free(copy);
	return a;
}

static jobj *node_obj(const Sky__NodeInfo *n)
{
	jobj *o = json_object_new_object();

	put_str(o, "name", n->name);
	put_str(o, "hostname", n->hostname && *n->hostname ? n->hostname : n->name);
	put_str(o, "address", n->addr ? n->addr : n->name);
	put(o, "state", node_state_array(n));
	put_int(o, "cpus", n->cpus);
	put_int(o, "alloc_cpus", n->alloc_cpus);
	put_int(o, "alloc_idle_cpus", n->cpus > n->alloc_cpus ? n->cpus - n->alloc_cpus : 0);
	put_int(o, "real_memory", (int64_t)n->real_memory_mb);
	put_int(o, "alloc_memory", (int64_t)n->alloc_memory_mb);
	put(o, "free_mem", jnum(n->has_free_mem_mb, false, (int64_t)n->free_mem_mb));
	put_int(o, "sockets", n->sockets);
	put_int(o, "cores", n->cores_per_socket);
	put_int(o, "threads", n->threads_per_core);
	put_str(o, "architecture", n->arch);
	put_str(o, "operating_system", n->os);
	put_str(o, "gres", n->gres);
	put(o, "features", list_array(n->features));
	put(o, "partitions", list_array(n->partitions));
	put_str(o, "reason", n->reason);
	put(o, "reason_changed_at", jnum_set((int64_t)n->reason_time));
	put(o, "boot_time", jnum_set((int64_t)n->boot_time));
	put(o, "last_busy", jnum_set((int64_t)n->last_busy));
	put(o, "slurmd_start_time", jnum_set((int64_t)n->slurmd_start_time));
	put_str(o, "version", n->version);
	return o;
}

static jobj *part_obj(const Sky__PartitionInfo *p, const char *cluster)
{
	jobj *o = json_object_new_object(), *nodes = json_object_new_object();
	jobj *state = json_object_new_object(), *max = json_object_new_object();
	jobj *def = json_object_new_object(), *cpus = json_object_new_object();
	jobj *flags = json_object_new_array();

	put_str(o, "name", p->name);
	put_str(o, "cluster", cluster);
	put_str(nodes, "configured", p->nodes);
	put_int(nodes, "total", p->total_nodes);
	put(o, "nodes", nodes);
	put(state, "state", jstr_array1(p->state ? p->state : p->up ? "UP" : "DOWN"));
	put(o, "partition", state);
	put(max, "time", jnum_mins(p->max_time_min));
	put(max, "nodes", jnum(p->max_nodes != 0, p->max_nodes == SKY_INFINITE, p->max_nodes == SKY_INFINITE ? 0 : p->max_nodes));
	put(o, "maximums", max);
	put(def, "time", jnum_mins(p->default_time_min ? p->default_time_min : SKY_NO_VAL));
	put(o, "defaults", def);
	put_int(cpus, "total", p->total_cpus);
	put(o, "cpus", cpus);
	if (p->is_default)
		json_object_array_add(flags, jstr("DEFAULT"));
	put(o, "flags", flags);
	return o;
}

static bool node_in_part(const Sky__NodeInfo *n, const char *part)
{
	return cli_list_has(n->partitions, part);
}

/* One "sinfo" entry: the nodes of partition p in the state of node k (and the same state). */
static jobj *sinfo_entry(const Sky__NodeInfoReply *r, const Sky__PartitionInfo *p, size_t k,
			 bool *done)
{
	const Sky__NodeInfo *ref = r->nodes[k];
	jobj *o = json_object_new_object(), *node = json_object_new_object();
	jobj *nodes = json_object_new_object(), *cpus = json_object_new_object();
	jobj *mem = json_object_new_object(), *names = json_object_new_array();
	int64_t alloc = 0, idle = 0, total = 0, cpu_alloc = 0, cpu_total = 0, mem_min = -1, mem_max = 0;

	for (size_t i = k; i < r->n_nodes; i++) {
		const Sky__NodeInfo *n = r->nodes[i];
		if (done[i] || !node_in_part(n, p->name) || n->state != ref->state ||
		    n->state_flags != ref->state_flags)
			continue;
		done[i] = true;
		json_object_array_add(names, jstr(n->name));
		total++;
		alloc += n->alloc_cpus > 0;
		idle += n->alloc_cpus == 0;
		cpu_alloc += n->alloc_cpus;
		cpu_total += n->cpus;
		if (mem_min < 0 || (int64_t)n->real_memory_mb < mem_min)
			mem_min = (int64_t)n->real_memory_mb;
		if ((int64_t)n->real_memory_mb > mem_max)
			mem_max = (int64_t)n->real_memory_mb;
	}
	put(node, "state", node_state_array(ref));
	put(o, "node", node);
	put_int(nodes, "allocated", alloc);
	put_int(nodes, "idle", idle);
	put_int(nodes, "other", 0);
	put_int(nodes, "total", total);
	put(nodes, "nodes", names);
	put(o, "nodes", nodes);
	put_int(cpus, "allocated", cpu_alloc);
	put_int(cpus, "idle", cpu_total - cpu_alloc);
	put_int(cpus, "other", 0);
	put_int(cpus, "total", cpu_total);
	put(o, "cpus", cpus);
	put_int(mem, "minimum", mem_min < 0 ? 0 : mem_min);
	put_int(mem, "maximum", mem_max);
	put(o, "memory", mem);
	put_str(o, "cluster", r->cluster);
	put(o, "partition", part_obj(p, r->cluster));
	return o;
}

char *json_sinfo_string(const Sky__NodeInfoReply *r, char **argv)
{
	jobj *doc = doc_new(argv, r->cluster), *entries = json_object_new_array();
	jobj *nodes = json_object_new_array(), *parts = json_object_new_array();
	bool *done = xcalloc(r->n_nodes + 1, sizeof(*done));

	for (size_t pi = 0; pi < r->n_partitions; pi++) {
		memset(done, 0, (r->n_nodes + 1) * sizeof(*done));
		for (size_t k = 0; k < r->n_nodes; k++)
			if (!done[k] && node_in_part(r->nodes[k], r->partitions[pi]->name))
				json_object_array_add(entries,
						      sinfo_entry(r, r->partitions[pi], k, done));
		json_object_array_add(parts, part_obj(r->partitions[pi], r->cluster));
	}
	for (size_t k = 0; k < r->n_nodes; k++)
		json_object_array_add(nodes, node_obj(r->nodes[k]));
	free(done);
	put(doc, "sinfo", entries);
	put(doc, "nodes", nodes);
	put(doc, "partitions", parts);
	return doc_string(doc);
}

int json_print_sinfo(const Sky__NodeInfoReply *r)
{
	return print_doc(json_sinfo_string(r, NULL));
}
