# SPDX-License-Identifier: MIT
"""TLS: http_server.https, http_api.https and rtmps { } against real clients. curl
(--cacert conf/server.crt, the demo certificate shipped in conf/) reads the API, a
static file and an HLS playlist over HTTPS; ffmpeg/ffprobe read live HTTP-FLV and HLS
over HTTPS (GnuTLS checking the certificate), publish and play over rtmps://, and
rtmpdump plays rtmps://. Bad input: plain HTTP, plain RTMP and garbage to the TLS ports
are closed at once with one log line, a client that stops mid-handshake is closed by the
handshake timeout, and good clients keep working. A config whose certificate is missing
or whose key belongs to another certificate is refused with the directive's file:line.
SIGHUP with a new certificate: new connections see it (openssl s_client fingerprints),
a viewer connected before keeps streaming, and a broken certificate on reload is refused
while the running one stays. Headless Chromium, trusting the demo certificate by its
public key hash, plays HTTP-FLV from the players page served over HTTPS."""

import os
import random
import re
import shutil
import socket
import ssl
import time

from strand_env import (ROOT, STRAND_BIN, check, log_since, parse_flv_tags, flv_kinds, wait_closed_by_peer,
                        wait_log, wait_until)
from test_players import build_page, check_playback, publish_browser_friendly, run_players_check, setup_tools
from test_rtmp import count_packets, expect_alive

CERT = os.path.join(ROOT, "conf", "server.crt")
KEY = os.path.join(ROOT, "conf", "server.key")


def tls_body(www, tls_lines="", vhost_extra="", plain_api=True):
    """A config body: http_server (dir www) with https, http_api with https, rtmps, each
    on its own free port (srv.http_port, srv.https_port, srv.api_port, srv.apis_port,
    srv.rtmps_port); tls_lines go into each of the three TLS blocks (key/cert). The
    default vhost mounts HTTP-FLV and writes HLS (1 s fragments) into www."""
    inner = "".join("        %s\n" % l for l in tls_lines.splitlines())

    def body(srv):
        srv.http_port, srv.https_port, srv.api_port, srv.apis_port, srv.rtmps_port = srv.aux[:5]
        return ("http_server {\n    enabled on;\n    listen %d;\n    dir %s;\n"
                "    https {\n        enabled on;\n        listen %d;\n%s    }\n}\n"
                "http_api {\n    enabled %s;\n    listen %d;\n"
                "    https {\n        enabled on;\n        listen %d;\n%s    }\n}\n"
                "rtmps {\n    enabled on;\n    listen %d;\n%s}\n"
                "vhost __defaultVhost__ {\n    play { gop_cache on; }\n"
                "    http_remux {\n        enabled on;\n        mount [vhost]/[app]/[stream].flv;\n    }\n"
                "    hls {\n        enabled on;\n        hls_path %s;\n        hls_fragment 1;\n"
                "        hls_window 10;\n    }\n%s}\n"
                % (srv.http_port, www, srv.https_port, inner, "on" if plain_api else "off", srv.api_port,
                   srv.apis_port, inner, srv.rtmps_port, inner.replace("        ", "    "), www, vhost_extra))
    body.aux_ports = 5
    return body


def tls_server(env, tls_lines="", start=True):
    """A server with tls_body; without tls_lines it uses the default ./conf/server.crt and
    ./conf/server.key, so the shipped demo files are copied into its working directory."""
    www = env.path("www")
    os.makedirs(www, exist_ok=True)
    srv = env.server(tls_body(www, tls_lines), start=False)
    os.makedirs(os.path.join(srv.dir, "conf"), exist_ok=True)
    shutil.copy(CERT, os.path.join(srv.dir, "conf", "server.crt"))
    shutil.copy(KEY, os.path.join(srv.dir, "conf", "server.key"))
    srv.www = www
    return srv.start() if start else srv


def curl(env, url, ca=CERT, extra=None, timeout=10, name="curl"):
    """curl a URL over HTTPS trusting ca; (rc, body, stderr with -v)."""
    args = ["curl", "-sS", "-v", "--max-time", str(timeout)] + (["--cacert", ca] if ca else ["-k"])
    return env.run(name, args + (extra or []) + [url], timeout + 5)[:3]


def fingerprint_of_file(env, path):
    rc, out, err, _ = env.run("openssl-x509", ["openssl", "x509", "-in", path, "-noout", "-fingerprint",
                                               "-sha256"], 10)
    check(rc == 0, "openssl x509 %s: %s" % (path, err[-200:]))
    return out.strip().split("=", 1)[1]


def served_fingerprint(env, port, name="s_client"):
    """The SHA-256 fingerprint of the certificate a new connection to port is shown."""
    rc, out, err, _ = env.run(name, ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-showcerts",
                                     "-servername", "localhost"], 10)
    m = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", out, re.S)
    check(m, "openssl s_client to port %d showed no certificate (exit %s): %s" % (port, rc, err[-300:]))
    pem = env.path("%s-%d.pem" % (name, port))
    with open(pem, "w") as f:
        f.write(m.group(0) + "\n")
    return fingerprint_of_file(env, pem)


def make_cert(env, name, cn="localhost"):
    """A new self-signed certificate and key for localhost/127.0.0.1; (cert, key)."""
    cert, key = env.path(name + ".crt"), env.path(name + ".key")
    rc, _, err, _ = env.run("openssl-req", [
        "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-days", "2", "-subj", "/CN=" + cn, "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout", key, "-out", cert], 20)
    check(rc == 0, "openssl req failed: %s" % err[-300:])
    return cert, key


def client_hello():
    """The first flight of Python's TLS client: a real ClientHello."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def test_tls_https_api_static_and_tls12_minimum(env):
    """With the shipped demo certificate by default: the API answers /api/v1/versions over
    HTTPS to curl trusting conf/server.crt, ALPN selects http/1.1, a static file is the same
    over HTTP and HTTPS, and a TLS 1.1 client is refused (TLS 1.2 minimum)."""
    srv = tls_server(env)
    rc, out, err = curl(env, "https://localhost:%d/api/v1/versions" % srv.apis_port)
    check(rc == 0, "curl https API exit %s: %s" % (rc, err[-400:]))
    check('"code":0' in out.replace(" ", "") and "major" in out, "API answer over HTTPS: %r" % out[:200])
    check("ALPN: server accepted http/1.1" in err, "no ALPN http/1.1 in curl -v: %s" % err[-600:])
    m = re.search(r"SSL connection using (TLSv1\.[23]) / (\S+)", err)
    check(m, "curl did not report a TLS 1.2/1.3 connection: %s" % err[-600:])
    env.note("measured curl: %s %s" % (m.group(1), m.group(2)))
    # a static file, and the API only on the API's https port
    with open(os.path.join(srv.www, "hello.txt"), "w") as f:
        f.write("hello over tls\n")
    rc, out, err = curl(env, "https://127.0.0.1:%d/hello.txt" % srv.https_port)
    check(rc == 0 and out == "hello over tls\n", "static file over HTTPS: exit %s %r %s" % (rc, out, err[-300:]))
    rc, out, err = curl(env, "https://localhost:%d/api/v1/versions" % srv.https_port,
                        extra=["-o", "/dev/null", "-w", "%{http_code}"])
    check(out.strip() == "404", "the https (http_server) port answered the API with %r" % out)
    # TLS 1.1 (the client allows it at security level 0): refused by the server
    off = os.path.getsize(srv.log)
    rc, out, err, _ = env.run("s_client-tls11", ["openssl", "s_client", "-connect", "127.0.0.1:%d" % srv.https_port,
                                                 "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"], 10)
    check(rc != 0, "a TLS 1.1 handshake was not refused (exit %s): %s" % (rc, (out + err)[-400:]))
    check(wait_log(srv, r"https 127\.0\.0\.1 closed after 0 requests: ETLS .*unsupported protocol", 5, off),
          "no log line for the refused TLS 1.1 client: %s" % log_since(srv, off)[-400:])


def test_tls_https_live_flv_and_hls(env):
    """A stream published over plain RTMP plays over HTTPS: ffmpeg (GnuTLS verifying
    conf/server.crt for localhost) records 3 s of HTTP-FLV with ~75 video packets, curl
    reads FLV tags (metadata, sequence headers, a keyframe first), and ffprobe opens the
    HLS playlist and its segments over HTTPS."""
    srv = tls_server(env)
    pub = env.publish_live(srv.url("s1"), gop=25, seconds=40)
    check(wait_log(srv, r"publish __defaultVhost__/live/s1 start", 10), "the stream did not start: %s"
          % pub.errtail(4))
    flv = "https://localhost:%d/live/s1.flv" % srv.https_port
    rec = env.path("https.flv")
    r = env.spawn("ffmpeg-https", ["ffmpeg"] + env.FF + ["-ca_file", CERT, "-tls_verify", "1", "-y", "-i", flv,
                                                         "-c", "copy", "-t", "3", "-f", "flv", rec])
    dl = env.path("curl.flv")
    rc, _, err = curl(env, flv, extra=["-o", dl], timeout=3)
    check(rc == 28, "curl of the HTTPS FLV stream exit %s (expected 28: --max-time): %s" % (rc, err[-300:]))
    with open(dl, "rb") as f:
        data = f.read()
    check(data[:4] == b"FLV\x01", "HTTPS FLV body starts with %r" % data[:4])
    tags, _ = parse_flv_tags(data)
    kinds = flv_kinds(tags)
    env.note("measured curl over HTTPS, 3 s: %d bytes, %d tags, first %s" % (len(data), len(tags), kinds[:5]))
    check("vframe" in kinds and kinds.index("vsh") < kinds.index("vframe"), "FLV tags over HTTPS: %s" % kinds[:8])
    check(tags[kinds.index("vframe")]["data"][0] >> 4 == 1, "the first video frame over HTTPS is not a keyframe")
    check(r.wait(20) == 0, "ffmpeg reading HTTPS FLV failed: %s" % r.errtail(5))
    c = count_packets(env, rec)
    env.note("measured ffmpeg over HTTPS, 3 s: %s" % c)
    check(c.get("video", ("", 0))[0] == "h264" and 60 <= c["video"][1] <= 95,
          "video over HTTPS FLV: %s" % (c.get("video"),))
    check(c.get("audio", ("", 0))[0] == "aac" and c["audio"][1] >= 100, "audio over HTTPS FLV: %s" % (c.get("audio"),))

    m3u8 = "https://localhost:%d/live/s1.m3u8" % srv.https_port

    def listed():
        rc, out, _ = curl(env, m3u8, name="curl-m3u8")
        return rc == 0 and out.count("#EXTINF") >= 2 and out
    text = wait_until(listed, 15, 0.5)
    check(text, "the HLS playlist over HTTPS has fewer than 2 segments after 15 s")
    rc, out, err, _ = env.run("ffprobe-hls", ["ffprobe", "-v", "error", "-ca_file", CERT, "-tls_verify", "1",
                                              "-show_entries", "stream=codec_name", "-of", "csv=p=0", m3u8], 20)
    check(rc == 0 and set(out.split()) == {"aac", "h264"}, "ffprobe of HLS over HTTPS: exit %s %r %s"
          % (rc, out, err[-300:]))
    expect_alive(pub, "publisher")


def test_tls_rtmps_publish_and_play(env):
    """ffmpeg publishes over rtmps://; ffmpeg records 3 s over rtmps:// (h264 + aac, ~75
    video packets), rtmpdump plays rtmps:// to a file ffprobe reads, and the same stream
    plays over plain RTMP and over HTTPS."""
    srv = tls_server(env)
    url = "rtmps://127.0.0.1:%d/live/s2" % srv.rtmps_port
    pub = env.publish_live(url, gop=25, seconds=40)
    check(wait_log(srv, r"publish __defaultVhost__/live/s2 start", 10), "no publish over rtmps: %s"
          % pub.errtail(5))
    rec = env.path("rtmps.flv")
    r = env.record(url, rec, 3, name="ffmpeg-rtmps-play")
    dump = env.path("rtmpdump.flv")
    rd = env.spawn("rtmpdump", ["rtmpdump", "-q", "-v", "-r", url, "-o", dump])
    size = lambda: os.path.getsize(dump) if os.path.exists(dump) else 0
    got = wait_until(lambda: size() > 90000 or rd.poll() is not None, 15)  # ~3 s of this stream
    check(got and rd.poll() is None, "rtmpdump over rtmps got %d bytes, exit %s: %s" % (size(), rd.poll(),
                                                                                       rd.errtail(4)))
    rd.stop()
    c = count_packets(env, dump)
    env.note("measured rtmpdump over rtmps: %s" % c)
    check(c.get("video", ("", 0))[0] == "h264" and c["video"][1] >= 25, "rtmpdump video: %s" % (c.get("video"),))
    check(r.wait(20) == 0, "ffmpeg playing rtmps failed: %s" % r.errtail(5))
    c = count_packets(env, rec)
    env.note("measured ffmpeg over rtmps, 3 s: %s" % c)
    check(c.get("video", ("", 0))[0] == "h264" and 60 <= c["video"][1] <= 95, "rtmps video: %s" % (c.get("video"),))
    check(c.get("audio", ("", 0))[0] == "aac" and c["audio"][1] >= 100, "rtmps audio: %s" % (c.get("audio"),))
    streams, why = env.probe_streams(srv.url("s2"))
    check(streams is not None, "plain RTMP play of the rtmps stream: " + why)
    env.expect_streams(streams)
    streams, why = env.probe_streams("https://localhost:%d/live/s2.flv" % srv.https_port)
    check(streams is not None, "HTTPS play of the rtmps stream: " + why)
    expect_alive(pub, "publisher")


def test_tls_bad_input_and_stalled_handshakes(env):
    """Plain HTTP to the HTTPS port, plain RTMP (C0C1) to the rtmps port and random bytes
    to the HTTPS API port are closed within 2 s with one log line each; half a ClientHello
    then silence is closed by the handshake timeout (about 10 s, not at once); afterwards
    curl and ffprobe over TLS still work and the server is alive."""
    srv = tls_server(env)
    off = os.path.getsize(srv.log)
    stalled = []
    hello = client_hello()
    check(len(hello) > 100, "no ClientHello from Python's ssl (%d bytes)" % len(hello))
    t0 = time.monotonic()
    for port in (srv.https_port, srv.rtmps_port):
        s = env.connect(port)
        s.sendall(hello[:len(hello) // 2])
        stalled.append(s)
    rnd = random.Random(7)
    bad = [(srv.https_port, b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", "https"),
           (srv.rtmps_port, b"\x03" + bytes(rnd.getrandbits(8) for _ in range(1536)), "rtmps"),
           (srv.apis_port, bytes(rnd.getrandbits(8) for _ in range(3000)), "https")]
    for port, data, what in bad:
        s = env.connect(port)
        s.sendall(data)
        check(wait_closed_by_peer(s, 2.0), "%s port %d did not close a connection sending %r..." % (
            what, port, data[:16]))
    check(wait_log(srv, r"(?s)(https .*ETLS.*){2}", 5, off) and wait_log(srv, r"rtmps .*ETLS", 5, off),
          "expected ETLS log lines for the bad clients: %s" % log_since(srv, off)[-800:])
    lines = [l for l in log_since(srv, off).splitlines() if "ETLS" in l]
    env.note("log: " + " | ".join(l[l.index("]", 40) + 1:][:160] for l in lines))
    check(len(lines) == 3, "%d ETLS log lines for 3 bad clients: %s" % (len(lines), lines))
    # good clients meanwhile
    rc, out, err = curl(env, "https://localhost:%d/api/v1/versions" % srv.apis_port)
    check(rc == 0 and "major" in out, "curl after bad clients: exit %s %s" % (rc, err[-300:]))
    for s in stalled:
        check(wait_closed_by_peer(s, 15), "a stalled TLS handshake was not closed within 15 s")
    took = time.monotonic() - t0
    env.note("measured stalled handshakes closed after %.1f s" % took)
    check(8 <= took <= 14, "stalled handshakes closed after %.1f s, expected the 10 s handshake timeout" % took)
    check(wait_log(srv, r"https 127\.0\.0\.1 closed after 0 requests: ETIMEOUT", 3, off)
          and wait_log(srv, r"rtmps 127\.0\.0\.1 closed: ETIMEOUT", 3, off),
          "no timeout log lines for the stalled handshakes: %s" % log_since(srv, off)[-800:])
    pub = env.publish_live("rtmps://127.0.0.1:%d/live/s3" % srv.rtmps_port, seconds=20)
    check(wait_log(srv, r"publish __defaultVhost__/live/s3 start", 10, off), "rtmps publish after bad clients: %s"
          % pub.errtail(4))
    check(srv.alive(), "the server died")


def refused(env, srv, body_lines, want):
    """strand -t on a config with body_lines in the TLS blocks: exit != 0, and the message
    names the file:line of the first line matching want_line and contains each of want."""
    srv.body = tls_body(srv.www, body_lines)
    srv.write_config()
    rc, out, err, _ = env.run("strand-t", [STRAND_BIN, "-t", "-c", srv.conf], 15)
    msg = out + err
    check(rc not in (0, None), "strand -t accepted %r: %s" % (body_lines, msg[-300:]))
    with open(srv.conf) as f:
        conf_lines = f.read().splitlines()
    line = next(i + 1 for i, l in enumerate(conf_lines) if body_lines.splitlines()[0].strip() in l)
    check("strand.conf:%d:" % line in msg, "the error does not name strand.conf:%d: %s" % (line, msg[-400:]))
    for w in want:
        check(w in msg, "the error does not say %r: %s" % (w, msg[-400:]))
    env.note("refused: " + msg.strip().splitlines()[-1][-300:])


def test_tls_config_refused(env):
    """strand -t refuses: a missing certificate, a missing key, a key of another
    certificate, a certificate file that is not PEM; each with file:line and the reason."""
    srv = tls_server(env, start=False)
    srv._pick_ports()
    other_cert, other_key = make_cert(env, "other")
    garbage = env.path("garbage.crt")
    with open(garbage, "w") as f:
        f.write("not a certificate\n")
    missing = env.path("missing.crt")
    refused(env, srv, "cert %s;\nkey %s;" % (missing, KEY), ["missing.crt", "No such file"])
    refused(env, srv, "key %s;\ncert %s;" % (env.path("missing.key"), CERT), ["missing.key", "No such file"])
    refused(env, srv, "cert %s;\nkey %s;" % (CERT, other_key), ["does not belong"])
    refused(env, srv, "cert %s;\nkey %s;" % (garbage, KEY), ["garbage.crt"])
    # and the good pair is accepted
    srv.body = tls_body(srv.www, "cert %s;\nkey %s;" % (other_cert, other_key))
    srv.write_config()
    rc, out, err, _ = env.run("strand-t", [STRAND_BIN, "-t", "-c", srv.conf], 15)
    check(rc == 0, "strand -t refused a good certificate: %s" % (out + err)[-300:])


def test_tls_sighup_new_certificate(env):
    """After SIGHUP with a config naming a new certificate, new connections to the HTTPS
    and rtmps ports are shown it (openssl s_client fingerprints), curl trusts it and no
    longer the old one, an HTTPS FLV viewer connected before the reload keeps receiving,
    and a reload with a key of another certificate is refused, the new one staying."""
    srv = tls_server(env)
    old_fp = fingerprint_of_file(env, CERT)
    check(served_fingerprint(env, srv.https_port) == old_fp, "https does not serve conf/server.crt")
    check(served_fingerprint(env, srv.rtmps_port) == old_fp, "rtmps does not serve conf/server.crt")
    pub = env.publish_live(srv.url("s4"), seconds=40)
    check(wait_log(srv, r"publish __defaultVhost__/live/s4 start", 10), "no publish: %s" % pub.errtail(4))
    dl = env.path("viewer.flv")
    viewer = env.spawn("curl-viewer", ["curl", "-sS", "--cacert", CERT, "--max-time", "30", "-o", dl,
                                       "https://localhost:%d/live/s4.flv" % srv.https_port])
    check(wait_until(lambda: os.path.exists(dl) and os.path.getsize(dl) > 10000, 10), "the viewer got nothing")

    new_cert, new_key = make_cert(env, "new")
    new_fp = fingerprint_of_file(env, new_cert)
    off = os.path.getsize(srv.log)
    srv.reload(tls_body(srv.www, "cert %s;\nkey %s;" % (new_cert, new_key)))
    check(wait_log(srv, r"reload: applied", 10, off), "reload not applied: %s" % log_since(srv, off)[-400:])
    size_at_reload = os.path.getsize(dl)
    for port in (srv.https_port, srv.apis_port, srv.rtmps_port):
        fp = served_fingerprint(env, port, name="s_client-after")
        check(fp == new_fp, "port %d shows %s after reload, expected the new %s" % (port, fp, new_fp))
    rc, out, err = curl(env, "https://localhost:%d/api/v1/versions" % srv.apis_port, ca=new_cert)
    check(rc == 0, "curl trusting the new certificate: exit %s %s" % (rc, err[-300:]))
    rc, out, err = curl(env, "https://localhost:%d/api/v1/versions" % srv.apis_port, ca=CERT)
    check(rc == 60, "curl trusting only the old certificate: exit %s (expected 60)" % rc)
    check(wait_until(lambda: os.path.getsize(dl) > size_at_reload + 20000, 10),
          "the viewer connected before the reload stopped receiving (%d bytes)" % os.path.getsize(dl))
    check(viewer.poll() is None, "the HTTPS viewer ended at the reload: %s" % viewer.errtail(3))

    off = os.path.getsize(srv.log)
    other_cert, other_key = make_cert(env, "other")
    srv.reload(tls_body(srv.www, "cert %s;\nkey %s;" % (new_cert, other_key)))
    check(wait_log(srv, r"reload refused.*does not belong", 10, off), "a mismatched key was not refused on reload: %s"
          % log_since(srv, off)[-400:])
    check(served_fingerprint(env, srv.https_port, name="s_client-refused") == new_fp,
          "a refused reload changed the certificate")
    expect_alive(pub, "publisher")


def spki_hash(env, cert):
    """base64(SHA-256(SubjectPublicKeyInfo)) of cert, as Chromium's
    --ignore-certificate-errors-spki-list wants it."""
    rc, out, err, _ = env.run("spki", ["sh", "-c", "openssl x509 -in \"$1\" -pubkey -noout | openssl pkey -pubin "
                                       "-outform der | openssl dgst -sha256 -binary | base64", "spki", cert], 10)
    check(rc == 0 and len(out.strip()) == 44, "SPKI hash of %s: exit %s %r %s" % (cert, rc, out, err[-200:]))
    return out.strip()


def test_tls_players(env):
    """Headless Chromium trusting conf/server.crt (by its SPKI hash, nothing else) opens
    the players page over HTTPS without ?api=: server.json gives the API's HTTPS port, the
    stream list comes from the API over HTTPS, and the FLV button plays HTTP-FLV over
    HTTPS (currentTime advances >= 2 s, frames decoded)."""
    setup_tools(env)
    www = build_page(env)
    stream = "tlsplay"
    srv = env.server(tls_body(www, "cert %s;\nkey %s;" % (CERT, KEY)))
    pub = publish_browser_friendly(env, srv.url(stream))
    check(wait_log(srv, r"publish __defaultVhost__/live/%s start" % stream, 10), "no publish: %s" % pub.errtail(4))
    base = "https://127.0.0.1:%d" % srv.https_port
    page = "%s/players/?url=%s/live/%s.flv" % (base, base, stream)
    by = run_players_check(env, stream, [{"kind": "flv", "page": page}],
                           extra_args=["--ignore-certificate-errors-spki-list=" + spki_hash(env, CERT)])
    check_playback(by["flv"], "HTTP-FLV over HTTPS")
    expect_alive(pub, "publisher")
