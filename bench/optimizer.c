/*
 * bench/optimizer [N] [CATALOG_DIR]: time placements over the shipped price
 * catalogs (conf/catalogs), then over a synthetic ~100k-row catalog made by
 * repeating the shipped rows under made-up region names.
 *
 * Prints, per typical request, the median and p99 time of one
 * optimizer_place() call (best 16 kept) over N calls (default 10000), and
 * the time to load each catalog. Built by `make` as bench/optimizer.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blocklist.h"
#include "catalog.h"
#include "log.h"
#include "optimizer.h"
#include "xalloc.h"

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct bench_req {
	const char *what;
	struct opt_request req;
};

static const char *const aws[] = { "aws" };
static const char *const gcp[] = { "gcp" };
static const char *const p4[] = { "p4*" };

static const struct bench_req reqs[] = {
	{ "gpu:a100:8, any cloud, spot=yes",
	  { .gpu_type = "a100", .gpus_per_node = 8, .spot = OPT_SPOT_YES } },
	{ "gpu:a100:8 -N 2, aws, spot=yes",
	  { .gpu_type = "a100", .gpus_per_node = 8, .nodes = 2, .spot = OPT_SPOT_YES,
	    .clouds = aws, .n_clouds = 1 } },
	{ "gpu:h100:8, any cloud, on-demand",
	  { .gpu_type = "h100", .gpus_per_node = 8 } },
	{ "gpu:t4:1 -c 4 --mem 16G, spot=prefer",
	  { .gpu_type = "t4", .gpus_per_node = 1, .cpus_per_node = 4,
	    .mem_mib_per_node = 16384, .spot = OPT_SPOT_PREFER } },
	{ "gpu:l4:4, any cloud",
	  { .gpu_type = "l4", .gpus_per_node = 4 } },
	{ "gpu:a100:8, gcp",
	  { .gpu_type = "a100", .gpus_per_node = 8, .clouds = gcp, .n_clouds = 1 } },
	{ "gpu:8 (any type), p4* only, spot=only",
	  { .gpus_per_node = 8, .type_globs = p4, .n_type_globs = 1, .spot = OPT_SPOT_ONLY } },
	{ "-c 16 --mem 64G (CPU only, every row)",
	  { .cpus_per_node = 16, .mem_mib_per_node = 65536, .spot = OPT_SPOT_YES } },
};

/* Median and p99 of n placements of r, in microseconds. */
static void time_req(const struct catalog *cat, const struct blocklist *bl,
		     const struct bench_req *r, int n)
{
	double *t = xcalloc((size_t)n, sizeof(*t));
	struct opt_choice out[16];
	size_t n_out = 0, n_feasible = 0;

	(void)optimizer_place(cat, bl, &r->req, 1000, out, 16, &n_out, &n_feasible, NULL);
	for (int i = 0; i < n; i++) {
		double a = now_ns();

		/* As the scheduler would call it: the best 16, no total count. */
		(void)optimizer_place(cat, bl, &r->req, 1000, out, 16, &n_out, NULL, NULL);
		t[i] = now_ns() - a;
	}
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	printf("  %-42s %6zu fit  median %8.2f us  p99 %8.2f us\n", r->what, n_feasible,
	       t[n / 2] / 1e3, t[(size_t)((double)n * 0.99)] / 1e3);
	free(t);
}

static void run(const char *label, const struct catalog *cat, int n)
{
	struct blocklist *bl = blocklist_new();

	/* A few live blocks, as after launch errors, so matching is paid for. */
	for (size_t i = 0; i < cat->n && i < 8 * 97; i += 97)
		blocklist_note(bl, &cat->v[i], i % 2, "InsufficientInstanceCapacity", 900);
	printf("%s: %zu rows, %zu accelerator names, %zu blocklist entries\n", label, cat->n,
	       cat->n_accels - 1, bl->n);
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++)
		time_req(cat, bl, &reqs[i], n);
	blocklist_free(bl);
}

/* The shipped rows again under region names "sN-<region>", K times. */
static char *synthetic(const struct catalog *cat, int k, size_t *len)
{
	char *s = xstrdup("InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,"
			  "Price,SpotPrice,Region,AvailabilityZone\n");
	size_t cap = strlen(s) + 1, n = cap - 1;

	for (int r = 0; r < k; r++)
		for (size_t i = 0; i < cat->n; i++) {
			const struct offering *o = &cat->v[i];
			char line[512], p[32], sp[32], zone[96];
			int l;

			catalog_price_str(o->price_u >= 0 ? o->price_u : o->spot_u, p, sizeof(p));
			catalog_price_str(o->spot_u, sp, sizeof(sp));
			snprintf(zone, sizeof(zone), *o->zone ? "s%d-%s" : "", r, o->zone);
			l = snprintf(line, sizeof(line), "%s,%s,%u,%u,%.3f,%s,%s,s%d-%s,%s\n", o->type,
				     o->accel, o->accel_count, o->vcpus, (double)o->mem_mib / 1024, p,
				     o->spot_u >= 0 ? sp : "", r, o->region, zone);
			if (n + (size_t)l + 1 > cap) {
				cap = (cap + (size_t)l + 1) * 2;
				s = xrealloc(s, cap);
			}
			memcpy(s + n, line, (size_t)l + 1);
			n += (size_t)l;
		}
	*len = n;
	return s;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10000;
	const char *dir = argc > 2 ? argv[2] : SKY_TOP_SRCDIR "/conf/catalogs";
	struct catalog *cat = catalog_new(), *big;
	struct sky_errbuf eb;
	char *text;
	size_t len;
	int k;
	double a;

	log_init(argv[0], LOG_LEVEL_WARN, NULL, false);
	sky_err_clear(&eb);
	if (n < 100)
		n = 100;
	a = now_ns();
	if (catalog_load_dir(cat, dir, &eb))
		fatal("%s", sky_err_msg(&eb));
	printf("load %s: %.2f ms\n", dir, (now_ns() - a) / 1e6);
	run("shipped catalogs", cat, n);

	k = (int)(100000 / (cat->n ? cat->n : 1)) + 1;
	text = synthetic(cat, k, &len);
	big = catalog_new();
	a = now_ns();
	if (catalog_load_text(big, text, len, "synthetic.csv", "aws", &eb))
		fatal("%s", sky_err_msg(&eb));
	printf("\nload synthetic (%d copies, %.1f MB): %.2f ms\n", k, (double)len / 1e6,
	       (now_ns() - a) / 1e6);
	run("synthetic catalog", big, n / 10);
	free(text);
	catalog_free(big);
	catalog_free(cat);
	return 0;
}
