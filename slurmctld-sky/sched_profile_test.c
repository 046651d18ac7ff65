/*
 * sched_profile_test.c: the backfill profile with worked examples (times in
 * seconds after NOW; nodes of 4 CPUs unless said otherwise).
 */
#include "config.h"

#include "sched_profile.h"
#include "unit.h"

#define NOW ((time_t)1000000)

static const struct prof_window day = { .horizon = NOW + 86400, .resolution = 60 };

/* A need as a pointer, for one-off checks. */
#define NEED(c, m, d) (&(struct prof_need){ .cpus = (c), .mem_mb = (m), .dur = (d) })

static struct prof_need need(uint32_t cpus, uint64_t mem, time_t dur)
{
	return (struct prof_need){ .cpus = cpus, .mem_mb = mem, .dur = dur };
}

/*
 * The example: node 0 is free, node 1 runs a long job until +600.
 * The top job needs both nodes for 300 s: expected at +600 on both. Then a
 * short job (300 s) may take node 0 now, a long one (3600 s) may not, and a
 * job without time limit may not either.
 */
START_TEST(test_top_job_and_backfill)
{
	struct sched_profile p;
	struct prof_need top = need(4, 0, 300), short_job = need(4, 0, 300);
	struct prof_need long_job = need(4, 0, 3600), forever = need(1, 0, PROF_NEVER);
	size_t cand[] = { 0, 1 }, picked[2] = { 9, 9 };
	time_t t;

	prof_init(&p, 2, NOW);
	prof_node_set(&p, 0, 4, 0, 4, 0);
	prof_node_set(&p, 1, 4, 0, 0, 0);
	prof_release(&p, 1, NOW + 600, 4, 0);
	t = prof_earliest(&p, cand, 2, 2, &top, &day, picked);
	ck_assert_int_eq(t, NOW + 600);
	ck_assert_uint_eq(picked[0], 0);
	ck_assert_uint_eq(picked[1], 1);
	prof_hold(&p, 0, t, t + 300, 4, 0);
	prof_hold(&p, 1, t, t + 300, 4, 0);
	ck_assert(prof_fits(&p, 0, NOW, &short_job));
	ck_assert(!prof_fits(&p, 0, NOW, &long_job));
	ck_assert(!prof_fits(&p, 0, NOW, &forever));
	/* Node 1 is busy now whatever the length. */
	ck_assert(!prof_fits(&p, 1, NOW, &short_job));
	/* After the reservation both nodes are free again. */
	ck_assert(prof_fits(&p, 0, NOW + 900, &long_job));
	ck_assert(prof_fits(&p, 1, NOW + 900, &forever));
	/* The short job taken now: the next 4-CPU job of 300 s on node 0 waits until +900. */
	prof_hold(&p, 0, NOW, NOW + 300, 4, 0);
	{
		size_t one[] = { 0 }, got;
		ck_assert_int_eq(prof_earliest(&p, one, 1, 1, &short_job, &day, &got), NOW + 300);
		ck_assert_int_eq(prof_earliest(&p, one, 1, 1, &long_job, &day, &got), NOW + 900);
	}
	prof_fini(&p);
}
END_TEST

/* Partial nodes: CPUs add up; a reservation of 2 of 4 CPUs leaves 2 to backfill. */
START_TEST(test_partial_cpus)
{
	struct sched_profile p;
	struct prof_need two = need(2, 0, 3600), three = need(3, 0, 3600);

	prof_init(&p, 1, NOW);
	prof_node_set(&p, 0, 4, 0, 4, 0);
	prof_hold(&p, 0, NOW + 120, NOW + 720, 2, 0);
	ck_assert(prof_fits(&p, 0, NOW, &two));
	ck_assert(!prof_fits(&p, 0, NOW, &three));
	ck_assert(prof_fits(&p, 0, NOW + 720, &three));
	/* A hold at or before now comes off the free amount now. */
	prof_hold(&p, 0, NOW, NOW + 60, 3, 0);
	ck_assert_int_eq(p.nodes[0].free_cpus, 1);
	ck_assert(!prof_fits(&p, 0, NOW, &two));
	ck_assert(prof_fits(&p, 0, NOW + 60, NEED(2, 0, 60)));
	prof_fini(&p);
}
END_TEST

/* Candidate starts are rounded up to the resolution; nothing past the window. */
START_TEST(test_resolution_and_window)
{
	struct sched_profile p;
	struct prof_need nd = need(4, 0, 60);
	struct prof_window hour = { .horizon = NOW + 3600, .resolution = 60 };
	struct prof_window exact = { .horizon = NOW + 3600, .resolution = 1 };
	size_t cand[] = { 0 }, got;

	prof_init(&p, 1, NOW);
	prof_node_set(&p, 0, 4, 0, 0, 0);
	prof_release(&p, 0, NOW + 61, 4, 0);
	ck_assert_int_eq(prof_earliest(&p, cand, 1, 1, &nd, &hour, &got), NOW + 120);
	ck_assert_int_eq(prof_earliest(&p, cand, 1, 1, &nd, &exact, &got), NOW + 61);
	prof_fini(&p);

	prof_init(&p, 1, NOW);
	prof_node_set(&p, 0, 4, 0, 0, 0);
	prof_release(&p, 0, NOW + 7200, 4, 0);
	ck_assert_int_eq(prof_earliest(&p, cand, 1, 1, &nd, &hour, &got), PROF_NEVER);
	ck_assert_int_eq(prof_earliest(&p, cand, 1, 1, &nd, &day, &got), NOW + 7200);
	/* A running job without time limit never gives its node back. */
	prof_release(&p, 0, PROF_NEVER, 4, 0);
	ck_assert_uint_eq(p.nodes[0].n_ev, 1);
	prof_fini(&p);
}
END_TEST

/*
 * Not one interval: node 0 is reserved for [+100, +200), so a 150 s job can
 * start at +200 but not now; node 1 is free until a reservation for good
 * at +1000. A 2-node 150 s job fits at +200 (both nodes free until +1000).
 */
START_TEST(test_gaps)
{
	struct sched_profile p;
	struct prof_need nd = need(4, 0, 150), longer = need(4, 0, 900);
	size_t cand[] = { 0, 1 }, picked[2];
	struct prof_window exact = { .horizon = NOW + 86400, .resolution = 1 };

	prof_init(&p, 2, NOW);
	prof_node_set(&p, 0, 4, 0, 4, 0);
	prof_node_set(&p, 1, 4, 0, 4, 0);
	prof_hold(&p, 0, NOW + 100, NOW + 200, 4, 0);
	prof_hold(&p, 1, NOW + 1000, PROF_NEVER, 4, 0);
	ck_assert(!prof_fits(&p, 0, NOW, &nd));
	ck_assert(prof_fits(&p, 0, NOW, NEED(4, 0, 100)));
	ck_assert_int_eq(prof_earliest(&p, cand, 2, 2, &nd, &exact, picked), NOW + 200);
	ck_assert_uint_eq(picked[0], 0);
	ck_assert_uint_eq(picked[1], 1);
	/* One node: node 1 can take the 150 s job now (first in the answer). */
	ck_assert_int_eq(prof_earliest(&p, &cand[1], 1, 1, &nd, &exact, picked), NOW);
	/* 900 s on both: node 0 is free from +200, node 1 only until +1000: never together. */
	ck_assert_int_eq(prof_earliest(&p, cand, 2, 2, &longer, &exact, picked), PROF_NEVER);
	/* 900 s on one node: node 1 now (it ends at +900, before +1000). */
	ck_assert_int_eq(prof_earliest(&p, cand, 2, 1, &longer, &exact, picked), NOW);
	ck_assert_uint_eq(picked[0], 1);
	/* 1000 s on node 0 alone: from +200. */
	ck_assert_int_eq(prof_earliest(&p, cand, 1, 1, NEED(4, 0, 1000), &exact, picked),
			 NOW + 200);
	prof_fini(&p);
}
END_TEST

/*
 * The slow path: node 0 is free from +200, node 1 now but reserved for
 * [+250, +400). Two nodes for 150 s: at +200 node 1 would overlap its
 * reservation; at +250 it is taken; at +400 both are free.
 */
START_TEST(test_not_one_interval)
{
	struct sched_profile p;
	struct prof_need nd = need(4, 0, 150);
	size_t cand[] = { 0, 1 }, picked[2];
	struct prof_window exact = { .horizon = NOW + 86400, .resolution = 1 };

	prof_init(&p, 2, NOW);
	prof_node_set(&p, 0, 4, 0, 4, 0);
	prof_node_set(&p, 1, 4, 0, 4, 0);
	prof_hold(&p, 0, NOW + 100, NOW + 200, 4, 0);
	prof_hold(&p, 1, NOW + 250, NOW + 400, 4, 0);
	ck_assert_int_eq(prof_earliest(&p, cand, 2, 2, &nd, &exact, picked), NOW + 400);
	ck_assert_uint_eq(picked[0], 0);
	ck_assert_uint_eq(picked[1], 1);
	/* One node: node 1 right now (done by +150). */
	ck_assert_int_eq(prof_earliest(&p, cand, 2, 1, &nd, &exact, picked), NOW);
	ck_assert_uint_eq(picked[0], 1);
	prof_fini(&p);
}
END_TEST

/* Many candidates (the sort path of the k-th first fit): the 70 earliest of 100. */
START_TEST(test_many_nodes)
{
	struct sched_profile p;
	struct prof_need nd = need(1, 0, 60);
	size_t cand[100], picked[70];

	prof_init(&p, 100, NOW);
	for (size_t i = 0; i < 100; i++) {
		cand[i] = i;
		prof_node_set(&p, i, 1, 0, 0, 0);
		/* node i is free from +60 * (100 - i): the last ones first */
		prof_release(&p, i, NOW + 60 * (time_t)(100 - i), 1, 0);
	}
	ck_assert_int_eq(prof_earliest(&p, cand, 100, 70, &nd, &day, picked), NOW + 60 * 70);
	ck_assert_uint_eq(picked[0], 30);
	ck_assert_uint_eq(picked[69], 99);
	ck_assert_int_eq(prof_earliest(&p, cand, 100, 3, &nd, &day, picked), NOW + 180);
	ck_assert_uint_eq(picked[0], 97);
	prof_fini(&p);
}
END_TEST

/* Memory counts when the node's size is known; whole-node jobs want everything. */
START_TEST(test_memory_and_whole)
{
	struct sched_profile p;
	struct prof_need mem = need(1, 500, 60), whole = { .whole = true, .dur = 60 };
	size_t cand[] = { 0, 1 }, picked[2];

	prof_init(&p, 2, NOW);
	prof_node_set(&p, 0, 4, 1000, 3, 200);
	prof_release(&p, 0, NOW + 300, 1, 800);
	prof_node_set(&p, 1, 4, 0, 3, 0);           /* memory unknown */
	prof_release(&p, 1, NOW + 600, 1, 0);
	ck_assert(!prof_fits(&p, 0, NOW, &mem));
	ck_assert(prof_fits(&p, 0, NOW + 300, &mem));
	ck_assert(prof_fits(&p, 1, NOW, &mem));
	ck_assert(!prof_fits(&p, 0, NOW, &whole));
	ck_assert_int_eq(prof_earliest(&p, cand, 2, 1, &whole, &day, picked), NOW + 300);
	ck_assert_uint_eq(picked[0], 0);
	ck_assert_int_eq(prof_earliest(&p, cand, 2, 2, &whole, &day, picked), NOW + 600);
	/* Fewer candidates than nodes needed: never. */
	ck_assert_int_eq(prof_earliest(&p, cand, 1, 2, &whole, &day, picked), PROF_NEVER);
	prof_fini(&p);
}
END_TEST

/* Events at the same time merge; out-of-order inserts stay sorted. */
START_TEST(test_event_order)
{
	struct sched_profile p;

	prof_init(&p, 1, NOW);
	prof_node_set(&p, 0, 8, 0, 0, 0);
	prof_release(&p, 0, NOW + 300, 2, 0);
	prof_release(&p, 0, NOW + 100, 2, 0);
	prof_release(&p, 0, NOW + 300, 2, 0);
	prof_release(&p, 0, NOW + 200, 2, 0);
	ck_assert_uint_eq(p.nodes[0].n_ev, 3);
	ck_assert_int_eq(p.nodes[0].ev[0].t, NOW + 100);
	ck_assert_int_eq(p.nodes[0].ev[1].t, NOW + 200);
	ck_assert_int_eq(p.nodes[0].ev[2].t, NOW + 300);
	ck_assert_int_eq(p.nodes[0].ev[2].cpus, 4);
	ck_assert(prof_fits(&p, 0, NOW + 300, NEED(8, 0, PROF_NEVER)));
	ck_assert(!prof_fits(&p, 0, NOW + 299, NEED(8, 0, 1)));
	prof_fini(&p);
}
END_TEST

static Suite *profile_suite(void)
{
	Suite *s = suite_create("sched_profile");
	TCase *tc = tcase_create("sched_profile");

	tcase_add_test(tc, test_top_job_and_backfill);
	tcase_add_test(tc, test_partial_cpus);
	tcase_add_test(tc, test_resolution_and_window);
	tcase_add_test(tc, test_gaps);
	tcase_add_test(tc, test_not_one_interval);
	tcase_add_test(tc, test_many_nodes);
	tcase_add_test(tc, test_memory_and_whole);
	tcase_add_test(tc, test_event_order);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(profile_suite());
}
