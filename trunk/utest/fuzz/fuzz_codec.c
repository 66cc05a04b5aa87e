// SPDX-License-Identifier: MIT
// fuzz_codec.c: libFuzzer harness for the codec configuration parsers (kernel/sr_codec.h):
// AVC and HEVC SPS, decoder configuration records and FLV sequence headers, AAC
// AudioSpecificConfig and FLV sequence headers, and the HTTP API summaries, every one on
// the raw input (the corpus holds FLV bodies, bare records and bare NAL units).
// Invariants: parsers fail with a codec code; a parsed record keeps 1..4 SPS and at most 4
// PPS (VPS), each a non-empty range inside the input, with a 1, 2 or 4 byte NAL length,
// and its first SPS parses to the same fields on its own; sizes are non-zero and inside
// the coded picture; an AAC config has a real rate and channel count, and its ADTS
// header (when expressible) carries the fields back. An ADTS header's config writes an
// AudioSpecificConfig that parses to the same fields; a parsed OpusHead writes back to
// the bytes it was read from (up to the end of its mapping table).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_codec.h"
#include "sr_codec_config.h"
#include "sr_error.h"

#include "fuzz.h"

static const uint8_t *g_begin;
static const uint8_t *g_end;

static bool codec_rc(int rc)
{
    return rc == -SR_EFORMAT || rc == -SR_ETRUNCATED;
}

static void check_nalus(const sr_codec_nalu_t *n, unsigned count)
{
    FUZZ_CHECK(count <= SR_CODEC_MAX_PARAM_SETS);
    for (unsigned i = 0; i < count; i++) {
        FUZZ_CHECK(n[i].size > 0 && n[i].data >= g_begin && n[i].data + n[i].size <= g_end);
    }
}

static void check_avc_sps(const sr_avc_sps_t *s)
{
    FUZZ_CHECK(s->width > 0 && s->height > 0);
    FUZZ_CHECK(s->width <= s->pic_width_in_mbs * 16);
    FUZZ_CHECK(s->height <= s->pic_height_in_map_units * 16 * (s->frame_mbs_only ? 1 : 2));
    FUZZ_CHECK(s->chroma_format_idc <= 3 && s->pic_order_cnt_type <= 2);
    (void)sr_avc_profile_name(s->profile_idc);
    (void)sr_avc_level_name(s->level_idc);
}

static void check_avc_config(int rc, const sr_avc_config_t *c)
{
    if (rc != SR_OK) {
        FUZZ_CHECK(codec_rc(rc));
        return;
    }
    FUZZ_CHECK(c->version == 1);
    FUZZ_CHECK(c->nal_length_size == 1 || c->nal_length_size == 2 || c->nal_length_size == 4);
    FUZZ_CHECK(c->nb_sps >= 1);
    check_nalus(c->sps, c->nb_sps);
    check_nalus(c->pps, c->nb_pps);
    check_avc_sps(&c->info);
    sr_avc_sps_t again;
    FUZZ_CHECK(sr_avc_parse_sps(c->sps[0].data, c->sps[0].size, &again) == SR_OK);
    FUZZ_CHECK(again.width == c->info.width && again.height == c->info.height &&
               again.profile_idc == c->info.profile_idc);
}

static void check_hevc_sps(const sr_hevc_sps_t *s)
{
    FUZZ_CHECK(s->width > 0 && s->height > 0 && s->width <= s->pic_width && s->height <= s->pic_height);
    FUZZ_CHECK(s->chroma_format_idc <= 3 && s->max_sub_layers >= 1 && s->max_sub_layers <= 8);
    (void)sr_hevc_profile_name(s->profile_idc);
    (void)sr_hevc_level_name(s->level_idc);
}

static void check_hevc_config(int rc, const sr_hevc_config_t *c)
{
    if (rc != SR_OK) {
        FUZZ_CHECK(codec_rc(rc));
        return;
    }
    FUZZ_CHECK(c->nal_length_size == 1 || c->nal_length_size == 2 || c->nal_length_size == 4);
    FUZZ_CHECK(c->nb_sps >= 1);
    check_nalus(c->vps, c->nb_vps);
    check_nalus(c->sps, c->nb_sps);
    check_nalus(c->pps, c->nb_pps);
    check_hevc_sps(&c->info);
    sr_hevc_sps_t again;
    FUZZ_CHECK(sr_hevc_parse_sps(c->sps[0].data, c->sps[0].size, &again) == SR_OK);
    FUZZ_CHECK(again.width == c->info.width && again.height == c->info.height);
}

static void check_aac(int rc, const sr_aac_config_t *c, size_t frame_bytes)
{
    if (rc != SR_OK) {
        FUZZ_CHECK(codec_rc(rc));
        return;
    }
    FUZZ_CHECK(c->sample_rate > 0);
    FUZZ_CHECK(c->sample_rate_index <= 12 || c->sample_rate_index == 15);
    FUZZ_CHECK(c->channel_config <= 15 && c->channels <= 24);
    FUZZ_CHECK(!c->has_ps || c->has_sbr);
    (void)sr_aac_profile_name(c->object_type);
    uint8_t h[SR_AAC_ADTS_HEADER_BYTES];
    if (sr_aac_adts_header(c, frame_bytes, h) == SR_OK) {
        FUZZ_CHECK(h[0] == 0xff && (h[1] & 0xf6) == 0xf0);
        FUZZ_CHECK((uint8_t)((h[2] >> 6) + 1) == c->core_object_type);
        FUZZ_CHECK(((h[2] >> 2) & 0x0f) == c->sample_rate_index);
        FUZZ_CHECK((((h[2] & 1) << 2) | (h[3] >> 6)) == c->channel_config);
        uint32_t len = ((uint32_t)(h[3] & 3) << 11) | ((uint32_t)h[4] << 3) | (h[5] >> 5);
        FUZZ_CHECK(len == frame_bytes + SR_AAC_ADTS_HEADER_BYTES);
    }
}

static void check_adts(const uint8_t *data, size_t size)
{
    sr_aac_adts_t a;
    int rc = sr_aac_adts_parse(data, size, &a);
    if (rc != SR_OK) {
        FUZZ_CHECK(codec_rc(rc));
        return;
    }
    FUZZ_CHECK(a.header_bytes >= 7 && a.header_bytes <= size && a.frame_bytes >= a.header_bytes);
    uint8_t asc[32];
    size_t n;
    rc = sr_aac_config_write(&a.config, asc, sizeof(asc), &n);
    if (rc != SR_OK) {
        FUZZ_CHECK(rc == -SR_EINVAL && a.config.channel_config == 0);
        return;
    }
    sr_aac_config_t c;
    FUZZ_CHECK(sr_aac_parse_config(asc, n, &c) == SR_OK);
    FUZZ_CHECK(c.object_type == a.config.object_type && c.sample_rate == a.config.sample_rate &&
               c.channel_config == a.config.channel_config && c.channels == a.config.channels);
}

static void check_opus(const uint8_t *data, size_t size)
{
    sr_opus_head_t h;
    int rc = sr_opus_head_parse(data, size, &h);
    if (rc != SR_OK) {
        FUZZ_CHECK(codec_rc(rc) || rc == -SR_EUNSUPPORTED);
        return;
    }
    uint8_t out[SR_OPUS_HEAD_MIN_BYTES + 2 + 255];
    size_t n;
    FUZZ_CHECK(sr_opus_head_write(&h, out, sizeof(out), &n) == SR_OK);
    FUZZ_CHECK(n <= size && memcmp(out, data, n) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_begin = data;
    g_end = data + size;
    int rc;

    sr_avc_sps_t avc_sps;
    rc = sr_avc_parse_sps(data, size, &avc_sps);
    if (rc == SR_OK) {
        check_avc_sps(&avc_sps);
    } else {
        FUZZ_CHECK(codec_rc(rc));
    }
    sr_avc_config_t avc;
    check_avc_config(sr_avc_parse_config(data, size, &avc), &avc);
    check_avc_config(sr_avc_parse_flv(data, size, &avc), &avc);

    sr_hevc_sps_t hevc_sps;
    rc = sr_hevc_parse_sps(data, size, &hevc_sps);
    if (rc == SR_OK) {
        check_hevc_sps(&hevc_sps);
    } else {
        FUZZ_CHECK(codec_rc(rc));
    }
    sr_hevc_config_t hevc;
    check_hevc_config(sr_hevc_parse_config(data, size, &hevc), &hevc);
    check_hevc_config(sr_hevc_parse_flv(data, size, &hevc), &hevc);

    sr_aac_config_t aac;
    check_aac(sr_aac_parse_config(data, size, &aac), &aac, size);
    check_aac(sr_aac_parse_flv(data, size, &aac), &aac, size);

    check_adts(data, size);
    check_opus(data, size);

    sr_codec_video_info_t vi;
    rc = sr_codec_video_info_parse(data, size, &vi);
    if (rc == SR_OK) {
        FUZZ_CHECK(vi.codec_name && vi.profile_name && vi.level_name && vi.width > 0 && vi.height > 0);
    } else {
        FUZZ_CHECK(codec_rc(rc) || rc == -SR_EUNSUPPORTED);
    }
    sr_codec_audio_info_t ai;
    rc = sr_codec_audio_info_parse(data, size, &ai);
    if (rc == SR_OK) {
        FUZZ_CHECK(ai.codec_name && ai.profile_name);
    } else {
        FUZZ_CHECK(codec_rc(rc) || rc == -SR_EUNSUPPORTED);
    }
    sr_err_clear();
    return 0;
}
