/* store_test.c: the LMDB state store (common/state_lmdb.h). */
#include "config.h"

#include <fcntl.h>
#include <lmdb.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state_lmdb.h"
#include "unit.h"

static char *dir;

static void tmp_setup(void)
{
	dir = unit_tmpdir();
}

static void tmp_teardown(void)
{
	unit_rmtree(dir);
	FREE_NULL(dir);
}

static struct store *open_store(void)
{
	struct sky_errbuf eb = { 0 };
	struct store *s = NULL;

	ck_assert_ok(store_open(dir, 0, &s, &eb), &eb);
	return s;
}

static struct store_txn *begin(struct store *s, bool write)
{
	struct sky_errbuf eb = { 0 };
	struct store_txn *t = NULL;

	ck_assert_ok(store_begin(s, write, &t, &eb), &eb);
	return t;
}

static void commit(struct store_txn *t)
{
	struct sky_errbuf eb = { 0 };
	ck_assert_ok(store_commit(t, &eb), &eb);
}

/* A minimal valid job record (desc points into static storage). */
static Sky__JobRecord make_job(uint32_t id, const char *name, Sky__JobDesc *desc)
{
	Sky__JobRecord rec = SKY__JOB_RECORD__INIT;
	Sky__JobDesc d = SKY__JOB_DESC__INIT;

	*desc = d;
	desc->name = (char *)name;
	rec.job_id = id;
	rec.desc = desc;
	rec.user_id = 1000 + id;
	rec.group_id = 100;
	rec.state = SKY__JOB_STATE__JOB_PENDING;
	rec.partition = "debug";
	return rec;
}

static void put_job(struct store_txn *t, uint32_t id, const char *name)
{
	struct sky_errbuf eb = { 0 };
	Sky__JobDesc d;
	Sky__JobRecord rec = make_job(id, name, &d);

	ck_assert_ok(store_job_put(t, &rec, &eb), &eb);
}

struct walk {
	uint32_t ids[16];
	char names[16][16];
	size_t n;
	uint32_t stop_at;
};

static int walk_cb(Sky__JobRecord *rec, void *arg)
{
	struct walk *w = arg;
	uint32_t id = rec->job_id;

	if (w->n < 16) {
		w->ids[w->n] = id;
		snprintf(w->names[w->n], sizeof(w->names[0]), "%s", rec->desc->name);
		w->n++;
	}
	sky__job_record__free_unpacked(rec, NULL);
	return (w->stop_at && id == w->stop_at) ? 99 : 0;
}

START_TEST(test_jobs_put_get_foreach_delete)
{
	struct sky_errbuf eb = { 0 };
	struct store *s = open_store();
	struct store_txn *t = begin(s, true);
	Sky__JobRecord *rec = NULL;
	struct walk w = { .n = 0 };

	/* Inserted out of order; ids above 255 check the big-endian key order. */
	put_job(t, 300, "c");
	put_job(t, 2, "a");
	put_job(t, 17, "b");
	commit(t);

	t = begin(s, false);
	ck_assert_ok(store_job_get(t, 17, &rec, &eb), &eb);
	ck_assert_uint_eq(rec->job_id, 17);
	ck_assert_str_eq(rec->desc->name, "b");
	ck_assert_uint_eq(rec->user_id, 1017);
	ck_assert_str_eq(rec->partition, "debug");
	sky__job_record__free_unpacked(rec, NULL);
	ck_assert_int_eq(store_job_get(t, 4, &rec, &eb), SKY_E_NOT_FOUND);
	ck_assert_ok(store_job_foreach(t, walk_cb, &w, &eb), &eb);
	store_abort(t);
	ck_assert_uint_eq(w.n, 3);
	ck_assert_uint_eq(w.ids[0], 2);
	ck_assert_uint_eq(w.ids[1], 17);
	ck_assert_uint_eq(w.ids[2], 300);
	ck_assert_str_eq(w.names[2], "c");

	/* A callback's non-zero return stops the walk and is returned. */
	memset(&w, 0, sizeof(w));
	w.stop_at = 17;
	t = begin(s, false);
	ck_assert_int_eq(store_job_foreach(t, walk_cb, &w, &eb), 99);
	store_abort(t);
	ck_assert_uint_eq(w.n, 2);

	/* Overwrite, delete, and deleting what is absent is fine. */
	t = begin(s, true);
	put_job(t, 17, "b2");
	ck_assert_ok(store_job_del(t, 2, &eb), &eb);
	ck_assert_ok(store_job_del(t, 2, &eb), &eb);
	commit(t);
	t = begin(s, false);
	ck_assert_int_eq(store_job_get(t, 2, &rec, &eb), SKY_E_NOT_FOUND);
	ck_assert_ok(store_job_get(t, 17, &rec, &eb), &eb);
	ck_assert_str_eq(rec->desc->name, "b2");
	sky__job_record__free_unpacked(rec, NULL);
	store_abort(t);
	store_close(s);
}
END_TEST

START_TEST(test_abort_discards)
{
	struct sky_errbuf eb = { 0 };
	struct store *s = open_store();
	struct store_txn *t = begin(s, true);
	Sky__JobRecord *rec = NULL;
	uint32_t v = 0;

	put_job(t, 5, "gone");
	ck_assert_ok(store_meta_put_u32(t, "next_job_id", 6, &eb), &eb);
	store_abort(t);
	t = begin(s, false);
	ck_assert_int_eq(store_job_get(t, 5, &rec, &eb), SKY_E_NOT_FOUND);
	ck_assert_int_eq(store_meta_get_u32(t, "next_job_id", &v, NULL), SKY_E_NOT_FOUND);
	store_abort(t);
	store_abort(NULL);
	store_close(s);
}
END_TEST

START_TEST(test_scripts_and_meta)
{
	struct sky_errbuf eb = { 0 };
	struct store *s = open_store();
	struct store_txn *t = begin(s, true);
	static const uint8_t script[] = "#!/bin/sh\necho hi\n\0binary\xff";
	uint8_t *data = NULL;
	size_t len = 0;
	uint32_t v = 0;

	ck_assert_ok(store_script_put(t, 9, script, sizeof(script), &eb), &eb);
	ck_assert_ok(store_script_put(t, 10, (const uint8_t *)"", 0, &eb), &eb);
	ck_assert_ok(store_meta_put_u32(t, "next_job_id", 0xdeadbeef, &eb), &eb);
	commit(t);

	t = begin(s, false);
	ck_assert_ok(store_script_get(t, 9, &data, &len, &eb), &eb);
	ck_assert_uint_eq(len, sizeof(script));
	ck_assert_int_eq(memcmp(data, script, len), 0);
	free(data);
	ck_assert_ok(store_script_get(t, 10, &data, &len, &eb), &eb);
	ck_assert_uint_eq(len, 0);
	free(data);
	ck_assert_int_eq(store_script_get(t, 11, &data, &len, &eb), SKY_E_NOT_FOUND);
	ck_assert_ok(store_meta_get_u32(t, "next_job_id", &v, &eb), &eb);
	ck_assert_uint_eq(v, 0xdeadbeef);
	ck_assert_int_eq(store_meta_get_u32(t, "other", &v, NULL), SKY_E_NOT_FOUND);
	store_abort(t);

	t = begin(s, true);
	ck_assert_ok(store_script_del(t, 9, &eb), &eb);
	commit(t);
	t = begin(s, false);
	ck_assert_int_eq(store_script_get(t, 9, &data, &len, NULL), SKY_E_NOT_FOUND);
	store_abort(t);
	store_close(s);
}
END_TEST

START_TEST(test_history)
{
	struct sky_errbuf eb = { 0 };
	struct store *s = open_store();
	struct store_txn *t = begin(s, true);
	Sky__JobDesc d;
	Sky__JobRecord rec = make_job(8, "old", &d), *got = NULL;
	struct walk w = { .n = 0 };

	rec.state = SKY__JOB_STATE__JOB_COMPLETE;
	ck_assert_ok(store_hist_put(t, &rec, &eb), &eb);
	commit(t);
	t = begin(s, false);
	ck_assert_ok(store_hist_get(t, 8, &got, &eb), &eb);
	ck_assert_int_eq(got->state, SKY__JOB_STATE__JOB_COMPLETE);
	sky__job_record__free_unpacked(got, NULL);
	/* History and live jobs are apart. */
	ck_assert_int_eq(store_job_get(t, 8, &got, NULL), SKY_E_NOT_FOUND);
	ck_assert_ok(store_hist_foreach(t, walk_cb, &w, &eb), &eb);
	ck_assert_uint_eq(w.n, 1);
	ck_assert_int_eq(store_hist_get(t, 9, &got, NULL), SKY_E_NOT_FOUND);
	store_abort(t);
	store_close(s);
}
END_TEST

START_TEST(test_reopen_keeps_data)
{
	struct sky_errbuf eb = { 0 };
	struct store *s = open_store();
	struct store_txn *t = begin(s, true);
	Sky__JobRecord *rec = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	uint32_t v = 0;

	put_job(t, 42, "durable");
	ck_assert_ok(store_script_put(t, 42, (const uint8_t *)"#!/bin/sh\n", 10, &eb), &eb);
	ck_assert_ok(store_meta_put_u32(t, "next_job_id", 43, &eb), &eb);
	commit(t);
	store_close(s);

	s = open_store();
	t = begin(s, false);
	ck_assert_ok(store_job_get(t, 42, &rec, &eb), &eb);
	ck_assert_str_eq(rec->desc->name, "durable");
	sky__job_record__free_unpacked(rec, NULL);
	ck_assert_ok(store_script_get(t, 42, &data, &len, &eb), &eb);
	ck_assert_uint_eq(len, 10);
	free(data);
	ck_assert_ok(store_meta_get_u32(t, "next_job_id", &v, &eb), &eb);
	ck_assert_uint_eq(v, 43);
	store_abort(t);
	store_close(s);
}
END_TEST

/* Write raw bytes under job id in the "jobs" database, behind the store's back. */
static void put_raw_job(uint32_t id, const void *bytes, size_t len)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	uint8_t k[4] = { (uint8_t)(id >> 24), (uint8_t)(id >> 16), (uint8_t)(id >> 8), (uint8_t)id };
	MDB_val key = { 4, k }, val = { len, (void *)bytes };

	ck_assert_int_eq(mdb_env_create(&env), 0);
	mdb_env_set_maxdbs(env, 8);
	mdb_env_set_mapsize(env, 1ull << 30);
	ck_assert_int_eq(mdb_env_open(env, dir, 0, 0600), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, "jobs", 0, &dbi), 0);
	ck_assert_int_eq(mdb_put(txn, dbi, &key, &val, 0), 0);
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

START_TEST(test_corrupt_record_skipped)
{
	struct sky_errbuf eb = { 0 };
	struct store *s = open_store();
	struct store_txn *t = begin(s, true);
	Sky__JobRecord *rec = NULL;
	struct walk w = { .n = 0 };

	put_job(t, 1, "one");
	put_job(t, 3, "three");
	commit(t);
	store_close(s);
	put_raw_job(2, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11);

	s = open_store();
	t = begin(s, false);
	ck_assert_ok(store_job_foreach(t, walk_cb, &w, &eb), &eb);
	ck_assert_uint_eq(w.n, 2);
	ck_assert_uint_eq(w.ids[0], 1);
	ck_assert_uint_eq(w.ids[1], 3);
	ck_assert_int_eq(store_job_get(t, 2, &rec, &eb), SKY_E_STORE);
	ck_assert_msg(strstr(eb.msg, "2") != NULL, "message '%s'", eb.msg);
	store_abort(t);
	store_close(s);
}
END_TEST

START_TEST(test_open_failure)
{
	struct sky_errbuf eb = { 0 };
	struct store *s = NULL;
	char *file = unit_write_file(dir, "plain-file", "x");
	char *under = xasprintf("%s/sub", file);

	/* A directory cannot be created under a regular file. */
	ck_assert_int_eq(store_open(under, 0, &s, &eb), SKY_E_STORE);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(eb.msg, under) != NULL, "message '%s'", eb.msg);
	free(under);
	free(file);
}
END_TEST

/* Whether job id is in LMDB itself (what a checkpoint wrote), bypassing the store. */
static bool raw_has_job(const char *d, uint32_t id)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	uint8_t k[4] = { (uint8_t)(id >> 24), (uint8_t)(id >> 16), (uint8_t)(id >> 8), (uint8_t)id };
	MDB_val key = { 4, k }, val;
	int rc;

	ck_assert_int_eq(mdb_env_create(&env), 0);
	mdb_env_set_maxdbs(env, 8);
	ck_assert_int_eq(mdb_env_open(env, d, MDB_RDONLY, 0600), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, "jobs", 0, &dbi), 0);
	rc = mdb_get(txn, dbi, &key, &val);
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return rc == 0;
}

/* In a child that then dies without closing the store (as under kill -9),
 * commit one transaction per id. */
static void commit_and_die(const char *d, const uint32_t *ids, size_t n)
{
	pid_t pid = fork();
	int st = 0;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct sky_errbuf eb = { 0 };
		struct store *s = NULL;
		size_t i;

		if (store_open(d, 0, &s, &eb))
			_exit(2);
		for (i = 0; i < n; i++) {
			struct store_txn *t = NULL;
			Sky__JobDesc desc;
			Sky__JobRecord rec = make_job(ids[i], "crash", &desc);
			if (store_begin(s, true, &t, &eb) || store_job_put(t, &rec, &eb) ||
			    store_commit(t, &eb))
				_exit(3);
		}
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_int_eq(st, 0);
}

static bool store_has_job(struct store *s, uint32_t id)
{
	struct sky_errbuf eb = { 0 };
	struct store_txn *t = begin(s, false);
	Sky__JobRecord *rec = NULL;
	int rc = store_job_get(t, id, &rec, &eb);

	if (rec)
		sky__job_record__free_unpacked(rec, NULL);
	store_abort(t);
	return rc == 0;
}

START_TEST(test_crash_replays_journal)
{
	const uint32_t ids[] = { 7, 8 };
	struct store *s;

	commit_and_die(dir, ids, 2);
	/* Acknowledged but never checkpointed: only the journal has them. */
	ck_assert(!raw_has_job(dir, 7));
	s = open_store();
	ck_assert(store_has_job(s, 7));
	ck_assert(store_has_job(s, 8));
	store_close(s);
	/* Opening checkpointed them. */
	ck_assert(raw_has_job(dir, 8));
}
END_TEST

START_TEST(test_torn_record_ignored)
{
	const uint32_t ids[] = { 1, 2 };
	char *path = xasprintf("%s/journal", dir);
	uint8_t buf[4096];
	struct store *s;
	ssize_t n, last = -1, i;
	int fd;

	commit_and_die(dir, ids, 2);
	/* Damage the last byte written: the tail of job 2's record. */
	fd = open(path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	n = pread(fd, buf, sizeof(buf), 0);
	for (i = 0; i < n; i++)
		if (buf[i])
			last = i;
	ck_assert_int_gt(last, 0);
	buf[last] ^= 0x5a;
	ck_assert_int_eq(pwrite(fd, buf + last, 1, last), 1);
	close(fd);
	s = open_store();
	ck_assert(store_has_job(s, 1));
	ck_assert(!store_has_job(s, 2));
	store_close(s);
	free(path);
}
END_TEST

START_TEST(test_other_stores_journal_ignored)
{
	const uint32_t ids[] = { 5 };
	char *other = xasprintf("%s/other", dir), *from = xasprintf("%s/other/journal", dir);
	char *to = xasprintf("%s/journal", dir);
	struct store *s;

	commit_and_die(other, ids, 1);
	store_close(open_store());
	/* This store's journal swapped for another store's, records and all. */
	ck_assert_int_eq(rename(from, to), 0);
	s = open_store();
	ck_assert(!store_has_job(s, 5));
	store_close(s);
	free(other);
	free(from);
	free(to);
}
END_TEST

START_TEST(test_reads_see_unchecked_writes)
{
	struct sky_errbuf eb = { 0 };
	struct store *s = open_store();
	struct store_txn *t = begin(s, true);

	put_job(t, 11, "eleven");
	commit(t);
	ck_assert(store_dirty(s));
	ck_assert(store_has_job(s, 11));
	ck_assert(!raw_has_job(dir, 11));
	ck_assert_ok(store_checkpoint(s, &eb), &eb);
	ck_assert(!store_dirty(s));
	ck_assert(raw_has_job(dir, 11));
	store_close(s);
}
END_TEST

static Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, test_jobs_put_get_foreach_delete);
	tcase_add_test(tc, test_abort_discards);
	tcase_add_test(tc, test_scripts_and_meta);
	tcase_add_test(tc, test_history);
	tcase_add_test(tc, test_reopen_keeps_data);
	tcase_add_test(tc, test_corrupt_record_skipped);
	tcase_add_test(tc, test_open_failure);
	tcase_add_test(tc, test_crash_replays_journal);
	tcase_add_test(tc, test_torn_record_ignored);
	tcase_add_test(tc, test_other_stores_journal_ignored);
	tcase_add_test(tc, test_reads_see_unchecked_writes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(store_suite());
}
