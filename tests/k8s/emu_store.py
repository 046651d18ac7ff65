"""Object store of the Kubernetes API emulator: objects, resourceVersion,
bounded watch history, label and field selectors.

One lock guards everything; a Condition on it wakes the watch streams.
resourceVersion is one global counter (as etcd's revision is): every write
bumps it and appends an event (rv, type, object, previous object) to the
history. The history is bounded; `floor` is the highest RV whose successors
are all still in the history: a watch from an RV below it is answered 410
Gone, as the real server does once etcd compacted that revision.
"""

import collections
import copy
import datetime
import re
import threading
import uuid


class ApiError(Exception):
    """An error the API answers with a Status object."""

    def __init__(self, code, reason, message):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# kind -> (plural, namespaced)
KINDS = {
    "Namespace": ("namespaces", False),
    "Node": ("nodes", False),
    "Pod": ("pods", True),
    "Service": ("services", True),
    "ConfigMap": ("configmaps", True),
    "Event": ("events", True),
}
PLURAL_TO_KIND = {v[0]: k for k, v in KINDS.items()}


# ---------------------------------------------------------------- selectors

_REQ_SET = re.compile(r"^\s*([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")
_REQ_OP = re.compile(r"^\s*([^\s!=()]+)\s*(==|=|!=)\s*([^\s!=()]*)\s*$")
_REQ_EXISTS = re.compile(r"^\s*(!?)\s*([^\s!=()]+)\s*$")


def _split_selector(sel):
    """Split on commas outside parentheses."""
    parts, depth, cur = [], 0, ""
    for ch in sel:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return parts


def parse_label_selector(sel):
    """Return a list of predicates on a labels dict; ApiError 400 if bad."""
    preds = []
    for part in _split_selector(sel or ""):
        m = _REQ_SET.match(part)
        if m:
            key, op = m.group(1), m.group(2)
            vals = {v.strip() for v in m.group(3).split(",") if v.strip()}
            if op == "in":
                preds.append(lambda lab, k=key, vs=vals: lab.get(k) in vs)
            else:
                preds.append(lambda lab, k=key, vs=vals: lab.get(k) not in vs)
            continue
        m = _REQ_OP.match(part)
        if m:
            key, op, val = m.groups()
            if op == "!=":
                preds.append(lambda lab, k=key, v=val: lab.get(k) != v)
            else:
                preds.append(lambda lab, k=key, v=val: lab.get(k) == v)
            continue
        m = _REQ_EXISTS.match(part)
        if m:
            neg, key = m.groups()
            if neg:
                preds.append(lambda lab, k=key: k not in lab)
            else:
                preds.append(lambda lab, k=key: k in lab)
            continue
        raise ApiError(400, "BadRequest",
                       "unable to parse requirement: invalid label selector %r" % part.strip())
    return preds


FIELD_PATHS = {
    "metadata.name": lambda o: o["metadata"].get("name", ""),
    "metadata.namespace": lambda o: o["metadata"].get("namespace", ""),
    "spec.nodeName": lambda o: (o.get("spec") or {}).get("nodeName", ""),
    "status.phase": lambda o: (o.get("status") or {}).get("phase", ""),
    "spec.unschedulable": lambda o: str(bool((o.get("spec") or {}).get("unschedulable"))).lower(),
}


def parse_field_selector(sel, kind):
    preds = []
    for part in _split_selector(sel or ""):
        m = _REQ_OP.match(part)
        if not m:
            raise ApiError(400, "BadRequest", "invalid field selector: %r" % part.strip())
        key, op, val = m.groups()
        get = FIELD_PATHS.get(key)
        if get is None and kind == "Event" and key.startswith("involvedObject."):
            get = (lambda o, f=key.split(".", 1)[1]: str((o.get("involvedObject") or {}).get(f, "")))
        if get is None or (key in ("spec.nodeName", "status.phase") and kind != "Pod") \
                or (key == "spec.unschedulable" and kind != "Node"):
            raise ApiError(400, "BadRequest",
                           'field label not supported: %s' % key)
        if op == "!=":
            preds.append(lambda o, g=get, v=val: g(o) != v)
        else:
            preds.append(lambda o, g=get, v=val: g(o) == v)
    return preds


def make_filter(kind, namespace, label_sel, field_sel):
    """A predicate on objects for a list/watch request."""
    lpreds = parse_label_selector(label_sel)
    fpreds = parse_field_selector(field_sel, kind)

    def match(obj):
        if obj.get("kind") != kind:
            return False
        if namespace and obj["metadata"].get("namespace") != namespace:
            return False
        labels = obj["metadata"].get("labels") or {}
        return all(p(labels) for p in lpreds) and all(p(obj) for p in fpreds)
    return match


# ---------------------------------------------------------------- store

class Store:
    def __init__(self, history=1000):
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.rv = 1
        self.objs = {}  # (kind, ns, name) -> obj
        self.history = collections.deque()
        self.history_max = history
        self.floor = 1
        self.watch_epoch = 0  # bumped by drop_watches
        self.listeners = []  # callables(type, obj, old) run under the lock

    # -- helpers
    @staticmethod
    def key(kind, ns, name):
        return (kind, ns or "", name)

    def _record(self, etype, obj, old):
        self.history.append((self.rv, etype, copy.deepcopy(obj), copy.deepcopy(old) if old else None))
        while len(self.history) > self.history_max:
            self.floor = self.history.popleft()[0]
        for fn in self.listeners:
            fn(etype, obj, old)
        self.cond.notify_all()

    def _bump(self, obj):
        self.rv += 1
        obj["metadata"]["resourceVersion"] = str(self.rv)

    # -- reads
    def get(self, kind, ns, name):
        with self.lock:
            obj = self.objs.get(self.key(kind, ns, name))
            return copy.deepcopy(obj) if obj else None

    def get_or_404(self, kind, ns, name):
        obj = self.get(kind, ns, name)
        if obj is None:
            raise ApiError(404, "NotFound", '%s "%s" not found' % (KINDS[kind][0], name))
        return obj

    def list(self, match):
        with self.lock:
            items = [copy.deepcopy(o) for o in self.objs.values() if match(o)]
            rv = self.rv
        items.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
        return items, rv

    # -- writes
    def create(self, obj):
        md = obj.setdefault("metadata", {})
        kind = obj["kind"]
        with self.lock:
            if not md.get("name") and md.get("generateName"):
                md["name"] = md["generateName"] + uuid.uuid4().hex[:5]
            name = md.get("name")
            if not name:
                raise ApiError(422, "Invalid", "%s.metadata.name: Required value: name or generateName is required"
                               % kind)
            ns = md.get("namespace", "")
            if ns and kind != "Namespace" and self.key("Namespace", "", ns) not in self.objs:
                raise ApiError(404, "NotFound", 'namespaces "%s" not found' % ns)
            k = self.key(kind, ns, name)
            if k in self.objs:
                raise ApiError(409, "AlreadyExists", '%s "%s" already exists' % (KINDS[kind][0], name))
            md["uid"] = str(uuid.uuid4())
            md["creationTimestamp"] = now_iso()
            if kind in ("Pod", "Service"):
                md.setdefault("generation", 1)
            md.pop("deletionTimestamp", None)
            self._bump(obj)
            self.objs[k] = obj
            self._record("ADDED", obj, None)
            return copy.deepcopy(obj)

    def update(self, kind, ns, name, mutate, spec_change=True):
        """Apply mutate(obj) (in place) to the stored object; MODIFIED event.
        Returns the new object, or None when mutate returned False."""
        with self.lock:
            obj = self.objs.get(self.key(kind, ns, name))
            if obj is None:
                raise ApiError(404, "NotFound", '%s "%s" not found' % (KINDS[kind][0], name))
            old = copy.deepcopy(obj)
            if mutate(obj) is False:
                return None
            if spec_change and old.get("spec") != obj.get("spec") and "generation" in obj["metadata"]:
                obj["metadata"]["generation"] = old["metadata"].get("generation", 1) + 1
            self._bump(obj)
            self._record("MODIFIED", obj, old)
            return copy.deepcopy(obj)

    def remove(self, kind, ns, name):
        """Remove now; DELETED event. Returns the last state or None."""
        with self.lock:
            obj = self.objs.pop(self.key(kind, ns, name), None)
            if obj is None:
                return None
            self._bump(obj)
            self._record("DELETED", obj, None)
            return copy.deepcopy(obj)

    # -- watch
    def compact(self):
        with self.lock:
            self.history.clear()
            self.floor = self.rv
            return self.rv

    def drop_watches(self):
        with self.lock:
            self.watch_epoch += 1
            self.cond.notify_all()
