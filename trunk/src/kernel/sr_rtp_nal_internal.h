/* SPDX-License-Identifier: MIT */
/*
 * sr_rtp_nal_internal.h: what the H.264 and H.265 RTP payload formats differ in, shared
 * by the packetizer (sr_rtp_nal_pack.c) and the depacketizer (sr_rtp_nal_depack.c).
 */
#ifndef SR_RTP_NAL_INTERNAL_H
#define SR_RTP_NAL_INTERNAL_H

#include "sr_codec_id.h"
#include "sr_core.h"

SR_BEGIN_DECLS

/* How one format lays its NAL units out. */
typedef struct sr_nal_format {
    sr_codec_id_t codec;
    size_t header_bytes; /* of a NAL unit: 1 (H.264) or 2 (H.265) */
    uint8_t aggregation; /* STAP-A 24, AP 48: also the first type that is no NAL unit's */
    uint8_t fragment;    /* FU-A 28, FU 49 */
    uint8_t type_shift;  /* the type is (first byte >> shift) & mask */
    uint8_t type_mask;
    uint8_t vps, sps, pps;       /* parameter set types (vps 0xff: none) */
    uint8_t key_first, key_last; /* keyframe NAL types: IDR 5..5, IRAP 16..23 */
    uint64_t drop_types;         /* parameter sets, AUD and filler: not in a canonical frame */
    uint64_t unsent_types;       /* AUD and filler: not worth sending */
} sr_nal_format_t;

/* The format of codec (SR_CODEC_H264, SR_CODEC_H265), or NULL. */
const sr_nal_format_t *sr_nal_format_of(sr_codec_id_t codec);

static inline uint8_t sr_nal_type(const sr_nal_format_t *f, uint8_t first_byte)
{
    return (uint8_t)((first_byte >> f->type_shift) & f->type_mask);
}

/* Whether a NAL unit type can be in a frame: H.264's 0 and 24..31 and H.265's 48..63
 * are the payload formats' own (RFC 6184 5.2, RFC 7798 4.4). */
static inline bool sr_nal_is_nal_type(const sr_nal_format_t *f, uint8_t type)
{
    return type < f->aggregation && (type != 0 || f->codec == SR_CODEC_H265);
}

SR_END_DECLS

#endif
