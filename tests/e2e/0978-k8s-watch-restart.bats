#!/usr/bin/env bats
# The pod watch and the log streams recover (slurmctld-sky/prov_k8s_pods.c,
# prov_k8s_log.c): a watch history compacted and every watch dropped mid-job
# (410 Gone, relist) and the job still ends right; the controller killed
# mid-job and started again adopts the running pod: its log resumes where the
# output file ends (no line lost or doubled) and the job completes.
load helpers
load k8s-pods-helpers

# Eight numbered lines, one a second, then the exit code given.
counting='for i in 1 2 3 4 5 6 7 8; do echo "line $i"; sleep 1; done; exit '

expect_lines() {  # FILE: exactly "line 1" .. "line 8"
	[ "$(cat "$1")" = "$(for i in 1 2 3 4 5 6 7 8; do echo "line $i"; done)" ]
}

@test "compact + drop-watches mid-job (410, relist): the job still ends with its exit code" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p k8s -o "w-%j.out" --wrap "${counting}5")
	wait_pods "$id" 1 Running 30
	sleep 2
	k8s_ctl compact >/dev/null
	k8s_ctl drop-watches >/dev/null
	sleep 2
	k8s_ctl compact >/dev/null
	k8s_ctl drop-watches >/dev/null
	wait_state "$id" FAILED 60
	[ "$(scontrol_field "$id" ExitCode)" = 5:0 ]
	expect_lines "w-$id.out"
	wait_no_objects "$id" 30
	# The relist found the running pod of the job it follows: no garbage collected.
	! grep -q "job $id: deleting its leftover objects" "$SKY_INST/log/slurmctld.log"
}

@test "a job ending while the watch is away: the relist reports it" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p k8s -o "w-%j.out" --wrap 'echo quick; sleep 3; exit 7')
	wait_pods "$id" 1 Running 30
	# Every watch keeps being dropped until the pod has ended, and the
	# history is forgotten: only a relist can tell what happened.
	for ((i = 0; i < 40; i++)); do
		k8s_ctl drop-watches >/dev/null
		k8s_ctl compact >/dev/null
		[ "$(kubectl get pod "sky-sky-$id-0" -o jsonpath='{.status.phase}' 2>/dev/null)" = Running ] || break
		sleep 0.1
	done
	k8s_ctl compact >/dev/null
	k8s_ctl drop-watches >/dev/null
	wait_state "$id" FAILED 60
	[ "$(scontrol_field "$id" ExitCode)" = 7:0 ]
	[ "$(cat "w-$id.out")" = quick ]
}

@test "controller killed mid-job and restarted: the pod is adopted, no line lost or doubled" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p k8s -o "r-%j.out" --wrap "${counting}0")
	wait_pods "$id" 1 Running 30
	for ((i = 0; i < 50; i++)); do
		grep -q "line 3" "r-$id.out" 2>/dev/null && break
		sleep 0.1
	done
	grep -q "line 3" "r-$id.out"
	kill -9 "$(ctld_pid)"
	sleep 2
	ctld_restart
	wait_log "job $id: adopted its running pods"
	wait_state "$id" COMPLETED 60
	expect_lines "r-$id.out"
	[ "$(scontrol_field "$id" Restarts)" = 0 ]
	wait_no_objects "$id" 30
}

@test "controller down while the pod ends: the restarted one ends the job from the pod" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p k8s -o "d-%j.out" --wrap 'echo one; sleep 2; echo two; exit 9')
	wait_pods "$id" 1 Running 30
	wait_file "d-$id.out" 20
	kill -9 "$(ctld_pid)"
	k8s_wait_phase "sky-sky-$id-0" Failed 30
	ctld_restart
	wait_state "$id" FAILED 60
	[ "$(scontrol_field "$id" ExitCode)" = 9:0 ]
	[ "$(cat "d-$id.out")" = "$(printf 'one\ntwo')" ]
	wait_no_objects "$id" 30
}
