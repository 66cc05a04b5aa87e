/* SPDX-License-Identifier: MIT */
/*
 * sr_audio_transcode.c: AAC <-> Opus with libavcodec. The path of a frame: decoder ->
 * libswresample (to the encoder's rate, sample format and channels) -> an audio FIFO,
 * which turns the decoder's frame sizes (AAC 1024 samples, Opus 2.5..120 ms) into the
 * encoder's (Opus 960, AAC 1024) -> encoder -> a bounded queue of output frames.
 *
 * Samples are counted by their index in the encoder's input (enc_index); a segment maps
 * indexes to ms from the input pts that started it, and a new segment starts at each
 * resync. The previous segment is kept for the frames the encoder still holds.
 *
 * libav reports details through av_log, not through its return codes: sr_av_log.h
 * keeps the last message of the transcoder's codec contexts for
 * sr_audio_transcoder_error().
 */
#include "sr_audio_transcode.h"

#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/mathematics.h>
#include <libavutil/mem.h>
#include <libavutil/samplefmt.h>
#include <libswresample/swresample.h>

#include "sr_av_log.h"
#include "sr_codec.h"
#include "sr_codec_config.h"
#include "sr_error.h"

#define SR_AUDIO_TRANSCODE_RATE 48000 /* Opus always; AAC from Opus, whose decoder gives 48 kHz */
#define SR_AUDIO_TRANSCODE_CONFIG_BYTES 64
#define SR_AUDIO_TRANSCODE_BITRATE_MIN 6000
#define SR_AUDIO_TRANSCODE_BITRATE_MAX 510000
#define SR_AUDIO_TRANSCODE_SILENCE_CHUNK 1024 /* samples of silence written at a time */

#ifndef AV_PROFILE_AAC_LOW
#define AV_PROFILE_AAC_LOW FF_PROFILE_AAC_LOW /* FFmpeg before 6.1 */
#endif

/* Samples from index start on are at base_ms + (index - start) / rate. */
typedef struct sr_audio_transcode_seg {
    int64_t start;
    int64_t base_ms;
} sr_audio_transcode_seg_t;

struct sr_audio_transcoder {
    sr_av_log_sink_t log; /* first: the codec contexts' opaque */
    sr_codec_id_t from, to;
    AVCodecContext *dec, *enc;
    AVPacket *pkt;    /* decoder input, encoder output */
    AVFrame *decoded; /* decoder output */
    AVFrame *frame;   /* encoder input: frame_size samples */
    int frame_size;   /* samples per output frame */
    SwrContext *swr;  /* set up from the first decoded frame, again when its format changes */
    int swr_rate;     /* the decoded format swr was set up for */
    int swr_fmt;      /* enum AVSampleFormat */
    AVChannelLayout swr_layout;
    uint8_t **conv;    /* resampler output and silence, in the encoder's format */
    int conv_samples;  /* capacity of conv */
    AVAudioFifo *fifo; /* resampled samples not yet encoded: less than a frame after a feed */

    /* timeline */
    bool has_timeline;
    int64_t next_index; /* index of the next sample into the FIFO */
    int64_t enc_index;  /* index of the next sample into the encoder */
    sr_audio_transcode_seg_t cur, prev;

    /* output frames not yet taken: a ring */
    AVPacket *queue[SR_AUDIO_TRANSCODE_MAX_QUEUED];
    int64_t queue_pts_ms[SR_AUDIO_TRANSCODE_MAX_QUEUED];
    unsigned queue_head, queue_count;

    uint8_t config[SR_AUDIO_TRANSCODE_CONFIG_BYTES];
    size_t config_size;
    sr_audio_transcode_stats_t stats;
    char error[SR_AUDIO_TRANSCODE_ERROR_BYTES];
};

/* Record "what: libav error (libav's log message)" and return -code. */
static int sr_audio_transcode_fail(sr_audio_transcoder_t *t, int code, const char *what, int averr)
{
    sr_av_log_describe(&t->log, what, averr, t->error, sizeof(t->error));
    return -code;
}

/* ==== setup ==== */

/* The source's facts from its config: channels, rate, and the decoder's extradata. */
typedef struct sr_audio_transcode_source {
    int channels;
    int sample_rate;
    uint8_t extradata[SR_OPUS_HEAD_MIN_BYTES + 2 + 255];
    size_t extradata_size;
} sr_audio_transcode_source_t;

static int sr_audio_transcode_source_aac(const uint8_t *config, size_t size, sr_audio_transcode_source_t *src)
{
    sr_aac_config_t c;
    if (!config || size == 0) {
        return -SR_EINVAL;
    }
    int rc = sr_aac_parse_config(config, size, &c);
    if (rc != SR_OK) {
        return rc;
    }
    if (size > sizeof(src->extradata)) {
        return -SR_EFORMAT;
    }
    /* channel_config 0 (a program config element) leaves the count to the decoder */
    src->channels = c.has_ps ? 2 : c.channels;
    src->sample_rate = (int)(c.has_sbr && c.ext_sample_rate ? c.ext_sample_rate : c.sample_rate);
    memcpy(src->extradata, config, size);
    src->extradata_size = size;
    return SR_OK;
}

static int sr_audio_transcode_source_opus(const uint8_t *config, size_t size, sr_audio_transcode_source_t *src)
{
    sr_opus_head_t h;
    int rc = config && size ? sr_opus_head_parse(config, size, &h) : sr_opus_head_default(2, &h);
    if (rc != SR_OK) {
        return rc;
    }
    src->channels = h.channels;
    src->sample_rate = SR_AUDIO_TRANSCODE_RATE; /* Opus decodes at 48 kHz whatever the input rate was */
    /* Every decoded sample takes its place on the input's timeline, so the decoder must
     * not trim pre-skip: a live stream joined mid-way has no priming to drop, and its
     * pts already say where its samples go (sr_opus_head_default). */
    h.pre_skip = 0;
    return sr_opus_head_write(&h, src->extradata, sizeof(src->extradata), &src->extradata_size);
}

static int sr_audio_transcode_open_decoder(sr_audio_transcoder_t *t, const sr_audio_transcode_source_t *src)
{
    const AVCodec *codec = avcodec_find_decoder(t->from == SR_CODEC_AAC ? AV_CODEC_ID_AAC : AV_CODEC_ID_OPUS);
    if (!codec) {
        return -SR_EUNSUPPORTED;
    }
    t->dec = avcodec_alloc_context3(codec);
    if (!t->dec) {
        return -SR_ENOMEM;
    }
    t->dec->opaque = t;
    t->dec->thread_count = 1;
    t->dec->sample_rate = src->sample_rate;
    if (src->channels > 0) {
        av_channel_layout_default(&t->dec->ch_layout, src->channels);
    }
    t->dec->extradata = av_mallocz(src->extradata_size + AV_INPUT_BUFFER_PADDING_SIZE);
    if (!t->dec->extradata) {
        return -SR_ENOMEM;
    }
    memcpy(t->dec->extradata, src->extradata, src->extradata_size);
    t->dec->extradata_size = (int)src->extradata_size;
    int rc = avcodec_open2(t->dec, codec, NULL);
    return rc < 0 ? sr_audio_transcode_fail(t, SR_EUNSUPPORTED, "open decoder", rc) : SR_OK;
}

/* The encoder's sample format: float when it takes it (no quantisation on the way). */
static enum AVSampleFormat sr_audio_transcode_sample_fmt(const AVCodec *codec)
{
    if (!codec->sample_fmts) {
        return AV_SAMPLE_FMT_FLTP;
    }
    for (const enum AVSampleFormat *f = codec->sample_fmts; *f != AV_SAMPLE_FMT_NONE; f++) {
        if (*f == AV_SAMPLE_FMT_FLTP || *f == AV_SAMPLE_FMT_FLT) {
            return *f;
        }
    }
    return codec->sample_fmts[0];
}

static int sr_audio_transcode_open_encoder(sr_audio_transcoder_t *t, int channels, int bitrate)
{
    /* libavcodec's own Opus encoder is experimental; libopus is the reference */
    const AVCodec *codec =
        t->to == SR_CODEC_OPUS ? avcodec_find_encoder_by_name("libopus") : avcodec_find_encoder(AV_CODEC_ID_AAC);
    if (!codec) {
        return -SR_EUNSUPPORTED;
    }
    t->enc = avcodec_alloc_context3(codec);
    if (!t->enc) {
        return -SR_ENOMEM;
    }
    t->enc->opaque = t;
    t->enc->thread_count = 1;
    t->enc->sample_rate = SR_AUDIO_TRANSCODE_RATE;
    t->enc->time_base = (AVRational){1, SR_AUDIO_TRANSCODE_RATE};
    t->enc->sample_fmt = sr_audio_transcode_sample_fmt(codec);
    t->enc->bit_rate = bitrate;
    av_channel_layout_default(&t->enc->ch_layout, channels);
    if (t->to == SR_CODEC_AAC) {
        t->enc->profile = AV_PROFILE_AAC_LOW;
    }
    int rc = avcodec_open2(t->enc, codec, NULL);
    if (rc < 0) {
        return sr_audio_transcode_fail(t, SR_EUNSUPPORTED, "open encoder", rc);
    }
    t->frame_size = t->enc->frame_size;
    return t->frame_size > 0 ? SR_OK : -SR_EUNSUPPORTED;
}

/* The output config frame: ours, from the shared writers, not libav's extradata. */
static int sr_audio_transcode_write_config(sr_audio_transcoder_t *t, int channels, int source_rate)
{
    if (t->to == SR_CODEC_OPUS) {
        sr_opus_head_t h;
        int rc = sr_opus_head_default((uint8_t)channels, &h);
        if (rc != SR_OK) {
            return rc;
        }
        h.input_sample_rate = (uint32_t)source_rate;
        return sr_opus_head_write(&h, t->config, sizeof(t->config), &t->config_size);
    }
    sr_aac_config_t c = {
        .object_type = 2, /* LC */
        .core_object_type = 2,
        .sample_rate_index = 3, /* 48000 Hz, ISO/IEC 14496-3 Table 1.18 */
        .sample_rate = SR_AUDIO_TRANSCODE_RATE,
        .channel_config = (uint8_t)channels,
        .channels = (uint8_t)channels,
    };
    return sr_aac_config_write(&c, t->config, sizeof(t->config), &t->config_size);
}

static int sr_audio_transcode_alloc_buffers(sr_audio_transcoder_t *t)
{
    t->pkt = av_packet_alloc();
    t->decoded = av_frame_alloc();
    t->frame = av_frame_alloc();
    t->fifo = av_audio_fifo_alloc(t->enc->sample_fmt, t->enc->ch_layout.nb_channels, 2 * t->frame_size);
    if (!t->pkt || !t->decoded || !t->frame || !t->fifo) {
        return -SR_ENOMEM;
    }
    for (size_t i = 0; i < SR_ARRAY_SIZE(t->queue); i++) {
        if (!(t->queue[i] = av_packet_alloc())) {
            return -SR_ENOMEM;
        }
    }
    t->frame->format = t->enc->sample_fmt;
    t->frame->sample_rate = t->enc->sample_rate;
    t->frame->nb_samples = t->frame_size;
    if (av_channel_layout_copy(&t->frame->ch_layout, &t->enc->ch_layout) < 0 || av_frame_get_buffer(t->frame, 0) < 0) {
        return -SR_ENOMEM;
    }
    return SR_OK;
}

static int sr_audio_transcode_setup(sr_audio_transcoder_t *t, const uint8_t *config, size_t config_size, int bitrate)
{
    sr_audio_transcode_source_t src = {0};
    int rc = t->from == SR_CODEC_AAC ? sr_audio_transcode_source_aac(config, config_size, &src)
                                     : sr_audio_transcode_source_opus(config, config_size, &src);
    if (rc != SR_OK) {
        return rc;
    }
    /* an unknown count (an AAC program config element) becomes stereo */
    int channels = src.channels == 1 ? 1 : 2;
    if ((rc = sr_audio_transcode_open_decoder(t, &src)) != SR_OK ||
        (rc = sr_audio_transcode_open_encoder(t, channels, bitrate)) != SR_OK ||
        (rc = sr_audio_transcode_alloc_buffers(t)) != SR_OK) {
        return rc;
    }
    return sr_audio_transcode_write_config(t, channels, src.sample_rate);
}

int sr_audio_transcoder_new(sr_codec_id_t from, const uint8_t *config, size_t config_size, sr_codec_id_t to,
                            int bitrate, sr_audio_transcoder_t **out)
{
    *out = NULL;
    bool is_pair = (from == SR_CODEC_AAC && to == SR_CODEC_OPUS) || (from == SR_CODEC_OPUS && to == SR_CODEC_AAC);
    if (bitrate == 0) {
        bitrate = SR_AUDIO_TRANSCODE_DEFAULT_BITRATE;
    }
    if (!is_pair || bitrate < SR_AUDIO_TRANSCODE_BITRATE_MIN || bitrate > SR_AUDIO_TRANSCODE_BITRATE_MAX) {
        return -SR_EINVAL;
    }
    sr_av_log_install();
    sr_audio_transcoder_t *t = av_mallocz(sizeof(*t));
    if (!t) {
        return -SR_ENOMEM;
    }
    t->log.magic = SR_AV_LOG_MAGIC;
    t->from = from;
    t->to = to;
    int rc = sr_audio_transcode_setup(t, config, config_size, bitrate);
    if (rc != SR_OK) {
        sr_audio_transcoder_free(t);
        return rc;
    }
    *out = t;
    return SR_OK;
}

void sr_audio_transcoder_free(sr_audio_transcoder_t *t)
{
    if (!t) {
        return;
    }
    avcodec_free_context(&t->dec);
    avcodec_free_context(&t->enc);
    av_packet_free(&t->pkt);
    av_frame_free(&t->decoded);
    av_frame_free(&t->frame);
    swr_free(&t->swr);
    av_channel_layout_uninit(&t->swr_layout);
    if (t->conv) {
        av_freep(&t->conv[0]);
        av_freep(&t->conv);
    }
    if (t->fifo) {
        av_audio_fifo_free(t->fifo);
    }
    for (size_t i = 0; i < SR_ARRAY_SIZE(t->queue); i++) {
        av_packet_free(&t->queue[i]);
    }
    t->log.magic = 0;
    av_free(t);
}

int sr_audio_transcoder_config(const sr_audio_transcoder_t *t, const uint8_t **data, size_t *size)
{
    *data = t->config;
    *size = t->config_size;
    return SR_OK;
}

int sr_audio_transcoder_channels(const sr_audio_transcoder_t *t)
{
    return t->enc->ch_layout.nb_channels;
}

int sr_audio_transcoder_sample_rate(const sr_audio_transcoder_t *t)
{
    return t->enc->sample_rate;
}

const char *sr_audio_transcoder_error(const sr_audio_transcoder_t *t)
{
    return t->error;
}

void sr_audio_transcoder_stats(const sr_audio_transcoder_t *t, sr_audio_transcode_stats_t *out)
{
    *out = t->stats;
}

/* ==== samples into the FIFO ==== */

/* Make conv hold at least n samples in the encoder's format. */
static int sr_audio_transcode_conv_reserve(sr_audio_transcoder_t *t, int n)
{
    if (n <= t->conv_samples) {
        return SR_OK;
    }
    if (t->conv) {
        av_freep(&t->conv[0]);
        av_freep(&t->conv);
    }
    t->conv_samples = 0;
    if (av_samples_alloc_array_and_samples(&t->conv, NULL, t->enc->ch_layout.nb_channels, n, t->enc->sample_fmt, 0) <
        0) {
        return -SR_ENOMEM;
    }
    t->conv_samples = n;
    return SR_OK;
}

static int sr_audio_transcode_fifo_write(sr_audio_transcoder_t *t, int n)
{
    if (n > 0 && av_audio_fifo_write(t->fifo, (void **)t->conv, n) < n) {
        return -SR_ENOMEM;
    }
    t->next_index += n;
    return SR_OK;
}

/* Put n samples of silence into the FIFO, in place of frames that never came. */
static int sr_audio_transcode_fill_silence(sr_audio_transcoder_t *t, int64_t n)
{
    int rc = sr_audio_transcode_conv_reserve(t, SR_AUDIO_TRANSCODE_SILENCE_CHUNK);
    if (rc != SR_OK) {
        return rc;
    }
    av_samples_set_silence(t->conv, 0, SR_AUDIO_TRANSCODE_SILENCE_CHUNK, t->enc->ch_layout.nb_channels,
                           t->enc->sample_fmt);
    t->stats.gap_samples += (uint64_t)n;
    while (n > 0 && rc == SR_OK) {
        int chunk = (int)SR_MIN(n, SR_AUDIO_TRANSCODE_SILENCE_CHUNK);
        rc = sr_audio_transcode_fifo_write(t, chunk);
        n -= chunk;
    }
    return rc;
}

/* Set swr up for the format of f (the first frame, or one whose format changed). */
static int sr_audio_transcode_swr_setup(sr_audio_transcoder_t *t, const AVFrame *f)
{
    AVChannelLayout in_layout = {0}; /* zeroed: av_channel_layout_copy frees what dst holds */
    if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) {
        av_channel_layout_default(&in_layout, f->ch_layout.nb_channels); /* e.g. AAC with a PCE */
    } else if (av_channel_layout_copy(&in_layout, &f->ch_layout) < 0) {
        return -SR_ENOMEM;
    }
    swr_free(&t->swr);
    av_channel_layout_uninit(&t->swr_layout);
    int rc = swr_alloc_set_opts2(&t->swr, &t->enc->ch_layout, t->enc->sample_fmt, t->enc->sample_rate, &in_layout,
                                 f->format, f->sample_rate, 0, NULL);
    if (rc >= 0) {
        rc = swr_init(t->swr);
    }
    if (rc < 0) {
        av_channel_layout_uninit(&in_layout);
        swr_free(&t->swr);
        return sr_audio_transcode_fail(t, SR_EINTERNAL, "resampler setup", rc);
    }
    t->swr_layout = in_layout;
    t->swr_rate = f->sample_rate;
    t->swr_fmt = f->format;
    return SR_OK;
}

static int sr_audio_transcode_resample(sr_audio_transcoder_t *t, const AVFrame *f)
{
    bool is_same =
        t->swr && f->sample_rate == t->swr_rate && f->format == t->swr_fmt &&
        f->ch_layout.nb_channels == t->swr_layout.nb_channels &&
        (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || !av_channel_layout_compare(&f->ch_layout, &t->swr_layout));
    int rc = is_same ? SR_OK : sr_audio_transcode_swr_setup(t, f);
    if (rc != SR_OK) {
        return rc;
    }
    int max = swr_get_out_samples(t->swr, f->nb_samples);
    if (max < 0 || (rc = sr_audio_transcode_conv_reserve(t, max)) != SR_OK) {
        return max < 0 ? sr_audio_transcode_fail(t, SR_EINTERNAL, "resample", max) : rc;
    }
    int n = swr_convert(t->swr, t->conv, max, (const uint8_t **)f->extended_data, f->nb_samples);
    if (n < 0) {
        return sr_audio_transcode_fail(t, SR_EINTERNAL, "resample", n);
    }
    return sr_audio_transcode_fifo_write(t, n);
}

/* ==== timeline ==== */

static int64_t sr_audio_transcode_ms_of(const sr_audio_transcoder_t *t, const sr_audio_transcode_seg_t *seg,
                                        int64_t index)
{
    return seg->base_ms + av_rescale(index - seg->start, 1000, t->enc->sample_rate);
}

/* Compare pts_ms with the place the frame's samples will take: fill a gap with
 * silence, restart the timeline on a jump. */
static int sr_audio_transcode_follow(sr_audio_transcoder_t *t, int64_t pts_ms)
{
    if (!t->has_timeline) {
        t->has_timeline = true;
        t->cur = (sr_audio_transcode_seg_t){.start = t->enc_index, .base_ms = pts_ms};
        t->prev = t->cur;
        return SR_OK;
    }
    int64_t drift = pts_ms - sr_audio_transcode_ms_of(t, &t->cur, t->next_index);
    if (drift > SR_AUDIO_TRANSCODE_RESYNC_MS || drift < -SR_AUDIO_TRANSCODE_RESYNC_MS) {
        /* the samples not yet encoded belong to the old timeline: less than a frame */
        av_audio_fifo_reset(t->fifo);
        t->next_index = t->enc_index;
        t->prev = t->cur;
        t->cur = (sr_audio_transcode_seg_t){.start = t->enc_index, .base_ms = pts_ms};
        t->stats.resyncs++;
        return SR_OK;
    }
    if (drift >= SR_AUDIO_TRANSCODE_GAP_MS) {
        return sr_audio_transcode_fill_silence(t, av_rescale(drift, t->enc->sample_rate, 1000));
    }
    return SR_OK;
}

/* ==== encoding ==== */

/* Queue the encoded packet in t->pkt, dropping the oldest when the queue is full. */
static void sr_audio_transcode_queue_push(sr_audio_transcoder_t *t)
{
    if (t->queue_count == SR_AUDIO_TRANSCODE_MAX_QUEUED) {
        av_packet_unref(t->queue[t->queue_head]);
        t->queue_head = (t->queue_head + 1) % SR_AUDIO_TRANSCODE_MAX_QUEUED;
        t->queue_count--;
        t->stats.frames_dropped++;
    }
    unsigned slot = (t->queue_head + t->queue_count) % SR_AUDIO_TRANSCODE_MAX_QUEUED;
    /* the encoder dates a packet initial_padding samples before the input it codes */
    int64_t index = t->pkt->pts + t->enc->initial_padding;
    const sr_audio_transcode_seg_t *seg = index >= t->cur.start ? &t->cur : &t->prev;
    t->queue_pts_ms[slot] = sr_audio_transcode_ms_of(t, seg, index);
    av_packet_move_ref(t->queue[slot], t->pkt);
    t->queue_count++;
    t->stats.frames_out++;
}

static int sr_audio_transcode_encode_frame(sr_audio_transcoder_t *t)
{
    /* the encoder may still hold a reference to the last frame's buffer */
    if (av_frame_make_writable(t->frame) < 0) {
        return -SR_ENOMEM;
    }
    if (av_audio_fifo_read(t->fifo, (void **)t->frame->data, t->frame_size) < t->frame_size) {
        return sr_audio_transcode_fail(t, SR_EINTERNAL, "audio fifo read", 0);
    }
    t->frame->pts = t->enc_index;
    t->enc_index += t->frame_size;
    int rc = avcodec_send_frame(t->enc, t->frame);
    if (rc < 0) {
        return sr_audio_transcode_fail(t, SR_EINTERNAL, "encode", rc);
    }
    while ((rc = avcodec_receive_packet(t->enc, t->pkt)) == 0) {
        sr_audio_transcode_queue_push(t);
    }
    return rc == AVERROR(EAGAIN) || rc == AVERROR_EOF ? SR_OK : sr_audio_transcode_fail(t, SR_EINTERNAL, "encode", rc);
}

static int sr_audio_transcode_encode_ready(sr_audio_transcoder_t *t)
{
    int rc = SR_OK;
    while (rc == SR_OK && av_audio_fifo_size(t->fifo) >= t->frame_size) {
        rc = sr_audio_transcode_encode_frame(t);
    }
    return rc;
}

/* ==== feed and take ==== */

/* Decode the frame in t->pkt and resample what comes out into the FIFO. */
static int sr_audio_transcode_decode(sr_audio_transcoder_t *t)
{
    const char *what = t->from == SR_CODEC_AAC ? "aac decode" : "opus decode";
    int rc = avcodec_send_packet(t->dec, t->pkt);
    av_packet_unref(t->pkt);
    if (rc < 0 && rc != AVERROR(EAGAIN)) {
        t->stats.frames_refused++;
        return sr_audio_transcode_fail(t, SR_EFORMAT, what, rc);
    }
    while ((rc = avcodec_receive_frame(t->dec, t->decoded)) == 0) {
        rc = sr_audio_transcode_resample(t, t->decoded);
        av_frame_unref(t->decoded);
        if (rc != SR_OK) {
            return rc;
        }
    }
    if (rc != AVERROR(EAGAIN) && rc != AVERROR_EOF) {
        t->stats.frames_refused++;
        return sr_audio_transcode_fail(t, SR_EFORMAT, what, rc);
    }
    t->stats.frames_in++;
    return SR_OK;
}

int sr_audio_transcoder_feed(sr_audio_transcoder_t *t, const uint8_t *frame, size_t size, int64_t pts_ms)
{
    t->log.msg[0] = '\0';
    if (!frame || size == 0 || size > INT32_MAX) {
        return sr_audio_transcode_fail(t, SR_EINVAL, "empty frame", 0);
    }
    int rc = sr_audio_transcode_follow(t, pts_ms);
    if (rc != SR_OK) {
        return rc;
    }
    /* a copy: libav reads past the end of its input (AV_INPUT_BUFFER_PADDING_SIZE) */
    if (av_new_packet(t->pkt, (int)size) < 0) {
        return -SR_ENOMEM;
    }
    memcpy(t->pkt->data, frame, size);
    int decode_rc = sr_audio_transcode_decode(t);
    /* a gap filled for this frame is encoded even when the frame itself was refused */
    rc = sr_audio_transcode_encode_ready(t);
    return decode_rc != SR_OK ? decode_rc : rc;
}

bool sr_audio_transcoder_take(sr_audio_transcoder_t *t, uint8_t *out, size_t cap, size_t *len, int64_t *pts_ms)
{
    if (t->queue_count == 0) {
        return false;
    }
    unsigned slot = t->queue_head;
    AVPacket *p = t->queue[slot];
    t->queue_head = (t->queue_head + 1) % SR_AUDIO_TRANSCODE_MAX_QUEUED;
    t->queue_count--;
    bool is_taken = (size_t)p->size <= cap;
    if (is_taken) {
        memcpy(out, p->data, (size_t)p->size);
        *len = (size_t)p->size;
        *pts_ms = t->queue_pts_ms[slot];
    } else {
        t->stats.frames_dropped++;
    }
    av_packet_unref(p);
    return is_taken;
}
