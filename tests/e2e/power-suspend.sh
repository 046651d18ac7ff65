#!/usr/bin/env bash
# A SuspendProgram for the power-saving tests: stops the node agents that
# power-resume.sh started (argv[1] is a hostlist) and records "suspend ARGS"
# in DIR/power.log.
set -u
conf=${SLURM_SKY_CONF:-${SLURM_CONF:?}}
dir=$(dirname "$conf")
echo "suspend $*" >> "$dir/power.log"
for n in $("$dir/bin/scontrol" show hostnames "$1"); do
	f="$dir/run/slurmd-$n.pid"
	[ -r "$f" ] || continue
	pid=$(head -n1 "$f" | awk '{ print $1 }')
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null
	rm -f "$f"
done
exit 0
