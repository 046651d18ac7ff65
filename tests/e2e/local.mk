# tests/e2e/: bats end-to-end tests against real munged, controller and agents.
# They run programs from the build tree (SKY_BUILDDIR) through contrib/sky-up.
E2E_TESTS = \
	tests/e2e/0010-batch-job-runs.bats \
	tests/e2e/0020-cancel-and-time-limit.bats \
	tests/e2e/0030-users-and-permissions.bats \
	tests/e2e/0040-durability.bats \
	tests/e2e/0050-bad-input.bats \
	tests/e2e/0060-credentials.bats \
	tests/e2e/0070-install.bats
# End of e2e tests
TESTS += $(E2E_TESTS)
EXTRA_DIST += tests/e2e/helpers.bash tests/e2e/raw_rpc.py $(E2E_TESTS) \
	contrib/sky-up contrib/sky-down contrib/install-deps.sh contrib/test-all.sh contrib/demo.sh
