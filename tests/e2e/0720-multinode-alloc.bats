#!/usr/bin/env bats
# Allocation of several nodes: -N (also min-max), -n with and without -N,
# --ntasks-per-node, -c, -w/-x, --exclusive, and the job environment that
# describes the allocation (SLURM_JOB_NODELIST, SLURM_TASKS_PER_NODE, ...).
load helpers

setup_file() { sky_start --nodes 3 --cpus-per-node 2; }
teardown_file() {
	pkill -f -- "^sleep 72[0-9]{5}\$" 2>/dev/null || true
	sky_stop
}
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

# layout_job OUT SBATCH-ARGS...: submit a job printing its layout (sets id), wait for it.
layout_job() {
	local out=$1
	shift
	id=$(sbatch --parsable -o "$out" "$@" --wrap 'echo "$SLURM_JOB_NODELIST|$SLURM_NNODES|$SLURM_JOB_NUM_NODES|$SLURM_NTASKS|$SLURM_TASKS_PER_NODE|$SLURM_JOB_CPUS_PER_NODE|$SLURM_CPUS_PER_TASK|$SLURMD_NODENAME"')
	wait_state "$id" COMPLETED 20
}

@test "-N2 gets two nodes; the batch script runs on the first" {
	cd "$SKY_WORK"
	layout_job n2.out -N2
	[ "$(cat n2.out)" = "node[1-2]|2|2||1(x2)|1(x2)||node1" ]
	[ "$(job_field "$id" %D)" = 2 ]
}

@test "-N2 --ntasks-per-node=2 is four tasks, two per node" {
	cd "$SKY_WORK"
	layout_job tpn.out -N2 --ntasks-per-node=2
	[ "$(cat tpn.out)" = "node[1-2]|2|2|4|2(x2)|2(x2)||node1" ]
}

@test "-n3 -c2 on 2-CPU nodes takes three nodes without -N" {
	cd "$SKY_WORK"
	layout_job n3c2.out -n3 -c2
	[ "$(cat n3c2.out)" = "node[1-3]|3|3|3|1(x3)|2(x3)|2|node1" ]
}

@test "-n5 spreads over as few nodes as hold it, fullest first" {
	cd "$SKY_WORK"
	layout_job n5.out -n5
	[ "$(cat n5.out)" = "node[1-3]|3|3|5|2(x2),1|2(x3)||node1" ]
}

@test "-N 2-3 gets all three nodes when they are free" {
	cd "$SKY_WORK"
	layout_job range.out -N 2-3
	[ "$(cut -d'|' -f1,2 range.out)" = "node[1-3]|3" ]
}

@test "-N 2-3 starts at once on two nodes when the third is busy" {
	cd "$SKY_WORK"
	busy=$(sbatch --parsable -w node3 --exclusive -o /dev/null --wrap 'sleep 7200001')
	wait_state "$busy" RUNNING
	layout_job range2.out -N 2-3
	[ "$(cut -d'|' -f1,2 range2.out)" = "node[1-2]|2" ]
	scancel "$busy"
	wait_state "$busy" CANCELLED
}

@test "-w and -x choose the nodes" {
	cd "$SKY_WORK"
	layout_job w.out -N2 -w node3,node1
	[ "$(cut -d'|' -f1 w.out)" = "node[1,3]" ]
	layout_job x.out -N2 -x node1
	[ "$(cut -d'|' -f1 x.out)" = "node[2-3]" ]
}

@test "--exclusive keeps other jobs off the node; a 2-node job waits for it" {
	cd "$SKY_WORK"
	ex=$(sbatch --parsable -n1 --exclusive -w node1 -o /dev/null --wrap 'sleep 7200002')
	wait_state "$ex" RUNNING
	[ "$(job_field "$ex" %C)" = 2 ]
	other=$(sbatch --parsable -n1 -w node1 -o /dev/null --wrap 'sleep 7200003')
	wide=$(sbatch --parsable -N3 -o /dev/null --wrap 'sleep 7200004')
	sleep 2
	[ "$(job_field "$other" %T)" = PENDING ]
	[ "$(job_field "$wide" %T)" = PENDING ]
	[ "$(job_field "$wide" %r)" = Resources ] || [ "$(job_field "$wide" %r)" = Priority ]
	scancel "$ex"
	wait_state "$other" RUNNING
	wait_state "$wide" RUNNING
	[ "$(job_field "$wide" %N)" = "node[1-3]" ]
	scancel "$other" "$wide"
	wait_state "$wide" CANCELLED
}
