# SPDX-License-Identifier: MIT
"""Vhost directives that change how a stream is played and published, each with SRS's
meaning (issue 9.7): play.send_min_interval, play.atc, play.mix_correct,
publish.parse_sps, publish.kickoff_for_idle. Real clients: ffmpeg, rtmpdump, ffprobe."""

import os
import time

from rtmp_raw import RtmpRaw
from strand_env import api_ok, check, http_body, parse_flv_tags, wait_log, wait_until
from test_rtmp import count_packets, expect_alive


def _tags(path):
    with open(path, "rb") as f:
        return parse_flv_tags(f.read())[0]


def _av(tags):
    return [t for t in tags if t["type"] in (8, 9)]


def _wait_publish(srv, stream, timeout=10, offset=0):
    check(wait_log(srv, r"publish \S+/live/%s\S* start" % stream, timeout, offset=offset),
          "the publish of %s did not start" % stream)


def _dump(env, url, name, seconds):
    """rtmpdump url for `seconds` of wall time (a measuring window); the FLV tags it got."""
    out = env.path(name + ".flv")
    p = env.spawn(name, ["rtmpdump", "-q", "-r", url, "-o", out])
    check(wait_until(lambda: os.path.exists(out) and os.path.getsize(out) > 13, 10), "%s got nothing" % name)
    time.sleep(seconds)
    expect_alive(p, name)
    p.stop()
    return _tags(out)


def test_send_min_interval_paces_players(env):
    """play.send_min_interval 100: a player gets one message per 100 ms (about 10/s), while a
    player of a vhost without it gets the cached GOP at once and ~68 messages/s."""
    srv = env.server("vhost __defaultVhost__ { }\n"
                     "vhost paced { play { send_min_interval 100; } }\n")
    pub_n = env.publish_file(srv.url("normal"), env.media("main"), seconds=30, name="pub-normal")
    pub_p = env.publish_file(srv.url("paced", vhost="paced"), env.media("main"), seconds=30, name="pub-paced")
    _wait_publish(srv, "normal")
    _wait_publish(srv, "paced")
    time.sleep(1.0)  # a GOP's worth in the cache, so the unpaced player's burst shows
    normal = _av(_dump(env, srv.url("normal"), "dump-normal", 3))
    paced = _av(_dump(env, srv.url("paced", vhost="paced"), "dump-paced", 3))
    env.note("measured in 3 s: %d messages unpaced, %d with send_min_interval 100" % (len(normal), len(paced)))
    check(len(normal) >= 150, "the unpaced player got only %d messages in 3 s" % len(normal))
    check(5 <= len(paced) <= 36, "the paced player got %d messages in 3 s, expected about 30" % len(paced))
    ts = [t["ts"] for t in paced if t["type"] == 9]
    check(ts == sorted(ts), "paced video out of order")
    expect_alive(pub_n, "publisher")
    expect_alive(pub_p, "paced publisher")


def test_atc_keeps_the_encoder_timeline(env):
    """play.atc on: players get the encoder's absolute timestamps (here from 100 s on), the
    cached sequence headers with the GOP's time, not 0; without atc they start at 0."""
    srv = env.server("vhost __defaultVhost__ { }\nvhost atc { play { atc on; } }\n")
    args = ["ffmpeg"] + env.FF + ["-re", "-i", env.media("main"), "-c", "copy", "-t", "20",
                                  "-output_ts_offset", "100", "-f", "flv"]
    env.spawn("pub-atc", args + [srv.url("s", vhost="atc")])
    env.spawn("pub-plain", args + [srv.url("s")])
    for vhost in ("atc", "__defaultVhost__"):
        check(wait_log(srv, r"publish %s/live/s\S* start" % vhost, 10), "the publish to %s did not start" % vhost)
    time.sleep(2.5)  # past the first keyframe: a GOP is cached
    atc = _dump(env, srv.url("s", vhost="atc"), "dump-atc", 1)
    plain = _dump(env, srv.url("s"), "dump-plain", 1)
    first_atc = [t["ts"] for t in atc if t["type"] in (8, 9)][:4]
    first_plain = [t["ts"] for t in plain if t["type"] in (8, 9)][:4]
    env.note("measured first A/V timestamps: atc %s, default %s" % (first_atc, first_plain))
    check(first_atc and min(first_atc) >= 100000, "atc player starts at %s, expected >= 100000" % first_atc)
    seqh = [t for t in atc if t["type"] == 9 and t["data"][:2] == b"\x17\x00"]
    check(seqh and seqh[0]["ts"] >= 100000, "atc sequence header at %s" % (seqh[0]["ts"] if seqh else None))
    check(first_plain and first_plain[0] < 1000, "default player starts at %s, expected about 0" % first_plain)


def test_mix_correct_keeps_every_packet(env):
    """play.mix_correct on: a normal stream passes through the reorder queue whole: a
    -c copy recording has every packet of the source's span, audio and video interleaved
    in dts order (the reordering itself is unit-tested in MixQueue and Source)."""
    srv = env.server("vhost __defaultVhost__ { play { mix_correct on; } }\n")
    url = srv.url("mix")
    rec = env.path("rec.flv")
    player = env.spawn("player", ["ffmpeg"] + env.FF + ["-y", "-i", url, "-c", "copy", "-t", "5.5",
                                                        "-f", "flv", rec])
    pub = env.publish_file(url, env.media("main"), seconds=7)
    rc = player.wait(20)
    check(rc == 0, "player exit %s: %s" % (rc, player.errtail(3)))
    check(pub.wait(10) == 0, "publisher failed: %s" % pub.errtail(3))
    c = count_packets(env, rec)
    env.note("measured mix_correct recording of 5.5 s: %s" % c)
    check(c.get("video", (0, 0))[1] >= 125, "video packets %s, expected ~137" % (c.get("video"),))
    check(c.get("audio", (0, 0))[1] >= 220, "audio packets %s, expected ~237" % (c.get("audio"),))
    for kind in (8, 9):
        ts = [t["ts"] for t in _tags(rec) if t["type"] == kind]
        check(ts == sorted(ts), "%s timestamps out of order" % ("audio" if kind == 8 else "video"))


def test_parse_sps_off_reports_no_resolution(env):
    """publish.parse_sps off: the API reports codec, profile and level from the record
    header and width/height 0 (as SRS); on (the default) it reports 320x240."""
    srv = env.server(http_body(api=True, vhosts="vhost __defaultVhost__ { }\n"
                                                "vhost nosps { publish { parse_sps off; } }\n"))
    env.publish_file(srv.url("a"), env.media("main"), seconds=20, name="pub-a")
    env.publish_file(srv.url("b", vhost="nosps"), env.media("main"), seconds=20, name="pub-b")

    def videos():
        got = {}
        for s in api_ok(srv.api_port, "/api/v1/streams").get("streams", []):
            if s.get("video"):
                got[s["name"]] = s["video"]
        return got if len(got) == 2 else None
    got = wait_until(videos, 10)
    check(got, "the API does not list both streams with video")
    env.note("measured API video: %s" % got)
    on, off = got["a"], got["b"]
    check((on["width"], on["height"]) == (320, 240), "parse_sps on: %s" % on)
    check((off["width"], off["height"]) == (0, 0), "parse_sps off still parsed the SPS: %s" % off)
    check(off["codec"] == "H264" and off["profile"] == on["profile"] and off["level"] == on["level"],
          "parse_sps off lost codec/profile/level: %s vs %s" % (off, on))


def test_kickoff_for_idle(env):
    """publish.kickoff_for_idle 2 (seconds, as SRS): a stream nobody plays is closed about
    2 s after publish; one with a player is kept, and closed about 2 s after it leaves."""
    srv = env.server("vhost __defaultVhost__ { publish { kickoff_for_idle 2; } }\n")
    t0 = time.monotonic()
    lonely = env.publish_file(srv.url("lonely"), env.media("main"), seconds=20, name="pub-lonely")
    rc = lonely.wait(10)
    took = time.monotonic() - t0
    env.note("measured: the unwatched publisher ended (exit %s) %.1f s after it started" % (rc, took))
    check(rc is not None, "the unwatched publisher was not closed within 10 s")
    check(took >= 2.0, "closed after %.1f s, before kickoff_for_idle" % took)
    check(wait_log(srv, r"kickoff_for_idle", 2), "no kickoff_for_idle line in the log")

    url = srv.url("watched")
    player = env.spawn("player", ["ffmpeg"] + env.FF + ["-i", url, "-f", "null", "-"])
    pub = env.publish_file(url, env.media("main"), seconds=20, name="pub-watched")
    _wait_publish(srv, "watched")
    time.sleep(4.0)  # twice kickoff_for_idle with a player: the publisher must stay
    expect_alive(pub, "watched publisher")
    player.stop()
    t1 = time.monotonic()
    rc = pub.wait(10)
    env.note("measured: the publisher ended %.1f s after its last player left" % (time.monotonic() - t1))
    check(rc is not None, "the publisher was not closed after its player left")


def _publish_late_audio(env, port, app_vhost, stream, lag_ms=300, seconds=5):
    """Publish the test file's first seconds with audio sent lag_ms late (an encoder with a
    badly buffered audio path): the wire order is not the dts order."""
    with open(env.media("main"), "rb") as f:
        tags = parse_flv_tags(f.read())[0]
    tags = [t for t in tags if t["ts"] <= seconds * 1000]
    wire = sorted(tags, key=lambda t: (t["ts"] + (lag_ms if t["type"] == 8 else 0), t["type"] != 18))
    pub = RtmpRaw(port)
    pub.connect("live" + app_vhost, "rtmp://127.0.0.1:%d/live%s" % (port, app_vhost))
    pub.publish(stream)
    for t in wire:
        pub.media(t["type"], t["ts"], t["data"])
    return pub, len([t for t in tags if t["type"] in (8, 9)])


def test_mix_correct_reorders_a_late_track(env):
    """play.mix_correct on: a publisher whose audio arrives 300 ms late (wire order is not
    dts order) reaches rtmpdump interleaved in dts order; without it (time_jitter off on
    both, as SRS advises) rtmpdump sees the wire order."""
    srv = env.server("vhost __defaultVhost__ { play { time_jitter off; } }\n"
                     "vhost mix { play { time_jitter off; mix_correct on; } }\n")
    got = {}
    for name, vhost in (("plain", ""), ("mix", "?vhost=mix")):
        out = env.path("dump-%s.flv" % name)
        url = srv.url("late") if not vhost else srv.url("late", vhost="mix")
        # stdbuf: rtmpdump writes the FLV to stdout unbuffered, so the file is what it has received
        dump = env.spawn("rtmpdump-" + name, ["stdbuf", "-o0", "rtmpdump", "-q", "-r", url, "-o", "-"],
                         stdout=out)
        check(wait_log(srv, r"play \S+/live/late\S* start", 10, offset=0), "rtmpdump did not start playing")
        time.sleep(0.3)  # both players attached before the publish starts: nothing must be missed
        pub, sent = _publish_late_audio(env, srv.port, vhost, "late")
        check(wait_until(lambda: len(_av(_tags(out))) >= sent * 0.8, 10),
              "%s: rtmpdump got %d of %d A/V messages" % (name, len(_av(_tags(out))), sent))
        pub.finish()  # mix_correct holds the late track's tail until the unpublish flushes it
        wait_until(lambda: len(_av(_tags(out))) >= sent, 10)
        dump.stop()
        ts = [t["ts"] for t in _av(_tags(out))]
        check(len(ts) >= sent - 2, "%s: rtmpdump got %d of %d A/V messages" % (name, len(ts), sent))
        got[name] = sum(1 for a, b in zip(ts, ts[1:]) if b < a)
        env.note("measured %s: %d A/V messages, %d steps back in time" % (name, len(ts), got[name]))
    check(got["plain"] > 10, "the late-audio publisher was not out of order on the wire (%d steps back)"
          % got["plain"])
    check(got["mix"] == 0, "mix_correct delivered %d steps back in time" % got["mix"])
