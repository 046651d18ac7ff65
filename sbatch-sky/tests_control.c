/*
 * tests_control.c: the job-control pieces of the commands: --signal specs,
 * squeue -O field lists, and scontrol -d's extra lines.
 */
#include "config.h"

#include <signal.h>
#include <time.h>

#include "../tests/unit/unit.h"
#include "opt_control.h"
#include "scontrol_ext.h"
#include "show_job.h"
#include "squeue_fields.h"

static void job_init(Sky__JobRecord *j, Sky__JobDesc *d)
{
	sky__job_record__init(j);
	sky__job_desc__init(d);
	j->desc = d;
	j->job_id = 42;
	j->user_id = 1000;
	j->user_name = (char *)"alice";
	j->state = SKY__JOB_STATE__JOB_PENDING;
	j->reason = (char *)"Priority";
	j->partition = (char *)"debug";
	j->time_limit_min = 90;
	j->num_nodes = 1;
	j->num_cpus = 2;
	j->num_tasks = 2;
	j->restart_count = 3;
	d->name = (char *)"myjob";
	d->work_dir = (char *)"/w";
}

START_TEST(test_signal_spec)
{
	uint32_t sig = 0, secs = 0;
	bool b = true;

	ck_assert(ctl_signal_spec("USR1", &sig, &secs, &b));
	ck_assert_uint_eq(sig, SIGUSR1);
	ck_assert_uint_eq(secs, 60);      /* Slurm's default lead time */
	ck_assert(!b);
	ck_assert(ctl_signal_spec("B:SIGUSR2@90", &sig, &secs, &b));
	ck_assert_uint_eq(sig, SIGUSR2);
	ck_assert_uint_eq(secs, 90);
	ck_assert(b);
	ck_assert(ctl_signal_spec("R:10@0", &sig, &secs, &b));
	ck_assert_uint_eq(sig, 10);
	ck_assert_uint_eq(secs, 0);
	ck_assert(!b);
	ck_assert(ctl_signal_spec("RB:term@65535", &sig, &secs, &b));
	ck_assert_uint_eq(sig, SIGTERM);
	ck_assert(b);
	ck_assert(!ctl_signal_spec("USR1@65536", &sig, &secs, &b));
	ck_assert(!ctl_signal_spec("X:USR1", &sig, &secs, &b));
	ck_assert(!ctl_signal_spec("NOSUCH", &sig, &secs, &b));
	ck_assert(!ctl_signal_spec("USR1@", &sig, &secs, &b));
	ck_assert(!ctl_signal_spec("", &sig, &secs, &b));
	ck_assert_str_eq(ctl_signal_name(SIGKILL), "KILL");
	ck_assert_uint_eq(ctl_signal_num("sigint"), SIGINT);
	ck_assert_uint_eq(ctl_signal_num("65"), 0);
}
END_TEST

static void expect_oform(const char *spec, const Sky__JobRecord *j, const char *want)
{
	struct squeue_oform o;
	struct sky_errbuf eb;
	char *got;

	sky_err_clear(&eb);
	ck_assert_msg(squeue_oform_parse(spec, &o, &eb) == 0, "%s: %s", spec, sky_err_msg(&eb));
	got = j ? squeue_oform_line(&o, j, 1700000000) : squeue_oform_header(&o);
	ck_assert_str_eq(got, want);
	free(got);
	squeue_oform_free(&o);
}

START_TEST(test_squeue_oform)
{
	Sky__JobRecord j;
	Sky__JobDesc d;
	struct squeue_oform o;
	struct sky_errbuf eb;

	job_init(&j, &d);
	/* Checked against Slurm 22.05's squeue: no separator, headers cut too. */
	expect_oform("JobID:6,Name:.6,StateCompact:3,Reason,TimeLimit:.8", NULL,
		     "JOBID   NAMEST REASON              TIME_LIM");
	expect_oform("JobID:6,Name:.6,StateCompact:3,Reason,TimeLimit:.8", &j,
		     "42     myjobPD Priority             1:30:00");
	expect_oform("name:5|,username:4", &j, "myjob|alic");
	expect_oform("jobid", &j, "42                  ");
	expect_oform("NumTasks:3,Restarts:.3,STDOUT:20", &j, "2    3/w/slurm-42.out     ");
	expect_oform("ReasonList:12,NumCPUs:.4", &j, "(Priority)     2");
	sky_err_clear(&eb);
	ck_assert_int_eq(squeue_oform_parse("JobID,bogus:4", &o, &eb), SKY_E_INVAL);
	ck_assert_str_eq(sky_err_msg(&eb), "Invalid job format specification: bogus");
	sky_err_clear(&eb);
	ck_assert_int_eq(squeue_oform_parse("", &o, &eb), SKY_E_INVAL);
}
END_TEST

START_TEST(test_job_details)
{
	Sky__JobRecord j;
	Sky__JobDesc d;
	char *t;

	job_init(&j, &d);
	j.state = SKY__JOB_STATE__JOB_RUNNING;
	j.start_time = 1700000000 - 10;
	j.node_list = (char *)"n[1-2]";
	j.batch_host = (char *)"n1";
	j.num_nodes = 2;
	j.cpus_per_node = 4;
	j.mem_per_node_mb = 100;
	t = scontrol_job_details(show_job_text(&j, 1700000000, false), &j, false);
	ck_assert_ptr_nonnull(strstr(t, " ExitCode=0:0\n   DerivedExitCode=0:0\n   RunTime="));
	ck_assert_ptr_nonnull(strstr(t, "CoreSpec=*\n   JOB_GRES=(null)\n"
				     "     Nodes=n[1-2] CPU_IDs=0-3 Mem=100 GRES=\n   MinCPUsNode="));
	free(t);
	t = scontrol_job_details(show_job_text(&j, 1700000000, true), &j, true);
	ck_assert_ptr_nonnull(strstr(t, " ExitCode=0:0 DerivedExitCode=0:0 RunTime="));
	ck_assert_ptr_nonnull(strstr(t, "CoreSpec=* JOB_GRES=(null) Nodes=n[1-2] CPU_IDs=0-3"));
	ck_assert_ptr_null(strchr(t, '\n') == t + strlen(t) - 1 ? NULL : t);
	free(t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("core");

	setenv("TZ", "UTC", 1);
	tcase_add_test(tc, test_signal_spec);
	tcase_add_test(tc, test_squeue_oform);
	tcase_add_test(tc, test_job_details);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
