#!/bin/sh
# Install the Debian packages slurm-sky builds, runs and tests with.
# Idempotent: installs only what is missing, and runs apt-get update only then.
set -eu

PKGS="gcc make autoconf automake libtool pkg-config
libmunge-dev munge liblmdb-dev lmdb-utils libprotobuf-c-dev protobuf-c-compiler libmd-dev
libevent-dev libhwloc-dev hwloc libjson-c-dev libyaml-dev libcurl4-openssl-dev libssl-dev
libxml2-dev
check bats procps util-linux passwd python3 iproute2 openssl
slurmctld slurmd slurm-client libslurm-dev"
# slurmctld/slurmd/slurm-client: the real Slurm that tests/e2e/0500-side-by-side.bats and
# bench/ start privately (bench/slurm-up.sh). Checked here: installing them starts no
# daemon (policy-rc.d forbids it, no systemd); where a postinst does start them, they
# stop at once for want of /etc/slurm/slurm.conf.
# iproute2: ip, for contrib/sky-up --netns (tests/e2e/0740-netns.bats).
# openssl: the Kubernetes API emulator (tests/k8s/) makes its CA and certificates with it.
# The e2e tests 0950-0954 also drive the emulator with the real kubectl, which is not a Debian
# package: it comes with the machine image (/usr/bin/kubectl).
# libxml2-dev: the EC2 client parses EC2's XML replies with it (slurmctld-sky/aws_xml.c).
# libslurm-dev: <slurm/spank.h>, which spank/sky_dist.so is built against when present
# (without it, spank/include/slurm/spank.h is used; see spank/README.md).

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root (or sudo) to install:$missing" >&2; exit 1; }
	SUDO=sudo
fi
echo "install-deps: installing:$missing" >&2
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
