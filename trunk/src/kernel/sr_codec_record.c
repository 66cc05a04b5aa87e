/* SPDX-License-Identifier: MIT */
/*
 * sr_codec_record.c: building the H.264 and H.265 decoder configuration records
 * (ISO/IEC 14496-15 5.2.4.1 and 8.3.3.1) from parameter sets found anywhere: Annex-B
 * access units (sr_annexb_scan) or SDP sprop parameters (sr_codec_fmtp.c). The record
 * header fields come from the first SPS; the records are what FLV, Enhanced RTMP and
 * MP4 carry, and sr_avc_parse_config / sr_hevc_parse_config read them back. Not for
 * SPS rewriting or merging parameter sets of different streams.
 */
#include "sr_codec_config.h"

#include <string.h>

#include "sr_codec_internal.h"
#include "sr_error.h"

#define SR_AVC_MAX_RECORD_SPS 31      /* numOfSequenceParameterSets, 5 bits */
#define SR_AVC_MAX_RECORD_PPS 255     /* numOfPictureParameterSets, 8 bits */
#define SR_HEVC_MAX_ARRAY_NALUS 65535 /* numNalus, 16 bits */
#define SR_HEVC_RECORD_HEADER_BYTES 23

/* Every NAL unit is 1..65535 bytes (u16 length), at least min_size, of nal_unit_type
 * type and with forbidden_zero_bit clear. */
static int sr_codec_record_check(sr_codec_id_t codec, const sr_codec_nalu_t *list, size_t nb, uint8_t type,
                                 size_t min_size)
{
    for (size_t i = 0; i < nb; i++) {
        if (list[i].size < min_size || list[i].size > UINT16_MAX || !list[i].data) {
            return -SR_EFORMAT;
        }
        if ((list[i].data[0] & 0x80) || sr_annexb_nal_type(codec, list[i].data[0]) != type) {
            return -SR_EFORMAT;
        }
    }
    return SR_OK;
}

/* Each NAL unit with its 16-bit length. */
static void sr_codec_record_put_nalus(sr_codec_writer_t *w, const sr_codec_nalu_t *list, size_t nb)
{
    for (size_t i = 0; i < nb; i++) {
        sr_codec__put_be16(w, (uint16_t)list[i].size);
        sr_codec__put_bytes(w, list[i].data, list[i].size);
    }
}

/* ---- AVCDecoderConfigurationRecord ---- */

int sr_avc_config_write(const sr_codec_nalu_t *sps, size_t nb_sps, const sr_codec_nalu_t *pps, size_t nb_pps,
                        uint8_t *out, size_t cap, size_t *written)
{
    *written = 0;
    if (nb_sps == 0 || nb_sps > SR_AVC_MAX_RECORD_SPS || nb_pps > SR_AVC_MAX_RECORD_PPS) {
        return -SR_EFORMAT;
    }
    SR_CODEC_TRY(sr_codec_record_check(SR_CODEC_H264, sps, nb_sps, SR_AVC_NAL_SPS, 1));
    SR_CODEC_TRY(sr_codec_record_check(SR_CODEC_H264, pps, nb_pps, SR_AVC_NAL_PPS, 1));
    sr_avc_sps_t info;
    SR_CODEC_TRY(sr_avc_parse_sps(sps[0].data, sps[0].size, &info));

    sr_codec_writer_t w;
    sr_codec__writer_init(&w, out, cap);
    sr_codec__put_u8(&w, 1); /* configurationVersion */
    /* the SPS's own bytes (as parsed, emulation prevention removed) */
    sr_codec__put_u8(&w, info.profile_idc);
    sr_codec__put_u8(&w, info.constraint_flags);
    sr_codec__put_u8(&w, info.level_idc);
    sr_codec__put_u8(&w, 0xfc | 3);                 /* reserved 6 bits, lengthSizeMinusOne 3 */
    sr_codec__put_u8(&w, (uint8_t)(0xe0 | nb_sps)); /* reserved 3 bits */
    sr_codec_record_put_nalus(&w, sps, nb_sps);
    sr_codec__put_u8(&w, (uint8_t)nb_pps);
    sr_codec_record_put_nalus(&w, pps, nb_pps);
    if (sr_avc__is_high_profile(info.profile_idc)) {
        /* 5.2.4.1.1: reserved bits set, then the values; no SPS extension NAL units */
        sr_codec__put_u8(&w, (uint8_t)(0xfc | info.chroma_format_idc));
        sr_codec__put_u8(&w, (uint8_t)(0xf8 | (info.bit_depth_luma - 8)));
        sr_codec__put_u8(&w, (uint8_t)(0xf8 | (info.bit_depth_chroma - 8)));
        sr_codec__put_u8(&w, 0);
    }
    return sr_codec__writer_end(&w, written);
}

/* ---- HEVCDecoderConfigurationRecord ---- */

/* What the record copies from the SPS bits before seq_parameter_set_id (H.265
 * 7.3.2.2.1 and the general part of profile_tier_level, 7.3.3). */
typedef struct sr_hevc_record_ptl {
    uint8_t max_sub_layers;
    bool temporal_id_nesting;
    uint8_t profile_byte;  /* general_profile_space, tier_flag, profile_idc */
    uint32_t compat_flags; /* general_profile_compatibility_flag[32] */
    uint8_t constraint[6]; /* progressive .. general_inbld/reserved: 48 bits */
    uint8_t level_idc;
} sr_hevc_record_ptl_t;

static int sr_hevc_record_read_ptl(const sr_codec_nalu_t *sps, sr_hevc_record_ptl_t *p)
{
    sr_bits_t b;
    uint32_t v;
    bool flag;
    sr_bits_init_rbsp(&b, sps->data + 2, sps->size - 2);
    SR_CODEC_TRY(sr_bits_skip(&b, 4)); /* sps_video_parameter_set_id */
    SR_CODEC_TRY(sr_bits_read(&b, 3, &v));
    p->max_sub_layers = (uint8_t)(v + 1);
    SR_CODEC_TRY(sr_bits_flag(&b, &flag));
    p->temporal_id_nesting = flag;
    SR_CODEC_TRY(sr_bits_read(&b, 8, &v));
    p->profile_byte = (uint8_t)v;
    SR_CODEC_TRY(sr_bits_read(&b, 32, &p->compat_flags));
    for (size_t i = 0; i < sizeof(p->constraint); i++) {
        SR_CODEC_TRY(sr_bits_read(&b, 8, &v));
        p->constraint[i] = (uint8_t)v;
    }
    SR_CODEC_TRY(sr_bits_read(&b, 8, &v));
    p->level_idc = (uint8_t)v;
    return SR_OK;
}

/* The fixed 22 bytes before numOfArrays (8.3.3.1.2); unknown fields are 0. */
static void sr_hevc_record_put_header(sr_codec_writer_t *w, const sr_hevc_record_ptl_t *p, const sr_hevc_sps_t *s)
{
    sr_codec__put_u8(w, 1); /* configurationVersion */
    sr_codec__put_u8(w, p->profile_byte);
    sr_codec__put_be32(w, p->compat_flags);
    sr_codec__put_bytes(w, p->constraint, sizeof(p->constraint));
    sr_codec__put_u8(w, p->level_idc);
    sr_codec__put_be16(w, 0xf000); /* reserved 4 bits, min_spatial_segmentation_idc 0 */
    sr_codec__put_u8(w, 0xfc);     /* reserved 6 bits, parallelismType 0 (unknown) */
    sr_codec__put_u8(w, (uint8_t)(0xfc | s->chroma_format_idc));
    sr_codec__put_u8(w, (uint8_t)(0xf8 | (s->bit_depth_luma - 8)));
    sr_codec__put_u8(w, (uint8_t)(0xf8 | (s->bit_depth_chroma - 8)));
    sr_codec__put_be16(w, 0); /* avgFrameRate: unspecified */
    /* constantFrameRate 0, numTemporalLayers, temporalIdNested, lengthSizeMinusOne 3 */
    sr_codec__put_u8(w, (uint8_t)((p->max_sub_layers << 3) | (p->temporal_id_nesting << 2) | 3));
}

/* One array, complete (array_completeness 1), if it has NAL units. */
static void sr_hevc_record_put_array(sr_codec_writer_t *w, uint8_t type, const sr_codec_nalu_t *list, size_t nb)
{
    if (nb == 0) {
        return;
    }
    sr_codec__put_u8(w, (uint8_t)(0x80 | type)); /* array_completeness, reserved 0, NAL_unit_type */
    sr_codec__put_be16(w, (uint16_t)nb);
    sr_codec_record_put_nalus(w, list, nb);
}

int sr_hevc_config_write(const sr_codec_nalu_t *vps, size_t nb_vps, const sr_codec_nalu_t *sps, size_t nb_sps,
                         const sr_codec_nalu_t *pps, size_t nb_pps, uint8_t *out, size_t cap, size_t *written)
{
    *written = 0;
    if (nb_sps == 0 || nb_sps > SR_HEVC_MAX_ARRAY_NALUS || nb_vps > SR_HEVC_MAX_ARRAY_NALUS ||
        nb_pps > SR_HEVC_MAX_ARRAY_NALUS) {
        return -SR_EFORMAT;
    }
    SR_CODEC_TRY(sr_codec_record_check(SR_CODEC_H265, vps, nb_vps, SR_HEVC_NAL_VPS, 2));
    SR_CODEC_TRY(sr_codec_record_check(SR_CODEC_H265, sps, nb_sps, SR_HEVC_NAL_SPS, 2));
    SR_CODEC_TRY(sr_codec_record_check(SR_CODEC_H265, pps, nb_pps, SR_HEVC_NAL_PPS, 2));
    sr_hevc_sps_t info;
    sr_hevc_record_ptl_t ptl;
    SR_CODEC_TRY(sr_hevc_parse_sps(sps[0].data, sps[0].size, &info));
    SR_CODEC_TRY(sr_hevc_record_read_ptl(&sps[0], &ptl));
    if (info.bit_depth_luma > 15 || info.bit_depth_chroma > 15) {
        return -SR_EUNSUPPORTED; /* bitDepth*Minus8 has 3 bits */
    }

    sr_codec_writer_t w;
    sr_codec__writer_init(&w, out, cap);
    sr_hevc_record_put_header(&w, &ptl, &info);
    sr_codec__put_u8(&w, (uint8_t)((nb_vps > 0) + 1 + (nb_pps > 0))); /* numOfArrays */
    sr_hevc_record_put_array(&w, SR_HEVC_NAL_VPS, vps, nb_vps);
    sr_hevc_record_put_array(&w, SR_HEVC_NAL_SPS, sps, nb_sps);
    sr_hevc_record_put_array(&w, SR_HEVC_NAL_PPS, pps, nb_pps);
    return sr_codec__writer_end(&w, written);
}
