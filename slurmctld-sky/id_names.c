/* id_names.c: a small direct-mapped cache in front of getpwuid_r/getgrgid_r. */
#include "config.h"

#include <grp.h>
#include <pwd.h>
#include <stdlib.h>

#include "id_names.h"
#include "xalloc.h"

#define SLOTS 256        /* a cluster's active submitters fit; a collision only costs a lookup */
#define TTL_SECS 60

struct slot {
	bool used;
	bool is_group;
	unsigned id;
	gid_t gid;           /* a user's primary group */
	char *name;          /* NULL: NSS did not know the id (cached too) */
	time_t expires;
};

static struct slot slots[SLOTS];

static struct slot *slot_for(bool is_group, unsigned id)
{
	/* Users and groups share the table; groups land on the odd half of the hash. */
	return &slots[((id * 2u) + (is_group ? 1u : 0u)) % SLOTS];
}

static struct slot *lookup(bool is_group, unsigned id, time_t now)
{
	struct slot *s = slot_for(is_group, id);

	if (s->used && s->is_group == is_group && s->id == id && now < s->expires)
		return s;
	return NULL;
}

static struct slot *store(bool is_group, unsigned id, const char *name, gid_t gid, time_t now)
{
	struct slot *s = slot_for(is_group, id);

	free(s->name);
	s->used = true;
	s->is_group = is_group;
	s->id = id;
	s->gid = gid;
	s->name = name ? xstrdup(name) : NULL;
	s->expires = now + TTL_SECS;
	return s;
}

char *id_user_name(uid_t uid, gid_t *primary_gid, time_t now)
{
	struct slot *s = lookup(false, (unsigned)uid, now);

	if (!s) {
		struct passwd pw, *res = NULL;
		char buf[4096];
		if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res)
			s = store(false, (unsigned)uid, pw.pw_name, pw.pw_gid, now);
		else
			s = store(false, (unsigned)uid, NULL, 0, now);
	}
	if (!s->name)
		return NULL;
	if (primary_gid)
		*primary_gid = s->gid;
	return xstrdup(s->name);
}

char *id_group_name(gid_t gid, time_t now)
{
	struct slot *s = lookup(true, (unsigned)gid, now);

	if (!s) {
		struct group gr, *res = NULL;
		char buf[4096];
		if (getgrgid_r(gid, &gr, buf, sizeof(buf), &res) == 0 && res)
			s = store(true, (unsigned)gid, gr.gr_name, 0, now);
		else
			s = store(true, (unsigned)gid, NULL, 0, now);
	}
	return s->name ? xstrdup(s->name) : xasprintf("%u", (unsigned)gid);
}

void id_names_flush(void)
{
	for (size_t i = 0; i < SLOTS; i++)
		FREE_NULL(slots[i].name);
	for (size_t i = 0; i < SLOTS; i++)
		slots[i].used = false;
}
