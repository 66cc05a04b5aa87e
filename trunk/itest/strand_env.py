# SPDX-License-Identifier: MIT
"""Helpers for Strand's integration tests (Python 3 standard library only).

Every test gets an Env: it writes configs into a private temporary directory, starts
objs/strand with them on free ports, runs real clients (ffmpeg, ffprobe, rtmpdump)
and tracks every process it starts, so that all of them are killed when the test
ends, fails, times out or the run is interrupted.
"""

import atexit
import base64
import http.client
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STRAND_BIN = os.environ.get("STRAND_BIN", os.path.join(ROOT, "objs", "strand"))

# ---------------------------------------------------------------- process tracking

_ALL_PROCS = []          # every Popen this run started, alive or not
_ALL_PROCS_LOCK = threading.Lock()


def _track(p):
    with _ALL_PROCS_LOCK:
        _ALL_PROCS.append(p)
    return p


def kill_proc(p, term_timeout=0.0, sig=signal.SIGTERM):
    """Stop one process we started: sig, wait term_timeout, then SIGKILL, then reap."""
    if p.poll() is not None:
        return p.returncode
    try:
        if term_timeout > 0:
            p.send_signal(sig)
            try:
                return p.wait(timeout=term_timeout)
            except subprocess.TimeoutExpired:
                pass
        p.kill()
    except ProcessLookupError:
        pass
    try:
        return p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        return None


_ALL_PIDS = []           # processes we did not start as children (a daemonised server)


def pid_runs_exe(pid, exe):
    """True if pid is alive (not a zombie) and runs exe: pids get reused."""
    try:
        if os.path.realpath("/proc/%d/exe" % pid) != os.path.realpath(exe):
            return False
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        return st[st.rindex(")") + 2] != "Z"
    except (OSError, ValueError, IndexError):
        return False


def kill_pid(pid, exe):
    """SIGKILL a process we did not fork (a daemon) if it still runs exe."""
    if pid_runs_exe(pid, exe):
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def kill_all_tracked():
    with _ALL_PROCS_LOCK:
        procs = list(_ALL_PROCS)
        pids = list(_ALL_PIDS)
    for pid, exe in pids:
        kill_pid(pid, exe)
    for p in procs:
        if p.poll() is None:
            try:
                p.kill()
            except ProcessLookupError:
                pass
    for p in procs:
        try:
            p.wait(timeout=5)
        except Exception:
            pass


atexit.register(kill_all_tracked)


class TestFailure(AssertionError):
    pass


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


# ---------------------------------------------------------------- small utilities


def free_port():
    """A TCP port that was free a moment ago on 127.0.0.1 (bind 0, close)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def free_ports(n):
    ports = set()
    while len(ports) < n:
        ports.add(free_port())
    return sorted(ports)


def port_accepts(port, host="127.0.0.1", timeout=0.5):
    try:
        s = socket.create_connection((host, port), timeout=timeout)
    except OSError:
        return False
    s.close()
    return True


def tail(path, n=30):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return "(cannot read %s: %s)" % (path, e)
    lines = data.decode("utf-8", "replace").splitlines()
    return "\n".join(lines[-n:])


def which(prog):
    return shutil.which(prog)


def wait_until(fn, timeout, step=0.1):
    """Poll fn() until it returns something true; that value, or None after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(step)


def log_since(srv, offset=0, path=None):
    """The server log (or another file) from byte offset on, as text."""
    try:
        with open(path or srv.log, "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def wait_log(srv, pattern, timeout, offset=0, path=None):
    """Wait until a line matching the regex appears in the log after offset; the match or None."""
    rx = re.compile(pattern)
    deadline = time.monotonic() + timeout
    while True:
        m = rx.search(log_since(srv, offset, path))
        if m or time.monotonic() >= deadline:
            return m
        time.sleep(0.05)


def wait_closed_by_peer(sock, timeout):
    """True if the peer closed (EOF or reset) within timeout seconds; data is drained."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        sock.settimeout(left)
        try:
            data = sock.recv(65536)
        except socket.timeout:
            return False
        except OSError:
            return True  # ECONNRESET and friends
        if not data:
            return True


# ---------------------------------------------------------------- FLV parsing


def parse_flv_tags(buf):
    """Parse as many complete FLV tags as buf holds.

    Returns (tags, consumed) where tags is a list of dicts {type, ts, size, data}.
    buf must start at the FLV header."""
    tags = []
    if len(buf) < 13:
        return tags, 0
    if buf[:3] != b"FLV":
        raise ValueError("not an FLV stream: %r" % buf[:16])
    hlen = struct.unpack(">I", buf[5:9])[0]
    pos = hlen + 4
    while pos + 11 <= len(buf):
        ttype = buf[pos] & 0x1F
        size = int.from_bytes(buf[pos + 1:pos + 4], "big")
        ts = int.from_bytes(buf[pos + 4:pos + 7], "big") | (buf[pos + 7] << 24)
        end = pos + 11 + size + 4
        if end > len(buf):
            break
        tags.append({"type": ttype, "ts": ts, "size": size,
                     "data": bytes(buf[pos + 11:pos + 11 + size])})
        pos = end
    return tags, pos


def flv_kinds(tags):
    """Name each tag of parse_flv_tags: meta, vsh/vframe (video header/frame), ash/aframe."""
    kinds = []
    for t in tags:
        if t["type"] == 18:
            kinds.append("meta")
        elif t["type"] == 9:
            kinds.append("vsh" if t["data"][1] == 0 else "vframe")
        elif t["type"] == 8:
            kinds.append("ash" if len(t["data"]) > 1 and t["data"][1] == 0 else "aframe")
    return kinds


# ---------------------------------------------------------------- HTTP


def http_request(port, path, method="GET", headers=None, body=None, timeout=5.0, auth=None,
                 conn=None):
    """One request with http.client (path sent as is). Returns (status, headers, body);
    headers is an http.client.HTTPMessage (case-insensitive .get). auth: (user, password).
    With conn (an HTTPConnection) the request goes on that connection (keep-alive)."""
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    hdrs = dict(headers or {})
    if auth:
        hdrs["Authorization"] = "Basic " + base64.b64encode(
            ("%s:%s" % auth).encode()).decode()
    try:
        c.request(method, path, body=body, headers=hdrs)
        r = c.getresponse()
        data = r.read()
        return r.status, r.headers, data
    finally:
        if conn is None:
            c.close()


def api(port, path, method="GET", auth=None, timeout=5.0):
    """An HTTP API call: (HTTP status, decoded JSON or None)."""
    status, _, body = http_request(port, path, method=method, auth=auth, timeout=timeout)
    try:
        return status, json.loads(body.decode("utf-8"))
    except ValueError:
        return status, None


def api_ok(port, path, method="GET", auth=None):
    """An HTTP API call that must answer 200 with code 0; returns the JSON."""
    status, js = api(port, path, method=method, auth=auth)
    check(status == 200 and js is not None and js.get("code") == 0,
          "%s %s: HTTP %s, %s" % (method, path, status, js))
    return js


def read_http_response(f, head=False):
    """Read one HTTP/1.x response from a binary file object (sock.makefile("rb")).
    Returns (status, {lowercased header: value}, body) or None at EOF before a status line.
    The body follows Content-Length, chunked, or runs to EOF; none for HEAD/1xx/204/304."""
    line = f.readline(65536)
    if not line:
        return None
    parts = line.decode("latin-1").split(None, 2)
    check(len(parts) >= 2 and parts[0].startswith("HTTP/1."), "bad status line %r" % line[:80])
    status = int(parts[1])
    hdrs = {}
    while True:
        h = f.readline(65536)
        if h in (b"\r\n", b"\n", b""):
            break
        k, _, v = h.decode("latin-1").partition(":")
        hdrs[k.strip().lower()] = v.strip()
    if head or status in (204, 304) or 100 <= status < 200:
        return status, hdrs, b""
    if "chunked" in hdrs.get("transfer-encoding", "").lower():
        body = b""
        while True:
            n = int(f.readline(1024).split(b";")[0].strip() or b"0", 16)
            if n == 0:
                while f.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return status, hdrs, body
            body += f.read(n)
            f.readline(1024)
    if "content-length" in hdrs:
        return status, hdrs, f.read(int(hdrs["content-length"]))
    return status, hdrs, f.read()


def raw_http(port, data, timeout=5.0, responses=1, head=False):
    """Send raw bytes (a request the stdlib client would refuse to build) and read up to
    `responses` responses. Returns the list of (status, headers, body); a send the server
    cut short (it answered early and closed) is not an error."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        try:
            s.sendall(data)
        except OSError:
            pass
        f = s.makefile("rb")
        out = []
        try:
            for _ in range(responses):
                r = read_http_response(f, head=head)
                if r is None:
                    break
                out.append(r)
        except (OSError, ValueError):
            pass
        return out
    finally:
        s.close()


def http_body(http_dir=None, api=False, exporter=False, same_port=False, api_extra="",
              vhosts=None, remux=True):
    """A config body for Server: http_server (when http_dir, an absolute path), http_api,
    exporter, each on one of the server's aux ports (not RTMP's `listen`), and __defaultVhost__ with
    http_remux mounting [vhost]/[app]/[stream].flv (gop_cache on). It is a function of the
    server: once ports are picked it sets srv.http_port, srv.api_port, srv.exporter_port.
    api_extra goes inside http_api { } (raw_api, auth); vhosts replaces the vhost section.
    env.server(http_body(...)) reserves the ports it needs (body.aux_ports)."""
    def body(srv):
        ports = list(srv.aux)
        out = []
        srv.http_port = srv.api_port = srv.exporter_port = None
        if http_dir:
            srv.http_port = ports.pop(0)
            out.append("http_server {\n    enabled on;\n    listen %d;\n    dir %s;\n}\n"
                       % (srv.http_port, http_dir))
        if api:
            srv.api_port = srv.http_port if same_port and srv.http_port else ports.pop(0)
            out.append("http_api {\n    enabled on;\n    listen %d;\n%s}\n"
                       % (srv.api_port, "".join("    %s\n" % l for l in api_extra.splitlines())))
        if exporter:
            srv.exporter_port = ports.pop(0)
            out.append("exporter {\n    enabled on;\n    listen %d;\n}\n" % srv.exporter_port)
        if vhosts is not None:
            out.append(vhosts)
        else:
            out.append("vhost __defaultVhost__ {\n    play { gop_cache on; }\n%s}\n" % (
                "    http_remux {\n        enabled on;\n        mount [vhost]/[app]/[stream].flv;\n"
                "    }\n" if remux else ""))
        return "".join(out)
    body.aux_ports = int(bool(http_dir)) + int(bool(api and not (same_port and http_dir))) \
        + int(bool(exporter))
    return body


# ---------------------------------------------------------------- run-wide context


class RunContext:
    """State shared by all tests of one run: the temp dir and the generated media."""

    def __init__(self, verbose=False, keep=False):
        self.verbose = verbose
        self.keep = keep
        self.dir = tempfile.mkdtemp(prefix="strand-itest-")
        self._media = {}
        self._media_err = {}

    def cleanup(self):
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def media(self, name):
        """Generate a test file once per run. Names:
        main   320x240 25 fps H.264 (GOP 50 = 2 s) + AAC 44.1 kHz, 20 s
        small  160x120 25 fps H.264 (GOP 25) + AAC, 20 s (a visibly different stream)"""
        if name in self._media:
            return self._media[name]
        if name in self._media_err:
            raise TestFailure(self._media_err[name])
        specs = {
            "main": ("320x240", "50", "20"),
            "small": ("160x120", "25", "20"),
        }
        size, gop, dur = specs[name]
        out = os.path.join(self.dir, "media-%s.flv" % name)
        cmd = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
               "-f", "lavfi", "-i", "testsrc=size=%s:rate=25" % size,
               "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
               "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
               "-g", gop, "-keyint_min", gop, "-sc_threshold", "0", "-pix_fmt", "yuv420p",
               "-c:a", "aac", "-b:a", "64k", "-ar", "44100", "-t", dur, out]
        try:
            p = _track(subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, start_new_session=True))
            try:
                _, err = p.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                kill_proc(p)
                raise TestFailure("generating %s timed out" % out)
            if p.returncode != 0 or not os.path.exists(out):
                raise TestFailure("generating %s failed (%s): %s" % (
                    out, p.returncode, err.decode("utf-8", "replace")[-500:]))
        except (TestFailure, OSError) as e:
            self._media_err[name] = str(e)
            raise TestFailure(str(e))
        self._media[name] = out
        return out


# ---------------------------------------------------------------- the server


DEFAULT_VHOSTS = "vhost __defaultVhost__ {\n    play { gop_cache on; }\n}\n"


class Server:
    def __init__(self, env, name, body, extra_ports=0, max_connections=100, log_level="trace",
                 log_file=False, daemon=False, aux_ports=0, environ=None):
        self.env = env
        self.environ = dict(os.environ, **(environ or {}))  # the server's environment
        self.name = name
        self.dir = env.subdir(name)
        self.conf = os.path.join(self.dir, "strand.conf")
        self.log = os.path.join(self.dir, "strand.log")
        # with log_file the server writes self.log itself (srs_log_tank file) and its
        # stdout/stderr go to strand.stdout; else the console output is the log
        self.stdout = os.path.join(self.dir, "strand.stdout") if log_file else self.log
        self.log_file = log_file
        self.log_level = log_level
        self.daemon = daemon
        self.pid_file = os.path.join(self.dir, "strand.pid")
        self.body = body
        self.max_connections = max_connections
        self.extra_ports = extra_ports
        self.aux_ports = aux_ports  # free ports for other listeners (HTTP), not in `listen`
        self.aux = []
        self.proc = None
        self.port = None
        self.ports = []
        self.stopped_on_purpose = False
        self.children_seen = set()

    def config_text(self):
        return ("# generated by trunk/itest/strand_env.py\n"
                "listen %s;\n"
                "max_connections %d;\n"
                "daemon %s;\n"
                "pid %s;\n"
                "%s"
                "srs_log_level %s;\n"
                "%s" % (" ".join(str(p) for p in self.ports), self.max_connections,
                        "on" if self.daemon else "off", self.pid_file,
                        ("srs_log_tank file;\nsrs_log_file %s;\n" % self.log) if self.log_file
                        else "srs_log_tank console;\n",
                        self.log_level, self.body(self) if callable(self.body) else self.body))

    def write_config(self, body=None):
        """Rewrite the config file (same ports), optionally with a new body; no signal."""
        if body is not None:
            self.body = body
        with open(self.conf, "w") as f:
            f.write(self.config_text())

    def reserve_ports(self):
        """Pick the ports now, for a server started later with start(keep_ports=True)."""
        self._pick_ports()
        return self.port

    def _pick_ports(self):
        ports = free_ports(1 + self.extra_ports + self.aux_ports)
        self.port, self.ports = ports[0], ports[:1 + self.extra_ports]
        self.aux = ports[1 + self.extra_ports:]

    def start(self, timeout=10.0, keep_ports=False):
        """Start on free ports; keep_ports: on the ports reserve_ports() picked before
        (another server's config names them)."""
        if not os.path.exists(STRAND_BIN):
            raise TestFailure("server binary %s does not exist (build it with make)" % STRAND_BIN)
        last = ""
        for attempt in range(3):
            if not (keep_ports and self.port):
                self._pick_ports()
            with open(self.conf, "w") as f:
                f.write(self.config_text())
            logf = open(self.stdout, "ab")
            try:
                logf.write(("==== start attempt %d: %s -c %s (cwd %s)\n" % (
                    attempt + 1, STRAND_BIN, self.conf, self.dir)).encode())
                logf.flush()
                self.proc = self.env.track(subprocess.Popen(
                    [STRAND_BIN, "-c", self.conf], cwd=self.dir, stdin=subprocess.DEVNULL,
                    stdout=logf, stderr=subprocess.STDOUT, start_new_session=True, env=self.environ),
                    "strand")
            finally:
                logf.close()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                if all(port_accepts(p) for p in self.ports + self.aux):
                    self.env.note("server %s up on port %d (pid %d)" % (
                        self.name, self.port, self.proc.pid))
                    return self
                time.sleep(0.05)
            rc = self.proc.poll()
            last = tail(self.log, 20)
            if self.stdout != self.log:
                last += "\n" + tail(self.stdout, 5)
            if rc is None:
                kill_proc(self.proc, 2)
                raise TestFailure("server did not accept on port %d within %.0fs" % (
                    self.port, timeout))
            if "in use" in last.lower():  # a port collision: try other ports
                continue
            raise TestFailure("server exited with code %s at start" % rc)
        raise TestFailure("server could not bind after 3 attempts: %s" % last[-300:])

    def start_daemon(self, timeout=10.0):
        """With daemon=True: run `strand -c conf`, which must exit 0 (the daemon lives on).
        Returns (launcher exit code or None, seconds it took, daemon pid or None). The
        daemon's pid (from the pid file) is tracked: it is killed when the test ends."""
        check(self.daemon, "start_daemon needs Server(daemon=True)")
        self._pick_ports()
        with open(self.conf, "w") as f:
            f.write(self.config_text())
        launcher = self.env.spawn("strand-launcher", [STRAND_BIN, "-c", self.conf])
        rc = launcher.wait(timeout)
        secs = time.monotonic() - launcher.t0
        pid = None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with open(self.pid_file) as f:
                    pid = int(f.read().strip() or "0") or None
            except (OSError, ValueError):
                pid = None
            if pid:
                break
            time.sleep(0.05)
        if pid:
            self.env.track_pid(pid, STRAND_BIN, "strand daemon")
            self.daemon_pid = pid
        return rc, secs, pid

    def reload(self, body):
        """Rewrite the config with a new body (same ports) and send SIGHUP."""
        self.write_config(body)
        self.env.note("reloading %s with SIGHUP" % self.name)
        self.proc.send_signal(signal.SIGHUP)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def children(self):
        """PIDs whose parent is the server (from /proc)."""
        kids = set()
        if not self.alive():
            return kids
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % d) as f:
                    st = f.read()
                ppid = int(st[st.rindex(")") + 2:].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == self.proc.pid:
                kids.add(int(d))
        return kids

    def stop(self, sig=signal.SIGTERM, timeout=5.0):
        """Signal the server and wait; returns (exit code or None if it had to be killed, seconds)."""
        self.stopped_on_purpose = True
        if self.proc is None:
            return None, 0.0
        if self.proc.poll() is not None:
            return self.proc.returncode, 0.0
        self.children_seen |= self.children()
        t0 = time.monotonic()
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_proc(self.proc)
            return None, time.monotonic() - t0
        return rc, time.monotonic() - t0

    def url(self, stream, app="live", vhost=None, host="127.0.0.1", port=None):
        port = port or self.port
        if vhost:
            return "rtmp://%s:%d/%s?vhost=%s/%s" % (host, port, app, vhost, stream)
        return "rtmp://%s:%d/%s/%s" % (host, port, app, stream)


# ---------------------------------------------------------------- per-test environment


class Proc:
    """A client process started by a test, with its stderr in a log file."""

    def __init__(self, popen, name, log):
        self.p = popen
        self.name = name
        self.log = log
        self.t0 = time.monotonic()

    @property
    def pid(self):
        return self.p.pid

    def poll(self):
        return self.p.poll()

    def wait(self, timeout):
        """Exit code, or None if still running after timeout."""
        try:
            return self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, sig=signal.SIGINT, timeout=5.0):
        return kill_proc(self.p, timeout, sig)

    def errtail(self, n=8):
        return tail(self.log, n)


class Env:
    FF = ["-hide_banner", "-nostdin", "-loglevel", "warning"]

    def __init__(self, ctx, name):
        self.ctx = ctx
        self.name = name
        self.dir = os.path.join(ctx.dir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.servers = []
        self.procs = []
        self.pids = []
        self.socks = []
        self.notes = []
        self._n = 0

    # -- bookkeeping
    def subdir(self, name):
        self._n += 1
        d = os.path.join(self.dir, "%02d-%s" % (self._n, name))
        os.makedirs(d, exist_ok=True)
        return d

    def path(self, name):
        return os.path.join(self.dir, name)

    def track(self, popen, name):
        _track(popen)
        self.note("started %s pid %d" % (name, popen.pid))
        return popen

    def track_pid(self, pid, exe, name):
        """A process we did not fork (a daemon): SIGKILLed at the end if it still runs exe."""
        with _ALL_PROCS_LOCK:
            _ALL_PIDS.append((pid, exe))
        self.pids.append((pid, exe))
        self.note("tracking %s pid %d" % (name, pid))

    def note(self, msg):
        self.notes.append(msg)
        if self.ctx.verbose:
            print("    .. " + msg, flush=True)

    def media(self, name="main"):
        return self.ctx.media(name)

    # -- servers
    def server(self, body=DEFAULT_VHOSTS, name="strand", start=True, **kw):
        """A Server with this config body, started unless start=False (e.g. to start_daemon)."""
        if callable(body) and hasattr(body, "aux_ports"):  # http_body(): its ports
            kw.setdefault("aux_ports", body.aux_ports)
        s = Server(self, name, body, **kw)
        self.servers.append(s)
        return s.start() if start else s

    # -- clients
    def spawn(self, name, args, stdout=None, pipe_stdout=False, environ=None):
        """Start a client in the background. stdout: a file path, or pipe_stdout for a pipe;
        environ: variables added to the process's environment."""
        self._n += 1
        log = os.path.join(self.dir, "%02d-%s.stderr" % (self._n, name))
        errf = open(log, "wb")
        outf = None
        try:
            if pipe_stdout:
                out = subprocess.PIPE
            elif stdout:
                outf = open(stdout, "wb")
                out = outf
            else:
                out = subprocess.DEVNULL
            self.note("run %s: %s" % (name, " ".join(args)))
            p = self.track(subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out,
                                            stderr=errf, start_new_session=True, cwd=self.dir,
                                            env=dict(os.environ, **environ) if environ else None),
                           name)
        finally:
            errf.close()
            if outf:
                outf.close()
        pr = Proc(p, name, log)
        self.procs.append(pr)
        return pr

    def run(self, name, args, timeout, stdout_path=None, environ=None):
        """Run a client to completion or timeout. Returns (rc or None on timeout, stdout, stderr, secs)."""
        pr = self.spawn(name, args, pipe_stdout=stdout_path is None, stdout=stdout_path, environ=environ)
        out = b""
        try:
            if stdout_path is None:
                out, _ = pr.p.communicate(timeout=timeout)
            else:
                pr.p.wait(timeout=timeout)
            rc = pr.p.returncode
        except subprocess.TimeoutExpired:
            kill_proc(pr.p)
            rc = None
            if stdout_path is None:
                try:
                    out = pr.p.stdout.read() or b""
                except (OSError, ValueError):
                    pass
        secs = time.monotonic() - pr.t0
        err = tail(pr.log, 40)
        self.note("%s exited %s after %.2fs" % (name, rc, secs))
        return rc, out.decode("utf-8", "replace"), err, secs

    def publish_file(self, url, media, seconds=None, extra=None, name="publisher"):
        """ffmpeg -re -i FILE -c copy -f flv URL (optionally only the first `seconds`)."""
        args = ["ffmpeg"] + self.FF + ["-re", "-i", media, "-c", "copy"]
        if seconds:
            args += ["-t", str(seconds)]
        args += (extra or []) + ["-f", "flv", url]
        return self.spawn(name, args)

    def publish_live(self, url, size="320x240", gop=25, seconds=20, name="publisher-live"):
        args = ["ffmpeg"] + self.FF + [
            "-re", "-f", "lavfi", "-i", "testsrc=size=%s:rate=25" % size,
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
            "-g", str(gop), "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k",
            "-t", str(seconds), "-f", "flv", url]
        return self.spawn(name, args)

    def record(self, url, out, seconds, name="recorder"):
        """ffmpeg plays url and copies `seconds` of it into the FLV file out."""
        args = ["ffmpeg"] + self.FF + ["-y", "-i", url, "-c", "copy", "-t", str(seconds),
                                       "-f", "flv", out]
        return self.spawn(name, args)

    def probe_streams(self, url_or_file, timeout=15, name="ffprobe"):
        """ffprobe -show_streams; returns (list of streams or None, reason)."""
        rc, out, err, secs = self.run(name, ["ffprobe", "-v", "error", "-show_streams",
                                             "-of", "json", url_or_file], timeout)
        if rc is None:
            return None, "ffprobe timed out after %ds" % timeout
        if rc != 0:
            return None, "ffprobe exit %s: %s" % (rc, err[-400:])
        try:
            return json.loads(out).get("streams", []), ""
        except ValueError:
            return None, "ffprobe printed no JSON: %r" % out[:200]

    def packets(self, path, select, entries="flags,size,data_hash", timeout=30):
        """Packets of one stream type of a file as dicts (flags, size, data_hash MD5)."""
        rc, out, err, _ = self.run("ffprobe-packets", [
            "ffprobe", "-v", "error", "-select_streams", select, "-show_data_hash", "MD5",
            "-show_entries", "packet=" + entries, "-of", "json", path], timeout)
        check(rc == 0, "ffprobe -show_packets %s failed (%s): %s" % (path, rc, err[-300:]))
        return json.loads(out).get("packets", [])

    def expect_streams(self, streams, width=320, height=240):
        check(streams, "no streams")
        by = {s.get("codec_type"): s for s in streams}
        check("video" in by and "audio" in by,
              "expected video and audio, got %s" % [s.get("codec_type") for s in streams])
        v, a = by["video"], by["audio"]
        check(v.get("codec_name") == "h264", "video codec %s, expected h264" % v.get("codec_name"))
        check(a.get("codec_name") == "aac", "audio codec %s, expected aac" % a.get("codec_name"))
        check((v.get("width"), v.get("height")) == (width, height),
              "video size %sx%s, expected %dx%d" % (v.get("width"), v.get("height"),
                                                     width, height))
        check(int(a.get("sample_rate", 0)) == 44100,
              "audio sample rate %s, expected 44100" % a.get("sample_rate"))

    def connect(self, port, timeout=3.0):
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.socks.append(s)
        return s

    # -- teardown
    def close(self, failed):
        """Kill everything this test started; return problems found (server crashes)."""
        problems = []
        for s in self.socks:
            try:
                s.close()
            except OSError:
                pass
        for pr in self.procs:
            if pr.p.poll() is None:
                kill_proc(pr.p)
        for srv in self.servers:
            if srv.proc is None:
                continue
            rc = srv.proc.poll()
            if rc is not None and not srv.stopped_on_purpose:
                problems.append("server %s died during the test (exit %s)" % (srv.name, rc))
            if rc is None:
                srv.children_seen |= srv.children()
                kill_proc(srv.proc, 5.0, signal.SIGTERM)
            for kid in srv.children_seen:  # never leave the server's children behind
                try:
                    os.kill(kid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        for pid, exe in self.pids:
            kill_pid(pid, exe)
        return problems

    def server_tails(self, n=25):
        out = []
        for srv in self.servers:
            if srv.proc is None and not os.path.exists(srv.log):
                continue
            out.append("---- %s log (%s), last %d lines:\n%s" % (srv.name, srv.log, n,
                                                                  tail(srv.log, n)))
        return "\n".join(out)
