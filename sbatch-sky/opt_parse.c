/* opt_parse.c: see opt_parse.h. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "opt_parse.h"
#include "opt_table.h"
#include "xalloc.h"

#define OPT_LONG_BASE 0x100

void sbatch_opts_init(struct sbatch_opts *o)
{
	size_t n;
	const struct opt_desc *t = opt_table(&n);

	memset(o, 0, sizeof(*o));
	o->src = xcalloc(n, 1);
	for (size_t i = 0; i < n; i++)
		t[i].reset(&t[i], o);
}

void sbatch_opts_free(struct sbatch_opts *o)
{
	size_t n;
	const struct opt_desc *t = opt_table(&n);

	if (!o->src)
		return;
	for (size_t i = 0; i < n; i++)
		t[i].reset(&t[i], o);
	FREE_NULL(o->src);
}

/* Set row idx and remember where it came from; siblings of its group no longer count as set. */
static int apply_row(struct sbatch_opts *o, size_t idx, const char *arg, enum opt_src src,
		     struct sky_errbuf *eb)
{
	size_t n;
	const struct opt_desc *t = opt_table(&n);
	int rc;

	if ((rc = t[idx].set(&t[idx], o, arg, eb)))
		return rc;
	for (size_t i = 0; t[idx].group && i < n; i++)
		if (i != idx && t[i].group == t[idx].group)
			o->src[i] = OPT_SRC_NONE;
	o->src[idx] = (unsigned char)src;
	return 0;
}

static void unset_row(struct sbatch_opts *o, size_t idx)
{
	size_t n;
	const struct opt_desc *t = opt_table(&n);

	t[idx].reset(&t[idx], o);
	o->src[idx] = OPT_SRC_NONE;
}

int opt_set(struct sbatch_opts *o, const char *name, const char *arg, enum opt_src src,
	    struct sky_errbuf *eb)
{
	int idx = opt_find(name);

	if (idx < 0)
		return sky_err_set(eb, SKY_E_INVAL, "unknown option --%s", name);
	return apply_row(o, (size_t)idx, arg, src, eb);
}

enum opt_src opt_source(const struct sbatch_opts *o, const char *name)
{
	int idx = opt_find(name);
	return idx < 0 ? OPT_SRC_NONE : (enum opt_src)o->src[idx];
}

/* getopt_long's tables from the descriptor rows. Caller frees both. */
static void build_getopt(struct option **longopts, char **shortopts)
{
	size_t n;
	const struct opt_desc *t = opt_table(&n);
	struct option *lo = xcalloc(n + 1, sizeof(*lo));
	char *so = xstrdup("+");

	for (size_t i = 0; i < n; i++) {
		lo[i].name = t[i].name;
		lo[i].has_arg = t[i].has_arg;
		lo[i].flag = NULL;
		lo[i].val = t[i].short_opt ? t[i].short_opt : OPT_LONG_BASE + (int)i;
		if (t[i].short_opt)
			xstrfmtcat(&so, "%c%s", t[i].short_opt,
				   t[i].has_arg == required_argument ? ":" :
				   t[i].has_arg == optional_argument ? "::" : "");
	}
	*longopts = lo;
	*shortopts = so;
}

static int row_of_val(int val)
{
	size_t n;
	const struct opt_desc *t = opt_table(&n);

	if (val >= OPT_LONG_BASE && (size_t)(val - OPT_LONG_BASE) < n)
		return val - OPT_LONG_BASE;
	for (size_t i = 0; i < n; i++)
		if (t[i].short_opt && t[i].short_opt == val)
			return (int)i;
	return -1;
}

/* Should pass act on this row at all? Early rows belong to the first command-line look. */
static bool pass_takes(enum opt_pass pass, const struct opt_desc *d)
{
	bool early = d->flags & OPT_F_EARLY;
	return pass == OPT_PASS_EARLY ? early || (d->flags & OPT_F_FIRST) : !early;
}

int opt_parse_args(struct sbatch_opts *o, int argc, char **argv, enum opt_pass pass,
		   int *next, struct sky_errbuf *eb)
{
	size_t n;
	const struct opt_desc *t = opt_table(&n);
	struct option *lo;
	char *so;
	int c, rc = 0, idx;
	enum opt_src src = pass == OPT_PASS_SCRIPT ? OPT_SRC_SCRIPT : OPT_SRC_CLI;

	build_getopt(&lo, &so);
	optind = 0;     /* glibc: start over, state included */
	opterr = pass == OPT_PASS_EARLY ? 0 : 1;
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (c == '?' || c == ':') {
			if (pass == OPT_PASS_EARLY)
				continue;
			rc = sky_err_set(eb, OPT_E_USAGE, "Try \"sbatch --help\" for more information");
			goto out;
		}
		idx = row_of_val(c);
		if (idx < 0 || !pass_takes(pass, &t[idx]))
			continue;
		if ((rc = apply_row(o, (size_t)idx, optarg, src, eb)))
			goto out;
	}
	if (pass == OPT_PASS_SCRIPT && optind < argc) {
		rc = sky_err_set(eb, SKY_E_INVAL, "Invalid directive found in batch script: %s",
				 argv[optind]);
		goto out;
	}
	if (next)
		*next = optind;
out:
	free(lo);
	free(so);
	return rc;
}

static const char *env_lookup(char *const *envp, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; envp && envp[i]; i++)
		if (!strncmp(envp[i], name, len) && envp[i][len] == '=')
			return envp[i] + len + 1;
	return NULL;
}

/* Slurm's reading of a flag given through the environment. */
static bool env_flag_on(const char *v)
{
	char *end;
	long n;

	if (!*v || !strcasecmp(v, "yes"))
		return true;
	n = strtol(v, &end, 10);
	return n != 0 && *end == '\0';
}

int opt_parse_env(struct sbatch_opts *o, char *const *envp, struct sky_errbuf *eb)
{
	size_t n;
	const struct opt_desc *t = opt_table(&n);
	int rc;

	for (size_t i = 0; i < n; i++) {
		const char *v;

		if (!t[i].env || !(v = env_lookup(envp, t[i].env)))
			continue;
		if (t[i].has_arg == no_argument && !env_flag_on(v)) {
			unset_row(o, i);
			continue;
		}
		if (t[i].has_arg == optional_argument && !*v)
			v = NULL;
		if ((rc = apply_row(o, i, v, OPT_SRC_ENV, eb)))
			return rc;
	}
	return 0;
}

/*
 * --mem and --mem-per-cpu describe the same thing two ways: one given on the
 * command line wins over the other from anywhere else (Slurm's rule).
 */
static int verify_memory(struct sbatch_opts *o, struct sky_errbuf *eb)
{
	int mem = opt_find("mem"), per_cpu = opt_find("mem-per-cpu");
	bool cli_mem = o->src[mem] == OPT_SRC_CLI, cli_cpu = o->src[per_cpu] == OPT_SRC_CLI;

	if (cli_mem && cli_cpu)
		return sky_err_set(eb, SKY_E_GENERIC,
				   "--mem, --mem-per-cpu, and --mem-per-gpu are mutually exclusive.");
	if (cli_mem) {
		unset_row(o, (size_t)per_cpu);
	} else if (cli_cpu) {
		unset_row(o, (size_t)mem);
	} else if (o->src[mem] == OPT_SRC_ENV && o->src[per_cpu] == OPT_SRC_ENV) {
		return sky_err_set(eb, SKY_E_GENERIC,
				   "SLURM_MEM_PER_CPU, SLURM_MEM_PER_GPU, and SLURM_MEM_PER_NODE are mutually exclusive.");
	}
	if (o->mem_set && o->mem_per_cpu_set) {
		log_error("--mem and --mem-per-cpu are mutually exclusive.");
		unset_row(o, (size_t)mem);
	}
	return 0;
}

/* Task and node counts implied by one another (Slurm's _opt_verify). */
static void derive_counts(struct sbatch_opts *o)
{
	uint32_t min = o->min_nodes ? o->min_nodes : 1;

	if (o->ntasks_per_node && !o->ntasks_set &&
	    (o->max_nodes == 0 || o->min_nodes == o->max_nodes)) {
		o->ntasks = min * o->ntasks_per_node;
		o->ntasks_set = true;
	}
	if (o->nodes_set && o->ntasks_set) {
		if (o->max_nodes && o->ntasks < o->max_nodes)
			o->max_nodes = o->ntasks;
		if (o->ntasks < o->min_nodes) {
			log_info("Warning: can't run %u processes on %u nodes, setting nnodes to %u",
				 o->ntasks, o->min_nodes, o->ntasks);
			o->min_nodes = o->max_nodes = o->ntasks;
		}
	}
}

int opt_verify(struct sbatch_opts *o, struct sky_errbuf *eb)
{
	int rc;

	if (o->quiet && o->verbose)
		return sky_err_set(eb, SKY_E_GENERIC, "don't specify both --verbose (-v) and --quiet (-Q)");
	if ((rc = verify_memory(o, eb)))
		return rc;
	if (o->nodes_set && o->max_nodes && o->min_nodes > o->max_nodes)
		return sky_err_set(eb, SKY_E_GENERIC, "invalid number of nodes (-N %u-%u)",
				   o->min_nodes, o->max_nodes);
	derive_counts(o);
	return 0;
}

void opt_print_set(const struct sbatch_opts *o)
{
	size_t n;
	const struct opt_desc *t = opt_table(&n);

	log_info("defined options");
	log_info("-------------------- --------------------");
	for (size_t i = 0; i < n; i++) {
		char *v;

		if (o->src[i] == OPT_SRC_NONE || !t[i].get)
			continue;
		v = t[i].get(&t[i], o);
		log_info("%-20s: %s", t[i].name, v);
		free(v);
	}
	log_info("-------------------- --------------------");
	log_info("end of defined options");
}
