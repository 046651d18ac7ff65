/*
 * prov_k8s_podstate.h: what a pod object says about its job (pure functions,
 * no threads, no controller state: unit-tested in prov_k8s_pods_test.c).
 *
 * Used by prov_k8s_pods.c (the watch of our pods) and prov_k8s_log.c (the
 * log streams' line handling and the byte accounting that lets a stream
 * resume, after a break or a controller restart, without losing or doubling
 * a line).
 */
#ifndef SKY_PROV_K8S_PODSTATE_H
#define SKY_PROV_K8S_PODSTATE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The annotation rank 0's pod gets once the output file is open: the file's
 * size then, so an adopting controller knows where this run's output starts. */
#define K8S_ANN_LOG_BASE "slurm-sky/log-base"

enum k8s_pod_end {
	K8S_POD_ACTIVE,         /* pending or running */
	K8S_POD_EXITED,         /* the container ended on its own: exit_code */
	K8S_POD_OOM,            /* terminated reason OOMKilled */
	K8S_POD_LOST,           /* evicted, preempted, node gone, deleted while running */
};

struct k8s_pod_obs {
	char name[254];
	uint32_t job_id, restart, rank;
	bool started;           /* the container ran (a log exists) */
	bool deleting;          /* metadata.deletionTimestamp set */
	enum k8s_pod_end end;
	int exit_code;          /* the container's exit code when it terminated */
	char why[96];           /* "Evicted", "OOMKilled", "PreemptionByScheduler"... */
	int64_t log_base;       /* K8S_ANN_LOG_BASE, -1 when absent */
};

/*
 * Read pod (borrowed) into *o. deleted: the object came with a DELETED
 * event (it is gone). Returns false when the pod lacks our job or restart
 * label (not a pod we can reason about).
 */
bool k8s_pod_observe(json_object *pod, bool deleted, struct k8s_pod_obs *o);

/* A container exit code as a raw wait(2) status: 128+N (N 1..64) is signal
 * N, as Slurm shows it (ExitCode 0:N); anything else is exit(code). */
int32_t k8s_exit_status(int exit_code);

/* "(worker<k>, rank=<k>) " into buf (SkyPilot's prefix of rank k >= 1's
 * lines); "" for rank 0. Returns the length. */
size_t k8s_log_prefix(char *buf, size_t size, uint32_t rank);

/*
 * How many log bytes of each rank the output data already holds (whole
 * lines: a line starting with rank k's prefix counts for k without the
 * prefix, any other for rank 0; a last unterminated line counts too).
 * per_rank has n_ranks zeroed entries; multi false: everything is rank 0's.
 */
void k8s_log_count(const char *data, size_t len, bool multi, uint64_t *per_rank,
		   size_t n_ranks);

/*
 * One rank's log, turned into output lines. pos: log bytes handled so far
 * (written, buffered or skipped); a new connection's body is read from its
 * start again (or an adopting controller starts with pos = what the file
 * holds), and the first pos bytes of it are dropped.
 */
typedef int (*k8s_line_cb)(void *arg, const char *data, size_t len);

struct k8s_linebuf {
	uint64_t pos;           /* log bytes consumed over every connection */
	uint64_t stream_pos;    /* bytes of the current connection's body seen */
	char prefix[48];
	size_t n_prefix;
	char *part;             /* the current unterminated line (prefix included); owned */
	size_t n_part, cap;
	k8s_line_cb emit;       /* gets whole lines (prefix + text + '\n') */
	void *arg;
};

void k8s_linebuf_init(struct k8s_linebuf *b, uint32_t rank, uint64_t pos, k8s_line_cb emit,
		      void *arg);
void k8s_linebuf_fini(struct k8s_linebuf *b);
/* A new connection: its body starts at log byte 0. */
void k8s_linebuf_restart(struct k8s_linebuf *b);
/* Body bytes; returns emit's non-zero return. */
int k8s_linebuf_feed(struct k8s_linebuf *b, const char *data, size_t len);
/* The log ended: emit the unterminated last line as it is. */
int k8s_linebuf_flush(struct k8s_linebuf *b);

#endif
