/* gpu_detect_test.c: GPU discovery from real hwloc topologies, gres.conf, and the GPU env. */
#include "config.h"

#include "gpu_detect.h"
#include "job_env_gpu.h"
#include "unit.h"

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must name tests/data"
#endif

static void assert_type(const char *model, const char *want)
{
	char *t = gpu_type_from_model(model);

	ck_assert_msg(t && strcmp(t, want) == 0, "'%s' gave '%s', want '%s'", model, t ? t : "(null)",
		      want);
	free(t);
}

START_TEST(test_model_names)
{
	assert_type("NVIDIA A100-SXM4-80GB", "a100");
	assert_type("Tesla V100-SXM3-32GB-H", "v100");
	assert_type("NVIDIA H100 80GB HBM3", "h100");
	assert_type("Tesla T4", "t4");
	assert_type("NVIDIA GeForce RTX 2060", "geforce_rtx_2060");
	assert_type("AMD Instinct MI250X", "mi250x");
	assert_type("Radeon Instinct MI50", "mi50");
	assert_type("NVIDIA RTX A6000", "rtx_a6000");
	ck_assert_ptr_null(gpu_type_from_model("NVIDIA"));
	ck_assert_ptr_null(gpu_type_from_model(""));
}
END_TEST

/* The GRES discovery gives for one of the stored topologies. */
static char *gres_of(const char *file, struct gpu_list *l)
{
	char *path = xasprintf("%s/hwloc/%s", TEST_DATA_DIR, file);
	hwloc_topology_t t;
	char *s;

	ck_assert_int_eq(hwloc_topology_init(&t), 0);
	ck_assert_int_eq(hwloc_topology_set_xml(t, path), 0);
	hwloc_topology_set_io_types_filter(t, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
	ck_assert_int_eq(hwloc_topology_load(t), 0);
	gpu_detect(t, l);
	s = gpu_list_gres(l);
	hwloc_topology_destroy(t);
	free(path);
	return s;
}

START_TEST(test_real_dgx2)
{
	struct gpu_list l;
	char *s = gres_of("nvidia-dgx2h.xml", &l);

	ck_assert_str_eq(s, "gpu:v100:16");
	ck_assert_uint_eq(l.n, 16);
	/* device order is NVML's, not hwloc's string order (nvml10 after nvml9) */
	ck_assert_str_eq(l.v[9].name, "nvml9");
	ck_assert_str_eq(l.v[10].name, "nvml10");
	ck_assert_str_eq(l.v[0].backend, "NVML");
	ck_assert_str_eq(l.v[0].model, "Tesla V100-SXM3-32GB-H");
	free(s);
	gpu_list_free(&l);
	s = gres_of("nvidia-dgx2h-socket0.xml", &l);
	ck_assert_str_eq(s, "gpu:v100:8");
	free(s);
	gpu_list_free(&l);
	/* the VM harness's A100 server: the model string of NVIDIA's A100 parts */
	s = gres_of("sim-a100x8.xml", &l);
	ck_assert_str_eq(s, "gpu:a100:8");
	ck_assert_str_eq(l.v[0].model, "NVIDIA A100-SXM4-40GB");
	free(s);
	gpu_list_free(&l);
}
END_TEST

START_TEST(test_gres_conf_wins)
{
	char *dir = unit_tmpdir(), *conf, *gres = xstrdup("gpu:v100:16");
	struct sky_errbuf eb = { 0 };

	conf = xasprintf("%s/slurm.conf", dir);
	/* no gres.conf: discovery stays */
	ck_assert_ok(gpu_node_gres(conf, "n1", &gres, &eb), &eb);
	ck_assert_str_eq(gres, "gpu:v100:16");
	free(unit_write_file(dir, "gres.conf",
			     "NodeName=n[1-2] Name=gpu Type=a100 File=/dev/nvidia[0-3]\n"
			     "NodeName=n3 AutoDetect=off\n"));
	ck_assert_ok(gpu_node_gres(conf, "n2", &gres, &eb), &eb);
	ck_assert_str_eq(gres, "gpu:a100:4");
	ck_assert_ok(gpu_node_gres(conf, "n3", &gres, &eb), &eb);
	ck_assert_ptr_null(gres);
	gres = xstrdup("gpu:2");
	ck_assert_ok(gpu_node_gres(conf, "n4", &gres, &eb), &eb);
	ck_assert_str_eq(gres, "gpu:2");
	free(unit_write_file(dir, "gres.conf", "Name=gpu\nName=gpu File=/dev/nvidia[0-\n"));
	ck_assert_int_eq(gpu_node_gres(conf, "n4", &gres, &eb), SKY_E_CONFIG);
	ck_assert_msg(strstr(eb.msg, "gres.conf:2: invalid file list") != NULL, "%s", eb.msg);
	free(gres);
	free(conf);
	unit_rmtree(dir);
	free(dir);
}
END_TEST

/* A job holding GPUs 4,5 (a100) and 7 (v100) on n1, 0-1 on n2. */
static Sky__JobRecord *job_with_gpus(void)
{
	static Sky__GresAlloc a = SKY__GRES_ALLOC__INIT, b = SKY__GRES_ALLOC__INIT,
			      c = SKY__GRES_ALLOC__INIT;
	static Sky__GresAlloc *v[3];
	static Sky__JobDesc d = SKY__JOB_DESC__INIT;
	static Sky__JobRecord r = SKY__JOB_RECORD__INIT;

	a.node = "n1"; a.name = "gpu"; a.type = "a100"; a.count = 2; a.indices = "4-5";
	b.node = "n1"; b.name = "gpu"; b.type = "v100"; b.count = 1; b.indices = "7";
	c.node = "n2"; c.name = "gpu"; c.type = "a100"; c.count = 2; c.indices = "0-1";
	v[0] = &a; v[1] = &b; v[2] = &c;
	r.job_id = 7;
	r.desc = &d;
	r.gres_alloc = v;
	r.n_gres_alloc = 3;
	return &r;
}

static const char *get(char **env, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; env[i]; i++)
		if (!strncmp(env[i], name, len) && env[i][len] == '=')
			return env[i] + len + 1;
	return NULL;
}

static void free_env(char **env)
{
	for (size_t i = 0; env[i]; i++)
		free(env[i]);
	free(env);
}

START_TEST(test_job_env)
{
	Sky__JobRecord *r = job_with_gpus();
	char **env = job_env_gpu_vars(r, "n1");

	ck_assert_str_eq(get(env, "SLURM_JOB_GPUS"), "4,5,7");
	ck_assert_str_eq(get(env, "CUDA_VISIBLE_DEVICES"), "4,5,7");
	ck_assert_str_eq(get(env, "GPU_DEVICE_ORDINAL"), "4,5,7");
	ck_assert_str_eq(get(env, "ROCR_VISIBLE_DEVICES"), "4,5,7");
	ck_assert_str_eq(get(env, "ZE_AFFINITY_MASK"), "4,5,7");
	ck_assert_str_eq(get(env, "SLURM_GPUS_ON_NODE"), "3");
	free_env(env);
	env = job_env_gpu_vars(r, "n2");
	ck_assert_str_eq(get(env, "CUDA_VISIBLE_DEVICES"), "0,1");
	free_env(env);
	/* no GPUs on this node: nothing set */
	env = job_env_gpu_vars(r, "n3");
	ck_assert_ptr_null(env[0]);
	free_env(env);
}
END_TEST

START_TEST(test_task_env)
{
	Sky__JobRecord *r = job_with_gpus();
	uint32_t idx[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	char **env, *s;

	s = job_env_gpu_task_list(idx, 8, 1, 2);
	ck_assert_str_eq(s, "2,3");
	free(s);
	ck_assert_ptr_null(job_env_gpu_task_list(idx, 8, 4, 2));
	ck_assert_ptr_null(job_env_gpu_task_list(idx, 8, 0, 0));

	env = job_env_gpu_task_vars(r, "n1", 1, "1");
	ck_assert_str_eq(get(env, "CUDA_VISIBLE_DEVICES"), "5");
	ck_assert_str_eq(get(env, "SLURM_STEP_GPUS"), "4,5,7");
	ck_assert_ptr_null(get(env, "SLURM_JOB_GPUS"));
	free_env(env);
	/* without --gpus-per-task every task sees the node's devices */
	env = job_env_gpu_task_vars(r, "n1", 2, NULL);
	ck_assert_str_eq(get(env, "CUDA_VISIBLE_DEVICES"), "4,5,7");
	free_env(env);
	/* the job's --gpus-per-task applies when srun gives none */
	r->desc->gpus_per_task = "a100:1";
	env = job_env_gpu_task_vars(r, "n2", 1, "");
	ck_assert_str_eq(get(env, "ROCR_VISIBLE_DEVICES"), "1");
	free_env(env);
	r->desc->gpus_per_task = NULL;
	job_env_gpu_task_apply(r, "n2", 0, "1");
	ck_assert_str_eq(getenv("CUDA_VISIBLE_DEVICES"), "0");
	ck_assert_str_eq(getenv("SLURM_STEP_GPUS"), "0,1");
}
END_TEST

static Suite *gpu_suite(void)
{
	Suite *s = suite_create("gpu");
	TCase *tc = tcase_create("gpu");

	tcase_add_test(tc, test_model_names);
	tcase_add_test(tc, test_real_dgx2);
	tcase_add_test(tc, test_gres_conf_wins);
	tcase_add_test(tc, test_job_env);
	tcase_add_test(tc, test_task_env);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(gpu_suite());
}
