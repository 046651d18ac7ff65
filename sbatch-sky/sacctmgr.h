/* sacctmgr.h: what sacctmgr.c shares with sacctmgr_show.c. */
#ifndef SKY_SACCTMGR_H
#define SKY_SACCTMGR_H

#include <stdbool.h>
#include <stddef.h>

#include "acct_print.h"

enum sm_entity { SM_ACCOUNT, SM_USER, SM_ASSOC };

struct sm_opts {
	bool immediate;             /* -i */
	bool noheader;              /* -n */
	enum acct_parsable parsable;/* -p / -P */
};

/* sacctmgr show|list ENTITY args...; the exit status. */
int sm_show(const struct sm_opts *o, enum sm_entity ent, char **args, size_t n);

#endif
