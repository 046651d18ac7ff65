/*
 * text_buf.h: a growing byte buffer kept NUL-terminated, with a cap: what
 * the HTTP clients' write callbacks (EC2, Kubernetes) collect a reply in.
 */
#ifndef SKY_TEXT_BUF_H
#define SKY_TEXT_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct text_buf {
	char *buf;       /* owned; NULL until the first byte */
	size_t len, cap;
};

/* Append n bytes of p. When b would then hold more than max bytes nothing
 * is appended and false returned (a write callback's cue to fail). */
bool text_buf_append(struct text_buf *b, const char *p, size_t n, size_t max);

#endif
