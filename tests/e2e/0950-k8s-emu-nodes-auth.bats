#!/usr/bin/env bats
# The Kubernetes API emulator (tests/k8s/k8s_emu.py) driven by the real
# kubectl: GPU nodes labelled as GKE, GFD, Karpenter and CoreWeave label
# them, selected with -l; JSON output; discovery; client-certificate and
# bearer-token authentication, 401 without valid credentials.

load helpers
load ../k8s/k8s

setup_file() {
	k8s_start
	k8s_add_node gke-h100-0 --preset gke:h100:8
	k8s_add_node gfd-a100-0 --preset gfd:a100-80gb:4
	k8s_add_node karp-l4-0 --preset karpenter:l4:1
	k8s_add_node cw-h100-0 --preset coreweave:h100:8
	k8s_add_node cpu-0 --cpu 4 --memory 8Gi pool=cpu
}
teardown_file() { k8s_stop; }

@test "get nodes -l selects each distribution's GPU label" {
	run kubectl get nodes -l cloud.google.com/gke-accelerator=nvidia-h100-80gb -o name
	[ "$status" -eq 0 ] && [ "$output" = node/gke-h100-0 ] || { echo "$output"; false; }
	run kubectl get nodes -l nvidia.com/gpu.product=NVIDIA-A100-SXM4-80GB -o name
	[ "$output" = node/gfd-a100-0 ] || { echo "$output"; false; }
	run kubectl get nodes -l 'karpenter.k8s.aws/instance-gpu-name in (l4,t4)' -o name
	[ "$output" = node/karp-l4-0 ] || { echo "$output"; false; }
	run kubectl get nodes -l gpu.nvidia.com/class=H100_NVLINK_80GB -o name
	[ "$output" = node/cw-h100-0 ] || { echo "$output"; false; }
	# Set-based and negated selectors, several requirements.
	run kubectl get nodes -l '!cloud.google.com/gke-accelerator,kubernetes.io/os=linux,pool!=cpu' -o name
	[ "$output" = "$(printf 'node/cw-h100-0\nnode/gfd-a100-0\nnode/karp-l4-0')" ] || { echo "$output"; false; }
	run kubectl get nodes -l 'nvidia.com/gpu.count notin (4),nvidia.com/gpu.count' -o name
	[ "$output" = "" ] || { echo "$output"; false; }
	run kubectl get nodes -l 'bad selector((' -o name
	[ "$status" -ne 0 ]
}

@test "get nodes: table columns, -o json with allocatable GPUs and taints" {
	run kubectl get nodes
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^NAME\ +STATUS\ +ROLES\ +AGE\ +VERSION$ ]] || { echo "$output"; false; }
	grep -Eq '^gke-h100-0 +Ready +<none> +[0-9]+s +v1\.32' <<<"$output"
	kubectl get nodes -o json >"$BATS_TEST_TMPDIR/nodes.json"
	python3 - "$BATS_TEST_TMPDIR/nodes.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["kind"] == "List" or d["kind"] == "NodeList", d["kind"]
nodes = {n["metadata"]["name"]: n for n in d["items"]}
assert sorted(nodes) == ["cpu-0", "cw-h100-0", "gfd-a100-0", "gke-h100-0", "karp-l4-0"], sorted(nodes)
g = nodes["gke-h100-0"]
assert g["status"]["allocatable"]["nvidia.com/gpu"] == "8", g["status"]
assert g["metadata"]["labels"]["cloud.google.com/gke-accelerator-count"] == "8"
assert {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"} in g["spec"]["taints"]
assert nodes["karp-l4-0"]["spec"]["taints"][0]["value"] == "true"
assert nodes["gfd-a100-0"]["metadata"]["labels"]["nvidia.com/gpu.memory"] == "81920"
assert nodes["cw-h100-0"]["metadata"]["labels"]["gpu.nvidia.com/vram"] == "79"
assert "nvidia.com/gpu" not in nodes["cpu-0"]["status"]["allocatable"]
assert nodes["cpu-0"]["status"]["allocatable"]["cpu"] == "4"
uids = {n["metadata"]["uid"] for n in d["items"]}
rvs = [int(n["metadata"]["resourceVersion"]) for n in d["items"]]
assert len(uids) == 5 and len(set(rvs)) == 5, (uids, rvs)
for n in d["items"]:
    assert n["metadata"]["creationTimestamp"].endswith("Z")
PY
	run kubectl get node gke-h100-0 -o jsonpath='{.status.capacity.nvidia\.com/gpu}'
	[ "$output" = 8 ]
}

@test "discovery: api-resources, --raw /version, field selector on nodes" {
	run kubectl api-resources --api-group=''
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	grep -Eq '^pods +po +v1 +true +Pod$' <<<"$output" || { echo "$output"; false; }
	grep -Eq '^nodes +no +v1 +false +Node$' <<<"$output"
	run kubectl get --raw /version
	[[ $output == *'"gitVersion": "v1.32.0-sky-emu"'* ]] || { echo "$output"; false; }
	run kubectl get nodes --field-selector metadata.name=karp-l4-0 -o name
	[ "$output" = node/karp-l4-0 ]
	run kubectl get nodes --field-selector status.phase=Running
	[ "$status" -ne 0 ]
	[[ $output == *"field label not supported: status.phase"* ]] || { echo "$output"; false; }
}

@test "client certificate and bearer token both authenticate" {
	run kubectl --context emu get nodes -o name
	[ "$status" -eq 0 ] && [ "${#lines[@]}" -eq 5 ] || { echo "$output"; false; }
	run kubectl --context emu-token get nodes -o name
	[ "$status" -eq 0 ] && [ "${#lines[@]}" -eq 5 ] || { echo "$output"; false; }
	# The same with curl and the PEM files, each credential alone.
	code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$K8S_CA" --cert "$K8S_CLIENT_CERT" \
		--key "$K8S_CLIENT_KEY" "$K8S_URL/api/v1/nodes")
	[ "$code" = 200 ]
	code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$K8S_CA" \
		-H "Authorization: Bearer $K8S_TOKEN" "$K8S_URL/api/v1/nodes")
	[ "$code" = 200 ]
	# The server certificate is for 127.0.0.1 and signed by the kubeconfig's CA.
	run curl -s -o /dev/null --cacert /etc/ssl/certs/ca-certificates.crt "$K8S_URL/healthz"
	[ "$status" -ne 0 ]
}

@test "wrong token and no credentials: 401 Unauthorized" {
	run kubectl --context emu-token --token not-the-token get nodes
	[ "$status" -ne 0 ]
	[[ $output == *"You must be logged in to the server (Unauthorized)"* ]] || { echo "$output"; false; }
	out=$(curl -s -w '\n%{http_code}' --cacert "$K8S_CA" -H 'Authorization: Bearer nope' "$K8S_URL/api/v1/pods")
	[ "${out##*$'\n'}" = 401 ]
	[[ $out == *'"reason": "Unauthorized"'* ]]
	code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$K8S_CA" "$K8S_URL/api")
	[ "$code" = 401 ]
	# A client certificate from another CA does not get in either.
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$BATS_TEST_TMPDIR/k" -out "$BATS_TEST_TMPDIR/c" \
		-days 1 -subj /CN=intruder 2>/dev/null
	code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$K8S_CA" --cert "$BATS_TEST_TMPDIR/c" \
		--key "$BATS_TEST_TMPDIR/k" "$K8S_URL/api/v1/nodes") || true
	[ "$code" != 200 ]
}

@test "nodes added and removed through the control endpoint" {
	k8s_add_node extra-0 --preset nebius:h100:8 team=a --taint dedicated=a:NoExecute --unschedulable
	run kubectl get node extra-0 -o jsonpath='{.metadata.labels.nebius\.com/gpu-name} {.spec.taints[0].key}={.spec.taints[0].value}:{.spec.taints[0].effect} {.spec.unschedulable}'
	[ "$output" = "H100 dedicated=a:NoExecute true" ] || { echo "$output"; false; }
	run kubectl get nodes extra-0
	[[ $output == *"Ready,SchedulingDisabled"* ]] || { echo "$output"; false; }
	run k8s_ctl add-node extra-0
	[ "$status" -ne 0 ]
	[[ $output == *"already exists"* ]]
	k8s_ctl remove-node extra-0
	run kubectl get node extra-0
	[ "$status" -ne 0 ]
	[[ $output == *'nodes "extra-0" not found'* ]] || { echo "$output"; false; }
	run k8s_ctl add-node bad-0 --preset nowhere:h100:1
	[ "$status" -ne 0 ]
}
