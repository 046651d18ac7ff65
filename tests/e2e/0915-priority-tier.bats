#!/usr/bin/env bats
# The scheduler's order (slurm.md section 7): partition PriorityTier before
# priority, submit time and job id. A job of a higher-tier partition sharing
# the nodes starts before older jobs of a lower tier.
load helpers

setup_file() {
	sky_start --nodes 1 --cpus-per-node 1 \
		--set "PartitionName=urgent Nodes=node1 PriorityTier=10 MaxTime=INFINITE State=UP"
	cd "$SKY_WORK"
}
teardown_file() { sky_cancel_all; sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

@test "a higher PriorityTier partition goes first" {
	a=$(sbatch --parsable -o /dev/null --wrap 'sleep 2')
	wait_state "$a" RUNNING
	b=$(sbatch --parsable -o /dev/null --wrap 'sleep 1')
	c=$(sbatch --parsable -p urgent -o /dev/null --wrap 'sleep 1')
	wait_state "$c" RUNNING 10
	[ "$(job_field "$b" %T)" = PENDING ]
	wait_state "$b" RUNNING 10
}
