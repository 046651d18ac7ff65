#!/usr/bin/env bats
# The EC2 client's error handling against faults the proxy injects in front
# of moto: capacity errors are mapped and not retried, throttling and 5xx
# are retried with backoff, a lost RunInstances reply is retried with the
# same ClientToken and starts exactly one instance.

load helpers
load ../aws/aws

setup_file() { aws_start; }
teardown_file() { aws_stop; }
setup() { aws_reset; }

AMI=ami-12345678
ICE_MSG='We currently do not have sufficient p4d.24xlarge capacity in the Availability Zone you requested (us-east-1a). Our system will be working on provisioning additional capacity. You can currently get p4d.24xlarge capacity by not specifying an Availability Zone in your request or choosing us-east-1b, us-east-1c.'

@test "InsufficientInstanceCapacity in one zone: mapped, not retried; another zone launches" {
	aws_fault '{"action": "RunInstances", "count": -1,
		"match": {"Placement.AvailabilityZone": "us-east-1a", "InstanceMarketOptions.MarketType": "spot"},
		"code": "InsufficientInstanceCapacity", "message": "'"$ICE_MSG"'"}'
	run ec2_probe run --type p4d.24xlarge --image $AMI --zone us-east-1a --spot
	[ "$status" -eq 1 ] || { echo "$output"; false; }
	grep -qxF "ec2-probe: error: (Code:InsufficientInstanceCapacity) $ICE_MSG" <<<"$output"
	grep -qx 'attempts=1 class=capacity status=500 code=InsufficientInstanceCapacity retryable=no' <<<"$output" || { echo "$output"; false; }
	[ "$(aws_log | grep -c '^RunInstances error 500 ')" -eq 1 ]

	run ec2_probe run --type p4d.24xlarge --image $AMI --zone us-east-1b --spot --tag t=ice
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	grep -q 'zone=us-east-1b lifecycle=spot' <<<"$output"
	# The rule matched spot only: on-demand in the same zone still launches.
	run ec2_probe run --type p4d.24xlarge --image $AMI --zone us-east-1a --tag t=ice
	[ "$status" -eq 0 ]
	grep -q 'zone=us-east-1a lifecycle=on-demand' <<<"$output"
	[ "$(aws_log | awk '$1 == "RunInstances"' | wc -l)" -eq 3 ]
	run ec2_probe describe --tag t=ice
	grep -q '^count=2 ' <<<"$output"
}

@test "quota and auth errors are not retried either" {
	aws_fault '{"action": "RunInstances", "code": "VcpuLimitExceeded", "message": "You have requested more vCPU capacity than your current vCPU limit of 32 allows."}'
	run ec2_probe run --type p4d.24xlarge --image $AMI
	[ "$status" -eq 1 ] || { echo "$output"; false; }
	grep -qx 'ec2-probe: error: (Code:VcpuLimitExceeded) You have requested more vCPU capacity than your current vCPU limit of 32 allows.' <<<"$output"
	grep -qx 'attempts=1 class=quota status=400 code=VcpuLimitExceeded retryable=no' <<<"$output"
	aws_fault '{"action": "DescribeInstances", "status": 401, "code": "AuthFailure", "message": "AWS was not able to validate the provided access credentials"}'
	run ec2_probe describe
	[ "$status" -eq 1 ] || { echo "$output"; false; }
	grep -qx 'attempts=1 class=auth status=401 code=AuthFailure retryable=no' <<<"$output"
	[ "$(aws_log | wc -l)" -eq 2 ]
}

@test "throttled twice, then served: three attempts, one launch, one ClientToken" {
	aws_fault '{"action": "RunInstances", "kind": "throttle", "count": 2}'
	run ec2_probe run --type g5.xlarge --image $AMI --tag t=throttle
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "${lines[-1]}" = "attempts=3" ]
	aws_log | awk '$1 == "RunInstances" {print $2, $3, $5}' >"$BATS_TEST_TMPDIR/log"
	token=$(grep '^token=' <<<"$output" | cut -d= -f2)
	printf 'throttle 400 %s\nthrottle 400 %s\n- 200 %s\n' "$token" "$token" "$token" |
		diff - "$BATS_TEST_TMPDIR/log"
	run ec2_probe describe --tag t=throttle
	grep -q '^count=1 ' <<<"$output"

	aws_fault '{"action": "DescribeInstances", "kind": "throttle", "code": "Throttling", "status": 503, "count": 2}'
	run ec2_probe describe --tag t=throttle
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "attempts=3" ]
}

@test "a 500 and a non-XML 502 are retried" {
	aws_fault '{"action": "DescribeInstances", "kind": "server"}'
	run ec2_probe describe
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "${lines[-1]}" = "attempts=2" ]
	aws_fault '[{"action": "TerminateInstances", "kind": "server", "status": 503, "code": "Unavailable"},
		{"action": "TerminateInstances", "kind": "server", "status": 502, "html": true}]'
	run ec2_probe run --type t3.micro --image $AMI
	id=$(awk '/^instance/ {print $2}' <<<"$output")
	run ec2_probe terminate "$id"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	grep -q "^$id running -> shutting-down(32)$" <<<"$output"
	[ "${lines[-1]}" = "attempts=3" ]
}

@test "retries run out: the last error is reported with the attempt count" {
	aws_fault '{"action": "DescribeInstances", "kind": "throttle", "count": -1}'
	run ec2_probe --max-attempts 4 describe
	[ "$status" -eq 1 ] || { echo "$output"; false; }
	grep -qx 'ec2-probe: error: (Code:RequestLimitExceeded) Request limit exceeded.' <<<"$output"
	grep -qx 'attempts=4 class=throttle status=400 code=RequestLimitExceeded retryable=yes' <<<"$output"
	[ "$(aws_log | grep -c '^DescribeInstances throttle')" -eq 4 ]
}

@test "a lost RunInstances reply: retried with the same ClientToken, exactly one instance" {
	# The proxy launches in moto, then holds the reply past the client's timeout.
	aws_fault '{"action": "RunInstances", "kind": "delay", "delay": 4, "forward": true}'
	run ec2_probe --timeout-ms 1500 run --type p5.48xlarge --image $AMI --count 2 --tag t=lost
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "${lines[-1]}" = "attempts=2" ]
	[ "$(grep -c '^instance i-' <<<"$output")" -eq 2 ]
	token=$(grep '^token=' <<<"$output" | cut -d= -f2)
	aws_log | awk '$1 == "RunInstances" {print $2, $3, $4, $5}' >"$BATS_TEST_TMPDIR/log"
	printf 'delay 200 - %s\n- 200 replayed %s\n' "$token" "$token" | diff - "$BATS_TEST_TMPDIR/log"
	run ec2_probe describe --tag t=lost
	grep -q '^count=2 ' <<<"$output"
	# The same ids came back from the replayed launch.
	[ "$(awk '/^instance/ {print $2}' <<<"$output" | sort -u | wc -l)" -eq 2 ]
}

@test "timeouts and refused connections are network errors, retried" {
	aws_fault '{"action": "DescribeInstances", "kind": "delay", "delay": 3, "forward": false, "count": -1}'
	run ec2_probe --timeout-ms 500 --max-attempts 2 describe
	[ "$status" -eq 1 ] || { echo "$output"; false; }
	grep -q "^ec2-probe: error: request to $AWS_PROXY_URL timed out" <<<"$output"
	grep -qx 'attempts=2 class=network status=0 code=- retryable=yes' <<<"$output"
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	AWS_ENDPOINT_URL=http://127.0.0.1:$port run ec2_probe --max-attempts 3 describe
	[ "$status" -eq 1 ] || { echo "$output"; false; }
	grep -q "^ec2-probe: error: request to http://127.0.0.1:$port failed: " <<<"$output"
	grep -qx 'attempts=3 class=network status=0 code=- retryable=yes' <<<"$output"
}

@test "moto itself ignores ClientToken: why the proxy answers repeats from its cache" {
	AWS_ENDPOINT_URL=$AWS_MOTO_URL run ec2_probe run --type t3.micro --image $AMI --client-token same-0835 --tag t=direct
	[ "$status" -eq 0 ]
	AWS_ENDPOINT_URL=$AWS_MOTO_URL run ec2_probe run --type t3.micro --image $AMI --client-token same-0835 --tag t=direct
	[ "$status" -eq 0 ]
	run ec2_probe describe --tag t=direct
	grep -q '^count=2 ' <<<"$output"
	# Through the proxy, a repeated token is one launch, as on EC2.
	ec2_probe run --type t3.micro --image $AMI --client-token via-0835 --tag t=proxied >/dev/null
	ec2_probe run --type t3.micro --image $AMI --client-token via-0835 --tag t=proxied >/dev/null
	run ec2_probe describe --tag t=proxied
	grep -q '^count=1 ' <<<"$output"
	[ "$(aws_log | grep -c '^RunInstances - 200 replayed via-0835')" -eq 1 ]
}
