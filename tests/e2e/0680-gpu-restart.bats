#!/usr/bin/env bats
# The devices a running job holds are in its committed record: a restarted
# controller gives them to nobody else, and frees them when the job ends.
load helpers

setup_file() { sky_start --nodes 1 --cpus-per-node 8 --gres gpu:a100:8; }
teardown_file() { sky_stop; }
teardown() {
	[ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs
	scancel -u "$(id -un)" 2>/dev/null || true
}

@test "a controller restart keeps every job's GPUs" {
	cd "$SKY_WORK"
	wait_script='echo $CUDA_VISIBLE_DEVICES; while [ ! -e release.$SLURM_JOB_ID ]; do sleep 0.2; done'
	a=$(sbatch --parsable --gres=gpu:6 -o a.out --wrap "$wait_script")
	wait_state "$a" RUNNING
	wait_file a.out
	[ "$(cat a.out)" = 0,1,2,3,4,5 ]
	# a crash: only what was committed survives
	pid=$(ctld_pid)
	kill -9 "$pid"
	for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	ctld_restart
	# the restored job still holds 0-5: a 4-GPU job waits, a 2-GPU job gets 6-7
	run scontrol -d show job "$a"
	[[ $output == *"GRES=gpu:a100:6(IDX:0-5)"* ]]
	run scontrol show node node1
	[[ $output == *"AllocTRES=cpu=1,gres/gpu=6"* ]]
	b=$(sbatch --parsable --gres=gpu:2 -o b.out --wrap "$wait_script")
	wait_state "$b" RUNNING
	wait_file b.out
	[ "$(cat b.out)" = 6,7 ]
	c=$(sbatch --parsable --gres=gpu:4 -o c.out --wrap "$wait_script")
	sleep 1
	[ "$(job_field "$c" %T)" = PENDING ]
	[ "$(job_field "$c" %r)" = Resources ]
	# when the restored job ends its devices are free again
	touch "release.$a"
	wait_state "$a" COMPLETED
	wait_state "$c" RUNNING
	wait_file c.out
	[ "$(cat c.out)" = 0,1,2,3 ]
	touch "release.$b" "release.$c"
	wait_state "$b" COMPLETED
	wait_state "$c" COMPLETED
}
