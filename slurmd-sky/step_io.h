/*
 * step_io.h: the I/O connection between a node's step process and srun
 * (Slurm's slurmstepd <-> srun stream), shared by both ends.
 *
 * The step process connects to srun's listening socket and first sends
 * STEP_IO_HELLO carrying the step's secret key (srun made it, the
 * controller passed it on over munge-authenticated links), so nobody else
 * can inject output. Then frames flow both ways:
 *
 *   frame = type (u32) | task (u32, global task id) | len (u32) | len bytes
 *   (all big-endian)
 *
 * node -> srun: HELLO (payload "key node_id ntasks"), STDOUT/STDERR data,
 *               EXIT (payload: the raw wait status as decimal text).
 * srun -> node: STDIN data for the task (len 0: end of input), SIGNAL
 *               (payload: signal number as decimal text, task ignored).
 */
#ifndef SKY_SLURMD_STEP_IO_H
#define SKY_SLURMD_STEP_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum step_io_type {
	STEP_IO_HELLO = 1,
	STEP_IO_STDOUT = 2,
	STEP_IO_STDERR = 3,
	STEP_IO_EXIT = 4,
	STEP_IO_STDIN = 5,
	STEP_IO_SIGNAL = 6,
};

#define STEP_IO_HDR 12
#define STEP_IO_MAX_PAYLOAD (1u << 20)
#define STEP_IO_KEY_LEN 32

/* Encode a frame header into hdr. */
void step_io_hdr(uint8_t hdr[STEP_IO_HDR], uint32_t type, uint32_t task, uint32_t len);

/*
 * Decode a header. Returns false when the frame is malformed (unknown type
 * or len above STEP_IO_MAX_PAYLOAD).
 */
bool step_io_parse_hdr(const uint8_t hdr[STEP_IO_HDR], uint32_t *type, uint32_t *task,
		       uint32_t *len);

/* Write one frame to a blocking fd; false on error (the peer is gone). */
bool step_io_send(int fd, uint32_t type, uint32_t task, const void *data, uint32_t len);

/*
 * A reassembly buffer for frames arriving on a non-blocking fd in pieces.
 * step_io_buf_read() reads what is there; step_io_buf_next() takes the next
 * whole frame (payload borrowed until the next call).
 */
struct step_io_buf {
	uint8_t *data;
	size_t len, cap, off;
};

/* Returns bytes read, 0 on EOF, -1 on error (errno; EAGAIN means nothing yet). */
long step_io_buf_read(struct step_io_buf *b, int fd);
/* 1: a frame, 0: need more, -1: malformed stream. */
int step_io_buf_next(struct step_io_buf *b, uint32_t *type, uint32_t *task,
		     const uint8_t **payload, uint32_t *len);
void step_io_buf_free(struct step_io_buf *b);

/* Fill key with STEP_IO_KEY_LEN random hex characters plus NUL (getrandom). */
void step_io_make_key(char key[STEP_IO_KEY_LEN + 1]);

#endif
