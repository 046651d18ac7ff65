/*
 * tests_task_yaml.c: SkyPilot task YAML for sbatch: which files are tasks,
 * the field -> option mapping, precedence of the command line, schema
 * errors with file, line and field, the generated script and the JobDesc.
 */
#include "config.h"

#include <string.h>

#include "../tests/unit/unit.h"
#include "env_export.h"
#include "job_desc.h"
#include "opt_parse.h"
#include "task_yaml.h"
#include "xalloc.h"

static char *no_env[] = { NULL };

/* Load text as task.yaml into o; the script and task go to the out params (may be NULL). */
static int load(struct sbatch_opts *o, const char *text, char *const *env, char **script,
		struct task_yaml **task, struct sky_errbuf *eb)
{
	struct task_yaml *t = NULL;
	char *s = NULL;
	size_t len = 0;
	int rc;

	sky_err_clear(eb);
	rc = task_yaml_load("task.yaml", text, strlen(text), env ? env : no_env, o, &t, &s, &len,
			    eb);
	if (!rc)
		ck_assert_uint_eq(len, strlen(s));
	if (script)
		*script = s;
	else
		free(s);
	if (task)
		*task = t;
	else
		task_yaml_free(t);
	return rc;
}

/* The error text for text, or "" when it loads. Caller frees. */
static char *error_of(const char *text)
{
	struct sbatch_opts o;
	struct sky_errbuf eb;
	char *msg;

	sbatch_opts_init(&o);
	if (!load(&o, text, NULL, NULL, NULL, &eb))
		msg = xstrdup("");
	else {
		ck_assert_int_eq(eb.code, SKY_E_SCRIPT_INVALID);
		msg = xstrdup(sky_err_msg(&eb));
	}
	sbatch_opts_free(&o);
	return msg;
}

#define ck_error(text, want)                               \
	do {                                               \
		char *m_ = error_of(text);                 \
		ck_assert_str_eq(m_, want);                \
		free(m_);                                  \
	} while (0)

START_TEST(test_detect)
{
	const char *task = "resources:\n  cpus: 2\nrun: echo hi\n";
	const char *list = "- a\n- b\n";

	ck_assert(task_yaml_detect("x/task.yaml", "name: a\n", 8));
	ck_assert(task_yaml_detect("T.YML", "bad: [\n", 7));
	ck_assert(!task_yaml_detect("job.yaml", "#!/bin/bash\necho\n", 17));
	ck_assert(task_yaml_detect(NULL, task, strlen(task)));
	ck_assert(task_yaml_detect("job.txt", "run: |\n  echo\n", 14));
	ck_assert(!task_yaml_detect(NULL, list, strlen(list)));
	ck_assert(!task_yaml_detect(NULL, "name: x\n", 8));
	ck_assert(!task_yaml_detect("job.sh", "echo hi\n", 8));
}
END_TEST

START_TEST(test_mapping)
{
	struct sbatch_opts o;
	struct sky_errbuf eb;
	const char *text = "name: train\n"
			   "workdir: ./src\n"
			   "num_nodes: 2\n"
			   "resources:\n"
			   "  accelerators: A100:8\n"
			   "  cpus: 4+\n"
			   "  memory: 32+\n";

	sbatch_opts_init(&o);
	ck_assert_int_eq(load(&o, text, NULL, NULL, NULL, &eb), 0);
	ck_assert_str_eq(o.job_name, "train");
	ck_assert_str_eq(o.chdir, "./src");
	ck_assert_uint_eq(o.min_nodes, 2);
	ck_assert_uint_eq(o.max_nodes, 2);
	ck_assert_str_eq(o.gres, "gpu:a100:8");
	ck_assert_uint_eq(o.cpus_per_task, 4);
	ck_assert(o.mem_set);
	ck_assert_uint_eq(o.mem_mb, 32 * 1024);
	ck_assert_int_eq(opt_source(&o, "gres"), OPT_SRC_SCRIPT);
	sbatch_opts_free(&o);
}
END_TEST

START_TEST(test_value_forms)
{
	struct sbatch_opts o;
	struct sky_errbuf eb;

	sbatch_opts_init(&o);
	ck_assert_int_eq(load(&o, "resources:\n  accelerators: {H100: 2}\n  memory: 1024MB\n"
				  "  cpus: 0.5\n", NULL, NULL, NULL, &eb), 0);
	ck_assert_str_eq(o.gres, "gpu:h100:2");
	ck_assert_uint_eq(o.mem_mb, 1024);
	ck_assert_uint_eq(o.cpus_per_task, 1);
	ck_assert_int_eq(load(&o, "resources:\n  accelerators: V100:0.5\n  memory: 1.5TB\n",
			      NULL, NULL, NULL, &eb), 0);
	ck_assert_str_eq(o.gres, "gpu:v100:1");
	ck_assert_uint_eq(o.mem_mb, (uint64_t)1536 * 1024);
	ck_assert_int_eq(load(&o, "resources:\n  accelerators: [L4]\n  memory: 512k\n", NULL,
			      NULL, NULL, &eb), 0);
	ck_assert_str_eq(o.gres, "gpu:l4:1");
	ck_assert_uint_eq(o.mem_mb, 1);
	ck_assert_int_eq(load(&o, "resources:\n  accelerators: {T4:4}\n", NULL, NULL, NULL, &eb), 0);
	ck_assert_str_eq(o.gres, "gpu:t4:4");
	sbatch_opts_free(&o);
}
END_TEST

/* The command line (and SBATCH_*) still beat the task's fields, as they beat #SBATCH. */
START_TEST(test_cli_wins)
{
	struct sbatch_opts o;
	struct sky_errbuf eb;
	char *cli[] = { "sbatch", "-J", "cli", "--gres=gpu:l4:1", "task.yaml", NULL };
	char *env[] = { "SBATCH_JOB_NAME=env", NULL };

	sbatch_opts_init(&o);
	ck_assert_int_eq(load(&o, "name: yaml\nresources:\n  accelerators: A100:8\n", NULL, NULL,
			      NULL, &eb), 0);
	ck_assert_int_eq(opt_parse_env(&o, env, &eb), 0);
	ck_assert_str_eq(o.job_name, "env");
	ck_assert_int_eq(opt_parse_args(&o, 5, cli, OPT_PASS_CLI, NULL, &eb), 0);
	ck_assert_str_eq(o.job_name, "cli");
	ck_assert_str_eq(o.gres, "gpu:l4:1");
	sbatch_opts_free(&o);
}
END_TEST

START_TEST(test_schema_errors)
{
	ck_error("name: a\nresources:\n  accelerators: A100:x\n",
		 "task.yaml:3: resources.accelerators: expected NAME:COUNT, got 'A100:x'");
	ck_error("resources:\n  accelerators: {A100: many}\n",
		 "task.yaml:2: resources.accelerators: expected NAME:COUNT, got 'A100: many'");
	ck_error("resources:\n  accelerators: {A100: 1, H100: 1}\n",
		 "task.yaml:2: resources.accelerators: choosing among several accelerators is "
		 "not supported, give one NAME:COUNT");
	ck_error("run: x\nfoo: 1\n", "task.yaml:2: foo: unknown field");
	ck_error("resources:\n  gpus: 1\n", "task.yaml:2: resources: unknown field 'gpus'");
	ck_error("name: a\n\nfile_mounts:\n  /data: ./data\n",
		 "task.yaml:3: file_mounts: not supported by sbatch");
	ck_error("num_nodes: two\n", "task.yaml:1: num_nodes: expected a positive integer, got 'two'");
	ck_error("num_nodes: 0\n", "task.yaml:1: num_nodes: expected a positive integer, got '0'");
	ck_error("resources:\n  cpus: lots\n",
		 "task.yaml:2: resources.cpus: expected a count such as 4 or 4+, got 'lots'");
	ck_error("resources:\n  memory: 4x\n",
		 "task.yaml:2: resources.memory: a multiple of the CPU count ('4x') is not supported");
	ck_error("resources:\n  use_spot: maybe\n",
		 "task.yaml:2: resources.use_spot: expected true or false, got 'maybe'");
	ck_error("resources:\n  any_of:\n    - cpus: 2\n", "task.yaml:3: resources: 'any_of' is not supported");
	ck_error("envs:\n  1BAD: x\n", "task.yaml:2: envs: invalid variable name '1BAD'");
	ck_error("envs:\n  NEEDED:\n", "task.yaml:2: envs.NEEDED: no value given and NEEDED is not "
		 "set in the environment");
	ck_error("run:\n  - a\n", "task.yaml:2: run: expected a string");
	ck_error("- a\n", "task.yaml:1: expected a mapping of task fields (name, resources, setup, "
		 "run, ...)");
	ck_error("", "task.yaml:1: the task is empty");
	ck_error("run: a\nrun: b\n", "task.yaml:2: run: given twice");
	ck_error("run: a\n---\nrun: b\n",
		 "task.yaml:2: several tasks in one file (a pipeline) are not supported");
	ck_error("resources:\n  infra: aws\n  cloud: gcp\n",
		 "task.yaml:3: resources.cloud: cannot be combined with resources.infra");
	ck_error("name: [unclosed\n",
		 "task.yaml:2: invalid YAML: did not find expected ',' or ']' while parsing a flow "
		 "sequence");
}
END_TEST

START_TEST(test_script)
{
	struct sbatch_opts o;
	struct sky_errbuf eb;
	char *script = NULL;

	sbatch_opts_init(&o);
	ck_assert_int_eq(load(&o, "setup: echo 'set up'\nrun: |\n  echo run\n  exit 3\n", NULL,
			      &script, NULL, &eb), 0);
	ck_assert_str_eq(script,
			 "#!/bin/bash\n# Generated by sbatch from the task YAML task.yaml.\n"
			 "bash -c 'echo '\\''set up'\\''' \"$0\" \"$@\" || { rc=$?; echo \"ERROR: "
			 "Job $SLURM_JOB_ID's setup failed with return code $rc\" >&2; exit $rc; }\n"
			 "exec bash -c 'echo run\nexit 3\n' \"$0\" \"$@\"\n");
	free(script);
	ck_assert_int_eq(load(&o, "name: x\n", NULL, &script, NULL, &eb), 0);
	ck_assert_str_eq(script, "#!/bin/bash\n# Generated by sbatch from the task YAML task.yaml.\n");
	free(script);
	sbatch_opts_free(&o);
}
END_TEST

START_TEST(test_desc)
{
	struct sbatch_opts o;
	struct sky_errbuf eb;
	struct task_yaml *t = NULL;
	struct submit_ctx ctx = { 0 };
	Sky__JobDesc *d = NULL;
	char *env[] = { "HOME=/h", "FROM_ENV=outer", "KEEP=cli", "SKYPILOT_NODE_RANK=7", NULL };
	char *cli[] = { "sbatch", "--export=ALL,KEEP=cli,SKYPILOT_X=given", "task.yaml", NULL };
	const char *text = "envs:\n  A: 1\n  FROM_ENV:\n  KEEP: yaml\n"
			   "secrets:\n  TOKEN: 's3cr3t'\n"
			   "resources:\n  use_spot: true\n  cloud: aws\n  zone: us-east-1a\n"
			   "  accelerators: A100:8\n";

	sbatch_opts_init(&o);
	ck_assert_int_eq(load(&o, text, env, NULL, &t, &eb), 0);
	ck_assert_int_eq(opt_parse_args(&o, 3, cli, OPT_PASS_CLI, NULL, &eb), 0);
	ctx.cwd = "/w";
	ctx.host = "h";
	ctx.environ = env;
	ck_assert_int_eq(job_desc_build(&o, &ctx, "#!/bin/bash\n", 12, &d, &eb), 0);
	task_yaml_fill_desc(t, &o, d);
	ck_assert(d->has_task_yaml && d->task_yaml);
	ck_assert(d->has_use_spot && d->use_spot);
	ck_assert_str_eq(d->infra, "aws/*/us-east-1a");
	ck_assert_str_eq(d->accelerators, "A100:8");
	ck_assert_str_eq(env_get(d->env, "A"), "1");
	ck_assert_str_eq(env_get(d->env, "FROM_ENV"), "outer");
	ck_assert_str_eq(env_get(d->env, "KEEP"), "cli");
	ck_assert_str_eq(env_get(d->env, "TOKEN"), "s3cr3t");
	ck_assert_ptr_null(env_get(d->env, "SKYPILOT_NODE_RANK"));
	ck_assert_str_eq(env_get(d->env, "SKYPILOT_X"), "given");
	ck_assert_ptr_null(d->env[d->n_env]);
	task_yaml_clear_desc(d);
	job_desc_free(d);
	task_yaml_free(t);
	sbatch_opts_free(&o);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("task_yaml");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_detect);
	tcase_add_test(tc, test_mapping);
	tcase_add_test(tc, test_value_forms);
	tcase_add_test(tc, test_cli_wins);
	tcase_add_test(tc, test_schema_errors);
	tcase_add_test(tc, test_script);
	tcase_add_test(tc, test_desc);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
