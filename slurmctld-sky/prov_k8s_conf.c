/*
 * prov_k8s_conf.c: the ProviderName=NAME Type=kubernetes record, checked and
 * interpreted into struct k8s_pconf (prov_k8s_int.h). Errors name the key
 * and the value at fault, so `slurmctld-sky -n` shows what to fix.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "job_cost.h"
#include "prov_k8s_int.h"
#include "xalloc.h"

/* A label name part or value: [A-Za-z0-9] at both ends, -_. inside, at most 63. */
static bool label_word_ok(const char *s, size_t len, bool empty_ok)
{
	if (!len)
		return empty_ok;
	if (len > 63 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[len - 1]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
			return false;
	return true;
}

/* A label key: [prefix/]name, the prefix a DNS subdomain. */
static bool label_key_ok(const char *s, size_t len)
{
	const char *slash = memchr(s, '/', len);

	if (!slash)
		return label_word_ok(s, len, false);
	if (slash == s || slash - s > 253)
		return false;
	for (const char *p = s; p < slash; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-' && *p != '.')
			return false;
	return label_word_ok(slash + 1, len - (size_t)(slash + 1 - s), false);
}

/* Split a ','-list into *v (appending). Empty items are an error (-1). */
static int split_list(const char *val, char ***v, size_t *n)
{
	const char *s = val;

	for (;;) {
		size_t len = strcspn(s, ",");

		if (!len)
			return -1;
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = xstrndup(s, len);
		if (!s[len])
			return 0;
		s += len + 1;
	}
}

/* KEY[=VALUE]:EFFECT, EFFECT one of Kubernetes' taint effects. */
static bool toleration_ok(const char *t)
{
	const char *colon = strrchr(t, ':'), *eq = strchr(t, '=');
	size_t klen;

	if (!colon || (eq && eq > colon))
		return false;
	if (strcmp(colon + 1, "NoSchedule") && strcmp(colon + 1, "PreferNoSchedule") &&
	    strcmp(colon + 1, "NoExecute"))
		return false;
	klen = (size_t)((eq ? eq : colon) - t);
	if (!label_key_ok(t, klen))
		return false;
	return !eq || label_word_ok(eq + 1, (size_t)(colon - eq - 1), true);
}

static bool label_ok(const char *l)
{
	const char *eq = strchr(l, '=');

	return eq && label_key_ok(l, (size_t)(eq - l)) && label_word_ok(eq + 1, strlen(eq + 1), true);
}

static int set_string(char **field, const char *val)
{
	free(*field);
	*field = *val ? xstrdup(val) : NULL;
	return 0;
}

static int add_rules(struct k8s_pconf *pc, const char *val, struct sky_errbuf *eb)
{
	char **items = NULL;
	size_t n = 0;
	int rc = 0;

	if (split_list(val, &items, &n))
		rc = sky_err_set(eb, SKY_E_CONFIG, "invalid value '%s' for GpuRule: empty rule", val);
	for (size_t i = 0; i < n; i++) {
		struct k8s_gpu_rule r;
		struct sky_errbuf tmp;

		sky_err_clear(&tmp);
		if (!rc && k8s_gpu_rule_parse(items[i], &r, &tmp))
			rc = sky_err_set(eb, SKY_E_CONFIG, "invalid value '%s' for GpuRule: %s", val,
					 sky_err_msg(&tmp));
		else if (!rc) {
			pc->rules = xrealloc(pc->rules, (pc->n_rules + 1) * sizeof(*pc->rules));
			pc->rules[pc->n_rules++] = r;
		}
		free(items[i]);
	}
	free(items);
	return rc;
}

/* A list key whose items are checked by ok(). */
static int set_list(const char *key, const char *val, bool (*ok)(const char *), const char *shape,
		    char ***v, size_t *n, struct sky_errbuf *eb)
{
	size_t first = *n;

	if (!split_list(val, v, n)) {
		for (size_t i = first; i < *n; i++)
			if (!ok((*v)[i]))
				return sky_err_set(eb, SKY_E_CONFIG, "invalid value '%s' for %s: '%s' is not %s",
						   val, key, (*v)[i], shape);
		return 0;
	}
	return sky_err_set(eb, SKY_E_CONFIG, "invalid value '%s' for %s: empty item", val, key);
}

static int set_key(struct k8s_pconf *pc, const char *key, const char *val, struct sky_errbuf *eb)
{
	uint32_t u;
	char *end;
	unsigned long long v;

	if (!strcasecmp(key, "Kubeconfig"))
		return set_string(&pc->kubeconfig, val);
	if (!strcasecmp(key, "Context"))
		return set_string(&pc->context, val);
	if (!strcasecmp(key, "Namespace")) {
		if (!label_word_ok(val, strlen(val), false) || strpbrk(val, "_.") ||
		    strcspn(val, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(val))
			return sky_err_set(eb, SKY_E_CONFIG, "invalid value '%s' for Namespace", val);
		return set_string(&pc->ns, val);
	}
	if (!strcasecmp(key, "Image"))
		return set_string(&pc->image, val);
	if (!strcasecmp(key, "ServiceAccount"))
		return set_string(&pc->service_account, val);
	if (!strcasecmp(key, "PriorityClass"))
		return set_string(&pc->priority_class, val);
	if (!strcasecmp(key, "MaxPods")) {
		v = strtoull(val, &end, 10);
		if (!isdigit((unsigned char)*val) || *end || v > UINT32_MAX - 1)
			return sky_err_set(eb, SKY_E_CONFIG, "invalid value '%s' for MaxPods", val);
		u = (uint32_t)v;
		pc->max_pods = u;
		return 0;
	}
	if (!strcasecmp(key, "Price")) {
		if (!money_parse(val, &pc->price_u) || pc->price_u < 0)
			return sky_err_set(eb, SKY_E_CONFIG, "invalid value '%s' for Price (dollars per GPU-hour)",
					   val);
		return 0;
	}
	if (!strcasecmp(key, "GpuRule"))
		return add_rules(pc, val, eb);
	if (!strcasecmp(key, "Tolerations"))
		return set_list("Tolerations", val, toleration_ok, "KEY[=VALUE]:NoSchedule|PreferNoSchedule|NoExecute",
				&pc->tolerations, &pc->n_tolerations, eb);
	if (!strcasecmp(key, "Labels"))
		return set_list("Labels", val, label_ok, "a KEY=VALUE label", &pc->labels, &pc->n_labels,
				eb);
	return sky_err_set(eb, SKY_E_CONFIG, "unknown key '%s' for Type=kubernetes", key);
}

int k8s_pconf_parse(const struct conf_provider *cp, struct k8s_pconf *pc, struct sky_errbuf *eb)
{
	int rc = 0;

	memset(pc, 0, sizeof(*pc));
	if (!cp) {
		rc = sky_err_set(eb, SKY_E_CONFIG, "Type=kubernetes needs a ProviderName record");
		goto fail;
	}
	/* In file order: a repeated key wins over earlier ones, GpuRule adds up. */
	for (size_t i = 0; i < cp->n_opts; i++)
		if ((rc = set_key(pc, cp->opts[i].key, cp->opts[i].val, eb)))
			goto fail;
	if (!pc->image) {
		rc = sky_err_set(eb, SKY_E_CONFIG, "Image= is required (the pods' container image)");
		goto fail;
	}
	if (!pc->ns)
		pc->ns = xstrdup("default");
	return 0;
fail:
	k8s_pconf_free(pc);
	return rc;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void k8s_pconf_free(struct k8s_pconf *pc)
{
	free(pc->kubeconfig);
	free(pc->context);
	free(pc->ns);
	free(pc->image);
	free(pc->service_account);
	free(pc->priority_class);
	free_strv(pc->tolerations, pc->n_tolerations);
	free_strv(pc->labels, pc->n_labels);
	for (size_t i = 0; i < pc->n_rules; i++)
		k8s_gpu_rule_free(&pc->rules[i]);
	free(pc->rules);
	memset(pc, 0, sizeof(*pc));
}

char *k8s_dns_name(const char *s)
{
	char *v = xstrdup(s);

	for (char *p = v; *p; p++) {
		*p = (char)tolower((unsigned char)*p);
		if (!isalnum((unsigned char)*p) && *p != '-')
			*p = '-';
	}
	return v;
}
