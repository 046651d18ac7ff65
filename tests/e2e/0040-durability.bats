#!/usr/bin/env bats
# Every acknowledged submission survives kill -9 of the controller; job ids
# never repeat; a running job survives a controller restart.
load helpers

setup_file() { sky_start --nodes 1 --cpus-per-node 2; }
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

@test "kill -9 between submissions loses no acknowledged job" {
	cd "$SKY_WORK"
	ids=()
	for round in 1 2 3; do
		for k in 1 2 3 4 5; do
			ids+=("$(sbatch --parsable --hold -J "dur-$round-$k" --wrap true)")
		done
		kill -9 "$(ctld_pid)"
		ctld_restart
	done
	[ ${#ids[@]} -eq 15 ]
	for i in "${!ids[@]}"; do
		[ "$(job_field "${ids[$i]}" %t)" = PD ]
		[ "$(job_field "${ids[$i]}" %r)" = JobHeldUser ]
	done
	# Ids are strictly increasing: none was handed out twice.
	for ((i = 1; i < ${#ids[@]}; i++)); do
		[ "${ids[$i]}" -gt "${ids[$((i - 1))]}" ]
	done
	# Names survived too.
	[ "$(job_field "${ids[14]}" %j)" = "dur-3-5" ]
	for id in "${ids[@]}"; do scancel "$id"; done
}

@test "job ids continue after a restart even when the newest job is gone" {
	cd "$SKY_WORK"
	a=$(sbatch --parsable --hold --wrap true)
	scancel "$a"
	kill -9 "$(ctld_pid)"
	ctld_restart
	b=$(sbatch --parsable --hold --wrap true)
	[ "$b" -gt "$a" ]
	scancel "$b"
}

@test "a job running while the controller restarts completes and is recorded" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable --wrap 'sleep 3; echo survived')
	wait_state "$id" RUNNING
	kill -9 "$(ctld_pid)"
	sleep 1
	ctld_restart
	wait_state "$id" COMPLETED 30
	wait_file "slurm-$id.out"
	[ "$(cat "slurm-$id.out")" = survived ]
	[ "$(scontrol_field "$id" ExitCode)" = "0:0" ]
}

@test "a job that finishes while the controller is down is recorded after restart" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable --wrap 'sleep 1; exit 4')
	wait_state "$id" RUNNING
	kill -9 "$(ctld_pid)"
	sleep 3
	ctld_restart
	wait_state "$id" FAILED 30
	[ "$(scontrol_field "$id" ExitCode)" = "4:0" ]
}

@test "a pending job submitted before a crash runs after the restart" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable --begin=now+3 --wrap 'echo later')
	kill -9 "$(ctld_pid)"
	ctld_restart
	wait_state "$id" COMPLETED 30
	wait_file "slurm-$id.out"
	[ "$(cat "slurm-$id.out")" = later ]
}
