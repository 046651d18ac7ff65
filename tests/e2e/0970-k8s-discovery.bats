#!/usr/bin/env bats
# The Kubernetes provider's discovery (slurmctld-sky/prov_k8s_nodes.c)
# against the API emulator: GKE, GPU Feature Discovery and Karpenter nodes
# bound to slots (GPU nodes first, then by name) with their GPU type and
# count, CPUs and memory after the requests of pods that are not ours, cloud
# info; nodes added, cordoned, NotReady and removed at runtime; a job on a
# node that goes is requeued; SuspendTime leaves bound slots alone.

load helpers
load ../k8s/k8s

setup_file() {
	sky_start --nodes 1 --k8s-emulator --k8s-slots 6 --k8s-price 2.5 --set SuspendTime=2 \
		--k8s-node "gke-h100-0 --preset gke:h100:8 --cpu 32 --memory 256Gi topology.kubernetes.io/region=us-central1 topology.kubernetes.io/zone=us-central1-a" \
		--k8s-node "gfd-a100-0 --preset gfd:a100:4 --cpu 16 --memory 128Gi" \
		--k8s-node "karp-l40s-0 --preset karpenter:l40s:4 --cpu 16 --memory 128Gi node.kubernetes.io/instance-type=g6e.12xlarge" \
		--k8s-node "cpu-0 --preset cpu --cpu 8 --memory 32Gi node.kubernetes.io/instance-type=n2-standard-8"
}
teardown_file() { sky_stop; }
teardown() { [ -z "$BATS_TEST_COMPLETED" ] && sky_logs; sky_cancel_all; }

# slot NODE: "STATE|GRES|CPUS|MEMORY|REASON" of one slot.
slot() {
	sinfo -h -N -p k8s -o '%N|%t|%G|%c|%m|%E' | sed -n "s/^$1|//p"
}

# wait_slot NODE GLOB [SECONDS]: until slot NODE's line matches GLOB.
wait_slot() {
	local i s=""
	for ((i = 0; i < ${3:-10} * 10; i++)); do
		s=$(slot "$1")
		# shellcheck disable=SC2053
		[[ $s == $2 ]] && return 0
		sleep 0.1
	done
	echo "slot $1 is '$s', not '$2'" >&2
	return 1
}

node_uid() {
	kubectl get node "$1" -o jsonpath='{.metadata.uid}'
}

pod_json() {  # NAME NODE GPUS [LABELS JSON [CPUS]]
	local labels=${4:-'{}'} cpus=${5:-4}
	cat <<EOF
{"apiVersion": "v1", "kind": "Pod",
 "metadata": {"name": "$1", "labels": $labels},
 "spec": {"nodeName": "$2", "restartPolicy": "Never",
  "containers": [{"name": "c", "image": "x", "command": ["sleep", "300"],
   "resources": {"requests": {"cpu": "$cpus", "nvidia.com/gpu": "$3"},
                 "limits": {"nvidia.com/gpu": "$3"}}}]}}
EOF
}

@test "GKE, GFD and Karpenter nodes show with their GPU type, count, CPUs and memory" {
	run sinfo -h -N -p k8s -o '%N|%t|%G|%c|%m'
	echo "$output"
	# GPU nodes first, by name; then the CPU node; two slots stay unbound.
	[ "${lines[0]}" = "k8s-0|idle|gpu:a100:4|16|131072" ]
	[ "${lines[1]}" = "k8s-1|idle|gpu:h100:8|32|262144" ]
	[ "${lines[2]}" = "k8s-2|idle|gpu:l40s:4|16|131072" ]
	[ "${lines[3]}" = "k8s-3|idle|(null)|8|32768" ]
	[ "${lines[4]}" = "k8s-4|idle~|(null)|0|0" ]
	[ "${lines[5]}" = "k8s-5|idle~|(null)|0|0" ]
	# No agent: never "not responding".
	run sinfo -h -N -p k8s -o '%N %T'
	[[ $output != *"*"* ]]
}

@test "scontrol show node: GRES, NodeHostName and the Kubernetes node's cloud info" {
	run scontrol show node k8s-1
	echo "$output"
	[[ $output == *"Gres=gpu:h100:8"* ]]
	[[ $output == *"CPUTot=32"* ]]
	[[ $output == *"NodeAddr=k8s-1 NodeHostName=gke-h100-0 "* ]]
	[[ $output == *"InstanceId=$(node_uid gke-h100-0) InstanceType=h100"* ]]
	# Price= is per GPU-hour: 2.5 x 8.
	[[ $output == *"Region=us-central1 Zone=us-central1-a Market=on-demand Price=20.0000"* ]]
	run scontrol show node k8s-3
	[[ $output == *"InstanceId=$(node_uid cpu-0) InstanceType=n2-standard-8"* ]]
	[[ $output == *"Price=2.5000"* ]]
	run scontrol show node k8s-2
	[[ $output == *"InstanceType=l40s"* ]]
	[[ $output == *"Price=10.0000"* ]]
}

@test "pods that are not ours take capacity; our own cluster's do not" {
	pod_json foreign gke-h100-0 3 | kubectl create -f -
	pod_json ours gfd-a100-0 2 '{"app.kubernetes.io/managed-by": "slurm-sky", "slurm-sky/cluster": "sky"}' |
		kubectl create -f -
	pod_json other-sky karp-l40s-0 1 '{"app.kubernetes.io/managed-by": "slurm-sky", "slurm-sky/cluster": "other"}' |
		kubectl create -f -
	wait_slot k8s-1 'idle|gpu:h100:5|28|*'
	wait_slot k8s-2 'idle|gpu:l40s:3|12|*'
	sleep 1
	[[ $(slot k8s-0) == "idle|gpu:a100:4|16|"* ]]
	kubectl delete pod foreign ours other-sky --grace-period=0
	wait_slot k8s-1 'idle|gpu:h100:8|32|*'
	wait_slot k8s-2 'idle|gpu:l40s:4|16|*'
}

@test "a slot whose node other pods fill takes no job until they go" {
	pod_json filler cpu-0 0 '{}' 8 | kubectl create -f -
	wait_slot k8s-3 'idle|(null)|0|*'
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p k8s -w k8s-3 --wrap true)
	sleep 2
	[ "$(job_field "$id" %T)" = PENDING ]
	kubectl delete pod filler --grace-period=0
	wait_slot k8s-3 'idle|(null)|8|*'
	wait_state "$id" 'RUNNING|COMPLETING|COMPLETED' 20
	[ "$(job_field "$id" %N)" = k8s-3 ]
}

@test "a node added (after a 410), cordoned, NotReady, Ready and removed at runtime" {
	# While the controller is stopped its watches are cut, the node comes and
	# the history is compacted: resuming gets 410, and only the relist has it.
	kill -STOP "$(ctld_pid)"
	k8s_ctl drop-watches >/dev/null
	k8s_ctl add-node neb-h200-0 --preset nebius:h200:8 --cpu 64 --memory 512Gi >/dev/null
	k8s_ctl compact >/dev/null
	kill -CONT "$(ctld_pid)"
	wait_slot k8s-4 'idle|gpu:h200:8|64|524288|none'
	grep -q "Kubernetes watch /api/v1/nodes: resourceVersion .* is gone (410); relisting" \
		"$SKY_INST/log/slurmctld.log"
	kubectl cordon neb-h200-0
	wait_slot k8s-4 'drain|gpu:h200:8|64|524288|Kubernetes node neb-h200-0 is cordoned'
	kubectl uncordon neb-h200-0
	wait_slot k8s-4 'idle|gpu:h200:8|64|524288|none'
	kubectl patch node neb-h200-0 --subresource=status --type=merge \
		-p '{"status":{"conditions":[{"type":"Ready","status":"False","reason":"KubeletNotReady"}]}}'
	wait_slot k8s-4 'down~|*|Kubernetes node neb-h200-0 is NotReady'
	kubectl patch node neb-h200-0 --subresource=status --type=merge \
		-p '{"status":{"conditions":[{"type":"Ready","status":"True"}]}}'
	wait_slot k8s-4 'idle|gpu:h200:8|64|524288|none'
	k8s_ctl remove-node neb-h200-0 >/dev/null
	wait_slot k8s-4 'idle~|(null)|0|0|none'
	run scontrol show node k8s-4
	[[ $output != *"InstanceId="* ]]
	[[ $output == *"NodeHostName=k8s-4 "* ]]
}

@test "a job on a node that goes away is requeued" {
	k8s_ctl add-node gone-0 --preset cpu --cpu 4 --memory 8Gi >/dev/null
	wait_slot k8s-4 'idle|(null)|4|8192|none'
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p k8s -w k8s-4 --wrap 'sleep 120')
	wait_state "$id" RUNNING
	k8s_ctl remove-node gone-0 >/dev/null
	wait_slot k8s-4 'idle~|(null)|0|0|none'
	wait_state "$id" PENDING
	[ "$(scontrol_field "$id" Restarts)" = 1 ]
	scancel "$id"
}

@test "an unbound slot is never scheduled or powered up" {
	cd "$SKY_WORK"
	# Only the unbound slots k8s-4 and k8s-5 could take it, had they hardware.
	id=$(sbatch --parsable -p k8s -N 5 --wrap true)
	sleep 2
	[ "$(job_field "$id" %T)" = PENDING ]
	[[ $(slot k8s-4) == "idle~|(null)|0|0|"* ]]
	[[ $(slot k8s-5) == "idle~|(null)|0|0|"* ]]
	! grep -q "node k8s-[45]: powering up" "$SKY_INST/log/slurmctld.log"
	scancel "$id"
}

@test "SuspendTime leaves bound slots up" {
	# SuspendTime=2: an idle slot of another provider would be powered down by now.
	sleep 4
	run sinfo -h -N -p k8s -o '%N %t'
	echo "$output"
	[ "${lines[0]}" = "k8s-0 idle" ]
	[ "${lines[1]}" = "k8s-1 idle" ]
	[ "${lines[3]}" = "k8s-3 idle" ]
	! grep -q "k8s-[0-3]: powering down" "$SKY_INST/log/slurmctld.log"
}
