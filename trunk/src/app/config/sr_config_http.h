/* SPDX-License-Identifier: MIT */
/*
 * sr_config_http.h: the HTTP side of the config resolved into plain structs:
 * http_server, http_api, exporter (global) and, per vhost, http_remux and
 * http_hooks. Same rules as sr_config_server: SRS defaults, file:line on bad values.
 */
#ifndef SR_CONFIG_HTTP_H
#define SR_CONFIG_HTTP_H

#include "sr_config.h"
#include "sr_core.h"

SR_BEGIN_DECLS

typedef struct sr_listen_addr {
    char ip[64]; /* "0.0.0.0", "::", or a numeric address */
    int port;
} sr_listen_addr_t;

struct sr_tls_ctx;

/* A TLS listener: http_server.https, http_api.https or rtmps. */
typedef struct sr_tls_listen_config {
    bool is_enabled;
    sr_listen_addr_t addr;
    char key[1024];
    char cert[1024];
    struct sr_tls_ctx *ctx; /* loaded when enabled; owned by the config (sr_config_tls_deinit) */
} sr_tls_listen_config_t;

typedef struct sr_http_server_config {
    bool is_enabled;
    sr_listen_addr_t addr;
    char dir[1024];
    bool is_crossdomain;
    long hls_memory_cache_mb; /* live HLS files served from memory, at most this much (0: off) */
    sr_tls_listen_config_t https;
} sr_http_server_config_t;

typedef struct sr_http_api_config {
    bool is_enabled;
    sr_listen_addr_t addr;
    bool is_crossdomain;
    bool is_raw_api;
    bool is_allow_reload;
    bool is_auth;
    char username[128];
    char password[128];
    sr_tls_listen_config_t https;
} sr_http_api_config_t;

typedef struct sr_exporter_config {
    bool is_enabled;
    sr_listen_addr_t addr;
    char label[128];
    char tag[128];
} sr_exporter_config_t;

typedef struct sr_http_remux_config {
    bool is_enabled;
    char mount[256]; /* e.g. "[vhost]/[app]/[stream].flv" */
    bool has_audio;
    bool has_video;
    bool is_guess_has_av;
    bool is_drop_if_not_match;
} sr_http_remux_config_t;

typedef enum sr_hook_event {
    SR_HOOK_ON_CONNECT,
    SR_HOOK_ON_CLOSE,
    SR_HOOK_ON_PUBLISH,
    SR_HOOK_ON_UNPUBLISH,
    SR_HOOK_ON_PLAY,
    SR_HOOK_ON_STOP,
    SR_HOOK_ON_DVR,
    SR_HOOK_ON_HLS,
    SR_HOOK_ON_HLS_NOTIFY,
    SR_HOOK_COUNT,
} sr_hook_event_t;

/* Longest http_hooks secret, in bytes. */
#define SR_HOOKS_SECRET_MAX 255

/* Owned by the config snapshot: do not keep a pointer across a yield (reload frees it). */
typedef struct sr_hooks_config {
    bool is_enabled;
    char **urls[SR_HOOK_COUNT];
    int counts[SR_HOOK_COUNT];
    char secret[SR_HOOKS_SECRET_MAX + 1]; /* ours: signs every POST (X-Strand-Signature); "": unsigned */
    int timeout_ms;                       /* ours: bound on one hook request (5000) */
    bool is_error_allow;                  /* ours: on_hook_error allow: an unreachable or silent hook admits (refuse) */
} sr_hooks_config_t;

/* heartbeat { } (global): a POST of this server's state every interval. */
typedef struct sr_heartbeat_config {
    bool is_enabled;
    double interval_s; /* 10 */
    char url[1024];    /* http://127.0.0.1:8085/api/v1/servers */
    char device_id[256];
    bool is_summaries; /* add GET /api/v1/summaries' data */
} sr_heartbeat_config_t;

/* Parse a listen argument: "8080", "ip:port" or "[v6]:port". n is for file:line in errors. */
int sr_config_http_parse_listen(const sr_conf_t *n, const char *arg, sr_listen_addr_t *out);
/* enabled + listen of a global server block b (NULL: absent, so disabled on the default
 * port); http_server, http_api, exporter, srt_server and rtc_server share it. */
int sr_config_server_block(const sr_conf_t *b, int default_port, bool *enabled, sr_listen_addr_t *addr);
/* A TLS listener block b (NULL: absent, so disabled) named name in errors: enabled,
 * listen (default_port), key and cert (SRS's defaults ./conf/server.key and
 * ./conf/server.crt). When enabled, the certificate and key are loaded into out->ctx
 * (with alpn, see sr_tls_ctx_new_server; alpn NULL is a non-HTTP protocol, whose
 * context sends no session tickets: sr_tls_ctx_no_tickets); a file that cannot be read, is not PEM, or a
 * key of another certificate is -SR_ECONFIG / -SR_ETLS with the directive's file:line. */
int sr_config_tls_resolve(const sr_conf_t *b, const char *name, int default_port, const char *alpn,
                          sr_tls_listen_config_t *out);
/* Drop the context of a TLS listener config. */
void sr_config_tls_deinit(sr_tls_listen_config_t *t);
/* Global blocks. A block that is absent is disabled with SRS's default port. */
int sr_config_http_resolve_server(const sr_conf_t *root, sr_http_server_config_t *out);
int sr_config_http_resolve_api(const sr_conf_t *root, sr_http_api_config_t *out);
int sr_config_http_resolve_exporter(const sr_conf_t *root, sr_exporter_config_t *out);
/* Per vhost. */
int sr_config_http_resolve_remux(const sr_conf_t *vhost, sr_http_remux_config_t *out);
/* Allocates the URL lists; free with sr_config_http_hooks_deinit (also after an error).
 * -SR_ECONFIG with file:line for a URL that is not http(s)://, a secret over
 * SR_HOOKS_SECRET_MAX bytes, a timeout outside 100..120000 ms, an on_hook_error other
 * than refuse or allow. */
int sr_config_http_resolve_hooks(const sr_conf_t *vhost, sr_hooks_config_t *out);
void sr_config_http_hooks_deinit(sr_hooks_config_t *h);
/* The global heartbeat block (absent: disabled, SRS's defaults). -SR_ECONFIG with
 * file:line for an interval outside 1..3600 s, a url that is not http://, a device_id
 * or url too long. */
int sr_config_http_resolve_heartbeat(const sr_conf_t *root, sr_heartbeat_config_t *out);
/* "on_connect", ... */
const char *sr_hook_event_name(sr_hook_event_t ev);

SR_END_DECLS

#endif
