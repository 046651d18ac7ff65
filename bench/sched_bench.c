/*
 * bench/sched_bench.c: one scheduling cycle of the controller (priority
 * computation, main pass, backfill) on a simulated cluster, timed.
 *
 *   bench/sched_bench [-n NODES] [-j N[,N...]] [-g GPU_PCT] [-r REPEAT]
 *                     [-t BF_MAX_JOB_TEST] [-v] [-o FILE]
 *
 * For each N it builds an in-memory controller from the real objects
 * (configuration, node and partition tables, LMDB store in a temp dir,
 * fair-share tree with 100 accounts and 1,000 users under multifactor
 * priority with Fair Tree), marks every node up (no agents: job_launch is
 * the stub below), queues N pending jobs of mixed sizes (1-32 CPUs, 1-8
 * nodes, 10% with a GPU, time limits 10 min to 1 day, some accounts with
 * MaxJobs limits), then:
 *   fill:   the first cycle, which fills the empty cluster (and commits
 *           every job it starts to LMDB);
 *   steady: 2% of the running jobs end, then one cycle: priorities
 *           recomputed (usage was charged), main pass over N pending jobs,
 *           backfill pass.
 * It prints the time of each and, for steady, microseconds per pending job
 * so growth in N can be read off (bench/README.md, "Scheduling cycle").
 * -o FILE writes every job's outcome to FILE.N, to check that an
 * optimisation schedules exactly as before (README: run both builds with a
 * frozen clock).
 */
#include "config.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "assoc.h"
#include "ctld.h"
#include "fs_ctld.h"
#include "job_launch.h"
#include "log.h"
#include "power_save.h"
#include "provider.h"
#include "sched_fifo.h"
#include "xalloc.h"

#define N_ACCOUNTS 100
#define N_USERS 1000

struct bench_opts {
	uint32_t nodes;             /* -n */
	uint32_t max_test;          /* -t: bf_max_job_test */
	uint32_t repeat;            /* -r: cycles to average */
	uint32_t gpu_pct;           /* -g: percent of the jobs asking for a GPU */
	bool verbose;               /* -v: reasons of the pending jobs */
	const char *dump;           /* -o: every job's outcome, to FILE.N */
};

/* No agents: the launch "succeeds" without sending anything. */
int job_launch(struct ctld *c, struct job *j, struct sky_errbuf *eb)
{
	(void)c;
	(void)j;
	(void)eb;
	return 0;
}

static double clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

/* The machine may be shared: CPU time is what the cycle itself costs. */
static double cpu_ms(void)
{
	return clock_ms(CLOCK_PROCESS_CPUTIME_ID);
}

/* A fixed pseudo-random sequence, so every run queues the same jobs. */
static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

static char *conf_text(const char *dir, uint32_t nodes, uint32_t max_job_test)
{
	uint32_t gpu = nodes / 10;

	return xasprintf(
		"ClusterName=bench\nStateSaveLocation=%s\nSlurmctldLogFile=/dev/null\n"
		"MaxJobCount=2000000\nGresTypes=gpu\n"
		"SchedulerParameters=bf_max_job_test=%u,bf_interval=1\n"
		"PriorityType=priority/multifactor\nPriorityWeightFairshare=100000\n"
		"PriorityWeightAge=1000\nPriorityWeightJobSize=1000\nPriorityMaxAge=1-0\n"
		"AccountingStorageEnforce=associations,limits\n"
		"NodeName=c[%05u-%05u] CPUs=32 RealMemory=128000\n"
		"NodeName=g[%05u-%05u] CPUs=32 RealMemory=256000 Gres=gpu:4\n"
		"PartitionName=batch Nodes=ALL Default=YES MaxTime=2-0 DefaultTime=1:00:00 "
		"State=UP\n",
		dir, max_job_test, 1u, nodes - gpu, 1u, gpu);
}

/* 100 accounts under root, 10 users each; every 10th account has MaxJobs=20. */
static void add_assocs(struct ctld *c)
{
	struct assoc_tree *t = c->fs->tree;
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	for (int a = 0; a < N_ACCOUNTS; a++) {
		char acct[32];
		struct assoc *as;

		snprintf(acct, sizeof(acct), "acct%03d", a);
		if (assoc_add_account(t, acct, NULL, 1 + (uint32_t)(a % 5), &as, &eb))
			fatal("add account %s: %s", acct, sky_err_msg(&eb));
		if (a % 10 == 9)
			as->lim.max_jobs = 20;
		for (int u = 0; u < N_USERS / N_ACCOUNTS; u++) {
			char user[32];
			snprintf(user, sizeof(user), "user%04d", a * (N_USERS / N_ACCOUNTS) + u);
			if (assoc_add_user(t, acct, user, NULL, 1, NULL, &eb))
				fatal("add user %s: %s", user, sky_err_msg(&eb));
		}
	}
}

/* Every node registered and up, as if its agent had linked. */
static void nodes_up(struct ctld *c, time_t now)
{
	static char fake_link;

	for (size_t i = 0; i < c->nodes.count; i++) {
		struct node *n = &c->nodes.nodes[i];
		n->registered = true;
		n->not_responding = false;
		n->link = (struct conn *)&fake_link;
		n->last_heard = now;
		n->pw.state = NODE_POWER_ON;
	}
}

static void queue_job(struct ctld *c, uint32_t id, uint64_t *seed, time_t now, uint32_t gpu_pct)
{
	static const uint32_t limits[] = { 10, 30, 60, 120, 240, 720, 1440 };
	Sky__JobRecord *r = xcalloc(1, sizeof(*r));
	Sky__JobDesc *d = xcalloc(1, sizeof(*d));
	uint32_t user = rnd(seed) % N_USERS, x = rnd(seed) % 100;
	uint32_t nodes = x < 80 ? 1 : x < 95 ? 2 : 8;
	uint32_t cpus = 1u << (rnd(seed) % 6);     /* 1..32 per node */
	struct assoc *a;
	char name[32];

	sky__job_record__init(r);
	sky__job_desc__init(d);
	r->desc = d;
	snprintf(name, sizeof(name), "user%04u", user);
	d->name = xstrdup("bench");
	d->account = xasprintf("acct%03u", user / (N_USERS / N_ACCOUNTS));
	if (rnd(seed) % 100 < gpu_pct)
		d->gres = xstrdup("gpu:1");
	r->job_id = id;
	r->user_id = 10000 + user;
	r->user_name = xstrdup(name);
	r->state = SKY__JOB_STATE__JOB_PENDING;
	r->has_flags = true;
	r->reason = xstrdup(REASON_NONE);
	r->has_submit_time = r->has_eligible_time = true;
	r->submit_time = r->eligible_time = (uint64_t)(now - 3600 + id % 3600);
	r->has_time_limit_min = true;
	r->time_limit_min = limits[rnd(seed) % (sizeof(limits) / sizeof(limits[0]))];
	r->partition = xstrdup("batch");
	r->has_num_nodes = r->has_num_cpus = r->has_num_tasks = true;
	r->num_nodes = nodes;
	r->num_tasks = nodes * cpus;
	r->num_cpus = nodes * cpus;
	r->has_cpus_per_node = r->has_mem_per_node_mb = true;
	r->cpus_per_node = cpus;
	r->mem_per_node_mb = 1000ull * cpus;
	r->has_priority = true;
	r->priority = job_initial_priority(r);
	a = assoc_find_for_job(c->fs->tree, d->account, name, "batch");
	r->has_assoc_id = a != NULL;
	r->assoc_id = a ? a->id : 0;
	job_insert(&c->jobs, job_new(r));
}

static void open_world(struct ctld *c, const char *dir, uint32_t nodes, uint32_t max_test)
{
	struct sky_errbuf eb;
	char *text = conf_text(dir, nodes, max_test);

	memset(c, 0, sizeof(*c));
	c->lock_fd = -1;
	sky_err_clear(&eb);
	if (conf_load_string(text, "bench.conf", &c->conf, &eb) ||
	    store_open(dir, 0, &c->store, &eb) || node_table_build(&c->nodes, c->conf, &eb) ||
	    part_table_build(&c->parts, c->conf, &c->nodes, &eb) || providers_start(c, &eb) ||
	    power_save_init(c, &eb))
		fatal("bench setup: %s", sky_err_msg(&eb));
	free(text);
	c->limits.max_job_count = c->conf->max_job_count;
	c->boot_time = time(NULL);
	job_table_init(&c->jobs);
	if (fs_ctld_init(c, &eb))
		fatal("fair share: %s", sky_err_msg(&eb));
	c->base = event_base_new();
	if (!c->base || sched_init(c))
		fatal("scheduler init failed");
}

static void close_world(struct ctld *c)
{
	sched_fini(c);
	job_table_fini(&c->jobs);
	power_save_fini(c);
	fs_ctld_fini(c);
	providers_stop(c);
	part_table_fini(&c->parts);
	node_table_fini(&c->nodes);
	store_close(c->store);
	event_base_free(c->base);
	conf_free(c->conf);
}

/* End every 50th running job, so the cycle has room to fill. */
static size_t end_some(struct ctld *c, time_t now)
{
	struct job *j;
	size_t k = 0, ended = 0;

	JOB_FOREACH(&c->jobs, j)
		if (job_is_running(j) && k++ % 50 == 0) {
			job_end(c, j, SKY__JOB_STATE__JOB_COMPLETE, now);
			ended++;
		}
	return ended;
}

static size_t count_running(struct ctld *c)
{
	struct job *j;
	size_t n = 0;

	JOB_FOREACH(&c->jobs, j)
		n += job_is_running(j);
	return n;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* -v: how many pending jobs wait for each reason (to check the set-up). */
static void print_reasons(struct ctld *c)
{
	struct { const char *r; size_t n; } v[32];
	size_t nv = 0;
	struct job *j;

	JOB_FOREACH(&c->jobs, j) {
		const char *r = job_is_pending(j) && j->rec->reason ? j->rec->reason : NULL;
		size_t k;
		if (!r)
			continue;
		for (k = 0; k < nv && strcmp(v[k].r, r) != 0; k++)
			;
		if (k == nv && nv < 32)
			v[nv++].r = r, v[k].n = 0;
		if (k < nv)
			v[k].n++;
	}
	for (size_t k = 0; k < nv; k++)
		fprintf(stderr, "  %-28s %zu\n", v[k].r, v[k].n);
}

/*
 * -o: one line per job after the cycles (state, reason, nodes, start and
 * GRES held; times relative to the last cycle's), so two builds can be
 * checked to schedule identically.
 */
static void dump_jobs(struct ctld *c, const char *prefix, uint32_t n_jobs, time_t now)
{
	char *path = xasprintf("%s.%u", prefix, n_jobs);
	FILE *f = fopen(path, "w");
	struct job *j;

	if (!f)
		fatal("cannot write %s", path);
	JOB_FOREACH(&c->jobs, j) {
		const Sky__JobRecord *r = j->rec;
		fprintf(f, "%u %d %s %s %lld", r->job_id, (int)r->state, r->reason ? r->reason : "-",
			r->node_list ? r->node_list : "-",
			r->start_time ? (long long)r->start_time - (long long)now : 0LL);
		for (size_t k = 0; k < r->n_gres_alloc; k++)
			fprintf(f, " %s:%s:%s", r->gres_alloc[k]->node, r->gres_alloc[k]->name,
				r->gres_alloc[k]->indices ? r->gres_alloc[k]->indices : "-");
		fputc('\n', f);
	}
	fclose(f);
	free(path);
}

/*
 * The cluster as a busy one looks: every node runs one whole-node job that
 * started up to its time limit ago (so their ends spread over the next day).
 */
static void fill_cluster(struct ctld *c, uint32_t first_id, uint64_t *seed, time_t now)
{
	for (size_t i = 0; i < c->nodes.count; i++) {
		struct node *n = &c->nodes.nodes[i];
		struct job *j;
		struct job_alloc a = { .node = n, .cpus = node_cpus(n), .mem_mb = 0 };

		queue_job(c, first_id + (uint32_t)i, seed, now, 0);
		j = job_find(&c->jobs, first_id + (uint32_t)i);
		j->rec->num_nodes = 1;
		j->rec->cpus_per_node = j->rec->num_cpus = node_cpus(n);
		j->rec->mem_per_node_mb = 0;
		FREE_NULL(j->rec->desc->gres);
		job_start(c, j, &a, 1, now);
		j->rec->start_time = (uint64_t)(now - (time_t)(rnd(seed) %
					(j->rec->time_limit_min * 60)));
	}
}

static int run_one(const struct bench_opts *o, uint32_t n_jobs, double *cycle_ms)
{
	char dir[] = "/tmp/sky-sched-bench-XXXXXX";
	struct ctld c;
	uint64_t seed = 42;
	time_t now = time(NULL);
	double t0, c0, t_prio, t_cycle, c_cycle;
	size_t running, ended, started;

	if (!mkdtemp(dir))
		fatal("mkdtemp failed");
	open_world(&c, dir, o->nodes, o->max_test);
	add_assocs(&c);
	nodes_up(&c, now);
	for (uint32_t i = 1; i <= n_jobs; i++)
		queue_job(&c, i, &seed, now, o->gpu_pct);
	fill_cluster(&c, n_jobs + 1, &seed, now);
	t0 = now_ms();
	fs_ctld_refresh(&c, now);
	t_prio = now_ms() - t0;
	/* Some jobs end: the cycle has nodes to fill, by priority then by backfill.
	 * Repeated cycles: a second apart, so each one runs the backfill pass. */
	t_cycle = c_cycle = 0;
	ended = started = 0;
	for (uint32_t r = 0; r < o->repeat; r++) {
		if (r) {
			sleep(1);
			now = time(NULL);
		}
		ended += end_some(&c, now);
		running = count_running(&c);
		t0 = now_ms();
		c0 = cpu_ms();
		sched_run(&c);
		t_cycle += now_ms() - t0;
		c_cycle += cpu_ms() - c0;
		started += count_running(&c) - running;
	}
	t_cycle /= o->repeat;
	c_cycle /= o->repeat;
	ended /= o->repeat;
	started /= o->repeat;
	printf("%9u %7u %9.1f %9.1f %9.1f %7zu %7zu %9.2f\n", n_jobs, o->nodes, t_prio, t_cycle,
	       c_cycle, ended, started, c_cycle * 1000.0 / (double)n_jobs);
	*cycle_ms = c_cycle;
	if (o->verbose)
		print_reasons(&c);
	if (o->dump)
		dump_jobs(&c, o->dump, n_jobs, now);
	close_world(&c);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_opts o = { .nodes = 10000, .max_test = 500, .repeat = 1, .gpu_pct = 10 };
	const char *sizes = "10000,50000,100000";
	double first = 0, last = 0;
	uint32_t n_first = 0, n_last = 0;
	int opt;

	log_init(argv[0], LOG_LEVEL_ERROR, NULL, false);
	while ((opt = getopt(argc, argv, "g:n:j:o:r:t:v")) != -1) {
		switch (opt) {
		case 'g': o.gpu_pct = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'n': o.nodes = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'j': sizes = optarg; break;
		case 'o': o.dump = optarg; break;
		case 't': o.max_test = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'r': o.repeat = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'v': o.verbose = true; break;
		default:
			fprintf(stderr, "usage: %s [-n NODES] [-j N[,N...]] [-g GPU_PCT] [-r REPEAT] [-t BF_MAX_JOB_TEST] [-v] [-o FILE]\n",
				argv[0]);
			return 2;
		}
	}
	if (o.nodes < 10 || !o.repeat) {
		fprintf(stderr, "%s: error: -n needs at least 10 nodes, -r at least 1\n", argv[0]);
		return 2;
	}
	printf("%9s %7s %9s %9s %9s %7s %7s %9s\n", "PENDING", "NODES", "PRIO_MS", "CYCLE_MS",
	       "CPU_MS", "ENDED", "STARTED", "US/JOB");
	for (const char *p = sizes; *p;) {
		char *end;
		uint32_t n = (uint32_t)strtoul(p, &end, 10);
		double ms;

		if (end == p || !n) {
			fprintf(stderr, "%s: error: bad job count list '%s'\n", argv[0], sizes);
			return 2;
		}
		run_one(&o, n, &ms);
		if (!n_first) {
			n_first = n;
			first = ms;
		}
		n_last = n;
		last = ms;
		p = *end == ',' ? end + 1 : end;
	}
	if (n_last > n_first && first > 0)
		printf("cycle CPU time grew %.2fx for %.2fx the jobs (%s)\n", last / first,
		       (double)n_last / n_first,
		       last / first <= 1.25 * n_last / n_first ? "linear or better" : "superlinear");
	return 0;
}
