/*
 * conf_cloud.c: the power-saving keys of slurm.conf (Slurm's, see
 * slurm.md section 5) and the ProviderName= extension record.
 *
 * Precedence of SuspendTime/SuspendTimeout/ResumeTimeout (node > partition >
 * global) is applied by the controller, which knows each node's partitions;
 * here every record only keeps what it was given (SKY_NO_VAL when unset).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf_cloud.h"
#include "hostlist.h"
#include "timefmt.h"
#include "xalloc.h"

/* Keys a ProviderName record takes, per type (canonical spelling). */
static const char *const program_keys[] = {
	"ResumeProgram", "SuspendProgram", "ResumeFailProgram",
	/* What the admin's program launches, for cost accounting (cloud_info.c). */
	"InstanceType", "Region", "Zone", "Market", "Price", NULL
};
static const char *const aws_keys[] = {
	"Regions", "Zones", "Spot", "MaxNodes", "InstanceTypes", "Catalog", "Image",
	"InstanceProfile", "Subnet", "SecurityGroups", "UserData", "Endpoint", "Profile", "PollInterval", NULL
};
/* Type=kubernetes (slurmctld-sky/prov_k8s_conf.c gives them their meaning). */
static const char *const k8s_keys[] = {
	"Kubeconfig", "Context", "Namespace", "Image", "ServiceAccount", "Tolerations", "Labels",
	"PriorityClass", "MaxPods", "Price", "GpuRule", NULL
};
static const char *const no_keys[] = { NULL };

static const char *canonical(const char *const *keys, const char *key)
{
	for (; *keys; keys++)
		if (!strcasecmp(*keys, key))
			return *keys;
	return NULL;
}

static int parse_uint(const char *s, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* SuspendTime: seconds; -1, INFINITE, NONE (and UNLIMITED) turn it off. */
static int parse_suspend_time(const char *s, uint32_t *out)
{
	if (!strcmp(s, "-1") || !strcasecmp(s, "INFINITE") || !strcasecmp(s, "NONE") ||
	    !strcasecmp(s, "UNLIMITED")) {
		*out = SKY_INFINITE;
		return 0;
	}
	return parse_uint(s, SKY_NO_VAL - 1, out);
}

static int set_str(char **field, const char *val)
{
	free(*field);
	*field = *val ? xstrdup(val) : NULL;
	return 0;
}

static int set_program(char **field, const char *val)
{
	if (*val && val[0] != '/')
		return -1;  /* Slurm wants a full path: the controller's cwd is not the admin's. */
	return set_str(field, val);
}

static int set_upper(char **field, const char *val)
{
	set_str(field, val);
	for (char *p = *field; p && *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return 0;
}

static int set_bool(bool *field, const char *val)
{
	if (!strcasecmp(val, "YES") || !strcasecmp(val, "TRUE") || !strcmp(val, "1"))
		*field = true;
	else if (!strcasecmp(val, "NO") || !strcasecmp(val, "FALSE") || !strcmp(val, "0"))
		*field = false;
	else
		return -1;
	return 0;
}

static int set_global(struct sky_conf *c, const char *key, const char *val)
{
	if (!strcasecmp(key, "SuspendTime"))
		return parse_suspend_time(val, &c->suspend_time);
	if (!strcasecmp(key, "SuspendTimeout"))
		return parse_uint(val, SKY_NO_VAL - 1, &c->suspend_timeout);
	if (!strcasecmp(key, "ResumeTimeout"))
		return parse_uint(val, SKY_NO_VAL - 1, &c->resume_timeout);
	if (!strcasecmp(key, "ResumeRate"))
		return parse_uint(val, SKY_NO_VAL - 1, &c->resume_rate);
	if (!strcasecmp(key, "SuspendRate"))
		return parse_uint(val, SKY_NO_VAL - 1, &c->suspend_rate);
	if (!strcasecmp(key, "SuspendExcNodes"))
		return set_str(&c->suspend_exc_nodes, val);
	if (!strcasecmp(key, "SuspendExcParts"))
		return set_str(&c->suspend_exc_parts, val);
	if (!strcasecmp(key, "SuspendExcStates"))
		return set_upper(&c->suspend_exc_states, val);
	if (!strcasecmp(key, "ResumeProgram"))
		return set_program(&c->resume_program, val);
	if (!strcasecmp(key, "SuspendProgram"))
		return set_program(&c->suspend_program, val);
	if (!strcasecmp(key, "ResumeFailProgram"))
		return set_program(&c->resume_fail_program, val);
	return -1;
}

int conf_cloud_set(enum conf_cloud_rec rec, void *obj, const char *key, const char *val)
{
	uint32_t *st, *sto, *rto;

	if (rec == CONF_CLOUD_GLOBAL)
		return set_global(obj, key, val);
	if (rec == CONF_CLOUD_NODE) {
		struct conf_node *n = obj;
		st = &n->suspend_time, sto = &n->suspend_timeout, rto = &n->resume_timeout;
	} else {
		struct conf_partition *p = obj;
		if (!strcasecmp(key, "PowerDownOnIdle"))
			return set_bool(&p->power_down_on_idle, val);
		st = &p->suspend_time, sto = &p->suspend_timeout, rto = &p->resume_timeout;
	}
	if (!strcasecmp(key, "SuspendTime"))
		return parse_suspend_time(val, st);
	if (!strcasecmp(key, "SuspendTimeout"))
		return parse_uint(val, SKY_NO_VAL - 1, sto);
	if (!strcasecmp(key, "ResumeTimeout"))
		return parse_uint(val, SKY_NO_VAL - 1, rto);
	return -1;
}

void conf_cloud_defaults(struct sky_conf *c, struct conf_node *node_def,
			 struct conf_partition *part_def)
{
	c->suspend_time = SKY_INFINITE;
	c->suspend_timeout = 30;
	c->resume_timeout = 60;
	c->resume_rate = 300;
	c->suspend_rate = 60;
	/* NULL until finalize: a CLOUD node's default depends on ResumeProgram. */
	FREE_NULL(node_def->provider);
	node_def->suspend_time = node_def->suspend_timeout = node_def->resume_timeout = SKY_NO_VAL;
	part_def->suspend_time = part_def->suspend_timeout = part_def->resume_timeout = SKY_NO_VAL;
}

static const char *const *keys_of(const char *type)
{
	if (!strcmp(type, "program"))
		return program_keys;
	if (!strcmp(type, "aws"))
		return aws_keys;
	if (!strcmp(type, "kubernetes"))
		return k8s_keys;
	return no_keys;
}

static void provider_clear(struct conf_provider *p)
{
	for (size_t i = 0; i < p->n_opts; i++) {
		free(p->opts[i].key);
		free(p->opts[i].val);
	}
	free(p->opts);
	free(p->name);
	free(p->type);
	free(p->file);
	memset(p, 0, sizeof(*p));
}

/* Values that must have a shape (the rest are the provider's business). */
static int check_opt(const char *key, const char *val)
{
	uint32_t v;

	if (!strcmp(key, "Spot"))
		return strcasecmp(val, "no") && strcasecmp(val, "yes") && strcasecmp(val, "only") &&
		       strcasecmp(val, "prefer") ? -1 : 0;
	if (!strcmp(key, "MaxNodes") || !strcmp(key, "MaxPods"))
		return parse_uint(val, SKY_NO_VAL - 1, &v);
	if (strstr(key, "Program"))
		return val[0] == '/' ? 0 : -1;
	return 0;
}

int conf_cloud_provider_record(struct sky_conf *c, const struct kv *kv, size_t n,
			       const char *file, int line, struct sky_errbuf *eb)
{
	struct conf_provider p = { 0 };
	const char *const *keys;
	size_t i;

	p.file = xstrdup(file);
	p.line = line;
	if (!*kv[0].val || strpbrk(kv[0].val, ", \t")) {
		sky_err_set(eb, SKY_E_CONFIG, "%s:%d: invalid value '%s' for ProviderName", file, line,
			    kv[0].val);
		goto fail;
	}
	p.name = xstrdup(kv[0].val);
	for (i = 1; i < n; i++)
		if (!strcasecmp(kv[i].key, "Type")) {
			free(p.type);
			p.type = xstrdup(kv[i].val);
			for (char *s = p.type; *s; s++)
				*s = (char)tolower((unsigned char)*s);
		}
	if (!p.type) {
		sky_err_set(eb, SKY_E_CONFIG, "%s:%d: ProviderName=%s: Type= is required (program, aws, kubernetes or local)",
			    file, line, p.name);
		goto fail;
	}
	if (strcmp(p.type, "program") && strcmp(p.type, "aws") && strcmp(p.type, "kubernetes") &&
	    strcmp(p.type, "local")) {
		sky_err_set(eb, SKY_E_CONFIG, "%s:%d: ProviderName=%s: unknown Type '%s' (program, aws, kubernetes or local)",
			    file, line, p.name, p.type);
		goto fail;
	}
	keys = keys_of(p.type);
	for (i = 1; i < n; i++) {
		const char *k;

		if (!strcasecmp(kv[i].key, "Type"))
			continue;
		if (!(k = canonical(keys, kv[i].key))) {
			sky_err_set(eb, SKY_E_CONFIG, "%s:%d: ProviderName=%s: unknown key '%s' for Type=%s",
				    file, line, p.name, kv[i].key, p.type);
			goto fail;
		}
		if (check_opt(k, kv[i].val)) {
			sky_err_set(eb, SKY_E_CONFIG, "%s:%d: invalid value '%s' for %s", file, line,
				    kv[i].val, k);
			goto fail;
		}
		p.opts = xrealloc(p.opts, (p.n_opts + 1) * sizeof(*p.opts));
		p.opts[p.n_opts].key = xstrdup(k);
		p.opts[p.n_opts++].val = xstrdup(kv[i].val);
	}
	for (i = 0; i < c->n_providers; i++)
		if (!strcmp(c->providers[i].name, p.name)) {
			sky_err_set(eb, SKY_E_CONFIG, "%s:%d: provider '%s' is already defined at %s:%d",
				    file, line, p.name, c->providers[i].file, c->providers[i].line);
			goto fail;
		}
	c->providers = xrealloc(c->providers, (c->n_providers + 1) * sizeof(*c->providers));
	c->providers[c->n_providers++] = p;
	return 0;
fail:
	provider_clear(&p);
	return SKY_E_CONFIG;
}

const struct conf_provider *conf_find_provider(const struct sky_conf *c, const char *name)
{
	for (size_t i = 0; name && i < c->n_providers; i++)
		if (!strcmp(c->providers[i].name, name))
			return &c->providers[i];
	return NULL;
}

const char *conf_provider_opt(const struct conf_provider *p, const char *key)
{
	for (size_t i = 0; p && i < p->n_opts; i++)
		if (!strcasecmp(p->opts[i].key, key))
			return p->opts[i].val;
	return NULL;
}

static bool builtin_type(const char *name)
{
	return !strcmp(name, "local") || !strcmp(name, "program") || !strcmp(name, "aws");
}

const char *conf_provider_type(const struct sky_conf *c, const char *provider)
{
	const struct conf_provider *p = conf_find_provider(c, provider);

	if (p)
		return p->type;
	return provider ? provider : "local";
}

/* SuspendExcNodes=expr[:N],...: split at the commas outside brackets. */
int conf_exc_groups(const char *spec, struct conf_exc_group **out, size_t *n,
		    struct sky_errbuf *eb)
{
	char *copy = xstrdup(spec), *s = copy, *colon;
	int depth = 0, rc = 0;

	*out = NULL;
	*n = 0;
	for (char *p = copy;; p++) {
		if (*p == '[')
			depth++;
		else if (*p == ']')
			depth--;
		if (*p && (*p != ',' || depth))
			continue;
		bool end = !*p;
		struct conf_exc_group g = { 0 };
		struct hostlist *hl = NULL;
		*p = '\0';
		if ((colon = strrchr(s, ':')) && !strchr(colon, ']')) {
			*colon = '\0';
			g.counted = true;
			if (parse_uint(colon + 1, SKY_NO_VAL - 1, &g.keep))
				rc = -1;
		}
		if (!rc && (!*s || hostlist_create(s, &hl, NULL)))
			rc = -1;
		hostlist_destroy(hl);
		if (rc)
			break;
		g.hostlist = xstrdup(s);
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = g;
		if (end)
			break;
		s = p + 1;
	}
	free(copy);
	if (rc) {
		conf_exc_groups_free(*out, *n);
		*out = NULL;
		*n = 0;
		return sky_err_set(eb, SKY_E_CONFIG, "invalid value '%s' for SuspendExcNodes", spec);
	}
	return 0;
}

void conf_exc_groups_free(struct conf_exc_group *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(g[i].hostlist);
	free(g);
}

static int check_exc_nodes(const char *spec, struct sky_errbuf *eb)
{
	struct conf_exc_group *g;
	size_t n;
	int rc = conf_exc_groups(spec, &g, &n, eb);

	conf_exc_groups_free(g, n);
	return rc;
}

static int check_exc_parts(const struct sky_conf *c, struct sky_errbuf *eb)
{
	const char *s = c->suspend_exc_parts;
	int rc = 0;

	while (*s && !rc) {
		size_t len = strcspn(s, ",");
		char *name = xstrndup(s, len);

		if (*name && !conf_find_partition(c, name))
			rc = sky_err_set(eb, SKY_E_CONFIG, "SuspendExcParts: unknown partition '%s'", name);
		free(name);
		s += len + (s[len] == ',');
	}
	return rc;
}

/* Whether the provider name (a node's Provider=) stands for a program provider with no program. */
static bool program_missing(const struct sky_conf *c, const char *name)
{
	const struct conf_provider *p = conf_find_provider(c, name);

	if (strcmp(conf_provider_type(c, name), "program"))
		return false;
	return !c->resume_program && !conf_provider_opt(p, "ResumeProgram");
}

int conf_cloud_finalize(struct sky_conf *c, struct sky_errbuf *eb)
{
	int rc;

	if (c->suspend_exc_nodes && (rc = check_exc_nodes(c->suspend_exc_nodes, eb)))
		return rc;
	if (c->suspend_exc_parts && (rc = check_exc_parts(c, eb)))
		return rc;
	for (size_t i = 0; i < c->n_nodes; i++) {
		struct conf_node *n = &c->nodes[i];
		const char *f = n->file ? n->file : "";

		if (!n->provider)
			n->provider = xstrdup(n->state && !strcmp(n->state, "CLOUD") &&
					      c->resume_program ? "program" : "local");
		if (!conf_find_provider(c, n->provider) && !builtin_type(n->provider))
			return sky_err_set(eb, SKY_E_CONFIG, "%s:%d: NodeName=%s: unknown provider '%s'",
					   f, n->line, n->names, n->provider);
		if (program_missing(c, n->provider))
			return sky_err_set(eb, SKY_E_CONFIG,
					   "%s:%d: NodeName=%s: provider '%s' runs ResumeProgram, which is not set",
					   f, n->line, n->names, n->provider);
	}
	return 0;
}

void conf_cloud_free(struct sky_conf *c)
{
	free(c->suspend_exc_nodes);
	free(c->suspend_exc_parts);
	free(c->suspend_exc_states);
	free(c->resume_program);
	free(c->suspend_program);
	free(c->resume_fail_program);
	for (size_t i = 0; i < c->n_providers; i++)
		provider_clear(&c->providers[i]);
	free(c->providers);
}
