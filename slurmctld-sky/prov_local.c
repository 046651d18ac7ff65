/*
 * prov_local.c: nodes that simply exist.
 *
 * A local node is a machine whose agent the admin starts (by hand, from an
 * init system, or with contrib/sky-up). It comes up by registering and goes
 * away when its agent stops, so resume and suspend have nothing to do.
 */
#include "config.h"

#include "log.h"
#include "provider.h"

static int local_init(struct ctld *c, struct provider *p)
{
	(void)c;
	p->priv = NULL;
	return 0;
}

static int local_resume(struct provider *p, const struct provider_resume *req,
			struct sky_errbuf *eb)
{
	(void)p;
	(void)eb;
	log_debug("provider local: nodes %s come up when their agents register", req->nodes);
	return 0;
}

static int local_suspend(struct provider *p, const char *nodes, char *const *names, size_t n,
			 struct sky_errbuf *eb)
{
	(void)p;
	(void)eb;
	(void)names;
	(void)n;
	log_debug("provider local: nodes %s stay as they are", nodes);
	return 0;
}

static void local_poll(struct provider *p)
{
	(void)p;
}

static void local_fini(struct provider *p)
{
	(void)p;
}

const struct provider_ops prov_local_ops = {
	.name = "local",
	.init = local_init,
	.resume = local_resume,
	.suspend = local_suspend,
	.poll = local_poll,
	.fini = local_fini,
};
