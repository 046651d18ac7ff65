/* mail_type.c: see mail_type.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail_type.h"
#include "xalloc.h"

/* In the order Slurm's print_mail_type() lists them. */
static const struct {
	const char *name;
	uint32_t bit;
} mail_names[] = {
	{ "ARRAY_TASKS", MAIL_ARRAY_TASKS },
	{ "INVALID_DEPEND", MAIL_INVALID_DEPEND },
	{ "BEGIN", MAIL_BEGIN },
	{ "END", MAIL_END },
	{ "FAIL", MAIL_FAIL },
	{ "REQUEUE", MAIL_REQUEUE },
	{ "STAGE_OUT", MAIL_STAGE_OUT },
	{ "TIME_LIMIT_50", MAIL_TIME50 },
	{ "TIME_LIMIT_80", MAIL_TIME80 },
	{ "TIME_LIMIT_90", MAIL_TIME90 },
	{ "TIME_LIMIT", MAIL_TIME100 },
};

#define N_MAIL_NAMES (sizeof(mail_names) / sizeof(mail_names[0]))

static bool one_name(const char *tok, uint32_t *bits)
{
	if (!strcasecmp(tok, "NONE")) {
		*bits = 0;
		return true;
	}
	if (!strcasecmp(tok, "ALL")) {
		*bits |= MAIL_ALL;
		return true;
	}
	for (size_t i = 0; i < N_MAIL_NAMES; i++)
		if (!strcasecmp(tok, mail_names[i].name)) {
			*bits |= mail_names[i].bit;
			return true;
		}
	return false;
}

bool mail_type_parse(const char *s, uint32_t *out)
{
	char *copy, *tok, *next;
	uint32_t bits = 0;
	bool ok = true;

	if (!s || !*s) {
		*out = 0;
		return true;
	}
	copy = xstrdup(s);
	for (tok = copy; tok && ok; tok = next) {
		if ((next = strchr(tok, ',')))
			*next++ = '\0';
		ok = one_name(tok, &bits);
	}
	free(copy);
	if (ok)
		*out = bits;
	return ok;
}

char *mail_type_str(uint32_t bits)
{
	char *s = NULL;

	for (size_t i = 0; i < N_MAIL_NAMES; i++)
		if (bits & mail_names[i].bit)
			xstrfmtcat(&s, "%s%s", s ? "," : "", mail_names[i].name);
	return s ? s : xstrdup("NONE");
}
