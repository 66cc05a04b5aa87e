// SPDX-License-Identifier: MIT
// utest_rtp_h264.cpp: H.264 over RTP (sr_rtp_h264.h). The frames are the real x264
// frames of trunk/utest/assets/ffmpeg_h264_aac.ts (see the README there) as the TS
// demuxer delivers them: packetized into 1200-byte (and much smaller) payloads, sent
// through RTP headers from just below the sequence wrap, shuffled and duplicated,
// depacketized back into the same AVCC frames and config record. Losing one FU-A
// fragment drops exactly that frame and the non-key frames after it and asks for a
// keyframe. Hand-built frames and packets cover AUD/filler/SEI, STAP-A aggregation,
// the output buffer contract, and malformed STAP-A/FU-A/mode 2 packets.
#include <string.h>

#include <algorithm>
#include <random>
#include <vector>

#include "sr_codec.h"
#include "sr_codec_config.h"
#include "sr_error.h"
#include "sr_packet.h"
#include "sr_rtp.h"
#include "sr_rtp_h264.h"
#include "sr_rtp_nal.h"
#include "sr_ts_demux.h"
#include "sr_utest.h"
#include "sr_utest_asset.h"
#include "sr_utest_video.h"

namespace
{

typedef std::vector<uint8_t> Bytes;

typedef VideoFrame Frame;
typedef VideoAsset Media;

Media LoadMedia()
{
    return LoadVideoAsset("ffmpeg_h264_aac.ts", SR_CODEC_H264);
}

// A packetized frame: its payloads as separate byte strings with their marker bits.
struct Payloads {
    std::vector<Bytes> data;
    std::vector<bool> marker;
};

int Packetize(const Bytes &frame, const sr_avc_config_t *cfg, bool key, size_t max, Payloads *out)
{
    Bytes buf(16);
    std::vector<sr_rtp_payload_t> items(1);
    sr_rtp_payloads_t o = {buf.data(), buf.size(), items.data(), items.size(), 0, 0};
    int rc = sr_rtp_h264_packetize(frame.data(), frame.size(), cfg, key, max, &o);
    if (rc == -SR_EOVERFLOW) { // grow to what it asked for, once
        buf.resize(o.len);
        items.resize(o.nb_items);
        o = {buf.data(), buf.size(), items.data(), items.size(), 0, 0};
        rc = sr_rtp_h264_packetize(frame.data(), frame.size(), cfg, key, max, &o);
    }
    if (rc != SR_OK) {
        return rc;
    }
    EXPECT_EQ(buf.size() > 16 ? buf.size() : o.len, o.len);
    for (size_t i = 0; i < o.nb_items; i++) {
        out->data.push_back(Bytes(buf.data() + items[i].offset, buf.data() + items[i].offset + items[i].size));
        out->marker.push_back(items[i].is_marker);
    }
    return rc;
}

// An RTP packet on the wire, as a player would send it: header, then the payload.
Bytes RtpPacket(uint16_t seq, uint32_t ts, bool marker, const Bytes &payload)
{
    sr_rtp_packet_t h;
    memset(&h, 0, sizeof(h));
    h.pt = 102;
    h.seq = seq;
    h.ts = ts;
    h.ssrc = 0x5eed;
    h.is_marker = marker;
    uint8_t twcc[2] = {(uint8_t)(seq >> 8), (uint8_t)seq};
    sr_rtp_ext_elem_t ext = {3, 2, twcc};
    Bytes out(64 + payload.size());
    size_t n;
    EXPECT_SR_OK(sr_rtp_header_write(&h, &ext, 1, out.data(), out.size(), &n));
    memcpy(out.data() + n, payload.data(), payload.size());
    out.resize(n + payload.size());
    return out;
}

// Packetize every frame; the wire packets in order, from first_seq.
std::vector<Bytes> Send(const Media &m, size_t max, uint16_t first_seq, std::vector<size_t> *frame_of = NULL)
{
    sr_avc_config_t cfg;
    EXPECT_SR_OK(sr_avc_parse_config(m.config.data(), m.config.size(), &cfg));
    std::vector<Bytes> wire;
    uint16_t seq = first_seq;
    for (size_t f = 0; f < m.frames.size(); f++) {
        Payloads p;
        EXPECT_SR_OK(Packetize(m.frames[f].data, &cfg, m.frames[f].is_keyframe, max, &p));
        for (size_t i = 0; i < p.data.size(); i++) {
            wire.push_back(RtpPacket(seq++, m.frames[f].rtp_ts, p.marker[i], p.data[i]));
            if (frame_of) {
                frame_of->push_back(f);
            }
        }
    }
    return wire;
}

struct Sink {
    std::vector<Frame> frames;
    std::vector<Bytes> configs; // per frame: empty, or the config delivered with it
    static void On(void *arg, const sr_rtp_nal_frame_t *f)
    {
        Sink *s = (Sink *)arg;
        s->frames.push_back({Bytes(f->data, f->data + f->size), f->rtp_ts, f->is_keyframe});
        s->configs.push_back(f->config ? Bytes(f->config, f->config + f->config_size) : Bytes());
    }
};

void Receive(sr_rtp_nal_depack_t *d, const std::vector<Bytes> &wire, int64_t now_us = 0)
{
    for (const Bytes &w : wire) {
        sr_rtp_packet_t p;
        ASSERT_SR_OK(sr_rtp_parse(w.data(), w.size(), &p));
        sr_rtp_nal_depack_push(d, &p, now_us);
    }
}

TEST(RtpH264, AssetFramesAreRealH264)
{
    Media m = LoadMedia();
    ASSERT_EQ(50u, m.frames.size()); // ffprobe: 50 frames, 2 keyframes
    ASSERT_FALSE(m.config.empty());
    EXPECT_TRUE(m.frames[0].is_keyframe);
    EXPECT_TRUE(m.frames[25].is_keyframe);
    EXPECT_GT(m.frames[0].data.size(), 1200u); // the IDR needs FU-A
}

TEST(RtpH264, PacketizesIntoBoundedPayloadsWithParameterSetsFirst)
{
    Media m = LoadMedia();
    sr_avc_config_t cfg;
    ASSERT_SR_OK(sr_avc_parse_config(m.config.data(), m.config.size(), &cfg));
    size_t stap = 0, fu = 0, single = 0;
    for (const Frame &f : m.frames) {
        Payloads p;
        ASSERT_SR_OK(Packetize(f.data, &cfg, f.is_keyframe, 1200, &p));
        ASSERT_FALSE(p.data.empty());
        for (size_t i = 0; i < p.data.size(); i++) {
            EXPECT_LE(p.data[i].size(), 1200u);
            EXPECT_EQ(i + 1 == p.data.size(), (bool)p.marker[i]);
            uint8_t type = p.data[i][0] & 0x1f;
            stap += type == SR_RTP_H264_STAP_A;
            fu += type == SR_RTP_H264_FU_A;
            single += type < SR_RTP_H264_STAP_A;
        }
        if (f.is_keyframe) {
            // a STAP-A with the config's SPS then PPS, whole
            const Bytes &s = p.data[0];
            ASSERT_EQ(SR_RTP_H264_STAP_A, s[0] & 0x1f);
            size_t sps = (s[1] << 8) | s[2];
            ASSERT_EQ(cfg.sps[0].size, sps);
            EXPECT_EQ(0, memcmp(s.data() + 3, cfg.sps[0].data, sps));
            size_t pps = (s[3 + sps] << 8) | s[4 + sps];
            ASSERT_EQ(cfg.pps[0].size, pps);
            EXPECT_EQ(0, memcmp(s.data() + 5 + sps, cfg.pps[0].data, pps));
            EXPECT_EQ(s[0] & 0x60, SR_MAX(cfg.sps[0].data[0] & 0x60, cfg.pps[0].data[0] & 0x60)); // NRI
        }
    }
    EXPECT_GT(stap, 0u);
    EXPECT_GT(fu, 0u);
    EXPECT_GT(single, 0u);
}

TEST(RtpH264, RoundTripInOrderGivesTheSameFramesAndConfig)
{
    Media m = LoadMedia();
    for (size_t max : {(size_t)1200, (size_t)100, (size_t)SR_RTP_H264_MIN_PAYLOAD}) {
        SCOPED_TRACE(max);
        std::vector<Bytes> wire = Send(m, max, 65000);
        Sink sink;
        sr_rtp_nal_depack_t *d = sr_rtp_nal_depack_new(SR_CODEC_H264, 1024, 100000, Sink::On, &sink);
        ASSERT_TRUE(d != NULL);
        EXPECT_TRUE(sr_rtp_nal_depack_need_keyframe(d));
        Receive(d, wire);
        EXPECT_FALSE(sr_rtp_nal_depack_need_keyframe(d));
        ASSERT_EQ(m.frames.size(), sink.frames.size());
        for (size_t i = 0; i < m.frames.size(); i++) {
            EXPECT_EQ(m.frames[i].data, sink.frames[i].data) << i;
            EXPECT_EQ(m.frames[i].rtp_ts, sink.frames[i].rtp_ts) << i;
            EXPECT_EQ(m.frames[i].is_keyframe, sink.frames[i].is_keyframe) << i;
            EXPECT_EQ(i == 0 ? m.config : Bytes(), sink.configs[i]) << i; // once: it never changes
        }
        EXPECT_EQ(0u, sr_rtp_nal_depack_stats(d)->dropped_broken);
        EXPECT_EQ(1u, sr_rtp_nal_depack_stats(d)->configs);
        sr_rtp_nal_depack_free(d);
    }
}

TEST(RtpH264, RoundTripShuffledAndDuplicatedAcrossTheWrap)
{
    Media m = LoadMedia();
    std::vector<Bytes> wire = Send(m, 1200, 65500);
    ASSERT_GT(wire.size(), 40u); // the sequence wraps inside the stream
    std::mt19937 rng(11);
    std::vector<Bytes> sent(wire.begin(), wire.begin() + 1); // the first stays first
    for (size_t i = 1; i < wire.size(); i += 30) {
        std::vector<Bytes> block(wire.begin() + (long)i, wire.begin() + (long)std::min(i + 30, wire.size()));
        for (size_t k = 0; k < block.size(); k += 4) {
            block.push_back(block[k]); // duplicates
        }
        std::shuffle(block.begin(), block.end(), rng);
        sent.insert(sent.end(), block.begin(), block.end());
    }
    Sink sink;
    sr_rtp_nal_depack_t *d = sr_rtp_nal_depack_new(SR_CODEC_H264, 256, 100000, Sink::On, &sink);
    Receive(d, sent);
    sr_rtp_nal_depack_flush(d);
    ASSERT_EQ(m.frames.size(), sink.frames.size());
    for (size_t i = 0; i < m.frames.size(); i++) {
        EXPECT_EQ(m.frames[i].data, sink.frames[i].data) << i;
    }
    const sr_rtp_reorder_stats_t *rs = sr_rtp_reorder_stats(sr_rtp_nal_depack_reorder(d));
    EXPECT_EQ(sent.size() - wire.size(), rs->duplicates);
    EXPECT_EQ(0u, rs->lost);
    sr_rtp_nal_depack_free(d);
}

TEST(RtpH264, LosingOneFuAFragmentDropsThatFrameUntilTheNextKeyframe)
{
    Media m = LoadMedia();
    std::vector<size_t> frame_of;
    std::vector<Bytes> wire = Send(m, 200, 100, &frame_of);
    // a middle fragment of the first non-key frame of the first GOP (after frame 5) that
    // takes three packets or more
    size_t victim = 0, lost_frame = 0;
    for (size_t i = 1; i + 1 < wire.size() && victim == 0; i++) {
        size_t f = frame_of[i];
        if (f > 5 && f < 24 && frame_of[i - 1] == f && frame_of[i + 1] == f) {
            victim = i;
            lost_frame = f;
        }
    }
    ASSERT_GT(victim, 0u);
    ASSERT_FALSE(m.frames[lost_frame].is_keyframe);
    sr_rtp_packet_t vp;
    ASSERT_SR_OK(sr_rtp_parse(wire[victim].data(), wire[victim].size(), &vp));
    ASSERT_EQ(SR_RTP_H264_FU_A, vp.payload[0] & 0x1f);

    Sink sink;
    sr_rtp_nal_depack_t *d = sr_rtp_nal_depack_new(SR_CODEC_H264, 512, 100000, Sink::On, &sink);
    std::vector<Bytes> before(wire.begin(), wire.begin() + (long)victim);
    Receive(d, before, 0);
    // the packets after it wait for it; the app sees what to NACK
    std::vector<Bytes> after(wire.begin() + (long)victim + 1, wire.begin() + (long)victim + 4);
    Receive(d, after, 1000);
    uint16_t missing[4];
    ASSERT_EQ(1u, sr_rtp_reorder_missing(sr_rtp_nal_depack_reorder(d), missing, 4));
    EXPECT_EQ(vp.seq, missing[0]);
    EXPECT_FALSE(sr_rtp_nal_depack_need_keyframe(d));
    // no retransmission: after 100 ms the gap is given up
    sr_rtp_nal_depack_tick(d, 101000);
    EXPECT_TRUE(sr_rtp_nal_depack_need_keyframe(d));
    std::vector<Bytes> rest(wire.begin() + (long)victim + 4, wire.end());
    Receive(d, rest, 102000);
    EXPECT_FALSE(sr_rtp_nal_depack_need_keyframe(d)); // the keyframe at 25 came

    std::vector<size_t> want;
    for (size_t i = 0; i < m.frames.size(); i++) {
        if (i < lost_frame || i >= 25) {
            want.push_back(i);
        }
    }
    ASSERT_EQ(want.size(), sink.frames.size());
    for (size_t k = 0; k < want.size(); k++) {
        EXPECT_EQ(m.frames[want[k]].data, sink.frames[k].data) << want[k];
    }
    const sr_rtp_nal_stats_t *st = sr_rtp_nal_depack_stats(d);
    EXPECT_EQ(1u, st->dropped_broken);
    EXPECT_EQ(24 - lost_frame, st->dropped_waiting);
    EXPECT_EQ(1u, sr_rtp_reorder_stats(sr_rtp_nal_depack_reorder(d))->lost);
    sr_rtp_nal_depack_free(d);
}

TEST(RtpH264, ARetransmissionInTimeLosesNothing)
{
    Media m = LoadMedia();
    std::vector<Bytes> wire = Send(m, 1200, 0);
    std::vector<Bytes> sent = wire;
    Bytes late = sent[20];
    sent.erase(sent.begin() + 20);
    sent.insert(sent.begin() + 35, late); // arrives 15 packets later, as a NACK answer would
    Sink sink;
    sr_rtp_nal_depack_t *d = sr_rtp_nal_depack_new(SR_CODEC_H264, 64, 100000, Sink::On, &sink);
    Receive(d, sent);
    EXPECT_EQ(m.frames.size(), sink.frames.size());
    EXPECT_EQ(0u, sr_rtp_nal_depack_stats(d)->dropped_broken);
    sr_rtp_nal_depack_free(d);
}

// ---- hand-built frames ----

Bytes Avcc(std::initializer_list<Bytes> nals)
{
    Bytes out;
    for (const Bytes &n : nals) {
        uint32_t len = (uint32_t)n.size();
        out.push_back((uint8_t)(len >> 24));
        out.push_back((uint8_t)(len >> 16));
        out.push_back((uint8_t)(len >> 8));
        out.push_back((uint8_t)len);
        out.insert(out.end(), n.begin(), n.end());
    }
    return out;
}

Bytes Nal(uint8_t header, size_t size, uint8_t fill = 0x11)
{
    Bytes n(size, fill);
    n[0] = header;
    return n;
}

TEST(RtpH264, DropsAudAndFillerKeepsSeiAndAggregates)
{
    Bytes aud = Nal(0x09, 2), sei = Nal(0x06, 30), filler = Nal(0x0c, 50, 0xff);
    Bytes slice1 = Nal(0x41, 400), slice2 = Nal(0x41, 300), reserved = Nal(0x1c, 5);
    Bytes frame = Avcc({aud, sei, filler, slice1, slice2, reserved});
    Payloads p;
    ASSERT_SR_OK(Packetize(frame, NULL, false, 1200, &p));
    // SEI + both slices fit one STAP-A: 1 + (2 + 30) + (2 + 400) + (2 + 300)
    ASSERT_EQ(1u, p.data.size());
    EXPECT_EQ(737u, p.data[0].size());
    EXPECT_EQ(0x40 | SR_RTP_H264_STAP_A, p.data[0][0]); // NRI of the slices
    EXPECT_TRUE(p.marker[0]);
    // with 500-byte payloads: STAP-A(SEI, slice1), then slice2 alone
    p = Payloads();
    ASSERT_SR_OK(Packetize(frame, NULL, false, 500, &p));
    ASSERT_EQ(2u, p.data.size());
    EXPECT_EQ(SR_RTP_H264_STAP_A, p.data[0][0] & 0x1f);
    EXPECT_EQ(slice2, p.data[1]);
    EXPECT_EQ((std::vector<bool>{false, true}), p.marker);
    // nothing sendable: no payloads
    p = Payloads();
    ASSERT_SR_OK(Packetize(Avcc({aud, filler}), NULL, true, 1200, &p));
    EXPECT_TRUE(p.data.empty());
}

TEST(RtpH264, KeyframesGetTheConfigUnlessTheyCarryTheirOwn)
{
    Media m = LoadMedia();
    sr_avc_config_t cfg;
    ASSERT_SR_OK(sr_avc_parse_config(m.config.data(), m.config.size(), &cfg));
    Bytes sps(cfg.sps[0].data, cfg.sps[0].data + cfg.sps[0].size);
    Bytes pps(cfg.pps[0].data, cfg.pps[0].data + cfg.pps[0].size);
    Bytes idr = Nal(0x65, 800), p_slice = Nal(0x41, 100);
    Payloads p;
    ASSERT_SR_OK(Packetize(Avcc({idr}), &cfg, false, 1200, &p)); // an IDR makes it a keyframe
    ASSERT_EQ(1u, p.data.size());
    EXPECT_EQ(1u + 2 + sps.size() + 2 + pps.size() + 2 + idr.size(), p.data[0].size());
    p = Payloads();
    ASSERT_SR_OK(Packetize(Avcc({sps, pps, idr}), &cfg, true, 1200, &p)); // its own SPS: no more
    EXPECT_EQ(1u + 2 + sps.size() + 2 + pps.size() + 2 + idr.size(), p.data[0].size());
    p = Payloads();
    ASSERT_SR_OK(Packetize(Avcc({p_slice}), &cfg, false, 1200, &p));
    EXPECT_EQ(p_slice, p.data[0]);
}

// FU-A fragments are all of one size but the last, which is short by less than the
// number of fragments, so a frame's fragments go to a player as one UDP GSO run.
TEST(RtpH264, FuAFragmentsAreEqualButTheLast)
{
    const size_t max = 1200, room = max - 2; // FU indicator and header; body: after the NAL header
    for (size_t body : std::vector<size_t>{room + 2, 2 * room, 2 * room + 1, 4999, 10001, 60 * room - 1, 200000}) {
        Payloads p;
        ASSERT_SR_OK(Packetize(Avcc({Nal(0x65, body + 1)}), nullptr, true, max, &p));
        size_t nb = (body + room - 1) / room; // as few as fit
        ASSERT_EQ(nb, p.data.size()) << body;
        size_t total = 0;
        for (size_t i = 0; i < nb; i++) {
            EXPECT_LE(p.data[i].size(), max);
            if (i + 1 < nb) {
                EXPECT_EQ(p.data[0].size(), p.data[i].size()) << body << " fragment " << i;
            }
            total += p.data[i].size() - 2;
        }
        EXPECT_EQ(body, total);
        EXPECT_LE(p.data[nb - 1].size(), p.data[0].size());
        EXPECT_LT(p.data[0].size() - p.data[nb - 1].size(), nb) << body;
    }
}

TEST(RtpH264, OutputBufferContract)
{
    Bytes frame = Avcc({Nal(0x65, 5000)});
    uint8_t buf[8];
    sr_rtp_payload_t items[1];
    sr_rtp_payloads_t o = {buf, sizeof(buf), items, 1, 0, 0};
    EXPECT_SR_ERR(SR_EOVERFLOW, sr_rtp_h264_packetize(frame.data(), frame.size(), NULL, true, 1200, &o));
    // 5 fragments of the 4999 bytes after the header, near-equal, 2 header bytes each
    EXPECT_EQ(5u, o.nb_items);
    EXPECT_EQ(4999u + 5 * 2, o.len);
    Bytes big(o.len);
    std::vector<sr_rtp_payload_t> many(o.nb_items);
    o = {big.data(), big.size(), many.data(), many.size(), 0, 0};
    ASSERT_SR_OK(sr_rtp_h264_packetize(frame.data(), frame.size(), NULL, true, 1200, &o));
    for (size_t i = 0; i < 5; i++) {
        EXPECT_GE(many[i].size, 1001u);
        EXPECT_LE(many[i].size, 1002u);
        EXPECT_EQ(i == 4, many[i].is_marker);
        EXPECT_EQ(i == 0 ? 0x85 : i == 4 ? 0x45 : 0x05, big[many[i].offset + 1]); // S/E bits
    }
    // limits and broken frames
    EXPECT_SR_ERR(SR_EINVAL, sr_rtp_h264_packetize(frame.data(), frame.size(), NULL, true, 2, &o));
    EXPECT_SR_ERR(SR_EINVAL, sr_rtp_h264_packetize(frame.data(), frame.size(), NULL, true, 65536, &o));
    for (size_t cut = 1; cut < 4; cut++) {
        EXPECT_SR_ERR(SR_EFORMAT, sr_rtp_h264_packetize(frame.data(), cut, NULL, true, 1200, &o));
    }
    EXPECT_SR_ERR(SR_EFORMAT, sr_rtp_h264_packetize(frame.data(), frame.size() - 1, NULL, true, 1200, &o));
    Bytes zero = Avcc({Bytes(), Nal(0x41, 10)}); // a 0-length NAL unit is skipped
    o = {big.data(), big.size(), many.data(), many.size(), 0, 0};
    ASSERT_SR_OK(sr_rtp_h264_packetize(zero.data(), zero.size(), NULL, false, 1200, &o));
    EXPECT_EQ(1u, o.nb_items);
    EXPECT_EQ(10u, o.len);
}

// ---- the depacketizer on hand-built packets ----

struct Depack {
    Sink sink;
    sr_rtp_nal_depack_t *d;
    uint16_t seq = 1;
    Depack() : d(sr_rtp_nal_depack_new(SR_CODEC_H264, 64, 0, Sink::On, &sink))
    {
    }
    ~Depack()
    {
        sr_rtp_nal_depack_free(d);
    }
    void Push(uint32_t ts, bool marker, const Bytes &payload)
    {
        sr_rtp_packet_t p;
        memset(&p, 0, sizeof(p));
        p.seq = seq++;
        p.ts = ts;
        p.is_marker = marker;
        p.payload = payload.data();
        p.payload_size = payload.size();
        sr_rtp_nal_depack_push(d, &p, 0);
    }
    void Keyframe(uint32_t ts, const Media &m)
    {
        sr_avc_config_t cfg;
        EXPECT_SR_OK(sr_avc_parse_config(m.config.data(), m.config.size(), &cfg));
        Payloads p;
        EXPECT_SR_OK(Packetize(Avcc({Nal(0x65, 10)}), &cfg, true, 1200, &p));
        Push(ts, true, p.data[0]);
    }
};

TEST(RtpH264Depack, MalformedPacketsBreakTheFrame)
{
    Media m = LoadMedia();
    const Bytes bad[] = {
        {0x18},                               // STAP-A with nothing in it
        {0x18, 0x00, 0x05, 0x41, 0x01},       // STAP-A size past the packet
        {0x18, 0x00, 0x00},                   // STAP-A with a 0-length NAL unit
        {0x18, 0x00, 0x01, 0x41, 0x00},       // STAP-A with a cut size
        {0x1c},                               // FU-A without its header
        {0x1c, 0x01, 0xaa},                   // FU-A middle without a start
        {0x1c, 0x41, 0xaa},                   // FU-A end without a start
        {0x19, 0x00, 0x01, 0x00, 0x01, 0x41}, // STAP-B (mode 2)
        {0x1b, 0x00},                         // MTAP24
        {0x1d, 0x81, 0x00, 0x00},             // FU-B
    };
    for (const Bytes &b : bad) {
        Depack t;
        t.Keyframe(1000, m);
        ASSERT_EQ(1u, t.sink.frames.size());
        EXPECT_FALSE(sr_rtp_nal_depack_need_keyframe(t.d));
        t.Push(2000, true, b);
        EXPECT_TRUE(sr_rtp_nal_depack_need_keyframe(t.d)) << (int)b[0];
        EXPECT_EQ(1u, sr_rtp_nal_depack_stats(t.d)->malformed);
        t.Push(3000, true, Nal(0x41, 20)); // a P frame: waits for a keyframe
        EXPECT_EQ(1u, t.sink.frames.size());
        t.Keyframe(4000, m);
        EXPECT_EQ(2u, t.sink.frames.size());
    }
}

TEST(RtpH264Depack, ReservedTypesInsideAStapAreSkipped)
{
    Media m = LoadMedia();
    Depack t;
    t.Keyframe(1000, m);
    // STAP-A: a type 28 NAL unit (RFC 6184's own), then a slice; a type 0 packet alone
    t.Push(2000, false, {0x18, 0x00, 0x02, 0x1c, 0x85, 0x00, 0x03, 0x41, 0x9a, 0x01});
    t.Push(2000, true, {0x00, 0x12});
    ASSERT_EQ(2u, t.sink.frames.size());
    EXPECT_EQ(Avcc({{0x41, 0x9a, 0x01}}), t.sink.frames[1].data);
    EXPECT_EQ(0u, sr_rtp_nal_depack_stats(t.d)->malformed);
    // a FU-A of a type 24 NAL unit is malformed
    t.Push(3000, false, {0x7c, 0x98, 0xaa});
    t.Push(3000, true, {0x7c, 0x58, 0xbb});
    EXPECT_EQ(2u, t.sink.frames.size());
    EXPECT_EQ(1u, sr_rtp_nal_depack_stats(t.d)->malformed);
}

TEST(RtpH264Depack, FuAStartedTwiceOrTypeChangedIsBroken)
{
    Media m = LoadMedia();
    Depack t;
    t.Keyframe(1000, m);
    t.Push(2000, false, {0x7c, 0x81, 0xaa}); // start of a type 1 NAL unit
    t.Push(2000, false, {0x7c, 0x81, 0xbb}); // started again
    t.Push(2000, true, {0x7c, 0x41, 0xcc});
    EXPECT_EQ(1u, t.sink.frames.size());
    EXPECT_EQ(1u, sr_rtp_nal_depack_stats(t.d)->dropped_broken);
    t.Keyframe(3000, m);
    t.Push(4000, false, {0x7c, 0x81, 0xaa});
    t.Push(4000, true, {0x7c, 0x45, 0xcc}); // the end claims type 5
    EXPECT_EQ(2u, t.sink.frames.size());
    t.Keyframe(5000, m);
    // a FU-A whose end never came, cut by a single NAL unit
    t.Push(6000, false, {0x7c, 0x81, 0xaa});
    t.Push(6000, true, Nal(0x41, 5));
    EXPECT_EQ(3u, t.sink.frames.size());
    EXPECT_EQ(3u, sr_rtp_nal_depack_stats(t.d)->dropped_broken);
}

TEST(RtpH264Depack, TimestampChangeEndsAFrameWithoutMarker)
{
    Media m = LoadMedia();
    Depack t;
    t.Keyframe(1000, m);
    t.Push(2000, false, Nal(0x41, 10));
    t.Push(2000, false, Nal(0x41, 11)); // two slices, no marker
    t.Push(3000, false, Nal(0x41, 12)); // the next frame starts
    ASSERT_EQ(2u, t.sink.frames.size());
    EXPECT_EQ(Avcc({Nal(0x41, 10), Nal(0x41, 11)}), t.sink.frames[1].data);
    EXPECT_EQ(2000u, t.sink.frames[1].rtp_ts);
    EXPECT_FALSE(t.sink.frames[1].is_keyframe);
    // an empty (padding-only) packet between frames changes nothing
    t.Push(3000, true, Bytes());
    t.Push(3000, true, Nal(0x41, 13));
    ASSERT_EQ(3u, t.sink.frames.size());
    EXPECT_EQ(Avcc({Nal(0x41, 12), Nal(0x41, 13)}), t.sink.frames[2].data);
    // flush drops a frame without its marker
    t.Push(4000, false, Nal(0x41, 14));
    sr_rtp_nal_depack_flush(t.d);
    EXPECT_EQ(3u, t.sink.frames.size());
}

TEST(RtpH264Depack, ConfigFromSdpAndInBandChanges)
{
    Media m = LoadMedia();
    Depack t;
    // before any config, even an IDR waits
    t.Push(500, true, Nal(0x65, 10));
    EXPECT_EQ(0u, t.sink.frames.size());
    EXPECT_EQ(1u, sr_rtp_nal_depack_stats(t.d)->dropped_waiting);
    // a record from SDP: frames go out, the record with the first
    ASSERT_SR_OK(sr_rtp_nal_depack_set_config(t.d, m.config.data(), m.config.size()));
    t.Push(1000, true, Nal(0x65, 10));
    ASSERT_EQ(1u, t.sink.frames.size());
    EXPECT_EQ(m.config, t.sink.configs[0]);
    EXPECT_TRUE(t.sink.frames[0].is_keyframe);
    // the same SPS/PPS in-band: no new config; a new PPS: a new record with the old SPS
    sr_avc_config_t cfg;
    ASSERT_SR_OK(sr_avc_parse_config(m.config.data(), m.config.size(), &cfg));
    Bytes sps(cfg.sps[0].data, cfg.sps[0].data + cfg.sps[0].size);
    Bytes pps(cfg.pps[0].data, cfg.pps[0].data + cfg.pps[0].size);
    Payloads p;
    ASSERT_SR_OK(Packetize(Avcc({sps, pps, Nal(0x65, 10)}), NULL, true, 1200, &p));
    t.Push(2000, true, p.data[0]);
    ASSERT_EQ(2u, t.sink.frames.size());
    EXPECT_TRUE(t.sink.configs[1].empty());
    EXPECT_EQ(Avcc({Nal(0x65, 10)}), t.sink.frames[1].data); // parameter sets left the frame
    Bytes pps2 = pps;
    pps2.push_back(0x80);
    t.Push(3000, false, pps2); // alone in its own packet, then the frame
    t.Push(3000, true, Nal(0x41, 10));
    ASSERT_EQ(3u, t.sink.frames.size());
    sr_avc_config_t c2;
    ASSERT_SR_OK(sr_avc_parse_config(t.sink.configs[2].data(), t.sink.configs[2].size(), &c2));
    ASSERT_EQ(1, c2.nb_pps);
    EXPECT_EQ(pps2.size(), c2.pps[0].size);
    EXPECT_EQ(sps.size(), c2.sps[0].size);
    // an SPS that does not parse is counted and ignored
    t.Push(4000, false, {0x67, 0x42});
    t.Push(4000, true, Nal(0x41, 10));
    EXPECT_EQ(1u, sr_rtp_nal_depack_stats(t.d)->bad_param_sets);
    EXPECT_EQ(4u, t.sink.frames.size());
    // set_config checks the record
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_rtp_nal_depack_set_config(t.d, m.config.data(), 3));
    // bad windows
    EXPECT_TRUE(sr_rtp_nal_depack_new(SR_CODEC_H264, 100, 0, Sink::On, NULL) == NULL);
    EXPECT_TRUE(sr_rtp_nal_depack_new(SR_CODEC_H264, 64, 0, NULL, NULL) == NULL);
    sr_rtp_nal_depack_free(NULL);
}

} // namespace
