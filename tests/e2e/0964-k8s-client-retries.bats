#!/usr/bin/env bats
# The Kubernetes client's retry rules (slurmctld-sky/k8s_api.c) against a
# scripted plain-HTTP server (the emulator never fails on purpose): 503 and
# 429 (with Retry-After) retried for every method, 500 retried for GET but
# never for POST (a repeated create could create twice), the attempt limit,
# an error body that is not a Status, no server at all; list pages followed
# through "continue" (also across a retried page); and a watch whose server
# answers 500 backs off and reconnects.

load helpers

setup_file() {
	D=$(mktemp -d /tmp/sky-k8s-retry.XXXXXX)
	export D
	cat >"$D/server.py" <<-'EOF'
	# Answers each request with the next line of $D/script ("CODE [Retry-After]",
	# then 200 forever) and logs "METHOD PATH" to $D/log.
	import http.server, json, os, sys
	D = sys.argv[1]
	class H(http.server.BaseHTTPRequestHandler):
	    protocol_version = "HTTP/1.1"
	    def log_message(self, *a): pass
	    def answer(self):
	        n = int(self.headers.get("Content-Length") or 0)
	        if n: self.rfile.read(n)
	        with open(D + "/log", "a") as f: f.write("%s %s\n" % (self.command, self.path))
	        lines = open(D + "/script").read().split("\n")
	        step = lines.pop(0).split() if lines and lines[0] else ["200"]
	        open(D + "/script", "w").write("\n".join(lines))
	        code = int(step[0])
	        if code == 200 and "watch=1" in self.path:
	            body = json.dumps({"type": "ADDED", "object": {"metadata": {"name": "n1", "resourceVersion": "7"}}}) + "\n"
	        elif code == 200 and "limit=" in self.path and "continue=" not in self.path:
	            body = json.dumps({"kind": "NodeList", "metadata": {"resourceVersion": "5", "continue": "tok/1"}, "items": [{"metadata": {"name": "n1"}}]})
	        elif code == 200 and "continue=tok%2F1" in self.path:
	            body = json.dumps({"kind": "NodeList", "metadata": {"resourceVersion": "6"}, "items": [{"metadata": {"name": "n2"}}, {"metadata": {"name": "n3"}}]})
	        elif code == 200:
	            body = json.dumps({"kind": "NodeList", "metadata": {"resourceVersion": "5"}, "items": [{"metadata": {"name": "n1"}}]})
	        elif code == 502:
	            body = "<html><body>Bad Gateway</body></html>\n"
	        else:
	            body = json.dumps({"kind": "Status", "status": "Failure", "code": code, "reason": "ServiceUnavailable" if code == 503 else "InternalError", "message": "scripted %d" % code})
	        b = body.encode()
	        self.send_response(code)
	        self.send_header("Content-Type", "application/json")
	        self.send_header("Content-Length", str(len(b)))
	        if len(step) > 1: self.send_header("Retry-After", step[1])
	        self.end_headers()
	        self.wfile.write(b)
	    do_GET = do_POST = do_DELETE = do_PATCH = answer
	s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
	open(D + "/port", "w").write(str(s.server_address[1]))
	s.serve_forever()
	EOF
	: >"$D/script"
	python3 "$D/server.py" "$D" 3>&- &
	echo $! >"$D/pid"
	for _ in $(seq 50); do [ -s "$D/port" ] && break; sleep 0.1; done
	cat >"$D/kubeconfig" <<-EOF
	current-context: c
	clusters: [{name: k, cluster: {server: "http://127.0.0.1:$(cat "$D/port")"}}]
	contexts: [{name: c, context: {cluster: k, user: u}}]
	users: [{name: u, user: {token: t}}]
	EOF
}

teardown_file() {
	kill "$(cat "$D/pid")" 2>/dev/null || true
	rm -rf "$D"
}

setup() {
	: >"$D/log"
}

probe() {
	"$SKY_BUILDDIR/tests/k8s/k8s-probe" --kubeconfig "$D/kubeconfig" "$@"
}

script() {
	printf '%s\n' "$@" >"$D/script"
}

@test "GET: 503 and 429 with Retry-After are retried until it works" {
	script 503 "429 1" 503
	local t0=$SECONDS
	run probe list /api/v1/nodes
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "${lines[0]}" = "item n1" ]
	[ "$(wc -l <"$D/log")" -eq 4 ]
	[ $((SECONDS - t0)) -ge 1 ] # Retry-After honoured
}

@test "GET: 500 retried up to the attempt limit, then the Status message" {
	script 500 500 500 500 500
	run probe --max-attempts 3 get /api/v1/nodes
	[ "$status" -eq 1 ]
	[[ $output == *"error: Kubernetes GET /api/v1/nodes: HTTP 500 InternalError: scripted 500"* ]]
	[ "$(wc -l <"$D/log")" -eq 3 ]
}

@test "POST: 500 is not retried (could create twice), 503 is" {
	script 500
	run probe create-pod p -- true
	[ "$status" -eq 1 ]
	[[ $output == *"HTTP 500 InternalError: scripted 500"* ]]
	[ "$(wc -l <"$D/log")" -eq 1 ]
	: >"$D/log"
	script 503
	run probe create-pod p -- true
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(grep -c '^POST /api/v1/namespaces/default/pods$' "$D/log")" -eq 2 ]
}

@test "an error body that is not a Status; no server at all" {
	script 502 502 502 502
	run probe get /api/v1/nodes
	[ "$status" -eq 1 ]
	[[ $output == *"HTTP 502: <html><body>Bad Gateway</body></html>"* ]]
	sed 's|server: "http://127.0.0.1:[0-9]*"|server: "http://127.0.0.1:1"|' "$D/kubeconfig" >"$D/kc2"
	run "$SKY_BUILDDIR/tests/k8s/k8s-probe" --kubeconfig "$D/kc2" --max-attempts 2 get /version
	[ "$status" -eq 1 ]
	[[ $output == *"error: Kubernetes GET http://127.0.0.1:1/version: "*"onnect"* ]]
	[ "${lines[-1]}" = "http=0 reason=-" ]
}

@test "a watch answered 500 backs off and reconnects from where it was" {
	# list (200), watch (500), watch (200: one event)
	script 200 500 200
	run probe watch /api/v1/nodes --events 2 --stop-after 10
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "${lines[0]}" = "RELIST count=1 rv=5" ]
	[ "${lines[1]}" = "ADDED n1" ]
	[ "${lines[2]}" = "stats events=1 relists=1 gone=0 connects=2 errors=1 rc=-1" ]
	[ "$(sed -n 3p "$D/log" | grep -c 'watch=1&allowWatchBookmarks=true&timeoutSeconds=300&resourceVersion=5')" -eq 1 ]
}

@test "list follows continue tokens: one list of every page, the first page's resourceVersion" {
	# page 1 (200), page 2 (503 then 200)
	script 200 503 200
	run probe list /api/v1/nodes --selector 'a in (b,c)' --limit 1
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(printf '%s/' "${lines[@]}")" = "item n1/item n2/item n3/count=3 rv=5/" ]
	[ "$(cat "$D/log")" = "$(printf '%s\n' \
		'GET /api/v1/nodes?labelSelector=a%20in%20%28b%2Cc%29&limit=1' \
		'GET /api/v1/nodes?labelSelector=a%20in%20%28b%2Cc%29&continue=tok%2F1&limit=1' \
		'GET /api/v1/nodes?labelSelector=a%20in%20%28b%2Cc%29&continue=tok%2F1&limit=1')" ]
}
