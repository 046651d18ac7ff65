/* opt_mail.c: see opt_mail.h. */
#include "config.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli_util.h"
#include "env_export.h"
#include "mail_type.h"
#include "opt_mail.h"
#include "xalloc.h"

/* Slurm's NO_VAL - 1: "TOP", the highest priority an operator may give. */
#define PRIORITY_TOP 0xfffffffdu
#define EXPORT_FILE_MAX (64u << 20)

int opt_set_mail_type(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		      struct sky_errbuf *eb)
{
	uint32_t bits;

	(void)d;
	if (!arg || !*arg || !mail_type_parse(arg, &bits))
		return sky_err_set(eb, SKY_E_INVAL, "--mail-type=%s invalid", arg ? arg : "");
	FREE_NULL(o->mail_type);
	if (bits)
		o->mail_type = mail_type_str(bits);
	return 0;
}

int opt_set_priority(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		     struct sky_errbuf *eb)
{
	char *end = NULL;
	long long v;

	(void)d;
	if (arg && !strcasecmp(arg, "TOP")) {
		o->priority = PRIORITY_TOP;
		o->priority_set = true;
		return 0;
	}
	v = arg ? strtoll(arg, &end, 10) : -1;
	if (!arg || !*arg || *end || v < 0)
		return sky_err_set(eb, SKY_E_INVAL, "Priority must be >= 0");
	if (v >= 0xfffffffeLL)
		return sky_err_set(eb, SKY_E_INVAL, "Priority must be < %u", 0xfffffffeu);
	o->priority = (uint32_t)v;
	o->priority_set = true;
	return 0;
}

void opt_reset_priority(const struct opt_desc *d, struct sbatch_opts *o)
{
	(void)d;
	o->priority = 0;
	o->priority_set = false;
}

char *opt_get_priority(const struct opt_desc *d, const struct sbatch_opts *o)
{
	(void)d;
	return o->priority_set ? xasprintf("%u", o->priority) : xstrdup("(null)");
}

/* Read all of fd (up to EXPORT_FILE_MAX). Caller frees; *len gets the size. */
static char *read_all(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap + 1);
	ssize_t got;

	while ((got = read(fd, buf + n, cap - n)) > 0) {
		n += (size_t)got;
		if (n == cap) {
			if (cap >= EXPORT_FILE_MAX)
				break;
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
	}
	if (got < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* NAME=value with a shell-like name; anything else is skipped, as Slurm does. */
static void apply_one(const char *item, char ***env, size_t *n)
{
	const char *eq = strchr(item, '=');
	char *name;

	if (!eq || eq == item || (!isalpha((unsigned char)*item) && *item != '_'))
		return;
	for (const char *p = item; p < eq; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return;
	name = xstrndup(item, (size_t)(eq - item));
	env_set(env, n, name, eq + 1);
	free(name);
}

int opt_export_file_apply(const char *spec, char ***env, size_t *n, struct sky_errbuf *eb)
{
	uint32_t fdnum = 0;
	bool is_fd = cli_parse_u32(spec, 3, 65535, &fdnum);
	int fd = is_fd ? (int)fdnum : open(spec, O_RDONLY | O_CLOEXEC);
	size_t len = 0, i = 0;
	char sep, *buf;

	buf = fd >= 0 ? read_all(fd, &len) : NULL;
	if (fd >= 0 && !is_fd)
		close(fd);
	if (!buf)
		return sky_err_set(eb, SKY_E_IO, "Could not open user environment file %s", spec);
	sep = memchr(buf, '\0', len) ? '\0' : '\n';
	while (i < len) {
		char *item = buf + i, *end = memchr(item, sep, len - i);
		size_t l = end ? (size_t)(end - item) : len - i;

		item[l] = '\0';
		if (sep == '\n' && l && item[l - 1] == '\r')
			item[l - 1] = '\0';
		apply_one(item, env, n);
		i += l + 1;
	}
	free(buf);
	return 0;
}
