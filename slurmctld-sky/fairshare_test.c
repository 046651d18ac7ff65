/*
 * fairshare_test.c: the association tree, usage decay and reset periods,
 * Fair Tree and classic fair share, and the multifactor priority, each
 * against values worked out by hand in the comments.
 */
#include "config.h"

#include <math.h>
#include <time.h>

#include "assoc.h"
#include "fairshare.h"
#include "priority.h"
#include "unit.h"

#define EPS 1e-9

static struct assoc *mkacct(struct assoc_tree *t, const char *name, const char *parent,
			  uint32_t shares)
{
	struct sky_errbuf eb;
	struct assoc *a = NULL;

	sky_err_clear(&eb);
	ck_assert_ok(assoc_add_account(t, name, parent, shares, &a, &eb), &eb);
	return a;
}

/* A user with shares whose usage is charged (so every ancestor sees it too). */
static struct assoc *user(struct assoc_tree *t, const char *account, const char *name,
			  uint32_t shares, double usage)
{
	struct sky_errbuf eb;
	struct assoc *a = NULL;

	sky_err_clear(&eb);
	ck_assert_ok(assoc_add_user(t, account, name, NULL, shares, &a, &eb), &eb);
	assoc_charge(t, a, NULL, usage, 0);
	return a;
}

static struct assoc *U(const struct assoc_tree *t, const char *account, const char *name)
{
	struct assoc *a = assoc_find(t, account, name, NULL);

	ck_assert_msg(a != NULL, "no user %s in %s", name, account);
	return a;
}

static struct assoc *A(const struct assoc_tree *t, const char *name)
{
	struct assoc *a = assoc_find(t, name, NULL, NULL);

	ck_assert_msg(a != NULL, "no account %s", name);
	return a;
}

static void fair_tree(struct assoc_tree *t)
{
	struct fs_params p = { FS_FAIR_TREE, 1 };

	fs_compute(t, &p);
}

#define ck_rank(t, acc, name, r)                                                              \
	do {                                                                                  \
		struct assoc *a_ = U(t, acc, name);                                            \
		ck_assert_msg(a_->fs.rank == (r), "%s: rank %u, expected %u", name,            \
			      a_->fs.rank, (unsigned)(r));                                     \
		ck_assert_double_eq_tol(a_->fs.fs_factor, (double)(r) / (t)->n_user, EPS);     \
	} while (0)

/*
 * The worked example (the shape of fair_tree.shtml's: accounts, a
 * sub-account and users, shares and usage):
 *
 *   root
 *    +- A   Fairshare=3   usage 600  (u1 + u2 + A1)
 *    |   +- u1  1  usage 100
 *    |   +- u2  1  usage 300
 *    |   +- A1  3  usage 200
 *    |       +- u3 1 usage 0
 *    |       +- u4 1 usage 200
 *    +- B   Fairshare=1   usage 100
 *    |   +- u5  1  usage 50
 *    |   +- u6  3  usage 50
 *    +- C   Fairshare=1   usage 0
 *        +- u7  1  usage 0
 *
 * root's children (shares 3+1+1 = 5, usage 700):
 *   A: S = 3/5 = .6, U = 600/700, LevelFS = .6 * 700/600 = 0.7
 *   B: S = .2,       U = 100/700, LevelFS = .2 * 7 = 1.4
 *   C: S = .2,       U = 0,       LevelFS = inf
 *   order C, B, A.
 * C (usage 0): u7 S = 1, U = 0 (parent usage 0) -> inf.         rank 7
 * B (shares 4): u5 S = .25, U = .5 -> .5; u6 S = .75, U = .5 -> 1.5
 *   order u6 (rank 6), u5 (rank 5).
 * A (shares 1+1+3 = 5): u1 S = .2, U = 100/600 -> 1.2;
 *   u2 S = .2, U = .5 -> .4; A1 S = .6, U = 200/600 -> 1.8
 *   order A1, u1, u2.
 * A1 (shares 2): u3 S = .5, U = 0 -> inf; u4 S = .5, U = 1 -> .5
 *   order u3 (rank 4), u4 (rank 3); then u1 (rank 2), u2 (rank 1).
 * Fair-share factor = rank / 7.
 */
static struct assoc_tree *example_tree(void)
{
	struct assoc_tree *t = assoc_tree_new();

	mkacct(t, "a", NULL, 3);
	mkacct(t, "b", NULL, 1);
	mkacct(t, "c", NULL, 1);
	user(t, "a", "u1", 1, 100);
	user(t, "a", "u2", 1, 300);
	mkacct(t, "a1", "a", 3);
	user(t, "a1", "u3", 1, 0);
	user(t, "a1", "u4", 1, 200);
	user(t, "b", "u5", 1, 50);
	user(t, "b", "u6", 3, 50);
	user(t, "c", "u7", 1, 0);
	return t;
}

START_TEST(test_fair_tree_example)
{
	struct assoc_tree *t = example_tree();

	fair_tree(t);
	ck_assert_uint_eq(t->n_user, 7);
	ck_assert_double_eq_tol(A(t, "a")->fs.level_fs, 0.7, EPS);
	ck_assert_double_eq_tol(A(t, "b")->fs.level_fs, 1.4, EPS);
	ck_assert(isinf(A(t, "c")->fs.level_fs));
	ck_assert_double_eq_tol(A(t, "a1")->fs.level_fs, 1.8, EPS);
	ck_assert_double_eq_tol(U(t, "a", "u1")->fs.level_fs, 1.2, EPS);
	ck_assert_double_eq_tol(U(t, "a", "u2")->fs.level_fs, 0.4, EPS);
	ck_assert(isinf(U(t, "a1", "u3")->fs.level_fs));
	ck_assert_double_eq_tol(U(t, "a1", "u4")->fs.level_fs, 0.5, EPS);
	ck_assert_double_eq_tol(U(t, "b", "u5")->fs.level_fs, 0.5, EPS);
	ck_assert_double_eq_tol(U(t, "b", "u6")->fs.level_fs, 1.5, EPS);
	ck_assert(isinf(U(t, "c", "u7")->fs.level_fs));
	ck_rank(t, "c", "u7", 7);
	ck_rank(t, "b", "u6", 6);
	ck_rank(t, "b", "u5", 5);
	ck_rank(t, "a1", "u3", 4);
	ck_rank(t, "a1", "u4", 3);
	ck_rank(t, "a", "u1", 2);
	ck_rank(t, "a", "u2", 1);
	/* Accounts are not ranked. */
	ck_assert_uint_eq(A(t, "a")->fs.rank, 0);
	assoc_tree_free(t);
}
END_TEST

START_TEST(test_fair_tree_sshare_values)
{
	struct assoc_tree *t = example_tree();
	struct fs_params p = { FS_FAIR_TREE, 1 };
	struct fs_share_row r;

	fs_compute(t, &p);
	/* A: RawShares 3, NormShares 3/5, RawUsage 600, EffectvUsage 600/700. */
	fs_share_row(t, A(t, "a"), &p, &r);
	ck_assert(!r.is_root && !r.shares_parent && !r.has_fairshare && r.has_level_fs);
	ck_assert_uint_eq(r.raw_shares, 3);
	ck_assert_double_eq_tol(r.norm_shares, 0.6, EPS);
	ck_assert_uint_eq(r.raw_usage, 600);
	ck_assert_double_eq_tol(r.effectv_usage, 600.0 / 700, EPS);
	ck_assert_double_eq_tol(r.norm_usage, 600.0 / 700, EPS);
	ck_assert_double_eq_tol(r.level_fs, 0.7, EPS);
	/* u4: S = 1/2 within a1; U = 200/200; NormUsage = 200/700; FairShare 3/7. */
	fs_share_row(t, U(t, "a1", "u4"), &p, &r);
	ck_assert(r.has_fairshare && r.has_level_fs);
	ck_assert_double_eq_tol(r.norm_shares, 0.5, EPS);
	ck_assert_double_eq_tol(r.effectv_usage, 1.0, EPS);
	ck_assert_double_eq_tol(r.norm_usage, 200.0 / 700, EPS);
	ck_assert_double_eq_tol(r.fairshare, 3.0 / 7, EPS);
	ck_assert_double_eq_tol(r.level_fs, 0.5, EPS);
	/* root: NormShares 0, EffectvUsage 1, NormUsage 1, no LevelFS. */
	fs_share_row(t, t->root, &p, &r);
	ck_assert(r.is_root && !r.has_level_fs && !r.has_fairshare);
	ck_assert_uint_eq(r.raw_usage, 700);
	ck_assert_double_eq_tol(r.norm_shares, 0, EPS);
	ck_assert_double_eq_tol(r.effectv_usage, 1.0, EPS);
	ck_assert_double_eq_tol(r.norm_usage, 1.0, EPS);
	assoc_tree_free(t);
}
END_TEST

/*
 * Tied users share a rank; the next untied user still counts them:
 *   x (shares 1+1+2+0 = 4, usage 200):
 *     t1 1 usage 100: S .25 U .5 -> .5
 *     t2 1 usage 100: S .25 U .5 -> .5   (tied with t1)
 *     t3 2 usage 0  : S .5  U 0  -> inf
 *     t4 0 usage 0  : S 0        -> 0    (S = 0 wins over U = 0)
 *   ranks (4 users): t3 4, t1 3, t2 3, t4 1 (rank-no-ties is 1 by then).
 */
START_TEST(test_tie_users_share_rank)
{
	struct assoc_tree *t = assoc_tree_new();

	mkacct(t, "x", NULL, 1);
	user(t, "x", "t1", 1, 100);
	user(t, "x", "t2", 1, 100);
	user(t, "x", "t3", 2, 0);
	user(t, "x", "t4", 0, 0);
	fair_tree(t);
	ck_assert_double_eq(U(t, "x", "t1")->fs.level_fs, 0.5);
	ck_assert_double_eq(U(t, "x", "t4")->fs.level_fs, 0);
	ck_rank(t, "x", "t3", 4);
	ck_rank(t, "x", "t1", 3);
	ck_rank(t, "x", "t2", 3);
	ck_rank(t, "x", "t4", 1);
	assoc_tree_free(t);
}
END_TEST

/*
 * Sibling accounts with equal LevelFS have their children merged:
 *   root: p (1, usage 100), q (1, usage 100): both S .5 U .5 -> 1, tied.
 *   p: p1 (1, usage 100) S .5 U 1 -> .5;   p2 (1, usage 0) -> inf
 *   q: q1 (1, usage 25)  S .5 U .25 -> 2;  q2 (1, usage 75) S .5 U .75 -> .667
 *   merged and sorted: p2 inf, q1 2, q2 .667, p1 .5 -> ranks 4, 3, 2, 1.
 * Without merging p's users would both come before q's (p2 4, p1 3, q1 2, q2 1).
 */
START_TEST(test_tie_accounts_merge_children)
{
	struct assoc_tree *t = assoc_tree_new();

	mkacct(t, "p", NULL, 1);
	mkacct(t, "q", NULL, 1);
	user(t, "p", "p1", 1, 100);
	user(t, "p", "p2", 1, 0);
	user(t, "q", "q1", 1, 25);
	user(t, "q", "q2", 1, 75);
	fair_tree(t);
	ck_assert_double_eq(A(t, "p")->fs.level_fs, A(t, "q")->fs.level_fs);
	ck_rank(t, "p", "p2", 4);
	ck_rank(t, "q", "q1", 3);
	ck_rank(t, "q", "q2", 2);
	ck_rank(t, "p", "p1", 1);
	assoc_tree_free(t);
}
END_TEST

/*
 * A user tied with a sibling account: the account's highest user gets the
 * user's rank.
 *   root: u0 (1, usage 50) S .5 U .5 -> 1;  k (1, usage 50) S .5 U .5 -> 1
 *   k: k1 (1, usage 10) S .5 U .2 -> 2.5;  k2 (1, usage 40) S .5 U .8 -> .625
 *   users sort before accounts on a tie: u0 rank 3; k starts tied, so k1
 *   keeps rank 3; k2 is not tied: rank = rank-no-ties = 1.
 */
START_TEST(test_tie_user_with_account)
{
	struct assoc_tree *t = assoc_tree_new();

	mkacct(t, "k", NULL, 1);
	user(t, "root", "u0", 1, 50);
	user(t, "k", "k1", 1, 10);
	user(t, "k", "k2", 1, 40);
	fair_tree(t);
	ck_assert_double_eq(U(t, "root", "u0")->fs.level_fs, 1.0);
	ck_assert_double_eq(A(t, "k")->fs.level_fs, 1.0);
	ck_rank(t, "root", "u0", 3);
	ck_rank(t, "k", "k1", 3);
	ck_rank(t, "k", "k2", 1);
	assoc_tree_free(t);
}
END_TEST

/*
 * No usage anywhere: every LevelFS is infinite, the accounts tie and merge,
 * the users tie: everybody has rank n and factor 1.0.
 */
START_TEST(test_zero_usage_is_infinite)
{
	struct assoc_tree *t = assoc_tree_new();

	mkacct(t, "e", NULL, 5);
	mkacct(t, "f", NULL, 1);
	user(t, "e", "e1", 1, 0);
	user(t, "e", "e2", 7, 0);
	user(t, "f", "f1", 1, 0);
	fair_tree(t);
	ck_assert(isinf(A(t, "e")->fs.level_fs) && isinf(A(t, "f")->fs.level_fs));
	ck_assert(isinf(U(t, "f", "f1")->fs.level_fs));
	ck_rank(t, "e", "e1", 3);
	ck_rank(t, "e", "e2", 3);
	ck_rank(t, "f", "f1", 3);
	ck_assert_double_eq(U(t, "f", "f1")->fs.fs_factor, 1.0);
	/* EffectvUsage is 0 when the parent has no usage (not NaN). */
	ck_assert_double_eq(U(t, "e", "e1")->fs.usage_efctv, 0);
	assoc_tree_free(t);
}
END_TEST

/*
 * Fairshare=0 gives LevelFS 0 even without usage, so an account with no
 * shares ranks below one that has used a lot:
 *   root: z (0 shares, usage 0) -> 0; w (1, usage 10) S 1 U 1 -> 1
 *   w1 rank 2, z1 rank 1 (z1 itself: S 1, U 0 -> inf, but z is below w).
 */
START_TEST(test_shares_zero)
{
	struct assoc_tree *t = assoc_tree_new();

	mkacct(t, "z", NULL, 0);
	mkacct(t, "w", NULL, 1);
	user(t, "z", "z1", 1, 0);
	user(t, "w", "w1", 1, 10);
	fair_tree(t);
	ck_assert_double_eq(A(t, "z")->fs.level_fs, 0);
	ck_assert_double_eq(A(t, "z")->fs.shares_norm, 0);
	ck_assert(isinf(U(t, "z", "z1")->fs.level_fs));
	ck_rank(t, "w", "w1", 2);
	ck_rank(t, "z", "z1", 1);
	assoc_tree_free(t);
}
END_TEST

/*
 * A Fairshare=parent user gets LevelFS infinity: first in its account
 * whatever its usage, but inside the account only:
 *   root: g (1, usage 100) S .5 U 1 -> .5; h (1, usage 0) -> inf
 *   g: gp (parent, usage 90) -> inf; g1 (1, usage 10) S 1 U .1 -> 10
 *   h1 rank 3, gp rank 2, g1 rank 1.
 * sshare: RawShares "parent", NormShares = g's (.5), no LevelFS.
 */
START_TEST(test_fairshare_parent_user)
{
	struct assoc_tree *t = assoc_tree_new();
	struct fs_params p = { FS_FAIR_TREE, 1 };
	struct fs_share_row r;

	mkacct(t, "g", NULL, 1);
	mkacct(t, "h", NULL, 1);
	user(t, "g", "gp", ASSOC_SHARES_PARENT, 90);
	user(t, "g", "g1", 1, 10);
	user(t, "h", "h1", 1, 0);
	fs_compute(t, &p);
	ck_assert(isinf(U(t, "g", "gp")->fs.level_fs));
	/* gp's shares are left out of the level: g1 has all of g's shares. */
	ck_assert_double_eq(U(t, "g", "g1")->fs.shares_norm, 1.0);
	ck_rank(t, "h", "h1", 3);
	ck_rank(t, "g", "gp", 2);
	ck_rank(t, "g", "g1", 1);
	fs_share_row(t, U(t, "g", "gp"), &p, &r);
	ck_assert(r.shares_parent && !r.has_level_fs && r.has_fairshare);
	ck_assert_double_eq_tol(r.norm_shares, 0.5, EPS);
	assoc_tree_free(t);
}
END_TEST

/*
 * A Fairshare=parent account disappears from fair share: its users compete
 * at its parent's level.
 *   root: ac (1, usage 100), bp (parent, usage 200: b1 0 + b2 200)
 *   fair-share children of root: ac, b1, b2 (shares 1+1+1 = 3, usage 300)
 *     ac: S 1/3 U 1/3 -> 1;  b1: S 1/3 U 0 -> inf;  b2: S 1/3 U 2/3 -> .5
 *   order b1, ac, b2: b1 rank 3, a1 (ac's user) rank 2, b2 rank 1.
 * With bp ranked as a normal account, its two users would be adjacent.
 */
START_TEST(test_fairshare_parent_account)
{
	struct assoc_tree *t = assoc_tree_new();

	mkacct(t, "ac", NULL, 1);
	mkacct(t, "bp", NULL, ASSOC_SHARES_PARENT);
	user(t, "ac", "a1", 1, 100);
	user(t, "bp", "b1", 1, 0);
	user(t, "bp", "b2", 1, 200);
	fair_tree(t);
	ck_assert_ptr_eq(U(t, "bp", "b2")->fs.fs_parent, t->root);
	ck_assert_uint_eq(U(t, "bp", "b2")->fs.level_shares, 3);
	ck_assert_double_eq_tol(U(t, "bp", "b2")->fs.level_fs, 0.5, EPS);
	ck_rank(t, "bp", "b1", 3);
	ck_rank(t, "ac", "a1", 2);
	ck_rank(t, "bp", "b2", 1);
	assoc_tree_free(t);
}
END_TEST

/*
 * A Fairshare=parent account must not take part even in tie handling:
 *   root: u0 (1, usage 50) S .5 U .5 -> 1; k (1, usage 50) -> 1: tied
 *   k's fair-share children: k1 (1, usage 10) S .5 U .2 -> 2.5 and, from
 *   the Fairshare=parent account kp, kp1 (1, usage 40) S .5 U .8 -> .625
 *   u0 rank 3; k starts tied, so k1 takes rank 3; kp1 rank 1.
 * Were kp ranked as an (empty, LevelFS infinite) account, it would come
 * first in k, use up the tie, and k1 would get rank 2.
 */
START_TEST(test_fairshare_parent_account_keeps_tie)
{
	struct assoc_tree *t = assoc_tree_new();

	mkacct(t, "k", NULL, 1);
	mkacct(t, "kp", "k", ASSOC_SHARES_PARENT);
	user(t, "root", "u0", 1, 50);
	user(t, "k", "k1", 1, 10);
	user(t, "kp", "kp1", 1, 40);
	fair_tree(t);
	ck_rank(t, "root", "u0", 3);
	ck_rank(t, "k", "k1", 3);
	ck_rank(t, "kp", "kp1", 1);
	assoc_tree_free(t);
}
END_TEST

/*
 * Classic, on the example tree (damping 1):
 *   NormShares is the product down the path: u1 = 3/5 * 1/5 = .12,
 *   a1 = 3/5 * 3/5 = .36, u3 = .36 * 1/2 = .18.
 *   EffectvUsage: a = 600/700 (parent root); u1 = 100/700 + (600/700 -
 *   100/700) * 1/5 = 2/7; a1 = 200/700 + (600-200)/700 * 3/5 = 440/700;
 *   u3 = 0 + 440/700 * 1/2 = 220/700.
 *   FairShare = 2^(-(U/S)): u1 = 2^(-(2/7)/.12) = 0.1919826204,
 *   u3 = 2^(-(220/700)/.18) = 0.2981206580, a = 2^(-(6/7)/.6) = 0.3714985723,
 *   u7 (no usage) = 1. Damping 2 halves the exponent: u1 0.4381582139.
 */
START_TEST(test_classic_example)
{
	struct assoc_tree *t = example_tree();
	struct fs_params p = { FS_CLASSIC, 1 };
	struct fs_share_row r;

	fs_compute(t, &p);
	ck_assert_double_eq_tol(U(t, "a", "u1")->fs.shares_norm, 0.12, EPS);
	ck_assert_double_eq_tol(A(t, "a1")->fs.shares_norm, 0.36, EPS);
	ck_assert_double_eq_tol(U(t, "a1", "u3")->fs.shares_norm, 0.18, EPS);
	ck_assert_double_eq_tol(U(t, "a", "u1")->fs.usage_efctv, 2.0 / 7, EPS);
	ck_assert_double_eq_tol(A(t, "a1")->fs.usage_efctv, 440.0 / 700, EPS);
	ck_assert_double_eq_tol(U(t, "a1", "u3")->fs.usage_efctv, 220.0 / 700, EPS);
	ck_assert_double_eq_tol(U(t, "a", "u1")->fs.fs_factor, 0.1919826204, 1e-9);
	ck_assert_double_eq_tol(U(t, "a1", "u3")->fs.fs_factor, 0.2981206580, 1e-9);
	ck_assert_double_eq_tol(A(t, "a")->fs.fs_factor, 0.3714985723, 1e-9);
	ck_assert_double_eq_tol(U(t, "b", "u6")->fs.fs_factor, 0.5612310242, 1e-9);
	ck_assert_double_eq(U(t, "c", "u7")->fs.fs_factor, 1.0);
	/* Classic sshare prints FairShare on accounts too, and no LevelFS. */
	fs_share_row(t, A(t, "a"), &p, &r);
	ck_assert(r.has_fairshare && !r.has_level_fs);
	ck_assert_double_eq_tol(r.fairshare, 0.3714985723, 1e-9);
	p.damp_factor = 2;
	fs_compute(t, &p);
	ck_assert_double_eq_tol(U(t, "a", "u1")->fs.fs_factor, 0.4381582139, 1e-9);
	assoc_tree_free(t);
}
END_TEST

/*
 * Classic with Fairshare=parent users and zero shares:
 *   root: m (1): mp (parent, usage 30), m1 (1, usage 10); n (0): n1 (1)
 *   mp takes m's NormShares/EffectvUsage/FairShare; n's users have S = 0 -> 0.
 */
START_TEST(test_classic_parent_and_zero)
{
	struct assoc_tree *t = assoc_tree_new();
	struct fs_params p = { FS_CLASSIC, 1 };

	mkacct(t, "m", NULL, 1);
	mkacct(t, "n", NULL, 0);
	user(t, "m", "mp", ASSOC_SHARES_PARENT, 30);
	user(t, "m", "m1", 1, 10);
	user(t, "n", "n1", 1, 0);
	fs_compute(t, &p);
	/* m: S = 1/1, U = 40/40 -> 2^-1. */
	ck_assert_double_eq_tol(A(t, "m")->fs.fs_factor, 0.5, EPS);
	ck_assert_double_eq_tol(U(t, "m", "mp")->fs.fs_factor, 0.5, EPS);
	ck_assert_double_eq_tol(U(t, "m", "mp")->fs.shares_norm, 1.0, EPS);
	ck_assert_double_eq(U(t, "n", "n1")->fs.shares_norm, 0);
	ck_assert_double_eq(U(t, "n", "n1")->fs.fs_factor, 0);
	assoc_tree_free(t);
}
END_TEST

/*
 * The Fair Tree guarantee on a larger random tree (100 accounts in two
 * levels, 1000 users): for every pair of sibling accounts with different
 * LevelFS, every user of the higher one ranks above every user of the
 * lower one; ranks stay in 1..n.
 */
static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 8) & 0xffffff;
}

static void subtree_rank_range(const struct assoc *a, uint32_t *lo, uint32_t *hi)
{
	if (a->user) {
		*lo = a->fs.rank < *lo ? a->fs.rank : *lo;
		*hi = a->fs.rank > *hi ? a->fs.rank : *hi;
	}
	for (size_t i = 0; i < a->n_child; i++)
		subtree_rank_range(a->child[i], lo, hi);
}

START_TEST(test_fair_tree_invariant_random)
{
	struct assoc_tree *t = assoc_tree_new();
	uint32_t seed = 42;
	char name[32], parent[32];

	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "acct%d", i);
		snprintf(parent, sizeof(parent), "acct%d", i % 10);
		mkacct(t, name, i < 10 ? NULL : parent, 1 + lcg(&seed) % 5);
	}
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "user%d", i);
		snprintf(parent, sizeof(parent), "acct%d", 10 + i % 90);
		user(t, parent, name, 1 + lcg(&seed) % 3, (double)(lcg(&seed) % 1000));
	}
	fair_tree(t);
	for (size_t id = 1; id < t->cap_id; id++) {
		struct assoc *p = assoc_find_id(t, (uint32_t)id);

		if (!p || p->user)
			continue;
		for (size_t i = 0; i < p->n_child; i++) {
			for (size_t j = 0; j < p->n_child; j++) {
				struct assoc *x = p->child[i], *y = p->child[j];
				uint32_t xlo = UINT32_MAX, xhi = 0, ylo = UINT32_MAX, yhi = 0;

				if (x->user || y->user || !(x->fs.level_fs > y->fs.level_fs))
					continue;
				subtree_rank_range(x, &xlo, &xhi);
				subtree_rank_range(y, &ylo, &yhi);
				ck_assert_msg(xlo > yhi, "%s (%g) ranks %u..%u, %s (%g) %u..%u",
					      x->acct, x->fs.level_fs, xlo, xhi, y->acct,
					      y->fs.level_fs, ylo, yhi);
			}
		}
		for (size_t i = 0; i < p->n_child; i++)
			if (p->child[i]->user)
				ck_assert(p->child[i]->fs.rank >= 1 && p->child[i]->fs.rank <= 1000);
	}
	assoc_tree_free(t);
}
END_TEST

/* --- usage, decay, reset ------------------------------------------------------- */

START_TEST(test_charge_reaches_every_ancestor)
{
	struct assoc_tree *t = example_tree();
	double tres[ASSOC_TRES_MAX] = { 0 };
	struct assoc *u3 = U(t, "a1", "u3");

	tres[TRES_CPU] = 3600;         /* 1 CPU-hour */
	tres[TRES_MEM] = 1024 * 3600;  /* 1 GB-hour, in MB-seconds */
	tres[TRES_BILLING] = 99;       /* ignored: billing is its own argument */
	assoc_charge(t, u3, tres, 7200, 60);
	ck_assert_double_eq(u3->usage_raw, 7200);
	ck_assert_double_eq(A(t, "a1")->usage_raw, 200 + 7200);
	ck_assert_double_eq(A(t, "a")->usage_raw, 600 + 7200);
	ck_assert_double_eq(t->root->usage_raw, 700 + 7200);
	ck_assert_double_eq(t->root->usage_tres[TRES_CPU], 3600);
	ck_assert_double_eq(A(t, "a1")->usage_tres[TRES_MEM], 1024 * 3600);
	ck_assert_double_eq(u3->usage_tres[TRES_BILLING], 7200);
	ck_assert_double_eq(t->root->grp_used_wall, 60);
	/* Siblings are untouched. */
	ck_assert_double_eq(A(t, "b")->usage_raw, 100);
	ck_assert_double_eq(U(t, "a1", "u4")->usage_raw, 200);
	assoc_tree_free(t);
}
END_TEST

/*
 * usage * 2^(-dt/h): one half-life halves, three leave 1/8, and 2^-(1/2)
 * after half of one; several small steps equal one big one; h = 0 never
 * decays.
 */
START_TEST(test_decay_half_lives)
{
	struct assoc_tree *t = example_tree();
	const uint32_t h = 3600;

	ck_assert_double_eq(fs_decay_factor(h, h), 0.5);
	ck_assert_double_eq(fs_decay_factor(3.0 * h, h), 0.125);
	ck_assert_double_eq_tol(fs_decay_factor(h / 2.0, h), M_SQRT1_2, 1e-15);
	ck_assert_double_eq(fs_decay_factor(12345, 0), 1.0);
	ck_assert_double_eq(fs_decay_factor(-5, h), 1.0);

	fs_decay(t, h, h);
	ck_assert_double_eq_tol(t->root->usage_raw, 350, 1e-9);
	ck_assert_double_eq_tol(U(t, "a", "u2")->usage_raw, 150, 1e-9);
	/* Two more half-lives in 12 five-minute steps each: 1/8 of 700. */
	for (int i = 0; i < 24; i++)
		fs_decay(t, 300, h);
	ck_assert_double_eq_tol(t->root->usage_raw, 87.5, 1e-9);
	ck_assert_double_eq_tol(A(t, "a")->usage_raw, 75, 1e-9);
	/* No decay with a half-life of 0. */
	fs_decay(t, 1e6, 0);
	ck_assert_double_eq_tol(t->root->usage_raw, 87.5, 1e-9);
	/* LevelFS depends on ratios only: decay does not change the ranking. */
	fair_tree(t);
	ck_rank(t, "b", "u6", 6);
	ck_rank(t, "a", "u2", 1);
	fs_reset_usage(t);
	ck_assert_double_eq(t->root->usage_raw, 0);
	ck_assert_double_eq(U(t, "a", "u2")->usage_raw, 0);
	assoc_tree_free(t);
}
END_TEST

/*
 * Slurm's per-second factor (1 - 0.693/h), applied h times, is within
 * 0.015 % of our 2^-1 for a 7-day half-life: the two agree to first order.
 */
START_TEST(test_decay_matches_slurm_first_order)
{
	const double h = 7 * 86400.0;
	double slurm = pow(1.0 - 0.693 / h, h);

	ck_assert_double_eq_tol(slurm, fs_decay_factor(h, (uint32_t)h), 0.5 * 0.00015);
	/* Over one 5-minute PriorityCalcPeriod the difference is ~1e-8. */
	ck_assert_double_eq_tol(pow(1.0 - 0.693 / h, 300), fs_decay_factor(300, (uint32_t)h),
				1e-7);
}
END_TEST

static time_t mk(int y, int mon, int d, int H, int M, int S)
{
	struct tm tm = { 0 };

	tm.tm_year = y - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = d;
	tm.tm_hour = H;
	tm.tm_min = M;
	tm.tm_sec = S;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

START_TEST(test_reset_periods)
{
	set_tz("UTC");
	ck_assert_int_eq(fs_next_reset(FS_RESET_NONE, mk(2026, 5, 5, 5, 5, 5)), 0);
	ck_assert_int_eq(fs_next_reset(FS_RESET_NOW, 1234567), 1234567);
	/* DAILY: next midnight, strictly after (midnight itself -> the next one). */
	ck_assert_int_eq(fs_next_reset(FS_RESET_DAILY, mk(2026, 1, 31, 15, 0, 0)),
			 mk(2026, 2, 1, 0, 0, 0));
	ck_assert_int_eq(fs_next_reset(FS_RESET_DAILY, mk(2026, 2, 1, 0, 0, 0)),
			 mk(2026, 2, 2, 0, 0, 0));
	ck_assert_int_eq(fs_next_reset(FS_RESET_DAILY, mk(2026, 12, 31, 23, 59, 59)),
			 mk(2027, 1, 1, 0, 0, 0));
	/* WEEKLY: Sunday 00:00. 2026-11-22 is a Sunday. */
	ck_assert_int_eq(fs_next_reset(FS_RESET_WEEKLY, mk(2026, 11, 25, 10, 0, 0)),
			 mk(2026, 11, 29, 0, 0, 0));
	ck_assert_int_eq(fs_next_reset(FS_RESET_WEEKLY, mk(2026, 11, 22, 13, 0, 0)),
			 mk(2026, 11, 29, 0, 0, 0));
	ck_assert_int_eq(fs_next_reset(FS_RESET_WEEKLY, mk(2026, 11, 21, 23, 59, 59)),
			 mk(2026, 11, 22, 0, 0, 0));
	/* MONTHLY: the 1st; across a year end and from the 1st itself. */
	ck_assert_int_eq(fs_next_reset(FS_RESET_MONTHLY, mk(2026, 1, 31, 12, 0, 0)),
			 mk(2026, 2, 1, 0, 0, 0));
	ck_assert_int_eq(fs_next_reset(FS_RESET_MONTHLY, mk(2026, 12, 15, 0, 0, 0)),
			 mk(2027, 1, 1, 0, 0, 0));
	ck_assert_int_eq(fs_next_reset(FS_RESET_MONTHLY, mk(2028, 2, 1, 0, 0, 0)),
			 mk(2028, 3, 1, 0, 0, 0));
	/* QUARTERLY: Jan 1, Apr 1, Jul 1, Oct 1. */
	ck_assert_int_eq(fs_next_reset(FS_RESET_QUARTERLY, mk(2026, 3, 31, 23, 59, 0)),
			 mk(2026, 4, 1, 0, 0, 0));
	ck_assert_int_eq(fs_next_reset(FS_RESET_QUARTERLY, mk(2026, 4, 1, 0, 0, 0)),
			 mk(2026, 7, 1, 0, 0, 0));
	ck_assert_int_eq(fs_next_reset(FS_RESET_QUARTERLY, mk(2026, 9, 30, 8, 0, 0)),
			 mk(2026, 10, 1, 0, 0, 0));
	ck_assert_int_eq(fs_next_reset(FS_RESET_QUARTERLY, mk(2026, 11, 5, 0, 0, 0)),
			 mk(2027, 1, 1, 0, 0, 0));
	/* YEARLY. */
	ck_assert_int_eq(fs_next_reset(FS_RESET_YEARLY, mk(2026, 12, 31, 23, 59, 59)),
			 mk(2027, 1, 1, 0, 0, 0));
	ck_assert_int_eq(fs_next_reset(FS_RESET_YEARLY, mk(2027, 1, 1, 0, 0, 0)),
			 mk(2028, 1, 1, 0, 0, 0));
	/* In seconds, to be sure mk() is not hiding an error: 2026-02-01 UTC. */
	ck_assert_int_eq(fs_next_reset(FS_RESET_MONTHLY, 1769860800 /* 2026-01-31 12:00 */),
			 1769904000);
}
END_TEST

/* Local time: a day across the end of DST is 25 hours long. */
START_TEST(test_reset_period_dst)
{
	time_t mid;

	set_tz("America/New_York");
	mid = fs_next_reset(FS_RESET_DAILY, mk(2026, 10, 31, 12, 0, 0));
	ck_assert_int_eq(mid, mk(2026, 11, 1, 0, 0, 0));
	ck_assert_int_eq(fs_next_reset(FS_RESET_DAILY, mid) - mid, 25 * 3600);
	/* And 23 hours at its start (2026-03-08). */
	mid = fs_next_reset(FS_RESET_DAILY, mk(2026, 3, 7, 12, 0, 0));
	ck_assert_int_eq(fs_next_reset(FS_RESET_DAILY, mid) - mid, 23 * 3600);
	set_tz("UTC");
}
END_TEST

START_TEST(test_reset_period_parse)
{
	struct sky_errbuf eb;
	enum fs_reset_period p = FS_RESET_NONE;

	sky_err_clear(&eb);
	ck_assert_ok(fs_reset_period_parse("quarterly", &p, &eb), &eb);
	ck_assert_int_eq(p, FS_RESET_QUARTERLY);
	ck_assert_str_eq(fs_reset_period_str(p), "QUARTERLY");
	ck_assert_ok(fs_reset_period_parse("NOW", &p, &eb), &eb);
	ck_assert_int_eq(p, FS_RESET_NOW);
	ck_assert_int_eq(fs_reset_period_parse("hourly", &p, &eb), SKY_E_INVAL);
	ck_assert_ptr_nonnull(strstr(sky_err_msg(&eb), "hourly"));
	ck_assert_int_eq(p, FS_RESET_NOW);
}
END_TEST

/* --- the tree ------------------------------------------------------------------- */

static int list_one(struct assoc *a, int depth, void *arg)
{
	xstrfmtcat((char **)arg, "%s%d:%s", **(char **)arg ? " " : "", depth, assoc_name(a));
	return 0;
}

static char *list_tree(const struct assoc_tree *t)
{
	char *s = xstrdup("");

	assoc_foreach(t, list_one, &s);
	return s;
}

START_TEST(test_tree_add_find_delete)
{
	struct assoc_tree *t = example_tree();
	struct sky_errbuf eb;
	struct assoc *pu = NULL;
	char *s;

	sky_err_clear(&eb);
	s = list_tree(t);
	ck_assert_str_eq(s, "0:root 1:a 2:u1 2:u2 2:a1 3:u3 3:u4 1:b 2:u5 2:u6 1:c 2:u7");
	free(s);
	ck_assert_uint_eq(t->n_assoc, 12);
	/* Errors. */
	ck_assert_int_eq(assoc_add_account(t, "a", NULL, 1, NULL, &eb), SKY_E_DISABLED);
	sky_err_clear(&eb);
	ck_assert_int_eq(assoc_add_account(t, "d", "nosuch", 1, NULL, &eb), SKY_E_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(sky_err_msg(&eb), "nosuch"));
	sky_err_clear(&eb);
	ck_assert_int_eq(assoc_add_user(t, "a", "u1", NULL, 1, NULL, &eb), SKY_E_DISABLED);
	sky_err_clear(&eb);
	ck_assert_int_eq(assoc_add_user(t, "nosuch", "u1", NULL, 1, NULL, &eb), SKY_E_NOT_FOUND);
	sky_err_clear(&eb);
	ck_assert_int_eq(assoc_add_account(t, "", NULL, 1, NULL, &eb), SKY_E_INVAL);
	sky_err_clear(&eb);
	/* A per-partition association of u1, found first for jobs in that partition. */
	ck_assert_ok(assoc_add_user(t, "a", "u1", "gpu", 5, &pu, &eb), &eb);
	ck_assert_ptr_eq(assoc_find_for_job(t, "a", "u1", "gpu"), pu);
	ck_assert_ptr_eq(assoc_find_for_job(t, "a", "u1", "cpu"), U(t, "a", "u1"));
	ck_assert_ptr_eq(assoc_find_for_job(t, "a", "u1", NULL), U(t, "a", "u1"));
	ck_assert_ptr_null(assoc_find_for_job(t, "b", "u1", NULL));
	ck_assert_ptr_eq(assoc_find_id(t, pu->id), pu);
	ck_assert_uint_eq(t->n_user, 8);
	/* The same user in two accounts is two associations. */
	ck_assert_ok(assoc_add_user(t, "b", "u1", NULL, 1, NULL, &eb), &eb);
	ck_assert_ptr_ne(U(t, "b", "u1"), U(t, "a", "u1"));
	/* Move a1 under b: its users follow. */
	ck_assert_ok(assoc_move_account(t, "a1", "b", &eb), &eb);
	ck_assert_ptr_eq(A(t, "a1")->parent, A(t, "b"));
	ck_assert_int_eq(assoc_move_account(t, "b", "a1", &eb), SKY_E_INVAL);
	sky_err_clear(&eb);
	s = list_tree(t);
	ck_assert_str_eq(s, "0:root 1:a 2:u1 2:u2 2:u1 1:b 2:u5 2:u6 2:u1 2:a1 3:u3 3:u4 "
			    "1:c 2:u7");
	free(s);
	/* Delete refuses while a job is live, then takes the subtree. */
	U(t, "a1", "u4")->used_submit_jobs = 1;
	ck_assert_int_eq(assoc_delete(t, A(t, "b"), &eb), SKY_E_DISABLED);
	sky_err_clear(&eb);
	U(t, "a1", "u4")->used_submit_jobs = 0;
	{
		uint32_t u3id = U(t, "a1", "u3")->id;

		ck_assert_ok(assoc_delete(t, A(t, "b"), &eb), &eb);
		ck_assert_ptr_null(assoc_find_id(t, u3id));
	}
	ck_assert_ptr_null(assoc_find(t, "a1", "u3", NULL));
	ck_assert_ptr_null(assoc_find(t, "b", NULL, NULL));
	ck_assert_uint_eq(t->n_assoc, 7);
	ck_assert_uint_eq(t->n_user, 4);
	ck_assert_int_eq(assoc_delete(t, t->root, &eb), SKY_E_INVAL);
	/* Ids are never reused. */
	sky_err_clear(&eb);
	ck_assert_ok(assoc_add_account(t, "b", NULL, 1, &pu, &eb), &eb);
	ck_assert_uint_eq(pu->id, 15);
	assoc_tree_free(t);
}
END_TEST

/* Many associations: the lookup table grows and still finds everything. */
START_TEST(test_tree_many_lookups)
{
	struct assoc_tree *t = assoc_tree_new();
	char a[32], u[32];

	for (int i = 0; i < 100; i++) {
		snprintf(a, sizeof(a), "acct%d", i);
		mkacct(t, a, NULL, 1);
	}
	for (int i = 0; i < 3000; i++) {
		snprintf(a, sizeof(a), "acct%d", i % 100);
		snprintf(u, sizeof(u), "user%d", i);
		user(t, a, u, 1, 0);
	}
	for (int i = 0; i < 3000; i++) {
		struct assoc *x;

		snprintf(a, sizeof(a), "acct%d", i % 100);
		snprintf(u, sizeof(u), "user%d", i);
		x = assoc_find(t, a, u, NULL);
		ck_assert_ptr_nonnull(x);
		ck_assert_str_eq(x->user, u);
		ck_assert_ptr_null(assoc_find(t, a, u, "p"));
	}
	assoc_tree_free(t);
}
END_TEST

/* --- TRES strings --------------------------------------------------------------- */

START_TEST(test_tres_parse)
{
	struct assoc_tree *t = assoc_tree_new();
	struct sky_errbuf eb;
	struct tres_vec v;
	size_t gpu;
	char *s;

	sky_err_clear(&eb);
	ck_assert_ok(tres_table_add(&t->tres, "gres/gpu", &gpu, &eb), &eb);
	ck_assert_uint_eq(gpu, TRES_STATIC_CNT);
	tres_vec_unset(&v);
	ck_assert_ok(tres_parse(&t->tres, "cpu=20,mem=10G,gres/gpu=4,billing=100", &v, &eb), &eb);
	ck_assert_uint_eq(v.v[TRES_CPU], 20);
	ck_assert_uint_eq(v.v[TRES_MEM], 10240);
	ck_assert_uint_eq(v.v[gpu], 4);
	ck_assert_uint_eq(v.v[TRES_BILLING], 100);
	ck_assert_uint_eq(v.v[TRES_NODE], ASSOC_UNSET64);
	s = tres_vec_str(&t->tres, &v);
	ck_assert_str_eq(s, "cpu=20,mem=10G,billing=100,gres/gpu=4");
	free(s);
	/* Onto existing limits: names are case-insensitive, 0 is a limit, -1 clears. */
	ck_assert_ok(tres_parse(&t->tres, "CPU=0,GRES/GPU=-1,node=2k,mem=1536", &v, &eb), &eb);
	ck_assert_uint_eq(v.v[TRES_CPU], 0);
	ck_assert_uint_eq(v.v[gpu], ASSOC_UNSET64);
	ck_assert_uint_eq(v.v[TRES_NODE], 2048);
	ck_assert_uint_eq(v.v[TRES_MEM], 1536);
	s = tres_vec_str(&t->tres, &v);
	ck_assert_str_eq(s, "cpu=0,mem=1536M,node=2048,billing=100");
	free(s);
	ck_assert_ok(tres_parse(&t->tres, "mem=1T,energy=1m", &v, &eb), &eb);
	ck_assert_uint_eq(v.v[TRES_MEM], 1048576);
	ck_assert_uint_eq(v.v[TRES_ENERGY], 1048576);
	/* "cost", the cloud-spend extension, limits like any TRES. */
	ck_assert_ok(tres_table_add(&t->tres, "cost", NULL, &eb), &eb);
	ck_assert_ok(tres_parse(&t->tres, "cost=250000", &v, &eb), &eb);
	ck_assert_uint_eq(v.v[tres_table_find(&t->tres, "cost")], 250000);
	/* The last of a repeated name wins. */
	ck_assert_ok(tres_parse(&t->tres, "cpu=1,cpu=2", &v, &eb), &eb);
	ck_assert_uint_eq(v.v[TRES_CPU], 2);
	assoc_tree_free(t);
}
END_TEST

START_TEST(test_tres_parse_errors)
{
	static const struct {
		const char *s, *needle;
	} bad[] = {
		{ "cpu", "'cpu'" },               /* no '=' */
		{ "=5", "'=5'" },
		{ "cpu=", "''" },                 /* empty count */
		{ "cpu=abc", "'abc'" },
		{ "cpu=1x", "'1x'" },
		{ "cpu=-2", "'-2'" },
		{ "cpu=1.5", "'1.5'" },
		{ "mem=10Q", "'10Q'" },
		{ "foo=1", "'foo'" },             /* unknown TRES */
		{ "gres/tpu=1", "'gres/tpu'" },   /* a GRES nobody added */
		{ "cpu=1,,mem=1", "empty" },
		{ "cpu=1,", "empty" },
		{ "cpu=99999999999999999999", "'99999999999999999999'" },
		{ "", "empty" },
	};
	struct assoc_tree *t = assoc_tree_new();
	struct tres_vec v;

	tres_vec_unset(&v);
	v.v[TRES_CPU] = 7;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sky_errbuf eb;

		sky_err_clear(&eb);
		ck_assert_msg(tres_parse(&t->tres, bad[i].s, &v, &eb) == SKY_E_INVAL,
			      "'%s' accepted", bad[i].s);
		ck_assert_msg(strstr(sky_err_msg(&eb), bad[i].needle) != NULL,
			      "'%s': message '%s' lacks %s", bad[i].s, sky_err_msg(&eb),
			      bad[i].needle);
	}
	/* A failed parse leaves the limits as they were, even after a good entry. */
	ck_assert_uint_eq(v.v[TRES_CPU], 7);
	{
		struct sky_errbuf eb;

		sky_err_clear(&eb);
		ck_assert_int_eq(tres_parse(&t->tres, "cpu=3,foo=1", &v, &eb), SKY_E_INVAL);
		ck_assert_uint_eq(v.v[TRES_CPU], 7);
		/* Only named types can be added to the table. */
		sky_err_clear(&eb);
		ck_assert_int_eq(tres_table_add(&t->tres, "bogus", NULL, &eb), SKY_E_INVAL);
		sky_err_clear(&eb);
		ck_assert_int_eq(tres_table_add(&t->tres, "gres/", NULL, &eb), SKY_E_INVAL);
	}
	assoc_tree_free(t);
}
END_TEST

/* --- storage -------------------------------------------------------------------- */

START_TEST(test_pack_round_trip)
{
	struct assoc_tree *t = example_tree(), *r = NULL;
	struct sky_errbuf eb;
	uint8_t *buf, *buf2;
	size_t len, len2, gpu;
	struct assoc *u4;
	char *s1, *s2;

	sky_err_clear(&eb);
	ck_assert_ok(tres_table_add(&t->tres, "gres/gpu", &gpu, &eb), &eb);
	ck_assert_ok(tres_table_add(&t->tres, "license/matlab", NULL, &eb), &eb);
	u4 = U(t, "a1", "u4");
	ck_assert_ok(tres_parse(&t->tres, "cpu=20,gres/gpu=4", &u4->lim.grp_tres, &eb), &eb);
	ck_assert_ok(tres_parse(&t->tres, "billing=6000", &A(t, "a")->lim.grp_tres_mins, &eb), &eb);
	u4->lim.max_jobs = 0;          /* 0 is a limit, distinct from unset */
	u4->lim.max_wall_mins = 90;
	u4->usage_tres[gpu] = 1.0 / 3; /* not exactly representable in decimal */
	u4->used_jobs = 3;             /* live counters are not stored */
	ck_assert_ok(assoc_add_user(t, "b", "u5", "gpu", 2, NULL, &eb), &eb);
	ck_assert_ok(assoc_delete(t, U(t, "c", "u7"), &eb), &eb);
	t->last_decay = 1700000000;
	t->last_reset = -5;

	ck_assert_ok(assoc_tree_pack(t, &buf, &len), &eb);
	ck_assert_ok(assoc_tree_unpack(buf, len, &r, &eb), &eb);
	s1 = list_tree(t);
	s2 = list_tree(r);
	ck_assert_str_eq(s1, s2);
	ck_assert_uint_eq(r->n_assoc, t->n_assoc);
	ck_assert_uint_eq(r->n_user, t->n_user);
	ck_assert_uint_eq(r->next_id, t->next_id);
	ck_assert_int_eq(r->last_decay, 1700000000);
	ck_assert_int_eq(r->last_reset, -5);
	ck_assert_uint_eq(r->tres.n, t->tres.n);
	ck_assert_str_eq(r->tres.name[gpu + 1], "license/matlab");
	u4 = U(r, "a1", "u4");
	ck_assert_uint_eq(u4->id, U(t, "a1", "u4")->id);
	ck_assert_uint_eq(u4->lim.grp_tres.v[TRES_CPU], 20);
	ck_assert_uint_eq(u4->lim.grp_tres.v[gpu], 4);
	ck_assert_uint_eq(u4->lim.grp_tres.v[TRES_MEM], ASSOC_UNSET64);
	ck_assert_uint_eq(u4->lim.max_jobs, 0);
	ck_assert_uint_eq(u4->lim.grp_jobs, ASSOC_UNSET32);
	ck_assert_uint_eq(u4->lim.max_wall_mins, 90);
	ck_assert(u4->usage_tres[gpu] == 1.0 / 3);
	ck_assert_double_eq(u4->usage_raw, 200);
	ck_assert_uint_eq(u4->used_jobs, 0);
	ck_assert_uint_eq(A(r, "a")->lim.grp_tres_mins.v[TRES_BILLING], 6000);
	ck_assert_uint_eq(U(r, "b", "u6")->shares_raw, 3);
	ck_assert_ptr_nonnull(assoc_find(r, "b", "u5", "gpu"));
	ck_assert_ptr_null(assoc_find(r, "c", "u7", NULL));
	/* The copy ranks like the original (u7 gone: 6 users). */
	fair_tree(t);
	fair_tree(r);
	ck_assert_uint_eq(U(r, "a", "u2")->fs.rank, U(t, "a", "u2")->fs.rank);
	ck_assert_uint_eq(U(r, "b", "u6")->fs.rank, U(t, "b", "u6")->fs.rank);
	/* Byte-identical when packed again; new ids continue after the old ones. */
	ck_assert_ok(assoc_tree_pack(r, &buf2, &len2), &eb);
	ck_assert_uint_eq(len, len2);
	ck_assert(!memcmp(buf, buf2, len));
	{
		struct assoc *n = NULL;

		ck_assert_ok(assoc_add_account(r, "new", NULL, 1, &n, &eb), &eb);
		ck_assert_uint_eq(n->id, t->next_id);
	}
	free(s1);
	free(s2);
	free(buf);
	free(buf2);
	assoc_tree_free(t);
	assoc_tree_free(r);
}
END_TEST

START_TEST(test_pack_rejects_damage)
{
	struct assoc_tree *t = example_tree(), *r = NULL;
	struct sky_errbuf eb;
	uint8_t *buf, *big;
	size_t len;

	sky_err_clear(&eb);
	ck_assert_ok(assoc_tree_pack(t, &buf, &len), &eb);
	/* Every truncation fails cleanly. */
	for (size_t n = 0; n < len; n++) {
		sky_err_clear(&eb);
		ck_assert_msg(assoc_tree_unpack(buf, n, &r, &eb) == SKY_E_STORE,
			      "truncated to %zu accepted", n);
	}
	/* Trailing bytes. */
	big = xmalloc(len + 1);
	memcpy(big, buf, len);
	sky_err_clear(&eb);
	ck_assert_int_eq(assoc_tree_unpack(big, len + 1, &r, &eb), SKY_E_STORE);
	ck_assert_ptr_nonnull(strstr(sky_err_msg(&eb), "trailing"));
	/* Bad magic, bad version. */
	memcpy(big, buf, len);
	big[0] = 'X';
	sky_err_clear(&eb);
	ck_assert_int_eq(assoc_tree_unpack(big, len, &r, &eb), SKY_E_STORE);
	memcpy(big, buf, len);
	big[4] = 9;
	sky_err_clear(&eb);
	ck_assert_int_eq(assoc_tree_unpack(big, len, &r, &eb), SKY_E_STORE);
	free(big);
	free(buf);
	assoc_tree_free(t);
}
END_TEST

/* --- billing -------------------------------------------------------------------- */

START_TEST(test_billing_weights)
{
	struct assoc_tree *t = assoc_tree_new();
	struct sky_errbuf eb;
	double w[ASSOC_TRES_MAX];
	uint64_t c[ASSOC_TRES_MAX] = { 0 };
	bool has;
	size_t gpu, lic;

	sky_err_clear(&eb);
	ck_assert_ok(tres_table_add(&t->tres, "gres/gpu", &gpu, &eb), &eb);
	ck_assert_ok(tres_table_add(&t->tres, "license/matlab", &lic, &eb), &eb);
	/* No weights: billing is the CPU count. */
	ck_assert_ok(fs_billing_weights_parse(&t->tres, NULL, w, &has, &eb), &eb);
	c[TRES_CPU] = 8;
	c[TRES_MEM] = 32768;            /* 32 GB */
	c[gpu] = 2;
	c[lic] = 1;
	ck_assert(!has);
	ck_assert_double_eq(fs_billing(&t->tres, w, has, c, false), 8);
	/* CPU=1, Mem=0.25G (per GB), GRES/gpu=2, license 10:
	 * sum 8 + 32*.25 + 2*2 + 10 = 30; MAX_TRES max(8, 8, 4) + 10 = 18. */
	ck_assert_ok(fs_billing_weights_parse(&t->tres, "CPU=1.0,Mem=0.25G,GRES/gpu=2,"
					      "license/matlab=10", w, &has, &eb), &eb);
	ck_assert(has);
	ck_assert_double_eq_tol(fs_billing(&t->tres, w, has, c, false), 30, EPS);
	ck_assert_double_eq_tol(fs_billing(&t->tres, w, has, c, true), 18, EPS);
	/* Mem with no unit is per MB. */
	ck_assert_ok(fs_billing_weights_parse(&t->tres, "mem=0.001", w, &has, &eb), &eb);
	ck_assert_double_eq_tol(fs_billing(&t->tres, w, has, c, false), 32.768, EPS);
	ck_assert_int_eq(fs_billing_weights_parse(&t->tres, "cpu=x", w, &has, &eb), SKY_E_INVAL);
	sky_err_clear(&eb);
	ck_assert_int_eq(fs_billing_weights_parse(&t->tres, "tpu=1", w, &has, &eb), SKY_E_INVAL);
	ck_assert_ptr_nonnull(strstr(sky_err_msg(&eb), "tpu"));
	sky_err_clear(&eb);
	ck_assert_int_eq(fs_billing_weights_parse(&t->tres, "cpu=2G", w, &has, &eb), SKY_E_INVAL);
	assoc_tree_free(t);
}
END_TEST

/* --- priority ------------------------------------------------------------------- */

static const struct prio_cluster cluster = {
	.node_count = 10, .cpu_count = 100, .part_max_job_factor = 10,
	.qos_max_priority = 100, .assoc_max_priority = 50,
};

static struct prio_job job0(void)
{
	struct prio_job j = { 0 };

	j.min_nodes = 2;
	j.cpus = 20;
	j.time_limit_mins = 60;
	return j;
}

/* Each factor alone, every other weight 0. */
START_TEST(test_prio_each_factor)
{
	struct prio_conf c;
	struct prio_job j = job0();
	struct prio_factors f;
	const time_t now = 1000000;

	/* Age: 3.5 of 7 days -> 0.5 x 1000; past PriorityMaxAge -> 1000; not eligible -> 0 (+1). */
	prio_conf_defaults(&c);
	c.weight_age = 1000;
	j.eligible = now - 302400;
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, now, &f), 500);
	ck_assert_double_eq_tol(f.age, 0.5, EPS);
	ck_assert_double_eq_tol(f.w_age, 500, EPS);
	j.eligible = now - 8 * 86400;
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, now, &f), 1000);
	j.eligible = 0;
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, now, &f), 1);
	j.eligible = now + 50;         /* in the future */
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, now, &f), 1);

	/* Fair share 5/7 x 10000 = 7142.86 -> 7142 (truncated, as Slurm's cast). */
	prio_conf_defaults(&c);
	c.weight_fs = 10000;
	j = job0();
	j.fs_factor = 5.0 / 7;
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, now, &f), 7142);
	ck_assert_double_eq_tol(f.w_fs, 50000.0 / 7, EPS);

	/* Job size, favouring large: (2/10 + 20/100) / 2 = .2 x 1000. */
	prio_conf_defaults(&c);
	c.weight_js = 1000;
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, now, &f), 200);
	ck_assert_double_eq_tol(f.jobsize, 0.2, EPS);

	/* Partition PriorityJobFactor 5 of max 10 -> 500; NO_NORMAL_PART -> 5 x 1000. */
	prio_conf_defaults(&c);
	c.weight_part = 1000;
	j.part_job_factor = 5;
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, now, &f), 500);
	c.flags = PRIO_FLAG_NO_NORMAL_PART;
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, now, &f), 5000);

	/* QOS priority 20 of 100 -> 200. */
	prio_conf_defaults(&c);
	c.weight_qos = 1000;
	j.qos_priority = 20;
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, now, &f), 200);
	ck_assert_double_eq_tol(f.qos, 0.2, EPS);

	/* Assoc priority 25 of 50 -> 500. */
	prio_conf_defaults(&c);
	c.weight_assoc = 1000;
	j.assoc_priority = 25;
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, now, &f), 500);

	/* Site factor and nice alone: 1 + 7 ... the base is 0, so 7, and nice 3 -> 4. */
	prio_conf_defaults(&c);
	j.site_factor = 7;
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, now, &f), 7);
	j.nice = 3;
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, now, &f), 4);
	ck_assert_int_eq(f.nice, 3);
	ck_assert_int_eq(f.site, 7);
}
END_TEST

/*
 * TRES: PriorityWeightTRES=cpu=100,gres/gpu=1000; 16 of 64 partition CPUs
 * -> 25, 2 of 8 GPUs -> 250; total 275. NO_NORMAL_TRES: 16x100 + 2x1000.
 */
START_TEST(test_prio_tres)
{
	struct assoc_tree *t = assoc_tree_new();
	struct prio_conf c;
	struct prio_job j = job0();
	struct prio_factors f;
	struct sky_errbuf eb;
	uint64_t req[ASSOC_TRES_MAX] = { 0 }, part[ASSOC_TRES_MAX] = { 0 };
	size_t gpu;
	char *s;

	sky_err_clear(&eb);
	ck_assert_ok(tres_table_add(&t->tres, "gres/gpu", &gpu, &eb), &eb);
	prio_conf_defaults(&c);
	ck_assert_ok(prio_conf_set(&c, &t->tres, "PriorityWeightTRES", "cpu=100,gres/gpu=1000",
				   &eb), &eb);
	req[TRES_CPU] = 16;
	req[gpu] = 2;
	req[TRES_MEM] = 4096;          /* no weight: no part */
	part[TRES_CPU] = 64;
	part[gpu] = 8;
	part[TRES_MEM] = 65536;
	j.tres = req;
	j.part_tres = part;
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, 0, &f), 275);
	ck_assert_double_eq_tol(f.tres[TRES_CPU], 0.25, EPS);
	ck_assert_double_eq_tol(f.w_tres[gpu], 250, EPS);
	ck_assert_double_eq(f.tres[TRES_MEM], 0);
	s = prio_tres_str(&t->tres, &f);
	ck_assert_str_eq(s, "cpu=25,gres/gpu=250");
	free(s);
	c.flags = PRIO_FLAG_NO_NORMAL_TRES;
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, 0, &f), 3600);
	assoc_tree_free(t);
}
END_TEST

/*
 * All factors together (sprio -l's columns add up to PRIORITY):
 *   age 3.5 days of 7 x 2000 = 1000; fs .5 x 4000 = 2000;
 *   js (5/10 + 50/100) / 2 = .5 x 200 = 100; part 10/10 x 300 = 300;
 *   qos 50/100 x 200 = 100; site 11; nice -4
 *   -> 11 + 1000 + 2000 + 100 + 300 + 100 + 4 = 3515.
 */
START_TEST(test_prio_combined)
{
	struct prio_conf c;
	struct prio_job j = job0();
	struct prio_factors f;
	const time_t now = 5000000;

	prio_conf_defaults(&c);
	c.weight_age = 2000;
	c.weight_fs = 4000;
	c.weight_js = 200;
	c.weight_part = 300;
	c.weight_qos = 200;
	j.eligible = now - 302400;
	j.min_nodes = 5;
	j.cpus = 50;
	j.fs_factor = 0.5;
	j.part_job_factor = 10;
	j.qos_priority = 50;
	j.site_factor = 11;
	j.nice = -4;
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, now, &f), 3515);
	ck_assert_double_eq_tol(f.w_age, 1000, EPS);
	ck_assert_double_eq_tol(f.w_fs, 2000, EPS);
	ck_assert_double_eq_tol(f.w_js, 100, EPS);
	ck_assert_double_eq_tol(f.w_part, 300, EPS);
	ck_assert_double_eq_tol(f.w_qos, 100, EPS);
	ck_assert_uint_eq(f.priority, 3515);
	/* Without a breakdown the result is the same. */
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, now, NULL), 3515);
}
END_TEST

/* Clamping: never below 1 (0 means held), never above 4294967295. */
START_TEST(test_prio_clamp)
{
	struct prio_conf c;
	struct prio_job j = job0();

	prio_conf_defaults(&c);
	c.weight_fs = 100;
	j.fs_factor = 1;
	j.nice = 1000;                 /* 100 - 1000 < 1 */
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, 0, NULL), 1);
	j.nice = 99;                   /* exactly 1 */
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, 0, NULL), 1);
	j.nice = 98;
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, 0, NULL), 2);
	c.weight_fs = 4000000000u;
	c.weight_age = 4000000000u;
	c.max_age_secs = 10;
	j.nice = 0;
	j.eligible = 1;
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, 100, NULL), 4294967295u);
	j.nice = -2147483645;
	c.weight_fs = c.weight_age = 0;
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, 100, NULL), 2147483645u);
}
END_TEST

/*
 * PriorityFavorSmall: ((10-2)/10 + (100-20)/100) / 2 = .8 x 1000 = 800;
 * a whole-cluster job gets 0 and a 1-CPU 0-node... (min 1 node) job the most.
 * SMALL_RELATIVE_TO_TIME: max(2 x 100/10, 20) / 60 min / 100 CPUs = 1/300
 * -> 3 (favouring large), 1 - 1/300 -> 996 (favouring small).
 */
START_TEST(test_prio_favor_small)
{
	struct prio_conf c;
	struct prio_job j = job0();
	struct prio_factors f;

	prio_conf_defaults(&c);
	c.weight_js = 1000;
	c.favor_small = true;
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, 0, &f), 800);
	ck_assert_double_eq_tol(f.jobsize, 0.8, EPS);
	j.min_nodes = 10;
	j.cpus = 100;
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, 0, &f), 1);   /* factor 0 */
	ck_assert_double_eq(f.jobsize, 0);
	j.min_nodes = 1;
	j.cpus = 1;
	/* (9/10 + 99/100) / 2 = .945 */
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, 0, &f), 945);
	c.favor_small = false;
	/* (1/10 + 1/100) / 2 = .055 */
	ck_assert_uint_eq(prio_compute(&c, &cluster, &j, 0, &f), 55);

	j = job0();
	c.flags = PRIO_FLAG_SMALL_RELATIVE_TO_TIME;
	prio_compute(&c, &cluster, &j, 0, &f);
	ck_assert_double_eq_tol(f.jobsize, 1.0 / 300, EPS);
	ck_assert_uint_eq(f.priority, 3);
	c.favor_small = true;
	prio_compute(&c, &cluster, &j, 0, &f);
	ck_assert_double_eq_tol(f.jobsize, 1 - 1.0 / 300, EPS);
	ck_assert_uint_eq(f.priority, 996);
}
END_TEST

START_TEST(test_prio_conf_parse)
{
	struct assoc_tree *t = assoc_tree_new();
	struct prio_conf c;
	struct sky_errbuf eb;
	struct fs_params p;

	sky_err_clear(&eb);
	prio_conf_defaults(&c);
	ck_assert_uint_eq(c.max_age_secs, 7 * 86400);
	ck_assert_uint_eq(c.decay_half_life_secs, 7 * 86400);
	ck_assert_uint_eq(c.calc_period_secs, 300);
	ck_assert_ok(prio_conf_set(&c, &t->tres, "PriorityWeightAge", "1000", &eb), &eb);
	ck_assert_ok(prio_conf_set(&c, &t->tres, "priorityweightfairshare", "4294967295", &eb), &eb);
	ck_assert_ok(prio_conf_set(&c, &t->tres, "PriorityWeightJobSize", "0", &eb), &eb);
	ck_assert_ok(prio_conf_set(&c, &t->tres, "PriorityWeightPartition", "12", &eb), &eb);
	ck_assert_ok(prio_conf_set(&c, &t->tres, "PriorityWeightQOS", "13", &eb), &eb);
	ck_assert_ok(prio_conf_set(&c, &t->tres, "PriorityWeightAssoc", "14", &eb), &eb);
	ck_assert_ok(prio_conf_set(&c, &t->tres, "PriorityMaxAge", "1-0", &eb), &eb);
	ck_assert_ok(prio_conf_set(&c, &t->tres, "PriorityDecayHalfLife", "14-0", &eb), &eb);
	ck_assert_ok(prio_conf_set(&c, &t->tres, "PriorityCalcPeriod", "1", &eb), &eb);
	ck_assert_ok(prio_conf_set(&c, &t->tres, "PriorityFavorSmall", "YES", &eb), &eb);
	ck_assert_ok(prio_conf_set(&c, &t->tres, "PriorityUsageResetPeriod", "monthly", &eb), &eb);
	ck_assert_ok(prio_conf_set(&c, &t->tres, "PriorityFlags", "MAX_TRES,small_relative_to_time",
				   &eb), &eb);
	ck_assert_ok(prio_conf_set(&c, &t->tres, "FairShareDampeningFactor", "3", &eb), &eb);
	ck_assert_uint_eq(c.weight_age, 1000);
	ck_assert_uint_eq(c.weight_fs, 4294967295u);
	ck_assert_uint_eq(c.weight_part, 12);
	ck_assert_uint_eq(c.weight_qos, 13);
	ck_assert_uint_eq(c.weight_assoc, 14);
	ck_assert_uint_eq(c.max_age_secs, 86400);
	ck_assert_uint_eq(c.decay_half_life_secs, 14 * 86400);
	ck_assert_uint_eq(c.calc_period_secs, 60);
	ck_assert(c.favor_small);
	ck_assert_int_eq(c.reset_period, FS_RESET_MONTHLY);
	ck_assert_uint_eq(c.flags, PRIO_FLAG_MAX_TRES | PRIO_FLAG_SMALL_RELATIVE_TO_TIME);
	p = prio_fs_params(&c);
	ck_assert_int_eq(p.algo, FS_FAIR_TREE);
	ck_assert_uint_eq(p.damp_factor, 3);
	ck_assert_ok(prio_conf_set(&c, &t->tres, "PriorityFlags", "NO_FAIR_TREE", &eb), &eb);
	ck_assert_int_eq(prio_fs_params(&c).algo, FS_CLASSIC);
	ck_assert_ok(prio_conf_set(&c, &t->tres, "PriorityFlags", "NO_NORMAL_ALL", &eb), &eb);
	ck_assert_uint_eq(c.flags & PRIO_FLAG_NO_NORMAL_ALL, PRIO_FLAG_NO_NORMAL_ALL);
	ck_assert_ok(prio_conf_set(&c, &t->tres, "PriorityFavorSmall", "no", &eb), &eb);
	ck_assert(!c.favor_small);
	ck_assert_ok(prio_conf_set(&c, &t->tres, "PriorityDecayHalfLife", "0", &eb), &eb);
	ck_assert_uint_eq(c.decay_half_life_secs, 0);
	assoc_tree_free(t);
}
END_TEST

START_TEST(test_prio_conf_errors)
{
	static const struct {
		const char *key, *value;
	} bad[] = {
		{ "PriorityWeightAge", "abc" },
		{ "PriorityWeightAge", "-1" },
		{ "PriorityWeightAge", "4294967296" },
		{ "PriorityWeightAge", "" },
		{ "PriorityWeightQOS", "1.5" },
		{ "PriorityMaxAge", "soon" },
		{ "PriorityMaxAge", "UNLIMITED" },
		{ "PriorityFavorSmall", "maybe" },
		{ "PriorityFlags", "MAX_TRES,FAST" },
		{ "PriorityUsageResetPeriod", "HOURLY" },
		{ "PriorityWeightTRES", "cpu=abc" },
		{ "PriorityWeightTRES", "tpu=5" },
		{ "PriorityWeightTRES", "cpu" },
		{ "PriorityWeightTRES", "cpu=-1" },
	};
	struct assoc_tree *t = assoc_tree_new();
	struct prio_conf c, before;
	struct sky_errbuf eb;

	prio_conf_defaults(&c);
	c.weight_age = 77;
	c.flags = PRIO_FLAG_INCR_ONLY;
	before = c;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sky_err_clear(&eb);
		ck_assert_msg(prio_conf_set(&c, &t->tres, bad[i].key, bad[i].value, &eb) ==
			      SKY_E_CONFIG, "%s=%s accepted", bad[i].key, bad[i].value);
		ck_assert_msg(strstr(sky_err_msg(&eb), bad[i].key) != NULL, "message '%s'",
			      sky_err_msg(&eb));
		ck_assert_msg(!memcmp(&c, &before, sizeof(c)), "%s=%s changed the config",
			      bad[i].key, bad[i].value);
	}
	sky_err_clear(&eb);
	ck_assert_int_eq(prio_conf_set(&c, &t->tres, "SchedulerType", "sched/backfill", &eb),
			 SKY_E_NOT_FOUND);
	assoc_tree_free(t);
}
END_TEST

/* Evaluation order: reservation, partition tier, priority, submit time, job id. */
START_TEST(test_prio_sort_order)
{
	struct prio_sort_key k[] = {
		{ false, 1, 500, 100, 7 },
		{ false, 1, 900, 300, 6 },
		{ false, 2, 10, 900, 5 },
		{ true, 0, 1, 999, 9 },
		{ false, 1, 500, 50, 8 },
		{ false, 1, 500, 50, 4 },
	};
	const uint32_t want[] = { 9, 5, 6, 4, 8, 7 };

	qsort(k, sizeof(k) / sizeof(k[0]), sizeof(k[0]), prio_sort_cmp);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_uint_eq(k[i].job_id, want[i]);
}
END_TEST

static Suite *fairshare_suite(void)
{
	Suite *s = suite_create("fairshare");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_fair_tree_example);
	tcase_add_test(tc, test_fair_tree_sshare_values);
	tcase_add_test(tc, test_tie_users_share_rank);
	tcase_add_test(tc, test_tie_accounts_merge_children);
	tcase_add_test(tc, test_tie_user_with_account);
	tcase_add_test(tc, test_zero_usage_is_infinite);
	tcase_add_test(tc, test_shares_zero);
	tcase_add_test(tc, test_fairshare_parent_user);
	tcase_add_test(tc, test_fairshare_parent_account);
	tcase_add_test(tc, test_fairshare_parent_account_keeps_tie);
	tcase_add_test(tc, test_classic_example);
	tcase_add_test(tc, test_classic_parent_and_zero);
	tcase_add_test(tc, test_fair_tree_invariant_random);
	tcase_add_test(tc, test_charge_reaches_every_ancestor);
	tcase_add_test(tc, test_decay_half_lives);
	tcase_add_test(tc, test_decay_matches_slurm_first_order);
	tcase_add_test(tc, test_reset_periods);
	tcase_add_test(tc, test_reset_period_dst);
	tcase_add_test(tc, test_reset_period_parse);
	tcase_add_test(tc, test_tree_add_find_delete);
	tcase_add_test(tc, test_tree_many_lookups);
	tcase_add_test(tc, test_tres_parse);
	tcase_add_test(tc, test_tres_parse_errors);
	tcase_add_test(tc, test_pack_round_trip);
	tcase_add_test(tc, test_pack_rejects_damage);
	tcase_add_test(tc, test_billing_weights);
	tcase_add_test(tc, test_prio_each_factor);
	tcase_add_test(tc, test_prio_tres);
	tcase_add_test(tc, test_prio_combined);
	tcase_add_test(tc, test_prio_clamp);
	tcase_add_test(tc, test_prio_favor_small);
	tcase_add_test(tc, test_prio_conf_parse);
	tcase_add_test(tc, test_prio_conf_errors);
	tcase_add_test(tc, test_prio_sort_order);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(fairshare_suite());
}
