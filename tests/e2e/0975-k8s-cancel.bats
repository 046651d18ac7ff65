#!/usr/bin/env bats
# Stopping jobs that run as pods (slurmctld-sky/prov_k8s_launch.c): scancel
# deletes the pods with KillWait as the grace period (the script gets
# SIGTERM first), then the Service and ConfigMap: nothing labelled with the
# job is left and the job is CANCELLED. scancel -s KILL deletes the pods at
# once (FAILED, RaisedSignal:9, as a script killed by SIGKILL); another
# signal cannot reach a pod: scancel reports the error, nothing changes. A time limit ends the job
# TIMEOUT the same way.
load helpers
load k8s-launch-helpers

setup_file() { k8s_launch_start; }
teardown_file() { sky_stop; }

trap_script='trap "echo TERM > \"$MARK_DIR/term-$SLURM_JOB_ID\"; exit 143" TERM
echo up > "$MARK_DIR/up-$SLURM_JOB_ID"
sleep 300 & wait'

@test "scancel of a 2-node job: SIGTERM first, then no pods, services or configmaps" {
	cd "$SKY_WORK"
	id=$(MARK_DIR=$SKY_WORK sbatch --parsable -p k8s -N 2 -o /dev/null --wrap "$trap_script")
	wait_pods "$id" 2 Running 30
	wait_file "$SKY_WORK/up-$id" 20
	[ -n "$(kubectl get service "sky-sky-$id" -o name)" ]
	[ -n "$(kubectl get configmap "sky-sky-$id" -o name)" ]
	scancel "$id"
	wait_state "$id" CANCELLED 30
	wait_no_objects "$id" 30
	run kubectl get all,cm -l "slurm-sky/job=$id" -o name
	[ -z "$output" ]
	wait_file "$SKY_WORK/term-$id" 5
	# Both slots are free again.
	wait_state "$(sbatch --parsable -p k8s -N 2 -o /dev/null --wrap true)" COMPLETED 30
}

@test "scancel -s USR1 is refused (no pod can get it), changes nothing; -s KILL ends the job FAILED" {
	cd "$SKY_WORK"
	id=$(MARK_DIR=$SKY_WORK sbatch --parsable -p k8s -o /dev/null --wrap "$trap_script")
	wait_pods "$id" 1 Running 30
	wait_file "$SKY_WORK/up-$id" 20
	run scancel -s USR1 "$id"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"scancel: error:"*"$id"* ]]
	sleep 1
	[ "$(job_field "$id" %T)" = RUNNING ]
	wait_pods "$id" 1 Running 5
	grep -q "job $id: signal 10 not delivered" "$SKY_INST/log/slurmctld.log"
	scancel -s KILL "$id"
	wait_state "$id" FAILED 30
	[ "$(job_field "$id" %r)" = RaisedSignal:9 ]
	[ "$(scontrol_field "$id" Restarts)" = 0 ]
	wait_no_objects "$id" 30
	[ ! -e "$SKY_WORK/term-$id" ]
}

@test "a job past its time limit ends TIMEOUT and its pods go" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p k8s -t 1 -o /dev/null --wrap 'sleep 300')
	wait_pods "$id" 1 Running 30
	wait_state "$id" TIMEOUT 90
	wait_no_objects "$id" 30
}

@test "scontrol requeue: the pods go, the job runs again as restart 1" {
	cd "$SKY_WORK"
	# Deaf to SIGTERM: the old pod lasts its whole grace period (the emulator's
	# grace timer is keyed by pod name and would kill a new pod of that name).
	id=$(sbatch --parsable -p k8s -o /dev/null --wrap "trap '' TERM; sleep 300")
	wait_pods "$id" 1 Running 30
	scontrol requeue "$id"
	for ((i = 0; i < 150; i++)); do
		r=$(kubectl get pod "sky-sky-$id-0" -o json 2>/dev/null |
			jq -r '"\(.metadata.labels["slurm-sky/restart"]) \(.status.phase)"' || true)
		[ "$r" = "1 Running" ] && break
		sleep 0.2
	done
	echo "pod: $r"
	[ "$r" = "1 Running" ]
	[ "$(job_field "$id" %T)" = RUNNING ]
	[ "$(scontrol_field "$id" Restarts)" = 1 ]
	scancel "$id"
	wait_no_objects "$id" 30
}
