#!/usr/bin/env bats
# The Kubernetes client's watches (slurmctld-sky/k8s_watch.c) against the API
# emulator: list then watch, a pod seen Pending -> Running -> Succeeded; a
# watch from a compacted resourceVersion gets 410 and relists; a 410 in the
# middle of a watch (connection lost while the history was compacted) is
# recovered by a relist and the watch goes on; a dropped stream resumes from
# the last resourceVersion without a relist; k8s_watch_stop ends it promptly.

load helpers
load ../k8s/k8s

setup_file() {
	# No bookmarks: the tests count events.
	k8s_start --bookmark-secs 3600
	k8s_add_node gpu-1 --preset gke:l4:1
}
teardown_file() { k8s_stop; }

probe() {
	"$SKY_BUILDDIR/tests/k8s/k8s-probe" "$@"
}

# wait_line FILE REGEX: until FILE has a line matching REGEX (10 s).
wait_line() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -qE "$2" "$1" && return 0
		sleep 0.1
	done
	echo "no line /$2/ in $1:" >&2
	cat "$1" >&2
	return 1
}

@test "list then watch: a pod's life as events" {
	local out=$BATS_TEST_TMPDIR/w pid
	probe watch /api/v1/namespaces/default/pods --events 100 --stop-after 6 >"$out" 2>&1 &
	pid=$!
	wait_line "$out" '^RELIST count=0 rv=[0-9]+$'
	probe create-pod life --node gpu-1 -- sh -c 'sleep 1'
	wait "$pid" # not plain wait: the emulator is a child too
	cat "$out"
	[ "$(sed -n 2p "$out")" = "ADDED life Pending" ]
	# In this order, and nothing after Succeeded but the stop.
	[ "$(grep -v '^MODIFIED life Pending$' "$out" | sed -n '3,4p' | tr '\n' /)" = \
		"MODIFIED life Running/MODIFIED life Succeeded/" ]
	[[ $(tail -n 1 "$out") == "stats events="*" relists=1 gone=0 connects=1 errors=0 rc=0" ]]
	probe delete-pod life --grace 0
}

@test "a watch from a compacted resourceVersion gets 410 and relists" {
	local rv
	probe label gpu-1 step=1 >/dev/null
	rv=$(probe list /api/v1/nodes | sed -n 's/^count=1 rv=//p')
	probe label gpu-1 step=2 >/dev/null
	k8s_ctl compact >/dev/null
	run probe watch /api/v1/nodes --rv "$rv" --events 1 --stop-after 10
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ ${lines[0]} == "RELIST count=1 rv="* ]]
	[ "${lines[0]#*rv=}" -gt "$rv" ]
	[ "${lines[-1]}" = "stats events=0 relists=1 gone=1 connects=1 errors=0 rc=-1" ]
}

@test "410 in the middle of a watch: relist, then the watch goes on" {
	local out=$BATS_TEST_TMPDIR/w pid
	# Event 2 (MODIFIED) pauses the watcher until "go" exists; meanwhile its stream
	# is dropped, the node changes and the history is compacted: resuming gets 410.
	probe watch /api/v1/nodes --events 4 --pause-after "2:$BATS_TEST_TMPDIR/go" --stop-after 30 \
		>"$out" 2>&1 &
	pid=$!
	wait_line "$out" '^RELIST '
	probe label gpu-1 phase=a >/dev/null
	wait_line "$out" '^PAUSED$'
	k8s_ctl drop-watches >/dev/null
	probe label gpu-1 phase=b >/dev/null
	k8s_ctl compact >/dev/null
	touch "$BATS_TEST_TMPDIR/go"
	for _ in $(seq 100); do
		[ "$(grep -c '^RELIST ' "$out")" -ge 2 ] && break
		sleep 0.1
	done
	sleep 1
	probe label gpu-1 phase=c >/dev/null
	wait "$pid" # not plain wait: the emulator is a child too
	cat "$out"
	[ "$(grep -c '^RELIST count=1 ' "$out")" -eq 2 ]
	[ "$(sed -n 2p "$out")" = "MODIFIED gpu-1" ]
	[ "$(sed -n 4p "$out" | cut -d' ' -f1)" = "RELIST" ]
	[ "$(sed -n 5p "$out")" = "MODIFIED gpu-1" ]
	grep -qx 'stats events=2 relists=2 gone=1 connects=3 errors=0 rc=-1' "$out"
	run k8s_kubectl get node gpu-1 -o 'jsonpath={.metadata.labels.phase}'
	[ "$output" = "c" ]
}

@test "a dropped stream resumes from the last resourceVersion, no relist" {
	local out=$BATS_TEST_TMPDIR/w pid
	probe watch /api/v1/nodes --events 3 --stop-after 30 >"$out" 2>&1 &
	pid=$!
	wait_line "$out" '^RELIST '
	probe label gpu-1 drop=1 >/dev/null
	wait_line "$out" '^MODIFIED gpu-1$'
	k8s_ctl drop-watches >/dev/null
	sleep 1
	probe label gpu-1 drop=2 >/dev/null
	wait "$pid" # not plain wait: the emulator is a child too
	cat "$out"
	[ "$(grep -c '^MODIFIED gpu-1$' "$out")" -eq 2 ]
	grep -qx 'stats events=2 relists=1 gone=0 connects=2 errors=0 rc=-1' "$out"
}

@test "stop ends an idle watch promptly; an unknown path is refused at once" {
	local t0=$SECONDS
	run probe watch /api/v1/nodes --events 100 --stop-after 1
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ ${lines[-1]} == "stats "*" rc=0" ]]
	[ $((SECONDS - t0)) -le 4 ]
	run probe watch /api/v1/nosuchthings --events 1 --stop-after 5
	[ "$status" -eq 1 ]
	[[ $output == *"HTTP 404"* ]]
}
