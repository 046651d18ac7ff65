/*
 * node_cloud.h: what a cloud provider launched behind a node slot (its
 * instance, where, on which market, at what price), kept in struct node and
 * set by the provider through cloud_info.h.
 */
#ifndef SKY_NODE_CLOUD_H
#define SKY_NODE_CLOUD_H

#include <stdbool.h>
#include <stdint.h>

struct node_cloud {
	char *instance_id;        /* "i-0abc...", NULL: no instance behind the slot */
	char *instance_type;      /* "p4d.24xlarge" */
	char *region;             /* "us-east-1" */
	char *zone;               /* "us-east-1a", NULL for regional offerings */
	bool spot;                /* spot market, else on-demand */
	int64_t price_u;          /* micro-dollars per hour; 0: unknown/free */
};

#endif
