/*
 * node_notice.h: what agents say about their own machines
 * (AGENT_NODE_NOTICE; slurmd-sky/imds.h), today EC2's spot interruption
 * notice, and agents of VMs that no longer own their slot.
 *
 * A spot interruption notice (about two minutes ahead) on node n:
 *   - n takes no new jobs: DRAIN, reason "spot interruption notice:
 *     <action> at <time>" (sinfo -R shows it);
 *   - every job on n asked for a --signal warning gets it now, as
 *     CTLD_SIGNAL_JOB to its batch host (the agent's supervisor sends the
 *     time-limit warning the same way);
 *   - at the notice's time, if the instance is still there, n's jobs are
 *     requeued (restart count + 1) or end NODE_FAIL (--no-requeue), their
 *     scripts killed first (pending + COMPLETING until n's agent reports
 *     them stopped: nothing runs twice), and n powers down: the same path as
 *     scontrol power down force. When the provider finds the instance gone
 *     before then, its own loss path (power_node_lost) does this instead.
 *   - once the slot's instance is gone or replaced (or the node powered
 *     down), the notice is forgotten and the drain this module set undone.
 * Repeats (the agent re-sends at every poll) and notices from another
 * instance than the slot's are ignored. Notices live in memory only: after
 * a controller restart the agent's next poll brings them back.
 */
#ifndef SKY_NODE_NOTICE_H
#define SKY_NODE_NOTICE_H

#include <stdbool.h>
#include <time.h>

#include "sky.pb-c.h"
#include "sky_err.h"

struct ctld;
struct node;
struct rpc_ctx;

#define NODE_NOTICE_SPOT "spot-interruption"
/* A notice without a time: EC2's usual lead. */
#define NODE_NOTICE_DEFAULT_LEAD_SECS 120

/* AGENT_NODE_NOTICE (on a registered link; never fails the link). */
int rpc_agent_node_notice(struct rpc_ctx *r, struct sky_errbuf *eb);

/*
 * AGENT_REGISTER, before anything is reconciled: reg comes from another
 * instance than the one n's provider put behind the slot (both known and
 * different). Then the refusal (rc SKY_E_ACCESS_DENIED, stale_instance, a
 * message naming both ids) is queued, the connection will close, and true
 * is returned.
 */
bool node_notice_refuse_stale(struct rpc_ctx *r, struct node *n, const Sky__NodeRegister *reg);

/* 1 s timer: notices that fall due or end. */
void node_notice_tick(struct ctld *c, time_t now);
void node_notice_fini(struct ctld *c);

#endif
