/* SPDX-License-Identifier: MIT */
/*
 * sr_hevc.c: H.265 codec configuration: the HEVCDecoderConfigurationRecord (ISO/IEC
 * 14496-15 8.3.3.1) as MP4, Enhanced RTMP and the legacy FLV codec id 12 carry it,
 * and the sequence parameter set (ITU-T H.265 7.3.2.2.1) up to the bit depths, for
 * profile, tier, level and picture size. Not for VPS/PPS contents or slices.
 */
#include "sr_codec.h"

#include <string.h>

#include "sr_bytes.h"
#include "sr_codec_internal.h"
#include "sr_error.h"
#include "sr_flv.h"

#define SR_HEVC_NAL_VPS 32
#define SR_HEVC_NAL_SPS 33
#define SR_HEVC_NAL_PPS 34
#define SR_HEVC_MAX_SUB_LAYERS 7
/* Largest luma dimension accepted: twice what level 6.2 allows (H.265 A.4.1). */
#define SR_HEVC_MAX_DIMENSION 32768

static uint8_t sr_hevc_nal_type(const uint8_t *nal)
{
    return (nal[0] >> 1) & 0x3f;
}

/* ---- sequence parameter set ---- */

/* profile_tier_level(1, max_sub_layers_minus1), H.265 7.3.3. */
static int sr_hevc_parse_ptl(sr_bits_t *b, sr_hevc_sps_t *s)
{
    uint32_t v;
    SR_CODEC_TRY(sr_bits_read(b, 2, &v));
    s->profile_space = (uint8_t)v;
    SR_CODEC_TRY(sr_bits_flag(b, &s->tier));
    SR_CODEC_TRY(sr_bits_read(b, 5, &v));
    s->profile_idc = (uint8_t)v;
    /* compatibility flags (32), source flags (4), constraint flags (43) and one more */
    SR_CODEC_TRY(sr_bits_skip(b, 32 + 4 + 43 + 1));
    SR_CODEC_TRY(sr_bits_read(b, 8, &v));
    s->level_idc = (uint8_t)v;
    unsigned sub = s->max_sub_layers - 1u;
    bool has_profile[SR_HEVC_MAX_SUB_LAYERS], has_level[SR_HEVC_MAX_SUB_LAYERS];
    for (unsigned i = 0; i < sub; i++) {
        SR_CODEC_TRY(sr_bits_flag(b, &has_profile[i]));
        SR_CODEC_TRY(sr_bits_flag(b, &has_level[i]));
    }
    if (sub > 0) {
        SR_CODEC_TRY(sr_bits_skip(b, 2 * (8 - sub))); /* reserved_zero_2bits up to 8 entries */
    }
    for (unsigned i = 0; i < sub; i++) {
        if (has_profile[i]) {
            SR_CODEC_TRY(sr_bits_skip(b, 2 + 1 + 5 + 32 + 4 + 43 + 1));
        }
        if (has_level[i]) {
            SR_CODEC_TRY(sr_bits_skip(b, 8));
        }
    }
    return SR_OK;
}

/* Picture size and conformance window; offsets count chroma samples (7.4.3.2.1). */
static int sr_hevc_parse_size(sr_bits_t *b, sr_hevc_sps_t *s)
{
    uint32_t w, h;
    SR_CODEC_TRY(sr_bits_ue_max(b, SR_HEVC_MAX_DIMENSION, &w));
    SR_CODEC_TRY(sr_bits_ue_max(b, SR_HEVC_MAX_DIMENSION, &h));
    if (w == 0 || h == 0) {
        return -SR_EFORMAT;
    }
    s->pic_width = w;
    s->pic_height = h;
    bool has_window;
    SR_CODEC_TRY(sr_bits_flag(b, &has_window));
    if (has_window) {
        SR_CODEC_TRY(sr_bits_ue_max(b, SR_HEVC_MAX_DIMENSION, &s->conf_left));
        SR_CODEC_TRY(sr_bits_ue_max(b, SR_HEVC_MAX_DIMENSION, &s->conf_right));
        SR_CODEC_TRY(sr_bits_ue_max(b, SR_HEVC_MAX_DIMENSION, &s->conf_top));
        SR_CODEC_TRY(sr_bits_ue_max(b, SR_HEVC_MAX_DIMENSION, &s->conf_bottom));
    }
    uint32_t sub_w = 1, sub_h = 1; /* ChromaArrayType 0 (mono or separate planes) and 3 */
    if (!s->separate_colour_plane && (s->chroma_format_idc == 1 || s->chroma_format_idc == 2)) {
        sub_w = 2;
        sub_h = s->chroma_format_idc == 1 ? 2 : 1;
    }
    uint32_t crop_x = sub_w * (s->conf_left + s->conf_right);
    uint32_t crop_y = sub_h * (s->conf_top + s->conf_bottom);
    if (crop_x >= w || crop_y >= h) {
        return -SR_EFORMAT;
    }
    s->width = w - crop_x;
    s->height = h - crop_y;
    return SR_OK;
}

int sr_hevc_parse_sps(const uint8_t *nal, size_t size, sr_hevc_sps_t *out)
{
    memset(out, 0, sizeof(*out));
    if (size < 2) {
        return -SR_ETRUNCATED;
    }
    if ((nal[0] & 0x80) || sr_hevc_nal_type(nal) != SR_HEVC_NAL_SPS) {
        return -SR_EFORMAT;
    }
    sr_bits_t b;
    sr_bits_init_rbsp(&b, nal + 2, size - 2);
    uint32_t v;
    SR_CODEC_TRY(sr_bits_skip(&b, 4)); /* sps_video_parameter_set_id */
    SR_CODEC_TRY(sr_bits_read(&b, 3, &v));
    if (v + 1 > SR_HEVC_MAX_SUB_LAYERS) {
        return -SR_EFORMAT;
    }
    out->max_sub_layers = (uint8_t)(v + 1);
    SR_CODEC_TRY(sr_bits_skip(&b, 1)); /* sps_temporal_id_nesting_flag */
    SR_CODEC_TRY(sr_hevc_parse_ptl(&b, out));
    SR_CODEC_TRY(sr_bits_ue_max(&b, 15, &v)); /* sps_seq_parameter_set_id */
    SR_CODEC_TRY(sr_bits_ue_max(&b, 3, &v));
    out->chroma_format_idc = (uint8_t)v;
    if (v == 3) {
        SR_CODEC_TRY(sr_bits_flag(&b, &out->separate_colour_plane));
    }
    SR_CODEC_TRY(sr_hevc_parse_size(&b, out));
    SR_CODEC_TRY(sr_bits_ue_max(&b, 8, &v));
    out->bit_depth_luma = (uint8_t)(8 + v);
    SR_CODEC_TRY(sr_bits_ue_max(&b, 8, &v));
    out->bit_depth_chroma = (uint8_t)(8 + v);
    return SR_OK;
}

/* ---- decoder configuration record ---- */

/* One NAL unit array of the record: keep VPS/SPS/PPS, skip other types. */
static int sr_hevc_read_array(sr_reader_t *r, sr_hevc_config_t *out)
{
    uint8_t head;
    uint16_t count;
    SR_CODEC_TRY(sr_reader_u8(r, &head));
    SR_CODEC_TRY(sr_reader_be16(r, &count));
    uint8_t type = head & 0x3f;
    sr_codec_nalu_t *kept = NULL;
    uint8_t *nb = NULL;
    if (type == SR_HEVC_NAL_VPS) {
        kept = out->vps;
        nb = &out->nb_vps;
    } else if (type == SR_HEVC_NAL_SPS) {
        kept = out->sps;
        nb = &out->nb_sps;
    } else if (type == SR_HEVC_NAL_PPS) {
        kept = out->pps;
        nb = &out->nb_pps;
    }
    for (unsigned i = 0; i < count; i++) {
        uint16_t len;
        const uint8_t *p;
        SR_CODEC_TRY(sr_reader_be16(r, &len));
        SR_CODEC_TRY(sr_reader_ptr(r, len, &p));
        if (len < 2 || sr_hevc_nal_type(p) != type) {
            return -SR_EFORMAT;
        }
        if (kept && *nb < SR_CODEC_MAX_PARAM_SETS) {
            kept[*nb].data = p;
            kept[*nb].size = len;
            (*nb)++;
        }
    }
    return SR_OK;
}

/* The fixed 23 bytes before the arrays (8.3.3.1.2). */
static int sr_hevc_read_header(sr_reader_t *r, sr_hevc_config_t *out)
{
    uint8_t v;
    const uint8_t *p;
    SR_CODEC_TRY(sr_reader_ptr(r, 23, &p));
    out->version = p[0];
    if (out->version != 1) {
        return -SR_EFORMAT;
    }
    out->profile_space = p[1] >> 6;
    out->tier = (p[1] >> 5) & 1;
    out->profile_idc = p[1] & 0x1f;
    out->profile_compat_flags = sr_get_be32(p + 2);
    out->level_idc = p[12]; /* after 6 bytes of constraint flags */
    out->chroma_format_idc = p[16] & 3;
    out->bit_depth_luma = (uint8_t)(8 + (p[17] & 7));
    out->bit_depth_chroma = (uint8_t)(8 + (p[18] & 7));
    out->avg_frame_rate = sr_get_be16(p + 19);
    v = p[21] & 3;
    if (v == 2) {
        return -SR_EFORMAT; /* lengthSizeMinusOne: 0, 1 or 3 */
    }
    out->nal_length_size = (uint8_t)(v + 1);
    return SR_OK;
}

int sr_hevc_parse_config(const uint8_t *record, size_t size, sr_hevc_config_t *out)
{
    memset(out, 0, sizeof(*out));
    sr_reader_t r;
    sr_reader_init(&r, record, size);
    SR_CODEC_TRY(sr_hevc_read_header(&r, out));
    uint8_t arrays = record[22];
    for (unsigned i = 0; i < arrays; i++) {
        SR_CODEC_TRY(sr_hevc_read_array(&r, out));
    }
    if (out->nb_sps == 0) {
        return -SR_EFORMAT;
    }
    return sr_hevc_parse_sps(out->sps[0].data, out->sps[0].size, &out->info);
}

int sr_hevc_parse_flv(const uint8_t *body, size_t size, sr_hevc_config_t *out)
{
    memset(out, 0, sizeof(*out));
    if (size < SR_CODEC_FLV_VIDEO_PREFIX_BYTES) {
        return -SR_ETRUNCATED;
    }
    if (!sr_codec__flv_is_video_config(body, size, SR_FLV_VIDEO_CODEC_HEVC, SR_HEVC_EX_FOURCC)) {
        return -SR_EFORMAT;
    }
    size_t prefix = SR_CODEC_FLV_VIDEO_PREFIX_BYTES;
    return sr_hevc_parse_config(body + prefix, size - prefix, out);
}

/* ---- names ---- */

const char *sr_hevc_profile_name(uint8_t profile_idc)
{
    switch (profile_idc) {
    case 1:
        return "Main";
    case 2:
        return "Main 10";
    case 3:
        return "Main Still Picture";
    case 4:
        return "Rext";
    default:
        return "Other";
    }
}

const char *sr_hevc_level_name(uint8_t level_idc)
{
    static const struct {
        uint8_t idc;
        const char *name;
    } levels[] = {
        {30, "1"},  {60, "2"},    {63, "2.1"},  {90, "3"},  {93, "3.1"},  {120, "4"},   {123, "4.1"},
        {150, "5"}, {153, "5.1"}, {156, "5.2"}, {180, "6"}, {183, "6.1"}, {186, "6.2"},
    };
    for (size_t i = 0; i < SR_ARRAY_SIZE(levels); i++) {
        if (levels[i].idc == level_idc) {
            return levels[i].name;
        }
    }
    return "Other";
}
