# tests/e2e/: bats end-to-end tests against real munged, controller and agents.
# They run programs from the build tree (SKY_BUILDDIR) through contrib/sky-up.
E2E_TESTS = \
	tests/e2e/0010-batch-job-runs.bats \
	tests/e2e/0020-cancel-and-time-limit.bats \
	tests/e2e/0030-users-and-permissions.bats \
	tests/e2e/0040-durability.bats \
	tests/e2e/0050-bad-input.bats \
	tests/e2e/0060-credentials.bats \
	tests/e2e/0070-install.bats \
	tests/e2e/0200-sacct.bats \
	tests/e2e/0300-task-yaml.bats \
	tests/e2e/0310-job-env.bats \
	tests/e2e/0110-arrays.bats \
	tests/e2e/0120-dependencies.bats \
	tests/e2e/0130-array-depend-config.bats \
	tests/e2e/0410-signal-and-requeue.bats \
	tests/e2e/0420-hold-begin-deadline.bats \
	tests/e2e/0430-scontrol-update.bats \
	tests/e2e/0440-query-output.bats \
	tests/e2e/0500-side-by-side.bats \
	tests/e2e/0720-multinode-alloc.bats \
	tests/e2e/0730-node-failure.bats \
	tests/e2e/0740-netns.bats \
	tests/e2e/0830-ec2-client-roundtrip.bats \
	tests/e2e/0835-ec2-client-faults.bats \
	tests/e2e/0840-ec2-credentials.bats \
	tests/e2e/0845-ec2-signature.bats \
	tests/e2e/0800-power-save-cycle.bats \
	tests/e2e/0805-power-order-and-control.bats \
	tests/e2e/0810-resume-timeout.bats \
	tests/e2e/0815-suspend-exclusions.bats \
	tests/e2e/0820-power-config.bats \
	tests/e2e/0825-power-restart.bats \
	tests/e2e/0850-aws-burst.bats \
	tests/e2e/0855-aws-config.bats \
	tests/e2e/0860-aws-failover.bats \
	tests/e2e/0865-aws-recovery.bats \
	tests/e2e/0866-aws-spot-notice.bats \
	tests/e2e/0870-cost-program.bats \
	tests/e2e/0871-cost-aws.bats \
	tests/e2e/0900-sacctmgr.bats \
	tests/e2e/0905-assoc-limits.bats \
	tests/e2e/0906-assoc-time-limits.bats \
	tests/e2e/0907-assoc-cost-limit.bats \
	tests/e2e/0910-fairshare.bats \
	tests/e2e/0915-priority-tier.bats \
	tests/e2e/0920-assoc-gres.bats \
	tests/e2e/0925-backfill.bats \
	tests/e2e/0926-backfill-builtin.bats \
	tests/e2e/0927-backfill-reasons.bats \
	tests/e2e/0928-backfill-limits.bats \
	tests/e2e/0935-qos-sacctmgr.bats \
	tests/e2e/0936-qos-enforce.bats \
	tests/e2e/0937-qos-priority.bats \
	tests/e2e/0938-qos-gres-restart.bats \
	tests/e2e/0510-constraint-and-array-tasks.bats \
	tests/e2e/0520-mail.bats \
	tests/e2e/0530-export-file-and-priority.bats \
	tests/e2e/0600-srun-steps.bats \
	tests/e2e/0610-srun-control.bats \
	tests/e2e/0620-srun-users-spank.bats \
	tests/e2e/0650-gpu-isolation.bats \
	tests/e2e/0655-gpu-per-task.bats \
	tests/e2e/0660-gpu-requests.bats \
	tests/e2e/0670-gpu-discovery.bats \
	tests/e2e/0680-gpu-restart.bats \
	tests/e2e/0690-spank-real-slurm.bats \
	tests/e2e/0700-spank-sky.bats \
	tests/e2e/0710-spank-site-plugin.bats
# End of e2e tests
TESTS += $(E2E_TESTS)
EXTRA_DIST += tests/e2e/helpers.bash tests/e2e/raw_rpc.py $(E2E_TESTS) \
	tests/e2e/power-helpers.bash tests/e2e/power-resume.sh tests/e2e/power-suspend.sh \
	tests/e2e/power-resume-fail.sh \
	tests/e2e/aws-burst-helpers.bash tests/aws/vm_sim.py \
	contrib/sky-up contrib/sky-down contrib/install-deps.sh contrib/test-all.sh contrib/demo.sh
# Kubernetes API emulator (tests/k8s/) driven by the real kubectl: 0950-0959.
E2E_TESTS += \
	tests/e2e/0950-k8s-emu-nodes-auth.bats \
	tests/e2e/0951-k8s-emu-pods.bats \
	tests/e2e/0952-k8s-emu-watch.bats \
	tests/e2e/0953-k8s-emu-faults.bats \
	tests/e2e/0954-k8s-emu-auth-modes.bats
EXTRA_DIST += tests/k8s/README.md tests/k8s/k8s.bash tests/k8s/k8s_emu.py tests/k8s/emu_api.py \
	tests/k8s/emu_nodes.py tests/k8s/emu_objects.py tests/k8s/emu_pods.py tests/k8s/emu_proto.py \
	tests/k8s/emu_store.py tests/k8s/emu_table.py
# The Kubernetes client (slurmctld-sky/k8s_*.c) through tests/k8s/k8s-probe: 0960-0969.
E2E_TESTS += \
	tests/e2e/0960-k8s-client-auth.bats \
	tests/e2e/0961-k8s-client-nodes.bats \
	tests/e2e/0962-k8s-client-pods.bats \
	tests/e2e/0963-k8s-client-watch.bats \
	tests/e2e/0964-k8s-client-retries.bats
# The Kubernetes provider's pods (launch, env, cancel): 0973-0975.
E2E_TESTS += \
	tests/e2e/0973-k8s-launch-one.bats \
	tests/e2e/0974-k8s-launch-gpu.bats \
	tests/e2e/0975-k8s-cancel.bats
EXTRA_DIST += tests/e2e/k8s-launch-helpers.bash
# The Kubernetes provider's pod watch (job ends, logs, garbage collection): 0976-0979.
E2E_TESTS += \
	tests/e2e/0976-k8s-job-end.bats \
	tests/e2e/0977-k8s-pod-lost.bats \
	tests/e2e/0978-k8s-watch-restart.bats \
	tests/e2e/0979-k8s-garbage.bats
EXTRA_DIST += tests/e2e/k8s-pods-helpers.bash
# The Kubernetes provider's discovery, restarts and record checks (issue 7).
E2E_TESTS += \
	tests/e2e/0970-k8s-discovery.bats \
	tests/e2e/0971-k8s-restart.bats \
	tests/e2e/0972-k8s-config.bats
# The Kubernetes provider through contrib/sky-up --k8s-emulator: 0980-0989.
E2E_TESTS += \
	tests/e2e/0980-k8s-sky-up.bats \
	tests/e2e/0981-k8s-multinode-job.bats \
	tests/e2e/0982-k8s-task-yaml.bats \
	tests/e2e/0983-k8s-and-ec2.bats \
	tests/e2e/0984-k8s-sky-up-options.bats \
	tests/e2e/0985-k8s-emu-name-reuse.bats
EXTRA_DIST += tests/e2e/k8s-sky-helpers.bash
