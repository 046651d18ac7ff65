#!/usr/bin/env bats
# Power states across a controller restart (power_save.h): a job CONFIGURING
# when the controller dies still runs once its nodes register (their
# ResumeTimeout counts again from the restart); a powered-up node whose
# agent re-registers stays up; a job cancelled while CONFIGURING ends at once.
load helpers
load power-helpers

setup_file() {
	export RESUME_DELAY=4
	power_start --set SuspendTime=INFINITE --set ResumeTimeout=30 \
		--set "NodeName=cloud[1-2] State=CLOUD CPUs=1" \
		--set "PartitionName=cloud Nodes=cloud[1-2] MaxTime=INFINITE"
}
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { sky_logs; power_log; sky_cancel_all; }; }

@test "a CONFIGURING job survives a controller restart and runs when its node registers" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p cloud -w cloud1 -o rs.out --wrap 'echo ran on $SLURMD_NODENAME')
	wait_state "$id" CONFIGURING 5
	kill -9 "$(ctld_pid)"
	ctld_restart
	[ "$(job_field "$id" %T)" = CONFIGURING ]
	[ "$(sinfo -h -n cloud1 -o %t)" = "alloc#" ]
	wait_state "$id" COMPLETED 30
	[ "$(cat rs.out)" = "ran on cloud1" ]
	[ "$(scontrol_field "$id" Restarts)" = 0 ]
	# Only the one resume: the restart did not ask again.
	[ "$(grep -c '^resume' "$SKY_INST/power.log")" = 1 ]
}

@test "a powered-up node stays up across a restart" {
	wait_node cloud1 idle 5
	kill -9 "$(ctld_pid)"
	ctld_restart
	wait_node cloud1 idle 15
	[ "$(sinfo -h -n cloud2 -o %t)" = "idle~" ]
}

@test "a job cancelled while CONFIGURING is CANCELLED at once; its node still comes up" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p cloud -w cloud2 -o /dev/null --wrap 'true')
	wait_state "$id" CONFIGURING 5
	scancel "$id"
	wait_state "$id" CANCELLED 3
	wait_node cloud2 idle 20
}
