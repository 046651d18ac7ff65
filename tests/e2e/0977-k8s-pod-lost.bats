#!/usr/bin/env bats
# A job whose pod is lost (slurmctld-sky/prov_k8s_pods.c): evicted by the
# kubelet, preempted by the scheduler, or deleted by someone while it runs.
# The job takes the node-failure path: requeued (Restarts=1, its output file
# appended to) and run again to completion, or NODE_FAIL with --no-requeue.
load helpers
load k8s-pods-helpers

script='echo "start $SLURM_RESTART_COUNT"; sleep 5; echo "end $SLURM_RESTART_COUNT"'

# lose_pod HOW ID: wait until the job's first run is writing, then lose its pod.
lose_pod() {
	local how=$1 id=$2
	wait_pods "$id" 1 Running 30
	wait_file "$SKY_WORK/lost-$id.out" 20
	case $how in
	evict | preempt) k8s_ctl "$how" "default/sky-sky-$id-0" >/dev/null ;;
	delete) kubectl delete pod "sky-sky-$id-0" --wait=false >/dev/null ;;
	esac
}

# requeued_then_done ID: the second run ends COMPLETED, the file has both runs.
requeued_then_done() {
	local id=$1
	wait_state "$id" COMPLETED 60
	[ "$(scontrol_field "$id" Restarts)" = 1 ]
	[ "$(cat "$SKY_WORK/lost-$id.out")" = "$(printf 'start 0\nstart 1\nend 1')" ]
	wait_no_objects "$id" 30
}

@test "k8s_ctl evict mid-job: requeued, Restarts=1, runs again to completion" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p k8s -o "lost-%j.out" --wrap "$script")
	lose_pod evict "$id"
	# Requeued at once (not COMPLETED, not FAILED), then running again.
	wait_state "$id" "PENDING|RUNNING" 10
	requeued_then_done "$id"
	grep -q "job $id: pods ended (Evicted).*requeued" "$SKY_INST/log/slurmctld.log"
}

@test "k8s_ctl preempt mid-job: requeued and run again" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p k8s -o "lost-%j.out" --wrap "$script")
	lose_pod preempt "$id"
	requeued_then_done "$id"
	grep -q "job $id: pods ended (PreemptionByScheduler).*requeued" "$SKY_INST/log/slurmctld.log"
}

@test "the pod deleted behind our back mid-job: requeued and run again" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p k8s -o "lost-%j.out" --wrap "$script")
	lose_pod delete "$id"
	requeued_then_done "$id"
}

@test "--no-requeue: an evicted job ends NODE_FAIL" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p k8s --no-requeue -o "lost-%j.out" --wrap "$script")
	lose_pod evict "$id"
	wait_state "$id" NODE_FAIL 30
	[ "$(job_field "$id" %r)" = NodeDown ]
	[ "$(cat "lost-$id.out")" = "start 0" ]
	wait_no_objects "$id" 30
}
