/*
 * assoc_ops_test.c: sacctmgr's operations on a tree (assoc_ops.c), the
 * fair-share keys of slurm.conf (conf_priority.c, fs_conf_check) with their
 * file:line errors, and the store's meta blobs the tree is kept in.
 */
#include "config.h"

#include <string.h>

#include "assoc_ops.h"
#include "conf.h"
#include "fs_ctld.h"
#include "state_lmdb.h"
#include "unit.h"

/* A tree with its side records, as the controller's op_state. */
struct st {
	struct assoc_tree *t;
	char defs[8][2][32];
	size_t n_defs;
};

static void set_default(void *arg, const char *user, const char *acct)
{
	struct st *s = arg;

	for (size_t i = 0; i < s->n_defs; i++)
		if (!strcmp(s->defs[i][0], user)) {
			snprintf(s->defs[i][1], 32, "%s", acct ? acct : "");
			return;
		}
	snprintf(s->defs[s->n_defs][0], 32, "%s", user);
	snprintf(s->defs[s->n_defs++][1], 32, "%s", acct ? acct : "");
}

static bool user_exists(void *arg, const char *user)
{
	struct st *s = arg;

	for (size_t i = 0; i < s->n_defs; i++)
		if (!strcmp(s->defs[i][0], user))
			return true;
	return false;
}

static void set_descr(void *arg, const char *a, const char *d, const char *o)
{
	(void)arg, (void)a, (void)d, (void)o;
}

static void prune(void *arg)
{
	(void)arg;
}

/* Copy a then b to dst (sized by the caller); the length written. */
static size_t put2(char *dst, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	memcpy(dst, a, la);
	memcpy(dst + la, b, lb + 1);
	return la + lb;
}

/* Run one operation; returns its rc and the printed lines joined by '\n'. */
static int run(struct st *s, const char *op, const char *entity, const char *words,
	       char **text)
{
	char *copy = xstrdup(words), *w, *next, *names[8], *where[8], *set[8];
	struct aop_req rq = { .op = op, .entity = entity, .names = names, .where = where,
			      .set = set };
	struct aop_ctx x = { .tree = s->t, .cluster = "sky", .arg = s,
			     .set_default = set_default, .user_exists = user_exists,
			     .set_descr = set_descr, .prune_defaults = prune };
	struct aop_out o = { 0 };
	struct sky_errbuf eb;
	bool in_set = !strcmp(op, "add");
	size_t len = 1;
	int rc;

	for (w = *copy ? copy : NULL; w; w = next) {
		if ((next = strchr(w, ' ')))
			*next++ = '\0';
		if (!strcmp(w, "set"))
			in_set = true;
		else if (!strchr(w, '='))
			names[rq.n_names++] = w;
		else if (in_set)
			set[rq.n_set++] = w;
		else
			where[rq.n_where++] = w;
	}
	sky_err_clear(&eb);
	rc = aop_run(&x, &rq, &o, &eb);
	for (size_t i = 0; i < o.n; i++)
		len += strlen(o.lines[i]) + 1;
	*text = xcalloc(1, len + SKY_ERRBUF_LEN);
	len = 0;
	for (size_t i = 0; i < o.n; i++)
		len += (size_t)put2(*text + len, o.lines[i], "\n");
	if (rc)
		put2(*text + len, sky_err_msg(&eb), "");
	aop_out_free(&o);
	free(copy);
	return rc;
}

START_TEST(test_add_account_and_user)
{
	struct st s = { .t = assoc_tree_new() };
	struct assoc *a;
	char *out;

	ck_assert_int_eq(run(&s, "add", "account", "Bio Fairshare=3 GrpTRES=cpu=8", &out), 0);
	ck_assert_str_eq(out, " Adding Account(s)\n  bio\n Settings\n"
			 "  Description     = Account Name\n"
			 "  Organization    = Parent/Account Name\n Associations\n"
			 "  A = bio        C = sky       \n Settings\n  Parent        = root\n"
			 "  Fairshare     = 3\n  GrpTRES       = cpu=8\n");
	free(out);
	a = assoc_find(s.t, "bio", NULL, NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->shares_raw, 3);
	ck_assert_uint_eq(a->lim.grp_tres.v[TRES_CPU], 8);
	ck_assert_int_eq(run(&s, "add", "user", "ann Account=bio MaxJobs=2", &out), 0);
	ck_assert_str_eq(out, " Adding User(s)\n  ann\n Settings =\n  Default Account = bio\n"
			 " Associations =\n  U = ann       A = bio        C = sky       \n"
			 " Non Default Settings\n  MaxJobs       = 2\n");
	free(out);
	ck_assert_str_eq(s.defs[0][1], "bio");
	ck_assert_uint_eq(assoc_find(s.t, "bio", "ann", NULL)->lim.max_jobs, 2);
	/* Errors name what is wrong. */
	ck_assert_int_ne(run(&s, "add", "user", "bob Account=nope", &out), 0);
	ck_assert_str_eq(out, "This account 'nope' doesn't exist.");
	free(out);
	ck_assert_int_ne(run(&s, "add", "account", "x Parent=nope", &out), 0);
	ck_assert_str_eq(out, "Parent account 'nope' doesn't exist.");
	free(out);
	ck_assert_int_ne(run(&s, "add", "account", "x GrpTRES=bogus=1", &out), 0);
	free(out);
	ck_assert_ptr_null(assoc_find(s.t, "x", NULL, NULL));
	assoc_tree_free(s.t);
}
END_TEST

START_TEST(test_modify_and_delete)
{
	struct st s = { .t = assoc_tree_new() };
	char *out;

	ck_assert_int_eq(run(&s, "add", "account", "bio", &out), 0);
	free(out);
	ck_assert_int_eq(run(&s, "add", "account", "chem Parent=bio", &out), 0);
	free(out);
	ck_assert_int_eq(run(&s, "add", "user", "ann Account=bio,chem", &out), 0);
	free(out);
	ck_assert_int_eq(run(&s, "modify", "user", "ann Account=chem set MaxSubmitJobs=4 Fairshare=parent",
			     &out), 0);
	ck_assert_str_eq(out, " Modified user associations...\n"
			 "  C = sky        A = chem       U = ann      \n");
	free(out);
	ck_assert_uint_eq(assoc_find(s.t, "chem", "ann", NULL)->lim.max_submit_jobs, 4);
	ck_assert_uint_eq(assoc_find(s.t, "chem", "ann", NULL)->shares_raw, ASSOC_SHARES_PARENT);
	ck_assert_uint_eq(assoc_find(s.t, "bio", "ann", NULL)->lim.max_submit_jobs, ASSOC_UNSET32);
	/* -1 clears back to unset. */
	ck_assert_int_eq(run(&s, "modify", "user", "ann set MaxSubmitJobs=-1", &out), 0);
	free(out);
	ck_assert_uint_eq(assoc_find(s.t, "chem", "ann", NULL)->lim.max_submit_jobs, ASSOC_UNSET32);
	ck_assert_int_eq(run(&s, "modify", "account", "nobody set GrpJobs=1", &out), 0);
	ck_assert_str_eq(out, " Nothing modified\n");
	free(out);
	/* An account move through set Parent=. */
	ck_assert_int_eq(run(&s, "modify", "account", "chem set Parent=root", &out), 0);
	free(out);
	ck_assert_str_eq(assoc_find(s.t, "chem", NULL, NULL)->parent->acct, "root");
	ck_assert_int_eq(run(&s, "delete", "user", "ann Account=bio", &out), 0);
	ck_assert_str_eq(out, " Deleting user associations...\n"
			 "  C = sky        A = bio        U = ann      \n");
	free(out);
	ck_assert_ptr_null(assoc_find(s.t, "bio", "ann", NULL));
	ck_assert_ptr_nonnull(assoc_find(s.t, "chem", "ann", NULL));
	ck_assert_int_eq(run(&s, "delete", "account", "chem", &out), 0);
	ck_assert_str_eq(out, " Deleting accounts...\n  chem\n");
	free(out);
	ck_assert_ptr_null(assoc_find(s.t, "chem", "ann", NULL));
	ck_assert_int_eq(run(&s, "delete", "account", "chem", &out), 0);
	ck_assert_str_eq(out, " Nothing deleted\n");
	free(out);
	assoc_tree_free(s.t);
}
END_TEST

START_TEST(test_delete_refused_with_jobs)
{
	struct st s = { .t = assoc_tree_new() };
	char *out;

	ck_assert_int_eq(run(&s, "add", "account", "bio", &out), 0);
	free(out);
	assoc_find(s.t, "bio", NULL, NULL)->used_submit_jobs = 1;
	ck_assert_int_eq(run(&s, "delete", "account", "bio", &out), SKY_E_DISABLED);
	ck_assert_str_eq(out, " Deleting accounts...\n  bio\nJob(s) active, cancel job(s) before remove");
	free(out);
	ck_assert_ptr_nonnull(assoc_find(s.t, "bio", NULL, NULL));
	assoc_tree_free(s.t);
}
END_TEST

START_TEST(test_conf_keys)
{
	struct sky_conf *c = NULL;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	ck_assert_int_eq(conf_load_string("NodeName=n1\n"
					  "PriorityType=priority/multifactor\n"
					  "AccountingStorageEnforce=limits,qos\n"
					  "PriorityWeightFairshare=1000\nPriorityCalcPeriod=0:05\n"
					  "PartitionName=p Nodes=n1 TRESBillingWeights=CPU=2.0,Mem=0.5G\n",
					  "t.conf", &c, &eb), 0);
	ck_assert(c->prio_multifactor);
	ck_assert_uint_eq(c->acct_enforce, CONF_ENFORCE_ASSOCS | CONF_ENFORCE_LIMITS |
			  CONF_ENFORCE_QOS);
	ck_assert_int_eq(fs_conf_check(c, &eb), 0);
	conf_free(c);
	/* A bad value names the file and the line. */
	c = NULL;
	ck_assert_int_eq(conf_load_string("NodeName=n1\n\nPriorityWeightAge=lots\n", "t.conf", &c,
					  &eb), 0);
	ck_assert_int_eq(fs_conf_check(c, &eb), SKY_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(sky_err_msg(&eb), "t.conf:3: "));
	conf_free(c);
	c = NULL;
	sky_err_clear(&eb);
	ck_assert_int_eq(conf_load_string("NodeName=n1\nPartitionName=p Nodes=n1 "
					  "TRESBillingWeights=CPU=x\n", "t.conf", &c, &eb), 0);
	ck_assert_int_eq(fs_conf_check(c, &eb), SKY_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(sky_err_msg(&eb), "t.conf:2: "));
	conf_free(c);
	c = NULL;
	sky_err_clear(&eb);
	ck_assert_int_eq(conf_load_string("PriorityType=priority/fancy\n", "t.conf", &c, &eb),
			 SKY_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(sky_err_msg(&eb), "t.conf:1"));
	sky_err_clear(&eb);
	ck_assert_int_eq(conf_load_string("AccountingStorageEnforce=associations,bogus\n",
					  "t.conf", &c, &eb), SKY_E_CONFIG);
}
END_TEST

START_TEST(test_store_blob)
{
	char *dir = unit_tmpdir();
	struct store *st = NULL;
	struct store_txn *t = NULL;
	struct sky_errbuf eb;
	uint8_t *data = NULL;
	size_t len = 0;

	sky_err_clear(&eb);
	ck_assert_int_eq(store_open(dir, 0, &st, &eb), 0);
	ck_assert_int_eq(store_begin(st, true, &t, &eb), 0);
	ck_assert_int_eq(store_meta_get_blob(t, "tree", &data, &len, &eb), SKY_E_NOT_FOUND);
	ck_assert_int_eq(store_meta_put_blob(t, "tree", (const uint8_t *)"a\0b", 3, &eb), 0);
	ck_assert_int_eq(store_commit(t, &eb), 0);
	store_close(st);
	ck_assert_int_eq(store_open(dir, 0, &st, &eb), 0);
	ck_assert_int_eq(store_begin(st, false, &t, &eb), 0);
	ck_assert_int_eq(store_meta_get_blob(t, "tree", &data, &len, &eb), 0);
	ck_assert_uint_eq(len, 3);
	ck_assert(memcmp(data, "a\0b", 3) == 0);
	free(data);
	store_abort(t);
	store_close(st);
	unit_rmtree(dir);
	free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("assoc_ops");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_add_account_and_user);
	tcase_add_test(tc, test_modify_and_delete);
	tcase_add_test(tc, test_delete_refused_with_jobs);
	tcase_add_test(tc, test_conf_keys);
	tcase_add_test(tc, test_store_blob);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
