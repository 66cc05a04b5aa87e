# SPDX-License-Identifier: MIT
"""The server as a program: config checking (-t) and graceful quit on signals."""

import os
import signal
import time

from strand_env import STRAND_BIN, TestFailure, check, port_accepts


def _check_config(env, name, text, extra_files=None):
    """Write a config (and files it includes) and run `strand -t -c FILE` from another cwd."""
    if not os.path.exists(STRAND_BIN):
        raise TestFailure("server binary %s does not exist (build it with make)" % STRAND_BIN)
    d = env.subdir(name)
    for fname, body in (extra_files or {}).items():
        with open(os.path.join(d, fname), "w") as f:
            f.write(body.replace("@DIR@", d))
    conf = os.path.join(d, name + ".conf")
    with open(conf, "w") as f:
        f.write(text.replace("@DIR@", d))
    rc, out, err, secs = env.run("strand-t-" + name, [STRAND_BIN, "-t", "-c", conf], 10)
    # the message may go to stdout or stderr: look at both
    text_out = out + "\n" + err
    check(rc is not None, "`strand -t` on %s did not exit within 10 s" % name)
    return rc, text_out


VALID = """# a typical SRS config
listen              1935;
max_connections     1000;
daemon              off;
srs_log_tank        console;
srs_log_level       trace;
pid                 @DIR@/strand.pid;
chunk_size          60000;
http_api {
    enabled         off;
    listen          1985;
}
stats {
    network         0;
}
vhost __defaultVhost__ {
    play {
        gop_cache       on;
        queue_length    10;
        time_jitter     full;
    }
    publish {
        firstpkt_timeout 20000;
        normal_timeout   5000;
    }
}
vhost "demo.example.com" {
    enabled on;
    # comment at the end of a block
}
"""


def test_config_check(env):
    """`strand -t -c FILE`: exit 0 on a valid SRS config; exit 1 naming file:line on a syntax
    error (also inside an included file); an unknown directive is a warning naming it."""
    rc, out = _check_config(env, "valid", VALID)
    check(rc == 0, "valid config: exit %s, output: %s" % (rc, out[-400:]))

    bad = "listen 1935;\ndaemon off;\n}\nvhost __defaultVhost__ {\n}\n"
    rc, out = _check_config(env, "stray", bad)
    check(rc == 1, "config with a stray '}' on line 3: exit %s (expected 1): %s" % (rc, out[-300:]))
    check("stray.conf:3" in out, "the error does not name stray.conf:3: %r" % out[-400:])

    rc, out = _check_config(env, "unclosed", "listen 1935;\nvhost __defaultVhost__ {\n    play {\n"
                                              "        gop_cache on;\n    }\n")
    check(rc == 1, "config with an unclosed block: exit %s (expected 1): %s" % (rc, out[-300:]))
    check("unclosed.conf" in out, "the error does not name unclosed.conf: %r" % out[-400:])

    inc = {"inc.conf": "vhost __defaultVhost__ {\n    play { gop_cache on; }}}\n}\n"}
    rc, out = _check_config(env, "main", "listen 1935;\ndaemon off;\ninclude @DIR@/inc.conf;\n",
                            extra_files=inc)
    check(rc == 1, "config including a broken file: exit %s (expected 1): %s" % (rc, out[-300:]))
    check("inc.conf:2" in out, "the error does not name inc.conf:2: %r" % out[-400:])

    rc, out = _check_config(env, "unknown", "listen 1935;\ndaemon off;\n"
                                            "strand_itest_unknown_directive 42;\n"
                                            "vhost __defaultVhost__ {\n}\n")
    check(rc == 0, "an unknown directive must only warn: exit %s: %s" % (rc, out[-300:]))
    check("strand_itest_unknown_directive" in out,
          "the warning does not name the unknown directive: %r" % out[-400:])

    rc, out, err, _ = env.run("strand-t-missing", [STRAND_BIN, "-t", "-c",
                                                   env.path("no-such-file.conf")], 10)
    check(rc not in (None, 0), "a missing config file: exit %s (expected failure)" % rc)


def test_graceful_quit(env):
    """SIGTERM with a publisher and a player connected: exit 0 within 5 s, clients
    disconnected, port closed, no children left. SIGINT on an idle server: exit 0."""
    srv = env.server()
    url = srv.url("itest_quit")
    pub = env.publish_file(url, env.media())
    time.sleep(1.0)
    out = env.path("rec.flv")
    player = env.spawn("player", ["ffmpeg"] + env.FF + ["-y", "-i", url, "-c", "copy", "-f", "flv", out])
    time.sleep(2.0)
    check(pub.poll() is None, "publisher exited early: %s" % pub.errtail(5))
    check(player.poll() is None, "player exited early: %s" % player.errtail(5))
    kids = srv.children()
    rc, secs = srv.stop(signal.SIGTERM, 5.0)
    env.note("measured SIGTERM exit after %.2f s with code %s" % (secs, rc))
    check(rc is not None, "server still running 5 s after SIGTERM (killed)")
    check(rc == 0, "server exited with %s after SIGTERM (expected 0)" % rc)
    check(not port_accepts(srv.port), "port %d still accepts after the server exited" % srv.port)
    for k in kids:
        check(not os.path.exists("/proc/%d" % k), "server child %d still exists" % k)
    check(pub.wait(10) is not None, "publisher still connected 10 s after the server quit")
    check(player.wait(10) is not None, "player still connected 10 s after the server quit")
    check(os.path.exists(out) and os.path.getsize(out) > 10000,
          "player recorded %d bytes before the quit" % (os.path.getsize(out) if os.path.exists(out) else 0))

    idle = env.server(name="idle")
    rc, secs = idle.stop(signal.SIGINT, 5.0)
    env.note("measured SIGINT exit after %.2f s with code %s" % (secs, rc))
    check(rc == 0, "idle server exit %s after SIGINT (expected 0 within 5 s)" % rc)


def test_listen_several_ports(env):
    """`listen P1 P2;`: both ports serve the same streams."""
    srv = env.server(extra_ports=1)
    p1, p2 = srv.ports
    pub = env.publish_file(srv.url("itest_ports", port=p1), env.media())
    time.sleep(1.5)
    check(pub.poll() is None, "publisher on port %d exited: %s" % (p1, pub.errtail(5)))
    streams, why = env.probe_streams(srv.url("itest_ports", port=p2))
    check(streams is not None, "player on the second port %d: %s" % (p2, why))
    env.expect_streams(streams)


def test_reload_adds_vhost(env):
    """SIGHUP re-reads the config: a vhost added to it accepts publishers, and a publisher
    that was already streaming keeps going."""
    a_only = "vhost a.example.com {\n    play { gop_cache on; }\n}\n"
    srv = env.server(a_only)
    url_a = srv.url("s", vhost="a.example.com")
    pub_a = env.publish_file(url_a, env.media(), name="publisher-a")
    time.sleep(1.0)
    url_b = srv.url("s", vhost="b.example.com")
    early = env.publish_file(url_b, env.media(), name="publisher-b-early")
    rc = early.wait(10)
    check(rc is not None and rc != 0, "publish to unconfigured b.example.com not refused (%s)" % rc)
    srv.reload(a_only + "vhost b.example.com {\n    play { gop_cache on; }\n}\n")
    time.sleep(1.0)
    check(srv.alive(), "server died on SIGHUP")
    pub_b = env.publish_file(url_b, env.media(), name="publisher-b")
    time.sleep(1.5)
    check(pub_b.poll() is None, "publish to b.example.com after reload failed: %s" % pub_b.errtail(5))
    streams, why = env.probe_streams(url_b)
    check(streams is not None, "player on b.example.com after reload: " + why)
    check(pub_a.poll() is None, "publisher on a.example.com did not survive the reload: %s"
          % pub_a.errtail(5))
    streams, why = env.probe_streams(url_a)
    check(streams is not None, "player on a.example.com after reload: " + why)
