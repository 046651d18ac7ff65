#!/usr/bin/env bats
# The GPU request forms (--gres, -G/--gpus, --gpus-per-node, --gpus-per-task),
# typed and untyped, spread over several nodes, and Slurm's rejections
# (slurm.md section 6). Two nodes, each with 4 A100s and 4 V100s.
load helpers

setup_file() { sky_start --nodes 2 --cpus-per-node 8 --gres gpu:a100:4,gpu:v100:4; }
teardown_file() { sky_stop; }
teardown() {
	[ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs
	scancel -u "$(id -un)" 2>/dev/null || true
}

# run_gpus NAME OPTIONS...: run a job printing its GPU variables; waits for it to end.
run_gpus() {
	local name=$1 id
	shift
	id=$(sbatch --parsable -o "$name.out" "$@" \
		--wrap 'echo "CVD=$CUDA_VISIBLE_DEVICES"; echo "ON=$SLURM_GPUS_ON_NODE"; echo "NODES=$SLURM_JOB_NODELIST"')
	wait_state "$id" COMPLETED
	JOB=$id
}
val() { sed -n "s/^$2=//p" "$1.out"; }

@test "a typed request gets only devices of that type" {
	cd "$SKY_WORK"
	run_gpus v100 --gres=gpu:v100:2
	# Gres=gpu:a100:4,gpu:v100:4: the V100s are indices 4-7
	[ "$(val v100 CVD)" = 4,5 ]
	run_gpus a100 --gpus-per-node=a100:3
	[ "$(val a100 CVD)" = 0,1,2 ]
	run scontrol -d show job "$JOB"
	[[ $output == *"GRES=gpu:a100:3(IDX:0-2)"* ]]
	[[ $output == *"TresPerNode=gres/gpu:a100:3"* ]]
}

@test "an untyped request may take devices of every type" {
	cd "$SKY_WORK"
	run_gpus any --gres=gpu:6
	[ "$(val any CVD)" = 0,1,2,3,4,5 ]
	[ "$(val any ON)" = 6 ]
	run scontrol -d show job "$JOB"
	[[ $output == *"JOB_GRES=gpu:a100:4,gpu:v100:2"* ]]
	[[ $output == *"GRES=gpu:a100:4(IDX:0-3),gpu:v100:2(IDX:4-5)"* ]]
}

@test "-G spreads the job's GPUs over its nodes" {
	cd "$SKY_WORK"
	run_gpus spread -N 2 -G a100:6
	[ "$(val spread NODES)" = "node[1-2]" ]
	[ "$(val spread ON)" = 3 ]
	[ "$(val spread CVD)" = 0,1,2 ]
	run scontrol -d show job "$JOB"
	[[ $output == *"JOB_GRES=gpu:a100:6"* ]]
	[[ $output == *"Nodes=node[1-2] CPU_IDs=0 Mem=0 GRES=gpu:a100:3(IDX:0-2)"* ]]
	[[ $output == *"TresPerJob=gres/gpu:a100:6"* ]]
	[[ $output == *"AllocTRES=cpu=2,node=2,billing=2,gres/gpu=6"* ]]
}

@test "--gpus-per-task takes the GPUs of every task on the node" {
	cd "$SKY_WORK"
	run_gpus per_task -n 3 --gpus-per-task=2
	[ "$(val per_task ON)" = 6 ]
	run scontrol show job "$JOB"
	[[ $output == *"TresPerTask=gres/gpu:2"* ]]
	[[ $output == *"ReqTRES=cpu=3,node=1,billing=3,gres/gpu=6"* ]]
}

@test "a typed job can wait for its type while an untyped one runs" {
	cd "$SKY_WORK"
	hold=$(sbatch --parsable --gres=gpu:a100:4 -o hold.out --wrap 'while [ ! -e release.hold ]; do sleep 0.2; done')
	hold2=$(sbatch --parsable --gres=gpu:a100:4 -o hold2.out --wrap 'while [ ! -e release.hold ]; do sleep 0.2; done')
	wait_state "$hold" RUNNING
	wait_state "$hold2" RUNNING
	# every A100 is taken: an untyped job runs on V100s, an A100 job waits
	run_gpus untyped --gres=gpu:2
	[ "$(val untyped CVD)" = 4,5 ]
	w=$(sbatch --parsable --gres=gpu:a100:1 -o w.out --wrap true)
	sleep 1
	[ "$(job_field "$w" %T)" = PENDING ]
	[ "$(job_field "$w" %r)" = Resources ]
	touch release.hold
	wait_state "$w" COMPLETED
}

# rejected OPTIONS...: sbatch fails with exit 1 and prints $want.
rejected() {
	run sbatch "$@" --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: $want" ]
}

@test "invalid GPU requests are rejected with Slurm's messages" {
	want="Invalid generic resource (gres) specification"
	rejected --gres=gpu:h100:1          # no node has that type
	rejected --gres=nic:1               # nor that name
	rejected --gres=gpu:9               # more than any node has
	rejected --gres=gpu:v100:5
	rejected -N 2 --gpus-per-node=a100:5
	rejected --gres=gpu:
	rejected --gres=gpu:a100:2:1
	rejected -n 5 --gpus-per-task=2     # 10 on one node
	rejected --gres=gpu:2 --gpus-per-node=4
	want="Invalid GRES specification (with and without type identification)"
	rejected --gres=gpu:a100:2 -G 2
	rejected --gres=gpu:2 --gpus-per-node=v100:2
	rejected --gres=gpu:1,gpu:a100:1
	# and nothing was queued
	[ -z "$(squeue -h)" ]
}
