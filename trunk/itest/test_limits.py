# SPDX-License-Identifier: MIT
"""Issue 9.3: every length a client sends has a limit. Names over it (vhost 255, app 255,
stream 255, parameters 1023, tcUrl 1023 bytes) are refused with a clear error to the
client and one short log line, the connection ends and the server keeps serving; RTMP
command messages over 64 KiB are refused by the chunk reader; HTTP request heads are
bounded. Real clients where they can send it (ffmpeg, rtmpdump, curl); the 300,000-byte
name, which no real client sends, with the minimal raw publisher."""

import os

from rtmp_raw import RtmpRaw, amf_str
from strand_env import check, http_body, log_since, wait_log, wait_until
from test_rtmp import expect_alive


def _new_log(srv, offset):
    return log_since(srv, offset)


def _check_short_log(srv, offset, what):
    """The refusal is logged, in lines that do not carry the name."""
    text = _new_log(srv, offset)
    check("name too long" in text or "at most" in text, "%s: no refusal in the log: %r" % (what, text[-400:]))
    longest = max((len(l) for l in text.splitlines()), default=0)
    check(longest < 400, "%s: a log line of %d bytes (the name logged whole?)" % (what, longest))


def _still_serves(env, srv, stream):
    pub = env.publish_file(srv.url(stream), env.media("main"), seconds=10, name="pub-" + stream)
    check(wait_log(srv, r"publish \S+/live/%s start" % stream, 10), "the server no longer takes publishers")
    streams, why = env.probe_streams(srv.url(stream))
    check(streams is not None, "the server no longer serves players: " + why)
    expect_alive(pub, "publisher after the refusal")


def test_long_names_from_real_clients(env):
    """ffmpeg publishing a 60,000-byte stream name (ffmpeg cuts its URL at ~1 KiB, still
    far over 255), rtmpdump playing a 300-byte one and connecting to a long app: refused, the clients end with an
    error, one short log line, and the next publisher is served."""
    srv = env.server()
    base = "rtmp://127.0.0.1:%d" % srv.port
    offset = os.path.getsize(srv.log)
    rc, _, err, secs = env.run("ffmpeg-longname", ["ffmpeg"] + env.FF + [
        "-re", "-i", env.media("main"), "-c", "copy", "-t", "3", "-f", "flv", base + "/live/" + "a" * 60000], 20)
    env.note("measured ffmpeg with a 60,000-byte stream name: exit %s after %.1f s" % (rc, secs))
    check(rc not in (None, 0), "ffmpeg published a 60,000-byte stream name (exit %s)" % rc)
    _check_short_log(srv, offset, "ffmpeg publish")
    offset = os.path.getsize(srv.log)
    # librtmp itself does not send a play path of some KiB: 300 bytes is over our limit too
    rc, _, err, _ = env.run("rtmpdump-longname", ["rtmpdump", "-r", base + "/live", "-y", "s" * 300,
                                                  "-o", env.path("x.flv"), "-m", "5"], 20)
    check(rc not in (None, 0), "rtmpdump played a 300-byte stream name (exit %s)" % rc)
    check("StreamNotFound" in err or "name too long" in err, "rtmpdump was not told why: %s" % err[-300:])
    _check_short_log(srv, offset, "rtmpdump play")
    offset = os.path.getsize(srv.log)
    rc, _, err, _ = env.run("rtmpdump-longapp", ["rtmpdump", "-r", base + "/" + "p" * 300 + "/s",
                                                 "-o", env.path("y.flv"), "-m", "5"], 20)
    check(rc not in (None, 0), "rtmpdump connected with a 300-byte app (exit %s)" % rc)
    _check_short_log(srv, offset, "rtmpdump connect")
    _still_serves(env, srv, "after_real")


def test_huge_names_from_a_raw_client(env):
    """Names no real client sends: a 300,000-byte stream name (over the 64 KiB command
    limit: the chunk reader refuses the message) and a 60,000-byte one (a command that
    fits, a name that does not: NetStream.Publish.BadName). Each connection is closed,
    logged in short lines, and the server keeps serving."""
    srv = env.server()
    for size in (300000, 60000):
        offset = os.path.getsize(srv.log)
        c = RtmpRaw(srv.port)
        try:
            c.connect("live", "rtmp://127.0.0.1:%d/live" % srv.port)
            c.command("createStream", 2, b"\x05")
            try:
                c.command("publish", 3, b"\x05", amf_str("x" * size), amf_str("live"), stream_id=1)
            except OSError:
                pass  # the server may close while we still send
            got = b""
            closed = False
            for _ in range(50):
                try:
                    d = c.read_some(0.2)
                except OSError:
                    closed = True
                    break
                if d == b"":
                    closed = True
                    break
                got += d or b""
            check(closed, "%d-byte name: the connection was not closed" % size)
            if size == 60000:
                check(b"NetStream.Publish.BadName" in got, "60,000-byte name: no BadName status sent")
        finally:
            c.close()
        check(wait_until(lambda: "closed" in _new_log(srv, offset), 5), "%d: no close in the log" % size)
        _check_short_log(srv, offset, "%d-byte name" % size)
    _still_serves(env, srv, "after_raw")


def test_long_http_paths(env):
    """curl: a 300-byte stream name in an HTTP-FLV URL is 404 (never cut short to match
    another stream), a 20 KiB path is refused (431: the request head is bounded), and the
    server keeps serving."""
    srv = env.server(http_body(env.path("www")))
    base = "http://127.0.0.1:%d" % srv.http_port
    for path, want in (("/live/" + "s" * 300 + ".flv", "404"), ("/live/" + "p" * 20000 + ".flv", "431")):
        rc, out, err, _ = env.run("curl", ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                           "--max-time", "5", base + path], 10)
        env.note("measured %d-byte path: HTTP %s" % (len(path), out))
        check(out.strip() == want, "a %d-byte path got HTTP %r, expected %s" % (len(path), out, want))
    _still_serves(env, srv, "after_http")
