#!/usr/bin/env bats
# Nodes as separate hosts: sky-up --netns gives each agent its own network
# namespace and address (NodeAddr), and jobs on different nodes reach each
# other by those addresses, as on a real cluster. Needs root and iproute2,
# which the test machine has.
load helpers

setup_file() {
	[ "$(id -u)" = 0 ] && command -v ip >/dev/null || skip "needs root and iproute2"
	sky_start --nodes 2 --cpus-per-node 2 --netns
}
teardown_file() { sky_stop; }
teardown() { [ "$BATS_TEST_COMPLETED" = 1 ] || sky_logs; }

node_addr() { scontrol show node "$1" | grep -o 'NodeAddr=[^ ]*' | cut -d= -f2; }

@test "each node has its own address, and its jobs run there" {
	cd "$SKY_WORK"
	a1=$(node_addr node1)
	a2=$(node_addr node2)
	[[ $a1 =~ ^10\.[0-9]+\.[0-9]+\.2$ ]]
	[[ $a2 =~ ^10\.[0-9]+\.[0-9]+\.3$ ]]
	id=$(sbatch --parsable -w node2 -o addr.out --wrap 'ip -4 -o addr show | awk "{ print \$4 }" | sort')
	wait_state "$id" COMPLETED
	[ "$(cat addr.out)" = "$(printf '%s\n%s' "$a2/24" 127.0.0.1/8)" ]
}

@test "a job on node2 connects to a job on node1 by node1's address" {
	cd "$SKY_WORK"
	a1=$(node_addr node1)
	srv=$(sbatch --parsable -w node1 -o srv.out --wrap "python3 -c '
import socket
s = socket.socket(); s.bind((\"$a1\", 29411)); s.listen(1); s.settimeout(30)
print(\"listening\", flush=True)
c, peer = s.accept(); print(c.recv(64).decode(), peer[0])'")
	wait_file srv.out
	for ((i = 0; i < 50; i++)); do grep -q listening srv.out && break; sleep 0.1; done
	cli=$(sbatch --parsable -w node2 -o cli.out --wrap "python3 -c '
import os, socket
c = socket.create_connection((\"$a1\", 29411), timeout=10)
c.sendall((\"hello-from-\" + os.environ[\"SLURMD_NODENAME\"]).encode())'")
	wait_state "$cli" COMPLETED
	wait_state "$srv" COMPLETED
	[ "$(tail -n1 srv.out)" = "hello-from-node2 $(node_addr node2)" ]
}

@test "sky-down removes the namespaces and the bridge" {
	id=$(sed -n 's/^bridge skybr//p' "$SKY_INST/netns")
	[ -n "$id" ]
	ip netns list | grep -q "^sky$id-node1"
	"$SKY_SRCDIR/contrib/sky-down" "$SKY_INST"
	! ip netns list | grep -q "^sky$id-"
	! ip link show "skybr$id" 2>/dev/null
}
