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
or a line of the --control file (re-read every round, so tests can change it
while running), are never booted: a VM that does not come up.

The endpoint needs no signature (moto checks none) but a well-formed
Authorization header, from which moto takes the region. Log lines (--log,
default stderr): "boot ID NODE ZONE", "halt ID NODE STATE", "noboot ID NODE".
"""
import argparse
import base64
import fnmatch
import os
import re
import shutil
import signal
import subprocess
import sys
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
    """[(id, state, node, zone)] of the cluster's instances in region."""
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
                            tags.get("slurm-sky:node"), it.findtext("placement/availabilityZone")))
        token = root.findtext("nextToken")
        if not token:
            return out


def user_data(args, region, iid):
    root = ec2(args.endpoint, region, {"Action": "DescribeInstanceAttribute",
                                       "InstanceId": iid, "Attribute": "userData"})
    v = root.findtext("userData/value")
    return base64.b64decode(v) if v else b""


def no_boot(args, iid, node, zone):
    pats = list(args.no_boot)
    if args.control and os.path.exists(args.control):
        with open(args.control) as f:
            pats += [l.strip() for l in f if l.strip() and not l.startswith("#")]
    return any(fnmatch.fnmatch(x or "", p) for p in pats for x in (iid, node, zone))


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


def boot(args, region, iid, node, zone):
    data = user_data(args, region, iid)
    path = os.path.join(args.workdir, "user-data.%s" % iid)
    with open(path, "wb") as f:
        f.write(data)
    env = dict(os.environ)
    env["PATH"] = (args.bin + ":" if args.bin else "") + env.get("PATH", "/usr/bin:/bin")
    env["SLURM_SKY_CONF"] = args.conf
    env["SKY_INSTANCE_ID"] = iid
    env["SKY_INSTANCE_ZONE"] = zone or ""
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
    while True:
        seen = {}
        try:
            for r in regions:
                for iid, state, node, zone in describe(args, r):
                    seen[iid] = (r, state, node, zone)
        except Exception as e:  # moto restarting, reset: try again next round
            log(args, "describe failed: %s" % e)
            time.sleep(args.interval)
            continue
        for iid, node in list(booted.items()):
            st = seen.get(iid)
            if st is None or st[1] not in ALIVE:
                halt(args, node)
                del booted[iid]
                log(args, "halt %s %s %s" % (iid, node, st[1] if st else "gone"))
        for iid, (r, state, node, zone) in seen.items():
            if state not in ALIVE or iid in booted or iid in skipped or not node:
                continue
            if time.time() - first_seen.setdefault(iid, time.time()) < args.boot_delay:
                continue
            if no_boot(args, iid, node, zone):
                skipped.add(iid)
                log(args, "noboot %s %s" % (iid, node))
                continue
            booted[iid] = node
            try:
                boot(args, r, iid, node, zone)
            except Exception as e:
                log(args, "boot %s %s failed: %s" % (iid, node, e))
        time.sleep(args.interval)


if __name__ == "__main__":
    main()
