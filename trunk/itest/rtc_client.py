#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A WHIP publisher and a WHEP player built on aiortc (Debian python3-aiortc), an
independent WebRTC stack: its own ICE (aioice), DTLS (OpenSSL through pyOpenSSL),
SRTP (libsrtp2) and RTP code. The integration tests run it as a client process with
Debian's /usr/bin/python3, which has aiortc.

  rtc_client.py play URL SECONDS REPORT.json
      WHEP: receive audio and video for SECONDS after the first video frame; the
      report has frame counts, sizes, the first frame's key flag and timings.
  rtc_client.py publish URL SECONDS REPORT.json
      WHIP: send a 320x240 test pattern (H.264) and a 440 Hz tone (Opus) for SECONDS.

A URL of the form http://HOST/rtc/v1/play/?streamurl=webrtc://HOST/APP/STREAM (or
/rtc/v1/publish/) uses SRS's JSON API instead of WHIP/WHEP, as SRS's players page does.

Every pattern frame carries its capture time (the wall clock in ms, 40 bits as black and
white 16x16 blocks along the top); the player reads it back from each decoded frame,
so the report's latency_ms is glass to glass from publisher capture to player decode
(both on this machine, one clock).
"""
import asyncio
import fractions
import json
import math
import sys
import time
import urllib.error
import urllib.request

import numpy
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, VideoStreamTrack
from aiortc.rtcrtpsender import RTCRtpSender
from av import AudioFrame, VideoFrame


STAMP_BITS = 40
STAMP_BLOCK = 16  # pixels: H.264 at any sane quality keeps a 16x16 block black or white


def stamp(img, ms):
    """Write ms (40 bits) into the top two rows of 16x16 blocks of an RGB image."""
    per_row = img.shape[1] // STAMP_BLOCK
    for bit in range(STAMP_BITS):
        r, c = divmod(bit, per_row)
        v = 255 if (ms >> bit) & 1 else 0
        img[r * STAMP_BLOCK:(r + 1) * STAMP_BLOCK, c * STAMP_BLOCK:(c + 1) * STAMP_BLOCK, :] = v


def read_stamp(gray):
    """The 40-bit ms of stamp() back from a decoded grayscale frame."""
    per_row = gray.shape[1] // STAMP_BLOCK
    ms = 0
    for bit in range(STAMP_BITS):
        r, c = divmod(bit, per_row)
        block = gray[r * STAMP_BLOCK + 4:(r + 1) * STAMP_BLOCK - 4, c * STAMP_BLOCK + 4:(c + 1) * STAMP_BLOCK - 4]
        if block.mean() > 128:
            ms |= 1 << bit
    return ms


def now_ms():
    return int(time.time() * 1000) & ((1 << STAMP_BITS) - 1)


def post_srs_api(url, sdp):
    """SRS's JSON API (url: http://HOST/rtc/v1/play/?streamurl=webrtc://...): the offer
    and streamurl as JSON; (201 for code 0 else the code, answer or msg, None)."""
    api, _, streamurl = url.partition("?streamurl=")
    body = json.dumps({"api": api, "streamurl": streamurl, "clientip": None, "sdp": sdp}).encode()
    req = urllib.request.Request(api, data=body, method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        js = json.loads(r.read().decode())
    if js.get("code") == 0:
        return 201, js.get("sdp", ""), None
    return js.get("code"), js.get("msg", ""), None


def post_offer(url, sdp):
    """POST the offer; (status, answer text, Location)."""
    if "?streamurl=" in url:
        return post_srs_api(url, sdp)
    req = urllib.request.Request(url, data=sdp.encode(), method="POST",
                                 headers={"Content-Type": "application/sdp"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode(), r.headers.get("Location")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace"), None


def delete(url, location):
    if not location:
        return None
    base = url.split("/rtc/")[0]
    req = urllib.request.Request(base + location, method="DELETE")
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


async def negotiate(pc, url, stats):
    """Offer, POST, and apply the answer; False (with stats["error"]) when refused."""
    await pc.setLocalDescription(await pc.createOffer())
    status, answer, location = post_offer(url, pc.localDescription.sdp)
    stats["status"] = status
    stats["location"] = location
    stats["answer_candidates"] = [l[len("a=candidate:"):] for l in answer.splitlines() if l.startswith("a=candidate:")]
    if status != 201:
        stats["error"] = answer[:300]
        return False
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    return True


def prefer_h264(transceiver):
    caps = RTCRtpSender.getCapabilities("video").codecs
    h264 = [c for c in caps if c.mimeType == "video/H264"]
    transceiver.setCodecPreferences(h264 + [c for c in caps if c.mimeType == "video/rtx"])


async def play(url, seconds, report):
    pc = RTCPeerConnection()
    t0 = time.monotonic()
    stats = {"video_frames": 0, "audio_frames": 0, "width": 0, "height": 0, "first_video_ms": None,
             "first_audio_ms": None, "video_pts": [], "audio_rate": 0, "audio_channels": 0}
    done = asyncio.Event()
    latencies = []

    async def drain_video(track):
        first = None
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                break
            now = time.monotonic()
            if first is None:
                first = now
                stats["first_video_ms"] = round((now - t0) * 1000)
            stats["video_frames"] += 1
            stats["width"], stats["height"] = frame.width, frame.height
            if frame.width >= 320 and len(latencies) < 2000:
                late = now_ms() - read_stamp(frame.to_ndarray(format="gray"))
                if 0 <= late < 10000:  # a frame without a stamp reads as garbage
                    latencies.append((now - first, late))
            if len(stats["video_pts"]) < 400:
                stats["video_pts"].append(frame.pts)
            if now - first >= seconds:
                done.set()
                break

    async def drain_audio(track):
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                break
            if stats["first_audio_ms"] is None:
                stats["first_audio_ms"] = round((time.monotonic() - t0) * 1000)
            stats["audio_frames"] += 1
            stats["audio_rate"] = frame.sample_rate
            stats["audio_channels"] = len(frame.layout.channels)

    @pc.on("track")
    def on_track(track):
        asyncio.ensure_future(drain_video(track) if track.kind == "video" else drain_audio(track))

    pc.addTransceiver("audio", direction="recvonly")
    prefer_h264(pc.addTransceiver("video", direction="recvonly"))
    if await negotiate(pc, url, stats):
        try:
            await asyncio.wait_for(done.wait(), timeout=seconds + 20)
        except asyncio.TimeoutError:
            stats["error"] = "timed out"
        stats["delete_status"] = delete(url, stats["location"])
    stats["elapsed_ms"] = round((time.monotonic() - t0) * 1000)
    stats["stamped_frames"] = len(latencies)

    def summary(values):
        values = sorted(values)
        return {"p50": values[len(values) // 2], "p90": values[len(values) * 9 // 10], "max": values[-1]}

    if latencies:
        stats["latency_ms"] = summary([late for _, late in latencies])
    # after the first second: the cached GOP a player starts with is old by design
    steady = [late for t, late in latencies if t >= 1.0]
    if steady:
        stats["steady_latency_ms"] = summary(steady)
    await pc.close()
    with open(report, "w") as f:
        json.dump(stats, f)


class ToneTrack(AudioStreamTrack):
    """A 440 Hz tone, 20 ms frames of 48 kHz stereo."""

    def __init__(self):
        super().__init__()
        self.samples = 0

    async def recv(self):
        frame = await super().recv()  # paces to real time and gives the timestamps
        n = frame.samples
        t = (numpy.arange(n) + self.samples) / 48000.0
        tone = (numpy.sin(2 * math.pi * 440 * t) * 8000).astype(numpy.int16)
        self.samples += n
        data = numpy.repeat(tone, 2).reshape(1, -1)
        out = AudioFrame.from_ndarray(data, format="s16", layout="stereo")
        out.sample_rate = 48000
        out.pts = frame.pts
        out.time_base = fractions.Fraction(1, 48000)
        return out


class PatternTrack(VideoStreamTrack):
    """A moving 320x240 test pattern at 30 frames/s."""

    def __init__(self):
        super().__init__()
        self.n = 0

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        img = numpy.zeros((240, 320, 3), numpy.uint8)
        x = (self.n * 4) % 320
        img[:, :, 0] = numpy.arange(320, dtype=numpy.uint8)[None, :]
        img[:, max(0, x - 20):x + 20, 1] = 255
        img[(self.n * 2) % 240, :, 2] = 255
        stamp(img, now_ms())
        self.n += 1
        frame = VideoFrame.from_ndarray(img, format="rgb24")
        frame.pts, frame.time_base = pts, time_base
        return frame


async def publish(url, seconds, report):
    pc = RTCPeerConnection()
    t0 = time.monotonic()
    stats = {}
    pc.addTransceiver(ToneTrack(), direction="sendonly")
    prefer_h264(pc.addTransceiver(PatternTrack(), direction="sendonly"))
    if await negotiate(pc, url, stats):
        connected = asyncio.Event()

        @pc.on("connectionstatechange")
        def on_state():
            stats.setdefault("states", []).append(pc.connectionState)
            if pc.connectionState == "connected":
                connected.set()

        try:
            await asyncio.wait_for(connected.wait(), timeout=20)
            stats["connected_ms"] = round((time.monotonic() - t0) * 1000)
            await asyncio.sleep(seconds)  # the publish itself: media flows for this long
        except asyncio.TimeoutError:
            stats["error"] = "not connected: %s" % pc.connectionState
        stats["delete_status"] = delete(url, stats["location"])
    await pc.close()
    stats["elapsed_ms"] = round((time.monotonic() - t0) * 1000)
    with open(report, "w") as f:
        json.dump(stats, f)


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("play", "publish"):
        print(__doc__, file=sys.stderr)
        return 2
    fn = play if sys.argv[1] == "play" else publish
    asyncio.run(fn(sys.argv[2], float(sys.argv[3]), sys.argv[4]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
