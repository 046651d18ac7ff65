#!/usr/bin/env bats
# The QOS factor of multifactor priority (slurm.md section 7): a job's QOS
# Priority over the largest QOS Priority, times PriorityWeightQOS; the
# higher-QOS job starts first; sprio shows the QOS column; UsageFactor
# scales the usage a job charges to its association.
load helpers

setup_file() {
	sky_start --nodes 1 --cpus-per-node 1 \
		--set PriorityType=priority/multifactor \
		--set PriorityWeightQOS=1000 \
		--set PriorityCalcPeriod=0:01 \
		--set AccountingStorageEnforce=associations,qos
	cd "$SKY_WORK"
	ME=$(id -un)
	export ME
	sacctmgr -i add qos low Priority=10 >/dev/null
	sacctmgr -i add qos high Priority=100 >/dev/null
	sacctmgr -i add qos free UsageFactor=0 >/dev/null
	sacctmgr -i add account paid >/dev/null
	sacctmgr -i add account gratis >/dev/null
	sacctmgr -i add user "$ME" Account=paid,gratis DefaultAccount=paid \
		QOS=normal,low,high,free >/dev/null
}
teardown_file() { sky_cancel_all; sky_stop; }
teardown() {
	[ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs
	sky_cancel_all
}

@test "the QOS factor orders jobs: the high QOS job starts first" {
	block=$(sbatch --parsable -o /dev/null --wrap 'sleep 30')
	wait_state "$block" RUNNING
	lo=$(sbatch --parsable -q low -o /dev/null --wrap 'sleep 30')
	no=$(sbatch --parsable -o /dev/null --wrap 'sleep 30')
	hi=$(sbatch --parsable -q high -o /dev/null --wrap 'sleep 30')
	# 10/100 and 100/100 of the weight; normal's Priority 0 gives the floor, 1.
	[ "$(job_field "$lo" %Q)" = 100 ]
	[ "$(job_field "$hi" %Q)" = 1000 ]
	[ "$(job_field "$no" %Q)" = 1 ]
	run sprio -j "$hi"
	[[ "${lines[1]}" =~ ^\ +$hi\ debug\ +1000\ .*\ 1000\ *$ ]]
	run sprio -n -j "$lo"
	[[ "${lines[1]}" == *" 0.1000000"* ]]
	scancel "$block"
	wait_state "$hi" RUNNING
	[ "$(job_field "$lo" %T)" = PENDING ]
	[ "$(job_field "$no" %T)" = PENDING ]
	scancel "$hi"
	wait_state "$lo" RUNNING
}

@test "changing a QOS Priority re-ranks pending jobs" {
	block=$(sbatch --parsable -o /dev/null --wrap 'sleep 30')
	wait_state "$block" RUNNING
	lo=$(sbatch --parsable -q low -o /dev/null --wrap 'sleep 30')
	sacctmgr -i modify qos low set Priority=200 >/dev/null
	# low is now the largest: factor 1.0.
	[ "$(job_field "$lo" %Q)" = 1000 ]
	sacctmgr -i modify qos low set Priority=10 >/dev/null
	[ "$(job_field "$lo" %Q)" = 100 ]
}

@test "UsageFactor=0 charges no usage; the default 1 charges it all" {
	a=$(sbatch --parsable -A gratis -q free -o /dev/null --wrap 'sleep 3')
	wait_state "$a" COMPLETED 30
	b=$(sbatch --parsable -A paid -o /dev/null --wrap 'sleep 3')
	wait_state "$b" COMPLETED 30
	sleep 2
	free_u=$(sshare -n -P -A gratis | awk -F'|' '$2 == "" { print $5 }')
	paid_u=$(sshare -n -P -A paid | awk -F'|' '$2 == "" { print $5 }')
	echo "usage: gratis $free_u, paid $paid_u"
	[ "$free_u" -eq 0 ]
	[ "$paid_u" -ge 2 ]
}
