#!/usr/bin/env bats
# Heartbeats across several agents: an agent that stops answering (SIGSTOP,
# as a hung node) is marked DOWN with "Not responding" in sinfo -R after
# SlurmdTimeout; a multi-node job holding it ends NODE_FAIL with its script
# killed on the batch host, or is requeued with --requeue; the agent that
# comes back is taken in again.
load helpers

setup_file() { sky_start --nodes 3 --cpus-per-node 2 --kill-wait 1 --set SlurmdTimeout=3; }
teardown_file() {
	local p
	for p in "$SKY_INST"/run/slurmd-node*.pid; do
		kill -CONT "$(cat "$p")" 2>/dev/null || true
	done
	pkill -f -- "^sleep 73[0-9]{5}\$" 2>/dev/null || true
	sky_stop
}
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

agent_pid() { cat "$SKY_INST/run/slurmd-$1.pid"; }

# wait_node_state NODE REGEX [SECONDS]: until sinfo's state of NODE matches.
wait_node_state() {
	local i s
	for ((i = 0; i < ${3:-30} * 5; i++)); do
		s=$(sinfo -h -N -n "$1" -o %T)
		[[ $s =~ $2 ]] && return 0
		sleep 0.2
	done
	echo "node $1 is '$s', not /$2/" >&2
	return 1
}

@test "a hung agent makes its node DOWN; a --no-requeue 2-node job on it ends NODE_FAIL" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -N2 -w node1,node2 --no-requeue -o nf.out \
		--wrap 'echo started; sleep 7300001')
	wait_state "$id" RUNNING
	wait_file nf.out
	pgrep -f -- '^sleep 7300001$' >/dev/null
	kill -STOP "$(agent_pid node2)"
	wait_state "$id" NODE_FAIL 30
	[ "$(job_field "$id" %r)" = NodeDown ]
	wait_node_state node2 '^down'
	run sinfo -R -h -o '%E|%N'
	[ "$output" = "Not responding|node2" ]
	# The script on the live batch host was stopped too.
	for ((i = 0; i < 50; i++)); do
		pgrep -f -- '^sleep 7300001$' >/dev/null || break
		sleep 0.2
	done
	! pgrep -f -- '^sleep 7300001$'
	[ "$(job_field "$id" %N)" = "node[1-2]" ]
}

@test "the agent that comes back is idle again with no reason" {
	kill -CONT "$(agent_pid node2)"
	wait_node_state node2 '^idle$'
	run sinfo -R -h -o '%E|%N'
	[ -z "$output" ]
}

@test "a --requeue 2-node job on a hung node runs again elsewhere with SLURM_RESTART_COUNT=1" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -N2 --requeue -o rq.out \
		--wrap 'echo "run $SLURM_RESTART_COUNT on $SLURM_JOB_NODELIST"; sleep 7300002')
	wait_state "$id" RUNNING
	[ "$(job_field "$id" %N)" = "node[1-2]" ]
	wait_file rq.out
	kill -STOP "$(agent_pid node2)"
	for ((i = 0; i < 150; i++)); do
		grep -q '^run 1 on node\[1,3\]$' rq.out && break
		sleep 0.2
	done
	cat rq.out
	grep -q '^run 0 on node\[1-2\]$' rq.out
	grep -q '^run 1 on node\[1,3\]$' rq.out
	[ "$(scontrol_field "$id" Restarts)" = 1 ]
	[ "$(job_field "$id" %T)" = RUNNING ]
	kill -CONT "$(agent_pid node2)"
	scancel "$id"
	wait_state "$id" CANCELLED
	wait_node_state node2 '^idle$'
}
