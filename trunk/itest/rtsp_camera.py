#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""An RTSP camera for the integration tests: GStreamer's RTSP server (gst-rtsp-server,
through Python GI; Debian's gir1.2-gst-rtsp-server-1.0) serving a live test pattern in
H.264 (x264, no B-frames, as cameras), optionally with an AAC test tone and Digest
authentication. Prints "READY rtsp://127.0.0.1:PORT/PATH" once it listens; exits on
SIGTERM. Run it with Debian's /usr/bin/python3 (it has the gi module).

    rtsp_camera.py --port 8554 --path /cam [--audio] [--user U --password P] [--gop 25]
"""

import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--path", default="/cam")
    ap.add_argument("--audio", action="store_true")
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--fps", type=int, default=25)
    ap.add_argument("--gop", type=int, default=25)
    a = ap.parse_args()
    Gst.init(None)
    video = ("( videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=%d/1 ! "
             "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=%d bframes=0 ! "
             "video/x-h264,profile=constrained-baseline ! rtph264pay name=pay0 pt=96 config-interval=1"
             % (a.fps, a.gop))
    audio = (" audiotestsrc is-live=true wave=sine ! audio/x-raw,rate=44100,channels=2 ! avenc_aac ! "
             "rtpmp4gpay name=pay1 pt=97" if a.audio else "")
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(a.port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(video + audio + " )")
    factory.set_shared(True)
    if a.user:
        auth = GstRtspServer.RTSPAuth()
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "user")
        auth.add_digest(a.user, a.password, token)
        server.set_auth(auth)
        perms = GstRtspServer.RTSPPermissions()
        perms.add_permission_for_role("user", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
        perms.add_permission_for_role("user", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
        factory.set_permissions(perms)
    server.get_mount_points().add_factory(a.path, factory)
    if server.attach(None) == 0:
        print("cannot listen on 127.0.0.1:%d" % a.port, file=sys.stderr)
        return 1
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    print("READY rtsp://127.0.0.1:%d%s" % (a.port, a.path), flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
