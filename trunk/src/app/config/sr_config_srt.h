/* SPDX-License-Identifier: MIT */
/*
 * sr_config_srt.h: srt_server { } (global) and vhost srt { } resolved into plain structs,
 * with SRS's defaults and file:line on bad values.
 */
#ifndef SR_CONFIG_SRT_H
#define SR_CONFIG_SRT_H

#include "sr_config.h"
#include "sr_config_http.h"
#include "sr_core.h"
#include "sr_srt.h"

SR_BEGIN_DECLS

typedef struct sr_srt_server_config {
    bool is_enabled;
    sr_listen_addr_t addr; /* listen, 10080 */
    char default_app[256]; /* for stream ids without an app, "live" */
    sr_srt_opts_t opts;    /* the listener's socket options, inherited by its connections */
} sr_srt_server_config_t;

typedef struct sr_srt_vhost_config {
    bool is_enabled;     /* srt { enabled }: SRT may publish and play this vhost's streams */
    bool is_srt_to_rtmp; /* srt_to_rtmp: SRT streams reach RTMP/HTTP-FLV/HLS players (on) */
} sr_srt_vhost_config_t;

int sr_config_srt_resolve_server(const sr_conf_t *root, sr_srt_server_config_t *out);
/* vhost may be NULL: srt off. */
int sr_config_srt_resolve_vhost(const sr_conf_t *vhost, sr_srt_vhost_config_t *out);

SR_END_DECLS

#endif
