/* SPDX-License-Identifier: MIT */
/*
 * sr_rtc_negotiate.c: one audio (Opus) and one video (H.264, packetization-mode 1)
 * section are taken from an offer, in the direction the role needs; RTX, RED, FEC and
 * data channels are declined (a player retransmits on the original SSRC when RTX is
 * not negotiated, RFC 4588 is optional). A publisher is offered transport-cc feedback
 * so its bandwidth estimate can grow; a player NACK and PLI.
 */
#include "sr_rtc_negotiate.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sr_alloc.h"
#include "sr_error.h"
#include "sr_sdp.h"

#define SR_RTC_TWCC_URI "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
#define SR_RTC_MAX_CANDIDATES 8

/* ==== candidates ==== */

static bool sr_rtc_negotiate_is_ip(const char *s)
{
    struct in6_addr a6;
    struct in_addr a4;
    return inet_pton(AF_INET, s, &a4) == 1 || inet_pton(AF_INET6, s, &a6) == 1;
}

static int sr_rtc_negotiate_add_ip(char ips[][64], int n, const char *ip)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(ips[i], ip) == 0) {
            return n;
        }
    }
    if (n < SR_RTC_MAX_CANDIDATES && ip[0] && strlen(ip) < 64) {
        snprintf(ips[n++], 64, "%s", ip);
    }
    return n;
}

/* The addresses players are told to send to: rtc_server.candidate, or with "*" the
 * address the HTTP request came to and every up, non-loopback IPv4 address. */
static int sr_rtc_negotiate_candidates(const sr_rtc_server_config_t *c, const char *host_ip, char ips[][64])
{
    int n = 0;
    if (strcmp(c->candidate, "*") != 0) {
        n = sr_rtc_negotiate_add_ip(ips, n, c->candidate);
    }
    if ((c->is_api_as_candidates || strcmp(c->candidate, "*") == 0) && sr_rtc_negotiate_is_ip(host_ip)) {
        n = sr_rtc_negotiate_add_ip(ips, n, host_ip);
    }
    if (strcmp(c->candidate, "*") != 0) {
        return n;
    }
    struct ifaddrs *all = NULL;
    if (getifaddrs(&all) == 0) {
        for (struct ifaddrs *i = all; i; i = i->ifa_next) {
            if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !(i->ifa_flags & IFF_UP) ||
                (i->ifa_flags & IFF_LOOPBACK)) {
                continue;
            }
            char ip[64];
            inet_ntop(AF_INET, &((const struct sockaddr_in *)i->ifa_addr)->sin_addr, ip, sizeof(ip));
            n = sr_rtc_negotiate_add_ip(ips, n, ip);
        }
        freeifaddrs(all);
    }
    return n ? n : sr_rtc_negotiate_add_ip(ips, n, "127.0.0.1");
}

/* ==== codecs ==== */

/* The offer's Opus, stereo as WebRTC always declares it. */
static const sr_sdp_codec_t *sr_rtc_negotiate_opus(const sr_sdp_media_t *m)
{
    const sr_sdp_codec_t *c = sr_sdp_codec_find(m, "opus", NULL);
    return c && c->clock_rate == 48000 ? c : NULL;
}

/* The offer's H.264 in packetization-mode 1: for a player, Constrained Baseline with
 * level-asymmetry-allowed first (what every browser decodes at any level), else the
 * first in mode 1; for a publisher the first in mode 1 (its own preference). */
static const sr_sdp_codec_t *sr_rtc_negotiate_h264(const sr_sdp_media_t *m, bool is_publish)
{
    const sr_sdp_codec_t *first = NULL;
    for (const sr_sdp_codec_t *c = sr_sdp_codec_find(m, "H264", NULL); c; c = sr_sdp_codec_find(m, "H264", c)) {
        sr_sdp_h264_t h;
        if (c->clock_rate != 90000 || sr_sdp_h264_params(c, &h) != SR_OK || h.packetization_mode != 1) {
            continue;
        }
        if (!first) {
            first = c;
        }
        if (!is_publish && (h.profile_level_id >> 16) == 0x42 && h.level_asymmetry_allowed) {
            return c;
        }
    }
    return first;
}

static uint8_t sr_rtc_negotiate_twcc_ext(const sr_sdp_media_t *m)
{
    for (int i = 0; i < m->nb_extmaps; i++) {
        if (strcmp(m->extmaps[i].uri, SR_RTC_TWCC_URI) == 0 && m->extmaps[i].id >= 1 && m->extmaps[i].id <= 14) {
            return (uint8_t)m->extmaps[i].id;
        }
    }
    return 0;
}

/* ==== sections ==== */

typedef struct sr_rtc_negotiation {
    sr_rtc_session_t *s;
    const sr_sdp_t *offer;
    sr_sdp_t *answer;
    char ips[SR_RTC_MAX_CANDIDATES][64];
    int nb_ips;
} sr_rtc_negotiation_t;

/* Decline offered section m as answer section a: port 0, its first format kept. */
static void sr_rtc_negotiate_reject(const sr_sdp_media_t *m, sr_sdp_media_t *a)
{
    a->kind = m->kind;
    snprintf(a->kind_name, sizeof(a->kind_name), "%s", m->kind_name);
    snprintf(a->proto, sizeof(a->proto), "%s", m->proto);
    snprintf(a->mid, sizeof(a->mid), "%s", m->mid);
    snprintf(a->fmt, sizeof(a->fmt), "%s", m->fmt);
    a->port = 0;
    if (m->nb_pts) {
        a->nb_pts = 1;
        a->pts[0] = m->pts[0];
    }
    a->direction = SR_SDP_DIR_INACTIVE;
}

/* Append one host candidate to a, when there is room. */
static void sr_rtc_negotiate_candidate(sr_sdp_media_t *a, const char *transport, uint32_t priority, const char *ip,
                                       int port, const char *extension)
{
    if (a->nb_candidates >= SR_SDP_MAX_CANDIDATES) {
        return;
    }
    sr_sdp_candidate_t *cand = &a->candidates[a->nb_candidates++];
    snprintf(cand->foundation, sizeof(cand->foundation), "%d", a->nb_candidates);
    cand->component = 1;
    snprintf(cand->transport, sizeof(cand->transport), "%s", transport);
    cand->priority = priority;
    snprintf(cand->address, sizeof(cand->address), "%s", ip);
    cand->port = (uint16_t)port;
    snprintf(cand->type, sizeof(cand->type), "host");
    snprintf(cand->extension, sizeof(cand->extension), "%s", extension);
}

/* Accept codec c of offered section m as track t, writing answer section a. */
static void sr_rtc_negotiate_accept(sr_rtc_negotiation_t *n, const sr_sdp_media_t *m, const sr_sdp_codec_t *c,
                                    sr_rtc_track_t *t, sr_codec_id_t codec, sr_sdp_media_t *a)
{
    sr_rtc_session_t *s = n->s;
    t->codec = codec;
    t->pt = c->pt;
    t->clock = c->clock_rate;
    t->channels = c->channels ? c->channels : (codec == SR_CODEC_OPUS ? 2 : 0);
    snprintf(t->mid, sizeof(t->mid), "%s", m->mid);
    a->kind = m->kind;
    a->port = 9;
    snprintf(a->proto, sizeof(a->proto), "%s", m->proto);
    snprintf(a->mid, sizeof(a->mid), "%s", m->mid);
    a->nb_pts = 1;
    a->pts[0] = c->pt;
    a->direction = s->is_publish ? SR_SDP_DIR_RECVONLY : SR_SDP_DIR_SENDONLY;
    a->rtcp_mux = true;
    a->rtcp_rsize = m->rtcp_rsize;
    a->nb_codecs = 1;
    sr_sdp_codec_t *ac = &a->codecs[0];
    *ac = *c;
    ac->rtcp_fb = 0;
    if (codec == SR_CODEC_H264) {
        ac->rtcp_fb = (uint8_t)((s->vhost.rtc.is_nack ? SR_SDP_FB_NACK : 0) | SR_SDP_FB_NACK_PLI | SR_SDP_FB_CCM_FIR);
    }
    uint8_t twcc = s->is_publish && s->vhost.rtc.is_twcc ? sr_rtc_negotiate_twcc_ext(m) : 0;
    if (twcc) {
        t->twcc_ext = twcc;
        ac->rtcp_fb |= SR_SDP_FB_TRANSPORT_CC;
        a->nb_extmaps = 1;
        a->extmaps[0].id = twcc;
        snprintf(a->extmaps[0].uri, sizeof(a->extmaps[0].uri), "%s", SR_RTC_TWCC_URI);
    }
    if (s->is_publish) {
        t->ssrc = m->nb_ssrcs ? m->ssrcs[0].ssrc : 0; /* FID groups list the primary first */
    } else {
        t->ssrc = sr_rtc_session_random_ssrc();
        a->nb_ssrcs = 1;
        a->ssrcs[0].ssrc = t->ssrc;
        snprintf(a->ssrcs[0].cname, sizeof(a->ssrcs[0].cname), "strand-%s", s->id);
        snprintf(a->ssrcs[0].msid_stream, sizeof(a->ssrcs[0].msid_stream), "strand");
        snprintf(a->ssrcs[0].msid_track, sizeof(a->ssrcs[0].msid_track), "%s", sr_sdp_kind_name(m->kind));
        snprintf(a->msid_stream, sizeof(a->msid_stream), "strand");
        snprintf(a->msid_track, sizeof(a->msid_track), "%s", sr_sdp_kind_name(m->kind));
    }
    const sr_rtc_server_config_t *rc = &sr_server_config(s->server)->rtc_server;
    for (int i = 0; i < n->nb_ips && rc->is_udp_candidates; i++) {
        sr_rtc_negotiate_candidate(a, "udp", 2130706431u - (uint32_t)i, n->ips[i], sr_rtc_hub_port(), "");
    }
    /* passive TCP (RFC 6544): the peer connects; below UDP, which is preferred when both work */
    for (int i = 0; i < n->nb_ips && rc->is_tcp_candidates; i++) {
        sr_rtc_negotiate_candidate(a, "tcp", 1671430143u - (uint32_t)i, n->ips[i], rc->tcp_addr.port,
                                   "tcptype passive");
    }
    a->end_of_candidates = true;
}

/* Whether the offered direction d lets this role use the section. */
static bool sr_rtc_negotiate_direction_fits(const sr_rtc_session_t *s, sr_sdp_direction_t d)
{
    return d == SR_SDP_DIR_SENDRECV || (s->is_publish ? d == SR_SDP_DIR_SENDONLY : d == SR_SDP_DIR_RECVONLY);
}

static void sr_rtc_negotiate_section(sr_rtc_negotiation_t *n, const sr_sdp_media_t *m, sr_sdp_media_t *a)
{
    sr_rtc_session_t *s = n->s;
    bool fits = m->port != 0 && sr_rtc_negotiate_direction_fits(s, sr_sdp_media_direction(n->offer, m));
    const sr_sdp_codec_t *c = NULL;
    if (fits && m->kind == SR_SDP_KIND_AUDIO && s->audio.codec == SR_CODEC_NONE &&
        (c = sr_rtc_negotiate_opus(m)) != NULL) {
        sr_rtc_negotiate_accept(n, m, c, &s->audio, SR_CODEC_OPUS, a);
    } else if (fits && m->kind == SR_SDP_KIND_VIDEO && s->video.codec == SR_CODEC_NONE &&
               (c = sr_rtc_negotiate_h264(m, s->is_publish)) != NULL) {
        sr_rtc_negotiate_accept(n, m, c, &s->video, SR_CODEC_H264, a);
    } else {
        sr_rtc_negotiate_reject(m, a);
    }
}

/* The peer's ICE ufrag and DTLS fingerprint, from the first accepted section. */
static int sr_rtc_negotiate_remote(sr_rtc_negotiation_t *n, const sr_sdp_media_t *m)
{
    sr_sdp_transport_t t;
    sr_sdp_transport_resolve(n->offer, m, &t);
    if (!t.ice_ufrag[0] || !t.ice_pwd[0] || !t.fingerprint[0] || !t.fingerprint_alg[0]) {
        return sr_err_new(SR_EFORMAT, "the offer has no ICE credentials or no DTLS fingerprint");
    }
    sr_rtc_session_t *s = n->s;
    snprintf(s->remote_ufrag, sizeof(s->remote_ufrag), "%s", t.ice_ufrag);
    snprintf(s->remote_fingerprint, sizeof(s->remote_fingerprint), "%s %s", t.fingerprint_alg, t.fingerprint);
    /* RFC 8842 5: the offerer is actpass; an offer that insists on a role gets the other */
    if (t.setup == SR_SDP_SETUP_PASSIVE) {
        s->is_dtls_client = true;
    } else if (t.setup == SR_SDP_SETUP_ACTIVE) {
        s->is_dtls_client = false;
    }
    return SR_OK;
}

static void sr_rtc_negotiate_session(sr_rtc_negotiation_t *n)
{
    sr_rtc_session_t *s = n->s;
    sr_sdp_t *a = n->answer;
    snprintf(a->origin_username, sizeof(a->origin_username), "strand");
    snprintf(a->origin_sess_id, sizeof(a->origin_sess_id), "%u", sr_rtc_session_random_ssrc() & 0x7fffffff);
    snprintf(a->origin_sess_version, sizeof(a->origin_sess_version), "2");
    a->ice_lite = true;
    snprintf(a->msid_semantic, sizeof(a->msid_semantic), "WMS strand");
    snprintf(a->transport.ice_ufrag, sizeof(a->transport.ice_ufrag), "%s", s->local_ufrag);
    snprintf(a->transport.ice_pwd, sizeof(a->transport.ice_pwd), "%s", s->local_pwd);
    const char *fp = sr_rtc_hub_fingerprint(); /* "sha-256 AB:..." */
    const char *space = fp ? strchr(fp, ' ') : NULL;
    if (space) {
        snprintf(a->transport.fingerprint_alg, sizeof(a->transport.fingerprint_alg), "%.*s", (int)(space - fp), fp);
        snprintf(a->transport.fingerprint, sizeof(a->transport.fingerprint), "%s", space + 1);
    }
    a->transport.setup = s->is_dtls_client ? SR_SDP_SETUP_ACTIVE : SR_SDP_SETUP_PASSIVE;
}

int sr_rtc_negotiate(sr_rtc_session_t *s, const char *offer, size_t len, const char *host_ip, char *answer, size_t cap,
                     size_t *written)
{
    sr_rtc_negotiation_t n = {.s = s};
    sr_sdp_t *o = sr_malloc(sizeof(sr_sdp_t));
    n.offer = o;
    n.answer = sr_calloc(1, sizeof(sr_sdp_t));
    int rc = sr_sdp_parse(offer, len, o);
    if (rc != SR_OK) {
        rc = sr_err_new(-rc, "the offer is not SDP that can be read");
        goto done;
    }
    n.nb_ips = sr_rtc_negotiate_candidates(&sr_server_config(s->server)->rtc_server, host_ip, n.ips);
    const sr_sdp_media_t *first = NULL;
    for (int i = 0; i < o->nb_media; i++) {
        sr_rtc_negotiate_section(&n, &o->media[i], &n.answer->media[i]);
        if (n.answer->media[i].port != 0) {
            first = first ? first : &o->media[i];
            snprintf(n.answer->bundle[n.answer->nb_bundle++], SR_SDP_MID_MAX, "%s", o->media[i].mid);
        }
    }
    n.answer->nb_media = o->nb_media;
    if (!first) {
        rc = sr_err_new(SR_EUNSUPPORTED, "no %s section with H.264 (packetization-mode 1) or Opus",
                        s->is_publish ? "sendonly" : "recvonly");
        goto done;
    }
    if ((rc = sr_rtc_negotiate_remote(&n, first)) != SR_OK) {
        goto done;
    }
    sr_rtc_negotiate_session(&n);
    rc = sr_sdp_write(n.answer, answer, cap, written);
    if (rc != SR_OK) {
        rc = sr_err_new(-rc, "writing the answer");
    }
done:
    sr_free(o);
    sr_free(n.answer);
    return rc;
}
