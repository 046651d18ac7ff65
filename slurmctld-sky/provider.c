/* provider.c: choosing providers by name and driving their lifecycle. */
#include "config.h"

#include <string.h>

#include "ctld.h"
#include "log.h"
#include "provider.h"
#include "xalloc.h"

/* Every compiled-in provider. */
static const struct provider_ops *const provider_registry[] = {
	&prov_local_ops,
};

const struct provider_ops *provider_ops_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(provider_registry) / sizeof(provider_registry[0]); i++)
		if (strcmp(provider_registry[i]->name, name) == 0)
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
		if (!provider_ops_find(prov_name(cn)))
			return sky_err_set(eb, SKY_E_CONFIG, "%s:%d: NodeName=%s: unknown provider '%s'",
					   cn->file ? cn->file : "", cn->line, cn->names, prov_name(cn));
	}
	return 0;
}

static struct provider *find_started(struct ctld *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n_providers; i++)
		if (strcmp(c->providers[i].ops->name, name) == 0)
			return &c->providers[i];
	return NULL;
}

int providers_start(struct ctld *c, struct sky_errbuf *eb)
{
	size_t cap = sizeof(provider_registry) / sizeof(provider_registry[0]), i;
	int rc;

	if ((rc = providers_check(c->conf, eb)))
		return rc;
	/* At most one instance per compiled-in provider: the array never moves. */
	c->providers = xcalloc(cap, sizeof(*c->providers));
	for (i = 0; i < c->nodes.count; i++) {
		struct node *n = &c->nodes.nodes[i];
		struct provider *p = find_started(c, n->prov_name);
		if (!p) {
			p = &c->providers[c->n_providers];
			p->ops = provider_ops_find(n->prov_name);
			p->c = c;
			if (!p->ops)
				return sky_err_set(eb, SKY_E_CONFIG, "node %s: unknown provider '%s'",
						   n->name, n->prov_name);
			if (p->ops->init && (rc = p->ops->init(c, p)))
				return sky_err_set(eb, rc, "provider %s failed to start", p->ops->name);
			c->n_providers++;
			log_verbose("provider %s started", p->ops->name);
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
