/*
 * prov_k8s_log.h: the pods' logs streamed into their job's output file.
 *
 * A job's output file (struct k8s_logfile) is opened by the first of its
 * streams that starts, as the job's user (see k8s_open_as_user), and shared
 * by the streams of its ranks (one thread each, a Kubernetes client each).
 * Lines are written whole with one write(2), so ranks never interleave within
 * a line; ranks >= 1 of a task-YAML job get SkyPilot's "(worker<k>, rank=<k>) "
 * prefix.
 *
 * Resuming: the log API has no byte offset, so a stream that breaks reads
 * the log from its start again and drops what it already handled
 * (k8s_linebuf). A controller that adopts a running job counts what the file
 * holds of each rank since the run's start (K8S_ANN_LOG_BASE on rank 0's
 * pod) and resumes from there. Bound: a kubelet that rotated the log
 * (10 MiB by default) serves only its tail, and the lines before are lost
 * or skipped.
 *
 * Threads: every function here is for the controller's thread, except that
 * the streams run on their own threads.
 */
#ifndef SKY_PROV_K8S_LOG_H
#define SKY_PROV_K8S_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "prov_k8s_int.h"

struct k8s_logfile_spec {
	char *path;             /* absolute or relative to the daemon's cwd; consumed */
	uid_t uid;
	gid_t gid;
	mode_t umask;
	bool append;            /* O_APPEND (requeued run, --open-mode=append), else O_TRUNC */
	int64_t base;           /* adopting: this run's start in the file; -1: open afresh */
	bool multi;             /* every rank's lines (ranks >= 1 prefixed) */
	uint32_t n_ranks;
};

struct k8s_logfile;
struct k8s_logstream;

/* A job's output file, not opened yet. *s consumed (path). Caller puts. */
struct k8s_logfile *k8s_logfile_new(struct k8s_logfile_spec *s);
void k8s_logfile_put(struct k8s_logfile *f);

/*
 * Stream pod's log (of rank) into f (which it holds until it ends). patch:
 * record the file's start as K8S_ANN_LOG_BASE on this pod once open (rank 0
 * of a run this controller launched). Caller releases.
 */
struct k8s_logstream *k8s_logstream_start(struct k8s_prov *kp, struct k8s_logfile *f,
					  const char *pod, uint32_t rank, bool patch);
/* The stream has written everything and ended. */
bool k8s_logstream_done(struct k8s_logstream *s);
/* A counter that moves while data arrives (a draining stream is alive). */
unsigned int k8s_logstream_progress(struct k8s_logstream *s);
/* The pod has ended: once its body ends, the stream is complete. */
void k8s_logstream_pod_ended(struct k8s_logstream *s);
/* Stop it now (if still running) and drop the caller's hold. NULL is fine. */
void k8s_logstream_release(struct k8s_logstream *s);
/* Wait up to timeout_ms for every stream thread to end (shutdown). */
void k8s_log_wait_all(int timeout_ms);

/*
 * Open path with flags (O_CREAT: mode 0666 & ~um) as uid/gid: when this
 * process is root and uid is another user, a child process takes the
 * user's identity, opens, and passes the descriptor back (SCM_RIGHTS), so
 * the file's owner and the permission checks are the user's. *fd: the
 * caller closes.
 */
int k8s_open_as_user(const char *path, int flags, mode_t um, uid_t uid, gid_t gid, int *fd,
		     struct sky_errbuf *eb);

#endif
