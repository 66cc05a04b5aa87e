/* SPDX-License-Identifier: MIT */
/*
 * sr_video_transcode.c: H.264 decode -> H.264 encode without B-frames, with libavcodec.
 * The decoder gets the stream in its canonical form (the record as extradata, so it
 * reads 4-byte lengths) and gives pictures in presentation order with their pts; the
 * encoder, opened at the first picture, turns each into one frame with pts == dts.
 * Encoded packets are kept as libav gives them (Annex-B) in a bounded ring and turned
 * into the canonical form when taken, on the caller's thread.
 */
#include "sr_video_transcode.h"

#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
#include <libavutil/pixdesc.h>

#include "sr_av_log.h"
#include "sr_codec.h"
#include "sr_codec_config.h"
#include "sr_error.h"

#define SR_VIDEO_TRANSCODE_RECORD_BYTES 1024
#define SR_VIDEO_TRANSCODE_FPS_DEFAULT 25
#define SR_VIDEO_TRANSCODE_FPS_MAX 120
#define SR_VIDEO_TRANSCODE_BITRATE_MIN 200000
#define SR_VIDEO_TRANSCODE_BITRATE_MAX 8000000
#define SR_VIDEO_TRANSCODE_KEY_SECONDS 10 /* the encoder's own keyframes, if the source has none */

struct sr_video_transcoder {
    sr_av_log_sink_t log; /* first: the codec contexts' opaque */
    AVCodecContext *dec, *enc;
    AVPacket *in;                     /* decoder input */
    AVPacket *coded;                  /* encoder output */
    AVFrame *picture;                 /* decoder output */
    int bitrate;                      /* 0: from the first picture */
    int64_t last_dts_ms, min_step_ms; /* input spacing, for the encoder's frame rate */
    int64_t last_pts_ms;              /* of the last picture encoded: the encoder's pts must grow */
    bool has_in, has_out, is_key_wanted;

    AVPacket *queue[SR_VIDEO_TRANSCODE_MAX_QUEUED];
    unsigned queue_head, queue_count;

    uint8_t *canonical; /* the frame last taken */
    unsigned canonical_cap;
    uint8_t record[SR_VIDEO_TRANSCODE_RECORD_BYTES];
    size_t record_size;
    uint32_t record_gen;
    sr_video_transcode_stats_t stats;
    char error[SR_VIDEO_TRANSCODE_ERROR_BYTES];
};

/* Record "what: libav error (libav's log message)" and return -code (-SR_ENOMEM for
 * libav's ENOMEM). */
static int sr_video_transcode_fail(sr_video_transcoder_t *t, int code, const char *what, int averr)
{
    sr_av_log_describe(&t->log, what, averr, t->error, sizeof(t->error));
    return averr == AVERROR(ENOMEM) ? -SR_ENOMEM : -code;
}

/* ==== setup ==== */

int sr_video_transcoder_new(const uint8_t *record, size_t size, int bitrate, sr_video_transcoder_t **out)
{
    *out = NULL;
    if (!record || size == 0 || size > INT32_MAX / 2 || bitrate < 0) {
        return -SR_EINVAL;
    }
    const AVCodec *codec = avcodec_find_decoder(AV_CODEC_ID_H264);
    if (!codec) {
        return -SR_EUNSUPPORTED;
    }
    sr_av_log_install();
    sr_video_transcoder_t *t = av_mallocz(sizeof(*t));
    if (!t) {
        return -SR_ENOMEM;
    }
    t->log.magic = SR_AV_LOG_MAGIC;
    t->bitrate = bitrate;
    t->dec = avcodec_alloc_context3(codec);
    t->in = av_packet_alloc();
    t->coded = av_packet_alloc();
    t->picture = av_frame_alloc();
    if (!t->dec || !t->in || !t->coded || !t->picture) {
        sr_video_transcoder_free(t);
        return -SR_ENOMEM;
    }
    t->dec->opaque = t;
    t->dec->thread_count = 1; /* frame threads would add a frame of delay per thread */
    t->dec->pkt_timebase = (AVRational){1, 1000};
    t->dec->extradata = av_mallocz(size + AV_INPUT_BUFFER_PADDING_SIZE);
    if (!t->dec->extradata) {
        sr_video_transcoder_free(t);
        return -SR_ENOMEM;
    }
    memcpy(t->dec->extradata, record, size);
    t->dec->extradata_size = (int)size;
    int rc = avcodec_open2(t->dec, codec, NULL);
    if (rc < 0) {
        sr_video_transcoder_free(t);
        return rc == AVERROR(ENOMEM) ? -SR_ENOMEM : -SR_EFORMAT;
    }
    *out = t;
    return SR_OK;
}

void sr_video_transcoder_free(sr_video_transcoder_t *t)
{
    if (!t) {
        return;
    }
    for (unsigned i = 0; i < t->queue_count; i++) {
        av_packet_free(&t->queue[(t->queue_head + i) % SR_VIDEO_TRANSCODE_MAX_QUEUED]);
    }
    avcodec_free_context(&t->dec);
    avcodec_free_context(&t->enc);
    av_packet_free(&t->in);
    av_packet_free(&t->coded);
    av_frame_free(&t->picture);
    av_free(t->canonical);
    t->log.magic = 0;
    av_free(t);
}

/* The best H.264 encoder libavcodec has: libx264, else libopenh264, else any. */
static const AVCodec *sr_video_transcode_find_encoder(void)
{
    const AVCodec *c = avcodec_find_encoder_by_name("libx264");
    if (!c) {
        c = avcodec_find_encoder_by_name("libopenh264");
    }
    return c ? c : avcodec_find_encoder(AV_CODEC_ID_H264);
}

static bool sr_video_transcode_takes_format(const AVCodec *c, enum AVPixelFormat fmt)
{
    if (!c->pix_fmts) {
        return fmt == AV_PIX_FMT_YUV420P;
    }
    for (const enum AVPixelFormat *p = c->pix_fmts; *p != AV_PIX_FMT_NONE; p++) {
        if (*p == fmt) {
            return true;
        }
    }
    return false;
}

/* Frames per second from the input's smallest dts step (B-frame streams have steady
 * dts), for the encoder's rate control. */
static int sr_video_transcode_fps(const sr_video_transcoder_t *t)
{
    if (t->min_step_ms <= 0) {
        return SR_VIDEO_TRANSCODE_FPS_DEFAULT;
    }
    int64_t fps = (1000 + t->min_step_ms / 2) / t->min_step_ms;
    return fps < 1 ? 1 : fps > SR_VIDEO_TRANSCODE_FPS_MAX ? SR_VIDEO_TRANSCODE_FPS_MAX : (int)fps;
}

static int sr_video_transcode_bitrate(const sr_video_transcoder_t *t, const AVFrame *f, int fps)
{
    int64_t b = t->bitrate ? t->bitrate : (int64_t)f->width * f->height * fps / 10;
    return b < SR_VIDEO_TRANSCODE_BITRATE_MIN   ? SR_VIDEO_TRANSCODE_BITRATE_MIN
           : b > SR_VIDEO_TRANSCODE_BITRATE_MAX ? SR_VIDEO_TRANSCODE_BITRATE_MAX
                                                : (int)b;
}

/* Open the encoder for pictures like f. */
static int sr_video_transcode_open_encoder(sr_video_transcoder_t *t, const AVFrame *f)
{
    const AVCodec *codec = sr_video_transcode_find_encoder();
    if (!codec) {
        return sr_video_transcode_fail(t, SR_EUNSUPPORTED, "no H.264 encoder in libavcodec", 0);
    }
    enum AVPixelFormat fmt = f->format == AV_PIX_FMT_YUVJ420P ? AV_PIX_FMT_YUV420P : (enum AVPixelFormat)f->format;
    if (f->width <= 0 || f->height <= 0 || (int64_t)f->width * f->height > SR_VIDEO_TRANSCODE_MAX_PIXELS ||
        !sr_video_transcode_takes_format(codec, fmt)) {
        return sr_video_transcode_fail(t, SR_EUNSUPPORTED, av_get_pix_fmt_name(fmt) ? av_get_pix_fmt_name(fmt) : "?",
                                       0);
    }
    t->enc = avcodec_alloc_context3(codec);
    if (!t->enc) {
        return -SR_ENOMEM;
    }
    int fps = sr_video_transcode_fps(t);
    t->enc->opaque = t;
    t->enc->width = f->width;
    t->enc->height = f->height;
    t->enc->pix_fmt = fmt;
    t->enc->color_range = f->color_range;
    t->enc->sample_aspect_ratio = f->sample_aspect_ratio;
    t->enc->time_base = (AVRational){1, 1000};
    t->enc->framerate = (AVRational){fps, 1};
    t->enc->bit_rate = sr_video_transcode_bitrate(t, f, fps);
    t->enc->rc_max_rate = t->enc->bit_rate * 3 / 2;
    t->enc->rc_buffer_size = (int)t->enc->bit_rate; /* one second of VBV: keyframes stay sendable */
    t->enc->max_b_frames = 0;
    t->enc->gop_size = fps * SR_VIDEO_TRANSCODE_KEY_SECONDS;
    t->enc->thread_count = 1; /* one worker thread per job; the pool is the parallelism */
    AVDictionary *opts = NULL;
    av_dict_set(&opts, "preset", "veryfast", 0);
    av_dict_set(&opts, "tune", "zerolatency", 0);
    av_dict_set(&opts, "profile", fmt == AV_PIX_FMT_YUV420P ? "main" : "high444", 0);
    av_dict_set(&opts, "forced-idr", "1", 0); /* a requested keyframe is an IDR a new player can start on */
    av_dict_set(&opts, "x264-params", "scenecut=0", 0);
    int rc = avcodec_open2(t->enc, codec, &opts);
    av_dict_free(&opts);
    if (rc < 0) {
        avcodec_free_context(&t->enc);
        return sr_video_transcode_fail(t, SR_EUNSUPPORTED, "open encoder", rc);
    }
    return SR_OK;
}

/* ==== feeding ==== */

/* Keep an encoded packet (moved out of t->coded); the oldest goes when full. */
static void sr_video_transcode_queue(sr_video_transcoder_t *t)
{
    if (t->queue_count == SR_VIDEO_TRANSCODE_MAX_QUEUED) {
        av_packet_free(&t->queue[t->queue_head]);
        t->queue_head = (t->queue_head + 1) % SR_VIDEO_TRANSCODE_MAX_QUEUED;
        t->queue_count--;
        t->stats.frames_dropped++;
    }
    AVPacket *p = av_packet_alloc();
    if (!p) {
        av_packet_unref(t->coded);
        t->stats.frames_dropped++;
        return;
    }
    av_packet_move_ref(p, t->coded);
    t->queue[(t->queue_head + t->queue_count) % SR_VIDEO_TRANSCODE_MAX_QUEUED] = p;
    t->queue_count++;
    t->stats.frames_out++;
}

static int sr_video_transcode_drain_encoder(sr_video_transcoder_t *t)
{
    int rc;
    while ((rc = avcodec_receive_packet(t->enc, t->coded)) == 0) {
        sr_video_transcode_queue(t);
    }
    return rc == AVERROR(EAGAIN) ? SR_OK : sr_video_transcode_fail(t, SR_EINTERNAL, "encode", rc);
}

/* Encode the decoded picture in t->picture. */
static int sr_video_transcode_encode(sr_video_transcoder_t *t)
{
    AVFrame *f = t->picture;
    if (!t->enc) {
        int rc = sr_video_transcode_open_encoder(t, f);
        if (rc != SR_OK) {
            return rc;
        }
        t->is_key_wanted = true;
    }
    if (f->width != t->enc->width || f->height != t->enc->height) {
        return sr_video_transcode_fail(t, SR_EUNSUPPORTED, "picture size changed", 0);
    }
    int64_t pts = f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : t->last_pts_ms + 1;
    if (t->has_out && pts <= t->last_pts_ms) {
        pts = t->last_pts_ms + 1; /* the encoder refuses a pts that does not grow */
    }
    t->last_pts_ms = pts;
    t->has_out = true;
    bool is_key = f->key_frame || t->is_key_wanted;
    t->is_key_wanted = false;
    f->pts = pts;
    f->pict_type = is_key ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
    f->key_frame = is_key;
    t->stats.pictures++;
    t->stats.width = f->width;
    t->stats.height = f->height;
    int rc = avcodec_send_frame(t->enc, f);
    if (rc < 0) {
        return sr_video_transcode_fail(t, SR_EINTERNAL, "encode", rc);
    }
    return sr_video_transcode_drain_encoder(t);
}

/* Follow the input's spacing for the encoder's frame rate. */
static void sr_video_transcode_track_dts(sr_video_transcoder_t *t, int64_t dts_ms)
{
    int64_t step = dts_ms - t->last_dts_ms;
    if (t->has_in && step > 0 && (t->min_step_ms == 0 || step < t->min_step_ms)) {
        t->min_step_ms = step;
    }
    t->last_dts_ms = dts_ms;
    t->has_in = true;
}

int sr_video_transcoder_feed(sr_video_transcoder_t *t, const uint8_t *frame, size_t size, int64_t dts_ms,
                             int64_t pts_ms, bool is_key)
{
    t->log.msg[0] = '\0';
    if (!frame || size == 0 || size > INT32_MAX / 2) {
        return -SR_EINVAL;
    }
    t->stats.frames_in++;
    sr_video_transcode_track_dts(t, dts_ms);
    int rc = av_new_packet(t->in, (int)size);
    if (rc < 0) {
        return sr_video_transcode_fail(t, SR_ENOMEM, "packet", rc);
    }
    memcpy(t->in->data, frame, size);
    t->in->dts = dts_ms;
    t->in->pts = pts_ms;
    t->in->flags = is_key ? AV_PKT_FLAG_KEY : 0;
    rc = avcodec_send_packet(t->dec, t->in);
    av_packet_unref(t->in);
    if (rc < 0) {
        t->stats.frames_refused++;
        return sr_video_transcode_fail(t, SR_EFORMAT, "decode", rc);
    }
    int result = SR_OK;
    while ((rc = avcodec_receive_frame(t->dec, t->picture)) == 0) {
        int erc = sr_video_transcode_encode(t);
        av_frame_unref(t->picture);
        if (erc != SR_OK && result == SR_OK) {
            result = erc; /* the next pictures are still encoded */
        }
    }
    if (rc != AVERROR(EAGAIN) && result == SR_OK) {
        t->stats.frames_refused++;
        return sr_video_transcode_fail(t, SR_EFORMAT, "decode", rc);
    }
    return result;
}

void sr_video_transcoder_request_key(sr_video_transcoder_t *t)
{
    t->is_key_wanted = true;
}

/* ==== taking ==== */

/* Update the record from a keyframe's parameter sets. */
static void sr_video_transcode_update_record(sr_video_transcoder_t *t, const sr_annexb_au_t *au)
{
    uint8_t rec[SR_VIDEO_TRANSCODE_RECORD_BYTES];
    size_t n = 0;
    if (au->ps.nb_sps == 0 ||
        sr_avc_config_write(au->ps.sps, au->ps.nb_sps, au->ps.pps, au->ps.nb_pps, rec, sizeof(rec), &n) != SR_OK) {
        return; /* no or odd parameter sets: keep the record we have */
    }
    if (n == t->record_size && memcmp(rec, t->record, n) == 0) {
        return;
    }
    memcpy(t->record, rec, n);
    t->record_size = n;
    t->record_gen++;
}

/* Turn the Annex-B packet p into the canonical frame in t->canonical. */
static bool sr_video_transcode_convert(sr_video_transcoder_t *t, const AVPacket *p, sr_video_transcode_frame_t *out)
{
    sr_annexb_au_t au;
    size_t need = 0, written = 0;
    if (sr_annexb_scan(SR_CODEC_H264, p->data, (size_t)p->size, &au) != SR_OK ||
        sr_annexb_frame_size(SR_CODEC_H264, p->data, (size_t)p->size, SR_AVC_NAL_CONFIG_TYPES, &need) != SR_OK ||
        need == 0) {
        return false;
    }
    av_fast_malloc(&t->canonical, &t->canonical_cap, need);
    if (!t->canonical || sr_annexb_frame_write(SR_CODEC_H264, p->data, (size_t)p->size, SR_AVC_NAL_CONFIG_TYPES,
                                               t->canonical, need, &written) != SR_OK) {
        return false;
    }
    bool is_key = au.has_irap || (p->flags & AV_PKT_FLAG_KEY);
    if (is_key) {
        sr_video_transcode_update_record(t, &au);
    }
    *out = (sr_video_transcode_frame_t){.data = t->canonical, .size = written, .ts_ms = p->pts, .is_key = is_key};
    return true;
}

bool sr_video_transcoder_take(sr_video_transcoder_t *t, sr_video_transcode_frame_t *out)
{
    while (t->queue_count) {
        AVPacket *p = t->queue[t->queue_head];
        t->queue_head = (t->queue_head + 1) % SR_VIDEO_TRANSCODE_MAX_QUEUED;
        t->queue_count--;
        bool ok = sr_video_transcode_convert(t, p, out);
        av_packet_free(&p);
        if (ok) {
            t->stats.keys_out += out->is_key;
            return true;
        }
        t->stats.frames_dropped++;
    }
    return false;
}

uint32_t sr_video_transcoder_config(const sr_video_transcoder_t *t, const uint8_t **data, size_t *size)
{
    *data = t->record;
    *size = t->record_size;
    return t->record_gen;
}

const char *sr_video_transcoder_encoder(const sr_video_transcoder_t *t)
{
    return t->enc ? t->enc->codec->name : "";
}

const char *sr_video_transcoder_error(const sr_video_transcoder_t *t)
{
    return t->error;
}

void sr_video_transcoder_stats(const sr_video_transcoder_t *t, sr_video_transcode_stats_t *out)
{
    *out = t->stats;
}
