/*
 * show_node.h: `scontrol show node` and `scontrol show partition` text in
 * Slurm's key order ("\n   " between lines, " " with -o).
 */
#ifndef SKY_SHOW_NODE_H
#define SKY_SHOW_NODE_H

#include <stdbool.h>

#include "sky.pb-c.h"

/* One node record, ending with "\n" (-o) or "\n\n". Caller frees. */
char *show_node_text(const Sky__NodeInfo *n, bool one_liner);

/* One partition record; nodes are used for TotalCPUs when the record lacks it. Caller frees. */
char *show_part_text(const Sky__PartitionInfo *p, const Sky__NodeInfoReply *r, bool one_liner);

#endif
