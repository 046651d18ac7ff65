#!/usr/bin/env bats
# Backfill (SchedulerType=sched/backfill, the default; slurm.md section 7):
# on a 2-node partition a long job holds node1 until its time limit, a job
# needing both nodes waits (Resources) with an expected start at that
# limit; a short job that ends before then runs now on node2, a long one
# waits; the top job starts when expected. The tests run in order.
load helpers

setup_file() {
	sky_start --nodes 2 --cpus-per-node 1 --kill-wait 1 \
		--set "SchedulerParameters=bf_interval=1,bf_resolution=1"
	cd "$SKY_WORK"
}
teardown_file() { sky_cancel_all; sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

# epoch ID: the job's StartTime (expected while pending) as seconds.
start_epoch() {
	local s
	s=$(scontrol_field "$1" StartTime)
	[[ $s =~ ^[0-9]{4}- ]] || { echo "job $1 StartTime=$s" >&2; return 1; }
	date -d "$s" +%s
}

@test "the top job waits for Resources with an expected start at the long job's limit" {
	long=$(sbatch --parsable -t 2 -w node1 -o /dev/null --wrap 'sleep 600')
	wait_state "$long" RUNNING
	echo "$long" >"$BATS_FILE_TMPDIR/long"
	top=$(sbatch --parsable -N 2 -t 1 -o top.out --wrap 'hostname; sleep 5')
	echo "$top" >"$BATS_FILE_TMPDIR/top"
	wait_reason "$top" Resources
	# The pass runs every bf_interval (1 s): the estimate appears.
	for ((i = 0; i < 50; i++)); do
		[[ $(scontrol_field "$top" StartTime) =~ ^[0-9]{4}- ]] && break
		sleep 0.1
	done
	want=$(($(start_epoch "$long") + 120))
	got=$(start_epoch "$top")
	[ "$got" -eq "$want" ]
	[ "$(scontrol_field "$top" SchedNodeList)" = "node[1-2]" ]
	[ "$(job_field "$top" %Y)" = "node[1-2]" ]
}

@test "squeue --start shows the expected start of pending jobs" {
	top=$(cat "$BATS_FILE_TMPDIR/top")
	run squeue --start
	[ "$status" -eq 0 ]
	echo "$output"
	[[ ${lines[0]} =~ JOBID\ +PARTITION\ +NAME\ +USER\ +ST\ +START_TIME\ +NODES\ +SCHEDNODES\ +NODELIST\(REASON\) ]]
	want=$(date -d "@$(start_epoch "$top")" +%Y-%m-%dT%H:%M:%S)
	line=$(printf '%s\n' "${lines[@]}" | grep " $top ")
	[[ $line == *" PD $want "*"node[1-2]"*"(Resources)"* ]]
	# The running job is not listed (--start shows pending jobs only).
	long=$(cat "$BATS_FILE_TMPDIR/long")
	! printf '%s\n' "${lines[@]}" | grep -q " $long "
}

@test "a short job that ends before the expected start backfills onto the free node" {
	short=$(sbatch --parsable -t 1 -o /dev/null --wrap 'sleep 20')
	echo "$short" >"$BATS_FILE_TMPDIR/short"
	wait_state "$short" RUNNING 10
	[ "$(job_field "$short" %N)" = node2 ]
	grep -q "job $short: backfilled on node2" "$SKY_INST"/log/slurmctld.log
	# The top job keeps its place and its expected start.
	top=$(cat "$BATS_FILE_TMPDIR/top")
	long=$(cat "$BATS_FILE_TMPDIR/long")
	[ "$(job_field "$top" %T)" = PENDING ]
	[ "$(start_epoch "$top")" -eq $(($(start_epoch "$long") + 120)) ]
}

@test "a long job or one without time limit does not backfill" {
	long60=$(sbatch --parsable -t 60 -o /dev/null --wrap 'sleep 5')
	nolimit=$(sbatch --parsable -o /dev/null --wrap 'sleep 5')
	echo "$long60 $nolimit" >"$BATS_FILE_TMPDIR/waiting"
	short=$(cat "$BATS_FILE_TMPDIR/short")
	# Even once the short job is gone and node2 is idle, they would delay the top job.
	wait_state "$short" COMPLETED 40
	sleep 3
	[ "$(job_field "$long60" %T)" = PENDING ]
	[ "$(job_field "$long60" %r)" = Priority ]
	[ "$(job_field "$nolimit" %T)" = PENDING ]
	[ "$(job_field "$nolimit" %r)" = Priority ]
	# Each gets its own expected start after the top job's (no limit: never ends
	# anywhere, so after the top job too).
	top=$(cat "$BATS_FILE_TMPDIR/top")
	[ "$(start_epoch "$long60")" -ge $(($(start_epoch "$top") + 60)) ]
}

@test "the top job starts when expected, then the others" {
	top=$(cat "$BATS_FILE_TMPDIR/top")
	want=$(start_epoch "$top")
	wait_state "$top" RUNNING 150
	got=$(date -d "$(scontrol_field "$top" StartTime)" +%s)
	echo "expected $want, started $got"
	[ "$got" -ge "$want" ]
	[ "$got" -le $((want + 10)) ]
	long=$(cat "$BATS_FILE_TMPDIR/long")
	[ "$(job_field "$long" %T)" = TIMEOUT ]
	read -r long60 nolimit <"$BATS_FILE_TMPDIR/waiting"
	wait_state "$long60" "RUNNING|COMPLETED" 30
	wait_state "$nolimit" "RUNNING|COMPLETED" 30
}
