#!/usr/bin/env python3
"""vm_sim.py: plays the virtual machines the AWS provider launches, on this
host, so that submit -> launch -> join -> run -> release is real end to end
without a cloud account (moto_server stands in for EC2). Python 3 stdlib.

    vm_sim.py --endpoint URL --conf SLURM_CONF [--bin DIR] [--hwloc-xml FILE]
              [--region R]... [--cluster NAME] [--interval SECONDS]
              [--no-boot PATTERN]... [--control FILE] [--log FILE]

Every --interval seconds (default 0.3) it lists the instances of the cluster
(DescribeInstances, filter tag:slurm-sky:cluster=NAME, in every region; by
default the Regions= of the conf's Type=aws ProviderName records) and:
  - boots each new pending/running instance: reads its user-data back
    (DescribeInstanceAttribute userData), writes it to a file and runs it
    with sh, in an environment where PATH starts with --bin (the built
    slurmd-sky), SLURM_SKY_CONF is --conf, HWLOC_XMLFILE is --hwloc-xml (so
    the agent reports that machine's GPUs), SKY_INSTANCE_ID and
    SKY_INSTANCE_ZONE name the instance. The default user-data template
    starts `slurmd-sky -N <node>`;
  - halts the "VM" of an instance that is shutting down, terminated, stopped
    or gone: every process of its node agent (the agent from SlurmdPidFile,
    the job supervisors from the node's spool, and their descendants) is
    killed and the node's spool is wiped, as a new VM starts with a fresh
    disk.
--boot-delay SECONDS (default $SKY_SIM_BOOT_DELAY, else 0) waits that long after
an instance is first seen before booting it, as a real VM takes its time.
Instances whose node name, zone or id matches a --no-boot pattern (fnmatch),
or a plain line of the --control file (re-read every round, so tests can
change it while running), are never booted: a VM that does not come up.

Every booted VM gets its own instance metadata service (EC2's IMDSv2, on a
loopback port, one HTTP server thread per VM), passed to the user-data as
SKY_IMDS_ENDPOINT (SKY_IMDS_POLL_SECS defaults to 1 there):
  PUT /latest/api/token (X-aws-ec2-metadata-token-ttl-seconds required,
      else 400) -> a token; every GET without a valid
      X-aws-ec2-metadata-token header gets 401;
  GET /latest/meta-data/instance-id, instance-type,
      placement/availability-zone;
  GET /latest/meta-data/spot/instance-action: 404 until an interruption is
      scheduled, then 200 {"action": ..., "time": "YYYY-MM-DDTHH:MM:SSZ"}.
Other control file lines (keywords, not patterns):
  interrupt NODE SECONDS [ACTION]   the VM now behind NODE gets a spot
      interruption notice now (ACTION: terminate, the default, or stop) for
      SECONDS from now, and its instance is terminated in EC2 then (once per
      instance: the slot's next instance is not interrupted again);
  no-imds PATTERN                   VMs booted from now on whose node, zone
      or id matches have no metadata service (SKY_IMDS_ENDPOINT empty);
  instance-id NODE ID               VMs booted from now on for NODE say they
      are instance ID (in SKY_INSTANCE_ID and their metadata): a stale or
      impostor VM.

The endpoint needs no signature (moto checks none) but a well-formed
Authorization header, from which moto takes the region. Log lines (--log,
default stderr): "boot ID NODE ZONE", "halt ID NODE STATE", "noboot ID NODE",
"imds ID NODE URL", "interrupt ID NODE ACTION TIME", "reclaim ID NODE".
"""
import argparse
import base64
import fnmatch
import http.server
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

ALIVE = ("pending", "running")


def log(args, msg):
    line = "%s %s\n" % (time.strftime("%H:%M:%S"), msg)
    if args.log:
        with open(args.log, "a") as f:
            f.write(line)
    else:
        sys.stderr.write(line)


def conf_values(path):
    """The keys vm_sim needs from slurm.conf (simple parse: one record a line)."""
    out = {"regions": [], "cluster": "sky", "pidfile": None, "spool": None}
    with open(path) as f:
        for raw in f:
            line = raw.split("#", 1)[0].strip()
            kv = dict(re.findall(r"(\w+)=(\S+)", line))
            low = {k.lower(): v for k, v in kv.items()}
            if "providername" in low and low.get("type", "").lower() == "aws":
                out["regions"] += [r for r in low.get("regions", "").split(",") if r]
            if "clustername" in low:
                out["cluster"] = low["clustername"]
            if "slurmdpidfile" in low:
                out["pidfile"] = low["slurmdpidfile"]
            if "slurmdspooldir" in low:
                out["spool"] = low["slurmdspooldir"]
    return out


def strip_ns(root):
    for el in root.iter():
        if "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]
    return root


def ec2(endpoint, region, params):
    params = dict(params, Version="2016-11-15")
    body = urllib.parse.urlencode(params).encode()
    amz = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    req = urllib.request.Request(endpoint.rstrip("/") + "/", data=body, method="POST")
    req.add_header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
    req.add_header("X-Amz-Date", amz)
    req.add_header("Authorization",
                   "AWS4-HMAC-SHA256 Credential=testing/%s/%s/ec2/aws4_request, "
                   "SignedHeaders=host;x-amz-date, Signature=%s" % (amz[:8], region, "0" * 64))
    with urllib.request.urlopen(req, timeout=10) as r:
        return strip_ns(ET.fromstring(r.read()))


def describe(args, region):
    """[(id, state, node, zone, type)] of the cluster's instances in region."""
    out, token = [], None
    while True:
        p = {"Action": "DescribeInstances", "Filter.1.Name": "tag:slurm-sky:cluster",
             "Filter.1.Value.1": args.cluster}
        if token:
            p["NextToken"] = token
        root = ec2(args.endpoint, region, p)
        for inst in root.iter("instancesSet"):
            for it in inst.findall("item"):
                tags = {t.findtext("key"): t.findtext("value")
                        for t in it.findall("tagSet/item")}
                out.append((it.findtext("instanceId"), it.findtext("instanceState/name"),
                            tags.get("slurm-sky:node"), it.findtext("placement/availabilityZone"),
                            it.findtext("instanceType")))
        token = root.findtext("nextToken")
        if not token:
            return out


def user_data(args, region, iid):
    root = ec2(args.endpoint, region, {"Action": "DescribeInstanceAttribute",
                                       "InstanceId": iid, "Attribute": "userData"})
    v = root.findtext("userData/value")
    return base64.b64decode(v) if v else b""


KEYWORDS = ("interrupt", "no-imds", "instance-id")


def control_lines(args):
    """The control file's lines as word lists (comments and blanks dropped)."""
    if not args.control or not os.path.exists(args.control):
        return []
    with open(args.control) as f:
        return [l.split() for l in f if l.strip() and not l.startswith("#")]


def no_boot(args, iid, node, zone):
    pats = list(args.no_boot)
    pats += [" ".join(w) for w in control_lines(args) if w[0] not in KEYWORDS]
    return any(fnmatch.fnmatch(x or "", p) for p in pats for x in (iid, node, zone))


class Imds(http.server.ThreadingHTTPServer):
    """One VM's instance metadata service (IMDSv2)."""
    daemon_threads = True

    def __init__(self, iid, itype, zone):
        super().__init__(("127.0.0.1", 0), ImdsHandler)
        self.meta = {"instance-id": iid, "instance-type": itype or "",
                     "placement/availability-zone": zone or ""}
        self.tokens = set()
        self.notice = None
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server_address[1]

    def stop(self):
        def down():
            self.shutdown()
            self.server_close()
        threading.Thread(target=down, daemon=True).start()


class ImdsHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, body=""):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path != "/latest/api/token":
            return self.answer(404)
        if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.answer(400)
        tok = secrets.token_hex(16)
        self.server.tokens.add(tok)
        self.answer(200, tok)

    def do_GET(self):
        if self.headers.get("X-aws-ec2-metadata-token") not in self.server.tokens:
            return self.answer(401)
        key = self.path[len("/latest/meta-data/"):] if self.path.startswith("/latest/meta-data/") else None
        if key == "spot/instance-action":
            n = self.server.notice
            return self.answer(200, json.dumps(n)) if n else self.answer(404)
        if key in self.server.meta:
            return self.answer(200, self.server.meta[key])
        self.answer(404)


def start_interrupts(args, booted, imds, pending, done):
    """interrupt lines: notice now, termination SECONDS later."""
    for w in control_lines(args):
        if w[0] != "interrupt" or len(w) < 3:
            continue
        node, secs = w[1], float(w[2])
        action = w[3] if len(w) > 3 else "terminate"
        for iid, n in booted.items():
            if n != node or (iid, " ".join(w)) in done or iid not in imds:
                continue
            done.add((iid, " ".join(w)))
            at = time.time() + secs
            imds[iid].notice = {"action": action,
                                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))}
            pending[iid] = at
            log(args, "interrupt %s %s %s %s" % (iid, node, action, imds[iid].notice["time"]))


def reclaim_due(args, seen, booted, pending):
    """Interrupted instances whose time came are terminated in EC2."""
    for iid, at in list(pending.items()):
        if time.time() < at:
            continue
        del pending[iid]
        region = seen.get(iid, (None,))[0]
        if not region:
            continue
        try:
            ec2(args.endpoint, region, {"Action": "TerminateInstances", "InstanceId.1": iid})
            log(args, "reclaim %s %s" % (iid, booted.get(iid, "?")))
        except Exception as e:
            log(args, "reclaim %s failed: %s" % (iid, e))


def boot_env(args, iid, node, zone, imds):
    """The VM's identity and metadata service, as its user-data sees them."""
    env = dict(os.environ)
    for w in control_lines(args):
        if w[0] == "instance-id" and len(w) == 3 and w[1] == node:
            iid = w[2]
    env["SKY_INSTANCE_ID"] = iid
    env["SKY_INSTANCE_ZONE"] = zone or ""
    env.setdefault("SKY_IMDS_POLL_SECS", "1")
    off = [w[1] for w in control_lines(args) if w[0] == "no-imds" and len(w) == 2]
    if any(fnmatch.fnmatch(x or "", p) for p in off for x in (iid, node, zone)):
        env["SKY_IMDS_ENDPOINT"] = ""
    else:
        imds.meta["instance-id"] = iid
        env["SKY_IMDS_ENDPOINT"] = imds.url
    return env


def children_map():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
            ppid = int(st[st.rindex(")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(d))
    return kids


def pid_from(path):
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def halt(args, node):
    """The VM of node is gone: kill its agent and jobs, wipe its disk."""
    roots = []
    if args.pidfile:
        p = pid_from(args.pidfile.replace("%n", node))
        if p:
            roots.append(p)
    spool = args.spool.replace("%n", node) if args.spool else None
    if spool and os.path.isdir(spool):
        for d in os.listdir(spool):
            p = pid_from(os.path.join(spool, d, "supervisor"))
            if p:
                roots.append(p)
    kids, seen, todo = children_map(), set(), list(roots)
    while todo:
        p = todo.pop()
        if p in seen or p <= 1:
            continue
        seen.add(p)
        todo += kids.get(p, [])
    for p in seen:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    if args.pidfile:
        try:
            os.unlink(args.pidfile.replace("%n", node))
        except OSError:
            pass
    if spool:
        shutil.rmtree(spool, ignore_errors=True)


def boot(args, region, iid, node, zone, imds):
    data = user_data(args, region, iid)
    path = os.path.join(args.workdir, "user-data.%s" % iid)
    with open(path, "wb") as f:
        f.write(data)
    env = boot_env(args, iid, node, zone, imds)
    log(args, "imds %s %s %s" % (iid, node, env["SKY_IMDS_ENDPOINT"] or "none"))
    env["PATH"] = (args.bin + ":" if args.bin else "") + env.get("PATH", "/usr/bin:/bin")
    env["SLURM_SKY_CONF"] = args.conf
    if args.hwloc_xml:
        env["HWLOC_XMLFILE"] = args.hwloc_xml
    with open(os.path.join(args.workdir, "boot.%s.log" % iid), "wb") as out:
        rc = subprocess.call(["sh", path], env=env, stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT, timeout=60)
    log(args, "boot %s %s %s rc=%d" % (iid, node, zone, rc))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--conf", required=True)
    ap.add_argument("--bin")
    ap.add_argument("--hwloc-xml")
    ap.add_argument("--region", action="append", default=[])
    ap.add_argument("--cluster")
    ap.add_argument("--interval", type=float, default=0.3)
    ap.add_argument("--no-boot", action="append", default=[])
    ap.add_argument("--control")
    ap.add_argument("--log")
    ap.add_argument("--workdir")
    ap.add_argument("--boot-delay", type=float,
                    default=float(os.environ.get("SKY_SIM_BOOT_DELAY", "0") or 0))
    args = ap.parse_args()
    args.conf = os.path.abspath(args.conf)
    cv = conf_values(args.conf)
    args.cluster = args.cluster or cv["cluster"]
    args.pidfile, args.spool = cv["pidfile"], cv["spool"]
    regions = args.region or sorted(set(cv["regions"])) or [os.environ.get("AWS_REGION", "us-east-1")]
    args.workdir = args.workdir or os.path.join(os.path.dirname(args.conf), "vm_sim")
    os.makedirs(args.workdir, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    booted, skipped, first_seen = {}, set(), {}   # id -> node; ids; id -> time
    imds, pending, done = {}, {}, set()   # id -> Imds; id -> reclaim time; interrupts applied
    while True:
        seen = {}
        try:
            for r in regions:
                for iid, state, node, zone, itype in describe(args, r):
                    seen[iid] = (r, state, node, zone, itype)
        except Exception as e:  # moto restarting, reset: try again next round
            log(args, "describe failed: %s" % e)
            time.sleep(args.interval)
            continue
        for iid, node in list(booted.items()):
            st = seen.get(iid)
            if st is None or st[1] not in ALIVE:
                halt(args, node)
                del booted[iid]
                if iid in imds:
                    imds.pop(iid).stop()
                log(args, "halt %s %s %s" % (iid, node, st[1] if st else "gone"))
        for iid, (r, state, node, zone, itype) in seen.items():
            if state not in ALIVE or iid in booted or iid in skipped or not node:
                continue
            if time.time() - first_seen.setdefault(iid, time.time()) < args.boot_delay:
                continue
            if no_boot(args, iid, node, zone):
                skipped.add(iid)
                log(args, "noboot %s %s" % (iid, node))
                continue
            booted[iid] = node
            imds[iid] = Imds(iid, itype, zone)
            try:
                boot(args, r, iid, node, zone, imds[iid])
            except Exception as e:
                log(args, "boot %s %s failed: %s" % (iid, node, e))
        start_interrupts(args, booted, imds, pending, done)
        reclaim_due(args, seen, booted, pending)
        time.sleep(args.interval)


if __name__ == "__main__":
    main()
