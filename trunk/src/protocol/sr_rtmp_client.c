/* SPDX-License-Identifier: MIT */
/*
 * sr_rtmp_client.c: the client session (see sr_rtmp_client.h). Every wait reads
 * messages until the answer it wants, applying Set Chunk Size and dropping the rest
 * (window, bandwidth, onBWDone, |RtmpSampleAccess); the socket's own timeouts bound it.
 */
#include "sr_rtmp_client.h"

#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_amf0.h"
#include "sr_bytes.h"
#include "sr_error.h"
#include "sr_rtmp_command.h"
#include "sr_rtmp_control.h"
#include "sr_rtmp_handshake.h"

/* Our chunk size (the server's is whatever it announces). */
#define SR_RTMP_CLIENT_CHUNK 60000
/* Chunk stream of our commands. */
#define SR_RTMP_CLIENT_CSID_COMMAND 3

struct sr_rtmp_client {
    sr_io_t *io;
    sr_rtmp_reader_t *rd;
    sr_rtmp_writer_t *wr;
    sr_buf_t b;
    uint32_t stream_id;
    uint32_t ack_window; /* the server's Window Acknowledgement Size, 0 none */
    uint64_t acked_bytes;
};

sr_rtmp_client_t *sr_rtmp_client_new(sr_io_t *io)
{
    sr_rtmp_client_t *c = SR_NEW(sr_rtmp_client_t);
    c->io = io;
    c->rd = sr_rtmp_reader_new(io);
    c->wr = sr_rtmp_writer_new(io);
    sr_buf_init(&c->b);
    return c;
}

void sr_rtmp_client_free(sr_rtmp_client_t *c)
{
    if (c) {
        sr_rtmp_reader_free(c->rd);
        sr_rtmp_writer_free(c->wr);
        sr_buf_deinit(&c->b);
        sr_free(c);
    }
}

/* Send the command in c->b on stream sid. */
static int sr_rtmp_client_command(sr_rtmp_client_t *c, uint32_t sid)
{
    int rc = sr_rtmp_writer_add_bytes(c->wr, SR_RTMP_CLIENT_CSID_COMMAND, SR_RTMP_MSG_AMF0_COMMAND, sid, 0, c->b.data,
                                      c->b.len);
    sr_buf_reset(&c->b);
    return rc;
}

/* What one command message means for a wait for transaction tid (0: an onStatus). */
static int sr_rtmp_client_on_command(const sr_rtmp_command_t *cmd, double tid, double *value, bool *is_found)
{
    if (strcmp(cmd->name, SR_RTMP_CMD_ERROR) == 0 && (cmd->transaction_id == tid || tid == 0)) {
        const sr_amf0_t *info = cmd->nargs > 0 ? cmd->args[0] : NULL;
        const char *code = info ? sr_amf0_object_get_string(info, "code") : NULL;
        return sr_err_new(SR_ERTMP_COMMAND, "_error to transaction %.0f: %s", cmd->transaction_id,
                          code ? code : "(no code)");
    }
    if (tid > 0 && strcmp(cmd->name, SR_RTMP_CMD_RESULT) == 0 && cmd->transaction_id == tid) {
        *value = sr_rtmp_command_arg_number(cmd, 0, 1);
        *is_found = true;
    } else if (tid == 0 && strcmp(cmd->name, SR_RTMP_CMD_ON_STATUS) == 0 && cmd->nargs > 0) {
        const char *level = sr_amf0_object_get_string(cmd->args[0], "level");
        const char *code = sr_amf0_object_get_string(cmd->args[0], "code");
        const char *why = sr_amf0_object_get_string(cmd->args[0], "description");
        *is_found = true;
        if (level && strcmp(level, SR_RTMP_LEVEL_ERROR) == 0) {
            return sr_err_new(SR_ERTMP_CLOSE, "refused: %s (%s)", code ? code : "(no code)", why ? why : "");
        }
    }
    return SR_OK;
}

/* Flush, then read until the _result of transaction tid (its first argument in
 * *value) or, with tid 0, the first onStatus. May yield. */
static int sr_rtmp_client_wait(sr_rtmp_client_t *c, double tid, double *value)
{
    int rc = sr_rtmp_writer_flush(c->wr);
    bool is_found = false;
    while (rc == SR_OK && !is_found) {
        sr_rtmp_msg_t m;
        if ((rc = sr_rtmp_reader_read(c->rd, &m)) != SR_OK) {
            return rc;
        }
        uint32_t v;
        sr_rtmp_command_t cmd;
        if (m.type == SR_RTMP_MSG_SET_CHUNK_SIZE &&
            sr_rtmp_control_parse_u32(m.payload->data, m.payload->size, &v) == SR_OK) {
            rc = sr_rtmp_reader_set_chunk_size(c->rd, v & 0x7fffffff);
        } else if (m.type == SR_RTMP_MSG_AMF0_COMMAND &&
                   sr_rtmp_command_parse(m.payload->data, m.payload->size, false, &cmd) == SR_OK) {
            rc = sr_rtmp_client_on_command(&cmd, tid, value, &is_found);
            sr_rtmp_command_deinit(&cmd);
        }
        sr_payload_unref(m.payload);
    }
    return rc;
}

int sr_rtmp_client_connect(sr_rtmp_client_t *c, const char *app, const char *tc_url, bool is_complex)
{
    int rc = sr_rtmp_handshake_client(c->io, is_complex);
    if (rc != SR_OK) {
        return sr_err_wrap(rc, "handshake");
    }
    uint8_t cs[SR_RTMP_CONTROL_U32_BYTES];
    sr_rtmp_control_encode_set_chunk_size(cs, SR_RTMP_CLIENT_CHUNK);
    rc = sr_rtmp_writer_add_bytes(c->wr, SR_RTMP_CSID_CONTROL, SR_RTMP_MSG_SET_CHUNK_SIZE, 0, 0, cs, sizeof(cs));
    sr_rtmp_writer_set_chunk_size(c->wr, SR_RTMP_CLIENT_CHUNK);
    sr_rtmp_connect_args_t a = {.app = app, .tc_url = tc_url};
    sr_rtmp_build_connect(&c->b, 1, &a);
    double v = 0;
    if (rc == SR_OK && (rc = sr_rtmp_client_command(c, 0)) == SR_OK) {
        rc = sr_rtmp_client_wait(c, 1, &v);
    }
    return rc == SR_OK ? SR_OK : sr_err_wrap(rc, "connect %s", tc_url);
}

/* createStream (transaction tid) and remember the stream id. May yield. */
static int sr_rtmp_client_create_stream(sr_rtmp_client_t *c, double tid)
{
    sr_rtmp_build_create_stream(&c->b, tid);
    double v = 0;
    int rc = sr_rtmp_client_command(c, 0);
    if (rc == SR_OK && (rc = sr_rtmp_client_wait(c, tid, &v)) == SR_OK) {
        c->stream_id = (uint32_t)v;
    }
    return rc;
}

int sr_rtmp_client_publish(sr_rtmp_client_t *c, const char *stream)
{
    sr_rtmp_build_stream_call(&c->b, SR_RTMP_CMD_RELEASE_STREAM, 2, stream);
    int rc = sr_rtmp_client_command(c, 0);
    if (rc == SR_OK) {
        sr_rtmp_build_stream_call(&c->b, SR_RTMP_CMD_FC_PUBLISH, 3, stream);
        rc = sr_rtmp_client_command(c, 0);
    }
    if (rc == SR_OK && (rc = sr_rtmp_client_create_stream(c, 4)) == SR_OK) {
        sr_rtmp_build_publish(&c->b, 5, stream, "live");
        double v = 0;
        if ((rc = sr_rtmp_client_command(c, c->stream_id)) == SR_OK) {
            rc = sr_rtmp_client_wait(c, 0, &v);
        }
    }
    return rc == SR_OK ? SR_OK : sr_err_wrap(rc, "publish");
}

int sr_rtmp_client_play(sr_rtmp_client_t *c, const char *stream)
{
    int rc = sr_rtmp_client_create_stream(c, 2);
    if (rc == SR_OK) {
        sr_rtmp_build_play(&c->b, 3, stream, -2); /* -2: live, or recorded if there were any */
        double v = 0;
        if ((rc = sr_rtmp_client_command(c, c->stream_id)) == SR_OK) {
            rc = sr_rtmp_client_wait(c, 0, &v);
        }
    }
    return rc == SR_OK ? SR_OK : sr_err_wrap(rc, "play");
}

static int sr_rtmp_client_on_user_control(sr_rtmp_client_t *c, const sr_rtmp_msg_t *msg)
{
    sr_rtmp_user_control_t uc;
    if (sr_rtmp_control_parse_user_control(msg->payload->data, msg->payload->size, &uc) != SR_OK) {
        return sr_err_new(SR_ERTMP_MESSAGE, "malformed user control message (%u bytes)", msg->payload->size);
    }
    if (uc.event != SR_RTMP_UC_PING_REQUEST) {
        return SR_OK;
    }
    sr_rtmp_user_control_t pong = {SR_RTMP_UC_PING_RESPONSE, uc.data, 0};
    uint8_t body[SR_RTMP_USER_CONTROL_MAX_BYTES];
    size_t n = sr_rtmp_control_encode_user_control(body, &pong);
    return sr_rtmp_writer_add_bytes(c->wr, SR_RTMP_CSID_CONTROL, SR_RTMP_MSG_USER_CONTROL, 0, 0, body, n);
}

int sr_rtmp_client_on_message(sr_rtmp_client_t *c, const sr_rtmp_msg_t *msg, char *status, size_t status_size)
{
    if (status_size > 0) {
        status[0] = '\0';
    }
    uint32_t v;
    switch (msg->type) {
    case SR_RTMP_MSG_SET_CHUNK_SIZE:
        if (sr_rtmp_control_parse_u32(msg->payload->data, msg->payload->size, &v) != SR_OK) {
            return sr_err_new(SR_ERTMP_MESSAGE, "malformed set chunk size");
        }
        return sr_rtmp_reader_set_chunk_size(c->rd, v & 0x7fffffff);
    case SR_RTMP_MSG_WINDOW_ACK_SIZE:
        if (sr_rtmp_control_parse_u32(msg->payload->data, msg->payload->size, &v) == SR_OK) {
            c->ack_window = v;
        }
        return SR_OK;
    case SR_RTMP_MSG_USER_CONTROL:
        return sr_rtmp_client_on_user_control(c, msg);
    case SR_RTMP_MSG_AMF0_COMMAND: {
        sr_rtmp_command_t cmd;
        if (sr_rtmp_command_parse(msg->payload->data, msg->payload->size, false, &cmd) != SR_OK) {
            return sr_err_new(SR_ERTMP_COMMAND, "malformed command from the server");
        }
        int rc = SR_OK;
        if (strcmp(cmd.name, SR_RTMP_CMD_ON_STATUS) == 0 && cmd.nargs > 0) {
            const char *level = sr_amf0_object_get_string(cmd.args[0], "level");
            const char *code = sr_amf0_object_get_string(cmd.args[0], "code");
            snprintf(status, status_size, "%s", code ? code : "");
            if (level && strcmp(level, SR_RTMP_LEVEL_ERROR) == 0) {
                rc = sr_err_new(SR_ERTMP_CLOSE, "server status %s", code ? code : "(no code)");
            }
        }
        sr_rtmp_command_deinit(&cmd);
        return rc;
    }
    default:
        return SR_OK;
    }
}

int sr_rtmp_client_ack(sr_rtmp_client_t *c)
{
    uint64_t received = c->io->recv_bytes;
    if (c->ack_window == 0 || received - c->acked_bytes < c->ack_window) {
        return SR_OK;
    }
    c->acked_bytes = received;
    uint8_t body[SR_RTMP_CONTROL_U32_BYTES];
    sr_rtmp_control_encode_ack(body, (uint32_t)received);
    int rc = sr_rtmp_writer_add_bytes(c->wr, SR_RTMP_CSID_CONTROL, SR_RTMP_MSG_ACK, 0, 0, body, sizeof(body));
    return rc == SR_OK ? sr_rtmp_writer_flush(c->wr) : rc;
}

uint32_t sr_rtmp_client_stream_id(const sr_rtmp_client_t *c)
{
    return c->stream_id;
}

sr_rtmp_reader_t *sr_rtmp_client_reader(sr_rtmp_client_t *c)
{
    return c->rd;
}

sr_rtmp_writer_t *sr_rtmp_client_writer(sr_rtmp_client_t *c)
{
    return c->wr;
}
