// SPDX-License-Identifier: MIT
// utest_audio_transcode.cpp: the AAC <-> Opus transcoder (kernel/sr_audio_transcode)
// and its coroutine-side bridge (app/stream/sr_audio_bridge). The input is a 1 kHz
// sine encoded in the test by libavcodec's own encoders (native AAC, libopus), so the
// rates and channel counts vary freely; the output is checked as bytes (Opus TOC, 20 ms
// each; the AudioSpecificConfig and OpusHead through our parsers), as a timeline (pts
// continuous, count matching the duration) and as sound: decoded again by libavcodec,
// the sine's frequency still dominates (zero crossings).
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <string>
#include <vector>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
}

#include "sr_audio_bridge.h"
#include "sr_audio_transcode.h"
#include "sr_codec.h"
#include "sr_codec_config.h"
#include "sr_packet.h"
#include "sr_utest.h"
#include "sr_utest_st.h"
#include "sr_work.h"

namespace
{

typedef std::vector<uint8_t> Bytes;

struct Frame {
    Bytes data;
    int64_t pts_ms;
};

struct Stream {
    Bytes config; // libav's extradata: AudioSpecificConfig or OpusHead
    std::vector<Frame> frames;
    int rate = 0;
    int frame_samples = 0;
};

const double kToneHz = 1000;

// A kToneHz sine of `seconds`, encoded by libavcodec's `encoder` at rate/channels; pts in
// ms from start_ms, rounded from the sample count as an RTMP publisher does.
Stream EncodeSine(const char *encoder, int rate, int channels, double seconds, int64_t start_ms = 0)
{
    Stream s;
    av_log_set_level(AV_LOG_ERROR); // the test's own encoders: no statistics on stderr
    const AVCodec *codec = avcodec_find_encoder_by_name(encoder);
    EXPECT_TRUE(codec != NULL) << encoder;
    if (!codec) {
        return s;
    }
    AVCodecContext *c = avcodec_alloc_context3(codec);
    c->sample_rate = rate;
    c->sample_fmt = codec->sample_fmts[0];
    c->bit_rate = 64000 * channels;
    c->time_base = AVRational{1, rate};
    av_channel_layout_default(&c->ch_layout, channels);
    EXPECT_EQ(0, avcodec_open2(c, codec, NULL));
    s.rate = rate;
    s.frame_samples = c->frame_size;
    s.config.assign(c->extradata, c->extradata + c->extradata_size);
    AVFrame *f = av_frame_alloc();
    f->format = c->sample_fmt;
    f->nb_samples = c->frame_size;
    f->sample_rate = rate;
    av_channel_layout_copy(&f->ch_layout, &c->ch_layout);
    EXPECT_EQ(0, av_frame_get_buffer(f, 0));
    AVPacket *p = av_packet_alloc();
    int64_t total = (int64_t)(seconds * rate), index = 0;
    bool is_planar = av_sample_fmt_is_planar(c->sample_fmt);
    for (bool is_flushing = false;;) {
        int rc;
        if (index < total) {
            EXPECT_EQ(0, av_frame_make_writable(f));
            for (int i = 0; i < f->nb_samples; i++) {
                float v = 0.5f * (float)sin(2 * M_PI * kToneHz * (double)(index + i) / rate);
                for (int ch = 0; ch < channels; ch++) {
                    if (c->sample_fmt == AV_SAMPLE_FMT_FLTP) {
                        ((float *)f->data[ch])[i] = v;
                    } else if (c->sample_fmt == AV_SAMPLE_FMT_S16) {
                        ((int16_t *)f->data[0])[i * channels + ch] = (int16_t)(v * 32767);
                    } else {
                        ((float *)f->data[is_planar ? ch : 0])[is_planar ? i : i * channels + ch] = v;
                    }
                }
            }
            f->pts = index;
            index += f->nb_samples;
            rc = avcodec_send_frame(c, f);
        } else if (!is_flushing) {
            is_flushing = true;
            rc = avcodec_send_frame(c, NULL);
        } else {
            break;
        }
        EXPECT_EQ(0, rc);
        while (avcodec_receive_packet(c, p) == 0) {
            // the first packet is dated before 0 by the priming: the stream starts there
            int64_t at = (int64_t)s.frames.size() * c->frame_size;
            s.frames.push_back(Frame{Bytes(p->data, p->data + p->size), start_ms + at * 1000 / rate});
            av_packet_unref(p);
        }
    }
    av_packet_free(&p);
    av_frame_free(&f);
    avcodec_free_context(&c);
    return s;
}

// Decode frames of codec `id` (with its config) with libavcodec: channel 0 as floats.
std::vector<float> Decode(AVCodecID id, const Bytes &config, const std::vector<Bytes> &frames, int *rate, int *channels)
{
    std::vector<float> out;
    const AVCodec *codec = avcodec_find_decoder(id);
    AVCodecContext *c = avcodec_alloc_context3(codec);
    c->extradata = (uint8_t *)av_mallocz(config.size() + AV_INPUT_BUFFER_PADDING_SIZE);
    memcpy(c->extradata, config.data(), config.size());
    c->extradata_size = (int)config.size();
    EXPECT_EQ(0, avcodec_open2(c, codec, NULL));
    AVPacket *p = av_packet_alloc();
    AVFrame *f = av_frame_alloc();
    for (const Bytes &b : frames) {
        EXPECT_EQ(0, av_new_packet(p, (int)b.size()));
        memcpy(p->data, b.data(), b.size());
        EXPECT_EQ(0, avcodec_send_packet(c, p));
        av_packet_unref(p);
        while (avcodec_receive_frame(c, f) == 0) {
            EXPECT_EQ(AV_SAMPLE_FMT_FLTP, f->format);
            const float *ch0 = (const float *)f->data[0];
            out.insert(out.end(), ch0, ch0 + f->nb_samples);
            *rate = f->sample_rate;
            *channels = f->ch_layout.nb_channels;
            av_frame_unref(f);
        }
    }
    av_frame_free(&f);
    av_packet_free(&p);
    avcodec_free_context(&c);
    return out;
}

// The dominant frequency of a sine from its zero crossings, after the codec's start-up.
double ToneHz(const std::vector<float> &pcm, int rate)
{
    size_t from = (size_t)rate / 10, crossings = 0;
    if (pcm.size() <= from + 1) {
        return 0;
    }
    for (size_t i = from + 1; i < pcm.size(); i++) {
        crossings += (pcm[i - 1] < 0) != (pcm[i] < 0);
    }
    return (double)crossings / 2 / ((double)(pcm.size() - from) / rate);
}

// Samples in one Opus packet (RFC 6716 3.1, 3.2), 0 if the TOC/frame count is invalid.
int OpusPacketSamples(const Bytes &p)
{
    static const int kFrameSamples[32] = {480,  960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920,
                                          2880, 480, 960,  480,  960, 120, 240,  480,  960, 120, 240,
                                          480,  960, 120,  240,  480, 960, 120,  240,  480, 960};
    if (p.empty()) {
        return 0;
    }
    int frames = 1;
    switch (p[0] & 3) {
    case 1:
    case 2:
        frames = 2;
        break;
    case 3:
        frames = p.size() >= 2 ? p[1] & 0x3f : 0;
        break;
    }
    int n = frames * kFrameSamples[p[0] >> 3];
    return n > 5760 ? 0 : n; // at most 120 ms
}

struct Output {
    Bytes config;
    std::vector<Frame> frames;
    int fed_errors = 0;
};

void TakeAll(sr_audio_transcoder_t *t, Output *out)
{
    uint8_t buf[SR_AUDIO_TRANSCODE_FRAME_MAX_BYTES];
    size_t len;
    int64_t pts;
    while (sr_audio_transcoder_take(t, buf, sizeof(buf), &len, &pts)) {
        out->frames.push_back(Frame{Bytes(buf, buf + len), pts});
    }
}

// Feed every frame of in (or those pick() keeps) and collect the output.
template <typename Pick> Output Transcode(sr_audio_transcoder_t *t, const std::vector<Frame> &in, Pick pick)
{
    Output out;
    const uint8_t *cfg;
    size_t cfg_size;
    EXPECT_SR_OK(sr_audio_transcoder_config(t, &cfg, &cfg_size));
    out.config.assign(cfg, cfg + cfg_size);
    for (size_t i = 0; i < in.size(); i++) {
        Frame f = in[i];
        if (!pick(i, &f)) {
            continue;
        }
        int rc = sr_audio_transcoder_feed(t, f.data.data(), f.data.size(), f.pts_ms);
        if (rc != SR_OK) {
            out.fed_errors++;
        }
        TakeAll(t, &out);
    }
    return out;
}

Output Transcode(sr_audio_transcoder_t *t, const std::vector<Frame> &in)
{
    return Transcode(t, in, [](size_t, Frame *) { return true; });
}

std::vector<Bytes> Payloads(const std::vector<Frame> &frames)
{
    std::vector<Bytes> out;
    for (const Frame &f : frames) {
        out.push_back(f.data);
    }
    return out;
}

// Every output pts is first + samples before it, in ms (rounded), frame_samples each.
void ExpectContinuous(const std::vector<Frame> &frames, int64_t first, int frame_samples, int rate)
{
    for (size_t i = 0; i < frames.size(); i++) {
        int64_t want = first + ((int64_t)i * frame_samples * 1000 + rate / 2) / rate;
        ASSERT_NEAR(want, frames[i].pts_ms, 1) << "frame " << i;
    }
}

struct TranscoderPtr {
    sr_audio_transcoder_t *t = nullptr;
    ~TranscoderPtr()
    {
        sr_audio_transcoder_free(t);
    }
};

// The output of in_samples (at 48 kHz) from start: whole output frames, less the one the
// encoder may still hold; pts continuous; decoded by libavcodec, the tone at 48 kHz.
void ExpectTranscoded(const Output &out, double in_samples, int64_t start, int channels)
{
    bool is_opus = out.config.size() >= 8 && memcmp(out.config.data(), "OpusHead", 8) == 0;
    int frame_samples = is_opus ? 960 : 1024;
    double whole = floor(in_samples / frame_samples);
    EXPECT_LE((double)out.frames.size(), whole);
    EXPECT_GE((double)out.frames.size(), whole - 1);
    ExpectContinuous(out.frames, start, frame_samples, 48000);
    int rate = 0, out_channels = 0;
    std::vector<float> pcm =
        Decode(is_opus ? AV_CODEC_ID_OPUS : AV_CODEC_ID_AAC, out.config, Payloads(out.frames), &rate, &out_channels);
    EXPECT_EQ(48000, rate);
    EXPECT_EQ(channels, out_channels);
    EXPECT_NEAR(kToneHz, ToneHz(pcm, rate), 10);
}

// AAC at rate/channels -> Opus: TOC and duration of every packet, count, pts, tone.
void CheckAacToOpus(int rate, int channels)
{
    const double seconds = 2;
    const int64_t start = 5000;
    Stream aac = EncodeSine("aac", rate, channels, seconds, start);
    ASSERT_FALSE(aac.frames.empty());
    TranscoderPtr p;
    ASSERT_SR_OK(sr_audio_transcoder_new(SR_CODEC_AAC, aac.config.data(), aac.config.size(), SR_CODEC_OPUS, 0, &p.t));
    EXPECT_EQ(48000, sr_audio_transcoder_sample_rate(p.t));
    EXPECT_EQ(channels, sr_audio_transcoder_channels(p.t));
    Output out = Transcode(p.t, aac.frames);
    EXPECT_EQ(0, out.fed_errors);

    sr_opus_head_t head;
    ASSERT_SR_OK(sr_opus_head_parse(out.config.data(), out.config.size(), &head));
    EXPECT_EQ(channels, head.channels);
    EXPECT_EQ((uint32_t)rate, head.input_sample_rate);
    for (size_t i = 0; i < out.frames.size(); i++) {
        ASSERT_EQ(960, OpusPacketSamples(out.frames[i].data)) << "packet " << i;
        EXPECT_EQ(channels == 2, (out.frames[i].data[0] & 0x04) != 0) << "stereo flag, packet " << i;
    }
    // the input's samples (its priming included) at 48 kHz
    ExpectTranscoded(out, (double)aac.frames.size() * aac.frame_samples * 48000 / rate, start, channels);
}

// Opus at channels -> AAC: the AudioSpecificConfig, count, pts and tone after decoding.
void CheckOpusToAac(int channels, bool has_config)
{
    const double seconds = 2;
    const int64_t start = 777;
    Stream opus = EncodeSine("libopus", 48000, channels, seconds, start);
    ASSERT_FALSE(opus.frames.empty());
    TranscoderPtr p;
    ASSERT_SR_OK(sr_audio_transcoder_new(SR_CODEC_OPUS, has_config ? opus.config.data() : NULL,
                                         has_config ? opus.config.size() : 0, SR_CODEC_AAC, 0, &p.t));
    int want_channels = has_config ? channels : 2; // RTP Opus: stereo assumed
    EXPECT_EQ(want_channels, sr_audio_transcoder_channels(p.t));
    Output out = Transcode(p.t, opus.frames);
    EXPECT_EQ(0, out.fed_errors);

    sr_aac_config_t asc;
    ASSERT_SR_OK(sr_aac_parse_config(out.config.data(), out.config.size(), &asc));
    EXPECT_EQ(2, asc.object_type);
    EXPECT_EQ(48000u, asc.sample_rate);
    EXPECT_EQ(want_channels, asc.channels);
    ExpectTranscoded(out, (double)opus.frames.size() * 960, start, want_channels);
}

} // namespace

TEST(AudioTranscode, AacToOpus44kMono)
{
    CheckAacToOpus(44100, 1);
}

TEST(AudioTranscode, AacToOpus48kStereo)
{
    CheckAacToOpus(48000, 2);
}

TEST(AudioTranscode, OpusToAacStereo)
{
    CheckOpusToAac(2, true);
}

TEST(AudioTranscode, OpusToAacMono)
{
    CheckOpusToAac(1, true);
}

TEST(AudioTranscode, OpusWithoutHeadIsStereo48k)
{
    CheckOpusToAac(2, false);
}

TEST(AudioTranscode, RefusesBadArguments)
{
    Stream aac = EncodeSine("aac", 44100, 1, 0.1);
    sr_audio_transcoder_t *t = NULL;
    EXPECT_SR_ERR(SR_EINVAL,
                  sr_audio_transcoder_new(SR_CODEC_AAC, aac.config.data(), aac.config.size(), SR_CODEC_AAC, 0, &t));
    EXPECT_SR_ERR(SR_EINVAL, sr_audio_transcoder_new(SR_CODEC_MP3, NULL, 0, SR_CODEC_OPUS, 0, &t));
    EXPECT_SR_ERR(SR_EINVAL, sr_audio_transcoder_new(SR_CODEC_AAC, NULL, 0, SR_CODEC_OPUS, 0, &t));
    EXPECT_SR_ERR(SR_EINVAL,
                  sr_audio_transcoder_new(SR_CODEC_AAC, aac.config.data(), aac.config.size(), SR_CODEC_OPUS, 1000, &t));
    EXPECT_SR_ERR(SR_ETRUNCATED, sr_audio_transcoder_new(SR_CODEC_AAC, aac.config.data(), 1, SR_CODEC_OPUS, 0, &t));
    const uint8_t not_opus_head[19] = {'O', 'p', 'u', 's', 'T', 'a', 'g', 's'};
    EXPECT_SR_ERR(SR_EFORMAT,
                  sr_audio_transcoder_new(SR_CODEC_OPUS, not_opus_head, sizeof(not_opus_head), SR_CODEC_AAC, 0, &t));
    EXPECT_TRUE(t == NULL);

    TranscoderPtr p;
    ASSERT_SR_OK(sr_audio_transcoder_new(SR_CODEC_AAC, aac.config.data(), aac.config.size(), SR_CODEC_OPUS, 0, &p.t));
    EXPECT_STREQ("", sr_audio_transcoder_error(p.t));
    EXPECT_SR_ERR(SR_EINVAL, sr_audio_transcoder_feed(p.t, aac.frames[0].data.data(), 0, 0));
    uint8_t buf[16];
    size_t len;
    int64_t pts;
    EXPECT_FALSE(sr_audio_transcoder_take(p.t, buf, sizeof(buf), &len, &pts));
}

// Transcode in with its middle frame replaced by bad, which must be refused.
Output TranscodeWithBadFrame(sr_audio_transcoder_t *t, const std::vector<Frame> &in, const Bytes &bad)
{
    Output out = Transcode(t, in, [&](size_t i, Frame *f) {
        if (i == in.size() / 2) {
            f->data = bad;
        }
        return true;
    });
    EXPECT_EQ(1, out.fed_errors);
    return out;
}

// A frame the decoder refuses fails alone: the next ones decode, and the silence put in
// its place keeps the output timeline and count as if it had decoded.
TEST(AudioTranscode, CorruptAacFrameIsRefusedAndTheNextContinues)
{
    Stream aac = EncodeSine("aac", 44100, 2, 2, 1000);
    TranscoderPtr p;
    ASSERT_SR_OK(sr_audio_transcoder_new(SR_CODEC_AAC, aac.config.data(), aac.config.size(), SR_CODEC_OPUS, 0, &p.t));
    Output out = TranscodeWithBadFrame(p.t, aac.frames, Bytes(16, 0x5a)); // "channel element 2.13 is not allocated"
    EXPECT_NE(std::string::npos, std::string(sr_audio_transcoder_error(p.t)).find("aac decode"))
        << sr_audio_transcoder_error(p.t);
    EXPECT_NE(std::string::npos, std::string(sr_audio_transcoder_error(p.t)).find("not allocated"))
        << sr_audio_transcoder_error(p.t);
    sr_audio_transcode_stats_t st;
    sr_audio_transcoder_stats(p.t, &st);
    EXPECT_EQ(1u, st.frames_refused);
    EXPECT_EQ(aac.frames.size() - 1, st.frames_in);
    EXPECT_EQ(0u, st.resyncs);
    EXPECT_NEAR(1024.0 * 48000 / 44100, (double)st.gap_samples, 48); // one frame's worth, to the ms
    double whole = floor((double)aac.frames.size() * 1024 * 48000 / 44100 / 960);
    EXPECT_GE((double)out.frames.size(), whole - 1);
    ExpectContinuous(out.frames, 1000, 960, 48000);

    // a one-byte frame at a new time: refused, then a good one is taken
    EXPECT_SR_ERR(SR_EFORMAT, sr_audio_transcoder_feed(p.t, out.frames[0].data.data(), 1, 99999));
    EXPECT_SR_OK(sr_audio_transcoder_feed(p.t, aac.frames[1].data.data(), aac.frames[1].data.size(), 99999));
}

TEST(AudioTranscode, CorruptOpusPacketIsRefusedAndTheNextContinues)
{
    Stream opus = EncodeSine("libopus", 48000, 2, 1, 0);
    TranscoderPtr p;
    ASSERT_SR_OK(sr_audio_transcoder_new(SR_CODEC_OPUS, opus.config.data(), opus.config.size(), SR_CODEC_AAC, 0, &p.t));
    Output out = TranscodeWithBadFrame(p.t, opus.frames, Bytes{0x03, 0x00}); // code 3, no frames (RFC 6716 3.2.5)
    EXPECT_NE(std::string::npos, std::string(sr_audio_transcoder_error(p.t)).find("opus decode"));
    ExpectContinuous(out.frames, 0, 1024, 48000);
    int rate = 0, channels = 0;
    std::vector<float> pcm = Decode(AV_CODEC_ID_AAC, out.config, Payloads(out.frames), &rate, &channels);
    EXPECT_NEAR(kToneHz, ToneHz(pcm, rate), 40); // 20 ms of silence in 0.9 s: no crossings
}

// Lost frames (never fed) become silence: the frames after them keep their place.
TEST(AudioTranscode, GapIsFilledWithSilence)
{
    Stream opus = EncodeSine("libopus", 48000, 1, 2, 0);
    TranscoderPtr p;
    ASSERT_SR_OK(sr_audio_transcoder_new(SR_CODEC_OPUS, opus.config.data(), opus.config.size(), SR_CODEC_AAC, 0, &p.t));
    Output out = Transcode(p.t, opus.frames, [](size_t i, Frame *) { return i < 30 || i >= 33; }); // 60 ms lost
    sr_audio_transcode_stats_t st;
    sr_audio_transcoder_stats(p.t, &st);
    EXPECT_EQ(0u, st.resyncs);
    EXPECT_EQ(3u * 960, st.gap_samples);
    ExpectContinuous(out.frames, 0, 1024, 48000);
    double whole = floor((double)opus.frames.size() * 960 / 1024);
    EXPECT_GE((double)out.frames.size(), whole - 1);
}

// A jump of the input's timestamps (a republish, a reset) restarts the output timeline
// there, forwards or backwards; small rounding differences do not.
TEST(AudioTranscode, TimestampJumpResynchronises)
{
    Stream aac = EncodeSine("aac", 48000, 2, 3, 0);
    TranscoderPtr p;
    ASSERT_SR_OK(sr_audio_transcoder_new(SR_CODEC_AAC, aac.config.data(), aac.config.size(), SR_CODEC_OPUS, 0, &p.t));
    const size_t jump = aac.frames.size() / 3, back = 2 * aac.frames.size() / 3;
    const int64_t forward_ms = 60000;
    Output out = Transcode(p.t, aac.frames, [&](size_t i, Frame *f) {
        if (i >= back) {
            f->pts_ms = 100 + (f->pts_ms - aac.frames[back].pts_ms); // a republish from 100 ms
        } else if (i >= jump) {
            f->pts_ms += forward_ms;
        }
        return true;
    });
    EXPECT_EQ(0, out.fed_errors);
    sr_audio_transcode_stats_t st;
    sr_audio_transcoder_stats(p.t, &st);
    EXPECT_EQ(2u, st.resyncs);
    EXPECT_EQ(0u, st.gap_samples);

    // three runs of 20 ms steps; each starts at (or within the encoder's delay of) the
    // pts of the input frame that jumped
    std::vector<size_t> starts = {0};
    for (size_t i = 1; i < out.frames.size(); i++) {
        int64_t step = out.frames[i].pts_ms - out.frames[i - 1].pts_ms;
        if (step != 20) {
            starts.push_back(i);
        }
    }
    ASSERT_EQ(3u, starts.size());
    EXPECT_EQ(0, out.frames[0].pts_ms);
    EXPECT_EQ(aac.frames[jump].pts_ms + forward_ms, out.frames[starts[1]].pts_ms);
    EXPECT_EQ(100, out.frames[starts[2]].pts_ms);
    EXPECT_NEAR(1000, out.frames[starts[1] - 1].pts_ms, 60); // the first run ends near 1 s
    for (const Frame &f : out.frames) {
        ASSERT_EQ(960, OpusPacketSamples(f.data));
    }
}

// ==== sr_audio_bridge: packets in and out, the codec work on the worker pool ====

namespace
{

class AudioBridge : public SrUtestSt
{
  protected:
    void TearDown() override
    {
        sr_work_shutdown(); // no poller coroutine outlives the test
        SrUtestSt::TearDown();
    }
};

sr_packet_t MakePacket(sr_codec_id_t codec, bool is_config, int64_t dts, const Bytes &body)
{
    sr_packet_t pkt;
    uint8_t *p = sr_packet_init_frame(&pkt, codec, is_config ? SR_PACKET_IS_SEQUENCE_HEADER : 0, dts, dts, body.size());
    memcpy(p, body.data(), body.size());
    return pkt;
}

int FeedPacket(sr_audio_bridge_t *b, sr_codec_id_t codec, bool is_config, int64_t dts, const Bytes &body)
{
    sr_packet_t pkt = MakePacket(codec, is_config, dts, body);
    int rc = sr_audio_bridge_feed(b, &pkt);
    sr_packet_deinit(&pkt);
    return rc;
}

struct Taken {
    std::vector<sr_packet_t> pkts;
    ~Taken()
    {
        for (sr_packet_t &p : pkts) {
            sr_packet_deinit(&p);
        }
    }
    void From(sr_audio_bridge_t *b)
    {
        sr_packet_t p;
        while (sr_audio_bridge_take(b, &p)) {
            pkts.push_back(p);
        }
    }
    Bytes Body(size_t i) const
    {
        size_t n;
        const uint8_t *d = sr_packet_body(&pkts[i], &n);
        return Bytes(d, d + n);
    }
};

struct BridgePtr {
    sr_audio_bridge_t *b;
    explicit BridgePtr(sr_codec_id_t to) : b(sr_audio_bridge_new(to, 0))
    {
    }
    ~BridgePtr()
    {
        sr_audio_bridge_free(b);
    }
};

} // namespace

TEST_F(AudioBridge, AacPacketsBecomeOpusPacketsConfigFirst)
{
    Stream aac = EncodeSine("aac", 44100, 2, 1, 3000);
    BridgePtr br(SR_CODEC_OPUS);
    ASSERT_TRUE(br.b != NULL);
    uint64_t jobs_before = sr_work_done_count();
    Taken out;
    ASSERT_SR_OK(FeedPacket(br.b, SR_CODEC_AAC, true, 3000, aac.config));
    out.From(br.b);
    for (size_t i = 0; i < aac.frames.size(); i++) {
        if (i == aac.frames.size() / 2) { // a repeated sequence header changes nothing
            ASSERT_SR_OK(FeedPacket(br.b, SR_CODEC_AAC, true, aac.frames[i].pts_ms, aac.config));
        }
        ASSERT_SR_OK(FeedPacket(br.b, SR_CODEC_AAC, false, aac.frames[i].pts_ms, aac.frames[i].data));
        out.From(br.b);
    }
    EXPECT_EQ(jobs_before + 1 + aac.frames.size(), sr_work_done_count()); // one open, one job per frame

    ASSERT_GT(out.pkts.size(), 40u);
    EXPECT_EQ(SR_PACKET_AUDIO, out.pkts[0].type);
    EXPECT_EQ(SR_CODEC_OPUS, out.pkts[0].codec);
    EXPECT_TRUE(out.pkts[0].flags & SR_PACKET_IS_SEQUENCE_HEADER);
    EXPECT_EQ(3000, out.pkts[0].dts);
    sr_opus_head_t head;
    Bytes cfg = out.Body(0);
    ASSERT_SR_OK(sr_opus_head_parse(cfg.data(), cfg.size(), &head));
    EXPECT_EQ(2, head.channels);
    std::vector<Frame> frames;
    for (size_t i = 1; i < out.pkts.size(); i++) {
        EXPECT_EQ(SR_CODEC_OPUS, out.pkts[i].codec);
        EXPECT_FALSE(out.pkts[i].flags & SR_PACKET_IS_SEQUENCE_HEADER) << i;
        EXPECT_EQ(out.pkts[i].dts, out.pkts[i].pts);
        EXPECT_EQ(960, OpusPacketSamples(out.Body(i)));
        frames.push_back(Frame{out.Body(i), out.pkts[i].pts});
    }
    ExpectContinuous(frames, 3000, 960, 48000);
    int rate = 0, channels = 0;
    std::vector<float> pcm = Decode(AV_CODEC_ID_OPUS, cfg, Payloads(frames), &rate, &channels);
    EXPECT_NEAR(kToneHz, ToneHz(pcm, rate), 10);
    sr_audio_bridge_stats_t st;
    sr_audio_bridge_stats(br.b, &st);
    EXPECT_EQ(aac.frames.size(), st.frames_in);
    EXPECT_EQ(frames.size(), st.frames_out);
    EXPECT_EQ(0u, st.dropped_busy + st.dropped_no_config + st.refused);
}

TEST_F(AudioBridge, RtpOpusWithoutHeadBecomesAac)
{
    Stream opus = EncodeSine("libopus", 48000, 1, 0.5, 40);
    BridgePtr br(SR_CODEC_AAC);
    Taken out;
    for (const Frame &f : opus.frames) {
        ASSERT_SR_OK(FeedPacket(br.b, SR_CODEC_OPUS, false, f.pts_ms, f.data));
        out.From(br.b);
    }
    ASSERT_GT(out.pkts.size(), 10u);
    EXPECT_TRUE(out.pkts[0].flags & SR_PACKET_IS_SEQUENCE_HEADER);
    EXPECT_EQ(40, out.pkts[0].dts);
    sr_aac_config_t asc;
    Bytes cfg = out.Body(0);
    ASSERT_SR_OK(sr_aac_parse_config(cfg.data(), cfg.size(), &asc));
    EXPECT_EQ(2, asc.channels); // no OpusHead: stereo assumed
    EXPECT_EQ(48000u, asc.sample_rate);
    EXPECT_EQ(SR_CODEC_AAC, out.pkts[1].codec);
    EXPECT_EQ(40, out.pkts[1].pts);
}

TEST_F(AudioBridge, PassesTargetCodecThroughAndRefusesOthers)
{
    Stream aac = EncodeSine("aac", 48000, 1, 0.1);
    BridgePtr br(SR_CODEC_AAC);
    Taken out;
    sr_packet_t in = MakePacket(SR_CODEC_AAC, false, 7, aac.frames[0].data);
    ASSERT_SR_OK(sr_audio_bridge_feed(br.b, &in));
    out.From(br.b);
    ASSERT_EQ(1u, out.pkts.size());
    EXPECT_EQ(in.payload, out.pkts[0].payload); // the same frame, one more reference
    sr_packet_deinit(&in);

    EXPECT_SR_ERR(SR_EUNSUPPORTED, FeedPacket(br.b, SR_CODEC_MP3, false, 0, Bytes{0xff, 0xfb, 0x90, 0x00}));
    sr_packet_t video = MakePacket(SR_CODEC_H264, false, 0, Bytes{0, 0, 0, 1, 0x65});
    EXPECT_SR_ERR(SR_EINVAL, sr_audio_bridge_feed(br.b, &video));
    sr_packet_deinit(&video);
    EXPECT_TRUE(sr_audio_bridge_new(SR_CODEC_MP3, 0) == NULL);

    BridgePtr to_opus(SR_CODEC_OPUS);
    ASSERT_SR_OK(FeedPacket(to_opus.b, SR_CODEC_AAC, false, 0, aac.frames[0].data)); // before its config
    sr_audio_bridge_stats_t st;
    sr_audio_bridge_stats(to_opus.b, &st);
    EXPECT_EQ(1u, st.dropped_no_config);
    sr_packet_t p;
    EXPECT_FALSE(sr_audio_bridge_take(to_opus.b, &p));
    EXPECT_SR_ERR(SR_ETRUNCATED, FeedPacket(to_opus.b, SR_CODEC_AAC, true, 0, Bytes{0x12}));
}

TEST_F(AudioBridge, CorruptFrameFailsWithLibavMessageAndTheNextContinues)
{
    Stream aac = EncodeSine("aac", 48000, 2, 0.5);
    BridgePtr br(SR_CODEC_OPUS);
    Taken out;
    ASSERT_SR_OK(FeedPacket(br.b, SR_CODEC_AAC, true, 0, aac.config));
    ASSERT_SR_OK(FeedPacket(br.b, SR_CODEC_AAC, false, aac.frames[0].pts_ms, aac.frames[0].data));
    sr_err_clear();
    EXPECT_SR_ERR(SR_EFORMAT, FeedPacket(br.b, SR_CODEC_AAC, false, aac.frames[1].pts_ms, Bytes(16, 0x5a)));
    EXPECT_NE(std::string::npos, std::string(sr_err_trail()).find("not allocated")) << sr_err_trail();
    for (size_t i = 2; i < aac.frames.size(); i++) {
        ASSERT_SR_OK(FeedPacket(br.b, SR_CODEC_AAC, false, aac.frames[i].pts_ms, aac.frames[i].data));
    }
    out.From(br.b); // frames not taken stay in the transcoder up to its queue's size
    sr_audio_bridge_stats_t st;
    sr_audio_bridge_stats(br.b, &st);
    EXPECT_EQ(1u, st.refused);
    EXPECT_GT(out.pkts.size(), 15u);
}

namespace
{

struct Blocker {
    int runs = 0;
};

void sr_utest_bridge_block(void *arg)
{
    usleep(300 * 1000); // both pool threads busy: the bridge jobs behind them wait
    static_cast<Blocker *>(arg)->runs++;
}

void sr_utest_bridge_blocker(void *arg)
{
    sr_work_run(sr_utest_bridge_block, arg);
}

struct Feeder {
    sr_audio_bridge_t *b = nullptr;
    const Frame *frame = nullptr;
    int rc = 1;
    bool is_done = false;
};

void sr_utest_bridge_feeder(void *arg)
{
    Feeder *f = static_cast<Feeder *>(arg);
    sr_packet_t pkt = MakePacket(SR_CODEC_AAC, false, f->frame->pts_ms, f->frame->data);
    f->rc = sr_audio_bridge_feed(f->b, &pkt);
    sr_packet_deinit(&pkt);
    f->is_done = true;
}

} // namespace

// When SR_AUDIO_BRIDGE_MAX_INFLIGHT bridge jobs already wait on a stalled pool, a frame
// is dropped at once instead of queued behind them.
TEST_F(AudioBridge, DropsFramesWhenThePoolIsBehind)
{
    Stream aac = EncodeSine("aac", 48000, 1, 0.1);
    const int n = SR_AUDIO_BRIDGE_MAX_INFLIGHT + 1;
    std::vector<BridgePtr *> bridges;
    for (int i = 0; i < n; i++) {
        bridges.push_back(new BridgePtr(SR_CODEC_OPUS));
        ASSERT_SR_OK(FeedPacket(bridges.back()->b, SR_CODEC_AAC, true, 0, aac.config));
    }
    Blocker blocker;
    std::vector<Feeder> feeders(n - 1);
    {
        SrUtestCo b1(sr_co_start(sr_utest_bridge_blocker, &blocker, NULL));
        SrUtestCo b2(sr_co_start(sr_utest_bridge_blocker, &blocker, NULL));
        sr_usleep(20 * SR_UTIME_MS); // both threads now sleep in a job
        std::vector<SrUtestCo *> cos;
        for (int i = 0; i < n - 1; i++) {
            feeders[i].b = bridges[i]->b;
            feeders[i].frame = &aac.frames[0];
            cos.push_back(new SrUtestCo(sr_co_start(sr_utest_bridge_feeder, &feeders[i], NULL)));
        }
        sr_usleep(5 * SR_UTIME_MS); // every feeder has queued its job
        sr_utime_t t0 = sr_time_mono_us();
        EXPECT_SR_OK(FeedPacket(bridges[n - 1]->b, SR_CODEC_AAC, false, 0, aac.frames[0].data));
        EXPECT_LT(sr_time_mono_us() - t0, 100 * SR_UTIME_MS); // not queued behind the stalled jobs
        sr_audio_bridge_stats_t st;
        sr_audio_bridge_stats(bridges[n - 1]->b, &st);
        EXPECT_EQ(1u, st.dropped_busy);
        EXPECT_EQ(0u, st.frames_in);
        EXPECT_TRUE(sr_utest_st_wait_until([&] {
            for (const Feeder &f : feeders) {
                if (!f.is_done) {
                    return false;
                }
            }
            return blocker.runs == 2;
        }));
        for (SrUtestCo *co : cos) {
            delete co;
        }
    }
    for (const Feeder &f : feeders) {
        EXPECT_SR_OK(f.rc);
    }
    // the pool caught up: the next frame is transcoded again
    EXPECT_SR_OK(FeedPacket(bridges[n - 1]->b, SR_CODEC_AAC, false, 21, aac.frames[1].data));
    sr_audio_bridge_stats_t st;
    sr_audio_bridge_stats(bridges[n - 1]->b, &st);
    EXPECT_EQ(1u, st.frames_in);
    for (BridgePtr *b : bridges) {
        delete b;
    }
}
