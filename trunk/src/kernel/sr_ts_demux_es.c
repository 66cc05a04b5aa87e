/* SPDX-License-Identifier: MIT */
/*
 * sr_ts_demux_es.c: the elementary-stream half of the TS demuxer (sr_ts_demux.h):
 * one PES payload of a known codec in, canonical frames out (sr_codec_id.h), with
 * the codec's config frame first when it is new. Annex-B video (ITU-T H.264/H.265
 * Annex B) through sr_codec_config.h; ADTS (ISO/IEC 14496-3 1.A.2); MPEG audio frame
 * headers (ISO/IEC 11172-3 2.4.2.3, ISO/IEC 13818-3 2.4.2.3); Opus access units with
 * their opus_control_header (the ETSI draft "Opus Interactive Audio Codec Transport
 * Multiplexing Standard", 2013, as ffmpeg writes it) and Opus packet durations from
 * the TOC byte (RFC 6716 3.1). Not here: TS packets, PSI, PES headers (sr_ts_demux.c).
 */
#include <string.h>

#include "sr_codec_config.h"
#include "sr_error.h"
#include "sr_ts_demux_internal.h"

#define SR_TS_OPUS_RATE 48000
#define SR_TS_AAC_FRAME_SAMPLES 1024
/* pts - dts of a frame must fit the 24-bit signed composition time of FLV */
#define SR_TS_CTS_MAX ((1 << 23) - 1)

/* ======================================================================== */
/* frames out                                                               */
/* ======================================================================== */

/* 90 kHz to ms, rounding down also below zero. */
static int64_t sr_ts_demux_ms(int64_t t90k)
{
    return t90k >= 0 ? t90k / 90 : -((-t90k + 89) / 90);
}

/* A frame of codec holding size bytes at data, handed to the callee. */
static void sr_ts_demux_emit(sr_ts_demuxer_t *d, sr_codec_id_t codec, uint8_t flags, int64_t dts_90k, int64_t pts_90k,
                             const uint8_t *data, size_t size)
{
    sr_packet_t pkt;
    int64_t dts = sr_ts_demux_ms(dts_90k);
    int64_t pts = sr_ts_demux_ms(pts_90k);
    if (pts - dts > SR_TS_CTS_MAX || dts - pts > SR_TS_CTS_MAX) {
        pts = dts;
    }
    uint8_t *out = sr_packet_init_frame(&pkt, codec, flags, dts, pts, size);
    memcpy(out, data, size);
    d->stats.frames++;
    d->on_frame(d->arg, &pkt);
}

/* Send config[0..size) as st's config frame unless it is the one sent last. */
static void sr_ts_demux_config(sr_ts_demuxer_t *d, sr_ts_demux_stream_t *st, const uint8_t *config, size_t size,
                               int64_t ts_90k)
{
    if (st->has_config && st->config.len == size && memcmp(st->config.data, config, size) == 0) {
        return;
    }
    sr_buf_reset(&st->config);
    sr_buf_put_bytes(&st->config, config, size);
    st->has_config = true;
    bool is_video = sr_codec_id_is_video((sr_codec_id_t)st->codec);
    uint8_t flags = SR_PACKET_IS_SEQUENCE_HEADER | (is_video ? SR_PACKET_IS_KEYFRAME : 0);
    sr_ts_demux_emit(d, (sr_codec_id_t)st->codec, flags, ts_90k, ts_90k, st->config.data, st->config.len);
}

static int64_t sr_ts_demux_audio_ts(const sr_ts_demux_stream_t *st)
{
    return st->base_90k + (int64_t)(st->samples * 90000 / st->rate);
}

/* Audio timestamps: a PES with a PTS sets the base, each frame advances the sample
 * count, and the time of a frame is computed from the base so no rounding adds up. */
static void sr_ts_demux_audio_base(sr_ts_demux_stream_t *st, bool has_pts, int64_t pts_90k, uint32_t rate)
{
    if (has_pts || st->rate != rate) {
        if (!has_pts) { /* the rate changed in a PES without PTS: go on from where it was */
            pts_90k = st->rate ? sr_ts_demux_audio_ts(st) : st->last_dts_90k;
        }
        st->base_90k = pts_90k;
        st->samples = 0;
        st->rate = rate;
    }
}

/* ======================================================================== */
/* H.264 / H.265                                                            */
/* ======================================================================== */

/* The record of the parameter sets in ps, sent when it changed. */
static int sr_ts_demux_video_config(sr_ts_demuxer_t *d, sr_ts_demux_stream_t *st, const sr_codec_param_sets_t *ps,
                                    int64_t dts_90k)
{
    size_t cap = 64, n = 0;
    for (size_t i = 0; i < ps->nb_vps; i++) {
        cap += 2 + ps->vps[i].size;
    }
    for (size_t i = 0; i < ps->nb_sps; i++) {
        cap += 2 + ps->sps[i].size;
    }
    for (size_t i = 0; i < ps->nb_pps; i++) {
        cap += 2 + ps->pps[i].size;
    }
    sr_buf_reset(&d->scratch);
    sr_buf_reserve(&d->scratch, cap);
    int rc = st->codec == SR_CODEC_H264
                 ? sr_avc_config_write(ps->sps, ps->nb_sps, ps->pps, ps->nb_pps, d->scratch.data, cap, &n)
                 : sr_hevc_config_write(ps->vps, ps->nb_vps, ps->sps, ps->nb_sps, ps->pps, ps->nb_pps, d->scratch.data,
                                        cap, &n);
    if (rc == SR_OK) {
        sr_ts_demux_config(d, st, d->scratch.data, n, dts_90k);
    }
    return rc;
}

/* One access unit in Annex B: its config when the parameter sets changed, then the
 * frame without them. */
static void sr_ts_demux_video(sr_ts_demuxer_t *d, sr_ts_demux_stream_t *st, const uint8_t *es, size_t size,
                              bool has_pts, int64_t pts_90k, int64_t dts_90k)
{
    sr_codec_id_t codec = (sr_codec_id_t)st->codec;
    uint64_t drop = codec == SR_CODEC_H264 ? SR_AVC_NAL_CONFIG_TYPES : SR_HEVC_NAL_CONFIG_TYPES;
    sr_annexb_au_t au;
    size_t n = 0;
    if (!has_pts) {
        pts_90k = dts_90k = st->last_dts_90k;
    }
    if (sr_annexb_scan(codec, es, size, &au) != SR_OK || sr_annexb_frame_size(codec, es, size, drop, &n) != SR_OK) {
        d->stats.pes_errors++;
        d->stats.dropped++;
        return;
    }
    if (au.ps.nb_sps > 0 && sr_ts_demux_video_config(d, st, &au.ps, dts_90k) != SR_OK) {
        d->stats.pes_errors++; /* parameter sets that do not parse: keep the last config */
    }
    if (n == 0) {
        return; /* only parameter sets or delimiters */
    }
    if (!st->has_config) {
        d->stats.dropped++;
        return;
    }
    sr_packet_t pkt;
    int64_t dts = sr_ts_demux_ms(dts_90k);
    int64_t pts = sr_ts_demux_ms(pts_90k);
    if (pts - dts > SR_TS_CTS_MAX || dts - pts > SR_TS_CTS_MAX) {
        pts = dts;
    }
    uint8_t flags = au.has_irap ? SR_PACKET_IS_KEYFRAME : 0;
    uint8_t *out = sr_packet_init_frame(&pkt, codec, flags, dts, pts, n);
    sr_annexb_frame_write(codec, es, size, drop, out, n, &n); /* sized just above: cannot fail */
    d->stats.frames++;
    d->on_frame(d->arg, &pkt);
}

/* ======================================================================== */
/* AAC in ADTS                                                              */
/* ======================================================================== */

static void sr_ts_demux_aac(sr_ts_demuxer_t *d, sr_ts_demux_stream_t *st, const uint8_t *es, size_t size, bool has_pts,
                            int64_t pts_90k, int64_t dts_90k)
{
    for (size_t pos = 0; pos < size; has_pts = false) {
        sr_aac_adts_t h;
        uint8_t asc[8];
        size_t asc_bytes = 0;
        if (sr_aac_adts_parse(es + pos, size - pos, &h) != SR_OK || h.frame_bytes > size - pos) {
            d->stats.pes_errors++;
            d->stats.dropped++;
            return;
        }
        const uint8_t *raw = es + pos + h.header_bytes;
        size_t raw_bytes = h.frame_bytes - h.header_bytes;
        pos += h.frame_bytes;
        sr_ts_demux_audio_base(st, has_pts, pts_90k, h.config.sample_rate);
        int64_t ts = sr_ts_demux_audio_ts(st);
        st->samples += (uint64_t)SR_TS_AAC_FRAME_SAMPLES * h.raw_blocks;
        if (h.raw_blocks != 1 || sr_aac_config_write(&h.config, asc, sizeof(asc), &asc_bytes) != SR_OK) {
            d->stats.dropped++; /* several raw blocks would need splitting; odd configs */
            continue;
        }
        sr_ts_demux_config(d, st, asc, asc_bytes, ts);
        if (raw_bytes > 0) {
            sr_ts_demux_emit(d, SR_CODEC_AAC, 0, ts, ts, raw, raw_bytes);
        }
    }
}

/* ======================================================================== */
/* MPEG audio (MP3, and layers I/II under the same codec id)                */
/* ======================================================================== */

/* kbit/s by [MPEG-1 0, MPEG-2/2.5 1][layer I 0, II 1, III 2][bitrate_index 1..14] */
static const uint16_t sr_ts_mpa_kbps[2][3][15] = {
    {{0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
     {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
     {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320}},
    {{0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
     {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
     {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160}},
};
static const uint32_t sr_ts_mpa_rates[3] = {44100, 48000, 32000};

/* The MPEG audio frame header at p: frame bytes, samples and rate. False when p holds
 * no valid header, or a free-format one (bitrate_index 0: no length to split by). */
static bool sr_ts_mpa_header(const uint8_t *p, size_t n, size_t *bytes, uint32_t *samples, uint32_t *rate)
{
    if (n < 4 || p[0] != 0xff || (p[1] & 0xe0) != 0xe0) {
        return false;
    }
    uint8_t version = (p[1] >> 3) & 0x03; /* 0 MPEG-2.5, 1 reserved, 2 MPEG-2, 3 MPEG-1 */
    uint8_t layer = 4 - ((p[1] >> 1) & 0x03);
    uint8_t bitrate_index = p[2] >> 4, rate_index = (p[2] >> 2) & 0x03, padding = (p[2] >> 1) & 0x01;
    if (version == 1 || layer == 4 || bitrate_index == 0 || bitrate_index == 15 || rate_index == 3) {
        return false;
    }
    bool is_lsf = version != 3;
    uint32_t bps = 1000u * sr_ts_mpa_kbps[is_lsf][layer - 1][bitrate_index];
    *rate = sr_ts_mpa_rates[rate_index] >> (version == 3 ? 0 : version == 2 ? 1 : 2);
    if (layer == 1) {
        *samples = 384;
        *bytes = (12 * bps / *rate + padding) * 4;
    } else {
        *samples = layer == 3 && is_lsf ? 576 : 1152;
        *bytes = *samples / 8 * bps / *rate + padding;
    }
    return true;
}

static void sr_ts_demux_mp3(sr_ts_demuxer_t *d, sr_ts_demux_stream_t *st, const uint8_t *es, size_t size, bool has_pts,
                            int64_t pts_90k, int64_t dts_90k)
{
    for (size_t pos = 0; pos < size; has_pts = false) {
        size_t bytes = 0;
        uint32_t samples = 0, rate = 0;
        if (!sr_ts_mpa_header(es + pos, size - pos, &bytes, &samples, &rate)) {
            if (pos == 0 && has_pts) { /* free format: the PES as one frame */
                sr_ts_demux_emit(d, SR_CODEC_MP3, 0, pts_90k, pts_90k, es, size);
            } else {
                d->stats.pes_errors++;
                d->stats.dropped++;
            }
            return;
        }
        if (bytes > size - pos) {
            d->stats.pes_errors++;
            d->stats.dropped++;
            return;
        }
        sr_ts_demux_audio_base(st, has_pts, pts_90k, rate);
        int64_t ts = sr_ts_demux_audio_ts(st);
        st->samples += samples;
        sr_ts_demux_emit(d, SR_CODEC_MP3, 0, ts, ts, es + pos, bytes);
        pos += bytes;
    }
}

/* ======================================================================== */
/* Opus                                                                     */
/* ======================================================================== */

/* Samples at 48 kHz of an Opus packet from its TOC byte (RFC 6716 3.1); 0 if empty. */
static uint32_t sr_ts_opus_samples(const uint8_t *p, size_t n)
{
    static const uint16_t silk[4] = {480, 960, 1920, 2880}, celt[4] = {120, 240, 480, 960};
    if (n == 0) {
        return 0;
    }
    uint8_t config = p[0] >> 3, code = p[0] & 0x03;
    uint32_t frame = config < 12 ? silk[config & 3] : config < 16 ? (config & 1 ? 960u : 480u) : celt[config & 3];
    uint32_t frames = code == 0 ? 1 : code < 3 ? 2 : n >= 2 ? (p[1] & 0x3fu) : 0;
    return frame * frames;
}

/* The opus_control_header at p: prefix 0x3ff (11 bits), trim and extension flags,
 * au_size in 0xff-continued bytes, then the optional trims and extension. Sets the
 * header and access unit sizes; false if malformed or the unit runs past n. */
static bool sr_ts_opus_control(const uint8_t *p, size_t n, size_t *header, size_t *au)
{
    if (n < 3 || p[0] != 0x7f || (p[1] & 0xe0) != 0xe0) {
        return false;
    }
    bool has_start_trim = p[1] & 0x10, has_end_trim = p[1] & 0x08, has_extension = p[1] & 0x04;
    size_t pos = 2, size = 0;
    uint8_t b;
    do {
        if (pos >= n) {
            return false;
        }
        b = p[pos++];
        size += b;
    } while (b == 0xff);
    pos += (has_start_trim ? 2 : 0) + (has_end_trim ? 2 : 0);
    if (has_extension) {
        if (pos >= n) {
            return false;
        }
        pos += 1 + (size_t)p[pos];
    }
    if (pos > n || size > n - pos) {
        return false;
    }
    *header = pos;
    *au = size;
    return true;
}

static void sr_ts_demux_opus(sr_ts_demuxer_t *d, sr_ts_demux_stream_t *st, const uint8_t *es, size_t size, bool has_pts,
                             int64_t pts_90k, int64_t dts_90k)
{
    if (!st->has_config) {
        sr_opus_head_t head;
        uint8_t out[SR_OPUS_HEAD_MIN_BYTES];
        size_t n = 0;
        if (sr_opus_head_default(st->opus_channels ? st->opus_channels : 2, &head) != SR_OK ||
            sr_opus_head_write(&head, out, sizeof(out), &n) != SR_OK) {
            d->stats.dropped++; /* more than 2 channels: no mapping table known */
            return;
        }
        sr_ts_demux_audio_base(st, has_pts, pts_90k, SR_TS_OPUS_RATE);
        sr_ts_demux_config(d, st, out, n, sr_ts_demux_audio_ts(st));
    }
    for (size_t pos = 0; pos < size; has_pts = false) {
        size_t header = 0, au = 0;
        if (!sr_ts_opus_control(es + pos, size - pos, &header, &au)) {
            d->stats.pes_errors++;
            d->stats.dropped++;
            return;
        }
        const uint8_t *packet = es + pos + header;
        pos += header + au;
        sr_ts_demux_audio_base(st, has_pts, pts_90k, SR_TS_OPUS_RATE);
        int64_t ts = sr_ts_demux_audio_ts(st);
        st->samples += sr_ts_opus_samples(packet, au);
        if (au > 0) {
            sr_ts_demux_emit(d, SR_CODEC_OPUS, 0, ts, ts, packet, au);
        }
    }
}

/* ======================================================================== */
/* dispatch                                                                 */
/* ======================================================================== */

typedef void (*sr_ts_demux_es_fn)(sr_ts_demuxer_t *d, sr_ts_demux_stream_t *st, const uint8_t *es, size_t size,
                                  bool has_pts, int64_t pts_90k, int64_t dts_90k);

static const struct {
    uint8_t codec;
    sr_ts_demux_es_fn fn;
} sr_ts_demux_es_table[] = {
    {SR_CODEC_H264, sr_ts_demux_video}, {SR_CODEC_H265, sr_ts_demux_video}, {SR_CODEC_AAC, sr_ts_demux_aac},
    {SR_CODEC_MP3, sr_ts_demux_mp3},    {SR_CODEC_OPUS, sr_ts_demux_opus},
};

void sr_ts_demux__es(sr_ts_demuxer_t *d, sr_ts_demux_stream_t *st, const uint8_t *es, size_t size, bool has_pts,
                     int64_t pts_90k, int64_t dts_90k)
{
    for (size_t i = 0; i < SR_ARRAY_SIZE(sr_ts_demux_es_table); i++) {
        if (sr_ts_demux_es_table[i].codec == st->codec) {
            sr_ts_demux_es_table[i].fn(d, st, es, size, has_pts, pts_90k, dts_90k);
            return;
        }
    }
}
