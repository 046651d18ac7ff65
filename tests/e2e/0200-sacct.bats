#!/usr/bin/env bats
# sacct (slurm.md 3.6): finished jobs with their N.batch steps, exit codes and
# states as Slurm records them, kept after MinJobAge moves them to the history
# db and across controller restarts; output formats and filters exactly.
load helpers

setup_file() {
	sky_start --nodes 1 --cpus-per-node 2 --set MinJobAge=2
	cd "$SKY_WORK"
	# Four finished jobs every test reads: completed, failed, cancelled, held+cancelled.
	OK=$(sbatch --parsable -J okjob --wrap true)
	BAD=$(sbatch --parsable -J badjob --wrap 'exit 3')
	CAN=$(sbatch --parsable -J canjob --wrap 'sleep 60')
	HELD=$(sbatch --parsable -J heldjob --hold --wrap true)
	export OK BAD CAN HELD
	wait_acct "$CAN" RUNNING
	scancel "$CAN" "$HELD"
	wait_acct "$OK" COMPLETED
	wait_acct "$BAD" FAILED
	wait_acct "$CAN" 'CANCELLED by 0'
	wait_acct_step "$CAN" CANCELLED
}
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

# wait_acct ID STATE [SECONDS]: wait until sacct shows the job row in STATE.
wait_acct() {
	local i st=""
	for ((i = 0; i < ${3:-30} * 10; i++)); do
		st=$(sacct -j "$1" -X -n -P -o state 2>/dev/null)
		[ "$st" = "$2" ] && return 0
		sleep 0.1
	done
	echo "job $1 is '$st' in sacct, not '$2'" >&2
	return 1
}

# wait_acct_step ID STATE: the same for the N.batch row.
wait_acct_step() {
	local i st=""
	for ((i = 0; i < 300; i++)); do
		st=$(sacct -j "$1" -n -P -o jobid,state 2>/dev/null | sed -n "s/^$1\.batch|//p")
		[ "$st" = "$2" ] && return 0
		sleep 0.1
	done
	echo "step $1.batch is '$st' in sacct, not '$2'" >&2
	return 1
}

# wait_purged ID: squeue no longer knows the job (it went to the history db).
wait_purged() {
	local i
	for ((i = 0; i < 100; i++)); do
		squeue -h -t all -j "$1" >/dev/null 2>&1 || return 0
		sleep 0.1
	done
	echo "job $1 still in memory" >&2
	return 1
}

@test "sacct -P shows each job and its batch step with Slurm's states and exit codes" {
	run sacct -P -j "$OK,$BAD,$CAN,$HELD"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "JobID|JobName|Partition|Account|AllocCPUS|State|ExitCode" ]
	[ "${lines[1]}" = "$OK|okjob|debug||1|COMPLETED|0:0" ]
	[ "${lines[2]}" = "$OK.batch|batch|||1|COMPLETED|0:0" ]
	[ "${lines[3]}" = "$BAD|badjob|debug||1|FAILED|3:0" ]
	[ "${lines[4]}" = "$BAD.batch|batch|||1|FAILED|3:0" ]
	[ "${lines[5]}" = "$CAN|canjob|debug||1|CANCELLED by 0|0:0" ]
	[ "${lines[6]}" = "$CAN.batch|batch|||1|CANCELLED|0:15" ]
	# A job cancelled before it ran has no batch step.
	[ "${lines[7]}" = "$HELD|heldjob|debug||1|CANCELLED by 0|0:0" ]
	[ "${#lines[@]}" -eq 8 ]
}

@test "the default columns have Slurm's widths, the dashes line and the + cut" {
	run sacct -j "$CAN"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "JobID           JobName  Partition    Account  AllocCPUS      State ExitCode " ]
	[ "${lines[1]}" = "------------ ---------- ---------- ---------- ---------- ---------- -------- " ]
	[ "${lines[2]}" = "$(printf '%-12s %10s %10s %10s %10s %10s %8s ' "$CAN" canjob debug '' 1 'CANCELLED+' 0:0)" ]
	[ "${lines[3]}" = "$(printf '%-12s %10s %10s %10s %10s %10s %8s ' "$CAN.batch" batch '' '' 1 CANCELLED 0:15)" ]
}

@test "-o widths, -n, -p, --delimiter, -X and -b" {
	run sacct -n -X -j "$BAD" -o 'jobid%-8,jobname%4,state%10,exitcode'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "${lines[0]}" = "$(printf '%-8s %4s %10s %8s ' "$BAD" bad+ FAILED 3:0)" ]
	run sacct -p -j "$OK" -o jobid,state
	[ "${lines[0]}" = "JobID|State|" ]
	[ "${lines[1]}" = "$OK|COMPLETED|" ]
	[ "${lines[2]}" = "$OK.batch|COMPLETED|" ]
	run sacct -P --delimiter=, -n -j "$BAD" -o jobidraw,jobname,exitcode
	[ "${lines[0]}" = "$BAD,badjob,3:0" ]
	[ "${lines[1]}" = "$BAD.batch,batch,3:0" ]
	run sacct -b -P -n -j "$OK"
	[ "${lines[0]}" = "$OK|COMPLETED|0:0" ]
	run sacct -o jobid,bogus
	[ "$status" -ne 0 ]
	[[ "$output" == *'Invalid field requested: "bogus"'* ]]
}

@test "SACCT_FORMAT replaces the default columns" {
	SACCT_FORMAT=jobid,user,nnodes,nodelist run sacct -P -X -j "$OK"
	[ "${lines[0]}" = "JobID|User|NNodes|NodeList" ]
	[ "${lines[1]}" = "$OK|root|1|node1" ]
}

@test "jobs past MinJobAge leave squeue but stay in sacct" {
	wait_purged "$OK"
	run squeue -j "$OK"
	[ "$status" -eq 1 ]
	run sacct -P -n -j "$OK" -o jobid,jobname,state,exitcode
	[ "${lines[0]}" = "$OK|okjob|COMPLETED|0:0" ]
	[ "${lines[1]}" = "$OK.batch|batch|COMPLETED|0:0" ]
}

@test "the history survives a controller restart" {
	wait_purged "$BAD"
	kill -9 "$(ctld_pid)"
	ctld_restart
	run sacct -P -n -X -j "$OK,$BAD,$CAN" -o jobid,state,exitcode
	[ "${lines[0]}" = "$OK|COMPLETED|0:0" ]
	[ "${lines[1]}" = "$BAD|FAILED|3:0" ]
	[ "${lines[2]}" = "$CAN|CANCELLED by 0|0:0" ]
	# Without -j: today's jobs, history and memory together, in id order.
	run sacct -P -n -X -o jobid
	[ "${lines[0]}" -le "$OK" ]
	[[ "$output" == *"$HELD"* ]]
}

@test "-S/-E select the time window; -s the state within it" {
	run sacct -P -n -X -o jobid -S now-1hour
	[[ "$output" == *"$OK"* && "$output" == *"$BAD"* ]]
	# A window that closed before the jobs were submitted: nothing.
	run sacct -P -n -X -o jobid -S now-2hours -E now-1hour
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run sacct -P -n -X -o jobid -S "$(date -d '-10 minutes' +%Y-%m-%dT%H:%M:%S)"
	[[ "$output" == *"$OK"* ]]
	run sacct -P -n -X -o jobid,state -s F -S now-1hour
	[ "$output" = "$BAD|FAILED" ]
	run sacct -P -n -X -o jobid -s CA -S now-1hour
	[ "${lines[0]}" = "$CAN" ]
	[ "${lines[1]}" = "$HELD" ]
	# -s without -S starts the window now: no job ended exactly now.
	run sacct -P -n -X -o jobid -s CD
	[ -z "$output" ]
	run sacct -S now -E now-1hour
	[ "$status" -eq 1 ]
	[[ "$output" == *"is after end time"* ]]
}

@test "a user sees their own jobs by default; -u and -a widen or narrow" {
	ensure_test_user
	cd "$SKY_WORK"
	mine=$(as_test_user sbatch --parsable -J userjob --wrap true)
	wait_acct "$mine" COMPLETED
	run as_test_user sacct -P -n -X -o jobid,user
	[ "$output" = "$mine|$SKY_TEST_USER" ]
	run as_test_user sacct -P -n -X -o jobid -a
	[[ "$output" == *"$OK"* && "$output" == *"$mine"* ]]
	run sacct -P -n -X -o jobid,user -u "$SKY_TEST_USER"
	[ "$output" = "$mine|$SKY_TEST_USER" ]
	run sacct -P -n -X -o jobid -u root
	[[ "$output" != *"$mine"* && "$output" == *"$OK"* ]]
}

@test "a job that hits its time limit is TIMEOUT, its batch step CANCELLED 0:15" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -t 1 --wrap 'sleep 300')
	wait_acct "$id" TIMEOUT 100
	wait_acct_step "$id" CANCELLED
	run sacct -P -n -j "$id" -o jobid,state,exitcode,timelimit
	[ "${lines[0]}" = "$id|TIMEOUT|0:0|00:01:00" ]
	[ "${lines[1]}" = "$id.batch|CANCELLED|0:15|" ]
}

@test "sacct --json carries the jobs, states, exit codes and steps" {
	sacct --json -j "$OK,$BAD,$CAN" > "$BATS_TEST_TMPDIR/acct.json"
	python3 - "$BATS_TEST_TMPDIR/acct.json" "$OK" "$BAD" "$CAN" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
ok, bad, can = (int(x) for x in sys.argv[2:5])
assert d["errors"] == [] and d["warnings"] == [], d
assert d["meta"]["plugin"]["data_parser"] == "data_parser/v0.0.40"
jobs = {j["job_id"]: j for j in d["jobs"]}
assert sorted(jobs) == [ok, bad, can], sorted(jobs)
assert jobs[ok]["name"] == "okjob" and jobs[ok]["partition"] == "debug"
assert jobs[ok]["state"]["current"] == ["COMPLETED"]
assert jobs[bad]["state"]["current"] == ["FAILED"]
assert jobs[bad]["exit_code"]["return_code"] == {"set": True, "infinite": False, "number": 3}
assert jobs[bad]["exit_code"]["status"] == ["ERROR"]
assert jobs[can]["state"]["current"] == ["CANCELLED"]
step = jobs[can]["steps"][0]
assert step["step"]["id"] == "%d.batch" % can and step["state"] == ["CANCELLED"]
assert step["exit_code"]["signal"]["id"]["number"] == 15
assert jobs[ok]["time"]["start"] > 0 and jobs[ok]["time"]["end"] >= jobs[ok]["time"]["start"]
assert jobs[ok]["nodes"] == "node1" and jobs[ok]["user"] == "root"
EOF
}

@test "squeue --json and sinfo --json parse and carry the right values" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -J jsonjob -t 5 --wrap 'sleep 30')
	held=$(sbatch --parsable -J jsonheld --hold --wrap true)
	for ((i = 0; i < 100; i++)); do
		[ "$(squeue -h -j "$id" -o %T)" = RUNNING ] && break
		sleep 0.1
	done
	squeue --json > "$BATS_TEST_TMPDIR/q.json"
	sinfo --json > "$BATS_TEST_TMPDIR/i.json"
	scancel "$id" "$held"
	python3 - "$BATS_TEST_TMPDIR/q.json" "$BATS_TEST_TMPDIR/i.json" "$id" "$held" <<'EOF'
import json, sys
q = json.load(open(sys.argv[1]))
i = json.load(open(sys.argv[2]))
rid, hid = int(sys.argv[3]), int(sys.argv[4])
for d in (q, i):
    assert d["errors"] == [] and d["warnings"] == [] and "meta" in d
jobs = {j["job_id"]: j for j in q["jobs"]}
r, h = jobs[rid], jobs[hid]
assert r["name"] == "jsonjob" and r["user_name"] == "root" and r["partition"] == "debug"
assert r["job_state"] == ["RUNNING"] and r["nodes"] == "node1"
assert r["state_reason"] == "None"
assert r["time_limit"] == {"set": True, "infinite": False, "number": 5}
assert r["start_time"]["set"] and r["start_time"]["number"] > 0
assert h["job_state"] == ["PENDING"] and h["state_reason"] == "JobHeldUser"
assert i["sinfo"][0]["partition"]["name"] == "debug"
assert i["sinfo"][0]["node"]["state"] in (["MIXED"], ["ALLOCATED"])
assert i["sinfo"][0]["nodes"]["nodes"] == ["node1"]
assert i["sinfo"][0]["cpus"]["total"] == 2 and i["sinfo"][0]["cpus"]["allocated"] == 1
n = i["nodes"][0]
assert n["name"] == "node1" and n["cpus"] == 2 and n["alloc_cpus"] == 1
p = i["partitions"][0]
assert p["name"] == "debug" and p["partition"]["state"] == ["UP"]
assert p["maximums"]["time"]["infinite"] is True
EOF
}
