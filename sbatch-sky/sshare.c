/*
 * sshare: fair-share information of the associations (slurm.md section 7).
 *
 * The controller sends its association tree (usage included) and the
 * fair-share parameters; the factors are computed here with the
 * controller's own fs_compute(), so what sshare shows is what the
 * scheduler uses.
 *
 *   sshare [-a] [-l] [-n] [-p|-P] [-A accounts] [-u users]
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acct_print.h"
#include "assoc_client.h"
#include "cli_util.h"
#include "fairshare.h"
#include "log.h"
#include "xalloc.h"

struct sshare_opts {
	bool all, lng, noheader;
	enum acct_parsable parsable;
	const char *accounts, *users;
	char me[256];
};

struct ctx {
	const struct sshare_opts *o;
	const struct assoc_info *ai;
	struct fs_params fsp;
	const struct acct_col *cols;
	size_t n_cols;
};

static const struct acct_col short_cols[] = {
	{ "Account", -20 }, { "User", 10 }, { "RawShares", 10 }, { "NormShares", 11 },
	{ "RawUsage", 11 }, { "EffectvUsage", 13 }, { "FairShare", 10 },
};
static const struct acct_col long_cols[] = {
	{ "Account", -20 }, { "User", 10 }, { "RawShares", 10 }, { "NormShares", 11 },
	{ "RawUsage", 11 }, { "NormUsage", 11 }, { "EffectvUsage", 13 }, { "FairShare", 10 },
	{ "LevelFS", 10 }, { "GrpTRESMins", 30 }, { "TRESRunMins", 30 },
};

static char *dbl(double v)
{
	return isinf(v) ? xstrdup("inf") : xasprintf("%f", v);
}

/* Whether a is in (or under) one of the -A accounts. */
static bool in_accounts(const struct assoc *a, const char *list)
{
	if (!list)
		return true;
	for (; a; a = a->parent)
		if (!a->user && cli_list_has(list, a->acct))
			return true;
	return false;
}

static bool wanted(const struct ctx *x, const struct assoc *a)
{
	const struct sshare_opts *o = x->o;

	if (!in_accounts(a, o->accounts))
		return false;
	if (!a->user)
		return true;
	if (o->users)
		return cli_list_has(o->users, a->user);
	return o->all || strcmp(a->user, o->me) == 0;
}

/* TRESRunMins: every TRES, minutes left to the running jobs (sent by the controller). */
static char *tres_run_mins(const struct assoc_tree *t, const struct assoc *a)
{
	char *s = xstrdup(""), *n;

	for (size_t i = 0; i < t->tres.n; i++) {
		n = xasprintf("%s%s%s=%llu", s, i ? "," : "", t->tres.name[i],
			      (unsigned long long)(a->grp_used_tres_run_secs[i] / 60));
		free(s);
		s = n;
	}
	return s;
}

static int row_cb(struct assoc *a, int depth, void *arg)
{
	struct ctx *x = arg;
	struct fs_share_row r;
	char *v[11] = { 0 };
	int ind = a->user ? depth - 1 : depth;

	if (!wanted(x, a))
		return 0;
	fs_share_row(x->ai->tree, a, &x->fsp, &r);
	v[0] = xasprintf("%*s%s", ind > 0 ? ind : 0, "", a->acct);
	v[1] = a->user ? xstrdup(a->user) : NULL;
	v[2] = r.is_root ? NULL : r.shares_parent ? xstrdup("parent") :
	       xasprintf("%u", r.raw_shares);
	v[3] = r.is_root ? NULL : dbl(r.norm_shares);
	v[4] = xasprintf("%llu", (unsigned long long)r.raw_usage);
	if (!x->o->lng) {
		v[5] = dbl(r.effectv_usage);
		v[6] = r.has_fairshare ? dbl(r.fairshare) : NULL;
	} else {
		v[5] = r.is_root ? NULL : dbl(r.norm_usage);
		v[6] = dbl(r.effectv_usage);
		v[7] = r.has_fairshare ? dbl(r.fairshare) : NULL;
		v[8] = r.has_level_fs ? dbl(r.level_fs) : NULL;
		v[9] = tres_vec_str(&x->ai->tree->tres, &a->lim.grp_tres_mins);
		v[10] = tres_run_mins(x->ai->tree, a);
	}
	acct_print_row(x->cols, x->n_cols, (const char *const *)v, x->o->parsable);
	for (size_t i = 0; i < 11; i++)
		free(v[i]);
	return 0;
}

static void usage(FILE *fp)
{
	fprintf(fp, "Usage: sshare [-a] [-l] [-n] [-p|-P] [-A accounts] [-u users]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "accounts", required_argument, NULL, 'A' },
		{ "long", no_argument, NULL, 'l' },
		{ "noheader", no_argument, NULL, 'n' },
		{ "parsable", no_argument, NULL, 'p' },
		{ "parsable2", no_argument, NULL, 'P' },
		{ "users", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct sshare_opts o = { 0 };
	struct assoc_info ai;
	struct sky_errbuf eb;
	struct ctx x = { 0 };
	int ch;

	log_init(argv[0], LOG_LEVEL_WARN, NULL, false);
	while ((ch = getopt_long(argc, argv, "aA:lnpPu:hVvU", opts, NULL)) != -1) {
		switch (ch) {
		case 'a': o.all = true; break;
		case 'A': o.accounts = optarg; break;
		case 'l': o.lng = true; break;
		case 'n': o.noheader = true; break;
		case 'p': o.parsable = ACCT_PRINT_PARSABLE; break;
		case 'P': o.parsable = ACCT_PRINT_PARSABLE_NO_END; break;
		case 'u': o.users = optarg; break;
		case 'v': case 'U': break;
		case 'h': usage(stdout); return 0;
		case 'V': cli_print_version(); return 0;
		default: usage(stderr); return 1;
		}
	}
	cli_user_name((uint32_t)getuid(), o.me, sizeof(o.me));
	if (o.users && strcmp(o.users, "all") == 0) {
		o.users = NULL;
		o.all = true;
	}
	sky_err_clear(&eb);
	if (assoc_info_load(&ai, &eb)) {
		log_error("%s", cli_rpc_errtext(&eb));
		return 1;
	}
	x.o = &o;
	x.ai = &ai;
	x.fsp.algo = ai.rep->fs_algo == FS_CLASSIC ? FS_CLASSIC : FS_FAIR_TREE;
	x.fsp.damp_factor = ai.rep->damp_factor;
	x.cols = o.lng ? long_cols : short_cols;
	x.n_cols = o.lng ? sizeof(long_cols) / sizeof(long_cols[0]) :
		   sizeof(short_cols) / sizeof(short_cols[0]);
	fs_compute(ai.tree, &x.fsp);
	if (!o.noheader)
		acct_print_header(x.cols, x.n_cols, o.parsable);
	assoc_foreach(ai.tree, row_cb, &x);
	assoc_info_free(&ai);
	return 0;
}
