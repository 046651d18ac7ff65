/*
 * spool.h: the agent's on-disk record of the jobs it holds.
 *
 *   <spool>/job<ID>/script      the batch script (owned by the job's user, 0700)
 *   <spool>/job<ID>/launch      the serialized LaunchJob (script field emptied)
 *   <spool>/job<ID>/supervisor  "<pid> <start ticks>\n" of the supervisor
 *   <spool>/job<ID>/jobpid      the same for the batch script (its session id)
 *   <spool>/job<ID>/result      the serialized JobComplete
 *
 * Every file is written to "<name>.tmp" and renamed, so a reader sees a whole
 * file or none. The job directory goes away only when the controller has
 * acknowledged the completion; until then the spool is the truth an agent
 * restart recovers from.
 */
#ifndef SKY_SLURMD_SPOOL_H
#define SKY_SLURMD_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sky.pb-c.h"
#include "sky_err.h"

/* "<spool>/job<ID>". Caller frees. */
char *spool_job_dir(const char *spool, uint32_t job_id);

/* mkdir -p with mode for the directories it creates. */
int spool_mkdir_p(const char *path, mode_t mode, struct sky_errbuf *eb);

/*
 * Write data to dir/name through dir/name.tmp + rename. The file is created
 * with mode; when owner != (uid_t)-1 it is chowned to owner:group before the
 * rename. durable: fsync file and directory, for what must survive a power
 * loss (the result); pid files and the launch need not, since a crash that
 * loses them also ended the processes they describe.
 */
int spool_write_atomic(const char *dir, const char *name, const void *data, size_t len,
		       mode_t mode, uid_t owner, gid_t group, bool durable,
		       struct sky_errbuf *eb);

/*
 * Read dir/name whole (at most max bytes). SKY_E_NOT_FOUND when it does not
 * exist. *data is caller-freed (NUL-terminated for convenience).
 */
int spool_read_all(const char *dir, const char *name, size_t max, uint8_t **data, size_t *len,
		   struct sky_errbuf *eb);

/*
 * Create <spool>/job<ID> with `script` (owned by uid:gid when the agent is
 * root) and `launch`. A stale directory of the same job is replaced.
 * *jobdir (caller frees) is the job directory.
 */
int spool_job_create(const char *spool, const Sky__LaunchJob *lj, uid_t uid, gid_t gid,
		     char **jobdir, struct sky_errbuf *eb);

/* *out is freed with sky__launch_job__free_unpacked(*out, NULL). */
int spool_read_launch(const char *jobdir, Sky__LaunchJob **out, struct sky_errbuf *eb);

int spool_write_result(const char *jobdir, const Sky__JobComplete *jc, struct sky_errbuf *eb);
/* SKY_E_NOT_FOUND when there is no result yet. *out is freed with
 * sky__job_complete__free_unpacked(*out, NULL). */
int spool_read_result(const char *jobdir, Sky__JobComplete **out, struct sky_errbuf *eb);

#define SPOOL_SUPERVISOR "supervisor"
#define SPOOL_JOBPID "jobpid"

/* Record a process as "<pid> <start ticks>" in jobdir/name (SPOOL_SUPERVISOR, SPOOL_JOBPID). */
int spool_write_pid(const char *jobdir, const char *name, pid_t pid, uint64_t start,
		    struct sky_errbuf *eb);
/* SKY_E_NOT_FOUND when the file does not exist. */
int spool_read_pid(const char *jobdir, const char *name, pid_t *pid, uint64_t *start,
		   struct sky_errbuf *eb);

/* Remove the job directory and everything in it (it holds no subdirectories). */
int spool_job_remove(const char *jobdir, struct sky_errbuf *eb);

/* What an agent finds for one job directory when it starts. */
enum spool_job_kind {
	SPOOL_JOB_FINISHED,    /* has a result: report it */
	SPOOL_JOB_RUNNING,     /* its supervisor (pid + start time) is alive: watch it */
	SPOOL_JOB_LOST,        /* launched, but neither result nor live supervisor */
	SPOOL_JOB_INCOMPLETE,  /* no launch file: the launch was never acknowledged */
};

struct spool_job {
	uint32_t job_id;
	enum spool_job_kind kind;
	char *dir;                  /* owned */
	pid_t sup_pid;              /* SPOOL_JOB_RUNNING */
	uint64_t sup_start;
	Sky__JobComplete *result;   /* SPOOL_JOB_FINISHED; owned */
};

/*
 * Classify every job<ID> directory of spool. *jobs is freed with
 * spool_jobs_free(). A spool directory that does not exist is empty.
 */
int spool_scan(const char *spool, struct spool_job **jobs, size_t *n, struct sky_errbuf *eb);
void spool_jobs_free(struct spool_job *jobs, size_t n);

#endif
