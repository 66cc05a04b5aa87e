# SPDX-License-Identifier: MIT
"""Live HTTP mounts other than FLV (vhost http_remux with a .ts, .aac or .mp3 mount):
ffmpeg publishes over RTMP, ffmpeg/ffprobe read the live HTTP stream and see the codecs
and a plausible number of packets."""

import os
import socket
import time

from strand_env import check, http_body, http_request
from test_rtmp import count_packets, expect_alive

VHOSTS = """vhost __defaultVhost__ {
    http_remux { enabled on; mount [vhost]/[app]/[stream].ts; }
}
vhost aac.example {
    http_remux { enabled on; mount [vhost]/[app]/[stream].aac; }
}
vhost mp3.example {
    http_remux { enabled on; mount [vhost]/[app]/[stream].mp3; }
}
"""


def _www(env):
    d = env.path("www")
    os.makedirs(d, exist_ok=True)
    return d


def _record(env, url, out, seconds, fmt, name):
    args = ["ffmpeg"] + env.FF + ["-y", "-i", url, "-c", "copy", "-t", str(seconds), "-f", fmt, out]
    return env.run(name, args, timeout=seconds + 15)


def _first_bytes(port, path, host, n, timeout=5.0):
    """The first n bytes of a live response (which never ends by itself)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (path, host)).encode())
        data = b""
        while len(data) < n:
            chunk = s.recv(n - len(data))
            if not chunk:
                break
            data += chunk
        return data
    finally:
        s.close()


def test_ts_aac_mp3_mounts(env):
    """A .ts mount carries H.264+AAC; a .aac mount carries ADTS AAC; a .mp3 mount the MP3
    frames of an MP3 publisher. The vhost comes from the first path segment (SRS's
    [vhost]/[app]/[stream] mount) or from the Host header."""
    srv = env.server(http_body(_www(env), vhosts=VHOSTS))
    pub = env.publish_file(srv.url("t"), env.media(), seconds=12)
    pub_aac = env.publish_file(srv.url("a", vhost="aac.example"), env.media(), seconds=12, name="publisher-aac")
    mp3_args = ["ffmpeg"] + env.FF + [
        "-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-c:a", "libmp3lame", "-b:a", "64k",
        "-t", "12", "-f", "flv", srv.url("m", vhost="mp3.example")]
    pub_mp3 = env.spawn("publisher-mp3", mp3_args)
    time.sleep(2)
    for p, what in ((pub, "ts publisher"), (pub_aac, "aac publisher"), (pub_mp3, "mp3 publisher")):
        expect_alive(p, what)
    base = "http://127.0.0.1:%d" % srv.http_port

    ts = env.path("out.ts")
    rc, _, err, _ = _record(env, base + "/live/t.ts", ts, 3, "mpegts", "ts-viewer")
    check(rc == 0, "ffmpeg reading the .ts mount: %s" % err[-300:])
    c = count_packets(env, ts)
    check(c.get("video", ("",))[0] == "h264" and c.get("audio", ("",))[0] == "aac", ".ts streams: %s" % c)
    v, a = c["video"][1], c["audio"][1]
    env.note("measured .ts: %d video, %d audio packets in 3 s" % (v, a))
    check(60 <= v <= 90, ".ts video packets %d for 3 s at 25 fps" % v)
    check(a > 80, ".ts audio packets %d for 3 s" % a)

    aac = env.path("out.aac")
    rc, _, err, _ = _record(env, base + "/aac.example/live/a.aac", aac, 3, "adts", "aac-viewer")
    check(rc == 0, "ffmpeg reading the .aac mount: %s" % err[-300:])
    c = count_packets(env, aac)
    check(c.get("audio", ("",))[0] == "aac", ".aac streams: %s" % c)
    n = c["audio"][1]
    env.note("measured .aac: %d frames in 3 s" % n)
    check(n > 80, ".aac frames %d for 3 s" % n)
    head = _first_bytes(srv.http_port, "/live/a.aac", "aac.example", 2000)
    body = head.split(b"\r\n\r\n", 1)[-1]
    check(head.startswith(b"HTTP/1.1 200") and b"\xff\xf1" in body[:64],
          ".aac by Host header: %r" % head[:120])

    mp3 = env.path("out.mp3")
    rc, _, err, _ = _record(env, base + "/mp3.example/live/m.mp3", mp3, 3, "mp3", "mp3-viewer")
    check(rc == 0, "ffmpeg reading the .mp3 mount: %s" % err[-300:])
    c = count_packets(env, mp3)
    check(c.get("audio", ("",))[0] == "mp3", ".mp3 streams: %s" % c)
    n = c["audio"][1]
    env.note("measured .mp3: %d frames in 3 s" % n)
    check(n > 80, ".mp3 frames %d for 3 s" % n)

    status, _, _ = http_request(srv.http_port, "/live/nobody.ts")
    check(status == 404, "a .ts mount of a stream that is not live: HTTP %s" % status)
