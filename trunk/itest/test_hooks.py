# SPDX-License-Identifier: MIT
"""HTTP hooks (vhost http_hooks) against a real hook server: a threaded http.server in
the test process records every callback (path, JSON body, arrival time) and answers each
path as told: allow ({"code":0} or a bare 0), deny ({"code":403} with 200, or HTTP 500),
or after a delay. Real clients: ffmpeg/ffprobe over RTMP, HTTP-FLV with the stdlib client,
and the sample hooks server research/api-server/server.py for token auth."""

import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from strand_env import ROOT, api, api_ok, check, free_port, http_body, http_request, port_accepts, wait_log
from test_ops import wait_exit
from test_rtmp import count_packets, expect_alive

EVENTS = ("on_connect", "on_close", "on_publish", "on_unpublish", "on_play", "on_stop")
COMMON = ("server_id", "service_id", "action", "client_id", "ip", "vhost", "app")


# ---------------------------------------------------------------- the hook server


class HookServer:
    """A hook server on a free port of 127.0.0.1. Every POST is recorded on arrival (before
    any delay) as {path, action, body (parsed JSON or None), raw, headers, t (monotonic),
    seq (arrival order)}.
    set(path, mode, delay=0) decides the answer of a path: "allow" ({"code":0}), "allow0"
    (a bare 0), "deny" (200 {"code":403}), "error" (HTTP 500) or bytes (200 with that
    body); delay sleeps first.
    Unknown paths are allowed."""

    def __init__(self):
        self.records = []
        self.rules = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        hs = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n) if n > 0 else b""
                try:
                    body = json.loads(raw.decode("utf-8"))
                except ValueError:
                    body = None
                path = self.path
                rec = {"path": path, "raw": raw, "body": body, "t": time.monotonic(),
                       "action": body.get("action") if isinstance(body, dict) else None,
                       "headers": {k.lower(): v for k, v in self.headers.items()}}
                with hs.lock:
                    rec["seq"] = len(hs.records)
                    hs.records.append(rec)
                    mode, delay = hs.rules.get(path, ("allow", 0))
                if delay and hs.stopping.wait(delay):
                    return  # the test is over: drop the connection unanswered
                if isinstance(mode, bytes):  # a JSON answer of the test's own
                    status, data = 200, mode
                else:
                    status, data = {"allow": (200, b'{"code":0}'), "allow0": (200, b"0"),
                                    "deny": (200, b'{"code":403}'),
                                    "error": (500, b'{"code":500,"msg":"hook failed"}')}[mode]
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)
                self.close_connection = True

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # the hook client gave up (timeout) and closed: not our problem

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def set(self, path, mode, delay=0):
        with self.lock:
            self.rules[path] = (mode, delay)

    def events(self, action=None, path=None, client_id=None):
        with self.lock:
            recs = list(self.records)
        return [r for r in recs if (action is None or r["action"] == action)
                and (path is None or r["path"] == path)
                and (client_id is None or (r["body"] or {}).get("client_id") == client_id)]

    def wait(self, timeout, action=None, path=None, client_id=None, count=1):
        """Wait until at least count records match; the matching records (maybe fewer)."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.events(action, path, client_id)
            if len(got) >= count or time.monotonic() >= deadline:
                return got
            time.sleep(0.05)

    def summary(self):
        return ["%s %s %s" % (r["path"], r["action"], (r["body"] or {}).get("client_id"))
                for r in self.events()]

    def close(self):
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def hooks_block(hs, events):
    """http_hooks { } for a vhost: events maps an event to a list of paths on hs (or full URLs)."""
    lines = ["    http_hooks {", "        enabled on;"]
    for ev, paths in events.items():
        urls = [p if p.startswith("http") else hs.url(p) for p in paths]
        lines.append("        %s %s;" % (ev, " ".join(urls)))
    lines.append("    }")
    return "\n".join(lines) + "\n"


def vhost(name, hooks="", remux=False):
    return "vhost %s {\n    play { gop_cache on; }\n%s%s}\n" % (
        name, hooks,
        "    http_remux {\n        enabled on;\n        mount [vhost]/[app]/[stream].flv;\n    }\n"
        if remux else "")


def all_events(hs, prefix="/hooks/"):
    return {ev: [prefix + ev] for ev in EVENTS}


def with_hooks(env, fn):
    """Run fn(hs) with a HookServer that is closed afterwards, whatever happens."""
    hs = HookServer()
    env.note("hook server on port %d" % hs.port)
    try:
        return fn(hs)
    finally:
        env.note("hook calls: %s" % hs.summary())
        hs.close()


def www(env):
    d = env.path("www")
    os.makedirs(d, exist_ok=True)
    return d


def player(env, url, seconds, name="player", extra=None):
    """ffmpeg plays url for `seconds` of media into an FLV file; returns (Proc, path)."""
    out = env.path(name + ".flv")
    args = ["ffmpeg"] + env.FF + ["-y"] + (extra or []) + ["-i", url, "-c", "copy", "-t",
                                                           str(seconds), "-f", "flv", out]
    return env.spawn(name, args), out


def file_size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def refused_within(proc, timeout, what):
    """proc must exit nonzero within timeout; returns the seconds since it started."""
    rc = proc.wait(timeout)
    secs = time.monotonic() - proc.t0
    check(rc is not None, "%s still running after %.0f s: not refused" % (what, timeout))
    check(rc != 0, "%s exited 0: not refused" % what)
    return secs


def before(a, b):
    """Record a arrived before record b."""
    return a["seq"] < b["seq"]


# ---------------------------------------------------------------- tests


def test_hooks_allow_and_payloads(env):
    """All six events: a publisher with ?token=abc and an ffmpeg player; every payload has the
    SRS fields with the right values, and each client's events come in order."""
    def run(hs):
        hs.set("/hooks/on_connect", "allow0")  # the bare 0 of old hook servers
        srv = env.server(vhost("__defaultVhost__", hooks_block(hs, all_events(hs))))
        url = "rtmp://127.0.0.1:%d/live/s1?token=abc" % srv.port
        pub = env.publish_file(url, env.media(), seconds=5)
        got = hs.wait(5, action="on_publish")
        check(got, "no on_publish within 5 s; calls: %s; publisher: %s" % (hs.summary(), pub.errtail(3)))
        time.sleep(0.5)
        expect_alive(pub, "publisher")
        page = "http://example.com/watch.html"
        pl, out = player(env, srv.url("s1"), 1.5, extra=["-rtmp_pageurl", page])
        rc = pl.wait(15)
        check(rc == 0, "player exit %s: %s" % (rc, pl.errtail(5)))
        check(count_packets(env, out).get("video", (0, 0))[1] > 10, "player recorded no video")
        rc = pub.wait(15)
        check(rc == 0, "publisher exit %s: %s" % (rc, pub.errtail(5)))
        hs.wait(5, action="on_close", count=2)

        tc = "rtmp://127.0.0.1:%d/live" % srv.port
        pubev = hs.events("on_publish")
        playev = hs.events("on_play")
        check(len(pubev) == 1 and len(playev) == 1, "on_publish %d, on_play %d calls (expected 1 each)"
              % (len(pubev), len(playev)))
        p, q = pubev[0]["body"], playev[0]["body"]
        pid, qid = p.get("client_id"), q.get("client_id")
        check(pid and qid and pid != qid, "client ids: publisher %r, player %r" % (pid, qid))
        for r in hs.events():
            b = r["body"]
            check(isinstance(b, dict), "%s: body is not a JSON object: %r" % (r["path"], r["raw"][:100]))
            check(r["path"] == "/hooks/" + b.get("action", ""), "%s sent to %s" % (b.get("action"), r["path"]))
            check(r["headers"].get("content-type", "").startswith("application/json"),
                  "%s Content-Type %r" % (r["action"], r["headers"].get("content-type")))
            missing = [k for k in COMMON if k not in b]
            check(not missing, "%s lacks %s: %s" % (r["action"], missing, b))
            check(b["ip"] == "127.0.0.1" and b["vhost"] == "__defaultVhost__" and b["app"] == "live",
                  "%s: ip/vhost/app %s" % (r["action"], b))
            check(b["server_id"] == p["server_id"] and b["service_id"] == p["service_id"]
                  and b["server_id"] and b["service_id"], "%s: server_id/service_id %s" % (r["action"], b))
            check(b["client_id"] in (pid, qid), "%s from an unknown client %s" % (r["action"], b["client_id"]))
        for k, v in (("stream", "s1"), ("param", "?token=abc"), ("stream_url", "/live/s1"), ("tcUrl", tc)):
            check(p.get(k) == v, "on_publish %s=%r, expected %r: %s" % (k, p.get(k), v, p))
        check(p.get("stream_id"), "on_publish without stream_id: %s" % p)
        for k, v in (("stream", "s1"), ("param", ""), ("stream_url", "/live/s1"), ("tcUrl", tc),
                     ("pageUrl", page), ("stream_id", p["stream_id"])):
            check(q.get(k) == v, "on_play %s=%r, expected %r: %s" % (k, q.get(k), v, q))

        def one(action, cid):
            evs = hs.events(action, client_id=cid)
            check(len(evs) == 1, "%s for client %s: %d calls (expected 1); calls: %s" % (
                action, cid, len(evs), hs.summary()))
            return evs[0]
        pc, pp, pu, pcl = (one(a, pid) for a in ("on_connect", "on_publish", "on_unpublish", "on_close"))
        qc, qp, qs, qcl = (one(a, qid) for a in ("on_connect", "on_play", "on_stop", "on_close"))
        check(not hs.events("on_play", client_id=pid) and not hs.events("on_stop", client_id=pid)
              and not hs.events("on_publish", client_id=qid) and not hs.events("on_unpublish", client_id=qid),
              "play events for the publisher or publish events for the player: %s" % hs.summary())
        for seq, who in (((pc, pp, pu, pcl), "publisher"), ((qc, qp, qs, qcl), "player")):
            for a, b in zip(seq, seq[1:]):
                check(before(a, b), "%s: %s arrived after %s" % (who, a["action"], b["action"]))
        for c, page_expected in ((pc["body"], ""), (qc["body"], page)):
            check(c.get("tcUrl") == tc and "stream" in c and "param" in c and c.get("pageUrl") == page_expected,
                  "on_connect payload %s" % c)
        for u, ref in ((pu["body"], p), (qs["body"], q)):
            for k in ("stream", "param", "stream_url", "stream_id", "tcUrl"):
                check(u.get(k) == ref.get(k), "%s %s=%r, %s had %r" % (u["action"], k, u.get(k),
                                                                       ref["action"], ref.get(k)))
        check(qs["body"].get("pageUrl") == page, "on_stop pageUrl %r" % qs["body"].get("pageUrl"))
        pb, qb = pcl["body"], qcl["body"]
        for b in (pb, qb):
            check(isinstance(b.get("send_bytes"), int) and isinstance(b.get("recv_bytes"), int),
                  "on_close without integer byte counts: %s" % b)
        media = os.path.getsize(env.media())
        env.note("measured on_close: publisher send=%d recv=%d, player send=%d recv=%d (media file "
                 "%d bytes for 20 s, 5 s published)" % (pb["send_bytes"], pb["recv_bytes"], qb["send_bytes"],
                                                        qb["recv_bytes"], media))
        check(pb["recv_bytes"] > media // 8, "publisher's on_close recv_bytes %d for 5 s of a %d-byte 20 s file"
              % (pb["recv_bytes"], media))
        check(pb["send_bytes"] > 0 and qb["recv_bytes"] > 0, "on_close send/recv zero: %s %s" % (pb, qb))
        check(qb["send_bytes"] > file_size(out) // 2, "player's on_close send_bytes %d, it recorded %d bytes"
              % (qb["send_bytes"], file_size(out)))
        check(len(hs.events()) == 8, "expected 8 hook calls, got %s" % hs.summary())
    with_hooks(env, run)


def test_hooks_deny_publish(env):
    """on_publish answers {"code":403}: ffmpeg fails quickly, nothing is published (HTTP-FLV 404,
    the API lists no active publisher), the log quotes the answer, no on_unpublish; allowed,
    the same command publishes."""
    def run(hs):
        hs.set("/pub", "deny")
        body = http_body(www(env), api=True, vhosts=vhost("__defaultVhost__", hooks_block(hs, {
            "on_publish": ["/pub"], "on_unpublish": ["/unpub"], "on_close": ["/close"]}), remux=True))
        srv = env.server(body)
        url = "rtmp://127.0.0.1:%d/live/denied?token=x" % srv.port
        pub = env.publish_file(url, env.media(), seconds=6, name="publisher-denied")
        secs = refused_within(pub, 8, "denied publisher")
        env.note("measured denied publisher exit %s after %.2f s: %s" % (
            pub.poll(), secs, pub.errtail(2).replace("\n", " | ")))
        check(secs < 3, "denied publisher took %.2f s to fail" % secs)
        check(len(hs.events("on_publish")) == 1, "on_publish calls: %s" % hs.summary())
        m = wait_log(srv, r"http hook on_publish .*url=%s.*status=200.*refused: body='\{\"code\":403\}'"
                     % hs.url("/pub").replace(".", r"\."), 3)
        check(m, "no refusal line quoting the hook's answer in the log")
        env.note("log: " + m.group(0))
        status, _, _ = http_request(srv.http_port, "/live/denied.flv")
        check(status == 404, "HTTP-FLV viewer of the denied stream got HTTP %s" % status)
        ss = api_ok(srv.api_port, "/api/v1/streams")["streams"]
        live = [s for s in ss if s.get("name") == "denied" and s.get("publish", {}).get("active")]
        check(not live, "the API lists the denied stream as published: %s" % live)
        rc, _, err, _ = env.run("ffprobe-denied", ["ffprobe", "-v", "error", "-rw_timeout", "3000000",
                                                   "-show_streams", srv.url("denied")], 6)
        check(rc != 0, "ffprobe got the denied stream")
        check(hs.wait(3, action="on_close"), "no on_close for the refused publisher")
        check(not hs.events("on_unpublish"), "on_unpublish sent for a refused publish")

        hs.set("/pub", "allow")
        pub = env.publish_file(url, env.media(), seconds=6, name="publisher-allowed")
        time.sleep(2.0)
        expect_alive(pub, "allowed publisher")
        streams, why = env.probe_streams(srv.url("denied"), timeout=10)
        check(streams is not None, "ffprobe once allowed: " + why)
        env.expect_streams(streams)
        status, data = flv_viewer(srv.http_port, "/live/denied.flv")
        check(status == 200 and data.startswith(b"FLV"), "HTTP-FLV once allowed: HTTP %s, %d bytes"
              % (status, len(data)))
        ss = api_ok(srv.api_port, "/api/v1/streams")["streams"]
        live = [s for s in ss if s.get("name") == "denied" and s.get("publish", {}).get("active")]
        check(live, "the API lists no active publisher once allowed: %s" % ss)
        rc = pub.wait(15)
        check(rc == 0, "allowed publisher exit %s: %s" % (rc, pub.errtail(5)))
        check(hs.wait(3, action="on_unpublish"), "no on_unpublish after the allowed publish")
    with_hooks(env, run)


def flv_viewer(port, path, timeout=5.0, want=20000):
    """GET an HTTP-FLV path; (status, bytes of body read, up to `want`)."""
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        data = b""
        while len(data) < want:
            chunk = r.read1(65536) if hasattr(r, "read1") else r.read(65536)
            if not chunk:
                break
            data += chunk
        return r.status, data
    finally:
        c.close()


def test_hooks_deny_play(env):
    """on_play denies ({"code":403}, then HTTP 500): an RTMP player gets nothing and fails, an
    HTTP-FLV viewer gets 403; allowed, both play. No on_stop for refused plays."""
    def run(hs):
        hs.set("/play", "deny")
        body = http_body(www(env), vhosts=vhost("__defaultVhost__", hooks_block(hs, {
            "on_play": ["/play"], "on_stop": ["/stop"]}), remux=True))
        srv = env.server(body)
        pub = env.publish_file(srv.url("p1"), env.media())
        time.sleep(1.5)
        expect_alive(pub, "publisher")
        pl, out = player(env, srv.url("p1"), 2, name="player-denied")
        secs = refused_within(pl, 8, "denied RTMP player")
        env.note("measured denied RTMP player exit %s after %.2f s: %s" % (
            pl.poll(), secs, pl.errtail(2).replace("\n", " | ")))
        check(secs < 3, "denied RTMP player took %.2f s to fail" % secs)
        check(file_size(out) == 0, "denied RTMP player wrote %d bytes" % file_size(out))
        dump = env.path("dump.flv")
        rc, _, _, secs = env.run("rtmpdump-denied", ["rtmpdump", "-m", "5", "-r", srv.url("p1"),
                                                     "-o", dump, "-B", "2"], 10)
        check(rc not in (None, 0), "rtmpdump after a denied play: exit %s" % rc)
        check(file_size(dump) <= 13, "denied rtmpdump wrote %d bytes" % file_size(dump))
        env.note("measured denied rtmpdump exit %s after %.2f s, %d bytes" % (rc, secs, file_size(dump)))
        status, data = flv_viewer(srv.http_port, "/live/p1.flv")
        check(status == 403, "denied HTTP-FLV viewer got HTTP %s" % status)
        check(not data.startswith(b"FLV"), "denied HTTP-FLV viewer got FLV data")
        hs.set("/play", "error")
        status, data = flv_viewer(srv.http_port, "/live/p1.flv?token=t")
        check(status == 403, "HTTP-FLV viewer with the hook answering 500 got HTTP %s" % status)
        check(wait_log(srv, r"http hook on_play .*status=500.*refused", 3), "no log line for the HTTP 500 refusal")
        b = hs.events("on_play")[-1]["body"]
        want = {"param": "?token=t", "stream": "p1", "app": "live", "vhost": "__defaultVhost__",
                "stream_url": "/live/p1", "ip": "127.0.0.1",
                "tcUrl": "http://127.0.0.1:%d/live" % srv.http_port}
        bad = {k: b.get(k) for k, v in want.items() if b.get(k) != v}
        check(not bad and b.get("stream_id") and b.get("client_id") and "pageUrl" in b,
              "HTTP-FLV on_play payload %s: wrong %s" % (b, bad))
        check(len(hs.events("on_play")) == 4, "on_play calls: %s" % hs.summary())
        check(not hs.events("on_stop"), "on_stop for refused plays: %s" % hs.summary())

        hs.set("/play", "allow")
        pl, out = player(env, srv.url("p1"), 2, name="player-allowed")
        rc = pl.wait(15)
        check(rc == 0, "allowed RTMP player exit %s: %s" % (rc, pl.errtail(5)))
        check(count_packets(env, out).get("video", (0, 0))[1] > 25, "allowed RTMP player got little video")
        status, data = flv_viewer(srv.http_port, "/live/p1.flv")
        check(status == 200 and data.startswith(b"FLV") and len(data) >= 20000,
              "allowed HTTP-FLV viewer: HTTP %s, %d bytes" % (status, len(data)))
        check(len(hs.wait(5, action="on_stop", count=2)) == 2, "on_stop after 2 allowed plays: %s" % hs.summary())
        expect_alive(pub, "publisher")
    with_hooks(env, run)


SAMPLE = os.path.join(ROOT, "research", "api-server", "server.py")


def test_hooks_token_param(env):
    """The sample hooks server (research/api-server) with --tokens secret1: publishing with
    ?token=secret1 works, ?token=nope is refused; a player with ?token=secret1 plays, one with
    ?token=nope is refused; the params reach the hook (its /api/v1/events)."""
    q = free_port()
    sample = env.spawn("api-server", [sys.executable, SAMPLE, "--port", str(q), "--tokens", "secret1"])
    deadline = time.monotonic() + 5
    while not port_accepts(q) and time.monotonic() < deadline:
        check(sample.poll() is None, "sample server exited: %s" % sample.errtail(5))
        time.sleep(0.05)
    check(port_accepts(q), "sample server not listening on %d" % q)
    base = "http://127.0.0.1:%d/api/v1/" % q
    hooks = ("    http_hooks {\n        enabled on;\n"
             "        on_connect %sclients;\n        on_close %sclients;\n"
             "        on_publish %sstreams;\n        on_unpublish %sstreams;\n"
             "        on_play %ssessions;\n        on_stop %ssessions;\n    }\n") % ((base,) * 6)
    srv = env.server(vhost("__defaultVhost__", hooks))
    good = env.publish_file("rtmp://127.0.0.1:%d/live/tok?token=secret1" % srv.port, env.media(),
                            name="publisher-good")
    bad = env.publish_file("rtmp://127.0.0.1:%d/live/tok2?token=nope" % srv.port, env.media(),
                           name="publisher-bad")
    secs = refused_within(bad, 8, "publisher with ?token=nope")
    env.note("measured publisher with a bad token refused after %.2f s" % secs)
    time.sleep(0.5)
    expect_alive(good, "publisher with ?token=secret1")
    streams, why = env.probe_streams("rtmp://127.0.0.1:%d/live/tok?token=secret1" % srv.port, timeout=10)
    check(streams is not None, "player with ?token=secret1: " + why)
    env.expect_streams(streams)
    rc, _, _, _ = env.run("ffprobe-badtoken", ["ffprobe", "-v", "error", "-show_streams",
                                               "rtmp://127.0.0.1:%d/live/tok?token=nope" % srv.port], 8)
    check(rc not in (None, 0), "player with ?token=nope: exit %s (not refused)" % rc)
    good.stop(signal.SIGINT, 5)

    def events():
        st, _, data = http_request(q, "/api/v1/events")
        check(st == 200, "sample server /api/v1/events: HTTP %s" % st)
        return json.loads(data)["events"]
    deadline = time.monotonic() + 5
    while True:
        evs = events()
        acts = [(e["payload"].get("action"), e["payload"].get("param"), e["code"]) for e in evs]
        if ("on_unpublish", "?token=secret1", 0) in acts or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    env.note("sample server saw: %s" % acts)
    for want in (("on_publish", "?token=secret1", 0), ("on_publish", "?token=nope", 403),
                 ("on_play", "?token=secret1", 0), ("on_play", "?token=nope", 403),
                 ("on_unpublish", "?token=secret1", 0)):
        check(want in acts, "sample server did not see %s: %s" % (want, acts))
    check(sum(1 for a in acts if a[0] == "on_connect") >= 4, "on_connect calls: %s" % acts)
    for e in evs:
        if e["payload"].get("action") == "on_publish":
            check(e["path"] == "/api/v1/streams" and e["payload"].get("stream") in ("tok", "tok2"),
                  "on_publish event %s" % e)
    check(srv.alive() and sample.poll() is None, "a server died")


def test_hooks_timeout_and_unreachable(env):
    """on_publish to a hook that sleeps 30 s: the publisher is refused after the 5 s bound,
    and meanwhile a publisher and a player on a vhost without hooks and the HTTP API are served
    at normal speed. on_publish to a closed port: refused at once."""
    def run(hs):
        hs.set("/slow", "allow", delay=30)
        dead = free_port()  # nothing listens there
        vhosts = (vhost("__defaultVhost__", hooks_block(hs, {"on_publish": ["/slow"]}))
                  + vhost("free.example.com")
                  + vhost("dead.example.com", hooks_block(hs, {
                      "on_publish": ["http://127.0.0.1:%d/api/v1/streams" % dead]})))
        srv = env.server(http_body(api=True, vhosts=vhosts))
        slow = env.publish_file(srv.url("slow"), env.media(), name="publisher-slow")
        got = hs.wait(5, action="on_publish", path="/slow")
        check(got, "the slow hook was not called; calls: %s" % hs.summary())
        t_hook = got[0]["t"]
        # While the slow publisher waits for its hook, everything else goes on.
        t0 = time.monotonic()
        st, js = api(srv.api_port, "/api/v1/versions")
        api_secs = time.monotonic() - t0
        check(st == 200 and js and js.get("code") == 0, "API during the hook wait: %s %s" % (st, js))
        free_url = srv.url("other", vhost="free.example.com")
        other = env.publish_file(free_url, env.media(), name="publisher-free")
        streams, why = env.probe_streams(free_url, timeout=4)
        t_probe = time.monotonic()
        check(streams is not None, "player on a vhost without hooks during the hook wait: " + why)
        check(slow.poll() is None, "the slow publisher was already done (%s) before the other clients "
              "finished, the test proves nothing" % slow.poll())
        env.note("measured during the hook wait: API answered in %.3f s, other publisher + ffprobe "
                 "done %.2f s after the hook call began" % (api_secs, t_probe - t_hook))
        check(api_secs < 0.5, "API took %.2f s during a hook wait" % api_secs)
        secs = refused_within(slow, 10, "publisher waiting on a silent hook")
        t_exit = time.monotonic()
        env.note("measured silent hook: publisher refused %.2f s after the hook call arrived, "
                 "%.2f s after ffmpeg started" % (t_exit - t_hook, secs))
        check(4.5 <= t_exit - t_hook <= 7.0, "refusal %.2f s after the hook call (bound 5 s)" % (t_exit - t_hook))
        check(wait_log(srv, r"http hook on_publish .*url=%s.*failed" % hs.url("/slow").replace(".", r"\."), 2),
              "no log line for the hook timeout")
        expect_alive(other, "publisher on the vhost without hooks")

        dead_pub = env.publish_file(srv.url("x", vhost="dead.example.com"), env.media(), name="publisher-dead")
        secs = refused_within(dead_pub, 8, "publisher with an unreachable hook")
        env.note("measured unreachable hook: publisher refused after %.2f s" % secs)
        check(secs < 2.5, "unreachable hook: refusal took %.2f s" % secs)
        m = wait_log(srv, r"http hook on_publish .*127\.0\.0\.1:%d.*failed.*" % dead, 2)
        check(m, "no log line for the unreachable hook")
        env.note("log: " + m.group(0))
        expect_alive(other, "publisher on the vhost without hooks")
    with_hooks(env, run)


def test_hooks_several_urls(env):
    """on_publish with two URLs: both called in order when both allow; the first denies: the
    second is not called and the publisher is refused; the second denies: refused too."""
    def run(hs):
        srv = env.server(vhost("__defaultVhost__", hooks_block(hs, {"on_publish": ["/a", "/b"]})))
        pub = env.publish_file(srv.url("m1"), env.media(), seconds=2, name="publisher-both")
        rc = pub.wait(12)
        check(rc == 0, "publisher with both hooks allowing: exit %s: %s" % (rc, pub.errtail(5)))
        a, b = hs.events(path="/a"), hs.events(path="/b")
        check(len(a) == 1 and len(b) == 1, "calls: %s" % hs.summary())
        check(a[0]["t"] < b[0]["t"], "second URL called before the first")
        check(a[0]["body"] == b[0]["body"], "the two URLs got different payloads")
        hs.set("/a", "deny")
        pub = env.publish_file(srv.url("m2"), env.media(), seconds=2, name="publisher-first-denies")
        refused_within(pub, 8, "publisher with the first hook denying")
        time.sleep(0.3)
        check(len(hs.events(path="/a")) == 2 and len(hs.events(path="/b")) == 1,
              "after the first URL denied: %s" % hs.summary())
        hs.set("/a", "allow")
        hs.set("/b", "error")
        pub = env.publish_file(srv.url("m3"), env.media(), seconds=2, name="publisher-second-denies")
        refused_within(pub, 8, "publisher with the second hook failing")
        check(len(hs.events(path="/a")) == 3 and len(hs.events(path="/b")) == 2,
              "after the second URL failed: %s" % hs.summary())
        check(wait_log(srv, r"http hook on_publish .*url=%s.*status=500" % hs.url("/b").replace(".", r"\."), 2),
              "no refusal line for the second URL")
    with_hooks(env, run)


def test_hooks_on_quit(env):
    """SIGTERM with a publisher and a player: on_unpublish, on_stop and both on_close reach
    the hook server before the process exits, and it exits 0."""
    def run(hs):
        srv = env.server(vhost("__defaultVhost__", hooks_block(hs, all_events(hs))))
        pub = env.publish_file(srv.url("q"), env.media())
        time.sleep(1.5)
        pl = env.spawn("player", ["ffmpeg"] + env.FF + ["-i", srv.url("q"), "-c", "copy", "-f", "null", "-"])
        check(hs.wait(5, action="on_play"), "no on_play; calls: %s" % hs.summary())
        time.sleep(1.0)
        expect_alive(pub, "publisher")
        expect_alive(pl, "player")
        rc, secs = srv.stop(signal.SIGTERM, timeout=10)
        t_exit = time.monotonic()
        seen = hs.summary()  # at the moment the process was found exited
        env.note("measured quit: exit %s after %.2f s; hook calls by then: %s" % (rc, secs, seen))
        check(rc == 0, "server exit %s on SIGTERM (after %.2f s)" % (rc, secs))
        pid = hs.events("on_publish")[0]["body"]["client_id"]
        qid = hs.events("on_play")[0]["body"]["client_id"]
        for action, cid in (("on_unpublish", pid), ("on_close", pid), ("on_stop", qid), ("on_close", qid)):
            evs = hs.events(action, client_id=cid)
            check(evs and evs[0]["t"] <= t_exit, "%s for %s not received before the server exited; calls: %s"
                  % (action, cid, seen))
        last = max(r["t"] for r in hs.events())
        env.note("measured quit: last hook call %.3f s before the exit was seen" % (t_exit - last))
        wait_exit([pub, pl], 5)

        # A hook server that never answers a notification cannot hold the quit beyond the
        # grace period (3 s for the connections plus 3 s for the queued notifications).
        hs.set("/hooks/on_close", "allow", delay=30)
        srv2 = env.server(vhost("__defaultVhost__", hooks_block(hs, {"on_close": ["/hooks/on_close"],
                                                                    "on_unpublish": ["/hooks/on_unpublish"]})),
                          name="strand-silent")
        pub2 = env.publish_file(srv2.url("q2"), env.media(), name="publisher2")
        time.sleep(1.5)
        expect_alive(pub2, "publisher2")
        n = len(hs.events("on_close"))
        rc, secs = srv2.stop(signal.SIGTERM, timeout=15)
        env.note("measured quit with a silent on_close hook: exit %s after %.2f s" % (rc, secs))
        check(rc == 0, "server exit %s on SIGTERM with a silent hook (after %.2f s)" % (rc, secs))
        check(secs < 7.0, "quit took %.2f s with a silent hook (grace 3 s + 3 s)" % secs)
        check(len(hs.events("on_close")) == n + 1 and hs.events("on_unpublish")[-1]["body"]["stream"] == "q2",
              "the silent server's on_unpublish/on_close were not attempted: %s" % hs.summary())
        # Not asserted: the log says "every notification delivered" here although the on_close
        # in flight was cut at the deadline (sr_hooks__free counts only jobs still queued).
        m = wait_log(srv2, r"http hooks stopped.*", 1)
        env.note("log: %s" % (m.group(0) if m else "(no 'http hooks stopped' line)"))
    with_hooks(env, run)


def test_hooks_kick(env):
    """DELETE /api/v1/clients/<publisher> sends on_unpublish and on_close for it."""
    def run(hs):
        srv = env.server(http_body(api=True, vhosts=vhost("__defaultVhost__", hooks_block(hs, all_events(hs)))))
        pub = env.publish_file(srv.url("k"), env.media())
        got = hs.wait(5, action="on_publish")
        check(got, "no on_publish; calls: %s" % hs.summary())
        cid = got[0]["body"]["client_id"]
        time.sleep(0.5)
        cs = api_ok(srv.api_port, "/api/v1/clients?count=100")["clients"]
        pubc = [c for c in cs if c.get("type") == "fmle-publish"]
        check(len(pubc) == 1 and pubc[0]["id"] == cid,
              "API publisher %s, the hooks' client_id %s" % (pubc, cid))
        t0 = time.monotonic()
        api_ok(srv.api_port, "/api/v1/clients/" + cid, method="DELETE")
        un = hs.wait(5, action="on_unpublish", client_id=cid)
        cl = hs.wait(5, action="on_close", client_id=cid)
        check(un and cl, "after the kick: on_unpublish %d, on_close %d; calls: %s" % (
            len(un), len(cl), hs.summary()))
        check(before(un[0], cl[0]), "on_close before on_unpublish")
        env.note("measured kick: on_unpublish %.3f s, on_close %.3f s after DELETE" % (
            un[0]["t"] - t0, cl[0]["t"] - t0))
        check(cl[0]["body"]["recv_bytes"] > 10000, "on_close after kick: %s" % cl[0]["body"])
        check(un[0]["body"].get("stream") == "k", "on_unpublish payload %s" % un[0]["body"])
        check(pub.wait(5) is not None, "kicked publisher still running")
    with_hooks(env, run)
