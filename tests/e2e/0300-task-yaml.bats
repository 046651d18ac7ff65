#!/usr/bin/env bats
# sbatch task.yaml: a SkyPilot-style task becomes a batch job: setup then run
# with bash, envs and SKYPILOT_* in the job, resources mapped onto the same
# options #SBATCH lines set, schema errors naming file, line and field.
load helpers

setup_file() { sky_start --nodes 2 --cpus-per-node 4 --gres gpu:a100:8; }
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

@test "a task runs setup then run, with its envs and SKYPILOT_* variables" {
	cd "$SKY_WORK"
	cat > task.yaml <<-'EOF'
	name: train
	num_nodes: 2
	resources:
	  accelerators: A100:8
	  cpus: 2+
	envs:
	  GREETING: "hello 'world'"
	  EPOCHS: 3
	setup: |
	  echo "setup: $GREETING"
	run: |
	  echo "run: epochs=$EPOCHS args=$*"
	  echo "rank=$SKYPILOT_NODE_RANK nodes=$SKYPILOT_NUM_NODES gpus=$SKYPILOT_NUM_GPUS_PER_NODE"
	  echo "setup_rank=$SKYPILOT_SETUP_NODE_RANK setup_gpus=$SKYPILOT_SETUP_NUM_GPUS_PER_NODE"
	  echo "ips=$(echo "$SKYPILOT_NODE_IPS" | paste -sd,) count=$(echo "$SKYPILOT_NODE_IPS" | wc -l)"
	  echo "task=$SKYPILOT_TASK_ID"
	  echo "user=$SKYPILOT_USER"
	  echo "cpt=$SLURM_CPUS_PER_TASK"
	EOF
	run sbatch task.yaml one two
	[ "$status" -eq 0 ]
	[[ $output =~ ^Submitted\ batch\ job\ ([0-9]+)$ ]]
	id=${BASH_REMATCH[1]}
	wait_state "$id" COMPLETED
	wait_file "slurm-$id.out"
	cat "slurm-$id.out"
	[ "$(sed -n 1p "slurm-$id.out")" = "setup: hello 'world'" ]
	[ "$(sed -n 2p "slurm-$id.out")" = "run: epochs=3 args=one two" ]
	[ "$(sed -n 3p "slurm-$id.out")" = "rank=0 nodes=2 gpus=8" ]
	[ "$(sed -n 4p "slurm-$id.out")" = "setup_rank=0 setup_gpus=8" ]
	[ "$(sed -n 5p "slurm-$id.out")" = "ips=127.0.0.1,127.0.0.1 count=2" ]
	[[ $(sed -n 6p "slurm-$id.out") =~ ^task=sky-[0-9]{4}(-[0-9]{2}){5}-[0-9]{6}_sky_${id}$ ]]
	[ "$(sed -n 7p "slurm-$id.out")" = "user=$(id -un)" ]
	[ "$(job_field "$id" %j)" = train ]
	[ "$(job_field "$id" %D)" = 2 ]
	[ "$(scontrol_field "$id" TresPerNode)" = "gres/gpu:a100:8" ]
	[ "$(sed -n 8p "slurm-$id.out")" = "cpt=2" ]
}

@test "a failing setup fails the job and run never starts" {
	cd "$SKY_WORK"
	printf 'setup: |\n  echo preparing\n  exit 7\nrun: echo SHOULD-NOT-RUN\n' > failsetup.yaml
	id=$(sbatch --parsable failsetup.yaml)
	wait_state "$id" FAILED
	wait_file "slurm-$id.out"
	[ "$(scontrol_field "$id" ExitCode)" = "7:0" ]
	! grep -q SHOULD-NOT-RUN "slurm-$id.out"
	[ "$(cat "slurm-$id.out")" = "preparing
ERROR: Job $id's setup failed with return code 7" ]
}

@test "run's exit code is the job's; a task without setup runs run alone" {
	cd "$SKY_WORK"
	printf 'run: |\n  echo ran\n  exit 3\n' > runonly.yml
	id=$(sbatch --parsable runonly.yml)
	wait_state "$id" FAILED
	[ "$(scontrol_field "$id" ExitCode)" = "3:0" ]
	[ "$(cat "slurm-$id.out")" = ran ]
}

@test "the command line beats the task's fields, as it beats #SBATCH" {
	cd "$SKY_WORK"
	printf 'name: fromyaml\nworkdir: wd\nenvs:\n  WHO: yaml\nrun: echo "$WHO in $PWD"\n' > prec.yaml
	mkdir -p wd
	id=$(sbatch --parsable -J fromcli --export=ALL,WHO=cli prec.yaml)
	wait_state "$id" COMPLETED
	[ "$(job_field "$id" %j)" = fromcli ]
	wait_file "wd/slurm-$id.out"
	[ "$(cat "wd/slurm-$id.out")" = "cli in $SKY_WORK/wd" ]
	# SBATCH_* too
	id=$(SBATCH_JOB_NAME=fromenv sbatch --parsable prec.yaml)
	[ "$(job_field "$id" %j)" = fromenv ]
}

@test "a task on stdin is recognised by its run/setup/resources keys" {
	cd "$SKY_WORK"
	id=$(printf 'resources:\n  memory: 1\nrun: echo from-stdin\n' | sbatch --parsable)
	wait_state "$id" COMPLETED
	[ "$(cat "slurm-$id.out")" = from-stdin ]
	[ "$(scontrol_field "$id" MinMemoryNode)" = 1G ]
	[ "$(job_field "$id" %j)" = sbatch ]
}

@test "plain sbatch jobs get no SKYPILOT_* variables, inherited ones are dropped for tasks" {
	cd "$SKY_WORK"
	id=$(SKYPILOT_NODE_RANK=9 sbatch --parsable --wrap 'env | grep ^SKYPILOT_ | sort')
	wait_state "$id" COMPLETED
	[ "$(cat "slurm-$id.out")" = "SKYPILOT_NODE_RANK=9" ]
	printf 'run: echo "rank=$SKYPILOT_NODE_RANK nodes=$SKYPILOT_NUM_NODES gpus=$SKYPILOT_NUM_GPUS_PER_NODE"\n' > plainres.yaml
	id=$(SKYPILOT_NODE_RANK=9 sbatch --parsable plainres.yaml)
	wait_state "$id" COMPLETED
	[ "$(cat "slurm-$id.out")" = "rank=0 nodes=1 gpus=0" ]
}

@test "schema errors name the file, the line and the field; sbatch exits 1" {
	cd "$SKY_WORK"
	before=$(squeue -h -t all | wc -l)
	printf 'name: x\nnum_nodes: 1\n\nresources:\n  cpus: 1\n\n  accelerators: A100:x\nrun: true\n' > bad.yaml
	run sbatch bad.yaml
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: bad.yaml:7: resources.accelerators: expected NAME:COUNT, got 'A100:x'" ]
	printf 'run: true\nfile_mounts:\n  /data: ./data\n' > fm.yaml
	run sbatch fm.yaml
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: fm.yaml:2: file_mounts: not supported by sbatch" ]
	printf 'run: true\nnodes: 2\n' > unk.yaml
	run sbatch unk.yaml
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: unk.yaml:2: nodes: unknown field" ]
	printf 'resources:\n  accelerator: A100\n' > unk2.yml
	run sbatch unk2.yml
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: unk2.yml:2: resources: unknown field 'accelerator'" ]
	printf 'run: [unclosed\n' > syn.yaml
	run sbatch syn.yaml
	[ "$status" -eq 1 ]
	[[ $output =~ ^sbatch:\ error:\ syn.yaml:2:\ invalid\ YAML: ]]
	printf 'num_nodes: 2.5\n' > nn.yaml
	run sbatch nn.yaml
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: nn.yaml:1: num_nodes: expected a positive integer, got '2.5'" ]
	# nothing was submitted
	[ "$(squeue -h -t all | wc -l)" = "$before" ]
}

@test "cloud-only resources are ignored with a warning; the rest are recorded" {
	cd "$SKY_WORK"
	printf 'resources:\n  disk_size: 256\n  use_spot: true\n  infra: aws/us-east-1\nrun: true\n' > cloud.yaml
	run sbatch cloud.yaml
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "sbatch: warning: cloud.yaml:2: resources.disk_size ignored: it sizes cloud machines, and cluster nodes are what they are" ]
	[[ ${lines[1]} =~ ^Submitted\ batch\ job\ [0-9]+$ ]]
}

@test "a batch script named .yaml is still a script when it starts with #!" {
	cd "$SKY_WORK"
	printf '#!/bin/sh\necho i-am-a-script\n' > script.yaml
	id=$(sbatch --parsable script.yaml)
	wait_state "$id" COMPLETED
	[ "$(cat "slurm-$id.out")" = i-am-a-script ]
}
