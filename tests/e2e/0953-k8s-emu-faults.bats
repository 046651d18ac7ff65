#!/usr/bin/env bats
# Fault controls of the Kubernetes API emulator, seen through the real
# kubectl: eviction (phase Failed, reason Evicted), OOM kill (OOMKilled,
# 137), a node that vanishes (its pods killed and garbage collected),
# ownerReferences garbage collection, patches, and no process left behind
# when the emulator stops.

load helpers
load ../k8s/k8s

setup_file() {
	k8s_start
	k8s_add_node gpu-0 --preset gfd:h100:8
	k8s_add_node gpu-1 --preset gfd:h100:8
}
teardown_file() { k8s_stop; }

# sleeper NAME NODE: a pod on NODE that sleeps until killed.
sleeper() {
	kubectl create -f - <<Y
apiVersion: v1
kind: Pod
metadata: {name: $1, labels: {app: sleeper}}
spec:
  restartPolicy: Never
  nodeName: $2
  containers:
  - name: main
    image: ubuntu:24.04
    command: ["/bin/sh", "-c", "echo started; exec sleep 300"]
    resources: {limits: {nvidia.com/gpu: 8}}
Y
	k8s_wait_phase "$1" Running 10
}

# pod_pid NAME: the pod's process id (the emulator's containerID emu://PID).
pod_pid() {
	kubectl get pod "$1" -o jsonpath='{.status.containerStatuses[0].containerID}' | sed 's,^emu://,,'
}

@test "evict: phase Failed, reason Evicted, process killed, pod kept" {
	sleeper ev gpu-0
	pid=$(pod_pid ev)
	kill -0 "$pid"
	run k8s_ctl evict default/ev
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	k8s_wait_phase ev Failed 10
	run kill -0 "$pid"
	[ "$status" -ne 0 ]
	run kubectl get pod ev -o jsonpath='{.status.reason}|{.status.message}|{.status.conditions[?(@.type=="DisruptionTarget")].reason}'
	[[ $output == "Evicted|The node was low on resource: memory."*"|TerminationByKubelet" ]] || { echo "$output"; false; }
	# kubectl's STATUS prefers the container's terminated reason, as for a real one.
	run kubectl get pod ev
	grep -Eq '^ev +0/1 +Error ' <<<"$output" || { echo "$output"; false; }
	# The evicted pod no longer holds its GPUs: another 8-GPU pod fits there.
	sleeper after-ev gpu-0
	kubectl delete pod ev after-ev --grace-period=0
	run k8s_ctl evict default/nosuchpod
	[ "$status" -ne 0 ]
}

@test "oom: terminated reason OOMKilled, exit code 137, phase Failed" {
	sleeper oom gpu-1
	k8s_ctl oom default/oom
	k8s_wait_phase oom Failed 10
	run kubectl get pod oom -o jsonpath='{.status.containerStatuses[0].state.terminated.reason} {.status.containerStatuses[0].state.terminated.exitCode}'
	[ "$output" = "OOMKilled 137" ] || { echo "$output"; false; }
	run kubectl get pod oom
	grep -Eq '^oom +0/1 +OOMKilled ' <<<"$output" || { echo "$output"; false; }
	run kubectl logs oom
	[ "$output" = started ]
	kubectl delete pod oom --grace-period=0
}

@test "preempt: Failed with DisruptionTarget PreemptionByScheduler, then deleted" {
	sleeper victim gpu-1
	rv=$(kubectl get pod victim -o jsonpath='{.metadata.resourceVersion}')
	k8s_ctl preempt default/victim
	for i in $(seq 50); do kubectl get pod victim >/dev/null 2>&1 || break; sleep 0.2; done
	run kubectl get pod victim
	[ "$status" -ne 0 ]
	curl -sN --max-time 2 --cacert "$K8S_CA" -H "Authorization: Bearer $K8S_TOKEN" \
		"$K8S_URL/api/v1/namespaces/default/pods?watch=1&resourceVersion=$rv&fieldSelector=metadata.name%3Dvictim" >"$BATS_TEST_TMPDIR/ev" || true
	python3 - "$BATS_TEST_TMPDIR/ev" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
assert [e["type"] for e in evs] == ["MODIFIED", "DELETED"], [e["type"] for e in evs]
st = evs[0]["object"]["status"]
assert st["phase"] == "Failed", st
assert {"type": "DisruptionTarget", "reason": "PreemptionByScheduler"}.items() <= \
    next(c for c in st["conditions"] if c["type"] == "DisruptionTarget").items(), st
PY
}

@test "a node that vanishes: its pods are killed and garbage collected" {
	k8s_add_node spot-0 --preset gke:l4:1
	sleeper on-spot spot-0
	pid=$(pod_pid on-spot)
	rv=$(kubectl get pod on-spot -o jsonpath='{.metadata.resourceVersion}')
	k8s_ctl remove-node spot-0
	for i in $(seq 50); do kubectl get pod on-spot >/dev/null 2>&1 || break; sleep 0.2; done
	run kubectl get pod on-spot
	[ "$status" -ne 0 ]
	run kill -0 "$pid"
	[ "$status" -ne 0 ]
	run kubectl get node spot-0
	[ "$status" -ne 0 ]
	# Watchers saw why: Failed with DisruptionTarget DeletionByPodGC, then DELETED.
	curl -sN --max-time 2 --cacert "$K8S_CA" -H "Authorization: Bearer $K8S_TOKEN" \
		"$K8S_URL/api/v1/pods?watch=1&resourceVersion=$rv&fieldSelector=spec.nodeName%3Dspot-0" >"$BATS_TEST_TMPDIR/ev" || true
	python3 - "$BATS_TEST_TMPDIR/ev" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
assert evs[-1]["type"] == "DELETED", [e["type"] for e in evs]
failed = [e for e in evs if e["object"]["status"].get("phase") == "Failed"]
assert failed, evs
conds = {c["type"]: c for c in failed[0]["object"]["status"]["conditions"]}
assert conds["DisruptionTarget"]["reason"] == "DeletionByPodGC", conds
PY
}

@test "a NotReady node (status subresource) takes no pods until Ready again" {
	k8s_add_node flaky-0 pool=flaky
	kubectl patch node flaky-0 --subresource=status --type=merge \
		-p '{"status": {"conditions": [{"type": "Ready", "status": "False", "reason": "KubeletNotReady"}]}}'
	run kubectl get node flaky-0
	grep -Eq '^flaky-0 +NotReady ' <<<"$output" || { echo "$output"; false; }
	kubectl run on-flaky --image=x --restart=Never --overrides='{"spec": {"nodeSelector": {"pool": "flaky"}}}' \
		--command -- echo ran
	sleep 1.5
	run kubectl get pod on-flaky -o jsonpath='{.status.phase} {.status.conditions[?(@.type=="PodScheduled")].message}'
	[[ $output == "Pending 0/"*" nodes are available: "*"1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }"* ]] || { echo "$output"; false; }
	kubectl patch node flaky-0 --subresource=status --type=merge \
		-p '{"status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}]}}'
	k8s_wait_phase on-flaky Succeeded 10
	run kubectl logs on-flaky
	[ "$output" = ran ]
	kubectl delete pod on-flaky
	k8s_ctl remove-node flaky-0
}

@test "deleting an owner deletes its dependents (background), Orphan keeps them" {
	kubectl create configmap owner
	uid=$(kubectl get configmap owner -o jsonpath='{.metadata.uid}')
	for n in dep-a dep-b; do
		kubectl create -f - <<Y
apiVersion: v1
kind: ConfigMap
metadata:
  name: $n
  ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: owner, uid: "$uid"}]
Y
	done
	kubectl delete configmap owner
	run kubectl get configmaps -o name
	[[ $output != *dep-a* && $output != *dep-b* ]] || { echo "$output"; false; }
	kubectl create configmap owner2
	uid=$(kubectl get configmap owner2 -o jsonpath='{.metadata.uid}')
	kubectl create -f - <<Y
apiVersion: v1
kind: ConfigMap
metadata:
  name: dep-c
  ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: owner2, uid: "$uid"}]
Y
	kubectl delete configmap owner2 --cascade=orphan
	run kubectl get configmap dep-c -o name
	[ "$output" = configmap/dep-c ]
}

@test "patches: merge, strategic (labels/annotations) and JSON patch" {
	kubectl create configmap pt --from-literal=a=1 --from-literal=b=2
	kubectl patch configmap pt --type merge -p '{"data": {"a": null, "c": "3"}}'
	run kubectl get configmap pt -o jsonpath='{.data}'
	[ "$output" = '{"b":"2","c":"3"}' ] || { echo "$output"; false; }
	kubectl patch configmap pt --type json -p '[{"op": "replace", "path": "/data/b", "value": "20"}, {"op": "add", "path": "/metadata/labels", "value": {"x": "y"}}]'
	kubectl patch configmap pt -p '{"metadata": {"annotations": {"note": "hi"}}}'
	run kubectl get configmap pt -o jsonpath='{.data.b} {.metadata.labels.x} {.metadata.annotations.note}'
	[ "$output" = "20 y hi" ] || { echo "$output"; false; }
	run kubectl patch configmap pt --type json -p '[{"op": "replace", "path": "/data/zzz", "value": "1"}]'
	[ "$status" -ne 0 ]
	# A stale resourceVersion on update is a conflict.
	kubectl get configmap pt -o json | sed 's/"resourceVersion": "[0-9]*"/"resourceVersion": "1"/' >"$BATS_TEST_TMPDIR/pt.json"
	run kubectl replace -f "$BATS_TEST_TMPDIR/pt.json"
	[ "$status" -ne 0 ]
	[[ $output == *"the object has been modified"* ]] || { echo "$output"; false; }
}

@test "stopping the emulator stops every pod process" {
	sleeper last gpu-1
	pid=$(pod_pid last)
	kill -0 "$pid"
	k8s_stop
	run kill -0 "$pid"
	[ "$status" -ne 0 ]
}
