/* cloud_preview.c: the placement sbatch --test-only shows (cloud_info.h). */
#include "config.h"

#include <stdlib.h>

#include "cloud_info.h"
#include "ctld.h"
#include "hostlist.h"
#include "job_features.h"
#include "node_table.h"
#include "xalloc.h"

#define PREVIEW_MAX 32

static struct {
	struct provider *p;
	cloud_preview_fn fn;
} previews[PREVIEW_MAX];

void cloud_preview_register(struct provider *p, cloud_preview_fn fn)
{
	size_t i;

	for (i = 0; i < PREVIEW_MAX; i++) {
		if (previews[i].p == p || !previews[i].p) {
			previews[i].p = p;
			previews[i].fn = fn;
			return;
		}
	}
}

char *cloud_preview(struct provider *p, const struct job *j, uint32_t nnodes, int64_t *price_u)
{
	size_t i;

	*price_u = 0;
	for (i = 0; p && i < PREVIEW_MAX && previews[i].p; i++)
		if (previews[i].p == p)
			return previews[i].fn ? previews[i].fn(p, j, nnodes, price_u) : NULL;
	return NULL;
}

char *cloud_will_run_suffix(struct ctld *c, const Sky__JobRecord *rec, const struct hostlist *hl)
{
	struct job tmp = { .rec = (Sky__JobRecord *)rec };
	struct provider *p = NULL;
	const struct node *first = NULL;
	uint32_t nnodes = 0;
	int64_t price = 0;
	char *text, *out;
	size_t i;

	/* The slots that would be powered up, all of the first placing provider. */
	for (i = 0; i < hostlist_count(hl); i++) {
		struct node *n = node_find(&c->nodes, hostlist_nth(hl, i));

		if (!n || !n->prov || !n->pw.elastic || n->pw.state == NODE_POWER_ON ||
		    node_has_cloud(n))
			continue;
		if (!p) {
			p = n->prov;
			first = n;
		}
		if (n->prov == p)
			nnodes++;
	}
	if (!p)
		return NULL;
	text = cloud_preview(p, &tmp, nnodes, &price);
	/* A priced program provider launches one kind of machine: that is its preview. */
	if (!text && first)
		text = program_placement_text(first, nnodes, &price);
	if (!text)
		return NULL;
	out = xasprintf(", placement %s", text);
	free(text);
	return out;
}

/* A powered-down slot whose hardware its provider decides at launch. */
static bool unsized_slot(const struct node *n)
{
	const struct node_power *pw = &n->pw;

	if (!n->prov || !pw->elastic || pw->state != NODE_POWER_OFF || pw->down_pending ||
	    pw->asap || n->down_not_responding || n->n_jobs || node_has_cloud(n))
		return false;
	if (n->admin_state == SKY__NODE_STATE__NODE_DOWN ||
	    n->admin_state == SKY__NODE_STATE__NODE_DRAIN ||
	    n->admin_state == SKY__NODE_STATE__NODE_FUTURE)
		return false;
	return n->cpus == 0 && (!n->cn || !n->cn->cpus);
}

void cloud_will_run_slots(const Sky__JobRecord *rec, struct node *const *nodes, size_t n,
			  bool *usable, uint32_t *total, uint32_t *free_cpus)
{
	struct job tmp = { .rec = (Sky__JobRecord *)rec };
	uint32_t cpn = rec->cpus_per_node ? rec->cpus_per_node : 1;
	uint32_t need = rec->num_nodes ? rec->num_nodes : 1;
	struct provider *asked[PREVIEW_MAX];
	bool fits[PREVIEW_MAX];
	size_t n_asked = 0, k;

	for (size_t i = 0; i < n; i++) {
		struct node *nd = nodes[i];

		if (usable[i] || !unsized_slot(nd) ||
		    !features_match(rec->desc ? rec->desc->constraint : NULL, nd->features))
			continue;
		/* One preview per provider: the optimizer's answer is the same for each slot. */
		for (k = 0; k < n_asked && asked[k] != nd->prov; k++)
			;
		if (k == n_asked) {
			int64_t price;
			char *text = cloud_preview(nd->prov, &tmp, need, &price);

			if (n_asked == PREVIEW_MAX)
				continue;
			asked[n_asked] = nd->prov;
			fits[n_asked++] = text != NULL;
			free(text);
		}
		if (fits[k]) {
			usable[i] = true;
			total[i] = free_cpus[i] = cpn;
		}
	}
}
