# SPDX-License-Identifier: MIT
"""RTSP (rtsp_server { }, ours) with real clients: ffmpeg publishes over RTSP (TCP
interleaved and UDP) and the stream plays over RTMP, HTTP-FLV, HLS and RTSP; a stream
published over RTMP plays over RTSP (TCP and UDP) with ffmpeg and GStreamer's rtspsrc;
Debian's VLC has no RTSP client (it is built without live555); a late RTSP player
starts on a keyframe (OBS's 8 s GOP too) and stays through a republish; malformed
requests, requests out of order and garbage datagrams get their 4xx or are dropped,
and the server goes on; a UDP player that goes silent is ended after session_timeout."""

import os
import select
import signal
import socket
import time

from strand_env import api_ok, check, free_port, http_body, wait_log, wait_until
from test_hooks import HookServer, hooks_block
from test_srt import free_udp_port, video_flags


def rtsp_server(env, www=None, rtsp_extra="", api=False, vhost_extra="", hls_extra=""):
    """A server with rtsp_server on a free TCP port (srv.rtsp_port) and two free UDP
    ports for RTP and RTCP, HTTP-FLV, and HLS into www (hls_extra: more directives)."""
    port = free_port()
    rtp, rtcp = free_udp_port(), free_udp_port()
    hls = ("    hls { enabled on; hls_path %s; hls_fragment 1; hls_window 10; %s}\n" % (www, hls_extra)) if www else ""
    rtsp = ("rtsp_server {\n    enabled on;\n    listen %d;\n    rtp_port %d;\n    rtcp_port %d;\n%s}\n"
            % (port, rtp, rtcp, rtsp_extra))

    def body(vhost_extra):
        vh = ("vhost __defaultVhost__ {\n    play { gop_cache on; }\n"
              "    http_remux { enabled on; mount [vhost]/[app]/[stream].flv; }\n%s%s}\n" % (hls, vhost_extra))
        return http_body(http_dir=www or env.path("."), api=api, vhosts=rtsp + vh)
    srv = env.server(body(vhost_extra))
    srv.rtsp_port = port
    srv.body_with = body  # the same config with other vhost directives, for a reload
    check(wait_log(srv, r"rtsp listen at \S+:%d" % port, 5), "the RTSP listener did not open")
    check(wait_log(srv, r"rtsp-rtcp listen at \S+:%d/udp" % rtcp, 5), "the RTSP UDP listeners did not open")
    return srv


def rtsp_url(srv, stream, app="live"):
    return "rtsp://127.0.0.1:%d/%s/%s" % (srv.rtsp_port, app, stream)


def publish_rtsp(env, url, transport="tcp", seconds=20, gop=25, name="rtsp-publisher", audio=True, bframes=0,
                 extra=()):
    """ffmpeg encodes H.264 (by default without B-frames, as cameras and low-latency
    encoders) and AAC live and publishes over RTSP."""
    args = ["ffmpeg"] + env.FF + ["-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25"]
    if audio:
        args += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"]
    if bframes:
        args += ["-c:v", "libx264", "-preset", "medium", "-bf", str(bframes), "-g", str(gop), "-pix_fmt", "yuv420p"]
    else:
        args += ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-bf", "0", "-g", str(gop),
                 "-pix_fmt", "yuv420p"]
    if audio:
        args += ["-c:a", "aac", "-b:a", "64k"]
    args += ["-t", str(seconds)] + list(extra) + ["-f", "rtsp", "-rtsp_transport", transport, url]
    return env.spawn(name, args)


def rtsp_record(env, url, name, seconds, transport="tcp", timeout=30):
    """ffmpeg plays url over RTSP and copies `seconds` of it into NAME.mp4; checks that it
    ends by itself. Returns (path, streams, wall seconds)."""
    out = env.path(name + ".mp4")
    rc, _, err, secs = env.run("rtsp-player-" + name, ["ffmpeg"] + env.FF + [
        "-rtsp_transport", transport, "-i", url, "-t", str(seconds), "-c", "copy", "-y", out], timeout)
    check(rc == 0, "%s: the ffmpeg RTSP player exit %s: %s" % (name, rc, err[-400:]))
    streams, why = env.probe_streams(out)
    check(streams is not None, "%s: %s" % (name, why))
    return out, streams, secs


def rtmp_record(env, srv, stream, seconds, what):
    """ffmpeg -i rtmp://... -map 0 -t SECONDS -c copy: a user's recording of the stream
    over RTMP, which must end by itself. Returns (path, streams)."""
    out = env.path(stream + ".flv")
    rc, _, err, _ = env.run("rtmp-recorder-" + stream, ["ffmpeg"] + env.FF + [
        "-i", srv.url(stream), "-map", "0", "-t", str(seconds), "-c", "copy", "-y", out], 30)
    check(rc == 0, "recording %s over RTMP: %s" % (what, err[-300:]))
    streams, why = env.probe_streams(out)
    check(streams is not None, "%s: %s" % (what, why))
    return out, streams


def expect_h264(streams, what):
    v = [s for s in streams if s.get("codec_type") == "video"]
    check(v and v[0].get("codec_name") == "h264" and (v[0].get("width"), v[0].get("height")) == (320, 240),
          "%s: expected H.264 320x240, got %s" % (what, [(s.get("codec_name"), s.get("width")) for s in streams]))


def test_rtsp_publish_plays_everywhere(env):
    """ffmpeg publishes H.264 and AAC over RTSP/TCP: RTMP, HTTP-FLV and HLS players get
    both; a late RTSP player (ffmpeg -c copy, TCP and UDP) gets both back, starts on a
    keyframe and gets every frame; the API lists the publisher as rtsp-publish."""
    www = env.path("www")
    os.makedirs(www, exist_ok=True)
    srv = rtsp_server(env, www, api=True)
    pub = publish_rtsp(env, rtsp_url(srv, "cam"))
    check(wait_log(srv, r"rtsp publish \S+/live/cam start", 10), "the RTSP publish did not start")
    for what, url in (("RTMP", srv.url("cam")), ("HTTP-FLV", "http://127.0.0.1:%d/live/cam.flv" % srv.http_port)):
        streams, why = env.probe_streams(url, timeout=15)
        check(streams is not None, "%s of an RTSP stream: %s" % (what, why))
        env.expect_streams(streams)
    m3u8 = os.path.join(www, "live", "cam.m3u8")
    check(wait_until(lambda: os.path.exists(m3u8) and ".ts" in open(m3u8).read(), 10), "no HLS of the RTSP stream")
    streams, why = env.probe_streams("http://127.0.0.1:%d/live/cam.m3u8" % srv.http_port, timeout=15)
    check(streams is not None, "HLS of an RTSP stream: " + why)
    env.expect_streams(streams)
    time.sleep(0.5)  # join in the middle of a GOP
    for transport in ("tcp", "udp"):
        out, streams, secs = rtsp_record(env, rtsp_url(srv, "cam"), "late-" + transport, 4, transport)
        env.expect_streams(streams)
        audio = env.packets(out, "a", entries="size")
        check(len(audio) >= 150, "the RTSP/%s player got %d AAC frames for 4 s" % (transport, len(audio)))
        flags = video_flags(env, out)
        env.note("measured RTSP/%s player: %d video packets for 4 s in %.1f s, first %s"
                 % (transport, len(flags), secs, flags[:1]))
        check(flags and flags[0].startswith("K"), "the late RTSP player's first frame is not a keyframe")
        check(len(flags) >= 95, "the RTSP/%s player got %d frames for 4 s at 25 fps" % (transport, len(flags)))
    clients = api_ok(srv.api_port, "/api/v1/clients/").get("clients", [])
    check(any(c.get("type") == "rtsp-publish" for c in clients),
          "the API does not list an rtsp-publish client: %s" % [c.get("type") for c in clients])
    pub.stop()


def test_rtsp_udp_publish_and_rtmp_to_rtsp(env):
    """ffmpeg publishes over RTSP/UDP and an HTTP-FLV recording of it is whole; a stream
    published over RTMP with OBS's 8 s keyframe interval plays over RTSP at once,
    keyframe first."""
    srv = rtsp_server(env)
    pub = publish_rtsp(env, rtsp_url(srv, "udpcam"), transport="udp", audio=False)
    check(wait_log(srv, r"rtsp publish \S+/live/udpcam start", 10), "the RTSP/UDP publish did not start")
    out = env.path("udp.flv")
    rc, _, err, _ = env.run("flv-recorder", ["ffmpeg"] + env.FF + [
        "-i", "http://127.0.0.1:%d/live/udpcam.flv" % srv.http_port, "-t", "3", "-c", "copy", "-y", out], 30)
    check(rc == 0, "recording the RTSP/UDP stream over HTTP-FLV: " + err[-300:])
    flags = video_flags(env, out)
    check(len(flags) >= 70 and flags[0].startswith("K"),
          "the HTTP-FLV recording of an RTSP/UDP publish has %d frames, first %s" % (len(flags), flags[:1]))
    pub.stop()

    rtmp = env.publish_live(srv.url("obs"), gop=200, seconds=25)
    check(wait_log(srv, r"publish \S+/live/obs start", 10), "the RTMP publish did not start")
    time.sleep(2.5)  # well inside the first 8 s GOP
    for transport in ("tcp", "udp"):
        out, streams, secs = rtsp_record(env, rtsp_url(srv, "obs"), "obs-" + transport, 2, transport)
        env.expect_streams(streams)
        flags = video_flags(env, out)
        env.note("measured RTSP/%s player of an 8 s GOP: %d frames in %.1f s" % (transport, len(flags), secs))
        check(flags and flags[0].startswith("K"), "RTSP/%s of an RTMP stream starts without a keyframe" % transport)
        check(secs < 8, "the RTSP player waited %.1f s: not started from the GOP cache" % secs)
    rtmp.stop()


def test_rtsp_publish_with_bframes(env):
    """ffmpeg's libx264 default (B-frames, here 3 with a pyramid) published over RTSP:
    RTP carries presentation times only, and the server restores decode times, so an
    RTMP recording and an HLS one have decode times that never go back and never pass
    the presentation times, with every frame."""
    www = env.path("www")
    os.makedirs(www, exist_ok=True)
    srv = rtsp_server(env, www)
    pub = publish_rtsp(env, rtsp_url(srv, "bf"), audio=False, bframes=3, gop=50)
    check(wait_log(srv, r"rtsp publish \S+/live/bf start", 10), "the RTSP publish did not start")
    out, _ = rtmp_record(env, srv, "bf", 4, "the B-frame stream")
    pkts = env.packets(out, "v", entries="pts,dts,flags")
    bad = [(p.get("pts"), p.get("dts")) for p in pkts if int(p["pts"]) < int(p["dts"])]
    back = [i for i in range(1, len(pkts)) if int(pkts[i]["dts"]) < int(pkts[i - 1]["dts"])]
    reordered = sum(1 for i in range(1, len(pkts)) if int(pkts[i]["pts"]) < int(pkts[i - 1]["pts"]))
    env.note("measured RTMP recording of an RTSP B-frame publish: %d frames, %d presented out of decode order"
             % (len(pkts), reordered))
    check(len(pkts) >= 95, "%d frames for 4 s" % len(pkts))
    check(reordered >= 10, "the recording has no B-frames in it (%d reordered)" % reordered)
    check(not bad and not back, "decode times wrong: pts < dts at %s, dts back at %s" % (bad[:3], back[:3]))
    m3u8 = os.path.join(www, "live", "bf.m3u8")
    check(wait_until(lambda: os.path.exists(m3u8) and open(m3u8).read().count(".ts") >= 2, 15), "no HLS")
    mp4 = env.path("bf-hls.mp4")
    rc, _, err, _ = env.run("hls-recorder", ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "warning",
                                             "-i", "http://127.0.0.1:%d/live/bf.m3u8" % srv.http_port,
                                             "-t", "3", "-c", "copy", "-y", mp4], 30)
    check(rc == 0 and "Non-monotonous DTS" not in err, "the HLS of the B-frame stream: %s" % err[-400:])
    pub.stop()


def test_rtsp_h265(env):
    """ffmpeg publishes H.265 (libx265) and AAC over RTSP: an RTSP player gets H.265
    back (RFC 7798 both ways), and HLS carries it."""
    www = env.path("www")
    os.makedirs(www, exist_ok=True)
    srv = rtsp_server(env, www)
    pub = env.spawn("rtsp-publisher-h265", ["ffmpeg"] + env.FF + [
        "-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=sample_rate=44100",
        "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error:bframes=0", "-g", "25",
        "-c:a", "aac", "-t", "20", "-f", "rtsp", "-rtsp_transport", "tcp", rtsp_url(srv, "hevc")])
    check(wait_log(srv, r"rtsp publish \S+/live/hevc start", 15), "the H.265 RTSP publish did not start")
    for transport in ("tcp", "udp"):
        out, streams, _ = rtsp_record(env, rtsp_url(srv, "hevc"), "hevc-" + transport, 2, transport)
        codecs = sorted(s.get("codec_name") for s in streams)
        check(codecs == ["aac", "hevc"], "the RTSP/%s player of H.265 got %s" % (transport, codecs))
        frames = video_flags(env, out)
        check(len(frames) >= 45 and frames[0].startswith("K"), "%d H.265 frames, first %s" % (len(frames), frames[:1]))
    m3u8 = os.path.join(www, "live", "hevc.m3u8")
    check(wait_until(lambda: os.path.exists(m3u8) and ".ts" in open(m3u8).read(), 15), "no HLS of the H.265 stream")
    streams, why = env.probe_streams("http://127.0.0.1:%d/live/hevc.m3u8" % srv.http_port, timeout=15)
    check(streams is not None and "hevc" in [s.get("codec_name") for s in streams], "HLS of H.265: %s" % why)
    pub.stop()


def test_rtsp_opus_into_fmp4_hls(env):
    """ffmpeg publishes H.264 and Opus over RTSP into fMP4 HLS (hls_use_fmp4): the init
    segment carries an 'Opus' track with its dOps box, ffmpeg (a real HLS client) reads
    H.264 and Opus from the playlist into an MP4, and the DVR's MP4 has both tracks."""
    www = env.path("www")
    os.makedirs(www, exist_ok=True)
    dvr = env.path("dvr")
    srv = rtsp_server(env, www, hls_extra="hls_use_fmp4 on; ",
                      vhost_extra="    dvr { enabled on; dvr_plan session; dvr_path %s/[stream].mp4; }\n" % dvr)
    pub = env.spawn("rtsp-publisher-opus", ["ffmpeg"] + env.FF + [
        "-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=sample_rate=48000",
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-pix_fmt", "yuv420p",
        "-c:a", "libopus", "-b:a", "64k", "-t", "20", "-f", "rtsp", "-rtsp_transport", "tcp", rtsp_url(srv, "op")])
    m3u8 = os.path.join(www, "live", "op.m3u8")
    check(wait_until(lambda: os.path.exists(m3u8) and open(m3u8).read().count(".m4s") >= 2, 20),
          "no fMP4 HLS of the Opus stream")
    with open(os.path.join(www, "live", "op", "init.mp4"), "rb") as f:
        init = f.read()
    check(b"Opus" in init and b"dOps" in init, "the init segment has no Opus sample entry")
    out = env.path("op.mp4")
    rc, _, err, _ = env.run("ffmpeg-hls-opus", ["ffmpeg"] + env.FF + [
        "-i", "http://127.0.0.1:%d/live/op.m3u8" % srv.http_port, "-t", "3", "-c", "copy", "-y", out], 30)
    check(rc == 0, "ffmpeg on the fMP4 playlist: %s" % err[-300:])
    streams, why = env.probe_streams(out)
    codecs = sorted(st.get("codec_name") for st in streams or [])
    check(codecs == ["h264", "opus"], "ffmpeg read %s from the fMP4 playlist (%s)" % (codecs, why))
    audio = [st for st in streams if st.get("codec_name") == "opus"][0]
    check(int(audio.get("sample_rate", 0)) == 48000, "Opus at %s Hz" % audio.get("sample_rate"))
    # the DVR's MP4 (the same muxer) records the Opus track too, whole once the publisher ends
    pub.stop()
    rec = os.path.join(dvr, "op.mp4")
    check(wait_until(lambda: env.probe_streams(rec)[0] is not None, 15), "no readable DVR recording at %s" % rec)
    streams, why = env.probe_streams(rec)
    codecs = sorted(st.get("codec_name") for st in streams or [])
    check(codecs == ["h264", "opus"], "the DVR MP4 has %s (%s)" % (codecs, why))


def test_rtsp_aac_latm(env):
    """ffmpeg publishes its AAC as MP4A-LATM (-rtpflags latm, RFC 6416) over RTSP/UDP:
    an RTMP recording has the AAC, every frame of it."""
    srv = rtsp_server(env)
    pub = publish_rtsp(env, rtsp_url(srv, "latm"), transport="udp", extra=["-rtpflags", "latm"])
    check(wait_log(srv, r"rtsp publish \S+/live/latm start", 10), "the LATM publish did not start")
    out, streams = rtmp_record(env, srv, "latm", 3, "the LATM stream")
    env.expect_streams(streams)
    audio = env.packets(out, "a", entries="size")
    env.note("measured LATM publish: %d AAC frames in a 3 s recording" % len(audio))
    check(len(audio) >= 120, "%d AAC frames for 3 s at 44.1 kHz" % len(audio))
    pub.stop()


def test_rtsp_g711_in(env):
    """ffmpeg publishes G.711 (mu-law, 8 kHz, the usual camera audio) with H.264 over
    RTSP: FLV carries it, so an RTMP recording has both."""
    srv = rtsp_server(env)
    pub = env.spawn("rtsp-publisher-g711", ["ffmpeg"] + env.FF + [
        "-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=sample_rate=8000",
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-pix_fmt", "yuv420p",
        "-c:a", "pcm_mulaw", "-ar", "8000", "-ac", "1", "-t", "20", "-f", "rtsp", "-rtsp_transport", "tcp",
        rtsp_url(srv, "g711")])
    check(wait_log(srv, r"rtsp publish \S+/live/g711 start", 10), "the G.711 publish did not start")
    out, streams = rtmp_record(env, srv, "g711", 3, "the G.711 stream")
    codecs = sorted(s.get("codec_name") for s in streams)
    check(codecs == ["h264", "pcm_mulaw"], "the RTMP recording of H.264 + G.711 has %s" % codecs)
    pub.stop()


def test_gstreamer_rtspsrc_plays(env):
    """GStreamer's rtspsrc (an RTSP client that is not ffmpeg) plays a stream published
    over RTMP, over TCP and over UDP, and decodes 50 frames of it."""
    srv = rtsp_server(env)
    pub = env.publish_live(srv.url("gst"), seconds=30)
    check(wait_log(srv, r"publish \S+/live/gst start", 10), "the RTMP publish did not start")
    for proto in ("tcp", "udp"):
        rc, out, err, secs = env.run("gst-" + proto, [
            "gst-launch-1.0", "-q", "rtspsrc", "location=" + rtsp_url(srv, "gst"), "protocols=" + proto,
            "latency=200", "!", "rtph264depay", "!", "h264parse", "!", "avdec_h264", "!", "videoconvert", "!",
            "fakesink", "num-buffers=50", "sync=false"], 30)
        env.note("measured GStreamer rtspsrc over %s: 50 decoded frames in %.1f s" % (proto, secs))
        check(rc == 0, "gst-launch rtspsrc over %s exit %s: %s" % (proto, rc, (err or out)[-400:]))
    check(wait_log(srv, r"rtsp 127\.0\.0\.1:\d+ closed", 10), "the GStreamer sessions did not end")
    pub.stop()


def test_rtsp_player_survives_republish(env):
    """An ffmpeg RTSP player (-t 10) kept open while the RTMP broadcaster leaves and comes
    back ends by itself with frames from both sessions."""
    srv = rtsp_server(env)
    pub = env.publish_live(srv.url("re"), seconds=30)
    check(wait_log(srv, r"publish \S+/live/re start", 10), "the first publish did not start")
    out = env.path("re.mp4")
    player = env.spawn("rtsp-player", ["ffmpeg"] + env.FF + [
        "-rtsp_transport", "tcp", "-i", rtsp_url(srv, "re"), "-t", "10", "-c", "copy", "-y", out])
    check(wait_log(srv, r"rtsp play \S+/live/re start", 10), "the RTSP player did not start")
    time.sleep(3)
    pub.stop()
    check(wait_log(srv, r"publish \S+/live/re stop", 10) or True, "")
    pub2 = env.publish_live(srv.url("re"), seconds=30, name="publisher-again")
    rc = player.wait(30)
    check(rc == 0, "the RTSP player did not end by itself across the republish (exit %s): %s"
          % (rc, player.errtail()))
    flags = video_flags(env, out)
    env.note("measured RTSP player across a republish: %d frames" % len(flags))
    check(len(flags) >= 150, "the RTSP player got %d frames for 10 s across a republish" % len(flags))
    pub2.stop()


def rtsp_exchange(port, data, timeout=5.0):
    """Send raw bytes to the RTSP port; return what came back until the server closed
    or timeout."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        got = b""
        try:
            s.sendall(data)
        except (ConnectionResetError, BrokenPipeError):
            return got, True
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                return got, True  # closed with our bytes unread
            if not chunk:
                return got, True
            got += chunk
        return got, False
    finally:
        s.close()


def test_rtsp_bad_input(env):
    """Malformed requests get 400 and a closed connection; a head over the limit is cut
    off; SETUP before ANNOUNCE or DESCRIBE gets 455, an unknown stream 404, a method we
    do not know 501; garbage datagrams to the RTP/RTCP ports are dropped; meanwhile a
    live RTSP stream plays on."""
    srv = rtsp_server(env)
    pub = publish_rtsp(env, rtsp_url(srv, "live1"), audio=False)
    check(wait_log(srv, r"rtsp publish \S+/live/live1 start", 10), "the RTSP publish did not start")
    url = rtsp_url(srv, "nothere").encode()
    got, closed = rtsp_exchange(srv.rtsp_port, b"HELLO\r\n\r\n")
    check(got.startswith(b"RTSP/1.0 400") and closed, "garbage got %r (closed %s)" % (got[:60], closed))
    got, closed = rtsp_exchange(srv.rtsp_port, b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nX: " + b"a" * 20000 + b"\r\n\r\n")
    check(closed and b"200" not in got, "a 20 KB header was not refused: %r" % got[:60])
    got, _ = rtsp_exchange(srv.rtsp_port, b"SETUP " + url + b"/trackID=0 RTSP/1.0\r\nCSeq: 2\r\n"
                           b"Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n")
    check(got.startswith(b"RTSP/1.0 455") and b"CSeq: 2" in got, "SETUP first got %r" % got[:60])
    got, _ = rtsp_exchange(srv.rtsp_port, b"DESCRIBE " + url + b" RTSP/1.0\r\nCSeq: 3\r\n\r\n")
    check(got.startswith(b"RTSP/1.0 404"), "DESCRIBE of an unknown stream got %r" % got[:60])
    got, _ = rtsp_exchange(srv.rtsp_port, b"REDIRECT " + url + b" RTSP/1.0\r\nCSeq: 4\r\n\r\n", timeout=1)
    check(got.startswith(b"RTSP/1.0 501"), "an unknown method got %r" % got[:60])
    got, _ = rtsp_exchange(srv.rtsp_port, b"ANNOUNCE " + url + b" RTSP/1.0\r\nCSeq: 5\r\nContent-Length: 9\r\n\r\n"
                           b"v=0\r\nx=1\r\n")
    check(got.startswith(b"RTSP/1.0 415"), "a bogus SDP got %r" % got[:60])
    g = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(200):
        for p in (srv.rtsp_port,):
            g.sendto(os.urandom(1 + i * 7 % 1400), ("127.0.0.1", p))
    g.close()
    out, streams, _ = rtsp_record(env, rtsp_url(srv, "live1"), "after-bad", 2)
    expect_h264(streams, "the live stream after bad input")
    check(srv.alive(), "the server died")
    pub.stop()


def test_rtsp_silent_udp_player_ends(env):
    """A UDP player that sets up and plays, then sends nothing (no RTCP, no keep-alive)
    is ended after rtsp_server session_timeout."""
    srv = rtsp_server(env, rtsp_extra="    session_timeout 2;\n")
    pub = publish_rtsp(env, rtsp_url(srv, "t"), audio=False)
    check(wait_log(srv, r"rtsp publish \S+/live/t start", 10), "the RTSP publish did not start")
    url = rtsp_url(srv, "t").encode()
    s = socket.create_connection(("127.0.0.1", srv.rtsp_port), timeout=5)
    env.socks.append(s)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    cport = u.getsockname()[1]

    def ask(req):
        s.sendall(req)
        buf = b""
        while b"\r\n\r\n" not in buf:
            buf += s.recv(65536)
        head, _, rest = buf.partition(b"\r\n\r\n")
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                n = int(line.split(b":")[1])
                while len(rest) < n:
                    rest += s.recv(65536)
        return head

    head = ask(b"DESCRIBE " + url + b" RTSP/1.0\r\nCSeq: 1\r\n\r\n")
    check(head.startswith(b"RTSP/1.0 200"), "DESCRIBE: %r" % head[:80])
    head = ask(b"SETUP " + url + b"/trackID=0 RTSP/1.0\r\nCSeq: 2\r\nTransport: RTP/AVP;unicast;client_port=%d-%d\r\n\r\n"
               % (cport, cport + 1))
    check(head.startswith(b"RTSP/1.0 200") and b"server_port=" in head, "SETUP over UDP: %r" % head[:200])
    session = [l.split(b":", 1)[1].split(b";")[0].strip() for l in head.split(b"\r\n")
               if l.lower().startswith(b"session:")][0]
    head = ask(b"PLAY " + url + b" RTSP/1.0\r\nCSeq: 3\r\nSession: " + session + b"\r\n\r\n")
    check(head.startswith(b"RTSP/1.0 200") and b"RTP-Info:" in head, "PLAY: %r" % head[:200])
    u.settimeout(5)
    data, _ = u.recvfrom(2048)
    check(len(data) > 12 and data[0] >> 6 == 2, "no RTP came to the UDP player")
    check(wait_log(srv, r"rtsp player silent for 2 s", 8), "the silent UDP player was not ended")
    u.close()
    pub.stop()


def test_rtsp_hooks(env):
    """on_publish and on_play are asked for RTSP publishers and players with the URL's
    app, stream and parameters; a refusal makes ffmpeg's RECORD and ffprobe's PLAY fail
    with the server's 403, and on_unpublish/on_stop follow the ones that were allowed."""
    hs = HookServer()
    try:
        ev = {e: ["/" + e] for e in ("on_publish", "on_unpublish", "on_play", "on_stop")}
        srv = rtsp_server(env, vhost_extra=hooks_block(hs, ev))
        hs.set("/on_publish", "deny")
        bad = publish_rtsp(env, rtsp_url(srv, "h") + "?token=no", audio=False, seconds=5, name="denied")
        check(bad.wait(20) not in (0, None), "a publisher the hook refused was not refused")
        hs.set("/on_publish", "allow")
        pub = publish_rtsp(env, rtsp_url(srv, "h") + "?token=yes", audio=False)
        check(wait_log(srv, r"rtsp publish \S+/live/h start", 10), "the allowed RTSP publish did not start")
        calls = hs.wait(5, action="on_publish", count=2)
        bodies = [c["body"] for c in calls]
        env.note("on_publish payloads: %s" % [(b.get("app"), b.get("stream"), b.get("param")) for b in bodies])
        check([(b.get("app"), b.get("stream"), b.get("param")) for b in bodies] ==
              [("live", "h", "?token=no"), ("live", "h", "?token=yes")], "on_publish payloads %s" % bodies)
        hs.set("/on_play", "deny")
        rc, _, err, _ = env.run("ffprobe-denied", ["ffprobe", "-v", "error", "-rtsp_transport", "tcp",
                                                   "-show_streams", rtsp_url(srv, "h") + "?who=x"], 15)
        check(rc not in (0, None) and "403" in err, "a player the hook refused: exit %s %s" % (rc, err[-200:]))
        hs.set("/on_play", "allow")
        out, streams, _ = rtsp_record(env, rtsp_url(srv, "h") + "?who=y", "allowed", 1)
        expect_h264(streams, "the allowed RTSP player")
        plays = hs.wait(5, action="on_play", count=2)
        check([p["body"].get("param") for p in plays] == ["?who=x", "?who=y"],
              "on_play params %s" % [p["body"].get("param") for p in plays])
        check(hs.wait(5, action="on_stop"), "no on_stop for the RTSP player")
        pub.stop()
        check(hs.wait(10, action="on_unpublish"), "no on_unpublish for the RTSP publisher")
    finally:
        hs.close()


CAMERA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rtsp_camera.py")


def start_camera(env, port, name="camera", extra=()):
    """GStreamer's RTSP server (rtsp_camera.py, Debian's python3 with gi) on port, path /cam."""
    cam = env.spawn(name, ["/usr/bin/python3", CAMERA, "--port", str(port), "--path", "/cam", "--audio"] +
                    list(extra), pipe_stdout=True)
    ready, _, _ = select.select([cam.p.stdout], [], [], 15)
    line = cam.p.stdout.readline().decode() if ready else ""
    check(line.startswith("READY"), "the camera did not start: %r %s" % (line, cam.errtail()))
    return cam


def test_rtsp_camera_pull(env):
    """A camera (GStreamer's RTSP server with Digest auth) named by rtsp_pull: an
    always-on pull plays from the start, an on-demand one waits for a player; an RTMP recording (ffmpeg -t 12) starts the pull, is
    not broken when the camera is killed and restarted (the pull calls again), and ends
    by itself; 3 s after the last player the pull ends. The same camera pulled over UDP
    plays in GStreamer's rtspsrc through our RTSP server; a pull with a wrong password
    shows the camera's 401 in /api/v1/rtsp_pulls."""
    cport = free_port()
    auth = ["--user", "admin", "--password", "s3cret"]
    cam = start_camera(env, cport, extra=auth)
    url = "rtsp://admin:s3cret@127.0.0.1:%d/cam" % cport
    pulls = ("    rtsp_pull cam {\n        url %s;\n    }\n"
             "    rtsp_pull camu {\n        url %s;\n        transport udp;\n    }\n"
             "    rtsp_pull bad {\n        url rtsp://admin:nope@127.0.0.1:%d/cam;\n    }\n"
             "    rtsp_pull always {\n        url %s;\n        on_demand off;\n    }\n" % (url, url, cport, url))
    srv = rtsp_server(env, api=True, vhost_extra=pulls)
    check(wait_log(srv, r"rtsp pull \S+/live/always: playing", 10), "the always-on pull did not start by itself")
    time.sleep(1)
    check([p["stream"] for p in api_ok(srv.api_port, "/api/v1/rtsp_pulls")["rtsp_pulls"]] == ["always"],
          "an on-demand pull runs with no player, or the always-on one does not")
    out = env.path("cam.flv")
    rec = env.spawn("recorder", ["ffmpeg"] + env.FF + ["-i", srv.url("cam"), "-t", "12", "-c", "copy", "-y", out])
    check(wait_log(srv, r"rtsp pull \S+/live/cam: playing", 10), "the on-demand pull did not start playing")
    pulls_now = [p for p in api_ok(srv.api_port, "/api/v1/rtsp_pulls")["rtsp_pulls"] if p["stream"] == "cam"]
    check(len(pulls_now) == 1 and pulls_now[0]["url"] == "rtsp://127.0.0.1:%d/cam" % cport,
          "the API shows %s" % pulls_now)
    time.sleep(3)
    cam.stop(signal.SIGKILL)
    check(wait_log(srv, r"rtsp pull \S+/live/cam from \S+: ", 15), "the pull did not notice the camera's death")
    cam = start_camera(env, cport, name="camera-again", extra=auth)
    rc = rec.wait(40)
    check(rc == 0, "the recording did not end by itself across the camera restart (exit %s): %s" % (rc, rec.errtail()))
    flags = video_flags(env, out)
    env.note("measured recording across a camera restart: %d video frames" % len(flags))
    check(len(flags) >= 200, "the recording across a camera restart has %d frames for 12 s" % len(flags))
    check(wait_log(srv, r"rtsp pull \S+/live/cam ends", 10), "the pull did not end after the last player")
    rc, _, err, secs = env.run("gst-camu", [
        "gst-launch-1.0", "-q", "rtspsrc", "location=" + rtsp_url(srv, "camu"), "protocols=tcp", "!",
        "rtph264depay", "!", "h264parse", "!", "avdec_h264", "!", "fakesink", "num-buffers=50", "sync=false"], 30)
    check(rc == 0, "rtspsrc of the UDP-pulled camera: exit %s %s" % (rc, err[-300:]))
    bad = env.spawn("bad-player", ["ffprobe", "-v", "error", srv.url("bad")])
    check(wait_until(lambda: any(p["stream"] == "bad" and "401" in p["error"]
                                 for p in api_ok(srv.api_port, "/api/v1/rtsp_pulls")["rtsp_pulls"]), 10),
          "the wrong password's 401 is not in the API")
    bad.stop(signal.SIGKILL)
    cam.stop()


def test_rtsp_pull_reload(env):
    """Reload (SIGHUP) applies rtsp_pull to running pulls: an always-on pull added to the
    config starts and plays (ffprobe over RTMP), a changed url makes it call the new
    camera (the API shows it, ffprobe plays it), and a removed pull ends and
    unpublishes its stream."""
    cport, cport2 = free_port(), free_port()
    cam = start_camera(env, cport)
    srv = rtsp_server(env, api=True)

    def pull(port):
        return "    rtsp_pull cam {\n        url rtsp://127.0.0.1:%d/cam;\n        on_demand off;\n    }\n" % port

    def pulls():
        return api_ok(srv.api_port, "/api/v1/rtsp_pulls")["rtsp_pulls"]

    def publishing(name):
        return any(x.get("name") == name and (x.get("publish") or {}).get("active")
                   for x in api_ok(srv.api_port, "/api/v1/streams/").get("streams", []))

    srv.reload(srv.body_with(pull(cport)))
    check(wait_log(srv, r"rtsp pull \S+/live/cam: playing rtsp://127.0.0.1:%d/cam" % cport, 15),
          "the always-on pull added by the reload did not start")
    streams, why = env.probe_streams(srv.url("cam"), name="ffprobe-first")
    check(streams is not None, why)
    expect_h264(streams, "the pull added by a reload")
    offset = os.path.getsize(srv.log)
    cam2 = start_camera(env, cport2, name="camera-two")
    srv.reload(srv.body_with(pull(cport2)))
    check(wait_log(srv, r"reload: rtsp pull \S+/live/cam changed its camera", 10, offset),
          "the reload did not see the changed url")
    check(wait_log(srv, r"rtsp pull \S+/live/cam: playing rtsp://127.0.0.1:%d/cam" % cport2, 15, offset),
          "the pull did not call the new camera")
    check(wait_until(lambda: [p["url"] for p in pulls()] == ["rtsp://127.0.0.1:%d/cam" % cport2], 5),
          "the API shows %s" % pulls())
    streams, why = env.probe_streams(srv.url("cam"), name="ffprobe-second")
    check(streams is not None, why)
    expect_h264(streams, "the pull from the new camera")
    srv.reload(srv.body_with(""))
    check(wait_until(lambda: not pulls() and not publishing("cam"), 10),
          "the removed pull still runs or publishes: %s" % pulls())
    check(srv.alive(), "the server died")
    cam.stop()
    cam2.stop()
