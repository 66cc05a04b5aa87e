/* SPDX-License-Identifier: MIT */
/*
 * sr_rtmp_publish.c: the publish phase of an RTMP connection, as wire code around a
 * publish session (sr_session.h): a stream that is busy or refused by a hook gets
 * NetStream.Publish.BadName and the connection is closed while the first publisher
 * keeps going; then every audio/video/data message becomes a packet for the session
 * without copying its payload. Idle publishers time out: firstpkt_timeout before the
 * first media message, normal_timeout after.
 */
#include <stdio.h>
#include <string.h>

#include "sr_consts.h"
#include "sr_error.h"
#include "sr_forward.h"
#include "sr_log.h"
#include "sr_packet.h"
#include "sr_rtmp_conn_internal.h"
#include "sr_rtmp_ingest.h"
#include "sr_session.h"

typedef struct sr_rtmp_publish {
    sr_rtmp_conn_t *conn;
    sr_publish_t session;
    sr_rtmp_ingest_t ingest;
    bool has_media;
    uint64_t messages;
} sr_rtmp_publish_t;

static void sr_rtmp_publish_emit(void *arg, const sr_packet_t *pkt)
{
    sr_rtmp_publish_t *p = arg;
    sr_publish_frame(&p->session, pkt);
}

static int sr_rtmp_publish_on_command(sr_rtmp_publish_t *p, const sr_rtmp_msg_t *msg, bool *is_done)
{
    sr_rtmp_conn_t *c = p->conn;
    sr_rtmp_command_t cmd;
    if (sr_rtmp_command_parse(msg->payload->data, msg->payload->size, msg->type == SR_RTMP_MSG_AMF3_COMMAND, &cmd)) {
        return sr_err_new(SR_ERTMP_COMMAND, "malformed command while publishing");
    }
    int rc = SR_OK;
    if (strcmp(cmd.name, SR_RTMP_CMD_FC_UNPUBLISH) == 0) {
        sr_buf_reset(&c->scratch);
        sr_rtmp_build_on_fc_unpublish(&c->scratch, SR_RTMP_STATUS_UNPUBLISH_SUCCESS, "Stop publishing");
        rc = sr_rtmp_conn__send_scratch(c, SR_RTMP_CSID_COMMAND, SR_RTMP_MSG_AMF0_COMMAND, SR_RTMP_STREAM_ID);
        if (rc == SR_OK) {
            sr_rtmp_build_result_undefined(&c->scratch, cmd.transaction_id);
            rc = sr_rtmp_conn__send_scratch(c, SR_RTMP_CSID_COMMAND, SR_RTMP_MSG_AMF0_COMMAND, 0);
        }
        *is_done = true;
    } else if (strcmp(cmd.name, SR_RTMP_CMD_DELETE_STREAM) == 0 || strcmp(cmd.name, SR_RTMP_CMD_CLOSE_STREAM) == 0) {
        *is_done = true;
    }
    sr_rtmp_command_deinit(&cmd);
    return rc;
}

static int sr_rtmp_publish_on_message(sr_rtmp_publish_t *p, sr_rtmp_msg_t *msg, bool *is_done)
{
    sr_rtmp_conn_t *c = p->conn;
    p->messages++;
    if (sr_rtmp_ingest_is_media(msg)) {
        bool is_av = msg->type == SR_RTMP_MSG_AUDIO || msg->type == SR_RTMP_MSG_VIDEO;
        if (is_av && msg->payload->size > 0 && !p->has_media) {
            p->has_media = true;
            sr_sock_set_timeouts(c->sock, (sr_utime_t)c->vhost.normal_timeout_ms * SR_UTIME_MS, SR_SEND_TIMEOUT_US);
        }
        return sr_rtmp_ingest_message(&p->ingest, msg, sr_rtmp_publish_emit, p);
    }
    if (msg->type == SR_RTMP_MSG_AMF0_COMMAND || msg->type == SR_RTMP_MSG_AMF3_COMMAND) {
        return sr_rtmp_publish_on_command(p, msg, is_done);
    }
    return sr_rtmp_conn__on_control(c, msg);
}

static int sr_rtmp_publish_loop(sr_rtmp_publish_t *p)
{
    sr_rtmp_conn_t *c = p->conn;
    bool is_done = false;
    sr_sock_set_timeouts(c->sock, (sr_utime_t)c->vhost.firstpkt_timeout_ms * SR_UTIME_MS, SR_SEND_TIMEOUT_US);
    while (!is_done) {
        sr_rtmp_msg_t msg;
        int rc = sr_co_pull();
        if (rc == SR_OK) {
            rc = sr_rtmp_reader_read(c->reader, &msg);
        }
        if (rc == -SR_ETIMEOUT) {
            return sr_err_new(SR_EPUBLISH_TIMEOUT, "no media for %d ms",
                              p->has_media ? c->vhost.normal_timeout_ms : c->vhost.firstpkt_timeout_ms);
        }
        if (rc != SR_OK) {
            return rc;
        }
        rc = sr_rtmp_publish_on_message(p, &msg, &is_done);
        sr_payload_unref(msg.payload);
        if (rc == SR_OK) {
            rc = sr_rtmp_conn__maybe_ack(c);
        }
        if (rc == SR_OK) {
            rc = sr_publish_check_idle(&p->session);
        }
        if (rc != SR_OK) {
            return rc;
        }
    }
    return SR_OK;
}

/* The onStatus description of a refused publish. */
static const char *sr_rtmp_publish_refusal(int rc)
{
    switch (rc) {
    case -SR_ESTREAM_BUSY:
        return "Stream already publishing";
    case -SR_EFORWARD_LOOP:
        return SR_FORWARD_LOOP_TEXT ": published here already";
    case -SR_ESECURITY_DENIED:
        return "Publish denied by security";
    case -SR_ERTMP_CLOSE:
    case -SR_ERTMP_COMMAND:
        return "Refused by the origin";
    case -SR_ESOCKET_CONNECT:
    case -SR_ETIMEOUT:
        return "No origin reachable";
    default:
        return "Publish denied by hook";
    }
}

int sr_rtmp_publish_run(sr_rtmp_conn_t *c, const sr_rtmp_command_t *cmd)
{
    const char *stream = sr_rtmp_command_arg_string(cmd, 0);
    if (!stream || !stream[0]) {
        return sr_err_new(SR_ERTMP_COMMAND, "publish without a stream name");
    }
    int rc = sr_request_set_stream(&c->req, stream);
    if (rc == SR_OK) {
        rc = sr_rtmp_conn__resolve_vhost(c);
    }
    if (rc != SR_OK) {
        sr_rtmp_conn__send_status(c, SR_RTMP_LEVEL_ERROR, SR_RTMP_STATUS_PUBLISH_BAD_NAME, sr_err_text(rc));
        return rc;
    }
    c->client.type = c->is_fmle ? "fmle-publish" : "flash-publish";
    sr_rtmp_publish_t p = {.conn = c};
    if ((rc = sr_publish_begin(&p.session, c->server, &c->client, &c->req, &c->vhost)) != SR_OK) {
        sr_warn("publish %s/%s/%s refused: %s", c->req.vhost, c->req.app, c->req.stream, sr_err_trail());
        sr_rtmp_conn__send_status(c, SR_RTMP_LEVEL_ERROR, SR_RTMP_STATUS_PUBLISH_BAD_NAME, sr_rtmp_publish_refusal(rc));
        return rc;
    }
    if (c->is_fmle) {
        sr_buf_reset(&c->scratch);
        sr_rtmp_build_on_fc_publish(&c->scratch, SR_RTMP_STATUS_PUBLISH_START, "Started publishing stream.");
        rc = sr_rtmp_conn__send_scratch(c, SR_RTMP_CSID_COMMAND, SR_RTMP_MSG_AMF0_COMMAND, SR_RTMP_STREAM_ID);
    }
    if (rc == SR_OK) {
        rc = sr_rtmp_conn__send_status(c, SR_RTMP_LEVEL_STATUS, SR_RTMP_STATUS_PUBLISH_START,
                                       "Started publishing stream.");
    }
    if (rc == SR_OK) {
        rc = sr_rtmp_publish_loop(&p);
    }
    sr_publish_end(&p.session);
    sr_trace("publish %s/%s/%s stop after %llu messages", c->req.vhost, c->req.app, c->req.stream,
             (unsigned long long)p.messages);
    return rc;
}
