# tests/e2e/: bats end-to-end tests.
