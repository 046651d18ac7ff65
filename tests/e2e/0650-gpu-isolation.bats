#!/usr/bin/env bats
# GPUs on one 8-GPU node (Gres=gpu:a100:8): jobs get disjoint devices, the
# job that does not fit waits with reason Resources, the devices come back
# when a job ends, and the commands show what is held (slurm.md sections 2, 6).
load helpers

setup_file() { sky_start --nodes 1 --cpus-per-node 8 --gres gpu:a100:8; }
teardown_file() { sky_stop; }
teardown() {
	[ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs
	scancel -u "$(id -un)" 2>/dev/null || true
}

# The script every job runs: its GPU variables, then it waits for a release file.
gpu_script() {
	cat > gpu.sh <<'SH'
#!/bin/bash
echo "CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES"
echo "SLURM_JOB_GPUS=$SLURM_JOB_GPUS"
echo "SLURM_GPUS_ON_NODE=$SLURM_GPUS_ON_NODE"
echo "GPU_DEVICE_ORDINAL=$GPU_DEVICE_ORDINAL"
echo "ROCR_VISIBLE_DEVICES=$ROCR_VISIBLE_DEVICES"
echo "ZE_AFFINITY_MASK=$ZE_AFFINITY_MASK"
while [ ! -e "release.$SLURM_JOB_ID" ]; do sleep 0.2; done
SH
	chmod +x gpu.sh
}

var() { sed -n "s/^$2=//p" "$1"; }

@test "sinfo and scontrol show node report the node's 8 GPUs" {
	run sinfo -h -o '%G'
	[ "$status" -eq 0 ]
	[ "$output" = "gpu:a100:8" ]
	run scontrol show node node1
	[[ $output == *"Gres=gpu:a100:8"* ]]
	[[ $output == *"CfgTRES=cpu=8,mem="*",billing=8,gres/gpu=8"* ]]
}

@test "two 4-GPU jobs get disjoint devices; a third waits for Resources" {
	cd "$SKY_WORK"
	gpu_script
	a=$(sbatch --parsable --gres=gpu:4 -o a.out gpu.sh)
	b=$(sbatch --parsable --gres=gpu:a100:4 -o b.out gpu.sh)
	wait_state "$a" RUNNING
	wait_state "$b" RUNNING
	c=$(sbatch --parsable --gpus-per-node=1 -o c.out gpu.sh)
	wait_file a.out
	wait_file b.out
	sleep 1
	[ "$(job_field "$c" %T)" = PENDING ]
	[ "$(job_field "$c" %r)" = Resources ]
	# Each sees 4 devices, the lowest free ones first, every variable the same list.
	ga=$(var a.out CUDA_VISIBLE_DEVICES)
	gb=$(var b.out CUDA_VISIBLE_DEVICES)
	[ "$ga" = 0,1,2,3 ]
	[ "$gb" = 4,5,6,7 ]
	for f in a.out b.out; do
		g=$(var $f CUDA_VISIBLE_DEVICES)
		[ "$(echo "$g" | tr , '\n' | wc -l)" -eq 4 ]
		[ "$(var $f SLURM_GPUS_ON_NODE)" = 4 ]
		for v in SLURM_JOB_GPUS GPU_DEVICE_ORDINAL ROCR_VISIBLE_DEVICES ZE_AFFINITY_MASK; do
			[ "$(var $f $v)" = "$g" ]
		done
	done
	run scontrol show node node1
	[[ $output == *"AllocTRES=cpu=2,gres/gpu=8"* ]]
	# scontrol -d shows the device indices the job holds
	run scontrol -d show job "$a"
	[[ $output == *"JOB_GRES=gpu:a100:4"* ]]
	[[ $output == *"Nodes=node1 CPU_IDs=0 Mem=0 GRES=gpu:a100:4(IDX:0-3)"* ]]
	[[ $output == *"TresPerNode=gres/gpu:4"* ]]
	[[ $output == *"AllocTRES=cpu=1,node=1,billing=1,gres/gpu=4"* ]]
	# the freed devices go to the waiting job
	touch "release.$a"
	wait_state "$a" COMPLETED
	wait_state "$c" RUNNING
	wait_file c.out
	gc=$(var c.out CUDA_VISIBLE_DEVICES)
	[[ ",$ga," == *",$gc,"* ]]
	[ "$(var c.out SLURM_GPUS_ON_NODE)" = 1 ]
	touch "release.$b" "release.$c"
	wait_state "$b" COMPLETED
	wait_state "$c" COMPLETED
	[ "$(scontrol -o show node node1 | grep -o 'AllocTRES=[^ ]*')" = "AllocTRES=" ]
	# accounting keeps what each job held
	[ "$(sacct -j "$a" -X -n -P -o AllocTRES)" = "billing=1,cpu=1,gres/gpu=4,node=1" ]
	[ "$(sacct -j "$c" -X -n -P -o ReqTRES)" = "billing=1,cpu=1,gres/gpu=1,node=1" ]
}

@test "a job without GPUs runs beside GPU jobs and sees no GPU variables" {
	cd "$SKY_WORK"
	gpu_script
	a=$(sbatch --parsable --gres=gpu:8 -o all.out gpu.sh)
	wait_state "$a" RUNNING
	n=$(sbatch --parsable -o none.out gpu.sh)
	wait_state "$n" RUNNING
	wait_file none.out
	[ "$(var none.out CUDA_VISIBLE_DEVICES)" = "" ]
	[ "$(var none.out SLURM_GPUS_ON_NODE)" = "" ]
	wait_file all.out
	[ "$(var all.out CUDA_VISIBLE_DEVICES)" = "0,1,2,3,4,5,6,7" ]
	touch "release.$a" "release.$n"
	wait_state "$a" COMPLETED
	wait_state "$n" COMPLETED
}
