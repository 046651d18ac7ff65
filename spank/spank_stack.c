/* spank_stack.c: see spank_stack.h. */
#include "config.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"
#include "spank_int.h"
#include "xalloc.h"

#ifndef SKY_PKGLIBDIR
#define SKY_PKGLIBDIR "/usr/local/lib/slurm-sky"
#endif
#define MAX_INCLUDE_DEPTH 8

static const char *const hook_names[SPANK_HOOK__COUNT] = {
	[SPANK_HOOK_INIT] = "slurm_spank_init",
	[SPANK_HOOK_INIT_POST_OPT] = "slurm_spank_init_post_opt",
	[SPANK_HOOK_LOCAL_USER_INIT] = "slurm_spank_local_user_init",
	[SPANK_HOOK_USER_INIT] = "slurm_spank_user_init",
	[SPANK_HOOK_TASK_INIT_PRIVILEGED] = "slurm_spank_task_init_privileged",
	[SPANK_HOOK_TASK_INIT] = "slurm_spank_task_init",
	[SPANK_HOOK_TASK_POST_FORK] = "slurm_spank_task_post_fork",
	[SPANK_HOOK_TASK_EXIT] = "slurm_spank_task_exit",
	[SPANK_HOOK_JOB_PROLOG] = "slurm_spank_job_prolog",
	[SPANK_HOOK_JOB_EPILOG] = "slurm_spank_job_epilog",
	[SPANK_HOOK_SLURMD_EXIT] = "slurm_spank_slurmd_exit",
	[SPANK_HOOK_EXIT] = "slurm_spank_exit",
};

/* The value of Key= in a slurm.conf line (key case-insensitive), or NULL. Caller frees. */
static char *conf_line_value(const char *line, const char *key)
{
	size_t klen = strlen(key);
	const char *p = line;

	while (*p) {
		size_t len;

		while (isspace((unsigned char)*p))
			p++;
		len = strcspn(p, " \t\r\n");
		if (len > klen && p[klen] == '=' && strncasecmp(p, key, klen) == 0) {
			const char *v = p + klen + 1;
			size_t vlen = len - klen - 1;
			if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
				v++;
				vlen -= 2;
			}
			return xstrndup(v, vlen);
		}
		p += len;
	}
	return NULL;
}

char *spank_plugstack_path(const char *slurm_conf, char **plugin_dir)
{
	FILE *f;
	char *line = NULL, *stack = NULL, *copy;
	size_t cap = 0;

	*plugin_dir = NULL;
	if (!slurm_conf || !*slurm_conf)
		return NULL;
	if ((f = fopen(slurm_conf, "re"))) {
		while (getline(&line, &cap, f) > 0) {
			char *hash = strchr(line, '#'), *v;

			if (hash)
				*hash = '\0';
			if ((v = conf_line_value(line, "PlugStackConfig"))) {
				free(stack);
				stack = v;
			}
			if ((v = conf_line_value(line, "PluginDir"))) {
				free(*plugin_dir);
				*plugin_dir = v;
			}
		}
		free(line);
		fclose(f);
	}
	if (stack)
		return stack;
	copy = xstrdup(slurm_conf);
	stack = xasprintf("%s/plugstack.conf", dirname(copy));
	free(copy);
	return stack;
}

/* path itself when absolute, else the first PluginDir entry that has it. Caller frees. */
static char *find_plugin(const char *path, const char *plugin_dir)
{
	const char *dirs = plugin_dir && *plugin_dir ? plugin_dir : SKY_PKGLIBDIR;
	const char *p = dirs;
	char *first = NULL;

	if (path[0] == '/')
		return xstrdup(path);
	while (*p) {
		size_t len = strcspn(p, ":");
		char *cand = xasprintf("%.*s/%s", (int)len, p, path);

		if (access(cand, R_OK) == 0) {
			free(first);
			return cand;
		}
		if (!first)
			first = cand;
		else
			free(cand);
		p += len;
		if (*p == ':')
			p++;
	}
	return first ? first : xstrdup(path);
}

static int load_plugin(struct spank_stack *st, const char *path, bool required, char **av,
		       int ac, const char *where, struct sky_errbuf *eb)
{
	struct spank_plugin pl;
	const char *type, *name;

	memset(&pl, 0, sizeof(pl));
	/* RTLD_GLOBAL off: plugins must not see each other's private symbols. */
	pl.dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!pl.dl) {
		if (required)
			return sky_err_set(eb, SKY_E_LAUNCH, "spank: %s: required plugin not loaded: %s",
					   where, dlerror());
		log_error("spank: %s: optional plugin not loaded: %s", where, dlerror());
		return 0;
	}
	type = dlsym(pl.dl, "plugin_type");
	name = dlsym(pl.dl, "plugin_name");
	if (!type || !name || strcmp(type, "spank") != 0) {
		dlclose(pl.dl);
		if (required)
			return sky_err_set(eb, SKY_E_LAUNCH,
					   "spank: %s: %s is not a SPANK plugin (no SPANK_PLUGIN())",
					   where, path);
		log_error("spank: %s: %s is not a SPANK plugin; skipped", where, path);
		return 0;
	}
	pl.path = xstrdup(path);
	pl.name = xstrdup(name);
	pl.required = required;
	pl.ac = ac;
	pl.av = xcalloc((size_t)ac + 1, sizeof(char *));
	for (int i = 0; i < ac; i++)
		pl.av[i] = xstrdup(av[i]);
	for (int h = 0; h < SPANK_HOOK__COUNT; h++)
		*(void **)&pl.hooks[h] = dlsym(pl.dl, hook_names[h]);
	st->plugins = xrealloc(st->plugins, (st->n_plugins + 1) * sizeof(*st->plugins));
	st->plugins[st->n_plugins++] = pl;
	log_debug("spank: loaded %s plugin %s (%s)", required ? "required" : "optional", pl.name,
		  path);
	return 0;
}

static int parse_file(struct spank_stack *st, const char *file, const char *plugin_dir,
		      int depth, struct sky_errbuf *eb);

static int do_include(struct spank_stack *st, const char *file, const char *pat,
		      const char *plugin_dir, int depth, struct sky_errbuf *eb)
{
	char *copy = xstrdup(file), *full;
	glob_t g;
	int rc = 0;

	full = pat[0] == '/' ? xstrdup(pat) : xasprintf("%s/%s", dirname(copy), pat);
	free(copy);
	memset(&g, 0, sizeof(g));
	if (glob(full, 0, NULL, &g) == 0)
		for (size_t i = 0; i < g.gl_pathc && !rc; i++)
			rc = parse_file(st, g.gl_pathv[i], plugin_dir, depth + 1, eb);
	globfree(&g);
	free(full);
	return rc;
}

/* Split a line into whitespace-separated words (in place). Returns the count. */
static int split_words(char *line, char **w, int max)
{
	int n = 0;
	char *p = line;

	while (*p && n < max) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		w[n++] = p;
		p += strcspn(p, " \t\r\n");
		if (*p)
			*p++ = '\0';
	}
	return n;
}

static int parse_file(struct spank_stack *st, const char *file, const char *plugin_dir,
		      int depth, struct sky_errbuf *eb)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, rc = 0;

	if (depth > MAX_INCLUDE_DEPTH)
		return sky_err_set(eb, SKY_E_CONFIG, "spank: %s: includes nested too deeply", file);
	if (!(f = fopen(file, "re"))) {
		if (errno == ENOENT && depth == 0)
			return 0;
		return sky_err_set(eb, SKY_E_CONFIG, "spank: cannot read %s: %s", file,
				   strerror(errno));
	}
	while (!rc && getline(&line, &cap, f) > 0) {
		char *w[64], *hash = strchr(line, '#'), *where;
		int n;

		lineno++;
		if (hash)
			*hash = '\0';
		if ((n = split_words(line, w, 64)) == 0)
			continue;
		where = xasprintf("%s:%d", file, lineno);
		if (strcmp(w[0], "include") == 0 && n == 2) {
			rc = do_include(st, file, w[1], plugin_dir, depth, eb);
		} else if ((strcmp(w[0], "required") == 0 || strcmp(w[0], "optional") == 0) && n >= 2) {
			char *path = find_plugin(w[1], plugin_dir);
			rc = load_plugin(st, path, w[0][0] == 'r', w + 2, n - 2, where, eb);
			free(path);
		} else {
			rc = sky_err_set(eb, SKY_E_CONFIG,
					 "spank: %s: expected 'required|optional PATH [ARGS]' or 'include GLOB'",
					 where);
		}
		free(where);
	}
	free(line);
	fclose(f);
	return rc;
}

int spank_stack_load(const char *plugstack, const char *plugin_dir, int ctx,
		     struct spank_stack **out, struct sky_errbuf *eb)
{
	struct spank_stack *st = xmalloc(sizeof(*st));
	int rc;

	*out = NULL;
	st->ctx = ctx;
	if (!plugstack || !*plugstack) {
		free(st);
		return 0;
	}
	if ((rc = parse_file(st, plugstack, plugin_dir, 0, eb))) {
		spank_stack_free(st, false);
		return rc;
	}
	if (st->n_plugins == 0) {
		spank_stack_free(st, false);
		return 0;
	}
	*out = st;
	return 0;
}

void spank_stack_set_task(struct spank_stack *st, const struct spank_task *task, char ***envp)
{
	if (!st)
		return;
	st->task = task;
	st->envp = envp;
}

/* The static spank_options[] table works in local and remote context only (spank(8)). */
static void register_table(struct spank_stack *st, size_t p)
{
	struct spank_option *tab;

	if (st->ctx != S_CTX_LOCAL && st->ctx != S_CTX_REMOTE)
		return;
	tab = dlsym(st->plugins[p].dl, "spank_options");
	for (; tab && tab->name; tab++)
		(void)spank_api_register(st, p, tab);
}

int spank_stack_call(struct spank_stack *st, enum spank_hook hook, struct sky_errbuf *eb)
{
	struct spank_stack *prev;
	int rc = 0;

	if (!st)
		return 0;
	prev = spank_api_current();
	spank_api_set_current(st);
	for (size_t i = 0; i < st->n_plugins; i++) {
		struct spank_plugin *pl = &st->plugins[i];
		struct spank_handle h = { .magic = SPANK_HANDLE_MAGIC, .st = st, .plugin = i,
					  .hook = hook };
		int r;

		if (hook == SPANK_HOOK_INIT)
			register_table(st, i);
		if (!pl->hooks[hook])
			continue;
		r = pl->hooks[hook](&h, pl->ac, pl->av);
		log_debug2("spank: %s: %s = %d", pl->name, hook_names[hook], r);
		if (r >= 0)
			continue;
		if (pl->required) {
			rc = sky_err_set(eb, SKY_E_LAUNCH, "spank: required plugin %s: %s() failed with rc=%d",
					 pl->name, hook_names[hook], r);
			break;
		}
		log_error("spank: optional plugin %s: %s() failed with rc=%d", pl->name,
			  hook_names[hook], r);
	}
	spank_api_set_current(prev);
	return rc;
}

size_t spank_stack_options(const struct spank_stack *st, struct spank_opt_info *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; st && i < st->n_opts; i++, n++) {
		const struct spank_opt *o = &st->opts[i];
		if (!out || n >= max)
			continue;
		out[n].plugin = st->plugins[o->plugin].name;
		out[n].name = o->opt.name;
		out[n].arginfo = o->opt.arginfo;
		out[n].usage = o->opt.usage;
		out[n].has_arg = o->opt.has_arg;
		out[n].value = o->value;
	}
	return n;
}

int spank_stack_option_set(struct spank_stack *st, size_t i, const char *val, bool remote,
			   struct sky_errbuf *eb)
{
	struct spank_opt *o;
	struct spank_stack *prev;
	int r = 0;

	if (!st || i >= st->n_opts)
		return sky_err_set(eb, SKY_E_INVAL, "spank: no option %zu", i);
	o = &st->opts[i];
	free(o->value);
	o->value = xstrdup(val ? val : "");
	if (!o->opt.cb)
		return 0;
	prev = spank_api_current();
	spank_api_set_current(st);
	r = o->opt.cb(o->opt.val, val, remote ? 1 : 0);
	spank_api_set_current(prev);
	if (r)
		return sky_err_set(eb, SKY_E_INVAL, "Invalid --%s argument%s%s", o->opt.name,
				   val ? ": " : "", val ? val : "");
	return 0;
}

char *spank_stack_option_env_name(const struct spank_stack *st, size_t i)
{
	const struct spank_opt *o = &st->opts[i];
	char *name = xasprintf("_SLURM_SPANK_OPTION_%s_%s", st->plugins[o->plugin].name,
			       o->opt.name);
	char *opt = name + strlen(name) - strlen(o->opt.name);

	for (; *opt; opt++)
		if (!isalnum((unsigned char)*opt))
			*opt = '_';
	return name;
}

int spank_stack_options_from_env(struct spank_stack *st, char *const *env, struct sky_errbuf *eb)
{
	for (size_t i = 0; st && i < st->n_opts; i++) {
		char *name = spank_stack_option_env_name(st, i);
		char *wrapped = xasprintf("SLURM_SPANK_%s", name);
		const char *v = spank_env_get(env, name);
		int rc = 0;

		if (!v)
			v = spank_env_get(env, wrapped);
		if (v)
			rc = spank_stack_option_set(st, i, st->opts[i].opt.has_arg == 0 && !*v ? NULL : v,
						    true, eb);
		free(name);
		free(wrapped);
		if (rc)
			return rc;
	}
	return 0;
}

void spank_stack_free(struct spank_stack *st, bool hook_exit)
{
	if (!st)
		return;
	if (hook_exit) {
		struct sky_errbuf eb;
		sky_err_clear(&eb);
		if (spank_stack_call(st, SPANK_HOOK_EXIT, &eb))
			log_error("%s", sky_err_msg(&eb));
	}
	for (size_t i = 0; i < st->n_opts; i++) {
		free(st->opts[i].opt.name);
		free(st->opts[i].opt.arginfo);
		free(st->opts[i].opt.usage);
		free(st->opts[i].value);
	}
	free(st->opts);
	for (size_t i = 0; i < st->n_plugins; i++) {
		struct spank_plugin *pl = &st->plugins[i];
		for (int a = 0; a < pl->ac; a++)
			free(pl->av[a]);
		free(pl->av);
		free(pl->path);
		free(pl->name);
		dlclose(pl->dl);
	}
	free(st->plugins);
	if (spank_api_current() == st)
		spank_api_set_current(NULL);
	free(st);
}

const char *spank_env_get(char *const *env, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
			return env[i] + len + 1;
	return NULL;
}

void spank_env_set(char ***envp, const char *name, const char *value)
{
	size_t len = strlen(name), n = 0;
	char **env = *envp;

	for (; env && env[n]; n++)
		if (strncmp(env[n], name, len) == 0 && env[n][len] == '=') {
			free(env[n]);
			env[n] = xasprintf("%s=%s", name, value);
			return;
		}
	env = xrealloc(env, (n + 2) * sizeof(char *));
	env[n] = xasprintf("%s=%s", name, value);
	env[n + 1] = NULL;
	*envp = env;
}

void spank_env_unset(char ***envp, const char *name)
{
	size_t len = strlen(name), w = 0;
	char **env = *envp;

	for (size_t r = 0; env && env[r]; r++) {
		if (strncmp(env[r], name, len) == 0 && env[r][len] == '=')
			free(env[r]);
		else
			env[w++] = env[r];
	}
	if (env)
		env[w] = NULL;
}
