#!/usr/bin/env bats
# Power saving (slurm.md section 5) with the `program` provider: State=CLOUD
# nodes start powered down (idle~); a job given them powers them up through
# ResumeProgram (argv[1] a hostlist, SLURM_RESUME_FILE a JSON file), waits
# CONFIGURING while they are alloc#, runs once their agents register, and
# after SuspendTime idle they are suspended (idle%) for SuspendTimeout and
# then powered down (idle~) through SuspendProgram.
load helpers
load power-helpers

setup_file() {
	# The ResumeProgram takes its time, so that CONFIGURING can be seen.
	export RESUME_DELAY=2
	power_start --set SuspendTime=4 --set SuspendTimeout=3 --set ResumeTimeout=30 \
		--set "NodeName=cloud[1-2] State=CLOUD CPUs=1" \
		--set "PartitionName=cloud Nodes=cloud[1-2] MaxTime=INFINITE"
}
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { sky_logs; power_log; sky_cancel_all; }; }

@test "CLOUD nodes start powered down: idle~, IDLE+CLOUD+POWERED_DOWN, no reason" {
	run sinfo -h -p cloud -o '%t %D %N'
	[ "$output" = "idle~ 2 cloud[1-2]" ]
	[ "$(node_field cloud1 State)" = "IDLE+CLOUD+POWERED_DOWN" ]
	run sinfo -R -h
	[ -z "$output" ]
	# The local node is as before.
	[ "$(node_field node1 State)" = "IDLE" ]
	# --test-only counts them in, and powers nothing up.
	run sbatch --test-only -p cloud -N2 --wrap true
	[ "$status" -eq 0 ]
	[[ $output == *" on nodes cloud[1-2] in partition cloud" ]]
	sleep 1
	[ ! -e "$SKY_INST/power.log" ]
	[ "$(sinfo -h -p cloud -o %t)" = "idle~" ]
}

@test "a 2-node job powers the nodes up: alloc# and CONFIGURING, then RUNNING on them" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p cloud -N2 -o cyc.out --wrap 'echo "on $SLURM_JOB_NODELIST"; sleep 2')
	wait_state "$id" CONFIGURING 10
	[ "$(job_field "$id" %t)" = CF ]
	[ "$(scontrol_field "$id" JobState)" = CONFIGURING ]
	[ "$(sinfo -h -p cloud -o %t)" = "alloc#" ]
	[ "$(node_field cloud2 State)" = "ALLOCATED+CLOUD+POWERING_UP" ]
	wait_state "$id" RUNNING 20
	[ "$(sinfo -h -p cloud -o %t)" = alloc ]
	wait_state "$id" COMPLETED 20
	[ "$(cat cyc.out)" = "on cloud[1-2]" ]
	[ "$(job_field "$id" %N)" = "cloud[1-2]" ]
	# One call for both nodes, with argv[1] a single hostlist.
	[ "$(power_log)" = "resume cloud[1-2]" ]
}

@test "the resume file names the job and its nodes" {
	python3 - "$SKY_INST/resume.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["all_nodes_resume"] == "cloud[1-2]", d
(j,) = d["jobs"]
assert j["job_id"] > 0 and j["partition"] == "cloud", j
assert j["nodes_alloc"] == "cloud[1-2]" and j["nodes_resume"] == "cloud[1-2]", j
assert j["exclusive"] is False and j["oversubscribe"] is False, j
for k in ("features", "reservation", "extra"):
    assert k in j, k
PY
	# Removed once the program ended.
	! ls "$SKY_INST"/state/resume.*.json 2>/dev/null
}

@test "the job's clock starts when its nodes are up" {
	id=$(squeue -h -t all -o %i | sort -n | tail -n1)
	st=$(scontrol_field "$id" StartTime)
	sub=$(scontrol_field "$id" SubmitTime)
	# RESUME_DELAY=2: the start is at least 2 s after the submission.
	[ $(( $(date -d "$st" +%s) - $(date -d "$sub" +%s) )) -ge 2 ]
}

@test "idle for SuspendTime: idle%, then idle~ after SuspendTimeout, agents stopped" {
	wait_node cloud1 'idle%' 15
	[ "$(node_field cloud1 State)" = "IDLE+CLOUD+POWERING_DOWN" ]
	wait_node cloud1 'idle~' 15
	wait_node cloud2 'idle~' 5
	[ "$(power_log)" = "$(printf 'resume cloud[1-2]\nsuspend cloud[1-2]')" ]
	# The agents went away on purpose: not "not responding", no reason.
	for ((i = 0; i < 50; i++)); do
		[ -e "$SKY_INST/run/slurmd-cloud1.pid" ] || break
		sleep 0.1
	done
	[ ! -e "$SKY_INST/run/slurmd-cloud1.pid" ]
	run sinfo -R -h
	[ -z "$output" ]
	[ "$(sinfo -h -p cloud -o '%t %N')" = "idle~ cloud[1-2]" ]
}

@test "powered down again, the nodes come back for the next job" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p cloud -N1 -o again.out --wrap 'echo again $SLURMD_NODENAME')
	wait_state "$id" COMPLETED 30
	[ "$(cat again.out)" = "again cloud1" ]
	[ "$(power_log | tail -n1)" = "resume cloud1" ]
}
