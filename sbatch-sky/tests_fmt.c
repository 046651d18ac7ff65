/*
 * tests_fmt.c: the squeue/sinfo format machinery, job and node state names,
 * and the scontrol show job layout.
 */
#include "config.h"

#include <time.h>

#include "../tests/unit/unit.h"
#include "cli_util.h"
#include "fmt.h"
#include "fmt_job.h"
#include "fmt_node.h"
#include "show_job.h"
#include "state_names.h"
#include "timefmt.h"

static char *put(const char *s, int width, bool right, bool cut)
{
	char *line = xstrdup("");
	fmt_put(&line, s, width, right, cut);
	return line;
}

static void expect_put(const char *s, int width, bool right, bool cut, const char *want)
{
	char *got = put(s, width, right, cut);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_fmt_put)
{
	expect_put("abcdef", 4, false, true, "abcd");     /* left: always cut */
	expect_put("abcdef", 4, false, false, "abcd");
	expect_put("ab", 4, false, true, "ab  ");
	expect_put("abcdef", 4, true, false, "abcdef");   /* right: cut only when asked */
	expect_put("abcdef", 4, true, true, "abcd");
	expect_put("ab", 4, true, true, "  ab");
	expect_put("abcdef", 0, true, true, "abcdef");
	expect_put(NULL, 0, false, true, "(null)");
}
END_TEST

START_TEST(test_fmt_parse)
{
	struct fmt_spec s;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	ck_assert_ok(fmt_parse(SQUEUE_FMT_DEFAULT, job_fmt_codes(), "job", &s, &eb), &eb);
	ck_assert_uint_eq(s.n, 8);
	ck_assert_str_eq(s.prefix, "");
	ck_assert_int_eq(s.fields[0].code, 'i');
	ck_assert_int_eq(s.fields[0].width, 18);
	ck_assert(s.fields[0].right);
	ck_assert_str_eq(s.fields[0].suffix, " ");
	ck_assert_int_eq(s.fields[7].code, 'R');
	ck_assert_int_eq(s.fields[7].width, 0);
	ck_assert(!s.fields[7].right);
	ck_assert_str_eq(s.fields[7].suffix, "");
	fmt_spec_free(&s);

	ck_assert_ok(fmt_parse("x%%y %i!%#P", "iP", "job", &s, &eb), &eb);
	ck_assert_str_eq(s.prefix, "x%y ");
	ck_assert_str_eq(s.fields[0].suffix, "!");
	ck_assert_int_eq(s.fields[1].width, FMT_WIDTH_AUTO);
	fmt_spec_free(&s);

	ck_assert_int_eq(fmt_parse("%.5i %z", job_fmt_codes(), "job", &s, &eb), SKY_E_INVAL);
	ck_assert_str_eq(eb.msg, "Invalid job format specification: z");
}
END_TEST

static void job_init(Sky__JobRecord *j, Sky__JobDesc *d)
{
	sky__job_record__init(j);
	sky__job_desc__init(d);
	j->desc = d;
	j->job_id = 5;
	j->user_id = 1000;
	j->group_id = 1000;
	j->user_name = "alice";
	j->group_name = "staff";
	j->partition = "debug";
	j->num_nodes = 1;
	j->num_cpus = 1;
	j->time_limit_min = SKY_INFINITE;
	d->name = "test";
}

static void expect_line(const char *format, const Sky__JobRecord *j, time_t now, const char *want)
{
	struct fmt_spec s;
	struct sky_errbuf eb;
	char *line;

	sky_err_clear(&eb);
	ck_assert_ok(fmt_parse(format, job_fmt_codes(), "job", &s, &eb), &eb);
	line = j ? job_fmt_line(&s, j, now) : job_fmt_header(&s);
	ck_assert_str_eq(line, want);
	free(line);
	fmt_spec_free(&s);
}

START_TEST(test_squeue_default_lines)
{
	Sky__JobRecord j;
	Sky__JobDesc d;
	time_t now = 1700000000;

	job_init(&j, &d);
	expect_line(SQUEUE_FMT_DEFAULT, NULL, now,
		    "             JOBID PARTITION     NAME     USER ST       TIME  NODES NODELIST(REASON)");
	expect_line(SQUEUE_FMT_DEFAULT, &j, now,
		    "                 5     debug     test    alice PD       0:00      1 (None)");
	j.reason = "Resources";
	expect_line("%R|%r", &j, now, "(Resources)|Resources");
	j.state_desc = "ReqNodeNotAvail, UnavailableNodes:n3";
	expect_line("%R", &j, now, "(ReqNodeNotAvail, UnavailableNodes:n3)");
	j.state_desc = NULL;

	j.state = SKY__JOB_STATE__JOB_RUNNING;
	j.start_time = (uint64_t)now - 3725;
	j.node_list = "node[1-12]";
	d.name = "averyverylongname";
	expect_line(SQUEUE_FMT_DEFAULT, &j, now,
		    "                 5     debug averyver    alice  R    1:02:05      1 node[1-12]");
	expect_line("%.3N|%T|%l|%L", &j, now, "node[1-12]|RUNNING|UNLIMITED|UNLIMITED");
	j.time_limit_min = 70;
	expect_line("%l|%L|%M", &j, now, "1:10:00|7:55|1:02:05");

	j.state = SKY__JOB_STATE__JOB_CANCELLED;
	j.flags = SKY__JOB_FLAG__JOB_FLAG_COMPLETING;
	expect_line("%t %T %R", &j, now, "CG COMPLETING node[1-12]");
	j.flags = 0;
	j.state = SKY__JOB_STATE__JOB_FAILED;
	j.reason = "NonZeroExitCode";
	expect_line("%2t %R", &j, now, "F  (NonZeroExitCode)");
	expect_line("%i %U %u %C %D %j", &j, now, "5 1000 alice 1 1 averyverylongname");
}
END_TEST

START_TEST(test_job_states)
{
	uint32_t code;

	ck_assert_str_eq(job_state_compact(SKY__JOB_STATE__JOB_PENDING, 0), "PD");
	ck_assert_str_eq(job_state_compact(SKY__JOB_STATE__JOB_COMPLETE, 0), "CD");
	ck_assert_str_eq(job_state_compact(SKY__JOB_STATE__JOB_OOM, 0), "OOM");
	ck_assert_str_eq(job_state_long(SKY__JOB_STATE__JOB_OOM, 0), "OUT_OF_MEMORY");
	ck_assert_str_eq(job_state_long(SKY__JOB_STATE__JOB_COMPLETE, 0), "COMPLETED");
	ck_assert_str_eq(job_state_long(SKY__JOB_STATE__JOB_RUNNING, SKY__JOB_FLAG__JOB_FLAG_COMPLETING),
			 "COMPLETING");
	ck_assert(job_state_parse("pd", &code) && code == SKY__JOB_STATE__JOB_PENDING);
	ck_assert(job_state_parse("Running", &code) && code == SKY__JOB_STATE__JOB_RUNNING);
	ck_assert(job_state_parse("CG", &code) && code == JOB_STATE_F_COMPLETING);
	ck_assert(job_state_matches(code, SKY__JOB_STATE__JOB_CANCELLED, SKY__JOB_FLAG__JOB_FLAG_COMPLETING));
	ck_assert(!job_state_matches(code, SKY__JOB_STATE__JOB_CANCELLED, 0));
	ck_assert(!job_state_parse("bogus", &code));
	ck_assert(job_state_active(SKY__JOB_STATE__JOB_SUSPENDED, 0));
	ck_assert(!job_state_active(SKY__JOB_STATE__JOB_COMPLETE, 0));
	ck_assert(job_state_active(SKY__JOB_STATE__JOB_COMPLETE, SKY__JOB_FLAG__JOB_FLAG_COMPLETING));
}
END_TEST

static void expect_node(uint32_t state, uint32_t flags, const char *compact, const char *lng,
			const char *complete)
{
	char b[128];

	ck_assert_str_eq(node_state_compact(state, flags, true, b, sizeof(b)), compact);
	ck_assert_str_eq(node_state_long(state, flags, true, b, sizeof(b)), lng);
	ck_assert_str_eq(node_state_complete(state, flags, b, sizeof(b)), complete);
}

START_TEST(test_node_states)
{
	expect_node(SKY__NODE_STATE__NODE_IDLE, 0, "idle", "idle", "IDLE");
	expect_node(SKY__NODE_STATE__NODE_ALLOCATED, 0, "alloc", "allocated", "ALLOCATED");
	expect_node(SKY__NODE_STATE__NODE_MIXED, SKY__NODE_FLAG__NODE_FLAG_NOT_RESPONDING, "mix*",
		    "mixed*", "MIXED+NOT_RESPONDING");
	expect_node(SKY__NODE_STATE__NODE_IDLE, SKY__NODE_FLAG__NODE_FLAG_DRAIN, "drain", "drained",
		    "IDLE+DRAIN");
	expect_node(SKY__NODE_STATE__NODE_ALLOCATED, SKY__NODE_FLAG__NODE_FLAG_DRAIN, "drng",
		    "draining", "ALLOCATED+DRAIN");
	expect_node(SKY__NODE_STATE__NODE_CLOUD, 0, "idle~", "idle~", "IDLE+CLOUD+POWERED_DOWN");
	expect_node(SKY__NODE_STATE__NODE_CLOUD, SKY__NODE_FLAG__NODE_FLAG_POWERING_UP, "idle#",
		    "idle#", "IDLE+CLOUD+POWERING_UP");
	expect_node(SKY__NODE_STATE__NODE_DOWN, SKY__NODE_FLAG__NODE_FLAG_NOT_RESPONDING, "down*",
		    "down*", "DOWN+NOT_RESPONDING");
	expect_node(SKY__NODE_STATE__NODE_IDLE, SKY__NODE_FLAG__NODE_FLAG_POWERING_DOWN, "idle%",
		    "idle%", "IDLE+POWERING_DOWN");
}
END_TEST

START_TEST(test_sinfo_values)
{
	Sky__PartitionInfo p = SKY__PARTITION_INFO__INIT;
	Sky__NodeInfo a = SKY__NODE_INFO__INIT, b = SKY__NODE_INFO__INIT;
	const Sky__NodeInfo *nodes[] = { &b, &a };
	struct sinfo_row r = { &p, nodes, 2 };
	char *v;

	p.name = "debug";
	p.is_default = true;
	p.max_time_min = 30;
	p.state = "UP";
	a.name = "n1";
	b.name = "n2";
	a.state = b.state = SKY__NODE_STATE__NODE_IDLE;
	a.cpus = 4;
	b.cpus = 8;
	b.alloc_cpus = 2;
#define EXPECT(code, want)                      \
	do {                                    \
		v = node_fmt_value(code, &r);   \
		ck_assert_str_eq(v, want);      \
		free(v);                        \
	} while (0)
	EXPECT('P', "debug*");
	EXPECT('R', "debug");
	EXPECT('a', "up");
	EXPECT('l', "30:00");
	EXPECT('D', "2");
	EXPECT('t', "idle");
	EXPECT('N', "n[1-2]");
	EXPECT('c', "4+");
	EXPECT('C', "2/10/0/12");
	p.max_time_min = SKY_INFINITE;
	EXPECT('l', "infinite");
	p.max_time_min = 24 * 60;
	EXPECT('l', "1-00:00:00");
	r.n = 0;
	EXPECT('t', "n/a");
	EXPECT('N', "");
#undef EXPECT
	ck_assert(node_fmt_aggregate('N') && node_fmt_aggregate('D') && !node_fmt_aggregate('t'));
	/* Membership: the node's own list, else the partition's expression. */
	a.partitions = "batch,debug";
	ck_assert(node_in_partition(&a, &p));
	a.partitions = "batch";
	ck_assert(!node_in_partition(&a, &p));
	a.partitions = NULL;
	p.nodes = "n[1-2]";
	ck_assert(node_in_partition(&a, &p));
	a.name = "n3";
	ck_assert(!node_in_partition(&a, &p));
	ck_assert_str_eq(node_fmt_header('P'), "PARTITION");
}
END_TEST

START_TEST(test_show_job)
{
	Sky__JobRecord j;
	Sky__JobDesc d;
	char *t;
	static const char head[] =
		"JobId=5 JobName=test\n   UserId=alice(1000) GroupId=staff(1000) MCS_label=N/A\n"
		"   Priority=0 Nice=0 Account=(null) QOS=(null)\n"
		"   JobState=PENDING Reason=None Dependency=(null)\n"
		"   Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0\n"
		"   RunTime=00:00:00 TimeLimit=UNLIMITED TimeMin=N/A\n";

	job_init(&j, &d);
	d.work_dir = "/w";
	d.command = "/w/job.sh";
	t = show_job_text(&j, 1700000000, false);
	ck_assert_msg(!strncmp(t, head, strlen(head)), "%s", t);
	ck_assert_msg(strstr(t, "\n   Command=/w/job.sh\n   WorkDir=/w\n   StdErr=/w/slurm-5.out\n"
			     "   StdIn=/dev/null\n   StdOut=/w/slurm-5.out\n\n") != NULL, "%s", t);
	free(t);
	j.exit_status = 2 << 8;
	j.reason = "Job held";
	t = show_job_text(&j, 1700000000, true);
	ck_assert_msg(strchr(t, '\n') == t + strlen(t) - 1, "one-liner has newlines: %s", t);
	ck_assert_msg(strstr(t, " ExitCode=2:0 ") != NULL, "%s", t);
	ck_assert_msg(strstr(t, " Reason=Job_held ") != NULL, "%s", t);
	free(t);
}
END_TEST

START_TEST(test_cli_util)
{
	char b[64];
	uint32_t id;

	ck_assert_str_eq(secs2time_str_padded(8 * 3600, b, sizeof(b)), "08:00:00");
	ck_assert_str_eq(secs2time_str_padded(86400 + 61, b, sizeof(b)), "1-00:01:01");
	ck_assert_str_eq(cli_mem_str(1024, b, sizeof(b)), "1G");
	ck_assert_str_eq(cli_mem_str(15000, b, sizeof(b)), "15000M");
	ck_assert_str_eq(cli_mem_str(0, b, sizeof(b)), "0");
	ck_assert(cli_parse_job_id("123", &id) && id == 123);
	ck_assert(cli_parse_job_id("123_4", &id) && id == 123);
	ck_assert(cli_parse_job_id("123_[1-3]", &id) && id == 123);
	ck_assert(cli_parse_job_id("77.batch", &id) && id == 77);
	ck_assert(!cli_parse_job_id("12x", &id));
	ck_assert(!cli_parse_job_id("0", &id));
	ck_assert(!cli_parse_job_id("-4", &id));
	ck_assert(cli_list_has("a,bb,c", "bb") && !cli_list_has("a,bb,c", "b"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fmt");
	TCase *tc = tcase_create("core");

	setenv("TZ", "UTC", 1);
	tcase_add_test(tc, test_fmt_put);
	tcase_add_test(tc, test_fmt_parse);
	tcase_add_test(tc, test_squeue_default_lines);
	tcase_add_test(tc, test_job_states);
	tcase_add_test(tc, test_node_states);
	tcase_add_test(tc, test_sinfo_values);
	tcase_add_test(tc, test_show_job);
	tcase_add_test(tc, test_cli_util);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
