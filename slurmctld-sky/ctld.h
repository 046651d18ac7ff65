/*
 * ctld.h: the controller's whole state, in one explicit struct.
 *
 * Nothing in slurmctld-sky keeps mutable state at file scope: every function
 * that needs the configuration, the store, the job or node tables receives the
 * struct ctld it works on. One thread runs everything from one libevent loop:
 * socket reads and the RPC handlers they call, the deferred scheduling pass,
 * and the 1 s housekeeping timer. Handlers therefore never need locks, and a
 * change is committed to LMDB before its reply is queued.
 */
#ifndef SKY_CTLD_H
#define SKY_CTLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "auth_munge.h"
#include "conf.h"
#include "job_queue.h"
#include "node_table.h"
#include "partition.h"
#include "state_lmdb.h"

struct conn;
struct event;
struct event_base;
struct evconnlistener;
struct fs_ctld;
struct node_notices;
struct power_save;
struct provider;
struct sched_bf;

/* Limits derived from the configuration once, at start-up. */
struct ctld_limits {
	size_t frame_max;           /* max(WIRE_FRAME_MAX_DEFAULT, 2 * max_script_size) */
	uint64_t max_script_size;   /* bytes */
	uint32_t max_job_count;     /* jobs in memory (pending, running, finished) */
	uint32_t message_timeout;   /* seconds a client connection may stay idle */
	uint32_t agent_silence;     /* seconds before an agent counts as not responding */
	uint32_t slurmd_timeout;    /* seconds not responding before its jobs are NODE_FAIL */
	uint32_t min_job_age;       /* seconds a finished job stays in memory; 0 = forever */
};

struct ctld {
	struct sky_conf *conf;          /* owned */
	struct store *store;            /* owned */
	struct auth_ctx *auth;          /* owned; signs controller -> agent messages too */
	struct event_base *base;        /* owned */
	struct ctld_limits limits;
	uid_t slurm_uid;                /* SlurmUser; with root, the "operators" */
	int lock_fd;                    /* flock on <StateSaveLocation>/slurmctld.lock, or -1 */
	bool pidfile_written;           /* remove SlurmctldPidFile at exit */
	time_t boot_time;

	struct job_table jobs;
	struct node_table nodes;
	struct part_table parts;
	struct provider *providers;     /* owned array, one per provider name in use */
	size_t n_providers;
	struct power_save *power;       /* owned; power_save.c */
	struct fs_ctld *fs;             /* owned; fair share and priority (fs_ctld.c) */
	struct node_notices *notices;   /* owned, NULL until the first; node_notice.c */

	struct evconnlistener *unix_listener;   /* owned */
	struct evconnlistener *tcp_listener;    /* owned, NULL when SlurmctldPort=0 */
	bool socket_created;            /* we bound SlurmctldSocket: unlink it at exit */
	struct conn *conns;             /* every open connection, owned */

	struct event *ev_tick;          /* 1 s housekeeping */
	struct event *ev_sched;         /* deferred scheduling pass */
	bool sched_pending;             /* ev_sched is active already */
	int64_t sched_last_us;          /* monotonic time of the last pass */
	int64_t sched_min_interval_us;  /* SchedulerParameters=sched_min_interval */
	struct sched_bf *bf;            /* owned; backfill state (sched_backfill.c) */
	struct event *ev_signal[3];     /* SIGTERM, SIGINT, SIGHUP */
};

/* Root and SlurmUser may act on every job and speak for node agents. */
static inline bool ctld_is_operator(const struct ctld *c, uid_t uid)
{
	return uid == 0 || uid == c->slurm_uid;
}

#endif
