/*
 * srun_alloc.h: srun outside an allocation: ask for one (a job with
 * desc.alloc_only, which runs no batch script), wait until it runs, and
 * give it back when the step is over.
 */
#ifndef SKY_SRUN_ALLOC_H
#define SKY_SRUN_ALLOC_H

#include <stdint.h>

#include "rpc_client.h"
#include "srun_opts.h"

/*
 * Submit and wait (printing "srun: job N queued and waiting for resources"
 * and "srun: job N has been allocated resources" when it had to wait, as
 * Slurm does). Returns 0 with *job_id, or prints the error and returns
 * srun's exit code.
 */
int srun_alloc_get(struct sky_client *cl, const struct srun_opts *o, int argc, char **argv,
		   uint32_t *job_id);

/* The step is over: end the job with the step's raw exit status. */
void srun_alloc_release(struct sky_client *cl, uint32_t job_id, int status);

/* Cancel the job srun asked for (interrupted while waiting). */
void srun_alloc_cancel(struct sky_client *cl, uint32_t job_id);

#endif
