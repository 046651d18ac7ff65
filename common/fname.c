/* fname.c: see fname.h. Rules per slurm.md section 1.5. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fname.h"
#include "xalloc.h"

#define FNAME_MAX_WIDTH 10

static void put_num(char **dst, int width, unsigned long v)
{
	xstrfmtcat(dst, "%0*lu", width, v);
}

/* Expand one %X (width already parsed). Returns false when X is unknown. */
static bool expand_one(char **dst, char conv, int width, const struct fname_ctx *c)
{
	switch (conv) {
	case '%':
		xstrfmtcat(dst, "%%");
		break;
	case 'A':
		put_num(dst, width, c->array_job_id ? c->array_job_id : c->job_id);
		break;
	case 'a':
		put_num(dst, width, c->array_task_id);
		break;
	case 'b':
		put_num(dst, width, c->array_task_id % 10);
		break;
	case 'J':
	case 'j':
		put_num(dst, width, c->job_id);
		if (conv == 'J' && c->step_id != SKY_NO_VAL)
			xstrfmtcat(dst, ".%u", c->step_id);
		break;
	case 'N': {
		/* Short name: the first label of the host name. */
		const char *n = c->node_name ? c->node_name : "";
		xstrfmtcat(dst, "%.*s", (int)strcspn(n, "."), n);
		break;
	}
	case 'n':
		put_num(dst, width, c->node_id);
		break;
	case 'r':
		put_num(dst, width, c->restart_count);
		break;
	case 's':
		if (c->step_id == SKY_NO_VAL)
			xstrfmtcat(dst, "batch");
		else
			put_num(dst, width, c->step_id);
		break;
	case 't':
		put_num(dst, width, c->task_id);
		break;
	case 'u':
		xstrfmtcat(dst, "%s", c->user_name ? c->user_name : "");
		break;
	case 'x':
		xstrfmtcat(dst, "%s", c->job_name ? c->job_name : "");
		break;
	default:
		return false;
	}
	return true;
}

static char *substitute(const char *pattern, const struct fname_ctx *c)
{
	char *out = xstrdup("");
	const char *p = pattern;

	while (*p) {
		const char *start = p, *q;
		int width = 0;

		if (*p != '%') {
			size_t n = strcspn(p, "%");
			xstrfmtcat(&out, "%.*s", (int)n, p);
			p += n;
			continue;
		}
		q = p + 1;
		while (isdigit((unsigned char)*q)) {
			if (width <= FNAME_MAX_WIDTH)
				width = width * 10 + (*q - '0');
			q++;
		}
		if (width > FNAME_MAX_WIDTH)
			width = FNAME_MAX_WIDTH;
		if (*q && expand_one(&out, *q, width, c)) {
			p = q + 1;
			continue;
		}
		/* Unknown (or a trailing '%'): keep the text as written. */
		if (*q)
			q++;
		xstrfmtcat(&out, "%.*s", (int)(q - start), start);
		p = q;
	}
	return out;
}

static char *drop_backslashes(const char *pattern)
{
	char *out = xmalloc(strlen(pattern) + 1);
	size_t n = 0;

	for (const char *p = pattern; *p; p++)
		if (*p != '\\')
			out[n++] = *p;
	out[n] = '\0';
	return out;
}

char *fname_expand(const char *pattern, const struct fname_ctx *c)
{
	char *name, *full;

	if (!pattern)
		pattern = "";
	/* Any backslash means the user wants the name literally. */
	if (strchr(pattern, '\\'))
		name = drop_backslashes(pattern);
	else
		name = substitute(pattern, c);
	if (name[0] == '/' || !c->work_dir || !c->work_dir[0])
		return name;
	{
		size_t wl = strlen(c->work_dir);
		bool slash = c->work_dir[wl - 1] == '/';
		full = xasprintf("%s%s%s", c->work_dir, slash ? "" : "/", name);
	}
	free(name);
	return full;
}
