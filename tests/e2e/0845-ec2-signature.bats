#!/usr/bin/env bats
# SigV4 as a server checks it: moto with INITIAL_NO_AUTH_ACTION_COUNT set
# authenticates every request after the first N, recomputing the signature
# with botocore for an IAM access key it issued. The first three (unsigned)
# requests create that user, its policy and its key.

load helpers
load ../aws/aws

# Unsigned IAM call straight to moto (one of the free ones).
iam() {
	curl -sf -X POST -H "Authorization: AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x" \
		"$AWS_MOTO_URL/" --data "Version=2010-05-08" "$@"
}

setup_file() {
	AWS_MOTO_ENV="INITIAL_NO_AUTH_ACTION_COUNT=3" aws_start
	iam --data "Action=CreateUser&UserName=sky" >/dev/null
	iam --data "Action=PutUserPolicy&UserName=sky&PolicyName=all" \
		--data-urlencode 'PolicyDocument={"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}' >/dev/null
	iam --data "Action=CreateAccessKey&UserName=sky" >"$AWS_RUN_DIR/key.xml"
	AWS_ACCESS_KEY_ID=$(sed -n 's/.*<AccessKeyId>\([^<]*\)<.*/\1/p' "$AWS_RUN_DIR/key.xml")
	AWS_SECRET_ACCESS_KEY=$(sed -n 's/.*<SecretAccessKey>\([^<]*\)<.*/\1/p' "$AWS_RUN_DIR/key.xml")
	[ -n "$AWS_ACCESS_KEY_ID" ] && [ -n "$AWS_SECRET_ACCESS_KEY" ]
	export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
}
teardown_file() { aws_stop; }

@test "every operation passes moto's signature check, odd characters included" {
	printf 'user data with spaces + plus / slash = equals\n\0\377' >"$BATS_TEST_TMPDIR/ud"
	run ec2_probe run --type g5.xlarge --image ami-12345678 --zone us-east-1b --spot \
		--tag 'Name=aws gpu 0' --tag 'odd=a+b/c=d&e?f %20 é~*' --user-data-file "$BATS_TEST_TMPDIR/ud"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	grep -q 'tags=Name=aws gpu 0,odd=a+b/c=d&e?f %20 é~\*$' <<<"$output"
	id=$(awk '/^instance/ {print $2}' <<<"$output")
	run ec2_probe describe --tag 'odd=a+b/c=d&e?f %20 é~*'
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	grep -q '^count=1 ' <<<"$output"
	ec2_probe user-data "$id" | cmp - "$BATS_TEST_TMPDIR/ud"
	run ec2_probe spot-prices --type g5.xlarge --zone us-east-1b
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run ec2_probe terminate "$id"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run ec2_probe --region eu-west-1 describe
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "a wrong secret is an AuthFailure, reported and not retried" {
	AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY}x run ec2_probe describe
	[ "$status" -eq 1 ]
	grep -qx 'ec2-probe: error: (Code:AuthFailure) AWS was not able to validate the provided access credentials' <<<"$output"
	grep -qx 'attempts=1 class=auth status=401 code=AuthFailure retryable=no' <<<"$output"
	AWS_ACCESS_KEY_ID=AKIAUNKNOWN0000000000 run ec2_probe describe
	[ "$status" -eq 1 ]
	grep -q '(Code:AuthFailure)' <<<"$output"
}
