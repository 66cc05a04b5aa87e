/* SPDX-License-Identifier: MIT */
/*
 * sr_rtmp_conn.c: an RTMP connection's life up to publish or play: handshake, the
 * connect command (vhost discovery, window/bandwidth/chunk-size announcements),
 * createStream and the FMLE calls, then hand-over to the publish or play phase.
 * Everything a peer sends is bounded by timeouts; a malformed message ends the
 * connection with one log line. An rtmps connection is the same over a TLS session
 * whose handshake comes first, within the RTMP handshake's timeout.
 */
#include "sr_rtmp_conn.h"

#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_amf0.h"
#include "sr_consts.h"
#include "sr_edge.h"
#include "sr_error.h"
#include "sr_http_hooks.h"
#include "sr_log.h"
#include "sr_rtmp_conn_internal.h"
#include "sr_rtmp_control.h"
#include "sr_rtmp_handshake.h"
#include "sr_time.h"
#include "sr_tls.h"

/* ---- sending helpers ---- */

int sr_rtmp_conn__send_scratch(sr_rtmp_conn_t *c, uint32_t csid, uint8_t type, uint32_t stream_id)
{
    int rc = sr_rtmp_writer_add_bytes(c->writer, csid, type, stream_id, 0, c->scratch.data, c->scratch.len);
    sr_buf_reset(&c->scratch);
    if (rc == SR_OK) {
        rc = sr_rtmp_writer_flush(c->writer);
    }
    return rc;
}

int sr_rtmp_conn__send_status(sr_rtmp_conn_t *c, const char *level, const char *code, const char *desc)
{
    sr_rtmp_status_t st = {level, code, desc, c->req.stream, c->client.cid};
    sr_buf_reset(&c->scratch);
    sr_rtmp_build_on_status(&c->scratch, &st);
    return sr_rtmp_conn__send_scratch(c, SR_RTMP_CSID_COMMAND, SR_RTMP_MSG_AMF0_COMMAND, SR_RTMP_STREAM_ID);
}

static int sr_rtmp_conn_send_u32(sr_rtmp_conn_t *c, uint8_t type, uint32_t value)
{
    uint8_t body[SR_RTMP_CONTROL_U32_BYTES];
    sr_put_be32(body, value);
    return sr_rtmp_writer_add_bytes(c->writer, SR_RTMP_CSID_CONTROL, type, 0, 0, body, sizeof(body));
}

int sr_rtmp_conn__maybe_ack(sr_rtmp_conn_t *c)
{
    uint64_t received = c->io->recv_bytes;
    if (c->ack_window == 0 || received - c->acked_bytes < c->ack_window) {
        return SR_OK;
    }
    c->acked_bytes = received;
    int rc = sr_rtmp_conn_send_u32(c, SR_RTMP_MSG_ACK, (uint32_t)received);
    return rc == SR_OK ? sr_rtmp_writer_flush(c->writer) : rc;
}

/* ---- protocol control ---- */

static int sr_rtmp_conn_on_user_control(sr_rtmp_conn_t *c, const sr_rtmp_msg_t *msg)
{
    sr_rtmp_user_control_t uc;
    int rc = sr_rtmp_control_parse_user_control(msg->payload->data, msg->payload->size, &uc);
    if (rc != SR_OK) {
        return sr_err_new(SR_ERTMP_MESSAGE, "malformed user control message (%u bytes)", msg->payload->size);
    }
    if (uc.event != SR_RTMP_UC_PING_REQUEST) {
        return SR_OK; /* set buffer length, ping responses: nothing to do */
    }
    sr_rtmp_user_control_t pong = {SR_RTMP_UC_PING_RESPONSE, uc.data, 0};
    uint8_t body[SR_RTMP_USER_CONTROL_MAX_BYTES];
    size_t n = sr_rtmp_control_encode_user_control(body, &pong);
    rc = sr_rtmp_writer_add_bytes(c->writer, SR_RTMP_CSID_CONTROL, SR_RTMP_MSG_USER_CONTROL, 0, 0, body, n);
    return rc == SR_OK ? sr_rtmp_writer_flush(c->writer) : rc;
}

int sr_rtmp_conn__on_control(sr_rtmp_conn_t *c, const sr_rtmp_msg_t *msg)
{
    uint32_t v = 0;
    const uint8_t *d = msg->payload->data;
    size_t n = msg->payload->size;
    switch (msg->type) {
    case SR_RTMP_MSG_SET_CHUNK_SIZE:
        if (sr_rtmp_control_parse_u32(d, n, &v) != SR_OK || sr_rtmp_reader_set_chunk_size(c->reader, v) != SR_OK) {
            return sr_err_new(SR_ERTMP_MESSAGE, "bad set chunk size (%u bytes, value %u)", (unsigned)n, v);
        }
        return SR_OK;
    case SR_RTMP_MSG_ABORT:
        if (sr_rtmp_control_parse_u32(d, n, &v) != SR_OK) {
            return sr_err_new(SR_ERTMP_MESSAGE, "bad abort message");
        }
        sr_rtmp_reader_abort(c->reader, v);
        return SR_OK;
    case SR_RTMP_MSG_WINDOW_ACK_SIZE:
        if (sr_rtmp_control_parse_u32(d, n, &v) != SR_OK) {
            return sr_err_new(SR_ERTMP_MESSAGE, "bad window acknowledgement size");
        }
        if (c->vhost.in_ack_size == 0) {
            c->ack_window = v;
        }
        return SR_OK;
    case SR_RTMP_MSG_USER_CONTROL:
        return sr_rtmp_conn_on_user_control(c, msg);
    default: /* acknowledgements, peer bandwidth, shared objects: nothing to do */
        return SR_OK;
    }
}

static bool sr_rtmp_conn_is_control(uint8_t type)
{
    return type >= SR_RTMP_MSG_SET_CHUNK_SIZE && type <= SR_RTMP_MSG_SET_PEER_BANDWIDTH;
}

/* ---- vhost ---- */

int sr_rtmp_conn__resolve_vhost(sr_rtmp_conn_t *c)
{
    const sr_vhost_config_t *v = sr_server_config_vhost(sr_server_config(c->server), c->req.vhost);
    if (!v) {
        return sr_err_new(SR_EVHOST_NOT_FOUND, "vhost '%s' is not configured and there is no %s", c->req.vhost,
                          SR_DEFAULT_VHOST);
    }
    if (!v->is_enabled) {
        return sr_err_new(SR_EVHOST_DISABLED, "vhost '%s' is disabled", v->name);
    }
    sr_server_config_vhost_detach(&c->vhost, v);
    sr_request_set(&c->req, SR_REQUEST_VHOST, "%s", v->name);
    snprintf(c->client.vhost, sizeof(c->client.vhost), "%s", v->name);
    if (c->vhost.in_ack_size > 0) {
        c->ack_window = (uint32_t)c->vhost.in_ack_size;
    }
    return SR_OK;
}

/* ---- connect ---- */

static int sr_rtmp_conn_reject(sr_rtmp_conn_t *c, double tid, int rc)
{
    sr_buf_reset(&c->scratch);
    sr_rtmp_build_error(&c->scratch, tid, SR_RTMP_STATUS_CONNECT_REJECTED, sr_err_text(rc));
    sr_rtmp_conn__send_scratch(c, SR_RTMP_CSID_COMMAND, SR_RTMP_MSG_AMF0_COMMAND, 0);
    return rc;
}

static int sr_rtmp_conn_on_connect(sr_rtmp_conn_t *c, const sr_rtmp_command_t *cmd)
{
    const sr_amf0_t *o = cmd->command_object;
    const char *app = o ? sr_amf0_object_get_string(o, "app") : NULL;
    const char *tc_url = o ? sr_amf0_object_get_string(o, "tcUrl") : NULL;
    if (!app) {
        return sr_err_new(SR_ERTMP_COMMAND, "connect without an app");
    }
    int port = sr_server_config(c->server)->listens[0].port;
    int rc = sr_request_from_connect(&c->req, tc_url, app, port);
    if (rc != SR_OK) {
        return sr_rtmp_conn_reject(c, cmd->transaction_id, rc);
    }
    sr_request_set(&c->req, SR_REQUEST_PAGE_URL, "%s", o ? sr_amf0_object_get_string(o, "pageUrl") ?: "" : "");
    sr_request_set(&c->req, SR_REQUEST_SWF_URL, "%s", o ? sr_amf0_object_get_string(o, "swfUrl") ?: "" : "");
    c->req.object_encoding = o ? sr_amf0_object_get_number(o, "objectEncoding", 0) : 0;
    sr_request_set(&c->req, SR_REQUEST_IP, "%s", c->client.ip);
    rc = sr_rtmp_conn__resolve_vhost(c);
    if (rc == SR_OK) {
        rc = sr_hooks_on_connect(c->server, c->client.cid, &c->req);
    }
    if (rc == SR_OK) {
        rc = sr_edge_check_connect(c->server, &c->req); /* token_traverse */
    }
    if (rc != SR_OK) {
        return sr_rtmp_conn_reject(c, cmd->transaction_id, rc);
    }
    c->is_connected = true;
    c->client.req = &c->req;
    sr_trace("connect tcUrl=%s app=%s vhost=%s ip=%s", c->req.tc_url, c->req.app, c->req.vhost, c->client.ip);
    /* Window ack size, peer bandwidth and our chunk size, then the result (RTMP 7.2.1.1). */
    uint8_t bw[SR_RTMP_PEER_BANDWIDTH_BYTES];
    sr_rtmp_control_encode_set_peer_bandwidth(bw, (uint32_t)c->vhost.out_ack_size, SR_RTMP_LIMIT_DYNAMIC);
    if ((rc = sr_rtmp_conn_send_u32(c, SR_RTMP_MSG_WINDOW_ACK_SIZE, (uint32_t)c->vhost.out_ack_size)) ||
        (rc = sr_rtmp_writer_add_bytes(c->writer, SR_RTMP_CSID_CONTROL, SR_RTMP_MSG_SET_PEER_BANDWIDTH, 0, 0, bw,
                                       sizeof(bw))) ||
        (rc = sr_rtmp_conn_send_u32(c, SR_RTMP_MSG_SET_CHUNK_SIZE, (uint32_t)c->vhost.chunk_size))) {
        return rc;
    }
    sr_rtmp_writer_set_chunk_size(c->writer, (uint32_t)c->vhost.chunk_size);
    /* _result and onBWDone in one write: two small writes would meet Nagle and the
     * client's delayed ACK and cost ~40 ms before createStream is answered. */
    sr_buf_reset(&c->scratch);
    sr_rtmp_build_connect_result(&c->scratch, cmd->transaction_id, c->req.object_encoding);
    rc = sr_rtmp_writer_add_bytes(c->writer, SR_RTMP_CSID_COMMAND, SR_RTMP_MSG_AMF0_COMMAND, 0, 0, c->scratch.data,
                                  c->scratch.len);
    if (rc != SR_OK) {
        return rc;
    }
    sr_buf_reset(&c->scratch);
    sr_rtmp_build_on_bw_done(&c->scratch);
    return sr_rtmp_conn__send_scratch(c, SR_RTMP_CSID_COMMAND, SR_RTMP_MSG_AMF0_COMMAND, 0);
}

/* ---- commands before publish/play ---- */

/* Read the next command, handling control messages on the way. Other messages
 * (media before publish) are dropped. */
static int sr_rtmp_conn_read_command(sr_rtmp_conn_t *c, sr_rtmp_command_t *cmd)
{
    for (;;) {
        sr_rtmp_msg_t msg;
        int rc = sr_co_pull();
        if (rc == SR_OK) {
            rc = sr_rtmp_reader_read(c->reader, &msg);
        }
        if (rc != SR_OK) {
            return rc;
        }
        if (sr_rtmp_conn_is_control(msg.type)) {
            rc = sr_rtmp_conn__on_control(c, &msg);
        } else if (msg.type == SR_RTMP_MSG_AMF0_COMMAND || msg.type == SR_RTMP_MSG_AMF3_COMMAND) {
            rc = sr_rtmp_command_parse(msg.payload->data, msg.payload->size, msg.type == SR_RTMP_MSG_AMF3_COMMAND, cmd);
            sr_payload_unref(msg.payload);
            if (rc != SR_OK) {
                return sr_err_new(SR_ERTMP_COMMAND, "malformed command message");
            }
            return sr_rtmp_conn__maybe_ack(c);
        }
        sr_payload_unref(msg.payload);
        if (rc == SR_OK) {
            rc = sr_rtmp_conn__maybe_ack(c);
        }
        if (rc != SR_OK) {
            return rc;
        }
    }
}

static int sr_rtmp_conn_reply_undefined(sr_rtmp_conn_t *c, double tid)
{
    sr_buf_reset(&c->scratch);
    sr_rtmp_build_result_undefined(&c->scratch, tid);
    return sr_rtmp_conn__send_scratch(c, SR_RTMP_CSID_COMMAND, SR_RTMP_MSG_AMF0_COMMAND, 0);
}

/* Returns SR_OK to keep reading commands; a publish or play phase that ends cleanly
 * (FCUnpublish, closeStream) returns here too, so the client may go on (deleteStream,
 * another publish) on the same connection. */
static int sr_rtmp_conn_dispatch(sr_rtmp_conn_t *c, const sr_rtmp_command_t *cmd)
{
    const char *name = cmd->name;
    if (strcmp(name, SR_RTMP_CMD_CREATE_STREAM) == 0) {
        sr_buf_reset(&c->scratch);
        sr_rtmp_build_result_number(&c->scratch, cmd->transaction_id, SR_RTMP_STREAM_ID);
        return sr_rtmp_conn__send_scratch(c, SR_RTMP_CSID_COMMAND, SR_RTMP_MSG_AMF0_COMMAND, 0);
    }
    if (strcmp(name, SR_RTMP_CMD_RELEASE_STREAM) == 0 || strcmp(name, SR_RTMP_CMD_FC_PUBLISH) == 0) {
        c->is_fmle = true;
        return sr_rtmp_conn_reply_undefined(c, cmd->transaction_id);
    }
    if (strcmp(name, SR_RTMP_CMD_GET_STREAM_LENGTH) == 0) {
        sr_buf_reset(&c->scratch);
        sr_rtmp_build_result_number(&c->scratch, cmd->transaction_id, 0);
        return sr_rtmp_conn__send_scratch(c, SR_RTMP_CSID_COMMAND, SR_RTMP_MSG_AMF0_COMMAND, 0);
    }
    if (strcmp(name, SR_RTMP_CMD_PUBLISH) == 0) {
        return sr_rtmp_publish_run(c, cmd);
    }
    if (strcmp(name, SR_RTMP_CMD_PLAY) == 0) {
        return sr_rtmp_play_run(c, cmd);
    }
    if (strcmp(name, SR_RTMP_CMD_CONNECT) == 0) {
        return sr_err_new(SR_ERTMP_COMMAND, "connect sent twice");
    }
    /* deleteStream, closeStream, FCUnpublish outside a phase, _checkbw, ...: nothing to do. */
    sr_verbose("ignore command %s", name);
    return SR_OK;
}

static int sr_rtmp_conn_serve(sr_rtmp_conn_t *c)
{
    sr_rtmp_handshake_info_t hs;
    sr_sock_set_timeouts(c->sock, SR_HANDSHAKE_TIMEOUT_US, SR_HANDSHAKE_TIMEOUT_US);
    if (c->tls) {
        int rc = sr_tls_handshake(c->tls, sr_time_mono_us() + SR_HANDSHAKE_TIMEOUT_US);
        if (rc != SR_OK) {
            return sr_err_wrap(rc, "rtmps handshake");
        }
    }
    int rc = sr_rtmp_handshake_server(c->io, &hs);
    if (rc != SR_OK) {
        return sr_err_wrap(rc, "handshake");
    }
    sr_rtmp_command_t cmd;
    if ((rc = sr_rtmp_conn_read_command(c, &cmd)) != SR_OK) {
        return sr_err_wrap(rc, "read connect");
    }
    if (strcmp(cmd.name, SR_RTMP_CMD_CONNECT) != 0) {
        rc = sr_err_new(SR_ERTMP_COMMAND, "expected connect, got '%s'", cmd.name);
    } else {
        rc = sr_rtmp_conn_on_connect(c, &cmd);
    }
    sr_rtmp_command_deinit(&cmd);
    if (rc != SR_OK) {
        return sr_err_wrap(rc, "connect");
    }
    sr_sock_set_timeouts(c->sock, SR_RECV_TIMEOUT_US, SR_SEND_TIMEOUT_US);
    for (;;) {
        if ((rc = sr_rtmp_conn_read_command(c, &cmd)) != SR_OK) {
            return rc;
        }
        rc = sr_rtmp_conn_dispatch(c, &cmd);
        sr_rtmp_command_deinit(&cmd);
        if (rc != SR_OK) {
            return rc;
        }
    }
}

/* ---- lifecycle ---- */

static void sr_rtmp_conn_cycle(void *arg)
{
    sr_rtmp_conn_t *c = arg;
    int rc = sr_rtmp_conn_serve(c);
    const char *who = c->client.type ? c->client.type : c->tls ? "rtmps" : "rtmp";
    if (rc == SR_OK || sr_err_is_peer_close(rc) || sr_err_is_interrupted(rc)) {
        sr_trace("%s %s closed (%s), recv=%llu send=%llu", who, c->client.ip, rc == SR_OK ? "done" : sr_err_name(rc),
                 (unsigned long long)c->io->recv_bytes, (unsigned long long)c->io->send_bytes);
    } else {
        sr_warn("%s %s closed: %s %s", who, c->client.ip, sr_err_name(rc), sr_err_trail());
    }
    if (c->is_connected) {
        sr_hooks_on_close(c->server, c->client.cid, &c->req, c->io->send_bytes, c->io->recv_bytes);
    }
    sr_server_client_remove(c->server, &c->client,
                            !(rc == SR_OK || sr_err_is_peer_close(rc) || sr_err_is_interrupted(rc)));
    if (c->tls && rc == SR_OK) {
        sr_sock_set_timeouts(c->sock, SR_HANDSHAKE_TIMEOUT_US, SR_HANDSHAKE_TIMEOUT_US);
        sr_tls_shutdown(c->tls);
    }
    sr_rtmp_reader_free(c->reader);
    sr_rtmp_writer_free(c->writer);
    sr_tls_free(c->tls);
    sr_buf_deinit(&c->scratch);
    sr_request_deinit(&c->req); /* the client, which pointed at it, is removed */
    sr_sock_close(c->sock);
    sr_free(c);
}

/* tls: a server context for rtmps (the connection takes its own reference), or NULL. */
static void sr_rtmp_conn_start_with(sr_server_t *server, sr_sock_t *sock, sr_tls_ctx_t *tls)
{
    sr_rtmp_conn_t *c = SR_NEW(sr_rtmp_conn_t);
    c->server = server;
    c->sock = sock;
    c->io = sr_sock_io(sock);
    if (tls && sr_tls_new_server(tls, c->io, &c->tls) != SR_OK) {
        sr_error("rtmps %s: %s", sr_sock_peer_ip(sock), sr_err_trail());
        sr_sock_close(sock);
        sr_free(c);
        return;
    }
    if (c->tls) {
        c->io = sr_tls_io(c->tls);
    }
    /* We batch writes ourselves (writev of whole message sets), so Nagle only adds delay:
     * the RTMP command exchange would wait on delayed ACKs. */
    sr_sock_set_nodelay(sock, true);
    c->reader = sr_rtmp_reader_new(c->io);
    c->writer = sr_rtmp_writer_new(c->io);
    sr_buf_init(&c->scratch);
    sr_request_init(&c->req);
    sr_server_client_start(server, &c->client, sr_sock_peer_ip(sock), c->io, sr_rtmp_conn_cycle, c);
}

void sr_rtmp_conn_start(sr_server_t *server, sr_sock_t *sock)
{
    sr_rtmp_conn_start_with(server, sock, NULL);
}

static int sr_rtmp_conn_addresses(const sr_listen_proto_t *self, const sr_server_config_t *c, sr_listen_addr_t *out,
                                  int max)
{
    SR_UNUSED(self);
    int n = SR_MIN(c->listen_count, max);
    memcpy(out, c->listens, (size_t)n * sizeof(*out));
    return n;
}

static void sr_rtmp_conn_accept(sr_server_t *server, sr_sock_t *sock, unsigned roles)
{
    SR_UNUSED(roles);
    sr_rtmp_conn_start(server, sock);
}

const sr_listen_proto_t sr_rtmp_listen_proto = {
    .name = "rtmp",
    .role = SR_ROLE_RTMP,
    .transport = SR_LISTEN_TCP,
    .addresses = sr_rtmp_conn_addresses,
    .accept = sr_rtmp_conn_accept,
};

static int sr_rtmps_conn_addresses(const sr_listen_proto_t *self, const sr_server_config_t *c, sr_listen_addr_t *out,
                                   int max)
{
    SR_UNUSED(self);
    return sr_listen_one(c->rtmps.is_enabled, &c->rtmps.addr, out, max);
}

/* The certificate of the config in force now: after a reload, new connections get the
 * new one while those in flight keep theirs. */
static void sr_rtmps_conn_accept(sr_server_t *server, sr_sock_t *sock, unsigned roles)
{
    SR_UNUSED(roles);
    sr_tls_ctx_t *tls = sr_server_config(server)->rtmps.ctx;
    if (!tls) {
        sr_error("rtmps %s: no certificate loaded", sr_sock_peer_ip(sock));
        sr_sock_close(sock);
        return;
    }
    sr_rtmp_conn_start_with(server, sock, tls);
}

const sr_listen_proto_t sr_rtmps_listen_proto = {
    .name = "rtmps",
    .role = SR_ROLE_RTMP,
    .transport = SR_LISTEN_TCP,
    .addresses = sr_rtmps_conn_addresses,
    .accept = sr_rtmps_conn_accept,
};
