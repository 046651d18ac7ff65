/* directives.c: see directives.h. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "directives.h"
#include "xalloc.h"

static void push_word(char ***argv, int *argc, char *w)
{
	*argv = xrealloc(*argv, (size_t)(*argc + 2) * sizeof(char *));
	(*argv)[(*argc)++] = w;
	(*argv)[*argc] = NULL;
}

/*
 * One word starting at *pp. *word is NULL when the line has no more words
 * (end of text, or an unquoted '#'). Advances *pp past what was consumed.
 */
static int next_word(const char *file, int lineno, const char **pp, char **word,
		     struct sky_errbuf *eb)
{
	const char *start = *pp, *p = *pp;
	char *w = NULL;
	size_t n = 0;
	bool escaped = false, quoted = false;
	char q = 0;

	*word = NULL;
	while (*p && isspace((unsigned char)*p))
		p++;
	if (*p == ':')
		return sky_err_set(eb, SKY_E_SCRIPT_INVALID, "%s: line %d: Unexpected `:` in [%s]",
				   file, lineno, start);
	while (*p && *p != '\n' && (quoted || escaped || !isspace((unsigned char)*p))) {
		if (escaped) {
			escaped = false;
		} else if (*p == '\\') {
			escaped = true;
			p++;
			continue;
		} else if (quoted) {
			if (*p == q) {
				quoted = false;
				p++;
				continue;
			}
		} else if (*p == '"' || *p == '\'') {
			quoted = true;
			q = *p++;
			continue;
		} else if (*p == '#') {
			break;     /* the rest of the line is a comment */
		}
		if (!w)
			w = xmalloc(strlen(start) + 1);
		w[n++] = *p++;
	}
	if (quoted) {
		free(w);
		return sky_err_set(eb, SKY_E_SCRIPT_INVALID, "%s: line %d: Unmatched `%c` in [%s]",
				   file, lineno, q, start);
	}
	if (w)
		w[n] = '\0';
	/* Like Slurm, a word that collected nothing (e.g. a bare "") ends the line. */
	*pp = p;
	*word = w;
	return 0;
}

int directive_split(const char *file, int lineno, const char *text, char ***argv, int *argc,
		    struct sky_errbuf *eb)
{
	const char *p = text;
	char *w;
	int rc;

	for (;;) {
		if ((rc = next_word(file, lineno, &p, &w, eb)))
			return rc;
		if (!w)
			return 0;
		push_word(argv, argc, w);
	}
}

void directives_free(char **argv, int argc)
{
	if (!argv)
		return;
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

/* A line that is neither blank nor a comment ends the directive block. */
static bool is_command(const char *line)
{
	while (*line && isspace((unsigned char)*line))
		line++;
	return *line && *line != '#';
}

static bool has_hetjob_word(char **argv, int from, int to)
{
	for (int i = from; i < to; i++)
		if (!strcasecmp(argv[i], "hetjob") || !strcasecmp(argv[i], "packjob"))
			return true;
	return false;
}

int directives_scan(const char *file, const char *body, size_t len, char ***argv, int *argc,
		    bool *saw_slurm, struct sky_errbuf *eb)
{
	const char *p = body, *end = body + len;
	int lineno = 0, rc = 0;

	*argv = NULL;
	*argc = 0;
	*saw_slurm = false;
	push_word(argv, argc, xstrdup("sbatch"));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char *line = xstrndup(p, nl ? (size_t)(nl - p) : (size_t)(end - p));
		const char *text = NULL;
		int before = *argc;

		p = nl ? nl + 1 : end;
		lineno++;
		if (!strncmp(line, "#SBATCH", 7)) {
			text = line + 7;
		} else if (!strncmp(line, "#SLURM", 6)) {
			text = line + 6;
			*saw_slurm = true;
		} else if (is_command(line)) {
			free(line);
			break;
		}
		if (text)
			rc = directive_split(file, lineno, text, argv, argc, eb);
		free(line);
		if (rc)
			goto fail;
		if (has_hetjob_word(*argv, before, *argc)) {
			rc = sky_err_set(eb, SKY_E_DISABLED,
					 "%s: line %d: heterogeneous jobs (hetjob) are not supported",
					 file, lineno);
			goto fail;
		}
	}
	return 0;
fail:
	directives_free(*argv, *argc);
	*argv = NULL;
	*argc = 0;
	return rc;
}
