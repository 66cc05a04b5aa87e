/* SPDX-License-Identifier: MIT */
/*
 * sr_rtc_session.h: one WebRTC session (a WHIP publish or a WHEP play) from the HTTP
 * offer to its end. The HTTP handler (sr_rtc_http.c) negotiates the offer
 * (sr_rtc_negotiate.c) and creates the session; the hub (sr_rtc_hub.c) owns the one UDP
 * socket and hands the session its datagrams (or the packets of an ICE-TCP connection,
 * sr_rtc_tcp.c, when the peer chose one): STUN (ICE-lite: we answer, never ask),
 * then DTLS, then SRTP/SRTCP. The session's coroutine runs the timers (DTLS
 * retransmission, consent: no STUN for rtc.stun_timeout ends it) and, for a player,
 * the consumer loop (sr_rtc_play.c); a publisher's media is handled as it arrives
 * (sr_rtc_publish.c), in the hub's coroutine, without yielding.
 */
#ifndef SR_RTC_SESSION_H
#define SR_RTC_SESSION_H

#include "sr_codec_id.h"
#include "sr_config_server.h"
#include "sr_core.h"
#include "sr_io.h"
#include "sr_request.h"
#include "sr_server.h"
#include "sr_session.h"
#include "sr_st.h"

SR_BEGIN_DECLS

struct sr_dtls;
struct sr_srtp;
struct sr_rtc_play;
struct sr_rtc_publish;
struct sr_rtc_tcp;

#define SR_RTC_UFRAG_LEN 8 /* ours: 8 characters of [a-z0-9] */
#define SR_RTC_PWD_LEN 32  /* ours: 32 (ICE asks for at least 22) */
#define SR_RTC_MID_MAX 32
#define SR_RTC_MTU 1200             /* the largest RTP packet we send, before the SRTP tag */
#define SR_RTC_OUR_SSRC 0x5354524eu /* "STRN": the sender SSRC of our RTCP to publishers */

/* One negotiated media track. */
typedef struct sr_rtc_track {
    sr_codec_id_t codec; /* SR_CODEC_H264 or SR_CODEC_OPUS; NONE: no such track */
    uint8_t pt;          /* payload type both sides use */
    uint32_t clock;      /* 90000 or 48000 */
    uint32_t ssrc;       /* a player's: ours; a publisher's: from the offer, else the first packet's */
    uint8_t channels;    /* Opus: 2 */
    uint8_t twcc_ext;    /* transport-wide-cc header extension id, 0: not negotiated */
    char mid[SR_RTC_MID_MAX + 1];
} sr_rtc_track_t;

typedef enum sr_rtc_state {
    SR_RTC_WAIT_ICE,  /* answer sent, no STUN yet */
    SR_RTC_WAIT_DTLS, /* a valid binding request came: its address is the peer */
    SR_RTC_CONNECTED, /* SRTP keys derived: media flows */
    SR_RTC_CLOSED,
} sr_rtc_state_t;

/* How the begin went, for the HTTP handler that waits for it. */
typedef struct sr_rtc_handoff {
    sr_cond_t *cond;
    bool is_done;
    int rc;
    char why[512];
} sr_rtc_handoff_t;

typedef struct sr_rtc_session {
    struct sr_rtc_session *next_all, *next_ufrag, *next_addr; /* the hub's lists */
    sr_server_t *server;
    char id[24]; /* the Location's session=ID */
    char local_ufrag[SR_RTC_UFRAG_LEN + 1];
    char local_pwd[SR_RTC_PWD_LEN + 1];
    char remote_ufrag[257];
    char remote_fingerprint[224]; /* "sha-256 AB:..." from the offer */
    bool is_publish;
    bool is_dtls_client; /* dtls_role active */
    sr_rtc_state_t state;
    sr_udp_peer_t peer; /* where media goes: the source of the last valid binding request */
    bool has_peer;
    struct sr_rtc_tcp *tcp; /* the ICE-TCP connection media goes over instead, when nominated */
    sr_utime_t last_stun_us;
    sr_utime_t created_us;
    struct sr_dtls *dtls;
    struct sr_srtp *srtp;
    sr_rtc_track_t audio, video;
    sr_co_t *co;
    sr_cond_t *wake; /* DTLS done, a datagram for the timers, DELETE, a kick */
    bool is_stopping;
    const char *end_reason;    /* static: why it ended, for the log */
    sr_rtc_handoff_t *handoff; /* until the begin is done */
    sr_client_t client;
    sr_io_t io; /* byte counters only (the API's send_bytes/recv_bytes) */
    sr_request_t req;
    sr_vhost_config_t vhost; /* detached copy */
    struct sr_rtc_play *play;
    struct sr_rtc_publish *publish;
    /* counters for the log and the API */
    uint64_t rtp_in, rtp_out, rtcp_in, rtcp_out, srtp_errors, nacks_in, plis_in;
} sr_rtc_session_t;

/* ---- the hub (sr_rtc_hub.c) ---- */

/* The process's counters (sr_rtc.h), for the session code to add to. */
struct sr_rtc_stats *sr_rtc_stats_mut(void);

/* Whether the rtc listener is serving (WHIP/WHEP can make sessions). */
bool sr_rtc_hub_is_up(void);
/* The port the rtc listener is bound to. */
int sr_rtc_hub_port(void);
/* Register s (its local ufrag) so that STUN finds it. */
void sr_rtc_hub_add(sr_rtc_session_t *s);
/* Forget s (ufrag and peer address). */
void sr_rtc_hub_remove(sr_rtc_session_t *s);
/* The live session with this id, or NULL. */
sr_rtc_session_t *sr_rtc_hub_find(const char *id);
/* Send one datagram to s's peer (an error before ICE found it), without yielding: a
 * full socket buffer drops it, as a congested network would. Counts the bytes. */
int sr_rtc_hub_send(sr_rtc_session_t *s, const void *data, size_t len);
/* Queue one datagram to s's peer (an error before ICE found it) in the hub's send
 * batch, which sr_rtc_hub_flush sends with as few syscalls as it can (sr_udp_batch.h);
 * over ICE-TCP, in its connection's queue (sr_rtc_tcp_send).
 * Flush before yielding: a batch left behind goes out only with someone's next flush.
 * Never yields; a full socket buffer drops at the flush. Counts the bytes sent. */
int sr_rtc_hub_queue(sr_rtc_session_t *s, const void *data, size_t len);
/* Send what every session queued. Never yields. */
void sr_rtc_hub_flush(void);
/* Ask the WHIP publisher of source, if it has one, for a keyframe (a player's PLI). */
void sr_rtc_hub_request_keyframe(const struct sr_source *source);
/* Map s's peer address to s (after a binding request from a new address). */
void sr_rtc_hub_set_peer(sr_rtc_session_t *s, const sr_udp_peer_t *peer);
/* A STUN message that came over ICE-TCP connection t from peer: answered over t when it
 * is a binding request that passes the checks. Returns its session (t then carries that
 * session's media once nominated), or NULL. Never yields. */
sr_rtc_session_t *sr_rtc_hub_on_tcp_stun(struct sr_rtc_tcp *t, uint8_t *data, size_t len, const sr_udp_peer_t *peer);

/* ---- ICE-TCP (sr_rtc_tcp.c) ---- */

/* Queue one packet on t, framed (RFC 4571), without yielding: a connection that far
 * behind drops it, as a full UDP buffer would. */
int sr_rtc_tcp_send(struct sr_rtc_tcp *t, const void *data, size_t len);
/* The session that t carried ends, or moved to another path: t closes. Never yields. */
void sr_rtc_tcp_detach(struct sr_rtc_tcp *t);
/* The DTLS certificate's fingerprint ("sha-256 AB:..."), NULL when none could be made. */
const char *sr_rtc_hub_fingerprint(void);
struct sr_dtls_cert;
const struct sr_dtls_cert *sr_rtc_hub_cert(void);

/* ---- the session (sr_rtc_session.c) ---- */

/* A session for req on v (detached copy taken), with fresh ICE credentials. The caller
 * fills the tracks and remote_ufrag, then starts it. */
sr_rtc_session_t *sr_rtc_session_new(sr_server_t *server, bool is_publish, const sr_request_t *req,
                                     const sr_vhost_config_t *v, const char *ip);
/* Start s: its coroutine begins the publish or play (hooks), registers with the hub
 * and runs; this waits for the begin. On error s is freed, the error returned and why
 * says it (-SR_ESTREAM_BUSY, a hook's refusal, DTLS setup). Build the answer before:
 * once this returns, s belongs to its coroutine. May yield. */
int sr_rtc_session_start(sr_rtc_session_t *s, char *why, size_t why_size);
/* Why the session must end now (a stop, consent gone, ICE/DTLS never done), or NULL;
 * the reason also stops it. */
const char *sr_rtc_session_check(sr_rtc_session_t *s);
/* A random non-zero SSRC. */
uint32_t sr_rtc_session_random_ssrc(void);
/* Free a session that was never started. */
void sr_rtc_session_free(sr_rtc_session_t *s);
/* End it (DELETE, a reload, the server's stop): the coroutine ends and frees it. */
void sr_rtc_session_stop(sr_rtc_session_t *s, const char *reason);
/* A datagram from s's peer that is not STUN (DTLS, RTP, RTCP). Never yields except to
 * send DTLS answers. */
void sr_rtc_session_on_datagram(sr_rtc_session_t *s, uint8_t *data, size_t len);
/* A binding request that passed the integrity check, from peer. */
void sr_rtc_session_on_binding(sr_rtc_session_t *s, const sr_udp_peer_t *peer);
/* Protect and send one RTP (is_rtcp false) or RTCP packet held in buf (len bytes, room
 * for the SRTP trailer up to cap). Never yields. */
int sr_rtc_session_send_srtp(sr_rtc_session_t *s, uint8_t *buf, size_t len, size_t cap, bool is_rtcp);
/* Like sr_rtc_session_send_srtp, but queued in the hub's send batch (sr_rtc_hub_queue):
 * the caller flushes (sr_rtc_hub_flush) before it yields. Never yields. */
int sr_rtc_session_queue_srtp(sr_rtc_session_t *s, uint8_t *buf, size_t len, size_t cap, bool is_rtcp);

/* ---- the player (sr_rtc_play.c) ---- */

/* Begin the play (hooks). In the session's coroutine. May yield. */
int sr_rtc_play_begin(sr_rtc_session_t *s);
/* Once SRTP is ready: attach the consumer and send until the session stops. */
int sr_rtc_play_run(sr_rtc_session_t *s);
/* RTCP from the player: NACK (retransmit), PLI/FIR, RR. Never yields. */
void sr_rtc_play_on_rtcp(sr_rtc_session_t *s, const uint8_t *data, size_t len);
/* Wake the send loop (the session is stopping). */
void sr_rtc_play_wake(sr_rtc_session_t *s);
/* End the play (after a successful begin). */
void sr_rtc_play_end(sr_rtc_session_t *s);

/* ---- the publisher (sr_rtc_publish.c) ---- */

/* Begin the publish (busy check, hooks, sinks) and prepare the depacketizers. In the
 * session's coroutine. May yield. */
int sr_rtc_publish_begin(sr_rtc_session_t *s);
/* One decrypted RTP packet. Never yields. */
void sr_rtc_publish_on_rtp(sr_rtc_session_t *s, const uint8_t *data, size_t len);
/* One decrypted RTCP compound packet. Never yields. */
void sr_rtc_publish_on_rtcp(sr_rtc_session_t *s, const uint8_t *data, size_t len);
/* The periodic part, in the session's coroutine: RR, NACK, PLI, TWCC feedback. */
void sr_rtc_publish_tick(sr_rtc_session_t *s);
/* Whether s publishes source. */
bool sr_rtc_publish_is_of(const sr_rtc_session_t *s, const struct sr_source *source);
/* Ask the publisher for a keyframe at the next tick (rate-limited). */
void sr_rtc_publish_want_keyframe(sr_rtc_session_t *s);
/* -SR_EKICKED when kickoff_for_idle says so. */
int sr_rtc_publish_check_idle(sr_rtc_session_t *s);
/* End the publish (after a successful begin): the sinks write what they have. */
void sr_rtc_publish_end(sr_rtc_session_t *s);

SR_END_DECLS

#endif
