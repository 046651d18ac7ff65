/*
 * aws_creds_test.c: every link of the AWS credential chain (aws_creds.h)
 * with temporary files and environment variables, and the client's offline
 * parts: EC2 error bodies, their classification and Reason line, base64.
 * No network.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aws_creds.h"
#include "aws_ec2.h"
#include "aws_xml.h"
#include "unit.h"

static char *home;

/* A clean slate: no AWS_* variable, HOME a fresh empty directory. */
static void setup(void)
{
	static const char *const vars[] = { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
		"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_ENDPOINT_URL",
		"AWS_ENDPOINT_URL_EC2", NULL };
	size_t i;

	for (i = 0; vars[i]; i++)
		unsetenv(vars[i]);
	home = unit_tmpdir();
	setenv("HOME", home, 1);
}

static void teardown(void)
{
	unit_rmtree(home);
	FREE_NULL(home);
}

/* Write HOME/.aws/name. Caller frees the path. */
static char *aws_file(const char *name, const char *text)
{
	char *dir = xasprintf("%s/.aws", home), *p;

	mkdir(dir, 0700);
	p = unit_write_file(dir, name, text);
	free(dir);
	return p;
}

static struct aws_creds *resolve_ok(const struct aws_creds_opts *o)
{
	struct aws_creds *c = NULL;
	struct sky_errbuf eb = { 0 };

	ck_assert_msg(aws_creds_resolve(o, &c, &eb) == 0, "resolve failed: %s", eb.msg);
	return c;
}

/* Resolution fails with SKY_E_CONFIG and the message contains want. */
static void resolve_fails(const struct aws_creds_opts *o, const char *want)
{
	struct aws_creds *c = NULL;
	struct sky_errbuf eb = { 0 };

	ck_assert_int_eq(aws_creds_resolve(o, &c, &eb), SKY_E_CONFIG);
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(eb.msg, want) != NULL, "message '%s' lacks '%s'", eb.msg, want);
}

START_TEST(test_config_beats_env)
{
	struct aws_creds_opts o = { .access_key = "AKCONF", .secret_key = "SKCONF",
				    .region = "eu-west-1", .endpoint = "http://127.0.0.1:9/" };
	struct aws_creds *c;

	setenv("AWS_ACCESS_KEY_ID", "AKENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "SKENV", 1);
	setenv("AWS_REGION", "us-west-2", 1);
	setenv("AWS_ENDPOINT_URL", "http://other:1", 1);
	c = resolve_ok(&o);
	ck_assert_str_eq(c->access_key, "AKCONF");
	ck_assert_str_eq(c->secret_key, "SKCONF");
	ck_assert_ptr_null(c->session_token);
	ck_assert_str_eq(c->source, "config");
	ck_assert_str_eq(c->region, "eu-west-1");
	ck_assert_str_eq(c->endpoint, "http://127.0.0.1:9"); /* trailing slash dropped */
	aws_creds_free(c);
	o.secret_key = NULL;
	resolve_fails(&o, "gives an access key but not its secret key");
}
END_TEST

START_TEST(test_env_beats_file)
{
	struct aws_creds *c;
	char *p = aws_file("credentials", "[default]\naws_access_key_id = AKFILE\n"
					  "aws_secret_access_key = SKFILE\n");

	setenv("AWS_ACCESS_KEY_ID", "AKENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "SKENV", 1);
	setenv("AWS_SESSION_TOKEN", "TOKENV", 1);
	c = resolve_ok(NULL);
	ck_assert_str_eq(c->access_key, "AKENV");
	ck_assert_str_eq(c->secret_key, "SKENV");
	ck_assert_str_eq(c->session_token, "TOKENV");
	ck_assert_str_eq(c->source, "environment");
	aws_creds_free(c);
	unsetenv("AWS_SECRET_ACCESS_KEY");
	resolve_fails(NULL, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
	free(p);
}
END_TEST

START_TEST(test_default_credentials_file)
{
	struct aws_creds *c;
	char *p = aws_file("credentials", "# a comment\n; another\n\n[other]\n"
					  "aws_access_key_id=AKOTHER\naws_secret_access_key=SKOTHER\n"
					  "[default]\n  aws_access_key_id =  AKDEF  \n"
					  "aws_secret_access_key=SK/DEF+x=\n");
	char *want = xasprintf("%s [default]", p);

	c = resolve_ok(NULL);
	ck_assert_str_eq(c->access_key, "AKDEF");
	ck_assert_str_eq(c->secret_key, "SK/DEF+x="); /* '=' inside the value kept */
	ck_assert_str_eq(c->source, want);
	ck_assert_str_eq(c->profile, "default");
	ck_assert_ptr_null(c->region);
	ck_assert_ptr_null(c->endpoint);
	aws_creds_free(c);
	free(want);
	free(p);
}
END_TEST

START_TEST(test_named_file_and_profile)
{
	struct aws_creds_opts o = { .profile = "conf" };
	char *dir = unit_tmpdir();
	char *p = unit_write_file(dir, "creds", "[default]\naws_access_key_id=AKD\n"
				  "aws_secret_access_key=SKD\n[prod]\naws_access_key_id=AKP\n"
				  "aws_secret_access_key=SKP\naws_session_token=TOKP\n[conf]\n"
				  "aws_access_key_id=AKC\naws_secret_access_key=SKC\n");
	struct aws_creds *c;

	setenv("AWS_SHARED_CREDENTIALS_FILE", p, 1);
	setenv("AWS_PROFILE", "prod", 1);
	c = resolve_ok(NULL);
	ck_assert_str_eq(c->access_key, "AKP");
	ck_assert_str_eq(c->session_token, "TOKP");
	ck_assert_str_eq(c->profile, "prod");
	aws_creds_free(c);
	c = resolve_ok(&o); /* the configured profile beats AWS_PROFILE */
	ck_assert_str_eq(c->access_key, "AKC");
	aws_creds_free(c);
	setenv("AWS_PROFILE", "nosuch", 1);
	resolve_fails(NULL, "no AWS credentials for profile 'nosuch' in ");
	resolve_fails(NULL, p);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/creds", 1);
	resolve_fails(NULL, "AWS_SHARED_CREDENTIALS_FILE=/nonexistent/creds: no such file");
	unit_rmtree(dir);
	free(dir);
	free(p);
}
END_TEST

START_TEST(test_bad_files)
{
	char *p = aws_file("credentials", "[default]\naws_access_key_id = AK\njunk line\n");
	char *want = xasprintf("%s:3: expected 'key = value' or '[section]'", p);

	resolve_fails(NULL, want);
	free(want);
	free(p);
	p = aws_file("credentials", "[default]\n\naws_access_key_id = AK\n");
	want = xasprintf("%s:3: profile 'default' has aws_access_key_id but no "
			 "aws_secret_access_key", p);
	resolve_fails(NULL, want);
	free(want);
	free(p);
	p = aws_file("credentials", "[default\n");
	want = xasprintf("%s:1: unterminated section header", p);
	resolve_fails(NULL, want);
	free(want);
	free(p);
}
END_TEST

START_TEST(test_nothing_anywhere)
{
	resolve_fails(NULL, "no AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or "
			    "create ~/.aws/credentials");
}
END_TEST

START_TEST(test_keys_in_config_file)
{
	char *p = aws_file("config", "[profile ml]\naws_access_key_id=AKML\n"
				     "aws_secret_access_key=SKML\nregion=ap-south-1\n");
	struct aws_creds *c;

	setenv("AWS_PROFILE", "ml", 1);
	c = resolve_ok(NULL);
	ck_assert_str_eq(c->access_key, "AKML");
	ck_assert_str_eq(c->region, "ap-south-1");
	aws_creds_free(c);
	free(p);
}
END_TEST

START_TEST(test_region_chain)
{
	struct aws_creds_opts o = { .access_key = "AK", .secret_key = "SK" };
	char *p = aws_file("config", "[default]\nregion = us-east-2\ns3 =\n  region = bogus\n"
				     "[profile prod]\nregion=eu-central-1\n[prod2]\nregion=nope\n");
	struct aws_creds *c;

	c = resolve_ok(&o);
	ck_assert_str_eq(c->region, "us-east-2"); /* nested "s3 =" block skipped */
	aws_creds_free(c);
	o.profile = "prod";
	c = resolve_ok(&o);
	ck_assert_str_eq(c->region, "eu-central-1");
	aws_creds_free(c);
	o.profile = "prod2"; /* a bare [prod2] is not a profile in the config file */
	c = resolve_ok(&o);
	ck_assert_ptr_null(c->region);
	aws_creds_free(c);
	setenv("AWS_DEFAULT_REGION", "sa-east-1", 1);
	c = resolve_ok(&o);
	ck_assert_str_eq(c->region, "sa-east-1");
	aws_creds_free(c);
	setenv("AWS_REGION", "ca-central-1", 1);
	c = resolve_ok(&o);
	ck_assert_str_eq(c->region, "ca-central-1");
	aws_creds_free(c);
	o.region = "us-west-1";
	c = resolve_ok(&o);
	ck_assert_str_eq(c->region, "us-west-1");
	aws_creds_free(c);
	free(p);
}
END_TEST

START_TEST(test_endpoint_chain)
{
	struct aws_creds_opts o = { .access_key = "AK", .secret_key = "SK", .region = "us-east-1" };
	struct aws_creds *c;
	char *url;

	c = resolve_ok(&o);
	url = aws_creds_endpoint(c, "us-west-2");
	ck_assert_str_eq(url, "https://ec2.us-west-2.amazonaws.com");
	free(url);
	aws_creds_free(c);
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000", 1);
	c = resolve_ok(&o);
	ck_assert_str_eq(c->endpoint, "http://127.0.0.1:5000");
	aws_creds_free(c);
	setenv("AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:6000/", 1);
	c = resolve_ok(&o);
	url = aws_creds_endpoint(c, "us-west-2");
	ck_assert_str_eq(url, "http://127.0.0.1:6000");
	free(url);
	aws_creds_free(c);
	setenv("AWS_ENDPOINT_URL_EC2", "ftp://x", 1);
	resolve_fails(&o, "AWS_ENDPOINT_URL_EC2 'ftp://x' is not an http:// or https:// URL");
}
END_TEST

START_TEST(test_client_needs_region)
{
	struct aws_creds_opts o = { .access_key = "AK", .secret_key = "SK" };
	struct aws_ec2_opts eo = { .region = "us-west-2" };
	struct aws_creds *c = resolve_ok(&o);
	struct aws_ec2 *ec2 = NULL;
	struct sky_errbuf eb = { 0 };

	ck_assert_int_eq(aws_ec2_create(c, NULL, &ec2, &eb), SKY_E_CONFIG);
	ck_assert_ptr_null(ec2);
	ck_assert_msg(strstr(eb.msg, "no AWS region: set AWS_REGION") != NULL, "%s", eb.msg);
	sky_err_clear(&eb);
	ck_assert_int_eq(aws_ec2_create(c, &eo, &ec2, &eb), 0);
	ck_assert_str_eq(aws_ec2_region(ec2), "us-west-2");
	aws_ec2_destroy(ec2);
	aws_creds_free(c);
}
END_TEST

START_TEST(test_error_body_and_reason)
{
	static const char body[] =
		"<?xml version=\"1.0\"?>\n<Response xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
		"<Errors><Error><Code>InsufficientInstanceCapacity</Code><Message>We currently do "
		"not have sufficient p4d.24xlarge capacity in the Availability Zone you requested "
		"(us-east-1a).</Message></Error></Errors><RequestID>req-1</RequestID></Response>";
	struct aws_error e = { .http_status = 500 };
	char *r;

	ck_assert_int_eq(axml_error(body, sizeof(body) - 1, &e), 0);
	ck_assert_str_eq(e.code, "InsufficientInstanceCapacity");
	ck_assert_str_eq(e.request_id, "req-1");
	aws_error_classify(&e);
	ck_assert_int_eq(e.klass, AWS_ERR_CAPACITY);
	ck_assert(!e.retryable); /* even though the status is 500 */
	r = aws_error_reason(&e);
	ck_assert_str_eq(r, "(Code:InsufficientInstanceCapacity) We currently do not have "
			    "sufficient p4d.24xlarge capacity in the Availability Zone you "
			    "requested (us-east-1a).");
	free(r);
	ck_assert_int_ne(axml_error("<html>oops</html>", 17, &e), 0);
	ck_assert_int_ne(axml_error("not xml", 7, &e), 0);
}
END_TEST

static void classify_is(const char *code, int status, enum aws_err_class k, bool retry)
{
	struct aws_error e = { .http_status = status };

	snprintf(e.code, sizeof(e.code), "%s", code);
	aws_error_classify(&e);
	ck_assert_msg(e.klass == k && e.retryable == retry, "%s/%d: class %d retry %d", code,
		      status, e.klass, e.retryable);
}

START_TEST(test_classify)
{
	classify_is("RequestLimitExceeded", 503, AWS_ERR_THROTTLE, true);
	classify_is("Throttling", 400, AWS_ERR_THROTTLE, true);
	classify_is("ThrottlingException", 400, AWS_ERR_THROTTLE, true);
	classify_is("InternalError", 500, AWS_ERR_SERVER, true);
	classify_is("Unavailable", 503, AWS_ERR_SERVER, true);
	classify_is("ServiceUnavailable", 503, AWS_ERR_SERVER, true);
	classify_is("SomethingNew", 502, AWS_ERR_SERVER, true);
	classify_is("SomethingNew", 400, AWS_ERR_OTHER, false);
	classify_is("Server.InsufficientInstanceCapacity", 500, AWS_ERR_CAPACITY, false);
	classify_is("SpotMaxPriceTooLow", 400, AWS_ERR_CAPACITY, false);
	classify_is("VcpuLimitExceeded", 400, AWS_ERR_QUOTA, false);
	classify_is("InstanceLimitExceeded", 400, AWS_ERR_QUOTA, false);
	classify_is("AuthFailure", 401, AWS_ERR_AUTH, false);
	classify_is("UnauthorizedOperation", 403, AWS_ERR_AUTH, false);
	classify_is("InvalidParameterValue", 400, AWS_ERR_PARAM, false);
	classify_is("InvalidInstanceID.NotFound", 400, AWS_ERR_PARAM, false);
	classify_is("MissingParameter", 400, AWS_ERR_PARAM, false);
}
END_TEST

START_TEST(test_base64)
{
	static const uint8_t raw[] = { 'h', 'i', 0, 0xff, '\n', '=' };
	uint8_t *out;
	size_t len, n;
	char *b;

	for (n = 0; n <= sizeof(raw); n++) {
		b = aws_base64_encode(raw, n);
		ck_assert_int_eq(aws_base64_decode(b, &out, &len), 0);
		ck_assert_uint_eq(len, n);
		ck_assert(!memcmp(out, raw, n));
		free(out);
		free(b);
	}
	ck_assert_int_eq(aws_base64_decode("aGVs\nbG8=", &out, &len), 0);
	ck_assert_str_eq((char *)out, "hello");
	free(out);
	ck_assert_int_eq(aws_base64_decode("abc", &out, &len), -1);
	ck_assert_int_eq(aws_base64_decode("ab!?", &out, &len), -1);
	b = aws_client_token_new();
	ck_assert_uint_eq(strlen(b), 32);
	free(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("aws_creds");
	TCase *tc = tcase_create("chain");
	TCase *tx = tcase_create("client");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_config_beats_env);
	tcase_add_test(tc, test_env_beats_file);
	tcase_add_test(tc, test_default_credentials_file);
	tcase_add_test(tc, test_named_file_and_profile);
	tcase_add_test(tc, test_bad_files);
	tcase_add_test(tc, test_nothing_anywhere);
	tcase_add_test(tc, test_keys_in_config_file);
	tcase_add_test(tc, test_region_chain);
	tcase_add_test(tc, test_endpoint_chain);
	tcase_add_test(tc, test_client_needs_region);
	suite_add_tcase(s, tc);
	tcase_add_test(tx, test_error_body_and_reason);
	tcase_add_test(tx, test_classify);
	tcase_add_test(tx, test_base64);
	suite_add_tcase(s, tx);
	return unit_run(s);
}
