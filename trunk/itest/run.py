#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run Strand's integration tests: objs/strand against real clients.

    python3 trunk/itest/run.py [-k SUBSTRING] [-v] [--keep] [--json FILE] [--list] [-j N]

Discovers trunk/itest/test_*.py and runs every `def test_xxx(env)` in file order.
Prints `PASS name (1.2s)` or `FAIL name: reason` per test and ends with the line
`N passed, M failed`; the exit code is 0 only when M is 0.

With -j N (or STRAND_ITEST_JOBS), the modules are split into N shards run by child
runners side by side; a module always runs whole, in one shard, in file order. The
tests spend most of their time waiting for real-time media, so two shards on two
cores take about half the time. HEAVY modules (headless Chromium, ffmpeg encoders)
share one shard so that two of them never run at once.
"""

import argparse
import glob
import importlib.util
import json
import os
import re
import selectors
import signal
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import strand_env  # noqa: E402

_RESULT_LINE = re.compile(r"^(\d+) passed, (\d+) failed$")

TEST_TIMEOUT = int(os.environ.get("STRAND_ITEST_TIMEOUT", "120"))

# modules that load the CPU for long stretches (browsers, encoders): never two at once
HEAVY = ("players", "rtc", "process")


class TestTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise TestTimeout("test exceeded %ds" % TEST_TIMEOUT)


def _term(signum, frame):
    raise KeyboardInterrupt("signal %d" % signum)


def discover():
    tests = []
    for path in sorted(glob.glob(os.path.join(HERE, "test_*.py"))):
        modname = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(modname, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for name, fn in list(vars(mod).items()):  # definition order
            if name.startswith("test_") and callable(fn):
                tests.append(("%s.%s" % (modname[5:], name[5:]), fn))
    return tests


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("-k", action="append", default=[],
                    help="run only tests whose name contains this (repeatable)")
    ap.add_argument("-v", "--verbose", action="store_true", help="show commands and measurements")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--json", metavar="FILE", help="also write results as JSON to FILE")
    ap.add_argument("--list", action="store_true", help="list the tests and exit")
    ap.add_argument("-j", "--jobs", type=int, default=int(os.environ.get("STRAND_ITEST_JOBS", "1")),
                    help="run the modules in N shards side by side (default 1)")
    ap.add_argument("--names", metavar="FILE", help=argparse.SUPPRESS)  # a shard's test list
    args = ap.parse_args()

    tests = discover()
    if args.k:
        tests = [t for t in tests if any(k in t[0] for k in args.k)]
    if args.names:
        with open(args.names) as f:
            wanted = set(f.read().split())
        tests = [t for t in tests if t[0] in wanted]
    if args.list:
        for name, _ in tests:
            print(name)
        return 0
    if args.jobs > 1 and len({module_of(n) for n, _ in tests}) > 1:
        return run_shards(args, [n for n, _ in tests])
    return run_serial(args, tests)


def module_of(name):
    return name.split(".", 1)[0]


def plan_shards(names, jobs):
    """Modules to shards: heavy modules as one unit, then the largest unit (in tests)
    first onto the shard with the fewest tests."""
    units = {}
    for n in names:
        key = "heavy" if module_of(n) in HEAVY else module_of(n)
        units.setdefault(key, []).append(n)
    shards = [[] for _ in range(jobs)]
    for unit in sorted(units.values(), key=len, reverse=True):
        min(shards, key=len).extend(unit)
    return [s for s in shards if s]


def run_shards(args, names):
    tmp = tempfile.mkdtemp(prefix="strand-itest-shards-")
    children = []
    sel = selectors.DefaultSelector()
    try:
        for i, shard in enumerate(plan_shards(names, args.jobs)):
            listing = os.path.join(tmp, "shard%d.names" % i)
            with open(listing, "w") as f:
                f.write("\n".join(shard))
            cmd = [sys.executable, os.path.abspath(__file__), "--names", listing]
            cmd += ["-v"] if args.verbose else []
            cmd += ["--keep"] if args.keep else []
            cmd += ["--json", listing + ".json"] if args.json else []
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            children.append({"proc": p, "buf": b"", "last": "", "json": listing + ".json"})
            sel.register(p.stdout, selectors.EVENT_READ, children[-1])
        open_pipes = len(children)
        while open_pipes:
            for key, _ in sel.select():
                child = key.data
                chunk = os.read(key.fileobj.fileno(), 65536)
                if not chunk:
                    sel.unregister(key.fileobj)
                    open_pipes -= 1
                    chunk = b"\n" if child["buf"] else b""
                child["buf"] += chunk
                *lines, child["buf"] = child["buf"].split(b"\n")
                for line in lines:
                    text = line.decode("utf-8", "replace")
                    if text.strip():
                        child["last"] = text
                    if not _RESULT_LINE.match(text):  # the totals are ours to print
                        print(text, flush=True)
        for child in children:
            child["proc"].wait()
    except KeyboardInterrupt:
        for child in children:
            child["proc"].terminate()
        for child in children:
            child["proc"].wait()
        print("interrupted", flush=True)
        print("0 passed, 1 failed", flush=True)
        return 1
    passed = failed = 0
    for child in children:
        m = _RESULT_LINE.match(child["last"])
        if m:
            passed += int(m.group(1))
            failed += int(m.group(2))
        else:
            print("a shard ended without its result line (exit %d)" % child["proc"].returncode, flush=True)
            failed += 1
    if args.json:
        merged = {"passed": passed, "failed": failed, "tests": []}
        for child in children:
            if os.path.exists(child["json"]):
                with open(child["json"]) as f:
                    merged["tests"] += json.load(f)["tests"]
        with open(args.json, "w") as f:
            json.dump(merged, f, indent=1)
    if not args.keep:
        for name in os.listdir(tmp):
            os.unlink(os.path.join(tmp, name))
        os.rmdir(tmp)
    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 0 if failed == 0 else 1


def run_serial(args, tests):
    signal.signal(signal.SIGTERM, _term)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored
    signal.signal(signal.SIGALRM, _alarm)
    ctx = strand_env.RunContext(verbose=args.verbose, keep=args.keep)
    results = []
    interrupted = False
    if not os.path.exists(strand_env.STRAND_BIN):
        print("note: %s does not exist; every test will fail" % strand_env.STRAND_BIN, flush=True)
    try:
        for name, fn in tests:
            env = strand_env.Env(ctx, name.replace(".", "-"))
            t0 = time.monotonic()
            reason = None
            detail = ""
            signal.alarm(TEST_TIMEOUT)
            try:
                fn(env)
            except KeyboardInterrupt:
                reason = "interrupted"
                interrupted = True
            except (AssertionError, TestTimeout) as e:
                reason = str(e) or type(e).__name__
                if args.verbose:
                    detail = traceback.format_exc()
            except Exception as e:  # a broken test or harness error still counts as a failure
                reason = "%s: %s" % (type(e).__name__, e)
                detail = traceback.format_exc()
            finally:
                signal.alarm(0)
                try:
                    problems = env.close(reason is not None)
                except KeyboardInterrupt:
                    problems = []
                    interrupted = True
                    strand_env.kill_all_tracked()
            if problems and reason is None:
                reason = "; ".join(problems)
            elif problems:
                reason += " (also: %s)" % "; ".join(problems)
            secs = time.monotonic() - t0
            if reason is None:
                print("PASS %s (%.1fs)" % (name, secs), flush=True)
                for n in env.notes:
                    if n.startswith("measured") and not args.verbose:
                        print("    " + n, flush=True)
            else:
                print("FAIL %s: %s" % (name, reason.replace("\n", " | ")), flush=True)
                if detail:
                    print("    " + detail.rstrip().replace("\n", "\n    "), flush=True)
                for n in env.notes:
                    if n.startswith("measured"):
                        print("    " + n, flush=True)
                if env.servers:
                    print("    " + env.server_tails().replace("\n", "\n    "), flush=True)
            results.append({"name": name, "passed": reason is None, "reason": reason,
                            "seconds": round(secs, 2)})
            if interrupted:
                break
    except KeyboardInterrupt:
        interrupted = True
    finally:
        strand_env.kill_all_tracked()
        ctx.cleanup()
    passed = sum(1 for r in results if r["passed"])
    failed = len(results) - passed
    if interrupted:
        print("interrupted", flush=True)
        if not results or results[-1]["reason"] != "interrupted":
            failed += 1  # interrupted between tests: still not a green run
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"passed": passed, "failed": failed, "tests": results}, f, indent=1)
    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 0 if failed == 0 and not interrupted else 1


if __name__ == "__main__":
    sys.exit(main())
