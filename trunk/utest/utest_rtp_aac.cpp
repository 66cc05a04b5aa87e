// SPDX-License-Identifier: MIT
// utest_rtp_aac.cpp: AAC over RTP, RFC 3640 mpeg4-generic (sr_rtp_aac.h): hand-built
// payloads in the RFC's layout (AU-headers-length in bits, 13-bit sizes and 3-bit
// indexes), a packet of several AUs, an AU fragmented over packets and what a loss
// does to it, the AAC-lbr layout from an fmtp, every truncated prefix, and round trips.
#include <string.h>

#include <vector>

#include "sr_error.h"
#include "sr_rtp_aac.h"
#include "sr_utest.h"

namespace
{

typedef std::vector<uint8_t> Bytes;

struct Got {
    std::vector<Bytes> aus;
    std::vector<uint32_t> ts;
};

void OnAu(void *arg, const uint8_t *au, size_t size, uint32_t ts)
{
    Got *g = static_cast<Got *>(arg);
    g->aus.push_back(Bytes(au, au + size));
    g->ts.push_back(ts);
}

sr_rtp_packet_t Packet(const Bytes &payload, uint32_t ts)
{
    sr_rtp_packet_t p;
    memset(&p, 0, sizeof(p));
    p.ts = ts;
    p.payload = payload.data();
    p.payload_size = payload.size();
    return p;
}

const sr_rtp_aac_format_t kHbr = {13, 3, 3};

Bytes Au(size_t n, uint8_t seed)
{
    Bytes b(n);
    for (size_t i = 0; i < n; i++) {
        b[i] = (uint8_t)(seed + i * 7);
    }
    return b;
}

} // namespace

TEST(RtpAac, TwoAusInOnePacket)
{
    // AU-headers-length 32 bits; AU-size 5, index 0; AU-size 3, delta 0; then 5 + 3 bytes
    Bytes p = {0x00, 0x20, 0x00, 0x28, 0x00, 0x18, 1, 2, 3, 4, 5, 6, 7, 8};
    Got g;
    sr_rtp_aac_depack_t d;
    sr_rtp_aac_depack_init(&d, &kHbr, 1024, OnAu, &g);
    sr_rtp_packet_t pkt = Packet(p, 90000);
    sr_rtp_aac_depack_push(&d, &pkt, 0);
    ASSERT_EQ(g.aus.size(), 2u);
    EXPECT_EQ(g.aus[0], Bytes({1, 2, 3, 4, 5}));
    EXPECT_EQ(g.aus[1], Bytes({6, 7, 8}));
    EXPECT_EQ(g.ts[0], 90000u);
    EXPECT_EQ(g.ts[1], 91024u);
}

TEST(RtpAac, RoundTripAndFragments)
{
    static uint8_t data[16384];
    static sr_rtp_payload_t items[32];
    for (size_t size : {1u, 100u, 1396u, 1397u, 4000u, 8191u}) {
        Bytes au = Au(size, (uint8_t)size);
        sr_rtp_payloads_t out = {data, sizeof(data), items, 32, 0, 0};
        ASSERT_EQ(sr_rtp_aac_packetize(au.data(), au.size(), 1400, &out), SR_OK) << size;
        EXPECT_EQ(out.nb_items, (size + 1395) / 1396) << size;
        Got g;
        sr_rtp_aac_depack_t d;
        sr_rtp_aac_depack_init(&d, &kHbr, 1024, OnAu, &g);
        for (size_t i = 0; i < out.nb_items; i++) {
            EXPECT_EQ(items[i].is_marker, i + 1 == out.nb_items);
            Bytes pl(data + items[i].offset, data + items[i].offset + items[i].size);
            EXPECT_LE(pl.size(), 1400u);
            sr_rtp_packet_t pkt = Packet(pl, 5);
            sr_rtp_aac_depack_push(&d, &pkt, 0);
        }
        ASSERT_EQ(g.aus.size(), 1u) << size;
        EXPECT_EQ(g.aus[0], au);
    }
    Bytes big = Au(8192, 1);
    sr_rtp_payloads_t out = {data, sizeof(data), items, 32, 0, 0};
    EXPECT_EQ(sr_rtp_aac_packetize(big.data(), big.size(), 1400, &out), -SR_EINVAL);
    EXPECT_EQ(sr_rtp_aac_packetize(big.data(), 10, 4, &out), -SR_EINVAL);
    sr_rtp_payloads_t small = {data, 10, items, 1, 0, 0};
    EXPECT_EQ(sr_rtp_aac_packetize(big.data(), 100, 1400, &small), -SR_EOVERFLOW);
    EXPECT_EQ(small.len, 104u);
    EXPECT_EQ(small.nb_items, 1u);
}

TEST(RtpAac, LostFragmentDropsOnlyThatAu)
{
    static uint8_t data[16384];
    static sr_rtp_payload_t items[32];
    Bytes au = Au(3000, 9);
    sr_rtp_payloads_t out = {data, sizeof(data), items, 32, 0, 0};
    ASSERT_EQ(sr_rtp_aac_packetize(au.data(), au.size(), 1200, &out), SR_OK);
    ASSERT_EQ(out.nb_items, 3u);
    Got g;
    sr_rtp_aac_depack_t d;
    sr_rtp_aac_depack_init(&d, &kHbr, 1024, OnAu, &g);
    for (size_t i : {0u, 2u}) { // the middle one is lost
        Bytes pl(data + items[i].offset, data + items[i].offset + items[i].size);
        sr_rtp_packet_t pkt = Packet(pl, 7);
        sr_rtp_aac_depack_push(&d, &pkt, i == 2 ? 1 : 0);
    }
    EXPECT_TRUE(g.aus.empty());
    // the next whole AU goes through
    Bytes one = {0x00, 0x10, 0x00, 0x18, 0xa, 0xb, 0xc};
    sr_rtp_packet_t pkt = Packet(one, 8);
    sr_rtp_aac_depack_push(&d, &pkt, 0);
    ASSERT_EQ(g.aus.size(), 1u);
    EXPECT_EQ(g.aus[0], Bytes({0xa, 0xb, 0xc}));
}

TEST(RtpAac, FormatFromFmtpAndLbr)
{
    sr_rtp_aac_format_t f;
    const char *lbr = "streamtype=5; profile-level-id=14; mode=AAC-lbr; config=1210; sizelength=6; indexlength=2; "
                      "indexdeltalength=2";
    ASSERT_EQ(sr_rtp_aac_format(lbr, strlen(lbr), &f), SR_OK);
    EXPECT_EQ(f.size_length, 6);
    EXPECT_EQ(f.index_length, 2);
    ASSERT_EQ(sr_rtp_aac_format(NULL, 0, &f), SR_OK);
    EXPECT_EQ(f.size_length, 13);
    const char *bad = "sizelength=0";
    EXPECT_EQ(sr_rtp_aac_format(bad, strlen(bad), &f), -SR_EUNSUPPORTED);
    const char *junk = "sizelength=1x";
    EXPECT_EQ(sr_rtp_aac_format(junk, strlen(junk), &f), -SR_EUNSUPPORTED);
    // AAC-lbr: 8 header bits per AU: size 6 bits, index 2 bits; two AUs of 2 and 1 bytes
    sr_rtp_aac_format_t l = {6, 2, 2};
    Bytes p = {0x00, 0x10, 2 << 2, 1 << 2, 1, 2, 3};
    Got g;
    sr_rtp_aac_depack_t d;
    sr_rtp_aac_depack_init(&d, &l, 1024, OnAu, &g);
    sr_rtp_packet_t pkt = Packet(p, 0);
    sr_rtp_aac_depack_push(&d, &pkt, 0);
    ASSERT_EQ(g.aus.size(), 2u);
    EXPECT_EQ(g.aus[0], Bytes({1, 2}));
    EXPECT_EQ(g.aus[1], Bytes({3}));
}

TEST(RtpAac, TruncatedAndMalformed)
{
    Bytes p = {0x00, 0x20, 0x00, 0x28, 0x00, 0x18, 1, 2, 3, 4, 5, 6, 7, 8};
    for (size_t n = 0; n < p.size(); n++) {
        Bytes cut(p.begin(), p.begin() + n);
        Got g;
        sr_rtp_aac_depack_t d;
        sr_rtp_aac_depack_init(&d, &kHbr, 1024, OnAu, &g);
        sr_rtp_packet_t pkt = Packet(cut, 0);
        sr_rtp_aac_depack_push(&d, &pkt, 0);
        // a cut packet gives no AU, or the first whole one started a fragment that never ends
        size_t total = 0;
        for (const Bytes &a : g.aus) {
            total += a.size();
        }
        EXPECT_LE(total, n) << n;
        EXPECT_TRUE(g.aus.empty()) << n;
    }
    Got g;
    sr_rtp_aac_depack_t d;
    sr_rtp_aac_depack_init(&d, &kHbr, 1024, OnAu, &g);
    Bytes headers_past_end = {0xff, 0xff, 0, 0};
    sr_rtp_packet_t pkt = Packet(headers_past_end, 0);
    sr_rtp_aac_depack_push(&d, &pkt, 0);
    Bytes interleaved = {0x00, 0x20, 0x00, 0x08, 0x00, 0x09, 1, 2}; // an AU-Index-delta of 1
    pkt = Packet(interleaved, 0);
    sr_rtp_aac_depack_push(&d, &pkt, 0);
    EXPECT_TRUE(g.aus.empty());
    EXPECT_EQ(d.malformed, 2u);
}

TEST(RtpLatm, ConfigFromStreamMuxConfig)
{
    // ffmpeg's MP4A-LATM fmtp for AAC-LC 44.1 kHz stereo: StreamMuxConfig 40002420
    const char *fmtp = "profile-level-id=1;cpresent=0;config=40002420";
    uint8_t asc[16];
    size_t n = 0;
    ASSERT_EQ(sr_rtp_latm_config(fmtp, strlen(fmtp), asc, sizeof(asc), &n), SR_OK);
    EXPECT_EQ(Bytes(asc, asc + n), Bytes({0x12, 0x10}));   // LC, index 4 (44100), 2 channels
    const char *mono48 = "cpresent=0;config=400023103fc0"; // 48 kHz mono, as ffmpeg writes it
    ASSERT_EQ(sr_rtp_latm_config(mono48, strlen(mono48), asc, sizeof(asc), &n), SR_OK);
    EXPECT_EQ(Bytes(asc, asc + n), Bytes({0x11, 0x88}));
    const char *inband = "cpresent=1";
    EXPECT_EQ(sr_rtp_latm_config(inband, strlen(inband), asc, sizeof(asc), &n), -SR_EUNSUPPORTED);
    const char *none = "cpresent=0";
    EXPECT_EQ(sr_rtp_latm_config(none, strlen(none), asc, sizeof(asc), &n), -SR_ENOT_FOUND);
    const char *odd = "config=400";
    EXPECT_EQ(sr_rtp_latm_config(odd, strlen(odd), asc, sizeof(asc), &n), -SR_EFORMAT);
    const char *v1 = "config=C0002420"; // audioMuxVersion 1
    EXPECT_EQ(sr_rtp_latm_config(v1, strlen(v1), asc, sizeof(asc), &n), -SR_EUNSUPPORTED);
}

TEST(RtpLatm, ElementsAndFragments)
{
    Got g;
    sr_rtp_latm_depack_t d;
    sr_rtp_latm_depack_init(&d, 1024, OnAu, &g);
    // two elements in one packet: lengths 3 and 2
    Bytes p = {3, 1, 2, 3, 2, 4, 5};
    sr_rtp_packet_t pkt = Packet(p, 100);
    pkt.is_marker = true;
    sr_rtp_latm_depack_push(&d, &pkt, 0);
    ASSERT_EQ(g.aus.size(), 2u);
    EXPECT_EQ(g.aus[1], Bytes({4, 5}));
    EXPECT_EQ(g.ts[1], 1124u);
    // a 300-byte AU: length 0xFF 0x2D, split over two packets
    Bytes au = Au(300, 3);
    Bytes whole = {0xff, 0x2d};
    whole.insert(whole.end(), au.begin(), au.end());
    Bytes a(whole.begin(), whole.begin() + 100), b(whole.begin() + 100, whole.end());
    pkt = Packet(a, 200);
    sr_rtp_latm_depack_push(&d, &pkt, 0);
    pkt = Packet(b, 200);
    pkt.is_marker = true;
    sr_rtp_latm_depack_push(&d, &pkt, 0);
    ASSERT_EQ(g.aus.size(), 3u);
    EXPECT_EQ(g.aus[2], au);
    // a loss in the middle of one drops it; a length past the payload is malformed
    pkt = Packet(a, 300);
    sr_rtp_latm_depack_push(&d, &pkt, 0);
    pkt = Packet(b, 300);
    pkt.is_marker = true;
    sr_rtp_latm_depack_push(&d, &pkt, 1);
    Bytes bad = {9, 1, 2};
    pkt = Packet(bad, 400);
    pkt.is_marker = true;
    sr_rtp_latm_depack_push(&d, &pkt, 0);
    EXPECT_EQ(g.aus.size(), 3u);
    EXPECT_EQ(d.malformed, 1u);
}
