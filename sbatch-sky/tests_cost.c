/*
 * tests_cost.c: money arithmetic and text, and the cloud parts of scontrol
 * show node/job, sinfo and sacct (Cost, --account-totals).
 */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include "../tests/unit/unit.h"
#include "cloud_show.h"
#include "job_cost.h"
#include "sacct_cost.h"
#include "sacct_fields.h"
#include "show_job.h"
#include "show_node.h"

START_TEST(test_money_str)
{
	char b[32];

	ck_assert_str_eq(money_str(0, b, sizeof(b)), "0.0000");
	ck_assert_str_eq(money_str(1234500, b, sizeof(b)), "1.2345");
	ck_assert_str_eq(money_str(1234549, b, sizeof(b)), "1.2345");
	ck_assert_str_eq(money_str(1234550, b, sizeof(b)), "1.2346");
	ck_assert_str_eq(money_str(5093300, b, sizeof(b)), "5.0933");
	ck_assert_str_eq(money_str(49, b, sizeof(b)), "0.0000");
	ck_assert_str_eq(money_str(50, b, sizeof(b)), "0.0001");
	ck_assert_str_eq(money_str(-1500000, b, sizeof(b)), "-1.5000");
	ck_assert_str_eq(money_str(123456789000000, b, sizeof(b)), "123456789.0000");
}
END_TEST

START_TEST(test_money_parse)
{
	int64_t v = -1;

	ck_assert(money_parse("1.25", &v));
	ck_assert_int_eq(v, 1250000);
	ck_assert(money_parse("$3", &v));
	ck_assert_int_eq(v, 3000000);
	ck_assert(money_parse("0.0933", &v));
	ck_assert_int_eq(v, 93300);
	ck_assert(money_parse(".5", &v));
	ck_assert_int_eq(v, 500000);
	ck_assert(money_parse("0.000001", &v));
	ck_assert_int_eq(v, 1);
	v = 7;
	ck_assert(!money_parse("0.0000001", &v));
	ck_assert(!money_parse("", &v));
	ck_assert(!money_parse("$", &v));
	ck_assert(!money_parse("1.2.3", &v));
	ck_assert(!money_parse("-1", &v));
	ck_assert(!money_parse("1,5", &v));
	ck_assert(!money_parse("99999999999999999999", &v));
	ck_assert(!money_parse(NULL, &v));
	ck_assert_int_eq(v, 7);
}
END_TEST

START_TEST(test_cost_of_run)
{
	ck_assert_int_eq(cost_of_run(2000000, 1000, 1000 + 3600), 2000000);
	ck_assert_int_eq(cost_of_run(3600000, 1000, 1090), 90000);
	/* $1/h for 1 s = 277.7 micro-dollars: rounded. */
	ck_assert_int_eq(cost_of_run(1000000, 1000, 1001), 278);
	ck_assert_int_eq(cost_of_run(1000000, 1000, 1000), 0);
	ck_assert_int_eq(cost_of_run(1000000, 1000, 999), 0);
	ck_assert_int_eq(cost_of_run(0, 1000, 5000), 0);
	ck_assert_int_eq(cost_of_run(-5, 1000, 5000), 0);
	ck_assert_int_eq(cost_of_run(1000000, 0, 5000), 0);
	/* A year at $98.32/h does not wrap. */
	ck_assert_int_eq(cost_of_run(98320000, 1, 1 + 365 * 86400ull), 98320000ll * 24 * 365);
}
END_TEST

static Sky__JobDesc desc;
static Sky__JobRecord rec;

static Sky__JobRecord *job(Sky__JobState st)
{
	sky__job_desc__init(&desc);
	sky__job_record__init(&rec);
	desc.name = "train";
	desc.account = "ml";
	desc.work_dir = "/home/alice";
	desc.command = "/home/alice/train.sh";
	rec.desc = &desc;
	rec.job_id = 42;
	rec.user_id = 1000;
	rec.group_id = 1000;
	rec.user_name = "alice";
	rec.group_name = "alice";
	rec.state = st;
	rec.partition = "cloud";
	rec.node_list = "aws-gpu-[0-1]";
	rec.batch_host = "aws-gpu-0";
	rec.num_nodes = 2;
	rec.num_cpus = 2;
	rec.submit_time = 1700000000;
	rec.start_time = 1700000000;
	rec.end_time = st == SKY__JOB_STATE__JOB_RUNNING ? 0 : 1700003600;
	rec.time_limit_min = 120;
	rec.cluster = "sky";
	return &rec;
}

START_TEST(test_cost_now)
{
	Sky__JobRecord *j = job(SKY__JOB_STATE__JOB_RUNNING);

	ck_assert(!job_rec_is_cloud(j));
	ck_assert_int_eq(job_rec_cost_now(j, 1700001800), 0);
	j->has_placement_price_u = true;
	j->placement_price_u = 10186600;
	ck_assert(job_rec_is_cloud(j));
	/* CONFIGURING (not launched): nothing yet. */
	ck_assert_int_eq(job_rec_cost_now(j, 1700001800), 0);
	/* Launched, before the instances are known: the placement price counts. */
	j->has_launch_acked = j->launch_acked = true;
	ck_assert_int_eq(job_rec_cost_now(j, 1700001800), 5093300);
	j->has_run_price_u = true;
	j->run_price_u = 2000000;
	j->has_cost_u = true;
	j->cost_u = 500000;   /* an earlier run, before a requeue */
	ck_assert_int_eq(job_rec_cost_now(j, 1700001800), 1500000);
	/* The current run charged already: nothing more is added. */
	j->has_cost_charged_start = true;
	j->cost_charged_start = j->start_time;
	ck_assert_int_eq(job_rec_cost_now(j, 1700001800), 500000);
	/* Requeued while running, still being killed: the run counts until charged. */
	j->has_cost_charged_start = false;
	j->state = SKY__JOB_STATE__JOB_PENDING;
	j->has_flags = true;
	j->flags = SKY__JOB_FLAG__JOB_FLAG_COMPLETING | SKY__JOB_FLAG__JOB_FLAG_REQUEUED;
	ck_assert_int_eq(job_rec_cost_now(j, 1700001800), 1500000);
	j->flags = 0;
	ck_assert_int_eq(job_rec_cost_now(j, 1700001800), 500000);
	/* Finished: only what was charged. */
	j->has_cost_charged_start = false;
	j->state = SKY__JOB_STATE__JOB_COMPLETE;
	ck_assert_int_eq(job_rec_cost_now(j, 1700009999), 500000);
}
END_TEST

START_TEST(test_show_job_lines)
{
	Sky__JobRecord *j = job(SKY__JOB_STATE__JOB_COMPLETE);
	char *plain = show_job_text(j, 1700009999, false), *s;

	/* Non-cloud jobs: scontrol's output is unchanged. */
	ck_assert_ptr_null(strstr(plain, "Placement="));
	ck_assert_ptr_null(strstr(plain, "Cost="));
	j->placement = "aws/us-east-1/us-east-1a p4d.24xlarge spot $5.0933/h x2 = $10.1866/h";
	j->has_placement_price_u = true;
	j->placement_price_u = 10186600;
	j->has_cost_u = true;
	j->cost_u = 10186600;
	s = show_job_text(j, 1700009999, false);
	ck_assert_str_eq(s + strlen(plain) - 2,
			 "\n   Placement=aws/us-east-1/us-east-1a p4d.24xlarge spot $5.0933/h x2 = "
			 "$10.1866/h Cost=10.1866\n\n");
	ck_assert_int_eq(strncmp(s, plain, strlen(plain) - 2), 0);
	free(s);
	s = show_job_text(j, 1700009999, true);
	ck_assert_ptr_nonnull(strstr(s, " Placement=aws/us-east-1/us-east-1a p4d.24xlarge spot "
				       "$5.0933/h x2 = $10.1866/h Cost=10.1866\n"));
	free(s);
	/* Priced nodes but no placement text (cost only). */
	j->placement = NULL;
	s = show_job_text(j, 1700009999, false);
	ck_assert_ptr_nonnull(strstr(s, "\n   Placement=(null) Cost=10.1866\n"));
	free(s);
	free(plain);
}
END_TEST

static void node_init(Sky__NodeInfo *n)
{
	sky__node_info__init(n);
	n->name = "aws-gpu-0";
	n->state = SKY__NODE_STATE__NODE_IDLE;
	n->cpus = 96;
	n->has_cpus = true;
}

START_TEST(test_show_node_lines)
{
	Sky__NodeInfo n;
	char *plain, *s;

	node_init(&n);
	plain = show_node_text(&n, false);
	ck_assert_ptr_null(strstr(plain, "Instance"));
	ck_assert_ptr_null(strstr(plain, "Price="));
	n.instance_id = "i-0123456789abcdef0";
	n.instance_type = "p4d.24xlarge";
	n.region = "us-east-1";
	n.zone = "us-east-1a";
	n.has_spot = n.spot = true;
	n.has_price_u = true;
	n.price_u = 5093300;
	s = show_node_text(&n, false);
	ck_assert_ptr_nonnull(strstr(s, "\n   CurrentWatts=0 AveWatts=0\n"
				       "   InstanceId=i-0123456789abcdef0 InstanceType=p4d.24xlarge\n"
				       "   Region=us-east-1 Zone=us-east-1a Market=spot Price=5.0933\n"));
	ck_assert_uint_eq(strlen(s), strlen(plain) + strlen("\n   InstanceId=i-0123456789abcdef0 "
		"InstanceType=p4d.24xlarge\n   Region=us-east-1 Zone=us-east-1a Market=spot Price=5.0933"));
	free(s);
	/* A configured program-provider machine: no instance id, on-demand. */
	n.instance_id = NULL;
	n.zone = NULL;
	n.spot = false;
	s = show_node_text(&n, true);
	ck_assert_ptr_nonnull(strstr(s, " InstanceId=(null) InstanceType=p4d.24xlarge "
				       "Region=us-east-1 Zone=(null) Market=on-demand Price=5.0933"));
	free(s);
	free(plain);
}
END_TEST

START_TEST(test_sinfo_codes)
{
	Sky__NodeInfo n;
	const Sky__NodeInfo *v[1] = { &n };
	struct sinfo_row r = { .nodes = v, .n = 1 };
	char *s;

	node_init(&n);
	ck_assert_ptr_nonnull(strchr(node_fmt_codes(), 'y'));
	ck_assert_str_eq(node_fmt_header('y'), "INSTANCE_TYPE");
	ck_assert_str_eq(node_fmt_header('k'), "ZONE");
	ck_assert_str_eq(node_fmt_header('q'), "MARKET");
	ck_assert_str_eq(node_fmt_header('j'), "PRICE");
	ck_assert(!node_fmt_aggregate('j'));
	s = node_fmt_value('y', &r); ck_assert_str_eq(s, "(null)"); free(s);
	s = node_fmt_value('j', &r); ck_assert_str_eq(s, "0.0000"); free(s);
	n.instance_type = "g5.xlarge";
	n.region = "us-west-2";
	n.has_spot = n.spot = true;
	n.has_price_u = true;
	n.price_u = 412000;
	s = node_fmt_value('y', &r); ck_assert_str_eq(s, "g5.xlarge"); free(s);
	s = node_fmt_value('k', &r); ck_assert_str_eq(s, "us-west-2"); free(s);
	n.zone = "us-west-2b";
	s = node_fmt_value('k', &r); ck_assert_str_eq(s, "us-west-2b"); free(s);
	s = node_fmt_value('q', &r); ck_assert_str_eq(s, "spot"); free(s);
	s = node_fmt_value('j', &r); ck_assert_str_eq(s, "0.4120"); free(s);
}
END_TEST

static char *acct_text(const char *format, const Sky__JobRecord *j, bool step, int parsable)
{
	struct acct_col *cols;
	size_t n;
	struct sky_errbuf eb;
	struct acct_out o = { .parsable = parsable };
	struct acct_row r = { .job = j, .step = step, .now = 1700009999 };
	char *s;

	sky_err_clear(&eb);
	ck_assert_int_eq(acct_cols_parse(format, &cols, &n, &eb), 0);
	s = acct_line(cols, n, &r, &o);
	free(cols);
	return s;
}

START_TEST(test_sacct_cost_field)
{
	Sky__JobRecord *j = job(SKY__JOB_STATE__JOB_COMPLETE);
	struct acct_col *cols;
	size_t n;
	struct sky_errbuf eb;
	struct acct_out o = { .parsable = 0 };
	char *s;

	s = acct_text("JobID,Cost", j, false, 2);
	ck_assert_str_eq(s, "42|0.0000\n");
	free(s);
	j->has_cost_u = true;
	j->cost_u = 12345600;
	s = acct_text("jobid,cost", j, false, 2);
	ck_assert_str_eq(s, "42|12.3456\n");
	free(s);
	s = acct_text("JobID,Cost", j, false, 1);
	ck_assert_str_eq(s, "42|12.3456|\n");
	free(s);
	/* The batch step carries no cost of its own (sums over rows stay right). */
	s = acct_text("JobID,Cost", j, true, 2);
	ck_assert_str_eq(s, "42.batch|\n");
	free(s);
	s = acct_text("JobID,Cost%8", j, false, 0);
	ck_assert_str_eq(s, "42            12.3456 \n");
	free(s);
	sky_err_clear(&eb);
	ck_assert_int_eq(acct_cols_parse("Cost", &cols, &n, &eb), 0);
	s = acct_header(cols, n, &o);
	ck_assert_str_eq(s, "      Cost \n---------- \n");
	free(s);
	free(cols);
}
END_TEST

/* Run acct_print_account_totals with stdout captured. */
static char *totals(Sky__JobRecord *const *jobs, size_t n, const char *format, int parsable,
		    int *ec)
{
	struct acct_out o = { .parsable = parsable };
	char path[] = "/tmp/sky-cost-XXXXXX", *buf = xcalloc(4096, 1);
	int fd = mkstemp(path), saved = dup(STDOUT_FILENO);
	ssize_t got;

	ck_assert_int_ge(fd, 0);
	fflush(stdout);
	dup2(fd, STDOUT_FILENO);
	*ec = acct_print_account_totals(jobs, n, format, &o, 1700009999);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	got = read(fd, buf, 4095);
	ck_assert_int_ge(got, 0);
	close(fd);
	unlink(path);
	return buf;
}

START_TEST(test_account_totals)
{
	Sky__JobRecord r[4];
	Sky__JobDesc d[4];
	Sky__JobRecord *v[4] = { &r[0], &r[1], &r[2], &r[3] };
	const char *acct[4] = { "physics", "ml", "physics", NULL };
	int64_t cost[4] = { 1000000, 2500000, 250000, 0 };
	int ec;
	char *s;

	for (int i = 0; i < 4; i++) {
		sky__job_record__init(&r[i]);
		sky__job_desc__init(&d[i]);
		d[i].account = (char *)acct[i];
		r[i].desc = &d[i];
		r[i].state = SKY__JOB_STATE__JOB_COMPLETE;
		r[i].has_cost_u = true;
		r[i].cost_u = cost[i];
	}
	s = totals(v, 4, NULL, 2, &ec);
	ck_assert_int_eq(ec, 0);
	ck_assert_str_eq(s, "Account|Cost\n|0.0000\nml|2.5000\nphysics|1.2500\n");
	free(s);
	s = totals(v, 4, "Cost,Account", 0, &ec);
	ck_assert_int_eq(ec, 0);
	ck_assert_str_eq(s, "      Cost    Account \n---------- ---------- \n"
			    "    0.0000            \n    2.5000         ml \n    1.2500    physics \n");
	free(s);
	s = totals(v, 4, "Account,JobID", 2, &ec);
	ck_assert_int_eq(ec, 1);
	ck_assert_str_eq(s, "");
	free(s);
	/* No job selected: just the header. */
	s = totals(v, 0, NULL, 2, &ec);
	ck_assert_str_eq(s, "Account|Cost\n");
	free(s);
}
END_TEST

static Suite *cost_suite(void)
{
	Suite *s = suite_create("cost");
	TCase *tc = tcase_create("cost");

	tcase_add_test(tc, test_money_str);
	tcase_add_test(tc, test_money_parse);
	tcase_add_test(tc, test_cost_of_run);
	tcase_add_test(tc, test_cost_now);
	tcase_add_test(tc, test_show_job_lines);
	tcase_add_test(tc, test_show_node_lines);
	tcase_add_test(tc, test_sinfo_codes);
	tcase_add_test(tc, test_sacct_cost_field);
	tcase_add_test(tc, test_account_totals);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(cost_suite());
}
