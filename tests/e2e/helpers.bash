# Shared helpers for the bats end-to-end tests. Each test file starts its own
# instance with contrib/sky-up in a temporary directory (real munged, real
# controller, real agents) and stops it with contrib/sky-down.

# No test may hang the suite (an srun waiting forever for nodes a failed test
# left busy): one that runs longer than this fails instead (bats >= 1.7).
BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-240}

SKY_SRCDIR=${SKY_SRCDIR:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
SKY_BUILDDIR=${SKY_BUILDDIR:-$SKY_SRCDIR}
export SKY_SRCDIR SKY_BUILDDIR

# sky_start [sky-up options...]: start an instance; sets SKY_DIR, PATH, SLURM_SKY_CONF.
sky_start() {
	SKY_DIR=$(mktemp -d /tmp/sky-e2e.XXXXXX)
	chmod 755 "$SKY_DIR"
	export SKY_DIR
	local out
	out=$("$SKY_SRCDIR/contrib/sky-up" "$SKY_DIR/inst" "$@") || {
		echo "sky-up failed" >&2
		tail -n 30 "$SKY_DIR"/inst/log/*.log >&2 2>/dev/null
		return 1
	}
	eval "$out"
	SKY_INST=$SKY_DIR/inst
	export SKY_INST
	# A work directory every user may write to, for job output.
	SKY_WORK=$SKY_DIR/work
	mkdir -p "$SKY_WORK"
	chmod 1777 "$SKY_WORK"
	export SKY_WORK
}

# sky_cancel_all: cancel every job still queued or running, so that a failed
# test leaves no nodes busy for the next one to wait on.
sky_cancel_all() {
	local ids
	ids=$(squeue -h -o %i 2>/dev/null) || return 0
	[ -z "$ids" ] || scancel $ids 2>/dev/null || true
}

sky_stop() {
	[ -n "${SKY_DIR:-}" ] || return 0
	"$SKY_SRCDIR/contrib/sky-down" "$SKY_DIR/inst" >/dev/null 2>&1
	rm -rf "$SKY_DIR"
}

# Show the daemons' logs when a test fails (bats prints output of failed tests).
sky_logs() {
	tail -n 40 "$SKY_INST"/log/*.log 2>/dev/null
}

# job_field ID FIELD: one squeue field (-o code) of job ID, all states.
job_field() {
	squeue -h -t all -j "$1" -o "$2" 2>/dev/null | head -n1 | sed 's/^ *//; s/ *$//'
}

# wait_state ID REGEX [SECONDS]: wait until the long state of job ID matches.
wait_state() {
	local id=$1 re=$2 limit=${3:-30} st="" i
	for ((i = 0; i < limit * 10; i++)); do
		st=$(job_field "$id" %T)
		[[ $st =~ ^($re)$ ]] && return 0
		sleep 0.1
	done
	echo "job $id is '$st', not '$re' after ${limit}s" >&2
	return 1
}

# wait_reason ID REASON [SECONDS]: wait (10 s by default) until squeue shows
# REASON (%r) for job ID.
wait_reason() {
	local i r=""
	for ((i = 0; i < ${3:-10} * 10; i++)); do
		r=$(job_field "$1" %r)
		[ "$r" = "$2" ] && return 0
		sleep 0.1
	done
	echo "job $1 waits for '$r', not '$2'" >&2
	return 1
}

# wait_file PATH [SECONDS]
wait_file() {
	local i
	for ((i = 0; i < ${2:-30} * 10; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	echo "no file $1 after ${2:-30}s" >&2
	return 1
}

# scontrol_field ID KEY: the value of KEY in `scontrol -o show job ID`.
scontrol_field() {
	scontrol -o show job "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n1
}

ctld_pid() { head -n1 "$SKY_INST/run/slurmctld.pid"; }

ctld_restart() {
	local pid
	pid=$(ctld_pid)
	"$SKY_INST/bin/slurmctld-sky" -f "$SKY_INST/slurm.conf"
	# wait until it answers
	local i
	for ((i = 0; i < 100; i++)); do
		scontrol ping >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "controller did not come back" >&2
	return 1
}

# A second, unprivileged user for permission tests (root only).
SKY_TEST_USER=skytest
ensure_test_user() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to create and switch to a test user"
	id -u "$SKY_TEST_USER" >/dev/null 2>&1 || useradd -M -s /bin/sh "$SKY_TEST_USER"
}

# as_test_user CMD...: run a command as the test user with this instance's env.
as_test_user() {
	runuser -u "$SKY_TEST_USER" -- env PATH="$PATH" SLURM_SKY_CONF="$SLURM_SKY_CONF" "$@"
}
