#!/usr/bin/env bats
# Bad input gets a clear error and loses nothing: malformed and truncated
# RPCs, a wrong munge key, oversized and malformed scripts, a bad config.
load helpers

setup_file() { sky_start --nodes 1 --cpus-per-node 1; }
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

sock() { sed -n 's/^SlurmctldSocket=//p' "$SLURM_SKY_CONF"; }

# raw_send HEX_OR_MODE: write bytes to the controller socket and print the reply length.
raw_send() {
	python3 - "$(sock)" "$1" <<'PY'
import socket, sys, os
path, mode = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(15)
s.connect(path)
if mode == "garbage":
    s.sendall(b"\x00\x00\x00\x10" + os.urandom(16))
elif mode == "truncated":
    s.sendall(b"\x00\x00\x01\x00" + b"x" * 10)   # says 256 bytes, sends 10
    s.shutdown(socket.SHUT_WR)
elif mode == "http":
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    s.shutdown(socket.SHUT_WR)
data = b""
try:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
except socket.timeout:
    print("timeout")
    sys.exit(0)
print(len(data))
PY
}

@test "garbage bytes on the socket get an error and the controller keeps serving" {
	id=$(sbatch --parsable --hold --wrap true)
	run raw_send garbage
	[ "$status" -eq 0 ]
	[ "$output" != timeout ]
	run raw_send http
	[ "$status" -eq 0 ]
	run scontrol ping
	[ "$status" -eq 0 ]
	[[ $output == *"is UP"* ]]
	[ "$(job_field "$id" %t)" = PD ]
	scancel "$id"
}

@test "a truncated RPC is dropped and the controller keeps serving" {
	run raw_send truncated
	[ "$status" -eq 0 ]
	run squeue
	[ "$status" -eq 0 ]
}

@test "a credential from another munge key is rejected" {
	d=$SKY_DIR/otherkey
	mkdir -p "$d"
	chmod 755 "$d"
	dd if=/dev/urandom of="$d/key" bs=1024 count=1 status=none
	chmod 600 "$d/key"
	munged --socket="$d/sock" --key-file="$d/key" --log-file="$d/log" --pid-file="$d/pid" --seed-file="$d/seed"
	sed "s|^AuthInfo=.*|AuthInfo=socket=$d/sock|" "$SLURM_SKY_CONF" > "$d/slurm.conf"
	before=$(squeue -h -t all | wc -l)
	SLURM_SKY_CONF=$d/slurm.conf run sbatch --wrap true
	munged --socket="$d/sock" --stop
	[ "$status" -eq 1 ]
	[[ $output == "sbatch: error: Batch job submission failed: "*"uthentication"* ]] || [[ $output == *"redential"* ]]
	[ "$(squeue -h -t all | wc -l)" -eq "$before" ]
	run scontrol ping
	[ "$status" -eq 0 ]
}

@test "a 100 MB script is refused with a clear error" {
	cd "$SKY_WORK"
	{ echo '#!/bin/sh'; head -c 100000000 /dev/zero | tr '\0' '#' | fold -w 1000; echo; } > big.sh
	run sbatch big.sh
	rm -f big.sh
	[ "$status" -eq 1 ]
	[[ $output == "sbatch: error: Batch job submission failed: "*"arger"* ]]
	run scontrol ping
	[ "$status" -eq 0 ]
}

@test "a script with a NUL byte is refused with Slurm's message" {
	cd "$SKY_WORK"
	printf '#!/bin/sh\necho a\0b\n' > nul.sh
	run sbatch nul.sh
	[ "$status" -eq 1 ]
	[[ $output == *"The Slurm controller does not allow scripts that"* ]]
	[[ $output == *"contain a NULL character '\\0'."* ]]
}

@test "a script with DOS line breaks is refused with Slurm's message" {
	cd "$SKY_WORK"
	printf '#!/bin/sh\r\necho hi\r\n' > crlf.sh
	run sbatch crlf.sh
	[ "$status" -eq 1 ]
	[[ $output == *"Batch script contains DOS line breaks (\\r\\n)"* ]]
	[[ $output == *"instead of expected UNIX line breaks (\\n)."* ]]
}

@test "empty, blank and interpreter-less scripts are refused" {
	cd "$SKY_WORK"
	: > empty.sh
	run sbatch empty.sh
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch script is empty!" ]
	printf '   \n\t\n' > blank.sh
	run sbatch blank.sh
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch script contains only whitespace!" ]
	printf 'echo hi\n' > nohash.sh
	run sbatch nohash.sh
	[ "$status" -eq 1 ]
	[[ $output == *"This does not look like a batch script."* ]]
	[[ $output == *"For instance: #!/bin/sh"* ]]
}

@test "an invalid option value exits 255" {
	run sbatch -t bogus --wrap true
	[ "$status" -eq 255 ]
	[[ $output == *"sbatch: error: Invalid --time specification"* ]]
}

@test "an unknown slurm.conf key is an error naming file and line" {
	d=$SKY_DIR/badconf
	mkdir -p "$d"
	{ echo "ClusterName=x"; echo "NoSuchKey=1"; } > "$d/slurm.conf"
	run slurmctld-sky -n -f "$d/slurm.conf"
	[ "$status" -ne 0 ]
	[[ $output == *"$d/slurm.conf:2"* ]]
	[[ $output == *"NoSuchKey"* ]]
	run slurmctld-sky -n -f "$SLURM_SKY_CONF"
	[ "$status" -eq 0 ]
	[[ $output == *"configuration OK"* ]]
}

@test "the controller is not reachable: a clear error, exit 1" {
	d=$SKY_DIR/noctld
	mkdir -p "$d"
	sed "s|^SlurmctldSocket=.*|SlurmctldSocket=$d/none.sock|" "$SLURM_SKY_CONF" > "$d/slurm.conf"
	SLURM_SKY_CONF=$d/slurm.conf run sbatch --wrap true
	[ "$status" -eq 1 ]
	[[ $output == "sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)"* ]]
}
