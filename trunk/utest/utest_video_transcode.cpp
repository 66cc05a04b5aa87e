// SPDX-License-Identifier: MIT
// utest_video_transcode.cpp: the H.264 re-encoder that takes B-frames out for WebRTC
// (kernel/sr_video_transcode). Input: ffmpeg_h264_aac.ts (libx264 defaults, so
// B-frames: pts != dts), in decode order as the TS demuxer gives it. Output: frames
// with timestamps that never go back, no B-slices (checked by decoding the output
// with libavcodec and looking at every picture's type), the first one a keyframe with
// a record our parser reads. And the bridge that runs it on the worker pool
// (app/stream/sr_video_bridge): packets in, packets out, config first.
#include <string.h>

#include <vector>

extern "C" {
#include <libavcodec/avcodec.h>
}

#include "sr_codec.h"
#include "sr_packet.h"
#include "sr_ts_demux.h"
#include "sr_utest.h"
#include "sr_utest_asset.h"
#include "sr_utest_st.h"
#include "sr_video_bridge.h"
#include "sr_video_transcode.h"
#include "sr_work.h"

namespace
{

struct InFrame {
    std::vector<uint8_t> data;
    int64_t dts, pts;
    bool is_key;
};

struct InStream {
    std::vector<uint8_t> record;
    std::vector<InFrame> frames;

    static void On(void *arg, sr_packet_t *pkt)
    {
        InStream *m = (InStream *)arg;
        size_t n;
        const uint8_t *b = sr_packet_body(pkt, &n);
        if (pkt->codec == SR_CODEC_H264) {
            if (pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER) {
                m->record.assign(b, b + n);
            } else {
                m->frames.push_back(
                    {std::vector<uint8_t>(b, b + n), pkt->dts, pkt->pts, (pkt->flags & SR_PACKET_IS_KEYFRAME) != 0});
            }
        }
        sr_packet_deinit(pkt);
    }
};

InStream LoadStream()
{
    InStream m;
    std::vector<uint8_t> ts = ReadAsset("ffmpeg_h264_aac.ts");
    sr_ts_demuxer_t *d = sr_ts_demux_new(InStream::On, &m);
    sr_ts_demux_feed(d, ts.data(), ts.size());
    sr_ts_demux_flush(d);
    sr_ts_demux_free(d);
    return m;
}

struct OutFrame {
    std::vector<uint8_t> data;
    int64_t ts;
    bool is_key;
};

// Picture types of the output, decoded again by libavcodec from the record.
std::vector<int> DecodeTypes(const std::vector<uint8_t> &record, const std::vector<OutFrame> &frames)
{
    std::vector<int> types;
    const AVCodec *codec = avcodec_find_decoder(AV_CODEC_ID_H264);
    AVCodecContext *c = avcodec_alloc_context3(codec);
    c->extradata = (uint8_t *)av_mallocz(record.size() + AV_INPUT_BUFFER_PADDING_SIZE);
    memcpy(c->extradata, record.data(), record.size());
    c->extradata_size = (int)record.size();
    c->thread_count = 1;
    EXPECT_EQ(0, avcodec_open2(c, codec, NULL));
    AVPacket *p = av_packet_alloc();
    AVFrame *f = av_frame_alloc();
    for (const OutFrame &o : frames) {
        av_new_packet(p, (int)o.data.size());
        memcpy(p->data, o.data.data(), o.data.size());
        p->pts = p->dts = o.ts;
        EXPECT_EQ(0, avcodec_send_packet(c, p));
        av_packet_unref(p);
        while (avcodec_receive_frame(c, f) == 0) {
            types.push_back(f->pict_type);
            av_frame_unref(f);
        }
    }
    av_frame_free(&f);
    av_packet_free(&p);
    avcodec_free_context(&c);
    return types;
}

} // namespace

TEST(VideoTranscode, TakesBFramesOutWithGrowingTimestamps)
{
    InStream in = LoadStream();
    ASSERT_FALSE(in.record.empty());
    ASSERT_EQ(50u, in.frames.size());
    bool has_reorder = false;
    for (const InFrame &f : in.frames) {
        has_reorder |= f.pts != f.dts;
    }
    ASSERT_TRUE(has_reorder) << "the asset should have B-frames";

    sr_video_transcoder_t *t = NULL;
    ASSERT_EQ(SR_OK, sr_video_transcoder_new(in.record.data(), in.record.size(), 0, &t));
    std::vector<OutFrame> out;
    for (const InFrame &f : in.frames) {
        EXPECT_EQ(SR_OK, sr_video_transcoder_feed(t, f.data.data(), f.data.size(), f.dts, f.pts, f.is_key))
            << sr_video_transcoder_error(t);
        sr_video_transcode_frame_t o;
        while (sr_video_transcoder_take(t, &o)) {
            out.push_back({std::vector<uint8_t>(o.data, o.data + o.size), o.ts_ms, o.is_key});
        }
    }
    // Debian's libavcodec is built with libx264: the encoder we ask for first
    EXPECT_STREQ(avcodec_find_encoder_by_name("libx264") ? "libx264" : "libopenh264", sr_video_transcoder_encoder(t));
    // the decoder holds the pictures it may still reorder: all but a few come out
    ASSERT_GE(out.size(), in.frames.size() - 4);
    EXPECT_TRUE(out[0].is_key);
    size_t keys = 0;
    for (size_t i = 0; i < out.size(); i++) {
        keys += out[i].is_key;
        if (i > 0) {
            EXPECT_GT(out[i].ts, out[i - 1].ts) << "frame " << i;
        }
    }
    EXPECT_EQ(2u, keys); // the input's two keyframes, no more
    // every output timestamp is an input pts (no retiming)
    for (const OutFrame &o : out) {
        bool found = false;
        for (const InFrame &f : in.frames) {
            found |= f.pts == o.ts;
        }
        EXPECT_TRUE(found) << o.ts;
    }

    const uint8_t *rec;
    size_t rec_size;
    EXPECT_EQ(1u, sr_video_transcoder_config(t, &rec, &rec_size));
    sr_avc_config_t cfg;
    ASSERT_EQ(SR_OK, sr_avc_parse_config(rec, rec_size, &cfg));
    std::vector<int> types = DecodeTypes(std::vector<uint8_t>(rec, rec + rec_size), out);
    EXPECT_EQ(out.size(), types.size());
    for (int ty : types) {
        EXPECT_NE(AV_PICTURE_TYPE_B, ty);
    }
    sr_video_transcode_stats_t st;
    sr_video_transcoder_stats(t, &st);
    EXPECT_EQ(320, st.width);
    EXPECT_EQ(0u, st.frames_refused);
    sr_video_transcoder_free(t);
}

TEST(VideoTranscode, RequestedKeyframeAndBrokenFrames)
{
    InStream in = LoadStream();
    sr_video_transcoder_t *t = NULL;
    ASSERT_EQ(SR_OK, sr_video_transcoder_new(in.record.data(), in.record.size(), 300000, &t));
    size_t keys = 0, taken = 0;
    for (size_t i = 0; i < 20; i++) {
        const InFrame &f = in.frames[i];
        if (i == 10) {
            sr_video_transcoder_request_key(t);
        }
        if (i == 12) {
            // garbage with a length prefix that overruns: refused or decoded badly, never a crash
            std::vector<uint8_t> junk(64, 0xa5);
            junk[0] = 0, junk[1] = 0, junk[2] = 0x10, junk[3] = 0;
            sr_video_transcoder_feed(t, junk.data(), junk.size(), f.dts, f.pts, false);
        }
        sr_video_transcoder_feed(t, f.data.data(), f.data.size(), f.dts, f.pts, f.is_key);
        sr_video_transcode_frame_t o;
        while (sr_video_transcoder_take(t, &o)) {
            keys += o.is_key;
            taken++;
        }
    }
    EXPECT_GE(taken, 10u);
    EXPECT_EQ(2u, keys); // the first and the requested one
    EXPECT_EQ(-SR_EINVAL, sr_video_transcoder_feed(t, NULL, 0, 0, 0, false));
    sr_video_transcoder_free(t);

    EXPECT_EQ(-SR_EINVAL, sr_video_transcoder_new(NULL, 0, 0, &t));
    uint8_t bad[] = {1, 2};
    int rc = sr_video_transcoder_new(bad, sizeof(bad), 0, &t);
    if (rc == SR_OK) {
        sr_video_transcoder_free(t); // libavcodec may accept a record it cannot use yet
    }
}

class VideoBridge : public SrUtestSt
{
  protected:
    void TearDown() override
    {
        sr_work_shutdown(); // no poller coroutine outlives the test
        SrUtestSt::TearDown();
    }
};

static int FeedVideo(sr_video_bridge_t *b, const std::vector<uint8_t> &body, uint8_t flags, int64_t dts, int64_t pts)
{
    sr_packet_t pkt;
    memcpy(sr_packet_init_frame(&pkt, SR_CODEC_H264, flags, dts, pts, body.size()), body.data(), body.size());
    pkt.type = SR_PACKET_VIDEO;
    int rc = sr_video_bridge_feed(b, &pkt);
    sr_packet_deinit(&pkt);
    return rc;
}

TEST_F(VideoBridge, PacketsComeOutConfigFirstWithoutReorder)
{
    InStream in = LoadStream();
    sr_video_bridge_t *b = sr_video_bridge_new(0);
    uint64_t jobs_before = sr_work_done_count();
    ASSERT_SR_OK(FeedVideo(b, in.record, SR_PACKET_IS_SEQUENCE_HEADER, 0, 0));
    ASSERT_SR_OK(FeedVideo(b, in.record, SR_PACKET_IS_SEQUENCE_HEADER, 0, 0)); // a repeat: no new job
    std::vector<sr_packet_t> out;
    for (const InFrame &f : in.frames) {
        ASSERT_SR_OK(FeedVideo(b, f.data, f.is_key ? SR_PACKET_IS_KEYFRAME : 0, f.dts, f.pts));
        sr_packet_t p;
        while (sr_video_bridge_take(b, &p)) {
            out.push_back(p);
        }
    }
    EXPECT_EQ(jobs_before + 1 + in.frames.size(), sr_work_done_count());
    ASSERT_GT(out.size(), 40u);
    EXPECT_TRUE(out[0].flags & SR_PACKET_IS_SEQUENCE_HEADER);
    EXPECT_TRUE(out[1].flags & SR_PACKET_IS_KEYFRAME);
    for (size_t i = 1; i < out.size(); i++) {
        EXPECT_EQ(SR_PACKET_VIDEO, out[i].type);
        EXPECT_EQ(out[i].pts, out[i].dts);
        if (i > 1) {
            EXPECT_GT(out[i].dts, out[i - 1].dts);
        }
    }
    sr_video_bridge_stats_t st;
    sr_video_bridge_stats(b, &st);
    EXPECT_EQ(in.frames.size(), st.frames_in);
    EXPECT_EQ(out.size() - 1, st.frames_out);
    EXPECT_EQ(0u, st.dropped_busy + st.refused);
    for (sr_packet_t &p : out) {
        sr_packet_deinit(&p);
    }
    sr_video_bridge_free(b);
}

TEST_F(VideoBridge, BrokenFrameIsRefusedAndTheNextGoOn)
{
    InStream in = LoadStream();
    sr_video_bridge_t *b = sr_video_bridge_new(0);
    ASSERT_SR_OK(FeedVideo(b, in.record, SR_PACKET_IS_SEQUENCE_HEADER, 0, 0));
    std::vector<uint8_t> junk(200, 0xff); // a NAL length far past the end
    size_t taken = 0;
    for (size_t i = 0; i < 20; i++) {
        const InFrame &f = in.frames[i];
        if (i == 5) {
            int rc = FeedVideo(b, junk, 0, f.dts, f.pts);
            EXPECT_TRUE(rc == SR_OK || rc == -SR_EFORMAT) << rc;
            sr_err_clear();
        }
        ASSERT_SR_OK(FeedVideo(b, f.data, f.is_key ? SR_PACKET_IS_KEYFRAME : 0, f.dts, f.pts));
        sr_packet_t p;
        while (sr_video_bridge_take(b, &p)) {
            taken++;
            sr_packet_deinit(&p);
        }
    }
    EXPECT_GE(taken, 15u); // the config and most frames: the junk did not stop the stream
    // a frame before any config is ignored; a frame larger than the bound is refused
    sr_video_bridge_t *fresh = sr_video_bridge_new(0);
    EXPECT_SR_OK(FeedVideo(fresh, in.frames[0].data, SR_PACKET_IS_KEYFRAME, 0, 0));
    sr_packet_t p;
    EXPECT_FALSE(sr_video_bridge_take(fresh, &p));
    sr_video_bridge_free(fresh);
    sr_video_bridge_free(b);
}
