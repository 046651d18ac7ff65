#!/usr/bin/env bats
# make install DESTDIR=... honours --program-suffix for the commands (so they
# live beside a real Slurm) and leaves the daemons' names alone; an installed
# tree runs an instance.
load helpers

setup_file() {
	INST=$(mktemp -d /tmp/sky-install.XXXXXX)
	chmod 755 "$INST"
	export INST
	# transform is what --program-suffix=-sky sets; the build tree keeps its own.
	make -s -C "$SKY_BUILDDIR" install DESTDIR="$INST/root" prefix=/opt/sky \
		transform='s&$$&-sky&' >/dev/null
}
teardown_file() { rm -rf "$INST"; }
# The instance of the second test lives in that test's variables only.
teardown() { sky_stop; }

@test "commands get the suffix, daemons keep their names" {
	for p in sbatch squeue scancel sinfo scontrol; do
		[ -x "$INST/root/opt/sky/bin/$p-sky" ]
		[ ! -e "$INST/root/opt/sky/bin/$p" ]
	done
	[ -x "$INST/root/opt/sky/sbin/slurmctld-sky" ]
	[ -x "$INST/root/opt/sky/sbin/slurmd-sky" ]
	[ ! -e "$INST/root/opt/sky/sbin/slurmctld-sky-sky" ]
}

@test "the installed programs run a job" {
	SKY_BUILDDIR=/nonexistent SKY_BINDIR=$INST/root/opt/sky/bin SKY_SBINDIR=$INST/root/opt/sky/sbin \
		SKY_PROGRAM_SUFFIX=-sky sky_start --nodes 1
	[ "$(readlink "$SKY_INST/bin/sbatch")" = "$INST/root/opt/sky/bin/sbatch-sky" ]
	cd "$SKY_WORK"
	id=$(sbatch --parsable --wrap 'echo installed')
	wait_state "$id" COMPLETED
	wait_file "slurm-$id.out"
	[ "$(cat "slurm-$id.out")" = installed ]
}

@test "make uninstall removes everything it installed" {
	make -s -C "$SKY_BUILDDIR" uninstall DESTDIR="$INST/root" prefix=/opt/sky transform='s&$$&-sky&' >/dev/null
	[ -z "$(find "$INST/root" -type f)" ]
}
