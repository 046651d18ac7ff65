/*
 * tests_sacct.c: sacct's fields and layouts (slurm.md 3.6) and the --json
 * documents of squeue, sacct and sinfo (data_parser v0.0.40 shape).
 */
#include "config.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include <json-c/json.h>

#include "../tests/unit/unit.h"
#include "json_out.h"
#include "sacct_fields.h"
#include "timefmt.h"

static Sky__JobDesc desc;
static Sky__JobRecord rec;

/* A job 42 "hello" of alice on node1, finished with state st and wait status ws. */
static Sky__JobRecord *job(Sky__JobState st, int ws)
{
	sky__job_desc__init(&desc);
	sky__job_record__init(&rec);
	desc.name = "hello";
	desc.account = "physics";
	desc.work_dir = "/home/alice";
	rec.desc = &desc;
	rec.job_id = 42;
	rec.user_id = 1000;
	rec.group_id = 1000;
	rec.user_name = "alice";
	rec.group_name = "alice";
	rec.state = st;
	rec.partition = "debug";
	rec.node_list = "node1";
	rec.batch_host = "node1";
	rec.num_nodes = 1;
	rec.num_cpus = 2;
	rec.cpus_per_node = 2;
	rec.submit_time = 1700000000;
	rec.start_time = 1700000010;
	rec.end_time = st == SKY__JOB_STATE__JOB_RUNNING ? 0 : 1700000075;
	rec.time_limit_min = 30;
	rec.has_exit_status = true;
	rec.exit_status = ws;
	rec.cluster = "sky";
	return &rec;
}

static char *line_for(const char *format, const Sky__JobRecord *j, bool step, int parsable,
		      const char *delim)
{
	struct acct_col *cols;
	size_t n;
	struct sky_errbuf eb;
	struct acct_out o = { .parsable = parsable, .delim = delim };
	struct acct_row r = { .job = j, .step = step, .now = 1700000100 };
	char *s;

	sky_err_clear(&eb);
	ck_assert_int_eq(acct_cols_parse(format, &cols, &n, &eb), 0);
	s = acct_line(cols, n, &r, &o);
	free(cols);
	return s;
}

static void expect_line(const char *format, const Sky__JobRecord *j, bool step, int parsable,
			const char *want)
{
	char *got = line_for(format, j, step, parsable, NULL);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_default_header)
{
	struct acct_col *cols;
	size_t n;
	struct sky_errbuf eb;
	struct acct_out o = { 0 };
	char *h;

	sky_err_clear(&eb);
	ck_assert_int_eq(acct_cols_parse(SACCT_FMT_DEFAULT, &cols, &n, &eb), 0);
	ck_assert_uint_eq(n, 7);
	h = acct_header(cols, n, &o);
	ck_assert_str_eq(h, "JobID           JobName  Partition    Account  AllocCPUS      State ExitCode \n"
			    "------------ ---------- ---------- ---------- ---------- ---------- -------- \n");
	free(h);
	o.parsable = 2;
	h = acct_header(cols, n, &o);
	ck_assert_str_eq(h, "JobID|JobName|Partition|Account|AllocCPUS|State|ExitCode\n");
	free(h);
	o.parsable = 1;
	o.delim = ",";
	h = acct_header(cols, n, &o);
	ck_assert_str_eq(h, "JobID,JobName,Partition,Account,AllocCPUS,State,ExitCode,\n");
	free(h);
	free(cols);
}
END_TEST

START_TEST(test_completed_rows)
{
	Sky__JobRecord *j = job(SKY__JOB_STATE__JOB_COMPLETE, 0);

	expect_line(SACCT_FMT_DEFAULT, j, false, 0,
		    "42                hello      debug    physics          2  COMPLETED      0:0 \n");
	expect_line(SACCT_FMT_DEFAULT, j, true, 0,
		    "42.batch          batch               physics          2  COMPLETED      0:0 \n");
	expect_line(SACCT_FMT_DEFAULT, j, false, 2, "42|hello|debug|physics|2|COMPLETED|0:0\n");
	expect_line(SACCT_FMT_DEFAULT, j, true, 1, "42.batch|batch||physics|2|COMPLETED|0:0|\n");
	ck_assert(acct_has_batch_step(j));
	j->start_time = 0;
	ck_assert(!acct_has_batch_step(j));
}
END_TEST

START_TEST(test_failed_and_killed)
{
	Sky__JobRecord *j = job(SKY__JOB_STATE__JOB_FAILED, 3 << 8);

	expect_line("jobid,state,exitcode", j, false, 2, "42|FAILED|3:0\n");
	expect_line("jobid,state,exitcode", j, true, 2, "42.batch|FAILED|3:0\n");
	/* A script killed by a signal: exit:signal */
	j = job(SKY__JOB_STATE__JOB_FAILED, SIGKILL);
	expect_line("jobid,state,exitcode", j, false, 2, "42|FAILED|0:9\n");
	/* Cancelled while running: the job row names the canceller, the batch step was killed. */
	j = job(SKY__JOB_STATE__JOB_CANCELLED, SIGTERM);
	j->has_cancel_uid = true;
	j->cancel_uid = 1000;
	expect_line("jobid,state,exitcode", j, false, 2, "42|CANCELLED by 1000|0:0\n");
	expect_line("jobid,state,exitcode", j, true, 2, "42.batch|CANCELLED|0:15\n");
	expect_line(SACCT_FMT_BRIEF, j, false, 0, "42           CANCELLED+      0:0 \n");
	/* Time limit: TIMEOUT on the job, CANCELLED on its batch step. */
	j = job(SKY__JOB_STATE__JOB_TIMEOUT, SIGTERM);
	expect_line("jobid,state,exitcode", j, false, 2, "42|TIMEOUT|0:0\n");
	expect_line("jobid,state,exitcode", j, true, 2, "42.batch|CANCELLED|0:15\n");
}
END_TEST

START_TEST(test_widths_and_cut)
{
	Sky__JobRecord *j = job(SKY__JOB_STATE__JOB_COMPLETE, 0);

	desc.name = "a_rather_long_name";
	expect_line("jobname", j, false, 0, "a_rather_+ \n");
	expect_line("jobname%-20", j, false, 0, "a_rather_long_name   \n");
	expect_line("jobname%20", j, false, 0, "  a_rather_long_name \n");
	expect_line("jobname%5,jobid%-4", j, false, 0, "a_ra+ 42   \n");
	j->job_id = 1234567;
	expect_line("JobID", j, true, 0, "1234567.bat+ \n");
	expect_line("JOBIDRAW", j, true, 2, "1234567.batch\n");
	/* Array tasks show as A_i; JobIDRaw keeps the real id. */
	j->array_job_id = 1234560;
	j->has_array_task_id = true;
	j->array_task_id = 7;
	expect_line("jobid,jobidraw", j, false, 2, "1234560_7|1234567\n");
}
END_TEST

START_TEST(test_more_fields)
{
	Sky__JobRecord *j = job(SKY__JOB_STATE__JOB_COMPLETE, 0);
	char want[512], s1[64], s2[64], s3[64];

	expect_line("elapsed,cputime,cputimeraw,elapsedraw,timelimit", j, false, 2,
		    "00:01:05|00:02:10|130|65|00:30:00\n");
	expect_line("user,uid,group,gid,nnodes,nodelist,ntasks,workdir", j, false, 2,
		    "alice|1000|alice|1000|1|node1||/home/alice\n");
	expect_line("user,uid,nnodes,nodelist,ntasks,workdir", j, true, 2, "||1|node1|1|\n");
	snprintf(want, sizeof(want), "%s|%s|%s\n", timestamp_str(1700000000, s1, sizeof(s1)),
		 timestamp_str(1700000010, s2, sizeof(s2)), timestamp_str(1700000075, s3, sizeof(s3)));
	expect_line("submit,start,end", j, false, 2, want);
	j = job(SKY__JOB_STATE__JOB_PENDING, 0);
	j->start_time = 0;
	j->end_time = 0;
	j->reason = "Priority";
	expect_line("state,start,end,nodelist,reason,alloccpus,elapsed", j, false, 2,
		    "PENDING|Unknown|Unknown|None assigned|Priority|2|00:00:00\n");
	/* Running: elapsed counts up to now (1700000100). */
	j = job(SKY__JOB_STATE__JOB_RUNNING, 0);
	expect_line("state,elapsed,exitcode", j, false, 2, "RUNNING|00:01:30|0:0\n");
	/* A running job's end_time is its expected end: not an end yet. */
	j->end_time = 1700001810;
	expect_line("state,elapsed,end", j, false, 2, "RUNNING|00:01:30|Unknown\n");
}
END_TEST

START_TEST(test_unknown_field)
{
	struct acct_col *cols = NULL;
	size_t n;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	ck_assert_int_eq(acct_cols_parse("jobid,bogus", &cols, &n, &eb), SKY_E_INVAL);
	ck_assert_str_eq(sky_err_msg(&eb), "Invalid field requested: \"bogus\"");
	/* Every field of the built-in lists exists; names are case-insensitive. */
	ck_assert_int_eq(acct_cols_parse(SACCT_FMT_LONG, &cols, &n, &eb), 0);
	ck_assert_uint_eq(n, 16);
	free(cols);
	ck_assert_int_eq(acct_cols_parse("JOBID,ExitCode%3", &cols, &n, &eb), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(cols[1].width, 3);
	ck_assert_int_eq(cols[0].width, -12);
	free(cols);
}
END_TEST

static json_object *get(json_object *o, const char *path)
{
	char *copy = xstrdup(path), *p = copy, *dot;

	while (o && p) {
		json_object *next = NULL;
		if ((dot = strchr(p, '.')))
			*dot = '\0';
		if (json_object_is_type(o, json_type_array))
			next = json_object_array_get_idx(o, (size_t)atoi(p));
		else
			json_object_object_get_ex(o, p, &next);
		o = next;
		p = dot ? dot + 1 : NULL;
	}
	free(copy);
	ck_assert_msg(o != NULL, "no %s", path);
	return o;
}

static void expect_json_str(json_object *doc, const char *path, const char *want)
{
	ck_assert_str_eq(json_object_get_string(get(doc, path)), want);
}

static void expect_json_int(json_object *doc, const char *path, int64_t want)
{
	ck_assert_int_eq(json_object_get_int64(get(doc, path)), want);
}

static char *argv_json[] = { "squeue", "--json", NULL };

START_TEST(test_json_squeue)
{
	Sky__JobRecord *j = job(SKY__JOB_STATE__JOB_FAILED, 3 << 8);
	Sky__JobRecord *list[] = { j };
	char *s = json_squeue_string(list, 1, 1700000100, argv_json);
	json_object *doc = json_tokener_parse(s);

	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(json_object_array_length(get(doc, "errors")), 0);
	ck_assert_int_eq(json_object_array_length(get(doc, "warnings")), 0);
	expect_json_str(doc, "meta.plugin.data_parser", "data_parser/v0.0.40");
	expect_json_str(doc, "meta.command.1", "--json");
	expect_json_int(doc, "jobs.0.job_id", 42);
	expect_json_str(doc, "jobs.0.name", "hello");
	expect_json_str(doc, "jobs.0.user_name", "alice");
	expect_json_str(doc, "jobs.0.partition", "debug");
	expect_json_str(doc, "jobs.0.job_state.0", "FAILED");
	expect_json_str(doc, "jobs.0.nodes", "node1");
	expect_json_int(doc, "jobs.0.start_time.number", 1700000010);
	ck_assert(json_object_get_boolean(get(doc, "jobs.0.start_time.set")));
	ck_assert(!json_object_get_boolean(get(doc, "jobs.0.start_time.infinite")));
	expect_json_int(doc, "jobs.0.time_limit.number", 30);
	expect_json_str(doc, "jobs.0.exit_code.status.0", "ERROR");
	expect_json_int(doc, "jobs.0.exit_code.return_code.number", 3);
	ck_assert(!json_object_get_boolean(get(doc, "jobs.0.exit_code.signal.id.set")));
	json_object_put(doc);
	free(s);
	/* No time limit is "infinite". */
	j->time_limit_min = SKY_INFINITE;
	j->state = SKY__JOB_STATE__JOB_CANCELLED;
	j->exit_status = SIGKILL;
	s = json_squeue_string(list, 1, 1700000100, argv_json);
	doc = json_tokener_parse(s);
	ck_assert(json_object_get_boolean(get(doc, "jobs.0.time_limit.infinite")));
	expect_json_str(doc, "jobs.0.exit_code.status.0", "SIGNALED");
	expect_json_int(doc, "jobs.0.exit_code.signal.id.number", 9);
	expect_json_str(doc, "jobs.0.exit_code.signal.name", "SIGKILL");
	json_object_put(doc);
	free(s);
}
END_TEST

START_TEST(test_json_sacct)
{
	Sky__JobRecord *j = job(SKY__JOB_STATE__JOB_TIMEOUT, SIGTERM);
	Sky__JobRecord *list[] = { j };
	char *s = json_sacct_string(list, 1, 1700000100, argv_json);
	json_object *doc = json_tokener_parse(s);

	ck_assert_ptr_nonnull(doc);
	expect_json_int(doc, "jobs.0.job_id", 42);
	expect_json_str(doc, "jobs.0.state.current.0", "TIMEOUT");
	expect_json_int(doc, "jobs.0.time.elapsed", 65);
	expect_json_int(doc, "jobs.0.time.start", 1700000010);
	expect_json_int(doc, "jobs.0.time.limit.number", 30);
	expect_json_str(doc, "jobs.0.exit_code.status.0", "SUCCESS");
	expect_json_str(doc, "jobs.0.steps.0.step.id", "42.batch");
	expect_json_str(doc, "jobs.0.steps.0.step.name", "batch");
	expect_json_str(doc, "jobs.0.steps.0.state.0", "CANCELLED");
	expect_json_int(doc, "jobs.0.steps.0.exit_code.signal.id.number", 15);
	expect_json_str(doc, "jobs.0.user", "alice");
	/* Not a cloud job: no cost key. */
	ck_assert(!json_object_object_get_ex(get(doc, "jobs.0"), "cost", NULL));
	json_object_put(doc);
	free(s);
}
END_TEST

START_TEST(test_json_cost)
{
	Sky__JobRecord *j = job(SKY__JOB_STATE__JOB_COMPLETE, 0);
	Sky__JobRecord *list[] = { j };
	char *s, *q;
	json_object *doc, *qdoc;

	j->placement = "aws us-east-1a p4d.24xlarge spot x1 = $10.1866/h";
	j->has_placement_price_u = j->has_cost_u = true;
	j->placement_price_u = 10186600;
	j->cost_u = 1234500;
	s = json_sacct_string(list, 1, 1700000100, argv_json);
	q = json_squeue_string(list, 1, 1700000100, argv_json);
	doc = json_tokener_parse(s);
	qdoc = json_tokener_parse(q);
	ck_assert_ptr_nonnull(doc);
	ck_assert_ptr_nonnull(qdoc);
	expect_json_str(doc, "jobs.0.cost.total", "1.2345");
	expect_json_str(doc, "jobs.0.cost.price_per_hour", "10.1866");
	expect_json_str(doc, "jobs.0.cost.placement", j->placement);
	expect_json_str(qdoc, "jobs.0.cost.total", "1.2345");
	j->placement = NULL;
	json_object_put(doc);
	json_object_put(qdoc);
	free(s);
	free(q);
}
END_TEST

START_TEST(test_json_sinfo)
{
	Sky__NodeInfoReply r = SKY__NODE_INFO_REPLY__INIT;
	Sky__NodeInfo n1 = SKY__NODE_INFO__INIT, n2 = SKY__NODE_INFO__INIT;
	Sky__PartitionInfo p = SKY__PARTITION_INFO__INIT;
	Sky__NodeInfo *nodes[] = { &n1, &n2 };
	Sky__PartitionInfo *parts[] = { &p };
	json_object *doc;
	char *s;

	n1.name = "node1";
	n1.state = SKY__NODE_STATE__NODE_IDLE;
	n1.cpus = 4;
	n1.partitions = "debug";
	n2.name = "node2";
	n2.state = SKY__NODE_STATE__NODE_MIXED;
	n2.cpus = 4;
	n2.alloc_cpus = 1;
	n2.partitions = "debug";
	p.name = "debug";
	p.is_default = true;
	p.state = "UP";
	p.max_time_min = SKY_INFINITE;
	p.nodes = "node[1-2]";
	p.total_nodes = 2;
	r.nodes = nodes;
	r.n_nodes = 2;
	r.partitions = parts;
	r.n_partitions = 1;
	r.cluster = "sky";
	s = json_sinfo_string(&r, argv_json);
	doc = json_tokener_parse(s);
	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(json_object_array_length(get(doc, "sinfo")), 2);
	expect_json_str(doc, "sinfo.0.node.state.0", "IDLE");
	expect_json_str(doc, "sinfo.0.nodes.nodes.0", "node1");
	expect_json_str(doc, "sinfo.1.node.state.0", "MIXED");
	expect_json_int(doc, "sinfo.1.cpus.allocated", 1);
	expect_json_str(doc, "sinfo.1.partition.name", "debug");
	ck_assert(json_object_get_boolean(get(doc, "sinfo.1.partition.maximums.time.infinite")));
	expect_json_str(doc, "nodes.1.name", "node2");
	expect_json_str(doc, "partitions.0.partition.state.0", "UP");
	expect_json_str(doc, "meta.slurm.cluster", "sky");
	json_object_put(doc);
	free(s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sacct");
	TCase *tc = tcase_create("core");

	setenv("TZ", "UTC", 1);
	tcase_add_test(tc, test_default_header);
	tcase_add_test(tc, test_completed_rows);
	tcase_add_test(tc, test_failed_and_killed);
	tcase_add_test(tc, test_widths_and_cut);
	tcase_add_test(tc, test_more_fields);
	tcase_add_test(tc, test_unknown_field);
	tcase_add_test(tc, test_json_squeue);
	tcase_add_test(tc, test_json_sacct);
	tcase_add_test(tc, test_json_cost);
	tcase_add_test(tc, test_json_sinfo);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
