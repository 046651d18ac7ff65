#!/usr/bin/env bats
# The EC2 client's credential chain end to end: a profile of the shared
# credentials file signs the requests; broken or missing credentials stop
# the client with a clear error before any request is made.

load helpers
load ../aws/aws

setup_file() { aws_start; }
teardown_file() { aws_stop; }
setup() {
	aws_reset
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION
	export HOME=$BATS_TEST_TMPDIR/home
	mkdir -p "$HOME/.aws"
}

@test "a profile of ~/.aws/credentials and its region in ~/.aws/config" {
	printf '[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1\n\n[ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = s2\naws_session_token = tok\n' \
		>"$HOME/.aws/credentials"
	printf '[default]\nregion = eu-west-1\n[profile ci]\nregion = us-west-2\n' >"$HOME/.aws/config"
	run ec2_probe describe
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	AWS_PROFILE=ci run ec2_probe describe
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	aws_log_field credential | sed 's|/[0-9]\{8\}/|/DATE/|' >"$BATS_TEST_TMPDIR/creds"
	printf 'AKIDDEFAULT/DATE/eu-west-1/ec2/aws4_request\nAKIDCI/DATE/us-west-2/ec2/aws4_request\n' |
		diff - "$BATS_TEST_TMPDIR/creds"
	[ "$(aws_log_field security_token | tr '\n' ' ')" = "False True " ]
	# The environment beats the file.
	AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=x run ec2_probe describe
	[ "$(aws_log_field credential | tail -n1 | cut -d/ -f1)" = AKIDENV ]
}

@test "a broken credentials file: file:line in the error, no request sent" {
	printf '[default]\naws_access_key_id AKIDBROKEN\naws_secret_access_key = s\n' >"$HOME/.aws/credentials"
	run ec2_probe --region us-east-1 describe
	[ "$status" -eq 1 ]
	[ "$output" = "ec2-probe: error: $HOME/.aws/credentials:2: expected 'key = value' or '[section]'" ]
	printf '[default]\naws_access_key_id = AKIDHALF\n' >"$HOME/.aws/credentials"
	run ec2_probe --region us-east-1 describe
	[ "$status" -eq 1 ]
	[ "$output" = "ec2-probe: error: $HOME/.aws/credentials:2: profile 'default' has aws_access_key_id but no aws_secret_access_key" ]
	AWS_SHARED_CREDENTIALS_FILE=$BATS_TEST_TMPDIR/nope run ec2_probe --region us-east-1 describe
	[ "$status" -eq 1 ]
	[ "$output" = "ec2-probe: error: AWS_SHARED_CREDENTIALS_FILE=$BATS_TEST_TMPDIR/nope: no such file" ]
	[ -z "$(aws_log)" ]
}

@test "no credentials, no region: the error says what to set" {
	run ec2_probe --region us-east-1 describe
	[ "$status" -eq 1 ]
	[ "$output" = "ec2-probe: error: no AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or create ~/.aws/credentials" ]
	AWS_PROFILE=prod run ec2_probe --region us-east-1 describe
	[ "$output" = "ec2-probe: error: no AWS credentials for profile 'prod' in $HOME/.aws/credentials" ]
	AWS_ACCESS_KEY_ID=AK AWS_SECRET_ACCESS_KEY=SK run ec2_probe describe
	[ "$status" -eq 1 ]
	[ "$output" = "ec2-probe: error: no AWS region: set AWS_REGION or 'region' in ~/.aws/config (profile 'default')" ]
	AWS_ACCESS_KEY_ID=AK run ec2_probe describe
	[ "$output" = "ec2-probe: error: AWS credentials: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not" ]
	[ -z "$(aws_log)" ]
}
