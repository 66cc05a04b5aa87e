# SPDX-License-Identifier: MIT
"""SRT (srt_server { }, vhost srt { }) with real clients: ffmpeg (libsrt) and
srt-live-transmit (Debian srt-tools) publish MPEG-TS and play it back; the stream also
plays over RTMP, HTTP-FLV, HLS (in headless Chromium too) and DVR, and a stream published
over RTMP plays over SRT; H.264 + Opus comes back out as Opus in TS. A late SRT, RTMP or HTTP-FLV player's first video frame is a
keyframe (with OBS's 8 s GOP too); an SRT player stays through a republish; a passphrase
is enforced; callers that are not served are refused during the handshake; garbage
datagrams leave a live stream alone; a publisher behind a link that loses 5% of its
datagrams still gives clean frames, and /metrics shows SRT's losses and retransmissions."""

import json
import os
import re
import signal
import socket
import subprocess
import time

from strand_env import api_ok, check, flv_kinds, http_body, http_request, log_since, wait_log, wait_until
from test_http import parse_metrics
from test_players import build_page, check_playback, run_players_check, segments, setup_tools
from test_rtmp import read_flv_until_first_frame


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def srt_server(env, www=None, srt_extra="", vhost_extra="", api=False, exporter=False):
    """A server with srt_server on a free UDP port (srv.srt_port), HTTP-FLV, and HLS into www."""
    port = free_udp_port()
    hls = ("    hls { enabled on; hls_path %s; hls_fragment 1; hls_window 10; }\n" % www) if www else ""
    vh = ("vhost __defaultVhost__ {\n    play { gop_cache on; }\n    srt { enabled on; }\n"
          "    http_remux { enabled on; mount [vhost]/[app]/[stream].flv; }\n%s%s}\n" % (hls, vhost_extra))
    srt = "srt_server {\n    enabled on;\n    listen %d;\n%s}\n" % (port, srt_extra)
    body = http_body(http_dir=www or env.path("."), api=api, exporter=exporter, vhosts=srt + vh)
    srv = env.server(body)
    srv.srt_port = port
    check(wait_log(srv, r"srt listen at \S+:%d/udp" % port, 5), "the SRT listener did not open")
    return srv


def srt_url(srv, streamid, extra=""):
    return "srt://127.0.0.1:%d?streamid=%s%s" % (srv.srt_port, streamid, extra)


def publish_srt(env, url, seconds=20, name="srt-publisher", size="320x240", gop=50, extra=()):
    """ffmpeg encodes H.264 + AAC live and publishes MPEG-TS over SRT; extra goes before
    the output (e.g. OBS's -pkt_size)."""
    return env.spawn(name, ["ffmpeg"] + env.FF + [
        "-re", "-f", "lavfi", "-i", "testsrc=size=%s:rate=25" % size,
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", str(gop),
        "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", "-t", str(seconds)] + list(extra) + [
        "-f", "mpegts", url])


def srt_record(env, srv, streamid, name, seconds, what, extra=""):
    """An ffmpeg SRT player copies `seconds` of the stream into NAME.ts; checks that it
    ends well and that ffprobe reads the file. Returns (path, streams)."""
    out = env.path(name + ".ts")
    rc, _, err, _ = env.run("srt-player-" + name, ["ffmpeg"] + env.FF + [
        "-i", srt_url(srv, streamid, extra), "-t", str(seconds), "-c", "copy", "-y", out], 30)
    check(rc == 0, "%s: the ffmpeg SRT player exit %s: %s" % (what, rc, err[-400:]))
    streams, why = env.probe_streams(out)
    check(streams is not None, "%s: %s" % (what, why))
    return out, streams


def video_flags(env, path):
    rc, out, err, _ = env.run("ffprobe-flags", ["ffprobe", "-v", "error", "-select_streams", "v",
                                                "-show_entries", "packet=flags", "-of", "csv=p=0", path], 30)
    check(rc == 0, "ffprobe %s: %s" % (path, err[-300:]))
    return [l for l in out.splitlines() if l.strip()]


def cpu_seconds(pid):
    """utime + stime of a process, in seconds (/proc/PID/stat)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_srt_publish_plays_everywhere(env):
    """With the SRT listener open and no client, the server uses no CPU to speak of (no
    polling loop). Then ffmpeg publishes over SRT: RTMP, HTTP-FLV, HLS and a late SRT
    player (ffmpeg -c copy) all get H.264 320x240 + AAC; the SRT player's first video
    frame is a keyframe; the API lists the publisher as srt-publish with its SRT link
    statistics (RTT, loss, retransmissions)."""
    www = env.path("www")
    os.makedirs(www, exist_ok=True)
    srv = srt_server(env, www, api=True)
    c0, t0 = cpu_seconds(srv.proc.pid), time.monotonic()
    time.sleep(3)
    idle = (cpu_seconds(srv.proc.pid) - c0) / (time.monotonic() - t0)
    env.note("measured idle CPU with the SRT listener open: %.2f%% of a core" % (idle * 100))
    check(idle < 0.1, "the idle server uses %.0f%% of a core: a polling loop?" % (idle * 100))
    pub = publish_srt(env, srt_url(srv, "#!::r=live/cam,m=publish"))
    check(wait_log(srv, r"srt publish \S+/live/cam start", 10), "the SRT publish did not start")
    for what, url in (("RTMP", srv.url("cam")), ("HTTP-FLV", "http://127.0.0.1:%d/live/cam.flv" % srv.http_port)):
        streams, why = env.probe_streams(url, timeout=15)
        check(streams is not None, "%s of an SRT stream: %s" % (what, why))
        env.expect_streams(streams)
    m3u8 = os.path.join(www, "live", "cam.m3u8")
    check(wait_until(lambda: os.path.exists(m3u8) and ".ts" in open(m3u8).read(), 10), "no HLS of the SRT stream")
    streams, why = env.probe_streams("http://127.0.0.1:%d/live/cam.m3u8" % srv.http_port, timeout=15)
    check(streams is not None, "HLS of an SRT stream: " + why)
    time.sleep(1.3)  # join in the middle of a GOP (keyframes every 2 s)
    out = env.path("late.ts")
    rc, _, err, secs = env.run("srt-player", ["ffmpeg"] + env.FF + [
        "-i", srt_url(srv, "#!::r=live/cam,m=request"), "-t", "4", "-c", "copy", "-y", out], 30)
    check(rc == 0, "ffmpeg SRT player exit %s: %s" % (rc, err[-400:]))
    streams, why = env.probe_streams(out)
    check(streams is not None, "the SRT player's file: " + why)
    env.expect_streams(streams)
    flags = video_flags(env, out)
    env.note("measured SRT player: %d video packets in %.1f s, first flags %s" % (len(flags), secs, flags[:1]))
    check(flags and flags[0].startswith("K"), "the late SRT player's first video frame is not a keyframe")
    check(len(flags) >= 90, "the SRT player got %d video frames for 4 s" % len(flags))
    clients = api_ok(srv.api_port, "/api/v1/clients/").get("clients", [])
    srt_pubs = [c for c in clients if c.get("type") == "srt-publish"]
    check(srt_pubs, "the API does not list an srt-publish client: %s" % [c.get("type") for c in clients])
    link = srt_pubs[0].get("link") or {}
    env.note("measured SRT publisher link in the API: %s" % link)
    check(link.get("protocol") == "srt" and link.get("rtt_ms", -1) >= 0 and "retrans" in link,
          "the SRT publisher's link statistics are missing: %s" % srt_pubs[0])
    pub.stop()


def test_srt_live_transmit_and_rtmp_to_srt(env):
    """srt-live-transmit publishes a TS file and plays it back (a plain stream id: no m=
    means play); a stream published over RTMP plays over SRT with ffmpeg."""
    srv = srt_server(env)
    ts = env.path("in.ts")
    rc, _, err, _ = env.run("make-ts", ["ffmpeg"] + env.FF + [
        "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine",
        "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p", "-c:a", "aac",
        "-t", "20", "-f", "mpegts", "-y", ts], 60)
    check(rc == 0, "making the TS file: " + err[-300:])
    # -re pacing comes from a reader ffmpeg; srt-live-transmit sends what it reads
    feeder = subprocess.Popen(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-i", ts,
                               "-c", "copy", "-f", "mpegts", "-"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    env.track(feeder, "feeder")
    slt = env.track(subprocess.Popen(["srt-live-transmit", "-q", "-chunk:1316", "file://con",
                                      srt_url(srv, "#!::r=live/slt,m=publish")], stdin=feeder.stdout,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True), "srt-live-transmit-pub")
    feeder.stdout.close()
    check(wait_log(srv, r"srt publish \S+/live/slt start", 10), "srt-live-transmit's publish did not start")
    out = env.path("slt-out.ts")
    with open(out, "wb") as f:
        player = env.track(subprocess.Popen(["srt-live-transmit", "-q", srt_url(srv, "live/slt"), "file://con"],
                                            stdout=f, stderr=subprocess.DEVNULL, start_new_session=True),
                           "srt-live-transmit-play")
        check(wait_until(lambda: os.path.getsize(out) > 200000, 15), "srt-live-transmit played nothing")
        player.terminate()
        player.wait(5)
    streams, why = env.probe_streams(out)
    check(streams is not None, "what srt-live-transmit played: " + why)
    env.expect_streams(streams)
    slt.terminate()

    pub = env.publish_live(srv.url("fromrtmp"), seconds=20)
    check(wait_log(srv, r"publish \S+/live/fromrtmp start", 10), "the RTMP publish did not start")
    out2, streams = srt_record(env, srv, "#!::r=live/fromrtmp,m=request", "rtmp-to-srt", 3,
                               "the RTMP stream over SRT")
    env.expect_streams(streams)
    check(video_flags(env, out2)[0].startswith("K"), "the SRT player of an RTMP stream starts without a keyframe")
    pub.stop()


def test_srt_passphrase_and_bad_callers(env):
    """With a passphrase, a caller without it or with another one is refused and the right
    one publishes; a bogus stream id and a vhost without srt are refused with a log line;
    garbage datagrams to the SRT port leave the live stream and the listener working."""
    srv = srt_server(env, srt_extra="    passphrase 0123456789secret;\n    pbkeylen 16;\n",
                     vhost_extra="")
    good = "&passphrase=0123456789secret&pbkeylen=16"
    bad = publish_srt(env, srt_url(srv, "#!::r=live/enc,m=publish", "&passphrase=0123456789wrong!"),
                      seconds=3, name="srt-wrong-pass")
    rc = bad.wait(20)
    check(rc not in (0, None), "a publisher with the wrong passphrase was not refused (exit %s)" % rc)
    pub = publish_srt(env, srt_url(srv, "#!::r=live/enc,m=publish", good), seconds=20)
    check(wait_log(srv, r"srt publish \S+/live/enc start", 10), "the encrypted publish did not start")

    # garbage to the SRT port while the stream is live
    g = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(200):
        g.sendto(os.urandom(1 + i % 1400), ("127.0.0.1", srv.srt_port))
    g.close()

    bogus = env.spawn("srt-bogus-id", ["ffmpeg"] + env.FF + [
        "-i", srt_url(srv, "#!::m=publish", good), "-t", "1", "-f", "null", "-"])
    check(wait_log(srv, r"srt refuse 127\.0\.0\.1:\d+ streamid '#!::m=publish': .*names no stream \(reject 1400\)", 10),
          "a bogus stream id was not refused at handshake with a log line")
    bogus.wait(15)
    _, streams = srt_record(env, srv, "#!::r=live/enc,m=request", "enc", 3, "the encrypted stream", good)
    env.expect_streams(streams)
    check(pub.poll() is None, "the publisher died while garbage and bad callers came")
    pub.stop()


class LossyRelay:
    """A UDP relay between one SRT caller and the server that drops `loss` of the
    datagrams in each direction, at random: a lossy link without netem."""

    def __init__(self, server_port, loss, seed=7):
        import random
        import threading
        self.rng = random.Random(seed)
        self.loss = loss
        self.front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.front.bind(("127.0.0.1", 0))
        self.port = self.front.getsockname()[1]
        self.back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.back.connect(("127.0.0.1", server_port))
        self.caller = None
        self.dropped = self.passed = 0
        self.running = True
        for fn in (self._up, self._down):
            threading.Thread(target=fn, daemon=True).start()

    def _keep(self):
        keep = self.rng.random() >= self.loss
        if keep:
            self.passed += 1
        else:
            self.dropped += 1
        return keep

    def _up(self):
        self.front.settimeout(0.5)
        while self.running:
            try:
                data, addr = self.front.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            self.caller = addr
            if self._keep():
                self.back.send(data)

    def _down(self):
        self.back.settimeout(0.5)
        while self.running:
            try:
                data = self.back.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            if self.caller and self._keep():
                self.front.sendto(data, self.caller)

    def close(self):
        self.running = False
        time.sleep(0.6)
        self.front.close()
        self.back.close()


def srt_metrics(srv):
    """The exporter's SRT series: {name or (name, label value): value}."""
    status, _, body = http_request(srv.exporter_port, "/metrics")
    check(status == 200, "/metrics: HTTP %s" % status)
    ms = parse_metrics(body.decode("utf-8"))
    out = {}
    for (name, labels), v in ms.items():
        if name.startswith("strand_srt_"):
            out[(name, dict(labels).popitem()[1]) if labels else name] = v
    return out


def test_srt_publisher_on_a_lossy_link(env):
    """An SRT publisher behind a link that drops 5% of the datagrams each way (latency
    200 ms): SRT's retransmissions repair it, and an RTMP player decodes every frame of 6 s
    without an error; the API shows the retransmissions. An SRT player behind another such
    link makes the server retransmit. /metrics shows SRT clients by mode, the packets
    lost and retransmitted and the RTT, and its counters keep what closed connections
    counted."""
    srv = srt_server(env, srt_extra="    latency 200;\n", api=True, exporter=True)
    relay = LossyRelay(srv.srt_port, 0.05)
    prelay = LossyRelay(srv.srt_port, 0.05, seed=11)
    try:
        url = "srt://127.0.0.1:%d?streamid=#!::r=live/lossy,m=publish&latency=200000" % relay.port
        pub = publish_srt(env, url, seconds=20)
        check(wait_log(srv, r"srt publish \S+/live/lossy start", 10), "the SRT publish through the relay did not start")
        time.sleep(1.0)
        rc, out, err, _ = env.run("rtmp-decoder", ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error",
                                                    "-i", srv.url("lossy"), "-t", "6", "-map", "0:v",
                                                    "-f", "framecrc", "-"], 40)
        check(rc == 0, "the RTMP decoder exit %s: %s" % (rc, err[-400:]))
        frames = [l for l in out.splitlines() if l and not l.startswith("#")]
        clients = api_ok(srv.api_port, "/api/v1/clients/").get("clients", [])
        link = next((c.get("link") for c in clients if c.get("type") == "srt-publish"), None) or {}
        env.note("measured lossy link: relay dropped %d of %d datagrams; decoder %d frames, errors %r; "
                 "server link %s" % (relay.dropped, relay.dropped + relay.passed, len(frames),
                                     err.strip()[-200:], link))
        check(relay.dropped > 20, "the relay dropped only %d datagrams" % relay.dropped)
        check(not err.strip(), "the decoder reported errors: %s" % err[-400:])
        check(len(frames) >= 145, "the decoder got %d frames for 6 s at 25 fps" % len(frames))
        check(link.get("retrans", 0) > 0 or link.get("recv_loss", 0) > 0,
              "the API shows no loss or retransmission on the SRT link: %s" % link)
        url = "srt://127.0.0.1:%d?streamid=#!::r=live/lossy,m=request&latency=200000" % prelay.port
        player = env.spawn("srt-lossy-player", ["ffmpeg"] + env.FF + ["-i", url, "-c", "copy", "-f", "mpegts", "-y",
                                                                        env.path("lossy-play.ts")])
        check(wait_log(srv, r"srt play \S+/live/lossy start", 10), "the SRT player through the relay did not start")
        live = wait_until(lambda: (lambda m: m if m.get("strand_srt_packets_retransmitted_total", 0) > 0 else None)(
            srt_metrics(srv)), 10, 0.5)
        env.note("measured SRT metrics with a publisher and a player on lossy links: %s" % live)
        check(live, "no retransmission to the SRT player in /metrics: %s" % srt_metrics(srv))
        check(live[("strand_srt_clients", "publish")] == 1 and live[("strand_srt_clients", "play")] == 1,
              "strand_srt_clients by mode: %s" % live)
        check(live[("strand_srt_packets_lost_total", "recv")] > 0, "no recv loss from the publisher: %s" % live)
        check(0 < live["strand_srt_rtt_max_seconds"] < 1 and live["strand_srt_rtt_mean_seconds"] > 0,
              "SRT RTT gauges: %s" % live)
        player.stop()
        pub.stop()
        check(wait_until(lambda: srt_metrics(srv)[("strand_srt_clients", "publish")] == 0 and
                         srt_metrics(srv)[("strand_srt_clients", "play")] == 0, 15, 0.5),
              "the SRT clients did not leave /metrics: %s" % srt_metrics(srv))
        after = srt_metrics(srv)
        env.note("measured SRT metrics after both left: %s" % after)
        for k, v in live.items():
            if k[0].endswith("_total") if isinstance(k, tuple) else k.endswith("_total"):
                check(after[k] >= v, "%s went down from %s to %s when the connections closed" % (k, v, after[k]))
    finally:
        relay.close()
        prelay.close()


def test_srt_h265_reaches_srt_hls_and_dvr(env):
    """H.265 + AAC published over SRT (libx265): an SRT player, the HLS segments and an MP4
    recording all carry HEVC 320x240, and the recording holds every frame published. The
    publisher lingers: without it ffmpeg closes its socket right after the encoder's last
    burst and what is still in flight is lost at the sender (13 of 200 frames here)."""
    www = env.path("www")
    os.makedirs(www, exist_ok=True)
    srv = srt_server(env, www, vhost_extra="    dvr { enabled on; dvr_path %s/[app]/[stream].mp4; "
                                           "dvr_plan session; }\n" % www)
    secs = 8
    pub = env.spawn("srt-publisher-h265", ["ffmpeg"] + env.FF + [
        "-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine",
        "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error:keyint=25",
        "-pix_fmt", "yuv420p", "-c:a", "aac", "-t", str(secs), "-f", "mpegts",
        srt_url(srv, "#!::r=live/h5,m=publish", "&linger=2")])
    check(wait_log(srv, r"srt publish \S+/live/h5 start", 10), "the H.265 SRT publish did not start")
    out = env.path("h5.ts")
    rc, _, err, _ = env.run("srt-player-h265", ["ffmpeg"] + env.FF + [
        "-i", srt_url(srv, "#!::r=live/h5,m=request"), "-t", "2", "-c", "copy", "-y", out], 30)
    check(rc == 0, "the SRT player of an H.265 stream exit %s: %s" % (rc, err[-400:]))
    for what, path in (("SRT player", out),):
        streams, why = env.probe_streams(path)
        check(streams is not None, "%s: %s" % (what, why))
        v = [s for s in streams if s.get("codec_type") == "video"]
        check(v and v[0].get("codec_name") == "hevc" and v[0].get("width") == 320,
              "%s video is not HEVC 320x240: %s" % (what, v))
    check(pub.wait(secs + 15) == 0, "the H.265 publisher exit: %s" % pub.errtail(4))
    check(wait_log(srv, r"dvr: closed \S+/h5.mp4", 15), "the MP4 recording was not closed")
    m3u8 = os.path.join(www, "live", "h5.m3u8")
    with open(m3u8) as f:
        seg = [l for l in f.read().splitlines() if l.endswith(".ts")][0]
    rec = os.path.join(www, "live", "h5.mp4")
    for what, path in (("HLS segment", os.path.join(www, "live", seg)), ("MP4 recording", rec)):
        streams, why = env.probe_streams(path)
        check(streams is not None, "%s: %s" % (what, why))
        v = [s for s in streams if s.get("codec_type") == "video"]
        check(v and v[0].get("codec_name") == "hevc", "%s video is not HEVC: %s" % (what, v))
    rc, cnt, err, _ = env.run("count-h265", ["ffprobe", "-v", "error", "-select_streams", "v", "-count_packets",
                                             "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", rec], 30)
    n = int(cnt.strip() or 0)
    env.note("measured H.265 over SRT: %d video frames recorded of %d published" % (n, secs * 25))
    check(n >= secs * 25 - 2, "the MP4 recording holds %d video frames, %d published" % (n, secs * 25))


def test_srt_h265_into_fmp4_hls(env):
    """H.265 + AAC over SRT into fMP4 HLS (hls_use_fmp4 on, the form Safari takes HEVC in):
    the init segment has an hvc1 sample entry with its hvcC, and each init+segment is an
    HEVC 320x240 + AAC MP4."""
    www = env.path("www")
    os.makedirs(www, exist_ok=True)
    srv = srt_server(env, vhost_extra="    hls { enabled on; hls_path %s; hls_fragment 1; hls_window 10; "
                                      "hls_use_fmp4 on; }\n" % www)
    pub = env.spawn("srt-publisher-h265", ["ffmpeg"] + env.FF + [
        "-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine",
        "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error:keyint=25",
        "-pix_fmt", "yuv420p", "-c:a", "aac", "-t", "5", "-f", "mpegts",
        srt_url(srv, "#!::r=live/h5f,m=publish", "&linger=2")])
    check(pub.wait(25) == 0, "the H.265 publisher exit: %s" % pub.errtail(4))
    m3u8 = os.path.join(www, "live", "h5f.m3u8")
    check(wait_until(lambda: os.path.exists(m3u8) and ".m4s" in open(m3u8).read(), 10), "no fMP4 playlist")
    with open(os.path.join(www, "live", "h5f", "init.mp4"), "rb") as f:
        init = f.read()
    check(b"hvc1" in init and b"hvcC" in init and b"mp4a" in init, "init.mp4 lacks hvc1/hvcC/mp4a")
    with open(m3u8) as f:
        segs = [l for l in f.read().splitlines() if l.endswith(".m4s")]
    for seg in segs[:2]:
        joined = env.path("joined-" + seg)
        with open(os.path.join(www, "live", seg), "rb") as f, open(joined, "wb") as out:
            out.write(init + f.read())
        streams, why = env.probe_streams(joined)
        check(streams is not None, "%s: %s" % (seg, why))
        codecs = sorted(s.get("codec_name") for s in streams)
        v = [s for s in streams if s.get("codec_type") == "video"]
        check(codecs == ["aac", "hevc"] and v[0].get("width") == 320, "%s: %s" % (seg, streams))
    env.note("measured H.265 fMP4 HLS: %d segments, init %d bytes" % (len(segs), len(init)))


def srt_vhosts_server(env, vhosts, api=False, exporter=False):
    """A server with SRT and the given vhost section (no __defaultVhost__ unless it has
    one); srv.body_with(vhosts) is the same config with other vhosts, for a reload."""
    port = free_udp_port()
    srt = "srt_server {\n    enabled on;\n    listen %d;\n}\n" % port
    body_with = lambda vh: http_body(http_dir=env.path("."), api=api, exporter=exporter, vhosts=srt + vh)
    srv = env.server(body_with(vhosts))
    srv.srt_port = port
    srv.body_with = body_with
    check(wait_log(srv, r"srt listen at \S+:%d/udp" % port, 5), "the SRT listener did not open")
    return srv


def test_srt_refuse_at_handshake(env):
    """Issue 11: callers that are not served are refused during the SRT handshake, with
    a reject code (ffmpeg fails at once instead of connecting and being closed later) and
    one log line of ours each (peer, stream id, reason): a stream id that names no stream
    (1400), a vhost that does not exist (1404), a vhost with srt off (1403), counted in
    strand_srt_refused_total. A valid
    publisher right after works and plays; a reload that turns srt on for the vhost lets
    the same caller in (the handshake's snapshot follows reloads)."""
    vh = ("vhost srt.test {\n    srt { enabled on; }\n    play { gop_cache on; }\n}\n"
          "vhost nosrt.test {\n    srt { enabled off; }\n}\n")
    srv = srt_vhosts_server(env, vh, exporter=True)
    refusals = [("#!::m=publish", 1400, r"names no stream"),
                ("#!::h=nosuch.test,r=live/x,m=publish", 1404, r"vhost 'nosuch\.test' is not served"),
                ("#!::h=nosrt.test,r=live/x,m=request", 1403, r"vhost 'nosrt\.test' has no srt")]
    for sid, code, why in refusals:
        offset = os.path.getsize(srv.log)
        rc, _, err, secs = env.run("srt-refused", ["ffmpeg"] + env.FF + [
            "-f", "lavfi", "-i", "testsrc=size=160x120:rate=25", "-t", "5", "-c:v", "libx264",
            "-f", "mpegts", srt_url(srv, sid)], 20)
        env.note("measured refusal of %r: ffmpeg exit %s after %.2f s" % (sid, rc, secs))
        check(rc not in (0, None), "ffmpeg with stream id %r was not refused (exit %s)" % (sid, rc))
        check(secs < 2.5, "ffmpeg with stream id %r took %.1f s to fail: not refused at handshake" % (sid, secs))
        rx = r"srt refuse 127\.0\.0\.1:\d+ streamid '%s': .*%s.*\(reject %d\)" % (re.escape(sid), why, code)
        check(wait_log(srv, rx, 5, offset), "no refusal line for %r (code %d) in the log" % (sid, code))
        text = log_since(srv, offset)
        check(len(re.findall(r"srt refuse ", text)) == 1, "not exactly one refusal line for %r:\n%s" % (sid, text))
        check(not re.search(r"srt publish|srt play|srt \S+ closed", text),
              "the refused caller %r reached a connection:\n%s" % (sid, text))
    refused = srt_metrics(srv)["strand_srt_refused_total"]
    check(refused == len(refusals), "strand_srt_refused_total is %s after %d refusals" % (refused, len(refusals)))
    pub = publish_srt(env, srt_url(srv, "#!::h=srt.test,r=live/ok,m=publish"), seconds=20)
    check(wait_log(srv, r"srt publish srt\.test/live/ok start", 10), "a valid publisher after the refusals did not start")
    _, streams = srt_record(env, srv, "#!::h=srt.test,r=live/ok,m=request", "ok", 2, "the player after refusals")
    env.expect_streams(streams)
    # reload: srt on for nosrt.test; the handshake lets the caller in now
    offset = os.path.getsize(srv.log)
    srv.reload(srv.body_with(vh.replace("srt { enabled off; }", "srt { enabled on; }")))
    check(wait_log(srv, r"reload: applied", 10, offset), "the reload was not applied")
    pub2 = publish_srt(env, srt_url(srv, "#!::h=nosrt.test,r=live/x,m=publish"), seconds=20, name="srt-pub-reloaded")
    check(wait_log(srv, r"srt publish nosrt\.test/live/x start", 10, offset),
          "after the reload the vhost's SRT publisher was not let in: %s" % log_since(srv, offset)[-600:])
    check(pub.poll() is None, "the first publisher died")
    pub.stop()
    pub2.stop()


def frame_sizes(env, path):
    """The decoded size ("WxH") of every video frame of a file, in order."""
    rc, out, err, _ = env.run("ffprobe-frames", ["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
                                                 "frame=width,height", "-of", "csv=p=0", path], 60)
    check(rc == 0, "ffprobe -show_frames %s: %s" % (path, err[-300:]))
    return ["x".join(l.split(",")[:2]) for l in out.splitlines() if l.strip()]


def test_srt_player_survives_republish(env):
    """Issue 11: an SRT player (ffmpeg, no -t) stays connected while the SRT publisher
    leaves and another one comes back 2 s later with another picture size, as with SRS
    (the consumer stays attached): the player is still running afterwards and what it
    wrote holds frames of the second publisher (160x120) after those of the first."""
    srv = srt_server(env)
    pub1 = publish_srt(env, srt_url(srv, "#!::r=live/re,m=publish", "&linger=1"), seconds=8, name="srt-pub-1")
    check(wait_log(srv, r"srt publish \S+/live/re start", 10), "the first SRT publisher did not start")
    out = env.path("replay.ts")
    player = env.spawn("srt-player-long", ["ffmpeg"] + env.FF + [
        "-analyzeduration", "1000000", "-i", srt_url(srv, "#!::r=live/re,m=request"), "-map", "0", "-c", "copy",
        "-f", "mpegts", "-y", out])
    check(wait_until(lambda: os.path.exists(out) and os.path.getsize(out) > 50000, 10),
          "the SRT player wrote nothing from the first publisher")
    check(pub1.wait(20) is not None, "the first publisher did not end")
    check(wait_log(srv, r"srt publish \S+/live/re stop", 10), "the server did not see the first publisher leave")
    time.sleep(2)  # the reconnect gap of the scenario, not a wait for a condition
    check(player.poll() is None, "the SRT player ended with the publisher: %s" % player.errtail(5))
    size0 = os.path.getsize(out)
    offset = os.path.getsize(srv.log)
    pub2 = publish_srt(env, srt_url(srv, "#!::r=live/re,m=publish"), seconds=20, name="srt-pub-2", size="160x120")
    check(wait_log(srv, r"srt publish \S+/live/re start", 10, offset), "the second SRT publisher did not start")
    grew = wait_until(lambda: os.path.getsize(out) - size0 > 100000, 15)
    env.note("measured SRT player across a republish: %d bytes before, %d after the second publisher started"
             % (size0, os.path.getsize(out) - size0))
    check(grew, "the SRT player got %d bytes from the second publisher" % (os.path.getsize(out) - size0))
    check(player.poll() is None, "the SRT player died after the republish: %s" % player.errtail(5))
    player.stop()  # SIGINT: ffmpeg finishes the file
    sizes = frame_sizes(env, out)
    first = sizes.index("160x120") if "160x120" in sizes else len(sizes)
    env.note("measured SRT player frames: %d of the first publisher (320x240), %d of the second (160x120)"
             % (sizes[:first].count("320x240"), sizes[first:].count("160x120")))
    check(sizes[:first].count("320x240") >= 25, "too few frames of the first publisher: %s" % sizes[:5])
    check(sizes[first:].count("160x120") >= 50, "%d frames of the second publisher after the republish"
          % sizes[first:].count("160x120"))
    pub2.stop()


def test_srt_obs_defaults_late_flv(env):
    """Issue 11: OBS's SRT output (ffmpeg's libsrt, MPEG-TS, pkt_size 1316, default
    latency, a keyframe every 8 s: -g 200 at 25 fps). A player that joins 5 s into a GOP
    over HTTP-FLV (curl) or RTMP (rtmpdump) gets a keyframe first, within 1.5 s, from the
    GOP cache, not 3 s later at the next keyframe."""
    srv = srt_server(env)
    pub = publish_srt(env, srt_url(srv, "#!::r=live/obs,m=publish", "&pkt_size=1316"), seconds=40, gop=200,
                      name="srt-obs")
    check(wait_log(srv, r"srt publish \S+/live/obs start", 10), "the OBS-like SRT publish did not start")
    time.sleep(5)  # mid-GOP: the next keyframe is 3 s away
    for what, args in (("HTTP-FLV", ["curl", "-sN", "http://127.0.0.1:%d/live/obs.flv" % srv.http_port]),
                       ("RTMP", ["stdbuf", "-o0", "rtmpdump", "-q", "-m", "10", "-r", srv.url("obs"), "-o", "-"])):
        t0 = time.monotonic()
        player = env.spawn("late-" + what.lower(), args, pipe_stdout=True)
        tags, t_frame = read_flv_until_first_frame(player, t0 + 6.0)
        player.stop(signal.SIGINT, 2)
        check(t_frame is not None, "%s: no video frame within 6 s (%d tags)" % (what, len(tags)))
        first = tags[-1]
        env.note("measured late %s join on an 8 s GOP: first video frame after %.3f s, frame type %d, tags %s"
                 % (what, t_frame - t0, first["data"][0] >> 4, " ".join(flv_kinds(tags)[:6])))
        check(first["data"][0] >> 4 == 1, "%s: the first video frame is not a keyframe" % what)
        check(t_frame - t0 < 1.5, "%s: the first video frame took %.2f s" % (what, t_frame - t0))
    check(pub.poll() is None, "the OBS-like publisher died: %s" % pub.errtail(4))
    pub.stop()


def test_srt_dvr_session_flv_mp4(env):
    """Issue 11: DVR (dvr_plan session) of SRT streams, FLV on one vhost and MP4 on
    another, published at the same time for 6 s: once the publishers have left, each
    file is closed (on_dvr's moment) and ffprobe reads H.264 320x240 + AAC with a
    duration of 6 s and every video frame."""
    www = env.path("www")
    os.makedirs(www, exist_ok=True)
    dvr = "    dvr { enabled on; dvr_plan session; dvr_path %s/[vhost]/[app]/[stream].%s; }\n"
    vh = ("vhost __defaultVhost__ {\n    srt { enabled on; }\n%s}\n"
          "vhost mp4.test {\n    srt { enabled on; }\n%s}\n" % (dvr % (www, "flv"), dvr % (www, "mp4")))
    srv = srt_vhosts_server(env, vh)
    secs = 6
    pubs = [publish_srt(env, srt_url(srv, "#!::r=live/rec,m=publish", "&linger=2"), seconds=secs, name="srt-pub-flv"),
            publish_srt(env, srt_url(srv, "#!::h=mp4.test,r=live/rec,m=publish", "&linger=2"), seconds=secs,
                        name="srt-pub-mp4")]
    for p in pubs:
        check(p.wait(secs + 20) == 0, "an SRT publisher exit: %s" % p.errtail(4))
    for path in (os.path.join(www, "__defaultVhost__", "live", "rec.flv"), os.path.join(www, "mp4.test", "live", "rec.mp4")):
        check(wait_log(srv, r"dvr: closed %s" % re.escape(path), 15), "the recording %s was not closed" % path)
        streams, why = env.probe_streams(path)
        check(streams is not None, "%s: %s" % (path, why))
        env.expect_streams(streams)
        rc, out, err, _ = env.run("probe-rec", ["ffprobe", "-v", "error", "-count_packets", "-select_streams", "v",
                                                "-show_entries", "format=duration:stream=nb_read_packets", "-of",
                                                "json", path], 30)
        check(rc == 0, "ffprobe %s: %s" % (path, err[-300:]))
        js = json.loads(out)
        duration = float(js["format"]["duration"])
        frames = int(js["streams"][0]["nb_read_packets"])
        env.note("measured SRT DVR %s: %.2f s, %d video frames of %d published" % (os.path.basename(path), duration,
                                                                                   frames, secs * 25))
        check(abs(duration - secs) < 0.5, "%s lasts %.2f s, %d s were published" % (path, duration, secs))
        check(frames >= secs * 25 - 2, "%s holds %d video frames, %d published" % (path, frames, secs * 25))


def test_srt_hls_chromium(env):
    """Issue 11: HLS of a stream published over SRT (H.264 main + AAC, 1 s GOP) plays in
    headless Chromium: the players page's hls.js path (test_players.py) advances at least
    2 s and decodes frames, and the page lists the stream from the API."""
    setup_tools(env)
    www = build_page(env)
    srv = srt_server(env, www, api=True)
    pub = publish_srt(env, srt_url(srv, "#!::r=live/sh,m=publish"), seconds=60, gop=25, name="srt-browser",
                      extra=["-profile:v", "main"])
    m3u8 = os.path.join(www, "live", "sh.m3u8")
    check(wait_until(lambda: segments(m3u8) >= 2, 15, 0.25), "the HLS playlist of the SRT stream has %d segments"
          % segments(m3u8))
    base = "http://127.0.0.1:%d" % srv.http_port
    by = run_players_check(env, "sh", [{"kind": "hls", "page": "%s/players/?url=%s/live/sh.m3u8&api=%d"
                                        % (base, base, srv.api_port)}])
    check_playback(by["hls"], "HLS of an SRT stream")
    check(pub.poll() is None, "the SRT publisher died: %s" % pub.errtail(4))
    pub.stop()


def test_srt_opus_to_srt_player(env):
    """Issue 11: H.264 + Opus published over SRT (-c:a libopus) reaches an SRT player as
    Opus in MPEG-TS (private data with the Opus registration and audio descriptors,
    opus_control_header per access unit): ffprobe sees opus, stereo, 48 kHz, and ffmpeg
    decodes 3 s of it without an error; the API names the audio Opus, 48 kHz, stereo."""
    srv = srt_server(env, api=True)
    pub = env.spawn("srt-pub-opus", ["ffmpeg"] + env.FF + [
        "-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=sample_rate=48000",
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-pix_fmt", "yuv420p",
        "-c:a", "libopus", "-ac", "2", "-b:a", "64k", "-t", "20", "-f", "mpegts",
        srt_url(srv, "#!::r=live/op,m=publish")])
    check(wait_log(srv, r"srt publish \S+/live/op start", 10), "the H.264+Opus SRT publish did not start")
    out, streams = srt_record(env, srv, "#!::r=live/op,m=request", "opus", 3, "the SRT player of H.264+Opus")
    by = {s.get("codec_type"): s for s in streams}
    env.note("measured SRT player of H.264+Opus: %s" % [(s.get("codec_name"), s.get("channels")) for s in streams])
    check(by.get("video", {}).get("codec_name") == "h264", "no H.264 video: %s" % streams)
    a = by.get("audio", {})
    check(a.get("codec_name") == "opus" and a.get("channels") == 2 and a.get("sample_rate") == "48000",
          "the audio is not stereo 48 kHz Opus: %s" % a)
    rc, _, err, _ = env.run("decode-opus", ["ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-i", out, "-map",
                                            "0:a", "-f", "null", "-"], 30)
    check(rc == 0 and not err.strip(), "decoding the Opus track: exit %s: %s" % (rc, err[-400:]))
    rc, cnt, err, _ = env.run("count-opus", ["ffprobe", "-v", "error", "-select_streams", "a", "-count_packets",
                                             "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", out], 30)
    n = int((cnt.split() or ["0"])[0])  # a TS lists the stream under its program too
    env.note("measured Opus packets in 3 s over SRT: %d" % n)
    check(n >= 120, "%d Opus packets in 3 s (20 ms each)" % n)
    listed = [x for x in api_ok(srv.api_port, "/api/v1/streams/")["streams"] if x["name"] == "op"]
    check(len(listed) == 1, "the API does not list live/op: %s" % listed)
    audio = listed[0].get("audio") or {}
    env.note("measured API audio of the Opus stream: %s" % audio)
    check(audio.get("codec") == "Opus" and audio.get("sample_rate") == 48000 and audio.get("channel") == 2,
          "the API describes the Opus track as %s" % audio)
    check(pub.poll() is None, "the publisher died: %s" % pub.errtail(4))
    pub.stop()
