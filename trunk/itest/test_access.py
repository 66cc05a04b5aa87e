# SPDX-License-Identifier: MIT
"""Access control with real clients: vhost security { } (allow/deny by address and CIDR,
IPv4 and IPv6) and refer { } (the page a client came from) for publish and play over
RTMP (ffmpeg, ffprobe, rtmpdump), HTTP-FLV and HLS (curl, also from 127.0.0.2 with
--interface, which Linux routes over lo); signed HTTP hooks checked by a hook server in
the test and by the sample server research/api-server/server.py; on_hook_error and the
hook timeout against a hook server that is down or slow; and the heartbeat received by a
local HTTP server."""

import hashlib
import hmac
import json
import os
import re
import signal
import socket
import sys
import time

from strand_env import (ROOT, api_ok, check, free_port, http_body, http_request, log_since, port_accepts, wait_log,
                        wait_until)
from test_hls import read_playlist, wait_file
from test_hooks import hooks_block, refused_within, with_hooks
from test_rtmp import expect_alive

SAMPLE = os.path.join(ROOT, "research", "api-server", "server.py")


# ---------------------------------------------------------------- helpers


def vhost_block(inner, name="__defaultVhost__"):
    return "vhost %s {\n    play { gop_cache on; }\n%s}\n" % (name, inner)


def security(*rules):
    return "    security {\n        enabled on;\n%s    }\n" % "".join("        %s;\n" % r for r in rules)


def remux_and_hls(www):
    return ("    http_remux {\n        enabled on;\n        mount [vhost]/[app]/[stream].flv;\n    }\n"
            "    hls {\n        enabled on;\n        hls_fragment 1;\n        hls_window 6;\n"
            "        hls_path %s;\n    }\n" % www)


def www_dir(env):
    d = env.path("www")
    os.makedirs(d, exist_ok=True)
    return d


def curl(env, url, interface=None, referer=None, seconds=3, name="curl"):
    """curl a URL; (HTTP status, first bytes of the body). Live bodies are cut by --max-time."""
    out = env.path("%s.body" % name)
    args = ["curl", "-s", "-g", "-o", out, "-w", "%{http_code}", "--max-time", str(seconds)]
    if interface:
        args += ["--interface", interface]
    if referer:
        args += ["-e", referer]
    rc, stdout, err, _ = env.run(name, args + [url], seconds + 5)
    check(rc in (0, 28), "curl %s failed (exit %s): %s" % (url, rc, err[-300:]))
    try:
        with open(out, "rb") as f:
            body = f.read(64)
    except OSError:
        body = b""
    return int(stdout.strip() or "0"), body


def publish_ok(env, srv, url, stream, extra=None, name="publisher"):
    """ffmpeg publishes the test media to url and the server logs the publish start."""
    off = os.path.getsize(srv.log)
    pub = env.publish_file(url, env.media(), extra=extra, name=name)
    m = wait_log(srv, r"publish [^ ]*/%s start" % stream, 10, offset=off)
    check(m, "publish of %s did not start: %s" % (stream, pub.errtail(4)))
    expect_alive(pub, name)
    return pub


def play_refused(env, url, what, extra=None):
    rc, _, err, secs = env.run("ffprobe-refused", ["ffprobe", "-v", "error"] + (extra or []) +
                               ["-show_streams", url], 10)
    check(rc not in (None, 0), "%s: ffprobe exit %s, not refused" % (what, rc))
    env.note("measured %s refused after %.2f s: %s" % (what, secs, err.strip().replace("\n", " | ")[-200:]))
    return err


def play_ok(env, url, what):
    streams, why = env.probe_streams(url, timeout=15)
    check(streams is not None, "%s: %s" % (what, why))
    env.expect_streams(streams)


# ---------------------------------------------------------------- security


def test_access_security_rtmp(env):
    """security over RTMP from 127.0.0.1: `allow publish 127.0.0.0/8` admits ffmpeg, `allow play
    10.0.0.0/8` refuses ffprobe (default deny), `deny play 127.0.0.1` wins over `allow play all`;
    `deny publish 127.0.0.1` refuses a publisher, told why. Reload applies to new sessions."""
    rules = ["allow publish 127.0.0.0/8", "allow play 10.0.0.0/8"]
    srv = env.server(vhost_block(security(*rules)))
    pub = publish_ok(env, srv, srv.url("s1"), "s1")
    play_refused(env, srv.url("s1"), "player outside 10.0.0.0/8")
    check(wait_log(srv, r"play __defaultVhost__/live/s1 refused for 127\.0\.0\.1", 3),
          "no log line names the refused player")

    off = os.path.getsize(srv.log)
    srv.reload(vhost_block(security("allow publish 127.0.0.0/8", "allow play all", "deny play 127.0.0.1")))
    check(wait_log(srv, r"reload: applied", 5, offset=off), "reload not applied")
    play_refused(env, srv.url("s1"), "player denied by `deny play 127.0.0.1` after `allow play all`")
    expect_alive(pub, "publisher (a reload does not end running sessions)")

    off = os.path.getsize(srv.log)
    srv.reload(vhost_block(security("allow publish 127.0.0.0/8", "allow play 127.0.0.0/8")))
    check(wait_log(srv, r"reload: applied", 5, offset=off), "reload not applied")
    play_ok(env, srv.url("s1"), "player inside 127.0.0.0/8")

    off = os.path.getsize(srv.log)
    srv.reload(vhost_block(security("deny publish 127.0.0.1", "allow publish all", "allow play all")))
    check(wait_log(srv, r"reload: applied", 5, offset=off), "reload not applied")
    bad = env.publish_file(srv.url("s2"), env.media(), name="publisher-denied")
    secs = refused_within(bad, 8, "publisher denied by `deny publish 127.0.0.1`")
    env.note("measured denied publisher exit after %.2f s: %s" % (secs, bad.errtail(2).replace("\n", " | ")))
    check("Publish denied by security" in bad.errtail(5), "ffmpeg was not told why: %s" % bad.errtail(5))
    check(wait_log(srv, r"security: publish from 127\.0\.0\.1 matches 'deny publish 127\.0\.0\.1/32'", 3),
          "no log line names the deny rule")
    expect_alive(pub, "first publisher")
    pub.stop(signal.SIGINT, 5)


def test_access_security_http_flv_and_hls(env):
    """deny play 127.0.0.1 + allow play all: curl from 127.0.0.1 gets 403 for HTTP-FLV, the
    HLS playlist and a segment; from 127.0.0.2 (--interface) the same URLs answer 200 with
    FLV/playlist/TS bytes. A page that is no play (a static file) is not checked."""
    www = www_dir(env)
    with open(os.path.join(www, "index.html"), "w") as f:
        f.write("<html>hello</html>\n")
    inner = security("allow publish all", "allow play all", "deny play 127.0.0.1") + remux_and_hls(www)
    srv = env.server(http_body(www, vhosts=vhost_block(inner)))
    pub = publish_ok(env, srv, srv.url("h1"), "h1")
    m3u8 = os.path.join(www, "live", "h1.m3u8")
    check(wait_file(m3u8, 10), "no playlist after 10 s")
    check(wait_until(lambda: len(read_playlist(m3u8)[2]) >= 1, 10), "playlist without a segment")
    seg = read_playlist(m3u8)[2][0]["uri"]
    base = "http://127.0.0.1:%d" % srv.http_port
    for path, magic in (("/live/h1.flv", b"FLV"), ("/live/h1.m3u8", b"#EXTM3U"), ("/live/" + seg, b"G")):
        status, body = curl(env, base + path, seconds=2, name="curl-denied")
        check(status == 403, "GET %s from 127.0.0.1: HTTP %s, expected 403" % (path, status))
        check(not body.startswith(magic), "GET %s from 127.0.0.1 got media bytes" % path)
        status, body = curl(env, "http://127.0.0.1:%d%s" % (srv.http_port, path), interface="127.0.0.2",
                            seconds=2, name="curl-allowed")
        check(status == 200, "GET %s from 127.0.0.2: HTTP %s, expected 200" % (path, status))
        check(body.startswith(magic), "GET %s from 127.0.0.2: body starts %r" % (path, body[:16]))
    status, body = curl(env, base + "/index.html", name="curl-static")
    check(status == 200 and body.startswith(b"<html>"), "static file from 127.0.0.1: HTTP %s" % status)
    check(wait_log(srv, r"http hls /live/h1\.m3u8 denied: .*refused for 127\.0\.0\.1", 3),
          "no log line for the refused HLS request")
    expect_alive(pub, "publisher")
    pub.stop(signal.SIGINT, 5)


def free_port6():
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    try:
        s.bind(("::1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def test_access_security_ipv6(env):
    """An RTMP listener on [::]:PORT beside the IPv4 one: `deny play ::1` refuses ffprobe over
    IPv6 while IPv4 plays; `allow play 2001:db8::/32` alone refuses ::1 and 127.0.0.1, and
    `allow play ::/0` admits ::1 only (IPv6 rules do not cover IPv4 clients)."""
    p6 = free_port6()
    listen6 = "listen [::]:%d;\n" % p6

    def body(*rules):
        return listen6 + vhost_block(security("allow publish all", *rules))

    srv = env.server(body("allow play all", "deny play ::1"))
    check(wait_until(lambda: port_accepts(p6, host="::1"), 5), "no IPv6 listener on [::1]:%d" % p6)
    pub = publish_ok(env, srv, srv.url("v6"), "v6")
    url6 = "rtmp://[::1]:%d/live/v6" % p6
    play_refused(env, url6, "IPv6 player denied by `deny play ::1`")
    check(wait_log(srv, r"refused for ::1", 3), "no log line names the IPv6 client")
    play_ok(env, srv.url("v6"), "IPv4 player with `deny play ::1`")

    off = os.path.getsize(srv.log)
    srv.reload(body("allow play 2001:db8::/32"))
    check(wait_log(srv, r"reload: applied", 5, offset=off), "reload not applied")
    play_refused(env, url6, "::1 outside 2001:db8::/32")
    play_refused(env, srv.url("v6"), "127.0.0.1 with only an IPv6 allow rule")

    off = os.path.getsize(srv.log)
    srv.reload(body("allow play ::/0"))
    check(wait_log(srv, r"reload: applied", 5, offset=off), "reload not applied")
    play_ok(env, url6, "::1 inside ::/0")
    play_refused(env, srv.url("v6"), "127.0.0.1 with `allow play ::/0`")
    pub.stop(signal.SIGINT, 5)


def test_access_security_config_errors(env):
    """A bad rule refuses the config at start with file:line (`strand -t`), and a reload with
    one keeps the running config."""
    srv = env.server(vhost_block(security("allow play all", "allow publish all")))
    conf = env.path("bad.conf")
    with open(conf, "w") as f:
        f.write("listen 1935;\nvhost __defaultVhost__ {\n    security {\n        enabled on;\n"
                "        allow play 10.0.0.0/33;\n    }\n}\n")
    rc, out, err, _ = env.run("strand-t", [os.path.join(ROOT, "objs", "strand"), "-t", "-c", conf], 10)
    text = out + err
    check(rc not in (None, 0), "strand -t accepted a /33 prefix")
    check("%s:5:" % conf in text and "10.0.0.0/33" in text, "error does not name file:line: %s" % text[-300:])
    off = os.path.getsize(srv.log)
    srv.reload(vhost_block(security("deny record 1.2.3.4")))
    check(wait_log(srv, r"reload refused.*:\d+: security deny needs the action publish or play", 5, offset=off),
          "reload with a bad action not refused with file:line")
    pub = publish_ok(env, srv, srv.url("still"), "still")  # the old rules still apply
    pub.stop(signal.SIGINT, 5)


# ---------------------------------------------------------------- refer


def test_access_refer(env):
    """refer { enabled on; publish strand.example; play strand.example; }: ffmpeg, which sends no
    pageUrl when it publishes, is refused; with only `play strand.example` it publishes (each
    directive is checked only when present). rtmpdump -p with a page on www.strand.example
    plays, one on evil.example (or badstrand.example) is refused; curl -e does the same for
    HTTP-FLV, and no Referer at all is refused."""
    www = www_dir(env)

    def body(*scopes):
        return http_body(www, vhosts=vhost_block(
            "    refer {\n        enabled on;\n%s    }\n" % "".join("        %s strand.example;\n" % s for s in scopes)
            + "    http_remux {\n        enabled on;\n        mount [vhost]/[app]/[stream].flv;\n    }\n"))

    srv = env.server(body("publish", "play"))
    bad = env.publish_file(srv.url("r1"), env.media(), name="publisher-nopage")
    refused_within(bad, 8, "publisher without a pageUrl")
    check(wait_log(srv, r"refer publish: page '\(none\)' is not on strand\.example", 3), "no log of the refusal")
    off = os.path.getsize(srv.log)
    srv.reload(body("play"))
    check(wait_log(srv, r"reload: applied", 5, offset=off), "reload not applied")
    pub = publish_ok(env, srv, srv.url("r1"), "r1")

    def size_of(path):
        return os.path.getsize(path) if os.path.exists(path) else 0

    def rtmpdump(page, name):
        out = env.path(name + ".flv")
        rc, _, err, _ = env.run(name, ["rtmpdump", "-q", "-v", "-r", srv.url("r1"), "-p", page, "-m", "5",
                                       "-o", out], 12)
        return rc, size_of(out), err

    good = env.path("rtmpdump-good.flv")
    dump = env.spawn("rtmpdump-good", ["rtmpdump", "-q", "-v", "-r", srv.url("r1"), "-p",
                                       "http://www.strand.example/watch.html", "-m", "5", "-o", good])
    wait_until(lambda: size_of(good) > 20000 or dump.poll() is not None, 10)
    check(size_of(good) > 20000, "rtmpdump with a page on strand.example got %d bytes (exit %s): %s" % (
        size_of(good), dump.poll(), dump.errtail(3)))
    dump.stop()
    for page in ("http://evil.example/watch.html", "http://badstrand.example/"):
        rc, size, err = rtmpdump(page, "rtmpdump-bad")
        check(rc not in (None, 0) and size <= 13, "rtmpdump with page %s: exit %s, %d bytes" % (page, rc, size))
    check(wait_log(srv, r"refer play: page 'http://evil\.example/watch\.html' is not on strand\.example", 3),
          "no log line for the refused page")

    url = "http://127.0.0.1:%d/live/r1.flv" % srv.http_port
    status, body = curl(env, url, referer="https://cdn.strand.example/p", seconds=2, name="curl-ref-good")
    check(status == 200 and body.startswith(b"FLV"), "HTTP-FLV with a good Referer: HTTP %s" % status)
    status, _ = curl(env, url, referer="https://evil.example/p", name="curl-ref-bad")
    check(status == 403, "HTTP-FLV with a foreign Referer: HTTP %s" % status)
    status, _ = curl(env, url, name="curl-ref-none")
    check(status == 403, "HTTP-FLV without a Referer: HTTP %s" % status)
    pub.stop(signal.SIGINT, 5)


# ---------------------------------------------------------------- hooks


def expected_signature(secret, rec):
    ts = rec["headers"].get("x-strand-timestamp", "")
    return "sha256=" + hmac.new(secret.encode(), ts.encode() + b"." + rec["raw"], hashlib.sha256).hexdigest()


def test_access_hooks_signed(env):
    """http_hooks { secret s3cret; }: on_publish (gated) and on_unpublish (queued) arrive with
    X-Strand-Timestamp within a few seconds of now and X-Strand-Signature = sha256=HMAC of
    "TIMESTAMP.BODY" over the exact bytes received."""
    def run(hs):
        hooks = hooks_block(hs, {"on_publish": ["/pub"], "on_unpublish": ["/unpub"]})
        hooks = hooks.replace("        enabled on;\n", "        enabled on;\n        secret s3cret;\n")
        srv = env.server(vhost_block(hooks))
        pub = publish_ok(env, srv, srv.url("sig"), "sig")
        pub.stop(signal.SIGINT, 5)
        recs = hs.wait(10, path="/unpub")
        check(recs, "no on_unpublish: %s" % hs.summary())
        for r in hs.events("on_publish") + recs:
            ts = r["headers"].get("x-strand-timestamp", "")
            check(ts.isdigit() and abs(time.time() - int(ts)) < 10, "%s: timestamp %r" % (r["action"], ts))
            check(r["headers"].get("x-strand-signature") == expected_signature("s3cret", r),
                  "%s: signature %r does not verify" % (r["action"], r["headers"].get("x-strand-signature")))
        env.note("signed %s: %s" % (recs[0]["action"], recs[0]["headers"].get("x-strand-signature")))
    with_hooks(env, run)


def start_sample(env, *args):
    q = free_port()
    sample = env.spawn("api-server", [sys.executable, SAMPLE, "--port", str(q)] + list(args))
    check(wait_until(lambda: port_accepts(q) or sample.poll() is not None, 5) and sample.poll() is None,
          "sample server did not start: %s" % sample.errtail(5))
    return q, sample


def test_access_hooks_sample_server_verifies(env):
    """The sample hooks server with --secret checks the signature: the same secret admits the
    publisher, another secret makes it answer 401 and the publisher is refused."""
    q, sample = start_sample(env, "--secret", "s3cret")

    def server(secret):
        return env.server(vhost_block("    http_hooks {\n        enabled on;\n        secret %s;\n"
                                      "        on_publish http://127.0.0.1:%d/api/v1/streams;\n    }\n"
                                      % (secret, q)), name="strand-" + secret)

    srv = server("s3cret")
    pub = publish_ok(env, srv, srv.url("ok"), "ok")
    wrong = server("other")
    bad = env.publish_file(wrong.url("nope"), env.media(), name="publisher-wrong-secret")
    refused_within(bad, 8, "publisher whose hook is signed with another secret")
    check(wait_log(wrong, r"http hook on_publish .*status=401", 3), "no log of the 401 answer")
    st, _, data = http_request(q, "/api/v1/events")
    check(st == 200, "sample server /api/v1/events: HTTP %s" % st)
    events = json.loads(data)["events"]
    check([e for e in events if e["code"] == 0 and e["payload"].get("stream") == "ok"],
          "the sample server has no admitted on_publish: %s" % events)
    check([e for e in events if e["code"] == 401 and e["payload"].get("signature") == "bad signature"],
          "the sample server did not record the bad signature: %s" % events)
    pub.stop(signal.SIGINT, 5)
    sample.stop(signal.SIGINT, 5)


def test_access_hooks_on_error_and_timeout(env):
    """A hook server that is down: on_hook_error allow admits the publisher (with a warning),
    refuse (the default) refuses it. A hook that answers after 3 s with timeout 500: allow
    admits within a second; a hook that answers with a refusal still refuses under allow."""
    down = "http://127.0.0.1:%d/api/v1/streams" % free_port()

    def hooks(url, extra):
        return ("    http_hooks {\n        enabled on;\n%s        on_publish %s;\n    }\n"
                % ("".join("        %s;\n" % e for e in extra), url))

    srv = env.server(vhost_block(hooks(down, ["on_hook_error allow"])))
    pub = publish_ok(env, srv, srv.url("a"), "a")
    check(wait_log(srv, r"http hook on_publish .*failed: ESOCKET_CONNECT; allowed \(on_hook_error allow\)", 3),
          "no warning for the admitted publisher")
    pub.stop(signal.SIGINT, 5)
    off = os.path.getsize(srv.log)
    srv.reload(vhost_block(hooks(down, [])))
    check(wait_log(srv, r"reload: applied", 5, offset=off), "reload not applied")
    bad = env.publish_file(srv.url("b"), env.media(), name="publisher-refused")
    refused_within(bad, 8, "publisher with the hook down and on_hook_error refuse")

    def run(hs):
        hs.set("/slow", "allow", delay=3)
        hs.set("/deny", "deny")
        off = os.path.getsize(srv.log)
        srv.reload(vhost_block(hooks(hs.url("/slow"), ["timeout 500", "on_hook_error allow"])))
        check(wait_log(srv, r"reload: applied", 5, offset=off), "reload not applied")
        t0 = time.monotonic()
        p = publish_ok(env, srv, srv.url("c"), "c", name="publisher-slow-hook")
        secs = time.monotonic() - t0
        env.note("measured publish admitted %.2f s after start with a 3 s hook and timeout 500" % secs)
        m = wait_log(srv, r"http hook on_publish .*url=%s duration=(\d+)ms failed: ETIMEOUT" % re.escape(
            hs.url("/slow")), 3, offset=off)
        check(m, "no timeout logged")
        ms = int(m.group(1))
        check(450 <= ms <= 1000, "the hook call took %d ms with timeout 500" % ms)
        p.stop(signal.SIGINT, 5)
        off = os.path.getsize(srv.log)
        srv.reload(vhost_block(hooks(hs.url("/deny"), ["on_hook_error allow"])))
        check(wait_log(srv, r"reload: applied", 5, offset=off), "reload not applied")
        d = env.publish_file(srv.url("d"), env.media(), name="publisher-hook-denies")
        refused_within(d, 8, "publisher whose hook answers {code:403} under on_hook_error allow")
    with_hooks(env, run)


# ---------------------------------------------------------------- heartbeat


def test_access_heartbeat(env):
    """heartbeat { interval 1; summaries on; }: a local HTTP server receives POSTs about a second
    apart with device_id, this host's IPv4 and the summaries object (the same keys as
    /api/v1/summaries' data); a reload to enabled off stops them; the heartbeat server being
    down is logged once, not every beat, and publishing goes on."""
    def run(hs):
        beat = ("heartbeat {\n    enabled on;\n    interval 1;\n    url %s;\n    device_id \"itest-device\";\n"
                "    summaries on;\n}\n")
        www = www_dir(env)
        srv = env.server(http_body(www, api=True, vhosts=beat % hs.url("/api/v1/servers") + vhost_block("")))
        recs = hs.wait(6, path="/api/v1/servers", count=3)
        check(len(recs) >= 3, "%d heartbeats in 6 s with interval 1" % len(recs))
        gaps = [b["t"] - a["t"] for a, b in zip(recs, recs[1:])]
        env.note("measured heartbeat gaps %s s" % ["%.2f" % g for g in gaps])
        check(all(0.7 <= g <= 1.8 for g in gaps), "heartbeat gaps %s" % gaps)
        b = recs[-1]["body"]
        check(b["device_id"] == "itest-device", "device_id %r" % b.get("device_id"))
        ip = b["ip"]
        check(ip == "" or (socket.inet_aton(ip) and not ip.startswith("127.")), "ip %r" % ip)
        data = api_ok(srv.api_port, "/api/v1/summaries")["data"]
        check(set(b["summaries"]) == set(data), "summaries keys %s vs API %s" % (sorted(b["summaries"]), sorted(data)))
        check(set(b["summaries"]["self"]) == set(data["self"]), "summaries.self keys differ from the API's")
        check(b["summaries"]["self"]["pid"] == srv.proc.pid, "summaries pid %s" % b["summaries"]["self"]["pid"])

        off = os.path.getsize(srv.log)
        srv.reload(http_body(www, api=True, vhosts=beat.replace("enabled on", "enabled off") % hs.url("/x")
                             + vhost_block("")))
        check(wait_log(srv, r"reload: applied", 5, offset=off), "reload not applied")
        n = len(hs.events())
        time.sleep(2.5)  # a window for beats that must not come
        check(len(hs.events()) <= n + 1, "heartbeats went on after enabled off: %d -> %d" % (n, len(hs.events())))

        down = "http://127.0.0.1:%d/api/v1/servers" % free_port()
        off = os.path.getsize(srv.log)
        srv.reload(http_body(www, api=True, vhosts=beat % down + vhost_block("")))
        check(wait_log(srv, r"reload: applied", 5, offset=off), "reload not applied")
        pub = publish_ok(env, srv, srv.url("hb"), "hb")
        check(wait_log(srv, r"heartbeat to %s failed \(1 in a row" % down, 5, offset=off), "no heartbeat failure logged")
        time.sleep(3)  # three more failed beats
        fails = len([l for l in log_since(srv, off).splitlines() if "heartbeat to %s failed" % down in l])
        check(fails == 1, "%d heartbeat failure lines in 4 s (rate limit: one a minute)" % fails)
        expect_alive(pub, "publisher while the heartbeat fails")
        pub.stop(signal.SIGINT, 5)
    with_hooks(env, run)
