/* SPDX-License-Identifier: MIT */
/*
 * sr_rtsp.h: the RTSP server (ours; SRS has none): rtsp_server { } listens on TCP
 * for RTSP 1.0 (RFC 2326) and on two UDP ports for RTP and RTCP (sr_rtsp_udp.h).
 * Publishers ANNOUNCE and RECORD, players DESCRIBE and PLAY
 * rtsp://HOST:8554/APP/STREAM[?vhost=V&PARAMS], over TCP interleaved or UDP; either
 * way the stream is a source like any other.
 */
#ifndef SR_RTSP_H
#define SR_RTSP_H

#include "sr_listener.h"
#include "sr_rtsp_udp.h"

SR_BEGIN_DECLS

extern const sr_listen_proto_t sr_rtsp_listen_proto;

SR_END_DECLS

#endif
