// SPDX-License-Identifier: MIT
// utest_rtp_h265.cpp: H.265 over RTP (RFC 7798 without DONL): the packetizer
// (sr_rtp_h265.h) and the shared NAL depacketizer (sr_rtp_nal.h) with SR_CODEC_H265.
// The frames are the real x265 frames of trunk/utest/assets/ffmpeg_h265_aac.ts: they
// go out in 1200-byte and 300-byte payloads (single NAL units, APs, FUs), come back in
// a shuffled order through the reorder buffer, and must be the same frames with the
// same HEVCDecoderConfigurationRecord; a lost FU drops its frame until the next IRAP.
#include <string.h>

#include <algorithm>
#include <random>
#include <vector>

#include "sr_codec.h"
#include "sr_codec_config.h"
#include "sr_error.h"
#include "sr_packet.h"
#include "sr_rtp.h"
#include "sr_rtp_h265.h"
#include "sr_rtp_nal.h"
#include "sr_ts_demux.h"
#include "sr_utest.h"
#include "sr_utest_asset.h"
#include "sr_utest_video.h"

namespace
{

typedef std::vector<uint8_t> Bytes;

typedef VideoFrame Frame;

VideoAsset Load()
{
    return LoadVideoAsset("ffmpeg_h265_aac.ts", SR_CODEC_H265);
}

struct Out {
    std::vector<Frame> frames;
    std::vector<Bytes> configs;
    static void On(void *arg, const sr_rtp_nal_frame_t *f)
    {
        Out *o = (Out *)arg;
        o->frames.push_back({Bytes(f->data, f->data + f->size), f->rtp_ts, f->is_keyframe});
        if (f->config) {
            o->configs.push_back(Bytes(f->config, f->config + f->config_size));
        }
    }
};

struct Pkt {
    Bytes payload;
    uint32_t ts;
    bool marker;
};

std::vector<Pkt> PacketizeAll(const VideoAsset &m, size_t max)
{
    sr_hevc_config_t cfg;
    EXPECT_EQ(sr_hevc_parse_config(m.config.data(), m.config.size(), &cfg), SR_OK);
    std::vector<Pkt> pkts;
    sr_rtp_payloads_t out = {NULL, 0, NULL, 0, 0, 0};
    for (const Frame &f : m.frames) {
        int rc;
        while ((rc = sr_rtp_h265_packetize(f.data.data(), f.data.size(), &cfg, f.is_keyframe, max, &out)) ==
               -SR_EOVERFLOW) {
            sr_rtp_payloads_grow(&out);
        }
        EXPECT_EQ(rc, SR_OK);
        for (size_t i = 0; i < out.nb_items; i++) {
            const sr_rtp_payload_t &it = out.items[i];
            EXPECT_LE(it.size, max);
            pkts.push_back({Bytes(out.data + it.offset, out.data + it.offset + it.size), f.rtp_ts, it.is_marker});
        }
    }
    sr_rtp_payloads_free(&out);
    return pkts;
}

void Push(sr_rtp_nal_depack_t *d, const Pkt &p, uint16_t seq)
{
    sr_rtp_packet_t h;
    memset(&h, 0, sizeof(h));
    h.seq = seq;
    h.ts = p.ts;
    h.is_marker = p.marker;
    h.payload = p.payload.data();
    h.payload_size = p.payload.size();
    sr_rtp_nal_depack_push(d, &h, 0);
}

} // namespace

TEST(RtpH265, RoundTripShuffled)
{
    VideoAsset m = Load();
    ASSERT_GT(m.frames.size(), 10u);
    ASSERT_TRUE(m.frames[0].is_keyframe);
    for (size_t max : {1200u, 300u}) {
        std::vector<Pkt> pkts = PacketizeAll(m, max);
        std::vector<size_t> order(pkts.size());
        for (size_t i = 0; i < order.size(); i++) {
            order[i] = i;
        }
        std::mt19937 rng(7);
        // the first packet sets the sequence base: later ones are shuffled in windows of 8
        for (size_t i = 1; i + 8 <= order.size(); i += 8) {
            std::shuffle(order.begin() + i, order.begin() + i + 8, rng);
        }
        Out o;
        sr_rtp_nal_depack_t *d = sr_rtp_nal_depack_new(SR_CODEC_H265, 64, 1000000, Out::On, &o);
        ASSERT_NE(d, nullptr);
        for (size_t i : order) {
            Push(d, pkts[i], (uint16_t)(65000 + i));
        }
        sr_rtp_nal_depack_flush(d);
        const sr_rtp_nal_stats_t *st = sr_rtp_nal_depack_stats(d);
        ASSERT_EQ(o.frames.size(), m.frames.size())
            << max << " broken " << st->dropped_broken << " waiting " << st->dropped_waiting << " malformed "
            << st->malformed << " bad ps " << st->bad_param_sets;
        for (size_t i = 0; i < m.frames.size(); i++) {
            EXPECT_EQ(o.frames[i].data, m.frames[i].data) << "frame " << i << " max " << max;
            EXPECT_EQ(o.frames[i].is_keyframe, m.frames[i].is_keyframe) << i;
        }
        ASSERT_EQ(o.configs.size(), 1u);
        EXPECT_EQ(o.configs[0], m.config);
        EXPECT_EQ(sr_rtp_nal_depack_stats(d)->malformed, 0u);
        sr_rtp_nal_depack_free(d);
    }
}

TEST(RtpH265, LostFragmentWaitsForIrap)
{
    VideoAsset m = Load();
    std::vector<Pkt> pkts = PacketizeAll(m, 300);
    // lose the second packet of the second frame (a fragment of it)
    size_t first_of_second = 0;
    while (!pkts[first_of_second].marker) {
        first_of_second++;
    }
    first_of_second++;
    Out o;
    sr_rtp_nal_depack_t *d = sr_rtp_nal_depack_new(SR_CODEC_H265, 64, 0, Out::On, &o);
    for (size_t i = 0; i < pkts.size(); i++) {
        if (i != first_of_second + 1) {
            Push(d, pkts[i], (uint16_t)i);
        }
    }
    sr_rtp_nal_depack_flush(d);
    ASSERT_FALSE(o.frames.empty());
    EXPECT_EQ(o.frames[0].data, m.frames[0].data);
    // everything after the loss waits for the next IRAP
    for (size_t i = 1; i < o.frames.size(); i++) {
        if (i == 1) {
            EXPECT_TRUE(o.frames[i].is_keyframe);
        }
    }
    EXPECT_GE(sr_rtp_nal_depack_stats(d)->dropped_broken, 1u);
    sr_rtp_nal_depack_free(d);
}

TEST(RtpH265, ApHeaderAndMalformed)
{
    // two small NAL units (types 1 and 1, TID 1) aggregate into one AP
    Bytes frame = {0, 0, 0, 3, 0x02, 0x01, 0xaa, 0, 0, 0, 3, 0x02, 0x01, 0xbb};
    uint8_t data[64];
    sr_rtp_payload_t items[4];
    sr_rtp_payloads_t out = {data, sizeof(data), items, 4, 0, 0};
    ASSERT_EQ(sr_rtp_h265_packetize(frame.data(), frame.size(), NULL, false, 1200, &out), SR_OK);
    ASSERT_EQ(out.nb_items, 1u);
    Bytes ap(data, data + items[0].size);
    EXPECT_EQ(ap, Bytes({0x60, 0x01, 0, 3, 0x02, 0x01, 0xaa, 0, 3, 0x02, 0x01, 0xbb}));
    EXPECT_EQ(sr_rtp_h265_packetize(frame.data(), frame.size(), NULL, false, 3, &out), -SR_EINVAL);
    Bytes bad = {0, 0, 0, 9, 0x02};
    EXPECT_EQ(sr_rtp_h265_packetize(bad.data(), bad.size(), NULL, false, 1200, &out), -SR_EFORMAT);
    // malformed: an AP whose size runs past the payload, a FU without its header, a lone end
    Out o;
    sr_rtp_nal_depack_t *d = sr_rtp_nal_depack_new(SR_CODEC_H265, 64, 0, Out::On, &o);
    std::vector<Bytes> junk = {{0x60, 0x01, 0, 9, 0x02}, {0x62, 0x01}, {0x62, 0x01, 0x41, 1, 2}, {0x02}};
    for (size_t i = 0; i < junk.size(); i++) {
        Push(d, {junk[i], (uint32_t)i * 3000, true}, (uint16_t)i);
    }
    EXPECT_TRUE(o.frames.empty());
    EXPECT_EQ(sr_rtp_nal_depack_stats(d)->malformed, 4u);
    sr_rtp_nal_depack_free(d);
    EXPECT_EQ(sr_rtp_nal_depack_new(SR_CODEC_AAC, 64, 0, Out::On, &o), nullptr);
}
