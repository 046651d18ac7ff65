/*
 * job_desc.h: turn sbatch's parsed options into the JobDesc that
 * REQUEST_SUBMIT_BATCH carries (common/sky.proto).
 */
#ifndef SKY_JOB_DESC_H
#define SKY_JOB_DESC_H

#include <stddef.h>
#include <sys/types.h>

#include "sbatch_opts.h"
#include "sky.pb-c.h"
#include "sky_err.h"

/* What sbatch knows about where and how it was run. All borrowed. */
struct submit_ctx {
	const char *cwd;            /* the submit directory */
	const char *host;           /* this host's name */
	char *const *environ;       /* sbatch's environment */
	mode_t umask;
	int prio_process;           /* getpriority() at submit */
	const char *script_path;    /* resolved script path; NULL for stdin and --wrap */
	const char *submit_line;    /* the command line, joined */
};

/*
 * -w/--nodelist: a value holding '/' names a file of host names. Replaces
 * o->nodelist with the compressed list and raises the minimum node count to
 * its size, as Slurm does. Errors are SKY_E_INVAL / SKY_E_IO with detail.
 */
int job_nodelist_resolve(struct sbatch_opts *o, struct sky_errbuf *eb);

/* The job name sbatch submits: -J, else "wrap", else the script's basename, else "sbatch". Borrowed. */
const char *job_default_name(const struct sbatch_opts *o);

/*
 * Build the JobDesc. script (len bytes) is copied. Relative -D, -o, -e, -i
 * are made absolute against the submit directory and working directory.
 * Caller frees *out with job_desc_free().
 */
int job_desc_build(const struct sbatch_opts *o, const struct submit_ctx *ctx, const char *script,
		   size_t len, Sky__JobDesc **out, struct sky_errbuf *eb);
void job_desc_free(Sky__JobDesc *d);

#endif
