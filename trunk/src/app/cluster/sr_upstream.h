/* SPDX-License-Identifier: MIT */
/*
 * sr_upstream.h: an RTMP session with another server, as forwarders, edge pulls and
 * edge pushes open it: resolve the host off the event loop, connect, handshake,
 * connect to the app and publish or play the stream, each step bounded in time; then
 * move packets as RTMP messages and answer what the server sends (chunk size, pings,
 * acknowledgements, status).
 */
#ifndef SR_UPSTREAM_H
#define SR_UPSTREAM_H

#include "sr_config_cluster.h"
#include "sr_consumer.h"
#include "sr_core.h"
#include "sr_packet.h"
#include "sr_rtmp_client.h"
#include "sr_rtmp_ingest.h"
#include "sr_st.h"
#include "sr_tls.h"

SR_BEGIN_DECLS

/* How long opening may take: resolving, connecting, handshake, connect, publish/play. */
#define SR_UPSTREAM_OPEN_TIMEOUT_US (5 * SR_UTIME_S)

typedef struct sr_upstream {
    sr_sock_t *sock;
    sr_tls_t *tls; /* rtmps:// (NULL: plain RTMP) */
    sr_rtmp_client_t *rtmp;
    uint32_t stream_id;
    sr_rtmp_ingest_t ingest; /* for a pull */
    char peer[300];          /* "host:port", for logs and the API */
} sr_upstream_t;

/* Open a session with to's host:port: connect to app (tc_url rtmp://host:port/app; app
 * may carry a ?query), then publish or play stream ("name?query"); stream NULL stops
 * after the connect. With to->is_tls, RTMP runs over TLS and the server's certificate
 * must be valid for the host by the system's trust store (OpenSSL's: SSL_CERT_FILE
 * and SSL_CERT_DIR name another). On error u holds nothing and the trail says which
 * step failed; a refusal is -SR_ERTMP_CLOSE or -SR_ERTMP_COMMAND with the server's
 * code, a certificate refused -SR_ETLS. May yield. */
int sr_upstream_open(sr_upstream_t *u, const sr_cluster_addr_t *to, const char *app, const char *stream,
                     bool is_publish);
/* Close and forget. NULL session ok. */
void sr_upstream_close(sr_upstream_t *u);
/* Publishing side: queue pkts (borrowed) as RTMP messages; sr_upstream_flush sends them. */
int sr_upstream_add(sr_upstream_t *u, const sr_packet_t *pkt);
/* Send what is queued, then handle what the server sent meanwhile without waiting for
 * more (its refusal or kick is an error). May yield. */
int sr_upstream_flush(sr_upstream_t *u);
/* Add every packet consumer c can give now, then flush: a forwarder's or an edge
 * push's batch. May yield. */
int sr_upstream_send_queued(sr_upstream_t *u, sr_consumer_t *c);
/* Playing side: read the next message, wait at most timeout_us; media become packets
 * for emit, control and status are handled (status code into status, "" if none).
 * May yield. */
int sr_upstream_read(sr_upstream_t *u, sr_utime_t timeout_us, sr_rtmp_ingest_emit_fn emit, void *arg, char *status,
                     size_t status_size);

/* param ("?k=v&..." or "k=v&...") without vhost and key (NULL: vhost only) into out:
 * "" or "k=v&k2=v2", for a stream name upstream that states its vhost itself. */
void sr_upstream_query_without(const char *param, const char *key, char *out, size_t size);

SR_END_DECLS

#endif
