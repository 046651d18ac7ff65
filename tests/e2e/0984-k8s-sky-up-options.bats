#!/usr/bin/env bats
# sky-up --k8s-emulator's options: --k8s-node replaces the emulated nodes
# (any distribution's labels, as the emulator's add-node takes them),
# --k8s-slots sizes the slot range, --k8s-price prices the capacity (shown on
# the slots); bad combinations are refused before anything starts, and an
# emulator that cannot start is reported.
load helpers
load k8s-sky-helpers

setup_file() {
	k8s_sky_start --k8s-slots 3 --k8s-price 2.5 \
		--k8s-node "cw-a100-0 --preset coreweave:a100-80gb:4 --cpu 24 --memory 192Gi" \
		--k8s-node "plain-0 --preset plain:t4:2 --cpu 4 --memory 16Gi"
}
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { sky_logs; k8s_logs; sky_cancel_all; }; }

@test "--k8s-node and --k8s-slots: those nodes only, in that many slots" {
	[ "$(kubectl get nodes -o name | sort | tr '\n' ' ')" = "node/cw-a100-0 node/plain-0 " ]
	grep -qx 'NodeName=k8s-\[0-2\] State=CLOUD Provider=kube' "$SLURM_SKY_CONF"
	run sinfo -h -p k8s -N -o '%N %t %G %c'
	echo "$output"
	[ "${#lines[@]}" -eq 3 ]
	[ "$(node_field "$(slot_of cw-a100-0)" Gres)" = gpu:a100-80gb:4 ]
	[ "$(node_field "$(slot_of cw-a100-0)" CPUTot)" = 24 ]
	[ "$(node_field "$(slot_of plain-0)" Gres)" = gpu:t4:2 ]
	[ "$(sinfo -h -p k8s -N -o '%t' | sort | tr '\n' ' ')" = "idle idle idle~ " ]
}

@test "--k8s-price: the record's Price=, each slot priced per GPU-hour" {
	grep -q '^ProviderName=kube Type=kubernetes .* Price=2.5$' "$SLURM_SKY_CONF"
	[ "$(node_field "$(slot_of cw-a100-0)" Price)" = 10.0000 ]
	[ "$(node_field "$(slot_of plain-0)" Price)" = 5.0000 ]
}

@test "a job on a priced slot runs there and is charged its price" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p k8s --gres=gpu:t4:2 -o "t4-%j.out" --wrap 'echo "gpus=$SLURM_GPUS_ON_NODE"; sleep 3')
	wait_state "$id" COMPLETED 60
	[ "$(job_field "$id" %N)" = "$(slot_of plain-0)" ]
	wait_file "t4-$id.out"
	[ "$(cat "t4-$id.out")" = "gpus=2" ]
	# $5 an hour for a few seconds: more than nothing, less than ten cents.
	cost=$(scontrol_field "$id" Cost)
	[[ $cost =~ ^0\.0[0-9]{3}$ ]]
	[ "$cost" != 0.0000 ]
	wait_no_objects "$id" 30
}

@test "sky-up refuses bad --k8s options before starting anything" {
	d=$SKY_DIR/bad
	run "$SKY_SRCDIR/contrib/sky-up" "$d" --k8s-node "x --preset cpu"
	[ "$status" -eq 1 ]
	[ "$output" = "sky-up: error: --k8s-node needs --k8s-emulator" ]
	run "$SKY_SRCDIR/contrib/sky-up" "$d" --k8s-emulator --k8s-slots 0
	[ "$output" = "sky-up: error: --k8s-slots must be a positive number, not '0'" ]
	run "$SKY_SRCDIR/contrib/sky-up" "$d" --k8s-emulator --k8s-price cheap
	[ "$output" = "sky-up: error: --k8s-price must be dollars per GPU-hour, not 'cheap'" ]
	run "$SKY_SRCDIR/contrib/sky-up" "$d" --k8s-emulator --k8s-node "Bad_Name"
	[ "$status" -eq 1 ]
	[[ $output == "sky-up: error: --k8s-node takes "* ]]
	run "$SKY_SRCDIR/contrib/sky-up" "$d" --k8s-emulator --k8s-slots 1 \
		--k8s-node "a --preset cpu" --k8s-node "b --preset cpu"
	[ "$output" = "sky-up: error: 2 emulated nodes need --k8s-slots 2 at least" ]
	[ ! -e "$d/slurm.conf" ]
}

@test "an emulator that cannot start is reported, and sky-down cleans up" {
	d=$SKY_DIR/noemu
	printf 'import sys\nsys.exit("emulator: no luck")\n' > "$SKY_DIR/broken_emu.py"
	SKY_K8S_EMU=$SKY_DIR/broken_emu.py run "$SKY_SRCDIR/contrib/sky-up" "$d" --k8s-emulator
	[ "$status" -eq 1 ]
	[ "$output" = "sky-up: error: the Kubernetes emulator did not start (see $d/log/k8s_emu.log)" ]
	grep -q "no luck" "$d/log/k8s_emu.log"
	# sky-up had started munged already: sky-down stops it.
	munged_pid=$(cat "$d/run/munged.pid")
	kill -0 "$munged_pid"
	run "$SKY_SRCDIR/contrib/sky-down" "$d"
	[ "$status" -eq 0 ]
	run kill -0 "$munged_pid"
	[ "$status" -ne 0 ]
}
