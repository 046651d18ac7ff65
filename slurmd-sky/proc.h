/*
 * proc.h: what the agent and the supervisor learn about processes from /proc.
 *
 * A pid alone does not name a process for long: after it exits the kernel
 * may give the number to someone else. (pid, start time) does, so the spool
 * records both and every "is it still alive?" check compares both.
 */
#ifndef SKY_SLURMD_PROC_H
#define SKY_SLURMD_PROC_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Start time of pid in clock ticks since boot (field 22 of /proc/PID/stat).
 * Returns 0, or SKY_E_NOT_FOUND when the process does not exist (or is a
 * zombie: it will never run again, so it counts as gone).
 */
int proc_start_time(pid_t pid, uint64_t *start);

/* True when pid exists, is not a zombie, and started at start. */
bool proc_alive(pid_t pid, uint64_t start);

/*
 * Every descendant of root (children, grandchildren, ...), zombies
 * included, as a snapshot of /proc. *pids is caller-freed (may be NULL when
 * *n is 0).
 */
void proc_descendants(pid_t root, pid_t **pids, size_t *n);

/* Send sig to every process of session sid (what is left of a job whose supervisor died). */
void proc_kill_session(pid_t sid, int sig);

/* Boot time of this machine in unix seconds (btime of /proc/stat), or 0. */
uint64_t proc_boot_time(void);

/*
 * For a freshly forked supervisor (batch or step): every disposition back to
 * default, SIGPIPE and SIGHUP ignored, and the mask set to served, the
 * signals it then reads from a signalfd.
 */
void proc_reset_signals(const sigset_t *served);

#endif
