/* power_int.h: what power_save.c and power_ctl.c share (not for other files). */
#ifndef SKY_POWER_INT_H
#define SKY_POWER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct ctld;
struct hostlist;
struct job;
struct node;

/* One SuspendExcNodes item: expr (never suspended) or expr:N (keep N up). */
struct power_exc_group {
	char **names;             /* owned */
	size_t n;
	uint32_t keep;
	bool counted;
};

/* The controller's power-saving state (struct ctld.power). */
struct power_save {
	struct power_exc_group *groups;   /* owned */
	size_t n_groups;
	double resume_tokens;             /* ResumeRate bucket (nodes) */
	double suspend_tokens;
	time_t last_refill;
};

/* One provider's batch in a flush. */
struct power_batch {
	struct hostlist *hl;      /* owned */
	char **names;             /* owned array of borrowed node names */
	size_t n_names;
	struct job **jobs;        /* owned array of borrowed jobs */
	struct hostlist **resume_of; /* owned, parallel to jobs: their nodes in this batch */
	size_t n_jobs;
};

/* n: POWERING_DOWN, its suspend queued. */
void power_begin_suspend(struct node *n, time_t now);
/* CONFIGURING jobs cancelled or requeued meanwhile: nothing runs, finish them. */
void power_finish_cancelled(struct ctld *c, time_t now);

#endif
