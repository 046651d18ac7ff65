/*
 * qos_test.c: QOS records (qos.c): keys and their errors, flags, the
 * stored form's round trip and its rejection of damage, per-user counters;
 * sacctmgr add|modify|delete qos (qos_ops.c) with its lines; and the
 * association keys QOS=/QOS+=/QOS-=/DefaultQOS= with inheritance.
 */
#include "config.h"

#include <string.h>

#include "qos_ops.h"
#include "unit.h"

/* The words of s (changed in place: spaces become NULs) into v; their count. */
static size_t words_of(char *s, char **v, size_t max)
{
	size_t n = 0;

	while (n < max) {
		s += strspn(s, " ");
		if (!*s)
			break;
		v[n++] = s;
		s += strcspn(s, " ");
		if (*s)
			*s++ = '\0';
	}
	return n;
}

/*
 * Run op on t as sacctmgr sends it: a words before "set" without '=' are
 * names, with '=' conditions (settings for add); after "set" settings.
 */
static int run(struct qos_table *t, const struct assoc_tree *tree, const char *op,
	       const char *words, char **text)
{
	char *copy = xstrdup(words), *v[24], *names[8], *where[8], *set[8];
	size_t n = words_of(copy, v, 24);
	struct aop_req rq = { .op = op, .entity = "qos", .names = names, .where = where,
			      .set = set };
	struct aop_out o = { 0 };
	struct sky_errbuf eb;
	bool add = !strcmp(op, "add"), after_set = false;
	int rc;

	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v[i], "set"))
			after_set = true;
		else if (!strchr(v[i], '='))
			names[rq.n_names++] = v[i];
		else
			*(add || after_set ? &set[rq.n_set++] : &where[rq.n_where++]) = v[i];
	}
	sky_err_clear(&eb);
	rc = qos_op_run(t, tree, &rq, &o, &eb);
	*text = xstrdup("");
	for (size_t i = 0; i < o.n; i++)
		xstrfmtcat(text, "%s\n", o.lines[i]);
	if (rc)
		xstrfmtcat(text, "%s", sky_err_msg(&eb));
	aop_out_free(&o);
	free(copy);
	return rc;
}

START_TEST(test_keys)
{
	struct assoc_tree *tree = assoc_tree_new();
	struct qos_table *t = qos_table_new();
	struct qos *q = qos_add(t, "High");
	struct sky_errbuf eb;
	char *s;

	ck_assert_str_eq(t->v[0]->name, "normal");
	ck_assert_str_eq(t->v[0]->description, "Normal QOS default");
	ck_assert_uint_eq(t->v[0]->id, 1);
	ck_assert_str_eq(q->name, "high");
	ck_assert_uint_eq(q->id, 2);
	ck_assert_ptr_eq(qos_find(t, "HIGH"), q);
	sky_err_clear(&eb);
	ck_assert_int_eq(qos_apply_key(&tree->tres, q, "priority", 0, "100", &eb), 0);
	ck_assert_int_eq(qos_apply_key(&tree->tres, q, "MaxJobsPU", 0, "2", &eb), 0);
	ck_assert_int_eq(qos_apply_key(&tree->tres, q, "MaxSubmitJobsPerUser", 0, "5", &eb), 0);
	ck_assert_int_eq(qos_apply_key(&tree->tres, q, "GrpTRES", 0, "cpu=8,mem=2G", &eb), 0);
	ck_assert_int_eq(qos_apply_key(&tree->tres, q, "MaxWall", 0, "1:00:00", &eb), 0);
	ck_assert_int_eq(qos_apply_key(&tree->tres, q, "UsageFactor", 0, "2.5", &eb), 0);
	ck_assert_int_eq(qos_apply_key(&tree->tres, q, "Flags", 0, "DenyOnLimit,NoReserve", &eb), 0);
	ck_assert_uint_eq(q->priority, 100);
	ck_assert_uint_eq(q->max_jobs_pu, 2);
	ck_assert_uint_eq(q->max_submit_pu, 5);
	ck_assert_uint_eq(q->grp_tres.v[TRES_CPU], 8);
	ck_assert_uint_eq(q->grp_tres.v[TRES_MEM], 2048);
	ck_assert_uint_eq(q->max_wall_mins, 60);
	ck_assert(q->usage_factor == 2.5);
	s = qos_flags_str(q->flags);
	ck_assert_str_eq(s, "DenyOnLimit,NoReserve");
	free(s);
	ck_assert_int_eq(qos_apply_key(&tree->tres, q, "Flags", '-', "NoReserve", &eb), 0);
	ck_assert_uint_eq(q->flags, QOS_FLAG_DENY_ON_LIMIT);
	ck_assert_int_eq(qos_apply_key(&tree->tres, q, "MaxJobsPU", 0, "-1", &eb), 0);
	ck_assert_uint_eq(q->max_jobs_pu, ASSOC_UNSET32);
	ck_assert_uint_eq(qos_max_priority(t), 100);
	/* Bad values name the key and the value; unknown keys are the caller's to word. */
	ck_assert_int_eq(qos_apply_key(&tree->tres, q, "GrpJobs", 0, "x", &eb), SKY_E_INVAL);
	ck_assert_str_eq(sky_err_msg(&eb), "Invalid value for GrpJobs: x");
	sky_err_clear(&eb);
	ck_assert_int_eq(qos_apply_key(&tree->tres, q, "Flags", 0, "Bogus", &eb), SKY_E_INVAL);
	ck_assert_str_eq(sky_err_msg(&eb), "Invalid QOS flag: Bogus");
	sky_err_clear(&eb);
	ck_assert_int_eq(qos_apply_key(&tree->tres, q, "Nope", 0, "1", &eb), SKY_E_NOT_FOUND);
	qos_table_free(t);
	assoc_tree_free(tree);
}
END_TEST

START_TEST(test_pack_round_trip)
{
	struct assoc_tree *tree = assoc_tree_new();
	struct qos_table *t = qos_table_new(), *r = NULL;
	struct qos *q = qos_add(t, "gpu");
	uint8_t *buf = NULL, *buf2 = NULL;
	size_t len = 0, len2 = 0;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	ck_assert_int_eq(tres_table_add(&tree->tres, "gres/gpu", NULL, &eb), 0);
	ck_assert_int_eq(qos_apply_key(&tree->tres, q, "MaxTRESPU", 0, "gres/gpu=2", &eb), 0);
	ck_assert_int_eq(qos_apply_key(&tree->tres, q, "Preempt", 0, "normal", &eb), 0);
	q->priority = 7;
	qos_remove(t, qos_add(t, "gone"));   /* its id stays retired */
	ck_assert_int_eq(qos_table_pack(t, &tree->tres, &buf, &len), 0);
	ck_assert_int_eq(qos_table_unpack(buf, len, &tree->tres, &r, &eb), 0);
	ck_assert_uint_eq(r->n, 2);
	ck_assert_uint_eq(r->next_id, 4);
	q = qos_find(r, "gpu");
	ck_assert_ptr_nonnull(q);
	ck_assert_uint_eq(q->priority, 7);
	ck_assert_str_eq(q->preempt, "normal");
	ck_assert_uint_eq(q->max_tres_pu.v[tres_table_find(&tree->tres, "gres/gpu")], 2);
	ck_assert_uint_eq(q->max_jobs_pu, ASSOC_UNSET32);
	ck_assert(q->usage_factor == 1.0);
	ck_assert_int_eq(qos_table_pack(r, &tree->tres, &buf2, &len2), 0);
	ck_assert_uint_eq(len, len2);
	ck_assert(memcmp(buf, buf2, len) == 0);
	qos_table_free(r);
	/* Damage is refused, not half-read. */
	ck_assert_int_eq(qos_table_unpack(buf, len - 1, &tree->tres, &r, &eb), SKY_E_STORE);
	free(buf);
	free(buf2);
	qos_table_free(t);
	assoc_tree_free(tree);
}
END_TEST

START_TEST(test_user_counters)
{
	struct qos_table *t = qos_table_new();
	struct qos *q = t->v[0];
	char name[16];

	/* Enough users to make the hash grow several times. */
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		qos_user_slot(q, name)->jobs += (uint32_t)i;
	}
	ck_assert_uint_eq(q->n_users, 300);
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		ck_assert_uint_eq(qos_user_find(q, name)->jobs, (uint32_t)i);
	}
	ck_assert_ptr_null(qos_user_find(q, "nobody"));
	qos_counts_zero(t);
	ck_assert_uint_eq(qos_user_find(q, "u7")->jobs, 0);
	qos_table_free(t);
}
END_TEST

START_TEST(test_ops)
{
	struct assoc_tree *tree = assoc_tree_new();
	struct qos_table *t = qos_table_new();
	struct assoc *a;
	char *out;

	ck_assert_int_eq(run(t, tree, "add", "high Priority=100 MaxJobsPU=2", &out), 0);
	ck_assert_str_eq(out, " Adding QOS(s)\n  high\n Settings\n"
			 "  Description    = QOS Name\n"
			 "  MaxJobsPerUser = 2\n"
			 "  Priority                 = 100\n");
	free(out);
	ck_assert_uint_eq(qos_find(t, "high")->id, 2);
	ck_assert_str_eq(qos_find(t, "high")->description, "high");
	ck_assert_uint_eq(qos_find(t, "high")->priority, 100);
	ck_assert_uint_eq(qos_find(t, "high")->max_jobs_pu, 2);
	ck_assert_uint_eq(qos_find(t, "high")->grp_jobs, ASSOC_UNSET32);
	ck_assert_int_eq(run(t, tree, "add", "high", &out), 0);
	ck_assert_str_eq(out, " Nothing new added.\n");
	free(out);
	/* Names may come as Name= too, several at once. */
	ck_assert_int_eq(run(t, tree, "add", "Name=a,b Description=two", &out), 0);
	ck_assert_str_eq(out, " Adding QOS(s)\n  a\n  b\n Settings\n  Description    = two\n");
	free(out);
	ck_assert_str_eq(qos_find(t, "b")->description, "two");
	ck_assert_uint_eq(qos_find(t, "b")->id, 4);
	ck_assert_int_ne(run(t, tree, "add", "Priority=3", &out), 0);
	ck_assert_str_eq(out, "Need name of qos to add.");
	free(out);
	ck_assert_int_ne(run(t, tree, "add", "x Bogus=1", &out), 0);
	ck_assert_str_eq(out, "Unknown option: Bogus=1");
	free(out);
	ck_assert_int_eq(run(t, tree, "modify", "Name=high set Priority=50 Flags+=DenyOnLimit",
			     &out), 0);
	ck_assert_str_eq(out, " Modified qos...\n  high\n");
	free(out);
	ck_assert_uint_eq(qos_find(t, "high")->priority, 50);
	ck_assert_uint_eq(qos_find(t, "high")->flags, QOS_FLAG_DENY_ON_LIMIT);
	ck_assert_int_eq(run(t, tree, "modify", "nosuch set Priority=1", &out), 0);
	ck_assert_str_eq(out, " Nothing modified\n");
	free(out);
	/* A QOS some association defaults to stays. */
	a = tree->root;
	ck_assert_int_eq(qos_assoc_apply(t, a, "DefaultQOS", "high", NULL), 0);
	ck_assert_int_ne(run(t, tree, "delete", "high", &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "  DefQOS = high       A = root"));
	free(out);
	ck_assert_int_eq(qos_assoc_apply(t, a, "DefaultQOS", "-1", NULL), 0);
	ck_assert_int_eq(run(t, tree, "delete", "high", &out), 0);
	ck_assert_str_eq(out, " Deleting QOS(s)...\n  high\n");
	free(out);
	ck_assert_ptr_null(qos_find(t, "high"));
	ck_assert_int_eq(run(t, tree, "delete", "high", &out), 0);
	ck_assert_str_eq(out, " Nothing deleted\n");
	free(out);
	qos_table_free(t);
	assoc_tree_free(tree);
}
END_TEST

START_TEST(test_assoc_keys)
{
	struct assoc_tree *tree = assoc_tree_new();
	struct qos_table *t = qos_table_new();
	struct assoc *acct, *user;
	struct sky_errbuf eb;
	uint8_t *buf = NULL;
	size_t len = 0;
	struct assoc_tree *r = NULL;

	sky_err_clear(&eb);
	qos_add(t, "high");
	qos_add(t, "low");
	ck_assert_int_eq(assoc_add_account(tree, "phys", NULL, 1, &acct, &eb), 0);
	ck_assert_int_eq(assoc_add_user(tree, "phys", "ann", NULL, 1, &user, &eb), 0);
	/* Nothing set anywhere: "normal", no default. */
	ck_assert_str_eq(qos_assoc_list(user), "normal");
	ck_assert_ptr_null(qos_assoc_default(user));
	/* The account's list is its users' until they have their own. */
	ck_assert_int_eq(qos_assoc_apply(t, acct, "QOS", "normal,High", &eb), 0);
	ck_assert_str_eq(qos_assoc_list(user), "normal,high");
	ck_assert_int_eq(qos_assoc_apply(t, user, "QOS+", "low", &eb), 0);
	ck_assert_str_eq(user->qos, "normal,high,low");
	ck_assert_int_eq(qos_assoc_apply(t, user, "QOS-", "normal", &eb), 0);
	ck_assert_str_eq(user->qos, "high,low");
	ck_assert_str_eq(acct->qos, "normal,high");
	ck_assert_int_eq(qos_assoc_apply(t, user, "DefaultQOS", "low", &eb), 0);
	ck_assert_str_eq(qos_assoc_default(user), "low");
	ck_assert(qos_list_has(user->qos, "LOW"));
	ck_assert(!qos_list_has(user->qos, "lo"));
	ck_assert_int_eq(qos_assoc_apply(t, user, "QOS", "bogus", &eb), SKY_E_INVAL);
	ck_assert_str_eq(sky_err_msg(&eb),
			 "You gave a bad qos 'bogus'.  Use 'list qos' to get complete list.");
	ck_assert_str_eq(user->qos, "high,low");
	ck_assert_int_eq(qos_assoc_apply(t, user, "MaxJobs", "1", &eb), SKY_E_NOT_FOUND);
	/* The lists are stored with the tree. */
	ck_assert_int_eq(assoc_tree_pack(tree, &buf, &len), 0);
	sky_err_clear(&eb);
	ck_assert_int_eq(assoc_tree_unpack(buf, len, &r, &eb), 0);
	user = assoc_find(r, "phys", "ann", NULL);
	ck_assert_str_eq(user->qos, "high,low");
	ck_assert_str_eq(user->def_qos, "low");
	ck_assert_str_eq(qos_assoc_list(assoc_find(r, "phys", NULL, NULL)), "normal,high");
	/* QOS= with nothing inherits again. */
	ck_assert_int_eq(qos_assoc_apply(t, user, "QOS", "-1", &eb), 0);
	ck_assert_str_eq(qos_assoc_list(user), "normal,high");
	free(buf);
	assoc_tree_free(r);
	qos_table_free(t);
	assoc_tree_free(tree);
}
END_TEST

/* A tree stored before QOS lists (version 1) still loads: its lists are inherited. */
START_TEST(test_tree_version1)
{
	struct assoc_tree *t = assoc_tree_new(), *r = NULL;
	struct sky_errbuf eb;
	uint8_t *buf = NULL;
	size_t len = 0;

	ck_assert_int_eq(assoc_tree_pack(t, &buf, &len), 0);
	/* Root only: its record ends with the two absent strings of version 2. */
	for (size_t i = len - 8; i < len; i++)
		ck_assert_uint_eq(buf[i], 0xff);
	buf[4] = 1;
	sky_err_clear(&eb);
	ck_assert_int_eq(assoc_tree_unpack(buf, len - 8, &r, &eb), 0);
	ck_assert_ptr_null(r->root->qos);
	ck_assert_str_eq(qos_assoc_list(r->root), "normal");
	assoc_tree_free(r);
	/* Version 2 without the strings is truncated. */
	buf[4] = 2;
	ck_assert_int_eq(assoc_tree_unpack(buf, len - 8, &r, &eb), SKY_E_STORE);
	free(buf);
	assoc_tree_free(t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("qos");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_pack_round_trip);
	tcase_add_test(tc, test_user_counters);
	tcase_add_test(tc, test_ops);
	tcase_add_test(tc, test_assoc_keys);
	tcase_add_test(tc, test_tree_version1);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
