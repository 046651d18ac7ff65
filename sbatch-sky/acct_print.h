/*
 * acct_print.h: Slurm's print_fields layout, shared by sacctmgr, sshare and
 * sprio: fixed-width columns followed by a space (a value too long is cut
 * and its last character replaced by '+'), a header line and a dashes
 * line; or, parsable, values joined by '|' (-p: with a trailing '|', -P:
 * without).
 */
#ifndef SKY_ACCT_PRINT_H
#define SKY_ACCT_PRINT_H

#include <stdbool.h>
#include <stddef.h>

enum acct_parsable {
	ACCT_PRINT_COLUMNS = 0,
	ACCT_PRINT_PARSABLE,          /* -p: "a|b|" */
	ACCT_PRINT_PARSABLE_NO_END,   /* -P: "a|b" */
};

struct acct_col {
	const char *title;    /* header text; borrowed */
	int width;            /* negative: left-justified */
};

/* Print the header (and dashes) of cols unless parsable mode says otherwise. */
void acct_print_header(const struct acct_col *cols, size_t n, enum acct_parsable mode);
/* Print one row: vals[i] for cols[i] (NULL prints as empty). */
void acct_print_row(const struct acct_col *cols, size_t n, const char *const *vals,
		    enum acct_parsable mode);

#endif
