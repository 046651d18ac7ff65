# Shared by the power-saving tests (tests/e2e/08*.bats): an instance with
# one local node (node1, partition debug) plus CLOUD nodes powered by
# tests/e2e/power-resume.sh and power-suspend.sh.

POWER_RESUME=$SKY_SRCDIR/tests/e2e/power-resume.sh
POWER_SUSPEND=$SKY_SRCDIR/tests/e2e/power-suspend.sh

# power_start [--set KEY=VALUE...]: the cloud lines come from the caller.
power_start() {
	sky_start --nodes 1 --cpus-per-node 1 --kill-wait 1 \
		--set "ResumeProgram=$POWER_RESUME" --set "SuspendProgram=$POWER_SUSPEND" "$@"
}

# wait_node NODE REGEX [SECONDS]: until sinfo's compact state of NODE matches.
wait_node() {
	local i s=""
	for ((i = 0; i < ${3:-30} * 10; i++)); do
		s=$(sinfo -h -N -n "$1" -o %t)
		[[ $s =~ ^($2)$ ]] && return 0
		sleep 0.1
	done
	echo "node $1 is '$s', not /$2/" >&2
	return 1
}

# node_field NODE KEY: KEY's value in `scontrol show node NODE`.
node_field() {
	scontrol show node "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n1
}

power_log() { cat "$SKY_INST/power.log" 2>/dev/null; }
