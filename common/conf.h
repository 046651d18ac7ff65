/*
 * conf.h: slurm.conf-syntax configuration.
 *
 * Grammar, as Slurm's: one "Key=Value" or several "Key=Value Key=Value" per
 * line, keys case-insensitive, '#' starts a comment, a trailing '\' continues
 * the line, values may be double-quoted, "Include <path>" reads another file.
 * NodeName=, PartitionName= (and DownNodes=, NodeSet=) lines define records;
 * "NodeName=DEFAULT"/"PartitionName=DEFAULT" set defaults for later lines.
 *
 * Keys slurm-sky implements are parsed into struct sky_conf. Keys Slurm knows
 * but slurm-sky does not act on (ProctrackType, SelectType, ...) are accepted
 * and logged at debug level, so an admin's existing slurm.conf loads. Any
 * other key is SKY_E_CONFIG with "file:line: unknown key 'X'".
 *
 * With no NodeName line, one node named after this host's short name is
 * defined (provider local, resources from the agent's report); with no
 * PartitionName line, partition "debug" (Default=YES, Nodes=ALL). That is the
 * embedded default: a config with nothing but paths runs jobs on this machine.
 *
 * Extension keys (not in Slurm), all optional:
 *   SlurmctldSocket=PATH   the controller's Unix socket (clients prefer it)
 *   SlurmSkyHome=DIR       base for every default path below
 *   Provider=NAME          on a NodeName line: which provider owns the nodes:
 *                          a ProviderName record or a built-in type ("local"
 *                          by default; "program" for State=CLOUD nodes when
 *                          ResumeProgram is set, as Slurm does)
 *   ProviderName=NAME Type=program|aws|kubernetes|local [Key=Value...]
 *                          a provider instance (common/conf_cloud.c)
 *
 * Power saving (Slurm's keys, parsed by common/conf_cloud.c): SuspendTime,
 * SuspendTimeout, ResumeTimeout (global, PartitionName, NodeName),
 * ResumeRate, SuspendRate, SuspendExcNodes, SuspendExcParts,
 * SuspendExcStates, ResumeProgram, SuspendProgram, ResumeFailProgram, and
 * PartitionName's PowerDownOnIdle.
 */
#ifndef SKY_CONF_H
#define SKY_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sky_err.h"

/* One NodeName= line; names may be a hostlist covering many nodes. */
struct conf_node {
	char *names;              /* hostlist expression as written */
	char *addr;               /* NodeAddr (hostlist, parallel to names) or NULL */
	char *hostname;           /* NodeHostname or NULL */
	uint32_t cpus;            /* CPUs= (0: from the agent's report) */
	uint32_t boards, sockets, cores_per_socket, threads_per_core;
	uint64_t real_memory_mb;  /* RealMemory= (0: from the agent's report) */
	uint64_t tmp_disk_mb;
	uint32_t weight;
	uint16_t port;            /* Port= */
	char *gres;               /* Gres= as written, or NULL */
	char *features;           /* Feature=/Features= */
	char *state;              /* State= upper-cased ("UNKNOWN" default, CLOUD, FUTURE, DOWN, DRAIN, IDLE) */
	char *reason;             /* Reason= */
	char *provider;           /* Provider= (extension); NULL: see conf_cloud_finalize() */
	uint32_t suspend_time;    /* SuspendTime= seconds, SKY_INFINITE off, SKY_NO_VAL unset */
	uint32_t suspend_timeout; /* SuspendTimeout=, SKY_NO_VAL unset */
	uint32_t resume_timeout;  /* ResumeTimeout=, SKY_NO_VAL unset */
	char *file;               /* where it was defined, for messages */
	int line;
};

/* Key=Value, in the order written. */
struct conf_pair {
	char *key, *val;
};

/* One ProviderName= record (extension). */
struct conf_provider {
	char *name;
	char *type;               /* "program", "aws", "local" (lower case) */
	struct conf_pair *opts;   /* the other keys, canonical spelling, as written */
	size_t n_opts;
	char *file;
	int line;
};

/* One PartitionName= line. */
struct conf_partition {
	char *name;
	char *nodes;              /* hostlist, "ALL", or NULL (no nodes) */
	bool is_default;          /* Default=YES */
	bool hidden;
	uint32_t max_time_min;    /* MaxTime=, SKY_INFINITE by default */
	uint32_t default_time_min;/* DefaultTime=, SKY_NO_VAL when unset (MaxTime applies) */
	uint32_t max_nodes;       /* MaxNodes=, SKY_INFINITE by default */
	uint32_t min_nodes;       /* MinNodes=, 1 by default */
	uint32_t priority_tier;
	uint32_t priority_job_factor;
	char *state;              /* State= upper-cased: UP (default), DOWN, DRAIN, INACTIVE */
	uint64_t def_mem_per_cpu_mb;
	uint64_t def_mem_per_node_mb;
	bool oversubscribe_exclusive; /* OverSubscribe=EXCLUSIVE */
	uint32_t suspend_time;    /* as conf_node's; SKY_NO_VAL unset */
	uint32_t suspend_timeout;
	uint32_t resume_timeout;
	bool power_down_on_idle;  /* PowerDownOnIdle=YES */
	char *file;
	int line;
};

struct sky_conf {
	char *path;               /* the file loaded */
	char *home;               /* SlurmSkyHome, or the config file's directory */

	char *cluster_name;       /* ClusterName, default "sky" */
	char *ctld_host;          /* SlurmctldHost=name[(addr)]: name part; default "localhost" */
	char *ctld_addr;          /* the (addr) part, or NULL (then ctld_host) */
	uint16_t ctld_port;       /* SlurmctldPort, 0 = no TCP listener (default 0) */
	char *ctld_socket;        /* SlurmctldSocket, default <home>/slurmctld.sock */
	uint16_t slurmd_port;     /* SlurmdPort, default 0 */

	char *state_dir;          /* StateSaveLocation, default <home>/state */
	char *spool_dir;          /* SlurmdSpoolDir, default <home>/spool/%n */
	char *ctld_log;           /* SlurmctldLogFile, NULL = stderr */
	char *slurmd_log;         /* SlurmdLogFile (may hold %n), NULL = stderr */
	char *ctld_pidfile;       /* SlurmctldPidFile */
	char *slurmd_pidfile;     /* SlurmdPidFile (may hold %n) */
	int ctld_debug;           /* SlurmctldDebug as a log_level, default info */
	int slurmd_debug;

	char *auth_type;          /* AuthType, only "auth/munge" is accepted */
	char *munge_socket;       /* AuthInfo=socket=PATH, NULL = munge's default */
	uint32_t auth_ttl;        /* AuthInfo=ttl=N, default 0 = munged's */

	char *slurm_user;         /* SlurmUser, default: the user running slurmctld */
	uint32_t kill_wait;       /* KillWait, seconds, default 30 */
	uint32_t min_job_age;     /* MinJobAge, seconds, default 300 */
	uint32_t max_job_count;   /* MaxJobCount, default 10000 */
	uint32_t first_job_id;    /* FirstJobId, default 1 */
	uint32_t max_job_id;      /* MaxJobId, default 67043328 */
	uint32_t message_timeout; /* MessageTimeout, seconds, default 10 */
	uint32_t slurmd_timeout;  /* SlurmdTimeout, seconds, default 300 */
	uint32_t inactive_limit;
	bool job_requeue;         /* JobRequeue, default true */
	uint64_t max_script_size; /* SchedulerParameters=max_script_size=, default 4 MiB */
	char *sched_params;       /* SchedulerParameters as written */
	char *sched_type;         /* SchedulerType as written, NULL = sched/backfill */
	char *preempt_type;       /* PreemptType as written, NULL = preempt/none */
	char *preempt_mode;       /* PreemptMode as written, NULL = OFF */
	uint64_t def_mem_per_cpu_mb;
	uint64_t def_mem_per_node_mb;
	uint32_t max_array_size;  /* MaxArraySize, default 1001 */
	char *mail_prog;          /* MailProg, default /usr/bin/mail */
	char *mail_domain;        /* MailDomain, NULL when unset */

	/* Power saving (conf_cloud.c); times in seconds. */
	uint32_t suspend_time;    /* SuspendTime, SKY_INFINITE (default) = off */
	uint32_t suspend_timeout; /* SuspendTimeout, default 30 */
	uint32_t resume_timeout;  /* ResumeTimeout, default 60 */
	uint32_t resume_rate;     /* ResumeRate, nodes per minute, default 300, 0 = no limit */
	uint32_t suspend_rate;    /* SuspendRate, default 60, 0 = no limit */
	char *suspend_exc_nodes;  /* SuspendExcNodes as written (hostlist[:N],...) */
	char *suspend_exc_parts;  /* SuspendExcParts, comma list */
	char *suspend_exc_states; /* SuspendExcStates, comma list, upper-cased */
	char *resume_program;     /* ResumeProgram, absolute path */
	char *suspend_program;
	char *resume_fail_program;
	struct conf_provider *providers;
	size_t n_providers;

	struct conf_node *nodes;
	size_t n_nodes;
	struct conf_partition *parts;
	size_t n_parts;

	/* Fair share and priority (conf_priority.c). */
	bool prio_multifactor;    /* PriorityType=priority/multifactor (default priority/basic) */
	uint32_t acct_enforce;    /* AccountingStorageEnforce, CONF_ENFORCE_* bits */
	struct conf_prio_key *prio_keys; /* the other keys as written; the controller parses them */
	size_t n_prio_keys;
};

/* AccountingStorageEnforce words. */
#define CONF_ENFORCE_ASSOCS 0x1u
#define CONF_ENFORCE_LIMITS 0x2u
#define CONF_ENFORCE_QOS 0x4u
#define CONF_ENFORCE_SAFE 0x8u
#define CONF_ENFORCE_WCKEYS 0x10u

/*
 * A Priority*, FairShareDampeningFactor or AccountingStorageTRES key, or a
 * partition's TRESBillingWeights (part: the partition, NULL for
 * PartitionName=DEFAULT), kept as written with where it was written so the
 * controller (which owns the TRES table) reports bad values as file:line.
 */
struct conf_prio_key {
	char *key, *val, *part, *file;
	int line;
};

/* conf.c's hook: remember key=val (of partition part, or NULL). 0, or -1 for a bad value. */
int conf_priority_set(struct sky_conf *c, const char *part, const char *key, const char *val,
		      const char *file, int line);
void conf_priority_free(struct sky_conf *c);

/*
 * Parse path. On error returns SKY_E_CONFIG (or SKY_E_IO) with eb holding
 * "path:line: what is wrong"; *out is untouched. Caller frees *out with
 * conf_free(). Defaults are filled in for everything not given.
 */
int conf_load(const char *path, struct sky_conf **out, struct sky_errbuf *eb);
/* Same, from a string; name stands for the file in messages. */
int conf_load_string(const char *text, const char *name, struct sky_conf **out,
		     struct sky_errbuf *eb);
void conf_free(struct sky_conf *c);

/*
 * Where commands and daemons look for the config, first that exists:
 * $SLURM_SKY_CONF, $SLURM_CONF, $SLURM_SKY_HOME/slurm.conf,
 * ~/.slurm-sky/slurm.conf, SYSCONFDIR/slurm-sky/slurm.conf.
 * If none exists, the first candidate that is set (for the error message).
 * Caller frees.
 */
char *conf_default_path(void);

/* The partition named name, or NULL. Borrowed. */
const struct conf_partition *conf_find_partition(const struct sky_conf *c, const char *name);
/* The Default=YES partition, else the first, else NULL. Borrowed. */
const struct conf_partition *conf_default_partition(const struct sky_conf *c);

/* The ProviderName record called name, or NULL. Borrowed. */
const struct conf_provider *conf_find_provider(const struct sky_conf *c, const char *name);
/* The value of key (case-insensitive) in a ProviderName record, or NULL. Borrowed. */
const char *conf_provider_opt(const struct conf_provider *p, const char *key);
/* The provider type a node's Provider= stands for ("local" when NULL). Borrowed. */
const char *conf_provider_type(const struct sky_conf *c, const char *provider);

/* One group of SuspendExcNodes=expr[:N],...: its nodes, and how many of them
 * to keep up when counted (the ":N" form); otherwise all of them. */
struct conf_exc_group {
	char *hostlist;           /* owned */
	uint32_t keep;
	bool counted;
};
/* Split a SuspendExcNodes value into groups. *out: caller frees with
 * conf_exc_groups_free(). SKY_E_CONFIG naming the value when malformed. */
int conf_exc_groups(const char *spec, struct conf_exc_group **out, size_t *n,
		    struct sky_errbuf *eb);
void conf_exc_groups_free(struct conf_exc_group *g, size_t n);

/* Replace %n with node and %h with the host name in a path template. Caller frees. */
char *conf_node_path(const char *tmpl, const char *node);

/*
 * Seconds between an agent's heartbeats: SlurmdTimeout / 6, between 1 and
 * 10. The controller calls an agent not responding after three missed ones,
 * and DOWN after SlurmdTimeout more, so a short SlurmdTimeout (as tests and
 * small clusters set) also notices a dead agent sooner. Both daemons derive
 * it from the same file, which is why it lives here.
 */
static inline uint32_t conf_heartbeat_secs(const struct sky_conf *c)
{
	uint32_t t = c->slurmd_timeout ? c->slurmd_timeout / 6 : 10;

	return t < 1 ? 1 : t > 10 ? 10 : t;
}

#endif
