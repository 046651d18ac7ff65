/* sacctmgr.h: what sacctmgr.c shares with sacctmgr_show.c. */
#ifndef SKY_SACCTMGR_H
#define SKY_SACCTMGR_H

#include <stdbool.h>
#include <stddef.h>

#include "acct_print.h"

enum sm_entity { SM_ACCOUNT, SM_USER, SM_ASSOC, SM_QOS };

struct sm_opts {
	bool immediate;             /* -i */
	bool noheader;              /* -n */
	enum acct_parsable parsable;/* -p / -P */
};

/* sacctmgr show|list ENTITY args...; the exit status. */
int sm_show(const struct sm_opts *o, enum sm_entity ent, char **args, size_t n);
/* sacctmgr show|list qos args... (sacctmgr_qos.c); the exit status. */
int sm_show_qos(const struct sm_opts *o, char **args, size_t n);
/* Whether s[0..len) is one of the '|'-separated names (prefix: an abbreviation of one). */
bool sm_name_in(const char *names, const char *s, size_t len, bool prefix);

/* A column format= can name. */
struct sm_field {
	const char *names;    /* '|'-separated, first is the canonical one */
	const char *title;
	int width;
	int kind;             /* the caller's enum */
};

/* The columns of a format: print layout and kinds (both owned arrays). */
struct sm_cols {
	struct acct_col *c;
	int *k;
	size_t n;
};

/* "Name,Priority%20,..." over defs (exact names, then abbreviations); -1 after an error. */
int sm_parse_format(const char *fmt, const struct sm_field *defs, size_t n_defs,
		    struct sm_cols *out);

#endif
