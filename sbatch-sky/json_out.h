/*
 * json_out.h: --json output of squeue, sinfo and sacct, in the shape of
 * Slurm's data_parser v0.0.40 (the plugin behind --json since 23.11): a
 * top-level object with "meta", "errors" and "warnings" plus "jobs" (squeue,
 * sacct) or "sinfo", "nodes" and "partitions" (sinfo). Numbers that may be
 * unset or infinite are {"set":bool,"infinite":bool,"number":N}; states are
 * arrays of strings. We emit the fields we know; the rest of Slurm's schema is
 * left out rather than faked. One key is ours: jobs placed on priced (cloud)
 * nodes carry "cost": {"placement", "price_per_hour", "total"} (dollars as
 * strings, as -o Cost prints them).
 *
 * json-c stays inside json_out.c: callers see only these functions, which
 * print the document to stdout and return 0 (or 1 when printing failed).
 */
#ifndef SKY_JSON_OUT_H
#define SKY_JSON_OUT_H

#include <stddef.h>
#include <time.h>

#include "sky.pb-c.h"

/* squeue --json: jobs (borrowed) in the order given. */
int json_print_squeue(Sky__JobRecord *const *jobs, size_t n, time_t now);

/* sacct --json: jobs with their steps (the batch step when the job ran). */
int json_print_sacct(Sky__JobRecord *const *jobs, size_t n, time_t now);

/* sinfo --json: one "sinfo" entry per partition and node state, plus "nodes" and "partitions". */
int json_print_sinfo(const Sky__NodeInfoReply *r);

/*
 * Document strings, exposed for the unit tests: the squeue document for the
 * given jobs, with meta.command set from argv (NULL: read /proc/self/cmdline).
 * Caller frees.
 */
char *json_squeue_string(Sky__JobRecord *const *jobs, size_t n, time_t now, char **argv);
char *json_sacct_string(Sky__JobRecord *const *jobs, size_t n, time_t now, char **argv);
char *json_sinfo_string(const Sky__NodeInfoReply *r, char **argv);

#endif
