/*
 * state_lmdb.h: the controller's durable state, in LMDB.
 *
 * Databases (all keys are 32-bit big-endian job ids, so cursors walk in id order):
 *   jobs     JobRecord protobufs of jobs the controller still tracks
 *   scripts  batch scripts, apart so job records stay small
 *   history  JobRecord protobufs of finished jobs past MinJobAge (sacct)
 *   meta     small named values ("next_job_id")
 *
 * All access is through short transactions; nothing LMDB hands out escapes
 * one: every getter returns a caller-owned copy. A write transaction is
 * durable once store_commit() returns 0, which is what lets the controller
 * acknowledge a submission: its changes are then in the write-ahead journal
 * (state_journal.h, one fdatasync) and visible to later transactions. LMDB on
 * disk is brought up to date, with its own full sync, by store_checkpoint(),
 * which the controller calls about once a second, and on store_close(); a
 * store opened after a crash replays the journal first.
 *
 * Single-threaded: one transaction at a time, and every transaction, read
 * or write, sees every change committed before it.
 */
#ifndef SKY_STATE_LMDB_H
#define SKY_STATE_LMDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sky.pb-c.h"
#include "sky_err.h"

struct store;
struct store_txn;

/* Open (creating dir with mode 0700 if needed). map_size 0 = 1 GiB.
 * Clears stale reader slots left by a crashed process. Caller frees with store_close(). */
int store_open(const char *dir, uint64_t map_size, struct store **out, struct sky_errbuf *eb);
void store_close(struct store *s);

/* One transaction at a time. store_commit and store_abort free txn. */
int store_begin(struct store *s, bool write, struct store_txn **txn, struct sky_errbuf *eb);
int store_commit(struct store_txn *txn, struct sky_errbuf *eb);
void store_abort(struct store_txn *txn);

/* Write the changes journaled since the last checkpoint into LMDB (synced)
 * and start the journal over. A failure loses nothing: the journal keeps the
 * changes and a later checkpoint or open retries. Not inside a transaction. */
int store_checkpoint(struct store *s, struct sky_errbuf *eb);
/* Whether store_checkpoint() has anything to do. */
bool store_dirty(const struct store *s);

int store_job_put(struct store_txn *t, const Sky__JobRecord *rec, struct sky_errbuf *eb);
/* SKY_E_NOT_FOUND if absent. *rec is freed with sky__job_record__free_unpacked(*rec, NULL). */
int store_job_get(struct store_txn *t, uint32_t id, Sky__JobRecord **rec, struct sky_errbuf *eb);
int store_job_del(struct store_txn *t, uint32_t id, struct sky_errbuf *eb);

/*
 * Call cb for every record in id order. cb consumes rec (frees or keeps it).
 * A non-zero return from cb stops the walk and is returned.
 */
typedef int (*store_job_cb)(Sky__JobRecord *rec, void *arg);
int store_job_foreach(struct store_txn *t, store_job_cb cb, void *arg, struct sky_errbuf *eb);

/* Same for history. */
int store_hist_put(struct store_txn *t, const Sky__JobRecord *rec, struct sky_errbuf *eb);
int store_hist_get(struct store_txn *t, uint32_t id, Sky__JobRecord **rec, struct sky_errbuf *eb);
int store_hist_foreach(struct store_txn *t, store_job_cb cb, void *arg, struct sky_errbuf *eb);

int store_script_put(struct store_txn *t, uint32_t id, const uint8_t *data, size_t len,
		     struct sky_errbuf *eb);
/* *data is caller-freed; SKY_E_NOT_FOUND if absent. */
int store_script_get(struct store_txn *t, uint32_t id, uint8_t **data, size_t *len,
		     struct sky_errbuf *eb);
int store_script_del(struct store_txn *t, uint32_t id, struct sky_errbuf *eb);

/* SKY_E_NOT_FOUND if absent. */
int store_meta_get_u32(struct store_txn *t, const char *key, uint32_t *val, struct sky_errbuf *eb);
int store_meta_put_u32(struct store_txn *t, const char *key, uint32_t val, struct sky_errbuf *eb);
/* A named blob in the meta db (the association tree); *data caller-freed; SKY_E_NOT_FOUND if absent. */
int store_meta_get_blob(struct store_txn *t, const char *key, uint8_t **data, size_t *len,
			struct sky_errbuf *eb);
int store_meta_put_blob(struct store_txn *t, const char *key, const uint8_t *data, size_t len,
			struct sky_errbuf *eb);

#endif
