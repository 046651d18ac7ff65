/*
 * node_power.h: a node's power-saving state (Slurm's power_save, slurm.md
 * section 5), kept in struct node and driven by power_save.c.
 */
#ifndef SKY_NODE_POWER_H
#define SKY_NODE_POWER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

enum node_power_state {
	NODE_POWER_ON = 0,        /* powered up (or a node that is never powered down) */
	NODE_POWER_OFF,           /* POWERED_DOWN '~' */
	NODE_POWERING_UP,         /* POWERING_UP '#': resume asked, agent not registered yet */
	NODE_POWERING_DOWN,       /* POWERING_DOWN '%': suspended, for SuspendTimeout */
};

struct node_power {
	uint8_t state;            /* enum node_power_state */
	bool elastic;             /* its provider powers it up and down (not "local") */
	bool cloud;               /* State=CLOUD in the config */
	bool exc;                 /* SuspendExcNodes/SuspendExcParts: never suspended */
	bool down_pending;        /* '!': power down once idle (scontrol power down) */
	bool asap;                /* power_down_asap: no new jobs meanwhile */
	bool power_down_on_idle;  /* a partition has PowerDownOnIdle=YES */
	bool resume_queued;       /* POWERING_UP, waiting for ResumeRate */
	bool suspend_queued;      /* POWERING_DOWN, waiting for SuspendRate */
	bool resume_failed;       /* DOWN because it did not come up */
	time_t since;             /* when the current state began */
	time_t resume_deadline;   /* POWERING_UP: ResumeTimeout (0: resume not asked yet) */
	uint32_t suspend_time;    /* resolved: node > partition > global; SKY_INFINITE off */
	uint32_t suspend_timeout;
	uint32_t resume_timeout;
};

#endif
