/* fairshare.c: usage, decay, reset periods and fair-share factors; see fairshare.h. */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fairshare.h"
#include "xalloc.h"

/* --- usage ------------------------------------------------------------------- */

void assoc_charge(struct assoc_tree *t, struct assoc *a, const double *tres_seconds,
		  double billing_seconds, double wall_seconds)
{
	if (billing_seconds < 0)
		billing_seconds = 0;
	if (wall_seconds < 0)
		wall_seconds = 0;
	for (; a; a = a->parent) {
		for (size_t i = 0; tres_seconds && i < t->tres.n; i++)
			if (i != TRES_BILLING && tres_seconds[i] > 0)
				a->usage_tres[i] += tres_seconds[i];
		a->usage_tres[TRES_BILLING] += billing_seconds;
		a->usage_raw += billing_seconds;
		a->grp_used_wall += wall_seconds;
	}
}

/* One "name=weight" entry of TRESBillingWeights. */
static int weight_entry(const struct tres_table *t, const char *s, size_t len, double *w,
			struct sky_errbuf *eb)
{
	char *ent = xstrndup(s, len), *eq = strchr(ent, '='), *end;
	int idx, rc = 0;
	double v;

	if (!eq || eq == ent || !eq[1]) {
		rc = sky_err_set(eb, SKY_E_INVAL, "\"%s\" is an invalid TRES weight entry", ent);
		goto out;
	}
	*eq = '\0';
	if ((idx = tres_table_find(t, ent)) < 0) {
		rc = sky_err_set(eb, SKY_E_INVAL, "TRES weight '%s' is not a configured TRES type.",
				 ent);
		goto out;
	}
	v = strtod(eq + 1, &end);
	if (end == eq + 1 || !isfinite(v) || v < 0)
		goto bad;
	if (*end && idx == TRES_MEM) {
		/* A weight per unit of memory; the counts are in MB. */
		switch (toupper((unsigned char)*end++)) {
		case 'K': v *= 1024.0; break;
		case 'M': break;
		case 'G': v /= 1024.0; break;
		case 'T': v /= 1024.0 * 1024.0; break;
		default: goto bad;
		}
	}
	if (*end)
		goto bad;
	w[idx] = v;
	goto out;
bad:
	rc = sky_err_set(eb, SKY_E_INVAL, "\"%s=%s\" is an invalid TRES weight entry", ent, eq + 1);
out:
	free(ent);
	return rc;
}

int fs_billing_weights_parse(const struct tres_table *t, const char *s, double *w,
			     bool *has_weights, struct sky_errbuf *eb)
{
	const char *p = s;

	memset(w, 0, ASSOC_TRES_MAX * sizeof(*w));
	*has_weights = false;
	if (!s || !*s)
		return 0;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int rc = weight_entry(t, p, len, w, eb);

		if (rc) {
			memset(w, 0, ASSOC_TRES_MAX * sizeof(*w));
			return rc;
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	*has_weights = true;
	return 0;
}

static bool node_tres(const struct tres_table *t, size_t i)
{
	return i == TRES_CPU || i == TRES_MEM || i == TRES_NODE ||
	       !strncmp(t->name[i], "gres/", 5);
}

double fs_billing(const struct tres_table *t, const double *w, bool has_weights,
		  const uint64_t *counts, bool max_tres)
{
	double node_max = 0, sum = 0;

	if (!has_weights)
		return (double)counts[TRES_CPU];
	for (size_t i = 0; i < t->n; i++) {
		double v;

		if (i == TRES_BILLING || !w[i] || !counts[i])
			continue;
		v = (double)counts[i] * w[i];
		if (max_tres && node_tres(t, i))
			node_max = v > node_max ? v : node_max;
		else
			sum += v;
	}
	return node_max + sum;
}

/* --- decay and reset ------------------------------------------------------------ */

double fs_decay_factor(double dt, uint32_t half_life_secs)
{
	if (!half_life_secs || dt <= 0)
		return 1.0;
	return exp2(-dt / (double)half_life_secs);
}

static int decay_one(struct assoc *a, int depth, void *arg)
{
	double f = *(const double *)arg;

	(void)depth;
	a->usage_raw *= f;
	a->grp_used_wall *= f;
	for (size_t i = 0; i < ASSOC_TRES_MAX; i++)
		a->usage_tres[i] *= f;
	return 0;
}

void fs_decay(struct assoc_tree *t, double dt, uint32_t half_life_secs)
{
	double f = fs_decay_factor(dt, half_life_secs);

	if (f != 1.0)
		assoc_foreach(t, decay_one, &f);
}

void fs_reset_usage(struct assoc_tree *t)
{
	double zero = 0.0;

	assoc_foreach(t, decay_one, &zero);
}

static const char *const reset_names[] = {
	[FS_RESET_NONE] = "NONE", [FS_RESET_NOW] = "NOW", [FS_RESET_DAILY] = "DAILY",
	[FS_RESET_WEEKLY] = "WEEKLY", [FS_RESET_MONTHLY] = "MONTHLY",
	[FS_RESET_QUARTERLY] = "QUARTERLY", [FS_RESET_YEARLY] = "YEARLY",
};

int fs_reset_period_parse(const char *s, enum fs_reset_period *p, struct sky_errbuf *eb)
{
	for (size_t i = 0; s && i < sizeof(reset_names) / sizeof(reset_names[0]); i++) {
		if (!strcasecmp(s, reset_names[i])) {
			*p = (enum fs_reset_period)i;
			return 0;
		}
	}
	return sky_err_set(eb, SKY_E_INVAL, "Bad value \"%s\" for PriorityUsageResetPeriod",
			   s ? s : "");
}

const char *fs_reset_period_str(enum fs_reset_period p)
{
	return (size_t)p < sizeof(reset_names) / sizeof(reset_names[0]) ? reset_names[p] : "NONE";
}

time_t fs_next_reset(enum fs_reset_period p, time_t t)
{
	struct tm tm;

	if (p == FS_RESET_NONE)
		return 0;
	if (p == FS_RESET_NOW)
		return t;
	if (!localtime_r(&t, &tm))
		return 0;
	/* The boundary at or before t is this midnight; step to the next one. */
	tm.tm_sec = tm.tm_min = tm.tm_hour = 0;
	tm.tm_isdst = -1;
	switch (p) {
	case FS_RESET_DAILY:
		tm.tm_mday++;
		break;
	case FS_RESET_WEEKLY:
		tm.tm_mday += 7 - tm.tm_wday;
		break;
	case FS_RESET_MONTHLY:
		tm.tm_mday = 1;
		tm.tm_mon++;
		break;
	case FS_RESET_QUARTERLY:
		tm.tm_mday = 1;
		tm.tm_mon = (tm.tm_mon / 3 + 1) * 3;
		break;
	case FS_RESET_YEARLY:
		tm.tm_mday = 1;
		tm.tm_mon = 0;
		tm.tm_year++;
		break;
	default:
		return 0;
	}
	return mktime(&tm);
}
