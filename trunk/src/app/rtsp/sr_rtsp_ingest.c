/* SPDX-License-Identifier: MIT */
/*
 * sr_rtsp_ingest.c: one depacketizer per track. RTP stamps video frames with their
 * presentation time only; their decode time comes from sr_dts_order, so streams with
 * B-frames (ffmpeg's default) reach FLV, TS and MP4 with valid timestamps.
 */
#include "sr_rtsp_ingest.h"

#include <string.h>

#include "sr_alloc.h"
#include "sr_codec_config.h"
#include "sr_dts_order.h"
#include "sr_error.h"
#include "sr_log.h"
#include "sr_rtcp.h"
#include "sr_rtp.h"
#include "sr_rtp_aac.h"
#include "sr_rtp_nal.h"
#include "sr_rtp_timeline.h"
#include "sr_time.h"

#define SR_RTSP_INGEST_VIDEO_WINDOW 512
#define SR_RTSP_INGEST_AUDIO_WINDOW 64
#define SR_RTSP_INGEST_VIDEO_WAIT_US (100 * SR_UTIME_MS) /* a reordered packet over UDP */
#define SR_RTSP_INGEST_AUDIO_WAIT_US (60 * SR_UTIME_MS)

typedef struct sr_rtsp_in {
    struct sr_rtsp_ingest *owner;
    sr_rtsp_track_t track;
    sr_rtp_clock_t clock;
    sr_rtp_nal_depack_t *nal;   /* H.264, H.265 */
    sr_rtp_reorder_t *reorder;  /* audio: Opus and G.711 one frame per packet, AAC into aac */
    sr_rtp_aac_depack_t *aac;   /* mpeg4-generic */
    sr_rtp_latm_depack_t *latm; /* MP4A-LATM */
    bool has_sent_config;
    int64_t last_dts;
    sr_dts_order_t order; /* video */
} sr_rtsp_in_t;

struct sr_rtsp_ingest {
    sr_publish_t *session;
    sr_rtp_timeline_t timeline;
    sr_rtsp_in_t tracks[SR_RTSP_MAX_TRACKS];
    size_t nb_tracks;
    sr_utime_t t0_us;
    uint64_t frames, packets;
};

static int64_t sr_rtsp_ingest_now_ms(const sr_rtsp_ingest_t *in)
{
    return (int64_t)((sr_time_mono_us() - in->t0_us) / SR_UTIME_MS);
}

/* One frame (or config) into the source with its decode and presentation times. */
static void sr_rtsp_ingest_put(sr_rtsp_in_t *t, uint8_t flags, int64_t dts, int64_t pts, const uint8_t *data,
                               size_t size)
{
    sr_packet_t pkt;
    uint8_t *dst = sr_packet_init_frame(&pkt, t->track.codec, flags, dts, pts, size);
    memcpy(dst, data, size);
    sr_publish_frame(t->owner->session, &pkt);
    sr_packet_deinit(&pkt);
    if (!(flags & SR_PACKET_IS_SEQUENCE_HEADER)) {
        t->owner->frames++;
    }
}

/* An audio frame (or config) at ms, never before the one before it. */
static void sr_rtsp_ingest_frame(sr_rtsp_in_t *t, uint8_t flags, int64_t ms, const uint8_t *data, size_t size)
{
    ms = SR_MAX(ms, t->last_dts);
    t->last_dts = ms;
    sr_rtsp_ingest_put(t, flags, ms, ms, data, size);
}

/* A video frame presented at ms, with its config first when it brings one: both at the
 * frame's decode time (sr_dts_order). */
static void sr_rtsp_ingest_video(sr_rtsp_in_t *t, bool is_key, int64_t ms, const uint8_t *data, size_t size,
                                 const uint8_t *config, size_t config_size)
{
    int64_t pts = ms;
    int64_t dts = sr_dts_order_next(&t->order, &pts);
    if (config) {
        sr_rtsp_ingest_put(t, SR_PACKET_IS_SEQUENCE_HEADER, dts, dts, config, config_size);
    }
    sr_rtsp_ingest_put(t, is_key ? SR_PACKET_IS_KEYFRAME : 0, dts, pts, data, size);
}

/* The config from the SDP once, before the first frame of an audio track. */
static void sr_rtsp_ingest_audio_config(sr_rtsp_in_t *t, int64_t ms)
{
    if (t->has_sent_config) {
        return;
    }
    t->has_sent_config = true;
    if (t->track.config_size) {
        sr_rtsp_ingest_frame(t, SR_PACKET_IS_SEQUENCE_HEADER, ms, t->track.config, t->track.config_size);
    }
}

/* The reorder depth an H.264 record's SPS declares, if it does. */
static void sr_rtsp_ingest_avc_depth(sr_rtsp_in_t *t, const uint8_t *record, size_t size)
{
    sr_avc_config_t c;
    if (sr_avc_parse_config(record, size, &c) == SR_OK && c.info.has_reorder) {
        sr_dts_order_set_depth(&t->order, c.info.max_num_reorder_frames);
    }
    sr_err_clear();
}

static void sr_rtsp_ingest_on_nal(void *arg, const sr_rtp_nal_frame_t *f)
{
    sr_rtsp_in_t *t = arg;
    if (f->config && t->track.codec == SR_CODEC_H264) {
        sr_rtsp_ingest_avc_depth(t, f->config, f->config_size);
    }
    int64_t ms = sr_rtp_timeline_ms(&t->owner->timeline, &t->clock, sr_rtp_clock_ext(&t->clock, f->rtp_ts));
    sr_rtsp_ingest_video(t, f->is_keyframe, ms, f->data, f->size, f->config, f->config_size);
}

/* Audio formats with one frame per packet: Opus, G.711. */
static void sr_rtsp_ingest_on_audio(void *arg, const sr_rtp_packet_t *pkt, uint32_t lost)
{
    SR_UNUSED(lost);
    sr_rtsp_in_t *t = arg;
    if (pkt->payload_size == 0) {
        return;
    }
    int64_t ms = sr_rtp_timeline_ms(&t->owner->timeline, &t->clock, sr_rtp_clock_ext(&t->clock, pkt->ts));
    sr_rtsp_ingest_audio_config(t, ms);
    sr_rtsp_ingest_frame(t, 0, ms, pkt->payload, pkt->payload_size);
}

static void sr_rtsp_ingest_on_aac(void *arg, const uint8_t *au, size_t size, uint32_t rtp_ts)
{
    sr_rtsp_in_t *t = arg;
    int64_t ms = sr_rtp_timeline_ms(&t->owner->timeline, &t->clock, sr_rtp_clock_ext(&t->clock, rtp_ts));
    sr_rtsp_ingest_audio_config(t, ms);
    sr_rtsp_ingest_frame(t, 0, ms, au, size);
}

static void sr_rtsp_ingest_on_aac_packet(void *arg, const sr_rtp_packet_t *pkt, uint32_t lost)
{
    sr_rtsp_in_t *t = arg;
    if (t->latm) {
        sr_rtp_latm_depack_push(t->latm, pkt, lost);
    } else {
        sr_rtp_aac_depack_push(t->aac, pkt, lost);
    }
}

/* AAC as mpeg4-generic or MP4A-LATM with the AudioSpecificConfig from the SDP; false
 * when it cannot be carried (no config, an AU-header layout we do not read). */
static bool sr_rtsp_ingest_open_aac(sr_rtsp_in_t *t)
{
    sr_rtp_aac_format_t format;
    sr_aac_config_t asc;
    if (!t->track.config_size || sr_aac_parse_config(t->track.config, t->track.config_size, &asc) != SR_OK ||
        (!t->track.is_latm && sr_rtp_aac_format(t->track.fmtp, strlen(t->track.fmtp), &format) != SR_OK)) {
        sr_err_clear();
        return false;
    }
    /* an SBR stream clocked at its output rate counts 2048 of its samples per AU */
    uint32_t samples = asc.has_sbr && asc.ext_sample_rate && t->track.clock == asc.ext_sample_rate ? 2048 : 1024;
    if (t->track.is_latm) {
        t->latm = sr_malloc(sizeof(*t->latm));
        sr_rtp_latm_depack_init(t->latm, samples, sr_rtsp_ingest_on_aac, t);
    } else {
        t->aac = sr_malloc(sizeof(*t->aac));
        sr_rtp_aac_depack_init(t->aac, &format, samples, sr_rtsp_ingest_on_aac, t);
    }
    t->reorder =
        sr_rtp_reorder_new(SR_RTSP_INGEST_AUDIO_WINDOW, SR_RTSP_INGEST_AUDIO_WAIT_US, sr_rtsp_ingest_on_aac_packet, t);
    return true;
}

static void sr_rtsp_ingest_open(sr_rtsp_ingest_t *in, sr_rtsp_in_t *t)
{
    switch (t->track.codec) {
    case SR_CODEC_H264:
    case SR_CODEC_H265:
        t->nal = sr_rtp_nal_depack_new(t->track.codec, SR_RTSP_INGEST_VIDEO_WINDOW, SR_RTSP_INGEST_VIDEO_WAIT_US,
                                       sr_rtsp_ingest_on_nal, t);
        if (t->track.config_size && sr_rtp_nal_depack_set_config(t->nal, t->track.config, t->track.config_size)) {
            sr_err_clear(); /* the parameter sets come in-band then */
        }
        if (t->track.codec == SR_CODEC_H264) {
            sr_rtsp_ingest_avc_depth(t, t->track.config, t->track.config_size);
        }
        break;
    case SR_CODEC_OPUS:
        if (!t->track.config_size) {
            sr_opus_head_t head;
            if (sr_opus_head_default(t->track.channels, &head) == SR_OK) {
                sr_opus_head_write(&head, t->track.config, sizeof(t->track.config), &t->track.config_size);
            }
            sr_err_clear();
        }
        /* fall through */
    case SR_CODEC_G711A:
    case SR_CODEC_G711U:
        t->reorder =
            sr_rtp_reorder_new(SR_RTSP_INGEST_AUDIO_WINDOW, SR_RTSP_INGEST_AUDIO_WAIT_US, sr_rtsp_ingest_on_audio, t);
        break;
    case SR_CODEC_AAC:
        if (sr_rtsp_ingest_open_aac(t)) {
            break;
        }
        /* fall through */
    default:
        sr_trace("rtsp ingest: %s track %s is not carried yet", sr_codec_id_name(t->track.codec), t->track.control);
        t->track.codec = SR_CODEC_NONE;
        return;
    }
    sr_rtp_timeline_add(&in->timeline, &t->clock);
}

sr_rtsp_ingest_t *sr_rtsp_ingest_new(sr_publish_t *session, const sr_rtsp_track_t *tracks, size_t n)
{
    sr_rtsp_ingest_t *in = SR_NEW(sr_rtsp_ingest_t);
    in->session = session;
    in->t0_us = sr_time_mono_us();
    sr_rtp_timeline_init(&in->timeline);
    in->nb_tracks = SR_MIN(n, SR_RTSP_MAX_TRACKS);
    /* video first: the timeline's reference */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < in->nb_tracks; i++) {
            sr_rtsp_in_t *t = &in->tracks[i];
            if (tracks[i].is_video != (pass == 0)) {
                continue;
            }
            t->owner = in;
            t->track = tracks[i];
            sr_rtp_clock_init(&t->clock, t->track.clock);
            sr_dts_order_init(&t->order);
            if (t->track.codec != SR_CODEC_NONE) {
                sr_rtsp_ingest_open(in, t);
            }
        }
    }
    return in;
}

void sr_rtsp_ingest_free(sr_rtsp_ingest_t *in)
{
    if (!in) {
        return;
    }
    for (size_t i = 0; i < in->nb_tracks; i++) {
        sr_rtsp_in_t *t = &in->tracks[i];
        if (t->nal) {
            sr_rtp_nal_depack_flush(t->nal);
            sr_rtp_nal_depack_free(t->nal);
        }
        if (t->reorder) {
            sr_rtp_reorder_flush(t->reorder);
            sr_rtp_reorder_free(t->reorder);
        }
        sr_free(t->aac);
        sr_free(t->latm);
    }
    sr_free(in);
}

static void sr_rtsp_ingest_rtcp(sr_rtsp_in_t *t, const uint8_t *data, size_t len)
{
    sr_rtcp_iter_t it;
    sr_rtcp_packet_t pk;
    sr_rtcp_iter_init(&it, data, len);
    while (sr_rtcp_next(&it, &pk) == SR_OK) {
        sr_rtcp_sr_t sr;
        if (pk.pt == SR_RTCP_SR && sr_rtcp_parse_sr(&pk, &sr) == SR_OK) {
            sr_rtp_clock_on_sr(&t->clock, sr.rtp_ts, sr.ntp);
        }
    }
    sr_err_clear();
}

void sr_rtsp_ingest_packet(sr_rtsp_ingest_t *in, size_t track, bool is_rtcp, const uint8_t *data, size_t len)
{
    if (track >= in->nb_tracks || in->tracks[track].track.codec == SR_CODEC_NONE) {
        return;
    }
    sr_rtsp_in_t *t = &in->tracks[track];
    if (is_rtcp) {
        sr_rtsp_ingest_rtcp(t, data, len);
        return;
    }
    sr_rtp_packet_t rtp;
    if (sr_rtp_parse(data, len, &rtp) != SR_OK) {
        sr_err_clear();
        return;
    }
    in->packets++;
    sr_rtp_clock_push(&t->clock, rtp.ts, sr_rtsp_ingest_now_ms(in));
    int64_t now = (int64_t)sr_time_mono_us();
    if (t->nal) {
        sr_rtp_nal_depack_push(t->nal, &rtp, now);
    } else if (t->reorder) {
        sr_rtp_reorder_push(t->reorder, &rtp, now);
    }
}

void sr_rtsp_ingest_tick(sr_rtsp_ingest_t *in)
{
    int64_t now = (int64_t)sr_time_mono_us();
    for (size_t i = 0; i < in->nb_tracks; i++) {
        sr_rtsp_in_t *t = &in->tracks[i];
        if (t->nal) {
            sr_rtp_nal_depack_tick(t->nal, now);
        }
        if (t->reorder) {
            sr_rtp_reorder_tick(t->reorder, now);
        }
    }
}

uint64_t sr_rtsp_ingest_frames(const sr_rtsp_ingest_t *in)
{
    return in->frames;
}

uint64_t sr_rtsp_ingest_packets(const sr_rtsp_ingest_t *in)
{
    return in->packets;
}
