#!/usr/bin/env bats
# Node order for jobs on power-saving nodes (slurm.md section 5): powered-up
# nodes before powering-up ones before powered-down ones, then lower Weight
# first; and manual control: scontrol power up|down [asap|force] and
# scontrol update NodeName=X State=power_*, operators only.
load helpers
load power-helpers

setup_file() {
	power_start --set SuspendTime=INFINITE --set SuspendTimeout=1 --set ResumeTimeout=30 \
		--set "NodeName=cloud1 State=CLOUD CPUs=1 Weight=30" \
		--set "NodeName=cloud2 State=CLOUD CPUs=1 Weight=20" \
		--set "NodeName=cloud3 State=CLOUD CPUs=1 Weight=10" \
		--set "PartitionName=cloud Nodes=cloud[1-3] MaxTime=INFINITE"
}
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { sky_logs; power_log; sky_cancel_all; }; }

@test "among powered-down nodes the lowest Weight is used first" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p cloud -N1 -o /dev/null --wrap 'true')
	wait_state "$id" COMPLETED 30
	[ "$(job_field "$id" %N)" = cloud3 ]
	[ "$(power_log)" = "resume cloud3" ]
	# SuspendTime=INFINITE: it stays up.
	wait_node cloud3 idle 5
	[ "$(sinfo -h -n cloud1,cloud2 -o %t)" = "idle~" ]
}

@test "scontrol power up: the node powers up without a job (idle#, then idle)" {
	scontrol power up cloud1
	wait_node cloud1 'idle#' 5
	wait_node cloud1 idle 20
	[ "$(power_log | tail -n1)" = "resume cloud1" ]
}

@test "a powered-up node is used before a powered-down one of lower Weight" {
	cd "$SKY_WORK"
	# cloud3 (Weight 10) and cloud1 (Weight 30) are up; hold cloud3 with a job.
	a=$(sbatch --parsable -p cloud -w cloud3 -o /dev/null --wrap 'sleep 30')
	wait_state "$a" RUNNING 20
	# cloud2 (Weight 20, powered down) loses to cloud1 (Weight 30, up).
	b=$(sbatch --parsable -p cloud -N1 -o /dev/null --wrap 'true')
	wait_state "$b" COMPLETED 20
	[ "$(job_field "$b" %N)" = cloud1 ]
	[ "$(sinfo -h -n cloud2 -o %t)" = "idle~" ]
	scancel "$a"
	wait_state "$a" CANCELLED 20
}

@test "scontrol power down: idle% then idle~, SuspendProgram called" {
	scontrol power down cloud1
	wait_node cloud1 'idle~' 15
	grep -qx 'suspend cloud1' "$SKY_INST/power.log"
}

@test "scontrol update NodeName=X State=power_down_asap waits for the running job" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p cloud -w cloud3 -o /dev/null --wrap 'sleep 3')
	wait_state "$id" RUNNING 20
	scontrol update NodeName=cloud3 State=power_down_asap
	# '!': power down pending; no new job meanwhile.
	[ "$(sinfo -h -n cloud3 -o %t)" = 'mix!' ] || [ "$(sinfo -h -n cloud3 -o %t)" = 'alloc!' ]
	[[ $(node_field cloud3 State) == *+POWER_DOWN* ]]
	wait_state "$id" COMPLETED 20
	wait_node cloud3 'idle~' 15
}

@test "power_down_force requeues the job and powers the node down" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p cloud -w cloud2 -o /dev/null --wrap 'sleep 8050078')
	wait_state "$id" RUNNING 30
	scontrol power down force cloud2
	# Requeued once its script is stopped; held so it does not power cloud2 up again.
	wait_state "$id" PENDING 20
	scontrol hold "$id"
	[ "$(scontrol_field "$id" Restarts)" = 1 ]
	! pgrep -f -- '^sleep 8050078$'
	wait_node cloud2 'idle~' 15
	scancel "$id"
}

@test "only operators may power nodes; unknown nodes and states are refused" {
	run scontrol update NodeName=nosuch State=power_down
	[ "$status" -eq 1 ]
	[ "$output" = "slurm_update error: Invalid node name specified" ]
	run scontrol update NodeName=cloud1 State=bogus
	[ "$status" -eq 1 ]
	[ "$output" = "slurm_update error: Invalid node state specified" ]
	run scontrol power sideways cloud1
	[ "$status" -eq 1 ]
	ensure_test_user
	run as_test_user scontrol power up cloud1
	[ "$status" -eq 1 ]
	[ "$output" = "slurm_update error: Access/permission denied" ]
	[ "$(sinfo -h -n cloud1 -o %t)" = "idle~" ]
}
