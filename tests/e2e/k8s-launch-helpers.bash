# Shared by the Kubernetes launch tests (tests/e2e/0973-0975): sky-up
# --k8s-emulator with the nodes a test names, and slot <-> node lookups.
load k8s-sky-helpers

# k8s_launch_start [--k8s-node "NAME ARGS"]...: default two CPU nodes.
k8s_launch_start() {
	[ $# -gt 0 ] || set -- --k8s-node "cpu-0 --preset cpu --cpu 8 --memory 32Gi" \
		--k8s-node "cpu-1 --preset cpu --cpu 8 --memory 32Gi"
	k8s_sky_start "$@"
}

# bound K8SNODE: its slot (NodeHostName, else the controller's "bound to" log line).
bound() {
	local v
	v=$(slot_of "$1")
	[ -n "$v" ] || v=$(sed -n "s/.*node \([^:]*\): bound to Kubernetes node $1 .*/\1/p" \
		"$SKY_INST/log/slurmctld.log" | tail -n1)
	echo "$v"
}

# node_of SLOT: the Kubernetes node it is bound to.
node_of() {
	sed -n "s/.*node $1: bound to Kubernetes node \([^ ]*\) .*/\1/p" \
		"$SKY_INST/log/slurmctld.log" | tail -n1
}

# A failed test shows the logs and leaves no job running for the next one.
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { sky_logs; k8s_logs; sky_cancel_all; }; }

# pod_var POD NAME: NAME's value in the pod's container env (spec).
pod_var() {
	kubectl get pod "$1" -o json |
		jq -r --arg n "$2" '.spec.containers[0].env[]? | select(.name == $n) | .value'
}
