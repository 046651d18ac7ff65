/* gres_test.c: GRES requests, node specs, TRES strings and gres.conf (slurm.md section 6). */
#include "config.h"

#include "gres.h"
#include "gres_conf.h"
#include "unit.h"

/* spec parsed as a request, back in Gres= form ("" for an empty list). */
static void assert_request(const char *spec, const char *want)
{
	struct gres_list l = { 0 };
	struct sky_errbuf eb = { 0 };
	char *s;

	ck_assert_ok(gres_parse_request(spec, &l, &eb), &eb);
	s = gres_list_str(&l);
	ck_assert_msg(strcmp(s ? s : "", want) == 0, "'%s' gave '%s', want '%s'", spec,
		      s ? s : "", want);
	free(s);
	gres_list_free(&l);
}

static void assert_bad_request(const char *spec)
{
	struct gres_list l = { 0 };
	struct sky_errbuf eb = { 0 };

	ck_assert_msg(gres_parse_request(spec, &l, &eb) == SKY_E_INVALID_GRES,
		      "'%s' was accepted", spec);
	ck_assert_str_eq(eb.msg, "Invalid generic resource (gres) specification");
	gres_list_free(&l);
}

START_TEST(test_request_forms)
{
	assert_request("gpu", "gpu:1");
	assert_request("gpu:2", "gpu:2");
	assert_request("gpu:a100", "gpu:a100:1");
	assert_request("gpu:a100:8", "gpu:a100:8");
	assert_request("gpu:a100:2,nic:1", "gpu:a100:2,nic:1");
	assert_request("gres/gpu:a100=2", "gpu:a100:2");
	assert_request("gres/gpu=4", "gpu:4");
	assert_request("mps:100", "mps:100");
	assert_request("bw:2k", "bw:2048");
	assert_request("gpu:0", "");            /* a count of 0 drops the entry */
	assert_request("gpu:a100:0,nic", "nic:1");
	assert_request("none", "");
}
END_TEST

START_TEST(test_request_malformed)
{
	assert_bad_request("gpu:");
	assert_bad_request("gpu:a100:");
	assert_bad_request(":2");
	assert_bad_request("gpu:a100:2:3");
	assert_bad_request("gpu:2:a100");
	assert_bad_request("gpu:a100:x:2");
	assert_bad_request("gpu 2");
	assert_bad_request("gpu:a100:2(S:0)");   /* socket bindings are for node specs */
}
END_TEST

START_TEST(test_node_specs)
{
	struct gres_list l = { 0 };
	struct sky_errbuf eb = { 0 };
	char *s;

	ck_assert_ok(gres_parse_node("gpu:a100:4(S:0-1),gpu:v100:2(S:0,1),bandwidth:lustre:no_consume:4G",
				     &l, &eb), &eb);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.v[0].type, "a100");
	ck_assert_uint_eq(l.v[1].count, 2);
	ck_assert(l.v[2].no_consume);
	ck_assert_uint_eq(l.v[2].count, 4ULL << 30);
	s = gres_list_str(&l);
	ck_assert_str_eq(s, "gpu:a100:4,gpu:v100:2,bandwidth:lustre:no_consume:4294967296");
	free(s);
	s = gres_tres_suffix(&l, 1);
	ck_assert_str_eq(s, ",gres/gpu=6");
	free(s);
	gres_list_free(&l);

	/* typed and untyped GRES of one name may not be mixed on a node */
	ck_assert_int_eq(gres_parse_node("gpu:2,gpu:a100:2", &l, &eb), SKY_E_CONFIG);
	gres_list_free(&l);
	sky_err_clear(&eb);
	ck_assert_int_eq(gres_parse_node("gpu:a100:2,gpu:a100:2", &l, &eb), SKY_E_CONFIG);
	gres_list_free(&l);
}
END_TEST

static Sky__JobDesc desc(const char *gres, const char *gpus, const char *gpn, const char *gpt)
{
	Sky__JobDesc d = SKY__JOB_DESC__INIT;

	d.gres = (char *)gres;
	d.gpus = (char *)gpus;
	d.gpus_per_node = (char *)gpn;
	d.gpus_per_task = (char *)gpt;
	return d;
}

/* The per-node need of the options in Gres= form, and the job total of its first item. */
static void assert_need(Sky__JobDesc d, uint32_t nodes, uint32_t tpn, const char *want,
			uint64_t total)
{
	struct gres_list l;
	struct sky_errbuf eb = { 0 };
	char *s;

	ck_assert_ok(gres_job_need(&d, nodes, tpn, &l, &eb), &eb);
	s = gres_list_str(&l);
	ck_assert_msg(strcmp(s ? s : "", want) == 0, "need '%s', want '%s'", s ? s : "", want);
	ck_assert_uint_eq(l.n ? l.v[0].job_total : 0, total);
	free(s);
	gres_list_free(&l);
}

static void assert_need_fails(Sky__JobDesc d, const char *msg)
{
	struct gres_list l;
	struct sky_errbuf eb = { 0 };

	ck_assert_int_eq(gres_job_need(&d, 2, 1, &l, &eb), SKY_E_INVALID_GRES);
	ck_assert_str_eq(eb.msg, msg);
}

START_TEST(test_job_need_forms)
{
	/* --gres, -G, --gpus-per-node, --gpus-per-task resolve to one per-node count */
	assert_need(desc("gpu:a100:4", NULL, NULL, NULL), 2, 1, "gpu:a100:4", 0);
	assert_need(desc(NULL, NULL, "a100:4", NULL), 2, 1, "gpu:a100:4", 0);
	assert_need(desc(NULL, NULL, NULL, "2"), 2, 2, "gpu:4", 0);
	assert_need(desc(NULL, "a100:8", NULL, NULL), 2, 1, "gpu:a100:4", 8);
	assert_need(desc(NULL, "3", NULL, NULL), 2, 1, "gpu:2", 3);     /* the fuller node */
	/* the same request twice is one request */
	assert_need(desc("gpu:4", NULL, "4", NULL), 1, 1, "gpu:4", 0);
	assert_need(desc("gpu:2,nic", NULL, NULL, NULL), 1, 1, "gpu:2,nic:1", 0);
	assert_need(desc(NULL, NULL, NULL, NULL), 1, 1, "", 0);
}
END_TEST

START_TEST(test_job_need_conflicts)
{
	assert_need_fails(desc("gpu:a100:2", "2", NULL, NULL), GRES_MSG_TYPE_MIX);
	assert_need_fails(desc("gpu:2", NULL, "a100:2", NULL), GRES_MSG_TYPE_MIX);
	assert_need_fails(desc("gpu:2,gpu:a100:1", NULL, NULL, NULL), GRES_MSG_TYPE_MIX);
	assert_need_fails(desc("gpu:2", NULL, "4", NULL),
			  "Invalid generic resource (gres) specification");
	assert_need_fails(desc("gpu:1,gpu:1", NULL, NULL, NULL),
			  "Invalid generic resource (gres) specification");
	assert_need_fails(desc(NULL, "a100:2,v100:2", NULL, NULL),
			  "Invalid generic resource (gres) specification");
	assert_need_fails(desc(NULL, NULL, "gpu:", NULL),
			  "Invalid generic resource (gres) specification");
}
END_TEST

START_TEST(test_index_sets)
{
	struct sky_errbuf eb = { 0 };
	uint32_t *v, in[] = { 7, 0, 1, 2, 3, 5 };
	size_t n;
	char *s = gres_idx_str(in, 6);

	ck_assert_str_eq(s, "0-3,5,7");
	free(s);
	ck_assert_ok(gres_idx_parse("4-5,0,1-2,5", &v, &n, &eb), &eb);
	ck_assert_uint_eq(n, 5);
	ck_assert_uint_eq(v[0], 0);
	ck_assert_uint_eq(v[4], 5);
	free(v);
	ck_assert_int_eq(gres_idx_parse("3-1", &v, &n, &eb), SKY_E_INVALID_GRES);
	ck_assert_int_eq(gres_idx_parse("1,x", &v, &n, &eb), SKY_E_INVALID_GRES);
}
END_TEST

START_TEST(test_job_alloc_text)
{
	Sky__GresAlloc a = SKY__GRES_ALLOC__INIT, b = SKY__GRES_ALLOC__INIT;
	Sky__GresAlloc *v[] = { &a, &b };
	Sky__JobDesc d = desc("gpu:a100:2", NULL, NULL, NULL);
	Sky__JobRecord r = SKY__JOB_RECORD__INIT;
	struct sky_errbuf eb = { 0 };
	uint32_t *idx;
	size_t n;
	char *s;

	a.node = "n1"; a.name = "gpu"; a.type = "a100"; a.has_count = true; a.count = 2; a.indices = "0-1";
	b.node = "n2"; b.name = "gpu"; b.type = "a100"; b.has_count = true; b.count = 2; b.indices = "4,6";
	r.desc = &d;
	r.gres_alloc = v;
	r.n_gres_alloc = 2;
	r.num_nodes = 2;
	r.node_list = "n[1-2]";
	s = gres_job_alloc_str(&r, "n2");
	ck_assert_str_eq(s, "gpu:a100:2(IDX:4,6)");
	free(s);
	ck_assert_ok(gres_job_node_indices(&r, "n2", "gpu", &idx, &n, &eb), &eb);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(idx[1], 6);
	free(idx);
	s = gres_job_tres_suffix(&r, true);
	ck_assert_str_eq(s, ",gres/gpu=4");
	free(s);
	s = gres_job_tres_suffix(&r, false);
	ck_assert_str_eq(s, ",gres/gpu=4");
	free(s);
	s = gres_job_detail(&r, " ", " ", "0");
	ck_assert_str_eq(s, " JOB_GRES=gpu:a100:4 Nodes=n1 CPU_IDs=0 Mem=0 GRES=gpu:a100:2(IDX:0-1)"
			 " Nodes=n2 CPU_IDs=0 Mem=0 GRES=gpu:a100:2(IDX:4,6)");
	free(s);
	s = gres_tres_per_node(&d);
	ck_assert_str_eq(s, "gres/gpu:a100:2");
	free(s);
	s = gres_node_tres_suffix("gpu:a100:4(IDX:0-3),gpu:v100:0(IDX:N/A)");
	ck_assert_str_eq(s, ",gres/gpu=4");
	free(s);
}
END_TEST

START_TEST(test_conf_files)
{
	struct sky_errbuf eb = { 0 };
	char **f;
	size_t n;

	ck_assert_ok(gres_conf_expand_files("/dev/nvidia[0-3]", &f, &n, &eb), &eb);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(f[3], "/dev/nvidia3");
	for (size_t i = 0; i < n; i++)
		free(f[i]);
	free(f);
	ck_assert_ok(gres_conf_expand_files("/dev/nvidia[0,2-3],/dev/nvidia7", &f, &n, &eb), &eb);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(f[1], "/dev/nvidia2");
	ck_assert_str_eq(f[3], "/dev/nvidia7");
	for (size_t i = 0; i < n; i++)
		free(f[i]);
	free(f);
	ck_assert_int_eq(gres_conf_expand_files("/dev/nvidia[3-1]", &f, &n, &eb), SKY_E_CONFIG);
	ck_assert_int_eq(gres_conf_expand_files("/dev/nvidia[0-1", &f, &n, &eb), SKY_E_CONFIG);
}
END_TEST

static const char conf_text[] =
	"# an 8-GPU server and a mixed one\n"
	"AutoDetect=off\n"
	"NodeName=gpu[1-2] Name=gpu Type=a100 File=/dev/nvidia[0-7] Cores=0-63\n"
	"nodename=mix name=GPU type=v100 file=/dev/nvidia[0-1]\n"
	"NodeName=mix Name=gpu Type=t4 File=/dev/nvidia[2-3] Links=-1,0\n"
	"NodeName=mix AutoDetect=nvml\n"
	"Name=mps Count=100   # every node\n";

START_TEST(test_conf_parse)
{
	struct gres_conf gc;
	struct gres_list l = { 0 };
	struct gres_conf_dev *devs;
	enum gres_autodetect ad;
	struct sky_errbuf eb = { 0 };
	size_t n;
	char *s;

	ck_assert_ok(gres_conf_parse(conf_text, "gres.conf", &gc, &eb), &eb);
	ck_assert_int_eq(gc.autodetect, GRES_AUTODETECT_OFF);
	gres_conf_for_node(&gc, "gpu2", &l, &devs, &n, &ad);
	s = gres_list_str(&l);
	ck_assert_str_eq(s, "gpu:a100:8,mps:100");
	ck_assert_uint_eq(n, 8);
	ck_assert_int_eq(devs[7].dev_num, 7);
	ck_assert_int_eq(ad, GRES_AUTODETECT_OFF);
	free(s);
	free(devs);
	gres_list_free(&l);
	gres_conf_for_node(&gc, "mix", &l, NULL, NULL, &ad);
	s = gres_list_str(&l);
	ck_assert_str_eq(s, "GPU:v100:2,gpu:t4:2,mps:100");
	ck_assert_int_eq(ad, GRES_AUTODETECT_NVML);
	free(s);
	gres_list_free(&l);
	gres_conf_free(&gc);
}
END_TEST

static void assert_conf_error(const char *text, const char *want)
{
	struct gres_conf gc;
	struct sky_errbuf eb = { 0 };

	ck_assert_int_eq(gres_conf_parse(text, "/etc/gres.conf", &gc, &eb), SKY_E_CONFIG);
	ck_assert_msg(strcmp(eb.msg, want) == 0, "got '%s', want '%s'", eb.msg, want);
}

START_TEST(test_conf_errors)
{
	assert_conf_error("Name=gpu\nName=gpu Bogus=1\n", "/etc/gres.conf:2: unknown parameter 'Bogus'");
	assert_conf_error("AutoDetect=magic\n", "/etc/gres.conf:1: invalid AutoDetect 'magic'");
	assert_conf_error("\n\nType=a100 File=/dev/nvidia0\n", "/etc/gres.conf:3: Name= is required");
	assert_conf_error("Name=gpu File=/dev/nvidia[1-0]\n",
			  "/etc/gres.conf:1: invalid file list '/dev/nvidia[1-0]'");
	assert_conf_error("Name=gpu Count=lots\n", "/etc/gres.conf:1: invalid Count 'lots'");
	assert_conf_error("Name=gpu Type\n", "/etc/gres.conf:1: expected Key=Value, got 'Type'");
}
END_TEST

START_TEST(test_conf_path_and_missing_file)
{
	struct gres_conf gc;
	struct sky_errbuf eb = { 0 };
	char *p = gres_conf_path("/etc/slurm-sky/slurm.conf");

	ck_assert_str_eq(p, "/etc/slurm-sky/gres.conf");
	free(p);
	ck_assert_ok(gres_conf_load("/nonexistent/gres.conf", &gc, &eb), &eb);
	ck_assert_uint_eq(gc.n_recs, 0);
	ck_assert_ptr_null(gc.path);
	gres_conf_free(&gc);
}
END_TEST

static Suite *gres_suite(void)
{
	Suite *s = suite_create("gres");
	TCase *tc = tcase_create("gres");

	tcase_add_test(tc, test_request_forms);
	tcase_add_test(tc, test_request_malformed);
	tcase_add_test(tc, test_node_specs);
	tcase_add_test(tc, test_job_need_forms);
	tcase_add_test(tc, test_job_need_conflicts);
	tcase_add_test(tc, test_index_sets);
	tcase_add_test(tc, test_job_alloc_text);
	tcase_add_test(tc, test_conf_files);
	tcase_add_test(tc, test_conf_parse);
	tcase_add_test(tc, test_conf_errors);
	tcase_add_test(tc, test_conf_path_and_missing_file);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(gres_suite());
}
