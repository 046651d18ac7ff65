/* state_names.c: see state_names.h. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sky.pb-c.h"
#include "state_names.h"

struct job_state_name {
	uint32_t code;
	const char *lng;
	const char *compact;
};

/* Indexed by Sky__JobState, which follows Slurm's base state numbers. */
static const struct job_state_name job_states[] = {
	{ SKY__JOB_STATE__JOB_PENDING, "PENDING", "PD" },
	{ SKY__JOB_STATE__JOB_RUNNING, "RUNNING", "R" },
	{ SKY__JOB_STATE__JOB_SUSPENDED, "SUSPENDED", "S" },
	{ SKY__JOB_STATE__JOB_COMPLETE, "COMPLETED", "CD" },
	{ SKY__JOB_STATE__JOB_CANCELLED, "CANCELLED", "CA" },
	{ SKY__JOB_STATE__JOB_FAILED, "FAILED", "F" },
	{ SKY__JOB_STATE__JOB_TIMEOUT, "TIMEOUT", "TO" },
	{ SKY__JOB_STATE__JOB_NODE_FAIL, "NODE_FAIL", "NF" },
	{ SKY__JOB_STATE__JOB_PREEMPTED, "PREEMPTED", "PR" },
	{ SKY__JOB_STATE__JOB_BOOT_FAIL, "BOOT_FAIL", "BF" },
	{ SKY__JOB_STATE__JOB_DEADLINE, "DEADLINE", "DL" },
	{ SKY__JOB_STATE__JOB_OOM, "OUT_OF_MEMORY", "OOM" },
};
#define N_JOB_STATES (sizeof(job_states) / sizeof(job_states[0]))

/* Flags, in the order Slurm checks them. */
static const struct job_state_name job_flags[] = {
	{ JOB_STATE_F_COMPLETING, "COMPLETING", "CG" },
	{ JOB_STATE_F_CONFIGURING, "CONFIGURING", "CF" },
	{ JOB_STATE_F_REQUEUED, "REQUEUED", "RQ" },
};

static uint32_t flag_bits(uint32_t code)
{
	if (code == JOB_STATE_F_COMPLETING)
		return SKY__JOB_FLAG__JOB_FLAG_COMPLETING;
	if (code == JOB_STATE_F_CONFIGURING)
		return SKY__JOB_FLAG__JOB_FLAG_CONFIGURING;
	return SKY__JOB_FLAG__JOB_FLAG_REQUEUED;
}

static const struct job_state_name *job_state_entry(uint32_t state, uint32_t flags)
{
	for (size_t i = 0; i < sizeof(job_flags) / sizeof(job_flags[0]); i++) {
		/* Only a running job is configuring (the flag may outlive a cancel). */
		if (job_flags[i].code == JOB_STATE_F_CONFIGURING && state != SKY__JOB_STATE__JOB_RUNNING)
			continue;
		if (flags & flag_bits(job_flags[i].code))
			return &job_flags[i];
	}
	if (state < N_JOB_STATES)
		return &job_states[state];
	return NULL;
}

const char *job_state_long(uint32_t state, uint32_t flags)
{
	const struct job_state_name *e = job_state_entry(state, flags);
	return e ? e->lng : "UNKNOWN";
}

const char *job_state_compact(uint32_t state, uint32_t flags)
{
	const struct job_state_name *e = job_state_entry(state, flags);
	return e ? e->compact : "?";
}

const char *job_state_base_long(uint32_t state)
{
	return state < N_JOB_STATES ? job_states[state].lng : "UNKNOWN";
}

bool job_state_finished(uint32_t state)
{
	return state > SKY__JOB_STATE__JOB_SUSPENDED;
}

bool job_state_active(uint32_t state, uint32_t flags)
{
	return !job_state_finished(state) || (flags & SKY__JOB_FLAG__JOB_FLAG_COMPLETING);
}

bool job_state_parse(const char *name, uint32_t *code)
{
	for (size_t i = 0; i < N_JOB_STATES; i++) {
		if (!strcasecmp(name, job_states[i].lng) || !strcasecmp(name, job_states[i].compact)) {
			*code = job_states[i].code;
			return true;
		}
	}
	for (size_t i = 0; i < sizeof(job_flags) / sizeof(job_flags[0]); i++) {
		if (!strcasecmp(name, job_flags[i].lng) || !strcasecmp(name, job_flags[i].compact)) {
			*code = job_flags[i].code;
			return true;
		}
	}
	return false;
}

bool job_state_matches(uint32_t code, uint32_t state, uint32_t flags)
{
	if (code == JOB_STATE_F_COMPLETING || code == JOB_STATE_F_REQUEUED ||
	    code == JOB_STATE_F_CONFIGURING)
		return (flags & flag_bits(code)) != 0;
	return code == state;
}

static char node_suffix(uint32_t flags)
{
	if (flags & SKY__NODE_FLAG__NODE_FLAG_NOT_RESPONDING)
		return '*';
	if (flags & SKY__NODE_FLAG__NODE_FLAG_POWER_DOWN)
		return '!';
	if (flags & SKY__NODE_FLAG__NODE_FLAG_POWERING_UP)
		return '#';
	if (flags & SKY__NODE_FLAG__NODE_FLAG_POWERING_DOWN)
		return '%';
	if (flags & SKY__NODE_FLAG__NODE_FLAG_POWERED_DOWN)
		return '~';
	return '\0';
}

static bool node_busy(uint32_t state, uint32_t flags)
{
	return state == SKY__NODE_STATE__NODE_ALLOCATED || state == SKY__NODE_STATE__NODE_MIXED ||
	       (flags & SKY__NODE_FLAG__NODE_FLAG_COMPLETING);
}

static bool node_drained(uint32_t state, uint32_t flags)
{
	return state == SKY__NODE_STATE__NODE_DRAIN || (flags & SKY__NODE_FLAG__NODE_FLAG_DRAIN);
}

/* Base name of a node, compact (short) or long form. Static. */
static const char *node_base_name(uint32_t state, uint32_t flags, bool lng)
{
	if (node_drained(state, flags)) {
		if (node_busy(state, flags))
			return lng ? "DRAINING" : "DRNG";
		return lng ? "DRAINED" : "DRAIN";
	}
	switch (state) {
	case SKY__NODE_STATE__NODE_IDLE:
	case SKY__NODE_STATE__NODE_CLOUD:
		if (flags & SKY__NODE_FLAG__NODE_FLAG_COMPLETING)
			return lng ? "COMPLETING" : "COMP";
		return "IDLE";
	case SKY__NODE_STATE__NODE_ALLOCATED:
		return lng ? "ALLOCATED" : "ALLOC";
	case SKY__NODE_STATE__NODE_MIXED:
		return lng ? "MIXED" : "MIX";
	case SKY__NODE_STATE__NODE_DOWN:
		return "DOWN";
	case SKY__NODE_STATE__NODE_FUTURE:
		return lng ? "FUTURE" : "FUTR";
	default:
		return lng ? "UNKNOWN" : "UNK";
	}
}

static char *node_state_fmt(const char *base, uint32_t state, uint32_t flags, bool lower,
			    char *buf, size_t len)
{
	char sfx = node_suffix(flags);

	/* A cloud node that is not running is powered down even without the flag. */
	if (!sfx && state == SKY__NODE_STATE__NODE_CLOUD)
		sfx = '~';
	if (sfx)
		snprintf(buf, len, "%s%c", base, sfx);
	else
		snprintf(buf, len, "%s", base);
	if (lower)
		for (char *p = buf; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	return buf;
}

char *node_state_compact(uint32_t state, uint32_t flags, bool lower, char *buf, size_t len)
{
	return node_state_fmt(node_base_name(state, flags, false), state, flags, lower, buf, len);
}

char *node_state_long(uint32_t state, uint32_t flags, bool lower, char *buf, size_t len)
{
	return node_state_fmt(node_base_name(state, flags, true), state, flags, lower, buf, len);
}

char *node_state_complete(uint32_t state, uint32_t flags, char *buf, size_t len)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} fl[] = {
		{ SKY__NODE_FLAG__NODE_FLAG_CLOUD, "CLOUD" },
		{ SKY__NODE_FLAG__NODE_FLAG_COMPLETING, "COMPLETING" },
		{ SKY__NODE_FLAG__NODE_FLAG_DRAIN, "DRAIN" },
		{ SKY__NODE_FLAG__NODE_FLAG_NOT_RESPONDING, "NOT_RESPONDING" },
		{ SKY__NODE_FLAG__NODE_FLAG_POWER_DOWN, "POWER_DOWN" },
		{ SKY__NODE_FLAG__NODE_FLAG_POWERED_DOWN, "POWERED_DOWN" },
		{ SKY__NODE_FLAG__NODE_FLAG_POWERING_DOWN, "POWERING_DOWN" },
		{ SKY__NODE_FLAG__NODE_FLAG_POWERING_UP, "POWERING_UP" },
	};
	const char *base;
	size_t off;

	switch (state) {
	case SKY__NODE_STATE__NODE_IDLE: base = "IDLE"; break;
	case SKY__NODE_STATE__NODE_CLOUD: base = "IDLE"; flags |= SKY__NODE_FLAG__NODE_FLAG_CLOUD; break;
	case SKY__NODE_STATE__NODE_ALLOCATED: base = "ALLOCATED"; break;
	case SKY__NODE_STATE__NODE_MIXED: base = "MIXED"; break;
	case SKY__NODE_STATE__NODE_DOWN: base = "DOWN"; break;
	case SKY__NODE_STATE__NODE_DRAIN: base = "IDLE"; flags |= SKY__NODE_FLAG__NODE_FLAG_DRAIN; break;
	case SKY__NODE_STATE__NODE_FUTURE: base = "FUTURE"; break;
	default: base = "UNKNOWN"; break;
	}
	snprintf(buf, len, "%s", base);
	if (state == SKY__NODE_STATE__NODE_CLOUD && !(flags & SKY__NODE_FLAG__NODE_FLAG_POWERING_UP))
		flags |= SKY__NODE_FLAG__NODE_FLAG_POWERED_DOWN;
	for (size_t i = 0; i < sizeof(fl) / sizeof(fl[0]); i++) {
		if (!(flags & fl[i].bit))
			continue;
		off = strlen(buf);
		if (off < len)
			snprintf(buf + off, len - off, "+%s", fl[i].name);
	}
	return buf;
}

int node_state_sort_key(uint32_t state)
{
	switch (state) {
	case SKY__NODE_STATE__NODE_DOWN: return 1;
	case SKY__NODE_STATE__NODE_IDLE:
	case SKY__NODE_STATE__NODE_CLOUD:
	case SKY__NODE_STATE__NODE_DRAIN: return 2;
	case SKY__NODE_STATE__NODE_ALLOCATED: return 3;
	case SKY__NODE_STATE__NODE_MIXED: return 5;
	case SKY__NODE_STATE__NODE_FUTURE: return 6;
	default: return 0;
	}
}
