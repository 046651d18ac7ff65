#!/usr/bin/env bats
# srun steps run as the job's user (and only the job's user may add steps),
# and the SPANK plugins of plugstack.conf run around every srun task: the
# sky_dist plugin gives each task of a 2-node step its own RANK, LOCAL_RANK,
# NODE_RANK with the step's WORLD_SIZE (issue 4, srun + SPANK); with
# --gpus-per-task each task sees only its own share of the node's GPUs.
load helpers

PLUGIN=${SKY_BUILDDIR}/spank/sky_dist.so

setup_file() {
	PS_DIR=$(mktemp -d /tmp/sky-srun-spank.XXXXXX)
	chmod 755 "$PS_DIR"
	export PS_DIR
	echo "required $PLUGIN port_range=31000-31099" >"$PS_DIR/plugstack.conf"
	sky_start --nodes 2 --cpus-per-node 2 --kill-wait 2 --gres gpu:4 \
		--set "PlugStackConfig=$PS_DIR/plugstack.conf"
}
teardown_file() { sky_stop; rm -rf "$PS_DIR"; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { cat "$SKY_WORK"/*.out 2>/dev/null; sky_logs; sky_cancel_all; }; }

@test "every srun task gets its own torch variables from the SPANK plugin" {
	[ -f "$PLUGIN" ]
	cd "$SKY_WORK"
	id=$(sbatch --parsable -N2 -n4 -o sp.out --wrap \
		'srun -l sh -c '\''echo $RANK $LOCAL_RANK $NODE_RANK $WORLD_SIZE $LOCAL_WORLD_SIZE $MASTER_PORT'\''')
	wait_state "$id" COMPLETED 30
	port=$((31000 + id % 100))
	[ "$(sort sp.out)" = "0: 0 0 0 4 2 $port
1: 1 1 0 4 2 $port
2: 2 0 1 4 2 $port
3: 3 1 1 4 2 $port" ]
}

@test "a step runs as the job's user; another user cannot add steps to the job" {
	ensure_test_user
	cd "$SKY_WORK"
	run as_test_user srun -N2 -l -o "own-%t.out" sh -c 'id -un'
	[ "$status" -eq 0 ]
	[ "$(cat own-0.out own-1.out)" = "$(printf '%s\n%s' "$SKY_TEST_USER" "$SKY_TEST_USER")" ]
	[ "$(stat -c %U own-1.out)" = "$SKY_TEST_USER" ]
	m=$((3000000 + RANDOM))
	id=$(sbatch --parsable -n1 -o /dev/null --wrap "sleep $m")
	wait_state "$id" RUNNING 10
	run as_test_user srun --jobid "$id" true
	[ "$status" -eq 1 ]
	[ "$output" = "srun: error: Unable to create step for job $id: Access/permission denied" ]
	scancel "$id"
}

@test "--gpus-per-task gives each task of a step its own GPUs of the node" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -N2 -n4 --gres=gpu:2 -o gpt.out --wrap '
srun -l printenv CUDA_VISIBLE_DEVICES
echo ---
srun -l --gpus-per-task=1 printenv CUDA_VISIBLE_DEVICES
echo ---
srun --ntasks-per-node=1 -l printenv SLURMD_NODENAME')
	wait_state "$id" COMPLETED 30
	[ "$(sed -n '1,/^---$/p' gpt.out | sort | tr '\n' ' ')" = "--- 0: 0,1 1: 0,1 2: 0,1 3: 0,1 " ]
	[ "$(sed -n '/^---$/,/^---$/p' gpt.out | sort -u | tr '\n' ' ')" = "--- 0: 0 1: 1 2: 0 3: 1 " ]
	[ "$(sed -n '/^---$/,$p' gpt.out | sed 1,/^---$/d | sort | tr '\n' ' ')" = "0: node1 1: node2 " ]
}
