/* state_journal.c: see state_journal.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sha2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "state_journal.h"
#include "xalloc.h"

#define HDR_LEN 56 /* magic 4, len 4, epoch 8, seq 8, digest 32 */
#define MAGIC 0x534b594au /* "SKYJ" */
/* Large enough that checkpoints (state_lmdb.c) come long before it fills. */
#define INITIAL_SIZE (4u << 20)
#define ZERO_CHUNK (64u << 10)

struct journal {
	int fd;
	char *path;
	size_t size;     /* bytes pre-written in the file */
	size_t off;      /* where the next record goes */
	size_t last_off; /* where the last appended record starts */
};

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static uint32_t get_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
	return ((uint64_t)get_be32(p) << 32) | get_be32(p + 4);
}

static void digest(const uint8_t *hdr24, const uint8_t *data, size_t len, uint8_t out[32])
{
	SHA2_CTX md;

	SHA256Init(&md);
	SHA256Update(&md, hdr24, 24);
	if (len)
		SHA256Update(&md, data, len);
	SHA256Final(out, &md);
}

static int io_err(struct journal *j, struct sky_errbuf *eb, const char *what)
{
	return sky_err_set(eb, SKY_E_STORE, "state journal %s: %s: %s", j->path, what,
			   strerror(errno));
}

static int write_all(int fd, const uint8_t *p, size_t len, size_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
		off += (size_t)n;
	}
	return 0;
}

/* Header and body in one call (one fewer syscall per acknowledged change);
 * a short write finishes piecewise. */
static int write_record(int fd, const uint8_t *hdr, const uint8_t *data, size_t len, size_t off)
{
	struct iovec iov[2] = { { (void *)hdr, HDR_LEN }, { (void *)data, len } };
	ssize_t n;

	do
		n = pwritev(fd, iov, len ? 2 : 1, (off_t)off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n < HDR_LEN)
		return write_all(fd, hdr + n, HDR_LEN - (size_t)n, off + (size_t)n) ||
		       (len && write_all(fd, data, len, off + HDR_LEN));
	n -= HDR_LEN;
	return (size_t)n < len ? write_all(fd, data + n, len - (size_t)n, off + HDR_LEN + (size_t)n) : 0;
}

/* Pre-write zeros up to want bytes: later appends then change no metadata,
 * which is what keeps their fdatasync to one short data flush. */
static int grow(struct journal *j, size_t want, struct sky_errbuf *eb)
{
	uint8_t *zero;
	size_t at = j->size;
	int rc = 0;

	if (want <= j->size)
		return 0;
	want = (want + ZERO_CHUNK - 1) / ZERO_CHUNK * ZERO_CHUNK;
	zero = xcalloc(1, ZERO_CHUNK);
	while (at < want) {
		if (write_all(j->fd, zero, ZERO_CHUNK, at)) {
			rc = io_err(j, eb, "grow");
			goto out;
		}
		at += ZERO_CHUNK;
	}
	if (fdatasync(j->fd)) {
		rc = io_err(j, eb, "sync");
		goto out;
	}
	j->size = want;
out:
	free(zero);
	return rc;
}

/* A new file's name must survive a crash too. */
static void sync_parent_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(copy);
}

int journal_open(const char *path, struct journal **out, struct sky_errbuf *eb)
{
	struct journal *j = xcalloc(1, sizeof(*j));
	struct stat st;
	int rc;

	j->path = xstrdup(path);
	j->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (j->fd < 0) {
		rc = io_err(j, eb, "open");
		goto fail;
	}
	if (fstat(j->fd, &st)) {
		rc = io_err(j, eb, "stat");
		goto fail;
	}
	j->size = (size_t)st.st_size;
	if (j->size < INITIAL_SIZE) {
		if ((rc = grow(j, INITIAL_SIZE, eb)))
			goto fail;
		sync_parent_dir(path);
	}
	*out = j;
	return 0;
fail:
	journal_close(j);
	return rc;
}

void journal_close(struct journal *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	free(j);
}

int journal_append(struct journal *j, uint64_t epoch, uint64_t seq, const uint8_t *data,
		   size_t len, struct sky_errbuf *eb)
{
	uint8_t hdr[HDR_LEN];
	size_t need = HDR_LEN + len;
	int rc;

	if (len > UINT32_MAX)
		return sky_err_set(eb, SKY_E_STORE, "state journal %s: a %zu byte change is too large",
				   j->path, len);
	if (j->off + need > j->size && (rc = grow(j, j->off + need > 2 * j->size ?
						  j->off + need : 2 * j->size, eb)))
		return rc;
	put_be32(hdr, MAGIC);
	put_be32(hdr + 4, (uint32_t)len);
	put_be64(hdr + 8, epoch);
	put_be64(hdr + 16, seq);
	digest(hdr, data, len, hdr + 24);
	if (write_record(j->fd, hdr, data, len, j->off))
		return io_err(j, eb, "write");
	if (fdatasync(j->fd))
		return io_err(j, eb, "sync");
	j->last_off = j->off;
	j->off += need;
	return 0;
}

int journal_retract(struct journal *j, struct sky_errbuf *eb)
{
	uint8_t zero[HDR_LEN] = { 0 };

	if (j->off == j->last_off)
		return 0;
	if (write_all(j->fd, zero, sizeof(zero), j->last_off))
		return io_err(j, eb, "write");
	if (fdatasync(j->fd))
		return io_err(j, eb, "sync");
	j->off = j->last_off;
	return 0;
}

size_t journal_used(const struct journal *j)
{
	return j->off;
}

void journal_rewind(struct journal *j)
{
	j->off = 0;
	j->last_off = 0;
}

int journal_replay(struct journal *j, uint64_t epoch, uint64_t first_seq, journal_cb cb, void *arg,
		   uint64_t *last_seq, struct sky_errbuf *eb)
{
	uint8_t hdr[HDR_LEN], d[32];
	uint8_t *buf = NULL;
	uint64_t want = first_seq;
	size_t off = 0, cap = 0;
	int rc = 0;

	for (;;) {
		ssize_t n = pread(j->fd, hdr, HDR_LEN, (off_t)off);
		uint32_t len;

		if (n != HDR_LEN || get_be32(hdr) != MAGIC || get_be64(hdr + 8) != epoch ||
		    get_be64(hdr + 16) != want)
			break;
		len = get_be32(hdr + 4);
		if (off + HDR_LEN + (size_t)len > j->size)
			break;
		if (len > cap) {
			cap = len;
			buf = xrealloc(buf, cap);
		}
		if (len && pread(j->fd, buf, len, (off_t)(off + HDR_LEN)) != (ssize_t)len)
			break;
		digest(hdr, buf, len, d);
		if (memcmp(d, hdr + 24, sizeof(d)))
			break; /* torn: the crash came while this one was written */
		if ((rc = cb(buf, len, arg)))
			break;
		off += HDR_LEN + len;
		want++;
	}
	free(buf);
	*last_seq = want - 1;
	/* New records go behind the replayed ones until the caller rewinds. */
	j->off = off;
	j->last_off = off;
	(void)eb;
	return rc;
}
