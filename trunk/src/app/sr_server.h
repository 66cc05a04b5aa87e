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
#include "sr_source.h"

SR_BEGIN_DECLS

typedef struct sr_server sr_server_t;
struct sr_co;
struct sr_sock;

/* What the server knows of one connection; embedded in each protocol's connection. */
typedef struct sr_client {
    struct sr_client *prev, *next;
    struct sr_co *co;
    char cid[16];
    char ip[64];
    char vhost[256];
    const char *type; /* "rtmp-play", "fmle-publish", ... ; static string */
    bool is_publish;
    int64_t start_ms;
} sr_client_t;

/* Create a server that owns config. */
sr_server_t *sr_server_new(sr_server_config_t *config);
/* Bind every listen address and start accepting. */
int sr_server_start(sr_server_t *s);
/* Apply a freshly loaded config (owned by the server from now on): log level, listeners
 * re-bound where they changed, vhost policies pushed into live streams, clients of removed
 * or disabled vhosts closed. Never fails half-way: listener errors are logged. */
void sr_server_reload(sr_server_t *s, sr_server_config_t *config);
/* Close listeners, ask every connection to close, and wait up to timeout_us for them. May yield. */
void sr_server_stop(sr_server_t *s, sr_utime_t timeout_us);
void sr_server_free(sr_server_t *s);

const sr_server_config_t *sr_server_config(const sr_server_t *s);
sr_source_registry_t *sr_server_sources(sr_server_t *s);
int sr_server_client_count(const sr_server_t *s);
/* Register/unregister a connection (the accept loop and the connection do this). */
void sr_server_client_add(sr_server_t *s, sr_client_t *c);
void sr_server_client_remove(sr_server_t *s, sr_client_t *c);

SR_END_DECLS

#endif
