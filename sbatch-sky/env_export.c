/* env_export.c: see env_export.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "env_export.h"
#include "xalloc.h"

static size_t name_len(const char *entry)
{
	const char *eq = strchr(entry, '=');
	return eq ? (size_t)(eq - entry) : strlen(entry);
}

/* Put a complete "NAME=value" entry (copied), replacing one with the same name. */
static void env_put(char ***env, size_t *n, const char *entry)
{
	size_t len = name_len(entry);

	for (size_t i = 0; i < *n; i++) {
		if (name_len((*env)[i]) == len && !strncmp((*env)[i], entry, len)) {
			free((*env)[i]);
			(*env)[i] = xstrdup(entry);
			return;
		}
	}
	*env = xrealloc(*env, (*n + 2) * sizeof(char *));
	(*env)[(*n)++] = xstrdup(entry);
	(*env)[*n] = NULL;
}

void env_set(char ***env, size_t *n, const char *name, const char *value)
{
	char *e = xasprintf("%s=%s", name, value);
	env_put(env, n, e);
	free(e);
}

const char *env_get(char *const *env, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; env && env[i]; i++)
		if (!strncmp(env[i], name, len) && env[i][len] == '=')
			return env[i] + len + 1;
	return NULL;
}

void env_free(char **env, size_t n)
{
	if (!env)
		return;
	for (size_t i = 0; i < n; i++)
		free(env[i]);
	free(env);
}

static void merge_all(char ***out, size_t *n, char *const *env, bool slurm_only)
{
	for (size_t i = 0; env && env[i]; i++) {
		if (!strchr(env[i], '='))
			continue;
		if (slurm_only && strncmp(env[i], "SLURM_", 6))
			continue;
		env_put(out, n, env[i]);
	}
}

/* "B=v" from an --export item; v loses one pair of surrounding quotes. */
static void put_assignment(char ***out, size_t *n, const char *item)
{
	size_t len = name_len(item);
	const char *v = item + len + 1;
	size_t vlen = strlen(v);
	char *name = xstrndup(item, len), *val;

	if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') && v[vlen - 1] == v[0])
		val = xstrndup(v + 1, vlen - 2);
	else
		val = xstrdup(v);
	env_set(out, n, name, val);
	free(name);
	free(val);
}

/* Split spec at commas outside quotes (a value may hold commas when quoted). */
static char *next_item(const char **pp)
{
	const char *p = *pp, *start = p;
	char q = 0;

	while (*p && (q || *p != ',')) {
		if (q && *p == q)
			q = 0;
		else if (!q && (*p == '"' || *p == '\''))
			q = *p;
		p++;
	}
	*pp = *p ? p + 1 : p;
	return xstrndup(start, (size_t)(p - start));
}

int env_export_build(const char *spec, char *const *env, char ***out, size_t *n,
		     bool *get_user_env, struct sky_errbuf *eb)
{
	const char *p;
	bool all = false;

	(void)eb;
	*out = xcalloc(1, sizeof(char *));
	*n = 0;
	*get_user_env = false;
	if (!spec || !strcasecmp(spec, "ALL")) {
		merge_all(out, n, env, false);
		return 0;
	}
	if (!strcasecmp(spec, "NONE") || !strcasecmp(spec, "NIL")) {
		merge_all(out, n, env, true);
		*get_user_env = !strcasecmp(spec, "NONE");
		return 0;
	}
	for (p = spec; *p;) {
		char *item = next_item(&p);

		if (!strcasecmp(item, "ALL")) {
			merge_all(out, n, env, false);
			all = true;
		} else if (strchr(item, '=')) {
			put_assignment(out, n, item);
		} else if (*item) {
			const char *v = env_get(env, item);
			if (v)
				env_set(out, n, item, v);
		}
		free(item);
	}
	merge_all(out, n, env, true);
	*get_user_env = !all;
	return 0;
}
