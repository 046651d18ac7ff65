# tests/k8s/k8s.bash: bats helpers for the Kubernetes API emulator (k8s_emu.py).
#
#   setup_file()    { k8s_start; }      # once per file: emulator up, env exported
#   teardown_file() { k8s_stop; }
#
# k8s_start [EMULATOR OPTIONS...] starts tests/k8s/k8s_emu.py on a free loopback
# port with a fresh temp dir, waits until it answers, and exports:
#   K8S_RUN_DIR     its directory (ca.crt, client.crt, client.key, token,
#                   kubeconfig, emu.log, pods/<ns>_<name>/ with each pod's log)
#   K8S_URL         https://127.0.0.1:PORT (the API server)
#   K8S_CTL_URL     http://127.0.0.1:PORT2 (the control endpoint, no auth)
#   KUBECONFIG      $K8S_RUN_DIR/kubeconfig: contexts "emu" (current; user
#                   "emu-cert" with client-certificate-data/client-key-data)
#                   and "emu-token" (user "emu-token", bearer token); cluster
#                   "emu" with certificate-authority-data; namespace default
#   K8S_TOKEN       the bearer token the emulator accepts
#   K8S_CA K8S_CLIENT_CERT K8S_CLIENT_KEY   the same material as PEM files
# Emulator options (python3 k8s_emu.py --help): --token TOK, --auth
# cert|token|both, --history N (watch history size), --bookmark-secs N.
#
# k8s_ctl VERB [ARG...|JSON]: one control request (POST $K8S_CTL_URL/VERB);
# prints the JSON answer, fails on an error. Verbs:
#   add-node NAME [KEY=VALUE...] [--preset DISTRO:GPU:COUNT] [--cpu Q]
#            [--memory Q] [--gpus N] [--taint KEY[=VAL]:EFFECT] [--unschedulable]
#            DISTRO: gke gfd karpenter coreweave nebius oci plain cpu
#   remove-node NAME            node gone: its pods killed, then deleted (PodGC)
#   evict NS/POD [MESSAGE]      phase Failed, reason Evicted, process killed
#   oom NS/POD                  process killed, terminated reason OOMKilled, 137
#   preempt NS/POD              killed, Failed with DisruptionTarget
#                               PreemptionByScheduler, then deleted
#   compact                     forget the watch history: older RVs get 410
#   drop-watches                close every open watch stream
#   state                       dump of the store (JSON)
#   reset                       delete every pod, service, configmap, node
# k8s_add_node NAME ARGS...     = k8s_ctl add-node NAME ARGS...
# k8s_kubectl ARGS...           kubectl with the emulator's kubeconfig
# k8s_pod_dir NS POD            the pod's work directory (log file "log")
# k8s_wait_phase POD REGEX [SECONDS] [NS]  wait until the pod's status.phase
#                               matches (default 30 s, namespace default)

K8S_TESTS_DIR=${K8S_TESTS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
KUBECTL=${KUBECTL:-/usr/bin/kubectl}

k8s_start() {
	local i
	K8S_RUN_DIR=$(mktemp -d /tmp/sky-k8s.XXXXXX)
	export K8S_RUN_DIR
	setsid python3 "$K8S_TESTS_DIR/k8s_emu.py" --dir "$K8S_RUN_DIR" --port 0 --ctl-port 0 "$@" \
		>"$K8S_RUN_DIR/emu.log" 2>&1 3>&- </dev/null &
	echo $! >"$K8S_RUN_DIR/emu.pid"
	for ((i = 0; i < 150; i++)); do
		[ -s "$K8S_RUN_DIR/ready" ] && break
		kill -0 "$(cat "$K8S_RUN_DIR/emu.pid")" 2>/dev/null || break
		sleep 0.1
	done
	[ -s "$K8S_RUN_DIR/ready" ] || { echo "k8s emulator did not start" >&2; cat "$K8S_RUN_DIR/emu.log" >&2; return 1; }
	# ready holds shell assignments: K8S_URL, K8S_CTL_URL, K8S_TOKEN.
	# shellcheck disable=SC1091
	. "$K8S_RUN_DIR/ready"
	export K8S_URL K8S_CTL_URL K8S_TOKEN
	export KUBECONFIG=$K8S_RUN_DIR/kubeconfig
	export K8S_CA=$K8S_RUN_DIR/ca.crt K8S_CLIENT_CERT=$K8S_RUN_DIR/client.crt \
		K8S_CLIENT_KEY=$K8S_RUN_DIR/client.key
	curl -sf -o /dev/null --max-time 5 "$K8S_CTL_URL/healthz" || { echo "k8s emulator control not answering" >&2; return 1; }
}

k8s_stop() {
	local pid i
	[ -n "${K8S_RUN_DIR:-}" ] || return 0
	pid=$(cat "$K8S_RUN_DIR/emu.pid" 2>/dev/null) || pid=""
	if [ -n "$pid" ]; then
		# TERM first: the emulator kills the pods' process groups it started.
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL -- "-$pid" 2>/dev/null || true
	fi
	# Pods run in their own sessions: if the emulator died, kill them here.
	for pid in $(cat "$K8S_RUN_DIR"/pods/*/pid 2>/dev/null); do
		kill -KILL -- "-$pid" 2>/dev/null || true
	done
	rm -rf "$K8S_RUN_DIR"
	unset K8S_RUN_DIR
}

# k8s_ctl VERB [ARG...]: words are sent as {"args": [...]}, one word starting
# with "{" as the JSON body itself.
k8s_ctl() {
	local verb=$1 body out
	shift
	if [ $# -eq 1 ] && [ "${1:0:1}" = "{" ]; then
		body=$1
	else
		body=$(python3 -c 'import json, sys; print(json.dumps({"args": sys.argv[1:]}))' "$@")
	fi
	out=$(curl -s -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' \
		--data "$body" "$K8S_CTL_URL/$verb") || { echo "k8s_ctl $verb: no answer" >&2; return 1; }
	if [ "${out##*$'\n'}" != 200 ]; then
		echo "k8s_ctl $verb: ${out%$'\n'*}" >&2
		return 1
	fi
	printf '%s\n' "${out%$'\n'*}"
}

k8s_add_node() {
	k8s_ctl add-node "$@" >/dev/null
}

k8s_kubectl() {
	"$KUBECTL" --kubeconfig "$K8S_RUN_DIR/kubeconfig" "$@"
}

k8s_pod_dir() {
	echo "$K8S_RUN_DIR/pods/$1_$2"
}

k8s_wait_phase() {
	local pod=$1 re=$2 limit=${3:-30} ns=${4:-default} ph="" i
	for ((i = 0; i < limit * 5; i++)); do
		ph=$(k8s_kubectl -n "$ns" get pod "$pod" -o 'jsonpath={.status.phase}' 2>/dev/null) || ph=""
		[[ $ph =~ ^($re)$ ]] && return 0
		sleep 0.2
	done
	echo "pod $ns/$pod: phase '$ph' after $limit s, wanted $re" >&2
	return 1
}
