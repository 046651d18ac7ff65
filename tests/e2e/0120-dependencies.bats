#!/usr/bin/env bats
# Dependencies (slurm.md 1.7), resolved by the controller: after, afterany,
# afterok, afternotok, aftercorr, singleton, ',' and '?', the reasons
# Dependency and DependencyNeverSatisfied, and survival of kill -9.
load helpers

setup_file() { sky_start --nodes 1 --cpus-per-node 4; }
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

@test "an afterok chain A -> B -> C runs in order" {
	cd "$SKY_WORK"
	log=$SKY_WORK/chain.log
	a=$(sbatch --parsable -o /dev/null --wrap "sleep 1; echo A >> $log")
	b=$(sbatch --parsable -o /dev/null -d "afterok:$a" --wrap "echo B >> $log")
	c=$(sbatch --parsable -o /dev/null --dependency="afterok:$b" --wrap "echo C >> $log")
	[ "$(job_field "$b" %r)" = Dependency ]
	[ "$(job_field "$b" %E)" = "afterok:$a(unfulfilled)" ]
	[ "$(scontrol_field "$c" Dependency)" = "afterok:$b(unfulfilled)" ]
	wait_state "$c" COMPLETED 30
	[ "$(cat "$log")" = "$(printf 'A\nB\nC')" ]
	# Once satisfied nothing is left.
	[ "$(job_field "$c" %E)" = "(null)" ]
}

@test "afternotok runs only on failure; afterok then never can" {
	cd "$SKY_WORK"
	bad=$(sbatch --parsable -o /dev/null --wrap 'exit 3')
	good=$(sbatch --parsable -o /dev/null --wrap 'exit 0')
	on_bad=$(sbatch --parsable -o /dev/null -d "afternotok:$bad" --wrap true)
	on_good=$(sbatch --parsable -o /dev/null -d "afternotok:$good" --wrap true)
	ok_bad=$(sbatch --parsable -o /dev/null -d "afterok:$bad" --wrap true)
	wait_state "$on_bad" COMPLETED
	wait_state "$bad" FAILED
	wait_state "$good" COMPLETED
	sleep 2
	[ "$(job_field "$on_good" %T)" = PENDING ]
	[ "$(job_field "$on_good" %r)" = DependencyNeverSatisfied ]
	[ "$(job_field "$on_good" %E)" = "afternotok:$good(failed)" ]
	[ "$(job_field "$ok_bad" %r)" = DependencyNeverSatisfied ]
	[ "$(job_field "$ok_bad" %E)" = "afterok:$bad(failed)" ]
	scancel "$on_good" "$ok_bad"
}

@test "afterany runs after a failure; a bare id means afterany" {
	cd "$SKY_WORK"
	a=$(sbatch --parsable -o /dev/null --wrap 'sleep 1; exit 1')
	b=$(sbatch --parsable -o /dev/null -d "afterany:$a" --wrap true)
	c=$(sbatch --parsable -o /dev/null -d "$a" --wrap true)
	[ "$(job_field "$c" %E)" = "afterany:$a(unfulfilled)" ]
	wait_state "$b" COMPLETED
	wait_state "$c" COMPLETED
	wait_state "$a" FAILED
}

@test "after:A starts once A has started" {
	cd "$SKY_WORK"
	a=$(sbatch --parsable -o /dev/null --hold --wrap 'sleep 5')
	b=$(sbatch --parsable -o /dev/null -d "after:$a" --wrap true)
	sleep 1.5
	[ "$(job_field "$b" %T)" = PENDING ]
	scontrol release "$a"
	wait_state "$b" COMPLETED 15
	[ "$(job_field "$a" %T)" = RUNNING ]
	scancel "$a"
}

@test "singleton jobs of one name and user never overlap" {
	cd "$SKY_WORK"
	log=$SKY_WORK/single.log
	for k in 1 2 3; do
		ids[$k]=$(sbatch --parsable -o /dev/null -J solo -d singleton \
			--wrap "echo start $k >> $log; sleep 1; echo end $k >> $log")
	done
	sleep 0.5
	[ "$(job_field "${ids[2]}" %E)" = "singleton(unfulfilled)" ]
	wait_state "${ids[3]}" COMPLETED 30
	[ "$(cat "$log")" = "$(printf 'start %d\nend %d\n' 1 1 2 2 3 3)" ]
}

@test "'?' needs any one dependency, ',' all of them" {
	cd "$SKY_WORK"
	bad=$(sbatch --parsable -o /dev/null --wrap 'exit 1')
	good=$(sbatch --parsable -o /dev/null --wrap 'sleep 1')
	either=$(sbatch --parsable -o /dev/null -d "afterok:$bad?afterok:$good" --wrap true)
	both=$(sbatch --parsable -o /dev/null -d "afterok:$bad,afterok:$good" --wrap true)
	wait_state "$either" COMPLETED 20
	wait_state "$good" COMPLETED
	sleep 1
	[ "$(job_field "$both" %r)" = DependencyNeverSatisfied ]
	[ "$(job_field "$both" %E)" = "afterok:$bad(failed)" ]
	scancel "$both"
}

@test "aftercorr runs each task after the same task of the other array" {
	cd "$SKY_WORK"
	a=$(sbatch --parsable --array=1-2 -o /dev/null --wrap 'exit $((SLURM_ARRAY_TASK_ID - 1))')
	b=$(sbatch --parsable --array=1-2 -o /dev/null -d "aftercorr:$a" --wrap true)
	# Task 1 of b is job b, task 2 is job b+1 (consecutive ids).
	wait_state "$b" COMPLETED 20
	wait_state "$((a + 1))" FAILED 20
	sleep 1
	[ "$(scontrol_field "$((b + 1))" JobState)" = PENDING ]
	[ "$(scontrol_field "$((b + 1))" Reason)" = DependencyNeverSatisfied ]
	[ "$(scontrol_field "$((b + 1))" Dependency)" = "aftercorr:${a}_*(failed)" ]
	scancel "$b"
}

@test "SLURM_JOB_DEPENDENCY carries the dependency as given" {
	cd "$SKY_WORK"
	a=$(sbatch --parsable -o /dev/null --wrap true)
	b=$(sbatch --parsable -d "afterany:$a" --wrap 'echo "dep=$SLURM_JOB_DEPENDENCY"')
	wait_state "$b" COMPLETED
	wait_file "slurm-$b.out"
	[ "$(cat "slurm-$b.out")" = "dep=afterany:$a" ]
}

@test "--kill-on-invalid-dep=yes cancels a job that can never run" {
	cd "$SKY_WORK"
	a=$(sbatch --parsable -o /dev/null --wrap 'exit 1')
	b=$(sbatch --parsable -o /dev/null --kill-on-invalid-dep=yes -d "afterok:$a" --wrap true)
	wait_state "$b" CANCELLED 20
	[ "$(job_field "$b" %r)" = DependencyNeverSatisfied ]
}

@test "bad dependencies are rejected with Slurm's message" {
	for dep in "afterok:999999" "afternotok:999999" "bogus:1" "afterok:" \
		"afterok:1,afterok:2?afterok:3" "after:1+x" "singleton:1" "afterok:1:"; do
		run sbatch -d "$dep" --wrap true
		[ "$status" -eq 1 ]
		[ "$output" = "sbatch: error: Batch job submission failed: Job dependency problem" ]
	done
	# after/afterany on a job that is gone are simply satisfied.
	run sbatch --parsable -o /dev/null -d "afterany:999999" --wrap true
	[ "$status" -eq 0 ]
	wait_state "$output" COMPLETED
}

@test "dependencies survive kill -9 of the controller" {
	cd "$SKY_WORK"
	a=$(sbatch --parsable -o /dev/null --wrap 'sleep 3')
	b=$(sbatch --parsable -o /dev/null -d "afterok:$a" --wrap true)
	c=$(sbatch --parsable -o /dev/null -d "afternotok:$a" --wrap true)
	kill -9 "$(ctld_pid)"
	sleep 0.5
	ctld_restart
	[ "$(job_field "$b" %E)" = "afterok:$a(unfulfilled)" ]
	[ "$(job_field "$b" %r)" = Dependency ]
	wait_state "$b" COMPLETED 30
	sleep 1
	kill -9 "$(ctld_pid)"
	sleep 0.5
	ctld_restart
	# The failed term is in the stored record: c still can never run.
	[ "$(job_field "$c" %r)" = DependencyNeverSatisfied ]
	[ "$(job_field "$c" %E)" = "afternotok:$a(failed)" ]
	scancel "$c"
}
