/*
 * job_depend.h: job dependencies (slurm.md 1.7), parsed and resolved by the
 * controller.
 *
 * desc.dependency keeps what the user wrote (SLURM_JOB_DEPENDENCY). The
 * record's dependency_left holds what is still to be satisfied, in the form
 * squeue %E and scontrol's Dependency= print: one "type:target(status)" term
 * per job, joined by ',' (all needed) or '?' (any suffices), e.g.
 * "afterok:12(unfulfilled),afterany:13_*(unfulfilled)". Satisfied terms are
 * dropped; a term that can never be satisfied turns "(failed)". It is in the
 * stored record, so a restarted controller resumes where it was; an empty
 * string means "no dependency left".
 */
#ifndef SKY_JOB_DEPEND_H
#define SKY_JOB_DEPEND_H

#include <stdint.h>
#include <time.h>

#include "sky.pb-c.h"
#include "sky_err.h"

struct ctld;
struct job;

#define REASON_DEPENDENCY "Dependency"
#define REASON_DEPENDENCY_NEVER "DependencyNeverSatisfied"

/*
 * Parse d->dependency at submission. *left: the initial dependency_left
 * (caller frees; NULL when there is no dependency). Returns 0 or
 * SKY_E_DEPENDENCY (syntax; afterok/afternotok/aftercorr on an unknown job).
 */
int job_depend_check(struct ctld *c, const Sky__JobDesc *d, char **left, struct sky_errbuf *eb);

/*
 * Re-evaluate the dependencies of every pending job against the job table,
 * commit the records that changed (one transaction), and cancel the jobs
 * that can never run when --kill-on-invalid-dep=yes or SchedulerParameters
 * kill_invalid_depend asks for it.
 */
void job_depend_update(struct ctld *c, time_t now);

/* "Dependency", "DependencyNeverSatisfied", or NULL when nothing is left. Static. */
const char *job_depend_blocker(const struct job *j);

#endif
