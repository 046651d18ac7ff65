/*
 * job_defs.h: constants of the job model shared by commands and daemons.
 */
#ifndef SKY_JOB_DEFS_H
#define SKY_JOB_DEFS_H

/*
 * JobDesc.nice is stored biased, as Slurm does, so that an unsigned field
 * holds -2147483645..2147483645: nice = stored - NICE_OFFSET.
 */
#define NICE_OFFSET 0x80000000u

#endif
