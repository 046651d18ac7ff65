/*
 * cloud_show.h: the cloud lines of `scontrol show node` and `scontrol show
 * job` (slurmctld-sky/cloud_info.h fills what they print). Nothing is
 * printed for non-cloud nodes and jobs, so their output stays Slurm's.
 */
#ifndef SKY_CLOUD_SHOW_H
#define SKY_CLOUD_SHOW_H

#include <stdbool.h>
#include <time.h>

#include "fmt_node.h"
#include "sky.pb-c.h"

/*
 * Slurm 23.02's line for a node with an instance, then ours:
 *   InstanceId=i-0abc InstanceType=p4d.24xlarge
 *   Region=us-east-1 Zone=us-east-1a Market=spot Price=5.0933
 * (absent values print "(null)"; Price is dollars per hour). Appends to *b
 * with show_kv().
 */
void cloud_show_node(char **b, bool one_liner, const Sky__NodeInfo *n);

/*
 *   Placement=aws/us-east-1/us-east-1a p4d.24xlarge spot $5.0933/h x2 = $10.1866/h Cost=1.2345
 * for a job that ran or would run on priced nodes: the offering chosen and
 * what the job has cost up to now (dollars, its earlier runs included).
 */
void cloud_show_job(char **b, bool one_liner, const Sky__JobRecord *j, time_t now);

/*
 * sinfo -o codes (slurm-sky extensions; letters Slurm's sinfo does not use):
 *   %y INSTANCE_TYPE  %k ZONE (the region for regional offerings)
 *   %q MARKET (spot, on-demand)  %j PRICE (dollars per hour, 4 decimals)
 * "(null)" (price 0.0000) for nodes with no instance. They group rows like
 * %f: nodes differing in them get rows of their own. Caller frees.
 */
char *cloud_val_instance_type(const struct sinfo_row *r);
char *cloud_val_zone(const struct sinfo_row *r);
char *cloud_val_market(const struct sinfo_row *r);
char *cloud_val_price(const struct sinfo_row *r);

#endif
