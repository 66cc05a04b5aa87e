# SPDX-License-Identifier: MIT
"""HTTP: live HTTP-FLV, the HTTP API (incl. kick, reload, auth), the static file server,
malformed HTTP and the Prometheus exporter, against real clients (ffmpeg, ffprobe, curl)
and the Python standard library's HTTP client."""

import http.client
import os
import re
import select
import socket
import threading
import time

from strand_env import (api, api_ok, check, flv_kinds, http_body, http_request, parse_flv_tags, raw_http,
                        read_http_response, wait_until)
from test_ops import wait_exit
from test_rtmp import _match_run, count_packets, expect_alive


def www_dir(env):
    d = env.path("www")
    os.makedirs(d, exist_ok=True)
    return d


def flv_url(srv, stream, app="live"):
    return "http://127.0.0.1:%d/%s/%s.flv" % (srv.http_port, app, stream)


def curl_viewer(env, url, out, max_time=None, name="curl-viewer"):
    """curl downloads url into out; -D writes the response headers next to it."""
    args = ["curl", "-sS", "-D", out + ".headers", "-o", out]
    if max_time:
        args += ["--max-time", str(max_time)]
    return env.spawn(name, args + [url])


def read_headers_file(path):
    hdrs = {}
    try:
        with open(path, "rb") as f:
            lines = f.read().decode("latin-1").splitlines()
    except OSError:
        return 0, hdrs
    status = int(lines[0].split()[1]) if lines and lines[0].startswith("HTTP/") else 0
    for l in lines[1:]:
        k, _, v = l.partition(":")
        if v:
            hdrs[k.strip().lower()] = v.strip()
    return status, hdrs


def find(items, **kw):
    return [x for x in items if all(x.get(k) == v for k, v in kw.items())]


# ---------------------------------------------------------------- live HTTP-FLV


def test_http_flv_plays(env):
    """A file published over RTMP with -c copy plays over HTTP-FLV: ffprobe sees h264+aac,
    a late viewer starts on a keyframe with the right headers, and a 3 s ffmpeg recording
    holds ~75 video packets, bit-exact with the source as a contiguous run from its first
    keyframe."""
    media = env.media()
    srv = env.server(http_body(www_dir(env)), name="strand")
    pub = env.publish_file(srv.url("flv1"), media, seconds=12)
    time.sleep(2.4)  # GOP 2 s: the next keyframe is ~1.6 s away, the GOP cache must serve one
    expect_alive(pub, "publisher")
    url = flv_url(srv, "flv1")
    dl = env.path("curl.flv")
    curl = curl_viewer(env, url, dl, max_time=3)
    rec = env.path("rec.flv")
    recorder = env.record(url, rec, 3)
    streams, why = env.probe_streams(url, timeout=15)
    check(streams is not None, "ffprobe on the HTTP-FLV URL: " + why)
    env.expect_streams(streams, 320, 240)

    rc = curl.wait(10)
    check(rc in (0, 28), "curl exit %s (expected 28, --max-time): %s" % (rc, curl.errtail(3)))
    status, hdrs = read_headers_file(dl + ".headers")
    check(status == 200, "curl got HTTP %s" % status)
    check(hdrs.get("content-type") == "video/x-flv", "Content-Type %r" % hdrs.get("content-type"))
    with open(dl, "rb") as f:
        data = f.read()
    check(data[:4] == b"FLV\x01", "body starts with %r, not FLV\\x01" % data[:4])
    tags, _ = parse_flv_tags(data)
    kinds = flv_kinds(tags)
    env.note("measured curl --max-time 3: %d bytes, %d tags, %d video frames; first tags: %s" % (
        len(data), len(tags), kinds.count("vframe"), " ".join(kinds[:6])))
    check("vframe" in kinds, "curl got no video frame in 3 s: %s" % kinds[:10])
    first = tags[kinds.index("vframe")]
    check(first["data"][0] >> 4 == 1, "the late HTTP viewer's first video frame is not a keyframe "
          "(frame type %d, ts %d)" % (first["data"][0] >> 4, first["ts"]))
    check("vsh" in kinds and kinds.index("vsh") < kinds.index("vframe"),
          "no AVC sequence header before the first video frame: %s" % kinds[:8])
    check("meta" in kinds and kinds.index("meta") < kinds.index("vsh"),
          "metadata did not come first: %s" % kinds[:8])
    if "aframe" in kinds:
        check("ash" in kinds and kinds.index("ash") < kinds.index("aframe"),
              "an AAC frame came before the AAC sequence header: %s" % kinds[:8])

    rc = recorder.wait(20)
    check(rc == 0, "ffmpeg recording from HTTP-FLV exit %s: %s" % (rc, recorder.errtail(5)))
    c = count_packets(env, rec)
    check("video" in c and "audio" in c, "recording has streams %s" % list(c))
    v, a = c["video"], c["audio"]
    env.note("measured HTTP-FLV recording of 3 s: %d video, %d audio packets" % (v[1], a[1]))
    check(v[0] == "h264" and (v[2], v[3]) == (320, 240), "recorded video %s" % (v,))
    check(60 <= v[1] <= 95, "implausible video packet count %d for 3 s at 25 fps" % v[1])
    check(100 <= a[1] <= 170, "implausible audio packet count %d for 3 s at 44.1 kHz" % a[1])
    key = lambda p: (int(p["size"]), p["data_hash"])
    rv = env.packets(rec, "v")
    first_key = next((i for i, p in enumerate(rv) if p.get("flags", "").startswith("K")), None)
    check(first_key == 0, "the recording's first video packet is not a keyframe (first at %s)"
          % first_key)
    j, n = _match_run([key(p) for p in env.packets(media, "v")], [key(p) for p in rv], "video", 60)
    env.note("measured HTTP-FLV bit-exact: %d video packets match source #%d..#%d" % (n, j, j + n - 1))
    expect_alive(pub, "publisher")


def test_http_flv_404_and_end(env):
    """A GET for a stream that is not live is 404; when the publisher stops, the HTTP
    responses of the viewers end and curl and ffmpeg exit by themselves."""
    srv = env.server(http_body(www_dir(env)))
    status, hdrs, body = http_request(srv.http_port, "/live/nobody.flv")
    check(status == 404, "GET of a stream that is not live: HTTP %s (%d bytes)" % (status, len(body)))
    pub = env.publish_file(srv.url("ending"), env.media(), seconds=4)
    time.sleep(1.5)
    expect_alive(pub, "publisher")
    url = flv_url(srv, "ending")
    dl = env.path("viewer.flv")
    curl = curl_viewer(env, url, dl)
    ff = env.spawn("ffmpeg-viewer", ["ffmpeg"] + env.FF + ["-i", url, "-c", "copy", "-f", "null", "-"])
    status, hdrs, body = http_request(srv.http_port, "/live/ending2.flv")
    check(status == 404, "GET of another stream that is not live: HTTP %s" % status)
    time.sleep(0.5)
    expect_alive(curl, "curl viewer while the publisher runs")
    expect_alive(ff, "ffmpeg viewer while the publisher runs")
    rc = pub.wait(15)
    check(rc == 0, "publisher exit %s: %s" % (rc, pub.errtail(4)))
    done = wait_exit([curl, ff], 8)
    env.note("measured after the publisher stopped: %s" % ", ".join(
        "%s exited %.2f s later (rc %s)" % (x.name, done[x.name], x.poll()) for x in (curl, ff)
        if x.name in done))
    check(curl.name in done, "curl still receiving 8 s after the publisher stopped")
    check(ff.name in done, "ffmpeg viewer still running 8 s after the publisher stopped")
    check(os.path.getsize(dl) > 10000, "curl got only %d bytes" % os.path.getsize(dl))
    with open(dl, "rb") as f:
        check(f.read(4) == b"FLV\x01", "curl's body is not FLV")
    status, _, _ = http_request(srv.http_port, "/live/ending.flv")
    check(status == 404, "GET after the publisher left: HTTP %s" % status)


# ---------------------------------------------------------------- HTTP API


def test_api_basics(env):
    """versions, summaries, vhosts, streams (codecs, size, clients), clients (publisher,
    HTTP-FLV and RTMP viewers), pagination, lookups by id and the SRS error codes."""
    srv = env.server(http_body(www_dir(env), api=True))
    ap = srv.api_port
    pub = env.publish_file(srv.url("apitest"), env.media(), seconds=15)
    pub2 = env.publish_file(srv.url("apitest2"), env.media("small"), seconds=15, name="publisher2")
    time.sleep(1.5)
    expect_alive(pub, "publisher")
    flv = curl_viewer(env, flv_url(srv, "apitest"), env.path("v.flv"))
    rtmp = env.spawn("rtmp-viewer", ["ffmpeg"] + env.FF + ["-i", srv.url("apitest"), "-c", "copy",
                                                           "-f", "null", "-"])

    js = api_ok(ap, "/api/v1/versions")
    check(isinstance(js.get("data", {}).get("version"), str) and js["data"]["version"],
          "versions without data.version: %s" % js)
    check(js.get("pid") == str(srv.proc.pid), "envelope pid %r, server pid %d" % (js.get("pid"), srv.proc.pid))
    js = api_ok(ap, "/api/v1/summaries")
    check(js["data"]["self"]["pid"] == srv.proc.pid,
          "summaries self.pid %r, server pid %d" % (js["data"]["self"].get("pid"), srv.proc.pid))
    js = api_ok(ap, "/api/v1/vhosts")
    names = [v.get("name") for v in js.get("vhosts", [])]
    check("__defaultVhost__" in names, "vhosts %s" % names)
    vid = js["vhosts"][names.index("__defaultVhost__")]["id"]
    check(api_ok(ap, "/api/v1/vhosts/" + vid)["vhost"]["name"] == "__defaultVhost__", "vhosts/ID")

    def stream_ready():
        ss = api_ok(ap, "/api/v1/streams").get("streams", [])
        s = find(ss, name="apitest")
        return s[0] if s and s[0].get("clients") == 3 and s[0].get("video") else None
    st = wait_until(stream_ready, 8)
    if not st:
        st = find(api_ok(ap, "/api/v1/streams").get("streams", []), name="apitest")
        check(False, "stream apitest with 3 clients (publisher, HTTP-FLV, RTMP) and video not "
              "seen within 8 s: %s" % st)
    env.note("stream: %s" % {k: st.get(k) for k in ("id", "clients", "video", "audio", "publish")})
    check(st["app"] == "live" and st["vhost"] == vid, "stream app/vhost %s/%s" % (st["app"], st["vhost"]))
    check(st["publish"]["active"] is True, "publish.active %r" % st["publish"])
    v, a = st["video"], st["audio"]
    check(v["codec"] == "H264" and (v["width"], v["height"]) == (320, 240), "video %s" % v)
    check(a and a["codec"] == "AAC", "audio %s" % a)
    check(a["sample_rate"] == 44100, "audio %s" % a)
    got = api_ok(ap, "/api/v1/streams/" + st["id"])["stream"]
    check(got["id"] == st["id"] and got["name"] == "apitest", "streams/ID gave %s" % got)

    def clients_ready():
        cs = api_ok(ap, "/api/v1/clients?count=100")
        mine = find(cs["clients"], name="apitest")
        types = sorted(c["type"] for c in mine)
        return cs if types == ["flv-play", "fmle-publish", "rtmp-play"] else None
    cs = wait_until(clients_ready, 5)
    if not cs:
        cs = api_ok(ap, "/api/v1/clients?count=100")
        check(False, "clients of apitest: %s" % [(c["type"], c["publish"]) for c in
                                                   find(cs["clients"], name="apitest")])
    mine = find(cs["clients"], name="apitest")
    pubc = find(mine, type="fmle-publish")[0]
    check(pubc["publish"] is True and pubc["stream"] == st["id"], "publisher client %s" % pubc)
    check(st["publish"]["cid"] == pubc["id"], "publish.cid %s, publisher id %s" % (st["publish"], pubc["id"]))
    for t in ("flv-play", "rtmp-play"):
        c = find(mine, type=t)[0]
        check(c["publish"] is False and c["stream"] == st["id"], "%s client %s" % (t, c))
        one = api_ok(ap, "/api/v1/clients/" + c["id"])["client"]
        check(one["id"] == c["id"] and one["type"] == t, "clients/%s gave %s" % (c["id"], one))
    check(cs["total"] == 4 and len(cs["clients"]) == 4,
          "total %s, %d clients listed (expected 3 on apitest + 1 publisher)" % (cs["total"], len(cs["clients"])))

    # pagination: pages of one and of two cover the same clients, in the same order
    ids = [c["id"] for c in cs["clients"]]
    paged = []
    for start in range(0, 5):
        page = api_ok(ap, "/api/v1/clients?start=%d&count=1" % start)
        check(page["total"] == 4, "total %s on page start=%d" % (page["total"], start))
        paged += [c["id"] for c in page["clients"]]
    check(paged == ids, "clients pages of 1: %s, all at once: %s" % (paged, ids))
    page = api_ok(ap, "/api/v1/clients?start=2&count=2")
    check([c["id"] for c in page["clients"]] == ids[2:4], "clients start=2 count=2")
    ss = api_ok(ap, "/api/v1/streams")
    check(len(ss["streams"]) == 2 and ss["total"] == 2, "two streams: %s" % [s["name"] for s in ss["streams"]])
    s0 = api_ok(ap, "/api/v1/streams?start=0&count=1")["streams"]
    s1 = api_ok(ap, "/api/v1/streams?start=1&count=1")["streams"]
    check(len(s0) == 1 and len(s1) == 1 and [s0[0]["id"], s1[0]["id"]] == [s["id"] for s in ss["streams"]],
          "streams pages of 1 %s / %s" % (s0, s1))
    check(api_ok(ap, "/api/v1/streams?start=2")["streams"] == [], "streams start=2 not empty")

    # unknown ids: HTTP 200 with SRS's codes (doc/api.md)
    for path, method, code in (("/api/v1/streams/vid-nope000", "GET", 2048),
                               ("/api/v1/clients/nope0000", "GET", 2049),
                               ("/api/v1/clients/nope0000", "DELETE", 2049),
                               ("/api/v1/vhosts/vid-nope000", "GET", 2014)):
        status, js = api(ap, path, method=method)
        check(status == 200 and js and js.get("code") == code,
              "%s %s: HTTP %s %s, expected code %d" % (method, path, status, js, code))
    status, js = api(ap, "/api/v1/nothing")
    check(status == 404 and js and js.get("code") == 404, "unknown endpoint: HTTP %s %s" % (status, js))
    expect_alive(pub, "publisher")
    expect_alive(pub2, "publisher2")
    expect_alive(flv, "HTTP-FLV viewer")
    expect_alive(rtmp, "RTMP viewer")


def test_api_kick(env):
    """DELETE /api/v1/clients/ID of an RTMP player makes that ffmpeg exit, others go on;
    DELETE of the publisher ends the stream and the HTTP-FLV viewers' responses."""
    srv = env.server(http_body(www_dir(env), api=True))
    ap = srv.api_port
    pub = env.publish_file(srv.url("kick"), env.media(), seconds=20)
    time.sleep(1.5)
    expect_alive(pub, "publisher")
    victim = env.spawn("rtmp-victim", ["ffmpeg"] + env.FF + ["-i", srv.url("kick"), "-c", "copy",
                                                             "-f", "null", "-"])
    other = env.spawn("rtmp-other", ["ffmpeg"] + env.FF + ["-i", srv.url("kick"), "-c", "copy",
                                                           "-f", "null", "-"])
    flv = curl_viewer(env, flv_url(srv, "kick"), env.path("kick.flv"))

    def clients():
        cs = api_ok(ap, "/api/v1/clients?count=100")["clients"]
        return cs if len(find(cs, type="rtmp-play")) == 2 and find(cs, type="flv-play") else None
    cs = wait_until(clients, 6)
    check(cs, "2 RTMP viewers and an HTTP-FLV viewer not listed within 6 s: %s" % [
        c["type"] for c in api_ok(ap, "/api/v1/clients?count=100")["clients"]])
    # Kick one of the two RTMP players: exactly one ffmpeg must exit, the other goes on.
    vid = find(cs, type="rtmp-play")[0]["id"]
    api_ok(ap, "/api/v1/clients/" + vid, method="DELETE")
    done = wait_exit([victim, other], 5)
    env.note("measured kick of rtmp-play %s: %s" % (vid, done))
    check(len(done) == 1, "after kicking one RTMP player, exited: %s (expected exactly one)" % done)
    check(list(done.values())[0] < 5, "kicked player exited too late")
    gone = api(ap, "/api/v1/clients/" + vid)[1]
    check(gone.get("code") == 2049, "the kicked client is still there: %s" % gone)
    expect_alive(pub, "publisher after kicking a player")
    expect_alive(flv, "HTTP-FLV viewer after kicking a player")
    survivor = other if victim.name in done else victim

    pubc = find(api_ok(ap, "/api/v1/clients?count=100")["clients"], type="fmle-publish")
    check(len(pubc) == 1, "publisher clients %s" % pubc)
    size0 = os.path.getsize(env.path("kick.flv"))
    api_ok(ap, "/api/v1/clients/" + pubc[0]["id"], method="DELETE")
    done = wait_exit([pub, flv], 6)
    env.note("measured kick of the publisher: %s" % {k: round(v, 2) for k, v in done.items()})
    check(pub.name in done, "the kicked publisher's ffmpeg still runs 6 s later")
    check(flv.name in done, "the HTTP-FLV response did not end within 6 s of kicking the publisher")
    check(size0 > 10000, "the HTTP-FLV viewer had only %d bytes before the kick" % size0)
    ss = api_ok(ap, "/api/v1/streams")["streams"]
    st = find(ss, name="kick")
    check(not st or st[0]["publish"]["active"] is False, "stream after kicking its publisher: %s" % st)
    env.note("stream after the kick: %s; RTMP survivor running: %s" % (
        [(s["name"], s["publish"]) for s in st], survivor.poll() is None))
    status, _, _ = http_request(srv.http_port, "/live/kick.flv")
    check(status == 404, "new HTTP-FLV viewer after the kick: HTTP %s" % status)


RELOAD_VHOST = "vhost added.example.com {\n    play { gop_cache on; }\n}\n"


def test_api_reload_and_auth(env):
    """raw?rpc=reload applies a rewritten config (a new vhost appears); a refused config gives
    1023 and keeps serving; reload without allow_reload / raw_api off give 1061; other rpc
    1060. With auth: no or wrong credentials get 401 + WWW-Authenticate, right ones 200."""
    raw_on = "raw_api {\n    enabled on;\n    allow_reload on;\n}"
    srv = env.server(http_body(api=True, api_extra=raw_on))
    ap = srv.api_port
    before = [v["name"] for v in api_ok(ap, "/api/v1/vhosts")["vhosts"]]
    check("added.example.com" not in before, "vhosts before: %s" % before)
    vhosts = "vhost __defaultVhost__ {\n    play { gop_cache on; }\n}\n" + RELOAD_VHOST
    srv.write_config(http_body(api=True, api_extra=raw_on, vhosts=vhosts))
    check(srv.api_port == ap, "ports changed")
    api_ok(ap, "/api/v1/raw?rpc=reload")
    after = [v["name"] for v in api_ok(ap, "/api/v1/vhosts")["vhosts"]]
    check("added.example.com" in after, "vhost added.example.com not listed after rpc=reload: %s" % after)
    status, js = api(ap, "/api/v1/raw?rpc=query")
    check(js and js.get("code") == 1060, "rpc=query: HTTP %s %s, expected code 1060" % (status, js))

    with open(srv.conf, "a") as f:
        f.write("vhost broken {\n")  # unbalanced brace: refused
    status, js = api(ap, "/api/v1/raw?rpc=reload")
    check(js and js.get("code") == 1023, "reload of a broken config: HTTP %s %s, expected 1023" % (status, js))
    after = [v["name"] for v in api_ok(ap, "/api/v1/vhosts")["vhosts"]]
    check("added.example.com" in after, "running config lost after a refused reload: %s" % after)

    # reload (with the API itself) to a config where allow_reload is off
    srv.write_config(http_body(api=True, api_extra="raw_api {\n    enabled on;\n    allow_reload off;\n}",
                               vhosts=vhosts))
    api_ok(ap, "/api/v1/raw?rpc=reload")
    status, js = api(ap, "/api/v1/raw?rpc=reload")
    check(js and js.get("code") == 1061, "reload with allow_reload off: HTTP %s %s, expected 1061" % (status, js))

    # raw_api off, auth on: a second server
    srv2 = env.server(http_body(api=True, api_extra="raw_api {\n    enabled off;\n}\n"
                                "auth {\n    enabled on;\n    username u;\n    password p;\n}"),
                      name="auth")
    ap2 = srv2.api_port
    for auth in (None, ("u", "wrong"), ("x", "p")):
        status, hdrs, body = http_request(ap2, "/api/v1/versions", auth=auth)
        check(status == 401, "credentials %s: HTTP %s, expected 401" % (auth, status))
        check((hdrs.get("WWW-Authenticate") or "").startswith("Basic"),
              "401 without WWW-Authenticate: Basic: %r" % hdrs.get("WWW-Authenticate"))
    status, hdrs, body = http_request(ap2, "/api/v1/versions", auth=("u", "p"))
    check(status == 200, "right credentials: HTTP %s" % status)
    status, js = api(ap2, "/api/v1/raw?rpc=reload", auth=("u", "p"))
    check(status == 200 and js and js.get("code") == 1061,
          "raw_api off: HTTP %s %s, expected code 1061" % (status, js))
    status, _ = api(ap2, "/api/v1/raw?rpc=reload")
    check(status == 401, "raw without credentials: HTTP %s" % status)


def test_api_and_server_same_port(env):
    """http_api.listen == http_server.listen: one port serves the API and static files."""
    www = www_dir(env)
    with open(os.path.join(www, "hello.txt"), "w") as f:
        f.write("hello strand\n")
    srv = env.server(http_body(www, api=True, same_port=True))
    check(srv.api_port == srv.http_port, "ports %s %s" % (srv.api_port, srv.http_port))
    js = api_ok(srv.http_port, "/api/v1/versions")
    check(js["data"].get("version"), "no version: %s" % js)
    status, hdrs, body = http_request(srv.http_port, "/hello.txt")
    check(status == 200 and body == b"hello strand\n", "static file: HTTP %s %r" % (status, body[:40]))
    conn = http.client.HTTPConnection("127.0.0.1", srv.http_port, timeout=5)
    try:  # both on one keep-alive connection
        s1, _, b1 = http_request(srv.http_port, "/hello.txt", conn=conn)
        s2, _, b2 = http_request(srv.http_port, "/api/v1/versions", conn=conn)
        check(s1 == 200 and s2 == 200 and b"version" in b2, "keep-alive mix: %s %s" % (s1, s2))
    finally:
        conn.close()


# ---------------------------------------------------------------- static files


def make_www(env):
    www = www_dir(env)
    os.makedirs(os.path.join(www, "sub"))
    files = {
        "index.html": b"<html>root index</html>\n",
        "app.js": b"console.log(1);\n",
        "live.m3u8": b"#EXTM3U\n#EXT-X-VERSION:3\n",
        "seg-1.ts": bytes([0x47]) + bytes(187),
        "digits.txt": b"0123456789",
        "a.txt": b"first file\n",
        "b.txt": b"second file, longer\n",
        "sub/index.html": b"<html>sub index</html>\n",
    }
    for name, data in files.items():
        with open(os.path.join(www, name), "wb") as f:
            f.write(data)
    secret = env.path("secret.txt")  # outside the root
    with open(secret, "wb") as f:
        f.write(b"TOP-SECRET-OUTSIDE-ROOT\n")
    os.symlink(secret, os.path.join(www, "link.txt"))
    os.symlink(env.dir, os.path.join(www, "outdir"))
    return www, files


def test_static_files(env):
    """MIME types, index.html, redirect of a directory without '/', HEAD, Range (206, suffix,
    416), ETag (304), keep-alive, and no way out of the root (.., %2e%2e, %2f, symlinks, NUL)."""
    www, files = make_www(env)
    srv = env.server(http_body(www))
    p = srv.http_port
    types = {"/index.html": "text/html", "/app.js": "javascript", "/live.m3u8": "application/vnd.apple.mpegurl",
             "/seg-1.ts": "video/MP2T"}
    for path, ctype in types.items():
        status, hdrs, body = http_request(p, path)
        check(status == 200 and body == files[path[1:]], "GET %s: HTTP %s, %d bytes" % (path, status, len(body)))
        check(ctype.lower() in (hdrs.get("Content-Type") or "").lower(),
              "GET %s: Content-Type %r, expected %s" % (path, hdrs.get("Content-Type"), ctype))
    status, hdrs, body = http_request(p, "/")
    check(status == 200 and body == files["index.html"], "GET /: HTTP %s %r" % (status, body[:40]))
    status, hdrs, body = http_request(p, "/sub/")
    check(status == 200 and body == files["sub/index.html"], "GET /sub/: HTTP %s %r" % (status, body[:40]))
    status, hdrs, body = http_request(p, "/sub")
    check(status == 302 and (hdrs.get("Location") or "").endswith("/sub/"),
          "GET /sub: HTTP %s Location %r, expected 302 to /sub/" % (status, hdrs.get("Location")))
    status, hdrs, body = http_request(p, "/missing.html")
    check(status == 404, "missing file: HTTP %s" % status)

    status, hdrs, body = http_request(p, "/digits.txt", method="HEAD")
    check(status == 200 and body == b"" and hdrs.get("Content-Length") == "10",
          "HEAD: HTTP %s, Content-Length %r, body %r" % (status, hdrs.get("Content-Length"), body))
    etag = hdrs.get("ETag")
    check(etag, "no ETag on HEAD")
    # no body after HEAD on the wire: a HEAD and a GET pipelined on one connection
    s = socket.create_connection(("127.0.0.1", p), timeout=5)
    try:
        s.sendall(b"HEAD /digits.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        f = s.makefile("rb")
        r1 = read_http_response(f, head=True)
        r2 = read_http_response(f)
    finally:
        s.close()
    check(r1 and r1[0] == 200 and r1[1].get("content-length") == "10", "raw HEAD: %s" % (r1,))
    check(r2 and r2[0] == 200 and r2[2] == files["a.txt"],
          "the GET after a HEAD got %s: the HEAD response carried a body?" % (r2,))

    status, hdrs, body = http_request(p, "/digits.txt", headers={"Range": "bytes=2-5"})
    check(status == 206 and body == b"2345" and hdrs.get("Content-Range") == "bytes 2-5/10",
          "Range 2-5: HTTP %s %r Content-Range %r" % (status, body, hdrs.get("Content-Range")))
    status, hdrs, body = http_request(p, "/digits.txt", headers={"Range": "bytes=-3"})
    check(status == 206 and body == b"789" and hdrs.get("Content-Range") == "bytes 7-9/10",
          "Range -3: HTTP %s %r Content-Range %r" % (status, body, hdrs.get("Content-Range")))
    status, hdrs, body = http_request(p, "/digits.txt", headers={"Range": "bytes=20-30"})
    check(status == 416, "unsatisfiable Range: HTTP %s %r" % (status, body[:40]))
    check(hdrs.get("Content-Range") in (None, "bytes */10"), "416 Content-Range %r" % hdrs.get("Content-Range"))
    status, hdrs, body = http_request(p, "/digits.txt", headers={"If-None-Match": etag})
    check(status == 304 and body == b"", "If-None-Match with the ETag: HTTP %s %r" % (status, body))
    status, hdrs, body = http_request(p, "/digits.txt", headers={"If-None-Match": '"other"'})
    check(status == 200 and body == b"0123456789", "If-None-Match with another ETag: HTTP %s" % status)

    conn = http.client.HTTPConnection("127.0.0.1", p, timeout=5)
    try:
        s1, _, b1 = http_request(p, "/a.txt", conn=conn)
        sock1 = conn.sock
        local1 = sock1.getsockname() if sock1 else None
        s2, _, b2 = http_request(p, "/b.txt", conn=conn)
        check(s1 == 200 and s2 == 200 and b1 == files["a.txt"] and b2 == files["b.txt"],
              "keep-alive: %s %s %r %r" % (s1, s2, b1, b2))
        check(conn.sock is sock1 and sock1 is not None and conn.sock.getsockname() == local1,
              "the second request did not reuse the connection")
    finally:
        conn.close()

    leaks = []
    for path in ("/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc/passwd",
                 "/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/%2E%2E%2Fsecret.txt",
                 "/sub/../../secret.txt", "/sub/%2e%2e/%2e%2e/secret.txt", "/./../secret.txt",
                 "/..\\secret.txt", "/%5c..%5csecret.txt", "//etc/passwd",
                 "/link.txt", "/outdir/secret.txt"):
        rs = raw_http(p, ("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode())
        check(rs, "no response to GET %s" % path)
        status, _, body = rs[0]
        env.note("GET %s -> %d" % (path, status))
        if status == 200 or b"root:" in body or b"TOP-SECRET" in body:
            leaks.append("%s -> %d %r" % (path, status, body[:40]))
        elif status not in (400, 403, 404):
            leaks.append("%s -> unexpected %d" % (path, status))
    check(not leaks, "traversal: " + "; ".join(leaks))
    for path in ("/index.html%00.txt", "/%00", "/sub/%00index.html"):
        rs = raw_http(p, ("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode())
        check(rs and rs[0][0] == 400, "GET %s: %s, expected 400" % (path, rs and rs[0][0]))
    status, _, body = http_request(p, "/index.html")
    check(status == 200, "server no longer serves: HTTP %s" % status)


# ---------------------------------------------------------------- malformed HTTP


def slowloris(port, result, bound):
    """One byte of a never-ending request a second; result gets the seconds until the
    server closed (or answered), the answer's first line, and bytes sent."""
    req = b"GET /index.html HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100
    s = socket.create_connection(("127.0.0.1", port), timeout=2)
    t0 = time.monotonic()
    sent = 0
    try:
        while time.monotonic() - t0 < bound:
            r, _, _ = select_read(s, 1.0)
            if r:
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                result["closed_after"] = time.monotonic() - t0
                result["answer"] = data.split(b"\r\n")[0].decode("latin-1") if data else ""
                break
            try:
                s.sendall(req[sent % len(req):sent % len(req) + 1])
                sent += 1
            except OSError as e:
                result["closed_after"] = time.monotonic() - t0
                result["answer"] = "send failed: %s" % e
                break
    finally:
        result["sent"] = sent
        s.close()


def select_read(s, timeout):
    return select.select([s], [], [], timeout)


def test_static_large_file_keep_alive(env):
    """A file larger than the socket buffers goes out whole (sendfile on plain HTTP), twice
    on one keep-alive connection, with a Range from its middle, and curl gets it intact."""
    www, _ = make_www(env)
    big = os.urandom(3 * 1024 * 1024 + 17)
    with open(os.path.join(www, "big.bin"), "wb") as f:
        f.write(big)
    srv = env.server(http_body(www))
    conn = http.client.HTTPConnection("127.0.0.1", srv.http_port, timeout=10)
    try:
        for i in range(2):
            status, hdrs, body = http_request(srv.http_port, "/big.bin", conn=conn)
            check(status == 200 and body == big, "GET %d on one connection: %s, %d bytes" % (i, status, len(body)))
        status, hdrs, body = http_request(srv.http_port, "/big.bin", headers={"Range": "bytes=1000000-2000000"},
                                          conn=conn)
        check(status == 206 and body == big[1000000:2000001], "Range: %s, %d bytes" % (status, len(body)))
        status, _, body = http_request(srv.http_port, "/digits.txt", conn=conn)
        check(status == 200 and body == b"0123456789", "a small file after them: %s %r" % (status, body))
    finally:
        conn.close()
    out = env.path("big.out")
    rc, _, err, secs = env.run("curl", ["curl", "-sS", "-f", "-o", out, "http://127.0.0.1:%d/big.bin" % srv.http_port], 20)
    with open(out, "rb") as f:
        check(rc == 0 and f.read() == big, "curl: %s %s" % (rc, err))
    env.note("measured curl of a %d-byte file in %.3f s" % (len(big), secs))


def test_malformed_http(env):
    """Bad request line 400, 100 KiB header 431, too many headers 431, bad chunked body to
    the API 400, a slowloris (1 byte/s) cut off within ~10-15 s while other clients are
    served, pipelined GETs answered in order; the server serves normally afterwards."""
    www, files = make_www(env)
    srv = env.server(http_body(www, api=True))
    p, ap = srv.http_port, srv.api_port
    result = {}
    slow = threading.Thread(target=slowloris, args=(p, result, 25), daemon=True)
    slow.start()
    t_start = time.monotonic()

    rs = raw_http(p, b"GARBAGE\r\n\r\n")
    check(rs and rs[0][0] == 400, "bad request line: %s" % [r[:2] for r in rs])
    rs = raw_http(p, b"GET / HTTP/9.9 extra\r\n\r\n")
    check(rs and rs[0][0] == 400, "bad request line 2: %s" % [r[:2] for r in rs])
    rs = raw_http(p, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * (100 * 1024) + b"\r\n\r\n")
    check(rs and rs[0][0] == 431, "100 KiB header: %s" % [r[:2] for r in rs])
    many = b"".join(b"X-H%d: v\r\n" % i for i in range(200))
    rs = raw_http(p, b"GET / HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
    check(rs and rs[0][0] == 431, "200 headers: %s" % [r[:2] for r in rs])
    rs = raw_http(p, b"GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n")
    check(rs and rs[0][0] == 400, "header line without colon: %s" % [r[:2] for r in rs])
    for bad in (b"ZZ\r\nabc\r\n0\r\n\r\n", b"5\r\nabc\r\n0\r\n\r\n", b"-1\r\nabc\r\n0\r\n\r\n"):
        rs = raw_http(ap, b"POST /api/v1/clients HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + bad)
        check(rs and rs[0][0] == 400, "bad chunked body %r to the API: %s" % (bad, [r[:2] for r in rs]))

    two = b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /b.txt HTTP/1.1\r\nHost: x\r\n\r\n"
    rs = raw_http(p, two, responses=2)
    check(len(rs) == 2 and rs[0][0] == 200 and rs[1][0] == 200, "pipelined: %s" % [r[:2] for r in rs])
    check(rs[0][2] == files["a.txt"] and rs[1][2] == files["b.txt"],
          "pipelined answers out of order: %r, %r" % (rs[0][2], rs[1][2]))

    served = []  # another client is served normally while the slowloris drips
    while slow.is_alive() and time.monotonic() - t_start < 30:
        t0 = time.monotonic()
        status, _, body = http_request(p, "/index.html", timeout=3)
        served.append(time.monotonic() - t0)
        check(status == 200 and body == files["index.html"], "normal client during slowloris: %s" % status)
        time.sleep(1.0)
    slow.join(30)
    check("closed_after" in result, "slowloris still connected after 25 s (%d bytes sent)" % result.get("sent", 0))
    env.note("measured slowloris: cut off after %.1f s (%d bytes sent), answer %r; %d normal requests "
             "meanwhile, slowest %.3f s" % (result["closed_after"], result["sent"], result.get("answer"),
                                            len(served), max(served) if served else -1))
    check(8 <= result["closed_after"] <= 15, "slowloris cut off after %.1f s, expected 10-15 s"
          % result["closed_after"])
    check(served and max(served) < 1.0, "normal requests during the slowloris took up to %.2f s"
          % (max(served) if served else -1))
    check(srv.alive(), "server died")
    status, _, body = http_request(p, "/a.txt")
    check(status == 200 and body == files["a.txt"], "after all: HTTP %s" % status)
    api_ok(ap, "/api/v1/versions")


# ---------------------------------------------------------------- exporter


def parse_metrics(text):
    """{(name, frozenset(labels.items())): value} of a Prometheus text exposition."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)$', line)
        check(m, "bad metrics line %r" % line)
        labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        out[(m.group(1), frozenset(labels.items()))] = float(m.group(4))
    return out


def metric(ms, name, **labels):
    want = set(labels.items())
    vals = [v for (n, ls), v in ms.items() if n == name and want <= set(ls)]
    return vals[0] if vals else None


def test_exporter(env):
    """/metrics on the exporter port: text format 0.0.4, SRS metric names with sane values
    while a stream is live, and strand_stream_recv_kbps > 0 for it after ~6 s."""
    srv = env.server(http_body(www_dir(env), exporter=True))
    pub = env.publish_file(srv.url("metered"), env.media(), seconds=16)
    t_pub = time.monotonic()
    time.sleep(1.5)
    viewer = curl_viewer(env, flv_url(srv, "metered"), env.path("m.flv"))
    time.sleep(4.5)
    expect_alive(pub, "publisher")
    lbl = dict(vhost="__defaultVhost__", app="live", stream="metered")
    # The sampler runs every 5 s and a rate needs two samples: poll until the stream's
    # recv kbps appears (bound: 12 s after the publisher started, two intervals and change).
    while True:
        status, hdrs, body = http_request(srv.exporter_port, "/metrics")
        check(status == 200, "/metrics: HTTP %s" % status)
        ctype = hdrs.get("Content-Type") or ""
        check(ctype.startswith("text/plain") and "version=0.0.4" in ctype, "Content-Type %r" % ctype)
        ms = parse_metrics(body.decode("utf-8"))
        kbps = metric(ms, "strand_stream_recv_kbps", **lbl)
        if (kbps or 0) > 0 or time.monotonic() - t_pub > 12:
            break
        time.sleep(0.5)
    env.note("measured strand_stream_recv_kbps %s, %.1f s after the publisher started"
             % (kbps, time.monotonic() - t_pub))
    ms = parse_metrics(body.decode("utf-8"))
    vals = {n: metric(ms, n) for n in ("srs_clients", "srs_streams", "srs_send_bytes_total",
                                       "srs_receive_bytes_total", "srs_clients_total",
                                       "srs_clients_errs_total", "srs_memory", "srs_cpu_percent")}
    per = {n: metric(ms, n, **lbl) for n in ("strand_stream_recv_kbps", "strand_stream_send_kbps",
                                             "strand_stream_clients", "strand_stream_publishing",
                                             "strand_stream_frames_total")}
    env.note("measured metrics: %s; stream: %s" % (vals, per))
    missing = [n for n, v in list(vals.items()) + list(per.items()) if v is None]
    check(not missing, "metrics missing: %s" % missing)
    check(metric(ms, "srs_build_info") == 1, "srs_build_info")
    check(vals["srs_streams"] >= 1, "srs_streams %s with a live stream" % vals["srs_streams"])
    check(vals["srs_clients"] >= 3, "srs_clients %s (publisher, viewer, this scrape)" % vals["srs_clients"])
    check(vals["srs_clients_total"] >= vals["srs_clients"], "clients_total < clients")
    check(vals["srs_receive_bytes_total"] > 100000, "srs_receive_bytes_total %s after 6 s of publishing"
          % vals["srs_receive_bytes_total"])
    check(vals["srs_send_bytes_total"] > 50000, "srs_send_bytes_total %s with a viewer for 5 s"
          % vals["srs_send_bytes_total"])
    check(vals["srs_memory"] > 0, "srs_memory %s" % vals["srs_memory"])
    check(per["strand_stream_recv_kbps"] > 0, "strand_stream_recv_kbps %s 12 s after the publisher started" % per["strand_stream_recv_kbps"])
    check(per["strand_stream_publishing"] == 1 and per["strand_stream_clients"] == 2,
          "stream publishing %s clients %s" % (per["strand_stream_publishing"], per["strand_stream_clients"]))
    check(per["strand_stream_frames_total"] >= 100, "frames %s" % per["strand_stream_frames_total"])
    # the server's own observer of every stream: one publish, one stream that got a viewer
    check(metric(ms, "strand_publishes_total") == 1 and metric(ms, "strand_watched_total") == 1,
          "strand_publishes_total %s, strand_watched_total %s (expected 1 and 1)"
          % (metric(ms, "strand_publishes_total"), metric(ms, "strand_watched_total")))
    status, _, _ = http_request(srv.exporter_port, "/other")
    check(status == 404, "exporter /other: HTTP %s" % status)
    expect_alive(viewer, "viewer")
