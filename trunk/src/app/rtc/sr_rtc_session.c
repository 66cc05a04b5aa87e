/* SPDX-License-Identifier: MIT */
/*
 * sr_rtc_session.c: a session's life: ICE (the first checked binding request names the
 * peer), DTLS (its datagrams in, its flights out, its retransmission timer in the
 * session's coroutine), SRTP keyed from the DTLS exporter, then media by role. The
 * coroutine alone frees the session, so the hub may hand it datagrams without holding
 * a reference: nothing here yields while the hub runs it.
 */
#include "sr_rtc_session.h"

#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_dtls.h"
#include "sr_error.h"
#include "sr_log.h"
#include "sr_random.h"
#include "sr_rtc.h"
#include "sr_rtcp.h"
#include "sr_srtp.h"
#include "sr_stun.h"
#include "sr_time.h"

#define SR_RTC_SESSION_TICK_US (100 * SR_UTIME_MS)
#define SR_RTC_SESSION_DTLS_MAX_US (30 * SR_UTIME_S) /* ICE and DTLS must be done by then */

/* [a-z0-9] text of n random characters. */
static void sr_rtc_session_random_text(char *out, size_t n)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    uint8_t r[64];
    sr_random_bytes(r, n);
    for (size_t i = 0; i < n; i++) {
        out[i] = alphabet[r[i] % (sizeof(alphabet) - 1)];
    }
    out[n] = '\0';
}

uint32_t sr_rtc_session_random_ssrc(void)
{
    return sr_random_u32();
}

sr_rtc_session_t *sr_rtc_session_new(sr_server_t *server, bool is_publish, const sr_request_t *req,
                                     const sr_vhost_config_t *v, const char *ip)
{
    sr_rtc_session_t *s = SR_NEW(sr_rtc_session_t);
    s->server = server;
    s->is_publish = is_publish;
    s->is_dtls_client = v->rtc.is_dtls_active;
    sr_rtc_session_random_text(s->local_ufrag, SR_RTC_UFRAG_LEN);
    sr_rtc_session_random_text(s->local_pwd, SR_RTC_PWD_LEN);
    sr_rtc_session_random_text(s->id, 16);
    s->created_us = s->last_stun_us = sr_time_mono_us();
    s->wake = sr_cond_new();
    sr_request_init(&s->req);
    sr_request_copy(&s->req, req);
    sr_server_config_vhost_detach(&s->vhost, v);
    snprintf(s->client.vhost, sizeof(s->client.vhost), "%s", v->name);
    s->client.req = &s->req;
    s->client.type = is_publish ? "rtc-publish" : "rtc-play";
    s->client.is_publish = is_publish;
    snprintf(s->client.ip, sizeof(s->client.ip), "%s", ip);
    return s;
}

void sr_rtc_session_free(sr_rtc_session_t *s)
{
    if (!s) {
        return;
    }
    sr_dtls_free(s->dtls);
    sr_srtp_free(s->srtp);
    sr_cond_free(s->wake);
    sr_request_deinit(&s->req);
    sr_free(s);
}

void sr_rtc_session_stop(sr_rtc_session_t *s, const char *reason)
{
    if (!s->is_stopping) {
        s->is_stopping = true;
        s->end_reason = reason;
    }
    sr_cond_signal(s->wake);
    sr_rtc_play_wake(s);
}

/* ==== DTLS ==== */

/* Send every datagram DTLS has queued. */
static void sr_rtc_session_dtls_flush(sr_rtc_session_t *s)
{
    uint8_t out[SR_RTC_MTU + 300];
    size_t n = 0;
    while (s->dtls && sr_dtls_take(s->dtls, out, sizeof(out), &n)) {
        if (sr_rtc_hub_send(s, out, n) != SR_OK) {
            sr_err_clear(); /* DTLS retransmits */
        }
    }
}

static void sr_rtc_session_dtls_done(sr_rtc_session_t *s)
{
    sr_srtp_keys_t keys;
    int rc = sr_dtls_srtp_keys(s->dtls, &keys);
    rc = rc ? rc : sr_srtp_new(&keys, &s->srtp);
    memset(&keys, 0, sizeof(keys));
    if (rc != SR_OK) {
        sr_warn("rtc %s: SRTP keys: %s", s->id, sr_err_trail());
        sr_err_clear();
        sr_rtc_session_stop(s, "no SRTP keys");
        return;
    }
    s->state = SR_RTC_CONNECTED;
    sr_rtc_stats_mut()->connected++;
    sr_trace("rtc %s %s/%s/%s connected: ICE and DTLS done in %lld ms", s->is_publish ? "publish" : "play",
             s->req.vhost, s->req.app, s->req.stream, (long long)((sr_time_mono_us() - s->created_us) / 1000));
    sr_cond_signal(s->wake);
}

static void sr_rtc_session_on_dtls(sr_rtc_session_t *s, const uint8_t *data, size_t len)
{
    if (!s->dtls) {
        return;
    }
    bool was_connected = sr_dtls_is_connected(s->dtls);
    int rc = sr_dtls_feed(s->dtls, data, len);
    if (rc != SR_OK && rc != -SR_EPEER_CLOSED && rc != -SR_EFORMAT) {
        sr_warn("rtc %s: DTLS: %s", s->id, sr_err_trail());
    }
    sr_err_clear();
    sr_rtc_session_dtls_flush(s);
    if (sr_dtls_is_closed(s->dtls)) {
        sr_rtc_session_stop(s, "the peer closed DTLS");
    } else if (!was_connected && sr_dtls_is_connected(s->dtls) && s->state == SR_RTC_WAIT_DTLS) {
        sr_rtc_session_dtls_done(s);
    }
}

void sr_rtc_session_on_binding(sr_rtc_session_t *s, const sr_udp_peer_t *peer)
{
    SR_UNUSED(peer);
    s->last_stun_us = sr_time_mono_us();
    if (s->state != SR_RTC_WAIT_ICE) {
        return;
    }
    s->state = SR_RTC_WAIT_DTLS;
    if (s->is_dtls_client && s->dtls) {
        if (sr_dtls_start(s->dtls) != SR_OK) {
            sr_warn("rtc %s: DTLS start: %s", s->id, sr_err_trail());
            sr_err_clear();
        }
        sr_rtc_session_dtls_flush(s);
    }
    sr_cond_signal(s->wake); /* its timer starts */
}

/* ==== SRTP ==== */

void sr_rtc_session_on_datagram(sr_rtc_session_t *s, uint8_t *data, size_t len)
{
    if (len < 1 || s->is_stopping) {
        return;
    }
    sr_stun_demux_t kind = sr_stun_demux(data, len); /* RFC 7983 */
    if (kind == SR_STUN_DEMUX_DTLS) {
        sr_rtc_session_on_dtls(s, data, len);
        return;
    }
    if (kind != SR_STUN_DEMUX_RTP || !s->srtp) {
        return;
    }
    bool is_rtcp = sr_rtcp_is_rtcp(data, len);
    int rc = is_rtcp ? sr_srtp_unprotect_rtcp(s->srtp, data, &len) : sr_srtp_unprotect_rtp(s->srtp, data, &len);
    if (rc != SR_OK) {
        sr_err_clear();
        s->srtp_errors++; /* replays and forgeries: counted, not logged per packet */
        sr_rtc_stats_mut()->srtp_refused++;
        return;
    }
    if (is_rtcp) {
        s->rtcp_in++;
        if (s->is_publish) {
            sr_rtc_publish_on_rtcp(s, data, len);
        } else {
            sr_rtc_play_on_rtcp(s, data, len);
        }
    } else if (s->is_publish) {
        s->rtp_in++;
        sr_rtc_publish_on_rtp(s, data, len);
    }
}

/* Protect buf in place for the peer; counts what goes out. */
static int sr_rtc_session_protect(sr_rtc_session_t *s, uint8_t *buf, size_t *len, size_t cap, bool is_rtcp)
{
    if (!s->srtp) {
        return sr_err_new(SR_ESOCKET_WRITE, "SRTP is not ready");
    }
    int rc = is_rtcp ? sr_srtp_protect_rtcp(s->srtp, buf, len, cap) : sr_srtp_protect_rtp(s->srtp, buf, len, cap);
    if (rc != SR_OK) {
        return rc;
    }
    if (is_rtcp) {
        s->rtcp_out++;
    } else {
        s->rtp_out++;
    }
    return SR_OK;
}

int sr_rtc_session_send_srtp(sr_rtc_session_t *s, uint8_t *buf, size_t len, size_t cap, bool is_rtcp)
{
    int rc = sr_rtc_session_protect(s, buf, &len, cap, is_rtcp);
    return rc != SR_OK ? rc : sr_rtc_hub_send(s, buf, len);
}

int sr_rtc_session_queue_srtp(sr_rtc_session_t *s, uint8_t *buf, size_t len, size_t cap, bool is_rtcp)
{
    int rc = sr_rtc_session_protect(s, buf, &len, cap, is_rtcp);
    return rc != SR_OK ? rc : sr_rtc_hub_queue(s, buf, len);
}

/* ==== the coroutine ==== */

/* Why the session must end now, or NULL: a stop, consent gone, ICE/DTLS never done. */
static const char *sr_rtc_session_expired(sr_rtc_session_t *s, sr_utime_t now)
{
    if (s->is_stopping) {
        return s->end_reason;
    }
    if (now - s->last_stun_us > (sr_utime_t)s->vhost.rtc.stun_timeout_ms * SR_UTIME_MS) {
        return "no STUN binding within stun_timeout (the peer is gone)";
    }
    if (s->state != SR_RTC_CONNECTED && now - s->created_us > SR_RTC_SESSION_DTLS_MAX_US) {
        return s->state == SR_RTC_WAIT_ICE ? "ICE never connected" : "DTLS never completed";
    }
    return NULL;
}

const char *sr_rtc_session_check(sr_rtc_session_t *s)
{
    sr_utime_t now = sr_time_mono_us();
    const char *why = sr_rtc_session_expired(s, now);
    if (why && !s->is_stopping) {
        sr_rtc_session_stop(s, why);
    }
    return why;
}

/* Wait until connected (or the end), running the DTLS timer. */
static const char *sr_rtc_session_connect(sr_rtc_session_t *s)
{
    for (;;) {
        const char *why = sr_rtc_session_check(s);
        if (why) {
            return why;
        }
        if (s->state == SR_RTC_CONNECTED) {
            return NULL;
        }
        sr_utime_t wait = SR_RTC_SESSION_TICK_US;
        if (s->dtls && s->state == SR_RTC_WAIT_DTLS) {
            sr_utime_t t = sr_dtls_timeout_us(s->dtls);
            if (t != SR_DTLS_NO_TIMER && t < wait) {
                wait = t;
            }
        }
        int rc = sr_cond_timedwait(s->wake, wait);
        if (rc == -SR_EINTERRUPTED) {
            sr_err_clear();
            sr_rtc_session_stop(s, "the server stops");
            continue;
        }
        sr_err_clear();
        if (s->dtls && s->state == SR_RTC_WAIT_DTLS && sr_dtls_timeout_us(s->dtls) == 0) {
            if (sr_dtls_on_timeout(s->dtls) != SR_OK) {
                sr_err_clear();
            }
            sr_rtc_session_dtls_flush(s);
        }
    }
}

/* A publisher between packets: feedback on a tick, until the end. */
static void sr_rtc_session_publish_loop(sr_rtc_session_t *s)
{
    while (!sr_rtc_session_check(s)) {
        int rc = sr_cond_timedwait(s->wake, SR_RTC_SESSION_TICK_US);
        if (rc == -SR_EINTERRUPTED) {
            sr_rtc_session_stop(s, "the server stops");
        }
        sr_err_clear();
        sr_rtc_publish_tick(s);
        int idle = sr_rtc_publish_check_idle(s);
        if (idle != SR_OK) {
            sr_rtc_session_stop(s, idle == -SR_EKICKED ? "kickoff_for_idle" : "publish ended");
            sr_err_clear();
        }
    }
}

/* The publish or play begins in the session's coroutine (hooks see its client id), and
 * the HTTP handler waiting in sr_rtc_session_start learns how it went. */
static int sr_rtc_session_begin(sr_rtc_session_t *s)
{
    int rc = s->is_publish ? sr_rtc_publish_begin(s) : sr_rtc_play_begin(s);
    sr_rtc_handoff_t *h = s->handoff;
    s->handoff = NULL;
    h->rc = rc;
    if (rc != SR_OK) {
        snprintf(h->why, sizeof(h->why), "%s", sr_err_trail());
        sr_err_clear();
    } else {
        sr_rtc_hub_add(s);
        sr_rtc_stats_mut()->sessions++;
    }
    h->is_done = true;
    sr_cond_signal(h->cond);
    return rc;
}

static void sr_rtc_session_cycle(void *arg)
{
    sr_rtc_session_t *s = arg;
    if (sr_rtc_session_begin(s) != SR_OK) {
        sr_server_client_remove(s->server, &s->client, false);
        sr_rtc_session_free(s);
        return;
    }
    const char *why = sr_rtc_session_connect(s);
    if (!why) {
        if (s->is_publish) {
            sr_rtc_session_publish_loop(s);
        } else if (sr_rtc_play_run(s) != SR_OK) {
            sr_trace("rtc %s play ended: %s", s->id, sr_err_trail());
            sr_err_clear();
            sr_rtc_session_stop(s, "the play ended");
        }
        why = s->end_reason;
    }
    s->state = SR_RTC_CLOSED;
    if (s->dtls && sr_dtls_is_connected(s->dtls)) {
        sr_dtls_close(s->dtls);
        sr_rtc_session_dtls_flush(s); /* close_notify: the browser ends at once */
    }
    sr_rtc_hub_remove(s);
    sr_trace("rtc %s %s/%s/%s stop (%s): rtp in %llu out %llu, rtcp in %llu out %llu, nacks %llu, plis %llu, srtp "
             "errors %llu",
             s->is_publish ? "publish" : "play", s->req.vhost, s->req.app, s->req.stream, why ? why : "ended",
             (unsigned long long)s->rtp_in, (unsigned long long)s->rtp_out, (unsigned long long)s->rtcp_in,
             (unsigned long long)s->rtcp_out, (unsigned long long)s->nacks_in, (unsigned long long)s->plis_in,
             (unsigned long long)s->srtp_errors);
    if (s->is_publish) {
        sr_rtc_publish_end(s);
    } else {
        sr_rtc_play_end(s);
    }
    sr_server_client_remove(s->server, &s->client, false);
    sr_rtc_session_free(s);
}

int sr_rtc_session_start(sr_rtc_session_t *s, char *why, size_t why_size)
{
    sr_dtls_role_t role = s->is_dtls_client ? SR_DTLS_ROLE_CLIENT : SR_DTLS_ROLE_SERVER;
    int rc = sr_dtls_new(sr_rtc_hub_cert(), role, &s->dtls);
    rc = rc ? rc : sr_dtls_set_remote_fingerprint(s->dtls, s->remote_fingerprint);
    if (rc != SR_OK) {
        snprintf(why, why_size, "%s", sr_err_trail());
        sr_rtc_session_free(s);
        return rc;
    }
    sr_rtc_handoff_t h = {.cond = sr_cond_new()};
    s->handoff = &h;
    sr_server_client_start(s->server, &s->client, s->client.ip, &s->io, sr_rtc_session_cycle, s);
    while (!h.is_done) {
        sr_cond_timedwait_through_stop(h.cond, SR_UTIME_S); /* s may be gone after: h tells */
    }
    sr_err_clear();
    sr_cond_free(h.cond);
    snprintf(why, why_size, "%s", h.why);
    return h.rc;
}
