/* task_yaml.c: see task_yaml.h. */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "env_export.h"
#include "log.h"
#include "opt_parse.h"
#include "task_yaml.h"
#include "xalloc.h"

struct task_env {
	char *name, *value;
};

struct task_yaml {
	char *setup, *run;           /* NULL when absent */
	struct task_env *env;
	size_t n_env;
	char *infra;                 /* resources.infra, or cloud/region/zone */
	bool use_spot;
	char *accelerators;          /* NAME:COUNT */
};

/* The walk over one document. */
struct ty {
	const char *file;
	yaml_document_t *doc;
	struct sbatch_opts *o;
	struct task_yaml *t;
	char *const *environ;
	struct sky_errbuf *eb;
};

/* Where resources.cloud/region/zone were seen, to join them once the mapping is read. */
struct cloud_parts {
	const char *v[3];
	int line;
};

/* Counts are small and positive: no libm for this. */
static double ceil_pos(double v)
{
	double i = (double)(uint64_t)v;
	return i < v ? i + 1 : i;
}

static int line_of(const yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 1;
}

static int ty_err(struct ty *y, const yaml_node_t *n, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "<file>:<line>: <field>: <what>", the one shape of every schema error. */
static int ty_err(struct ty *y, const yaml_node_t *n, const char *field, const char *fmt, ...)
{
	va_list ap;
	char *what;
	int rc;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	rc = sky_err_set(y->eb, SKY_E_SCRIPT_INVALID, "%s:%d: %s: %s", y->file, line_of(n), field,
			 what);
	free(what);
	return rc;
}

static yaml_node_t *node(struct ty *y, int id)
{
	return yaml_document_get_node(y->doc, id);
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A plain null: "", "~", "null" (YAML 1.1 core spellings). Quoted strings are never null. */
static bool is_null(const yaml_node_t *n)
{
	const char *s = scalar(n);

	if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

/* A string field: any scalar (YAML numbers are text to us). Borrowed; NULL after an error. */
static const char *want_str(struct ty *y, const yaml_node_t *n, const char *field)
{
	const char *s = scalar(n);

	if (!s)
		ty_err(y, n, field, "expected a string");
	return s;
}

static int set_opt(struct ty *y, const yaml_node_t *n, const char *field, const char *opt,
		   const char *val)
{
	struct sky_errbuf tmp;

	sky_err_clear(&tmp);
	if (opt_set(y->o, opt, val, OPT_SRC_SCRIPT, &tmp))
		return ty_err(y, n, field, "%s", sky_err_msg(&tmp));
	return 0;
}

/* A positive decimal number ("8", "0.5"); false for anything else. */
static bool parse_count(const char *s, size_t len, double *out)
{
	char buf[64], *end;
	double v;

	if (!len || len >= sizeof(buf) || !isdigit((unsigned char)s[0]))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	v = strtod(buf, &end);
	if (*end || !(v > 0) || v > 1e9)
		return false;
	*out = v;
	return true;
}

/* ---- resources ---- */

/* NAME[:COUNT] into the task's accelerators and --gres=gpu:name:ceil(count). */
static int accel_one(struct ty *y, const yaml_node_t *at, const char *shown, const char *name,
		     size_t nlen, const char *count)
{
	const char *field = "resources.accelerators";
	double c = 1;
	char *lower, *gres;
	int rc;

	for (size_t i = 0; i < nlen; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("-_.", name[i]))
			nlen = 0;
	if (!nlen || (count && !parse_count(count, strlen(count), &c)))
		return ty_err(y, at, field, "expected NAME:COUNT, got '%s'", shown);
	lower = xstrndup(name, nlen);
	for (char *p = lower; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	gres = xasprintf("gpu:%s:%.0f", lower, ceil_pos(c));
	free(y->t->accelerators);
	y->t->accelerators = xasprintf("%.*s:%g", (int)nlen, name, c);
	rc = set_opt(y, at, field, "gres", gres);
	free(gres);
	free(lower);
	return rc;
}

static int accel_scalar(struct ty *y, const yaml_node_t *n)
{
	const char *s = scalar(n), *colon = strchr(s, ':');

	return accel_one(y, n, s, s, colon ? (size_t)(colon - s) : strlen(s), colon ? colon + 1 : NULL);
}

static int accel_pair(struct ty *y, const yaml_node_t *k, const yaml_node_t *v)
{
	char *shown = xasprintf("%s: %s", scalar(k), scalar(v));
	int rc = accel_one(y, v, shown, scalar(k), strlen(scalar(k)), scalar(v));

	free(shown);
	return rc;
}

/* "A100:8", {A100: 8}, or a one-element list of either; several candidates need the optimizer. */
static int f_accelerators(struct ty *y, const yaml_node_t *n)
{
	const char *field = "resources.accelerators";

	if (n->type == YAML_SCALAR_NODE)
		return is_null(n) ? 0 : accel_scalar(y, n);
	if (n->type == YAML_MAPPING_NODE) {
		yaml_node_pair_t *p = n->data.mapping.pairs.start;
		const yaml_node_t *k, *v;
		if (n->data.mapping.pairs.top - p != 1)
			return ty_err(y, n, field, "choosing among several accelerators is not "
				      "supported, give one NAME:COUNT");
		k = node(y, p->key);
		v = node(y, p->value);
		if (!scalar(k) || (v && !scalar(v)))
			return ty_err(y, n, field, "expected NAME:COUNT");
		/* {A100:8} is a set of one "A100:8"; {A100: 8} maps the name to its count. */
		if (!v || is_null(v))
			return accel_scalar(y, k);
		if (strchr(scalar(k), ':'))
			return ty_err(y, k, field, "expected NAME:COUNT, got '%s'", scalar(k));
		return accel_pair(y, k, v);
	}
	if (n->data.sequence.items.top - n->data.sequence.items.start != 1)
		return ty_err(y, n, field,
			      "choosing among several accelerators is not supported, give one NAME:COUNT");
	return f_accelerators(y, node(y, *n->data.sequence.items.start));
}

/* cpus: "4" (exactly) or "4+" (at least): on a cluster both are a per-node minimum. */
static int f_cpus(struct ty *y, const yaml_node_t *n)
{
	const char *s = want_str(y, n, "resources.cpus");
	size_t len;
	double c;
	char buf[32];

	if (!s)
		return SKY_E_SCRIPT_INVALID;
	len = strlen(s);
	if (len && s[len - 1] == '+')
		len--;
	if (!parse_count(s, len, &c))
		return ty_err(y, n, "resources.cpus", "expected a count such as 4 or 4+, got '%s'", s);
	snprintf(buf, sizeof(buf), "%.0f", ceil_pos(c));
	return set_opt(y, n, "resources.cpus", "cpus-per-task", buf);
}

/* memory: GB by default, or KB/MB/GB/TB/PB (base 2, the B optional), with an optional '+'. */
static int f_memory(struct ty *y, const yaml_node_t *n)
{
	static const char units[] = "KMGTP";
	const char *field = "resources.memory", *s = want_str(y, n, field), *u;
	size_t len;
	double v, mb;
	char buf[32];

	if (!s)
		return SKY_E_SCRIPT_INVALID;
	len = strlen(s);
	if (len && s[len - 1] == '+')
		len--;
	if (len && (s[len - 1] == 'x' || s[len - 1] == 'X'))
		return ty_err(y, n, field, "a multiple of the CPU count ('%s') is not supported", s);
	if (len && (s[len - 1] == 'b' || s[len - 1] == 'B'))
		len--;
	u = len ? strchr(units, toupper((unsigned char)s[len - 1])) : NULL;
	if (u && *u)
		len--;
	else
		u = strchr(units, 'G');
	if (!parse_count(s, len, &v))
		return ty_err(y, n, field, "expected a size in GB such as 32 or 32+, got '%s'", s);
	mb = v / 1024;
	for (const char *q = units; q < u; q++)
		mb *= 1024;
	mb = ceil_pos(mb);
	snprintf(buf, sizeof(buf), "%.0fM", mb < 1 ? 1 : mb);
	return set_opt(y, n, field, "mem", buf);
}

static int f_use_spot(struct ty *y, const yaml_node_t *n)
{
	static const char *const yes[] = { "true", "yes", "on" }, *const no[] = { "false", "no", "off" };
	const char *s = scalar(n);

	for (size_t i = 0; s && i < 3; i++) {
		if (!strcasecmp(s, yes[i]) || !strcasecmp(s, no[i])) {
			y->t->use_spot = !strcasecmp(s, yes[i]);
			return 0;
		}
	}
	return ty_err(y, n, "resources.use_spot", "expected true or false, got '%s'", s ? s : "");
}

static int f_infra(struct ty *y, const yaml_node_t *n)
{
	const char *s = want_str(y, n, "resources.infra");

	if (!s)
		return SKY_E_SCRIPT_INVALID;
	free(y->t->infra);
	y->t->infra = xstrdup(s);
	return 0;
}

/* Fields that only size or shape cloud machines: nothing to do on a cluster. */
static const char *const res_ignored[] = {
	"disk_size", "disk_tier", "network_tier", "ports", "image_id", "labels", "autostop",
	"instance_type", "job_recovery", NULL,
};
/* Fields that ask for something we cannot honour by ignoring it. */
static const char *const res_unsupported[] = { "any_of", "ordered", "accelerator_args", NULL };

static bool in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (!strcmp(*l, s))
			return true;
	return false;
}

/* infra wins; cloud/region/zone are the older spelling of the same thing. */
static int join_cloud(struct ty *y, const struct cloud_parts *cp, const yaml_node_t *at)
{
	int last = -1;

	for (int i = 0; i < 3; i++)
		if (cp->v[i])
			last = i;
	if (last < 0)
		return 0;
	if (y->t->infra)
		return ty_err(y, at, "resources.cloud", "cannot be combined with resources.infra");
	y->t->infra = xstrdup("");
	for (int i = 0; i <= last; i++)
		xstrfmtcat(&y->t->infra, "%s%s", i ? "/" : "", cp->v[i] ? cp->v[i] : "*");
	return 0;
}

static int resource_field(struct ty *y, const char *key, const yaml_node_t *v,
			  struct cloud_parts *cp, const yaml_node_t **cloud_at)
{
	static const char *const parts[] = { "cloud", "region", "zone" };

	if (!strcmp(key, "accelerators"))
		return f_accelerators(y, v);
	if (!strcmp(key, "cpus"))
		return f_cpus(y, v);
	if (!strcmp(key, "memory"))
		return f_memory(y, v);
	if (!strcmp(key, "use_spot"))
		return f_use_spot(y, v);
	if (!strcmp(key, "infra"))
		return f_infra(y, v);
	for (int i = 0; i < 3; i++) {
		if (!strcmp(key, parts[i])) {
			char field[32];
			snprintf(field, sizeof(field), "resources.%s", key);
			if (!(cp->v[i] = want_str(y, v, field)))
				return SKY_E_SCRIPT_INVALID;
			if (!*cloud_at)
				*cloud_at = v;
			return 0;
		}
	}
	if (in_list(res_ignored, key)) {
		log_warn("%s:%d: resources.%s ignored: it sizes cloud machines, and cluster nodes "
			 "are what they are", y->file, line_of(v), key);
		return 0;
	}
	if (in_list(res_unsupported, key))
		return ty_err(y, v, "resources", "'%s' is not supported", key);
	return ty_err(y, v, "resources", "unknown field '%s'", key);
}

static int f_resources(struct ty *y, const yaml_node_t *n)
{
	struct cloud_parts cp = { { NULL, NULL, NULL }, 0 };
	const yaml_node_t *cloud_at = NULL;
	int rc;

	if (is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return ty_err(y, n, "resources", "expected a mapping");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node(y, p->key), *v = node(y, p->value);
		if (!scalar(k))
			return ty_err(y, k, "resources", "expected field names");
		if ((rc = resource_field(y, scalar(k), v, &cp, &cloud_at)))
			return rc;
	}
	return join_cloud(y, &cp, cloud_at);
}

/* ---- top level ---- */

static bool env_name_ok(const char *s)
{
	if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static int add_env(struct ty *y, const yaml_node_t *k, const yaml_node_t *v, const char *what)
{
	const char *name = scalar(k), *val;
	struct task_yaml *t = y->t;
	char field[300];

	if (!name || !env_name_ok(name))
		return ty_err(y, k, what, "invalid variable name '%s'", name ? name : "");
	snprintf(field, sizeof(field), "%s.%s", what, name);
	if (is_null(v)) {
		if (!(val = env_get(y->environ, name)))
			return ty_err(y, v, field, "no value given and %s is not set in the environment",
				      name);
	} else if (!(val = want_str(y, v, field))) {
		return SKY_E_SCRIPT_INVALID;
	}
	for (size_t i = 0; i < t->n_env; i++) {
		if (!strcmp(t->env[i].name, name)) {
			free(t->env[i].value);
			t->env[i].value = xstrdup(val);
			return 0;
		}
	}
	t->env = xrealloc(t->env, (t->n_env + 1) * sizeof(*t->env));
	t->env[t->n_env].name = xstrdup(name);
	t->env[t->n_env++].value = xstrdup(val);
	return 0;
}

static int f_envs(struct ty *y, const yaml_node_t *n, const char *what)
{
	int rc;

	if (is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return ty_err(y, n, what, "expected a mapping of NAME: value");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
		if ((rc = add_env(y, node(y, p->key), node(y, p->value), what)))
			return rc;
	return 0;
}

static int f_command(struct ty *y, const yaml_node_t *n, const char *what, char **out)
{
	const char *s;

	if (is_null(n))
		return 0;
	if (!(s = want_str(y, n, what)))
		return SKY_E_SCRIPT_INVALID;
	free(*out);
	*out = xstrdup(s);
	return 0;
}

static int f_num_nodes(struct ty *y, const yaml_node_t *n)
{
	const char *s = scalar(n);
	size_t i = 0;

	while (s && isdigit((unsigned char)s[i]))
		i++;
	if (!s || !i || s[i] || i > 9 || atol(s) < 1)
		return ty_err(y, n, "num_nodes", "expected a positive integer, got '%s'", s ? s : "");
	return set_opt(y, n, "num_nodes", "nodes", s);
}

static int f_workdir(struct ty *y, const yaml_node_t *n)
{
	const char *s;

	if (n->type == YAML_MAPPING_NODE)
		return ty_err(y, n, "workdir", "a git repository is not supported, give a directory");
	if (!(s = want_str(y, n, "workdir")))
		return SKY_E_SCRIPT_INVALID;
	return set_opt(y, n, "workdir", "chdir", s);
}

/* Task fields SkyPilot has that a batch job cannot honour. */
static const char *const top_unsupported[] = {
	"file_mounts", "volumes", "config", "service", "pool", "event_callback", "inputs",
	"outputs", "file_mounts_mapping", "experimental", NULL,
};

static int top_field(struct ty *y, const char *key, const yaml_node_t *k, const yaml_node_t *v)
{
	const char *s;

	if (!strcmp(key, "name")) {
		if (!(s = want_str(y, v, "name")))
			return SKY_E_SCRIPT_INVALID;
		return set_opt(y, v, "name", "job-name", s);
	}
	if (!strcmp(key, "workdir"))
		return f_workdir(y, v);
	if (!strcmp(key, "num_nodes"))
		return f_num_nodes(y, v);
	if (!strcmp(key, "resources"))
		return f_resources(y, v);
	if (!strcmp(key, "envs") || !strcmp(key, "secrets"))
		return f_envs(y, v, key);
	if (!strcmp(key, "setup"))
		return f_command(y, v, "setup", &y->t->setup);
	if (!strcmp(key, "run"))
		return f_command(y, v, "run", &y->t->run);
	if (in_list(top_unsupported, key))
		return ty_err(y, k, key, "not supported by sbatch");
	return ty_err(y, k, key, "unknown field");
}

static int walk(struct ty *y)
{
	yaml_node_t *root = yaml_document_get_root_node(y->doc);
	int rc;

	if (!root || is_null(root))
		return sky_err_set(y->eb, SKY_E_SCRIPT_INVALID, "%s:1: the task is empty", y->file);
	if (root->type != YAML_MAPPING_NODE)
		return sky_err_set(y->eb, SKY_E_SCRIPT_INVALID, "%s:%d: expected a mapping of task "
				   "fields (name, resources, setup, run, ...)", y->file, line_of(root));
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
	     p++) {
		const yaml_node_t *k = node(y, p->key), *v = node(y, p->value);
		if (!scalar(k))
			return ty_err(y, k, "task", "expected field names");
		for (yaml_node_pair_t *q = root->data.mapping.pairs.start; q < p; q++)
			if (!strcmp(scalar(node(y, q->key)) ? scalar(node(y, q->key)) : "", scalar(k)))
				return ty_err(y, k, scalar(k), "given twice");
		if ((rc = top_field(y, scalar(k), k, v)))
			return rc;
	}
	return 0;
}

/* ---- parsing and the script ---- */

/* Load the one document of body into doc. A stream of several is a pipeline: not supported. */
static int load_doc(const char *file, const char *body, size_t len, yaml_document_t *doc,
		    struct sky_errbuf *eb)
{
	yaml_parser_t p;
	yaml_document_t next;
	int rc = 0;

	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)body, len);
	if (!yaml_parser_load(&p, doc)) {
		rc = sky_err_set(eb, SKY_E_SCRIPT_INVALID, "%s:%zu: invalid YAML: %s%s%s", file,
				 p.problem_mark.line + 1, p.problem ? p.problem : "syntax error",
				 p.context ? " " : "", p.context ? p.context : "");
		goto out;
	}
	if (!yaml_parser_load(&p, &next)) {
		rc = sky_err_set(eb, SKY_E_SCRIPT_INVALID, "%s:%zu: invalid YAML: %s", file,
				 p.problem_mark.line + 1, p.problem ? p.problem : "syntax error");
		yaml_document_delete(doc);
		goto out;
	}
	if (yaml_document_get_root_node(&next)) {
		rc = sky_err_set(eb, SKY_E_SCRIPT_INVALID, "%s:%zu: several tasks in one file (a "
				 "pipeline) are not supported", file, next.start_mark.line + 1);
		yaml_document_delete(doc);
	}
	yaml_document_delete(&next);
out:
	yaml_parser_delete(&p);
	return rc;
}

/* s as one single-quoted shell word. */
static void shell_quote(char **out, const char *s)
{
	xstrfmtcat(out, "'");
	for (const char *q; (q = strchr(s, '\'')); s = q + 1)
		xstrfmtcat(out, "%.*s'\\''", (int)(q - s), s);
	xstrfmtcat(out, "%s'", s);
}

/*
 * setup and run each run by bash, as SkyPilot runs them, with the script's
 * arguments. setup failing is the job failing (SkyPilot's FAILED_SETUP).
 */
static char *make_script(const char *file, const struct task_yaml *t)
{
	char *s = xasprintf("#!/bin/bash\n# Generated by sbatch from the task YAML %s.\n", file);

	if (t->setup) {
		xstrfmtcat(&s, "bash -c ");
		shell_quote(&s, t->setup);
		xstrfmtcat(&s, " \"$0\" \"$@\" || { rc=$?; echo \"ERROR: Job $SLURM_JOB_ID's setup "
			       "failed with return code $rc\" >&2; exit $rc; }\n");
	}
	if (t->run) {
		xstrfmtcat(&s, "exec bash -c ");
		shell_quote(&s, t->run);
		xstrfmtcat(&s, " \"$0\" \"$@\"\n");
	}
	return s;
}

int task_yaml_load(const char *name, const char *body, size_t len, char *const *environ,
		   struct sbatch_opts *o, struct task_yaml **out, char **script,
		   size_t *script_len, struct sky_errbuf *eb)
{
	yaml_document_t doc;
	struct ty y = { 0 };
	int rc;

	if ((rc = load_doc(name, body, len, &doc, eb)))
		return rc;
	y.file = name;
	y.doc = &doc;
	y.o = o;
	y.t = xcalloc(1, sizeof(*y.t));
	y.environ = environ;
	y.eb = eb;
	rc = walk(&y);
	yaml_document_delete(&doc);
	if (rc) {
		task_yaml_free(y.t);
		return rc;
	}
	*script = make_script(name, y.t);
	*script_len = strlen(*script);
	*out = y.t;
	return 0;
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcasecmp(s + a - b, suf);
}

bool task_yaml_detect(const char *path, const char *body, size_t len)
{
	yaml_document_t doc;
	struct sky_errbuf eb;
	yaml_node_t *root;
	bool task = false;

	if (len >= 2 && body[0] == '#' && body[1] == '!')
		return false;
	if (path && (has_suffix(path, ".yaml") || has_suffix(path, ".yml")))
		return true;
	sky_err_clear(&eb);
	if (memchr(body, '\0', len) || load_doc("", body, len, &doc, &eb))
		return false;
	root = yaml_document_get_root_node(&doc);
	for (yaml_node_pair_t *p = root && root->type == YAML_MAPPING_NODE
					   ? root->data.mapping.pairs.start : NULL;
	     p && p < root->data.mapping.pairs.top && !task; p++) {
		const char *k = scalar(yaml_document_get_node(&doc, p->key));
		task = k && (!strcmp(k, "run") || !strcmp(k, "setup") || !strcmp(k, "resources"));
	}
	yaml_document_delete(&doc);
	return task;
}

/* ---- the JobDesc ---- */

/* NAME=value items of an --export list: those keep the command line's value. */
static bool export_sets(const char *spec, const char *name)
{
	size_t nlen = strlen(name);

	for (const char *p = spec; p && *p; p += strcspn(p, ","), p += *p == ',') {
		if (!strncmp(p, name, nlen) && p[nlen] == '=')
			return true;
	}
	return false;
}

/* SKYPILOT_* from sbatch's own environment (a task submitted from inside a task); --export NAME=value stays. */
static void drop_inherited_skypilot(const char *spec, Sky__JobDesc *d)
{
	size_t w = 0;

	for (size_t i = 0; i < d->n_env; i++) {
		char *name = xstrndup(d->env[i], strcspn(d->env[i], "="));
		bool drop = !strncmp(name, "SKYPILOT_", 9) && !export_sets(spec, name);

		free(name);
		if (drop)
			free(d->env[i]);
		else
			d->env[w++] = d->env[i];
	}
	d->n_env = w;
	if (d->env)
		d->env[w] = NULL;
}

void task_yaml_fill_desc(const struct task_yaml *t, const struct sbatch_opts *o, Sky__JobDesc *d)
{
	if (!t)
		return;
	d->has_task_yaml = d->task_yaml = true;
	d->infra = xstrdup(t->infra);
	d->has_use_spot = true;
	d->use_spot = t->use_spot;
	d->accelerators = xstrdup(t->accelerators);
	drop_inherited_skypilot(o->export_env, d);
	for (size_t i = 0; i < t->n_env; i++)
		if (!export_sets(o->export_env, t->env[i].name))
			env_set(&d->env, &d->n_env, t->env[i].name, t->env[i].value);
}

void task_yaml_clear_desc(Sky__JobDesc *d)
{
	if (!d)
		return;
	FREE_NULL(d->infra);
	FREE_NULL(d->accelerators);
}

void task_yaml_free(struct task_yaml *t)
{
	if (!t)
		return;
	free(t->setup);
	free(t->run);
	for (size_t i = 0; i < t->n_env; i++) {
		free(t->env[i].name);
		free(t->env[i].value);
	}
	free(t->env);
	free(t->infra);
	free(t->accelerators);
	free(t);
}
