#!/usr/bin/env bats
# The Kubernetes provider launches a 1-node job as one pod (slurmctld-sky/
# prov_k8s_launch.c) on the emulator of `sky-up --k8s-emulator`: the pod
# runs the batch script from the job's ConfigMap on the slot's Kubernetes
# node, with the CPUs and memory the job holds there, our labels and an
# owner (the ConfigMap); the job ends with the script's exit code and its
# objects go. A create that fails (the pod's name taken) leaves nothing of
# ours behind and puts the job back to PENDING with the reason; it runs once
# the obstacle is gone.
load helpers
load k8s-launch-helpers

setup_file() { k8s_launch_start; }
teardown_file() { sky_stop; }

# A script that waits for $SKY_WORK/go-<id> (the emulator runs pods on this host).
gate='while [ ! -e "$GATE_DIR/go-$SLURM_JOB_ID" ]; do sleep 0.2; done; echo "on $SLURMD_NODENAME"; exit 3'

@test "a 1-node job runs as one pod on its slot's node and fails with the script's exit code" {
	cd "$SKY_WORK"
	slot=$(bound cpu-1)
	[ -n "$slot" ]
	id=$(GATE_DIR=$SKY_WORK sbatch --parsable -p k8s -w "$slot" -c 2 --mem=1500 -o "one-%j.out" \
		--wrap "$gate")
	wait_pods "$id" 1 Running 30
	run job_pods "$id"
	[ "$output" = "sky-sky-$id-0 cpu-1 Running" ]
	json=$(kubectl get pod "sky-sky-$id-0" -o json)
	[ "$(jq -r '.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values[0]' <<<"$json")" = cpu-1 ]
	[ "$(jq -r '.spec.containers[0].resources.requests.cpu' <<<"$json")" = 2 ]
	[ "$(jq -r '.spec.containers[0].resources.limits.cpu' <<<"$json")" = 2 ]
	[ "$(jq -r '.spec.containers[0].resources.requests.memory' <<<"$json")" = 1500Mi ]
	[ "$(jq -r '.spec.containers[0].resources.limits.memory' <<<"$json")" = 1500Mi ]
	[ "$(jq -r '.spec.containers[0].resources.requests["nvidia.com/gpu"]' <<<"$json")" = null ]
	[ "$(jq -r '.spec.containers[0].image' <<<"$json")" = debian:stable ]
	[ "$(jq -r '.spec.containers[0].command[0]' <<<"$json")" = /sky/job/script ]
	[ "$(jq -r '.spec.restartPolicy' <<<"$json")" = Never ]
	[ "$(jq -r '.spec.hostname' <<<"$json")" = "sky-sky-$id-0" ]
	[ "$(jq -r '.spec.subdomain' <<<"$json")" = "sky-sky-$id" ]
	[ "$(jq -r '.metadata.labels["slurm-sky/node"]' <<<"$json")" = "$slot" ]
	[ "$(jq -r '.metadata.ownerReferences[0].kind' <<<"$json")" = ConfigMap ]
	[ "$(jq -r '.metadata.ownerReferences[0].name' <<<"$json")" = "sky-sky-$id" ]
	cm_uid=$(kubectl get configmap "sky-sky-$id" -o jsonpath='{.metadata.uid}')
	[ "$(jq -r '.metadata.ownerReferences[0].uid' <<<"$json")" = "$cm_uid" ]
	# The ConfigMap holds the batch script; the Service is headless.
	kubectl get configmap "sky-sky-$id" -o jsonpath='{.data.script}' | grep -F 'go-$SLURM_JOB_ID'
	[ "$(kubectl get service "sky-sky-$id" -o jsonpath='{.spec.clusterIP}')" = None ]
	# The environment slurmd-sky would give it on that slot.
	[ "$(pod_var "sky-sky-$id-0" SLURM_JOB_ID)" = "$id" ]
	[ "$(pod_var "sky-sky-$id-0" SLURMD_NODENAME)" = "$slot" ]
	[ "$(pod_var "sky-sky-$id-0" SLURM_JOB_NODELIST)" = "$slot" ]
	[ "$(pod_var "sky-sky-$id-0" SLURM_CPUS_ON_NODE)" = 2 ]
	[ "$(pod_var "sky-sky-$id-0" GATE_DIR)" = "$SKY_WORK" ]
	[ "$(pod_var "sky-sky-$id-0" WORLD_SIZE)" = 1 ]
	[ "$(job_field "$id" %T)" = RUNNING ]
	touch "$SKY_WORK/go-$id"
	wait_state "$id" FAILED 30
	[ "$(scontrol_field "$id" ExitCode)" = 3:0 ]
	wait_no_objects "$id" 30
}

@test "a job that exits 0 completes, and its objects go" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p k8s -o "ok-%j.out" --wrap 'echo "hello $SLURM_JOB_ID"')
	wait_state "$id" COMPLETED 30
	[ "$(scontrol_field "$id" ExitCode)" = 0:0 ]
	wait_no_objects "$id" 30
}

@test "a failed create leaves no objects, the job pends with the reason, then runs" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -H -p k8s -o "retry-%j.out" --wrap 'echo retried')
	# Someone else's pod already has the name of the job's rank 0.
	kubectl run "sky-sky-$id-0" --image=x --restart=Never -- sleep 600
	scontrol release "$id"
	for ((i = 0; i < 100; i++)); do
		r=$(job_field "$id" %r)
		[[ $r == *AlreadyExists* ]] && break
		sleep 0.1
	done
	echo "reason: $r"
	[[ $r == *AlreadyExists* ]]
	[ "$(job_field "$id" %T)" = PENDING ]
	# The ConfigMap and Service it had made are gone; the stranger's pod is untouched.
	wait_no_objects "$id" 10
	[ "$(kubectl get pod "sky-sky-$id-0" -o jsonpath='{.status.phase}')" = Running ]
	kubectl delete pod "sky-sky-$id-0" --grace-period=0
	wait_state "$id" COMPLETED 45
	grep -qx retried "retry-$id.out"
}
