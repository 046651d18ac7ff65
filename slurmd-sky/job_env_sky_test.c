/*
 * job_env_sky_test.c: SKYPILOT_* variables of task-YAML jobs, node addresses
 * from slurm.conf, SLURM_EXPORT_ENV, and the login environment loader.
 */
#include "config.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "job_env.h"
#include "job_env_sky.h"
#include "unit.h"
#include "user_env.h"
#include "xalloc.h"

struct fixture {
	Sky__LaunchJob lj;
	Sky__JobRecord job;
	Sky__JobDesc desc;
	struct job_env_ctx ctx;
};

static void fixture_init(struct fixture *f)
{
	sky__launch_job__init(&f->lj);
	sky__job_record__init(&f->job);
	sky__job_desc__init(&f->desc);
	f->job.job_id = 77;
	f->job.user_name = "alice";
	f->job.desc = &f->desc;
	f->job.node_list = "node[1-3]";
	f->job.cluster = "sky";
	f->job.submit_time = 1700000000;
	f->desc.has_task_yaml = f->desc.task_yaml = true;
	f->desc.accelerators = "A100:8";
	f->lj.job = &f->job;
	memset(&f->ctx, 0, sizeof(f->ctx));
	f->ctx.node_name = "node1";
}

static const char *conf_text =
	"ClusterName=sky\n"
	"NodeName=node1 CPUs=1\n"
	"NodeName=node[2-3] NodeAddr=10.1.2.3,127.0.0.2 CPUs=1\n"
	"PartitionName=debug Nodes=ALL Default=YES\n";

START_TEST(test_task_vars)
{
	struct fixture f;
	struct sky_conf *conf = NULL;
	struct sky_errbuf eb;
	char **v, want_id[128];
	time_t t = 1700000000;
	struct tm tm;

	sky_err_clear(&eb);
	ck_assert_int_eq(conf_load_string(conf_text, "test.conf", &conf, &eb), 0);
	job_env_sky_set_conf(conf);
	fixture_init(&f);
	v = job_env_sky_vars(&f.lj, &f.ctx);
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(job_env_get(v, "SKYPILOT_NODE_RANK"), "0");
	ck_assert_str_eq(job_env_get(v, "SKYPILOT_SETUP_NODE_RANK"), "0");
	ck_assert_str_eq(job_env_get(v, "SKYPILOT_NODE_IPS"), "127.0.0.1\n10.1.2.3\n127.0.0.2");
	ck_assert_str_eq(job_env_get(v, "SKYPILOT_SETUP_NODE_IPS"), "127.0.0.1\n10.1.2.3\n127.0.0.2");
	ck_assert_str_eq(job_env_get(v, "SKYPILOT_NUM_NODES"), "3");
	ck_assert_str_eq(job_env_get(v, "SKYPILOT_NUM_GPUS_PER_NODE"), "8");
	ck_assert_str_eq(job_env_get(v, "SKYPILOT_SETUP_NUM_GPUS_PER_NODE"), "8");
	ck_assert_str_eq(job_env_get(v, "SKYPILOT_USER"), "alice");
	localtime_r(&t, &tm);
	strftime(want_id, sizeof(want_id), "sky-%Y-%m-%d-%H-%M-%S-000000_sky_77", &tm);
	ck_assert_str_eq(job_env_get(v, "SKYPILOT_TASK_ID"), want_id);
	job_env_free(v);
	job_env_sky_set_conf(NULL);
	conf_free(conf);
}
END_TEST

START_TEST(test_gpu_counts_and_overrides)
{
	struct fixture f;
	char *env[] = { "SKYPILOT_NUM_NODES=mine", "OTHER=x" };
	char **v;

	fixture_init(&f);
	f.desc.accelerators = "V100:0.5";
	f.job.node_list = NULL;
	f.lj.env = env;
	f.lj.n_env = 2;
	v = job_env_sky_vars(&f.lj, &f.ctx);
	ck_assert_str_eq(job_env_get(v, "SKYPILOT_NUM_GPUS_PER_NODE"), "1");
	/* the task's envs win: the name is left to the submitted value */
	ck_assert_ptr_null(job_env_get(v, "SKYPILOT_NUM_NODES"));
	/* no config, no node list: this node, taken as local */
	ck_assert_str_eq(job_env_get(v, "SKYPILOT_NODE_IPS"), "127.0.0.1");
	job_env_free(v);
	f.desc.accelerators = NULL;
	v = job_env_sky_vars(&f.lj, &f.ctx);
	ck_assert_str_eq(job_env_get(v, "SKYPILOT_NUM_GPUS_PER_NODE"), "0");
	job_env_free(v);
}
END_TEST

START_TEST(test_plain_jobs_get_none)
{
	struct fixture f;
	char **env;

	fixture_init(&f);
	f.desc.has_task_yaml = f.desc.task_yaml = false;
	ck_assert_ptr_null(job_env_sky_vars(&f.lj, &f.ctx));
	f.job.has_num_nodes = true;
	f.job.num_nodes = 3;
	env = job_env_build(&f.lj, &f.ctx);
	ck_assert_ptr_null(job_env_get(env, "SKYPILOT_NODE_RANK"));
	job_env_free(env);
	f.desc.has_task_yaml = f.desc.task_yaml = true;
	env = job_env_build(&f.lj, &f.ctx);
	ck_assert_str_eq(job_env_get(env, "SKYPILOT_NUM_NODES"), "3");
	job_env_free(env);
}
END_TEST

/* Slurm sets SLURM_EXPORT_ENV for every --export but ALL. */
START_TEST(test_export_env)
{
	struct fixture f;
	char **env;

	fixture_init(&f);
	f.desc.export_env = "ALL";
	env = job_env_build(&f.lj, &f.ctx);
	ck_assert_ptr_null(job_env_get(env, "SLURM_EXPORT_ENV"));
	job_env_free(env);
	f.desc.export_env = "all";
	env = job_env_build(&f.lj, &f.ctx);
	ck_assert_ptr_null(job_env_get(env, "SLURM_EXPORT_ENV"));
	job_env_free(env);
	f.desc.export_env = "ALL,X=1";
	env = job_env_build(&f.lj, &f.ctx);
	ck_assert_str_eq(job_env_get(env, "SLURM_EXPORT_ENV"), "ALL,X=1");
	job_env_free(env);
	f.desc.export_env = NULL;
	env = job_env_build(&f.lj, &f.ctx);
	ck_assert_ptr_null(job_env_get(env, "SLURM_EXPORT_ENV"));
	job_env_free(env);
}
END_TEST

/* As Slurm 22.05's batch step: SLURM_UMASK is consumed, the topology address is the node. */
START_TEST(test_umask_and_topology)
{
	struct fixture f;
	char *sub[] = { "SLURM_UMASK=0022", "KEEP=1" };
	char **env;

	fixture_init(&f);
	f.lj.env = sub;
	f.lj.n_env = 2;
	env = job_env_build(&f.lj, &f.ctx);
	ck_assert_ptr_null(job_env_get(env, "SLURM_UMASK"));
	ck_assert_str_eq(job_env_get(env, "KEEP"), "1");
	ck_assert_str_eq(job_env_get(env, "SLURM_TOPOLOGY_ADDR"), "node1");
	ck_assert_str_eq(job_env_get(env, "SLURM_TOPOLOGY_ADDR_PATTERN"), "node");
	job_env_free(env);
}
END_TEST

START_TEST(test_user_env)
{
	char *yes[] = { "A=1", "SLURM_GET_USER_ENV=1" }, *no[] = { "SLURM_GET_USER_ENV=0" };
	struct passwd *pw = getpwuid(getuid());
	char *why = NULL, **v;

	ck_assert(user_env_wanted(yes, 2));
	ck_assert(!user_env_wanted(no, 1));
	ck_assert(!user_env_wanted(NULL, 0));
	v = user_env_load(USER_ENV_TIMEOUT, &why);
	ck_assert_msg(v != NULL, "%s", why ? why : "");
	ck_assert_ptr_nonnull(pw);
	ck_assert_str_eq(job_env_get(v, "HOME"), pw->pw_dir);
	ck_assert_str_eq(job_env_get(v, "LOGNAME"), pw->pw_name);
	ck_assert_ptr_nonnull(job_env_get(v, "PATH"));
	job_env_free(v);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("job_env_sky");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_task_vars);
	tcase_add_test(tc, test_gpu_counts_and_overrides);
	tcase_add_test(tc, test_plain_jobs_get_none);
	tcase_add_test(tc, test_export_env);
	tcase_add_test(tc, test_umask_and_topology);
	tcase_add_test(tc, test_user_env);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
