/*
 * fmt_job.h: squeue's job fields (the -o codes of slurm.md 3.1) on top of
 * the generic machinery in fmt.h. One table maps each code to its header,
 * its truncation rule and the function that renders a job record.
 */
#ifndef SKY_FMT_JOB_H
#define SKY_FMT_JOB_H

#include <stdint.h>
#include <time.h>

#include "fmt.h"
#include "sky.pb-c.h"

#define SQUEUE_FMT_DEFAULT "%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R"
#define SQUEUE_FMT_LONG "%.18i %.9P %.8j %.8u %.8T %.10M %.9l %.6D %R"

/* Every code squeue -o accepts. Static. */
const char *job_fmt_codes(void);

/* The header line for s (no newline). Caller frees. */
char *job_fmt_header(const struct fmt_spec *s);

/* One job rendered by s (no newline). now: the time used for elapsed fields. Caller frees. */
char *job_fmt_line(const struct fmt_spec *s, const Sky__JobRecord *j, time_t now);

/* The start time squeue %S and scontrol StartTime= show: a pending job's
 * expected start (backfill), else when it started; 0 = none. */
uint64_t fmt_job_start_time(const Sky__JobRecord *j);

/* Seconds the job has run (0 while pending), as squeue's TIME shows it. */
int64_t job_time_used(const Sky__JobRecord *j, time_t now);

/* The job's reason text: state_desc if set, else reason, else "None". Borrowed. */
const char *job_reason(const Sky__JobRecord *j);

/* The job's partition (resolved, else requested). Borrowed; may be NULL. */
const char *job_partition(const Sky__JobRecord *j);

/* The job's user name (record, passwd, else the number). Returns buf. */
char *job_user(const Sky__JobRecord *j, char *buf, size_t len);

#endif
