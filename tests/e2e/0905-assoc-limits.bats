#!/usr/bin/env bats
# AccountingStorageEnforce=associations,limits (slurm.md section 7 and 3.3):
# sbatch -A must name an association of the user (or the user's default
# account is used), submit limits reject at submission with Slurm's text,
# and MaxJobs/GrpJobs/GrpTRES keep jobs pending with Slurm's reasons.
load helpers

setup_file() {
	sky_start --nodes 1 --cpus-per-node 4 \
		--set AccountingStorageEnforce=associations,limits
	cd "$SKY_WORK"
	ME=$(id -un)
	export ME
	sacctmgr -i add account teama >/dev/null
	sacctmgr -i add account teamb >/dev/null
	sacctmgr -i add user "$ME" Account=teama,teamb DefaultAccount=teama >/dev/null
}
teardown_file() { sky_cancel_all; sky_stop; }
teardown() {
	[ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs
	sky_cancel_all
}

@test "sbatch -A must match an association of the user" {
	run sbatch -A nosuch --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified" ]
	ensure_test_user
	run as_test_user sbatch --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified" ]
}

@test "without -A the user's default account is charged" {
	id=$(sbatch --parsable --wrap true)
	[ "$(job_field "$id" %a)" = teama ]
	id=$(sbatch --parsable -A teamb --wrap true)
	[ "$(job_field "$id" %a)" = teamb ]
}

@test "MaxSubmitJobs rejects the submission over the limit" {
	sacctmgr -i modify user "$ME" where account=teamb set MaxSubmitJobs=2 >/dev/null
	sbatch -A teamb --hold --wrap true >/dev/null
	sbatch -A teamb --hold --wrap true >/dev/null
	run sbatch -A teamb --hold --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: Job violates accounting/QOS policy (job submit limit, user's size and/or time limits)" ]
	# The other account is not affected; a finished job frees its place.
	sbatch -A teama --hold --wrap true >/dev/null
	sky_cancel_all
	sleep 0.3
	run sbatch -A teamb --hold --wrap true
	[ "$status" -eq 0 ]
	sacctmgr -i modify user "$ME" where account=teamb set MaxSubmitJobs=-1 >/dev/null
}

@test "GrpSubmitJobs on the account counts every user's jobs" {
	sacctmgr -i modify account teamb set GrpSubmitJobs=1 >/dev/null
	sbatch -A teamb --hold --wrap true >/dev/null
	run sbatch -A teamb --hold --wrap true
	[ "$status" -eq 1 ]
	[[ "$output" == *"Job violates accounting/QOS policy"* ]]
	sacctmgr -i modify account teamb set GrpSubmitJobs=-1 >/dev/null
}

@test "MaxJobs keeps further jobs pending with AssocMaxJobsLimit" {
	sacctmgr -i modify user "$ME" where account=teama set MaxJobs=1 >/dev/null
	a=$(sbatch --parsable -A teama --wrap 'sleep 30')
	b=$(sbatch --parsable -A teama --wrap 'sleep 30')
	c=$(sbatch --parsable -A teamb --wrap 'sleep 30')
	wait_state "$a" RUNNING
	wait_reason "$b" AssocMaxJobsLimit
	# A limited job does not hold back the partition: teamb's job runs.
	wait_state "$c" RUNNING
	scancel "$a"
	wait_state "$b" RUNNING
	sacctmgr -i modify user "$ME" where account=teama set MaxJobs=-1 >/dev/null
}

@test "GrpJobs and GrpTRES=cpu on the account: AssocGrpJobsLimit, AssocGrpCpuLimit" {
	sacctmgr -i modify account teama set GrpJobs=1 >/dev/null
	a=$(sbatch --parsable -A teama --wrap 'sleep 30')
	b=$(sbatch --parsable -A teama --wrap 'sleep 30')
	wait_state "$a" RUNNING
	wait_reason "$b" AssocGrpJobsLimit
	scancel "$a" "$b"
	sacctmgr -i modify account teama set GrpJobs=-1 GrpTRES=cpu=2 >/dev/null
	a=$(sbatch --parsable -A teama -c 2 --wrap 'sleep 30')
	b=$(sbatch --parsable -A teama -c 1 --wrap 'sleep 30')
	wait_state "$a" RUNNING
	wait_reason "$b" AssocGrpCpuLimit
	sacctmgr -i modify account teama set GrpTRES=cpu=-1 >/dev/null
	wait_state "$b" RUNNING
}

@test "an account with active jobs cannot be deleted" {
	a=$(sbatch --parsable -A teamb --wrap 'sleep 30')
	wait_state "$a" RUNNING
	run sacctmgr -i delete account teamb
	[ "$status" -eq 1 ]
	[ "$output" = " Error with request: Job(s) active, cancel job(s) before remove" ]
	run sacctmgr -n -P show account teamb format=account
	[ "$output" = teamb ]
}
