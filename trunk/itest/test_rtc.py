# SPDX-License-Identifier: MIT
"""WebRTC (issue 12): WHIP publish and WHEP play against clients we did not write:
aiortc (an independent Python WebRTC stack, Debian python3-aiortc, run as its own
process with /usr/bin/python3) and headless Chromium on the players page. RTMP in and
WebRTC out (AAC becomes Opus), WebRTC in and RTMP/HLS out (Opus becomes AAC), the
session ending on DELETE and on a silent peer, and bad input."""

import json
import os
import re
import socket
import struct
import time

from strand_env import (STRAND_BIN, api, api_ok, check, free_port, http_body, http_request, log_since,
                         wait_closed_by_peer, wait_log, wait_until)
from test_players import CHECK_JS, build_page, kill_chromium, players_check_config, run_players_check, setup_tools
from test_http import parse_metrics
from test_srt import free_udp_port

PYTHON = "/usr/bin/python3"  # Debian's, which has aiortc
RTC_CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rtc_client.py")


def need_aiortc():
    """configure installs python3-aiortc: its absence is a broken setup, not a skip."""
    ok = os.path.exists(PYTHON) and os.system("%s -c 'import aiortc' 2>/dev/null" % PYTHON) == 0
    check(ok, "aiortc does not import in %s (configure installs python3-aiortc)" % PYTHON)


def rtc_server(env, www=None, vhost_rtc="", rtc_extra="", hls=False, more_vhosts=""):
    """A server with rtc_server on a free UDP port (srv.rtc_port), the HTTP API (WHIP/WHEP
    on srv.api_port), HTTP-FLV, and HLS into www when asked."""
    port = free_udp_port()
    hls_block = ("    hls { enabled on; hls_path %s; hls_fragment 1; hls_window 10; }\n" % www) if hls else ""
    vh = ("vhost __defaultVhost__ {\n    play { gop_cache on; }\n"
          "    rtc {\n        enabled on;\n        rtmp_to_rtc on;\n        rtc_to_rtmp on;\n%s    }\n"
          "    http_remux { enabled on; mount [vhost]/[app]/[stream].flv; }\n%s}\n" % (vhost_rtc, hls_block))
    rtc = "rtc_server {\n    enabled on;\n    listen %d;\n    candidate 127.0.0.1;\n%s}\n" % (port, rtc_extra)
    srv = env.server(http_body(http_dir=www or env.path("."), api=True, exporter=True, vhosts=rtc + vh + more_vhosts))
    srv.rtc_port = port
    check(wait_log(srv, r"rtc listen at \S+:%d/udp" % port, 5), "the rtc listener did not open")
    return srv


def whep_url(srv, stream, extra=""):
    return "http://127.0.0.1:%d/rtc/v1/whep/?app=live&stream=%s%s" % (srv.api_port, stream, extra)


def whip_url(srv, stream, extra=""):
    return "http://127.0.0.1:%d/rtc/v1/whip/?app=live&stream=%s%s" % (srv.api_port, stream, extra)


def run_client(env, mode, url, seconds, name):
    """rtc_client.py MODE URL SECONDS REPORT in the background; returns (proc, report path)."""
    report = env.path("%s.json" % name)
    proc = env.spawn(name, [PYTHON, RTC_CLIENT, mode, url, str(seconds), report])
    return proc, report


def read_report(env, proc, report, timeout):
    rc = proc.wait(timeout)
    check(rc is not None, "%s did not finish in %d s" % (proc.name, timeout))
    check(rc == 0 and os.path.exists(report), "%s exit %s: %s" % (proc.name, rc, proc.errtail(8)))
    with open(report) as f:
        return json.load(f)


def test_whep_aiortc_plays_rtmp(env):
    """An RTMP publisher (ffmpeg, H.264 + AAC) watched by aiortc over WHEP: 201 with a
    Location, ICE-lite + DTLS + SRTP connect, the first video frame comes from the GOP
    cache at once (keyframe first: aiortc decodes it), 320x240 at the stream's rate, and
    the AAC arrives as Opus (48 kHz). DELETE of the Location ends the session."""
    need_aiortc()
    srv = rtc_server(env)
    pub = env.publish_live(srv.url("cam"), seconds=60)
    check(wait_log(srv, r"publish \S+/live/cam start", 10), "the RTMP publish did not start")
    proc, report = run_client(env, "play", whep_url(srv, "cam"), 4, "whep-aiortc")
    r = read_report(env, proc, report, 40)
    env.note("measured aiortc WHEP: %s" % {k: v for k, v in r.items() if k != "video_pts"})
    check(r.get("status") == 201, "WHEP answered %s: %s" % (r.get("status"), r.get("error")))
    check("session=" in (r.get("location") or ""), "no session Location: %s" % r.get("location"))
    check(not r.get("error"), "aiortc: %s" % r.get("error"))
    check((r.get("width"), r.get("height")) == (320, 240), "decoded %sx%s" % (r.get("width"), r.get("height")))
    check(r["video_frames"] >= 60, "%d video frames in 4 s of a 25 fps stream" % r["video_frames"])
    check(r["first_video_ms"] is not None and r["first_video_ms"] < 3000,
          "the first video frame took %s ms (the GOP cache should give it at once)" % r["first_video_ms"])
    check(r["audio_frames"] >= 100 and r["audio_rate"] == 48000,
          "audio: %d frames at %s Hz (AAC -> Opus)" % (r["audio_frames"], r["audio_rate"]))
    check(r.get("delete_status") == 200, "DELETE answered %s" % r.get("delete_status"))
    check(wait_log(srv, r"rtc play \S+/live/cam stop \(DELETE", 5), "the DELETE did not end the session")
    pub.stop()


def test_srs_json_api_play_and_publish(env):
    """SRS's own WebRTC API, which its players page and srs.sdk.js use: POST
    /rtc/v1/publish/ and /rtc/v1/play/ with {"streamurl": "webrtc://...", "sdp": offer}
    answer {"code": 0, "sdp": answer, "sessionid"}: aiortc publishes through it and a
    second aiortc plays the stream through it; a body without streamurl gets a non-zero
    code, and the vhost comes from the streamurl's ?vhost=."""
    need_aiortc()
    srv = rtc_server(env, more_vhosts="vhost nortc.example {\n}\n")
    api = "http://127.0.0.1:%d/rtc/v1/" % srv.api_port
    pub, pub_report = run_client(env, "publish", api + "publish/?streamurl=webrtc://127.0.0.1/live/sj", 12,
                                 "srs-api-publish")
    check(wait_log(srv, r"rtc publish \S+/live/sj connected", 20), "the publish through /rtc/v1/publish/ did not connect")
    proc, report = run_client(env, "play", api + "play/?streamurl=webrtc://127.0.0.1/live/sj", 3, "srs-api-play")
    r = read_report(env, proc, report, 40)
    env.note("measured aiortc through /rtc/v1/play/: %s" % {k: v for k, v in r.items() if k != "video_pts"})
    check(r.get("status") == 201 and not r.get("error"), "/rtc/v1/play/: %s" % r)
    check(r.get("video_frames", 0) >= 50, "%s video frames through /rtc/v1/play/" % r.get("video_frames"))
    check(r.get("audio_frames", 0) >= 50, "%s audio frames through /rtc/v1/play/" % r.get("audio_frames"))
    read_report(env, pub, pub_report, 30)
    for body, what in ((b'{"sdp": "v=0"}', "no streamurl"), (b"not json", "not JSON"),
                       (b'{"streamurl": "webrtc://127.0.0.1/live/x?vhost=nortc.example", "sdp": "v=0"}',
                        "a vhost without rtc")):
        status, _, text = http_request(srv.api_port, "/rtc/v1/play/", method="POST", body=body,
                                       headers={"Content-Type": "application/json"})
        js = json.loads(text.decode())
        check(status == 200 and js.get("code") not in (None, 0), "%s: HTTP %s %s" % (what, status, js))
    check(js.get("code") == 403, "the vhost of the streamurl was not used: %s" % js)


def test_whep_bench_players(env):
    """strand_bench whep-play (make bench's WebRTC players: our own ICE, DTLS client, SRTP
    and depacketizer) against an RTMP publisher: five sessions for 4 s, every one
    connects, gets video frames with no frame missing, and none fails. The AAC becomes
    Opus once for all five (one audio share), and every one gets it."""
    bench = os.path.join(os.path.dirname(STRAND_BIN), "strand_bench")
    check(os.path.exists(bench), "%s is not built (make objs/strand_bench)" % bench)
    srv = rtc_server(env)
    env.publish_live(srv.url("wb"), seconds=30)
    check(wait_log(srv, r"publish \S+/live/wb start", 10), "the RTMP publish did not start")
    rc, out, err, _ = env.run("strand_bench-whep", [bench, "whep-play", "-u", whep_url(srv, "wb"), "-n", "5", "-d", "4",
                                                    "--json"], 30)
    lines = [l for l in out.splitlines() if l.startswith("{")]
    check(rc == 0 and lines, "strand_bench whep-play failed (%s): %s" % (rc, (out + err)[-400:]))
    r = json.loads(lines[-1])
    env.note("measured whep-play: %s" % lines[-1])
    check(r["ok"] == 5 and r["failed"] == 0 and r["closed"] == 0,
          "sessions ok %d, failed %d, closed %d: %s" % (r["ok"], r["failed"], r["closed"], err[-400:]))
    check(r["video_min"] >= 50, "the poorest session got %d video frames in 4 s of 25 fps" % r["video_min"])
    check(r["audio_median"] >= 100, "median %d audio packets in 4 s (AAC -> Opus)" % r["audio_median"])
    check(r["frames_pct_min"] >= 99.0 and r["lost"] == 0,
          "frames %.1f%% at worst, %d packets lost" % (r["frames_pct_min"], r["lost"]))
    shares = re.findall(r"rtc audio share \S+: transcoding AAC to Opus", log_since(srv, 0))
    check(len(shares) == 1, "%d AAC-to-Opus transcoders for 5 players of one stream, not 1" % len(shares))


def test_whep_late_joiner_audio_with_its_gop(env):
    """A second WHEP player (aiortc) joins mid-GOP while another already reads the
    stream's shared AAC-to-Opus track: it starts with the cached GOP, and its audio
    starts with that GOP too (not at the live edge, which would leave the audio seconds
    ahead of the video), and it gets its audio."""
    need_aiortc()
    srv = rtc_server(env)
    env.publish_live(srv.url("late"), gop=100, seconds=60)  # a 4 s GOP
    check(wait_log(srv, r"publish \S+/live/late start", 10), "the RTMP publish did not start")
    first, first_report = run_client(env, "play", whep_url(srv, "late"), 8, "whep-first")
    shared = wait_log(srv, r"rtc audio share \S+: transcoding AAC to Opus", 15)
    check(shared, "the first player did not start the AAC-to-Opus share")
    # Join well into the stream, as a browser would: 60 video frames (2.4 s) past the
    # share's start, so the live edge is far from where the cached GOP begins.
    def stream_frames():
        rows = [x for x in api_ok(srv.api_port, "/api/v1/streams/").get("streams", []) if x.get("name") == "late"]
        return rows[0].get("frames", 0) if rows else 0
    at_share = stream_frames()
    check(wait_until(lambda: stream_frames() >= at_share + 60, 10), "the stream did not advance 60 frames")
    second, second_report = run_client(env, "play", whep_url(srv, "late"), 4, "whep-second")
    r = read_report(env, second, second_report, 40)
    check(not r.get("error"), "aiortc: %s" % r.get("error"))
    check(r["audio_frames"] >= 100, "the late player got %d audio frames in 4 s" % r["audio_frames"])
    read_report(env, first, first_report, 40)
    ends = re.findall(r"rtc play \S+/live/late: .*video from (-?\d+) ms, audio from (-?\d+) ms", log_since(srv, 0))
    check(len(ends) == 2, "expected two players' end lines, got %s" % ends)
    video_ms, audio_ms = (int(x) for x in ends[-1])
    env.note("measured the late player: video from %d ms, audio from %d ms of the stream" % (video_ms, audio_ms))
    check(video_ms >= 0 and abs(audio_ms - video_ms) <= 100,
          "the late player's audio starts %d ms from its video (%d, %d)" % (audio_ms - video_ms, video_ms, audio_ms))
    shares = re.findall(r"rtc audio share \S+: transcoding", log_since(srv, 0))
    check(len(shares) == 1, "%d AAC-to-Opus shares for two players of one stream" % len(shares))


def test_whip_bench_publishers(env):
    """strand_bench whip-publish (make bench's WebRTC publishers: the server's H.264
    packetizer, our ICE, DTLS client and SRTP, an Opus silence frame) into a server with
    rtc_to_rtmp: five sessions connect, the API lists the five streams publishing with
    frames arriving, and ffprobe over RTMP decodes H.264 frames of two of them at the
    file's size, with AAC made from the Opus."""
    bench = os.path.join(os.path.dirname(STRAND_BIN), "strand_bench")
    check(os.path.exists(bench), "%s is not built (make objs/strand_bench)" % bench)
    srv = rtc_server(env)
    report = env.path("whip-bench.out")
    pub = env.spawn("strand_bench-whip", [bench, "whip-publish", "-u", whip_url(srv, "wb"), "-n", "5", "-d", "14",
                                          "-i", env.media("main"), "--json"], stdout=report)

    def live_streams():
        status, js = api(srv.api_port, "/api/v1/streams/?count=100")
        return [s for s in (js or {}).get("streams", [])
                if s["name"].startswith("wb_") and s["publish"]["active"] and s["frames"] > 0]
    check(wait_until(lambda: len(live_streams()) == 5, 15),
          "the API lists %d of 5 WHIP streams publishing with frames: %s" % (len(live_streams()), pub.errtail(4)))
    for name in ("wb_0", "wb_4"):
        rc, out, err, _ = env.run("ffprobe-" + name, [
            "ffprobe", "-v", "error", "-count_frames", "-read_intervals", "%+3", "-show_entries",
            "stream=codec_type,codec_name,width,height,nb_read_frames", "-of", "json", srv.url(name)], 30)
        check(rc == 0, "ffprobe of %s: exit %s %s" % (name, rc, err[-300:]))
        by = {s.get("codec_type"): s for s in json.loads(out).get("streams", [])}
        v, a = by.get("video", {}), by.get("audio", {})
        env.note("measured ffprobe of WHIP stream %s: %s" % (name, by))
        check(v.get("codec_name") == "h264" and (v.get("width"), v.get("height")) == (320, 240),
              "%s video: %s" % (name, v))
        check(int(v.get("nb_read_frames") or 0) >= 50, "%s: %s H.264 frames decoded in 3 s of 25 fps" %
              (name, v.get("nb_read_frames")))
        check(a.get("codec_name") == "aac", "%s audio (Opus -> AAC): %s" % (name, a))
    check(pub.wait(30) == 0, "strand_bench whip-publish did not end well: %s" % pub.errtail(8))
    lines = [l for l in open(report).read().splitlines() if l.startswith("{")]
    check(lines, "no report from strand_bench whip-publish: %s" % pub.errtail(8))
    r = json.loads(lines[-1])
    env.note("measured whip-publish: %s" % lines[-1])
    check(r["ok"] == 5 and r["failed"] == 0 and r["closed"] == 0,
          "sessions ok %d, failed %d, closed %d" % (r["ok"], r["failed"], r["closed"]))
    check(r["packets"] > 0 and r["handshake_p99_ms"] > 0, "packets %d, handshake p99 %s ms" %
          (r["packets"], r["handshake_p99_ms"]))


def test_whip_aiortc_to_rtmp_hls(env):
    """aiortc publishes over WHIP (H.264 test pattern + Opus tone): with rtc_to_rtmp the
    stream reaches RTMP players as H.264 + AAC (ffprobe), and HLS segments are cut."""
    need_aiortc()
    www = env.path("www")
    os.makedirs(www, exist_ok=True)
    # aiortc 1.4's H.264 encoder ignores keyframe requests (its force_keyframe is unused),
    # so its GOP is x264's default and segments are long: one is enough here, and
    # test_whip_chromium checks that PLIs give segments of hls_fragment
    srv = rtc_server(env, www=www, hls=True)
    proc, report = run_client(env, "publish", whip_url(srv, "pub"), 16, "whip-aiortc")
    check(wait_log(srv, r"rtc publish \S+/live/pub \S* ?connected", 20) or
          wait_log(srv, r"rtc publish \S+/live/pub/?\S* connected", 1), "the WHIP session did not connect")
    streams, why = env.probe_streams(srv.url("pub"), timeout=15)
    check(streams is not None, "RTMP of a WHIP stream: %s" % why)
    by = {s.get("codec_type"): s for s in streams}
    env.note("measured RTMP of the WHIP stream: %s" % [(s.get("codec_name"), s.get("width"), s.get("sample_rate"))
                                                       for s in streams])
    check(by.get("video", {}).get("codec_name") == "h264", "no H.264 video: %s" % streams)
    check(by.get("audio", {}).get("codec_name") == "aac", "no AAC audio (Opus -> AAC): %s" % streams)
    m3u8 = os.path.join(www, "live", "pub.m3u8")
    check(wait_until(lambda: os.path.exists(m3u8) and open(m3u8).read().count("#EXTINF") >= 1, 25),
          "no HLS playlist with a segment from the WHIP stream")
    # what a user types: record 4 s of it; audio (Opus -> AAC) and video stay in step
    out = env.path("whip.flv")
    rc, _, err, _ = env.run("record-whip", ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i",
                                            srv.url("pub"), "-t", "4", "-c", "copy", out], 20)
    check(rc == 0, "ffmpeg -t 4 of the WHIP stream: exit %s %s" % (rc, err[-300:]))
    rc, txt, _, _ = env.run("probe-whip", ["ffprobe", "-v", "error", "-show_entries", "packet=stream_index,pts_time",
                                           "-of", "csv=p=0", out], 20)
    times = {}
    for line in txt.split():
        idx, t = line.split(",")[:2]
        times.setdefault(idx, []).append(float(t))
    check(len(times) == 2, "the recording has %d tracks" % len(times))
    spans = sorted((ts[0], ts[-1], len(ts)) for ts in times.values())
    env.note("measured ffmpeg -t 4 of the WHIP stream: tracks (first, last, packets) %s" % spans)
    check(all(all(b >= a for a, b in zip(ts, ts[1:])) for ts in times.values()), "timestamps went back")
    check(abs(spans[0][0] - spans[1][0]) < 0.3 and abs(spans[0][1] - spans[1][1]) < 0.3,
          "audio and video out of step: %s" % spans)
    r = read_report(env, proc, report, 40)
    env.note("measured aiortc WHIP: %s" % r)
    check(r.get("status") == 201 and not r.get("error"), "WHIP: %s" % r)


def test_whip_to_whep_stamped(env):
    """aiortc publishes over WHIP a pattern whose frames carry their capture time, and a
    second aiortc plays it over WHEP and reads the stamps back from the decoded frames:
    the frames arrive whole and in order, and the glass-to-glass latency is measured
    (reported, not judged here: doc/performance.md)."""
    need_aiortc()
    srv = rtc_server(env)
    pub, pub_report = run_client(env, "publish", whip_url(srv, "stamp"), 14, "whip-stamped")
    check(wait_log(srv, r"rtc publish \S+/live/stamp connected", 20), "the WHIP session did not connect")
    proc, report = run_client(env, "play", whep_url(srv, "stamp"), 6, "whep-stamped")
    r = read_report(env, proc, report, 40)
    env.note("measured WHIP -> WHEP (aiortc both ends): %d stamped frames, latency %s ms, after the first second "
             "%s ms, first frame after %s ms" % (r.get("stamped_frames", 0), r.get("latency_ms"),
                                                r.get("steady_latency_ms"), r.get("first_video_ms")))
    check(r.get("stamped_frames", 0) >= 100, "stamps read from %s of %s frames" % (r.get("stamped_frames"),
                                                                                 r.get("video_frames")))
    read_report(env, pub, pub_report, 30)


def ice_tcp_block(protocol, port):
    """rtc_server directives for ICE-TCP on port, offering `protocol` candidates."""
    return "    protocol %s;\n    tcp {\n        enabled on;\n        listen %d;\n    }\n" % (protocol, port)


def chromium_plays_whep(env, srv, stream, how):
    """An RTMP publisher of stream, then Chromium plays it over WHEP from the players page
    (its WebRTC button) for 4 s: the video element's clock advances, frames are decoded,
    and getStats() shows no freeze that stops the stream. Returns the publisher."""
    pub = env.publish_live(srv.url(stream), seconds=80)
    check(wait_log(srv, r"publish \S+/live/%s start" % stream, 10), "the RTMP publish did not start")
    page = "http://127.0.0.1:%d/players/?api=%d&url=%s" % (
        srv.http_port, srv.api_port, "http://127.0.0.1:%d/live/%s.flv" % (srv.http_port, stream))
    by = run_players_check(env, stream, [{"kind": "rtc", "page": page}], play_seconds=4)
    c = by["rtc"]
    check(c.get("started"), "WebRTC%s did not start in Chromium: status %r, errors %s"
          % (how, c.get("status"), c.get("errors")))
    check(c.get("advanced", 0) >= 3.0, "the clock advanced %.2f s in 4 s" % c.get("advanced", 0))
    check(c.get("frames", 0) >= 50, "%s frames decoded" % c.get("frames"))
    st = c.get("rtcStats") or {}
    env.note("measured Chromium WHEP%s getStats: %s" % (how, st))
    check(st.get("framesDecoded", 0) >= 50, "getStats: %s" % st)
    # a loaded 2-core CI machine can stall Chromium's renderer for a frame or two: what
    # must not happen is a stream that stops (B-frames, lost keyframes), so judge the
    # frozen time, and report the count
    check((st.get("totalFreezesDuration") or 0) < 1.0, "Chromium froze %s times for %s s in 4 s"
          % (st.get("freezeCount"), st.get("totalFreezesDuration")))
    return pub


def test_whep_chromium(env):
    """Chromium plays an RTMP stream over WHEP from the players page (its WebRTC button):
    the video element's clock advances, frames are decoded, and getStats() shows no
    freeze that stops the stream."""
    setup_tools(env)
    srv = rtc_server(env, www=build_page(env))
    chromium_plays_whep(env, srv, "wc", "").stop()


def test_whep_chromium_ice_tcp(env):
    """rtc_server { protocol tcp; tcp { enabled on; } }: the answer offers only a
    passive TCP candidate, so Chromium must play over ICE-TCP (RFC 6544, RFC 4571
    framing): frames are decoded with no freeze, the server says the session's media
    went over TCP, and when the page goes the session ends with its connection."""
    setup_tools(env)
    tcp_port = free_port()
    srv = rtc_server(env, www=build_page(env), rtc_extra=ice_tcp_block("tcp", tcp_port))
    check(wait_log(srv, r"rtc-tcp listen at \S+:%d" % tcp_port, 5), "the ICE-TCP listener did not open")
    pub = chromium_plays_whep(env, srv, "tc", " over ICE-TCP")
    check(wait_log(srv, r"rtc \S+: media over ICE-TCP from 127.0.0.1", 1), "the session did not go over TCP")
    check(wait_log(srv, r"rtc play \S+/live/tc stop", 40), "the session did not end after the page closed")
    pub.stop()


def test_rtc_tcp_garbage(env):
    """Bad input on the ICE-TCP port: a frame larger than any WebRTC packet, and an
    empty frame, each close their connection at once; frames that are no checked STUN
    are dropped and counted; the server keeps serving (a WHEP offer still works)."""
    tcp_port = free_port()
    srv = rtc_server(env, rtc_extra=ice_tcp_block("all", tcp_port))
    check(wait_log(srv, r"rtc-tcp listen at \S+:%d" % tcp_port, 5), "the ICE-TCP listener did not open")
    for name, data in (("oversized", b"\xff\xff" + b"x" * 64), ("empty", b"\x00\x00")):
        sock = socket.create_connection(("127.0.0.1", tcp_port), timeout=5)
        sock.sendall(data)
        check(wait_closed_by_peer(sock, 5), "the %s frame did not close its connection" % name)
        sock.close()
    sock = socket.create_connection(("127.0.0.1", tcp_port), timeout=5)
    junk = b"\x80\x60" + os.urandom(40)  # RTP-shaped, before any checked binding
    sock.sendall(struct.pack("!H", len(junk)) + junk)

    def unclaimed():
        _, _, body = http_request(srv.exporter_port, "/metrics")
        return parse_metrics(body.decode("utf-8")).get(("strand_rtc_unclaimed_datagrams_total", frozenset()), 0)
    check(wait_until(lambda: unclaimed() >= 1, 5), "the frame before a binding was not counted")
    sock.close()
    pub = env.publish_live(srv.url("tg"), seconds=30)
    check(wait_log(srv, r"publish \S+/live/tg start", 10), "the RTMP publish did not start")
    proc, report = run_client(env, "play", whep_url(srv, "tg"), 2, "whep-after-tcp-garbage")
    r = read_report(env, proc, report, 40)
    cands = r.get("answer_candidates") or []
    env.note("measured the answer's candidates with protocol all: %s" % cands)
    check(any(" udp " in c for c in cands) and any(" tcp " in c and "tcptype passive" in c for c in cands),
          "protocol all: the answer's candidates are %s" % cands)
    check(r.get("video_frames", 0) >= 25, "after the garbage, WHEP got %s" % r)
    pub.stop()


def spawn_bframes(env, url, seconds, name="publisher-bframes"):
    """ffmpeg publishes 640x480 H.264 with B-frames (libx264 -bf 2, no zerolatency: the
    defaults of an encoder for files) at 25 fps, keyframe every 2 s, + AAC."""
    return env.spawn(name, ["ffmpeg"] + env.FF + [
        "-re", "-f", "lavfi", "-i", "testsrc=size=640x480:rate=25",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
        "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "50", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "64k", "-t", str(seconds), "-f", "flv", url])


def test_whep_chromium_bframes(env):
    """Chromium plays over WHEP an RTMP stream with B-frames (libx264 -bf 2): the server
    re-encodes its video once for all WebRTC players without B-frames (Chrome's frame
    buffer drops frames whose RTP timestamps go back in decode order: 12 of 150 were
    decoded before), so at least 90% of the frames of the play time are decoded, with
    no freeze that stops the stream; a second player (aiortc) at the same time decodes
    its frames without errors, from the same transcoder (one per stream), which ends
    with the last player."""
    setup_tools(env)
    need_aiortc()
    www = build_page(env)
    srv = rtc_server(env, www=www)
    pub = spawn_bframes(env, srv.url("bf"), 90)
    check(wait_log(srv, r"publish \S+/live/bf start", 10), "the RTMP publish did not start")
    proc, report = run_client(env, "play", whep_url(srv, "bf"), 8, "whep-aiortc-bf")
    page = "http://127.0.0.1:%d/players/?api=%d&url=%s" % (
        srv.http_port, srv.api_port, "http://127.0.0.1:%d/live/bf.flv" % srv.http_port)
    play_seconds = 6
    by = run_players_check(env, "bf", [{"kind": "rtc", "page": page}], play_seconds=play_seconds)
    c = by["rtc"]
    check(c.get("started"), "WebRTC did not start in Chromium: status %r, errors %s" % (c.get("status"),
                                                                                       c.get("errors")))
    st0, st = c.get("rtcStats0") or {}, c.get("rtcStats") or {}
    env.note("measured Chromium WHEP of a B-frame stream: start %s, end %s, clock advanced %.2f s" % (
        st0, st, c.get("advanced", 0)))
    decoded = (st.get("framesDecoded") or 0) - (st0.get("framesDecoded") or 0)
    expected = 25 * (c.get("advanced") or 0)
    check(c.get("advanced", 0) >= play_seconds - 1.5, "the clock advanced %.2f s in %d s" % (
        c.get("advanced", 0), play_seconds))
    check(decoded >= 0.9 * expected, "%d frames decoded while the clock advanced %.2f s (%d expected)" % (
        decoded, c.get("advanced", 0), expected))
    check((st.get("totalFreezesDuration") or 0) < 1.0, "Chromium froze %s times for %s s" % (
        st.get("freezeCount"), st.get("totalFreezesDuration")))
    r = read_report(env, proc, report, 60)
    env.note("measured aiortc WHEP of a B-frame stream: %s" % {k: v for k, v in r.items() if k != "video_pts"})
    check(not r.get("error"), "aiortc: %s" % r.get("error"))
    check((r.get("width"), r.get("height")) == (640, 480), "decoded %sx%s" % (r.get("width"), r.get("height")))
    check(r["video_frames"] >= 0.9 * 25 * 8 - 25, "%d video frames in 8 s of a 25 fps stream" % r["video_frames"])
    pts = r.get("video_pts") or []
    check(all(b > a for a, b in zip(pts, pts[1:])), "aiortc's video pts went back: %s" % pts[:40])
    check(wait_log(srv, r"rtc video share \S+: transcoding", 5), "no transcoder for the B-frame stream")
    check(len(re.findall(r"rtc video share \S+: transcoding", log_since(srv, 0))) == 1,
          "more than one transcoder for one stream")
    # both players gone (aiortc DELETEs, Chromium's session times out): the transcoder goes
    end = wait_log(srv, r"rtc video share \S+: end, .*", 40)
    check(end, "the transcoder outlived its last WHEP player")
    env.note("measured: %s" % end.group(0))
    pub.stop()


def test_whip_chromium(env):
    """Chromium publishes its fake camera and microphone over WHIP from the players page
    (?publish=camera, H.264 chosen by setCodecPreferences): the page says publishing,
    ffprobe reads the stream over RTMP as H.264 + AAC while it lasts, and HLS segments
    of it are cut (Chromium sends keyframes only when asked: pli_for_rtmp 1 asks every
    second, so segments are about hls_fragment long). It publishes over ICE-TCP
    (protocol tcp: the answer offers only a TCP candidate); aiortc's WHIP test covers UDP."""
    setup_tools(env)
    www = build_page(env)
    srv = rtc_server(env, www=www, hls=True, vhost_rtc="        pli_for_rtmp 1.0;\n",
                     rtc_extra=ice_tcp_block("tcp", free_port()))
    page = "http://127.0.0.1:%d/players/?api=%d&publish=camera&url=%s" % (
        srv.http_port, srv.api_port, "http://127.0.0.1:%d/live/wp.flv" % srv.http_port)
    out = env.path("whip-check.json")
    cfg = players_check_config(env, "wp", [{"kind": "whip", "page": page}], play_seconds=12)
    node = env.spawn("whip-check", ["node", CHECK_JS, json.dumps(cfg)], stdout=out)
    try:
        check(wait_log(srv, r"rtc publish \S+/live/wp connected", 30), "Chromium's WHIP session did not connect")
        check(wait_log(srv, r"rtc \S+: media over ICE-TCP", 1), "Chromium's WHIP session is not over ICE-TCP")
        streams, why = env.probe_streams(srv.url("wp"), timeout=15)
        check(streams is not None, "RTMP of Chromium's WHIP stream: %s" % why)
        env.note("measured RTMP of Chromium's WHIP stream: %s" % [(s.get("codec_name"), s.get("width"),
                                                                   s.get("sample_rate")) for s in streams])
        by = {s.get("codec_type"): s for s in streams}
        check(by.get("video", {}).get("codec_name") == "h264", "no H.264 from Chromium: %s" % streams)
        check(by.get("audio", {}).get("codec_name") == "aac", "no AAC (Opus -> AAC) from Chromium: %s" % streams)
        m3u8 = os.path.join(www, "live", "wp.m3u8")
        check(wait_until(lambda: os.path.exists(m3u8) and open(m3u8).read().count("#EXTINF") >= 2, 15),
              "no HLS playlist with two segments from Chromium's WHIP stream")
        rc = node.wait(40)
    finally:
        kill_chromium(env, cfg["pidFile"])
    with open(out) as f:
        lines = f.read().strip().splitlines()
    res = json.loads(lines[-1]) if lines else {}
    env.note("measured Chromium WHIP page: exit %s, %s" % (rc, res))
    c = (res.get("cases") or [{}])[0]
    check(c.get("started"), "the page did not reach publishing: %s" % c)


def test_rtc_refusals_and_garbage(env):
    """Bad input: a body that is not SDP (400), no app/stream (400), a vhost without rtc
    (403), DELETE of an unknown session (404); garbage datagrams and a STUN binding with
    a wrong password on the UDP port are dropped, and the server still serves WHEP."""
    need_aiortc()
    srv = rtc_server(env, more_vhosts="vhost nortc.example {\n}\nvhost strict.example {\n    rtc { enabled on; }\n}\n")
    base = "/rtc/v1/whep/?app=live&stream=x"
    status, _, body = http_request(srv.api_port, base, method="POST", body=b"hello, not sdp",
                                   headers={"Content-Type": "application/sdp"})
    check(status == 400, "a non-SDP offer: HTTP %s %s" % (status, body[:100]))
    status, _, _ = http_request(srv.api_port, "/rtc/v1/whep/", method="POST", body=b"v=0\r\n",
                                headers={"Content-Type": "application/sdp"})
    check(status == 400, "no app/stream: HTTP %s" % status)
    status, _, _ = http_request(srv.api_port, base + "&vhost=nortc.example", method="POST", body=b"v=0\r\n",
                                headers={"Content-Type": "application/sdp"})
    check(status == 403, "a vhost without rtc: HTTP %s" % status)
    status, _, _ = http_request(srv.api_port, base + "&action=delete&session=nope", method="DELETE")
    check(status == 404, "DELETE of an unknown session: HTTP %s" % status)
    status, headers, _ = http_request(srv.api_port, base, method="OPTIONS")
    check(status == 204, "OPTIONS: HTTP %s" % status)
    # garbage on the media port: random bytes, a truncated STUN header, a binding with a bad password
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for payload in (os.urandom(300), b"\x00\x01\x00", b"\x80" + os.urandom(50), b"\x16\xfe\xfd" + os.urandom(90)):
            s.sendto(payload, ("127.0.0.1", srv.rtc_port))
        attr = b"nosuch:someone"
        msg = struct.pack("!HHI12s", 1, 4 + len(attr) + (-len(attr) % 4), 0x2112A442, os.urandom(12))
        msg += struct.pack("!HH", 6, len(attr)) + attr + b"\x00" * (-len(attr) % 4)
        s.sendto(msg, ("127.0.0.1", srv.rtc_port))
    finally:
        s.close()
    pub = env.publish_live(srv.url("x"), seconds=40)
    check(wait_log(srv, r"publish \S+/live/x start", 10), "the RTMP publish did not start")
    proc, report = run_client(env, "play", whep_url(srv, "x"), 2, "whep-after-garbage")
    r = read_report(env, proc, report, 40)
    check(r.get("video_frames", 0) >= 25, "after the garbage, WHEP got %s" % r)
    pub.stop()
    # rtc.rtmp_to_rtc off (SRS's default): an RTMP stream is not offered to WebRTC players
    pub = env.publish_live(srv.url("s", vhost="strict.example"), seconds=40, name="publisher-strict")
    check(wait_log(srv, r"publish strict.example/live/s", 10), "the RTMP publish to strict.example did not start")
    proc, report = run_client(env, "play", whep_url(srv, "s", "&vhost=strict.example"), 2, "whep-strict")
    r = read_report(env, proc, report, 30)
    env.note("measured WHEP of an RTMP stream with rtmp_to_rtc off: HTTP %s %s" % (r.get("status"), r.get("error")))
    check(r.get("status") == 403, "rtmp_to_rtc off: WHEP answered %s" % r.get("status"))
    pub.stop()
    # and /metrics counted all of it
    status, _, body = http_request(srv.exporter_port, "/metrics")
    ms = {name: v for (name, labels), v in parse_metrics(body.decode("utf-8")).items() if name.startswith("strand_rtc_")}
    env.note("measured strand_rtc_* after the garbage: %s" % ms)
    check(ms.get("strand_rtc_stun_refused_total", 0) >= 1, "the bad binding request was not counted: %s" % ms)
    check(ms.get("strand_rtc_unclaimed_datagrams_total", 0) >= 3, "the garbage was not counted: %s" % ms)
    check(ms.get("strand_rtc_connected_total", 0) >= 1 and ms.get("strand_rtc_sessions_total", 0) >= 1,
          "sessions not counted: %s" % ms)


def test_rtc_silent_peer_times_out(env):
    """A WHEP client that vanishes without DELETE (SIGKILL) stops sending STUN consent
    checks: the session ends after rtc.stun_timeout and its player leaves the API."""
    need_aiortc()
    srv = rtc_server(env, vhost_rtc="        stun_timeout 3;\n")
    pub = env.publish_live(srv.url("gone"), seconds=60)
    check(wait_log(srv, r"publish \S+/live/gone start", 10), "the RTMP publish did not start")
    proc, _ = run_client(env, "play", whep_url(srv, "gone"), 30, "whep-killed")
    check(wait_log(srv, r"rtc play \S+/live/gone connected", 20), "the WHEP session did not connect")
    proc.stop(sig=9)
    t0 = time.monotonic()
    check(wait_log(srv, r"rtc play \S+/live/gone stop \(no STUN", 10), "the dead session did not end")
    env.note("measured: the dead WHEP session ended %.1f s after its client was killed (stun_timeout 3)"
             % (time.monotonic() - t0))
    clients = api_ok(srv.api_port, "/api/v1/clients/")["clients"]
    check(not [c for c in clients if c.get("type") == "rtc-play"], "an rtc-play client is still listed: %s" % clients)
    pub.stop()
