/*
 * tests_array.c: --array expressions (parsing, limits, throttle), the
 * squeue folding of pending tasks, job id tokens of scancel, and the
 * exit code sbatch -W takes from an array.
 */
#include "config.h"

#include <stdlib.h>
#include <sys/wait.h>

#include "../tests/unit/unit.h"
#include "array_fold.h"
#include "array_spec.h"

static char *ranges_of(const char *spec, size_t max_len)
{
	struct array_spec a;
	struct sky_errbuf eb;
	char *s;

	sky_err_clear(&eb);
	ck_assert_int_eq(array_spec_parse(spec, 1001, 0, &a, &eb), 0);
	s = array_ranges_str(a.idx, a.n, max_len);
	array_spec_fini(&a);
	return s;
}

static void expect_ranges(const char *spec, const char *want)
{
	char *got = ranges_of(spec, 0);
	ck_assert_str_eq(got, want);
	free(got);
}

static void expect_invalid(const char *spec, uint32_t max_size, uint32_t max_tasks)
{
	struct array_spec a;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	ck_assert_int_eq(array_spec_parse(spec, max_size, max_tasks, &a, &eb), SKY_E_INVALID_ARRAY);
	ck_assert_ptr_null(a.idx);
}

START_TEST(test_parse)
{
	struct array_spec a;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	ck_assert_int_eq(array_spec_parse("0-15:4%2", 1001, 0, &a, &eb), 0);
	ck_assert_uint_eq(a.n, 4);
	ck_assert_uint_eq(a.idx[0], 0);
	ck_assert_uint_eq(a.idx[3], 12);
	ck_assert_uint_eq(a.throttle, 2);
	array_spec_fini(&a);
	/* The throttle is atoi() of the rest, as in Slurm: "%x" is no throttle. */
	ck_assert_int_eq(array_spec_parse("1-3%x", 1001, 0, &a, &eb), 0);
	ck_assert_uint_eq(a.throttle, 0);
	array_spec_fini(&a);
	ck_assert_int_eq(array_spec_parse("7,3,3,1-2", 1001, 0, &a, &eb), 0);
	ck_assert_uint_eq(a.n, 4);   /* sorted, duplicates dropped */
	ck_assert(array_idx_has(a.idx, a.n, 7) && !array_idx_has(a.idx, a.n, 4));
	array_spec_fini(&a);
	expect_ranges("0,6,16-32", "0,6,16-32");
	expect_ranges("1-3,5", "1-3,5");
	expect_ranges("0-15:4", "0-12:4");     /* a stride over more than 10 */
	expect_ranges("1-7:2", "1,3,5,7");     /* a narrow one lists */
	expect_ranges("5", "5");
}
END_TEST

START_TEST(test_invalid)
{
	expect_invalid("0-1001", 1001, 0);    /* indices below MaxArraySize */
	expect_invalid("1000", 1000, 0);
	expect_invalid("1", 0, 0);            /* MaxArraySize=0: arrays off */
	expect_invalid("0-9", 1001, 5);       /* max_array_tasks */
	expect_invalid("5-1", 1001, 0);
	expect_invalid("1-4:0", 1001, 0);
	expect_invalid("a", 1001, 0);
	expect_invalid("1,", 1001, 0);
	expect_invalid(",1", 1001, 0);
	expect_invalid("", 1001, 0);
	expect_invalid("-1", 1001, 0);
}
END_TEST

START_TEST(test_truncate)
{
	char *s = ranges_of("1,3,5,7,9,11,13,15,17,19,21,23,25,27,29,31,33,35,37,39,40", 32);

	/* A 32-byte buffer holds 31 characters: 28 of them, then "...". */
	ck_assert_str_eq(s, "1,3,5,7,9,11,13,15,17,19,21,...");
	ck_assert_uint_eq(strlen(s), 31);
	free(s);
	s = ranges_of("1-5", 6);    /* "1-5" fits in 6 bytes */
	ck_assert_str_eq(s, "1-5");
	free(s);
}
END_TEST

START_TEST(test_job_tokens)
{
	uint32_t id, *t;
	size_t n;

	ck_assert(array_parse_job_token("123", &id, &t, &n) && id == 123 && !t && !n);
	ck_assert(array_parse_job_token("123_4", &id, &t, &n) && id == 123 && n == 1 && t[0] == 4);
	free(t);
	ck_assert(array_parse_job_token("123_[1-3,7]", &id, &t, &n) && n == 4 && t[3] == 7);
	free(t);
	ck_assert(array_parse_job_token("123_*", &id, &t, &n) && !n);
	ck_assert(array_parse_job_token("123_4.batch", &id, &t, &n) && n == 1);
	free(t);
	ck_assert(!array_parse_job_token("123_", &id, &t, &n));
	ck_assert(!array_parse_job_token("123_[]", &id, &t, &n));
	ck_assert(!array_parse_job_token("123_[1-3%2]", &id, &t, &n));
	ck_assert(!array_parse_job_token("123_[3-1]", &id, &t, &n));
	ck_assert(!array_parse_job_token("0", &id, &t, &n));
	ck_assert(!array_parse_job_token("12x", &id, &t, &n));
}
END_TEST

/* Records of one array: ids 10.. for tasks idx[], state st each. */
static void make_tasks(Sky__JobRecord *r, Sky__JobDesc *d, size_t n, const uint32_t *idx,
		       const Sky__JobState *st, uint32_t throttle)
{
	for (size_t i = 0; i < n; i++) {
		sky__job_desc__init(&d[i]);
		sky__job_record__init(&r[i]);
		r[i].desc = &d[i];
		r[i].job_id = 10 + (uint32_t)i;
		r[i].has_array_task_id = r[i].has_array_job_id = true;
		r[i].array_job_id = 10;
		r[i].array_task_id = idx[i];
		r[i].array_task_throttle = throttle;
		r[i].state = st[i];
	}
}

START_TEST(test_fold)
{
	static const uint32_t idx[] = { 1, 2, 3, 4, 6 };
	static const Sky__JobState st[] = {
		SKY__JOB_STATE__JOB_RUNNING, SKY__JOB_STATE__JOB_PENDING, SKY__JOB_STATE__JOB_PENDING,
		SKY__JOB_STATE__JOB_PENDING, SKY__JOB_STATE__JOB_PENDING,
	};
	Sky__JobRecord r[5], *list[5];
	Sky__JobDesc d[5];
	size_t n;

	unsetenv("SLURM_BITSTR_LEN");
	make_tasks(r, d, 5, idx, st, 3);
	for (size_t i = 0; i < 5; i++)
		list[i] = &r[i];
	n = array_fold_pending(list, 5);
	ck_assert_uint_eq(n, 2);
	ck_assert_ptr_eq(list[0], &r[0]);
	ck_assert_ptr_eq(list[1], &r[1]);
	ck_assert_ptr_null(array_fold_label(&r[0]));
	ck_assert_str_eq(array_fold_label(&r[1]), "2-4,6%3");
	array_fold_reset();
	ck_assert_ptr_null(array_fold_label(&r[1]));

	/* A single pending task still shows folded, as Slurm's "5_[7]". */
	r[2].state = r[3].state = r[4].state = SKY__JOB_STATE__JOB_COMPLETE;
	for (size_t i = 0; i < 5; i++)
		list[i] = &r[i];
	ck_assert_uint_eq(array_fold_pending(list, 5), 5);
	ck_assert_str_eq(array_fold_label(&r[1]), "2%3");
	array_fold_reset();
}
END_TEST

START_TEST(test_wait_status)
{
	static const uint32_t idx[] = { 1, 2, 3 };
	static const Sky__JobState st[] = {
		SKY__JOB_STATE__JOB_COMPLETE, SKY__JOB_STATE__JOB_FAILED, SKY__JOB_STATE__JOB_FAILED,
	};
	Sky__JobInfoReply rep = SKY__JOB_INFO_REPLY__INIT;
	Sky__JobRecord r[3], *list[3];
	Sky__JobDesc d[3];
	bool found, done;

	make_tasks(r, d, 3, idx, st, 0);
	r[1].exit_status = 5 << 8;     /* exit 5 */
	r[2].exit_status = 9;          /* killed by a signal */
	for (size_t i = 0; i < 3; i++)
		list[i] = &r[i];
	rep.jobs = list;
	rep.n_jobs = 3;
	ck_assert_int_eq(array_wait_status(&rep, 10, &found, &done), 5);
	ck_assert(found && done);
	r[2].state = SKY__JOB_STATE__JOB_RUNNING;
	array_wait_status(&rep, 10, &found, &done);
	ck_assert(found && !done);
	array_wait_status(&rep, 99, &found, &done);
	ck_assert(!found);
}
END_TEST

START_TEST(test_resolve)
{
	static const uint32_t idx[] = { 1, 2, 3 };
	static const Sky__JobState st[] = {
		SKY__JOB_STATE__JOB_COMPLETE, SKY__JOB_STATE__JOB_PENDING, SKY__JOB_STATE__JOB_RUNNING,
	};
	Sky__JobInfoReply rep = SKY__JOB_INFO_REPLY__INIT;
	Sky__JobRecord r[3], *list[3];
	Sky__JobDesc d[3];
	struct array_sel sel[2];
	uint32_t *ids;
	size_t n, bad;

	make_tasks(r, d, 3, idx, st, 0);
	for (size_t i = 0; i < 3; i++)
		list[i] = &r[i];
	rep.jobs = list;
	rep.n_jobs = 3;
	/* "10" is the whole array: its unfinished tasks. */
	ck_assert(array_sel_parse("10", &sel[0]));
	array_sel_resolve(&rep, sel, 1, true, &ids, &n, &bad);
	ck_assert_uint_eq(n, 2);
	ck_assert(ids[0] == 11 && ids[1] == 12 && !bad);
	free(ids);
	/* "10_1" is task 1 alone (job 10), "10_[3-4]" task 3 and an unknown task 4. */
	ck_assert(array_sel_parse("10_1", &sel[0]));
	ck_assert(array_sel_parse("10_[3-4]", &sel[1]));
	array_sel_resolve(&rep, sel, 2, true, &ids, &n, &bad);
	ck_assert_uint_eq(n, 2);
	ck_assert(ids[0] == 10 && ids[1] == 12 && bad == 1);
	free(ids);
	array_sel_fini(&sel[0]);
	array_sel_fini(&sel[1]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("array");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_invalid);
	tcase_add_test(tc, test_truncate);
	tcase_add_test(tc, test_job_tokens);
	tcase_add_test(tc, test_fold);
	tcase_add_test(tc, test_wait_status);
	tcase_add_test(tc, test_resolve);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
