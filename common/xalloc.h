/*
 * xalloc.h: allocation that never returns NULL.
 *
 * Out of memory aborts the process with a message: a daemon that cannot
 * allocate a few bytes cannot keep its promises anyway, and callers stay free
 * of NULL checks. Everything returned is freed with free() (or FREE_NULL).
 */
#ifndef SKY_XALLOC_H
#define SKY_XALLOC_H

#include <stdarg.h>
#include <stdlib.h>

void *xmalloc(size_t n);              /* zeroed; caller frees */
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);         /* NULL in, NULL out; caller frees */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Append printf output to *dst (which may be NULL); *dst is reallocated. */
void xstrfmtcat(char **dst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define FREE_NULL(p) do { free(p); (p) = NULL; } while (0)

#endif
