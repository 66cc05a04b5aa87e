/* SPDX-License-Identifier: MIT */
/*
 * sr_config_server.h: the parsed config resolved into plain structs: global settings
 * and one sr_vhost_config_t per vhost, with SRS's defaults and aliases applied and
 * every value validated (a bad value is refused with file:line). Per-packet code
 * never looks at the config tree; it copies what it needs from these structs at
 * publish/play time and on reload.
 */
#ifndef SR_CONFIG_SERVER_H
#define SR_CONFIG_SERVER_H

#include <stdio.h>

#include "sr_config.h"
#include "sr_config_access.h"
#include "sr_config_cluster.h"
#include "sr_config_http.h"
#include "sr_config_media.h"
#include "sr_config_process.h"
#include "sr_config_rtc.h"
#include "sr_config_rtsp.h"
#include "sr_config_srt.h"
#include "sr_core.h"

SR_BEGIN_DECLS

#define SR_CONFIG_MAX_LISTENS 16

typedef struct sr_vhost_config {
    char name[256];
    bool is_enabled;
    bool is_min_latency;
    bool is_tcp_nodelay;
    int chunk_size;
    long in_ack_size;
    long out_ack_size;
    /* play */
    bool is_gop_cache;
    int gop_cache_max_frames;
    int64_t queue_length_ms;
    int time_jitter; /* sr_jitter_algo_t */
    bool is_atc;
    bool is_mix_correct;
    int mw_latency_ms;
    int mw_msgs;
    int64_t send_min_interval_us; /* play.send_min_interval, ms (fractions allowed) in the config */
    /* publish */
    int firstpkt_timeout_ms;
    int normal_timeout_ms;
    bool is_parse_sps;
    int kickoff_for_idle_ms; /* publish.kickoff_for_idle, seconds in the config (as SRS) */
    sr_http_remux_config_t http_remux;
    sr_srt_vhost_config_t srt;
    sr_rtc_vhost_config_t rtc;
    /* Owned by the config, like hooks: copy what you need before a yield. */
    const sr_hls_config_t *hls;
    const sr_dvr_config_t *dvr;
    const sr_forward_config_t *forward;
    const sr_cluster_config_t *cluster;
    const sr_hooks_config_t *hooks;     /* owned by the config; never keep it across a yield */
    const sr_access_config_t *access;   /* security, refer: owned by the config, like hooks */
    const sr_process_config_t *process; /* transcode, ingest, exec; owned by the config */
    const sr_rtsp_vhost_config_t *rtsp; /* rtsp_pull (ours); owned by the config */
    const sr_conf_t *node;              /* the vhost block, owned by the config */
} sr_vhost_config_t;

typedef struct sr_server_config {
    sr_conf_t *root;
    char *path;
    sr_listen_addr_t listens[SR_CONFIG_MAX_LISTENS];
    int listen_count;
    int max_connections;
    bool is_daemon;
    char pid_file[1024];
    bool is_log_file; /* srs_log_tank file */
    char log_file[1024];
    int log_level;
    int chunk_size;
    char ff_log_dir[1024];
    sr_http_server_config_t http_server;
    sr_http_api_config_t http_api;
    sr_exporter_config_t exporter;
    sr_srt_server_config_t srt_server;
    sr_rtc_server_config_t rtc_server;
    sr_rtsp_server_config_t rtsp_server; /* ours */
    sr_tls_listen_config_t rtmps;        /* RTMP over TLS (ours) */
    sr_heartbeat_config_t heartbeat;
    sr_vhost_config_t *vhosts;
    sr_hooks_config_t *hooks;     /* one per vhost, same index */
    sr_hls_config_t *hls;         /* one per vhost, same index */
    sr_dvr_config_t *dvr;         /* one per vhost, same index */
    sr_forward_config_t *forward; /* one per vhost, same index */
    sr_cluster_config_t *cluster; /* one per vhost, same index */
    sr_process_config_t *process; /* one per vhost, same index */
    sr_access_config_t *access;   /* one per vhost, same index */
    sr_rtsp_vhost_config_t *rtsp; /* one per vhost, same index */
    int vhost_count;
    int warnings;     /* unknown or not-yet-supported directives seen */
    char *env_report; /* one line per SRS_* environment override applied ("" if none) */
} sr_server_config_t;

/* Parse path, apply the SRS_* environment overrides (sr_config_env.h), and resolve it.
 * On error the trail names file:line (or the environment variable) and the reason.
 * Unknown or unsupported directives are logged as warnings and counted. */
int sr_server_config_load(const char *path, sr_server_config_t **out);
/* The path that loads no file: SRS's `-e`, the defaults and SRS_* variables only. */
#define SR_CONFIG_PATH_ENV_ONLY "(environment)"
void sr_server_config_free(sr_server_config_t *c);
/* Write each environment override of c as one line "<prefix>env VAR sets ..." to f,
 * or to the trace log when f is NULL. */
void sr_server_config_print_env(const sr_server_config_t *c, const char *prefix, FILE *f);
/* The vhost named name, else __defaultVhost__, else NULL. Disabled vhosts are returned
 * too; the caller refuses them. */
const sr_vhost_config_t *sr_server_config_vhost(const sr_server_config_t *c, const char *name);
/* Copy src into dst for a connection to keep across yields: a reload frees the config,
 * so the copy drops everything that points into it (node, hooks, hls, dvr, forward,
 * cluster, process, access). */
void sr_server_config_vhost_detach(sr_vhost_config_t *dst, const sr_vhost_config_t *src);
/* The vhost named exactly name, or NULL. */
const sr_vhost_config_t *sr_server_config_vhost_exact(const sr_server_config_t *c, const char *name);

SR_END_DECLS

#endif
