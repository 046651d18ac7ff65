#!/usr/bin/env bats
# A SkyPilot-style task through sbatch on the emulated cluster of `sky-up
# --k8s-emulator`: `resources.accelerators: A100:8` lands on the one a100 node
# (GPU Feature Discovery labels) and runs setup then run with the task's envs
# and SKYPILOT_* variables; with num_nodes: 2 every rank runs `run` (SkyPilot's
# semantics), the other ranks' lines prefixed "(worker<k>, rank=<k>) " in the
# output file, and the job ends when all ranks have, the first non-zero exit
# code winning.
load helpers
load k8s-sky-helpers

setup_file() { k8s_sky_start; }
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { sky_logs; k8s_logs; sky_cancel_all; }; }

@test "accelerators A100:8, num_nodes 1: the task runs on the a100 node" {
	cd "$SKY_WORK"
	cat > a100.yaml <<-'EOF'
	name: finetune
	num_nodes: 1
	resources:
	  accelerators: A100:8
	envs:
	  MODEL: llama-8b
	setup: |
	  echo "setup: $MODEL"
	run: |
	  echo "run: model=$MODEL args=$*"
	  echo "rank=$SKYPILOT_NODE_RANK nodes=$SKYPILOT_NUM_NODES gpus=$SKYPILOT_NUM_GPUS_PER_NODE"
	  echo "host=$SLURMD_NODENAME"
	  # Until the test has seen the pod (the submit directory is the pod's
	  # working directory, and the emulator's pods share this machine's files).
	  i=0; while [ ! -e release-a100 ] && [ $i -lt 600 ]; do sleep 0.2; i=$((i + 1)); done
	EOF
	run sbatch -p k8s a100.yaml lr=3e-4
	[ "$status" -eq 0 ]
	[[ $output =~ ^Submitted\ batch\ job\ ([0-9]+)$ ]]
	id=${BASH_REMATCH[1]}
	slot=$(slot_of gfd-a100-0)
	[ -n "$slot" ]
	wait_state "$id" RUNNING 30
	[ "$(job_field "$id" %N)" = "$slot" ]
	[ "$(job_field "$id" %j)" = finetune ]
	[ "$(scontrol_field "$id" TresPerNode)" = "gres/gpu:a100:8" ]
	wait_pods "$id" 1 Running 30
	[ "$(job_pods "$id")" = "sky-sky-$id-0 gfd-a100-0 Running" ]
	[ "$(kubectl get pod "sky-sky-$id-0" -o jsonpath='{.spec.containers[0].resources.limits.nvidia\.com/gpu}')" = 8 ]
	touch release-a100
	wait_state "$id" COMPLETED 60
	out=$SKY_WORK/slurm-$id.out
	wait_file "$out"
	cat "$out"
	[ "$(sed -n 1p "$out")" = "setup: llama-8b" ]
	[ "$(sed -n 2p "$out")" = "run: model=llama-8b args=lr=3e-4" ]
	[ "$(sed -n 3p "$out")" = "rank=0 nodes=1 gpus=8" ]
	[ "$(sed -n 4p "$out")" = "host=$slot" ]
	wait_no_objects "$id" 30
}

@test "num_nodes 2: every rank runs the task, worker lines prefixed in the output" {
	cd "$SKY_WORK"
	cat > two.yaml <<-'EOF'
	num_nodes: 2
	resources:
	  accelerators: H100:8
	run: |
	  echo "node $SKYPILOT_NODE_RANK of $SKYPILOT_NUM_NODES, rank $RANK of $WORLD_SIZE"
	  i=0; while [ ! -e release-two ] && [ $i -lt 600 ]; do sleep 0.2; i=$((i + 1)); done
	  echo "node $SKYPILOT_NODE_RANK done"
	EOF
	id=$(sbatch --parsable -p k8s two.yaml)
	wait_state "$id" RUNNING 30
	wait_pods "$id" 2 Running 30
	[ "$(job_pods "$id" | awk '{ print $2 }' | sort | tr '\n' ' ')" = "gke-h100-0 gke-h100-1 " ]
	touch release-two
	wait_state "$id" COMPLETED 60
	out=$SKY_WORK/slurm-$id.out
	wait_file "$out"
	cat "$out"
	grep -qx "node 0 of 2, rank 0 of 2" "$out"
	grep -qx "node 0 done" "$out"
	grep -qx "(worker1, rank=1) node 1 of 2, rank 1 of 2" "$out"
	grep -qx "(worker1, rank=1) node 1 done" "$out"
	[ "$(wc -l < "$out")" -eq 4 ]
	wait_no_objects "$id" 30
}

@test "num_nodes 2: a worker's failure fails the job with its exit code" {
	cd "$SKY_WORK"
	cat > fail.yaml <<-'EOF'
	num_nodes: 2
	resources:
	  accelerators: H100:8
	run: |
	  if [ "$SKYPILOT_NODE_RANK" = 1 ]; then echo "worker fails"; exit 5; fi
	  sleep 3
	  echo "head ok"
	EOF
	id=$(sbatch --parsable -p k8s fail.yaml)
	wait_state "$id" FAILED 60
	[ "$(scontrol_field "$id" ExitCode)" = "5:0" ]
	out=$SKY_WORK/slurm-$id.out
	wait_file "$out"
	# The job ends when all ranks have: the head's line is there too.
	grep -qx "head ok" "$out"
	grep -qx "(worker1, rank=1) worker fails" "$out"
	wait_no_objects "$id" 30
}
