/*
 * state_names.h: job and node state names as Slurm's commands print them
 * (slurm.md 3.2 and 3.5), and parsing of state names given by users.
 */
#ifndef SKY_STATE_NAMES_H
#define SKY_STATE_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A -t/--states filter value that is a flag, not a base state. */
#define JOB_STATE_F_COMPLETING 0x100u
#define JOB_STATE_F_REQUEUED   0x200u
#define JOB_STATE_F_CONFIGURING 0x400u

/* "COMPLETING", "PENDING", "OUT_OF_MEMORY"... (flags first, as Slurm). Static. */
const char *job_state_long(uint32_t state, uint32_t flags);
/* "CG", "PD", "OOM"... Static. */
const char *job_state_compact(uint32_t state, uint32_t flags);
/* The base state alone, ignoring flags ("CANCELLED" for a completing cancel). Static. */
const char *job_state_base_long(uint32_t state);

/* The job has ended (any base state after SUSPENDED). */
bool job_state_finished(uint32_t state);
/* squeue's default filter: pending, running, suspended or completing. */
bool job_state_active(uint32_t state, uint32_t flags);

/*
 * Parse a state name (long or compact, any case) as squeue -t and scancel -t
 * take it: *code is a base state or one of JOB_STATE_F_*. false if unknown.
 */
bool job_state_parse(const char *name, uint32_t *code);
/* Does the job match a code from job_state_parse()? */
bool job_state_matches(uint32_t code, uint32_t state, uint32_t flags);

/*
 * Node state, compact ("IDLE", "ALLOC", "MIX", "DRAIN", "DRNG"...) with one
 * suffix ('*' not responding, '#' powering up, '%' powering down, '~'
 * powered down). Writes into buf; returns buf. lower: sinfo's lower case.
 */
char *node_state_compact(uint32_t state, uint32_t flags, bool lower, char *buf, size_t len);
/* Long form ("IDLE", "ALLOCATED", "MIXED", "DRAINED", "DRAINING"...) with the suffix. */
char *node_state_long(uint32_t state, uint32_t flags, bool lower, char *buf, size_t len);
/* scontrol's complete form: "IDLE+CLOUD+POWERED_DOWN", "DOWN+NOT_RESPONDING". */
char *node_state_complete(uint32_t state, uint32_t flags, char *buf, size_t len);

/*
 * Slurm's numeric base node state order (UNKNOWN 0, DOWN 1, IDLE 2,
 * ALLOCATED 3, MIXED 5, FUTURE 6), which sinfo sorts on.
 */
int node_state_sort_key(uint32_t state);

#endif
