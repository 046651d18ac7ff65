/*
 * sacct_cost.h: `sacct --account-totals` (slurm-sky extension): one row per
 * account with what the selected jobs cost, instead of one row per job.
 * Slurm has no cost in sacct; the rows use sacct's own layout (-n, -p, -P,
 * --delimiter, widths from -o) so scripts read them like any sacct output.
 */
#ifndef SKY_SACCT_COST_H
#define SKY_SACCT_COST_H

#include <stddef.h>
#include <time.h>

#include "sacct_fields.h"
#include "sky.pb-c.h"

/*
 * Print the header (unless o->no_header) and one row per account of jobs
 * (sorted by account name; jobs without an account together under ""),
 * with the columns of format: only Account and Cost may be named
 * (default "Account,Cost"). Returns 0, or 1 after printing
 * "sacct: error: ..." for a format naming another field.
 */
int acct_print_account_totals(Sky__JobRecord *const *jobs, size_t n, const char *format,
			      const struct acct_out *o, time_t now);

#endif
