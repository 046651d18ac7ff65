#!/usr/bin/env bats
# Backfill keeps the other reasons and constraints: held, dependent, -C
# and -x jobs that could not use the free node stay pending with their
# reason; released, a held short job backfills.
load helpers

setup_file() {
	sky_start --nodes 2 --cpus-per-node 1 --kill-wait 1 --node-features node1=big \
		--set "SchedulerParameters=bf_interval=1,bf_resolution=1"
	cd "$SKY_WORK"
}
teardown_file() { sky_cancel_all; sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

@test "held, dependent, -C and -x jobs do not backfill; a released one does" {
	long=$(sbatch --parsable -t 5 -w node1 -o /dev/null --wrap 'sleep 600')
	wait_state "$long" RUNNING
	top=$(sbatch --parsable -N 2 -t 1 -o /dev/null --wrap 'sleep 1')
	held=$(sbatch --parsable -H -t 1 -o /dev/null --wrap 'sleep 30')
	dep=$(sbatch --parsable -d "afterok:$long" -t 1 -o /dev/null --wrap 'sleep 1')
	big=$(sbatch --parsable -C big -t 1 -o /dev/null --wrap 'sleep 1')
	excl=$(sbatch --parsable -x node2 -t 1 -o /dev/null --wrap 'sleep 1')
	sleep 3
	[ "$(job_field "$top" %r)" = Resources ]
	[ "$(job_field "$held" %r)" = JobHeldUser ]
	[ "$(job_field "$dep" %r)" = Dependency ]
	for j in $big $excl; do
		[ "$(job_field "$j" %T)" = PENDING ]
		[ "$(job_field "$j" %r)" = Priority ]
	done
	! grep -q backfilled "$SKY_INST"/log/slurmctld.log
	# The -C big job can only run on node1: expected after the top job's reservation.
	[[ $(job_field "$big" %Y) = node1 ]]
	scontrol release "$held"
	wait_state "$held" RUNNING 10
	[ "$(job_field "$held" %N)" = node2 ]
	[ "$(job_field "$top" %T)" = PENDING ]
}
