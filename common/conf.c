/*
 * conf.c: slurm.conf reader (see conf.h).
 *
 * Three layers: the lexer turns physical lines into logical lines (comments,
 * continuations) and those into Key=Value pairs; the key tables below map
 * every key a line may carry to a field and a value type; finalize() fills
 * defaults, resolves paths against home and checks cross-references (a
 * partition naming an undefined node). Every error names file:line.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "conf_cloud.h"
#include "hostlist.h"
#include "log.h"
#include "timefmt.h"
#include "xalloc.h"

#define CONF_INCLUDE_DEPTH 16
#define DEFAULT_MAX_SCRIPT_SIZE (4u << 20)

/* NodeSet=name Nodes=expr | Feature=f: names usable in a partition's Nodes=. */
struct nodeset {
	char *name, *nodes, *feature;
};

struct parser {
	struct sky_conf *c;
	struct sky_errbuf *eb;
	const char *file;           /* current file, for messages */
	int line;                   /* first physical line of the current logical line */
	int depth;                  /* Include nesting */
	char *conf_dir;             /* absolute directory of the top file */
	bool ctld_host_set;
	struct conf_node node_def;  /* NodeName=DEFAULT */
	struct conf_partition part_def;
	struct nodeset *sets;
	size_t n_sets;
};

static int perr(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int perr(struct parser *p, const char *fmt, ...)
{
	char msg[SKY_ERRBUF_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sky_err_set(p->eb, SKY_E_CONFIG, "%s:%d: %s", p->file, p->line, msg);
}

static int bad_value(struct parser *p, const char *key, const char *val)
{
	return perr(p, "invalid value '%s' for %s", val, key);
}

/* ---- value parsers --------------------------------------------------------- */

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "YES", "TRUE", "1", "Y", "ON" };
	static const char *const no[] = { "NO", "FALSE", "0", "N", "OFF" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* Slurm's debug levels by name or number (0 quiet .. 9 debug5); ours stop at debug2. */
static int parse_debug(const char *s, int *out)
{
	static const char *const names[] = { "quiet", "fatal", "error", "info", "verbose",
					     "debug", "debug2", "debug3", "debug4", "debug5" };
	static const int level[] = { LOG_LEVEL_QUIET, LOG_LEVEL_FATAL, LOG_LEVEL_ERROR,
				     LOG_LEVEL_INFO, LOG_LEVEL_VERBOSE, LOG_LEVEL_DEBUG };
	uint64_t n = 0;

	while (n < 10 && strcasecmp(s, names[n]) != 0)
		n++;
	if (n == 10 && parse_u64(s, 9, &n) != 0)
		return -1;
	*out = n < 6 ? level[n] : LOG_LEVEL_DEBUG2;
	return 0;
}

/* Next comma-separated item of *s; NULL at the end. Caller frees. */
static char *next_item(const char **s)
{
	size_t l;
	char *item;

	if (!*s)
		return NULL;
	l = strcspn(*s, ",");
	item = xstrndup(*s, l);
	*s = (*s)[l] ? *s + l + 1 : NULL;
	return item;
}

static char *upper_dup(const char *s)
{
	char *u = xstrdup(s);
	for (char *q = u; *q; q++)
		*q = (char)toupper((unsigned char)*q);
	return u;
}

static bool word_in(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strcasecmp(s, *words) == 0)
			return true;
	return false;
}

/* ---- key tables ------------------------------------------------------------ */

enum kind {
	K_STR,      /* char *; empty value = unset */
	K_PATH,     /* char *; resolved against home in finalize() */
	K_U16,
	K_U32,
	K_U64,
	K_BOOL,
	K_DEBUG,    /* int log level */
	K_MINS,     /* uint32 minutes via time_str2mins (UNLIMITED ok) */
	K_COUNT,    /* uint32, UNLIMITED/INFINITE = SKY_INFINITE */
	K_FN,
};

struct key_def;
typedef int (*key_fn)(struct parser *p, void *obj, const struct key_def *k, const char *val);

struct key_def {
	const char *name;
	enum kind kind;
	size_t off;
	key_fn fn;
};

#define FIELD(ptr, off, type) ((type *)(void *)((char *)(ptr) + (off)))

static int set_typed(struct parser *p, void *obj, const struct key_def *k, const char *val)
{
	uint64_t v;

	switch (k->kind) {
	case K_STR:
	case K_PATH:
		free(*FIELD(obj, k->off, char *));
		*FIELD(obj, k->off, char *) = *val ? xstrdup(val) : NULL;
		return 0;
	case K_U16:
	case K_U32:
	case K_U64:
		if (parse_u64(val, k->kind == K_U16 ? UINT16_MAX :
				   k->kind == K_U32 ? UINT32_MAX : UINT64_MAX, &v))
			return bad_value(p, k->name, val);
		if (k->kind == K_U16)
			*FIELD(obj, k->off, uint16_t) = (uint16_t)v;
		else if (k->kind == K_U32)
			*FIELD(obj, k->off, uint32_t) = (uint32_t)v;
		else
			*FIELD(obj, k->off, uint64_t) = v;
		return 0;
	case K_COUNT:
		if (strcasecmp(val, "UNLIMITED") == 0 || strcasecmp(val, "INFINITE") == 0)
			v = SKY_INFINITE;
		else if (parse_u64(val, SKY_NO_VAL - 1, &v))
			return bad_value(p, k->name, val);
		*FIELD(obj, k->off, uint32_t) = (uint32_t)v;
		return 0;
	case K_BOOL:
		if (parse_bool(val, FIELD(obj, k->off, bool)))
			return bad_value(p, k->name, val);
		return 0;
	case K_DEBUG:
		if (parse_debug(val, FIELD(obj, k->off, int)))
			return bad_value(p, k->name, val);
		return 0;
	case K_MINS:
		if (time_str2mins(val, FIELD(obj, k->off, uint32_t), NULL))
			return bad_value(p, k->name, val);
		return 0;
	case K_FN:
		return k->fn(p, obj, k, val);
	}
	return 0;
}

/* SlurmctldHost=name[(addr)]; later lines name backup controllers. */
static int set_ctld_host(struct parser *p, void *obj, const struct key_def *k, const char *val)
{
	struct sky_conf *c = obj;
	const char *open = strchr(val, '(');
	size_t len = strlen(val);

	if (!*val || open == val || (open && (val[len - 1] != ')' || open + 1 == val + len - 1)) ||
	    (!open && strchr(val, ')')))
		return bad_value(p, k->name, val);
	if (p->ctld_host_set) {
		log_debug("%s:%d: backup controller %s ignored", p->file, p->line, val);
		return 0;
	}
	p->ctld_host_set = true;
	free(c->ctld_host);
	free(c->ctld_addr);
	c->ctld_host = open ? xstrndup(val, (size_t)(open - val)) : xstrdup(val);
	c->ctld_addr = open ? xstrndup(open + 1, len - (size_t)(open - val) - 2) : NULL;
	return 0;
}

static int set_auth_type(struct parser *p, void *obj, const struct key_def *k, const char *val)
{
	struct sky_conf *c = obj;

	if (strcasecmp(val, "auth/munge") != 0)
		return perr(p, "AuthType '%s' is not supported (slurm-sky supports auth/munge)", val);
	free(c->auth_type);
	c->auth_type = xstrdup("auth/munge");
	return 0;
}

/* AuthInfo=socket=PATH,ttl=N (other munge options are ignored). */
static int set_auth_info(struct parser *p, void *obj, const struct key_def *k, const char *val)
{
	struct sky_conf *c = obj;
	const char *rest = val;
	char *opt;
	int rc = 0;

	while (rc == 0 && (opt = next_item(&rest))) {
		uint64_t v;
		if (!*opt) {
			/* "a,,b": nothing to set */
		} else if (strncasecmp(opt, "socket=", 7) == 0 && opt[7]) {
			free(c->munge_socket);
			c->munge_socket = xstrdup(opt + 7);
		} else if (strncasecmp(opt, "ttl=", 4) == 0) {
			if (parse_u64(opt + 4, UINT32_MAX, &v))
				rc = bad_value(p, k->name, val);
			else
				c->auth_ttl = (uint32_t)v;
		} else {
			log_debug("%s:%d: AuthInfo option '%s' ignored", p->file, p->line, opt);
		}
		free(opt);
	}
	return rc;
}

/* SchedulerParameters=a,b=c: only max_script_size matters to slurm-sky. */
static int set_sched_params(struct parser *p, void *obj, const struct key_def *k,
			    const char *val)
{
	struct sky_conf *c = obj;
	const char *rest = val;
	char *opt;
	int rc = 0;

	while (rc == 0 && (opt = next_item(&rest))) {
		uint64_t v;
		if (strncasecmp(opt, "max_script_size=", 16) == 0) {
			if (parse_u64(opt + 16, UINT32_MAX, &v) || v == 0)
				rc = bad_value(p, k->name, val);
			else
				c->max_script_size = v;
		}
		free(opt);
	}
	if (rc == 0) {
		free(c->sched_params);
		c->sched_params = *val ? xstrdup(val) : NULL;
	}
	return rc;
}

/* SlurmctldPort=N or a range N-M (slurm-sky listens on the first). */
static int set_port(struct parser *p, void *obj, const struct key_def *k, const char *val)
{
	const char *dash = strchr(val, '-');
	char *first = dash ? xstrndup(val, (size_t)(dash - val)) : xstrdup(val);
	uint64_t lo, hi;
	int bad = parse_u64(first, UINT16_MAX, &lo);

	free(first);
	if (!bad && dash)
		bad = parse_u64(dash + 1, UINT16_MAX, &hi) || hi < lo;
	if (bad)
		return bad_value(p, k->name, val);
	*FIELD(obj, k->off, uint16_t) = (uint16_t)lo;
	return 0;
}

/* Power-saving keys: conf_cloud.c parses them; off carries the record kind. */
static int set_cloud(struct parser *p, void *obj, const struct key_def *k, const char *val)
{
	if (conf_cloud_set((enum conf_cloud_rec)k->off, obj, k->name, val))
		return bad_value(p, k->name, val);
	return 0;
}

#define CLOUD(name, rec) { name, K_FN, rec, set_cloud }

/* Fair-share and priority keys: conf_priority.c; a partition's carry its name. */
static int set_prio(struct parser *p, void *obj, const struct key_def *k, const char *val)
{
	const char *part = k->off ? ((struct conf_partition *)obj)->name : NULL;

	if (conf_priority_set(p->c, k->off && !part ? "DEFAULT" : part, k->name, val, p->file,
			      p->line))
		return bad_value(p, k->name, val);
	return 0;
}

#define PRIO(name) { name, K_FN, 0, set_prio }
#define G(name, kind, field) { name, kind, offsetof(struct sky_conf, field), NULL }
#define GF(name, fn) { name, K_FN, 0, fn }

static const struct key_def global_keys[] = {
	G("ClusterName", K_STR, cluster_name),
	PRIO("PriorityType"), PRIO("PriorityWeightAge"), PRIO("PriorityWeightAssoc"),
	PRIO("PriorityWeightFairshare"), PRIO("PriorityWeightJobSize"),
	PRIO("PriorityWeightPartition"), PRIO("PriorityWeightQOS"), PRIO("PriorityWeightTRES"),
	PRIO("PriorityMaxAge"), PRIO("PriorityDecayHalfLife"), PRIO("PriorityCalcPeriod"),
	PRIO("PriorityUsageResetPeriod"), PRIO("PriorityFavorSmall"), PRIO("PriorityFlags"),
	PRIO("FairShareDampeningFactor"), PRIO("AccountingStorageEnforce"),
	PRIO("AccountingStorageTRES"),
	GF("SlurmctldHost", set_ctld_host),
	GF("ControlMachine", set_ctld_host),        /* its pre-18.08 spelling */
	G("ControlAddr", K_STR, ctld_addr),
	{ "SlurmctldPort", K_FN, offsetof(struct sky_conf, ctld_port), set_port },
	G("SlurmctldSocket", K_PATH, ctld_socket),
	{ "SlurmdPort", K_FN, offsetof(struct sky_conf, slurmd_port), set_port },
	G("SlurmSkyHome", K_PATH, home),
	G("StateSaveLocation", K_PATH, state_dir),
	G("SlurmdSpoolDir", K_PATH, spool_dir),
	G("SlurmctldLogFile", K_PATH, ctld_log),
	G("SlurmdLogFile", K_PATH, slurmd_log),
	G("SlurmctldPidFile", K_PATH, ctld_pidfile),
	G("SlurmdPidFile", K_PATH, slurmd_pidfile),
	G("SlurmctldDebug", K_DEBUG, ctld_debug),
	G("SlurmdDebug", K_DEBUG, slurmd_debug),
	GF("AuthType", set_auth_type),
	GF("AuthInfo", set_auth_info),
	G("SlurmUser", K_STR, slurm_user),
	G("KillWait", K_U32, kill_wait),
	G("MailProg", K_PATH, mail_prog),
	G("MailDomain", K_STR, mail_domain),
	G("MinJobAge", K_U32, min_job_age),
	G("MaxJobCount", K_U32, max_job_count),
	G("FirstJobId", K_U32, first_job_id),
	G("MaxJobId", K_U32, max_job_id),
	G("MessageTimeout", K_U32, message_timeout),
	G("SlurmdTimeout", K_U32, slurmd_timeout),
	G("InactiveLimit", K_U32, inactive_limit),
	G("JobRequeue", K_BOOL, job_requeue),
	GF("SchedulerParameters", set_sched_params),
	G("SchedulerType", K_STR, sched_type),
	G("PreemptType", K_STR, preempt_type),
	G("PreemptMode", K_STR, preempt_mode),
	G("DefMemPerCPU", K_U64, def_mem_per_cpu_mb),
	G("DefMemPerNode", K_U64, def_mem_per_node_mb),
	G("MaxArraySize", K_U32, max_array_size),
	CLOUD("SuspendTime", CONF_CLOUD_GLOBAL), CLOUD("SuspendTimeout", CONF_CLOUD_GLOBAL),
	CLOUD("ResumeTimeout", CONF_CLOUD_GLOBAL), CLOUD("ResumeRate", CONF_CLOUD_GLOBAL),
	CLOUD("SuspendRate", CONF_CLOUD_GLOBAL), CLOUD("SuspendExcNodes", CONF_CLOUD_GLOBAL),
	CLOUD("SuspendExcParts", CONF_CLOUD_GLOBAL), CLOUD("SuspendExcStates", CONF_CLOUD_GLOBAL),
	CLOUD("ResumeProgram", CONF_CLOUD_GLOBAL), CLOUD("SuspendProgram", CONF_CLOUD_GLOBAL),
	CLOUD("ResumeFailProgram", CONF_CLOUD_GLOBAL),

	{ NULL, K_STR, 0, NULL }
};

static const char *const node_states[] = {
	"UNKNOWN", "CLOUD", "FUTURE", "DOWN", "DRAIN", "FAIL", "IDLE", NULL
};
static const char *const part_states[] = { "UP", "DOWN", "DRAIN", "INACTIVE", NULL };

static int set_node_state(struct parser *p, void *obj, const struct key_def *k, const char *val)
{
	struct conf_node *n = obj;

	if (!word_in(val, node_states))
		return bad_value(p, k->name, val);
	free(n->state);
	n->state = upper_dup(val);
	return 0;
}

static int set_part_state(struct parser *p, void *obj, const struct key_def *k, const char *val)
{
	struct conf_partition *pt = obj;

	if (!word_in(val, part_states))
		return bad_value(p, k->name, val);
	free(pt->state);
	pt->state = upper_dup(val);
	return 0;
}

/* OverSubscribe=NO|YES[:N]|FORCE[:N]|EXCLUSIVE; only EXCLUSIVE changes anything yet. */
static int set_oversubscribe(struct parser *p, void *obj, const struct key_def *k,
			     const char *val)
{
	static const char *const words[] = { "NO", "YES", "FORCE", "EXCLUSIVE", NULL };
	struct conf_partition *pt = obj;
	const char *colon = strchr(val, ':');
	char *word = colon ? xstrndup(val, (size_t)(colon - val)) : xstrdup(val);
	uint64_t n;
	bool ok = word_in(word, words);

	if (ok && colon)
		ok = (strcasecmp(word, "YES") == 0 || strcasecmp(word, "FORCE") == 0) &&
		     parse_u64(colon + 1, UINT16_MAX, &n) == 0 && n > 0;
	pt->oversubscribe_exclusive = ok && strcasecmp(word, "EXCLUSIVE") == 0;
	free(word);
	return ok ? 0 : bad_value(p, k->name, val);
}

/* Priority= (before 16.05) set both of today's partition priorities. */
static int set_part_priority(struct parser *p, void *obj, const struct key_def *k,
			     const char *val)
{
	struct conf_partition *pt = obj;
	uint64_t v;

	if (parse_u64(val, UINT16_MAX, &v))
		return bad_value(p, k->name, val);
	pt->priority_tier = pt->priority_job_factor = (uint32_t)v;
	return 0;
}

static int set_part_nodes(struct parser *p, void *obj, const struct key_def *k, const char *val)
{
	struct conf_partition *pt = obj;

	free(pt->nodes);
	pt->nodes = !*val ? NULL : strcasecmp(val, "ALL") == 0 ? xstrdup("ALL") : xstrdup(val);
	return 0;
}

#define N(name, kind, field) { name, kind, offsetof(struct conf_node, field), NULL }
#define P(name, kind, field) { name, kind, offsetof(struct conf_partition, field), NULL }

static const struct key_def node_keys[] = {
	N("NodeAddr", K_STR, addr),
	N("NodeHostname", K_STR, hostname),
	N("CPUs", K_U32, cpus),
	N("Procs", K_U32, cpus),
	N("Boards", K_U32, boards),
	N("Sockets", K_U32, sockets),
	N("CoresPerSocket", K_U32, cores_per_socket),
	N("ThreadsPerCore", K_U32, threads_per_core),
	N("RealMemory", K_U64, real_memory_mb),
	N("TmpDisk", K_U64, tmp_disk_mb),
	N("Weight", K_U32, weight),
	N("Port", K_U16, port),
	N("Gres", K_STR, gres),
	N("Feature", K_STR, features),
	N("Features", K_STR, features),
	{ "State", K_FN, 0, set_node_state },
	N("Reason", K_STR, reason),
	N("Provider", K_STR, provider),
	CLOUD("SuspendTime", CONF_CLOUD_NODE), CLOUD("SuspendTimeout", CONF_CLOUD_NODE),
	CLOUD("ResumeTimeout", CONF_CLOUD_NODE),
	{ NULL, K_STR, 0, NULL }
};

static const struct key_def part_keys[] = {
	{ "Nodes", K_FN, 0, set_part_nodes },
	P("Default", K_BOOL, is_default),
	P("Hidden", K_BOOL, hidden),
	P("MaxTime", K_MINS, max_time_min),
	P("DefaultTime", K_MINS, default_time_min),
	P("MaxNodes", K_COUNT, max_nodes),
	P("MinNodes", K_COUNT, min_nodes),
	P("PriorityTier", K_U32, priority_tier),
	P("PriorityJobFactor", K_U32, priority_job_factor),
	{ "Priority", K_FN, 0, set_part_priority },
	{ "TRESBillingWeights", K_FN, 1, set_prio },
	{ "State", K_FN, 0, set_part_state },
	P("DefMemPerCPU", K_U64, def_mem_per_cpu_mb),
	P("DefMemPerNode", K_U64, def_mem_per_node_mb),
	{ "OverSubscribe", K_FN, 0, set_oversubscribe },
	{ "Shared", K_FN, 0, set_oversubscribe },
	CLOUD("SuspendTime", CONF_CLOUD_PART), CLOUD("SuspendTimeout", CONF_CLOUD_PART),
	CLOUD("ResumeTimeout", CONF_CLOUD_PART), CLOUD("PowerDownOnIdle", CONF_CLOUD_PART),
	{ NULL, K_STR, 0, NULL }
};

static const struct key_def *find_key(const struct key_def *tab, const char *name)
{
	for (; tab->name; tab++)
		if (strcasecmp(tab->name, name) == 0)
			return tab;
	return NULL;
}

/* Apply pairs kv[from..n) to obj through tab; keys in ignored are only logged. */
static int apply_keys(struct parser *p, const struct key_def *tab, const char *const *ignored,
		      void *obj, const struct kv *kv, size_t from, size_t n)
{
	int rc;

	for (size_t i = from; i < n; i++) {
		const struct key_def *k = find_key(tab, kv[i].key);
		if (!k && word_in(kv[i].key, ignored)) {
			log_debug("%s:%d: %s is not used by slurm-sky; ignored", p->file, p->line,
				  kv[i].key);
			continue;
		}
		if (!k)
			return perr(p, "unknown key '%s'", kv[i].key);
		if ((rc = set_typed(p, obj, k, kv[i].val)))
			return rc;
	}
	return 0;
}

/* ---- records --------------------------------------------------------------- */

static void node_clear(struct conf_node *n)
{
	free(n->names);
	free(n->addr);
	free(n->hostname);
	free(n->gres);
	free(n->features);
	free(n->state);
	free(n->reason);
	free(n->provider);
	free(n->file);
	memset(n, 0, sizeof(*n));
}

static void node_copy(struct conf_node *dst, const struct conf_node *src)
{
	*dst = *src;
	dst->names = xstrdup(src->names);
	dst->addr = xstrdup(src->addr);
	dst->hostname = xstrdup(src->hostname);
	dst->gres = xstrdup(src->gres);
	dst->features = xstrdup(src->features);
	dst->state = xstrdup(src->state);
	dst->reason = xstrdup(src->reason);
	dst->provider = xstrdup(src->provider);
	dst->file = xstrdup(src->file);
}

static void part_clear(struct conf_partition *pt)
{
	free(pt->name);
	free(pt->nodes);
	free(pt->state);
	free(pt->file);
	memset(pt, 0, sizeof(*pt));
}

static void part_copy(struct conf_partition *dst, const struct conf_partition *src)
{
	*dst = *src;
	dst->name = xstrdup(src->name);
	dst->nodes = xstrdup(src->nodes);
	dst->state = xstrdup(src->state);
	dst->file = xstrdup(src->file);
}

static int count_hosts(const char *expr, size_t *count)
{
	struct hostlist *hl;

	if (hostlist_create(expr, &hl, NULL))
		return -1;
	*count = hostlist_count(hl);
	hostlist_destroy(hl);
	return 0;
}

static int node_record(struct parser *p, const struct kv *kv, size_t n)
{
	struct sky_conf *c = p->c;
	struct conf_node nd;
	size_t names = 0, addrs = 0;
	int rc;

	if (strcasecmp(kv[0].val, "DEFAULT") == 0)
		return apply_keys(p, node_keys, conf_node_ignored, &p->node_def, kv, 1, n);
	if (count_hosts(kv[0].val, &names) || names == 0)
		return bad_value(p, "NodeName", kv[0].val);
	node_copy(&nd, &p->node_def);
	free(nd.names);
	nd.names = xstrdup(kv[0].val);
	free(nd.file);
	nd.file = xstrdup(p->file);
	nd.line = p->line;
	if ((rc = apply_keys(p, node_keys, conf_node_ignored, &nd, kv, 1, n)))
		goto fail;
	if (nd.addr && (count_hosts(nd.addr, &addrs) || addrs != names)) {
		rc = perr(p, "NodeAddr '%s' does not name one address per node of '%s'",
			  nd.addr, nd.names);
		goto fail;
	}
	c->nodes = xrealloc(c->nodes, (c->n_nodes + 1) * sizeof(*c->nodes));
	c->nodes[c->n_nodes++] = nd;
	return 0;
fail:
	node_clear(&nd);
	return rc;
}

static int part_record(struct parser *p, const struct kv *kv, size_t n)
{
	struct sky_conf *c = p->c;
	struct conf_partition pt;
	int rc;

	if (strcasecmp(kv[0].val, "DEFAULT") == 0)
		return apply_keys(p, part_keys, conf_part_ignored, &p->part_def, kv, 1, n);
	if (!*kv[0].val || strpbrk(kv[0].val, ", \t"))
		return bad_value(p, "PartitionName", kv[0].val);
	for (size_t i = 0; i < c->n_parts; i++)
		if (strcmp(c->parts[i].name, kv[0].val) == 0)
			return perr(p, "partition '%s' is already defined at %s:%d", kv[0].val,
				    c->parts[i].file, c->parts[i].line);
	part_copy(&pt, &p->part_def);
	free(pt.name);
	pt.name = xstrdup(kv[0].val);
	free(pt.file);
	pt.file = xstrdup(p->file);
	pt.line = p->line;
	if ((rc = apply_keys(p, part_keys, conf_part_ignored, &pt, kv, 1, n))) {
		part_clear(&pt);
		return rc;
	}
	c->parts = xrealloc(c->parts, (c->n_parts + 1) * sizeof(*c->parts));
	c->parts[c->n_parts++] = pt;
	return 0;
}

static int nodeset_record(struct parser *p, const struct kv *kv, size_t n)
{
	static const struct key_def keys[] = {
		{ "Nodes", K_STR, offsetof(struct nodeset, nodes), NULL },
		{ "Feature", K_STR, offsetof(struct nodeset, feature), NULL },
		{ NULL, K_STR, 0, NULL }
	};
	static const char *const none[] = { NULL };
	struct nodeset ns = { .name = xstrdup(kv[0].val) };
	int rc = apply_keys(p, keys, none, &ns, kv, 1, n);

	if (rc) {
		free(ns.name);
		free(ns.nodes);
		free(ns.feature);
		return rc;
	}
	p->sets = xrealloc(p->sets, (p->n_sets + 1) * sizeof(*p->sets));
	p->sets[p->n_sets++] = ns;
	return 0;
}

/* DownNodes= lines only set states Slurm keeps across restarts; slurm-sky keeps its own. */
static int downnodes_record(struct parser *p, const struct kv *kv, size_t n)
{
	static const char *const keys[] = { "DownNodes", "Reason", "State", NULL };

	return apply_keys(p, (const struct key_def[]){ { NULL, K_STR, 0, NULL } }, keys, NULL,
			  kv, 0, n);
}

/* ---- lexer ----------------------------------------------------------------- */

static void kv_free(struct kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].val);
	}
	free(kv);
}

static const char *skip_ws(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* Read a value at *s: "quoted text" or up to the next space. Caller frees. */
static int read_value(struct parser *p, const char **s, char **val)
{
	const char *v = *s, *end;

	if (*v == '"') {
		end = strchr(v + 1, '"');
		if (!end)
			return perr(p, "unterminated quote in '%s'", v);
		*val = xstrndup(v + 1, (size_t)(end - v - 1));
		end++;
		if (*end && !isspace((unsigned char)*end)) {
			FREE_NULL(*val);
			return perr(p, "text after closing quote: '%s'", end);
		}
		*s = end;
		return 0;
	}
	end = v;
	while (*end && !isspace((unsigned char)*end))
		end++;
	*val = xstrndup(v, (size_t)(end - v));
	*s = end;
	return 0;
}

/* Split a logical line into Key=Value pairs ("Key = Value" is allowed too). */
static int tokenize(struct parser *p, const char *line, struct kv **out, size_t *nout)
{
	struct kv *kv = NULL;
	size_t n = 0;
	const char *s = skip_ws(line);
	int rc = 0;

	while (*s) {
		const char *k = s, *after;
		char *key, *val = NULL;

		while (*s && *s != '=' && !isspace((unsigned char)*s))
			s++;
		key = xstrndup(k, (size_t)(s - k));
		s = skip_ws(s);
		if (*s != '=' || !*key) {
			rc = perr(p, "expected Key=Value, found '%s'", *key ? key : s);
			free(key);
			goto fail;
		}
		after = s + 1;
		s = skip_ws(after);
		/* "Key= Other=x" is an empty Key, not Key="Other=x". */
		if (s != after && *s != '"' && strcspn(s, "= \t") < strcspn(s, " \t"))
			val = xstrdup("");
		else if ((rc = read_value(p, &s, &val))) {
			free(key);
			goto fail;
		}
		kv = xrealloc(kv, (n + 1) * sizeof(*kv));
		kv[n].key = key;
		kv[n++].val = val;
		s = skip_ws(s);
	}
	*out = kv;
	*nout = n;
	return 0;
fail:
	kv_free(kv, n);
	return rc;
}

/*
 * Cut a comment ('#' outside quotes; "\#" is a literal '#') and trailing
 * space, in place. Returns true when the line ends with a '\' continuation
 * (which is removed).
 */
static bool strip_line(char *line)
{
	bool quote = false;
	char *w = line;
	size_t len;

	for (char *r = line; *r; r++) {
		if (*r == '\\' && r[1] == '#') {
			*w++ = '#';
			r++;
			continue;
		}
		if (*r == '"')
			quote = !quote;
		if (*r == '#' && !quote)
			break;
		if (*r == '\r' || *r == '\n')
			continue;
		*w++ = *r;
	}
	*w = '\0';
	len = strlen(line);
	while (len && isspace((unsigned char)line[len - 1]))
		line[--len] = '\0';
	if (len && line[len - 1] == '\\') {
		line[len - 1] = '\0';
		return true;
	}
	return false;
}

static int parse_text(struct parser *p, const char *text);

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* The whole file; *binary when it holds a NUL byte (getdelim stops there). */
static int read_file(const char *path, char **text, bool *binary)
{
	FILE *f = fopen(path, "r");
	size_t cap = 0;
	ssize_t n;
	int e;

	if (!f)
		return -1;
	*text = NULL;
	n = getdelim(text, &cap, '\0', f);
	e = errno;
	*binary = n > 0 && !feof(f);
	if (n < 0 && ferror(f)) {
		fclose(f);
		FREE_NULL(*text);
		errno = e ? e : EIO;
		return -1;
	}
	fclose(f);
	if (n < 0) {            /* an empty file */
		*text = xrealloc(*text, 1);
		(*text)[0] = '\0';
	}
	return 0;
}

static int parse_file(struct parser *p, const char *path, bool top)
{
	const char *saved_file = p->file;
	int saved_line = p->line, rc;
	char *text;
	bool binary;

	if (read_file(path, &text, &binary)) {
		if (top)
			return sky_err_set(p->eb, SKY_E_IO, "cannot read %s: %s", path, strerror(errno));
		return perr(p, "cannot read included file %s: %s", path, strerror(errno));
	}
	if (binary) {
		free(text);
		if (top)
			return sky_err_set(p->eb, SKY_E_CONFIG, "%s is not a text file", path);
		return perr(p, "included file %s is not a text file", path);
	}
	p->file = path;
	p->line = 0;
	rc = parse_text(p, text);
	free(text);
	p->file = saved_file;
	p->line = saved_line;
	return rc;
}

/* Include PATH: relative to the including file; shell patterns allowed. */
static int do_include(struct parser *p, const char *arg)
{
	char *path, *dir, *spec = NULL;
	const char *a = skip_ws(arg);
	size_t len = strlen(a);
	glob_t g;
	int rc = 0;

	if (len >= 2 && a[0] == '"' && a[len - 1] == '"')
		spec = xstrndup(a + 1, len - 2);
	else
		spec = xstrdup(a);
	if (!*spec) {
		free(spec);
		return perr(p, "Include needs a file name");
	}
	if (p->depth >= CONF_INCLUDE_DEPTH) {
		free(spec);
		return perr(p, "Include nested more than %d deep", CONF_INCLUDE_DEPTH);
	}
	dir = dir_of(p->file);
	path = spec[0] == '/' ? xstrdup(spec) : xasprintf("%s/%s", dir, spec);
	free(dir);
	free(spec);
	p->depth++;
	if (!strpbrk(path, "*?[")) {
		rc = parse_file(p, path, false);
	} else if (glob(path, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc && rc == 0; i++)
			rc = parse_file(p, g.gl_pathv[i], false);
		/* parse_file keeps file names for messages only while it runs. */
		globfree(&g);
	} else {
		log_debug("%s:%d: Include %s matches no file", p->file, p->line, path);
	}
	p->depth--;
	free(path);
	return rc;
}

static int parse_logical(struct parser *p, const char *line)
{
	struct kv *kv = NULL;
	size_t n = 0, wl;
	const char *s = skip_ws(line);
	int rc = 0;

	if (!*s)
		return 0;
	wl = strcspn(s, "= \t");
	if (wl == 7 && strncasecmp(s, "include", 7) == 0 && *skip_ws(s + 7) != '=')
		return do_include(p, s + 7);
	if ((rc = tokenize(p, s, &kv, &n)))
		return rc;
	if (strcasecmp(kv[0].key, "NodeName") == 0)
		rc = node_record(p, kv, n);
	else if (strcasecmp(kv[0].key, "PartitionName") == 0)
		rc = part_record(p, kv, n);
	else if (strcasecmp(kv[0].key, "NodeSet") == 0)
		rc = nodeset_record(p, kv, n);
	else if (strcasecmp(kv[0].key, "DownNodes") == 0)
		rc = downnodes_record(p, kv, n);
	else if (strcasecmp(kv[0].key, "ProviderName") == 0)
		rc = conf_cloud_provider_record(p->c, kv, n, p->file, p->line, p->eb);
	else
		rc = apply_keys(p, global_keys, conf_global_ignored, p->c, kv, 0, n);
	kv_free(kv, n);
	return rc;
}

static int parse_text(struct parser *p, const char *text)
{
	const char *s = text;
	char *logical = NULL;
	int lineno = 0, rc = 0;

	while (*s && rc == 0) {
		size_t len = strcspn(s, "\n");
		char *phys = xstrndup(s, len);
		bool cont;

		s += len + (s[len] == '\n');
		lineno++;
		cont = strip_line(phys);
		if (!logical)
			p->line = lineno;
		xstrfmtcat(&logical, "%s", phys);
		free(phys);
		if (cont && *s)
			continue;
		rc = parse_logical(p, logical);
		FREE_NULL(logical);
	}
	free(logical);
	return rc;
}

/* ---- finalize -------------------------------------------------------------- */

static char *short_hostname(void)
{
	char h[256];

	if (gethostname(h, sizeof(h)) != 0 || !h[0])
		return xstrdup("localhost");
	h[sizeof(h) - 1] = '\0';
	h[strcspn(h, ".")] = '\0';
	return xstrdup(h);
}

/* An absolute form of dir (which need not exist). Caller frees. */
static char *abs_dir(const char *dir)
{
	char buf[PATH_MAX], cwd[PATH_MAX];

	if (realpath(dir, buf))
		return xstrdup(buf);
	if (dir[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return xstrdup(dir);
	return xasprintf("%s/%s", cwd, dir);
}

/* Make *path (if set) absolute against base. */
static void resolve(char **path, const char *base)
{
	const char *rel = *path;
	char *abs;

	if (!rel || rel[0] == '/')
		return;
	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	abs = (!*rel || strcmp(rel, ".") == 0) ? xstrdup(base) : xasprintf("%s/%s", base, rel);
	free(*path);
	*path = abs;
}

static void set_default_str(char **field, char *value)
{
	if (*field)
		free(value);
	else
		*field = value;
}

static void finalize_paths(struct parser *p)
{
	struct sky_conf *c = p->c;
	char **paths[] = { &c->ctld_socket, &c->state_dir, &c->spool_dir, &c->ctld_log,
			   &c->slurmd_log, &c->ctld_pidfile, &c->slurmd_pidfile };

	if (c->home)
		resolve(&c->home, p->conf_dir);
	else
		c->home = xstrdup(p->conf_dir);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		resolve(paths[i], c->home);
	set_default_str(&c->ctld_socket, xasprintf("%s/slurmctld.sock", c->home));
	set_default_str(&c->state_dir, xasprintf("%s/state", c->home));
	set_default_str(&c->spool_dir, xasprintf("%s/spool/%%n", c->home));
	set_default_str(&c->cluster_name, xstrdup("sky"));
	set_default_str(&c->mail_prog, xstrdup("/usr/bin/mail"));
	set_default_str(&c->ctld_host, xstrdup("localhost"));
	set_default_str(&c->auth_type, xstrdup("auth/munge"));
}

struct name_ref {
	char *name;
	size_t node;
};

static int name_ref_cmp(const void *a, const void *b)
{
	return strcmp(((const struct name_ref *)a)->name, ((const struct name_ref *)b)->name);
}

/* Every node name, sorted; a name defined twice is an error at the second line. */
static int collect_names(struct parser *p, struct name_ref **out, size_t *nout)
{
	struct sky_conf *c = p->c;
	struct name_ref *refs = NULL;
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; i < c->n_nodes; i++) {
		char **names;
		size_t cnt;
		if (hostlist_expand(c->nodes[i].names, &names, &cnt, NULL))
			continue;   /* checked when the line was read */
		refs = xrealloc(refs, (n + cnt + 1) * sizeof(*refs));
		for (size_t j = 0; j < cnt; j++)
			refs[n++] = (struct name_ref){ names[j], i };
		free(names);
	}
	if (n)
		qsort(refs, n, sizeof(*refs), name_ref_cmp);
	for (size_t i = 1; i < n && !rc; i++) {
		if (strcmp(refs[i - 1].name, refs[i].name) != 0)
			continue;
		{
			/* Blame the later line: nodes are kept in the order they were read. */
			size_t first = refs[i - 1].node < refs[i].node ? refs[i - 1].node : refs[i].node;
			size_t second = refs[i - 1].node < refs[i].node ? refs[i].node : refs[i - 1].node;
			const struct conf_node *a = &c->nodes[first], *b = &c->nodes[second];
			p->file = b->file;
			p->line = b->line;
			rc = perr(p, "node '%s' is already defined at %s:%d", refs[i].name, a->file,
				  a->line);
		}
	}
	*out = refs;
	*nout = n;
	return rc;
}

static bool has_feature(const char *features, const char *f)
{
	const char *s = features;

	while (s && *s) {
		size_t l = strcspn(s, ",");
		if (l == strlen(f) && strncmp(s, f, l) == 0)
			return true;
		s += l + (s[l] == ',');
	}
	return false;
}

/* The hostlist a NodeSet stands for. Caller frees. */
static char *nodeset_expr(const struct sky_conf *c, const struct nodeset *ns)
{
	char *e = NULL;

	if (ns->nodes) {
		if (strcasecmp(ns->nodes, "ALL") == 0) {
			for (size_t i = 0; i < c->n_nodes; i++)
				xstrfmtcat(&e, "%s%s", e ? "," : "", c->nodes[i].names);
		} else {
			xstrfmtcat(&e, "%s", ns->nodes);
		}
	}
	for (size_t i = 0; ns->feature && i < c->n_nodes; i++)
		if (has_feature(c->nodes[i].features, ns->feature))
			xstrfmtcat(&e, "%s%s", e ? "," : "", c->nodes[i].names);
	return e ? e : xstrdup("");
}

/* Replace NodeSet names among the top-level items of a partition's Nodes=. */
static void substitute_nodesets(struct parser *p, struct conf_partition *pt)
{
	const char *s = pt->nodes;
	char *out = NULL;
	bool changed = false;

	if (!p->n_sets || !s || strcmp(s, "ALL") == 0)
		return;
	while (*s) {
		size_t l = 0;
		int depth = 0;
		char *item;
		const struct nodeset *ns = NULL;

		while (s[l] && (depth || s[l] != ',')) {
			depth += (s[l] == '[') - (s[l] == ']');
			l++;
		}
		item = xstrndup(s, l);
		for (size_t i = 0; i < p->n_sets && !ns; i++)
			if (strcmp(p->sets[i].name, item) == 0)
				ns = &p->sets[i];
		if (ns) {
			char *e = nodeset_expr(p->c, ns);
			if (*e)
				xstrfmtcat(&out, "%s%s", out ? "," : "", e);
			free(e);
			changed = true;
		} else if (l) {
			xstrfmtcat(&out, "%s%s", out ? "," : "", item);
		}
		free(item);
		s += l + (s[l] == ',');
	}
	if (changed) {
		free(pt->nodes);
		pt->nodes = out;
	} else {
		free(out);
	}
}

static int check_partition_nodes(struct parser *p, struct conf_partition *pt,
				 const struct name_ref *refs, size_t nrefs)
{
	struct hostlist *hl;
	int rc = 0;

	substitute_nodesets(p, pt);
	if (!pt->nodes || strcmp(pt->nodes, "ALL") == 0)
		return 0;
	p->file = pt->file;
	p->line = pt->line;
	if (hostlist_create(pt->nodes, &hl, NULL))
		return bad_value(p, "Nodes", pt->nodes);
	for (size_t i = 0; i < hostlist_count(hl) && !rc; i++) {
		struct name_ref key = { (char *)hostlist_nth(hl, i), 0 };
		if (!nrefs || !bsearch(&key, refs, nrefs, sizeof(*refs), name_ref_cmp))
			rc = perr(p, "partition '%s' uses node '%s' that no NodeName line defines",
				  pt->name, key.name);
	}
	hostlist_destroy(hl);
	return rc;
}

static void add_implicit_records(struct parser *p)
{
	struct sky_conf *c = p->c;

	if (c->n_nodes == 0) {
		c->nodes = xmalloc(sizeof(*c->nodes));
		node_copy(&c->nodes[0], &p->node_def);
		free(c->nodes[0].names);
		c->nodes[0].names = short_hostname();
		free(c->nodes[0].file);
		c->nodes[0].file = xstrdup(c->path);
		c->nodes[0].line = 0;
		c->n_nodes = 1;
	}
	if (c->n_parts == 0) {
		c->parts = xmalloc(sizeof(*c->parts));
		part_copy(&c->parts[0], &p->part_def);
		free(c->parts[0].name);
		c->parts[0].name = xstrdup("debug");
		free(c->parts[0].nodes);
		c->parts[0].nodes = xstrdup("ALL");
		c->parts[0].is_default = true;
		free(c->parts[0].file);
		c->parts[0].file = xstrdup(c->path);
		c->parts[0].line = 0;
		c->n_parts = 1;
	}
}

static int finalize(struct parser *p)
{
	struct sky_conf *c = p->c;
	struct name_ref *refs = NULL;
	size_t nrefs = 0, last_default = SIZE_MAX;
	int rc;

	finalize_paths(p);
	add_implicit_records(p);
	if ((rc = collect_names(p, &refs, &nrefs)))
		goto out;
	for (size_t i = 0; i < c->n_parts && !rc; i++) {
		rc = check_partition_nodes(p, &c->parts[i], refs, nrefs);
		if (c->parts[i].is_default)
			last_default = i;
	}
	if (!rc)
		rc = conf_cloud_finalize(c, p->eb);
	/* As Slurm: with several Default=YES partitions, the last one wins. */
	for (size_t i = 0; i < c->n_parts && last_default != SIZE_MAX; i++) {
		if (c->parts[i].is_default && i != last_default) {
			log_info("default partition changed from %s to %s", c->parts[i].name,
				 c->parts[last_default].name);
			c->parts[i].is_default = false;
		}
	}
out:
	for (size_t i = 0; i < nrefs; i++)
		free(refs[i].name);
	free(refs);
	return rc;
}

/* ---- public API ------------------------------------------------------------ */

static void conf_defaults(struct sky_conf *c, struct parser *p)
{
	c->ctld_debug = LOG_LEVEL_INFO;
	c->slurmd_debug = LOG_LEVEL_INFO;
	c->kill_wait = 30;
	c->min_job_age = 300;
	c->max_job_count = 10000;
	c->first_job_id = 1;
	c->max_job_id = 67043328;
	c->message_timeout = 10;
	c->slurmd_timeout = 300;
	c->job_requeue = true;
	c->max_script_size = DEFAULT_MAX_SCRIPT_SIZE;
	c->max_array_size = 1001;

	p->node_def.state = xstrdup("UNKNOWN");
	p->node_def.provider = xstrdup("local");
	p->node_def.weight = 1;
	p->part_def.max_time_min = SKY_INFINITE;
	p->part_def.default_time_min = SKY_NO_VAL;
	p->part_def.max_nodes = SKY_INFINITE;
	p->part_def.min_nodes = 1;
	p->part_def.priority_tier = 1;
	p->part_def.priority_job_factor = 1;
	p->part_def.state = xstrdup("UP");
	conf_cloud_defaults(c, &p->node_def, &p->part_def);
}

static void parser_clear(struct parser *p)
{
	node_clear(&p->node_def);
	part_clear(&p->part_def);
	for (size_t i = 0; i < p->n_sets; i++) {
		free(p->sets[i].name);
		free(p->sets[i].nodes);
		free(p->sets[i].feature);
	}
	free(p->sets);
	free(p->conf_dir);
}

/* text NULL: read the file at name. */
static int load(const char *text, const char *name, struct sky_conf **out,
		struct sky_errbuf *eb)
{
	struct sky_conf *c = xmalloc(sizeof(*c));
	struct parser p = { .c = c, .eb = eb, .file = name };
	char *dir = dir_of(name);
	int rc;

	c->path = xstrdup(name);
	p.conf_dir = abs_dir(dir);
	free(dir);
	conf_defaults(c, &p);
	if (text)
		rc = parse_text(&p, text);
	else
		rc = parse_file(&p, name, true);
	if (rc == 0)
		rc = finalize(&p);
	parser_clear(&p);
	if (rc) {
		conf_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int conf_load(const char *path, struct sky_conf **out, struct sky_errbuf *eb)
{
	if (!path || !*path)
		return sky_err_set(eb, SKY_E_CONFIG, "no configuration file given");
	return load(NULL, path, out, eb);
}

int conf_load_string(const char *text, const char *name, struct sky_conf **out,
		     struct sky_errbuf *eb)
{
	return load(text ? text : "", name ? name : "(string)", out, eb);
}

void conf_free(struct sky_conf *c)
{
	if (!c)
		return;
	{
		char *strs[] = { c->path, c->home, c->cluster_name, c->ctld_host, c->ctld_addr,
				 c->ctld_socket, c->state_dir, c->spool_dir, c->ctld_log,
				 c->slurmd_log, c->ctld_pidfile, c->slurmd_pidfile, c->auth_type,
				 c->munge_socket, c->slurm_user, c->sched_params, c->mail_prog,
				 c->mail_domain, c->sched_type, c->preempt_type,
				 c->preempt_mode };
		for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
			free(strs[i]);
	}
	conf_cloud_free(c);
	conf_priority_free(c);
	for (size_t i = 0; i < c->n_nodes; i++)
		node_clear(&c->nodes[i]);
	free(c->nodes);
	for (size_t i = 0; i < c->n_parts; i++)
		part_clear(&c->parts[i]);
	free(c->parts);
	free(c);
}

static bool exists(const char *path)
{
	struct stat st;
	return path && stat(path, &st) == 0;
}

char *conf_default_path(void)
{
	char *cand[5] = { NULL };
	const char *e, *home = getenv("HOME");
	char *found = NULL, *first = NULL;
	size_t n = 0;

	if ((e = getenv("SLURM_SKY_CONF")) && *e)
		cand[n++] = xstrdup(e);
	if ((e = getenv("SLURM_CONF")) && *e)
		cand[n++] = xstrdup(e);
	if ((e = getenv("SLURM_SKY_HOME")) && *e)
		cand[n++] = xasprintf("%s/slurm.conf", e);
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	if (home && *home)
		cand[n++] = xasprintf("%s/.slurm-sky/slurm.conf", home);
	cand[n++] = xstrdup(SYSCONFDIR "/slurm-sky/slurm.conf");
	for (size_t i = 0; i < n && !found; i++)
		if (exists(cand[i]))
			found = xstrdup(cand[i]);
	first = found ? found : xstrdup(cand[0]);
	for (size_t i = 0; i < n; i++)
		free(cand[i]);
	return first;
}

/* conf_find_provider(), conf_provider_opt(), conf_provider_type(): conf_cloud.c. */

const struct conf_partition *conf_find_partition(const struct sky_conf *c, const char *name)
{
	for (size_t i = 0; c && name && i < c->n_parts; i++)
		if (strcmp(c->parts[i].name, name) == 0)
			return &c->parts[i];
	return NULL;
}

const struct conf_partition *conf_default_partition(const struct sky_conf *c)
{
	if (!c || !c->n_parts)
		return NULL;
	for (size_t i = 0; i < c->n_parts; i++)
		if (c->parts[i].is_default)
			return &c->parts[i];
	return &c->parts[0];
}

char *conf_node_path(const char *tmpl, const char *node)
{
	char *out = NULL, *host = NULL;
	const char *s = tmpl;

	if (!tmpl)
		return NULL;
	while (*s) {
		size_t l = strcspn(s, "%");
		xstrfmtcat(&out, "%.*s", (int)l, s);
		s += l;
		if (!*s)
			break;
		if (s[1] == 'n') {
			xstrfmtcat(&out, "%s", node ? node : "");
			s += 2;
		} else if (s[1] == 'h') {
			if (!host)
				host = short_hostname();
			xstrfmtcat(&out, "%s", host);
			s += 2;
		} else {
			xstrfmtcat(&out, "%%");
			s++;
		}
	}
	free(host);
	return out ? out : xstrdup("");
}
