// SPDX-License-Identifier: MIT
// utest_rtmp_chunk.cpp: the RTMP chunk stream reader and writer (sr_rtmp_chunk) and the
// protocol control message bodies (sr_rtmp_control). Chunk streams are written by hand
// from RTMP 5.3 and fed in every possible split, so no read boundary changes the result.
#include <string.h>

#include <ostream>
#include <vector>

#include "sr_io.h"
#include "sr_payload.h"
#include "sr_rtmp_chunk.h"
#include "sr_rtmp_control.h"
#include "sr_utest.h"

namespace
{

typedef std::vector<uint8_t> Bytes;

struct Msg {
    uint8_t type;
    uint32_t stream_id;
    uint32_t timestamp;
    uint32_t csid;
    Bytes body;
};

// A recognisable body; the first byte is never 0x00 or 0xff, so it never looks like an
// extended timestamp used in these tests.
Bytes body_of(size_t n, uint8_t seed)
{
    Bytes b(n);
    for (size_t i = 0; i < n; i++) {
        b[i] = (uint8_t)(seed + i * 7);
    }
    return b;
}

void put(Bytes &s, const Bytes &b, size_t off, size_t n)
{
    s.insert(s.end(), b.begin() + off, b.begin() + off + n);
}

void put24(Bytes &s, uint32_t v)
{
    s.push_back((uint8_t)(v >> 16));
    s.push_back((uint8_t)(v >> 8));
    s.push_back((uint8_t)v);
}

void put32(Bytes &s, uint32_t v)
{
    s.push_back((uint8_t)(v >> 24));
    put24(s, v & 0xffffff);
}

// RTMP 5.3.1.1 basic header
void basic(Bytes &s, int fmt, uint32_t csid)
{
    if (csid < 64) {
        s.push_back((uint8_t)(fmt << 6 | csid));
    } else if (csid < 320) {
        s.push_back((uint8_t)(fmt << 6));
        s.push_back((uint8_t)(csid - 64));
    } else {
        s.push_back((uint8_t)(fmt << 6 | 1));
        s.push_back((uint8_t)((csid - 64) & 0xff));
        s.push_back((uint8_t)((csid - 64) >> 8));
    }
}

// RTMP 5.3.1.2: fmt 0 has timestamp, length, type, stream id (little-endian); fmt 1 delta,
// length, type; fmt 2 delta; then the extended timestamp when the field is 0xffffff (5.3.1.3).
void header(Bytes &s, int fmt, uint32_t csid, uint32_t ts, uint32_t len = 0, uint8_t type = 0, uint32_t sid = 0)
{
    basic(s, fmt, csid);
    put24(s, SR_MIN(ts, 0xffffffu));
    if (fmt <= 1) {
        put24(s, len);
        s.push_back(type);
    }
    for (int i = 0; fmt == 0 && i < 4; i++) {
        s.push_back((uint8_t)(sid >> (8 * i)));
    }
    if (ts >= 0xffffff) {
        put32(s, ts);
    }
}

bool operator==(const Msg &a, const Msg &b)
{
    return a.type == b.type && a.stream_id == b.stream_id && a.timestamp == b.timestamp && a.csid == b.csid &&
           a.body == b.body;
}

// gtest prints this for a failed EXPECT_EQ of two message lists.
std::ostream &operator<<(std::ostream &os, const Msg &m)
{
    os << "{type=" << (int)m.type << " sid=" << m.stream_id << " ts=" << m.timestamp << " csid=" << m.csid
       << " len=" << m.body.size() << " first=" << (m.body.empty() ? -1 : (int)m.body[0]) << "}";
    return os;
}

// ---- test ios ----

// Hands out the first `split` bytes, then the rest; every `timeout_every`-th read (if
// set) fails with -SR_ETIMEOUT before reading anything.
struct SplitIo {
    sr_io_t io;
    const uint8_t *in;
    size_t size;
    size_t pos;
    size_t split;
    size_t max_read;
    int timeout_every;
    int calls;
};

int split_read(sr_io_t *io, void *buf, size_t size, size_t *nread)
{
    SplitIo *s = (SplitIo *)io->impl;
    if (s->timeout_every && ++s->calls % s->timeout_every == 0) {
        return -SR_ETIMEOUT;
    }
    if (s->pos == s->size) {
        return -SR_EPEER_CLOSED;
    }
    size_t limit = s->pos < s->split ? s->split : s->size;
    size_t n = SR_MIN(size, limit - s->pos);
    if (s->max_read) {
        n = SR_MIN(n, s->max_read);
    }
    memcpy(buf, s->in + s->pos, n);
    s->pos += n;
    *nread = n;
    return SR_OK;
}

const sr_io_ops_t split_ops = {split_read, nullptr}; // read only

void split_io_init(SplitIo *s, const Bytes &in, size_t split, size_t max_read = 0, int timeout_every = 0)
{
    memset(s, 0, sizeof(*s));
    s->io.ops = &split_ops;
    s->io.impl = s;
    s->in = in.data();
    s->size = in.size();
    s->split = split;
    s->max_read = max_read;
    s->timeout_every = timeout_every;
}

// Counts writev calls and keeps what was written; fails every call when `fail`.
struct CountIo {
    sr_io_t io;
    int writevs;
    int max_iovcnt;
    bool fail;
    Bytes out;
};

int count_writev(sr_io_t *io, const struct iovec *iov, int iovcnt)
{
    CountIo *c = (CountIo *)io->impl;
    c->writevs++;
    c->max_iovcnt = SR_MAX(c->max_iovcnt, iovcnt);
    if (c->fail) {
        return -SR_ESOCKET_WRITE;
    }
    for (int i = 0; i < iovcnt; i++) {
        const uint8_t *p = (const uint8_t *)iov[i].iov_base;
        c->out.insert(c->out.end(), p, p + iov[i].iov_len);
    }
    return SR_OK;
}

const sr_io_ops_t count_ops = {nullptr, count_writev}; // write only

void count_io_init(CountIo *c)
{
    c->io.ops = &count_ops;
    c->io.impl = c;
    c->io.recv_bytes = c->io.send_bytes = 0;
    c->writevs = c->max_iovcnt = 0;
    c->fail = false;
    c->out.clear();
}

// ---- reading ----

// Read messages until an error other than a timeout (timeouts are retried, as a receive
// loop with a short timeout does). Applies Set Chunk Size and Abort as a caller would.
int read_all(sr_io_t *io, std::vector<Msg> &out, uint32_t chunk_size = SR_RTMP_DEFAULT_CHUNK_SIZE)
{
    sr_rtmp_reader_t *r = sr_rtmp_reader_new(io);
    int rc = sr_rtmp_reader_set_chunk_size(r, chunk_size);
    while (rc == SR_OK || rc == -SR_ETIMEOUT) {
        sr_rtmp_msg_t m;
        if ((rc = sr_rtmp_reader_read(r, &m)) != SR_OK) {
            continue;
        }
        Bytes body(m.payload->data, m.payload->data + m.payload->size);
        out.push_back(Msg{m.type, m.stream_id, m.timestamp, m.csid, body});
        uint32_t v = 0;
        if (m.type == SR_RTMP_MSG_SET_CHUNK_SIZE && sr_rtmp_control_parse_u32(body.data(), body.size(), &v) == 0) {
            rc = sr_rtmp_reader_set_chunk_size(r, v);
        } else if (m.type == SR_RTMP_MSG_ABORT && sr_rtmp_control_parse_u32(body.data(), body.size(), &v) == 0) {
            sr_rtmp_reader_abort(r, v);
        }
        sr_payload_unref(m.payload);
    }
    sr_rtmp_reader_free(r);
    return rc;
}

// read_all over n bytes of data in memory, handed out max_read bytes at a time (0: all).
int read_bytes(const uint8_t *data, size_t n, std::vector<Msg> &out, uint32_t chunk_size = 128, size_t max_read = 0)
{
    sr_mem_io_t m;
    sr_mem_io_init(&m, data, n, max_read);
    int rc = read_all(&m.io, out, chunk_size);
    sr_mem_io_deinit(&m);
    return rc;
}

// The stream must read back as `want` however the bytes arrive: all at once, max_read
// 1..N bytes per read, split once at every k, and with timeouts between reads.
void expect_all_splits(const Bytes &s, const std::vector<Msg> &want, uint32_t chunk_size = 128)
{
    for (size_t max_read = 0; max_read <= s.size(); max_read++) {
        sr_mem_io_t m;
        sr_mem_io_init(&m, s.data(), s.size(), max_read);
        std::vector<Msg> got;
        EXPECT_SR_ERR(SR_EPEER_CLOSED, read_all(&m.io, got, chunk_size));
        EXPECT_EQ(want, got) << "max_read " << max_read;
        EXPECT_EQ(s.size(), m.io.recv_bytes);
        sr_mem_io_deinit(&m);
    }
    for (size_t k = 1; k < s.size(); k++) {
        SplitIo io;
        split_io_init(&io, s, k);
        std::vector<Msg> got;
        EXPECT_SR_ERR(SR_EPEER_CLOSED, read_all(&io.io, got, chunk_size));
        EXPECT_EQ(want, got) << "split " << k;
    }
    for (int every = 2; every <= 5; every++) {
        SplitIo io;
        split_io_init(&io, s, s.size(), 3, every);
        std::vector<Msg> got;
        EXPECT_SR_ERR(SR_EPEER_CLOSED, read_all(&io.io, got, chunk_size));
        EXPECT_EQ(want, got) << "timeout_every " << every;
    }
}

// (a) audio csid 4, video csid 6, command csid 3, fmt 0/1/2/3 interleaved, chunk size 128.
void interleaved(Bytes &s, std::vector<Msg> &want)
{
    Bytes cmd = body_of(20, 1), a1 = body_of(10, 2), a2 = body_of(10, 3), a3 = body_of(10, 4);
    Bytes v = body_of(300, 5), v2 = body_of(5, 6), cmd2 = body_of(7, 7), v3 = body_of(5, 8);
    header(s, 0, 3, 0, 20, 20, 0); // command, complete in one chunk
    put(s, cmd, 0, 20);
    header(s, 0, 4, 1000, 10, 8, 1); // audio
    put(s, a1, 0, 10);
    header(s, 0, 6, 1000, 300, 9, 1); // video, first of three chunks
    put(s, v, 0, 128);
    header(s, 2, 4, 23); // audio: same length and type, delta 23
    put(s, a2, 0, 10);
    basic(s, 3, 6); // video continues
    put(s, v, 128, 128);
    basic(s, 3, 4); // audio: a new message reusing the delta
    put(s, a3, 0, 10);
    basic(s, 3, 6); // video ends
    put(s, v, 256, 44);
    header(s, 1, 6, 40, 5, 9); // video: new length
    put(s, v2, 0, 5);
    header(s, 1, 3, 5, 7, 20); // command: keeps stream id 0
    put(s, cmd2, 0, 7);
    basic(s, 3, 6); // video: new message, delta 40 again
    put(s, v3, 0, 5);
    header(s, 0, 4, 2000, 0, 8, 1); // empty audio message: a header and no body
    want = {Msg{20, 0, 0, 3, cmd},  Msg{8, 1, 1000, 4, a1}, Msg{8, 1, 1023, 4, a2},
            Msg{8, 1, 1046, 4, a3}, Msg{9, 1, 1000, 6, v},  Msg{9, 1, 1040, 6, v2},
            Msg{20, 0, 5, 3, cmd2}, Msg{9, 1, 1080, 6, v3}, Msg{8, 1, 2000, 4, Bytes()}};
}

} // namespace

// ---- (a), (b) ----

TEST(RtmpChunk, ReassemblesInterleavedCsids)
{
    Bytes s;
    std::vector<Msg> want;
    interleaved(s, want);
    std::vector<Msg> got;
    EXPECT_SR_ERR(SR_EPEER_CLOSED, read_bytes(s.data(), s.size(), got));
    EXPECT_EQ(want, got);
}

TEST(RtmpChunk, SameMessagesAtEverySplit)
{
    Bytes s;
    std::vector<Msg> want;
    interleaved(s, want);
    expect_all_splits(s, want);
}

TEST(RtmpChunk, Fmt3AfterFmt0AddsItsTimestamp)
{
    // As FFmpeg and librtmp read it: the "delta" a fmt 3 header repeats after a fmt 0
    // header is that header's timestamp field.
    Bytes s, b = body_of(2, 9);
    header(s, 0, 5, 300, 2, 8, 1);
    put(s, b, 0, 2);
    basic(s, 3, 5);
    put(s, b, 0, 2);
    expect_all_splits(s, {Msg{8, 1, 300, 5, b}, Msg{8, 1, 600, 5, b}});
}

TEST(RtmpChunk, TimestampDeltasWrapAt32Bits)
{
    Bytes s, b = body_of(1, 9);
    header(s, 0, 5, 0xfffffff0u, 1, 8, 1);
    put(s, b, 0, 1);
    header(s, 2, 5, 0x20);
    put(s, b, 0, 1);
    expect_all_splits(s, {Msg{8, 1, 0xfffffff0u, 5, b}, Msg{8, 1, 0x10, 5, b}});
}

// ---- (c) extended timestamps ----

namespace
{
// A 300-byte video message at 0x01020304 in three chunks, then a short audio message.
void extended_fmt0(Bytes &s, std::vector<Msg> &want, bool repeat)
{
    const uint32_t ts = 0x01020304;
    Bytes v = body_of(300, 0x40), a = body_of(3, 0x50);
    header(s, 0, 6, ts, 300, 9, 1);
    put(s, v, 0, 128);
    for (size_t off = 128; off < 300; off += 128) {
        basic(s, 3, 6);
        if (repeat) {
            put32(s, ts);
        }
        put(s, v, off, SR_MIN((size_t)128, 300 - off));
    }
    header(s, 0, 4, 7, 3, 8, 1);
    put(s, a, 0, 3);
    want = {Msg{9, 1, ts, 6, v}, Msg{8, 1, 7, 4, a}};
}
} // namespace

TEST(RtmpChunk, ExtendedTimestampRepeatedOnFmt3)
{
    Bytes s;
    std::vector<Msg> want;
    extended_fmt0(s, want, true);
    expect_all_splits(s, want);
}

TEST(RtmpChunk, ExtendedTimestampNotRepeatedOnFmt3)
{
    Bytes s;
    std::vector<Msg> want;
    extended_fmt0(s, want, false);
    expect_all_splits(s, want);
}

TEST(RtmpChunk, ExtendedDeltaOnFmt1AndFmt3NewMessages)
{
    Bytes s, b = body_of(3, 0x60);
    header(s, 0, 6, 100, 3, 9, 1);
    put(s, b, 0, 3);
    header(s, 1, 6, 0x01000000, 3, 9); // extended delta
    put(s, b, 0, 3);
    basic(s, 3, 6); // new message, repeats the extended delta
    put32(s, 0x01000000);
    put(s, b, 0, 3);
    basic(s, 3, 6); // new message, does not repeat it
    put(s, b, 0, 3);
    expect_all_splits(s, {Msg{9, 1, 100, 6, b}, Msg{9, 1, 0x01000064, 6, b}, Msg{9, 1, 0x02000064, 6, b},
                          Msg{9, 1, 0x03000064, 6, b}});
}

TEST(RtmpChunk, ShortFmt3TailWithoutExtendedDoesNotStall)
{
    // 130 bytes: the last chunk has a 2-byte body and nothing follows (the peer waits
    // for us). The reader must not wait for 4 bytes to decide about the extended field.
    const uint32_t ts = 0x01000000;
    for (int repeat = 0; repeat < 2; repeat++) {
        Bytes s, v = body_of(130, 0x70);
        header(s, 0, 6, ts, 130, 9, 1);
        put(s, v, 0, 128);
        basic(s, 3, 6);
        if (repeat) {
            put32(s, ts);
        }
        put(s, v, 128, 2);
        expect_all_splits(s, {Msg{9, 1, ts, 6, v}});
    }
}

// ---- (d) chunk size ----

TEST(RtmpChunk, ChunkSizeChangesBetweenAndWithinMessages)
{
    Bytes s, v = body_of(300, 0x11), w = body_of(500, 0x12);
    const Bytes scs200 = {0x00, 0x00, 0x00, 0xc8}, scs4096 = {0x00, 0x00, 0x10, 0x00};
    header(s, 0, 2, 0, 4, 1, 0); // Set Chunk Size 200
    put(s, scs200, 0, 4);
    header(s, 0, 6, 40, 300, 9, 1);
    put(s, v, 0, 200);
    basic(s, 3, 6);
    put(s, v, 200, 100);
    header(s, 0, 6, 80, 500, 9, 1); // first chunk at 200
    put(s, w, 0, 200);
    basic(s, 2, 2); // Set Chunk Size 4096 arrives mid-message, fmt 2 on csid 2
    s.insert(s.end(), {0, 0, 0});
    put(s, scs4096, 0, 4);
    basic(s, 3, 6); // the rest in one chunk
    put(s, w, 200, 300);
    expect_all_splits(s, {Msg{1, 0, 0, 2, scs200}, Msg{9, 1, 40, 6, v}, Msg{1, 0, 0, 2, scs4096}, Msg{9, 1, 80, 6, w}});
}

TEST(RtmpChunk, ChunkSizeRange)
{
    sr_io_t io = {}; // never read
    sr_rtmp_reader_t *r = sr_rtmp_reader_new(&io);
    EXPECT_EQ(128u, sr_rtmp_reader_chunk_size(r));
    EXPECT_SR_ERR(SR_ERTMP_CHUNK, sr_rtmp_reader_set_chunk_size(r, 0));
    EXPECT_SR_ERR(SR_ERTMP_CHUNK, sr_rtmp_reader_set_chunk_size(r, 0x1000000));
    EXPECT_EQ(128u, sr_rtmp_reader_chunk_size(r));
    EXPECT_SR_OK(sr_rtmp_reader_set_chunk_size(r, 0xffffff));
    EXPECT_SR_OK(sr_rtmp_reader_set_chunk_size(r, 1));
    EXPECT_EQ(1u, sr_rtmp_reader_chunk_size(r));
    sr_rtmp_reader_free(r);
}

// ---- (e) 2- and 3-byte basic headers ----

namespace
{
// Literal bytes, RTMP 5.3.1.1: csid 64 and 319 take 2 bytes, 320 and 65599 take 3.
const uint8_t wide_csids[] = {
    0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x02, 0x08, 0x01, 0x00, 0x00, 0x00, 0xaa, 0xbb, // csid 64
    0x00, 0xff, 0x00, 0x00, 0x14, 0x00, 0x00, 0x01, 0x09, 0x01, 0x00, 0x00, 0x00, 0xcc,       // csid 319
    0x01, 0x00, 0x01, 0x00, 0x00, 0x1e, 0x00, 0x00, 0x01, 0x12, 0x02, 0x00, 0x00, 0x00, 0xdd, // csid 320
    0x01, 0xff, 0xff, 0x00, 0x00, 0x28, 0x00, 0x00, 0x01, 0x14, 0x00, 0x00, 0x00, 0x00, 0xee, // csid 65599
};
} // namespace

TEST(RtmpChunk, TwoAndThreeByteBasicHeaders)
{
    Bytes s(wide_csids, wide_csids + sizeof(wide_csids));
    const std::vector<Msg> fmt0s = {Msg{8, 1, 10, 64, {0xaa, 0xbb}}, Msg{9, 1, 20, 319, {0xcc}},
                                    Msg{18, 2, 30, 320, {0xdd}}, Msg{20, 0, 40, 65599, {0xee}}};
    std::vector<Msg> want = fmt0s;
    s.insert(s.end(), {0x40, 0xff, 0x00, 0x00, 0x05, 0x00, 0x00, 0x01, 0x08, 0x77}); // fmt 1 on csid 319
    s.insert(s.end(), {0xc1, 0xff, 0xff, 0x88});                                     // fmt 3 on csid 65599
    want.push_back(Msg{8, 1, 25, 319, {0x77}});
    want.push_back(Msg{20, 0, 80, 65599, {0x88}});
    expect_all_splits(s, want);

    // the writer produces the same fmt 0 bytes
    sr_mem_io_t m;
    sr_mem_io_init(&m, "", 0, 0);
    sr_rtmp_writer_t *w = sr_rtmp_writer_new(&m.io);
    for (const Msg &x : fmt0s) {
        ASSERT_SR_OK(
            sr_rtmp_writer_add_bytes(w, x.csid, x.type, x.stream_id, x.timestamp, x.body.data(), x.body.size()));
    }
    ASSERT_SR_OK(sr_rtmp_writer_flush(w));
    ASSERT_EQ(sizeof(wide_csids), m.out.len);
    EXPECT_EQ(0, memcmp(wide_csids, m.out.data, m.out.len));
    EXPECT_SR_ERR(SR_EINVAL, sr_rtmp_writer_add_bytes(w, 1, 8, 1, 0, "x", 1));
    EXPECT_SR_ERR(SR_EINVAL, sr_rtmp_writer_add_bytes(w, 65600, 8, 1, 0, "x", 1));
    EXPECT_EQ(0u, sr_rtmp_writer_pending_bytes(w));
    sr_rtmp_writer_free(w);
    sr_mem_io_deinit(&m);
}

// ---- (f) writer → reader ----

TEST(RtmpChunk, WriterReaderRoundTrip)
{
    const uint32_t stamps[] = {0, 40, 0xfffffe, 0xffffff, 0x1000000, 0xffffffffu};
    const uint32_t csids[] = {3, 4, 6, 64, 400};
    for (uint32_t cs : {128u, 60000u}) {
        const size_t sizes[] = {0, 1, cs - 1, cs, cs + 1, 3 * (size_t)cs + 7};
        std::vector<Msg> want;
        for (size_t i = 0; i < SR_ARRAY_SIZE(stamps) * 2; i++) {
            for (size_t n : sizes) {
                Bytes b = body_of(n, (uint8_t)(0x21 + i));
                want.push_back(Msg{(uint8_t)(i % 2 ? 9 : 8), (uint32_t)(1 + i % 3), stamps[i % SR_ARRAY_SIZE(stamps)],
                                   csids[(i + n) % SR_ARRAY_SIZE(csids)], b});
            }
        }
        sr_mem_io_t out;
        sr_mem_io_init(&out, "", 0, 0);
        sr_rtmp_writer_t *w = sr_rtmp_writer_new(&out.io);
        sr_rtmp_writer_set_chunk_size(w, cs);
        EXPECT_EQ((int)cs, sr_rtmp_writer_chunk_size(w));
        for (const Msg &x : want) {
            sr_payload_t *p = sr_payload_new_copy(x.body.data(), x.body.size());
            ASSERT_SR_OK(sr_rtmp_writer_add(w, x.csid, x.type, x.stream_id, x.timestamp, p));
            sr_payload_unref(p);
        }
        ASSERT_SR_OK(sr_rtmp_writer_flush(w));
        sr_rtmp_writer_free(w);
        for (size_t max_read : {0, 1, 7, 1000}) {
            std::vector<Msg> got;
            EXPECT_SR_ERR(SR_EPEER_CLOSED, read_bytes(out.out.data, out.out.len, got, cs, max_read));
            EXPECT_EQ(want, got) << "chunk size " << cs;
        }
        sr_mem_io_deinit(&out);
    }
}

TEST(RtmpChunk, WriterRepeatsExtendedTimestampOnFmt3)
{
    Bytes want_bytes, v = body_of(300, 0x31);
    const uint32_t ts = 0x01020304;
    header(want_bytes, 0, 6, ts, 300, 9, 1);
    put(want_bytes, v, 0, 128);
    basic(want_bytes, 3, 6);
    put32(want_bytes, ts);
    put(want_bytes, v, 128, 128);
    basic(want_bytes, 3, 6);
    put32(want_bytes, ts);
    put(want_bytes, v, 256, 44);

    CountIo c;
    count_io_init(&c);
    sr_rtmp_writer_t *w = sr_rtmp_writer_new(&c.io);
    ASSERT_SR_OK(sr_rtmp_writer_add_bytes(w, 6, 9, 1, ts, v.data(), v.size()));
    EXPECT_EQ(want_bytes.size(), sr_rtmp_writer_pending_bytes(w));
    ASSERT_SR_OK(sr_rtmp_writer_flush(w));
    EXPECT_TRUE(want_bytes == c.out);
    EXPECT_EQ(1, c.writevs);
    EXPECT_EQ(6, c.max_iovcnt); // header, body, per chunk
    EXPECT_EQ(want_bytes.size(), c.io.send_bytes);
    sr_rtmp_writer_free(w);
}

// ---- (g) malformed input ----

TEST(RtmpChunk, RefusesFmt123OnUnknownCsid)
{
    for (uint8_t first : {0x44, 0x84, 0xc4}) {
        Bytes s = {first, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        std::vector<Msg> got;
        EXPECT_SR_ERR(SR_ERTMP_CHUNK, read_bytes(s.data(), s.size(), got));
        EXPECT_NE(nullptr, strstr(sr_err_trail(), "csid=4")) << sr_err_trail();
        EXPECT_NE(nullptr, strstr(sr_err_trail(), "without a previous header")) << sr_err_trail();
    }
}

TEST(RtmpChunk, TruncatedStreamFailsWithoutLeak)
{
    Bytes s, v = body_of(300, 0x13);
    header(s, 0, 6, 0, 300, 9, 1);
    put(s, v, 0, 128);
    basic(s, 3, 6);
    put(s, v, 128, 50);
    long live = sr_payload_live_count();
    for (size_t cut = 0; cut < s.size(); cut++) {
        std::vector<Msg> got;
        EXPECT_SR_ERR(SR_EPEER_CLOSED, read_bytes(s.data(), cut, got));
        EXPECT_TRUE(got.empty());
    }
    EXPECT_EQ(live, sr_payload_live_count());
}

TEST(RtmpChunk, AbortDiscardsPartialMessage)
{
    Bytes s, v = body_of(300, 0x14), v2 = body_of(5, 0x15);
    const Bytes abort6 = {0, 0, 0, 6};
    header(s, 0, 6, 0, 300, 9, 1); // first chunk of 300 bytes
    put(s, v, 0, 128);
    header(s, 0, 2, 0, 4, 2, 0); // Abort csid 6
    put(s, abort6, 0, 4);
    header(s, 0, 6, 40, 5, 9, 1); // a new message on csid 6
    put(s, v2, 0, 5);
    expect_all_splits(s, {Msg{2, 0, 0, 2, abort6}, Msg{9, 1, 40, 6, v2}});
}

TEST(RtmpChunk, RefusesNewHeaderInsidePartialMessage)
{
    for (int fmt = 0; fmt < 3; fmt++) {
        Bytes s, v = body_of(300, 0x16);
        header(s, 0, 6, 0, 300, 9, 1);
        put(s, v, 0, 128);
        if (fmt == 0) {
            header(s, 0, 6, 40, 5, 9, 1);
        } else if (fmt == 1) {
            header(s, 1, 6, 40, 5, 9);
        } else {
            header(s, 2, 6, 40);
        }
        put(s, v, 0, 5);
        std::vector<Msg> got;
        EXPECT_SR_ERR(SR_ERTMP_CHUNK, read_bytes(s.data(), s.size(), got));
        EXPECT_NE(nullptr, strstr(sr_err_trail(), "inside a partial message")) << sr_err_trail();
    }
}

TEST(RtmpChunk, LimitsPartialMessages)
{
    // at most 64 partial messages at once
    Bytes s, v = body_of(128, 0x17);
    for (uint32_t csid = 3; csid < 3 + 65; csid++) {
        header(s, 0, csid, 0, 300, 9, 1);
        put(s, v, 0, 128);
    }
    std::vector<Msg> got;
    EXPECT_SR_ERR(SR_ERTMP_CHUNK, read_bytes(s.data(), s.size(), got));
    EXPECT_NE(nullptr, strstr(sr_err_trail(), "partial messages")) << sr_err_trail();

    // and at most 64 MiB of them: four 16 MiB messages fit, a fifth does not (chunk size
    // 1, so one body byte per message is a whole chunk)
    Bytes big;
    for (uint32_t csid = 3; csid < 3 + 5; csid++) {
        header(big, 0, csid, 0, 0xffffff, 9, 1);
        big.push_back(0);
    }
    got.clear();
    EXPECT_SR_ERR(SR_ERTMP_CHUNK, read_bytes(big.data(), big.size(), got, 1));
    EXPECT_NE(nullptr, strstr(sr_err_trail(), "csid=7")) << sr_err_trail();
}

// Issue 9.3: a command, data or control message cannot make a connection hold megabytes.
TEST(RtmpChunk, LimitsMessageLengthByType)
{
    struct {
        uint8_t type;
        uint32_t ok, refused;
    } cases[] = {
        {20, SR_RTMP_MAX_COMMAND_SIZE, SR_RTMP_MAX_COMMAND_SIZE + 1},
        {17, SR_RTMP_MAX_COMMAND_SIZE, 300000},
        {18, SR_RTMP_MAX_DATA_SIZE, SR_RTMP_MAX_DATA_SIZE + 1},
        {4, SR_RTMP_MAX_CONTROL_SIZE, SR_RTMP_MAX_CONTROL_SIZE + 1},
    };
    for (const auto &c : cases) {
        for (uint32_t len : {c.ok, c.refused}) {
            Bytes s;
            header(s, 0, 3, 0, len, c.type, 1);
            s.push_back(0); // the first body byte: a whole chunk at chunk size 1
            std::vector<Msg> got;
            int rc = read_bytes(s.data(), s.size(), got, 1);
            if (len == c.ok) {
                EXPECT_NE(-SR_ERTMP_CHUNK, rc) << "type " << (int)c.type << " length " << len;
            } else {
                EXPECT_EQ(-SR_ERTMP_CHUNK, rc) << "type " << (int)c.type << " length " << len;
                EXPECT_NE(nullptr, strstr(sr_err_trail(), "at most")) << sr_err_trail();
            }
        }
    }
}

TEST(RtmpChunk, LimitsLargeCsids)
{
    Bytes s;
    for (uint32_t csid = 64; csid < 64 + 1025; csid++) {
        header(s, 0, csid * 37 % 60000 + 64, 0, 0, 8, 1);
    }
    std::vector<Msg> got;
    EXPECT_SR_ERR(SR_ERTMP_CHUNK, read_bytes(s.data(), s.size(), got));
    EXPECT_EQ(1024u, got.size());
}

// ---- (h) writer batching and references ----

TEST(RtmpChunk, WriterBatchesIntoOneWritevAndReleasesRefs)
{
    long live = sr_payload_live_count();
    CountIo c;
    count_io_init(&c);
    sr_rtmp_writer_t *w = sr_rtmp_writer_new(&c.io);
    std::vector<Msg> want;
    for (uint32_t i = 0; i < 100; i++) {
        Bytes b = body_of(100 + i, (uint8_t)i);
        want.push_back(Msg{(uint8_t)(i % 2 ? 8 : 9), 1, i * 20, i % 2 ? 4u : 6u, b});
        sr_payload_t *p = sr_payload_new_copy(b.data(), b.size());
        ASSERT_SR_OK(sr_rtmp_writer_add(w, want.back().csid, want.back().type, 1, i * 20, p));
        EXPECT_EQ(2, p->refs);
        sr_payload_unref(p);
    }
    EXPECT_EQ(live + 100, sr_payload_live_count()); // the writer holds them
    EXPECT_EQ(0, c.writevs);
    ASSERT_SR_OK(sr_rtmp_writer_flush(w));
    EXPECT_EQ(1, c.writevs);
    EXPECT_EQ(live, sr_payload_live_count());
    EXPECT_EQ(0u, sr_rtmp_writer_pending_bytes(w));
    ASSERT_SR_OK(sr_rtmp_writer_flush(w)); // nothing queued: no write
    EXPECT_EQ(1, c.writevs);
    sr_rtmp_writer_free(w);

    std::vector<Msg> got;
    EXPECT_SR_ERR(SR_EPEER_CLOSED, read_bytes(c.out.data(), c.out.size(), got));
    EXPECT_EQ(want, got);
}

// The shared wire form (sr_rtmp_chunk_delta, sr_rtmp_writer_add_chunked): after a fmt 0
// message on each chunk stream, fmt 1 messages laid end to end in one block read back
// with the right timestamps and bodies, at chunk sizes that split them, and go out as one
// iovec however many there are.
TEST(RtmpChunk, SharedDeltaFormReadsBackInOneIovec)
{
    for (uint32_t cs : {128u, 60000u}) {
        long live = sr_payload_live_count();
        CountIo c;
        count_io_init(&c);
        sr_rtmp_writer_t *w = sr_rtmp_writer_new(&c.io);
        sr_rtmp_writer_set_chunk_size(w, cs);
        std::vector<Msg> want;
        uint32_t ts[2] = {1000, 1020};
        for (int k = 0; k < 2; k++) { // each chunk stream starts with its own fmt 0 header
            Bytes b = body_of(50, (uint8_t)k);
            want.push_back(Msg{(uint8_t)(k ? 9 : 8), 1, ts[k], k ? 7u : 6u, b});
            sr_payload_t *p = sr_payload_new_copy(b.data(), b.size());
            ASSERT_SR_OK(sr_rtmp_writer_add(w, want.back().csid, want.back().type, 1, ts[k], p));
            sr_payload_unref(p);
        }
        sr_payload_t *block = sr_payload_new(64 * 1024);
        size_t used = 0;
        for (int i = 0; i < 40; i++) {
            int k = i % 2;
            uint32_t delta = k ? 40 : 23;
            ts[k] += delta;
            Bytes b = body_of(i % 5 == 0 ? 300 : 90, (uint8_t)(2 + i));
            want.push_back(Msg{(uint8_t)(k ? 9 : 8), 1, ts[k], k ? 7u : 6u, b});
            size_t need = sr_rtmp_chunk_delta_size(want.back().csid, cs, b.size());
            ASSERT_LE(used + need, block->size);
            size_t n = sr_rtmp_chunk_delta(block->data + used, want.back().csid, want.back().type, delta, cs, b.data(),
                                           b.size());
            ASSERT_EQ(need, n);
            ASSERT_SR_OK(sr_rtmp_writer_add_chunked(w, block, block->data + used, n));
            used += n;
        }
        EXPECT_EQ(0u, sr_rtmp_chunk_delta(block->data, 6, 8, -1, cs, block->data, 1)) << "negative delta";
        EXPECT_EQ(0u, sr_rtmp_chunk_delta(block->data, 6, 8, 0xffffff, cs, block->data, 1)) << "extended delta";
        sr_payload_unref(block);
        EXPECT_EQ(live + 3, sr_payload_live_count()); // the writer holds two payloads and the block
        ASSERT_SR_OK(sr_rtmp_writer_flush(w));
        EXPECT_EQ(5, c.max_iovcnt) << "two fmt 0 messages (header, body each), then one range";
        EXPECT_EQ(live, sr_payload_live_count());
        sr_rtmp_writer_free(w);
        std::vector<Msg> got;
        EXPECT_SR_ERR(SR_EPEER_CLOSED, read_bytes(c.out.data(), c.out.size(), got, cs));
        EXPECT_EQ(want, got) << "chunk size " << cs;
    }
}

TEST(RtmpChunk, WriterSplitsWritevAtIovMaxAndFlushesWhenFull)
{
    CountIo c;
    count_io_init(&c);
    sr_rtmp_writer_t *w = sr_rtmp_writer_new(&c.io);
    // one 200 KB message at chunk size 128: about 3100 iovecs in one flush
    Bytes big = body_of(200000, 0x41);
    ASSERT_SR_OK(sr_rtmp_writer_add_bytes(w, 6, 9, 1, 0, big.data(), big.size()));
    ASSERT_SR_OK(sr_rtmp_writer_flush(w));
    EXPECT_EQ(4, c.writevs);
    EXPECT_EQ(1024, c.max_iovcnt);
    std::vector<Msg> want = {Msg{9, 1, 0, 6, big}};
    // many messages: add flushes by itself before the queue passes its soft limit
    c.writevs = 0;
    for (uint32_t i = 0; i < 100; i++) {
        Bytes b = body_of(3000, (uint8_t)i);
        want.push_back(Msg{8, 1, i, 4, b});
        ASSERT_SR_OK(sr_rtmp_writer_add_bytes(w, 4, 8, 1, i, b.data(), b.size()));
    }
    EXPECT_GT(c.writevs, 0);
    ASSERT_SR_OK(sr_rtmp_writer_flush(w));
    EXPECT_LE(c.max_iovcnt, 1024);
    sr_rtmp_writer_free(w);

    std::vector<Msg> got;
    EXPECT_SR_ERR(SR_EPEER_CLOSED, read_bytes(c.out.data(), c.out.size(), got));
    EXPECT_EQ(want, got);
}

TEST(RtmpChunk, WriterReleasesRefsOnWriteError)
{
    long live = sr_payload_live_count();
    CountIo c;
    count_io_init(&c);
    c.fail = true;
    sr_rtmp_writer_t *w = sr_rtmp_writer_new(&c.io);
    sr_payload_t *p = sr_payload_new_copy("abc", 3);
    ASSERT_SR_OK(sr_rtmp_writer_add(w, 3, 20, 0, 0, p));
    ASSERT_SR_OK(sr_rtmp_writer_add(w, 3, 20, 0, 0, p));
    EXPECT_EQ(3, p->refs);
    EXPECT_SR_ERR(SR_ESOCKET_WRITE, sr_rtmp_writer_flush(w));
    EXPECT_EQ(1, p->refs);
    EXPECT_EQ(0u, sr_rtmp_writer_pending_bytes(w));
    // free drops what is queued without writing it
    ASSERT_SR_OK(sr_rtmp_writer_add(w, 3, 20, 0, 0, p));
    sr_rtmp_writer_free(w);
    EXPECT_EQ(1, p->refs);
    sr_payload_unref(p);
    EXPECT_EQ(live, sr_payload_live_count());
}

// ---- (i) control message bodies ----

TEST(RtmpControl, BuildsAndParsesU32Bodies)
{
    uint8_t b[4];
    uint32_t v = 0;
    sr_rtmp_control_encode_set_chunk_size(b, 60000);
    EXPECT_EQ(0, memcmp(b, "\x00\x00\xea\x60", 4));
    sr_rtmp_control_encode_set_chunk_size(b, 0xffffffffu);
    EXPECT_EQ(0, memcmp(b, "\x7f\xff\xff\xff", 4));
    sr_rtmp_control_encode_abort(b, 6);
    EXPECT_EQ(0, memcmp(b, "\x00\x00\x00\x06", 4));
    sr_rtmp_control_encode_ack(b, 0x01020304);
    EXPECT_EQ(0, memcmp(b, "\x01\x02\x03\x04", 4));
    sr_rtmp_control_encode_window_ack_size(b, 2500000);
    EXPECT_EQ(0, memcmp(b, "\x00\x26\x25\xa0", 4));
    ASSERT_SR_OK(sr_rtmp_control_parse_u32(b, 4, &v));
    EXPECT_EQ(2500000u, v);
    EXPECT_SR_ERR(SR_ERTMP_MESSAGE, sr_rtmp_control_parse_u32(b, 3, &v));
}

TEST(RtmpControl, BuildsAndParsesSetPeerBandwidth)
{
    uint8_t b[5];
    sr_rtmp_control_encode_set_peer_bandwidth(b, 2500000, SR_RTMP_LIMIT_DYNAMIC);
    EXPECT_EQ(0, memcmp(b, "\x00\x26\x25\xa0\x02", 5));
    uint32_t win = 0;
    uint8_t limit = 9;
    ASSERT_SR_OK(sr_rtmp_control_parse_set_peer_bandwidth(b, 5, &win, &limit));
    EXPECT_EQ(2500000u, win);
    EXPECT_EQ(SR_RTMP_LIMIT_DYNAMIC, limit);
    EXPECT_SR_ERR(SR_ERTMP_MESSAGE, sr_rtmp_control_parse_set_peer_bandwidth(b, 4, &win, &limit));
}

TEST(RtmpControl, BuildsAndParsesUserControl)
{
    uint8_t b[SR_RTMP_USER_CONTROL_MAX_BYTES];
    sr_rtmp_user_control_t uc = {SR_RTMP_UC_STREAM_BEGIN, 1, 0};
    ASSERT_EQ(6u, sr_rtmp_control_encode_user_control(b, &uc));
    EXPECT_EQ(0, memcmp(b, "\x00\x00\x00\x00\x00\x01", 6));
    uc = {SR_RTMP_UC_SET_BUFFER_LENGTH, 1, 3000};
    ASSERT_EQ(10u, sr_rtmp_control_encode_user_control(b, &uc));
    EXPECT_EQ(0, memcmp(b, "\x00\x03\x00\x00\x00\x01\x00\x00\x0b\xb8", 10));
    sr_rtmp_user_control_t got;
    ASSERT_SR_OK(sr_rtmp_control_parse_user_control(b, 10, &got));
    EXPECT_EQ(SR_RTMP_UC_SET_BUFFER_LENGTH, got.event);
    EXPECT_EQ(1u, got.data);
    EXPECT_EQ(3000u, got.buffer_ms);
    EXPECT_SR_ERR(SR_ERTMP_MESSAGE, sr_rtmp_control_parse_user_control(b, 9, &got));

    const uint8_t ping[] = {0x00, 0x06, 0x12, 0x34, 0x56, 0x78};
    ASSERT_SR_OK(sr_rtmp_control_parse_user_control(ping, sizeof(ping), &got));
    EXPECT_EQ(SR_RTMP_UC_PING_REQUEST, got.event);
    EXPECT_EQ(0x12345678u, got.data);
    uc = {SR_RTMP_UC_PING_RESPONSE, got.data, 0};
    ASSERT_EQ(6u, sr_rtmp_control_encode_user_control(b, &uc));
    EXPECT_EQ(0, memcmp(b, "\x00\x07\x12\x34\x56\x78", 6));
    EXPECT_SR_ERR(SR_ERTMP_MESSAGE, sr_rtmp_control_parse_user_control(ping, 5, &got));
    EXPECT_SR_ERR(SR_ERTMP_MESSAGE, sr_rtmp_control_parse_user_control(ping, 1, &got));

    const uint8_t swf_request[] = {0x00, 0x1a}; // SWF verification request: no data
    ASSERT_SR_OK(sr_rtmp_control_parse_user_control(swf_request, sizeof(swf_request), &got));
    EXPECT_EQ(26, got.event);
    EXPECT_EQ(0u, got.data);
}
