/*
 * sigv4_test.c: AWS Signature V4 (aws_sigv4.h) against the expected
 * signatures of AWS's published SigV4 test suite (the aws-sig-v4-test-suite
 * cases named below: credentials AKIDEXAMPLE /
 * wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20150830T123600Z, us-east-1,
 * service "service"), plus the IAM ListUsers example of AWS's SigV4 docs.
 */
#include "config.h"

#include <string.h>

#include "aws_sigv4.h"
#include "unit.h"

#define DATE "20150830T123600Z"
#define HOST "example.amazonaws.com"

static const struct sigv4_creds creds = { "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

struct vector {
	const char *name;
	const char *method, *path;
	struct sigv4_pair query[2];
	size_t n_query;
	struct sigv4_pair extra[2]; /* headers besides Host and X-Amz-Date */
	size_t n_extra;
	const char *body;
	const char *signed_headers, *signature;
};

static const struct vector vectors[] = {
	{ "get-vanilla", "GET", "/", { { 0 } }, 0, { { 0 } }, 0, NULL, "host;x-amz-date",
	  "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" },
	{ "get-unreserved", "GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
	  { { 0 } }, 0, { { 0 } }, 0, NULL, "host;x-amz-date",
	  "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f" },
	{ "get-utf8", "GET", "/\xe1\x88\xb4", { { 0 } }, 0, { { 0 } }, 0, NULL, "host;x-amz-date",
	  "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85" },
	{ "get-vanilla-empty-query-key", "GET", "/", { { "Param1", "value1" } }, 1, { { 0 } }, 0, NULL,
	  "host;x-amz-date", "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb" },
	{ "get-vanilla-query-order-key-case", "GET", "/",
	  { { "Param2", "value2" }, { "Param1", "value1" } }, 2, { { 0 } }, 0, NULL, "host;x-amz-date",
	  "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500" },
	{ "get-vanilla-query-unreserved", "GET", "/",
	  { { "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
	      "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" } }, 1,
	  { { 0 } }, 0, NULL, "host;x-amz-date",
	  "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197" },
	{ "get-vanilla-utf8-query", "GET", "/", { { "\xe1\x88\xb4", "bar" } }, 1, { { 0 } }, 0, NULL,
	  "host;x-amz-date", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04" },
	{ "get-header-value-trim", "GET", "/", { { 0 } }, 0,
	  { { "My-Header1", " value1" }, { "My-Header2", " \"a   b   c\"" } }, 2, NULL,
	  "host;my-header1;my-header2;x-amz-date",
	  "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736" },
	{ "post-vanilla", "POST", "/", { { 0 } }, 0, { { 0 } }, 0, NULL, "host;x-amz-date",
	  "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b" },
	{ "post-header-key-sort", "POST", "/", { { 0 } }, 0, { { "My-Header1", "value1" } }, 1, NULL,
	  "host;my-header1;x-amz-date",
	  "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c" },
	{ "post-header-value-case", "POST", "/", { { 0 } }, 0, { { "My-Header1", "VALUE1" } }, 1,
	  NULL, "host;my-header1;x-amz-date",
	  "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d" },
	{ "post-vanilla-query", "POST", "/", { { "Param1", "value1" } }, 1, { { 0 } }, 0, NULL,
	  "host;x-amz-date", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11" },
	{ "post-vanilla-query-nonunreserved", "POST", "/",
	  { { "@#$%^", "" }, { "+", "/,?><`\";:\\|][{}" } }, 2, { { 0 } }, 0, NULL, "host;x-amz-date",
	  "66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e" },
	{ "post-vanilla-query-space", "POST", "/", { { "p", "" } }, 1, { { 0 } }, 0, NULL,
	  "host;x-amz-date", "e71688addb58a26418614085fb730ba3faa623b461c17f48f2fbdb9361b94a9b" },
	{ "post-x-www-form-urlencoded", "POST", "/", { { 0 } }, 0,
	  { { "Content-Type", "application/x-www-form-urlencoded" } }, 1, "Param1=value1",
	  "content-type;host;x-amz-date",
	  "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a" },
	{ "post-x-www-form-urlencoded-parameters", "POST", "/", { { 0 } }, 0,
	  { { "Content-Type", "application/x-www-form-urlencoded; charset=utf8" } }, 1,
	  "Param1=value1", "content-type;host;x-amz-date",
	  "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe" },
};

START_TEST(test_suite_vectors)
{
	const struct vector *v = &vectors[_i];
	struct sigv4_pair h[4] = { { "Host", HOST }, { "X-Amz-Date", DATE } };
	struct sigv4_request r = { 0 };
	struct sky_errbuf eb = { 0 };
	char *auth = NULL, *want;
	size_t i;

	for (i = 0; i < v->n_extra; i++)
		h[2 + i] = v->extra[i];
	r.method = v->method;
	r.path = v->path;
	r.query = v->query;
	r.n_query = v->n_query;
	r.headers = h;
	r.n_headers = 2 + v->n_extra;
	r.body = (const uint8_t *)v->body;
	r.body_len = v->body ? strlen(v->body) : 0;
	ck_assert_ok(sigv4_authorization(&r, &creds, "us-east-1", "service", DATE, &auth, &eb), &eb);
	want = xasprintf("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
			 "aws4_request, SignedHeaders=%s, Signature=%s",
			 v->signed_headers, v->signature);
	ck_assert_msg(!strcmp(auth, want), "%s:\n got %s\nwant %s", v->name, auth, want);
	free(want);
	free(auth);
}
END_TEST

/* The worked example of AWS's SigV4 documentation (IAM ListUsers). */
START_TEST(test_iam_example)
{
	const struct sigv4_pair q[] = { { "Action", "ListUsers" }, { "Version", "2010-05-08" } };
	const struct sigv4_pair h[] = {
		{ "Content-Type", "application/x-www-form-urlencoded; charset=utf-8" },
		{ "Host", "iam.amazonaws.com" },
		{ "X-Amz-Date", DATE },
	};
	struct sigv4_request r = { .method = "GET", .path = "/", .query = q, .n_query = 2,
				   .headers = h, .n_headers = 3 };
	struct sky_errbuf eb = { 0 };
	char *auth = NULL, *creq, *sh;

	creq = sigv4_canonical_request(&r, &sh);
	ck_assert_str_eq(creq, "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
			       "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
			       "host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
			       "content-type;host;x-amz-date\n"
			       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	ck_assert_str_eq(sh, "content-type;host;x-amz-date");
	ck_assert_ok(sigv4_authorization(&r, &creds, "us-east-1", "iam", DATE, &auth, &eb), &eb);
	ck_assert_str_eq(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/"
			       "aws4_request, SignedHeaders=content-type;host;x-amz-date, "
			       "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
	free(auth);
	free(creq);
	free(sh);
}
END_TEST

START_TEST(test_bad_date_and_encoding)
{
	const struct sigv4_pair h[] = { { "Host", HOST } };
	struct sigv4_request r = { .method = "GET", .path = "/", .headers = h, .n_headers = 1 };
	struct sky_errbuf eb = { 0 };
	char *auth = NULL, *e;

	ck_assert_int_eq(sigv4_authorization(&r, &creds, "us-east-1", "ec2", "2015-08-30", &auth, &eb),
			 SKY_E_INVAL);
	ck_assert_ptr_null(auth);
	ck_assert_msg(strstr(eb.msg, "2015-08-30") != NULL, "message '%s'", eb.msg);
	e = sigv4_uri_encode("a b/c~d+é", 0);
	ck_assert_str_eq(e, "a%20b%2Fc~d%2B%C3%A9");
	free(e);
	e = sigv4_uri_encode("/a b/", 1);
	ck_assert_str_eq(e, "/a%20b/");
	free(e);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sigv4");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_suite_vectors, 0, (int)(sizeof(vectors) / sizeof(vectors[0])));
	tcase_add_test(tc, test_iam_example);
	tcase_add_test(tc, test_bad_date_and_encoding);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
