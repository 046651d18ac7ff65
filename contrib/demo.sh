#!/usr/bin/env bash
# demo.sh: install what is missing, build, start a slurm-sky instance on this
# machine (the embedded default: no cloud) in $SLURM_SKY_HOME or ~/.slurm-sky,
# submit conf/examples/hello.sbatch, show squeue, wait, print the job's output.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
contrib/install-deps.sh
[ -x configure ] || ./autogen.sh >/dev/null 2>&1
[ -f Makefile ] || ./configure -q
make -s -j2 >/dev/null

home=${SLURM_SKY_HOME:-$HOME/.slurm-sky}
if [ -e "$home/slurm.conf" ]; then
	contrib/sky-down "$home" >/dev/null 2>&1 || true
	rm -rf "$home"
fi
# Not eval "$(...)" directly: that would hide a failure of sky-up.
exports=$(contrib/sky-up "$home") || exit 1
eval "$exports"
echo "slurm-sky is up in $home; its commands are in $home/bin"

work=$(mktemp -d)
chmod 755 "$work"
cd "$work"
jobid=$(sbatch --parsable "$src/conf/examples/hello.sbatch")
echo "Submitted batch job $jobid"
squeue
for _ in $(seq 1 300); do
	[ -z "$(squeue -h -j "$jobid" -t all -o %t 2>/dev/null | grep -E 'PD|R|CG')" ] && break
	sleep 0.2
done
squeue -j "$jobid" -t all -o '%.8i %.10T %.10M %R' 2>/dev/null || true
echo "---- $work/slurm-$jobid.out"
cat "slurm-$jobid.out"
echo "----"
echo "To use it:  export PATH=$home/bin:\$PATH SLURM_SKY_CONF=$home/slurm.conf"
echo "To stop it: $src/contrib/sky-down $home"
