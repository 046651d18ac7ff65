/* opt_array.c: see opt_array.h. */
#include "config.h"

#include <strings.h>

#include "opt_array.h"
#include "xalloc.h"

int opt_set_kill_dep(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		     struct sky_errbuf *eb)
{
	(void)d;
	if (arg && !strcasecmp(arg, "yes"))
		o->kill_on_invalid_dep = 1;
	else if (arg && !strcasecmp(arg, "no"))
		o->kill_on_invalid_dep = 0;
	else
		return sky_err_set(eb, SKY_E_INVAL, "Invalid --kill-on-invalid-dep specification");
	return 0;
}

void opt_reset_kill_dep(const struct opt_desc *d, struct sbatch_opts *o)
{
	(void)d;
	o->kill_on_invalid_dep = -1;
}

char *opt_get_kill_dep(const struct opt_desc *d, const struct sbatch_opts *o)
{
	(void)d;
	return xstrdup(o->kill_on_invalid_dep < 0 ? "unset" : o->kill_on_invalid_dep ? "yes" : "no");
}
