#!/usr/bin/env bats
# Pods in the Kubernetes API emulator, driven by the real kubectl: a pod
# from YAML is scheduled by its labels, taints and GPU requests, runs its
# command locally with ConfigMap volume and env, goes Running -> Completed
# (kubectl get pods -w), its log is served (logs, logs -f), failures keep
# the exit code, delete is graceful (SIGTERM, then gone).

load helpers
load ../k8s/k8s

setup_file() {
	k8s_start
	k8s_add_node gke-h100-0 --preset gke:h100:8
	k8s_add_node gfd-a100-0 --preset gfd:a100:4
	k8s_add_node karp-l4-0 --preset karpenter:l4:1
	k8s_add_node cpu-0 --cpu 4 --memory 8Gi
}
teardown_file() { k8s_stop; }
teardown() { kubectl delete pods,services,configmaps --all --grace-period=0 --wait=false >/dev/null 2>&1 || true; }

# pod_yaml NAME SHELL-COMMAND [EXTRA-SPEC-YAML]: a pod running sh -c COMMAND.
pod_yaml() {
	cat <<Y
apiVersion: v1
kind: Pod
metadata:
  name: $1
  labels: {test: pods}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 5
${3:-}
  containers:
  - name: main
    image: ubuntu:24.04
    command: ["/bin/sh", "-c", $(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$2")]
Y
}

@test "a pod from YAML runs on the selected GPU node with ConfigMap volume and env" {
	cat >"$BATS_TEST_TMPDIR/job.yaml" <<'Y'
apiVersion: v1
kind: ConfigMap
metadata: {name: job-script}
data:
  batch: |
    echo "rank=$RANK node=$NODE pod=$POD ns=$NS world=$WORLD_SIZE master=$MASTER_ADDR"
    echo "script at $0"
    cat "$CONF_DIR/extra.txt"
  extra.txt: "extra file content"
  WORLD_SIZE: "2"
---
apiVersion: v1
kind: Pod
metadata:
  name: job-0
  labels: {slurm-sky/job: "42"}
spec:
  restartPolicy: Never
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: nvidia.com/gpu.product, operator: In, values: [NVIDIA-A100-SXM4-40GB]}
  containers:
  - name: main
    image: ubuntu:24.04
    command: ["/bin/bash", "/sky/script/batch"]
    envFrom:
    - configMapRef: {name: job-script}
    env:
    - {name: RANK, value: "0"}
    - {name: CONF_DIR, value: /sky/conf}
    - name: NODE
      valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
    - name: POD
      valueFrom: {fieldRef: {fieldPath: metadata.name}}
    - name: NS
      valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
    - {name: MASTER_ADDR, value: "job-0.job.$(NS).svc.cluster.local"}
    resources:
      limits: {nvidia.com/gpu: "4", cpu: "2", memory: 4Gi}
    volumeMounts:
    - {name: script, mountPath: /sky/script}
    - {name: conf, mountPath: /sky/conf}
  volumes:
  - name: script
    configMap: {name: job-script, items: [{key: batch, path: batch}]}
  - name: conf
    configMap: {name: job-script}
Y
	run kubectl apply -f "$BATS_TEST_TMPDIR/job.yaml"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ $output == *"pod/job-0 created"* ]]
	run kubectl wait --for=jsonpath='{.status.phase}'=Succeeded pod/job-0 --timeout=20s
	[ "$status" -eq 0 ] || { echo "$output"; kubectl get pod job-0 -o yaml; false; }
	run kubectl get pod job-0 -o jsonpath='{.spec.nodeName} {.status.containerStatuses[0].state.terminated.exitCode} {.status.containerStatuses[0].state.terminated.reason} {.status.podIP}'
	[ "$output" = "gfd-a100-0 0 Completed 127.0.0.1" ] || { echo "$output"; false; }
	run kubectl logs job-0
	[ "${lines[0]}" = "rank=0 node=gfd-a100-0 pod=job-0 ns=default world=2 master=job-0.job.default.svc.cluster.local" ] || { echo "$output"; false; }
	[ "${lines[1]}" = "script at $(k8s_pod_dir default job-0)/volumes/script/batch" ] || { echo "$output"; false; }
	[ "${lines[2]}" = "extra file content" ]
	run kubectl get pods
	grep -Eq '^job-0 +0/1 +Completed +0 ' <<<"$output" || { echo "$output"; false; }
}

@test "kubectl get pods -w sees the pod go Pending, Running, Completed" {
	pod_yaml watched 'sleep 1.5; echo ok' >"$BATS_TEST_TMPDIR/p.yaml"
	timeout 12 kubectl get pods -w >"$BATS_TEST_TMPDIR/w.out" 2>&1 &
	wpid=$!
	sleep 1
	kubectl create -f "$BATS_TEST_TMPDIR/p.yaml"
	k8s_wait_phase watched Succeeded 15
	sleep 1
	kill "$wpid" 2>/dev/null || true
	wait "$wpid" 2>/dev/null || true
	cat "$BATS_TEST_TMPDIR/w.out"
	# One header, then the pod's successive states in order.
	[ "$(grep -c '^NAME' "$BATS_TEST_TMPDIR/w.out")" -eq 1 ]
	states=$(awk '$1 == "watched" {print $3}' "$BATS_TEST_TMPDIR/w.out" | uniq | tr '\n' ' ')
	[[ $states == "Pending "*"Running Completed " ]] || { echo "states: $states"; false; }
	grep -Eq '^watched +1/1 +Running' "$BATS_TEST_TMPDIR/w.out"
}

@test "logs -f streams the container output until it exits" {
	pod_yaml streamer 'for i in 1 2 3; do echo line $i; sleep 0.7; done' | kubectl create -f -
	k8s_wait_phase streamer Running 10
	run timeout 15 kubectl logs -f streamer
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$output" = "$(printf 'line 1\nline 2\nline 3')" ] || { echo "$output"; false; }
	# It followed: it returned only when the container had finished.
	run kubectl get pod streamer -o jsonpath='{.status.phase}'
	[ "$output" = Succeeded ]
	run kubectl logs streamer --tail=1
	[ "$output" = "line 3" ]
}

@test "a failing command: phase Failed, exit code and reason Error kept" {
	pod_yaml failer 'echo about to fail >&2; exit 3' | kubectl create -f -
	k8s_wait_phase failer Failed 10
	run kubectl get pod failer -o jsonpath='{.status.containerStatuses[0].state.terminated.exitCode} {.status.containerStatuses[0].state.terminated.reason}'
	[ "$output" = "3 Error" ] || { echo "$output"; false; }
	run kubectl logs failer
	[ "$output" = "about to fail" ]
	run kubectl get pod failer
	grep -Eq '^failer +0/1 +Error ' <<<"$output" || { echo "$output"; false; }
	# A command that cannot start.
	kubectl run nocmd --image=x --restart=Never --command -- /nonexistent/prog
	k8s_wait_phase nocmd Failed 10
	run kubectl get pod nocmd -o jsonpath='{.status.containerStatuses[0].state.terminated.reason}'
	[ "$output" = StartError ]
}

@test "delete pod: SIGTERM first, deletionTimestamp set, then gone" {
	pod_yaml sleeper 'trap "echo got TERM > \$K8S_EMU_POD_DIR/term; exit 0" TERM; while :; do sleep 0.1; done' |
		kubectl create -f -
	k8s_wait_phase sleeper Running 10
	dir=$(k8s_pod_dir default sleeper)
	rv=$(kubectl get pod sleeper -o jsonpath='{.metadata.resourceVersion}')
	run kubectl delete pod sleeper --timeout=20s
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$output" = 'pod "sleeper" deleted' ]
	[ "$(cat "$dir/term")" = "got TERM" ]
	run kubectl get pod sleeper
	[ "$status" -ne 0 ]
	[[ $output == *'pods "sleeper" not found'* ]]
	# The watch history shows the two phases of the deletion.
	curl -sN --max-time 2 --cacert "$K8S_CA" -H "Authorization: Bearer $K8S_TOKEN" \
		"$K8S_URL/api/v1/namespaces/default/pods?watch=1&resourceVersion=$rv&fieldSelector=metadata.name=sleeper" \
		>"$BATS_TEST_TMPDIR/ev" || true
	python3 - "$BATS_TEST_TMPDIR/ev" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
types = [e["type"] for e in evs]
assert types[-1] == "DELETED", types
first_del = next(e for e in evs if e["object"]["metadata"].get("deletionTimestamp"))
assert first_del["type"] == "MODIFIED", types
assert first_del["object"]["metadata"]["deletionGracePeriodSeconds"] == 5
PY
}

@test "scheduler: taints need tolerations, GPU requests need free GPUs" {
	# The GKE node is tainted nvidia.com/gpu=present:NoSchedule.
	pod_yaml untol 'true' '  nodeSelector: {cloud.google.com/gke-accelerator: nvidia-h100-80gb}' | kubectl create -f -
	pod_yaml tol 'sleep 30' '  nodeSelector: {cloud.google.com/gke-accelerator: nvidia-h100-80gb}
  tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]' | kubectl create -f -
	k8s_wait_phase tol Running 10
	run kubectl get pod tol -o jsonpath='{.spec.nodeName}'
	[ "$output" = gke-h100-0 ]
	sleep 1
	run kubectl get pod untol -o jsonpath='{.status.phase} {.status.conditions[?(@.type=="PodScheduled")].reason} {.status.conditions[?(@.type=="PodScheduled")].message}'
	[[ $output == "Pending Unschedulable 0/4 nodes are available: "*"1 node(s) had untolerated taint"* ]] || { echo "$output"; false; }
	# One L4 on the Karpenter node: the second GPU pod waits for the first.
	gpu_spec='  tolerations: [{key: nvidia.com/gpu, operator: Exists}]
  nodeSelector: {karpenter.k8s.aws/instance-gpu-name: l4}'
	pod_yaml gpu-a 'sleep 30' "$gpu_spec" | sed 's/^    command:/    resources: {limits: {nvidia.com\/gpu: 1}}\n&/' | kubectl create -f -
	k8s_wait_phase gpu-a Running 10
	pod_yaml gpu-b 'echo second' "$gpu_spec" | sed 's/^    command:/    resources: {limits: {nvidia.com\/gpu: 1}}\n&/' | kubectl create -f -
	sleep 1.5
	run kubectl get pod gpu-b -o jsonpath='{.status.phase} {.status.conditions[?(@.type=="PodScheduled")].message}'
	[[ $output == "Pending "*"Insufficient nvidia.com/gpu"* ]] || { echo "$output"; false; }
	kubectl delete pod gpu-a --grace-period=0 --wait=true
	k8s_wait_phase gpu-b Succeeded 10
	run kubectl get pod gpu-b -o jsonpath='{.spec.nodeName}'
	[ "$output" = karp-l4-0 ]
	# Nine GPUs fit nowhere.
	pod_yaml huge 'true' '  tolerations: [{operator: Exists}]' | sed 's/^    command:/    resources: {limits: {nvidia.com\/gpu: 9}}\n&/' | kubectl create -f -
	sleep 1.5
	run kubectl get pod huge -o jsonpath='{.status.phase}'
	[ "$output" = Pending ]
}

@test "headless service: pods find each other through the hosts file" {
	kubectl create -f - <<'Y'
apiVersion: v1
kind: Service
metadata: {name: job}
spec:
  clusterIP: None
  selector: {slurm-sky/job: "7"}
Y
	run kubectl get svc job -o jsonpath='{.spec.clusterIP}'
	[ "$output" = None ]
	for i in 0 1; do
		pod_yaml "job7-$i" 'until [ "$(grep -c job7- $K8S_EMU_HOSTS)" = 2 ]; do sleep 0.1; done; cat $K8S_EMU_HOSTS; sleep 5' "  hostname: job7-$i
  subdomain: job" | sed 's/labels: {test: pods}/labels: {slurm-sky\/job: "7"}/' | kubectl create -f -
	done
	k8s_wait_phase job7-0 Running 10
	k8s_wait_phase job7-1 Running 10
	sleep 1.5
	run kubectl logs job7-0
	[[ $output == *"127.0.0.1	job7-0 job7-0.job.default.svc.cluster.local"* ]] || { echo "$output"; false; }
	[[ $output == *"127.0.0.1	job7-1 job7-1.job.default.svc.cluster.local"* ]] || { echo "$output"; false; }
	[[ $output == *"127.0.0.1	job job.default.svc.cluster.local"* ]]
	run kubectl get pods -l slurm-sky/job=7 -o name
	[ "$output" = "$(printf 'pod/job7-0\npod/job7-1')" ]
	run kubectl delete pods -l slurm-sky/job=7 --grace-period=0
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run kubectl get pods -l slurm-sky/job=7 -o name
	[ "$output" = "" ]
}
