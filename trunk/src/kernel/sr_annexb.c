/* SPDX-License-Identifier: MIT */
/*
 * sr_annexb.c: H.264/H.265 Annex-B byte streams, as MPEG-TS, SRT and raw .h264 files
 * carry them: walking their NAL units, turning an access unit into the canonical
 * length-prefixed frame (ISO/IEC 14496-15, 4-byte lengths) without the parameter sets
 * that travel in the config record, and finding keyframes and parameter sets. Not for
 * access unit boundary detection in an unframed stream (7.4.1.2.3): callers hand in
 * one access unit, as PES packets frame them.
 */
#include "sr_codec_config.h"

#include <string.h>

#include "sr_bytes.h"
#include "sr_error.h"

/* Index of the next 0x000001 at or after from, or size. Looks at the third byte
 * first: above 1, no start code begins at any of the three positions. */
static size_t sr_annexb_find_start(const uint8_t *d, size_t size, size_t from)
{
    size_t i = from;
    while (size >= 3 && i < size - 2) {
        if (d[i + 2] > 1) {
            i += 3;
        } else if (d[i + 2] == 1 && d[i + 1] == 0 && d[i] == 0) {
            return i;
        } else {
            i++;
        }
    }
    return size;
}

void sr_annexb_iter_init(sr_annexb_iter_t *it, const uint8_t *data, size_t size)
{
    it->data = data;
    it->size = size;
    it->pos = 0;
    it->_started = false;
}

/* Skip to just after the first start code; only zero bytes may come before it
 * (leading_zero_8bits, or the first zero of a 4-byte start code). */
static int sr_annexb_first(sr_annexb_iter_t *it)
{
    size_t i = sr_annexb_find_start(it->data, it->size, 0);
    for (size_t k = 0; k < i; k++) {
        if (it->data[k] != 0) {
            return -SR_EFORMAT;
        }
    }
    it->_started = true;
    it->pos = i == it->size ? it->size : i + 3;
    return SR_OK;
}

int sr_annexb_next(sr_annexb_iter_t *it, sr_codec_nalu_t *nal)
{
    if (!it->_started) {
        int rc = sr_annexb_first(it);
        if (rc != SR_OK) {
            return rc;
        }
    }
    while (it->pos < it->size) {
        size_t begin = it->pos;
        size_t next = sr_annexb_find_start(it->data, it->size, begin);
        size_t end = next;
        while (end > begin && it->data[end - 1] == 0) {
            end--; /* trailing_zero_8bits, or the first byte of a 4-byte start code */
        }
        it->pos = next == it->size ? it->size : next + 3;
        if (end > begin) {
            nal->data = it->data + begin;
            nal->size = end - begin;
            return SR_OK;
        }
    }
    return -SR_ENOT_FOUND;
}

uint8_t sr_annexb_nal_type(sr_codec_id_t codec, uint8_t first_byte)
{
    return codec == SR_CODEC_H265 ? (uint8_t)((first_byte >> 1) & 0x3f) : (uint8_t)(first_byte & 0x1f);
}

static bool sr_annexb_is_nal_codec(sr_codec_id_t codec)
{
    return codec == SR_CODEC_H264 || codec == SR_CODEC_H265;
}

/* Walk au, writing the kept NAL units when out is not NULL; *bytes is the total. */
static int sr_annexb_convert(sr_codec_id_t codec, const uint8_t *au, size_t size, uint64_t drop_types, uint8_t *out,
                             size_t cap, size_t *bytes)
{
    *bytes = 0;
    if (!sr_annexb_is_nal_codec(codec)) {
        return -SR_EINVAL;
    }
    sr_annexb_iter_t it;
    sr_codec_nalu_t nal;
    sr_annexb_iter_init(&it, au, size);
    size_t total = 0, nb_nalus = 0;
    int rc;
    while ((rc = sr_annexb_next(&it, &nal)) == SR_OK) {
        nb_nalus++;
        if (drop_types & SR_NAL_TYPE_BIT(sr_annexb_nal_type(codec, nal.data[0]))) {
            continue;
        }
        if (nal.size > UINT32_MAX) {
            return -SR_EUNSUPPORTED; /* cannot be expressed with a 4-byte length */
        }
        if (out) {
            if (cap < total || cap - total < SR_CODEC_NAL_LENGTH_BYTES + nal.size) {
                return -SR_EOVERFLOW;
            }
            sr_put_be32(out + total, (uint32_t)nal.size);
            memcpy(out + total + SR_CODEC_NAL_LENGTH_BYTES, nal.data, nal.size);
        }
        total += SR_CODEC_NAL_LENGTH_BYTES + nal.size;
    }
    if (rc != -SR_ENOT_FOUND) {
        return rc;
    }
    if (nb_nalus == 0) {
        return -SR_EFORMAT;
    }
    *bytes = total;
    return SR_OK;
}

int sr_annexb_frame_size(sr_codec_id_t codec, const uint8_t *au, size_t size, uint64_t drop_types, size_t *out_bytes)
{
    return sr_annexb_convert(codec, au, size, drop_types, NULL, 0, out_bytes);
}

int sr_annexb_frame_write(sr_codec_id_t codec, const uint8_t *au, size_t size, uint64_t drop_types, uint8_t *out,
                          size_t cap, size_t *written)
{
    return sr_annexb_convert(codec, au, size, drop_types, out, cap, written);
}

/* Keep nal in list[*nb] unless the list is full; true when it was full. */
static bool sr_annexb_keep(sr_codec_nalu_t *list, uint8_t *nb, const sr_codec_nalu_t *nal)
{
    if (*nb >= SR_CODEC_MAX_PARAM_SETS) {
        return true;
    }
    list[(*nb)++] = *nal;
    return false;
}

/* Record one NAL unit of an access unit in *out. */
static void sr_annexb_scan_nal(sr_codec_id_t codec, const sr_codec_nalu_t *nal, sr_annexb_au_t *out)
{
    uint8_t type = sr_annexb_nal_type(codec, nal->data[0]);
    sr_codec_param_sets_t *ps = &out->ps;
    bool full = false;
    if (codec == SR_CODEC_H264) {
        out->has_irap |= type == SR_AVC_NAL_IDR;
        if (type == SR_AVC_NAL_SPS) {
            full = sr_annexb_keep(ps->sps, &ps->nb_sps, nal);
        } else if (type == SR_AVC_NAL_PPS) {
            full = sr_annexb_keep(ps->pps, &ps->nb_pps, nal);
        }
    } else {
        out->has_irap |= type >= SR_HEVC_NAL_IRAP_FIRST && type <= SR_HEVC_NAL_IRAP_LAST;
        if (type == SR_HEVC_NAL_VPS) {
            full = sr_annexb_keep(ps->vps, &ps->nb_vps, nal);
        } else if (type == SR_HEVC_NAL_SPS) {
            full = sr_annexb_keep(ps->sps, &ps->nb_sps, nal);
        } else if (type == SR_HEVC_NAL_PPS) {
            full = sr_annexb_keep(ps->pps, &ps->nb_pps, nal);
        }
    }
    out->has_more_param_sets |= full;
}

int sr_annexb_scan(sr_codec_id_t codec, const uint8_t *au, size_t size, sr_annexb_au_t *out)
{
    memset(out, 0, sizeof(*out));
    if (!sr_annexb_is_nal_codec(codec)) {
        return -SR_EINVAL;
    }
    sr_annexb_iter_t it;
    sr_codec_nalu_t nal;
    sr_annexb_iter_init(&it, au, size);
    size_t nb_nalus = 0;
    int rc;
    while ((rc = sr_annexb_next(&it, &nal)) == SR_OK) {
        nb_nalus++;
        sr_annexb_scan_nal(codec, &nal, out);
    }
    if (rc != -SR_ENOT_FOUND) {
        return rc;
    }
    return nb_nalus == 0 ? -SR_EFORMAT : SR_OK;
}
