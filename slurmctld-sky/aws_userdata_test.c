/* aws_userdata_test.c: user-data template rendering (aws_userdata.h). */
#include "config.h"

#include "aws_userdata.h"
#include "unit.h"

static const struct aws_userdata_vars vars = {
	.node = "aws-gpu-3", .cluster = "lab", .ctld_host = "10.0.0.1", .conf = "/etc/sky/slurm.conf",
	.instance_type = "p4d.24xlarge", .region = "us-east-1", .zone = "us-east-1c",
	.ctld_port = 6817, .spot = true,
};

START_TEST(test_every_variable)
{
	char *out = aws_userdata_render("{node} {cluster} {ctld_host}:{ctld_port} {conf} "
					"{instance_type} {region} {zone} {market}", &vars);

	ck_assert_str_eq(out, "aws-gpu-3 lab 10.0.0.1:6817 /etc/sky/slurm.conf p4d.24xlarge "
			      "us-east-1 us-east-1c spot");
	free(out);
}
END_TEST

START_TEST(test_shell_braces_left_alone)
{
	char *out = aws_userdata_render("X=${X:-{conf}} {unknown} {{node} { {node", &vars);

	/* Unknown names and unclosed braces stay as written; "{{" is "{". */
	ck_assert_str_eq(out, "X=${X:-/etc/sky/slurm.conf} {unknown} {node} { {node");
	free(out);
}
END_TEST

START_TEST(test_default_template)
{
	struct aws_userdata_vars od = vars;
	char *out;

	od.spot = false;
	out = aws_userdata_render(aws_userdata_default, &od);
	ck_assert(strncmp(out, "#!/bin/sh\n", 10) == 0);
	ck_assert_ptr_nonnull(strstr(out, "SLURM_SKY_CONF=${SLURM_SKY_CONF:-/etc/sky/slurm.conf}\n"));
	ck_assert_ptr_nonnull(strstr(out, "exec slurmd-sky -f \"$SLURM_SKY_CONF\" -N aws-gpu-3\n"));
	ck_assert_ptr_nonnull(strstr(out, "p4d.24xlarge (on-demand) in us-east-1c"));
	ck_assert_ptr_null(strstr(out, "{node}"));
	free(out);
}
END_TEST

START_TEST(test_load_limits)
{
	char *dir = unit_tmpdir(), *path = xasprintf("%s/ud", dir), *out = NULL;
	struct sky_errbuf eb;
	FILE *f = fopen(path, "w");

	fputs("#!/bin/sh\necho {node}\n", f);
	fclose(f);
	sky_err_clear(&eb);
	ck_assert_int_eq(aws_userdata_load(path, &out, &eb), 0);
	ck_assert_str_eq(out, "#!/bin/sh\necho {node}\n");
	free(out);
	f = fopen(path, "w");
	for (int i = 0; i < 17000; i++)
		fputc('x', f);
	fclose(f);
	sky_err_clear(&eb);
	ck_assert_int_eq(aws_userdata_load(path, &out, &eb), SKY_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(sky_err_msg(&eb), "larger than EC2's 16384 bytes"));
	unlink(path);
	sky_err_clear(&eb);
	ck_assert_int_eq(aws_userdata_load(path, &out, &eb), SKY_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(sky_err_msg(&eb), "No such file or directory"));
	rmdir(dir);
	free(path);
	free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("aws_userdata");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_every_variable);
	tcase_add_test(tc, test_shell_braces_left_alone);
	tcase_add_test(tc, test_default_template);
	tcase_add_test(tc, test_load_limits);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
