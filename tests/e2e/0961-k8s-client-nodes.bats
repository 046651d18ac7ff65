#!/usr/bin/env bats
# The Kubernetes client's node discovery (slurmctld-sky/k8s_gpu.c) against
# the API emulator: the GPU label sets of GKE, NVIDIA GFD, Karpenter,
# CoreWeave, Nebius in one cluster normalised to the catalogs' GRES types,
# an OCI shape through an admin rule, CPU-only nodes, label selectors, free
# GPUs/CPU/memory after the requests of running pods, a label patch.

load helpers
load ../k8s/k8s

setup_file() {
	k8s_start
	k8s_add_node gke-h100 --preset gke:h100:8
	k8s_add_node gfd-a100 --preset gfd:a100-80gb:4
	k8s_add_node karp-a100 --preset karpenter:a100-80gb:8
	k8s_add_node karp-l4 --preset karpenter:l4:1
	k8s_add_node cw-v100 --preset coreweave:v100:8
	k8s_add_node neb-h200 --preset nebius:h200:8
	k8s_add_node oci-h100 --preset oci:h100:8
	k8s_add_node cpu-1 --preset cpu:h100:0 --cpu 7910m --memory 32Gi
}
teardown_file() { k8s_stop; }

probe() {
	"$SKY_BUILDDIR/tests/k8s/k8s-probe" "$@"
}

@test "every distribution's labels give the catalog GPU type and count" {
	run probe nodes
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	echo "$output"
	grep -qx 'node gke-h100 gpu=h100:8 free=8 .* from=cloud.google.com/gke-accelerator=nvidia-h100-80gb' <<<"$output"
	grep -qx 'node gfd-a100 gpu=a100-80gb:4 free=4 .* from=nvidia.com/gpu.product=NVIDIA-A100-SXM4-80GB' <<<"$output"
	# Karpenter says "a100" for both parts: the memory label picks the 80 GB one.
	grep -qx 'node karp-a100 gpu=a100-80gb:8 free=8 .* from=karpenter.k8s.aws/instance-gpu-name=a100' <<<"$output"
	grep -qx 'node karp-l4 gpu=l4:1 free=1 .*' <<<"$output"
	grep -qx 'node cw-v100 gpu=v100:8 free=8 .* from=gpu.nvidia.com/class=Tesla_V100_NVLINK' <<<"$output"
	grep -qx 'node neb-h200 gpu=h200:8 free=8 .* from=nebius.com/gpu-name=H200' <<<"$output"
	# OCI labels only the shape: no type without a rule.
	grep -qx 'node oci-h100 gpu=-:0 free=0 .* from=-' <<<"$output"
	grep -qx 'node cpu-1 gpu=-:0 free=0 cpu=7910m/7910m mem=34359738368/34359738368 from=-' <<<"$output"
	[ "$(grep -c '^node ' <<<"$output")" -eq 8 ]
}

@test "an admin rule maps the OCI shape; a bad rule is refused" {
	run probe --rule 'node.kubernetes.io/instance-type=BM.GPU.H100.*:h100' nodes
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	grep -qx 'node oci-h100 gpu=h100:8 free=8 .* from=node.kubernetes.io/instance-type=BM.GPU.H100.8' <<<"$output"
	run probe --rule 'BM.GPU.H100.8' nodes
	[ "$status" -eq 2 ]
	[[ $output == *"GPU label rule 'BM.GPU.H100.8': expected LABEL=VALUE:TYPE[:COUNT]"* ]]
}

@test "label selectors: existence, equality, set" {
	run probe nodes --selector 'cloud.google.com/gke-accelerator'
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(grep -c '^node ' <<<"$output")" -eq 1 ]
	grep -q '^node gke-h100 ' <<<"$output"
	run probe list /api/v1/nodes --selector 'karpenter.k8s.aws/instance-gpu-name in (a100,l4)'
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "${lines[0]}" = "item karp-a100" ]
	[ "${lines[1]}" = "item karp-l4" ]
	[[ ${lines[2]} == "count=2 rv="* ]]
	run probe list /api/v1/nodes --selector 'nvidia.com/gpu.product=NVIDIA-A100-SXM4-80GB'
	[ "${lines[0]}" = "item gfd-a100" ]
	[[ ${lines[1]} == "count=1 "* ]]
}

@test "free resources drop by the requests of the pods bound to a node" {
	run probe create-pod hold-gpus --node gke-h100 --gpu 3 -- sleep 60
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run probe nodes --selector 'cloud.google.com/gke-accelerator'
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	grep -qx 'node gke-h100 gpu=h100:8 free=5 .*' <<<"$output"
	run probe delete-pod hold-gpus --grace 0
	[ "$status" -eq 0 ]
	for _ in $(seq 50); do
		probe nodes --selector 'cloud.google.com/gke-accelerator' | grep -q 'free=8 ' && break
		sleep 0.2
	done
	probe nodes --selector 'cloud.google.com/gke-accelerator' | grep -q 'gpu=h100:8 free=8 '
}

@test "merge patch of a node's labels; the explicit slurm-sky/accelerator label wins" {
	run probe label cpu-1 slurm-sky/accelerator=T4
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ $output == "labelled cpu-1 rv="* ]]
	run k8s_kubectl get node cpu-1 -o 'jsonpath={.metadata.labels.slurm-sky/accelerator}'
	[ "$output" = "T4" ]
	run probe nodes --selector slurm-sky/accelerator
	grep -qx 'node cpu-1 gpu=t4:0 free=0 .* from=slurm-sky/accelerator=T4' <<<"$output"
	run probe label cpu-1 slurm-sky/accelerator
	[ "$status" -eq 0 ]
	run probe nodes --selector slurm-sky/accelerator
	[ "$(grep -c '^node ' <<<"$output")" -eq 0 ]
}
