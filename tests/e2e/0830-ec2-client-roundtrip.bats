#!/usr/bin/env bats
# The EC2 client (slurmctld-sky/aws_ec2.c) against moto_server through the
# fault proxy with no fault armed: launch with tags, spot market, user-data;
# describe (tags, pagination); terminate; spot prices; user-data read back.

load helpers
load ../aws/aws

setup_file() { aws_start; }
teardown_file() { aws_stop; }
setup() { aws_reset; }

AMI=ami-12345678

@test "run, describe and terminate: tags, zone, spot market kept" {
	run ec2_probe run --type p4d.24xlarge --image $AMI --count 2 --zone us-east-1c --spot \
		--tag Name=aws-gpu-0 --tag sky-cluster=t0830
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(grep -c '^instance i-' <<<"$output")" -eq 2 ]
	grep -q 'type=p4d.24xlarge state=pending(0) zone=us-east-1c lifecycle=spot .*tags=Name=aws-gpu-0,sky-cluster=t0830$' <<<"$output"
	[ "${lines[-1]}" = "attempts=1" ]
	# The form EC2 got: MinCount = MaxCount, one-time spot that terminates.
	curl -sf "$AWS_PROXY_URL/_log" | python3 -c '
import json, sys
p = json.load(sys.stdin)[0]["params"]
assert p["Action"] == "RunInstances" and p["Version"] == "2016-11-15", p
assert p["MinCount"] == p["MaxCount"] == "2", p
assert p["InstanceMarketOptions.MarketType"] == "spot", p
assert p["InstanceMarketOptions.SpotOptions.SpotInstanceType"] == "one-time", p
assert p["InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior"] == "terminate", p
assert p["TagSpecification.1.ResourceType"] == "instance", p
assert p["TagSpecification.1.Tag.2.Key"] == "sky-cluster", p
assert len(p["ClientToken"]) == 32, p'

	run ec2_probe run --type m5.large --image $AMI --zone us-east-1a --tag sky-cluster=other
	[ "$status" -eq 0 ]
	grep -q 'lifecycle=on-demand' <<<"$output"

	run ec2_probe describe --tag sky-cluster=t0830
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(grep -c 'state=running(16) zone=us-east-1c lifecycle=spot' <<<"$output")" -eq 2 ]
	grep -q '^count=2 pages=1$' <<<"$output"
	ids=$(awk '/^instance/ {print $2}' <<<"$output")

	run ec2_probe terminate $ids
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(grep -c ' running -> shutting-down(32)$' <<<"$output")" -eq 2 ]

	run ec2_probe describe --tag sky-cluster=t0830 --state running
	[ "$status" -eq 0 ]
	grep -q '^count=0 pages=1$' <<<"$output"
	run ec2_probe describe --tag sky-cluster=other --state running
	grep -q '^count=1 ' <<<"$output"
}

@test "user-data comes back byte for byte" {
	printf '#!/bin/bash\nexec slurmd-sky -N aws-gpu-7 \\\n  --conf-server 10.0.0.1:6817\n\0\377\376 tail=%s\n' "é" \
		>"$BATS_TEST_TMPDIR/ud"
	run ec2_probe run --type g5.xlarge --image $AMI --user-data-file "$BATS_TEST_TMPDIR/ud"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	id=$(awk '/^instance/ {print $2}' <<<"$output")
	ec2_probe user-data "$id" >"$BATS_TEST_TMPDIR/back"
	cmp "$BATS_TEST_TMPDIR/ud" "$BATS_TEST_TMPDIR/back"

	# No user-data: empty, not an error.
	run ec2_probe run --type g5.xlarge --image $AMI
	id=$(awk '/^instance/ {print $2}' <<<"$output")
	run ec2_probe user-data "$id"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "describe follows NextToken across pages" {
	for i in 1 2 3 4 5 6 7; do
		ec2_probe run --type t3.micro --image $AMI --tag sky-cluster=paged >/dev/null
	done
	run ec2_probe describe --tag sky-cluster=paged --page-size 5
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	grep -q '^count=7 pages=2$' <<<"$output"
	[ "${lines[-1]}" = "attempts=2" ]
	[ "$(awk '/^instance/ {print $2}' <<<"$output" | sort -u | wc -l)" -eq 7 ]
	# The second request carried the first page's token.
	[ "$(aws_log | awk '$1 == "DescribeInstances"' | wc -l)" -eq 2 ]
	curl -sf "$AWS_PROXY_URL/_log" | python3 -c '
import json, sys
d = [e for e in json.load(sys.stdin) if e["action"] == "DescribeInstances"]
assert "NextToken" not in d[0]["params"] and d[1]["params"]["NextToken"].startswith("r-"), d'
}

@test "describe by instance id; an unknown id is a clear parameter error" {
	run ec2_probe run --type t3.micro --image $AMI --count 2
	a=$(awk '/^instance/ {print $2; exit}' <<<"$output")
	run ec2_probe describe --id "$a"
	[ "$status" -eq 0 ]
	grep -q "^instance $a type=t3.micro" <<<"$output"
	grep -q '^count=1 ' <<<"$output"
	run ec2_probe terminate i-0123456789abcdef0
	[ "$status" -eq 1 ]
	grep -q "^ec2-probe: error: (Code:InvalidInstanceID.NotFound) The instance ID 'i-0123456789abcdef0' does not exist$" <<<"$output"
	grep -q '^attempts=1 class=param status=400 code=InvalidInstanceID.NotFound retryable=no$' <<<"$output"
}

@test "spot prices: latest per type and zone, filtered, sorted" {
	run ec2_probe spot-prices --type p4d.24xlarge --type g5.xlarge --zone us-east-1b
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "${lines[0]}" = "g5.xlarge us-east-1b 0.00001 0.000010 Linux/UNIX (Amazon VPC)" ]
	[ "${lines[1]}" = "p4d.24xlarge us-east-1b 0.00001 0.000010 Linux/UNIX (Amazon VPC)" ]
	[ "${lines[2]}" = "attempts=1" ]
	[ "${#lines[@]}" -eq 3 ]
	run ec2_probe spot-prices --type p4d.24xlarge
	[ "$(grep -c '^p4d.24xlarge us-east-1' <<<"$output")" -ge 3 ]
}

@test "requests are signed for the region's ec2 scope with the chain's key" {
	run ec2_probe --region us-west-2 describe
	[ "$status" -eq 0 ]
	cred=$(aws_log_field credential | tail -n1)
	[[ $cred =~ ^testing/[0-9]{8}/us-west-2/ec2/aws4_request$ ]] || { echo "$cred"; false; }
	[ "$(aws_log_field security_token | tail -n1)" = False ]
	AWS_SESSION_TOKEN=tok-0830 run ec2_probe describe
	[ "$status" -eq 0 ]
	[ "$(aws_log_field security_token | tail -n1)" = True ]
}

@test "clients in parallel threads, one per thread, all answered" {
	ec2_probe run --type t3.micro --image ami-12345678 --count 3 >/dev/null
	run ec2_probe parallel 8
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(grep -c '^thread [0-7] count=3$' <<<"$output")" -eq 8 ]
	[ "$(aws_log | grep -c '^DescribeInstances - 200 ')" -eq 8 ]
}
