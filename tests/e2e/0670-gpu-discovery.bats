#!/usr/bin/env bats
# Where a node's GPUs come from: hwloc discovery on the agent (fed the saved
# topology of a real DGX-2H, tests/data/hwloc/), gres.conf beside slurm.conf,
# and Gres= in slurm.conf, which wins (slurm.md section 6).
load helpers

HWLOC_DATA=$SKY_SRCDIR/tests/data/hwloc

teardown() {
	[ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs
	sky_stop
}

@test "discovery from a real DGX-2H topology reports gpu:v100:16" {
	sky_start --hwloc-xml "$HWLOC_DATA/nvidia-dgx2h.xml"
	run sinfo -h -o '%G'
	[ "$output" = "gpu:v100:16" ]
	run scontrol show node node1
	[[ $output == *"Gres=gpu:v100:16"* ]]
	[[ $output == *",gres/gpu=16"* ]]
	cd "$SKY_WORK"
	id=$(sbatch --parsable --gres=gpu:v100:16 -o all.out --wrap 'echo $CUDA_VISIBLE_DEVICES')
	wait_state "$id" COMPLETED
	[ "$(cat all.out)" = "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15" ]
	run sbatch --gres=gpu:a100:1 --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: Invalid generic resource (gres) specification" ]
}

@test "an 8-GPU half of it gives gpu:v100:8 on every node" {
	sky_start --nodes 2 --hwloc-xml "$HWLOC_DATA/nvidia-dgx2h-socket0.xml"
	run sinfo -h -N -o '%N %G'
	[ "${lines[0]}" = "node1 gpu:v100:8" ]
	[ "${lines[1]}" = "node2 gpu:v100:8" ]
}

@test "gres.conf beside slurm.conf describes a node; AutoDetect=off hides the rest" {
	cat > "$BATS_TEST_TMPDIR/gres.conf" <<'EOF'
# node1: four A100s by device file; node2: no autodetection, no GRES
NodeName=node1 Name=gpu Type=a100 File=/dev/nvidia[0-3]
NodeName=node2 AutoDetect=off
EOF
	sky_start --nodes 3 --hwloc-xml "$HWLOC_DATA/nvidia-dgx2h-socket0.xml" \
		--gres-conf "$BATS_TEST_TMPDIR/gres.conf"
	run sinfo -h -N -o '%N %G'
	[ "${lines[0]}" = "node1 gpu:a100:4" ]
	[ "${lines[1]}" = "node2 (null)" ]
	[ "${lines[2]}" = "node3 gpu:v100:8" ]
	cd "$SKY_WORK"
	id=$(sbatch --parsable --gres=gpu:a100:2 -o a.out --wrap 'echo $SLURMD_NODENAME $CUDA_VISIBLE_DEVICES')
	wait_state "$id" COMPLETED
	[ "$(cat a.out)" = "node1 0,1" ]
}

@test "Gres= in slurm.conf wins over what the agent finds" {
	sky_start --gres gpu:a100:8 --hwloc-xml "$HWLOC_DATA/nvidia-dgx2h.xml"
	run sinfo -h -o '%G'
	[ "$output" = "gpu:a100:8" ]
}

@test "a bad gres.conf stops the agent with file:line" {
	printf 'Name=gpu File=/dev/nvidia0\nName=gpu File=/dev/nvidia[0-\n' > "$BATS_TEST_TMPDIR/gres.conf"
	SKY_DIR=$(mktemp -d /tmp/sky-e2e.XXXXXX)
	SKY_UP_TIMEOUT=3 run "$SKY_SRCDIR/contrib/sky-up" "$SKY_DIR/inst" --gres-conf "$BATS_TEST_TMPDIR/gres.conf"
	[ "$status" -ne 0 ]
	[[ $output == *"slurmd-sky: fatal: $SKY_DIR/inst/gres.conf:2: invalid file list '/dev/nvidia[0-'"* ]]
}
