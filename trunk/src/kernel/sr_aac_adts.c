/* SPDX-License-Identifier: MIT */
/*
 * sr_aac_adts.c: AAC configuration from outside FLV: the ADTS header (ISO/IEC 14496-3
 * 1.A.2.2) that MPEG-TS, SRT and .aac files put before each frame, read into an
 * sr_aac_config_t, and the AudioSpecificConfig (1.6.2.1) written back from one, the
 * canonical AAC config. The ADTS writer is sr_aac_adts_header() in sr_aac.c. Not for
 * program_config_element contents or non-AAC object types.
 */
#include "sr_codec_config.h"

#include <string.h>

#include "sr_codec_internal.h"
#include "sr_error.h"

#define SR_AAC_AOT_SBR 5
#define SR_AAC_AOT_PS 29
#define SR_AAC_RATE_EXPLICIT 15
#define SR_AAC_RATE_INDEXES 13 /* 0..12 in Table 1.18 */
#define SR_AAC_SYNC_SBR 0x2b7
#define SR_AAC_SYNC_PS 0x548
#define SR_AAC_ASC_MAX_BYTES 32 /* the longest config written here is 25 bytes */

/* ---- ADTS ---- */

int sr_aac_adts_parse(const uint8_t *data, size_t size, sr_aac_adts_t *out)
{
    memset(out, 0, sizeof(*out));
    if (size < SR_AAC_ADTS_HEADER_BYTES) {
        return -SR_ETRUNCATED;
    }
    const uint8_t *p = data;
    /* adts_fixed_header: syncword 12, ID 1, layer 2, protection_absent 1 */
    if (p[0] != 0xff || (p[1] & 0xf0) != 0xf0 || (p[1] & 0x06) != 0) {
        return -SR_EFORMAT;
    }
    out->is_mpeg2 = (p[1] >> 3) & 1;
    out->has_crc = !(p[1] & 1);
    /* profile_ObjectType 2, sampling_frequency_index 4, private_bit, channel_configuration 3 */
    sr_aac_config_t *c = &out->config;
    c->object_type = c->core_object_type = (uint8_t)((p[2] >> 6) + 1);
    c->sample_rate_index = (p[2] >> 2) & 0x0f;
    c->sample_rate = sr_aac__rate(c->sample_rate_index);
    if (c->sample_rate == 0) {
        return -SR_EFORMAT; /* 13, 14 reserved; 15 (explicit) not allowed in ADTS */
    }
    c->channel_config = (uint8_t)(((p[2] & 1) << 2) | (p[3] >> 6));
    c->channels = c->channel_config == 7 ? 8 : c->channel_config; /* 0: in a PCE */
    /* adts_variable_header: 4 copyright/home bits, aac_frame_length 13,
     * adts_buffer_fullness 11, number_of_raw_data_blocks_in_frame 2 */
    out->frame_bytes = ((size_t)(p[3] & 3) << 11) | ((size_t)p[4] << 3) | (p[5] >> 5);
    out->raw_blocks = (uint8_t)((p[6] & 3) + 1);
    /* with CRC: one raw_data_block_position per extra block, then crc_check */
    out->header_bytes = SR_AAC_ADTS_HEADER_BYTES + (out->has_crc ? 2u * out->raw_blocks : 0);
    if (out->frame_bytes < out->header_bytes) {
        return -SR_EFORMAT;
    }
    return size < out->header_bytes ? -SR_ETRUNCATED : SR_OK;
}

/* ---- AudioSpecificConfig ---- */

/* MSB-first bit writer over a small fixed buffer (no config here needs more). */
typedef struct sr_aac_bitw {
    uint8_t buf[SR_AAC_ASC_MAX_BYTES];
    size_t bits;
} sr_aac_bitw_t;

static void sr_aac_bitw_put(sr_aac_bitw_t *w, unsigned n, uint32_t v)
{
    for (unsigned i = n; i-- > 0;) {
        if ((v >> i) & 1) {
            w->buf[w->bits / 8] |= (uint8_t)(0x80 >> (w->bits % 8));
        }
        w->bits++;
    }
}

/* samplingFrequencyIndex of rate, or 15 followed by the 24-bit rate. */
static void sr_aac_bitw_rate(sr_aac_bitw_t *w, uint32_t rate)
{
    for (uint8_t i = 0; i < SR_AAC_RATE_INDEXES; i++) {
        if (sr_aac__rate(i) == rate) {
            sr_aac_bitw_put(w, 4, i);
            return;
        }
    }
    sr_aac_bitw_put(w, 4, SR_AAC_RATE_EXPLICIT);
    sr_aac_bitw_put(w, 24, rate);
}

/* What this writer can express: AAC Main/LC/SSR/LTP, alone or under SBR/PS. */
static int sr_aac_config_check(const sr_aac_config_t *c)
{
    bool is_explicit = c->object_type == SR_AAC_AOT_SBR || c->object_type == SR_AAC_AOT_PS;
    uint8_t core = is_explicit ? c->core_object_type : c->object_type;
    if (core < 1 || core > 4 || c->channel_config < 1 || c->channel_config > 7) {
        return -SR_EINVAL;
    }
    if (c->sample_rate_index == SR_AAC_RATE_EXPLICIT) {
        if (c->sample_rate == 0 || c->sample_rate > 0xffffff) {
            return -SR_EINVAL;
        }
    } else if (c->sample_rate_index >= SR_AAC_RATE_INDEXES) {
        return -SR_EINVAL;
    }
    if ((is_explicit || c->has_sbr) && (c->ext_sample_rate == 0 || c->ext_sample_rate > 0xffffff)) {
        return -SR_EINVAL;
    }
    return SR_OK;
}

int sr_aac_config_write(const sr_aac_config_t *c, uint8_t *out, size_t cap, size_t *written)
{
    *written = 0;
    SR_CODEC_TRY(sr_aac_config_check(c));
    bool is_explicit = c->object_type == SR_AAC_AOT_SBR || c->object_type == SR_AAC_AOT_PS;
    sr_aac_bitw_t w;
    memset(&w, 0, sizeof(w));
    sr_aac_bitw_put(&w, 5, c->object_type);
    sr_aac_bitw_put(&w, 4, c->sample_rate_index);
    if (c->sample_rate_index == SR_AAC_RATE_EXPLICIT) {
        sr_aac_bitw_put(&w, 24, c->sample_rate);
    }
    sr_aac_bitw_put(&w, 4, c->channel_config);
    if (is_explicit) {
        sr_aac_bitw_rate(&w, c->ext_sample_rate); /* extensionSamplingFrequencyIndex */
        sr_aac_bitw_put(&w, 5, c->core_object_type);
    }
    /* GASpecificConfig: frameLengthFlag, dependsOnCoreCoder, extensionFlag all 0 */
    sr_aac_bitw_put(&w, 3, 0);
    if (!is_explicit && c->has_sbr) {
        /* backward-compatible signalling (1.6.2.1, 1.6.6) */
        sr_aac_bitw_put(&w, 11, SR_AAC_SYNC_SBR);
        sr_aac_bitw_put(&w, 5, SR_AAC_AOT_SBR);
        sr_aac_bitw_put(&w, 1, 1); /* sbrPresentFlag */
        sr_aac_bitw_rate(&w, c->ext_sample_rate);
        if (c->has_ps) {
            sr_aac_bitw_put(&w, 11, SR_AAC_SYNC_PS);
            sr_aac_bitw_put(&w, 1, 1); /* psPresentFlag */
        }
    }
    size_t n = (w.bits + 7) / 8;
    if (cap < n) {
        return -SR_EOVERFLOW;
    }
    memcpy(out, w.buf, n);
    *written = n;
    return SR_OK;
}
