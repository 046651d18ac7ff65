#!/usr/bin/env bats
# Garbage collection (slurmctld-sky/prov_k8s_pods.c): at start-up and at
# every relist, the labelled pods, Services and ConfigMaps of our cluster
# whose job is unknown or finished are deleted; another cluster's and
# unlabelled objects are left alone; a running job whose pods vanished while
# the controller was down is requeued.
load helpers
load k8s-pods-helpers

# labels CLUSTER JOB: our label set as JSON.
labels() {
	printf '{"app.kubernetes.io/managed-by": "slurm-sky", "slurm-sky/cluster": "%s", "slurm-sky/job": "%s", "slurm-sky/restart": "0", "slurm-sky/rank": "0"}' "$1" "$2"
}

# stray NAME CLUSTER JOB: a sleeping pod, a Service and a ConfigMap so labelled.
stray() {
	kubectl create --validate=false -f - >/dev/null <<EOF2
{"apiVersion": "v1", "kind": "List", "items": [
 {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "$1", "labels": $(labels "$2" "$3")},
  "spec": {"nodeName": "cpu-1", "restartPolicy": "Never",
   "containers": [{"name": "c", "image": "x", "command": ["sleep", "300"]}]}},
 {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "$1", "labels": $(labels "$2" "$3")},
  "spec": {"clusterIP": "None", "selector": {"x": "y"}}},
 {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "$1", "labels": $(labels "$2" "$3")},
  "data": {"script": "true"}}]}
EOF2
}

# gone KIND/NAME [SECONDS]: until the object no longer exists.
gone() {
	local i
	for ((i = 0; i < ${2:-20} * 5; i++)); do
		kubectl get "$1" >/dev/null 2>&1 || return 0
		sleep 0.2
	done
	echo "$1 still exists" >&2
	return 1
}

@test "start-up: objects of an unknown job of ours go; other clusters' and unlabelled stay" {
	kill -9 "$(ctld_pid)"
	stray sky-sky-9999 sky 9999
	stray other-1 other 1
	kubectl run plain --image=x --restart=Never --command -- sleep 300 >/dev/null
	ctld_restart
	for o in pod/sky-sky-9999 service/sky-sky-9999 configmap/sky-sky-9999; do
		gone "$o" 30
	done
	grep -q "job 9999: deleting its leftover objects" "$SKY_INST/log/slurmctld.log"
	for o in pod/other-1 service/other-1 configmap/other-1 pod/plain; do
		kubectl get "$o" >/dev/null
	done
	kubectl delete pod/other-1 service/other-1 configmap/other-1 pod/plain --wait=false >/dev/null
}

@test "relist (410): the objects of a finished job go, the running job's stay" {
	cd "$SKY_WORK"
	done_id=$(sbatch --parsable -p k8s -o /dev/null --wrap true)
	wait_state "$done_id" COMPLETED 60
	wait_no_objects "$done_id" 30
	run_id=$(sbatch --parsable -p k8s -o "g-%j.out" --wrap 'sleep 8; echo done')
	wait_pods "$run_id" 1 Running 30
	# Objects of the finished job appear again (a cleanup that never happened)
	# while the controller is stopped, its watches cut and the history then
	# forgotten: resuming, its resourceVersion is too old (410) and only the
	# relist shows them. (Stopped, it cannot take a bookmark that would move
	# its resourceVersion past the compaction.)
	kill -STOP "$(ctld_pid)"
	k8s_ctl drop-watches >/dev/null
	stray "sky-sky-$done_id" sky "$done_id"
	k8s_wait_phase "sky-sky-$done_id" Running 20
	k8s_ctl compact >/dev/null
	kill -CONT "$(ctld_pid)"
	gone "pod/sky-sky-$done_id" 30
	gone "configmap/sky-sky-$done_id" 30
	# The running job was not touched and completes.
	[ "$(job_field "$run_id" %T)" = RUNNING ]
	wait_state "$run_id" COMPLETED 60
	[ "$(cat "g-$run_id.out")" = done ]
	grep -q "job $done_id: deleting its leftover objects" "$SKY_INST/log/slurmctld.log"
	! grep -q "job $run_id: deleting its leftover objects" "$SKY_INST/log/slurmctld.log"
}

@test "pods gone while the controller was down: the job is requeued and runs again" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p k8s -o "v-%j.out" --wrap 'echo "run $SLURM_RESTART_COUNT"; sleep 6')
	wait_pods "$id" 1 Running 30
	kill -9 "$(ctld_pid)"
	kubectl delete pod "sky-sky-$id-0" --grace-period=0 >/dev/null
	gone "pod/sky-sky-$id-0" 20
	ctld_restart
	wait_state "$id" "PENDING|RUNNING" 20
	wait_state "$id" COMPLETED 60
	[ "$(scontrol_field "$id" Restarts)" = 1 ]
	grep -qx "run 1" "v-$id.out"
}
