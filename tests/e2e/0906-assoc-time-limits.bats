#!/usr/bin/env bats
# Association limits counted in time (slurm.md section 7): MaxTRESMinsPerJob
# against the job's TRES x time limit, GrpTRESRunMins against what running
# jobs' time limits have left, GrpTRESMins and GrpWall against the usage
# recorded so far. Jobs pend with Slurm's reasons; lifting the limit lets
# them run.
load helpers

setup_file() {
	sky_start --nodes 1 --cpus-per-node 4 \
		--set AccountingStorageEnforce=associations,limits \
		--set PriorityCalcPeriod=0:01
	cd "$SKY_WORK"
	ME=$(id -un)
	export ME
	sacctmgr -i add account tl >/dev/null
	sacctmgr -i add user "$ME" Account=tl DefaultAccount=tl >/dev/null
}
teardown_file() { sky_cancel_all; sky_stop; }
teardown() {
	[ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs
	sky_cancel_all
}

@test "MaxTRESMinsPerJob=cpu=5: 2 CPUs for 3 minutes pend, 2 for 2 run" {
	sacctmgr -i modify account tl set MaxTRESMinsPerJob=cpu=5 >/dev/null
	run sacctmgr -n -P show assoc where account=tl format=account,user,maxtresmins
	echo "$output"
	[[ $output == *"tl||cpu=5"* ]]
	a=$(sbatch --parsable -c 2 -t 3 --wrap 'sleep 30')
	b=$(sbatch --parsable -c 2 -t 2 --wrap 'sleep 30')
	# No time limit at all: unbounded CPU-minutes.
	c=$(sbatch --parsable -c 1 -t UNLIMITED --wrap 'sleep 30')
	wait_reason "$a" AssocMaxCpuMinutesPerJobLimit
	wait_state "$b" RUNNING
	wait_reason "$c" AssocMaxCpuMinutesPerJobLimit
	sacctmgr -i modify account tl set MaxTRESMinsPerJob=cpu=-1 >/dev/null
	wait_state "$a" RUNNING
}

@test "GrpTRESRunMins=cpu=3: a second 2-minute job waits for the first's minutes" {
	sacctmgr -i modify account tl set GrpTRESRunMins=cpu=3 >/dev/null
	a=$(sbatch --parsable -t 2 --wrap 'sleep 30')
	wait_state "$a" RUNNING
	b=$(sbatch --parsable -t 2 --wrap 'sleep 30')
	wait_reason "$b" AssocGrpCPURunMinutesLimit
	# A one-minute job fits in what is left (3 - 2).
	c=$(sbatch --parsable -t 1 --wrap 'sleep 30')
	wait_state "$c" RUNNING
	scancel "$a"
	wait_state "$b" RUNNING
	sacctmgr -i modify account tl set GrpTRESRunMins=cpu=-1 >/dev/null
}

@test "GrpTRESMins=cpu=1 and GrpWall=1: once the usage is spent, jobs pend" {
	sacctmgr -i add account spent >/dev/null
	sacctmgr -i add user "$ME" Account=spent >/dev/null
	sacctmgr -i modify account spent set GrpTRESMins=cpu=1 >/dev/null
	# 4 CPUs for 16 s: 64 CPU-seconds, more than the 60 allowed.
	a=$(sbatch --parsable -A spent -c 4 --wrap 'sleep 16')
	wait_state "$a" COMPLETED 40
	sleep 2
	b=$(sbatch --parsable -A spent --wrap 'true')
	wait_reason "$b" AssocGrpCPUMinutesLimit
	# GrpWall counts job time, not CPUs: 16 s of 60 is not spent yet.
	sacctmgr -i modify account spent set GrpTRESMins=cpu=-1 GrpWall=1 >/dev/null
	wait_state "$b" COMPLETED 20
	for i in 1 2 3 4; do sbatch -A spent --wrap 'sleep 12' >/dev/null; done
	sleep 16
	c=$(sbatch --parsable -A spent --wrap 'true')
	wait_reason "$c" AssocGrpWallLimit
	sacctmgr -i modify account spent set GrpWall=-1 >/dev/null
	wait_state "$c" COMPLETED 20
}

@test "sshare -l TRESRunMins: the minutes running jobs have left" {
	run sshare -l -n -P -A tl
	[[ ${lines[0]} == *"|cpu=0,"* ]]
	a=$(sbatch --parsable -c 2 -t 10 --wrap 'sleep 30')
	wait_state "$a" RUNNING
	run sshare -l -n -P -A tl
	echo "$output"
	# 2 CPUs x (10 minutes less the seconds already run), for the account
	# and its user alike.
	[[ $(echo "${lines[0]}" | awk -F'|' '{ print $11 }') =~ ^cpu=(19|20), ]]
	[[ $(echo "${lines[1]}" | awk -F'|' '{ print $11 }') =~ ^cpu=(19|20), ]]
	scancel "$a"
	sleep 1
	run sshare -l -n -P -A tl
	[[ ${lines[0]} == *"|cpu=0,"* ]]
}
