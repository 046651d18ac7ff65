/* job_warn_test.c: when the supervisor sends the --signal warning (job_warn.h). */
#include "config.h"

#include <signal.h>

#include "job_warn.h"
#include "timefmt.h"
#include "unit.h"

static void job_init(Sky__JobRecord *j, Sky__JobDesc *d, uint32_t limit)
{
	sky__job_record__init(j);
	sky__job_desc__init(d);
	j->desc = d;
	j->has_time_limit_min = true;
	j->time_limit_min = limit;
}

START_TEST(test_warn_plan)
{
	Sky__JobRecord j;
	Sky__JobDesc d;
	struct job_warn w;
	time_t start = 1700000000;

	job_init(&j, &d, 10);
	job_warn_plan(&j, start, &w);
	ck_assert_int_eq(w.sig, 0);                 /* no --signal */

	d.has_signal_num = true;
	d.signal_num = SIGUSR1;
	job_warn_plan(&j, start, &w);
	ck_assert_int_eq(w.sig, SIGUSR1);
	ck_assert_int_eq((long)w.at, (long)(start + 600 - 60));   /* default 60 s */
	ck_assert(!w.batch_only);

	d.has_signal_secs = d.has_signal_batch_only = true;
	d.signal_secs = 90;
	d.signal_batch_only = true;
	job_warn_plan(&j, start, &w);
	ck_assert_int_eq((long)w.at, (long)(start + 510));
	ck_assert(w.batch_only);

	d.signal_secs = 0;                          /* @0: at the limit itself */
	job_warn_plan(&j, start, &w);
	ck_assert_int_eq((long)w.at, (long)(start + 600));

	j.time_limit_min = 1;                       /* lead longer than the limit: at start */
	d.signal_secs = 600;
	job_warn_plan(&j, start, &w);
	ck_assert_int_eq((long)w.at, (long)start);

	j.time_limit_min = SKY_INFINITE;            /* no limit, nothing to warn about */
	job_warn_plan(&j, start, &w);
	ck_assert_int_eq(w.sig, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("job_warn");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_warn_plan);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
