/*
 * fairshare.h: usage, decay and the fair-share factor (slurm.md section 7).
 *
 * The controller's cycle, every PriorityCalcPeriod:
 *   1. for each running job, assoc_charge() the TRES-seconds and
 *      billing-seconds it used since the last cycle;
 *   2. fs_decay() the whole tree by the seconds since the last decay
 *      (charging first, then decaying, is Slurm's order: a job's new usage
 *      is decayed over the period it was earned in, as _apply_new_usage does);
 *   3. at fs_next_reset() boundaries, fs_reset_usage();
 *   4. fs_compute(): fair-share factors of every association;
 *   5. recompute job priorities (priority.h) from the factors.
 *
 * Fair Tree (the default) follows slurm.md section 7 and Slurm's
 * fair_tree.shtml; the classic formula is selected by
 * PriorityFlags=NO_FAIR_TREE. Both write struct assoc_fs of every
 * association, which is also what sshare prints (fs_share_row()).
 */
#ifndef SKY_FAIRSHARE_H
#define SKY_FAIRSHARE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "assoc.h"
#include "sky_err.h"

/* --- usage ----------------------------------------------------------------- */

/*
 * Add usage to a (a user association, normally) and every ancestor up to
 * root: tres_seconds[i] (i < t->tres.n; NULL: none) to usage_tres[i], and
 * billing_seconds to usage_raw (what fair share reads) and to
 * usage_tres[TRES_BILLING] (which GrpTRESMins=billing= limits). wall_seconds
 * goes to grp_used_wall (GrpWall). Negative amounts are ignored.
 */
void assoc_charge(struct assoc_tree *t, struct assoc *a, const double *tres_seconds,
		  double billing_seconds, double wall_seconds);

/*
 * TRESBillingWeights of a partition, "CPU=1.0,Mem=0.25G,GRES/gpu=2.0": one
 * weight per TRES index into w[ASSOC_TRES_MAX] (zeroed first). A Mem weight
 * is per MB, or per GB/TB with a G/T suffix (Slurm's rule); other weights
 * are plain numbers. *has_weights tells "no weights configured" (billing is
 * then the CPU count) from all-zero weights. SKY_E_INVAL naming the entry
 * for an unknown TRES or a bad number.
 */
int fs_billing_weights_parse(const struct tres_table *t, const char *s, double *w,
			     bool *has_weights, struct sky_errbuf *eb);
/*
 * The billing TRES of an allocation (counts by TRES index, mem in MB):
 * sum of weight x count; with max_tres (PriorityFlags=MAX_TRES), the largest
 * weighted node TRES (cpu, mem, node, gres/...) plus the sum of the others.
 * Without weights: the CPU count.
 */
double fs_billing(const struct tres_table *t, const double *w, bool has_weights,
		  const uint64_t *counts, bool max_tres);

/* --- decay and reset --------------------------------------------------------- */

/*
 * The factor usage is multiplied by after dt seconds: 2^(-dt/half_life),
 * 1.0 when half_life is 0 (no decay) or dt <= 0.
 *
 * Slurm (slurm.md section 7) multiplies by decay_factor^dt with
 * decay_factor = 1 - 0.693/half_life per second. Both are exp(-ln2 dt/h)
 * to first order in 1/h (0.693 being ln 2 rounded): after one half-life
 * Slurm's leaves 0.500073 of the usage for a 7-day half-life and 0.499673
 * for a 5-minute one. We use the exact form: one half-life halves, and one
 * decay over 2 dt equals two over dt, whatever PriorityCalcPeriod is.
 */
double fs_decay_factor(double dt, uint32_t half_life_secs);
/* Multiply every association's usage_raw, usage_tres[] and grp_used_wall by fs_decay_factor. */
void fs_decay(struct assoc_tree *t, double dt, uint32_t half_life_secs);
/* Zero every association's usage (PriorityUsageResetPeriod, or sacctmgr RawUsage=0 on root). */
void fs_reset_usage(struct assoc_tree *t);

enum fs_reset_period {
	FS_RESET_NONE = 0,    /* the default */
	FS_RESET_NOW,         /* once, at start-up; then as NONE */
	FS_RESET_DAILY,       /* at midnight */
	FS_RESET_WEEKLY,      /* Sunday 00:00 */
	FS_RESET_MONTHLY,     /* the 1st, 00:00 */
	FS_RESET_QUARTERLY,   /* Jan 1, Apr 1, Jul 1, Oct 1, 00:00 */
	FS_RESET_YEARLY,      /* Jan 1, 00:00 */
};

/* "NONE", "NOW", "DAILY", ... (any case). SKY_E_INVAL naming s otherwise. */
int fs_reset_period_parse(const char *s, enum fs_reset_period *p, struct sky_errbuf *eb);
/* "NONE", "NOW", ... Static. */
const char *fs_reset_period_str(enum fs_reset_period p);
/*
 * The first reset boundary strictly after t, in local time (as Slurm's
 * _next_reset, which works on localtime and mktime; across a DST change a
 * "day" is a calendar day, 23 or 25 hours). NONE: 0 (never). NOW: t itself
 * (reset at once; the controller then treats the period as NONE).
 */
time_t fs_next_reset(enum fs_reset_period p, time_t t);

/* --- fair-share factors ------------------------------------------------------- */

enum fs_algo {
	FS_FAIR_TREE = 0,     /* default since Slurm 19.05 */
	FS_CLASSIC,           /* PriorityFlags=NO_FAIR_TREE */
};

struct fs_params {
	enum fs_algo algo;
	uint32_t damp_factor; /* FairShareDampeningFactor (classic only); 0 is taken as 1 */
};

/*
 * Compute struct assoc_fs of every association from shares and usage.
 *
 * Both algorithms: fs_parent is the nearest ancestor whose shares are not
 * "parent"; an association's fair-share siblings are the associations with
 * the same fs_parent (so the users of a Fairshare=parent account compete
 * directly with that account's siblings); level_shares is the sum of their
 * raw shares, "parent" ones left out; usage_norm = usage_raw / root's.
 *
 * Fair Tree: shares_norm S = shares_raw / level_shares; usage_efctv
 * U = usage_raw / fs_parent's usage_raw (0 when that is 0); LevelFS = S/U,
 * 0 when S is 0, infinity when U is 0, infinity for Fairshare=parent users.
 * Fair-share siblings are sorted by LevelFS, highest first (users before
 * accounts on equal values), and walked depth-first; users are ranked in
 * pre-order from rank = n_user down, and fs_factor = rank / n_user. Ties:
 * sibling users with equal LevelFS share a rank (the next user's rank
 * still counts every user before it); sibling accounts with equal LevelFS
 * have their children merged and sorted together; a user tied with an
 * account gives that account's highest user its rank. Accounts get rank 0
 * and fs_factor 0. Fairshare=parent accounts take no part (their users are
 * ranked at the parent's level).
 *
 * Classic: shares_norm is the product of shares_raw / level_shares along
 * the path from root; usage_efctv = usage_norm when fs_parent is root,
 * else usage_norm + (fs_parent's usage_efctv - usage_norm) x shares_raw /
 * level_shares (fs_parent's when level_shares is 0); fs_factor =
 * 2^(-(usage_efctv / shares_norm) / damp_factor), 0 when shares_norm is 0.
 * Fairshare=parent associations take shares_norm, usage_efctv and
 * fs_factor from their fs_parent.
 *
 * Runs in O(n log n) for n associations; allocates only scratch space.
 */
void fs_compute(struct assoc_tree *t, const struct fs_params *p);

/* The values sshare prints for one association (after fs_compute). */
struct fs_share_row {
	bool is_root;
	bool shares_parent;   /* RawShares prints "parent", LevelFS prints blank */
	uint32_t raw_shares;  /* RawShares (blank for root) */
	double norm_shares;   /* NormShares */
	uint64_t raw_usage;   /* RawUsage: usage_raw, truncated as sshare prints it */
	double effectv_usage; /* EffectvUsage */
	bool has_fairshare;   /* Fair Tree prints FairShare for users only */
	double fairshare;     /* FairShare */
	double norm_usage;    /* NormUsage (-l) */
	bool has_level_fs;    /* Fair Tree only; not for root or "parent" shares */
	double level_fs;      /* LevelFS (-l); may be INFINITY, printed "inf" */
};

/* Fill *row for a; p must be what fs_compute last ran with. */
void fs_share_row(const struct assoc_tree *t, const struct assoc *a, const struct fs_params *p,
		  struct fs_share_row *row);

#endif
