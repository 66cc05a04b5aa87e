# SPDX-License-Identifier: MIT
"""RTMP publish/play against real clients: ffmpeg, ffprobe, rtmpdump."""

import json
import os
import random
import re
import select
import signal
import socket
import time

from strand_env import (STRAND_BIN, TestFailure, check, flv_kinds, http_body, parse_flv_tags,
                        wait_closed_by_peer, wait_log, wait_until)


def count_packets(env, path):
    """{codec_type: (codec_name, packets, width, height)} of a media file."""
    rc, out, err, _ = env.run("ffprobe-count", [
        "ffprobe", "-v", "error", "-count_packets", "-show_entries",
        "stream=codec_type,codec_name,width,height,nb_read_packets", "-of", "json", path], 30)
    check(rc == 0, "ffprobe cannot read %s (%s): %s" % (os.path.basename(path), rc, err[-300:]))
    res = {}
    for s in json.loads(out).get("streams", []):
        res[s.get("codec_type")] = (s.get("codec_name"), int(s.get("nb_read_packets", 0)),
                                    s.get("width"), s.get("height"))
    return res


def expect_alive(proc, what):
    check(proc.poll() is None, "%s exited early (%s): %s" % (what, proc.poll(), proc.errtail(5)))


def test_live_publish_probe_record(env):
    """ffmpeg encodes and publishes live; ffprobe sees h264+aac 320x240; two ffmpeg players record 3 s."""
    srv = env.server()
    url = srv.url("itest_live")
    pub = env.publish_live(url, gop=25, seconds=30)
    time.sleep(1.5)
    expect_alive(pub, "publisher")
    streams, why = env.probe_streams(url, timeout=15)
    check(streams is not None, "ffprobe on the live stream: " + why)
    env.expect_streams(streams, 320, 240)
    outs = [env.path("rec%d.flv" % i) for i in (1, 2)]
    recs = [env.record(url, o, 3, name="recorder%d" % i) for i, o in enumerate(outs)]
    for r in recs:
        rc = r.wait(20)
        check(rc == 0, "recording player exit %s: %s" % (rc, r.errtail(5)))
    for o in outs:
        c = count_packets(env, o)
        check("video" in c and "audio" in c, "recording has streams %s" % list(c))
        v, a = c["video"], c["audio"]
        env.note("measured %s: %d video, %d audio packets in 3 s" % (os.path.basename(o), v[1], a[1]))
        check(v[0] == "h264" and (v[2], v[3]) == (320, 240), "recorded video %s" % (v,))
        check(40 <= v[1] <= 130, "implausible video packet count %d for 3 s at 25 fps" % v[1])
        check(60 <= a[1] <= 220, "implausible audio packet count %d for 3 s at 44.1 kHz" % a[1])
    expect_alive(pub, "publisher")


def _match_run(src, rec, what, min_len):
    """rec (list of (size, hash)) must equal a contiguous run of src."""
    check(rec, "no %s packets recorded" % what)
    starts = [j for j, x in enumerate(src) if x == rec[0]]
    check(starts, "first recorded %s packet (size %d) is not in the source" % (what, rec[0][0]))
    best = (-1, 0)
    for j in starts:
        n = 0
        while n < len(rec) and j + n < len(src) and rec[n] == src[j + n]:
            n += 1
        if n > best[1]:
            best = (j, n)
        if n == len(rec):
            break
    j, n = best
    check(n == len(rec), "%s packet %d of %d (source #%d) differs: recorded size %d, source size %s"
          % (what, n, len(rec), j + n, rec[n][0] if n < len(rec) else -1,
             src[j + n][0] if j + n < len(src) else "(past end)"))
    check(n >= min_len, "only %d %s packets recorded, expected at least %d" % (n, what, min_len))
    return j, n


def test_copy_is_bit_exact(env):
    """A file published with -c copy and recorded by a player with -c copy keeps every
    video packet (MD5 of each packet) from the first keyframe on, and every audio packet."""
    media = env.media()
    srv = env.server()
    url = srv.url("itest_exact")
    rec = env.path("rec.flv")
    # The player is there before the publisher, so it must get every packet from the first.
    # It stops itself after 7 s of media, while the publisher still sends (8 s).
    player = env.spawn("player", ["ffmpeg"] + env.FF + ["-y", "-i", url, "-map", "0", "-c", "copy",
                                                        "-t", "7", "-f", "flv", rec])
    time.sleep(1.0)
    expect_alive(player, "player waiting for the stream")
    pub = env.publish_file(url, media, seconds=8)
    prc = player.wait(20)
    check(prc == 0, "player exit %s: %s" % (prc, player.errtail(5)))
    rc = pub.wait(10)
    check(rc == 0, "publisher exit %s: %s" % (rc, pub.errtail(5)))
    check(os.path.getsize(rec) > 0, "player wrote nothing: %s" % player.errtail(5))

    sv = env.packets(media, "v")
    rv = env.packets(rec, "v")
    first_key = next((i for i, p in enumerate(rv) if p.get("flags", "").startswith("K")), None)
    check(first_key is not None, "no keyframe among %d recorded video packets" % len(rv))
    key = lambda p: (int(p["size"]), p["data_hash"])
    j, n = _match_run([key(p) for p in sv], [key(p) for p in rv[first_key:]], "video", 150)
    env.note("measured video: %d recorded packets from the first keyframe (#%d) match source "
             "packets #%d..#%d" % (n, first_key, j, j + n - 1))
    sa = env.packets(media, "a")
    ra = env.packets(rec, "a")
    ja, na = _match_run([key(p) for p in sa], [key(p) for p in ra], "audio", 250)
    env.note("measured audio: %d recorded packets match source #%d..#%d" % (na, ja, ja + na - 1))


def test_rtmpdump_plays(env):
    """rtmpdump (librtmp: its own handshake and chunking) records a playable h264+aac FLV."""
    srv = env.server()
    url = srv.url("itest_dump")
    pub = env.publish_file(url, env.media(), seconds=20)
    time.sleep(1.5)
    expect_alive(pub, "publisher")
    out = env.path("dump.flv")
    dump = env.spawn("rtmpdump", ["rtmpdump", "-v", "-m", "10", "-r", url, "-o", out, "-B", "4"])
    rc = dump.wait(7)
    if rc is None:
        rc = dump.stop(signal.SIGINT, 5)
        env.note("rtmpdump stopped with SIGINT, exit %s" % rc)
    check(os.path.exists(out) and os.path.getsize(out) > 1000,
          "rtmpdump wrote %s bytes (exit %s): %s" % (
              os.path.getsize(out) if os.path.exists(out) else 0, rc, dump.errtail(6)))
    streams, why = env.probe_streams(out)
    check(streams is not None, "ffprobe on rtmpdump's file: " + why)
    env.expect_streams(streams, 320, 240)
    c = count_packets(env, out)
    env.note("measured rtmpdump file: %d video, %d audio packets" % (c["video"][1], c["audio"][1]))
    check(c["video"][1] >= 50, "only %d video packets from rtmpdump" % c["video"][1])
    check(c["audio"][1] >= 50, "only %d audio packets from rtmpdump" % c["audio"][1])


def test_second_publisher_refused(env):
    """A second publisher to a busy stream is refused quickly; the first goes on and players see it."""
    srv = env.server()
    url = srv.url("itest_busy")
    a = env.publish_file(url, env.media("main"), name="publisher-A")  # 320x240
    small = env.media("small")  # 160x120, tells B's frames from A's
    time.sleep(2.0)
    expect_alive(a, "publisher A")
    b = env.publish_file(url, small, name="publisher-B")
    rc = b.wait(10)
    check(rc is not None, "second publisher still running 10 s later: it was not refused")
    check(rc != 0, "second publisher exited 0: it was not refused")
    env.note("publisher B refused, exit %d: %s" % (rc, b.errtail(2).replace("\n", " | ")))
    time.sleep(0.5)
    expect_alive(a, "publisher A (after B was refused)")
    streams, why = env.probe_streams(url)
    check(streams is not None, "ffprobe after refusal: " + why)
    env.expect_streams(streams, 320, 240)  # A's picture, not B's
    out = env.path("after.flv")
    r = env.record(url, out, 2)
    rc = r.wait(15)
    check(rc == 0, "player after refusal exit %s: %s" % (rc, r.errtail(5)))
    c = count_packets(env, out)
    check(c.get("video", (0, 0))[1] > 25, "player got %s video packets from A" % (c.get("video"),))
    check((c["video"][2], c["video"][3]) == (320, 240), "player got %sx%s frames, not A's" % c["video"][2:])
    expect_alive(a, "publisher A (at the end)")


def read_flv_until_first_frame(proc, deadline):
    """Read a player's FLV stdout (rtmpdump, curl) until the first video frame (not a
    sequence header): (tags up to it, when it came) or (tags, None) at the deadline."""
    buf = bytearray()
    fd = proc.p.stdout.fileno()
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not r:
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        buf += chunk
        tags, _ = parse_flv_tags(bytes(buf))
        for i, t in enumerate(tags):
            if t["type"] == 9 and len(t["data"]) >= 2 and t["data"][1] == 1:
                return tags[:i + 1], time.monotonic()
    tags, _ = parse_flv_tags(bytes(buf)) if len(buf) >= 13 else ([], 0)
    return tags, None


def test_late_player_starts_on_keyframe(env):
    """A player joining ~2.4 s into a stream with 2 s GOPs (so the next keyframe is ~1.7 s away)
    gets metadata, sequence headers, then a keyframe first, within 1 s (asserted < 1.5 s wall):
    it must come from the GOP cache."""
    srv = env.server()
    url = srv.url("itest_late")
    pub = env.publish_file(url, env.media(), name="publisher")  # GOP 50 at 25 fps = 2 s
    time.sleep(2.4)
    expect_alive(pub, "publisher")
    t0 = time.monotonic()
    dump = env.spawn("rtmpdump-late", ["stdbuf", "-o0", "rtmpdump", "-v", "-m", "10", "-r", url,
                                       "-o", "-"], pipe_stdout=True)
    tags, t_frame = read_flv_until_first_frame(dump, t0 + 6.0)
    dump.stop(signal.SIGINT, 2)
    check(t_frame is not None, "no video frame within 6 s; got %d tags: %s; rtmpdump: %s" % (
        len(tags), [(t["type"], t["size"]) for t in tags[:8]], dump.errtail(4)))
    latency = t_frame - t0
    env.note("measured late join: first video frame %.3f s after starting rtmpdump" % latency)
    first = tags[-1]
    kinds = flv_kinds(tags)
    env.note("late join tag order: %s" % " ".join(kinds[:12]))
    check(first["data"][0] >> 4 == 1, "first video frame is not a keyframe (frame type %d, ts %d)"
          % (first["data"][0] >> 4, first["ts"]))
    check("vsh" in kinds, "no AVC sequence header before the first video frame: %s" % kinds)
    check("meta" in kinds and kinds.index("meta") < kinds.index("vsh"),
          "metadata did not come before the sequence header: %s" % kinds)
    if "aframe" in kinds:
        check("ash" in kinds and kinds.index("ash") < kinds.index("aframe"),
              "an AAC frame came before the AAC sequence header: %s" % kinds)
    check(latency < 1.5, "first video frame took %.2f s (bound 1.5 s)" % latency)
    # The same with ffprobe: the first video packet it sees carries the keyframe flag.
    rc, out, err, secs = env.run("ffprobe-late", [
        "ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=flags",
        "-read_intervals", "%+#5", "-of", "csv=p=0", url], 15)
    check(rc == 0, "ffprobe -show_packets exit %s: %s" % (rc, err[-300:]))
    lines = [l for l in out.split() if l.strip()]
    check(lines, "ffprobe listed no video packets")
    check(lines[0].startswith("K"), "ffprobe's first video packet has flags %r" % lines[0])
    env.note("measured ffprobe late join: %.2f s for 5 packets, flags %s" % (secs, " ".join(lines)))
    expect_alive(pub, "publisher")


VHOSTS = """vhost __defaultVhost__ {
    play { gop_cache on; }
}
vhost demo.example.com {
    play { gop_cache on; }
}
vhost off.example.com {
    enabled off;
}
"""


def test_vhost_separation(env):
    """?vhost= selects the vhost; the same stream name on another vhost is another stream;
    a vhost with `enabled off` is refused; without __defaultVhost__ unknown vhosts are refused."""
    srv = env.server(VHOSTS)
    demo = srv.url("s1", vhost="demo.example.com")
    pub = env.publish_file(demo, env.media())
    time.sleep(1.5)
    expect_alive(pub, "publisher on demo.example.com")
    streams, why = env.probe_streams(demo, timeout=10)
    check(streams is not None, "player on ?vhost=demo.example.com: " + why)
    env.expect_streams(streams)
    alt = "rtmp://127.0.0.1:%d/live/s1?vhost=demo.example.com" % srv.port
    streams, why = env.probe_streams(alt, timeout=10)
    check(streams is not None, "player with ?vhost= on the stream name: " + why)
    streams, why = env.probe_streams(srv.url("s1"), timeout=6)
    check(streams is None or not streams,
          "a player on the default vhost got the demo.example.com stream: %s" %
          [s.get("codec_name") for s in streams or []])
    env.note("default-vhost player did not get the stream: " + why)

    off = srv.url("s2", vhost="off.example.com")
    p2 = env.publish_file(off, env.media(), name="publisher-off")
    rc = p2.wait(10)
    check(rc is not None and rc != 0,
          "publish to a vhost with `enabled off` was not refused (exit %s)" % rc)
    rc, _, _, _ = env.run("ffprobe-off", ["ffprobe", "-v", "error", "-show_streams", "-of", "json",
                                          srv.url("s1", vhost="off.example.com")], 10)
    check(rc is not None and rc != 0, "play on a vhost with `enabled off` was not refused (exit %s)" % rc)
    expect_alive(pub, "publisher on demo.example.com")

    srv2 = env.server("vhost demo.example.com {\n    play { gop_cache on; }\n}\n", name="nodefault")
    p3 = env.publish_file(srv2.url("s3"), env.media(), name="publisher-nodefault")
    rc = p3.wait(10)
    check(rc is not None and rc != 0,
          "publish to an unknown vhost without __defaultVhost__ was not refused (exit %s)" % rc)
    p4 = env.publish_file(srv2.url("s3", vhost="demo.example.com"), env.media(), name="publisher-demo2")
    time.sleep(1.5)
    expect_alive(p4, "publisher on demo.example.com (server without default vhost)")
    streams, why = env.probe_streams(srv2.url("s3", vhost="demo.example.com"), timeout=10)
    check(streams is not None, "player on demo.example.com (server without default vhost): " + why)


def test_max_connections(env):
    """With max_connections 3, a 4th connection is closed at once, the existing publisher and
    player are unharmed, and once connections go away the server accepts again."""
    srv = env.server(max_connections=3)
    time.sleep(0.3)  # the readiness probe's connection is gone
    url = srv.url("itest_max")
    pub = env.publish_file(url, env.media())
    time.sleep(1.0)
    out = env.path("rec.flv")
    rec = env.record(url, out, 6)
    time.sleep(1.0)
    expect_alive(pub, "publisher")
    expect_alive(rec, "player")
    third = env.connect(srv.port)
    time.sleep(0.3)
    for i in range(2):
        s = env.connect(srv.port)
        t0 = time.monotonic()
        check(wait_closed_by_peer(s, 3.0), "connection %d beyond max_connections 3 was not closed "
              "within 3 s" % (4 + i))
        env.note("measured over-limit connection closed after %.3f s" % (time.monotonic() - t0))
        s.close()
    rc, _, _, _ = env.run("ffprobe-over", ["ffprobe", "-v", "error", "-show_streams", url], 10)
    check(rc is not None and rc != 0, "a player beyond max_connections got the stream (exit %s)" % rc)
    expect_alive(pub, "publisher")
    rc = rec.wait(15)
    check(rc == 0, "existing player failed (exit %s): %s" % (rc, rec.errtail(5)))
    c = count_packets(env, out)
    check(c.get("video", (0, 0))[1] >= 100, "existing player recorded only %s video packets in 6 s"
          % (c.get("video"),))
    third.close()
    pub.stop(signal.SIGKILL, 0)
    time.sleep(1.0)
    for rnd in range(3):  # fill up and release: the listener must keep accepting
        socks = [env.connect(srv.port) for _ in range(3)]
        time.sleep(0.2)
        extra = env.connect(srv.port)
        check(wait_closed_by_peer(extra, 3.0), "round %d: 4th connection not closed" % rnd)
        for s in socks + [extra]:
            s.close()
        time.sleep(0.5)
    url2 = srv.url("itest_max2")
    pub2 = env.publish_file(url2, env.media(), name="publisher2")
    time.sleep(1.5)
    expect_alive(pub2, "publisher after connections were released")
    streams, why = env.probe_streams(url2)
    check(streams is not None, "player after connections were released: " + why)
    env.expect_streams(streams)


def _simple_handshake(sock):
    """RTMP simple handshake as a client; returns S0S1S2."""
    c1 = bytes(8) + random.Random(7).randbytes(1528)
    sock.sendall(b"\x03" + c1)
    s = b""
    sock.settimeout(5)
    while len(s) < 3073:
        d = sock.recv(3073 - len(s))
        if not d:
            break
        s += d
    check(len(s) == 3073, "server sent %d handshake bytes instead of 3073" % len(s))
    check(s[0] == 3, "server answered RTMP version %d" % s[0])
    sock.sendall(s[1:1537])  # C2 echoes S1
    return s


def _send_quietly(sock, data):
    try:
        sock.sendall(data)
    except OSError:
        pass  # the server may close on us mid-send


def test_garbage_and_bad_handshakes(env):
    """Random bytes, wrong versions, truncated handshakes, hostile chunk headers, broken AMF and a
    connect storm leave the server serving: the running stream and a new one both play."""
    srv = env.server()
    port = srv.port
    silent = env.connect(port)  # connects and never says anything
    t_silent = time.monotonic()
    url = srv.url("itest_robust_a")
    pub = env.publish_file(url, env.media())
    time.sleep(1.0)
    out = env.path("during.flv")
    rec = env.record(url, out, 10)  # a player watching while the garbage flies
    time.sleep(0.5)
    rng = random.Random(20260101)

    s = env.connect(port)  # 64 KiB of random bytes
    _send_quietly(s, rng.randbytes(65536))
    s.close()
    s = env.connect(port)  # 64 KiB of random bytes after a plausible C0
    _send_quietly(s, b"\x03" + rng.randbytes(65535))
    s.close()

    s = env.connect(port)  # wrong version byte: must be closed promptly
    _send_quietly(s, b"\xff" + rng.randbytes(1536))
    check(wait_closed_by_peer(s, 5.0), "connection with RTMP version 0xff not closed within 5 s")
    s.close()

    s = env.connect(port)  # C0C1 truncated, then close
    _send_quietly(s, b"\x03" + rng.randbytes(700))
    s.close()

    s = env.connect(port)  # valid handshake, then garbage chunk stream
    _simple_handshake(s)
    _send_quietly(s, rng.randbytes(8192))
    s.close()

    def chunk0(csid, mtype, payload, length=None, ts=0, sid=0):
        length = len(payload) if length is None else length
        return (bytes([csid & 0x3F]) + ts.to_bytes(3, "big") + length.to_bytes(3, "big")
                + bytes([mtype]) + sid.to_bytes(4, "little") + payload)

    s = env.connect(port)  # hostile chunk size, then a 16 MiB message that never comes
    _simple_handshake(s)
    _send_quietly(s, chunk0(2, 1, (0x7FFFFFFF).to_bytes(4, "big")))
    _send_quietly(s, chunk0(4, 9, b"\x17\x01" + rng.randbytes(100), length=0xFFFFFF))
    s.close()

    s = env.connect(port)  # chunk size 0, then a connect whose AMF0 lies about its lengths
    _simple_handshake(s)
    _send_quietly(s, chunk0(2, 1, (0).to_bytes(4, "big")))
    amf = b"\x02\x00\x07connect" + b"\x00\x3f\xf0\x00\x00\x00\x00\x00\x00" + b"\x03\x00\x03app\x02\xff\xff"
    _send_quietly(s, chunk0(3, 20, amf))
    _send_quietly(s, chunk0(3, 20, b"\x02\xff\xff" + rng.randbytes(20)))
    _send_quietly(s, chunk0(3, 20, b"\x08\xff\xff\xff\xff" + b"\x0a\x7f\xff\xff\xff"))
    time.sleep(0.2)
    s.close()

    s = env.connect(port)  # an extended timestamp header cut short
    _simple_handshake(s)
    _send_quietly(s, bytes([0x04]) + b"\xff\xff\xff" + (10).to_bytes(3, "big") + b"\x09\x01\x00\x00\x00\x00\x00")
    s.close()

    for _ in range(40):  # connect storm: open and drop at once
        try:
            c = socket.create_connection(("127.0.0.1", port), timeout=2)
            c.close()
        except OSError as e:
            raise TestFailure("connect storm: %s" % e)

    check(srv.alive(), "server died under malformed input")
    expect_alive(pub, "publisher during the abuse")
    rc = rec.wait(20)
    check(rc == 0, "player watching during the abuse failed (exit %s): %s" % (rc, rec.errtail(5)))
    c = count_packets(env, out)
    check(c.get("video", (0, 0))[1] >= 150, "player during abuse recorded only %s video packets in 10 s"
          % (c.get("video"),))
    url_b = srv.url("itest_robust_b")
    pub_b = env.publish_file(url_b, env.media(), name="publisher-b")
    time.sleep(1.5)
    expect_alive(pub_b, "new publisher after the abuse")
    streams, why = env.probe_streams(url_b)
    check(streams is not None, "new player after the abuse: " + why)
    env.expect_streams(streams)
    check(srv.alive(), "server died")
    # The silent connection has been ignored all along; the handshake timeout must drop it.
    left = t_silent + 15.0 - time.monotonic()
    check(wait_closed_by_peer(silent, max(0.1, left)),
          "a connection that never sent a handshake is still open after 15 s")
    env.note("measured silent connection found closed by the server %.1f s after it connected"
             % (time.monotonic() - t_silent))
    silent.close()


def _progress_value(path, key):
    """The last KEY=N of an ffmpeg -progress file, 0 when none yet."""
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return 0
    values = [int(x) for x in re.findall(r"^%s=(\d+)$" % key, text, re.M)]
    return values[-1] if values else 0


def test_recordings_of_every_stream_end_on_time(env):
    """Issue 9.1: a player sees exactly the published tracks (no extra data stream from a
    play-start message), so recording scripts that keep every stream work: over RTMP and
    HTTP-FLV, `ffmpeg -map 0 -t 4 -c copy` ends with ~4 s of media, and `-map 0 -c copy`
    writes at once instead of holding packets back for a stream that never comes."""
    srv = env.server(http_body(env.path("www")))
    url = srv.url("itest_mapall")
    pub = env.publish_file(url, env.media("main"), seconds=30)
    check(wait_log(srv, r"publish \S+/live/itest_mapall start", 10), "publish did not start")
    urls = {"RTMP": url, "HTTP-FLV": "http://127.0.0.1:%d/live/itest_mapall.flv" % srv.http_port}
    for proto, u in urls.items():
        streams, why = env.probe_streams(u)
        check(streams is not None, "ffprobe %s: %s" % (proto, why))
        kinds = sorted(st.get("codec_type") for st in streams)
        check(kinds == ["audio", "video"], "ffprobe %s lists %s, expected exactly audio and video" % (proto, kinds))
        out = env.path("mapall-%s.flv" % proto)
        rc, _, err, secs = env.run("map0-" + proto, ["ffmpeg"] + env.FF + ["-y", "-i", u, "-map", "0", "-t", "4",
                                                                           "-c", "copy", "-f", "flv", out], 30)
        check(rc == 0, "%s: ffmpeg -map 0 -t 4 exit %s after %.1f s: %s" % (proto, rc, secs, err[-300:]))
        rc, dur, err, _ = env.run("duration", ["ffprobe", "-v", "error", "-show_entries", "format=duration",
                                               "-of", "csv=p=0", out], 15)
        check(rc == 0, "ffprobe %s: %s" % (out, err[-200:]))
        env.note("measured %s: -map 0 -t 4 took %.1f s, recorded %s s" % (proto, secs, dur.strip()))
        check(3.5 <= float(dur) <= 5.0, "%s: recorded %s s, expected about 4" % (proto, dur.strip()))
        check(secs < 12, "%s: a 4 s recording took %.1f s" % (proto, secs))
        # -map 0 without -t: the muxer writes as soon as it has the cached GOP
        progress = env.path("grow-%s.txt" % proto)
        t0 = time.monotonic()
        grow = env.spawn("grow-" + proto, ["ffmpeg"] + env.FF + ["-y", "-i", u, "-map", "0", "-c", "copy",
                                                                 "-progress", progress, "-stats_period", "0.1",
                                                                 "-f", "flv", env.path("grow-%s.flv" % proto)])
        wrote = wait_until(lambda: _progress_value(progress, "total_size") > 10000, 8, step=0.05)
        env.note("measured %s: -map 0 output %d bytes %.2f s after ffmpeg started"
                 % (proto, _progress_value(progress, "total_size"), time.monotonic() - t0))
        check(wrote, "%s: -map 0 -c copy wrote %d bytes in 8 s" % (proto, _progress_value(progress, "total_size")))
        check(time.monotonic() - t0 < 4, "%s: -map 0 -c copy took %.1f s to write (ffmpeg's probe is ~1.5 s)"
              % (proto, time.monotonic() - t0))
        grow.stop()
    expect_alive(pub, "publisher")


def _flv_file_tags(path):
    with open(path, "rb") as f:
        return parse_flv_tags(f.read())[0]


def _progress_frames(path):
    return _progress_value(path, "frame")


def _check_timeline(tags, what, publishers):
    """Audio and video timestamps never go backwards; the video has one AVC sequence header
    per publisher (a raw dump keeps them; ffmpeg's muxer writes only the first)."""
    for kind in (8, 9):
        ts = [t["ts"] for t in tags if t["type"] == kind]
        back = [(a, b) for a, b in zip(ts, ts[1:]) if b < a]
        check(not back, "%s: %s timestamps went backwards %d times, first %s"
              % (what, "audio" if kind == 8 else "video", len(back), back[:1]))
    av = [t for t in tags if t["type"] in (8, 9)]
    seqh = [t for t in tags if t["type"] == 9 and t["data"][:2] == b"\x17\x00"]
    check(len(seqh) >= publishers, "%s: %d AVC sequence headers, expected %d" % (what, len(seqh), publishers))
    return av[-1]["ts"] if av else 0


def test_players_survive_publisher_reconnect(env):
    """Issue 9.2: as with SRS, players are not told that the publisher left (librtmp,
    ffmpeg and ffplay stop on NetStream.Play.UnpublishNotify). rtmpdump, an ffmpeg relay
    (-c copy) and an ffplay-like decoder (-f null) keep running while the broadcaster
    reconnects 2 s later with another picture size, and get the new media with timestamps
    that keep increasing."""
    srv = env.server()
    url = srv.url("itest_reconnect")
    pub1 = env.publish_file(url, env.media("main"), seconds=4, name="publisher1")  # 320x240
    check(wait_log(srv, r"publish \S+/live/itest_reconnect start", 10), "first publish did not start")
    dump = env.spawn("rtmpdump", ["rtmpdump", "-v", "-r", url, "-o", env.path("dump.flv")])
    relay_out = env.path("relay.flv")
    # a relay that records 7 s: it can only end if it gets media from both publishers
    relay = env.spawn("relay", ["ffmpeg"] + env.FF + ["-y", "-i", url, "-c", "copy", "-t", "7", "-f", "flv",
                                                      relay_out])
    progress = env.path("progress.txt")
    decoder = env.spawn("decoder", ["ffmpeg"] + env.FF + ["-i", url, "-progress", progress, "-f", "null", "-"])
    check(wait_until(lambda: _progress_frames(progress) > 10, 15), "the decoder decodes no frames")
    rc = pub1.wait(15)
    check(rc == 0, "first publisher exit %s: %s" % (rc, pub1.errtail(5)))
    offset = os.path.getsize(srv.log)
    check(wait_log(srv, r"publish \S+/live/itest_reconnect stop", 5, offset=0), "no unpublish in the log")
    time.sleep(2.0)  # the broadcaster's reconnect delay: part of the scenario, not a wait for a condition
    for p, what in ((dump, "rtmpdump"), (relay, "ffmpeg relay"), (decoder, "ffmpeg -f null")):
        expect_alive(p, what + " after the publisher left")
    before = _progress_frames(progress)
    pub2 = env.publish_file(url, env.media("small"), seconds=4, name="publisher2")  # 160x120
    check(wait_log(srv, r"publish \S+/live/itest_reconnect start", 10, offset=offset), "republish did not start")
    got = wait_until(lambda: _progress_frames(progress) >= before + 50, 15)
    env.note("measured decoder frames: %d before the republish, %d after" % (before, _progress_frames(progress)))
    check(got, "the decoder got %d frames of the new publisher, expected 50"
          % (_progress_frames(progress) - before))
    rc = relay.wait(15)
    check(rc == 0, "the ffmpeg relay (-t 7) exit %s: %s" % (rc, relay.errtail(5)))
    rc = pub2.wait(15)
    check(rc == 0, "second publisher exit %s: %s" % (rc, pub2.errtail(5)))
    for p, what in ((dump, "rtmpdump"), (decoder, "ffmpeg -f null")):
        expect_alive(p, what + " after the republish")
    dump.stop()
    for p in (relay, decoder):
        with open(p.log, "rb") as f:
            errs = f.read().decode("utf-8", "replace")
        check("New " not in errs, "%s saw a new stream mid-play: %s" % (p.name, errs[-300:]))
    for path, what, seqh in ((relay_out, "ffmpeg relay", 1), (env.path("dump.flv"), "rtmpdump", 2)):
        tags = _flv_file_tags(path)
        last = _check_timeline(tags, what, seqh)
        env.note("measured %s: %d tags, last timestamp %d ms" % (what, len(tags), last))
        check(last >= 6500, "%s: last timestamp %d ms, expected 7 to 8 s of media" % (what, last))
    c = count_packets(env, relay_out)
    check(c.get("video", (0, 0))[1] >= 150, "relay kept %s video packets, expected 7 s of both publishers' (~175)"
          % (c.get("video"),))


def test_republish(env):

    """A player that waits on the idle stream is resumed by a new publisher with another picture size and gets
    only the new publisher's packets (nothing stale from the old GOP cache), and a new player
    gets the new sequence headers."""
    srv = env.server()
    url = srv.url("itest_republish")
    pub1 = env.publish_file(url, env.media("main"), seconds=3, name="publisher1")  # 320x240
    small = env.media("small")
    rc = pub1.wait(10)
    check(rc == 0, "first publisher exit %s: %s" % (rc, pub1.errtail(5)))
    out = env.path("rec.flv")
    player = env.spawn("player", ["ffmpeg"] + env.FF + ["-y", "-i", url, "-c", "copy", "-t", "3",
                                                        "-f", "flv", out])
    time.sleep(1.0)
    expect_alive(player, "player waiting on the idle stream")
    pub2 = env.publish_file(url, small, seconds=8, name="publisher2")  # 160x120
    rc = player.wait(15)
    check(rc == 0, "player exit %s after the republish: %s" % (rc, player.errtail(5)))
    key = lambda p: (int(p["size"]), p["data_hash"])
    got = [key(p) for p in env.packets(out, "v")]
    from_main = len(set(got) & set(key(p) for p in env.packets(env.media("main"), "v")))
    from_small = len(set(got) & set(key(p) for p in env.packets(small, "v")))
    env.note("measured republish: waiting player got %d video packets, %d from the old publisher, "
             "%d from the new" % (len(got), from_main, from_small))
    check(from_main == 0, "player got %d stale packets of the first publisher" % from_main)
    check(from_small >= 50, "player got only %d packets of the second publisher" % from_small)
    c = count_packets(env, out)
    check(c.get("video", (0, 0, 0, 0))[2:] == (160, 120), "player's video is %s, expected 160x120"
          % (c.get("video"),))
    expect_alive(pub2, "second publisher")
    streams, why = env.probe_streams(url)
    check(streams is not None, "new player after the republish: " + why)
    env.expect_streams(streams, 160, 120)


def test_rtmp_client_session(env):
    """Our RTMP client session (protocol/sr_rtmp_client.c, used by strand_bench's publisher
    and later by forward and edge) publishes: ffprobe, a real client, reads h264 + aac from
    the stream; a second publisher to the busy stream is told NetStream.Publish.BadName."""
    bench = os.path.join(os.path.dirname(STRAND_BIN), "strand_bench")
    check(os.path.exists(bench), "%s is not built (make objs/strand_bench)" % bench)
    srv = env.server()
    url = srv.url("client")
    pub = env.spawn("strand_bench-publish", [bench, "rtmp-publish", "-u", url, "-n", "1",
                                              "-i", env.media("main"), "-d", "20"])
    check(wait_log(srv, r"publish \S+/live/client start", 10), "the client's publish did not start: %s"
          % pub.errtail(5))
    streams, why = env.probe_streams(url)
    check(streams is not None, "ffprobe of the client's stream: " + why)
    env.expect_streams(streams, 320, 240)
    rc, out, err, _ = env.run("strand_bench-second", [bench, "rtmp-publish", "-u", url, "-n", "1",
                                                      "-i", env.media("main"), "-d", "3"], 20)
    check("NetStream.Publish.BadName" in out + err, "the second publisher was not told BadName: %s"
          % (out + err)[-400:])
    expect_alive(pub, "the client publisher")
