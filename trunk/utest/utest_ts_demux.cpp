// SPDX-License-Identifier: MIT
// utest_ts_demux.cpp: the MPEG-TS demuxer (sr_ts_demux.h). Round trips through our
// muxer (sr_ts.h) fed in odd chunk sizes, real ffmpeg files (trunk/utest/assets,
// see the README there), hand-built PSI/PES for Opus and ADTS, and broken input:
// cut packets, garbage, wrong continuity counters, bad CRCs, a missing PMT, PES
// length lies, oversized PES and the 2^33 PTS wrap.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <string>
#include <vector>

#include "sr_bytes.h"
#include "sr_codec.h"
#include "sr_codec_config.h"
#include "sr_error.h"
#include "sr_packet.h"
#include "sr_payload.h"
#include "sr_ts.h"
#include "sr_ts_demux.h"
#include "sr_utest.h"
#include "sr_utest_asset.h"

namespace
{

// ffmpeg: 320x240 libx264 High sequence header (FLV tag body), as in utest_ts.cpp.
const uint8_t kAvcHigh320[] = {0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x64, 0x00, 0x0d, 0xff, 0xe1, 0x00, 0x19,
                               0x67, 0x64, 0x00, 0x0d, 0xac, 0xd9, 0x41, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00,
                               0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0x20, 0xf1, 0x42, 0x99, 0x60, 0x01,
                               0x00, 0x06, 0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0, 0xfd, 0xf8, 0xf8, 0x00};
// AAC LC, 44.1 kHz, stereo (FLV sequence header with AudioSpecificConfig 0x12 0x10).
const uint8_t kAacSh[] = {0xaf, 0x00, 0x12, 0x10};

const int64_t kWrapMs = (INT64_C(1) << 33) / 90; // where a 33-bit PTS wraps, in ms

struct Frame {
    uint8_t type, flags, codec;
    int64_t dts, pts;
    std::vector<uint8_t> body;
};

// Collects what the demuxer delivers; frees each packet (the callee owns it).
struct Sink {
    std::vector<Frame> frames;
    static void OnFrame(void *arg, sr_packet_t *pkt)
    {
        Sink *s = (Sink *)arg;
        size_t n = 0;
        const uint8_t *b = sr_packet_body(pkt, &n);
        s->frames.push_back(Frame{pkt->type, pkt->flags, pkt->codec, pkt->dts, pkt->pts, {b, b + n}});
        sr_packet_deinit(pkt);
    }
    std::vector<Frame> Of(uint8_t codec, bool configs) const
    {
        std::vector<Frame> out;
        for (const Frame &f : frames) {
            if (f.codec == codec && ((f.flags & SR_PACKET_IS_SEQUENCE_HEADER) != 0) == configs) {
                out.push_back(f);
            }
        }
        return out;
    }
};

// Demux data fed in chunks of chunk bytes, then flush.
struct Demux {
    Sink sink;
    sr_ts_demuxer_t *d;
    Demux() : d(sr_ts_demux_new(Sink::OnFrame, &sink))
    {
    }
    ~Demux()
    {
        sr_ts_demux_free(d);
    }
    void Feed(const std::vector<uint8_t> &ts, size_t chunk)
    {
        for (size_t off = 0; off < ts.size(); off += chunk) {
            EXPECT_SR_OK(sr_ts_demux_feed(d, ts.data() + off, std::min(chunk, ts.size() - off)));
        }
        sr_ts_demux_flush(d);
    }
    const sr_ts_demux_stats_t &Stats() const
    {
        return *sr_ts_demux_stats(d);
    }
};

std::vector<uint8_t> Canonical(size_t size, uint8_t seed)
{
    std::vector<uint8_t> v(size);
    for (size_t i = 0; i < size; i++) {
        v[i] = (uint8_t)(1 + (i * 7 + seed) % 251); // never zero: no start codes
    }
    return v;
}

// A length-prefixed H.264 frame of two NAL units, an IDR (5) or non-IDR (1) slice.
std::vector<uint8_t> AvcFrame(size_t size, bool is_idr, uint8_t seed)
{
    std::vector<uint8_t> out;
    std::vector<uint8_t> sei = Canonical(20, seed);
    sei[0] = 0x06;
    std::vector<uint8_t> slice = Canonical(size, seed);
    slice[0] = is_idr ? 0x65 : 0x41;
    for (const std::vector<uint8_t> *nal : {&sei, &slice}) {
        uint8_t len[4];
        sr_put_be32(len, (uint32_t)nal->size());
        out.insert(out.end(), len, len + 4);
        out.insert(out.end(), nal->begin(), nal->end());
    }
    return out;
}

// One MPEG-1 Layer III frame, 128 kbit/s, 44.1 kHz, no padding: 417 bytes.
std::vector<uint8_t> Mp3Frame(uint8_t seed)
{
    std::vector<uint8_t> f = Canonical(417, seed);
    f[0] = 0xff;
    f[1] = 0xfb;
    f[2] = 0x90;
    f[3] = 0x64;
    return f;
}

struct Input {
    std::vector<Frame> video, audio; // what went into the muxer (frames, not configs)
    std::vector<uint8_t> ts;
};

void MuxFrame(sr_ts_muxer_t *m, sr_codec_id_t codec, uint8_t flags, int64_t dts, int64_t pts,
              const std::vector<uint8_t> &body, sr_buf_t *out, Input *in)
{
    sr_packet_t pkt;
    uint8_t *p = sr_packet_init_frame(&pkt, codec, flags, dts, pts, body.size());
    memcpy(p, body.data(), body.size());
    EXPECT_SR_OK(sr_ts_muxer_write(m, &pkt, out));
    Frame f{pkt.type, flags, (uint8_t)codec, dts, pts, body};
    (sr_codec_id_is_video(codec) ? in->video : in->audio).push_back(f);
    sr_packet_deinit(&pkt);
}

void MuxSh(sr_ts_muxer_t *m, sr_packet_type_t type, const uint8_t *flv, size_t size, int64_t dts, sr_buf_t *out)
{
    sr_packet_t pkt;
    sr_packet_init_take(&pkt, type, dts, sr_payload_new_copy(flv, size));
    EXPECT_SR_OK(sr_ts_muxer_write(m, &pkt, out));
    sr_packet_deinit(&pkt);
}

// Our muxer writing into a buffer, with what went in (freed however the test ends).
struct Muxing {
    sr_ts_muxer_t *m = sr_ts_muxer_new();
    sr_buf_t out;
    Input in;
    Muxing()
    {
        sr_buf_init(&out);
        MuxSh(m, SR_PACKET_VIDEO, kAvcHigh320, sizeof(kAvcHigh320), 0, &out);
    }
    ~Muxing()
    {
        sr_buf_deinit(&out);
        sr_ts_muxer_free(m);
    }
    void Frame(sr_codec_id_t codec, uint8_t flags, int64_t dts, const std::vector<uint8_t> &body)
    {
        MuxFrame(m, codec, flags, dts, dts, body, &out, &in);
    }
    std::vector<uint8_t> Ts() const
    {
        return std::vector<uint8_t>(out.data, out.data + out.len);
    }
};

// H.264 + AAC (or MP3): count video frames of 40 ms with a keyframe every 10 and a
// composition offset, audio every 23 ms; sizes from tiny to several TS packets.
Input MuxAv(int count, int64_t start_ms, bool is_mp3, int segment_every = 0)
{
    Input in;
    sr_ts_muxer_t *m = sr_ts_muxer_new();
    sr_buf_t out;
    sr_buf_init(&out);
    MuxSh(m, SR_PACKET_VIDEO, kAvcHigh320, sizeof(kAvcHigh320), start_ms, &out);
    if (!is_mp3) {
        MuxSh(m, SR_PACKET_AUDIO, kAacSh, sizeof(kAacSh), start_ms, &out);
    }
    for (int i = 0; i < count; i++) {
        if (segment_every && i % segment_every == 0) {
            sr_ts_muxer_start_segment(m);
        }
        int64_t dts = start_ms + i * 40;
        size_t size = (size_t)(i % 3 == 0 ? 5000 + i * 13 : 30 + i * 11);
        MuxFrame(m, SR_CODEC_H264, i % 10 == 0 ? SR_PACKET_IS_KEYFRAME : 0, dts, dts + 80,
                 AvcFrame(size, i % 10 == 0, (uint8_t)i), &out, &in);
        int64_t adts = start_ms + i * 23;
        if (is_mp3) {
            MuxFrame(m, SR_CODEC_MP3, 0, adts, adts, Mp3Frame((uint8_t)i), &out, &in);
        } else {
            MuxFrame(m, SR_CODEC_AAC, 0, adts, adts, Canonical(100 + i * 3, (uint8_t)i), &out, &in);
        }
    }
    in.ts.assign(out.data, out.data + out.len);
    sr_buf_deinit(&out);
    sr_ts_muxer_free(m);
    return in;
}

void ExpectSame(const std::vector<Frame> &want, const std::vector<Frame> &got)
{
    ASSERT_EQ(want.size(), got.size());
    for (size_t i = 0; i < want.size(); i++) {
        EXPECT_EQ(want[i].codec, got[i].codec) << i;
        EXPECT_EQ(want[i].flags, got[i].flags) << i;
        EXPECT_EQ(want[i].dts, got[i].dts) << i;
        EXPECT_EQ(want[i].pts, got[i].pts) << i;
        EXPECT_TRUE(want[i].body == got[i].body) << i;
    }
}

void ExpectClean(const sr_ts_demux_stats_t &s)
{
    EXPECT_EQ(0u, s.resyncs);
    EXPECT_EQ(0u, s.cc_errors);
    EXPECT_EQ(0u, s.crc_errors);
    EXPECT_EQ(0u, s.pes_errors);
    EXPECT_EQ(0u, s.dropped);
}

// Index of the n-th (0-based) TS packet on pid in ts, or -1.
long FindPacket(const std::vector<uint8_t> &ts, uint16_t pid, int n, bool want_start = false)
{
    for (size_t off = 0; off + SR_TS_PACKET_BYTES <= ts.size(); off += SR_TS_PACKET_BYTES) {
        uint16_t p = (uint16_t)(((ts[off + 1] & 0x1f) << 8) | ts[off + 2]);
        bool start = (ts[off + 1] & 0x40) != 0;
        if (p == pid && (!want_start || start) && n-- == 0) {
            return (long)off;
        }
    }
    return -1;
}

} // namespace

// ---- round trips through our muxer ----

TEST(TsDemux, RoundTripsOurMuxerInAnyChunking)
{
    Input in = MuxAv(40, 1000, false);
    for (size_t chunk : {(size_t)1, (size_t)7, (size_t)188, (size_t)1316, in.ts.size()}) {
        SCOPED_TRACE(chunk);
        Demux dm;
        dm.Feed(in.ts, chunk);
        ExpectClean(dm.Stats());
        EXPECT_EQ(in.ts.size() / SR_TS_PACKET_BYTES, dm.Stats().packets);
        ExpectSame(in.video, dm.sink.Of(SR_CODEC_H264, false));
        ExpectSame(in.audio, dm.sink.Of(SR_CODEC_AAC, false));
        // configs: the same AVC record and ASC, first on their codec, before the frames
        std::vector<Frame> vc = dm.sink.Of(SR_CODEC_H264, true), ac = dm.sink.Of(SR_CODEC_AAC, true);
        ASSERT_EQ(1u, vc.size());
        ASSERT_EQ(1u, ac.size());
        EXPECT_TRUE(vc[0].body == std::vector<uint8_t>(kAvcHigh320 + 5, kAvcHigh320 + sizeof(kAvcHigh320)));
        EXPECT_EQ(SR_PACKET_IS_SEQUENCE_HEADER | SR_PACKET_IS_KEYFRAME, vc[0].flags);
        EXPECT_EQ(1000, vc[0].dts);
        EXPECT_TRUE(ac[0].body == std::vector<uint8_t>(kAacSh + 2, kAacSh + 4));
        EXPECT_EQ(SR_PACKET_IS_SEQUENCE_HEADER, ac[0].flags);
        EXPECT_EQ(dm.Stats().frames, dm.sink.frames.size());
        EXPECT_EQ(2 + in.video.size() + in.audio.size(), dm.sink.frames.size());
    }
}

TEST(TsDemux, RoundTripsMp3SplitByFrameHeaders)
{
    Input in = MuxAv(12, 0, true);
    Demux dm;
    dm.Feed(in.ts, 1316);
    ExpectClean(dm.Stats());
    ExpectSame(in.audio, dm.sink.Of(SR_CODEC_MP3, false));
    EXPECT_TRUE(dm.sink.Of(SR_CODEC_MP3, true).empty());
}

TEST(TsDemux, TakesPmtVersionChangeWithNewStream)
{
    // video alone first (PMT version 0), then audio appears (PMT version 1)
    Muxing mx;
    for (int i = 0; i < 6; i++) {
        if (i == 3) {
            MuxSh(mx.m, SR_PACKET_AUDIO, kAacSh, sizeof(kAacSh), i * 40, &mx.out);
        }
        mx.Frame(SR_CODEC_H264, i == 0 ? SR_PACKET_IS_KEYFRAME : 0, i * 40, AvcFrame(300, i == 0, 1));
        if (i >= 3) {
            mx.Frame(SR_CODEC_AAC, 0, i * 40 + 5, Canonical(50, 3));
        }
    }
    Demux dm;
    bool has_audio = true, has_video = true;
    sr_ts_demux_tracks(dm.d, &has_audio, &has_video);
    EXPECT_FALSE(has_audio || has_video) << "tracks before any PMT";
    dm.Feed(mx.Ts(), 188);
    sr_ts_demux_tracks(dm.d, &has_audio, &has_video);
    EXPECT_TRUE(has_audio && has_video) << "the tracks of the PMT's second version";
    ExpectClean(dm.Stats());
    ExpectSame(mx.in.video, dm.sink.Of(SR_CODEC_H264, false));
    ExpectSame(mx.in.audio, dm.sink.Of(SR_CODEC_AAC, false));
    EXPECT_EQ(1u, dm.sink.Of(SR_CODEC_H264, true).size()); // the video stream kept its state
}

TEST(TsDemux, UnwrapsPtsAcross33Bits)
{
    Input in = MuxAv(100, kWrapMs - 2000, false); // 4 s of video across the wrap
    Demux dm;
    dm.Feed(in.ts, 1316);
    ExpectClean(dm.Stats());
    std::vector<Frame> v = dm.sink.Of(SR_CODEC_H264, false);
    ExpectSame(in.video, v);
    ExpectSame(in.audio, dm.sink.Of(SR_CODEC_AAC, false));
    ASSERT_EQ(100u, v.size());
    EXPECT_GT(v.back().dts, kWrapMs);
}

// ---- real ffmpeg files ----

namespace
{

void ExpectMonotonic(const std::vector<Frame> &frames, int64_t max_step_ms)
{
    for (size_t i = 1; i < frames.size(); i++) {
        EXPECT_GE(frames[i].dts, frames[i - 1].dts) << i;
        EXPECT_LE(frames[i].dts - frames[i - 1].dts, max_step_ms) << i;
    }
    for (const Frame &f : frames) {
        EXPECT_GE(f.pts, f.dts);
        EXPECT_FALSE(f.body.empty());
    }
}

// ffprobe -show_entries packet: 50 video frames (2 keyframes, dts 1400 ms first) per
// file; audio frame counts as ffprobe's parsers split them.
void CheckAsset(const char *name, uint8_t video, uint8_t audio, size_t audio_frames, int64_t audio_step_ms)
{
    SCOPED_TRACE(name);
    std::vector<uint8_t> ts = ReadAsset(name);
    ASSERT_FALSE(ts.empty());
    Demux dm;
    dm.Feed(ts, 1316);
    ExpectClean(dm.Stats());
    std::vector<Frame> v = dm.sink.Of(video, false), a = dm.sink.Of(audio, false);
    std::vector<Frame> vc = dm.sink.Of(video, true), ac = dm.sink.Of(audio, true);
    ASSERT_EQ(50u, v.size());
    int keys = 0;
    for (const Frame &f : v) {
        keys += (f.flags & SR_PACKET_IS_KEYFRAME) ? 1 : 0;
    }
    EXPECT_EQ(2, keys);
    EXPECT_TRUE(v[0].flags & SR_PACKET_IS_KEYFRAME);
    EXPECT_EQ(1400, v[0].dts); // DTS 126000
    EXPECT_EQ(1480, v[0].pts); // PTS 133200
    ExpectMonotonic(v, 40);
    EXPECT_EQ(audio_frames, a.size());
    ExpectMonotonic(a, audio_step_ms);
    // one config per codec (x264/x265 repeat the same parameter sets at the next IDR)
    ASSERT_EQ(1u, vc.size());
    EXPECT_EQ(audio == SR_CODEC_MP3 ? 0u : 1u, ac.size());
    if (video == SR_CODEC_H264) {
        sr_avc_config_t c;
        ASSERT_SR_OK(sr_avc_parse_config(vc[0].body.data(), vc[0].body.size(), &c));
        EXPECT_EQ(320u, c.info.width);
        EXPECT_EQ(240u, c.info.height);
    } else {
        sr_hevc_config_t c;
        ASSERT_SR_OK(sr_hevc_parse_config(vc[0].body.data(), vc[0].body.size(), &c));
        EXPECT_EQ(320u, c.info.width);
        EXPECT_EQ(240u, c.info.height);
    }
    // the frames are length-prefixed NAL units filling the body exactly
    for (const Frame &f : v) {
        size_t pos = 0;
        while (pos + 4 <= f.body.size()) {
            pos += 4 + sr_get_be32(&f.body[pos]);
        }
        EXPECT_EQ(f.body.size(), pos);
    }
}

} // namespace

TEST(TsDemux, ReadsFfmpegH264Aac)
{
    CheckAsset("ffmpeg_h264_aac.ts", SR_CODEC_H264, SR_CODEC_AAC, 88, 24);
}

TEST(TsDemux, ReadsFfmpegH265Aac)
{
    CheckAsset("ffmpeg_h265_aac.ts", SR_CODEC_H265, SR_CODEC_AAC, 88, 24);
}

TEST(TsDemux, ReadsFfmpegH264Opus)
{
    CheckAsset("ffmpeg_h264_opus.ts", SR_CODEC_H264, SR_CODEC_OPUS, 101, 20);
    std::vector<uint8_t> ts = ReadAsset("ffmpeg_h264_opus.ts");
    Demux dm;
    dm.Feed(ts, 7);
    std::vector<Frame> head = dm.sink.Of(SR_CODEC_OPUS, true);
    ASSERT_EQ(1u, head.size());
    sr_opus_head_t h;
    ASSERT_SR_OK(sr_opus_head_parse(head[0].body.data(), head[0].body.size(), &h));
    EXPECT_EQ(1, h.channels); // the Opus audio descriptor says mono
}

TEST(TsDemux, ReadsFfmpegH264Mp3)
{
    CheckAsset("ffmpeg_h264_mp3.ts", SR_CODEC_H264, SR_CODEC_MP3, 78, 27);
}

// ---- hand-built streams ----

namespace
{

// One TS packet holding a PSI section s (CRC appended here) on pid.
std::vector<uint8_t> SectionPacket(uint16_t pid, std::vector<uint8_t> s, uint8_t cc)
{
    s[1] = (uint8_t)(0xb0 | (((s.size() + 1) >> 8) & 0x0f)); // section_length: after it, with the CRC
    s[2] = (uint8_t)(s.size() + 1);
    uint8_t crc[4];
    sr_put_be32(crc, sr_ts_crc32(s.data(), s.size()));
    s.insert(s.end(), crc, crc + 4);
    std::vector<uint8_t> p(SR_TS_PACKET_BYTES, 0xff);
    p[0] = SR_TS_SYNC_BYTE;
    p[1] = (uint8_t)(0x40 | (pid >> 8));
    p[2] = (uint8_t)pid;
    p[3] = (uint8_t)(0x10 | cc);
    p[4] = 0;
    memcpy(&p[5], s.data(), s.size());
    return p;
}

// A PAT for PMT PID 0x1000 and a PMT (PCR on 0x101) whose ES loop is es_loop.
std::vector<uint8_t> Psi(const std::vector<uint8_t> &es_loop)
{
    std::vector<uint8_t> pat = {0x00, 0, 0, 0x00, 0x01, 0xc1, 0x00, 0x00, 0x00, 0x01, 0xf0, 0x00};
    std::vector<uint8_t> pmt = {0x02, 0, 0, 0x00, 0x01, 0xc1, 0x00, 0x00, 0xe1, 0x01, 0xf0, 0x00};
    pmt.insert(pmt.end(), es_loop.begin(), es_loop.end());
    std::vector<uint8_t> out = SectionPacket(0, pat, 0);
    std::vector<uint8_t> p = SectionPacket(0x1000, pmt, 0);
    out.insert(out.end(), p.begin(), p.end());
    return out;
}

// One private-data stream on 0x101 with the Opus registration descriptor and an Opus
// audio descriptor of channels.
std::vector<uint8_t> OpusPsi(uint8_t channels)
{
    return Psi({0x06, 0xe1, 0x01, 0xf0, 0x0a, 0x05, 0x04, 'O', 'p', 'u', 's', 0x7f, 0x02, 0x80, channels});
}

void AppendPes(std::vector<uint8_t> *ts, uint16_t pid, uint8_t stream_id, int64_t pts_90k,
               const std::vector<uint8_t> &es, uint8_t *cc)
{
    sr_buf_t b;
    sr_buf_init(&b);
    sr_ts_pes_t pes = {pid, stream_id, pts_90k, pts_90k, false, false, false};
    sr_ts_write_pes(&b, &pes, es.data(), es.size(), cc);
    ts->insert(ts->end(), b.data, b.data + b.len);
    sr_buf_deinit(&b);
}

} // namespace

TEST(TsDemux, ParsesOpusControlHeaders)
{
    std::vector<uint8_t> ts = OpusPsi(2);
    // two access units in one PES: 20 ms CELT (TOC 0xf8), the second with a start trim
    std::vector<uint8_t> a = Canonical(300, 1), b = Canonical(40, 2);
    a[0] = b[0] = 0xf8;
    std::vector<uint8_t> es = {0x7f, 0xe0, 0xff, 45}; // au_size 255 + 45
    es.insert(es.end(), a.begin(), a.end());
    es.insert(es.end(), {0x7f, 0xf0, 40, 0x00, 0x10}); // start_trim_flag, start_trim 16
    es.insert(es.end(), b.begin(), b.end());
    uint8_t cc = 0;
    AppendPes(&ts, 0x101, 0xbd, 90000, es, &cc);
    Demux dm;
    dm.Feed(ts, 5);
    ExpectClean(dm.Stats());
    std::vector<Frame> head = dm.sink.Of(SR_CODEC_OPUS, true), f = dm.sink.Of(SR_CODEC_OPUS, false);
    ASSERT_EQ(1u, head.size());
    sr_opus_head_t h;
    ASSERT_SR_OK(sr_opus_head_parse(head[0].body.data(), head[0].body.size(), &h));
    EXPECT_EQ(2, h.channels);
    ASSERT_EQ(2u, f.size());
    EXPECT_TRUE(f[0].body == a);
    EXPECT_TRUE(f[1].body == b);
    EXPECT_EQ(1000, f[0].dts);
    EXPECT_EQ(1020, f[1].dts);
    EXPECT_EQ(SR_PACKET_AUDIO, f[0].type);
}

TEST(TsDemux, RoundTripsOurOpusMuxer)
{
    // H.264 + mono Opus through our muxer: the demuxer finds Opus by its descriptors,
    // gives a mono OpusHead and every packet back with its time
    Muxing mx;
    sr_opus_head_t head;
    ASSERT_SR_OK(sr_opus_head_default(1, &head));
    uint8_t hb[SR_OPUS_HEAD_MIN_BYTES];
    size_t hn = 0;
    ASSERT_SR_OK(sr_opus_head_write(&head, hb, sizeof(hb), &hn));
    Input unused;
    MuxFrame(mx.m, SR_CODEC_OPUS, SR_PACKET_IS_SEQUENCE_HEADER, 0, 0, std::vector<uint8_t>(hb, hb + hn), &mx.out,
             &unused);
    for (int i = 0; i < 25; i++) {
        mx.Frame(SR_CODEC_H264, i % 10 == 0 ? SR_PACKET_IS_KEYFRAME : 0, i * 40,
                 AvcFrame(i % 3 == 0 ? 3000 : 40, i % 10 == 0, (uint8_t)i));
        std::vector<uint8_t> opus = Canonical(i % 4 == 0 ? 400 : 60 + i, (uint8_t)i);
        opus[0] = 0xf8; // 20 ms
        mx.Frame(SR_CODEC_OPUS, 0, i * 20, opus);
    }
    Demux dm;
    dm.Feed(mx.Ts(), 1316);
    ExpectClean(dm.Stats());
    ExpectSame(mx.in.video, dm.sink.Of(SR_CODEC_H264, false));
    ExpectSame(mx.in.audio, dm.sink.Of(SR_CODEC_OPUS, false));
    std::vector<Frame> heads = dm.sink.Of(SR_CODEC_OPUS, true);
    ASSERT_EQ(1u, heads.size());
    sr_opus_head_t got;
    ASSERT_SR_OK(sr_opus_head_parse(heads[0].body.data(), heads[0].body.size(), &got));
    EXPECT_EQ(1, got.channels);
}

TEST(TsDemux, SplitsAdtsFramesWithoutDrift)
{
    // a PMT with AAC on 0x101, then one PES of 50 ADTS frames at 44.1 kHz
    std::vector<uint8_t> ts = Psi({0x0f, 0xe1, 0x01, 0xf0, 0x00});
    sr_aac_config_t c = {};
    ASSERT_SR_OK(sr_aac_parse_config(kAacSh + 2, 2, &c));
    std::vector<uint8_t> es;
    for (int i = 0; i < 50; i++) {
        std::vector<uint8_t> raw = Canonical(20 + i, (uint8_t)i);
        uint8_t h[SR_AAC_ADTS_HEADER_BYTES];
        ASSERT_SR_OK(sr_aac_adts_header(&c, raw.size(), h));
        es.insert(es.end(), h, h + sizeof(h));
        es.insert(es.end(), raw.begin(), raw.end());
    }
    uint8_t cc = 0;
    AppendPes(&ts, 0x101, 0xc0, 900000, es, &cc);
    Demux dm;
    dm.Feed(ts, 1316);
    ExpectClean(dm.Stats());
    std::vector<Frame> f = dm.sink.Of(SR_CODEC_AAC, false);
    ASSERT_EQ(50u, f.size());
    for (int i = 0; i < 50; i++) {
        EXPECT_EQ(10000 + i * 1024 * 1000 / 44100, f[i].dts) << i; // exact, not 23 ms steps
    }
}

// ---- broken input ----

TEST(TsDemux, ResyncsOverGarbageBetweenPackets)
{
    Input in = MuxAv(20, 0, false);
    std::vector<uint8_t> ts;
    const uint8_t junk[] = {0x00, 0x12, 0x47, 0x99, 0x47};
    int inserted = 0;
    for (size_t off = 0; off < in.ts.size(); off += SR_TS_PACKET_BYTES) {
        ts.insert(ts.end(), in.ts.begin() + off, in.ts.begin() + off + SR_TS_PACKET_BYTES);
        if ((off / SR_TS_PACKET_BYTES) % 17 == 5) {
            ts.insert(ts.end(), junk, junk + 1 + inserted % 5);
            inserted++;
        }
    }
    Demux dm;
    dm.Feed(ts, ts.size());
    EXPECT_EQ((uint64_t)inserted, dm.Stats().resyncs);
    EXPECT_EQ(0u, dm.Stats().cc_errors);
    ExpectSame(in.video, dm.sink.Of(SR_CODEC_H264, false));
    ExpectSame(in.audio, dm.sink.Of(SR_CODEC_AAC, false));
}

TEST(TsDemux, SurvivesTruncatedPackets)
{
    Input in = MuxAv(20, 0, false);
    std::vector<uint8_t> ts = in.ts;
    long at = FindPacket(ts, SR_TS_PID_VIDEO, 3, true) + 2 * SR_TS_PACKET_BYTES; // inside frame 3 (5039 bytes)
    ASSERT_EQ(SR_TS_PID_VIDEO, ((ts[at + 1] & 0x1f) << 8) | ts[at + 2]);
    ts.erase(ts.begin() + at + 50, ts.begin() + at + 150); // cut a video packet short
    ts.resize(ts.size() - 77);                             // and the last one
    for (size_t chunk : {(size_t)1, (size_t)1316}) {
        Demux dm;
        dm.Feed(ts, chunk);
        // fed byte by byte, the demuxer cannot look ahead for the next sync bytes and
        // may lock on a 0x47 in a payload first, then lose it again
        EXPECT_EQ(1u, chunk == 1 ? std::min<uint64_t>(1, dm.Stats().resyncs) : dm.Stats().resyncs);
        EXPECT_EQ(1u, dm.Stats().cc_errors); // the packet after the cut one is lost
        EXPECT_EQ(1u, dm.Stats().dropped);
        std::vector<Frame> v = dm.sink.Of(SR_CODEC_H264, false);
        ASSERT_EQ(in.video.size() - 1, v.size()); // frame 3; the last one's tail is only cut
        EXPECT_EQ(in.video[4].dts, v[3].dts);
    }
}

TEST(TsDemux, DropsThePesAContinuityGapBroke)
{
    Input in = MuxAv(20, 0, false);
    std::vector<uint8_t> ts = in.ts;
    long at = FindPacket(ts, SR_TS_PID_VIDEO, 3, true) + 2 * SR_TS_PACKET_BYTES; // inside frame 3
    ASSERT_EQ(SR_TS_PID_VIDEO, ((ts[at + 1] & 0x1f) << 8) | ts[at + 2]);
    ASSERT_EQ(0, ts[at + 1] & 0x40);
    ts[at + 3] = (uint8_t)((ts[at + 3] & 0xf0) | ((ts[at + 3] + 5) & 0x0f));
    Demux dm;
    dm.Feed(ts, 188);
    EXPECT_EQ(2u, dm.Stats().cc_errors); // the jump there and back
    EXPECT_EQ(1u, dm.Stats().dropped);
    std::vector<Frame> v = dm.sink.Of(SR_CODEC_H264, false);
    std::vector<Frame> want = in.video;
    want.erase(want.begin() + 3);
    ExpectSame(want, v);
}

TEST(TsDemux, HonoursDiscontinuityIndicator)
{
    Input in = MuxAv(5, 0, false);
    std::vector<uint8_t> ts = in.ts;
    long at = FindPacket(ts, SR_TS_PID_VIDEO, 1, true); // second frame: has an adaptation field (PCR)
    ASSERT_GE(at, 0);
    ASSERT_TRUE(ts[at + 3] & 0x20);
    ts[at + 5] |= 0x80; // discontinuity_indicator
    for (size_t off = at; off < ts.size(); off += SR_TS_PACKET_BYTES) {
        if ((((ts[off + 1] & 0x1f) << 8) | ts[off + 2]) == SR_TS_PID_VIDEO) {
            ts[off + 3] = (uint8_t)((ts[off + 3] & 0xf0) | ((ts[off + 3] + 9) & 0x0f));
        }
    }
    Demux dm;
    dm.Feed(ts, 1316);
    ExpectClean(dm.Stats());
    ExpectSame(in.video, dm.sink.Of(SR_CODEC_H264, false));
}

TEST(TsDemux, IgnoresSectionsWithBadCrc)
{
    Input in = MuxAv(10, 0, false, 5); // PAT+PMT again every 5 frames
    std::vector<uint8_t> ts = in.ts;
    long pmt = FindPacket(ts, SR_TS_PID_PMT, 0);
    ASSERT_GE(pmt, 0);
    ts[pmt + 20] ^= 0x01; // the first PMT's CRC no longer matches
    Demux dm;
    dm.Feed(ts, 1316);
    EXPECT_EQ(1u, dm.Stats().crc_errors);
    // the first PMT is ignored, so nothing comes before the second one (frame 5): the
    // audio from there on; video 5..9 are dropped, waiting for parameter sets that
    // only the next IDR (frame 10, not muxed) would bring
    EXPECT_TRUE(dm.sink.Of(SR_CODEC_H264, false).empty());
    EXPECT_EQ(5u, dm.sink.Of(SR_CODEC_AAC, false).size());
    EXPECT_EQ(5u, dm.Stats().dropped);
}

TEST(TsDemux, DeliversNothingWithoutPmt)
{
    Input in = MuxAv(10, 0, false);
    std::vector<uint8_t> ts;
    for (size_t off = 0; off < in.ts.size(); off += SR_TS_PACKET_BYTES) {
        if ((((in.ts[off + 1] & 0x1f) << 8) | in.ts[off + 2]) != SR_TS_PID_PMT) {
            ts.insert(ts.end(), in.ts.begin() + off, in.ts.begin() + off + SR_TS_PACKET_BYTES);
        }
    }
    Demux dm;
    dm.Feed(ts, 7);
    EXPECT_TRUE(dm.sink.frames.empty());
    EXPECT_EQ(ts.size() / SR_TS_PACKET_BYTES, dm.Stats().packets);
}

TEST(TsDemux, IgnoresNullPacketsAndUnknownPids)
{
    Input in = MuxAv(10, 0, false);
    std::vector<uint8_t> ts;
    for (size_t off = 0; off < in.ts.size(); off += SR_TS_PACKET_BYTES) {
        ts.insert(ts.end(), in.ts.begin() + off, in.ts.begin() + off + SR_TS_PACKET_BYTES);
        std::vector<uint8_t> extra(SR_TS_PACKET_BYTES, 0x00);
        extra[0] = SR_TS_SYNC_BYTE;
        extra[1] = (off / SR_TS_PACKET_BYTES) % 2 ? 0x1f : 0x42; // null PID, or PID 0x200 with PUSI
        extra[2] = (off / SR_TS_PACKET_BYTES) % 2 ? 0xff : 0x00;
        extra[3] = 0x10 | (uint8_t)(off % 7);
        ts.insert(ts.end(), extra.begin(), extra.end());
    }
    Demux dm;
    dm.Feed(ts, 1316);
    ExpectClean(dm.Stats());
    ExpectSame(in.video, dm.sink.Of(SR_CODEC_H264, false));
    ExpectSame(in.audio, dm.sink.Of(SR_CODEC_AAC, false));
}

TEST(TsDemux, CountsPesLengthLies)
{
    Input in = MuxAv(6, 0, false);
    // audio PES are bounded: claim 40 bytes more on the first, 40 fewer on the second
    long first = FindPacket(in.ts, SR_TS_PID_AUDIO, 0, true), second = FindPacket(in.ts, SR_TS_PID_AUDIO, 1, true);
    ASSERT_GE(second, 0);
    std::vector<uint8_t> ts = in.ts;
    for (long at : {first, second}) {
        size_t pos = at + 4 + ((ts[at + 3] & 0x20) ? 1 + ts[at + 4] : 0);
        ASSERT_EQ(0xc0, ts[pos + 3]);
        uint16_t len = sr_get_be16(&ts[pos + 4]);
        sr_put_be16(&ts[pos + 4], (uint16_t)(at == first ? len + 40 : len - 40));
    }
    Demux dm;
    dm.Feed(ts, 1316);
    // the first ends short at the next start (dropped); the second brings more than it
    // declares (counted), and what it declares cuts its ADTS frame (counted, dropped)
    EXPECT_EQ(3u, dm.Stats().pes_errors);
    EXPECT_EQ(2u, dm.Stats().dropped);
    ExpectSame(std::vector<Frame>(in.audio.begin() + 2, in.audio.end()), dm.sink.Of(SR_CODEC_AAC, false));
    ExpectSame(in.video, dm.sink.Of(SR_CODEC_H264, false));
}

TEST(TsDemux, CapsOversizedPes)
{
    Input in = MuxAv(3, 0, false);
    std::vector<uint8_t> ts = in.ts;
    std::vector<uint8_t> huge(SR_TS_DEMUX_MAX_PES_BYTES + 1000, 0x11);
    huge[0] = huge[1] = huge[2] = 0;
    huge[3] = 1;
    huge[4] = 0x41;
    uint8_t cc = 0;
    long last = FindPacket(ts, SR_TS_PID_VIDEO, 0);
    for (size_t off = 0; off < ts.size(); off += SR_TS_PACKET_BYTES) {
        if ((((ts[off + 1] & 0x1f) << 8) | ts[off + 2]) == SR_TS_PID_VIDEO) {
            last = (long)off;
        }
    }
    cc = (uint8_t)((ts[last + 3] + 1) & 0x0f);
    AppendPes(&ts, SR_TS_PID_VIDEO, 0xe0, 90 * 500, huge, &cc);
    std::vector<uint8_t> small = {0, 0, 0, 1, 0x41, 0x22, 0x33};
    AppendPes(&ts, SR_TS_PID_VIDEO, 0xe0, 90 * 540, small, &cc);
    Demux dm;
    dm.Feed(ts, 1 << 20);
    EXPECT_EQ(1u, dm.Stats().pes_errors);
    EXPECT_EQ(1u, dm.Stats().dropped);
    std::vector<Frame> v = dm.sink.Of(SR_CODEC_H264, false);
    ASSERT_EQ(4u, v.size());
    EXPECT_EQ(540, v.back().dts);
}

TEST(TsDemux, DropsVideoBeforeItsConfig)
{
    Input in = MuxAv(12, 0, false);
    std::vector<uint8_t> ts = in.ts;
    // join after the first keyframe: PAT and PMT, then from the second video PES on
    long pat = FindPacket(ts, SR_TS_PID_PAT, 0), v1 = FindPacket(ts, SR_TS_PID_VIDEO, 1, true);
    std::vector<uint8_t> cut(ts.begin() + pat, ts.begin() + pat + 2 * SR_TS_PACKET_BYTES);
    cut.insert(cut.end(), ts.begin() + v1, ts.end());
    Demux dm;
    dm.Feed(cut, 1316);
    EXPECT_EQ(9u, dm.Stats().dropped); // frames 1..9; 10 is an IDR with its SPS/PPS
    std::vector<Frame> v = dm.sink.Of(SR_CODEC_H264, false);
    ExpectSame(std::vector<Frame>(in.video.begin() + 10, in.video.end()), v);
    ASSERT_FALSE(dm.sink.frames.empty());
}

TEST(TsDemux, FreesPendingStateWithoutFlush)
{
    Input in = MuxAv(4, 0, false);
    Sink sink;
    sr_ts_demuxer_t *d = sr_ts_demux_new(Sink::OnFrame, &sink);
    EXPECT_SR_OK(sr_ts_demux_feed(d, in.ts.data(), in.ts.size() - 100));
    sr_ts_demux_free(d);
    sr_ts_demux_free(NULL);
    EXPECT_FALSE(sink.frames.empty());
}
