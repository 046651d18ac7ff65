/* gres_alloc_test.c: device indices, typed/untyped matching and the submit check of gres_alloc.c. */
#include "config.h"

#include "ctld.h"
#include "gres.h"
#include "gres_alloc.h"
#include "unit.h"

/* The one node_table.c function gres_alloc.c uses; the test builds its nodes by hand. */
bool node_name_in(char **v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], name) == 0)
			return true;
	return false;
}

#define N_NODES 2
#define MAX_JOBS 8

struct world {
	struct ctld c;
	struct node nodes[N_NODES];
	struct node *part_nodes[N_NODES];
	struct partition part;
	struct job jobs[MAX_JOBS];
	Sky__JobRecord recs[MAX_JOBS];
	Sky__JobDesc descs[MAX_JOBS];
	struct job_alloc allocs[MAX_JOBS][N_NODES];
	size_t n_jobs;
};

static void world_init(struct world *w, const char *gres1, const char *gres2)
{
	static char *names[N_NODES] = { "n1", "n2" };
	const char *gres[N_NODES] = { gres1, gres2 };

	memset(w, 0, sizeof(*w));
	for (int i = 0; i < N_NODES; i++) {
		w->nodes[i].name = names[i];
		w->nodes[i].gres = (char *)gres[i];
		w->nodes[i].registered = true;
		w->part_nodes[i] = &w->nodes[i];
	}
	w->c.nodes.nodes = w->nodes;
	w->c.nodes.count = N_NODES;
	w->part.name = "p";
	w->part.nodes = w->part_nodes;
	w->part.n_nodes = N_NODES;
}

/* What job_start does for the index of holders (job_queue.h) gres_alloc reads. */
static void hold(struct world *w, struct job *j)
{
	struct job_table *t = &w->c.jobs;

	if (!t->holders) {
		t->node_base = w->nodes;
		t->n_holders = N_NODES;
		t->holders = xcalloc(N_NODES, sizeof(*t->holders));
	}
	for (size_t i = 0; i < j->n_alloc; i++) {
		struct job_holders *h = &t->holders[j->alloc[i].node - w->nodes];
		h->v = xrealloc(h->v, (h->n + 1) * sizeof(*h->v));
		h->v[h->n++] = j;
	}
}

/* A job asking what d says; started on the first n nodes when start. */
static struct job *add_job(struct world *w, Sky__JobDesc d, uint32_t nodes, uint32_t tasks)
{
	size_t k = w->n_jobs++;
	struct job *j = &w->jobs[k];

	ck_assert_uint_lt(k, MAX_JOBS);
	w->descs[k] = d;
	sky__job_record__init(&w->recs[k]);
	w->recs[k].job_id = (uint32_t)k + 1;
	w->recs[k].desc = &w->descs[k];
	w->recs[k].num_nodes = nodes;
	w->recs[k].num_tasks = tasks;
	j->rec = &w->recs[k];
	if (k)
		w->jobs[k - 1].next = j;
	else
		w->c.jobs.head = j;
	w->c.jobs.tail = j;
	w->c.jobs.count = k + 1;
	return j;
}

static void start(struct world *w, struct job *j, uint32_t nodes)
{
	size_t k = (size_t)(j - w->jobs);

	for (uint32_t i = 0; i < nodes; i++)
		w->allocs[k][i].node = &w->nodes[i];
	j->alloc = w->allocs[k];
	j->n_alloc = nodes;
	hold(w, j);
	gres_alloc_start(&w->c, j);
}

static Sky__JobDesc gres_desc(const char *gres, const char *gpus, const char *gpt)
{
	Sky__JobDesc d = SKY__JOB_DESC__INIT;

	d.gres = (char *)gres;
	d.gpus = (char *)gpus;
	d.gpus_per_task = (char *)gpt;
	return d;
}

static void assert_held(const struct job *j, const char *node, const char *want)
{
	char *s = gres_job_alloc_str(j->rec, node);

	ck_assert_msg(s && strcmp(s, want) == 0, "job %u on %s holds '%s', want '%s'",
		      j->rec->job_id, node, s ? s : "(null)", want);
	free(s);
}

static void assert_used(struct world *w, int node, const char *want)
{
	char *s = gres_alloc_node_used(&w->c, &w->nodes[node]);

	ck_assert_msg(s && strcmp(s, want) == 0, "node used '%s', want '%s'", s ? s : "(null)", want);
	free(s);
}

static void world_fini(struct world *w)
{
	for (size_t k = 0; k < w->n_jobs; k++) {
		for (size_t i = 0; i < w->recs[k].n_gres_alloc; i++)
			sky__gres_alloc__free_unpacked(w->recs[k].gres_alloc[i], NULL);
		free(w->recs[k].gres_alloc);
	}
	for (size_t k = 0; k < w->c.jobs.n_holders; k++)
		free(w->c.jobs.holders[k].v);
	free(w->c.jobs.holders);
}

START_TEST(test_typed_untyped_indices)
{
	struct world w;
	struct job *a, *b, *c, *d;

	world_init(&w, "gpu:a100:4,gpu:v100:4", "gpu:a100:4,gpu:v100:4");
	a = add_job(&w, gres_desc("gpu:v100:2", NULL, NULL), 1, 1);
	ck_assert(gres_alloc_fits(&w.c, &w.nodes[0], a));
	start(&w, a, 1);
	assert_held(a, "n1", "gpu:v100:2(IDX:4-5)");
	/* untyped: lowest free indices, whatever their type */
	b = add_job(&w, gres_desc("gpu:5", NULL, NULL), 1, 1);
	ck_assert(gres_alloc_fits(&w.c, &w.nodes[0], b));
	start(&w, b, 1);
	assert_held(b, "n1", "gpu:a100:4(IDX:0-3),gpu:v100:1(IDX:6)");
	assert_used(&w, 0, "gpu:a100:4(IDX:0-3),gpu:v100:3(IDX:4-6)");
	/* one V100 left on n1: an A100 or a 2-GPU job does not fit there */
	c = add_job(&w, gres_desc("gpu:a100:1", NULL, NULL), 1, 1);
	ck_assert(!gres_alloc_fits(&w.c, &w.nodes[0], c));
	ck_assert(gres_alloc_fits(&w.c, &w.nodes[1], c));
	d = add_job(&w, gres_desc("gpu:v100:1", NULL, NULL), 1, 1);
	ck_assert(gres_alloc_fits(&w.c, &w.nodes[0], d));
	/* a job that ended (resources released) holds nothing */
	b->n_alloc = 0;
	assert_used(&w, 0, "gpu:a100:0(IDX:N/A),gpu:v100:2(IDX:4-5)");
	ck_assert(gres_alloc_fits(&w.c, &w.nodes[0], c));
	/* a job without GRES always fits */
	ck_assert(gres_alloc_fits(&w.c, &w.nodes[0], add_job(&w, gres_desc(NULL, NULL, NULL), 1, 1)));
	world_fini(&w);
}
END_TEST

START_TEST(test_spread_and_per_task)
{
	struct world w;
	struct job *a, *b;

	world_init(&w, "gpu:8", "gpu:8");
	/* -G 5 over 2 nodes: 3 + 2, every node checked for the fuller share */
	a = add_job(&w, gres_desc(NULL, "5", NULL), 2, 2);
	start(&w, a, 2);
	assert_held(a, "n1", "gpu:3(IDX:0-2)");
	assert_held(a, "n2", "gpu:2(IDX:0-1)");
	/* --gpus-per-task=2 with 3 tasks on one node: 6 */
	b = add_job(&w, gres_desc(NULL, NULL, "2"), 1, 3);
	ck_assert(!gres_alloc_fits(&w.c, &w.nodes[0], b));   /* 5 free */
	ck_assert(gres_alloc_fits(&w.c, &w.nodes[1], b));    /* 6 free */
	w.allocs[1][0].node = &w.nodes[1];
	b->alloc = w.allocs[1];
	b->n_alloc = 1;
	hold(&w, b);
	gres_alloc_start(&w.c, b);
	assert_held(b, "n2", "gpu:6(IDX:2-7)");
	world_fini(&w);
}
END_TEST

START_TEST(test_counts_and_shared)
{
	struct world w;
	struct job *a, *b, *c;

	world_init(&w, "gpu:2,mps:200,bw:no_consume:4G", "gpu:2");
	a = add_job(&w, gres_desc("mps:150", NULL, NULL), 1, 1);
	start(&w, a, 1);
	assert_held(a, "n1", "mps:150(IDX:N/A)");
	b = add_job(&w, gres_desc("mps:100", NULL, NULL), 1, 1);
	ck_assert(!gres_alloc_fits(&w.c, &w.nodes[0], b));
	c = add_job(&w, gres_desc("bw:3G,gpu:2", NULL, NULL), 1, 1);
	ck_assert(gres_alloc_fits(&w.c, &w.nodes[0], c));
	start(&w, c, 1);
	ck_assert(gres_alloc_fits(&w.c, &w.nodes[0], add_job(&w, gres_desc("bw:4G", NULL, NULL), 1, 1)));
	ck_assert(!gres_alloc_fits(&w.c, &w.nodes[1], c));   /* n2 has no bw at all */
	assert_used(&w, 0, "gpu:2(IDX:0-1),mps:150(IDX:N/A),bw:0(IDX:N/A)");
	world_fini(&w);
}
END_TEST

static int validate(struct world *w, Sky__JobDesc d, uint32_t nodes, uint32_t tasks,
		    struct sky_errbuf *eb)
{
	sky_err_clear(eb);
	return gres_alloc_validate(&w->c, &w->part, &d, nodes, tasks, NULL, 0, eb);
}

START_TEST(test_validate)
{
	struct world w;
	struct sky_errbuf eb;
	char *exc[] = { "n2" };

	world_init(&w, "gpu:a100:8", "gpu:v100:4");
	ck_assert_ok(validate(&w, gres_desc("gpu:a100:8", NULL, NULL), 1, 1, &eb), &eb);
	ck_assert_ok(validate(&w, gres_desc("gpu:4", NULL, NULL), 2, 2, &eb), &eb);
	ck_assert_int_eq(validate(&w, gres_desc("gpu:5", NULL, NULL), 2, 2, &eb), SKY_E_INVALID_GRES);
	ck_assert_str_eq(eb.msg, "Invalid generic resource (gres) specification");
	ck_assert_int_eq(validate(&w, gres_desc("gpu:h100:1", NULL, NULL), 1, 1, &eb), SKY_E_INVALID_GRES);
	ck_assert_int_eq(validate(&w, gres_desc("nic:1", NULL, NULL), 1, 1, &eb), SKY_E_INVALID_GRES);
	ck_assert_int_eq(validate(&w, gres_desc("gpu:a100:1", "1", NULL), 1, 1, &eb), SKY_E_INVALID_GRES);
	ck_assert_str_eq(eb.msg, GRES_MSG_TYPE_MIX);
	/* -x leaves too few nodes */
	sky_err_clear(&eb);
	ck_assert_int_eq(gres_alloc_validate(&w.c, &w.part, &(Sky__JobDesc)SKY__JOB_DESC__INIT, 1, 1,
					     exc, 1, &eb), 0);
	{
		Sky__JobDesc d = gres_desc("gpu:v100:1", NULL, NULL);
		ck_assert_int_eq(gres_alloc_validate(&w.c, &w.part, &d, 1, 1, exc, 1, &eb),
				 SKY_E_INVALID_GRES);
	}
	/* a node that has not registered yet (no Gres= in the config) may have anything */
	w.nodes[1].gres = NULL;
	w.nodes[1].registered = false;
	ck_assert_ok(validate(&w, gres_desc("gpu:h100:1", NULL, NULL), 1, 1, &eb), &eb);
	world_fini(&w);
}
END_TEST

static Suite *gres_alloc_suite(void)
{
	Suite *s = suite_create("gres_alloc");
	TCase *tc = tcase_create("gres_alloc");

	tcase_add_test(tc, test_typed_untyped_indices);
	tcase_add_test(tc, test_spread_and_per_task);
	tcase_add_test(tc, test_counts_and_shared);
	tcase_add_test(tc, test_validate);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(gres_alloc_suite());
}
