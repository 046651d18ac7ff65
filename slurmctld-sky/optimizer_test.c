/* optimizer_test.c: price catalogs, placement order and the launch-error blocklist. */
#include "config.h"

#include <time.h>

#include "blocklist.h"
#include "catalog.h"
#include "optimizer.h"
#include "unit.h"

/* A small catalog whose order is worked out by hand below. */
static const char small_csv[] =
	"# test catalog\n"
	"InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,SpotPrice,"
	"Region,AvailabilityZone,Notes\n"
	"gpu.8x,A100,8,96,1152,10.0,3.0,r1,r1a,x\n"
	"gpu.8x,A100,8,96,1152,10.0,,r1,r1b,x\n"
	"gpu.8x,A100,8,96,1152,12.0,2.5,r2,r2a,x\n"
	"big.8x,A100,8,192,2048,10.0,10.0,r1,r1a,x\n"
	"gpu80.8x,A100-80GB,8,96,1152,11.0,4.0,r1,r1a,x\n"
	"cpu.large,,0,2,8,0.1,0.03,r1,r1a,x\n"
	"cpu.xlarge,,,4,16,0.2,0.06,r1,r1a,\"quoted, with comma\"\n"
	"cpu.mem,,,4,64,0.25,,r1,r1b,x\n";

static struct catalog *small_catalog(const char *cloud)
{
	struct catalog *cat = catalog_new();
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	ck_assert_ok(catalog_load_text(cat, small_csv, strlen(small_csv), "small.csv", cloud, &eb),
		     &eb);
	return cat;
}

static const char *srcdir(void)
{
	const char *s = getenv("SKY_SRCDIR");

	return s && *s ? s : SKY_TOP_SRCDIR;
}

static struct catalog *shipped_catalog(void)
{
	struct catalog *cat = catalog_new();
	struct sky_errbuf eb;
	char *dir = xasprintf("%s/conf/catalogs", srcdir());

	sky_err_clear(&eb);
	ck_assert_ok(catalog_load_dir(cat, dir, &eb), &eb);
	free(dir);
	return cat;
}

/* Place and return the human strings of the first n choices, joined by '|'. */
static char *place_str(const struct catalog *cat, const struct blocklist *bl,
		       const struct opt_request *req, time_t now, size_t max, size_t *n_out,
		       size_t *n_feasible)
{
	struct opt_choice out[64];
	struct sky_errbuf eb;
	char *s = xstrdup("");

	ck_assert(max <= 64);
	sky_err_clear(&eb);
	ck_assert_ok(optimizer_place(cat, bl, req, now, out, max, n_out, n_feasible, &eb), &eb);
	for (size_t i = 0; i < *n_out; i++) {
		char *c = opt_choice_str(&out[i]);

		xstrfmtcat(&s, "%s%s", i ? "|" : "", c);
		free(c);
	}
	return s;
}

START_TEST(test_load_fields)
{
	struct catalog *cat = small_catalog(NULL);
	const struct offering *o = &cat->v[0];

	ck_assert_uint_eq(cat->n, 8);
	ck_assert_str_eq(o->cloud, "small");                  /* from the name */
	ck_assert_str_eq(o->type, "gpu.8x");
	ck_assert_str_eq(o->accel, "A100");
	ck_assert_uint_eq(o->accel_count, 8);
	ck_assert_uint_eq(o->vcpus, 96);
	ck_assert_uint_eq(o->mem_mib, 1152 * 1024);
	ck_assert_int_eq(o->price_u, 10000000);
	ck_assert_int_eq(o->spot_u, 3000000);
	ck_assert_int_eq(cat->v[1].spot_u, CATALOG_NO_PRICE);
	ck_assert_str_eq(cat->v[5].accel, "");
	ck_assert_uint_eq(cat->v[5].accel_count, 0);
	ck_assert_uint_eq(cat->v[6].line, 9);
	/* Interned: equal strings share one pointer. */
	ck_assert_ptr_eq(cat->v[0].type, cat->v[1].type);
	ck_assert_ptr_eq(cat->v[0].region, cat->v[3].region);
	ck_assert_ptr_eq(catalog_lookup(cat, "r1a"), cat->v[0].zone);
	ck_assert_ptr_null(catalog_lookup(cat, "r9z"));
	catalog_free(cat);
}
END_TEST

/* Load text as bad.csv in a temp dir and return the error message. */
static char *load_error(const char *text, int want_rc, size_t *n_after)
{
	struct catalog *cat = small_catalog("aws");
	char *dir = unit_tmpdir();
	char *path = unit_write_file(dir, "bad.csv", text);
	struct sky_errbuf eb;
	char *msg;

	sky_err_clear(&eb);
	ck_assert_int_eq(catalog_load_file(cat, path, "aws", &eb), want_rc);
	msg = xstrdup(sky_err_msg(&eb));
	*n_after = cat->n;
	catalog_free(cat);
	unit_rmtree(dir);
	free(path);
	free(dir);
	return msg;
}

#define HDR "InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,SpotPrice," \
	    "Region,AvailabilityZone\n"

static void expect_error(const char *text, const char *want)
{
	size_t n;
	char *msg = load_error(text, SKY_E_CONFIG, &n);

	ck_assert_msg(strstr(msg, want) != NULL, "error '%s' lacks '%s'", msg, want);
	ck_assert_uint_eq(n, 8);               /* nothing of the bad file kept */
	free(msg);
}

START_TEST(test_malformed)
{
	expect_error("# c\n" HDR "a.1,,,2,4,0.1,,r,z\nb.1,,,2,4,abc,,r,z\n",
		     "bad.csv:4: column Price: 'abc' is not a number");
	expect_error(HDR "a.1,,,2,4,0.1,,r,z\na.1,,,2,4,0.2,,r,z\n",
		     "bad.csv:3: duplicate offering a.1 (no accelerator) in r/z (first at ");
	expect_error(HDR "a.1,,,2,4,0.1,,r\n", "bad.csv:2: 8 fields, the header has 9");
	expect_error("InstanceType,vCPUs,MemoryGiB,Price,Region\n",
		     "bad.csv:1: header lacks column 'AcceleratorName'");
	expect_error(HDR "a.1,,,2,4,,,r,z\n", "bad.csv:2: columns Price and SpotPrice are both empty");
	expect_error(HDR "a.1,,,2,4,-1,,r,z\n", "bad.csv:2: column Price: '-1' is negative");
	expect_error(HDR "a.1,T4,1.5,2,4,1,,r,z\n",
		     "bad.csv:2: column AcceleratorCount: '1.5' is not a whole count");
	expect_error(HDR "a.1,T4,,2,4,1,,r,z\n", "bad.csv:2: column AcceleratorCount: accelerator T4");
	expect_error(HDR ",,,2,4,1,,r,z\n", "bad.csv:2: column InstanceType is empty");
	expect_error(HDR "\"a.1,,,2,4,1,,r,z\n", "bad.csv:2: unbalanced quote");
	expect_error("# only comments\n", "no header line");
	/* The same row as in another loaded file: the cloud is part of the key. */
	expect_error(HDR "gpu.8x,A100,8,96,1152,9.0,,r1,r1a\n",
		     "duplicate offering gpu.8x A100 in r1/r1a (first at small.csv:3)");
}
END_TEST

START_TEST(test_missing_file)
{
	struct catalog *cat = catalog_new();
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	ck_assert_int_eq(catalog_load_file(cat, "/nonexistent/aws.csv", NULL, &eb), SKY_E_IO);
	ck_assert_str_eq(sky_err_msg(&eb), "/nonexistent/aws.csv: No such file or directory");
	catalog_free(cat);
}
END_TEST

START_TEST(test_gpu_type_matching)
{
	ck_assert(optimizer_gpu_type_matches("a100", "A100"));
	ck_assert(!optimizer_gpu_type_matches("a100", "A100-80GB"));
	ck_assert(optimizer_gpu_type_matches("a100-80gb", "A100-80GB"));
	ck_assert(optimizer_gpu_type_matches("a100_80gb", "A100-80GB"));
	ck_assert(optimizer_gpu_type_matches("A100-80GB", "A100-80GB"));
	ck_assert(!optimizer_gpu_type_matches("h100", "H100-MEGA"));
	ck_assert(!optimizer_gpu_type_matches("a10", "A100"));
	ck_assert(optimizer_gpu_type_matches(NULL, "T4"));    /* untyped: any GPU */
	ck_assert(optimizer_gpu_type_matches("", "T4"));
	ck_assert(!optimizer_gpu_type_matches(NULL, ""));     /* but not a CPU type */
	ck_assert(!optimizer_gpu_type_matches("t4", ""));
}
END_TEST

START_TEST(test_tie_order)
{
	struct catalog *cat = small_catalog("aws");
	struct opt_request req = { .gpu_type = "a100", .gpus_per_node = 8, .spot = OPT_SPOT_YES };
	size_t n, nf;
	char *s;

	/*
	 * By hand: spot 2.5 (r2a) and 3.0 (r1a); at 10.0 the four offerings
	 * tie: gpu.8x (96 vCPUs) before big.8x (192, more surplus), r1a before
	 * r1b, and big.8x on-demand before its spot at the same price; 12.0 last.
	 * gpu80.8x is an A100-80GB: not an "a100".
	 */
	s = place_str(cat, NULL, &req, 0, 64, &n, &nf);
	ck_assert_str_eq(s,
			 "aws/r2/r2a gpu.8x spot $2.5000/h x1 = $2.5000/h|"
			 "aws/r1/r1a gpu.8x spot $3.0000/h x1 = $3.0000/h|"
			 "aws/r1/r1a gpu.8x on-demand $10.0000/h x1 = $10.0000/h|"
			 "aws/r1/r1b gpu.8x on-demand $10.0000/h x1 = $10.0000/h|"
			 "aws/r1/r1a big.8x on-demand $10.0000/h x1 = $10.0000/h|"
			 "aws/r1/r1a big.8x spot $10.0000/h x1 = $10.0000/h|"
			 "aws/r2/r2a gpu.8x on-demand $12.0000/h x1 = $12.0000/h");
	ck_assert_uint_eq(nf, 7);
	free(s);
	/* Bounded output keeps the best ones, in order. */
	s = place_str(cat, NULL, &req, 0, 2, &n, &nf);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(nf, 7);
	ck_assert_str_eq(s, "aws/r2/r2a gpu.8x spot $2.5000/h x1 = $2.5000/h|"
			 "aws/r1/r1a gpu.8x spot $3.0000/h x1 = $3.0000/h");
	free(s);
	catalog_free(cat);
}
END_TEST

START_TEST(test_tie_by_cloud)
{
	struct catalog *cat = small_catalog("zeta");
	struct sky_errbuf eb;
	struct opt_request req = { .gpu_type = "A100", .gpus_per_node = 8, .regions =
		(const char *const[]){ "r1" }, .n_regions = 1 };
	size_t n, nf;
	char *s;

	sky_err_clear(&eb);
	ck_assert_ok(catalog_load_text(cat, small_csv, strlen(small_csv), "x.csv", "alpha", &eb),
		     &eb);
	s = place_str(cat, NULL, &req, 0, 2, &n, &nf);
	ck_assert_str_eq(s, "alpha/r1/r1a gpu.8x on-demand $10.0000/h x1 = $10.0000/h|"
			 "alpha/r1/r1b gpu.8x on-demand $10.0000/h x1 = $10.0000/h");
	ck_assert_uint_eq(nf, 6);                        /* 3 rows x 2 clouds, on-demand only */
	free(s);
	catalog_free(cat);
}
END_TEST

START_TEST(test_spot_policies)
{
	struct catalog *cat = small_catalog("aws");
	struct opt_request req = { .gpu_type = "a100", .gpus_per_node = 8 };
	struct opt_choice out[16];
	size_t n, nf;
	bool seen_od = false;

	req.spot = OPT_SPOT_NO;
	ck_assert_ok(optimizer_place(cat, NULL, &req, 0, out, 16, &n, &nf, NULL), NULL);
	ck_assert_uint_eq(n, 4);
	for (size_t i = 0; i < n; i++)
		ck_assert(!out[i].spot);
	req.spot = OPT_SPOT_ONLY;
	ck_assert_ok(optimizer_place(cat, NULL, &req, 0, out, 16, &n, &nf, NULL), NULL);
	ck_assert_uint_eq(n, 3);                         /* r1b has no spot price */
	for (size_t i = 0; i < n; i++)
		ck_assert(out[i].spot);
	/* prefer: every spot offering first, even the $10 one over on-demand $10. */
	req.spot = OPT_SPOT_PREFER;
	ck_assert_ok(optimizer_place(cat, NULL, &req, 0, out, 16, &n, &nf, NULL), NULL);
	ck_assert_uint_eq(n, 7);
	for (size_t i = 0; i < n; i++) {
		if (!out[i].spot)
			seen_od = true;
		ck_assert_msg(!(seen_od && out[i].spot), "spot after on-demand at %zu", i);
	}
	ck_assert(out[2].spot && strcmp(out[2].off->type, "big.8x") == 0);
	ck_assert(opt_spot_parse("Prefer", &req.spot) && req.spot == OPT_SPOT_PREFER);
	ck_assert(!opt_spot_parse("maybe", &req.spot));
	ck_assert_str_eq(opt_spot_str(OPT_SPOT_ONLY), "only");
	req.spot = (enum opt_spot)9;
	ck_assert_int_eq(optimizer_place(cat, NULL, &req, 0, out, 16, &n, &nf, NULL), SKY_E_INVAL);
	catalog_free(cat);
}
END_TEST

START_TEST(test_cpu_mem_globs_price)
{
	struct catalog *cat = small_catalog("aws");
	struct opt_request req = { .cpus_per_node = 4 };
	size_t n, nf;
	char *s;

	/* 4 CPUs: cpu.xlarge is the cheapest; cpu.large (2 CPUs) does not fit. */
	s = place_str(cat, NULL, &req, 0, 1, &n, &nf);
	ck_assert_str_eq(s, "aws/r1/r1a cpu.xlarge on-demand $0.2000/h x1 = $0.2000/h");
	free(s);
	/* 32 GiB: only cpu.mem among the CPU types. */
	req.mem_mib_per_node = 32 * 1024;
	s = place_str(cat, NULL, &req, 0, 1, &n, &nf);
	ck_assert_str_eq(s, "aws/r1/r1b cpu.mem on-demand $0.2500/h x1 = $0.2500/h");
	free(s);
	/* Globs: the GPU boxes also have the memory; only gpu*.8x allowed. */
	req.type_globs = (const char *const[]){ "gpu*.8x" };
	req.n_type_globs = 1;
	s = place_str(cat, NULL, &req, 0, 1, &n, &nf);
	ck_assert_str_eq(s, "aws/r1/r1a gpu.8x on-demand $10.0000/h x1 = $10.0000/h");
	ck_assert_uint_eq(nf, 4);                        /* gpu.8x x3, gpu80.8x */
	free(s);
	/* A price cap for the whole job: 3 nodes x $10 > $25. */
	req.nodes = 3;
	req.max_price = 25;
	s = place_str(cat, NULL, &req, 0, 1, &n, &nf);
	ck_assert_uint_eq(n, 0);
	free(s);
	s = optimizer_why_none(cat, NULL, &req, 0);
	ck_assert_str_eq(s, "no offering costs at most $25.0000/h for 3 node(s)");
	free(s);
	catalog_free(cat);
}
END_TEST

START_TEST(test_why_none)
{
	struct catalog *cat = small_catalog("aws");
	struct opt_request req = { .gpu_type = "a100x", .gpus_per_node = 1 };
	char *s;

	s = optimizer_why_none(cat, NULL, &req, 0);
	ck_assert_str_eq(s, "no offering has GPU type 'a100x' (catalog has: A100, A100-80GB)");
	free(s);
	req.gpu_type = "a100";
	req.gpus_per_node = 16;
	s = optimizer_why_none(cat, NULL, &req, 0);
	ck_assert_str_eq(s, "no offering has enough GPUs per node");
	free(s);
	req.gpus_per_node = 8;
	req.regions = (const char *const[]){ "mars-1" };
	req.n_regions = 1;
	s = optimizer_why_none(cat, NULL, &req, 0);
	ck_assert_str_eq(s, "no offering is in an allowed region");
	free(s);
	catalog_free(cat);
}
END_TEST

START_TEST(test_blocked_zone_fails_over_and_returns)
{
	struct catalog *cat = small_catalog("aws");
	struct blocklist *bl = blocklist_new();
	struct opt_request req = { .gpu_type = "a100", .gpus_per_node = 8, .spot = OPT_SPOT_NO };
	struct opt_choice out[8];
	size_t n, nf;
	char *s;
	time_t t = 1000;

	ck_assert_ok(optimizer_place(cat, bl, &req, t, out, 8, &n, &nf, NULL), NULL);
	ck_assert_str_eq(out[0].off->zone, "r1a");
	ck_assert_int_eq(blocklist_note(bl, out[0].off, false, "InsufficientInstanceCapacity", t),
			 t + 600);
	s = blocklist_describe(bl, out[0].off, false, t + 180);
	ck_assert_str_eq(s, "InsufficientInstanceCapacity: gpu.8x in r1a (on-demand) "
			 "blocked for 420 s more");
	free(s);
	ck_assert_ptr_null(blocklist_describe(bl, out[0].off, true, t + 180));   /* spot not */
	/* Next best: the same type in the other zone at the same price. */
	s = place_str(cat, bl, &req, t + 1, 1, &n, &nf);
	ck_assert_str_eq(s, "aws/r1/r1b gpu.8x on-demand $10.0000/h x1 = $10.0000/h");
	ck_assert_uint_eq(nf, 3);
	free(s);
	/* Still blocked one second before the deadline, back at it. */
	s = place_str(cat, bl, &req, t + 599, 1, &n, &nf);
	ck_assert_str_eq(s, "aws/r1/r1b gpu.8x on-demand $10.0000/h x1 = $10.0000/h");
	free(s);
	s = place_str(cat, bl, &req, t + 600, 1, &n, &nf);
	ck_assert_str_eq(s, "aws/r1/r1a gpu.8x on-demand $10.0000/h x1 = $10.0000/h");
	free(s);
	/* Everything blocked: the reason lists the first ones. */
	ck_assert_ok(optimizer_place(cat, NULL, &req, t, out, 8, &n, &nf, NULL), NULL);
	ck_assert_uint_eq(n, 4);
	for (size_t i = 0; i < n; i++)
		blocklist_note(bl, out[i].off, false, "InsufficientInstanceCapacity", t + 10);
	ck_assert_ok(optimizer_place(cat, bl, &req, t + 20, out, 8, &n, &nf, NULL), NULL);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(nf, 0);
	s = optimizer_why_none(cat, bl, &req, t + 20);
	ck_assert_str_eq(s, "4 offering(s) fit, all blocked: aws/r1/r1a gpu.8x on-demand: "
			 "InsufficientInstanceCapacity: gpu.8x in r1a (on-demand) blocked for "
			 "590 s more; aws/r1/r1b gpu.8x on-demand: InsufficientInstanceCapacity: "
			 "gpu.8x in r1b (on-demand) blocked for 590 s more; aws/r2/r2a gpu.8x "
			 "on-demand: InsufficientInstanceCapacity: gpu.8x in r2a (on-demand) "
			 "blocked for 590 s more; ...");
	free(s);
	blocklist_expire(bl, t + 610);
	ck_assert_uint_eq(bl->n, 0);
	blocklist_free(bl);
	catalog_free(cat);
}
END_TEST

static const struct offering *find(const struct catalog *cat, const char *type, const char *zone)
{
	for (size_t i = 0; i < cat->n; i++)
		if (!strcmp(cat->v[i].type, type) && !strcmp(cat->v[i].zone, zone))
			return &cat->v[i];
	ck_abort_msg("no %s in %s", type, zone);
	return NULL;
}

START_TEST(test_blocklist_scopes)
{
	struct catalog *cat = small_catalog("aws");
	struct blocklist *bl = blocklist_new();
	const struct offering *g1a = find(cat, "gpu.8x", "r1a"), *g1b = find(cat, "gpu.8x", "r1b");
	const struct offering *g2a = find(cat, "gpu.8x", "r2a"), *b1a = find(cat, "big.8x", "r1a");
	const struct offering *c1a = find(cat, "cpu.large", "r1a");
	char *s;

	/* Quota: the family in the region, that market, an hour. */
	blocklist_note(bl, g1a, false, "VcpuLimitExceeded", 0);
	ck_assert_ptr_nonnull(blocklist_match(bl, g1b, false, 10));
	ck_assert_ptr_null(blocklist_match(bl, g1b, true, 10));
	ck_assert_ptr_null(blocklist_match(bl, g2a, false, 10));
	ck_assert_ptr_null(blocklist_match(bl, b1a, false, 10));
	ck_assert_ptr_nonnull(blocklist_match(bl, g1b, false, 3599));
	ck_assert_ptr_null(blocklist_match(bl, g1b, false, 3600));
	/* SpotMaxPriceTooLow blocks the spot market only, whatever was launched. */
	blocklist_note(bl, c1a, false, "SpotMaxPriceTooLow", 0);
	ck_assert_ptr_nonnull(blocklist_match(bl, c1a, true, 1));
	ck_assert_ptr_null(blocklist_match(bl, c1a, false, 1));
	/* MaxSpotInstanceCountExceeded: spot in the whole region. */
	blocklist_note(bl, g2a, true, "MaxSpotInstanceCountExceeded", 0);
	ck_assert_ptr_nonnull(blocklist_match(bl, g2a, true, 599));
	ck_assert_ptr_null(blocklist_match(bl, g2a, false, 1));
	/* Unsupported: the type in the zone, both markets. */
	blocklist_note(bl, b1a, true, "Unsupported", 0);
	ck_assert_ptr_nonnull(blocklist_match(bl, b1a, false, 1));
	ck_assert_ptr_null(blocklist_match(bl, g1a, true, 1));
	/* Unknown codes: the zone, five minutes. */
	blocklist_note(bl, g2a, false, "SomethingNew", 0);
	ck_assert_ptr_nonnull(blocklist_match(bl, g2a, false, 299));
	ck_assert_ptr_null(blocklist_match(bl, g2a, false, 300));
	/* Credentials: every offering of the cloud. */
	blocklist_note(bl, c1a, false, "AuthFailure", 0);
	ck_assert_ptr_nonnull(blocklist_match(bl, g2a, true, 1799));
	ck_assert_ptr_null(blocklist_match(bl, g2a, true, 1800));
	s = blocklist_describe(bl, g2a, true, 100);
	ck_assert_str_eq(s, "AuthFailure: all of aws blocked for 1700 s more");
	free(s);
	/* Noting the same thing again replaces its deadline instead of adding one. */
	size_t n = bl->n;

	blocklist_note(bl, c1a, true, "AuthFailure", 1000);
	ck_assert_uint_eq(bl->n, n);
	ck_assert_ptr_nonnull(blocklist_match(bl, g2a, true, 2799));
	s = blocklist_family("p4d.24xlarge");
	ck_assert_str_eq(s, "p4d");
	free(s);
	blocklist_free(bl);
	catalog_free(cat);
}
END_TEST

START_TEST(test_shipped_catalogs_load)
{
	struct timespec a, b;
	struct catalog *cat;
	bool clouds[4] = { false };
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &a);
	cat = shipped_catalog();
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	ck_assert_msg(ms < 200, "loading took %.1f ms", ms);
	ck_assert_uint_gt(cat->n, 500);
	for (size_t i = 0; i < cat->n; i++) {
		const char *c = cat->v[i].cloud;

		clouds[0] |= !strcmp(c, "aws");
		clouds[1] |= !strcmp(c, "gcp");
		clouds[2] |= !strcmp(c, "azure");
		clouds[3] |= !strcmp(c, "lambda");
	}
	ck_assert(clouds[0] && clouds[1] && clouds[2] && clouds[3]);
	catalog_free(cat);
}
END_TEST

START_TEST(test_shipped_cheapest_a100x8)
{
	struct catalog *cat = shipped_catalog();
	struct opt_request req = { .gpu_type = "a100", .gpus_per_node = 8,
				   .clouds = (const char *const[]){ "aws" }, .n_clouds = 1 };
	size_t n, nf;
	char *s;

	/*
	 * conf/catalogs/aws.csv by hand: A100 x8 is only p4d.24xlarge (p4de is
	 * A100-80GB). On-demand $32.7726 in us-east-1 (zones a, c, d), us-east-2
	 * (a, b), us-west-2 (a, b, c); eu-west-1 is $35.39655. The tie goes by
	 * region, then zone.
	 */
	s = place_str(cat, NULL, &req, 0, 9, &n, &nf);
	ck_assert_str_eq(s,
			 "aws/us-east-1/us-east-1a p4d.24xlarge on-demand $32.7726/h x1 = $32.7726/h|"
			 "aws/us-east-1/us-east-1c p4d.24xlarge on-demand $32.7726/h x1 = $32.7726/h|"
			 "aws/us-east-1/us-east-1d p4d.24xlarge on-demand $32.7726/h x1 = $32.7726/h|"
			 "aws/us-east-2/us-east-2a p4d.24xlarge on-demand $32.7726/h x1 = $32.7726/h|"
			 "aws/us-east-2/us-east-2b p4d.24xlarge on-demand $32.7726/h x1 = $32.7726/h|"
			 "aws/us-west-2/us-west-2a p4d.24xlarge on-demand $32.7726/h x1 = $32.7726/h|"
			 "aws/us-west-2/us-west-2b p4d.24xlarge on-demand $32.7726/h x1 = $32.7726/h|"
			 "aws/us-west-2/us-west-2c p4d.24xlarge on-demand $32.7726/h x1 = $32.7726/h|"
			 "aws/eu-west-1/eu-west-1c p4d.24xlarge on-demand $35.3966/h x1 = $35.3966/h");
	ck_assert_uint_eq(nf, 9);
	free(s);
	/* With spot: the cheapest spot p4d is use1-az6 = us-east-1c at $5.0933. */
	req.spot = OPT_SPOT_YES;
	s = place_str(cat, NULL, &req, 0, 1, &n, &nf);
	ck_assert_str_eq(s, "aws/us-east-1/us-east-1c p4d.24xlarge spot $5.0933/h x1 = $5.0933/h");
	ck_assert_uint_eq(nf, 18);
	free(s);
	/* a100-80gb names the other part: p4de.24xlarge, $40.96575, spot $5.8394 in us-east-1c. */
	req.gpu_type = "a100-80gb";
	s = place_str(cat, NULL, &req, 0, 1, &n, &nf);
	ck_assert_str_eq(s, "aws/us-east-1/us-east-1c p4de.24xlarge spot $5.8394/h x1 = $5.8394/h");
	free(s);
	/* Every cloud, on-demand: Lambda's gpu_8x_a100 at $10.32 (regional, no zone). */
	req.gpu_type = "a100";
	req.spot = OPT_SPOT_NO;
	req.n_clouds = 0;
	s = place_str(cat, NULL, &req, 0, 1, &n, &nf);
	ck_assert_str_eq(s, "lambda/europe-central-1 gpu_8x_a100 on-demand $10.3200/h x1 = $10.3200/h");
	free(s);
	catalog_free(cat);
}
END_TEST

START_TEST(test_shipped_two_nodes_one_zone)
{
	struct catalog *cat = shipped_catalog();
	struct blocklist *bl = blocklist_new();
	struct opt_request req = { .gpu_type = "a100", .gpus_per_node = 8, .nodes = 2,
				   .spot = OPT_SPOT_YES,
				   .clouds = (const char *const[]){ "aws" }, .n_clouds = 1 };
	struct opt_choice out[4];
	size_t n, nf;
	char *s;

	/* Both nodes in us-east-1c: one choice is one zone, priced x2. */
	ck_assert_ok(optimizer_place(cat, bl, &req, 0, out, 4, &n, &nf, NULL), NULL);
	s = opt_choice_str(&out[0]);
	ck_assert_str_eq(s, "aws/us-east-1/us-east-1c p4d.24xlarge spot $5.0933/h x2 = $10.1866/h");
	free(s);
	ck_assert_int_eq(out[0].job_price_u, 2 * out[0].node_price_u);
	/* ICE there: the job moves whole to the next spot zone (us-east-2b, $5.4287). */
	blocklist_note(bl, out[0].off, true, "InsufficientInstanceCapacity", 0);
	ck_assert_ok(optimizer_place(cat, bl, &req, 1, out, 4, &n, &nf, NULL), NULL);
	s = opt_choice_str(&out[0]);
	ck_assert_str_eq(s, "aws/us-east-2/us-east-2b p4d.24xlarge spot $5.4287/h x2 = $10.8574/h");
	free(s);
	blocklist_free(bl);
	catalog_free(cat);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("optimizer");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_load_fields);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_gpu_type_matching);
	tcase_add_test(tc, test_tie_order);
	tcase_add_test(tc, test_tie_by_cloud);
	tcase_add_test(tc, test_spot_policies);
	tcase_add_test(tc, test_cpu_mem_globs_price);
	tcase_add_test(tc, test_why_none);
	tcase_add_test(tc, test_blocked_zone_fails_over_and_returns);
	tcase_add_test(tc, test_blocklist_scopes);
	tcase_add_test(tc, test_shipped_catalogs_load);
	tcase_add_test(tc, test_shipped_cheapest_a100x8);
	tcase_add_test(tc, test_shipped_two_nodes_one_zone);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
