#!/usr/bin/env bats
# slurmctld-sky -n checks the power-saving keys, ProviderName records and
# the providers NodeName lines name (file:line in every message).
load helpers

setup_file() {
	CONF_DIR=$(mktemp -d /tmp/sky-e2e.XXXXXX)
	export CONF_DIR
	CTLD=$SKY_BUILDDIR/slurmctld-sky/slurmctld-sky
	[ -x "$CTLD" ] || CTLD=$(command -v slurmctld-sky)
	export CTLD
}
teardown_file() { rm -rf "$CONF_DIR"; }

# check LINES...: write a config with these lines after a base and run -n.
check() {
	{
		echo "ClusterName=t"
		echo "SlurmSkyHome=$CONF_DIR"
		printf '%s\n' "$@"
	} > "$CONF_DIR/slurm.conf"
	run "$CTLD" -n -f "$CONF_DIR/slurm.conf"
}

@test "a complete cloud configuration is OK" {
	check "ResumeProgram=$SKY_SRCDIR/tests/e2e/power-resume.sh" \
		"SuspendProgram=$SKY_SRCDIR/tests/e2e/power-suspend.sh" \
		"SuspendTime=600" "SuspendTimeout=30" "ResumeTimeout=300" "ResumeRate=10" "SuspendRate=0" \
		"SuspendExcNodes=c[1-2]:1,c9" "SuspendExcParts=local" "SuspendExcStates=down,drain" \
		"ProviderName=east Type=aws Regions=us-east-1,us-west-2 Spot=yes MaxNodes=8 InstanceTypes=p4d.*" \
		"ProviderName=mine Type=program ResumeProgram=$SKY_SRCDIR/tests/e2e/power-resume.sh" \
		"NodeName=c[1-9] State=CLOUD CPUs=2 SuspendTime=-1 ResumeTimeout=100" \
		"NodeName=p[1-2] State=CLOUD CPUs=2 Provider=mine" \
		"NodeName=l1 CPUs=1" \
		"PartitionName=cloud Nodes=c[1-9],p[1-2] SuspendTime=INFINITE PowerDownOnIdle=YES" \
		"PartitionName=local Nodes=l1 Default=YES"
	[ "$status" -eq 0 ]
	[ "$output" = "configuration OK" ]
}

@test "ProviderName errors name the file and line" {
	check "ProviderName=x Regions=us-east-1"
	[ "$status" -eq 1 ]
	[[ $output == *"slurm.conf:3: ProviderName=x: Type= is required (program, aws, kubernetes or local)" ]]
	check "ProviderName=x Type=gcp"
	[ "$status" -eq 1 ]
	[[ $output == *"slurm.conf:3: ProviderName=x: unknown Type 'gcp' (program, aws, kubernetes or local)" ]]
	check "ProviderName=x Type=aws Regions=us-east-1 Colour=blue"
	[ "$status" -eq 1 ]
	[[ $output == *"slurm.conf:3: ProviderName=x: unknown key 'Colour' for Type=aws" ]]
	check "ProviderName=x Type=aws Spot=maybe"
	[ "$status" -eq 1 ]
	[[ $output == *"slurm.conf:3: invalid value 'maybe' for Spot" ]]
	check "ProviderName=x Type=local" "ProviderName=x Type=local"
	[ "$status" -eq 1 ]
	[[ $output == *"slurm.conf:4: provider 'x' is already defined at "*"slurm.conf:3" ]]
}

@test "a node's Provider must exist and be usable" {
	check "NodeName=c1 State=CLOUD Provider=nope"
	[ "$status" -eq 1 ]
	[[ $output == *"slurm.conf:3: NodeName=c1: unknown provider 'nope'" ]]
	check "NodeName=c1 State=CLOUD Provider=program"
	[ "$status" -eq 1 ]
	[[ $output == *"slurm.conf:3: NodeName=c1: provider 'program' runs ResumeProgram, which is not set" ]]
	check "ResumeProgram=/nonexistent/resume" "NodeName=c1 State=CLOUD CPUs=1"
	[ "$status" -eq 1 ]
	[[ $output == *"NodeName=c1: provider 'program': ResumeProgram /nonexistent/resume: No such file or directory" ]]
	# Without ResumeProgram a CLOUD node is the admin's to start (provider local).
	check "NodeName=c1 State=CLOUD CPUs=1"
	[ "$status" -eq 0 ]
}

@test "bad power-saving values are refused" {
	check "SuspendTime=soon"
	[ "$status" -eq 1 ]
	[[ $output == *"slurm.conf:3: invalid value 'soon' for SuspendTime" ]]
	check "ResumeProgram=relative/resume.sh"
	[ "$status" -eq 1 ]
	[[ $output == *"slurm.conf:3: invalid value 'relative/resume.sh' for ResumeProgram" ]]
	check "NodeName=c1 CPUs=1 ResumeTimeout=-5"
	[ "$status" -eq 1 ]
	[[ $output == *"slurm.conf:3: invalid value '-5' for ResumeTimeout" ]]
	check "NodeName=c1 CPUs=1" "PartitionName=p Nodes=c1 PowerDownOnIdle=perhaps"
	[ "$status" -eq 1 ]
	[[ $output == *"slurm.conf:4: invalid value 'perhaps' for PowerDownOnIdle" ]]
	check "SuspendExcNodes=c[1-" "NodeName=c1 CPUs=1"
	[ "$status" -eq 1 ]
	[[ $output == *"invalid value 'c[1-' for SuspendExcNodes" ]]
	check "SuspendExcParts=nope" "NodeName=c1 CPUs=1"
	[ "$status" -eq 1 ]
	[[ $output == *"SuspendExcParts: unknown partition 'nope'" ]]
}
