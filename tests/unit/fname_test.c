/* fname_test.c: -o/-e/-i filename patterns (slurm.md section 1.5). */
#include "config.h"

#include "fname.h"
#include "unit.h"

/* A batch step of plain (non-array) job 128. */
static struct fname_ctx plain(void)
{
	return (struct fname_ctx){
		.job_id = 128,
		.array_job_id = 0,
		.array_task_id = SKY_NO_VAL,
		.step_id = SKY_NO_VAL,
		.task_id = 0,
		.node_id = 0,
		.restart_count = 0,
		.job_name = "myjob",
		.user_name = "alice",
		.node_name = "node7.cluster.example",
		.work_dir = NULL,
	};
}

static void assert_expand(const char *pattern, const struct fname_ctx *c, const char *want)
{
	char *got = fname_expand(pattern, c);

	ck_assert_msg(strcmp(got, want) == 0, "'%s' gave '%s', want '%s'", pattern, got, want);
	free(got);
}

START_TEST(test_job_id_and_padding)
{
	struct fname_ctx c = plain();

	assert_expand("slurm-%j.out", &c, "slurm-128.out");
	assert_expand("%4j", &c, "0128");
	assert_expand("%2j", &c, "128");          /* width is a minimum */
	assert_expand("%0j", &c, "128");
	assert_expand("%10j", &c, "0000000128");
	assert_expand("%12j", &c, "0000000128");   /* capped at 10 */
	assert_expand("%99999999999999999999j", &c, "0000000128");
	assert_expand("%j%j", &c, "128128");
}
END_TEST

START_TEST(test_percent_and_unknown)
{
	struct fname_ctx c = plain();

	assert_expand("100%%", &c, "100%");
	assert_expand("%%j", &c, "%j");
	assert_expand("a%Xb", &c, "a%Xb");         /* unknown kept */
	assert_expand("a%5Xb", &c, "a%5Xb");
	assert_expand("end%", &c, "end%");
	assert_expand("end%4", &c, "end%4");
	assert_expand("%", &c, "%");
	assert_expand("", &c, "");
	assert_expand("plain.txt", &c, "plain.txt");
}
END_TEST

START_TEST(test_array_fields)
{
	struct fname_ctx c = plain();

	assert_expand("slurm-%A_%a.out", &c, "slurm-128_4294967294.out");
	c.job_id = 205;
	c.array_job_id = 200;
	c.array_task_id = 17;
	assert_expand("slurm-%A_%a.out", &c, "slurm-200_17.out");
	assert_expand("%b", &c, "7");
	assert_expand("%3a-%4A", &c, "017-0200");
	assert_expand("%j", &c, "205");
}
END_TEST

START_TEST(test_step_node_task_fields)
{
	struct fname_ctx c = plain();

	assert_expand("%J", &c, "128");             /* batch step: job id only */
	assert_expand("%s", &c, "batch");
	assert_expand("%5s", &c, "batch");
	c.step_id = 3;
	assert_expand("%J", &c, "128.3");
	assert_expand("%6J", &c, "000128.3");
	assert_expand("%s", &c, "3");
	assert_expand("%N", &c, "node7");           /* short name */
	c.node_id = 2;
	c.task_id = 5;
	c.restart_count = 1;
	assert_expand("%n-%t-%r", &c, "2-5-1");
	assert_expand("%3n-%2t-%2r", &c, "002-05-01");
}
END_TEST

START_TEST(test_string_fields_ignore_width)
{
	struct fname_ctx c = plain();

	assert_expand("%u/%x.log", &c, "alice/myjob.log");
	assert_expand("%8u", &c, "alice");
	c.user_name = NULL;
	c.job_name = NULL;
	c.node_name = NULL;
	assert_expand("[%u][%x][%N]", &c, "[][][]");
}
END_TEST

START_TEST(test_backslash_disables_substitution)
{
	struct fname_ctx c = plain();

	assert_expand("a\\%j", &c, "a%j");
	assert_expand("out-%j.\\txt", &c, "out-%j.txt");
	assert_expand("\\\\%%", &c, "%%");
}
END_TEST

START_TEST(test_work_dir_prefix)
{
	struct fname_ctx c = plain();

	c.work_dir = "/home/alice/run";
	assert_expand("out-%j", &c, "/home/alice/run/out-128");
	assert_expand("/abs/out-%j", &c, "/abs/out-128");
	assert_expand("sub\\dir-%j", &c, "/home/alice/run/subdir-%j");
	c.work_dir = "/";
	assert_expand("x", &c, "/x");
	c.work_dir = "/w/";
	assert_expand("x", &c, "/w/x");
	c.work_dir = "";
	assert_expand("x", &c, "x");
}
END_TEST

static Suite *fname_suite(void)
{
	Suite *s = suite_create("fname");
	TCase *tc = tcase_create("fname");

	tcase_add_test(tc, test_job_id_and_padding);
	tcase_add_test(tc, test_percent_and_unknown);
	tcase_add_test(tc, test_array_fields);
	tcase_add_test(tc, test_step_node_task_fields);
	tcase_add_test(tc, test_string_fields_ignore_width);
	tcase_add_test(tc, test_backslash_disables_substitution);
	tcase_add_test(tc, test_work_dir_prefix);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(fname_suite());
}
