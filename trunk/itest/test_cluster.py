# SPDX-License-Identifier: MIT
"""Forward and edge/origin with several Strand processes and real clients: ffmpeg publishes,
ffmpeg/ffprobe/curl play. A forward chain A -> B (API and metrics), servers forwarding to
each other (no loop), a destination that comes up late, rtmps:// destinations (certificate
checked), the forward backend; an edge pulling on the first player, one pull for many
players of RTMP and HTTP-FLV, HLS written at the edge, an HLS-only viewer starting and
holding the pull, OBS's 8 s GOP and a republish through an edge, the pull released after
the last player, failover to the second origin while a recording keeps going (metrics),
publish through an edge (the origin's refusal reaches the publisher) and token_traverse;
an origin cluster on a real redis-server (Debian's), also while Redis is down."""

import json
import os
import signal
import time

from strand_env import ROOT, api_ok, check, free_port, http_body, http_request, port_accepts, wait_log, wait_until
from test_hooks import HookServer
from test_http import metric, parse_metrics


def forward_vhost(*dests, extra=""):
    return ("vhost __defaultVhost__ {\n    play { gop_cache on; }\n"
            "    forward {\n        enabled on;\n        destination %s;\n    }\n%s}\n"
            % (" ".join(dests), extra))


def duration(env, path):
    rc, out, err, _ = env.run("duration", ["ffprobe", "-v", "error", "-show_entries", "format=duration",
                                           "-of", "default=nw=1:nk=1", path], 20)
    check(rc == 0, "ffprobe %s failed: %s" % (path, err[-300:]))
    return float(out.strip() or 0)


def record_and_check(env, url, seconds, name, min_seconds=None):
    """ffmpeg records `seconds` of url; the file has video 320x240 and audio and lasts about that long."""
    out = env.path("%s.flv" % name)
    rc, _, err, _ = env.run(name, ["ffmpeg"] + env.FF + ["-y", "-i", url, "-c", "copy", "-t", str(seconds),
                                                          "-f", "flv", out], seconds + 25)
    check(rc == 0, "%s: ffmpeg exit %s: %s" % (name, rc, err[-400:]))
    streams, why = env.probe_streams(out)
    check(streams, "%s: %s" % (name, why))
    env.expect_streams(streams)
    d = duration(env, out)
    check(d >= (min_seconds or seconds - 0.6), "%s: recorded %.2f s of %d" % (name, d, seconds))
    return d


def forwards(srv):
    return api_ok(srv.api_port, "/api/v1/forwards").get("forwards", [])


def edges(srv):
    return api_ok(srv.api_port, "/api/v1/edges").get("edges", [])


def metrics(srv):
    status, _, body = http_request(srv.exporter_port, "/metrics")
    check(status == 200, "/metrics: HTTP %s" % status)
    return parse_metrics(body.decode())


def test_forward_a_to_b(env):
    """ffmpeg publishes to A; A forwards to B; ffmpeg records from B; A's API and metrics show
    the link."""
    b = env.server(name="b")
    a = env.server(http_body(api=True, exporter=True, vhosts=forward_vhost("127.0.0.1:%d" % b.port)), name="a")
    env.publish_file(a.url("fw"), env.media(), seconds=14)
    check(wait_log(a, r"forward __defaultVhost__/live/fw to rtmp://127\.0\.0\.1:%d/live/fw" % b.port, 10),
          "A did not start forwarding")
    record_and_check(env, b.url("fw"), 5, "rec-b")
    links = forwards(a)
    check(len(links) == 1 and links[0]["state"] == "forwarding" and links[0]["send_bytes"] > 100000,
          "A's forwards: %s" % links)
    check(links[0]["destination"] == "127.0.0.1:%d" % b.port, "destination %s" % links[0]["destination"])
    ms = metrics(a)
    dest = "127.0.0.1:%d" % b.port
    check(metric(ms, "strand_forward_up", stream="fw", destination=dest) == 1, "strand_forward_up is not 1")
    sent = metric(ms, "strand_forward_send_bytes_total", stream="fw", destination=dest)
    check(sent and sent > 100000, "strand_forward_send_bytes_total %s" % sent)


def test_forward_peers_do_not_loop_and_late_destination(env):
    """A and B forward to each other; C is down when the stream starts and comes up later.
    B refuses the copy A would get back (no loop), and A reaches C once it is up."""
    b = env.server(name="b")
    c = env.server(name="c", start=False)
    c.reserve_ports()
    a = env.server(http_body(api=True, vhosts=forward_vhost("127.0.0.1:%d" % b.port, "127.0.0.1:%d" % c.port)),
                   name="a")
    b.reload(forward_vhost("127.0.0.1:%d" % a.port))
    check(wait_log(b, r"reload: applied", 10), "B did not reload")
    env.publish_file(a.url("loop"), env.media(), seconds=18)
    check(wait_log(b, r"came from there, not forwarded back", 10), "B kept forwarding the stream back to A")
    check(wait_until(lambda: any(l["state"] == "backoff" for l in forwards(a)), 10),
          "A's link to the down server is not in backoff: %s" % forwards(a))
    c.start(keep_ports=True)
    check(wait_until(lambda: all(l["state"] == "forwarding" for l in forwards(a)), 15),
          "A did not reach C after it came up: %s" % forwards(a))
    record_and_check(env, c.url("loop"), 3, "rec-c")
    record_and_check(env, b.url("loop"), 3, "rec-b")


def rtmps_origin_body(srv):
    """An rtmps { } listener on an aux port (srv.rtmps_port) with the demo certificate."""
    srv.rtmps_port = srv.aux[0]
    return ("rtmps {\n    enabled on;\n    listen %d;\n    key %s;\n    cert %s;\n}\n"
            "vhost __defaultVhost__ {\n    play { gop_cache on; }\n}\n"
            % (srv.rtmps_port, os.path.join(ROOT, "conf", "server.key"), os.path.join(ROOT, "conf", "server.crt")))


rtmps_origin_body.aux_ports = 1


def test_forward_rtmps_checks_the_certificate(env):
    """forward destination rtmps://: A publishes to B over TLS when A trusts B's certificate
    (OpenSSL's SSL_CERT_FILE, as for any system CA), and refuses B when it does not."""
    b = env.server(rtmps_origin_body, name="b")
    dest = "rtmps://127.0.0.1:%d/live/tls-copy" % b.rtmps_port
    a = env.server(http_body(api=True, vhosts=forward_vhost(dest)), name="a",
                   environ={"SSL_CERT_FILE": os.path.join(ROOT, "conf", "server.crt")})
    untrusting = env.server(forward_vhost(dest.replace("tls-copy", "untrusted")), name="untrusting",
                            environ={"SSL_CERT_FILE": os.path.join(env.dir, "no-such-ca.pem")})
    env.publish_file(a.url("tls"), env.media(), seconds=12)
    env.publish_file(untrusting.url("tls"), env.media(), seconds=12, name="pub-untrusting")
    check(wait_log(a, r"forward __defaultVhost__/live/tls to rtmps://127\.0\.0\.1:%d/live/tls-copy" % b.rtmps_port,
                   10), "A did not forward over rtmps")
    record_and_check(env, b.url("tls-copy"), 3, "rec-b")
    check(wait_log(untrusting, r"certificate refused: .*publish to rtmps://127\.0\.0\.1:%d/live/untrusted"
                   % b.rtmps_port, 10), "a server that does not trust B's certificate did not refuse it")
    check(not wait_log(b, r"publish __defaultVhost__/live/untrusted", 0.5), "B got the stream of the untrusting server")


def test_forward_backend_names_destinations(env):
    """forward backend: the service answers the URL to forward to (SRS's on_forward)."""
    hs = HookServer()
    try:
        b = env.server(name="b")
        hs.set("/forward", json.dumps({"code": 0, "data": {"urls": [
            "rtmp://127.0.0.1:%d/other/renamed?from=backend" % b.port]}}).encode())
        a = env.server("vhost __defaultVhost__ {\n    play { gop_cache on; }\n    forward {\n"
                       "        enabled on;\n        backend %s;\n    }\n}\n" % hs.url("/forward"), name="a")
        env.publish_file(a.url("bk") + "?token=abc", env.media(), seconds=12)
        got = hs.wait(10, action="on_forward")
        check(got, "the backend was not asked")
        body = got[0]["body"]
        check(body["stream"] == "bk" and body["app"] == "live" and "token=abc" in body["param"],
              "backend request: %s" % body)
        record_and_check(env, b.url("renamed", app="other"), 3, "rec-renamed")
    finally:
        hs.close()


def edge_config(origins, extra=""):
    return ("vhost __defaultVhost__ {\n    play { gop_cache on; }\n"
            "    cluster {\n        mode remote;\n        origin %s;\n%s    }\n"
            "    http_remux {\n        enabled on;\n        mount [vhost]/[app]/[stream].flv;\n    }\n"
            "    hls {\n        enabled on;\n        hls_path ./html;\n        hls_fragment 2;\n    }\n}\n"
            % (" ".join("127.0.0.1:%d" % o.port for o in origins), extra))


def origin_players(o):
    return [c for c in api_ok(o.api_port, "/api/v1/clients?count=100").get("clients", []) if not c["publish"]]


def test_edge_pull_shared_and_released(env):
    """20 players (5 RTMP, 15 HTTP-FLV) at the edge share one pull from the origin; the edge
    writes HLS of the pulled stream; the pull ends after the last player left."""
    o = env.server(http_body(api=True), name="origin")
    e = env.server(http_body(os.path.join(env.dir, "e-html"), api=True, vhosts=edge_config([o])), name="edge")
    env.publish_file(o.url("shared"), env.media(), seconds=19)
    check(wait_log(o, r"publish __defaultVhost__/live/shared", 10), "the origin has no stream")
    players = []
    for i in range(5):
        players.append(env.record(e.url("shared"), env.path("rtmp-%d.flv" % i), 6, name="rtmp-%d" % i))
    for i in range(15):
        players.append(env.spawn("flv-%d" % i, ["curl", "-s", "-o", env.path("flv-%d.flv" % i), "--max-time", "6",
                                                "http://127.0.0.1:%d/live/shared.flv" % e.http_port]))
    check(wait_until(lambda: any(l["state"] == "pulling" for l in edges(e)), 10), "no pull: %s" % edges(e))
    check(wait_until(lambda: len(origin_players(o)) == 1, 5), "origin players: %s" % origin_players(o))
    time.sleep(0.5)  # players keep joining: the origin must still see one
    check(len(origin_players(o)) == 1, "the edge opened %d sessions to the origin" % len(origin_players(o)))
    m3u8 = os.path.join(e.dir, "html", "live", "shared.m3u8")
    check(wait_until(lambda: os.path.exists(m3u8), 10), "the edge wrote no HLS playlist")
    for p in players:
        p.wait(30)
    for i in range(5):
        check(duration(env, env.path("rtmp-%d.flv" % i)) >= 5.4, "RTMP player %d got too little" % i)
    for i in range(15):
        size = os.path.getsize(env.path("flv-%d.flv" % i))
        check(size > 100000, "HTTP-FLV player %d got %d bytes" % (i, size))
    check(wait_until(lambda: not edges(e), 10), "the pull did not end after the players: %s" % edges(e))
    check(wait_until(lambda: not origin_players(o), 5), "the origin still serves the edge")


def test_edge_hls_only_viewer(env):
    """No RTMP or FLV player at the edge, only HLS: ffmpeg's first playlist request makes the
    edge pull the stream and waits for the playlist; the recording is whole; the pull ends
    a few segments after the last playlist request."""
    o = env.server(http_body(api=True), name="origin")
    e = env.server(http_body("./html", api=True, vhosts=edge_config([o])), name="edge")  # serves its HLS
    env.publish_file(o.url("hlsonly"), env.media(), seconds=19)
    check(wait_log(o, r"publish __defaultVhost__/live/hlsonly", 10), "the origin has no stream")
    out = env.path("hls.ts")
    url = "http://127.0.0.1:%d/live/hlsonly.m3u8" % e.http_port
    rc, _, err, _ = env.run("rec-hls", ["ffmpeg"] + env.FF + ["-y", "-i", url, "-c", "copy", "-t", "5", "-f", "mpegts",
                                                              out], 40)
    check(rc == 0, "ffmpeg from the edge's HLS: exit %s: %s" % (rc, err[-400:]))
    streams, why = env.probe_streams(out)
    check(streams, why)
    env.expect_streams(streams)
    check(duration(env, out) >= 4.4, "recorded %.2f s of 5" % duration(env, out))
    check(wait_log(e, r"edge pull __defaultVhost__/live/hlsonly from", 1), "the edge did not log its pull")
    t0 = time.monotonic()
    check(wait_until(lambda: not edges(e), 25), "the pull outlived its HLS viewer: %s" % edges(e))
    env.note("measured HLS-only pull released %.1f s after the last request" % (time.monotonic() - t0))


def test_edge_obs_gop_and_republish(env):
    """OBS's 8 s keyframe interval through an edge, and the broadcaster reconnecting: a
    player joining the edge mid-GOP starts at a keyframe (the origin's GOP cache reaches
    the edge's), and an ffmpeg relay at the edge keeps going across the origin's
    republish and ends normally."""
    o = env.server(name="origin")
    e = env.server(edge_config([o]), name="edge")
    pub1 = env.publish_live(o.url("obs"), gop=200, seconds=6, name="obs-1")
    check(wait_log(o, r"publish __defaultVhost__/live/obs start", 10), "no stream at the origin")
    time.sleep(2.0)  # join mid-GOP: the next keyframe is 6 s away (the scenario, not a wait)
    rc, out, err, secs = env.run("ffprobe-late", [
        "ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=flags",
        "-read_intervals", "%+#5", "-of", "csv=p=0", e.url("obs")], 15)
    check(rc == 0, "ffprobe at the edge: exit %s: %s" % (rc, err[-300:]))
    flags = [l for l in out.split() if l.strip()]
    check(flags and flags[0].startswith("K"), "the first video packet at the edge has flags %s" % flags[:1])
    env.note("measured late join at the edge with an 8 s GOP: %.2f s for 5 packets" % secs)
    relay_out = env.path("relay.flv")
    relay = env.record(e.url("obs"), relay_out, 8, name="relay")
    check(pub1.wait(15) == 0, "first publisher: %s" % pub1.errtail(3))
    offset = os.path.getsize(o.log)
    time.sleep(1.0)  # the broadcaster's reconnect delay (the scenario)
    check(relay.poll() is None, "the relay at the edge ended when the publisher left: %s" % relay.errtail(3))
    env.publish_live(o.url("obs"), gop=200, seconds=12, name="obs-2")
    check(wait_log(o, r"publish __defaultVhost__/live/obs start", 10, offset=offset), "the republish did not start")
    check(relay.wait(30) == 0, "the relay at the edge failed: %s" % relay.errtail(5))
    check(duration(env, relay_out) >= 7.4, "the relay recorded %.2f s of 8" % duration(env, relay_out))


def test_edge_fails_over_to_the_second_origin(env):
    """Two origins carry the stream; the first is killed mid-play: the edge goes on with the
    second and an ffmpeg recording at the edge ends normally with its full length."""
    o1 = env.server(name="origin1")
    o2 = env.server(name="origin2")
    e = env.server(http_body(api=True, exporter=True, vhosts=edge_config([o1, o2])), name="edge")
    for o in (o1, o2):
        env.publish_live(o.url("fo"), seconds=40, name="pub-%s" % o.name)
    for o in (o1, o2):
        check(wait_log(o, r"publish __defaultVhost__/live/fo", 10), "no stream at %s" % o.name)
    out = env.path("fo.flv")
    rec = env.record(e.url("fo"), out, 12, name="rec-edge")
    check(wait_until(lambda: os.path.exists(out) and os.path.getsize(out) > 50000, 15), "the recording does not grow")
    check(edges(e)[0]["upstream"] == "127.0.0.1:%d" % o1.port, "pulling from %s" % edges(e))
    o1.stop(signal.SIGKILL)
    check(wait_until(lambda: edges(e) and edges(e)[0]["upstream"] == "127.0.0.1:%d" % o2.port
                     and edges(e)[0]["state"] == "pulling", 10), "no failover: %s" % edges(e))
    check(edges(e)[0]["failovers"] >= 1, "failovers %s" % edges(e))
    ms = metrics(e)
    o2_addr = "127.0.0.1:%d" % o2.port
    check(metric(ms, "strand_edge_failovers_total", stream="fo", direction="pull", upstream=o2_addr) >= 1,
          "strand_edge_failovers_total: %s" % [k for k in ms if k[0].startswith("strand_edge")])
    check(metric(ms, "strand_edge_up", stream="fo", upstream=o2_addr) == 1, "strand_edge_up is not 1")
    check(metric(ms, "strand_edge_bytes_total", stream="fo") > 0, "strand_edge_bytes_total is 0")
    check(rec.wait(30) == 0, "the recording failed: %s" % rec.errtail())
    check(duration(env, out) >= 11.4, "recorded %.2f s of 12" % duration(env, out))


def test_edge_publish_reaches_the_origin(env):
    """ffmpeg publishes to the edge; the stream plays from the origin. A stream the origin
    already has is refused to the edge's publisher with the origin's answer."""
    o = env.server(name="origin")
    e = env.server(http_body(api=True, vhosts=edge_config([o])), name="edge")
    env.publish_file(e.url("up"), env.media(), seconds=12)
    check(wait_until(lambda: any(x["direction"] == "push" for x in edges(e)), 10), "no push: %s" % edges(e))
    record_and_check(env, o.url("up"), 3, "rec-origin")
    env.publish_file(o.url("taken"), env.media(), seconds=12, name="pub-origin")
    check(wait_log(o, r"publish __defaultVhost__/live/taken", 10), "no stream at the origin")
    rc, _, err, _ = env.run("pub-refused", ["ffmpeg"] + env.FF + ["-re", "-i", env.media(), "-c", "copy", "-t", "3",
                                                                   "-f", "flv", e.url("taken")], 20)
    check(rc != 0, "the edge took a stream the origin refuses")
    check(wait_log(e, r"publish __defaultVhost__/live/taken refused: .*edge: publish to the origin", 5),
          "the edge did not log the origin's refusal")


def test_edge_token_traverse(env):
    """token_traverse: the origin's on_connect hook judges each edge client's token."""
    hs = HookServer()
    try:
        o = env.server("vhost __defaultVhost__ {\n    play { gop_cache on; }\n    http_hooks {\n"
                       "        enabled on;\n        on_connect %s;\n    }\n}\n" % hs.url("/connect"),
                       name="origin")
        e = env.server(edge_config([o], extra="        token_traverse on;\n"), name="edge")
        env.publish_file(o.url("tok"), env.media(), seconds=15)
        check(wait_log(o, r"publish __defaultVhost__/live/tok", 10), "no stream at the origin")
        hs.set("/connect", "deny")
        url = "rtmp://127.0.0.1:%d/live?token=bad/tok" % e.port
        rc, _, err, _ = env.run("play-bad", ["ffprobe", "-v", "error", "-show_streams", url], 15)
        check(rc != 0, "a bad token played")
        denied = [r for r in hs.events(action="on_connect") if "token=bad" in json.dumps(r["body"])]
        check(denied, "the origin was not asked about the token: %s" % hs.events())
        hs.set("/connect", "allow")
        streams, why = env.probe_streams("rtmp://127.0.0.1:%d/live?token=good/tok" % e.port)
        check(streams, "a good token did not play: %s" % why)
    finally:
        hs.close()


def member_body(coworker):
    """SRS's origin cluster member: its HTTP API on an aux port, and the other member's API
    as coworker (the other server, its ports reserved)."""
    def body(srv):
        srv.api_port = srv.aux[0]
        return ("http_api {\n    enabled on;\n    listen %d;\n}\n"
                "vhost __defaultVhost__ {\n    play { gop_cache on; }\n    cluster {\n        mode local;\n"
                "        origin_cluster on;\n        coworkers 127.0.0.1:%d;\n    }\n}\n"
                % (srv.api_port, coworker.aux[0]))
    body.aux_ports = 1
    return body


def test_origin_cluster_coworkers(env):
    """SRS's origin cluster config (origin_cluster on, coworkers = the other origin's API):
    the stream is published to B; B's /api/v1/clusters answers in SRS's format; a player at
    A gets it (A pulls it from B); an edge listing A then B plays it; a stream no origin
    has is refused at A at once instead of waiting."""
    a = env.server(name="origin-a", start=False, aux_ports=1)
    b = env.server(name="origin-b", start=False, aux_ports=1)
    a.reserve_ports()
    b.reserve_ports()
    a.body, b.body = member_body(b), member_body(a)
    a.start(keep_ports=True)
    b.start(keep_ports=True)
    e = env.server(edge_config([a, b]), name="edge")
    env.publish_file(b.url("member"), env.media(), seconds=14)
    check(wait_log(b, r"publish __defaultVhost__/live/member start", 10), "no stream at B")
    got = api_ok(b.api_port, "/api/v1/clusters?vhost=__defaultVhost__&ip=10.0.0.9&app=live&stream=member"
                 "&coworker=127.0.0.1:%d" % b.api_port)
    origin = got.get("data", {}).get("origin", {})
    check(origin.get("ip") == "127.0.0.1" and origin.get("port") == b.port, "B's clusters answer: %s" % got)
    check(got["data"]["query"]["ip"] == "10.0.0.9", "B's clusters query echo: %s" % got)
    status, _, body = http_request(a.api_port, "/api/v1/clusters?app=live&stream=member")
    check(status == 200 and json.loads(body)["code"] != 0, "A claims a stream it does not have: %s" % body)
    streams, why = env.probe_streams(a.url("member"))
    check(streams, "A did not get the stream from its coworker: %s" % why)
    env.expect_streams(streams)
    check(wait_log(a, r"edge pull __defaultVhost__/live/member from rtmp://127\.0\.0\.1:%d/" % b.port, 1),
          "A did not pull from B")
    record_and_check(env, e.url("member"), 3, "rec-edge")
    t0 = time.monotonic()
    rc, _, err, _ = env.run("probe-none", ["ffprobe", "-v", "error", "-show_streams", a.url("nobody")], 20)
    check(rc != 0, "a stream no origin has played at A")
    env.note("measured refusal of a stream no member has: %.2f s" % (time.monotonic() - t0))


def start_redis(env, port=None):
    """Debian's redis-server on a free port of 127.0.0.1 (no persistence), tracked like every client."""
    port = port or free_port()
    env.spawn("redis-server", ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no"])
    check(wait_until(lambda: port_accepts(port), 10), "redis-server did not start on %d" % port)
    return port


def redis_get(env, port, key):
    rc, out, err, _ = env.run("redis-cli", ["redis-cli", "-p", str(port), "-n", "1", "GET", key], 10)
    check(rc == 0, "redis-cli failed: %s" % err[-200:])
    return out.strip()


def registry_vhost(redis_port, extra=""):
    return ("vhost __defaultVhost__ {\n    play { gop_cache on; }\n    cluster {\n%s"
            "        registry redis://127.0.0.1:%d/1;\n    }\n}\n" % (extra, redis_port))


def test_registry_origin_cluster(env):
    """Two origins list their streams in a real redis-server; the edge knows only the first
    origin, yet plays a stream published to the second (the registry names it), and so does
    the first origin; the key goes away at unpublish."""
    rp = start_redis(env)
    o1 = env.server(registry_vhost(rp), name="origin1")
    o2 = env.server(registry_vhost(rp), name="origin2")
    e = env.server(http_body(api=True, vhosts=registry_vhost(
        rp, "        mode remote;\n        origin 127.0.0.1:PORT;\n".replace("PORT", str(o1.port)))), name="edge")
    pub = env.publish_file(o2.url("reg"), env.media(), seconds=12)
    key = "strand:stream:__defaultVhost__/live/reg"
    check(wait_until(lambda: redis_get(env, rp, key).endswith(":%d" % o2.port), 10),
          "origin2 did not register: %r" % redis_get(env, rp, key))
    streams, why = env.probe_streams(e.url("reg"))
    check(streams, "the edge did not play the stream of origin2: %s" % why)
    env.expect_streams(streams)
    check(wait_log(e, r"edge pull __defaultVhost__/live/reg from rtmp://[0-9.]+:%d/" % o2.port, 5),
          "the edge did not pull from origin2")
    streams, why = env.probe_streams(o1.url("reg"))
    check(streams, "origin1 did not fetch the stream from origin2: %s" % why)
    check(redis_get(env, rp, key).endswith(":%d" % o2.port), "origin1's pull replaced the registration")
    pub.wait(30)
    check(wait_until(lambda: redis_get(env, rp, key) == "", 10), "the registration outlived the stream")


def test_registry_down_keeps_streams_and_catches_up(env):
    """Redis is down when the stream starts: it plays anyway, the origin says why it cannot
    register, and registers once redis-server is up."""
    rp = free_port()
    o = env.server(registry_vhost(rp), name="origin")
    env.publish_file(o.url("late"), env.media(), seconds=15)
    check(wait_log(o, r"registry redis://127\.0\.0\.1:%d/1: .*streams keep flowing" % rp, 10),
          "no warning about the registry being down")
    streams, why = env.probe_streams(o.url("late"))
    check(streams, "the stream does not play while Redis is down: %s" % why)
    start_redis(env, rp)
    key = "strand:stream:__defaultVhost__/live/late"
    check(wait_until(lambda: redis_get(env, rp, key).endswith(":%d" % o.port), 10),
          "the registration did not catch up: %r" % redis_get(env, rp, key))
