/*
 * k8s_config_test.c: every kubeconfig variant the client honours (data and
 * file credentials, token and tokenFile, merged KUBECONFIG lists, relative
 * paths, exec plugins with caching and expiry, in-cluster service accounts)
 * and the messages of the broken ones. Temp files and scripts, no network.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "aws_xml.h"
#include "k8s_config.h"
#include "unit.h"

static char *dir;

static void setup(void)
{
	dir = unit_tmpdir();
	unsetenv("KUBECONFIG");
	setenv("HOME", dir, 1);
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
}

static void teardown(void)
{
	unit_rmtree(dir);
	FREE_NULL(dir);
}

static char *b64(const char *s)
{
	return aws_base64_encode((const uint8_t *)s, strlen(s));
}

static char *wfile(const char *name, const char *text)
{
	return unit_write_file(dir, name, text);
}

static struct k8s_config *load_ok(const char *path, const char *ctx)
{
	struct k8s_config *c = NULL;
	struct sky_errbuf eb = { 0 };

	ck_assert_ok(k8s_config_load(path, ctx, &c, &eb), &eb);
	return c;
}

static void load_fails(const char *path, const char *ctx, const char *msg)
{
	struct k8s_config *c = NULL;
	struct sky_errbuf eb = { 0 };

	ck_assert_int_eq(k8s_config_load(path, ctx, &c, &eb), SKY_E_CONFIG);
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(sky_err_msg(&eb), msg), "message '%s' lacks '%s'", sky_err_msg(&eb),
		      msg);
}

static const char two_contexts[] =
	"apiVersion: v1\nkind: Config\ncurrent-context: cert\n"
	"clusters:\n"
	"- name: emu\n  cluster:\n    server: https://127.0.0.1:6443/\n"
	"    certificate-authority-data: %s\n    tls-server-name: kubernetes\n"
	"- name: plain\n  cluster:\n    server: http://127.0.0.1:8080\n"
	"    insecure-skip-tls-verify: true\n"
	"contexts:\n"
	"- name: cert\n  context: {cluster: emu, user: cert-user}\n"
	"- name: tok\n  context:\n    cluster: plain\n    user: tok-user\n    namespace: jobs\n"
	"users:\n"
	"- name: cert-user\n  user:\n    client-certificate-data: %s\n    client-key-data: %s\n"
	"- name: tok-user\n  user:\n    token: abc.def\n    tokenFile: ignored-when-token-set\n";

START_TEST(test_data_fields_and_contexts)
{
	char *ca = b64("CA PEM\n"), *cert = b64("CERT PEM\n"), *key = b64("KEY PEM\n");
	char *text = xasprintf(two_contexts, ca, cert, key), *path = wfile("kc", text);
	struct k8s_config *c = load_ok(path, NULL);
	struct k8s_creds cr;
	struct sky_errbuf eb = { 0 };

	ck_assert_str_eq(c->context, "cert");
	ck_assert_str_eq(c->server, "https://127.0.0.1:6443"); /* trailing '/' cut */
	ck_assert_str_eq((char *)c->ca.data, "CA PEM\n");
	ck_assert_str_eq(c->tls_server_name, "kubernetes");
	ck_assert_str_eq(c->namespace, "default");
	ck_assert(!c->insecure);
	ck_assert_ok(k8s_config_creds(c, false, &cr, &eb), &eb);
	ck_assert_str_eq((char *)cr.cert.data, "CERT PEM\n");
	ck_assert_str_eq((char *)cr.key.data, "KEY PEM\n");
	ck_assert_ptr_null(cr.token);
	k8s_creds_clear(&cr);
	k8s_config_free(c);

	c = load_ok(path, "tok");
	ck_assert_str_eq(c->server, "http://127.0.0.1:8080");
	ck_assert(c->insecure);
	ck_assert_str_eq(c->namespace, "jobs");
	ck_assert_ok(k8s_config_creds(c, false, &cr, &eb), &eb);
	ck_assert_str_eq(cr.token, "abc.def"); /* token wins over tokenFile */
	ck_assert_uint_eq(cr.cert.len, 0);
	k8s_creds_clear(&cr);
	k8s_config_free(c);
	free(ca);
	free(cert);
	free(key);
	free(text);
	free(path);
}
END_TEST

START_TEST(test_files_relative_and_token_file)
{
	char *sub = xasprintf("%s/conf", dir), *path, *kc;
	struct k8s_config *c;
	struct k8s_creds cr;
	struct sky_errbuf eb = { 0 };

	mkdir(sub, 0700);
	free(unit_write_file(sub, "tok", "first-token\n"));
	path = unit_write_file(sub, "kc",
		"current-context: c\nclusters:\n- name: k\n  cluster:\n    server: https://h:1\n"
		"    certificate-authority: ca.crt\n"
		"contexts:\n- name: c\n  context: {cluster: k, user: u}\n"
		"users:\n- name: u\n  user:\n    client-certificate: /abs/client.crt\n"
		"    client-key: keys/client.key\n    tokenFile: tok\n");
	c = load_ok(path, NULL);
	kc = xasprintf("%s/ca.crt", sub);
	ck_assert_str_eq(c->ca_file, kc);
	free(kc);
	ck_assert_ok(k8s_config_creds(c, false, &cr, &eb), &eb);
	ck_assert_str_eq(cr.cert_file, "/abs/client.crt");
	kc = xasprintf("%s/keys/client.key", sub);
	ck_assert_str_eq(cr.key_file, kc);
	free(kc);
	ck_assert_str_eq(cr.token, "first-token");
	k8s_creds_clear(&cr);
	/* The token file is read at each request: a rotated token is used at once. */
	free(unit_write_file(sub, "tok", "second-token"));
	ck_assert_ok(k8s_config_creds(c, false, &cr, &eb), &eb);
	ck_assert_str_eq(cr.token, "second-token");
	k8s_creds_clear(&cr);
	k8s_config_free(c);
	free(path);
	free(sub);
}
END_TEST

START_TEST(test_kubeconfig_list_merge)
{
	char *a = wfile("a", "clusters:\n- name: k\n  cluster: {server: 'https://first:1'}\n"
			     "users:\n- name: u\n  user: {token: from-a}\n");
	char *b = wfile("b", "current-context: ctx\n"
			     "clusters:\n- name: k\n  cluster: {server: 'https://second:2'}\n"
			     "contexts:\n- name: ctx\n  context: {cluster: k, user: u}\n");
	char *env = xasprintf("%s/missing:%s:%s", dir, a, b);
	struct k8s_config *c;

	setenv("KUBECONFIG", env, 1);
	c = load_ok(NULL, NULL);
	/* current-context from b, the context from b, cluster k and user u from a (first wins). */
	ck_assert_str_eq(c->context, "ctx");
	ck_assert_str_eq(c->server, "https://first:1");
	ck_assert_str_eq(c->token, "from-a");
	k8s_config_free(c);
	/* No KUBECONFIG: ~/.kube/config. */
	unsetenv("KUBECONFIG");
	load_fails(NULL, NULL, "/.kube/config: No such file or directory");
	free(a);
	free(b);
	free(env);
}
END_TEST

START_TEST(test_errors_name_file_context_key)
{
	char *p = wfile("bad", "current-context: c\nclusters:\n- name: k\n  cluster: {server: "
			       "'https://h:1', certificate-authority-data: '!!notbase64'}\n"
			       "- name: noserver\n  cluster: {insecure-skip-tls-verify: true}\n"
			       "contexts:\n- name: c\n  context: {cluster: k}\n"
			       "- name: ns\n  context: {cluster: noserver}\n"
			       "- name: halfcert\n  context: {cluster: noserver2, user: half}\n"
			       "- name: ap\n  context: {cluster: k2, user: ap}\n"
			       "- name: nouser\n  context: {cluster: k2, user: ghost}\n"
			       "- name: ex\n  context: {cluster: k2, user: ex}\n"
			       "- name: exi\n  context: {cluster: k2, user: exi}\n"
			       "- name: half\n  context: {cluster: k2, user: half}\n"
			       "users:\n- name: ap\n  user: {auth-provider: {name: gcp}}\n"
			       "- name: ex\n  user: {exec: {command: x, apiVersion: "
			       "client.authentication.k8s.io/v1alpha1}}\n"
			       "- name: exi\n  user: {exec: {command: x, apiVersion: "
			       "client.authentication.k8s.io/v1, interactiveMode: Always}}\n"
			       "- name: half\n  user: {client-certificate: c.crt}\n");
	char *k2 = wfile("k2", "clusters:\n- name: k2\n  cluster: {server: 'https://ok:1'}\n");
	char *list = xasprintf("%s:%s", p, k2);
	char *want;

	want = xasprintf("kubeconfig %s: context \"c\": cluster \"k\": "
			 "certificate-authority-data: not valid base64", p);
	load_fails(p, NULL, want);
	free(want);
	load_fails(p, "ns", "context \"ns\": cluster \"noserver\": server: missing");
	load_fails(p, "nope", "context \"nope\" not found");
	load_fails(p, "halfcert", "context \"halfcert\": cluster \"noserver2\" not found");
	setenv("KUBECONFIG", list, 1);
	load_fails(NULL, "ap", "context \"ap\": user \"ap\": auth-provider: not supported");
	load_fails(NULL, "nouser", "context \"nouser\": user \"ghost\" not found");
	load_fails(NULL, "ex", "user \"ex\": exec.apiVersion: not client.authentication.k8s.io/v1");
	load_fails(NULL, "exi", "exec.interactiveMode: Always needs a terminal");
	load_fails(NULL, "half", "user \"half\": client-key: missing");
	free(p);
	p = wfile("syntax", "clusters: [\n");
	load_fails(p, NULL, "kubeconfig ");
	load_fails(p, NULL, "/syntax:");
	free(p);
	free(k2);
	free(list);
}
END_TEST

/* A plugin that logs its argv, env and KUBERNETES_EXEC_INFO and prints an ExecCredential. */
static char *plugin(const char *status_json, int exit_code)
{
	char *text = xasprintf(
		"#!/bin/sh\necho \"$@ FOO=$FOO\" >>%s/plugin.log\n"
		"printf '%%s\\n' \"$KUBERNETES_EXEC_INFO\" >%s/exec_info\n"
		"cat <<'EOF'\n{\"apiVersion\":\"client.authentication.k8s.io/v1\","
		"\"kind\":\"ExecCredential\",\"status\":%s}\nEOF\nexit %d\n",
		dir, dir, status_json, exit_code);
	char *p = wfile("plugin.sh", text);

	chmod(p, 0755);
	free(text);
	return p;
}

static char *exec_kubeconfig(const char *extra)
{
	char *text = xasprintf(
		"current-context: c\nclusters:\n- name: k\n  cluster:\n    server: https://h:6443\n"
		"    certificate-authority-data: %s\n"
		"contexts:\n- name: c\n  context: {cluster: k, user: u}\n"
		"users:\n- name: u\n  user:\n    exec:\n      apiVersion: "
		"client.authentication.k8s.io/v1\n      command: ./plugin.sh\n"
		"      args: [get-token, --cluster, emu]\n      env:\n      - {name: FOO, value: bar}\n"
		"      interactiveMode: Never\n%s", "Q0EK", extra);
	char *p = wfile("kc", text);

	free(text);
	return p;
}

static char *slurp(const char *name)
{
	char *p = xasprintf("%s/%s", dir, name), buf[4096];
	FILE *f = fopen(p, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	free(p);
	return xstrdup(buf);
}

START_TEST(test_exec_plugin_cached_until_expiry)
{
	char tsbuf[64], *status, *kc, *log, *info;
	time_t later = time(NULL) + 3600;
	struct k8s_config *c;
	struct k8s_creds cr;
	struct sky_errbuf eb = { 0 };

	strftime(tsbuf, sizeof(tsbuf), "%Y-%m-%dT%H:%M:%SZ", gmtime(&later));
	status = xasprintf("{\"token\":\"exec-tok\",\"expirationTimestamp\":\"%s\"}", tsbuf);
	free(plugin(status, 0));
	kc = exec_kubeconfig("      provideClusterInfo: true\n");
	c = load_ok(kc, NULL);
	for (int i = 0; i < 3; i++) {
		ck_assert_ok(k8s_config_creds(c, false, &cr, &eb), &eb);
		ck_assert_str_eq(cr.token, "exec-tok");
		k8s_creds_clear(&cr);
	}
	ck_assert_uint_eq(c->exec_runs, 1);
	/* A 401 makes the client ask again. */
	ck_assert_ok(k8s_config_creds(c, true, &cr, &eb), &eb);
	k8s_creds_clear(&cr);
	ck_assert_uint_eq(c->exec_runs, 2);
	log = slurp("plugin.log");
	ck_assert_str_eq(log, "get-token --cluster emu FOO=bar\nget-token --cluster emu FOO=bar\n");
	info = slurp("exec_info");
	ck_assert_str_eq(info, "{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication."
			 "k8s.io/v1\",\"spec\":{\"interactive\":false,\"cluster\":{\"server\":"
			 "\"https://h:6443\",\"certificate-authority-data\":\"Q0EK\","
			 "\"insecure-skip-tls-verify\":false}}}\n");
	k8s_config_free(c);
	free(status);
	free(kc);
	free(log);
	free(info);
}
END_TEST

START_TEST(test_exec_plugin_expired_and_cert)
{
	char *kc, *info;
	struct k8s_config *c;
	struct k8s_creds cr;
	struct sky_errbuf eb = { 0 };

	/* Expired at once: every request runs the plugin again. Client cert, no token. */
	free(plugin("{\"clientCertificateData\":\"-----CERT\\n\",\"clientKeyData\":\"-----KEY\\n\","
		    "\"expirationTimestamp\":\"2020-01-01T00:00:00.5+01:00\"}", 0));
	kc = exec_kubeconfig("");
	c = load_ok(kc, NULL);
	for (int i = 0; i < 2; i++) {
		ck_assert_ok(k8s_config_creds(c, false, &cr, &eb), &eb);
		ck_assert_str_eq((char *)cr.cert.data, "-----CERT\n");
		ck_assert_str_eq((char *)cr.key.data, "-----KEY\n");
		ck_assert_ptr_null(cr.token);
		k8s_creds_clear(&cr);
	}
	ck_assert_uint_eq(c->exec_runs, 2);
	info = slurp("exec_info"); /* no provideClusterInfo: no cluster */
	ck_assert_str_eq(info, "{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication."
			 "k8s.io/v1\",\"spec\":{\"interactive\":false}}\n");
	k8s_config_free(c);
	free(info);
	free(kc);
}
END_TEST

static void exec_fails(const char *status, int exit_code, const char *msg)
{
	char *kc;
	struct k8s_config *c;
	struct k8s_creds cr;
	struct sky_errbuf eb = { 0 };

	free(plugin(status, exit_code));
	kc = exec_kubeconfig("");
	c = load_ok(kc, NULL);
	ck_assert_int_ne(k8s_config_creds(c, false, &cr, &eb), 0);
	ck_assert_msg(strstr(sky_err_msg(&eb), msg), "'%s' lacks '%s'", sky_err_msg(&eb), msg);
	ck_assert_ptr_null(cr.token);
	k8s_config_free(c);
	free(kc);
}

START_TEST(test_exec_plugin_failures)
{
	exec_fails("{\"token\":\"t\"}", 3, "plugin.sh exited with status 3");
	exec_fails("{}", 0, "status has neither token nor clientCertificateData");
	exec_fails("{\"token\":\"t\",\"expirationTimestamp\":\"tomorrow\"}", 0,
		   "bad expirationTimestamp \"tomorrow\"");
	exec_fails("{\"token\":\"t\"}}garbage", 0, "output is not an ExecCredential");
}
END_TEST

START_TEST(test_exec_plugin_missing)
{
	char *kc = wfile("kc", "current-context: c\nclusters: [{name: k, cluster: {server: "
			 "'https://h:1'}}]\ncontexts: [{name: c, context: {cluster: k, user: u}}]\n"
			 "users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, "
			 "command: no-such-plugin-k8s, installHint: 'apt install it'}}}]\n");
	struct k8s_config *c = load_ok(kc, NULL);
	struct k8s_creds cr;
	struct sky_errbuf eb = { 0 };
	char *want = xasprintf("kubeconfig %s: context \"c\": exec plugin no-such-plugin-k8s: No "
			       "such file or directory. apt install it", kc);

	ck_assert_int_eq(k8s_config_creds(c, false, &cr, &eb), SKY_E_AUTH);
	ck_assert_str_eq(sky_err_msg(&eb), want);
	ck_assert_uint_eq(c->exec_runs, 0);
	k8s_config_free(c);
	free(want);
	free(kc);
}
END_TEST

START_TEST(test_in_cluster)
{
	char *sa = xasprintf("%s/sa", dir);
	struct k8s_config *c = NULL;
	struct k8s_creds cr;
	struct sky_errbuf eb = { 0 };

	mkdir(sa, 0700);
	ck_assert_int_eq(k8s_config_in_cluster(sa, &c, &eb), SKY_E_CONFIG);
	ck_assert(strstr(sky_err_msg(&eb), "KUBERNETES_SERVICE_HOST"));
	setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	sky_err_clear(&eb);
	ck_assert_int_eq(k8s_config_in_cluster(sa, &c, &eb), SKY_E_CONFIG);
	ck_assert(strstr(sky_err_msg(&eb), "/sa/token"));
	free(unit_write_file(sa, "token", "sa-token-1\n"));
	free(unit_write_file(sa, "ca.crt", "CA\n"));
	free(unit_write_file(sa, "namespace", "batch"));
	ck_assert_ok(k8s_config_in_cluster(sa, &c, &eb), &eb);
	ck_assert_str_eq(c->server, "https://10.0.0.1:443");
	ck_assert_str_eq((char *)c->ca.data, "CA");
	ck_assert_str_eq(c->namespace, "batch");
	free(unit_write_file(sa, "token", "sa-token-2\n")); /* kubelet rotates it */
	ck_assert_ok(k8s_config_creds(c, false, &cr, &eb), &eb);
	ck_assert_str_eq(cr.token, "sa-token-2");
	k8s_creds_clear(&cr);
	k8s_config_free(c);
	setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
	ck_assert_ok(k8s_config_in_cluster(sa, &c, &eb), &eb);
	ck_assert_str_eq(c->server, "https://[fd00::1]:443");
	k8s_config_free(c);
	free(sa);
}
END_TEST

START_TEST(test_rfc3339)
{
	ck_assert_int_eq(k8s_parse_rfc3339("1970-01-01T00:00:10Z"), 10);
	ck_assert_int_eq(k8s_parse_rfc3339("2026-11-22T17:00:00Z"), 1795366800);
	ck_assert_int_eq(k8s_parse_rfc3339("2026-11-22T18:00:00.123+01:00"), 1795366800);
	ck_assert_int_eq(k8s_parse_rfc3339("2026-11-22T16:30:00-00:30"), 1795366800);
	ck_assert_int_eq(k8s_parse_rfc3339("2026-11-22 17:00:00Z"), -1);
	ck_assert_int_eq(k8s_parse_rfc3339("2026-11-22T17:00:00"), -1);
	ck_assert_int_eq(k8s_parse_rfc3339("2026-11-22T17:00:00Zjunk"), -1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("k8s_config");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_data_fields_and_contexts);
	tcase_add_test(tc, test_files_relative_and_token_file);
	tcase_add_test(tc, test_kubeconfig_list_merge);
	tcase_add_test(tc, test_errors_name_file_context_key);
	tcase_add_test(tc, test_exec_plugin_cached_until_expiry);
	tcase_add_test(tc, test_exec_plugin_expired_and_cert);
	tcase_add_test(tc, test_exec_plugin_failures);
	tcase_add_test(tc, test_exec_plugin_missing);
	tcase_add_test(tc, test_in_cluster);
	tcase_add_test(tc, test_rfc3339);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(suite());
}
