# Shared by the AWS provider tests (tests/e2e/085x-086x): moto_server and the
# fault proxy (tests/aws/aws.bash), and an instance from contrib/sky-up
# --aws-endpoint with --simulate-boot: the controller talks to EC2 through
# the proxy (so faults can be injected and requests logged), the VM player
# tests/aws/vm_sim.py looks at moto directly.
load "$SKY_SRCDIR/tests/aws/aws.bash"
load power-helpers

# aws_sky_start [sky-up options...]: moto, the proxy and the instance.
aws_sky_start() {
	aws_start || return 1
	# Look at EC2 every second (the default is 10 s), retry throttling quickly.
	export SKY_AWS_POLL_INTERVAL=1
	sky_start --nodes 1 --cpus-per-node 1 --kill-wait 1 \
		--aws-endpoint "$AWS_PROXY_URL" --sim-endpoint "$AWS_MOTO_URL" --simulate-boot "$@"
}

aws_sky_stop() {
	sky_stop
	aws_stop
}

# moto_instances [STATE...]: "ID TYPE ZONE LIFECYCLE NODE" of the cluster's
# instances (both regions the tests allow), asked of moto itself.
moto_instances() {
	local r st=()
	for s in "$@"; do st+=(--state "$s"); done
	for r in us-east-1 us-west-2; do
		AWS_ENDPOINT_URL=$AWS_MOTO_URL "$EC2_PROBE" --region "$r" describe \
			--tag slurm-sky:cluster=sky "${st[@]}"
	done | awk '$1 == "instance" {
		node = "-"; n = split($8, kv, ",")
		for (i = 1; i <= n; i++) if (kv[i] ~ /^tags=slurm-sky:node=|^slurm-sky:node=/) { sub(/.*node=/, "", kv[i]); node = kv[i] }
		sub(/^type=/, "", $3); sub(/^zone=/, "", $5); sub(/^lifecycle=/, "", $6)
		print $2, $3, $5, $6, node }'
}

# wait_instances COUNT SECONDS STATE...: until moto has COUNT such instances.
wait_instances() {
	local want=$1 secs=$2 i n=0
	shift 2
	for ((i = 0; i < secs * 5; i++)); do
		n=$(moto_instances "$@" | wc -l)
		[ "$n" -eq "$want" ] && return 0
		sleep 0.2
	done
	echo "moto has $n instances in state(s) $*, not $want" >&2
	moto_instances >&2
	return 1
}

# offerings GPU COUNT: the A100 offerings the optimizer may choose for the
# tests' provider (Regions=us-east-1,us-west-2, Spot=yes), cheapest first,
# from the shipped catalog: "TYPE ZONE MARKET PRICE".
offerings() {
	python3 - "$SKY_SRCDIR/conf/catalogs/aws.csv" "$1" "$2" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#"))]
out = []
for r in rows:
    if r["AcceleratorName"].lower() != sys.argv[2].lower() or r["Region"] not in ("us-east-1", "us-west-2"):
        continue
    if int(r["AcceleratorCount"] or 0) < int(sys.argv[3]):
        continue
    for market, col in (("on-demand", "Price"), ("spot", "SpotPrice")):
        if r[col]:
            out.append((round(float(r[col]) * 1e6), r["Region"], r["AvailabilityZone"], r["InstanceType"], market))
out.sort(key=lambda o: (o[0], o[1], o[2], o[3], o[4] != "on-demand"))
for p, reg, z, t, m in out:
    print(t, z, m, p)
PY
}

# run_zones: the zone of every RunInstances the controller sent, in order.
run_zones() {
	aws_log | awk '$1 == "RunInstances" { print $6 }'
}

# sim_log: what the VM player did.
sim_log() { cat "$SKY_INST/log/vm_sim.log" 2>/dev/null; }

# wait_all_down [SECONDS]: every cloud slot powered down again (idle~ or down~).
wait_all_down() {
	local i s=""
	for ((i = 0; i < ${1:-30} * 10; i++)); do
		s=$(sinfo -h -p cloud -o %t | sort -u | tr '\n' ' ')
		[[ $s =~ ^((idle|down)~ )+$ ]] && return 0
		sleep 0.1
	done
	echo "cloud nodes are '$s', not all powered down" >&2
	return 1
}

# vm_crash NODE: the VM behind NODE dies (as in a spot interruption): its
# agent is killed at once; the caller then terminates the instance, which
# the VM player sees and cleans up after (jobs, spool).
vm_crash() {
	local pid
	pid=$(head -n1 "$SKY_INST/run/slurmd-$1.pid" 2>/dev/null | awk '{ print $1 }')
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	return 0
}
