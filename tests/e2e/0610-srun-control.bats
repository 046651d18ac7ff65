#!/usr/bin/env bats
# srun and job control (issue 4, "srun"): cancelling a job ends its steps on
# every node, signals reach the tasks (Ctrl-C twice aborts), srun outside an
# allocation gets one and gives it back, step records survive a controller
# restart, and nobody without the step's key can write into srun's output.
load helpers

setup_file() { sky_start --nodes 2 --cpus-per-node 2 --kill-wait 2; }
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { cat "$SKY_WORK"/*.out 2>/dev/null; sky_logs; sky_cancel_all; }; }

# Processes are recognised by a unique sleep duration ("sleep 3012345").
mark() { echo $((3000000 + RANDOM * 8 + RANDOM % 8)); }
count_sleep() { pgrep -fc -- "^sleep $1\$" || true; }

# wait_sleeps N COUNT: until COUNT "sleep N" processes run (10 s).
wait_sleeps() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(count_sleep "$1")" -eq "$2" ] && return 0
		sleep 0.1
	done
	echo "$(count_sleep "$1") sleep $1 processes, not $2" >&2
	return 1
}

# step_state ID.STEP: its State in sacct.
step_state() { sacct -j "${1%.*}" -n -P -o jobid,state | sed -n "s/^${1//./\\.}|//p"; }

@test "scancel of a job kills its step's tasks on every node" {
	cd "$SKY_WORK"
	m=$(mark)
	id=$(sbatch --parsable -N2 -n2 -o c1.out --wrap "srun sleep $m")
	wait_sleeps "$m" 2
	run scancel "$id"
	[ "$status" -eq 0 ]
	wait_sleeps "$m" 0
	wait_state "$id" CANCELLED 10
	for i in $(seq 50); do [ "$(step_state "$id.0")" = CANCELLED ] && break; sleep 0.1; done
	[ "$(step_state "$id.0")" = CANCELLED ]
}

@test "scancel N.S cancels that step alone; the job and its other step run on" {
	cd "$SKY_WORK"
	a=$(mark)
	b=$(mark)
	id=$(sbatch --parsable -N2 -n2 -o cs.out --wrap "srun -N1 -n1 -w node1 sleep $a & srun -N1 -n1 -w node2 sleep $b & wait")
	wait_sleeps "$a" 1
	wait_sleeps "$b" 1
	step_a=$(sacct -j "$id" -n -P -o jobid,nodelist | sed -n 's/^\('"$id"'\.[0-9]*\)|node1$/\1/p')
	[ -n "$step_a" ]
	run scancel "$step_a"
	[ "$status" -eq 0 ]
	wait_sleeps "$a" 0
	# sacct names who cancelled it: "CANCELLED by UID".
	for i in $(seq 50); do [[ "$(step_state "$step_a")" == "CANCELLED by $(id -u)" ]] && break; sleep 0.1; done
	[ "$(step_state "$step_a")" = "CANCELLED by $(id -u)" ]
	[ "$(count_sleep "$b")" -eq 1 ]
	[ "$(job_field "$id" %T)" = RUNNING ]
	run scancel "$id.99"
	[ "$status" -ne 0 ]
	[[ "$output" == "scancel: error: Kill job error on job step id $id.99: "* ]]
	scancel "$id"
	wait_sleeps "$b" 0
	wait_state "$id" CANCELLED 10
}

@test "SIGTERM to srun reaches every task; its exit code is theirs" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -N2 -n2 -o c2.out --wrap '
srun -l sh -c "trap \"echo got-TERM; exit 9\" TERM; echo up; while :; do sleep 0.1; done" &
pid=$!
while [ $(grep -c up c2.out) -lt 2 ]; do sleep 0.1; done
kill -TERM $pid
wait $pid
echo rc=$?')
	wait_state "$id" COMPLETED 30
	grep -qx '0: got-TERM' c2.out
	grep -qx '1: got-TERM' c2.out
	grep -qx 'rc=9' c2.out
}

@test "Ctrl-C twice within a second aborts the step" {
	cd "$SKY_WORK"
	m=$(mark)
	id=$(sbatch --parsable -N2 -n2 -o c3.out --wrap "
srun -l sh -c 'trap \"echo got-INT\" INT; sleep $m & while :; do wait; done' &
pid=\$!
while [ \$(pgrep -fc '^sleep $m\$') -lt 2 ]; do sleep 0.1; done
kill -INT \$pid; sleep 0.3; kill -INT \$pid
wait \$pid
echo rc=\$?")
	wait_state "$id" COMPLETED 30
	grep -qx 'srun: interrupt (one more within 1 sec to abort)' c3.out
	grep -qx '0: got-INT' c3.out
	grep -qx 'srun: forcing job termination' c3.out
	! grep -qx 'rc=0' c3.out
	wait_sleeps "$m" 0
	[ "$(step_state "$id.0")" = "CANCELLED" ] || [ "$(step_state "$id.0")" = "CANCELLED by $(id -u)" ]
}

@test "srun outside an allocation runs the step in a job of its own" {
	cd "$SKY_WORK"
	run srun -N2 -l printenv SLURMD_NODENAME SLURM_STEP_ID
	[ "$status" -eq 0 ]
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "0: 0 0: node1 1: 0 1: node2 " ]
	id=$(srun -n1 printenv SLURM_JOB_ID)
	[ "$(sacct -j "$id" -n -P -o jobid,jobname,state,exitcode)" = "$id|printenv|COMPLETED|0:0
$id.0|printenv|COMPLETED|0:0" ]
	run srun -n1 -J bad sh -c 'echo $SLURM_JOB_ID > bad.id; exit 6'
	[ "$status" -eq 6 ]
	[ "$output" = "srun: error: node1: task 0: Exited with exit code 6" ]
	id=$(cat bad.id)
	wait_state "$id" FAILED 5
	[ "$(sacct -j "$id" -n -P -o jobid,state,exitcode)" = "$id|FAILED|6:0
$id.0|FAILED|6:0" ]
}

@test "srun waits for resources and says so, as Slurm does" {
	cd "$SKY_WORK"
	m=$(mark)
	blocker=$(sbatch --parsable -N2 -n4 -o /dev/null --wrap "sleep $m")
	wait_state "$blocker" RUNNING 10
	srun -n1 -J waiter printenv SLURM_JOB_ID > w.out 2> w.err &
	pid=$!
	for i in $(seq 50); do grep -q queued w.err && break; sleep 0.1; done
	id=$(squeue -h -n waiter -o %i)
	[ -n "$id" ]
	[ "$(cat w.err)" = "srun: job $id queued and waiting for resources" ]
	scancel "$blocker"
	wait "$pid"
	[ "$(cat w.out)" = "$id" ]
	[ "$(cat w.err)" = "srun: job $id queued and waiting for resources
srun: job $id has been allocated resources" ]
}

@test "a step survives a controller restart and its record is kept" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -N2 -n2 -o r.out --wrap 'srun -l sh -c "sleep 3; echo fin"')
	for i in $(seq 50); do [ "$(step_state "$id.0")" = RUNNING ] && break; sleep 0.1; done
	[ "$(step_state "$id.0")" = RUNNING ]
	kill -9 "$(ctld_pid)"
	ctld_restart
	[ "$(step_state "$id.0")" = RUNNING ]
	wait_state "$id" COMPLETED 30
	[ "$(sort r.out | tr '\n' ' ')" = "0: fin 1: fin " ]
	for i in $(seq 50); do [ "$(step_state "$id.0")" = COMPLETED ] && break; sleep 0.1; done
	[ "$(step_state "$id.0")" = COMPLETED ]
}

@test "output cannot be injected into srun without the step's key" {
	cd "$SKY_WORK"
	cat > inject.py <<'PY'
import os, socket, struct
host, port = os.environ["SLURM_SRUN_COMM_HOST"], int(os.environ["SLURM_SRUN_COMM_PORT"])
def frame(t, task, data):
    return struct.pack(">III", t, task, len(data)) + data
for hello in (b"0" * 32 + b" 0 1", b""):
    s = socket.create_connection((host, port))
    if hello:
        s.sendall(frame(1, 0xffffffff, hello))
    s.sendall(frame(2, 0, b"INJECTED\n") + frame(4, 0, b"0"))
    s.close()
print("tried")
PY
	run srun -n1 sh -c 'python3 inject.py; sleep 1; echo real'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'tried\nreal')" ]
}

@test "the time limit of srun's own allocation kills its step on every node: TIMEOUT" {
	cd "$SKY_WORK"
	m=$(mark)
	run srun -t 1 -N2 -J limited -l sh -c "echo \$SLURM_JOB_ID > lim.id; sleep $m"
	[ "$status" -ne 0 ]
	[[ "$output" == *"slurmstepd: error: *** STEP $(cat lim.id).0 ON node1 CANCELLED AT "*" DUE TO TIME LIMIT ***"* ]]
	wait_sleeps "$m" 0
	id=$(cat lim.id)
	[ "$(sacct -j "$id" -n -P -o jobid,state)" = "$id|TIMEOUT
$id.0|CANCELLED" ]
}

@test "a step waits while other steps hold the CPUs it needs; --overlap does not" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -N1 -n1 -o busy.out --wrap '
srun -n1 sh -c "touch busy.first; sleep 2; echo first-done" &
while [ ! -e busy.first ]; do sleep 0.1; done
srun -n1 --overlap echo overlap-ran
srun -n1 echo second-ran
wait')
	wait_state "$id" COMPLETED 30
	[ "$(grep -v '^srun:' busy.out)" = "$(printf 'overlap-ran\nfirst-done\nsecond-ran')" ]
	grep -qx "srun: Job $id step creation temporarily disabled, retrying (Requested nodes are busy)" busy.out
	grep -qx "srun: Step created for StepId=$id.2" busy.out
	rm -f busy.first
}

@test "srun's own allocation survives a controller restart (its node reports it held)" {
	cd "$SKY_WORK"
	srun -N2 -J survivor -l sh -c 'sleep 4; echo fin' > surv.out 2>&1 &
	pid=$!
	for i in $(seq 50); do [ -n "$(squeue -h -n survivor -t R -o %i)" ] && break; sleep 0.1; done
	id=$(squeue -h -n survivor -o %i)
	[ -n "$id" ]
	kill -9 "$(ctld_pid)"
	ctld_restart
	wait "$pid"
	# While the agents re-register, srun may have to wait ("step creation
	# temporarily disabled"); the step itself must not be lost.
	[ "$(grep -v '^srun: ' surv.out | sort | tr '\n' ' ')" = "0: fin 1: fin " ]
	[ "$(sacct -j "$id" -n -P -o jobid,state)" = "$id|COMPLETED
$id.0|COMPLETED" ]
}
