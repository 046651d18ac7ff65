/*
 * sacct_fields.h: sacct's output fields (slurm.md 3.6): the field table
 * (name, default width, renderer), -o/--format parsing, and the rows that one
 * job record produces (the job, then its N.batch step when it ran).
 *
 * Widths follow Slurm's print_fields convention: a positive width
 * right-justifies, a negative one left-justifies, and a value longer than the
 * width is cut with '+' as its last character.
 */
#ifndef SKY_SACCT_FIELDS_H
#define SKY_SACCT_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "sky.pb-c.h"
#include "sky_err.h"

#define SACCT_FMT_DEFAULT "jobid,jobname,partition,account,alloccpus,state,exitcode"
#define SACCT_FMT_BRIEF "jobid,state,exitcode"
/* The most used part of Slurm's -l list (the usage statistics need a gatherer: empty). */
#define SACCT_FMT_LONG "jobid,jobidraw,jobname,partition,maxvmsize,maxrss,averss,avecpu," \
	"ntasks,alloccpus,elapsed,state,exitcode,reqmem,reqtres,alloctres"

/* One row: a job (step false) or its batch step. */
struct acct_row {
	const Sky__JobRecord *job;  /* borrowed */
	bool step;
	time_t now;                 /* for the elapsed time of running jobs */
	const Sky__StepRecord *srun_step; /* an srun step row "N.S" (step is true too) */
};

struct acct_col {
	int field;                  /* index into the field table */
	int width;                  /* as printed: >0 right, <0 left */
};

/* How rows are separated (-p / -P / --delimiter). */
struct acct_out {
	int parsable;               /* 0: columns; 1: -p (delimiter after each); 2: -P (between) */
	const char *delim;          /* NULL: "|" */
	bool no_header;
};

/*
 * Parse a -o/--format list "name[%N],..." (names case-insensitive). Unknown
 * names are SKY_E_INVAL with eb "Invalid field requested: \"name\"".
 * *cols is caller-freed.
 */
int acct_cols_parse(const char *list, struct acct_col **cols, size_t *n, struct sky_errbuf *eb);

/* The header (and the dashes line in column mode), each with '\n'. Caller frees. */
char *acct_header(const struct acct_col *cols, size_t n, const struct acct_out *o);
/* One row with '\n'. Caller frees. */
char *acct_line(const struct acct_col *cols, size_t n, const struct acct_row *r,
		const struct acct_out *o);

/* The value of field for row r (unpadded). Returns buf. */
char *acct_value(int field, const struct acct_row *r, char *buf, size_t len);

/* Whether the job produced a batch step (it was launched on a node). */
bool acct_has_batch_step(const Sky__JobRecord *j);

/* The canonical name of a field index ("Account"). Borrowed. */
const char *acct_field_name(int field);

/* Print every field name, as sacct --helpformat does. */
void acct_print_field_names(void);

#endif
