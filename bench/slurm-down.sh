#!/usr/bin/env bash
# slurm-down.sh DIR: stop the real Slurm that bench/slurm-up.sh started in DIR
# and leave no process of it behind: running jobs are cancelled through Slurm
# (slurmstepd kills their process trees), slurmd and slurmctld stop, then munged;
# whatever is left of the instance (a slurmstepd, a job that outlived it) is
# killed. DIR itself stays for inspection; remove it yourself.
set -uo pipefail

DIR=${1:?usage: slurm-down.sh DIR}
[ -d "$DIR" ] || { echo "slurm-down: error: no directory $DIR" >&2; exit 1; }
DIR=$(cd "$DIR" && pwd)
BIN=${SLURM_BIN:-/usr/bin}

pid_of() { [ -r "$1" ] && head -n1 "$1" | awk '{ print $1 }'; }

# stop_pids SIGNAL WAIT_SECONDS PID...: signal, wait, then SIGKILL what is left.
stop_pids() {
	local sig=$1 wait=$2 p t any
	shift 2
	for p in "$@"; do alive "$p" && kill "-$sig" "$p" 2>/dev/null; done
	for ((t = 0; t < wait * 10; t++)); do
		any=0
		for p in "$@"; do alive "$p" && any=1; done
		[ $any = 0 ] && return 0
		sleep 0.1
	done
	for p in "$@"; do alive "$p" && kill -KILL "$p" 2>/dev/null; done
	return 0
}

# stat_field N PID: the Nth field of /proc/PID/stat after the command name
# (1 state, 2 parent, 3 process group, 4 session).
stat_field() {
	local line f
	{ line=$(< "/proc/$2/stat"); } 2>/dev/null || return 0
	read -r -a f <<< "${line##*) }"
	echo "${f[$1 - 1]:-}"
}

# alive PID: the process exists and is not a zombie waiting for its reaper.
alive() {
	[ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null && [ "$(stat_field 1 "$1")" != Z ]
}

# instance_pids: every process of this instance. The daemons and each slurmstepd
# hold a log file in DIR/log open (slurmstepd also listens on a socket in
# DIR/spool); a job's processes share their slurmstepd's session, descend from
# it or carry its environment. The caller and its ancestors are never listed.
instance_pids() {
	local p sid ppid self=" $BASHPID " q=$$ cond=(-lname "$DIR/log/*")
	declare -A own=() sids=() parent=()
	while [ -n "$q" ] && [ "$q" != 0 ]; do
		self="$self$q "
		q=$(stat_field 2 "$q")
	done
	for q in $(awk -v d="$DIR/" 'index($NF, d) == 1 { print $7 }' /proc/net/unix 2>/dev/null); do
		cond+=(-o -lname "socket:\[$q\]")
	done
	for p in $(find /proc/[0-9]*/fd -maxdepth 1 \( "${cond[@]}" \) -printf '%h\n' 2>/dev/null |
		awk -F/ '!seen[$3]++ { print $3 }'); do
		[[ $self == *" $p "* ]] && continue
		own[$p]=1
		[[ $(tr -d '\0' < "/proc/$p/cmdline" 2>/dev/null) == slurmstepd* ]] || continue
		sid=$(stat_field 4 "$p")
		[ -n "$sid" ] && sids[$sid]=1
	done
	# Job processes that left both (setsid and reparented): slurmstepd gives every
	# job SLURM_CONF and SLURM_JOB_ID; mere clients of the instance lack the latter.
	for p in $(grep -l -z -x -F "SLURM_CONF=$DIR/slurm.conf" /proc/[0-9]*/environ 2>/dev/null); do
		p=${p#/proc/} p=${p%/environ}
		[[ $self == *" $p "* ]] && continue
		grep -q -z '^SLURM_JOB_ID=' "/proc/$p/environ" 2>/dev/null && own[$p]=1
	done
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[[ $self == *" $p "* ]] && continue
		ppid=$(stat_field 2 "$p") sid=$(stat_field 4 "$p")
		[ -n "$sid" ] || continue
		parent[$p]=$ppid
		# A job's processes share their slurmstepd's session.
		[ -n "${sids[$sid]:-}" ] && own[$p]=1
	done
	# ... or descend from a process of ours.
	local changed=1
	while [ $changed = 1 ]; do
		changed=0
		for p in "${!parent[@]}"; do
			[ -z "${own[$p]:-}" ] && [ -n "${own[${parent[$p]}]:-}" ] && { own[$p]=1; changed=1; }
		done
	done
	for p in "${!own[@]}"; do alive "$p" && echo "$p"; done
}

export SLURM_CONF="$DIR/slurm.conf"
ctld=$(pid_of "$DIR/run/slurmctld.launch")
slurmd=$(pid_of "$DIR/run/slurmd.launch")

# 1. Cancel what runs, while slurmctld is there to do it, and give the
#    slurmstepds KillWait (+ margin) to take their jobs down.
if alive "$ctld" && [ -r "$SLURM_CONF" ]; then
	jobs=$(timeout 20 "$BIN/squeue" -h -t R,CG,CF,S -o %A 2>/dev/null | sort -u)
	if [ -n "$jobs" ]; then
		# shellcheck disable=SC2086
		timeout 20 "$BIN/scancel" $jobs 2>/dev/null
		kw=$(awk -F= 'tolower($1) == "killwait" { print $2 }' "$SLURM_CONF")
		for ((t = 0; t < (${kw:-30} + 10) * 5; t++)); do
			[ -z "$(timeout 10 "$BIN/squeue" -h -t R,CG,CF,S -o %A 2>/dev/null)" ] && break
			sleep 0.2
		done
	fi
fi

# 2. The daemons: slurmd first, so it does not retry a gone controller.
stop_pids TERM 10 "$slurmd" "$(pid_of "$DIR/run/slurmd.pid")"
stop_pids TERM 15 "$ctld" "$(pid_of "$DIR/run/slurmctld.pid")"
if [ -S "$DIR/munge/munge.socket" ]; then
	/usr/sbin/munged --socket="$DIR/munge/munge.socket" --stop >/dev/null 2>&1 ||
		stop_pids TERM 5 "$(pid_of "$DIR/run/munged.pid")"
fi

# 3. Anything still holding on to the instance.
for round in 1 2 3; do
	left=$(instance_pids | tr '\n' ' ')
	[ -z "$left" ] && exit 0
	[ "$round" = 1 ] && echo "slurm-down: killing leftover processes: $left" >&2
	# shellcheck disable=SC2086
	stop_pids KILL 3 $left
done
left=$(instance_pids | tr '\n' ' ')
[ -z "$left" ] && exit 0
echo "slurm-down: error: processes still alive: $left" >&2
exit 1
