/* priority.c: multifactor job priority and its slurm.conf keys; see priority.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "priority.h"
#include "timefmt.h"
#include "xalloc.h"

void prio_conf_defaults(struct prio_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->max_age_secs = 7 * 86400;
	c->decay_half_life_secs = 7 * 86400;
	c->calc_period_secs = 5 * 60;
	c->reset_period = FS_RESET_NONE;
	c->damp_factor = 1;
}

/* --- slurm.conf values ----------------------------------------------------------- */

static int bad_value(const char *key, const char *value, const char *why, struct sky_errbuf *eb)
{
	return sky_err_set(eb, SKY_E_CONFIG, "Invalid %s value '%s'%s%s", key, value,
			   why ? ": " : "", why ? why : "");
}

static int set_u32(uint32_t *dst, const char *key, const char *v, struct sky_errbuf *eb)
{
	char *end;
	unsigned long long n;

	errno = 0;
	if (!isdigit((unsigned char)*v))
		return bad_value(key, v, "expected a number from 0 to 4294967295", eb);
	n = strtoull(v, &end, 10);
	if (errno || *end || n > UINT32_MAX)
		return bad_value(key, v, "expected a number from 0 to 4294967295", eb);
	*dst = (uint32_t)n;
	return 0;
}

/* A Slurm time string ("7-0", "14-00:00:00", "30" minutes) to seconds. */
static int set_secs(uint32_t *dst, const char *key, const char *v, struct sky_errbuf *eb)
{
	struct sky_errbuf ign;
	uint32_t mins;

	sky_err_clear(&ign);
	if (time_str2mins(v, &mins, &ign) || mins == SKY_INFINITE || mins > UINT32_MAX / 60)
		return bad_value(key, v, "expected a time such as 7-0", eb);
	*dst = mins * 60;
	return 0;
}

static int set_bool(bool *dst, const char *key, const char *v, struct sky_errbuf *eb)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1"))
		*dst = true;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0"))
		*dst = false;
	else
		return bad_value(key, v, "expected YES or NO", eb);
	return 0;
}

static const struct {
	const char *name;
	uint32_t bit;
} flag_names[] = {
	{ "ACCRUE_ALWAYS", PRIO_FLAG_ACCRUE_ALWAYS },
	{ "CALCULATE_RUNNING", PRIO_FLAG_CALCULATE_RUNNING },
	{ "DEPTH_OBLIVIOUS", PRIO_FLAG_DEPTH_OBLIVIOUS },
	{ "NO_FAIR_TREE", PRIO_FLAG_NO_FAIR_TREE },
	{ "INCR_ONLY", PRIO_FLAG_INCR_ONLY },
	{ "MAX_TRES", PRIO_FLAG_MAX_TRES },
	{ "NO_NORMAL_ALL", PRIO_FLAG_NO_NORMAL_ALL },
	{ "NO_NORMAL_ASSOC", PRIO_FLAG_NO_NORMAL_ASSOC },
	{ "NO_NORMAL_PART", PRIO_FLAG_NO_NORMAL_PART },
	{ "NO_NORMAL_QOS", PRIO_FLAG_NO_NORMAL_QOS },
	{ "NO_NORMAL_TRES", PRIO_FLAG_NO_NORMAL_TRES },
	{ "SMALL_RELATIVE_TO_TIME", PRIO_FLAG_SMALL_RELATIVE_TO_TIME },
};

static int set_flags(uint32_t *dst, const char *key, const char *v, struct sky_errbuf *eb)
{
	uint32_t flags = 0;
	const char *p = v;
	int rc = 0;

	while (*p && !rc) {
		size_t len = strcspn(p, ",");
		bool found = false;

		for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
			if (strlen(flag_names[i].name) == len &&
			    !strncasecmp(p, flag_names[i].name, len)) {
				flags |= flag_names[i].bit;
				found = true;
			}
		}
		if (!found) {
			char *bad = xstrndup(p, len);

			rc = sky_err_set(eb, SKY_E_CONFIG, "Invalid %s value '%s': unknown flag '%s'",
					 key, v, bad);
			free(bad);
		}
		p += len;
		if (*p == ',')
			p++;
	}
	if (!rc)
		*dst = flags;
	return rc;
}

/* "cpu=1000,gres/gpu=3000": weights by TRES index, as PriorityWeightTRES. */
static int set_weight_tres(struct prio_conf *c, const struct tres_table *t, const char *key,
			   const char *v, struct sky_errbuf *eb)
{
	double w[ASSOC_TRES_MAX] = { 0 };
	const char *p = v;

	while (*p) {
		size_t len = strcspn(p, ",");
		char *ent = xstrndup(p, len), *eq = strchr(ent, '='), *end = NULL;
		int idx = -1;
		double d = 0;

		if (eq) {
			*eq = '\0';
			idx = tres_table_find(t, ent);
			d = strtod(eq + 1, &end);
		}
		if (!eq || idx < 0 || end == eq + 1 || *end || !isfinite(d) || d < 0) {
			int rc = sky_err_set(eb, SKY_E_CONFIG, "Invalid %s value '%s': bad entry '%s%s%s'",
					     key, v, ent, eq ? "=" : "", eq ? eq + 1 : "");

			free(ent);
			return rc;
		}
		w[idx] = d;
		free(ent);
		p += len;
		if (*p == ',')
			p++;
	}
	memcpy(c->weight_tres, w, sizeof(w));
	c->has_weight_tres = *v != '\0';
	return 0;
}

int prio_conf_set(struct prio_conf *c, const struct tres_table *t, const char *key,
		  const char *value, struct sky_errbuf *eb)
{
	static const struct {
		const char *key;
		size_t off;
	} weights[] = {
		{ "PriorityWeightAge", offsetof(struct prio_conf, weight_age) },
		{ "PriorityWeightAssoc", offsetof(struct prio_conf, weight_assoc) },
		{ "PriorityWeightFairshare", offsetof(struct prio_conf, weight_fs) },
		{ "PriorityWeightJobSize", offsetof(struct prio_conf, weight_js) },
		{ "PriorityWeightPartition", offsetof(struct prio_conf, weight_part) },
		{ "PriorityWeightQOS", offsetof(struct prio_conf, weight_qos) },
		{ "FairShareDampeningFactor", offsetof(struct prio_conf, damp_factor) },
	};
	const char *v = value ? value : "";

	for (size_t i = 0; i < sizeof(weights) / sizeof(weights[0]); i++)
		if (!strcasecmp(key, weights[i].key))
			return set_u32((uint32_t *)((char *)c + weights[i].off), key, v, eb);
	if (!strcasecmp(key, "PriorityWeightTRES"))
		return set_weight_tres(c, t, key, v, eb);
	if (!strcasecmp(key, "PriorityMaxAge"))
		return set_secs(&c->max_age_secs, key, v, eb);
	if (!strcasecmp(key, "PriorityDecayHalfLife"))
		return set_secs(&c->decay_half_life_secs, key, v, eb);
	if (!strcasecmp(key, "PriorityCalcPeriod"))
		return set_secs(&c->calc_period_secs, key, v, eb);
	if (!strcasecmp(key, "PriorityFavorSmall"))
		return set_bool(&c->favor_small, key, v, eb);
	if (!strcasecmp(key, "PriorityFlags"))
		return set_flags(&c->flags, key, v, eb);
	if (!strcasecmp(key, "PriorityUsageResetPeriod")) {
		struct sky_errbuf ign;

		sky_err_clear(&ign);
		if (fs_reset_period_parse(v, &c->reset_period, &ign))
			return bad_value(key, v, "expected NONE, NOW, DAILY, WEEKLY, MONTHLY, "
					 "QUARTERLY or YEARLY", eb);
		return 0;
	}
	return sky_err_set(eb, SKY_E_NOT_FOUND, "not a priority key: %s", key);
}

struct fs_params prio_fs_params(const struct prio_conf *c)
{
	struct fs_params p = { FS_FAIR_TREE, c->damp_factor ? c->damp_factor : 1 };

	if (c->flags & (PRIO_FLAG_NO_FAIR_TREE | PRIO_FLAG_DEPTH_OBLIVIOUS))
		p.algo = FS_CLASSIC;
	return p;
}

/* --- factors --------------------------------------------------------------------- */

static double age_factor(const struct prio_conf *c, const struct prio_job *j, time_t now)
{
	double diff;

	if (!j->eligible)
		return 0;
	diff = now > j->eligible ? difftime(now, j->eligible) : 0;
	/* As Slurm: a PriorityMaxAge of 0 gives every eligible job the full factor. */
	return diff < (double)c->max_age_secs ? diff / (double)c->max_age_secs : 1.0;
}

static double jobsize_factor(const struct prio_conf *c, const struct prio_cluster *cl,
			     const struct prio_job *j)
{
	double n = cl->node_count, cpus = cl->cpu_count, js;

	if (!n || !cpus)
		return 0;
	if (c->flags & PRIO_FLAG_SMALL_RELATIVE_TO_TIME) {
		/* CPUs (at least the nodes' average share) per minute of limit, over all CPUs. */
		js = (double)j->min_nodes * cpus / n;
		if (j->cpus > js)
			js = j->cpus;
		js /= j->time_limit_mins ? j->time_limit_mins : 1;
		js /= cpus;
		if (c->favor_small)
			js = 1.0 - js;
	} else if (c->favor_small) {
		js = (n - j->min_nodes) / n;
		if (j->cpus)
			js = (js + (cpus - j->cpus) / cpus) / 2;
	} else {
		js = j->min_nodes / n;
		if (j->cpus)
			js = (js + j->cpus / cpus) / 2;
	}
	return js < 0 ? 0 : js > 1 ? 1 : js;
}

/* value / max, or the raw value when the NO_NORMAL flag is set. */
static double normalised(uint32_t value, uint32_t max, bool raw)
{
	if (raw)
		return value;
	return max ? (double)value / max : 0;
}

static void tres_factors(const struct prio_conf *c, const struct prio_job *j,
			 struct prio_factors *f)
{
	for (size_t i = 0; i < ASSOC_TRES_MAX; i++) {
		double v;

		if (!c->weight_tres[i] || !j->tres || !j->tres[i])
			continue;
		if (c->flags & PRIO_FLAG_NO_NORMAL_TRES)
			v = (double)j->tres[i];
		else if (j->part_tres && j->part_tres[i])
			v = (double)j->tres[i] / (double)j->part_tres[i];
		else
			continue;
		f->tres[i] = v;
		f->w_tres[i] = v * c->weight_tres[i];
		f->w_tres_sum += f->w_tres[i];
	}
}

uint32_t prio_compute(const struct prio_conf *c, const struct prio_cluster *cl,
		      const struct prio_job *j, time_t now, struct prio_factors *f)
{
	struct prio_factors local;
	double sum;

	if (!f)
		f = &local;
	memset(f, 0, sizeof(*f));
	if (c->weight_age)
		f->age = age_factor(c, j, now);
	if (c->weight_assoc)
		f->assoc = normalised(j->assoc_priority, cl->assoc_max_priority,
				      c->flags & PRIO_FLAG_NO_NORMAL_ASSOC);
	if (c->weight_fs)
		f->fairshare = j->fs_factor;
	if (c->weight_js)
		f->jobsize = jobsize_factor(c, cl, j);
	if (c->weight_part)
		f->partition = normalised(j->part_job_factor, cl->part_max_job_factor,
					  c->flags & PRIO_FLAG_NO_NORMAL_PART);
	if (c->weight_qos)
		f->qos = normalised(j->qos_priority, cl->qos_max_priority,
				    c->flags & PRIO_FLAG_NO_NORMAL_QOS);
	if (c->has_weight_tres)
		tres_factors(c, j, f);
	f->w_age = f->age * c->weight_age;
	f->w_assoc = f->assoc * c->weight_assoc;
	f->w_fs = f->fairshare * c->weight_fs;
	f->w_js = f->jobsize * c->weight_js;
	f->w_part = f->partition * c->weight_part;
	f->w_qos = f->qos * c->weight_qos;
	f->nice = j->nice;
	f->site = j->site_factor;
	sum = (double)j->site_factor + f->w_age + f->w_assoc + f->w_fs + f->w_js + f->w_part +
	      f->w_qos + f->w_tres_sum - (double)j->nice;
	/* 0 is reserved for held jobs; the result must fit 32 bits. */
	if (!(sum >= 1))
		sum = 1;
	if (sum > (double)UINT32_MAX)
		sum = (double)UINT32_MAX;
	f->priority = (uint32_t)sum;
	return f->priority;
}

char *prio_tres_str(const struct tres_table *t, const struct prio_factors *f)
{
	char *s = xstrdup("");

	for (size_t i = 0; i < t->n; i++) {
		if (f->w_tres[i] <= 0)
			continue;
		xstrfmtcat(&s, "%s%s=%.0f", *s ? "," : "", t->name[i], f->w_tres[i]);
	}
	return s;
}

int prio_sort_cmp(const void *x, const void *y)
{
	const struct prio_sort_key *a = x, *b = y;

	if (a->in_reservation != b->in_reservation)
		return a->in_reservation ? -1 : 1;
	if (a->part_tier != b->part_tier)
		return a->part_tier > b->part_tier ? -1 : 1;
	if (a->priority != b->priority)
		return a->priority > b->priority ? -1 : 1;
	if (a->submit != b->submit)
		return a->submit < b->submit ? -1 : 1;
	return a->job_id < b->job_id ? -1 : a->job_id > b->job_id;
}
