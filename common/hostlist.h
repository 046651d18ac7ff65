/*
 * hostlist.h: Slurm hostlist expressions ("tux[0-5,12]", "rack[0-1]_b[1-2]",
 * "lx[001-100]", "alpha,beta"). See ../shared/reference/slurm.md section 4.
 *
 * A hostlist keeps order and duplicates; hostlist_uniq() makes it a sorted,
 * de-duplicated "hostset" (prefix first, then numeric value).
 */
#ifndef SKY_HOSTLIST_H
#define SKY_HOSTLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sky_err.h"

#define HOSTLIST_MAX_RANGE 65536  /* hosts one bracket range may expand to */

struct hostlist;

/* Empty list. Caller frees with hostlist_destroy(). */
struct hostlist *hostlist_new(void);

/*
 * Parse expr (NULL or "" gives an empty list). On a malformed expression
 * returns SKY_E_INVAL with eb naming the expression, and *out is untouched.
 * Caller frees *out with hostlist_destroy().
 */
int hostlist_create(const char *expr, struct hostlist **out, struct sky_errbuf *eb);
void hostlist_destroy(struct hostlist *hl);

/* Append every host of expr; on error hl is unchanged. */
int hostlist_push(struct hostlist *hl, const char *expr, struct sky_errbuf *eb);
/* Append one literal host name (not parsed). */
void hostlist_push_host(struct hostlist *hl, const char *host);

size_t hostlist_count(const struct hostlist *hl);
/* The n-th host, borrowed until hl changes; NULL past the end. */
const char *hostlist_nth(const struct hostlist *hl, size_t n);
/* Index of host, or -1. */
ssize_t hostlist_find(const struct hostlist *hl, const char *host);

/* Sort (prefix, then number, then width), keeping duplicates. */
void hostlist_sort(struct hostlist *hl);
/* Sort and drop duplicates (a "hostset"). */
void hostlist_uniq(struct hostlist *hl);

/*
 * The compressed bracket form, keeping order: "tux[2,1-2]" for tux2,tux1,tux2;
 * "" for an empty list. Caller frees.
 */
char *hostlist_ranged_string(const struct hostlist *hl);

/* Convenience: expand expr to a NULL-terminated array of names. Caller frees
 * each string and the array. */
int hostlist_expand(const char *expr, char ***names, size_t *count, struct sky_errbuf *eb);

#endif
