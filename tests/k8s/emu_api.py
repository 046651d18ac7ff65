"""HTTPS request handler of the emulator: authentication, routing, the
core/v1 verbs, watch streams, Table output and pods/log."""

import base64
import copy
import http.server
import json
import os
import ssl
import time
import urllib.parse

import emu_proto
import emu_table
from emu_objects import apply_patch, default_object
from emu_store import KINDS, PLURAL_TO_KIND, ApiError, make_filter
from emu_nodes import fill_node_status


def status_obj(code, reason, message, status="Failure", details=None):
    st = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": status, "message": message,
          "reason": reason, "code": code}
    if details:
        st["details"] = details
    return st


def list_kind(kind):
    return kind + "List"


class ApiHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sky-k8s-emu"
    emu = None  # set by k8s_emu.py: the Emulator (store, runtime, config)

    # -- plumbing
    def setup(self):
        # Handshake in the worker thread, not in accept().
        try:
            self.request = self.emu.ssl_ctx.wrap_socket(self.request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.emu.log("TLS handshake failed: %s" % e)
            self.request.close()
            raise
        super().setup()

    def finish(self):
        try:
            super().finish()
        finally:
            try:
                self.request.close()
            except OSError:
                pass

    def handle(self):
        try:
            super().handle()
        except (ConnectionError, ssl.SSLError, OSError):
            pass

    def log_message(self, fmt, *args):
        self.emu.log("%s %s" % (self.address_string(), fmt % args))

    def _send(self, code, body, ctype="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _send_error(self, e, plural=None, name=None):
        det = {"name": name, "kind": plural} if name else None
        self._send(e.code, status_obj(e.code, e.reason, e.message, details=det))

    def _chunk(self, data):
        if isinstance(data, str):
            data = data.encode()
        if data:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

    def _start_chunked(self, ctype):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        self.wfile.flush()

    def _end_chunked(self):
        try:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            pass
        self.close_connection = True

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _json_body(self):
        raw = self._body()
        ctype = self.headers.get("Content-Type", "application/json").split(";")[0].strip()
        if ctype == "application/vnd.kubernetes.protobuf":
            return emu_proto.decode(raw)
        if ctype not in ("application/json", "", "*/*"):
            raise ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                           "accepted media types include: application/json, application/yaml")
        try:
            obj = json.loads(raw or b"{}")
        except ValueError as e:
            raise ApiError(400, "BadRequest", "the request body is not JSON: %s" % e)
        if not isinstance(obj, dict):
            raise ApiError(400, "BadRequest", "the request body must be a JSON object")
        return obj

    # -- auth: a client certificate the TLS layer verified, or a known token
    def _authenticated(self):
        cfg = self.emu.cfg
        if cfg.auth in ("cert", "both"):
            try:
                if self.connection.getpeercert():
                    return True
            except (ValueError, AttributeError):
                pass
        if cfg.auth in ("token", "both"):
            h = self.headers.get("Authorization", "")
            if h.startswith("Bearer ") and h[7:].strip() in cfg.tokens:
                return True
        return False

    # -- dispatch
    def do_GET(self):
        self._dispatch("GET")

    def do_HEAD(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, verb):
        url = urllib.parse.urlsplit(self.path)
        self.q = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        path = url.path.rstrip("/") or "/"
        plural = name = None
        try:
            if path in ("/healthz", "/readyz", "/livez"):
                return self._send(200, b"ok", "text/plain")
            if not self._authenticated():
                self._body()
                return self._send(401, status_obj(401, "Unauthorized", "Unauthorized"))
            if path == "/version":
                return self._send(200, emu_table.VERSION)
            if path == "/api":
                return self._send(200, emu_table.api_versions(self.headers.get("Host", "")))
            if path == "/api/v1":
                return self._send(200, emu_table.api_resources())
            if path == "/apis":
                return self._send(200, emu_table.api_groups())
            if path == "/openapi/v3":
                return self._send(200, emu_table.openapi_v3_root())
            if path == "/openapi/v3/api/v1":
                return self._send(200, emu_table.openapi_v3_core())
            if path.startswith("/openapi/") or path.startswith("/apis/"):
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            parts = path.split("/")[3:] if path.startswith("/api/v1/") else None
            if not parts:
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            ns, rest = "", parts
            if parts[0] == "namespaces" and len(parts) >= 3:
                ns, rest = parts[1], parts[2:]
            elif parts[0] == "namespaces" and len(parts) == 2:
                rest = parts
            plural = rest[0]
            kind = PLURAL_TO_KIND.get(plural)
            if kind is None or (ns and not KINDS[kind][1]):
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            name = rest[1] if len(rest) > 1 else None
            sub = rest[2] if len(rest) > 2 else None
            if len(rest) > 3:
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            self._route(verb, kind, plural, ns, name, sub)
        except ApiError as e:
            self._send_error(e, plural, name)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _route(self, verb, kind, plural, ns, name, sub):
        if sub not in (None, "status", "log"):
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if sub == "log":
            if kind != "Pod" or verb != "GET":
                raise ApiError(405, "MethodNotAllowed", "the server does not allow this method")
            return self._pod_log(ns, name)
        if name is None:
            if verb == "GET":
                if self.q.get("watch") in ("1", "true"):
                    return self._watch(kind, ns)
                return self._list(kind, ns)
            if verb == "POST":
                return self._create(kind, plural, ns)
            if verb == "DELETE":
                return self._delete_collection(kind, ns)
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        if verb == "GET":
            obj = self.emu.store.get_or_404(kind, ns, name)
            return self._send_obj(kind, obj)
        if verb == "PUT":
            return self._replace(kind, ns, name, sub)
        if verb == "PATCH":
            return self._patch(kind, ns, name, sub)
        if verb == "DELETE":
            return self._delete(kind, plural, ns, name)
        raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")

    # -- output
    def _wants_table(self):
        return "as=Table" in self.headers.get("Accept", "")

    def _send_obj(self, kind, obj, code=200):
        if self._wants_table():
            return self._send(code, emu_table.to_table(kind, [obj], obj["metadata"]["resourceVersion"],
                                                       self.q.get("includeObject", "Metadata")))
        return self._send(code, obj)

    # -- list
    def _list(self, kind, ns):
        match = make_filter(kind, ns, self.q.get("labelSelector"), self.q.get("fieldSelector"))
        items, rv = self.emu.store.list(match)
        meta = {"resourceVersion": str(rv)}
        limit = int(self.q.get("limit") or 0)
        start = 0
        if self.q.get("continue"):
            try:
                tok = json.loads(base64.b64decode(self.q["continue"]))
                start, tok_rv = int(tok["start"]), int(tok["rv"])
            except (ValueError, KeyError, TypeError):
                raise ApiError(400, "BadRequest", "invalid continue token")
            if tok_rv < self.emu.store.floor:
                raise ApiError(410, "Expired", "The provided continue parameter is too old to display a "
                               "consistent list result. You can start a new list without the continue "
                               "parameter, or use the continue token in this response to retrieve the "
                               "remainder of the results.")
        if limit > 0 or start:
            end = start + limit if limit > 0 else len(items)
            if end < len(items):
                meta["continue"] = base64.b64encode(json.dumps({"start": end, "rv": rv}).encode()).decode()
                meta["remainingItemCount"] = len(items) - end
            items = items[start:end]
        if self._wants_table():
            t = emu_table.to_table(kind, items, rv, self.q.get("includeObject", "Metadata"))
            t["metadata"].update(meta)
            return self._send(200, t)
        for it in items:
            it.pop("kind", None)
            it.pop("apiVersion", None)
        return self._send(200, {"kind": list_kind(kind), "apiVersion": "v1", "metadata": meta, "items": items})

    # -- watch
    def _watch(self, kind, ns):
        store, cfg = self.emu.store, self.emu.cfg
        match = make_filter(kind, ns, self.q.get("labelSelector"), self.q.get("fieldSelector"))
        table = self._wants_table()
        include = self.q.get("includeObject", "Metadata")
        bookmarks = self.q.get("allowWatchBookmarks") in ("1", "true")
        timeout = float(self.q.get("timeoutSeconds") or 0) or None
        deadline = time.time() + timeout if timeout else None
        rv_param = self.q.get("resourceVersion", "")
        with store.lock:
            epoch = store.watch_epoch
            if rv_param in ("", "0"):
                initial = [("ADDED", copy.deepcopy(o)) for o in store.objs.values() if match(o)]
                cursor = store.rv
                gone = None
            else:
                try:
                    cursor = int(rv_param)
                except ValueError:
                    raise ApiError(400, "BadRequest", "invalid resourceVersion %r" % rv_param)
                initial = []
                gone = cursor if cursor < store.floor else None
                floor = store.floor
        self.connection.settimeout(None)
        self._start_chunked("application/json;as=Table;v=v1;g=meta.k8s.io" if table else "application/json")
        state = {"first": True}

        def emit(etype, obj):
            if table and etype in ("ADDED", "MODIFIED", "DELETED"):
                obj = emu_table.to_table(kind, [obj], obj["metadata"]["resourceVersion"], include,
                                         with_columns=state["first"])
                state["first"] = False
            self._chunk(json.dumps({"type": etype, "object": obj}) + "\n")

        def expired(rv, floor_rv):
            emit("ERROR", status_obj(410, "Expired", "too old resource version: %d (%d)" % (rv, floor_rv)))

        try:
            if gone is not None:
                expired(gone, floor)
                return self._end_chunked()
            for etype, o in sorted(initial, key=lambda e: int(e[1]["metadata"]["resourceVersion"])):
                emit(etype, o)
            last_bm = time.time()
            self.emu.watch_opened()
            while True:
                with store.cond:
                    if not (store.history and store.history[-1][0] > cursor) and store.watch_epoch == epoch \
                            and not self.emu.stopping:
                        store.cond.wait(0.5)
                    if store.watch_epoch != epoch or self.emu.stopping:
                        break
                    if cursor < store.floor:
                        expired(cursor, store.floor)
                        break
                    evs = [e for e in store.history if e[0] > cursor]
                    if evs:
                        cursor = evs[-1][0]
                    now_rv = store.rv
                for rv, etype, obj, old in evs:
                    etype = self._transition(etype, match, obj, old)
                    if etype:
                        emit(etype, obj)
                now = time.time()
                if bookmarks and now - last_bm >= cfg.bookmark_secs:
                    last_bm = now
                    self._chunk(json.dumps({"type": "BOOKMARK", "object": {
                        "kind": kind, "apiVersion": "v1",
                        "metadata": {"resourceVersion": str(max(cursor, now_rv))}}}) + "\n")
                if deadline and now >= deadline:
                    break
        except OSError:
            self.close_connection = True
            return
        finally:
            self.emu.watch_closed()
        self._end_chunked()

    @staticmethod
    def _transition(etype, match, obj, old):
        """The event a filtered watch reports: an object entering or leaving
        the selection is ADDED or DELETED, as the real watch cache does."""
        now = match(obj)
        if etype == "MODIFIED":
            was = match(old) if old else False
            if now and was:
                return "MODIFIED"
            if now:
                return "ADDED"
            return "DELETED" if was else None
        return etype if now else None

    # -- create / replace / patch
    def _create(self, kind, plural, ns):
        obj = self._json_body()
        if obj.get("kind") not in (None, kind):
            raise ApiError(400, "BadRequest", "the kind %r does not match the resource %r" % (obj.get("kind"), plural))
        obj = dict({"kind": kind, "apiVersion": "v1"}, **obj)
        default_object(obj, kind, ns)
        if kind == "Node":
            fill_node_status(obj)
        if self.q.get("dryRun") == "All":
            return self._send_obj(kind, obj, 201)
        created = self.emu.store.create(obj)
        return self._send_obj(kind, created, 201)

    def _replace(self, kind, ns, name, sub):
        new = self._json_body()
        rv = (new.get("metadata") or {}).get("resourceVersion")

        def mutate(cur):
            if rv and rv != cur["metadata"]["resourceVersion"]:
                raise ApiError(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": the object has been '
                               'modified; please apply your changes to the latest version and try again'
                               % (KINDS[kind][0], name))
            if sub == "status":
                cur["status"] = new.get("status", {})
                return
            keep = {k: cur["metadata"][k] for k in ("uid", "creationTimestamp", "namespace", "generation",
                                                    "deletionTimestamp") if k in cur["metadata"]}
            status = cur.get("status")
            cur.clear()
            cur.update(new)
            cur["kind"], cur["apiVersion"] = kind, "v1"
            cur.setdefault("metadata", {}).update(keep)
            cur["metadata"]["name"] = name
            if status is not None and kind != "ConfigMap":
                cur["status"] = status
        return self._send_obj(kind, self.emu.store.update(kind, ns, name, mutate))

    def _patch(self, kind, ns, name, sub):
        body = self._body()
        ctype = self.headers.get("Content-Type", "")

        def mutate(cur):
            patched = apply_patch(copy.deepcopy(cur), ctype, body)
            for k in ("uid", "creationTimestamp", "name", "namespace"):
                if k in cur["metadata"]:
                    patched.setdefault("metadata", {})[k] = cur["metadata"][k]
            if sub == "status":
                cur["status"] = patched.get("status", {})
            else:
                if kind not in ("ConfigMap",) and "status" in cur:
                    patched["status"] = cur["status"]
                cur.clear()
                cur.update(patched)
        return self._send_obj(kind, self.emu.store.update(kind, ns, name, mutate))

    # -- delete
    def _delete_options(self):
        opts = {}
        raw = self._body()
        if raw:
            try:
                opts = json.loads(raw)
            except ValueError:
                raise ApiError(400, "BadRequest", "DeleteOptions body is not JSON")
        for k in ("gracePeriodSeconds", "propagationPolicy", "dryRun"):
            if k in self.q:
                opts[k] = self.q[k]
        if opts.get("gracePeriodSeconds") is not None:
            opts["gracePeriodSeconds"] = int(opts["gracePeriodSeconds"])
        return opts

    def _delete(self, kind, plural, ns, name):
        opts = self._delete_options()
        obj = self.emu.store.get_or_404(kind, ns, name)
        if opts.get("dryRun") in ("All", ["All"]):
            return self._send_obj(kind, obj)
        last = self.emu.delete_object(kind, ns, name, opts)
        if kind == "Pod" or kind == "Namespace":
            return self._send_obj(kind, last or obj)
        return self._send(200, status_obj(200, "", "", status="Success",
                                          details={"name": name, "kind": plural, "uid": obj["metadata"]["uid"]}))

    def _delete_collection(self, kind, ns):
        opts = self._delete_options()
        match = make_filter(kind, ns, self.q.get("labelSelector"), self.q.get("fieldSelector"))
        items, rv = self.emu.store.list(match)
        for o in items:
            self.emu.delete_object(kind, o["metadata"].get("namespace", ""), o["metadata"]["name"], opts)
        return self._send(200, {"kind": list_kind(kind), "apiVersion": "v1",
                                "metadata": {"resourceVersion": str(self.emu.store.rv)}, "items": items})

    # -- pods/log
    def _pod_log(self, ns, name):
        pod = self.emu.store.get_or_404("Pod", ns, name)
        path = self.emu.runtime.log_path(pod)
        cname = pod["spec"]["containers"][0]["name"]
        if not os.path.exists(path):
            raise ApiError(400, "BadRequest", 'container "%s" in pod "%s" is waiting to start: ContainerCreating'
                           % (cname, name))
        follow = self.q.get("follow") in ("1", "true")
        with open(path, "rb") as f:
            data = f.read()
            tail = self.q.get("tailLines")
            if tail is not None:
                lines = data.splitlines(keepends=True)
                data = b"".join(lines[-int(tail):]) if int(tail) > 0 else b""
            if not follow:
                return self._send(200, data, "text/plain")
            self.connection.settimeout(None)
            self._start_chunked("text/plain")
            try:
                self._chunk(data)
                while not self.emu.stopping:
                    more = f.read()
                    if more:
                        self._chunk(more)
                        continue
                    cur = self.emu.store.get("Pod", ns, name)
                    if cur is None or self.emu.runtime.finished(cur):
                        self._chunk(f.read())
                        break
                    time.sleep(0.1)
            except OSError:
                self.close_connection = True
                return
        self._end_chunked()

