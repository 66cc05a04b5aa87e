// SPDX-License-Identifier: MIT
// utest_ts.cpp: the MPEG-TS muxer (sr_ts.h). The PAT and PMT vectors marked "ffmpeg"
// are the first packets of
//   ffmpeg -f lavfi -i testsrc=size=160x120:rate=25 -t 0.2 -c:v libx264 -f mpegts ref.ts
// (Debian ffmpeg 5.1: PMT PID 0x1000, H.264 on PID 0x100, version 0, CC 0); the
// section layout is the same as ours, so the bytes, CRC included, must match. Other
// expectations are decoded back with a small TS reader below (ISO/IEC 13818-1 2.4.3).
#include <string.h>

#include <map>
#include <vector>

#include "sr_bytes.h"
#include "sr_error.h"
#include "sr_packet.h"
#include "sr_payload.h"
#include "sr_ts.h"
#include "sr_utest.h"

namespace
{

// ffmpeg: the PAT packet (program 1 on PID 0x1000), then 0xff to 188 bytes.
const uint8_t kFfmpegPat[] = {0x47, 0x40, 0x00, 0x10, 0x00, 0x00, 0xb0, 0x0d, 0x00, 0x01, 0xc1,
                              0x00, 0x00, 0x00, 0x01, 0xf0, 0x00, 0x2a, 0xb1, 0x04, 0xb2};
// ffmpeg: the PMT packet (PCR PID 0x100, one H.264 stream on 0x100), then 0xff.
const uint8_t kFfmpegPmt[] = {0x47, 0x50, 0x00, 0x10, 0x00, 0x02, 0xb0, 0x12, 0x00, 0x01, 0xc1, 0x00, 0x00,
                              0xe1, 0x00, 0xf0, 0x00, 0x1b, 0xe1, 0x00, 0xf0, 0x00, 0x15, 0xbd, 0x4d, 0x56};

// ffmpeg: 320x240 libx264 High sequence header (FLV tag body), as in utest_codec.cpp.
const uint8_t kAvcHigh320[] = {0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x64, 0x00, 0x0d, 0xff, 0xe1, 0x00, 0x19,
                               0x67, 0x64, 0x00, 0x0d, 0xac, 0xd9, 0x41, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00,
                               0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0x20, 0xf1, 0x42, 0x99, 0x60, 0x01,
                               0x00, 0x06, 0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0, 0xfd, 0xf8, 0xf8, 0x00};
const uint8_t kSps[] = {0x67, 0x64, 0x00, 0x0d, 0xac, 0xd9, 0x41, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00,
                        0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0x20, 0xf1, 0x42, 0x99, 0x60};
const uint8_t kPps[] = {0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0};
// AAC LC, 44.1 kHz, stereo (AudioSpecificConfig 0x12 0x10).
const uint8_t kAacSh[] = {0xaf, 0x00, 0x12, 0x10};

struct TsPacket {
    uint16_t pid;
    bool pusi;
    uint8_t cc;
    std::vector<uint8_t> af; // adaptation field after its length byte
    std::vector<uint8_t> payload;
};

std::vector<TsPacket> Split(const sr_buf_t &b)
{
    std::vector<TsPacket> out;
    EXPECT_EQ(0u, b.len % SR_TS_PACKET_BYTES);
    for (size_t off = 0; off + SR_TS_PACKET_BYTES <= b.len; off += SR_TS_PACKET_BYTES) {
        const uint8_t *p = b.data + off;
        EXPECT_EQ(SR_TS_SYNC_BYTE, p[0]);
        TsPacket t;
        t.pid = (uint16_t)(((p[1] & 0x1f) << 8) | p[2]);
        t.pusi = (p[1] & 0x40) != 0;
        t.cc = p[3] & 0x0f;
        size_t pos = 4;
        if (p[3] & 0x20) {
            size_t n = p[4];
            t.af.assign(p + 5, p + 5 + n);
            pos = 5 + n;
        }
        EXPECT_LE(pos, (size_t)SR_TS_PACKET_BYTES);
        if (p[3] & 0x10) {
            t.payload.assign(p + pos, p + SR_TS_PACKET_BYTES);
        }
        out.push_back(t);
    }
    return out;
}

struct Pes {
    int64_t pts = -1, dts = -1;
    std::vector<uint8_t> es;
    std::vector<uint8_t> first_af;
};

int64_t ReadTs(const uint8_t *p)
{
    return ((int64_t)(p[0] & 0x0e) << 29) | ((int64_t)p[1] << 22) | ((int64_t)(p[2] & 0xfe) << 14) |
           ((int64_t)p[3] << 7) | (p[4] >> 1);
}

// The PES packets of one PID, in order.
std::vector<Pes> Pess(const std::vector<TsPacket> &pkts, uint16_t pid)
{
    std::vector<std::vector<uint8_t>> raw;
    std::vector<std::vector<uint8_t>> afs;
    for (const TsPacket &t : pkts) {
        if (t.pid != pid) {
            continue;
        }
        if (t.pusi) {
            raw.emplace_back();
            afs.push_back(t.af);
        }
        if (!raw.empty()) {
            raw.back().insert(raw.back().end(), t.payload.begin(), t.payload.end());
        }
    }
    std::vector<Pes> out;
    for (size_t i = 0; i < raw.size(); i++) {
        const std::vector<uint8_t> &r = raw[i];
        Pes pes;
        pes.first_af = afs[i];
        EXPECT_GE(r.size(), 14u);
        EXPECT_EQ(0, r[0]);
        EXPECT_EQ(0, r[1]);
        EXPECT_EQ(1, r[2]);
        size_t hlen = 9 + r[8];
        pes.pts = ReadTs(&r[9]);
        pes.dts = (r[7] & 0x40) ? ReadTs(&r[14]) : pes.pts;
        pes.es.assign(r.begin() + hlen, r.end());
        size_t declared = sr_get_be16(&r[4]);
        if (declared) {
            EXPECT_EQ(declared, r.size() - 6);
        }
        out.push_back(pes);
    }
    return out;
}

void MakePacket(sr_packet_t *pkt, sr_packet_type_t type, int64_t dts, const std::vector<uint8_t> &body)
{
    sr_packet_init_take(pkt, type, dts, sr_payload_new_copy(body.data(), body.size()));
}

// An AVC NALU frame tag body: the 5-byte header, then 4-byte length-prefixed NAL units.
std::vector<uint8_t> AvcFrame(bool key, int cts, const std::vector<std::vector<uint8_t>> &nals)
{
    std::vector<uint8_t> b = {(uint8_t)(key ? 0x17 : 0x27), 0x01, (uint8_t)(cts >> 16), (uint8_t)(cts >> 8),
                              (uint8_t)cts};
    for (const auto &n : nals) {
        uint8_t len[4];
        sr_put_be32(len, (uint32_t)n.size());
        b.insert(b.end(), len, len + 4);
        b.insert(b.end(), n.begin(), n.end());
    }
    return b;
}

std::vector<uint8_t> Cat(std::initializer_list<std::vector<uint8_t>> parts)
{
    std::vector<uint8_t> out;
    for (const auto &p : parts) {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

const std::vector<uint8_t> kStart = {0, 0, 0, 1};

class TsMux : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        m_ = sr_ts_muxer_new();
        sr_buf_init(&out_);
    }
    void TearDown() override
    {
        sr_ts_muxer_free(m_);
        sr_buf_deinit(&out_);
    }
    int Write(sr_packet_type_t type, int64_t dts, const std::vector<uint8_t> &body)
    {
        sr_packet_t pkt;
        MakePacket(&pkt, type, dts, body);
        int rc = sr_ts_muxer_write(m_, &pkt, &out_);
        sr_packet_deinit(&pkt);
        return rc;
    }
    sr_ts_muxer_t *m_ = nullptr;
    sr_buf_t out_;
};

} // namespace

TEST(Ts, Crc32MatchesTheMpeg2CheckValue)
{
    const char *s = "123456789";
    EXPECT_EQ(0x0376e6e7u, sr_ts_crc32((const uint8_t *)s, 9));
    EXPECT_EQ(0xffffffffu, sr_ts_crc32(nullptr, 0));
}

TEST(Ts, PatMatchesFfmpeg)
{
    uint8_t pkt[SR_TS_PACKET_BYTES];
    sr_ts_write_pat(pkt, 0x1000, 0, 0);
    EXPECT_EQ(0, memcmp(kFfmpegPat, pkt, sizeof(kFfmpegPat)));
    for (size_t i = sizeof(kFfmpegPat); i < SR_TS_PACKET_BYTES; i++) {
        ASSERT_EQ(0xff, pkt[i]) << i;
    }
    // the section's CRC covers table_id .. the byte before it
    EXPECT_EQ(0x2ab104b2u, sr_ts_crc32(pkt + 5, 12));
}

TEST(Ts, PmtMatchesFfmpeg)
{
    uint8_t pkt[SR_TS_PACKET_BYTES];
    sr_ts_es_t es = {SR_TS_STREAM_H264, 0x100};
    sr_ts_write_pmt(pkt, 0x1000, 0, 0, 0x100, &es, 1);
    EXPECT_EQ(0, memcmp(kFfmpegPmt, pkt, sizeof(kFfmpegPmt)));
    EXPECT_EQ(0xff, pkt[sizeof(kFfmpegPmt)]);
}

// ffmpeg: the PMT of `-f lavfi -i sine -c:a libopus -ac 1 -f mpegts` (one Opus stream on
// 0x100: stream_type 0x06, registration "Opus", Opus audio descriptor, mono), then 0xff.
const uint8_t kFfmpegOpusPmt[] = {0x47, 0x50, 0x00, 0x10, 0x00, 0x02, 0xb0, 0x1c, 0x00, 0x01, 0xc1, 0x00,
                                  0x00, 0xe1, 0x00, 0xf0, 0x00, 0x06, 0xe1, 0x00, 0xf0, 0x0a, 0x05, 0x04,
                                  0x4f, 0x70, 0x75, 0x73, 0x7f, 0x02, 0x80, 0x01, 0xa8, 0xa1, 0x9b, 0xf1};
const uint8_t kOpusMonoDesc[] = {0x05, 0x04, 'O', 'p', 'u', 's', 0x7f, 0x02, 0x80, 0x01};

TEST(Ts, PmtWithOpusDescriptorsMatchesFfmpeg)
{
    uint8_t pkt[SR_TS_PACKET_BYTES];
    sr_ts_es_t es = {SR_TS_STREAM_PRIVATE, 0x100, kOpusMonoDesc, sizeof(kOpusMonoDesc)};
    sr_ts_write_pmt(pkt, 0x1000, 0, 0, 0x100, &es, 1);
    EXPECT_EQ(0, memcmp(kFfmpegOpusPmt, pkt, sizeof(kFfmpegOpusPmt)));
    EXPECT_EQ(0xff, pkt[sizeof(kFfmpegOpusPmt)]);
}

TEST(Ts, OurPatAndPmtCarryValidCrcs)
{
    uint8_t pkt[SR_TS_PACKET_BYTES];
    sr_ts_write_pat(pkt, SR_TS_PID_PMT, 3, 7);
    EXPECT_EQ(0x17, pkt[3]);  // payload only, CC 7
    EXPECT_EQ(0xf0, pkt[15]); // reserved bits + PMT PID 0x1001
    EXPECT_EQ(0x01, pkt[16]);
    EXPECT_EQ(0xc7, pkt[10]);                // version 3, current
    EXPECT_EQ(0u, sr_ts_crc32(pkt + 5, 16)); // CRC over the section and its CRC is 0
    sr_ts_es_t es[2] = {{SR_TS_STREAM_H264, SR_TS_PID_VIDEO}, {SR_TS_STREAM_AAC, SR_TS_PID_AUDIO}};
    sr_ts_write_pmt(pkt, SR_TS_PID_PMT, 0, 0, SR_TS_PID_VIDEO, es, 2);
    size_t section = 3 + (((pkt[6] & 0x0f) << 8) | pkt[7]);
    EXPECT_EQ(26u, section); // 3 + 9 + 2 streams * 5 + CRC
    EXPECT_EQ(0u, sr_ts_crc32(pkt + 5, section));
    EXPECT_EQ(0x0f, pkt[22]);
}

TEST(Ts, PesCarriesPtsDtsAndPcr)
{
    sr_buf_t out;
    sr_buf_init(&out);
    std::vector<uint8_t> es(1000, 0xab);
    sr_ts_pes_t pes = {SR_TS_PID_VIDEO, 0xe0, 0x1ffffffffLL + 91, 90, true, true, true};
    uint8_t cc = 0;
    sr_ts_write_pes(&out, &pes, es.data(), es.size(), &cc);
    std::vector<TsPacket> pkts = Split(out);
    ASSERT_EQ(6u, pkts.size()); // 1000 + 19 header bytes, 184 minus the 8-byte AF in the first
    EXPECT_EQ(6, cc);
    ASSERT_EQ(7u, pkts[0].af.size());
    EXPECT_EQ(0x50, pkts[0].af[0]); // random_access_indicator + PCR_flag
    int64_t pcr = ((int64_t)pkts[0].af[1] << 25) | (pkts[0].af[2] << 17) | (pkts[0].af[3] << 9) | (pkts[0].af[4] << 1) |
                  (pkts[0].af[5] >> 7);
    EXPECT_EQ(90, pcr);
    std::vector<Pes> got = Pess(pkts, SR_TS_PID_VIDEO);
    ASSERT_EQ(1u, got.size());
    EXPECT_EQ(90, got[0].pts); // 33-bit wrap
    EXPECT_EQ(90, got[0].dts); // written, since pts != dts before the wrap
    EXPECT_EQ(es, got[0].es);
    sr_buf_deinit(&out);
}

TEST(Ts, PesStuffingFillsEveryPacket)
{
    // PES header 14 bytes (PTS only): payloads that leave 0, 1, 2 and 183 bytes to stuff
    for (size_t es_size : {170u, 169u, 168u, 1u, 354u, 353u}) {
        sr_buf_t out;
        sr_buf_init(&out);
        std::vector<uint8_t> es(es_size);
        for (size_t i = 0; i < es_size; i++) {
            es[i] = (uint8_t)i;
        }
        sr_ts_pes_t pes = {SR_TS_PID_AUDIO, 0xc0, 9000, 9000, false, false, false};
        uint8_t cc = 15;
        sr_ts_write_pes(&out, &pes, es.data(), es.size(), &cc);
        std::vector<TsPacket> pkts = Split(out);
        EXPECT_EQ((es_size + 14 + 183) / 184, pkts.size()) << es_size;
        EXPECT_EQ(15, pkts[0].cc);
        if (pkts.size() > 1) {
            EXPECT_EQ(0, pkts[1].cc); // wrapped
        }
        std::vector<Pes> got = Pess(pkts, SR_TS_PID_AUDIO);
        ASSERT_EQ(1u, got.size());
        EXPECT_EQ(es, got[0].es) << es_size;
        EXPECT_EQ(9000, got[0].pts);
        sr_buf_deinit(&out);
    }
}

TEST(Ts, ContinuityCountersWrapPerPid)
{
    sr_buf_t out;
    sr_buf_init(&out);
    std::vector<uint8_t> es(184 * 20);
    sr_ts_pes_t pes = {SR_TS_PID_VIDEO, 0xe0, 0, 0, false, false, true};
    uint8_t cc = 0;
    sr_ts_write_pes(&out, &pes, es.data(), es.size(), &cc);
    std::vector<TsPacket> pkts = Split(out);
    ASSERT_GT(pkts.size(), 16u);
    for (size_t i = 0; i < pkts.size(); i++) {
        EXPECT_EQ(i % 16, pkts[i].cc) << i;
    }
    sr_buf_deinit(&out);
}

TEST_F(TsMux, H264GetsAudAndParameterSetsBeforeIdr)
{
    ASSERT_SR_OK(Write(SR_PACKET_VIDEO, 0, std::vector<uint8_t>(kAvcHigh320, kAvcHigh320 + sizeof(kAvcHigh320))));
    EXPECT_EQ(0u, out_.len); // a sequence header writes nothing
    EXPECT_TRUE(sr_ts_muxer_has_video(m_));
    std::vector<uint8_t> idr = {0x65, 0x88, 0x84, 0x00, 0x33};
    std::vector<uint8_t> aud_in = {0x09, 0x10};
    ASSERT_SR_OK(Write(SR_PACKET_VIDEO, 40, AvcFrame(true, 80, {aud_in, idr})));
    std::vector<uint8_t> slice = {0x41, 0x9a, 0x02};
    ASSERT_SR_OK(Write(SR_PACKET_VIDEO, 80, AvcFrame(false, 40, {slice})));
    std::vector<TsPacket> pkts = Split(out_);
    ASSERT_GE(pkts.size(), 4u);
    EXPECT_EQ(SR_TS_PID_PAT, pkts[0].pid);
    EXPECT_EQ(SR_TS_PID_PMT, pkts[1].pid);
    EXPECT_EQ(0x1b, pkts[1].payload[13]); // stream_type H.264
    std::vector<Pes> pes = Pess(pkts, SR_TS_PID_VIDEO);
    ASSERT_EQ(2u, pes.size());
    std::vector<uint8_t> aud = {0x09, 0xf0};
    std::vector<uint8_t> sps(kSps, kSps + sizeof(kSps)), pps(kPps, kPps + sizeof(kPps));
    EXPECT_EQ(Cat({kStart, aud, kStart, sps, kStart, pps, kStart, idr}), pes[0].es); // input AUD dropped
    EXPECT_EQ(Cat({kStart, aud, kStart, slice}), pes[1].es);
    EXPECT_EQ(40 * 90, pes[0].dts);
    EXPECT_EQ(120 * 90, pes[0].pts);
    EXPECT_EQ(0x50, pes[0].first_af[0]); // keyframe: random access + PCR
    EXPECT_EQ(0x10, pes[1].first_af[0]); // PCR only
}

TEST_F(TsMux, SegmentStartRepeatsPatPmt)
{
    ASSERT_SR_OK(Write(SR_PACKET_VIDEO, 0, std::vector<uint8_t>(kAvcHigh320, kAvcHigh320 + sizeof(kAvcHigh320))));
    ASSERT_SR_OK(Write(SR_PACKET_VIDEO, 0, AvcFrame(true, 0, {{0x65, 0x01}})));
    ASSERT_SR_OK(Write(SR_PACKET_VIDEO, 40, AvcFrame(false, 0, {{0x41, 0x01}})));
    sr_ts_muxer_start_segment(m_);
    ASSERT_SR_OK(Write(SR_PACKET_VIDEO, 80, AvcFrame(true, 0, {{0x65, 0x02}})));
    std::vector<TsPacket> pkts = Split(out_);
    std::vector<uint16_t> pids;
    std::map<uint16_t, int> ccs;
    for (const TsPacket &t : pkts) {
        pids.push_back(t.pid);
        if (ccs.count(t.pid)) {
            EXPECT_EQ((ccs[t.pid] + 1) % 16, t.cc) << "pid " << t.pid;
        }
        ccs[t.pid] = t.cc;
    }
    std::vector<uint16_t> want = {0, SR_TS_PID_PMT, SR_TS_PID_VIDEO, SR_TS_PID_VIDEO,
                                  0, SR_TS_PID_PMT, SR_TS_PID_VIDEO};
    EXPECT_EQ(want, pids);
}

TEST_F(TsMux, AacLeavesAsAdts)
{
    ASSERT_SR_OK(Write(SR_PACKET_AUDIO, 0, std::vector<uint8_t>(kAacSh, kAacSh + sizeof(kAacSh))));
    EXPECT_TRUE(sr_ts_muxer_has_audio(m_));
    EXPECT_FALSE(sr_ts_muxer_has_video(m_));
    std::vector<uint8_t> raw = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    ASSERT_SR_OK(Write(SR_PACKET_AUDIO, 23, Cat({{0xaf, 0x01}, raw})));
    std::vector<TsPacket> pkts = Split(out_);
    ASSERT_EQ(3u, pkts.size());
    EXPECT_EQ(0x0f, pkts[1].payload[13]);                                  // stream_type AAC
    EXPECT_EQ(SR_TS_PID_AUDIO, sr_get_be16(&pkts[1].payload[9]) & 0x1fff); // PCR on audio: audio only
    std::vector<Pes> pes = Pess(pkts, SR_TS_PID_AUDIO);
    ASSERT_EQ(1u, pes.size());
    // ADTS: sync, MPEG-4, no CRC; LC, 44.1 kHz (4), 2 channels, frame length 17
    std::vector<uint8_t> adts = {0xff, 0xf1, 0x50, 0x80, 0x02, 0x3f, 0xfc};
    EXPECT_EQ(Cat({adts, raw}), pes[0].es);
    EXPECT_EQ(23 * 90, pes[0].pts);
    EXPECT_EQ(0x50, pes[0].first_af[0]); // PCR + random access (audio only)
}

TEST_F(TsMux, AacBeforeItsConfigIsRefused)
{
    EXPECT_SR_ERR(SR_EINVAL, Write(SR_PACKET_AUDIO, 0, {0xaf, 0x01, 0x21, 0x00}));
    EXPECT_SR_ERR(SR_EINVAL, Write(SR_PACKET_VIDEO, 0, AvcFrame(true, 0, {{0x65, 0x01}})));
    EXPECT_EQ(0u, out_.len);
}

TEST_F(TsMux, MalformedNaluLengthsAreSkipped)
{
    ASSERT_SR_OK(Write(SR_PACKET_VIDEO, 0, std::vector<uint8_t>(kAvcHigh320, kAvcHigh320 + sizeof(kAvcHigh320))));
    EXPECT_SR_ERR(SR_EFORMAT, Write(SR_PACKET_VIDEO, 0, {0x17, 0x01, 0, 0, 0, 0, 0, 0, 9, 0x65}));
    EXPECT_SR_ERR(SR_EFORMAT, Write(SR_PACKET_VIDEO, 0, {0x17, 0x01, 0, 0, 0, 0, 0}));
    EXPECT_EQ(0u, out_.len);
}

TEST_F(TsMux, Mp3IsPassedThrough)
{
    // MPEG-1 Layer III frame header (0xfffb: MPEG-1, no CRC), 44.1 kHz FLV tag header 0x2f
    std::vector<uint8_t> frame = {0xff, 0xfb, 0x90, 0x64, 0x00, 0x11};
    ASSERT_SR_OK(Write(SR_PACKET_AUDIO, 0, Cat({{0x2f}, frame})));
    std::vector<TsPacket> pkts = Split(out_);
    ASSERT_EQ(3u, pkts.size());
    EXPECT_EQ(SR_TS_STREAM_MPEG1_AUDIO, pkts[1].payload[13]);
    EXPECT_EQ(frame, Pess(pkts, SR_TS_PID_AUDIO)[0].es);
}

TEST_F(TsMux, NewStreamBumpsPmtVersion)
{
    ASSERT_SR_OK(Write(SR_PACKET_AUDIO, 0, std::vector<uint8_t>(kAacSh, kAacSh + sizeof(kAacSh))));
    ASSERT_SR_OK(Write(SR_PACKET_AUDIO, 0, {0xaf, 0x01, 0x21}));
    ASSERT_SR_OK(Write(SR_PACKET_VIDEO, 0, std::vector<uint8_t>(kAvcHigh320, kAvcHigh320 + sizeof(kAvcHigh320))));
    ASSERT_SR_OK(Write(SR_PACKET_VIDEO, 0, AvcFrame(true, 0, {{0x65, 0x01}})));
    std::vector<TsPacket> pkts = Split(out_);
    std::vector<const TsPacket *> pmts;
    for (const TsPacket &t : pkts) {
        if (t.pid == SR_TS_PID_PMT) {
            pmts.push_back(&t);
        }
    }
    ASSERT_EQ(2u, pmts.size());
    EXPECT_EQ(0xc1, pmts[0]->payload[6]);                                   // version 0
    EXPECT_EQ(0xc3, pmts[1]->payload[6]);                                   // version 1
    EXPECT_EQ(SR_TS_PID_VIDEO, sr_get_be16(&pmts[1]->payload[9]) & 0x1fff); // PCR moves to video
}

// ---- Opus (ETSI draft "Opus Interactive Audio Codec Transport Multiplexing Standard") ----

namespace
{

// An OpusHead (RFC 7845 5.1) of channels, family 0 (1, 2) or 1.
std::vector<uint8_t> OpusHead(uint8_t channels)
{
    std::vector<uint8_t> h = {'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, channels, 0x38, 0x01, 0x80, 0xbb, 0, 0, 0, 0};
    h.push_back(channels <= 2 ? 0 : 1);
    if (channels > 2) {
        h.insert(h.end(), {channels, 0});
        for (uint8_t i = 0; i < channels; i++) {
            h.push_back(i);
        }
    }
    return h;
}

std::vector<uint8_t> OpusPacket(size_t size)
{
    std::vector<uint8_t> p(size);
    for (size_t i = 0; i < size; i++) {
        p[i] = (uint8_t)(i * 7 + 3);
    }
    p[0] = 0xf8; // TOC: CELT fullband 20 ms, one frame
    return p;
}

int WriteOpus(sr_ts_muxer_t *m, uint8_t flags, int64_t dts, const std::vector<uint8_t> &body, sr_buf_t *out)
{
    sr_packet_t pkt;
    uint8_t *p = sr_packet_init_frame(&pkt, SR_CODEC_OPUS, flags, dts, dts, body.size());
    memcpy(p, body.data(), body.size());
    int rc = sr_ts_muxer_write(m, &pkt, out);
    sr_packet_deinit(&pkt);
    return rc;
}

// The ES_info descriptors of the stream on pid in a PMT packet's payload.
std::vector<uint8_t> PmtDescriptors(const TsPacket &pmt, uint16_t pid, uint8_t *stream_type)
{
    const std::vector<uint8_t> &s = pmt.payload;
    size_t end = 1 + 3 + ((sr_get_be16(&s[2]) & 0x0fff)) - 4; /* pointer_field, header, CRC */
    for (size_t pos = 1 + 12 + (sr_get_be16(&s[11]) & 0x0fff); pos + 5 <= end;) {
        size_t n = sr_get_be16(&s[pos + 3]) & 0x0fff;
        if ((sr_get_be16(&s[pos + 1]) & 0x1fff) == pid) {
            *stream_type = s[pos];
            return std::vector<uint8_t>(s.begin() + (long)pos + 5, s.begin() + (long)(pos + 5 + n));
        }
        pos += 5 + n;
    }
    return {};
}

} // namespace

TEST_F(TsMux, OpusLeavesWithDescriptorsAndControlHeaders)
{
    ASSERT_SR_OK(WriteOpus(m_, SR_PACKET_IS_SEQUENCE_HEADER, 0, OpusHead(1), &out_));
    EXPECT_EQ(0u, out_.len); // a config writes nothing
    EXPECT_TRUE(sr_ts_muxer_has_audio(m_));
    std::vector<uint8_t> big = OpusPacket(300), small = OpusPacket(10), edge = OpusPacket(255);
    ASSERT_SR_OK(WriteOpus(m_, 0, 20, big, &out_));
    ASSERT_SR_OK(WriteOpus(m_, 0, 40, small, &out_));
    ASSERT_SR_OK(WriteOpus(m_, 0, 60, edge, &out_));
    std::vector<TsPacket> pkts = Split(out_);
    ASSERT_EQ(SR_TS_PID_PMT, pkts[1].pid);
    uint8_t type = 0;
    std::vector<uint8_t> desc = PmtDescriptors(pkts[1], SR_TS_PID_AUDIO, &type);
    EXPECT_EQ(SR_TS_STREAM_PRIVATE, type);
    EXPECT_EQ(std::vector<uint8_t>(kOpusMonoDesc, kOpusMonoDesc + sizeof(kOpusMonoDesc)), desc);
    std::vector<Pes> pes = Pess(pkts, SR_TS_PID_AUDIO);
    ASSERT_EQ(3u, pes.size());
    // opus_control_header: 0x7fe0 (prefix, no trims), au_size as 0xff bytes then the rest
    EXPECT_EQ(Cat({{0x7f, 0xe0, 0xff, 45}, big}), pes[0].es);
    EXPECT_EQ(Cat({{0x7f, 0xe0, 10}, small}), pes[1].es);
    EXPECT_EQ(Cat({{0x7f, 0xe0, 0xff, 0}, edge}), pes[2].es);
    EXPECT_EQ(20 * 90, pes[0].pts);
    EXPECT_EQ(60 * 90, pes[2].pts);
    // private_stream_1
    for (const TsPacket &t : pkts) {
        if (t.pid == SR_TS_PID_AUDIO && t.pusi) {
            EXPECT_EQ(0xbd, t.payload[3]);
        }
    }
}

TEST_F(TsMux, OpusWithoutHeadIsStereoAndMoreThanTwoChannelsAreRefused)
{
    ASSERT_SR_OK(WriteOpus(m_, 0, 0, OpusPacket(20), &out_));
    std::vector<TsPacket> pkts = Split(out_);
    uint8_t type = 0;
    std::vector<uint8_t> desc = PmtDescriptors(pkts[1], SR_TS_PID_AUDIO, &type);
    ASSERT_EQ(10u, desc.size());
    EXPECT_EQ(2, desc[9]); // channel_config_code: stereo

    // a 6-channel head: the stream leaves the PMT and its frames are skipped
    EXPECT_SR_ERR(SR_EUNSUPPORTED, WriteOpus(m_, SR_PACKET_IS_SEQUENCE_HEADER, 20, OpusHead(6), &out_));
    EXPECT_FALSE(sr_ts_muxer_has_audio(m_));
    size_t len = out_.len;
    EXPECT_SR_ERR(SR_EUNSUPPORTED, WriteOpus(m_, 0, 20, OpusPacket(20), &out_));
    EXPECT_EQ(len, out_.len);
    EXPECT_SR_ERR(SR_EFORMAT, WriteOpus(m_, SR_PACKET_IS_SEQUENCE_HEADER, 40, {'O', 'p', 'u', 's'}, &out_));

    // back to mono: a new PMT version announces it
    ASSERT_SR_OK(WriteOpus(m_, SR_PACKET_IS_SEQUENCE_HEADER, 40, OpusHead(1), &out_));
    ASSERT_SR_OK(WriteOpus(m_, 0, 40, OpusPacket(20), &out_));
    std::vector<TsPacket> all = Split(out_);
    const TsPacket *pmt = nullptr;
    for (const TsPacket &t : all) {
        pmt = t.pid == SR_TS_PID_PMT ? &t : pmt;
    }
    ASSERT_NE(nullptr, pmt);
    EXPECT_EQ(0xc3, pmt->payload[6]); // version 1
    desc = PmtDescriptors(*pmt, SR_TS_PID_AUDIO, &type);
    ASSERT_EQ(10u, desc.size());
    EXPECT_EQ(1, desc[9]);
}
