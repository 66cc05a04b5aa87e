/* SPDX-License-Identifier: MIT */
/*
 * sr_bench_whep_play.c: the WebRTC player of strand_bench (WHEP). Each session POSTs a
 * recvonly H.264 + Opus offer (BUNDLE, rtcp-mux, a=setup:active), reads the answer's
 * candidate, ICE credentials and fingerprint, nominates the pair as the controlling
 * agent on its own UDP socket, runs the DTLS client handshake, keys SRTP from the
 * exporter and then unprotects RTP. Video goes through the server's own H.264
 * depacketizer so frames are counted as for the RTSP player; audio packets are
 * counted. A Binding request every SR_BENCH_WHEP_CONSENT_US keeps the server's consent.
 *
 * Not for: TURN, trickle ICE, more than the first candidate, sending media or RTCP.
 */
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_bench.h"
#include "sr_bench_sdp.h"
#include "sr_bytes.h"
#include "sr_dtls.h"
#include "sr_error.h"
#include "sr_http.h"
#include "sr_rtp.h"
#include "sr_rtp_nal.h"
#include "sr_srtp.h"
#include "sr_stun.h"

#define SR_BENCH_WHEP_CONSENT_US (2 * SR_UTIME_S)
#define SR_BENCH_WHEP_STUN_RETRY_US (200 * SR_UTIME_MS)
#define SR_BENCH_WHEP_UDP_MAX 2048

/* One certificate for every session: generating a key per session costs more than
 * the bench wants to measure, and the server does not care. */
static sr_dtls_cert_t *sr_bench_whep_cert;

typedef struct sr_bench_whep {
    sr_bench_conn_t *c;
    sr_sock_t *udp;
    sr_udp_peer_t peer;
    char local_ufrag[16], local_pwd[40];
    char remote_ufrag[256], remote_pwd[256], fingerprint[256];
    char username[SR_STUN_USERNAME_MAX + 1];
    int video_pt, audio_pt; /* the answer's first payload type of each section, -1 if none */
    uint64_t tie_breaker;
    sr_dtls_t *dtls;
    sr_srtp_t *srtp;
    sr_rtp_nal_depack_t *h264;
    bool has_seq;
    uint16_t last_seq;
} sr_bench_whep_t;

static void sr_bench_whep_random_text(char *out, size_t len)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    uint8_t r[64];
    RAND_bytes(r, (int)len);
    for (size_t i = 0; i < len; i++) {
        out[i] = alphabet[r[i] % (sizeof(alphabet) - 1)];
    }
    out[len] = '\0';
}

static void sr_bench_whep_on_frame(void *arg, const sr_rtp_nal_frame_t *f)
{
    sr_bench_whep_t *w = arg;
    sr_bench_stats_h264_frame(w->c, f->is_keyframe, f->data, f->size, f->rtp_ts);
}

/* POST the offer and take what the session needs from the answer. */
static int sr_bench_whep_negotiate(sr_bench_whep_t *w)
{
    const sr_bench_opts_t *o = w->c->opts;
    sr_buf_t offer, answer;
    sr_buf_init(&offer);
    sr_buf_init(&answer);
    sr_buf_printf(&offer,
                  "v=0\r\no=- %d 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
                  "a=msid-semantic: WMS\r\n",
                  w->c->index + 1);
    static const char *const media[2] = {
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n",
        "m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=rtpmap:102 H264/90000\r\na=rtcp-fb:102 nack\r\n"
        "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n",
    };
    for (int i = 0; i < 2; i++) {
        sr_buf_put_str(&offer, media[i]);
        sr_buf_printf(&offer,
                      "c=IN IP4 0.0.0.0\r\na=mid:%d\r\na=recvonly\r\na=rtcp-mux\r\na=ice-ufrag:%s\r\na=ice-pwd:%s\r\n"
                      "a=fingerprint:%s\r\na=setup:active\r\n",
                      i, w->local_ufrag, w->local_pwd, sr_dtls_cert_fingerprint(sr_bench_whep_cert));
    }
    int status = 0;
    int rc = sr_http_client_request("POST", o->url, "application/sdp", offer.data, offer.len, o->timeout_us, &status,
                                    &answer);
    sr_buf_put_u8(&answer, 0);
    const char *sdp = (const char *)answer.data;
    char cand[512], ip[64];
    int port = 0;
    if (rc == SR_OK && status != 201) {
        rc = sr_err_new(SR_EHTTP_CLIENT, "WHEP answered %d: %.200s", status, sdp);
    }
    if (rc == SR_OK && (!sr_bench_sdp_attr(sdp, "ice-ufrag", w->remote_ufrag, sizeof(w->remote_ufrag)) ||
                        !sr_bench_sdp_attr(sdp, "ice-pwd", w->remote_pwd, sizeof(w->remote_pwd)) ||
                        !sr_bench_sdp_attr(sdp, "fingerprint", w->fingerprint, sizeof(w->fingerprint)) ||
                        !sr_bench_sdp_attr(sdp, "candidate", cand, sizeof(cand)) ||
                        sscanf(cand, "%*s %*s %*s %*s %63s %d", ip, &port) != 2)) {
        rc = sr_err_new(SR_EFORMAT, "the WHEP answer has no ICE credentials, fingerprint or candidate");
    }
    const char *mv = rc == SR_OK ? strstr(sdp, "m=video ") : NULL;
    const char *ma = rc == SR_OK ? strstr(sdp, "m=audio ") : NULL;
    w->video_pt = w->audio_pt = -1;
    if (mv) {
        sscanf(mv, "m=video %*d %*s %d", &w->video_pt);
    }
    if (ma) {
        sscanf(ma, "m=audio %*d %*s %d", &w->audio_pt);
    }
    if (rc == SR_OK) {
        rc = sr_udp_peer_make(ip, port, &w->peer);
    }
    snprintf(w->username, sizeof(w->username), "%s:%s", w->remote_ufrag, w->local_ufrag);
    sr_buf_deinit(&offer);
    sr_buf_deinit(&answer);
    return rc;
}

static int sr_bench_whep_send_check(sr_bench_whep_t *w)
{
    sr_stun_request_t req;
    memset(&req, 0, sizeof(req));
    RAND_bytes(req.txid, sizeof(req.txid));
    req.username = w->username;
    req.priority = 0x7e7fffff; /* host candidate priority (RFC 8445 5.1.2.1), one component */
    req.ice_controlling = true;
    req.tie_breaker = w->tie_breaker;
    req.use_candidate = true;
    uint8_t out[SR_STUN_WRITE_MAX_BYTES];
    size_t len = 0;
    int rc = sr_stun_write_binding_request(out, sizeof(out), &len, &req, w->remote_pwd);
    return rc ? rc : sr_udp_sendto(w->udp, out, len, &w->peer, w->c->opts->timeout_us);
}

/* Send what DTLS has queued. */
static int sr_bench_whep_flush(sr_bench_whep_t *w)
{
    uint8_t out[SR_DTLS_MTU];
    size_t len = 0;
    while (sr_dtls_take(w->dtls, out, sizeof(out), &len)) {
        int rc = sr_udp_sendto(w->udp, out, len, &w->peer, w->c->opts->timeout_us);
        if (rc != SR_OK) {
            return rc;
        }
    }
    return SR_OK;
}

/* Answer a Binding request from the server (it may check the pair too). */
static void sr_bench_whep_on_stun(sr_bench_whep_t *w, const uint8_t *data, size_t n, const sr_udp_peer_t *from)
{
    sr_stun_msg_t m;
    if (sr_stun_parse(data, n, &m) != SR_OK || m.type != SR_STUN_BINDING_REQUEST ||
        sr_stun_verify(data, n, w->local_pwd) != SR_OK) {
        return;
    }
    uint8_t out[SR_STUN_WRITE_MAX_BYTES];
    size_t len = 0;
    if (sr_stun_write_binding_success(out, sizeof(out), &len, m.txid, (const struct sockaddr *)&from->addr,
                                      w->local_pwd) == SR_OK) {
        sr_udp_sendto_now(w->udp, out, len, &w->peer);
    }
}

static void sr_bench_whep_on_rtp(sr_bench_whep_t *w, uint8_t *data, size_t n)
{
    uint8_t pt = data[1] & 0x7f;
    if (pt >= 64 && pt <= 95) {
        return; /* RTCP (RFC 5761 4): not counted */
    }
    if (sr_srtp_unprotect_rtp(w->srtp, data, &n) != SR_OK) {
        return;
    }
    sr_rtp_packet_t pkt;
    if (sr_rtp_parse(data, n, &pkt) != SR_OK) {
        return;
    }
    w->c->bytes += pkt.payload_size;
    if (pkt.pt == w->video_pt) {
        if (w->has_seq && pkt.seq != (uint16_t)(w->last_seq + 1) && (int16_t)(pkt.seq - w->last_seq) > 0) {
            w->c->lost += (uint16_t)(pkt.seq - w->last_seq - 1);
        }
        if (!w->has_seq || (int16_t)(pkt.seq - w->last_seq) > 0) {
            w->last_seq = pkt.seq;
        }
        w->has_seq = true;
        sr_rtp_nal_depack_push(w->h264, &pkt, (int64_t)sr_time_mono_us());
    } else if (pkt.pt == w->audio_pt) {
        sr_bench_stats_media(w->c, 8, pkt.ts, NULL, 0);
    }
}

/* ICE, DTLS, then media until the run ends. One loop: every datagram is demultiplexed
 * by its first byte (RFC 7983) and the timers (STUN checks and consent, DTLS
 * retransmission) run off the receive timeout. */
static int sr_bench_whep_run(sr_bench_whep_t *w)
{
    const sr_bench_opts_t *o = w->c->opts;
    int rc = sr_udp_bind("0.0.0.0", 0, &w->udp); /* the kernel picks the source address */
    rc = rc ? rc : sr_dtls_new(sr_bench_whep_cert, SR_DTLS_ROLE_CLIENT, &w->dtls);
    rc = rc ? rc : sr_dtls_set_remote_fingerprint(w->dtls, w->fingerprint);
    bool is_ice_done = false;
    sr_utime_t next_check = 0, last_heard = sr_time_mono_us();
    while (rc == SR_OK && (rc = sr_co_pull()) == SR_OK) {
        sr_utime_t now = sr_time_mono_us();
        if (now - last_heard > o->timeout_us) {
            return sr_err_new(SR_ETIMEOUT, "no datagram from the server for %d ms", (int)(o->timeout_us / SR_UTIME_MS));
        }
        if (now >= next_check) {
            if ((rc = sr_bench_whep_send_check(w)) != SR_OK) {
                return rc;
            }
            next_check = now + (is_ice_done ? SR_BENCH_WHEP_CONSENT_US : SR_BENCH_WHEP_STUN_RETRY_US);
        }
        sr_utime_t wait = next_check - now;
        if (is_ice_done && !w->srtp) {
            if (sr_dtls_timeout_us(w->dtls) == 0 &&
                ((rc = sr_dtls_on_timeout(w->dtls)) != SR_OK || (rc = sr_bench_whep_flush(w)) != SR_OK)) {
                return rc;
            }
            wait = SR_MIN(wait, sr_dtls_timeout_us(w->dtls));
        }
        size_t n = 0;
        sr_udp_peer_t from;
        rc = sr_udp_recvfrom(w->udp, sr_bench_scratch, SR_BENCH_WHEP_UDP_MAX, &n, &from, SR_MAX(wait, SR_UTIME_MS));
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
            sr_stun_msg_t m;
            if (sr_stun_parse(d, n, &m) == SR_OK && m.type == SR_STUN_BINDING_SUCCESS) {
                if (!is_ice_done) {
                    is_ice_done = true;
                    next_check = last_heard + SR_BENCH_WHEP_CONSENT_US;
                    rc = sr_dtls_start(w->dtls);
                    rc = rc ? rc : sr_bench_whep_flush(w);
                }
            } else {
                sr_bench_whep_on_stun(w, d, n, &from);
            }
            break;
        }
        case SR_STUN_DEMUX_DTLS:
            if (is_ice_done) {
                rc = sr_dtls_feed(w->dtls, d, n);
                int frc = sr_bench_whep_flush(w);
                rc = rc ? rc : frc;
                if (rc == SR_OK && !w->srtp && sr_dtls_is_connected(w->dtls)) {
                    sr_srtp_keys_t keys;
                    rc = sr_dtls_srtp_keys(w->dtls, &keys);
                    rc = rc ? rc : sr_srtp_new(&keys, &w->srtp);
                }
            }
            break;
        case SR_STUN_DEMUX_RTP:
            if (w->srtp && n >= 12) {
                sr_bench_whep_on_rtp(w, d, n);
            }
            break;
        default:
            break;
        }
    }
    return rc;
}

void sr_bench_whep_play_cycle(void *arg)
{
    sr_bench_conn_t *c = arg;
    sr_bench_whep_t w;
    memset(&w, 0, sizeof(w));
    w.c = c;
    sr_bench_whep_random_text(w.local_ufrag, 8);
    sr_bench_whep_random_text(w.local_pwd, 24);
    RAND_bytes((uint8_t *)&w.tie_breaker, sizeof(w.tie_breaker));
    w.h264 = sr_rtp_nal_depack_new(SR_CODEC_H264, 64, 0, sr_bench_whep_on_frame, &w);
    int rc = SR_OK;
    if (!sr_bench_whep_cert) {
        rc = sr_dtls_cert_generate(&sr_bench_whep_cert);
    }
    rc = rc ? rc : sr_bench_whep_negotiate(&w);
    rc = rc ? rc : sr_bench_whep_run(&w);
    sr_bench_conn_end(c, rc);
    if (w.dtls) {
        sr_dtls_close(w.dtls);
        sr_bench_whep_flush(&w);
    }
    sr_srtp_free(w.srtp);
    sr_dtls_free(w.dtls);
    sr_rtp_nal_depack_free(w.h264);
    sr_sock_close(w.udp);
}
