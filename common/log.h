/*
 * log.h: one logger for daemons and commands.
 *
 * Commands log to stderr as Slurm's do: "<prog>: error: <msg>",
 * "<prog>: fatal: <msg>", and bare "<prog>: <msg>" for info.
 * Daemons log to a file (or stderr in the foreground) with a timestamp:
 * "[2026-11-22T06:55:05.123] error: <msg>".
 */
#ifndef SKY_LOG_H
#define SKY_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_LEVEL_QUIET = 0,
	LOG_LEVEL_FATAL,
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,    /* default for commands */
	LOG_LEVEL_INFO,    /* default for daemons */
	LOG_LEVEL_VERBOSE,
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_DEBUG2,
};

/*
 * prog: the name printed as prefix (copied). level: highest level printed.
 * file: NULL for stderr, else a path opened for append.
 * timestamps: prefix each line with the time (daemons).
 * Returns 0, or SKY_E_IO when file cannot be opened (logging then goes to stderr).
 */
int log_init(const char *prog, enum log_level level, const char *file, bool timestamps);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Reopen the log file (after rotation; SIGHUP). */
void log_reopen(void);
void log_fini(void);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug2(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Log and exit(1). For broken invariants and start-up failures, never for bad user input. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
