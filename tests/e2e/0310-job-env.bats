#!/usr/bin/env bats
# The job environment (slurm.md section 2): each conditional SLURM_* variable
# is present exactly when its sbatch option was given, with Slurm's value;
# --export=ALL/NONE/NIL/list and --get-user-env end to end.
# Values were checked against Debian's slurm-wlm 22.05 for the same jobs
# (bench/slurm-up.sh), except where slurm.md's documented behaviour differs
# (22.05 also sets SLURM_GET_USER_ENV=1 for --export=NIL and ALL,list).
load helpers

setup_file() { sky_start --nodes 1 --cpus-per-node 4 --gres gpu:2; }
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

COND='^SLURM_(NTASKS|NPROCS|NTASKS_PER_NODE|CPUS_PER_TASK|MEM_PER_CPU|MEM_PER_NODE|MEM_PER_GPU|GPUS|GPUS_PER_NODE|GPUS_PER_TASK|JOB_ACCOUNT|JOB_QOS|EXPORT_ENV|GET_USER_ENV)='

# options | the conditional variables the job must have, sorted, space-separated
MATRIX=(
	"|"
	"-n 2|SLURM_NPROCS=2 SLURM_NTASKS=2"
	"--ntasks-per-node=2|SLURM_NPROCS=2 SLURM_NTASKS=2 SLURM_NTASKS_PER_NODE=2"
	"-c 2|SLURM_CPUS_PER_TASK=2"
	"--mem=100|SLURM_MEM_PER_NODE=100"
	"--mem=1G|SLURM_MEM_PER_NODE=1024"
	"--mem-per-cpu=50|SLURM_MEM_PER_CPU=50"
	"-G 1 --mem-per-gpu=1G|SLURM_GPUS=1 SLURM_MEM_PER_GPU=1024"
	"--gpus=2|SLURM_GPUS=2"
	"--gpus-per-node=1|SLURM_GPUS_PER_NODE=1"
	"-n 1 --gpus-per-task=1|SLURM_GPUS_PER_TASK=1 SLURM_NPROCS=1 SLURM_NTASKS=1"
	"-A physics|SLURM_JOB_ACCOUNT=physics"
	"-q high|SLURM_JOB_QOS=high"
	"--export=ALL|"
	"--export=NONE|SLURM_EXPORT_ENV=NONE SLURM_GET_USER_ENV=1"
	"--export=NIL|SLURM_EXPORT_ENV=NIL"
	"--export=HOME,X=1|SLURM_EXPORT_ENV=HOME,X=1 SLURM_GET_USER_ENV=1"
	"--export=ALL,X=1|SLURM_EXPORT_ENV=ALL,X=1"
	"--get-user-env|SLURM_GET_USER_ENV=1"
)

@test "each conditional variable is present exactly when its option was given" {
	cd "$SKY_WORK"
	local ids=() row opts want id got fail=0
	for row in "${MATRIX[@]}"; do
		opts=${row%%|*}
		# shellcheck disable=SC2086
		id=$(sbatch --parsable $opts -o "matrix-%j.out" --wrap "env | grep -E '$COND' | sort | paste -sd' '")
		ids+=("$id")
	done
	for i in "${!MATRIX[@]}"; do
		row=${MATRIX[$i]}
		opts=${row%%|*}
		want=${row#*|}
		id=${ids[$i]}
		wait_state "$id" COMPLETED
		wait_file "matrix-$id.out" 5 || true
		got=$(cat "matrix-$id.out")
		if [ "$got" != "$want" ]; then
			echo "sbatch $opts: got '$got', want '$want'"
			fail=1
		fi
	done
	[ "$fail" = 0 ]
}

@test "SBATCH_* variables set the same conditional variables" {
	cd "$SKY_WORK"
	id=$(SBATCH_MEM_PER_GPU=2G SBATCH_GPUS_PER_TASK=1 SBATCH_ACCOUNT=chem sbatch --parsable -n 1 -G 1 \
		--wrap "env | grep -E '$COND' | sort | paste -sd' '")
	wait_state "$id" COMPLETED
	[ "$(cat "slurm-$id.out")" = "SLURM_GPUS=1 SLURM_GPUS_PER_TASK=1 SLURM_JOB_ACCOUNT=chem SLURM_MEM_PER_GPU=2048 SLURM_NPROCS=1 SLURM_NTASKS=1" ]
}

@test "--export=ALL (the default) passes the submit environment" {
	cd "$SKY_WORK"
	id=$(FOO=outer sbatch --parsable --wrap 'echo "FOO=$FOO"')
	wait_state "$id" COMPLETED
	[ "$(cat "slurm-$id.out")" = "FOO=outer" ]
}

@test "--export=NONE drops the submit environment and loads the user's login environment" {
	cd "$SKY_WORK"
	home=$(getent passwd "$(id -un)" | cut -d: -f6)
	id=$(FOO=outer HOME=/nonexistent sbatch --parsable --export=NONE \
		--wrap 'echo "FOO=${FOO-unset} HOME=$HOME USER=$USER id=$SLURM_JOB_ID"; [ -n "$PATH" ] && echo path-set')
	wait_state "$id" COMPLETED
	[ "$(sed -n 1p "slurm-$id.out")" = "FOO=unset HOME=$home USER=$(id -un) id=$id" ]
	[ "$(sed -n 2p "slurm-$id.out")" = path-set ]
}

@test "--export=NIL passes only SLURM_* variables, without a login environment" {
	cd "$SKY_WORK"
	id=$(FOO=outer sbatch --parsable --export=NIL --wrap 'echo "FOO=${FOO-unset} HOME=${HOME-unset} id=$SLURM_JOB_ID"')
	wait_state "$id" COMPLETED
	[ "$(cat "slurm-$id.out")" = "FOO=unset HOME=unset id=$id" ]
}

@test "--export=list passes the named variables and NAME=value items, not the others" {
	cd "$SKY_WORK"
	id=$(FOO=outer BAR=bar sbatch --parsable --export=FOO,X=given \
		--wrap 'echo "FOO=${FOO-unset} X=${X-unset} BAR=${BAR-unset} id=$SLURM_JOB_ID"')
	wait_state "$id" COMPLETED
	[ "$(cat "slurm-$id.out")" = "FOO=outer X=given BAR=unset id=$id" ]
}

@test "the login environment stays under the submitted variables" {
	cd "$SKY_WORK"
	id=$(HOME=/submitted sbatch --parsable --get-user-env --wrap 'echo "HOME=$HOME"')
	wait_state "$id" COMPLETED
	[ "$(cat "slurm-$id.out")" = "HOME=/submitted" ]
}

@test "the batch step has SLURM_TOPOLOGY_ADDR and not sbatch's SLURM_UMASK, as Slurm's" {
	cd "$SKY_WORK"
	id=$(sbatch --parsable --wrap 'echo "topo=$SLURM_TOPOLOGY_ADDR/$SLURM_TOPOLOGY_ADDR_PATTERN umask=${SLURM_UMASK-unset} $(umask)"')
	wait_state "$id" COMPLETED
	[ "$(cat "slurm-$id.out")" = "topo=node1/node umask=unset $(umask)" ]
}
