/*
 * array_spec.h: job array index expressions (slurm.md 1.6), shared by sbatch,
 * squeue, scancel and the controller (which links this file too), so every
 * program reads "0-15:4%2" the same way.
 *
 * Grammar: TOKEN[,TOKEN...][%THROTTLE], TOKEN = N | N-M | N-M:STEP.
 */
#ifndef SKY_ARRAY_SPEC_H
#define SKY_ARRAY_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sky_err.h"

/* Slurm's default bound on squeue's "123_[...]" expression (SLURM_BITSTR_LEN). */
#define ARRAY_EXPR_LEN_DEFAULT 64

struct array_spec {
	uint32_t *idx;          /* sorted, unique; owned */
	size_t n;
	uint32_t throttle;      /* 0: none */
};

/*
 * Parse spec. Every index must be below max_size (MaxArraySize; 0 turns
 * arrays off), and at most max_tasks indices (0: no cap). On error returns
 * SKY_E_INVALID_ARRAY with the detail in eb. out is filled; caller frees it
 * with array_spec_fini().
 */
int array_spec_parse(const char *spec, uint32_t max_size, uint32_t max_tasks,
		     struct array_spec *out, struct sky_errbuf *eb);
void array_spec_fini(struct array_spec *a);

/* Whether idx is in the sorted vector v. */
bool array_idx_has(const uint32_t *v, size_t n, uint32_t idx);

/*
 * Sorted unique indices as Slurm prints them: "1-3,7" or, for a regular
 * stride over more than 10, "1-21:2". max_len is Slurm's buffer size
 * (SLURM_BITSTR_LEN, 0: unlimited): a text of max_len - 1 characters or more
 * is cut to max_len - 4 and ends in "...". Caller frees.
 */
char *array_ranges_str(const uint32_t *v, size_t n, size_t max_len);

/*
 * A job id token as scancel/squeue/scontrol take it: "N", "N_M", "N_[expr]",
 * "N_*", optionally ".step" (ignored). *tasks gets the indices of "_M" or
 * "_[expr]" (caller frees; NULL with *n_tasks 0 for "N" or "N_*").
 * Returns false when the token is none of those.
 */
bool array_parse_job_token(const char *s, uint32_t *job_id, uint32_t **tasks, size_t *n_tasks);

#endif
