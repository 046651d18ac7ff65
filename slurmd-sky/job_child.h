/*
 * job_child.h: the forked batch-script process, from fork to execve.
 *
 * Runs in the child the supervisor forks: new session, the job's identity,
 * umask, work directory, stdio opened as the user, environment, execve of
 * the spooled script. It reports to the supervisor over a SOCK_SEQPACKET
 * channel that is close-on-exec, so EOF without an error means the script
 * is running:
 *   JOB_CHAN_STDERR + the job's stderr fd (SCM_RIGHTS), for the
 *                     supervisor's "*** JOB ... CANCELLED ***" lines
 *   JOB_CHAN_ERROR  + text: the launch failed (the child then exits)
 */
#ifndef SKY_SLURMD_JOB_CHILD_H
#define SKY_SLURMD_JOB_CHILD_H

#include <sys/types.h>
#include <time.h>

#include "sky.pb-c.h"

#define JOB_CHAN_STDERR 'F'
#define JOB_CHAN_ERROR 'E'

/* Exit codes of a child that never reached the script. */
#define JOB_CHILD_EXIT_SETUP 1
#define JOB_CHILD_EXIT_NOEXEC 126
#define JOB_CHILD_EXIT_NOTFOUND 127

struct spank_batch;

struct job_child_args {
	const Sky__LaunchJob *lj;   /* borrowed */
	const char *jobdir;         /* the script is jobdir/script */
	const char *node_name;
	const char *cluster;        /* may be NULL */
	const char *user_name;      /* may be NULL when not root and unknown */
	const char *group_name;     /* may be NULL */
	const char *home;           /* may be NULL */
	uid_t uid;
	gid_t gid;
	int chan;                   /* the child's end of the report channel */
	time_t start_time;
	struct spank_batch *spank;  /* plugins the supervisor opened (spank_host.h); NULL: none */
};

/* Never returns: execs the script or _exit()s with a JOB_CHILD_EXIT_* code. */
void job_child_exec(const struct job_child_args *a) __attribute__((noreturn));

#endif
