# SPDX-License-Identifier: MIT
"""Live HLS served from memory (http_server hls_memory_cache_mb): ffmpeg publishes over
RTMP, curl and http.client fetch the playlist and segments through the built-in HTTP
server and the bytes are compared with the files on disk; a listed segment whose file
was deleted is still served (proof it comes from memory), Range and HEAD answer as for
disk files, and ffprobe plays the HLS URL end to end. With the cache off, the same
deleted file is a 404 (the disk path)."""

import os
import time

from strand_env import check, http_body, http_request, wait_until
from test_hls import read_playlist, wait_file, www_dir


def memory_server(env, www, cache_mb):
    """hls_path = http_server dir, hls_fragment 1, hls_window 6, the cache at cache_mb."""
    vh = ("vhost __defaultVhost__ {\n    play { gop_cache on; }\n"
          "    hls {\n        enabled on;\n        hls_fragment 1;\n        hls_window 6;\n"
          "        hls_path %s;\n    }\n}\n" % www)
    inner = http_body(http_dir=www, vhosts=vh)

    def body(srv):
        return inner(srv).replace("    dir %s;\n" % www, "    dir %s;\n    hls_memory_cache_mb %d;\n" % (www, cache_mb), 1)
    body.aux_ports = inner.aux_ports
    return env.server(body)


def listed(m3u8, n):
    """The playlist's entries once it lists at least n, else []."""
    if not os.path.exists(m3u8):
        return []
    entries = read_playlist(m3u8)[2]
    return entries if len(entries) >= n else []


def curl(env, port, path, out, extra=()):
    rc, _, err, _ = env.run("curl", ["curl", "-sS", "-f", "-o", out] + list(extra) +
                            ["http://127.0.0.1:%d%s" % (port, path)], 15)
    return rc, err


def test_hls_memory_serves_what_is_on_disk_and_after_deletion(env):
    www = www_dir(env)
    srv = memory_server(env, www, 64)
    pub = env.publish_live(srv.url("m"), gop=25, seconds=20)
    m3u8 = os.path.join(www, "live", "m.m3u8")
    check(wait_file(m3u8, 10), "no playlist after 10 s of publishing")
    check(wait_until(lambda: listed(m3u8, 3), 15), "the playlist never listed 3 segments")
    # the playlist served equals the file (retry: it may be rewritten between the reads)
    same = False
    for _ in range(10):
        status, headers, body = http_request(srv.http_port, "/live/m.m3u8")
        with open(m3u8, "rb") as f:
            disk = f.read()
        check(status == 200 and "mpegurl" in (headers.get("Content-Type") or "").lower(),
              "GET playlist: %s %s" % (status, headers.get("Content-Type")))
        check(headers.get("Cache-Control") == "no-cache", "playlist Cache-Control %r" % headers.get("Cache-Control"))
        if body == disk:
            same = True
            break
        time.sleep(0.05)
    check(same, "the playlist served never equalled the file on disk")
    entries = listed(m3u8, 3)
    uri = entries[-1]["uri"]
    seg_path = os.path.join(www, "live", uri)
    with open(seg_path, "rb") as f:
        seg = f.read()
    out = env.path("curl.ts")
    rc, err = curl(env, srv.http_port, "/live/" + uri, out)
    check(rc == 0, "curl %s: %s" % (uri, err))
    with open(out, "rb") as f:
        check(f.read() == seg, "curl %s: bytes differ from the file on disk" % uri)
    # Range and HEAD
    status, headers, body = http_request(srv.http_port, "/live/" + uri, headers={"Range": "bytes=188-1127"})
    check(status == 206 and body == seg[188:1128], "Range: %s, %d bytes" % (status, len(body)))
    check(headers.get("Content-Range") == "bytes 188-1127/%d" % len(seg), "Content-Range %r" % headers.get("Content-Range"))
    status, headers, body = http_request(srv.http_port, "/live/" + uri, headers={"Range": "bytes=-188"})
    check(status == 206 and body == seg[-188:], "suffix Range: %s, %d bytes" % (status, len(body)))
    status, headers, _ = http_request(srv.http_port, "/live/" + uri, headers={"Range": "bytes=%d-" % len(seg)})
    check(status == 416, "Range past the end: %s" % status)
    status, headers, body = http_request(srv.http_port, "/live/" + uri, method="HEAD")
    check(status == 200 and body == b"" and headers.get("Content-Length") == str(len(seg)),
          "HEAD: %s, Content-Length %s, %d body bytes" % (status, headers.get("Content-Length"), len(body)))
    check(headers.get("Content-Type") == "video/MP2T", "segment Content-Type %r" % headers.get("Content-Type"))
    check(headers.get("Access-Control-Allow-Origin") == "*", "no CORS header on a memory answer")
    check(headers.get("Cache-Control") == "max-age=60, immutable", "segment Cache-Control %r" % headers.get("Cache-Control"))
    # the validators are the file's, as the disk path gives them, and a match is a 304
    st = os.stat(seg_path)
    etag = '"%x.%x-%x"' % (st.st_mtime_ns // 10**9, st.st_mtime_ns % 10**9, st.st_size)
    check(headers.get("ETag") == etag, "memory ETag %r, the file's is %s" % (headers.get("ETag"), etag))
    check(headers.get("Last-Modified"), "no Last-Modified on a memory answer")
    status, headers, body = http_request(srv.http_port, "/live/" + uri, headers={"If-None-Match": etag})
    check(status == 304 and body == b"", "If-None-Match with the ETag: %s, %d bytes" % (status, len(body)))
    status, _, body = http_request(srv.http_port, "/live/" + uri, headers={"If-Range": '"0-0"', "Range": "bytes=0-9"})
    check(status == 200 and body == seg, "If-Range with another ETag: %s, %d bytes" % (status, len(body)))
    # remove the file: still in the window, so memory answers
    os.unlink(seg_path)
    status, _, body = http_request(srv.http_port, "/live/" + uri)
    check(status == 200 and body == seg, "deleted %s still listed: %s, %d bytes" % (uri, status, len(body)))
    env.note("measured %s (%d bytes) served from memory after its file was deleted" % (uri, len(seg)))
    # ffprobe plays the HLS URL end to end
    rc, outp, err, _ = env.run("ffprobe", ["ffprobe", "-v", "error", "-show_entries", "stream=codec_name",
                                           "-of", "csv=p=0", "http://127.0.0.1:%d/live/m.m3u8" % srv.http_port], 30)
    check(rc == 0 and "h264" in outp and "aac" in outp, "ffprobe the HLS URL: %s %r %s" % (rc, outp, err[-300:]))
    check(pub.wait(40) is not None, "publisher did not finish")
    # unpublished: memory is released, the deleted file is gone for good
    check(wait_until(lambda: http_request(srv.http_port, "/live/" + uri)[0] == 404, 5),
          "a deleted segment is still served after unpublish")
    status, _, body = http_request(srv.http_port, "/live/m.m3u8")
    with open(m3u8, "rb") as f:
        check(status == 200 and body == f.read(), "the playlist from disk after unpublish: %s" % status)


def test_hls_memory_off_serves_from_disk(env):
    www = www_dir(env)
    srv = memory_server(env, www, 0)
    pub = env.publish_live(srv.url("d"), gop=25, seconds=10)
    m3u8 = os.path.join(www, "live", "d.m3u8")
    check(wait_until(lambda: listed(m3u8, 2), 20), "the playlist never listed 2 segments")
    uri = listed(m3u8, 2)[-1]["uri"]
    seg_path = os.path.join(www, "live", uri)
    with open(seg_path, "rb") as f:
        seg = f.read()
    status, _, body = http_request(srv.http_port, "/live/" + uri)
    check(status == 200 and body == seg, "GET %s from disk: %s" % (uri, status))
    os.unlink(seg_path)
    status = http_request(srv.http_port, "/live/" + uri)[0]
    check(status == 404, "hls_memory_cache_mb 0 but a deleted segment answered %s" % status)
    pub.stop()
