#!/usr/bin/env bats
# --hold and scontrol hold/uhold/release, --begin (reason BeginTime),
# --deadline (state DEADLINE) and --time-min.
load helpers

setup_file() { sky_start --nodes 1 --cpus-per-node 2 --kill-wait 2; }
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

@test "--hold: pending (JobHeldUser, priority 0) until scontrol release" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable --hold -o held.out --wrap 'echo released')
	sleep 1
	[ "$(job_field "$id" %t)" = PD ]
	[ "$(job_field "$id" %r)" = JobHeldUser ]
	[ "$(job_field "$id" %Q)" = 0 ]
	run scontrol release "$id"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	wait_state "$id" COMPLETED 15
	[ "$(cat held.out)" = released ]
}

@test "scontrol hold and uhold hold a pending job; release gives its priority back" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable --begin=now+600 --wrap true)
	sleep 1
	[ "$(job_field "$id" %r)" = BeginTime ]
	prio=$(job_field "$id" %Q)
	[ "$prio" -gt 0 ]
	scontrol hold "$id"
	[ "$(job_field "$id" %r)" = JobHeldUser ]
	[ "$(job_field "$id" %Q)" = 0 ]
	scontrol release "$id"
	sleep 1
	[ "$(job_field "$id" %Q)" = "$prio" ]
	[ "$(job_field "$id" %r)" = BeginTime ]
	scontrol uhold "$id"
	[ "$(job_field "$id" %r)" = JobHeldUser ]
	scancel "$id"
}

@test "scontrol hold of a running job: Job is no longer pending execution" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable --wrap 'sleep 300')
	wait_state "$id" RUNNING
	run scontrol hold "$id"
	[ "$status" -eq 1 ]
	[ "$output" = "Job is no longer pending execution for job $id" ]
	scancel "$id"
	wait_state "$id" CANCELLED 15
}

@test "--begin=now+3: BeginTime while waiting, then it runs" {
	cd "$SKY_WORK"
	t0=$(date +%s)
	id=$(sbatch --parsable --begin=now+3 -o begin.out --wrap 'date +%s')
	sleep 1
	[ "$(job_field "$id" %t)" = PD ]
	[ "$(job_field "$id" %r)" = BeginTime ]
	wait_state "$id" COMPLETED 15
	[ "$(cat begin.out)" -ge $((t0 + 3)) ]
}

@test "--deadline that cannot be met: the job ends DEADLINE (DL, reason DeadLine)" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable --deadline=now+30 -t 5 --wrap true)
	wait_state "$id" DEADLINE 5
	[ "$(job_field "$id" %t)" = DL ]
	[ "$(job_field "$id" %R)" = "(DeadLine)" ]
	[ "$(scontrol_field "$id" JobState)" = DEADLINE ]
}

@test "--deadline that can be met: the job runs normally" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable --deadline=now+600 -t 2 --wrap true)
	wait_state "$id" COMPLETED 15
}

@test "--time-min: the time limit is cut to fit before the deadline" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable --deadline=now+200 --time-min=2 -t 10 --wrap 'sleep 300')
	wait_state "$id" RUNNING
	[ "$(scontrol_field "$id" TimeMin)" = 00:02:00 ]
	[ "$(scontrol_field "$id" TimeLimit)" = 00:03:00 ]
	scancel "$id"
	wait_state "$id" CANCELLED 15
}

@test "--time-min longer than the time to the deadline: DEADLINE at once" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable --deadline=now+100 --time-min=5 -t 10 --wrap true)
	wait_state "$id" DEADLINE 5
}

@test "a bad --deadline is refused with Slurm's message and status 255" {
	run sbatch --deadline=notatime --wrap true
	[ "$status" -eq 255 ]
	[ "$output" = "sbatch: error: Invalid --deadline specification" ]
}
