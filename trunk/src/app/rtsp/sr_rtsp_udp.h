/* SPDX-License-Identifier: MIT */
/*
 * sr_rtsp_udp.h: RTSP's UDP transport: one RTP and one RTCP socket for every session
 * (rtsp_server rtp_port/rtcp_port), as MediaMTX does, instead of a port pair per
 * session. A datagram is handed to the session that registered its sender's
 * address:port at SETUP; others are dropped and counted. Handlers run in the
 * listener's coroutine and must not yield.
 */
#ifndef SR_RTSP_UDP_H
#define SR_RTSP_UDP_H

#include "sr_core.h"
#include "sr_listener.h"
#include "sr_st.h"

SR_BEGIN_DECLS

extern const sr_listen_proto_t sr_rtsp_rtp_listen_proto;
extern const sr_listen_proto_t sr_rtsp_rtcp_listen_proto;

/* A datagram from a registered peer: its track and whether it came to the RTCP port. */
typedef void (*sr_rtsp_udp_fn)(void *owner, int track, bool is_rtcp, const uint8_t *data, size_t len);

/* Hand datagrams from peer (to the RTCP port when is_rtcp) to fn(owner, track, ...).
 * A peer registered again is taken over. */
void sr_rtsp_udp_register(const sr_udp_peer_t *peer, bool is_rtcp, sr_rtsp_udp_fn fn, void *owner, int track);
/* Forget every peer of owner. */
void sr_rtsp_udp_unregister(void *owner);
/* Whether both sockets are open (UDP transport can be offered). */
bool sr_rtsp_udp_is_ready(void);
/* The local ports of the RTP and RTCP sockets (0 when closed). */
int sr_rtsp_udp_port(bool is_rtcp);
/* Send one datagram from the RTP or RTCP socket to peer, without yielding (a full
 * socket buffer drops it). */
int sr_rtsp_udp_send(bool is_rtcp, const void *data, size_t len, const sr_udp_peer_t *to);

SR_END_DECLS

#endif
