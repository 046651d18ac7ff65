/* state_lmdb.c: see state_lmdb.h. */
#include "config.h"

#include <errno.h>
#include <lmdb.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "log.h"
#include "state_journal.h"
#include "state_lmdb.h"
#include "xalloc.h"

/* A checkpoint comes early once this much journal has piled up. */
#define CKPT_JOURNAL_BYTES (2u << 20)

enum { DB_JOBS, DB_SCRIPTS, DB_HISTORY, DB_META, DB_COUNT };
enum { OP_PUT = 1, OP_DEL = 2 };

/*
 * Changes accumulate in one long LMDB write transaction (open_txn) between
 * checkpoints; each store transaction is a child of it, so the controller
 * reads its own writes, and LMDB on disk only ever holds checkpoints, each
 * committed with LMDB's full sync. The journal holds every change since.
 */
struct store {
	MDB_env *env;
	MDB_dbi dbi[DB_COUNT];
	char *dir;
	struct journal *jl;
	MDB_txn *open_txn;      /* changes since the last checkpoint, or NULL */
	uint64_t epoch;         /* tells this store's journal records from any other's */
	uint64_t seq;           /* last journaled change */
	uint64_t ckpt_seq;      /* last change in LMDB on disk */
};

struct store_txn {
	struct store *s;
	MDB_txn *txn;
	bool write;
	bool borrowed;          /* txn is s->open_txn, read through */
	uint8_t *ops;           /* the changes, as they go to the journal */
	size_t ops_len, ops_cap;
};

static const char *const meta_epoch = "journal_epoch", *const meta_seq = "journal_seq";

static int lmdb_err(struct sky_errbuf *eb, int rc, const char *what, const char *dir)
{
	return sky_err_set(eb, SKY_E_STORE, "state store %s: %s: %s", dir ? dir : "", what,
			   mdb_strerror(rc));
}

static void be64(uint64_t v, uint8_t b[8])
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
}

static uint64_t from_be64(const uint8_t *b)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static int meta_get64(MDB_txn *txn, MDB_dbi dbi, const char *key, uint64_t *out)
{
	MDB_val k = { .mv_size = strlen(key), .mv_data = (void *)key }, v;
	int rc = mdb_get(txn, dbi, &k, &v);

	if (rc)
		return rc;
	if (v.mv_size != 8)
		return MDB_CORRUPTED;
	*out = from_be64(v.mv_data);
	return 0;
}

static int meta_put64(MDB_txn *txn, MDB_dbi dbi, const char *key, uint64_t val)
{
	uint8_t b[8];
	MDB_val k = { .mv_size = strlen(key), .mv_data = (void *)key };
	MDB_val v = { .mv_size = 8, .mv_data = b };

	be64(val, b);
	return mdb_put(txn, dbi, &k, &v, 0);
}

/* Apply one journal record (a sequence of put/delete ops) to txn. */
static int apply_ops(MDB_txn *txn, const MDB_dbi *dbi, const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;
	int rc;

	while (p < end) {
		MDB_val k, v;
		uint32_t kl, vl;
		uint8_t op, db;

		if (end - p < 10)
			return MDB_CORRUPTED;
		op = p[0];
		db = p[1];
		kl = (uint32_t)p[2] << 24 | (uint32_t)p[3] << 16 | (uint32_t)p[4] << 8 | p[5];
		vl = (uint32_t)p[6] << 24 | (uint32_t)p[7] << 16 | (uint32_t)p[8] << 8 | p[9];
		p += 10;
		if (db >= DB_COUNT || (size_t)(end - p) < (size_t)kl + vl)
			return MDB_CORRUPTED;
		k.mv_data = (void *)p;
		k.mv_size = kl;
		v.mv_data = (void *)(p + kl);
		v.mv_size = vl;
		p += kl + vl;
		if (op == OP_PUT)
			rc = mdb_put(txn, dbi[db], &k, &v, 0);
		else if (op == OP_DEL)
			rc = mdb_del(txn, dbi[db], &k, NULL);
		else
			return MDB_CORRUPTED;
		if (rc && !(op == OP_DEL && rc == MDB_NOTFOUND))
			return rc;
	}
	return 0;
}

struct replay_arg {
	MDB_txn *txn;
	const MDB_dbi *dbi;
	int mdb_rc;
};

static int replay_one(const uint8_t *data, size_t len, void *arg)
{
	struct replay_arg *ra = arg;

	ra->mdb_rc = apply_ops(ra->txn, ra->dbi, data, len);
	return ra->mdb_rc ? SKY_E_STORE : 0;
}

/* Bring the journal's changes since the checkpoint into a new open_txn. */
static int replay_into_open_txn(struct store *s, struct sky_errbuf *eb)
{
	struct replay_arg ra = { .dbi = s->dbi };
	uint64_t last = s->ckpt_seq;
	int rc;

	if ((rc = mdb_txn_begin(s->env, NULL, 0, &s->open_txn)))
		return lmdb_err(eb, rc, "begin transaction", s->dir);
	ra.txn = s->open_txn;
	rc = journal_replay(s->jl, s->epoch, s->ckpt_seq + 1, replay_one, &ra, &last, eb);
	if (rc) {
		mdb_txn_abort(s->open_txn);
		s->open_txn = NULL;
		return lmdb_err(eb, ra.mdb_rc ? ra.mdb_rc : MDB_CORRUPTED,
				"replaying the journal", s->dir);
	}
	s->seq = last;
	return 0;
}

/* Read (or create) the epoch and the checkpointed sequence number. */
static int read_meta(struct store *s, MDB_txn *txn)
{
	int rc = meta_get64(txn, s->dbi[DB_META], meta_epoch, &s->epoch);

	if (rc == MDB_NOTFOUND) {
		if (getrandom(&s->epoch, sizeof(s->epoch), 0) != (ssize_t)sizeof(s->epoch))
			return errno ? errno : EIO;
		s->ckpt_seq = 0;
		if ((rc = meta_put64(txn, s->dbi[DB_META], meta_epoch, s->epoch)))
			return rc;
		return meta_put64(txn, s->dbi[DB_META], meta_seq, 0);
	}
	if (rc)
		return rc;
	return meta_get64(txn, s->dbi[DB_META], meta_seq, &s->ckpt_seq);
}

int store_open(const char *dir, uint64_t map_size, struct store **out, struct sky_errbuf *eb)
{
	static const char *const names[DB_COUNT] = { "jobs", "scripts", "history", "meta" };
	struct store *s = xcalloc(1, sizeof(*s));
	MDB_txn *txn = NULL;
	char *jpath = NULL;
	int rc, dead = 0, i;

	s->dir = xstrdup(dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		rc = sky_err_set(eb, SKY_E_STORE, "cannot create state directory %s: %s", dir,
				 strerror(errno));
		goto fail;
	}
	if ((rc = mdb_env_create(&s->env)))
		goto lfail;
	mdb_env_set_maxdbs(s->env, 8);
	mdb_env_set_mapsize(s->env, map_size ? map_size : (1ull << 30));
	if ((rc = mdb_env_open(s->env, dir, MDB_NOTLS, 0600)))
		goto lfail;
	/* A controller killed inside a read transaction leaves its reader slot behind. */
	mdb_reader_check(s->env, &dead);
	if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)))
		goto lfail;
	for (i = 0; i < DB_COUNT; i++)
		if ((rc = mdb_dbi_open(txn, names[i], MDB_CREATE, &s->dbi[i])))
			goto lfail;
	if ((rc = read_meta(s, txn)))
		goto lfail;
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc)
		goto lfail;
	jpath = xasprintf("%s/journal", dir);
	if ((rc = journal_open(jpath, &s->jl, eb)))
		goto fail;
	/* Changes acknowledged after the last checkpoint: checkpoint them now,
	 * so the journal starts empty. */
	if ((rc = replay_into_open_txn(s, eb)) || (rc = store_checkpoint(s, eb)))
		goto fail;
	free(jpath);
	*out = s;
	return 0;
lfail:
	rc = lmdb_err(eb, rc, "open", dir);
fail:
	if (txn)
		mdb_txn_abort(txn);
	if (s->open_txn)
		mdb_txn_abort(s->open_txn);
	journal_close(s->jl);
	if (s->env)
		mdb_env_close(s->env);
	free(jpath);
	free(s->dir);
	free(s);
	return rc;
}

int store_checkpoint(struct store *s, struct sky_errbuf *eb)
{
	int rc;

	if (!s->open_txn)
		return 0;
	if (s->seq == s->ckpt_seq) {
		/* Only reads went through it. */
		mdb_txn_abort(s->open_txn);
		s->open_txn = NULL;
		journal_rewind(s->jl);
		return 0;
	}
	if ((rc = meta_put64(s->open_txn, s->dbi[DB_META], meta_seq, s->seq))) {
		lmdb_err(eb, rc, "checkpoint", s->dir);
		goto failed;
	}
	rc = mdb_txn_commit(s->open_txn);
	s->open_txn = NULL;
	if (rc) {
		lmdb_err(eb, rc, "checkpoint", s->dir);
		goto failed;
	}
	s->ckpt_seq = s->seq;
	journal_rewind(s->jl);
	return 0;
failed:
	/* LMDB dropped the changes; the journal still has every one of them. */
	if (s->open_txn)
		mdb_txn_abort(s->open_txn);
	s->open_txn = NULL;
	{
		struct sky_errbuf tmp = { 0 };
		if (replay_into_open_txn(s, &tmp))
			sky_err_set(eb, SKY_E_STORE, "%s", sky_err_msg(&tmp));
	}
	return SKY_E_STORE;
}

bool store_dirty(const struct store *s)
{
	return s->open_txn != NULL;
}

void store_close(struct store *s)
{
	struct sky_errbuf eb = { 0 };

	if (!s)
		return;
	/* Nothing is lost if this fails: the next open replays the journal. */
	(void)store_checkpoint(s, &eb);
	if (s->open_txn)
		mdb_txn_abort(s->open_txn);
	journal_close(s->jl);
	mdb_env_close(s->env);
	free(s->dir);
	free(s);
}

int store_begin(struct store *s, bool write, struct store_txn **txn, struct sky_errbuf *eb)
{
	struct store_txn *t = xcalloc(1, sizeof(*t));
	int rc = 0;

	t->s = s;
	t->write = write;
	if (!s->open_txn && write && (rc = mdb_txn_begin(s->env, NULL, 0, &s->open_txn)))
		goto fail;
	if (write) {
		rc = mdb_txn_begin(s->env, s->open_txn, 0, &t->txn);
	} else if (s->open_txn) {
		t->txn = s->open_txn;
		t->borrowed = true;
	} else {
		rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &t->txn);
	}
	if (rc)
		goto fail;
	*txn = t;
	return 0;
fail:
	free(t);
	return lmdb_err(eb, rc, "begin transaction", s->dir);
}

static void txn_free(struct store_txn *t)
{
	free(t->ops);
	free(t);
}

int store_commit(struct store_txn *t, struct sky_errbuf *eb)
{
	struct store *s = t->s;
	int rc = 0;

	if (!t->write || !t->ops_len) {
		store_abort(t);
		return 0;
	}
	/* Journal first: a change that cannot be made durable is not made. */
	if ((rc = journal_append(s->jl, s->epoch, s->seq + 1, t->ops, t->ops_len, eb))) {
		store_abort(t);
		return rc;
	}
	rc = mdb_txn_commit(t->txn);
	t->txn = NULL;
	if (rc) {
		struct sky_errbuf tmp = { 0 };
		if (journal_retract(s->jl, &tmp))
			fatal("%s; and the journal record cannot be withdrawn: %s",
			      mdb_strerror(rc), sky_err_msg(&tmp));
		txn_free(t);
		return lmdb_err(eb, rc, "commit", s->dir);
	}
	s->seq++;
	txn_free(t);
	if (journal_used(s->jl) >= CKPT_JOURNAL_BYTES) {
		struct sky_errbuf tmp = { 0 };
		/* The change is durable already; a failed checkpoint is retried later. */
		(void)store_checkpoint(s, &tmp);
	}
	return 0;
}

void store_abort(struct store_txn *t)
{
	if (!t)
		return;
	if (t->txn && !t->borrowed)
		mdb_txn_abort(t->txn);
	txn_free(t);
}

/* Record one op for the journal; the same bytes are replayed by apply_ops(). */
static void log_op(struct store_txn *t, uint8_t op, int db, const MDB_val *k, const MDB_val *v)
{
	size_t vl = v ? v->mv_size : 0, need = 10 + k->mv_size + vl;
	uint8_t *p;

	if (t->ops_len + need > t->ops_cap) {
		t->ops_cap = (t->ops_len + need) * 2;
		t->ops = xrealloc(t->ops, t->ops_cap);
	}
	p = t->ops + t->ops_len;
	p[0] = op;
	p[1] = (uint8_t)db;
	p[2] = (uint8_t)(k->mv_size >> 24);
	p[3] = (uint8_t)(k->mv_size >> 16);
	p[4] = (uint8_t)(k->mv_size >> 8);
	p[5] = (uint8_t)k->mv_size;
	p[6] = (uint8_t)(vl >> 24);
	p[7] = (uint8_t)(vl >> 16);
	p[8] = (uint8_t)(vl >> 8);
	p[9] = (uint8_t)vl;
	memcpy(p + 10, k->mv_data, k->mv_size);
	if (vl)
		memcpy(p + 10 + k->mv_size, v->mv_data, vl);
	t->ops_len += need;
}

static int txn_put(struct store_txn *t, int db, MDB_val *k, MDB_val *v, const char *what,
		   struct sky_errbuf *eb)
{
	int rc;

	if (!t->write)
		return sky_err_set(eb, SKY_E_STORE, "state store %s: %s in a read transaction",
				   t->s->dir, what);
	if (v->mv_size > UINT32_MAX)
		return sky_err_set(eb, SKY_E_STORE, "state store %s: %s: value too large", t->s->dir,
				   what);
	if ((rc = mdb_put(t->txn, t->s->dbi[db], k, v, 0)))
		return lmdb_err(eb, rc, what, t->s->dir);
	log_op(t, OP_PUT, db, k, v);
	return 0;
}

static void id_key(uint32_t id, uint8_t k[4], MDB_val *v)
{
	k[0] = (uint8_t)(id >> 24);
	k[1] = (uint8_t)(id >> 16);
	k[2] = (uint8_t)(id >> 8);
	k[3] = (uint8_t)id;
	v->mv_data = k;
	v->mv_size = 4;
}

static int put_rec(struct store_txn *t, int db, const Sky__JobRecord *rec,
		   struct sky_errbuf *eb)
{
	uint8_t k[4];
	MDB_val key, val;
	int rc;

	id_key(rec->job_id, k, &key);
	val.mv_size = sky__job_record__get_packed_size(rec);
	val.mv_data = xmalloc(val.mv_size ? val.mv_size : 1);
	sky__job_record__pack(rec, val.mv_data);
	rc = txn_put(t, db, &key, &val, "put job", eb);
	free(val.mv_data);
	return rc;
}

static int get_rec(struct store_txn *t, int db, uint32_t id, Sky__JobRecord **rec,
		   struct sky_errbuf *eb)
{
	uint8_t k[4];
	MDB_val key, val;
	int rc;

	id_key(id, k, &key);
	rc = mdb_get(t->txn, t->s->dbi[db], &key, &val);
	if (rc == MDB_NOTFOUND)
		return sky_err_set(eb, SKY_E_NOT_FOUND, "job %u not in the store", id);
	if (rc)
		return lmdb_err(eb, rc, "get job", t->s->dir);
	*rec = sky__job_record__unpack(NULL, val.mv_size, val.mv_data);
	if (!*rec)
		return sky_err_set(eb, SKY_E_STORE, "stored record of job %u does not parse", id);
	return 0;
}

static int del_key(struct store_txn *t, int db, uint32_t id, struct sky_errbuf *eb)
{
	uint8_t k[4];
	MDB_val key;
	int rc;

	if (!t->write)
		return sky_err_set(eb, SKY_E_STORE, "state store %s: delete in a read transaction",
				   t->s->dir);
	id_key(id, k, &key);
	rc = mdb_del(t->txn, t->s->dbi[db], &key, NULL);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return lmdb_err(eb, rc, "delete", t->s->dir);
	log_op(t, OP_DEL, db, &key, NULL);
	return 0;
}

static int foreach_rec(struct store_txn *t, int db, store_job_cb cb, void *arg,
		       struct sky_errbuf *eb)
{
	MDB_cursor *cur;
	MDB_val key, val;
	int rc, r;

	if ((rc = mdb_cursor_open(t->txn, t->s->dbi[db], &cur)))
		return lmdb_err(eb, rc, "cursor", t->s->dir);
	for (r = mdb_cursor_get(cur, &key, &val, MDB_FIRST); r == 0;
	     r = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		Sky__JobRecord *rec = sky__job_record__unpack(NULL, val.mv_size, val.mv_data);
		if (!rec) {
			/* One damaged record must not make every other job unreachable. */
			continue;
		}
		if ((rc = cb(rec, arg)))
			break;
	}
	mdb_cursor_close(cur);
	if (r && r != MDB_NOTFOUND && !rc)
		rc = lmdb_err(eb, r, "cursor walk", t->s->dir);
	return rc;
}

int store_job_put(struct store_txn *t, const Sky__JobRecord *rec, struct sky_errbuf *eb)
{
	return put_rec(t, DB_JOBS, rec, eb);
}

int store_job_get(struct store_txn *t, uint32_t id, Sky__JobRecord **rec, struct sky_errbuf *eb)
{
	return get_rec(t, DB_JOBS, id, rec, eb);
}

int store_job_del(struct store_txn *t, uint32_t id, struct sky_errbuf *eb)
{
	return del_key(t, DB_JOBS, id, eb);
}

int store_job_foreach(struct store_txn *t, store_job_cb cb, void *arg, struct sky_errbuf *eb)
{
	return foreach_rec(t, DB_JOBS, cb, arg, eb);
}

int store_hist_put(struct store_txn *t, const Sky__JobRecord *rec, struct sky_errbuf *eb)
{
	return put_rec(t, DB_HISTORY, rec, eb);
}

int store_hist_get(struct store_txn *t, uint32_t id, Sky__JobRecord **rec, struct sky_errbuf *eb)
{
	return get_rec(t, DB_HISTORY, id, rec, eb);
}

int store_hist_foreach(struct store_txn *t, store_job_cb cb, void *arg, struct sky_errbuf *eb)
{
	return foreach_rec(t, DB_HISTORY, cb, arg, eb);
}

int store_script_put(struct store_txn *t, uint32_t id, const uint8_t *data, size_t len,
		     struct sky_errbuf *eb)
{
	uint8_t k[4];
	MDB_val key, val = { .mv_size = len, .mv_data = (void *)data };

	id_key(id, k, &key);
	return txn_put(t, DB_SCRIPTS, &key, &val, "put script", eb);
}

int store_script_get(struct store_txn *t, uint32_t id, uint8_t **data, size_t *len,
		     struct sky_errbuf *eb)
{
	uint8_t k[4];
	MDB_val key, val;
	int rc;

	id_key(id, k, &key);
	rc = mdb_get(t->txn, t->s->dbi[DB_SCRIPTS], &key, &val);
	if (rc == MDB_NOTFOUND)
		return sky_err_set(eb, SKY_E_NOT_FOUND, "no script stored for job %u", id);
	if (rc)
		return lmdb_err(eb, rc, "get script", t->s->dir);
	*data = xmalloc(val.mv_size + 1);
	memcpy(*data, val.mv_data, val.mv_size);
	*len = val.mv_size;
	return 0;
}

int store_script_del(struct store_txn *t, uint32_t id, struct sky_errbuf *eb)
{
	return del_key(t, DB_SCRIPTS, id, eb);
}

int store_meta_get_u32(struct store_txn *t, const char *key, uint32_t *val, struct sky_errbuf *eb)
{
	MDB_val k = { .mv_size = strlen(key), .mv_data = (void *)key }, v;
	const uint8_t *p;
	int rc = mdb_get(t->txn, t->s->dbi[DB_META], &k, &v);

	if (rc == MDB_NOTFOUND)
		return sky_err_set(eb, SKY_E_NOT_FOUND, "meta %s not set", key);
	if (rc)
		return lmdb_err(eb, rc, "get meta", t->s->dir);
	if (v.mv_size != 4)
		return sky_err_set(eb, SKY_E_STORE, "meta %s has %zu bytes, not 4", key, v.mv_size);
	p = v.mv_data;
	*val = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
	return 0;
}

int store_meta_put_u32(struct store_txn *t, const char *key, uint32_t val, struct sky_errbuf *eb)
{
	uint8_t b[4];
	MDB_val k = { .mv_size = strlen(key), .mv_data = (void *)key }, v;

	id_key(val, b, &v);
	return txn_put(t, DB_META, &k, &v, "put meta", eb);
}

int store_meta_get_blob(struct store_txn *t, const char *key, uint8_t **data, size_t *len,
			struct sky_errbuf *eb)
{
	MDB_val k = { .mv_size = strlen(key), .mv_data = (void *)key }, v;
	int rc = mdb_get(t->txn, t->s->dbi[DB_META], &k, &v);

	if (rc == MDB_NOTFOUND)
		return sky_err_set(eb, SKY_E_NOT_FOUND, "meta %s not set", key);
	if (rc)
		return lmdb_err(eb, rc, "get meta", t->s->dir);
	*data = xmalloc(v.mv_size + 1);
	memcpy(*data, v.mv_data, v.mv_size);
	*len = v.mv_size;
	return 0;
}

int store_meta_put_blob(struct store_txn *t, const char *key, const uint8_t *data, size_t len,
			struct sky_errbuf *eb)
{
	MDB_val k = { .mv_size = strlen(key), .mv_data = (void *)key },
		v = { .mv_size = len, .mv_data = (void *)data };

	return txn_put(t, DB_META, &k, &v, "put meta", eb);
}
