#!/usr/bin/env bats
# The emulator with pod names reused, as the provider reuses them (a requeued
# job's pods are sky-<cluster>-<id>-<rank> every run): a new pod of an old
# pod's name has a new, empty log (Kubernetes: a new pod, a new log), and the
# grace period of the old pod's deletion never kills the new pod.
load helpers
load ../k8s/k8s

setup_file() { k8s_start --node "cpu-0 --preset cpu"; }
teardown_file() { k8s_stop; }

# mkpod NAME SCRIPT: a pod running /bin/sh -c SCRIPT, 3 s grace period.
mkpod() {
	k8s_kubectl apply -f - >/dev/null <<-EOF
	{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "$1"},
	 "spec": {"restartPolicy": "Never", "terminationGracePeriodSeconds": 3,
	  "containers": [{"name": "c", "image": "x", "command": ["/bin/sh", "-c", $(jq -Rn --arg s "$2" '$s')]}]}}
	EOF
}

@test "a new pod of a reused name has its own log only" {
	mkpod again 'echo first run'
	k8s_wait_phase again Succeeded 15
	[ "$(k8s_kubectl logs again)" = "first run" ]
	k8s_kubectl delete pod again --wait=true >/dev/null
	mkpod again 'sleep 1; echo second run'
	# Before it runs there is no log to serve ("waiting to start"), then
	# an empty one: never the old pod's lines.
	run k8s_kubectl logs again
	[[ $output != *"first run"* ]]
	[ "$status" -eq 0 ] || [[ $output == *"is waiting to start"* ]]
	k8s_wait_phase again Succeeded 15
	[ "$(k8s_kubectl logs again)" = "second run" ]
	k8s_kubectl delete pod again --wait=true >/dev/null
}

@test "the old pod's grace period does not kill a new pod of its name" {
	# Ends at once on SIGTERM, well within its 3 s grace.
	mkpod graced "trap 'exit 0' TERM; sleep 100 & wait"
	k8s_wait_phase graced Running 15
	k8s_kubectl delete pod graced --wait=true >/dev/null
	mkpod graced 'sleep 100'
	k8s_wait_phase graced Running 15
	sleep 4
	[ "$(k8s_kubectl get pod graced -o jsonpath='{.status.phase}')" = Running ]
	k8s_kubectl delete pod graced --grace-period=0 --wait=true >/dev/null
}
