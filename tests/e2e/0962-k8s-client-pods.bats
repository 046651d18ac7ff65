#!/usr/bin/env bats
# The Kubernetes client's requests (slurmctld-sky/k8s_api.c) on pods against
# the API emulator: create (and the 409 of a duplicate), get, list with field
# selectors and pagination, the container's exit code and log (k8s_stream,
# follow=true streamed as it comes), delete (and the 404 after), errors
# decoded from the server's Status.

load helpers
load ../k8s/k8s

setup_file() {
	k8s_start
	k8s_add_node gpu-1 --preset gfd:h100:8
}
teardown_file() { k8s_stop; }

probe() {
	"$SKY_BUILDDIR/tests/k8s/k8s-probe" "$@"
}

# phase_of POD: the pod's status.phase as the client reads it.
phase_of() {
	probe get "/api/v1/namespaces/default/pods/$1" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["status"].get("phase",""))'
}

wait_phase() {
	local i
	for ((i = 0; i < 100; i++)); do
		[[ $(phase_of "$1") =~ ^($2)$ ]] && return 0
		sleep 0.2
	done
	echo "pod $1 phase $(phase_of "$1"), wanted $2" >&2
	return 1
}

@test "create, run to completion, exit code and log, delete, 404 after" {
	run probe create-pod ok-pod --node gpu-1 --gpu 1 -- sh -c 'echo hello from $HOSTNAME; exit 0'
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ $output == "created ok-pod uid="* ]]
	wait_phase ok-pod Succeeded
	run probe create-pod bad-pod --node gpu-1 -- sh -c 'exit 3'
	[ "$status" -eq 0 ]
	wait_phase bad-pod Failed
	probe get /api/v1/namespaces/default/pods/bad-pod | python3 -c '
import json, sys
t = json.load(sys.stdin)["status"]["containerStatuses"][0]["state"]["terminated"]
assert t["exitCode"] == 3 and t["reason"] == "Error", t'
	run probe get '/api/v1/namespaces/default/pods/ok-pod/log'
	# The log is text, not JSON: the client says so instead of guessing.
	[ "$status" -eq 1 ]
	[[ $output == *"the reply is not JSON"* ]]
	run k8s_kubectl logs ok-pod
	[[ $output == "hello from "* ]]
	run probe delete-pod ok-pod --grace 0
	[ "$status" -eq 0 ]
	[ "$output" = "deleted ok-pod" ]
	for _ in $(seq 50); do
		probe get /api/v1/namespaces/default/pods/ok-pod >/dev/null 2>&1 || break
		sleep 0.2
	done
	run probe get /api/v1/namespaces/default/pods/ok-pod
	[ "$status" -eq 1 ]
	[[ $output == *'error: Kubernetes GET /api/v1/namespaces/default/pods/ok-pod: HTTP 404 NotFound: pods "ok-pod" not found'* ]]
	[ "${lines[-1]}" = "http=404 reason=NotFound" ]
	probe delete-pod bad-pod --grace 0
}

@test "a duplicate create is refused 409 AlreadyExists, without retries" {
	run probe create-pod dup --node gpu-1 -- sleep 30
	[ "$status" -eq 0 ]
	run probe create-pod dup --node gpu-1 -- sleep 30
	[ "$status" -eq 1 ]
	[[ $output == *'HTTP 409 AlreadyExists: pods "dup" already exists'* ]]
	[ "${lines[-1]}" = "http=409 reason=AlreadyExists" ]
	run probe delete-pod nothere
	[ "$status" -eq 1 ]
	[[ $output == *"HTTP 404 NotFound"* ]]
	probe delete-pod dup --grace 0
}

@test "list: field selectors on nodeName and phase, label selector, pagination" {
	local i
	for i in 1 2 3 4 5; do
		probe create-pod "many-$i" --node gpu-1 -- sleep 60 >/dev/null
	done
	run probe list /api/v1/namespaces/default/pods --field spec.nodeName=gpu-1 --limit 2
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(grep -c '^item many-' <<<"$output")" -eq 5 ]
	[[ ${lines[-1]} == "count="* ]]
	run probe list /api/v1/pods --field spec.nodeName=nowhere
	[ "$output" = "$(printf 'count=0 rv=%s' "${lines[-1]##*rv=}")" ]
	run probe list /api/v1/namespaces/default/pods --selector 'app.kubernetes.io/managed-by=slurm-sky' \
		--field metadata.name=many-3
	[ "${lines[0]}" = "item many-3" ]
	[[ ${lines[1]} == "count=1 "* ]]
	for i in 1 2 3 4 5; do
		probe delete-pod "many-$i" --grace 0 >/dev/null
	done
}

@test "logs: the whole log, and follow=true streamed line by line until the container ends" {
	local out=$BATS_TEST_TMPDIR/log pid
	run probe create-pod talker --node gpu-1 -- sh -c 'for i in 1 2 3; do echo line $i; sleep 1; done'
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	wait_phase talker Running
	probe logs talker --follow >"$out" 2>&1 &
	pid=$!
	# The first line arrives while the pod still runs: streamed, not buffered.
	for _ in $(seq 50); do grep -q 'line 1' "$out" && break; sleep 0.1; done
	grep -qx 'line 1' "$out"
	[ "$(phase_of talker)" = Running ]
	wait "$pid"
	[ "$(cat "$out")" = "$(printf 'line 1\nline 2\nline 3')" ]
	run probe logs talker
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'line 1\nline 2\nline 3')" ]
	run probe logs nosuchpod
	[ "$status" -eq 1 ]
	[[ $output == *'HTTP 404 NotFound: pods "nosuchpod" not found'* ]]
	probe delete-pod talker --grace 0 >/dev/null
}
