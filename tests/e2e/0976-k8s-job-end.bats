#!/usr/bin/env bats
# A job's end seen from its pods (slurmctld-sky/prov_k8s_pods.c): the batch
# script's exit code becomes the job's (COMPLETED, FAILED with ExitCode N:0,
# a signal as 0:N), its output is streamed from the pod's log into the -o
# file (default slurm-%j.out in the work directory) before the job is
# reported ended, a container OOMKilled ends the job OUT_OF_MEMORY; every
# object of the job is deleted once it ends.
load helpers
load k8s-pods-helpers

@test "exit 0: COMPLETED, the output file holds every line, the objects go" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p k8s -o "ok-%j.out" --wrap 'seq -f "line %g" 1 300000; echo -n last')
	wait_state "$id" COMPLETED 60
	# The job ends only once its output (5 MB) is written: nothing may be missing now.
	[ "$(wc -l < "ok-$id.out")" -eq 300000 ]
	[ "$(sed -n 1p "ok-$id.out")" = "line 1" ]
	[ "$(sed -n 300000p "ok-$id.out")" = "line 300000" ]
	[ "$(tail -c 4 "ok-$id.out")" = last ]
	[ "$(scontrol_field "$id" ExitCode)" = 0:0 ]
	wait_no_objects "$id" 30
}

@test "exit 3: FAILED with ExitCode 3:0, stderr merged into the default slurm-%j.out" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p k8s --wrap 'echo to-out; echo to-err >&2; exit 3')
	wait_state "$id" FAILED 60
	[ "$(scontrol_field "$id" ExitCode)" = 3:0 ]
	[ "$(job_field "$id" %r)" = NonZeroExitCode ]
	grep -qx to-out "slurm-$id.out"
	grep -qx to-err "slurm-$id.out"
	wait_no_objects "$id" 30
}

@test "a script killed by a signal: FAILED with ExitCode 0:N" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p k8s -o /dev/null --wrap 'kill -USR1 $$; sleep 5')
	wait_state "$id" FAILED 60
	[ "$(scontrol_field "$id" ExitCode)" = 0:10 ]
	[ "$(job_field "$id" %r)" = RaisedSignal:10 ]
}

@test "k8s_ctl oom: the job ends OUT_OF_MEMORY, its output so far kept" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable -p k8s -o "oom-%j.out" --wrap 'echo before; sleep 60; echo never')
	wait_pods "$id" 1 Running 30
	wait_file "oom-$id.out" 20
	k8s_ctl oom "default/sky-sky-$id-0" >/dev/null
	wait_state "$id" OUT_OF_MEMORY 30
	[ "$(cat "oom-$id.out")" = before ]
	[ "$(job_field "$id" %t)" = OOM ]
	wait_no_objects "$id" 30
}

@test "the output file belongs to the job's user, who may not write elsewhere" {
	ensure_test_user
	cd "$SKY_WORK"
	id=$(as_test_user sbatch --parsable -p k8s -o "user-%j.out" --wrap 'echo hello')
	wait_state "$id" COMPLETED 60
	[ "$(cat "user-$id.out")" = hello ]
	[ "$(stat -c %U "user-$id.out")" = "$SKY_TEST_USER" ]
	# A directory only root may write: the stream may not create the file there.
	mkdir -p "$SKY_DIR/rootonly"
	chmod 755 "$SKY_DIR/rootonly"
	id=$(as_test_user sbatch --parsable -p k8s -o "$SKY_DIR/rootonly/x.out" --wrap 'echo hi')
	wait_state "$id" COMPLETED 60
	[ ! -e "$SKY_DIR/rootonly/x.out" ]
}

@test "task YAML on 2 nodes: ends when every rank has, first failure wins, ranks >= 1 prefixed" {
	cd "$SKY_WORK"
	cat > two.yaml <<-'EOF2'
	num_nodes: 2
	run: |
	  echo "hello from $SKYPILOT_NODE_RANK"
	  if [ "$SKYPILOT_NODE_RANK" = 1 ]; then sleep 1; exit 3; fi
	  sleep 4
	  echo "rank 0 done"
	EOF2
	id=$(sbatch --parsable -p k8s -o "two-%j.out" two.yaml)
	wait_pods "$id" 2 Running 30
	# Rank 1 fails first; the job still runs until rank 0 has ended too.
	k8s_wait_phase "sky-sky-$id-1" Failed 20
	[ "$(job_field "$id" %T)" = RUNNING ]
	wait_state "$id" FAILED 30
	[ "$(scontrol_field "$id" ExitCode)" = 3:0 ]
	cat "two-$id.out"
	grep -qx "hello from 0" "two-$id.out"
	grep -qx "(worker1, rank=1) hello from 1" "two-$id.out"
	[ "$(tail -n1 "two-$id.out")" = "rank 0 done" ]
	[ "$(wc -l < "two-$id.out")" -eq 3 ]
	wait_no_objects "$id" 30
}
