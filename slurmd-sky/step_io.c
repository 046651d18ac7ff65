/* step_io.c: see step_io.h. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "step_io.h"
#include "xalloc.h"

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void step_io_hdr(uint8_t hdr[STEP_IO_HDR], uint32_t type, uint32_t task, uint32_t len)
{
	put32(hdr, type);
	put32(hdr + 4, task);
	put32(hdr + 8, len);
}

bool step_io_parse_hdr(const uint8_t hdr[STEP_IO_HDR], uint32_t *type, uint32_t *task,
		       uint32_t *len)
{
	*type = get32(hdr);
	*task = get32(hdr + 4);
	*len = get32(hdr + 8);
	return *type >= STEP_IO_HELLO && *type <= STEP_IO_SIGNAL && *len <= STEP_IO_MAX_PAYLOAD;
}

static bool write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			/* A non-blocking socket: wait until it drains. */
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };
			if (poll(&pfd, 1, 60000) <= 0)
				return false;
			continue;
		}
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

bool step_io_send(int fd, uint32_t type, uint32_t task, const void *data, uint32_t len)
{
	uint8_t hdr[STEP_IO_HDR];

	step_io_hdr(hdr, type, task, len);
	return write_all(fd, hdr, sizeof(hdr)) && (!len || write_all(fd, data, len));
}

long step_io_buf_read(struct step_io_buf *b, int fd)
{
	ssize_t n;

	if (b->off && b->off == b->len) {
		b->off = b->len = 0;
	} else if (b->off > 65536) {
		memmove(b->data, b->data + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
	}
	if (b->cap - b->len < 65536) {
		b->cap = b->cap ? b->cap * 2 : 131072;
		b->data = xrealloc(b->data, b->cap);
	}
	do
		n = read(fd, b->data + b->len, b->cap - b->len);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		b->len += (size_t)n;
	return (long)n;
}

int step_io_buf_next(struct step_io_buf *b, uint32_t *type, uint32_t *task,
		     const uint8_t **payload, uint32_t *len)
{
	size_t have = b->len - b->off;

	if (have < STEP_IO_HDR)
		return 0;
	if (!step_io_parse_hdr(b->data + b->off, type, task, len))
		return -1;
	if (have - STEP_IO_HDR < *len)
		return 0;
	*payload = b->data + b->off + STEP_IO_HDR;
	b->off += STEP_IO_HDR + *len;
	return 1;
}

void step_io_buf_free(struct step_io_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void step_io_make_key(char key[STEP_IO_KEY_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t raw[STEP_IO_KEY_LEN / 2];
	size_t got = 0;

	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			abort();   /* no randomness: never hand out a guessable key */
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(raw); i++) {
		key[2 * i] = hex[raw[i] >> 4];
		key[2 * i + 1] = hex[raw[i] & 15];
	}
	key[STEP_IO_KEY_LEN] = '\0';
}
