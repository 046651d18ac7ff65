/* qos.c: QOS records, their sacctmgr keys, storage form and counters; see qos.h. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "qos.h"
#include "timefmt.h"
#include "xalloc.h"

static const struct {
	const char *name;
	uint32_t bit;
} qos_flag_names[] = {
	{ "DenyOnLimit", QOS_FLAG_DENY_ON_LIMIT },
	{ "NoDecay", QOS_FLAG_NO_DECAY },
	{ "NoReserve", QOS_FLAG_NO_RESERVE },
	{ "OverPartQOS", QOS_FLAG_OVER_PART_QOS },
	{ "PartitionMaxNodes", QOS_FLAG_PART_MAX_NODE },
	{ "PartitionMinNodes", QOS_FLAG_PART_MIN_NODE },
	{ "PartitionTimeLimit", QOS_FLAG_PART_TIME_LIMIT },
	{ "RequiresReservation", QOS_FLAG_REQUIRE_RESV },
	{ "UsageFactorSafe", QOS_FLAG_USAGE_FACTOR_SAFE },
};
#define N_FLAGS (sizeof(qos_flag_names) / sizeof(qos_flag_names[0]))

static struct qos *qos_new(uint32_t id, const char *name)
{
	struct qos *q = xmalloc(sizeof(*q));

	q->id = id;
	q->name = assoc_name_lower(name);
	q->description = xstrdup(q->name);
	q->usage_factor = 1.0;
	tres_vec_unset(&q->grp_tres);
	tres_vec_unset(&q->max_tres_pj);
	tres_vec_unset(&q->max_tres_pu);
	tres_vec_unset(&q->max_tres_pn);
	q->grp_jobs = q->grp_submit = q->max_jobs_pu = ASSOC_UNSET32;
	q->max_submit_pu = q->max_wall_mins = ASSOC_UNSET32;
	return q;
}

static void users_free(struct qos *q)
{
	for (size_t i = 0; i < q->cap_users; i++)
		free(q->users[i].user);
	FREE_NULL(q->users);
	q->cap_users = q->n_users = 0;
}

static void qos_free(struct qos *q)
{
	free(q->name);
	free(q->description);
	free(q->preempt);
	users_free(q);
	free(q);
}

static void table_append(struct qos_table *t, struct qos *q)
{
	t->v = xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
	t->v[t->n++] = q;
	if (q->id >= t->next_id)
		t->next_id = q->id + 1;
}

struct qos_table *qos_table_new(void)
{
	struct qos_table *t = xmalloc(sizeof(*t));
	struct qos *q;

	t->next_id = 1;
	q = qos_add(t, "normal");
	free(q->description);
	q->description = xstrdup("Normal QOS default");
	return t;
}

void qos_table_free(struct qos_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		qos_free(t->v[i]);
	free(t->v);
	free(t);
}

struct qos *qos_find(const struct qos_table *t, const char *name)
{
	for (size_t i = 0; t && name && i < t->n; i++)
		if (!strcasecmp(t->v[i]->name, name))
			return t->v[i];
	return NULL;
}

struct qos *qos_add(struct qos_table *t, const char *name)
{
	struct qos *q = qos_new(t->next_id, name);

	table_append(t, q);
	return q;
}

void qos_remove(struct qos_table *t, struct qos *q)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->v[i] != q)
			continue;
		memmove(&t->v[i], &t->v[i + 1], (t->n - i - 1) * sizeof(*t->v));
		t->n--;
		qos_free(q);
		return;
	}
}

uint32_t qos_max_priority(const struct qos_table *t)
{
	uint32_t m = 0;

	for (size_t i = 0; t && i < t->n; i++)
		if (t->v[i]->priority > m)
			m = t->v[i]->priority;
	return m;
}

/* ---- keys ---- */

/* Whether s is an item of list (items separated by sep), ignoring case. */
static bool in_list(const char *list, char sep, const char *s)
{
	size_t sl = s ? strlen(s) : 0;

	if (!list || !sl)
		return false;
	for (const char *p = list; *p;) {
		const char *e = strchr(p, sep);
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == sl && !strncasecmp(s, p, l))
			return true;
		if (!e)
			break;
		p = e + 1;
	}
	return false;
}

static bool key_in(const char *key, const char *names)
{
	return in_list(names, '|', key);
}

static int set_u32(const char *key, const char *v, uint32_t *dst, struct sky_errbuf *eb)
{
	char *end;
	long long n;

	if (!strcmp(v, "-1")) {
		*dst = ASSOC_UNSET32;
		return 0;
	}
	errno = 0;
	n = strtoll(v, &end, 10);
	if (!*v || *end || errno || n < 0 || n >= (long long)ASSOC_UNSET32)
		return sky_err_set(eb, SKY_E_INVAL, "Invalid value for %s: %s", key, v);
	*dst = (uint32_t)n;
	return 0;
}

static int set_flags(struct qos *q, char op, const char *v, struct sky_errbuf *eb)
{
	uint32_t bits = 0;
	char *copy = xstrdup(v), *w, *next;
	int rc = 0;

	if (strcmp(v, "-1") && strcasecmp(v, "none"))
		for (w = copy; w; w = next) {
			size_t i;

			if ((next = strchr(w, ',')))
				*next++ = '\0';
			for (i = 0; i < N_FLAGS && strcasecmp(w, qos_flag_names[i].name); i++)
				;
			if (i == N_FLAGS) {
				rc = sky_err_set(eb, SKY_E_INVAL, "Invalid QOS flag: %s", w);
				goto out;
			}
			bits |= qos_flag_names[i].bit;
		}
	q->flags = op == '+' ? q->flags | bits : op == '-' ? q->flags & ~bits : bits;
out:
	free(copy);
	return rc;
}

static int set_factor(const char *key, const char *v, double *dst, struct sky_errbuf *eb)
{
	char *end;
	double d;

	if (!strcmp(v, "-1")) {
		*dst = 1.0;
		return 0;
	}
	errno = 0;
	d = strtod(v, &end);
	if (!*v || *end || errno || !isfinite(d) || d < 0)
		return sky_err_set(eb, SKY_E_INVAL, "Invalid value for %s: %s", key, v);
	*dst = d;
	return 0;
}

static int set_wall(const char *key, const char *v, uint32_t *dst, struct sky_errbuf *eb)
{
	uint32_t m;

	if (!strcmp(v, "-1")) {
		*dst = ASSOC_UNSET32;
		return 0;
	}
	if (time_str2mins(v, &m, NULL))
		return sky_err_set(eb, SKY_E_INVAL, "Invalid value for %s: %s", key, v);
	*dst = m;
	return 0;
}

int qos_apply_key(const struct tres_table *tt, struct qos *q, const char *key, char op,
		  const char *v, struct sky_errbuf *eb)
{
	if (op && !key_in(key, "Flags"))
		return sky_err_set(eb, SKY_E_INVAL, "Invalid option: %s%c=%s", key, op, v);
	if (key_in(key, "Description|Descr")) {
		free(q->description);
		q->description = xstrdup(v);
		return 0;
	}
	if (key_in(key, "Priority")) {
		/* Unset shows as 0 in Slurm, and counts as 0 in the factor. */
		int rc = set_u32(key, v, &q->priority, eb);

		if (!rc && q->priority == ASSOC_UNSET32)
			q->priority = 0;
		return rc;
	}
	if (key_in(key, "Flags"))
		return set_flags(q, op, v, eb);
	if (key_in(key, "UsageFactor"))
		return set_factor(key, v, &q->usage_factor, eb);
	if (key_in(key, "GrpTRES"))
		return tres_parse(tt, v, &q->grp_tres, eb);
	if (key_in(key, "MaxTRES|MaxTRESPerJob|MaxTRESPJ"))
		return tres_parse(tt, v, &q->max_tres_pj, eb);
	if (key_in(key, "MaxTRESPerUser|MaxTRESPU"))
		return tres_parse(tt, v, &q->max_tres_pu, eb);
	if (key_in(key, "MaxTRESPerNode"))
		return tres_parse(tt, v, &q->max_tres_pn, eb);
	if (key_in(key, "GrpJobs"))
		return set_u32(key, v, &q->grp_jobs, eb);
	if (key_in(key, "GrpSubmitJobs|GrpSubmit"))
		return set_u32(key, v, &q->grp_submit, eb);
	if (key_in(key, "MaxJobsPerUser|MaxJobsPU"))
		return set_u32(key, v, &q->max_jobs_pu, eb);
	if (key_in(key, "MaxSubmitJobsPerUser|MaxSubmitPU|MaxSubmitJobsPU"))
		return set_u32(key, v, &q->max_submit_pu, eb);
	if (key_in(key, "MaxWall|MaxWallDurationPerJob"))
		return set_wall(key, v, &q->max_wall_mins, eb);
	if (key_in(key, "Preempt")) {
		FREE_NULL(q->preempt);
		if (strcmp(v, "-1") && *v)
			q->preempt = assoc_name_lower(v);
		return 0;
	}
	if (key_in(key, "GraceTime|PreemptMode|PreemptExemptTime|UsageThreshold|"
		   "MaxJobsPerAccount|MaxJobsPA|MaxSubmitJobsPerAccount|MaxSubmitPA|"
		   "MaxTRESPerAccount|MaxTRESPA"))
		return 0;
	return SKY_E_NOT_FOUND;
}

char *qos_flags_str(uint32_t flags)
{
	char *s = xstrdup("");

	for (size_t i = 0; i < N_FLAGS; i++)
		if (flags & qos_flag_names[i].bit)
			xstrfmtcat(&s, "%s%s", *s ? "," : "", qos_flag_names[i].name);
	return s;
}

/* ---- storage: protobuf QosTable ---- */

static char *tres_or_null(const struct tres_table *tt, const struct tres_vec *v)
{
	char *s = tres_vec_str(tt, v);

	if (!*s)
		FREE_NULL(s);
	return s;
}

Sky__QosTable *qos_table_to_pb(const struct qos_table *t, const struct tres_table *tt)
{
	Sky__QosTable *pb = xmalloc(sizeof(*pb));

	sky__qos_table__init(pb);
	pb->has_next_id = true;
	pb->next_id = t->next_id;
	pb->n_qos = t->n;
	pb->qos = xcalloc(t->n + 1, sizeof(*pb->qos));
	for (size_t i = 0; i < t->n; i++) {
		const struct qos *q = t->v[i];
		Sky__QosRecord *r = xmalloc(sizeof(*r));

		sky__qos_record__init(r);
		r->id = q->id;
		r->name = xstrdup(q->name);
		r->description = xstrdup(q->description);
		r->preempt = xstrdup(q->preempt);
		r->has_priority = r->has_flags = r->has_usage_factor = true;
		r->priority = q->priority;
		r->flags = q->flags;
		r->usage_factor = q->usage_factor;
		r->grp_tres = tres_or_null(tt, &q->grp_tres);
		r->max_tres_pj = tres_or_null(tt, &q->max_tres_pj);
		r->max_tres_pu = tres_or_null(tt, &q->max_tres_pu);
		r->max_tres_pn = tres_or_null(tt, &q->max_tres_pn);
		r->has_grp_jobs = r->has_grp_submit = r->has_max_jobs_pu = true;
		r->has_max_submit_pu = r->has_max_wall_mins = true;
		r->grp_jobs = q->grp_jobs;
		r->grp_submit = q->grp_submit;
		r->max_jobs_pu = q->max_jobs_pu;
		r->max_submit_pu = q->max_submit_pu;
		r->max_wall_mins = q->max_wall_mins;
		pb->qos[i] = r;
	}
	return pb;
}

void qos_pb_free(Sky__QosTable *pb)
{
	if (!pb)
		return;
	for (size_t i = 0; i < pb->n_qos; i++) {
		Sky__QosRecord *r = pb->qos[i];

		free(r->name);
		free(r->description);
		free(r->preempt);
		free(r->grp_tres);
		free(r->max_tres_pj);
		free(r->max_tres_pu);
		free(r->max_tres_pn);
		free(r);
	}
	free(pb->qos);
	free(pb);
}

static int vec_from(const struct tres_table *tt, const char *s, struct tres_vec *v,
		    const char *name, struct sky_errbuf *eb)
{
	if (!s || !*s)
		return 0;
	if (tres_parse(tt, s, v, eb))
		return sky_err_set(eb, SKY_E_STORE, "QOS %s: bad TRES limit", name);
	return 0;
}

int qos_table_from_pb(const Sky__QosTable *pb, const struct tres_table *tt,
		      struct qos_table **out, struct sky_errbuf *eb)
{
	struct qos_table *t = xmalloc(sizeof(*t));
	int rc = 0;

	t->next_id = 1;
	for (size_t i = 0; i < pb->n_qos && !rc; i++) {
		const Sky__QosRecord *r = pb->qos[i];
		struct qos *q;

		if (!r->id || !*r->name || qos_find(t, r->name)) {
			rc = sky_err_set(eb, SKY_E_STORE, "QOS table: bad record '%s'", r->name);
			break;
		}
		q = qos_new(r->id, r->name);
		table_append(t, q);
		if (r->description) {
			free(q->description);
			q->description = xstrdup(r->description);
		}
		q->preempt = xstrdup(r->preempt);
		q->priority = r->priority;
		q->flags = r->flags;
		q->usage_factor = r->has_usage_factor ? r->usage_factor : 1.0;
		if (r->has_grp_jobs)
			q->grp_jobs = r->grp_jobs;
		if (r->has_grp_submit)
			q->grp_submit = r->grp_submit;
		if (r->has_max_jobs_pu)
			q->max_jobs_pu = r->max_jobs_pu;
		if (r->has_max_submit_pu)
			q->max_submit_pu = r->max_submit_pu;
		if (r->has_max_wall_mins)
			q->max_wall_mins = r->max_wall_mins;
		rc = vec_from(tt, r->grp_tres, &q->grp_tres, q->name, eb);
		if (!rc)
			rc = vec_from(tt, r->max_tres_pj, &q->max_tres_pj, q->name, eb);
		if (!rc)
			rc = vec_from(tt, r->max_tres_pu, &q->max_tres_pu, q->name, eb);
		if (!rc)
			rc = vec_from(tt, r->max_tres_pn, &q->max_tres_pn, q->name, eb);
	}
	if (!rc && pb->has_next_id && pb->next_id > t->next_id)
		t->next_id = pb->next_id;
	if (rc) {
		qos_table_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

int qos_table_pack(const struct qos_table *t, const struct tres_table *tt, uint8_t **buf,
		   size_t *len)
{
	Sky__QosTable *pb = qos_table_to_pb(t, tt);

	*len = sky__qos_table__get_packed_size(pb);
	*buf = xmalloc(*len + 1);
	sky__qos_table__pack(pb, *buf);
	qos_pb_free(pb);
	return 0;
}

int qos_table_unpack(const uint8_t *buf, size_t len, const struct tres_table *tt,
		     struct qos_table **out, struct sky_errbuf *eb)
{
	Sky__QosTable *pb = sky__qos_table__unpack(NULL, len, buf);
	int rc;

	if (!pb)
		return sky_err_set(eb, SKY_E_STORE, "QOS table: cannot decode %zu bytes", len);
	rc = qos_table_from_pb(pb, tt, out, eb);
	sky__qos_table__free_unpacked(pb, NULL);
	return rc;
}

/* ---- live counters ---- */

void qos_counts_zero(struct qos_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct qos *q = t->v[i];

		q->used_jobs = q->used_submit = 0;
		memset(q->grp_used_tres, 0, sizeof(q->grp_used_tres));
		for (size_t k = 0; k < q->cap_users; k++) {
			q->users[k].jobs = q->users[k].submit = 0;
			memset(q->users[k].tres, 0, sizeof(q->users[k].tres));
		}
	}
}

static size_t str_hash(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(1099511628211);
	}
	return (size_t)h;
}

static struct qos_user *probe(const struct qos *q, const char *user)
{
	size_t mask = q->cap_users - 1;

	for (size_t i = str_hash(user) & mask;; i = (i + 1) & mask)
		if (!q->users[i].user || !strcmp(q->users[i].user, user))
			return &q->users[i];
}

const struct qos_user *qos_user_find(const struct qos *q, const char *user)
{
	const struct qos_user *u;

	if (!q->cap_users || !user)
		return NULL;
	u = probe(q, user);
	return u->user ? u : NULL;
}

/* Keep the table under half full so probes stay short (1k users and more). */
static void users_grow(struct qos *q)
{
	struct qos_user *old = q->users;
	size_t cap = q->cap_users;

	q->cap_users = cap ? cap * 2 : 16;
	q->users = xcalloc(q->cap_users, sizeof(*q->users));
	for (size_t i = 0; i < cap; i++)
		if (old[i].user)
			*probe(q, old[i].user) = old[i];
	free(old);
}

struct qos_user *qos_user_slot(struct qos *q, const char *user)
{
	struct qos_user *u;

	if ((q->n_users + 1) * 2 > q->cap_users)
		users_grow(q);
	u = probe(q, user);
	if (!u->user) {
		u->user = xstrdup(user);
		q->n_users++;
	}
	return u;
}

/* ---- associations' QOS lists ---- */

const char *qos_assoc_list(const struct assoc *a)
{
	for (; a; a = a->parent)
		if (a->qos)
			return a->qos;
	return "normal";
}

const char *qos_assoc_default(const struct assoc *a)
{
	for (; a; a = a->parent)
		if (a->def_qos)
			return a->def_qos;
	return NULL;
}

bool qos_list_has(const char *list, const char *name)
{
	return in_list(list, ',', name);
}
