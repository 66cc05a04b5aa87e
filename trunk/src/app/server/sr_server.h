/* SPDX-License-Identifier: MIT */
/*
 * sr_server.h: the running server: its config snapshot, RTMP listeners, the table
 * of live connections (clients) and the source registry. Owns reload (apply a new
 * config to listeners, vhosts and live streams) and graceful stop.
 */
#ifndef SR_SERVER_H
#define SR_SERVER_H

#include "sr_config_server.h"
#include "sr_core.h"
#include "sr_kbps.h"
#include "sr_source.h"

SR_BEGIN_DECLS

typedef struct sr_server sr_server_t;

/* What a listener serves. HTTP roles may share a port; RTMP may not share with HTTP. */
enum {
    SR_ROLE_RTMP = 1 << 0,
    SR_ROLE_HTTP_SERVER = 1 << 1, /* static files and live streams (http_server) */
    SR_ROLE_HTTP_API = 1 << 2,    /* /api/v1 (http_api) */
    SR_ROLE_EXPORTER = 1 << 3,    /* /metrics (exporter) */
    SR_ROLE_SRT = 1 << 4,         /* srt_server */
    SR_ROLE_RTC = 1 << 5,         /* rtc_server */
    SR_ROLE_RTSP = 1 << 6,        /* rtsp_server (ours) */
};
struct sr_co;
struct sr_hooks;
struct sr_jobs;
struct sr_io;
struct sr_request;
struct sr_sock;

/* Transport statistics of a connection whose protocol measures them (SRT). */
typedef struct sr_client_link {
    const char *protocol; /* "srt"; static string */
    double rtt_ms;
    double mbps_recv, mbps_send;
    int64_t pkts_recv_loss, pkts_send_loss; /* lost on the way (then retransmitted or dropped) */
    int64_t pkts_retrans;
    int64_t pkts_recv_drop, pkts_send_drop; /* too late to play: gone */
} sr_client_link_t;

/* What the server knows of one connection; embedded in each protocol's connection.
 * The API and the exporter read it; only the owning connection writes it. */
typedef struct sr_client {
    struct sr_client *prev, *next;
    struct sr_co *co;
    char cid[16];
    char ip[64];
    char vhost[256];
    const char *type; /* "rtmp-play", "fmle-publish", ... ; static string */
    bool is_publish;
    int64_t start_ms;
    const struct sr_request *req; /* owned by the connection; NULL before it is known */
    const struct sr_io *io;       /* byte counters */
    struct sr_source *source;     /* the stream it publishes or plays (the connection holds a ref), or NULL */
    sr_kbps_t kbps;
    /* The connection's transport statistics into *out, or NULL when its protocol has
     * none; false when they cannot be read now. */
    bool (*link_stats)(const struct sr_client *c, sr_client_link_t *out);
} sr_client_t;

/* Packet counters of transport links (sr_client_link_t), summed over connections. */
typedef struct sr_link_totals {
    uint64_t recv_loss, send_loss;
    uint64_t retrans;
    uint64_t recv_drop, send_drop;
} sr_link_totals_t;

/* Add one link's counters to *t. */
void sr_link_totals_add(sr_link_totals_t *t, const sr_client_link_t *l);

/* Server-wide counters (exporter, summaries). */
typedef struct sr_server_totals {
    uint64_t clients_total; /* connections accepted */
    uint64_t clients_errs;  /* connections that ended with an error */
    uint64_t refused;       /* over max_connections */
    uint64_t publishes;     /* streams published (a republish counts again) */
    uint64_t watched;       /* times a stream went from no player to one */
    uint64_t recv_bytes;    /* of connections already closed */
    uint64_t send_bytes;
    sr_link_totals_t srt; /* link statistics of SRT connections already closed */
    int64_t start_ms;
} sr_server_totals_t;

/* Create a server that owns config. */
sr_server_t *sr_server_new(sr_server_config_t *config);
/* Bind every listen address and start accepting. */
int sr_server_start(sr_server_t *s);
/* Apply a freshly loaded config (owned by the server from now on): log level, listeners
 * re-bound where they changed, vhost policies pushed into live streams, clients of removed
 * or disabled vhosts closed (and HTTP viewers of a mount turned off or moved), HLS/DVR of
 * live streams started or stopped as the new config says (sr_sinks_reload). Never fails
 * half-way: listener errors are logged. Transcode, ingest and exec children follow
 * the new config (sr_jobs). May yield. */
void sr_server_reload(sr_server_t *s, sr_server_config_t *config);
/* Log where to publish and where to watch, with this host's address and cfg's ports
 * (sr_server_urls.c). */
void sr_server_log_urls(const sr_server_config_t *cfg);
/* This host's first up, non-loopback IPv4 address (getifaddrs reads the kernel's
 * table, no DNS), else 127.0.0.1: what others are told to connect to. */
void sr_server_host_ip(char *out, size_t size);
/* Close listeners, ask every connection to close, and wait up to timeout_us for them. May yield. */
void sr_server_stop(sr_server_t *s, sr_utime_t timeout_us);
void sr_server_free(sr_server_t *s);

const sr_server_config_t *sr_server_config(const sr_server_t *s);
sr_source_registry_t *sr_server_sources(sr_server_t *s);
int sr_server_client_count(const sr_server_t *s);
/* Start a connection's coroutine fn(arg) (detached, a fresh cid) and register its
 * client c (embedded in the connection): peer ip, byte counters io (borrowed), start
 * time. The coroutine has not run when this returns. */
void sr_server_client_start(sr_server_t *s, sr_client_t *c, const char *ip, const struct sr_io *io,
                            void (*fn)(void *arg), void *arg);
/* Register/unregister a connection (the accept loop and the connection do this).
 * remove adds the connection's bytes and, for SRT, its link statistics (read through
 * c->link_stats, so call it before the socket is closed) to the totals, and counts it
 * as an error when is_error. */
void sr_server_client_add(sr_server_t *s, sr_client_t *c);
void sr_server_client_remove(sr_server_t *s, sr_client_t *c, bool is_error);
/* Whether one more connection may be accepted (max_connections); counts refusals. */
bool sr_server_admit(sr_server_t *s);
/* The first client in the table (iterate with ->next); valid until the next yield. */
sr_client_t *sr_server_clients(sr_server_t *s);
/* The client with this id, or NULL. */
sr_client_t *sr_server_client_find(sr_server_t *s, const char *cid);
/* Ask a client's connection to close (API kick). */
void sr_server_client_kick(sr_server_t *s, sr_client_t *c);
const sr_server_totals_t *sr_server_totals(const sr_server_t *s);
/* Ids reported by the API and in hook payloads: server_id is "vid-" + 7 characters, stable
 * for the process; service_id is 8 random characters per process start (SRS's meaning). */
const char *sr_server_id(const sr_server_t *s);
const char *sr_server_service_id(const sr_server_t *s);
/* The HTTP hooks notification queue (sr_http_hooks.c attaches and detaches it; the
 * server only keeps the pointer), or NULL. */
struct sr_hooks *sr_server_hooks(const sr_server_t *s);
/* The transcode/ingest/exec children (sr_jobs.h) while the server runs, else NULL. */
const struct sr_jobs *sr_server_jobs(const sr_server_t *s);
void sr_server_set_hooks(sr_server_t *s, struct sr_hooks *hooks);
/* Apply a freshly loaded config file (the HTTP API's raw reload and SIGHUP use it). */
int sr_server_reload_file(sr_server_t *s);

SR_END_DECLS

#endif
