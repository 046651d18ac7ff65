/* log.c: see log.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "log.h"
#include "sky_err.h"
#include "xalloc.h"

static struct {
	char *prog;
	char *path;
	FILE *fp;
	enum log_level level;
	bool timestamps;
} lg = { .level = LOG_LEVEL_WARN };

int log_init(const char *prog, enum log_level level, const char *file, bool timestamps)
{
	const char *slash = prog ? strrchr(prog, '/') : NULL;

	free(lg.prog);
	lg.prog = xstrdup(slash ? slash + 1 : (prog ? prog : "slurm-sky"));
	lg.level = level;
	lg.timestamps = timestamps;
	free(lg.path);
	lg.path = xstrdup(file);
	if (lg.fp && lg.fp != stderr)
		fclose(lg.fp);
	lg.fp = NULL;
	if (file) {
		lg.fp = fopen(file, "a");
		if (!lg.fp) {
			fprintf(stderr, "%s: error: cannot open log file %s\n", lg.prog, file);
			return SKY_E_IO;
		}
		setvbuf(lg.fp, NULL, _IOLBF, 0);
	}
	return 0;
}

void log_set_level(enum log_level level) { lg.level = level; }
enum log_level log_get_level(void) { return lg.level; }

void log_reopen(void)
{
	if (!lg.path)
		return;
	if (lg.fp && lg.fp != stderr)
		fclose(lg.fp);
	lg.fp = fopen(lg.path, "a");
	if (lg.fp)
		setvbuf(lg.fp, NULL, _IOLBF, 0);
}

void log_fini(void)
{
	if (lg.fp && lg.fp != stderr)
		fclose(lg.fp);
	lg.fp = NULL;
	FREE_NULL(lg.prog);
	FREE_NULL(lg.path);
}

static void log_v(enum log_level level, const char *pfx, const char *fmt, va_list ap)
{
	FILE *fp = lg.fp ? lg.fp : stderr;

	if (level > lg.level)
		return;
	if (lg.timestamps) {
		struct timeval tv;
		struct tm tm;
		char ts[32];
		gettimeofday(&tv, NULL);
		localtime_r(&tv.tv_sec, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(fp, "[%s.%03ld] %s", ts, (long)(tv.tv_usec / 1000), pfx);
	} else {
		fprintf(fp, "%s: %s", lg.prog ? lg.prog : "slurm-sky", pfx);
	}
	vfprintf(fp, fmt, ap);
	fputc('\n', fp);
	fflush(fp);
}

#define LOG_FN(fn, lvl, pfx)                      \
	void fn(const char *fmt, ...)             \
	{                                         \
		va_list ap;                       \
		va_start(ap, fmt);                \
		log_v(lvl, pfx, fmt, ap);         \
		va_end(ap);                       \
	}

LOG_FN(log_error, LOG_LEVEL_ERROR, "error: ")
LOG_FN(log_warn, LOG_LEVEL_WARN, "warning: ")
LOG_FN(log_info, LOG_LEVEL_INFO, "")
LOG_FN(log_verbose, LOG_LEVEL_VERBOSE, "")
LOG_FN(log_debug, LOG_LEVEL_DEBUG, "debug: ")
LOG_FN(log_debug2, LOG_LEVEL_DEBUG2, "debug2: ")

void fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_v(LOG_LEVEL_FATAL, "fatal: ", fmt, ap);
	va_end(ap);
	exit(1);
}
