#!/usr/bin/env bats
# GPU jobs as pods (slurmctld-sky/prov_k8s_launch.c, prov_k8s_env.c): a
# 2-node --gres=gpu:h100:8 job gets one pod on each h100 node (required
# affinity on that node's kubernetes.io/hostname, 8 nvidia.com/gpu requested
# and limited, the GPU taint tolerated), rank 0 running the script and rank
# 1 holding its node; each pod's env is slurmd-sky's for that slot plus the
# distributed-training variables with the pods' DNS names. A job with 2 of a
# node's 8 GPUs sees them as devices 0,1 in its container.
load helpers
load k8s-launch-helpers

setup_file() {
	k8s_launch_start --k8s-node "gke-h100-0 --preset gke:h100:8 --cpu 32 --memory 256Gi" \
		--k8s-node "gke-h100-1 --preset gke:h100:8 --cpu 32 --memory 256Gi"
}
teardown_file() { sky_stop; }

@test "2-node --gres=gpu:h100:8: one pod per h100 node, resources, affinity, env per rank" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p k8s -N 2 --gres=gpu:h100:8 -o "gpu-%j.out" \
		--wrap 'env | sort > "'"$SKY_WORK"'/env-$SLURM_JOB_ID"; sleep 300')
	wait_pods "$id" 2 Running 30
	hosts=$(scontrol show hostnames "$(job_field "$id" %N)")
	s0=$(sed -n 1p <<<"$hosts")
	s1=$(sed -n 2p <<<"$hosts")
	for r in 0 1; do
		s=$s0
		[ "$r" = 1 ] && s=$s1
		node=$(node_of "$s")
		[[ $node == gke-h100-[01] ]]
		json=$(kubectl get pod "sky-sky-$id-$r" -o json)
		[ "$(jq -r '.spec.nodeName' <<<"$json")" = "$node" ]
		[ "$(jq -r '.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key' <<<"$json")" = kubernetes.io/hostname ]
		[ "$(jq -r '.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values[0]' <<<"$json")" = "$node" ]
		[ "$(jq -r '.spec.containers[0].resources.requests["nvidia.com/gpu"]' <<<"$json")" = 8 ]
		[ "$(jq -r '.spec.containers[0].resources.limits["nvidia.com/gpu"]' <<<"$json")" = 8 ]
		[ "$(jq '[.spec.tolerations[] | select(.key == "nvidia.com/gpu" and .effect == "NoSchedule")] | length' <<<"$json")" -ge 1 ]
		[ "$(jq -r '.metadata.labels["slurm-sky/rank"]' <<<"$json")" = "$r" ]
		[ "$(jq -r '.metadata.labels["slurm-sky/node"]' <<<"$json")" = "$s" ]
		[ "$(pod_var "sky-sky-$id-$r" SLURMD_NODENAME)" = "$s" ]
		[ "$(pod_var "sky-sky-$id-$r" SLURM_NODEID)" = "$r" ]
		[ "$(pod_var "sky-sky-$id-$r" SLURM_JOB_NODELIST)" = "$(job_field "$id" %N)" ]
		[ "$(pod_var "sky-sky-$id-$r" SLURM_JOB_NUM_NODES)" = 2 ]
		[ "$(pod_var "sky-sky-$id-$r" SLURM_GPUS_ON_NODE)" = 8 ]
		[ "$(pod_var "sky-sky-$id-$r" CUDA_VISIBLE_DEVICES)" = 0,1,2,3,4,5,6,7 ]
		[ "$(pod_var "sky-sky-$id-$r" MASTER_ADDR)" = "sky-sky-$id-0.sky-sky-$id" ]
		[ "$(pod_var "sky-sky-$id-$r" MASTER_PORT)" = $((29500 + id % 500)) ]
		[ "$(pod_var "sky-sky-$id-$r" WORLD_SIZE)" = 2 ]
		[ "$(pod_var "sky-sky-$id-$r" RANK)" = "$r" ]
		[ "$(pod_var "sky-sky-$id-$r" NODE_RANK)" = "$r" ]
		[ "$(pod_var "sky-sky-$id-$r" LOCAL_RANK)" = 0 ]
		[ "$(pod_var "sky-sky-$id-$r" SKYPILOT_NODE_RANK)" = "$r" ]
		[ "$(pod_var "sky-sky-$id-$r" SKYPILOT_NUM_NODES)" = 2 ]
		[ "$(pod_var "sky-sky-$id-$r" SKYPILOT_NODE_IPS)" = "sky-sky-$id-0.sky-sky-$id
sky-sky-$id-1.sky-sky-$id" ]
	done
	# Rank 0 runs the script; rank 1 only holds its node (no srun in pods).
	[ "$(kubectl get pod "sky-sky-$id-0" -o jsonpath='{.spec.containers[0].command[0]}')" = /sky/job/script ]
	[ "$(kubectl get pod "sky-sky-$id-1" -o jsonpath='{.spec.containers[0].command[0]}')" = /bin/sh ]
	# What the script itself sees (the emulator runs it on this host).
	wait_file "$SKY_WORK/env-$id" 20
	grep -qx "SLURMD_NODENAME=$s0" "$SKY_WORK/env-$id"
	grep -qx "RANK=0" "$SKY_WORK/env-$id"
	grep -qx "WORLD_SIZE=2" "$SKY_WORK/env-$id"
	grep -qx "MASTER_ADDR=sky-sky-$id-0.sky-sky-$id" "$SKY_WORK/env-$id"
	scancel "$id"
	wait_state "$id" CANCELLED 30
	wait_no_objects "$id" 30
}

@test "2 of a node's 8 GPUs: the container counts its devices from 0" {
	cd "$SKY_WORK"
	a=$(sbatch --parsable -p k8s -w "$(bound gke-h100-0)" --gres=gpu:h100:6 -o /dev/null --wrap 'sleep 300')
	wait_pods "$a" 1 Running 30
	b=$(sbatch --parsable -p k8s -w "$(bound gke-h100-0)" --gres=gpu:h100:2 -o /dev/null --wrap 'sleep 300')
	wait_pods "$b" 1 Running 30
	[ "$(kubectl get pod "sky-sky-$b-0" -o jsonpath='{.spec.containers[0].resources.limits.nvidia\.com/gpu}')" = 2 ]
	[ "$(pod_var "sky-sky-$b-0" SLURM_JOB_GPUS)" = 6,7 ]
	[ "$(pod_var "sky-sky-$b-0" CUDA_VISIBLE_DEVICES)" = 0,1 ]
	[ "$(pod_var "sky-sky-$b-0" SKYPILOT_NUM_GPUS_PER_NODE)" = 2 ]
	scancel "$a" "$b"
	wait_no_objects "$a" 30
	wait_no_objects "$b" 30
}
