/* SPDX-License-Identifier: MIT */
/*
 * sr_aac.c: the AAC AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1) as the FLV AAC
 * sequence header and MP4 esds carry it, and the ADTS header (1.A.2.2) that HLS/TS
 * puts before each raw AAC frame. Reads explicit SBR/PS signalling (object types 5
 * and 29) and the backward-compatible sync extension (0x2b7, 0x548, 1.6.6) after a
 * GASpecificConfig. Not for program_config_element contents or non-AAC object types'
 * specific configs.
 */
#include "sr_codec.h"

#include <string.h>

#include "sr_codec_internal.h"
#include "sr_error.h"
#include "sr_flv.h"

#define SR_AAC_AOT_ESCAPE 31
#define SR_AAC_AOT_SBR 5
#define SR_AAC_AOT_PS 29
#define SR_AAC_AOT_ER_BSAC 22
#define SR_AAC_RATE_EXPLICIT 15
#define SR_AAC_SYNC_SBR 0x2b7
#define SR_AAC_SYNC_PS 0x548
#define SR_AAC_ADTS_MAX_FRAME 8191 /* 13-bit aac_frame_length */

/* Table 1.18, samplingFrequencyIndex 0..12. */
static const uint32_t sr_aac_rates[] = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                                        22050, 16000, 12000, 11025, 8000,  7350};

/* GetAudioObjectType() (1.6.2.1.1): 5 bits, 31 escapes to 32 + 6 bits. */
static int sr_aac_read_object_type(sr_bits_t *b, uint8_t *aot)
{
    uint32_t v;
    SR_CODEC_TRY(sr_bits_read(b, 5, &v));
    if (v == SR_AAC_AOT_ESCAPE) {
        uint32_t ext;
        SR_CODEC_TRY(sr_bits_read(b, 6, &ext));
        v = 32 + ext;
    }
    *aot = (uint8_t)v;
    return SR_OK;
}

/* samplingFrequencyIndex, or 15 and an explicit 24-bit samplingFrequency. */
static int sr_aac_read_rate(sr_bits_t *b, uint8_t *index, uint32_t *rate)
{
    uint32_t v;
    SR_CODEC_TRY(sr_bits_read(b, 4, &v));
    *index = (uint8_t)v;
    if (v == SR_AAC_RATE_EXPLICIT) {
        SR_CODEC_TRY(sr_bits_read(b, 24, rate));
    } else if (v < SR_ARRAY_SIZE(sr_aac_rates)) {
        *rate = sr_aac_rates[v];
    } else {
        return -SR_EFORMAT; /* 13, 14 reserved */
    }
    return *rate == 0 ? -SR_EFORMAT : SR_OK;
}

/* Channel count of channelConfiguration (Table 1.19, with the later 11..14 entries). */
static int sr_aac_channels(uint8_t config, uint8_t *channels)
{
    static const int8_t counts[16] = {0, 1, 2, 3, 4, 5, 6, 8, -1, -1, -1, 7, 8, 24, 8, -1};
    if (counts[config & 0x0f] < 0) {
        return -SR_EFORMAT;
    }
    *channels = (uint8_t)counts[config & 0x0f];
    return SR_OK;
}

/* Object types whose specific config is a GASpecificConfig (1.6.2.1). */
static bool sr_aac_is_ga(uint8_t aot)
{
    return (aot >= 1 && aot <= 4) || aot == 6 || aot == 7 || (aot >= 17 && aot <= 23);
}

/* GASpecificConfig (4.4.1). False when it cannot be skipped (a program config element
 * follows, or the data ends), so no sync extension is looked for. */
static bool sr_aac_skip_ga(sr_bits_t *b, const sr_aac_config_t *c)
{
    bool depends_on_core, has_ext;
    if (sr_bits_skip(b, 1) != SR_OK || sr_bits_flag(b, &depends_on_core) != SR_OK) {
        return false; /* frameLengthFlag */
    }
    if ((depends_on_core && sr_bits_skip(b, 14) != SR_OK) || sr_bits_flag(b, &has_ext) != SR_OK) {
        return false;
    }
    uint8_t aot = c->core_object_type;
    if (c->channel_config == 0) {
        return false;
    }
    if ((aot == 6 || aot == 20) && sr_bits_skip(b, 3) != SR_OK) {
        return false; /* layerNr */
    }
    if (has_ext) {
        size_t n = aot == 22 ? 5 + 11 : (aot == 17 || aot == 19 || aot == 20 || aot == 23) ? 3 : 0;
        if (sr_bits_skip(b, n + 1) != SR_OK) {
            return false; /* ... extensionFlag3 */
        }
    }
    return true;
}

/* Backward-compatible SBR/PS signalling after the specific config (1.6.2.1). Best
 * effort: trailing bits that do not form it are ignored. */
static void sr_aac_read_sync_extension(sr_bits_t *b, sr_aac_config_t *c)
{
    uint32_t sync;
    uint8_t ext_aot, index;
    bool present;
    if (sr_bits_read(b, 11, &sync) != SR_OK || sync != SR_AAC_SYNC_SBR) {
        return;
    }
    if (sr_aac_read_object_type(b, &ext_aot) != SR_OK || ext_aot != SR_AAC_AOT_SBR) {
        return;
    }
    if (sr_bits_flag(b, &present) != SR_OK || !present) {
        return;
    }
    uint32_t rate;
    if (sr_aac_read_rate(b, &index, &rate) != SR_OK) {
        return;
    }
    c->has_sbr = true;
    c->ext_sample_rate = rate;
    if (sr_bits_read(b, 11, &sync) == SR_OK && sync == SR_AAC_SYNC_PS && sr_bits_flag(b, &present) == SR_OK) {
        c->has_ps = present;
    }
}

uint32_t sr_aac__rate(uint8_t index)
{
    return index < SR_ARRAY_SIZE(sr_aac_rates) ? sr_aac_rates[index] : 0;
}

int sr_aac_parse_config(const uint8_t *asc, size_t size, sr_aac_config_t *out)
{
    memset(out, 0, sizeof(*out));
    sr_bits_t b;
    sr_bits_init(&b, asc, size);
    uint32_t v;
    SR_CODEC_TRY(sr_aac_read_object_type(&b, &out->object_type));
    if (out->object_type == 0) {
        return -SR_EFORMAT;
    }
    SR_CODEC_TRY(sr_aac_read_rate(&b, &out->sample_rate_index, &out->sample_rate));
    SR_CODEC_TRY(sr_bits_read(&b, 4, &v));
    out->channel_config = (uint8_t)v;
    SR_CODEC_TRY(sr_aac_channels(out->channel_config, &out->channels));
    out->core_object_type = out->object_type;
    if (out->object_type == SR_AAC_AOT_SBR || out->object_type == SR_AAC_AOT_PS) {
        uint8_t index;
        out->has_sbr = true;
        out->has_ps = out->object_type == SR_AAC_AOT_PS;
        SR_CODEC_TRY(sr_aac_read_rate(&b, &index, &out->ext_sample_rate));
        SR_CODEC_TRY(sr_aac_read_object_type(&b, &out->core_object_type));
        if (out->core_object_type == SR_AAC_AOT_ER_BSAC) {
            SR_CODEC_TRY(sr_bits_skip(&b, 4)); /* extensionChannelConfiguration */
        }
        return SR_OK;
    }
    if (sr_aac_is_ga(out->core_object_type) && sr_aac_skip_ga(&b, out)) {
        sr_aac_read_sync_extension(&b, out);
    }
    return SR_OK;
}

int sr_aac_parse_flv(const uint8_t *body, size_t size, sr_aac_config_t *out)
{
    memset(out, 0, sizeof(*out));
    if (size < 2) {
        return -SR_ETRUNCATED;
    }
    if ((body[0] >> 4) != SR_FLV_AUDIO_CODEC_AAC || body[1] != 0) {
        return -SR_EFORMAT;
    }
    return sr_aac_parse_config(body + 2, size - 2, out);
}

const char *sr_aac_profile_name(uint8_t object_type)
{
    switch (object_type) {
    case 1:
        return "Main";
    case 2:
        return "LC";
    case 3:
        return "SSR";
    case 4:
        return "LTP";
    case SR_AAC_AOT_SBR:
        return "HE";
    case SR_AAC_AOT_PS:
        return "HEv2";
    default:
        return "Other";
    }
}

int sr_aac_adts_header(const sr_aac_config_t *c, size_t frame_bytes, uint8_t out[SR_AAC_ADTS_HEADER_BYTES])
{
    if (c->core_object_type < 1 || c->core_object_type > 4 || c->sample_rate_index >= SR_ARRAY_SIZE(sr_aac_rates) ||
        c->channel_config > 7 || frame_bytes > SR_AAC_ADTS_MAX_FRAME - SR_AAC_ADTS_HEADER_BYTES) {
        return -SR_EINVAL;
    }
    uint32_t len = (uint32_t)frame_bytes + SR_AAC_ADTS_HEADER_BYTES;
    uint32_t profile = c->core_object_type - 1u;
    /* syncword 0xfff, ID 0 (MPEG-4), layer 0, protection_absent 1 */
    out[0] = 0xff;
    out[1] = 0xf1;
    /* profile 2, sampling_frequency_index 4, private_bit 1, channel_configuration 3 (high bit) */
    out[2] = (uint8_t)((profile << 6) | ((uint32_t)c->sample_rate_index << 2) | (c->channel_config >> 2));
    /* channel_configuration (low 2), original_copy, home, copyright bits, aac_frame_length 13 */
    out[3] = (uint8_t)(((c->channel_config & 3u) << 6) | (len >> 11));
    out[4] = (uint8_t)(len >> 3);
    /* adts_buffer_fullness 0x7ff (variable rate), number_of_raw_data_blocks_in_frame 0 */
    out[5] = (uint8_t)(((len & 7u) << 5) | 0x1f);
    out[6] = 0xfc;
    return SR_OK;
}
