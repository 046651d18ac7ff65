/*
 * k8s_exec.c: the credentials of each request (k8s_config_creds): static
 * ones from the kubeconfig, the token file re-read, and exec credential
 * plugins run and cached until their expirationTimestamp.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "k8s_config.h"
#include "log.h"
#include "xalloc.h"

extern char **environ;

/* Refresh this long before the plugin's expiry, so no request carries a
 * credential that dies in flight. */
#define EXPIRY_MARGIN_SECS 10
#define PLUGIN_MAX_OUTPUT (1L << 20)

time_t k8s_parse_rfc3339(const char *s)
{
	struct tm tm = { 0 };
	int n = 0, oh = 0, om = 0;
	char sign;
	time_t t;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			 &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 || n != 19)
		return -1;
	s += n;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (*s == 'Z' || *s == 'z')
		return s[1] ? -1 : t;
	sign = *s;
	if ((sign != '+' && sign != '-') || sscanf(s + 1, "%2d:%2d%n", &oh, &om, &n) != 2 || s[1 + n])
		return -1;
	return sign == '+' ? t - (oh * 3600 + om * 60) : t + (oh * 3600 + om * 60);
}

/* environ without the names set below, then "NAME=value" of extra, then info. */
static char **plugin_env(const struct k8s_exec *e, const char *info)
{
	size_t n = 0, ne = 0, w = 0;
	char **v;

	while (environ[n])
		n++;
	while (e->env[ne])
		ne++;
	v = xcalloc(n + ne + 2, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t len = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
		bool shadowed = !strncmp(environ[i], "KUBERNETES_EXEC_INFO=", 21);
		for (size_t j = 0; j < ne && !shadowed; j++)
			shadowed = !strncmp(e->env[j], environ[i], len) && e->env[j][len] == '=';
		if (!shadowed)
			v[w++] = environ[i];
	}
	for (size_t j = 0; j < ne; j++)
		v[w++] = e->env[j];
	v[w++] = (char *)info;
	v[w] = NULL;
	return v;
}

static char *exec_info(const struct k8s_exec *e)
{
	char *spec = e->cluster_info ? xasprintf("{\"interactive\":false,\"cluster\":%s}",
						 e->cluster_info)
				     : xstrdup("{\"interactive\":false}");
	char *s = xasprintf("KUBERNETES_EXEC_INFO={\"kind\":\"ExecCredential\",\"apiVersion\":"
			    "\"%s\",\"spec\":%s}", e->api_version, spec);

	free(spec);
	return s;
}

/* Read fd to EOF or the deadline; false on timeout or overflow. */
static bool read_all(int fd, time_t deadline, char **out, size_t *len)
{
	size_t n = 0, cap = 4096;
	char *buf = xmalloc(cap + 1);

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = (long)(deadline - time(NULL));
		ssize_t got;

		if (left <= 0 || poll(&p, 1, (int)(left * 1000)) == 0)
			break;
		if (n == cap) {
			if (cap >= (size_t)PLUGIN_MAX_OUTPUT)
				break;
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			buf[n] = '\0';
			*out = buf;
			*len = n;
			return got == 0;
		}
		n += (size_t)got;
	}
	free(buf);
	return false;
}

/* Run the plugin; its stdout into *out (caller frees). */
static int plugin_run(struct k8s_config *c, char **out, struct sky_errbuf *eb)
{
	const struct k8s_exec *e = c->exec;
	posix_spawn_file_actions_t fa;
	char *info = exec_info(e), **env = plugin_env(e, info);
	int fds[2], st = 0, rc = 0, err;
	size_t len = 0;
	pid_t pid;
	bool done;

	*out = NULL;
	if (pipe2(fds, O_CLOEXEC)) {
		rc = sky_err_set(eb, SKY_E_IO, "exec plugin %s: pipe: %s", e->command,
				 strerror(errno));
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	err = posix_spawnp(&pid, e->command, &fa, NULL, e->argv, env);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (err) {
		close(fds[0]);
		rc = sky_err_set(eb, SKY_E_AUTH, "kubeconfig %s: context \"%s\": exec plugin %s: "
				 "%s%s%s", c->origin, c->context ? c->context : "", e->command,
				 strerror(err), e->install_hint ? ". " : "",
				 e->install_hint ? e->install_hint : "");
		goto out;
	}
	c->exec_runs++;
	done = read_all(fds[0], time(NULL) + e->timeout_secs, out, &len);
	close(fds[0]);
	if (!done)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!done)
		rc = sky_err_set(eb, SKY_E_TIMEOUT, "exec plugin %s: no complete answer within %d s",
				 e->command, e->timeout_secs);
	else if (WIFEXITED(st) && WEXITSTATUS(st))
		rc = sky_err_set(eb, SKY_E_AUTH, "exec plugin %s exited with status %d",
				 e->command, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		rc = sky_err_set(eb, SKY_E_AUTH, "exec plugin %s killed by signal %d", e->command,
				 WTERMSIG(st));
	if (rc)
		FREE_NULL(*out);
out:
	free(env);
	free(info);
	return rc;
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static void blob_set(struct k8s_blob *b, const char *s)
{
	b->len = strlen(s);
	b->data = (uint8_t *)xstrdup(s);
}

/* The one JSON value of text, nothing but white space after it; NULL if not. */
static json_object *parse_whole(const char *text)
{
	json_tokener *tok = json_tokener_new();
	size_t len = strlen(text), end;
	json_object *o = json_tokener_parse_ex(tok, text, (int)len);

	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	while (end < len && strchr(" \t\r\n", text[end]))
		end++;
	if (o && end < len) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

/* Parse an ExecCredential into c->cache. */
static int plugin_parse(struct k8s_config *c, const char *text, struct sky_errbuf *eb)
{
	const char *cmd = c->exec->command, *api, *tok, *cert, *key, *exp;
	json_object *o = parse_whole(text), *st = NULL;
	int rc = 0;

	api = jstr(o, "apiVersion");
	if (!o || !json_object_is_type(o, json_type_object) ||
	    strcmp(jstr(o, "kind") ? jstr(o, "kind") : "", "ExecCredential")) {
		rc = sky_err_set(eb, SKY_E_AUTH, "exec plugin %s: output is not an ExecCredential",
				 cmd);
		goto out;
	}
	if (!api || strcmp(api, c->exec->api_version)) {
		rc = sky_err_set(eb, SKY_E_AUTH, "exec plugin %s: apiVersion \"%s\", kubeconfig "
				 "asked for \"%s\"", cmd, api ? api : "", c->exec->api_version);
		goto out;
	}
	json_object_object_get_ex(o, "status", &st);
	tok = jstr(st, "token");
	cert = jstr(st, "clientCertificateData");
	key = jstr(st, "clientKeyData");
	exp = jstr(st, "expirationTimestamp");
	if (!tok && !(cert && key)) {
		rc = sky_err_set(eb, SKY_E_AUTH, "exec plugin %s: status has neither token nor "
				 "clientCertificateData and clientKeyData", cmd);
		goto out;
	}
	if (exp && k8s_parse_rfc3339(exp) < 0) {
		rc = sky_err_set(eb, SKY_E_AUTH, "exec plugin %s: bad expirationTimestamp \"%s\"",
				 cmd, exp);
		goto out;
	}
	k8s_creds_clear(&c->cache);
	c->cache.token = xstrdup(tok);
	if (cert && key) {
		blob_set(&c->cache.cert, cert);
		blob_set(&c->cache.key, key);
	}
	c->cache_expiry = exp ? k8s_parse_rfc3339(exp) : 0;
	c->cache_valid = true;
out:
	json_object_put(o);
	return rc;
}

static bool cache_fresh(const struct k8s_config *c)
{
	return c->cache_valid && (!c->cache_expiry ||
				  time(NULL) + EXPIRY_MARGIN_SECS < c->cache_expiry);
}

static void blob_copy(struct k8s_blob *dst, const struct k8s_blob *src)
{
	if (!src->len)
		return;
	dst->data = xmalloc(src->len + 1);
	memcpy(dst->data, src->data, src->len);
	dst->len = src->len;
}

/* The kubeconfig's own credentials; the token file read now. */
static int static_creds(const struct k8s_config *c, struct k8s_creds *out, struct sky_errbuf *eb)
{
	out->token = xstrdup(c->token);
	if (!out->token && c->token_file) {
		FILE *fp = fopen(c->token_file, "r");
		char buf[16384];
		size_t n;
		if (!fp)
			return sky_err_set(eb, SKY_E_AUTH, "%s: context \"%s\": tokenFile %s: %s",
					   c->origin, c->context ? c->context : "", c->token_file,
					   strerror(errno));
		n = fread(buf, 1, sizeof(buf) - 1, fp);
		fclose(fp);
		while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
			n--;
		buf[n] = '\0';
		out->token = xstrdup(buf);
	}
	blob_copy(&out->cert, &c->cert);
	blob_copy(&out->key, &c->key);
	out->cert_file = xstrdup(c->cert_file);
	out->key_file = xstrdup(c->key_file);
	out->username = xstrdup(c->username);
	out->password = xstrdup(c->password);
	return 0;
}

int k8s_config_creds(struct k8s_config *c, bool refresh, struct k8s_creds *out,
		     struct sky_errbuf *eb)
{
	char *text = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&c->lock);
	rc = static_creds(c, out, eb);
	if (rc || !c->exec)
		goto out;
	if (refresh || !cache_fresh(c)) {
		c->cache_valid = false;
		rc = plugin_run(c, &text, eb);
		if (!rc)
			rc = plugin_parse(c, text, eb);
		free(text);
		if (rc)
			goto out;
		log_debug("k8s: exec plugin %s gave a credential%s", c->exec->command,
			  c->cache_expiry ? " with an expiry" : "");
	}
	/* The plugin's answer replaces what the kubeconfig says. */
	if (c->cache.token) {
		free(out->token);
		out->token = xstrdup(c->cache.token);
	}
	if (c->cache.cert.len) {
		k8s_creds_clear(out);
		out->token = xstrdup(c->cache.token);
		blob_copy(&out->cert, &c->cache.cert);
		blob_copy(&out->key, &c->cache.key);
	}
out:
	pthread_mutex_unlock(&c->lock);
	if (rc)
		k8s_creds_clear(out);
	return rc;
}
