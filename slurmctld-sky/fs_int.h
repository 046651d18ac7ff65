/* fs_int.h: internal to fs_ctld.c, fs_jobs.c and rpc_assoc.c (see fs_ctld.h). */
#ifndef SKY_FS_INT_H
#define SKY_FS_INT_H

#include "fs_ctld.h"

/* Parse conf's keys into f (weights, flags, billing) over TRES table tt. */
int fs_parse_conf(struct fs_ctld *f, const struct sky_conf *conf, struct tres_table *tt,
		  struct sky_errbuf *eb);
/* Free what fs_parse_conf allocated. */
void fs_free_parsed(struct fs_ctld *f);
/* Save the tree and defaults in a transaction of their own and commit it. */
int fs_ctld_commit(struct ctld *c, struct sky_errbuf *eb);
/*
 * After a restart: running jobs were charged up to the stored tree's last
 * cycle (when it was saved), so charging resumes from there, not from what
 * their records last said.
 */
void fs_resume_charges(struct ctld *c, time_t saved);
/* Recount every association's live-job counters from the job table. */
void fs_recount(struct ctld *c);
/* Charge running jobs, decay, reset, compute factors and priorities, save the tree. */
void fs_cycle(struct ctld *c, time_t now);
/* The job's TRES by index into v[ASSOC_TRES_MAX] (what it asks, or holds), billing included. */
void fs_job_tres(const struct fs_ctld *f, const Sky__JobRecord *r, uint64_t *v);
/* The association job j charges, or NULL. Borrowed. */
struct assoc *fs_job_assoc(const struct ctld *c, const Sky__JobRecord *r);

/* fs_time_limits.c: recompute the associations' TRES-seconds left to running
 * jobs (GrpTRESRunMins, sshare TRESRunMins) at now. */
void fs_time_recount(struct ctld *c, time_t now);
/* The reason the first limit counted in time (MaxTRESMinsPerJob,
 * GrpTRESMins, GrpTRESRunMins, GrpWall) on a0's path holds job r, asking
 * TRES v, or NULL. Static string. */
const char *fs_time_blocker(const struct ctld *c, const struct assoc *a0,
			    const Sky__JobRecord *r, const uint64_t *v);

#endif
