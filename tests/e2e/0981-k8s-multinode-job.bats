#!/usr/bin/env bats
# A user's unchanged `sbatch -p k8s --gres=gpu:h100:8 -N 2` on the emulated
# cluster of `sky-up --k8s-emulator`: the job gets the two slots bound to the
# two GKE h100 nodes, runs as one pod per node there (requests and limits of
# 8 nvidia.com/gpu, our labels, a headless Service and a ConfigMap of the
# job's name), each pod with its rank's distributed-training variables
# (WORLD_SIZE, RANK, NODE_RANK, MASTER_ADDR = rank 0's <pod>.<service>); the
# batch script's output lands in the -o file, the job completes, and nothing
# of it is left in Kubernetes.
load helpers
load k8s-sky-helpers

setup_file() { k8s_sky_start; }
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { sky_logs; k8s_logs; sky_cancel_all; }; }

# The job's script: what its environment says, then it waits (at most 120 s)
# for the tests to look at its pods and create $RELEASE (the emulator runs pods
# as local processes, so they see this machine's files).
dist_script='echo "rank=$RANK node_rank=$NODE_RANK world=$WORLD_SIZE master=$MASTER_ADDR"
echo "job=$SLURM_JOB_ID nodes=$SLURM_JOB_NODELIST nnodes=$SLURM_JOB_NUM_NODES host=$SLURMD_NODENAME nodeid=$SLURM_NODEID"
echo "gpus_on_node=$SLURM_GPUS_ON_NODE"
i=0; while [ ! -e "$RELEASE" ] && [ $i -lt 600 ]; do sleep 0.2; i=$((i + 1)); done
echo finished'

@test "-N 2 --gres=gpu:h100:8 runs on the two h100 slots, one pod on each h100 node" {
	cd "$SKY_WORK"
	id=$(RELEASE=$SKY_WORK/release sbatch --parsable -p k8s -N 2 --gres=gpu:h100:8 -o "dist-%j.out" \
		--wrap "$dist_script")
	echo "$id" > "$SKY_DIR/dist.id"
	wait_state "$id" RUNNING 30
	a=$(slot_of gke-h100-0)
	b=$(slot_of gke-h100-1)
	[ -n "$a" ] && [ -n "$b" ]
	want=$(scontrol show hostlist "$(printf '%s\n' "$a" "$b" | sort | paste -sd,)")
	[ "$(job_field "$id" %N)" = "$want" ]
	[ "$(job_field "$id" %D)" = 2 ]
	wait_pods "$id" 2 Running 30
	run job_pods "$id"
	echo "$output"
	[[ ${lines[0]} =~ ^sky-sky-$id-0\ gke-h100-[01]\ Running$ ]]
	[[ ${lines[1]} =~ ^sky-sky-$id-1\ gke-h100-[01]\ Running$ ]]
	[ "$(job_pods "$id" | awk '{ print $2 }' | sort | tr '\n' ' ')" = "gke-h100-0 gke-h100-1 " ]
	# Rank 0 runs on the batch host (the first node of the job).
	first=$(scontrol show hostnames "$(job_field "$id" %N)" | head -n1)
	[ "$(job_pods "$id" | awk 'NR == 1 { print $2 }')" = "$(node_field "$first" NodeHostName)" ]
}

@test "the pods: GPUs requested and limited, labels, tolerations, Service and ConfigMap" {
	id=$(cat "$SKY_DIR/dist.id")
	pod=sky-sky-$id-1
	run kubectl get pod "$pod" -o json
	[ "$status" -eq 0 ]
	json=$output
	[ "$(jq -r '.spec.containers[0].resources.requests["nvidia.com/gpu"]' <<<"$json")" = 8 ]
	[ "$(jq -r '.spec.containers[0].resources.limits["nvidia.com/gpu"]' <<<"$json")" = 8 ]
	[ "$(jq -r '.metadata.labels["app.kubernetes.io/managed-by"]' <<<"$json")" = slurm-sky ]
	[ "$(jq -r '.metadata.labels["slurm-sky/cluster"]' <<<"$json")" = sky ]
	[ "$(jq -r '.metadata.labels["slurm-sky/job"]' <<<"$json")" = "$id" ]
	[ "$(jq -r '.metadata.labels["slurm-sky/restart"]' <<<"$json")" = 0 ]
	[ "$(jq -r '.metadata.labels["slurm-sky/rank"]' <<<"$json")" = 1 ]
	[ "$(jq -r '.metadata.labels.team' <<<"$json")" = ml ]
	slot=$(jq -r '.metadata.labels["slurm-sky/node"]' <<<"$json")
	[ "$(node_field "$slot" NodeHostName)" = "$(jq -r .spec.nodeName <<<"$json")" ]
	[ "$(jq -r .spec.restartPolicy <<<"$json")" = Never ]
	[ "$(jq -r .spec.hostname <<<"$json")" = "$pod" ]
	[ "$(jq -r .spec.subdomain <<<"$json")" = "sky-sky-$id" ]
	# The GKE GPU taint is tolerated, or the pod would not have been scheduled.
	jq -e '[.spec.tolerations[]? | select(.key == "nvidia.com/gpu")] | length > 0' <<<"$json"
	[ "$(kubectl get service "sky-sky-$id" -o jsonpath='{.spec.clusterIP}')" = None ]
	[ "$(kubectl get service "sky-sky-$id" -o jsonpath='{.spec.selector.slurm-sky/job}')" = "$id" ]
	kubectl get configmap "sky-sky-$id" -o json | jq -e '.data.script | contains("RELEASE")'
}

@test "each pod's environment has its rank's distributed-training variables" {
	id=$(cat "$SKY_DIR/dist.id")
	nodes=$(job_field "$id" %N)
	master_re="^sky-sky-$id-0\\.sky-sky-$id(\\.default(\\.svc(\\.cluster\\.local)?)?)?$"
	for r in 0 1; do
		pod=sky-sky-$id-$r
		# One look per pod: the job is still running.
		env=$(pod_env "$pod")
		slot=$(kubectl get pod "$pod" -o jsonpath='{.metadata.labels.slurm-sky/node}')
		[ "$(env_val WORLD_SIZE <<<"$env")" = 2 ]
		[ "$(env_val RANK <<<"$env")" = "$r" ]
		[ "$(env_val NODE_RANK <<<"$env")" = "$r" ]
		[ "$(env_val SKYPILOT_NODE_RANK <<<"$env")" = "$r" ]
		[[ $(env_val MASTER_ADDR <<<"$env") =~ $master_re ]]
		[ -n "$(env_val MASTER_PORT <<<"$env")" ]
		[ "$(env_val SLURM_JOB_ID <<<"$env")" = "$id" ]
		[ "$(env_val SLURM_JOB_NODELIST <<<"$env")" = "$nodes" ]
		[ "$(env_val SLURM_NODEID <<<"$env")" = "$r" ]
		[ "$(env_val SLURMD_NODENAME <<<"$env")" = "$slot" ]
		[ "$(env_val SLURM_GPUS_ON_NODE <<<"$env")" = 8 ]
		echo "$(env_val MASTER_PORT <<<"$env")" >> "$SKY_DIR/ports"
	done
	# Every rank agrees on the port.
	[ "$(sort -u "$SKY_DIR/ports" | wc -l)" -eq 1 ]
	# What rank 1's process really has (the emulator runs pods as local
	# processes; rank 0's shows in the output file).
	pid=$(cat "$K8S_RUN_DIR/pods/default_sky-sky-$id-1/pid")
	tr '\0' '\n' < "/proc/$pid/environ" | grep -qx RANK=1
	tr '\0' '\n' < "/proc/$pid/environ" | grep -qx WORLD_SIZE=2
	tr '\0' '\n' < "/proc/$pid/environ" | grep -qx SLURM_NODEID=1
	[ "$(job_field "$id" %T)" = RUNNING ]
}

@test "the job completes; the -o file has rank 0's output; nothing is left in Kubernetes" {
	id=$(cat "$SKY_DIR/dist.id")
	touch "$SKY_WORK/release"
	wait_state "$id" COMPLETED 60
	out=$SKY_WORK/dist-$id.out
	wait_file "$out"
	cat "$out"
	first=$(scontrol show hostnames "$(job_field "$id" %N)" | head -n1)
	[[ $(sed -n 1p "$out") =~ ^rank=0\ node_rank=0\ world=2\ master=sky-sky-$id-0\.sky-sky-$id ]]
	[ "$(sed -n 2p "$out")" = "job=$id nodes=$(job_field "$id" %N) nnodes=2 host=$first nodeid=0" ]
	[ "$(sed -n 3p "$out")" = "gpus_on_node=8" ]
	[ "$(sed -n 4p "$out")" = finished ]
	[ "$(wc -l < "$out")" -eq 4 ]
	[ "$(scontrol_field "$id" ExitCode)" = "0:0" ]
	wait_no_objects "$id" 30
	# Both slots are free again.
	[ "$(sinfo -h -p k8s -N -o '%t %G' | grep -cx 'idle gpu:h100:8')" -eq 2 ]
}

@test "a failing script fails the job with its exit code, and is cleaned up too" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p k8s --gres=gpu:h100:1 -o "fail-%j.out" --wrap 'echo before; exit 3')
	wait_state "$id" FAILED 60
	[ "$(scontrol_field "$id" ExitCode)" = "3:0" ]
	wait_file "fail-$id.out"
	[ "$(cat "fail-$id.out")" = before ]
	wait_no_objects "$id" 30
}
