# Shared by the Kubernetes provider's end-to-end tests through sky-up
# (tests/e2e/0980-0989): an instance from `contrib/sky-up --k8s-emulator`,
# whose output exports KUBECONFIG, K8S_RUN_DIR and K8S_CTL_URL, so plain
# `kubectl` and tests/k8s/k8s.bash's k8s_ctl/k8s_kubectl work; sky-down stops
# the emulator with the instance.
#
# The emulated nodes (sky-up's defaults): gke-h100-0 and gke-h100-1 (GKE
# labels, 8 h100), gfd-a100-0 (GPU Feature Discovery labels, 8 a100),
# karp-l40s-0 (Karpenter labels, 4 l40s), cpu-0 (no GPU); slots k8s-[0-7] of
# ProviderName=kube, partition k8s.
load "$SKY_SRCDIR/tests/k8s/k8s"
load power-helpers

K8S_GPU_NODES="gfd-a100-0 gke-h100-0 gke-h100-1 karp-l40s-0"

# k8s_sky_start [sky-up options...]: one local agent (partition debug) beside
# the Kubernetes slots.
k8s_sky_start() {
	sky_start --nodes 1 --cpus-per-node 1 --kill-wait 1 --k8s-emulator "$@"
}

# slot_of K8SNODE: the slot bound to that Kubernetes node (its NodeHostName).
slot_of() {
	scontrol -o show node | tr ' ' '\n' | awk -v h="$1" '
		/^NodeName=/ { n = substr($0, 10) }
		/^NodeHostName=/ && substr($0, 14) == h { print n; exit }'
}

# job_pods ID: "POD NODENAME PHASE" of the job's pods, by name.
job_pods() {
	kubectl get pods -l "slurm-sky/job=$1" --no-headers \
		-o custom-columns=N:.metadata.name,H:.spec.nodeName,P:.status.phase 2>/dev/null |
		awk '{ print $1, $2, $3 }' | sort
}

# wait_pods ID COUNT PHASE [SECONDS]: until the job has COUNT pods in PHASE.
wait_pods() {
	local i n=0
	for ((i = 0; i < ${4:-30} * 5; i++)); do
		n=$(job_pods "$1" | awk -v p="$3" '$3 == p { n++ } END { print n + 0 }')
		[ "$n" -eq "$2" ] && return 0
		sleep 0.2
	done
	echo "job $1 has $n pods $3, not $2:" >&2
	job_pods "$1" >&2
	return 1
}

# job_objects ID: every object we create for job ID (pods, services,
# configmaps), "kind/name" lines; empty once it is cleaned up.
job_objects() {
	kubectl get pods,services,configmaps -l "slurm-sky/job=$1" -o name 2>/dev/null
}

# wait_no_objects ID [SECONDS]
wait_no_objects() {
	local i
	for ((i = 0; i < ${2:-30} * 5; i++)); do
		[ -z "$(job_objects "$1")" ] && return 0
		sleep 0.2
	done
	echo "job $1 still has:" >&2
	job_objects "$1" >&2
	return 1
}

# pod_env POD: the pod's container env (spec) as NAME=VALUE lines.
pod_env() {
	kubectl get pod "$1" -o json | jq -r '.spec.containers[0].env[]? | "\(.name)=\(.value)"'
}

# env_val NAME: NAME's value in pod_env's output (on stdin).
env_val() {
	sed -n "s/^$1=//p" | head -n1
}

# k8s_logs: the emulator's and controller's logs, for failed tests.
k8s_logs() {
	tail -n 20 "$SKY_INST/log/k8s_emu.log" 2>/dev/null
	kubectl get nodes,pods,services,configmaps -o wide 2>/dev/null
}
