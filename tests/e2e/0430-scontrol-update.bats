#!/usr/bin/env bats
# scontrol update JobId=N ... with Slurm's permission rules and messages
# (as Slurm 22.05's scontrol prints them: "<error> for job N"), show -d and
# show config.
load helpers

setup_file() { sky_start --nodes 1 --cpus-per-node 1 --kill-wait 2; }
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

setup() {
	cd "$SKY_WORK"
}

# A running job of the test user, and one of theirs waiting behind it.
user_jobs() {
	ensure_test_user
	run_id=$(as_test_user sbatch --parsable -t 10 -o /dev/null --wrap 'sleep 300')
	wait_state "$run_id" RUNNING
	pend_id=$(as_test_user sbatch --parsable -t 10 -o /dev/null --wrap true)
}

cleanup_jobs() { scancel "$run_id" "$pend_id" 2>/dev/null || true; wait_state "$run_id" CANCELLED 15; }

@test "the owner lowers a running job's time limit; raising it is refused" {
	user_jobs
	run as_test_user scontrol update JobId="$run_id" TimeLimit=5
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(scontrol_field "$run_id" TimeLimit)" = 00:05:00 ]
	run as_test_user scontrol update JobId="$run_id" TimeLimit=20
	[ "$status" -eq 1 ]
	[ "$output" = "Access/permission denied for job $run_id" ]
	[ "$(scontrol_field "$run_id" TimeLimit)" = 00:05:00 ]
	run scontrol update JobId="$run_id" TimeLimit=30
	[ "$status" -eq 0 ]
	[ "$(scontrol_field "$run_id" TimeLimit)" = 00:30:00 ]
	cleanup_jobs
}

@test "the owner of a pending job may raise its limit; TimeLimit=-N lowers it" {
	user_jobs
	run as_test_user scontrol update JobId="$pend_id" TimeLimit=20
	[ "$status" -eq 0 ]
	[ "$(scontrol_field "$pend_id" TimeLimit)" = 00:20:00 ]
	as_test_user scontrol update JobId="$pend_id" TimeLimit=-5
	[ "$(scontrol_field "$pend_id" TimeLimit)" = 00:15:00 ]
	cleanup_jobs
}

@test "Partition and NumNodes change only while the job is pending" {
	user_jobs
	run as_test_user scontrol update JobId="$run_id" Partition=debug
	[ "$status" -eq 1 ]
	[ "$output" = "Job is no longer pending execution for job $run_id" ]
	run as_test_user scontrol update JobId="$run_id" NumNodes=1
	[ "$status" -eq 1 ]
	[ "$output" = "Job is no longer pending execution for job $run_id" ]
	run as_test_user scontrol update JobId="$pend_id" Partition=nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "Invalid partition name specified for job $pend_id" ]
	run as_test_user scontrol update JobId="$pend_id" NumNodes=0
	[ "$status" -eq 1 ]
	[ "$output" = "Node count specification invalid for job $pend_id" ]
	run as_test_user scontrol update JobId="$pend_id" Partition=debug NumNodes=1
	[ "$status" -eq 0 ]
	cleanup_jobs
}

@test "Nice: users may only lower their priority" {
	user_jobs
	run as_test_user scontrol update JobId="$pend_id" Nice=-5
	[ "$status" -eq 1 ]
	[ "$output" = "Access/permission denied for job $pend_id" ]
	prio=$(job_field "$pend_id" %Q)
	as_test_user scontrol update JobId="$pend_id" Nice=10
	[ "$(scontrol_field "$pend_id" Nice)" = 10 ]
	[ "$(job_field "$pend_id" %Q)" -eq $((prio - 10)) ]
	run scontrol update JobId="$pend_id" Nice=-5
	[ "$status" -eq 0 ]
	[ "$(scontrol_field "$pend_id" Nice)" = -5 ]
	cleanup_jobs
}

@test "Name and Comment change on a running job" {
	user_jobs
	as_test_user scontrol update JobId="$run_id" Name=renamed Comment=hello
	[ "$(job_field "$run_id" %j)" = renamed ]
	[ "$(job_field "$run_id" %k)" = hello ]
	cleanup_jobs
}

@test "an unknown key is refused by scontrol itself" {
	run scontrol update JobId=1 Foo=1
	[ "$status" -eq 1 ]
	[ "$output" = "Update of this parameter is not supported: Foo=1
Request aborted" ]
}

@test "an unknown job: Invalid job id specified for job N" {
	run scontrol update JobId=999999 TimeLimit=1
	[ "$status" -eq 1 ]
	[ "$output" = "Invalid job id specified for job 999999" ]
}

@test "a finished job cannot be updated" {
	id=$(sbatch --parsable -o /dev/null --wrap true)
	wait_state "$id" COMPLETED 15
	run scontrol update JobId="$id" TimeLimit=1
	[ "$status" -eq 1 ]
	[ "$output" = "Job/step already completing or completed for job $id" ]
}

@test "scontrol -d show job adds DerivedExitCode and the per-node allocation" {
	id=$(sbatch --parsable -o /dev/null --wrap 'sleep 300')
	wait_state "$id" RUNNING
	run scontrol -d show job "$id"
	[ "$status" -eq 0 ]
	[ "${lines[4]}" = "   Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0" ]
	[ "${lines[5]}" = "   DerivedExitCode=0:0" ]
	[[ $output == *"CoreSpec=*"$'\n'"   JOB_GRES=(null)"$'\n'"     Nodes=node1 CPU_IDs=0 Mem="* ]]
	run scontrol -d -o show job "$id"
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == *" ExitCode=0:0 DerivedExitCode=0:0 "* ]]
	run scontrol show job "$id"
	[[ $output != *DerivedExitCode* ]]
	scancel "$id"
	wait_state "$id" CANCELLED 15
}

@test "scontrol show config: Key = Value lines, then the controller's state" {
	run scontrol show config
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^Configuration\ data\ as\ of\ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}$ ]]
	[[ $output == *$'\n'"JobRequeue              = 1"$'\n'* ]]
	[[ $output == *$'\n'"KillWait                = 2 sec"$'\n'* ]]
	[[ $output == *$'\n'"ClusterName             = "* ]]
	[[ ${lines[-1]} =~ ^Slurmctld\(primary\)\ at\ .*\ is\ UP$ ]]
	# Every line but the first and the last parses as "key = value" (ATF's parser).
	n=$(printf '%s\n' "${lines[@]:1:${#lines[@]}-2}" | grep -cvE '^[A-Za-z_][^ =]* *= ' || true)
	[ "$n" -eq 0 ]
}

@test "a time limit lowered under the run time: the controller ends the job TIMEOUT" {
	id=$(sbatch --parsable -t 5 -o /dev/null --wrap 'sleep 300')
	wait_state "$id" RUNNING
	scontrol update JobId="$id" TimeLimit=1
	[ "$(scontrol_field "$id" TimeLimit)" = 00:01:00 ]
	wait_state "$id" TIMEOUT 80
	[ "$(job_field "$id" %r)" = TimeLimit ]
	[ "$(job_field "$id" %R)" = "(TimeLimit)" ]
}

@test "another user's job: update and hold are refused with Slurm's Invalid user id" {
	ensure_test_user
	id=$(sbatch --parsable --hold -o /dev/null --wrap true)
	run as_test_user scontrol update JobId="$id" TimeLimit=5
	[ "$status" -eq 1 ]
	[ "$output" = "Invalid user id for job $id" ]
	run as_test_user scontrol release "$id"
	[ "$status" -eq 1 ]
	[[ $output == *"Invalid user id"* ]]
	[ "$(job_field "$id" %r)" = JobHeldUser ]
	scancel "$id"
}

@test "--nice at submit lowers the priority; only operators may use --priority" {
	ensure_test_user
	# --begin keeps them pending after the release, so the priorities can be read.
	a=$(as_test_user sbatch --parsable --hold --begin=now+600 -o /dev/null --wrap true)
	b=$(as_test_user sbatch --parsable --hold --begin=now+600 --nice=100 -o /dev/null --wrap true)
	c=$(as_test_user sbatch --parsable --priority=7 -o /dev/null --begin=now+600 --wrap true 2>/dev/null || true)
	scontrol release "$a" "$b"
	pa=$(job_field "$a" %Q)
	pb=$(job_field "$b" %Q)
	# b was submitted after a (base priority one lower) and is 100 nicer.
	[ $((pa - pb)) -eq 101 ]
	if [ -n "$c" ]; then [ "$(job_field "$c" %Q)" != 7 ]; scancel "$c"; fi
	scancel "$a" "$b"
	wait_state "$a" CANCELLED 5
}
