# SPDX-License-Identifier: MIT
"""Operating the server: reload (vhosts, listen, bad config, log level), log reopen,
daemon mode, slow players, IPv6 listen and idle publishers."""

import json
import os
import re
import signal
import socket
import threading
import time

from strand_env import (DEFAULT_VHOSTS, STRAND_BIN, api_ok, check, free_port, free_ports, http_body, http_request,
                        log_since, pid_runs_exe, port_accepts, tail, wait_log, wait_until)
from test_rtmp import count_packets, expect_alive

# ---------------------------------------------------------------- log helpers


def log_size(srv):
    try:
        return os.path.getsize(srv.log)
    except OSError:
        return 0


def wait_exit(procs, timeout):
    """Wait for all procs to exit; {name: seconds after the call} for those that did."""
    t0 = time.monotonic()
    done = {}
    while len(done) < len(procs) and time.monotonic() - t0 < timeout:
        for p in procs:
            if p.name not in done and p.poll() is not None:
                done[p.name] = time.monotonic() - t0
        time.sleep(0.05)
    return done


def publish_briefly(env, srv, stream, seconds=1, name="publisher-brief", **kw):
    """Publish `seconds` of the test file and wait for ffmpeg to finish cleanly."""
    pub = env.publish_file(srv.url(stream, **kw), env.media(), seconds=seconds, name=name)
    rc = pub.wait(seconds + 10)
    check(rc == 0, "%s to %s exit %s: %s" % (name, stream, rc, pub.errtail(4)))


def expect_plays(env, url, what, width=320, height=240):
    streams, why = env.probe_streams(url, timeout=10)
    check(streams is not None, "%s: %s" % (what, why))
    env.expect_streams(streams, width, height)


def video_count(env, path):
    return count_packets(env, path).get("video", (None, 0))[1]


# ---------------------------------------------------------------- reload


GONE = "vhost gone.example {\n    play { gop_cache on; }\n}\n"


def test_reload_removes_vhost(env):
    """A vhost removed from the config on SIGHUP: its publisher and player are disconnected
    within a few seconds; a publisher and a recording player on __defaultVhost__ go on (the
    6 s recording completes with ~150 video packets); a new client asking for the removed vhost
    falls back to __defaultVhost__ (SRS semantics) and shares its streams."""
    srv = env.server(DEFAULT_VHOSTS + GONE)
    media = env.media()
    g_url, d_url = srv.url("g", vhost="gone.example"), srv.url("d")
    pub_g = env.publish_file(g_url, media, name="publisher-gone")
    pub_d = env.publish_file(d_url, media, name="publisher-default")
    time.sleep(1.5)
    play_g = env.spawn("player-gone", ["ffmpeg"] + env.FF + [
        "-y", "-i", g_url, "-c", "copy", "-f", "flv", env.path("gone.flv")])
    rec_out = env.path("default.flv")
    rec_d = env.record(d_url, rec_out, 6, name="recorder-default")
    time.sleep(1.5)
    for p in (pub_g, pub_d, play_g, rec_d):
        expect_alive(p, p.name + " before the reload")
    check(wait_log(srv, r"play gone\.example/live/g\S* start", 1), "player on gone.example did not start")
    mark = log_size(srv)
    srv.reload(DEFAULT_VHOSTS)
    gone = wait_exit([pub_g, play_g], 5.0)
    check(len(gone) == 2, "clients of the removed vhost still connected 5 s after SIGHUP: %s"
          % [p.name for p in (pub_g, play_g) if p.name not in gone])
    env.note("measured removed-vhost clients gone after %s" % ", ".join(
        "%s %.2f s" % kv for kv in sorted(gone.items())))
    gsize = os.path.getsize(env.path("gone.flv"))
    check(gsize > 20000, "player on gone.example recorded only %d bytes before the reload" % gsize)
    closes = re.findall(r"reload: close client \S+ of vhost gone\.example", log_since(srv, mark))
    check(len(closes) == 2, "log names %d closes of gone.example clients, expected 2" % len(closes))
    check(srv.alive(), "server died on SIGHUP")
    expect_alive(pub_d, "publisher on __defaultVhost__ after the reload")
    rc = rec_d.wait(15)
    check(rc == 0, "default-vhost recorder exit %s after the reload: %s" % (rc, rec_d.errtail(5)))
    n = video_count(env, rec_out)
    env.note("measured default-vhost recording across the reload: %d video packets in 6 s" % n)
    check(140 <= n <= 160, "default-vhost recording has %d video packets, expected ~150 for 6 s" % n)

    # gone.example is unknown now: with __defaultVhost__ present the client falls back to it
    mark = log_size(srv)
    pub_f = env.publish_file(srv.url("fallback", vhost="gone.example"), media, name="publisher-fallback")
    time.sleep(1.5)
    expect_alive(pub_f, "publisher to the removed vhost (expected to fall back to __defaultVhost__)")
    check(wait_log(srv, r"connect tcUrl=\S*gone\.example\S* app=live vhost=__defaultVhost__", 1, mark),
          "the log does not show the gone.example connect resolved to __defaultVhost__")
    expect_plays(env, srv.url("fallback"), "player of the fallback stream on __defaultVhost__")
    expect_alive(pub_d, "publisher on __defaultVhost__ (at the end)")


def test_reload_rebinds_listen(env):
    """`listen P1;` -> `listen P2;` + SIGHUP: P1 stops accepting, P2 accepts; the publisher
    connected on P1 keeps streaming (its stream plays from P2) and a publish+play on P2 works."""
    srv = env.server()
    p1 = srv.port
    pub1 = env.publish_file(srv.url("on_p1", port=p1), env.media(), name="publisher-p1")
    time.sleep(1.5)
    expect_alive(pub1, "publisher on P1")
    p2 = next(p for p in free_ports(2) if p != p1)
    srv.ports, srv.port = [p2], p2
    srv.reload(srv.body)
    t0 = time.monotonic()
    while time.monotonic() - t0 < 3 and not (port_accepts(p2) and not port_accepts(p1)):
        time.sleep(0.05)
    check(port_accepts(p2), "new listen port %d does not accept 3 s after SIGHUP" % p2)
    check(not port_accepts(p1), "old listen port %d still accepts 3 s after SIGHUP" % p1)
    env.note("measured listen moved %d -> %d within %.2f s" % (p1, p2, time.monotonic() - t0))
    expect_alive(pub1, "publisher connected on P1 (after the reload)")
    out = env.path("p1-stream-via-p2.flv")
    rec = env.record(srv.url("on_p1", port=p2), out, 2, name="recorder-p2")
    rc = rec.wait(15)
    check(rc == 0, "recording P1's stream from P2 exit %s: %s" % (rc, rec.errtail(5)))
    n = video_count(env, out)
    env.note("measured P1 publisher's stream recorded from P2: %d video packets in 2 s" % n)
    check(n >= 40, "only %d video packets of P1's publisher after the reload" % n)
    pub2 = env.publish_file(srv.url("on_p2"), env.media(), name="publisher-p2")
    time.sleep(1.5)
    expect_alive(pub2, "publisher on P2")
    expect_plays(env, srv.url("on_p2"), "player on P2")
    expect_alive(pub1, "publisher on P1 (at the end)")


def test_reload_invalid_config_keeps_running(env):
    """SIGHUP with a config that has a stray '}': the server keeps running with the old config
    (the new one would have dropped __defaultVhost__, yet a publish+play there works) and the
    log names file:line of the error."""
    srv = env.server()
    pub = env.publish_file(srv.url("before"), env.media(), name="publisher-before")
    time.sleep(1.0)
    broken = "vhost other.example {\n    play { gop_cache on; }\n}\n}\n"
    good_body = srv.body
    mark = log_size(srv)
    srv.reload(broken)
    lines = srv.config_text().splitlines()
    bad_line = len(lines)  # the stray '}' is the last line
    check(lines[-1] == "}" and lines[-2] == "}", "test bug: unexpected config layout")
    want = "%s:%d" % (srv.conf, bad_line)
    m = wait_log(srv, re.escape(os.path.basename(srv.conf)) + r":\d+[^\n]*", 3, mark)
    check(m, "no error naming %s in the log 3 s after SIGHUP: %s" % (
        os.path.basename(srv.conf), log_since(srv, mark)[-400:]))
    env.note("measured refused reload logged: %s" % m.group(0))
    check(want in log_since(srv, mark), "the reload error does not name %s: %r" % (want, m.group(0)))
    check(srv.alive(), "server exited after SIGHUP with a broken config")
    expect_alive(pub, "publisher connected before the broken reload")
    pub2 = env.publish_file(srv.url("after"), env.media(), name="publisher-after")
    time.sleep(1.5)
    expect_alive(pub2, "publisher on __defaultVhost__ after the refused reload")
    expect_plays(env, srv.url("after"), "player on __defaultVhost__ after the refused reload")
    expect_plays(env, srv.url("before"), "player of the stream published before the reload")
    srv.body = good_body  # leave a valid config behind


def test_reload_log_level(env):
    """srs_log_level trace -> warn + SIGHUP: a new client no longer produces Trace lines
    (no "connect" line), warnings still appear; back to trace + SIGHUP: they return."""
    srv = env.server()
    publish_briefly(env, srv, "lvl1", name="publisher-trace")
    text = log_since(srv)
    check(len(re.findall(r"\[Trace\].*connect tcUrl=", text)) == 1,
          "expected one connect Trace line at level trace, log: %s" % text[-400:])
    mark = log_size(srv)
    srv.log_level = "warn"
    srv.reload(srv.body)
    check(wait_log(srv, r"SIGHUP: reload", 3, mark), "no SIGHUP line 3 s after the signal")
    time.sleep(0.5)
    mark = log_size(srv)
    publish_briefly(env, srv, "lvl2", name="publisher-warn")
    # a warning: a second publisher to a busy stream is refused
    busy = env.publish_file(srv.url("lvl3"), env.media(), seconds=6, name="publisher-busy1")
    time.sleep(1.0)
    refused = env.publish_file(srv.url("lvl3"), env.media(), seconds=1, name="publisher-busy2")
    rc = refused.wait(10)
    check(rc not in (None, 0), "second publisher to a busy stream was not refused (%s)" % rc)
    busy.stop(signal.SIGKILL, 0)
    time.sleep(0.3)
    text = log_since(srv, mark)
    traces = [l for l in text.splitlines() if "[Trace]" in l]
    check(not traces, "%d Trace lines at level warn, e.g. %r" % (len(traces), traces[:2]))
    check("[Warn]" in text or "[Error]" in text,
          "no warning logged at level warn for a refused publisher: %r" % text[-300:])
    env.note("measured at level warn: %d log lines, 0 Trace" % len(text.splitlines()))
    srv.log_level = "trace"
    mark = log_size(srv)
    srv.reload(srv.body)
    check(wait_log(srv, r"reload: applied", 3, mark), "no 'reload: applied' Trace line after "
          "switching back to trace")
    publish_briefly(env, srv, "lvl4", name="publisher-trace-again")
    check(re.search(r"\[Trace\].*connect tcUrl=\S*/live ", log_since(srv, mark)),
          "no connect Trace line after switching back to trace")


def test_sigusr1_reopens_log(env):
    """srs_log_tank file: after the log file is renamed the server keeps writing to the renamed
    file; SIGUSR1 makes it create a fresh file at the configured path for new activity."""
    srv = env.server(log_file=True)
    check(wait_log(srv, r"starting, pid", 2), "no start line in the log file %s" % srv.log)
    check("starting, pid" not in log_since(srv, path=srv.stdout),
          "log lines went to the console despite srs_log_tank file")
    rotated = srv.log + ".1"
    os.rename(srv.log, rotated)
    publish_briefly(env, srv, "before_reopen", name="publisher-before")
    check(not os.path.exists(srv.log), "a new %s appeared before SIGUSR1" % srv.log)
    check("live/before_reopen" in log_since(srv, path=rotated),
          "activity before SIGUSR1 is not in the renamed file")
    srv.proc.send_signal(signal.SIGUSR1)
    t0 = time.monotonic()
    while not os.path.exists(srv.log) and time.monotonic() - t0 < 3:
        time.sleep(0.05)
    check(os.path.exists(srv.log), "no new %s 3 s after SIGUSR1" % srv.log)
    env.note("measured new log file created %.2f s after SIGUSR1" % (time.monotonic() - t0))
    publish_briefly(env, srv, "after_reopen", name="publisher-after")
    new = log_since(srv)
    check("live/after_reopen" in new, "activity after SIGUSR1 is not in the new log file: %r"
          % new[-300:])
    check("live/before_reopen" not in new, "the new log file has lines from before SIGUSR1")
    check("live/after_reopen" not in log_since(srv, path=rotated),
          "activity after SIGUSR1 still goes to the renamed file")


def test_daemon_mode(env):
    """`daemon on`: the launched process exits 0 at once; the pid file names a live strand
    that serves RTMP; SIGTERM to that pid ends it and removes the pid file."""
    srv = env.server(start=False, daemon=True, log_file=True, name="daemon")
    rc, secs, pid = srv.start_daemon()
    env.note("measured launcher exit %s after %.2f s, daemon pid %s" % (rc, secs, pid))
    check(rc == 0, "the launched process exit %s (expected 0): %s" % (
        rc, tail(srv.stdout, 5) + tail(srv.log, 5)))
    check(secs < 3, "the launched process took %.1f s to exit" % secs)
    check(pid, "no pid in %s" % srv.pid_file)
    launcher = env.procs[-1]
    check(pid != launcher.pid, "the pid file names the launcher itself")
    check(pid_runs_exe(pid, STRAND_BIN), "pid %d from the pid file is not a running strand" % pid)
    t0 = time.monotonic()
    while not port_accepts(srv.port) and time.monotonic() - t0 < 5:
        time.sleep(0.05)
    check(port_accepts(srv.port), "the daemon does not accept on port %d" % srv.port)
    url = srv.url("daemon")
    pub = env.publish_file(url, env.media(), seconds=10)
    time.sleep(1.5)
    expect_alive(pub, "publisher to the daemon")
    expect_plays(env, url, "player on the daemon")
    os.kill(pid, signal.SIGTERM)
    t0 = time.monotonic()
    while pid_runs_exe(pid, STRAND_BIN) and time.monotonic() - t0 < 5:
        time.sleep(0.05)
    check(not pid_runs_exe(pid, STRAND_BIN), "daemon %d still running 5 s after SIGTERM" % pid)
    env.note("measured daemon gone %.2f s after SIGTERM" % (time.monotonic() - t0))
    check(not os.path.exists(srv.pid_file), "pid file %s left behind" % srv.pid_file)
    check(not port_accepts(srv.port), "port %d still accepts after the daemon quit" % srv.port)
    check(pub.wait(10) is not None, "publisher still connected 10 s after the daemon quit")


def _second_instance(env, first, name):
    """Start strand on its own free port with first's pid file; (exit code, stderr)."""
    conf = env.path(name + ".conf")
    with open(conf, "w") as f:
        f.write("listen %d;\ndaemon off;\npid %s;\nsrs_log_tank console;\nvhost __defaultVhost__ { }\n"
                % (free_port(), first.pid_file))
    rc, _, err, secs = env.run(name, [STRAND_BIN, "-c", conf], 10)
    env.note("measured second instance: exit %s after %.2f s" % (rc, secs))
    return rc, err


def _pid_in(path):
    with open(path) as f:
        return int(f.read().strip())


def test_second_instance_keeps_off_the_pid_file(env):
    """Issue 9.6: the pid file is locked for the life of the process. A second instance
    with the same pid file refuses to start, naming the running pid, and neither
    overwrites nor removes the file; the first keeps serving. Foreground and daemon."""
    srv = env.server()
    check(wait_until(lambda: os.path.exists(srv.pid_file), 5), "no pid file %s" % srv.pid_file)
    first = _pid_in(srv.pid_file)
    check(first == srv.proc.pid, "the pid file names %d, the server is %d" % (first, srv.proc.pid))
    rc, err = _second_instance(env, srv, "second")
    check(rc not in (None, 0), "the second instance started (exit %s)" % rc)
    check("pid %d" % first in err, "the refusal does not name the running pid %d: %s" % (first, err[-300:]))
    check(os.path.exists(srv.pid_file) and _pid_in(srv.pid_file) == first,
          "the pid file was changed or removed by the second instance")
    pub = env.publish_file(srv.url("stillup"), env.media(), seconds=10)
    check(wait_log(srv, r"publish \S+/live/stillup start", 10), "the first instance does not take a publish")
    expect_plays(env, srv.url("stillup"), "the first instance")
    expect_alive(pub, "publisher")
    os.kill(first, signal.SIGHUP)  # kill -HUP $(cat pidfile) still reaches the right process
    check(wait_log(srv, r"reload: applied", 5), "SIGHUP through the pid file was not applied")

    daemon = env.server(start=False, daemon=True, log_file=True, name="daemon")
    rc, _, pid = daemon.start_daemon()
    check(rc == 0 and pid, "the daemon did not start (%s)" % rc)
    rc, err = _second_instance(env, daemon, "second-daemon")
    check(rc not in (None, 0) and "pid %d" % pid in err, "second instance of a daemon: exit %s, %s" % (rc, err[-300:]))
    check(_pid_in(daemon.pid_file) == pid and pid_runs_exe(pid, STRAND_BIN), "the daemon's pid file was touched")


# ---------------------------------------------------------------- slow player


def _video_packets(env, path):
    rc, out, err, _ = env.run("ffprobe-video", [
        "ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "packet=dts_time,flags",
        "-of", "json", path], 30)
    check(rc == 0, "ffprobe -show_packets %s (%s): %s" % (os.path.basename(path), rc, err[-300:]))
    return [(float(p["dts_time"]), p.get("flags", "")) for p in json.loads(out).get("packets", [])]


def test_slow_player_drops_gops(env):
    """queue_length 2: player A (rtmpdump) frozen for 8 s by SIGSTOP fills the socket buffers and
    its queue; the server drops whole GOPs for A only. Player B records every frame of 10 s,
    in time; the publisher runs at real time; A resumes after SIGCONT, the log reports
    "dropped N" (N > 0) when A stops, and in A's file every timestamp jump lands on a keyframe."""
    srv = env.server(http_body(api=True, exporter=True, vhosts="vhost __defaultVhost__ {\n"
                               "    play { gop_cache on; queue_length 2; }\n}\n"))
    url = srv.url("slow")
    rate = "12M"  # filler-padded CBR: ~1.5 MB/s fills the loopback buffers within the freeze
    pub_secs = 16
    pub = env.spawn("publisher-cbr", ["ffmpeg"] + env.FF + [
        "-re", "-f", "lavfi", "-i", "testsrc=size=640x480:rate=25",
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25",
        "-pix_fmt", "yuv420p", "-b:v", rate, "-minrate", rate, "-maxrate", rate, "-bufsize", rate,
        "-x264-params", "nal-hrd=cbr", "-t", str(pub_secs), "-f", "flv", url])
    time.sleep(1.5)
    expect_alive(pub, "publisher")
    a_out, b_out = env.path("a.flv"), env.path("b.flv")
    a = env.spawn("player-A", ["rtmpdump", "-q", "-m", "10", "-r", url + "?who=a", "-o", a_out])
    b = env.record(url + "?who=b", b_out, 10, name="player-B")
    time.sleep(1.0)
    expect_alive(a, "player A")
    os.kill(a.pid, signal.SIGSTOP)
    size_stop = os.path.getsize(a_out)
    time.sleep(8.0)
    size_frozen = os.path.getsize(a_out)
    os.kill(a.pid, signal.SIGCONT)
    check(size_frozen == size_stop, "player A wrote while stopped")
    # the drops are visible while it happens: the API's stream and the exporter
    streams = api_ok(srv.api_port, "/api/v1/streams/").get("streams", [])
    api_dropped = sum(st.get("dropped", 0) for st in streams if st.get("name") == "slow")
    _, _, metrics = http_request(srv.exporter_port, "/metrics")
    m_dropped = sum(float(l.rsplit(" ", 1)[1]) for l in metrics.decode().splitlines()
                    if l.startswith("strand_consumer_dropped_total{") and 'stream="slow"' in l)
    env.note("measured drops while player A is frozen: API %d, metrics %d" % (api_dropped, m_dropped))
    check(api_dropped > 0, "the API shows no drops for the frozen player: %s" % streams)
    check(m_dropped > 0, "strand_consumer_dropped_total shows no drops for the frozen player")
    rcb = b.wait(10)
    b_secs = time.monotonic() - b.t0
    check(rcb == 0, "player B exit %s: %s" % (rcb, b.errtail(5)))
    rcp = pub.wait(pub_secs + 5)
    p_secs = time.monotonic() - pub.t0
    check(rcp == 0, "publisher exit %s: %s" % (rcp, pub.errtail(5)))
    env.note("measured publisher %.1f s for %d s of media, player B %.1f s for 10 s"
             % (p_secs, pub_secs, b_secs))
    check(p_secs < pub_secs + 2, "publisher slowed down: %.1f s for %d s at -re" % (p_secs, pub_secs))
    check(b_secs < 12.5, "player B slowed down: %.1f s to record 10 s" % b_secs)
    nb = video_count(env, b_out)
    check(248 <= nb <= 252, "player B recorded %d video frames, expected 250 (10 s at 25 fps)" % nb)
    rca = a.stop()  # players stay through an unpublish (issue 9.2): stop it, it writes its file
    check(rca is not None, "player A did not stop on SIGINT")
    text = log_since(srv)
    m = re.search(r"\]\[(\w+)\] play \S+/live/slow\?who=a start", text)
    check(m, "no play start line for player A")
    m2 = wait_log(srv, r"\]\[%s\] play \S+ stop: sent (\d+) packets, dropped (\d+)" % m.group(1), 3)
    check(m2, "no play stop line for player A (cid %s)" % m.group(1))
    sent, dropped = int(m2.group(1)), int(m2.group(2))
    mb = re.search(r"\]\[(\w+)\] play \S+/live/slow\?who=b start", text)
    mb2 = mb and re.search(r"\]\[%s\] play \S+ stop: sent \d+ packets, dropped (\d+)" % mb.group(1), text)
    check(mb2 and int(mb2.group(1)) == 0, "player B had drops too: %s" % (mb2 and mb2.group(0)))
    pk = _video_packets(env, a_out)
    check(len(pk) > 100, "player A's file has only %d video packets" % len(pk))
    gaps = [(pk[i - 1][0], pk[i][0], pk[i][1]) for i in range(1, len(pk)) if pk[i][0] - pk[i - 1][0] > 0.06]
    env.note("measured player A: %d bytes before the freeze, sent %d, dropped %d, %d video "
             "packets in its file, jumps %s" % (size_stop, sent, dropped, len(pk),
                                                ["%.2f->%.2f %s" % g for g in gaps]))
    check(dropped > 0, "the server logged no drops for the frozen player A (sent %d)" % sent)
    big = [g for g in gaps if g[1] - g[0] > 1.0]
    check(big, "no timestamp jump > 1 s in player A's file, yet %d packets were dropped" % dropped)
    bad = [g for g in gaps if not g[2].startswith("K")]
    check(not bad, "video resumes on a non-keyframe after a jump in A's file: %s" % bad)
    after = sum(1 for t, _ in pk if t >= big[-1][1])
    check(after >= 50, "player A got only %d video packets after it was resumed" % after)


# ---------------------------------------------------------------- listen, timeouts


def _ipv6_port():
    """A free TCP port on ::1, or None if IPv6 loopback is unusable here."""
    if not socket.has_ipv6:
        return None
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    except OSError:
        return None
    try:
        s.bind(("::1", 0))
        return s.getsockname()[1]
    except OSError:
        return None
    finally:
        s.close()


def test_ipv6_listen(env):
    """`listen [::]:P;`: ffmpeg publishes to rtmp://[::1]:P/live/x and ffprobe plays it back."""
    p6 = _ipv6_port()
    if p6 is None:
        print("    SKIP ops.ipv6_listen: IPv6 loopback ::1 cannot be bound here", flush=True)
        env.note("SKIP: no IPv6")
        return
    srv = env.server("listen [::]:%d;\n" % p6 + DEFAULT_VHOSTS)
    t0 = time.monotonic()
    while not port_accepts(p6, host="::1") and time.monotonic() - t0 < 3:
        time.sleep(0.05)
    check(port_accepts(p6, host="::1"), "nothing accepts on [::1]:%d" % p6)
    url = "rtmp://[::1]:%d/live/x" % p6
    pub = env.publish_file(url, env.media())
    time.sleep(1.5)
    expect_alive(pub, "publisher over IPv6")
    expect_plays(env, url, "player over IPv6")
    check(re.search(r"connect tcUrl=rtmp://\[::1\]:%d/live app=live vhost=__defaultVhost__ ip=::1"
                    % p6, log_since(srv)), "the log does not show an IPv6 client connect from ::1")
    expect_plays(env, srv.url("x"), "player of the IPv6-published stream over IPv4")


def test_publisher_idle_timeout(env):
    """normal_timeout 2000: a publisher that stops sending mid-stream (ffmpeg under SIGSTOP) is
    closed ~2 s later, the log says why, and the stream name is free again at once."""
    srv = env.server("vhost __defaultVhost__ {\n    play { gop_cache on; }\n"
                     "    publish { firstpkt_timeout 2000; normal_timeout 2000; }\n}\n")
    url = srv.url("idle")
    pub = env.publish_live(url, seconds=6, name="publisher-stalled")
    time.sleep(1.5)
    expect_alive(pub, "publisher")
    mark = log_size(srv)
    os.kill(pub.pid, signal.SIGSTOP)
    t_stop = time.monotonic()
    m = wait_log(srv, r"fmle-publish \S+ closed[^\n]*", 6, mark)
    t_close = time.monotonic() - t_stop
    check(m, "the stalled publisher was not closed within 6 s: %s" % log_since(srv, mark)[-300:])
    env.note("measured stalled publisher closed %.2f s after SIGSTOP: %s" % (t_close, m.group(0)))
    check(1.5 <= t_close <= 4.0, "stalled publisher closed after %.2f s, expected ~2 s" % t_close)
    check(re.search(r"TIMEOUT|timeout|no media", m.group(0)), "the close line does not say it was "
          "a timeout: %r" % m.group(0))
    pub2 = env.publish_file(url, env.media("small"), seconds=8, name="publisher-new")
    time.sleep(1.5)
    expect_alive(pub2, "new publisher to the freed stream")
    expect_plays(env, url, "player of the new publisher", 160, 120)
    os.kill(pub.pid, signal.SIGCONT)
    rc = pub.wait(8)
    env.note("stalled publisher exit %s after SIGCONT" % rc)
    check(rc is not None and rc != 0, "the stalled publisher did not notice it was dropped (exit %s)" % rc)


# ---------------------------------------------------------------- reload and live streams


def _live_vhost(www, hls, dvr, remux):
    return ("vhost __defaultVhost__ {\n"
            "    http_remux { enabled %s; mount [vhost]/[app]/[stream].flv; }\n"
            "    hls { enabled %s; hls_path %s; hls_fragment 1; hls_window 10; }\n"
            "    dvr { enabled %s; dvr_path %s/[app]/[stream].[timestamp].flv; dvr_plan session; }\n"
            "}\n" % ("on" if remux else "off", "on" if hls else "off", www, "on" if dvr else "off", www))


def _frames(path):
    try:
        with open(path, "rb") as f:
            v = re.findall(rb"^frame=(\d+)$", f.read(), re.M)
        return int(v[-1]) if v else 0
    except OSError:
        return 0


def test_reload_reaches_live_streams(env):
    """Issue 9.4: a SIGHUP that turns hls and dvr on starts them for a stream that is
    already live (a playlist and a segment ffprobe reads, a recording that grows); one
    that turns them off finalises them (the recording plays) and one that turns
    http_remux off ends the HTTP-FLV viewers and answers 404, while the publisher and an
    RTMP player run through every reload; turning http_remux on again serves the stream."""
    www = env.path("www")
    os.makedirs(www, exist_ok=True)
    srv = env.server(http_body(www, vhosts=_live_vhost(www, False, False, True)))
    url = srv.url("rl")
    pub = env.publish_file(url, env.media("main"), seconds=40)
    check(wait_log(srv, r"publish \S+/live/rl start", 10), "the publish did not start")
    progress = env.path("progress.txt")
    player = env.spawn("rtmp-player", ["ffmpeg"] + env.FF + ["-i", url, "-progress", progress, "-f", "null", "-"])
    flv_url = "http://127.0.0.1:%d/live/rl.flv" % srv.http_port
    viewer = env.spawn("http-viewer", ["curl", "-sS", "-o", env.path("viewer.flv"), flv_url])
    check(wait_until(lambda: _frames(progress) > 10, 10), "the RTMP player decodes nothing")
    m3u8 = os.path.join(www, "live", "rl.m3u8")
    check(not os.path.exists(m3u8), "hls wrote a playlist while off")

    srv.reload(http_body(www, vhosts=_live_vhost(www, True, True, True)))
    check(wait_until(lambda: os.path.exists(m3u8) and re.search(r"\.ts$", open(m3u8).read(), re.M), 10),
          "no HLS playlist with a segment 10 s after the reload turned hls on")
    with open(m3u8) as f:
        seg = os.path.join(www, "live", [l for l in f.read().splitlines() if l.endswith(".ts")][0])
    streams, why = env.probe_streams(seg)
    check(streams is not None, "ffprobe of the first segment: " + why)
    check(sorted(s.get("codec_type") for s in streams) == ["audio", "video"], "segment streams %s" % streams)
    dvr_dir = os.path.join(www, "live")
    dvrs = lambda: [os.path.join(dvr_dir, n) for n in os.listdir(dvr_dir) if n.endswith(".flv")]
    check(wait_until(lambda: dvrs() and os.path.getsize(dvrs()[0]) > 50000, 10), "the DVR file does not grow")
    before = _frames(progress)

    mark = log_size(srv)
    srv.reload(http_body(www, vhosts=_live_vhost(www, False, False, False)))
    check(wait_log(srv, r"reload: dvr of \S+ stops", 10, mark), "the reload did not stop dvr")
    check(wait_log(srv, r"reload: hls of \S+ stops", 10, mark), "the reload did not stop hls")
    check(wait_exit([viewer], 5), "the HTTP-FLV viewer was not ended when http_remux went off")
    status, _, _ = http_request(srv.http_port, "/live/rl.flv")
    check(status == 404, "HTTP-FLV with http_remux off: %s" % status)
    rec = dvrs()[0]
    rc, dur, err, _ = env.run("dvr-duration", ["ffprobe", "-v", "error", "-show_entries", "format=duration",
                                               "-of", "csv=p=0", rec], 15)
    check(rc == 0 and float(dur) > 1.0, "the recording stopped by the reload does not play (%s): %s" % (dur, err))
    env.note("measured: recording %s s, RTMP player frames %d before the last reloads" % (dur.strip(), before))

    mark = log_size(srv)
    srv.reload(http_body(www, vhosts=_live_vhost(www, False, False, True)))
    check(wait_log(srv, r"reload: applied", 5, mark), "the third reload was not applied")
    streams, why = env.probe_streams(flv_url)
    check(streams is not None, "HTTP-FLV after http_remux came back on: " + why)
    check(wait_until(lambda: _frames(progress) > before + 50, 10), "the RTMP player stopped getting frames")
    expect_alive(pub, "publisher after three reloads")
    expect_alive(player, "RTMP player after three reloads")


# ---------------------------------------------------------------- a stalled disk


class FlvArrivals:
    """curl -N of an HTTP-FLV URL, read as it arrives: (monotonic arrival, media ms) of
    every video tag, parsed from curl's stdout in a thread."""

    def __init__(self, env, url, name):
        self.video = []
        self.proc = env.spawn(name, ["curl", "-sS", "-N", url], pipe_stdout=True)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        f = self.proc.p.stdout
        if len(f.read(13)) < 13:  # FLV header + PreviousTagSize0
            return
        while True:
            head = f.read(11)
            if len(head) < 11:
                return
            size = int.from_bytes(head[1:4], "big")
            ts = int.from_bytes(head[4:7], "big") | (head[7] << 24)
            if len(f.read(size + 4)) < size + 4:
                return
            if head[0] == 9:
                self.video.append((time.monotonic(), ts))

    def worst_gap(self, after):
        """The longest wait between two video tags that arrived after `after` (monotonic)."""
        t = [a for a, _ in self.video if a >= after]
        return max((t[i] - t[i - 1] for i in range(1, len(t))), default=None), len(t)


def test_stalled_disk_keeps_players_on_time(env):
    """Issue 10.5: every write of HLS and DVR data takes 500 ms longer (STRAND_TEST_WRITE_DELAY_MS,
    a disk that stalls). Two streams record and segment to it while HTTP-FLV viewers (curl)
    of both watch: their video tags keep arriving in time (no wait near 500 ms, as there
    would be with a write on the event loop), and still nothing is lost: the playlist lists
    segments that ffprobe reads and each recording holds every frame once the publishers end."""
    www = env.path("www")
    os.makedirs(www, exist_ok=True)
    vhost = ("vhost __defaultVhost__ {\n"
             "    min_latency on;\n"  # each tag is sent when it arrives, no 350 ms batches
             "    http_remux { enabled on; mount [vhost]/[app]/[stream].flv; }\n"
             "    hls { enabled on; hls_path %s; hls_fragment 2; hls_window 30; }\n"
             "    dvr { enabled on; dvr_path %s/[app]/[stream].flv; dvr_plan session; }\n"
             "}\n" % (www, www))
    srv = env.server(http_body(www, vhosts=vhost), environ={"STRAND_TEST_WRITE_DELAY_MS": "500"})
    secs = 12
    pubs = [env.publish_live(srv.url(s), seconds=secs, name="publisher-" + s) for s in ("disk1", "disk2")]
    for s in ("disk1", "disk2"):
        check(wait_log(srv, r"publish \S+/live/%s start" % s, 10), "the publish of %s did not start" % s)
    viewers = [FlvArrivals(env, "http://127.0.0.1:%d/live/%s.flv" % (srv.http_port, s), "viewer-" + s)
               for s in ("disk1", "disk2")]
    m3u8 = os.path.join(www, "live", "disk1.m3u8")
    check(wait_until(lambda: os.path.exists(m3u8) and ".ts" in open(m3u8).read(), 15),
          "no HLS playlist with a segment while the disk stalls")
    steady = time.monotonic() + 1.0  # after the cached GOP's burst
    for p in pubs:
        check(p.wait(secs + 15) == 0, "publisher exit: %s" % p.errtail(4))
    gaps = [v.worst_gap(steady) for v in viewers]
    env.note("measured with 500 ms per write: longest wait between video tags %s"
             % ", ".join("%.0f ms over %d tags" % (g * 1000, n) for g, n in gaps if g is not None))
    for (g, n), s in zip(gaps, ("disk1", "disk2")):
        check(n >= 100, "viewer of %s got only %d video tags after the start" % (s, n))
        check(g < 0.3, "viewer of %s waited %.0f ms for a video tag: the disk stalled the players" % (s, g * 1000))
    for s in ("disk1", "disk2"):
        check(wait_log(srv, r"dvr: closed \S+/%s.flv" % s, 30), "the recording of %s was not closed" % s)
        rec = os.path.join(www, "live", s + ".flv")
        n = video_count(env, rec)
        check(n >= secs * 25 - 2, "the recording of %s has %d video frames, %d published" % (s, n, secs * 25))
    with open(m3u8) as f:
        segs = [l for l in f.read().splitlines() if l.endswith(".ts")]
    check(len(segs) >= 4, "the playlist lists %d segments for %d s" % (len(segs), secs))
    streams, why = env.probe_streams(os.path.join(www, "live", segs[-1]))
    check(streams is not None, "ffprobe of the last segment: " + why)
