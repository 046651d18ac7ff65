/* cloud_show.c: see cloud_show.h. */
#include "config.h"

#include "cloud_show.h"
#include "job_cost.h"
#include "show_job.h"
#include "xalloc.h"

static const char *nz(const char *s)
{
	return s && *s ? s : "(null)";
}

void cloud_show_node(char **b, bool one_liner, const Sky__NodeInfo *n)
{
	char price[32];

	if (!n->has_price_u && !n->instance_id && !n->instance_type)
		return;
	show_kv(b, one_liner, true, "InstanceId=%s InstanceType=%s", nz(n->instance_id),
		nz(n->instance_type));
	show_kv(b, one_liner, true, "Region=%s Zone=%s Market=%s Price=%s", nz(n->region),
		nz(n->zone), n->spot ? "spot" : "on-demand",
		money_str(n->has_price_u ? n->price_u : 0, price, sizeof(price)));
}

void cloud_show_job(char **b, bool one_liner, const Sky__JobRecord *j, time_t now)
{
	char cost[32];

	if (!job_rec_is_cloud(j))
		return;
	show_kv(b, one_liner, true, "Placement=%s Cost=%s", nz(j->placement),
		money_str(job_rec_cost_now(j, now), cost, sizeof(cost)));
}

static const Sky__NodeInfo *first(const struct sinfo_row *r)
{
	return r->n ? r->nodes[0] : NULL;
}

static bool is_cloud(const Sky__NodeInfo *n)
{
	return n && (n->has_price_u || n->instance_id || n->instance_type);
}

char *cloud_val_instance_type(const struct sinfo_row *r)
{
	const Sky__NodeInfo *n = first(r);

	return xstrdup(is_cloud(n) ? nz(n->instance_type) : "(null)");
}

char *cloud_val_zone(const struct sinfo_row *r)
{
	const Sky__NodeInfo *n = first(r);

	if (!is_cloud(n))
		return xstrdup("(null)");
	return xstrdup(n->zone && *n->zone ? n->zone : nz(n->region));
}

char *cloud_val_market(const struct sinfo_row *r)
{
	const Sky__NodeInfo *n = first(r);

	return xstrdup(!is_cloud(n) ? "(null)" : n->spot ? "spot" : "on-demand");
}

char *cloud_val_price(const struct sinfo_row *r)
{
	const Sky__NodeInfo *n = first(r);
	char buf[32];

	return xstrdup(money_str(is_cloud(n) && n->has_price_u ? n->price_u : 0, buf, sizeof(buf)));
}
