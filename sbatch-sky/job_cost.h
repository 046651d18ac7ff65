/*
 * job_cost.h: the arithmetic and the text of cloud prices and job costs,
 * shared by the controller (charging runs, slurmctld-sky/cloud_info.c) and
 * the commands (scontrol, sacct). Money is int64 micro-dollars, prices are
 * per hour (slurmctld-sky/catalog.h).
 */
#ifndef SKY_JOB_COST_H
#define SKY_JOB_COST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sky.pb-c.h"

/* price x (end - start) / 3600 s, rounded to the micro-dollar; 0 when
 * end <= start, start is 0 or price <= 0. */
int64_t cost_of_run(int64_t price_u_per_hour, uint64_t start, uint64_t end);

/*
 * What the job r cost up to now: the runs already charged (cost_u) plus,
 * while it runs (launched: launch_acked) and its current run is not charged
 * yet, that run until now at run_price_u (else at the placement price).
 */
int64_t job_rec_cost_now(const Sky__JobRecord *r, time_t now);

/* Whether r ran or would run on priced (cloud) nodes: a placement, a price or a cost. */
bool job_rec_is_cloud(const Sky__JobRecord *r);

/* micro-dollars as dollars with 4 decimals, rounded half away from zero:
 * 1234500 -> "1.2345", 0 -> "0.0000". Writes into buf, returns it. */
char *money_str(int64_t micro, char *buf, size_t len);

/* "1.25", "0.0933", "$3" (a leading '$' allowed) into micro-dollars, at most
 * 6 decimals. false (and *out untouched) when s is not such a number. */
bool money_parse(const char *s, int64_t *out);

#endif
