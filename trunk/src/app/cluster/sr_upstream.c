/* SPDX-License-Identifier: MIT */
#include "sr_upstream.h"

#include <stdio.h>
#include <string.h>

#include "sr_error.h"
#include "sr_resolve.h"

/* Media chunk streams as players receive them (sr_rtmp_conn's constants). */
#define SR_UPSTREAM_CSID_AUDIO 6
#define SR_UPSTREAM_CSID_VIDEO 7
#define SR_UPSTREAM_CSID_DATA 5
/* Packets taken from a consumer per writev batch. */
#define SR_UPSTREAM_BATCH 64
/* Writes to a server that stopped reading fail after this long. */
#define SR_UPSTREAM_SEND_TIMEOUT_US (10 * SR_UTIME_S)

/* One client context for every rtmps:// session: the system's trust store, loaded once. */
static sr_tls_ctx_t *sr_upstream_tls_ctx;

static int sr_upstream_tls(sr_upstream_t *u, const char *host, sr_utime_t deadline)
{
    int rc = sr_upstream_tls_ctx ? SR_OK : sr_tls_ctx_new_client(NULL, true, &sr_upstream_tls_ctx);
    if (rc == SR_OK) {
        rc = sr_tls_new_client(sr_upstream_tls_ctx, sr_sock_io(u->sock), host, &u->tls);
    }
    return rc == SR_OK ? sr_tls_handshake(u->tls, deadline) : rc;
}

static int sr_upstream_open_steps(sr_upstream_t *u, const sr_cluster_addr_t *to, const char *app, const char *stream,
                                  bool is_publish)
{
    const char *host = to->host;
    int port = to->port;
    sr_utime_t deadline = sr_time_mono_us() + SR_UPSTREAM_OPEN_TIMEOUT_US;
    char ip[64];
    int rc = sr_resolve_host(host, ip, sizeof(ip));
    if (rc != SR_OK) {
        return rc;
    }
    sr_utime_t now = sr_time_mono_us();
    if (now >= deadline) {
        return sr_err_new(SR_ETIMEOUT, "resolving %s took too long", host);
    }
    if ((rc = sr_sock_connect_tcp(ip, port, deadline - now, &u->sock)) != SR_OK) {
        return rc;
    }
    sr_sock_set_nodelay(u->sock, true);
    now = sr_time_mono_us();
    sr_utime_t left = deadline > now ? deadline - now : 1;
    sr_sock_set_timeouts(u->sock, left, left);
    if (to->is_tls && (rc = sr_upstream_tls(u, host, deadline)) != SR_OK) {
        return rc;
    }
    u->rtmp = sr_rtmp_client_new(u->tls ? sr_tls_io(u->tls) : sr_sock_io(u->sock));
    char tc_url[1024];
    bool is_v6 = strchr(host, ':') != NULL;
    snprintf(tc_url, sizeof(tc_url), "%s://%s%s%s:%d/%s", to->is_tls ? "rtmps" : "rtmp", is_v6 ? "[" : "", host,
             is_v6 ? "]" : "", port, app);
    if ((rc = sr_rtmp_client_connect(u->rtmp, app, tc_url, false)) != SR_OK || !stream) {
        return rc;
    }
    rc = is_publish ? sr_rtmp_client_publish(u->rtmp, stream) : sr_rtmp_client_play(u->rtmp, stream);
    u->stream_id = sr_rtmp_client_stream_id(u->rtmp);
    return rc;
}

int sr_upstream_open(sr_upstream_t *u, const sr_cluster_addr_t *to, const char *app, const char *stream,
                     bool is_publish)
{
    memset(u, 0, sizeof(*u));
    snprintf(u->peer, sizeof(u->peer), "%s:%d", to->host, to->port);
    int rc = sr_upstream_open_steps(u, to, app, stream, is_publish);
    if (rc != SR_OK) {
        sr_upstream_close(u);
        snprintf(u->peer, sizeof(u->peer), "%s:%d", to->host, to->port);
        return sr_err_wrap(rc, "%s %s://%s/%s/%s",
                           !stream      ? "connect to"
                           : is_publish ? "publish to"
                                        : "play from",
                           to->is_tls ? "rtmps" : "rtmp", u->peer, app, stream ? stream : "");
    }
    /* a publisher only writes; a player waits as long as the caller says */
    sr_sock_set_timeouts(u->sock, is_publish ? 0 : SR_UPSTREAM_SEND_TIMEOUT_US, SR_UPSTREAM_SEND_TIMEOUT_US);
    return SR_OK;
}

void sr_upstream_close(sr_upstream_t *u)
{
    if (!u) {
        return;
    }
    sr_rtmp_client_free(u->rtmp);
    sr_tls_free(u->tls); /* no close_notify: RTMP ends with deleteStream, or the link failed */
    sr_sock_close(u->sock);
    memset(u, 0, sizeof(*u));
}

int sr_upstream_add(sr_upstream_t *u, const sr_packet_t *pkt)
{
    uint32_t csid = pkt->type == SR_PACKET_AUDIO   ? SR_UPSTREAM_CSID_AUDIO
                    : pkt->type == SR_PACKET_VIDEO ? SR_UPSTREAM_CSID_VIDEO
                                                   : SR_UPSTREAM_CSID_DATA;
    return sr_rtmp_writer_add(sr_rtmp_client_writer(u->rtmp), csid, pkt->type, u->stream_id, (uint32_t)pkt->dts,
                              pkt->payload);
}

int sr_upstream_flush(sr_upstream_t *u)
{
    int rc = sr_rtmp_writer_flush(sr_rtmp_client_writer(u->rtmp));
    /* the server's acks and status: whatever is buffered, without waiting (read timeout 0) */
    while (rc == SR_OK && (sr_sock_pending_bytes(u->sock) > 0 || sr_tls_has_pending(u->tls))) {
        sr_rtmp_msg_t msg;
        rc = sr_rtmp_reader_read(sr_rtmp_client_reader(u->rtmp), &msg);
        if (rc == -SR_ETIMEOUT) {
            sr_err_clear();
            return SR_OK; /* a partial message waits in the reader */
        }
        if (rc != SR_OK) {
            break;
        }
        char status[128];
        rc = sr_rtmp_client_on_message(u->rtmp, &msg, status, sizeof(status));
        sr_payload_unref(msg.payload);
    }
    return rc == SR_OK ? sr_rtmp_writer_flush(sr_rtmp_client_writer(u->rtmp)) : rc;
}

int sr_upstream_send_queued(sr_upstream_t *u, sr_consumer_t *c)
{
    int rc = SR_OK;
    while (rc == SR_OK && sr_consumer_can_fetch(c)) {
        sr_packet_t pkts[SR_UPSTREAM_BATCH];
        size_t n = sr_consumer_fetch(c, pkts, SR_UPSTREAM_BATCH);
        for (size_t i = 0; i < n; i++) {
            rc = rc == SR_OK ? sr_upstream_add(u, &pkts[i]) : rc;
            sr_packet_deinit(&pkts[i]);
        }
    }
    return rc == SR_OK ? sr_upstream_flush(u) : rc;
}

int sr_upstream_read(sr_upstream_t *u, sr_utime_t timeout_us, sr_rtmp_ingest_emit_fn emit, void *arg, char *status,
                     size_t status_size)
{
    status[0] = '\0';
    sr_sock_set_timeouts(u->sock, timeout_us, SR_UPSTREAM_SEND_TIMEOUT_US);
    sr_rtmp_msg_t msg;
    int rc = sr_rtmp_reader_read(sr_rtmp_client_reader(u->rtmp), &msg);
    if (rc != SR_OK) {
        return rc;
    }
    if (sr_rtmp_ingest_is_media(&msg)) {
        rc = sr_rtmp_ingest_message(&u->ingest, &msg, emit, arg);
    } else {
        rc = sr_rtmp_client_on_message(u->rtmp, &msg, status, status_size);
        if (rc == SR_OK) {
            rc = sr_rtmp_writer_flush(sr_rtmp_client_writer(u->rtmp)); /* a pong */
        }
    }
    sr_payload_unref(msg.payload);
    return rc == SR_OK ? sr_rtmp_client_ack(u->rtmp) : rc;
}

static bool sr_upstream_is_key(const char *pair, size_t n, const char *key)
{
    size_t k = strlen(key);
    return n > k && strncmp(pair, key, k) == 0 && pair[k] == '=';
}

void sr_upstream_query_without(const char *param, const char *key, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    const char *p = param[0] == '?' ? param + 1 : param;
    while (*p) {
        const char *amp = strchr(p, '&');
        size_t n = amp ? (size_t)(amp - p) : strlen(p);
        bool is_dropped = n == 0 || sr_upstream_is_key(p, n, "vhost") || (key && sr_upstream_is_key(p, n, key));
        if (!is_dropped && len + (len ? 1 : 0) + n < size) {
            len += (size_t)snprintf(out + len, size - len, "%s%.*s", len ? "&" : "", (int)n, p);
        }
        p += n + (amp ? 1 : 0);
    }
}
