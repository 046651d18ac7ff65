#!/usr/bin/env bats
# Cost and placement with the AWS provider against moto (tests/aws/, the
# harness of 085x): sbatch --test-only shows the offering the optimizer
# would launch and its price, the instances' prices show in scontrol and
# sinfo, and the job's Cost is their hourly price times its Elapsed.
load helpers
load aws-burst-helpers

setup_file() {
	aws_sky_start --aws-suspend-time 30 --set SuspendTimeout=2 --set ResumeTimeout=60
}
teardown_file() { aws_sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { sky_logs; sim_log; aws_log; sky_cancel_all; }; }

# dollars MICRO: micro-dollars as sacct prints them.
dollars() { awk -v m="$1" 'BEGIN { printf "%.4f", m / 1e6 }'; }

@test "sbatch --test-only: the cheapest fitting offering and its price, nothing launched" {
	read -r type zone market price < <(offerings a100 8 | head -n1)
	region=${zone%?}
	run sbatch --test-only -p cloud -N 2 --gres=gpu:a100:8 --wrap true
	[ "$status" -eq 0 ]
	[[ $output == *" in partition cloud, placement aws/$region/$zone $type $market \$$(dollars "$price")/h x2 = \$$(dollars $((2 * price)))/h" ]]
	sleep 1.5
	[ -z "$(run_zones)" ]
	[ -z "$(moto_instances)" ]
}

@test "a 2-node burst: instance prices on the nodes, Cost = their price x Elapsed" {
	read -r type zone market price < <(offerings a100 8 | head -n1)
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p cloud -N 2 --gres=gpu:a100:8 -A ml -o /dev/null --wrap 'sleep 3')
	wait_state "$id" RUNNING 40
	[ "$(node_field aws-gpu-1 Price)" = "$(dollars "$price")" ]
	[ "$(node_field aws-gpu-2 Market)" = "$market" ]
	[ "$(sinfo -h -N -n aws-gpu-1 -o '%y %k %q %j')" = "$type $zone $market $(dollars "$price")" ]
	[[ $(scontrol show job "$id") == *$'\n   Placement=aws/'*" $type $market \$$(dollars "$price")/h x2 = \$$(dollars $((2 * price)))/h Cost="* ]]
	wait_state "$id" COMPLETED 30
	e=$(sacct -X -P -n -j "$id" -o ElapsedRaw)
	[ "$e" -ge 3 ]
	want=$(awk -v p="$price" -v e="$e" 'BEGIN { printf "%.4f", int(2 * p * e / 3600 + 0.5) / 1e6 }')
	[ "$(sacct -X -P -n -j "$id" -o Account,Cost)" = "ml|$want" ]
	run sacct -X -P -n -j "$id" --account-totals
	[ "$output" = "ml|$want" ]
}

@test "a spot preemption: the requeued job keeps its first run's cost and adds the rerun's" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p cloud -N 2 --gres=gpu:a100:8 -A ml -o pre.out --open-mode=append \
		--wrap 'echo "run ${SLURM_RESTART_COUNT:-0}"; [ "${SLURM_RESTART_COUNT:-0}" = 0 ] && sleep 120; sleep 2')
	wait_state "$id" RUNNING 40
	wait_file pre.out 10
	sleep 2
	# The first run's hourly price, from its nodes (they may be test 2's, up
	# already, so the job has no placement of its own): the rerun is placed
	# afresh, in another zone, at another price.
	total1=$(sinfo -h -N -n "$(job_field "$id" %N)" -o %j | awk '{ t += $1 } END { print t }')
	[ -n "$total1" ]
	node=$(scontrol show hostnames "$(job_field "$id" %N)" | tail -n1)
	iid=$(moto_instances running | awk -v n="$node" '$5 == n { print $1 }')
	[ -n "$iid" ]
	ec2_probe terminate "$iid"
	wait_state "$id" COMPLETED 60
	[ "$(scontrol_field "$id" Restarts)" = 1 ]
	# The placement of the rerun and its hourly price for the whole job.
	total=$(scontrol show job "$id" | sed -n 's/^   Placement=aws\/.* = \$\([0-9.]*\)\/h Cost=.*/\1/p')
	[ -n "$total" ]
	e2=$(sacct -X -P -n -j "$id" -o ElapsedRaw)
	cost=$(sacct -X -P -n -j "$id" -o Cost)
	# What is left after the rerun is the first run: at least 2 s on two
	# nodes, at the first run's price.
	echo "cost $cost, rerun \$$total/h for ${e2}s, first run at \$$total1/h"
	awk -v c="$cost" -v t="$total" -v e="$e2" -v t1="$total1" 'BEGIN {
		first = c - t * e / 3600
		exit !(first >= t1 * 2 / 3600 - 0.0002 && first < t1 * 60 / 3600) }'
}
