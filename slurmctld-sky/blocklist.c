/*
 * blocklist.c: launch errors -> offerings skipped for a cooldown (blocklist.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blocklist.h"
#include "xalloc.h"

/* Which market a rule blocks: the one that failed, spot only, or both. */
enum bl_which { BL_SAME, BL_SPOT, BL_BOTH };

struct bl_rule {
	const char *code;
	enum bl_scope scope;
	enum bl_which which;
	int seconds;
};

/*
 * The one table of codes, scopes and cooldowns. 600 s for capacity follows
 * ParallelCluster's insufficient_capacity_timeout; quotas and unsupported
 * types do not come back within minutes, so they wait an hour; credentials
 * may be fixed by an admin, so half an hour. Codes compare case-sensitively
 * as the clouds send them.
 */
static const struct bl_rule bl_rules[] = {
	{ "InsufficientInstanceCapacity", BL_SCOPE_ZONE_TYPE, BL_SAME, 600 },
	{ "InsufficientHostCapacity", BL_SCOPE_ZONE_TYPE, BL_SAME, 600 },
	{ "InsufficientCapacity", BL_SCOPE_ZONE_TYPE, BL_SAME, 600 },
	{ "InsufficientReservedInstanceCapacity", BL_SCOPE_ZONE_TYPE, BL_SAME, 600 },
	{ "UnfulfillableCapacity", BL_SCOPE_ZONE_TYPE, BL_SAME, 600 },
	{ "LimitedInstanceCapacity", BL_SCOPE_ZONE_TYPE, BL_SAME, 600 },
	{ "ZONE_RESOURCE_POOL_EXHAUSTED", BL_SCOPE_ZONE_TYPE, BL_SAME, 600 },
	{ "AllocationFailed", BL_SCOPE_ZONE_TYPE, BL_SAME, 600 },
	{ "SkuNotAvailable", BL_SCOPE_ZONE_TYPE, BL_SAME, 600 },
	{ "SpotMaxPriceTooLow", BL_SCOPE_ZONE_TYPE, BL_SPOT, 600 },
	{ "MaxSpotInstanceCountExceeded", BL_SCOPE_REGION, BL_SPOT, 600 },
	{ "VcpuLimitExceeded", BL_SCOPE_REGION_FAMILY, BL_SAME, 3600 },
	{ "QUOTA_EXCEEDED", BL_SCOPE_REGION_FAMILY, BL_SAME, 3600 },
	{ "InstanceLimitExceeded", BL_SCOPE_REGION_TYPE, BL_SAME, 3600 },
	{ "InvalidParameterValue", BL_SCOPE_ZONE_TYPE, BL_BOTH, 3600 },
	{ "InvalidParameterCombination", BL_SCOPE_ZONE_TYPE, BL_BOTH, 3600 },
	{ "Unsupported", BL_SCOPE_ZONE_TYPE, BL_BOTH, 3600 },
	{ "InsufficientFreeAddressesInSubnet", BL_SCOPE_ZONE, BL_BOTH, 600 },
	{ "OptInRequired", BL_SCOPE_REGION, BL_BOTH, 3600 },
	{ "AuthFailure", BL_SCOPE_CLOUD, BL_BOTH, 1800 },
	{ "UnauthorizedOperation", BL_SCOPE_CLOUD, BL_BOTH, 1800 },
	{ "InvalidClientTokenId", BL_SCOPE_CLOUD, BL_BOTH, 1800 },
	{ "ExpiredToken", BL_SCOPE_CLOUD, BL_BOTH, 1800 },
	{ "RequestExpired", BL_SCOPE_CLOUD, BL_BOTH, 1800 },
	{ "SignatureDoesNotMatch", BL_SCOPE_CLOUD, BL_BOTH, 1800 },
	{ "InvalidAccessKeyId", BL_SCOPE_CLOUD, BL_BOTH, 1800 },
	{ "MissingAuthenticationToken", BL_SCOPE_CLOUD, BL_BOTH, 1800 },
	{ "AccessDenied", BL_SCOPE_CLOUD, BL_BOTH, 1800 },
	{ "Blocked", BL_SCOPE_CLOUD, BL_BOTH, 1800 },
	{ "RequestLimitExceeded", BL_SCOPE_REGION, BL_BOTH, 60 },
	{ "Throttling", BL_SCOPE_REGION, BL_BOTH, 60 },
};

/* Anything not in the table: the zone, briefly. */
static const struct bl_rule bl_default = { NULL, BL_SCOPE_ZONE, BL_BOTH, 300 };

static const struct bl_rule *rule_for(const char *code)
{
	if (code)
		for (size_t i = 0; i < sizeof(bl_rules) / sizeof(bl_rules[0]); i++)
			if (strcmp(bl_rules[i].code, code) == 0)
				return &bl_rules[i];
	return &bl_default;
}

struct blocklist *blocklist_new(void)
{
	return xmalloc(sizeof(struct blocklist));
}

static void entry_free(struct bl_entry *e)
{
	free(e->cloud);
	free(e->region);
	free(e->zone);
	free(e->type);
	free(e->code);
}

void blocklist_free(struct blocklist *bl)
{
	if (!bl)
		return;
	for (size_t i = 0; i < bl->n; i++)
		entry_free(&bl->v[i]);
	free(bl->v);
	free(bl);
}

char *blocklist_family(const char *type)
{
	size_t n = strcspn(type, ".-");

	return xstrndup(type, n);
}

/* Whether type t belongs to family f ("p4d" owns "p4d.24xlarge", not "p4de.24xlarge"). */
static bool in_family(const char *t, const char *f)
{
	size_t n = strlen(f);

	return strncmp(t, f, n) == 0 && (t[n] == '.' || t[n] == '-' || t[n] == '\0');
}

static bool entry_covers(const struct bl_entry *e, const struct offering *o, bool spot)
{
	if (e->market == BL_MARKET_SPOT && !spot)
		return false;
	if (e->market == BL_MARKET_ONDEMAND && spot)
		return false;
	if (strcmp(e->cloud, o->cloud) != 0)
		return false;
	switch (e->scope) {
	case BL_SCOPE_CLOUD:
		return true;
	case BL_SCOPE_REGION:
		return strcmp(e->region, o->region) == 0;
	case BL_SCOPE_REGION_FAMILY:
		return strcmp(e->region, o->region) == 0 && in_family(o->type, e->type);
	case BL_SCOPE_REGION_TYPE:
		return strcmp(e->region, o->region) == 0 && strcmp(e->type, o->type) == 0;
	case BL_SCOPE_ZONE:
		return strcmp(e->region, o->region) == 0 && strcmp(e->zone, o->zone) == 0;
	case BL_SCOPE_ZONE_TYPE:
		return strcmp(e->region, o->region) == 0 && strcmp(e->zone, o->zone) == 0 &&
		       strcmp(e->type, o->type) == 0;
	}
	return false;
}

static bool entry_same(const struct bl_entry *a, const struct bl_entry *b)
{
	return a->scope == b->scope && a->market == b->market && !strcmp(a->cloud, b->cloud) &&
	       !strcmp(a->region, b->region) && !strcmp(a->zone, b->zone) &&
	       !strcmp(a->type, b->type);
}

time_t blocklist_note(struct blocklist *bl, const struct offering *off, bool spot,
		      const char *code, time_t now)
{
	const struct bl_rule *r = rule_for(code);
	struct bl_entry e = { .scope = r->scope, .until = now + r->seconds };
	bool type_scope = r->scope == BL_SCOPE_ZONE_TYPE || r->scope == BL_SCOPE_REGION_TYPE;
	bool zone_scope = r->scope == BL_SCOPE_ZONE || r->scope == BL_SCOPE_ZONE_TYPE;

	e.market = r->which == BL_BOTH ? BL_MARKET_ANY :
		   r->which == BL_SPOT ? BL_MARKET_SPOT :
		   spot ? BL_MARKET_SPOT : BL_MARKET_ONDEMAND;
	e.cloud = xstrdup(off->cloud);
	e.region = xstrdup(r->scope == BL_SCOPE_CLOUD ? "" : off->region);
	e.zone = xstrdup(zone_scope ? off->zone : "");
	e.type = type_scope ? xstrdup(off->type) :
		 r->scope == BL_SCOPE_REGION_FAMILY ? blocklist_family(off->type) : xstrdup("");
	e.code = xstrdup(code && *code ? code : "unknown error");
	for (size_t i = 0; i < bl->n; i++)
		if (entry_same(&bl->v[i], &e)) {
			entry_free(&bl->v[i]);
			bl->v[i] = e;
			return e.until;
		}
	if (bl->n == bl->cap) {
		bl->cap = bl->cap ? bl->cap * 2 : 16;
		bl->v = xrealloc(bl->v, bl->cap * sizeof(*bl->v));
	}
	bl->v[bl->n++] = e;
	return e.until;
}

const struct bl_entry *blocklist_match(const struct blocklist *bl, const struct offering *off,
				       bool spot, time_t now)
{
	const struct bl_entry *best = NULL;

	if (!bl)
		return NULL;
	/* The latest deadline wins, so describe() tells the whole wait. */
	for (size_t i = 0; i < bl->n; i++) {
		const struct bl_entry *e = &bl->v[i];

		if (now < e->until && entry_covers(e, off, spot) && (!best || e->until > best->until))
			best = e;
	}
	return best;
}

static const char *scope_words(const struct bl_entry *e, char *buf, size_t len)
{
	switch (e->scope) {
	case BL_SCOPE_CLOUD:
		snprintf(buf, len, "all of %s", e->cloud);
		break;
	case BL_SCOPE_REGION:
		snprintf(buf, len, "all of %s", e->region);
		break;
	case BL_SCOPE_REGION_FAMILY:
		snprintf(buf, len, "family %s in %s", e->type, e->region);
		break;
	case BL_SCOPE_REGION_TYPE:
		snprintf(buf, len, "%s in %s", e->type, e->region);
		break;
	case BL_SCOPE_ZONE:
		snprintf(buf, len, "all of %s", *e->zone ? e->zone : e->region);
		break;
	case BL_SCOPE_ZONE_TYPE:
		snprintf(buf, len, "%s in %s", e->type, *e->zone ? e->zone : e->region);
		break;
	}
	return buf;
}

char *blocklist_describe(const struct blocklist *bl, const struct offering *off, bool spot,
			 time_t now)
{
	const struct bl_entry *e = blocklist_match(bl, off, spot, now);
	char what[256];

	if (!e)
		return NULL;
	return xasprintf("%s: %s%s blocked for %lld s more", e->code, scope_words(e, what, sizeof(what)),
			 e->market == BL_MARKET_SPOT ? " (spot)" :
			 e->market == BL_MARKET_ONDEMAND ? " (on-demand)" : "",
			 (long long)(e->until - now));
}

void blocklist_expire(struct blocklist *bl, time_t now)
{
	size_t w = 0;

	for (size_t i = 0; i < bl->n; i++) {
		if (now < bl->v[i].until)
			bl->v[w++] = bl->v[i];
		else
			entry_free(&bl->v[i]);
	}
	bl->n = w;
}
