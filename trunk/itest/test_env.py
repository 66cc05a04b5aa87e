# SPDX-License-Identifier: MIT
"""SRS_* environment variables, as an SRS docker-compose file sets them: they win over the
config file and fill what it lacks (ffmpeg publishes on the port the environment names,
the API answers on its port); `strand -e` runs on the environment alone (RTMP, HTTP-FLV
and HLS with no config file, ffprobe plays both); `-t` lists what came from the
environment; a bad value is refused naming the variable."""

import os

from strand_env import STRAND_BIN, api_ok, check, free_ports, port_accepts, wait_until


def start_strand(env, args, environ, ports):
    """objs/strand with args and environ added to its environment, tracked like a client;
    waits until every port in ports accepts."""
    proc = env.spawn("strand", [STRAND_BIN] + args, environ=environ)
    check(wait_until(lambda: all(port_accepts(p) for p in ports) or proc.poll() is not None, 10)
          and proc.poll() is None, "strand %s did not listen on %s: %s" % (args, ports, proc.errtail(5)))
    return proc


def test_env_overrides_the_file(env):
    """The file says RTMP on another port and no API; SRS_LISTEN, SRS_HTTP_API_ENABLED and
    SRS_HTTP_API_LISTEN move RTMP and turn the API on; the stream shows in that API."""
    file_port, rtmp, api_port = free_ports(3)
    conf = env.path("file.conf")
    with open(conf, "w") as f:
        f.write("listen %d;\ndaemon off;\nsrs_log_tank console;\npid %s;\n"
                "vhost __defaultVhost__ {\n    play { gop_cache on; }\n}\n" % (file_port, env.path("s.pid")))
    environ = {"SRS_LISTEN": str(rtmp), "SRS_HTTP_API_ENABLED": "on", "SRS_HTTP_API_LISTEN": str(api_port)}
    rc, out, err, _ = env.run("strand-t", [STRAND_BIN, "-t", "-c", conf], 10, environ=environ)
    check(rc == 0, "strand -t: exit %s: %s" % (rc, (out + err)[-300:]))
    for var, path in (("SRS_LISTEN", "listen"), ("SRS_HTTP_API_LISTEN", "http_api.listen")):
        check("env %s sets %s = " % (var, path) in out, "-t does not say that %s set %s: %s" % (var, path, out))
    start_strand(env, ["-c", conf], environ, [rtmp, api_port])
    check(not port_accepts(file_port), "the file's listen port is open too")
    url = "rtmp://127.0.0.1:%d/live/envstream" % rtmp
    env.publish_file(url, env.media(), seconds=8)
    check(wait_until(lambda: any(s["name"] == "envstream" for s in
                                 api_ok(api_port, "/api/v1/streams").get("streams", [])), 10),
          "the API on SRS_HTTP_API_LISTEN does not list the stream")
    streams, why = env.probe_streams(url)
    check(streams, why)


def test_env_only_with_dash_e(env):
    """`strand -e` with SRS's docker-style variables only: RTMP in, HTTP-FLV and HLS out."""
    rtmp, http = free_ports(2)
    www = env.path("www")
    os.makedirs(www)
    environ = {"SRS_LISTEN": str(rtmp), "SRS_DAEMON": "off", "SRS_SRS_LOG_TANK": "console",
               "SRS_PID": env.path("e.pid"), "SRS_HTTP_SERVER_ENABLED": "on", "SRS_HTTP_SERVER_LISTEN": str(http),
               "SRS_HTTP_SERVER_DIR": www, "SRS_VHOST_HLS_ENABLED": "on", "SRS_VHOST_HLS_HLS_PATH": www,
               "SRS_VHOST_HLS_HLS_FRAGMENT": "2", "SRS_VHOST_HTTP_REMUX_ENABLED": "on",
               "SRS_VHOST_HTTP_REMUX_MOUNT": "[vhost]/[app]/[stream].flv"}
    start_strand(env, ["-e"], environ, [rtmp, http])
    env.publish_file("rtmp://127.0.0.1:%d/live/only" % rtmp, env.media(), seconds=14)
    m3u8 = os.path.join(www, "live", "only.m3u8")
    check(wait_until(lambda: os.path.exists(m3u8), 15), "no HLS playlist in SRS_VHOST_HLS_HLS_PATH")
    streams, why = env.probe_streams("http://127.0.0.1:%d/live/only.flv" % http)
    check(streams, "HTTP-FLV from the environment's mount: %s" % why)
    env.expect_streams(streams)
    streams, why = env.probe_streams("http://127.0.0.1:%d/live/only.m3u8" % http)
    check(streams, "HLS from the environment's http_server: %s" % why)


def test_env_bad_value_is_refused(env):
    """A value the file would be refused for is refused from the environment, naming the
    variable, at -t and at start."""
    environ = {"SRS_MAX_CONNECTIONS": "lots", "SRS_LISTEN": str(free_ports(1)[0])}
    for args in (["-e", "-t"], ["-e"]):
        rc, out, err, _ = env.run("strand-bad", [STRAND_BIN] + args, 10, environ=environ)
        check(rc == 1, "strand %s with SRS_MAX_CONNECTIONS=lots: exit %s" % (" ".join(args), rc))
        check("SRS_MAX_CONNECTIONS" in out + err, "the refusal does not name the variable: %s" % (out + err)[-300:])
