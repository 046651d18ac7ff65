# Shared by the pod-watch tests (tests/e2e/0976-0979, slurmctld-sky/
# prov_k8s_pods.c): an instance of `sky-up --k8s-emulator` with two CPU-only
# Kubernetes nodes (cpu-0, cpu-1) behind slots k8s-[0-1], so that jobs start
# at once and need no GPU; the helpers of k8s-sky-helpers.bash apply.
load k8s-sky-helpers

setup_file() {
	k8s_sky_start --k8s-slots 2 --k8s-node "cpu-0 --preset cpu --cpu 8 --memory 32Gi" \
		--k8s-node "cpu-1 --preset cpu --cpu 8 --memory 32Gi"
}
teardown_file() { sky_stop; }
# A test that failed while the controller was stopped (kill -STOP) must not leave it so.
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { kill -CONT "$(ctld_pid)" 2>/dev/null; sky_logs; k8s_logs; sky_cancel_all; }; }

# wait_log TEXT: until the controller's log has it (10 s).
wait_log() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q "$1" "$SKY_INST/log/slurmctld.log" && return 0
		sleep 0.1
	done
	echo "no '$1' in the controller's log" >&2
	return 1
}
