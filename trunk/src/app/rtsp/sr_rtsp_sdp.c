/* SPDX-License-Identifier: MIT */
/*
 * sr_rtsp_sdp.c: RTSP's SDP (RFC 2326 C) on top of the WebRTC SDP module: a=control
 * names each track, the fmtp carries the codec configs (sprop-parameter-sets,
 * sprop-vps/sps/pps, the AAC config) because RTSP clients expect them before the first
 * packet, and the profile is plain RTP/AVP.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sr_alloc.h"
#include "sr_base64.h"
#include "sr_codec.h"
#include "sr_codec_config.h"
#include "sr_error.h"
#include "sr_rtp_aac.h"
#include "sr_rtsp_track.h"
#include "sr_time.h"

#define SR_RTSP_SDP_VIDEO_PT 96
#define SR_RTSP_SDP_AUDIO_PT 97

/* ==== parse ==== */

static sr_codec_id_t sr_rtsp_sdp_codec(const sr_sdp_codec_t *c, bool *is_latm)
{
    *is_latm = false;
    if (strcasecmp(c->name, "H264") == 0) {
        return SR_CODEC_H264;
    }
    if (strcasecmp(c->name, "H265") == 0) {
        return SR_CODEC_H265;
    }
    if (strcasecmp(c->name, "MPEG4-GENERIC") == 0) {
        return SR_CODEC_AAC;
    }
    if (strcasecmp(c->name, "MP4A-LATM") == 0) {
        *is_latm = true;
        return SR_CODEC_AAC;
    }
    if (strcasecmp(c->name, "opus") == 0) {
        return SR_CODEC_OPUS;
    }
    if (strcasecmp(c->name, "PCMA") == 0) {
        return SR_CODEC_G711A;
    }
    if (strcasecmp(c->name, "PCMU") == 0) {
        return SR_CODEC_G711U;
    }
    return SR_CODEC_NONE;
}

/* The static payload types of RFC 3551 that need no rtpmap. */
static bool sr_rtsp_sdp_static_pt(uint8_t pt, sr_rtsp_track_t *t)
{
    if (pt != 0 && pt != 8) {
        return false;
    }
    t->codec = pt == 0 ? SR_CODEC_G711U : SR_CODEC_G711A;
    t->pt = pt;
    t->clock = 8000;
    t->channels = 1;
    return true;
}

static void sr_rtsp_sdp_track(const sr_sdp_media_t *m, size_t index, sr_rtsp_track_t *t)
{
    memset(t, 0, sizeof(*t));
    t->is_video = m->kind == SR_SDP_KIND_VIDEO;
    if (m->control[0]) {
        snprintf(t->control, sizeof(t->control), "%s", m->control);
    } else {
        snprintf(t->control, sizeof(t->control), "trackID=%zu", index);
    }
    for (size_t i = 0; i < m->nb_codecs; i++) {
        const sr_sdp_codec_t *c = &m->codecs[i];
        bool is_latm = false;
        sr_codec_id_t id = sr_rtsp_sdp_codec(c, &is_latm);
        if (id == SR_CODEC_NONE || sr_codec_id_is_video(id) != t->is_video) {
            continue;
        }
        t->codec = id;
        t->is_latm = is_latm;
        t->pt = c->pt;
        t->clock = c->clock_rate;
        t->channels = c->channels ? c->channels : 1;
        snprintf(t->fmtp, sizeof(t->fmtp), "%s", c->fmtp);
        int rc = is_latm ? sr_rtp_latm_config(c->fmtp, strlen(c->fmtp), t->config, sizeof(t->config), &t->config_size)
                         : sr_codec_fmtp_config(id, c->fmtp, strlen(c->fmtp), c->channels, t->config, sizeof(t->config),
                                                &t->config_size);
        if (rc != SR_OK) {
            t->config_size = 0; /* then it comes in-band, or the track waits for it */
        }
        sr_err_clear();
        return;
    }
    for (size_t i = 0; i < m->nb_pts && !t->is_video; i++) {
        if (sr_rtsp_sdp_static_pt(m->pts[i], t)) {
            return;
        }
    }
}

int sr_rtsp_sdp_parse(const char *text, size_t len, sr_rtsp_track_t *tracks, size_t max, size_t *n)
{
    sr_sdp_t *sdp = sr_malloc(sizeof(*sdp));
    int rc = sr_sdp_parse(text, len, sdp);
    *n = 0;
    for (size_t i = 0; rc == SR_OK && i < sdp->nb_media && *n < max; i++) {
        const sr_sdp_media_t *m = &sdp->media[i];
        if (m->kind == SR_SDP_KIND_AUDIO || m->kind == SR_SDP_KIND_VIDEO) {
            sr_rtsp_sdp_track(m, i, &tracks[(*n)++]);
        }
    }
    sr_free(sdp);
    if (rc != SR_OK) {
        return sr_err_wrap(rc, "sdp");
    }
    return *n ? SR_OK : sr_err_new(SR_EFORMAT, "sdp has no audio or video");
}

/* ==== describe ==== */

static void sr_rtsp_sdp_b64(sr_buf_t *b, const sr_codec_nalu_t *nal)
{
    char *text = sr_malloc(sr_base64_encoded_len(nal->size) + 1);
    sr_base64_encode(nal->data, nal->size, text);
    sr_buf_put_str(b, text);
    sr_free(text);
}

/* The fmtp of H.264 (RFC 6184 8.1) or H.265 (RFC 7798 7.1) from the record. */
static int sr_rtsp_sdp_video_fmtp(sr_codec_id_t codec, const uint8_t *rec, size_t size, sr_buf_t *f)
{
    if (codec == SR_CODEC_H264) {
        sr_avc_config_t c;
        int rc = sr_avc_parse_config(rec, size, &c);
        if (rc != SR_OK) {
            return rc;
        }
        sr_buf_printf(f, "packetization-mode=1; profile-level-id=%02X%02X%02X; sprop-parameter-sets=", c.profile,
                      c.compat, c.level);
        for (size_t i = 0; i < c.nb_sps + c.nb_pps; i++) {
            sr_buf_put_str(f, i ? "," : "");
            sr_rtsp_sdp_b64(f, i < c.nb_sps ? &c.sps[i] : &c.pps[i - c.nb_sps]);
        }
        return SR_OK;
    }
    sr_hevc_config_t c;
    int rc = sr_hevc_parse_config(rec, size, &c);
    if (rc != SR_OK) {
        return rc;
    }
    const struct {
        const char *key;
        const sr_codec_nalu_t *sets;
        size_t n;
    } lists[] = {{"sprop-vps", c.vps, c.nb_vps}, {"sprop-sps", c.sps, c.nb_sps}, {"sprop-pps", c.pps, c.nb_pps}};
    for (size_t l = 0; l < SR_ARRAY_SIZE(lists); l++) {
        sr_buf_printf(f, "%s%s=", l ? "; " : "", lists[l].key);
        for (size_t i = 0; i < lists[l].n; i++) {
            sr_buf_put_str(f, i ? "," : "");
            sr_rtsp_sdp_b64(f, &lists[l].sets[i]);
        }
    }
    return SR_OK;
}

static int sr_rtsp_sdp_video(const sr_packet_t *sh, sr_rtsp_track_t *t, sr_buf_t *fmtp)
{
    size_t size = 0;
    const uint8_t *rec = sr_packet_body(sh, &size);
    if (sh->codec != SR_CODEC_H264 && sh->codec != SR_CODEC_H265) {
        return -SR_EUNSUPPORTED;
    }
    int rc = sr_rtsp_sdp_video_fmtp(sh->codec, rec, size, fmtp);
    if (rc != SR_OK || size > sizeof(t->config)) {
        return rc ? rc : -SR_EOVERFLOW;
    }
    t->codec = sh->codec;
    t->is_video = true;
    t->pt = SR_RTSP_SDP_VIDEO_PT;
    t->clock = 90000;
    memcpy(t->config, rec, size);
    t->config_size = size;
    return SR_OK;
}

static int sr_rtsp_sdp_audio(const sr_packet_t *sh, sr_rtsp_track_t *t, sr_buf_t *fmtp)
{
    size_t size = 0;
    const uint8_t *body = sr_packet_body(sh, &size);
    if (size > sizeof(t->config)) {
        return -SR_EOVERFLOW;
    }
    if (sh->codec == SR_CODEC_AAC) {
        sr_aac_config_t c;
        int rc = sr_aac_parse_config(body, size, &c);
        if (rc != SR_OK) {
            return rc;
        }
        t->clock = c.sample_rate;
        t->channels = c.channels ? c.channels : 2;
        sr_buf_put_str(fmtp, "streamtype=5; profile-level-id=1; mode=AAC-hbr; sizelength=13; indexlength=3; "
                             "indexdeltalength=3; config=");
        for (size_t i = 0; i < size; i++) {
            sr_buf_printf(fmtp, "%02X", body[i]);
        }
    } else if (sh->codec == SR_CODEC_OPUS) {
        sr_opus_head_t head;
        t->clock = 48000;
        t->channels = 2; /* RFC 7587 7: always 2 in the rtpmap */
        bool is_stereo = sr_opus_head_parse(body, size, &head) == SR_OK && head.channels == 2;
        sr_err_clear();
        sr_buf_put_str(fmtp, is_stereo ? "sprop-stereo=1" : "sprop-stereo=0");
    } else {
        return -SR_EUNSUPPORTED;
    }
    t->codec = sh->codec;
    t->pt = SR_RTSP_SDP_AUDIO_PT;
    memcpy(t->config, body, size);
    t->config_size = size;
    return SR_OK;
}

static const char *sr_rtsp_sdp_name(sr_codec_id_t codec)
{
    return codec == SR_CODEC_H264   ? "H264"
           : codec == SR_CODEC_H265 ? "H265"
           : codec == SR_CODEC_AAC  ? "MPEG4-GENERIC"
                                    : "opus";
}

/* One m= section for track t (number index) with its fmtp. */
static void sr_rtsp_sdp_media(sr_sdp_t *sdp, const sr_rtsp_track_t *t, size_t index, const sr_buf_t *fmtp)
{
    sr_sdp_media_t *m = &sdp->media[sdp->nb_media++];
    m->kind = t->is_video ? SR_SDP_KIND_VIDEO : SR_SDP_KIND_AUDIO;
    snprintf(m->proto, sizeof(m->proto), "RTP/AVP");
    m->nb_pts = 1;
    m->pts[0] = t->pt;
    snprintf(m->control, sizeof(m->control), "trackID=%zu", index);
    m->nb_codecs = 1;
    sr_sdp_codec_t *c = &m->codecs[0];
    c->pt = t->pt;
    c->clock_rate = t->clock;
    c->channels = t->is_video ? 0 : t->channels;
    snprintf(c->name, sizeof(c->name), "%s", sr_rtsp_sdp_name(t->codec));
    snprintf(c->fmtp, sizeof(c->fmtp), "%.*s", (int)fmtp->len, (const char *)fmtp->data);
}

int sr_rtsp_sdp_describe(const sr_packet_t *video_sh, const sr_packet_t *audio_sh, sr_rtsp_track_t *tracks, size_t max,
                         size_t *n, sr_buf_t *text)
{
    const sr_packet_t *shs[2] = {video_sh, audio_sh};
    sr_sdp_t *sdp = sr_calloc(1, sizeof(*sdp));
    snprintf(sdp->origin_sess_id, sizeof(sdp->origin_sess_id), "%lld", (long long)sr_time_wall_us());
    snprintf(sdp->origin_address, sizeof(sdp->origin_address), "127.0.0.1");
    sr_buf_t fmtp;
    sr_buf_init(&fmtp);
    *n = 0;
    for (size_t i = 0; i < 2 && *n < max; i++) {
        sr_rtsp_track_t *t = &tracks[*n];
        memset(t, 0, sizeof(*t));
        sr_buf_reset(&fmtp);
        int rc = !shs[i]  ? -SR_ENOT_FOUND
                 : i == 0 ? sr_rtsp_sdp_video(shs[i], t, &fmtp)
                          : sr_rtsp_sdp_audio(shs[i], t, &fmtp);
        sr_err_clear();
        if (rc == SR_OK && fmtp.len < SR_SDP_FMTP_MAX) {
            snprintf(t->control, sizeof(t->control), "trackID=%zu", *n);
            sr_rtsp_sdp_media(sdp, t, *n, &fmtp);
            (*n)++;
        }
    }
    sr_buf_deinit(&fmtp);
    int rc = *n ? SR_OK : sr_err_new(SR_ENOT_FOUND, "no track a player can be sent");
    if (rc == SR_OK) {
        sr_buf_reset(text);
        sr_buf_reserve(text, 8192);
        size_t len = 0;
        rc = sr_sdp_write(sdp, (char *)text->data, text->cap, &len);
        text->len = rc == SR_OK ? len : 0;
    }
    sr_free(sdp);
    return rc;
}

/* ==== SETUP ==== */

int sr_rtsp_track_find(const sr_rtsp_track_t *tracks, size_t n, const char *url, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        const char *ctl = tracks[i].control;
        size_t cl = strlen(ctl);
        if (cl == 0 || cl > len || memcmp(url + len - cl, ctl, cl) != 0) {
            continue;
        }
        if (cl == len || url[len - cl - 1] == '/' || strstr(ctl, "://")) {
            return (int)i;
        }
    }
    sr_rtsp_url_t u;
    if (sr_rtsp_url_parse(url, len, &u) == SR_OK && u.track >= 0 && (size_t)u.track < n) {
        return u.track;
    }
    sr_err_clear();
    return -1;
}
