/* cloud_info_test.c: node prices, job cost across runs and requeues, program-provider pricing. */
#include "config.h"

#include "cloud_info.h"
#include "ctld.h"
#include "provider.h"
#include "unit.h"

#define N_NODES 3

struct world {
	struct ctld c;
	struct provider prov;
	struct conf_provider cp;
	struct conf_pair opts[5];
	struct node nodes[N_NODES];
	struct job job;
	Sky__JobRecord rec;
	Sky__JobDesc desc;
	struct job_alloc alloc[N_NODES];
	struct job_holders holders[N_NODES];
	struct job *jobp;
};

static void world_init(struct world *w)
{
	static char *names[N_NODES] = { "c1", "c2", "c3" };

	memset(w, 0, sizeof(*w));
	w->prov.c = &w->c;
	for (int i = 0; i < N_NODES; i++) {
		w->nodes[i].name = names[i];
		w->nodes[i].prov = &w->prov;
		w->nodes[i].prov_name = "burst";
		w->nodes[i].pw.elastic = true;
	}
	sky__job_record__init(&w->rec);
	sky__job_desc__init(&w->desc);
	w->rec.desc = &w->desc;
	w->rec.job_id = 7;
	w->job.rec = &w->rec;
	w->c.jobs.head = w->c.jobs.tail = &w->job;
	w->c.jobs.count = 1;
	w->jobp = &w->job;
	w->c.jobs.holders = w->holders;
	w->c.jobs.n_holders = N_NODES;
	w->c.jobs.node_base = w->nodes;
}

/* What job_start does: hold nodes [0, n), RUNNING from t. */
static void run_on(struct world *w, size_t n, uint64_t t)
{
	for (size_t i = 0; i < n; i++)
		w->alloc[i] = (struct job_alloc){ .node = &w->nodes[i], .cpus = 1 };
	w->job.alloc = w->alloc;
	w->job.n_alloc = n;
	/* And the per-node index of holders (job_queue.h) repricing reads. */
	for (size_t i = 0; i < N_NODES; i++)
		w->holders[i] = (struct job_holders){ .v = &w->jobp, .n = i < n, .cap = 1 };
	w->rec.state = SKY__JOB_STATE__JOB_RUNNING;
	w->rec.has_start_time = true;
	w->rec.start_time = t;
	w->rec.has_launch_acked = w->rec.launch_acked = true;
	job_cost_run_start(&w->job);
}

static void world_fini(struct world *w)
{
	for (int i = 0; i < N_NODES; i++)
		node_clear_cloud(&w->nodes[i]);
	free(w->rec.placement);
}

START_TEST(test_set_and_clear)
{
	struct world w;
	Sky__NodeInfo ni = SKY__NODE_INFO__INIT;

	world_init(&w);
	ck_assert(!node_has_cloud(&w.nodes[0]));
	node_cloud_to_info(&w.nodes[0], &ni);
	ck_assert(!ni.has_price_u && !ni.instance_id);
	node_set_cloud(&w.nodes[0], "i-0abc", "p4d.24xlarge", "us-east-1", "us-east-1a", true,
		       5093300);
	ck_assert(node_has_cloud(&w.nodes[0]));
	ck_assert_int_eq(node_price(&w.nodes[0]), 5093300);
	node_cloud_to_info(&w.nodes[0], &ni);
	ck_assert_str_eq(ni.instance_id, "i-0abc");
	ck_assert_str_eq(ni.instance_type, "p4d.24xlarge");
	ck_assert_str_eq(ni.region, "us-east-1");
	ck_assert_str_eq(ni.zone, "us-east-1a");
	ck_assert(ni.has_spot && ni.spot);
	ck_assert(ni.has_price_u);
	ck_assert_int_eq(ni.price_u, 5093300);
	/* NULL clears a field; a negative price is no price. */
	node_set_cloud(&w.nodes[0], "i-0def", "g5.xlarge", "us-west-2", NULL, false, -5);
	ck_assert_ptr_null(w.nodes[0].cloud.zone);
	ck_assert_int_eq(node_price(&w.nodes[0]), 0);
	node_clear_cloud(&w.nodes[0]);
	node_clear_cloud(&w.nodes[0]);
	ck_assert(!node_has_cloud(&w.nodes[0]));
	world_fini(&w);
}
END_TEST

START_TEST(test_cost_of_one_run)
{
	struct world w;

	world_init(&w);
	node_set_cloud(&w.nodes[0], "i-1", "t", "r", "z", false, 1000000);
	node_set_cloud(&w.nodes[1], "i-2", "t", "r", "z", false, 2000000);
	run_on(&w, 2, 1000);
	ck_assert_int_eq(w.rec.run_price_u, 3000000);
	/* Half an hour in: what it cost so far, not yet charged. */
	ck_assert_int_eq(job_rec_cost_now(&w.rec, 1000 + 1800), 1500000);
	ck_assert_int_eq(w.rec.cost_u, 0);
	job_cost_run_end(&w.job, 1000 + 3600);
	ck_assert_int_eq(w.rec.cost_u, 3000000);
	/* A second end of the same run (cancel, then the node's report) is not charged again. */
	job_cost_run_end(&w.job, 1000 + 7200);
	ck_assert_int_eq(w.rec.cost_u, 3000000);
	w.rec.state = SKY__JOB_STATE__JOB_COMPLETE;
	ck_assert_int_eq(job_rec_cost_now(&w.rec, 99999), 3000000);
	world_fini(&w);
}
END_TEST

START_TEST(test_requeue_keeps_cost)
{
	struct world w;

	world_init(&w);
	node_set_cloud(&w.nodes[0], "i-1", "t", "r", "z", true, 1000000);
	node_set_cloud(&w.nodes[1], "i-2", "t", "r", "z", true, 1000000);
	node_set_cloud(&w.nodes[2], "i-3", "t", "r", "z", false, 4000000);
	run_on(&w, 2, 1000);
	/* Preempted after 90 minutes: requeued, keeps $3. */
	job_cost_run_end(&w.job, 1000 + 5400);
	ck_assert_int_eq(w.rec.cost_u, 3000000);
	w.job.n_alloc = 0;
	w.rec.state = SKY__JOB_STATE__JOB_PENDING;
	w.rec.start_time = 0;
	ck_assert_int_eq(job_rec_cost_now(&w.rec, 20000), 3000000);
	/* Second run on all three nodes (6 $/h) for 10 minutes: +$1. */
	run_on(&w, 3, 20000);
	ck_assert_int_eq(w.rec.run_price_u, 6000000);
	ck_assert_int_eq(job_rec_cost_now(&w.rec, 20000 + 300), 3500000);
	job_cost_run_end(&w.job, 20000 + 600);
	ck_assert_int_eq(w.rec.cost_u, 4000000);
	world_fini(&w);
}
END_TEST

START_TEST(test_placement_share_and_reprice)
{
	struct world w;

	world_init(&w);
	run_on(&w, 2, 1000);
	ck_assert_int_eq(w.rec.run_price_u, 0);
	/* The provider chose an offering: until instances are known, each node is half of it. */
	job_set_placement(&w.job, "aws/us-east-1/us-east-1a p4d.24xlarge spot $2.0000/h x2 = $4.0000/h",
			  4000000);
	ck_assert_str_eq(w.rec.placement,
			 "aws/us-east-1/us-east-1a p4d.24xlarge spot $2.0000/h x2 = $4.0000/h");
	ck_assert_int_eq(w.rec.placement_price_u, 4000000);
	ck_assert_int_eq(w.rec.run_price_u, 4000000);
	/* One instance launched at its own (spot) price: the running job is repriced. */
	node_set_cloud(&w.nodes[0], "i-1", "p4d.24xlarge", "us-east-1", "us-east-1a", true, 1500000);
	ck_assert_int_eq(w.rec.run_price_u, 3500000);
	ck_assert_int_eq(job_run_price(&w.job), 3500000);
	job_cost_run_end(&w.job, 1000 + 3600);
	ck_assert_int_eq(w.rec.cost_u, 3500000);
	/* NULL text clears the placement. */
	job_set_placement(&w.job, NULL, 0);
	ck_assert_ptr_null(w.rec.placement);
	world_fini(&w);
}
END_TEST

START_TEST(test_unpriced_after_release)
{
	struct world w;

	world_init(&w);
	node_set_cloud(&w.nodes[0], "i-1", "t", "r", "z", false, 2000000);
	run_on(&w, 1, 1000);
	/* The instance was terminated (info cleared) before the run was charged. */
	node_clear_cloud(&w.nodes[0]);
	ck_assert_int_eq(job_run_price(&w.job), 0);
	job_cost_run_end(&w.job, 1000 + 1800);
	ck_assert_int_eq(w.rec.cost_u, 1000000);
	/* Nodes that never joined (still CONFIGURING, never launched): no charge. */
	run_on(&w, 1, 3000);
	w.rec.launch_acked = false;
	job_cost_run_end(&w.job, 3000 + 600);
	ck_assert_int_eq(w.rec.cost_u, 1000000);
	/* A spot node lost mid-run (cleared, then the job requeued): the other
	 * node's price alone would undercharge the run. */
	node_set_cloud(&w.nodes[0], "i-1", "t", "r", "z", true, 1000000);
	node_set_cloud(&w.nodes[1], "i-2", "t", "r", "z", true, 3000000);
	run_on(&w, 2, 5000);
	ck_assert_int_eq(w.rec.run_price_u, 4000000);
	node_clear_cloud(&w.nodes[1]);
	job_cost_run_end(&w.job, 5000 + 900);
	ck_assert_int_eq(w.rec.cost_u, 2000000);
	world_fini(&w);
}
END_TEST

START_TEST(test_program_provider_price)
{
	struct world w;
	Sky__NodeInfo ni = SKY__NODE_INFO__INIT;
	int64_t total = 0;
	char *text;

	world_init(&w);
	w.cp.type = "program";
	w.opts[0] = (struct conf_pair){ .key = "InstanceType", .val = "m5.large" };
	w.opts[1] = (struct conf_pair){ .key = "Region", .val = "us-east-1" };
	w.opts[2] = (struct conf_pair){ .key = "Zone", .val = "us-east-1b" };
	w.opts[3] = (struct conf_pair){ .key = "Market", .val = "spot" };
	w.opts[4] = (struct conf_pair){ .key = "Price", .val = "0.0960" };
	w.cp.opts = w.opts;
	w.cp.n_opts = 5;
	ck_assert_int_eq(node_price(&w.nodes[0]), 0);
	w.prov.cp = &w.cp;
	ck_assert_int_eq(node_price(&w.nodes[0]), 96000);
	text = program_placement_text(&w.nodes[0], 2, &total);
	ck_assert_str_eq(text, "burst/us-east-1/us-east-1b m5.large spot $0.0960/h x2 = $0.1920/h");
	ck_assert_int_eq(total, 192000);
	free(text);
	/* Powered down: no machine to show; up: the configured one. */
	w.nodes[0].pw.state = NODE_POWER_OFF;
	node_cloud_to_info(&w.nodes[0], &ni);
	ck_assert(!ni.has_price_u);
	w.nodes[0].pw.state = NODE_POWER_ON;
	node_cloud_to_info(&w.nodes[0], &ni);
	ck_assert(ni.has_price_u);
	ck_assert_int_eq(ni.price_u, 96000);
	ck_assert_ptr_null(ni.instance_id);
	ck_assert_str_eq(ni.instance_type, "m5.large");
	ck_assert(ni.spot);
	/* A job on two such slots gets the placement and runs at $0.192/h. */
	run_on(&w, 2, 1000);
	ck_assert_str_eq(w.rec.placement,
			 "burst/us-east-1/us-east-1b m5.large spot $0.0960/h x2 = $0.1920/h");
	ck_assert_int_eq(w.rec.run_price_u, 192000);
	job_cost_run_end(&w.job, 1000 + 600);
	ck_assert_int_eq(w.rec.cost_u, 32000);
	/* An instance recorded by a provider wins over the configured price. */
	node_set_cloud(&w.nodes[0], "i-9", "m5.xlarge", "us-east-1", "us-east-1b", false, 192000);
	ck_assert_int_eq(node_price(&w.nodes[0]), 192000);
	/* Not a program provider: its record's keys are not prices. */
	w.cp.type = "aws";
	ck_assert(program_placement_text(&w.nodes[1], 1, &total) == NULL);
	ck_assert_int_eq(node_price(&w.nodes[1]), 0);
	world_fini(&w);
}
END_TEST

static Suite *cloud_info_suite(void)
{
	Suite *s = suite_create("cloud_info");
	TCase *tc = tcase_create("cloud_info");

	tcase_add_test(tc, test_set_and_clear);
	tcase_add_test(tc, test_cost_of_one_run);
	tcase_add_test(tc, test_requeue_keeps_cost);
	tcase_add_test(tc, test_placement_share_and_reprice);
	tcase_add_test(tc, test_unpriced_after_release);
	tcase_add_test(tc, test_program_provider_price);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(cloud_info_suite());
}
