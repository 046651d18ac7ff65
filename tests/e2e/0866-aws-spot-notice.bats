#!/usr/bin/env bats
# Spot interruption notices (issue 5): the VM player serves each VM an
# instance metadata service (IMDSv2) and, on "interrupt NODE SECONDS" in its
# control file, posts a notice there and terminates the instance SECONDS
# later. The agent sees the notice and tells the controller, which drains
# the node, sends the job its --signal warning at once, and requeues it (same
# id, SLURM_RESTART_COUNT=1) by the notice's time; a --no-requeue job ends
# NODE_FAIL. An agent whose instance id is not its slot's is refused and
# exits; without a metadata service the agent runs as before.
load helpers
load aws-burst-helpers

setup_file() {
	aws_sky_start --aws-nodes 3 --aws-suspend-time 2 --set SuspendTimeout=1 --set ResumeTimeout=20
}
teardown_file() { aws_sky_stop; }
setup() { wait_all_down 30; : > "$SKY_INST/vm_sim.noboot"; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { sky_logs; sim_log; aws_log; sky_cancel_all; }; }

instance_of() {
	moto_instances running | awk -v n="$1" '$5 == n { print $1 }'
}

# most_copies ID: until job ID ends, the most copies of its batch script
# ever seen running at once (over every node's spool: they share this host).
# Only this instance's spools: a test running beside this one (make -j2)
# has a job with the same id too.
most_copies() {
	local id=$1 most=0 n i st
	for ((i = 0; i < 900; i++)); do
		n=$(pgrep -fc "$SKY_INST/spool/[^ ]*/job$id/script" || true)
		((n > most)) && most=$n
		st=$(job_field "$id" %T)
		[[ $st =~ ^(COMPLETED|FAILED|NODE_FAIL|CANCELLED)$ ]] && break
		sleep 0.1
	done
	echo "$most"
}

# A script that traps USR1 (the --signal warning) and, on its first run,
# waits in short sleeps so that the trap runs at once. No command
# substitution or external command in the loop: every process counted by
# most_copies is one run.
write_script() {
	cat > "$SKY_WORK/spot.sh" <<'EOF'
#!/bin/bash
run=${SLURM_RESTART_COUNT:-0}
echo "start $run on $SLURMD_NODENAME"
trap 'echo "usr1 $run"; echo > "warned.$run"' USR1
i=0
while [ "$run" = 0 ] && [ $i -lt 1500 ]; do sleep 0.2; i=$((i + 1)); done
echo "end $run"
EOF
	chmod 755 "$SKY_WORK/spot.sh"
}

@test "spot notice: --signal warning now, node drained, requeued with restart count 1, one copy at a time" {
	cd "$SKY_WORK"
	write_script
	id=$(sbatch --parsable -p cloud -N1 --gres=gpu:a100:8 -t 30 --signal=B:USR1@60 \
		-o spot.out --open-mode=append spot.sh)
	wait_state "$id" RUNNING 40
	wait_file spot.out 10
	node=$(job_field "$id" %N)
	iid=$(instance_of "$node")
	zone1=$(node_field "$node" Zone)
	[ -n "$iid" ] && [ -n "$zone1" ]
	sim_log | grep -q "imds $iid $node http://127.0.0.1:"
	echo "interrupt $node 8" >> "$SKY_INST/vm_sim.noboot"
	# The warning arrives within a poll or two, long before the limit's.
	wait_file warned.0 6
	grep -qx "usr1 0" spot.out
	grep -q "job $id: signal 10 now (--signal warning: spot interruption notice on $node)" \
		"$SKY_INST/log/slurmctld.log"
	grep -q "watching the instance metadata at http://127.0.0.1:" "$SKY_INST/log/slurmd-$node.log"
	grep -q "spot interruption notice: terminate at" "$SKY_INST/log/slurmd-$node.log"
	# Drained with the notice as its reason; nothing new goes there.
	[[ $(sinfo -h -N -n "$node" -o %t) =~ ^(drain|drng)$ ]]
	run sinfo -R -h -o '%E|%N'
	[[ $output == *"spot interruption notice: terminate at "*"|$node"* ]]
	[ "$(job_field "$id" %T)" = RUNNING ]
	# Requeued by the notice's time, rerun on a new instance, never two at once.
	[ "$(most_copies "$id")" -eq 1 ]
	wait_state "$id" COMPLETED 60
	[ "$(scontrol_field "$id" Restarts)" = 1 ]
	[ "$(job_field "$id" %i)" = "$id" ]
	[ "$(head -n1 spot.out)" = "start 0 on $node" ]
	grep -q "^start 1 on " spot.out
	[ "$(tail -n1 spot.out)" = "end 1" ]
	! grep -qx "end 0" spot.out
	# On a new instance, in another zone: the notice blocklisted the offering.
	new=$(moto_instances | awk -v n="$(job_field "$id" %N)" -v old="$iid" '$5 == n && $1 != old { print $1 " " $3 }' | tail -n1)
	[ -n "$new" ]
	[ "${new#* }" != "$zone1" ]
	grep -q "job $id: launching 1 node(s) .*/${new#* } " "$SKY_INST/log/slurmctld.log"
	sim_log | grep -q "interrupt $iid $node terminate"
	sim_log | grep -q "halt $iid $node"
	# The slot is usable again once its instance is gone.
	wait_all_down 30
	run sinfo -R -h -o '%E|%N'
	[[ $output != *"spot interruption"* ]]
}

@test "spot notice on a --no-requeue job: it ends NODE_FAIL, not requeued" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable --no-requeue -p cloud -N1 --gres=gpu:a100:8 -o nrq.out \
		--wrap 'echo started; sleep 300')
	wait_state "$id" RUNNING 40
	wait_file nrq.out 10
	node=$(job_field "$id" %N)
	echo "interrupt $node 4" >> "$SKY_INST/vm_sim.noboot"
	wait_state "$id" NODE_FAIL 30
	[ "$(scontrol_field "$id" Restarts)" = 0 ]
	[ "$(job_field "$id" %r)" = NodeDown ]
	grep -q "node $node: spot interruption notice: terminate at" "$SKY_INST/log/slurmctld.log"
	[ "$(grep -c started nrq.out)" -eq 1 ]
}

@test "an agent whose instance id is not its slot's is refused and exits" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p cloud -N1 --gres=gpu:a100:8 -o stale.out --wrap 'echo up; sleep 300')
	wait_state "$id" RUNNING 40
	wait_file stale.out 10
	node=$(job_field "$id" %N)
	iid=$(instance_of "$node")
	# A second agent for the slot (its own spool, pid and log files), as a
	# VM that lost the slot would be: it says it is another instance.
	sed -e "s|^SlurmdSpoolDir=.*|SlurmdSpoolDir=$SKY_DIR/stale/spool|" \
		-e "s|^SlurmdPidFile=.*|SlurmdPidFile=$SKY_DIR/stale/slurmd.pid|" \
		-e "s|^SlurmdLogFile=.*|SlurmdLogFile=$SKY_DIR/stale/slurmd.log|" \
		"$SKY_INST/slurm.conf" > "$SKY_DIR/stale.conf"
	mkdir -p "$SKY_DIR/stale"
	run timeout 20 env SKY_INSTANCE_ID=i-0000000000stale SKY_IMDS_ENDPOINT= \
		"$SKY_INST/bin/slurmd-sky" -D -f "$SKY_DIR/stale.conf" -N "$node"
	[ "$status" -eq 1 ]
	grep -q "node $node: registration from .* refused (stale instance): node $node is instance $iid now, not i-0000000000stale" \
		"$SKY_INST/log/slurmctld.log"
	grep -q "controller refused the registration of node $node: .*not i-0000000000stale.*; exiting" \
		"$SKY_DIR/stale/slurmd.log"
	# The slot's own agent and job are untouched.
	[ "$(job_field "$id" %T)" = RUNNING ]
	[[ $(sinfo -h -N -n "$node" -o %t) =~ ^(alloc|mix)$ ]]
	scancel "$id"
	wait_state "$id" CANCELLED 20
}

@test "without an instance metadata service the agent runs jobs as before" {
	cd "$SKY_WORK"
	echo "no-imds aws-gpu-*" > "$SKY_INST/vm_sim.noboot"
	id=$(sbatch --parsable -p cloud -N1 --gres=gpu:a100:8 -o noimds.out --wrap 'echo ran on $SLURMD_NODENAME')
	wait_state "$id" COMPLETED 40
	node=$(job_field "$id" %N)
	[ "$(cat noimds.out)" = "ran on $node" ]
	iid=$(moto_instances | awk -v n="$node" '$5 == n { print $1 }' | tail -n1)
	sim_log | grep -q "imds $iid $node none"
	# The template keeps an empty SKY_IMDS_ENDPOINT empty: no default address polled.
	! grep -q "instance metadata at http://169.254.169.254" "$SKY_INST/log/slurmd-$node.log"
	# Its instance id came from the environment; the slot accepted it.
	grep -q "node $node registered" "$SKY_INST/log/slurmctld.log"
	! grep -q "refused (stale instance).*not $iid" "$SKY_INST/log/slurmctld.log"
}
