/*
 * job_sel.h: the job selectors of `squeue -j` and `scontrol show job`:
 * "N" (a job, or every task of array N), "N_M" and "N_[expr]" (only those
 * array tasks), "N_*" (every task). Slurm shows only the tasks asked for.
 */
#ifndef SKY_JOB_SEL_H
#define SKY_JOB_SEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc_client.h"
#include "sky.pb-c.h"
#include "sky_err.h"

struct job_sel {
	uint32_t job_id;
	uint32_t *tasks;          /* sorted indices; NULL: no task part; owned */
	size_t n_tasks;
};

struct job_sel_list {
	struct job_sel *v;        /* owned */
	size_t n;
};

/*
 * Add the selectors of a comma list ("5,7_2,9_[1-3,6]": commas inside
 * brackets do not split). Returns false (list unchanged past the bad item)
 * when an item is not a job id; *bad then points at it (borrowed from s
 * copy: caller frees *bad).
 */
bool job_sel_add(struct job_sel_list *l, const char *s, char **bad);

/* Whether job record j is selected by one of l's selectors (an empty list selects all). */
bool job_sel_match(const struct job_sel_list *l, const Sky__JobRecord *j);

/* Whether some selector names array task indices ("N_M", "N_[expr]"). */
bool job_sel_has_tasks(const struct job_sel_list *l);

/*
 * The job ids of the records an argument such as "12_3" names, asked from
 * the controller on c (for scontrol hold/release/requeue, whose request
 * takes one record's id). "N" and "N_*" give N itself (the controller
 * applies it to the array). *ids: caller frees. SKY_E_INVALID_JOB_ID when
 * the argument is not a job id or names no task.
 */
int job_sel_resolve(struct sky_client *c, const char *arg, uint32_t **ids, size_t *n,
		    struct sky_errbuf *eb);

void job_sel_fini(struct job_sel_list *l);

#endif
