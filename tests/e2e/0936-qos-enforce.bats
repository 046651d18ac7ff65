#!/usr/bin/env bats
# sbatch -q/--qos with AccountingStorageEnforce=associations,limits,qos
# (slurm.md sections 3.3 and 7): the QOS must exist and be in the user's
# association's list ("Invalid qos specification"), the default comes from
# DefaultQOS, squeue %q / scontrol QOS= / sacct QOS show it, and QOS limits
# hold jobs with Slurm's reasons or refuse them at submission.
load helpers

setup_file() {
	sky_start --nodes 1 --cpus-per-node 4 \
		--set AccountingStorageEnforce=associations,limits,qos
	cd "$SKY_WORK"
	ME=$(id -un)
	export ME
	sacctmgr -i add qos high Priority=10 >/dev/null
	sacctmgr -i add qos capped MaxJobsPU=2 >/dev/null
	sacctmgr -i add account teama >/dev/null
	sacctmgr -i add user "$ME" Account=teama DefaultAccount=teama >/dev/null
}
teardown_file() { sky_cancel_all; sky_stop; }
teardown() {
	[ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs
	sky_cancel_all
}

@test "-q must name a QOS of the user's association" {
	run sbatch -q nosuch --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: Invalid qos specification" ]
	# high exists but the association only has normal (inherited from root).
	run sbatch -q high --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: Invalid qos specification" ]
	sacctmgr -i modify user "$ME" set QOS+=high,capped >/dev/null
	id=$(sbatch --parsable -q HIGH --hold --wrap true)
	[ "$(job_field "$id" %q)" = high ]
	[ "$(scontrol_field "$id" QOS)" = high ]
}

@test "without -q a job gets DefaultQOS, else normal" {
	id=$(sbatch --parsable --hold --wrap true)
	[ "$(job_field "$id" %q)" = normal ]
	sacctmgr -i modify user "$ME" set DefaultQOS=high >/dev/null
	id=$(sbatch --parsable --wrap true)
	[ "$(job_field "$id" %q)" = high ]
	wait_state "$id" COMPLETED
	[ "$(sacct -n -P -X -j "$id" -o qos)" = high ]
	sacctmgr -i modify user "$ME" set DefaultQOS=-1 >/dev/null
}

@test "MaxJobsPU holds the third job with QOSMaxJobsPerUserLimit" {
	a=$(sbatch --parsable -q capped --wrap 'sleep 30')
	b=$(sbatch --parsable -q capped --wrap 'sleep 30')
	c=$(sbatch --parsable -q capped --wrap 'sleep 30')
	d=$(sbatch --parsable --wrap 'sleep 30')
	wait_state "$a" RUNNING
	wait_state "$b" RUNNING
	wait_reason "$c" QOSMaxJobsPerUserLimit
	# A job held back by its QOS does not hold back its partition.
	wait_state "$d" RUNNING
	scancel "$a"
	wait_state "$c" RUNNING
}

@test "MaxSubmitPU refuses the submission over the limit with Slurm's text" {
	sacctmgr -i modify qos capped set MaxSubmitPU=1 >/dev/null
	sbatch -q capped --hold --wrap true >/dev/null
	run sbatch -q capped --hold --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: Job violates accounting/QOS policy (job submit limit, user's size and/or time limits)" ]
	sacctmgr -i modify qos capped set MaxSubmitPU=-1 >/dev/null
}

@test "GrpTRES=cpu and MaxTRESPerUser: QOSGrpCpuLimit, QOSMaxCpuPerUserLimit" {
	sacctmgr -i modify qos capped set MaxJobsPU=-1 GrpTRES=cpu=2 >/dev/null
	a=$(sbatch --parsable -q capped -c 2 --wrap 'sleep 30')
	b=$(sbatch --parsable -q capped -c 1 --wrap 'sleep 30')
	wait_state "$a" RUNNING
	wait_reason "$b" QOSGrpCpuLimit
	scancel "$a" "$b"
	sacctmgr -i modify qos capped set GrpTRES=cpu=-1 MaxTRESPerUser=cpu=3 >/dev/null
	a=$(sbatch --parsable -q capped -c 2 --wrap 'sleep 30')
	b=$(sbatch --parsable -q capped -c 2 --wrap 'sleep 30')
	wait_state "$a" RUNNING
	wait_reason "$b" QOSMaxCpuPerUserLimit
	sacctmgr -i modify qos capped set MaxTRESPerUser=cpu=-1 >/dev/null
	wait_state "$b" RUNNING
}

@test "MaxWall pends a longer job; with DenyOnLimit it is refused" {
	sacctmgr -i modify qos capped set MaxWall=10 >/dev/null
	a=$(sbatch --parsable -q capped -t 20 --wrap 'sleep 30')
	wait_reason "$a" QOSMaxWallDurationPerJobLimit
	b=$(sbatch --parsable -q capped -t 5 --wrap 'sleep 30')
	wait_state "$b" RUNNING
	sacctmgr -i modify qos capped set Flags=DenyOnLimit >/dev/null
	run sbatch -q capped -t 20 --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: Job violates accounting/QOS policy (job submit limit, user's size and/or time limits)" ]
	sacctmgr -i modify qos capped set MaxWall=-1 Flags=-1 >/dev/null
	wait_state "$a" RUNNING
}
