/* tests_srun.c: srun's options and input environment (srun_opts.h) and its labelled output (srun_io.h). */
#include "config.h"

#include <fcntl.h>

#include "srun_io.h"
#include "srun_opts.h"
#include "unit.h"

static int parse(char **argv, char **env, struct srun_opts *o, struct sky_errbuf *eb)
{
	int argc = 0;
	bool exit_now;

	while (argv[argc])
		argc++;
	sky_err_clear(eb);
	return srun_opts_parse(argc, argv, env, o, &exit_now, eb);
}

START_TEST(test_options_stop_at_the_command)
{
	char *argv[] = { "srun", "-N2", "-n", "4", "-l", "--kill-on-bad-exit", "--cpu-bind=cores",
			 "--mpi=none", "-o", "out-%t", "hostname", "-n", "9", NULL };
	char *env[] = { "SLURM_JOB_ID=12", NULL };
	struct srun_opts o;
	struct sky_errbuf eb;

	ck_assert_int_eq(parse(argv, env, &o, &eb), 0);
	ck_assert_uint_eq(o.nodes, 2);
	ck_assert_uint_eq(o.ntasks, 4);
	ck_assert(o.label);
	ck_assert_int_eq(o.kill_on_bad_exit, 1);
	ck_assert_int_eq(o.cpu_bind, SRUN_BIND_CORES);
	ck_assert_str_eq(o.std_out, "out-%t");
	ck_assert_uint_eq(o.job_id, 12);
	ck_assert_int_eq(o.argc, 3);
	ck_assert_str_eq(o.argv[0], "hostname");
	ck_assert_str_eq(o.argv[1], "-n");    /* the command's own option */
	srun_opts_free(&o);
}
END_TEST

START_TEST(test_allocation_defaults_from_env)
{
	char *argv[] = { "srun", "true", NULL };
	char *env[] = { "SLURM_JOBID=5", "SLURM_NTASKS=4", "SLURM_CPUS_PER_TASK=2",
			"SLURM_KILL_BAD_EXIT=1", NULL };
	char *argv2[] = { "srun", "-n1", "--kill-on-bad-exit=0", "true", NULL };
	char *none[] = { "SLURM_NTASKS=4", NULL };
	struct srun_opts o;
	struct sky_errbuf eb;

	ck_assert_int_eq(parse(argv, env, &o, &eb), 0);
	ck_assert_uint_eq(o.job_id, 5);
	ck_assert_uint_eq(o.ntasks, 4);
	ck_assert_uint_eq(o.cpus_per_task, 2);
	ck_assert_int_eq(o.kill_on_bad_exit, 1);
	srun_opts_free(&o);
	ck_assert_int_eq(parse(argv2, env, &o, &eb), 0);
	ck_assert_uint_eq(o.ntasks, 1);          /* the command line wins */
	ck_assert_int_eq(o.kill_on_bad_exit, 0);
	srun_opts_free(&o);
	/* A layout on the command line does not inherit the job's task count. */
	{
		char *argv3[] = { "srun", "--ntasks-per-node=1", "true", NULL };
		ck_assert_int_eq(parse(argv3, env, &o, &eb), 0);
		ck_assert_uint_eq(o.ntasks, 0);
		ck_assert_uint_eq(o.ntasks_per_node, 1);
		srun_opts_free(&o);
	}
	/* Outside an allocation the job's variables mean nothing. */
	ck_assert_int_eq(parse(argv, none, &o, &eb), 0);
	ck_assert_uint_eq(o.job_id, 0);
	ck_assert_uint_eq(o.ntasks, 0);
	srun_opts_free(&o);
}
END_TEST

START_TEST(test_bad_values)
{
	char *no_cmd[] = { "srun", "-n2", NULL };
	char *bad_n[] = { "srun", "-n", "zero", "true", NULL };
	char *bad_bind[] = { "srun", "--cpu-bind=sockets", "true", NULL };
	char *env[] = { NULL };
	struct srun_opts o;
	struct sky_errbuf eb;

	ck_assert_int_eq(parse(no_cmd, env, &o, &eb), SKY_E_INVAL);
	ck_assert_str_eq(eb.msg, "No command given to execute.");
	srun_opts_free(&o);
	ck_assert_int_eq(parse(bad_n, env, &o, &eb), SKY_E_INVAL);
	srun_opts_free(&o);
	ck_assert_int_eq(parse(bad_bind, env, &o, &eb), SKY_E_INVAL);
	srun_opts_free(&o);
}
END_TEST

static char *read_pipe(int fd)
{
	static char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

START_TEST(test_labels)
{
	int p[2];
	char *part = NULL;
	size_t plen = 0;

	ck_assert_int_eq(srun_io_label_width(1), 1);
	ck_assert_int_eq(srun_io_label_width(10), 1);
	ck_assert_int_eq(srun_io_label_width(11), 2);
	ck_assert_int_eq(srun_io_label_width(101), 3);
	ck_assert_int_eq(pipe(p), 0);
	/* Lines are labelled whole; a partial line waits for its end. */
	srun_io_write_labelled(p[1], 3, 2, &part, &plen, "a\nb", 3, false);
	ck_assert_str_eq(read_pipe(p[0]), " 3: a\n");
	srun_io_write_labelled(p[1], 3, 2, &part, &plen, "c\nd", 3, false);
	ck_assert_str_eq(read_pipe(p[0]), " 3: bc\n");
	srun_io_write_labelled(p[1], 3, 2, &part, &plen, "", 0, true);
	ck_assert_str_eq(read_pipe(p[0]), " 3: d");
	/* Without -l whole lines still go out one at a time, unlabelled. */
	srun_io_write_labelled(p[1], 3, 0, &part, &plen, "x\ny", 3, false);
	ck_assert_str_eq(read_pipe(p[0]), "x\n");
	srun_io_write_labelled(p[1], 3, 0, &part, &plen, "z\n", 2, false);
	ck_assert_str_eq(read_pipe(p[0]), "yz\n");
	/* -u: as it comes. */
	srun_io_write_labelled(p[1], 3, -1, &part, &plen, "x\ny", 3, false);
	ck_assert_str_eq(read_pipe(p[0]), "x\ny");
	free(part);
	close(p[0]);
	close(p[1]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("srun");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_options_stop_at_the_command);
	tcase_add_test(tc, test_allocation_defaults_from_env);
	tcase_add_test(tc, test_bad_values);
	tcase_add_test(tc, test_labels);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
