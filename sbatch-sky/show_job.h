/*
 * show_job.h: `scontrol show job` text (slurm.md 3.7): Slurm's key order,
 * lines joined by "\n   " (a single space with -o), "(null)" for unset
 * strings.
 */
#ifndef SKY_SHOW_JOB_H
#define SKY_SHOW_JOB_H

#include <stdbool.h>
#include <time.h>

#include "sky.pb-c.h"

/*
 * The record of j, ending with "\n" (-o) or "\n\n" (the blank line Slurm
 * prints after each record). Caller frees.
 */
char *show_job_text(const Sky__JobRecord *j, time_t now, bool one_liner);

/* Append one "Key=Value" item to *buf; starts a new line when new_line (and *buf is not empty). */
void show_kv(char **buf, bool one_liner, bool new_line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
