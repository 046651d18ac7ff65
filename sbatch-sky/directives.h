/*
 * directives.h: #SBATCH lines (slurm.md 1.2).
 *
 * Only lines starting in column 0 with "#SBATCH" (or the old "#SLURM")
 * count; blank lines and other comments are skipped; the first line with
 * anything else stops the scan. The rest of a directive line is split like
 * a shell would: whitespace separates words, '...' and "..." group, a
 * backslash escapes the next character, an unquoted '#' ends the line.
 */
#ifndef SKY_DIRECTIVES_H
#define SKY_DIRECTIVES_H

#include <stdbool.h>
#include <stddef.h>

#include "sky_err.h"

/*
 * Split text (what follows the magic word on line lineno of file) and
 * append the words to *argv / *argc; *argv stays NULL-terminated. An
 * unmatched quote or a word starting with ':' is SKY_E_SCRIPT_INVALID with
 * Slurm's message ("job.sh: line 3: Unmatched `\"` in [ \"x]").
 */
int directive_split(const char *file, int lineno, const char *text, char ***argv, int *argc,
		    struct sky_errbuf *eb);

/*
 * Collect the words of every directive of the script body (len bytes).
 * (*argv)[0] is "sbatch", for getopt. *saw_slurm tells whether a #SLURM line
 * was used (the caller prints Slurm's warning once). A "hetjob" directive is
 * SKY_E_DISABLED (heterogeneous jobs are not implemented). Caller frees with
 * directives_free().
 */
int directives_scan(const char *file, const char *body, size_t len, char ***argv, int *argc,
		    bool *saw_slurm, struct sky_errbuf *eb);

void directives_free(char **argv, int argc);

#endif
