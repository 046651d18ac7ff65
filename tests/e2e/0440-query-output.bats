#!/usr/bin/env bats
# Golden outputs of squeue -O/--sort/--start/-w/-l, sinfo -R/-l, scancel -i
# and the filter message, and sbatch --test-only (formats as Slurm 22.05
# prints them; checked against the real commands).
load helpers

setup_file() { sky_start --nodes 2 --cpus-per-node 1 --kill-wait 2 --set SlurmdTimeout=3 --set JobRequeue=0; }
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

setup() {
	cd "$SKY_WORK"
	scancel -u root 2>/dev/null || true
}

@test "sbatch --test-only: where and when, and no job is submitted" {
	run sbatch --test-only -o /dev/null --wrap true
	[ "$status" -eq 0 ]
	[[ $output =~ ^sbatch:\ Job\ ([0-9]+)\ to\ start\ at\ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\ using\ 1\ processors\ on\ nodes\ node1\ in\ partition\ debug$ ]]
	next=${BASH_REMATCH[1]}
	id=$(sbatch --parsable -o /dev/null --wrap true)
	[ "$id" = "$next" ]
	run sbatch --test-only -N 2 -o /dev/null --wrap true
	[[ $output == *"using 2 processors on nodes node[1-2] in partition debug" ]]
	run sbatch --test-only -N 3 --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "allocation failure: Requested node configuration is not available" ]
}

@test "sbatch --test-only while the nodes are busy: the start is the running jobs' end" {
	a=$(sbatch --parsable -t 5 -N 2 -o /dev/null --wrap 'sleep 300')
	wait_state "$a" RUNNING
	end=$(scontrol_field "$a" EndTime)
	run sbatch --test-only -o /dev/null --wrap true
	[ "$status" -eq 0 ]
	[[ $output == "sbatch: Job "*" to start at $end using 1 processors on nodes node1 in partition debug" ]]
	scancel "$a"
	wait_state "$a" CANCELLED 15
}

@test "squeue -O: Slurm's field names, default width 20, :[.]size, no separator" {
	a=$(sbatch --parsable --hold -J alpha -t 3 --wrap true)
	b=$(sbatch --parsable --hold -J beta -t 10 --wrap true)
	run squeue -O "JobID:6,Name:.6,StateCompact:3,Reason,TimeLimit:.8"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "JOBID   NAMEST REASON              TIME_LIM" ]
	[ "${#lines[@]}" -eq 3 ]
	printf -v la '%-6s%6s%-3s%-20s%8s' "$a" alpha PD JobHeldUser 3:00
	printf -v lb '%-6s%6s%-3s%-20s%8s' "$b" beta PD JobHeldUser 10:00
	[[ "${lines[*]:1}" == *"$la"* ]]
	[[ "${lines[*]:1}" == *"$lb"* ]]
	run squeue -h -O "Name:5|,UserName:4"
	[[ "${lines[0]}" =~ ^(alpha|beta )\|root$ ]]
	SQUEUE_FORMAT2="JobID:6,Name:.6,StateCompact:3,Reason,TimeLimit:.8" run squeue
	[ "${lines[0]}" = "JOBID   NAMEST REASON              TIME_LIM" ]
	run squeue -O nosuchfield
	[ "$status" -eq 1 ]
	[ "$output" = "squeue: error: Invalid job format specification: nosuchfield" ]
	scancel "$a" "$b"
}

@test "squeue --sort: by name, reversed, and the default P,t,-p" {
	a=$(sbatch --parsable --hold -J bbb --wrap true)
	b=$(sbatch --parsable --hold -J aaa --wrap true)
	c=$(sbatch --parsable --hold -J ccc --wrap true)
	[ "$(squeue -h -o %j -S j | tr '\n' ' ')" = "aaa bbb ccc " ]
	[ "$(squeue -h -o %j --sort=-j | tr '\n' ' ')" = "ccc bbb aaa " ]
	[ "$(squeue -h -o %i -S i | tr '\n' ' ')" = "$a $b $c " ]
	# Held jobs have priority 0: the default order ends with the job id.
	[ "$(squeue -h -o %i | tr '\n' ' ')" = "$a $b $c " ]
	[ "$(SQUEUE_SORT=-i squeue -h -o %i | tr '\n' ' ')" = "$c $b $a " ]
	scancel "$a" "$b" "$c"
}

@test "squeue -w, --start and -l" {
	a=$(sbatch --parsable -w node2 -o /dev/null --wrap 'sleep 300')
	b=$(sbatch --parsable --hold -o /dev/null --wrap true)
	wait_state "$a" RUNNING
	[ "$(squeue -h -w node2 -o %i)" = "$a" ]
	[ -z "$(squeue -h -w node1 -o %i)" ]
	run squeue --start
	[ "${lines[0]}" = "             JOBID PARTITION     NAME     USER ST          START_TIME  NODES SCHEDNODES           NODELIST(REASON)" ]
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[1]} == *" $b "*"(JobHeldUser)" ]]
	run timeout 2.5 squeue -i 1
	[ "$(grep -cE '^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] ' <<<"$output")" -ge 2 ]
	[ "$(grep -c '^ *JOBID PARTITION' <<<"$output")" -ge 2 ]
	run squeue -l
	[[ ${lines[0]} =~ ^[A-Z][a-z]{2}\ [A-Z][a-z]{2}\ [\ 0-9][0-9]\ [0-9]{2}:[0-9]{2}:[0-9]{2}\ [0-9]{4}$ ]]
	[ "${lines[1]}" = "             JOBID PARTITION     NAME     USER    STATE       TIME TIME_LIMI  NODES NODELIST(REASON)" ]
	scancel "$a" "$b"
	wait_state "$a" CANCELLED 15
}

@test "scancel -i asks for each job and acts on y only" {
	id=$(sbatch --parsable --hold -J asked --wrap true)
	run bash -c "echo n | scancel -i $id"
	[ "$status" -eq 0 ]
	[ "$output" = "Cancel job_id=$id name=asked partition=debug [y/n]? " ]
	[ "$(job_field "$id" %T)" = PENDING ]
	run bash -c "printf 'maybe\ny\n' | scancel -i $id"
	[ "$output" = "Cancel job_id=$id name=asked partition=debug [y/n]? Cancel job_id=$id name=asked partition=debug [y/n]? " ]
	wait_state "$id" CANCELLED 5
}

@test "scancel --signal with -b reaches the batch shell only" {
	cat > sigb.sh <<'SH'
#!/bin/bash
( trap 'echo child >> scb.who' USR2; while :; do sleep 0.2; done ) &
trap 'echo batch >> scb.who; sleep 1; kill $!; exit 0' USR2
echo ready > scb.ready
while :; do sleep 0.2; done
SH
	id=$(sbatch --parsable -o /dev/null sigb.sh)
	wait_file scb.ready
	run scancel -b --signal=USR2 "$id"
	[ "$status" -eq 0 ]
	wait_state "$id" COMPLETED 15
	[ "$(cat scb.who)" = batch ]
}

@test "scancel filters that match nothing: Slurm's message with -v, silence without" {
	run scancel -n nosuchname
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run scancel -v -n nosuchname -u root -t PENDING
	[ "$status" -eq 0 ]
	[ "$output" = "scancel: error: No active jobs match ALL job filters, including: job_name=nosuchname state=PENDING user_name=root " ]
	run scancel -Q 999999
	[ -z "$output" ]
}

@test "JobRequeue=0: jobs are not requeue-able unless --requeue is given" {
	[[ $(scontrol show config) == *$'\n'"JobRequeue              = 0"$'\n'* ]]
	a=$(sbatch --parsable -o /dev/null --wrap 'sleep 300')
	wait_state "$a" RUNNING
	[ "$(scontrol_field "$a" Requeue)" = 0 ]
	run scontrol requeue "$a"
	[ "$status" -eq 1 ]
	[ "$output" = "Requested operation is presently disabled for job $a" ]
	b=$(sbatch --parsable --requeue -o /dev/null --hold --wrap true)
	[ "$(scontrol_field "$b" Requeue)" = 1 ]
	scancel "$a" "$b"
	wait_state "$a" CANCELLED 15
}

@test "sinfo -l and sinfo -R (reason, user, timestamp) once a node stops responding" {
	run sinfo -l
	[[ ${lines[0]} =~ ^[A-Z][a-z]{2}\ [A-Z][a-z]{2}\ [\ 0-9][0-9]\ [0-9:]{8}\ [0-9]{4}$ ]]
	[ "${lines[1]}" = "PARTITION AVAIL  TIMELIMIT   JOB_SIZE ROOT OVERSUBS     GROUPS  NODES       STATE NODELIST" ]
	[ "${lines[2]}" = "debug*       up   infinite 1-infinite   no       NO        all      2        idle node[1-2]" ]
	run sinfo -R
	[ "$output" = "REASON               USER      TIMESTAMP           NODELIST" ]
	kill "$(cat "$SKY_INST/run/slurmd-node2.pid")"
	for ((i = 0; i < 100; i++)); do
		[ "$(sinfo -h -n node2 -o %t)" = "down*" ] && break
		sleep 0.1
	done
	run sinfo -R
	[ "${lines[0]}" = "REASON               USER      TIMESTAMP           NODELIST" ]
	[[ ${lines[1]} =~ ^Not\ responding\ \ \ \ \ \ \ root\ \ \ \ \ \ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\ node2$ ]]
	run sinfo -h -t down -o "%N %t"
	[ "$output" = "node2 down*" ]
}
