#!/usr/bin/env bats
# The emulator's authentication is configurable: --auth token refuses
# client certificates (401) and accepts each --token given; --auth cert
# refuses every bearer token. Checked with the real kubectl.

load helpers
load ../k8s/k8s

teardown() { k8s_stop; }

@test "--auth token: client certificate refused, every listed token accepted" {
	k8s_start --auth token --token first-token --token second-token
	k8s_add_node n0
	[ "$K8S_TOKEN" = first-token ]
	run kubectl --context emu get nodes
	[ "$status" -ne 0 ]
	[[ $output == *"You must be logged in to the server"* ]] || { echo "$output"; false; }
	run kubectl --context emu-token get nodes -o name
	[ "$output" = node/n0 ] || { echo "$output"; false; }
	run kubectl --context emu-token --token second-token get nodes -o name
	[ "$output" = node/n0 ] || { echo "$output"; false; }
	run kubectl --context emu-token --token third-token get nodes -o name
	[ "$status" -ne 0 ]
	[ "$(cat "$K8S_RUN_DIR/token")" = first-token ]
}

@test "--auth cert: bearer tokens refused, the client certificate accepted" {
	k8s_start --auth cert
	run kubectl --context emu-token get nodes
	[ "$status" -ne 0 ]
	[[ $output == *"You must be logged in to the server"* ]] || { echo "$output"; false; }
	run kubectl --context emu get namespaces -o name
	[ "$status" -eq 0 ]
	[[ $output == *namespace/default* ]] || { echo "$output"; false; }
	# kubeconfig variants a client must honour: CA and client cert as files.
	kubectl config --kubeconfig "$BATS_TEST_TMPDIR/kc" set-cluster c --server "$K8S_URL" \
		--certificate-authority "$K8S_CA"
	kubectl config --kubeconfig "$BATS_TEST_TMPDIR/kc" set-credentials u \
		--client-certificate "$K8S_CLIENT_CERT" --client-key "$K8S_CLIENT_KEY"
	kubectl config --kubeconfig "$BATS_TEST_TMPDIR/kc" set-context x --cluster c --user u
	run kubectl --kubeconfig "$BATS_TEST_TMPDIR/kc" --context x get ns default -o name
	[ "$output" = namespace/default ] || { echo "$output"; false; }
}
