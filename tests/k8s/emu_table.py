"""Discovery documents and server-side Table output (what `kubectl get`
asks for with Accept: application/json;as=Table;g=meta.k8s.io;v=v1)."""

import datetime

from emu_store import KINDS

VERSION = {
    "major": "1", "minor": "32", "gitVersion": "v1.32.0-sky-emu", "gitCommit": "emulator",
    "gitTreeState": "clean", "buildDate": "2026-11-22T00:00:00Z", "goVersion": "go1.23",
    "compiler": "gc", "platform": "linux/amd64",
}

_SHORT = {"pods": ["po"], "nodes": ["no"], "services": ["svc"], "configmaps": ["cm"],
          "namespaces": ["ns"], "events": ["ev"]}
_RW = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


def api_versions(host):
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}]}


def api_groups():
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": []}


def api_resources():
    res = []
    for kind, (plural, namespaced) in sorted(KINDS.items(), key=lambda kv: kv[1][0]):
        r = {"name": plural, "singularName": kind.lower(), "namespaced": namespaced,
             "kind": kind, "verbs": list(_RW), "shortNames": _SHORT.get(plural, [])}
        if plural in ("pods", "services"):
            r["categories"] = ["all"]
        res.append(r)
    res.append({"name": "pods/log", "singularName": "", "namespaced": True, "kind": "Pod",
                "verbs": ["get"]})
    res.append({"name": "pods/status", "singularName": "", "namespaced": True, "kind": "Pod",
                "verbs": ["get", "patch", "update"]})
    res.append({"name": "nodes/status", "singularName": "", "namespaced": False, "kind": "Node",
                "verbs": ["get", "patch", "update"]})
    return {"kind": "APIResourceList", "groupVersion": "v1", "resources": res}


OPENAPI_V3_HASH = "5KYEMU0000000001"


def openapi_v3_root():
    return {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=" + OPENAPI_V3_HASH}}}


def openapi_v3_core():
    """Just enough OpenAPI v3 for kubectl: a PATCH operation per kind that
    lists the fieldValidation parameter, so kubectl create/apply use
    server-side validation instead of downloading schemas (there are none:
    the emulator does not validate fields)."""
    paths = {}
    for kind, (plural, namespaced) in KINDS.items():
        p = "/api/v1/%s%s/{name}" % ("namespaces/{namespace}/" if namespaced else "", plural)
        paths[p] = {"patch": {
            "operationId": "patchCoreV1" + kind,
            "x-kubernetes-action": "patch",
            "x-kubernetes-group-version-kind": {"group": "", "version": "v1", "kind": kind},
            "parameters": [{"name": n, "in": "query", "schema": {"type": "string", "uniqueItems": True}}
                           for n in ("dryRun", "fieldManager", "fieldValidation", "force")],
            "responses": {"200": {"description": "OK"}}}}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": VERSION["gitVersion"]},
            "paths": paths, "components": {"schemas": {}}}


# ---------------------------------------------------------------- tables

def human_age(ts):
    try:
        t = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError):
        return "<unknown>"
    s = int((datetime.datetime.now(datetime.timezone.utc) - t).total_seconds())
    s = max(s, 0)
    if s < 120:
        return "%ds" % s
    m = s // 60
    if m < 10:
        return "%dm%ds" % (m, s % 60)
    if m < 180:
        return "%dm" % m
    h = m // 60
    if h < 8:
        return "%dh%dm" % (h, m % 60)
    if h < 48:
        return "%dh" % h
    return "%dd" % (h // 24)


def _col(name, typ="string", fmt="", priority=0):
    return {"name": name, "type": typ, "format": fmt, "description": name, "priority": priority}


def pod_status_word(pod):
    """The STATUS column as kubectl's pod printer words it."""
    md, st = pod["metadata"], pod.get("status") or {}
    if md.get("deletionTimestamp"):
        return "Terminating"
    word = st.get("phase", "Pending")
    if st.get("reason"):
        word = st["reason"]
    for cs in st.get("containerStatuses") or []:
        state = cs.get("state") or {}
        if "terminated" in state:
            word = state["terminated"].get("reason") or "ExitCode:%d" % state["terminated"].get("exitCode", 0)
        elif "waiting" in state and state["waiting"].get("reason"):
            word = state["waiting"]["reason"]
    return word


def _pod_row(o):
    st = o.get("status") or {}
    css = st.get("containerStatuses") or []
    ready = sum(1 for c in css if c.get("ready"))
    total = len((o.get("spec") or {}).get("containers") or []) or len(css)
    restarts = sum(c.get("restartCount", 0) for c in css)
    return [o["metadata"]["name"], "%d/%d" % (ready, total), pod_status_word(o), restarts,
            human_age(o["metadata"].get("creationTimestamp")), st.get("podIP") or "<none>",
            (o.get("spec") or {}).get("nodeName") or "<none>", "<none>", "<none>"]


def _node_row(o):
    conds = (o.get("status") or {}).get("conditions") or []
    ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in conds)
    status = "Ready" if ready else "NotReady"
    if (o.get("spec") or {}).get("unschedulable"):
        status += ",SchedulingDisabled"
    labels = o["metadata"].get("labels") or {}
    roles = ",".join(sorted(k.split("/", 1)[1] for k in labels
                            if k.startswith("node-role.kubernetes.io/"))) or "<none>"
    info = (o.get("status") or {}).get("nodeInfo") or {}
    addrs = {a.get("type"): a.get("address") for a in (o.get("status") or {}).get("addresses") or []}
    return [o["metadata"]["name"], status, roles, human_age(o["metadata"].get("creationTimestamp")),
            info.get("kubeletVersion", ""), addrs.get("InternalIP", "<none>"),
            addrs.get("ExternalIP", "<none>"), info.get("osImage", ""), info.get("kernelVersion", ""),
            info.get("containerRuntimeVersion", "")]


def _svc_row(o):
    spec = o.get("spec") or {}
    ports = ",".join("%s/%s" % (p.get("port"), p.get("protocol", "TCP")) for p in spec.get("ports") or [])
    sel = ",".join("%s=%s" % kv for kv in sorted((spec.get("selector") or {}).items()))
    return [o["metadata"]["name"], spec.get("type", "ClusterIP"), spec.get("clusterIP", "<none>"),
            "<none>", ports or "<none>", human_age(o["metadata"].get("creationTimestamp")),
            sel or "<none>"]


TABLES = {
    "Pod": ([_col("Name", fmt="name"), _col("Ready"), _col("Status"), _col("Restarts", "string"),
             _col("Age"), _col("IP", priority=1), _col("Node", priority=1),
             _col("Nominated Node", priority=1), _col("Readiness Gates", priority=1)], _pod_row),
    "Node": ([_col("Name", fmt="name"), _col("Status"), _col("Roles"), _col("Age"), _col("Version"),
              _col("Internal-IP", priority=1), _col("External-IP", priority=1),
              _col("OS-Image", priority=1), _col("Kernel-Version", priority=1),
              _col("Container-Runtime", priority=1)], _node_row),
    "Service": ([_col("Name", fmt="name"), _col("Type"), _col("Cluster-IP"), _col("External-IP"),
                 _col("Port(s)"), _col("Age"), _col("Selector", priority=1)], _svc_row),
    "ConfigMap": ([_col("Name", fmt="name"), _col("Data", "integer"), _col("Age")],
                  lambda o: [o["metadata"]["name"], len(o.get("data") or {}) + len(o.get("binaryData") or {}),
                             human_age(o["metadata"].get("creationTimestamp"))]),
    "Namespace": ([_col("Name", fmt="name"), _col("Status"), _col("Age")],
                  lambda o: [o["metadata"]["name"], (o.get("status") or {}).get("phase", "Active"),
                             human_age(o["metadata"].get("creationTimestamp"))]),
}
_GENERIC = ([_col("Name", fmt="name"), _col("Age")],
            lambda o: [o["metadata"]["name"], human_age(o["metadata"].get("creationTimestamp"))])


def _partial(o, include):
    if include == "None":
        return None
    if include == "Object":
        return o
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]}


def to_table(kind, objs, rv, include="Metadata", with_columns=True):
    cols, row = TABLES.get(kind, _GENERIC)
    table = {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": str(rv)},
             "columnDefinitions": cols if with_columns else [],
             "rows": []}
    for o in objs:
        r = {"cells": row(o)}
        obj = _partial(o, include)
        if obj is not None:
            r["object"] = obj
        table["rows"].append(r)
    return table
