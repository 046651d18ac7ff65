#!/usr/bin/env bats
# Backfill respects association limits (AccountingStorageEnforce=limits): on
# 3 nodes, with the top job waiting for all of them, a short job of an
# account with MaxJobs=1 backfills, the account's second one waits with
# AssocMaxJobsLimit although a node is free, and another account's short
# job takes that node.
load helpers

setup_file() {
	sky_start --nodes 3 --cpus-per-node 1 --kill-wait 1 \
		--set AccountingStorageEnforce=associations,limits \
		--set "SchedulerParameters=bf_interval=1,bf_resolution=1"
	cd "$SKY_WORK"
	ME=$(id -un)
	export ME
	sacctmgr -i add account teama >/dev/null
	sacctmgr -i add account teamb >/dev/null
	sacctmgr -i add user "$ME" Account=teama,teamb DefaultAccount=teamb >/dev/null
	sacctmgr -i modify user "$ME" where account=teama set MaxJobs=1 >/dev/null
}
teardown_file() { sky_cancel_all; sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

@test "a backfilled job still counts against its association's limits" {
	long=$(sbatch --parsable -A teamb -t 5 -w node1 -o /dev/null --wrap 'sleep 600')
	wait_state "$long" RUNNING
	top=$(sbatch --parsable -A teamb -N 3 -t 1 -o /dev/null --wrap 'sleep 1')
	a1=$(sbatch --parsable -A teama -t 1 -o /dev/null --wrap 'sleep 120')
	a2=$(sbatch --parsable -A teama -t 1 -o /dev/null --wrap 'sleep 120')
	wait_state "$a1" RUNNING 10
	sleep 2
	[ "$(job_field "$top" %r)" = Resources ]
	[ "$(job_field "$a2" %T)" = PENDING ]
	[ "$(job_field "$a2" %r)" = AssocMaxJobsLimit ]
	b=$(sbatch --parsable -A teamb -t 1 -o /dev/null --wrap 'sleep 120')
	wait_state "$b" RUNNING 10
	[ "$(job_field "$a2" %T)" = PENDING ]
	# Both backfilled onto the nodes the long job does not hold.
	[ "$(job_field "$a1" %N),$(job_field "$b" %N)" = "node2,node3" ] ||
		[ "$(job_field "$a1" %N),$(job_field "$b" %N)" = "node3,node2" ]
}
