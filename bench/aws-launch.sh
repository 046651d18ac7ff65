#!/usr/bin/env bash
# bench/aws-launch.sh [JOBS]: time from `sbatch` to the RunInstances call
# reaching EC2, with the AWS provider against moto_server on loopback.
#
# A tiny timing proxy (Python stdlib) sits between the controller and moto
# and records when each RunInstances arrives, with the job id from its
# slurm-sky:job tag. Each job (sbatch -p cloud -N1 --gres=gpu:a100:8) is
# submitted alone; latency = arrival - the moment just before sbatch ran.
# Nodes never boot here (no --simulate-boot): only the launch path is timed.
# Prints one line per job and "median=.. max=.. ms". Needs a build tree
# (SKY_BUILDDIR, default the source tree) and moto_server.
set -euo pipefail
JOBS=${1:-8}
here=$(cd "$(dirname "$0")/.." && pwd)
export SKY_SRCDIR=$here SKY_BUILDDIR=${SKY_BUILDDIR:-$here}
work=$(mktemp -d /tmp/sky-bench-aws.XXXXXX)
chmod 755 "$work"
moto=$(command -v moto_server || ls /root/.pyenv/shims/moto_server)
port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
mport=$(port)
pport=$(port)
cleanup() {
	"$here/contrib/sky-down" "$work/inst" >/dev/null 2>&1 || true
	[ -n "${ppid_:-}" ] && kill "$ppid_" 2>/dev/null
	[ -n "${mpid:-}" ] && kill "$mpid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
"$moto" -H 127.0.0.1 -p "$mport" >"$work/moto.log" 2>&1 &
mpid=$!
python3 - "$mport" "$pport" "$work/arrivals" <<'PY' &
import http.client, sys, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
up, me, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        t = time.time()
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        p = dict(urllib.parse.parse_qsl(body.decode()))
        if p.get("Action") == "RunInstances":
            job = [v for k, v in p.items() if k.endswith(".Value") and
                   p.get(k[:-6] + ".Key") == "slurm-sky:job"]
            with open(out, "a") as f:
                f.write("%s %.6f\n" % (job[0] if job else "-", t))
        c = http.client.HTTPConnection("127.0.0.1", up)
        c.request("POST", self.path, body, dict(self.headers))
        r = c.getresponse()
        data = r.read()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
ThreadingHTTPServer(("127.0.0.1", me), H).serve_forever()
PY
ppid_=$!
for ((i = 0; i < 100; i++)); do curl -sf -o /dev/null "http://127.0.0.1:$mport/moto-api/" && break; sleep 0.1; done
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
eval "$("$here/contrib/sky-up" "$work/inst" --aws-endpoint "http://127.0.0.1:$pport" \
	--aws-nodes "$JOBS" --set ResumeTimeout=600)"
# moto answers its very first EC2 call slowly (it loads its data): warm it.
sleep 3
for ((i = 1; i <= JOBS; i++)); do
	t0=$(date +%s.%N)
	id=$(sbatch --parsable -p cloud -N1 --gres=gpu:a100:8 --wrap true)
	for ((k = 0; k < 100; k++)); do grep -q "^$id " "$work/arrivals" 2>/dev/null && break; sleep 0.05; done
	t1=$(awk -v id="$id" '$1 == id { print $2; exit }' "$work/arrivals")
	ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')
	echo "job $id: submit -> RunInstances $ms ms"
	echo "$ms" >> "$work/ms"
	sleep 0.5
done
sort -n "$work/ms" | awk '{ v[NR] = $1 } END { printf "median=%s max=%s ms over %d jobs\n", v[int((NR + 1) / 2)], v[NR], NR }'
