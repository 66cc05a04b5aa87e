/* SPDX-License-Identifier: MIT */
/*
 * sr_codec_internal.h: helpers shared by the codec parsers (sr_avc.c, sr_hevc.c,
 * sr_aac.c, sr_codec.c). Not for use outside the codec module; tests may include it.
 */
#ifndef SR_CODEC_INTERNAL_H
#define SR_CODEC_INTERNAL_H

#include "sr_codec.h"

SR_BEGIN_DECLS

/* Return the code of expr from the enclosing function unless it is SR_OK. */
#define SR_CODEC_TRY(expr)                                                                                             \
    do {                                                                                                               \
        int sr_codec_rc_ = (expr);                                                                                     \
        if (sr_codec_rc_ != SR_OK) {                                                                                   \
            return sr_codec_rc_;                                                                                       \
        }                                                                                                              \
    } while (0)

/* Bytes before the configuration record in an FLV video sequence header, legacy
 * (frame/codec byte, packet type, composition time) or Enhanced RTMP (byte, FourCC). */
#define SR_CODEC_FLV_VIDEO_PREFIX_BYTES 5
/* Enhanced RTMP FourCCs */
#define SR_AVC_EX_FOURCC 0x61766331  /* "avc1" */
#define SR_HEVC_EX_FOURCC 0x68766331 /* "hvc1" */

/* True if body is a video sequence header for legacy codec id codec or Enhanced RTMP
 * FourCC fourcc. Needs size >= SR_CODEC_FLV_VIDEO_PREFIX_BYTES. */
bool sr_codec__flv_is_video_config(const uint8_t *body, size_t size, int codec, uint32_t fourcc);

SR_END_DECLS

#endif
