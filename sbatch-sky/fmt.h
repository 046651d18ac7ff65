/*
 * fmt.h: the "%[.][size|#]code" output format machinery shared by squeue and
 * sinfo (slurm.md 3.1): a format string becomes a list of fields, each with
 * a width, a justification and the literal text that follows it.
 */
#ifndef SKY_FMT_H
#define SKY_FMT_H

#include <stdbool.h>
#include <stddef.h>

#include "sky_err.h"

#define FMT_WIDTH_AUTO (-1)   /* '#': as wide as the widest value (sinfo) */

struct fmt_field {
	char code;          /* the field letter */
	int width;          /* 0 = natural width; FMT_WIDTH_AUTO for '#' */
	bool right;         /* '.' given: right-justify */
	char *suffix;       /* literal text up to the next field ("" if none) */
};

struct fmt_spec {
	char *prefix;       /* literal text before the first field */
	struct fmt_field *fields;
	size_t n;
};

/*
 * Parse format. Every code must be in valid_codes; otherwise SKY_E_INVAL
 * with eb "Invalid <what> format specification: <c>". "%%" is a literal
 * percent sign. Caller frees out with fmt_spec_free().
 */
int fmt_parse(const char *format, const char *valid_codes, const char *what,
	      struct fmt_spec *out, struct sky_errbuf *eb);
void fmt_spec_free(struct fmt_spec *s);

/*
 * Append str to *line as Slurm's commands print a field: a width with '.'
 * right-justifies (and cuts to the width when cut is set); a width without
 * '.' always cuts and pads on the right; width 0 prints str as is.
 * str NULL prints "(null)".
 */
void fmt_put(char **line, const char *str, int width, bool right, bool cut);

#endif
