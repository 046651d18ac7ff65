#!/usr/bin/env bash
# shellcheck disable=SC2317  # the side commands and cleanup are called indirectly
# bench/submit.sh [N]: submission and query latency at 1k and 10k queued jobs.
#
# For each queue depth (1,000 and 10,000 held jobs) it times N sequential
# `sbatch --hold --wrap true` calls and N `squeue` calls, and prints medians.
# The same runs go against a real Slurm (Debian's slurm-wlm, started on loopback
# by bench/slurm-up.sh in the same invocation, after our side has been stopped
# so that each side has the machine alone), and the our/Slurm ratios are
# printed. Target: our sbatch <= 0.4x Slurm's time per submission, with every
# submission durable (committed before the reply).
#
# SKY_BENCH_SLURM   1: run real Slurm (installing it if needed); 0: skip it;
#                   unset: run it when Debian's slurmctld is installed or installable.
# SKY_BENCH_SIDES   which sides to run (default "sky slurm"; "slurm" alone checks the harness).
# SKY_BENCH_DEPTHS  queue depths (default "1000 10000").
# SKY_BENCH_KEEP=1  keep the work directory (instances, logs) for inspection.
# SLURM_BIN         where real Slurm's client commands are (default /usr/bin).
# A side that fails is reported as failed and the other side is still measured;
# the exit status is then 1.
set -uo pipefail
N=${1:-100}
[[ $N =~ ^[1-9][0-9]*$ ]] || { echo "submit.sh: error: N must be a positive number, not '$N'" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
SLURM_BIN=${SLURM_BIN:-/usr/bin}
SIDES=${SKY_BENCH_SIDES:-sky slurm}
DEPTHS=${SKY_BENCH_DEPTHS:-1000 10000}

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) { print 0; exit } m = int((NR + 1) / 2); if (NR % 2) print a[m]; else print (a[m] + a[m + 1]) / 2 }'; }

# time_cmd N CMD...: print each run's wall time in microseconds; fail on the
# first failed run (its error stays on stderr). The runs are started by
# bench/timecmd.c (posix_spawn, no shell fork per call; see there why), which
# is built into the work directory first; CMD may be one of the *_sbatch /
# *_squeue functions below, whose variable assignment reaches timecmd.
time_cmd() {
	local n=$1 cmd=$2
	shift 2
	case "$cmd" in
	sky_*) SLURM_SKY_CONF="$work/sky/slurm.conf" "$work/timecmd" "$n" "$work/sky/bin/${cmd#sky_}" "$@" ;;
	slurm_*) SLURM_CONF="$work/slurm/slurm.conf" "$work/timecmd" "$n" "$SLURM_BIN/${cmd#slurm_}" "$@" ;;
	*) echo "submit.sh: error: time_cmd: unknown command $cmd" >&2; return 1 ;;
	esac || { echo "submit.sh: error: '$cmd $*' failed" >&2; return 1; }
}

# fill SIDE TARGET HAVE: submit held jobs until TARGET are queued (counted by us).
fill() {
	local side=$1 target=$2 have=$3
	while [ "$have" -lt "$target" ]; do
		"${side}_sbatch" --hold -Q --wrap true ||
			{ echo "submit.sh: error: $side sbatch failed at $have queued jobs" >&2; return 1; }
		have=$((have + 1))
	done
}

# The two sides' commands. Each gets only its own configuration variable, set
# just for the call, so neither side can pick up the other's instance.
sky_sbatch() { SLURM_SKY_CONF="$work/sky/slurm.conf" "$work/sky/bin/sbatch" "$@"; }
sky_squeue() { SLURM_SKY_CONF="$work/sky/slurm.conf" "$work/sky/bin/squeue" "$@"; }
slurm_sbatch() { SLURM_CONF="$work/slurm/slurm.conf" "$SLURM_BIN/sbatch" "$@"; }
slurm_squeue() { SLURM_CONF="$work/slurm/slurm.conf" "$SLURM_BIN/squeue" "$@"; }

# run_side SIDE: prints "SIDE depth sbatch_us squeue_us" lines; fails on the
# first failed command.
run_side() {
	local side=$1 have=0 depth s q
	for depth in $DEPTHS; do
		fill "$side" "$depth" "$have" || return 1
		have=$depth
		s=$(time_cmd "$N" "${side}_sbatch" --hold --parsable --wrap true | median) || return 1
		have=$((have + N))
		q=$(time_cmd "$N" "${side}_squeue" | median) || return 1
		echo "$side $depth $s $q"
	done
}

# want_slurm: whether to run the real Slurm side (see SKY_BENCH_SLURM).
want_slurm() {
	[[ " $SIDES " == *" slurm "* ]] || return 1
	case "${SKY_BENCH_SLURM:-}" in
	1) return 0 ;;
	0) return 1 ;;
	esac
	dpkg-query -W -f='${Status}' slurmctld 2>/dev/null | grep -q 'install ok installed' && return 0
	apt-cache policy slurmctld 2>/dev/null | grep -q 'Candidate: [0-9]'
}

work=$(mktemp -d /tmp/sky-bench.XXXXXX)
chmod 755 "$work"
cleanup() {
	[ -e "$work/sky/slurm.conf" ] && bash "$here/contrib/sky-down" "$work/sky" >/dev/null 2>&1
	[ -e "$work/slurm/slurm.conf" ] && bash "$here/bench/slurm-down.sh" "$work/slurm" >/dev/null 2>&1
	if [ "${SKY_BENCH_KEEP:-0}" = 1 ]; then
		echo "work directory kept: $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work/jobs"
cd "$work/jobs" || exit 1
"${CC:-cc}" -O2 -o "$work/timecmd" "$here/bench/timecmd.c" ||
	{ echo "submit.sh: error: cannot build bench/timecmd.c" >&2; exit 1; }

failed=0
ours="" ours_err="not run (SKY_BENCH_SIDES)"
if [[ " $SIDES " == *" sky "* ]]; then
	ours_err=""
	if ! bash "$here/contrib/sky-up" "$work/sky" --set MaxJobCount=100000 >/dev/null; then
		ours_err="sky-up failed"
	elif ! ours=$(run_side sky); then
		ours="" ours_err="a command failed"
	fi
	[ -n "$ours_err" ] && failed=1 && echo "submit.sh: error: our side failed: $ours_err (SKY_BENCH_KEEP=1 keeps $work/sky/log)" >&2
	bash "$here/contrib/sky-down" "$work/sky" >/dev/null 2>&1
fi

theirs="" theirs_err="not run (SKY_BENCH_SLURM=0, SKY_BENCH_SIDES, or slurmctld not installable)"
if want_slurm; then
	theirs_err=""
	if ! bash "$here/bench/slurm-up.sh" "$work/slurm" --set MaxJobCount=100000 >/dev/null; then
		theirs_err="slurm-up.sh failed"
	elif ! theirs=$(run_side slurm); then
		theirs="" theirs_err="a command failed"
	fi
	[ -n "$theirs_err" ] && failed=1 && echo "submit.sh: error: real Slurm side failed: $theirs_err (SKY_BENCH_KEEP=1 keeps $work/slurm/log)" >&2
	bash "$here/bench/slurm-down.sh" "$work/slurm" >/dev/null 2>&1
fi

printf 'N=%d timed calls per point\n' "$N"
printf '%-8s %8s %14s %14s\n' system queued "sbatch med us" "squeue med us"
printf '%s\n%s\n' "$ours" "$theirs" | awk 'NF == 4 { printf "%-8s %8d %14.0f %14.0f\n", $1, $2, $3, $4 }'
[ -n "$ours_err" ] && echo "sky      $ours_err"
[ -n "$theirs_err" ] && echo "slurm    $theirs_err"
if [ -n "$ours" ] && [ -n "$theirs" ]; then
	paste <(echo "$ours") <(echo "$theirs") | awk '{ printf "ratio sky/slurm at %d queued: sbatch %.2fx, squeue %.2fx\n", $2, $3 / $7, $4 / $8 }'
else
	echo "ratios not computed: both sides must succeed"
fi
exit $failed
