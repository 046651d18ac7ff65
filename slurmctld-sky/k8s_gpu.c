/* k8s_gpu.c: node GPU type/count and free resources (k8s_gpu.h). */
#include "config.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_gpu.h"
#include "xalloc.h"

static const char *const vendor_words[] = { "nvidia", "tesla", "geforce", "amd", "instinct",
					    "intel", NULL };

/* Known models, longest first so "a100" is tried before "a10" and "l40s" before "l40". */
static const char *const models[] = {
	"mi300x", "mi250x", "rtx6000", "gb200", "gh200", "mi300", "mi250", "mi210", "mi100",
	"a6000", "a5000", "a4000", "h200", "h100", "b200", "b100", "a100", "a10g", "l40s",
	"v100", "p100", "a10", "a40", "a30", "a16", "l40", "k80", "p40", "l4", "t4", "p4", "a2",
	NULL,
};

/* Memory variants the catalogs keep apart: model, smallest GB of the big part, its name. */
static const struct {
	const char *model;
	int min_gb;
	const char *name;
} variants[] = {
	{ "a100", 80, "a100-80gb" },
	{ "v100", 32, "v100-32gb" },
};

static const char *model_of(const char *tok)
{
	for (size_t i = 0; models[i]; i++) {
		size_t n = strlen(models[i]);
		if (!strncmp(tok, models[i], n) && !isdigit((unsigned char)tok[n]))
			return models[i];
	}
	return NULL;
}

/* "80gb", "80g", "80" -> 80; else -1. */
static int mem_gb(const char *tok)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*tok))
		return -1;
	v = strtol(tok, &end, 10);
	if (*end && strcmp(end, "gb") && strcmp(end, "g"))
		return -1;
	return v > 0 && v < 100000 ? (int)v : -1;
}

static bool vendor_word(const char *tok)
{
	for (size_t i = 0; vendor_words[i]; i++)
		if (!strcmp(tok, vendor_words[i]))
			return true;
	return false;
}

/* Split lowercased s on '-' ('_' and ' ' count as '-'); tokens point into s. */
static size_t tokens(char *s, char **tok, size_t max)
{
	size_t n = 0;

	for (char *p = s; *p; p++) {
		*p = (char)tolower((unsigned char)*p);
		if (*p == '_' || *p == ' ')
			*p = '-';
	}
	for (char *p = s; p && n < max;) {
		char *dash = strchr(p, '-');
		if (dash)
			*dash = '\0';
		if (*p)
			tok[n++] = p;
		p = dash ? dash + 1 : NULL;
	}
	return n;
}

static char *fallback(char **tok, size_t n)
{
	char *out = NULL;

	for (size_t i = 0; i < n; i++)
		if (!vendor_word(tok[i]))
			xstrfmtcat(&out, "%s%s", out ? "-" : "", tok[i]);
	return out;
}

/* As k8s_gpu_normalise; mem_mib (from a memory label, -1 unknown) picks the
 * variant when the name does not say it (Karpenter's "a100" on a p4de). */
static char *normalise(const char *product, long mem_mib)
{
	char *s, *tok[32], *out = NULL;
	const char *model = NULL, *mig = NULL;
	size_t n, at = 0;
	int gb = -1;

	if (!product || !*product)
		return NULL;
	s = xstrdup(product);
	n = tokens(s, tok, sizeof(tok) / sizeof(tok[0]));
	for (at = 0; at < n && !model; at++)
		model = model_of(tok[at]);
	if (!model) {
		out = fallback(tok, n);
		goto out;
	}
	for (size_t i = at; i < n; i++) {
		if (!strcmp(tok[i], "mig") && i + 1 < n)
			mig = tok[++i];
		else if (gb < 0)
			gb = mem_gb(tok[i]);
	}
	if (gb < 0 && mem_mib > 0)
		gb = (int)((mem_mib + 512) / 1024);
	out = xstrdup(model);
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		if (!strcmp(model, variants[i].model) && gb >= variants[i].min_gb)
			xstrfmtcat(&out, "%s", variants[i].name + strlen(model));
	if (mig)
		xstrfmtcat(&out, "-%s", mig);
out:
	free(s);
	return out;
}

char *k8s_gpu_normalise(const char *product)
{
	return normalise(product, -1);
}

int k8s_gpu_rule_parse(const char *s, struct k8s_gpu_rule *out, struct sky_errbuf *eb)
{
	const char *eq = strchr(s, '='), *c1 = eq ? strchr(eq, ':') : NULL;
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	char *end = NULL;
	unsigned long cnt = 0;

	memset(out, 0, sizeof(*out));
	if (!eq || eq == s || !c1 || c1 == eq + 1 || (c2 ? c2 == c1 + 1 : !c1[1]))
		return sky_err_set(eb, SKY_E_CONFIG, "GPU label rule '%s': expected "
				   "LABEL=VALUE:TYPE[:COUNT]", s);
	if (c2) {
		cnt = strtoul(c2 + 1, &end, 10);
		if (!isdigit((unsigned char)c2[1]) || *end || !cnt || cnt > 1024)
			return sky_err_set(eb, SKY_E_CONFIG, "GPU label rule '%s': bad count '%s'",
					   s, c2 + 1);
	}
	out->key = xstrndup(s, (size_t)(eq - s));
	out->value = xstrndup(eq + 1, (size_t)(c1 - eq - 1));
	out->type = c2 ? xstrndup(c1 + 1, (size_t)(c2 - c1 - 1)) : xstrdup(c1 + 1);
	for (char *p = out->type; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	out->count = (uint32_t)cnt;
	return 0;
}

void k8s_gpu_rule_free(struct k8s_gpu_rule *r)
{
	FREE_NULL(r->key);
	FREE_NULL(r->value);
	FREE_NULL(r->type);
}

/* 10^e for 0 <= e <= 38 (fits unsigned __int128). */
__extension__ typedef unsigned __int128 u128;

static u128 pow10_128(int e)
{
	u128 v = 1;

	while (e-- > 0)
		v *= 10;
	return v;
}

/* The suffix: binary multiplier or decimal exponent. false if unknown. */
static bool suffix(const char *s, u128 *mult, int *exp10)
{
	static const char bin[] = "KMGTPE", dec[] = "kMGTPE";
	static const struct { char c; int e; } small[] = { { 'n', -9 }, { 'u', -6 }, { 'm', -3 } };
	const char *p;
	char *end;
	long e;

	*mult = 1;
	if (!*s)
		return true;
	if (s[1] == 'i' && !s[2] && (p = strchr(bin, s[0])) && *p) {
		*mult = (u128)1 << (10 * (p - bin + 1));
		return true;
	}
	if ((s[0] == 'e' || s[0] == 'E') && (isdigit((unsigned char)s[1]) || s[1] == '-' ||
					     s[1] == '+')) {
		e = strtol(s + 1, &end, 10);
		if (*end || e < -40 || e > 40)
			return false;
		*exp10 += (int)e;
		return true;
	}
	if (s[1])
		return false;
	for (size_t i = 0; i < 3; i++)
		if (s[0] == small[i].c) {
			*exp10 += small[i].e;
			return true;
		}
	if ((p = strchr(dec, s[0])) && *p) {
		*exp10 += 3 * (int)(p - dec + 1);
		return true;
	}
	return false;
}

int64_t k8s_quantity(const char *s, int64_t scale)
{
	u128 m = 0, mult, num, den = 1;
	int exp10 = 0, digits = 0;
	bool frac = false, seen = false;

	if (!s || *s == '-')
		return -1;
	if (*s == '+')
		s++;
	for (; isdigit((unsigned char)*s) || (*s == '.' && !frac); s++) {
		if (*s == '.') {
			frac = true;
			continue;
		}
		if (digits >= 30)
			return -1;
		seen = true;
		if (m || *s != '0')
			digits++;
		m = m * 10 + (u128)(*s - '0');
		if (frac)
			exp10--;
	}
	if (!seen || !suffix(s, &mult, &exp10))
		return -1;
	num = m * mult * (u128)scale;
	if (exp10 > 0) {
		if (exp10 > 38 || (num && num > ((u128)1 << 126) / pow10_128(exp10)))
			return -1;
		num *= pow10_128(exp10);
	} else if (exp10 < 0) {
		if (-exp10 > 38)
			return num ? 1 : 0;
		den = pow10_128(-exp10);
	}
	num = (num + den - 1) / den;
	return num > (u128)INT64_MAX ? -1 : (int64_t)num;
}

/* ---- node objects ---- */

static json_object *path_get(json_object *o, const char *a, const char *b)
{
	json_object *x = NULL, *y = NULL;

	if (!json_object_object_get_ex(o, a, &x))
		return NULL;
	if (!b)
		return x;
	return json_object_object_get_ex(x, b, &y) ? y : NULL;
}

static const char *str_at(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int64_t qty_at(json_object *o, const char *key, int64_t scale)
{
	const char *s = str_at(o, key);
	int64_t v;

	if (!s) {
		json_object *n;
		/* A hand-written object may carry a bare number. */
		if (o && json_object_object_get_ex(o, key, &n) && json_object_is_type(n, json_type_int))
			return json_object_get_int64(n) * scale;
		return 0;
	}
	v = k8s_quantity(s, scale);
	return v < 0 ? 0 : v;
}

/* The product labels in order (after slurm-sky/accelerator and the rules). */
static const char *const product_keys[] = {
	"nvidia.com/gpu.product",
	"cloud.google.com/gke-accelerator",
	"karpenter.k8s.aws/instance-gpu-name",
	"eks.amazonaws.com/instance-gpu-name",
	"gpu.nvidia.com/class",
	"nebius.com/gpu-name",
	"karpenter.azure.com/sku-gpu-name",
	"amd.com/gpu.product-name",
	"beta.amd.com/gpu.product-name",
	NULL,
};

static const char *const count_keys[] = {
	"nvidia.com/gpu.count",
	"cloud.google.com/gke-accelerator-count",
	"karpenter.k8s.aws/instance-gpu-count",
	"eks.amazonaws.com/instance-gpu-count",
	NULL,
};

/* GPU memory labels and their unit in MiB (peers.md 1.2: GFD and AWS say MiB,
 * CoreWeave whole GiB). */
static const struct {
	const char *key;
	long mib;
} mem_keys[] = {
	{ "nvidia.com/gpu.memory", 1 },
	{ "karpenter.k8s.aws/instance-gpu-memory", 1 },
	{ "eks.amazonaws.com/instance-gpu-memory", 1 },
	{ "gpu.nvidia.com/vram", 1024 },
};

static long gpu_mem_mib(json_object *labels)
{
	for (size_t i = 0; i < sizeof(mem_keys) / sizeof(mem_keys[0]); i++) {
		const char *v = str_at(labels, mem_keys[i].key);
		char *end;
		long n = v ? strtol(v, &end, 10) : 0;
		if (v && !*end && n > 0 && n < (1L << 30) / mem_keys[i].mib)
			return n * mem_keys[i].mib;
	}
	return -1;
}

/* Type and source from labels; returns the rule that matched, if any. */
static const struct k8s_gpu_rule *gpu_type(json_object *labels, const struct k8s_gpu_rule *rules,
					   size_t n_rules, struct k8s_node_res *r)
{
	const char *v = str_at(labels, "slurm-sky/accelerator");

	if (v && *v) {
		r->gpu_type = xstrdup(v);
		for (char *p = r->gpu_type; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		r->gpu_key = xstrdup("slurm-sky/accelerator");
		r->gpu_value = xstrdup(v);
		return NULL;
	}
	for (size_t i = 0; i < n_rules; i++) {
		v = str_at(labels, rules[i].key);
		if (v && !fnmatch(rules[i].value, v, 0)) {
			r->gpu_type = xstrdup(rules[i].type);
			r->gpu_key = xstrdup(rules[i].key);
			r->gpu_value = xstrdup(v);
			return &rules[i];
		}
	}
	for (size_t i = 0; product_keys[i]; i++) {
		v = str_at(labels, product_keys[i]);
		if (v && (r->gpu_type = normalise(v, gpu_mem_mib(labels)))) {
			r->gpu_key = xstrdup(product_keys[i]);
			r->gpu_value = xstrdup(v);
			if (strstr(product_keys[i], "amd.com/"))
				r->gpu_resource = "amd.com/gpu";
			return NULL;
		}
	}
	return NULL;
}

static bool node_ready(json_object *node)
{
	json_object *conds = path_get(node, "status", "conditions");

	for (size_t i = 0; conds && i < json_object_array_length(conds); i++) {
		json_object *c = json_object_array_get_idx(conds, i);
		const char *t = str_at(c, "type"), *s = str_at(c, "status");
		if (t && !strcmp(t, "Ready"))
			return s && !strcmp(s, "True");
	}
	return false;
}

void k8s_node_res_from(json_object *node, const struct k8s_gpu_rule *rules, size_t n_rules,
		       struct k8s_node_res *r)
{
	json_object *labels = path_get(node, "metadata", "labels");
	json_object *alloc = path_get(node, "status", "allocatable"), *unsched;
	const struct k8s_gpu_rule *rule;
	const char *name = str_at(path_get(node, "metadata", NULL), "name");
	int64_t g;

	memset(r, 0, sizeof(*r));
	r->name = xstrdup(name ? name : "");
	r->gpu_resource = "nvidia.com/gpu";
	rule = gpu_type(labels, rules, n_rules, r);
	r->cpu_milli = r->cpu_milli_free = qty_at(alloc, "cpu", 1000);
	r->mem_bytes = r->mem_bytes_free = qty_at(alloc, "memory", 1);
	r->ready = node_ready(node);
	unsched = path_get(node, "spec", "unschedulable");
	r->schedulable = !(unsched && json_object_get_boolean(unsched));
	if (!r->gpu_type)
		return;
	g = qty_at(alloc, r->gpu_resource, 1);
	for (size_t i = 0; !g && count_keys[i]; i++)
		g = qty_at(labels, count_keys[i], 1);
	if (!g && rule)
		g = rule->count;
	r->gpus = r->gpus_free = (uint32_t)(g > 0 && g < UINT32_MAX ? g : 0);
}

void k8s_node_res_free(struct k8s_node_res *r)
{
	FREE_NULL(r->name);
	FREE_NULL(r->gpu_type);
	FREE_NULL(r->gpu_key);
	FREE_NULL(r->gpu_value);
}

/* A container's request for key: requests, else limits (the API's default). */
static int64_t container_req(json_object *ctr, const char *key, int64_t scale)
{
	json_object *res = path_get(ctr, "resources", NULL), *req = NULL, *lim = NULL;

	json_object_object_get_ex(res, "requests", &req);
	json_object_object_get_ex(res, "limits", &lim);
	if (req && (str_at(req, key) || path_get(req, key, NULL)))
		return qty_at(req, key, scale);
	return qty_at(lim, key, scale);
}

/* Kubernetes' effective request: max(sum of containers, largest init container). */
static int64_t pod_req(json_object *pod, const char *key, int64_t scale)
{
	json_object *ctrs = path_get(pod, "spec", "containers");
	json_object *inits = path_get(pod, "spec", "initContainers");
	int64_t sum = 0, init = 0;

	for (size_t i = 0; ctrs && i < json_object_array_length(ctrs); i++)
		sum += container_req(json_object_array_get_idx(ctrs, i), key, scale);
	for (size_t i = 0; inits && i < json_object_array_length(inits); i++) {
		int64_t v = container_req(json_object_array_get_idx(inits, i), key, scale);
		if (v > init)
			init = v;
	}
	return sum > init ? sum : init;
}

static int by_name(const void *a, const void *b)
{
	const struct k8s_node_res *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static int64_t sub(int64_t have, int64_t used)
{
	return have > used ? have - used : 0;
}

void k8s_node_res_sub_pods(struct k8s_node_res *nodes, size_t n, json_object *pod_list)
{
	json_object *items = path_get(pod_list, "items", NULL);
	struct k8s_node_res **idx = xcalloc(n ? n : 1, sizeof(*idx));

	for (size_t i = 0; i < n; i++)
		idx[i] = &nodes[i];
	qsort(idx, n, sizeof(*idx), by_name);
	for (size_t i = 0; items && i < json_object_array_length(items); i++) {
		json_object *pod = json_object_array_get_idx(items, i);
		const char *node = str_at(path_get(pod, "spec", NULL), "nodeName");
		const char *phase = str_at(path_get(pod, "status", NULL), "phase");
		struct k8s_node_res key = { .name = (char *)node }, *kp = &key, **hit;
		struct k8s_node_res *r;

		if (!node || (phase && (!strcmp(phase, "Succeeded") || !strcmp(phase, "Failed"))))
			continue;
		hit = n ? bsearch(&kp, idx, n, sizeof(*idx), by_name) : NULL;
		if (!hit)
			continue;
		r = *hit;
		r->cpu_milli_free = sub(r->cpu_milli_free, pod_req(pod, "cpu", 1000));
		r->mem_bytes_free = sub(r->mem_bytes_free, pod_req(pod, "memory", 1));
		r->gpus_free = (uint32_t)sub(r->gpus_free, pod_req(pod, r->gpu_resource, 1));
	}
	free(idx);
}
