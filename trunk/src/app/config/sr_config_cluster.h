/* SPDX-License-Identifier: MIT */
/*
 * sr_config_cluster.h: vhost forward { } and cluster { } resolved into plain structs,
 * with SRS's defaults and file:line on bad values. Owned by the config like hls and
 * dvr: a connection's detached vhost copy does not carry them.
 */
#ifndef SR_CONFIG_CLUSTER_H
#define SR_CONFIG_CLUSTER_H

#include "sr_config.h"
#include "sr_core.h"

SR_BEGIN_DECLS

#define SR_CLUSTER_MAX_HOSTS 16
#define SR_CLUSTER_DEFAULT_PORT 1935
#define SR_CLUSTER_DEFAULT_TLS_PORT 443

/* Another server: host[:port], or (forward) a whole rtmp:// or rtmps:// URL naming app
 * and stream. */
typedef struct sr_cluster_addr {
    char host[256];   /* a name or an IP literal, without brackets */
    int port;         /* 1935 when not given (443 for rtmps://) */
    bool is_tls;      /* rtmps:// (ours): RTMP over TLS, the server's certificate checked */
    char app[256];    /* from an rtmp:// URL: the app to use ("" = the stream's own) */
    char stream[512]; /* from an rtmp:// URL: the stream with its ?query ("" = the stream's own) */
} sr_cluster_addr_t;

typedef struct sr_forward_config {
    bool is_enabled;
    sr_cluster_addr_t destinations[SR_CLUSTER_MAX_HOSTS];
    int destination_count;
    char backend[1024]; /* an HTTP service that names the destinations per stream ("" none) */
} sr_forward_config_t;

typedef struct sr_cluster_config {
    bool is_edge; /* mode remote */
    sr_cluster_addr_t origins[SR_CLUSTER_MAX_HOSTS];
    int origin_count;
    bool is_token_traverse;      /* an edge checks each client's connect with the origin first */
    char upstream_vhost[256];    /* the vhost name asked of the origin ("" = the client's) */
    char registry[256];          /* ours: redis://HOST:PORT[/DB] where origins list their streams */
    sr_cluster_addr_t advertise; /* ours: the address others pull from (host "" = this host's first IPv4) */
    bool is_origin_cluster;      /* SRS's origin_cluster: ask the coworkers for streams not here */
    sr_cluster_addr_t coworkers[SR_CLUSTER_MAX_HOSTS]; /* their HTTP APIs, host:port */
    int coworker_count;
} sr_cluster_config_t;

/* Parse (n: the directive for file:line, NULL when text came from a service) "host", "host:port", "[v6]:port" or (with
 * is_url_ok) "rtmp://host[:port]/app/stream" or "rtmps://...". */
int sr_config_cluster_addr(const sr_conf_t *n, const char *text, bool is_url_ok, sr_cluster_addr_t *out);
/* vhost may be NULL: nothing forwarded, mode local. */
int sr_config_cluster_resolve_forward(const sr_conf_t *vhost, sr_forward_config_t *out);
int sr_config_cluster_resolve(const sr_conf_t *vhost, sr_cluster_config_t *out);

SR_END_DECLS

#endif
