#!/usr/bin/env bats
# Cost per job and cloud visibility (slurmctld-sky/cloud_info.h) without a
# cloud: a Type=program provider whose ProviderName record prices its slots
# (InstanceType= Region= Zone= Market= Price=), powered up by the test
# ResumeProgram. Price=36 dollars per hour is 0.01 per second a node, so a
# job's Cost is checked exactly against its ElapsedRaw.
load helpers
load power-helpers

setup_file() {
	power_start --set SuspendTime=60 --set SuspendTimeout=3 --set ResumeTimeout=30 \
		--set "ProviderName=burst Type=program ResumeProgram=$POWER_RESUME SuspendProgram=$POWER_SUSPEND InstanceType=m5.large Region=us-east-1 Zone=us-east-1b Market=spot Price=36" \
		--set "NodeName=cloud[1-2] State=CLOUD CPUs=1 Provider=burst" \
		--set "PartitionName=cloud Nodes=cloud[1-2] MaxTime=INFINITE"
}
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { sky_logs; power_log; sky_cancel_all; }; }

# acct ID FIELDS: sacct's -X -P -n row of job ID.
acct() { sacct -X -P -n -j "$1" -o "$2"; }

# dollars EXPR: awk arithmetic printed as sacct's Cost.
dollars() { awk "BEGIN { printf \"%.4f\", $1 }"; }

@test "non-cloud nodes and jobs: output unchanged, Cost 0" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p debug -A physics -o /dev/null --wrap true)
	wait_state "$id" COMPLETED 20
	run scontrol show job "$id"
	[[ $output != *Placement=* ]]
	[[ $output != *Cost=* ]]
	run scontrol show node node1
	[[ $output != *Instance* ]]
	[[ $output != *Price=* ]]
	[ "$(acct "$id" JobID,Account,Cost)" = "$id|physics|0.0000" ]
	[ "$(sinfo -h -N -n node1 -o '%N %y %k %q %j')" = "node1 (null) (null) (null) 0.0000" ]
	# A powered-down slot has no machine behind it yet.
	run scontrol show node cloud1
	[[ $output != *InstanceType=* ]]
}

@test "sbatch --test-only shows the placement and its price" {
	run sbatch --test-only -p cloud -N2 --wrap true
	[ "$status" -eq 0 ]
	[[ $output == *" on nodes cloud[1-2] in partition cloud, placement burst/us-east-1/us-east-1b m5.large spot \$36.0000/h x2 = \$72.0000/h" ]]
	# Local nodes: Slurm's line, nothing appended.
	run sbatch --test-only -p debug --wrap true
	[[ $output == *" on nodes node1 in partition debug" ]]
	[ ! -e "$SKY_INST/power.log" ]
}

@test "a 2-node job: placement and price in scontrol and sinfo, Cost = price x Elapsed" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p cloud -N2 -A ml -o /dev/null --wrap 'sleep 3')
	wait_state "$id" RUNNING 30
	[ "$(scontrol show job "$id" | grep -c '^   Placement=burst/us-east-1/us-east-1b m5.large spot \$36.0000/h x2 = \$72.0000/h Cost=[0-9.]*$')" = 1 ]
	run scontrol show node cloud2
	[[ $output == *$'\n   InstanceId=(null) InstanceType=m5.large\n   Region=us-east-1 Zone=us-east-1b Market=spot Price=36.0000'* ]]
	[ "$(sinfo -h -N -p cloud -o '%N %y %k %q %j')" = "$(printf 'cloud1 m5.large us-east-1b spot 36.0000\ncloud2 m5.large us-east-1b spot 36.0000')" ]
	wait_state "$id" COMPLETED 30
	e=$(acct "$id" ElapsedRaw)
	[ "$e" -ge 3 ]
	[ "$(acct "$id" JobID,Account,Cost)" = "$id|ml|$(dollars "$e * 0.02")" ]
	[ "$(scontrol_field "$id" Cost)" = "$(dollars "$e * 0.02")" ]
	# Steps have no cost of their own.
	[ "$(sacct -P -n -j "$id" -o JobID,Cost | sed -n 2p)" = "$id.batch|" ]
}

@test "a requeued job keeps what its first run cost" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p cloud -N1 -A ml -o /dev/null --wrap 'sleep 4')
	wait_state "$id" RUNNING 30
	sleep 2
	# Held once requeued, so that the first run's cost can be read alone.
	scontrol requeuehold "$id"
	wait_state "$id" PENDING 20
	[ "$(scontrol_field "$id" Reason)" = JobHeldUser ]
	# What the first run cost: kept in the record while it waits and runs again.
	c1=$(scontrol_field "$id" Cost)
	[[ $c1 =~ ^0\.0[0-9]{3}$ ]]
	awk "BEGIN { exit !($c1 >= 0.02) }"
	[ "$(acct "$id" Cost)" = "$c1" ]
	scontrol release "$id"
	wait_state "$id" COMPLETED 40
	[ "$(scontrol_field "$id" Restarts)" = 1 ]
	e=$(acct "$id" ElapsedRaw)
	[ "$(acct "$id" Cost)" = "$(dollars "$c1 + $e * 0.01")" ]
}

@test "sacct --account-totals: one row per account, sums of the jobs' Cost" {
	want=$(sacct -a -X -P -n -S now-1hour -o Account,Cost |
		awk -F'|' '{ s[$1] += $2 } END { for (a in s) printf "%s|%.4f\n", a, s[a] }' | sort)
	run sacct -a -X -P -n -S now-1hour --account-totals
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	[[ $output == *"physics|0.0000"* ]]
	[[ $output == *"ml|0."* ]]
	run sacct -a -S now-1hour --account-totals -o Account%12,Cost%10
	[ "${lines[0]}" = "     Account       Cost " ]
	run sacct -a --account-totals -o Account,JobID
	[ "$status" -eq 1 ]
	[[ $output == *"only the Account and Cost fields can be printed"* ]]
	run sacct --helpformat
	[[ $output == *Cost* ]]
	[[ $output == *"slurm-sky extension"* ]]
}

@test "cost and placement survive a controller crash; a run across it is charged whole" {
	cd "$SKY_WORK"
	done_id=$(sacct -a -X -P -n -S now-1hour -o JobID,Account | awk -F'|' '$2 == "ml" { print $1; exit }')
	before=$(acct "$done_id" Cost)
	place=$(scontrol show job "$done_id" | grep '^   Placement=')
	id=$(sbatch --parsable -p cloud -N1 -A ml -o /dev/null --wrap 'sleep 4')
	wait_state "$id" RUNNING 30
	kill -9 "$(ctld_pid)"
	sleep 1
	ctld_restart
	[ "$(acct "$done_id" Cost)" = "$before" ]
	[ "$(scontrol show job "$done_id" | grep '^   Placement=')" = "$place" ]
	wait_state "$id" COMPLETED 30
	e=$(acct "$id" ElapsedRaw)
	[ "$e" -ge 4 ]
	[ "$(acct "$id" Cost)" = "$(dollars "$e * 0.01")" ]
}
