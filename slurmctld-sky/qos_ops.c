/*
 * qos_ops.c: sacctmgr add|modify|delete qos and the association QOS keys;
 * see qos_ops.h. Wording follows Slurm's sacctmgr/qos_functions.c where it
 * is known (" Adding QOS(s)", " Modified qos...", " Deleting QOS(s)...",
 * "You gave a bad qos", the lines under "Settings").
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "qos_ops.h"
#include "timefmt.h"
#include "xalloc.h"

/* "Key=Value" -> key (caller frees) and value (borrowed); the operator of "+="/"-=" in *op. */
static int split(const char *w, char **key, char *op, const char **val, struct sky_errbuf *eb)
{
	const char *eq = strchr(w, '=');
	size_t kl;

	if (!eq || eq == w)
		return sky_err_set(eb, SKY_E_INVAL, "Unknown option: %s", w);
	kl = (size_t)(eq - w);
	*op = 0;
	if (kl > 1 && (eq[-1] == '+' || eq[-1] == '-')) {
		*op = eq[-1];
		kl--;
	}
	*key = xstrndup(w, kl);
	*val = eq + 1;
	return 0;
}

static bool is_name_key(const char *key)
{
	return !strcasecmp(key, "Name") || !strcasecmp(key, "Names");
}

/*
 * The settings sacctmgr prints under "Settings" of add qos, in Slurm's order
 * and layout (sacctmgr_print_qos_limits, including its two odd widths).
 * UsageFactor is not among them in Slurm either.
 */
static void limit_lines(struct aop_out *o, const struct tres_table *tt, const struct qos *q)
{
	char buf[64], *s;

	if (*(s = qos_flags_str(q->flags)))
		aop_add_line(o, "  %-24s = %s", "Flags", s);
	free(s);
#define U32(f, n) \
	if (q->f != ASSOC_UNSET32) \
		aop_add_line(o, "  %-24s = %u", n, q->f)
#define TRES(f, n) \
	if (*(s = tres_vec_str(tt, &q->f))) \
		aop_add_line(o, "  %-24s = %s", n, s); \
	free(s)
	U32(grp_jobs, "GrpJobs");
	U32(grp_submit, "GrpSubmitJobs");
	TRES(grp_tres, "GrpTRES");
	if (q->max_jobs_pu != ASSOC_UNSET32)
		aop_add_line(o, "  MaxJobsPerUser = %u", q->max_jobs_pu);
	U32(max_submit_pu, "MaxSubmitJobsPerUser");
	TRES(max_tres_pj, "MaxTRESPerJob");
	TRES(max_tres_pn, "MaxTRESPerNode");
	TRES(max_tres_pu, "MaxTRESPerUser");
#undef U32
#undef TRES
	if (q->max_wall_mins != ASSOC_UNSET32)
		aop_add_line(o, "  %-24s = %s", "MaxWall",
			     mins2time_str_padded(q->max_wall_mins, buf, sizeof(buf)));
	if (q->preempt)
		aop_add_line(o, "  Preempt          = %s", q->preempt);
	if (q->priority)
		aop_add_line(o, "  %-24s = %u", "Priority", q->priority);
}

/* Apply every set word to q; names of "Name=" words go to *names (add only). */
static int apply_set(const struct tres_table *tt, struct qos *q, char **set, size_t n,
		     bool add, char ***names, size_t *n_names, struct sky_errbuf *eb)
{
	for (size_t i = 0; i < n; i++) {
		char *key, op;
		const char *v;
		int rc;

		if ((rc = split(set[i], &key, &op, &v, eb)))
			return rc;
		if (add && is_name_key(key))
			assoc_names_push(names, n_names, v);
		else if ((rc = qos_apply_key(tt, q, key, op, v, eb)) == SKY_E_NOT_FOUND)
			rc = sky_err_set(eb, SKY_E_INVAL, "Unknown option: %s", set[i]);
		free(key);
		if (rc)
			return rc;
	}
	return 0;
}

/* Everything but the identity (and the description, unless given) from src. */
static void copy_settings(struct qos *dst, const struct qos *src, bool desc)
{
	struct qos keep = *dst;

	*dst = *src;
	dst->id = keep.id;
	dst->name = keep.name;
	dst->description = desc ? xstrdup(src->description) : keep.description;
	if (desc)
		free(keep.description);
	dst->preempt = xstrdup(src->preempt);
	dst->users = NULL;        /* src is a fresh record: its counters are all 0 */
	dst->cap_users = dst->n_users = 0;
}

static void names_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int add(struct qos_table *t, const struct tres_table *tt, const struct aop_req *rq,
	       struct aop_out *o, struct sky_errbuf *eb)
{
	uint32_t next_id = t->next_id;
	/* A scratch record the keys are parsed into; it gives back the id it took. */
	struct qos *tmpl = qos_add(t, "\x01template");
	char **names = NULL;
	size_t n_names = 0, added = 0;
	bool has_desc = false;
	int rc;

	for (size_t i = 0; i < rq->n_names; i++)
		assoc_names_push(&names, &n_names, rq->names[i]);
	for (size_t i = 0; i < rq->n_set; i++)
		has_desc |= !strncasecmp(rq->set[i], "Description=", 12);
	if ((rc = apply_set(tt, tmpl, rq->set, rq->n_set, true, &names, &n_names, eb)))
		goto out;
	t->next_id = next_id;
	if (!n_names) {
		rc = sky_err_set(eb, SKY_E_INVAL, "Need name of qos to add.");
		goto out;
	}
	for (size_t i = 0; i < n_names; i++) {
		struct qos *q;

		if (qos_find(t, names[i]))
			continue;
		q = qos_add(t, names[i]);
		copy_settings(q, tmpl, has_desc);
		if (!added++)
			aop_add_line(o, " Adding QOS(s)");
		aop_add_line(o, "  %s", q->name);
	}
	if (!added) {
		aop_add_line(o, " Nothing new added.");
		goto out;
	}
	aop_add_line(o, " Settings");
	aop_add_line(o, "  Description    = %s", has_desc ? tmpl->description : "QOS Name");
	limit_lines(o, tt, tmpl);
	o->changed = true;
out:
	qos_remove(t, tmpl);
	names_free(names, n_names);
	return rc;
}

/* The QOS a modify or delete names (positional names and where Name=). */
static int select_qos(struct qos_table *t, const struct aop_req *rq, struct qos ***hits,
		      size_t *n_hits, struct sky_errbuf *eb)
{
	char **names = NULL;
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; i < rq->n_names; i++)
		assoc_names_push(&names, &n, rq->names[i]);
	for (size_t i = 0; i < rq->n_where && !rc; i++) {
		char *key, op;
		const char *v;

		if ((rc = split(rq->where[i], &key, &op, &v, eb)))
			break;
		if (is_name_key(key))
			assoc_names_push(&names, &n, v);
		else if (strcasecmp(key, "Cluster") && strcasecmp(key, "Clusters"))
			rc = sky_err_set(eb, SKY_E_INVAL, "Unknown condition: %s", rq->where[i]);
		free(key);
	}
	if (!rc && !n)
		rc = sky_err_set(eb, SKY_E_INVAL, "No conditions given");
	*hits = NULL;
	*n_hits = 0;
	for (size_t i = 0; i < t->n && !rc; i++)
		for (size_t k = 0; k < n; k++)
			if (!strcmp(t->v[i]->name, names[k])) {
				*hits = xrealloc(*hits, (*n_hits + 1) * sizeof(**hits));
				(*hits)[(*n_hits)++] = t->v[i];
				break;
			}
	names_free(names, n);
	return rc;
}

static int modify(struct qos_table *t, const struct tres_table *tt, const struct aop_req *rq,
		  struct aop_out *o, struct sky_errbuf *eb)
{
	struct qos **hits = NULL;
	size_t n = 0;
	int rc;

	if (!rq->n_set)
		return sky_err_set(eb, SKY_E_INVAL, "You didn't give me anything to set");
	if ((rc = select_qos(t, rq, &hits, &n, eb)))
		goto out;
	for (size_t h = 0; h < n && !rc; h++)
		rc = apply_set(tt, hits[h], rq->set, rq->n_set, false, NULL, NULL, eb);
	if (rc)
		goto out;
	if (!n) {
		aop_add_line(o, " Nothing modified");
		goto out;
	}
	aop_add_line(o, " Modified qos...");
	for (size_t h = 0; h < n; h++)
		aop_add_line(o, "  %s", hits[h]->name);
	o->changed = true;
out:
	free(hits);
	return rc;
}

struct defq {
	const char *name;
	struct aop_out *o;
	const char *cluster;
	bool found;
};

static int default_of(struct assoc *a, int depth, void *arg)
{
	struct defq *d = arg;

	(void)depth;
	if (!a->def_qos || strcmp(a->def_qos, d->name))
		return 0;
	if (!d->found)
		aop_add_line(d->o, " Associations listed below have these as their Default QOS.");
	d->found = true;
	if (a->user)
		aop_add_line(d->o, "  DefQOS = %-10s A = %-20s U = %-9s", a->def_qos, a->acct,
			     a->user);
	else
		aop_add_line(d->o, "  DefQOS = %-10s A = %-20s", a->def_qos, a->acct);
	return 0;
}

static int delete(struct qos_table *t, const struct assoc_tree *tree, const struct aop_req *rq,
		  struct aop_out *o, struct sky_errbuf *eb)
{
	struct qos **hits = NULL;
	size_t n = 0;
	bool in_use = false;
	int rc;

	if ((rc = select_qos(t, rq, &hits, &n, eb))) {
		if (!rq->n_names && !rq->n_where) {
			sky_err_clear(eb);
			rc = sky_err_set(eb, SKY_E_INVAL,
					 "No conditions given to remove, not executing.");
		}
		goto out;
	}
	if (!n) {
		aop_add_line(o, " Nothing deleted");
		goto out;
	}
	for (size_t h = 0; h < n && tree; h++) {
		struct defq d = { hits[h]->name, o, NULL, false };

		assoc_foreach(tree, default_of, &d);
		in_use |= d.found;
	}
	if (in_use) {
		rc = sky_err_set(eb, SKY_E_DISABLED,
				 "Please either remove the qos' listed above from list and "
				 "resubmit, or change the default qos to remove the qos.");
		goto out;
	}
	aop_add_line(o, " Deleting QOS(s)...");
	for (size_t h = 0; h < n; h++) {
		aop_add_line(o, "  %s", hits[h]->name);
		qos_remove(t, hits[h]);
	}
	o->changed = true;
out:
	free(hits);
	return rc;
}

int qos_op_run(struct qos_table *t, const struct assoc_tree *tree, const struct aop_req *rq,
	       struct aop_out *o, struct sky_errbuf *eb)
{
	const struct tres_table *tt = &tree->tres;

	if (!strcasecmp(rq->op, "add"))
		return add(t, tt, rq, o, eb);
	if (!strcasecmp(rq->op, "modify"))
		return modify(t, tt, rq, o, eb);
	if (!strcasecmp(rq->op, "delete"))
		return delete(t, tree, rq, o, eb);
	return sky_err_set(eb, SKY_E_INVAL, "Unknown operation: %s", rq->op);
}

/* ---- association keys ---- */

/* Every name of list must be a QOS of t; the lower-cased list (caller frees). */
static int check_names(const struct qos_table *t, const char *list, char **out,
		       struct sky_errbuf *eb)
{
	char **v = NULL;
	size_t n = 0;
	int rc = 0;

	*out = NULL;
	assoc_names_push(&v, &n, list);
	for (size_t i = 0; i < n && !rc; i++) {
		if (t && !qos_find(t, v[i]))
			rc = sky_err_set(eb, SKY_E_INVAL,
					 "You gave a bad qos '%s'.  Use 'list qos' to get "
					 "complete list.", v[i]);
		else if (!qos_list_has(*out, v[i]))
			xstrfmtcat(out, "%s%s", *out ? "," : "", v[i]);
	}
	names_free(v, n);
	if (rc)
		FREE_NULL(*out);
	return rc;
}

/* base with the names of add appended (op '+') or removed (op '-'); caller frees. */
static char *list_edit(const char *base, const char *names, char op)
{
	char **v = NULL, *out = NULL;
	size_t n = 0;

	assoc_names_push(&v, &n, base);
	for (size_t i = 0; i < n; i++)
		if (op == '+' || !qos_list_has(names, v[i]))
			xstrfmtcat(&out, "%s%s", out ? "," : "", v[i]);
	names_free(v, n);
	if (op == '+') {
		v = NULL;
		n = 0;
		assoc_names_push(&v, &n, names);
		for (size_t i = 0; i < n; i++)
			if (!qos_list_has(out, v[i]))
				xstrfmtcat(&out, "%s%s", out ? "," : "", v[i]);
		names_free(v, n);
	}
	return out ? out : xstrdup("");
}

int qos_assoc_apply(const struct qos_table *t, struct assoc *a, const char *key,
		    const char *v, struct sky_errbuf *eb)
{
	size_t kl = strlen(key);
	char op = kl > 3 && (key[kl - 1] == '+' || key[kl - 1] == '-') ? key[kl - 1] : 0;
	char *names;
	int rc;

	if (!strcasecmp(key, "DefaultQOS") || !strcasecmp(key, "DefQOS")) {
		if (!strcmp(v, "-1") || !*v) {
			FREE_NULL(a->def_qos);
			return 0;
		}
		if ((rc = check_names(t, v, &names, eb)))
			return rc;
		free(a->def_qos);
		a->def_qos = names;
		return 0;
	}
	if (strncasecmp(key, "QOS", 3) || kl != 3u + (op != 0))
		return SKY_E_NOT_FOUND;
	if (!op && (!strcmp(v, "-1") || !*v)) {
		FREE_NULL(a->qos);
		return 0;
	}
	if ((rc = check_names(t, v, &names, eb)))
		return rc;
	if (op) {
		char *l = list_edit(qos_assoc_list(a), names, op);

		free(names);
		names = l;
	}
	free(a->qos);
	a->qos = names;
	return 0;
}

int qos_assoc_apply_all(const struct qos_table *t, struct assoc *a, char **set, size_t n,
			struct sky_errbuf *eb)
{
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(set[i], '=');
		char *key;
		int rc;

		if (!eq)
			continue;
		key = xstrndup(set[i], (size_t)(eq - set[i]));
		rc = qos_assoc_apply(t, a, key, eq + 1, eb);
		free(key);
		if (rc && rc != SKY_E_NOT_FOUND)
			return rc;
	}
	return 0;
}
