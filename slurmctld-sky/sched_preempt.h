/*
 * sched_preempt.h: PreemptType=preempt/qos (slurm.md section 7, Slurm's
 * preempt.html): a pending job whose QOS lists others in Preempt= may take
 * the resources of running jobs of those QOS.
 *
 * When such a job does not fit, the scheduler asks here: the fewest running
 * jobs of preemptable QOS (lowest priority, then latest started, first)
 * whose resources would let it start are preempted as PreemptMode says:
 * REQUEUE (back to PENDING, Restarts+1; a job that may not be requeued is
 * cancelled instead, as Slurm does) or CANCEL (the job ends PREEMPTED). The
 * preemptor stays pending (Resources) until they are gone and then starts
 * like any job; while its victims are still ending no more are chosen.
 * The what-if reuses the scheduler's own fit test (CPUs, memory, GRES,
 * features, exclusivity) with the candidates' holdings taken away and put
 * back exactly. Not done: PreemptMode=SUSPEND/GANG, per-QOS PreemptMode and
 * GraceTime, preempt/partition_prio, PreemptExemptTime.
 */
#ifndef SKY_SCHED_PREEMPT_H
#define SKY_SCHED_PREEMPT_H

#include <stdbool.h>
#include <time.h>

#include "conf.h"
#include "sky_err.h"

struct ctld;
struct job;
struct partition;

/* PreemptType and PreemptMode as the controller takes them: SKY_E_CONFIG
 * naming the value for anything else (preempt/partition_prio, SUSPEND...). */
int sched_preempt_check(const struct sky_conf *conf, struct sky_errbuf *eb);

/*
 * Slurm looks at preemptors first: with preempt/qos, the jobs whose QOS may
 * preempt others move to the front of the ordered queue (order kept within
 * each group), so a requeued victim does not take its resources back.
 */
void sched_preempt_order(struct ctld *c, struct job **queue, struct partition **parts, size_t n);

/*
 * j (pending, its limits passed) did not fit in p: preempt for it when
 * preemption is on and its QOS may. True when victims were chosen now or
 * earlier ones are still ending (j keeps waiting for them). Commits what it
 * changes and tells the agents (or the node's provider).
 */
bool sched_preempt(struct ctld *c, struct job *j, const struct partition *p, time_t now);

#endif
