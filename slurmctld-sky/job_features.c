/* job_features.c: see job_features.h. A small recursive-descent evaluator. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "job_features.h"
#include "node_table.h"
#include "xalloc.h"

#define FEAT_MAX_DEPTH 32

struct feat_parser {
	const char *p;
	const char *node;             /* node Features= list, or NULL */
	const struct node_table *t;   /* when set: every name must exist on some node */
	struct sky_errbuf *eb;        /* when set: record the first error */
	bool bad;
	int depth;
};

static bool name_char(char ch)
{
	return ch && !isspace((unsigned char)ch) && !strchr("&|,()[]*!", ch);
}

static int fail(struct feat_parser *fp, const char *why)
{
	if (!fp->bad && fp->eb)
		sky_err_set(fp->eb, SKY_E_INVALID_FEATURE, "Invalid feature specification: %s", why);
	fp->bad = true;
	return 0;
}

/* Whether the comma list has name (exact, whole item). */
static bool list_has(const char *list, const char *name, size_t len)
{
	const char *s = list;

	while (s && *s) {
		const char *e = strchr(s, ',');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n == len && !strncmp(s, name, len))
			return true;
		s = e ? e + 1 : NULL;
	}
	return false;
}

static bool known_anywhere(const struct node_table *t, const char *name, size_t len)
{
	for (size_t i = 0; i < t->count; i++)
		if (list_has(t->nodes[i].features, name, len))
			return true;
	return false;
}

static int parse_or(struct feat_parser *fp);

static int parse_name(struct feat_parser *fp)
{
	const char *s = fp->p;
	size_t len = 0;

	while (name_char(s[len]))
		len++;
	if (!len)
		return fail(fp, *s ? "unexpected character" : "missing feature name");
	fp->p = s + len;
	if (*fp->p == '*')
		return fail(fp, "node counts (feature*count) are not supported");
	if (fp->t && !fp->bad && !known_anywhere(fp->t, s, len)) {
		if (fp->eb)
			sky_err_set(fp->eb, SKY_E_INVALID_FEATURE, "Invalid feature specification");
		fp->bad = true;
	}
	return list_has(fp->node, s, len);
}

static int parse_factor(struct feat_parser *fp)
{
	char open = *fp->p, close = open == '(' ? ')' : ']';
	int v;

	if (open == '!') {
		fp->p++;
		return !parse_factor(fp);
	}
	if (open != '(' && open != '[')
		return parse_name(fp);
	if (++fp->depth > FEAT_MAX_DEPTH)
		return fail(fp, "nested too deep");
	fp->p++;
	v = parse_or(fp);
	if (*fp->p != close)
		return fail(fp, open == '(' ? "unbalanced parentheses" : "unbalanced brackets");
	fp->p++;
	fp->depth--;
	return v;
}

static int parse_and(struct feat_parser *fp)
{
	int v = parse_factor(fp);

	while (!fp->bad && (*fp->p == '&' || *fp->p == ',')) {
		fp->p++;
		v = parse_factor(fp) && v;
	}
	return v;
}

static int parse_or(struct feat_parser *fp)
{
	int v = parse_and(fp);

	while (!fp->bad && *fp->p == '|') {
		fp->p++;
		v = parse_and(fp) || v;
	}
	return v;
}

static int evaluate(struct feat_parser *fp)
{
	int v = parse_or(fp);

	if (!fp->bad && *fp->p)
		fail(fp, "unexpected character");
	return fp->bad ? 0 : v;
}

int features_validate(const char *constraint, const struct node_table *t,
		      struct sky_errbuf *eb)
{
	struct feat_parser fp = { .p = constraint, .t = t, .eb = eb };

	if (!constraint || !*constraint)
		return 0;
	evaluate(&fp);
	return fp.bad ? SKY_E_INVALID_FEATURE : 0;
}

bool features_match(const char *constraint, const char *node_features)
{
	struct feat_parser fp = { .p = constraint, .node = node_features };

	if (!constraint || !*constraint)
		return true;
	return evaluate(&fp) != 0;
}

char **features_alternatives(const char *constraint, size_t *n)
{
	size_t len = constraint ? strlen(constraint) : 0, start = 1, i;
	char **alts = NULL;
	int depth = 0;

	*n = 0;
	if (len < 3 || constraint[0] != '[' || constraint[len - 1] != ']')
		return NULL;
	for (i = 1; i < len - 1; i++) {
		char ch = constraint[i];
		if (ch == '(' || ch == '[')
			depth++;
		else if ((ch == ')' || ch == ']') && --depth < 0)
			return NULL;    /* "[a]|[b]": the first bracket closes early */
		if (depth == 0 && ch == '|') {
			alts = xrealloc(alts, (*n + 1) * sizeof(*alts));
			alts[(*n)++] = xstrndup(constraint + start, i - start);
			start = i + 1;
		}
	}
	if (!alts)
		return NULL;
	alts = xrealloc(alts, (*n + 1) * sizeof(*alts));
	alts[(*n)++] = xstrndup(constraint + start, len - 1 - start);
	return alts;
}

void features_alternatives_free(char **alts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(alts[i]);
	free(alts);
}
