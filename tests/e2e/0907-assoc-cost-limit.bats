#!/usr/bin/env bats
# GrpTRESMins on slurm-sky's "cost" TRES (AccountingStorageTRES=cost): a
# job's cost TRES is its hourly price in cents, so its usage is the spend
# (6000 TRES-minutes a dollar). Once an account has spent its allowance,
# its jobs that may run on priced nodes pend (AssocGrpCostMinutes); its
# jobs on unpriced nodes still run. Price=36 dollars per hour a node: 3600
# cents/h, 60 TRES-minutes per second of run.
load helpers
load power-helpers

setup_file() {
	power_start --set SuspendTime=60 --set SuspendTimeout=3 --set ResumeTimeout=30 \
		--set AccountingStorageEnforce=associations,limits \
		--set AccountingStorageTRES=cost \
		--set PriorityCalcPeriod=0:01 \
		--set "ProviderName=burst Type=program ResumeProgram=$POWER_RESUME SuspendProgram=$POWER_SUSPEND InstanceType=m5.large Region=us-east-1 Zone=us-east-1b Market=on-demand Price=36" \
		--set "NodeName=cloud[1-2] State=CLOUD CPUs=1 Provider=burst" \
		--set "PartitionName=cloud Nodes=cloud[1-2] MaxTime=INFINITE"
	cd "$SKY_WORK"
	ME=$(id -un)
	export ME
	sacctmgr -i add account spend >/dev/null
	sacctmgr -i add user "$ME" Account=spend DefaultAccount=spend >/dev/null
}
teardown_file() { sky_cancel_all; sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { sky_logs; power_log; sky_cancel_all; }; }

@test "GrpTRESMins=cost: once the spend is used up, priced jobs pend, local ones run" {
	cd "$SKY_WORK"
	sacctmgr -i modify account spend set GrpTRESMins=cost=300 >/dev/null
	run sacctmgr -n -P show assoc where account=spend format=account,user,grptresmins
	[[ $output == *"spend||cost=300"* ]]
	# 36 $/h for 8 s: 480 TRES-minutes, over the 300 allowed.
	a=$(sbatch --parsable -p cloud -o /dev/null --wrap 'sleep 8')
	wait_state "$a" COMPLETED 60
	sleep 2
	run sshare -l -n -P -A spend
	echo "$output"
	b=$(sbatch --parsable -p cloud -o /dev/null --wrap true)
	wait_reason "$b" AssocGrpCostMinutes
	# Nothing priced on the local partition: its jobs are not held.
	c=$(sbatch --parsable -p debug -o /dev/null --wrap true)
	wait_state "$c" COMPLETED 20
	sacctmgr -i modify account spend set GrpTRESMins=cost=-1 >/dev/null
	wait_state "$b" COMPLETED 60
}
