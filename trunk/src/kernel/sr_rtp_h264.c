/* SPDX-License-Identifier: MIT */
/*
 * sr_rtp_h264.c: the H.264 RTP packetizer (RFC 6184 packetization-mode 1): one
 * canonical frame into single NAL unit, STAP-A and FU-A payloads, written once into a
 * caller buffer for every player to send with its own RTP header. Not for
 * depacketizing (sr_rtp_h264_depack.c) or RTP headers (sr_rtp.c).
 */
#include "sr_rtp_h264.h"

#include <string.h>

#include "sr_bytes.h"
#include "sr_codec_config.h"
#include "sr_error.h"

#define SR_H264_NAL_FILLER 12
#define SR_H264_NAL_TYPE(b) ((b)&0x1f)
#define SR_H264_STAP_SIZE_BYTES 2 /* the 16-bit size before each aggregated NAL unit */
#define SR_H264_FU_HEADER_BYTES 2 /* FU indicator and FU header */
#define SR_H264_MAX_PAYLOAD 65535

/* Whether a NAL unit of this type travels: AUD and filler carry nothing a receiver
 * needs; 0 and 24..31 are the types RFC 6184 gives its own payload structures, so a
 * receiver would misread them. */
static bool sr_h264_is_sent(uint8_t type)
{
    return type != 0 && type != SR_AVC_NAL_AUD && type != SR_H264_NAL_FILLER && type < SR_RTP_H264_STAP_A;
}

/* The NAL units to send: the injected parameter sets, then the frame's. Plain value,
 * copied to look ahead. */
typedef struct sr_h264_nals {
    const sr_avc_config_t *ps; /* NULL: inject nothing */
    size_t ps_index;
    const uint8_t *frame;
    size_t size;
    size_t pos;
} sr_h264_nals_t;

/* The next NAL unit into *nal; the frame was checked by sr_h264_scan. */
static bool sr_h264_nals_next(sr_h264_nals_t *it, sr_codec_nalu_t *nal)
{
    while (it->ps && it->ps_index < (size_t)it->ps->nb_sps + it->ps->nb_pps) {
        size_t i = it->ps_index++;
        *nal = i < it->ps->nb_sps ? it->ps->sps[i] : it->ps->pps[i - it->ps->nb_sps];
        if (nal->size > 0) {
            return true;
        }
    }
    while (it->pos < it->size) {
        size_t len = sr_get_be32(it->frame + it->pos);
        nal->data = it->frame + it->pos + SR_CODEC_NAL_LENGTH_BYTES;
        nal->size = len;
        it->pos += SR_CODEC_NAL_LENGTH_BYTES + len;
        if (len > 0 && sr_h264_is_sent(SR_H264_NAL_TYPE(nal->data[0]))) {
            return true;
        }
    }
    return false;
}

/* Check the length prefixes; find an IDR and an SPS of the frame's own. */
static int sr_h264_scan(const uint8_t *frame, size_t size, bool *has_idr, bool *has_sps)
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
            uint8_t type = SR_H264_NAL_TYPE(frame[pos]);
            *has_idr = *has_idr || type == SR_AVC_NAL_IDR;
            *has_sps = *has_sps || type == SR_AVC_NAL_SPS;
        }
        pos += len;
    }
    return SR_OK;
}

/* Writes payloads into out, counting what does not fit so the caller learns the need. */
typedef struct sr_h264_writer {
    sr_rtp_payloads_t *out;
    size_t item_start;
} sr_h264_writer_t;

static void sr_h264_put(sr_h264_writer_t *w, const void *p, size_t n)
{
    sr_rtp_payloads_t *o = w->out;
    if (o->len <= o->cap && n <= o->cap - o->len) {
        memcpy(o->data + o->len, p, n);
    }
    o->len += n;
}

static void sr_h264_put_u8(sr_h264_writer_t *w, uint8_t v)
{
    sr_h264_put(w, &v, 1);
}

static void sr_h264_begin(sr_h264_writer_t *w)
{
    w->item_start = w->out->len;
}

static void sr_h264_end(sr_h264_writer_t *w)
{
    sr_rtp_payloads_t *o = w->out;
    if (o->nb_items < o->max_items) {
        o->items[o->nb_items].offset = (uint32_t)w->item_start;
        o->items[o->nb_items].size = (uint32_t)(o->len - w->item_start);
        o->items[o->nb_items].is_marker = false;
    }
    o->nb_items++;
}

/* RFC 6184 5.8: fragments of near-equal size, so the last is not a sliver. */
static void sr_h264_fu_a(sr_h264_writer_t *w, const sr_codec_nalu_t *nal, size_t max_payload)
{
    uint8_t h = nal->data[0];
    const uint8_t *p = nal->data + 1;
    size_t rest = nal->size - 1;
    size_t room = max_payload - SR_H264_FU_HEADER_BYTES;
    size_t nb = (rest + room - 1) / room;
    for (size_t f = 0; f < nb; f++) {
        size_t len = rest / nb + (f < rest % nb ? 1 : 0);
        sr_h264_begin(w);
        sr_h264_put_u8(w, (uint8_t)((h & 0xe0) | SR_RTP_H264_FU_A));
        sr_h264_put_u8(w, (uint8_t)((f == 0 ? 0x80 : 0) | (f == nb - 1 ? 0x40 : 0) | SR_H264_NAL_TYPE(h)));
        sr_h264_put(w, p, len);
        p += len;
        sr_h264_end(w);
    }
}

/* RFC 6184 5.7.1: count NAL units from *it, F the OR and NRI the highest of theirs. */
static void sr_h264_stap_a(sr_h264_writer_t *w, sr_h264_nals_t it, size_t count)
{
    sr_codec_nalu_t nal;
    uint8_t f = 0, nri = 0;
    sr_h264_nals_t scan = it;
    for (size_t i = 0; i < count && sr_h264_nals_next(&scan, &nal); i++) {
        f |= nal.data[0] & 0x80;
        nri = SR_MAX(nri, (uint8_t)(nal.data[0] & 0x60));
    }
    sr_h264_begin(w);
    sr_h264_put_u8(w, (uint8_t)(f | nri | SR_RTP_H264_STAP_A));
    for (size_t i = 0; i < count && sr_h264_nals_next(&it, &nal); i++) {
        uint8_t size[SR_H264_STAP_SIZE_BYTES];
        sr_put_be16(size, (uint16_t)nal.size);
        sr_h264_put(w, size, sizeof(size));
        sr_h264_put(w, nal.data, nal.size);
    }
    sr_h264_end(w);
}

int sr_rtp_h264_packetize(const uint8_t *frame, size_t size, const sr_avc_config_t *config, bool is_keyframe,
                          size_t max_payload, sr_rtp_payloads_t *out)
{
    out->len = 0;
    out->nb_items = 0;
    if (max_payload < SR_RTP_H264_MIN_PAYLOAD || max_payload > SR_H264_MAX_PAYLOAD) {
        return -SR_EINVAL;
    }
    bool has_idr, has_sps;
    int rc = sr_h264_scan(frame, size, &has_idr, &has_sps);
    if (rc != SR_OK) {
        return rc;
    }
    sr_h264_nals_t it = {NULL, 0, frame, size, 0};
    if (config && (is_keyframe || has_idr) && !has_sps) {
        it.ps = config;
    }
    sr_h264_writer_t w = {out, 0};
    sr_codec_nalu_t nal;
    sr_h264_nals_t before = it; /* the walk before nal, where a STAP-A starts */
    bool has = sr_h264_nals_next(&it, &nal);
    while (has) {
        if (nal.size > max_payload) {
            sr_h264_fu_a(&w, &nal, max_payload);
        } else {
            /* aggregate the NAL units after this one while the STAP-A still fits */
            size_t count = 1, total = 1 + SR_H264_STAP_SIZE_BYTES + nal.size;
            sr_h264_nals_t peek = it;
            sr_codec_nalu_t next;
            while (sr_h264_nals_next(&peek, &next) && total + SR_H264_STAP_SIZE_BYTES + next.size <= max_payload) {
                total += SR_H264_STAP_SIZE_BYTES + next.size;
                count++;
                it = peek;
            }
            if (count == 1) {
                sr_h264_begin(&w);
                sr_h264_put(&w, nal.data, nal.size);
                sr_h264_end(&w);
            } else {
                sr_h264_stap_a(&w, before, count);
            }
        }
        before = it;
        has = sr_h264_nals_next(&it, &nal);
    }
    if (out->nb_items > 0 && out->nb_items <= out->max_items) {
        out->items[out->nb_items - 1].is_marker = true;
    }
    return out->len <= out->cap && out->nb_items <= out->max_items ? SR_OK : -SR_EOVERFLOW;
}
