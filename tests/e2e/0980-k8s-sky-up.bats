#!/usr/bin/env bats
# Trying the Kubernetes provider without a cluster: `contrib/sky-up DIR
# --k8s-emulator` starts the API emulator with GPU nodes labelled as GKE, GPU
# Feature Discovery and Karpenter label them plus a CPU node, writes the
# ProviderName=kube Type=kubernetes record, slots k8s-[0-7] and partition k8s,
# and exports KUBECONFIG; the controller discovers the nodes, so sinfo shows
# one idle slot per node with its GPUs; sky-down stops the emulator and the
# pods it runs.
load helpers
load k8s-sky-helpers

setup_file() { k8s_sky_start; }
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { sky_logs; k8s_logs; }; }

@test "sky-up exports KUBECONFIG: kubectl sees the emulator's labelled nodes" {
	[ "$KUBECONFIG" = "$SKY_INST/k8s/kubeconfig" ]
	[ "$(kubectl config current-context)" = emu ]
	[ "$(kubectl get nodes -o name | sort | tr '\n' ' ')" = \
		"node/cpu-0 node/gfd-a100-0 node/gke-h100-0 node/gke-h100-1 node/karp-l40s-0 " ]
	[ "$(kubectl get node gke-h100-1 -o jsonpath='{.metadata.labels.cloud\.google\.com/gke-accelerator}')" = nvidia-h100-80gb ]
	[ "$(kubectl get node gfd-a100-0 -o jsonpath='{.metadata.labels.nvidia\.com/gpu\.product}')" = NVIDIA-A100-SXM4-40GB ]
	[ "$(kubectl get node karp-l40s-0 -o jsonpath='{.metadata.labels.karpenter\.k8s\.aws/instance-gpu-name}')" = l40s ]
	[ "$(kubectl get node karp-l40s-0 -o jsonpath='{.status.allocatable.nvidia\.com/gpu}')" = 4 ]
	# The controls of tests/k8s/k8s.bash reach the same emulator.
	k8s_ctl state | jq -e '.objects | map(select(.kind == "Node")) | length == 5'
}

@test "slurm.conf has the provider record, the slots and partition k8s; -n accepts it" {
	grep -qx "ProviderName=kube Type=kubernetes Kubeconfig=$SKY_INST/k8s/kubeconfig Context=emu Namespace=default Image=debian:stable Tolerations=nvidia.com/gpu:NoSchedule Labels=team=ml MaxPods=64 Price=0" "$SLURM_SKY_CONF"
	grep -qx 'NodeName=k8s-\[0-7\] State=CLOUD Provider=kube' "$SLURM_SKY_CONF"
	grep -qx 'PartitionName=k8s Nodes=k8s-\[0-7\] MaxTime=INFINITE State=UP' "$SLURM_SKY_CONF"
	run slurmctld-sky -n -f "$SLURM_SKY_CONF"
	[ "$status" -eq 0 ]
	[ "$output" = "configuration OK" ]
}

@test "sinfo: partition k8s has an idle slot per node with its GPUs, the rest powered down" {
	run sinfo -h -p k8s -N -o '%N %t %G'
	echo "$output"
	[ "${#lines[@]}" -eq 8 ]
	[ "$(sinfo -h -p k8s -N -o '%t' | grep -cx idle)" -eq 5 ]
	[ "$(sinfo -h -p k8s -N -o '%t' | grep -cx 'idle~')" -eq 3 ]
	# What each bound slot offers is its Kubernetes node's.
	[ "$(sinfo -h -p k8s -N -o '%t %G' | awk '$1 == "idle" { print $2 }' | sort | tr '\n' ' ')" = \
		"(null) gpu:a100:8 gpu:h100:8 gpu:h100:8 gpu:l40s:4 " ]
	# GPU nodes are bound first: the CPU node has the fifth slot.
	[ "$(slot_of cpu-0)" = k8s-4 ]
	[ "$(for n in $K8S_GPU_NODES; do slot_of "$n"; done | sort | tr '\n' ' ')" = \
		"k8s-0 k8s-1 k8s-2 k8s-3 " ]
	s=$(slot_of gke-h100-0)
	[ "$(node_field "$s" CPUTot)" = 32 ]
	[ "$(node_field "$s" RealMemory)" = 262144 ]
	[ "$(node_field "$s" Gres)" = gpu:h100:8 ]
	[ "$(node_field "$(slot_of karp-l40s-0)" Gres)" = gpu:l40s:4 ]
	[ "$(node_field "$(slot_of cpu-0)" CPUTot)" = 8 ]
	# The job partition of the local agent is untouched.
	[ "$(sinfo -h -p debug -o '%t %N')" = "idle node1" ]
}

@test "scontrol show node: the slot's Kubernetes node, uid, region and zone" {
	s=$(slot_of gke-h100-1)
	run scontrol show node "$s"
	echo "$output"
	[ "$(node_field "$s" NodeHostName)" = gke-h100-1 ]
	uid=$(kubectl get node gke-h100-1 -o jsonpath='{.metadata.uid}')
	[ "$(node_field "$s" InstanceId)" = "$uid" ]
	[ "$(node_field "$s" Region)" = us-central1 ]
	[ "$(node_field "$s" Zone)" = us-central1-a ]
	# An unbound slot has no hardware and is never scheduled.
	[[ $(node_field k8s-7 State) == IDLE+CLOUD+POWERED_DOWN ]]
}

@test "sky-down stops the emulator and every pod it runs" {
	# A pod of our own (no GPU, so it lands on an untainted node).
	kubectl run t-sleeper --image=debian:stable --restart=Never --command -- sleep 300
	k8s_wait_phase t-sleeper Running 20
	pod_pid=$(cat "$K8S_RUN_DIR/pods/default_t-sleeper/pid")
	emu_pid=$(head -n1 "$SKY_INST/run/k8s_emu.pid")
	kill -0 "$pod_pid"
	kill -0 "$emu_pid"
	run "$SKY_SRCDIR/contrib/sky-down" "$SKY_INST"
	[ "$status" -eq 0 ]
	# (bats ignores `! cmd`: test the status.)
	run kill -0 "$emu_pid"
	[ "$status" -ne 0 ]
	run kill -0 "$pod_pid"
	[ "$status" -ne 0 ]
	[ ! -e "$SKY_INST/run/k8s_emu.pid" ]
	run pgrep -f -- "--dir $SKY_INST/k8s"
	[ "$status" -ne 0 ]
}
