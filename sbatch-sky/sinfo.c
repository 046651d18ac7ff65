/*
 * sinfo: partitions and nodes (slurm.md 3.5). Nodes of a partition are
 * grouped into one row when every non-aggregate field of the format agrees
 * (so the default format groups by state); -N lists nodes one by one.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli_util.h"
#include "fmt.h"
#include "fmt_node.h"
#include "hostlist.h"
#include "json_out.h"
#include "log.h"
#include "state_names.h"
#include "xalloc.h"

struct sinfo_params {
	bool no_header, node_mode, long_fmt, reasons, summarize, json;
	int verbose;
	char *format, *partitions, *states;   /* owned */
	char **nodes;                         /* -n, expanded; owned */
	size_t n_nodes;
};

struct row_set {
	struct sinfo_row *rows;
	char **keys;
	int *order;        /* partition index, then state key: what rows sort on */
	int *state_key;
	size_t n;
};

enum { OPT_HELP = 0x100, OPT_USAGE, OPT_JSON, OPT_YAML };

static void help(void)
{
	printf("Usage: sinfo [OPTIONS]\n"
	       "  -a, --all                  show all partitions (including hidden and those\n"
	       "                             not accessible)\n"
	       "  -h, --noheader             no headers on output\n"
	       "  -l, --long                 long output - displays more information\n"
	       "  -n, --nodes=NODES          report on specific node(s)\n"
	       "  -N, --Node                 Node-centric format\n"
	       "  -o, --format=format        format specification\n"
	       "  -p, --partition=PARTITION  report on specific partition\n"
	       "  -R, --list-reasons         list reason nodes are down or drained\n"
	       "  -s, --summarize            report state summary only\n"
	       "  -t, --states=node_state    specify the what states of nodes to view\n"
	       "  -v, --verbose              verbosity level\n"
	       "  -V, --version              output version information and exit\n"
	       "\nHelp options:\n"
	       "  --help                     show this help message\n"
	       "  --usage                    display brief usage message\n");
}

static void usage(FILE *fp)
{
	fprintf(fp, "Usage: sinfo [-adelNRrsTv] [-i seconds] [-t states] [-p partition] [-n nodes]\n"
		    "             [-S fields] [-o format] [-O Format] [--federation] [--local]\n"
		    "             [--noconvert] [--json|--yaml]\n");
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

static const struct option long_opts[] = {
	{ "all", no_argument, NULL, 'a' },
	{ "exact", no_argument, NULL, 'e' },
	{ "noheader", no_argument, NULL, 'h' },
	{ "long", no_argument, NULL, 'l' },
	{ "nodes", required_argument, NULL, 'n' },
	{ "Node", no_argument, NULL, 'N' },
	{ "format", required_argument, NULL, 'o' },
	{ "partition", required_argument, NULL, 'p' },
	{ "list-reasons", no_argument, NULL, 'R' },
	{ "summarize", no_argument, NULL, 's' },
	{ "states", required_argument, NULL, 't' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "usage", no_argument, NULL, OPT_USAGE },
	{ "json", optional_argument, NULL, OPT_JSON },
	{ "yaml", optional_argument, NULL, OPT_YAML },
	{ NULL, 0, NULL, 0 },
};

/* Returns -1 to go on, else the exit status. */
static int parse_opt(int c, struct sinfo_params *p)
{
	struct sky_errbuf eb;

	switch (c) {
	case 'a': case 'e': break;
	case 'h': p->no_header = true; break;
	case 'l': p->long_fmt = true; break;
	case 'n':
		sky_err_clear(&eb);
		if (hostlist_expand(optarg, &p->nodes, &p->n_nodes, &eb)) {
			log_error("Invalid node name specified: %s", optarg);
			return 1;
		}
		break;
	case 'N': p->node_mode = true; break;
	case 'o': set_str(&p->format, optarg); break;
	case 'p': set_str(&p->partitions, optarg); break;
	case 'R': p->reasons = true; break;
	case 's': p->summarize = true; break;
	case 't': set_str(&p->states, optarg); break;
	case 'v': p->verbose++; break;
	case 'V': cli_print_version(); return 0;
	case OPT_HELP: help(); return 0;
	case OPT_USAGE: usage(stdout); return 0;
	case OPT_JSON: p->json = true; break;
	case OPT_YAML:
		log_error("--yaml output is not supported; use --json");
		return 1;
	default:
		fprintf(stderr, "Try \"sinfo --help\" for more information\n");
		return 1;
	}
	return -1;
}

static int parse_args(int argc, char **argv, struct sinfo_params *p)
{
	const char *v;
	int c, ec;

	if ((v = getenv("SINFO_FORMAT")))
		set_str(&p->format, v);
	if ((v = getenv("SINFO_PARTITION")))
		set_str(&p->partitions, v);
	while ((c = getopt_long(argc, argv, "aehln:No:p:Rst:vV", long_opts, NULL)) != -1)
		if ((ec = parse_opt(c, p)) >= 0)
			return ec;
	if (optind < argc) {
		log_error("Unrecognized option: %s", argv[optind]);
		usage(stderr);
		return 1;
	}
	return -1;
}

static const char *pick_format(const struct sinfo_params *p)
{
	if (p->format)
		return p->format;
	if (p->reasons)
		return SINFO_FMT_REASON;
	if (p->summarize)
		return SINFO_FMT_SUMMARIZE;
	if (p->node_mode)
		return p->long_fmt ? SINFO_FMT_NODE_LONG : SINFO_FMT_NODE;
	return p->long_fmt ? SINFO_FMT_LONG : SINFO_FMT_DEFAULT;
}

static bool node_wanted(const struct sinfo_params *p, const Sky__NodeInfo *nd)
{
	bool hit = !p->n_nodes;
	char c[64], l[64];

	for (size_t i = 0; i < p->n_nodes && !hit; i++)
		hit = !strcmp(p->nodes[i], nd->name);
	if (!hit)
		return false;
	if (!p->states)
		return true;
	node_state_compact(nd->state, nd->state_flags, true, c, sizeof(c));
	node_state_long(nd->state, nd->state_flags, true, l, sizeof(l));
	c[strcspn(c, "*~#%")] = l[strcspn(l, "*~#%")] = '\0';
	return cli_list_has(p->states, c) || cli_list_has(p->states, l);
}

static bool reason_wanted(const Sky__NodeInfo *nd)
{
	return (nd->reason && *nd->reason) || nd->state == SKY__NODE_STATE__NODE_DOWN ||
	       nd->state == SKY__NODE_STATE__NODE_DRAIN ||
	       (nd->state_flags & (SKY__NODE_FLAG__NODE_FLAG_DRAIN | SKY__NODE_FLAG__NODE_FLAG_NOT_RESPONDING));
}

/* The grouping key of one node in partition part. Caller frees. */
static char *node_key(const struct fmt_spec *s, const Sky__PartitionInfo *part,
		      const Sky__NodeInfo *nd, bool per_node)
{
	const Sky__NodeInfo *one[1] = { nd };
	struct sinfo_row r = { part, one, 1 };
	char *key = xstrdup(per_node ? nd->name : "");

	for (size_t i = 0; i < s->n; i++) {
		char *v;
		if (node_fmt_aggregate(s->fields[i].code))
			continue;
		v = node_fmt_value(s->fields[i].code, &r);
		xstrfmtcat(&key, "\x1f%s", v);
		free(v);
	}
	return key;
}

/* Add nd to the row with the same key, or start a new row. nd NULL: an empty row. */
static void row_add(struct row_set *rs, const struct fmt_spec *s, const Sky__PartitionInfo *part,
		    int part_idx, const Sky__NodeInfo *nd, bool per_node)
{
	char *key = nd ? node_key(s, part, nd, per_node) : xstrdup("");
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (rs->rows[i].part == part && !strcmp(rs->keys[i], key))
			break;
	if (i == rs->n) {
		rs->rows = xrealloc(rs->rows, (rs->n + 1) * sizeof(*rs->rows));
		rs->keys = xrealloc(rs->keys, (rs->n + 1) * sizeof(*rs->keys));
		rs->order = xrealloc(rs->order, (rs->n + 1) * sizeof(*rs->order));
		rs->state_key = xrealloc(rs->state_key, (rs->n + 1) * sizeof(*rs->state_key));
		rs->rows[i] = (struct sinfo_row){ part, NULL, 0 };
		rs->keys[i] = key;
		rs->order[i] = part_idx;
		rs->state_key[i] = nd ? node_state_sort_key(nd->state) : 0;
		rs->n++;
	} else {
		free(key);
	}
	if (nd) {
		struct sinfo_row *r = &rs->rows[i];
		r->nodes = xrealloc(r->nodes, (r->n + 1) * sizeof(*r->nodes));
		r->nodes[r->n++] = nd;
	}
}

static int cmp_node_names(const void *a, const void *b)
{
	const Sky__NodeInfo *x = *(Sky__NodeInfo *const *)a, *y = *(Sky__NodeInfo *const *)b;
	return strverscmp(x->name, y->name);
}

static void build_node_rows(const struct sinfo_params *p, const Sky__NodeInfoReply *r,
			    const struct fmt_spec *s, struct row_set *rs)
{
	const Sky__NodeInfo **sorted = xcalloc(r->n_nodes + 1, sizeof(*sorted));

	for (size_t i = 0; i < r->n_nodes; i++)
		sorted[i] = r->nodes[i];
	qsort(sorted, r->n_nodes, sizeof(*sorted), cmp_node_names);
	for (size_t i = 0; i < r->n_nodes; i++) {
		const Sky__NodeInfo *nd = sorted[i];
		bool any = false;

		if (!node_wanted(p, nd))
			continue;
		for (size_t k = 0; k < r->n_partitions; k++) {
			const Sky__PartitionInfo *pt = r->partitions[k];
			if (!node_in_partition(nd, pt) ||
			    (p->partitions && !cli_list_has(p->partitions, pt->name)))
				continue;
			row_add(rs, s, pt, (int)i, nd, true);
			any = true;
		}
		if (!any && !p->partitions)
			row_add(rs, s, NULL, (int)i, nd, true);
	}
	free(sorted);
}

static void build_rows(const struct sinfo_params *p, const Sky__NodeInfoReply *r,
		       const struct fmt_spec *s, struct row_set *rs)
{
	if (p->node_mode && !p->reasons) {
		build_node_rows(p, r, s, rs);
		return;
	}
	if (p->reasons) {
		for (size_t i = 0; i < r->n_nodes; i++)
			if (node_wanted(p, r->nodes[i]) && reason_wanted(r->nodes[i]))
				row_add(rs, s, NULL, 0, r->nodes[i], false);
		return;
	}
	for (size_t k = 0; k < r->n_partitions; k++) {
		const Sky__PartitionInfo *pt = r->partitions[k];
		size_t before = rs->n;

		if (p->partitions && !cli_list_has(p->partitions, pt->name))
			continue;
		for (size_t i = 0; i < r->n_nodes; i++)
			if (node_in_partition(r->nodes[i], pt) && node_wanted(p, r->nodes[i]))
				row_add(rs, s, pt, (int)k, r->nodes[i], false);
		if (rs->n == before && !p->n_nodes && !p->states)
			row_add(rs, s, pt, (int)k, NULL, false);
	}
}

/* Stable order: partition (or node) position, then Slurm's "-t": busier states first. */
static void sort_rows(struct row_set *rs)
{
	for (size_t i = 1; i < rs->n; i++) {
		for (size_t j = i; j > 0; j--) {
			bool swap = rs->order[j] < rs->order[j - 1] ||
				    (rs->order[j] == rs->order[j - 1] &&
				     rs->state_key[j] > rs->state_key[j - 1]);
			struct sinfo_row tr;
			char *tk;
			int to, ts;

			if (!swap)
				break;
			tr = rs->rows[j], rs->rows[j] = rs->rows[j - 1], rs->rows[j - 1] = tr;
			tk = rs->keys[j], rs->keys[j] = rs->keys[j - 1], rs->keys[j - 1] = tk;
			to = rs->order[j], rs->order[j] = rs->order[j - 1], rs->order[j - 1] = to;
			ts = rs->state_key[j], rs->state_key[j] = rs->state_key[j - 1], rs->state_key[j - 1] = ts;
		}
	}
}

static void print_rows(const struct sinfo_params *p, const struct fmt_spec *s, const struct row_set *rs)
{
	char ***vals = xcalloc(rs->n + 1, sizeof(*vals));
	int *width = xcalloc(s->n + 1, sizeof(*width));

	for (size_t f = 0; f < s->n; f++)
		width[f] = s->fields[f].width;
	for (size_t i = 0; i < rs->n; i++) {
		vals[i] = xcalloc(s->n + 1, sizeof(char *));
		for (size_t f = 0; f < s->n; f++)
			vals[i][f] = node_fmt_value(s->fields[f].code, &rs->rows[i]);
	}
	for (size_t f = 0; f < s->n; f++) {
		if (s->fields[f].width != FMT_WIDTH_AUTO)
			continue;
		width[f] = (int)strlen(node_fmt_header(s->fields[f].code));
		for (size_t i = 0; i < rs->n; i++)
			if ((int)strlen(vals[i][f]) > width[f])
				width[f] = (int)strlen(vals[i][f]);
	}
	for (size_t i = 0; i <= rs->n; i++) {
		char *line = xstrdup(s->prefix);
		bool header = i == 0;

		if (header && p->no_header) {
			free(line);
			continue;
		}
		for (size_t f = 0; f < s->n; f++) {
			const char *v = header ? node_fmt_header(s->fields[f].code) : vals[i - 1][f];
			fmt_put(&line, v, width[f], s->fields[f].right, node_fmt_cut(s->fields[f].code));
			xstrfmtcat(&line, "%s", s->fields[f].suffix);
		}
		printf("%s\n", line);
		free(line);
	}
	for (size_t i = 0; i < rs->n; i++) {
		for (size_t f = 0; f < s->n; f++)
			free(vals[i][f]);
		free(vals[i]);
	}
	free(vals);
	free(width);
}

static void rows_free(struct row_set *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->rows[i].nodes);
		free(rs->keys[i]);
	}
	free(rs->rows);
	free(rs->keys);
	free(rs->order);
	free(rs->state_key);
}

static int run(const struct sinfo_params *p)
{
	Sky__NodeInfoReply *r = NULL;
	struct sky_client *c = NULL;
	struct fmt_spec spec;
	struct row_set rs = { 0 };
	struct sky_errbuf eb;
	int rc;

	sky_err_clear(&eb);
	if (fmt_parse(pick_format(p), node_fmt_codes(), "node", &spec, &eb)) {
		log_error("%s", sky_err_msg(&eb));
		return 1;
	}
	if ((rc = cli_open(&c, &eb)) == 0)
		rc = cli_load_nodes(c, &r, &eb);
	sky_client_close(c);
	if (rc) {
		fprintf(stderr, "slurm_load_partitions: %s\n", cli_rpc_errtext(&eb));
		fmt_spec_free(&spec);
		return 1;
	}
	if (p->json) {  /* the whole node and partition table (json_out.c) */
		rc = json_print_sinfo(r);
		fmt_spec_free(&spec);
		sky__node_info_reply__free_unpacked(r, NULL);
		return rc;
	}
	build_rows(p, r, &spec, &rs);
	if (!p->node_mode || p->reasons)
		sort_rows(&rs);
	if (p->long_fmt && !p->no_header) {
		char tbuf[64];
		time_t now = time(NULL);
		printf("%s", ctime_r(&now, tbuf));
	}
	print_rows(p, &spec, &rs);
	rows_free(&rs);
	fmt_spec_free(&spec);
	sky__node_info_reply__free_unpacked(r, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	struct sinfo_params p = { 0 };
	int ec;

	log_init(argv[0], LOG_LEVEL_INFO, NULL, false);
	if ((ec = parse_args(argc, argv, &p)) < 0)
		ec = run(&p);
	free(p.format);
	free(p.partitions);
	free(p.states);
	for (size_t i = 0; i < p.n_nodes; i++)
		free(p.nodes[i]);
	free(p.nodes);
	return ec;
}
