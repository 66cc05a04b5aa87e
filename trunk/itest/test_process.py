# SPDX-License-Identifier: MIT
"""transcode, ingest and exec (issue 13): ffmpeg and exec children of the server, seen
through real clients. ffmpeg publishes a test pattern, ffprobe reads what the
transcoders publish back over RTMP (a 320x180 engine and a copy engine), the API lists
the children with their pids; a child killed with SIGKILL is started again; unpublish,
server SIGTERM and server SIGKILL each leave no child behind (the kernel kills them with
their parent); an ingest of a 3 s file is a live stream that outlasts the file; exec runs
a script with the stream's names and stops it at unpublish; reload starts and stops
ingests."""

import os
import signal

from strand_env import api_ok, check, http_body, http_request, wait_until

def with_ff_log(body):
    """A config body with ff_log_dir in the server's own directory (so the logs are there)."""
    def full(srv):
        return "ff_log_dir %s;\n%s" % (srv.dir, body(srv))
    full.aux_ports = body.aux_ports
    return full


def transcode_vhost(extra=""):
    """transcode live: ff (320x180 libx264 + aac, SRS's output template) and cp (copy)."""
    return ("vhost __defaultVhost__ {\n"
            "    transcode live {\n"
            "        enabled on;\n"
            "        ffmpeg ffmpeg;\n"
            "        engine ff {\n"
            "            enabled on;\n"
            "            vcodec libx264; vbitrate 200; vfps 25; vwidth 320; vheight 180; vthreads 1;\n"
            "            vprofile baseline; vpreset ultrafast;\n"
            "            vparams { g 25; }\n"
            "            acodec libfdk_aac; abitrate 48; asample_rate 44100; achannels 2;\n"
            "            output rtmp://127.0.0.1:[port]/[app]?vhost=[vhost]/[stream]_[engine];\n"
            "        }\n"
            "        engine cp {\n"
            "            enabled on; vcodec copy; acodec copy;\n"
            "            output rtmp://127.0.0.1:[port]/[app]/[stream]_[engine];\n"
            "        }\n"
            "    }\n"
            "%s}\n" % extra)


def start(env, vhosts, exporter=False):
    return env.server(with_ff_log(http_body(api=True, exporter=exporter, vhosts=vhosts)))


def publish_pattern(env, srv, stream, seconds=60):
    """The test pattern of the brief: testsrc2 640x360 25 fps H.264 (GOP 50) + AAC sine."""
    return env.spawn("publisher", ["ffmpeg"] + env.FF + [
        "-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-f", "lavfi", "-i", "sine",
        "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-c:a", "aac", "-t", str(seconds),
        "-f", "flv", srv.url(stream)])


def children(srv, kind="transcoders"):
    return api_ok(srv.api_port, "/api/v1/%s" % kind).get(kind, [])


def running(srv, want, kind="transcoders"):
    """The children when `want` of them run with a pid, else None."""
    kids = children(srv, kind)
    ok = len(kids) == want and all(k["state"] == "running" and k["pid"] > 0 for k in kids)
    return kids if ok else None


def live_streams(srv):
    return {s["name"]: s for s in api_ok(srv.api_port, "/api/v1/streams?count=100").get("streams", [])
            if s.get("publish", {}).get("active")}


def pid_alive(pid):
    """True while pid runs (a zombie is dead)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        return st[st.rindex(")") + 2] != "Z"
    except (OSError, ValueError, IndexError):
        return False


def procs_with(text):
    """Live pids whose command line holds text."""
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if text in cmd and pid_alive(int(d)):
            found.append((int(d), cmd))
    return found


def probe_video(env, srv, stream):
    streams, why = env.probe_streams(srv.url(stream), timeout=20)
    check(streams, "ffprobe %s: %s" % (stream, why))
    by = {s.get("codec_type"): s for s in streams}
    check("video" in by and "audio" in by, "%s: streams %s" % (stream, [s.get("codec_type") for s in streams]))
    return by["video"], by["audio"]


def wait_transcoders(env, srv, stream):
    kids = wait_until(lambda: running(srv, 2), 20)
    check(kids, "two transcoders did not start: %s" % children(srv))
    check(wait_until(lambda: {stream + "_ff", stream + "_cp"} <= set(live_streams(srv)), 30),
          "the transcoders' outputs are not live: %s" % sorted(live_streams(srv)))
    return {k["engine"]: k for k in kids}


def test_transcode_scales_and_copies(env):
    srv = start(env, transcode_vhost(), exporter=True)
    stream = "tc%d" % os.getpid()
    publish_pattern(env, srv, stream)
    kids = wait_transcoders(env, srv, stream)
    ff = kids["ff"]
    check(ff["app"] == "live" and ff["stream"] == stream and ff["vhost"] == "__defaultVhost__",
          "ff child names %s" % ff)
    check("-s 320x180" in ff["cmdline"] and "-acodec aac" in ff["cmdline"], "ff cmdline %s" % ff["cmdline"])
    check(ff["log"].endswith("ffmpeg-transcode-__defaultVhost__-live-%s-ff.log" % stream), "log %s" % ff["log"])
    v, a = probe_video(env, srv, stream + "_ff")
    check((v.get("codec_name"), v.get("width"), v.get("height")) == ("h264", 320, 180),
          "ff output video %s %sx%s" % (v.get("codec_name"), v.get("width"), v.get("height")))
    check(a.get("codec_name") == "aac", "ff output audio %s" % a.get("codec_name"))
    v, a = probe_video(env, srv, stream + "_cp")
    check((v.get("codec_name"), v.get("width"), v.get("height")) == ("h264", 640, 360),
          "copy output video %s %sx%s (the input's)" % (v.get("codec_name"), v.get("width"), v.get("height")))
    check(a.get("codec_name") == "aac", "copy output audio %s" % a.get("codec_name"))
    # the loop guard: the outputs, live in the same app, are not transcoded again
    check(len(children(srv)) == 2, "outputs were transcoded again: %s" %
          [(k["stream"], k["engine"]) for k in children(srv)])
    check(os.path.getsize(os.path.join(srv.dir, os.path.basename(ff["log"]))) > 0, "ff log is empty")
    _, _, body = http_request(srv.exporter_port, "/metrics")
    text = body.decode()
    check('strand_transcoders{kind="transcode"} 2' in text, "metrics: %s" %
          [l for l in text.splitlines() if "transcoder" in l])
    check('strand_transcoder_restarts_total{kind="transcode"} 0' in text, "restarts metric missing")


def test_transcode_child_killed_is_restarted(env):
    srv = start(env, transcode_vhost())
    stream = "tk%d" % os.getpid()
    publish_pattern(env, srv, stream)
    old = wait_transcoders(env, srv, stream)["ff"]
    env.note("kill -9 ff child %d" % old["pid"])
    os.kill(old["pid"], signal.SIGKILL)

    def restarted():
        k = [c for c in children(srv) if c["engine"] == "ff"]
        return k[0] if k and k[0]["pid"] > 0 and k[0]["pid"] != old["pid"] and k[0]["state"] == "running" else None
    new = wait_until(restarted, 15)
    check(new, "ff not restarted: %s" % children(srv))
    check(new["restarts"] == 1 and new["id"] == old["id"], "restart bookkeeping: %s" % new)
    check(not pid_alive(old["pid"]), "the killed child %d is still there" % old["pid"])
    check(wait_until(lambda: stream + "_ff" in live_streams(srv), 20), "ff output not live again")
    v, _ = probe_video(env, srv, stream + "_ff")
    check((v.get("width"), v.get("height")) == (320, 180), "restarted output %sx%s" % (v.get("width"), v.get("height")))


def test_transcode_stops_at_unpublish(env):
    srv = start(env, transcode_vhost())
    stream = "tu%d" % os.getpid()
    pub = publish_pattern(env, srv, stream)
    kids = wait_transcoders(env, srv, stream)
    pub.stop()
    check(wait_until(lambda: children(srv) == [], 10), "children still listed: %s" % children(srv))
    for k in kids.values():
        check(wait_until(lambda: not pid_alive(k["pid"]), 5), "child %d still runs" % k["pid"])
    check(not procs_with(stream), "processes of %s left: %s" % (stream, procs_with(stream)))


def test_server_sigterm_leaves_no_child(env):
    srv = start(env, transcode_vhost())
    stream = "tt%d" % os.getpid()
    publish_pattern(env, srv, stream)
    wait_transcoders(env, srv, stream)
    kids = srv.children()
    check(len(kids) >= 2, "server children %s" % kids)
    rc, secs = srv.stop(signal.SIGTERM, timeout=10)
    check(rc == 0, "server exit %s after %.1fs" % (rc, secs))
    left = [p for p in kids if pid_alive(p)] + [p for p, _ in procs_with(stream + "_")]
    check(not left, "left after SIGTERM: %s" % left)


def test_server_sigkill_children_die(env):
    # ffmpeg would also end when its connections to the dead server break; a sleep run
    # by exec has no connection, so only the kernel (PR_SET_PDEATHSIG) ends it
    srv = start(env, transcode_vhost("    exec { enabled on; publish sleep 300; }\n"))
    stream = "tx%d" % os.getpid()
    publish_pattern(env, srv, stream)
    wait_transcoders(env, srv, stream)
    sleeper = wait_until(lambda: [k["pid"] for k in children(srv, "execs") if k["stream"] == stream and k["pid"]], 10)
    check(sleeper, "exec sleep did not start: %s" % children(srv, "execs"))
    kids = srv.children()
    check(set(sleeper) <= kids, "exec pid %s is not the server's child: %s" % (sleeper, kids))
    srv.stop(signal.SIGKILL)
    check(wait_until(lambda: not [p for p in kids if pid_alive(p)] and not procs_with(stream + "_"), 5),
          "children outlived a SIGKILLed server: %s" % ([p for p in kids if pid_alive(p)] + procs_with(stream + "_")))


def make_clip(env):
    clip = env.path("clip.mp4")
    rc, _, err, _ = env.run("make-clip", ["ffmpeg"] + env.FF + [
        "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine",
        "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", "-t", "3", clip], 60)
    check(rc == 0, "making the clip failed: %s" % err)
    return clip


def ingest_vhost(clip, name):
    return ("vhost __defaultVhost__ {\n"
            "    ingest %s {\n"
            "        enabled on;\n"
            "        input { type file; url %s; }\n"
            "        ffmpeg ./objs/ffmpeg/bin/ffmpeg;\n"  # SRS's bundled path: falls back to PATH
            "        engine { enabled off; output rtmp://127.0.0.1:[port]/live?vhost=[vhost]/%s; }\n"
            "    }\n"
            "}\n" % (name, clip, name))


def test_ingest_file_is_a_looping_live_stream(env):
    clip = make_clip(env)
    name = "ing%d" % os.getpid()
    srv = start(env, ingest_vhost(clip, name))
    kids = wait_until(lambda: running(srv, 1, "ingesters"), 10)
    check(kids, "ingest did not start: %s" % children(srv, "ingesters"))
    check("-stream_loop -1 -re" in kids[0]["cmdline"], "cmdline %s" % kids[0]["cmdline"])
    check(wait_until(lambda: name in live_streams(srv), 15), "ingested stream not live: %s" % live_streams(srv))
    v, a = probe_video(env, srv, name)
    check((v.get("codec_name"), v.get("width"), a.get("codec_name")) == ("h264", 320, "aac"),
          "ingested %s %s %s" % (v.get("codec_name"), v.get("width"), a.get("codec_name")))
    # a 3 s file: still the same child and still publishing well after 3 s of media
    check(wait_until(lambda: live_streams(srv).get(name, {}).get("frames", 0) > 5 * 25, 20),
          "the ingest did not loop: %s" % live_streams(srv).get(name))
    now = children(srv, "ingesters")
    check(len(now) == 1 and now[0]["pid"] == kids[0]["pid"] and now[0]["restarts"] == 0,
          "the ingest restarted instead of looping: %s" % now)


def test_reload_adds_and_removes_ingest(env):
    clip = make_clip(env)
    name = "rl%d" % os.getpid()
    body = lambda vh: with_ff_log(http_body(api=True, vhosts=vh))  # noqa: E731
    srv = env.server(body("vhost __defaultVhost__ {\n}\n"))
    check(children(srv, "ingesters") == [], "ingesters before reload")
    srv.reload(body(ingest_vhost(clip, name)))
    kids = wait_until(lambda: running(srv, 1, "ingesters"), 10)
    check(kids, "reload did not start the ingest: %s" % children(srv, "ingesters"))
    check(wait_until(lambda: name in live_streams(srv), 15), "ingested stream not live after reload")
    srv.reload(body("vhost __defaultVhost__ {\n}\n"))
    check(wait_until(lambda: children(srv, "ingesters") == [], 10), "reload did not stop the ingest")
    check(wait_until(lambda: not pid_alive(kids[0]["pid"]), 5), "ingest child %d still runs" % kids[0]["pid"])


def test_exec_publish_runs_with_the_stream_names(env):
    script = env.path("on_publish.sh")
    out = env.path("exec-args.txt")
    with open(script, "w") as f:
        f.write("#!/bin/sh\necho \"$@\" > %s.tmp && mv %s.tmp %s\nexec sleep 300\n" % (out, out, out))
    os.chmod(script, 0o755)
    vhost = ("vhost __defaultVhost__ {\n"
             "    exec { enabled on; publish %s [vhost] [app] [stream] [param]; }\n"
             "}\n" % script)
    srv = start(env, vhost)
    stream = "ex%d" % os.getpid()
    pub = env.spawn("publisher", ["ffmpeg"] + env.FF + [
        "-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-c:v", "libx264", "-preset", "ultrafast",
        "-t", "60", "-f", "flv", srv.url(stream + "?token=abc")])
    check(wait_until(lambda: os.path.exists(out), 15), "the exec script did not run: %s" % children(srv, "execs"))
    with open(out) as f:
        args = f.read().strip()
    check(args == "__defaultVhost__ live %s ?token=abc" % stream, "exec args %r" % args)
    kids = running(srv, 1, "execs")
    check(kids and kids[0]["stream"] == stream, "execs %s" % children(srv, "execs"))
    pub.stop()
    check(wait_until(lambda: children(srv, "execs") == [], 10), "exec still listed after unpublish")
    check(wait_until(lambda: not pid_alive(kids[0]["pid"]), 5), "exec child %d still runs" % kids[0]["pid"])
    log = os.path.join(srv.dir, "ffmpeg-exec-__defaultVhost__-live-%s-0.log" % stream)
    check(os.path.exists(log), "no exec log %s" % log)
