# SPDX-License-Identifier: MIT
"""`make install` into a temporary prefix: the tree it writes, the installed binary checking
and then running the installed config (its fixed ports moved by SRS_* variables) and
serving the installed players page, and the systemd unit passing `systemd-analyze verify`
with its hardening scored by `systemd-analyze security`."""

import os
import re
import subprocess

from strand_env import ROOT, check, free_ports, http_request, port_accepts, wait_until


def test_make_install_tree_unit_and_run(env):
    prefix, state = env.path("usr"), env.path("state")
    r = subprocess.run(["make", "-C", ROOT, "install", "PREFIX=" + prefix, "STATEDIR=" + state],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    check(r.returncode == 0, "make install failed: %s" % r.stdout.decode()[-500:])
    conf = os.path.join(prefix, "etc", "strand", "strand.conf")
    unit = os.path.join(prefix, "lib", "systemd", "system", "strand.service")
    for path in (os.path.join(prefix, "bin", "strand"), conf, os.path.join(prefix, "etc", "strand", "full.conf"),
                 unit, os.path.join(state, "html", "players", "index.html"),
                 os.path.join(prefix, "share", "doc", "strand", "README.md")):
        check(os.path.exists(path), "make install did not write %s" % path)
    text = open(conf).read()
    check(state + "/html" in text and "/run/strand/strand.pid" in text and "./objs" not in text,
          "the installed strand.conf still points into the build tree")
    unit_text = open(unit).read()
    for line in ("ExecStart=%s/bin/strand -c %s" % (prefix, conf), "NoNewPrivileges=yes", "PrivateTmp=yes",
                 "ProtectSystem=strict", "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
                 "AmbientCapabilities=CAP_NET_BIND_SERVICE", "ExecReload=/bin/kill -HUP $MAINPID"):
        check(line in unit_text, "the unit lacks %r" % line)
    r = subprocess.run(["systemd-analyze", "verify", unit], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=60)
    check(r.returncode == 0, "systemd-analyze verify: %s" % r.stdout.decode()[-500:])
    r = subprocess.run(["systemd-analyze", "security", "--offline=yes", unit], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=60)
    m = re.search(r"Overall exposure level for strand\.service: ([0-9.]+)", r.stdout.decode())
    check(m and float(m.group(1)) < 5.0, "systemd-analyze security: %s" % r.stdout.decode()[-300:])
    env.note("measured systemd-analyze security exposure: %s (0 best, 10 worst)" % m.group(1))
    binary = os.path.join(prefix, "bin", "strand")
    rc, out, err, _ = env.run("strand-t", [binary, "-t", "-c", conf], 10)
    check(rc == 0, "the installed binary refuses the installed config: %s" % (out + err)[-300:])
    rtmp, http, api = free_ports(3)
    env.spawn("installed", [binary, "-c", conf], environ={
        "SRS_LISTEN": str(rtmp), "SRS_HTTP_SERVER_LISTEN": str(http), "SRS_HTTP_API_LISTEN": str(api),
        "SRS_PID": env.path("strand.pid")})
    check(wait_until(lambda: port_accepts(http) and port_accepts(rtmp), 10), "the installed server did not start")
    status, _, body = http_request(http, "/players/")
    check(status == 200 and b"<html" in body.lower(), "the installed players page: HTTP %s" % status)
