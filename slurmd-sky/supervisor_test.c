/*
 * supervisor_test.c: a spooled job run by a real supervisor process: output
 * files, exit status, time limit, cancel, signals, no process left behind,
 * launch failures, and the job's identity.
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "job_supervisor.h"
#include "log.h"
#include "spool.h"
#include "timefmt.h"
#include "unit.h"

struct run {
	char *tmp;                  /* spool/ and work/ live here */
	char *work;
	Sky__LaunchJob lj;
	Sky__JobRecord job;
	Sky__JobDesc desc;
	char *argv[4];
	char *env[2];
	char *jobdir;
	pid_t sup;
};

static void run_init(struct run *r, uint32_t job_id, const char *script)
{
	memset(r, 0, sizeof(*r));
	r->tmp = unit_tmpdir();
	ck_assert_int_eq(chmod(r->tmp, 0755), 0);
	r->work = xasprintf("%s/work", r->tmp);
	ck_assert_int_eq(mkdir(r->work, 01777), 0);
	ck_assert_int_eq(chmod(r->work, 01777), 0);
	sky__launch_job__init(&r->lj);
	sky__job_record__init(&r->job);
	sky__job_desc__init(&r->desc);
	r->job.job_id = job_id;
	r->job.user_id = getuid();
	r->job.group_id = getgid();
	r->job.desc = &r->desc;
	r->job.node_list = "node1";
	r->job.has_time_limit_min = true;
	r->job.time_limit_min = SKY_INFINITE;
	r->job.has_start_time = true;
	r->job.start_time = (uint64_t)time(NULL);
	r->desc.name = "tjob";
	r->desc.work_dir = r->work;
	r->env[0] = "PATH=/usr/bin:/bin";
	r->lj.env = r->env;
	r->lj.n_env = 1;
	r->lj.job_id = job_id;
	r->lj.job = &r->job;
	r->lj.script.data = (uint8_t *)script;
	r->lj.script.len = strlen(script);
	r->lj.has_kill_wait_secs = true;
	r->lj.kill_wait_secs = 1;
}

static void run_start(struct run *r)
{
	struct sky_errbuf eb;
	char *spool = xasprintf("%s/spool", r->tmp);
	struct sup_params p;

	sky_err_clear(&eb);
	ck_assert_ok(spool_mkdir_p(spool, 0755, &eb), &eb);
	ck_assert_ok(spool_job_create(spool, &r->lj, r->job.user_id, r->job.group_id, &r->jobdir,
				      &eb), &eb);
	memset(&p, 0, sizeof(p));
	p.job_id = r->lj.job_id;
	p.jobdir = r->jobdir;
	p.node_name = "node1";
	p.cluster = "sky";
	p.log_level = LOG_LEVEL_QUIET;
	p.kill_wait = 1;
	ck_assert_ok(supervisor_spawn(&p, &r->sup, &eb), &eb);
	free(spool);
}

static Sky__JobComplete *run_wait(struct run *r)
{
	struct sky_errbuf eb;
	Sky__JobComplete *jc = NULL;
	int st;

	sky_err_clear(&eb);
	ck_assert_int_eq(waitpid(r->sup, &st, 0), r->sup);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "supervisor wait status 0x%x", st);
	ck_assert_ok(spool_read_result(r->jobdir, &jc, &eb), &eb);
	ck_assert_uint_eq(jc->job_id, r->lj.job_id);
	return jc;
}

static void run_done(struct run *r, Sky__JobComplete *jc)
{
	sky__job_complete__free_unpacked(jc, NULL);
	unit_rmtree(r->tmp);
	free(r->tmp);
	free(r->work);
	free(r->jobdir);
}

static char *read_text(const char *path)
{
	uint8_t *data = NULL;
	size_t len = 0;
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');

	*slash = '\0';
	ck_assert_msg(spool_read_all(dir, slash + 1, 1 << 20, &data, &len, NULL) == 0,
		      "cannot read %s", path);
	free(dir);
	return (char *)data;
}

static char *work_file(struct run *r, const char *name)
{
	char *path = xasprintf("%s/%s", r->work, name);
	char *text = read_text(path);

	free(path);
	return text;
}

static void wait_for_work_file(struct run *r, const char *name)
{
	char *path = xasprintf("%s/%s", r->work, name);
	struct stat st;

	for (int i = 0; i < 100 && stat(path, &st) < 0; i++)
		usleep(50 * 1000);
	ck_assert_msg(stat(path, &st) == 0, "%s never appeared", path);
	free(path);
}

/* The pid written into work/name must not exist any more. */
static void assert_gone(struct run *r, const char *name)
{
	char *text = work_file(r, name);
	pid_t pid = (pid_t)atoi(text);

	ck_assert_int_gt(pid, 1);
	ck_assert_msg(kill(pid, 0) < 0 && errno == ESRCH, "process %d of the job survived", pid);
	free(text);
}

static void assert_contains(const char *text, const char *needle)
{
	ck_assert_msg(strstr(text, needle) != NULL, "'%s' not found in:\n%s", needle, text);
}

START_TEST(test_output_args_stdin_and_exit_status)
{
	struct run r;
	Sky__JobComplete *jc;
	char *out, *in;

	run_init(&r, 42, "#!/bin/sh\necho \"out $1|$2\"\necho err >&2\ncat\nexit 3\n");
	r.argv[0] = "a";
	r.argv[1] = "b c";
	r.desc.argv = r.argv;
	r.desc.n_argv = 2;
	r.desc.std_in = "in.txt";
	in = xasprintf("%s/in.txt", r.work);
	free(unit_write_file(r.work, "in.txt", "stdin-data\n"));
	run_start(&r);
	jc = run_wait(&r);
	ck_assert_int_eq(jc->state, SKY__JOB_STATE__JOB_FAILED);
	ck_assert(WIFEXITED(jc->exit_status) && WEXITSTATUS(jc->exit_status) == 3);
	ck_assert_uint_ge(jc->end_time, jc->start_time);
	out = work_file(&r, "slurm-42.out");
	ck_assert_str_eq(out, "out a|b c\nerr\nstdin-data\n");
	free(out);
	free(in);
	run_done(&r, jc);
}
END_TEST

START_TEST(test_patterns_separate_stderr_and_env)
{
	struct run r;
	Sky__JobComplete *jc;
	char *out, *err, *want;

	run_init(&r, 43, "#!/bin/sh\necho \"$SLURM_JOB_ID $SLURM_TASK_PID $$ $SLURM_JOB_NAME\"\n"
			 "echo oops >&2\n");
	r.desc.std_out = "o-%j-%x.txt";
	r.desc.std_err = "e-%j.txt";
	run_start(&r);
	jc = run_wait(&r);
	ck_assert_int_eq(jc->state, SKY__JOB_STATE__JOB_COMPLETE);
	ck_assert_int_eq(jc->exit_status, 0);
	out = work_file(&r, "o-43-tjob.txt");
	err = work_file(&r, "e-43.txt");
	/* SLURM_TASK_PID is the script's own pid */
	{
		int task = 0, self = 0;
		ck_assert_int_eq(sscanf(out, "43 %d %d tjob", &task, &self), 2);
		ck_assert_int_eq(task, self);
	}
	ck_assert_str_eq(err, "oops\n");
	want = xasprintf("%s/slurm-43.out", r.work);
	ck_assert_msg(access(want, F_OK) < 0, "default output file created despite -o");
	free(want);
	free(out);
	free(err);
	run_done(&r, jc);
}
END_TEST

START_TEST(test_time_limit_kills_everything)
{
	struct run r;
	Sky__JobComplete *jc;
	char *out;
	time_t t0 = time(NULL);

	/* A background child in its own session, and a script that ignores SIGTERM:
	 * only the SIGKILL after KillWait ends them. */
	run_init(&r, 44, "#!/bin/sh\n(setsid sleep 1000 & echo $! > bg.pid)\n"
			 "trap '' TERM\nsleep 1000 & echo $! > fg.pid\nwait\nwait\n");
	/* one minute limit, started 58 s ago: the limit is 2 s away */
	r.job.time_limit_min = 1;
	r.job.start_time = (uint64_t)t0 - 58;
	run_start(&r);
	jc = run_wait(&r);
	ck_assert_int_eq(jc->state, SKY__JOB_STATE__JOB_TIMEOUT);
	ck_assert(WIFSIGNALED(jc->exit_status) && WTERMSIG(jc->exit_status) == SIGKILL);
	ck_assert_int_le(time(NULL) - t0, 10);
	out = work_file(&r, "slurm-44.out");
	assert_contains(out, "slurmstepd: error: *** JOB 44 ON node1 CANCELLED AT ");
	assert_contains(out, " DUE TO TIME LIMIT ***\n");
	assert_gone(&r, "bg.pid");
	assert_gone(&r, "fg.pid");
	free(out);
	run_done(&r, jc);
}
END_TEST

START_TEST(test_cancel)
{
	struct run r;
	Sky__JobComplete *jc;
	struct sky_errbuf eb;
	char *out;

	sky_err_clear(&eb);
	run_init(&r, 45, "#!/bin/sh\n(setsid sleep 1000 & echo $! > bg.pid)\ntouch ready\nsleep 1000\n");
	run_start(&r);
	wait_for_work_file(&r, "ready");
	ck_assert_ok(supervisor_cancel(r.sup, 0, &eb), &eb);
	jc = run_wait(&r);
	ck_assert_int_eq(jc->state, SKY__JOB_STATE__JOB_CANCELLED);
	ck_assert(WIFSIGNALED(jc->exit_status) && WTERMSIG(jc->exit_status) == SIGTERM);
	out = work_file(&r, "slurm-45.out");
	assert_contains(out, "slurmstepd: error: *** JOB 45 ON node1 CANCELLED AT ");
	ck_assert_msg(!strstr(out, "TIME LIMIT"), "cancel reported as a time limit");
	assert_gone(&r, "bg.pid");
	free(out);
	run_done(&r, jc);
}
END_TEST

START_TEST(test_signal_batch_shell)
{
	struct run r;
	Sky__JobComplete *jc;
	struct sky_errbuf eb;
	char *out;

	sky_err_clear(&eb);
	run_init(&r, 46, "#!/bin/sh\ntrap 'echo got-usr1; exit 0' USR1\ntouch ready\n"
			 "while :; do sleep 0.1; done\n");
	run_start(&r);
	wait_for_work_file(&r, "ready");
	ck_assert_ok(supervisor_signal(r.sup, SIGUSR1, true, &eb), &eb);
	jc = run_wait(&r);
	ck_assert_int_eq(jc->state, SKY__JOB_STATE__JOB_COMPLETE);
	out = work_file(&r, "slurm-46.out");
	ck_assert_str_eq(out, "got-usr1\n");
	free(out);
	run_done(&r, jc);
}
END_TEST

START_TEST(test_leftovers_killed_at_exit)
{
	struct run r;
	Sky__JobComplete *jc;

	run_init(&r, 47, "#!/bin/sh\nsleep 1000 & echo $! > bg.pid\n"
			 "(setsid sleep 1000 & echo $! > bg2.pid)\nexit 0\n");
	run_start(&r);
	jc = run_wait(&r);
	ck_assert_int_eq(jc->state, SKY__JOB_STATE__JOB_COMPLETE);
	assert_gone(&r, "bg.pid");
	assert_gone(&r, "bg2.pid");
	run_done(&r, jc);
}
END_TEST

START_TEST(test_unwritable_output_fails_the_job)
{
	struct run r;
	Sky__JobComplete *jc;

	run_init(&r, 48, "#!/bin/sh\necho never\n");
	r.desc.std_out = "/nonexistent-dir/x.out";
	run_start(&r);
	jc = run_wait(&r);
	ck_assert_int_eq(jc->state, SKY__JOB_STATE__JOB_FAILED);
	ck_assert_ptr_nonnull(jc->message);
	assert_contains(jc->message, "Could not open output file /nonexistent-dir/x.out");
	run_done(&r, jc);
}
END_TEST

START_TEST(test_bad_work_dir_goes_to_tmp)
{
	struct run r;
	Sky__JobComplete *jc;
	uint32_t id = 900000 + (uint32_t)(getpid() % 90000);
	char *path = xasprintf("/tmp/slurm-%u.out", id);
	char *out;

	run_init(&r, id, "#!/bin/sh\npwd\n");
	r.desc.work_dir = "/nonexistent-dir/sub";
	run_start(&r);
	jc = run_wait(&r);
	ck_assert_int_eq(jc->state, SKY__JOB_STATE__JOB_COMPLETE);
	out = read_text(path);
	ck_assert_str_eq(out, "slurmstepd: error: couldn't chdir to `/nonexistent-dir/sub': "
			      "No such file or directory: going to /tmp instead\n/tmp\n");
	unlink(path);
	free(path);
	free(out);
	run_done(&r, jc);
}
END_TEST

START_TEST(test_job_runs_as_its_user)
{
	struct run r;
	Sky__JobComplete *jc;
	struct passwd *pw = getpwnam("nobody");

	run_init(&r, 49, "#!/bin/sh\nid -u\nid -g\n");
	if (getuid() == 0) {
		struct stat st;
		char *out, *want, *path;

		ck_assert_ptr_nonnull(pw);
		r.job.user_id = pw->pw_uid;
		r.job.group_id = pw->pw_gid;
		run_start(&r);
		jc = run_wait(&r);
		ck_assert_int_eq(jc->state, SKY__JOB_STATE__JOB_COMPLETE);
		out = work_file(&r, "slurm-49.out");
		want = xasprintf("%u\n%u\n", (unsigned)pw->pw_uid, (unsigned)pw->pw_gid);
		ck_assert_str_eq(out, want);
		/* the output file was created by the user, not by root */
		path = xasprintf("%s/slurm-49.out", r.work);
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_uint_eq(st.st_uid, pw->pw_uid);
		free(path);
		free(out);
		free(want);
	} else {
		/* A supervisor that is not root runs only its own uid. */
		r.job.user_id = getuid() + 1;
		run_start(&r);
		jc = run_wait(&r);
		ck_assert_int_eq(jc->state, SKY__JOB_STATE__JOB_FAILED);
		ck_assert_ptr_nonnull(jc->message);
		assert_contains(jc->message, "cannot run a job of uid");
	}
	run_done(&r, jc);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("job_supervisor");
	TCase *tc = tcase_create("supervisor");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_output_args_stdin_and_exit_status);
	tcase_add_test(tc, test_patterns_separate_stderr_and_env);
	tcase_add_test(tc, test_time_limit_kills_everything);
	tcase_add_test(tc, test_cancel);
	tcase_add_test(tc, test_signal_batch_shell);
	tcase_add_test(tc, test_leftovers_killed_at_exit);
	tcase_add_test(tc, test_unwritable_output_fails_the_job);
	tcase_add_test(tc, test_bad_work_dir_goes_to_tmp);
	tcase_add_test(tc, test_job_runs_as_its_user);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
