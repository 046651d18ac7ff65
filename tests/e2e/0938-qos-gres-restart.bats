#!/usr/bin/env bats
# QOS limits on a GRES tracked through AccountingStorageTRES=gres/gpu
# (QOSMaxGRESPerJob, QOSGrpGRES, QOSMaxGRESPerUser, QOSMaxGRESPerNode), and a controller
# restart (kill -9) that keeps the jobs' QOS and recounts them: a job held
# by MaxJobsPU stays held with the same reason afterwards.
load helpers

setup_file() {
	sky_start --nodes 1 --cpus-per-node 8 --gres gpu:a100:8 \
		--set AccountingStorageTRES=gres/gpu \
		--set AccountingStorageEnforce=associations,limits,qos
	cd "$SKY_WORK"
	sacctmgr -i add qos gpu MaxTRESPerJob=gres/gpu=2 GrpTRES=gres/gpu=3 >/dev/null
	sacctmgr -i add account gputeam QOS=normal,gpu >/dev/null
	sacctmgr -i add user "$(id -un)" Account=gputeam DefaultAccount=gputeam DefaultQOS=gpu >/dev/null
}
teardown_file() { sky_cancel_all; sky_stop; }
teardown() {
	[ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs
	sky_cancel_all
}

@test "sacctmgr shows the QOS GRES limits" {
	run sacctmgr -n -P show qos gpu format=name,maxtres,grptres
	[ "$output" = "gpu|gres/gpu=2|gres/gpu=3" ]
}

@test "QOSMaxGRESPerJob, then QOSGrpGRES, then QOSMaxGRESPerUser" {
	big=$(sbatch --parsable --gres=gpu:3 -o /dev/null --wrap 'sleep 30')
	wait_reason "$big" QOSMaxGRESPerJob
	scancel "$big"
	a=$(sbatch --parsable --gres=gpu:2 -o /dev/null --wrap 'sleep 30')
	b=$(sbatch --parsable --gres=gpu:2 -o /dev/null --wrap 'sleep 30')
	wait_state "$a" RUNNING
	wait_reason "$b" QOSGrpGRES
	# The same GPUs in QOS normal are not limited.
	c=$(sbatch --parsable -q normal --gres=gpu:2 -o /dev/null --wrap 'sleep 30')
	wait_state "$c" RUNNING
	scancel "$b" "$c"
	sacctmgr -i modify qos gpu set GrpTRES=gres/gpu=-1 MaxTRESPerUser=gres/gpu=3 >/dev/null
	b=$(sbatch --parsable --gres=gpu:2 -o /dev/null --wrap 'sleep 30')
	wait_reason "$b" QOSMaxGRESPerUser
	sacctmgr -i modify qos gpu set MaxTRESPerUser=gres/gpu=-1 >/dev/null
	wait_state "$b" RUNNING
}

@test "after a kill -9 the jobs keep their QOS and its limits still hold" {
	sacctmgr -i modify qos gpu set MaxJobsPU=1 >/dev/null
	a=$(sbatch --parsable --gres=gpu:1 -o /dev/null --wrap 'sleep 60')
	b=$(sbatch --parsable --gres=gpu:1 -o /dev/null --wrap 'sleep 60')
	wait_state "$a" RUNNING
	wait_reason "$b" QOSMaxJobsPerUserLimit
	kill -9 "$(ctld_pid)"
	sleep 0.5
	ctld_restart
	[ "$(job_field "$a" %q)" = gpu ]
	[ "$(job_field "$b" %q)" = gpu ]
	sleep 2
	[ "$(job_field "$a" %T)" = RUNNING ]
	wait_reason "$b" QOSMaxJobsPerUserLimit
	scancel "$a"
	wait_state "$b" RUNNING
}

@test "MaxTRESPerNode holds a job wanting more GPUs of a node, across a restart" {
	sacctmgr -i modify qos gpu set MaxJobsPU=-1 MaxTRESPerNode=gres/gpu=1 >/dev/null
	run sacctmgr -n -P show qos gpu format=name,maxtrespernode
	[ "$output" = "gpu|gres/gpu=1" ]
	a=$(sbatch --parsable --gres=gpu:2 -o /dev/null --wrap 'sleep 30')
	b=$(sbatch --parsable --gres=gpu:1 -o /dev/null --wrap 'sleep 30')
	wait_reason "$a" QOSMaxGRESPerNode
	wait_state "$b" RUNNING
	kill -9 "$(ctld_pid)"
	sleep 0.5
	ctld_restart
	run sacctmgr -n -P show qos gpu format=name,maxtrespernode
	[ "$output" = "gpu|gres/gpu=1" ]
	wait_reason "$a" QOSMaxGRESPerNode
	sacctmgr -i modify qos gpu set MaxTRESPerNode=gres/gpu=-1 >/dev/null
	wait_state "$a" RUNNING
}
