/* job_depend.c: see job_depend.h. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ctld.h"
#include "job_depend.h"
#include "job_mail.h"
#include "log.h"
#include "xalloc.h"

enum dep_type { DEP_AFTER, DEP_ANY, DEP_OK, DEP_NOTOK, DEP_CORR, DEP_BB, DEP_SINGLETON };
enum dep_status { DEP_UNFULFILLED, DEP_FAILED, DEP_FULFILLED };
enum dep_target { TGT_JOB, TGT_TASK, TGT_ALL_TASKS };

struct dep_term {
	enum dep_type type;
	enum dep_target tgt;
	uint32_t id, task;
	uint32_t min;              /* after:id+min */
	enum dep_status st;
};

struct dep_list {
	struct dep_term *v;        /* owned */
	size_t n, cap;
	char sep;                  /* ',' all, '?' any */
};

/* What the settled list means for the job. */
enum dep_outcome { DEP_SATISFIED, DEP_WAITING, DEP_NEVER };

static const struct {
	const char *name;
	enum dep_type type;
} dep_names[] = {
	{ "after", DEP_AFTER }, { "afterany", DEP_ANY }, { "afterok", DEP_OK },
	{ "afternotok", DEP_NOTOK }, { "aftercorr", DEP_CORR }, { "afterburstbuffer", DEP_BB },
	{ "singleton", DEP_SINGLETON },
};

static const char *type_name(enum dep_type t)
{
	for (size_t i = 0; i < sizeof(dep_names) / sizeof(dep_names[0]); i++)
		if (dep_names[i].type == t)
			return dep_names[i].name;
	return "?";
}

static bool read_u32(const char **p, uint32_t *out)
{
	unsigned long long v = 0;
	const char *s = *p;

	if (!isdigit((unsigned char)*s))
		return false;
	for (; isdigit((unsigned char)*s); s++)
		if ((v = v * 10 + (unsigned)(*s - '0')) > UINT32_MAX)
			return false;
	*p = s;
	*out = (uint32_t)v;
	return true;
}

static void list_add(struct dep_list *l, const struct dep_term *t)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 4;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = *t;
}

/* "N", "N_M" or "N_*", then "+min" (after only), ending at end. */
static bool parse_target(const char *p, const char *end, struct dep_term *t)
{
	if (!read_u32(&p, &t->id) || !t->id)
		return false;
	t->tgt = TGT_JOB;
	if (p < end && *p == '_') {
		p++;
		if (p < end && *p == '*') {
			t->tgt = TGT_ALL_TASKS;
			p++;
		} else if (read_u32(&p, &t->task)) {
			t->tgt = TGT_TASK;
		} else {
			return false;
		}
	}
	/* "+min" only means something for after, but Slurm (22.05) takes and
	 * shows it on every type, so scripts written for it keep working. */
	if (p < end && *p == '+') {
		p++;
		if (!read_u32(&p, &t->min))
			return false;
	}
	return p == end;
}

/* One element: "singleton", "N" (old form: afterany), "type:t[:t...]", each maybe "(status)". */
static bool parse_elem(const char *e, const char *end, struct dep_list *l)
{
	struct dep_term t = { .st = DEP_UNFULFILLED };
	const char *paren = memchr(e, '(', (size_t)(end - e)), *colon;
	size_t i;

	if (paren) {
		size_t n = (size_t)(end - paren);
		if (n == 13 && !memcmp(paren, "(unfulfilled)", n))
			t.st = DEP_UNFULFILLED;
		else if (n == 8 && !memcmp(paren, "(failed)", n))
			t.st = DEP_FAILED;
		else
			return false;
		end = paren;
	}
	if (isdigit((unsigned char)*e)) {
		t.type = DEP_ANY;
		if (!parse_target(e, end, &t))
			return false;
		list_add(l, &t);
		return true;
	}
	colon = memchr(e, ':', (size_t)(end - e));
	for (i = 0; i < sizeof(dep_names) / sizeof(dep_names[0]); i++)
		if (strlen(dep_names[i].name) == (size_t)((colon ? colon : end) - e) &&
		    !strncmp(e, dep_names[i].name, (size_t)((colon ? colon : end) - e)))
			break;
	if (i == sizeof(dep_names) / sizeof(dep_names[0]))
		return false;
	t.type = dep_names[i].type;
	if (t.type == DEP_SINGLETON) {
		if (colon)
			return false;
		list_add(l, &t);
		return true;
	}
	if (!colon)
		return false;
	for (const char *p = colon + 1; p <= end;) {
		const char *next = memchr(p, ':', (size_t)(end - p));
		const char *stop = next ? next : end;
		if (!parse_target(p, stop, &t))
			return false;
		list_add(l, &t);
		p = stop + 1;
	}
	return true;
}

/* Either form (what users write, or dependency_left); false on a syntax error. */
static bool dep_parse(const char *s, struct dep_list *l)
{
	bool and = strchr(s, ',') != NULL, or = strchr(s, '?') != NULL;
	const char *p = s;

	memset(l, 0, sizeof(*l));
	if (and && or)
		return false;   /* Slurm: only one kind of separator */
	l->sep = or ? '?' : ',';
	while (*p) {
		const char *next = strchr(p, l->sep);
		const char *end = next ? next : p + strlen(p);
		if (end == p || !parse_elem(p, end, l))
			return false;
		if (next && !next[1])
			return false;
		p = next ? next + 1 : end;
	}
	return l->n > 0;
}

static char *dep_format(const struct dep_list *l)
{
	char *out = xstrdup("");

	for (size_t i = 0; i < l->n; i++) {
		const struct dep_term *t = &l->v[i];
		const char *st = t->st == DEP_FAILED ? "failed" : "unfulfilled";

		if (i)
			xstrfmtcat(&out, "%c", l->sep);
		if (t->type == DEP_SINGLETON) {
			xstrfmtcat(&out, "singleton(%s)", st);
			continue;
		}
		xstrfmtcat(&out, "%s:%u", type_name(t->type), t->id);
		if (t->tgt == TGT_TASK)
			xstrfmtcat(&out, "_%u", t->task);
		else if (t->tgt == TGT_ALL_TASKS)
			xstrfmtcat(&out, "_*");
		if (t->min)
			xstrfmtcat(&out, "+%u", t->min);
		xstrfmtcat(&out, "(%s)", st);
	}
	return out;
}

/* ---- targets ---- */

static bool is_array_master(const struct job *j)
{
	return j && j->rec->has_array_task_id && j->rec->array_job_id == j->rec->job_id;
}

static struct job *find_task(struct ctld *c, uint32_t array_id, uint32_t task)
{
	struct job *j;

	JOB_FOREACH(&c->jobs, j)
		if (j->rec->has_array_task_id && j->rec->array_job_id == array_id &&
		    j->rec->array_task_id == task)
			return j;
	return NULL;
}

static bool target_exists(struct ctld *c, const struct dep_term *t)
{
	switch (t->tgt) {
	case TGT_TASK:
		return find_task(c, t->id, t->task) != NULL;
	case TGT_ALL_TASKS:
		return is_array_master(job_find(&c->jobs, t->id));
	default:
		return job_find(&c->jobs, t->id) != NULL;
	}
}

static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, word, n) && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

int job_depend_check(struct ctld *c, const Sky__JobDesc *d, char **left, struct sky_errbuf *eb)
{
	struct dep_list l;

	*left = NULL;
	/* Empty or "0" means no dependency (and clears one, for updates). */
	if (!d->dependency || !*d->dependency || !strcmp(d->dependency, "0"))
		return 0;
	if (!dep_parse(d->dependency, &l)) {
		free(l.v);
		return sky_err_set(eb, SKY_E_DEPENDENCY, "%s", sky_strerror(SKY_E_DEPENDENCY));
	}
	for (size_t i = 0; i < l.n; i++) {
		struct dep_term *t = &l.v[i];
		if (t->type == DEP_SINGLETON)
			continue;
		/* A plain id naming an array's master means every task ("N_*"). */
		if (t->tgt == TGT_JOB && is_array_master(job_find(&c->jobs, t->id)))
			t->tgt = TGT_ALL_TASKS;
		if ((t->type == DEP_OK || t->type == DEP_NOTOK || t->type == DEP_CORR) &&
		    !target_exists(c, t)) {
			log_info("dependency %s: job %u is unknown", d->dependency, t->id);
			free(l.v);
			return sky_err_set(eb, SKY_E_DEPENDENCY, "%s", sky_strerror(SKY_E_DEPENDENCY));
		}
	}
	*left = dep_format(&l);
	free(l.v);
	return 0;
}

/* ---- evaluation ---- */

static bool ended_ok(const struct job *j)
{
	return j->rec->state == SKY__JOB_STATE__JOB_COMPLETE;
}

static enum dep_status eval_singleton(struct ctld *c, const struct job *self)
{
	const Sky__JobRecord *me = self->rec;
	struct job *o;

	JOB_FOREACH(&c->jobs, o) {
		const Sky__JobRecord *x = o->rec;
		if (o == self || x->user_id != me->user_id || !x->desc->name || !me->desc->name ||
		    strcmp(x->desc->name, me->desc->name))
			continue;
		if (job_is_running(o) || job_is_completing(o))
			return DEP_UNFULFILLED;
		/* An earlier singleton job of the same name goes first. */
		if (job_is_pending(o) && x->job_id < me->job_id && x->desc->dependency &&
		    strstr(x->desc->dependency, "singleton"))
			return DEP_UNFULFILLED;
	}
	return DEP_FULFILLED;
}

/* The jobs a term waits for. Caller frees the vector. */
static size_t term_targets(struct ctld *c, const struct job *self, const struct dep_term *t,
			   struct job ***out)
{
	struct job **v = NULL, *j;
	size_t n = 0;

	if (t->type == DEP_CORR && self->rec->has_array_task_id && t->tgt != TGT_JOB) {
		if ((j = find_task(c, t->id, self->rec->array_task_id))) {
			v = xmalloc(sizeof(*v));
			v[n++] = j;
		}
	} else if (t->tgt == TGT_ALL_TASKS) {
		v = xcalloc(c->jobs.count + 1, sizeof(*v));
		JOB_FOREACH(&c->jobs, j)
			if (j->rec->has_array_task_id && j->rec->array_job_id == t->id)
				v[n++] = j;
	} else if ((j = t->tgt == TGT_TASK ? find_task(c, t->id, t->task) : job_find(&c->jobs, t->id))) {
		v = xmalloc(sizeof(*v));
		v[n++] = j;
	}
	*out = v;
	return n;
}

static enum dep_status eval_term(struct ctld *c, const struct job *self, const struct dep_term *t,
				 time_t now)
{
	struct job **v;
	size_t n, i, finished = 0, bad = 0;
	enum dep_status st = DEP_FULFILLED;

	if (t->st != DEP_UNFULFILLED)
		return t->st;
	if (t->type == DEP_SINGLETON)
		return eval_singleton(c, self);
	/* A job purged from memory (or never known, for after/afterany) no longer
	 * holds anyone back: Slurm clears such dependencies too. */
	if (!(n = term_targets(c, self, t, &v)))
		return DEP_FULFILLED;
	for (i = 0; i < n; i++) {
		const Sky__JobRecord *x = v[i]->rec;
		if (job_is_finished(v[i])) {
			finished++;
			bad += !ended_ok(v[i]);
		}
		if (t->type == DEP_AFTER &&
		    (job_is_pending(v[i]) ||
		     (t->min && x->start_time && x->start_time + 60ull * t->min > (uint64_t)now)))
			st = DEP_UNFULFILLED;
	}
	free(v);
	switch (t->type) {
	case DEP_AFTER:
		return st;
	case DEP_OK:
	case DEP_CORR:
		return bad ? DEP_FAILED : finished == n ? DEP_FULFILLED : DEP_UNFULFILLED;
	case DEP_NOTOK:
		return finished < n ? DEP_UNFULFILLED : bad ? DEP_FULFILLED : DEP_FAILED;
	default:
		return finished == n ? DEP_FULFILLED : DEP_UNFULFILLED;
	}
}

/* Drop satisfied terms (',') or everything once one is satisfied ('?'). */
static enum dep_outcome settle(struct dep_list *l)
{
	size_t i, u = 0, failed = 0;

	for (i = 0; i < l->n; i++)
		if (l->sep == '?' && l->v[i].st == DEP_FULFILLED) {
			l->n = 0;
			return DEP_SATISFIED;
		}
	for (i = 0; i < l->n; i++) {
		if (l->v[i].st == DEP_FULFILLED)
			continue;
		failed += l->v[i].st == DEP_FAILED;
		l->v[u++] = l->v[i];
	}
	l->n = u;
	if (!u)
		return DEP_SATISFIED;
	if (l->sep == ',' ? failed > 0 : failed == u)
		return DEP_NEVER;
	return DEP_WAITING;
}

/* Re-evaluate j; true when its record changed. */
static bool update_job(struct ctld *c, struct job *j, time_t now, bool kill_all)
{
	Sky__JobRecord *r = j->rec;
	struct dep_list l;
	enum dep_outcome out;
	char *text;
	bool changed;

	if (!dep_parse(r->dependency_left, &l)) {
		log_error("job %u: unreadable dependency '%s' dropped", r->job_id, r->dependency_left);
		free(l.v);
		job_set_str(&r->dependency_left, "");
		return true;
	}
	for (size_t i = 0; i < l.n; i++)
		l.v[i].st = eval_term(c, j, &l.v[i], now);
	out = settle(&l);
	text = dep_format(&l);
	free(l.v);
	changed = strcmp(text, r->dependency_left) != 0;
	if (changed) {
		log_debug("job %u: dependency %s -> %s", r->job_id, r->dependency_left,
			  *text ? text : "(none)");
		free(r->dependency_left);
		r->dependency_left = text;
	} else {
		free(text);
	}
	if (out == DEP_NEVER)
		job_mail_event(c, j, MAIL_INVALID_DEPEND);
	if (out == DEP_NEVER && (kill_all || (r->desc->has_kill_on_invalid_dep &&
					      r->desc->kill_on_invalid_dep))) {
		log_info("job %u: dependency never satisfied, cancelled", r->job_id);
		job_end(c, j, SKY__JOB_STATE__JOB_CANCELLED, now);
		job_set_reason(j, REASON_DEPENDENCY_NEVER);
		changed = true;
	}
	return changed;
}

void job_depend_update(struct ctld *c, time_t now)
{
	bool kill_all = has_word(c->conf->sched_params, "kill_invalid_depend");
	struct job **dirty = NULL, *j;
	struct store_txn *t = NULL;
	struct sky_errbuf eb;
	size_t n = 0, i;

	JOB_FOREACH(&c->jobs, j) {
		if (!job_is_pending(j) || !j->rec->dependency_left || !*j->rec->dependency_left)
			continue;
		if (!update_job(c, j, now, kill_all))
			continue;
		if (!dirty)
			dirty = xcalloc(c->jobs.count + 1, sizeof(*dirty));
		dirty[n++] = j;
	}
	if (!n)
		return;
	sky_err_clear(&eb);
	if (store_begin(c->store, true, &t, &eb))
		goto fail;
	for (i = 0; i < n; i++)
		if (job_save(c, dirty[i], t, &eb)) {
			store_abort(t);
			goto fail;
		}
	if (!store_commit(t, &eb))
		goto out;
fail:
	/* Memory is ahead of the store; the next change of these jobs saves it. */
	log_error("cannot save the dependency state of %zu jobs: %s", n, sky_err_msg(&eb));
out:
	free(dirty);
}

const char *job_depend_blocker(const struct job *j)
{
	const char *left = j->rec->dependency_left;

	if (!left || !*left)
		return NULL;
	if (strchr(left, '?'))
		return strstr(left, "(unfulfilled)") ? REASON_DEPENDENCY : REASON_DEPENDENCY_NEVER;
	return strstr(left, "(failed)") ? REASON_DEPENDENCY_NEVER : REASON_DEPENDENCY;
}
