/* SPDX-License-Identifier: MIT */
/*
 * sr_rtp_nal_pack.c: the H.264 (RFC 6184 packetization-mode 1) and H.265 (RFC 7798,
 * no DONL) RTP packetizer: one canonical frame into single NAL unit, aggregation
 * (STAP-A, AP) and fragmentation (FU-A, FU) payloads, written once into a caller buffer
 * for every player to send with its own RTP header; and the table of what the two
 * formats differ in. Not for depacketizing (sr_rtp_nal_depack.c) or RTP headers
 * (sr_rtp.c).
 */
#include <string.h>

#include "sr_bytes.h"
#include "sr_codec_config.h"
#include "sr_error.h"
#include "sr_rtp_h264.h"
#include "sr_rtp_h265.h"
#include "sr_rtp_nal_internal.h"

#define SR_NAL_AGG_SIZE_BYTES 2 /* the 16-bit size before each aggregated NAL unit */
#define SR_NAL_MAX_PAYLOAD 65535
#define SR_H264_NAL_FILLER 12
#define SR_HEVC_NAL_FILLER 38

static const sr_nal_format_t sr_nal_formats[] = {
    {SR_CODEC_H264, 1, SR_RTP_H264_STAP_A, SR_RTP_H264_FU_A, 0, 0x1f, 0xff, SR_AVC_NAL_SPS, SR_AVC_NAL_PPS,
     SR_AVC_NAL_IDR, SR_AVC_NAL_IDR, SR_AVC_NAL_CONFIG_TYPES | SR_NAL_TYPE_BIT(SR_H264_NAL_FILLER),
     SR_NAL_TYPE_BIT(SR_AVC_NAL_AUD) | SR_NAL_TYPE_BIT(SR_H264_NAL_FILLER)},
    {SR_CODEC_H265, 2, SR_RTP_H265_AP, SR_RTP_H265_FU, 1, 0x3f, SR_HEVC_NAL_VPS, SR_HEVC_NAL_SPS, SR_HEVC_NAL_PPS,
     SR_HEVC_NAL_IRAP_FIRST, SR_HEVC_NAL_IRAP_LAST, SR_HEVC_NAL_CONFIG_TYPES | SR_NAL_TYPE_BIT(SR_HEVC_NAL_FILLER),
     SR_NAL_TYPE_BIT(SR_HEVC_NAL_AUD) | SR_NAL_TYPE_BIT(SR_HEVC_NAL_FILLER)},
};

const sr_nal_format_t *sr_nal_format_of(sr_codec_id_t codec)
{
    for (size_t i = 0; i < SR_ARRAY_SIZE(sr_nal_formats); i++) {
        if (sr_nal_formats[i].codec == codec) {
            return &sr_nal_formats[i];
        }
    }
    return NULL;
}

/* Whether a NAL unit of this type travels: AUD and filler carry nothing a receiver
 * needs; the types the payload format keeps for itself would be misread. */
static bool sr_nal_is_sent(const sr_nal_format_t *f, uint8_t type)
{
    return sr_nal_is_nal_type(f, type) && !(f->unsent_types & SR_NAL_TYPE_BIT(type));
}

/* The NAL units to send: the injected parameter sets, then the frame's. Plain value,
 * copied to look ahead. */
typedef struct sr_nal_iter {
    const sr_nal_format_t *f;
    const sr_codec_param_sets_t *ps; /* NULL: inject nothing */
    size_t ps_index;
    const uint8_t *frame;
    size_t size;
    size_t pos;
} sr_nal_iter_t;

/* The next NAL unit into *nal; the frame was checked by sr_nal_scan. */
static bool sr_nal_iter_next(sr_nal_iter_t *it, sr_codec_nalu_t *nal)
{
    const sr_codec_param_sets_t *ps = it->ps;
    while (ps && it->ps_index < (size_t)ps->nb_vps + ps->nb_sps + ps->nb_pps) {
        size_t i = it->ps_index++;
        *nal = i < ps->nb_vps                ? ps->vps[i]
               : i < ps->nb_vps + ps->nb_sps ? ps->sps[i - ps->nb_vps]
                                             : ps->pps[i - ps->nb_vps - ps->nb_sps];
        if (nal->size >= it->f->header_bytes) {
            return true;
        }
    }
    while (it->pos < it->size) {
        size_t len = sr_get_be32(it->frame + it->pos);
        nal->data = it->frame + it->pos + SR_CODEC_NAL_LENGTH_BYTES;
        nal->size = len;
        it->pos += SR_CODEC_NAL_LENGTH_BYTES + len;
        if (len >= it->f->header_bytes && sr_nal_is_sent(it->f, sr_nal_type(it->f, nal->data[0]))) {
            return true;
        }
    }
    return false;
}

/* Check the length prefixes; find a keyframe picture and an SPS of the frame's own. */
static int sr_nal_scan(const sr_nal_format_t *f, const uint8_t *frame, size_t size, bool *has_idr, bool *has_sps)
{
    *has_idr = *has_sps = false;
    size_t pos = 0;
    while (pos < size) {
        if (size - pos < SR_CODEC_NAL_LENGTH_BYTES) {
            return -SR_EFORMAT;
        }
        size_t len = sr_get_be32(frame + pos);
        pos += SR_CODEC_NAL_LENGTH_BYTES;
        if (len > size - pos) {
            return -SR_EFORMAT;
        }
        if (len > 0) {
            uint8_t type = sr_nal_type(f, frame[pos]);
            *has_idr = *has_idr || (type >= f->key_first && type <= f->key_last);
            *has_sps = *has_sps || type == f->sps;
        }
        pos += len;
    }
    return SR_OK;
}

/* Writes payloads into out, counting what does not fit so the caller learns the need. */
typedef struct sr_nal_writer {
    sr_rtp_payloads_t *out;
    size_t item_start;
} sr_nal_writer_t;

static void sr_nal_put(sr_nal_writer_t *w, const void *p, size_t n)
{
    sr_rtp_payloads_t *o = w->out;
    if (o->len <= o->cap && n <= o->cap - o->len) {
        memcpy(o->data + o->len, p, n);
    }
    o->len += n;
}

static void sr_nal_put_u8(sr_nal_writer_t *w, uint8_t v)
{
    sr_nal_put(w, &v, 1);
}

static void sr_nal_begin(sr_nal_writer_t *w)
{
    w->item_start = w->out->len;
}

static void sr_nal_end(sr_nal_writer_t *w)
{
    sr_rtp_payloads_t *o = w->out;
    if (o->nb_items < o->max_items) {
        o->items[o->nb_items].offset = (uint32_t)w->item_start;
        o->items[o->nb_items].size = (uint32_t)(o->len - w->item_start);
        o->items[o->nb_items].is_marker = false;
    }
    o->nb_items++;
}

/* RFC 6184 5.8 FU-A, RFC 7798 4.4.3 FU: as few fragments as max_payload allows, all of
 * one size but the last, which is at most that and is short by less than the number
 * of fragments: the last is not a sliver, and a frame's fragments to a player leave as
 * one UDP GSO run (sr_udp_batch.h), which wants equal datagrams but the last. The
 * payload header takes the NAL header with the FU type, the FU header says start, end
 * and the NAL type. */
static void sr_nal_fragment(sr_nal_writer_t *w, const sr_nal_format_t *f, const sr_codec_nalu_t *nal,
                            size_t max_payload)
{
    const uint8_t *h = nal->data;
    uint8_t type = sr_nal_type(f, h[0]);
    const uint8_t *p = nal->data + f->header_bytes;
    size_t rest = nal->size - f->header_bytes;
    size_t room = max_payload - f->header_bytes - 1;
    size_t nb = (rest + room - 1) / room;
    size_t each = (rest + nb - 1) / nb; /* <= room, and (nb - 1) * each < rest */
    for (size_t i = 0; i < nb; i++) {
        size_t len = i + 1 < nb ? each : rest - (nb - 1) * each;
        sr_nal_begin(w);
        if (f->codec == SR_CODEC_H264) {
            sr_nal_put_u8(w, (uint8_t)((h[0] & 0xe0) | f->fragment)); /* F, NRI */
        } else {
            sr_nal_put_u8(w, (uint8_t)((h[0] & 0x81) | (f->fragment << 1))); /* F, layer id's top bit */
            sr_nal_put_u8(w, h[1]);                                          /* layer id, TID */
        }
        sr_nal_put_u8(w, (uint8_t)((i == 0 ? 0x80 : 0) | (i == nb - 1 ? 0x40 : 0) | type));
        sr_nal_put(w, p, len);
        p += len;
        sr_nal_end(w);
    }
}

/* RFC 6184 5.7.1 STAP-A, RFC 7798 4.4.2 AP: count NAL units from *it behind one payload
 * header: H.264's F the OR and NRI the highest of theirs; H.265's F the OR, layer id
 * and TID the lowest. */
static void sr_nal_aggregate(sr_nal_writer_t *w, const sr_nal_format_t *f, sr_nal_iter_t it, size_t count)
{
    sr_codec_nalu_t nal;
    uint8_t fbit = 0, nri = 0, b1 = 0xff;
    sr_nal_iter_t scan = it;
    for (size_t i = 0; i < count && sr_nal_iter_next(&scan, &nal); i++) {
        fbit |= nal.data[0] & 0x80;
        nri = SR_MAX(nri, (uint8_t)(nal.data[0] & 0x60));
        b1 = f->header_bytes > 1 ? SR_MIN(b1, nal.data[1]) : b1;
    }
    sr_nal_begin(w);
    if (f->codec == SR_CODEC_H264) {
        sr_nal_put_u8(w, (uint8_t)(fbit | nri | f->aggregation));
    } else {
        sr_nal_put_u8(w, (uint8_t)(fbit | (f->aggregation << 1)));
        sr_nal_put_u8(w, b1);
    }
    for (size_t i = 0; i < count && sr_nal_iter_next(&it, &nal); i++) {
        uint8_t size[SR_NAL_AGG_SIZE_BYTES];
        sr_put_be16(size, (uint16_t)nal.size);
        sr_nal_put(w, size, sizeof(size));
        sr_nal_put(w, nal.data, nal.size);
    }
    sr_nal_end(w);
}

static int sr_nal_packetize(const sr_nal_format_t *f, const uint8_t *frame, size_t size,
                            const sr_codec_param_sets_t *config, bool is_keyframe, size_t max_payload,
                            sr_rtp_payloads_t *out)
{
    out->len = 0;
    out->nb_items = 0;
    if (max_payload < f->header_bytes + 2 || max_payload > SR_NAL_MAX_PAYLOAD) {
        return -SR_EINVAL;
    }
    bool has_idr, has_sps;
    int rc = sr_nal_scan(f, frame, size, &has_idr, &has_sps);
    if (rc != SR_OK) {
        return rc;
    }
    sr_nal_iter_t it = {f, NULL, 0, frame, size, 0};
    if (config && (is_keyframe || has_idr) && !has_sps) {
        it.ps = config;
    }
    sr_nal_writer_t w = {out, 0};
    sr_codec_nalu_t nal;
    sr_nal_iter_t before = it; /* the walk before nal, where an aggregation starts */
    bool has = sr_nal_iter_next(&it, &nal);
    while (has) {
        if (nal.size > max_payload) {
            sr_nal_fragment(&w, f, &nal, max_payload);
        } else {
            /* aggregate the NAL units after this one while the aggregation still fits */
            size_t count = 1, total = f->header_bytes + SR_NAL_AGG_SIZE_BYTES + nal.size;
            sr_nal_iter_t peek = it;
            sr_codec_nalu_t next;
            while (sr_nal_iter_next(&peek, &next) && total + SR_NAL_AGG_SIZE_BYTES + next.size <= max_payload) {
                total += SR_NAL_AGG_SIZE_BYTES + next.size;
                count++;
                it = peek;
            }
            if (count == 1) {
                sr_nal_begin(&w);
                sr_nal_put(&w, nal.data, nal.size);
                sr_nal_end(&w);
            } else {
                sr_nal_aggregate(&w, f, before, count);
            }
        }
        before = it;
        has = sr_nal_iter_next(&it, &nal);
    }
    if (out->nb_items > 0 && out->nb_items <= out->max_items) {
        out->items[out->nb_items - 1].is_marker = true;
    }
    return out->len <= out->cap && out->nb_items <= out->max_items ? SR_OK : -SR_EOVERFLOW;
}

int sr_rtp_h264_packetize(const uint8_t *frame, size_t size, const sr_avc_config_t *config, bool is_keyframe,
                          size_t max_payload, sr_rtp_payloads_t *out)
{
    sr_codec_param_sets_t ps;
    memset(&ps, 0, sizeof(ps));
    if (config) {
        ps.nb_sps = config->nb_sps;
        ps.nb_pps = config->nb_pps;
        memcpy(ps.sps, config->sps, sizeof(ps.sps));
        memcpy(ps.pps, config->pps, sizeof(ps.pps));
    }
    return sr_nal_packetize(sr_nal_format_of(SR_CODEC_H264), frame, size, config ? &ps : NULL, is_keyframe, max_payload,
                            out);
}

int sr_rtp_h265_packetize(const uint8_t *frame, size_t size, const sr_hevc_config_t *config, bool is_keyframe,
                          size_t max_payload, sr_rtp_payloads_t *out)
{
    sr_codec_param_sets_t ps;
    memset(&ps, 0, sizeof(ps));
    if (config) {
        ps.nb_vps = config->nb_vps;
        ps.nb_sps = config->nb_sps;
        ps.nb_pps = config->nb_pps;
        memcpy(ps.vps, config->vps, sizeof(ps.vps));
        memcpy(ps.sps, config->sps, sizeof(ps.sps));
        memcpy(ps.pps, config->pps, sizeof(ps.pps));
    }
    return sr_nal_packetize(sr_nal_format_of(SR_CODEC_H265), frame, size, config ? &ps : NULL, is_keyframe, max_payload,
                            out);
}
