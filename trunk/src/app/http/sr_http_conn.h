/* SPDX-License-Identifier: MIT */
/*
 * sr_http_conn.h: one HTTP connection (http_server, http_api and exporter ports):
 * reads requests (keep-alive, pipelining), routes each to the handler of a role its
 * listener serves, and answers malformed input with 400/413/431 before closing.
 * Handlers share the context below.
 */
#ifndef SR_HTTP_CONN_H
#define SR_HTTP_CONN_H

#include "sr_core.h"
#include "sr_http.h"
#include "sr_listener.h"
#include "sr_server.h"

SR_BEGIN_DECLS

struct sr_sock;

typedef struct sr_http_ctx {
    sr_server_t *server;
    struct sr_sock *sock;
    sr_io_t *io;
    const sr_http_request_t *req;
    sr_client_t *client; /* the connection's entry in the server's client table */
    unsigned roles;      /* SR_ROLE_* of the listener */
    bool is_tls;         /* io is TLS over sock: no sendfile */
} sr_http_ctx_t;

/* Serve an accepted socket (owned by the connection from now on) in a new coroutine. */
void sr_http_conn_start(sr_server_t *server, struct sr_sock *sock, unsigned roles);
/* The HTTP listeners, TCP, one port shared when their addresses are equal: http_server
 * (static files, live mounts, players page), http_api and exporter; then the HTTPS
 * ones, http_server.https and http_api.https, which serve what their plain twin does. */
#define SR_HTTP_LISTEN_PROTOS 5
extern const sr_listen_proto_t sr_http_listen_protos[SR_HTTP_LISTEN_PROTOS];

/* Answer with a small body (error pages, JSON). Adds CORS headers when is_cors.
 * Returns SR_OK when the connection may serve another request. May yield. */
int sr_http_conn_reply(const sr_http_ctx_t *ctx, int status, const char *content_type, const void *body, size_t len,
                       bool is_cors);
/* Add the CORS headers SRS sends with crossdomain on. */
void sr_http_conn_add_cors(sr_http_response_t *resp);

struct sr_json_writer;
/* Write the data object of GET /api/v1/summaries (SRS's summaries) as the member key
 * (borrowed) of the open object of w; the heartbeat sends it too. Samples the CPU over
 * a short window first. SR_OK, or -SR_EINTERRUPTED (nothing written) when the caller
 * was stopped meanwhile. May yield. (sr_http_api_summary.c) */
int sr_http_api_write_summaries(struct sr_json_writer *w, sr_server_t *s, const char *key);

/* Handlers. Each answers one request and returns SR_OK to keep the connection open
 * for the next request, or an error to close it. May yield. */
int sr_http_api_serve(sr_http_ctx_t *ctx);    /* /api/v1/... (sr_http_api.c) */
int sr_exporter_serve(sr_http_ctx_t *ctx);    /* /metrics (sr_exporter.c) */
int sr_http_static_serve(sr_http_ctx_t *ctx); /* files under http_server.dir (sr_http_static.c) */
/* A live stream mount (sr_http_stream.c): returns -SR_ENOT_FOUND without answering when
 * the path is not a live mount, so the caller falls back to static files. */
int sr_http_stream_serve(sr_http_ctx_t *ctx);
/* GET / (to the players page) and /players/server.json (sr_http_players.c): returns
 * -SR_ENOT_FOUND without answering for any other request. */
int sr_http_players_serve(sr_http_ctx_t *ctx);

SR_END_DECLS

#endif
