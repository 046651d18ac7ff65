#!/usr/bin/env bats
# Price-aware node order: free Kubernetes capacity (Price=0) before a priced
# node. Slot <-> Kubernetes node bindings survive a controller restart (kept in
# the store's meta db), even when a fresh start would bind differently; a
# node gone while the controller was down frees its slot; a job running on
# a slot across the restart keeps it.

load helpers
load ../k8s/k8s

setup_file() {
	# node1's agent is up and priced (a program provider's Price=): the
	# scheduler's node order puts owned Kubernetes capacity (Price=0) first.
	sky_start --nodes 1 --k8s-emulator --k8s-slots 4 \
		--set "ProviderName=pricey Type=program ResumeProgram=/bin/true InstanceType=m5.large Region=us-east-1 Zone=us-east-1a Market=on-demand Price=9" \
		--set "NodeName=DEFAULT Provider=pricey" \
		--append-conf "PartitionName=mix Nodes=node1,k8s-[0-3] MaxTime=INFINITE State=UP" \
		--k8s-node "gke-m-0 --preset gke:h100:8 --cpu 16 --memory 64Gi" \
		--k8s-node "cpu-m-0 --preset cpu --cpu 4 --memory 8Gi"
}
teardown_file() { sky_stop; }
teardown() { [ -z "$BATS_TEST_COMPLETED" ] && sky_logs; sky_cancel_all; }

# bound SLOT: the uid of the Kubernetes node behind SLOT (scontrol's InstanceId), or "-".
bound() {
	local id
	id=$(scontrol show node "$1" | sed -n 's/.*InstanceId=\([^ ]*\).*/\1/p')
	echo "${id:--}"
}

node_uid() {
	kubectl get node "$1" -o jsonpath='{.metadata.uid}'
}

# wait_bound SLOT NODE|- [SECONDS]
wait_bound() {
	local i want=- got=""
	[ "$2" = - ] || want=$(node_uid "$2")
	for ((i = 0; i < ${3:-10} * 10; i++)); do
		got=$(bound "$1")
		[ "$got" = "$want" ] && [ "$(sinfo -h -N -p k8s -n "$1" -o %t)" = "${4:-idle}" ] && return 0
		sleep 0.1
	done
	echo "slot $1 is bound to '$got' ($(sinfo -h -N -p k8s -n "$1" -o %t)), not '$2' ($want)" >&2
	return 1
}

restart() {
	kill -9 "$(ctld_pid)"
	sleep 1
	ctld_restart
}

@test "a job goes to owned Kubernetes capacity before a priced node that is up" {
	run scontrol show node node1
	[[ $output == *"Price=9.0000"* ]]
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p mix --wrap 'sleep 1')
	wait_state "$id" 'RUNNING|COMPLETED|COMPLETING'
	[ "$(job_field "$id" %N)" = k8s-0 ]
	wait_state "$id" COMPLETED
}

@test "bindings survive a restart that would bind differently" {
	wait_bound k8s-0 gke-m-0
	wait_bound k8s-1 cpu-m-0
	# A GPU node whose name sorts first: a fresh start would give it k8s-0.
	k8s_ctl add-node aaa-h100 --preset gke:h100:8 --cpu 16 --memory 64Gi >/dev/null
	wait_bound k8s-2 aaa-h100
	restart
	wait_bound k8s-0 gke-m-0
	wait_bound k8s-1 cpu-m-0
	wait_bound k8s-2 aaa-h100
	grep -q "bound to Kubernetes node aaa-h100" "$SKY_INST/log/slurmctld.log"
	[ "$(grep -c "node k8s-2: bound to Kubernetes node aaa-h100" "$SKY_INST/log/slurmctld.log")" -eq 1 ]
}

@test "a node gone while the controller was down frees its slot for a new one" {
	kill -9 "$(ctld_pid)"
	k8s_ctl remove-node aaa-h100 >/dev/null
	k8s_ctl add-node bbb-l4 --preset gke:l4:1 --cpu 4 --memory 16Gi >/dev/null
	sleep 1
	ctld_restart
	wait_bound k8s-0 gke-m-0
	wait_bound k8s-1 cpu-m-0
	# The first free slot is k8s-2 again, now for the new node.
	wait_bound k8s-2 bbb-l4
	wait_bound k8s-3 - 5 'idle~'
}

@test "a job running on a slot keeps it across a restart" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p k8s -w k8s-1 --wrap 'sleep 8')
	wait_state "$id" RUNNING
	# Its pod is up (a launch cut short by the crash is another story).
	k8s_wait_phase "sky-sky-$id-0" Running 20
	restart
	wait_bound k8s-1 cpu-m-0 10 mix
	[ "$(job_field "$id" %T)" = RUNNING ]
	[ "$(job_field "$id" %N)" = k8s-1 ]
	# Never taken for lost: no requeue, no DOWN.
	[ "$(scontrol_field "$id" Restarts)" = 0 ]
	! grep -q "node k8s-1: lost" "$SKY_INST/log/slurmctld.log"
}
