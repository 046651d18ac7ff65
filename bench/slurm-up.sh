#!/usr/bin/env bash
# slurm-up.sh DIR [--plugstack FILE] [--cpus N] [--partition NAME] [--set KEY=VALUE]...
#
# Start a self-contained REAL Slurm (Debian's slurm-wlm 22.05) on loopback, for
# side-by-side benchmarks and for tests that compare against Slurm itself:
#
#   eval "$(bench/slurm-up.sh /tmp/real)"
#   sbatch --wrap hostname; squeue
#   bench/slurm-down.sh /tmp/real
#
# DIR gets its own munged (key and socket in DIR/munge), slurm.conf on free
# loopback ports, state, spool and logs (DIR/log). Nothing in /etc is used, so
# several instances (and a slurm-sky instance) can run at once. The packages
# slurmctld, slurmd, slurm-client and munge are installed with apt-get when
# missing (needs root). Only the `export` lines go to stdout; the rest is on stderr.
#
# --plugstack FILE  PlugStackConfig=FILE (SPANK plugins); default: an empty one
#                   in DIR, so /etc/slurm/plugstack.conf is never read.
# --cpus N          CPUs of the node (default: what `slurmd -C` finds).
# --partition NAME  name of the default partition (default: debug).
# --set KEY=VALUE   any extra slurm.conf line, after ours (repeatable).
# SLURM_UP_TIMEOUT  seconds to wait for the node to become idle (default 60).
# SLURM_BIN         where Slurm's client commands are (default /usr/bin).
# SLURM_UP_DEBUG    SlurmctldDebug/SlurmdDebug level (default info);
# SLURM_UP_MUNGED_FORCE=1 passes --force to munged.
set -euo pipefail

STARTED=""
# die MSG: report, and stop whatever this run already started (DIR stays, with its logs).
die() {
	echo "slurm-up: error: $*" >&2
	[ -n "$STARTED" ] && bash "$(dirname "${BASH_SOURCE[0]}")/slurm-down.sh" "$DIR" >&2
	exit 1
}
usage() { sed -n '2p' "$0" | sed 's/^# //' >&2; exit 2; }

[ $# -ge 1 ] || usage
case "$1" in -h|--help) usage ;; esac
DIR=$1; shift
PLUGSTACK="" CPUS="" PART=debug
EXTRA=()
while [ $# -gt 0 ]; do
	case "$1" in
	--plugstack) PLUGSTACK=${2:?--plugstack takes a file}; shift 2 ;;
	--cpus) CPUS=${2:?--cpus takes a number}; shift 2 ;;
	--partition) PART=${2:?--partition takes a name}; shift 2 ;;
	--set) [[ ${2:-} == ?*=* ]] || die "--set takes KEY=VALUE"; EXTRA+=("$2"); shift 2 ;;
	-h|--help) usage ;;
	*) die "unknown option '$1'" ;;
	esac
done
[ -z "$CPUS" ] || [[ $CPUS =~ ^[1-9][0-9]*$ ]] || die "--cpus must be a positive number, not '$CPUS'"
if [ -n "$PLUGSTACK" ]; then
	[ -r "$PLUGSTACK" ] || die "cannot read plugstack file '$PLUGSTACK'"
	PLUGSTACK=$(cd "$(dirname "$PLUGSTACK")" && pwd)/$(basename "$PLUGSTACK")
fi

# --- 1. Packages (idempotent: apt only runs when something is missing) -------
PKGS=(slurmctld slurmd slurm-client munge)
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "missing packages ${missing[*]} and not root to install them"
	echo "slurm-up: installing ${missing[*]}" >&2
	# Debian's postinst would start the system-wide daemons on /etc/slurm; where
	# policy-rc.d forbids that (containers) it is skipped, elsewhere they fail
	# harmlessly for want of /etc/slurm/slurm.conf. Ours never use /etc.
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2 || die "apt-get update failed"
	apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
		die "apt-get install ${missing[*]} failed"
fi
# Debian's binaries by path: a slurm-sky bin directory may come first in PATH.
SLURMCTLD=/usr/sbin/slurmctld SLURMD=/usr/sbin/slurmd MUNGED=/usr/sbin/munged
BIN=${SLURM_BIN:-/usr/bin}
for p in "$SLURMCTLD" "$SLURMD" "$MUNGED" "$BIN/sbatch" "$BIN/scontrol" "$BIN/sinfo"; do
	[ -x "$p" ] || die "$p not found after install"
done

# --- 2. The instance directory ------------------------------------------------
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
[ -e "$DIR/slurm.conf" ] && die "$DIR already holds an instance (slurm-down.sh it first)"
# munged insists that every directory above its socket be traversable by all.
chmod 755 "$DIR"
mkdir -p "$DIR/munge" "$DIR/log" "$DIR/run" "$DIR/state" "$DIR/spool"
chmod 755 "$DIR/munge"
chmod 700 "$DIR/state"

# free_port: print a loopback TCP port nobody listens on (below the ephemeral
# range, so outgoing connections do not take it before the daemon binds).
TAKEN=" "
free_port() {
	local p i
	for ((i = 0; i < 200; i++)); do
		p=$((20000 + RANDOM % 12000))
		[[ $TAKEN == *" $p "* ]] && continue
		# A refused connection means no listener on that port.
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			TAKEN="$TAKEN$p "
			echo "$p"
			return 0
		fi
	done
	die "no free loopback port found"
}
CTLD_PORT=$(free_port)
TAKEN="$TAKEN$CTLD_PORT "
SLURMD_PORT=$(free_port)

STARTED=1
dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
chmod 600 "$DIR/munge/munge.key"
"$MUNGED" --socket="$DIR/munge/munge.socket" --key-file="$DIR/munge/munge.key" \
	--log-file="$DIR/log/munged.log" --pid-file="$DIR/run/munged.pid" \
	--seed-file="$DIR/munge/munged.seed" ${SLURM_UP_MUNGED_FORCE:+--force} >&2 \
	|| die "munged did not start (see $DIR/log/munged.log)"

# --- 3. slurm.conf ------------------------------------------------------------
NODE=$(hostname -s)
hw=$("$SLURMD" -C 2>/dev/null | head -n1 || true)
if [ -n "$CPUS" ]; then
	hw="CPUs=$CPUS"
elif [[ $hw == NodeName=* ]]; then
	# Keep slurmd's own view (sockets, cores) so it registers cleanly; claim a
	# little less memory than it sees, or a small drift would drain the node.
	hw=${hw#NodeName=* }
	if [[ $hw =~ RealMemory=([0-9]+) ]]; then
		hw=${hw/RealMemory=${BASH_REMATCH[1]}/RealMemory=$((BASH_REMATCH[1] * 95 / 100))}
	fi
else
	hw="CPUs=$(nproc)"
fi
if [ -z "$PLUGSTACK" ]; then
	PLUGSTACK="$DIR/plugstack.conf"
	: > "$PLUGSTACK"
fi
{
	echo "# real Slurm instance made by bench/slurm-up.sh; stop it with bench/slurm-down.sh"
	echo "ClusterName=slurmup"
	echo "SlurmctldHost=localhost"
	echo "SlurmctldPort=$CTLD_PORT"
	echo "SlurmdPort=$SLURMD_PORT"
	echo "AuthType=auth/munge"
	echo "CredType=cred/munge"
	# Both the auth and the cred plugin of 22.05 take the munged socket from here,
	# in the daemons and in every client command.
	echo "AuthInfo=socket=$DIR/munge/munge.socket"
	echo "SlurmUser=root"
	echo "SlurmdUser=root"
	echo "StateSaveLocation=$DIR/state"
	echo "SlurmdSpoolDir=$DIR/spool"
	echo "SlurmctldPidFile=$DIR/run/slurmctld.pid"
	echo "SlurmdPidFile=$DIR/run/slurmd.pid"
	echo "SlurmctldLogFile=$DIR/log/slurmctld.log"
	echo "SlurmdLogFile=$DIR/log/slurmd.log"
	echo "SlurmctldDebug=${SLURM_UP_DEBUG:-info}"
	echo "SlurmdDebug=${SLURM_UP_DEBUG:-info}"
	echo "PlugStackConfig=$PLUGSTACK"
	# No cgroups here: track job processes by parentage, bind nothing.
	echo "ProctrackType=proctrack/linuxproc"
	echo "TaskPlugin=task/none"
	echo "JobAcctGatherType=jobacct_gather/none"
	echo "AccountingStorageType=accounting_storage/none"
	echo "JobCompType=jobcomp/none"
	echo "MpiDefault=none"
	echo "SwitchType=switch/none"
	echo "SelectType=select/cons_tres"
	echo "SelectTypeParameters=CR_Core"
	echo "MaxJobCount=100000"
	echo "ReturnToService=2"
	echo "KillWait=5"
	echo "MailProg=/bin/true"
	for kv in "${EXTRA[@]}"; do echo "$kv"; done
	echo "NodeName=$NODE NodeHostname=$NODE NodeAddr=127.0.0.1 $hw State=UNKNOWN"
	echo "PartitionName=$PART Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
} > "$DIR/slurm.conf"
chmod 644 "$DIR/slurm.conf"

# --- 4. Daemons ---------------------------------------------------------------
# In the foreground (-D) under setsid, detached from our stdout (which eval reads).
export SLURM_CONF="$DIR/slurm.conf"
start() { # start NAME CMD...: start a daemon, record its pid in DIR/run/NAME.launch
	local name=$1
	shift
	setsid "$@" >"$DIR/log/$name.out" 2>&1 </dev/null &
	echo $! > "$DIR/run/$name.launch"
}
start slurmctld "$SLURMCTLD" -D -f "$DIR/slurm.conf"
deadline=$((SECONDS + ${SLURM_UP_TIMEOUT:-60}))
until "$BIN/scontrol" ping 2>/dev/null | grep -q 'is UP'; do
	kill -0 "$(cat "$DIR/run/slurmctld.launch")" 2>/dev/null ||
		die "slurmctld exited (see $DIR/log/slurmctld.out and slurmctld.log)"
	[ $SECONDS -ge $deadline ] && die "slurmctld not UP (see $DIR/log/slurmctld.log)"
	sleep 0.2
done
start slurmd "$SLURMD" -D -f "$DIR/slurm.conf" -N "$NODE"
until "$BIN/sinfo" -h -N -o '%N %t' 2>/dev/null | grep -q "^$NODE idle$"; do
	kill -0 "$(cat "$DIR/run/slurmd.launch")" 2>/dev/null ||
		die "slurmd exited (see $DIR/log/slurmd.out and slurmd.log)"
	[ $SECONDS -ge $deadline ] && die "node $NODE not idle (see $DIR/log/slurmd.log): $("$BIN/sinfo" -h -N -o '%N %t' 2>&1)"
	sleep 0.2
done

echo "export SLURM_CONF=\"$DIR/slurm.conf\""
