#!/usr/bin/env bats
# PreemptType=preempt/qos (slurm.md section 7): a pending job whose QOS lists
# another in Preempt= takes the resources of that QOS's running jobs. With
# PreemptMode=REQUEUE they go back to PENDING (Restarts+1) and run again once
# the preemptor is done; one that may not be requeued ends PREEMPTED. Only as
# many as needed are preempted, jobs of other QOS never.
load helpers

setup_file() {
	sky_start --nodes 1 --cpus-per-node 4 \
		--set AccountingStorageEnforce=associations,limits,qos \
		--set PreemptType=preempt/qos --set PreemptMode=REQUEUE
	cd "$SKY_WORK"
	sacctmgr -i add qos low >/dev/null
	sacctmgr -i add qos high Preempt=low >/dev/null
	sacctmgr -i add account team QOS=normal,low,high >/dev/null
	sacctmgr -i add user "$(id -un)" Account=team DefaultAccount=team >/dev/null
}
teardown_file() { sky_cancel_all; sky_stop; }
teardown() {
	[ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs
	sky_cancel_all
}

@test "a high job requeues the low job in its way, which runs again after it" {
	a=$(sbatch --parsable -q low -c 4 -o /dev/null --wrap 'sleep 60')
	wait_state "$a" RUNNING
	b=$(sbatch --parsable -q high -c 4 -o /dev/null --wrap 'sleep 3')
	wait_state "$b" RUNNING
	[ "$(job_field "$a" %T)" = PENDING ]
	[ "$(scontrol_field "$a" Restarts)" = 1 ]
	wait_state "$b" COMPLETED
	wait_state "$a" RUNNING
}

@test "only as many jobs as needed are preempted, the latest first" {
	a=$(sbatch --parsable -q low -c 2 -o /dev/null --wrap 'sleep 60')
	wait_state "$a" RUNNING
	b=$(sbatch --parsable -q low -c 2 -o /dev/null --wrap 'sleep 60')
	wait_state "$b" RUNNING
	h=$(sbatch --parsable -q high -c 2 -o /dev/null --wrap 'sleep 60')
	wait_state "$h" RUNNING
	[ "$(job_field "$a" %T)" = RUNNING ]
	[ "$(job_field "$b" %T)" = PENDING ]
}

@test "jobs of a QOS not in Preempt are left alone" {
	n=$(sbatch --parsable -q normal -c 4 -o /dev/null --wrap 'sleep 60')
	wait_state "$n" RUNNING
	h=$(sbatch --parsable -q high -c 4 -o /dev/null --wrap 'sleep 60')
	wait_reason "$h" Resources
	sleep 2
	[ "$(job_field "$n" %T)" = RUNNING ]
	[ "$(job_field "$h" %T)" = PENDING ]
}

@test "a victim that may not be requeued ends PREEMPTED" {
	a=$(sbatch --parsable -q low -c 4 --no-requeue -o /dev/null --wrap 'sleep 60')
	wait_state "$a" RUNNING
	h=$(sbatch --parsable -q high -c 4 -o /dev/null --wrap 'sleep 60')
	wait_state "$h" RUNNING
	wait_state "$a" PREEMPTED
	[ "$(sacct -n -P -X -j "$a" -o state)" = PREEMPTED ]
}

@test "unsupported PreemptType and PreemptMode are refused by -n" {
	ctld=$SKY_BUILDDIR/slurmctld-sky/slurmctld-sky
	[ -x "$ctld" ] || ctld=$(command -v slurmctld-sky)
	d=$(mktemp -d /tmp/sky-e2e.XXXXXX)
	printf 'ClusterName=t\nSlurmSkyHome=%s\nPreemptType=preempt/qos\nPreemptMode=SUSPEND,GANG\n' \
		"$d" > "$d/slurm.conf"
	run "$ctld" -n -f "$d/slurm.conf"
	[ "$status" -ne 0 ]
	[[ "$output" == *"PreemptMode=SUSPEND,GANG is not supported"* ]]
	printf 'ClusterName=t\nSlurmSkyHome=%s\nPreemptType=preempt/qos\n' "$d" > "$d/slurm.conf"
	run "$ctld" -n -f "$d/slurm.conf"
	[ "$status" -ne 0 ]
	[[ "$output" == *"needs PreemptMode=CANCEL or REQUEUE"* ]]
	printf 'ClusterName=t\nSlurmSkyHome=%s\nPreemptType=preempt/partition_prio\nPreemptMode=REQUEUE\n' \
		"$d" > "$d/slurm.conf"
	run "$ctld" -n -f "$d/slurm.conf"
	rm -rf "$d"
	[ "$status" -ne 0 ]
	[[ "$output" == *"PreemptType=preempt/partition_prio is not supported"* ]]
}
