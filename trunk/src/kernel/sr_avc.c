/* SPDX-License-Identifier: MIT */
/*
 * sr_avc.c: H.264 codec configuration: the AVCDecoderConfigurationRecord (ISO/IEC
 * 14496-15 5.2.4.1) as FLV/RTMP and MP4 carry it, and the sequence parameter set
 * (ITU-T H.264 7.3.2.1.1) up to the VUI timing info, for picture size, profile,
 * level and frame rate. Not for slices, PPS contents or the HRD.
 */
#include "sr_codec.h"

#include <string.h>

#include "sr_bytes.h"
#include "sr_codec_internal.h"
#include "sr_error.h"
#include "sr_flv.h"

#define SR_AVC_NAL_SPS 7
#define SR_AVC_NAL_PPS 8
/* Largest pic_width_in_mbs / height in map units accepted: 8192 pixels, above any
 * level in Table A-1, and small enough that no size computation overflows. */
#define SR_AVC_MAX_MBS 512

/* ---- sequence parameter set ---- */

/* Profiles whose SPS carries chroma_format_idc and bit depths (7.3.2.1.1). */
bool sr_avc__is_high_profile(uint8_t profile_idc)
{
    static const uint8_t high[] = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135};
    for (size_t i = 0; i < SR_ARRAY_SIZE(high); i++) {
        if (high[i] == profile_idc) {
            return true;
        }
    }
    return false;
}

/* scaling_list() (7.3.2.1.1.1): only its length matters here. */
static int sr_avc_skip_scaling_list(sr_bits_t *b, int size)
{
    int last = 8, next = 8;
    for (int j = 0; j < size; j++) {
        if (next != 0) {
            int32_t delta;
            SR_CODEC_TRY(sr_bits_se(b, &delta));
            if (delta < -128 || delta > 127) {
                return -SR_EFORMAT;
            }
            next = (last + delta + 256) % 256;
        }
        last = next == 0 ? last : next;
    }
    return SR_OK;
}

static int sr_avc_parse_chroma(sr_bits_t *b, sr_avc_sps_t *s)
{
    uint32_t v;
    SR_CODEC_TRY(sr_bits_ue_max(b, 3, &v));
    s->chroma_format_idc = (uint8_t)v;
    if (v == 3) {
        SR_CODEC_TRY(sr_bits_flag(b, &s->separate_colour_plane));
    }
    SR_CODEC_TRY(sr_bits_ue_max(b, 6, &v));
    s->bit_depth_luma = (uint8_t)(8 + v);
    SR_CODEC_TRY(sr_bits_ue_max(b, 6, &v));
    s->bit_depth_chroma = (uint8_t)(8 + v);
    SR_CODEC_TRY(sr_bits_skip(b, 1)); /* qpprime_y_zero_transform_bypass_flag */
    bool has_matrix;
    SR_CODEC_TRY(sr_bits_flag(b, &has_matrix));
    if (!has_matrix) {
        return SR_OK;
    }
    int lists = s->chroma_format_idc != 3 ? 8 : 12;
    for (int i = 0; i < lists; i++) {
        bool present;
        SR_CODEC_TRY(sr_bits_flag(b, &present));
        if (present) {
            SR_CODEC_TRY(sr_avc_skip_scaling_list(b, i < 6 ? 16 : 64));
        }
    }
    return SR_OK;
}

static int sr_avc_parse_poc(sr_bits_t *b, sr_avc_sps_t *s)
{
    uint32_t v;
    int32_t offset;
    SR_CODEC_TRY(sr_bits_ue_max(b, 2, &v));
    s->pic_order_cnt_type = (uint8_t)v;
    if (v == 0) {
        return sr_bits_ue_max(b, 12, &v); /* log2_max_pic_order_cnt_lsb_minus4 */
    }
    if (v == 2) {
        return SR_OK;
    }
    SR_CODEC_TRY(sr_bits_skip(b, 1));     /* delta_pic_order_always_zero_flag */
    SR_CODEC_TRY(sr_bits_se(b, &offset)); /* offset_for_non_ref_pic */
    SR_CODEC_TRY(sr_bits_se(b, &offset)); /* offset_for_top_to_bottom_field */
    uint32_t cycle;
    SR_CODEC_TRY(sr_bits_ue_max(b, 255, &cycle)); /* num_ref_frames_in_pic_order_cnt_cycle */
    for (uint32_t i = 0; i < cycle; i++) {
        SR_CODEC_TRY(sr_bits_se(b, &offset)); /* offset_for_ref_frame[i] */
    }
    return SR_OK;
}

/* hrd_parameters() (E.1.2), skipped. */
static int sr_avc_skip_hrd(sr_bits_t *b)
{
    uint32_t cpb_cnt, v;
    SR_CODEC_TRY(sr_bits_ue_max(b, 31, &cpb_cnt)); /* cpb_cnt_minus1 */
    SR_CODEC_TRY(sr_bits_skip(b, 8));              /* bit_rate_scale, cpb_size_scale */
    for (uint32_t i = 0; i <= cpb_cnt; i++) {
        SR_CODEC_TRY(sr_bits_ue(b, &v));  /* bit_rate_value_minus1 */
        SR_CODEC_TRY(sr_bits_ue(b, &v));  /* cpb_size_value_minus1 */
        SR_CODEC_TRY(sr_bits_skip(b, 1)); /* cbr_flag */
    }
    return sr_bits_skip(b, 20); /* four delay/offset lengths of 5 bits */
}

/* The VUI after timing_info (E.1.1): the HRDs skipped, then bitstream_restriction's
 * max_num_reorder_frames, which tells how far B-frames reorder. */
static int sr_avc_parse_vui_restriction(sr_bits_t *b, sr_avc_sps_t *s)
{
    bool nal_hrd, vcl_hrd, flag;
    uint32_t v;
    SR_CODEC_TRY(sr_bits_flag(b, &nal_hrd));
    if (nal_hrd) {
        SR_CODEC_TRY(sr_avc_skip_hrd(b));
    }
    SR_CODEC_TRY(sr_bits_flag(b, &vcl_hrd));
    if (vcl_hrd) {
        SR_CODEC_TRY(sr_avc_skip_hrd(b));
    }
    if (nal_hrd || vcl_hrd) {
        SR_CODEC_TRY(sr_bits_skip(b, 1)); /* low_delay_hrd_flag */
    }
    SR_CODEC_TRY(sr_bits_skip(b, 1));     /* pic_struct_present_flag */
    SR_CODEC_TRY(sr_bits_flag(b, &flag)); /* bitstream_restriction_flag */
    if (!flag) {
        return SR_OK;
    }
    SR_CODEC_TRY(sr_bits_skip(b, 1)); /* motion_vectors_over_pic_boundaries_flag */
    for (int i = 0; i < 4; i++) {
        SR_CODEC_TRY(sr_bits_ue(b, &v)); /* max_bytes_per_pic_denom ... log2_max_mv_length_vertical */
    }
    SR_CODEC_TRY(sr_bits_ue_max(b, 16, &v)); /* max_num_reorder_frames */
    s->max_num_reorder_frames = (uint8_t)v;
    s->has_reorder = true;
    return SR_OK;
}

/* vui_parameters() (E.1.1); errors are the caller's to ignore. */
static int sr_avc_parse_vui_timing(sr_bits_t *b, sr_avc_sps_t *s)
{
    bool flag;
    uint32_t v;
    SR_CODEC_TRY(sr_bits_flag(b, &flag)); /* aspect_ratio_info_present_flag */
    if (flag) {
        SR_CODEC_TRY(sr_bits_read(b, 8, &v));
        if (v == 255) {                        /* Extended_SAR */
            SR_CODEC_TRY(sr_bits_skip(b, 32)); /* sar_width, sar_height */
        }
    }
    SR_CODEC_TRY(sr_bits_flag(b, &flag)); /* overscan_info_present_flag */
    if (flag) {
        SR_CODEC_TRY(sr_bits_skip(b, 1));
    }
    SR_CODEC_TRY(sr_bits_flag(b, &flag)); /* video_signal_type_present_flag */
    if (flag) {
        SR_CODEC_TRY(sr_bits_skip(b, 4)); /* video_format, video_full_range_flag */
        SR_CODEC_TRY(sr_bits_flag(b, &flag));
        if (flag) {
            SR_CODEC_TRY(sr_bits_skip(b, 24)); /* colour_primaries, transfer, matrix */
        }
    }
    SR_CODEC_TRY(sr_bits_flag(b, &flag)); /* chroma_loc_info_present_flag */
    if (flag) {
        SR_CODEC_TRY(sr_bits_ue(b, &v));
        SR_CODEC_TRY(sr_bits_ue(b, &v));
    }
    SR_CODEC_TRY(sr_bits_flag(b, &flag)); /* timing_info_present_flag */
    if (flag) {
        uint32_t units, scale;
        SR_CODEC_TRY(sr_bits_read(b, 32, &units));
        SR_CODEC_TRY(sr_bits_read(b, 32, &scale));
        if (units == 0 || scale == 0) {
            return -SR_EFORMAT;
        }
        SR_CODEC_TRY(sr_bits_skip(b, 1)); /* fixed_frame_rate_flag */
        s->num_units_in_tick = units;
        s->time_scale = scale;
        s->has_timing = true;
    }
    if (sr_avc_parse_vui_restriction(b, s) != SR_OK) {
        s->has_reorder = false; /* the timing stands without it */
    }
    return SR_OK;
}

/* Frame size from 7.4.2.1.1: crop units depend on ChromaArrayType and field coding. */
static int sr_avc_compute_size(sr_avc_sps_t *s)
{
    uint32_t unit_x = 1, unit_y = s->frame_mbs_only ? 1 : 2;
    if (!s->separate_colour_plane && s->chroma_format_idc != 0) {
        uint32_t sub_w = s->chroma_format_idc == 3 ? 1 : 2;
        uint32_t sub_h = s->chroma_format_idc == 1 ? 2 : 1;
        unit_x = sub_w;
        unit_y *= sub_h;
    }
    uint32_t w = s->pic_width_in_mbs * 16;
    uint32_t h = s->pic_height_in_map_units * 16 * (s->frame_mbs_only ? 1 : 2);
    uint64_t crop_x = (uint64_t)unit_x * ((uint64_t)s->crop_left + s->crop_right);
    uint64_t crop_y = (uint64_t)unit_y * ((uint64_t)s->crop_top + s->crop_bottom);
    if (crop_x >= w || crop_y >= h) {
        return -SR_EFORMAT;
    }
    s->width = w - (uint32_t)crop_x;
    s->height = h - (uint32_t)crop_y;
    return SR_OK;
}

static int sr_avc_parse_frame(sr_bits_t *b, sr_avc_sps_t *s)
{
    uint32_t v;
    SR_CODEC_TRY(sr_bits_ue_max(b, SR_AVC_MAX_MBS - 1, &v));
    s->pic_width_in_mbs = v + 1;
    SR_CODEC_TRY(sr_bits_ue_max(b, SR_AVC_MAX_MBS - 1, &v));
    s->pic_height_in_map_units = v + 1;
    SR_CODEC_TRY(sr_bits_flag(b, &s->frame_mbs_only));
    if (!s->frame_mbs_only) {
        SR_CODEC_TRY(sr_bits_skip(b, 1)); /* mb_adaptive_frame_field_flag */
    }
    SR_CODEC_TRY(sr_bits_skip(b, 1)); /* direct_8x8_inference_flag */
    bool cropping;
    SR_CODEC_TRY(sr_bits_flag(b, &cropping));
    if (cropping) {
        uint32_t max = SR_AVC_MAX_MBS * 16;
        SR_CODEC_TRY(sr_bits_ue_max(b, max, &s->crop_left));
        SR_CODEC_TRY(sr_bits_ue_max(b, max, &s->crop_right));
        SR_CODEC_TRY(sr_bits_ue_max(b, max, &s->crop_top));
        SR_CODEC_TRY(sr_bits_ue_max(b, max, &s->crop_bottom));
    }
    return sr_avc_compute_size(s);
}

int sr_avc_parse_sps(const uint8_t *nal, size_t size, sr_avc_sps_t *out)
{
    memset(out, 0, sizeof(*out));
    if (size < 1) {
        return -SR_ETRUNCATED;
    }
    if ((nal[0] & 0x1f) != SR_AVC_NAL_SPS || (nal[0] & 0x80)) {
        return -SR_EFORMAT;
    }
    sr_bits_t b;
    sr_bits_init_rbsp(&b, nal + 1, size - 1);
    uint32_t v;
    SR_CODEC_TRY(sr_bits_read(&b, 8, &v));
    out->profile_idc = (uint8_t)v;
    SR_CODEC_TRY(sr_bits_read(&b, 8, &v));
    out->constraint_flags = (uint8_t)v;
    SR_CODEC_TRY(sr_bits_read(&b, 8, &v));
    out->level_idc = (uint8_t)v;
    SR_CODEC_TRY(sr_bits_ue_max(&b, 31, &v)); /* seq_parameter_set_id */
    out->chroma_format_idc = 1;
    out->bit_depth_luma = out->bit_depth_chroma = 8;
    if (sr_avc__is_high_profile(out->profile_idc)) {
        SR_CODEC_TRY(sr_avc_parse_chroma(&b, out));
    }
    SR_CODEC_TRY(sr_bits_ue_max(&b, 12, &v));
    out->log2_max_frame_num = (uint8_t)(v + 4);
    SR_CODEC_TRY(sr_avc_parse_poc(&b, out));
    SR_CODEC_TRY(sr_bits_ue_max(&b, 16, &out->max_num_ref_frames));
    SR_CODEC_TRY(sr_bits_skip(&b, 1)); /* gaps_in_frame_num_value_allowed_flag */
    SR_CODEC_TRY(sr_avc_parse_frame(&b, out));
    bool has_vui;
    if (sr_bits_flag(&b, &has_vui) == SR_OK && has_vui && sr_avc_parse_vui_timing(&b, out) != SR_OK) {
        out->has_timing = false; /* the VUI is optional extra: keep the size */
    }
    return SR_OK;
}

/* ---- decoder configuration record ---- */

/* Read a u16-length-prefixed NAL unit list of count entries, keeping the first few. */
static int sr_avc_read_nalus(sr_reader_t *r, unsigned count, uint8_t type, sr_codec_nalu_t *kept, uint8_t *nb_kept)
{
    *nb_kept = 0;
    for (unsigned i = 0; i < count; i++) {
        uint16_t len;
        const uint8_t *p;
        SR_CODEC_TRY(sr_reader_be16(r, &len));
        SR_CODEC_TRY(sr_reader_ptr(r, len, &p));
        if (len == 0 || (p[0] & 0x1f) != type) {
            return -SR_EFORMAT;
        }
        if (*nb_kept < SR_CODEC_MAX_PARAM_SETS) {
            kept[*nb_kept].data = p;
            kept[*nb_kept].size = len;
            (*nb_kept)++;
        }
    }
    return SR_OK;
}

/* 5.2.4.1.1: the chroma/bit-depth/SPS-extension tail for profiles 100, 110, 122, 144. */
static int sr_avc_read_high_tail(sr_reader_t *r, uint8_t profile)
{
    if (sr_reader_left(r) == 0 || (profile != 100 && profile != 110 && profile != 122 && profile != 144)) {
        return SR_OK; /* absent in many real records: optional */
    }
    uint8_t v, count;
    SR_CODEC_TRY(sr_reader_u8(r, &v)); /* chroma_format */
    SR_CODEC_TRY(sr_reader_u8(r, &v)); /* bit_depth_luma_minus8 */
    SR_CODEC_TRY(sr_reader_u8(r, &v)); /* bit_depth_chroma_minus8 */
    SR_CODEC_TRY(sr_reader_u8(r, &count));
    for (unsigned i = 0; i < count; i++) {
        uint16_t len;
        SR_CODEC_TRY(sr_reader_be16(r, &len));
        SR_CODEC_TRY(sr_reader_skip(r, len));
    }
    return SR_OK;
}

int sr_avc_parse_config(const uint8_t *record, size_t size, sr_avc_config_t *out)
{
    memset(out, 0, sizeof(*out));
    sr_reader_t r;
    sr_reader_init(&r, record, size);
    uint8_t v;
    SR_CODEC_TRY(sr_reader_u8(&r, &out->version));
    if (out->version != 1) {
        return -SR_EFORMAT;
    }
    SR_CODEC_TRY(sr_reader_u8(&r, &out->profile));
    SR_CODEC_TRY(sr_reader_u8(&r, &out->compat));
    SR_CODEC_TRY(sr_reader_u8(&r, &out->level));
    SR_CODEC_TRY(sr_reader_u8(&r, &v));
    if ((v & 3) == 2) {
        return -SR_EFORMAT; /* lengthSizeMinusOne: 0, 1 or 3 */
    }
    out->nal_length_size = (uint8_t)((v & 3) + 1);
    SR_CODEC_TRY(sr_reader_u8(&r, &v));
    unsigned nb_sps = v & 0x1f;
    if (nb_sps == 0) {
        return -SR_EFORMAT;
    }
    SR_CODEC_TRY(sr_avc_read_nalus(&r, nb_sps, SR_AVC_NAL_SPS, out->sps, &out->nb_sps));
    SR_CODEC_TRY(sr_reader_u8(&r, &v));
    SR_CODEC_TRY(sr_avc_read_nalus(&r, v, SR_AVC_NAL_PPS, out->pps, &out->nb_pps));
    SR_CODEC_TRY(sr_avc_read_high_tail(&r, out->profile));
    return sr_avc_parse_sps(out->sps[0].data, out->sps[0].size, &out->info);
}

int sr_avc_parse_flv(const uint8_t *body, size_t size, sr_avc_config_t *out)
{
    memset(out, 0, sizeof(*out));
    if (size < SR_CODEC_FLV_VIDEO_PREFIX_BYTES) {
        return -SR_ETRUNCATED;
    }
    if (!sr_codec__flv_is_video_config(body, size, SR_FLV_VIDEO_CODEC_AVC, SR_AVC_EX_FOURCC)) {
        return -SR_EFORMAT;
    }
    size_t prefix = SR_CODEC_FLV_VIDEO_PREFIX_BYTES;
    return sr_avc_parse_config(body + prefix, size - prefix, out);
}

/* ---- names ---- */

const char *sr_avc_profile_name(uint8_t profile_idc)
{
    switch (profile_idc) {
    case 66:
        return "Baseline";
    case 77:
        return "Main";
    case 88:
        return "Extended";
    case 100:
        return "High";
    case 110:
        return "High 10";
    case 122:
        return "High 4:2:2";
    case 244:
        return "High 4:4:4";
    default:
        return "Other";
    }
}

const char *sr_avc_level_name(uint8_t level_idc)
{
    static const struct {
        uint8_t idc;
        const char *name;
    } levels[] = {
        {9, "1b"},   {10, "1"},   {11, "1.1"}, {12, "1.2"}, {13, "1.3"}, {20, "2"},   {21, "2.1"},
        {22, "2.2"}, {30, "3"},   {31, "3.1"}, {32, "3.2"}, {40, "4"},   {41, "4.1"}, {42, "4.2"},
        {50, "5"},   {51, "5.1"}, {52, "5.2"}, {60, "6"},   {61, "6.1"}, {62, "6.2"},
    };
    for (size_t i = 0; i < SR_ARRAY_SIZE(levels); i++) {
        if (levels[i].idc == level_idc) {
            return levels[i].name;
        }
    }
    return "Other";
}
