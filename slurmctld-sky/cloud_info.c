/* cloud_info.c: cloud instances behind nodes, job placements, job cost. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cloud_info.h"
#include "ctld.h"
#include "job_cost.h"
#include "job_queue.h"
#include "node_table.h"
#include "provider.h"
#include "xalloc.h"

static void set_or_clear(char **field, const char *val)
{
	free(*field);
	*field = val ? xstrdup(val) : NULL;
}

/* A new price for n reprices the runs of the jobs holding it now. */
static void reprice_jobs_on(struct node *n)
{
	const struct job_holders *h;

	if (!n->prov || !n->prov->c)
		return;
	h = job_holders_at(&n->prov->c->jobs, n);
	for (size_t i = 0; h && i < h->n; i++) {
		h->v[i]->rec->has_run_price_u = true;
		h->v[i]->rec->run_price_u = job_run_price(h->v[i]);
	}
}

void node_set_cloud(struct node *n, const char *instance_id, const char *instance_type,
		    const char *region, const char *zone, bool spot, int64_t price_u_per_hour)
{
	struct node_cloud *nc = &n->cloud;

	set_or_clear(&nc->instance_id, instance_id);
	set_or_clear(&nc->instance_type, instance_type);
	set_or_clear(&nc->region, region);
	set_or_clear(&nc->zone, zone);
	nc->spot = spot;
	nc->price_u = price_u_per_hour > 0 ? price_u_per_hour : 0;
	reprice_jobs_on(n);
}

void node_clear_cloud(struct node *n)
{
	struct node_cloud *nc = &n->cloud;

	FREE_NULL(nc->instance_id);
	FREE_NULL(nc->instance_type);
	FREE_NULL(nc->region);
	FREE_NULL(nc->zone);
	nc->spot = false;
	nc->price_u = 0;
}

bool node_has_cloud(const struct node *n)
{
	const struct node_cloud *nc = &n->cloud;

	return nc->instance_id || nc->instance_type || nc->price_u > 0;
}

/*
 * A program provider's slots are priced by its ProviderName record
 * (InstanceType= Region= Zone= Market= Price=): the admin's programs launch
 * one kind of machine, and the controller has no other way to learn its
 * price. Fills tmp (strings borrowed from the config); false when the
 * record sets none of these keys.
 */
static bool program_cloud(const struct node *n, struct node_cloud *tmp)
{
	const struct conf_provider *cp = n->prov ? n->prov->cp : NULL;
	const char *price, *market;

	memset(tmp, 0, sizeof(*tmp));
	if (!cp || !cp->type || strcmp(cp->type, "program") != 0)
		return false;
	tmp->instance_type = (char *)conf_provider_opt(cp, "InstanceType");
	tmp->region = (char *)conf_provider_opt(cp, "Region");
	tmp->zone = (char *)conf_provider_opt(cp, "Zone");
	market = conf_provider_opt(cp, "Market");
	tmp->spot = market && !strcasecmp(market, "spot");
	price = conf_provider_opt(cp, "Price");
	if (price && !money_parse(price, &tmp->price_u))
		tmp->price_u = 0;
	return tmp->instance_type || tmp->region || tmp->zone || market || price;
}

int64_t node_price(const struct node *n)
{
	struct node_cloud tmp;

	if (n->cloud.price_u > 0)
		return n->cloud.price_u;
	return program_cloud(n, &tmp) ? tmp.price_u : 0;
}

void node_cloud_to_info(const struct node *n, Sky__NodeInfo *ni)
{
	struct node_cloud tmp;
	const struct node_cloud *nc = &n->cloud;

	if (!node_has_cloud(n)) {
		/* A configured price describes the machine while it is up. */
		if (n->pw.state == NODE_POWER_OFF || !program_cloud(n, &tmp))
			return;
		nc = &tmp;
	}
	ni->instance_id = nc->instance_id;
	ni->instance_type = nc->instance_type;
	ni->region = nc->region;
	ni->zone = nc->zone;
	ni->has_spot = true;
	ni->spot = nc->spot;
	ni->has_price_u = true;
	ni->price_u = nc->price_u;
}

void job_set_placement(struct job *j, const char *text, int64_t price_u_per_hour)
{
	Sky__JobRecord *r = j->rec;

	set_or_clear(&r->placement, text);
	r->has_placement_price_u = true;
	r->placement_price_u = price_u_per_hour > 0 ? price_u_per_hour : 0;
	if (j->n_alloc) {
		r->has_run_price_u = true;
		r->run_price_u = job_run_price(j);
	}
}

int64_t job_run_price(const struct job *j)
{
	const Sky__JobRecord *r = j->rec;
	int64_t share = 0, sum = 0;
	size_t i;

	if (!j->n_alloc)
		return 0;
	if (r->has_placement_price_u && r->placement_price_u > 0)
		share = r->placement_price_u / (int64_t)j->n_alloc;
	for (i = 0; i < j->n_alloc; i++) {
		int64_t p = node_price(j->alloc[i].node);

		sum += p > 0 ? p : share;
	}
	return sum;
}

char *program_placement_text(const struct node *n, uint32_t nnodes, int64_t *total)
{
	struct node_cloud nc;
	char each[32], all[32], *where, *s;

	if (!program_cloud(n, &nc))
		return NULL;
	*total = nc.price_u * (int64_t)nnodes;
	where = xasprintf("%s%s%s%s%s", n->prov_name ? n->prov_name : "program",
			  nc.region ? "/" : "", nc.region ? nc.region : "",
			  nc.zone ? "/" : "", nc.zone ? nc.zone : "");
	s = xasprintf("%s %s %s $%s/h x%u = $%s/h", where,
		      nc.instance_type ? nc.instance_type : "(null)",
		      nc.spot ? "spot" : "on-demand", money_str(nc.price_u, each, sizeof(each)),
		      nnodes, money_str(*total, all, sizeof(all)));
	free(where);
	return s;
}

void job_cost_run_start(struct job *j)
{
	Sky__JobRecord *r = j->rec;

	if (!r->placement && j->n_alloc) {
		int64_t total = 0;
		char *text = program_placement_text(j->alloc[0].node, (uint32_t)j->n_alloc, &total);

		if (text) {
			r->placement = text;
			r->has_placement_price_u = true;
			r->placement_price_u = total;
		}
	}
	r->has_run_price_u = true;
	r->run_price_u = job_run_price(j);
}

void job_cost_run_end(struct job *j, time_t end)
{
	Sky__JobRecord *r = j->rec;
	int64_t price;

	/* Never launched (nodes that did not join, a launch that failed): the
	 * job's clock never ran, as boot time is not charged either. */
	if (!r->has_start_time || !r->start_time || !r->launch_acked)
		return;
	if (r->has_cost_charged_start && r->cost_charged_start == r->start_time)
		return;
	/* The price the run had, kept current by job_cost_run_start and every
	 * node_set_cloud(): a provider may have cleared a lost node's instance
	 * before the job is requeued. Else what the nodes say now. */
	price = r->has_run_price_u && r->run_price_u > 0 ? r->run_price_u : job_run_price(j);
	r->has_run_price_u = true;
	r->run_price_u = price;
	r->has_cost_u = true;
	r->cost_u += cost_of_run(price, r->start_time, end > 0 ? (uint64_t)end : 0);
	r->has_cost_charged_start = true;
	r->cost_charged_start = r->start_time;
}
