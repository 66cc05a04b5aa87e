/* SPDX-License-Identifier: MIT */
/*
 * sr_rtmp_client.h: the client side of an RTMP session over a connected byte stream:
 * the handshake and connect, then publish (releaseStream, FCPublish, createStream,
 * publish) or play (createStream, play), each waiting for the server's answer and
 * following its chunk size on the way. Afterwards the caller moves media with the
 * reader and writer. For forward, edge pulls and pushes, and the load generator.
 *
 * Not here: DNS (the caller connects), reconnecting, what to do with the media.
 */
#ifndef SR_RTMP_CLIENT_H
#define SR_RTMP_CLIENT_H

#include "sr_core.h"
#include "sr_io.h"
#include "sr_rtmp_chunk.h"

SR_BEGIN_DECLS

typedef struct sr_rtmp_client sr_rtmp_client_t;

/* A client on io (borrowed: it must outlive the client). Never NULL. */
sr_rtmp_client_t *sr_rtmp_client_new(sr_io_t *io);
/* Free the client with its reader and writer. NULL ok. */
void sr_rtmp_client_free(sr_rtmp_client_t *c);
/* Handshake (complex or simple), announce our chunk size, connect to app with tc_url
 * and wait for the _result. -SR_ERTMP_COMMAND with the server's reason on an _error.
 * May yield. */
int sr_rtmp_client_connect(sr_rtmp_client_t *c, const char *app, const char *tc_url, bool is_complex);
/* Publish stream ("name?params") as an encoder does and wait for the onStatus: an
 * error-level status (busy, denied) is -SR_ERTMP_CLOSE with its code in the trail.
 * May yield. */
int sr_rtmp_client_publish(sr_rtmp_client_t *c, const char *stream);
/* Play stream and wait for the first onStatus, as publish does. May yield. */
int sr_rtmp_client_play(sr_rtmp_client_t *c, const char *stream);
/* After publish or play: handle one message from the server that is not media: Set
 * Chunk Size, Window Acknowledgement Size, Ping Request (answered, not flushed),
 * onStatus (its code copied into status, "" for anything else). An error-level status
 * is -SR_ERTMP_CLOSE with its code in the trail. Never yields. */
int sr_rtmp_client_on_message(sr_rtmp_client_t *c, const sr_rtmp_msg_t *msg, char *status, size_t status_size);
/* Acknowledge what was received once the server's window is full (RTMP 5.4.3), flushed.
 * May yield. */
int sr_rtmp_client_ack(sr_rtmp_client_t *c);
/* The message stream id the server gave (0 before publish/play). */
uint32_t sr_rtmp_client_stream_id(const sr_rtmp_client_t *c);
/* Owned by the client. */
sr_rtmp_reader_t *sr_rtmp_client_reader(sr_rtmp_client_t *c);
sr_rtmp_writer_t *sr_rtmp_client_writer(sr_rtmp_client_t *c);

SR_END_DECLS

#endif
