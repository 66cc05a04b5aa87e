#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make soak`: objs/strand under churn for a while, watching for leaks and lost frames.

    python3 scripts/soak.py [--minutes N] [--report FILE]

The load (defaults): 20 RTMP publishers of looped files (objs/strand_bench rtmp-publish)
and 4 more that ffmpeg publishes for 15 s and publishes again (republish churn); 500
players in churning rounds: 200 RTMP and 200 HTTP-FLV players (strand_bench, --streams:
spread over the 20 streams) connect, play a round of --cycle seconds and leave, again
and again, and 100 HLS viewers fetch a random stream's playlist and newest segment
every 2 s. Every 5 s the server's RSS, open descriptors and coroutines are sampled
(/proc and GET /api/v1/summaries).

Checks, each printed PASS/FAIL, then "N passed, M failed" (scripts/test.sh adds them up):
  - the server stays up;
  - RSS flat after warm-up: the peak of the last round is within 5% of the higher peak
    of the two rounds after warm-up (rounds 1 and 2; round 0 warms up, and the
    allocator's arenas may still settle during round 1: on a busy CI machine the 2-minute
    run saw round 1 sit 2-3% below round 2 with no growth after it);
  - no descriptor or coroutine leak: once every client has gone, both are back to what
    they were before the first client came;
  - no frame lost: the server dropped nothing for any player (strand_consumer_dropped_total),
    and each round's strand_bench report has no failed or early-closed connection and
    every player got the frames its timestamps span (99.5%: the file's loop seam);
  - HLS viewers got every playlist and segment they asked for after the first round.
Environment: SOAK_MINUTES (default 30; CI runs 2), STRAND_BIN, STRAND_BENCH.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "trunk", "itest"))
from strand_env import free_ports, port_accepts  # noqa: E402

STRAND = os.environ.get("STRAND_BIN", os.path.join(ROOT, "objs", "strand"))
BENCH = os.environ.get("STRAND_BENCH", os.path.join(ROOT, "objs", "strand_bench"))
SAMPLE_SECONDS = 5
RSS_GROWTH_MAX = 0.05
# strand_bench counts frames against the span of their timestamps; where the publisher
# loops its 20 s file the step is one frame off, so a whole round reads 99.9%
FRAMES_PCT_MIN = 99.5


class Soak:
    def __init__(self, args):
        self.args = args
        self.dir = tempfile.mkdtemp(prefix="strand-soak-")
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.procs = []
        self.samples = []   # (t, rss_kb, fds, coroutines, clients)
        self.rounds = {"rtmp": [], "flv": []}  # strand_bench JSON reports, in order
        self.hls = {"ok": 0, "errors": 0, "late_errors": 0, "error_examples": []}
        self.round_marks = []  # wall times when an RTMP round started
        self.t0 = time.monotonic()
        self.hls_dispose = 5

    # ---- processes ----
    def spawn(self, name, argv, **kw):
        log = open(os.path.join(self.dir, name + ".log"), "ab")
        p = subprocess.Popen(argv, stdout=kw.pop("stdout", log), stderr=log, stdin=subprocess.DEVNULL,
                             start_new_session=True, cwd=self.dir, **kw)
        with self.lock:
            self.procs.append(p)
        return p

    def kill_all(self, keep_server=False):
        """SIGTERM every process group started (but the server's, with keep_server), then
        SIGKILL what is left after 10 s."""
        with self.lock:
            procs = [p for p in self.procs if not (keep_server and p is self.server)]
        for p in procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except OSError:
                    pass
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()

    # ---- setup ----
    def make_media(self):
        out = os.path.join(self.dir, "media.flv")
        subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                        "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
                        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                        "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-pix_fmt", "yuv420p",
                        "-c:a", "aac", "-b:a", "64k", "-t", "20", "-f", "flv", out], check=True, timeout=120)
        return out

    def start_server(self):
        self.rtmp_port, self.http_port, self.api_port, self.exporter_port = free_ports(4)
        conf = os.path.join(self.dir, "soak.conf")
        with open(conf, "w") as f:
            f.write("listen %d;\nmax_connections 4000;\ndaemon off;\nsrs_log_tank file;\n"
                    "srs_log_file ./strand.log;\nsrs_log_level warn;\npid ./strand.pid;\n"
                    "http_server {\n    enabled on;\n    listen %d;\n    dir ./html;\n}\n"
                    "http_api {\n    enabled on;\n    listen %d;\n}\n"
                    "exporter {\n    enabled on;\n    listen %d;\n}\n"
                    "vhost __defaultVhost__ {\n    play { gop_cache on; }\n"
                    "    http_remux {\n        enabled on;\n        mount [vhost]/[app]/[stream].flv;\n    }\n"
                    "    hls {\n        enabled on;\n        hls_path ./html;\n        hls_fragment 2;\n"
                    "        hls_window 10;\n        hls_dispose %d;\n    }\n}\n"
                    % (self.rtmp_port, self.http_port, self.api_port, self.exporter_port, self.hls_dispose))
        self.server = self.spawn("server", [STRAND, "-c", conf])
        deadline = time.monotonic() + 10
        while not (port_accepts(self.api_port) and port_accepts(self.rtmp_port)):
            if self.server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start (see %s/server.log)" % self.dir)
            time.sleep(0.1)

    # ---- measurements ----
    def api(self, path):
        """GET an API path on a connection of its own (urllib closes it), so the
        measurement leaves no connection behind; the JSON or {}."""
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d%s" % (self.api_port, path), timeout=10) as r:
                return json.loads(r.read().decode())
        except (urllib.error.URLError, OSError, ValueError):
            return {}

    def sample(self):
        pid = self.server.pid
        rss = 0
        try:
            with open("/proc/%d/status" % pid) as f:
                m = re.search(r"^VmRSS:\s+(\d+)", f.read(), re.M)
                rss = int(m.group(1)) if m else 0
            fds = len(os.listdir("/proc/%d/fd" % pid))
        except OSError:
            return None
        data = self.api("/api/v1/summaries").get("data", {})
        co = data.get("self", {}).get("coroutines", -1)
        clients = data.get("system", {}).get("conn_srs", -1)
        s = (time.monotonic() - self.t0, rss, fds, co, clients)
        with self.lock:
            self.samples.append(s)
        return s

    def live_streams(self):
        streams = self.api("/api/v1/streams?count=1000").get("streams", [])
        return sum(1 for st in streams if st.get("publish", {}).get("active"))

    def dropped(self):
        """Packets the server dropped for players that fell behind, over every stream."""
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.exporter_port, timeout=10) as r:
                text = r.read().decode()
        except (urllib.error.URLError, OSError):
            return -1
        return sum(float(v) for v in re.findall(r"^strand_consumer_dropped_total\{[^}]*\} (\S+)$", text, re.M))

    def sampler(self):
        while not self.stop.wait(SAMPLE_SECONDS):
            self.sample()

    # ---- load ----
    def player_rounds(self, kind):
        if kind == "rtmp":
            url = "rtmp://127.0.0.1:%d/live/s" % self.rtmp_port
            n = self.args.rtmp
        else:
            url = "http://127.0.0.1:%d/live/s.flv" % self.http_port
            n = self.args.flv
        while not self.stop.is_set():
            if kind == "rtmp":
                with self.lock:
                    self.round_marks.append(time.monotonic() - self.t0)
            p = self.spawn("%s-round" % kind, [BENCH, "%s-play" % kind, "-u", url, "-n", str(n), "--streams",
                                               str(self.args.publishers), "--ramp", "100", "-d",
                                               str(self.args.cycle), "--json"], stdout=subprocess.PIPE)
            out, _ = p.communicate()
            if self.stop.is_set() and p.returncode != 0:
                break
            report = None
            for line in out.decode("utf-8", "replace").splitlines():
                if line.startswith("{"):
                    report = json.loads(line)
            with self.lock:
                self.rounds[kind].append(report or {"failed": n, "error": "no report (exit %s)" % p.returncode})

    def republisher(self, i, media):
        url = "rtmp://127.0.0.1:%d/live/churn_%d" % (self.rtmp_port, i)
        while not self.stop.is_set():
            p = self.spawn("churn-%d" % i, ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                                            "-i", media, "-c", "copy", "-t", "15", "-f", "flv", url])
            while p.poll() is None and not self.stop.is_set():
                time.sleep(0.2)
            if p.poll() is None:
                p.terminate()
                p.wait()
            self.stop.wait(1.0)  # a broadcaster's reconnect delay

    def hls_viewer(self):
        base = "http://127.0.0.1:%d/live/" % self.http_port
        while not self.stop.is_set():
            name = "s_%d" % random.randrange(self.args.publishers)
            try:
                with urllib.request.urlopen(base + name + ".m3u8", timeout=10) as r:
                    playlist = r.read().decode()
                segs = [l for l in playlist.splitlines() if l and not l.startswith("#")]
                if segs:
                    with urllib.request.urlopen(base + segs[-1].rsplit("/", 1)[-1], timeout=10) as r:
                        r.read()
                with self.lock:
                    self.hls["ok"] += 1
            except (urllib.error.URLError, OSError, ValueError) as e:
                with self.lock:
                    self.hls["errors"] += 1
                    if len(self.round_marks) > 1:  # after the first round: the playlists exist
                        self.hls["late_errors"] += 1
                        if len(self.hls["error_examples"]) < 3:
                            self.hls["error_examples"].append("%s: %s" % (name, e))
            self.stop.wait(2.0)

    # ---- the run ----
    def fd_targets(self):
        out = []
        d = "/proc/%d/fd" % self.server.pid
        for name in sorted(os.listdir(d), key=int):
            try:
                out.append(os.readlink(os.path.join(d, name)))
            except OSError:
                pass
        return out

    def warm_up(self, media):
        """One of every kind of client for a few seconds, then idle: what the server
        creates once (worker threads, pools) exists before the baseline is taken."""
        url = "rtmp://127.0.0.1:%d/live/warm" % self.rtmp_port
        pub = self.spawn("warm-pub", ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-i", media,
                                      "-c", "copy", "-t", "6", "-f", "flv", url])
        time.sleep(1.0)  # the warm-up's own schedule
        for argv in ([BENCH, "rtmp-play", "-u", url, "-d", "4"],
                     [BENCH, "flv-play", "-u", "http://127.0.0.1:%d/live/warm.flv" % self.http_port, "-d", "4"]):
            self.spawn("warm-play", argv)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/live/warm.m3u8" % self.http_port, timeout=5) as r:
                    r.read()
                break
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        pub.wait(30)
        time.sleep(self.hls_dispose + 3)  # the stream's HLS is disposed: back to idle

    def run(self):
        media = self.make_media()
        self.start_server()
        self.warm_up(media)
        base = self.sample()
        self.baseline = base
        self.baseline_fds = self.fd_targets()
        self.spawn("publishers", [BENCH, "rtmp-publish", "-u", "rtmp://127.0.0.1:%d/live/s" % self.rtmp_port,
                                  "-n", str(self.args.publishers), "-i", media, "-d", "0"])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.live_streams() < self.args.publishers:
            time.sleep(0.5)  # players of streams not yet published would only count as failures
        threads = [threading.Thread(target=self.sampler, daemon=True)]
        threads += [threading.Thread(target=self.republisher, args=(i, media), daemon=True) for i in range(4)]
        threads += [threading.Thread(target=self.player_rounds, args=(k,), daemon=True) for k in ("rtmp", "flv")]
        threads += [threading.Thread(target=self.hls_viewer, daemon=True) for _ in range(self.args.hls)]
        for t in threads:
            t.start()
        end = time.monotonic() + self.args.minutes * 60
        while time.monotonic() < end and self.server.poll() is None:
            time.sleep(1)
        self.max_dropped = self.dropped()  # while every stream is still in the table
        self.stop.set()
        for t in threads:
            t.join(self.args.cycle + 30)
        self.kill_all(keep_server=True)
        # every client gone: wait for the server to see it, then a last sample
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.server.poll() is None:
            s = self.sample()
            if s and s[4] <= base[4] and s[2] <= base[2] and s[3] <= base[3]:
                break
            time.sleep(1)
        self.final = self.sample()
        self.final_fds = self.fd_targets() if self.server.poll() is None else []
        return self.check()

    # ---- verdicts ----
    def round_peaks(self):
        """Peak RSS within each RTMP round (the samples between two round starts)."""
        marks = self.round_marks + [float("inf")]
        peaks = []
        for a, b in zip(marks, marks[1:]):
            vals = [s[1] for s in self.samples if a <= s[0] < b]
            if vals:
                peaks.append(max(vals))
        return peaks

    def check(self):
        results = []

        def verdict(name, ok, detail):
            results.append((name, ok, detail))
            print("%s soak: %s (%s)" % ("PASS" if ok else "FAIL", name, detail), flush=True)

        alive = self.server.poll() is None
        verdict("server up", alive, "exit %s" % self.server.poll() if not alive else "running for %.0f s"
                % (time.monotonic() - self.t0))
        peaks = self.round_peaks()
        complete = peaks[:-1] if len(peaks) > 2 else peaks  # the last round may be cut short
        if len(complete) >= 3:
            base = max(complete[1:3]) if len(complete) >= 4 else complete[1]
            growth = (complete[-1] - base) / float(base)
            verdict("RSS flat after warm-up", growth < RSS_GROWTH_MAX,
                    "round peaks %s KiB: %+.1f%% from rounds 1-2 to the last" % (complete, growth * 100))
        else:
            verdict("RSS flat after warm-up", False, "only %d complete rounds: run longer" % len(complete))
        b, f = self.baseline, self.final or (0, 0, -1, -1, -1)
        extra = list(self.final_fds)
        for t in self.baseline_fds:
            if t in extra:
                extra.remove(t)
        verdict("no descriptor leak", f[2] <= b[2], "%d open before the clients, %d after%s"
                % (b[2], f[2], ", new: %s" % extra[:5] if extra else ""))
        verdict("no coroutine leak", 0 <= f[3] <= b[3], "%d before the clients, %d after" % (b[3], f[3]))
        left = ""
        if f[4] != 0:
            left = [(c.get("type"), c.get("ip"), c.get("url"), c.get("alive"))
                    for c in self.api("/api/v1/clients?count=5").get("clients", [])]
        verdict("clients all gone", f[4] <= b[4], "%d connections in the API before the load (the API's own"
                " request), %d after %s" % (b[4], f[4], left))
        verdict("no frame dropped for a player", self.max_dropped == 0,
                "strand_consumer_dropped_total summed over the streams: %d" % self.max_dropped)
        for kind in ("rtmp", "flv"):
            rounds = [r for r in self.rounds[kind] if r is not None]
            bad = [r for r in rounds if r.get("failed", 1) or r.get("closed", 1)
                   or r.get("frames_pct_min", 0) < FRAMES_PCT_MIN]
            verdict("%s players kept up" % kind, bool(rounds) and not bad,
                    "%d rounds of %d players; worst frames %% %s; bad rounds: %s"
                    % (len(rounds), self.args.rtmp if kind == "rtmp" else self.args.flv,
                       min((r.get("frames_pct_min", 0) for r in rounds), default=None), bad[:2]))
        verdict("HLS viewers served", self.hls["late_errors"] == 0 and self.hls["ok"] > 0,
                "%d playlist+segment fetches, %d errors after the first round %s"
                % (self.hls["ok"], self.hls["late_errors"], self.hls["error_examples"]))
        self.results = results
        return results

    def report(self, path):
        with open(path, "w") as f:
            f.write("# Soak\n\nWritten by `make soak` (scripts/soak.py): %.0f minutes, %d RTMP publishers "
                    "(+4 republishing every 16 s), %d RTMP + %d HTTP-FLV players in %d s rounds, %d HLS "
                    "viewers.\n\n" % (self.args.minutes, self.args.publishers, self.args.rtmp, self.args.flv,
                                       self.args.cycle, self.args.hls))
            f.write("| check | result | detail |\n|---|---|---|\n")
            for name, ok, detail in self.results:
                f.write("| %s | %s | %s |\n" % (name, "pass" if ok else "FAIL", detail.replace("|", "/")))
            f.write("\n| t (s) | RSS (KiB) | open fds | coroutines | connections |\n|---|---|---|---|---|\n")
            step = max(1, len(self.samples) // 40)
            for s in self.samples[::step]:
                f.write("| %.0f | %d | %d | %d | %d |\n" % s)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", "30")))
    ap.add_argument("--publishers", type=int, default=20)
    ap.add_argument("--rtmp", type=int, default=200)
    ap.add_argument("--flv", type=int, default=200)
    ap.add_argument("--hls", type=int, default=100)
    ap.add_argument("--cycle", type=int, default=25, help="seconds each round of players plays")
    ap.add_argument("--report", metavar="FILE", help="write the results as Markdown")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    soak = Soak(args)
    try:
        results = soak.run()
        if args.report:
            soak.report(args.report)
    except Exception as e:  # the run itself broke: one failure, with the reason
        print("FAIL soak: the run broke: %s: %s" % (type(e).__name__, e), flush=True)
        results = [("run", False, str(e))]
    finally:
        soak.stop.set()
        soak.kill_all()
        if not args.keep:
            shutil.rmtree(soak.dir, ignore_errors=True)
        else:
            print("kept %s" % soak.dir)
    passed = sum(1 for r in results if r[1])
    print("%d passed, %d failed" % (passed, len(results) - passed), flush=True)
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
