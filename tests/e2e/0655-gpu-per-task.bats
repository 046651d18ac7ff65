#!/usr/bin/env bats
# --gpus-per-task: the batch script sees all of its node's GPUs, each srun
# task only its own share (Slurm's implicit --gpu-bind=per_task:N), on every
# node of the job.
load helpers

setup_file() { sky_start --nodes 2 --cpus-per-node 4 --gres gpu:a100:4; }
teardown_file() { sky_stop; }
teardown() {
	[ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs
	scancel -u "$(id -un)" 2>/dev/null || true
}

@test "each task of a step sees only its own GPUs" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -N 2 --ntasks-per-node=2 --gpus-per-task=2 -o pt.out --wrap '
		echo "batch $CUDA_VISIBLE_DEVICES"
		srun bash -c "echo task \$SLURMD_NODENAME \$SLURM_LOCALID \$CUDA_VISIBLE_DEVICES \$SLURM_STEP_GPUS"')
	wait_state "$id" COMPLETED
	[ "$(grep '^batch' pt.out)" = "batch 0,1,2,3" ]
	run sort pt.out
	[ "${lines[0]}" = "batch 0,1,2,3" ]
	[ "${lines[1]}" = "task node1 0 0,1 0,1,2,3" ]
	[ "${lines[2]}" = "task node1 1 2,3 0,1,2,3" ]
	[ "${lines[3]}" = "task node2 0 0,1 0,1,2,3" ]
	[ "${lines[4]}" = "task node2 1 2,3 0,1,2,3" ]
	run scontrol -d show job "$id"
	[[ $output == *"Nodes=node[1-2] CPU_IDs="*" GRES=gpu:a100:4(IDX:0-3)"* ]]
}

@test "srun --gpus-per-task splits a job's GPUs among its tasks" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -n 4 --gres=gpu:4 -o split.out --wrap '
		srun -n 4 --gpus-per-task=1 bash -c "echo \$SLURM_LOCALID \$ROCR_VISIBLE_DEVICES"')
	wait_state "$id" COMPLETED
	run sort split.out
	[ "$output" = "$(printf '0 0\n1 1\n2 2\n3 3')" ]
}
