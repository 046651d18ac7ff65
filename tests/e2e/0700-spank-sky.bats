#!/usr/bin/env bats
# The sky_dist SPANK plugin (spank/) under slurmd-sky's SPANK host: batch
# jobs get MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK, ... from
# slurm_spank_task_init; the plugin's options work on sbatch-sky's command
# line, on #SBATCH lines and through SLURM_SPANK_<plugin>_<option>; a
# variable the user set is kept; plugstack.conf is re-read at each launch
# and a required plugin that fails stops the job with a reason.
load helpers

PLUGIN=${SKY_BUILDDIR}/spank/sky_dist.so

setup_file() {
	PS_DIR=$(mktemp -d /tmp/sky-spank.XXXXXX)
	chmod 755 "$PS_DIR"
	export PS_DIR
	echo "required $PLUGIN port_range=31000-31099" >"$PS_DIR/plugstack.conf"
	sky_start --nodes 4 --cpus-per-node 2 --kill-wait 2 --set "PlugStackConfig=$PS_DIR/plugstack.conf"
}
teardown_file() { sky_stop; rm -rf "$PS_DIR"; }
setup() { echo "required $PLUGIN port_range=31000-31099" >"$PS_DIR/plugstack.conf"; }
# On failure, what the jobs printed too (the srun test failed once under a
# loaded CI run and its output was gone with the instance).
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || { head -n 40 "$SKY_WORK"/*.out 2>/dev/null; sky_logs; }; }

VARS='^(MASTER_ADDR|MASTER_PORT|WORLD_SIZE|RANK|LOCAL_RANK|LOCAL_WORLD_SIZE|NODE_RANK|GROUP_RANK|SKYPILOT_NODE_RANK|SKYPILOT_NUM_NODES|SKYPILOT_NUM_GPUS_PER_NODE|JAX_COORDINATOR_ADDRESS|JAX_NUM_PROCESSES|JAX_PROCESS_ID)='

# run_job OUTNAME SBATCH-ARGS...: submit, wait for the end, print the output file's path.
run_job() {
	local out=$1 id
	shift
	id=$(sbatch --parsable -o "$SKY_WORK/$out" "$@") || return 1
	wait_state "$id" "COMPLETED|FAILED" 30 >&2 || return 1
	echo "$id"
}

@test "a batch job sees the torch, SkyPilot and JAX variables of its allocation" {
	local id port
	id=$(run_job env1.out -n 2 --wrap "env | grep -E '$VARS' | sort")
	[ "$(job_field "$id" %T)" = COMPLETED ]
	port=$((31000 + id % 100))
	run cat "$SKY_WORK/env1.out"
	# The batch step is task 0 of 1 on this node; WORLD_SIZE is the job's -n, as Slurm reports it.
	[ "$output" = "GROUP_RANK=0
JAX_COORDINATOR_ADDRESS=127.0.0.1:$port
JAX_NUM_PROCESSES=2
JAX_PROCESS_ID=0
LOCAL_RANK=0
LOCAL_WORLD_SIZE=1
MASTER_ADDR=127.0.0.1
MASTER_PORT=$port
NODE_RANK=0
RANK=0
SKYPILOT_NODE_RANK=0
SKYPILOT_NUM_GPUS_PER_NODE=0
SKYPILOT_NUM_NODES=1
WORLD_SIZE=2" ]
}

@test "a two-node job lists both nodes' addresses, the first is MASTER_ADDR" {
	local id
	id=$(run_job two.out -N 2 -w 'node[1-2]' --wrap 'printf "%s|" "$SKYPILOT_NUM_NODES" "$SLURM_JOB_NODELIST" "$MASTER_ADDR" "$SKYPILOT_NODE_IPS"')
	[ "$(job_field "$id" %T)" = COMPLETED ]
	# Both agents run here (sky-up), so both nodes are 127.0.0.1.
	[ "$(cat "$SKY_WORK/two.out")" = "2|node[1-2]|127.0.0.1|127.0.0.1
127.0.0.1|" ]
}

@test "--dist-port on the command line, on #SBATCH lines and in SLURM_SPANK_sky_dist_dist_port" {
	printf '#!/bin/sh\n#SBATCH --dist-port 29651\necho "$MASTER_PORT $JAX_COORDINATOR_ADDRESS"\n' >"$SKY_WORK/port.sh"
	local a b c d
	# As Slurm's sbatch does, the value travels in the job's environment.
	a=$(run_job port-cli.out --dist-port=29650 --wrap 'echo "$MASTER_PORT $JAX_COORDINATOR_ADDRESS $SLURM_SPANK__SLURM_SPANK_OPTION_sky_dist_dist_port"')
	b=$(run_job port-script.out "$SKY_WORK/port.sh")
	c=$(run_job port-both.out --dist-port=29652 "$SKY_WORK/port.sh")
	d=$(SLURM_SPANK_sky_dist_dist_port=29653 run_job port-env.out --wrap 'echo "$MASTER_PORT"')
	[ "$(cat "$SKY_WORK/port-cli.out")" = "29650 127.0.0.1:29650 29650" ]
	[ "$(cat "$SKY_WORK/port-script.out")" = "29651 127.0.0.1:29651" ]
	# The command line wins over the script.
	[ "$(cat "$SKY_WORK/port-both.out")" = "29652 127.0.0.1:29652" ]
	[ "$(cat "$SKY_WORK/port-env.out")" = "29653" ]
	# "--dist-port N" takes the next word; after the script name the words are the script's.
	run_job port-sep.out --dist-port 29654 -o "$SKY_WORK/port-sep.out" --wrap 'echo "$MASTER_PORT"' >/dev/null
	printf '#!/bin/sh\n#SBATCH --dist-port=29655\necho "$MASTER_PORT $1"\n' >"$SKY_WORK/arg.sh"
	run_job port-arg.out "$SKY_WORK/arg.sh" --dist-port=1 >/dev/null
	[ "$(cat "$SKY_WORK/port-sep.out")" = "29654" ]
	[ "$(cat "$SKY_WORK/port-arg.out")" = "29655 --dist-port=1" ]
}

@test "a bad --dist-port is refused by sbatch with the plugin's message" {
	run sbatch --dist-port=70000 --wrap true
	[ "$status" -ne 0 ]
	[[ $output == *"sky_dist: --dist-port=70000: expected a TCP port number 1-65535"* ]]
	[[ $output == *"Invalid --dist-port argument: 70000"* ]]
	[[ $output != *Submitted* ]]
}

@test "--no-dist-env leaves the environment alone; a variable the user set is kept" {
	local a b
	a=$(run_job off.out --no-dist-env --wrap 'echo "${RANK-unset} ${MASTER_ADDR-unset}"')
	b=$(RANK=7 MASTER_PORT=1234 run_job user.out -n 2 --wrap 'echo "$RANK $MASTER_PORT $WORLD_SIZE"')
	[ "$(cat "$SKY_WORK/off.out")" = "unset unset" ]
	[ "$(cat "$SKY_WORK/user.out")" = "7 1234 2" ]
}

@test "plugstack.conf arguments choose the families, re-read at each launch" {
	echo "required $PLUGIN families=jax port_range=40000-40000" >"$PS_DIR/plugstack.conf"
	run_job fam.out --wrap "env | grep -E '$VARS' | sort" >/dev/null
	[ "$(cat "$SKY_WORK/fam.out")" = "JAX_COORDINATOR_ADDRESS=127.0.0.1:40000
JAX_NUM_PROCESSES=1
JAX_PROCESS_ID=0" ]
}

@test "a required plugin missing at launch fails the job with the reason; an optional one is skipped" {
	local id
	id=$(sbatch --parsable --hold -o "$SKY_WORK/miss.out" --wrap 'echo ran')
	echo "required $PS_DIR/nonexistent.so" >"$PS_DIR/plugstack.conf"
	scontrol release "$id"
	wait_state "$id" FAILED 30
	[[ $(job_field "$id" %r) == *"required plugin not loaded"*"nonexistent.so"* ]]
	# sbatch loads the same stack (allocator context) and refuses to submit.
	run sbatch --wrap true
	[ "$status" -ne 0 ]
	[[ $output == *"plugstack.conf:1: required plugin not loaded"* ]]
	echo "optional $PS_DIR/nonexistent.so" >"$PS_DIR/plugstack.conf"
	echo "required $PLUGIN" >>"$PS_DIR/plugstack.conf"
	id=$(run_job opt.out --wrap 'echo "ran $RANK"')
	[ "$(job_field "$id" %T)" = COMPLETED ]
	[ "$(cat "$SKY_WORK/opt.out")" = "ran 0" ]
	grep -q "optional plugin not loaded" "$SKY_INST"/log/slurmd-node*.log
}

@test "srun tasks of 2- and 4-node jobs check their torch variables against the allocation (Python)" {
	cat >"$SKY_WORK/check.py" <<'PY'
import os, subprocess
e = os.environ
first = subprocess.run(["scontrol", "show", "hostnames", e["SLURM_STEP_NODELIST"]],
                       capture_output=True, text=True, check=True).stdout.split()[0]
want = {
    "RANK": e["SLURM_PROCID"], "LOCAL_RANK": e["SLURM_LOCALID"],
    "WORLD_SIZE": e["SLURM_STEP_NUM_TASKS"], "NODE_RANK": e["SLURM_NODEID"],
    "GROUP_RANK": e["SLURM_NODEID"], "SKYPILOT_NODE_RANK": e["SLURM_NODEID"],
    "SKYPILOT_NUM_NODES": e["SLURM_STEP_NUM_NODES"], "MASTER_PORT": "29555",
    "JAX_PROCESS_ID": e["SLURM_PROCID"], "JAX_NUM_PROCESSES": e["SLURM_STEP_NUM_TASKS"],
    "MASTER_ADDR": "127.0.0.1", "JAX_COORDINATOR_ADDRESS": "127.0.0.1:29555",
    "SKYPILOT_NODE_IPS": "\n".join(["127.0.0.1"] * int(e["SLURM_STEP_NUM_NODES"])),
}
bad = [f"{k}={e.get(k)!r}!={v!r}" for k, v in want.items() if e.get(k) != v]
print(e["SLURM_PROCID"], e["LOCAL_WORLD_SIZE"], first, "OK" if not bad else " ".join(bad))
PY
	local id2 id4
	id2=$(sbatch --parsable -N 2 -n 4 --dist-port=29555 -o "$SKY_WORK/srun2.out" \
		--wrap "echo batch \$RANK \$WORLD_SIZE; srun python3 $SKY_WORK/check.py | sort -n")
	id4=$(sbatch --parsable -N 4 --ntasks-per-node=2 --dist-port=29555 -o "$SKY_WORK/srun4.out" \
		--wrap "srun python3 $SKY_WORK/check.py | sort -n")
	wait_state "$id2" "COMPLETED|FAILED" 60
	wait_state "$id4" "COMPLETED|FAILED" 60
	[ "$(cat "$SKY_WORK/srun2.out")" = "batch 0 4
0 2 node1 OK
1 2 node1 OK
2 2 node1 OK
3 2 node1 OK" ]
	[ "$(cat "$SKY_WORK/srun4.out")" = "0 2 node1 OK
1 2 node1 OK
2 2 node1 OK
3 2 node1 OK
4 2 node1 OK
5 2 node1 OK
6 2 node1 OK
7 2 node1 OK" ]
}
