/* provider.c: choosing providers by name and driving their lifecycle. */
#include "config.h"

#include <string.h>

#include "ctld.h"
#include "log.h"
#include "provider.h"
#include "xalloc.h"

/* prov_aws.c (its own header is private to the AWS provider's files). */
extern const struct provider_ops prov_aws_ops;

/* Every compiled-in provider type. */
static const struct provider_ops *const provider_registry[] = {
	&prov_local_ops,
	&prov_program_ops,
	&prov_aws_ops,
	&prov_k8s_ops,
};

const struct provider_ops *provider_ops_find(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(provider_registry) / sizeof(provider_registry[0]); i++)
		if (strcmp(provider_registry[i]->name, type) == 0)
			return provider_registry[i];
	return NULL;
}

static const char *prov_name(const struct conf_node *cn)
{
	return cn->provider && *cn->provider ? cn->provider : "local";
}

int providers_check(const struct sky_conf *conf, struct sky_errbuf *eb)
{
	size_t i;

	for (i = 0; i < conf->n_nodes; i++) {
		const struct conf_node *cn = &conf->nodes[i];
		const char *name = prov_name(cn), *type = conf_provider_type(conf, name);
		const struct provider_ops *ops = provider_ops_find(type);
		struct sky_errbuf tmp;

		if (!ops)
			return sky_err_set(eb, SKY_E_CONFIG,
					   "%s:%d: NodeName=%s: provider '%s' of type '%s' is not available",
					   cn->file ? cn->file : "", cn->line, cn->names, name, type);
		sky_err_clear(&tmp);
		if (ops->check && ops->check(conf, name, conf_find_provider(conf, name), &tmp))
			return sky_err_set(eb, SKY_E_CONFIG, "%s:%d: NodeName=%s: provider '%s': %s",
					   cn->file ? cn->file : "", cn->line, cn->names, name,
					   sky_err_msg(&tmp));
	}
	return 0;
}

static struct provider *find_started(struct ctld *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n_providers; i++)
		if (strcmp(c->providers[i].name, name) == 0)
			return &c->providers[i];
	return NULL;
}

int providers_start(struct ctld *c, struct sky_errbuf *eb)
{
	size_t i;
	int rc;

	if ((rc = providers_check(c->conf, eb)))
		return rc;
	/* At most one instance per node: the array never moves. */
	c->providers = xcalloc(c->nodes.count + 1, sizeof(*c->providers));
	for (i = 0; i < c->nodes.count; i++) {
		struct node *n = &c->nodes.nodes[i];
		struct provider *p = find_started(c, n->prov_name);
		if (!p) {
			p = &c->providers[c->n_providers];
			p->name = n->prov_name;
			p->cp = conf_find_provider(c->conf, n->prov_name);
			p->ops = provider_ops_find(conf_provider_type(c->conf, n->prov_name));
			p->c = c;
			if (!p->ops)
				return sky_err_set(eb, SKY_E_CONFIG, "node %s: unknown provider '%s'",
						   n->name, n->prov_name);
			if (p->ops->init && (rc = p->ops->init(c, p)))
				return sky_err_set(eb, rc, "provider %s failed to start", p->name);
			c->n_providers++;
			log_verbose("provider %s (%s) started", p->name, p->ops->name);
		}
		n->prov = p;
	}
	return 0;
}

void providers_poll(struct ctld *c)
{
	size_t i;

	for (i = 0; i < c->n_providers; i++)
		if (c->providers[i].ops->poll)
			c->providers[i].ops->poll(&c->providers[i]);
}

void providers_stop(struct ctld *c)
{
	size_t i;

	for (i = 0; i < c->n_providers; i++)
		if (c->providers[i].ops->fini)
			c->providers[i].ops->fini(&c->providers[i]);
	FREE_NULL(c->providers);
	c->n_providers = 0;
}
