#!/usr/bin/env bats
# A site's own SPANK plugin (tests/data/spank/site_env.c, written against
# nothing but the documented interface) loads into slurmd-sky and sbatch-sky
# as into Slurm: its option is accepted by sbatch, its plugstack.conf
# arguments reach it, task_init_privileged runs as root and task_init as the
# job's user in remote context, and a required plugin whose hook fails
# fails the job with a reason while an optional one does not.
load helpers

SITE=${SKY_BUILDDIR}/tests/data/spank/site_env.so

setup_file() {
	PS_DIR=$(mktemp -d /tmp/sky-spank-site.XXXXXX)
	chmod 755 "$PS_DIR"
	export PS_DIR
	echo "required $SITE alpha beta=2" >"$PS_DIR/plugstack.conf"
	sky_start --nodes 1 --cpus-per-node 2 --kill-wait 2 --set "PlugStackConfig=$PS_DIR/plugstack.conf"
}
teardown_file() { sky_stop; rm -rf "$PS_DIR"; }
setup() { echo "required $SITE alpha beta=2" >"$PS_DIR/plugstack.conf"; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

SHOW='echo "$SITE_SPANK_TAG|$SITE_SPANK_ARGS|$SITE_SPANK_JOB|$SLURM_JOB_ID|$SITE_SPANK_PRIV_EUID|$SITE_SPANK_TASK_EUID|$SITE_SPANK_CTX"'

@test "the site plugin's option, arguments and items reach the job" {
	local id
	id=$(sbatch --parsable --site-tag=blue -o "$SKY_WORK/site1.out" --wrap "$SHOW")
	wait_state "$id" COMPLETED 30
	[ "$(cat "$SKY_WORK/site1.out")" = "blue|alpha beta=2|$id|$id|0|0|2" ]
	id=$(sbatch --parsable -o "$SKY_WORK/site2.out" --wrap "$SHOW")
	wait_state "$id" COMPLETED 30
	[ "$(cat "$SKY_WORK/site2.out")" = "none|alpha beta=2|$id|$id|0|0|2" ]
	grep -q "site_env: job $id task env set" "$SKY_INST/log/slurmd-node1.log"
}

@test "task_init_privileged runs as root, task_init as the job's user" {
	ensure_test_user
	local id uid
	uid=$(id -u "$SKY_TEST_USER")
	id=$(cd "$SKY_WORK" && as_test_user sbatch --parsable --site-tag=green -o site-user.out --wrap "$SHOW")
	wait_state "$id" COMPLETED 30
	[ "$(cat "$SKY_WORK/site-user.out")" = "green|alpha beta=2|$id|$id|0|$uid|2" ]
}

@test "task_post_fork, task_exit and exit run in the supervisor with the script's pid and status" {
	local id log pid
	id=$(sbatch --parsable -o "$SKY_WORK/site-exit.out" --wrap 'echo "pid $$"; exit 3')
	wait_state "$id" FAILED 30
	log=$SKY_INST/log/slurmd-node1.log
	for ((i = 0; i < 50; i++)); do grep -q "site_env: job $id exit" "$log" && break; sleep 0.1; done
	pid=$(sed -n 's/^pid //p' "$SKY_WORK/site-exit.out")
	grep -q "site_env: job $id task_post_fork pid $pid\$" "$log"
	# The raw wait status: exit code 3.
	grep -q "site_env: job $id task_exit status 768\$" "$log"
	grep -q "site_env: job $id exit\$" "$log"
	# In this order.
	[ "$(grep -o "site_env: job $id [a-z_]*" "$log" | awk '{ print $4 }' | tr '\n' ' ')" = "task_post_fork task_exit exit " ] ||
		[ "$(grep -o "site_env: job $id [a-z_]*" "$log" | awk '{ print $4 }' | grep -v task | tr '\n' ' ')" = "exit " ]
}

@test "an option value the plugin rejects stops sbatch" {
	run sbatch --site-tag= --wrap true
	[ "$status" -ne 0 ]
	[[ $output == *"Invalid --site-tag argument"* ]]
	run sbatch --no-such-plugin-option --wrap true
	[ "$status" -ne 0 ]
}

@test "a required plugin's failing task_init fails the job; an optional one's does not" {
	echo "required $SITE fail_task" >"$PS_DIR/plugstack.conf"
	local id
	id=$(sbatch --parsable -o "$SKY_WORK/fail.out" --wrap 'echo ran')
	wait_state "$id" FAILED 30
	[[ $(job_field "$id" %r) == *"spank: required plugin site_env: slurm_spank_task_init() failed with rc=-1"* ]]
	run cat "$SKY_WORK/fail.out"
	[[ $output != *ran* ]]
	echo "optional $SITE fail_task" >"$PS_DIR/plugstack.conf"
	id=$(sbatch --parsable -o "$SKY_WORK/fail2.out" --wrap 'echo ran')
	wait_state "$id" COMPLETED 30
	[ "$(cat "$SKY_WORK/fail2.out")" = "ran" ]
}

@test "a required plugin's failing init stops sbatch (allocator context)" {
	echo "required $SITE fail_init" >"$PS_DIR/plugstack.conf"
	run sbatch --wrap true
	[ "$status" -ne 0 ]
	[[ $output == *"site_env: failing init as asked"* ]]
	[[ $output == *"spank: required plugin site_env: slurm_spank_init() failed with rc=-1"* ]]
}
