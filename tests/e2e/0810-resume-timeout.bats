#!/usr/bin/env bats
# ResumeTimeout (slurm.md section 5): a node whose agent has not registered
# ResumeTimeout after its resume was asked is DOWN "ResumeTimeout reached",
# powered down (down~), SuspendProgram is called for it, and its job is
# requeued (same id, restart count 1) to run on another node, and ResumeFailProgram
# gets the node; a job that
# may not be requeued ends NODE_FAIL. scontrol update state=resume brings
# the node back (idle~).
load helpers
load power-helpers

setup_file() {
	power_start --set SuspendTime=INFINITE --set ResumeTimeout=3 \
		--set "ResumeFailProgram=$SKY_SRCDIR/tests/e2e/power-resume-fail.sh" \
		--set "NodeName=cloud1 State=CLOUD CPUs=1 Weight=1" \
		--set "NodeName=cloud2 State=CLOUD CPUs=1 Weight=2" \
		--set "PartitionName=cloud Nodes=cloud[1-2] MaxTime=INFINITE"
	# cloud1 never boots.
	echo cloud1 > "$SKY_INST/resume.noop"
}
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { sky_logs; power_log; sky_cancel_all; }; }

@test "a node that does not register in ResumeTimeout is down~; the job is requeued and runs elsewhere" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p cloud -N1 -o rt.out --wrap 'echo "run $SLURM_RESTART_COUNT on $SLURMD_NODENAME"')
	wait_state "$id" CONFIGURING 5
	[ "$(job_field "$id" %N)" = cloud1 ]
	wait_node cloud1 'down~' 15
	run sinfo -R -h -o '%E|%N'
	[ "$output" = "ResumeTimeout reached|cloud1" ]
	[ "$(node_field cloud1 State)" = "DOWN+CLOUD+POWERED_DOWN" ]
	wait_state "$id" COMPLETED 30
	[ "$(job_field "$id" %N)" = cloud2 ]
	[ "$(scontrol_field "$id" Restarts)" = 1 ]
	[ "$(cat rt.out)" = "run 1 on cloud2" ]
	grep -qx 'suspend cloud1' "$SKY_INST/power.log"
	grep -qx 'resume_fail cloud1' "$SKY_INST/power.log"
	# sinfo -R names SlurmUser as the one who set the reason.
	[ "$(sinfo -R -h -o '%u|%N')" = "$(id -un)|cloud1" ]
	# The failed node is not offered to jobs.
	[ "$(sinfo -h -n cloud1 -o %t)" = "down~" ]
}

@test "a --no-requeue job on a node that never registers ends NODE_FAIL" {
	scontrol update NodeName=cloud1 State=resume
	wait_node cloud1 'idle~' 5
	run sinfo -R -h
	[ -z "$output" ]
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p cloud -w cloud1 --no-requeue -o /dev/null --wrap 'true')
	wait_state "$id" NODE_FAIL 20
	[ "$(job_field "$id" %r)" = NodeDown ]
	wait_node cloud1 'down~' 5
}

@test "resume after the agent can start: the node comes back into service" {
	rm -f "$SKY_INST/resume.noop"
	scontrol update NodeName=cloud1 State=resume
	wait_node cloud1 'idle~' 5
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p cloud -w cloud1 -o back.out --wrap 'echo back')
	wait_state "$id" COMPLETED 30
	[ "$(cat back.out)" = back ]
	[ "$(scontrol_field "$id" Restarts)" = 0 ]
}
