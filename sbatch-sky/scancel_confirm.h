/*
 * scancel_confirm.h: scancel -i/--interactive, which asks before acting on
 * each job: "Cancel job_id=N name=X partition=P [y/n]? " (Signal ... with
 * --signal) on stdout, an answer line read from stdin; y/Y acts, n/N skips,
 * anything else asks again, end of input skips.
 */
#ifndef SKY_SCANCEL_CONFIRM_H
#define SKY_SCANCEL_CONFIRM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rpc_client.h"

/*
 * Ask about each of ids[0..n) (job names and partitions loaded from the
 * controller through c), keep the confirmed ones at the front of ids, in
 * order, and return how many. Unknown ids are kept (the cancel reports them).
 */
size_t scancel_confirm(struct sky_client *c, uint32_t *ids, size_t n, uint32_t signal, FILE *in);

#endif
