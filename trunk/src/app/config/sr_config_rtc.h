/* SPDX-License-Identifier: MIT */
/*
 * sr_config_rtc.h: rtc_server { } (global) and vhost rtc { } resolved into plain structs,
 * with SRS's defaults and file:line on bad values.
 */
#ifndef SR_CONFIG_RTC_H
#define SR_CONFIG_RTC_H

#include "sr_config.h"
#include "sr_config_http.h"
#include "sr_core.h"

SR_BEGIN_DECLS

typedef struct sr_rtc_server_config {
    bool is_enabled;
    sr_listen_addr_t addr;     /* listen, 8000/udp */
    char candidate[256];       /* the address players are told to send to; "*": every local one */
    bool is_api_as_candidates; /* also the IP the WHIP/WHEP request was sent to (on) */
    char cert_path[1024];      /* ours: a DTLS certificate and key; empty: one made at start */
    char key_path[1024];
    bool is_tcp_enabled;       /* tcp { enabled }: ICE-TCP (RFC 6544, passive) on tcp_addr */
    sr_listen_addr_t tcp_addr; /* tcp { listen }, 8000/tcp */
    bool is_udp_candidates;    /* protocol udp or all: offer the UDP port (udp) */
    bool is_tcp_candidates;    /* protocol tcp or all: offer the TCP port */
} sr_rtc_server_config_t;

typedef struct sr_rtc_vhost_config {
    bool is_enabled;         /* rtc { enabled }: WHIP and WHEP may use this vhost */
    bool is_rtmp_to_rtc;     /* streams published over RTMP, SRT, ... reach WebRTC players (off) */
    bool is_rtc_to_rtmp;     /* WHIP streams reach RTMP, HTTP-FLV, HLS, DVR (off) */
    bool is_nack;            /* answer players' NACKs, send NACKs for publishers' losses (on) */
    bool is_twcc;            /* transport-wide congestion control feedback (on) */
    bool is_dtls_active;     /* dtls_role active: we start the handshake (passive by default) */
    int stun_timeout_ms;     /* a session without a STUN binding this long ends (30 s) */
    int opus_bitrate;        /* AAC -> Opus for WebRTC players, bit/s (48000) */
    int aac_bitrate;         /* Opus -> AAC for RTMP/HLS, bit/s (48000) */
    int64_t pli_for_rtmp_us; /* ask a WHIP publisher for a keyframe this often when bridged (6 s) */
} sr_rtc_vhost_config_t;

int sr_config_rtc_resolve_server(const sr_conf_t *root, sr_rtc_server_config_t *out);
/* vhost may be NULL: rtc off. */
int sr_config_rtc_resolve_vhost(const sr_conf_t *vhost, sr_rtc_vhost_config_t *out);

SR_END_DECLS

#endif
