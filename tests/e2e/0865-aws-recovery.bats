#!/usr/bin/env bats
# Things going wrong behind the provider's back: instances of our cluster
# that no slot owns are terminated; an instance terminated under a running
# job (a spot interruption) requeues the job with the same id and
# SLURM_RESTART_COUNT 1, and it reruns in another zone; a --no-requeue job
# ends NODE_FAIL instead; a VM that never boots is terminated at
# ResumeTimeout, its node down~ with that reason and its job requeued.
load helpers
load aws-burst-helpers

setup_file() {
	aws_sky_start --aws-nodes 3 --aws-suspend-time 2 --set SuspendTimeout=1 --set ResumeTimeout=15
}
teardown_file() { aws_sky_stop; }
setup() { wait_all_down 30; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { sky_logs; sim_log; aws_log; sky_cancel_all; }; }

# instance_of NODE: the id of NODE's running instance in moto.
instance_of() {
	moto_instances running | awk -v n="$1" '$5 == n { print $1 }'
}

@test "instances of our cluster that belong to no node are terminated; others' are left" {
	ec2_probe run --type m5.large --image ami-1 --tag slurm-sky:cluster=sky --tag slurm-sky:node=aws-gpu-99
	ec2_probe run --type m5.large --image ami-1 --tag slurm-sky:cluster=sky --tag slurm-sky:node=aws-gpu-3
	ec2_probe run --type m5.large --image ami-1 --tag slurm-sky:cluster=other --tag slurm-sky:node=aws-gpu-3
	wait_instances 2 15 terminated
	[ -z "$(moto_instances running pending)" ]
	[ "$(ec2_probe describe --tag slurm-sky:cluster=other --state running | grep -c '^instance ')" -eq 1 ]
	grep -q "belongs to no node: terminating" "$SKY_INST/log/slurmctld.log"
	# The powered-down slot did not take it over.
	[ "$(sinfo -h -N -n aws-gpu-3 -o %t)" = "idle~" ]
}

@test "spot instance terminated mid-job: requeued, same id, restart count 1, reruns in another zone" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p cloud -N1 --gres=gpu:a100:8 -o pre.out --open-mode=append \
		--wrap 'echo "run ${SLURM_RESTART_COUNT:-0} on $SLURMD_NODENAME"; [ "${SLURM_RESTART_COUNT:-0}" = 0 ] && sleep 120; echo done')
	wait_state "$id" RUNNING 40
	wait_file pre.out 10
	iid=$(instance_of aws-gpu-1)
	zone1=$(node_field aws-gpu-1 Zone)
	[ -n "$iid" ] && [ -n "$zone1" ]
	[ "$(node_field aws-gpu-1 Market)" = spot ]
	curl -sf -X DELETE "$AWS_PROXY_URL/_log"
	vm_crash aws-gpu-1
	ec2_probe terminate "$iid"
	# Seen within a poll (1 s), requeued, relaunched (often done before we look).
	wait_state "$id" COMPLETED 40
	[ "$(scontrol_field "$id" Restarts)" = 1 ]
	node=$(job_field "$id" %N)
	zone2=$(moto_instances | awk -v n="$node" '$5 == n && $1 != "'"$iid"'" { print $3 }' | tail -n1)
	[ -n "$zone2" ] && [ "$zone2" != "$zone1" ]
	[ "$(run_zones | tr '\n' ' ')" = "$zone2 " ]
	[ "$(job_field "$id" %i)" = "$id" ]
	[ "$(head -n1 pre.out)" = "run 0 on aws-gpu-1" ]
	grep -qx "run 1 on $node" pre.out
	[ "$(tail -n1 pre.out)" = done ]
	grep -q "node aws-gpu-1: instance $iid terminated" "$SKY_INST/log/slurmctld.log"
	# The old VM's agent and job are gone: nothing ran twice at once.
	sim_log | grep -q "halt $iid aws-gpu-1"
}

@test "one instance of a 2-node job lost: the job reruns on two new instances, both in another zone" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p cloud -N2 --gres=gpu:a100:8 -o two.out --open-mode=append \
		--wrap 'echo "run ${SLURM_RESTART_COUNT:-0} on $SLURM_JOB_NODELIST"; [ "${SLURM_RESTART_COUNT:-0}" = 0 ] && sleep 120; echo done')
	wait_state "$id" RUNNING 40
	wait_file two.out 10
	zone1=$(node_field aws-gpu-1 Zone)
	curl -sf -X DELETE "$AWS_PROXY_URL/_log"
	vm_crash aws-gpu-2
	ec2_probe terminate "$(instance_of aws-gpu-2)"
	wait_state "$id" COMPLETED 40
	[ "$(scontrol_field "$id" Restarts)" = 1 ]
	[ "$(tail -n1 two.out)" = done ]
	# Both nodes of the new run were launched together, in one other zone.
	run run_zones
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "${lines[1]}" ] && [ "${lines[0]}" != "$zone1" ]
	grep -q "node aws-gpu-1: powering down with lost node aws-gpu-2" "$SKY_INST/log/slurmctld.log"
}

@test "a --no-requeue job whose instance is lost ends NODE_FAIL" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable --no-requeue -p cloud -N1 --gres=gpu:a100:8 -o nrq.out --wrap 'echo started; sleep 120')
	wait_state "$id" RUNNING 40
	wait_file nrq.out 10
	node=$(job_field "$id" %N)
	vm_crash "$node"
	ec2_probe terminate "$(instance_of "$node")"
	wait_state "$id" NODE_FAIL 15
	[ "$(scontrol_field "$id" Restarts)" = 0 ]
	[ "$(job_field "$id" %r)" = NodeDown ]
}

@test "a VM that never boots: ResumeTimeout, node down~ with the reason, instance terminated, job requeued" {
	cd "$SKY_WORK"
	echo aws-gpu-1 > "$SKY_INST/vm_sim.noboot"
	id=$(sbatch --parsable -p cloud -N1 --gres=gpu:a100:8 -w aws-gpu-1 -o rt.out --wrap 'echo ran on $SLURMD_NODENAME')
	wait_state "$id" CONFIGURING 10
	wait_instances 1 10 running
	iid=$(instance_of aws-gpu-1)
	wait_node aws-gpu-1 'down~' 25
	[[ $(scontrol show node aws-gpu-1) == *"Reason=ResumeTimeout reached"* ]]
	run sinfo -R -h -o '%E|%N'
	[ "$output" = "ResumeTimeout reached|aws-gpu-1" ]
	wait_instances 0 10 running pending
	moto_instances terminated | grep -q "^$iid "
	[ "$(scontrol_field "$id" Restarts)" = 1 ]
	[[ $(job_field "$id" %T) =~ ^(PENDING|CONFIGURING)$ ]]
	sim_log | grep -q "noboot $iid aws-gpu-1"
	scancel "$id"
	rm -f "$SKY_INST/vm_sim.noboot"
	scontrol update nodename=aws-gpu-1 state=resume
}
