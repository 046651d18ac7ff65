#!/usr/bin/env bats
# Launch errors (the fault proxy in front of moto plays EC2's): throttling is
# retried inside the client with one ClientToken; InsufficientInstanceCapacity
# in the cheapest zone blocks that offering and the job's node is launched in
# the next one; when every try fails the node goes down~ with EC2's error as
# its reason and the job is requeued.
load helpers
load aws-burst-helpers

setup_file() {
	aws_sky_start --aws-nodes 2 --aws-suspend-time 2 --set SuspendTimeout=1 --set ResumeTimeout=60
}
teardown_file() { aws_sky_stop; }
setup() { wait_all_down 30; curl -sf -X DELETE "$AWS_PROXY_URL/_fault"; curl -sf -X DELETE "$AWS_PROXY_URL/_log"; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { sky_logs; sim_log; aws_log; sky_cancel_all; }; }

@test "RunInstances throttled twice: retried with the same ClientToken, launched anyway" {
	cd "$SKY_WORK"
	aws_fault '{"action": "RunInstances", "kind": "throttle", "count": 2}'
	id=$(sbatch --parsable -p cloud -N1 --gres=gpu:a100:8 -o thr.out --wrap 'echo ran on $SLURMD_NODENAME')
	wait_state "$id" COMPLETED 40
	[ "$(cat thr.out)" = "ran on aws-gpu-1" ]
	run aws_log
	echo "$output"
	runs=$(aws_log | awk '$1 == "RunInstances"')
	[ "$(echo "$runs" | wc -l)" -eq 3 ]
	[ "$(echo "$runs" | awk '{ print $2, $3 }' | tr '\n' ' ')" = "throttle 400 throttle 400 - 200 " ]
	[ "$(echo "$runs" | awk '{ print $5 }' | sort -u | wc -l)" -eq 1 ]
	# The node was never in trouble.
	run sinfo -R -h
	[ -z "$output" ]
}

@test "InsufficientInstanceCapacity in the cheapest zone: the job runs in the next offering's zone" {
	cd "$SKY_WORK"
	read -r type1 zone1 market1 _ < <(offerings a100 8 | sed -n 1p)
	read -r type2 zone2 market2 _ < <(offerings a100 8 | sed -n 2p)
	[ "$zone1" != "$zone2" ]
	aws_fault "{\"action\": \"RunInstances\", \"match\": {\"Placement.AvailabilityZone\": \"$zone1\"},
		\"kind\": \"error\", \"code\": \"InsufficientInstanceCapacity\",
		\"message\": \"We currently do not have sufficient $type1 capacity in the Availability Zone you requested ($zone1).\", \"count\": -1}"
	id=$(sbatch --parsable -p cloud -N1 --gres=gpu:a100:8 -o ice.out --wrap 'echo ran on $SLURMD_NODENAME; sleep 6')
	wait_state "$id" RUNNING 40
	[ "$(node_field aws-gpu-1 Zone)" = "$zone2" ]
	[[ $(scontrol -o show job "$id") == *"Placement=aws/${zone2%?}/$zone2 $type2 $market2 "* ]]
	run moto_instances running
	echo "$output"
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} =~ \ $type2\ $zone2\ $market2\ aws-gpu-1$ ]]
	wait_state "$id" COMPLETED 20
	[ "$(cat ice.out)" = "ran on aws-gpu-1" ]
	[ "$(run_zones | tr '\n' ' ')" = "$zone1 $zone2 " ]
	[ "$(aws_log | awk '$1 == "RunInstances" { print $2 }' | tr '\n' ' ')" = "error - " ]
	grep -q "InsufficientInstanceCapacity" "$SKY_INST/log/slurmctld.log"
	run sinfo -R -h
	[ -z "$output" ]
}

@test "every try fails: the node is down~ with EC2's reason and the job is requeued" {
	cd "$SKY_WORK"
	aws_fault '{"action": "RunInstances", "kind": "error", "code": "InsufficientInstanceCapacity", "message": "No capacity anywhere.", "count": -1}'
	id=$(sbatch --parsable -p cloud -N1 --gres=gpu:a100:8 --wrap 'true')
	wait_node aws-gpu-1 'down~' 30
	[ "$(node_field aws-gpu-1 Reason)" = "(Code:InsufficientInstanceCapacity)" ] ||
		[[ $(scontrol show node aws-gpu-1) == *"Reason=(Code:InsufficientInstanceCapacity) No capacity anywhere."* ]]
	# Three offerings tried, each in its own zone or market, for that node.
	[ "$(aws_log | awk '$1 == "RunInstances"' | wc -l)" -ge 3 ]
	for ((i = 0; i < 100; i++)); do
		[ "$(scontrol_field "$id" Restarts)" -ge 1 ] && break
		sleep 0.1
	done
	[ "$(scontrol_field "$id" Restarts)" -ge 1 ]
	[[ $(job_field "$id" %T) =~ ^(PENDING|CONFIGURING)$ ]]
	[ -z "$(moto_instances running pending)" ]
	scancel "$id"
}
