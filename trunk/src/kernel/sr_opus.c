/* SPDX-License-Identifier: MIT */
/*
 * sr_opus.c: the OpusHead identification header (RFC 7845 5.1), the canonical Opus
 * config: Ogg, MP4 (as dOps, same fields) and Enhanced RTMP carry it, RTP does not
 * (sr_opus_head_default fills one in). Not for OpusTags or Opus packets (RFC 6716).
 */
#include "sr_codec_config.h"

#include <string.h>

#include "sr_bytes.h"
#include "sr_codec_internal.h"
#include "sr_error.h"

#define SR_OPUS_MAGIC "OpusHead"
#define SR_OPUS_MAGIC_BYTES 8
#define SR_OPUS_FAMILY_RTP 0    /* mono or stereo, no table */
#define SR_OPUS_FAMILY_VORBIS 1 /* Vorbis channel order, 1..8 channels */
#define SR_OPUS_SILENT 255      /* mapping entry: a silent channel */

/* The channel mapping rules of RFC 7845 5.1.1; the same for parsing and writing. */
static bool sr_opus_head_is_valid(const sr_opus_head_t *h)
{
    if (h->version == 0 || h->channels == 0) {
        return false;
    }
    if (h->mapping_family == SR_OPUS_FAMILY_RTP) {
        return h->channels <= 2;
    }
    if (h->mapping_family == SR_OPUS_FAMILY_VORBIS && h->channels > 8) {
        return false;
    }
    if (h->streams == 0 || h->coupled > h->streams || (unsigned)h->streams + h->coupled > 255) {
        return false;
    }
    for (unsigned i = 0; i < h->channels; i++) {
        if (h->mapping[i] != SR_OPUS_SILENT && h->mapping[i] >= h->streams + h->coupled) {
            return false;
        }
    }
    return true;
}

int sr_opus_head_parse(const uint8_t *data, size_t size, sr_opus_head_t *out)
{
    memset(out, 0, sizeof(*out));
    sr_reader_t r;
    const uint8_t *p;
    sr_reader_init(&r, data, size);
    SR_CODEC_TRY(sr_reader_ptr(&r, SR_OPUS_MAGIC_BYTES, &p));
    if (memcmp(p, SR_OPUS_MAGIC, SR_OPUS_MAGIC_BYTES) != 0) {
        return -SR_EFORMAT;
    }
    SR_CODEC_TRY(sr_reader_u8(&r, &out->version));
    if (out->version > 15) {
        return -SR_EUNSUPPORTED; /* a new major version (upper 4 bits) */
    }
    SR_CODEC_TRY(sr_reader_u8(&r, &out->channels));
    SR_CODEC_TRY(sr_reader_ptr(&r, 2, &p)); /* the multi-byte fields are little-endian */
    out->pre_skip = (uint16_t)(p[0] | p[1] << 8);
    SR_CODEC_TRY(sr_reader_le32(&r, &out->input_sample_rate));
    SR_CODEC_TRY(sr_reader_ptr(&r, 2, &p));
    out->output_gain = (int16_t)(uint16_t)(p[0] | p[1] << 8);
    SR_CODEC_TRY(sr_reader_u8(&r, &out->mapping_family));
    if (out->mapping_family == SR_OPUS_FAMILY_RTP) {
        out->streams = 1;
        out->coupled = (uint8_t)(out->channels > 1);
    } else {
        SR_CODEC_TRY(sr_reader_u8(&r, &out->streams));
        SR_CODEC_TRY(sr_reader_u8(&r, &out->coupled));
        SR_CODEC_TRY(sr_reader_bytes(&r, out->mapping, out->channels));
    }
    return sr_opus_head_is_valid(out) ? SR_OK : -SR_EFORMAT;
}

int sr_opus_head_write(const sr_opus_head_t *h, uint8_t *out, size_t cap, size_t *written)
{
    *written = 0;
    if (h->version > 15 || !sr_opus_head_is_valid(h)) {
        return -SR_EINVAL;
    }
    sr_codec_writer_t w;
    uint8_t le[4];
    sr_codec__writer_init(&w, out, cap);
    sr_codec__put_bytes(&w, SR_OPUS_MAGIC, SR_OPUS_MAGIC_BYTES);
    sr_codec__put_u8(&w, h->version);
    sr_codec__put_u8(&w, h->channels);
    le[0] = (uint8_t)h->pre_skip;
    le[1] = (uint8_t)(h->pre_skip >> 8);
    sr_codec__put_bytes(&w, le, 2);
    sr_put_le32(le, h->input_sample_rate);
    sr_codec__put_bytes(&w, le, 4);
    le[0] = (uint8_t)(uint16_t)h->output_gain;
    le[1] = (uint8_t)((uint16_t)h->output_gain >> 8);
    sr_codec__put_bytes(&w, le, 2);
    sr_codec__put_u8(&w, h->mapping_family);
    if (h->mapping_family != SR_OPUS_FAMILY_RTP) {
        sr_codec__put_u8(&w, h->streams);
        sr_codec__put_u8(&w, h->coupled);
        sr_codec__put_bytes(&w, h->mapping, h->channels);
    }
    return sr_codec__writer_end(&w, written);
}

int sr_opus_head_default(uint8_t channels, sr_opus_head_t *out)
{
    memset(out, 0, sizeof(*out));
    if (channels < 1 || channels > 2) {
        return -SR_EINVAL;
    }
    out->version = 1;
    out->channels = channels;
    out->input_sample_rate = 48000; /* the RTP clock rate of Opus, RFC 7587 4.1 */
    out->mapping_family = SR_OPUS_FAMILY_RTP;
    out->streams = 1;
    out->coupled = (uint8_t)(channels > 1);
    return SR_OK;
}
