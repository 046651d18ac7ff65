/* tests_directives.c: #SBATCH parsing (slurm.md 1.2) and script checks (slurm.md 1.1). */
#include "config.h"

#include "../tests/unit/unit.h"
#include "directives.h"
#include "script_read.h"

/* Words of the directives of body, joined with '|' (argv[0] "sbatch" left out). */
static char *scan(const char *body, int *rc, struct sky_errbuf *eb, bool *saw_slurm)
{
	char **argv = NULL, *out = xstrdup("");
	int argc = 0;
	bool slurm = false;

	sky_err_clear(eb);
	*rc = directives_scan("job.sh", body, strlen(body), &argv, &argc, &slurm, eb);
	if (saw_slurm)
		*saw_slurm = slurm;
	if (*rc)
		return out;
	ck_assert_str_eq(argv[0], "sbatch");
	ck_assert_ptr_null(argv[argc]);
	for (int i = 1; i < argc; i++)
		xstrfmtcat(&out, "%s%s", i > 1 ? "|" : "", argv[i]);
	directives_free(argv, argc);
	return out;
}

static void expect_words(const char *body, const char *words)
{
	struct sky_errbuf eb;
	int rc;
	char *got = scan(body, &rc, &eb, NULL);

	ck_assert_msg(rc == 0, "scan failed: %s", sky_err_msg(&eb));
	ck_assert_str_eq(got, words);
	free(got);
}

START_TEST(test_words_and_quotes)
{
	expect_words("#!/bin/sh\n#SBATCH -J foo --time=10\n", "-J|foo|--time=10");
	expect_words("#!/bin/sh\n#SBATCH --job-name=\"a b\"\n", "--job-name=a b");
	expect_words("#!/bin/sh\n#SBATCH --comment='x \"y\" z'\n", "--comment=x \"y\" z");
	expect_words("#!/bin/sh\n#SBATCH -J a\\ b\n", "-J|a b");
	expect_words("#!/bin/sh\n#SBATCH -J \"say \\\"hi\\\"\"\n", "-J|say \"hi\"");
	expect_words("#!/bin/sh\n#SBATCH\t-N\t2 \n", "-N|2");
	expect_words("#!/bin/sh\n#SBATCH\n", "");
}
END_TEST

START_TEST(test_hash_ends_line)
{
	expect_words("#!/bin/sh\n#SBATCH -J x # a comment -N 3\n", "-J|x");
	expect_words("#!/bin/sh\n#SBATCH -J x#y -N 3\n", "-J|x");
	expect_words("#!/bin/sh\n#SBATCH -J \"x#y\" -N 3\n", "-J|x#y|-N|3");
	expect_words("#!/bin/sh\n#SBATCH -J x\\#y\n", "-J|x#y");
}
END_TEST

START_TEST(test_column_zero_and_stop)
{
	/* Indented directives are comments; comments and blank lines do not stop the scan. */
	expect_words("#!/bin/sh\n  #SBATCH -J no\n\n# note\n#SBATCH -J yes\n", "-J|yes");
	/* The first command line stops everything after it. */
	expect_words("#!/bin/sh\n#SBATCH -J a\necho hi\n#SBATCH -J b\n", "-J|a");
	expect_words("#!/bin/sh\n   echo hi\n#SBATCH -J b\n", "");
	/* Case matters; the last line may lack its newline. */
	expect_words("#!/bin/sh\n#sbatch -J no\n#SBATCH -J last", "-J|last");
}
END_TEST

START_TEST(test_slurm_magic)
{
	struct sky_errbuf eb;
	bool saw = false;
	int rc;
	char *got = scan("#!/bin/sh\n#SLURM -J old\n#SBATCH -N 1\n", &rc, &eb, &saw);

	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(got, "-J|old|-N|1");
	ck_assert(saw);
	free(got);
	got = scan("#!/bin/sh\n#SBATCH -N 1\n", &rc, &eb, &saw);
	ck_assert(!saw);
	free(got);
}
END_TEST

START_TEST(test_errors)
{
	struct sky_errbuf eb;
	int rc;
	char *got;

	got = scan("#!/bin/sh\n#SBATCH -J \"abc\n", &rc, &eb, NULL);
	ck_assert_int_eq(rc, SKY_E_SCRIPT_INVALID);
	ck_assert_str_eq(eb.msg, "job.sh: line 2: Unmatched `\"` in [ \"abc]");
	free(got);
	got = scan("#!/bin/sh\n\n#SBATCH -J 'abc\n", &rc, &eb, NULL);
	ck_assert_str_eq(eb.msg, "job.sh: line 3: Unmatched `'` in [ 'abc]");
	free(got);
	got = scan("#!/bin/sh\n#SBATCH -N 1 :x\n", &rc, &eb, NULL);
	ck_assert_int_eq(rc, SKY_E_SCRIPT_INVALID);
	ck_assert_str_eq(eb.msg, "job.sh: line 2: Unexpected `:` in [ :x]");
	free(got);
	got = scan("#!/bin/sh\n#SBATCH -N 1\n#SBATCH hetjob\n", &rc, &eb, NULL);
	ck_assert_int_eq(rc, SKY_E_DISABLED);
	free(got);
}
END_TEST

static int check(const char *body, size_t len, struct sky_errbuf *eb)
{
	sky_err_clear(eb);
	return script_check(body, len, eb);
}

START_TEST(test_script_checks)
{
	struct sky_errbuf eb;
	static const char nul[] = "#!/bin/sh\necho \0hi\n";

	ck_assert_int_eq(check("", 0, &eb), SKY_E_SCRIPT_INVALID);
	ck_assert_str_eq(eb.msg, "Batch script is empty!");
	ck_assert_int_eq(check(" \n\t\n", 4, &eb), SKY_E_SCRIPT_INVALID);
	ck_assert_str_eq(eb.msg, "Batch script contains only whitespace!");
	ck_assert_int_eq(check("echo hi\n", 8, &eb), SKY_E_SCRIPT_INVALID);
	ck_assert_str_eq(eb.msg, "This does not look like a batch script.  The first\n"
				 "line must start with #! followed by the path to an interpreter.\n"
				 "For instance: #!/bin/sh");
	ck_assert_int_eq(check(nul, sizeof(nul) - 1, &eb), SKY_E_SCRIPT_INVALID);
	ck_assert_str_eq(eb.msg, "The Slurm controller does not allow scripts that\n"
				 "contain a NULL character '\\0'.");
	ck_assert_int_eq(check("#!/bin/sh\r\necho\r\n", 17, &eb), SKY_E_SCRIPT_INVALID);
	ck_assert_str_eq(eb.msg, "Batch script contains DOS line breaks (\\r\\n)\n"
				 "instead of expected UNIX line breaks (\\n).");
	ck_assert_int_eq(check("#!/bin/sh\necho hi\n", 18, &eb), 0);
}
END_TEST

START_TEST(test_wrap_exact)
{
	char *s = script_wrap("echo \"$HOME\"");

	ck_assert_str_eq(s, "#!/bin/sh\n# This script was created by sbatch --wrap.\n\necho \"$HOME\"\n");
	free(s);
}
END_TEST

START_TEST(test_read_limit_and_resolve)
{
	char *dir = unit_tmpdir();
	char *path = unit_write_file(dir, "job.sh", "#!/bin/sh\necho 0123456789\n");
	char *buf = NULL, *r;
	size_t len = 0;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	ck_assert_ok(script_read(path, 1024, &buf, &len, &eb), &eb);
	ck_assert_uint_eq(len, 26);
	ck_assert_str_eq(buf, "#!/bin/sh\necho 0123456789\n");
	free(buf);
	sky_err_clear(&eb);
	ck_assert_int_eq(script_read(path, 10, &buf, &len, &eb), SKY_E_SCRIPT_TOO_BIG);
	ck_assert_msg(strstr(eb.msg, "is too big") != NULL, "%s", eb.msg);
	sky_err_clear(&eb);
	r = xasprintf("%s/missing.sh", dir);
	ck_assert_int_eq(script_read(r, 10, &buf, &len, &eb), SKY_E_IO);
	ck_assert_str_eq(eb.msg + strlen(eb.msg) - strlen("missing.sh"), "missing.sh");
	ck_assert_msg(!strncmp(eb.msg, "Unable to open file ", 20), "%s", eb.msg);
	free(r);
	r = script_resolve(dir, "job.sh");
	ck_assert_str_eq(r, path);
	free(r);
	r = script_resolve(dir, "./job.sh");
	ck_assert_msg(strstr(r, "/./job.sh") != NULL, "%s", r);
	free(r);
	r = script_resolve(dir, "/abs/x.sh");
	ck_assert_str_eq(r, "/abs/x.sh");
	free(r);
	r = script_resolve(dir, "nowhere-to-be-found.sh");
	ck_assert_str_eq(r, "nowhere-to-be-found.sh");
	free(r);
	free(path);
	unit_rmtree(dir);
	free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("directives");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_words_and_quotes);
	tcase_add_test(tc, test_hash_ends_line);
	tcase_add_test(tc, test_column_zero_and_stop);
	tcase_add_test(tc, test_slurm_magic);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_script_checks);
	tcase_add_test(tc, test_wrap_exact);
	tcase_add_test(tc, test_read_limit_and_resolve);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
