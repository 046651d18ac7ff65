/* job_env_test.c: the batch job's environment (protocol.md "Job environment"). */
#include "config.h"

#include "job_env.h"
#include "timefmt.h"
#include "unit.h"

/* A running one-node job 42 of uid 1000, as the controller would launch it. */
struct fixture {
	Sky__LaunchJob lj;
	Sky__JobRecord job;
	Sky__JobDesc desc;
	struct job_env_ctx ctx;
};

static char *submitted_env[] = { "PATH=/usr/bin:/bin", "FOO=bar", "SLURM_JOB_ID=stale",
				 "NOEQUALS", "=novalue" };

static void fixture_init(struct fixture *f)
{
	sky__launch_job__init(&f->lj);
	sky__job_record__init(&f->job);
	sky__job_desc__init(&f->desc);
	f->job.job_id = 42;
	f->job.user_id = 1000;
	f->job.group_id = 100;
	f->job.user_name = "alice";
	f->job.group_name = "users";
	f->job.desc = &f->desc;
	f->job.partition = "debug";
	f->job.node_list = "node1";
	f->job.has_num_nodes = true;
	f->job.num_nodes = 1;
	f->job.has_cpus_per_node = true;
	f->job.cpus_per_node = 1;
	f->job.cluster = "sky";
	f->job.has_time_limit_min = true;
	f->job.time_limit_min = 30;
	f->job.has_start_time = true;
	f->job.start_time = 1700000000;
	f->desc.name = "myjob";
	f->desc.submit_dir = "/home/alice/sub";
	f->desc.work_dir = "/home/alice/work";
	f->desc.submit_host = "login1";
	f->lj.job_id = 42;
	f->lj.job = &f->job;
	f->lj.env = submitted_env;
	f->lj.n_env = sizeof(submitted_env) / sizeof(submitted_env[0]);
	memset(&f->ctx, 0, sizeof(f->ctx));
	f->ctx.node_name = "node1";
	f->ctx.cluster = "fallback";
	f->ctx.task_pid = 4242;
	f->ctx.start_time = 1800000000;
}

static void assert_var(char **env, const char *name, const char *want)
{
	const char *got = job_env_get(env, name);

	if (!want) {
		ck_assert_msg(got == NULL, "%s is set to '%s', want unset", name, got);
		return;
	}
	ck_assert_msg(got != NULL, "%s is unset, want '%s'", name, want);
	ck_assert_msg(strcmp(got, want) == 0, "%s='%s', want '%s'", name, got, want);
}

static void assert_compress(const uint32_t *v, size_t n, const char *want)
{
	char *got = job_env_compress(v, n);

	ck_assert_msg(strcmp(got, want) == 0, "compress gave '%s', want '%s'", got, want);
	free(got);
}

START_TEST(test_compress)
{
	uint32_t a[] = { 4 }, b[] = { 72, 72 }, c[] = { 2, 2, 2, 1 }, d[] = { 3, 2 },
		 e[] = { 1, 2, 2 }, f[] = { 72, 72, 36 };

	assert_compress(a, 1, "4");
	assert_compress(b, 2, "72(x2)");
	assert_compress(c, 4, "2(x3),1");
	assert_compress(d, 2, "3,2");
	assert_compress(e, 3, "1,2(x2)");
	assert_compress(f, 3, "72(x2),36");
	assert_compress(a, 0, "");
}
END_TEST

START_TEST(test_tasks_per_node)
{
	struct fixture f;
	uint32_t *v;

	fixture_init(&f);
	/* -n 5 over 2 nodes: block layout, the remainder on the first node */
	f.desc.num_tasks = 5;
	job_env_tasks_per_node(&f.job, 2, &v);
	ck_assert_uint_eq(v[0], 3);
	ck_assert_uint_eq(v[1], 2);
	free(v);
	/* --ntasks-per-node=2 on 3 nodes */
	f.desc.num_tasks = 0;
	f.desc.ntasks_per_node = 2;
	job_env_tasks_per_node(&f.job, 3, &v);
	ck_assert_uint_eq(v[0], 2);
	ck_assert_uint_eq(v[2], 2);
	free(v);
	/* neither: one task per cpus_per_task of the allocated CPUs */
	f.desc.ntasks_per_node = 0;
	f.desc.cpus_per_task = 2;
	f.job.cpus_per_node = 8;
	job_env_tasks_per_node(&f.job, 1, &v);
	ck_assert_uint_eq(v[0], 4);
	free(v);
}
END_TEST

START_TEST(test_basic_variables)
{
	struct fixture f;
	char **env;

	fixture_init(&f);
	env = job_env_build(&f.lj, &f.ctx);
	assert_var(env, "PATH", "/usr/bin:/bin");
	assert_var(env, "FOO", "bar");
	assert_var(env, "NOEQUALS", NULL);
	assert_var(env, "SLURM_JOB_ID", "42");
	assert_var(env, "SLURM_JOBID", "42");
	assert_var(env, "SLURM_JOB_NAME", "myjob");
	assert_var(env, "SLURM_JOB_NODELIST", "node1");
	assert_var(env, "SLURM_NODELIST", "node1");
	assert_var(env, "SLURM_JOB_NUM_NODES", "1");
	assert_var(env, "SLURM_NNODES", "1");
	assert_var(env, "SLURM_CPUS_ON_NODE", "1");
	assert_var(env, "SLURM_JOB_CPUS_PER_NODE", "1");
	assert_var(env, "SLURM_TASKS_PER_NODE", "1");
	assert_var(env, "SLURM_NTASKS", NULL);
	assert_var(env, "SLURM_NPROCS", NULL);
	assert_var(env, "SLURM_CPUS_PER_TASK", NULL);
	assert_var(env, "SLURM_JOB_PARTITION", "debug");
	assert_var(env, "SLURM_SUBMIT_DIR", "/home/alice/sub");
	assert_var(env, "SLURM_SUBMIT_HOST", "login1");
	assert_var(env, "SLURM_CLUSTER_NAME", "sky");
	assert_var(env, "SLURM_JOB_USER", "alice");
	assert_var(env, "SLURM_JOB_UID", "1000");
	assert_var(env, "SLURM_JOB_GID", "100");
	assert_var(env, "SLURM_JOB_GROUP", "users");
	assert_var(env, "SLURMD_NODENAME", "node1");
	assert_var(env, "SLURM_NODEID", "0");
	assert_var(env, "SLURM_PROCID", "0");
	assert_var(env, "SLURM_LOCALID", "0");
	assert_var(env, "SLURM_GTIDS", "0");
	assert_var(env, "SLURM_TASK_PID", "4242");
	assert_var(env, "SLURM_RESTART_COUNT", "0");
	assert_var(env, "SLURM_PRIO_PROCESS", "0");
	assert_var(env, "SLURM_JOB_START_TIME", "1700000000");
	assert_var(env, "SLURM_JOB_END_TIME", "1700001800");
	assert_var(env, "ENVIRONMENT", "BATCH");
	assert_var(env, "HOSTNAME", "node1");
	assert_var(env, "SLURM_ARRAY_JOB_ID", NULL);
	assert_var(env, "SLURM_JOB_ACCOUNT", NULL);
	/* SLURM_JOB_ID appears once: the stale submitted value was replaced */
	{
		int n = 0;
		for (char **p = env; *p; p++)
			n += strncmp(*p, "SLURM_JOB_ID=", 13) == 0;
		ck_assert_int_eq(n, 1);
	}
	job_env_free(env);
}
END_TEST

START_TEST(test_requested_resources)
{
	struct fixture f;
	char **env;

	fixture_init(&f);
	f.job.node_list = "tux[1-2]";
	f.job.num_nodes = 2;
	f.job.cpus_per_node = 72;
	f.desc.num_tasks = 5;
	f.desc.cpus_per_task = 3;
	f.desc.mem_per_cpu_mb = 512;
	f.desc.account = "physics";
	f.desc.qos = "high";
	f.job.time_limit_min = SKY_INFINITE;
	f.job.restart_count = 2;
	f.desc.prio_process = 5;
	f.job.cluster = NULL;
	env = job_env_build(&f.lj, &f.ctx);
	assert_var(env, "SLURM_JOB_NODELIST", "tux[1-2]");
	assert_var(env, "SLURM_JOB_NUM_NODES", "2");
	assert_var(env, "SLURM_JOB_CPUS_PER_NODE", "72(x2)");
	assert_var(env, "SLURM_CPUS_ON_NODE", "72");
	assert_var(env, "SLURM_TASKS_PER_NODE", "3,2");
	assert_var(env, "SLURM_NTASKS", "5");
	assert_var(env, "SLURM_NPROCS", "5");
	assert_var(env, "SLURM_CPUS_PER_TASK", "3");
	assert_var(env, "SLURM_MEM_PER_CPU", "512");
	assert_var(env, "SLURM_MEM_PER_NODE", NULL);
	assert_var(env, "SLURM_JOB_ACCOUNT", "physics");
	assert_var(env, "SLURM_JOB_QOS", "high");
	assert_var(env, "SLURM_RESTART_COUNT", "2");
	assert_var(env, "SLURM_PRIO_PROCESS", "5");
	assert_var(env, "SLURM_CLUSTER_NAME", "fallback");
	/* no limit: Slurm's end time is a year after the start */
	assert_var(env, "SLURM_JOB_END_TIME", "1731536000");
	job_env_free(env);

	fixture_init(&f);
	f.desc.ntasks_per_node = 4;
	f.desc.mem_per_node_mb = 2048;
	env = job_env_build(&f.lj, &f.ctx);
	assert_var(env, "SLURM_NTASKS", "4");
	assert_var(env, "SLURM_NTASKS_PER_NODE", "4");
	assert_var(env, "SLURM_TASKS_PER_NODE", "4");
	assert_var(env, "SLURM_MEM_PER_NODE", "2048");
	job_env_free(env);
}
END_TEST

START_TEST(test_array_task)
{
	struct fixture f;
	char **env;

	fixture_init(&f);
	f.job.job_id = 57;
	f.job.has_array_task_id = true;
	f.job.array_task_id = 5;
	f.job.array_job_id = 50;
	f.desc.array = "1-7:2%2";
	env = job_env_build(&f.lj, &f.ctx);
	assert_var(env, "SLURM_JOB_ID", "57");
	assert_var(env, "SLURM_ARRAY_JOB_ID", "50");
	assert_var(env, "SLURM_ARRAY_TASK_ID", "5");
	assert_var(env, "SLURM_ARRAY_TASK_COUNT", "4");
	assert_var(env, "SLURM_ARRAY_TASK_MIN", "1");
	assert_var(env, "SLURM_ARRAY_TASK_MAX", "7");
	assert_var(env, "SLURM_ARRAY_TASK_STEP", "2");
	job_env_free(env);

	f.desc.array = "0,3,4";
	env = job_env_build(&f.lj, &f.ctx);
	assert_var(env, "SLURM_ARRAY_TASK_COUNT", "3");
	assert_var(env, "SLURM_ARRAY_TASK_MIN", "0");
	assert_var(env, "SLURM_ARRAY_TASK_MAX", "4");
	assert_var(env, "SLURM_ARRAY_TASK_STEP", "1");
	job_env_free(env);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("job_env");
	TCase *tc = tcase_create("env");

	tcase_add_test(tc, test_compress);
	tcase_add_test(tc, test_tasks_per_node);
	tcase_add_test(tc, test_basic_variables);
	tcase_add_test(tc, test_requested_resources);
	tcase_add_test(tc, test_array_task);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
