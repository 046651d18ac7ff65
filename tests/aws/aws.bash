# tests/aws/aws.bash: bats helpers for the EC2 tests: moto_server and the
# fault-injecting proxy (fault_proxy.py) on free loopback ports.
#
#   setup_file()    { aws_start; }      # once per file: moto + proxy, env exported
#   setup()         { aws_reset; }      # fresh moto state, no faults, empty log
#   teardown_file() { aws_stop; }
#
# AWS_MOTO_ENV="NAME=VALUE ..." passes settings to moto_server (e.g.
# INITIAL_NO_AUTH_ACTION_COUNT=3 to make moto check signatures).
# aws_start exports AWS_ENDPOINT_URL (the proxy), test credentials and
# AWS_REGION, so every AWS client (ec2-probe, the controller) goes through
# the proxy. AWS_MOTO_URL is moto itself, AWS_PROXY_URL the proxy.
# Both servers run in their own process groups, which aws_stop kills by id.

AWS_TESTS_DIR=${AWS_TESTS_DIR:-$SKY_SRCDIR/tests/aws}
EC2_PROBE=${EC2_PROBE:-$SKY_BUILDDIR/tests/aws/ec2-probe}

_aws_moto_server() {
	command -v moto_server 2>/dev/null || ls /root/.pyenv/shims/moto_server 2>/dev/null
}

_aws_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# _aws_wait_http URL SECONDS
_aws_wait_http() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		curl -sf -o /dev/null --max-time 1 "$1" && return 0
		sleep 0.1
	done
	echo "no answer from $1 after $2 s" >&2
	return 1
}

aws_start() {
	local moto port i
	moto=$(_aws_moto_server) || { echo "moto_server not found (pip install 'moto[server]')" >&2; return 1; }
	AWS_RUN_DIR=$(mktemp -d /tmp/sky-aws.XXXXXX)
	export AWS_RUN_DIR
	# moto's free port is probed then bound by moto: retry on the rare race.
	for i in 1 2 3; do
		port=$(_aws_free_port)
		# shellcheck disable=SC2086 # AWS_MOTO_ENV is a list of NAME=VALUE words
		env ${AWS_MOTO_ENV:-} setsid "$moto" -H 127.0.0.1 -p "$port" >"$AWS_RUN_DIR/moto.log" 2>&1 3>&- &
		echo $! >"$AWS_RUN_DIR/moto.pid"
		if _aws_wait_http "http://127.0.0.1:$port/moto-api/" 30; then break; fi
		_aws_kill "$AWS_RUN_DIR/moto.pid"
		[ "$i" = 3 ] && { cat "$AWS_RUN_DIR/moto.log" >&2; return 1; }
	done
	AWS_MOTO_URL=http://127.0.0.1:$port
	setsid python3 "$AWS_TESTS_DIR/fault_proxy.py" --upstream "$AWS_MOTO_URL" --port 0 \
		--port-file "$AWS_RUN_DIR/proxy.port" >"$AWS_RUN_DIR/proxy.log" 2>&1 3>&- &
	echo $! >"$AWS_RUN_DIR/proxy.pid"
	for ((i = 0; i < 100; i++)); do
		[ -s "$AWS_RUN_DIR/proxy.port" ] && break
		sleep 0.1
	done
	AWS_PROXY_URL=http://127.0.0.1:$(cat "$AWS_RUN_DIR/proxy.port" 2>/dev/null)
	_aws_wait_http "$AWS_PROXY_URL/_health" 10 || { cat "$AWS_RUN_DIR/proxy.log" >&2; return 1; }
	export AWS_MOTO_URL AWS_PROXY_URL
	export AWS_ENDPOINT_URL=$AWS_PROXY_URL
	export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
	export AWS_REGION=us-east-1
	unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL_EC2 AWS_DEFAULT_REGION
}

# _aws_kill PIDFILE: stop the process group its leader started (setsid).
_aws_kill() {
	local pid i
	pid=$(cat "$1" 2>/dev/null) || return 0
	[ -n "$pid" ] || return 0
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL -- "-$pid" 2>/dev/null || true
	rm -f "$1"
}

aws_stop() {
	[ -n "${AWS_RUN_DIR:-}" ] || return 0
	_aws_kill "$AWS_RUN_DIR/proxy.pid"
	_aws_kill "$AWS_RUN_DIR/moto.pid"
	rm -rf "$AWS_RUN_DIR"
}

# aws_reset: fresh moto state, no fault rules, empty proxy log.
aws_reset() {
	curl -sf -X POST -o /dev/null "$AWS_PROXY_URL/_reset"
}

# aws_fault JSON: arm one rule (or a JSON list of rules).
aws_fault() {
	curl -sf -X POST -H 'Content-Type: application/json' --data "$1" -o /dev/null \
		"$AWS_PROXY_URL/_fault"
}

# aws_log: the EC2 requests the proxy saw, one line each:
#   ACTION FAULT STATUS REPLAYED CLIENTTOKEN ZONE
aws_log() {
	curl -sf "$AWS_PROXY_URL/_log" | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    p = e["params"]
    print(e["action"], e["fault"] or "-", e["status"], "replayed" if e["replayed"] else "-",
          p.get("ClientToken", "-"), p.get("Placement.AvailabilityZone", "-"))'
}

# ec2_probe ARGS...: the client test driver, with a short backoff so that
# retries do not slow the tests.
ec2_probe() {
	"$EC2_PROBE" --backoff-ms 20 "$@"
}

# aws_log_field FIELD: one top-level field of each logged request, one a line.
aws_log_field() {
	curl -sf "$AWS_PROXY_URL/_log" | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    print(e.get(sys.argv[1]))' "$1"
}
