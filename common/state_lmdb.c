/* state_lmdb.c: see state_lmdb.h. */
#include "config.h"

#include <errno.h>
#include <lmdb.h>
#include <string.h>
#include <sys/stat.h>

#include "state_lmdb.h"
#include "xalloc.h"

struct store {
	MDB_env *env;
	MDB_dbi jobs, scripts, history, meta;
	char *dir;
};

struct store_txn {
	struct store *s;
	MDB_txn *txn;
};

static int lmdb_err(struct sky_errbuf *eb, int rc, const char *what, const char *dir)
{
	return sky_err_set(eb, SKY_E_STORE, "state store %s: %s: %s", dir ? dir : "", what,
			   mdb_strerror(rc));
}

int store_open(const char *dir, uint64_t map_size, struct store **out, struct sky_errbuf *eb)
{
	struct store *s = xmalloc(sizeof(*s));
	MDB_txn *txn = NULL;
	int rc, dead = 0;

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
	if ((rc = mdb_dbi_open(txn, "jobs", MDB_CREATE, &s->jobs)) ||
	    (rc = mdb_dbi_open(txn, "scripts", MDB_CREATE, &s->scripts)) ||
	    (rc = mdb_dbi_open(txn, "history", MDB_CREATE, &s->history)) ||
	    (rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &s->meta)))
		goto lfail;
	if ((rc = mdb_txn_commit(txn))) {
		txn = NULL;
		goto lfail;
	}
	*out = s;
	return 0;
lfail:
	rc = lmdb_err(eb, rc, "open", dir);
fail:
	if (txn)
		mdb_txn_abort(txn);
	if (s->env)
		mdb_env_close(s->env);
	free(s->dir);
	free(s);
	return rc;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	mdb_env_close(s->env);
	free(s->dir);
	free(s);
}

int store_begin(struct store *s, bool write, struct store_txn **txn, struct sky_errbuf *eb)
{
	struct store_txn *t = xmalloc(sizeof(*t));
	int rc = mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);

	if (rc) {
		free(t);
		return lmdb_err(eb, rc, "begin transaction", s->dir);
	}
	t->s = s;
	*txn = t;
	return 0;
}

int store_commit(struct store_txn *t, struct sky_errbuf *eb)
{
	int rc = mdb_txn_commit(t->txn);
	struct store *s = t->s;

	free(t);
	if (rc)
		return lmdb_err(eb, rc, "commit", s->dir);
	return 0;
}

void store_abort(struct store_txn *t)
{
	if (!t)
		return;
	mdb_txn_abort(t->txn);
	free(t);
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

static int put_rec(struct store_txn *t, MDB_dbi dbi, const Sky__JobRecord *rec,
		   struct sky_errbuf *eb)
{
	uint8_t k[4];
	MDB_val key, val;
	size_t len = sky__job_record__get_packed_size(rec);
	int rc;

	id_key(rec->job_id, k, &key);
	val.mv_size = len;
	val.mv_data = NULL;
	/* MDB_RESERVE lets protobuf-c pack straight into the page. */
	if ((rc = mdb_put(t->txn, dbi, &key, &val, MDB_RESERVE)))
		return lmdb_err(eb, rc, "put job", t->s->dir);
	sky__job_record__pack(rec, val.mv_data);
	return 0;
}

static int get_rec(struct store_txn *t, MDB_dbi dbi, uint32_t id, Sky__JobRecord **rec,
		   struct sky_errbuf *eb)
{
	uint8_t k[4];
	MDB_val key, val;
	int rc;

	id_key(id, k, &key);
	rc = mdb_get(t->txn, dbi, &key, &val);
	if (rc == MDB_NOTFOUND)
		return sky_err_set(eb, SKY_E_NOT_FOUND, "job %u not in the store", id);
	if (rc)
		return lmdb_err(eb, rc, "get job", t->s->dir);
	*rec = sky__job_record__unpack(NULL, val.mv_size, val.mv_data);
	if (!*rec)
		return sky_err_set(eb, SKY_E_STORE, "stored record of job %u does not parse", id);
	return 0;
}

static int del_key(struct store_txn *t, MDB_dbi dbi, uint32_t id, struct sky_errbuf *eb)
{
	uint8_t k[4];
	MDB_val key;
	int rc;

	id_key(id, k, &key);
	rc = mdb_del(t->txn, dbi, &key, NULL);
	if (rc && rc != MDB_NOTFOUND)
		return lmdb_err(eb, rc, "delete", t->s->dir);
	return 0;
}

static int foreach_rec(struct store_txn *t, MDB_dbi dbi, store_job_cb cb, void *arg,
		       struct sky_errbuf *eb)
{
	MDB_cursor *cur;
	MDB_val key, val;
	int rc, r;

	if ((rc = mdb_cursor_open(t->txn, dbi, &cur)))
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
	return put_rec(t, t->s->jobs, rec, eb);
}

int store_job_get(struct store_txn *t, uint32_t id, Sky__JobRecord **rec, struct sky_errbuf *eb)
{
	return get_rec(t, t->s->jobs, id, rec, eb);
}

int store_job_del(struct store_txn *t, uint32_t id, struct sky_errbuf *eb)
{
	return del_key(t, t->s->jobs, id, eb);
}

int store_job_foreach(struct store_txn *t, store_job_cb cb, void *arg, struct sky_errbuf *eb)
{
	return foreach_rec(t, t->s->jobs, cb, arg, eb);
}

int store_hist_put(struct store_txn *t, const Sky__JobRecord *rec, struct sky_errbuf *eb)
{
	return put_rec(t, t->s->history, rec, eb);
}

int store_hist_get(struct store_txn *t, uint32_t id, Sky__JobRecord **rec, struct sky_errbuf *eb)
{
	return get_rec(t, t->s->history, id, rec, eb);
}

int store_hist_foreach(struct store_txn *t, store_job_cb cb, void *arg, struct sky_errbuf *eb)
{
	return foreach_rec(t, t->s->history, cb, arg, eb);
}

int store_script_put(struct store_txn *t, uint32_t id, const uint8_t *data, size_t len,
		     struct sky_errbuf *eb)
{
	uint8_t k[4];
	MDB_val key, val = { .mv_size = len, .mv_data = (void *)data };
	int rc;

	id_key(id, k, &key);
	if ((rc = mdb_put(t->txn, t->s->scripts, &key, &val, 0)))
		return lmdb_err(eb, rc, "put script", t->s->dir);
	return 0;
}

int store_script_get(struct store_txn *t, uint32_t id, uint8_t **data, size_t *len,
		     struct sky_errbuf *eb)
{
	uint8_t k[4];
	MDB_val key, val;
	int rc;

	id_key(id, k, &key);
	rc = mdb_get(t->txn, t->s->scripts, &key, &val);
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
	return del_key(t, t->s->scripts, id, eb);
}

int store_meta_get_u32(struct store_txn *t, const char *key, uint32_t *val, struct sky_errbuf *eb)
{
	MDB_val k = { .mv_size = strlen(key), .mv_data = (void *)key }, v;
	const uint8_t *p;
	int rc = mdb_get(t->txn, t->s->meta, &k, &v);

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
	int rc;

	id_key(val, b, &v);
	if ((rc = mdb_put(t->txn, t->s->meta, &k, &v, 0)))
		return lmdb_err(eb, rc, "put meta", t->s->dir);
	return 0;
}
