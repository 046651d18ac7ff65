#!/usr/bin/env bats
# Watch semantics of the Kubernetes API emulator: chunked JSON event
# streams with increasing resourceVersions, 410 Gone (Expired) from a
# compacted or evicted resourceVersion as an ERROR event, bookmarks,
# selector transitions, dropped connections resumed without loss, list
# pagination with limit/continue. Read with curl and kubectl --raw.

load helpers
load ../k8s/k8s

setup_file() { k8s_start --history 40 --bookmark-secs 1; }
teardown_file() { k8s_stop; }
teardown() { kubectl delete configmaps --all >/dev/null 2>&1 || true; }

# api PATH [CURL ARGS...]: an authenticated request (bearer token).
api() {
	local path=$1
	shift
	curl -s --cacert "$K8S_CA" -H "Authorization: Bearer $K8S_TOKEN" "$@" "$K8S_URL$path"
}

# watch_bg FILE QUERY: a configmap watch (QUERY after watch=1&) streamed into
# FILE in the background until watch_end.
watch_bg() {
	api "/api/v1/namespaces/default/configmaps?watch=1&$2" -N >"$1" &
	WPID=$!
	sleep 0.5
}

watch_end() {
	sleep 0.5
	kill "$WPID" 2>/dev/null || true
	wait "$WPID" || true
}

cm_rv() { # the collection's current resourceVersion
	api /api/v1/namespaces/default/configmaps | python3 -c 'import json, sys; print(json.load(sys.stdin)["metadata"]["resourceVersion"])'
}

# make_cms PREFIX N [LABEL]: create N configmaps quickly (one python process).
make_cms() {
	python3 - "$1" "$2" "${3:-}" <<'PY'
import json, os, ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=os.environ["K8S_CA"])
prefix, n, label = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for i in range(n):
    md = {"name": "%s-%d" % (prefix, i)}
    if label:
        k, v = label.split("=")
        md["labels"] = {k: v}
    req = urllib.request.Request(os.environ["K8S_URL"] + "/api/v1/namespaces/default/configmaps",
                                 data=json.dumps({"metadata": md, "data": {"i": str(i)}}).encode(),
                                 headers={"Authorization": "Bearer " + os.environ["K8S_TOKEN"],
                                          "Content-Type": "application/json"})
    urllib.request.urlopen(req, context=ctx).read()
PY
}

@test "watch streams ADDED, MODIFIED, DELETED with increasing resourceVersions" {
	rv=$(cm_rv)
	watch_bg "$BATS_TEST_TMPDIR/ev" "resourceVersion=$rv"
	kubectl create configmap w1 --from-literal=a=1
	kubectl label configmap w1 step=two
	kubectl delete configmap w1
	watch_end
	python3 - "$BATS_TEST_TMPDIR/ev" "$rv" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
assert [e["type"] for e in evs] == ["ADDED", "MODIFIED", "DELETED"], evs
rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in evs]
assert rvs == sorted(set(rvs)) and rvs[0] > int(sys.argv[2]), rvs
assert evs[1]["object"]["metadata"]["labels"] == {"step": "two"}
assert len({e["object"]["metadata"]["uid"] for e in evs}) == 1
PY
}

@test "watch from a compacted resourceVersion: 410 Expired as an ERROR event" {
	rv=$(cm_rv)
	kubectl create configmap c1 --from-literal=a=1
	run k8s_ctl compact
	[ "$status" -eq 0 ]
	run kubectl get --raw "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=$rv&timeoutSeconds=5"
	[[ $output == '{"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": "too old resource version: '"$rv"' ('*'", "reason": "Expired", "code": 410}}' ]] || { echo "$output"; false; }
	# The list's resourceVersion after the compaction is good to watch from.
	now=$(cm_rv)
	run api "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=$now&timeoutSeconds=1"
	[ "$status" -eq 0 ] && [ "$output" = "" ] || { echo "$output"; false; }
	# And a watch without resourceVersion starts with the current objects.
	run api "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1"
	[[ $output == '{"type": "ADDED", "object": {"kind": "ConfigMap"'*'"name": "c1"'* ]] || { echo "$output"; false; }
}

@test "a resourceVersion older than the bounded history gets 410" {
	rv=$(cm_rv)
	make_cms burst 45
	run api "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=$rv&timeoutSeconds=1"
	[[ $output == *'"code": 410'* ]] || { echo "$output"; false; }
	# A recent one is still served, from the history.
	recent=$(($(cm_rv) - 5))
	run api "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=$recent&timeoutSeconds=1"
	[ "${#lines[@]}" -eq 5 ] || { echo "$output"; false; }
	[[ ${lines[4]} == '{"type": "ADDED"'*'"name": "burst-44"'* ]]
}

@test "bookmarks when asked for, and the stream ends at timeoutSeconds" {
	kubectl create configmap b1 --from-literal=a=1
	now=$(cm_rv)
	start=$SECONDS
	run api "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=$now&allowWatchBookmarks=true&timeoutSeconds=3"
	[ "$status" -eq 0 ]
	[ $((SECONDS - start)) -le 5 ]
	[[ ${lines[0]} == '{"type": "BOOKMARK", "object": {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"resourceVersion": "'"$now"'"}}}' ]] || { echo "$output"; false; }
	run api "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=$now&timeoutSeconds=2"
	[ "$output" = "" ]
}

@test "label-selected watch: leaving the selection is DELETED, entering is ADDED" {
	rv=$(cm_rv)
	watch_bg "$BATS_TEST_TMPDIR/ev" "resourceVersion=$rv&labelSelector=app%3Dx"
	kubectl create configmap s1
	kubectl label configmap s1 app=x
	kubectl label --overwrite configmap s1 app=y
	kubectl create configmap s2
	kubectl label configmap s2 app=y
	kubectl label --overwrite configmap s1 app=x
	watch_end
	run python3 -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    print(e["type"], e["object"]["metadata"]["name"], e["object"]["metadata"]["labels"]["app"])' "$BATS_TEST_TMPDIR/ev"
	[ "$output" = "$(printf 'ADDED s1 x\nDELETED s1 y\nADDED s1 x')" ] || { echo "$output"; false; }
}

@test "drop-watches closes every stream; resuming from the last RV loses nothing" {
	rv=$(cm_rv)
	watch_bg "$BATS_TEST_TMPDIR/ev1" "resourceVersion=$rv"
	kubectl create configmap d1
	sleep 0.3
	run k8s_ctl drop-watches
	[[ $output == '{"dropped": 1}' ]] || { echo "$output"; false; }
	# curl sees the stream end by itself.
	for i in $(seq 50); do kill -0 "$WPID" 2>/dev/null || break; sleep 0.1; done
	run kill -0 "$WPID"
	[ "$status" -ne 0 ]
	wait "$WPID" || true
	last=$(tail -n1 "$BATS_TEST_TMPDIR/ev1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["object"]["metadata"]["resourceVersion"])')
	kubectl create configmap d2
	run api "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=$last&timeoutSeconds=1"
	[ "${#lines[@]}" -eq 1 ] && [[ $output == '{"type": "ADDED"'*'"name": "d2"'* ]] || { echo "$output"; false; }
}

@test "list pagination: limit and continue; an old continue token gets 410" {
	make_cms page 5 set=p
	run api "/api/v1/namespaces/default/configmaps?labelSelector=set%3Dp&limit=2"
	python3 - "$output" <<'PY' >"$BATS_TEST_TMPDIR/cont"
import json, sys
d = json.loads(sys.argv[1])
assert [i["metadata"]["name"] for i in d["items"]] == ["page-0", "page-1"], d
assert d["metadata"]["remainingItemCount"] == 3, d["metadata"]
print(d["metadata"]["continue"])
PY
	cont=$(cat "$BATS_TEST_TMPDIR/cont")
	run api "/api/v1/namespaces/default/configmaps?labelSelector=set%3Dp&limit=10&continue=$cont"
	[[ $output == *'"page-2"'*'"page-3"'*'"page-4"'* ]] && [[ $output != *'"continue"'* ]] || { echo "$output"; false; }
	# kubectl pages through with --chunk-size.
	run kubectl get configmaps -l set=p --chunk-size=2 -o name
	[ "${#lines[@]}" -eq 5 ] || { echo "$output"; false; }
	# Once the list's revision is compacted away, its token is refused.
	kubectl create configmap later
	k8s_ctl compact
	run api "/api/v1/namespaces/default/configmaps?labelSelector=set%3Dp&limit=2&continue=$cont" -w '\n%{http_code}'
	[ "${lines[-1]}" = 410 ] && [[ $output == *'"reason": "Expired"'* ]] || { echo "$output"; false; }
}

@test "20 concurrent watchers each see every one of 60 writes once, in order" {
	rv=$(cm_rv)
	run timeout 60 python3 - "$rv" <<'PY'
import http.client, json, os, ssl, sys, threading
from urllib.parse import urlsplit
rv = sys.argv[1]
u = urlsplit(os.environ["K8S_URL"])
ctx = ssl.create_default_context(cafile=os.environ["K8S_CA"])
hdr = {"Authorization": "Bearer " + os.environ["K8S_TOKEN"]}
got, ready = {}, threading.Barrier(21)

def watch(i):
    c = http.client.HTTPSConnection(u.hostname, u.port, context=ctx)
    c.request("GET", "/api/v1/namespaces/default/configmaps?watch=1&labelSelector=conc%%3Dy&resourceVersion=%s" % rv,
              headers=hdr)
    r = c.getresponse()
    ready.wait()
    seen = []
    while len(seen) < 60:
        line = r.readline()
        if not line:
            break
        e = json.loads(line)
        seen.append((e["type"], e["object"]["metadata"]["name"], int(e["object"]["metadata"]["resourceVersion"])))
    got[i] = seen

ts = [threading.Thread(target=watch, args=(i,)) for i in range(20)]
for t in ts:
    t.start()
ready.wait()
c = http.client.HTTPSConnection(u.hostname, u.port, context=ctx)
for n in range(30):
    body = json.dumps({"metadata": {"name": "conc-%d" % n, "labels": {"conc": "y"}}})
    c.request("POST", "/api/v1/namespaces/default/configmaps", body, dict(hdr, **{"Content-Type": "application/json"}))
    assert c.getresponse().read() and True
    c.request("DELETE", "/api/v1/namespaces/default/configmaps/conc-%d" % n, headers=hdr)
    c.getresponse().read()
for t in ts:
    t.join(30)
want = [(t, "conc-%d" % n) for n in range(30) for t in ("ADDED", "DELETED")]
for i in range(20):
    seen = got.get(i, [])
    assert [(t, n) for t, n, _ in seen] == want, (i, seen[:5])
    rvs = [r for _, _, r in seen]
    assert rvs == sorted(set(rvs)), (i, rvs)
print("ok", len(got))
PY
	[ "$status" -eq 0 ] && [ "$output" = "ok 20" ] || { echo "$output"; false; }
}
