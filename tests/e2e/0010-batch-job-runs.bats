#!/usr/bin/env bats
# A batch job goes sbatch -> controller -> agent and back: output files,
# job environment, exit codes, squeue's default columns.
load helpers

setup_file() { sky_start --nodes 1 --cpus-per-node 2; }
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

@test "sbatch prints Submitted batch job N and the job writes slurm-N.out" {
	cd "$SKY_WORK"
	run sbatch "$SKY_SRCDIR/conf/examples/hello.sbatch"
	[ "$status" -eq 0 ]
	[[ $output =~ ^Submitted\ batch\ job\ ([0-9]+)$ ]]
	id=${BASH_REMATCH[1]}
	wait_state "$id" COMPLETED
	wait_file "slurm-$id.out"
	grep -q "^Hello from job $id (hello) on node1$" "slurm-$id.out"
	grep -q "^Partition debug, nodes node1, " "slurm-$id.out"
}

@test "the job environment carries Slurm's variables" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -J envjob -n 1 -c 2 --wrap 'env | grep -E "^(SLURM|SLURMD)_" | sort')
	wait_state "$id" COMPLETED
	f=slurm-$id.out
	wait_file "$f"
	grep -qx "SLURM_JOB_ID=$id" "$f"
	grep -qx "SLURM_JOBID=$id" "$f"
	grep -qx "SLURM_JOB_NAME=envjob" "$f"
	grep -qx "SLURM_JOB_NODELIST=node1" "$f"
	grep -qx "SLURM_NODELIST=node1" "$f"
	grep -qx "SLURM_JOB_NUM_NODES=1" "$f"
	grep -qx "SLURM_NNODES=1" "$f"
	grep -qx "SLURM_NTASKS=1" "$f"
	grep -qx "SLURM_CPUS_PER_TASK=2" "$f"
	grep -qx "SLURM_CPUS_ON_NODE=2" "$f"
	grep -qx "SLURM_JOB_PARTITION=debug" "$f"
	grep -qx "SLURM_SUBMIT_DIR=$SKY_WORK" "$f"
	grep -qx "SLURM_SUBMIT_HOST=$(hostname)" "$f"
	grep -qx "SLURM_CLUSTER_NAME=sky" "$f"
	grep -qx "SLURM_JOB_USER=$(id -un)" "$f"
	grep -qx "SLURM_JOB_UID=$(id -u)" "$f"
	grep -qx "SLURMD_NODENAME=node1" "$f"
}

@test "the script runs in the submit directory, or in --chdir" {
	cd "$SKY_WORK"
	mkdir -p sub
	id=$(sbatch --parsable --wrap 'pwd')
	id2=$(sbatch --parsable -D sub --wrap 'pwd')
	wait_state "$id" COMPLETED
	wait_state "$id2" COMPLETED
	wait_file "slurm-$id.out"
	wait_file "sub/slurm-$id2.out"
	[ "$(cat "slurm-$id.out")" = "$SKY_WORK" ]
	[ "$(cat "sub/slurm-$id2.out")" = "$SKY_WORK/sub" ]
}

@test "-o and -e patterns separate stdout and stderr" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -J pat -o 'out-%x-%j.txt' -e 'err-%j-%u.txt' --wrap 'echo to-out; echo to-err >&2')
	wait_state "$id" COMPLETED
	wait_file "out-pat-$id.txt"
	wait_file "err-$id-$(id -un).txt"
	[ "$(cat "out-pat-$id.txt")" = to-out ]
	[ "$(cat "err-$id-$(id -un).txt")" = to-err ]
}

@test "script arguments reach the script" {
	cd "$SKY_WORK"
	printf '#!/bin/sh\necho "args: $1 $2"\n' > args.sh
	id=$(sbatch --parsable args.sh alpha beta)
	wait_state "$id" COMPLETED
	wait_file "slurm-$id.out"
	[ "$(cat "slurm-$id.out")" = "args: alpha beta" ]
}

@test "a non-zero exit is FAILED with ExitCode=N:0" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable --wrap 'exit 3')
	wait_state "$id" FAILED
	[ "$(scontrol_field "$id" ExitCode)" = "3:0" ]
	[ "$(scontrol_field "$id" JobState)" = FAILED ]
}

@test "a script killed by a signal records the signal" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable --wrap 'kill -KILL $$')
	wait_state "$id" FAILED
	[ "$(scontrol_field "$id" ExitCode)" = "0:9" ]
}

@test "squeue prints Slurm's default header and a running job's row" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -J sleeper --wrap 'sleep 30')
	wait_state "$id" RUNNING
	run squeue
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "             JOBID PARTITION     NAME     USER ST       TIME  NODES NODELIST(REASON)" ]
	row=$(printf '%s\n' "${lines[@]}" | grep -E "^ +$id ")
	[[ $row =~ ^\ +$id\ +debug\ +sleeper\ +[a-z0-9_-]+\ +R\ +[0-9]+:[0-9]{2}\ +1\ node1$ ]]
	scancel "$id"
}

@test "a job that needs more CPUs than any node has is rejected" {
	cd "$SKY_WORK"
	run sbatch -c 64 --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: Requested node configuration is not available" ]
}

@test "an unknown partition is rejected in Slurm's words" {
	cd "$SKY_WORK"
	run sbatch -p nosuch --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: Invalid partition name specified" ]
}
