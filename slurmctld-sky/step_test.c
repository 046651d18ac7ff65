/* step_test.c: step layout, planning against an allocation, completion (job_step.h). */
#include "config.h"

#include <sys/wait.h>

#include "job_step.h"
#include "unit.h"

/* job_step.c reads only the record: the rest of struct job stays zero. */
static struct job *job_new_test(Sky__JobRecord *r)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->rec = r;
	return j;
}

static void job_free_test(struct job *j)
{
	sky__job_record__free_unpacked(j->rec, NULL);
	free(j);
}

/* A running job on node_list with cpn CPUs per node. Caller frees with job_free_test(). */
static struct job *running_job(const char *node_list, uint32_t nodes, uint32_t cpn)
{
	Sky__JobRecord *r = xmalloc(sizeof(*r));
	Sky__JobDesc *d = xmalloc(sizeof(*d));

	sky__job_record__init(r);
	sky__job_desc__init(d);
	r->desc = d;
	r->job_id = 7;
	r->state = SKY__JOB_STATE__JOB_RUNNING;
	r->node_list = xstrdup(node_list);
	r->num_nodes = nodes;
	r->cpus_per_node = cpn;
	return job_new_test(r);
}

static Sky__StepCreateRequest *request(uint32_t nodes, uint32_t tasks, uint32_t tpn, uint32_t cpt)
{
	static char *argv[] = { "/bin/hostname", "-s" };
	Sky__StepCreateRequest *rq = xmalloc(sizeof(*rq));

	sky__step_create_request__init(rq);
	rq->job_id = 7;
	rq->num_nodes = nodes;
	rq->num_tasks = tasks;
	rq->ntasks_per_node = tpn;
	rq->cpus_per_task = cpt;
	rq->n_argv = 2;
	rq->argv = argv;
	return rq;
}

START_TEST(test_layout_blocks)
{
	struct sky_errbuf eb;
	uint32_t *v = NULL;

	sky_err_clear(&eb);
	ck_assert_int_eq(step_layout(2, 5, 0, &v, &eb), 0);
	ck_assert_uint_eq(v[0], 3);
	ck_assert_uint_eq(v[1], 2);
	free(v);
	ck_assert_int_eq(step_layout(3, 3, 1, &v, &eb), 0);
	ck_assert_uint_eq(v[2], 1);
	free(v);
	ck_assert_int_eq(step_layout(2, 5, 2, &v, &eb), SKY_E_TOO_MANY_PROCS);
	ck_assert_ptr_null(v);
}
END_TEST

START_TEST(test_plan_defaults_and_names)
{
	struct job *j = running_job("node[1-2]", 2, 4);
	Sky__StepCreateRequest *rq = request(0, 0, 0, 0);
	Sky__StepRecord *st = NULL;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	/* No -N/-n: one task on each node of the allocation. */
	ck_assert_int_eq(step_plan(j, rq, &st, &eb), 0);
	ck_assert_str_eq(st->node_list, "node[1-2]");
	ck_assert_uint_eq(st->num_tasks, 2);
	ck_assert_str_eq(st->name, "hostname");
	ck_assert_str_eq(st->command, "/bin/hostname -s");
	step_add(j, st, 100);
	ck_assert_uint_eq(st->step_id, 0);
	/* -n1: one node is enough; the next step gets id 1. */
	rq->num_tasks = 1;
	ck_assert_int_eq(step_plan(j, rq, &st, &eb), 0);
	ck_assert_str_eq(st->node_list, "node1");
	ck_assert_uint_eq(st->num_nodes, 1);
	step_add(j, st, 100);
	ck_assert_uint_eq(st->step_id, 1);
	ck_assert_ptr_eq(step_find(j, 1), st);
	ck_assert_ptr_null(step_find(j, 2));
	/* -w node2 -n3 */
	rq->num_tasks = 3;
	rq->node_list = "node2";
	rq->num_nodes = 1;
	ck_assert_int_eq(step_plan(j, rq, &st, &eb), 0);
	ck_assert_str_eq(st->node_list, "node2");
	ck_assert_uint_eq(st->tasks_per_node[0], 3);
	sky__step_record__free_unpacked(st, NULL);
	free(rq);
	job_free_test(j);
}
END_TEST

START_TEST(test_plan_errors_are_slurms)
{
	struct job *j = running_job("node[1-2]", 2, 2);
	Sky__StepCreateRequest *rq = request(3, 0, 0, 0);
	Sky__StepRecord *st = NULL;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	ck_assert_int_eq(step_plan(j, rq, &st, &eb), SKY_E_NODE_COUNT);
	ck_assert_str_eq(eb.msg, "Only allocated 2 nodes asked for 3");
	sky_err_clear(&eb);
	rq->num_nodes = 0;
	rq->num_tasks = 5;
	ck_assert_int_eq(step_plan(j, rq, &st, &eb), SKY_E_TOO_MANY_PROCS);
	ck_assert_str_eq(eb.msg, "More processors requested than permitted");
	sky_err_clear(&eb);
	rq->num_tasks = 2;
	rq->cpus_per_task = 2;
	ck_assert_int_eq(step_plan(j, rq, &st, &eb), 0);   /* 1 task x 2 cpus per node */
	sky__step_record__free_unpacked(st, NULL);
	st = NULL;
	sky_err_clear(&eb);
	rq->cpus_per_task = 0;
	rq->node_list = "node9";
	ck_assert_int_eq(step_plan(j, rq, &st, &eb), SKY_E_NODE_CONFIG);
	ck_assert_ptr_null(st);
	free(rq);
	job_free_test(j);
}
END_TEST

START_TEST(test_complete_needs_every_node)
{
	struct job *j = running_job("node[1-2]", 2, 4);
	Sky__StepCreateRequest *rq = request(2, 4, 0, 0);
	Sky__StepComplete sc = SKY__STEP_COMPLETE__INIT;
	Sky__StepRecord *st = NULL;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	ck_assert_int_eq(step_plan(j, rq, &st, &eb), 0);
	step_add(j, st, 100);
	sc.job_id = 7;
	sc.has_state = sc.has_exit_status = true;
	sc.state = SKY__JOB_STATE__JOB_FAILED;
	sc.exit_status = 3 << 8;
	ck_assert(step_apply_complete(j, st, &sc, 110));
	ck_assert(step_is_running(st));
	sc.state = SKY__JOB_STATE__JOB_COMPLETE;
	sc.exit_status = 0;
	ck_assert(step_apply_complete(j, st, &sc, 111));
	ck_assert(!step_is_running(st));
	ck_assert_int_eq(st->state, SKY__JOB_STATE__JOB_FAILED);
	ck_assert_int_eq(WEXITSTATUS(st->exit_status), 3);
	ck_assert_uint_eq(st->end_time, 111);
	ck_assert(!step_apply_complete(j, st, &sc, 112));   /* duplicates change nothing */
	free(rq);
	job_free_test(j);
}
END_TEST

START_TEST(test_job_end_cancels_running_steps)
{
	struct job *j = running_job("node1", 1, 4);
	Sky__StepCreateRequest *rq = request(0, 0, 0, 0);
	Sky__StepRecord *st = NULL;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	ck_assert_int_eq(step_plan(j, rq, &st, &eb), 0);
	step_add(j, st, 100);
	j->rec->end_time = 150;
	ck_assert_uint_eq(step_job_ended(j), 1);
	ck_assert_int_eq(st->state, SKY__JOB_STATE__JOB_CANCELLED);
	ck_assert_uint_eq(st->end_time, 150);
	ck_assert_uint_eq(step_job_ended(j), 0);
	free(rq);
	job_free_test(j);
}
END_TEST

START_TEST(test_steps_wait_for_busy_cpus)
{
	struct job *j = running_job("node[1-2]", 2, 1);
	Sky__StepCreateRequest *rq = request(0, 1, 0, 0);
	Sky__StepRecord *a = NULL, *b = NULL, *c = NULL;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	ck_assert_int_eq(step_plan(j, rq, &a, &eb), 0);
	step_add(j, a, 100);
	ck_assert_str_eq(a->node_list, "node1");
	/* node1's only CPU is taken: the next one-task step goes to node2. */
	ck_assert_int_eq(step_plan(j, rq, &b, &eb), 0);
	step_add(j, b, 100);
	ck_assert_str_eq(b->node_list, "node2");
	ck_assert_int_eq(step_plan(j, rq, &c, &eb), SKY_E_DISABLED);
	ck_assert_str_eq(eb.msg, "Requested nodes are busy");
	/* --overlap shares the CPUs; an ended step gives them back. */
	sky_err_clear(&eb);
	rq->overlap = true;
	ck_assert_int_eq(step_plan(j, rq, &c, &eb), 0);
	ck_assert(c->overlap);
	sky__step_record__free_unpacked(c, NULL);
	rq->overlap = false;
	a->state = SKY__JOB_STATE__JOB_COMPLETE;
	ck_assert_int_eq(step_plan(j, rq, &c, &eb), 0);
	ck_assert_str_eq(c->node_list, "node1");
	sky__step_record__free_unpacked(c, NULL);
	free(rq);
	job_free_test(j);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("job_step");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_layout_blocks);
	tcase_add_test(tc, test_plan_defaults_and_names);
	tcase_add_test(tc, test_plan_errors_are_slurms);
	tcase_add_test(tc, test_complete_needs_every_node);
	tcase_add_test(tc, test_job_end_cancels_running_steps);
	tcase_add_test(tc, test_steps_wait_for_busy_cpus);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
