/*
 * fairshare_tree.c: fs_compute() and sshare's values (fairshare.h).
 *
 * One pass lists the associations in pre-order, so every fair-share parent
 * (an ancestor) is computed before its children; a second builds, for each
 * association, the array of its fair-share children (CSR: one allocation).
 * Fair Tree then sorts each level once: O(n log n) overall.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fairshare.h"
#include "xalloc.h"

struct node {
	struct assoc *a;
	double lf;              /* LevelFS, the sort key */
	uint32_t pre;           /* pre-order index: the final, stable tie-break */
	uint32_t n_kid;
	struct node **kid;      /* into scratch.kids */
};

struct scratch {
	struct node *node;      /* by pre-order index */
	struct node **kids;     /* all fair-share children, grouped by parent */
	uint32_t *ix;           /* assoc id -> pre-order index */
	size_t n;
};

static int collect_one(struct assoc *a, int depth, void *arg)
{
	struct scratch *s = arg;

	(void)depth;
	s->ix[a->id] = (uint32_t)s->n;
	s->node[s->n].a = a;
	s->node[s->n].pre = (uint32_t)s->n;
	s->n++;
	return 0;
}

static bool is_parent_shares(const struct assoc_tree *t, const struct assoc *a)
{
	return a != t->root && a->shares_raw == ASSOC_SHARES_PARENT;
}

/* A Fairshare=parent account is not ranked: its children moved up a level. */
static bool takes_part(const struct assoc_tree *t, const struct assoc *a)
{
	return a->user || !is_parent_shares(t, a);
}

/* Pre-order list, fs_parent, fair-share children and level_shares. */
static void build(struct assoc_tree *t, struct scratch *s)
{
	struct node **fill;

	s->node = xcalloc(t->n_assoc, sizeof(*s->node));
	s->kids = xcalloc(t->n_assoc, sizeof(*s->kids));
	s->ix = xcalloc(t->cap_id, sizeof(*s->ix));
	s->n = 0;
	assoc_foreach(t, collect_one, s);

	for (size_t i = 0; i < s->n; i++) {
		struct assoc *a = s->node[i].a, *p = a->parent;

		a->fs.fs_parent = !p ? NULL : is_parent_shares(t, p) ? p->fs.fs_parent : p;
		if (a->fs.fs_parent && takes_part(t, a))
			s->node[s->ix[a->fs.fs_parent->id]].n_kid++;
	}
	fill = s->kids;
	for (size_t i = 0; i < s->n; i++) {
		s->node[i].kid = fill;
		fill += s->node[i].n_kid;
		s->node[i].n_kid = 0;
	}
	for (size_t i = 0; i < s->n; i++) {
		struct assoc *a = s->node[i].a;
		struct node *fp;

		if (!a->fs.fs_parent || !takes_part(t, a))
			continue;
		fp = &s->node[s->ix[a->fs.fs_parent->id]];
		fp->kid[fp->n_kid++] = &s->node[i];
	}
	for (size_t i = 0; i < s->n; i++) {
		uint64_t sum = 0;

		for (uint32_t k = 0; k < s->node[i].n_kid; k++)
			if (!is_parent_shares(t, s->node[i].kid[k]->a))
				sum += s->node[i].kid[k]->a->shares_raw;
		s->node[i].a->fs.level_shares = sum;   /* the level of i's children */
	}
}

static void scratch_free(struct scratch *s)
{
	free(s->node);
	free(s->kids);
	free(s->ix);
}

/*
 * build() left in fs.level_shares the sum over each association's own
 * children; move it to what fairshare.h promises: the sum at the
 * association's own level, i.e. its fs_parent's children. Pre-order
 * backwards, so every fs_parent still holds its children's sum when read.
 */
static void level_shares_to_own_level(struct scratch *s)
{
	for (size_t i = s->n; i-- > 0;) {
		struct assoc *a = s->node[i].a;

		/* fs_parent precedes a; its value is not overwritten until i reaches it. */
		a->fs.level_shares = a->fs.fs_parent ? a->fs.fs_parent->fs.level_shares : 0;
	}
}

static double usage_norm(const struct assoc_tree *t, const struct assoc *a)
{
	double v;

	if (t->root->usage_raw <= 0)
		return 0;
	v = a->usage_raw / t->root->usage_raw;
	return v > 1 ? 1 : v;
}

/* --- Fair Tree ------------------------------------------------------------------- */

struct ranker {
	uint32_t rank;          /* the rank tied users share */
	uint32_t rnt;           /* the rank without ties: counts every user */
	uint32_t n_user;
};

static int cmp_level_fs(const void *x, const void *y)
{
	const struct node *a = *(struct node *const *)x, *b = *(struct node *const *)y;

	if (a->lf != b->lf)
		return a->lf < b->lf ? 1 : -1;
	/* On equal LevelFS users come first, so a user tied with an account ranks first. */
	if (!a->a->user != !b->a->user)
		return a->a->user ? -1 : 1;
	return a->pre < b->pre ? -1 : a->pre > b->pre;
}

static void rank_level(struct ranker *r, struct node **sib, size_t n, bool account_tied)
{
	double prev = 0;

	qsort(sib, n, sizeof(*sib), cmp_level_fs);
	for (size_t i = 0; i < n; i++) {
		struct node *nd = sib[i];
		bool tied = i == 0 ? account_tied : nd->lf == prev;

		if (nd->a->user) {
			if (!tied)
				r->rank = r->rnt;
			nd->a->fs.rank = r->rank;
			nd->a->fs.fs_factor = r->n_user ? (double)r->rank / r->n_user : 0;
			r->rnt--;
		} else {
			size_t j = i + 1, n_merged = nd->n_kid;
			struct node **merged;

			/* Sibling accounts with the same LevelFS are one level below. */
			while (j < n && !sib[j]->a->user && sib[j]->lf == nd->lf)
				n_merged += sib[j++]->n_kid;
			merged = xcalloc(n_merged ? n_merged : 1, sizeof(*merged));
			n_merged = 0;
			for (size_t k = i; k < j; k++) {
				memcpy(&merged[n_merged], sib[k]->kid, sib[k]->n_kid * sizeof(*merged));
				n_merged += sib[k]->n_kid;
			}
			rank_level(r, merged, n_merged, tied);
			free(merged);
			i = j - 1;
		}
		prev = nd->lf;
	}
}

static void fair_tree(struct assoc_tree *t, struct scratch *s)
{
	struct ranker r = { (uint32_t)t->n_user, (uint32_t)t->n_user, (uint32_t)t->n_user };

	for (size_t i = 0; i < s->n; i++) {
		struct assoc *a = s->node[i].a, *fp = a->fs.fs_parent;
		struct assoc_fs *fs = &a->fs;

		fs->usage_norm = usage_norm(t, a);
		fs->rank = 0;
		fs->fs_factor = 0;
		if (!fp) {                      /* root */
			fs->shares_norm = 0;
			fs->usage_efctv = 1.0;
			fs->level_fs = INFINITY;
			s->node[i].lf = INFINITY;
			continue;
		}
		if (is_parent_shares(t, a))
			fs->shares_norm = fp->fs.shares_norm;
		else
			fs->shares_norm = fs->level_shares ?
					  (double)a->shares_raw / (double)fs->level_shares : 0;
		fs->usage_efctv = fp->usage_raw > 0 ? a->usage_raw / fp->usage_raw : 0;
		if (is_parent_shares(t, a))
			fs->level_fs = INFINITY;
		else if (fs->shares_norm == 0)
			fs->level_fs = 0;
		else if (fs->usage_efctv == 0)
			fs->level_fs = INFINITY;
		else
			fs->level_fs = fs->shares_norm / fs->usage_efctv;
		s->node[i].lf = fs->level_fs;
	}
	rank_level(&r, s->node[0].kid, s->node[0].n_kid, false);
}

/* --- classic --------------------------------------------------------------------- */

static double classic_factor(double usage_efctv, double shares_norm, uint32_t damp)
{
	if (shares_norm <= 0)
		return 0;
	return exp2(-(usage_efctv / shares_norm) / (double)(damp ? damp : 1));
}

static void classic(struct assoc_tree *t, struct scratch *s, uint32_t damp)
{
	/* The product of shares down the direct-parent path, "parent" links counting 1. */
	double *chain = xcalloc(s->n, sizeof(*chain));

	for (size_t i = 0; i < s->n; i++) {
		struct assoc *a = s->node[i].a, *fp = a->fs.fs_parent;
		struct assoc_fs *fs = &a->fs;
		double own = 1.0;

		fs->usage_norm = usage_norm(t, a);
		fs->rank = 0;
		fs->level_fs = 0;
		if (!fp) {
			chain[i] = fs->shares_norm = 1.0;
			fs->usage_efctv = 1.0;
			fs->fs_factor = classic_factor(1.0, 1.0, damp);
			continue;
		}
		if (!is_parent_shares(t, a))
			own = fs->level_shares ? (double)a->shares_raw / (double)fs->level_shares : 0;
		chain[i] = chain[s->ix[a->parent->id]] * own;
		if (is_parent_shares(t, a)) {
			fs->shares_norm = fp->fs.shares_norm;
			fs->usage_efctv = fp->fs.usage_efctv;
			fs->fs_factor = fp->fs.fs_factor;
			continue;
		}
		fs->shares_norm = chain[i];
		if (fp == t->root)
			fs->usage_efctv = fs->usage_norm;
		else if (!fs->level_shares)
			fs->usage_efctv = fp->fs.usage_efctv;
		else
			fs->usage_efctv = fs->usage_norm + (fp->fs.usage_efctv - fs->usage_norm) *
				((double)a->shares_raw / (double)fs->level_shares);
		fs->fs_factor = classic_factor(fs->usage_efctv, fs->shares_norm, damp);
	}
	free(chain);
}

void fs_compute(struct assoc_tree *t, const struct fs_params *p)
{
	struct scratch s;

	build(t, &s);
	level_shares_to_own_level(&s);
	if (p->algo == FS_CLASSIC)
		classic(t, &s, p->damp_factor);
	else
		fair_tree(t, &s);
	scratch_free(&s);
}

void fs_share_row(const struct assoc_tree *t, const struct assoc *a, const struct fs_params *p,
		  struct fs_share_row *row)
{
	bool ft = p->algo != FS_CLASSIC;

	memset(row, 0, sizeof(*row));
	row->is_root = a == t->root;
	row->shares_parent = is_parent_shares(t, a);
	row->raw_shares = a->shares_raw;
	row->norm_shares = a->fs.shares_norm;
	row->raw_usage = a->usage_raw > 0 ? (uint64_t)a->usage_raw : 0;
	row->effectv_usage = a->fs.usage_efctv;
	row->has_fairshare = ft ? a->user != NULL : true;
	row->fairshare = a->fs.fs_factor;
	row->norm_usage = a->fs.usage_norm;
	row->has_level_fs = ft && !row->is_root && !row->shares_parent;
	row->level_fs = a->fs.level_fs;
}
