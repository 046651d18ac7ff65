/*
 * provider.h: where nodes come from.
 *
 * Every node belongs to one provider, named by the Provider= field of its
 * NodeName line ("local" by default). A provider brings nodes up (resume) and
 * takes them down (suspend); its poll runs from the 1 s timer so it can watch
 * slow operations without blocking the loop. Providers are compiled in, one
 * file each (prov_<name>.c), each exporting one const struct provider_ops,
 * and are chosen by name; an unknown name is a start-up error.
 */
#ifndef SKY_PROVIDER_H
#define SKY_PROVIDER_H

#include "conf.h"
#include "sky_err.h"

struct ctld;
struct provider;

struct provider_ops {
	const char *name;
	/* Set up p (p->c and p->ops are filled in). Returns 0 or SKY_E_*. */
	int (*init)(struct ctld *c, struct provider *p);
	/* Start bringing node up; it is up once its agent registers. */
	int (*resume)(struct provider *p, const char *node, struct sky_errbuf *eb);
	/* Start taking node down. */
	int (*suspend)(struct provider *p, const char *node, struct sky_errbuf *eb);
	void (*poll)(struct provider *p);
	void (*fini)(struct provider *p);
};

struct provider {
	const struct provider_ops *ops;   /* borrowed (static) */
	struct ctld *c;                   /* borrowed */
	void *priv;                       /* the provider's own state */
};

extern const struct provider_ops prov_local_ops;

/* The ops called name, or NULL. */
const struct provider_ops *provider_ops_find(const char *name);

/* SKY_E_CONFIG naming the NodeName line when a provider name is unknown. */
int providers_check(const struct sky_conf *conf, struct sky_errbuf *eb);
/* One provider per name in use; sets every node's prov. */
int providers_start(struct ctld *c, struct sky_errbuf *eb);
void providers_poll(struct ctld *c);
void providers_stop(struct ctld *c);

#endif
