#!/usr/bin/env bats
# slurmctld-sky -n checks a Type=aws provider the nodes use: its keys, its
# catalog, its user-data template and that credentials can be found, and
# says which NodeName line and which key is at fault.
load helpers

setup_file() {
	CONF_DIR=$(mktemp -d /tmp/sky-e2e.XXXXXX)
	export CONF_DIR
	CTLD=$SKY_BUILDDIR/slurmctld-sky/slurmctld-sky
	export CTLD
	export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
	unset AWS_PROFILE AWS_SHARED_CREDENTIALS_FILE AWS_ENDPOINT_URL
}
teardown_file() { rm -rf "$CONF_DIR"; }

# check PROVIDER_KEYS [EXTRA_LINES...]: a cloud node set of provider "east".
check() {
	local keys=$1
	shift
	{
		echo "ClusterName=t"
		echo "SlurmSkyHome=$CONF_DIR"
		echo "ProviderName=east Type=aws $keys"
		echo "NodeName=aws[1-4] State=CLOUD Provider=east"
		echo "PartitionName=cloud Nodes=aws[1-4] Default=YES"
		printf '%s\n' "$@"
	} > "$CONF_DIR/slurm.conf"
	run "$CTLD" -n -f "$CONF_DIR/slurm.conf"
}

@test "a complete aws provider is OK (shipped catalog by default)" {
	check "Regions=us-east-1,us-west-2 Zones=us-east-1c,us-west-2b Spot=yes MaxNodes=4 InstanceTypes=p4d.*,g5.* Image=ami-0abc SecurityGroups=sg-1,sg-2 Subnet=subnet-1 InstanceProfile=nodes Endpoint=http://127.0.0.1:1"
	[ "$status" -eq 0 ]
	[ "$output" = "configuration OK" ]
}

@test "Regions= and Image= are required" {
	check "Image=ami-0abc"
	[ "$status" -eq 1 ]
	[[ $output == *"slurm.conf:4: NodeName=aws[1-4]: provider 'east': Regions= is required"* ]]
	check "Regions=us-east-1"
	[ "$status" -eq 1 ]
	[[ $output == *"provider 'east': Image= is required (the AMI id of the node image, ami-...)"* ]]
	check "Regions=us-east-1 Image=debian-12"
	[ "$status" -eq 1 ]
	[[ $output == *"invalid Image 'debian-12' (an AMI id, ami-...)"* ]]
}

@test "bad Spot=, MaxNodes=, Zones= are named" {
	check "Regions=us-east-1 Image=ami-1 Spot=sometimes"
	[ "$status" -eq 1 ]
	[[ $output == *"slurm.conf:3: invalid value 'sometimes' for Spot"* ]]
	check "Regions=us-east-1 Image=ami-1 MaxNodes=0"
	[ "$status" -eq 1 ]
	[[ $output == *"invalid MaxNodes '0' (a positive number)"* ]]
	check "Regions=us-east-1 Image=ami-1 Zones=eu-west-1a"
	[ "$status" -eq 1 ]
	[[ $output == *"zone 'eu-west-1a' of Zones= is in none of Regions="* ]]
}

@test "the catalog must exist and offer something in the regions" {
	check "Regions=us-east-1 Image=ami-1 Catalog=$CONF_DIR/none.csv"
	[ "$status" -eq 1 ]
	[[ $output == *"Catalog=$CONF_DIR/none.csv: No such file or directory"* ]]
	check "Regions=mars-north-1 Image=ami-1"
	[ "$status" -eq 1 ]
	[[ $output == *"has no aws offering in Regions=mars-north-1"* ]]
	printf 'InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,Region\nx1.big,,,4,16,oops,us-east-1\n' > "$CONF_DIR/bad.csv"
	check "Regions=us-east-1 Image=ami-1 Catalog=$CONF_DIR/bad.csv"
	[ "$status" -eq 1 ]
	[[ $output == *"bad.csv:2"* ]]
}

@test "UserData= must be readable; credentials must be found" {
	check "Regions=us-east-1 Image=ami-1 UserData=$CONF_DIR/nope.sh"
	[ "$status" -eq 1 ]
	[[ $output == *"UserData=$CONF_DIR/nope.sh: No such file or directory"* ]]
	echo '#!/bin/sh' > "$CONF_DIR/ud.sh"
	check "Regions=us-east-1 Image=ami-1 UserData=$CONF_DIR/ud.sh"
	[ "$status" -eq 0 ]
	HOME=$CONF_DIR AWS_ACCESS_KEY_ID= AWS_SECRET_ACCESS_KEY= check "Regions=us-east-1 Image=ami-1"
	[ "$status" -eq 1 ]
	[[ $output == *"provider 'east': "*"credentials"* ]]
}
