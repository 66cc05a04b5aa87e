/* SPDX-License-Identifier: MIT */
/*
 * sr_bench_rtc.h: one WebRTC transport of strand_bench, shared by the WHEP player
 * (sr_bench_whep_play.c) and the WHIP publisher (sr_bench_whip_publish.c): the offer
 * POSTed over HTTP, ICE as the controlling agent (USE-CANDIDATE on the answer's first
 * candidate), the DTLS client handshake, SRTP keyed from its exporter, and consent
 * checks every SR_BENCH_RTC_CONSENT_US, all on one UDP socket read by one loop. What the
 * loop receives once SRTP is keyed, and what is due to be sent, belong to the mode's
 * hooks.
 *
 * Not for: TURN, trickle ICE, more than the first candidate, renegotiation.
 */
#ifndef SR_BENCH_RTC_H
#define SR_BENCH_RTC_H

#include "sr_bench.h"
#include "sr_dtls.h"
#include "sr_srtp.h"
#include "sr_stun.h"

SR_BEGIN_DECLS

#define SR_BENCH_RTC_CONSENT_US (2 * SR_UTIME_S)
#define SR_BENCH_RTC_UDP_MAX 2048

/* What a session does with its media. arg is the mode's; every hook may be NULL. */
typedef struct sr_bench_rtc_hooks {
    void *arg;
    /* An RTP or RTCP datagram (RFC 5761 4 tells them apart), still protected, in a
     * buffer the hook may modify (unprotect in place) until it returns. */
    void (*on_packet)(void *arg, uint8_t *data, size_t size);
    /* Called each loop turn once SRTP is keyed: send what is due at now and return
     * when the next thing is due (monotonic), or an error to end the session. May yield. */
    int (*on_tick)(void *arg, sr_utime_t now, sr_utime_t *next_us);
} sr_bench_rtc_hooks_t;

/* One session. Caller storage: sr_bench_rtc_init, negotiate, run, sr_bench_rtc_deinit. */
typedef struct sr_bench_rtc {
    sr_bench_conn_t *c;
    sr_bench_rtc_hooks_t hooks;
    sr_sock_t *udp;
    sr_udp_peer_t peer;
    char local_ufrag[16], local_pwd[40];
    char remote_ufrag[256], remote_pwd[256], fingerprint[256];
    char username[SR_STUN_USERNAME_MAX + 1];
    int video_pt, audio_pt; /* the answer's first payload type of each section, -1 if none */
    uint64_t tie_breaker;
    sr_dtls_t *dtls;
    sr_srtp_t *srtp; /* set once the DTLS handshake is done */
} sr_bench_rtc_t;

/* Generate the DTLS certificate every session shares, before the sessions start, so
 * that no session's handshake time includes it. Returns SR_OK or -SR_EDTLS. */
int sr_bench_rtc_load(void);
/* Get a session of connection c ready: credentials, the shared DTLS certificate
 * (generated here if sr_bench_rtc_load was not called). Returns SR_OK or the
 * certificate's error. */
int sr_bench_rtc_init(sr_bench_rtc_t *r, sr_bench_conn_t *c, const sr_bench_rtc_hooks_t *hooks);
/* POST an H.264 + Opus offer (BUNDLE, rtcp-mux, a=setup:active) in direction
 * ("recvonly" or "sendonly", with a=ssrc lines for audio_ssrc and video_ssrc when not
 * 0) to url and read the answer: ICE credentials, fingerprint, the first candidate and
 * payload types. -SR_EHTTP_CLIENT when the answer is not 201, -SR_EFORMAT when it
 * lacks what the session needs, or the HTTP client's error. May yield. */
int sr_bench_rtc_negotiate(sr_bench_rtc_t *r, const char *url, const char *direction, uint32_t audio_ssrc,
                           uint32_t video_ssrc);
/* Bind the socket (receive buffer opts->rcvbuf_bytes), run ICE and DTLS, then media
 * through the hooks until the run stops it (-SR_EINTERRUPTED), the server stays
 * silent for opts->timeout_us (-SR_ETIMEOUT), or a hook or the socket fails. Sets
 * c->connected_us when SRTP is keyed. May yield. */
int sr_bench_rtc_run(sr_bench_rtc_t *r);
/* Protect the RTP (is_rtcp false) or RTCP packet buf[0..len) in place (cap leaves
 * SR_SRTP_MAX_TRAILER past it) and send it; *sent_len is the protected length (NULL:
 * not wanted). Only after SRTP is keyed. May yield. */
int sr_bench_rtc_send(sr_bench_rtc_t *r, uint8_t *buf, size_t len, size_t cap, bool is_rtcp, size_t *sent_len);
/* Send an already protected datagram again (a NACKed packet: identical bytes), without
 * yielding: a full socket buffer drops it (-SR_ESOCKET_WRITE). */
int sr_bench_rtc_resend(sr_bench_rtc_t *r, const uint8_t *buf, size_t len);
/* Close DTLS (its alert is sent), free the session's state and close the socket. */
void sr_bench_rtc_deinit(sr_bench_rtc_t *r);

/* Ask for a receive buffer of bytes on sock (SO_RCVBUFFORCE, which root may use past
 * net.core.rmem_max, else SO_RCVBUF); 0 leaves the kernel's default. Best effort. */
void sr_bench_rtc_set_rcvbuf(sr_sock_t *sock, int bytes);

SR_END_DECLS

#endif
