/* SPDX-License-Identifier: MIT */
/*
 * sr_config_rtsp.h: rtsp_server { } (ours; SRS has no RTSP server) resolved into a
 * plain struct with file:line on bad values.
 */
#ifndef SR_CONFIG_RTSP_H
#define SR_CONFIG_RTSP_H

#include "sr_config.h"
#include "sr_config_http.h"
#include "sr_core.h"

SR_BEGIN_DECLS

typedef struct sr_rtsp_server_config {
    bool is_enabled;
    sr_listen_addr_t addr;      /* listen, 8554/tcp */
    sr_listen_addr_t rtp_addr;  /* rtp_port, 8554/udp: RTP of UDP publishers and players */
    sr_listen_addr_t rtcp_addr; /* rtcp_port, 8555/udp: their RTCP */
    int session_timeout_s;      /* a UDP session with no RTCP or request for this long ends (60) */
} sr_rtsp_server_config_t;

/* vhost rtsp_pull NAME { } (ours): a stream NAME in app whose source is a camera's
 * RTSP URL, pulled by our RTSP client. */
typedef struct sr_rtsp_pull_config {
    char stream[256];
    char app[256];     /* live */
    char url[1024];    /* rtsp://[user:pass@]host[:554]/path */
    bool is_udp;       /* transport udp; tcp (interleaved) by default */
    bool is_on_demand; /* on (default): pulled while the stream has players; off: always */
} sr_rtsp_pull_config_t;

#define SR_RTSP_MAX_PULLS 16

typedef struct sr_rtsp_vhost_config {
    sr_rtsp_pull_config_t pulls[SR_RTSP_MAX_PULLS]; /* the enabled ones */
    int pull_count;
} sr_rtsp_vhost_config_t;

int sr_config_rtsp_resolve_server(const sr_conf_t *root, sr_rtsp_server_config_t *out);
/* vhost may be NULL: no pulls. */
int sr_config_rtsp_resolve_vhost(const sr_conf_t *vhost, sr_rtsp_vhost_config_t *out);

SR_END_DECLS

#endif
