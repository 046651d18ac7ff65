/*
 * spank_stack_test.c: the SPANK host core (spank_stack.h, spank_api.c):
 * plugstack.conf parsing, loading a real plugin (tests/data/spank/site_env.so,
 * path in SITE_PLUGIN), its option and hooks, and the env helpers. The test
 * program exports the SPANK API (host.sym) as slurmd-sky does.
 */
#include "config.h"

#include <slurm/spank.h>

#include "spank_stack.h"
#include "unit.h"

static char *dir;

static void setup(void)
{
	dir = unit_tmpdir();
}

static void teardown(void)
{
	unit_rmtree(dir);
	FREE_NULL(dir);
}

START_TEST(plugstack_path_from_slurm_conf)
{
	char *conf = unit_write_file(dir, "slurm.conf", "ClusterName=x\nPluginDir=/opt/p\n");
	char *pdir, *p = spank_plugstack_path(conf, &pdir);
	char *want = xasprintf("%s/plugstack.conf", dir);

	ck_assert_str_eq(p, want);
	ck_assert_str_eq(pdir, "/opt/p");
	free(p);
	free(pdir);
	free(conf);
	conf = unit_write_file(dir, "slurm.conf", "plugstackconfig=/etc/x/stack.conf # c\n");
	p = spank_plugstack_path(conf, &pdir);
	ck_assert_str_eq(p, "/etc/x/stack.conf");
	ck_assert_ptr_null(pdir);
	free(p);
	free(conf);
	free(want);
	ck_assert_ptr_null(spank_plugstack_path(NULL, &pdir));
}
END_TEST

START_TEST(missing_empty_and_bad_files)
{
	struct spank_stack *st = (void *)1;
	struct sky_errbuf eb;
	char *missing = xasprintf("%s/none.conf", dir);
	char *empty = unit_write_file(dir, "empty.conf", "# nothing\n\n");
	char *bad = unit_write_file(dir, "bad.conf", "# x\nrequird /x.so\n");
	char *req = unit_write_file(dir, "req.conf", "required /nonexistent/p.so a b\n");
	char *opt = unit_write_file(dir, "opt.conf", "optional /nonexistent/p.so\ninclude sub/*.conf\n");

	sky_err_clear(&eb);
	ck_assert_ok(spank_stack_load(missing, NULL, S_CTX_REMOTE, &st, &eb), &eb);
	ck_assert_ptr_null(st);
	ck_assert_ok(spank_stack_load(empty, NULL, S_CTX_REMOTE, &st, &eb), &eb);
	ck_assert_ptr_null(st);
	ck_assert_int_eq(spank_stack_load(bad, NULL, S_CTX_REMOTE, &st, &eb), SKY_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(sky_err_msg(&eb), "bad.conf:2:"));
	sky_err_clear(&eb);
	ck_assert_int_eq(spank_stack_load(req, NULL, S_CTX_REMOTE, &st, &eb), SKY_E_LAUNCH);
	ck_assert_ptr_nonnull(strstr(sky_err_msg(&eb), "req.conf:1: required plugin not loaded"));
	sky_err_clear(&eb);
	ck_assert_ok(spank_stack_load(opt, NULL, S_CTX_REMOTE, &st, &eb), &eb);
	ck_assert_ptr_null(st);
	free(missing);
	free(empty);
	free(bad);
	free(req);
	free(opt);
}
END_TEST

START_TEST(site_plugin_through_include)
{
	struct spank_stack *st = NULL;
	struct spank_opt_info oi[4];
	struct spank_task t = { .job_id = 42, .is_task = true, .local_task_count = 1,
				.exit_status = -1 };
	struct sky_errbuf eb;
	char **env = xcalloc(3, sizeof(char *)), *name, *top, *sub;
	char *line = xasprintf("required %s one two\n", SITE_PLUGIN);
	char *subdir = xasprintf("%s/d", dir);

	sky_err_clear(&eb);
	ck_assert_int_eq(mkdir(subdir, 0755), 0);
	free(subdir);
	sub = unit_write_file(dir, "d/site.conf", line);
	top = unit_write_file(dir, "top.conf", "# site plugins\ninclude d/*.conf\n");
	ck_assert_ok(spank_stack_load(top, NULL, S_CTX_REMOTE, &st, &eb), &eb);
	ck_assert_ptr_nonnull(st);
	env[0] = xstrdup("PATH=/bin");
	env[1] = xstrdup("_SLURM_SPANK_OPTION_site_env_site_tag=red");
	spank_stack_set_task(st, &t, &env);
	ck_assert_ok(spank_stack_call(st, SPANK_HOOK_INIT, &eb), &eb);
	ck_assert_uint_eq(spank_stack_options(st, oi, 4), 1);
	ck_assert_str_eq(oi[0].plugin, "site_env");
	ck_assert_str_eq(oi[0].name, "site-tag");
	ck_assert_int_eq(oi[0].has_arg, 1);
	name = spank_stack_option_env_name(st, 0);
	ck_assert_str_eq(name, "_SLURM_SPANK_OPTION_site_env_site_tag");
	free(name);
	ck_assert_ok(spank_stack_options_from_env(st, env, &eb), &eb);
	ck_assert_ok(spank_stack_call(st, SPANK_HOOK_TASK_INIT, &eb), &eb);
	ck_assert_str_eq(spank_env_get(env, "SITE_SPANK_TAG"), "red");
	ck_assert_str_eq(spank_env_get(env, "SITE_SPANK_ARGS"), "one two");
	ck_assert_str_eq(spank_env_get(env, "SITE_SPANK_JOB"), "42");
	ck_assert_str_eq(spank_env_get(env, "SITE_SPANK_CTX"), "2");
	ck_assert_str_eq(spank_env_get(env, "PATH"), "/bin");
	/* A value the callback refuses names the option. */
	ck_assert_int_eq(spank_stack_option_set(st, 0, "", false, &eb), SKY_E_INVAL);
	ck_assert_ptr_nonnull(strstr(sky_err_msg(&eb), "--site-tag"));
	spank_stack_free(st, true);
	for (size_t i = 0; env[i]; i++)
		free(env[i]);
	free(env);
	free(line);
	free(top);
	free(sub);
}
END_TEST

START_TEST(failing_hook_of_required_and_optional)
{
	struct spank_stack *st = NULL;
	struct sky_errbuf eb;
	char *line = xasprintf("required %s fail_init\n", SITE_PLUGIN);
	char *conf = unit_write_file(dir, "f.conf", line);

	sky_err_clear(&eb);
	ck_assert_ok(spank_stack_load(conf, NULL, S_CTX_ALLOCATOR, &st, &eb), &eb);
	ck_assert_int_eq(spank_stack_call(st, SPANK_HOOK_INIT, &eb), SKY_E_LAUNCH);
	ck_assert_str_eq(sky_err_msg(&eb),
			 "spank: required plugin site_env: slurm_spank_init() failed with rc=-1");
	spank_stack_free(st, false);
	free(line);
	free(conf);
	line = xasprintf("optional %s fail_init\n", SITE_PLUGIN);
	conf = unit_write_file(dir, "f.conf", line);
	sky_err_clear(&eb);
	ck_assert_ok(spank_stack_load(conf, NULL, S_CTX_ALLOCATOR, &st, &eb), &eb);
	ck_assert_ok(spank_stack_call(st, SPANK_HOOK_INIT, &eb), &eb);
	spank_stack_free(st, true);
	free(line);
	free(conf);
}
END_TEST

START_TEST(env_helpers)
{
	char **env = xcalloc(1, sizeof(char *));

	spank_env_set(&env, "A", "1");
	spank_env_set(&env, "AB", "2");
	spank_env_set(&env, "A", "3");
	ck_assert_str_eq(spank_env_get(env, "A"), "3");
	ck_assert_str_eq(spank_env_get(env, "AB"), "2");
	spank_env_unset(&env, "A");
	ck_assert_ptr_null(spank_env_get(env, "A"));
	ck_assert_str_eq(env[0], "AB=2");
	ck_assert_ptr_null(env[1]);
	free(env[0]);
	free(env);
	ck_assert_str_eq(spank_strerror(ESPANK_NOT_REMOTE), "Valid only in remote context");
	ck_assert_int_eq(spank_symbol_supported("slurm_spank_task_init"), 1);
	ck_assert_int_eq(spank_symbol_supported("slurm_spank_nothing"), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("spank_stack");
	TCase *tc = tcase_create("all");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, plugstack_path_from_slurm_conf);
	tcase_add_test(tc, missing_empty_and_bad_files);
	tcase_add_test(tc, site_plugin_through_include);
	tcase_add_test(tc, failing_hook_of_required_and_optional);
	tcase_add_test(tc, env_helpers);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
