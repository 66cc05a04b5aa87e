// SPDX-License-Identifier: MIT
// utest_rtp.cpp: RTP packets (sr_rtp.h): header parse/write with CSRCs, RFC 8285
// one-byte and two-byte extensions and padding, cut at every length; RTX unwrapping;
// sequence arithmetic and 16/32-bit unwrapping across the wrap; the reorder buffer
// (shuffles, duplicates, gaps given up by time and by window, restarts, NACK lists);
// Opus durations from the TOC byte (sr_rtp_opus.h) and Opus received through the
// reorder buffer.
// The packets are laid out as Chrome sends them: Opus pt 111 with the extension ids of
// a Chrome offer (1 ssrc-audio-level, 3 transport-wide-cc, 4 sdes:mid).
#include <string.h>

#include <algorithm>
#include <random>
#include <vector>

#include "sr_error.h"
#include "sr_rtp.h"
#include "sr_rtp_opus.h"
#include "sr_utest.h"

namespace
{

typedef std::vector<uint8_t> Bytes;

// Opus from Chrome: V=2 X=1, pt 111, seq 0x1a2b, ts 0x9c4f0e20, ssrc 0x2d3e4f50; one-byte
// extensions: audio level (id 1, 1 byte: voice, -42 dBov), transport-cc seq 0x0102 (id 3),
// mid "0" (id 4), one padding byte; then a 20 ms CELT FB mono packet (TOC 0x78).
const uint8_t kChromeOpus[] = {0x90, 0x6f, 0x1a, 0x2b, 0x9c, 0x4f, 0x0e, 0x20, 0x2d, 0x3e, 0x4f, 0x50,
                               0xbe, 0xde, 0x00, 0x02, 0x10, 0xaa, 0x31, 0x01, 0x02, 0x40, 0x30, 0x00,
                               0x78, 0x0b, 0xe4, 0xc1, 0x36, 0xec, 0xc5, 0x8d, 0x8c, 0x49, 0x46};

TEST(Rtp, ParsesChromeOpusWithOneByteExtensions)
{
    sr_rtp_packet_t p;
    ASSERT_SR_OK(sr_rtp_parse(kChromeOpus, sizeof(kChromeOpus), &p));
    EXPECT_EQ(111, p.pt);
    EXPECT_FALSE(p.is_marker);
    EXPECT_EQ(0x1a2b, p.seq);
    EXPECT_EQ(0x9c4f0e20u, p.ts);
    EXPECT_EQ(0x2d3e4f50u, p.ssrc);
    EXPECT_EQ(0, p.nb_csrc);
    EXPECT_TRUE(p.has_extension);
    EXPECT_EQ(SR_RTP_EXT_ONE_BYTE, p.ext_profile);
    EXPECT_EQ(8u, p.ext_size);
    EXPECT_EQ(kChromeOpus + 24, p.payload);
    EXPECT_EQ(sizeof(kChromeOpus) - 24, p.payload_size);

    const uint8_t *v;
    size_t n;
    ASSERT_SR_OK(sr_rtp_ext_find(&p, 1, &v, &n));
    EXPECT_EQ(1u, n);
    EXPECT_EQ(0xaa, v[0]);
    ASSERT_SR_OK(sr_rtp_ext_find(&p, 3, &v, &n));
    ASSERT_EQ(2u, n);
    EXPECT_EQ(0x0102, (v[0] << 8) | v[1]);
    ASSERT_SR_OK(sr_rtp_ext_find(&p, 4, &v, &n));
    EXPECT_EQ(1u, n);
    EXPECT_EQ('0', v[0]);
    EXPECT_SR_ERR(SR_ENOT_FOUND, sr_rtp_ext_find(&p, 2, &v, &n));
    EXPECT_SR_ERR(SR_ENOT_FOUND, sr_rtp_ext_find(&p, 15, &v, &n));
    EXPECT_SR_ERR(SR_ENOT_FOUND, sr_rtp_ext_find(&p, 0, &v, &n));
}

TEST(Rtp, EveryCutOfAHeaderIsTruncated)
{
    // the 24 bytes of header and extension: any cut inside them is truncated; a cut in
    // the payload is a shorter payload
    for (size_t n = 0; n < 24; n++) {
        SCOPED_TRACE(n);
        sr_rtp_packet_t p;
        EXPECT_SR_ERR(SR_ETRUNCATED, sr_rtp_parse(kChromeOpus, n, &p));
    }
    for (size_t n = 24; n <= sizeof(kChromeOpus); n++) {
        sr_rtp_packet_t p;
        ASSERT_SR_OK(sr_rtp_parse(kChromeOpus, n, &p));
        EXPECT_EQ(n - 24, p.payload_size);
    }
}

TEST(Rtp, RejectsOtherVersionsAndBadPadding)
{
    Bytes b(kChromeOpus, kChromeOpus + sizeof(kChromeOpus));
    sr_rtp_packet_t p;
    for (uint8_t version = 0; version < 4; version++) {
        b[0] = (uint8_t)((version << 6) | (b[0] & 0x3f));
        EXPECT_EQ(version == 2 ? SR_OK : -SR_EFORMAT, sr_rtp_parse(b.data(), b.size(), &p));
    }
    b[0] = 0xb0; // P=1 X=1
    b.back() = 0;
    EXPECT_SR_ERR(SR_EFORMAT, sr_rtp_parse(b.data(), b.size(), &p)); // count 0
    b.back() = (uint8_t)(b.size() - 24 + 1);
    EXPECT_SR_ERR(SR_EFORMAT, sr_rtp_parse(b.data(), b.size(), &p)); // into the header
    b.back() = (uint8_t)(b.size() - 24);
    ASSERT_SR_OK(sr_rtp_parse(b.data(), b.size(), &p)); // the whole payload is padding
    EXPECT_EQ(0u, p.payload_size);
    EXPECT_EQ(b.size() - 24, p.padding_size);
    b.back() = 3;
    ASSERT_SR_OK(sr_rtp_parse(b.data(), b.size(), &p));
    EXPECT_EQ(b.size() - 24 - 3, p.payload_size);
}

TEST(Rtp, CsrcsMarkerAndTwoByteExtensions)
{
    // V=2 CC=2 X=1, M=1 pt 96, two CSRCs, profile 0x1000 with id 20 (0 bytes), a padding
    // byte, id 7 (3 bytes), then the payload
    const uint8_t pkt[] = {0x92, 0xe0, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44,
                           0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x0b, 0x10, 0x00, 0x00, 0x02,
                           0x14, 0x00, 0x00, 0x07, 0x03, 0xa1, 0xa2, 0xa3, 0x65, 0x88};
    sr_rtp_packet_t p;
    ASSERT_SR_OK(sr_rtp_parse(pkt, sizeof(pkt), &p));
    EXPECT_TRUE(p.is_marker);
    EXPECT_EQ(96, p.pt);
    EXPECT_EQ(0xffff, p.seq);
    ASSERT_EQ(2, p.nb_csrc);
    EXPECT_EQ(10u, p.csrc[0]);
    EXPECT_EQ(11u, p.csrc[1]);
    EXPECT_EQ(0x1000, p.ext_profile);
    const uint8_t *v;
    size_t n;
    ASSERT_SR_OK(sr_rtp_ext_find(&p, 20, &v, &n));
    EXPECT_EQ(0u, n);
    ASSERT_SR_OK(sr_rtp_ext_find(&p, 7, &v, &n));
    ASSERT_EQ(3u, n);
    EXPECT_EQ(0xa3, v[2]);
    EXPECT_EQ(2u, p.payload_size);
    for (size_t cut = 0; cut < 32; cut++) {
        SCOPED_TRACE(cut);
        EXPECT_SR_ERR(SR_ETRUNCATED, sr_rtp_parse(pkt, cut, &p));
    }
}

TEST(Rtp, ExtensionWalkStopsAtLiesAndId15)
{
    // one-byte: id 2 claims 16 bytes in a 4-byte block; id 15 stops the walk before id 3
    const uint8_t lie[] = {0x80, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xbe, 0xde, 0x00, 0x01, 0x2f, 0x00, 0x00, 0x00};
    const uint8_t stop[] = {0x90, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xbe, 0xde, 0x00, 0x01, 0xf0, 0x30, 0x00, 0x00};
    sr_rtp_packet_t p;
    const uint8_t *v;
    size_t n;
    Bytes b(lie, lie + sizeof(lie));
    b[0] = 0x90;
    ASSERT_SR_OK(sr_rtp_parse(b.data(), b.size(), &p));
    EXPECT_SR_ERR(SR_ENOT_FOUND, sr_rtp_ext_find(&p, 2, &v, &n));
    ASSERT_SR_OK(sr_rtp_parse(stop, sizeof(stop), &p));
    EXPECT_SR_ERR(SR_ENOT_FOUND, sr_rtp_ext_find(&p, 3, &v, &n));
    // an unknown profile has no elements; no extension at all neither
    b[12] = 0x12;
    ASSERT_SR_OK(sr_rtp_parse(b.data(), b.size(), &p));
    EXPECT_SR_ERR(SR_ENOT_FOUND, sr_rtp_ext_find(&p, 2, &v, &n));
    ASSERT_SR_OK(sr_rtp_parse(lie, 12, &p));
    EXPECT_SR_ERR(SR_ENOT_FOUND, sr_rtp_ext_find(&p, 2, &v, &n));
}

TEST(Rtp, WritesWhatParsesBack)
{
    sr_rtp_packet_t h;
    memset(&h, 0, sizeof(h));
    h.pt = 111;
    h.seq = 0x1a2b;
    h.ts = 0x9c4f0e20;
    h.ssrc = 0x2d3e4f50;
    const uint8_t level = 0xaa, twcc[2] = {0x01, 0x02}, mid = '0';
    sr_rtp_ext_elem_t ext[] = {{1, 1, &level}, {3, 2, twcc}, {4, 1, &mid}};
    uint8_t out[64];
    size_t n;
    ASSERT_SR_OK(sr_rtp_header_write(&h, ext, 3, out, sizeof(out), &n));
    ASSERT_EQ(24u, n);
    EXPECT_EQ(0, memcmp(out, kChromeOpus, 24)); // byte for byte what Chrome sent
    for (size_t cap = 0; cap < 24; cap++) {
        EXPECT_SR_ERR(SR_EOVERFLOW, sr_rtp_header_write(&h, ext, 3, out, cap, &n));
    }

    // CSRCs, marker, an element the one-byte form cannot hold: the two-byte form
    h.is_marker = true;
    h.nb_csrc = 2;
    h.csrc[0] = 7;
    h.csrc[1] = 8;
    uint8_t big[20];
    memset(big, 0x5a, sizeof(big));
    sr_rtp_ext_elem_t ext2[] = {{3, 2, twcc}, {9, 20, big}};
    ASSERT_SR_OK(sr_rtp_header_write(&h, ext2, 2, out, sizeof(out), &n));
    Bytes pkt(out, out + n);
    pkt.push_back(0x42);
    sr_rtp_packet_t p;
    ASSERT_SR_OK(sr_rtp_parse(pkt.data(), pkt.size(), &p));
    EXPECT_TRUE(p.is_marker);
    EXPECT_EQ(2, p.nb_csrc);
    EXPECT_EQ(8u, p.csrc[1]);
    EXPECT_EQ(SR_RTP_EXT_TWO_BYTE, p.ext_profile);
    const uint8_t *v;
    size_t vn;
    ASSERT_SR_OK(sr_rtp_ext_find(&p, 9, &v, &vn));
    EXPECT_EQ(20u, vn);
    EXPECT_EQ(0, memcmp(v, big, 20));
    ASSERT_SR_OK(sr_rtp_ext_find(&p, 3, &v, &vn));
    EXPECT_EQ(2u, vn);
    EXPECT_EQ(1u, p.payload_size);

    // no extension: 12 bytes + CSRCs
    h.nb_csrc = 0;
    ASSERT_SR_OK(sr_rtp_header_write(&h, NULL, 0, out, sizeof(out), &n));
    EXPECT_EQ(12u, n);
    EXPECT_EQ(0x80, out[0]);
    EXPECT_EQ(0xef, out[1]);

    // out of contract
    sr_rtp_ext_elem_t bad[] = {{0, 1, &level}};
    EXPECT_SR_ERR(SR_EINVAL, sr_rtp_header_write(&h, bad, 1, out, sizeof(out), &n));
    h.pt = 128;
    EXPECT_SR_ERR(SR_EINVAL, sr_rtp_header_write(&h, NULL, 0, out, sizeof(out), &n));
}

TEST(Rtp, RtxUnwrapsTheOriginalSequence)
{
    // RTX pt 97 ssrc 0x99, OSN 0x1234, then the original payload
    const uint8_t rtx[] = {0x80, 0x61, 0x00, 0x05, 0, 0, 0, 9, 0, 0, 0, 0x99, 0x12, 0x34, 0x65, 0x88};
    sr_rtp_packet_t p;
    ASSERT_SR_OK(sr_rtp_parse(rtx, sizeof(rtx), &p));
    ASSERT_SR_OK(sr_rtp_rtx_unwrap(&p, 96, 0x42));
    EXPECT_EQ(0x1234, p.seq);
    EXPECT_EQ(96, p.pt);
    EXPECT_EQ(0x42u, p.ssrc);
    EXPECT_EQ(2u, p.payload_size);
    EXPECT_EQ(0x65, p.payload[0]);
    ASSERT_SR_OK(sr_rtp_parse(rtx, 13, &p));
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_rtp_rtx_unwrap(&p, 96, 0x42));
}

TEST(RtpSeq, ComparesAcrossTheWrap)
{
    EXPECT_EQ(1, sr_rtp_seq_diff(0, 65535));
    EXPECT_EQ(-1, sr_rtp_seq_diff(65535, 0));
    EXPECT_TRUE(sr_rtp_seq_lt(65535, 0));
    EXPECT_TRUE(sr_rtp_seq_lt(65000, 100));
    EXPECT_FALSE(sr_rtp_seq_lt(100, 65000));
    EXPECT_FALSE(sr_rtp_seq_lt(7, 7));
    EXPECT_EQ(32767, sr_rtp_seq_diff(32767, 0));
    EXPECT_EQ(-32768, sr_rtp_seq_diff(32768, 0));
}

TEST(RtpSeq, UnwrapsSequencesAndTimestamps)
{
    sr_rtp_unwrap_t u;
    sr_rtp_unwrap_init(&u);
    EXPECT_EQ(65534, sr_rtp_seq_unwrap(&u, 65534));
    EXPECT_EQ(65535, sr_rtp_seq_unwrap(&u, 65535));
    EXPECT_EQ(65537, sr_rtp_seq_unwrap(&u, 1));     // across the wrap
    EXPECT_EQ(65536, sr_rtp_seq_unwrap(&u, 0));     // late, still after the wrap
    EXPECT_EQ(65533, sr_rtp_seq_unwrap(&u, 65533)); // late, before it
    EXPECT_EQ(65538, sr_rtp_seq_unwrap(&u, 2));
    int64_t last = 0;
    for (int i = 0; i < 3 * 65536; i += 1000) { // three more wraps in steps of 1000
        last = sr_rtp_seq_unwrap(&u, (uint16_t)(2 + i));
    }
    EXPECT_EQ(65538 + 196000, last);

    sr_rtp_unwrap_init(&u);
    EXPECT_EQ(0, sr_rtp_seq_unwrap(&u, 0));
    EXPECT_EQ(-1, sr_rtp_seq_unwrap(&u, 65535)); // before the first, across the wrap

    sr_rtp_unwrap_t t;
    sr_rtp_unwrap_init(&t);
    EXPECT_EQ(4294960000LL, sr_rtp_ts_unwrap(&t, 4294960000u));
    EXPECT_EQ(4294967296LL + 3000, sr_rtp_ts_unwrap(&t, 3000)); // a 90 kHz clock wraps
    EXPECT_EQ(4294967296LL + 3000 - 6000, sr_rtp_ts_unwrap(&t, (uint32_t)(3000 - 6000)));
}

// ---- the reorder buffer ----

struct Released {
    std::vector<uint16_t> seqs;
    std::vector<uint32_t> lost;
    std::vector<Bytes> payloads;
    static void On(void *arg, const sr_rtp_packet_t *pkt, uint32_t lost)
    {
        Released *r = (Released *)arg;
        r->seqs.push_back(pkt->seq);
        r->lost.push_back(lost);
        r->payloads.push_back(Bytes(pkt->payload, pkt->payload + pkt->payload_size));
    }
    uint32_t TotalLost() const
    {
        uint32_t n = 0;
        for (uint32_t l : lost) {
            n += l;
        }
        return n;
    }
};

sr_rtp_packet_t Pkt(uint16_t seq, const uint8_t *payload = NULL, size_t size = 0)
{
    sr_rtp_packet_t p;
    memset(&p, 0, sizeof(p));
    p.seq = seq;
    p.ts = seq * 10u;
    p.ssrc = 1;
    p.pt = 96;
    p.payload = payload;
    p.payload_size = size;
    return p;
}

TEST(RtpReorder, ShuffledAndDuplicatedComeOutInOrderAcrossTheWrap)
{
    Released out;
    sr_rtp_reorder_t *r = sr_rtp_reorder_new(256, 100000, Released::On, &out);
    ASSERT_TRUE(r != NULL);
    std::vector<uint16_t> seqs;
    for (int i = 0; i < 600; i++) {
        seqs.push_back((uint16_t)(65300 + i)); // wraps at 65535
    }
    std::vector<uint16_t> sent = seqs;
    std::mt19937 rng(7);
    // shuffle within blocks of 20 (reordering below the window), the first one stays first
    for (size_t i = 1; i + 20 <= sent.size(); i += 20) {
        std::shuffle(sent.begin() + (long)i, sent.begin() + (long)i + 20, rng);
    }
    std::vector<uint16_t> with_dups;
    for (size_t i = 0; i < sent.size(); i++) {
        with_dups.push_back(sent[i]);
        if (i % 7 == 0) {
            with_dups.push_back(sent[i]);
        }
    }
    uint8_t byte = 0;
    for (uint16_t s : with_dups) {
        byte = (uint8_t)s;
        sr_rtp_packet_t p = Pkt(s, &byte, 1);
        sr_rtp_reorder_push(r, &p, 0);
    }
    sr_rtp_reorder_flush(r);
    EXPECT_EQ(seqs, out.seqs);
    EXPECT_EQ(0u, out.TotalLost());
    for (size_t i = 0; i < out.seqs.size(); i++) {
        ASSERT_EQ(1u, out.payloads[i].size());
        EXPECT_EQ((uint8_t)out.seqs[i], out.payloads[i][0]);
    }
    const sr_rtp_reorder_stats_t *st = sr_rtp_reorder_stats(r);
    EXPECT_EQ(with_dups.size(), st->received);
    EXPECT_EQ(seqs.size(), st->released);
    EXPECT_EQ(with_dups.size() - seqs.size(), st->duplicates);
    EXPECT_EQ(0u, st->held);
    sr_rtp_reorder_free(r);
}

TEST(RtpReorder, GapGivenUpAfterTheDelayAndNackedBefore)
{
    Released out;
    sr_rtp_reorder_t *r = sr_rtp_reorder_new(64, 50000, Released::On, &out);
    for (uint16_t s : {100, 101, 104, 106}) {
        sr_rtp_packet_t p = Pkt(s);
        sr_rtp_reorder_push(r, &p, 1000);
    }
    EXPECT_EQ((std::vector<uint16_t>{100, 101}), out.seqs);
    uint16_t missing[8];
    ASSERT_EQ(3u, sr_rtp_reorder_missing(r, missing, 8));
    EXPECT_EQ(102, missing[0]);
    EXPECT_EQ(103, missing[1]);
    EXPECT_EQ(105, missing[2]);
    EXPECT_EQ(2u, sr_rtp_reorder_missing(r, missing, 2));
    // a retransmission of 102 fills part of the gap
    sr_rtp_packet_t p = Pkt(102);
    sr_rtp_reorder_push(r, &p, 20000);
    EXPECT_EQ((std::vector<uint16_t>{100, 101, 102}), out.seqs);
    sr_rtp_reorder_tick(r, 50999); // 104 waits since 1000
    EXPECT_EQ(3u, out.seqs.size());
    sr_rtp_reorder_tick(r, 51000);
    EXPECT_EQ((std::vector<uint16_t>{100, 101, 102, 104, 106}), out.seqs);
    EXPECT_EQ((std::vector<uint32_t>{0, 0, 0, 1, 1}), out.lost);
    EXPECT_EQ(2u, sr_rtp_reorder_stats(r)->lost);
    // 103 comes too late: a duplicate now
    p = Pkt(103);
    sr_rtp_reorder_push(r, &p, 60000);
    EXPECT_EQ(5u, out.seqs.size());
    EXPECT_EQ(1u, sr_rtp_reorder_stats(r)->duplicates);
    EXPECT_EQ(0u, sr_rtp_reorder_missing(r, missing, 8));
    sr_rtp_reorder_free(r);
}

TEST(RtpReorder, AGapEndsWhenTheWindowIsFull)
{
    Released out;
    sr_rtp_reorder_t *r = sr_rtp_reorder_new(16, 10000000, Released::On, &out);
    sr_rtp_packet_t p = Pkt(10);
    sr_rtp_reorder_push(r, &p, 0);
    for (uint16_t s = 12; s < 12 + 16; s++) {
        p = Pkt(s);
        sr_rtp_reorder_push(r, &p, 0);
    }
    // 27 is 16 past 11: 11 falls out of the window as lost, 12.. follow
    ASSERT_EQ(17u, out.seqs.size());
    EXPECT_EQ(12, out.seqs[1]);
    EXPECT_EQ(1u, out.lost[1]);
    sr_rtp_reorder_free(r);
}

TEST(RtpReorder, ZeroDelayLosesAtOnceAndRestartsAreFollowed)
{
    Released out;
    sr_rtp_reorder_t *r = sr_rtp_reorder_new(64, 0, Released::On, &out);
    for (uint16_t s : {1, 2, 4}) {
        sr_rtp_packet_t p = Pkt(s);
        sr_rtp_reorder_push(r, &p, 0);
    }
    EXPECT_EQ((std::vector<uint16_t>{1, 2, 4}), out.seqs);
    // a sender restart at 40000: the first is dropped as a stray, the second confirms it
    for (uint16_t s : {40000, 40001, 40002}) {
        sr_rtp_packet_t p = Pkt(s);
        sr_rtp_reorder_push(r, &p, 0);
    }
    EXPECT_EQ((std::vector<uint16_t>{1, 2, 4, 40001, 40002}), out.seqs);
    EXPECT_EQ(1u, out.lost[3]);
    EXPECT_EQ(1u, sr_rtp_reorder_stats(r)->resyncs);
    EXPECT_EQ(1u, sr_rtp_reorder_stats(r)->strays);
    // one stray packet alone does not move the stream
    for (uint16_t s : {9, 40003}) {
        sr_rtp_packet_t p = Pkt(s);
        sr_rtp_reorder_push(r, &p, 0);
    }
    EXPECT_EQ(40003, out.seqs.back());
    EXPECT_EQ(2u, sr_rtp_reorder_stats(r)->strays);
    sr_rtp_reorder_free(r);
}

TEST(RtpReorder, RejectsBadWindowsAndOversizedPayloads)
{
    Released out;
    EXPECT_TRUE(sr_rtp_reorder_new(0, 0, Released::On, &out) == NULL);
    EXPECT_TRUE(sr_rtp_reorder_new(100, 0, Released::On, &out) == NULL);
    EXPECT_TRUE(sr_rtp_reorder_new(SR_RTP_REORDER_MAX_WINDOW * 2, 0, Released::On, &out) == NULL);
    EXPECT_TRUE(sr_rtp_reorder_new(64, 0, NULL, &out) == NULL);
    sr_rtp_reorder_t *r = sr_rtp_reorder_new(2, 0, Released::On, &out);
    Bytes big(SR_RTP_REORDER_MAX_PAYLOAD + 1);
    sr_rtp_packet_t p = Pkt(1, big.data(), big.size());
    sr_rtp_reorder_push(r, &p, 0);
    EXPECT_EQ(1u, sr_rtp_reorder_stats(r)->too_large);
    EXPECT_TRUE(out.seqs.empty());
    sr_rtp_reorder_free(r);
    sr_rtp_reorder_free(NULL);
}

// ---- Opus ----

TEST(RtpOpus, DurationsFromTheTocByte)
{
    struct {
        uint8_t toc;
        uint8_t count;
        uint32_t samples;
    } cases[] = {
        {0x00, 0, 480},     // SILK NB 10 ms, one frame
        {0x18, 0, 2880},    // SILK 60 ms (config 3)
        {0x19, 0, 5760},    // two 60 ms frames (code 1)
        {0x60, 0, 480},     // hybrid SWB 10 ms (config 12)
        {0x78, 0, 960},     // hybrid FB 20 ms (config 15)
        {0x80, 0, 120},     // CELT NB 2.5 ms (config 16)
        {0xfc, 0, 960},     // CELT FB 20 ms (config 31)
        {0xfe, 0, 1920},    // two 20 ms frames (code 2)
        {0x83, 48, 5760},   // code 3: 48 frames of 2.5 ms = 120 ms
        {0xfb, 0x83, 2880}, // CELT FB 20 ms, code 3: VBR bit, 3 frames
    };
    for (const auto &c : cases) {
        uint8_t pkt[2] = {c.toc, c.count};
        uint32_t n = 0;
        ASSERT_SR_OK(sr_rtp_opus_samples(pkt, sizeof(pkt), &n));
        EXPECT_EQ(c.samples, n) << std::hex << (int)c.toc;
    }
    uint8_t bad[2] = {0x83, 49}; // 122.5 ms
    uint32_t n = 1;
    EXPECT_SR_ERR(SR_EFORMAT, sr_rtp_opus_samples(bad, 2, &n));
    EXPECT_EQ(0u, n);
    bad[1] = 0x80; // count 0
    EXPECT_SR_ERR(SR_EFORMAT, sr_rtp_opus_samples(bad, 2, &n));
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_rtp_opus_samples(bad, 1, &n));
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_rtp_opus_samples(bad, 0, &n));
}

// Receiving Opus as sr_rtp_opus.h says: the reorder buffer's callback takes each
// payload the TOC check accepts as one frame.
struct OpusSink {
    std::vector<uint32_t> ts, lost, samples;
    uint32_t pending_lost = 0;
    static void On(void *arg, const sr_rtp_packet_t *pkt, uint32_t lost)
    {
        OpusSink *s = (OpusSink *)arg;
        uint32_t n;
        s->pending_lost += lost;
        if (pkt->payload_size == 0) {
            return; // padding only
        }
        if (sr_rtp_opus_samples(pkt->payload, pkt->payload_size, &n) != SR_OK) {
            s->pending_lost++;
            return;
        }
        s->ts.push_back(pkt->ts);
        s->lost.push_back(s->pending_lost);
        s->samples.push_back(n);
        s->pending_lost = 0;
    }
};

TEST(RtpOpus, ReceivedThroughTheReorderBuffer)
{
    OpusSink sink;
    sr_rtp_reorder_t *r = sr_rtp_reorder_new(64, 60000, OpusSink::On, &sink);
    ASSERT_TRUE(r != NULL);
    sr_rtp_packet_t p;
    ASSERT_SR_OK(sr_rtp_parse(kChromeOpus, sizeof(kChromeOpus), &p));
    // 960-sample steps: send 0, 2, 1, 4 (3 lost), a bad TOC at 5, 6, padding-only at 7
    const int order[] = {0, 2, 1, 4, 5, 6, 7};
    for (int i : order) {
        sr_rtp_packet_t q = p;
        q.seq = (uint16_t)(p.seq + i);
        q.ts = p.ts + 960u * (uint32_t)i;
        uint8_t code3[1] = {0x03};
        if (i == 5) {
            q.payload = code3; // code 3 without its count byte
            q.payload_size = 1;
        } else if (i == 7) {
            q.payload_size = 0;
        }
        sr_rtp_reorder_push(r, &q, i * 20000);
    }
    sr_rtp_reorder_flush(r);
    ASSERT_EQ(5u, sink.ts.size());
    EXPECT_EQ(p.ts, sink.ts[0]);
    EXPECT_EQ(p.ts + 960u, sink.ts[1]);
    EXPECT_EQ(p.ts + 1920u, sink.ts[2]);
    EXPECT_EQ(p.ts + 4 * 960u, sink.ts[3]);
    EXPECT_EQ(p.ts + 6 * 960u, sink.ts[4]);
    EXPECT_EQ((std::vector<uint32_t>{0, 0, 0, 1, 1}), sink.lost); // 3 lost, 5 malformed
    EXPECT_EQ(960u, sink.samples[0]);
    EXPECT_EQ(1u, sr_rtp_reorder_stats(r)->lost);
    sr_rtp_reorder_free(r);
}

} // namespace
