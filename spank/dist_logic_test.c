/* dist_logic_test.c: the sky_dist plugin's computations (dist_logic.h). */
#include "config.h"

#include "dist_logic.h"
#include "unit.h"

static const char *var(const struct dist_var *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return v[i].value;
	return NULL;
}

START_TEST(conf_defaults_and_args)
{
	struct dist_conf c;
	char err[256] = "";
	char *good[] = { "port_range=30000-30009", "families=torch,jax" };
	char *bad_range[] = { "port_range=30010-30000" };
	char *bad_fam[] = { "families=torch,mpi" };
	char *bad_key[] = { "colour=blue" };

	dist_conf_init(&c);
	ck_assert_uint_eq(c.port_lo, 29500);
	ck_assert_uint_eq(c.port_hi, 29999);
	ck_assert_uint_eq(c.families, DIST_FAM_ALL);
	ck_assert_int_eq(dist_conf_parse(2, good, &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.port_lo, 30000);
	ck_assert_uint_eq(c.port_hi, 30009);
	ck_assert_uint_eq(c.families, DIST_FAM_TORCH | DIST_FAM_JAX);
	ck_assert_int_eq(dist_conf_parse(1, bad_range, &c, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "port_range=30010-30000"));
	ck_assert_int_eq(dist_conf_parse(1, bad_fam, &c, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "unknown family 'mpi'"));
	ck_assert_int_eq(dist_conf_parse(1, bad_key, &c, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "colour=blue"));
	dist_conf_free(&c);
}
END_TEST

START_TEST(port_derivation)
{
	struct dist_conf c;
	unsigned p = 0;

	dist_conf_init(&c);
	ck_assert_uint_eq(dist_port_for_job(0, &c), 29500);
	ck_assert_uint_eq(dist_port_for_job(499, &c), 29999);
	ck_assert_uint_eq(dist_port_for_job(500, &c), 29500);
	ck_assert_uint_eq(dist_port_for_job(1234, &c), 29500 + 1234 % 500);
	c.port_lo = c.port_hi = 40000;
	ck_assert_uint_eq(dist_port_for_job(77, &c), 40000);
	ck_assert_int_eq(dist_port_parse("29600", &p), 0);
	ck_assert_uint_eq(p, 29600);
	ck_assert_int_eq(dist_port_parse("0", &p), -1);
	ck_assert_int_eq(dist_port_parse("65536", &p), -1);
	ck_assert_int_eq(dist_port_parse("12ab", &p), -1);
	ck_assert_int_eq(dist_port_parse("", &p), -1);
	ck_assert_int_eq(dist_port_parse("-5", &p), -1);
}
END_TEST

START_TEST(addresses_from_conf_and_names)
{
	char *dir = unit_tmpdir();
	char *conf = unit_write_file(dir, "slurm.conf",
		"ClusterName=x\n"
		"NodeName=DEFAULT CPUs=4\n"
		"NodeName=gpu[1-3] NodeAddr=10.1.0.[11-13] CPUs=8 # comment NodeAddr=9.9.9.9\n"
		"nodename=solo nodeaddr=10.2.0.1\n"
		"NodeName=noaddr CPUs=2 Provider=aws\n"
		"NodeName=sky[1-2] CPUs=2\n");
	char *a;

	a = dist_conf_node_addr(conf, "gpu2");
	ck_assert_str_eq(a, "10.1.0.12");
	free(a);
	a = dist_conf_node_addr(conf, "solo");
	ck_assert_str_eq(a, "10.2.0.1");
	free(a);
	ck_assert_ptr_null(dist_conf_node_addr(conf, "noaddr"));
	a = dist_conf_node_addr(conf, "sky2");
	ck_assert_str_eq(a, "");
	free(a);
	/* A local slurm-sky node that does not resolve runs on this machine. */
	a = dist_node_addr("sky2", conf, "sky1");
	ck_assert_str_eq(a, "127.0.0.1");
	free(a);
	ck_assert_ptr_null(dist_conf_node_addr(conf, "gpu4"));
	ck_assert_ptr_null(dist_conf_node_addr("/nonexistent/slurm.conf", "gpu1"));
	a = dist_node_addr("gpu3", conf, NULL);
	ck_assert_str_eq(a, "10.1.0.13");
	free(a);
	a = dist_node_addr("localhost", NULL, NULL);
	ck_assert_msg(strcmp(a, "127.0.0.1") == 0 || strcmp(a, "::1") == 0, "localhost -> %s", a);
	free(a);
	/* An unresolvable name that is this node runs here; another stays a name. */
	a = dist_node_addr("no-such-host.invalid", conf, "no-such-host.invalid");
	ck_assert_str_eq(a, "127.0.0.1");
	free(a);
	a = dist_node_addr("no-such-host.invalid", conf, "other");
	ck_assert_str_eq(a, "no-such-host.invalid");
	free(a);
	free(conf);
	unit_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(gpu_count)
{
	ck_assert_uint_eq(dist_gpus_on_node("8", "0,1"), 8);
	ck_assert_uint_eq(dist_gpus_on_node(NULL, "0,1,3"), 3);
	ck_assert_uint_eq(dist_gpus_on_node("", "5"), 1);
	ck_assert_uint_eq(dist_gpus_on_node(NULL, NULL), 0);
}
END_TEST

START_TEST(variables_of_a_task)
{
	char *dir = unit_tmpdir();
	char *conf = unit_write_file(dir, "slurm.conf",
				     "NodeName=n[1-4] NodeAddr=192.168.7.[1-4]\n");
	struct dist_conf c;
	struct dist_task t = { .job_id = 1234, .nnodes = 4, .nodeid = 2, .local_tasks = 8,
			       .total_tasks = 32, .local_id = 3, .global_id = 19,
			       .nodelist = "n[1-4]", .this_node = "n3", .gpus_per_node = 8 };
	struct dist_var *v;
	size_t n;
	char err[256];

	dist_conf_init(&c);
	c.slurm_conf = xstrdup(conf);
	ck_assert_int_eq(dist_vars(&c, &t, &v, &n, err, sizeof(err)), 0);
	ck_assert_str_eq(var(v, n, "MASTER_ADDR"), "192.168.7.1");
	ck_assert_str_eq(var(v, n, "MASTER_PORT"), "29734");
	ck_assert_str_eq(var(v, n, "WORLD_SIZE"), "32");
	ck_assert_str_eq(var(v, n, "RANK"), "19");
	ck_assert_str_eq(var(v, n, "LOCAL_RANK"), "3");
	ck_assert_str_eq(var(v, n, "LOCAL_WORLD_SIZE"), "8");
	ck_assert_str_eq(var(v, n, "NODE_RANK"), "2");
	ck_assert_str_eq(var(v, n, "GROUP_RANK"), "2");
	ck_assert_str_eq(var(v, n, "SKYPILOT_NODE_RANK"), "2");
	ck_assert_str_eq(var(v, n, "SKYPILOT_NODE_IPS"),
			 "192.168.7.1\n192.168.7.2\n192.168.7.3\n192.168.7.4");
	ck_assert_str_eq(var(v, n, "SKYPILOT_NUM_NODES"), "4");
	ck_assert_str_eq(var(v, n, "SKYPILOT_NUM_GPUS_PER_NODE"), "8");
	ck_assert_str_eq(var(v, n, "JAX_COORDINATOR_ADDRESS"), "192.168.7.1:29734");
	ck_assert_str_eq(var(v, n, "JAX_NUM_PROCESSES"), "32");
	ck_assert_str_eq(var(v, n, "JAX_PROCESS_ID"), "19");
	dist_vars_free(v, n);

	/* One family only, and a per-job port. */
	c.families = DIST_FAM_SKYPILOT;
	t.port = 29600;
	ck_assert_int_eq(dist_vars(&c, &t, &v, &n, err, sizeof(err)), 0);
	ck_assert_ptr_null(var(v, n, "MASTER_ADDR"));
	ck_assert_ptr_null(var(v, n, "JAX_PROCESS_ID"));
	ck_assert_str_eq(var(v, n, "SKYPILOT_NUM_NODES"), "4");
	dist_vars_free(v, n);
	c.families = DIST_FAM_JAX;
	ck_assert_int_eq(dist_vars(&c, &t, &v, &n, err, sizeof(err)), 0);
	ck_assert_str_eq(var(v, n, "JAX_COORDINATOR_ADDRESS"), "192.168.7.1:29600");
	ck_assert_uint_eq(n, 3);
	dist_vars_free(v, n);

	/* A batch step without -n reports 0 tasks in all: the script is one. */
	c.families = DIST_FAM_TORCH;
	t.total_tasks = 0;
	t.local_tasks = 1;
	ck_assert_int_eq(dist_vars(&c, &t, &v, &n, err, sizeof(err)), 0);
	ck_assert_str_eq(var(v, n, "WORLD_SIZE"), "1");
	dist_vars_free(v, n);

	t.nodelist = "n[1-";
	ck_assert_int_eq(dist_vars(&c, &t, &v, &n, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "n[1-"));
	dist_conf_free(&c);
	free(conf);
	unit_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(marker_tells_ours_from_users)
{
	char *m = NULL;

	ck_assert(!dist_marker_owns(NULL, "RANK", "0"));
	dist_marker_add(&m, "RANK", "0");
	dist_marker_add(&m, "SKYPILOT_NODE_IPS", "10.0.0.1\n10.0.0.2");
	ck_assert(dist_marker_owns(m, "RANK", "0"));
	ck_assert(!dist_marker_owns(m, "RANK", "5"));
	ck_assert(!dist_marker_owns(m, "WORLD_SIZE", "0"));
	ck_assert(dist_marker_owns(m, "SKYPILOT_NODE_IPS", "10.0.0.1\n10.0.0.2"));
	ck_assert_ptr_null(strchr(m, '\n'));
	free(m);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dist_logic");
	TCase *tc = tcase_create("all");

	tcase_add_test(tc, conf_defaults_and_args);
	tcase_add_test(tc, port_derivation);
	tcase_add_test(tc, addresses_from_conf_and_names);
	tcase_add_test(tc, gpu_count);
	tcase_add_test(tc, variables_of_a_task);
	tcase_add_test(tc, marker_tells_ours_from_users);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
