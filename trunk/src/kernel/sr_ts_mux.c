/* SPDX-License-Identifier: MIT */
/*
 * sr_ts_mux.c: the MPEG-TS muxer of sr_ts.h. Section and field references are to
 * ISO/IEC 13818-1 (2.4.3 transport packets, 2.4.3.4 adaptation field, 2.4.3.6 PES,
 * 2.4.4 PSI, 2.6 descriptors), ITU-T H.264 7.3.2.4 / H.265 7.3.2.5 (access unit
 * delimiters), ISO/IEC 14496-3 1.A.2 (ADTS, built by sr_codec) and, for Opus, the ETSI
 * draft "Opus Interactive Audio Codec Transport Multiplexing Standard" v0.1.3 (2013):
 * 6.1 registration and Opus audio descriptors, 6.2 opus_control_header.
 */
#include "sr_ts.h"

#include <string.h>

#include "sr_alloc.h"
#include "sr_codec.h"
#include "sr_codec_config.h"
#include "sr_error.h"

#define SR_TS_PAYLOAD_BYTES 184
#define SR_TS_PES_VIDEO 0xe0
#define SR_TS_PES_AUDIO 0xc0
#define SR_TS_MASK_33 0x1ffffffffLL
#define SR_TS_AF_RANDOM_ACCESS 0x40
#define SR_TS_AF_PCR 0x10
#define SR_TS_MAX_ES 8
#define SR_TS_MAX_DESC 32 /* 8 streams of 5 + 32 bytes fit one PMT packet */
#define SR_TS_PES_PRIVATE_1 0xbd
#define SR_TS_OPUS_PREFIX 0x7fe0 /* opus_control_header: 0x3ff, no trims, no extension */

/* ======================================================================== */
/* CRC32/MPEG-2 and PSI                                                     */
/* ======================================================================== */

uint32_t sr_ts_crc32(const uint8_t *data, size_t size)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < size; i++) {
        crc ^= (uint32_t)data[i] << 24;
        for (int b = 0; b < 8; b++) {
            crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04c11db7u : crc << 1;
        }
    }
    return crc;
}

/* TS header of a packet whose payload starts a PSI section or PES (pusi). */
static void sr_ts_header(uint8_t *p, uint16_t pid, bool pusi, bool has_af, uint8_t cc)
{
    p[0] = SR_TS_SYNC_BYTE;
    p[1] = (uint8_t)((pusi ? 0x40 : 0) | ((pid >> 8) & 0x1f));
    p[2] = (uint8_t)pid;
    p[3] = (uint8_t)((has_af ? 0x30 : 0x10) | (cc & 0x0f));
}

/* Finish a section written at s (table_id first) of body_len bytes after the 3-byte
 * section header: set section_length, append the CRC, pad the packet with 0xff. */
static void sr_ts_finish_section(uint8_t *pkt, uint8_t *s, size_t body_len)
{
    size_t section_length = body_len + 4; /* + CRC */
    s[1] = (uint8_t)(0xb0 | ((section_length >> 8) & 0x0f));
    s[2] = (uint8_t)section_length;
    uint8_t *crc_at = s + 3 + body_len;
    sr_put_be32(crc_at, sr_ts_crc32(s, 3 + body_len));
    uint8_t *end = crc_at + 4;
    memset(end, 0xff, (size_t)(pkt + SR_TS_PACKET_BYTES - end));
}

void sr_ts_write_pat(uint8_t out[SR_TS_PACKET_BYTES], uint16_t pmt_pid, uint8_t version, uint8_t cc)
{
    sr_ts_header(out, SR_TS_PID_PAT, true, false, cc);
    out[4] = 0; /* pointer_field */
    uint8_t *s = out + 5;
    s[0] = 0x00; /* table_id: program_association_section */
    sr_put_be16(s + 3, SR_TS_STREAM_ID);
    s[5] = (uint8_t)(0xc1 | ((version & 0x1f) << 1)); /* reserved, version, current_next_indicator */
    s[6] = 0;                                         /* section_number */
    s[7] = 0;                                         /* last_section_number */
    sr_put_be16(s + 8, SR_TS_PROGRAM_NUMBER);
    sr_put_be16(s + 10, (uint16_t)(0xe000 | (pmt_pid & 0x1fff)));
    sr_ts_finish_section(out, s, 9);
}

void sr_ts_write_pmt(uint8_t out[SR_TS_PACKET_BYTES], uint16_t pmt_pid, uint8_t version, uint8_t cc, uint16_t pcr_pid,
                     const sr_ts_es_t *es, size_t count)
{
    count = SR_MIN(count, (size_t)SR_TS_MAX_ES);
    sr_ts_header(out, pmt_pid, true, false, cc);
    out[4] = 0; /* pointer_field */
    uint8_t *s = out + 5;
    s[0] = 0x02; /* table_id: TS_program_map_section */
    sr_put_be16(s + 3, SR_TS_PROGRAM_NUMBER);
    s[5] = (uint8_t)(0xc1 | ((version & 0x1f) << 1));
    s[6] = 0;
    s[7] = 0;
    sr_put_be16(s + 8, (uint16_t)(0xe000 | (pcr_pid & 0x1fff)));
    sr_put_be16(s + 10, 0xf000); /* program_info_length 0 */
    uint8_t *p = s + 12;
    for (size_t i = 0; i < count; i++) {
        size_t dlen = es[i].desc ? SR_MIN(es[i].desc_len, SR_TS_MAX_DESC) : 0;
        p[0] = es[i].stream_type;
        sr_put_be16(p + 1, (uint16_t)(0xe000 | (es[i].pid & 0x1fff)));
        sr_put_be16(p + 3, (uint16_t)(0xf000 | dlen)); /* ES_info_length */
        if (dlen) {
            memcpy(p + 5, es[i].desc, dlen);
        }
        p += 5 + dlen;
    }
    sr_ts_finish_section(out, s, (size_t)(p - s) - 3);
}

/* ======================================================================== */
/* PES                                                                      */
/* ======================================================================== */

/* A 33-bit timestamp with its 4-bit prefix and marker bits (2.4.3.7). */
static void sr_ts_put_timestamp(uint8_t *p, uint8_t prefix, int64_t ts)
{
    uint64_t v = (uint64_t)ts & SR_TS_MASK_33;
    p[0] = (uint8_t)((prefix << 4) | ((v >> 29) & 0x0e) | 1);
    p[1] = (uint8_t)(v >> 22);
    p[2] = (uint8_t)(((v >> 14) & 0xfe) | 1);
    p[3] = (uint8_t)(v >> 7);
    p[4] = (uint8_t)(((v << 1) & 0xfe) | 1);
}

/* The PES header for es_size bytes of payload; returns its length (14 or 19). */
static size_t sr_ts_pes_header(const sr_ts_pes_t *pes, size_t es_size, uint8_t *h)
{
    bool has_dts = pes->dts_90k != pes->pts_90k;
    size_t data_len = has_dts ? 10 : 5;
    size_t pes_len = 3 + data_len + es_size;
    h[0] = 0;
    h[1] = 0;
    h[2] = 1;
    h[3] = pes->stream_id;
    sr_put_be16(h + 4, (uint16_t)(pes->is_unbounded || pes_len > 0xffff ? 0 : pes_len));
    h[6] = 0x80;                  /* '10', not scrambled, no flags */
    h[7] = has_dts ? 0xc0 : 0x80; /* PTS_DTS_flags */
    h[8] = (uint8_t)data_len;     /* PES_header_data_length */
    sr_ts_put_timestamp(h + 9, has_dts ? 3 : 2, pes->pts_90k);
    if (has_dts) {
        sr_ts_put_timestamp(h + 14, 1, pes->dts_90k);
    }
    return 9 + data_len;
}

/* Adaptation field of one packet into af (length byte first); returns its total size. */
static size_t sr_ts_adaptation(uint8_t *af, const sr_ts_pes_t *pes, bool first, size_t left)
{
    size_t n = 0;
    if (first && (pes->has_pcr || pes->is_random_access)) {
        af[1] = (uint8_t)((pes->is_random_access ? SR_TS_AF_RANDOM_ACCESS : 0) | (pes->has_pcr ? SR_TS_AF_PCR : 0));
        n = 2;
        if (pes->has_pcr) {
            uint64_t base = (uint64_t)pes->dts_90k & SR_TS_MASK_33; /* PCR = DTS, extension 0 */
            af[2] = (uint8_t)(base >> 25);
            af[3] = (uint8_t)(base >> 17);
            af[4] = (uint8_t)(base >> 9);
            af[5] = (uint8_t)(base >> 1);
            af[6] = (uint8_t)(((base & 1) << 7) | 0x7e);
            af[7] = 0;
            n = 8;
        }
    }
    size_t room = SR_TS_PAYLOAD_BYTES - n;
    if (left < room) { /* stuffing (2.4.3.5): grow the adaptation field */
        size_t stuff = room - left;
        if (n == 0 && stuff == 1) {
            n = 1; /* adaptation_field_length 0 */
        } else {
            if (n == 0) {
                af[1] = 0;
                n = 2;
                stuff -= 2;
            }
            memset(af + n, 0xff, stuff);
            n += stuff;
        }
    }
    if (n > 0) {
        af[0] = (uint8_t)(n - 1);
    }
    return n;
}

void sr_ts_write_pes(sr_buf_t *out, const sr_ts_pes_t *pes, const uint8_t *es, size_t es_size, uint8_t *cc)
{
    uint8_t hdr[19];
    size_t hlen = sr_ts_pes_header(pes, es_size, hdr);
    size_t total = hlen + es_size;
    size_t done = 0;
    while (done < total) {
        bool first = done == 0;
        sr_buf_reserve(out, SR_TS_PACKET_BYTES);
        uint8_t *p = out->data + out->len;
        size_t af_len = sr_ts_adaptation(p + 4, pes, first, total - done);
        sr_ts_header(p, pes->pid, first, af_len > 0, *cc);
        *cc = (uint8_t)((*cc + 1) & 0x0f);
        uint8_t *dst = p + 4 + af_len;
        size_t n = SR_TS_PAYLOAD_BYTES - af_len;
        for (size_t i = 0; i < n; i++, done++) {
            dst[i] = done < hlen ? hdr[done] : es[done - hlen];
        }
        out->len += SR_TS_PACKET_BYTES;
    }
}

/* ======================================================================== */
/* the muxer: codec state                                                   */
/* ======================================================================== */

struct sr_ts_muxer {
    int video_codec;          /* SR_CODEC_H264/H265, SR_CODEC_NONE none */
    uint8_t audio_type;       /* SR_TS_STREAM_AAC/MPEG*_AUDIO/PRIVATE (Opus), 0 none */
    uint8_t opus_channels;    /* Opus: 1 or 2 (the channel_config_code) */
    bool is_opus_unsupported; /* the last OpusHead had more than 2 channels */
    sr_packet_t video_sh;     /* holds the record the configs point into */
    sr_packet_t audio_sh;
    sr_avc_config_t avc;
    sr_hevc_config_t hevc;
    sr_aac_config_t aac;
    bool has_video_config;
    bool has_aac_config;
    bool need_psi;       /* start of a segment */
    int psi_video_codec; /* what the last PMT announced */
    uint8_t psi_audio_type;
    uint8_t psi_opus_channels;
    uint8_t pmt_version;
    uint8_t cc_pat, cc_pmt, cc_video, cc_audio;
    sr_buf_t es; /* scratch: one access unit */
};

sr_ts_muxer_t *sr_ts_muxer_new(void)
{
    sr_ts_muxer_t *m = SR_NEW(sr_ts_muxer_t);
    m->need_psi = true;
    sr_buf_init(&m->es);
    return m;
}

void sr_ts_muxer_free(sr_ts_muxer_t *m)
{
    if (!m) {
        return;
    }
    sr_packet_deinit(&m->video_sh);
    sr_packet_deinit(&m->audio_sh);
    sr_buf_deinit(&m->es);
    sr_free(m);
}

void sr_ts_muxer_start_segment(sr_ts_muxer_t *m)
{
    m->need_psi = true;
}

bool sr_ts_muxer_has_video(const sr_ts_muxer_t *m)
{
    return m->video_codec != 0;
}

bool sr_ts_muxer_has_audio(const sr_ts_muxer_t *m)
{
    return m->audio_type != 0;
}

/* PAT + PMT when a segment starts or the set of streams changed. */
static void sr_ts_muxer_psi(sr_ts_muxer_t *m, sr_buf_t *out)
{
    bool changed = m->psi_video_codec != m->video_codec || m->psi_audio_type != m->audio_type ||
                   m->psi_opus_channels != m->opus_channels;
    if (!m->need_psi && !changed) {
        return;
    }
    if (changed && (m->psi_video_codec || m->psi_audio_type)) {
        m->pmt_version = (uint8_t)((m->pmt_version + 1) & 0x1f);
    }
    sr_ts_es_t es[2];
    size_t n = 0;
    if (m->video_codec) {
        es[n++] = (sr_ts_es_t){m->video_codec == SR_CODEC_H265 ? SR_TS_STREAM_H265 : SR_TS_STREAM_H264, SR_TS_PID_VIDEO,
                               NULL, 0};
    }
    /* Opus (draft 6.1): registration "Opus"; extension descriptor, Opus audio
     * descriptor, channel_config_code = channels (1 mono, 2 stereo) */
    const uint8_t opus_desc[] = {
        SR_TS_DESC_REGISTRATION, 4, 'O', 'p', 'u', 's', SR_TS_DESC_EXTENSION, 2, SR_TS_DESC_OPUS_AUDIO,
        m->opus_channels};
    if (m->audio_type) {
        bool is_opus = m->audio_type == SR_TS_STREAM_PRIVATE;
        es[n++] = (sr_ts_es_t){m->audio_type, SR_TS_PID_AUDIO, is_opus ? opus_desc : NULL,
                               is_opus ? (uint8_t)sizeof(opus_desc) : 0};
    }
    uint16_t pcr_pid = m->video_codec ? SR_TS_PID_VIDEO : SR_TS_PID_AUDIO;
    sr_buf_reserve(out, 2 * SR_TS_PACKET_BYTES);
    sr_ts_write_pat(out->data + out->len, SR_TS_PID_PMT, 0, m->cc_pat);
    m->cc_pat = (uint8_t)((m->cc_pat + 1) & 0x0f);
    sr_ts_write_pmt(out->data + out->len + SR_TS_PACKET_BYTES, SR_TS_PID_PMT, m->pmt_version, m->cc_pmt, pcr_pid, es,
                    n);
    m->cc_pmt = (uint8_t)((m->cc_pmt + 1) & 0x0f);
    out->len += 2 * SR_TS_PACKET_BYTES;
    m->need_psi = false;
    m->psi_video_codec = m->video_codec;
    m->psi_audio_type = m->audio_type;
    m->psi_opus_channels = m->opus_channels;
}

static int sr_ts_muxer_video_sh(sr_ts_muxer_t *m, const sr_packet_t *pkt, int codec)
{
    size_t n = 0;
    const uint8_t *record = sr_packet_body(pkt, &n);
    sr_avc_config_t avc;
    sr_hevc_config_t hevc;
    int rc = codec == SR_CODEC_H264 ? sr_avc_parse_config(record, n, &avc) : sr_hevc_parse_config(record, n, &hevc);
    if (rc != SR_OK) {
        return rc;
    }
    sr_packet_deinit(&m->video_sh);
    sr_packet_copy(&m->video_sh, pkt); /* the configs point into this payload */
    if (codec == SR_CODEC_H264) {
        m->avc = avc;
    } else {
        m->hevc = hevc;
    }
    m->video_codec = codec;
    m->has_video_config = true;
    return SR_OK;
}

static int sr_ts_muxer_audio_sh(sr_ts_muxer_t *m, const sr_packet_t *pkt)
{
    sr_aac_config_t aac;
    size_t n = 0;
    const uint8_t *asc = sr_packet_body(pkt, &n);
    int rc = sr_aac_parse_config(asc, n, &aac);
    if (rc != SR_OK) {
        return rc;
    }
    sr_packet_deinit(&m->audio_sh);
    sr_packet_copy(&m->audio_sh, pkt);
    m->aac = aac;
    m->has_aac_config = true;
    m->audio_type = SR_TS_STREAM_AAC;
    return SR_OK;
}

/* ======================================================================== */
/* the muxer: frames                                                        */
/* ======================================================================== */

static const uint8_t sr_ts_start_code[4] = {0, 0, 0, 1};

static void sr_ts_put_nal(sr_buf_t *b, const uint8_t *nal, size_t size)
{
    sr_buf_put_bytes(b, sr_ts_start_code, sizeof(sr_ts_start_code));
    sr_buf_put_bytes(b, nal, size);
}

static int sr_ts_nal_type(int codec, uint8_t first)
{
    return codec == SR_CODEC_H265 ? (first >> 1) & 0x3f : first & 0x1f;
}

static bool sr_ts_nal_is_irap(int codec, int type)
{
    return codec == SR_CODEC_H265 ? type >= 16 && type <= 21 : type == 5;
}

/* Check the length-prefixed NAL units of data and whether one is an IDR/IRAP. */
static int sr_ts_scan_nalus(const sr_ts_muxer_t *m, const uint8_t *data, size_t size, bool *is_irap)
{
    size_t len_size = m->video_codec == SR_CODEC_H265 ? m->hevc.nal_length_size : m->avc.nal_length_size;
    size_t pos = 0;
    while (pos < size) {
        if (size - pos < len_size) {
            return -SR_EFORMAT;
        }
        size_t len = 0;
        for (size_t i = 0; i < len_size; i++) {
            len = (len << 8) | data[pos + i];
        }
        pos += len_size;
        if (len == 0 || len > size - pos) {
            return -SR_EFORMAT;
        }
        *is_irap = *is_irap || sr_ts_nal_is_irap(m->video_codec, sr_ts_nal_type(m->video_codec, data[pos]));
        pos += len;
    }
    return SR_OK;
}

/* AUD, parameter sets before an IRAP picture, then the NAL units (their own AUDs dropped). */
static void sr_ts_build_annexb(sr_ts_muxer_t *m, const uint8_t *data, size_t size, bool is_irap)
{
    bool hevc = m->video_codec == SR_CODEC_H265;
    static const uint8_t aud_avc[] = {0x09, 0xf0};        /* primary_pic_type 7: any */
    static const uint8_t aud_hevc[] = {0x46, 0x01, 0x50}; /* type 35, pic_type 2: any */
    sr_buf_reset(&m->es);
    sr_ts_put_nal(&m->es, hevc ? aud_hevc : aud_avc, hevc ? sizeof(aud_hevc) : sizeof(aud_avc));
    if (is_irap && hevc) {
        for (int i = 0; i < m->hevc.nb_vps; i++) {
            sr_ts_put_nal(&m->es, m->hevc.vps[i].data, m->hevc.vps[i].size);
        }
        for (int i = 0; i < m->hevc.nb_sps; i++) {
            sr_ts_put_nal(&m->es, m->hevc.sps[i].data, m->hevc.sps[i].size);
        }
        for (int i = 0; i < m->hevc.nb_pps; i++) {
            sr_ts_put_nal(&m->es, m->hevc.pps[i].data, m->hevc.pps[i].size);
        }
    } else if (is_irap) {
        for (int i = 0; i < m->avc.nb_sps; i++) {
            sr_ts_put_nal(&m->es, m->avc.sps[i].data, m->avc.sps[i].size);
        }
        for (int i = 0; i < m->avc.nb_pps; i++) {
            sr_ts_put_nal(&m->es, m->avc.pps[i].data, m->avc.pps[i].size);
        }
    }
    size_t len_size = hevc ? m->hevc.nal_length_size : m->avc.nal_length_size;
    for (size_t pos = 0; pos < size;) {
        size_t len = 0;
        for (size_t i = 0; i < len_size; i++) {
            len = (len << 8) | data[pos + i];
        }
        pos += len_size;
        if (sr_ts_nal_type(m->video_codec, data[pos]) != (hevc ? 35 : 9)) {
            sr_ts_put_nal(&m->es, data + pos, len);
        }
        pos += len;
    }
}

static int sr_ts_muxer_video(sr_ts_muxer_t *m, const sr_packet_t *pkt, sr_buf_t *out)
{
    int codec = pkt->codec;
    if (codec != SR_CODEC_H264 && codec != SR_CODEC_H265) {
        return pkt->payload->size == 0 ? SR_OK : -SR_EUNSUPPORTED;
    }
    if (pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER) {
        return sr_ts_muxer_video_sh(m, pkt, codec);
    }
    size_t n = 0;
    const uint8_t *d = sr_packet_body(pkt, &n);
    if (n == 0) {
        return SR_OK; /* end of sequence, metadata or an empty frame */
    }
    if (!m->has_video_config || codec != m->video_codec) {
        return -SR_EINVAL;
    }
    bool is_irap = (pkt->flags & SR_PACKET_IS_KEYFRAME) != 0;
    int rc = sr_ts_scan_nalus(m, d, n, &is_irap);
    if (rc != SR_OK) {
        return rc;
    }
    sr_ts_build_annexb(m, d, n, is_irap);
    sr_ts_muxer_psi(m, out);
    sr_ts_pes_t pes = {.pid = SR_TS_PID_VIDEO,
                       .stream_id = SR_TS_PES_VIDEO,
                       .pts_90k = pkt->pts * 90,
                       .dts_90k = pkt->dts * 90,
                       .has_pcr = true,
                       .is_random_access = is_irap,
                       .is_unbounded = true};
    sr_ts_write_pes(out, &pes, m->es.data, m->es.len, &m->cc_video);
    return SR_OK;
}

/* MPEG-1 audio (ID bit 1) or the MPEG-2 low-rate extension, from the frame header;
 * without one, from the FLV header's rate when the frame came in FLV. */
static uint8_t sr_ts_mp3_type(const sr_packet_t *pkt, const uint8_t *frame, size_t n)
{
    if (n >= 2 && frame[0] == 0xff && (frame[1] & 0xe0) == 0xe0) {
        return (frame[1] & 0x18) == 0x18 ? SR_TS_STREAM_MPEG1_AUDIO : SR_TS_STREAM_MPEG2_AUDIO;
    }
    bool is_low_rate = pkt->body > 0 && sr_codec_flv_audio_sample_rate(pkt->payload->data[0]) < 32000;
    return is_low_rate ? SR_TS_STREAM_MPEG2_AUDIO : SR_TS_STREAM_MPEG1_AUDIO;
}

/* Opus: an OpusHead sets the channels (1 or 2; more are refused, and so are their
 * frames); a frame becomes one access unit after its opus_control_header (draft 6.2:
 * au_size as 0xff bytes while 255 or more remain, then the rest) in m->es. */
static int sr_ts_muxer_opus(sr_ts_muxer_t *m, const sr_packet_t *pkt, const uint8_t *d, size_t n)
{
    if (pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER) {
        sr_opus_head_t head;
        int rc = sr_opus_head_parse(d, n, &head);
        if (rc != SR_OK) {
            return rc == -SR_EUNSUPPORTED ? rc : -SR_EFORMAT;
        }
        m->is_opus_unsupported = head.channels > 2;
        m->opus_channels = m->is_opus_unsupported ? 0 : head.channels;
        if (m->is_opus_unsupported) {
            m->audio_type = m->audio_type == SR_TS_STREAM_PRIVATE ? 0 : m->audio_type; /* out of the PMT */
            return -SR_EUNSUPPORTED;
        }
        m->audio_type = SR_TS_STREAM_PRIVATE;
        return SR_OK;
    }
    if (m->is_opus_unsupported) {
        return -SR_EUNSUPPORTED;
    }
    if (m->audio_type != SR_TS_STREAM_PRIVATE) {
        m->audio_type = SR_TS_STREAM_PRIVATE; /* no OpusHead yet: stereo, as RTP's default */
        m->opus_channels = 2;
    }
    sr_buf_put_be16(&m->es, SR_TS_OPUS_PREFIX);
    size_t left = n;
    for (; left >= 255; left -= 255) {
        sr_buf_put_u8(&m->es, 0xff);
    }
    sr_buf_put_u8(&m->es, (uint8_t)left);
    sr_buf_put_bytes(&m->es, d, n);
    return SR_OK;
}

static int sr_ts_muxer_audio(sr_ts_muxer_t *m, const sr_packet_t *pkt, sr_buf_t *out)
{
    size_t n = 0;
    const uint8_t *d = sr_packet_body(pkt, &n);
    sr_buf_reset(&m->es);
    if (pkt->codec == SR_CODEC_AAC) {
        if (pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER) {
            return sr_ts_muxer_audio_sh(m, pkt);
        }
        if (n == 0) {
            return pkt->body < 2 ? -SR_EFORMAT : SR_OK;
        }
        if (!m->has_aac_config) {
            return -SR_EINVAL;
        }
        uint8_t adts[SR_AAC_ADTS_HEADER_BYTES];
        int rc = sr_aac_adts_header(&m->aac, n, adts);
        if (rc != SR_OK) {
            return rc;
        }
        sr_buf_put_bytes(&m->es, adts, sizeof(adts));
        sr_buf_put_bytes(&m->es, d, n);
    } else if (pkt->codec == SR_CODEC_MP3) {
        if (n == 0) {
            return SR_OK;
        }
        if (m->audio_type != SR_TS_STREAM_MPEG1_AUDIO && m->audio_type != SR_TS_STREAM_MPEG2_AUDIO) {
            m->audio_type = sr_ts_mp3_type(pkt, d, n);
        }
        sr_buf_put_bytes(&m->es, d, n);
    } else if (pkt->codec == SR_CODEC_OPUS) {
        int rc = sr_ts_muxer_opus(m, pkt, d, n);
        if (rc != SR_OK || (pkt->flags & SR_PACKET_IS_SEQUENCE_HEADER) || n == 0) {
            return rc;
        }
    } else {
        return pkt->payload->size == 0 ? SR_OK : -SR_EUNSUPPORTED;
    }
    sr_ts_muxer_psi(m, out);
    sr_ts_pes_t pes = {.pid = SR_TS_PID_AUDIO,
                       .stream_id = pkt->codec == SR_CODEC_OPUS ? SR_TS_PES_PRIVATE_1 : SR_TS_PES_AUDIO,
                       .pts_90k = pkt->dts * 90,
                       .dts_90k = pkt->dts * 90,
                       .has_pcr = m->video_codec == 0,
                       .is_random_access = m->video_codec == 0};
    sr_ts_write_pes(out, &pes, m->es.data, m->es.len, &m->cc_audio);
    return SR_OK;
}

int sr_ts_muxer_write(sr_ts_muxer_t *m, const sr_packet_t *pkt, sr_buf_t *out)
{
    if (!pkt->payload) {
        return SR_OK;
    }
    if (pkt->type == SR_PACKET_VIDEO) {
        return sr_ts_muxer_video(m, pkt, out);
    }
    if (pkt->type == SR_PACKET_AUDIO) {
        return sr_ts_muxer_audio(m, pkt, out);
    }
    return SR_OK;
}
