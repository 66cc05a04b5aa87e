#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A sample HTTP hooks server for Strand (and SRS), Python 3 standard library only.

Receives the http_hooks callbacks on the paths SRS's own sample server uses, logs
every one, and accepts or refuses publish and play by a token in the stream URL's
query string (`rtmp://HOST/live/livestream?token=secret1` reaches the hook as
`"param": "?token=secret1"`). Not for production: no TLS, no persistence.

    python3 server.py --tokens secret1,secret2         # or HOOKS_TOKENS=secret1,secret2
    python3 server.py --port 8085 --host 127.0.0.1     # the defaults
    python3 server.py --secret KEY                     # or HOOKS_SECRET=KEY: check signatures

With --secret (Strand's `http_hooks { secret KEY; }`), every POST must carry
X-Strand-Timestamp (unix seconds, at most --max-skew seconds from now) and
X-Strand-Signature: sha256=HEX, HEX = HMAC-SHA256(KEY, TIMESTAMP + "." + raw body);
anything else is answered 401 {"code": 401} (and a gated client is refused).

Endpoints (POST, JSON body, answered with HTTP 200 and {"code": 0} or {"code": 403}):
    /api/v1/clients   on_connect, on_close
    /api/v1/streams   on_publish, on_unpublish
    /api/v1/sessions  on_play, on_stop
    /api/v1/dvrs      on_dvr
    /api/v1/hls       on_hls
GET /api/v1/hls/...   on_hls_notify (answered "ok")
GET /api/v1/events    the last callbacks received, as JSON (for tests and demos)
"""

import argparse
import collections
import hashlib
import hmac
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ENDPOINTS = {
    "/api/v1/clients": ("on_connect", "on_close"),
    "/api/v1/streams": ("on_publish", "on_unpublish"),
    "/api/v1/sessions": ("on_play", "on_stop"),
    "/api/v1/dvrs": ("on_dvr",),
    "/api/v1/hls": ("on_hls",),
}
GATED = ("on_publish", "on_play")
MAX_BODY = 64 * 1024
CODE_OK = 0
CODE_DENIED = 403
CODE_BAD_REQUEST = 400
CODE_UNAUTHORIZED = 401


def log(msg):
    print("[%s] %s" % (time.strftime("%Y-%m-%d %H:%M:%S"), msg), flush=True)


def check_signature(secret, max_skew, headers, raw, now=None):
    """None when the request is signed by secret and fresh, else why not. The signature is
    HMAC-SHA256(secret, TIMESTAMP + "." + raw body) in lower-case hex after "sha256="."""
    ts = headers.get("X-Strand-Timestamp")
    sig = headers.get("X-Strand-Signature")
    if not ts or not sig:
        return "unsigned"
    if not ts.isdigit():
        return "bad timestamp"
    now = time.time() if now is None else now
    if abs(now - int(ts)) > max_skew:
        return "stale timestamp (%ss off)" % int(now - int(ts))
    want = "sha256=" + hmac.new(secret.encode(), ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, sig):  # constant time: no guessing byte by byte
        return "bad signature"
    return None


def token_of(param):
    """The token in a param such as "?token=secret1&x=1", or None."""
    query = urllib.parse.parse_qs((param or "").lstrip("?"), keep_blank_values=True)
    values = query.get("token")
    return values[0] if values else None


class Policy:
    """Who may publish and play; thread-safe record of what was received."""

    def __init__(self, tokens, delay):
        self.tokens = set(tokens)
        self.delay = delay
        self.events = collections.deque(maxlen=1000)
        self.lock = threading.Lock()

    def decide(self, action, payload):
        """(code, reason) for one callback."""
        if action == "on_connect":
            return CODE_OK, "allowed (connect is not checked here)"
        if action not in GATED:
            return CODE_OK, "notified"
        if not self.tokens:
            return CODE_OK, "allowed (no --tokens: everyone)"
        token = token_of(payload.get("param"))
        if token in self.tokens:
            return CODE_OK, "allowed (token ok)"
        return CODE_DENIED, "denied (token %s)" % ("missing" if token is None else "'%s' unknown" % token)

    def record(self, path, payload, code):
        with self.lock:
            self.events.append({"time": time.time(), "path": path, "code": code, "payload": payload})

    def snapshot(self):
        with self.lock:
            return list(self.events)


class HookHandler(BaseHTTPRequestHandler):
    server_version = "strand-api-server/1.0"
    policy = None  # set by main()
    secret = ""    # --secret: check X-Strand-Signature
    max_skew = 300

    def log_message(self, fmt, *args):
        pass  # one line per callback from handle_hook instead of the access log

    def answer(self, status, body, content_type="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def answer_code(self, code, status=200):
        self.answer(status, json.dumps({"code": code}))

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path.rstrip("/")
        if path not in ENDPOINTS:
            return self.answer_code(404, 404)
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > MAX_BODY:
            return self.answer_code(CODE_BAD_REQUEST, 400)
        raw = self.rfile.read(length)
        if self.secret:
            why = check_signature(self.secret, self.max_skew, self.headers, raw)
            if why:
                log("POST %s: refused, %s" % (path, why))
                self.policy.record(path, {"signature": why}, CODE_UNAUTHORIZED)
                return self.answer_code(CODE_UNAUTHORIZED, 401)
        try:
            payload = json.loads(raw)
            if not isinstance(payload, dict):
                raise ValueError("not an object")
        except ValueError as e:
            log("POST %s: bad JSON (%s)" % (path, e))
            return self.answer_code(CODE_BAD_REQUEST, 400)
        self.handle_hook(path, payload)

    def handle_hook(self, path, payload):
        action = payload.get("action", "")
        if action not in ENDPOINTS[path]:
            log("POST %s: unexpected action '%s' (expected %s)" % (path, action, "/".join(ENDPOINTS[path])))
        code, reason = self.policy.decide(action, payload)
        if action in GATED and self.policy.delay > 0:
            time.sleep(self.policy.delay)  # simulate a slow hook server
        self.policy.record(path, payload, code)
        stream = "%s/%s/%s" % (payload.get("vhost", ""), payload.get("app", ""), payload.get("stream", ""))
        extra = ""
        if action == "on_close":
            extra = " send_bytes=%s recv_bytes=%s" % (payload.get("send_bytes"), payload.get("recv_bytes"))
        log("%s client_id=%s ip=%s stream=%s param=%s%s -> %s" % (
            action, payload.get("client_id"), payload.get("ip"), stream, payload.get("param", ""), extra, reason))
        self.answer_code(code)

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if path.rstrip("/") == "/api/v1/events":
            return self.answer(200, json.dumps({"code": 0, "events": self.policy.snapshot()}))
        if path.startswith("/api/v1/hls/"):
            log("on_hls_notify GET %s" % self.path)
            return self.answer(200, "ok", "text/plain")
        self.answer_code(404, 404)


def parse_args(argv):
    p = argparse.ArgumentParser(description="Sample HTTP hooks server for Strand/SRS (token auth).")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8085, help="port to listen on (default 8085)")
    p.add_argument("--tokens", default=os.environ.get("HOOKS_TOKENS", ""),
                   help="comma-separated tokens that may publish and play (env HOOKS_TOKENS); "
                        "none given: everyone may")
    p.add_argument("--secret", default=os.environ.get("HOOKS_SECRET", ""),
                   help="the http_hooks secret: refuse (401) callbacks without a valid X-Strand-Signature "
                        "(env HOOKS_SECRET); none given: signatures are not checked")
    p.add_argument("--max-skew", type=int, default=300,
                   help="seconds X-Strand-Timestamp may be off from now (default 300)")
    p.add_argument("--delay", type=float, default=0.0,
                   help="seconds to wait before answering on_publish/on_play (to see the server's timeout)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    tokens = [t.strip() for t in args.tokens.split(",") if t.strip()]
    HookHandler.policy = Policy(tokens, args.delay)
    HookHandler.secret = args.secret
    HookHandler.max_skew = args.max_skew
    httpd = ThreadingHTTPServer((args.host, args.port), HookHandler)
    httpd.daemon_threads = True
    log("listening on http://%s:%d, %s" % (
        args.host, httpd.server_address[1],
        "tokens: %s" % ",".join(tokens) if tokens else "no tokens: publish and play allowed for everyone")
        + (", signatures checked" if args.secret else ""))
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()


if __name__ == "__main__":
    main()
