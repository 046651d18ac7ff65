/* job_array.c: see job_array.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "array_spec.h"
#include "ctld.h"
#include "job_array.h"
#include "log.h"
#include "xalloc.h"

/* SchedulerParameters key=value as a number; def when absent. */
static uint32_t sched_param_u32(const struct ctld *c, const char *key, uint32_t def)
{
	const char *p = c->conf->sched_params;
	size_t n = strlen(key);

	while (p && *p) {
		if (!strncmp(p, key, n) && p[n] == '=')
			return (uint32_t)strtoul(p + n + 1, NULL, 10);
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return def;
}

int job_array_check(struct ctld *c, const Sky__JobDesc *d, uint32_t *n_tasks,
		    struct sky_errbuf *eb)
{
	struct array_spec a;
	uint32_t max_size = c->conf->max_array_size;
	int rc;

	*n_tasks = 1;
	if (!d->array || !*d->array)
		return 0;
	/* max_array_tasks defaults to MaxArraySize (Slurm's rule). */
	rc = array_spec_parse(d->array, max_size, sched_param_u32(c, "max_array_tasks", max_size),
			      &a, eb);
	if (!rc)
		*n_tasks = (uint32_t)a.n;
	array_spec_fini(&a);
	if (!rc)
		return 0;
	/* The detail goes to the log; users get Slurm's exact text. */
	log_info("--array=%s rejected: %s", d->array, sky_err_msg(eb));
	sky_err_clear(eb);
	return sky_err_set(eb, SKY_E_INVALID_ARRAY, "%s", sky_strerror(SKY_E_INVALID_ARRAY));
}

/* A deep copy of rec (through the wire format, which every field survives). */
static Sky__JobRecord *record_dup(const Sky__JobRecord *rec)
{
	size_t len = sky__job_record__get_packed_size(rec);
	uint8_t *buf = xmalloc(len ? len : 1);
	Sky__JobRecord *copy;

	sky__job_record__pack(rec, buf);
	copy = sky__job_record__unpack(NULL, len, buf);
	free(buf);
	if (!copy)
		fatal("cannot copy a job record of %zu bytes", len);
	return copy;
}

static int store_tasks(struct ctld *c, Sky__JobRecord **tasks, const struct array_spec *a,
		       const uint8_t *script, size_t len, bool keep_priority,
		       struct sky_errbuf *eb)
{
	struct store_txn *t = NULL;
	uint32_t first = 0;
	int rc;

	if ((rc = store_begin(c->store, true, &t, eb)))
		return rc;
	for (size_t i = 0; i < a->n; i++) {
		Sky__JobRecord *r = tasks[i];

		if ((rc = job_id_alloc(c, t, &r->job_id, eb)))
			goto abort;
		if (!i)
			first = r->job_id;
		r->has_array_job_id = r->has_array_task_id = true;
		r->array_job_id = first;
		r->array_task_id = a->idx[i];
		r->has_array_task_throttle = a->throttle != 0;
		r->array_task_throttle = a->throttle;
		if (!keep_priority)
			r->priority = job_initial_priority(r);
		/* One script copy per task: purging a finished task never strands another. */
		if ((rc = store_script_put(t, r->job_id, script, len, eb)) ||
		    (rc = store_job_put(t, r, eb)))
			goto abort;
	}
	return store_commit(t, eb);
abort:
	store_abort(t);
	return rc;
}

int job_array_store(struct ctld *c, Sky__JobRecord *proto, bool keep_priority,
		    uint32_t *first_id, struct sky_errbuf *eb)
{
	Sky__JobDesc *d = proto->desc;
	Sky__JobRecord **tasks = NULL;
	struct array_spec a = { 0 };
	uint8_t *script = d->script.data;
	size_t len = d->script.len, i;
	int rc;

	d->script.data = NULL;
	d->script.len = 0;
	d->has_script = false;
	if ((rc = job_array_check(c, d, &(uint32_t){ 0 }, eb)) ||
	    (rc = array_spec_parse(d->array, UINT32_MAX, 0, &a, eb)))
		goto out;
	tasks = xcalloc(a.n, sizeof(*tasks));
	for (i = 0; i < a.n; i++)
		tasks[i] = record_dup(proto);
	if ((rc = store_tasks(c, tasks, &a, script, len, keep_priority, eb))) {
		for (i = 0; i < a.n; i++)
			sky__job_record__free_unpacked(tasks[i], NULL);
		goto out;
	}
	*first_id = tasks[0]->job_id;
	for (i = 0; i < a.n; i++)
		job_insert(&c->jobs, job_new(tasks[i]));
	log_info("job array %u_[%s] submitted by %s (uid %u): %zu tasks, ids %u-%u", *first_id,
		 d->array, proto->user_name, proto->user_id, a.n, *first_id,
		 tasks[a.n - 1]->job_id);
out:
	free(tasks);
	array_spec_fini(&a);
	free(script);
	sky__job_record__free_unpacked(proto, NULL);
	return rc;
}

bool job_array_throttled(struct ctld *c, const struct job *j)
{
	const Sky__JobRecord *r = j->rec;
	const struct job *o;
	uint32_t running = 0;

	if (!r->has_array_task_id || !r->array_task_throttle)
		return false;
	JOB_FOREACH(&c->jobs, o) {
		const Sky__JobRecord *x = o->rec;
		if (x->has_array_task_id && x->array_job_id == r->array_job_id &&
		    (job_is_running(o) || job_is_completing(o)) && ++running >= r->array_task_throttle)
			return true;
	}
	return false;
}
