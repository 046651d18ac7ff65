/* features_test.c: -C expressions (job_features.h) and --mail-type values (mail_type.h). */
#include "config.h"

#include "job_features.h"
#include "mail_type.h"
#include "node_table.h"
#include "unit.h"

START_TEST(test_match_operators)
{
	const char *n = "gpu,big,rack1";

	ck_assert(features_match(NULL, n));
	ck_assert(features_match("", NULL));
	ck_assert(features_match("gpu", n));
	ck_assert(!features_match("gp", n));              /* whole names only */
	ck_assert(!features_match("gpu", NULL));
	ck_assert(features_match("gpu&big", n));
	ck_assert(!features_match("gpu&cpu", n));
	ck_assert(features_match("cpu|big", n));
	ck_assert(!features_match("cpu|small", n));
	ck_assert(features_match("gpu,rack1", n));        /* ',' as '&' */
	ck_assert(features_match("(cpu|gpu)&rack1", n));
	ck_assert(!features_match("(cpu|gpu)&rack2", n));
	ck_assert(features_match("[cpu|gpu]", n));
	ck_assert(features_match("!cpu", n));
	ck_assert(!features_match("!gpu", n));
	ck_assert(features_match("cpu|gpu&big", n));      /* & binds tighter than | */
	ck_assert(!features_match("cpu&gpu|small", n));
}
END_TEST

START_TEST(test_bad_syntax_matches_nothing)
{
	ck_assert(!features_match("gpu&", "gpu"));
	ck_assert(!features_match("(gpu", "gpu"));
	ck_assert(!features_match("[gpu)", "gpu"));
	ck_assert(!features_match("gpu*2", "gpu"));
	ck_assert(!features_match("gpu big", "gpu,big"));
}
END_TEST

START_TEST(test_validate)
{
	struct node nodes[2];
	struct node_table t = { .nodes = nodes, .count = 2 };
	struct sky_errbuf eb;

	memset(nodes, 0, sizeof(nodes));
	nodes[0].features = (char *)"gpu,big";
	nodes[1].features = (char *)"cpu";
	sky_err_clear(&eb);
	ck_assert_int_eq(features_validate("gpu&cpu", &t, &eb), 0);   /* known names; fit is checked apart */
	ck_assert_int_eq(features_validate(NULL, &t, &eb), 0);
	ck_assert_int_eq(features_validate("gpu|nosuch", &t, &eb), SKY_E_INVALID_FEATURE);
	ck_assert_str_eq(sky_err_msg(&eb), "Invalid feature specification");
	sky_err_clear(&eb);
	ck_assert_int_eq(features_validate("gpu*2", &t, &eb), SKY_E_INVALID_FEATURE);
	ck_assert_str_eq(sky_err_msg(&eb),
			 "Invalid feature specification: node counts (feature*count) are not supported");
	sky_err_clear(&eb);
	ck_assert_int_eq(features_validate("(gpu", &t, &eb), SKY_E_INVALID_FEATURE);
	ck_assert_str_eq(sky_err_msg(&eb), "Invalid feature specification: unbalanced parentheses");
}
END_TEST

START_TEST(test_matching_or_alternatives)
{
	size_t n = 9;
	char **a = features_alternatives("[gpu|cpu&big|(x|y)]", &n);

	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(a[0], "gpu");
	ck_assert_str_eq(a[1], "cpu&big");
	ck_assert_str_eq(a[2], "(x|y)");
	features_alternatives_free(a, n);
	ck_assert_ptr_null(features_alternatives("gpu|cpu", &n));
	ck_assert_ptr_null(features_alternatives("[gpu]|[cpu]", &n));
	ck_assert_ptr_null(features_alternatives("[gpu]", &n));
	ck_assert_ptr_null(features_alternatives("[gpu|cpu]&big", &n));
	ck_assert_ptr_null(features_alternatives(NULL, &n));
}
END_TEST

START_TEST(test_mail_type)
{
	uint32_t bits = 99;
	char *s;

	ck_assert(mail_type_parse("begin,END", &bits));
	ck_assert_uint_eq(bits, MAIL_BEGIN | MAIL_END);
	ck_assert(mail_type_parse("END,NONE,FAIL", &bits));      /* NONE clears */
	ck_assert_uint_eq(bits, MAIL_FAIL);
	ck_assert(!mail_type_parse("BEGIN,BOGUS", &bits));
	ck_assert_uint_eq(bits, MAIL_FAIL);                       /* untouched */
	ck_assert(mail_type_parse("ALL", &bits));
	s = mail_type_str(bits);
	ck_assert_str_eq(s, "INVALID_DEPEND,BEGIN,END,FAIL,REQUEUE,STAGE_OUT");
	free(s);
	ck_assert(mail_type_parse("TIME_LIMIT,TIME_LIMIT_50,ARRAY_TASKS,TIME_LIMIT_90,TIME_LIMIT_80", &bits));
	s = mail_type_str(bits);
	ck_assert_str_eq(s, "ARRAY_TASKS,TIME_LIMIT_50,TIME_LIMIT_80,TIME_LIMIT_90,TIME_LIMIT");
	free(s);
	s = mail_type_str(0);
	ck_assert_str_eq(s, "NONE");
	free(s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("features");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_match_operators);
	tcase_add_test(tc, test_bad_syntax_matches_nothing);
	tcase_add_test(tc, test_validate);
	tcase_add_test(tc, test_matching_or_alternatives);
	tcase_add_test(tc, test_mail_type);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
