/*
 * catalog.h: price catalogs of cloud offerings (conf/catalogs/<cloud>.csv).
 *
 * One CSV per cloud; lines starting with '#' are comments, the first other
 * line is the header. Columns, found by name (order free, unknown ones
 * ignored):
 *   InstanceType, AcceleratorName, AcceleratorCount, vCPUs, MemoryGiB,
 *   Price, Region                        required
 *   SpotPrice, AvailabilityZone          optional (empty = no spot market /
 *                                        regional, no zone)
 * Prices are US dollars per hour per instance. A row needs Price or
 * SpotPrice. A CPU-only type has an empty AcceleratorName and count 0 or
 * empty. The same (cloud, type, accelerator, count, region, zone) twice is an
 * error, in one file or across files.
 *
 * Strings are interned in the catalog, so two offerings' fields are equal
 * exactly when their pointers are. Offerings and their strings stay valid
 * and fixed in memory until catalog_free(); loading more files appends and
 * may move the offerings array, so hold indices (or reload everything)
 * across loads, not pointers.
 */
#ifndef SKY_CATALOG_H
#define SKY_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "sky_err.h"

/* No price in this market. */
#define CATALOG_NO_PRICE INT64_C(-1)

struct offering {
	const char *cloud;      /* "aws"; interned, owned by the catalog */
	const char *type;       /* "p4d.24xlarge" */
	const char *accel;      /* "A100", "" for CPU-only types */
	const char *region;     /* "us-east-1" */
	const char *zone;       /* "us-east-1a", "" when regional */
	uint32_t accel_count;   /* accelerators per instance, 0 for CPU-only */
	uint32_t vcpus;         /* rounded down */
	uint64_t mem_mib;       /* MemoryGiB * 1024, rounded */
	int64_t price_u;        /* on-demand, micro-dollars per hour, or CATALOG_NO_PRICE */
	int64_t spot_u;         /* spot, micro-dollars per hour, or CATALOG_NO_PRICE */
	uint32_t accel_id;      /* index into catalog->accels */
	const char *file;       /* the file it came from (interned), for messages */
	uint32_t line;          /* its line there */
};

struct catalog_pool;
struct catalog_intern;
struct catalog_dups;

struct catalog {
	struct offering *v;     /* owned */
	size_t n, cap;
	const char **accels;    /* distinct accelerator names, [0] = "" */
	size_t n_accels;
	/* Offering indices grouped by accelerator: by_accel[a] .. by_accel[a]+n_by_accel[a]. */
	uint32_t **by_accel;
	size_t *n_by_accel;
	size_t n_groups;        /* entries in by_accel (== n_accels after a load) */
	struct catalog_pool *pool;
	struct catalog_intern *intern;
	struct catalog_dups *dups;
};

/* An empty catalog. Free with catalog_free(). */
struct catalog *catalog_new(void);
void catalog_free(struct catalog *cat);

/*
 * Append the offerings of one CSV file. cloud names the cloud ("aws"); NULL
 * takes the file's base name without ".csv". On error nothing of the file
 * is kept and eb says "path:line: ..." naming the column at fault;
 * SKY_E_IO when the file cannot be read, SKY_E_CONFIG for its content.
 */
int catalog_load_file(struct catalog *cat, const char *path, const char *cloud,
		      struct sky_errbuf *eb);

/* The same from text in memory; name is used in messages. */
int catalog_load_text(struct catalog *cat, const char *text, size_t len, const char *name,
		      const char *cloud, struct sky_errbuf *eb);

/*
 * Load every "*.csv" of dir, in name order (so the result does not depend on
 * the directory's order). SKY_E_IO when dir cannot be read.
 */
int catalog_load_dir(struct catalog *cat, const char *dir, struct sky_errbuf *eb);

/* The interned copy of s, or NULL when no offering uses that string. Borrowed. */
const char *catalog_lookup(const struct catalog *cat, const char *s);

/* Micro-dollars as "9.8323" (4 decimals, rounded). Writes into buf, returns it. */
char *catalog_price_str(int64_t micro, char *buf, size_t len);

#endif
