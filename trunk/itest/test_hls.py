# SPDX-License-Identifier: MIT
"""HLS (vhost hls { }) against real clients: ffmpeg publishes H.264 + AAC (or AAC only)
over RTMP, ffprobe checks every segment on disk (codecs, durations against EXTINF,
continuous timestamps), ffmpeg reads the live playlist through the built-in HTTP
server, and a threaded http.server receives the on_hls hooks. The playlist's window,
cleanup, dispose and the discontinuity of a republish are checked on disk."""

import datetime
import json
import math
import os
import re
import time

from strand_env import STRAND_BIN, check, http_body, http_request, wait_until
from test_hooks import HookServer, hooks_block


def hls_server(env, www, hls="", hooks=""):
    """A server whose hls_path is also the http_server dir; hls_fragment 2, hls_window 10."""
    vh = ("vhost __defaultVhost__ {\n    play { gop_cache on; }\n"
          "    hls {\n        enabled on;\n        hls_fragment 2;\n        hls_window 10;\n"
          "        hls_path %s;\n%s    }\n%s}\n" % (www, "".join("        %s\n" % l for l in hls.splitlines()),
                                                   hooks))
    return env.server(http_body(http_dir=www, vhosts=vh))


def www_dir(env):
    d = env.path("www")
    os.makedirs(d, exist_ok=True)
    return d


def iso_seconds(text):
    """Seconds since the epoch of an EXT-X-PROGRAM-DATE-TIME value."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def read_playlist(path):
    """(media_sequence, target_duration, entries [{uri, extinf, disc, pdt}], text) of an m3u8;
    pdt is EXT-X-PROGRAM-DATE-TIME in seconds since the epoch, None when absent."""
    with open(path) as f:
        text = f.read()
    check(text.startswith("#EXTM3U\n"), "playlist does not start with #EXTM3U: %r" % text[:40])
    m = re.search(r"#EXT-X-MEDIA-SEQUENCE:(\d+)", text)
    t = re.search(r"#EXT-X-TARGETDURATION:(\d+)", text)
    check(m and t, "playlist without MEDIA-SEQUENCE/TARGETDURATION: %r" % text)
    entries, disc, extinf, pdt = [], False, None, None
    for line in text.splitlines():
        if line == "#EXT-X-DISCONTINUITY":
            disc = True
        elif line.startswith("#EXT-X-PROGRAM-DATE-TIME:"):
            pdt = iso_seconds(line[25:])
        elif line.startswith("#EXTINF:"):
            extinf = float(line[8:].split(",")[0])
        elif line and not line.startswith("#"):
            entries.append({"uri": line, "extinf": extinf, "disc": disc, "pdt": pdt})
            disc, extinf, pdt = False, None, None
    return int(m.group(1)), int(t.group(1)), entries, text


def probe(env, path):
    """ffprobe a segment: {codecs: [..], start: s, duration: s}."""
    rc, out, err, _ = env.run("ffprobe", ["ffprobe", "-v", "error", "-show_entries",
                                          "format=start_time,duration:stream=codec_name",
                                          "-of", "json", path], 20)
    check(rc == 0, "ffprobe %s failed (%s): %s" % (path, rc, err[-300:]))
    j = json.loads(out)
    fmt = j.get("format", {})
    return {"codecs": sorted(s.get("codec_name") for s in j.get("streams", [])),
            "start": float(fmt.get("start_time", "nan")), "duration": float(fmt.get("duration", "nan"))}


def check_segments(env, live_dir, entries, codecs, what, is_mp4=False):
    """Each listed segment exists, has codecs, EXTINF within 10% of its real duration and
    starts where the previous one ended (no discontinuity between them). Returns probes.
    ffprobe gives an MP4's duration from time 0, not from its start: is_mp4 corrects it."""
    probes = []
    for i, e in enumerate(entries):
        path = os.path.join(live_dir, e["uri"])
        check(os.path.exists(path), "%s: listed segment %s missing" % (what, e["uri"]))
        p = probe(env, path)
        if is_mp4:
            p["duration"] -= p["start"]
        check(p["codecs"] == codecs, "%s: %s has %s, expected %s" % (what, e["uri"], p["codecs"], codecs))
        err = abs(p["duration"] - e["extinf"]) / p["duration"]
        env.note("measured %s %s: EXTINF %.3f s, ffprobe %.3f s (%.1f%%), start %.3f" % (
            what, e["uri"], e["extinf"], p["duration"], 100 * err, p["start"]))
        check(err <= 0.10, "%s: %s EXTINF %.3f vs ffprobe duration %.3f (over 10%%)" % (
            what, e["uri"], e["extinf"], p["duration"]))
        if i > 0 and not e["disc"]:
            prev = probes[-1]
            gap = p["start"] - (prev["start"] + entries[i - 1]["extinf"])
            check(abs(gap) <= 0.1, "%s: %s starts %.3f s, previous ended %.3f s (gap %.3f)" % (
                what, e["uri"], p["start"], prev["start"] + entries[i - 1]["extinf"], gap))
        probes.append(p)
    return probes


def wait_file(path, timeout):
    deadline = time.monotonic() + timeout
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.1)
    return os.path.exists(path)


def seq_of(uri):
    return int(re.search(r"-(\d+)\.ts$", uri).group(1))


def check_program_dates(entries, mtimes, what):
    """Every segment is dated with the wall clock its first frame arrived at: it was written
    one segment later (its file's mtime, which the server set when it closed it at the next
    keyframe), and consecutive dates advance by the EXTINF durations."""
    for i, e in enumerate(entries):
        check(e["pdt"] is not None, "%s: %s has no EXT-X-PROGRAM-DATE-TIME" % (what, e["uri"]))
        if e["uri"] in mtimes:
            lag = mtimes[e["uri"]] - (e["pdt"] + e["extinf"])
            check(-0.3 <= lag <= 1.5, "%s: %s dated %.3f, %.2f s long, written %.3f s after its end"
                  % (what, e["uri"], e["pdt"], e["extinf"], lag))
        if i > 0 and not e["disc"]:
            step = e["pdt"] - entries[i - 1]["pdt"]
            check(abs(step - entries[i - 1]["extinf"]) < 0.3, "%s: %s is %.3f s after the one before, which lasts %.3f s"
                  % (what, e["uri"], step, entries[i - 1]["extinf"]))


def test_hls_segments_window_and_live_read(env):
    www = www_dir(env)
    srv = hls_server(env, www)
    pub = env.publish_live(srv.url("x"), gop=25, seconds=18)
    m3u8 = os.path.join(www, "live", "x.m3u8")
    check(wait_file(m3u8, 10), "no playlist after 10 s of publishing")
    # the built-in HTTP server serves the live playlist and segments
    status, headers, body = http_request(srv.http_port, "/live/x.m3u8")[:3]
    check(status == 200, "GET /live/x.m3u8: %s" % status)
    ctype = headers.get("Content-Type") or ""
    check("mpegurl" in ctype.lower(), "playlist Content-Type %r" % ctype)
    time.sleep(3)
    out = env.path("live.ts")
    rc, _, err, secs = env.run("ffmpeg-hls", ["ffmpeg"] + env.FF + [
        "-y", "-i", "http://127.0.0.1:%d/live/x.m3u8" % srv.http_port, "-t", "4", "-c", "copy",
        "-f", "mpegts", out], 30)
    check(rc == 0, "ffmpeg reading the live playlist failed (%s): %s" % (rc, err[-400:]))
    got = probe(env, out)
    env.note("measured ffmpeg read %.2f s of the live playlist in %.2f s" % (got["duration"], secs))
    check(got["codecs"] == ["aac", "h264"] and got["duration"] >= 3.5,
          "live read got %s, %.2f s" % (got["codecs"], got["duration"]))
    check(pub.wait(30) is not None, "publisher did not finish")
    time.sleep(0.5)
    seq, td, entries, text = read_playlist(m3u8)
    env.note("playlist after unpublish:\n" + text)
    total = sum(e["extinf"] for e in entries)
    check(total <= 10 + 2.5, "window: %.2f s listed, hls_window 10" % total)
    check(seq > 0 and seq == seq_of(entries[0]["uri"]), "MEDIA-SEQUENCE %d vs first %s" % (seq, entries[0]["uri"]))
    check(td >= math.ceil(max(e["extinf"] for e in entries) - 0.0005), "TARGETDURATION %d too small" % td)
    for i, e in enumerate(entries):
        check(seq_of(e["uri"]) == seq + i, "entry %d is %s, expected sequence %d" % (i, e["uri"], seq + i))
    on_disk = sorted(f for f in os.listdir(os.path.join(www, "live")) if f.endswith(".ts"))
    check(on_disk == sorted(e["uri"] for e in entries),
          "cleanup: on disk %s, listed %s" % (on_disk, [e["uri"] for e in entries]))
    check(not os.path.exists(os.path.join(www, "live", "x-0.ts")), "x-0.ts left the window but was not deleted")
    check(not [f for f in os.listdir(os.path.join(www, "live")) if f.endswith(".tmp")], "temporary files left")
    mtimes = {e["uri"]: os.stat(os.path.join(www, "live", e["uri"])).st_mtime for e in entries[:-1]}
    check_program_dates(entries, mtimes, "av")
    check_segments(env, os.path.join(www, "live"), entries, ["aac", "h264"], "av")


def test_hls_republish_continues_with_discontinuity(env):
    www = www_dir(env)
    srv = hls_server(env, www)
    m3u8 = os.path.join(www, "live", "r.m3u8")
    check(env.publish_live(srv.url("r"), gop=25, seconds=5, name="pub1").wait(30) is not None, "pub1 hung")
    time.sleep(0.5)
    _, _, first, _ = read_playlist(m3u8)
    check(len(first) >= 2, "first publish listed %d segments" % len(first))
    check(env.publish_live(srv.url("r"), gop=25, seconds=5, name="pub2").wait(30) is not None, "pub2 hung")
    time.sleep(0.5)
    seq, _, entries, text = read_playlist(m3u8)
    env.note("playlist after republish:\n" + text)
    discs = [i for i, e in enumerate(entries) if e["disc"]]
    check(len(discs) == 1, "expected one EXT-X-DISCONTINUITY, got %d" % len(discs))
    i = discs[0]
    check(i > 0 and entries[i - 1]["uri"] == first[-1]["uri"],
          "discontinuity at %d, not right after the first publish's last segment %s" % (i, first[-1]["uri"]))
    check(seq_of(entries[i]["uri"]) == seq_of(first[-1]["uri"]) + 1,
          "sequence did not continue: %s after %s" % (entries[i]["uri"], first[-1]["uri"]))
    for j, e in enumerate(entries):
        check(seq_of(e["uri"]) == seq + j, "entry %d is %s, expected %d" % (j, e["uri"], seq + j))
    # the first publish's dates survive; the second's start after its end
    dated = {e["uri"]: e["pdt"] for e in first}
    for e in entries[:i]:
        check(e["pdt"] == dated.get(e["uri"], e["pdt"]), "%s was dated %s, now %s" % (e["uri"], dated.get(e["uri"]), e["pdt"]))
    check_program_dates(entries, {}, "republish")
    check(entries[i]["pdt"] >= entries[i - 1]["pdt"] + entries[i - 1]["extinf"],
          "the republish's first segment is dated before the first publish ended")
    check_segments(env, os.path.join(www, "live"), entries, ["aac", "h264"], "republish")


def test_hls_audio_only(env):
    www = www_dir(env)
    srv = hls_server(env, www)
    pub = env.spawn("publisher-audio", ["ffmpeg"] + env.FF + [
        "-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-vn", "-c:a", "aac",
        "-b:a", "64k", "-t", "12", "-f", "flv", srv.url("a")])
    check(pub.wait(40) is not None, "publisher did not finish")
    time.sleep(0.5)
    seq, td, entries, text = read_playlist(os.path.join(www, "live", "a.m3u8"))
    env.note("audio-only playlist:\n" + text)
    check(len(entries) >= 2, "only %d segments" % len(entries))
    # audio-only segments are cut at hls_fragment * hls_aof_ratio (2 * 2.1)
    check(all(e["extinf"] >= 4.0 for e in entries[:-1]), "audio-only EXTINF %s, expected ~4.2" % (
        [e["extinf"] for e in entries]))
    check_segments(env, os.path.join(www, "live"), entries, ["aac"], "audio")
    path = os.path.join(www, "live", entries[0]["uri"])
    rc, _, err, _ = env.run("ffmpeg-decode", ["ffmpeg"] + env.FF + ["-i", path, "-f", "null", "-"], 20)
    check(rc == 0 and "rror" not in err, "decoding %s: %s %s" % (path, rc, err[-300:]))


def test_hls_on_hls_hook(env):
    hs = HookServer()
    try:
        www = www_dir(env)
        srv = hls_server(env, www, hooks=hooks_block(hs, {"on_hls": ["/hls"]}))
        pub = env.publish_live(srv.url("h"), gop=25, seconds=7)
        check(pub.wait(30) is not None, "publisher did not finish")
        got = hs.wait(5, action="on_hls", count=3)
        check(len(got) >= 3, "%d on_hls hooks for a 7 s stream" % len(got))
        bodies = [r["body"] for r in got]
        for b in bodies:
            for k in ("server_id", "service_id", "client_id", "ip", "vhost", "app", "stream", "param",
                      "duration", "cwd", "file", "url", "m3u8", "m3u8_url", "seq_no", "tcUrl",
                      "stream_url", "stream_id"):
                check(k in b, "on_hls without %s: %s" % (k, b))
            check(b["app"] == "live" and b["stream"] == "h", "on_hls for %s/%s" % (b["app"], b["stream"]))
            check(b["m3u8_url"] == "live/h.m3u8" and b["url"] == "live/h-%d.ts" % b["seq_no"],
                  "on_hls urls %s %s" % (b["m3u8_url"], b["url"]))
            check(b["file"].endswith(b["url"]) and os.path.exists(b["file"]),
                  "on_hls file %s missing" % b["file"])
        check([b["seq_no"] for b in bodies] == list(range(len(bodies))), "seq_no %s" % [b["seq_no"] for b in bodies])
        check(1.8 <= bodies[0]["duration"] <= 2.3, "first segment duration %s" % bodies[0]["duration"])
        env.note("measured on_hls durations %s" % [round(b["duration"], 3) for b in bodies])
    finally:
        hs.close()


def test_hls_dispose_after_unpublish(env):
    www = www_dir(env)
    srv = hls_server(env, www, hls="hls_dispose 3;")
    m3u8 = os.path.join(www, "live", "d.m3u8")
    check(env.publish_live(srv.url("d"), gop=25, seconds=4, name="pub1").wait(30) is not None, "pub1 hung")
    time.sleep(1)
    # a republish within hls_dispose keeps the files: the first dispose must skip them
    pub2 = env.publish_live(srv.url("d"), gop=25, seconds=6, name="pub2")
    check(pub2.wait(30) is not None, "pub2 hung")
    stopped = time.monotonic()
    time.sleep(0.3)
    check(os.path.exists(m3u8), "playlist deleted although the stream was republished within hls_dispose")
    _, _, entries, _ = read_playlist(m3u8)
    files = [os.path.join(www, "live", e["uri"]) for e in entries]
    check(all(os.path.exists(f) for f in files), "segments missing before dispose")
    deadline = stopped + 3 + 3
    while os.path.exists(m3u8) and time.monotonic() < deadline:
        time.sleep(0.1)
    env.note("measured dispose %.2f s after unpublish" % (time.monotonic() - stopped))
    check(not os.path.exists(m3u8), "playlist still there 6 s after unpublish (hls_dispose 3)")
    check(not [f for f in files if os.path.exists(f)], "segments left after dispose")


def test_hls_fmp4_segments_and_live_read(env):
    """hls_use_fmp4 on: the playlist maps an init segment (EXT-X-MAP, version 6) and lists
    .m4s segments; each init+segment is a whole H.264+AAC MP4 whose duration is its EXTINF
    and whose start follows the previous one's end; ffmpeg reads the live playlist as users
    do (-t 4 -c copy into MP4); a republish maps a new init segment after a discontinuity."""
    www = www_dir(env)
    srv = hls_server(env, www, hls="hls_use_fmp4 on;")
    pub = env.publish_live(srv.url("f"), gop=25, seconds=14)
    m3u8 = os.path.join(www, "live", "f.m3u8")
    check(wait_until(lambda: os.path.exists(m3u8) and len(read_playlist(m3u8)[2]) >= 2, 20),
          "no fMP4 playlist with 2 segments after 20 s")
    out = env.path("live.mp4")
    rc, _, err, _ = env.run("ffmpeg-hls", ["ffmpeg"] + env.FF + [
        "-y", "-i", "http://127.0.0.1:%d/live/f.m3u8" % srv.http_port, "-t", "4", "-c", "copy", out], 30)
    check(rc == 0, "ffmpeg reading the fMP4 playlist failed (%s): %s" % (rc, err[-400:]))
    got = probe(env, out)
    env.note("measured ffmpeg -t 4 of the live fMP4 playlist: %s, %.2f s" % (got["codecs"], got["duration"]))
    check(got["codecs"] == ["aac", "h264"] and got["duration"] >= 3.5, "live read got %s" % got)
    check(pub.wait(30) is not None, "publisher did not finish")
    _, _, first, text = read_playlist(m3u8)
    env.note("fMP4 playlist:\n" + text)
    check("#EXT-X-VERSION:6\n" in text, "an EXT-X-MAP playlist needs version 6")
    maps = re.findall(r'#EXT-X-MAP:URI="([^"]+)"', text)
    check(maps == ["f/init.mp4"], "EXT-X-MAP %s, expected f/init.mp4 once (hls_init_file default)" % maps)
    check(text.index("#EXT-X-MAP") < text.index("#EXTINF"), "EXT-X-MAP after the first segment")
    check(all(re.match(r"f-\d+\.m4s$", e["uri"]) for e in first), "segments %s" % [e["uri"] for e in first])
    check_program_dates(first, {}, "fmp4")
    # each segment with its init segment is a whole MP4
    joined = env.path("joined")
    os.makedirs(joined, exist_ok=True)
    with open(os.path.join(www, "live", "f", "init.mp4"), "rb") as f:
        init = f.read()
    check(init[4:8] == b"ftyp" and b"moov" in init, "init.mp4 is not ftyp+moov")
    for e in first:
        with open(os.path.join(www, "live", e["uri"]), "rb") as f:
            seg = f.read()
        check(seg[4:8] == b"moof", "%s does not start with moof" % e["uri"])
        with open(os.path.join(joined, e["uri"]), "wb") as f:
            f.write(init + seg)
    check_segments(env, joined, first, ["aac", "h264"], "fmp4", is_mp4=True)
    # a republish: a discontinuity, then the new init segment mapped again
    check(env.publish_live(srv.url("f"), gop=25, seconds=5, name="pub2").wait(30) is not None, "pub2 hung")
    time.sleep(0.5)
    _, _, entries, text = read_playlist(m3u8)
    check(text.count("#EXT-X-DISCONTINUITY\n") == 1, "republish: %d discontinuities" % text.count("#EXT-X-DISCONTINUITY\n"))
    after = text[text.index("#EXT-X-DISCONTINUITY\n"):]
    check(after.split("\n")[1] == '#EXT-X-MAP:URI="f/init.mp4"', "no EXT-X-MAP right after the discontinuity:\n" + text)
    env.note("playlist after the republish:\n" + text)
def test_hls_bench_viewers(env):
    """strand_bench hls-play (make bench's HLS viewers) against the live playlist: every
    viewer starts three segments back, fetches each new segment once over keep-alive and
    reports no error."""
    bench = os.path.join(os.path.dirname(STRAND_BIN), "strand_bench")
    check(os.path.exists(bench), "%s is not built (make objs/strand_bench)" % bench)
    www = www_dir(env)
    srv = hls_server(env, www)
    env.publish_live(srv.url("v"), gop=50, seconds=20)
    m3u8 = os.path.join(www, "live", "v.m3u8")
    deadline = time.time() + 15
    while time.time() < deadline and not (os.path.exists(m3u8) and len(read_playlist(m3u8)[2]) >= 3):
        time.sleep(0.1)
    check(os.path.exists(m3u8) and len(read_playlist(m3u8)[2]) >= 3, "no 3 segments after 15 s of publishing")
    rc, out, err, _ = env.run("strand_bench-hls", [bench, "hls-play", "-u", "http://127.0.0.1:%d/live/v.m3u8"
                                                   % srv.http_port, "-n", "3", "-d", "5", "--json"], 20)
    lines = [l for l in out.splitlines() if l.startswith("{")]
    check(rc == 0 and lines, "strand_bench hls-play failed (%s): %s" % (rc, (out + err)[-400:]))
    r = json.loads(lines[-1])
    env.note("measured hls-play: %s" % lines[-1])
    check(r["ok"] == 3 and r["errors"] == 0, "viewers ok %d, errors %d: %s" % (r["ok"], r["errors"], err[-400:]))
    check(r["segments"] >= 9 and r["playlists"] >= 3 * 2, "%d segments, %d playlists for 3 viewers in 5 s"
          % (r["segments"], r["playlists"]))
    check(0 < r["fetch_p50_ms"] <= r["fetch_p99_ms"], "fetch times %s/%s" % (r["fetch_p50_ms"], r["fetch_p99_ms"]))


def vlc_record(env, url, out, seconds):
    """cvlc plays url for `seconds` and writes what it demuxed into the TS file out (VLC
    refuses to run as root: as nobody, with its own HOME)."""
    home = env.path("vlc-home")
    os.makedirs(home, exist_ok=True)
    for d in (home, os.path.dirname(out)):
        os.chmod(d, 0o777)
    d = env.dir
    for _ in range(2):  # the test's directory and the run's: nobody must get through them
        os.chmod(d, os.stat(d).st_mode | 0o711)
        d = os.path.dirname(d)
    who = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
    return env.run("cvlc", who + ["env", "HOME=" + home, "cvlc", "-q", "--play-and-exit", "--run-time", str(seconds),
                                  "--sout", "#std{access=file,mux=ts,dst=%s}" % out, url], seconds + 25)


def test_hls_vlc_classic_and_fmp4(env):
    """VLC (cvlc, its adaptive demuxer) plays the classic MPEG-TS playlist and the fMP4 one
    of a live stream: what it demuxed in 6 s holds H.264 and AAC and at least 2 s of video."""
    for name, extra in (("ts", ""), ("fmp4", "hls_use_fmp4 on;")):
        www = www_dir(env)
        srv = hls_server(env, www, hls=extra)
        pub = env.publish_live(srv.url("v" + name), gop=25, seconds=30)
        m3u8 = os.path.join(www, "live", "v%s.m3u8" % name)
        check(wait_until(lambda: os.path.exists(m3u8) and len(read_playlist(m3u8)[2]) >= 2, 20),
              "%s: no playlist with 2 segments" % name)
        outdir = env.path("vlc-" + name)
        os.makedirs(outdir, exist_ok=True)
        out = os.path.join(outdir, "out.ts")
        rc, _, err, _ = vlc_record(env, "http://127.0.0.1:%d/live/v%s.m3u8" % (srv.http_port, name), out, 6)
        check(rc == 0 and os.path.exists(out), "%s: cvlc exit %s: %s" % (name, rc, err[-300:]))
        streams, why = env.probe_streams(out)
        check(streams is not None, "%s: %s" % (name, why))
        codecs = sorted(s.get("codec_name") for s in streams)
        rc, cnt, _, _ = env.run("count", ["ffprobe", "-v", "error", "-select_streams", "v", "-count_frames",
                                          "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", out], 30)
        frames = int((cnt.strip().splitlines() or ["0"])[0] or 0)
        env.note("measured VLC on the %s playlist: %s, %d video frames" % (name, codecs, frames))
        check(codecs == ["aac", "h264"] and frames >= 50, "%s: VLC got %s, %d frames" % (name, codecs, frames))
        pub.stop()
        srv.stop()
