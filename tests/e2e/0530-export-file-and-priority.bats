#!/usr/bin/env bats
# sbatch --export-file (NUL- or newline-separated NAME=value definitions,
# sbatch.1) and --priority (honoured for operators only).
load helpers

setup_file() { sky_start --nodes 1 --cpus-per-node 2 --kill-wait 2; }
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

@test "--export-file with NUL separators: values may hold newlines" {
	cd "$SKY_WORK"
	printf 'EF_A=one\0EF_B=two\nlines\0EF_C=x=y\0' >ef0.env
	id=$(sbatch --parsable --export-file=ef0.env -o ef0.out --wrap 'printf "%s|%s|%s\n" "$EF_A" "$EF_B" "$EF_C"')
	wait_state "$id" COMPLETED 20
	[ "$(cat ef0.out)" = $'one|two\nlines|x=y' ]
}

@test "--export-file with newline separators; its values override the environment" {
	cd "$SKY_WORK"
	printf 'EF_D=from file\nnot a definition\nEF_E=e\n' >ef1.env
	id=$(EF_D=from-env EF_F=kept sbatch --parsable --export-file="$SKY_WORK/ef1.env" -o ef1.out \
		--wrap 'printf "%s|%s|%s\n" "$EF_D" "$EF_E" "$EF_F"')
	wait_state "$id" COMPLETED 20
	[ "$(cat ef1.out)" = 'from file|e|kept' ]
}

@test "--export-file from a file descriptor" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable --export-file=3 -o ef2.out --wrap 'echo "$EF_G"' 3< <(printf 'EF_G=via fd\0'))
	wait_state "$id" COMPLETED 20
	[ "$(cat ef2.out)" = 'via fd' ]
}

@test "--export-file that cannot be read: exit 1, Slurm's message" {
	run sbatch --export-file=/nonexistent/env --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Could not open user environment file /nonexistent/env" ]
}

@test "--priority from an operator sets the job's priority" {
	id=$(sbatch --parsable --begin=now+3600 --priority=77 -o /dev/null --wrap true)
	[ "$(job_field "$id" %Q)" = 77 ]
	[ "$(scontrol_field "$id" Priority)" = 77 ]
	scancel "$id"
}

@test "--priority from another user is ignored, as Slurm 22.05 does" {
	ensure_test_user
	cd "$SKY_WORK"
	id=$(as_test_user sbatch --parsable --begin=now+3600 --priority=77 -o /dev/null --wrap true)
	prio=$(job_field "$id" %Q)
	[ "$prio" != 77 ]
	[ "$prio" -gt 0 ]
	scancel "$id"
}

@test "--priority with a bad value: exit 255" {
	run sbatch --priority=-1 --wrap true
	[ "$status" -eq 255 ]
	[ "$output" = "sbatch: error: Priority must be >= 0" ]
	run sbatch --priority=abc --wrap true
	[ "$status" -eq 255 ]
}
