/* aws_ec2.c: the EC2 operations (aws_ec2.h) over aws_http.c's signed POST. */
#include "config.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws_ec2.h"
#include "aws_http.h"
#include "aws_xml.h"
#include "xalloc.h"

#define EC2_API_VERSION "2016-11-15"

/* The authority of url ("host:port"), the Host header curl will send. */
static char *url_authority(const char *url)
{
	const char *p = strstr(url, "://"), *end, *at;

	p = p ? p + 3 : url;
	end = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(end - p));
	if (at)
		p = at + 1;
	return xstrndup(p, (size_t)(end - p));
}

/* The path of url, which is what gets signed ("/" when it has none). */
static char *url_path(const char *url)
{
	const char *p = strstr(url, "://");

	p = p ? p + 3 : url;
	p += strcspn(p, "/?#");
	if (*p != '/')
		return xstrdup("/");
	return xstrndup(p, strcspn(p, "?#"));
}

int aws_ec2_create(const struct aws_creds *creds, const struct aws_ec2_opts *opts,
		   struct aws_ec2 **out, struct sky_errbuf *eb)
{
	static const struct aws_ec2_opts defaults = { 0 };
	const char *region;
	struct aws_ec2 *c;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	region = opts->region ? opts->region : creds->region;
	if (!region || !*region)
		return sky_err_set(eb, SKY_E_CONFIG,
				   "no AWS region: set AWS_REGION or 'region' in ~/.aws/config "
				   "(profile '%s')", creds->profile ? creds->profile : "default");
	aws_http_global_init();
	c = xmalloc(sizeof(*c));
	c->curl = curl_easy_init();
	if (!c->curl) {
		free(c);
		return sky_err_set(eb, SKY_E_NOMEM, "curl_easy_init failed");
	}
	c->creds = aws_creds_dup(creds);
	c->region = xstrdup(region);
	c->url = aws_creds_endpoint(creds, region);
	c->host = url_authority(c->url);
	c->path = url_path(c->url);
	c->connect_timeout_ms = opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : 5000;
	c->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : 30000;
	c->max_attempts = opts->max_attempts > 0 ? opts->max_attempts : 5;
	c->backoff_base_ms = opts->backoff_base_ms > 0 ? opts->backoff_base_ms : 100;
	c->backoff_cap_ms = opts->backoff_cap_ms > 0 ? opts->backoff_cap_ms : 20000;
	if (RAND_bytes((unsigned char *)&c->rng, sizeof(c->rng)) != 1)
		c->rng = (unsigned int)time(NULL) ^ (unsigned int)(uintptr_t)c;
	*out = c;
	return 0;
}

void aws_ec2_destroy(struct aws_ec2 *c)
{
	if (!c)
		return;
	curl_easy_cleanup(c->curl);
	aws_creds_free(c->creds);
	free(c->region);
	free(c->url);
	free(c->host);
	free(c->path);
	free(c->last_token);
	free(c);
}

const struct aws_error *aws_ec2_last_error(const struct aws_ec2 *c)
{
	return &c->err;
}

const struct aws_call_stats *aws_ec2_last_stats(const struct aws_ec2 *c)
{
	return &c->stats;
}

const char *aws_ec2_region(const struct aws_ec2 *c)
{
	return c->region;
}

const char *aws_ec2_last_token(const struct aws_ec2 *c)
{
	return c->last_token;
}

char *aws_error_reason(const struct aws_error *e)
{
	if (e->code[0])
		return xasprintf("(Code:%s) %s", e->code,
				 e->message[0] ? e->message : "(no message)");
	if (e->message[0])
		return xstrdup(e->message);
	return xasprintf("HTTP %d", e->http_status);
}

char *aws_client_token_new(void)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[16];
	char *s = xmalloc(33);
	size_t i;

	if (RAND_bytes(r, sizeof(r)) != 1) {
		/* Uniqueness only matters per launch; time and address suffice. */
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		memcpy(r, &ts, sizeof(r) < sizeof(ts) ? sizeof(r) : sizeof(ts));
		r[15] ^= (unsigned char)(uintptr_t)s;
	}
	for (i = 0; i < sizeof(r); i++) {
		s[2 * i] = hex[r[i] >> 4];
		s[2 * i + 1] = hex[r[i] & 15];
	}
	return s;
}

static void form_start(struct aws_form *f, const char *action)
{
	aws_form_add(f, "Action", action);
	aws_form_add(f, "Version", EC2_API_VERSION);
}

static void free_instance(struct aws_instance *in)
{
	size_t i;

	free(in->id);
	free(in->type);
	free(in->image_id);
	free(in->state);
	free(in->prev_state);
	free(in->zone);
	free(in->private_ip);
	free(in->private_dns);
	free(in->launch_time);
	free(in->reason_code);
	free(in->reason_message);
	free(in->client_token);
	for (i = 0; i < in->n_tags; i++) {
		free(in->tags[i].key);
		free(in->tags[i].value);
	}
	free(in->tags);
}

void aws_instance_list_free(struct aws_instance_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		free_instance(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static struct aws_instance *list_push(struct aws_instance_list *l)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

static int text_int(xmlNodePtr n, const char *path)
{
	char *t = axml_text(n, path);
	int v = t ? atoi(t) : -1;

	free(t);
	return v;
}

static void parse_tags(xmlNodePtr item, struct aws_instance *in)
{
	xmlNodePtr t = axml_child(axml_child(item, "tagSet"), "item");

	for (; t; t = axml_next(t)) {
		in->tags = xrealloc(in->tags, (in->n_tags + 1) * sizeof(*in->tags));
		in->tags[in->n_tags].key = axml_text(t, "key");
		in->tags[in->n_tags].value = axml_text(t, "value");
		if (!in->tags[in->n_tags].key)
			in->tags[in->n_tags].key = xstrdup("");
		if (!in->tags[in->n_tags].value)
			in->tags[in->n_tags].value = xstrdup("");
		in->n_tags++;
	}
}

/* One <instancesSet><item> (direct children only: the same names recur
 * deeper, under networkInterfaceSet). */
static void parse_instance(xmlNodePtr item, struct aws_instance *in)
{
	char *lc = axml_text(item, "instanceLifecycle");

	in->id = axml_text(item, "instanceId");
	in->type = axml_text(item, "instanceType");
	in->image_id = axml_text(item, "imageId");
	in->state = axml_text(item, "instanceState/name");
	in->state_code = text_int(item, "instanceState/code");
	in->zone = axml_text(item, "placement/availabilityZone");
	in->private_ip = axml_text(item, "privateIpAddress");
	in->private_dns = axml_text(item, "privateDnsName");
	in->launch_time = axml_text(item, "launchTime");
	in->spot = lc && !strcmp(lc, "spot");
	in->reason_code = axml_text(item, "stateReason/code");
	in->reason_message = axml_text(item, "stateReason/message");
	in->client_token = axml_text(item, "clientToken");
	parse_tags(item, in);
	free(lc);
}

static void parse_instances_set(xmlNodePtr parent, struct aws_instance_list *out)
{
	xmlNodePtr it = axml_child(axml_child(parent, "instancesSet"), "item");

	for (; it; it = axml_next(it))
		parse_instance(it, list_push(out));
}

static void run_form(const struct aws_run_spec *s, const char *token, struct aws_form *f)
{
	char n[16];
	size_t i;

	form_start(f, "RunInstances");
	aws_form_add(f, "ImageId", s->image_id);
	aws_form_add(f, "InstanceType", s->instance_type);
	snprintf(n, sizeof(n), "%d", s->count > 0 ? s->count : 1);
	aws_form_add(f, "MinCount", n);
	aws_form_add(f, "MaxCount", n);
	aws_form_add(f, "ClientToken", token);
	if (s->zone)
		aws_form_add(f, "Placement.AvailabilityZone", s->zone);
	if (s->subnet_id)
		aws_form_add(f, "SubnetId", s->subnet_id);
	for (i = 0; i < s->n_security_groups; i++)
		aws_form_add_key(f, xasprintf("SecurityGroupId.%zu", i + 1), s->security_groups[i]);
	if (s->iam_profile_arn)
		aws_form_add(f, "IamInstanceProfile.Arn", s->iam_profile_arn);
	else if (s->iam_profile_name)
		aws_form_add(f, "IamInstanceProfile.Name", s->iam_profile_name);
	if (s->user_data) {
		char *b = aws_base64_encode(s->user_data, s->user_data_len);

		aws_form_add(f, "UserData", b);
		free(b);
	}
	if (s->n_tags)
		aws_form_add(f, "TagSpecification.1.ResourceType", "instance");
	for (i = 0; i < s->n_tags; i++) {
		aws_form_add_key(f, xasprintf("TagSpecification.1.Tag.%zu.Key", i + 1), s->tags[i].key);
		aws_form_add_key(f, xasprintf("TagSpecification.1.Tag.%zu.Value", i + 1),
				 s->tags[i].value);
	}
	if (s->spot) {
		aws_form_add(f, "InstanceMarketOptions.MarketType", "spot");
		aws_form_add(f, "InstanceMarketOptions.SpotOptions.SpotInstanceType", "one-time");
		aws_form_add(f, "InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior",
			     "terminate");
		if (s->spot_max_price)
			aws_form_add(f, "InstanceMarketOptions.SpotOptions.MaxPrice",
				     s->spot_max_price);
	}
}

int aws_ec2_run_instances(struct aws_ec2 *c, const struct aws_run_spec *spec,
			  struct aws_instance_list *out, struct sky_errbuf *eb)
{
	struct aws_form f = { 0 };
	xmlDocPtr doc;
	int rc;

	aws_call_begin(c);
	memset(out, 0, sizeof(*out));
	if (!spec->instance_type || !spec->image_id)
		return sky_err_set(eb, SKY_E_INVAL, "RunInstances needs %s",
				   spec->instance_type ? "an image id" : "an instance type");
	free(c->last_token);
	c->last_token = spec->client_token ? xstrdup(spec->client_token) : aws_client_token_new();
	run_form(spec, c->last_token, &f);
	rc = aws_http_call(c, &f, &doc, eb);
	aws_form_free(&f);
	if (rc)
		return rc;
	parse_instances_set(xmlDocGetRootElement(doc), out);
	xmlFreeDoc(doc);
	return 0;
}

static void describe_form(const struct aws_describe_query *q, const char *token,
			  struct aws_form *f)
{
	size_t i, j;

	form_start(f, "DescribeInstances");
	for (i = 0; i < q->n_ids; i++)
		aws_form_add_key(f, xasprintf("InstanceId.%zu", i + 1), q->ids[i]);
	for (i = 0; i < q->n_filters; i++) {
		aws_form_add_key(f, xasprintf("Filter.%zu.Name", i + 1), q->filters[i].name);
		for (j = 0; j < q->filters[i].n_values; j++)
			aws_form_add_key(f, xasprintf("Filter.%zu.Value.%zu", i + 1, j + 1),
					 q->filters[i].values[j]);
	}
	if (q->page_size > 0) {
		char n[16];

		snprintf(n, sizeof(n), "%d", q->page_size);
		aws_form_add(f, "MaxResults", n);
	}
	if (token)
		aws_form_add(f, "NextToken", token);
}

static void describe_page_form(const void *q, const char *token, struct aws_form *f)
{
	describe_form(q, token, f);
}

static void describe_page_take(const void *q, xmlNodePtr root, void *out)
{
	(void)q;
	for (xmlNodePtr r = axml_child(axml_child(root, "reservationSet"), "item"); r;
	     r = axml_next(r))
		parse_instances_set(r, out);
}

int aws_ec2_describe_instances(struct aws_ec2 *c, const struct aws_describe_query *q,
			       struct aws_instance_list *out, struct sky_errbuf *eb)
{
	static const struct aws_describe_query all = { 0 };
	int rc;

	aws_call_begin(c);
	memset(out, 0, sizeof(*out));
	rc = aws_http_call_pages(c, describe_page_form, describe_page_take, q ? q : &all, out, eb);
	if (rc)
		aws_instance_list_free(out);
	return rc;
}

int aws_ec2_terminate_instances(struct aws_ec2 *c, const char *const *ids, size_t n_ids,
				struct aws_instance_list *out, struct sky_errbuf *eb)
{
	struct aws_form f = { 0 };
	xmlDocPtr doc;
	xmlNodePtr it;
	size_t i;
	int rc;

	aws_call_begin(c);
	if (out)
		memset(out, 0, sizeof(*out));
	if (!n_ids)
		return 0;
	form_start(&f, "TerminateInstances");
	for (i = 0; i < n_ids; i++)
		aws_form_add_key(&f, xasprintf("InstanceId.%zu", i + 1), ids[i]);
	rc = aws_http_call(c, &f, &doc, eb);
	aws_form_free(&f);
	if (rc)
		return rc;
	it = axml_child(axml_child(xmlDocGetRootElement(doc), "instancesSet"), "item");
	for (; it && out; it = axml_next(it)) {
		struct aws_instance *in = list_push(out);

		in->id = axml_text(it, "instanceId");
		in->state = axml_text(it, "currentState/name");
		in->state_code = text_int(it, "currentState/code");
		in->prev_state = axml_text(it, "previousState/name");
	}
	xmlFreeDoc(doc);
	return 0;
}

int aws_ec2_user_data(struct aws_ec2 *c, const char *instance_id, uint8_t **data, size_t *len,
		      struct sky_errbuf *eb)
{
	struct aws_form f = { 0 };
	xmlDocPtr doc;
	char *b64;
	int rc;

	aws_call_begin(c);
	*data = NULL;
	*len = 0;
	form_start(&f, "DescribeInstanceAttribute");
	aws_form_add(&f, "InstanceId", instance_id);
	aws_form_add(&f, "Attribute", "userData");
	rc = aws_http_call(c, &f, &doc, eb);
	aws_form_free(&f);
	if (rc)
		return rc;
	b64 = axml_text(xmlDocGetRootElement(doc), "userData/value");
	xmlFreeDoc(doc);
	if (!b64) {
		*data = xmalloc(1);
		return 0;
	}
	if (aws_base64_decode(b64, data, len)) {
		free(b64);
		c->err.klass = AWS_ERR_PROTOCOL;
		return sky_err_set(eb, SKY_E_PROTOCOL, "user-data of %s is not valid base64",
				   instance_id);
	}
	free(b64);
	return 0;
}
