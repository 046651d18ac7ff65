/* envv.c: see envv.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envv.h"
#include "xalloc.h"

ssize_t envv_find(const struct envv *e, const char *name, size_t nlen)
{
	for (size_t i = 0; i < e->n; i++)
		if (!strncmp(e->v[i], name, nlen) && e->v[i][nlen] == '=')
			return (ssize_t)i;
	return -1;
}

void envv_put(struct envv *e, char *entry)
{
	size_t nlen = (size_t)(strchr(entry, '=') - entry);
	ssize_t at = envv_find(e, entry, nlen);

	if (at >= 0) {
		free(e->v[at]);
		e->v[at] = entry;
		return;
	}
	if (e->n + 2 > e->cap) {
		e->cap = e->cap ? e->cap * 2 : 64;
		e->v = xrealloc(e->v, e->cap * sizeof(char *));
	}
	e->v[e->n++] = entry;
	e->v[e->n] = NULL;
}

void envv_set(struct envv *e, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *val;

	va_start(ap, fmt);
	val = xvasprintf(fmt, ap);
	va_end(ap);
	envv_put(e, xasprintf("%s=%s", name, val));
	free(val);
}

void envv_set_str(struct envv *e, const char *name, const char *val)
{
	if (val && *val)
		envv_set(e, name, "%s", val);
}
