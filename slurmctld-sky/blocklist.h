/*
 * blocklist.h: offerings to skip for a while after a launch error.
 *
 * When a launch fails, the provider reports the cloud's error code with
 * blocklist_note(); the code decides what is blocked and for how long
 * (SkyPilot's blocked resources, AWS ParallelCluster's "insufficient
 * capacity" pools: peers.md 4.1, 5). The whole table lives in blocklist.c
 * (bl_rules[]); in short:
 *
 *   code                                     blocks                        for
 *   InsufficientInstanceCapacity, Insuffi-   the type, that market, in     600 s
 *   cientHostCapacity, InsufficientCapacity, the zone
 *   InsufficientReservedInstanceCapacity,
 *   UnfulfillableCapacity, LimitedInstance-
 *   Capacity, ZONE_RESOURCE_POOL_EXHAUSTED,
 *   AllocationFailed, SkuNotAvailable
 *   SpotMaxPriceTooLow                       the type's spot market in     600 s
 *                                            the zone
 *   MaxSpotInstanceCountExceeded             the spot market of the whole  600 s
 *                                            region (an account limit per
 *                                            region: every zone would fail)
 *   VcpuLimitExceeded, QUOTA_EXCEEDED        the type family ("p4d"), that 3600 s
 *                                            market, in the region
 *   InstanceLimitExceeded                    the type, that market, in     3600 s
 *                                            the region
 *   InvalidParameterValue, Unsupported,      the type (both markets) in    3600 s
 *   InvalidParameterCombination              the zone
 *   InsufficientFreeAddressesInSubnet        the zone                      600 s
 *   OptInRequired                            the region                    3600 s
 *   AuthFailure, UnauthorizedOperation,      the whole cloud               1800 s
 *   InvalidClientTokenId, ExpiredToken,
 *   RequestExpired, SignatureDoesNotMatch,
 *   InvalidAccessKeyId, MissingAuthentica-
 *   tionToken, AccessDenied, Blocked
 *   RequestLimitExceeded, Throttling         the region (the client has    60 s
 *                                            already retried)
 *   anything else                            the zone                      300 s
 *
 * Expiry is by the `now` callers pass (no clock is read here), so tests and
 * the controller's loop decide time. Noting the same thing again replaces
 * its deadline and code. Not thread-safe: one blocklist per controller loop.
 */
#ifndef SKY_BLOCKLIST_H
#define SKY_BLOCKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "catalog.h"

enum bl_scope {
	BL_SCOPE_CLOUD,         /* every offering of the cloud */
	BL_SCOPE_REGION,        /* every offering of the region */
	BL_SCOPE_REGION_FAMILY, /* the type family in the region */
	BL_SCOPE_REGION_TYPE,   /* the type in the region */
	BL_SCOPE_ZONE,          /* every offering of the zone */
	BL_SCOPE_ZONE_TYPE,     /* the type in the zone */
};

enum bl_market {
	BL_MARKET_ANY,
	BL_MARKET_ONDEMAND,
	BL_MARKET_SPOT,
};

struct bl_entry {
	enum bl_scope scope;
	enum bl_market market;
	char *cloud, *region, *zone, *type;     /* owned; unused ones "" */
	char *code;                             /* owned: the error that caused it */
	time_t until;                           /* blocked while now < until */
};

struct blocklist {
	struct bl_entry *v;     /* owned */
	size_t n, cap;
};

struct blocklist *blocklist_new(void);
void blocklist_free(struct blocklist *bl);

/*
 * Record that launching off (spot or on-demand) failed with code at now.
 * code is the cloud's error code ("InsufficientInstanceCapacity"); NULL or
 * unknown codes block the zone briefly. Returns the deadline set.
 */
time_t blocklist_note(struct blocklist *bl, const struct offering *off, bool spot,
		      const char *code, time_t now);

/* The entry blocking off's market at now, or NULL. Borrowed. */
const struct bl_entry *blocklist_match(const struct blocklist *bl, const struct offering *off,
				       bool spot, time_t now);

/*
 * Why off (that market) is skipped, e.g. "InsufficientInstanceCapacity:
 * p4d.24xlarge in us-east-1a (on-demand) blocked for 420 s more"; NULL
 * when it is not blocked. Caller frees.
 */
char *blocklist_describe(const struct blocklist *bl, const struct offering *off, bool spot,
			 time_t now);

/* Drop entries expired at now (optional housekeeping; matching ignores them). */
void blocklist_expire(struct blocklist *bl, time_t now);

/* The family of an instance type: "p4d" for "p4d.24xlarge", "a2" for "a2-highgpu-8g". Caller frees. */
char *blocklist_family(const char *type);

#endif
