/* assoc_int.h: what assoc.c shares with assoc_pack.c only. */
#ifndef SKY_ASSOC_INT_H
#define SKY_ASSOC_INT_H

#include "assoc.h"

/*
 * Make an association with id (0: the next free one) and link it under
 * parent (NULL only for root). The add functions use it after their
 * checks, and unpack to restore stored ids. Returns the association, owned
 * by the tree.
 */
struct assoc *assoc__link(struct assoc_tree *t, uint32_t id, const char *acct,
			  const char *user, const char *part, struct assoc *parent);

#endif
