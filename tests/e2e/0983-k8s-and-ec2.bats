#!/usr/bin/env bats
# One partition over Kubernetes slots and elastic EC2 slots (moto, with the VM
# player of tests/aws/): a GPU job goes to the owned Kubernetes capacity
# (Price=0) even though the EC2 slots come first in the partition, and the
# next such job, with Kubernetes full, bursts to EC2: one RunInstances, the VM
# boots an agent for the slot, the job runs there. Both complete.
load helpers
load aws-burst-helpers
load k8s-sky-helpers

setup_file() {
	aws_sky_start --aws-suspend-time 8 --set SuspendTimeout=2 --set ResumeTimeout=60 \
		--k8s-emulator \
		--append-conf 'PartitionName=gpu Nodes=aws-gpu-[1-8],k8s-[0-7] MaxTime=INFINITE State=UP'
}
teardown_file() { aws_sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { sky_logs; k8s_logs; sim_log; aws_log; sky_cancel_all; }; }

# Each job runs until the last test creates $RELEASE (at most 180 s): the pods
# of the emulator and the VMs of the VM player are processes of this machine.
job_script='echo "on $SLURMD_NODENAME gpus=$SLURM_GPUS_ON_NODE"
i=0; while [ ! -e "$RELEASE" ] && [ $i -lt 900 ]; do sleep 0.2; i=$((i + 1)); done
echo done'

@test "partition gpu: the a100 job runs on Kubernetes, nothing is launched on EC2" {
	[ "$(sinfo -h -p gpu -N -o '%N' | wc -l)" -eq 16 ]
	cd "$SKY_WORK"
	id=$(RELEASE=$SKY_WORK/release sbatch --parsable -p gpu --gres=gpu:a100:8 -o "k8s-%j.out" \
		--wrap "$job_script")
	echo "$id" > "$SKY_DIR/first.id"
	wait_state "$id" RUNNING 30
	slot=$(slot_of gfd-a100-0)
	[ "$(job_field "$id" %N)" = "$slot" ]
	wait_pods "$id" 1 Running 30
	[ "$(job_pods "$id")" = "sky-sky-$id-0 gfd-a100-0 Running" ]
	sleep 1.5
	[ -z "$(run_zones)" ]
	[ -z "$(moto_instances)" ]
	[ "$(sinfo -h -p cloud -o '%t %D')" = "idle~ 8" ]
}

@test "with Kubernetes full, the next a100 job bursts to EC2" {
	cd "$SKY_WORK"
	first=$(cat "$SKY_DIR/first.id")
	id=$(RELEASE=$SKY_WORK/release sbatch --parsable -p gpu --gres=gpu:a100:8 -o "ec2-%j.out" \
		--wrap "$job_script")
	echo "$id" > "$SKY_DIR/second.id"
	wait_state "$id" 'CONFIGURING|RUNNING' 20
	[[ $(job_field "$id" %N) == aws-gpu-* ]]
	wait_instances 1 30 pending running
	[ "$(run_zones | wc -l)" -eq 1 ]
	wait_state "$id" RUNNING 60
	# The first job is still on its Kubernetes node, untouched.
	[ "$(job_field "$first" %T)" = RUNNING ]
	[ "$(job_field "$first" %N)" = "$(slot_of gfd-a100-0)" ]
	[ "$(job_pods "$id")" = "" ]
}

@test "both jobs complete, each where it ran; the Kubernetes job leaves nothing behind" {
	first=$(cat "$SKY_DIR/first.id")
	second=$(cat "$SKY_DIR/second.id")
	touch "$SKY_WORK/release"
	wait_state "$first" COMPLETED 60
	wait_state "$second" COMPLETED 60
	wait_file "$SKY_WORK/k8s-$first.out"
	wait_file "$SKY_WORK/ec2-$second.out"
	[ "$(cat "$SKY_WORK/k8s-$first.out")" = "on $(slot_of gfd-a100-0) gpus=8
done" ]
	node=$(job_field "$second" %N)
	[ "$(cat "$SKY_WORK/ec2-$second.out")" = "on $node gpus=8
done" ]
	wait_no_objects "$first" 30
	# The EC2 job's placement and price; the Kubernetes job ran on owned capacity.
	[[ $(scontrol -o show job "$second") == *"Placement=aws/"* ]]
}
