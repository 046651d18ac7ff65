#!/usr/bin/env bats
# --signal before the time limit, scontrol requeue/requeuehold of running
# jobs, and what a node failure does to requeue-able and other jobs.
load helpers

setup_file() { sky_start --nodes 2 --cpus-per-node 2 --kill-wait 2 --set SlurmdTimeout=3; }
teardown_file() {
	pkill -f -- "^sleep 41[0-9]{5}\$" 2>/dev/null || true
	sky_stop
}
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

# wait_lines FILE REGEX COUNT [SECONDS]: until FILE has COUNT lines matching REGEX.
wait_lines() {
	local i n=0
	for ((i = 0; i < ${4:-30} * 10; i++)); do
		n=$(grep -c -E -- "$2" "$1" 2>/dev/null || true)
		[ "${n:-0}" -ge "$3" ] && return 0
		sleep 0.1
	done
	echo "$1 has $n lines matching '$2', not $3" >&2
	cat "$1" >&2 2>/dev/null
	return 1
}

@test "--signal=USR1@50 reaches the job about 50 s before a 1-minute limit" {
	cd "$SKY_WORK"
	cat > sig50.sh <<'SH'
#!/bin/bash
start=$(date +%s)
trap 'echo $(( $(date +%s) - start )) > sig50.got; exit 0' USR1
while :; do sleep 0.2; done
SH
	id=$(sbatch --parsable -t 1 --signal=USR1@50 -o sig50.out sig50.sh)
	wait_file sig50.got 25
	got=$(cat sig50.got)
	[ "$got" -ge 8 ] && [ "$got" -le 12 ]
	wait_state "$id" COMPLETED 10
}

@test "--signal=B:USR1@58 signals the batch shell only" {
	cd "$SKY_WORK"
	cat > sigb.sh <<'SH'
#!/bin/bash
( trap 'echo child >> sigb.who' USR1; while :; do sleep 0.2; done ) &
trap 'echo batch >> sigb.who; sleep 1; kill $!; exit 0' USR1
while :; do sleep 0.2; done
SH
	id=$(sbatch --parsable -t 1 --signal=B:USR1@58 -o sigb.out sigb.sh)
	wait_state "$id" COMPLETED 20
	[ "$(cat sigb.who)" = batch ]
}

@test "--signal without B: every process of the job gets it" {
	cd "$SKY_WORK"
	sed 's/sigb\.who/sigall.who/g' sigb.sh > sigall.sh
	id=$(sbatch --parsable -t 1 --signal=SIGUSR1@58 -o sigall.out sigall.sh)
	wait_state "$id" COMPLETED 20
	[ "$(sort sigall.who | tr '\n' ' ')" = "batch child " ]
}

@test "a bad --signal is refused with Slurm's message and status 255" {
	run sbatch --signal=NOSUCH@10 --wrap true
	[ "$status" -eq 255 ]
	[ "$output" = "sbatch: error: Invalid --signal specification" ]
	run sbatch --signal=USR1@70000 --wrap true
	[ "$status" -eq 255 ]
}

@test "scontrol requeue twice: same job id, Restarts=2, output appended" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -o rq.out --wrap 'echo "run $SLURM_RESTART_COUNT"; sleep 4100001')
	wait_lines rq.out '^run 0$' 1
	run scontrol requeue "$id"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	wait_lines rq.out '^run 1$' 1
	wait_state "$id" RUNNING
	scontrol requeue "$id"
	wait_lines rq.out '^run 2$' 1
	wait_state "$id" RUNNING
	[ "$(grep '^run' rq.out | tr '\n' ' ')" = "run 0 run 1 run 2 " ]
	[ "$(scontrol_field "$id" Restarts)" = 2 ]
	[ "$(scontrol_field "$id" JobId)" = "$id" ]
	scancel "$id"
	wait_state "$id" CANCELLED 15
}

@test "scontrol requeuehold: pending, held (JobHeldUser), runs again after release" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -o rqh.out --wrap 'echo "run $SLURM_RESTART_COUNT"; sleep 4100002')
	wait_lines rqh.out '^run 0$' 1
	scontrol requeuehold "$id"
	wait_state "$id" PENDING 15
	sleep 1
	[ "$(job_field "$id" %T)" = PENDING ]
	[ "$(job_field "$id" %r)" = JobHeldUser ]
	[ "$(scontrol_field "$id" Restarts)" = 1 ]
	scontrol release "$id"
	wait_lines rqh.out '^run 1$' 1
	scancel "$id"
	wait_state "$id" CANCELLED 15
}

@test "scontrol requeue of a --no-requeue job is refused" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable --no-requeue -o nrq.out --wrap 'sleep 4100003')
	wait_state "$id" RUNNING
	run scontrol requeue "$id"
	[ "$status" -eq 1 ]
	[ "$output" = "Requested operation is presently disabled for job $id" ]
	[ "$(scontrol_field "$id" Requeue)" = 0 ]
	scancel "$id"
	wait_state "$id" CANCELLED 15
}

@test "a job whose supervisor dies (NODE_FAIL from the agent) is requeued when it may be" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable --requeue -o sd.out --wrap 'echo "run $SLURM_RESTART_COUNT"; sleep 4100006')
	wait_lines sd.out '^run 0$' 1
	sup=$(cut -d' ' -f1 "$SKY_INST/spool/node1/job$id/supervisor")
	[ -n "$sup" ]
	kill -9 "$sup"
	wait_lines sd.out '^run 1$' 1 30
	[ "$(scontrol_field "$id" Restarts)" = 1 ]
	scancel "$id"
	wait_state "$id" CANCELLED 15
}

@test "a node failure requeues a --requeue job and ends a --no-requeue one NODE_FAIL" {
	cd "$SKY_WORK"
	a=$(sbatch --parsable --requeue -o nf.out \
		--wrap 'echo "run $SLURM_RESTART_COUNT on $SLURMD_NODENAME"; sleep 4100004')
	b=$(sbatch --parsable --no-requeue -o /dev/null --wrap 'sleep 4100005')
	wait_state "$a" RUNNING
	wait_state "$b" RUNNING
	[ "$(job_field "$a" %N)" = node1 ]
	[ "$(job_field "$b" %N)" = node1 ]
	wait_lines nf.out '^run 0 on node1$' 1
	kill -9 "$(cat "$SKY_INST/run/slurmd-node1.pid")"
	wait_state "$b" NODE_FAIL 20
	[ "$(job_field "$b" %r)" = NodeDown ]
	wait_lines nf.out '^run 1 on node2$' 1 30
	[ "$(job_field "$a" %T)" = RUNNING ]
	[ "$(scontrol_field "$a" Restarts)" = 1 ]
	[ "$(job_field "$a" %N)" = node2 ]
	scancel "$a"
}
