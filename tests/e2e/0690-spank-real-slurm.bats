#!/usr/bin/env bats
# The sky_dist SPANK plugin (spank/sky_dist.so, as built) loaded unmodified
# by a real Slurm (Debian's slurm-wlm 22.05, bench/slurm-up.sh --plugstack):
# srun tasks get their ranks, sbatch and srun accept the plugin's options,
# steps inside a batch job replace the batch step's values, and the same
# single-node batch job gives the same variables under real Slurm and under
# slurmd-sky (same plugstack.conf).
load helpers

PLUGIN=${SKY_BUILDDIR}/spank/sky_dist.so
VARS='^(MASTER_ADDR|MASTER_PORT|WORLD_SIZE|RANK|LOCAL_RANK|LOCAL_WORLD_SIZE|NODE_RANK|GROUP_RANK|SKYPILOT_NODE_RANK|SKYPILOT_NODE_IPS|SKYPILOT_NUM_NODES|SKYPILOT_NUM_GPUS_PER_NODE|JAX_COORDINATOR_ADDRESS|JAX_NUM_PROCESSES|JAX_PROCESS_ID)='

setup_file() {
	REAL_DIR=$(mktemp -d /tmp/sky-spank-real.XXXXXX)
	chmod 755 "$REAL_DIR"
	export REAL_DIR REAL_SKIP="" REAL_CONF=""
	echo "required $PLUGIN port_range=31000-31099" >"$REAL_DIR/plugstack.conf"
	local out
	if ! out=$("$SKY_SRCDIR/bench/slurm-up.sh" "$REAL_DIR/slurm" --plugstack "$REAL_DIR/plugstack.conf" \
		2>"$REAL_DIR/up.log"); then
		REAL_SKIP="real Slurm did not start (bench/slurm-up.sh): $(tail -n 1 "$REAL_DIR/up.log")"
		return 0
	fi
	REAL_CONF=$(sed -n 's/^export SLURM_CONF="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' <<<"$out")
	[ -f "$REAL_CONF" ] || { REAL_SKIP="bench/slurm-up.sh printed no SLURM_CONF"; return 0; }
	mkdir -p "$REAL_DIR/work"
	sky_start --nodes 1 --cpus-per-node 2 --kill-wait 2 --set "PlugStackConfig=$REAL_DIR/plugstack.conf"
}
teardown_file() {
	[ -n "${REAL_CONF:-}" ] && "$SKY_SRCDIR/bench/slurm-down.sh" "$REAL_DIR/slurm" >/dev/null 2>&1
	sky_stop
	rm -rf "$REAL_DIR"
}
setup() { [ -z "$REAL_SKIP" ] || skip "$REAL_SKIP"; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { sky_logs; tail -n 20 "$REAL_DIR"/slurm/log/*.log; }; }

# real CMD...: a real Slurm command (by path: our bin directory is first in PATH).
real() { env SLURM_CONF="$REAL_CONF" PATH=/usr/bin:/bin "$@"; }

@test "real srun: each task gets its rank, the world size and the master address" {
	cd "$REAL_DIR/work"
	run real timeout 60 srun -n2 -l bash -c 'echo "$SLURM_JOB_ID $RANK $LOCAL_RANK $WORLD_SIZE $LOCAL_WORLD_SIZE $NODE_RANK $GROUP_RANK $MASTER_ADDR $MASTER_PORT $SKYPILOT_NUM_NODES $SKYPILOT_NODE_IPS $JAX_COORDINATOR_ADDRESS $JAX_NUM_PROCESSES $JAX_PROCESS_ID"'
	[ "$status" -eq 0 ]
	local id port
	id=$(sed -n 's/^0: \([0-9]*\) .*/\1/p' <<<"$output")
	port=$((31000 + id % 100))
	[ "$(sort <<<"$output")" = "0: $id 0 0 2 2 0 0 127.0.0.1 $port 1 127.0.0.1 127.0.0.1:$port 2 0
1: $id 1 1 2 2 0 0 127.0.0.1 $port 1 127.0.0.1 127.0.0.1:$port 2 1" ]
}

@test "real srun and sbatch accept --dist-port and --no-dist-env from the plugin" {
	cd "$REAL_DIR/work"
	run real timeout 60 srun -n1 --dist-port=29600 printenv MASTER_PORT JAX_COORDINATOR_ADDRESS
	[ "$status" -eq 0 ]
	[ "$output" = "29600
127.0.0.1:29600" ]
	run real timeout 60 srun -n1 --no-dist-env bash -c 'echo "${RANK-unset} ${MASTER_ADDR-unset}"'
	[ "$output" = "unset unset" ]
	run real srun --help
	[[ $output == *"--dist-port=port"* ]]
	[[ $output == *"--no-dist-env"* ]]
}

@test "real sbatch: #SBATCH --dist-port reaches the job; srun steps inside get their own ranks" {
	cd "$REAL_DIR/work"
	cat >steps.sh <<'SCRIPT'
#!/bin/bash
#SBATCH -n 2
#SBATCH --dist-port=29777
#SBATCH -o steps.out
echo "batch $RANK $WORLD_SIZE $MASTER_PORT"
srun bash -c 'echo "step $RANK $LOCAL_RANK $WORLD_SIZE $MASTER_PORT"' | sort
SCRIPT
	run real timeout 90 sbatch --wait steps.sh
	[ "$status" -eq 0 ]
	[ "$(cat steps.out)" = "batch 0 2 29777
step 0 0 2 29777
step 1 1 2 29777" ]
}

@test "the same single-node batch job gives the same variables under real Slurm and slurmd-sky" {
	local cmd="env | grep -E '$VARS' | sort"
	cd "$REAL_DIR/work"
	run real timeout 60 sbatch --wait -n2 --dist-port=29700 -o real.out --wrap "$cmd"
	[ "$status" -eq 0 ]
	cd "$SKY_WORK"
	local id
	id=$(sbatch --parsable -n2 --dist-port=29700 -o sky.out --wrap "$cmd")
	wait_state "$id" COMPLETED 30
	[ -s "$REAL_DIR/work/real.out" ]
	diff -u "$REAL_DIR/work/real.out" "$SKY_WORK/sky.out"
	grep -qx 'RANK=0' "$SKY_WORK/sky.out"
	grep -qx 'WORLD_SIZE=2' "$SKY_WORK/sky.out"
	grep -qx 'MASTER_PORT=29700' "$SKY_WORK/sky.out"
}
