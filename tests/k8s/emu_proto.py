"""Decoding of the Kubernetes protobuf wire format for the few objects
kubectl's typed generators send that way (`kubectl create configmap`,
`kubectl create namespace`): the "k8s\\0" envelope, runtime.Unknown, and
the ObjectMeta fields a client sets. The emulator answers in JSON, which
kubectl also accepts."""

import base64

from emu_store import ApiError

MAGIC = b"k8s\x00"


def _varint(buf, i):
    shift = val = 0
    while True:
        if i >= len(buf):
            raise ApiError(400, "BadRequest", "truncated protobuf body")
        b = buf[i]
        i += 1
        val |= (b & 0x7F) << shift
        if not b & 0x80:
            return val, i
        shift += 7


def _fields(buf):
    """(field number, wire type, value) of one message; bytes for type 2."""
    i, out = 0, []
    while i < len(buf):
        key, i = _varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            val, i = _varint(buf, i)
        elif wt == 2:
            n, i = _varint(buf, i)
            val, i = buf[i:i + n], i + n
        elif wt == 1:
            val, i = buf[i:i + 8], i + 8
        elif wt == 5:
            val, i = buf[i:i + 4], i + 4
        else:
            raise ApiError(400, "BadRequest", "unsupported protobuf wire type %d" % wt)
        out.append((num, wt, val))
    return out


def _map_entry(buf):
    f = {n: v for n, _w, v in _fields(buf)}
    return f.get(1, b"").decode(), f.get(2, b"")


def _meta(buf):
    md = {}
    names = {1: "name", 2: "generateName", 3: "namespace"}
    for num, _wt, val in _fields(buf):
        if num in names and val:
            md[names[num]] = val.decode()
        elif num in (11, 12):
            k, v = _map_entry(val)
            md.setdefault("labels" if num == 11 else "annotations", {})[k] = v.decode()
        elif num == 14:
            md.setdefault("finalizers", []).append(val.decode())
    return md


def decode(raw):
    """A JSON-like object from a k8s protobuf body; 415 for other kinds."""
    if not raw.startswith(MAGIC):
        raise ApiError(400, "BadRequest", "protobuf body without the k8s envelope")
    unknown = {n: v for n, _w, v in _fields(raw[len(MAGIC):])}
    tm = {n: v.decode() for n, _w, v in _fields(unknown.get(1, b""))}
    kind = tm.get(2, "")
    obj = {"apiVersion": tm.get(1, "v1"), "kind": kind}
    body = _fields(unknown.get(2, b""))
    if kind == "ConfigMap":
        for num, _wt, val in body:
            if num == 1:
                obj["metadata"] = _meta(val)
            elif num in (2, 3):
                k, v = _map_entry(val)
                if num == 2:
                    obj.setdefault("data", {})[k] = v.decode()
                else:
                    obj.setdefault("binaryData", {})[k] = base64.b64encode(v).decode()
            elif num == 4:
                obj["immutable"] = bool(val)
    elif kind == "Namespace":
        for num, _wt, val in body:
            if num == 1:
                obj["metadata"] = _meta(val)
    else:
        raise ApiError(415, "UnsupportedMediaType", "the emulator decodes protobuf only for ConfigMap and "
                       "Namespace; send application/json")
    return obj
