/*
 * step_agent.h: the agent's side of job steps (srun) and of allocations
 * without a batch script (srun outside an allocation).
 *
 * Nothing here is kept in memory: a running step is its step process and
 * its pid file (step_sup.h), an allocation held for srun is the marker
 * <spool>/alloc<ID>, so an agent restart loses neither.
 */
#ifndef SKY_SLURMD_STEP_AGENT_H
#define SKY_SLURMD_STEP_AGENT_H

#include <stdbool.h>

#include "agent.h"
#include "sky.pb-c.h"

/* CTLD_LAUNCH_STEP: fork this node's step process. */
void step_agent_launch(struct agent *a, const Sky__StepLaunch *sl);

/* CTLD_SIGNAL_STEP: signal 0 cancels the step here, others are delivered. */
void step_agent_signal(struct agent *a, const Sky__StepSignal *ss);

/*
 * CTLD_SIGNAL_JOB seen by the agent: the steps of that job on this node get
 * the signal too (signal 0: cancelled), and a cancelled allocation is let go.
 */
void step_agent_job_signal(struct agent *a, const Sky__SignalJob *sj);

/*
 * CTLD_LAUNCH_JOB of an allocation (desc.alloc_only): nothing runs; the
 * node only remembers it holds the job. Returns true when lj was one (the
 * caller then answers success and does nothing else).
 */
bool step_agent_alloc_launch(struct agent *a, const Sky__LaunchJob *lj);

/*
 * Append the allocations held here to reg as running jobs, after
 * jobs_fill_register(); jobs_register_clear() frees them with the rest.
 */
void step_agent_fill_register(struct agent *a, Sky__NodeRegister *reg);

#endif
