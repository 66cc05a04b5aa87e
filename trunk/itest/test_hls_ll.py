# SPDX-License-Identifier: MIT
"""Low-Latency HLS (hls_low_latency on, hls_part_duration 0.5): the playlist served from
memory lists parts and hints the next one; a blocking reload (_HLS_msn, _HLS_part)
returns as soon as the part exists, a hinted part is answered once it is cut, a request
too far ahead is a 400, and a reload waiting on a stalled stream (its publisher stopped
with SIGSTOP) ends with a 503 after three target durations instead of hanging, and one
waiting when the stream ends gets the last playlist at once; ffmpeg, a classic client,
reads the same playlist. Browser playback is in test_players.py."""

import os
import re
import signal
import threading
import time

from strand_env import check, http_body, http_request, wait_until
from test_hls import read_playlist, www_dir
from test_rtmp import expect_alive


def ll_server(env, www, fragment=2, window=12):
    # a stalled publisher is kept 20 s (publish normal_timeout), past a reload's 3 target durations
    vh = ("vhost __defaultVhost__ {\n    publish {\n        normal_timeout 20000;\n    }\n    hls {\n        enabled on;\n"
          "        hls_fragment %d;\n        hls_window %d;\n        hls_path %s;\n        hls_low_latency on;\n"
          "        hls_part_duration 0.5;\n    }\n}\n" % (fragment, window, www))
    inner = http_body(http_dir=www, vhosts=vh)

    def body(srv):
        return inner(srv).replace("    dir %s;\n" % www, "    dir %s;\n    hls_memory_cache_mb 64;\n" % www, 1)
    body.aux_ports = inner.aux_ports
    return env.server(body)


def hint(text):
    """(segment, part, uri) of the playlist's EXT-X-PRELOAD-HINT, or None."""
    m = re.search(r'#EXT-X-PRELOAD-HINT:TYPE=PART,URI="(([^"]*?)-(\d+)\.(\d+)\.m4s)"', text)
    return (int(m.group(3)), int(m.group(4)), m.group(1)) if m else None


def test_hls_ll_blocking_reload_and_parts(env):
    www = www_dir(env)
    srv = ll_server(env, www)
    pub = env.publish_live(srv.url("ll"), gop=25, seconds=40)
    m3u8 = os.path.join(www, "live", "ll.m3u8")
    check(wait_until(lambda: os.path.exists(m3u8) and len(read_playlist(m3u8)[2]) >= 2, 20),
          "no LL-HLS playlist with 2 segments after 20 s")
    status, headers, body = http_request(srv.http_port, "/live/ll.m3u8")
    text = body.decode()
    check(status == 200 and headers.get("Cache-Control") == "no-cache", "playlist: %s" % status)
    for tag in ("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.500", "#EXT-X-PART-INF:PART-TARGET=0.500",
                '#EXT-X-MAP:URI="ll/init.mp4"', "INDEPENDENT=YES"):
        check(tag in text, "the LL-HLS playlist lacks %s:\n%s" % (tag, text))
    parts = [float(d) for d in re.findall(r"#EXT-X-PART:DURATION=([\d.]+),", text)]
    check(parts and max(parts) <= 0.5, "part durations over the 0.5 s target: %s" % parts)
    h = hint(text)
    check(h is not None, "no EXT-X-PRELOAD-HINT:\n" + text)
    seg, part, uri = h
    # the hinted part: asked before it exists, answered once cut
    t0 = time.monotonic()
    status, headers, data = http_request(srv.http_port, "/live/" + uri, timeout=10)
    waited = time.monotonic() - t0
    env.note("measured the hinted part %s: %s, %d bytes after %.3f s" % (uri, status, len(data), waited))
    check(status == 200 and data[4:8] == b"moof", "hinted part %s: %s, %r" % (uri, status, data[:8]))
    check(headers.get("Content-Type") == "video/iso.segment", "part Content-Type %r" % headers.get("Content-Type"))
    # a blocking reload for the part after it returns once the playlist lists that part
    t0 = time.monotonic()
    status, _, body = http_request(srv.http_port, "/live/ll.m3u8?_HLS_msn=%d&_HLS_part=%d" % (seg, part + 1),
                                   timeout=10)
    waited = time.monotonic() - t0
    text = body.decode()
    listed = re.search(r'URI="ll-%d\.%d\.m4s"' % (seg, part + 1), text) or hint(text)[0] > seg
    env.note("measured blocking reload for part %d.%d: %s after %.3f s" % (seg, part + 1, status, waited))
    check(status == 200 and listed, "blocking reload for %d.%d: %s\n%s" % (seg, part + 1, status, text))
    check(waited < 2.0, "the blocking reload took %.2f s for a part due within 0.5 s" % waited)
    # reload as hls.js does, part after part across segment ends: every answer lists a part
    # of the open segment (a closed segment listed last, or its short last part alone, sent
    # hls.js off its timeline), and each new playlist has a new ETag, though several come
    # within one second with the same size: a revalidation never gets a stale 304
    seen = {}
    for _ in range(8):
        seg, part, _ = hint(text)
        status, hdrs, body = http_request(srv.http_port, "/live/ll.m3u8?_HLS_msn=%d&_HLS_part=%d" % (seg, part),
                                          timeout=10)
        text = body.decode()
        tail = text[text.rindex("#EXTINF"):]
        check(status == 200 and "#EXT-X-PART:" in tail, "a reload answer lists no part after its last segment:\n"
              + text[-600:])
        etag = hdrs.get("ETag")
        check(etag and seen.setdefault(etag, text) == text, "two playlists share the ETag %s" % etag)
    first = next(iter(seen))
    status = http_request(srv.http_port, "/live/ll.m3u8", headers={"If-None-Match": first})[0]
    check(status == 200, "If-None-Match with an old playlist's ETag: %s" % status)
    # a request past the next segment is refused
    status = http_request(srv.http_port, "/live/ll.m3u8?_HLS_msn=%d" % (seg + 5))[0]
    check(status == 400, "a reload five segments ahead: %s" % status)
    # ffmpeg, a classic client, plays the same playlist
    out = env.path("ll.mp4")
    rc, _, err, _ = env.run("ffmpeg-ll", ["ffmpeg"] + env.FF + [
        "-y", "-i", "http://127.0.0.1:%d/live/ll.m3u8" % srv.http_port, "-t", "3", "-c", "copy", out], 30)
    check(rc == 0 and os.path.getsize(out) > 10000, "ffmpeg on the LL-HLS playlist: %s %s" % (rc, err[-300:]))
    # a stalled stream: a blocking reload ends with 503 after three target durations
    status, _, body = http_request(srv.http_port, "/live/ll.m3u8")
    seg, part, _ = hint(body.decode())
    td = int(re.search(r"#EXT-X-TARGETDURATION:(\d+)", body.decode()).group(1))
    os.kill(pub.pid, signal.SIGSTOP)
    t0 = time.monotonic()
    status, _, _ = http_request(srv.http_port, "/live/ll.m3u8?_HLS_msn=%d&_HLS_part=%d" % (seg + 1, 0),
                                timeout=3 * td + 10)
    waited = time.monotonic() - t0
    env.note("measured a blocking reload on a stalled stream: %s after %.2f s (target duration %d)"
             % (status, waited, td))
    check(status == 503 and 3 * td - 1 <= waited <= 3 * td + 3, "stalled stream: %s after %.2f s" % (status, waited))
    # the stream ends while a reload waits (the stalled publisher is killed): the reload
    # gets the last playlist, from disk, at once
    holder = {}

    def wait_reload():
        holder["r"] = http_request(srv.http_port, "/live/ll.m3u8?_HLS_msn=%d&_HLS_part=0" % (seg + 1), timeout=20)
        holder["t"] = time.monotonic()
    th = threading.Thread(target=wait_reload)
    th.start()
    time.sleep(0.3)  # the request is waiting: nothing comes from a stopped publisher
    os.kill(pub.pid, signal.SIGKILL)
    stopped = time.monotonic()
    th.join(20)
    check("r" in holder, "the waiting reload never returned after the stream ended")
    env.note("measured a blocking reload when the stream ends: %s, %.2f s after the publisher was killed"
             % (holder["r"][0], holder["t"] - stopped))
    check(holder["r"][0] == 200 and holder["t"] - stopped < 3, "reload across the end: %s after %.2f s"
          % (holder["r"][0], holder["t"] - stopped))
    pub.wait(5)


def test_hls_ll_delta_update(env):
    """_HLS_skip=YES (RFC 8216bis 6.2.5.1) on a long LL-HLS window: the playlist offers
    CAN-SKIP-UNTIL (six target durations), and the delta update replaces the segments
    that end before it with EXT-X-SKIP, listing the rest as the whole playlist does."""
    www = www_dir(env)
    srv = ll_server(env, www, fragment=1, window=30)
    pub = env.publish_live(srv.url("dl"), gop=25, seconds=60)
    got = {}

    def long_enough():
        got["full"] = http_request(srv.http_port, "/live/dl.m3u8")[2].decode()
        m = re.search(r"CAN-SKIP-UNTIL=([\d.]+)", got["full"])
        total = sum(float(d) for d in re.findall(r"#EXTINF:([\d.]+),", got["full"]))
        return m and total > float(m.group(1)) + 3
    check(wait_until(long_enough, 40, 0.5), "the playlist never grew past its skip boundary:\n" + got.get("full", ""))
    seg, part, _ = hint(got["full"])
    # both answers once the hinted part is listed, so that they describe the same moment
    q = "/live/dl.m3u8?_HLS_msn=%d&_HLS_part=%d" % (seg, part)
    status, hdrs, body_full = http_request(srv.http_port, q, timeout=10)
    status_d, hdrs_d, body_delta = http_request(srv.http_port, q + "&_HLS_skip=YES", timeout=10)
    full, delta = body_full.decode(), body_delta.decode()
    check(status == 200 and status_d == 200, "playlist %s, delta %s" % (status, status_d))
    m = re.search(r"#EXT-X-SKIP:SKIPPED-SEGMENTS=(\d+)\n", delta)
    check(m and int(m.group(1)) >= 1, "the delta update skips nothing:\n" + delta)
    check("#EXT-X-VERSION:9" in delta and "#EXT-X-SKIP" not in full, "versions/skip:\n%s\n%s" % (delta[:200], full[:200]))
    uris = [l for l in full.splitlines() if l and not l.startswith("#")]
    uris_d = [l for l in delta.splitlines() if l and not l.startswith("#")]
    n = int(m.group(1))
    env.note("measured a delta update: %d of %d segments skipped, %d of %d bytes"
             % (n, len(uris), len(body_delta), len(body_full)))
    check(uris_d == uris[n:], "the delta lists %s, the playlist %s after skipping %d" % (uris_d, uris, n))
    check(re.search(r"#EXT-X-MEDIA-SEQUENCE:(\d+)", full).group(1) == re.search(r"#EXT-X-MEDIA-SEQUENCE:(\d+)", delta).group(1),
          "the delta's media sequence differs")
    check(hdrs.get("ETag") != hdrs_d.get("ETag"), "the delta shares the playlist's ETag")
    expect_alive(pub, "publisher")
