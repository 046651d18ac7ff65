/*
 * bench/sched_fixtime.c: an LD_PRELOAD shim that freezes time() at
 * $FIXED_TIME (default 1795000000), so two builds of bench/sched_bench
 * schedule the same world at the same instant and their -o dumps can be
 * compared byte for byte (bench/README.md, "Scheduling cycle"):
 *
 *   cc -shared -fPIC -o /tmp/fixtime.so bench/sched_fixtime.c
 *   LD_PRELOAD=/tmp/fixtime.so build-a/bench/sched_bench -r 1 -o /tmp/a
 *
 * Only time() is frozen: the bench's own timers use clock_gettime().
 */
#include <stdlib.h>
#include <time.h>

time_t time(time_t *t);

time_t time(time_t *t)
{
	const char *s = getenv("FIXED_TIME");
	time_t v = (time_t)strtoll(s ? s : "1795000000", NULL, 10);

	if (t)
		*t = v;
	return v;
}
