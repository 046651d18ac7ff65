#!/usr/bin/env bats
# Jobs run as the user who submitted them; only the owner (or root) may
# cancel a job. Identity comes from munge, never from the request.
load helpers

setup_file() { sky_start --nodes 1 --cpus-per-node 2; }
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

@test "a job submitted by another user runs as that user" {
	ensure_test_user
	cd "$SKY_WORK"
	id=$(as_test_user sbatch --parsable --wrap 'id -un; id -u; echo "$SLURM_JOB_USER $SLURM_JOB_UID"')
	wait_state "$id" COMPLETED
	f=slurm-$id.out
	wait_file "$f"
	uid=$(id -u "$SKY_TEST_USER")
	[ "$(sed -n 1p "$f")" = "$SKY_TEST_USER" ]
	[ "$(sed -n 2p "$f")" = "$uid" ]
	[ "$(sed -n 3p "$f")" = "$SKY_TEST_USER $uid" ]
	[ "$(stat -c %U "$f")" = "$SKY_TEST_USER" ]
	[ "$(job_field "$id" %u)" = "$SKY_TEST_USER" ]
}

@test "another user may not cancel my job" {
	ensure_test_user
	cd "$SKY_WORK"
	id=$(sbatch --parsable --hold --wrap true)
	run as_test_user scancel "$id"
	[ "$status" -eq 1 ]
	[ "$output" = "scancel: error: Kill job error on job id $id: Access/permission denied" ]
	[ "$(job_field "$id" %t)" = PD ]
	scancel "$id"
	wait_state "$id" CANCELLED 5
}

@test "root may cancel another user's job" {
	ensure_test_user
	cd "$SKY_WORK"
	id=$(as_test_user sbatch --parsable --hold --wrap true)
	run scancel "$id"
	[ "$status" -eq 0 ]
	wait_state "$id" CANCELLED 5
}

@test "--uid is refused for a normal user" {
	ensure_test_user
	cd "$SKY_WORK"
	run as_test_user sbatch --uid=0 --wrap true
	[ "$status" -eq 1 ]
	[[ $output == *"Access/permission denied"* ]]
}
