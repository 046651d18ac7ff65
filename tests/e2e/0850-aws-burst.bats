#!/usr/bin/env bats
# The AWS provider end to end against moto (tests/aws/): a user's unchanged
# `sbatch --gres=gpu:a100:8 -N 2` on the elastic partition `cloud` powers up
# two slots (idle~ -> alloc#, job CONFIGURING), RunInstances launches two
# instances of the catalog's cheapest fitting offering with our tags and
# user-data, the VM player boots them (slurmd-sky from the user-data), the job
# runs on both nodes and completes; after SuspendTime idle the instances are
# terminated and the slots are idle~ again.
load helpers
load aws-burst-helpers

setup_file() {
	# VMs take 2 s to boot, so that CONFIGURING and alloc# can be seen.
	export SKY_SIM_BOOT_DELAY=2
	aws_sky_start --aws-suspend-time 8 --set SuspendTimeout=2 --set ResumeTimeout=60
}
teardown_file() { aws_sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { sky_logs; sim_log; aws_log; sky_cancel_all; }; }

@test "the cloud partition starts powered down, nothing launched" {
	[ "$(sinfo -h -p cloud -o '%t %D %N')" = "idle~ 8 aws-gpu-[1-8]" ]
	[ "$(node_field aws-gpu-1 State)" = "IDLE+CLOUD+POWERED_DOWN" ]
	run slurmctld-sky -n -f "$SLURM_SKY_CONF"
	[ "$status" -eq 0 ]
	[ "$output" = "configuration OK" ]
	sleep 1.5
	[ -z "$(run_zones)" ]
	[ -z "$(moto_instances)" ]
}

@test "sbatch --gres=gpu:a100:8 -N 2: CONFIGURING on alloc#/mix#, then RUNNING on both nodes" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p cloud -N 2 --gres=gpu:a100:8 -o burst.out \
		--wrap 'echo "on $SLURM_JOB_NODELIST"; srun -N2 -n2 printenv SLURMD_NODENAME | sort; sleep 10')
	echo "$id" > "$SKY_DIR/burst.id"
	wait_state "$id" CONFIGURING 10
	[ "$(job_field "$id" %t)" = CF ]
	[ "$(sinfo -h -p cloud -o '%t %N' | grep '#')" = "alloc# aws-gpu-[1-2]" ] ||
		[ "$(sinfo -h -p cloud -o '%t %N' | grep '#')" = "mix# aws-gpu-[1-2]" ]
	[[ $(node_field aws-gpu-2 State) == *+CLOUD+POWERING_UP ]]
	wait_state "$id" RUNNING 30
	[[ $(sinfo -h -p cloud -N -n aws-gpu-2 -o %t) =~ ^(alloc|mix)$ ]]
}

@test "moto has two instances of the cheapest offering, tagged with cluster and node" {
	read -r type zone market _ < <(offerings a100 8 | head -n1)
	run moto_instances running
	echo "$output"
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} =~ ^i-[0-9a-f]+\ $type\ $zone\ $market\ aws-gpu-[12]$ ]]
	[[ ${lines[1]} =~ ^i-[0-9a-f]+\ $type\ $zone\ $market\ aws-gpu-[12]$ ]]
	[ "$(moto_instances | awk '{ print $5 }' | sort | tr '\n' ' ')" = "aws-gpu-1 aws-gpu-2 " ]
	# One RunInstances per node, both in that zone.
	[ "$(run_zones | tr '\n' ' ')" = "$zone $zone " ]
	# The nodes show their instance; the job its placement.
	[ "$(node_field aws-gpu-1 InstanceType)" = "$type" ]
	[ "$(node_field aws-gpu-1 Zone)" = "$zone" ]
	[[ $(node_field aws-gpu-1 InstanceId) == i-* ]]
	# What the booted agent found (the harness's A100 topology) is what the
	# slot was sized for.
	[ "$(node_field aws-gpu-1 Gres)" = "gpu:a100:8" ]
	id=$(cat "$SKY_DIR/burst.id")
	[[ $(scontrol -o show job "$id") == *"Placement=aws/us-east-1/$zone $type $market "* ]]
	# All of that while the job still runs.
	[ "$(job_field "$id" %T)" = RUNNING ]
}

@test "the user-data is the rendered default template: slurmd-sky for the node" {
	iid=$(moto_instances running | awk '$5 == "aws-gpu-2" { print $1 }')
	AWS_ENDPOINT_URL=$AWS_MOTO_URL run "$EC2_PROBE" user-data "$iid"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == '#!/bin/sh' ]]
	[[ $output == *"SLURM_SKY_CONF=\${SLURM_SKY_CONF:-$SLURM_SKY_CONF}"* ]]
	[[ $output == *'exec slurmd-sky -f "$SLURM_SKY_CONF" -N aws-gpu-2'* ]]
	[[ $output != *"{node}"* ]]
	sim_log | grep -q "boot $iid aws-gpu-2 "
}

@test "the job completes; its output shows both nodes" {
	id=$(cat "$SKY_DIR/burst.id")
	wait_state "$id" COMPLETED 30
	[ "$(cat "$SKY_WORK/burst.out")" = "$(printf 'on aws-gpu-[1-2]\naws-gpu-1\naws-gpu-2')" ]
}

@test "idle for SuspendTime: instances terminated in moto, nodes idle~ and agents gone" {
	wait_node aws-gpu-1 'idle~' 30
	wait_node aws-gpu-2 'idle~' 10
	wait_instances 2 15 terminated
	[ -z "$(moto_instances running pending)" ]
	[ "$(aws_log | awk '$1 == "TerminateInstances"' | wc -l)" -ge 1 ]
	run sinfo -R -h
	[ -z "$output" ]
	[ -z "$(node_field aws-gpu-1 InstanceId)" ]
	for ((i = 0; i < 50; i++)); do
		[ -e "$SKY_INST/run/slurmd-aws-gpu-1.pid" ] || break
		sleep 0.1
	done
	[ ! -e "$SKY_INST/run/slurmd-aws-gpu-1.pid" ]
}

@test "the next job launches afresh" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p cloud -N 1 --gres=gpu:a100:8 -o again.out --wrap 'echo again $SLURMD_NODENAME')
	wait_state "$id" COMPLETED 40
	[ "$(cat again.out)" = "again aws-gpu-1" ]
	wait_instances 1 10 running
}
