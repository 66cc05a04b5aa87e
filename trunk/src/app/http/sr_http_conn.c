/* SPDX-License-Identifier: MIT */
/*
 * sr_http_conn.c: the HTTP connection loop and router. A request must arrive whole
 * within SR_HTTP_REQUEST_DEADLINE_US of its first byte (a slowloris that sends one
 * byte a second is cut off), an idle keep-alive connection is closed after
 * SR_HTTP_IDLE_TIMEOUT_US, and malformed input gets 400/413/431 and a close. On an
 * HTTPS port, TLS sits between the two: requests are read from the TLS session, which
 * reads the socket through the same deadline, and the TLS handshake must end within
 * SR_HTTP_REQUEST_DEADLINE_US of the connection's start.
 */
#include "sr_http_conn.h"

#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_consts.h"
#include "sr_error.h"
#include "sr_log.h"
#include "sr_rtc.h"
#include "sr_st.h"
#include "sr_time.h"
#include "sr_tls.h"

#define SR_HTTP_IDLE_TIMEOUT_US (30 * SR_UTIME_S)
#define SR_HTTP_REQUEST_DEADLINE_US (10 * SR_UTIME_S)

typedef struct sr_http_conn {
    sr_client_t client; /* first: the server's table points here */
    sr_server_t *server;
    sr_sock_t *sock;
    sr_io_t deadline_io;    /* the socket's io with a per-request deadline on reads */
    sr_utime_t deadline_us; /* 0: no request in progress */
    sr_tls_t *tls;          /* HTTPS: TLS over deadline_io; NULL for plain HTTP */
    sr_io_t *io;            /* what requests are read from and answered on */
    sr_http_reader_t *reader;
    unsigned roles;
    uint64_t requests;
} sr_http_conn_t;

/* ---- reads bounded by the request deadline ---- */

static int sr_http_conn_io_read(sr_io_t *io, void *buf, size_t size, size_t *nread)
{
    sr_http_conn_t *c = io->impl;
    sr_utime_t timeout = SR_HTTP_IDLE_TIMEOUT_US;
    if (c->deadline_us) {
        sr_utime_t now = sr_time_mono_us();
        if (now >= c->deadline_us) {
            return sr_err_new(SR_ETIMEOUT, "request not complete within %llu ms",
                              (unsigned long long)(SR_HTTP_REQUEST_DEADLINE_US / SR_UTIME_MS));
        }
        timeout = SR_MIN(timeout, c->deadline_us - now);
    }
    sr_sock_set_timeouts(c->sock, timeout, SR_SEND_TIMEOUT_US);
    int rc = sr_io_read(sr_sock_io(c->sock), buf, size, nread);
    if (rc == SR_OK && !c->deadline_us) {
        c->deadline_us = sr_time_mono_us() + SR_HTTP_REQUEST_DEADLINE_US; /* the request started */
    }
    return rc;
}

static int sr_http_conn_io_writev(sr_io_t *io, const struct iovec *iov, int iovcnt)
{
    sr_http_conn_t *c = io->impl;
    return sr_io_writev(sr_sock_io(c->sock), iov, iovcnt);
}

static const sr_io_ops_t sr_http_conn_io_ops = {sr_http_conn_io_read, sr_http_conn_io_writev};

/* ---- replies ---- */

void sr_http_conn_add_cors(sr_http_response_t *resp)
{
    sr_http_response_add_header(resp, "Access-Control-Allow-Origin", "*");
    sr_http_response_add_header(resp, "Access-Control-Allow-Methods", "GET, POST, HEAD, PUT, DELETE, OPTIONS");
    sr_http_response_add_header(resp, "Access-Control-Expose-Headers",
                                "Server,range,Content-Length,Content-Range,Location");
    sr_http_response_add_header(resp, "Access-Control-Allow-Headers",
                                "origin,range,accept-encoding,referer,Cache-Control,X-Proxy-Authorization,"
                                "X-Requested-With,Content-Type,Authorization");
}

int sr_http_conn_reply(const sr_http_ctx_t *ctx, int status, const char *content_type, const void *body, size_t len,
                       bool is_cors)
{
    sr_http_response_t resp;
    sr_http_response_init(&resp, ctx->io, ctx->req);
    sr_http_response_set_status(&resp, status);
    if (content_type) {
        sr_http_response_add_header(&resp, "Content-Type", content_type);
    }
    if (is_cors) {
        sr_http_conn_add_cors(&resp);
    }
    int rc = sr_http_response_write_header(&resp, (int64_t)len);
    if (rc == SR_OK && len) {
        rc = sr_http_response_write(&resp, body, len);
    }
    if (rc == SR_OK) {
        rc = sr_http_response_end(&resp);
    }
    if (rc == SR_OK && !sr_http_response_is_keep_alive(&resp)) {
        rc = -SR_EPEER_CLOSED; /* done: close the connection */
    }
    return rc;
}

static int sr_http_conn_not_found(sr_http_ctx_t *ctx)
{
    static const char body[] = "Not Found\n";
    return sr_http_conn_reply(ctx, 404, "text/plain; charset=utf-8", body, sizeof(body) - 1, false);
}

/* ---- routing ---- */

static bool sr_http_conn_is_prefix(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* The routes, tried in order: a listener with the role, a path that matches (exact, or
 * a prefix ending at a '/'; "" matches every path), and a handler that does not answer
 * -SR_ENOT_FOUND ("not mine": the next route is tried). WHIP/WHEP and other services
 * are one line each. */
typedef struct sr_http_route {
    unsigned role; /* SR_ROLE_* */
    const char *path;
    bool is_prefix;
    int (*serve)(sr_http_ctx_t *ctx);
} sr_http_route_t;

static const sr_http_route_t sr_http_routes[] = {
    {SR_ROLE_HTTP_API, "/api", true, sr_http_api_serve},
    {SR_ROLE_HTTP_API | SR_ROLE_HTTP_SERVER, "/rtc/v1", true, sr_rtc_http_serve},
    {SR_ROLE_EXPORTER, "/metrics", false, sr_exporter_serve},
    {SR_ROLE_HTTP_SERVER, "", true, sr_http_players_serve},
    {SR_ROLE_HTTP_SERVER, "", true, sr_http_stream_serve},
    {SR_ROLE_HTTP_SERVER, "", true, sr_http_static_serve},
};

static bool sr_http_conn_matches(const sr_http_route_t *r, const char *path)
{
    return r->is_prefix ? (r->path[0] == '\0' || sr_http_conn_is_prefix(path, r->path)) : strcmp(path, r->path) == 0;
}

static int sr_http_conn_route(sr_http_ctx_t *ctx)
{
    for (size_t i = 0; i < SR_ARRAY_SIZE(sr_http_routes); i++) {
        const sr_http_route_t *r = &sr_http_routes[i];
        if ((ctx->roles & r->role) && sr_http_conn_matches(r, ctx->req->path)) {
            int rc = r->serve(ctx);
            if (rc != -SR_ENOT_FOUND) {
                return rc;
            }
        }
    }
    return sr_http_conn_not_found(ctx);
}

/* Answer a request that did not parse, then close. */
static void sr_http_conn_reject(sr_http_conn_t *c, int rc)
{
    int status = rc == -SR_EHTTP_HEADERS_TOO_LARGE ? 431 : rc == -SR_EHTTP_BODY_TOO_LARGE ? 413 : 400;
    if (rc == -SR_ETIMEOUT && c->deadline_us) {
        status = 408;
    } else if (rc != -SR_EHTTP_PARSE && rc != -SR_EHTTP_HEADERS_TOO_LARGE && rc != -SR_EHTTP_BODY_TOO_LARGE &&
               status == 400) {
        return; /* peer gone, idle timeout, interrupted: nobody to answer */
    }
    char body[64];
    int n = snprintf(body, sizeof(body), "%d %s\n", status, sr_http_status_text(status));
    sr_sock_set_timeouts(c->sock, SR_HANDSHAKE_TIMEOUT_US, SR_HANDSHAKE_TIMEOUT_US);
    sr_http_response_send(c->io, NULL, status, "text/plain; charset=utf-8", body, (size_t)n);
}

static int sr_http_conn_serve(sr_http_conn_t *c)
{
    if (c->tls) {
        c->deadline_us = sr_time_mono_us() + SR_HTTP_REQUEST_DEADLINE_US;
        int rc = sr_tls_handshake(c->tls, c->deadline_us);
        if (rc != SR_OK) {
            return sr_err_wrap(rc, "https handshake");
        }
    }
    for (;;) {
        sr_http_request_t req;
        c->deadline_us = 0;
        int rc = sr_co_pull();
        if (rc == SR_OK) {
            rc = sr_http_reader_read(c->reader, &req);
        }
        if (rc != SR_OK) {
            sr_http_request_deinit(&req);
            sr_http_conn_reject(c, rc);
            return c->requests > 0 && (rc == -SR_EPEER_CLOSED || rc == -SR_ETIMEOUT) ? SR_OK : rc;
        }
        c->deadline_us = 0;
        c->requests++;
        sr_http_ctx_t ctx = {c->server, c->sock, c->io, &req, &c->client, c->roles, c->tls != NULL};
        sr_verbose("http %s %s", req.method_name, req.target);
        rc = sr_http_conn_route(&ctx);
        bool is_keep_alive = req.is_keep_alive;
        sr_http_request_deinit(&req);
        if (rc != SR_OK || !is_keep_alive) {
            return rc == -SR_EPEER_CLOSED ? SR_OK : rc;
        }
    }
}

static void sr_http_conn_cycle(void *arg)
{
    sr_http_conn_t *c = arg;
    int rc = sr_http_conn_serve(c);
    bool is_error = !(rc == SR_OK || sr_err_is_peer_close(rc) || sr_err_is_interrupted(rc));
    const char *scheme = c->tls ? "https" : "http";
    if (is_error) {
        sr_warn("%s %s closed after %llu requests: %s %s", scheme, c->client.ip, (unsigned long long)c->requests,
                sr_err_name(rc), sr_err_trail());
    } else {
        sr_info("%s %s closed after %llu requests", scheme, c->client.ip, (unsigned long long)c->requests);
    }
    if (c->tls && rc == SR_OK) {
        sr_sock_set_timeouts(c->sock, SR_HANDSHAKE_TIMEOUT_US, SR_HANDSHAKE_TIMEOUT_US);
        sr_tls_shutdown(c->tls); /* a clean end for clients that check (close_notify) */
    }
    sr_server_client_remove(c->server, &c->client, is_error);
    sr_http_reader_free(c->reader);
    sr_tls_free(c->tls);
    sr_sock_close(c->sock);
    sr_free(c);
}

/* tls: a server context for HTTPS (the connection takes its own reference), or NULL. */
static void sr_http_conn_start_with(sr_server_t *server, sr_sock_t *sock, unsigned roles, sr_tls_ctx_t *tls)
{
    sr_http_conn_t *c = SR_NEW(sr_http_conn_t);
    c->server = server;
    c->sock = sock;
    c->roles = roles;
    c->deadline_io.ops = &sr_http_conn_io_ops;
    c->deadline_io.impl = c;
    c->io = &c->deadline_io;
    if (tls && sr_tls_new_server(tls, &c->deadline_io, &c->tls) == SR_OK) {
        c->io = sr_tls_io(c->tls);
    } else if (tls) {
        sr_error("https %s: %s", sr_sock_peer_ip(sock), sr_err_trail());
        sr_sock_close(sock);
        sr_free(c);
        return;
    }
    sr_sock_set_nodelay(sock, true); /* responses are written whole; Nagle would only delay them */
    c->reader = sr_http_reader_new(c->io, NULL);
    sr_server_client_start(server, &c->client, sr_sock_peer_ip(sock), sr_sock_io(sock), sr_http_conn_cycle, c);
}

void sr_http_conn_start(sr_server_t *server, sr_sock_t *sock, unsigned roles)
{
    sr_http_conn_start_with(server, sock, roles, NULL);
}

/* An HTTPS port: the certificate of the config in force now, so a reload's new one
 * serves the next connections while the current ones keep theirs. A port that is
 * both http_server.https and http_api.https uses http_server's. */
static void sr_https_conn_start(sr_server_t *server, sr_sock_t *sock, unsigned roles)
{
    const sr_server_config_t *cfg = sr_server_config(server);
    sr_tls_ctx_t *tls = (roles & SR_ROLE_HTTP_SERVER) ? cfg->http_server.https.ctx : cfg->http_api.https.ctx;
    if (!tls) {
        sr_error("https %s: no certificate loaded", sr_sock_peer_ip(sock));
        sr_sock_close(sock);
        return;
    }
    sr_http_conn_start_with(server, sock, roles, tls);
}

/* ==== listeners ==== */

/* http_server, http_api or exporter, by the entry's role: one address when enabled. */
static int sr_http_conn_addresses(const sr_listen_proto_t *self, const sr_server_config_t *c, sr_listen_addr_t *out,
                                  int max)
{
    bool is_enabled = c->http_server.is_enabled;
    const sr_listen_addr_t *addr = &c->http_server.addr;
    if (self->role == SR_ROLE_HTTP_API) {
        is_enabled = c->http_api.is_enabled;
        addr = &c->http_api.addr;
    } else if (self->role == SR_ROLE_EXPORTER) {
        is_enabled = c->exporter.is_enabled;
        addr = &c->exporter.addr;
    }
    return sr_listen_one(is_enabled, addr, out, max);
}

/* http_server.https or http_api.https, by the entry's role. */
static int sr_https_conn_addresses(const sr_listen_proto_t *self, const sr_server_config_t *c, sr_listen_addr_t *out,
                                   int max)
{
    const sr_tls_listen_config_t *t = self->role == SR_ROLE_HTTP_API ? &c->http_api.https : &c->http_server.https;
    return sr_listen_one(t->is_enabled, &t->addr, out, max);
}

const sr_listen_proto_t sr_http_listen_protos[SR_HTTP_LISTEN_PROTOS] = {
    {.name = "http", .role = SR_ROLE_HTTP_SERVER, .addresses = sr_http_conn_addresses, .accept = sr_http_conn_start},
    {.name = "http api", .role = SR_ROLE_HTTP_API, .addresses = sr_http_conn_addresses, .accept = sr_http_conn_start},
    {.name = "exporter", .role = SR_ROLE_EXPORTER, .addresses = sr_http_conn_addresses, .accept = sr_http_conn_start},
    {.name = "https", .role = SR_ROLE_HTTP_SERVER, .addresses = sr_https_conn_addresses, .accept = sr_https_conn_start},
    {.name = "https api",
     .role = SR_ROLE_HTTP_API,
     .addresses = sr_https_conn_addresses,
     .accept = sr_https_conn_start},
};
