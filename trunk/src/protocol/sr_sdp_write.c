/* SPDX-License-Identifier: MIT */
/*
 * sr_sdp_write.c: the SDP writer, which turns an sr_sdp_t into text line by line in
 * the order Chrome writes its own descriptions, and the lookups an offer/answer needs
 * (codec by name or payload type, rtx, H.264 fmtp, resolved ICE/DTLS attributes).
 * Values are written as they are: choosing what goes into an answer is the caller's.
 */
#include "sr_sdp.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "sr_codec_config.h"
#include "sr_error.h"

/* ==== names ==== */

static const char *const sr_sdp_direction_names[] = {"", "sendrecv", "sendonly", "recvonly", "inactive"};
static const char *const sr_sdp_setup_names[] = {"", "actpass", "active", "passive", "holdconn"};
static const char *const sr_sdp_kind_names[] = {"", "audio", "video", "application"};

/* a=rtcp-fb values in the order they are written. */
static const struct {
    uint8_t bit;
    const char *text;
} sr_sdp_fb_names[] = {
    {SR_SDP_FB_GOOG_REMB, "goog-remb"}, {SR_SDP_FB_TRANSPORT_CC, "transport-cc"}, {SR_SDP_FB_CCM_FIR, "ccm fir"},
    {SR_SDP_FB_NACK, "nack"},           {SR_SDP_FB_NACK_PLI, "nack pli"},
};

const char *sr_sdp_direction_name(sr_sdp_direction_t d)
{
    return (unsigned)d < SR_ARRAY_SIZE(sr_sdp_direction_names) ? sr_sdp_direction_names[d] : "";
}

const char *sr_sdp_setup_name(sr_sdp_setup_t s)
{
    return (unsigned)s < SR_ARRAY_SIZE(sr_sdp_setup_names) ? sr_sdp_setup_names[s] : "";
}

const char *sr_sdp_kind_name(sr_sdp_kind_t k)
{
    return (unsigned)k < SR_ARRAY_SIZE(sr_sdp_kind_names) ? sr_sdp_kind_names[k] : "";
}

/* ==== writer ==== */

/* Text under construction in out[0..cap), always NUL-terminated; rc sticks. */
typedef struct sr_sdp_writer {
    char *out;
    size_t cap;
    size_t len;
    int rc;
} sr_sdp_writer_t;

/* Append one formatted line and its CRLF. A line break inside a value would let a
 * field forge lines of its own, so it is refused. */
SR_PRINTF(2, 3) static void sr_sdp_line(sr_sdp_writer_t *w, const char *fmt, ...)
{
    if (w->rc != SR_OK) {
        return;
    }
    size_t room = w->cap - w->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(w->out + w->len, room, fmt, ap);
    va_end(ap);
    if (n < 0) {
        w->rc = -SR_EINVAL;
    } else if ((size_t)n + 3 > room) {
        w->rc = -SR_EOVERFLOW; /* the line, CRLF and the NUL */
    } else if (memchr(w->out + w->len, '\n', (size_t)n)) {
        w->rc = -SR_EINVAL;
    } else {
        memcpy(w->out + w->len + n, "\r\n", 3);
        w->len += (size_t)n + 2;
    }
}

/* " 1 2 3" of a list of numbers into buf[0..cap). */
static const char *sr_sdp_numbers(char *buf, size_t cap, const uint32_t *v, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < cap; i++) {
        used += (size_t)snprintf(buf + used, cap - used, " %u", v[i]);
    }
    return buf;
}

static void sr_sdp_write_transport(sr_sdp_writer_t *w, const sr_sdp_transport_t *t)
{
    if (t->ice_ufrag[0]) {
        sr_sdp_line(w, "a=ice-ufrag:%s", t->ice_ufrag);
    }
    if (t->ice_pwd[0]) {
        sr_sdp_line(w, "a=ice-pwd:%s", t->ice_pwd);
    }
    if (t->fingerprint_alg[0]) {
        sr_sdp_line(w, "a=fingerprint:%s %s", t->fingerprint_alg, t->fingerprint);
    }
    if (t->setup) {
        sr_sdp_line(w, "a=setup:%s", sr_sdp_setup_name(t->setup));
    }
}

static void sr_sdp_write_session(sr_sdp_writer_t *w, const sr_sdp_t *sdp)
{
    sr_sdp_line(w, "v=0");
    sr_sdp_line(w, "o=%s %s %s IN %s %s", sdp->origin_username[0] ? sdp->origin_username : "-",
                sdp->origin_sess_id[0] ? sdp->origin_sess_id : "0",
                sdp->origin_sess_version[0] ? sdp->origin_sess_version : "0",
                sdp->origin_addrtype[0] ? sdp->origin_addrtype : "IP4",
                sdp->origin_address[0] ? sdp->origin_address : "0.0.0.0");
    sr_sdp_line(w, "s=-");
    sr_sdp_line(w, "t=0 0");
    if (sdp->ice_lite) {
        sr_sdp_line(w, "a=ice-lite");
    }
    if (sdp->nb_bundle) {
        char mids[SR_SDP_MAX_MEDIA * SR_SDP_MID_MAX + 1] = "";
        for (size_t i = 0; i < sdp->nb_bundle; i++) {
            strcat(mids, " ");
            strncat(mids, sdp->bundle[i], SR_SDP_MID_MAX - 1);
        }
        sr_sdp_line(w, "a=group:BUNDLE%s", mids);
    }
    if (sdp->extmap_allow_mixed) {
        sr_sdp_line(w, "a=extmap-allow-mixed");
    }
    if (sdp->msid_semantic[0]) {
        sr_sdp_line(w, "a=msid-semantic: %s", sdp->msid_semantic);
    }
    sr_sdp_write_transport(w, &sdp->transport);
    if (sdp->direction) {
        sr_sdp_line(w, "a=%s", sr_sdp_direction_name(sdp->direction));
    }
}

static void sr_sdp_write_codec(sr_sdp_writer_t *w, const sr_sdp_codec_t *c)
{
    if (c->channels) {
        sr_sdp_line(w, "a=rtpmap:%u %s/%u/%u", c->pt, c->name, c->clock_rate, c->channels);
    } else {
        sr_sdp_line(w, "a=rtpmap:%u %s/%u", c->pt, c->name, c->clock_rate);
    }
    for (size_t i = 0; i < SR_ARRAY_SIZE(sr_sdp_fb_names); i++) {
        if (c->rtcp_fb & sr_sdp_fb_names[i].bit) {
            sr_sdp_line(w, "a=rtcp-fb:%u %s", c->pt, sr_sdp_fb_names[i].text);
        }
    }
    if (c->fmtp[0]) {
        sr_sdp_line(w, "a=fmtp:%u %s", c->pt, c->fmtp);
    }
}

/* m=, c=, and the attributes that say how the section is carried. */
static void sr_sdp_write_media_head(sr_sdp_writer_t *w, const sr_sdp_media_t *m)
{
    uint32_t pts[SR_SDP_MAX_PTS];
    char list[SR_SDP_MAX_PTS * 4 + 1];
    for (size_t i = 0; i < m->nb_pts; i++) {
        pts[i] = m->pts[i];
    }
    const char *kind = m->kind == SR_SDP_KIND_OTHER ? m->kind_name : sr_sdp_kind_name(m->kind);
    if (!kind[0]) {
        w->rc = w->rc ? w->rc : -SR_EINVAL;
        return;
    }
    sr_sdp_line(w, "m=%s %u %s%s%s%s", kind, m->port, m->proto, sr_sdp_numbers(list, sizeof(list), pts, m->nb_pts),
                m->fmt[0] ? " " : "", m->fmt);
    sr_sdp_line(w, "c=IN IP4 0.0.0.0");
    sr_sdp_write_transport(w, &m->transport);
    if (m->mid[0]) {
        sr_sdp_line(w, "a=mid:%s", m->mid);
    }
    if (m->control[0]) {
        sr_sdp_line(w, "a=control:%s", m->control);
    }
    if (m->extmap_allow_mixed) {
        sr_sdp_line(w, "a=extmap-allow-mixed");
    }
    for (size_t i = 0; i < m->nb_extmaps; i++) {
        const sr_sdp_extmap_t *e = &m->extmaps[i];
        sr_sdp_line(w, "a=extmap:%u%s%s %s", e->id, e->direction ? "/" : "", sr_sdp_direction_name(e->direction),
                    e->uri);
    }
    if (m->direction) {
        sr_sdp_line(w, "a=%s", sr_sdp_direction_name(m->direction));
    }
    if (m->msid_stream[0]) {
        sr_sdp_line(w, "a=msid:%s%s%s", m->msid_stream, m->msid_track[0] ? " " : "", m->msid_track);
    }
    if (m->rtcp_mux) {
        sr_sdp_line(w, "a=rtcp-mux");
    }
    if (m->rtcp_mux_only) {
        sr_sdp_line(w, "a=rtcp-mux-only");
    }
    if (m->rtcp_rsize) {
        sr_sdp_line(w, "a=rtcp-rsize");
    }
}

/* Codecs, ssrcs, candidates and SCTP. */
static void sr_sdp_write_media_body(sr_sdp_writer_t *w, const sr_sdp_media_t *m)
{
    for (size_t i = 0; i < m->nb_codecs; i++) {
        sr_sdp_write_codec(w, &m->codecs[i]);
    }
    for (size_t i = 0; i < SR_ARRAY_SIZE(sr_sdp_fb_names); i++) {
        if (m->rtcp_fb_all & sr_sdp_fb_names[i].bit) {
            sr_sdp_line(w, "a=rtcp-fb:* %s", sr_sdp_fb_names[i].text);
        }
    }
    for (size_t i = 0; i < m->nb_ssrc_groups; i++) {
        const sr_sdp_ssrc_group_t *g = &m->ssrc_groups[i];
        char list[SR_SDP_MAX_GROUP_SSRCS * 11 + 1];
        sr_sdp_line(w, "a=ssrc-group:%s%s", g->semantics,
                    sr_sdp_numbers(list, sizeof(list), g->ssrcs, SR_MIN(g->nb_ssrcs, SR_SDP_MAX_GROUP_SSRCS)));
    }
    for (size_t i = 0; i < m->nb_ssrcs; i++) {
        const sr_sdp_ssrc_t *s = &m->ssrcs[i];
        if (s->cname[0]) {
            sr_sdp_line(w, "a=ssrc:%u cname:%s", s->ssrc, s->cname);
        }
        if (s->msid_stream[0]) {
            sr_sdp_line(w, "a=ssrc:%u msid:%s%s%s", s->ssrc, s->msid_stream, s->msid_track[0] ? " " : "",
                        s->msid_track);
        }
    }
    for (size_t i = 0; i < m->nb_candidates; i++) {
        const sr_sdp_candidate_t *c = &m->candidates[i];
        sr_sdp_line(w, "a=candidate:%s %u %s %u %s %u typ %s%s%s", c->foundation, c->component, c->transport,
                    c->priority, c->address, c->port, c->type, c->extension[0] ? " " : "", c->extension);
    }
    if (m->end_of_candidates) {
        sr_sdp_line(w, "a=end-of-candidates");
    }
    if (m->sctp_port) {
        sr_sdp_line(w, "a=sctp-port:%u", m->sctp_port);
    }
    if (m->max_message_size) {
        sr_sdp_line(w, "a=max-message-size:%u", m->max_message_size);
    }
}

static bool sr_sdp_counts_ok(const sr_sdp_t *sdp)
{
    if (sdp->nb_media > SR_SDP_MAX_MEDIA || sdp->nb_bundle > SR_SDP_MAX_MEDIA) {
        return false;
    }
    for (size_t i = 0; i < sdp->nb_media; i++) {
        const sr_sdp_media_t *m = &sdp->media[i];
        if (m->nb_pts > SR_SDP_MAX_PTS || m->nb_codecs > SR_SDP_MAX_CODECS || m->nb_extmaps > SR_SDP_MAX_EXTMAPS ||
            m->nb_candidates > SR_SDP_MAX_CANDIDATES || m->nb_ssrcs > SR_SDP_MAX_SSRCS ||
            m->nb_ssrc_groups > SR_SDP_MAX_SSRC_GROUPS) {
            return false;
        }
    }
    return true;
}

int sr_sdp_write(const sr_sdp_t *sdp, char *out, size_t cap, size_t *len)
{
    if (!sr_sdp_counts_ok(sdp)) {
        return -SR_EINVAL;
    }
    if (cap == 0) {
        return -SR_EOVERFLOW;
    }
    sr_sdp_writer_t w = {.out = out, .cap = cap};
    out[0] = '\0';
    sr_sdp_write_session(&w, sdp);
    for (size_t i = 0; i < sdp->nb_media; i++) {
        sr_sdp_write_media_head(&w, &sdp->media[i]);
        sr_sdp_write_media_body(&w, &sdp->media[i]);
    }
    if (w.rc == SR_OK) {
        *len = w.len;
    }
    return w.rc;
}

/* ==== lookups ==== */

sr_sdp_direction_t sr_sdp_media_direction(const sr_sdp_t *sdp, const sr_sdp_media_t *m)
{
    if (m->direction) {
        return m->direction;
    }
    return sdp->direction ? sdp->direction : SR_SDP_DIR_SENDRECV;
}

sr_sdp_direction_t sr_sdp_direction_reverse(sr_sdp_direction_t d)
{
    switch (d) {
    case SR_SDP_DIR_SENDONLY:
        return SR_SDP_DIR_RECVONLY;
    case SR_SDP_DIR_RECVONLY:
        return SR_SDP_DIR_SENDONLY;
    case SR_SDP_DIR_NONE:
        return SR_SDP_DIR_SENDRECV;
    default:
        return d;
    }
}

void sr_sdp_transport_resolve(const sr_sdp_t *sdp, const sr_sdp_media_t *m, sr_sdp_transport_t *out)
{
    const sr_sdp_transport_t *mt = &m->transport;
    *out = sdp->transport;
    if (mt->ice_ufrag[0]) {
        memcpy(out->ice_ufrag, mt->ice_ufrag, sizeof(out->ice_ufrag));
    }
    if (mt->ice_pwd[0]) {
        memcpy(out->ice_pwd, mt->ice_pwd, sizeof(out->ice_pwd));
    }
    if (mt->fingerprint_alg[0]) {
        memcpy(out->fingerprint_alg, mt->fingerprint_alg, sizeof(out->fingerprint_alg));
        memcpy(out->fingerprint, mt->fingerprint, sizeof(out->fingerprint));
    }
    if (mt->setup) {
        out->setup = mt->setup;
    }
}

const sr_sdp_media_t *sr_sdp_media_by_mid(const sr_sdp_t *sdp, const char *mid)
{
    for (size_t i = 0; mid[0] && i < sdp->nb_media && i < SR_SDP_MAX_MEDIA; i++) {
        if (strcmp(sdp->media[i].mid, mid) == 0) {
            return &sdp->media[i];
        }
    }
    return NULL;
}

const sr_sdp_codec_t *sr_sdp_codec_find(const sr_sdp_media_t *m, const char *name, const sr_sdp_codec_t *after)
{
    size_t nb = SR_MIN(m->nb_codecs, SR_SDP_MAX_CODECS);
    for (size_t i = after ? (size_t)(after - m->codecs) + 1 : 0; i < nb; i++) {
        if (strcasecmp(m->codecs[i].name, name) == 0) {
            return &m->codecs[i];
        }
    }
    return NULL;
}

const sr_sdp_codec_t *sr_sdp_codec_by_pt(const sr_sdp_media_t *m, uint8_t pt)
{
    for (size_t i = 0; i < m->nb_codecs && i < SR_SDP_MAX_CODECS; i++) {
        if (m->codecs[i].pt == pt) {
            return &m->codecs[i];
        }
    }
    return NULL;
}

/* fmtp parameter key of c as a decimal number no greater than max; false when absent
 * or not such a number. */
static bool sr_sdp_fmtp_number(const sr_sdp_codec_t *c, const char *key, uint32_t max, uint32_t *out)
{
    const char *v;
    size_t n;
    uint64_t x = 0;
    if (!sr_codec_fmtp_find(c->fmtp, strlen(c->fmtp), key, &v, &n) || n == 0 || n > 10) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9') {
            return false;
        }
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    if (x > max) {
        return false;
    }
    *out = (uint32_t)x;
    return true;
}

const sr_sdp_codec_t *sr_sdp_codec_rtx(const sr_sdp_media_t *m, uint8_t pt)
{
    uint32_t apt = 0;
    for (const sr_sdp_codec_t *c = sr_sdp_codec_find(m, "rtx", NULL); c; c = sr_sdp_codec_find(m, "rtx", c)) {
        if (sr_sdp_fmtp_number(c, "apt", 127, &apt) && apt == pt) {
            return c;
        }
    }
    return NULL;
}

int sr_sdp_h264_params(const sr_sdp_codec_t *c, sr_sdp_h264_t *out)
{
    const char *v;
    size_t n;
    uint32_t x = 0;
    *out = (sr_sdp_h264_t){.profile_level_id = 0x42000a}; /* RFC 6184 8.1: Baseline, level 1.0 */
    if (sr_codec_fmtp_find(c->fmtp, strlen(c->fmtp), "profile-level-id", &v, &n)) {
        if (n != 6) {
            return -SR_EFORMAT;
        }
        for (size_t i = 0; i < n; i++) {
            int d = OPENSSL_hexchar2int((unsigned char)v[i]);
            if (d < 0) {
                return -SR_EFORMAT;
            }
            x = x << 4 | (uint32_t)d;
        }
        out->profile_level_id = x;
        out->has_profile_level_id = true;
    }
    if (sr_codec_fmtp_find(c->fmtp, strlen(c->fmtp), "packetization-mode", &v, &n)) {
        if (!sr_sdp_fmtp_number(c, "packetization-mode", 2, &x)) {
            return -SR_EFORMAT;
        }
        out->packetization_mode = (uint8_t)x;
    }
    if (sr_codec_fmtp_find(c->fmtp, strlen(c->fmtp), "level-asymmetry-allowed", &v, &n)) {
        if (!sr_sdp_fmtp_number(c, "level-asymmetry-allowed", 1, &x)) {
            return -SR_EFORMAT;
        }
        out->level_asymmetry_allowed = x == 1;
    }
    return SR_OK;
}

int sr_sdp_fingerprint_decode(const char *value, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = 0;
    for (const char *p = value;; p += 3) {
        int hi = OPENSSL_hexchar2int((unsigned char)p[0]), lo = hi < 0 ? -1 : OPENSSL_hexchar2int((unsigned char)p[1]);
        if (lo < 0 || (p[2] != ':' && p[2] != '\0') || (p[2] == ':' && p[3] == '\0')) {
            return -SR_EFORMAT;
        }
        if (n == cap) {
            return -SR_EOVERFLOW;
        }
        out[n++] = (uint8_t)(hi << 4 | lo);
        if (p[2] == '\0') {
            break;
        }
    }
    *len = n;
    return SR_OK;
}
