#!/usr/bin/env bats
# Fair share under priority/multifactor (slurm.md section 7) with only the
# fair-share weight: two accounts with shares 2:1 flooding one partition get
# node-time close to 2:1; an account arriving late goes ahead of the heavy
# users' queued jobs; sshare and sprio print Slurm's columns; squeue -o %Q
# shows the priorities the scheduler orders by.
load helpers

setup_file() {
	sky_start --nodes 1 --cpus-per-node 4 \
		--set PriorityType=priority/multifactor \
		--set PriorityWeightFairshare=100000 \
		--set PriorityCalcPeriod=0:01 \
		--set AccountingStorageEnforce=associations
	cd "$SKY_WORK"
	ME=$(id -un)
	export ME
	sacctmgr -i add account heavy2 Fairshare=2 >/dev/null
	sacctmgr -i add account heavy1 Fairshare=1 >/dev/null
	sacctmgr -i add account late Fairshare=1 >/dev/null
	sacctmgr -i add user "$ME" Account=heavy2,heavy1,late DefaultAccount=heavy2 >/dev/null
}
teardown_file() { sky_cancel_all; sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

# done_count: jobs that finished.
done_count() {
	sacct -X -n -P -o state 2>/dev/null | grep -c COMPLETED || true
}

@test "sshare and sprio print Slurm's columns" {
	run sshare
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Account                    User  RawShares  NormShares    RawUsage  EffectvUsage  FairShare " ]
	[ "${lines[1]}" = "-------------------- ---------- ---------- ----------- ----------- ------------- ---------- " ]
	run sshare -a -P
	[ "${lines[0]}" = "Account|User|RawShares|NormShares|RawUsage|EffectvUsage|FairShare" ]
	[[ "$output" == *$'\n'" heavy2||2|0.400000|0|0.000000|"* ]]
	[[ "$output" == *$'\n'" heavy2|$ME|1|1.000000|0|0.000000|"* ]]
	run sshare -l -P -A heavy1
	[ "${lines[0]}" = "Account|User|RawShares|NormShares|RawUsage|NormUsage|EffectvUsage|FairShare|LevelFS|GrpTRESMins|TRESRunMins" ]
	[ "${#lines[@]}" -eq 3 ]
	run sprio -w
	[ "$status" -eq 0 ]
	[ "$output" = "          JOBID PARTITION   PRIORITY       SITE        AGE  FAIRSHARE    JOBSIZE  PARTITION        QOS                 TRES
        Weights                               1          0     100000          0          0          0                     " ]
	# Pending (it may not begin yet), so sprio lists it.
	id=$(sbatch --parsable --begin=now+3600 -A heavy1 --wrap true)
	run sprio -l -j "$id"
	[ "${lines[0]}" = "          JOBID PARTITION     USER   PRIORITY       SITE        AGE  FAIRSHARE    JOBSIZE  PARTITION        QOS   NICE                 TRES" ]
	[[ "${lines[1]}" =~ ^\ +$id\ debug\ +$ME\ +[0-9]+\ +0\ +0\ +[0-9]+\ +0\ +0\ +0\ +0 ]]
	scancel "$id"
}

@test "shares 2:1 give node-time 2:1 over a run of short jobs" {
	# Two-second jobs, as many at a time as the node has CPUs. The measure is
	# the usage each account gained between two snapshots, once the queue is
	# in its steady state: the start (both accounts at zero) and the jobs
	# cut at the end would otherwise weigh a few jobs' worth on the ratio.
	for i in $(seq 1 120); do
		sbatch -A heavy2 -o /dev/null --wrap 'sleep 2' >/dev/null
		sbatch -A heavy1 -o /dev/null --wrap 'sleep 2' >/dev/null
	done
	wait_done() {
		for ((i = 0; i < 240; i++)); do
			[ "$(done_count)" -ge "$1" ] && return 0
			sleep 0.5
		done
		return 1
	}
	usage() {
		sshare -n -P -a | awk -F'|' '$2 == "" && $1 == " heavy2" { a = $5 }
			$2 == "" && $1 == " heavy1" { b = $5 } END { print a + 0, b + 0 }'
	}
	wait_done 16
	read -r a2 a1 < <(usage)
	wait_done 136
	read -r b2 b1 < <(usage)
	# Both still have queued jobs: the run measured was contended all along.
	[ -n "$(squeue -h -t PD -A heavy2 -o %i)" ]
	[ -n "$(squeue -h -t PD -A heavy1 -o %i)" ]
	# squeue -o %Q: the priorities the scheduler orders by.
	q2=$(squeue -h -t PD -A heavy2 -o %Q | sort -n | tail -n1)
	q1=$(squeue -h -t PD -A heavy1 -o %Q | sort -n | tail -n1)
	echo "priorities heavy2 $q2 heavy1 $q1"
	[ "$q2" -gt 0 ] && [ "$q1" -gt 0 ]
	scancel -A heavy2
	scancel -A heavy1
	echo "usage heavy2 $a2 -> $b2, heavy1 $a1 -> $b1 (cpu-seconds)"
	[ "$((b1 - a1))" -gt 0 ]
	# Within 6% of 2:1.
	awk -v a="$((b2 - a2))" -v b="$((b1 - a1))" 'BEGIN { r = a / b; print "ratio", r; exit !(r > 1.88 && r < 2.12) }'
	# sacct's elapsed times over the whole run agree, more loosely (the start
	# and the cancelled jobs are in them).
	sleep 1
	read -r t2 t1 < <(sacct -X -n -P -o account,elapsedraw |
		awk -F'|' '{ t[$1] += $2 } END { print t["heavy2"] + 0, t["heavy1"] + 0 }')
	echo "node-time heavy2 ${t2}s heavy1 ${t1}s"
	awk -v a="$t2" -v b="$t1" 'BEGIN { r = a / b; exit !(r > 1.75 && r < 2.25) }'
}

@test "an account arriving late is scheduled ahead of the heavy users' queued jobs" {
	# The heavy accounts queue more than the node runs at once.
	for i in $(seq 1 12); do
		sbatch -A heavy2 -o /dev/null --wrap 'sleep 2' >/dev/null
		sbatch -A heavy1 -o /dev/null --wrap 'sleep 2' >/dev/null
	done
	sleep 1
	late=$(sbatch --parsable -A late -o /dev/null --wrap 'sleep 1')
	# It has no usage: the highest priority of all pending jobs.
	ql=$(job_field "$late" %Q)
	qmax=$(squeue -h -t PD -o %Q | sort -n | tail -n1)
	echo "late $ql max pending $qmax"
	[ "$ql" -ge "$qmax" ]
	# It starts at the next free slot, before any heavy job queued before it.
	wait_state "$late" RUNNING 10
	st=$(job_field "$late" %S)
	pending_before=$(squeue -h -t PD -o %i | awk -v l="$late" '$1 < l' | wc -l)
	echo "late started at $st with $pending_before older jobs still pending"
	[ "$pending_before" -gt 0 ]
	sky_cancel_all
}

@test "usage survives a kill -9 of the controller and is charged once" {
	sacctmgr -i add account again >/dev/null
	sacctmgr -i add user "$ME" Account=again >/dev/null
	id=$(sbatch --parsable -A again -o /dev/null --wrap 'sleep 8')
	wait_state "$id" RUNNING
	sleep 4
	kill -9 "$(ctld_pid)"
	sleep 1
	ctld_restart
	wait_state "$id" COMPLETED 30
	sleep 2
	u=$(sshare -n -P -A again | awk -F'|' '$2 == "" { print $5 }')
	echo "usage of an 8 s one-CPU job: $u"
	[ "$u" -ge 7 ] && [ "$u" -le 10 ]
}
