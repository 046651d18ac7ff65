#!/usr/bin/env bats
# GrpTRES on a GRES tracked through AccountingStorageTRES=gres/gpu (slurm.md
# sections 6 and 7): jobs past the account's GPUs pend with AssocGrpGRES;
# MaxTRESPerJob keeps a too-large job pending with AssocMaxGRESPerJob,
# MaxTRESPerNode one asking too much of a node with AssocMaxCpuPerNode.
load helpers

setup_file() {
	sky_start --nodes 1 --cpus-per-node 8 --gres gpu:a100:8 \
		--set AccountingStorageTRES=gres/gpu \
		--set AccountingStorageEnforce=associations,limits
	cd "$SKY_WORK"
	sacctmgr -i add account gputeam GrpTRES=gres/gpu=3 >/dev/null
	sacctmgr -i add user "$(id -un)" Account=gputeam DefaultAccount=gputeam >/dev/null
}
teardown_file() { sky_cancel_all; sky_stop; }
teardown() {
	[ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs
	sky_cancel_all
}

@test "sacctmgr shows the GRES limit" {
	run sacctmgr -n -P show assoc account=gputeam user= format=account,grptres
	[ "${lines[0]}" = "gputeam|gres/gpu=3" ]
}

@test "GPUs past GrpTRES=gres/gpu wait with AssocGrpGRES" {
	a=$(sbatch --parsable --gres=gpu:2 -o /dev/null --wrap 'sleep 30')
	b=$(sbatch --parsable --gres=gpu:2 -o /dev/null --wrap 'sleep 30')
	c=$(sbatch --parsable --gres=gpu:1 -o /dev/null --wrap 'sleep 30')
	wait_state "$a" RUNNING
	wait_reason "$b" AssocGrpGRES
	# A smaller job that fits the remaining GPU is not held back by b.
	wait_state "$c" RUNNING
	scancel "$a"
	wait_state "$b" RUNNING
}

@test "MaxTRESPerJob=gres/gpu keeps a larger job pending" {
	sacctmgr -i modify account gputeam set MaxTRESPerJob=gres/gpu=1 GrpTRES=gres/gpu=-1 >/dev/null
	a=$(sbatch --parsable --gres=gpu:2 -o /dev/null --wrap 'sleep 30')
	wait_reason "$a" AssocMaxGRESPerJob
}

@test "MaxTRESPerNode=cpu keeps a job wanting more CPUs of a node pending" {
	sacctmgr -i modify account gputeam set MaxTRESPerJob=gres/gpu=-1 MaxTRESPerNode=cpu=2 >/dev/null
	run sacctmgr -n -P show assoc account=gputeam user= format=account,maxtrespernode
	[ "${lines[0]}" = "gputeam|cpu=2" ]
	a=$(sbatch --parsable -c 4 -o /dev/null --wrap 'sleep 30')
	b=$(sbatch --parsable -c 2 -o /dev/null --wrap 'sleep 30')
	wait_reason "$a" AssocMaxCpuPerNode
	wait_state "$b" RUNNING
	sacctmgr -i modify account gputeam set MaxTRESPerNode=cpu=-1 >/dev/null
	wait_state "$a" RUNNING
}
