/* opt_env.c: see opt_env.h. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "opt_env.h"
#include "timefmt.h"
#include "xalloc.h"

int opt_set_mem_per_gpu(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
			struct sky_errbuf *eb)
{
	struct sky_errbuf tmp;
	uint64_t mb;

	sky_err_clear(&tmp);
	if (!arg || mem_str2mb(arg, &mb, &tmp))
		return sky_err_set(eb, SKY_E_INVAL, "Invalid --%s specification", d->name);
	o->mem_per_gpu_mb = mb;
	o->mem_per_gpu_set = true;
	return 0;
}

void opt_reset_mem_per_gpu(const struct opt_desc *d, struct sbatch_opts *o)
{
	(void)d;
	o->mem_per_gpu_mb = 0;
	o->mem_per_gpu_set = false;
}

char *opt_get_mem_per_gpu(const struct opt_desc *d, const struct sbatch_opts *o)
{
	char buf[64];

	(void)d;
	return xstrdup(cli_mem_str(o->mem_per_gpu_mb, buf, sizeof(buf)));
}

int opt_set_get_user_env(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
			 struct sky_errbuf *eb)
{
	const char *p = arg;

	(void)d;
	while (p && isdigit((unsigned char)*p))
		p++;
	if (p && *p && ((*p != 'S' && *p != 'L') || p[1]))
		return sky_err_set(eb, SKY_E_INVAL, "Invalid --get-user-env specification");
	o->get_user_env = true;
	return 0;
}

void opt_reset_get_user_env(const struct opt_desc *d, struct sbatch_opts *o)
{
	(void)d;
	o->get_user_env = false;
}

char *opt_get_get_user_env(const struct opt_desc *d, const struct sbatch_opts *o)
{
	(void)d;
	return xstrdup(o->get_user_env ? "set" : "unset");
}
