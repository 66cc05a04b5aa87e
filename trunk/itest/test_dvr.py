# SPDX-License-Identifier: MIT
"""DVR (vhost dvr) with real clients: ffmpeg publishes, ffprobe reads the recordings.
Session and segment plans in FLV and MP4, durations against what was published, files
that still play after the server is SIGKILLed mid-recording, the on_dvr hook (a threaded
http.server in this process) and dvr_apply."""

import glob
import json
import os
import signal
import time

from strand_env import check, wait_log
from test_hooks import HookServer, hooks_block
from test_ops import log_size

FLV_VHOST = "flv.dvr.test"


def dvr_vhost(name, path, plan="session", duration=None, apply=None, extra=""):
    lines = ["vhost %s {" % name, "    play { gop_cache on; }", "    dvr {", "        enabled on;",
             "        dvr_plan %s;" % plan, "        dvr_path %s;" % path]
    if duration:
        lines.append("        dvr_duration %s;" % duration)
    if apply:
        lines.append("        dvr_apply %s;" % apply)
    lines += ["    }", extra.rstrip("\n"), "}", ""]
    return "\n".join(l for l in lines if l) + "\n"


def two_vhosts(plan="session", duration=None, extra=""):
    """__defaultVhost__ records MP4, FLV_VHOST records FLV, both under ./rec of the server."""
    return (dvr_vhost("__defaultVhost__", "./rec/mp4/[app]/[stream].[timestamp].mp4", plan, duration,
                      extra=extra)
            + dvr_vhost(FLV_VHOST, "./rec/flv/[app]/[stream]-[2006][01][02][15][04][05][999].flv", plan,
                        duration, extra=extra))


def recordings(srv, kind):
    return sorted(glob.glob(os.path.join(srv.dir, "rec", kind, "*", "*.%s" % kind)))


def media_info(env, path):
    """ffprobe -count_frames: {codec_type: stream}, decoded duration in seconds (frames of
    the video stream at 25 fps, the test media's rate) and the span of packet times."""
    rc, out, err, _ = env.run("ffprobe-dvr", [
        "ffprobe", "-v", "error", "-count_frames", "-show_streams", "-show_entries",
        "packet=stream_index,pts_time,duration_time", "-of", "json", path], 30)
    check(rc == 0, "ffprobe %s failed (%s): %s" % (path, rc, err[-300:]))
    data = json.loads(out)
    streams = {s.get("codec_type"): s for s in data.get("streams", [])}
    span = {}
    for p in data.get("packets", []):
        try:
            t = float(p["pts_time"])
            d = float(p.get("duration_time") or 0)
        except (KeyError, ValueError):
            continue
        lo, hi = span.get(p["stream_index"], (t, t))
        span[p["stream_index"]] = (min(lo, t), max(hi, t + d))
    packet_span = max((hi - lo for lo, hi in span.values()), default=0.0)
    frames = int(streams.get("video", {}).get("nb_read_frames") or 0)
    return streams, frames / 25.0, packet_span


def expect_av(env, path):
    streams, decoded, span = media_info(env, path)
    check("video" in streams and "audio" in streams,
          "%s: expected video and audio, got %s" % (path, sorted(streams)))
    check(streams["video"].get("codec_name") == "h264" and streams["audio"].get("codec_name") == "aac",
          "%s: codecs %s/%s" % (path, streams["video"].get("codec_name"), streams["audio"].get("codec_name")))
    return decoded, span


def wait_closed(srv, count, timeout=10.0, offset=0):
    """Wait until the log shows count 'dvr: closed' lines after offset."""
    deadline = time.monotonic() + timeout
    while True:
        with open(srv.log, "rb") as f:
            f.seek(offset)
            n = f.read().decode("utf-8", "replace").count("dvr: closed")
        if n >= count or time.monotonic() >= deadline:
            return n
        time.sleep(0.05)


def publish_both(env, srv, stream, seconds):
    pubs = [env.publish_file(srv.url(stream), env.media(), seconds=seconds, name="pub-mp4"),
            env.publish_file(srv.url(stream, vhost=FLV_VHOST), env.media(), seconds=seconds, name="pub-flv")]
    for p in pubs:
        rc = p.wait(seconds + 15)
        check(rc == 0, "%s exit %s: %s" % (p.name, rc, p.errtail(4)))


# ---------------------------------------------------------------- tests


def test_dvr_session_flv_and_mp4(env):
    """Plan session: a 6 s H.264+AAC publish gives one FLV and one MP4 file with both
    streams, 320x240, lasting 6 s within 10%."""
    srv = env.server(two_vhosts())
    publish_both(env, srv, "session", 6)
    check(wait_closed(srv, 2) >= 2, "the recordings were not closed after unpublish")
    for kind in ("flv", "mp4"):
        files = recordings(srv, kind)
        check(len(files) == 1, "%s: expected 1 file, got %s" % (kind, files))
        decoded, span = expect_av(env, files[0])
        env.note("%s: %s decoded %.2f s, packets span %.2f s, %d bytes" % (
            kind, os.path.basename(files[0]), decoded, span, os.path.getsize(files[0])))
        check(abs(span - 6.0) <= 0.6, "%s lasts %.2f s, published 6 s" % (kind, span))
        check(abs(decoded - 6.0) <= 0.6, "%s decodes %.2f s of video, published 6 s" % (kind, decoded))
        streams, _ = env.probe_streams(files[0])
        env.expect_streams(streams)


def test_dvr_segment_plan_and_on_dvr(env):
    """Plan segment, dvr_duration 2, on a 7 s stream (keyframes every 2 s): at least 3
    files per container, each playable, their durations summing to 7 s within 10%; one
    on_dvr per closed file, naming it, with the SRS fields."""
    hs = HookServer()
    try:
        hooks = hooks_block(hs, {"on_dvr": ["/dvr"]})
        srv = env.server(two_vhosts("segment", 2, extra=hooks))
        publish_both(env, srv, "seg", 7)
        wait_closed(srv, 6)
        files = {k: recordings(srv, k) for k in ("flv", "mp4")}
        total = len(files["flv"]) + len(files["mp4"])
        got = hs.wait(10, action="on_dvr", count=total)
        for kind, paths in files.items():
            check(len(paths) >= 3, "%s: expected >= 3 segments, got %d" % (kind, len(paths)))
            spans = []
            for p in paths:
                _, span = expect_av(env, p)
                spans.append(span)
            env.note("%s segments: %s" % (kind, ", ".join("%.2f" % s for s in spans)))
            check(abs(sum(spans) - 7.0) <= 0.7, "%s segments sum to %.2f s, published 7 s" % (kind, sum(spans)))
        check(len(got) == total, "expected %d on_dvr calls, got %d" % (total, len(got)))
        hooked = set()
        for r in got:
            b = r["body"] or {}
            for k in ("server_id", "service_id", "client_id", "ip", "vhost", "app", "stream", "param", "tcUrl",
                      "stream_url", "stream_id", "cwd", "file"):
                check(k in b, "on_dvr lacks %s: %s" % (k, b))
            check(b["app"] == "live" and b["stream"] == "seg", "on_dvr names %s/%s" % (b["app"], b["stream"]))
            check(os.path.realpath(b["cwd"]) == os.path.realpath(srv.dir), "on_dvr cwd %s" % b["cwd"])
            hooked.add(os.path.realpath(os.path.join(b["cwd"], b["file"])))
        want = set(os.path.realpath(p) for p in files["flv"] + files["mp4"])
        check(hooked == want, "on_dvr files %s, on disk %s" % (sorted(hooked), sorted(want)))
    finally:
        hs.close()


def test_dvr_survives_sigkill(env):
    """A live 8 s publish, the server SIGKILLed about 5 s in: the FLV and the MP4 both
    still play, with at least 90% of what the server had received (MP4 minus one second
    of fragment not yet written)."""
    srv = env.server(two_vhosts())
    off = log_size(srv)
    pubs = [env.publish_live(srv.url("crash"), seconds=8, name="live-mp4"),
            env.publish_live(srv.url("crash", vhost=FLV_VHOST), seconds=8, name="live-flv")]
    started = []
    for vh in ("__defaultVhost__", FLV_VHOST):
        m = wait_log(srv, r"publish %s/live/crash\S* start" % vh.replace(".", r"\."), 10, off)
        check(m, "%s: publish did not start" % vh)
        started.append(time.monotonic())
    t0 = max(started)  # the later one: both had started publishing by then
    time.sleep(max(0.0, t0 + 5.0 - time.monotonic()))
    srv.stop(sig=signal.SIGKILL)
    received = time.monotonic() - t0
    for p in pubs:
        p.stop()
    for kind, slack in (("flv", 0.0), ("mp4", 1.0)):
        files = recordings(srv, kind)
        check(len(files) == 1, "%s: expected 1 file, got %s" % (kind, files))
        decoded, span = expect_av(env, files[0])
        want = 0.9 * (received - slack)
        env.note("%s after SIGKILL: decoded %.2f s, span %.2f s, received ~%.2f s, need >= %.2f s" % (
            kind, decoded, span, received, want))
        check(decoded >= want, "%s decodes %.2f s after SIGKILL, need >= %.2f s (received ~%.2f s)" % (
            kind, decoded, want, received))


def test_dvr_quit_finalises(env):
    """SIGTERM while recording: the server quits cleanly, each file is closed (on_dvr
    path) with everything received, the last MP4 fragment included."""
    srv = env.server(two_vhosts())
    off = log_size(srv)
    pubs = [env.publish_live(srv.url("quit"), seconds=8, name="live-mp4"),
            env.publish_live(srv.url("quit", vhost=FLV_VHOST), seconds=8, name="live-flv")]
    for vh in ("__defaultVhost__", FLV_VHOST):
        check(wait_log(srv, r"publish %s/live/quit\S* start" % vh.replace(".", r"\."), 10, off),
              "%s: publish did not start" % vh)
    t0 = time.monotonic()
    time.sleep(3.0)
    rc, secs = srv.stop(sig=signal.SIGTERM, timeout=10)
    received = time.monotonic() - t0 - secs
    check(rc == 0, "server exit %s after SIGTERM" % rc)
    for p in pubs:
        p.stop()
    check(wait_closed(srv, 2, timeout=0.1, offset=off) >= 2, "the recordings were not closed on quit")
    for kind in ("flv", "mp4"):
        files = recordings(srv, kind)
        check(len(files) == 1, "%s: expected 1 file, got %s" % (kind, files))
        decoded, _ = expect_av(env, files[0])
        env.note("%s after quit: decoded %.2f s, received ~%.2f s" % (kind, decoded, received))
        check(decoded >= 0.9 * received, "%s decodes %.2f s after quit, received ~%.2f s" % (
            kind, decoded, received))


def test_dvr_apply_selects_streams(env):
    """dvr_apply live/one: live/one is recorded, live/two is not."""
    body = dvr_vhost("__defaultVhost__", "./rec/flv/[app]/[stream].flv", apply="live/one")
    srv = env.server(body)
    pubs = [env.publish_file(srv.url(s), env.media(), seconds=2, name="pub-" + s) for s in ("one", "two")]
    for p in pubs:
        check(p.wait(20) == 0, "%s failed: %s" % (p.name, p.errtail(4)))
    wait_closed(srv, 1)
    time.sleep(0.3)
    files = [os.path.basename(f) for f in recordings(srv, "flv")]
    check(files == ["one.flv"], "expected only one.flv, got %s" % files)
    decoded, _ = expect_av(env, recordings(srv, "flv")[0])
    check(decoded >= 1.8, "one.flv decodes %.2f s of a 2 s publish" % decoded)
