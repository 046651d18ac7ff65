"""Object defaulting, validation and patching for the emulator's API
(what the real apiserver's registry strategies do, cut to what tests need)."""

import copy
import itertools
import json

from emu_store import ApiError, KINDS

_cluster_ips = itertools.count(10)


def default_object(obj, kind, ns):
    """Fill what the API server fills on create; raise 422 on what it refuses."""
    obj["kind"] = kind
    obj["apiVersion"] = "v1"
    md = obj.setdefault("metadata", {})
    if KINDS[kind][1]:
        if md.get("namespace") and md["namespace"] != ns:
            raise ApiError(400, "BadRequest",
                           "the namespace of the provided object does not match the namespace sent on the request")
        md["namespace"] = ns
    else:
        md.pop("namespace", None)
    for k in ("uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"):
        md.pop(k, None)
    if kind == "Pod":
        _default_pod(obj)
    elif kind == "Service":
        spec = obj.setdefault("spec", {})
        spec.setdefault("type", "ClusterIP")
        if not spec.get("clusterIP"):
            spec["clusterIP"] = "10.96.0.%d" % (next(_cluster_ips) % 250)
        spec["clusterIPs"] = [spec["clusterIP"]]
        for p in spec.get("ports") or []:
            p.setdefault("protocol", "TCP")
            p.setdefault("targetPort", p.get("port"))
        spec.setdefault("sessionAffinity", "None")
        obj["status"] = {"loadBalancer": {}}
    elif kind == "Namespace":
        obj["spec"] = {"finalizers": ["kubernetes"]}
        obj["status"] = {"phase": "Active"}
        md.setdefault("labels", {})["kubernetes.io/metadata.name"] = md.get("name", "")
    elif kind == "ConfigMap":
        for k, v in (obj.get("data") or {}).items():
            if not isinstance(v, str):
                raise ApiError(400, "BadRequest", "ConfigMap data[%s] must be a string" % k)
    return obj


def _default_pod(pod):
    spec = pod.setdefault("spec", {})
    ctrs = spec.get("containers")
    if not ctrs:
        raise ApiError(422, "Invalid", 'Pod "%s" is invalid: spec.containers: Required value'
                       % pod["metadata"].get("name", ""))
    for i, c in enumerate(ctrs):
        for f in ("name", "image"):
            if not c.get(f):
                raise ApiError(422, "Invalid", 'Pod "%s" is invalid: spec.containers[%d].%s: Required value'
                               % (pod["metadata"].get("name", ""), i, f))
        c.setdefault("imagePullPolicy", "IfNotPresent")
        c.setdefault("terminationMessagePath", "/dev/termination-log")
        c.setdefault("terminationMessagePolicy", "File")
        c.setdefault("resources", {})
        # Extended resources: a limit without a request makes the request.
        res = c["resources"]
        for k, v in (res.get("limits") or {}).items():
            res.setdefault("requests", {}).setdefault(k, v)
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("serviceAccountName", "default")
    spec.setdefault("securityContext", {})
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("priority", 0)
    tol = spec.setdefault("tolerations", [])
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
        tol.append({"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300})
    pod["status"] = {"phase": "Pending", "qosClass": _qos_class(ctrs)}


def _qos_class(ctrs):
    reqs = [c.get("resources") or {} for c in ctrs]
    if all(r.get("limits") and r.get("requests") == r.get("limits") for r in reqs):
        return "Guaranteed"
    if any(r.get("requests") or r.get("limits") for r in reqs):
        return "Burstable"
    return "BestEffort"


# ---------------------------------------------------------------- patch

def merge_patch(target, patch):
    """RFC 7386 JSON merge patch (strategic merge patch is treated the same:
    lists are replaced, not merged by key)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if not isinstance(target, dict):
        target = {}
    for k, v in patch.items():
        if k.startswith("$"):  # strategic-merge directives ($patch, $retainKeys...)
            continue
        if v is None:
            target.pop(k, None)
        else:
            target[k] = merge_patch(target.get(k), v)
    return target


def _pointer(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise ApiError(422, "Invalid", "json patch path %r must start with /" % path)
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def json_patch(doc, ops):
    """RFC 6902 for add, remove, replace, test (enough for kubectl and clients)."""
    if not isinstance(ops, list):
        raise ApiError(400, "BadRequest", "json patch must be a list of operations")
    for op in ops:
        parts = _pointer(op.get("path", ""))
        if not parts:
            raise ApiError(422, "Invalid", "json patch on the whole document is not supported")
        parent = doc
        for p in parts[:-1]:
            parent = parent[int(p)] if isinstance(parent, list) else parent.setdefault(p, {})
        last, kind = parts[-1], op.get("op")
        try:
            if kind == "test":
                cur = parent[int(last)] if isinstance(parent, list) else parent.get(last)
                if cur != op.get("value"):
                    raise ApiError(422, "Invalid", "json patch test failed at %s" % op.get("path"))
            elif kind == "remove":
                if isinstance(parent, list):
                    parent.pop(int(last))
                else:
                    del parent[last]
            elif kind in ("add", "replace"):
                if isinstance(parent, list):
                    if last == "-":
                        parent.append(op.get("value"))
                    elif kind == "add":
                        parent.insert(int(last), op.get("value"))
                    else:
                        parent[int(last)] = op.get("value")
                else:
                    if kind == "replace" and last not in parent:
                        raise ApiError(422, "Invalid", "json patch replace: missing %s" % op.get("path"))
                    parent[last] = op.get("value")
            else:
                raise ApiError(422, "Invalid", "json patch op %r not supported" % kind)
        except (KeyError, IndexError, ValueError):
            raise ApiError(422, "Invalid", "json patch: path %s not found" % op.get("path"))
    return doc


def apply_patch(obj, ctype, body):
    try:
        patch = json.loads(body or b"null")
    except ValueError as e:
        raise ApiError(400, "BadRequest", "patch body is not JSON: %s" % e)
    ctype = (ctype or "").split(";")[0].strip()
    if ctype in ("application/merge-patch+json", "application/strategic-merge-patch+json"):
        return merge_patch(obj, patch)
    if ctype == "application/json-patch+json":
        return json_patch(obj, patch)
    raise ApiError(415, "UnsupportedMediaType",
                   "the body of the request was in an unknown format - accepted media types include: "
                   "application/json-patch+json, application/merge-patch+json, "
                   "application/strategic-merge-patch+json")
