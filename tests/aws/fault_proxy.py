#!/usr/bin/env python3
"""fault_proxy.py: an HTTP proxy on loopback in front of moto_server that
injects the EC2 faults moto cannot produce (capacity errors, throttling,
5xx, lost replies), configured at run time. Python 3 standard library only.

    fault_proxy.py --upstream http://127.0.0.1:MOTO [--port 0] [--port-file F]

Every request that is not a control request is forwarded (method, path,
headers, body) to the upstream and moto's answer is passed back, unless a
fault rule matches it first.

Control endpoints (JSON):
  POST   /_fault   add one rule (object) or several (list); see below
  GET    /_fault   the rules still armed
  DELETE /_fault   remove every rule
  GET    /_log     the EC2 requests seen, oldest first: [{"seq", "action",
                   "params", "fault", "status", "replayed", "credential"
                   (AKID/date/region/service/aws4_request), "security_token"}]
  DELETE /_log     forget the log and the ClientToken cache
  POST   /_reset   all of the above, and POST /moto-api/reset upstream
  GET    /_health  {"ok": true}

A rule:
  {"action": "RunInstances",            # EC2 Action, or "*" (default)
   "match": {"Placement.AvailabilityZone": "us-east-1a",
             "InstanceMarketOptions.MarketType": "spot"},   # exact form values
   "kind": "error" | "throttle" | "server" | "delay",
   "status": 500, "code": "InsufficientInstanceCapacity", "message": "...",
   "count": 1,                          # matches to serve; -1 = forever
   "delay": 3.0, "forward": true}       # delay only
Kinds and the HTTP statuses used (defaults; a rule may override any):
  error     status 400 with the rule's code/message in EC2's XML error format
            (<Response><Errors><Error><Code/><Message/></Error></Errors>
            <RequestID/></Response>). For InsufficientInstanceCapacity the
            default status is 500: AWS's old SDK docs list it as a "Server"
            error, and SDK reports from real accounts show "StatusCode: 500"
            with it (aws-sdk-js statusCode 500, Go SDK v2 "https response
            error StatusCode: 500 ... InsufficientInstanceCapacity"). The
            client classifies by Code, not status, so it must not retry it
            even though the status is 5xx.
  throttle  400 RequestLimitExceeded "Request limit exceeded." (EC2's
            throttling code; the client retries it by code whatever the status)
  server    500 InternalError "An internal error has occurred" (any 5xx may
            be given; "html": true sends a non-XML body, as a broken gateway
            would)
  delay     sleep "delay" seconds before answering. With "forward": true
            (default) the request is forwarded to moto FIRST and moto's answer
            is sent after the sleep (to a client that has usually timed out
            and gone): the launch happened but its reply was lost.

ClientToken: moto stores RunInstances' ClientToken but does not honour it
(moto 5.2: a repeated token launches new instances). Real EC2 answers a
repeated token with the original launch. The proxy emulates that: it keeps
the reply of every successful RunInstances by ClientToken and answers a
repeat from that cache without forwarding it ("replayed": true in the log).
Together with the "delay"+"forward" fault this shows that a retried launch
whose reply was lost starts exactly one set of instances.
"""
import argparse
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
              "te", "trailers", "transfer-encoding", "upgrade", "content-length"}

DEFAULTS = {
    "error": (400, "InvalidParameterValue", "Injected error"),
    "throttle": (400, "RequestLimitExceeded", "Request limit exceeded."),
    "server": (500, "InternalError", "An internal error has occurred"),
    "delay": (0, "", ""),
}


class State:
    def __init__(self, upstream):
        self.lock = threading.Lock()
        self.rules = []
        self.log = []
        self.tokens = {}  # ClientToken -> (status, headers, body)
        self.upstream = urllib.parse.urlsplit(upstream)

    def take_rule(self, action, params):
        """The first armed rule matching, with its count used up by one."""
        with self.lock:
            for r in self.rules:
                if r["action"] not in ("*", action):
                    continue
                if any(params.get(k) != v for k, v in r["match"].items()):
                    continue
                if r["count"] > 0:
                    r["count"] -= 1
                    if r["count"] == 0:
                        self.rules.remove(r)
                return dict(r)
        return None

    def record(self, entry):
        with self.lock:
            entry["seq"] = len(self.log) + 1
            self.log.append(entry)


def normalise_rule(r):
    if not isinstance(r, dict):
        raise ValueError("a rule is a JSON object")
    kind = r.get("kind") or ("delay" if "delay" in r else "error")
    if kind not in DEFAULTS:
        raise ValueError("unknown kind '%s' (error, throttle, server, delay)" % kind)
    status, code, message = DEFAULTS[kind]
    code = r.get("code", code)
    if kind == "error" and code == "InsufficientInstanceCapacity":
        status = 500
    count = int(r.get("count", 1))
    if count == 0:
        raise ValueError("count 0 would never match (use -1 for forever)")
    return {"action": r.get("action", "*"), "match": dict(r.get("match", {})), "kind": kind,
            "status": int(r.get("status", status)), "code": code,
            "message": r.get("message", message), "count": count,
            "delay": float(r.get("delay", 0)), "forward": bool(r.get("forward", True)),
            "html": bool(r.get("html", False))}


def error_body(code, message):
    def esc(s):
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>%s</Code>'
            '<Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>'
            % (esc(code), esc(message), uuid.uuid4())).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sky-fault-proxy/1"

    def log_message(self, fmt, *args):  # quiet unless --verbose
        if self.server.verbose:
            sys.stderr.write("fault_proxy: " + fmt % args + "\n")

    # --- plumbing ---
    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def reply(self, status, body, headers=None, ctype="text/xml;charset=UTF-8"):
        self.send_response(status)
        sent_ctype = False
        for k, v in (headers or []):
            if k.lower() in HOP_BY_HOP:
                continue
            sent_ctype |= k.lower() == "content-type"
            self.send_header(k, v)
        if not sent_ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def reply_json(self, status, obj):
        self.reply(status, json.dumps(obj).encode(), ctype="application/json")

    def forward(self, body):
        st = self.server.state
        u = st.upstream
        conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=60)
        try:
            hdrs = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            conn.request(self.command, self.path, body=body, headers=hdrs)
            resp = conn.getresponse()
            return resp.status, resp.getheaders(), resp.read()
        finally:
            conn.close()

    # --- control ---
    def control(self, body):
        st = self.server.state
        p = self.path.split("?")[0]
        if p == "/_health":
            return self.reply_json(200, {"ok": True})
        if p == "/_fault" and self.command == "POST":
            try:
                data = json.loads(body or b"null")
                rules = [normalise_rule(r) for r in (data if isinstance(data, list) else [data])]
            except (ValueError, TypeError) as e:
                return self.reply_json(400, {"error": str(e)})
            with st.lock:
                st.rules.extend(rules)
                n = len(st.rules)
            return self.reply_json(200, {"ok": True, "rules": n})
        if p == "/_fault" and self.command == "GET":
            with st.lock:
                return self.reply_json(200, list(st.rules))
        if p == "/_fault" and self.command == "DELETE":
            with st.lock:
                st.rules.clear()
            return self.reply_json(200, {"ok": True})
        if p == "/_log" and self.command == "GET":
            with st.lock:
                return self.reply_json(200, list(st.log))
        if p in ("/_log", "/_reset") and self.command in ("DELETE", "POST"):
            with st.lock:
                st.log.clear()
                st.tokens.clear()
                if p == "/_reset":
                    st.rules.clear()
            if p == "/_reset":
                self.path = "/moto-api/reset"
                status, _, _ = self.forward(b"")
                return self.reply_json(200, {"ok": status == 200})
            return self.reply_json(200, {"ok": True})
        return self.reply_json(404, {"error": "no control endpoint %s %s" % (self.command, p)})

    # --- EC2 traffic ---
    def handle_any(self):
        body = self.body()
        if self.path.startswith("/_"):
            return self.control(body)
        form = body.decode("utf-8", "replace")
        if "?" in self.path:
            form += "&" + self.path.split("?", 1)[1]
        params = {k: v[0] for k, v in urllib.parse.parse_qs(form, keep_blank_values=True).items()}
        action = params.get("Action", "")
        auth = self.headers.get("Authorization", "")
        cred = auth.split("Credential=", 1)[1].split(",")[0] if "Credential=" in auth else None
        # What the request was signed with (never the signature or a secret):
        # lets tests check which credentials and scope the client chose.
        entry = {"action": action, "params": params, "fault": None, "status": None,
                 "replayed": False, "credential": cred,
                 "security_token": "X-Amz-Security-Token" in self.headers}
        st = self.server.state
        rule = st.take_rule(action, params) if action else None
        if rule and rule["kind"] != "delay":
            entry.update(fault=rule["kind"], status=rule["status"])
            st.record(entry)
            if rule["html"]:
                return self.reply(rule["status"], b"<html><body>Bad gateway</body></html>",
                                  ctype="text/html")
            return self.reply(rule["status"], error_body(rule["code"], rule["message"]))
        token = params.get("ClientToken") if action == "RunInstances" else None
        if rule:  # delay
            entry["fault"] = "delay"
            if not rule["forward"]:
                st.record(entry)
                time.sleep(rule["delay"])
                return self.try_reply(503, error_body("ServiceUnavailable", "delayed"))
        with st.lock:
            cached = st.tokens.get(token) if token else None
        if cached:
            entry.update(status=cached[0], replayed=True)
            st.record(entry)
            return self.reply(cached[0], cached[2], cached[1])
        status, headers, rbody = self.forward(body)
        if token and status == 200:
            with st.lock:
                st.tokens[token] = (status, headers, rbody)
        entry["status"] = status
        st.record(entry)
        if rule:
            time.sleep(rule["delay"])
            return self.try_reply(status, rbody, headers)
        return self.reply(status, rbody, headers)

    def try_reply(self, status, body, headers=None):
        """A reply to a client that may have given up waiting."""
        try:
            self.reply(status, body, headers)
        except OSError:
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--upstream", required=True, help="moto_server URL")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0: any free port")
    ap.add_argument("--port-file", help="write the bound port here once listening")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    srv = ThreadingHTTPServer((a.host, a.port), Handler)
    srv.daemon_threads = True
    srv.state = State(a.upstream)
    srv.verbose = a.verbose
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.rename(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
