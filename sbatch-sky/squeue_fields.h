/*
 * squeue_fields.h: squeue's -O/--Format (and SQUEUE_FORMAT2) field lists:
 * "field[:[.][size][suffix]],..." with Slurm's field names (case does not
 * matter), a default width of 20, '.' to right-justify, values cut to the
 * width, and no separator between fields other than a suffix (Slurm 22.05
 * prints them that way). Also the -w/--nodelist filter.
 */
#ifndef SKY_SQUEUE_FIELDS_H
#define SKY_SQUEUE_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "sky.pb-c.h"
#include "sky_err.h"

#define SQUEUE_OFMT_DEFAULT_WIDTH 20
/* squeue --start: Slurm's format, sorted by start time, pending jobs only. */
#define SQUEUE_FMT_START "%.18i %.9P %.8j %.8u %.2t %.19S %.6D %20Y %R"

struct squeue_ofield;

struct squeue_oitem {
	const struct squeue_ofield *f;   /* static */
	int width;
	bool right;
	char *suffix;                    /* owned, "" when none */
};

struct squeue_oform {
	struct squeue_oitem *items;      /* owned */
	size_t n;
};

/* Parse spec; SKY_E_INVAL with "Invalid job format specification: X". Free with squeue_oform_free(). */
int squeue_oform_parse(const char *spec, struct squeue_oform *out, struct sky_errbuf *eb);
void squeue_oform_free(struct squeue_oform *o);
/* Header and one job's line (no newline). Caller frees. */
char *squeue_oform_header(const struct squeue_oform *o);
char *squeue_oform_line(const struct squeue_oform *o, const Sky__JobRecord *j, time_t now);

/* -w: does the job hold (or ask for) any host of the hostlist filter? */
bool squeue_nodes_match(const char *filter, const Sky__JobRecord *j);

#endif
