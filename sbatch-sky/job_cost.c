/* job_cost.c: see job_cost.h. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "job_cost.h"

int64_t cost_of_run(int64_t price_u_per_hour, uint64_t start, uint64_t end)
{
	uint64_t p = (uint64_t)price_u_per_hour, secs, hours, rest;

	if (price_u_per_hour <= 0 || !start || end <= start)
		return 0;
	/* Whole hours apart so price x seconds does not wrap (prices < $10^9/h). */
	secs = end - start;
	hours = secs / 3600;
	rest = secs % 3600;
	if (hours && p > (uint64_t)INT64_MAX / hours)
		return INT64_MAX;
	return (int64_t)(p * hours + (p * rest + 1800) / 3600);
}

/* Holding its nodes in a run not charged yet: running, or requeued while
 * running and still being killed (PENDING+COMPLETING). */
static bool is_running(const Sky__JobRecord *r)
{
	return r->state == SKY__JOB_STATE__JOB_RUNNING || r->state == SKY__JOB_STATE__JOB_SUSPENDED ||
	       (r->state == SKY__JOB_STATE__JOB_PENDING &&
		(r->flags & SKY__JOB_FLAG__JOB_FLAG_COMPLETING));
}

int64_t job_rec_cost_now(const Sky__JobRecord *r, time_t now)
{
	int64_t cost = r->has_cost_u ? r->cost_u : 0;
	int64_t price;

	/* A run not launched yet (CONFIGURING) has not started costing the job. */
	if (!is_running(r) || !r->start_time || !r->launch_acked || now <= 0 ||
	    (r->has_cost_charged_start && r->cost_charged_start == r->start_time))
		return cost;
	price = r->has_run_price_u && r->run_price_u > 0 ? r->run_price_u :
		(r->has_placement_price_u ? r->placement_price_u : 0);
	return cost + cost_of_run(price, r->start_time, (uint64_t)now);
}

bool job_rec_is_cloud(const Sky__JobRecord *r)
{
	return (r->placement && *r->placement) ||
	       (r->has_placement_price_u && r->placement_price_u > 0) ||
	       (r->has_run_price_u && r->run_price_u > 0) || (r->has_cost_u && r->cost_u > 0);
}

char *money_str(int64_t micro, char *buf, size_t len)
{
	/* Magnitude in unsigned: -INT64_MIN does not fit an int64. */
	uint64_t m = micro < 0 ? (uint64_t)0 - (uint64_t)micro : (uint64_t)micro;
	uint64_t tenths_of_cents = (m + 50) / 100;

	snprintf(buf, len, "%s%" PRIu64 ".%04" PRIu64, micro < 0 ? "-" : "",
		 tenths_of_cents / 10000, tenths_of_cents % 10000);
	return buf;
}

bool money_parse(const char *s, int64_t *out)
{
	uint64_t whole = 0, frac = 0;
	int ndec = 0;
	bool digits = false;

	if (!s)
		return false;
	if (*s == '$')
		s++;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (whole > (uint64_t)INT64_MAX / 10000000u)
			return false;
		whole = whole * 10 + (uint64_t)(*s - '0');
		digits = true;
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++) {
			if (++ndec > 6)
				return false;
			frac = frac * 10 + (uint64_t)(*s - '0');
			digits = true;
		}
	}
	if (*s || !digits)
		return false;
	for (; ndec < 6; ndec++)
		frac *= 10;
	*out = (int64_t)(whole * 1000000u + frac);
	return true;
}
