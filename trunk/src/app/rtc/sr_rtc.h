/* SPDX-License-Identifier: MIT */
/*
 * sr_rtc.h: WebRTC's public face: the rtc_server UDP listener and the WHIP/WHEP HTTP
 * endpoints (SRS's /rtc/v1/whip/ and /rtc/v1/whep/, on the http_api and http_server
 * ports). The rest of app/rtc is behind sr_rtc_session.h.
 */
#ifndef SR_RTC_H
#define SR_RTC_H

#include "sr_core.h"
#include "sr_http_conn.h"
#include "sr_listener.h"

SR_BEGIN_DECLS

/* The rtc_server listener: its UDP address, when enabled. */
extern const sr_listen_proto_t sr_rtc_listen_proto;
/* rtc_server tcp { }: ICE-TCP connections (RFC 6544 passive candidates, RFC 4571 framing). */
extern const sr_listen_proto_t sr_rtc_tcp_listen_proto;

/* Counters of the rtc listener since start (the exporter's strand_rtc_* series). */
typedef struct sr_rtc_stats {
    uint64_t sessions;      /* WHIP and WHEP sessions started */
    uint64_t connected;     /* of those, the ones whose ICE and DTLS completed */
    uint64_t stun_refused;  /* binding requests for no session, or failing the integrity check */
    uint64_t unclaimed;     /* datagrams from an address no session has */
    uint64_t tcp_dropped;   /* packets not sent because an ICE-TCP connection was that far behind */
    uint64_t srtp_refused;  /* SRTP/SRTCP packets that failed authentication or replayed */
    uint64_t retransmitted; /* RTP packets sent again for players' NACKs */
} sr_rtc_stats_t;
const sr_rtc_stats_t *sr_rtc_stats(void);

/* POST (offer), DELETE (end) and OPTIONS (CORS preflight) of /rtc/v1/whip/ and
 * /rtc/v1/whep/ (and SRS's /rtc/v1/whip-play/ alias of WHEP). -SR_ENOT_FOUND without
 * answering for other paths. May yield. */
int sr_rtc_http_serve(sr_http_ctx_t *ctx);

SR_END_DECLS

#endif
