# SPDX-License-Identifier: MIT
"""A minimal RTMP publisher for inputs that no real encoder sends on purpose (tracks out
of order, hostile names and sizes). Real encoders (ffmpeg) are used for everything else;
this is only the wire format: simple handshake, AMF0 commands, fmt-0 chunks."""

import random
import socket
import struct


def amf_str(s):
    b = s.encode() if isinstance(s, str) else s
    if len(b) > 0xFFFF:
        return b"\x0c" + struct.pack(">I", len(b)) + b  # long string
    return b"\x02" + struct.pack(">H", len(b)) + b


def amf_num(x):
    return b"\x00" + struct.pack(">d", x)


def amf_obj(pairs):
    out = b"\x03"
    for k, v in pairs:
        kb = k.encode()
        out += struct.pack(">H", len(kb)) + kb + amf_str(v)
    return out + b"\x00\x00\x09"


AMF_NULL = b"\x05"


class RtmpRaw:
    """One RTMP connection; every call raises OSError/socket.timeout on failure."""

    CHUNK = 4096

    def __init__(self, port, timeout=5.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        c1 = bytes(8) + random.Random(11).randbytes(1528)
        self.sock.sendall(b"\x03" + c1)
        s = self._recv_exact(3073)
        self.sock.sendall(s[1:1537])
        self.send_msg(2, 1, 0, 0, struct.pack(">I", self.CHUNK))  # set chunk size

    def _recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            d = self.sock.recv(n - len(buf))
            if not d:
                raise OSError("closed by the server after %d of %d bytes" % (len(buf), n))
            buf += d
        return buf

    def send_msg(self, csid, mtype, stream_id, ts, body):
        """One message in fmt-0/fmt-3 chunks of self.CHUNK (the first, chunk-size message
        itself goes out in one 128-byte-safe piece)."""
        size = self.CHUNK if mtype != 1 else 128
        ext = ts >= 0xFFFFFF
        hdr = bytes([csid]) + (min(ts, 0xFFFFFF)).to_bytes(3, "big") + len(body).to_bytes(3, "big") + \
            bytes([mtype]) + struct.pack("<I", stream_id) + (struct.pack(">I", ts) if ext else b"")
        out = hdr + body[:size]
        for i in range(size, len(body), size):
            out += bytes([0xC0 | csid]) + (struct.pack(">I", ts) if ext else b"") + body[i:i + size]
        self.sock.sendall(out)

    def command(self, name, tid, *args, stream_id=0):
        self.send_msg(3, 20, stream_id, 0, amf_str(name) + amf_num(tid) + b"".join(args))

    def connect(self, app, tc_url):
        self.command("connect", 1, amf_obj([("app", app), ("tcUrl", tc_url), ("type", "nonprivate")]))

    def publish(self, stream):
        """createStream and publish on stream id 1 (the server's replies are not parsed)."""
        self.command("createStream", 2, AMF_NULL)
        self.command("publish", 3, AMF_NULL, amf_str(stream), amf_str("live"), stream_id=1)

    def media(self, tag_type, ts, body):
        self.send_msg(4 if tag_type == 8 else 6, tag_type, 1, ts, body)

    def read_some(self, timeout=1.0):
        """What the server sent within timeout (b"" when it closed)."""
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(65536)
        except socket.timeout:
            return None

    def finish(self, timeout=5.0):
        """Close as a well-behaved client does: FIN after the last byte, then read until the
        server closes. A bare close() with unread replies pending resets the connection, and
        the server loses what it had not read yet."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
            self.sock.settimeout(timeout)
            while self.sock.recv(65536):
                pass
        except OSError:
            pass
        self.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
