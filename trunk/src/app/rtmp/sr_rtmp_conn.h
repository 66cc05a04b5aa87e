/* SPDX-License-Identifier: MIT */
/*
 * sr_rtmp_conn.h: one RTMP client connection, from handshake through connect and
 * createStream to publishing or playing. Each runs in its own coroutine.
 */
#ifndef SR_RTMP_CONN_H
#define SR_RTMP_CONN_H

#include "sr_config_server.h"
#include "sr_consumer.h"
#include "sr_core.h"
#include "sr_listener.h"

SR_BEGIN_DECLS

struct sr_server;
struct sr_sock;

/* Serve an accepted socket (ownership moves to the connection) in a new coroutine. */
void sr_rtmp_conn_start(struct sr_server *server, struct sr_sock *sock);
/* The RTMP listeners: the top-level `listen` addresses, TCP. */
extern const sr_listen_proto_t sr_rtmp_listen_proto;
/* The RTMPS listener: rtmps.listen when rtmps is enabled, TCP, each connection in TLS
 * with rtmps' certificate. */
extern const sr_listen_proto_t sr_rtmps_listen_proto;

SR_END_DECLS

#endif
