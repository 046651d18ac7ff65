/* hostlist_test.c: hostlist expressions (slurm.md section 4). */
#include "config.h"

#include "hostlist.h"
#include "unit.h"

static struct hostlist *parse_ok(const char *expr)
{
	struct sky_errbuf eb = { 0 };
	struct hostlist *hl = NULL;

	ck_assert_ok(hostlist_create(expr, &hl, &eb), &eb);
	ck_assert_ptr_nonnull(hl);
	return hl;
}

/* The ranged string of expr, after hostlist_uniq when uniq. */
static void assert_ranged(const char *expr, bool uniq, const char *want)
{
	struct hostlist *hl = parse_ok(expr);
	char *s;

	if (uniq)
		hostlist_uniq(hl);
	s = hostlist_ranged_string(hl);
	ck_assert_msg(strcmp(s, want) == 0, "'%s'%s gave '%s', want '%s'", expr,
		      uniq ? " (uniq)" : "", s, want);
	free(s);
	hostlist_destroy(hl);
}

/* Every host of expr, comma-joined. */
static void assert_hosts(const char *expr, const char *want)
{
	struct hostlist *hl = parse_ok(expr);
	char *got = NULL;

	for (size_t i = 0; i < hostlist_count(hl); i++)
		xstrfmtcat(&got, "%s%s", i ? "," : "", hostlist_nth(hl, i));
	ck_assert_msg(strcmp(got ? got : "", want) == 0, "'%s' expanded to '%s', want '%s'", expr,
		      got ? got : "", want);
	free(got);
	hostlist_destroy(hl);
}

static void assert_invalid(const char *expr)
{
	struct sky_errbuf eb = { 0 };
	struct hostlist *hl = (struct hostlist *)0x1;

	ck_assert_int_eq(hostlist_create(expr, &hl, &eb), SKY_E_INVAL);
	ck_assert_ptr_eq(hl, (struct hostlist *)0x1);
	ck_assert_int_eq(eb.code, SKY_E_INVAL);
	ck_assert_msg(strstr(eb.msg, expr) != NULL, "message '%s' does not name '%s'", eb.msg, expr);
}

START_TEST(test_reference_vector)
{
	struct hostlist *hl = parse_ok("host[1-3],host5");

	ck_assert_uint_eq(hostlist_count(hl), 4);
	ck_assert_str_eq(hostlist_nth(hl, 0), "host1");
	ck_assert_str_eq(hostlist_nth(hl, 1), "host2");
	ck_assert_str_eq(hostlist_nth(hl, 2), "host3");
	ck_assert_str_eq(hostlist_nth(hl, 3), "host5");
	ck_assert_ptr_null(hostlist_nth(hl, 4));
	hostlist_destroy(hl);
	assert_ranged("host[1-3],host5", false, "host[1-3,5]");
}
END_TEST

START_TEST(test_order_and_duplicates_kept)
{
	assert_ranged("tux2,tux1,tux2", false, "tux[2,1-2]");
	assert_hosts("tux2,tux1,tux2", "tux2,tux1,tux2");
}
END_TEST

/* Slurm's sorted hostlist keeps duplicates: tux2,tux1,tux2 -> tux[1-2,2]. */
START_TEST(test_sort_keeps_duplicates)
{
	struct hostlist *hl = parse_ok("tux2,tux1,tux2");
	char *s;

	hostlist_sort(hl);
	ck_assert_uint_eq(hostlist_count(hl), 3);
	s = hostlist_ranged_string(hl);
	ck_assert_str_eq(s, "tux[1-2,2]");
	free(s);
	hostlist_destroy(hl);
}
END_TEST

START_TEST(test_uniq_sorts_and_dedups)
{
	struct hostlist *hl = parse_ok("tux2,tux1,tux2");

	hostlist_uniq(hl);
	ck_assert_uint_eq(hostlist_count(hl), 2);
	hostlist_destroy(hl);
	assert_ranged("tux2,tux1,tux2", true, "tux[1-2]");
	/* Numeric, not lexical, order; prefixes first. */
	assert_ranged("b2,a10,a9,a1,b1,a10", true, "a[1,9-10],b[1-2]");
	assert_hosts("n10,n9,n100,m5", "n10,n9,n100,m5");
	{
		struct hostlist *h2 = parse_ok("n10,n9,n100,m5,n9");
		char *got = NULL;
		hostlist_uniq(h2);
		for (size_t i = 0; i < hostlist_count(h2); i++)
			xstrfmtcat(&got, "%s%s", i ? "," : "", hostlist_nth(h2, i));
		ck_assert_str_eq(got, "m5,n9,n10,n100");
		free(got);
		hostlist_destroy(h2);
	}
}
END_TEST

START_TEST(test_leading_zeros_fix_width)
{
	assert_hosts("linux[0000-0003]", "linux0000,linux0001,linux0002,linux0003");
	assert_ranged("linux[0000-0003]", false, "linux[0000-0003]");
	assert_hosts("lx[08-10]", "lx08,lx09,lx10");
	assert_ranged("lx[08-10]", false, "lx[08-10]");
	/* Unpadded numbers of different length still form one range. */
	assert_hosts("tux[9-11]", "tux9,tux10,tux11");
	assert_ranged("tux9,tux10,tux11", false, "tux[9-11]");
	/* A padded and an unpadded number do not. */
	assert_ranged("tux09,tux010", false, "tux[09,010]");
	assert_hosts("tux[09,010]", "tux09,tux010");
}
END_TEST

START_TEST(test_several_brackets)
{
	assert_hosts("rack[0-1]_b[1-2]", "rack0_b1,rack0_b2,rack1_b1,rack1_b2");
	assert_ranged("rack[0-1]_b[1-2]", false, "rack0_b[1-2],rack1_b[1-2]");
	assert_hosts("a[1-2]x", "a1x,a2x");
	assert_hosts("[1-2]", "1,2");
}
END_TEST

START_TEST(test_separators)
{
	assert_hosts("alpha,beta", "alpha,beta");
	assert_hosts("alpha beta\tgamma", "alpha,beta,gamma");
	assert_hosts(" ,alpha,, beta, ", "alpha,beta");
	assert_hosts("tux[0-5,12,20-21]", "tux0,tux1,tux2,tux3,tux4,tux5,tux12,tux20,tux21");
	assert_hosts("lx[15,18,32-33]", "lx15,lx18,lx32,lx33");
	assert_ranged("alpha,beta", false, "alpha,beta");
	assert_ranged("x", false, "x");
}
END_TEST

START_TEST(test_empty)
{
	struct hostlist *hl = parse_ok("");
	char *s = hostlist_ranged_string(hl);

	ck_assert_uint_eq(hostlist_count(hl), 0);
	ck_assert_str_eq(s, "");
	free(s);
	hostlist_destroy(hl);
	hl = parse_ok(NULL);
	ck_assert_uint_eq(hostlist_count(hl), 0);
	hostlist_uniq(hl);
	hostlist_destroy(hl);
	hl = hostlist_new();
	s = hostlist_ranged_string(hl);
	ck_assert_str_eq(s, "");
	free(s);
	hostlist_destroy(hl);
	hostlist_destroy(NULL);
}
END_TEST

START_TEST(test_malformed)
{
	assert_invalid("tux[1-");
	assert_invalid("tux[1-3");
	assert_invalid("tux]");
	assert_invalid("tux1]");
	assert_invalid("tux[]");
	assert_invalid("tux[3-1]");
	assert_invalid("tux[a-b]");
	assert_invalid("tux[1-2-3]");
	assert_invalid("tux[1,,2]");
	assert_invalid("tux[-2]");
	assert_invalid("tux[[1]]");
	assert_invalid("tux[1 -2]");
	assert_invalid("ok1,tux[0-65536]");   /* 65537 hosts in one range */
	assert_invalid("a[0-9999]b[0-9999]");  /* 10^8 hosts */
}
END_TEST

START_TEST(test_max_range_accepted)
{
	struct hostlist *hl = parse_ok("n[0-65535]");

	ck_assert_uint_eq(hostlist_count(hl), HOSTLIST_MAX_RANGE);
	ck_assert_str_eq(hostlist_nth(hl, 65535), "n65535");
	hostlist_destroy(hl);
}
END_TEST

START_TEST(test_push_and_find)
{
	struct sky_errbuf eb = { 0 };
	struct hostlist *hl = hostlist_new();

	ck_assert_ok(hostlist_push(hl, "a[1-2]", &eb), &eb);
	hostlist_push_host(hl, "weird[1]");   /* literal, not parsed */
	ck_assert_uint_eq(hostlist_count(hl), 3);
	ck_assert_int_eq(hostlist_push(hl, "b[1-", &eb), SKY_E_INVAL);
	ck_assert_uint_eq(hostlist_count(hl), 3);   /* unchanged on error */
	ck_assert_int_eq(hostlist_push(hl, "c1,c[2-", NULL), SKY_E_INVAL);
	ck_assert_uint_eq(hostlist_count(hl), 3);
	ck_assert_int_eq(hostlist_find(hl, "a2"), 1);
	ck_assert_int_eq(hostlist_find(hl, "weird[1]"), 2);
	ck_assert_int_eq(hostlist_find(hl, "a3"), -1);
	ck_assert_int_eq(hostlist_find(hl, NULL), -1);
	hostlist_destroy(hl);
}
END_TEST

START_TEST(test_expand)
{
	struct sky_errbuf eb = { 0 };
	char **names = NULL;
	size_t n = 0;

	ck_assert_ok(hostlist_expand("n[1-3]", &names, &n, &eb), &eb);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(names[0], "n1");
	ck_assert_str_eq(names[2], "n3");
	ck_assert_ptr_null(names[3]);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	ck_assert_int_eq(hostlist_expand("n[", &names, &n, &eb), SKY_E_INVAL);
}
END_TEST

/* The ranged string parses back to the same hosts, in the same order. */
START_TEST(test_round_trip)
{
	static const char *const exprs[] = {
		"tux[2,1-2]", "host[1-3],host5", "rack[0-1]_b[1-2]", "linux[0000-0003],linux9",
		"a,b,c1,c3,c2,d", "n[98-102]", "x007,x8,x9", "1,2,3",
	};

	for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
		struct hostlist *a = parse_ok(exprs[i]), *b;
		char *s = hostlist_ranged_string(a);
		b = parse_ok(s);
		ck_assert_uint_eq(hostlist_count(a), hostlist_count(b));
		for (size_t j = 0; j < hostlist_count(a); j++)
			ck_assert_str_eq(hostlist_nth(a, j), hostlist_nth(b, j));
		free(s);
		hostlist_destroy(a);
		hostlist_destroy(b);
	}
}
END_TEST

static Suite *hostlist_suite(void)
{
	Suite *s = suite_create("hostlist");
	TCase *tc = tcase_create("hostlist");

	tcase_add_test(tc, test_reference_vector);
	tcase_add_test(tc, test_order_and_duplicates_kept);
	tcase_add_test(tc, test_uniq_sorts_and_dedups);
	tcase_add_test(tc, test_sort_keeps_duplicates);
	tcase_add_test(tc, test_leading_zeros_fix_width);
	tcase_add_test(tc, test_several_brackets);
	tcase_add_test(tc, test_separators);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_max_range_accepted);
	tcase_add_test(tc, test_push_and_find);
	tcase_add_test(tc, test_expand);
	tcase_add_test(tc, test_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(hostlist_suite());
}
