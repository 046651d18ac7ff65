/* aws_creds.c: see aws_creds.h. */
#include "config.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws_creds.h"
#include "xalloc.h"

/* A key we want from one section of an INI-style AWS file. */
struct ini_want {
	const char *key;
	char *value; /* out: caller frees */
	int line;    /* out: where it was set */
};

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* The section name a "[...]" line names in this kind of file, or NULL when
 * the section is one the AWS tools ignore (a bare "[x]" in the config file
 * that is not "[default]"). Caller frees. */
static char *section_name(char *inner, bool config_file)
{
	inner = trim(inner);
	if (!config_file || !strcmp(inner, "default"))
		return xstrdup(inner);
	if (!strncmp(inner, "profile", 7) && (inner[7] == ' ' || inner[7] == '\t'))
		return xstrdup(trim(inner + 8));
	return NULL;
}

/* One line of the file, already trimmed; updates *in_section. */
static int ini_line(const char *path, int lineno, char *raw, const char *section, bool config_file,
		    bool *in_section, bool *nested, bool *found, struct ini_want *want, size_t n_want,
		    struct sky_errbuf *eb)
{
	char *s = trim(raw), *eq, *key, *val;
	size_t i;

	if (!*s || *s == '#' || *s == ';')
		return 0;
	/* Indented lines after "key =" are a nested block (s3 = ...): skip. */
	if (*nested && (raw[0] == ' ' || raw[0] == '\t'))
		return 0;
	*nested = false;
	if (*s == '[') {
		char *end = strchr(s, ']'), *name;

		if (!end || end[1])
			return sky_err_set(eb, SKY_E_CONFIG, "%s:%d: unterminated section header '%s'",
					   path, lineno, s);
		*end = '\0';
		name = section_name(s + 1, config_file);
		*in_section = name && !strcmp(name, section);
		if (*in_section)
			*found = true;
		free(name);
		return 0;
	}
	eq = strchr(s, '=');
	if (!eq)
		return sky_err_set(eb, SKY_E_CONFIG, "%s:%d: expected 'key = value' or '[section]'",
				   path, lineno);
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (!*key)
		return sky_err_set(eb, SKY_E_CONFIG, "%s:%d: a value with no key", path, lineno);
	if (!*val) {
		*nested = true;
		return 0;
	}
	if (!*in_section)
		return 0;
	for (i = 0; i < n_want; i++) {
		if (!strcmp(key, want[i].key)) {
			if (want[i].value)
				OPENSSL_cleanse(want[i].value, strlen(want[i].value));
			free(want[i].value);
			want[i].value = xstrdup(val);
			want[i].line = lineno;
		}
	}
	return 0;
}

/*
 * Read the wanted keys of [section] from path. *found says whether the
 * section exists. A missing file is SKY_E_NOT_FOUND (no message), so a
 * caller decides whether that matters.
 */
static int ini_read(const char *path, const char *section, bool config_file, struct ini_want *want,
		    size_t n_want, bool *found, struct sky_errbuf *eb)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	bool in_section = false, nested = false;
	int lineno = 0, rc = 0;

	*found = false;
	if (!f) {
		if (errno == ENOENT)
			return SKY_E_NOT_FOUND;
		return sky_err_set(eb, SKY_E_CONFIG, "%s: %s", path, strerror(errno));
	}
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		rc = ini_line(path, lineno, line, section, config_file, &in_section, &nested, found,
			      want, n_want, eb);
		if (rc)
			break;
	}
	if (line) {
		OPENSSL_cleanse(line, cap);
		free(line);
	}
	fclose(f);
	return rc;
}

static void wipe_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static char *home_file(const char *rel)
{
	const char *home = env_nonempty("HOME");
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (!home && !getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res) && res)
		home = res->pw_dir;
	return xasprintf("%s/%s", home ? home : "", rel);
}

/* The explicit file named by env_var, else ~/rel. Sets *explicit. */
static char *aws_file(const char *env_var, const char *rel, bool *explicit)
{
	const char *v = env_nonempty(env_var);

	*explicit = v != NULL;
	return v ? xstrdup(v) : home_file(rel);
}

/* Keys from one file's profile section; 0 with c->access_key unset when the
 * file or section has none. */
static int keys_from_file(struct aws_creds *c, const char *env_var, const char *rel,
			  bool config_file, struct sky_errbuf *eb)
{
	struct ini_want w[] = { { "aws_access_key_id", NULL, 0 },
				{ "aws_secret_access_key", NULL, 0 },
				{ "aws_session_token", NULL, 0 } };
	bool explicit, found;
	char *path = aws_file(env_var, rel, &explicit);
	int rc = ini_read(path, c->profile, config_file, w, 3, &found, eb);

	if (rc == SKY_E_NOT_FOUND) {
		rc = explicit ? sky_err_set(eb, SKY_E_CONFIG, "%s=%s: no such file", env_var, path) : 0;
		goto out;
	}
	if (rc)
		goto out;
	if (!found || (!w[0].value && !w[1].value))
		goto out;
	if (!w[0].value || !w[1].value) {
		rc = sky_err_set(eb, SKY_E_CONFIG, "%s:%d: profile '%s' has %s but no %s", path,
				 w[0].value ? w[0].line : w[1].line, c->profile,
				 w[0].value ? "aws_access_key_id" : "aws_secret_access_key",
				 w[0].value ? "aws_secret_access_key" : "aws_access_key_id");
		goto out;
	}
	c->access_key = w[0].value;
	c->secret_key = w[1].value;
	c->session_token = w[2].value;
	w[0].value = w[1].value = w[2].value = NULL;
	c->source = xasprintf("%s [%s]", path, c->profile);
out:
	wipe_free(w[0].value);
	wipe_free(w[1].value);
	wipe_free(w[2].value);
	free(path);
	return rc;
}

static int resolve_keys(const struct aws_creds_opts *o, struct aws_creds *c, bool profile_explicit,
			struct sky_errbuf *eb)
{
	const char *ak, *sk;
	int rc;

	if (o->access_key || o->secret_key) {
		if (!o->access_key || !o->secret_key)
			return sky_err_set(eb, SKY_E_CONFIG,
					   "AWS credentials: the configuration gives %s but not %s",
					   o->access_key ? "an access key" : "a secret key",
					   o->access_key ? "its secret key" : "its access key");
		c->access_key = xstrdup(o->access_key);
		c->secret_key = xstrdup(o->secret_key);
		c->session_token = xstrdup(o->session_token);
		c->source = xstrdup("config");
		return 0;
	}
	ak = env_nonempty("AWS_ACCESS_KEY_ID");
	sk = env_nonempty("AWS_SECRET_ACCESS_KEY");
	if (ak || sk) {
		if (!ak || !sk)
			return sky_err_set(eb, SKY_E_CONFIG, "AWS credentials: %s is set but %s is not",
					   ak ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
					   ak ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
		c->access_key = xstrdup(ak);
		c->secret_key = xstrdup(sk);
		c->session_token = xstrdup(env_nonempty("AWS_SESSION_TOKEN"));
		c->source = xstrdup("environment");
		return 0;
	}
	rc = keys_from_file(c, "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials", false, eb);
	if (!rc && !c->access_key)
		rc = keys_from_file(c, "AWS_CONFIG_FILE", ".aws/config", true, eb);
	if (rc || c->access_key)
		return rc;
	if (profile_explicit) {
		bool explicit;
		char *path = aws_file("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials", &explicit);

		rc = sky_err_set(eb, SKY_E_CONFIG, "no AWS credentials for profile '%s' in %s",
				 c->profile, path);
		free(path);
		return rc;
	}
	return sky_err_set(eb, SKY_E_CONFIG,
			   "no AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or "
			   "create ~/.aws/credentials");
}

static int resolve_region(const struct aws_creds_opts *o, struct aws_creds *c,
			  struct sky_errbuf *eb)
{
	struct ini_want w = { "region", NULL, 0 };
	const char *v = o->region ? o->region : env_nonempty("AWS_REGION");
	bool explicit, found;
	char *path;
	int rc;

	if (!v)
		v = env_nonempty("AWS_DEFAULT_REGION");
	if (v) {
		c->region = xstrdup(v);
		return 0;
	}
	path = aws_file("AWS_CONFIG_FILE", ".aws/config", &explicit);
	rc = ini_read(path, c->profile, true, &w, 1, &found, eb);
	if (rc == SKY_E_NOT_FOUND)
		rc = explicit ? sky_err_set(eb, SKY_E_CONFIG, "AWS_CONFIG_FILE=%s: no such file", path)
			      : 0;
	free(path);
	c->region = w.value; /* may stay NULL: a caller may name regions itself */
	return rc;
}

static int check_url(const char *what, const char *url, struct sky_errbuf *eb)
{
	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
		return sky_err_set(eb, SKY_E_CONFIG, "%s '%s' is not an http:// or https:// URL",
				   what, url);
	return 0;
}

static int resolve_endpoint(const struct aws_creds_opts *o, struct aws_creds *c,
			    struct sky_errbuf *eb)
{
	const char *what = "endpoint", *v = o->endpoint;
	size_t n;

	if (!v && (v = env_nonempty("AWS_ENDPOINT_URL_EC2")))
		what = "AWS_ENDPOINT_URL_EC2";
	if (!v && (v = env_nonempty("AWS_ENDPOINT_URL")))
		what = "AWS_ENDPOINT_URL";
	if (!v)
		return 0;
	if (check_url(what, v, eb))
		return SKY_E_CONFIG;
	c->endpoint = xstrdup(v);
	n = strlen(c->endpoint);
	while (n > 0 && c->endpoint[n - 1] == '/')
		c->endpoint[--n] = '\0';
	return 0;
}

int aws_creds_resolve(const struct aws_creds_opts *o, struct aws_creds **out,
		      struct sky_errbuf *eb)
{
	static const struct aws_creds_opts none = { 0 };
	struct aws_creds *c = xmalloc(sizeof(*c));
	const char *profile;
	bool profile_explicit = true;
	int rc;

	*out = NULL;
	if (!o)
		o = &none;
	profile = o->profile ? o->profile : env_nonempty("AWS_PROFILE");
	if (!profile) {
		profile = "default";
		profile_explicit = false;
	}
	c->profile = xstrdup(profile);
	rc = resolve_keys(o, c, profile_explicit, eb);
	if (!rc)
		rc = resolve_region(o, c, eb);
	if (!rc)
		rc = resolve_endpoint(o, c, eb);
	if (rc) {
		aws_creds_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

struct aws_creds *aws_creds_dup(const struct aws_creds *c)
{
	struct aws_creds *d = xmalloc(sizeof(*d));

	d->access_key = xstrdup(c->access_key);
	d->secret_key = xstrdup(c->secret_key);
	d->session_token = xstrdup(c->session_token);
	d->region = xstrdup(c->region);
	d->endpoint = xstrdup(c->endpoint);
	d->profile = xstrdup(c->profile);
	d->source = xstrdup(c->source);
	return d;
}

char *aws_creds_endpoint(const struct aws_creds *c, const char *region)
{
	if (c->endpoint)
		return xstrdup(c->endpoint);
	return xasprintf("https://ec2.%s.amazonaws.com", region ? region : "us-east-1");
}

void aws_creds_free(struct aws_creds *c)
{
	if (!c)
		return;
	wipe_free(c->access_key);
	wipe_free(c->secret_key);
	wipe_free(c->session_token);
	free(c->region);
	free(c->endpoint);
	free(c->profile);
	free(c->source);
	free(c);
}
