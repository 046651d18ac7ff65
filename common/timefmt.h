/*
 * timefmt.h: Slurm's time and size strings (slurm.md section 1.4), both ways.
 */
#ifndef SKY_TIMEFMT_H
#define SKY_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sky_err.h"

/* "no limit" for minute values (Slurm's INFINITE). */
#define SKY_INFINITE 0xffffffffu
/* "not set" for 32-bit values (Slurm's NO_VAL). */
#define SKY_NO_VAL 0xfffffffeu

/*
 * --time / --time-min: "M", "M:S", "H:M:S", "D-H", "D-H:M", "D-H:M:S",
 * and "-1"/"INFINITE"/"UNLIMITED" (any case) -> SKY_INFINITE. "0" is 0 (the
 * caller decides that 0 means no limit). Seconds round up to whole minutes.
 * Anything else is SKY_E_INVAL with eb naming the string.
 */
int time_str2mins(const char *s, uint32_t *mins, struct sky_errbuf *eb);
/* Same grammar, result in seconds (not rounded). INFINITE -> -1. */
int time_str2secs(const char *s, int64_t *secs, struct sky_errbuf *eb);

/*
 * squeue %M/%l style elapsed time: "M:SS", "H:MM:SS", "D-HH:MM:SS";
 * "INVALID" when negative or above a year. Writes into buf; returns buf.
 */
char *secs2time_str(int64_t secs, char *buf, size_t len);
/*
 * A limit in minutes as squeue and sinfo print it: "UNLIMITED" for
 * SKY_INFINITE, "NOT_SET" for SKY_NO_VAL, else the form of secs2time_str
 * for mins*60 ("30:00", "1:00:00", "1-00:00:00"). Returns buf.
 */
char *mins2time_str(uint32_t mins, char *buf, size_t len);

/*
 * A limit in minutes as scontrol show job/partition prints it (Slurm's
 * mins2time_str): "HH:MM:SS" with zero-padded hours, "D-HH:MM:SS" past a
 * day, "UNLIMITED" for SKY_INFINITE, "NOT_SET" for SKY_NO_VAL. Returns buf.
 */
char *mins2time_str_padded(uint32_t mins, char *buf, size_t len);
/* The same form for seconds (scontrol RunTime=); "INVALID" when negative. */
char *secs2time_str_padded(int64_t secs, char *buf, size_t len);

/*
 * --begin / --deadline forms (slurm.md 1.4): HH:MM[:SS] [AM|PM], MMDD[YY],
 * MM/DD[/YY], MM.DD[.YY], MM/DD[/YY]-HH:MM[:SS], YYYY-MM-DD[THH:MM[:SS]],
 * now[+count[units]], midnight, noon, elevenses, fika, teatime, today,
 * tomorrow. now is the reference time (pass time(NULL)).
 */
int parse_time_spec(const char *s, time_t now, time_t *out, struct sky_errbuf *eb);

/*
 * Timestamp as scontrol/sacct print it: "YYYY-MM-DDTHH:MM:SS" local time;
 * "Unknown" for 0; honours SLURM_TIME_FORMAT (standard, relative, or a
 * strftime string). Returns buf.
 */
char *timestamp_str(time_t t, char *buf, size_t len);

/*
 * --mem style sizes: integer with optional K|M|G|T suffix (optionally
 * followed by B), MiB when no suffix; K rounds up. Result in MiB.
 */
int mem_str2mb(const char *s, uint64_t *mb, struct sky_errbuf *eb);

#endif
