#!/usr/bin/env bash
# A ResumeProgram for the power-saving tests (tests/e2e/08*.bats), written as
# an admin would: argv[1] is a hostlist; start one node agent per node with
# the command line contrib/sky-up uses. It records what it was given in the
# instance directory (power.log: "resume ARGS"; resume.json: the last
# SLURM_RESUME_FILE). Nodes named in DIR/resume.noop (all of them when it
# is empty) are not started: nodes that never boot.
set -u
conf=${SLURM_SKY_CONF:-${SLURM_CONF:?}}
dir=$(dirname "$conf")
echo "resume $*" >> "$dir/power.log"
if [ -n "${SLURM_RESUME_FILE:-}" ] && [ -r "$SLURM_RESUME_FILE" ]; then
	cp "$SLURM_RESUME_FILE" "$dir/resume.json.tmp" && mv "$dir/resume.json.tmp" "$dir/resume.json"
fi
noop=$dir/resume.noop
[ -e "$noop" ] && [ ! -s "$noop" ] && exit 0
[ -n "${RESUME_DELAY:-}" ] && sleep "$RESUME_DELAY"
for n in $("$dir/bin/scontrol" show hostnames "$1"); do
	[ -s "$noop" ] && grep -qx "$n" "$noop" && continue
	"$dir/bin/slurmd-sky" -f "$conf" -N "$n" || echo "resume: slurmd-sky $n failed" >> "$dir/power.log"
done
exit 0
