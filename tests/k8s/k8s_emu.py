#!/usr/bin/env python3
"""Loopback emulator of the Kubernetes API (core/v1) for slurm-sky's tests.

    k8s_emu.py --dir DIR [--port 0] [--ctl-port 0] [--token TOK]...
               [--auth cert|token|both] [--history N] [--bookmark-secs S]
               [--start-delay S] [--node "NAME ARGS..."]...

Serves HTTPS on 127.0.0.1:PORT with a CA, server and client certificate it
generates in DIR (openssl CLI), writes DIR/kubeconfig (contexts "emu" with
the client certificate and "emu-token" with the bearer token) and, once
listening, DIR/ready (K8S_URL=, K8S_CTL_URL=, K8S_TOKEN= shell lines).
The control endpoint (plain HTTP, no auth, 127.0.0.1:CTL_PORT) takes
POST /VERB with {"args": [...]}: add-node, remove-node, evict, oom,
preempt, compact, drop-watches, reset, state (see k8s.bash and README.md).
Python 3 standard library only. SIGTERM stops it and every pod it runs.
"""

import argparse
import base64
import copy
import http.server
import json
import os
import secrets
import shlex
import signal
import ssl
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from emu_api import ApiHandler  # noqa: E402
from emu_nodes import fill_node_status, node_from_args  # noqa: E402
from emu_pods import Runtime  # noqa: E402
from emu_store import ApiError, KINDS, Store, now_iso  # noqa: E402


def _openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_certs(d):
    """CA, server (127.0.0.1, localhost) and client (system:masters) certs."""
    if os.path.exists(os.path.join(d, "client.crt")):
        return
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
             "-days", "30", "-subj", "/CN=sky-k8s-emu-ca",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature", cwd=d)
    for name, subj, ext in (
            ("server", "/CN=kube-apiserver",
             "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\n"
             "extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n"),
            ("client", "/O=system:masters/CN=sky-admin",
             "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n")):
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write(ext)
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
                 "-subj", subj, cwd=d)
        _openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                 "-CAcreateserial", "-out", name + ".crt", "-days", "30", "-extfile", name + ".ext", cwd=d)


def _b64file(path):
    with open(path, "rb") as f:
        return base64.b64encode(f.read()).decode()


def write_kubeconfig(d, url, token):
    text = """apiVersion: v1
kind: Config
clusters:
- name: emu
  cluster:
    server: %(url)s
    certificate-authority-data: %(ca)s
contexts:
- name: emu
  context:
    cluster: emu
    user: emu-cert
    namespace: default
- name: emu-token
  context:
    cluster: emu
    user: emu-token
    namespace: default
current-context: emu
preferences: {}
users:
- name: emu-cert
  user:
    client-certificate-data: %(cert)s
    client-key-data: %(key)s
- name: emu-token
  user:
    token: %(token)s
""" % {"url": url, "ca": _b64file(os.path.join(d, "ca.crt")), "cert": _b64file(os.path.join(d, "client.crt")),
       "key": _b64file(os.path.join(d, "client.key")), "token": token}
    with open(os.path.join(d, "kubeconfig"), "w") as f:
        f.write(text)
    os.chmod(os.path.join(d, "kubeconfig"), 0o600)
    with open(os.path.join(d, "token"), "w") as f:
        f.write(token + "\n")


class Emulator:
    def __init__(self, cfg):
        self.cfg = cfg
        self.store = Store(cfg.history)
        self.stopping = False
        self.open_watches = 0
        self._wlock = threading.Lock()
        self._loglock = threading.Lock()
        self.logf = open(os.path.join(cfg.dir, "requests.log"), "a")
        self.port = 0
        self.runtime = Runtime(self)
        for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
            self.store.create({"kind": "Namespace", "apiVersion": "v1", "metadata": {
                "name": ns, "labels": {"kubernetes.io/metadata.name": ns}},
                "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(cfg.dir, "server.crt"), os.path.join(cfg.dir, "server.key"))
        ctx.load_verify_locations(os.path.join(cfg.dir, "ca.crt"))
        ctx.verify_mode = ssl.CERT_OPTIONAL if cfg.auth in ("cert", "both") else ssl.CERT_NONE
        ctx.set_alpn_protocols(["http/1.1"])
        self.ssl_ctx = ctx

    def log(self, msg):
        with self._loglock:
            self.logf.write("%s %s\n" % (now_iso(), msg))
            self.logf.flush()

    def watch_opened(self):
        with self._wlock:
            self.open_watches += 1

    def watch_closed(self):
        with self._wlock:
            self.open_watches -= 1

    # -- deletion (API and controls)
    def delete_object(self, kind, ns, name, opts=None):
        """Delete as the API does; returns the object's last state (pods being
        terminated gracefully are still there, with deletionTimestamp)."""
        opts = opts or {}
        obj = self.store.get_or_404(kind, ns, name)
        if kind == "Pod":
            return self._delete_pod(obj, opts)
        if kind == "Namespace":
            for k, (_plural, namespaced) in KINDS.items():
                if namespaced:
                    items, _ = self.store.list(lambda o, k=k: o.get("kind") == k and o["metadata"].get("namespace") == name)
                    for o in items:
                        self.delete_object(k, name, o["metadata"]["name"], {"gracePeriodSeconds": 0})
        if kind == "Node":
            pods, _ = self.store.list(lambda o: o.get("kind") == "Pod" and o["spec"].get("nodeName") == name)
            for p in pods:
                pns, pname = p["metadata"]["namespace"], p["metadata"]["name"]
                if not self.runtime.kill(pns, pname, "nodelost"):
                    self.finish_delete("Pod", pns, pname, opts)
        return self.finish_delete(kind, ns, name, opts)

    def _delete_pod(self, pod, opts):
        md = pod["metadata"]
        ns, name = md["namespace"], md["name"]
        grace = opts.get("gracePeriodSeconds")
        if grace is None:
            grace = pod["spec"].get("terminationGracePeriodSeconds", 30)
        running = (ns, name) in self.runtime.procs
        if md.get("deletionTimestamp") and grace > 0:
            return pod  # already terminating
        ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + grace))

        def mark(p):
            p["metadata"]["deletionTimestamp"] = ts
            p["metadata"]["deletionGracePeriodSeconds"] = grace
        last = self.store.update("Pod", ns, name, mark, spec_change=False)
        if running and grace > 0:
            proc = self.runtime.procs.get((ns, name))
            self.runtime.kill(ns, name, None, signal.SIGTERM)
            t = threading.Timer(grace, self.runtime.kill, args=(ns, name, None),
                                kwargs={"only": proc})
            t.daemon = True
            t.start()
            return last
        self.runtime.kill(ns, name, None)
        return self.finish_delete("Pod", ns, name, opts) or last

    def finish_delete(self, kind, ns, name, opts=None):
        last = self.store.remove(kind, ns, name)
        if last is None:
            return None
        if kind == "Pod":
            self.runtime.write_hosts(ns)
        if (opts or {}).get("propagationPolicy") != "Orphan":
            uid = last["metadata"]["uid"]
            deps, _ = self.store.list(lambda o: any(r.get("uid") == uid for r in o["metadata"].get("ownerReferences") or []))
            for d in deps:
                try:
                    self.delete_object(d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"])
                except ApiError:
                    pass
        return last

    # -- controls
    def control(self, verb, body):
        args = body.get("args") if isinstance(body, dict) else None
        args = [str(a) for a in (args or [])]
        if verb == "add-node":
            if isinstance(body, dict) and "metadata" in body:
                node = body
                node.update({"kind": "Node", "apiVersion": "v1"})
                fill_node_status(node)
            else:
                node = node_from_args(args)
            return self.store.create(node)
        if verb == "remove-node":
            return [self.delete_object("Node", "", n)["metadata"]["name"] for n in args]
        if verb in ("evict", "oom", "preempt"):
            if not args or "/" not in args[0]:
                raise ApiError(400, "BadRequest", "%s NS/POD" % verb)
            ns, name = args[0].split("/", 1)
            self.runtime.evict(ns, name, {"evict": "evicted", "oom": "oom", "preempt": "preempted"}[verb])
            return {"pod": args[0]}
        if verb == "compact":
            return {"compactedResourceVersion": str(self.store.compact())}
        if verb == "drop-watches":
            n = self.open_watches
            self.store.drop_watches()
            return {"dropped": n}
        if verb == "state":
            with self.store.lock:
                return {"resourceVersion": str(self.store.rv), "floor": str(self.store.floor),
                        "openWatches": self.open_watches, "running": ["%s/%s" % k for k in self.runtime.procs],
                        "objects": copy.deepcopy(list(self.store.objs.values()))}
        if verb == "reset":
            for kind in ("Pod", "Service", "ConfigMap", "Event", "Node"):
                items, _ = self.store.list(lambda o, k=kind: o.get("kind") == k)
                for o in items:
                    try:
                        self.delete_object(kind, o["metadata"].get("namespace", ""), o["metadata"]["name"],
                                           {"gracePeriodSeconds": 0})
                    except ApiError:
                        pass
            return {"resourceVersion": str(self.store.rv)}
        raise ApiError(404, "NotFound", "unknown control verb %r" % verb)


def control_handler(emu):
    class Ctl(http.server.BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):
            emu.log("ctl " + fmt % args)

        def _send(self, code, obj):
            data = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/healthz":
                return self._send(200, {"ok": True})
            self._handle(self.path.strip("/"), {})

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(n) or b"{}")
            except ValueError:
                return self._send(400, {"error": "body is not JSON"})
            self._handle(self.path.strip("/"), body)

        def _handle(self, verb, body):
            try:
                self._send(200, emu.control(verb, body))
            except ApiError as e:
                self._send(e.code, {"error": e.message})
    return Ctl


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--ctl-port", type=int, default=0)
    ap.add_argument("--token", action="append", default=[], help="bearer token accepted (repeatable)")
    ap.add_argument("--auth", choices=("cert", "token", "both"), default="both")
    ap.add_argument("--history", type=int, default=1000, help="watch events kept (older RVs get 410)")
    ap.add_argument("--bookmark-secs", type=float, default=5.0)
    ap.add_argument("--start-delay", type=float, default=0.3, help="seconds a pod shows ContainerCreating")
    ap.add_argument("--node", action="append", default=[], help='"NAME ARGS..." as add-node takes')
    cfg = ap.parse_args()
    cfg.dir = os.path.abspath(cfg.dir)
    os.makedirs(cfg.dir, exist_ok=True)
    cfg.tokens = cfg.token or [secrets.token_hex(16)]
    make_certs(cfg.dir)
    emu = Emulator(cfg)
    ApiHandler.emu = emu
    # Clients open many connections at once (kubectl, watches, the tests).
    http.server.ThreadingHTTPServer.request_queue_size = 128
    api = http.server.ThreadingHTTPServer(("127.0.0.1", cfg.port), ApiHandler)
    api.daemon_threads = True
    ctl = http.server.ThreadingHTTPServer(("127.0.0.1", cfg.ctl_port), control_handler(emu))
    ctl.daemon_threads = True
    emu.port = api.server_address[1]
    url = "https://127.0.0.1:%d" % emu.port
    write_kubeconfig(cfg.dir, url, cfg.tokens[0])
    for spec in cfg.node:
        emu.store.create(node_from_args(shlex.split(spec)))
    emu.runtime.start()

    def stop(_sig, _frm):
        emu.stopping = True
        emu.runtime.stop_all()
        threading.Thread(target=api.shutdown, daemon=True).start()
        threading.Thread(target=ctl.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threading.Thread(target=ctl.serve_forever, daemon=True).start()
    tmp = os.path.join(cfg.dir, "ready.tmp")
    with open(tmp, "w") as f:
        f.write("K8S_URL=%s\nK8S_CTL_URL=http://127.0.0.1:%d\nK8S_TOKEN=%s\n"
                % (url, ctl.server_address[1], cfg.tokens[0]))
    os.replace(tmp, os.path.join(cfg.dir, "ready"))
    print("k8s emulator: %s (control http://127.0.0.1:%d), kubeconfig %s/kubeconfig"
          % (url, ctl.server_address[1], cfg.dir), flush=True)
    api.serve_forever()
    emu.runtime.stop_all()
    emu.store.drop_watches()
    time.sleep(0.2)


if __name__ == "__main__":
    main()
