/* xalloc.c: see xalloc.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

static void oom(size_t n)
{
	char msg[96];
	int len = snprintf(msg, sizeof(msg), "fatal: out of memory allocating %zu bytes\n", n);
	/* stdio may itself need memory; write(2) does not. */
	if (len > 0 && write(STDERR_FILENO, msg, (size_t)len) < 0)
		_exit(1);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		oom(nmemb * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	char *p;
	if (!s)
		return NULL;
	p = strdup(s);
	if (!p)
		oom(strlen(s) + 1);
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p;
	if (!s)
		return NULL;
	p = strndup(s, n);
	if (!p)
		oom(n + 1);
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *p = NULL;
	if (vasprintf(&p, fmt, ap) < 0)
		oom(strlen(fmt));
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void xstrfmtcat(char **dst, const char *fmt, ...)
{
	va_list ap;
	char *add;
	size_t old, len;

	va_start(ap, fmt);
	add = xvasprintf(fmt, ap);
	va_end(ap);
	if (!*dst) {
		*dst = add;
		return;
	}
	old = strlen(*dst);
	len = strlen(add);
	*dst = xrealloc(*dst, old + len + 1);
	memcpy(*dst + old, add, len + 1);
	free(add);
}
