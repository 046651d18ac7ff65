/*
 * fmt_node.h: sinfo's fields (slurm.md 3.5). A row is a partition and a set
 * of its nodes; every code renders a row. Codes whose value differs from
 * node to node within a row (counts, node lists) are "aggregates"; the
 * others decide how nodes are grouped into rows.
 */
#ifndef SKY_FMT_NODE_H
#define SKY_FMT_NODE_H

#include <stdbool.h>
#include <stddef.h>

#include "sky.pb-c.h"

#define SINFO_FMT_DEFAULT "%#P %.5a %.10l %.6D %.6t %N"
#define SINFO_FMT_LONG "%#P %.5a %.10l %.10s %.4r %.8h %.10g %.6D %.11T %N"
#define SINFO_FMT_NODE "%#N %.6D %#P %6t"
#define SINFO_FMT_NODE_LONG "%#N %.6D %#P %.11T %.4c %.8z %.6m %.8d %.6w %.8f %20E"
#define SINFO_FMT_SUMMARIZE "%#P %.5a %.10l %.16F  %N"
#define SINFO_FMT_REASON "%20E %9u %19H %N"

struct sinfo_row {
	const Sky__PartitionInfo *part;     /* NULL: the nodes belong to no partition */
	const Sky__NodeInfo **nodes;        /* borrowed records; the array is owned */
	size_t n;
};

/*
 * Is node n in partition p? The node's own partition list says so; when the
 * controller left it empty, the partition's node expression decides.
 */
bool node_in_partition(const Sky__NodeInfo *n, const Sky__PartitionInfo *p);

/* Every code sinfo -o accepts. Static. */
const char *node_fmt_codes(void);
/* Header text of code. Static. */
const char *node_fmt_header(char code);
/* Values of code are cut to the field width (node lists are not). */
bool node_fmt_cut(char code);
/* The value summarizes several nodes (count, list): not part of the grouping key. */
bool node_fmt_aggregate(char code);
/* The value of code for row r. Caller frees. */
char *node_fmt_value(char code, const struct sinfo_row *r);

#endif
