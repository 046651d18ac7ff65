/*
 * state_journal.h: the state store's write-ahead journal.
 *
 * Why it exists: a synced LMDB commit costs two device flushes (data pages,
 * then the meta page), and on this kind of disk the pair took most of a
 * submission's time in the controller. The journal makes a change durable
 * with one small write and one fdatasync into a file whose blocks already
 * exist (pre-written with zeros, so no metadata has to be flushed with it);
 * LMDB is then synced only at checkpoints (state_lmdb.c).
 *
 * Record layout, all integers big-endian:
 *   magic "SKYJ" (4) | payload length (4) | epoch (8) | seq (8) |
 *   SHA-256 of the preceding 24 bytes and the payload (32) | payload
 * Replay accepts records of the store's epoch with consecutive sequence
 * numbers from the one it expects, and stops at the first record that is
 * torn, of another epoch, or out of sequence; so after a rewind the stale
 * records behind the new ones are never taken for new.
 */
#ifndef SKY_STATE_JOURNAL_H
#define SKY_STATE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sky_err.h"

struct journal;

/* Open or create the journal file at path. Caller frees with journal_close(). */
int journal_open(const char *path, struct journal **out, struct sky_errbuf *eb);
void journal_close(struct journal *j);

/*
 * Append one record at the current position and fdatasync; the record is
 * durable when this returns 0. Grows the file when the record does not fit.
 */
int journal_append(struct journal *j, uint64_t epoch, uint64_t seq, const uint8_t *data,
		   size_t len, struct sky_errbuf *eb);

/* Undo the last append (its change could not be applied): the record is
 * overwritten so that no replay takes it, and the position moves back. */
int journal_retract(struct journal *j, struct sky_errbuf *eb);

/* Bytes of records since the last rewind. */
size_t journal_used(const struct journal *j);

/* Start writing at the beginning again (everything so far is checkpointed). */
void journal_rewind(struct journal *j);

/*
 * Call cb for each valid record of epoch numbered first_seq, first_seq+1, ...
 * from the start of the file. data is borrowed for the call. A non-zero
 * return from cb stops the replay and is returned. *last_seq is the sequence
 * number of the last record handed to cb (first_seq - 1 when none).
 */
typedef int (*journal_cb)(const uint8_t *data, size_t len, void *arg);
int journal_replay(struct journal *j, uint64_t epoch, uint64_t first_seq, journal_cb cb, void *arg,
		   uint64_t *last_seq, struct sky_errbuf *eb);

#endif
