/* SPDX-License-Identifier: MIT */
/*
 * sr_codec_fmtp.c: the canonical codec config from an SDP media description, for
 * RTSP/WHIP ingest: the a=fmtp parameters (RFC 4566 6) that carry parameter sets in
 * base64 (H.264 RFC 6184 8.1, H.265 RFC 7798 7.1) or the AudioSpecificConfig in hex
 * (mpeg4-generic, RFC 3640 4.1), and the rtpmap channel count for Opus (RFC 7587).
 * Not an SDP parser: the caller hands in one fmtp parameter list and the codec its
 * rtpmap names.
 */
#include "sr_codec_config.h"

#include <string.h>
#include <strings.h>

#include "sr_base64.h"
#include "sr_codec_internal.h"
#include "sr_error.h"

/* Decoded parameter sets of one fmtp line: NAL units live in buf. Under 4 KiB, so it
 * may live on a coroutine stack (STYLE 6). */
typedef struct sr_codec_fmtp_sets {
    sr_codec_id_t codec;
    uint8_t buf[SR_CODEC_FMTP_MAX_PARAM_BYTES];
    size_t used;
    sr_codec_param_sets_t ps;
} sr_codec_fmtp_sets_t;

/* ---- parameter lists ---- */

static bool sr_codec_fmtp_is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* s[*begin..*end) without surrounding spaces. */
static void sr_codec_fmtp_trim(const char *s, size_t *begin, size_t *end)
{
    while (*begin < *end && sr_codec_fmtp_is_space(s[*begin])) {
        (*begin)++;
    }
    while (*end > *begin && sr_codec_fmtp_is_space(s[*end - 1])) {
        (*end)--;
    }
}

bool sr_codec_fmtp_find(const char *fmtp, size_t len, const char *key, const char **value, size_t *value_len)
{
    size_t key_len = strlen(key);
    size_t pos = 0;
    while (fmtp && pos < len) {
        size_t end = pos;
        while (end < len && fmtp[end] != ';') {
            end++;
        }
        size_t eq = pos;
        while (eq < end && fmtp[eq] != '=') {
            eq++;
        }
        size_t name_begin = pos, name_end = eq;
        sr_codec_fmtp_trim(fmtp, &name_begin, &name_end);
        if (name_end - name_begin == key_len && strncasecmp(fmtp + name_begin, key, key_len) == 0) {
            size_t v_begin = eq < end ? eq + 1 : end, v_end = end;
            sr_codec_fmtp_trim(fmtp, &v_begin, &v_end);
            *value = fmtp + v_begin;
            *value_len = v_end - v_begin;
            return true;
        }
        pos = end + 1;
    }
    return false;
}

/* ---- H.264 and H.265 parameter sets ---- */

/* The list of *s a NAL unit of this type belongs in, or NULL. */
static sr_codec_nalu_t *sr_codec_fmtp_list(sr_codec_fmtp_sets_t *s, uint8_t type, uint8_t **nb)
{
    sr_codec_param_sets_t *ps = &s->ps;
    if (s->codec == SR_CODEC_H264) {
        *nb = type == SR_AVC_NAL_SPS ? &ps->nb_sps : &ps->nb_pps;
        return type == SR_AVC_NAL_SPS ? ps->sps : type == SR_AVC_NAL_PPS ? ps->pps : NULL;
    }
    *nb = type == SR_HEVC_NAL_VPS ? &ps->nb_vps : type == SR_HEVC_NAL_SPS ? &ps->nb_sps : &ps->nb_pps;
    return type == SR_HEVC_NAL_VPS   ? ps->vps
           : type == SR_HEVC_NAL_SPS ? ps->sps
           : type == SR_HEVC_NAL_PPS ? ps->pps
                                     : NULL;
}

/* Decode one base64 NAL unit into the scratch and file it by type; want_type < 0
 * accepts any parameter set type. */
static int sr_codec_fmtp_add_nalu(sr_codec_fmtp_sets_t *s, const char *b64, size_t len, int want_type)
{
    uint8_t *dst = s->buf + s->used;
    size_t n;
    int rc = sr_base64_decode(b64, len, dst, sizeof(s->buf) - s->used, &n);
    if (rc != SR_OK) {
        return rc == -SR_EOVERFLOW ? -SR_EUNSUPPORTED : rc;
    }
    if (n == 0) {
        return -SR_EFORMAT;
    }
    uint8_t type = sr_annexb_nal_type(s->codec, dst[0]);
    uint8_t *nb;
    sr_codec_nalu_t *list = sr_codec_fmtp_list(s, type, &nb);
    if (!list || (want_type >= 0 && type != want_type)) {
        return -SR_EFORMAT;
    }
    if (*nb >= SR_CODEC_MAX_PARAM_SETS) {
        return -SR_EUNSUPPORTED;
    }
    list[*nb].data = dst;
    list[*nb].size = n;
    (*nb)++;
    s->used += n;
    return SR_OK;
}

/* The comma-separated NAL units of parameter key; empty elements (a trailing comma,
 * seen in camera SDPs) are skipped. SR_OK with nothing added when key is absent. */
static int sr_codec_fmtp_add_list(sr_codec_fmtp_sets_t *s, const char *fmtp, size_t len, const char *key, int want_type)
{
    const char *v;
    size_t vlen;
    if (!sr_codec_fmtp_find(fmtp, len, key, &v, &vlen)) {
        return SR_OK;
    }
    size_t pos = 0;
    while (pos <= vlen) {
        size_t end = pos;
        while (end < vlen && v[end] != ',') {
            end++;
        }
        size_t b = pos, e = end;
        sr_codec_fmtp_trim(v, &b, &e);
        if (e > b) {
            SR_CODEC_TRY(sr_codec_fmtp_add_nalu(s, v + b, e - b, want_type));
        }
        pos = end + 1;
    }
    return SR_OK;
}

/* No parameter set at all: the config comes in-band; some but no SPS: malformed. */
static int sr_codec_fmtp_need_sps(const sr_codec_param_sets_t *ps)
{
    if (ps->nb_sps > 0) {
        return SR_OK;
    }
    return ps->nb_vps + ps->nb_pps == 0 ? -SR_ENOT_FOUND : -SR_EFORMAT;
}

static int sr_codec_fmtp_video(sr_codec_id_t codec, const char *fmtp, size_t len, uint8_t *out, size_t cap,
                               size_t *written)
{
    sr_codec_fmtp_sets_t s;
    memset(&s.ps, 0, sizeof(s.ps));
    s.codec = codec;
    s.used = 0;
    const sr_codec_param_sets_t *ps = &s.ps;
    if (codec == SR_CODEC_H264) {
        SR_CODEC_TRY(sr_codec_fmtp_add_list(&s, fmtp, len, "sprop-parameter-sets", -1));
        SR_CODEC_TRY(sr_codec_fmtp_need_sps(ps));
        return sr_avc_config_write(ps->sps, ps->nb_sps, ps->pps, ps->nb_pps, out, cap, written);
    }
    SR_CODEC_TRY(sr_codec_fmtp_add_list(&s, fmtp, len, "sprop-vps", SR_HEVC_NAL_VPS));
    SR_CODEC_TRY(sr_codec_fmtp_add_list(&s, fmtp, len, "sprop-sps", SR_HEVC_NAL_SPS));
    SR_CODEC_TRY(sr_codec_fmtp_add_list(&s, fmtp, len, "sprop-pps", SR_HEVC_NAL_PPS));
    SR_CODEC_TRY(sr_codec_fmtp_need_sps(ps));
    return sr_hevc_config_write(ps->vps, ps->nb_vps, ps->sps, ps->nb_sps, ps->pps, ps->nb_pps, out, cap, written);
}

/* ---- AAC and Opus ---- */

static int sr_codec_fmtp_hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
        return (c | 0x20) - 'a' + 10;
    }
    return -1;
}

int sr_codec_fmtp_hex(const char *fmtp, size_t len, const char *key, uint8_t *out, size_t cap, size_t *written)
{
    const char *v;
    size_t vlen;
    if (!sr_codec_fmtp_find(fmtp, len, key, &v, &vlen)) {
        return -SR_ENOT_FOUND;
    }
    if (vlen == 0 || vlen % 2 != 0) {
        return -SR_EFORMAT;
    }
    if (cap < vlen / 2) {
        return -SR_EOVERFLOW;
    }
    for (size_t i = 0; i < vlen / 2; i++) {
        int hi = sr_codec_fmtp_hex_digit(v[2 * i]), lo = sr_codec_fmtp_hex_digit(v[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return -SR_EFORMAT;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *written = vlen / 2;
    return SR_OK;
}

/* config=HEX of mpeg4-generic, decoded into out and checked by parsing it. */
static int sr_codec_fmtp_aac(const char *fmtp, size_t len, uint8_t *out, size_t cap, size_t *written)
{
    const char *v;
    size_t vlen, n = 0;
    if (sr_codec_fmtp_find(fmtp, len, "cpresent", &v, &vlen)) {
        return -SR_EUNSUPPORTED; /* MP4A-LATM: config is a StreamMuxConfig */
    }
    SR_CODEC_TRY(sr_codec_fmtp_hex(fmtp, len, "config", out, cap, &n));
    sr_aac_config_t c;
    SR_CODEC_TRY(sr_aac_parse_config(out, n, &c));
    *written = n;
    return SR_OK;
}

static int sr_codec_fmtp_opus(uint8_t channels, uint8_t *out, size_t cap, size_t *written)
{
    sr_opus_head_t h;
    /* rtpmap says opus/48000/2 whatever the sender encodes (RFC 7587 7): stereo
     * output decodes mono packets too, so 2 is always safe */
    SR_CODEC_TRY(sr_opus_head_default(channels == 0 ? 2 : channels, &h));
    return sr_opus_head_write(&h, out, cap, written);
}

int sr_codec_fmtp_config(sr_codec_id_t codec, const char *fmtp, size_t len, uint8_t channels, uint8_t *out, size_t cap,
                         size_t *written)
{
    *written = 0;
    if (!fmtp) {
        len = 0;
    }
    switch (codec) {
    case SR_CODEC_H264:
    case SR_CODEC_H265:
        return sr_codec_fmtp_video(codec, fmtp, len, out, cap, written);
    case SR_CODEC_AAC:
        return sr_codec_fmtp_aac(fmtp, len, out, cap, written);
    case SR_CODEC_OPUS:
        return sr_codec_fmtp_opus(channels, out, cap, written);
    default:
        return -SR_EUNSUPPORTED;
    }
}
