#!/usr/bin/env bats
# SuspendExcNodes (NODES and NODES:N, "keep N of them up") and
# SuspendExcParts: nodes never suspended; SuspendTime
# per partition beats the global one (INFINITE here); an agent that
# registers while its node is powered down is taken as powered up.
load helpers
load power-helpers

setup_file() {
	power_start --set SuspendTime=INFINITE --set SuspendTimeout=1 --set ResumeTimeout=30 \
		--set "SuspendExcNodes=cloud1,cloud[4-5]:1" --set SuspendExcParts=keep \
		--set "NodeName=cloud[1-5] State=CLOUD CPUs=1" \
		--set "PartitionName=pair Nodes=cloud[4-5] MaxTime=INFINITE SuspendTime=2" \
		--set "PartitionName=cloud Nodes=cloud[1-2] MaxTime=INFINITE SuspendTime=2" \
		--set "PartitionName=keep Nodes=cloud3 MaxTime=INFINITE SuspendTime=2"
}
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { sky_logs; power_log; sky_cancel_all; }; }

@test "after the partition's SuspendTime, only the node not excluded is powered down" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p cloud -N2 -o /dev/null --wrap 'true')
	k=$(sbatch --parsable -p keep -o /dev/null --wrap 'true')
	wait_state "$id" COMPLETED 30
	wait_state "$k" COMPLETED 30
	wait_node cloud2 'idle~' 15
	sleep 4
	[ "$(sinfo -h -n cloud1 -o %t)" = idle ]
	[ "$(sinfo -h -n cloud3 -o %t)" = idle ]
	! grep -q 'suspend.*cloud1' "$SKY_INST/power.log"
	! grep -q 'suspend.*cloud3' "$SKY_INST/power.log"
}

@test "an agent started while its node is powered down is taken as powered up" {
	[ "$(sinfo -h -n cloud2 -o %t)" = "idle~" ]
	"$SKY_INST/bin/slurmd-sky" -f "$SLURM_SKY_CONF" -N cloud2
	wait_node cloud2 idle 10
	# And it is released again after SuspendTime.
	wait_node cloud2 'idle~' 15
}

@test "SuspendExcNodes=cloud[4-5]:1 keeps one of the two up" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p pair -N2 -o /dev/null --wrap 'true')
	wait_state "$id" COMPLETED 30
	for ((i = 0; i < 150; i++)); do
		[ "$(sinfo -h -N -n 'cloud[4-5]' -o %t | sort | tr '\n' ' ')" = "idle idle~ " ] && break
		sleep 0.1
	done
	sleep 4
	[ "$(sinfo -h -N -n 'cloud[4-5]' -o %t | sort | tr '\n' ' ')" = "idle idle~ " ]
}
