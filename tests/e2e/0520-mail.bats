#!/usr/bin/env bats
# --mail-type/--mail-user: stored and shown by scontrol, and the controller
# runs MailProg with Slurm's subject lines on the events asked for.
load helpers

setup_file() {
	MAIL_DIR=$(mktemp -d /tmp/sky-mail.XXXXXX)
	chmod 755 "$MAIL_DIR"
	export MAIL_DIR
	# Records one line per call: its arguments, '|'-separated, then what stdin
	# held; one write, so that concurrent calls do not interleave.
	cat >"$MAIL_DIR/mail.sh" <<'SH'
#!/bin/sh
line="$(printf '%s|' "$@")stdin=$(cat)|job=$SLURM_JOB_ID"
printf '%s\n' "$line" >>"$(dirname "$0")/mail.log"
SH
	chmod 755 "$MAIL_DIR/mail.sh"
	sky_start --nodes 1 --cpus-per-node 4 --kill-wait 2 --set "MailProg=$MAIL_DIR/mail.sh"
	# Submitted first so its 50% mark (30 s of a 1 minute limit) and its limit
	# pass while the other tests run; checked by the last tests.
	cd "$SKY_WORK"
	TL_JOB=$(sbatch --parsable -t 1 --mail-type=TIME_LIMIT_50,TIME_LIMIT -o /dev/null --wrap 'sleep 300')
	export TL_JOB
}
teardown_file() {
	[ -n "${TL_JOB:-}" ] && scancel "$TL_JOB" 2>/dev/null
	sky_stop
	rm -rf "$MAIL_DIR"
}
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { sky_logs; cat "$MAIL_DIR/mail.log"; }; }

# mails_of ID: the recorded calls for job ID.
mails_of() { grep "|job=$1\$" "$MAIL_DIR/mail.log" 2>/dev/null || true; }

# wait_mails ID COUNT: until COUNT calls for job ID are recorded (15 s).
wait_mails() {
	local i
	for ((i = 0; i < 150; i++)); do
		[ "$(mails_of "$1" | wc -l)" -ge "$2" ] && return 0
		sleep 0.1
	done
	echo "job $1: $(mails_of "$1" | wc -l) mails, not $2" >&2
	return 1
}

@test "--mail-type=BEGIN,END: Began and Ended mails to the submitting user" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable --mail-type=BEGIN,END -J mj -o /dev/null --wrap 'sleep 1')
	wait_state "$id" COMPLETED 20
	wait_mails "$id" 2
	run mails_of "$id"
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} =~ ^-s\|Slurm\ Job_id=$id\ Name=mj\ Began,\ Queued\ time\ 00:00:0[0-9]\|root\|stdin=\|job=$id$ ]]
	[[ ${lines[1]} =~ ^-s\|Slurm\ Job_id=$id\ Name=mj\ Ended,\ Run\ time\ 00:00:0[0-9],\ COMPLETED,\ ExitCode\ 0\|root\|stdin=\|job=$id$ ]]
}

@test "--mail-type=FAIL with --mail-user: Failed mail with the exit code" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable --mail-type=FAIL --mail-user=bob@example.com -o /dev/null --wrap 'exit 3')
	wait_state "$id" FAILED 20
	wait_mails "$id" 1
	run mails_of "$id"
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} =~ ^-s\|Slurm\ Job_id=$id\ Name=wrap\ Failed,\ Run\ time\ 00:00:0[0-9],\ FAILED,\ ExitCode\ 3\|bob@example.com\| ]]
}

@test "--mail-type=END also reports a failed job; FAIL alone does not mail a success" {
	cd "$SKY_WORK"
	f=$(sbatch --parsable --mail-type=END -o /dev/null --wrap 'exit 2')
	ok=$(sbatch --parsable --mail-type=FAIL -o /dev/null --wrap true)
	wait_state "$f" FAILED 20
	wait_state "$ok" COMPLETED 20
	wait_mails "$f" 1
	[[ $(mails_of "$f") == *"Name=wrap Ended, Run time "*", FAILED, ExitCode 2|root|"* ]]
	sleep 1
	[ -z "$(mails_of "$ok")" ]
}

@test "no --mail-type, or NONE: no mail; scontrol shows no Mail line" {
	cd "$SKY_WORK"
	a=$(sbatch --parsable -o /dev/null --wrap true)
	b=$(sbatch --parsable --mail-type=NONE --mail-user=x@y -o /dev/null --wrap true)
	wait_state "$a" COMPLETED 20
	wait_state "$b" COMPLETED 20
	sleep 1
	[ -z "$(mails_of "$a")" ]
	[ -z "$(mails_of "$b")" ]
	run scontrol show job "$b"
	[[ $output != *MailType* ]]
}

@test "a pending job cancelled: Ended mail with CANCELLED" {
	id=$(sbatch --parsable -H --mail-type=END -o /dev/null --wrap true)
	scancel "$id"
	wait_mails "$id" 1
	[[ $(mails_of "$id") == "-s|Slurm Job_id=$id Name=wrap Ended, Run time 00:00:00, CANCELLED, ExitCode 0|root|stdin=|job=$id" ]]
}

@test "scontrol show job: MailUser= MailType= in Slurm's spelling and order" {
	a=$(sbatch --parsable -H --mail-type=ALL -o /dev/null --wrap true)
	b=$(sbatch --parsable -H --mail-type=time_limit,array_tasks,begin,TIME_LIMIT_80 --mail-user=ann@x -o /dev/null --wrap true)
	run scontrol show job "$a"
	[[ $output == *$'\n   MailUser=root MailType=INVALID_DEPEND,BEGIN,END,FAIL,REQUEUE,STAGE_OUT'* ]]
	[ "$(scontrol_field "$b" MailUser)" = ann@x ]
	[ "$(scontrol_field "$b" MailType)" = ARRAY_TASKS,BEGIN,TIME_LIMIT_80,TIME_LIMIT ]
	scancel "$a" "$b"
}

@test "--mail-type with an unknown value: exit 255, Slurm's message" {
	run sbatch --mail-type=BEGIN,BOGUS --wrap true
	[ "$status" -eq 255 ]
	[ "$output" = "sbatch: error: --mail-type=BEGIN,BOGUS invalid" ]
	run sbatch --mail-type= --wrap true
	[ "$status" -eq 255 ]
}

@test "--mail-type=REQUEUE: Requeued mail when a running job is requeued" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable --mail-type=REQUEUE -o rq.out --wrap 'echo run; sleep 4200001')
	wait_state "$id" RUNNING 20
	wait_file rq.out 10
	scontrol requeue "$id"
	wait_mails "$id" 1
	[[ $(mails_of "$id") =~ ^-s\|Slurm\ Job_id=$id\ Name=wrap\ Requeued,\ Run\ time\ 00:00:0[0-9]\|root\| ]]
	scancel "$id"
}

@test "--mail-type=INVALID_DEPEND: mail when the dependency can never be met" {
	cd "$SKY_WORK"
	bad=$(sbatch --parsable -o /dev/null --wrap 'exit 1')
	wait_state "$bad" FAILED 20
	id=$(sbatch --parsable -d "afterok:$bad" --mail-type=INVALID_DEPEND -o /dev/null --wrap true)
	wait_mails "$id" 1
	[ "$(mails_of "$id")" = "-s|Slurm Job_id=$id Name=wrap Invalid dependency|root|stdin=|job=$id" ]
	sleep 2
	[ "$(mails_of "$id" | wc -l)" -eq 1 ]
	scancel "$id"
}

@test "an array without ARRAY_TASKS: one summary mail when the last task ends" {
	cd "$SKY_WORK"
	a=$(sbatch --parsable -a 1-3 --mail-type=END -o /dev/null --wrap 'exit $SLURM_ARRAY_TASK_ID')
	for t in 1 2 3; do wait_state "$(squeue -h -r -t all -j "${a}_$t" -o %A)" FAILED 20; done
	sleep 1
	run grep "Slurm Array" "$MAIL_DIR/mail.log"
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} =~ ^-s\|Slurm\ Array\ Summary\ Job_id=${a}_\*\ \($a\)\ Name=wrap\ Ended,\ Run\ time\ [0-9:]+,\ FAILED,\ ExitCode\ \[1-3\]\|root\| ]]
}

@test "--mail-type=ARRAY_TASKS,BEGIN: one mail per task" {
	cd "$SKY_WORK"
	a=$(sbatch --parsable -a 1-2 --mail-type=ARRAY_TASKS,BEGIN -o /dev/null --wrap true)
	for t in 1 2; do wait_state "$(squeue -h -r -t all -j "${a}_$t" -o %A)" COMPLETED 20; done
	sleep 1
	run grep "Slurm Array Task Job_id=${a}_" "$MAIL_DIR/mail.log"
	[ "${#lines[@]}" -eq 2 ]
	# the tasks start together: their mails may come in either order
	[[ $output == *"-s|Slurm Array Task Job_id=${a}_1 ($a) Name=wrap Began, Queued time "* ]]
	[[ $output == *"-s|Slurm Array Task Job_id=${a}_2 ("*") Name=wrap Began, Queued time "* ]]
}

@test "TIME_LIMIT_50: mail once half the time limit has passed" {
	wait_mails "$TL_JOB" 1 || { sleep 20; wait_mails "$TL_JOB" 1; }
	run mails_of "$TL_JOB"
	[[ ${lines[0]} =~ ^-s\|Slurm\ Job_id=$TL_JOB\ Name=wrap\ Reached\ 50%\ of\ time\ limit\ Elapsed\ time\ 00:00:3[0-9]\|root\| ]]
}

@test "TIME_LIMIT: mail when the time limit is reached, and no other" {
	wait_state "$TL_JOB" TIMEOUT 80
	wait_mails "$TL_JOB" 2
	sleep 1
	run mails_of "$TL_JOB"
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[1]} =~ ^-s\|Slurm\ Job_id=$TL_JOB\ Name=wrap\ Reached\ time\ limit\ Elapsed\ time\ 00:0[01]:[0-9][0-9]\|root\| ]]
}

# Last: it points MailProg elsewhere for a moment, which must not hit the
# time-limit mails of the tests above.
@test "a MailProg that does not exist is logged and skipped" {
	cd "$SKY_WORK"
	# slurm.conf is read at start, as Slurm's is: restart around the change.
	sed -i "s|^MailProg=.*|MailProg=$MAIL_DIR/nosuch|" "$SLURM_SKY_CONF"
	kill -9 "$(ctld_pid)"
	ctld_restart
	id=$(sbatch --parsable --mail-type=END -o /dev/null --wrap true)
	wait_state "$id" COMPLETED 20
	sleep 1
	sed -i "s|^MailProg=.*|MailProg=$MAIL_DIR/mail.sh|" "$SLURM_SKY_CONF"
	kill -9 "$(ctld_pid)"
	ctld_restart
	grep -q "job $id: MailProg $MAIL_DIR/nosuch not executable" "$SKY_INST"/log/slurmctld.log
	[ -z "$(mails_of "$id")" ]
	scontrol ping
}
