/*
 * conf_priority.c: the fair-share and priority keys of slurm.conf.
 *
 * PriorityType and AccountingStorageEnforce are decided here; the numeric
 * keys and TRES lists are only recorded (with file:line), because their
 * parser (slurmctld-sky/priority.c) needs the controller's TRES table.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "xalloc.h"

static int set_enforce(struct sky_conf *c, const char *val)
{
	static const struct {
		const char *word;
		uint32_t bits;
	} words[] = {
		{ "associations", CONF_ENFORCE_ASSOCS },
		/* Slurm: limits and qos imply associations, safe implies limits. */
		{ "limits", CONF_ENFORCE_ASSOCS | CONF_ENFORCE_LIMITS },
		{ "qos", CONF_ENFORCE_ASSOCS | CONF_ENFORCE_QOS },
		{ "safe", CONF_ENFORCE_ASSOCS | CONF_ENFORCE_LIMITS | CONF_ENFORCE_SAFE },
		{ "wckeys", CONF_ENFORCE_ASSOCS | CONF_ENFORCE_WCKEYS },
		{ "nojobs", 0 }, { "nosteps", 0 }, { "all", 0x1f }, { "none", 0 },
	};
	char *copy = xstrdup(val), *w, *next;
	uint32_t bits = 0;
	int rc = 0;

	for (w = copy; w; w = next) {
		size_t i;
		if ((next = strchr(w, ',')))
			*next++ = '\0';
		if (!*w)
			continue;
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (strcasecmp(w, words[i].word) == 0)
				break;
		if (i == sizeof(words) / sizeof(words[0])) {
			rc = -1;
			break;
		}
		bits |= words[i].bits;
	}
	free(copy);
	if (!rc)
		c->acct_enforce = bits;
	return rc;
}

int conf_priority_set(struct sky_conf *c, const char *part, const char *key, const char *val,
		      const char *file, int line)
{
	struct conf_prio_key *k;

	if (!part && strcasecmp(key, "PriorityType") == 0) {
		if (strcasecmp(val, "priority/multifactor") == 0)
			c->prio_multifactor = true;
		else if (strcasecmp(val, "priority/basic") == 0)
			c->prio_multifactor = false;
		else
			return -1;
		return 0;
	}
	if (!part && strcasecmp(key, "AccountingStorageEnforce") == 0)
		return set_enforce(c, val);
	c->prio_keys = xrealloc(c->prio_keys, (c->n_prio_keys + 1) * sizeof(*c->prio_keys));
	k = &c->prio_keys[c->n_prio_keys++];
	k->key = xstrdup(key);
	k->val = xstrdup(val);
	k->part = part ? xstrdup(part) : NULL;
	k->file = xstrdup(file ? file : "slurm.conf");
	k->line = line;
	return 0;
}

void conf_priority_free(struct sky_conf *c)
{
	for (size_t i = 0; i < c->n_prio_keys; i++) {
		free(c->prio_keys[i].key);
		free(c->prio_keys[i].val);
		free(c->prio_keys[i].part);
		free(c->prio_keys[i].file);
	}
	free(c->prio_keys);
	c->prio_keys = NULL;
	c->n_prio_keys = 0;
}
