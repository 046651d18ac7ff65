#!/usr/bin/env bats
# The Kubernetes client (slurmctld-sky/k8s_config.c, k8s_exec.c, k8s_api.c)
# authenticating to the API emulator (tests/k8s/k8s.bash) every way a
# kubeconfig can say: client certificate as data and as files, bearer token
# and tokenFile, exec credential plugins (token and client certificate,
# cached (also across threads and a watch), re-run after a 401), in-cluster
# service account, tls-server-name; and refused:
# a wrong token (401), an untrusted server certificate.

load helpers
load ../k8s/k8s

setup_file() { k8s_start; }
teardown_file() { k8s_stop; }

probe() {
	"$SKY_BUILDDIR/tests/k8s/k8s-probe" "$@"
}

# kc NAME USER-YAML [CLUSTER-EXTRA-YAML]: a kubeconfig in the run dir whose
# user is USER-YAML (indented under "user:"), trusting the emulator's CA file.
kc() {
	local f=$K8S_RUN_DIR/$1.kubeconfig user
	# The callers indent their YAML with this file's tabs: YAML wants spaces only.
	user=$(printf '%s\n' "$2" | sed 's/^\t*//')
	cat >"$f" <<-EOF
	apiVersion: v1
	kind: Config
	current-context: t
	clusters:
	- name: emu
	  cluster:
	    server: $K8S_URL
	    ${3:-certificate-authority: ca.crt}
	contexts:
	- name: t
	  context: {cluster: emu, user: u, namespace: batch}
	users:
	- name: u
	  user:
	$user
	EOF
	echo "$f"
}

@test "client certificate as kubeconfig data (current-context) and bearer token (named context)" {
	run probe whoami
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ $output == "server=$K8S_URL context=emu namespace=default auth=cert version=v1."* ]]
	run probe --context emu-token whoami
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ $output == *" context=emu-token namespace=default auth=token "* ]]
}

@test "certificate files relative to the kubeconfig, tokenFile, namespace" {
	local f
	f=$(kc files "    client-certificate: client.crt
	    client-key: ./client.key")
	run probe --kubeconfig "$f" whoami
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ $output == *" context=t namespace=batch auth=cert "* ]]
	printf '%s\n' "$K8S_TOKEN" >"$K8S_RUN_DIR/tok"
	f=$(kc tokfile "    tokenFile: tok")
	run probe --kubeconfig "$f" whoami
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ $output == *" auth=token "* ]]
}

@test "a wrong token is refused with the server's 401 Status" {
	local f
	f=$(kc bad "    token: not-the-token")
	run probe --kubeconfig "$f" get /api/v1/nodes
	[ "$status" -eq 1 ]
	[[ $output == *"k8s-probe: error: Kubernetes GET /api/v1/nodes: HTTP 401 Unauthorized"* ]]
	[[ ${lines[-1]} == "http=401 reason=Unauthorized" ]]
}

@test "an untrusted server certificate fails; insecure-skip-tls-verify accepts it" {
	local f other
	other=$(mktemp -d)
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$other/k" -out "$other/ca.crt" \
		-days 1 -subj /CN=other-ca 2>/dev/null
	f=$(kc untrusted "    token: $K8S_TOKEN" "certificate-authority: $other/ca.crt")
	run probe --kubeconfig "$f" get /version
	[ "$status" -eq 1 ]
	[[ $output == *"k8s-probe: error: Kubernetes GET $K8S_URL/version: "*"certificate"* ]]
	f=$(kc insecure "    token: $K8S_TOKEN" "insecure-skip-tls-verify: true")
	run probe --kubeconfig "$f" get /version
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ $output == *'"gitVersion"'* ]]
	rm -rf "$other"
}

@test "exec plugin: token cached until its expiry, args and env passed" {
	local f plugin=$K8S_RUN_DIR/plugin.sh exp
	exp=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
	cat >"$plugin" <<-EOF
	#!/bin/sh
	echo "run \$* MODE=\$MODE" >>$K8S_RUN_DIR/plugin.log
	printf '%s\n' "\$KUBERNETES_EXEC_INFO" >$K8S_RUN_DIR/exec_info
	printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}\n' "$K8S_TOKEN" "$exp"
	EOF
	chmod +x "$plugin"
	f=$(kc exec "    exec:
	      apiVersion: client.authentication.k8s.io/v1
	      command: ./plugin.sh
	      args: [token, --cluster, emu]
	      env: [{name: MODE, value: test}]
	      interactiveMode: Never
	      provideClusterInfo: true")
	run probe --kubeconfig "$f" repeat 5 /api/v1/nodes
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$output" = "requests=5 exec_runs=1" ]
	[ "$(cat "$K8S_RUN_DIR/plugin.log")" = "run token --cluster emu MODE=test" ]
	python3 - "$K8S_RUN_DIR/exec_info" "$K8S_URL" <<-'EOF'
	import json, sys
	info = json.load(open(sys.argv[1]))
	assert info["kind"] == "ExecCredential", info
	assert info["spec"]["interactive"] is False, info
	assert info["spec"]["cluster"]["server"] == sys.argv[2], info
	EOF
	# Threads (a client each) and a watch share the config: still one plugin run.
	: >"$K8S_RUN_DIR/plugin.log"
	k8s_add_node par-1 --preset gke:l4:1
	run probe --kubeconfig "$f" parallel 4 10 par-1
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "${lines[-1]}" = "requests=40 ok=40 watch_events=1 exec_runs=1" ]
	[ "$(wc -l <"$K8S_RUN_DIR/plugin.log")" -eq 1 ]
}

@test "exec plugin: client certificate data; a token refused with 401 makes it run again" {
	local f plugin=$K8S_RUN_DIR/plugin2.sh
	# First run: a stale token (401). Second run: the client certificate.
	cat >"$plugin" <<-EOF
	#!/bin/sh
	n=\$(cat $K8S_RUN_DIR/runs 2>/dev/null || echo 0); echo \$((n + 1)) >$K8S_RUN_DIR/runs
	if [ "\$n" = 0 ]; then
		echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"stale"}}'
		exit 0
	fi
	python3 -c 'import json,sys; print(json.dumps({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"clientCertificateData":open(sys.argv[1]).read(),"clientKeyData":open(sys.argv[2]).read()}}))' "$K8S_CLIENT_CERT" "$K8S_CLIENT_KEY"
	EOF
	chmod +x "$plugin"
	f=$(kc exec2 "    exec:
	      apiVersion: client.authentication.k8s.io/v1beta1
	      command: $plugin")
	run probe --kubeconfig "$f" repeat 3 /api/v1/nodes
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$output" = "requests=3 exec_runs=2" ]
	# A plugin that fails is reported with its exit status.
	f=$(kc exec3 "    exec:
	      apiVersion: client.authentication.k8s.io/v1
	      command: /bin/false")
	run probe --kubeconfig "$f" get /version
	[ "$status" -eq 1 ]
	[[ $output == *"exec plugin /bin/false exited with status 1"* ]]
}

@test "in-cluster service account: env, token, ca.crt, namespace" {
	local sa=$K8S_RUN_DIR/sa port=${K8S_URL##*:}
	mkdir -p "$sa"
	printf '%s' "$K8S_TOKEN" >"$sa/token"
	cp "$K8S_CA" "$sa/ca.crt"
	echo slurm >"$sa/namespace"
	run env KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT="$port" \
		"$SKY_BUILDDIR/tests/k8s/k8s-probe" --in-cluster "$sa" whoami
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ $output == "server=https://127.0.0.1:$port context=- namespace=slurm auth=token "* ]]
	run probe --in-cluster "$sa" whoami
	[ "$status" -eq 1 ]
	[[ $output == *"KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set"* ]]
}

@test "tls-server-name: the certificate is checked against that name" {
	local f
	f=$(kc sni "    token: $K8S_TOKEN" "tls-server-name: kubernetes.default.svc")
	sed -i 's|^    tls-server-name|    certificate-authority: ca.crt\n    tls-server-name|' "$f"
	run probe --kubeconfig "$f" get /version
	[ "$status" -eq 0 ] || { echo "$output"; cat "$f"; false; }
	sed -i 's|kubernetes.default.svc|wrong.example|' "$f"
	run probe --kubeconfig "$f" get /version
	[ "$status" -eq 1 ]
	[[ $output == *"wrong.example"* ]]
}
