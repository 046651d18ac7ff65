#!/usr/bin/env bats
# Identity comes only from a munge credential bound to the message: fresh
# credentials pass; replayed, expired, missing or lifted ones are rejected
# (SKY_E_AUTH = 6) and the controller keeps serving. Also: the TCP listener.
load helpers

setup_file() { sky_start --nodes 1 --cpus-per-node 1 --tcp-port "$((20000 + RANDOM % 20000))"; }
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

SKY_E_AUTH=6
conf_value() { sed -n "s/^$1=//p" "$SLURM_SKY_CONF" | head -n1; }
raw() { python3 "$BATS_TEST_DIRNAME/raw_rpc.py" "$(conf_value SlurmctldSocket)" \
	"$(conf_value AuthInfo | sed 's/^socket=//')" "$@"; }

@test "a fresh credential is accepted" {
	run raw fresh
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
}

@test "a replayed credential is rejected" {
	run raw replay
	[ "$status" -eq 0 ]
	[ "$output" = "0 $SKY_E_AUTH" ]
}

@test "a credential made for another message is rejected" {
	run raw mismatch
	[ "$status" -eq 0 ]
	[ "$output" = "$SKY_E_AUTH" ]
}

@test "an expired credential is rejected" {
	run raw expired
	[ "$status" -eq 0 ]
	[ "$output" = "$SKY_E_AUTH" ]
}

@test "a request without a credential is rejected" {
	run raw none
	[ "$status" -eq 0 ]
	[ "$output" = "$SKY_E_AUTH" ]
	run scontrol ping
	[ "$status" -eq 0 ]
}

@test "commands reach the controller over TCP when there is no Unix socket" {
	d=$SKY_DIR/tcp
	mkdir -p "$d"
	sed "s|^SlurmctldSocket=.*|SlurmctldSocket=$d/absent.sock|" "$SLURM_SKY_CONF" > "$d/slurm.conf"
	cd "$SKY_WORK"
	id=$(SLURM_SKY_CONF=$d/slurm.conf sbatch --parsable --wrap 'echo over-tcp')
	wait_state "$id" COMPLETED
	wait_file "slurm-$id.out"
	[ "$(cat "slurm-$id.out")" = over-tcp ]
	SLURM_SKY_CONF=$d/slurm.conf run squeue -h -t all -j "$id" -o %T
	[ "$output" = COMPLETED ]
}
