/* step_env_test.c: a step task's environment (step_env.h), -o patterns (step_task.h),
 * and the srun <-> node I/O framing (step_io.h). */
#include "config.h"

#include <sys/socket.h>

#include "job_env.h"
#include "step_env.h"
#include "step_io.h"
#include "step_task.h"
#include "unit.h"

struct fixture {
	Sky__StepLaunch sl;
	Sky__JobRecord job;
	Sky__JobDesc desc;
	Sky__StepCreateRequest rq;
	Sky__StepRecord st;
	uint32_t tpn[2];
	char *env[3];
};

static void fixture_init(struct fixture *f)
{
	sky__step_launch__init(&f->sl);
	sky__job_record__init(&f->job);
	sky__job_desc__init(&f->desc);
	sky__step_create_request__init(&f->rq);
	sky__step_record__init(&f->st);
	f->desc.name = "train";
	f->job.desc = &f->desc;
	f->job.job_id = 42;
	f->job.node_list = "node[1-2]";
	f->job.num_nodes = 2;
	f->job.cpus_per_node = 4;
	f->job.partition = "debug";
	f->job.user_name = "alice";
	f->job.user_id = 1000;
	f->job.cluster = "sky";
	f->env[0] = "HOME=/home/alice";
	f->env[1] = "SLURM_NTASKS=9";     /* the job's value: the step's wins */
	f->env[2] = NULL;
	f->rq.env = f->env;
	f->rq.n_env = 2;
	f->rq.io_host = "10.0.0.5";
	f->rq.io_port = 4242;
	f->rq.cpus_per_task = 2;
	f->tpn[0] = 3;
	f->tpn[1] = 2;
	f->st.step_id = 1;
	f->st.node_list = "node[1-2]";
	f->st.num_nodes = 2;
	f->st.num_tasks = 5;
	f->st.cpus_per_task = 2;
	f->st.tasks_per_node = f->tpn;
	f->st.n_tasks_per_node = 2;
	f->sl.job_id = 42;
	f->sl.step_id = 1;
	f->sl.job = &f->job;
	f->sl.req = &f->rq;
	f->sl.step = &f->st;
}

START_TEST(test_task_env)
{
	struct fixture f;
	struct step_task_ctx c;
	char **env;

	fixture_init(&f);
	memset(&c, 0, sizeof(c));
	c.sl = &f.sl;
	c.node_name = "node2";
	c.node_id = 1;
	c.local_id = 1;
	c.global_id = step_first_task(&f.st, 1) + 1;
	c.task_pid = 777;
	env = step_env_build(&c);
	ck_assert_str_eq(job_env_get(env, "HOME"), "/home/alice");
	ck_assert_str_eq(job_env_get(env, "SLURM_PROCID"), "4");
	ck_assert_str_eq(job_env_get(env, "SLURM_LOCALID"), "1");
	ck_assert_str_eq(job_env_get(env, "SLURM_NODEID"), "1");
	ck_assert_str_eq(job_env_get(env, "SLURM_STEP_ID"), "1");
	ck_assert_str_eq(job_env_get(env, "SLURM_STEPID"), "1");
	ck_assert_str_eq(job_env_get(env, "SLURM_NTASKS"), "5");
	ck_assert_str_eq(job_env_get(env, "SLURM_NPROCS"), "5");
	ck_assert_str_eq(job_env_get(env, "SLURM_STEP_NUM_TASKS"), "5");
	ck_assert_str_eq(job_env_get(env, "SLURM_STEP_NUM_NODES"), "2");
	ck_assert_str_eq(job_env_get(env, "SLURM_STEP_NODELIST"), "node[1-2]");
	ck_assert_str_eq(job_env_get(env, "SLURM_STEP_TASKS_PER_NODE"), "3,2");
	ck_assert_str_eq(job_env_get(env, "SLURM_TASKS_PER_NODE"), "3,2");
	ck_assert_str_eq(job_env_get(env, "SLURM_GTIDS"), "3,4");
	ck_assert_str_eq(job_env_get(env, "SLURM_TASK_PID"), "777");
	ck_assert_str_eq(job_env_get(env, "SLURM_CPUS_PER_TASK"), "2");
	ck_assert_str_eq(job_env_get(env, "SLURM_SRUN_COMM_HOST"), "10.0.0.5");
	ck_assert_str_eq(job_env_get(env, "SLURM_LAUNCH_NODE_IPADDR"), "10.0.0.5");
	ck_assert_str_eq(job_env_get(env, "SLURMD_NODENAME"), "node2");
	ck_assert_str_eq(job_env_get(env, "SLURM_JOB_ID"), "42");
	ck_assert_str_eq(job_env_get(env, "SLURM_JOB_NODELIST"), "node[1-2]");
	ck_assert_str_eq(job_env_get(env, "SLURM_JOB_CPUS_PER_NODE"), "4(x2)");
	ck_assert_str_eq(job_env_get(env, "SLURM_JOB_NAME"), "train");
	step_env_free(env);
	/* Without -c there is no SLURM_CPUS_PER_TASK. */
	f.st.cpus_per_task = 0;
	env = step_env_build(&c);
	ck_assert_ptr_null(job_env_get(env, "SLURM_CPUS_PER_TASK"));
	step_env_free(env);
}
END_TEST

START_TEST(test_block_ids)
{
	struct fixture f;

	fixture_init(&f);
	ck_assert_uint_eq(step_first_task(&f.st, 0), 0);
	ck_assert_uint_eq(step_first_task(&f.st, 1), 3);
	ck_assert_uint_eq(step_tasks_on(&f.st, 1), 2);
	ck_assert_uint_eq(step_tasks_on(&f.st, 2), 0);
}
END_TEST

START_TEST(test_pattern_kinds)
{
	ck_assert(step_pattern_has("out-%t.txt", "t"));
	ck_assert(step_pattern_has("out-%4t.txt", "t"));
	ck_assert(!step_pattern_has("out-%j.txt", "t"));
	ck_assert(step_pattern_has("out-%N.txt", "nN"));
	ck_assert(!step_pattern_has("out-%%N.txt", "nN"));   /* a literal %N */
	ck_assert(!step_pattern_has(NULL, "t"));
	ck_assert(!step_pattern_has("x%", "t"));
}
END_TEST

START_TEST(test_io_frames)
{
	struct step_io_buf b = { 0 };
	const uint8_t *p;
	uint32_t type, task, len;
	uint8_t hdr[STEP_IO_HDR];
	char key[STEP_IO_KEY_LEN + 1], key2[STEP_IO_KEY_LEN + 1];
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert(step_io_send(sv[0], STEP_IO_STDOUT, 3, "hello\n", 6));
	ck_assert(step_io_send(sv[0], STEP_IO_EXIT, 3, "256", 3));
	close(sv[0]);
	while (step_io_buf_read(&b, sv[1]) > 0)
		;
	ck_assert_int_eq(step_io_buf_next(&b, &type, &task, &p, &len), 1);
	ck_assert_uint_eq(type, STEP_IO_STDOUT);
	ck_assert_uint_eq(task, 3);
	ck_assert_uint_eq(len, 6);
	ck_assert(memcmp(p, "hello\n", 6) == 0);
	ck_assert_int_eq(step_io_buf_next(&b, &type, &task, &p, &len), 1);
	ck_assert_uint_eq(type, STEP_IO_EXIT);
	ck_assert_int_eq(step_io_buf_next(&b, &type, &task, &p, &len), 0);
	step_io_buf_free(&b);
	close(sv[1]);
	/* An unknown type or an over-sized frame is a broken stream. */
	step_io_hdr(hdr, 99, 0, 1);
	ck_assert(!step_io_parse_hdr(hdr, &type, &task, &len));
	step_io_hdr(hdr, STEP_IO_STDOUT, 0, STEP_IO_MAX_PAYLOAD + 1);
	ck_assert(!step_io_parse_hdr(hdr, &type, &task, &len));
	step_io_make_key(key);
	step_io_make_key(key2);
	ck_assert_uint_eq(strlen(key), STEP_IO_KEY_LEN);
	ck_assert_str_ne(key, key2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("step_env");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_task_env);
	tcase_add_test(tc, test_block_ids);
	tcase_add_test(tc, test_pattern_kinds);
	tcase_add_test(tc, test_io_frames);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
