#!/usr/bin/env bats
# scancel of pending and running jobs, and the time limit, each leaving no
# process of the job behind.
load helpers

setup_file() { sky_start --nodes 1 --cpus-per-node 1 --kill-wait 2; }
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

# Processes are recognised by a unique sleep duration ("sleep 3012345").
mark() { echo $((3000000 + RANDOM * 8 + RANDOM % 8)); }
has_sleep() { pgrep -f -- "^sleep $1\$" >/dev/null; }

# no_sleep N: no "sleep N" process is left (waits up to 10 s).
no_sleep() {
	local i
	for ((i = 0; i < 100; i++)); do
		has_sleep "$1" || return 0
		sleep 0.1
	done
	pgrep -af -- "^sleep $1\$" >&2
	return 1
}

@test "scancel of a pending job cancels it at once" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable --hold --wrap true)
	[ "$(job_field "$id" %t)" = PD ]
	[ "$(job_field "$id" %r)" = JobHeldUser ]
	run scancel "$id"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	wait_state "$id" CANCELLED 5
}

@test "scancel of a running job kills its whole process tree" {
	cd "$SKY_WORK"
	m=$(mark)
	# A background grandchild that escapes into its own session must die too.
	id=$(sbatch --parsable --wrap "setsid sleep $((m + 1)) & sleep $m")
	wait_state "$id" RUNNING
	for ((i = 0; i < 50; i++)); do has_sleep $((m + 1)) && break; sleep 0.1; done
	has_sleep $((m + 1))
	has_sleep "$m"
	run scancel "$id"
	[ "$status" -eq 0 ]
	wait_state "$id" CANCELLED 15
	no_sleep "$m"
	no_sleep $((m + 1))
}

@test "a second job waits for the CPU, then runs when the first is cancelled" {
	cd "$SKY_WORK"
	id1=$(sbatch --parsable --wrap 'sleep 300')
	wait_state "$id1" RUNNING
	id2=$(sbatch --parsable --wrap 'echo second')
	sleep 1
	[ "$(job_field "$id2" %t)" = PD ]
	[ "$(job_field "$id2" %r)" = Resources ]
	scancel "$id1"
	wait_state "$id2" COMPLETED 20
	wait_file "slurm-$id2.out"
	[ "$(cat "slurm-$id2.out")" = second ]
}

@test "scancel of an unknown job is an error in Slurm's words" {
	run scancel 999999
	[ "$status" -eq 1 ]
	[ "$output" = "scancel: error: Kill job error on job id 999999: Invalid job id specified" ]
}

@test "the time limit ends a job with TIMEOUT (SIGTERM, then SIGKILL)" {
	cd "$SKY_WORK"
	m=$(mark)
	# The job ignores SIGTERM (inherited by the sleep), so only the SIGKILL
	# after KillWait ends it.
	id=$(sbatch --parsable -t 1 --wrap "trap '' TERM; sleep $m")
	wait_state "$id" RUNNING
	[ "$(scontrol_field "$id" TimeLimit)" = "00:01:00" ]
	wait_state "$id" TIMEOUT 90
	no_sleep "$m"
	wait_file "slurm-$id.out"
	grep -q "CANCELLED AT .* DUE TO TIME LIMIT" "slurm-$id.out"
}
