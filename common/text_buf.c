/* text_buf.c: see text_buf.h. */
#include "config.h"

#include <string.h>

#include "text_buf.h"
#include "xalloc.h"

bool text_buf_append(struct text_buf *b, const char *p, size_t n, size_t max)
{
	if (b->len + n + 1 > max)
		return false;
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->buf = xrealloc(b->buf, b->cap);
	}
	memcpy(b->buf + b->len, p, n);
	b->len += n;
	b->buf[b->len] = '\0';
	return true;
}
