/*
 * conf_cloud.h: internal to common/ (conf.c and its helpers): power-saving
 * keys, ProviderName records, and the lists of Slurm keys accepted but not
 * used. The public view of what they fill is struct sky_conf (conf.h).
 */
#ifndef SKY_CONF_CLOUD_H
#define SKY_CONF_CLOUD_H

#include <stddef.h>

#include "conf.h"
#include "sky_err.h"

/* One Key=Value of a logical line (conf.c's lexer). */
struct kv {
	char *key, *val;
};

/* conf_ignored.c: NULL-terminated lists of keys only logged. */
extern const char *const conf_global_ignored[];
extern const char *const conf_node_ignored[];
extern const char *const conf_part_ignored[];

/* Which record a power-saving key sits on. */
enum conf_cloud_rec {
	CONF_CLOUD_GLOBAL,   /* obj is struct sky_conf */
	CONF_CLOUD_NODE,     /* obj is struct conf_node */
	CONF_CLOUD_PART,     /* obj is struct conf_partition */
};

/* Set key (one of the power-saving keys of rec) on obj. 0, or -1 when val is invalid. */
int conf_cloud_set(enum conf_cloud_rec rec, void *obj, const char *key, const char *val);
/* Defaults of the global keys and of the NodeName/PartitionName DEFAULT records. */
void conf_cloud_defaults(struct sky_conf *c, struct conf_node *node_def,
			 struct conf_partition *part_def);
/* ProviderName=NAME Type=... (kv[0] is ProviderName). SKY_E_CONFIG "file:line: ..." on error. */
int conf_cloud_provider_record(struct sky_conf *c, const struct kv *kv, size_t n,
			       const char *file, int line, struct sky_errbuf *eb);
/* Cross-checks once everything is read; fills the default provider of CLOUD nodes. */
int conf_cloud_finalize(struct sky_conf *c, struct sky_errbuf *eb);
/* Free what conf_cloud_* allocated in c. */
void conf_cloud_free(struct sky_conf *c);

#endif
