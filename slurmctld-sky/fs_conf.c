/*
 * fs_conf.c: the fair-share and priority keys of slurm.conf, parsed over the
 * tree's TRES table (see fs_ctld.h and conf_priority.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fs_ctld.h"
#include "fs_int.h"
#include "xalloc.h"

/* "M:S" gives seconds (tests want a cycle of a few seconds; Slurm's unit is minutes). */
static bool calc_period_secs(const char *v, uint32_t *out)
{
	unsigned m, s;
	char tail;

	if (sscanf(v, "%u:%u%c", &m, &s, &tail) != 2 || s >= 60 || m > 100000)
		return false;
	*out = m * 60 + s;
	return true;
}

static int add_tres_names(struct tres_table *tt, const struct sky_conf *conf,
			  struct sky_errbuf *eb)
{
	for (size_t i = 0; i < conf->n_prio_keys; i++) {
		const struct conf_prio_key *k = &conf->prio_keys[i];
		char *copy, *w, *next;
		int rc = 0;

		if (strcasecmp(k->key, "AccountingStorageTRES"))
			continue;
		copy = xstrdup(k->val);
		for (w = copy; w && !rc; w = next) {
			if ((next = strchr(w, ',')))
				*next++ = '\0';
			if (*w && tres_table_find(tt, w) < 0)
				rc = tres_table_add(tt, w, NULL, eb);
		}
		free(copy);
		if (rc)
			return sky_err_set(eb, SKY_E_CONFIG, "%s:%d: AccountingStorageTRES: %s",
					   k->file, k->line, sky_err_msg(eb));
	}
	return 0;
}

int fs_parse_conf(struct fs_ctld *f, const struct sky_conf *conf, struct tres_table *tt,
		  struct sky_errbuf *eb)
{
	int rc;

	prio_conf_defaults(&f->pc);
	f->multifactor = conf->prio_multifactor;
	f->enforce = conf->acct_enforce;
	if ((rc = add_tres_names(tt, conf, eb)))
		return rc;
	for (size_t i = 0; i < conf->n_prio_keys; i++) {
		const struct conf_prio_key *k = &conf->prio_keys[i];
		struct sky_errbuf e2;

		sky_err_clear(&e2);
		if (!strcasecmp(k->key, "AccountingStorageTRES"))
			continue;
		if (k->part) {
			struct fs_part_weights *w;
			f->pw = xrealloc(f->pw, (f->n_pw + 1) * sizeof(*f->pw));
			w = &f->pw[f->n_pw++];
			memset(w, 0, sizeof(*w));
			w->part = strcmp(k->part, "DEFAULT") ? xstrdup(k->part) : NULL;
			rc = fs_billing_weights_parse(tt, k->val, w->w, &w->has, &e2);
		} else if (!strcasecmp(k->key, "PriorityCalcPeriod") &&
			   calc_period_secs(k->val, &f->pc.calc_period_secs)) {
			rc = 0;
		} else {
			rc = prio_conf_set(&f->pc, tt, k->key, k->val, &e2);
		}
		if (rc)
			return sky_err_set(eb, SKY_E_CONFIG, "%s:%d: %s", k->file, k->line,
					   sky_err_msg(&e2));
	}
	if (!f->pc.calc_period_secs)
		f->pc.calc_period_secs = 1;
	f->fsp = prio_fs_params(&f->pc);
	return 0;
}

void fs_free_parsed(struct fs_ctld *f)
{
	for (size_t i = 0; i < f->n_pw; i++)
		free(f->pw[i].part);
	free(f->pw);
	f->pw = NULL;
	f->n_pw = 0;
}

int fs_conf_check(const struct sky_conf *conf, struct sky_errbuf *eb)
{
	struct fs_ctld f;
	struct tres_table tt;
	int rc;

	memset(&f, 0, sizeof(f));
	tres_table_init(&tt);
	rc = fs_parse_conf(&f, conf, &tt, eb);
	fs_free_parsed(&f);
	tres_table_clear(&tt);
	return rc;
}

