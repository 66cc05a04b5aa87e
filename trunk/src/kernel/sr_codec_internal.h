/* SPDX-License-Identifier: MIT */
/*
 * sr_codec_internal.h: helpers shared by the codec parsers (sr_avc.c, sr_hevc.c,
 * sr_aac.c, sr_codec.c, and the sr_codec_config.h writers). Not for use outside the
 * codec module; tests may include it.
 */
#ifndef SR_CODEC_INTERNAL_H
#define SR_CODEC_INTERNAL_H

#include <string.h>

#include "sr_codec.h"
#include "sr_error.h"

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

/* Whether an H.264 SPS of this profile_idc carries chroma_format_idc and bit depths
 * (H.264 7.3.2.1.1: 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135). */
bool sr_avc__is_high_profile(uint8_t profile_idc);
/* Hz of AAC samplingFrequencyIndex 0..12 (14496-3 Table 1.18), 0 for other indexes. */
uint32_t sr_aac__rate(uint8_t index);

/* Bounded output for the record writers: writes past cap are dropped and remembered,
 * so a writer checks once at the end (and the same pass can compute a size). */
typedef struct sr_codec_writer {
    uint8_t *out;
    size_t cap;
    size_t len; /* bytes the writes asked for, even past cap */
} sr_codec_writer_t;

static inline void sr_codec__writer_init(sr_codec_writer_t *w, uint8_t *out, size_t cap)
{
    w->out = out;
    w->cap = cap;
    w->len = 0;
}
static inline void sr_codec__put_bytes(sr_codec_writer_t *w, const void *p, size_t n)
{
    if (n > 0 && w->len <= w->cap && n <= w->cap - w->len) {
        memcpy(w->out + w->len, p, n);
    }
    w->len = w->len + n < w->len ? SIZE_MAX : w->len + n;
}
static inline void sr_codec__put_u8(sr_codec_writer_t *w, uint8_t v)
{
    sr_codec__put_bytes(w, &v, 1);
}
static inline void sr_codec__put_be16(sr_codec_writer_t *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    sr_codec__put_bytes(w, b, 2);
}
static inline void sr_codec__put_be32(sr_codec_writer_t *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    sr_codec__put_bytes(w, b, 4);
}
/* SR_OK and *written = length, or -SR_EOVERFLOW if anything was dropped. */
static inline int sr_codec__writer_end(const sr_codec_writer_t *w, size_t *written)
{
    *written = w->len <= w->cap ? w->len : 0;
    return w->len <= w->cap ? SR_OK : -SR_EOVERFLOW;
}

SR_END_DECLS

#endif
