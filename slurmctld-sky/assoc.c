/* assoc.c: the association tree and TRES strings; see assoc.h. Storage is in assoc_pack.c. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "assoc.h"
#include "assoc_int.h"
#include "timefmt.h"
#include "xalloc.h"

static const char *const static_tres[TRES_STATIC_CNT] = {
	"cpu", "mem", "energy", "node", "billing", "fs/disk", "vmem", "pages",
};

/* The TRES types that may carry a name after '/', per slurm.md section 6. */
static const char *const named_types[] = { "gres/", "license/", "bb/", "fs/", "ic/" };

void tres_table_init(struct tres_table *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < TRES_STATIC_CNT; i++)
		t->name[i] = xstrdup(static_tres[i]);
	t->n = TRES_STATIC_CNT;
}

void tres_table_clear(struct tres_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		FREE_NULL(t->name[i]);
	t->n = 0;
}

int tres_table_find(const struct tres_table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcasecmp(t->name[i], name))
			return (int)i;
	return -1;
}

int tres_table_add(struct tres_table *t, const char *name, size_t *idx, struct sky_errbuf *eb)
{
	int found = tres_table_find(t, name);
	bool typed = false;
	char *low;

	if (found >= 0) {
		if (idx)
			*idx = (size_t)found;
		return 0;
	}
	for (size_t i = 0; i < sizeof(named_types) / sizeof(named_types[0]); i++) {
		size_t n = strlen(named_types[i]);

		if (!strncasecmp(name, named_types[i], n) && name[n])
			typed = true;
	}
	if (!strcasecmp(name, "cost"))
		typed = true;
	if (!typed)
		return sky_err_set(eb, SKY_E_INVAL, "Invalid TRES type '%s'", name);
	if (t->n >= ASSOC_TRES_MAX)
		return sky_err_set(eb, SKY_E_INVAL, "too many TRES types, cannot add '%s' (max %d)",
				   name, ASSOC_TRES_MAX);
	low = assoc_name_lower(name);
	t->name[t->n] = low;
	if (idx)
		*idx = t->n;
	t->n++;
	return 0;
}

void tres_vec_unset(struct tres_vec *v)
{
	for (size_t i = 0; i < ASSOC_TRES_MAX; i++)
		v->v[i] = ASSOC_UNSET64;
}

/* A count with an optional k/m/g/t/p suffix (1024-based), as slurm_atoull reads. */
static bool parse_count(const char *s, uint64_t *out)
{
	uint64_t v = 0, mult = 1;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p)) {
		unsigned d = (unsigned)(*p++ - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	switch (tolower((unsigned char)*p)) {
	case '\0': break;
	case 'k': mult = UINT64_C(1) << 10; p++; break;
	case 'm': mult = UINT64_C(1) << 20; p++; break;
	case 'g': mult = UINT64_C(1) << 30; p++; break;
	case 't': mult = UINT64_C(1) << 40; p++; break;
	case 'p': mult = UINT64_C(1) << 50; p++; break;
	default: return false;
	}
	if (*p || (v && mult > ASSOC_UNSET64 / v) || v * mult >= ASSOC_UNSET64)
		return false;
	*out = v * mult;
	return true;
}

/* One "name=count" entry of length len at s into *out. */
static int parse_entry(const struct tres_table *t, const char *s, size_t len,
		       struct tres_vec *out, struct sky_errbuf *eb)
{
	char *ent = xstrndup(s, len), *eq = strchr(ent, '='), *val;
	int idx, rc = 0;
	uint64_t count;

	if (!len) {
		rc = sky_err_set(eb, SKY_E_INVAL, "Invalid TRES specification: empty entry");
		goto out;
	}
	if (!eq || eq == ent) {
		rc = sky_err_set(eb, SKY_E_INVAL,
				 "Invalid TRES specification '%s': expected <type>=<count>", ent);
		goto out;
	}
	*eq = '\0';
	val = eq + 1;
	idx = tres_table_find(t, ent);
	if (idx < 0) {
		rc = sky_err_set(eb, SKY_E_INVAL, "Invalid TRES type '%s'", ent);
		goto out;
	}
	if (!strcmp(val, "-1")) {
		out->v[idx] = ASSOC_UNSET64;
		goto out;
	}
	if (idx == TRES_MEM) {
		struct sky_errbuf ign;

		sky_err_clear(&ign);
		if (!*val || mem_str2mb(val, &count, &ign) || count >= ASSOC_UNSET64) {
			rc = sky_err_set(eb, SKY_E_INVAL, "Invalid TRES count '%s' for %s", val, ent);
			goto out;
		}
	} else if (!parse_count(val, &count)) {
		rc = sky_err_set(eb, SKY_E_INVAL, "Invalid TRES count '%s' for %s", val, ent);
		goto out;
	}
	out->v[idx] = count;
out:
	free(ent);
	return rc;
}

int tres_parse(const struct tres_table *t, const char *s, struct tres_vec *out,
	       struct sky_errbuf *eb)
{
	struct tres_vec tmp = *out;
	const char *p = s;

	if (!s || !*s)
		return sky_err_set(eb, SKY_E_INVAL, "Invalid TRES specification: empty string");
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int rc = parse_entry(t, p, len, &tmp, eb);

		if (rc)
			return rc;
		if (!comma)
			break;
		p = comma + 1;
	}
	*out = tmp;
	return 0;
}

/* mem as sacctmgr prints it: the largest exact unit ("10G", "1536M"). */
static void mem_str(uint64_t mb, char **dst)
{
	static const char units[] = "MGTP";
	size_t u = 0;

	while (mb && !(mb % 1024) && u + 1 < sizeof(units) - 1) {
		mb /= 1024;
		u++;
	}
	xstrfmtcat(dst, "%llu%c", (unsigned long long)mb, units[u]);
}

char *tres_vec_str(const struct tres_table *t, const struct tres_vec *v)
{
	char *s = xstrdup("");

	for (size_t i = 0; i < t->n; i++) {
		if (v->v[i] == ASSOC_UNSET64)
			continue;
		xstrfmtcat(&s, "%s%s=", *s ? "," : "", t->name[i]);
		if (i == TRES_MEM)
			mem_str(v->v[i], &s);
		else
			xstrfmtcat(&s, "%llu", (unsigned long long)v->v[i]);
	}
	return s;
}

void assoc_limits_unset(struct assoc_limits *l)
{
	tres_vec_unset(&l->grp_tres);
	tres_vec_unset(&l->grp_tres_mins);
	tres_vec_unset(&l->grp_tres_run_mins);
	tres_vec_unset(&l->max_tres_per_job);
	tres_vec_unset(&l->max_tres_per_node);
	tres_vec_unset(&l->max_tres_mins_per_job);
	l->grp_jobs = l->grp_jobs_accrue = l->grp_submit_jobs = ASSOC_UNSET32;
	l->grp_wall_mins = l->max_jobs = l->max_jobs_accrue = ASSOC_UNSET32;
	l->max_submit_jobs = l->max_wall_mins = l->priority = ASSOC_UNSET32;
}

/* --- lookup by (acct, user, partition) ----------------------------------- */

static uint64_t fnv_str(uint64_t h, const char *s)
{
	for (; s && *s; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(1099511628211);
	}
	/* A separator no name contains, so ("ab", NULL) differs from ("a", "b"). */
	h ^= s ? 0x1fu : 0x2fu;
	return h * UINT64_C(1099511628211);
}

static size_t key_hash(const char *acct, const char *user, const char *part, size_t n)
{
	uint64_t h = UINT64_C(14695981039346656037);

	h = fnv_str(h, acct);
	h = fnv_str(h, user);
	h = fnv_str(h, part);
	return (size_t)(h % n);
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void hash_insert(struct assoc_tree *t, struct assoc *a)
{
	size_t h = key_hash(a->acct, a->user, a->partition, t->n_hash);

	a->hash_next = t->hash[h];
	t->hash[h] = a;
}

static void hash_remove(struct assoc_tree *t, struct assoc *a)
{
	struct assoc **pp = &t->hash[key_hash(a->acct, a->user, a->partition, t->n_hash)];

	while (*pp && *pp != a)
		pp = &(*pp)->hash_next;
	if (*pp)
		*pp = a->hash_next;
}

/* Keep chains short as the tree grows (1k users, 100 accounts and beyond). */
static void hash_grow(struct assoc_tree *t)
{
	if (t->n_assoc < t->n_hash)
		return;
	free(t->hash);
	t->n_hash = t->n_hash * 4;
	t->hash = xcalloc(t->n_hash, sizeof(*t->hash));
	for (size_t i = 1; i < t->cap_id; i++)
		if (t->by_id[i])
			hash_insert(t, t->by_id[i]);
}

struct assoc *assoc_find(const struct assoc_tree *t, const char *acct, const char *user,
			 const char *partition)
{
	struct assoc *a;

	if (!acct)
		return NULL;
	a = t->hash[key_hash(acct, user, partition, t->n_hash)];
	for (; a; a = a->hash_next)
		if (!strcmp(a->acct, acct) && str_eq(a->user, user) &&
		    str_eq(a->partition, partition))
			return a;
	return NULL;
}

struct assoc *assoc_find_for_job(const struct assoc_tree *t, const char *acct,
				 const char *user, const char *partition)
{
	struct assoc *a = NULL;

	if (!user)
		return NULL;
	if (partition)
		a = assoc_find(t, acct, user, partition);
	return a ? a : assoc_find(t, acct, user, NULL);
}

struct assoc *assoc_find_id(const struct assoc_tree *t, uint32_t id)
{
	return id && id < t->cap_id ? t->by_id[id] : NULL;
}

const char *assoc_name(const struct assoc *a)
{
	return a->user ? a->user : a->acct;
}

/* --- structure ----------------------------------------------------------- */

static void child_append(struct assoc *parent, struct assoc *a)
{
	if (parent->n_child == parent->cap_child) {
		parent->cap_child = parent->cap_child ? parent->cap_child * 2 : 4;
		parent->child = xrealloc(parent->child, parent->cap_child * sizeof(*parent->child));
	}
	parent->child[parent->n_child++] = a;
	a->parent = parent;
}

static void child_remove(struct assoc *parent, struct assoc *a)
{
	for (size_t i = 0; i < parent->n_child; i++) {
		if (parent->child[i] != a)
			continue;
		memmove(&parent->child[i], &parent->child[i + 1],
			(parent->n_child - i - 1) * sizeof(*parent->child));
		parent->n_child--;
		break;
	}
	a->parent = NULL;
}

struct assoc *assoc__link(struct assoc_tree *t, uint32_t id, const char *acct,
			  const char *user, const char *part, struct assoc *parent)
{
	struct assoc *a = xmalloc(sizeof(*a));

	if (!id)
		id = t->next_id;
	if (id >= t->cap_id) {
		size_t cap = t->cap_id;

		while (cap <= id)
			cap *= 2;
		t->by_id = xrealloc(t->by_id, cap * sizeof(*t->by_id));
		memset(&t->by_id[t->cap_id], 0, (cap - t->cap_id) * sizeof(*t->by_id));
		t->cap_id = cap;
	}
	if (id >= t->next_id)
		t->next_id = id + 1;
	a->id = id;
	a->acct = xstrdup(acct);
	a->user = xstrdup(user);
	a->partition = xstrdup(part);
	a->shares_raw = 1;
	assoc_limits_unset(&a->lim);
	t->by_id[id] = a;
	t->n_assoc++;
	if (user)
		t->n_user++;
	if (parent)
		child_append(parent, a);
	hash_insert(t, a);
	hash_grow(t);
	return a;
}

struct assoc_tree *assoc_tree_new(void)
{
	struct assoc_tree *t = xmalloc(sizeof(*t));

	tres_table_init(&t->tres);
	t->cap_id = 64;
	t->by_id = xcalloc(t->cap_id, sizeof(*t->by_id));
	t->next_id = 1;
	t->n_hash = 256;
	t->hash = xcalloc(t->n_hash, sizeof(*t->hash));
	t->root = assoc__link(t, 0, "root", NULL, NULL, NULL);
	return t;
}

static void assoc_free_one(struct assoc *a)
{
	free(a->acct);
	free(a->user);
	free(a->partition);
	free(a->qos);
	free(a->def_qos);
	free(a->child);
	free(a);
}

void assoc_tree_free(struct assoc_tree *t)
{
	if (!t)
		return;
	for (size_t i = 1; i < t->cap_id; i++)
		if (t->by_id[i])
			assoc_free_one(t->by_id[i]);
	free(t->by_id);
	free(t->hash);
	tres_table_clear(&t->tres);
	free(t);
}

static int check_shares(uint32_t shares, const char *name, struct sky_errbuf *eb)
{
	/* Slurm keeps shares below INFINITE; only "parent" sits above. */
	if (shares >= ASSOC_UNSET32 && shares != ASSOC_SHARES_PARENT)
		return sky_err_set(eb, SKY_E_INVAL, "Fairshare %u of %s is too large", shares, name);
	return 0;
}

int assoc_add_account(struct assoc_tree *t, const char *acct, const char *parent_acct,
		      uint32_t shares, struct assoc **out, struct sky_errbuf *eb)
{
	struct assoc *parent, *a;
	int rc;

	if (!acct || !*acct)
		return sky_err_set(eb, SKY_E_INVAL, "an account needs a name");
	if ((rc = check_shares(shares, acct, eb)))
		return rc;
	parent = parent_acct ? assoc_find(t, parent_acct, NULL, NULL) : t->root;
	if (!parent)
		return sky_err_set(eb, SKY_E_NOT_FOUND, "parent account '%s' does not exist",
				   parent_acct);
	if (assoc_find(t, acct, NULL, NULL))
		return sky_err_set(eb, SKY_E_DISABLED, "account '%s' already exists", acct);
	a = assoc__link(t, 0, acct, NULL, NULL, parent);
	a->shares_raw = shares;
	if (out)
		*out = a;
	return 0;
}

int assoc_add_user(struct assoc_tree *t, const char *acct, const char *user,
		   const char *partition, uint32_t shares, struct assoc **out,
		   struct sky_errbuf *eb)
{
	struct assoc *parent, *a;
	int rc;

	if (!user || !*user || (partition && !*partition))
		return sky_err_set(eb, SKY_E_INVAL, "a user association needs a user name");
	if ((rc = check_shares(shares, user, eb)))
		return rc;
	parent = acct ? assoc_find(t, acct, NULL, NULL) : NULL;
	if (!parent)
		return sky_err_set(eb, SKY_E_NOT_FOUND, "account '%s' does not exist",
				   acct ? acct : "(null)");
	if (assoc_find(t, acct, user, partition))
		return sky_err_set(eb, SKY_E_DISABLED,
				   "association of user '%s' in account '%s'%s%s already exists",
				   user, acct, partition ? " partition " : "",
				   partition ? partition : "");
	a = assoc__link(t, 0, acct, user, partition, parent);
	a->shares_raw = shares;
	if (out)
		*out = a;
	return 0;
}

int assoc_move_account(struct assoc_tree *t, const char *acct, const char *new_parent,
		       struct sky_errbuf *eb)
{
	struct assoc *a = assoc_find(t, acct, NULL, NULL);
	struct assoc *np = new_parent ? assoc_find(t, new_parent, NULL, NULL) : NULL;

	if (!a)
		return sky_err_set(eb, SKY_E_NOT_FOUND, "account '%s' does not exist", acct);
	if (!np)
		return sky_err_set(eb, SKY_E_NOT_FOUND, "parent account '%s' does not exist",
				   new_parent ? new_parent : "(null)");
	if (a == t->root)
		return sky_err_set(eb, SKY_E_INVAL, "the root account cannot move");
	for (struct assoc *p = np; p; p = p->parent)
		if (p == a)
			return sky_err_set(eb, SKY_E_INVAL,
					   "account '%s' cannot move under its own subtree ('%s')",
					   acct, new_parent);
	if (a->parent == np)
		return 0;
	child_remove(a->parent, a);
	child_append(np, a);
	return 0;
}

static int subtree_busy(const struct assoc *a)
{
	if (a->used_jobs || a->used_submit_jobs)
		return 1;
	for (size_t i = 0; i < a->n_child; i++)
		if (subtree_busy(a->child[i]))
			return 1;
	return 0;
}

static void subtree_free(struct assoc_tree *t, struct assoc *a)
{
	for (size_t i = 0; i < a->n_child; i++)
		subtree_free(t, a->child[i]);
	hash_remove(t, a);
	t->by_id[a->id] = NULL;
	t->n_assoc--;
	if (a->user)
		t->n_user--;
	assoc_free_one(a);
}

int assoc_delete(struct assoc_tree *t, struct assoc *a, struct sky_errbuf *eb)
{
	if (a == t->root)
		return sky_err_set(eb, SKY_E_INVAL, "the root association cannot be removed");
	if (subtree_busy(a))
		return sky_err_set(eb, SKY_E_DISABLED,
				   "Job(s) active, cancel job(s) before remove (%s)", assoc_name(a));
	child_remove(a->parent, a);
	subtree_free(t, a);
	return 0;
}

static int walk(struct assoc *a, int depth, int (*fn)(struct assoc *, int, void *), void *arg)
{
	int rc = fn(a, depth, arg);

	for (size_t i = 0; !rc && i < a->n_child; i++)
		rc = walk(a->child[i], depth + 1, fn, arg);
	return rc;
}

int assoc_foreach(const struct assoc_tree *t,
		  int (*fn)(struct assoc *a, int depth, void *arg), void *arg)
{
	return walk(t->root, 0, fn, arg);
}

char *assoc_name_lower(const char *s)
{
	char *l = xstrdup(s ? s : "");

	for (char *p = l; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return l;
}

void assoc_names_push(char ***v, size_t *n, const char *list)
{
	char *copy = assoc_name_lower(list), *w, *next;

	for (w = copy; w; w = next) {
		if ((next = strchr(w, ',')))
			*next++ = '\0';
		if (!*w)
			continue;
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = xstrdup(w);
	}
	free(copy);
}
