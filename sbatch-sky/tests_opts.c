/*
 * tests_opts.c: sbatch's option table, the precedence of command line over
 * SBATCH_* over #SBATCH, Slurm's value errors, --export and the JobDesc.
 */
#include "config.h"

#include "../tests/unit/unit.h"
#include "env_export.h"
#include "job_desc.h"
#include "opt_parse.h"
#include "timefmt.h"

/* Apply the three sources the way sbatch does: script, environment, command line. */
static int apply(struct sbatch_opts *o, char **script, char **env, char **cli, struct sky_errbuf *eb)
{
	int n, rc;

	sky_err_clear(eb);
	for (n = 0; script && script[n]; n++)
		;
	if (n && (rc = opt_parse_args(o, n, script, OPT_PASS_SCRIPT, NULL, eb)))
		return rc;
	if ((rc = opt_parse_env(o, env, eb)))
		return rc;
	for (n = 0; cli && cli[n]; n++)
		;
	if (n && (rc = opt_parse_args(o, n, cli, OPT_PASS_CLI, NULL, eb)))
		return rc;
	return opt_verify(o, eb);
}

START_TEST(test_precedence)
{
	struct sbatch_opts o;
	struct sky_errbuf eb;
	char *script[] = { "sbatch", "-J", "fromscript", "-p", "sp", "-t", "10", NULL };
	char *env[] = { "SBATCH_JOB_NAME=fromenv", "SBATCH_TIMELIMIT=20", "HOME=/x", NULL };
	char *cli[] = { "sbatch", "--job-name=fromcli", "job.sh", "-J", "arg", NULL };

	sbatch_opts_init(&o);
	ck_assert_ok(apply(&o, script, NULL, NULL, &eb), &eb);
	ck_assert_str_eq(o.job_name, "fromscript");
	ck_assert_int_eq(opt_source(&o, "job-name"), OPT_SRC_SCRIPT);
	sbatch_opts_free(&o);

	sbatch_opts_init(&o);
	ck_assert_ok(apply(&o, script, env, NULL, &eb), &eb);
	ck_assert_str_eq(o.job_name, "fromenv");
	ck_assert_uint_eq(o.time_limit, 20);
	ck_assert_str_eq(o.partition, "sp");
	sbatch_opts_free(&o);

	sbatch_opts_init(&o);
	ck_assert_ok(apply(&o, script, env, cli, &eb), &eb);
	/* Options stop at the script name: "-J arg" after it belongs to the script. */
	ck_assert_str_eq(o.job_name, "fromcli");
	ck_assert_int_eq(opt_source(&o, "job-name"), OPT_SRC_CLI);
	ck_assert_int_eq(opt_source(&o, "time"), OPT_SRC_ENV);
	ck_assert_int_eq(opt_source(&o, "partition"), OPT_SRC_SCRIPT);
	sbatch_opts_free(&o);
}
END_TEST

START_TEST(test_first_pass_finds_script)
{
	struct sbatch_opts o;
	struct sky_errbuf eb;
	char *cli[] = { "sbatch", "-v", "-J", "x", "--wrap", "true", "-Q", "-D", "/tmp", "job.sh",
			"-v", NULL };
	int next = 0;

	sbatch_opts_init(&o);
	sky_err_clear(&eb);
	ck_assert_ok(opt_parse_args(&o, 11, cli, OPT_PASS_EARLY, &next, &eb), &eb);
	ck_assert_int_eq(next, 9);
	ck_assert_int_eq(o.verbose, 1);
	ck_assert_int_eq(o.quiet, 1);
	ck_assert_str_eq(o.wrap, "true");
	ck_assert_str_eq(o.chdir, "/tmp");
	ck_assert_ptr_null(o.job_name);           /* not an early option */
	sbatch_opts_free(&o);
}
END_TEST

START_TEST(test_env_flags)
{
	static const char *on[] = { "SBATCH_REQUEUE=", "SBATCH_REQUEUE=yes", "SBATCH_REQUEUE=YES",
				    "SBATCH_REQUEUE=1", "SBATCH_REQUEUE=-3" };
	static const char *off[] = { "SBATCH_REQUEUE=no", "SBATCH_REQUEUE=0", "SBATCH_REQUEUE=1x" };
	struct sbatch_opts o;
	struct sky_errbuf eb;

	for (size_t i = 0; i < sizeof(on) / sizeof(on[0]); i++) {
		char *env[] = { (char *)on[i], NULL };
		sbatch_opts_init(&o);
		ck_assert_ok(apply(&o, NULL, env, NULL, &eb), &eb);
		ck_assert_msg(o.requeue == 1, "%s", on[i]);
		sbatch_opts_free(&o);
	}
	for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
		char *script[] = { "sbatch", "--requeue", NULL };
		char *env[] = { (char *)off[i], NULL };
		sbatch_opts_init(&o);
		ck_assert_ok(apply(&o, script, env, NULL, &eb), &eb);
		ck_assert_msg(o.requeue == -1, "%s left requeue=%d", off[i], o.requeue);
		sbatch_opts_free(&o);
	}
}
END_TEST

START_TEST(test_requeue_group)
{
	struct sbatch_opts o;
	struct sky_errbuf eb;
	char *script[] = { "sbatch", "--requeue", NULL };
	char *cli[] = { "sbatch", "--no-requeue", NULL };

	sbatch_opts_init(&o);
	ck_assert_ok(apply(&o, script, NULL, cli, &eb), &eb);
	ck_assert_int_eq(o.requeue, 0);
	ck_assert_int_eq(opt_source(&o, "requeue"), OPT_SRC_NONE);
	ck_assert_int_eq(opt_source(&o, "no-requeue"), OPT_SRC_CLI);
	sbatch_opts_free(&o);
}
END_TEST

/* A bad value is SKY_E_INVAL with exactly Slurm's message. */
static void expect_bad(const char *arg, const char *msg)
{
	struct sbatch_opts o;
	struct sky_errbuf eb;
	char *cli[] = { "sbatch", (char *)arg, NULL };

	sbatch_opts_init(&o);
	ck_assert_int_eq(apply(&o, NULL, NULL, cli, &eb), SKY_E_INVAL);
	ck_assert_str_eq(eb.msg, msg);
	sbatch_opts_free(&o);
}

START_TEST(test_bad_values)
{
	expect_bad("--time=abc", "Invalid --time specification");
	expect_bad("--time-min=1:2:3:4", "Invalid --time-min specification");
	expect_bad("-Nx", "\"x\" is not a valid node count");
	expect_bad("--nodes=2-y", "\"y\" is not a valid node count");
	expect_bad("-n0", "Invalid numeric value \"0\" for --ntasks.");
	expect_bad("-c-1", "Invalid numeric value \"-1\" for --cpus-per-task.");
	expect_bad("--ntasks-per-node=two", "Invalid numeric value \"two\" for --ntasks-per-node.");
	expect_bad("--mem=1Q", "Invalid --mem specification");
	expect_bad("--mem-per-cpu=lots", "Invalid --mem-per-cpu specification");
	expect_bad("--open-mode=x", "Invalid --open-mode specification");
	expect_bad("--nice=3000000000", "Invalid --nice value, out of range (+/- 2147483645)");
	expect_bad("--exclusive=nope", "Invalid --exclusive specification");
	expect_bad("--begin=whenever", "Invalid --begin specification");
	expect_bad("--uid=no-such-user-here", "Invalid --uid specification");
}
END_TEST

START_TEST(test_values)
{
	struct sbatch_opts o;
	struct sky_errbuf eb;
	char *cli[] = { "sbatch", "-N", "2-4", "-t", "0", "--time-min=90", "--mem=2G",
			"--nice", "--exclusive", "-o", "none", "--open-mode=append", "--begin=now+60",
			"--uid=0", NULL };
	time_t now = time(NULL);

	sbatch_opts_init(&o);
	ck_assert_ok(apply(&o, NULL, NULL, cli, &eb), &eb);
	ck_assert(o.nodes_set);
	ck_assert_uint_eq(o.min_nodes, 2);
	ck_assert_uint_eq(o.max_nodes, 4);
	ck_assert_uint_eq(o.time_limit, SKY_INFINITE);   /* -t 0 means no limit */
	ck_assert_uint_eq(o.time_min, 90);
	ck_assert(o.mem_set);
	ck_assert_uint_eq(o.mem_mb, 2048);
	ck_assert(o.nice_set);
	ck_assert_int_eq(o.nice, 100);                   /* --nice without a value */
	ck_assert_int_eq(o.exclusive, SB_EXCL_EXCLUSIVE);
	ck_assert_str_eq(o.std_out, "/dev/null");
	ck_assert_int_eq(o.open_mode, 'a');
	ck_assert(o.begin >= now + 59 && o.begin <= now + 61);
	ck_assert(o.uid_set);
	ck_assert_uint_eq(o.uid, 0);
	sbatch_opts_free(&o);
}
END_TEST

START_TEST(test_unknown_and_directive)
{
	struct sbatch_opts o;
	struct sky_errbuf eb;
	char *cli[] = { "sbatch", "--no-such-option", NULL };
	char *script[] = { "sbatch", "-J", "x", "stray", "-N", "2", NULL };
	char *script_bad[] = { "sbatch", "--bogus", NULL };

	sbatch_opts_init(&o);
	ck_assert_int_eq(apply(&o, NULL, NULL, cli, &eb), OPT_E_USAGE);
	ck_assert_str_eq(eb.msg, "Try \"sbatch --help\" for more information");
	ck_assert_int_eq(apply(&o, script, NULL, NULL, &eb), SKY_E_INVAL);
	ck_assert_str_eq(eb.msg, "Invalid directive found in batch script: stray");
	ck_assert_int_eq(apply(&o, script_bad, NULL, NULL, &eb), OPT_E_USAGE);
	sbatch_opts_free(&o);
}
END_TEST

START_TEST(test_memory_exclusive)
{
	struct sbatch_opts o;
	struct sky_errbuf eb;
	char *script[] = { "sbatch", "--mem-per-cpu=100", NULL };
	char *cli_mem[] = { "sbatch", "--mem=300", NULL };
	char *cli_both[] = { "sbatch", "--mem=300", "--mem-per-cpu=5", NULL };
	char *env_both[] = { "SBATCH_MEM_PER_NODE=1", "SBATCH_MEM_PER_CPU=2", NULL };

	sbatch_opts_init(&o);
	ck_assert_ok(apply(&o, script, NULL, cli_mem, &eb), &eb);
	ck_assert(o.mem_set && !o.mem_per_cpu_set);
	ck_assert_uint_eq(o.mem_mb, 300);
	sbatch_opts_free(&o);

	sbatch_opts_init(&o);
	ck_assert_int_eq(apply(&o, NULL, NULL, cli_both, &eb), SKY_E_GENERIC);
	ck_assert_str_eq(eb.msg, "--mem, --mem-per-cpu, and --mem-per-gpu are mutually exclusive.");
	sbatch_opts_free(&o);

	sbatch_opts_init(&o);
	ck_assert_int_eq(apply(&o, NULL, env_both, NULL, &eb), SKY_E_GENERIC);
	sbatch_opts_free(&o);
}
END_TEST

START_TEST(test_derived_counts)
{
	struct sbatch_opts o;
	struct sky_errbuf eb;
	char *cli[] = { "sbatch", "-N2", "--ntasks-per-node=3", NULL };
	char *few[] = { "sbatch", "-N4", "-n2", NULL };
	char *both[] = { "sbatch", "-v", "-Q", NULL };

	sbatch_opts_init(&o);
	ck_assert_ok(apply(&o, NULL, NULL, cli, &eb), &eb);
	ck_assert(o.ntasks_set);
	ck_assert_uint_eq(o.ntasks, 6);
	sbatch_opts_free(&o);

	sbatch_opts_init(&o);
	ck_assert_ok(apply(&o, NULL, NULL, few, &eb), &eb);
	ck_assert_uint_eq(o.min_nodes, 2);
	ck_assert_uint_eq(o.max_nodes, 2);
	sbatch_opts_free(&o);

	sbatch_opts_init(&o);
	sky_err_clear(&eb);
	ck_assert_ok(opt_parse_args(&o, 3, both, OPT_PASS_EARLY, NULL, &eb), &eb);
	ck_assert_int_eq(opt_verify(&o, &eb), SKY_E_GENERIC);
	ck_assert_str_eq(eb.msg, "don't specify both --verbose (-v) and --quiet (-Q)");
	sbatch_opts_free(&o);
}
END_TEST

/* --export results, as "A=1 B=2" in the order built. */
static char *exported(const char *spec, char **env, bool *user_env)
{
	char **out = NULL, *s = xstrdup("");
	size_t n = 0;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	ck_assert_ok(env_export_build(spec, env, &out, &n, user_env, &eb), &eb);
	for (size_t i = 0; i < n; i++)
		xstrfmtcat(&s, "%s%s", i ? " " : "", out[i]);
	ck_assert_ptr_null(out[n]);
	env_free(out, n);
	return s;
}

START_TEST(test_export)
{
	char *env[] = { "A=1", "SLURM_X=s", "B=2", NULL };
	bool user_env;
	char *s;

	s = exported(NULL, env, &user_env);
	ck_assert_str_eq(s, "A=1 SLURM_X=s B=2");
	ck_assert(!user_env);
	free(s);
	s = exported("NONE", env, &user_env);
	ck_assert_str_eq(s, "SLURM_X=s");
	ck_assert(user_env);
	free(s);
	s = exported("NIL", env, &user_env);
	ck_assert_str_eq(s, "SLURM_X=s");
	ck_assert(!user_env);
	free(s);
	s = exported("ALL,B=9,C=\"x,y\"", env, &user_env);
	ck_assert_str_eq(s, "A=1 SLURM_X=s B=9 C=x,y");
	ck_assert(!user_env);
	free(s);
	s = exported("B,NOPE,D=4", env, &user_env);
	ck_assert_str_eq(s, "B=2 D=4 SLURM_X=s");
	ck_assert(user_env);
	free(s);
}
END_TEST

START_TEST(test_job_desc)
{
	struct sbatch_opts o;
	struct sky_errbuf eb;
	char *cli[] = { "sbatch", "-D", "sub", "-o", "out-%j.txt", "-e", "/abs/err", "-n", "3",
			"--nice=5", "--no-requeue", "-H", "--export=NIL", NULL };
	char *script_argv[] = { "/path/to/job.sh", "a1", "a2" };
	char *env[] = { "HOME=/h", "SLURM_KEEP=1", NULL };
	struct submit_ctx ctx = { .cwd = "/sub/mit", .host = "h1", .environ = env, .umask = 022,
				  .prio_process = 3, .script_path = "/path/to/job.sh",
				  .submit_line = "sbatch x" };
	Sky__JobDesc *d = NULL;
	bool have_keep = false, have_home = false, have_submit = false;

	sbatch_opts_init(&o);
	ck_assert_ok(apply(&o, NULL, NULL, cli, &eb), &eb);
	o.script_argc = 3;
	o.script_argv = script_argv;
	ck_assert_ok(job_desc_build(&o, &ctx, "#!/bin/sh\n", 10, &d, &eb), &eb);
	ck_assert_str_eq(d->name, "job.sh");
	ck_assert_str_eq(d->work_dir, "/sub/mit/sub");
	ck_assert_str_eq(d->submit_dir, "/sub/mit");
	ck_assert_str_eq(d->std_out, "/sub/mit/sub/out-%j.txt");
	ck_assert_str_eq(d->std_err, "/abs/err");
	ck_assert_str_eq(d->std_in, "/dev/null");
	ck_assert_str_eq(d->command, "/path/to/job.sh");
	ck_assert(d->has_num_tasks && d->num_tasks == 3);
	ck_assert(d->has_nice && d->nice == 0x80000000u + 5);
	ck_assert(d->has_requeue && d->requeue_set && !d->requeue);
	ck_assert(d->hold);
	ck_assert_uint_eq(d->n_argv, 2);
	ck_assert_str_eq(d->argv[1], "a2");
	ck_assert_uint_eq(d->script.len, 10);
	ck_assert_uint_eq(d->umask, 022);
	for (size_t i = 0; i < d->n_env; i++) {
		have_keep |= !strcmp(d->env[i], "SLURM_KEEP=1");
		have_home |= !strncmp(d->env[i], "HOME=", 5);
		have_submit |= !strcmp(d->env[i], "SLURM_SUBMIT_DIR=/sub/mit");
	}
	ck_assert(have_keep);
	ck_assert(have_submit);
	ck_assert(!have_home);        /* NIL exports SLURM_* only */
	job_desc_free(d);
	o.script_argc = 0;
	o.wrap = xstrdup("true");
	ck_assert_str_eq(job_default_name(&o), "wrap");
	FREE_NULL(o.wrap);
	ck_assert_str_eq(job_default_name(&o), "sbatch");
	sbatch_opts_free(&o);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("opts");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_precedence);
	tcase_add_test(tc, test_first_pass_finds_script);
	tcase_add_test(tc, test_env_flags);
	tcase_add_test(tc, test_requeue_group);
	tcase_add_test(tc, test_bad_values);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_unknown_and_directive);
	tcase_add_test(tc, test_memory_exclusive);
	tcase_add_test(tc, test_derived_counts);
	tcase_add_test(tc, test_export);
	tcase_add_test(tc, test_job_desc);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
