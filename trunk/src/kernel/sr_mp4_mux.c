/* SPDX-License-Identifier: MIT */
/*
 * sr_mp4_mux.c: the fragmented MP4 muxer of sr_mp4.h, written from ISO/IEC 14496-12
 * (boxes), 14496-14 (mp4a/esds), 14496-1 (descriptors) and 14496-15 (avcC/hvcC). Boxes
 * are written front to back into an sr_buf_t; a box's size is patched when it ends.
 * Not here: reading MP4, sidx/mfra indexes, encryption.
 */
#include "sr_mp4.h"

#include <string.h>

#include "sr_alloc.h"
#include "sr_codec.h"
#include "sr_codec_config.h"
#include "sr_error.h"
#include "sr_flv.h"

typedef struct sr_mp4_sample {
    int64_t dts_ms;    /* input time, for sr_mp4_mux_queued_ms */
    uint64_t dts;      /* track timescale, from the muxer's origin */
    int32_t cts;       /* track timescale */
    uint32_t duration; /* track timescale; set when the next sample arrives */
    uint32_t size;
    bool is_sync;
} sr_mp4_sample_t;

typedef struct sr_mp4_track {
    bool is_set;
    uint32_t id;
    uint32_t fourcc; /* sample entry: avc1, hvc1, mp4a, Opus */
    uint32_t timescale;
    uint8_t *flv_config; /* the FLV sequence header body (Opus: the OpusHead) as configured */
    size_t flv_config_size;
    size_t config_offset; /* the record (avcC/hvcC) or ASC inside flv_config */
    uint32_t width, height;
    uint32_t sample_rate;
    uint8_t channels;
    sr_mp4_sample_t *samples; /* queued for the next fragment */
    size_t count, cap;
    sr_buf_t data;          /* the queued samples' bytes, in order */
    uint32_t last_duration; /* of the last sample written, for the final one */
    uint64_t next_dts;      /* decode times never go back */
} sr_mp4_track_t;

struct sr_mp4_mux {
    sr_mp4_track_t tracks[SR_MP4_TRACK_COUNT];
    bool is_init_written;
    bool has_origin;
    int64_t origin_ms;
    uint32_t sequence; /* mfhd sequence_number of the last fragment */
};

#define SR_MP4_FOURCC(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

/* ======================================================================== */
/* box writing                                                              */
/* ======================================================================== */

static size_t sr_mp4_box_start(sr_buf_t *b, const char *type)
{
    size_t at = b->len;
    sr_buf_put_be32(b, 0);
    sr_buf_put_bytes(b, type, 4);
    return at;
}

static size_t sr_mp4_full_box_start(sr_buf_t *b, const char *type, uint8_t version, uint32_t flags)
{
    size_t at = sr_mp4_box_start(b, type);
    sr_buf_put_be32(b, ((uint32_t)version << 24) | (flags & 0xffffff));
    return at;
}

static void sr_mp4_box_end(sr_buf_t *b, size_t at)
{
    sr_put_be32(b->data + at, (uint32_t)(b->len - at));
}

static void sr_mp4_put_zeros(sr_buf_t *b, size_t n)
{
    static const uint8_t zeros[32];
    while (n > 0) {
        size_t k = SR_MIN(n, sizeof(zeros));
        sr_buf_put_bytes(b, zeros, k);
        n -= k;
    }
}

/* The unity matrix of mvhd/tkhd (14496-12 8.2.2.3): 16.16 and 2.30 fixed point. */
static void sr_mp4_put_matrix(sr_buf_t *b)
{
    static const uint32_t m[9] = {0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000};
    for (size_t i = 0; i < 9; i++) {
        sr_buf_put_be32(b, m[i]);
    }
}

/* An empty full box with one zero count (stts, stsc, stco) or two (stsz). */
static void sr_mp4_put_empty_table(sr_buf_t *b, const char *type, int zero_words)
{
    size_t at = sr_mp4_full_box_start(b, type, 0, 0);
    for (int i = 0; i < zero_words; i++) {
        sr_buf_put_be32(b, 0);
    }
    sr_mp4_box_end(b, at);
}

/* ======================================================================== */
/* tracks                                                                   */
/* ======================================================================== */

sr_mp4_mux_t *sr_mp4_mux_new(void)
{
    sr_mp4_mux_t *m = SR_NEW(sr_mp4_mux_t);
    for (int i = 0; i < SR_MP4_TRACK_COUNT; i++) {
        sr_buf_init(&m->tracks[i].data);
    }
    return m;
}

void sr_mp4_mux_free(sr_mp4_mux_t *m)
{
    if (!m) {
        return;
    }
    for (int i = 0; i < SR_MP4_TRACK_COUNT; i++) {
        sr_free(m->tracks[i].flv_config);
        sr_free(m->tracks[i].samples);
        sr_buf_deinit(&m->tracks[i].data);
    }
    sr_free(m);
}

static void sr_mp4_track_keep_config(sr_mp4_track_t *t, const uint8_t *body, size_t size, size_t offset)
{
    sr_free(t->flv_config);
    t->flv_config = sr_malloc(size);
    memcpy(t->flv_config, body, size);
    t->flv_config_size = size;
    t->config_offset = offset;
    t->is_set = true;
}

int sr_mp4_mux_set_video(sr_mp4_mux_t *m, const uint8_t *body, size_t size)
{
    if (m->is_init_written) {
        return -SR_EINVAL;
    }
    sr_mp4_track_t *t = &m->tracks[SR_MP4_TRACK_VIDEO];
    int codec = sr_flv_video_codec(body, size);
    int rc;
    if (codec == SR_FLV_VIDEO_CODEC_AVC) {
        sr_avc_config_t c;
        if ((rc = sr_avc_parse_flv(body, size, &c)) != SR_OK) {
            return rc;
        }
        t->fourcc = SR_MP4_FOURCC('a', 'v', 'c', '1');
        t->width = c.info.width;
        t->height = c.info.height;
    } else if (codec == SR_FLV_VIDEO_CODEC_HEVC) {
        sr_hevc_config_t c;
        if ((rc = sr_hevc_parse_flv(body, size, &c)) != SR_OK) {
            return rc;
        }
        t->fourcc = SR_MP4_FOURCC('h', 'v', 'c', '1');
        t->width = c.info.width;
        t->height = c.info.height;
    } else {
        return -SR_EUNSUPPORTED;
    }
    t->timescale = SR_MP4_VIDEO_TIMESCALE;
    sr_mp4_track_keep_config(t, body, size, 5); /* both FLV forms: 5 bytes before the record */
    return SR_OK;
}

int sr_mp4_mux_set_audio(sr_mp4_mux_t *m, const uint8_t *body, size_t size)
{
    if (m->is_init_written) {
        return -SR_EINVAL;
    }
    if (sr_flv_audio_codec(body, size) != SR_FLV_AUDIO_CODEC_AAC) {
        return -SR_EUNSUPPORTED;
    }
    sr_aac_config_t c;
    int rc = sr_aac_parse_flv(body, size, &c);
    if (rc != SR_OK) {
        return rc;
    }
    sr_mp4_track_t *t = &m->tracks[SR_MP4_TRACK_AUDIO];
    t->fourcc = SR_MP4_FOURCC('m', 'p', '4', 'a');
    t->timescale = c.sample_rate;
    t->sample_rate = c.sample_rate;
    t->channels = c.channels ? c.channels : 2;
    sr_mp4_track_keep_config(t, body, size, 2);
    return SR_OK;
}

/* The audio track from the OpusHead at data + offset (data: what is kept and compared
 * by sr_mp4_mux_is_same_config, e.g. a packet's whole payload). */
static int sr_mp4_mux_set_opus_at(sr_mp4_mux_t *m, const uint8_t *data, size_t size, size_t offset)
{
    if (m->is_init_written) {
        return -SR_EINVAL;
    }
    sr_opus_head_t h;
    int rc = offset <= size ? sr_opus_head_parse(data + offset, size - offset, &h) : -SR_ETRUNCATED;
    if (rc != SR_OK) {
        return rc;
    }
    sr_mp4_track_t *t = &m->tracks[SR_MP4_TRACK_AUDIO];
    t->fourcc = SR_MP4_FOURCC('O', 'p', 'u', 's');
    t->timescale = 48000; /* Opus always decodes at 48 kHz (RFC 7845 5.1) */
    t->sample_rate = 48000;
    t->channels = h.channels;
    sr_mp4_track_keep_config(t, data, size, offset);
    return SR_OK;
}

int sr_mp4_mux_set_opus(sr_mp4_mux_t *m, const uint8_t *head, size_t size)
{
    return sr_mp4_mux_set_opus_at(m, head, size, 0);
}

int sr_mp4_mux_configure(sr_mp4_mux_t *m, const sr_packet_t *sh)
{
    const sr_payload_t *p = sh->payload;
    if (!p) {
        return -SR_EINVAL;
    }
    if (sh->type == SR_PACKET_VIDEO) {
        return sr_mp4_mux_set_video(m, p->data, p->size);
    }
    return sh->codec == SR_CODEC_OPUS ? sr_mp4_mux_set_opus_at(m, p->data, p->size, sh->body)
                                      : sr_mp4_mux_set_audio(m, p->data, p->size);
}

bool sr_mp4_mux_has_track(const sr_mp4_mux_t *m, sr_mp4_track_kind_t kind)
{
    return kind < SR_MP4_TRACK_COUNT && m->tracks[kind].is_set;
}

bool sr_mp4_mux_is_same_config(const sr_mp4_mux_t *m, sr_mp4_track_kind_t kind, const uint8_t *body, size_t size)
{
    if (!sr_mp4_mux_has_track(m, kind)) {
        return false;
    }
    const sr_mp4_track_t *t = &m->tracks[kind];
    return t->flv_config_size == size && memcmp(t->flv_config, body, size) == 0;
}

/* ======================================================================== */
/* init segment                                                             */
/* ======================================================================== */

/* A descriptor header of ISO/IEC 14496-1 8.3.3: tag, then the size in 7-bit groups. */
static void sr_mp4_put_descriptor(sr_buf_t *b, uint8_t tag, size_t size)
{
    sr_buf_put_u8(b, tag);
    int groups = size < 0x80 ? 1 : size < 0x4000 ? 2 : size < 0x200000 ? 3 : 4;
    for (int i = groups - 1; i >= 0; i--) {
        sr_buf_put_u8(b, (uint8_t)(((size >> (7 * i)) & 0x7f) | (i ? 0x80 : 0)));
    }
}

static size_t sr_mp4_descriptor_bytes(size_t size)
{
    return 1 + (size < 0x80 ? 1 : size < 0x4000 ? 2 : size < 0x200000 ? 3 : 4) + size;
}

/* esds (ISO/IEC 14496-14 5.6): ES_Descriptor > DecoderConfigDescriptor (AAC, audio
 * stream) > DecoderSpecificInfo (the ASC), then SLConfigDescriptor predefined 2. */
static void sr_mp4_put_esds(sr_buf_t *b, const uint8_t *asc, size_t asc_size)
{
    size_t dsi = sr_mp4_descriptor_bytes(asc_size);
    size_t dcd = sr_mp4_descriptor_bytes(13 + dsi);
    size_t sl = sr_mp4_descriptor_bytes(1);
    size_t at = sr_mp4_full_box_start(b, "esds", 0, 0);
    sr_mp4_put_descriptor(b, 0x03, 3 + dcd + sl);
    sr_buf_put_be16(b, 0); /* ES_ID */
    sr_buf_put_u8(b, 0);   /* no dependsOn, URL or OCR stream */
    sr_mp4_put_descriptor(b, 0x04, 13 + dsi);
    sr_buf_put_u8(b, 0x40);            /* objectTypeIndication: Audio ISO/IEC 14496-3 */
    sr_buf_put_u8(b, (0x05 << 2) | 1); /* streamType audio, upStream 0, reserved 1 */
    sr_buf_put_be24(b, 0);             /* bufferSizeDB */
    sr_buf_put_be32(b, 0);             /* maxBitrate */
    sr_buf_put_be32(b, 0);             /* avgBitrate */
    sr_mp4_put_descriptor(b, 0x05, asc_size);
    sr_buf_put_bytes(b, asc, asc_size);
    sr_mp4_put_descriptor(b, 0x06, 1);
    sr_buf_put_u8(b, 0x02);
    sr_mp4_box_end(b, at);
}

/* dOps (Encapsulation of Opus in ISO Base Media File Format, 4.3.2): the OpusHead's
 * fields, big-endian where OpusHead is little-endian. */
static void sr_mp4_put_dops(sr_buf_t *b, const uint8_t *head, size_t size)
{
    sr_opus_head_t h;
    if (sr_opus_head_parse(head, size, &h) != SR_OK) {
        return; /* not reached: the track was configured from it */
    }
    size_t at = sr_mp4_box_start(b, "dOps");
    sr_buf_put_u8(b, 0); /* Version */
    sr_buf_put_u8(b, h.channels);
    sr_buf_put_be16(b, h.pre_skip);
    sr_buf_put_be32(b, h.input_sample_rate);
    sr_buf_put_be16(b, (uint16_t)h.output_gain);
    sr_buf_put_u8(b, h.mapping_family);
    if (h.mapping_family != 0) {
        sr_buf_put_u8(b, h.streams);
        sr_buf_put_u8(b, h.coupled);
        sr_buf_put_bytes(b, h.mapping, h.channels);
    }
    sr_mp4_box_end(b, at);
}

static void sr_mp4_put_sample_entry(sr_buf_t *b, const sr_mp4_track_t *t)
{
    const uint8_t *record = t->flv_config + t->config_offset;
    size_t record_size = t->flv_config_size - t->config_offset;
    char type[5];
    sr_put_be32((uint8_t *)type, t->fourcc);
    size_t at = sr_mp4_box_start(b, type);
    sr_mp4_put_zeros(b, 6);
    sr_buf_put_be16(b, 1); /* data_reference_index */
    bool is_opus = t->fourcc == SR_MP4_FOURCC('O', 'p', 'u', 's');
    if (is_opus || t->fourcc == SR_MP4_FOURCC('m', 'p', '4', 'a')) {
        /* AudioSampleEntry (14496-12 12.2.3) */
        sr_mp4_put_zeros(b, 8);
        sr_buf_put_be16(b, t->channels);
        sr_buf_put_be16(b, 16); /* samplesize */
        sr_mp4_put_zeros(b, 4);
        sr_buf_put_be32(b, t->sample_rate <= 0xffff ? t->sample_rate << 16 : 0);
        if (is_opus) {
            sr_mp4_put_dops(b, record, record_size);
        } else {
            sr_mp4_put_esds(b, record, record_size);
        }
    } else {
        /* VisualSampleEntry (14496-12 12.1.3) */
        sr_mp4_put_zeros(b, 16);
        sr_buf_put_be16(b, (uint16_t)t->width);
        sr_buf_put_be16(b, (uint16_t)t->height);
        sr_buf_put_be32(b, 0x00480000); /* 72 dpi */
        sr_buf_put_be32(b, 0x00480000);
        sr_buf_put_be32(b, 0);
        sr_buf_put_be16(b, 1);   /* frame_count */
        sr_mp4_put_zeros(b, 32); /* compressorname */
        sr_buf_put_be16(b, 0x0018);
        sr_buf_put_be16(b, 0xffff);
        size_t c = sr_mp4_box_start(b, t->fourcc == SR_MP4_FOURCC('a', 'v', 'c', '1') ? "avcC" : "hvcC");
        sr_buf_put_bytes(b, record, record_size);
        sr_mp4_box_end(b, c);
    }
    sr_mp4_box_end(b, at);
}

static void sr_mp4_put_stbl(sr_buf_t *b, const sr_mp4_track_t *t)
{
    size_t stbl = sr_mp4_box_start(b, "stbl");
    size_t stsd = sr_mp4_full_box_start(b, "stsd", 0, 0);
    sr_buf_put_be32(b, 1);
    sr_mp4_put_sample_entry(b, t);
    sr_mp4_box_end(b, stsd);
    sr_mp4_put_empty_table(b, "stts", 1);
    sr_mp4_put_empty_table(b, "stsc", 1);
    sr_mp4_put_empty_table(b, "stsz", 2);
    sr_mp4_put_empty_table(b, "stco", 1);
    sr_mp4_box_end(b, stbl);
}

static void sr_mp4_put_minf(sr_buf_t *b, const sr_mp4_track_t *t, bool is_video)
{
    size_t minf = sr_mp4_box_start(b, "minf");
    if (is_video) {
        size_t at = sr_mp4_full_box_start(b, "vmhd", 0, 1);
        sr_mp4_put_zeros(b, 8); /* graphicsmode, opcolor */
        sr_mp4_box_end(b, at);
    } else {
        size_t at = sr_mp4_full_box_start(b, "smhd", 0, 0);
        sr_mp4_put_zeros(b, 4); /* balance, reserved */
        sr_mp4_box_end(b, at);
    }
    size_t dinf = sr_mp4_box_start(b, "dinf");
    size_t dref = sr_mp4_full_box_start(b, "dref", 0, 0);
    sr_buf_put_be32(b, 1);
    sr_mp4_box_end(b, sr_mp4_full_box_start(b, "url ", 0, 1)); /* media in this file */
    sr_mp4_box_end(b, dref);
    sr_mp4_box_end(b, dinf);
    sr_mp4_put_stbl(b, t);
    sr_mp4_box_end(b, minf);
}

static void sr_mp4_put_trak(sr_buf_t *b, const sr_mp4_track_t *t, bool is_video)
{
    size_t trak = sr_mp4_box_start(b, "trak");
    size_t tkhd = sr_mp4_full_box_start(b, "tkhd", 0, 0x000003); /* enabled, in movie */
    sr_mp4_put_zeros(b, 8);                                      /* creation, modification */
    sr_buf_put_be32(b, t->id);
    sr_mp4_put_zeros(b, 4 + 4 + 8 + 2 + 2); /* reserved, duration, reserved, layer, group */
    sr_buf_put_be16(b, is_video ? 0 : 0x0100);
    sr_buf_put_be16(b, 0);
    sr_mp4_put_matrix(b);
    sr_buf_put_be32(b, is_video ? t->width << 16 : 0);
    sr_buf_put_be32(b, is_video ? t->height << 16 : 0);
    sr_mp4_box_end(b, tkhd);
    size_t mdia = sr_mp4_box_start(b, "mdia");
    size_t mdhd = sr_mp4_full_box_start(b, "mdhd", 0, 0);
    sr_mp4_put_zeros(b, 8);
    sr_buf_put_be32(b, t->timescale);
    sr_buf_put_be32(b, 0);      /* duration: in the fragments */
    sr_buf_put_be16(b, 0x55c4); /* language "und", ISO-639-2/T packed */
    sr_buf_put_be16(b, 0);
    sr_mp4_box_end(b, mdhd);
    size_t hdlr = sr_mp4_full_box_start(b, "hdlr", 0, 0);
    sr_buf_put_be32(b, 0);
    sr_buf_put_bytes(b, is_video ? "vide" : "soun", 4);
    sr_mp4_put_zeros(b, 12);
    const char *name = is_video ? "VideoHandler" : "SoundHandler";
    sr_buf_put_bytes(b, name, strlen(name) + 1);
    sr_mp4_box_end(b, hdlr);
    sr_mp4_put_minf(b, t, is_video);
    sr_mp4_box_end(b, mdia);
    sr_mp4_box_end(b, trak);
}

static void sr_mp4_put_mvhd(sr_buf_t *b, uint32_t next_track_id)
{
    size_t at = sr_mp4_full_box_start(b, "mvhd", 0, 0);
    sr_mp4_put_zeros(b, 8);
    sr_buf_put_be32(b, 1000); /* timescale */
    sr_buf_put_be32(b, 0);    /* duration: in the fragments */
    sr_buf_put_be32(b, 0x00010000);
    sr_buf_put_be16(b, 0x0100);
    sr_mp4_put_zeros(b, 10);
    sr_mp4_put_matrix(b);
    sr_mp4_put_zeros(b, 24); /* pre_defined */
    sr_buf_put_be32(b, next_track_id);
    sr_mp4_box_end(b, at);
}

int sr_mp4_mux_write_init(sr_mp4_mux_t *m, sr_buf_t *out)
{
    if (m->is_init_written || (!m->tracks[0].is_set && !m->tracks[1].is_set)) {
        return -SR_EINVAL;
    }
    uint32_t id = 0;
    for (int i = 0; i < SR_MP4_TRACK_COUNT; i++) {
        m->tracks[i].id = m->tracks[i].is_set ? ++id : 0;
    }
    size_t ftyp = sr_mp4_box_start(out, "ftyp");
    sr_buf_put_bytes(out, "iso5", 4);
    sr_buf_put_be32(out, 512);
    sr_buf_put_bytes(out, "iso5iso6mp41", 12);
    sr_mp4_box_end(out, ftyp);
    size_t moov = sr_mp4_box_start(out, "moov");
    sr_mp4_put_mvhd(out, id + 1);
    for (int i = 0; i < SR_MP4_TRACK_COUNT; i++) {
        if (m->tracks[i].is_set) {
            sr_mp4_put_trak(out, &m->tracks[i], i == SR_MP4_TRACK_VIDEO);
        }
    }
    size_t mvex = sr_mp4_box_start(out, "mvex");
    for (int i = 0; i < SR_MP4_TRACK_COUNT; i++) {
        if (m->tracks[i].is_set) {
            size_t trex = sr_mp4_full_box_start(out, "trex", 0, 0);
            sr_buf_put_be32(out, m->tracks[i].id);
            sr_buf_put_be32(out, 1); /* default_sample_description_index */
            sr_mp4_put_zeros(out, 12);
            sr_mp4_box_end(out, trex);
        }
    }
    sr_mp4_box_end(out, mvex);
    sr_mp4_box_end(out, moov);
    m->is_init_written = true;
    return SR_OK;
}

/* ======================================================================== */
/* samples                                                                  */
/* ======================================================================== */

static uint64_t sr_mp4_to_timescale(int64_t ms, uint32_t timescale)
{
    return ms <= 0 ? 0 : (uint64_t)((ms * (int64_t)timescale + 500) / 1000);
}

int sr_mp4_mux_add_sample(sr_mp4_mux_t *m, sr_mp4_track_kind_t kind, int64_t dts_ms, int32_t cts_ms, bool is_sync,
                          const uint8_t *data, size_t size)
{
    if (!m->is_init_written || !sr_mp4_mux_has_track(m, kind) || size > UINT32_MAX) {
        return -SR_EINVAL;
    }
    if (!m->has_origin) {
        m->has_origin = true;
        m->origin_ms = dts_ms;
    }
    sr_mp4_track_t *t = &m->tracks[kind];
    uint64_t dts = sr_mp4_to_timescale(dts_ms - m->origin_ms, t->timescale);
    dts = SR_MAX(dts, t->next_dts);
    if (t->count > 0) {
        sr_mp4_sample_t *prev = &t->samples[t->count - 1];
        prev->duration = (uint32_t)(dts - prev->dts);
    }
    if (t->count == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->samples = sr_realloc(t->samples, t->cap * sizeof(*t->samples));
    }
    int64_t cts = ((int64_t)cts_ms * t->timescale) / 1000;
    t->samples[t->count++] = (sr_mp4_sample_t){
        .dts_ms = dts_ms, .dts = dts, .cts = (int32_t)cts, .size = (uint32_t)size, .is_sync = is_sync};
    t->next_dts = dts;
    sr_buf_put_bytes(&t->data, data, size);
    return SR_OK;
}

/* Where the coded data starts in a video tag body: legacy 5 bytes (header, packet type,
 * composition time); Enhanced RTMP CodedFrames 8 (with composition time), CodedFramesX 5. */
static int sr_mp4_video_data_offset(const uint8_t *body, size_t size, size_t *offset)
{
    if (size < 5) {
        return -SR_EFORMAT;
    }
    if (body[0] & 0x80) {
        unsigned packet_type = body[0] & 0x0f;
        if (packet_type != 1 && packet_type != 3) {
            return -SR_EFORMAT;
        }
        *offset = packet_type == 1 ? 8 : 5;
    } else {
        if (body[1] != 1) {
            return -SR_EFORMAT; /* AVCPacketType 1: NAL units */
        }
        *offset = 5;
    }
    return *offset <= size ? SR_OK : -SR_EFORMAT;
}

int sr_mp4_mux_add_flv(sr_mp4_mux_t *m, uint8_t type, int64_t dts_ms, int64_t pts_ms, const uint8_t *body, size_t size)
{
    size_t offset = 0;
    if (type == 9) {
        int rc = sr_mp4_video_data_offset(body, size, &offset);
        if (rc != SR_OK) {
            return rc;
        }
        bool is_key = sr_flv_video_is_keyframe(body, size);
        return sr_mp4_mux_add_sample(m, SR_MP4_TRACK_VIDEO, dts_ms, (int32_t)(pts_ms - dts_ms), is_key, body + offset,
                                     size - offset);
    }
    if (type == 8) {
        if (size < 2 || sr_flv_audio_codec(body, size) != SR_FLV_AUDIO_CODEC_AAC || body[1] != 1) {
            return -SR_EFORMAT;
        }
        return sr_mp4_mux_add_sample(m, SR_MP4_TRACK_AUDIO, dts_ms, 0, true, body + 2, size - 2);
    }
    return -SR_EFORMAT;
}

int sr_mp4_mux_add_packet(sr_mp4_mux_t *m, const sr_packet_t *pkt)
{
    if (pkt->codec != SR_CODEC_OPUS) {
        return sr_mp4_mux_add_flv(m, pkt->type, pkt->dts, pkt->pts, pkt->payload->data, pkt->payload->size);
    }
    size_t size;
    const uint8_t *data = sr_packet_body(pkt, &size);
    return sr_mp4_mux_add_sample(m, SR_MP4_TRACK_AUDIO, pkt->dts, 0, true, data, size);
}

int64_t sr_mp4_mux_queued_ms(const sr_mp4_mux_t *m)
{
    int64_t ms = 0;
    for (int i = 0; i < SR_MP4_TRACK_COUNT; i++) {
        const sr_mp4_track_t *t = &m->tracks[i];
        if (t->count > 1) {
            ms = SR_MAX(ms, t->samples[t->count - 1].dts_ms - t->samples[0].dts_ms);
        }
    }
    return ms;
}

size_t sr_mp4_mux_queued_samples(const sr_mp4_mux_t *m)
{
    return m->tracks[0].count + m->tracks[1].count;
}

/* ======================================================================== */
/* fragments                                                                */
/* ======================================================================== */

static bool sr_mp4_track_is_audio(const sr_mp4_track_t *t)
{
    return t->fourcc == SR_MP4_FOURCC('m', 'p', '4', 'a') || t->fourcc == SR_MP4_FOURCC('O', 'p', 'u', 's');
}

/* The default duration of a track's only sample. */
static uint32_t sr_mp4_default_duration(const sr_mp4_track_t *t)
{
    if (t->last_duration) {
        return t->last_duration;
    }
    if (t->fourcc == SR_MP4_FOURCC('O', 'p', 'u', 's')) {
        return SR_MP4_OPUS_FRAME_SAMPLES;
    }
    return t->fourcc == SR_MP4_FOURCC('m', 'p', '4', 'a') ? SR_MP4_AAC_FRAME_SAMPLES : SR_MP4_VIDEO_DEFAULT_MS;
}

/* traf (14496-12 8.8.6): tfhd with default-base-is-moof, tfdt, trun with every sample's
 * duration, size, flags and (video) signed composition offset. Returns where trun's
 * data_offset is, to patch once the moof size is known. */
static size_t sr_mp4_put_traf(sr_buf_t *b, const sr_mp4_track_t *t, size_t n)
{
    bool is_video = !sr_mp4_track_is_audio(t);
    size_t traf = sr_mp4_box_start(b, "traf");
    size_t tfhd = sr_mp4_full_box_start(b, "tfhd", 0, 0x020000);
    sr_buf_put_be32(b, t->id);
    sr_mp4_box_end(b, tfhd);
    size_t tfdt = sr_mp4_full_box_start(b, "tfdt", 1, 0);
    sr_buf_put_be64(b, t->samples[0].dts);
    sr_mp4_box_end(b, tfdt);
    uint32_t flags = 0x000001 | 0x000100 | 0x000200 | 0x000400 | (is_video ? 0x000800 : 0);
    size_t trun = sr_mp4_full_box_start(b, "trun", 1, flags);
    sr_buf_put_be32(b, (uint32_t)n);
    size_t data_offset_at = b->len;
    sr_buf_put_be32(b, 0);
    for (size_t i = 0; i < n; i++) {
        const sr_mp4_sample_t *s = &t->samples[i];
        sr_buf_put_be32(b, s->duration);
        sr_buf_put_be32(b, s->size);
        sr_buf_put_be32(b, s->is_sync ? SR_MP4_FLAGS_SYNC : SR_MP4_FLAGS_NON_SYNC);
        if (is_video) {
            sr_buf_put_be32(b, (uint32_t)s->cts);
        }
    }
    sr_mp4_box_end(b, trun);
    sr_mp4_box_end(b, traf);
    return data_offset_at;
}

/* Drop the first n samples of t (written) and their bytes. */
static void sr_mp4_track_consume(sr_mp4_track_t *t, size_t n, size_t bytes)
{
    if (n > 0) {
        t->last_duration = t->samples[n - 1].duration;
    }
    memmove(t->samples, t->samples + n, (t->count - n) * sizeof(*t->samples));
    t->count -= n;
    memmove(t->data.data, t->data.data + bytes, t->data.len - bytes);
    t->data.len -= bytes;
}

/* The duration of a track's newest sample when it is written before the next arrives:
 * until end_ms for video when that is later (the next frame's time, known to the
 * caller), else its predecessor's (audio frames all last the same). */
static uint32_t sr_mp4_last_duration(const sr_mp4_mux_t *m, const sr_mp4_track_t *t, size_t n, int64_t end_ms)
{
    const sr_mp4_sample_t *last = &t->samples[n - 1];
    bool is_video = !sr_mp4_track_is_audio(t);
    if (is_video && end_ms != SR_MP4_END_UNKNOWN && m->has_origin) {
        uint64_t end = sr_mp4_to_timescale(end_ms - m->origin_ms, t->timescale);
        if (end > last->dts && end - last->dts < UINT32_MAX) {
            return (uint32_t)(end - last->dts);
        }
    }
    return n > 1 ? t->samples[n - 2].duration : sr_mp4_default_duration(t);
}

static size_t sr_mp4_mux_write(sr_mp4_mux_t *m, sr_buf_t *out, bool is_final, int64_t end_ms)
{
    size_t ready[SR_MP4_TRACK_COUNT], bytes[SR_MP4_TRACK_COUNT], offset_at[SR_MP4_TRACK_COUNT], total = 0;
    for (int i = 0; i < SR_MP4_TRACK_COUNT; i++) {
        sr_mp4_track_t *t = &m->tracks[i];
        ready[i] = t->count > 0 ? (is_final ? t->count : t->count - 1) : 0;
        if (is_final && ready[i] > 0) {
            t->samples[ready[i] - 1].duration = sr_mp4_last_duration(m, t, ready[i], end_ms);
        }
        bytes[i] = 0;
        for (size_t k = 0; k < ready[i]; k++) {
            bytes[i] += t->samples[k].size;
        }
        total += ready[i];
    }
    if (total == 0) {
        return 0;
    }
    size_t moof = sr_mp4_box_start(out, "moof");
    size_t mfhd = sr_mp4_full_box_start(out, "mfhd", 0, 0);
    sr_buf_put_be32(out, ++m->sequence);
    sr_mp4_box_end(out, mfhd);
    for (int i = 0; i < SR_MP4_TRACK_COUNT; i++) {
        offset_at[i] = ready[i] ? sr_mp4_put_traf(out, &m->tracks[i], ready[i]) : 0;
    }
    sr_mp4_box_end(out, moof);
    size_t mdat_bytes = 8 + bytes[0] + bytes[1];
    sr_buf_put_be32(out, (uint32_t)mdat_bytes);
    sr_buf_put_bytes(out, "mdat", 4);
    for (int i = 0; i < SR_MP4_TRACK_COUNT; i++) {
        if (ready[i]) {
            /* data_offset: from the moof's first byte to this track's first sample */
            sr_put_be32(out->data + offset_at[i], (uint32_t)(out->len - moof));
            sr_buf_put_bytes(out, m->tracks[i].data.data, bytes[i]);
            sr_mp4_track_consume(&m->tracks[i], ready[i], bytes[i]);
        }
    }
    return total;
}

size_t sr_mp4_mux_write_fragment(sr_mp4_mux_t *m, sr_buf_t *out, bool is_final)
{
    return sr_mp4_mux_write(m, out, is_final, SR_MP4_END_UNKNOWN);
}

size_t sr_mp4_mux_write_fragment_until(sr_mp4_mux_t *m, sr_buf_t *out, int64_t end_ms)
{
    return sr_mp4_mux_write(m, out, true, end_ms);
}
