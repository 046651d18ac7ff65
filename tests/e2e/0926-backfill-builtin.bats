#!/usr/bin/env bats
# SchedulerType=sched/builtin: strict FIFO per partition, no backfill and no
# expected start times (the same situation as 0925 backfills a short job).
load helpers

setup_file() {
	sky_start --nodes 2 --cpus-per-node 1 --kill-wait 1 --set "SchedulerType=sched/builtin" \
		--set "SchedulerParameters=bf_interval=1,bf_resolution=1"
	cd "$SKY_WORK"
}
teardown_file() { sky_cancel_all; sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

@test "sched/builtin: a short job does not pass a waiting top job" {
	long=$(sbatch --parsable -t 2 -w node1 -o /dev/null --wrap 'sleep 600')
	wait_state "$long" RUNNING
	top=$(sbatch --parsable -N 2 -t 1 -o /dev/null --wrap 'sleep 1')
	short=$(sbatch --parsable -t 1 -o /dev/null --wrap 'sleep 1')
	sleep 4
	[ "$(job_field "$top" %r)" = Resources ]
	[ "$(job_field "$short" %T)" = PENDING ]
	[ "$(job_field "$short" %r)" = Priority ]
	# No estimate without the backfill pass.
	[ "$(job_field "$top" %S)" = N/A ]
	[ "$(scontrol_field "$top" StartTime)" = Unknown ]
	! grep -q backfilled "$SKY_INST"/log/slurmctld.log
	# Once the long job is gone, strict order: the top job, then the short one.
	scancel "$long"
	wait_state "$top" "RUNNING|COMPLETED" 20
	wait_state "$short" "RUNNING|COMPLETED" 20
	[ "$(date -d "$(scontrol_field "$short" StartTime)" +%s)" -ge \
	  "$(date -d "$(scontrol_field "$top" StartTime)" +%s)" ]
}

@test "slurmctld-sky -n rejects an unknown SchedulerType" {
	sed 's|^SchedulerType=.*|SchedulerType=sched/wiki|' "$SKY_INST/slurm.conf" >"$SKY_DIR/bad.conf"
	grep -q '^SchedulerType=sched/wiki' "$SKY_DIR/bad.conf"
	run "$SKY_INST/bin/slurmctld-sky" -n -f "$SKY_DIR/bad.conf"
	[ "$status" -eq 1 ]
	[[ $output == *"error: SchedulerType=sched/wiki: unknown scheduler (sched/backfill or sched/builtin)"* ]]
	run "$SKY_INST/bin/slurmctld-sky" -n -f "$SKY_INST/slurm.conf"
	[ "$status" -eq 0 ]
	[ "$output" = "configuration OK" ]
}
