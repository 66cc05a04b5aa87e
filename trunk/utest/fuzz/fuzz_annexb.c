// SPDX-License-Identifier: MIT
// fuzz_annexb.c: libFuzzer harness for the Annex-B byte stream code and the AVC/HEVC
// record writers (kernel/sr_codec_config.h), with the input read as an H.264 and as an
// H.265 access unit. Invariants: NAL units are non-empty ranges inside the input that
// do not end in a zero byte; the frame size call and the writer agree, the frame is a
// chain of 4-byte lengths holding exactly the NAL units not dropped, and one byte less
// of capacity overflows; scanned parameter sets lie inside the input; a record built
// from them parses back (sr_avc_parse_config / sr_hevc_parse_config) to the size its
// first SPS gives on its own.
#include <stdlib.h>
#include <string.h>

#include "sr_codec.h"
#include "sr_codec_config.h"
#include "sr_error.h"

#include "fuzz.h"

static const uint8_t *g_begin;
static const uint8_t *g_end;

static bool inside(const sr_codec_nalu_t *n)
{
    return n->size > 0 && n->data >= g_begin && n->data + n->size <= g_end;
}

/* The frame is the kept NAL units of the input, in order, each after its length. */
static void check_frame(sr_codec_id_t codec, const uint8_t *data, size_t size, uint64_t drop, const uint8_t *frame,
                        size_t frame_size)
{
    sr_annexb_iter_t it;
    sr_codec_nalu_t nal;
    size_t pos = 0;
    sr_annexb_iter_init(&it, data, size);
    while (sr_annexb_next(&it, &nal) == SR_OK) {
        if (drop & SR_NAL_TYPE_BIT(sr_annexb_nal_type(codec, nal.data[0]))) {
            continue;
        }
        FUZZ_CHECK(frame_size - pos >= 4 + nal.size);
        uint32_t len =
            (uint32_t)frame[pos] << 24 | (uint32_t)frame[pos + 1] << 16 | frame[pos + 2] << 8 | frame[pos + 3];
        FUZZ_CHECK(len == nal.size && memcmp(frame + pos + 4, nal.data, nal.size) == 0);
        pos += 4 + nal.size;
    }
    FUZZ_CHECK(pos == frame_size);
}

static void check_convert(sr_codec_id_t codec, const uint8_t *data, size_t size, uint64_t drop)
{
    size_t n = 0, w = 0;
    int rc = sr_annexb_frame_size(codec, data, size, drop, &n);
    if (rc != SR_OK) {
        FUZZ_CHECK(rc == -SR_EFORMAT);
        return;
    }
    uint8_t *out = malloc(n + 1);
    FUZZ_CHECK(sr_annexb_frame_write(codec, data, size, drop, out, n, &w) == SR_OK && w == n);
    check_frame(codec, data, size, drop, out, n);
    if (n > 0) {
        FUZZ_CHECK(sr_annexb_frame_write(codec, data, size, drop, out, n - 1, &w) == -SR_EOVERFLOW);
    }
    free(out);
}

static void check_record(sr_codec_id_t codec, const sr_codec_param_sets_t *ps)
{
    size_t cap = 64, n;
    for (unsigned i = 0; i < ps->nb_vps; i++) {
        cap += ps->vps[i].size + 2;
    }
    for (unsigned i = 0; i < ps->nb_sps; i++) {
        cap += ps->sps[i].size + 2;
    }
    for (unsigned i = 0; i < ps->nb_pps; i++) {
        cap += ps->pps[i].size + 2;
    }
    uint8_t *out = malloc(cap);
    int rc;
    if (codec == SR_CODEC_H264) {
        rc = sr_avc_config_write(ps->sps, ps->nb_sps, ps->pps, ps->nb_pps, out, cap, &n);
        if (rc == SR_OK) {
            sr_avc_config_t c;
            sr_avc_sps_t s;
            FUZZ_CHECK(sr_avc_parse_config(out, n, &c) == SR_OK);
            FUZZ_CHECK(sr_avc_parse_sps(ps->sps[0].data, ps->sps[0].size, &s) == SR_OK);
            FUZZ_CHECK(c.info.width == s.width && c.info.height == s.height && c.nal_length_size == 4);
            FUZZ_CHECK(c.nb_sps == ps->nb_sps && c.nb_pps == ps->nb_pps);
        }
    } else {
        rc = sr_hevc_config_write(ps->vps, ps->nb_vps, ps->sps, ps->nb_sps, ps->pps, ps->nb_pps, out, cap, &n);
        if (rc == SR_OK) {
            sr_hevc_config_t c;
            sr_hevc_sps_t s;
            FUZZ_CHECK(sr_hevc_parse_config(out, n, &c) == SR_OK);
            FUZZ_CHECK(sr_hevc_parse_sps(ps->sps[0].data, ps->sps[0].size, &s) == SR_OK);
            FUZZ_CHECK(c.info.width == s.width && c.info.height == s.height && c.nal_length_size == 4);
            FUZZ_CHECK(c.profile_idc == s.profile_idc && c.level_idc == s.level_idc);
        }
    }
    FUZZ_CHECK(rc == SR_OK || rc == -SR_EFORMAT || rc == -SR_ETRUNCATED || rc == -SR_EUNSUPPORTED);
    free(out);
}

static void check_codec(sr_codec_id_t codec, const uint8_t *data, size_t size)
{
    sr_annexb_iter_t it;
    sr_codec_nalu_t nal;
    int rc;
    sr_annexb_iter_init(&it, data, size);
    while ((rc = sr_annexb_next(&it, &nal)) == SR_OK) {
        FUZZ_CHECK(inside(&nal) && nal.data[nal.size - 1] != 0);
    }
    FUZZ_CHECK(rc == -SR_ENOT_FOUND || rc == -SR_EFORMAT);
    check_convert(codec, data, size, 0);
    check_convert(codec, data, size, codec == SR_CODEC_H264 ? SR_AVC_NAL_CONFIG_TYPES : SR_HEVC_NAL_CONFIG_TYPES);

    sr_annexb_au_t au;
    rc = sr_annexb_scan(codec, data, size, &au);
    if (rc != SR_OK) {
        FUZZ_CHECK(rc == -SR_EFORMAT);
        return;
    }
    const sr_codec_param_sets_t *ps = &au.ps;
    FUZZ_CHECK(ps->nb_vps <= SR_CODEC_MAX_PARAM_SETS && ps->nb_sps <= SR_CODEC_MAX_PARAM_SETS &&
               ps->nb_pps <= SR_CODEC_MAX_PARAM_SETS);
    for (unsigned i = 0; i < ps->nb_vps; i++) {
        FUZZ_CHECK(inside(&ps->vps[i]));
    }
    for (unsigned i = 0; i < ps->nb_sps; i++) {
        FUZZ_CHECK(inside(&ps->sps[i]));
    }
    for (unsigned i = 0; i < ps->nb_pps; i++) {
        FUZZ_CHECK(inside(&ps->pps[i]));
    }
    if (ps->nb_sps > 0) {
        check_record(codec, ps);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_begin = data;
    g_end = data + size;
    check_codec(SR_CODEC_H264, data, size);
    check_codec(SR_CODEC_H265, data, size);
    return 0;
}
