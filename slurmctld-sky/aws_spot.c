/* aws_spot.c: DescribeSpotPriceHistory, reduced to the latest price per
 * (instance type, zone) (aws_ec2.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws_ec2.h"
#include "aws_http.h"
#include "aws_xml.h"
#include "xalloc.h"

static void free_price(struct aws_spot_price *p)
{
	free(p->instance_type);
	free(p->zone);
	free(p->product);
	free(p->price);
	free(p->timestamp);
}

void aws_spot_price_list_free(struct aws_spot_price_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		free_price(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int same_offer(const struct aws_spot_price *a, const struct aws_spot_price *b)
{
	return !strcmp(a->instance_type, b->instance_type) && !strcmp(a->zone, b->zone) &&
	       !strcmp(a->product, b->product);
}

/* Keep p if it is the first or a newer row for its (type, zone, product);
 * consumes p's strings either way. */
static void keep_latest(struct aws_spot_price_list *l, struct aws_spot_price *p)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (!same_offer(&l->v[i], p))
			continue;
		/* ISO 8601 UTC timestamps order as strings. */
		if (strcmp(p->timestamp, l->v[i].timestamp) > 0) {
			free_price(&l->v[i]);
			l->v[i] = *p;
		} else {
			free_price(p);
		}
		return;
	}
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = *p;
}

static char *text_or_empty(xmlNodePtr n, const char *path)
{
	char *t = axml_text(n, path);

	return t ? t : xstrdup("");
}

/* Whether a row answers q. EC2 filters server-side; moto ignores the zone
 * and product filters, and checking again costs nothing. */
static int row_wanted(const struct aws_spot_query *q, const struct aws_spot_price *p)
{
	size_t i;

	if (q->zone && strcmp(q->zone, p->zone))
		return 0;
	for (i = 0; i < q->n_instance_types; i++)
		if (!strcmp(q->instance_types[i], p->instance_type))
			return 1;
	return q->n_instance_types == 0;
}

static void parse_rows(const struct aws_spot_query *q, xmlNodePtr root,
		       struct aws_spot_price_list *out)
{
	xmlNodePtr it = axml_child(axml_child(root, "spotPriceHistorySet"), "item");

	for (; it; it = axml_next(it)) {
		struct aws_spot_price p;

		p.instance_type = text_or_empty(it, "instanceType");
		p.zone = text_or_empty(it, "availabilityZone");
		p.product = text_or_empty(it, "productDescription");
		p.price = text_or_empty(it, "spotPrice");
		p.timestamp = text_or_empty(it, "timestamp");
		p.price_per_hour = strtod(p.price, NULL);
		if (row_wanted(q, &p))
			keep_latest(out, &p);
		else
			free_price(&p);
	}
}

static int price_cmp(const void *a, const void *b)
{
	const struct aws_spot_price *x = a, *y = b;
	int c = strcmp(x->instance_type, y->instance_type);

	if (!c)
		c = strcmp(x->zone, y->zone);
	return c ? c : strcmp(x->product, y->product);
}

static void spot_form(const struct aws_spot_query *q, const char *token, struct aws_form *f)
{
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	size_t i;

	aws_form_add(f, "Action", "DescribeSpotPriceHistory");
	aws_form_add(f, "Version", "2016-11-15");
	/* StartTime now: EC2 then returns, per offering, the last price change
	 * before it, i.e. the current price, and nothing older. */
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	aws_form_add(f, "StartTime", now);
	for (i = 0; i < q->n_instance_types; i++)
		aws_form_add_key(f, xasprintf("InstanceType.%zu", i + 1), q->instance_types[i]);
	if (q->zone)
		aws_form_add(f, "AvailabilityZone", q->zone);
	if (q->product)
		aws_form_add(f, "ProductDescription.1", q->product);
	if (token)
		aws_form_add(f, "NextToken", token);
}

static void spot_page_form(const void *q, const char *token, struct aws_form *f)
{
	spot_form(q, token, f);
}

static void spot_page_take(const void *q, xmlNodePtr root, void *out)
{
	parse_rows(q, root, out);
}

int aws_ec2_spot_prices(struct aws_ec2 *c, const struct aws_spot_query *q,
			struct aws_spot_price_list *out, struct sky_errbuf *eb)
{
	static const struct aws_spot_query all = { 0 };
	int rc;

	aws_call_begin(c);
	memset(out, 0, sizeof(*out));
	rc = aws_http_call_pages(c, spot_page_form, spot_page_take, q ? q : &all, out, eb);
	if (rc) {
		aws_spot_price_list_free(out);
		return rc;
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), price_cmp);
	return 0;
}
