/* spank_opts.c: see spank_opts.h. */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <slurm/spank.h>

#include "conf.h"
#include "log.h"
#include "opt_table.h"
#include "spank_opts.h"
#include "spank_stack.h"
#include "xalloc.h"

#define MAX_OPTS 128
enum { SRC_SCRIPT, SRC_CLI };

static struct {
	struct spank_stack *st;
	struct spank_opt_info opts[MAX_OPTS];
	size_t n;
	char *val[2][MAX_OPTS];       /* [SRC_SCRIPT] and [SRC_CLI]; "" for a flag */
	bool given[2][MAX_OPTS];
	char **argv;                  /* the filtered command line */
} so;

static void filter(int *argc, char **argv, int src);

int spank_opts_load(int *argc, char ***argv, struct sky_errbuf *eb)
{
	char *conf = conf_default_path(), *dir = NULL, *stack = spank_plugstack_path(conf, &dir);
	struct stat sb;
	int rc = 0;

	free(conf);
	if (!stack || stat(stack, &sb) != 0)
		goto out;
	if ((rc = spank_stack_load(stack, dir, S_CTX_ALLOCATOR, &so.st, eb)) || !so.st)
		goto out;
	if ((rc = spank_stack_call(so.st, SPANK_HOOK_INIT, eb)))
		goto out;
	so.n = spank_stack_options(so.st, so.opts, MAX_OPTS);
	if (so.n > MAX_OPTS)
		so.n = MAX_OPTS;
	if (so.n) {
		int n = *argc;
		so.argv = xcalloc((size_t)n + 1, sizeof(char *));
		memcpy(so.argv, *argv, (size_t)n * sizeof(char *));
		filter(&n, so.argv, SRC_CLI);
		*argc = n;
		*argv = so.argv;
	}
out:
	free(dir);
	free(stack);
	return rc;
}

/* The spank option "--name[=v]" of word, or -1; *val points at v or is NULL. */
static int match(const char *word, const char **val)
{
	size_t len;

	*val = NULL;
	if (strncmp(word, "--", 2) != 0)
		return -1;
	word += 2;
	len = strcspn(word, "=");
	for (size_t i = 0; i < so.n; i++)
		if (strlen(so.opts[i].name) == len && strncmp(so.opts[i].name, word, len) == 0) {
			if (word[len] == '=')
				*val = word + len + 1;
			return (int)i;
		}
	return -1;
}

/* Whether sbatch's own option in word takes the next word as its value. */
static bool takes_next(const char *word)
{
	size_t n;
	const struct opt_desc *t = opt_table(&n);

	if (word[0] == '-' && word[1] == '-') {
		int i;
		char *name;
		if (strchr(word, '='))
			return false;
		name = xstrdup(word + 2);
		i = opt_find(name);
		free(name);
		return i >= 0 && t[i].has_arg == required_argument;
	}
	/* -oFILE carries its value; -o FILE does not. Clustered flags: the last letter decides. */
	for (const char *p = word + 1; *p; p++)
		for (size_t i = 0; i < n; i++)
			if (t[i].short_opt == *p && t[i].has_arg == required_argument)
				return p[1] == '\0';
	return false;
}

static void record(int src, size_t i, const char *v)
{
	free(so.val[src][i]);
	so.val[src][i] = xstrdup(v ? v : "");
	so.given[src][i] = true;
}

/*
 * Take the spank options out of argv, up to the first non-option. The
 * #SBATCH words are malloc'ed (freed when taken out); the command line's
 * are the process's.
 */
static void filter(int *argc, char **argv, int src)
{
	bool owned = src == SRC_SCRIPT;

	int w = 1, r;

	if (!so.n || *argc < 1)
		return;
	for (r = 1; r < *argc; r++) {
		const char *a = argv[r], *v;
		int i;

		if (strcmp(a, "--") == 0 || a[0] != '-' || a[1] == '\0')
			break;
		if ((i = match(a, &v)) >= 0) {
			if (!v && so.opts[i].has_arg == 1 && r + 1 < *argc) {
				record(src, (size_t)i, argv[r + 1]);
				if (owned)
					free(argv[r]);
				r++;
			} else {
				record(src, (size_t)i, v);
			}
			if (owned)
				free(argv[r]);
			continue;
		}
		argv[w++] = argv[r];
		if (takes_next(a) && r + 1 < *argc)
			argv[w++] = argv[++r];
	}
	for (; r < *argc; r++)
		argv[w++] = argv[r];
	argv[w] = NULL;
	*argc = w;
}

void spank_opts_filter_script(int *argc, char **argv)
{
	filter(argc, argv, SRC_SCRIPT);
}

static char *env_canon(const char *s)
{
	char *c = xstrdup(s);

	for (char *p = c; *p; p++)
		if (!isalnum((unsigned char)*p))
			*p = '_';
	return c;
}

int spank_opts_finish(struct sky_errbuf *eb)
{
	int rc = 0;

	if (!so.st)
		return 0;
	for (size_t i = 0; i < so.n && !rc; i++) {
		char *opt = env_canon(so.opts[i].name);
		char *uenv = xasprintf("SLURM_SPANK_%s_%s", so.opts[i].plugin, opt);
		const char *v = so.given[SRC_CLI][i] ? so.val[SRC_CLI][i]
				: so.given[SRC_SCRIPT][i] ? so.val[SRC_SCRIPT][i] : getenv(uenv);

		if (v) {
			char *name = spank_stack_option_env_name(so.st, i);
			char *job = xasprintf("SLURM_SPANK_%s", name);
			rc = spank_stack_option_set(so.st, i, so.opts[i].has_arg == 0 ? NULL : v, false,
						    eb);
			if (!rc)
				setenv(job, v, 1);
			free(job);
			free(name);
		}
		free(uenv);
		free(opt);
	}
	if (!rc)
		rc = spank_stack_call(so.st, SPANK_HOOK_INIT_POST_OPT, eb);
	spank_stack_free(so.st, true);
	so.st = NULL;
	return rc;
}
