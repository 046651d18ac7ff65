/*
 * array_fold.h: how the commands show job arrays.
 *
 * squeue folds the pending tasks of an array into one row, "123_[5-99%4]"
 * (slurm.md 1.6), unless -r asks for one row per task. The fold is a
 * display decision, so the controller keeps one record per task and the
 * client folds them here. Folded rows are remembered (by record address)
 * for the id fields of fmt_job.c; this state lives for one command run.
 */
#ifndef SKY_ARRAY_FOLD_H
#define SKY_ARRAY_FOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sky.pb-c.h"

/*
 * Fold list (already sorted): the first pending task of each array stays,
 * carrying the whole set (even a single task shows as N_[i]); the array's
 * other pending tasks are removed. Returns the new length. The expression is cut
 * at SLURM_BITSTR_LEN characters (default 64, 0 = unlimited).
 */
size_t array_fold_pending(Sky__JobRecord **list, size_t n);

/* The task expression of a folded row ("5-99%4"), or NULL. Borrowed. */
const char *array_fold_label(const Sky__JobRecord *j);

/* Forget every folded row. */
void array_fold_reset(void);

/*
 * sbatch -W on job id: every record of the reply that is id or a task of
 * array id. *found: any; *done: all finished (COMPLETING cleared). Returns
 * the highest exit code among them (a signal counts as 1, as Slurm's sbatch).
 */
int array_wait_status(const Sky__JobInfoReply *r, uint32_t id, bool *found, bool *done);

/* A job id argument: "N" (count 0, whole job or array) or "N_M" / "N_[expr]". */
struct array_sel {
	uint32_t id;
	uint32_t *tasks;            /* owned; NULL for "N" */
	size_t n_tasks;
};

/* Parse "N", "N_M", "N_[expr]", "N_*" (".step" ignored) into sel. false: not a job id. */
bool array_sel_parse(const char *s, struct array_sel *sel);
void array_sel_fini(struct array_sel *sel);

/*
 * The job ids that sels name in reply r: "N" of an array is all its
 * unfinished tasks (or N itself when none is left, so the controller
 * answers), "N_M" the task's own job id. A task not in r is reported on
 * stderr as "Kill job error on job id N_M: Invalid job id specified"
 * (unless quiet) and counted in *n_bad. *ids: caller frees.
 */
void array_sel_resolve(const Sky__JobInfoReply *r, const struct array_sel *sels, size_t n,
		       bool quiet, uint32_t **ids, size_t *n_ids, size_t *n_bad);

#endif
