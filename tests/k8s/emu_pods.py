"""Pod runtime of the emulator: a minimal scheduler and a kubelet that runs
a pod's first container's command+args as a local process.

Design (see README.md, "Pods"):
- every pod gets a directory RUN_DIR/pods/<ns>_<name>/ holding `log`
  (stdout+stderr, what pods/log serves), `volumes/<volume>/` (ConfigMap
  keys as files, emptyDir) and `serviceaccount/` (token, ca.crt, namespace);
- a volume's mountPath is rewritten into that directory in the command,
  args, env values and workingDir (e.g. /sky/script/run.sh becomes
  .../volumes/script/run.sh), and the same mapping is exported as
  K8S_EMU_MOUNTS="mountPath=dir:..."; the service account mount
  /var/run/secrets/kubernetes.io/serviceaccount is rewritten the same way;
- no DNS: every pod's IP is 127.0.0.1 and RUN_DIR/hosts/<ns> (exported as
  K8S_EMU_HOSTS) lists, in /etc/hosts format, every running pod of the
  namespace under its name, hostname and hostname.subdomain.ns.svc.cluster.local
  and every Service as svc.ns.svc.cluster.local;
- restartPolicy is treated as Never: a container that exits ends the pod.
"""

import os
import re
import signal
import subprocess
import threading
import time

from emu_nodes import parse_quantity
from emu_store import ApiError, now_iso

SA_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
TERMINAL = ("Succeeded", "Failed")


def pod_requests(pod):
    """Requests summed over the containers (limit when no request)."""
    total = {}
    for c in (pod.get("spec") or {}).get("containers") or []:
        res = c.get("resources") or {}
        req = dict(res.get("limits") or {})
        req.update(res.get("requests") or {})
        for k, v in req.items():
            total[k] = total.get(k, 0.0) + parse_quantity(v)
    return total


def _expr_ok(expr, labels):
    key, op, vals = expr.get("key"), expr.get("operator"), expr.get("values") or []
    have = labels.get(key)
    if op == "In":
        return have in vals
    if op == "NotIn":
        return have not in vals
    if op == "Exists":
        return key in labels
    if op == "DoesNotExist":
        return key not in labels
    if op in ("Gt", "Lt"):
        try:
            a, b = int(have), int(vals[0])
        except (TypeError, ValueError, IndexError):
            return False
        return a > b if op == "Gt" else a < b
    return False


def _affinity_ok(pod, node):
    labels = node["metadata"].get("labels") or {}
    spec = pod.get("spec") or {}
    for k, v in (spec.get("nodeSelector") or {}).items():
        if labels.get(k) != v:
            return False
    req = (((spec.get("affinity") or {}).get("nodeAffinity") or {})
           .get("requiredDuringSchedulingIgnoredDuringExecution") or {})
    terms = req.get("nodeSelectorTerms") or []
    if not terms:
        return True
    fields = {"metadata.name": node["metadata"]["name"]}
    for t in terms:
        if all(_expr_ok(e, labels) for e in t.get("matchExpressions") or []) and \
                all(_expr_ok(e, fields) for e in t.get("matchFields") or []):
            return True
    return False


def _tolerated(taint, tolerations):
    for t in tolerations:
        if t.get("effect") and t["effect"] != taint.get("effect"):
            continue
        if not t.get("key"):
            if t.get("operator") == "Exists":
                return True
            continue
        if t["key"] != taint.get("key"):
            continue
        if t.get("operator") == "Exists" or t.get("value", "") == taint.get("value", ""):
            return True
    return False


def _taints_ok(pod, node):
    tol = (pod.get("spec") or {}).get("tolerations") or []
    return all(_tolerated(t, tol) for t in (node.get("spec") or {}).get("taints") or []
               if t.get("effect") in ("NoSchedule", "NoExecute"))


def _node_unfit(node):
    """Why the scheduler skips a node before looking at the pod, or None."""
    if (node.get("spec") or {}).get("unschedulable"):
        return "node(s) were unschedulable"
    conds = (node.get("status") or {}).get("conditions") or []
    if not any(c.get("type") == "Ready" and c.get("status") == "True" for c in conds):
        return "node(s) had untolerated taint {node.kubernetes.io/not-ready: }"
    return None


class Runtime:
    def __init__(self, emu):
        self.emu = emu
        self.store = emu.store
        self.procs = {}  # (ns, name) -> Popen
        self.kill_reason = {}  # (ns, name) -> "oom" | "evicted" | "nodelost" | "preempted"
        self.starting = set()  # (ns, name) being started by a _run thread
        self.wake = threading.Event()
        self.store.listeners.append(self._on_event)
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def start(self):
        self.thread.start()

    def _on_event(self, etype, obj, old):
        if obj.get("kind") == "Pod" and etype == "ADDED":
            # A pod of an earlier pod's name (a requeued job's) starts with
            # no log, as a new pod has a new log in Kubernetes: pods/log says
            # "waiting to start" until it runs. A reader of the old log keeps
            # its open file.
            try:
                os.unlink(self.log_path(obj))
            except OSError:
                pass
        if obj.get("kind") in ("Pod", "Node", "Service"):
            self.wake.set()

    def pod_dir(self, pod):
        md = pod["metadata"]
        return os.path.join(self.emu.cfg.dir, "pods", "%s_%s" % (md.get("namespace", ""), md["name"]))

    def log_path(self, pod):
        return os.path.join(self.pod_dir(pod), "log")

    @staticmethod
    def finished(pod):
        return (pod.get("status") or {}).get("phase") in TERMINAL

    # -- main loop: schedule pending pods, start bound ones
    def _loop(self):
        while not self.emu.stopping:
            self.wake.wait(0.5)
            self.wake.clear()
            try:
                self._reconcile()
            except Exception as e:  # keep the kubelet alive; the log shows why
                self.emu.log("runtime error: %r" % e)

    def _reconcile(self):
        pods, _ = self.store.list(lambda o: o.get("kind") == "Pod")
        nodes, _ = self.store.list(lambda o: o.get("kind") == "Node")
        for pod in pods:
            md, st = pod["metadata"], pod.get("status") or {}
            key = (md["namespace"], md["name"])
            if md.get("deletionTimestamp") or st.get("phase") in TERMINAL or key in self.procs \
                    or key in self.starting:
                continue
            node_name = pod["spec"].get("nodeName")
            if not node_name:
                self._schedule(pod, nodes, pods)
            elif st.get("phase") == "Pending":
                if not any(n["metadata"]["name"] == node_name for n in nodes):
                    continue  # bound to a node that does not exist (yet): stays Pending
                self.starting.add(key)
                threading.Thread(target=self._run, args=(pod,), daemon=True).start()

    def _free(self, node, pods):
        alloc = (node.get("status") or {}).get("allocatable") or {}
        free = {k: parse_quantity(v) for k, v in alloc.items()}
        for p in pods:
            if p["spec"].get("nodeName") != node["metadata"]["name"] or self.finished(p):
                continue
            for k, v in pod_requests(p).items():
                free[k] = free.get(k, 0.0) - v
            free["pods"] = free.get("pods", 110) - 1
        return free

    def _schedule(self, pod, nodes, pods):
        need = pod_requests(pod)
        reasons = {}
        chosen = None
        for n in nodes:
            why = _node_unfit(n)
            if why:
                pass
            elif not _affinity_ok(pod, n):
                why = "node(s) didn't match Pod's node affinity/selector"
            elif not _taints_ok(pod, n):
                why = "node(s) had untolerated taint"
            else:
                free = self._free(n, pods)
                short = [k for k, v in need.items() if v > free.get(k, 0.0) + 1e-9]
                if free.get("pods", 1) < 1:
                    short.append("pods")
                why = "Insufficient %s" % short[0] if short else None
            if why is None:
                chosen = n["metadata"]["name"]
                break
            reasons[why] = reasons.get(why, 0) + 1
        md = pod["metadata"]
        if chosen:
            pod["spec"]["nodeName"] = chosen  # keeps later pods of this pass from overbooking

            def bind(p):
                p["spec"]["nodeName"] = chosen
                _set_cond(p, "PodScheduled", "True")
            self.store.update("Pod", md["namespace"], md["name"], bind, spec_change=False)
            return
        msg = "0/%d nodes are available: %s." % (len(nodes), ", ".join(
            "%d %s" % (c, r) for r, c in sorted(reasons.items())))

        def unsched(p):
            conds = p["status"].get("conditions") or []
            if any(c.get("type") == "PodScheduled" and c.get("message") == msg for c in conds):
                return False
            _set_cond(p, "PodScheduled", "False", "Unschedulable", msg)
        self.store.update("Pod", md["namespace"], md["name"], unsched, spec_change=False)

    # -- the kubelet part
    def _run(self, pod):
        md = pod["metadata"]
        key = (md["namespace"], md["name"])
        try:
            self._start(pod, key)
        except ApiError:
            pass  # deleted while starting
        finally:
            self.starting.discard(key)

    def _start(self, pod, key):
        md = pod["metadata"]
        d = self.pod_dir(pod)
        os.makedirs(d, exist_ok=True)
        c = pod["spec"]["containers"][0]

        def creating(p):
            p["status"].update({"hostIP": "127.0.0.1", "podIP": "127.0.0.1", "podIPs": [{"ip": "127.0.0.1"}],
                                "startTime": now_iso()})
            p["status"]["containerStatuses"] = [_cstatus(c, {"waiting": {"reason": "ContainerCreating"}})]
            _set_cond(p, "Initialized", "True")
        self.store.update("Pod", *key, creating, spec_change=False)
        if self.emu.cfg.start_delay:
            time.sleep(self.emu.cfg.start_delay)
        cur = self.store.get("Pod", *key)
        if cur is None or cur["metadata"].get("deletionTimestamp") or self.finished(cur):
            return  # deleted, evicted or killed while "pulling the image"
        try:
            argv, env, cwd = self._prepare(pod, d)
            if not argv:
                raise ApiError(500, "StartError", "container %s has no command (the emulator ignores images)"
                               % c["name"])
            logf = open(os.path.join(d, "log"), "ab")
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                                    env=env, cwd=cwd, start_new_session=True)
            logf.close()
        except (OSError, ApiError) as e:
            open(os.path.join(d, "log"), "ab").close()
            self._terminate(key, c, 128, "StartError", "Failed", message=str(e))
            return
        self.procs[key] = proc
        with open(os.path.join(d, "pid"), "w") as f:  # k8s_stop's safety net
            f.write("%d\n" % proc.pid)
        started = now_iso()

        def running(p):
            if self.finished(p):
                return False
            p["status"]["phase"] = "Running"
            p["status"]["containerStatuses"] = [_cstatus(c, {"running": {"startedAt": started}}, ready=True,
                                                         cid="emu://%d" % proc.pid)]
            for t in ("Ready", "ContainersReady"):
                _set_cond(p, t, "True")
        try:
            self.store.update("Pod", *key, running, spec_change=False)
        except ApiError:
            self.kill(*key, None)  # removed meanwhile: _wait reaps it
        self.write_hosts(md["namespace"])
        threading.Thread(target=self._wait, args=(key, c, proc, started), daemon=True).start()

    def _prepare(self, pod, d):
        spec = pod["spec"]
        c = spec["containers"][0]
        mounts = self._volumes(pod, d)
        maps = []
        for vm in c.get("volumeMounts") or []:
            src = mounts.get(vm.get("name"))
            if src is not None and vm.get("mountPath"):
                maps.append((vm["mountPath"].rstrip("/") or "/", src))
        sa = os.path.join(d, "serviceaccount")
        os.makedirs(sa, exist_ok=True)
        for fname, val in (("token", self.emu.cfg.tokens[0]), ("namespace", pod["metadata"]["namespace"])):
            with open(os.path.join(sa, fname), "w") as f:
                f.write(val)
        with open(os.path.join(self.emu.cfg.dir, "ca.crt")) as src, open(os.path.join(sa, "ca.crt"), "w") as f:
            f.write(src.read())
        maps.append((SA_PATH, sa))
        maps.sort(key=lambda m: -len(m[0]))

        def rw(s):
            for mp, local in maps:
                s = re.sub(r"(?<![\w.-])" + re.escape(mp) + r"(?=$|[/\s\"';:])", local, s)
            return s
        argv = [rw(str(a)) for a in (c.get("command") or []) + (c.get("args") or [])]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/root",
               "HOSTNAME": spec.get("hostname") or pod["metadata"]["name"],
               "KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": str(self.emu.port),
               "K8S_EMU_POD_DIR": d, "K8S_EMU_HOSTS": self.hosts_path(pod["metadata"]["namespace"]),
               "K8S_EMU_MOUNTS": ":".join("%s=%s" % m for m in maps)}
        env.update(self._env(pod, c))
        env = {k: rw(v) for k, v in env.items()}
        cwd = rw(c["workingDir"]) if c.get("workingDir") else d
        if not os.path.isdir(cwd):
            cwd = d
        return argv, env, cwd

    def _volumes(self, pod, d):
        out = {}
        ns = pod["metadata"]["namespace"]
        for v in (pod["spec"].get("volumes") or []):
            path = os.path.join(d, "volumes", v["name"])
            os.makedirs(path, exist_ok=True)
            out[v["name"]] = path
            if "configMap" in v:
                ref = v["configMap"]
                cm = self.store.get("ConfigMap", ns, ref.get("name"))
                if cm is None:
                    if ref.get("optional"):
                        continue
                    raise ApiError(500, "StartError", 'configmap "%s" not found' % ref.get("name"))
                data = cm.get("data") or {}
                items = ref.get("items") or [{"key": k, "path": k} for k in data]
                mode = ref.get("defaultMode", 0o644)
                for it in items:
                    fp = os.path.join(path, it["path"])
                    os.makedirs(os.path.dirname(fp), exist_ok=True)
                    with open(fp, "w") as f:
                        f.write(data.get(it["key"], ""))
                    os.chmod(fp, it.get("mode", mode))
            elif "hostPath" in v:
                out[v["name"]] = v["hostPath"].get("path", path)
        return out

    def _env(self, pod, c):
        env = {}
        ns = pod["metadata"]["namespace"]
        for ef in c.get("envFrom") or []:
            ref = ef.get("configMapRef")
            if ref:
                cm = self.store.get("ConfigMap", ns, ref.get("name"))
                if cm is None and not ref.get("optional"):
                    raise ApiError(500, "StartError", 'configmap "%s" not found' % ref.get("name"))
                for k, v in ((cm or {}).get("data") or {}).items():
                    env[ef.get("prefix", "") + k] = v
        fields = {"metadata.name": pod["metadata"]["name"], "metadata.namespace": ns,
                  "metadata.uid": pod["metadata"].get("uid", ""), "spec.nodeName": pod["spec"].get("nodeName", ""),
                  "spec.serviceAccountName": pod["spec"].get("serviceAccountName", ""),
                  "status.podIP": "127.0.0.1", "status.hostIP": "127.0.0.1"}
        for e in c.get("env") or []:
            if "value" in e:
                env[e["name"]] = _expand(str(e["value"]), env)
                continue
            src = e.get("valueFrom") or {}
            if "fieldRef" in src:
                fp = src["fieldRef"].get("fieldPath", "")
                m = re.match(r"metadata\.(labels|annotations)\['(.*)'\]$", fp)
                if m:
                    env[e["name"]] = (pod["metadata"].get(m.group(1)) or {}).get(m.group(2), "")
                else:
                    env[e["name"]] = fields.get(fp, "")
            elif "configMapKeyRef" in src:
                ref = src["configMapKeyRef"]
                cm = self.store.get("ConfigMap", ns, ref.get("name"))
                val = ((cm or {}).get("data") or {}).get(ref.get("key"))
                if val is None and not ref.get("optional"):
                    raise ApiError(500, "StartError", 'configmap "%s" key "%s" not found'
                                   % (ref.get("name"), ref.get("key")))
                if val is not None:
                    env[e["name"]] = val
            elif "resourceFieldRef" in src:
                env[e["name"]] = "0"
        return env

    def _wait(self, key, c, proc, started):
        rc = proc.wait()
        self.procs.pop(key, None)
        try:
            os.unlink(os.path.join(self.emu.cfg.dir, "pods", "%s_%s" % key, "pid"))
        except OSError:
            pass
        why = self.kill_reason.pop(key, None)
        code = rc if rc >= 0 else 128 - rc
        if why == "oom":
            self._terminate(key, c, 137, "OOMKilled", "Failed", started)
        elif why == "evicted":
            self._terminate(key, c, 137, "Error", "Failed", started, pod_reason="Evicted",
                            message="The node was low on resource: memory. (emulated eviction)",
                            disruption="TerminationByKubelet")
        elif why == "nodelost":
            self._terminate(key, c, 137, "Error", "Failed", started, disruption="DeletionByPodGC")
        elif why == "preempted":
            self._terminate(key, c, 137, "Error", "Failed", started, disruption="PreemptionByScheduler")
        else:
            self._terminate(key, c, code, "Completed" if code == 0 else "Error",
                            "Succeeded" if code == 0 else "Failed", started)
        pod = self.store.get("Pod", *key)
        if pod is not None and (pod["metadata"].get("deletionTimestamp") or why in ("nodelost", "preempted")):
            self.emu.finish_delete("Pod", *key)
        self.write_hosts(key[0])
        self.wake.set()

    def _terminate(self, key, c, code, reason, phase, started=None, pod_reason=None, message=None,
                   disruption=None):
        fin = now_iso()

        def done(p):
            term = {"exitCode": code, "reason": reason, "startedAt": started or fin, "finishedAt": fin}
            if message and not pod_reason:
                term["message"] = message
            p["status"]["phase"] = phase
            p["status"]["containerStatuses"] = [_cstatus(c, {"terminated": term})]
            for t in ("Ready", "ContainersReady"):
                _set_cond(p, t, "False", "PodCompleted" if phase == "Succeeded" else "PodFailed")
            if pod_reason:
                p["status"]["reason"] = pod_reason
                p["status"]["message"] = message
            if disruption:
                _set_cond(p, "DisruptionTarget", "True", disruption, "emulated: %s" % disruption)
        try:
            self.store.update("Pod", *key, done, spec_change=False)
        except ApiError:
            pass  # deleted meanwhile

    # -- controls
    def kill(self, ns, name, why, sig=signal.SIGKILL, only=None):
        """Kill the pod's process group for WHY; False if it has none (or,
        with ONLY, if its process is no longer that one: a grace period's
        timer must not kill a newer pod of the same name)."""
        key = (ns, name)
        proc = self.procs.get(key)
        if proc is None or (only is not None and proc is not only):
            return False
        if why:
            self.kill_reason.setdefault(key, why)
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        return True

    def evict(self, ns, name, why):
        pod = self.store.get_or_404("Pod", ns, name)
        if self.finished(pod):
            raise ApiError(409, "Conflict", "pod %s/%s already terminated" % (ns, name))
        if not self.kill(ns, name, why):
            # not started: fail it directly
            c = pod["spec"]["containers"][0]
            if why == "oom":
                self._terminate((ns, name), c, 137, "OOMKilled", "Failed")
            elif why == "preempted":
                self._terminate((ns, name), c, 137, "Error", "Failed", disruption="PreemptionByScheduler")
                self.emu.finish_delete("Pod", ns, name)
            else:
                self._terminate((ns, name), c, 137, "Error", "Failed", pod_reason="Evicted",
                                message="The node was low on resource: memory. (emulated eviction)",
                                disruption="TerminationByKubelet")

    def stop_all(self):
        for key in list(self.procs):
            self.kill(key[0], key[1], None)

    # -- hosts file standing in for DNS
    def hosts_path(self, ns):
        return os.path.join(self.emu.cfg.dir, "hosts", ns)

    def write_hosts(self, ns):
        pods, _ = self.store.list(lambda o: o.get("kind") == "Pod" and o["metadata"].get("namespace") == ns)
        svcs, _ = self.store.list(lambda o: o.get("kind") == "Service" and o["metadata"].get("namespace") == ns)
        lines = ["127.0.0.1\tlocalhost"]
        for p in pods:
            if (p.get("status") or {}).get("phase") != "Running":
                continue
            names = [p["metadata"]["name"]]
            host, sub = p["spec"].get("hostname"), p["spec"].get("subdomain")
            if host and host not in names:
                names.append(host)
            if host and sub:
                names.append("%s.%s.%s.svc.cluster.local" % (host, sub, ns))
            lines.append("127.0.0.1\t" + " ".join(names))
        for s in svcs:
            n = s["metadata"]["name"]
            lines.append("127.0.0.1\t%s %s.%s.svc.cluster.local" % (n, n, ns))
        os.makedirs(os.path.dirname(self.hosts_path(ns)), exist_ok=True)
        # A temp file per writer: pod threads rewrite the same namespace's
        # file at once, and a shared name let one replace another's half.
        tmp = "%s.%d.%d.tmp" % (self.hosts_path(ns), os.getpid(), threading.get_ident())
        with open(tmp, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.replace(tmp, self.hosts_path(ns))


def _expand(value, env):
    """$(VAR) references to earlier env entries, as the kubelet expands them."""
    return re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", lambda m: env.get(m.group(1), m.group(0)), value)


def _cstatus(c, state, ready=False, cid=None):
    cs = {"name": c["name"], "image": c.get("image", ""), "imageID": "", "ready": ready,
          "started": "running" in state, "restartCount": 0, "state": state, "lastState": {}}
    if cid:
        cs["containerID"] = cid
    return cs


def _set_cond(pod, ctype, status, reason=None, message=None):
    conds = pod.setdefault("status", {}).setdefault("conditions", [])
    c = next((x for x in conds if x.get("type") == ctype), None)
    if c is None:
        c = {"type": ctype}
        conds.append(c)
    if c.get("status") != status:
        c["lastTransitionTime"] = now_iso()
    c["status"] = status
    c["lastProbeTime"] = None
    for k, v in (("reason", reason), ("message", message)):
        if v:
            c[k] = v
        else:
            c.pop(k, None)
