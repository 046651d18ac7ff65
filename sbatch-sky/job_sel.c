/* job_sel.c: see job_sel.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "array_spec.h"
#include "cli_util.h"
#include "job_sel.h"
#include "xalloc.h"

/* Length of the next item of a comma list, skipping commas inside [...]. */
static size_t item_len(const char *s)
{
	int depth = 0;
	size_t i;

	for (i = 0; s[i]; i++) {
		if (s[i] == '[')
			depth++;
		else if (s[i] == ']' && depth)
			depth--;
		else if (s[i] == ',' && !depth)
			break;
	}
	return i;
}

bool job_sel_add(struct job_sel_list *l, const char *s, char **bad)
{
	const char *p = s;

	*bad = NULL;
	while (*p) {
		size_t len = item_len(p);
		char *item = xstrndup(p, len);
		struct job_sel sel = { 0 };

		if (len) {
			if (!array_parse_job_token(item, &sel.job_id, &sel.tasks, &sel.n_tasks)) {
				*bad = item;
				return false;
			}
			l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
			l->v[l->n++] = sel;
		}
		free(item);
		p += len;
		if (*p == ',')
			p++;
	}
	return true;
}

static bool sel_match(const struct job_sel *s, const Sky__JobRecord *j)
{
	bool task = j->has_array_task_id;

	if (!s->tasks)
		return j->job_id == s->job_id || (task && j->array_job_id == s->job_id);
	return task && j->array_job_id == s->job_id &&
	       array_idx_has(s->tasks, s->n_tasks, j->array_task_id);
}

bool job_sel_match(const struct job_sel_list *l, const Sky__JobRecord *j)
{
	if (!l->n)
		return true;
	for (size_t i = 0; i < l->n; i++)
		if (sel_match(&l->v[i], j))
			return true;
	return false;
}

bool job_sel_has_tasks(const struct job_sel_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].tasks)
			return true;
	return false;
}

int job_sel_resolve(struct sky_client *c, const char *arg, uint32_t **ids, size_t *n,
		    struct sky_errbuf *eb)
{
	struct job_sel_list l = { 0 };
	Sky__JobInfoReply *r = NULL;
	char *bad = NULL;
	int rc = 0;

	*ids = NULL;
	*n = 0;
	if (!job_sel_add(&l, arg, &bad) || l.n != 1) {
		free(bad);
		rc = sky_err_set(eb, SKY_E_INVALID_JOB_ID, "%s", sky_strerror(SKY_E_INVALID_JOB_ID));
		goto out;
	}
	if (!l.v[0].tasks) {
		*ids = xcalloc(1, sizeof(**ids));
		(*ids)[(*n)++] = l.v[0].job_id;
		goto out;
	}
	if ((rc = cli_load_jobs(c, &l.v[0].job_id, 1, &r, eb)))
		goto out;
	*ids = xcalloc(r->n_jobs + 1, sizeof(**ids));
	for (size_t i = 0; i < r->n_jobs; i++)
		if (sel_match(&l.v[0], r->jobs[i]))
			(*ids)[(*n)++] = r->jobs[i]->job_id;
	if (!*n)
		rc = sky_err_set(eb, SKY_E_INVALID_JOB_ID, "%s", sky_strerror(SKY_E_INVALID_JOB_ID));
out:
	if (r)
		sky__job_info_reply__free_unpacked(r, NULL);
	job_sel_fini(&l);
	return rc;
}

void job_sel_fini(struct job_sel_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].tasks);
	FREE_NULL(l->v);
	l->n = 0;
}
