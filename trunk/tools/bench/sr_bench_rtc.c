/* SPDX-License-Identifier: MIT */
/*
 * sr_bench_rtc.c: the WebRTC transport strand_bench's WHEP players and WHIP publishers
 * share (sr_bench_rtc.h): offer and answer, ICE as the controlling agent, the DTLS
 * client, SRTP, consent. One loop per session reads the socket; every datagram is
 * demultiplexed by its first byte (RFC 7983) and the timers (STUN checks and consent,
 * DTLS retransmission, the mode's sending) run off the receive timeout.
 *
 * Not for: what media means (the modes' files), TURN, trickle ICE.
 */
#include "sr_bench_rtc.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sr_bench_sdp.h"
#include "sr_bytes.h"
#include "sr_error.h"
#include "sr_http.h"

#define SR_BENCH_RTC_STUN_RETRY_US (200 * SR_UTIME_MS)

/* One certificate for every session: generating a key per session costs more than
 * the bench wants to measure, and the server does not care. */
static sr_dtls_cert_t *sr_bench_rtc_cert;

static void sr_bench_rtc_random_text(char *out, size_t len)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    uint8_t r[64];
    RAND_bytes(r, (int)len);
    for (size_t i = 0; i < len; i++) {
        out[i] = alphabet[r[i] % (sizeof(alphabet) - 1)];
    }
    out[len] = '\0';
}

int sr_bench_rtc_load(void)
{
    return sr_bench_rtc_cert ? SR_OK : sr_dtls_cert_generate(&sr_bench_rtc_cert);
}

int sr_bench_rtc_init(sr_bench_rtc_t *r, sr_bench_conn_t *c, const sr_bench_rtc_hooks_t *hooks)
{
    memset(r, 0, sizeof(*r));
    r->c = c;
    r->hooks = *hooks;
    r->video_pt = r->audio_pt = -1;
    sr_bench_rtc_random_text(r->local_ufrag, 8);
    sr_bench_rtc_random_text(r->local_pwd, 24);
    RAND_bytes((uint8_t *)&r->tie_breaker, sizeof(r->tie_breaker));
    return sr_bench_rtc_load();
}

void sr_bench_rtc_set_rcvbuf(sr_sock_t *sock, int bytes)
{
    if (bytes <= 0) {
        return;
    }
    int fd = sr_sock_fd(sock);
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) != 0) {
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)); /* capped at net.core.rmem_max */
    }
}

/* ==== offer and answer ==== */

static void sr_bench_rtc_offer(const sr_bench_rtc_t *r, sr_buf_t *offer, const char *direction, uint32_t audio_ssrc,
                               uint32_t video_ssrc)
{
    sr_buf_printf(offer,
                  "v=0\r\no=- %d 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
                  "a=msid-semantic: WMS\r\n",
                  r->c->index + 1);
    static const char *const media[2] = {
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n",
        "m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=rtpmap:102 H264/90000\r\na=rtcp-fb:102 nack\r\n"
        "a=rtcp-fb:102 nack pli\r\n"
        "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n",
    };
    const uint32_t ssrc[2] = {audio_ssrc, video_ssrc};
    for (int i = 0; i < 2; i++) {
        sr_buf_put_str(offer, media[i]);
        sr_buf_printf(offer,
                      "c=IN IP4 0.0.0.0\r\na=mid:%d\r\na=%s\r\na=rtcp-mux\r\na=ice-ufrag:%s\r\na=ice-pwd:%s\r\n"
                      "a=fingerprint:%s\r\na=setup:active\r\n",
                      i, direction, r->local_ufrag, r->local_pwd, sr_dtls_cert_fingerprint(sr_bench_rtc_cert));
        if (ssrc[i]) {
            sr_buf_printf(offer, "a=ssrc:%u cname:bench-%d\r\n", ssrc[i], r->c->index);
        }
    }
}

/* The answer's transport and payload types into r. */
static int sr_bench_rtc_answer(sr_bench_rtc_t *r, const char *sdp)
{
    char cand[512], ip[64];
    int port = 0;
    if (!sr_bench_sdp_attr(sdp, "ice-ufrag", r->remote_ufrag, sizeof(r->remote_ufrag)) ||
        !sr_bench_sdp_attr(sdp, "ice-pwd", r->remote_pwd, sizeof(r->remote_pwd)) ||
        !sr_bench_sdp_attr(sdp, "fingerprint", r->fingerprint, sizeof(r->fingerprint)) ||
        !sr_bench_sdp_attr(sdp, "candidate", cand, sizeof(cand)) ||
        sscanf(cand, "%*s %*s %*s %*s %63s %d", ip, &port) != 2) {
        return sr_err_new(SR_EFORMAT, "the answer has no ICE credentials, fingerprint or candidate");
    }
    const char *mv = strstr(sdp, "m=video ");
    const char *ma = strstr(sdp, "m=audio ");
    if (mv) {
        sscanf(mv, "m=video %*d %*s %d", &r->video_pt);
    }
    if (ma) {
        sscanf(ma, "m=audio %*d %*s %d", &r->audio_pt);
    }
    snprintf(r->username, sizeof(r->username), "%s:%s", r->remote_ufrag, r->local_ufrag);
    return sr_udp_peer_make(ip, port, &r->peer);
}

int sr_bench_rtc_negotiate(sr_bench_rtc_t *r, const char *url, const char *direction, uint32_t audio_ssrc,
                           uint32_t video_ssrc)
{
    sr_buf_t offer, answer;
    sr_buf_init(&offer);
    sr_buf_init(&answer);
    sr_bench_rtc_offer(r, &offer, direction, audio_ssrc, video_ssrc);
    int status = 0;
    int rc = sr_http_client_request("POST", url, "application/sdp", offer.data, offer.len, r->c->opts->timeout_us,
                                    &status, &answer);
    sr_buf_put_u8(&answer, 0);
    const char *sdp = (const char *)answer.data;
    if (rc == SR_OK && status != 201) {
        rc = sr_err_new(SR_EHTTP_CLIENT, "the offer was answered %d: %.200s", status, sdp);
    }
    rc = rc ? rc : sr_bench_rtc_answer(r, sdp);
    sr_buf_deinit(&offer);
    sr_buf_deinit(&answer);
    return rc;
}

/* ==== ICE and DTLS ==== */

static int sr_bench_rtc_send_check(sr_bench_rtc_t *r)
{
    sr_stun_request_t req;
    memset(&req, 0, sizeof(req));
    RAND_bytes(req.txid, sizeof(req.txid));
    req.username = r->username;
    req.priority = 0x7e7fffff; /* host candidate priority (RFC 8445 5.1.2.1), one component */
    req.ice_controlling = true;
    req.tie_breaker = r->tie_breaker;
    req.use_candidate = true;
    uint8_t out[SR_STUN_WRITE_MAX_BYTES];
    size_t len = 0;
    int rc = sr_stun_write_binding_request(out, sizeof(out), &len, &req, r->remote_pwd);
    return rc ? rc : sr_udp_sendto(r->udp, out, len, &r->peer, r->c->opts->timeout_us);
}

/* Send what DTLS has queued. */
static int sr_bench_rtc_flush(sr_bench_rtc_t *r)
{
    uint8_t out[SR_DTLS_MTU];
    size_t len = 0;
    while (sr_dtls_take(r->dtls, out, sizeof(out), &len)) {
        int rc = sr_udp_sendto(r->udp, out, len, &r->peer, r->c->opts->timeout_us);
        if (rc != SR_OK) {
            return rc;
        }
    }
    return SR_OK;
}

/* Answer a Binding request from the server (it may check the pair too). */
static void sr_bench_rtc_on_request(sr_bench_rtc_t *r, const uint8_t *data, size_t n, const sr_udp_peer_t *from)
{
    sr_stun_msg_t m;
    if (sr_stun_parse(data, n, &m) != SR_OK || m.type != SR_STUN_BINDING_REQUEST ||
        sr_stun_verify(data, n, r->local_pwd) != SR_OK) {
        return;
    }
    uint8_t out[SR_STUN_WRITE_MAX_BYTES];
    size_t len = 0;
    if (sr_stun_write_binding_success(out, sizeof(out), &len, m.txid, (const struct sockaddr *)&from->addr,
                                      r->local_pwd) == SR_OK) {
        sr_udp_sendto_now(r->udp, out, len, &r->peer);
    }
}

/* A STUN message: the first success ends ICE and starts DTLS. */
static int sr_bench_rtc_on_stun(sr_bench_rtc_t *r, const uint8_t *d, size_t n, const sr_udp_peer_t *from,
                                bool *is_ice_done)
{
    sr_stun_msg_t m;
    if (sr_stun_parse(d, n, &m) != SR_OK || m.type != SR_STUN_BINDING_SUCCESS) {
        sr_bench_rtc_on_request(r, d, n, from);
        return SR_OK;
    }
    if (*is_ice_done) {
        return SR_OK; /* a consent answer */
    }
    *is_ice_done = true;
    int rc = sr_dtls_start(r->dtls);
    return rc ? rc : sr_bench_rtc_flush(r);
}

/* A DTLS record: once the handshake is done, SRTP is keyed. */
static int sr_bench_rtc_on_dtls(sr_bench_rtc_t *r, const uint8_t *d, size_t n)
{
    int rc = sr_dtls_feed(r->dtls, d, n);
    int frc = sr_bench_rtc_flush(r);
    rc = rc ? rc : frc;
    if (rc == SR_OK && !r->srtp && sr_dtls_is_connected(r->dtls)) {
        sr_srtp_keys_t keys;
        rc = sr_dtls_srtp_keys(r->dtls, &keys);
        rc = rc ? rc : sr_srtp_new(&keys, &r->srtp);
        r->c->connected_us = rc == SR_OK ? sr_time_mono_us() : 0;
    }
    return rc;
}

/* ==== the loop ==== */

/* How long the loop may wait for a datagram: the next check, DTLS retransmission and
 * the mode's next send, whichever comes first. */
static int sr_bench_rtc_timers(sr_bench_rtc_t *r, bool is_ice_done, sr_utime_t now, sr_utime_t *next_check,
                               sr_utime_t *wait)
{
    int rc = SR_OK;
    if (now >= *next_check) {
        if ((rc = sr_bench_rtc_send_check(r)) != SR_OK) {
            return rc;
        }
        *next_check = now + (is_ice_done ? SR_BENCH_RTC_CONSENT_US : SR_BENCH_RTC_STUN_RETRY_US);
    }
    *wait = *next_check - now;
    if (is_ice_done && !r->srtp) {
        if (sr_dtls_timeout_us(r->dtls) == 0 &&
            ((rc = sr_dtls_on_timeout(r->dtls)) != SR_OK || (rc = sr_bench_rtc_flush(r)) != SR_OK)) {
            return rc;
        }
        *wait = SR_MIN(*wait, sr_dtls_timeout_us(r->dtls));
    }
    if (r->srtp && r->hooks.on_tick) {
        sr_utime_t next = 0;
        if ((rc = r->hooks.on_tick(r->hooks.arg, now, &next)) != SR_OK) {
            return rc;
        }
        now = sr_time_mono_us(); /* sending may have yielded */
        *wait = SR_MIN(*wait, next > now ? next - now : 0);
    }
    return SR_OK;
}

int sr_bench_rtc_run(sr_bench_rtc_t *r)
{
    const sr_bench_opts_t *o = r->c->opts;
    int rc = sr_udp_bind("0.0.0.0", 0, &r->udp); /* the kernel picks the source address */
    if (rc == SR_OK) {
        sr_bench_rtc_set_rcvbuf(r->udp, o->rcvbuf_bytes);
    }
    rc = rc ? rc : sr_dtls_new(sr_bench_rtc_cert, SR_DTLS_ROLE_CLIENT, &r->dtls);
    rc = rc ? rc : sr_dtls_set_remote_fingerprint(r->dtls, r->fingerprint);
    bool is_ice_done = false;
    sr_utime_t next_check = 0, last_heard = sr_time_mono_us();
    while (rc == SR_OK && (rc = sr_co_pull()) == SR_OK) {
        sr_utime_t now = sr_time_mono_us(), wait = 0;
        if (now - last_heard > o->timeout_us) {
            return sr_err_new(SR_ETIMEOUT, "no datagram from the server for %d ms", (int)(o->timeout_us / SR_UTIME_MS));
        }
        if ((rc = sr_bench_rtc_timers(r, is_ice_done, now, &next_check, &wait)) != SR_OK) {
            return rc;
        }
        size_t n = 0;
        sr_udp_peer_t from;
        rc = sr_udp_recvfrom(r->udp, sr_bench_scratch, SR_BENCH_RTC_UDP_MAX, &n, &from, SR_MAX(wait, SR_UTIME_MS));
        if (rc == -SR_ETIMEOUT) {
            sr_err_clear();
            rc = SR_OK;
            continue;
        }
        if (rc != SR_OK) {
            return rc;
        }
        last_heard = sr_time_mono_us();
        uint8_t *d = sr_bench_scratch;
        switch (sr_stun_demux(d, n)) {
        case SR_STUN_DEMUX_STUN: {
            bool was_done = is_ice_done;
            rc = sr_bench_rtc_on_stun(r, d, n, &from, &is_ice_done);
            next_check = was_done == is_ice_done ? next_check : last_heard + SR_BENCH_RTC_CONSENT_US;
            break;
        }
        case SR_STUN_DEMUX_DTLS:
            rc = is_ice_done ? sr_bench_rtc_on_dtls(r, d, n) : SR_OK;
            break;
        case SR_STUN_DEMUX_RTP:
            if (r->srtp && n >= 12 && r->hooks.on_packet) {
                r->hooks.on_packet(r->hooks.arg, d, n);
            }
            break;
        default:
            break;
        }
    }
    return rc;
}

int sr_bench_rtc_send(sr_bench_rtc_t *r, uint8_t *buf, size_t len, size_t cap, bool is_rtcp, size_t *sent_len)
{
    int rc = is_rtcp ? sr_srtp_protect_rtcp(r->srtp, buf, &len, cap) : sr_srtp_protect_rtp(r->srtp, buf, &len, cap);
    if (rc != SR_OK) {
        return sr_err_new(-rc, "protect %s", is_rtcp ? "RTCP" : "RTP");
    }
    if (sent_len) {
        *sent_len = len;
    }
    return sr_udp_sendto(r->udp, buf, len, &r->peer, r->c->opts->timeout_us);
}

int sr_bench_rtc_resend(sr_bench_rtc_t *r, const uint8_t *buf, size_t len)
{
    return sr_udp_sendto_now(r->udp, buf, len, &r->peer);
}

void sr_bench_rtc_deinit(sr_bench_rtc_t *r)
{
    if (r->dtls && r->udp) {
        sr_dtls_close(r->dtls);
        sr_bench_rtc_flush(r);
    }
    sr_srtp_free(r->srtp);
    sr_dtls_free(r->dtls);
    sr_sock_close(r->udp);
    r->srtp = NULL;
    r->dtls = NULL;
    r->udp = NULL;
}
