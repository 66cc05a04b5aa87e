/* SPDX-License-Identifier: MIT */
/*
 * sr_rtmp_conn_internal.h: the connection state shared by sr_rtmp_conn.c (handshake,
 * connect, command dispatch), sr_rtmp_publish.c and sr_rtmp_play.c.
 */
#ifndef SR_RTMP_CONN_INTERNAL_H
#define SR_RTMP_CONN_INTERNAL_H

#include "sr_bytes.h"
#include "sr_config_server.h"
#include "sr_request.h"
#include "sr_rtmp_chunk.h"
#include "sr_rtmp_command.h"
#include "sr_rtmp_conn.h"
#include "sr_server.h"
#include "sr_st.h"

SR_BEGIN_DECLS

/* Chunk stream ids of what we send. */
enum {
    SR_RTMP_CSID_COMMAND = 3,
    SR_RTMP_CSID_DATA = 5,
    SR_RTMP_CSID_AUDIO = 6,
    SR_RTMP_CSID_VIDEO = 7,
};

#define SR_RTMP_STREAM_ID 1

typedef struct sr_rtmp_conn {
    sr_client_t client; /* first: the server's table points here */
    sr_server_t *server;
    sr_sock_t *sock;
    struct sr_tls *tls; /* rtmps: TLS over the socket's io; NULL for plain RTMP */
    sr_io_t *io;        /* the socket's io, or the TLS session's */
    sr_rtmp_reader_t *reader;
    sr_rtmp_writer_t *writer;
    sr_buf_t scratch; /* command bodies being built */
    sr_request_t req;
    sr_vhost_config_t vhost; /* copied at connect, publish and play */
    uint32_t ack_window;     /* ack the peer every this many bytes (0: never) */
    uint64_t acked_bytes;
    bool is_fmle;      /* releaseStream/FCPublish seen: an encoder, not a Flash client */
    bool is_connected; /* connect accepted: on_close is due */
} sr_rtmp_conn_t;

/* Send an onStatus on the media stream and flush. May yield. */
int sr_rtmp_conn__send_status(sr_rtmp_conn_t *c, const char *level, const char *code, const char *desc);
/* Send the body in c->scratch as an AMF0 command/data message (type) on csid, and flush. May yield. */
int sr_rtmp_conn__send_scratch(sr_rtmp_conn_t *c, uint32_t csid, uint8_t type, uint32_t stream_id);
/* Handle a protocol control message (chunk size, abort, window, user control); a ping
 * is answered at once (queued and flushed). Returns SR_OK, an error for a malformed
 * message, or a write error. May yield. */
int sr_rtmp_conn__on_control(sr_rtmp_conn_t *c, const sr_rtmp_msg_t *msg);
/* Acknowledge received bytes when the window says so. May yield. */
int sr_rtmp_conn__maybe_ack(sr_rtmp_conn_t *c);
/* Resolve the vhost of c->req (after the stream name is known) into c->vhost.
 * Returns -SR_EVHOST_NOT_FOUND / -SR_EVHOST_DISABLED. */
int sr_rtmp_conn__resolve_vhost(sr_rtmp_conn_t *c);

/* Run the publish phase for `publish` (cmd borrowed). Returns when the publisher stops. May yield. */
int sr_rtmp_publish_run(sr_rtmp_conn_t *c, const sr_rtmp_command_t *cmd);
/* Run the play phase for `play` (cmd borrowed). Returns when the player leaves. May yield. */
int sr_rtmp_play_run(sr_rtmp_conn_t *c, const sr_rtmp_command_t *cmd);

SR_END_DECLS

#endif
