/*
 * script_read.h: finding, reading and checking the batch script (slurm.md 1.1).
 */
#ifndef SKY_SCRIPT_READ_H
#define SKY_SCRIPT_READ_H

#include <stddef.h>

#include "sky_err.h"

/* sbatch's own hard limit (Slurm's MAX_BATCH_SCRIPT_SIZE); the controller's is smaller. */
#define SCRIPT_MAX_SIZE ((size_t)512 * 1024 * 1024)

/*
 * Where the script named name is: "/..." as is; a name starting with '.'
 * relative to dir; anything else dir/name when readable, else the first
 * readable $PATH entry. When nothing readable is found, name itself (the
 * open then reports it). Caller frees.
 */
char *script_resolve(const char *dir, const char *name);

/*
 * Read the whole script from path (NULL: standard input), at most limit
 * bytes. Errors: SKY_E_IO "Unable to open file X"; SKY_E_SCRIPT_TOO_BIG
 * "Script X is too big, read N > M bytes." (or "Script from STDIN ...").
 * *buf is NUL-terminated (not counted in *len) and caller-freed.
 */
int script_read(const char *path, size_t limit, char **buf, size_t *len, struct sky_errbuf *eb);

/*
 * Slurm's checks, in its order: empty, whitespace only, no "#!" first,
 * NUL byte, CRLF line ends. SKY_E_SCRIPT_INVALID with Slurm's lines joined
 * by '\n' (each is printed as its own "sbatch: error:" line).
 */
int script_check(const char *buf, size_t len, struct sky_errbuf *eb);

/* The script --wrap makes of cmd, byte for byte as Slurm's. Caller frees. */
char *script_wrap(const char *cmd);

#endif
