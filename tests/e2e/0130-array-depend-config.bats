#!/usr/bin/env bats
# slurm.conf knobs of arrays and dependencies: MaxArraySize,
# SchedulerParameters=max_array_tasks and kill_invalid_depend, MaxJobCount
# counting every array task.
load helpers

setup_file() {
	sky_start --nodes 1 --cpus-per-node 2 --set MaxArraySize=10 --set MaxJobCount=12 --set MinJobAge=1 \
		--set SchedulerParameters=kill_invalid_depend,max_array_tasks=8
}
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

# Wait until finished jobs have left memory (MinJobAge=1), so counts start at 0.
wait_no_jobs() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ -z "$(squeue -h -t all -o %i)" ] && return 0
		sleep 0.1
	done
	squeue -t all >&2
	return 1
}

@test "indices must be below MaxArraySize" {
	run sbatch --array=9 --hold --wrap true
	[ "$status" -eq 0 ]
	scancel "${output##* }"
	run sbatch --array=10 --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: Invalid job array specification" ]
}

@test "max_array_tasks caps the task count" {
	wait_no_jobs
	run sbatch --array=0-8 --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: Invalid job array specification" ]
	run sbatch --array=0-5 --hold --wrap true
	[ "$status" -eq 0 ]
	id=${output##* }
	# Every task counts against MaxJobCount=12: 6 held + 7 more do not fit.
	run sbatch --array=0-6 --hold --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: MaxJobCount limit reached" ]
	run sbatch --array=0-5 --hold --wrap true
	[ "$status" -eq 0 ]
	scancel "$id" "${output##* }"
}

@test "kill_invalid_depend cancels jobs whose dependency can never be satisfied" {
	cd "$SKY_WORK"
	wait_no_jobs
	a=$(sbatch --parsable -o /dev/null --wrap 'exit 2')
	b=$(sbatch --parsable -o /dev/null -d "afterok:$a" --wrap true)
	wait_state "$b" CANCELLED 20
	# Failed once in a loaded sanitizer run: show what squeue said.
	r=$(job_field "$b" %r)
	[ "$r" = DependencyNeverSatisfied ] || { echo "reason '$r'"; squeue -t all -j "$a,$b"; false; }
}
