/*
 * fname.h: the %-patterns of sbatch -o/-e/-i (slurm.md section 1.5).
 */
#ifndef SKY_FNAME_H
#define SKY_FNAME_H

#include <stdint.h>

#include "timefmt.h"

struct fname_ctx {
	uint32_t job_id;
	uint32_t array_job_id;    /* 0: not an array (then %A is job_id) */
	uint32_t array_task_id;   /* SKY_NO_VAL: not an array (%a prints 4294967294) */
	uint32_t step_id;         /* SKY_NO_VAL: the batch step (%s prints "batch") */
	uint32_t task_id;         /* %t */
	uint32_t node_id;         /* %n */
	uint32_t restart_count;   /* %r */
	const char *job_name;     /* %x */
	const char *user_name;    /* %u */
	const char *node_name;    /* %N: first node of the step */
	const char *work_dir;     /* relative results are prefixed with it; may be NULL */
};

/*
 * Expand pattern: %% %A %a %b %J %j %N %n %r %s %t %u %x with optional zero
 * padding width ("%4j" -> 0128, width capped at 10, ignored for strings);
 * an unknown %X is kept; any backslash disables all substitution and the
 * backslashes are dropped. Caller frees.
 */
char *fname_expand(const char *pattern, const struct fname_ctx *c);

#endif
