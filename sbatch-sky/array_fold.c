/* array_fold.c: see array_fold.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "array_fold.h"
#include "array_spec.h"
#include "log.h"
#include "sky_err.h"
#include "state_names.h"
#include "xalloc.h"

struct folded {
	const Sky__JobRecord *rec;  /* borrowed */
	char *label;                /* owned */
};

/* One command run folds once; a small vector is all the state needed. */
static struct folded *folds;
static size_t n_folds;

static bool pending_task(const Sky__JobRecord *j)
{
	return j->has_array_task_id && j->state == SKY__JOB_STATE__JOB_PENDING;
}

static size_t bitstr_len(void)
{
	const char *v = getenv("SLURM_BITSTR_LEN");
	long n;

	if (!v || !*v)
		return ARRAY_EXPR_LEN_DEFAULT;
	n = strtol(v, NULL, 10);
	/* Slurm: negative means the default, 0 unlimited, at most 4096. */
	if (n < 0)
		return ARRAY_EXPR_LEN_DEFAULT;
	return n > 4096 ? 4096 : (size_t)n;
}

static char *label_for(Sky__JobRecord **list, size_t n, size_t first)
{
	uint32_t *idx = xcalloc(n + 1, sizeof(*idx));
	uint32_t array_id = list[first]->array_job_id;
	size_t k = 0;
	char *ranges, *label;

	for (size_t i = first; i < n; i++)
		if (pending_task(list[i]) && list[i]->array_job_id == array_id)
			idx[k++] = list[i]->array_task_id;
	for (size_t i = 1; i < k; i++)    /* insertion sort: tasks come mostly in order */
		for (size_t j = i; j > 0 && idx[j - 1] > idx[j]; j--) {
			uint32_t t = idx[j];
			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	ranges = array_ranges_str(idx, k, bitstr_len());
	if (list[first]->array_task_throttle)
		label = xasprintf("%s%%%u", ranges, list[first]->array_task_throttle);
	else
		label = xstrdup(ranges);
	free(ranges);
	free(idx);
	return label;
}

size_t array_fold_pending(Sky__JobRecord **list, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		Sky__JobRecord *j = list[i];
		bool seen = false;

		if (!pending_task(j)) {
			list[out++] = j;
			continue;
		}
		for (size_t f = 0; f < n_folds && !seen; f++)
			seen = folds[f].rec->array_job_id == j->array_job_id;
		if (seen)
			continue;   /* folded into an earlier row */
		/* Even one pending task shows as N_[i]: in Slurm it is still the
		 * array's own record until it starts (22.05 prints "5_[7]"). */
		list[out++] = j;
		folds = xrealloc(folds, (n_folds + 1) * sizeof(*folds));
		folds[n_folds].rec = j;
		folds[n_folds++].label = label_for(list, n, i);
	}
	return out;
}

const char *array_fold_label(const Sky__JobRecord *j)
{
	for (size_t f = 0; f < n_folds; f++)
		if (folds[f].rec == j)
			return folds[f].label;
	return NULL;
}

void array_fold_reset(void)
{
	for (size_t f = 0; f < n_folds; f++)
		free(folds[f].label);
	FREE_NULL(folds);
	n_folds = 0;
}

int array_wait_status(const Sky__JobInfoReply *r, uint32_t id, bool *found, bool *done)
{
	int ec = 0;

	*found = false;
	*done = true;
	for (size_t i = 0; r && i < r->n_jobs; i++) {
		const Sky__JobRecord *j = r->jobs[i];
		int code;

		if (j->job_id != id && !(j->has_array_task_id && j->array_job_id == id))
			continue;
		*found = true;
		if (!job_state_finished(j->state) || (j->flags & SKY__JOB_FLAG__JOB_FLAG_COMPLETING)) {
			*done = false;
			continue;
		}
		code = WIFEXITED(j->exit_status) ? WEXITSTATUS(j->exit_status) : 1;
		if (code > ec)
			ec = code;
	}
	return ec;
}

bool array_sel_parse(const char *s, struct array_sel *sel)
{
	return array_parse_job_token(s, &sel->id, &sel->tasks, &sel->n_tasks);
}

void array_sel_fini(struct array_sel *sel)
{
	FREE_NULL(sel->tasks);
	sel->n_tasks = 0;
}

static void push_id(uint32_t **ids, size_t *n, size_t *cap, uint32_t id)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		*ids = xrealloc(*ids, *cap * sizeof(**ids));
	}
	(*ids)[(*n)++] = id;
}

static const Sky__JobRecord *find_task(const Sky__JobInfoReply *r, uint32_t id, uint32_t task)
{
	for (size_t i = 0; i < r->n_jobs; i++)
		if (r->jobs[i]->has_array_task_id && r->jobs[i]->array_job_id == id &&
		    r->jobs[i]->array_task_id == task)
			return r->jobs[i];
	return NULL;
}

static void resolve_whole(const Sky__JobInfoReply *r, uint32_t id, uint32_t **ids, size_t *n,
			  size_t *cap)
{
	size_t before = *n;

	for (size_t i = 0; i < r->n_jobs; i++) {
		const Sky__JobRecord *j = r->jobs[i];
		if (j->has_array_task_id && j->array_job_id == id && !job_state_finished(j->state))
			push_id(ids, n, cap, j->job_id);
	}
	if (*n == before)
		push_id(ids, n, cap, id);
}

void array_sel_resolve(const Sky__JobInfoReply *r, const struct array_sel *sels, size_t n,
		       bool quiet, uint32_t **ids, size_t *n_ids, size_t *n_bad)
{
	size_t cap = 0;

	*ids = NULL;
	*n_ids = *n_bad = 0;
	for (size_t s = 0; s < n; s++) {
		if (!sels[s].n_tasks) {
			resolve_whole(r, sels[s].id, ids, n_ids, &cap);
			continue;
		}
		for (size_t t = 0; t < sels[s].n_tasks; t++) {
			const Sky__JobRecord *j = find_task(r, sels[s].id, sels[s].tasks[t]);
			if (j) {
				push_id(ids, n_ids, &cap, j->job_id);
				continue;
			}
			(*n_bad)++;
			if (!quiet)
				log_error("Kill job error on job id %u_%u: %s", sels[s].id,
					  sels[s].tasks[t], sky_strerror(SKY_E_INVALID_JOB_ID));
		}
	}
}
