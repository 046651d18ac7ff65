#!/usr/bin/env bats
# srun inside a batch allocation (issue 4, "srun"): steps laid out in blocks
# over the allocated nodes' agents, the per-task SLURM_* variables, labelled
# output, stdin to task 0, -o/-e patterns, exit codes and Slurm's messages,
# --kill-on-bad-exit, the allocation checks, and the step rows of sacct.
load helpers

setup_file() { sky_start --nodes 2 --cpus-per-node 6; }
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { cat "$SKY_WORK"/*.out 2>/dev/null; sky_logs; sky_cancel_all; }; }

# run_batch OPTS SCRIPT-BODY: submit, wait until it ends; sets $id and $out (its output).
run_batch() {
	local opts=$1 body=$2
	printf '#!/bin/bash\n%s\n' "$body" > "$SKY_WORK/job-$BATS_TEST_NUMBER.sh"
	# shellcheck disable=SC2086
	id=$(cd "$SKY_WORK" && sbatch --parsable $opts -o "$SKY_WORK/slurm-%j.out" "job-$BATS_TEST_NUMBER.sh")
	wait_state "$id" 'COMPLETED|FAILED|CANCELLED' 60
	out=$(cat "$SKY_WORK/slurm-$id.out")
}

@test "srun -l runs one labelled task per CPU block on each node" {
	run_batch "-N2 -n4" 'srun -l printenv SLURMD_NODENAME'
	[ "$(job_field "$id" %T)" = COMPLETED ]
	[ "$(sort <<<"$out")" = "$(printf '0: node1\n1: node1\n2: node2\n3: node2')" ]
}

@test "each task gets its own SLURM_* step variables" {
	run_batch "-N2 -n4 -c2" 'srun -N2 -n4 sh -c '\''echo $SLURM_PROCID $SLURM_LOCALID $SLURM_NODEID $SLURM_STEP_ID $SLURM_STEPID $SLURM_STEP_NUM_TASKS $SLURM_NTASKS $SLURM_STEP_NUM_NODES $SLURM_STEP_NODELIST $SLURM_STEP_TASKS_PER_NODE $SLURM_TASKS_PER_NODE $SLURM_JOB_ID $SLURMD_NODENAME'\''
srun -n3 -c2 sh -c '\''echo c=$SLURM_CPUS_PER_TASK t=$SLURM_STEP_TASKS_PER_NODE s=$SLURM_STEP_ID'\'' | sort -u
srun -n1 printenv SLURM_SRUN_COMM_HOST SLURM_LAUNCH_NODE_IPADDR | grep -c .'
	[ "$(job_field "$id" %T)" = COMPLETED ]
	want="0 0 0 0 0 4 4 2 node[1-2] 2(x2) 2(x2) $id node1
1 1 0 0 0 4 4 2 node[1-2] 2(x2) 2(x2) $id node1
2 0 1 0 0 4 4 2 node[1-2] 2(x2) 2(x2) $id node2
3 1 1 0 0 4 4 2 node[1-2] 2(x2) 2(x2) $id node2"
	[ "$(head -n4 <<<"$out" | sort)" = "$want" ]
	# -n3 on two nodes: blocks of 2 and 1; -c given: SLURM_CPUS_PER_TASK.
	[ "$(sed -n 5p <<<"$out")" = "c=2 t=2,1 s=1" ]
	[ "$(sed -n 6p <<<"$out")" = 2 ]
}

@test "without -l tasks' lines come out whole, never mixed; -u passes pieces as they come" {
	# Each task writes half a line, waits, then the rest: line-buffered
	# forwarding (Slurm's default) keeps every line intact.
	run_batch "-N2 -n2" 'srun sh -c '\''printf "start$SLURM_PROCID "; sleep 1; echo end$SLURM_PROCID'\''
srun -u -n1 sh -c '\''printf "u-"; sleep 1; echo done'\'''
	[ "$(job_field "$id" %T)" = COMPLETED ]
	[ "$(head -n2 <<<"$out" | sort)" = "$(printf 'start0 end0\nstart1 end1')" ]
	[ "$(sed -n 3p <<<"$out")" = "u-done" ]
}

@test "labels are padded to the width of the largest task id" {
	run_batch "-N2 -n12" 'srun -l sh -c '\''echo x$SLURM_PROCID'\'''
	[ "$(job_field "$id" %T)" = COMPLETED ]
	grep -qx ' 0: x0' <<<"$out"
	grep -qx ' 9: x9' <<<"$out"
	grep -qx '11: x11' <<<"$out"
	[ "$(grep -c . <<<"$out")" -eq 12 ]
}

@test "stdin goes to task 0 only" {
	run_batch "-N2 -n2" 'printf "a\nb\n" | srun -n2 -l cat; echo rc=$?'
	[ "$out" = "$(printf '0: a\n0: b\nrc=0')" ]
}

@test "srun's exit code is the highest task exit code, with Slurm's messages" {
	run_batch "-N2 -n4" 'srun sh -c '\''exit $SLURM_PROCID'\''; echo rc=$?
srun -n1 sh -c '\''kill -TERM $$'\''; echo rc=$?
srun -n1 no-such-command-x; echo rc=$?'
	grep -qx 'srun: error: node1: task 1: Exited with exit code 1' <<<"$out"
	grep -qx 'srun: error: node2: task 2: Exited with exit code 2' <<<"$out"
	grep -qx 'srun: error: node2: task 3: Exited with exit code 3' <<<"$out"
	grep -qx 'rc=3' <<<"$out"
	grep -qx 'srun: error: node1: task 0: Terminated' <<<"$out"
	grep -qx 'rc=143' <<<"$out"
	grep -qx 'slurmstepd: error: execve(): no-such-command-x: No such file or directory' <<<"$out"
	grep -qx 'rc=2' <<<"$out"
	! grep -q 'task 0: Exited' <<<"$(sed -n '1,/rc=3/p' <<<"$out")"
}

@test "--kill-on-bad-exit kills the other tasks at the first failure" {
	run_batch "-N2 -n4" 'start=$(date +%s)
srun --kill-on-bad-exit sh -c '\''[ $SLURM_PROCID = 2 ] && exit 5; sleep 30; echo never'\''
echo rc=$? took=$(( $(date +%s) - start ))
srun -K0 sh -c '\''[ $SLURM_PROCID = 2 ] && exit 5; echo fine$SLURM_PROCID'\'' | sort | tr "\n" " "'
	grep -qx 'srun: error: node2: task 2: Exited with exit code 5' <<<"$out"
	grep -qx "srun: Terminating StepId=$id.0" <<<"$out"
	! grep -q never <<<"$out"
	[[ $(grep '^rc=' <<<"$out") =~ ^rc=([0-9]+)\ took=([0-9]+)$ ]]
	[ "${BASH_REMATCH[1]}" -ne 0 ]
	[ "${BASH_REMATCH[2]}" -lt 20 ]
	grep -q 'fine0 fine1 fine3' <<<"$out"
}

@test "steps that do not fit the allocation get Slurm's errors" {
	run_batch "-N2 -n4" 'srun -N3 hostname; echo rc=$?
srun -n13 hostname; echo rc=$?
srun -w node9 hostname; echo rc=$?
SLURM_JOB_ID=999999 srun hostname; echo rc=$?
srun -N2 -n1 printenv SLURM_STEP_NUM_NODES'
	grep -qx "srun: Warning: can't run 1 processes on 2 nodes, setting nnodes to 1" <<<"$out"
	[ "$(tail -n1 <<<"$out")" = 1 ]
	grep -qx 'srun: error: Only allocated 2 nodes asked for 3' <<<"$out"
	grep -qx 'srun: error: Unable to confirm allocation for job 999999: Invalid job id specified' <<<"$out"
	grep -qx 'srun: Check SLURM_JOB_ID environment variable. Expired or invalid job 999999' <<<"$out"
	grep -qx "srun: error: Unable to create step for job $id: More processors requested than permitted" <<<"$out"
	grep -qx "srun: error: Unable to create step for job $id: Requested node configuration is not available" <<<"$out"
	[ "$(grep -c '^rc=1$' <<<"$out")" -eq 4 ]
}

@test "-o/-e patterns write the tasks' files on the nodes" {
	rm -f "$SKY_WORK"/st-*
	run_batch "-N2 -n4" 'srun -o st-%j.%s.%t.out sh -c '\''echo task $SLURM_PROCID on $SLURMD_NODENAME'\''
srun -o st-%N.out -e st-%N.err sh -c '\''echo o$SLURM_PROCID; echo e$SLURM_PROCID >&2'\''
echo after'
	[ "$out" = after ]
	for t in 0 1 2 3; do
		n=$((t < 2 ? 1 : 2))
		[ "$(cat "$SKY_WORK/st-$id.0.$t.out")" = "task $t on node$n" ]
	done
	[ "$(sort "$SKY_WORK/st-node1.out" | tr '\n' ' ')" = "o0 o1 " ]
	[ "$(sort "$SKY_WORK/st-node2.out" | tr '\n' ' ')" = "o2 o3 " ]
	[ "$(sort "$SKY_WORK/st-node2.err" | tr '\n' ' ')" = "e2 e3 " ]
}

@test "sacct shows the batch step and every srun step with its state and exit code" {
	run_batch "-N2 -n2" 'srun -J first true
srun sh -c '\''exit 3'\''
true'
	run sacct -j "$id" -n -P -o jobid,jobname,state,exitcode,nnodes,ntasks,nodelist
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$id|job-$BATS_TEST_NUMBER.sh|COMPLETED|0:0|2||node[1-2]" ]
	[ "${lines[1]}" = "$id.batch|batch|COMPLETED|0:0|1|1|node1" ]
	[ "${lines[2]}" = "$id.0|first|COMPLETED|0:0|2|2|node[1-2]" ]
	[ "${lines[3]}" = "$id.1|sh|FAILED|3:0|2|2|node[1-2]" ]
	[ "${#lines[@]}" -eq 4 ]
}
